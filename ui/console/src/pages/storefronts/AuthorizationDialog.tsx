/** A storefront's Open Platform authorization link: asked from WeChat when the dialog opens (a pre-auth code
 * lives about 30 minutes), shown to copy and send, or opened in a new tab. */
import { Input, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";

import type { GraphQLClient } from "../../app/graphql";
import { useT } from "../../app/hooks";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { asFailure } from "../../components/keysetPaging";
import { authorizationUrl, type StorefrontRow } from "./api";
import { messages } from "./messages";

type LinkState = { kind: "loading" } | { kind: "ready"; url: string } | { kind: "failed"; message: string };

/** Where WeChat sends the administrator back (with ``auth_code``): this console page. */
export function returnAddress(storefront: StorefrontRow): string {
  const here = new URL(window.location.href);
  return `${here.origin}${here.pathname}?authorizedStorefront=${encodeURIComponent(storefront.id)}`;
}

export function AuthorizationDialog({
  storefront,
  client,
  onClose,
}: {
  storefront: StorefrontRow | null;
  client: GraphQLClient;
  onClose: () => void;
}) {
  const t = useT(messages);
  const [link, setLink] = useState<LinkState>({ kind: "loading" });
  useEffect(() => {
    if (!storefront) return undefined;
    let current = true;
    setLink({ kind: "loading" });
    authorizationUrl(client, storefront.id, returnAddress(storefront)).then(
      ({ url, error }) => {
        if (!current) return;
        setLink(url ? { kind: "ready", url } : { kind: "failed", message: error?.message ?? error?.code ?? "" });
      },
      (caught: unknown) => {
        if (current) setLink({ kind: "failed", message: asFailure(caught).message });
      },
    );
    return () => {
      current = false;
    };
  }, [storefront, client]);
  if (!storefront) return null;

  return (
    <ConfirmDialog
      open
      title={t("link.title", { title: storefront.title })}
      confirmLabel={t("link.open")}
      confirmDisabled={link.kind !== "ready"}
      onConfirm={() => {
        if (link.kind === "ready") window.open(link.url, "_blank");
      }}
      onClose={onClose}
    >
      <Text>{t("link.text")}</Text>
      {link.kind === "loading" ? (
        <Text color="default2" data-testid="link-loading">
          {t("link.loading")}
        </Text>
      ) : null}
      {link.kind === "ready" ? (
        <Input
          label={t("action.authorize")}
          value={link.url}
          readOnly
          onFocus={(event) => event.target.select()}
          data-testid="authorization-url"
        />
      ) : null}
      {link.kind === "failed" ? (
        <Text color="critical1" data-testid="link-error">
          {link.message}
        </Text>
      ) : null}
    </ConfirmDialog>
  );
}
