/**
 * Withdrawals by status, with the totals of each: approve or reject a requested one; move a stuck payout
 * on (ask WeChat Pay) or end it (the money returns once); a failed one says why and where the money went.
 */
import { Box, Button, Chip, Text } from "@saleor/macaw-ui";
import { useCallback, useMemo, useState } from "react";

import { useDashboard } from "../../app/dashboard";
import { useClient, useT } from "../../app/hooks";
import { formatDateTime } from "../../app/i18n";
import { ActionDialog, type PendingAction } from "./ActionDialog";
import {
  fetchWithdrawals,
  type Money,
  type Withdrawal,
  type WithdrawalAction,
  withdrawalAction,
  type WithdrawalStatus,
  WITHDRAWAL_VIEWS,
} from "./api";
import { formatMoney, formatTotals } from "./format";
import { type Report, runAction } from "./actions";
import { messages } from "./messages";
import { ListState, Pager, usePaged } from "./paging";

const REJECT_REASON_MAX = 500;
const FAIL_REASON_MAX = 255;
const ON_THE_WAY: WithdrawalStatus[] = ["APPROVED", "PROCESSING", "WAIT_USER_CONFIRM"];

export function WithdrawalsTab({ report }: { report: Report }) {
  const t = useT(messages);
  const client = useClient();
  const { locale } = useDashboard();
  const [status, setStatus] = useState<WithdrawalStatus>("REQUESTED");
  const [pending, setPending] = useState<PendingAction | null>(null);
  const fetch = useCallback((after: string | null) => fetchWithdrawals(client, status, after), [client, status]);
  const { load, reload, next, previous, index } = usePaged(status, fetch);

  const totals = load.kind === "ready" ? load.data.totals : null;
  const totalsOf = useMemo(() => {
    const by = new Map<WithdrawalStatus, { count: number; amounts: Money[] }>();
    for (const total of totals ?? []) {
      const entry = by.get(total.status) ?? { count: 0, amounts: [] };
      entry.count += total.count;
      entry.amounts.push(total.amount);
      by.set(total.status, entry);
    }
    return by;
  }, [totals]);

  const ask = (action: WithdrawalAction, withdrawal: Withdrawal) => {
    const name = withdrawal.distributor?.displayName ?? withdrawal.outBillNo;
    const amount = formatMoney(withdrawal.amount);
    const params = { name, amount, bill: withdrawal.outBillNo };
    const input =
      action === "reject"
        ? { kind: "reason" as const, max: REJECT_REASON_MAX }
        : action === "fail"
          ? { kind: "reason" as const, max: FAIL_REASON_MAX }
          : undefined;
    setPending({
      title: t(`confirm.${action}.title`, params),
      text: t(`confirm.${action}.text`, params),
      confirmLabel: t(`action.${action}`),
      destructive: action === "reject" || action === "fail",
      input,
      run: async (reason) => {
        await runAction(report, t, t(`action.${action}`), name, () =>
          withdrawalAction(client, action, withdrawal.id, reason),
        );
        setPending(null);
        reload();
      },
    });
  };

  const permissionRefused = load.kind === "failed" && load.failure.kind === "permission";
  return (
    <Box display="flex" flexDirection="column" gap={4} data-testid="withdrawals-tab">
      {permissionRefused ? null : (
        <Box display="flex" gap={2} flexWrap="wrap" role="tablist" data-testid="withdrawal-statuses">
          {WITHDRAWAL_VIEWS.map((view) => {
            const total = totalsOf.get(view);
            return (
              <Button
                key={view}
                role="tab"
                aria-selected={status === view}
                variant={status === view ? "primary" : "secondary"}
                size="small"
                onClick={() => setStatus(view)}
                data-testid={`wstatus-${view}`}
              >
                {t(`wstatus.${view}`)}
                {total ? ` · ${t("wtotal", { count: total.count, amount: formatTotals(total.amounts) })}` : ""}
              </Button>
            );
          })}
        </Box>
      )}
      {status === "REQUESTED" && totalsOf.get("REQUESTED") ? (
        <Box>
          <Chip size="large" data-testid="requested-total">
            {t("withdrawals.waiting", {
              count: totalsOf.get("REQUESTED")!.count,
              amount: formatTotals(totalsOf.get("REQUESTED")!.amounts),
            })}
          </Chip>
        </Box>
      ) : null}

      <ListState
        load={load}
        onRetry={reload}
        empty={{
          title: t(status === "REQUESTED" ? "empty.withdrawals.REQUESTED" : "empty.withdrawals.other"),
          text: t("empty.withdrawals.text"),
        }}
      />
      {load.kind === "ready" && load.data.page.rows.length > 0 ? (
        <>
          <table className="wd-table" data-testid="withdrawals">
            <thead>
              <tr>
                <th>{t("table.distributor")}</th>
                <th>{t("table.amount")}</th>
                <th className="wd-col-wide">{t("table.requested")}</th>
                <th>{t("table.status")}</th>
                <th className="wd-col-actions">{t("table.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {load.data.page.rows.map((withdrawal) => (
                <tr key={withdrawal.id} data-testid="withdrawal-row" data-name={withdrawal.distributor?.displayName ?? ""}>
                  <td>
                    <Text fontWeight="medium" display="block">
                      {withdrawal.distributor?.displayName ?? "—"}
                    </Text>
                    <Text size={2} color="default2" display="block">
                      {withdrawal.distributor?.referralCode} · {withdrawal.outBillNo}
                    </Text>
                    <Text size={2} color="default2" display="block" className="wd-narrow-only">
                      {formatDateTime(withdrawal.requestedAt, locale)}
                    </Text>
                  </td>
                  <td>
                    <Text fontWeight="medium">{formatMoney(withdrawal.amount)}</Text>
                  </td>
                  <td className="wd-col-wide">{formatDateTime(withdrawal.requestedAt, locale)}</td>
                  <td>
                    <Text display="block">{t(`wstatus.${withdrawal.status}`)}</Text>
                    {withdrawal.failReason ? (
                      <Text size={2} color="default2" display="block" data-testid="fail-reason">
                        {withdrawal.failReason}
                      </Text>
                    ) : null}
                    {withdrawal.status === "FAILED" ? (
                      <Text size={2} color="default2" display="block">
                        {t("withdrawals.failedNote")}
                      </Text>
                    ) : null}
                  </td>
                  <td className="wd-col-actions">
                    <Box display="flex" gap={2} justifyContent="flex-end" flexWrap="wrap">
                      {withdrawal.status === "REQUESTED" ? (
                        <>
                          <Button size="small" onClick={() => ask("approve", withdrawal)} data-testid="approve">
                            {t("action.approve")}
                          </Button>
                          <Button size="small" variant="secondary" onClick={() => ask("reject", withdrawal)} data-testid="reject">
                            {t("action.reject")}
                          </Button>
                        </>
                      ) : null}
                      {ON_THE_WAY.includes(withdrawal.status) ? (
                        <>
                          <Button size="small" onClick={() => ask("retry", withdrawal)} data-testid="retry-payout">
                            {t("action.retry")}
                          </Button>
                          <Button size="small" variant="secondary" onClick={() => ask("fail", withdrawal)} data-testid="fail-payout">
                            {t("action.fail")}
                          </Button>
                        </>
                      ) : null}
                    </Box>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={load.data.page} index={index} onNext={next} onPrevious={previous} />
        </>
      ) : null}
      <ActionDialog action={pending} onClose={() => setPending(null)} />
    </Box>
  );
}
