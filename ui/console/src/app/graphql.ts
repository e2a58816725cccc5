/**
 * The console's only way to the server: our GraphQL API, with the dashboard's token (screens are clients
 * of our GraphQL only, like any storefront). Failures are classified so every view can show the right state.
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
  /** `files`: variable name -> file, sent as a multipart request (GraphQL multipart request spec). */
  request<T>(query: string, variables?: Record<string, unknown>, files?: Record<string, File>): Promise<T>;
}

/** The body and its content type: JSON, or multipart with the files in the parts the spec names. */
function body(query: string, variables: Record<string, unknown>, files?: Record<string, File>): [BodyInit, Record<string, string>] {
  if (!files || Object.keys(files).length === 0) {
    return [JSON.stringify({ query, variables }), { "Content-Type": "application/json" }];
  }
  const form = new FormData();
  const names = Object.keys(files);
  const withNulls = { ...variables, ...Object.fromEntries(names.map((name) => [name, null])) };
  form.append("operations", JSON.stringify({ query, variables: withNulls }));
  form.append("map", JSON.stringify(Object.fromEntries(names.map((name, i) => [String(i), [`variables.${name}`]]))));
  names.forEach((name, i) => form.append(String(i), files[name], files[name].name));
  return [form, {}]; // the browser sets multipart/form-data with its boundary
}

interface Answer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { exception?: { code?: string } } }[];
}

export function createClient(url: string, token: () => string, locale: Locale): GraphQLClient {
  return {
    async request<T>(query: string, variables: Record<string, unknown> = {}, files?: Record<string, File>): Promise<T> {
      let response: Response;
      const [payload, contentType] = body(query, variables, files);
      try {
        response = await fetch(url, {
          method: "POST",
          credentials: "omit",
          headers: {
            ...contentType,
            Accept: "application/json",
            "Accept-Language": acceptLanguage(locale),
            Authorization: `Bearer ${token()}`,
          },
          body: payload,
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
