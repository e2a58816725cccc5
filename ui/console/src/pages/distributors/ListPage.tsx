/** Every distributor, newest first: search and filters (status, kind, level, joined between two days). */
import { Box, Button, Chip, Input, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";

import { useDashboard } from "../../app/dashboard";
import { useClient, useT } from "../../app/hooks";
import { formatDateTime } from "../../app/i18n";
import { Empty, Failure, LoadingRows } from "../../components/states";
import { type Connection, fetchList, type Filters, LIST_PAGE_SIZE, type ListedDistributor, NO_FILTERS } from "./areaApi";
import { areaMessages } from "./areaMessages";
import { asFailure, href, type Load, Paging, StatusChip, useCursors, useDebounced } from "./areaShared";

const SEARCH_DELAY_MS = 300;
const STATUSES = ["PENDING", "ACTIVE", "SUSPENDED", "REJECTED"] as const;
const KINDS = ["ENTERPRISE", "INDIVIDUAL"] as const;

export default function ListPage() {
  const t = useT(areaMessages);
  const client = useClient();
  const { locale } = useDashboard();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const applied = useDebounced(filters, SEARCH_DELAY_MS);
  const key = JSON.stringify(applied);
  const paging = useCursors(key);
  const [reloads, setReloads] = useState(0);
  const [load, setLoad] = useState<Load<Connection<ListedDistributor>>>({ kind: "loading" });

  useEffect(() => {
    let current = true;
    setLoad({ kind: "loading" });
    fetchList(client, paging.after, applied).then(
      (data) => current && setLoad({ kind: "ready", data }),
      (error: unknown) => current && setLoad({ kind: "failed", failure: asFailure(error) }),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, paging.after, key, reloads]);

  const set = (name: keyof Filters) => (event: { target: { value: string } }) =>
    setFilters((previous) => ({ ...previous, [name]: event.target.value }));
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);
  const refused = load.kind === "failed" && load.failure.kind === "permission";
  const rows = load.kind === "ready" ? load.data.edges.map((edge) => edge.node) : [];

  return (
    <Box display="flex" flexDirection="column" gap={5} data-testid="list-page">
      <Box display="flex" alignItems="baseline" gap={3} flexWrap="wrap">
        <Text as="h1" size={10} fontWeight="bold">
          {t("page.title")}
        </Text>
        <Text size={7} color="default2">
          {t("list.subtitle")}
        </Text>
        {load.kind === "ready" ? (
          <Chip size="large" data-testid="list-count">
            {t("list.count", { count: load.data.totalCount })}
          </Chip>
        ) : null}
      </Box>

      {refused ? null : (
        <Box display="flex" gap={3} flexWrap="wrap" alignItems="flex-end" data-testid="filters">
          <Box __minWidth="240px" __flex="1 1 240px" __maxWidth="360px">
            <Input
              label={t("filter.search")}
              placeholder={t("filter.searchPlaceholder")}
              value={filters.search}
              onChange={set("search")}
              data-testid="search"
            />
          </Box>
          <label className="wd-field">
            {t("filter.status")}
            <select value={filters.status} onChange={set("status")} data-testid="filter-status">
              <option value="">{t("filter.any")}</option>
              {STATUSES.map((status) => (
                <option key={status} value={status}>
                  {t(`status.${status}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="wd-field">
            {t("filter.kind")}
            <select value={filters.kind} onChange={set("kind")} data-testid="filter-kind">
              <option value="">{t("filter.any")}</option>
              {KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {t(`kind.${kind}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="wd-field">
            {t("filter.level")}
            <input type="number" min={1} max={63} value={filters.level} onChange={set("level")} data-testid="filter-level" />
          </label>
          <label className="wd-field">
            {t("filter.joinedFrom")}
            <input type="date" value={filters.joinedFrom} onChange={set("joinedFrom")} data-testid="filter-joined-from" />
          </label>
          <label className="wd-field">
            {t("filter.joinedTo")}
            <input type="date" value={filters.joinedTo} onChange={set("joinedTo")} data-testid="filter-joined-to" />
          </label>
          {filtered ? (
            <Button variant="tertiary" onClick={() => setFilters(NO_FILTERS)} data-testid="clear-filters">
              {t("filter.clear")}
            </Button>
          ) : null}
        </Box>
      )}

      {load.kind === "loading" ? <LoadingRows rows={6} /> : null}
      {load.kind === "failed" ? (
        <Failure failure={load.failure} permission="MANAGE_USERS" onRetry={() => setReloads((n) => n + 1)} />
      ) : null}
      {load.kind === "ready" && rows.length === 0 ? (
        <Empty title={t("empty.list.title")} text={filtered ? t("empty.list.filtered") : t("empty.list.text")} />
      ) : null}
      {load.kind === "ready" && rows.length > 0 ? (
        <>
          <table className="wd-table" data-testid="distributors">
            <thead>
              <tr>
                <th>{t("table.distributor")}</th>
                <th>{t("table.status")}</th>
                <th className="wd-col-wide">{t("table.kind")}</th>
                <th>{t("table.level")}</th>
                <th>{t("table.team")}</th>
                <th className="wd-col-wide">{t("table.upline")}</th>
                <th className="wd-col-wide">{t("table.joined")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id} data-testid="distributor-row" data-name={row.displayName}>
                  <td>
                    <a className="wd-link" href={href({ name: "distributor", id: row.id })} data-testid="open-distributor">
                      {row.displayName}
                    </a>
                    <Text size={2} color="default2" display="block">
                      {row.email || row.referralCode}
                    </Text>
                    <Text size={2} color="default2" display="block" className="wd-narrow-only">
                      {t(`kind.${row.kind}`)} · {formatDateTime(row.createdAt, locale)}
                    </Text>
                  </td>
                  <td>
                    <StatusChip status={row.status} t={t} />
                  </td>
                  <td className="wd-col-wide">{t(`kind.${row.kind}`)}</td>
                  <td>{row.level}</td>
                  <td>{row.teamSize}</td>
                  <td className="wd-col-wide">
                    {row.parent ? (
                      <a className="wd-link" href={href({ name: "distributor", id: row.parent.id })}>
                        {row.parent.displayName}
                      </a>
                    ) : (
                      <Text color="default2">{t("table.brand")}</Text>
                    )}
                  </td>
                  <td className="wd-col-wide">{formatDateTime(row.createdAt, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Paging
            t={t}
            index={paging.index}
            size={LIST_PAGE_SIZE}
            shown={rows.length}
            total={load.data.totalCount}
            hasNext={load.data.pageInfo.hasNextPage}
            onPrevious={paging.previous}
            onNext={() => paging.next(load.data.pageInfo.endCursor)}
          />
        </>
      ) : null}
    </Box>
  );
}
