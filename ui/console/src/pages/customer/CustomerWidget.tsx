/**
 * CUSTOMER_DETAILS_WIDGETS: on a customer's page in the dashboard, whether the customer is a distributor
 * or bound to one (per channel), and since when. The dashboard gives the widget the customer's id in
 * the URL (`customerId`, Saleor's global id).
 */
import { Box, Chip, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";

import { useDashboard } from "../../app/dashboard";
import { GraphQLFailure } from "../../app/graphql";
import { useClient, useT } from "../../app/hooks";
import { formatDateTime } from "../../app/i18n";
import { Empty, Failure, LoadingRows } from "../../components/states";
import { type CustomerDistribution, fetchCustomer } from "./api";
import { messages } from "./messages";

type Load = { kind: "loading" } | { kind: "failed"; failure: GraphQLFailure } | { kind: "ready"; data: CustomerDistribution };

const customerId = new URLSearchParams(window.location.search).get("customerId") ?? "";

export default function CustomerWidget() {
  const t = useT(messages);
  const client = useClient();
  const { locale } = useDashboard();
  const [reloads, setReloads] = useState(0);
  const [load, setLoad] = useState<Load>({ kind: "loading" });

  useEffect(() => {
    if (!customerId) return undefined;
    let current = true;
    setLoad({ kind: "loading" });
    fetchCustomer(client, customerId).then(
      (data) => current && setLoad({ kind: "ready", data }),
      (error: unknown) =>
        current &&
        setLoad({ kind: "failed", failure: error instanceof GraphQLFailure ? error : new GraphQLFailure("server", String(error)) }),
    );
    return () => {
      current = false;
    };
  }, [client, reloads]);

  const date = (value: string) => formatDateTime(value, locale);
  return (
    <Box display="flex" flexDirection="column" gap={3} data-testid="customer-widget">
      <Text as="h2" size={5} fontWeight="bold">
        {t("widget.title")}
      </Text>
      {!customerId ? <Empty title={t("widget.noCustomer")} /> : null}
      {customerId && load.kind === "loading" ? <LoadingRows rows={2} /> : null}
      {customerId && load.kind === "failed" ? (
        <Failure failure={load.failure} permission="MANAGE_USERS" onRetry={() => setReloads((n) => n + 1)} />
      ) : null}
      {customerId && load.kind === "ready" && !load.data.distributor && load.data.bindings.length === 0 ? (
        <Empty title={t("widget.none.title")} text={t("widget.none.text")} />
      ) : null}
      {load.kind === "ready" && load.data.distributor ? (
        <Box className="wd-card" data-testid="widget-distributor">
          <Box display="flex" gap={2} alignItems="center" flexWrap="wrap">
            <Text fontWeight="bold">{t("widget.isDistributor")}</Text>
            <Chip size="medium" data-testid="widget-status">
              {t(`status.${load.data.distributor.status}`)}
            </Chip>
          </Box>
          <Text data-testid="widget-since">
            {load.data.distributor.approvedAt
              ? t("widget.distributorSince", { date: date(load.data.distributor.approvedAt) })
              : t("widget.appliedOn", { date: date(load.data.distributor.createdAt) })}
          </Text>
          <Text color="default2" size={2}>
            {t("widget.level", {
              level: load.data.distributor.level,
              count: load.data.distributor.teamSize,
              code: load.data.distributor.referralCode,
            })}
          </Text>
        </Box>
      ) : null}
      {load.kind === "ready"
        ? load.data.bindings.map((binding, index) => (
            <Box className="wd-card" key={index} data-testid="widget-binding" data-active={binding.isActive}>
              <Text fontWeight="bold">{t(binding.isActive ? "widget.bound" : "widget.wasBound")}</Text>
              <Text>
                {binding.distributor.displayName} · {binding.distributor.referralCode}
              </Text>
              <Text data-testid="widget-bound-since">
                {t("widget.boundSince", { date: date(binding.boundAt) })} ·{" "}
                {binding.expiresAt
                  ? t(binding.isActive ? "widget.expires" : "widget.expired", { date: date(binding.expiresAt) })
                  : t("widget.forever")}
              </Text>
              <Text color="default2" size={2}>
                {t("widget.channel", { channel: binding.channel })}
                {binding.source ? ` · ${t("widget.source", { source: t(`source.${binding.source}` as "source.LINK") })}` : ""}
                {binding.throughWechat ? ` · ${t("widget.viaWechat")}` : ""}
              </Text>
            </Box>
          ))
        : null}
    </Box>
  );
}
