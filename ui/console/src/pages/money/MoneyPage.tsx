/**
 * Money: withdrawals to approve (with totals) and the stuck or failed ones with the action that helps,
 * commissions by status with filters and a CSV export, disputes to resolve. Requires MANAGE_ORDERS.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useCallback, useState } from "react";

import { useDashboard } from "../../app/dashboard";
import { useT } from "../../app/hooks";
import type { Outcome, Report } from "./actions";
import { CommissionsTab } from "./CommissionsTab";
import { DisputesTab } from "./DisputesTab";
import { messages } from "./messages";
import { WithdrawalsTab } from "./WithdrawalsTab";

type Tab = "withdrawals" | "commissions" | "disputes";
const TABS: Tab[] = ["withdrawals", "commissions", "disputes"];

export default function MoneyPage() {
  const t = useT(messages);
  const { notify } = useDashboard();
  const [tab, setTab] = useState<Tab>("withdrawals");
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const report = useCallback<Report>(
    (next) => {
      setOutcome(next);
      notify(next.ok ? "success" : "warning", next.text);
    },
    [notify],
  );
  return (
    <Box display="flex" flexDirection="column" gap={5} data-testid="money-page">
      <Box display="flex" alignItems="baseline" gap={3} flexWrap="wrap">
        <Text as="h1" size={10} fontWeight="bold">
          {t("page.title")}
        </Text>
        <Text size={7} color="default2">
          {t("page.subtitle")}
        </Text>
      </Box>
      <Box display="flex" gap={2} role="tablist" flexWrap="wrap">
        {TABS.map((name) => (
          <Button
            key={name}
            role="tab"
            aria-selected={tab === name}
            variant={tab === name ? "primary" : "secondary"}
            onClick={() => {
              setOutcome(null);
              setTab(name);
            }}
            data-testid={`tab-${name}`}
          >
            {t(`tab.${name}`)}
          </Button>
        ))}
      </Box>
      {outcome ? (
        <Box
          data-testid="result-banner"
          role="status"
          display="flex"
          justifyContent="space-between"
          gap={3}
          padding={4}
          borderRadius={3}
          borderStyle="solid"
          borderWidth={1}
          borderColor={outcome.ok ? "success1" : "warning1"}
          backgroundColor={outcome.ok ? "success1" : "warning1"}
        >
          <Text fontWeight="medium">{outcome.text}</Text>
          <Button variant="tertiary" size="small" onClick={() => setOutcome(null)} aria-label="×">
            ×
          </Button>
        </Box>
      ) : null}
      {tab === "withdrawals" ? <WithdrawalsTab report={report} /> : null}
      {tab === "commissions" ? <CommissionsTab report={report} /> : null}
      {tab === "disputes" ? <DisputesTab report={report} /> : null}
    </Box>
  );
}
