/**
 * What the server tells the page (a JSON script the Python view puts into index.html): where our
 * GraphQL API is, which page this URL shows, and which pages exist. Nothing secret.
 */
export interface ConsolePageInfo {
  slug: string;
  /** the dashboard menu's label of the page, per locale */
  labels: { en: string; "zh-Hans": string };
}

export interface ConsoleConfig {
  /** Our GraphQL endpoint (same origin); null when the host cannot serve it (the reason is in `unavailable`). */
  graphqlUrl: string | null;
  unavailable: string;
  /** The page this URL shows ("" = the console's home). */
  page: string;
  pages: ConsolePageInfo[];
  /** The sandbox's fake dashboard, to open a page with a token when it is opened on its own. */
  dashboardUrl: string | null;
  /** The channel whose program the pages edit (the route's channel under Saleor). */
  channel: string | null;
}

const FALLBACK: ConsoleConfig = { graphqlUrl: null, unavailable: "", page: "", pages: [], dashboardUrl: null, channel: null };

export function readConfig(doc: Document = document): ConsoleConfig {
  const element = doc.getElementById("wd-config");
  if (!element?.textContent) return FALLBACK;
  try {
    return { ...FALLBACK, ...(JSON.parse(element.textContent) as Partial<ConsoleConfig>) };
  } catch {
    return FALLBACK;
  }
}
