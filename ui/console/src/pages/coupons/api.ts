/** The card-pack coupons page's GraphQL: vouchers with their WeChat stocks, sync, attach a stock, link a card. */
import type { GraphQLClient, MutationError } from "../../app/graphql";

export const PAGE_SIZE = 20;

export type SyncStatus = "PENDING" | "SYNCING" | "SYNCED" | "FAILED" | "DEACTIVATED";

export interface Stock {
  mchid: string;
  appId: string;
  kind: string;
  stockId: string | null;
  status: SyncStatus;
  codesUploaded: number;
  codesTotal: number;
  errorCode: string | null;
  errorMessage: string | null;
  rejectedCount: number;
  notices: { code: string; message: string }[];
  syncedAt: string | null;
}

export interface CouponVoucher {
  voucherId: string;
  name: string;
  channel: string;
  codeCount: number;
  active: boolean;
  coupon: {
    status: SyncStatus | null;
    stocks: Stock[];
    couponNotes: { note: string; count: number; message: string }[];
  };
}

export interface VouchersPage {
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
  vouchers: CouponVoucher[];
}

const STOCK = `mchid appId kind stockId status codesUploaded codesTotal errorCode errorMessage rejectedCount
  notices { code message } syncedAt`;
const COUPON = `status stocks { ${STOCK} } couponNotes { note count message }`;

const VOUCHERS = `query ConsoleVoucherCoupons($first: Int!, $after: String, $search: String) {
  voucherCoupons(first: $first, after: $after, search: $search) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { voucherId name channel codeCount active coupon { ${COUPON} } } }
  }
}`;

export async function fetchVouchers(client: GraphQLClient, after: string | null, search: string): Promise<VouchersPage> {
  const data = await client.request<{
    voucherCoupons: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { node: CouponVoucher }[];
    };
  }>(VOUCHERS, { first: PAGE_SIZE, after, search: search.trim() || null });
  const { totalCount, pageInfo, edges } = data.voucherCoupons;
  return {
    totalCount,
    hasNextPage: pageInfo.hasNextPage,
    endCursor: pageInfo.endCursor,
    vouchers: edges.map((edge) => edge.node),
  };
}

const ERRORS = "errors { field code message }";
const SYNC = `mutation ConsoleVoucherSync($voucherId: ID!) {
  voucherCouponSync(voucherId: $voucherId) { voucherCoupon { status } ${ERRORS} }
}`;
const ATTACH = `mutation ConsoleStockAttach($voucherId: ID!, $stockId: String!) {
  voucherCouponStockAttach(voucherId: $voucherId, stockId: $stockId) { voucherCoupon { status } ${ERRORS} }
}`;
const LINK = `mutation ConsoleCardLink($voucherId: ID!, $appId: String!, $cardId: String!) {
  voucherCardLink(voucherId: $voucherId, appId: $appId, cardId: $cardId) { cardId ${ERRORS} }
}`;

/** The first error of a mutation (null: it worked). */
export type ActionResult = MutationError | null;

export async function syncVoucher(client: GraphQLClient, voucherId: string): Promise<ActionResult> {
  const data = await client.request<{ voucherCouponSync: { errors: MutationError[] } }>(SYNC, { voucherId });
  return data.voucherCouponSync.errors[0] ?? null;
}

export async function attachStock(client: GraphQLClient, voucherId: string, stockId: string): Promise<ActionResult> {
  const data = await client.request<{ voucherCouponStockAttach: { errors: MutationError[] } }>(ATTACH, {
    voucherId,
    stockId,
  });
  return data.voucherCouponStockAttach.errors[0] ?? null;
}

export async function linkCard(
  client: GraphQLClient,
  voucherId: string,
  appId: string,
  cardId: string,
): Promise<ActionResult> {
  const data = await client.request<{ voucherCardLink: { errors: MutationError[] } }>(LINK, { voucherId, appId, cardId });
  return data.voucherCardLink.errors[0] ?? null;
}
