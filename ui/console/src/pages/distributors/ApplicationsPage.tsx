/**
 * Distributors → applications queue: pending applicants (newest first, paged), approve or reject one, or
 * many at once, always after a confirmation; a rejection needs a reason (the applicant sees it).
 */
import { Box, Button, Checkbox, Chip, Input, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useMemo, useState } from "react";

import { useDashboard } from "../../app/dashboard";
import { GraphQLFailure } from "../../app/graphql";
import { useClient, useT } from "../../app/hooks";
import { formatDateTime } from "../../app/i18n";
import { Empty, Failure, LoadingRows } from "../../components/states";
import { type Applicant, type ApplicantsPage, approve, PAGE_SIZE, fetchApplicants, reject } from "./api";
import { DecisionDialog, type Decision } from "./DecisionDialog";
import { messages } from "./messages";
import { ResultBanner, type DecisionSummary } from "./ResultBanner";

type Load = { kind: "loading" } | { kind: "failed"; failure: GraphQLFailure } | { kind: "ready"; page: ApplicantsPage };

const SEARCH_DELAY_MS = 300;

function useDebounced(value: string, delay: number): string {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), delay);
    return () => window.clearTimeout(timer);
  }, [value, delay]);
  return debounced;
}

export default function ApplicationsPage() {
  const t = useT(messages);
  const client = useClient();
  const { locale, notify } = useDashboard();
  const [search, setSearch] = useState("");
  const appliedSearch = useDebounced(search, SEARCH_DELAY_MS);
  // cursors of the pages seen so far: keyset paging goes forward; going back reuses a cursor
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [pageIndex, setPageIndex] = useState(0);
  const [reloads, setReloads] = useState(0);
  const [load, setLoad] = useState<Load>({ kind: "loading" });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [decision, setDecision] = useState<Decision | null>(null);
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<DecisionSummary | null>(null);

  useEffect(() => {
    setCursors([null]);
    setPageIndex(0);
  }, [appliedSearch]);

  const after = cursors[pageIndex] ?? null;
  useEffect(() => {
    let current = true;
    setLoad({ kind: "loading" });
    setSelected(new Set());
    fetchApplicants(client, after, appliedSearch).then(
      (page) => {
        if (!current) return;
        if (page.applicants.length === 0 && pageIndex > 0) {
          setPageIndex((index) => index - 1); // the last page emptied by a decision: show the one before
          return;
        }
        setLoad({ kind: "ready", page });
      },
      (error: unknown) => {
        if (current) setLoad({ kind: "failed", failure: asFailure(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [client, after, appliedSearch, pageIndex, reloads]);

  const applicants = load.kind === "ready" ? load.page.applicants : [];
  const byId = useMemo(() => new Map(applicants.map((a) => [a.id, a])), [applicants]);
  const allSelected = applicants.length > 0 && applicants.every((a) => selected.has(a.id));

  const toggle = (id: string, on: boolean) =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const decide = useCallback(
    async (current: Decision, reason: string) => {
      setBusy(true);
      try {
        const result =
          current.action === "approve"
            ? await approve(client, current.ids)
            : await reject(client, current.ids, reason);
        const done = result.outcomes.filter((o) => o.ok).length;
        const failures = result.requestError
          ? [{ name: "", message: result.requestError }]
          : result.outcomes
              .filter((o) => !o.ok)
              .map((o) => ({ name: byId.get(o.id)?.displayName ?? o.id, message: o.message }));
        const next: DecisionSummary = { action: current.action, done, failures };
        setSummary(next);
        const title = t(current.action === "approve" ? "result.approved" : "result.rejected", { count: done });
        notify(failures.length ? "warning" : "success", title, failures.length ? t("result.failed", { count: failures.length }) : undefined);
        setDecision(null);
        setReloads((n) => n + 1);
      } catch (error) {
        setDecision(null);
        setLoad({ kind: "failed", failure: asFailure(error) });
      } finally {
        setBusy(false);
      }
    },
    [client, byId, notify, t],
  );

  const total = load.kind === "ready" ? load.page.totalCount : null;
  const from = pageIndex * PAGE_SIZE + 1;
  return (
    <Box display="flex" flexDirection="column" gap={5} data-testid="applications-page">
      <Box display="flex" alignItems="baseline" gap={3} flexWrap="wrap">
        <Text as="h1" size={10} fontWeight="bold">
          {t("page.title")}
        </Text>
        <Text size={7} color="default2">
          {t("page.subtitle")}
        </Text>
        {total !== null ? (
          <Chip size="large" data-testid="pending-count">
            {t("page.pending", { count: total })}
          </Chip>
        ) : null}
      </Box>

      {load.kind === "failed" && load.failure.kind === "permission" ? null : (
        <Box __maxWidth="420px">
          <Input
            label={t("search.label")}
            placeholder={t("search.placeholder")}
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            data-testid="search"
          />
        </Box>
      )}

      {summary ? <ResultBanner summary={summary} onClose={() => setSummary(null)} /> : null}

      {selected.size > 0 ? (
        <Box
          data-testid="bulk-bar"
          display="flex"
          alignItems="center"
          gap={3}
          padding={3}
          borderRadius={3}
          backgroundColor="default2"
          flexWrap="wrap"
        >
          <Text fontWeight="medium">{t("bulk.selected", { count: selected.size })}</Text>
          <Button onClick={() => setDecision({ action: "approve", ids: [...selected] })} data-testid="bulk-approve">
            {t("bulk.approve", { count: selected.size })}
          </Button>
          <Button variant="error" onClick={() => setDecision({ action: "reject", ids: [...selected] })} data-testid="bulk-reject">
            {t("bulk.reject", { count: selected.size })}
          </Button>
          <Button variant="tertiary" onClick={() => setSelected(new Set())}>
            {t("bulk.clear")}
          </Button>
        </Box>
      ) : null}

      {load.kind === "loading" ? <LoadingRows rows={6} /> : null}
      {load.kind === "failed" ? (
        <Failure failure={load.failure} permission="MANAGE_USERS" onRetry={() => setReloads((n) => n + 1)} />
      ) : null}
      {load.kind === "ready" && applicants.length === 0 ? (
        <Empty
          title={t("empty.title")}
          text={appliedSearch.trim() ? t("empty.search", { search: appliedSearch.trim() }) : t("empty.text")}
        />
      ) : null}
      {load.kind === "ready" && applicants.length > 0 ? (
        <>
          <table className="wd-table" data-testid="applicants">
            <thead>
              <tr>
                <th className="wd-col-select">
                  <Checkbox
                    checked={allSelected}
                    onCheckedChange={(on) => setSelected(on === true ? new Set(applicants.map((a) => a.id)) : new Set())}
                    aria-label={t("table.selectAll")}
                    data-testid="select-all"
                  />
                </th>
                <th>{t("table.applicant")}</th>
                <th>{t("table.kind")}</th>
                <th>{t("table.invitedBy")}</th>
                <th className="wd-col-wide">{t("table.level")}</th>
                <th className="wd-col-wide">{t("table.applied")}</th>
                <th className="wd-col-actions">{t("table.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {applicants.map((applicant) => (
                <ApplicantRow
                  key={applicant.id}
                  applicant={applicant}
                  selected={selected.has(applicant.id)}
                  onSelect={(on) => toggle(applicant.id, on)}
                  onApprove={() => setDecision({ action: "approve", ids: [applicant.id] })}
                  onReject={() => setDecision({ action: "reject", ids: [applicant.id] })}
                  locale={locale}
                  t={t}
                />
              ))}
            </tbody>
          </table>
          <Box display="flex" alignItems="center" justifyContent="flex-end" gap={3}>
            <Text color="default2" data-testid="paging-range">
              {t("paging.range", { from, to: from + applicants.length - 1, total: total ?? 0 })}
            </Text>
            <Button variant="secondary" disabled={pageIndex === 0} onClick={() => setPageIndex((i) => i - 1)} data-testid="page-previous">
              {t("paging.previous")}
            </Button>
            <Button
              variant="secondary"
              disabled={!load.page.hasNextPage}
              onClick={() => {
                setCursors((list) => [...list.slice(0, pageIndex + 1), load.page.endCursor]);
                setPageIndex((i) => i + 1);
              }}
              data-testid="page-next"
            >
              {t("paging.next")}
            </Button>
          </Box>
        </>
      ) : null}

      <DecisionDialog
        decision={decision}
        names={(decision?.ids ?? []).map((id) => byId.get(id)?.displayName ?? id)}
        busy={busy}
        onConfirm={decide}
        onClose={() => (busy ? undefined : setDecision(null))}
      />
    </Box>
  );
}

function ApplicantRow({
  applicant,
  selected,
  onSelect,
  onApprove,
  onReject,
  locale,
  t,
}: {
  applicant: Applicant;
  selected: boolean;
  onSelect: (on: boolean) => void;
  onApprove: () => void;
  onReject: () => void;
  locale: "en" | "zh-Hans";
  t: ReturnType<typeof useT<typeof messages.en>>;
}) {
  const applied = formatDateTime(applicant.createdAt, locale);
  return (
    <tr data-testid="applicant-row" data-name={applicant.displayName} aria-selected={selected}>
      <td className="wd-col-select">
        <Checkbox
          checked={selected}
          onCheckedChange={(on) => onSelect(on === true)}
          aria-label={t("table.select", { name: applicant.displayName })}
        />
      </td>
      <td>
        <Text fontWeight="medium" display="block">
          {applicant.displayName}
        </Text>
        <Text size={2} color="default2" display="block">
          {applicant.email ?? applicant.referralCode}
        </Text>
        <Text size={2} color="default2" display="block" className="wd-narrow-only">
          {applied}
        </Text>
      </td>
      <td>{t(`kind.${applicant.kind}`)}</td>
      <td>
        {applicant.parent ? (
          <>
            <Text display="block">{applicant.parent.displayName}</Text>
            <Text size={2} color="default2" display="block">
              {applicant.parent.referralCode}
            </Text>
          </>
        ) : (
          <Text color="default2">{t("table.brand")}</Text>
        )}
      </td>
      <td className="wd-col-wide">{applicant.level}</td>
      <td className="wd-col-wide">{applied}</td>
      <td className="wd-col-actions">
        <Box display="flex" gap={2} justifyContent="flex-end">
          <Button size="small" onClick={onApprove} data-testid="approve">
            {t("action.approve")}
          </Button>
          <Button size="small" variant="secondary" onClick={onReject} data-testid="reject">
            {t("action.reject")}
          </Button>
        </Box>
      </td>
    </tr>
  );
}

function asFailure(error: unknown): GraphQLFailure {
  return error instanceof GraphQLFailure ? error : new GraphQLFailure("server", String(error));
}
