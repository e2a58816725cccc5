/**
 * The states every view shows besides its data: loading, empty, error (with retry), a refusal (missing
 * permission), and the console-wide ones (outside the dashboard, waiting for it, page missing).
 */
import { Box, Button, Skeleton, Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

import { config, useT } from "../app/hooks";
import type { GraphQLFailure } from "../app/graphql";
import { common } from "../app/messages";

function Panel({ testId, title, children }: { testId: string; title: ReactNode; children?: ReactNode }) {
  return (
    <Box
      data-testid={testId}
      role="status"
      display="flex"
      flexDirection="column"
      gap={3}
      padding={8}
      borderStyle="solid"
      borderWidth={1}
      borderColor="default1"
      borderRadius={4}
      backgroundColor="default1"
      alignItems="flex-start"
    >
      <Text as="h2" size={6} fontWeight="bold">
        {title}
      </Text>
      {children}
    </Box>
  );
}

export function LoadingRows({ rows = 5 }: { rows?: number }) {
  const t = useT(common);
  return (
    <Box data-testid="state-loading" aria-busy="true" aria-label={t("state.loading")} display="flex" flexDirection="column" gap={3} paddingY={4}>
      {Array.from({ length: rows }, (_, index) => (
        <Skeleton key={index} height={10} />
      ))}
    </Box>
  );
}

export function Empty({ title, text }: { title: string; text?: string }) {
  return (
    <Panel testId="state-empty" title={title}>
      {text ? <Text color="default2">{text}</Text> : null}
    </Panel>
  );
}

/** A failed request: a refusal for a missing permission, else an error with "try again". */
export function Failure({
  failure,
  permission,
  onRetry,
}: {
  failure: GraphQLFailure;
  permission: "MANAGE_USERS" | "MANAGE_ORDERS" | "MANAGE_DISCOUNTS" | "MANAGE_PLUGINS";
  onRetry: () => void;
}) {
  const t = useT(common);
  if (failure.kind === "permission") {
    return (
      <Panel testId="state-refusal" title={t("state.refusal.title")}>
        <Text>{t("state.refusal.text", { permission: t(`perm.${permission}`), code: permission })}</Text>
      </Panel>
    );
  }
  const text =
    failure.kind === "network"
      ? t("state.error.network")
      : failure.kind === "auth"
        ? t("state.error.auth")
        : t("state.error.server", { detail: failure.message });
  return (
    <Panel testId="state-error" title={t("state.error.title")}>
      <Text>{text}</Text>
      <Button variant="secondary" onClick={onRetry} data-testid="retry">
        {t("state.retry")}
      </Button>
    </Panel>
  );
}

export function OutsideDashboard() {
  const t = useT(common);
  const here = new URL(window.location.href);
  return (
    <Panel testId="state-outside" title={t("state.outside.title")}>
      <Text>{t("state.outside.text")}</Text>
      {config.dashboardUrl ? (
        <a href={`${config.dashboardUrl}?page=${encodeURIComponent(config.page)}${here.hash}`}>
          {t("state.outside.sandbox")}
        </a>
      ) : null}
    </Panel>
  );
}

export function WaitingForDashboard() {
  const t = useT(common);
  return (
    <Box data-testid="state-waiting" padding={8}>
      <Text color="default2">{t("state.waiting")}</Text>
    </Box>
  );
}

export function DashboardTimeout() {
  const t = useT(common);
  return (
    <Panel testId="state-timeout" title={t("state.timeout.title")}>
      <Text>{t("state.timeout.text")}</Text>
    </Panel>
  );
}

/** The host cannot serve our API to the console (``ConsoleConfig.unavailable`` says why, as a code). */
export function Unavailable({ reason }: { reason: string }) {
  const t = useT(common);
  const text = reason === "no_active_channel" ? t("state.unavailable.noActiveChannel") : reason;
  return (
    <Panel testId="state-unavailable" title={t("state.unavailable.title")}>
      <Text>{text}</Text>
    </Panel>
  );
}

export function PageNotFound() {
  const t = useT(common);
  return <Panel testId="state-not-found" title={t("state.notFound.title")} />;
}
