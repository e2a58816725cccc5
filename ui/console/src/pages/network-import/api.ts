/** The network import's GraphQL: upload a file as a dry run or for real, then poll the job. */
import type { GraphQLClient, MutationError } from "../../app/graphql";

export const ERROR_ROWS_PAGE = 100;

export type JobStatus = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED";

export interface RowError {
  code: string;
  field: string | null;
  message: string;
  otherLine: number | null;
}

export interface ErrorRow {
  line: number;
  externalId: string;
  errors: RowError[];
}

export interface Totals {
  rows: number;
  ok: number;
  errors: number;
  skipped: number;
  create: number;
  update: number;
  move: number;
  unchanged: number;
}

export interface Job {
  id: string;
  fileName: string;
  dryRun: boolean;
  status: JobStatus;
  phase: string;
  rowsDone: number;
  totals: Totals | null;
  fileError: { code: string; message: string; detail: string | null } | null;
  createdAt: string;
  finishedAt: string | null;
  errorRows: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: ErrorRow }[];
  };
}

const JOB_FIELDS = `id fileName dryRun status phase rowsDone createdAt finishedAt
  totals { rows ok errors skipped create update move unchanged }
  fileError { code message detail }
  errorRows(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { line externalId errors { code field message otherLine } } }
  }`;

const IMPORT = `mutation ConsoleImport($fileName: String!, $file: Upload, $dryRun: Boolean!, $channel: String, $first: Int, $after: String) {
  distributorImport(input: {fileName: $fileName, file: $file, dryRun: $dryRun, channel: $channel}) {
    job { ${JOB_FIELDS} }
    errors { field code message }
  }
}`;

const JOB = `query ConsoleImportJob($id: ID!, $first: Int, $after: String) {
  distributorImportJob(id: $id) { ${JOB_FIELDS} }
}`;

export async function startImport(
  client: GraphQLClient,
  file: File,
  dryRun: boolean,
  channel: string | null,
): Promise<{ job: Job | null; errors: MutationError[] }> {
  const data = await client.request<{ distributorImport: { job: Job | null; errors: MutationError[] } }>(
    IMPORT,
    { fileName: file.name, dryRun, channel, first: ERROR_ROWS_PAGE, after: null },
    { file },
  );
  return data.distributorImport;
}

export async function fetchJob(client: GraphQLClient, id: string, after: string | null = null): Promise<Job | null> {
  const data = await client.request<{ distributorImportJob: Job | null }>(JOB, { id, first: ERROR_ROWS_PAGE, after });
  return data.distributorImportJob;
}

export function finished(job: Job): boolean {
  return job.status === "SUCCEEDED" || job.status === "FAILED";
}

const NETWORK_SIZE = `query ConsoleNetworkSize { distributors(first: 1) { totalCount } }`;

/** How many distributors the network has now (and whether this user may import: MANAGE_USERS). */
export async function fetchNetworkSize(client: GraphQLClient): Promise<number> {
  const data = await client.request<{ distributors: { totalCount: number } }>(NETWORK_SIZE);
  return data.distributors.totalCount;
}
