/** What the Distributors area's views share: the hash route, paging with cursors, status chips. */
import { Box, Button, Chip, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";

import { GraphQLFailure } from "../../app/graphql";
import type { Translate } from "../../app/i18n";
import type { areaMessages } from "./areaMessages";
import type { Status } from "./areaApi";

export type AreaT = Translate<typeof areaMessages.en>;

export type Route =
  | { name: "applications" }
  | { name: "list" }
  | { name: "network"; id: string | null }
  | { name: "distributor"; id: string };

export function parseRoute(hash: string): Route {
  const [name, raw] = hash.replace(/^#\/?/, "").split("/");
  const id = raw ? decodeURIComponent(raw) : null;
  if (name === "list") return { name: "list" };
  if (name === "network") return { name: "network", id };
  if (name === "distributor" && id) return { name: "distributor", id };
  return { name: "applications" };
}

/** A link to a view of the area: this document with another hash (the page has a `<base href>`, so a
 * bare `#/...` would load the console's home). */
export function href(route: Route): string {
  return `${window.location.pathname}${window.location.search}${hash(route)}`;
}

function hash(route: Route): string {
  switch (route.name) {
    case "applications":
      return "#/applications";
    case "list":
      return "#/list";
    case "network":
      return route.id ? `#/network/${encodeURIComponent(route.id)}` : "#/network";
    case "distributor":
      return `#/distributor/${encodeURIComponent(route.id)}`;
  }
}

/** The page's route in the URL's hash (inside the dashboard's iframe: back and forward work). */
export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);
  return route;
}

export function useDebounced<T>(value: T, delay: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), delay);
    return () => window.clearTimeout(timer);
  }, [value, delay]);
  return debounced;
}

export function asFailure(error: unknown): GraphQLFailure {
  return error instanceof GraphQLFailure ? error : new GraphQLFailure("server", String(error));
}

export type Load<T> = { kind: "loading" } | { kind: "failed"; failure: GraphQLFailure } | { kind: "ready"; data: T };

/** Keyset paging: the cursors of the pages seen so far (forward with the last cursor, back by index). */
export function useCursors(resetKey: string) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [index, setIndex] = useState(0);
  useEffect(() => {
    setCursors([null]);
    setIndex(0);
  }, [resetKey]);
  return {
    after: cursors[index] ?? null,
    index,
    previous: () => setIndex((i) => Math.max(0, i - 1)),
    next: (endCursor: string | null) => {
      setCursors((list) => [...list.slice(0, index + 1), endCursor]);
      setIndex((i) => i + 1);
    },
  };
}

export function Paging({
  t,
  index,
  size,
  shown,
  total,
  hasNext,
  onPrevious,
  onNext,
}: {
  t: AreaT;
  index: number;
  size: number;
  shown: number;
  total: number;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}) {
  const from = index * size + 1;
  return (
    <Box display="flex" alignItems="center" justifyContent="flex-end" gap={3} flexWrap="wrap">
      <Text color="default2" data-testid="paging-range">
        {t("paging.range", { from, to: from + shown - 1, total })}
      </Text>
      <Button variant="secondary" disabled={index === 0} onClick={onPrevious} data-testid="page-previous">
        {t("paging.previous")}
      </Button>
      <Button variant="secondary" disabled={!hasNext} onClick={onNext} data-testid="page-next">
        {t("paging.next")}
      </Button>
    </Box>
  );
}

export function StatusChip({ status, t }: { status: Status; t: AreaT }) {
  return (
    <Chip size="medium" data-testid="status" data-status={status} className={`wd-status wd-status-${status.toLowerCase()}`}>
      {t(`status.${status}`)}
    </Chip>
  );
}
