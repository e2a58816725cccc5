/**
 * Network import: choose a CSV or XLSX file, check it (a dry run, which writes nothing and lists every row
 * with an error: row number, column, message), then import it, after a confirmation. Both run as a
 * background job (Celery); the page polls the job for its progress until it finishes.
 */
import { Box, Button, Chip, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useRef, useState } from "react";

import { useDashboard } from "../../app/dashboard";
import { GraphQLFailure, type MutationError } from "../../app/graphql";
import { config, useClient, useT } from "../../app/hooks";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Empty, Failure, LoadingRows } from "../../components/states";
import { type ErrorRow, fetchJob, fetchNetworkSize, finished, type Job, startImport } from "./api";
import { JobReport } from "./JobReport";
import { messages } from "./messages";

const POLL_MS = 1000;

type Load = { kind: "loading" } | { kind: "failed"; failure: GraphQLFailure } | { kind: "ready"; size: number };

export default function ImportPage() {
  const t = useT(messages);
  const client = useClient();
  const { notify } = useDashboard();
  const [load, setLoad] = useState<Load>({ kind: "loading" });
  const [reloads, setReloads] = useState(0);
  const [file, setFile] = useState<File | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [rows, setRows] = useState<ErrorRow[]>([]);
  const [refused, setRefused] = useState<MutationError[]>([]);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  // the rows of the file, once its dry run has read them: the real run's progress counts against them
  const [expectedRows, setExpectedRows] = useState<number | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let current = true;
    setLoad({ kind: "loading" });
    fetchNetworkSize(client).then(
      (size) => current && setLoad({ kind: "ready", size }),
      (error: unknown) => current && setLoad({ kind: "failed", failure: asFailure(error) }),
    );
    return () => {
      current = false;
    };
  }, [client, reloads]);

  const showJob = useCallback((next: Job) => {
    setJob(next);
    if (next.dryRun && next.totals) setExpectedRows(next.totals.rows + next.totals.skipped);
    setRows(next.errorRows.edges.map((edge) => edge.node));
  }, []);

  // poll the running job until it finishes
  const jobId = job && !finished(job) ? job.id : null;
  useEffect(() => {
    if (!jobId) return;
    let current = true;
    const timer = window.setTimeout(() => {
      fetchJob(client, jobId).then(
        (next) => {
          if (!current || !next) return;
          showJob(next);
          if (finished(next) && !next.dryRun && next.status === "SUCCEEDED" && next.totals?.errors === 0) {
            notify("success", t("result.applied", { create: next.totals.create, update: next.totals.update, move: next.totals.move }));
            // the network's size now, without leaving the report for a loading state
            fetchNetworkSize(client).then(
              (size) => setLoad((previous) => (previous.kind === "ready" ? { kind: "ready", size } : previous)),
              () => undefined, // the count is a hint: the report stays either way
            );
          }
        },
        (error: unknown) => current && setLoad({ kind: "failed", failure: asFailure(error) }),
      );
    }, POLL_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [client, jobId, job, showJob, notify, t]);

  const run = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    setRefused([]);
    try {
      const result = await startImport(client, file, dryRun, config.channel);
      if (result.errors.length || !result.job) setRefused(result.errors);
      else showJob(result.job);
    } catch (error) {
      const failure = asFailure(error);
      if (failure.kind === "server" || failure.kind === "network") {
        // the upload itself was refused (a file over the server's limit: 413) or cut: say so by the file
        const message = failure.kind === "network" ? t("file.notSent") : failure.message;
        setRefused([{ field: "file", code: failure.kind, message }]);
      } else {
        setLoad({ kind: "failed", failure });
      }
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  const more = async () => {
    if (!job?.errorRows.pageInfo.endCursor) return;
    try {
      const next = await fetchJob(client, job.id, job.errorRows.pageInfo.endCursor);
      if (!next) return;
      setJob({ ...next, errorRows: { ...next.errorRows } });
      setRows((previous) => [...previous, ...next.errorRows.edges.map((edge) => edge.node)]);
    } catch (error) {
      setLoad({ kind: "failed", failure: asFailure(error) });
    }
  };

  const choose = (chosen: File | null) => {
    setFile(chosen);
    setExpectedRows(null);
    setJob(null);
    setRows([]);
    setRefused([]);
  };

  const running = job !== null && !finished(job);
  const cleanDryRun = job?.dryRun && job.status === "SUCCEEDED" && job.totals?.errors === 0 && !job.fileError;
  const fileRefusal = refused.map((error) => error.message ?? error.code).join(" ");

  return (
    <Box display="flex" flexDirection="column" gap={5} data-testid="import-page">
      <Box display="flex" alignItems="baseline" gap={3} flexWrap="wrap">
        <Text as="h1" size={10} fontWeight="bold">
          {t("page.title")}
        </Text>
        <Text size={7} color="default2">
          {t("page.subtitle")}
        </Text>
        {load.kind === "ready" ? (
          <Chip size="large" data-testid="network-size">
            {t("network.size", { count: load.size })}
          </Chip>
        ) : null}
      </Box>

      {load.kind === "loading" ? <LoadingRows rows={4} /> : null}
      {load.kind === "failed" ? (
        <Failure failure={load.failure} permission="MANAGE_USERS" onRetry={() => setReloads((n) => n + 1)} />
      ) : null}
      {load.kind === "ready" ? (
        <>
          <Box
            display="flex"
            flexDirection="column"
            gap={3}
            padding={6}
            borderStyle="solid"
            borderWidth={1}
            borderColor="default1"
            borderRadius={4}
            backgroundColor="default1"
          >
            <Text as="h2" size={7} fontWeight="bold">
              {t("file.label")}
            </Text>
            <Text size={3} color="default2">
              {t("file.help")}
            </Text>
            <Box display="flex" alignItems="center" gap={3} flexWrap="wrap">
              <input
                ref={input}
                type="file"
                accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                hidden
                onChange={(event) => choose(event.target.files?.[0] ?? null)}
                data-testid="file-input"
              />
              <Button variant="secondary" onClick={() => input.current?.click()} disabled={busy || running} data-testid="file-choose">
                {t("file.choose")}
              </Button>
              <Text data-testid="file-name" color={file ? "default1" : "default2"}>
                {file ? t("file.chosen", { name: file.name, size: formatSize(file.size) }) : t("file.none")}
              </Text>
            </Box>
            {fileRefusal ? (
              <Text color="critical1" role="alert" data-testid="file-error">
                {fileRefusal}
              </Text>
            ) : null}
            <Box display="flex" gap={2} flexWrap="wrap">
              <Button onClick={() => run(true)} disabled={!file || busy || running} data-testid="dry-run">
                {t("action.dryRun")}
              </Button>
              {cleanDryRun ? (
                <Button onClick={() => setConfirming(true)} disabled={busy} data-testid="apply">
                  {t("action.apply")}
                </Button>
              ) : null}
            </Box>
          </Box>

          {job ? (
            <JobReport job={job} rows={rows} expectedRows={job.dryRun ? null : expectedRows} onMore={more} />
          ) : busy ? (
            <LoadingRows rows={3} />
          ) : (
            <Empty title={t("empty.title")} text={t("empty.text")} />
          )}
        </>
      ) : null}

      <ConfirmDialog
        open={confirming && job !== null}
        title={t("confirm.title", { name: file?.name ?? "" })}
        confirmLabel={t("action.apply")}
        busy={busy}
        onConfirm={() => run(false)}
        onClose={() => (busy ? undefined : setConfirming(false))}
      >
        <Text>
          {t("confirm.text", {
            create: job?.totals?.create ?? 0,
            update: job?.totals?.update ?? 0,
            move: job?.totals?.move ?? 0,
          })}
        </Text>
      </ConfirmDialog>
    </Box>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function asFailure(error: unknown): GraphQLFailure {
  return error instanceof GraphQLFailure ? error : new GraphQLFailure("server", String(error));
}
