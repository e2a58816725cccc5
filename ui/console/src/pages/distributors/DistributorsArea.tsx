/**
 * Distributors (the dashboard's Customers menu): the applications queue, every distributor with search
 * and filters, the network browser, and a distributor's page, switched by the URL's hash.
 */
import { Box } from "@saleor/macaw-ui";

import { useT } from "../../app/hooks";
import ApplicationsPage from "./ApplicationsPage";
import { areaMessages } from "./areaMessages";
import { href, useHashRoute } from "./areaShared";
import DistributorPage from "./DistributorPage";
import ListPage from "./ListPage";
import NetworkPage from "./NetworkPage";

export default function DistributorsArea() {
  const t = useT(areaMessages);
  const route = useHashRoute();
  const tab = route.name === "distributor" ? "list" : route.name;
  const tabs = [
    { name: "applications", label: t("tab.applications"), target: href({ name: "applications" }) },
    { name: "list", label: t("tab.list"), target: href({ name: "list" }) },
    { name: "network", label: t("tab.network"), target: href({ name: "network", id: null }) },
  ] as const;
  return (
    <Box display="flex" flexDirection="column" gap={5}>
      <nav className="wd-tabs" data-testid="area-tabs">
        {tabs.map((item) => (
          <a key={item.name} href={item.target} aria-current={tab === item.name ? "page" : undefined} data-testid={`tab-${item.name}`}>
            {item.label}
          </a>
        ))}
      </nav>
      {route.name === "applications" ? <ApplicationsPage /> : null}
      {route.name === "list" ? <ListPage /> : null}
      {route.name === "network" ? <NetworkPage key={route.id ?? "brand"} parentId={route.id} /> : null}
      {route.name === "distributor" ? <DistributorPage key={route.id} id={route.id} /> : null}
    </Box>
  );
}
