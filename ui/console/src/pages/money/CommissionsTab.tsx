/**
 * Commissions by status and filter (distributor's referral code, order, creation days), newest first;
 * the same filter exported as CSV (the export route, with the dashboard's token).
 */
import { Box, Button, Input, Select, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState } from "react";

import { useDashboard } from "../../app/dashboard";
import { config, useClient, useT } from "../../app/hooks";
import { formatDateTime } from "../../app/i18n";
import {
  type CommissionFilters,
  type CommissionStatus,
  COMMISSION_STATUSES,
  exportCommissions,
  fetchCommissions,
  NO_FILTERS,
} from "./api";
import { formatMoney } from "./format";
import type { Report } from "./actions";
import { messages } from "./messages";
import { asFailure, ListState, Pager, usePaged } from "./paging";

const TYPING_DELAY_MS = 300;

function useDebounced<T>(value: T, delay: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), delay);
    return () => window.clearTimeout(timer);
  }, [value, delay]);
  return debounced;
}

function save(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function CommissionsTab({ report }: { report: Report }) {
  const t = useT(messages);
  const client = useClient();
  const { locale, token } = useDashboard();
  const [filters, setFilters] = useState<CommissionFilters>(NO_FILTERS);
  const applied = useDebounced(filters, TYPING_DELAY_MS);
  const [exporting, setExporting] = useState(false);
  // days the wrong way round match nothing: say so rather than ask the server
  const backwards = Boolean(applied.from && applied.to && applied.from > applied.to);
  const fetch = useCallback(
    (after: string | null) =>
      backwards
        ? Promise.resolve({ page: { totalCount: 0, hasNextPage: false, endCursor: null, rows: [] } })
        : fetchCommissions(client, applied, after).then((page) => ({ page })),
    [client, applied, backwards],
  );
  const { load, reload, next, previous, index } = usePaged(JSON.stringify(applied), fetch);
  const set = (patch: Partial<CommissionFilters>) => setFilters((current) => ({ ...current, ...patch }));

  const runExport = async () => {
    setExporting(true);
    try {
      const { blob, fileName } = await exportCommissions(config.graphqlUrl ?? "", token(), locale, applied);
      save(blob, fileName);
      report({ ok: true, text: t("export.done", { file: fileName }) });
    } catch (error) {
      report({ ok: false, text: t("export.failed", { message: asFailure(error).message }) });
    } finally {
      setExporting(false);
    }
  };

  const options = [
    { value: "ALL", label: t("filter.all") },
    ...COMMISSION_STATUSES.map((status) => ({ value: status, label: t(`cstatus.${status}`) })),
  ];
  const permissionRefused = load.kind === "failed" && load.failure.kind === "permission";
  return (
    <Box display="flex" flexDirection="column" gap={4} data-testid="commissions-tab">
      {permissionRefused ? null : (
        <Box display="grid" gap={3} __gridTemplateColumns="repeat(auto-fill, minmax(170px, 1fr))" alignItems="end" data-testid="commission-filters">
          <Select
            label={t("filter.status")}
            options={options}
            value={filters.status || "ALL"}
            onChange={(value: string) => set({ status: value === "ALL" ? "" : (value as CommissionStatus) })}
            data-testid="filter-status"
          />
          <Input label={t("filter.code")} value={filters.referralCode} onChange={(e) => set({ referralCode: e.target.value })} data-testid="filter-code" />
          <Input label={t("filter.order")} value={filters.orderId} onChange={(e) => set({ orderId: e.target.value })} data-testid="filter-order" />
          <Input type="date" label={t("filter.from")} value={filters.from} onChange={(e) => set({ from: e.target.value })} data-testid="filter-from" />
          <Input type="date" label={t("filter.to")} value={filters.to} onChange={(e) => set({ to: e.target.value })} data-testid="filter-to" />
        </Box>
      )}
      {permissionRefused ? null : (
        <Box display="flex" gap={2} justifyContent="flex-end" flexWrap="wrap">
          <Button variant="secondary" onClick={() => setFilters(NO_FILTERS)} data-testid="filter-clear">
            {t("filter.clear")}
          </Button>
          <Button onClick={runExport} disabled={exporting} data-testid="export-csv">
            {exporting ? t("export.working") : t("export.csv")}
          </Button>
        </Box>
      )}
      <ListState
        load={load}
        onRetry={reload}
        empty={{ title: t("empty.commissions"), text: t(backwards ? "empty.commissions.backwards" : "empty.commissions.text") }}
      />
      {load.kind === "ready" && load.data.page.rows.length > 0 ? (
        <>
          <table className="wd-table" data-testid="commissions">
            <thead>
              <tr>
                <th>{t("table.order")}</th>
                <th>{t("table.distributor")}</th>
                <th className="wd-col-wide">{t("table.level")}</th>
                <th>{t("table.status")}</th>
                <th>{t("table.amount")}</th>
                <th className="wd-col-wide">{t("table.created")}</th>
              </tr>
            </thead>
            <tbody>
              {load.data.page.rows.map((commission) => (
                <tr key={commission.id} data-testid="commission-row" data-order={commission.orderId}>
                  <td>
                    <Text display="block" fontWeight="medium">
                      {commission.orderNumber ? `#${commission.orderNumber}` : "—"}
                    </Text>
                    <Text size={2} color="default2" display="block" className="wd-clip" title={commission.orderId}>
                      {commission.orderId}
                    </Text>
                    <Text size={2} color="default2" display="block" className="wd-narrow-only">
                      {t(`level.${commission.level}` as "level.1")} · {formatDateTime(commission.createdAt, locale)}
                    </Text>
                  </td>
                  <td>
                    <Text display="block">{commission.distributor?.displayName ?? "—"}</Text>
                    <Text size={2} color="default2" display="block">
                      {commission.distributor?.referralCode}
                    </Text>
                  </td>
                  <td className="wd-col-wide">{t(`level.${commission.level}` as "level.1")}</td>
                  <td>
                    <Text display="block">{t(`cstatus.${commission.status}`)}</Text>
                    {commission.holdReason ? (
                      <Text size={2} color="warning1" fontWeight="medium" display="block" data-testid="hold-reason">
                        {t(`hold.${commission.holdReason}` as "hold.dispute")}
                      </Text>
                    ) : null}
                  </td>
                  <td>
                    <Text display="block" fontWeight="medium">{formatMoney(commission.amount)}</Text>
                    {commission.reversedAmount.amount.replace(/[0.]/g, "") ? (
                      <Text size={2} color="default2" display="block">
                        {t("table.reversed")} {formatMoney(commission.reversedAmount)}
                      </Text>
                    ) : null}
                  </td>
                  <td className="wd-col-wide">{formatDateTime(commission.createdAt, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={load.data.page} index={index} onNext={next} onPrevious={previous} />
        </>
      ) : null}
    </Box>
  );
}
