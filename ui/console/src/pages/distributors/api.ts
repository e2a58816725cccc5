/** The applications queue's GraphQL: pending applicants, approve / reject, one at a time or in bulk. */
import type { GraphQLClient, MutationError } from "../../app/graphql";

export const PAGE_SIZE = 20;

export interface Applicant {
  id: string;
  displayName: string;
  email: string | null;
  kind: "ENTERPRISE" | "INDIVIDUAL";
  level: number;
  createdAt: string;
  referralCode: string;
  parent: { displayName: string; referralCode: string } | null;
}

export interface ApplicantsPage {
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
  applicants: Applicant[];
}

const APPLICANTS = `query ConsoleApplicants($first: Int!, $after: String, $search: String) {
  distributors(first: $first, after: $after, filter: {status: PENDING, search: $search}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id displayName email kind level createdAt referralCode parent { displayName referralCode } } }
  }
}`;

interface ApplicantsAnswer {
  distributors: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: Applicant }[];
  };
}

export async function fetchApplicants(
  client: GraphQLClient,
  after: string | null,
  search: string,
): Promise<ApplicantsPage> {
  const data = await client.request<ApplicantsAnswer>(APPLICANTS, {
    first: PAGE_SIZE,
    after,
    search: search.trim() || null,
  });
  const { totalCount, pageInfo, edges } = data.distributors;
  return {
    totalCount,
    hasNextPage: pageInfo.hasNextPage,
    endCursor: pageInfo.endCursor,
    applicants: edges.map((edge) => edge.node),
  };
}

/** What happened to one applicant of a decision (one or many). */
export interface Outcome {
  id: string;
  ok: boolean;
  message: string;
}

export interface DecisionResult {
  outcomes: Outcome[];
  /** An error about the whole request (nothing was changed). */
  requestError: string | null;
}

const ERRORS = "errors { field code message }";
const BULK_APPROVE = `mutation ConsoleBulkApprove($ids: [ID!]!) {
  distributorBulkApprove(ids: $ids) { count results { id distributor { id status } ${ERRORS} } ${ERRORS} }
}`;
const BULK_REJECT = `mutation ConsoleBulkReject($ids: [ID!]!, $reason: String!) {
  distributorBulkReject(ids: $ids, reason: $reason) { count results { id distributor { id status } ${ERRORS} } ${ERRORS} }
}`;
const APPROVE = `mutation ConsoleApprove($id: ID!) {
  distributorApprove(id: $id) { distributor { id status } ${ERRORS} }
}`;
const REJECT = `mutation ConsoleReject($id: ID!, $reason: String) {
  distributorReject(id: $id, reason: $reason) { distributor { id status } ${ERRORS} }
}`;

interface SingleAnswer {
  distributor: { id: string; status: string } | null;
  errors: MutationError[];
}

interface BulkAnswer {
  count: number;
  results: { id: string; distributor: { id: string } | null; errors: MutationError[] }[];
  errors: MutationError[];
}

function single(id: string, answer: SingleAnswer): DecisionResult {
  const error = answer.errors[0];
  return { outcomes: [{ id, ok: !error, message: error?.message ?? "" }], requestError: null };
}

function bulk(answer: BulkAnswer): DecisionResult {
  return {
    requestError: answer.errors[0]?.message ?? null,
    outcomes: answer.results.map((result) => ({
      id: result.id,
      ok: result.errors.length === 0,
      message: result.errors[0]?.message ?? "",
    })),
  };
}

export async function approve(client: GraphQLClient, ids: string[]): Promise<DecisionResult> {
  if (ids.length === 1) {
    const data = await client.request<{ distributorApprove: SingleAnswer }>(APPROVE, { id: ids[0] });
    return single(ids[0], data.distributorApprove);
  }
  const data = await client.request<{ distributorBulkApprove: BulkAnswer }>(BULK_APPROVE, { ids });
  return bulk(data.distributorBulkApprove);
}

export async function reject(client: GraphQLClient, ids: string[], reason: string): Promise<DecisionResult> {
  if (ids.length === 1) {
    const data = await client.request<{ distributorReject: SingleAnswer }>(REJECT, { id: ids[0], reason });
    return single(ids[0], data.distributorReject);
  }
  const data = await client.request<{ distributorBulkReject: BulkAnswer }>(BULK_REJECT, { ids, reason });
  return bulk(data.distributorBulkReject);
}
