/** The storefronts page's GraphQL: storefronts with their Official Accounts, detached accounts, and the Open
 * Platform authorization link of a storefront. */
import type { GraphQLClient, MutationError } from "../../app/graphql";

export const PAGE_SIZE = 20;

export type AccountFilter = "ALL" | "ACTIVE" | "UNAUTHORIZED" | "NONE";

export interface Account {
  appId: string;
  name: string;
  mode: "CREDENTIALS" | "COMPONENT";
  status: string;
  isCertifiedServiceAccount: boolean;
  verifiedAt: string | null;
  updatedAt: string;
}

export interface StorefrontRow {
  id: string;
  slug: string;
  title: string;
  channel: string;
  isActive: boolean;
  isBrand: boolean;
  distributorName: string | null;
  referralCode: string | null;
  officialAccount: Account | null;
}

export interface ListPage<N> {
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
  nodes: N[];
}

interface Connection<N> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: N }[];
}

function page<N>(connection: Connection<N>): ListPage<N> {
  return {
    totalCount: connection.totalCount,
    hasNextPage: connection.pageInfo.hasNextPage,
    endCursor: connection.pageInfo.endCursor,
    nodes: connection.edges.map((edge) => edge.node),
  };
}

const ACCOUNT = "appId name mode status isCertifiedServiceAccount verifiedAt updatedAt";

const STOREFRONTS = `query ConsoleStorefronts($first: Int!, $after: String, $search: String, $account: StorefrontAccountFilterEnum) {
  storefronts(first: $first, after: $after, search: $search, account: $account) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id slug title channel isActive isBrand distributorName referralCode officialAccount { ${ACCOUNT} } } }
  }
}`;

const DETACHED = `query ConsoleDetachedAccounts($first: Int!, $after: String, $search: String) {
  detachedOfficialAccounts(first: $first, after: $after, search: $search) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ${ACCOUNT} } }
  }
}`;

export async function fetchStorefronts(
  client: GraphQLClient,
  after: string | null,
  search: string,
  account: AccountFilter,
): Promise<ListPage<StorefrontRow>> {
  const data = await client.request<{ storefronts: Connection<StorefrontRow> }>(STOREFRONTS, {
    first: PAGE_SIZE,
    after,
    search: search.trim() || null,
    account: account === "ALL" ? null : account,
  });
  return page(data.storefronts);
}

export async function fetchDetached(client: GraphQLClient, after: string | null, search: string): Promise<ListPage<Account>> {
  const data = await client.request<{ detachedOfficialAccounts: Connection<Account> }>(DETACHED, {
    first: PAGE_SIZE,
    after,
    search: search.trim() || null,
  });
  return page(data.detachedOfficialAccounts);
}

const AUTHORIZATION_URL = `mutation ConsoleAuthorizationUrl($id: ID!, $redirectUri: String!) {
  storefrontAccountAuthorizationUrl(id: $id, redirectUri: $redirectUri) { url errors { field code message } }
}`;

export async function authorizationUrl(
  client: GraphQLClient,
  id: string,
  redirectUri: string,
): Promise<{ url: string | null; error: MutationError | null }> {
  const data = await client.request<{ storefrontAccountAuthorizationUrl: { url: string | null; errors: MutationError[] } }>(
    AUTHORIZATION_URL,
    { id, redirectUri },
  );
  const answer = data.storefrontAccountAuthorizationUrl;
  return { url: answer.url, error: answer.errors[0] ?? null };
}

const COMPLETE = `mutation ConsoleAuthorizationComplete($id: ID!, $code: String!) {
  storefrontAccountAuthorizationComplete(id: $id, authorizationCode: $code) {
    storefront { id officialAccount { appId name } }
    errors { field code message }
  }
}`;

export async function completeAuthorization(
  client: GraphQLClient,
  id: string,
  code: string,
): Promise<{ account: string | null; error: MutationError | null }> {
  const data = await client.request<{
    storefrontAccountAuthorizationComplete: {
      storefront: { officialAccount: { appId: string; name: string } | null } | null;
      errors: MutationError[];
    };
  }>(COMPLETE, { id, code });
  const answer = data.storefrontAccountAuthorizationComplete;
  const account = answer.storefront?.officialAccount;
  return { account: account ? account.name || account.appId : null, error: answer.errors[0] ?? null };
}
