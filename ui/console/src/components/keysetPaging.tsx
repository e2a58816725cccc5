/**
 * A searchable, keyset-paged list: the search (debounced), the cursors of the pages seen so far (going
 * back reuses one), the load state, and the pager under the table.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState } from "react";

import { GraphQLFailure } from "../app/graphql";

export type Load<P> = { kind: "loading" } | { kind: "failed"; failure: GraphQLFailure } | { kind: "ready"; page: P };

export interface KeysetPage {
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
}

const SEARCH_DELAY_MS = 300;

export function useDebounced(value: string, delay = SEARCH_DELAY_MS): string {
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

/** Loads page after page of `fetch(after, search)`; `reload()` fetches the current page again. */
export function useKeysetPages<P extends KeysetPage>(
  fetch: (after: string | null, search: string) => Promise<P>,
  search: string,
) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [pageIndex, setPageIndex] = useState(0);
  const [reloads, setReloads] = useState(0);
  const [quiet, setQuiet] = useState(false);
  const [load, setLoad] = useState<Load<P>>({ kind: "loading" });

  useEffect(() => {
    setCursors([null]);
    setPageIndex(0);
  }, [search]);

  const after = cursors[pageIndex] ?? null;
  useEffect(() => {
    let current = true;
    if (!quiet) setLoad({ kind: "loading" });
    fetch(after, search).then(
      (page) => {
        if (current) setLoad({ kind: "ready", page });
      },
      (error: unknown) => {
        if (current) setLoad({ kind: "failed", failure: asFailure(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [fetch, after, search, reloads]);

  const next = useCallback(() => {
    if (load.kind !== "ready") return;
    setQuiet(false);
    const cursor = load.page.endCursor;
    setCursors((list) => [...list.slice(0, pageIndex + 1), cursor]);
    setPageIndex((index) => index + 1);
  }, [load, pageIndex]);
  const previous = useCallback(() => {
    setQuiet(false);
    setPageIndex((index) => Math.max(0, index - 1));
  }, []);
  const reload = useCallback(() => {
    setQuiet(false);
    setReloads((n) => n + 1);
  }, []);
  /** The same page again without the loading state in between (following a sync in progress). */
  const refresh = useCallback(() => {
    setQuiet(true);
    setReloads((n) => n + 1);
  }, []);
  return { load, pageIndex, next, previous, reload, refresh };
}

export function Pager({
  hasPrevious,
  hasNext,
  onPrevious,
  onNext,
  labels,
}: {
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  labels: { range: string; previous: string; next: string };
}) {
  return (
    <Box display="flex" alignItems="center" justifyContent="flex-end" gap={3} flexWrap="wrap">
      <Text color="default2" data-testid="paging-range">
        {labels.range}
      </Text>
      <Button variant="secondary" disabled={!hasPrevious} onClick={onPrevious} data-testid="page-previous">
        {labels.previous}
      </Button>
      <Button variant="secondary" disabled={!hasNext} onClick={onNext} data-testid="page-next">
        {labels.next}
      </Button>
    </Box>
  );
}
