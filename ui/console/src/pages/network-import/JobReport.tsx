/** An import job as it runs and once finished: progress, totals, and every row with an error. */
import { Box, Button, Chip, Text } from "@saleor/macaw-ui";

import { useT } from "../../app/hooks";
import { type ErrorRow, finished, type Job, type Totals } from "./api";
import { messages } from "./messages";

type T = ReturnType<typeof useT<typeof messages.en>>;

export function JobReport({
  job,
  rows,
  expectedRows,
  onMore,
}: {
  job: Job;
  rows: ErrorRow[];
  /** The file's row count when known (its dry run's): progress within a phase. */
  expectedRows: number | null;
  onMore: () => void;
}) {
  const t = useT(messages);
  const done = finished(job);
  const errorCount = job.errorRows.totalCount;
  return (
    <Box
      data-testid="job-report"
      data-status={job.status}
      data-dry-run={String(job.dryRun)}
      display="flex"
      flexDirection="column"
      gap={4}
      padding={6}
      borderStyle="solid"
      borderWidth={1}
      borderColor="default1"
      borderRadius={4}
      backgroundColor="default1"
    >
      <Box display="flex" alignItems="center" gap={3} flexWrap="wrap">
        <Text as="h2" size={7} fontWeight="bold">
          {t(job.dryRun ? "job.dryRun" : "job.apply", { name: job.fileName })}
        </Text>
        <Chip size="large" data-testid="job-status">
          {t(job.status === "FAILED" && !job.fileError && errorCount > 0 ? "status.rowErrors" : `status.${job.status}`)}
        </Chip>
      </Box>

      {done ? null : <Progress job={job} expectedRows={expectedRows} t={t} />}
      {job.fileError ? (
        <Text color="critical1" role="alert" data-testid="job-file-error">
          {t("result.fileError", { message: job.fileError.message })}
          {job.fileError.detail ? ` (${job.fileError.detail})` : ""}
        </Text>
      ) : null}
      {done && job.totals ? <TotalsGrid totals={job.totals} dryRun={job.dryRun} t={t} /> : null}
      {done && !job.fileError ? <Outcome job={job} errorCount={errorCount} t={t} /> : null}

      {rows.length > 0 ? (
        <Box display="flex" flexDirection="column" gap={2}>
          <Text as="h3" size={5} fontWeight="bold">
            {t("errors.title")}
          </Text>
          <Text size={3} color="default2" data-testid="error-rows-shown">
            {t("errors.shown", { shown: rows.length, total: errorCount })}
          </Text>
          <table className="wd-table" data-testid="error-rows">
            <thead>
              <tr>
                <th>{t("errors.line")}</th>
                <th className="wd-col-wide">{t("errors.externalId")}</th>
                <th>{t("errors.column")}</th>
                <th>{t("errors.message")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.flatMap((row) =>
                row.errors.map((error, index) => (
                  <tr key={`${row.line}-${index}`} data-testid="error-row" data-line={row.line} data-column={error.field ?? ""}>
                    <td>{index === 0 ? row.line : ""}</td>
                    <td className="wd-col-wide">{index === 0 ? row.externalId : ""}</td>
                    <td>
                      <code>{error.field ?? "—"}</code>
                    </td>
                    <td>
                      {error.message}
                      {error.otherLine ? (
                        <Text size={2} color="default2">
                          {` (${t("errors.otherLine", { line: error.otherLine })})`}
                        </Text>
                      ) : null}
                    </td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
          {job.errorRows.pageInfo.hasNextPage ? (
            <Box>
              <Button variant="secondary" onClick={onMore} data-testid="error-rows-more">
                {t("errors.more")}
              </Button>
            </Box>
          ) : null}
        </Box>
      ) : null}
    </Box>
  );
}

function Progress({ job, expectedRows, t }: { job: Job; expectedRows: number | null; t: T }) {
  const known = job.phase in PHASES;
  const phase = known ? t(`phase.${job.phase}` as "phase.reading") : job.phase;
  const [start, end] = known ? PHASES[job.phase] : [10, 10];
  const within = expectedRows ? Math.min(1, job.rowsDone / expectedRows) : 0;
  const percent = Math.round(start + (end - start) * within);
  return (
    <Box display="flex" flexDirection="column" gap={2} data-testid="job-progress" aria-busy="true">
      <div className="wd-progress" role="progressbar" aria-label={phase} aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100}>
        <div style={{ width: `${percent}%` }} />
      </div>
      <Text size={3} color="default2" data-testid="job-progress-text">
        {expectedRows
          ? t("progress.rowsOf", { phase, rows: job.rowsDone, total: expectedRows })
          : t("progress.rows", { phase, rows: job.rowsDone })}
      </Text>
    </Box>
  );
}

/** The part of the whole run each phase covers, in percent (rows within a phase move the bar). */
const PHASES: Record<string, [number, number]> = {
  queued: [3, 3],
  running: [5, 5],
  reading: [5, 35],
  checking: [35, 65],
  writing: [65, 95],
  done: [100, 100],
  succeeded: [100, 100],
  failed: [100, 100],
};

function TotalsGrid({ totals, dryRun, t }: { totals: Totals; dryRun: boolean; t: T }) {
  const items: [string, number][] = [
    [t("totals.rows"), totals.rows],
    [t("totals.ok"), totals.ok],
    [t("totals.errors"), totals.errors],
    [t(dryRun ? "totals.create" : "totals.created"), totals.create],
    [t(dryRun ? "totals.update" : "totals.updated"), totals.update],
    [t(dryRun ? "totals.move" : "totals.moved"), totals.move],
    [t("totals.unchanged"), totals.unchanged],
  ];
  return (
    <Box display="flex" gap={6} flexWrap="wrap" data-testid="job-totals">
      {items.map(([label, value]) => (
        <Box key={label} display="flex" flexDirection="column">
          <Text size={2} color="default2">
            {label}
          </Text>
          <Text size={6} fontWeight="bold">
            {value}
          </Text>
        </Box>
      ))}
    </Box>
  );
}

function Outcome({ job, errorCount, t }: { job: Job; errorCount: number; t: T }) {
  const totals = job.totals;
  let text: string;
  let tone: "success1" | "critical1";
  if (errorCount > 0) {
    text = job.dryRun ? t("result.errors", { count: errorCount }) : t("result.refusedAll", { count: errorCount });
    tone = "critical1";
  } else if (job.dryRun) {
    text = t("result.clean");
    tone = "success1";
  } else {
    text = t("result.applied", { create: totals?.create ?? 0, update: totals?.update ?? 0, move: totals?.move ?? 0 });
    tone = "success1";
  }
  return (
    <Text color={tone} fontWeight="medium" role="status" data-testid="job-outcome">
      {text}
    </Text>
  );
}
