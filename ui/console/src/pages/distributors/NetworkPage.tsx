/**
 * The network browser: one level at a time below the brand or a distributor, a page of it at a time,
 * with how many distributors each level below holds. Never the whole tree: a million distributors
 * cost what a hundred do.
 */
import { Box, Chip, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";

import { useClient, useT } from "../../app/hooks";
import { Empty, Failure, LoadingRows } from "../../components/states";
import { fetchNetwork, NETWORK_PAGE_SIZE, type NetworkLevel } from "./areaApi";
import { areaMessages } from "./areaMessages";
import { asFailure, href, type Load, Paging, StatusChip, useCursors } from "./areaShared";

export default function NetworkPage({ parentId }: { parentId: string | null }) {
  const t = useT(areaMessages);
  const client = useClient();
  const paging = useCursors(parentId ?? "");
  const [reloads, setReloads] = useState(0);
  const [load, setLoad] = useState<Load<NetworkLevel | null>>({ kind: "loading" });

  useEffect(() => {
    let current = true;
    setLoad({ kind: "loading" });
    fetchNetwork(client, parentId, paging.after).then(
      (data) => current && setLoad({ kind: "ready", data }),
      (error: unknown) => current && setLoad({ kind: "failed", failure: asFailure(error) }),
    );
    return () => {
      current = false;
    };
  }, [client, parentId, paging.after, reloads]);

  const level = load.kind === "ready" ? load.data : null;
  const parent = level?.parent ?? null;
  const rows = level ? level.children.edges.map((edge) => edge.node) : [];
  return (
    <Box display="flex" flexDirection="column" gap={5} data-testid="network-page">
      <Box display="flex" alignItems="baseline" gap={3} flexWrap="wrap">
        <Text as="h1" size={10} fontWeight="bold">
          {t("page.title")}
        </Text>
        <Text size={7} color="default2">
          {t("network.subtitle")}
        </Text>
      </Box>

      {load.kind === "ready" && level ? (
        <>
          <nav className="wd-crumbs" data-testid="crumbs">
            <a className="wd-link" href={href({ name: "network", id: null })}>
              {t("network.brand")}
            </a>
            {(parent?.ancestors ?? []).map((node) => (
              <span key={node.id}>
                ›{" "}
                <a className="wd-link" href={href({ name: "network", id: node.id })}>
                  {node.displayName}
                </a>
              </span>
            ))}
            {parent ? (
              <span>
                › <strong data-testid="crumb-current">{parent.displayName}</strong>{" "}
                <a className="wd-link" href={href({ name: "distributor", id: parent.id })} data-testid="parent-details">
                  ({t("network.details")})
                </a>
              </span>
            ) : null}
          </nav>
          {level.levelCounts.length > 0 ? (
            <Box display="flex" gap={2} flexWrap="wrap" alignItems="center" data-testid="level-counts">
              <Text color="default2">{t("network.levels")}</Text>
              {level.levelCounts.map((item) => (
                <Chip key={item.level} size="large" data-testid="level-count">
                  {t("network.levelChip", { level: item.level, count: item.count.toLocaleString() })}
                </Chip>
              ))}
            </Box>
          ) : null}
        </>
      ) : null}

      {load.kind === "loading" ? <LoadingRows rows={6} /> : null}
      {load.kind === "failed" ? (
        <Failure failure={load.failure} permission="MANAGE_USERS" onRetry={() => setReloads((n) => n + 1)} />
      ) : null}
      {load.kind === "ready" && !level ? <Empty title={t("network.notFound")} /> : null}
      {load.kind === "ready" && level && rows.length === 0 ? (
        <Empty
          title={t("network.empty.title")}
          text={parent ? t("network.empty.node", { name: parent.displayName }) : t("network.empty.brand")}
        />
      ) : null}
      {load.kind === "ready" && level && rows.length > 0 ? (
        <>
          <table className="wd-table" data-testid="network-level">
            <thead>
              <tr>
                <th>{t("table.distributor")}</th>
                <th>{t("table.status")}</th>
                <th className="wd-col-wide">{t("table.kind")}</th>
                <th>{t("table.team")}</th>
                <th>{t("table.direct")}</th>
                <th className="wd-col-actions" />
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id} data-testid="network-row" data-name={row.displayName}>
                  <td>
                    <a className="wd-link" href={href({ name: "distributor", id: row.id })}>
                      {row.displayName}
                    </a>
                    <Text size={2} color="default2" display="block">
                      {row.referralCode} · {t("detail.levelN", { level: row.level })}
                    </Text>
                  </td>
                  <td>
                    <StatusChip status={row.status} t={t} />
                  </td>
                  <td className="wd-col-wide">{t(`kind.${row.kind}`)}</td>
                  <td>{row.teamSize}</td>
                  <td>{row.childrenCount}</td>
                  <td className="wd-col-actions">
                    {row.childrenCount > 0 ? (
                      <a className="wd-link" href={href({ name: "network", id: row.id })} data-testid="open-level">
                        {t("network.open")} ›
                      </a>
                    ) : (
                      <Text color="default2" size={2}>
                        {t("network.leaf")}
                      </Text>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Paging
            t={t}
            index={paging.index}
            size={NETWORK_PAGE_SIZE}
            shown={rows.length}
            total={level.children.totalCount}
            hasNext={level.children.pageInfo.hasNextPage}
            onPrevious={paging.previous}
            onNext={() => paging.next(level.children.pageInfo.endCursor)}
          />
        </>
      ) : null}
    </Box>
  );
}
