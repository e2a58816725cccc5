/**
 * The program's settings: paid levels, after-sales window, binding policy, withdrawal auto-approval and
 * limits. One save (channelProgramUpdate, validated as a whole by the server); a refusal is shown next
 * to the field it is about, in the server's words.
 */
import { Box, Button, Checkbox, Input, Text } from "@saleor/macaw-ui";
import { type ReactNode, useEffect, useState } from "react";

import type { MutationError } from "../../app/graphql";
import { useT } from "../../app/hooks";
import type { CodePriority, Override, Program, ProgramInput, Trigger } from "./api";
import { messages } from "./messages";

const TRIGGERS: Trigger[] = ["FIRST_CLICK", "FIRST_ORDER", "FIRST_PAYMENT", "REGISTRATION"];
const OVERRIDES: Override[] = ["NEVER", "AFTER_EXPIRY", "LAST_TOUCH"];
const PRIORITIES: CodePriority[] = ["VOUCHER_FIRST", "LINK_FIRST"];

interface Draft {
  commissionDepth: string;
  freezeDays: string;
  baseIncludesShipping: boolean;
  selfPurchaseEarns: boolean;
  trigger: Trigger;
  validityDays: string;
  forever: boolean;
  protectionDays: string;
  override: Override;
  codePriority: CodePriority;
  withdrawalAutoApproveBelow: string;
  withdrawalMinimum: string;
  withdrawalDailyLimit: string;
  autoApproveDistributors: boolean;
}

function draftOf(program: Program): Draft {
  const binding = program.bindingPolicy;
  return {
    commissionDepth: String(program.commissionDepth),
    freezeDays: String(program.freezeDays),
    baseIncludesShipping: program.baseIncludesShipping,
    selfPurchaseEarns: program.selfPurchaseEarns,
    trigger: binding.trigger,
    validityDays: binding.validityDays === null ? "" : String(binding.validityDays),
    forever: binding.validityDays === null,
    protectionDays: String(binding.protectionDays),
    override: binding.override,
    codePriority: binding.codePriority,
    withdrawalAutoApproveBelow: program.withdrawalAutoApproveBelow.amount,
    withdrawalMinimum: program.withdrawalMinimum.amount,
    withdrawalDailyLimit: program.withdrawalDailyLimit.amount,
    autoApproveDistributors: program.autoApproveDistributors,
  };
}

const WHOLE = /^\s*-?\d+\s*$/;

/** The input, or the fields that are not whole numbers (checked here: GraphQL's Int refuses them whole). */
function inputOf(draft: Draft): { input: ProgramInput | null; notWhole: string[] } {
  const ints = { commissionDepth: draft.commissionDepth, freezeDays: draft.freezeDays, protectionDays: draft.protectionDays };
  const notWhole = Object.entries(ints)
    .filter(([, value]) => !WHOLE.test(value))
    .map(([name]) => name);
  if (!draft.forever && !WHOLE.test(draft.validityDays)) notWhole.push("validityDays");
  if (notWhole.length) return { input: null, notWhole };
  return {
    notWhole,
    input: {
      commissionDepth: Number(draft.commissionDepth),
      freezeDays: Number(draft.freezeDays),
      baseIncludesShipping: draft.baseIncludesShipping,
      selfPurchaseEarns: draft.selfPurchaseEarns,
      bindingPolicy: {
        trigger: draft.trigger,
        validityDays: draft.forever ? null : Number(draft.validityDays),
        protectionDays: Number(draft.protectionDays),
        override: draft.override,
        codePriority: draft.codePriority,
      },
      withdrawalAutoApproveBelow: draft.withdrawalAutoApproveBelow.trim(),
      withdrawalMinimum: draft.withdrawalMinimum.trim(),
      withdrawalDailyLimit: draft.withdrawalDailyLimit.trim(),
      autoApproveDistributors: draft.autoApproveDistributors,
    },
  };
}

export function SettingsForm({
  program,
  onSave,
}: {
  program: Program;
  /** Save; resolves to the server's errors (none: saved). */
  onSave: (input: ProgramInput) => Promise<MutationError[]>;
}) {
  const t = useT(messages);
  const [draft, setDraft] = useState<Draft>(() => draftOf(program));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  useEffect(() => setDraft(draftOf(program)), [program]);

  const set = <K extends keyof Draft>(name: K, value: Draft[K]) => {
    setDraft((previous) => ({ ...previous, [name]: value }));
    setErrors((previous) => {
      const { [name]: _dropped, ...rest } = previous;
      return rest;
    });
  };

  const save = async () => {
    const { input, notWhole } = inputOf(draft);
    if (!input) {
      setErrors(Object.fromEntries(notWhole.map((name) => [name, t("input.wholeNumber")])));
      return;
    }
    setBusy(true);
    try {
      const refused = await onSave(input);
      setErrors(Object.fromEntries(refused.map((error) => [error.field ?? "", error.message ?? error.code])));
    } finally {
      setBusy(false);
    }
  };

  const currency = program.currency;
  const number = (name: keyof Draft & string, label: string, help?: string, disabled = false) => (
    <Input
      label={label}
      value={String(draft[name])}
      inputMode="numeric"
      disabled={disabled}
      error={Boolean(errors[name])}
      helperText={errors[name] ?? help}
      onChange={(event) => set(name, event.target.value as never)}
      data-testid={`setting-${name}`}
      aria-invalid={Boolean(errors[name])}
    />
  );
  const formError = errors[""];

  return (
    <Section title={t("settings.title")} testId="program-settings">
      <Grid>
        {number("commissionDepth", t("settings.depth"), t("settings.depthHelp"))}
        {number("freezeDays", t("settings.freezeDays"), t("settings.freezeDaysHelp"))}
      </Grid>
      <Box display="flex" gap={6} flexWrap="wrap">
        <Checkbox
          checked={draft.baseIncludesShipping}
          onCheckedChange={(on) => set("baseIncludesShipping", on === true)}
          data-testid="setting-baseIncludesShipping"
        >
          <Text>{t("settings.shipping")}</Text>
        </Checkbox>
        <Checkbox
          checked={draft.selfPurchaseEarns}
          onCheckedChange={(on) => set("selfPurchaseEarns", on === true)}
          data-testid="setting-selfPurchaseEarns"
        >
          <Text>{t("settings.selfPurchase")}</Text>
        </Checkbox>
      </Box>

      <Text as="h3" size={5} fontWeight="bold">
        {t("settings.binding")}
      </Text>
      <Grid>
        <NativeSelect
          label={t("settings.trigger")}
          value={draft.trigger}
          options={TRIGGERS.map((value) => [value, t(`trigger.${value}`)])}
          onChange={(value) => set("trigger", value as Trigger)}
          error={errors.trigger}
          testId="setting-trigger"
        />
        <Box display="flex" flexDirection="column" gap={2}>
          {number("validityDays", t("settings.validity"), t("settings.validityHelp"), draft.forever)}
          <Checkbox
            checked={draft.forever}
            onCheckedChange={(on) => set("forever", on === true)}
            data-testid="setting-forever"
          >
            <Text size={3}>{t("settings.forever")}</Text>
          </Checkbox>
        </Box>
        {number("protectionDays", t("settings.protection"), t("settings.protectionHelp"))}
        <NativeSelect
          label={t("settings.override")}
          value={draft.override}
          options={OVERRIDES.map((value) => [value, t(`override.${value}`)])}
          onChange={(value) => set("override", value as Override)}
          error={errors.override}
          testId="setting-override"
        />
        <NativeSelect
          label={t("settings.codePriority")}
          value={draft.codePriority}
          options={PRIORITIES.map((value) => [value, t(`codePriority.${value}`)])}
          onChange={(value) => set("codePriority", value as CodePriority)}
          error={errors.codePriority}
          testId="setting-codePriority"
        />
      </Grid>

      <Text as="h3" size={5} fontWeight="bold">
        {t("settings.applications")}
      </Text>
      <Box display="flex" flexDirection="column" gap={1}>
        <Checkbox
          checked={draft.autoApproveDistributors}
          onCheckedChange={(on) => set("autoApproveDistributors", on === true)}
          data-testid="setting-autoApproveDistributors"
        >
          <Text>{t("settings.autoApproveDistributors")}</Text>
        </Checkbox>
        <Text size={3} color={errors.autoApproveDistributors ? "critical1" : "default2"}>
          {errors.autoApproveDistributors ?? t("settings.autoApproveDistributorsHelp")}
        </Text>
      </Box>

      <Text as="h3" size={5} fontWeight="bold">
        {t("settings.withdrawals")}
      </Text>
      <Grid>
        {number("withdrawalAutoApproveBelow", t("settings.autoApprove", { currency }), t("settings.autoApproveHelp"))}
        {number("withdrawalMinimum", t("settings.minimum", { currency }))}
        {number("withdrawalDailyLimit", t("settings.dailyLimit", { currency }))}
      </Grid>
      {formError ? (
        <Text color="critical1" data-testid="settings-error">
          {formError}
        </Text>
      ) : null}
      <Box display="flex" justifyContent="flex-end">
        <Button onClick={save} disabled={busy} data-testid="settings-save">
          {t("settings.save")}
        </Button>
      </Box>
    </Section>
  );
}

export function Section({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <Box
      as="section"
      data-testid={testId}
      display="flex"
      flexDirection="column"
      gap={4}
      padding={6}
      borderStyle="solid"
      borderWidth={1}
      borderColor="default1"
      borderRadius={4}
      backgroundColor="default1"
    >
      <Text as="h2" size={7} fontWeight="bold">
        {title}
      </Text>
      {children}
    </Box>
  );
}

function Grid({ children }: { children: ReactNode }) {
  return <div className="wd-form-grid">{children}</div>;
}

/** A plain <select> in the dashboard's look (works the same with a mouse, a finger or a test driver). */
export function NativeSelect({
  label,
  value,
  options,
  onChange,
  error,
  testId,
  compact = false,
}: {
  label: string;
  value: string;
  options: [string, string][];
  onChange: (value: string) => void;
  error?: string;
  testId: string;
  compact?: boolean;
}) {
  return (
    <label className={compact ? "wd-select wd-select-compact" : "wd-select"}>
      {compact ? null : <span className="wd-select-label">{label}</span>}
      <select
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-label={label}
        aria-invalid={Boolean(error)}
        data-testid={testId}
      >
        {options.map(([option, text]) => (
          <option key={option} value={option}>
            {text}
          </option>
        ))}
      </select>
      {error ? <span className="wd-field-error">{error}</span> : null}
    </label>
  );
}
