/** What every screen knows: the storefront it was opened from, the signed-in distributor (if any). */
export interface Storefront {
  slug: string;
  title: string;
  channel: string;
  appId: string | null;
  referralCode: string | null;
}

export interface Me {
  displayName: string;
  status: "PENDING" | "ACTIVE" | "SUSPENDED" | "REJECTED";
  referralCode: string;
  level: number;
}

export interface Ctx {
  app: HTMLElement;
  storefront: Storefront;
  me: Me | null;
  /** the route's parameters (``#/orders?tab=orders`` -> tab) */
  params: URLSearchParams;
  /** read the distributor again (after applying), then show the current route */
  refresh(): Promise<void>;
}

export type Page = (ctx: Ctx, target: HTMLElement) => Promise<void>;
