/**
 * The money page's GraphQL: withdrawals (with totals) and their actions, commissions by filter (and the
 * CSV export of the same filter), disputes and their resolution. Amounts stay decimal strings.
 */
import type { GraphQLClient, MutationError } from "../../app/graphql";
import { GraphQLFailure } from "../../app/graphql";
import { acceptLanguage, type Locale } from "../../app/i18n";

export const PAGE_SIZE = 20;

export interface Money {
  amount: string;
  currency: string;
}

export interface Page<T> {
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
  rows: T[];
}

interface Connection<T> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: T }[];
}

function page<T>(connection: Connection<T>): Page<T> {
  return {
    totalCount: connection.totalCount,
    hasNextPage: connection.pageInfo.hasNextPage,
    endCursor: connection.pageInfo.endCursor,
    rows: connection.edges.map((edge) => edge.node),
  };
}

export interface DistributorRef {
  id: string;
  displayName: string;
  referralCode: string;
}

const DISTRIBUTOR = "distributor { id displayName referralCode }";
const ERRORS = "errors { field code message }";

// ------------------------------------------------------------------------------------------------
// withdrawals
// ------------------------------------------------------------------------------------------------

export type WithdrawalStatus =
  | "REQUESTED"
  | "APPROVED"
  | "PROCESSING"
  | "WAIT_USER_CONFIRM"
  | "PAID"
  | "REJECTED"
  | "FAILED"
  | "CANCELLED";

/** The statuses the page lists (its tabs), in order: to approve, on the way, failed. */
export const WITHDRAWAL_VIEWS: WithdrawalStatus[] = ["REQUESTED", "APPROVED", "PROCESSING", "WAIT_USER_CONFIRM", "FAILED"];

export interface Withdrawal {
  id: string;
  amount: Money;
  status: WithdrawalStatus;
  payoutMethod: string;
  outBillNo: string;
  failReason: string | null;
  requestedAt: string;
  decidedAt: string | null;
  distributor: DistributorRef | null;
}

export interface WithdrawalTotal {
  status: WithdrawalStatus;
  count: number;
  amount: Money;
}

const WITHDRAWALS = `query ConsoleWithdrawals($first: Int!, $after: String, $status: WithdrawalStatus) {
  withdrawals(first: $first, after: $after, filter: {status: $status}) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id amount { amount currency } status payoutMethod outBillNo failReason requestedAt decidedAt ${DISTRIBUTOR} } }
  }
  withdrawalTotals { status count amount { amount currency } }
}`;

export async function fetchWithdrawals(
  client: GraphQLClient,
  status: WithdrawalStatus,
  after: string | null,
): Promise<{ page: Page<Withdrawal>; totals: WithdrawalTotal[] }> {
  const data = await client.request<{ withdrawals: Connection<Withdrawal>; withdrawalTotals: WithdrawalTotal[] }>(
    WITHDRAWALS,
    { first: PAGE_SIZE, after, status },
  );
  return { page: page(data.withdrawals), totals: data.withdrawalTotals };
}

export type WithdrawalAction = "approve" | "reject" | "retry" | "fail";

const WITHDRAWAL_MUTATIONS: Record<WithdrawalAction, string> = {
  approve: `mutation ConsoleWithdrawalApprove($id: ID!) { result: withdrawalApprove(id: $id) { withdrawal { id status } ${ERRORS} } }`,
  reject: `mutation ConsoleWithdrawalReject($id: ID!, $reason: String) { result: withdrawalReject(id: $id, reason: $reason) { withdrawal { id status } ${ERRORS} } }`,
  retry: `mutation ConsoleWithdrawalRetry($id: ID!) { result: withdrawalRetry(id: $id) { withdrawal { id status failReason } ${ERRORS} } }`,
  fail: `mutation ConsoleWithdrawalFail($id: ID!, $reason: String!) { result: withdrawalFail(id: $id, reason: $reason) { withdrawal { id status } ${ERRORS} } }`,
};

export interface ActionResult {
  /** the mutation's own refusal, translated by the server */
  error: string | null;
  status: string | null;
}

export async function withdrawalAction(
  client: GraphQLClient,
  action: WithdrawalAction,
  id: string,
  reason: string,
): Promise<ActionResult> {
  const variables: Record<string, unknown> = { id };
  if (action === "reject" || action === "fail") variables.reason = reason;
  const data = await client.request<{
    result: { withdrawal: { status: string } | null; errors: MutationError[] };
  }>(WITHDRAWAL_MUTATIONS[action], variables);
  return { error: data.result.errors[0]?.message ?? null, status: data.result.withdrawal?.status ?? null };
}

// ------------------------------------------------------------------------------------------------
// commissions
// ------------------------------------------------------------------------------------------------

export type CommissionStatus = "PENDING" | "FROZEN" | "AVAILABLE" | "CANCELLED";
export const COMMISSION_STATUSES: CommissionStatus[] = ["PENDING", "FROZEN", "AVAILABLE", "CANCELLED"];

export interface CommissionFilters {
  status: CommissionStatus | "";
  referralCode: string;
  orderId: string;
  /** yyyy-mm-dd (a day of the viewer's calendar), or "" */
  from: string;
  to: string;
}

export const NO_FILTERS: CommissionFilters = { status: "", referralCode: "", orderId: "", from: "", to: "" };

export interface Commission {
  id: string;
  orderId: string;
  orderNumber: string | null;
  level: number;
  status: CommissionStatus;
  amount: Money;
  reversedAmount: Money;
  holdReason: string | null;
  createdAt: string;
  distributor: DistributorRef | null;
}

const COMMISSIONS = `query ConsoleCommissions($first: Int!, $after: String, $filter: CommissionFilterInput) {
  commissions(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id orderId orderNumber level status amount { amount currency } reversedAmount { amount currency } holdReason createdAt ${DISTRIBUTOR} } }
  }
}`;

/** The start of a day of the viewer's calendar as an ISO instant ("" stays absent). */
function dayStart(day: string, plusDays = 0): string | null {
  if (!day) return null;
  const [year, month, date] = day.split("-").map(Number);
  return new Date(year, month - 1, date + plusDays).toISOString();
}

/** The filter as the API reads it (the ``to`` day is included: the API's bound is exclusive). */
export function filterVariables(filters: CommissionFilters): Record<string, string> {
  const values: Record<string, string | null> = {
    status: filters.status || null,
    referralCode: filters.referralCode.trim() || null,
    orderId: filters.orderId.trim() || null,
    createdFrom: dayStart(filters.from),
    createdTo: dayStart(filters.to, 1),
  };
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== null));
}

export async function fetchCommissions(
  client: GraphQLClient,
  filters: CommissionFilters,
  after: string | null,
): Promise<Page<Commission>> {
  const data = await client.request<{ commissions: Connection<Commission> }>(COMMISSIONS, {
    first: PAGE_SIZE,
    after,
    filter: filterVariables(filters),
  });
  return page(data.commissions);
}

/**
 * The CSV of the filtered commissions, from the export route beside our GraphQL endpoint, with the same
 * dashboard token (the route checks MANAGE_ORDERS as the API does). Returns the file to save.
 */
export async function exportCommissions(
  graphqlUrl: string,
  token: string,
  locale: Locale,
  filters: CommissionFilters,
): Promise<{ blob: Blob; fileName: string }> {
  const url = new URL(graphqlUrl.replace(/graphql\/?$/, "export/commissions.csv"), window.location.href);
  for (const [name, value] of Object.entries(filterVariables(filters))) url.searchParams.set(name, value);
  let response: Response;
  try {
    response = await fetch(url.toString(), {
      credentials: "omit",
      headers: { Authorization: `Bearer ${token}`, "Accept-Language": acceptLanguage(locale) },
    });
  } catch (error) {
    throw new GraphQLFailure("network", error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) {
    const kind = response.status === 403 ? "permission" : response.status === 401 ? "auth" : "server";
    let detail = `HTTP ${response.status}`;
    try {
      detail = ((await response.json()) as { error?: string }).error ?? detail;
    } catch {
      // not JSON: keep the status
    }
    throw new GraphQLFailure(kind, detail);
  }
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const fileName = /filename="([^"]+)"/.exec(disposition)?.[1] ?? "commissions.csv";
  return { blob: await response.blob(), fileName };
}

// ------------------------------------------------------------------------------------------------
// disputes
// ------------------------------------------------------------------------------------------------

export type DisputeStatus = "OPEN" | "RELEASED" | "REVERSED";
export const DISPUTE_STATUSES: DisputeStatus[] = ["OPEN", "RELEASED", "REVERSED"];

export interface Dispute {
  id: string;
  orderId: string;
  status: DisputeStatus;
  reason: string;
  openedAt: string;
  resolvedAt: string | null;
  attribution: { orderNumber: string; distributor: DistributorRef | null } | null;
  commissions: { level: number; status: CommissionStatus; amount: Money; reversedAmount: Money; distributor: DistributorRef | null }[];
}

const DISPUTES = `query ConsoleDisputes($first: Int!, $after: String, $status: OrderDisputeStatus) {
  disputes(first: $first, after: $after, filter: {status: $status}) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id orderId status reason openedAt resolvedAt
      attribution { orderNumber ${DISTRIBUTOR} }
      commissions { level status amount { amount currency } reversedAmount { amount currency } ${DISTRIBUTOR} } } }
  }
}`;

export async function fetchDisputes(
  client: GraphQLClient,
  status: DisputeStatus,
  after: string | null,
): Promise<Page<Dispute>> {
  const data = await client.request<{ disputes: Connection<Dispute> }>(DISPUTES, { first: PAGE_SIZE, after, status });
  return page(data.disputes);
}

const RESOLVE = `mutation ConsoleDisputeResolve($id: ID!, $input: OrderDisputeResolveInput!) {
  result: orderDisputeResolve(id: $id, input: $input) { dispute { id status } ${ERRORS} }
}`;

export async function resolveDispute(
  client: GraphQLClient,
  id: string,
  resolution: "RELEASE" | "REVERSE",
  note: string,
): Promise<ActionResult> {
  const data = await client.request<{ result: { dispute: { status: string } | null; errors: MutationError[] } }>(
    RESOLVE,
    { id, input: { resolution, note } },
  );
  return { error: data.result.errors[0]?.message ?? null, status: data.result.dispute?.status ?? null };
}
