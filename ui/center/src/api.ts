/**
 * Our GraphQL, and nothing else: every read is a query, every change a mutation. The token (the shop's
 * customer token from WeChat sign-in, or pasted outside WeChat) goes as `Authorization: Bearer`, the
 * reader's language as `Accept-Language` so that the server's messages come translated.
 */
import type { Locale } from "./i18n";

export interface PageConfig {
  graphqlUrl: string;
  /** the sandbox: WeChat is simulated (its transfer confirmation page) */
  simulatedWeChat?: { transferPage: string };
}

export const config: PageConfig = JSON.parse(document.getElementById("wd-config")?.textContent || "{}");
if (!config.graphqlUrl) config.graphqlUrl = "/graphql/";

export type FailureKind = "network" | "server" | "auth" | "coded";

export class ApiFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly code: string = "",
  ) {
    super(message);
  }
}

export interface Money {
  amount: string;
  currency: string;
}

const TOKEN_KEY = "wd-center-token";

interface StoredToken {
  token: string;
  expiresAt: number;
}

export function storedToken(): string | null {
  try {
    const stored = JSON.parse(window.localStorage.getItem(TOKEN_KEY) || "null") as StoredToken | null;
    if (stored && stored.expiresAt > Date.now() + 30_000) return stored.token;
  } catch {
    // unreadable: sign in again
  }
  return null;
}

export function storeToken(token: string, expiresIn: number): void {
  try {
    window.localStorage.setItem(TOKEN_KEY, JSON.stringify({ token, expiresAt: Date.now() + expiresIn * 1000 }));
  } catch {
    // storage refused: this page still works, the next one signs in again
  }
  session.token = token;
}

export function forgetToken(): void {
  session.token = null;
  try {
    window.localStorage.removeItem(TOKEN_KEY);
  } catch {
    // nothing to forget
  }
}

export const session: { token: string | null; locale: Locale } = { token: storedToken(), locale: "zh-Hans" };

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "Accept-Language": session.locale === "zh-Hans" ? "zh-hans" : "en",
  };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  let response: Response;
  try {
    response = await fetch(config.graphqlUrl, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new ApiFailure("network", "");
  }
  if (response.status === 401) {
    forgetToken();
    throw new ApiFailure("auth", "");
  }
  let payload: { data?: T; errors?: { message: string; extensions?: { exception?: { code?: string } } }[] };
  try {
    payload = await response.json();
  } catch {
    throw new ApiFailure("server", "");
  }
  const error = payload.errors?.[0];
  if (error) {
    const code = error.extensions?.exception?.code ?? "";
    if (code === "INTERNAL_ERROR") throw new ApiFailure("server", error.message, code);
    if (code === "PermissionDenied" && !session.token) throw new ApiFailure("auth", error.message, code);
    throw new ApiFailure("coded", error.message, code);
  }
  if (!payload.data) throw new ApiFailure("server", "");
  return payload.data;
}

/** The errors list of a mutation's payload, as one sentence (or "" when it succeeded). */
export function mutationError(payload: { errors: { message: string | null; code: string }[] }): string {
  return payload.errors.map((e) => e.message || e.code).join(" ");
}
