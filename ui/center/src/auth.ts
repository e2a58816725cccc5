/**
 * Signing in: inside WeChat (or the sandbox's simulated WeChat) through web authorization on the
 * storefront's Official Account, silently (`snsapi_base`), or asking for the nickname (`snsapi_userinfo`)
 * when the application form wants it; the returned code becomes the shop's customer token
 * (`centerSignIn`). Outside WeChat the reader pastes the shop's own token. The OAuth `state` is random
 * and checked on return (a code from another page's sign-in is refused).
 */
import { ApiFailure, config, gql, mutationError, session, storeToken } from "./api";
import { inWeChat } from "./wx";

const STATE_KEY = "wd-oauth-state";
const HASH_KEY = "wd-oauth-hash";
export const NICKNAME_KEY = "wd-wechat-nickname";

const SIGN_IN = `mutation($s: String!, $code: String!) {
  centerSignIn(storefront: $s, code: $code) { token expiresIn nickname errors { code message } }
}`;
const OAUTH_URL = `query($s: String!, $redirect: String!, $state: String, $scope: OAuthScopeEnum) {
  centerOAuthUrl(storefront: $s, redirectUri: $redirect, state: $state, scope: $scope)
}`;

function remember(key: string, value: string | null): void {
  try {
    if (value === null) window.sessionStorage.removeItem(key);
    else window.sessionStorage.setItem(key, value);
  } catch {
    // without session storage the state check fails and the reader signs in again
  }
}

function recall(key: string): string | null {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

export function canUseWeChat(): boolean {
  return inWeChat() || Boolean(config.simulatedWeChat);
}

/** Sends the reader to WeChat's authorization page; resolves never (the page goes away). */
export async function redirectToWeChat(slug: string, scope: "BASE" | "USERINFO" = "BASE"): Promise<void> {
  const state = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
  remember(STATE_KEY, state);
  remember(HASH_KEY, window.location.hash);
  const redirect = window.location.href.split("#")[0];
  const { centerOAuthUrl } = await gql<{ centerOAuthUrl: string }>(OAUTH_URL, { s: slug, redirect, state, scope });
  window.location.replace(centerOAuthUrl);
  await new Promise(() => undefined);
}

/** "ok" (a token is there), "redirecting" (off to WeChat) or "manual" (outside WeChat, no token). */
export async function signIn(slug: string): Promise<"ok" | "redirecting" | "manual"> {
  const url = new URL(window.location.href);
  const code = url.searchParams.get("code");
  if (code) {
    const state = url.searchParams.get("state");
    url.searchParams.delete("code");
    url.searchParams.delete("state");
    const hash = recall(HASH_KEY) || "";
    window.history.replaceState(null, "", url.pathname + url.search + hash);
    const expected = recall(STATE_KEY);
    remember(STATE_KEY, null);
    if (!expected || expected !== state) throw new ApiFailure("coded", "state", "OAUTH_STATE");
    const { centerSignIn: answer } = await gql<{
      centerSignIn: { token: string | null; expiresIn: number; nickname: string | null; errors: { code: string; message: string | null }[] };
    }>(SIGN_IN, { s: slug, code });
    if (!answer.token) throw new ApiFailure("coded", mutationError(answer), answer.errors[0]?.code);
    storeToken(answer.token, answer.expiresIn);
    if (answer.nickname) remember(NICKNAME_KEY, answer.nickname);
    return "ok";
  }
  if (session.token) return "ok";
  if (canUseWeChat()) {
    await redirectToWeChat(slug);
    return "redirecting";
  }
  return "manual";
}

export function nickname(): string {
  return recall(NICKNAME_KEY) || "";
}
