/**
 * The order page's widget (ORDER_DETAILS_WIDGETS): who the order belongs to and on what evidence, the
 * policy applied, its commissions, any dispute, the reassignment history, and the reassign action.
 * The dashboard passes the order in the iframe's URL (``?orderId=<Saleor's global id>``).
 */
import { Box, Button, Input, Text, Textarea } from "@saleor/macaw-ui";
import { type ReactNode, useCallback, useEffect, useState } from "react";

import { useDashboard } from "../../app/dashboard";
import { useClient, useT } from "../../app/hooks";
import { formatDateTime } from "../../app/i18n";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Empty, Failure, LoadingRows } from "../../components/states";
import { formatMoney } from "../money/format";
import { asFailure, type Load } from "../money/paging";
import { type Attribution, fetchAttribution, reassign } from "./api";
import { messages } from "./messages";

const REASON_MAX = 500;
const orderId = new URLSearchParams(window.location.search).get("orderId") ?? "";

function Section({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <Box display="flex" flexDirection="column" gap={1} data-testid={testId}>
      <Text size={2} fontWeight="medium" color="default2" textTransform="uppercase">
        {title}
      </Text>
      {children}
    </Box>
  );
}

export default function OrderWidget() {
  const t = useT(messages);
  const client = useClient();
  const { locale, notify } = useDashboard();
  const [load, setLoad] = useState<Load<Attribution | null>>({ kind: "loading" });
  const [reloads, setReloads] = useState(0);
  const [dialog, setDialog] = useState(false);
  const [code, setCode] = useState("");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    if (!orderId) return undefined;
    let current = true;
    setLoad({ kind: "loading" });
    fetchAttribution(client, orderId).then(
      (data) => current && setLoad({ kind: "ready", data }),
      (error: unknown) => current && setLoad({ kind: "failed", failure: asFailure(error) }),
    );
    return () => {
      current = false;
    };
  }, [client, reloads]);

  const submit = useCallback(async () => {
    setBusy(true);
    try {
      const refused = await reassign(client, orderId, code.trim(), reason.trim());
      const next = refused
        ? { ok: false, text: t("reassign.refused", { message: refused }) }
        : { ok: true, text: t("reassign.done", { code: code.trim() }) };
      setMessage(next);
      notify(next.ok ? "success" : "warning", next.text);
      if (!refused) {
        setDialog(false);
        setReloads((n) => n + 1);
      }
    } catch (error) {
      setMessage({ ok: false, text: t("reassign.refused", { message: asFailure(error).message }) });
    } finally {
      setBusy(false);
    }
  }, [client, code, reason, notify, t]);

  if (!orderId) return <Empty title={t("empty.noOrder")} text={t("empty.noOrder.text")} />;
  if (load.kind === "loading") return <LoadingRows rows={4} />;
  if (load.kind === "failed") return <Failure failure={load.failure} permission="MANAGE_ORDERS" onRetry={() => setReloads((n) => n + 1)} />;
  const attribution = load.data;
  if (!attribution) return <Empty title={t("empty.none")} text={t("empty.none.text")} />;
  const policy = attribution.policy;
  const order = attribution.orderNumber ? `#${attribution.orderNumber}` : attribution.orderId;
  return (
    <Box display="flex" flexDirection="column" gap={4} data-testid="order-widget">
      <Section title={t("distributor")} testId="widget-distributor">
        {attribution.distributor ? (
          <Box display="flex" alignItems="baseline" gap={2} flexWrap="wrap">
            <Text size={5} fontWeight="bold">
              {attribution.distributor.displayName}
            </Text>
            <Text color="default2">{attribution.distributor.referralCode}</Text>
          </Box>
        ) : (
          <Text>{t("nobody")}</Text>
        )}
        {attribution.noCommissionReason ? (
          <Text size={2} color="default2">
            {t(`noCommission.${attribution.noCommissionReason}` as "noCommission.self_purchase")}
          </Text>
        ) : null}
      </Section>

      <Section title={t("evidence")} testId="widget-evidence">
        {attribution.source ? <Text>{t(`source.${attribution.source}` as "source.LINK")}</Text> : null}
        <Text size={2} color="default2">
          {[
            attribution.code ? t("evidence.code", { code: attribution.code }) : null,
            attribution.appId ? t("evidence.app", { app: attribution.appId }) : null,
            t("evidence.decided", { when: formatDateTime(attribution.decidedAt, locale) }),
          ]
            .filter(Boolean)
            .join(" · ")}
        </Text>
      </Section>

      <Section title={t("policy", { version: attribution.policyVersion })} testId="widget-policy">
        <Text size={2}>
          {[
            policy.trigger ? t(`policy.trigger.${policy.trigger}` as "policy.trigger.first_click") : null,
            policy.validityDays ? t("policy.validity", { days: policy.validityDays }) : t("policy.forever"),
            policy.commissionDepth ? t("policy.depth", { depth: policy.commissionDepth }) : null,
          ]
            .filter(Boolean)
            .join(" · ")}
        </Text>
      </Section>

      <Section title={t("commissions")} testId="widget-commissions">
        {attribution.commissions.length === 0 ? <Text color="default2">{t("commissions.none")}</Text> : null}
        {attribution.commissions.map((commission) => (
          <Box key={commission.id} display="flex" gap={2} alignItems="center" flexWrap="wrap" data-testid="widget-commission">
            <Text size={3} fontWeight="medium">
              {t("level", { level: commission.level })}
            </Text>
            <Text size={3}>{commission.distributor?.displayName ?? "—"}</Text>
            <Text size={3} fontWeight="medium">
              {formatMoney(commission.amount)}
            </Text>
            <Text size={2} color="default2">
              {t(`status.${commission.status}` as "status.PENDING")}
            </Text>
            {commission.holdReason ? (
              <Text size={2} color="warning1" fontWeight="medium" data-testid="widget-hold">
                {t(`hold.${commission.holdReason}` as "hold.dispute")}
              </Text>
            ) : null}
          </Box>
        ))}
      </Section>

      {attribution.dispute ? (
        <Section title={t("dispute")} testId="widget-dispute">
          <Text size={3}>
            {t(`dispute.${attribution.dispute.status}` as "dispute.OPEN", { reason: attribution.dispute.reason })}
          </Text>
        </Section>
      ) : null}

      {attribution.changes.length ? (
        <Section title={t("history")} testId="widget-history">
          {attribution.changes.map((change, index) => (
            <Text key={index} size={2} color="default2">
              {t("history.item", {
                when: formatDateTime(change.createdAt, locale),
                from: change.fromDistributor?.displayName ?? t("nobody"),
                to: change.toDistributor?.displayName ?? t("nobody"),
                actor: change.actor,
                reason: change.reason,
              })}
            </Text>
          ))}
        </Section>
      ) : null}

      {message ? (
        <Text size={3} color={message.ok ? "success1" : "critical1"} data-testid="widget-message" role="status">
          {message.text}
        </Text>
      ) : null}
      <Box>
        <Button
          variant="secondary"
          onClick={() => {
            setCode("");
            setReason("");
            setMessage(null);
            setDialog(true);
          }}
          data-testid="reassign"
        >
          {t("reassign")}
        </Button>
      </Box>
      <ConfirmDialog
        open={dialog}
        title={t("reassign.title", { order })}
        confirmLabel={t("reassign")}
        destructive
        busy={busy}
        confirmDisabled={!code.trim() || !reason.trim() || reason.length > REASON_MAX}
        onConfirm={submit}
        onClose={() => (busy ? undefined : setDialog(false))}
      >
        <Text>{t("reassign.text")}</Text>
        <Input label={t("reassign.code")} value={code} onChange={(e) => setCode(e.target.value)} data-testid="reassign-code" />
        <Textarea
          label={t("reassign.reason")}
          value={reason}
          rows={2}
          helperText={t("reassign.reasonHelp", { max: REASON_MAX })}
          onChange={(e) => setReason(e.target.value)}
          data-testid="reassign-reason"
        />
        {message && !message.ok ? (
          <Text size={3} color="critical1" data-testid="reassign-error">
            {message.text}
          </Text>
        ) : null}
      </ConfirmDialog>
    </Box>
  );
}
