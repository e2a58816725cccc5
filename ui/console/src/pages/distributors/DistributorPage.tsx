/**
 * One distributor: its profile and upline, team, storefront, bound customers, money (balance, latest
 * commissions, ledger, withdrawals; MANAGE_ORDERS) and audit trail; suspend, reactivate or move it
 * after a confirmation.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { type ReactNode, useCallback, useEffect, useState } from "react";

import { useDashboard } from "../../app/dashboard";
import { useClient, useT } from "../../app/hooks";
import { formatDateTime, type Locale } from "../../app/i18n";
import { Empty, Failure, LoadingRows } from "../../components/states";
import {
  type Action,
  type Connection,
  type DistributorDetail,
  type DistributorMoney,
  fetchDistributor,
  fetchLedgerPage,
  fetchMoney,
  type LedgerEntry,
  type Money,
  runAction,
} from "./areaApi";
import { areaMessages } from "./areaMessages";
import { type AreaT, asFailure, href, type Load, StatusChip } from "./areaShared";
import { ActionDialog } from "./ActionDialog";

export function formatMoney(value: Money, locale: Locale): string {
  return new Intl.NumberFormat(locale === "zh-Hans" ? "zh-CN" : "en-GB", { style: "currency", currency: value.currency }).format(
    Number(value.amount),
  );
}

function Card({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <section className="wd-card" data-testid={testId}>
      <Text as="h2" size={5} fontWeight="bold">
        {title}
      </Text>
      {children}
    </section>
  );
}

export default function DistributorPage({ id }: { id: string }) {
  const t = useT(areaMessages);
  const client = useClient();
  const { locale, notify } = useDashboard();
  const [reloads, setReloads] = useState(0);
  const [load, setLoad] = useState<Load<DistributorDetail | null>>({ kind: "loading" });
  const [money, setMoney] = useState<Load<DistributorMoney>>({ kind: "loading" });
  const [action, setAction] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    setLoad({ kind: "loading" });
    setMoney({ kind: "loading" });
    fetchDistributor(client, id).then(
      (data) => current && setLoad({ kind: "ready", data }),
      (error: unknown) => current && setLoad({ kind: "failed", failure: asFailure(error) }),
    );
    fetchMoney(client, id).then(
      (data) => current && setMoney({ kind: "ready", data }),
      (error: unknown) => current && setMoney({ kind: "failed", failure: asFailure(error) }),
    );
    return () => {
      current = false;
    };
  }, [client, id, reloads]);

  const act = useCallback(
    async (name: string, extra: { reason?: string; newParentId?: string | null }) => {
      if (!action) return;
      setBusy(true);
      try {
        const error = await runAction(client, action, id, extra);
        if (error) {
          setProblem(t("action.failed", { message: error }));
          notify("error", t("action.failed", { message: error }));
        } else {
          setProblem(null);
          notify("success", t(`done.${action}`, { name }));
        }
        setAction(null);
        setReloads((n) => n + 1);
      } catch (error) {
        setAction(null);
        setLoad({ kind: "failed", failure: asFailure(error) });
      } finally {
        setBusy(false);
      }
    },
    [action, client, id, notify, t],
  );

  if (load.kind === "loading") return <LoadingRows rows={8} />;
  if (load.kind === "failed")
    return <Failure failure={load.failure} permission="MANAGE_USERS" onRetry={() => setReloads((n) => n + 1)} />;
  const node = load.data;
  if (!node) return <Empty title={t("detail.notFound")} />;

  const date = (value: string | null) => (value ? formatDateTime(value, locale) : "");
  return (
    <Box display="flex" flexDirection="column" gap={5} data-testid="distributor-page">
      <nav className="wd-crumbs">
        <a className="wd-link" href={href({ name: "list" })}>
          ‹ {t("detail.back")}
        </a>
      </nav>
      <Box display="flex" alignItems="center" gap={3} flexWrap="wrap" justifyContent="space-between">
        <Box display="flex" alignItems="center" gap={3} flexWrap="wrap">
          <Text as="h1" size={10} fontWeight="bold">
            {node.displayName}
          </Text>
          <StatusChip status={node.status} t={t} />
        </Box>
        <Box display="flex" gap={2} data-testid="actions">
          {node.status === "ACTIVE" ? (
            <Button variant="error" onClick={() => setAction("suspend")} data-testid="action-suspend">
              {t("action.suspend")}
            </Button>
          ) : null}
          {node.status === "SUSPENDED" ? (
            <Button onClick={() => setAction("reactivate")} data-testid="action-reactivate">
              {t("action.reactivate")}
            </Button>
          ) : null}
          {node.status === "ACTIVE" || node.status === "SUSPENDED" ? (
            <Button variant="secondary" onClick={() => setAction("move")} data-testid="action-move">
              {t("action.move")}
            </Button>
          ) : null}
        </Box>
      </Box>
      <Text color="default2" data-testid="summary">
        {t(`kind.${node.kind}`)} · {t("detail.levelN", { level: node.level })} · {t("detail.code", { code: node.referralCode })}
        {node.email ? ` · ${node.email}` : ""} · {t("detail.joined", { date: date(node.createdAt) })}
        {node.approvedAt ? ` · ${t("detail.approved", { date: date(node.approvedAt) })}` : ""}
      </Text>
      <nav className="wd-crumbs" data-testid="upline">
        {t("detail.upline")}{" "}
        {node.ancestors.length === 0 ? <span>{t("table.brand")}</span> : null}
        {node.ancestors.map((a, index) => (
          <span key={a.id}>
            {index > 0 ? "› " : ""}
            <a className="wd-link" href={href({ name: "distributor", id: a.id })}>
              {a.displayName}
            </a>
          </span>
        ))}
      </nav>
      {problem ? (
        <Box padding={3} borderRadius={3} backgroundColor="critical1" data-testid="action-problem">
          <Text>{problem}</Text>
        </Box>
      ) : null}

      <div className="wd-grid">
        <Card title={t("detail.team")} testId="team">
          <Text>{t("detail.teamSize", { count: node.teamSize })}</Text>
          <Text color="default2">{t("detail.direct", { count: node.childrenCount })}</Text>
          {node.networkLevelCounts.length === 0 ? <Text color="default2">{t("detail.noTeam")}</Text> : null}
          {node.networkLevelCounts.length > 0 ? (
            <dl className="wd-dl">
              {node.networkLevelCounts.map((item) => (
                <Row key={item.level} label={t("detail.levelRow", { level: item.level })} value={String(item.count)} />
              ))}
            </dl>
          ) : null}
          <a className="wd-link" href={href({ name: "network", id: node.id })} data-testid="open-network">
            {t("detail.network")} ›
          </a>
        </Card>
        <Card title={t("detail.storefront")} testId="storefront">
          {node.storefront ? (
            <>
              <Text fontWeight="medium">{node.storefront.title}</Text>
              <Text color="default2">
                /{node.storefront.slug} · {node.storefront.channel} ·{" "}
                {node.storefront.isActive ? t("detail.storefrontActive") : t("detail.storefrontInactive")}
              </Text>
              {node.storefront.appId ? <Text color="default2">{t("detail.ownAccount", { appId: node.storefront.appId })}</Text> : null}
            </>
          ) : (
            <Text color="default2">{t("detail.noStorefront")}</Text>
          )}
        </Card>
        <Card title={t("detail.bindings")} testId="bindings">
          <Text size={8} fontWeight="bold">
            {node.bindingCounts.active}
          </Text>
          <Text color="default2">{t("detail.bindingsCount", node.bindingCounts)}</Text>
        </Card>
        <Card title={t("detail.balance")} testId="balance">
          <MoneyState money={money} t={t} onRetry={() => setReloads((n) => n + 1)}>
            {(data) =>
              data.distributor && data.distributor.balances.length > 0 ? (
                <dl className="wd-dl">
                  {data.distributor.balances.flatMap((b) => [
                    <Row key={`${b.currency}a`} label={t("detail.available")} value={formatMoney(b.available, locale)} strong />,
                    <Row key={`${b.currency}f`} label={t("detail.frozen")} value={formatMoney(b.frozen, locale)} />,
                    <Row key={`${b.currency}p`} label={t("detail.pending")} value={formatMoney(b.pending, locale)} />,
                    <Row key={`${b.currency}w`} label={t("detail.withdrawing")} value={formatMoney(b.withdrawing, locale)} />,
                  ])}
                </dl>
              ) : (
                <Text color="default2">{t("detail.noBalance")}</Text>
              )
            }
          </MoneyState>
        </Card>
      </div>

      <Card title={t("detail.commissions")} testId="commissions">
        <MoneyState money={money} t={t} onRetry={() => setReloads((n) => n + 1)}>
          {(data) => (
            <SectionTable
              t={t}
              connection={data.commissions}
              head={[t("detail.order"), t("table.level"), t("table.status"), t("detail.amount"), t("detail.when")]}
              row={(c) => [
                c.orderId,
                String(c.level),
                t(`commission.${c.status}` as "commission.PENDING"),
                formatMoney(c.amount, locale),
                date(c.createdAt),
              ]}
            />
          )}
        </MoneyState>
      </Card>
      <Card title={t("detail.ledger")} testId="ledger">
        <MoneyState money={money} t={t} onRetry={() => setReloads((n) => n + 1)}>
          {(data) => (data.distributor ? <Ledger id={node.id} first={data.distributor.ledger} t={t} locale={locale} /> : null)}
        </MoneyState>
      </Card>
      <Card title={t("detail.withdrawals")} testId="withdrawals">
        <MoneyState money={money} t={t} onRetry={() => setReloads((n) => n + 1)}>
          {(data) => (
            <SectionTable
              t={t}
              connection={data.withdrawals}
              head={[t("detail.amount"), t("table.status"), t("detail.when")]}
              row={(w) => [
                formatMoney(w.amount, locale),
                t(`withdrawal.${w.status}` as "withdrawal.PAID"),
                date(w.requestedAt),
              ]}
            />
          )}
        </MoneyState>
      </Card>
      <Card title={t("detail.audit")} testId="audit">
        {node.events.length === 0 ? <Text color="default2">{t("detail.none")}</Text> : null}
        {node.events.length > 0 ? (
          <table className="wd-table">
            <thead>
              <tr>
                <th>{t("detail.when")}</th>
                <th>{t("detail.what")}</th>
                <th>{t("detail.who")}</th>
              </tr>
            </thead>
            <tbody>
              {[...node.events].reverse().map((event, index) => (
                <tr key={index} data-testid="audit-row" data-type={event.type}>
                  <td>{date(event.createdAt)}</td>
                  <td>
                    {t(`event.${event.type}` as "event.applied")}
                    <EventData raw={event.data} />
                  </td>
                  <td>{event.actor}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Card>

      <ActionDialog
        action={action}
        name={node.displayName}
        teamSize={node.teamSize}
        selfId={node.id}
        busy={busy}
        onConfirm={(extra) => act(node.displayName, extra)}
        onClose={() => (busy ? undefined : setAction(null))}
      />
    </Box>
  );
}

function Row({ label, value, strong = false }: { label: string; value: string; strong?: boolean }) {
  return (
    <>
      <dt>{label}</dt>
      <dd style={strong ? { fontWeight: 600 } : undefined}>{value}</dd>
    </>
  );
}

function EventData({ raw }: { raw: string }) {
  let data: Record<string, unknown> = {};
  try {
    data = (typeof raw === "string" ? JSON.parse(raw) : raw) as Record<string, unknown>;
  } catch {
    return null;
  }
  const text = Object.entries(data ?? {})
    .filter(([, value]) => value !== null && value !== "" && typeof value !== "object")
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join(" · ");
  return text ? (
    <Text size={2} color="default2" display="block">
      {text}
    </Text>
  ) : null;
}

function MoneyState({
  money,
  t,
  onRetry,
  children,
}: {
  money: Load<DistributorMoney>;
  t: AreaT;
  onRetry: () => void;
  children: (data: DistributorMoney) => ReactNode;
}) {
  if (money.kind === "loading") return <LoadingRows rows={2} />;
  if (money.kind === "failed") {
    if (money.failure.kind === "permission")
      return (
        <Text color="default2" data-testid="money-refused">
          {t("detail.moneyRefused")}
        </Text>
      );
    return <Failure failure={money.failure} permission="MANAGE_ORDERS" onRetry={onRetry} />;
  }
  return <>{children(money.data)}</>;
}

function SectionTable<T>({
  t,
  connection,
  head,
  row,
}: {
  t: AreaT;
  connection: Connection<T>;
  head: string[];
  row: (item: T) => string[];
}) {
  if (connection.edges.length === 0) return <Text color="default2">{t("detail.none")}</Text>;
  return (
    <>
      <Text size={2} color="default2">
        {t("detail.latest", { shown: connection.edges.length, total: connection.totalCount })}
      </Text>
      <table className="wd-table">
        <thead>
          <tr>
            {head.map((label) => (
              <th key={label}>{label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {connection.edges.map((edge, index) => (
            <tr key={index} data-testid="section-row">
              {row(edge.node).map((cell, column) => (
                <td key={column}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Ledger({ id, first, t, locale }: { id: string; first: Connection<LedgerEntry>; t: AreaT; locale: Locale }) {
  const client = useClient();
  const [entries, setEntries] = useState(first.edges.map((edge) => edge.node));
  const [cursor, setCursor] = useState(first.pageInfo.hasNextPage ? first.pageInfo.endCursor : null);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    setEntries(first.edges.map((edge) => edge.node));
    setCursor(first.pageInfo.hasNextPage ? first.pageInfo.endCursor : null);
  }, [first]);
  if (entries.length === 0) return <Text color="default2">{t("detail.none")}</Text>;
  const more = async () => {
    if (!cursor) return;
    setLoading(true);
    try {
      const page = await fetchLedgerPage(client, id, cursor);
      setEntries((list) => [...list, ...page.edges.map((edge) => edge.node)]);
      setCursor(page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null);
    } finally {
      setLoading(false);
    }
  };
  return (
    <>
      <Text size={2} color="default2">
        {t("detail.latest", { shown: entries.length, total: first.totalCount })}
      </Text>
      <table className="wd-table">
        <thead>
          <tr>
            <th>{t("detail.when")}</th>
            <th>{t("detail.what")}</th>
            <th className="wd-col-wide">{t("detail.order")}</th>
            <th>{t("detail.amount")}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry, index) => (
            <tr key={index} data-testid="ledger-row">
              <td>{formatDateTime(entry.createdAt, locale)}</td>
              <td>{t(`ledger.${entry.kind}` as "ledger.commission")}</td>
              <td className="wd-col-wide">{entry.orderId}</td>
              <td>{formatMoney(entry.amount, locale)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cursor ? (
        <Box>
          <Button variant="secondary" disabled={loading} onClick={more} data-testid="ledger-more">
            {t("detail.more")}
          </Button>
        </Box>
      ) : null}
    </>
  );
}
