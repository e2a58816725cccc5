/** The confirmation of a voucher's action: sync, attach a stock (its id), link a legacy card (app id, card id).
 * A refusal of the server stays in the dialog, under the field it is about. */
import { Box, Input, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";

import type { MutationError } from "../../app/graphql";
import { useT } from "../../app/hooks";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import type { CouponVoucher } from "./api";
import { messages } from "./messages";

export type VoucherAction = "sync" | "attach" | "link";

export interface ActionValues {
  stockId: string;
  appId: string;
  cardId: string;
}

export function ActionDialog({
  action,
  voucher,
  busy,
  error,
  defaultAppId,
  onConfirm,
  onClose,
}: {
  action: VoucherAction | null;
  voucher: CouponVoucher | null;
  busy: boolean;
  error: MutationError | null;
  defaultAppId: string;
  onConfirm: (values: ActionValues) => void;
  onClose: () => void;
}) {
  const t = useT(messages);
  const [values, setValues] = useState<ActionValues>({ stockId: "", appId: defaultAppId, cardId: "" });
  useEffect(() => setValues({ stockId: "", appId: defaultAppId, cardId: "" }), [action, voucher, defaultAppId]);
  if (!action || !voucher) return null;

  const name = voucher.name || voucher.voucherId;
  const set = (key: keyof ActionValues) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [key]: event.target.value }));
  const fieldError = (field: string) => (error && error.field === field ? error.message ?? error.code : undefined);
  const general = error && !["stockId", "appId", "cardId"].includes(error.field ?? "") ? error.message ?? error.code : null;

  const titles = { sync: "confirm.sync.title", attach: "confirm.attach.title", link: "confirm.link.title" } as const;
  const texts = { sync: "confirm.sync.text", attach: "confirm.attach.text", link: "confirm.link.text" } as const;
  const labels = { sync: "action.sync", attach: "action.attach", link: "action.link" } as const;
  const missing =
    (action === "attach" && !values.stockId.trim()) || (action === "link" && (!values.appId.trim() || !values.cardId.trim()));
  return (
    <ConfirmDialog
      open
      title={t(titles[action], { name })}
      confirmLabel={t(labels[action])}
      busy={busy}
      confirmDisabled={missing}
      onConfirm={() => onConfirm(values)}
      onClose={onClose}
    >
      <Text>{t(texts[action])}</Text>
      {action === "attach" ? (
        <Input
          label={t("confirm.attach.stockId")}
          value={values.stockId}
          onChange={set("stockId")}
          error={Boolean(fieldError("stockId"))}
          helperText={fieldError("stockId")}
          data-testid="stock-id"
        />
      ) : null}
      {action === "link" ? (
        <Box display="flex" flexDirection="column" gap={3}>
          <Input
            label={t("confirm.link.appId")}
            value={values.appId}
            onChange={set("appId")}
            error={Boolean(fieldError("appId"))}
            helperText={fieldError("appId")}
            data-testid="app-id"
          />
          <Input
            label={t("confirm.link.cardId")}
            value={values.cardId}
            onChange={set("cardId")}
            error={Boolean(fieldError("cardId"))}
            helperText={fieldError("cardId")}
            data-testid="card-id"
          />
        </Box>
      ) : null}
      {general ? (
        <Text color="critical1" data-testid="action-error">
          {general}
        </Text>
      ) : null}
    </ConfirmDialog>
  );
}
