/** The confirmation of an approval or rejection (one applicant or many); a rejection asks for a reason. */
import { Text, Textarea } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";

import { useT } from "../../app/hooks";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { messages } from "./messages";

export interface Decision {
  action: "approve" | "reject";
  ids: string[];
}

/** The server's limit (``REASON_MAX_LENGTH`` of the status mutations). */
export const REASON_MAX_LENGTH = 500;
const NAMES_SHOWN = 5;

export function DecisionDialog({
  decision,
  names,
  busy,
  onConfirm,
  onClose,
}: {
  decision: Decision | null;
  names: string[];
  busy: boolean;
  onConfirm: (decision: Decision, reason: string) => void;
  onClose: () => void;
}) {
  const t = useT(messages);
  const [reason, setReason] = useState("");
  useEffect(() => setReason(""), [decision]);
  if (!decision) return null;

  const many = decision.ids.length > 1;
  const name = names[0] ?? "";
  const listed = names.slice(0, NAMES_SHOWN).join("、") + (names.length > NAMES_SHOWN ? "…" : "");
  const tooLong = reason.length > REASON_MAX_LENGTH;
  if (decision.action === "approve") {
    return (
      <ConfirmDialog
        open
        title={many ? t("confirm.approveMany.title", { count: names.length }) : t("confirm.approve.title", { name })}
        confirmLabel={many ? t("bulk.approve", { count: names.length }) : t("action.approve")}
        busy={busy}
        onConfirm={() => onConfirm(decision, "")}
        onClose={onClose}
      >
        <Text>{many ? t("confirm.approveMany.text", { names: listed }) : t("confirm.approve.text", { name })}</Text>
      </ConfirmDialog>
    );
  }
  return (
    <ConfirmDialog
      open
      destructive
      title={many ? t("confirm.rejectMany.title", { count: names.length }) : t("confirm.reject.title", { name })}
      confirmLabel={many ? t("bulk.reject", { count: names.length }) : t("action.reject")}
      busy={busy}
      confirmDisabled={!reason.trim() || tooLong}
      onConfirm={() => onConfirm(decision, reason.trim())}
      onClose={onClose}
    >
      <Text>{t("confirm.reject.text")}</Text>
      {many ? <Text color="default2">{listed}</Text> : null}
      <Textarea
        label={t("confirm.reason")}
        value={reason}
        rows={3}
        error={tooLong}
        helperText={
          tooLong ? t("confirm.reasonTooLong", { max: REASON_MAX_LENGTH }) : t("confirm.reasonHelp", { max: REASON_MAX_LENGTH })
        }
        onChange={(event) => setReason(event.target.value)}
        data-testid="reject-reason"
      />
    </ConfirmDialog>
  );
}
