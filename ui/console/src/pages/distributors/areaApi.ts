/**
 * The Distributors area's GraphQL besides the applications queue: the list with filters, the network
 * browser (one level at a time), a distributor's page and its money, and the actions on a distributor.
 * bench/console.py times these very documents (tests/graphql/test_console_statements.py checks they are
 * the same).
 */
import type { GraphQLClient, MutationError } from "../../app/graphql";

export const LIST_PAGE_SIZE = 20;
export const NETWORK_PAGE_SIZE = 20;
export const SECTION_SIZE = 10;

export type Status = "PENDING" | "ACTIVE" | "SUSPENDED" | "REJECTED";
export type Kind = "ENTERPRISE" | "INDIVIDUAL";

export interface Money {
  amount: string;
  currency: string;
}

export interface Connection<T> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: T }[];
}

export interface ListedDistributor {
  id: string;
  displayName: string;
  email: string | null;
  kind: Kind;
  status: Status;
  level: number;
  teamSize: number;
  createdAt: string;
  referralCode: string;
  parent: { id: string; displayName: string } | null;
}

export interface Filters {
  search: string;
  status: Status | "";
  kind: Kind | "";
  level: string;
  joinedFrom: string; // yyyy-mm-dd, the viewer's day
  joinedTo: string; // yyyy-mm-dd, included
}

export const NO_FILTERS: Filters = { search: "", status: "", kind: "", level: "", joinedFrom: "", joinedTo: "" };

export const LIST = `query ConsoleDistributors($first: Int!, $after: String, $filter: DistributorFilterInput) {
  distributors(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id displayName email kind status level teamSize createdAt referralCode parent { id displayName } } }
  }
}`;

/** The viewer's calendar day as an instant (local midnight); `dayAfter` for an inclusive end. */
function localDay(day: string, dayAfter = false): string | null {
  if (!day) return null;
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d + (dayAfter ? 1 : 0)).toISOString();
}

export function filterInput(filters: Filters): Record<string, unknown> {
  const level = Number.parseInt(filters.level, 10);
  return {
    search: filters.search.trim() || null,
    status: filters.status || null,
    kind: filters.kind || null,
    level: Number.isFinite(level) ? level : null,
    joinedFrom: localDay(filters.joinedFrom),
    joinedTo: localDay(filters.joinedTo, true),
  };
}

export async function fetchList(
  client: GraphQLClient,
  after: string | null,
  filters: Filters,
): Promise<Connection<ListedDistributor>> {
  const data = await client.request<{ distributors: Connection<ListedDistributor> }>(LIST, {
    first: LIST_PAGE_SIZE,
    after,
    filter: filterInput(filters),
  });
  return data.distributors;
}

export interface NetworkNode {
  id: string;
  displayName: string;
  referralCode: string;
  kind: Kind;
  status: Status;
  level: number;
  teamSize: number;
  childrenCount: number;
  createdAt: string;
}

export interface NetworkLevel {
  parent: {
    id: string;
    displayName: string;
    referralCode: string;
    level: number;
    status: Status;
    ancestors: { id: string; displayName: string }[];
  } | null;
  levelCounts: { level: number; count: number }[];
  children: Connection<NetworkNode>;
}

export const NETWORK = `query ConsoleNetworkLevel($parent: ID, $first: Int!, $after: String) {
  distributorNetwork(parentId: $parent, first: $first, after: $after) {
    parent { id displayName referralCode level status ancestors { id displayName } }
    levelCounts { level count }
    children {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id displayName referralCode kind status level teamSize childrenCount createdAt } }
    }
  }
}`;

export async function fetchNetwork(
  client: GraphQLClient,
  parent: string | null,
  after: string | null,
): Promise<NetworkLevel | null> {
  const data = await client.request<{ distributorNetwork: NetworkLevel | null }>(NETWORK, {
    parent,
    first: NETWORK_PAGE_SIZE,
    after,
  });
  return data.distributorNetwork;
}

export interface AuditEvent {
  type: string;
  actor: string;
  data: string; // JSON
  createdAt: string;
}

export interface DistributorDetail {
  id: string;
  displayName: string;
  email: string | null;
  kind: Kind;
  status: Status;
  level: number;
  referralCode: string;
  teamSize: number;
  childrenCount: number;
  createdAt: string;
  approvedAt: string | null;
  parent: { id: string; displayName: string } | null;
  ancestors: { id: string; displayName: string }[];
  networkLevelCounts: { level: number; count: number }[];
  bindingCounts: { total: number; active: number };
  storefront: { slug: string; title: string; channel: string; isActive: boolean; appId: string | null } | null;
  events: AuditEvent[];
}

export const DISTRIBUTOR = `query ConsoleDistributor($id: ID!) {
  distributor(id: $id) {
    id displayName email kind status level referralCode teamSize childrenCount createdAt approvedAt
    parent { id displayName }
    ancestors { id displayName }
    networkLevelCounts { level count }
    bindingCounts { total active }
    storefront { slug title channel isActive appId }
    events { type actor data createdAt }
  }
}`;

export async function fetchDistributor(client: GraphQLClient, id: string): Promise<DistributorDetail | null> {
  const data = await client.request<{ distributor: DistributorDetail | null }>(DISTRIBUTOR, { id });
  return data.distributor;
}

export interface Balance {
  currency: string;
  available: Money;
  frozen: Money;
  pending: Money;
  withdrawing: Money;
}

export interface LedgerEntry {
  kind: string;
  amount: Money;
  orderId: string;
  createdAt: string;
}

export interface DistributorMoney {
  distributor: { id: string; balances: Balance[]; ledger: Connection<LedgerEntry> } | null;
  commissions: Connection<{ id: string; orderId: string; level: number; status: string; amount: Money; createdAt: string }>;
  withdrawals: Connection<{ id: string; amount: Money; status: string; requestedAt: string }>;
}

export const DISTRIBUTOR_MONEY = `query ConsoleDistributorMoney($id: ID!, $first: Int!) {
  distributor(id: $id) {
    id
    balances { currency available { amount currency } frozen { amount currency } pending { amount currency } withdrawing { amount currency } }
    ledger(first: $first) { totalCount pageInfo { hasNextPage endCursor } edges { node { kind amount { amount currency } orderId createdAt } } }
  }
  commissions(first: $first, filter: {distributorId: $id}) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id orderId level status amount { amount currency } createdAt } }
  }
  withdrawals(first: $first, filter: {distributorId: $id}) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id amount { amount currency } status requestedAt } }
  }
}`;

export async function fetchMoney(client: GraphQLClient, id: string): Promise<DistributorMoney> {
  return client.request<DistributorMoney>(DISTRIBUTOR_MONEY, { id, first: SECTION_SIZE });
}

const LEDGER_PAGE = `query ConsoleLedgerPage($id: ID!, $first: Int!, $after: String) {
  distributor(id: $id) { id ledger(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { kind amount { amount currency } orderId createdAt } } } }
}`;

export async function fetchLedgerPage(client: GraphQLClient, id: string, after: string): Promise<Connection<LedgerEntry>> {
  const data = await client.request<{ distributor: { ledger: Connection<LedgerEntry> } }>(LEDGER_PAGE, {
    id,
    first: SECTION_SIZE,
    after,
  });
  return data.distributor.ledger;
}

export type Action = "suspend" | "reactivate" | "move";

const ERRORS = "errors { field code message }";
const SUSPEND = `mutation ConsoleSuspend($id: ID!, $reason: String) {
  distributorSuspend(id: $id, reason: $reason) { distributor { id status } ${ERRORS} }
}`;
const REACTIVATE = `mutation ConsoleReactivate($id: ID!) {
  distributorReactivate(id: $id) { distributor { id status } ${ERRORS} }
}`;
const MOVE = `mutation ConsoleMove($id: ID!, $newParentId: ID) {
  distributorMove(id: $id, newParentId: $newParentId) { distributor { id level } ${ERRORS} }
}`;

interface ActionAnswer {
  distributor: { id: string } | null;
  errors: MutationError[];
}

/** The error message of the action, or null when it went through. */
export async function runAction(
  client: GraphQLClient,
  action: Action,
  id: string,
  extra: { reason?: string; newParentId?: string | null },
): Promise<string | null> {
  let answer: ActionAnswer;
  if (action === "suspend") {
    answer = (await client.request<{ distributorSuspend: ActionAnswer }>(SUSPEND, { id, reason: extra.reason || null }))
      .distributorSuspend;
  } else if (action === "reactivate") {
    answer = (await client.request<{ distributorReactivate: ActionAnswer }>(REACTIVATE, { id })).distributorReactivate;
  } else {
    answer = (await client.request<{ distributorMove: ActionAnswer }>(MOVE, { id, newParentId: extra.newParentId ?? null }))
      .distributorMove;
  }
  const error = answer.errors[0];
  return error ? (error.message ?? error.code) : null;
}

const PICK = `query ConsolePickUpline($search: String) {
  distributors(first: 8, filter: {search: $search, status: ACTIVE}) { edges { node { id displayName referralCode level } } }
}`;

export interface Candidate {
  id: string;
  displayName: string;
  referralCode: string;
  level: number;
}

export async function searchUplines(client: GraphQLClient, search: string): Promise<Candidate[]> {
  const data = await client.request<{ distributors: Connection<Candidate> }>(PICK, { search: search.trim() || null });
  return data.distributors.edges.map((edge) => edge.node);
}
