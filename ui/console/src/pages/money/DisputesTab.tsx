/**
 * Disputes (购买纠纷) by status: the order, who it belongs to, the commissions it holds, why; an open one
 * is resolved by releasing the commissions or reversing them with the refund.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useCallback, useState } from "react";

import { useDashboard } from "../../app/dashboard";
import { useClient, useT } from "../../app/hooks";
import { formatDateTime } from "../../app/i18n";
import { ActionDialog, type PendingAction } from "./ActionDialog";
import { type Dispute, type DisputeStatus, DISPUTE_STATUSES, fetchDisputes, resolveDispute } from "./api";
import { formatMoney } from "./format";
import { type Report, runAction } from "./actions";
import { messages } from "./messages";
import { ListState, Pager, usePaged } from "./paging";

const NOTE_MAX = 500;

export function DisputesTab({ report }: { report: Report }) {
  const t = useT(messages);
  const client = useClient();
  const { locale } = useDashboard();
  const [status, setStatus] = useState<DisputeStatus>("OPEN");
  const [pending, setPending] = useState<PendingAction | null>(null);
  const fetch = useCallback((after: string | null) => fetchDisputes(client, status, after).then((page) => ({ page })), [client, status]);
  const { load, reload, next, previous, index } = usePaged(status, fetch);

  const ask = (resolution: "RELEASE" | "REVERSE", dispute: Dispute) => {
    const order = dispute.attribution?.orderNumber || dispute.orderId;
    const action = resolution === "RELEASE" ? "release" : "reverse";
    setPending({
      title: t(`confirm.${action}.title`, { order }),
      text: t(`confirm.${action}.text`),
      confirmLabel: t(`action.${action}`),
      destructive: resolution === "REVERSE",
      input: { kind: "note", max: NOTE_MAX },
      run: async (note) => {
        await runAction(report, t, t(`action.${action}`), order, () =>
          resolveDispute(client, dispute.id, resolution, note),
        );
        setPending(null);
        reload();
      },
    });
  };

  const permissionRefused = load.kind === "failed" && load.failure.kind === "permission";
  return (
    <Box display="flex" flexDirection="column" gap={4} data-testid="disputes-tab">
      {permissionRefused ? null : (
        <Box display="flex" gap={2} flexWrap="wrap" role="tablist">
          {DISPUTE_STATUSES.map((view) => (
            <Button
              key={view}
              role="tab"
              size="small"
              aria-selected={status === view}
              variant={status === view ? "primary" : "secondary"}
              onClick={() => setStatus(view)}
              data-testid={`dstatus-${view}`}
            >
              {t(`dstatus.${view}`)}
              {status === view && load.kind === "ready" ? ` · ${load.data.page.totalCount}` : ""}
            </Button>
          ))}
        </Box>
      )}
      <ListState
        load={load}
        onRetry={reload}
        empty={{
          title: t(status === "OPEN" ? "empty.disputes.OPEN" : "empty.disputes.other"),
          text: t("empty.disputes.text"),
        }}
      />
      {load.kind === "ready" && load.data.page.rows.length > 0 ? (
        <>
          <table className="wd-table" data-testid="disputes">
            <thead>
              <tr>
                <th>{t("table.order")}</th>
                <th>{t("table.distributor")}</th>
                <th>{t("table.held")}</th>
                <th className="wd-col-wide">{t("table.reason")}</th>
                <th className="wd-col-actions">{t("table.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {load.data.page.rows.map((dispute) => (
                <tr key={dispute.id} data-testid="dispute-row" data-order={dispute.orderId}>
                  <td>
                    <Text display="block" fontWeight="medium">
                      {dispute.attribution?.orderNumber ? `#${dispute.attribution.orderNumber}` : dispute.orderId}
                    </Text>
                    <Text size={2} color="default2" display="block">
                      {t("table.opened")} {formatDateTime(dispute.openedAt, locale)}
                    </Text>
                    <Text size={2} color="default2" display="block" className="wd-narrow-only">
                      {dispute.reason}
                    </Text>
                  </td>
                  <td>
                    {dispute.attribution?.distributor ? (
                      <>
                        <Text display="block">{dispute.attribution.distributor.displayName}</Text>
                        <Text size={2} color="default2" display="block">
                          {dispute.attribution.distributor.referralCode}
                        </Text>
                      </>
                    ) : (
                      <Text color="default2">{t("table.nobody")}</Text>
                    )}
                  </td>
                  <td>
                    {dispute.commissions
                      .filter((commission) => commission.status !== "CANCELLED")
                      .map((commission, position) => (
                        <Text key={position} size={3} display="block">
                          {t(`level.${commission.level}` as "level.1")} · {commission.distributor?.displayName ?? "—"} ·{" "}
                          {formatMoney(commission.amount)} · {t(`cstatus.${commission.status}`)}
                        </Text>
                      ))}
                  </td>
                  <td className="wd-col-wide">{dispute.reason}</td>
                  <td className="wd-col-actions">
                    {dispute.status === "OPEN" ? (
                      <Box display="flex" gap={2} justifyContent="flex-end" flexWrap="wrap">
                        <Button size="small" onClick={() => ask("RELEASE", dispute)} data-testid="release">
                          {t("action.release")}
                        </Button>
                        <Button size="small" variant="secondary" onClick={() => ask("REVERSE", dispute)} data-testid="reverse">
                          {t("action.reverse")}
                        </Button>
                      </Box>
                    ) : (
                      <Text size={2} color="default2">
                        {t(`dstatus.${dispute.status}`)} {dispute.resolvedAt ? formatDateTime(dispute.resolvedAt, locale) : ""}
                      </Text>
                    )}
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
