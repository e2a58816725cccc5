/**
 * Where WeChat sends the account's administrator back after the Open Platform authorization (the link's
 * ``redirect_uri``: this page with ``authorizedStorefront`` and WeChat's ``auth_code``). It runs outside the
 * dashboard (no token): it hands the code to the console tab that opened the link, which completes the
 * binding with its own token (``storefrontAccountAuthorizationComplete``).
 */
import { Box, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";

import { useT } from "../../app/hooks";
import { messages } from "./messages";

export const AUTHORIZATION_MESSAGE = "wd-authorization";

const params = new URLSearchParams(window.location.search);

/** This URL is the return of an authorization (not a console page in the dashboard). */
export function isAuthorizationReturn(): boolean {
  return params.has("authorizedStorefront") && params.has("auth_code");
}

export function AuthorizationReturn() {
  const t = useT(messages);
  const [handed, setHanded] = useState<boolean | null>(null);
  useEffect(() => {
    const opener = window.opener as Window | null;
    if (!opener) {
      setHanded(false);
      return;
    }
    opener.postMessage(
      { type: AUTHORIZATION_MESSAGE, storefront: params.get("authorizedStorefront"), authCode: params.get("auth_code") },
      window.location.origin,
    );
    setHanded(true);
  }, []);
  return (
    <Box data-testid="authorization-return" display="flex" flexDirection="column" gap={3} padding={8}>
      <Text as="h1" size={8} fontWeight="bold">
        {t("return.title")}
      </Text>
      {handed === true ? <Text data-testid="return-handed">{t("return.handed")}</Text> : null}
      {handed === false ? <Text data-testid="return-lost">{t("return.lost")}</Text> : null}
    </Box>
  );
}
