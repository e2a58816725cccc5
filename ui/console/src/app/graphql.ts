/**
 * The console's only way to the server: our GraphQL API, with the dashboard's token (DESIGN.md §7: screens
 * are clients of our GraphQL only). Failures are classified so every view can show the right state.
 */
import { acceptLanguage, type Locale } from "./i18n";

export type FailureKind =
  | "permission" // the token lacks a permission (PermissionDenied)
  | "auth" // no token, expired or refused (401)
  | "network" // the request did not reach the server
  | "server"; // anything else (5xx, malformed answer, unexpected error)

export class GraphQLFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
  }
}

/** A mutation's own error (Saleor's shape: field, code, translated message). */
export interface MutationError {
  field: string | null;
  code: string;
  message: string | null;
}

export interface GraphQLClient {
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

interface Answer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { exception?: { code?: string } } }[];
}

export function createClient(url: string, token: () => string, locale: Locale): GraphQLClient {
  return {
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          credentials: "omit",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "Accept-Language": acceptLanguage(locale),
            Authorization: `Bearer ${token()}`,
          },
          body: JSON.stringify({ query, variables }),
        });
      } catch (error) {
        throw new GraphQLFailure("network", error instanceof Error ? error.message : String(error));
      }
      let answer: Answer<T>;
      try {
        answer = (await response.json()) as Answer<T>;
      } catch {
        throw new GraphQLFailure("server", `HTTP ${response.status}`);
      }
      const first = answer.errors?.[0];
      if (response.status === 401) throw new GraphQLFailure("auth", first?.message ?? "HTTP 401");
      if (first) {
        const code = first.extensions?.exception?.code;
        throw new GraphQLFailure(code === "PermissionDenied" ? "permission" : "server", first.message);
      }
      if (!response.ok || !answer.data) throw new GraphQLFailure("server", `HTTP ${response.status}`);
      return answer.data;
    },
  };
}
