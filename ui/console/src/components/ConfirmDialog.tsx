/** A confirmation before an action that changes data (macaw's Modal, Saleor's dialog look). */
import { Box, Button, Modal, Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

import { useT } from "../app/hooks";
import { common } from "../app/messages";

export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  destructive = false,
  busy = false,
  confirmDisabled = false,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  destructive?: boolean;
  busy?: boolean;
  confirmDisabled?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const t = useT(common);
  return (
    <Modal open={open} onChange={(next) => (next ? undefined : onClose())}>
      <Modal.Content>
        <Box
          data-testid="confirm-dialog"
          role="dialog"
          aria-label={title}
          backgroundColor="default1"
          borderRadius={4}
          boxShadow="defaultModal"
          padding={6}
          display="flex"
          flexDirection="column"
          gap={4}
          __width="min(480px, calc(100vw - 32px))"
          __left="50%"
          __top="50%"
          __transform="translate(-50%, -50%)"
          position="fixed"
        >
          <Text as="h2" size={6} fontWeight="bold">
            {title}
          </Text>
          {children}
          <Box display="flex" justifyContent="flex-end" gap={2}>
            <Button variant="secondary" onClick={onClose} disabled={busy} data-testid="confirm-cancel">
              {t("confirm.cancel")}
            </Button>
            <Button
              variant={destructive ? "error" : "primary"}
              onClick={onConfirm}
              disabled={busy || confirmDisabled}
              data-testid="confirm-ok"
            >
              {confirmLabel}
            </Button>
          </Box>
        </Box>
      </Modal.Content>
    </Modal>
  );
}
