/** What the last decision did: how many changed, and each applicant that could not be changed and why. */
import { Box, Button, Text } from "@saleor/macaw-ui";

import { useT } from "../../app/hooks";
import { messages } from "./messages";

export interface DecisionSummary {
  action: "approve" | "reject";
  done: number;
  failures: { name: string; message: string }[];
}

export function ResultBanner({ summary, onClose }: { summary: DecisionSummary; onClose: () => void }) {
  const t = useT(messages);
  const failed = summary.failures.length > 0;
  return (
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
      borderColor={failed ? "warning1" : "success1"}
      backgroundColor={failed ? "warning1" : "success1"}
    >
      <Box display="flex" flexDirection="column" gap={1}>
        <Text fontWeight="medium">
          {t(summary.action === "approve" ? "result.approved" : "result.rejected", { count: summary.done })}
          {failed ? ` · ${t("result.failed", { count: summary.failures.length })}` : ""}
        </Text>
        {summary.failures.map((failure, index) => (
          <Text key={index} size={3} data-testid="result-failure">
            {failure.name ? t("result.failedItem", { name: failure.name, message: failure.message }) : failure.message}
          </Text>
        ))}
      </Box>
      <Button variant="tertiary" size="small" onClick={onClose} aria-label="×">
        ×
      </Button>
    </Box>
  );
}
