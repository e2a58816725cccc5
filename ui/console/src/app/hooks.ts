import { useMemo } from "react";

import { readConfig } from "./config";
import { useDashboard } from "./dashboard";
import { createClient, type GraphQLClient } from "./graphql";
import { type Dictionary, type Messages, type Translate, translator } from "./i18n";

export const config = readConfig();

/** The translate function of a page's dictionary, in the dashboard's current locale. */
export function useT<M extends Messages>(dictionary: Dictionary<M>): Translate<M> {
  const { locale } = useDashboard();
  return useMemo(() => translator(dictionary, locale), [dictionary, locale]);
}

/** Our GraphQL API with the dashboard's token and locale. */
export function useClient(): GraphQLClient {
  const { token, locale } = useDashboard();
  return useMemo(() => createClient(config.graphqlUrl ?? "", token, locale), [token, locale]);
}
