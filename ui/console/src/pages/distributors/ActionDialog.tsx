/** The confirmation of suspend / reactivate / move; a move picks the new upline (or the brand) first. */
import { Box, Input, Text, Textarea } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";

import { useClient, useT } from "../../app/hooks";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { type Action, type Candidate, searchUplines } from "./areaApi";
import { areaMessages } from "./areaMessages";
import { useDebounced } from "./areaShared";

/** The server's limit (``REASON_MAX_LENGTH`` of the status mutations). */
const REASON_MAX_LENGTH = 500;
const TOP = "top";

export function ActionDialog({
  action,
  name,
  teamSize,
  selfId,
  busy,
  onConfirm,
  onClose,
}: {
  action: Action | null;
  name: string;
  teamSize: number;
  selfId: string;
  busy: boolean;
  onConfirm: (extra: { reason?: string; newParentId?: string | null }) => void;
  onClose: () => void;
}) {
  const t = useT(areaMessages);
  const client = useClient();
  const [reason, setReason] = useState("");
  const [search, setSearch] = useState("");
  const term = useDebounced(search, 300);
  const [candidates, setCandidates] = useState<Candidate[]>([]);
  const [picked, setPicked] = useState<string | null>(null);
  useEffect(() => {
    setReason("");
    setSearch("");
    setPicked(null);
  }, [action]);
  useEffect(() => {
    if (action !== "move") return undefined;
    let current = true;
    searchUplines(client, term).then(
      (found) => current && setCandidates(found.filter((c) => c.id !== selfId)),
      () => current && setCandidates([]),
    );
    return () => {
      current = false;
    };
  }, [client, action, term, selfId]);
  if (!action) return null;

  if (action === "move") {
    const target = picked === TOP ? t("confirm.move.top") : candidates.find((c) => c.id === picked)?.displayName;
    return (
      <ConfirmDialog
        open
        title={t("confirm.move.title", { name })}
        confirmLabel={target ? t("confirm.move.to", { name: target }) : t("action.move")}
        busy={busy}
        confirmDisabled={picked === null}
        onConfirm={() => onConfirm({ newParentId: picked === TOP ? null : picked })}
        onClose={onClose}
      >
        <Text>{t("confirm.move.text", { name, count: teamSize })}</Text>
        <Input
          label={t("confirm.move.search")}
          placeholder={t("confirm.move.placeholder")}
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          data-testid="move-search"
        />
        <Box display="flex" flexDirection="column" gap={1} data-testid="move-candidates" __maxHeight="240px" overflowY="auto">
          {[{ id: TOP, displayName: t("confirm.move.top"), referralCode: "", level: 0 }, ...candidates].map((c) => (
            <label key={c.id} className="wd-choice">
              <input
                type="radio"
                name="upline"
                checked={picked === c.id}
                onChange={() => setPicked(c.id)}
                data-testid="move-candidate"
                data-name={c.displayName}
              />
              <span>
                {c.displayName}
                {c.referralCode ? ` · ${c.referralCode} · ${t("detail.levelN", { level: c.level })}` : ""}
              </span>
            </label>
          ))}
        </Box>
        {picked === null ? <Text color="default2">{t("confirm.move.pick")}</Text> : null}
      </ConfirmDialog>
    );
  }
  if (action === "reactivate") {
    return (
      <ConfirmDialog
        open
        title={t("confirm.reactivate.title", { name })}
        confirmLabel={t("action.reactivate")}
        busy={busy}
        onConfirm={() => onConfirm({})}
        onClose={onClose}
      >
        <Text>{t("confirm.reactivate.text", { name })}</Text>
      </ConfirmDialog>
    );
  }
  const tooLong = reason.length > REASON_MAX_LENGTH;
  return (
    <ConfirmDialog
      open
      destructive
      title={t("confirm.suspend.title", { name })}
      confirmLabel={t("action.suspend")}
      busy={busy}
      confirmDisabled={tooLong}
      onConfirm={() => onConfirm({ reason: reason.trim() })}
      onClose={onClose}
    >
      <Text>{t("confirm.suspend.text", { name })}</Text>
      <Textarea
        label={t("confirm.reason")}
        value={reason}
        rows={3}
        error={tooLong}
        helperText={t("confirm.reasonHelp")}
        onChange={(event) => setReason(event.target.value)}
        data-testid="suspend-reason"
      />
    </ConfirmDialog>
  );
}
