/** The order widget's GraphQL: the order's attribution (evidence, policy, history, commissions, dispute)
 * and its reassignment by referral code. */
import type { GraphQLClient, MutationError } from "../../app/graphql";
import type { Money } from "../money/api";

export interface Person {
  displayName: string;
  referralCode: string;
}

export interface Attribution {
  orderId: string;
  orderNumber: string;
  channel: string;
  source: "LINK" | "VOUCHER" | "QR" | "BINDING" | "MANUAL" | string | null;
  code: string | null;
  appId: string | null;
  decidedAt: string;
  policyVersion: number;
  noCommissionReason: string | null;
  netTotal: Money;
  policy: {
    trigger: string | null;
    validityDays: number | null;
    protectionDays: number | null;
    override: string | null;
    codePriority: string | null;
    commissionDepth: number | null;
    selfPurchaseEarns: boolean | null;
  };
  distributor: Person | null;
  changes: { fromDistributor: Person | null; toDistributor: Person | null; actor: string; reason: string; createdAt: string }[];
  commissions: { id: string; level: number; status: string; amount: Money; reversedAmount: Money; holdReason: string | null; distributor: Person | null }[];
  dispute: { status: string; reason: string; openedAt: string; resolvedAt: string | null } | null;
}

const PERSON = "displayName referralCode";
const ATTRIBUTION = `query ConsoleOrderAttribution($orderId: ID!) {
  orderAttribution(orderId: $orderId) {
    orderId orderNumber channel source code appId decidedAt policyVersion noCommissionReason netTotal { amount currency }
    policy { trigger validityDays protectionDays override codePriority commissionDepth selfPurchaseEarns }
    distributor { ${PERSON} }
    changes { fromDistributor { ${PERSON} } toDistributor { ${PERSON} } actor reason createdAt }
    commissions { id level status amount { amount currency } reversedAmount { amount currency } holdReason distributor { ${PERSON} } }
    dispute { status reason openedAt resolvedAt }
  }
}`;

export async function fetchAttribution(client: GraphQLClient, orderId: string): Promise<Attribution | null> {
  const data = await client.request<{ orderAttribution: Attribution | null }>(ATTRIBUTION, { orderId });
  return data.orderAttribution;
}

const REASSIGN = `mutation ConsoleOrderReassign($orderId: ID!, $code: String!, $reason: String!) {
  orderAttributionReassign(orderId: $orderId, referralCode: $code, reason: $reason) {
    orderAttribution { orderId } errors { field code message }
  }
}`;

export async function reassign(client: GraphQLClient, orderId: string, code: string, reason: string): Promise<string | null> {
  const data = await client.request<{ orderAttributionReassign: { errors: MutationError[] } }>(REASSIGN, {
    orderId,
    code,
    reason,
  });
  return data.orderAttributionReassign.errors[0]?.message ?? null;
}
