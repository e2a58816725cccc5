/**
 * Card-pack coupons: the vouchers (newest first, paged, searchable), each with its WeChat stocks, their sync
 * state and notes, and the actions that exist: sync, attach a stock WeChat Pay did not name, link a legacy
 * card. Every action goes through a confirmation; the page reloads after it.
 */
import { Box, Button, Chip, Input, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState } from "react";

import { useDashboard } from "../../app/dashboard";
import type { MutationError } from "../../app/graphql";
import { useClient, useT } from "../../app/hooks";
import { formatDateTime, type Locale } from "../../app/i18n";
import { asFailure, Pager, useDebounced, useKeysetPages } from "../../components/keysetPaging";
import { Empty, Failure, LoadingRows } from "../../components/states";
import { ActionDialog, type ActionValues, type VoucherAction } from "./ActionDialog";
import {
  attachStock,
  type CouponVoucher,
  fetchVouchers,
  linkCard,
  PAGE_SIZE,
  type Stock,
  type SyncStatus,
  syncVoucher,
} from "./api";
import { messages } from "./messages";

type T = ReturnType<typeof useT<typeof messages.en>>;

const STATUS_COLOR: Record<SyncStatus | "NONE", "default1" | "success1" | "critical1" | "info1" | "warning1"> = {
  NONE: "default1",
  PENDING: "info1",
  SYNCING: "info1",
  SYNCED: "success1",
  FAILED: "critical1",
  DEACTIVATED: "warning1",
};

/** How often a sync in progress is looked at again. */
const FOLLOW_EVERY_MS = 1500;
/** How long a voucher just sent to sync is waited for when it has no stock yet. */
const FOLLOW_FIRST_STOCK_MS = 30_000;

export default function CouponsPage() {
  const t = useT(messages);
  const client = useClient();
  const { locale, notify } = useDashboard();
  const [search, setSearch] = useState("");
  const appliedSearch = useDebounced(search);
  const fetch = useCallback((after: string | null, text: string) => fetchVouchers(client, after, text), [client]);
  const { load, pageIndex, next, previous, reload, refresh } = useKeysetPages(fetch, appliedSearch);
  // vouchers whose sync was asked for here (until when to wait for its first stock): the page follows them
  const [following, setFollowing] = useState<Map<string, number>>(new Map());
  const [action, setAction] = useState<{ kind: VoucherAction; voucher: CouponVoucher } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<MutationError | null>(null);
  const [failedAction, setFailedAction] = useState<ReturnType<typeof asFailure> | null>(null);

  const open = (kind: VoucherAction, voucher: CouponVoucher) => {
    setError(null);
    setAction({ kind, voucher });
  };

  const perform = async (values: ActionValues) => {
    if (!action) return;
    const { kind, voucher } = action;
    setBusy(true);
    try {
      const refused =
        kind === "sync"
          ? await syncVoucher(client, voucher.voucherId)
          : kind === "attach"
            ? await attachStock(client, voucher.voucherId, values.stockId.trim())
            : await linkCard(client, voucher.voucherId, values.appId.trim(), values.cardId.trim());
      if (refused) {
        setError(refused);
        return;
      }
      const done = { sync: "result.synced", attach: "result.attached", link: "result.linked" } as const;
      notify("success", t(done[kind], { name: voucher.name || voucher.voucherId }));
      if (kind !== "link") {
        setFollowing((current) => new Map([...current, [voucher.voucherId, Date.now() + FOLLOW_FIRST_STOCK_MS]]));
      }
      setAction(null);
      reload();
    } catch (caught) {
      setAction(null);
      setFailedAction(asFailure(caught));
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (load.kind !== "ready") return undefined;
    const unsettled = (v: CouponVoucher) =>
      v.coupon.status === "PENDING" ||
      v.coupon.status === "SYNCING" ||
      (!v.coupon.status && (following.get(v.voucherId) ?? 0) > Date.now());
    const waiting = load.page.vouchers.filter(unsettled);
    const settled = [...following.keys()].filter((id) => !waiting.some((v) => v.voucherId === id));
    if (settled.length) {
      setFollowing((current) => new Map([...current].filter(([id]) => !settled.includes(id))));
    }
    if (waiting.length === 0) return undefined;
    const timer = window.setTimeout(refresh, FOLLOW_EVERY_MS);
    return () => window.clearTimeout(timer);
  }, [load, following, refresh]);

  const failure = failedAction ?? (load.kind === "failed" ? load.failure : null);
  const vouchers = load.kind === "ready" && !failure ? load.page.vouchers : [];
  const total = load.kind === "ready" ? load.page.totalCount : null;
  const from = pageIndex * PAGE_SIZE + 1;
  // the app id a card most likely belongs to: one the vouchers' stocks already use
  const knownAppId = vouchers.flatMap((v) => v.coupon.stocks.map((s) => s.appId))[0] ?? "";
  return (
    <Box display="flex" flexDirection="column" gap={5} data-testid="coupons-page">
      <Box display="flex" alignItems="baseline" gap={3} flexWrap="wrap">
        <Text as="h1" size={10} fontWeight="bold">
          {t("page.title")}
        </Text>
        <Text size={7} color="default2">
          {t("page.subtitle")}
        </Text>
        {total !== null && !failure ? (
          <Chip size="large" data-testid="voucher-count">
            {total === 1 ? t("page.totalOne") : t("page.total", { count: total })}
          </Chip>
        ) : null}
      </Box>

      {failure?.kind === "permission" ? null : (
        <Box __maxWidth="420px">
          <Input
            label={t("search.label")}
            placeholder={t("search.placeholder")}
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            data-testid="search"
          />
        </Box>
      )}

      {load.kind === "loading" && !failure ? <LoadingRows rows={6} /> : null}
      {failure ? (
        <Failure
          failure={failure}
          permission="MANAGE_DISCOUNTS"
          onRetry={() => {
            setFailedAction(null);
            reload();
          }}
        />
      ) : null}
      {load.kind === "ready" && !failure && vouchers.length === 0 ? (
        <Empty
          title={t("empty.title")}
          text={appliedSearch.trim() ? t("empty.search", { search: appliedSearch.trim() }) : t("empty.text")}
        />
      ) : null}
      {load.kind === "ready" && !failure && vouchers.length > 0 ? (
        <>
          <table className="wd-table" data-testid="vouchers">
            <thead>
              <tr>
                <th>{t("table.voucher")}</th>
                <th className="wd-col-wide">{t("table.codes")}</th>
                <th>{t("table.stock")}</th>
                <th>{t("table.sync")}</th>
                <th className="wd-col-wide">{t("table.notes")}</th>
                <th className="wd-col-actions">{t("table.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {vouchers.map((voucher) => (
                <VoucherRow key={voucher.voucherId} voucher={voucher} locale={locale} t={t} onAction={(kind) => open(kind, voucher)} />
              ))}
            </tbody>
          </table>
          <Pager
            hasPrevious={pageIndex > 0}
            hasNext={load.page.hasNextPage}
            onPrevious={previous}
            onNext={next}
            labels={{
              range: t("paging.range", { from, to: from + vouchers.length - 1, total: total ?? 0 }),
              previous: t("paging.previous"),
              next: t("paging.next"),
            }}
          />
        </>
      ) : null}

      <ActionDialog
        action={action?.kind ?? null}
        voucher={action?.voucher ?? null}
        busy={busy}
        error={error}
        defaultAppId={knownAppId}
        onConfirm={perform}
        onClose={() => (busy ? undefined : setAction(null))}
      />
    </Box>
  );
}

function VoucherRow({
  voucher,
  locale,
  t,
  onAction,
}: {
  voucher: CouponVoucher;
  locale: Locale;
  t: T;
  onAction: (kind: VoucherAction) => void;
}) {
  const { coupon } = voucher;
  const status = coupon.status ?? "NONE";
  const awaitingStock = coupon.stocks.some((s) => s.status === "FAILED" && s.errorCode === "STOCK_EXISTS");
  const notes = [
    ...coupon.stocks.flatMap((s) => s.notices.map((n) => n.message)),
    ...coupon.stocks.filter((s) => s.rejectedCount > 0).map((s) => t("notes.rejected", { count: s.rejectedCount })),
    ...coupon.couponNotes.map((n) => t("notes.coupons", { count: n.count, message: n.message })),
  ];
  return (
    <tr data-testid="voucher-row" data-voucher={voucher.voucherId} data-name={voucher.name} data-status={status}>
      <td>
        <Text fontWeight="medium" display="block">
          {voucher.name || voucher.voucherId}
        </Text>
        <Text size={2} color="default2" display="block">
          {voucher.voucherId} · {t("voucher.channel", { channel: voucher.channel || "—" })}
          {voucher.active ? "" : ` · ${t("voucher.inactive")}`}
        </Text>
      </td>
      <td className="wd-col-wide">{voucher.codeCount}</td>
      <td data-testid="stock-cell">
        {coupon.stocks.length === 0 ? <Text color="default2">{t("stock.none")}</Text> : null}
        {coupon.stocks.map((stock) => (
          <StockLine key={`${stock.mchid}/${stock.appId}`} stock={stock} t={t} />
        ))}
      </td>
      <td data-testid="sync-cell">
        <Chip size="large" backgroundColor={STATUS_COLOR[status]} data-testid="sync-status">
          {t(`status.${status}`)}
        </Chip>
        {coupon.stocks.map((stock) => (
          <SyncLine key={`${stock.mchid}/${stock.appId}`} stock={stock} locale={locale} t={t} />
        ))}
      </td>
      <td className="wd-col-wide" data-testid="notes-cell">
        {notes.length === 0 ? <Text color="default2">{t("notes.none")}</Text> : null}
        {notes.map((note, index) => (
          <Text key={index} size={2} display="block">
            {note}
          </Text>
        ))}
      </td>
      <td className="wd-col-actions">
        <Box display="flex" gap={2} justifyContent="flex-end" flexWrap="wrap">
          <Button size="small" onClick={() => onAction("sync")} data-testid="sync">
            {t(coupon.stocks.length ? "action.resync" : "action.sync")}
          </Button>
          {awaitingStock ? (
            <Button size="small" variant="secondary" onClick={() => onAction("attach")} data-testid="attach">
              {t("action.attach")}
            </Button>
          ) : null}
          <Button size="small" variant="secondary" onClick={() => onAction("link")} data-testid="link">
            {t("action.link")}
          </Button>
        </Box>
      </td>
    </tr>
  );
}

function StockLine({ stock, t }: { stock: Stock; t: T }) {
  const label = stock.kind === "card" ? t("stock.card", { appId: stock.appId }) : t("stock.busifavor", { mchid: stock.mchid });
  return (
    <Box display="flex" flexDirection="column" data-testid="stock">
      <Text fontWeight="medium" size={3} data-testid="stock-id-text">
        {stock.stockId ?? t("stock.awaitingId")}
      </Text>
      <Text size={2} color="default2">
        {label}
      </Text>
    </Box>
  );
}

function SyncLine({ stock, locale, t }: { stock: Stock; locale: Locale; t: T }) {
  if (stock.kind === "card") return null;
  return (
    <Box display="flex" flexDirection="column" marginTop={1}>
      {stock.codesTotal > 0 ? (
        <Text size={2} color="default2">
          {t("sync.progress", { uploaded: stock.codesUploaded, total: stock.codesTotal })}
        </Text>
      ) : null}
      {stock.status === "SYNCED" && stock.syncedAt ? (
        <Text size={2} color="default2">
          {t("sync.syncedAt", { when: formatDateTime(stock.syncedAt, locale) })}
        </Text>
      ) : null}
      {stock.status === "FAILED" && stock.errorCode === "STOCK_EXISTS" ? (
        <Text size={2} color="critical1" fontWeight="medium" data-testid="sync-hint">
          {t("sync.stockExists")}
        </Text>
      ) : null}
      {stock.status === "FAILED" && (stock.errorMessage || stock.errorCode) ? (
        <Text size={2} color="critical1" data-testid="sync-error" className="wd-detail">
          {stock.errorMessage ?? stock.errorCode}
        </Text>
      ) : null}
    </Box>
  );
}
