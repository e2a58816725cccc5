/**
 * Storefronts and Official Accounts: every storefront (newest first, paged, searchable by slug or title)
 * with the account serving it and its state (authorized, unauthorized, none of its own), filterable by that
 * state; the accounts detached from their storefront; and a storefront's Open Platform authorization link.
 */
import { Box, Button, Chip, Input, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState } from "react";

import { useDashboard } from "../../app/dashboard";
import { useClient, useT } from "../../app/hooks";
import { formatDateTime, type Locale } from "../../app/i18n";
import { Pager, useDebounced, useKeysetPages } from "../../components/keysetPaging";
import { Empty, Failure, LoadingRows } from "../../components/states";
import {
  type Account,
  type AccountFilter,
  completeAuthorization,
  fetchDetached,
  fetchStorefronts,
  PAGE_SIZE,
  type StorefrontRow,
} from "./api";
import { AuthorizationDialog } from "./AuthorizationDialog";
import { AUTHORIZATION_MESSAGE } from "./AuthorizationReturn";
import { messages } from "./messages";

type T = ReturnType<typeof useT<typeof messages.en>>;
type View = AccountFilter | "DETACHED";
const VIEWS: View[] = ["ALL", "ACTIVE", "UNAUTHORIZED", "NONE", "DETACHED"];

const STATUS_COLOR: Record<string, "default1" | "success1" | "critical1" | "warning1"> = {
  active: "success1",
  unauthorized: "critical1",
  detached: "warning1",
  none: "default1",
};

export default function StorefrontsPage() {
  const t = useT(messages);
  const client = useClient();
  const { locale, notify } = useDashboard();
  const [view, setView] = useState<View>("ALL");
  const [search, setSearch] = useState("");
  const appliedSearch = useDebounced(search);
  const [authorizing, setAuthorizing] = useState<StorefrontRow | null>(null);
  const detached = view === "DETACHED";
  // the list starts again from its first page when the view or the search changes (both make its key)
  const fetch = useCallback(
    (after: string | null) =>
      view === "DETACHED"
        ? fetchDetached(client, after, appliedSearch)
        : fetchStorefronts(client, after, appliedSearch, view),
    [client, view, appliedSearch],
  );
  const { load, pageIndex, next, previous, reload } = useKeysetPages<
    Awaited<ReturnType<typeof fetchStorefronts>> | Awaited<ReturnType<typeof fetchDetached>>
  >(fetch, `${view}\u0000${appliedSearch}`);

  // the authorization page's tab (opened from the dialog) hands back WeChat's code: bind with our token
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    const receive = (event: MessageEvent) => {
      const data = event.data as { type?: string; storefront?: string; authCode?: string } | null;
      if (event.origin !== window.location.origin || data?.type !== AUTHORIZATION_MESSAGE) return;
      if (!data.storefront || !data.authCode) return;
      const title = authorizing?.id === data.storefront ? authorizing.title : data.storefront;
      setAuthorizing(null);
      completeAuthorization(client, data.storefront, data.authCode).then(
        ({ account, error }) => {
          const text = error
            ? t("complete.failed", { title, message: error.message ?? error.code })
            : t("complete.done", { title, account: account ?? "" });
          setOutcome({ ok: !error, text });
          notify(error ? "error" : "success", text);
          reload();
        },
        (caught: unknown) => setOutcome({ ok: false, text: t("complete.failed", { title, message: String(caught) }) }),
      );
    };
    window.addEventListener("message", receive);
    return () => window.removeEventListener("message", receive);
  }, [client, authorizing, notify, reload, t]);

  const total = load.kind === "ready" ? load.page.totalCount : null;
  const nodes = load.kind === "ready" ? load.page.nodes : [];
  const from = pageIndex * PAGE_SIZE + 1;
  const refused = load.kind === "failed" && load.failure.kind === "permission";
  const emptyText = appliedSearch.trim()
    ? t("empty.search", { search: appliedSearch.trim() })
    : view === "ALL"
      ? t("empty.text")
      : t("empty.filter");
  return (
    <Box display="flex" flexDirection="column" gap={5} data-testid="storefronts-page">
      <Box display="flex" alignItems="baseline" gap={3} flexWrap="wrap">
        <Text as="h1" size={10} fontWeight="bold">
          {t("page.title")}
        </Text>
        <Text size={7} color="default2">
          {t("page.subtitle")}
        </Text>
        {total !== null ? (
          <Chip size="large" data-testid="storefront-count">
            {total === 1
              ? t(detached ? "page.totalDetachedOne" : "page.totalOne")
              : t(detached ? "page.totalDetached" : "page.total", { count: total })}
          </Chip>
        ) : null}
      </Box>

      {refused ? null : (
        <Box display="flex" gap={4} flexWrap="wrap" alignItems="flex-end">
          <Box __width="min(420px, 100%)">
            <Input
              label={t(detached ? "search.labelDetached" : "search.label")}
              placeholder={t(detached ? "search.placeholderDetached" : "search.placeholder")}
              value={search}
              onChange={(event) => setSearch(event.target.value)}
              data-testid="search"
            />
          </Box>
          <Box display="flex" gap={2} flexWrap="wrap" role="group" aria-label={t("filter.label")}>
            {VIEWS.map((option) => (
              <Button
                key={option}
                size="small"
                variant={option === view ? "primary" : "secondary"}
                aria-pressed={option === view}
                onClick={() => setView(option)}
                data-testid={`filter-${option}`}
              >
                {t(`filter.${option}`)}
              </Button>
            ))}
          </Box>
        </Box>
      )}

      {outcome ? (
        <Box
          data-testid="authorization-result"
          role="status"
          padding={4}
          borderRadius={3}
          backgroundColor={outcome.ok ? "success1" : "critical1"}
          display="flex"
          justifyContent="space-between"
          gap={3}
        >
          <Text fontWeight="medium">{outcome.text}</Text>
          <Button variant="tertiary" size="small" onClick={() => setOutcome(null)} aria-label="×">
            ×
          </Button>
        </Box>
      ) : null}

      {load.kind === "loading" ? <LoadingRows rows={6} /> : null}
      {load.kind === "failed" ? <Failure failure={load.failure} permission="MANAGE_USERS" onRetry={reload} /> : null}
      {load.kind === "ready" && nodes.length === 0 ? (
        detached ? (
          <Empty title={t("empty.detachedTitle")} text={appliedSearch.trim() ? t("empty.search", { search: appliedSearch.trim() }) : t("empty.detachedText")} />
        ) : (
          <Empty title={t("empty.title")} text={emptyText} />
        )
      ) : null}
      {load.kind === "ready" && nodes.length > 0 ? (
        <>
          {detached ? (
            <DetachedTable accounts={nodes as Account[]} locale={locale} t={t} />
          ) : (
            <StorefrontTable storefronts={nodes as StorefrontRow[]} t={t} onAuthorize={setAuthorizing} />
          )}
          <Pager
            hasPrevious={pageIndex > 0}
            hasNext={load.page.hasNextPage}
            onPrevious={previous}
            onNext={next}
            labels={{
              range: t("paging.range", { from, to: from + nodes.length - 1, total: total ?? 0 }),
              previous: t("paging.previous"),
              next: t("paging.next"),
            }}
          />
        </>
      ) : null}

      <AuthorizationDialog storefront={authorizing} client={client} onClose={() => setAuthorizing(null)} />
    </Box>
  );
}

function StatusChip({ status, t }: { status: string; t: T }) {
  const key = (["active", "unauthorized", "detached"].includes(status) ? status : "none") as
    | "active"
    | "unauthorized"
    | "detached"
    | "none";
  return (
    <Chip size="large" backgroundColor={STATUS_COLOR[key]} data-testid="account-status" data-status={key}>
      {t(`status.${key}`)}
    </Chip>
  );
}

function AccountCell({ account, t }: { account: Account; t: T }) {
  return (
    <>
      <Text fontWeight="medium" display="block">
        {account.name || account.appId}
      </Text>
      <Text size={2} color="default2" display="block">
        {account.appId} · {t(`account.mode.${account.mode}`)}
        {account.isCertifiedServiceAccount ? ` · ${t("account.certified")}` : ""}
      </Text>
    </>
  );
}

function StorefrontTable({
  storefronts,
  t,
  onAuthorize,
}: {
  storefronts: StorefrontRow[];
  t: T;
  onAuthorize: (storefront: StorefrontRow) => void;
}) {
  return (
    <table className="wd-table" data-testid="storefronts">
      <thead>
        <tr>
          <th>{t("table.storefront")}</th>
          <th className="wd-col-wide">{t("table.owner")}</th>
          <th>{t("table.account")}</th>
          <th>{t("table.status")}</th>
          <th className="wd-col-actions">{t("table.actions")}</th>
        </tr>
      </thead>
      <tbody>
        {storefronts.map((storefront) => {
          const account = storefront.officialAccount;
          return (
            <tr key={storefront.id} data-testid="storefront-row" data-slug={storefront.slug}>
              <td>
                <Text fontWeight="medium" display="block">
                  {storefront.title}
                </Text>
                <Text size={2} color="default2" display="block">
                  {storefront.slug} · {t("storefront.channel", { channel: storefront.channel })}
                  {storefront.isActive ? "" : ` · ${t("storefront.inactive")}`}
                </Text>
              </td>
              <td className="wd-col-wide">
                {storefront.isBrand ? (
                  <Text color="default2">{t("storefront.brand")}</Text>
                ) : (
                  <>
                    <Text display="block">{storefront.distributorName}</Text>
                    <Text size={2} color="default2" display="block">
                      {storefront.referralCode}
                    </Text>
                  </>
                )}
              </td>
              <td data-testid="account-cell">
                {account ? <AccountCell account={account} t={t} /> : <Text color="default2">{t("account.none")}</Text>}
              </td>
              <td>
                <StatusChip status={account?.status ?? "none"} t={t} />
                {account?.status === "unauthorized" ? (
                  <Text size={2} color="default2" display="block" marginTop={1}>
                    {t("status.unauthorizedHelp")}
                  </Text>
                ) : null}
              </td>
              <td className="wd-col-actions">
                <Box display="flex" justifyContent="flex-end">
                  <Button size="small" variant="secondary" onClick={() => onAuthorize(storefront)} data-testid="authorize">
                    {t(account?.status === "unauthorized" ? "action.reauthorize" : "action.authorize")}
                  </Button>
                </Box>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function DetachedTable({ accounts, locale, t }: { accounts: Account[]; locale: Locale; t: T }) {
  return (
    <table className="wd-table" data-testid="detached-accounts">
      <thead>
        <tr>
          <th>{t("table.account")}</th>
          <th>{t("table.status")}</th>
          <th className="wd-col-wide">{t("table.updated")}</th>
        </tr>
      </thead>
      <tbody>
        {accounts.map((account) => (
          <tr key={account.appId} data-testid="detached-row" data-app-id={account.appId}>
            <td>
              <AccountCell account={account} t={t} />
            </td>
            <td>
              <StatusChip status={account.status} t={t} />
            </td>
            <td className="wd-col-wide">{formatDateTime(account.updatedAt, locale)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
