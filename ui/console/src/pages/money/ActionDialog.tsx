/** The confirmation of a money action: what will happen, and a reason (required) or a note (optional). */
import { Text, Textarea } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";

import { useT } from "../../app/hooks";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { messages } from "./messages";

export interface PendingAction {
  title: string;
  text: string;
  confirmLabel: string;
  destructive?: boolean;
  /** "reason": required text (shown to the distributor); "note": optional; none: no text */
  input?: { kind: "reason" | "note"; max: number };
  run: (text: string) => Promise<void>;
}

export function ActionDialog({ action, onClose }: { action: PendingAction | null; onClose: () => void }) {
  const t = useT(messages);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => setText(""), [action]);
  if (!action) return null;
  const input = action.input;
  const tooLong = input ? text.length > input.max : false;
  const missing = input?.kind === "reason" && !text.trim();
  const confirm = async () => {
    setBusy(true);
    try {
      await action.run(text.trim());
    } finally {
      setBusy(false);
    }
  };
  return (
    <ConfirmDialog
      open
      title={action.title}
      confirmLabel={action.confirmLabel}
      destructive={action.destructive}
      busy={busy}
      confirmDisabled={missing || tooLong}
      onConfirm={confirm}
      onClose={() => (busy ? undefined : onClose())}
    >
      <Text>{action.text}</Text>
      {input ? (
        <Textarea
          label={t(input.kind === "reason" ? "confirm.reason" : "confirm.note")}
          value={text}
          rows={3}
          error={tooLong}
          helperText={
            tooLong
              ? t("confirm.tooLong", { max: input.max })
              : input.kind === "reason"
                ? t("confirm.reasonHelp", { max: input.max })
                : t("confirm.noteHelp")
          }
          onChange={(event) => setText(event.target.value)}
          data-testid="action-text"
        />
      ) : null}
    </ConfirmDialog>
  );
}
