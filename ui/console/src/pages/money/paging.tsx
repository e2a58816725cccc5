/**
 * Keyset paging of one list of the money page: the cursors seen so far (going back reuses one), the load
 * state, a reload after an action; and the pager under the table.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState } from "react";

import { GraphQLFailure } from "../../app/graphql";
import { useT } from "../../app/hooks";
import { Empty, Failure, LoadingRows } from "../../components/states";
import { type Page, PAGE_SIZE } from "./api";
import { messages } from "./messages";

export type Load<T> = { kind: "loading" } | { kind: "failed"; failure: GraphQLFailure } | { kind: "ready"; data: T };

export function asFailure(error: unknown): GraphQLFailure {
  return error instanceof GraphQLFailure ? error : new GraphQLFailure("server", String(error));
}

/** ``fetch(after)`` for the current page; a change of ``key`` (the filters) starts again at page 1. */
export function usePaged<T extends { page: Page<unknown> }>(key: string, fetch: (after: string | null) => Promise<T>) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [index, setIndex] = useState(0);
  const [reloads, setReloads] = useState(0);
  const [load, setLoad] = useState<Load<T>>({ kind: "loading" });

  useEffect(() => {
    setCursors([null]);
    setIndex(0);
  }, [key]);

  const after = cursors[index] ?? null;
  useEffect(() => {
    let current = true;
    setLoad({ kind: "loading" });
    fetch(after).then(
      (data) => {
        if (!current) return;
        if (data.page.rows.length === 0 && index > 0) {
          setIndex((i) => i - 1); // an action emptied the last page: show the one before
          return;
        }
        setLoad({ kind: "ready", data });
      },
      (error: unknown) => {
        if (current) setLoad({ kind: "failed", failure: asFailure(error) });
      },
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- fetch changes with key, which resets paging
  }, [after, index, reloads, key]);

  const reload = useCallback(() => setReloads((n) => n + 1), []);
  const next = useCallback(() => {
    if (load.kind !== "ready") return;
    setCursors((list) => [...list.slice(0, index + 1), load.data.page.endCursor]);
    setIndex((i) => i + 1);
  }, [load, index]);
  const previous = useCallback(() => setIndex((i) => Math.max(0, i - 1)), []);
  return { load, reload, next, previous, index };
}

export function Pager({
  page,
  index,
  onNext,
  onPrevious,
}: {
  page: Page<unknown>;
  index: number;
  onNext: () => void;
  onPrevious: () => void;
}) {
  const t = useT(messages);
  const from = index * PAGE_SIZE + 1;
  return (
    <Box display="flex" alignItems="center" justifyContent="flex-end" gap={3} flexWrap="wrap">
      <Text color="default2" data-testid="paging-range">
        {t("paging.range", { from, to: from + page.rows.length - 1, total: page.totalCount })}
      </Text>
      <Button variant="secondary" disabled={index === 0} onClick={onPrevious} data-testid="page-previous">
        {t("paging.previous")}
      </Button>
      <Button variant="secondary" disabled={!page.hasNextPage} onClick={onNext} data-testid="page-next">
        {t("paging.next")}
      </Button>
    </Box>
  );
}

/** What a list shows instead of its rows: loading, a refusal or an error (with retry), or empty; null when
 * it has rows. */
export function ListState({
  load,
  empty,
  onRetry,
}: {
  load: Load<{ page: Page<unknown> }>;
  empty: { title: string; text: string };
  onRetry: () => void;
}) {
  if (load.kind === "loading") return <LoadingRows rows={6} />;
  if (load.kind === "failed") return <Failure failure={load.failure} permission="MANAGE_ORDERS" onRetry={onRetry} />;
  if (load.data.page.rows.length === 0) return <Empty title={empty.title} text={empty.text} />;
  return null;
}
