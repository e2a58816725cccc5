/**
 * The console's pages by URL slug (`console/<slug>/`). Each one is loaded on demand (its own chunk).
 * A page listed here must also be listed in `saleor_wechat_distribution/console/pages.py` (its dashboard
 * menu entry in the App manifest); tests/screens check both lists agree. See docs/screens.md.
 */
import { type ComponentType, lazy, type LazyExoticComponent } from "react";

export const PAGES: Record<string, LazyExoticComponent<ComponentType>> = {
  distributors: lazy(() => import("./distributors/DistributorsArea")),
  coupons: lazy(() => import("./coupons/CouponsPage")),
  storefronts: lazy(() => import("./storefronts/StorefrontsPage")),
  money: lazy(() => import("./money/MoneyPage")),
  "order-distribution": lazy(() => import("./order/OrderWidget")),
  program: lazy(() => import("./program/ProgramPage")),
  "network-import": lazy(() => import("./network-import/ImportPage")),
  "customer-distribution": lazy(() => import("./customer/CustomerWidget")),
};
