/**
 * The commission rules editor: one row per rule (level, rate or fixed amount, product / category /
 * distributor kind scope). The set is saved as a whole (commissionRulesSet); the server refuses a level
 * beyond the paid levels, rates over 100 % in total, two rules for the same scope..., and its refusal is
 * shown on the rule and field it is about (the error's ``index`` and ``field``), in its own words.
 */
import { Box, Button, Input, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState } from "react";

import { useClient, useT } from "../../app/hooks";
import {
  categoryNames,
  type Kind,
  productNames,
  type Rule,
  type RuleError,
  type RuleInput,
  searchCategories,
  searchProducts,
} from "./api";
import { CatalogPicker, type PickerOption } from "./CatalogPicker";
import { messages } from "./messages";
import { NativeSelect, Section } from "./SettingsForm";

interface Row {
  key: number;
  level: string;
  basis: "rate" | "fixed";
  value: string;
  productId: string;
  categoryId: string;
  kind: Kind | "";
}

let nextKey = 1;

function rowOf(rule: Rule): Row {
  return {
    key: nextKey++,
    level: String(rule.level),
    basis: rule.rate !== null ? "rate" : "fixed",
    value: rule.rate ?? rule.fixedAmount?.amount ?? "",
    productId: rule.productId ?? "",
    categoryId: rule.categoryId ?? "",
    kind: rule.distributorKind ?? "",
  };
}

function inputOf(row: Row): RuleInput {
  const input: RuleInput = { level: Number(row.level) };
  if (row.basis === "rate") input.rate = row.value.trim();
  else input.fixedAmount = row.value.trim();
  if (row.productId.trim()) input.productId = row.productId.trim();
  if (row.categoryId.trim()) input.categoryId = row.categoryId.trim();
  if (row.kind) input.distributorKind = row.kind;
  return input;
}

/** Errors by row position, then by field ("level", "value", "productId", "categoryId", "row"). */
type RowErrors = Record<number, Record<string, string>>;

const FIELD_LABELS: Record<string, "rules.level" | "rules.value" | "rules.product" | "rules.category"> = {
  level: "rules.level",
  value: "rules.value",
  productId: "rules.product",
  categoryId: "rules.category",
};

function fieldOf(error: RuleError): string {
  if (error.field === "rate" || error.field === "fixedAmount") return "value";
  if (error.field === "level" || error.field === "productId" || error.field === "categoryId") return error.field;
  return "row";
}

export function RulesEditor({
  rules,
  currency,
  channel,
  onSave,
}: {
  rules: Rule[];
  currency: string;
  /** The program's channel: products are picked from its catalog (categories are the shop's). */
  channel: string;
  /** Save the whole set; resolves to the server's errors (none: saved). */
  onSave: (rules: RuleInput[]) => Promise<RuleError[]>;
}) {
  const t = useT(messages);
  const [rows, setRows] = useState<Row[]>(() => rules.map(rowOf));
  const [errors, setErrors] = useState<RowErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const client = useClient();
  /** product id -> the catalog's name (picked now, or looked up once for the saved rules) */
  const [titles, setTitles] = useState<Record<string, string>>({});
  useEffect(() => {
    setRows(rules.map(rowOf));
    setErrors({});
    setGeneral(null);
  }, [rules]);
  /** category id -> its path in the shop's category tree ("Appliances / Refrigerators") */
  const [paths, setPaths] = useState<Record<string, string>>({});
  useEffect(() => {
    const saved = (pick: (rule: Rule) => string | null) => [
      ...new Set(rules.map(pick).filter((id): id is string => Boolean(id))),
    ];
    let current = true;
    // a missing name is no error: the rule shows its id, as it did before the pickers
    productNames(client, channel, saved((rule) => rule.productId)).then(
      (found) => current && setTitles((previous) => ({ ...previous, ...found })),
      () => undefined,
    );
    categoryNames(client, saved((rule) => rule.categoryId)).then(
      (found) => current && setPaths((previous) => ({ ...previous, ...found })),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client, channel, rules]);
  const findProducts = useCallback(
    async (text: string): Promise<PickerOption[]> =>
      (await searchProducts(client, channel, text)).map((product) => ({
        id: product.id,
        title: product.title,
        detail: `${product.price.amount} ${product.price.currency}`,
      })),
    [client, channel],
  );
  const findCategories = useCallback(
    async (text: string): Promise<PickerOption[]> =>
      (await searchCategories(client, text)).map((category) => ({ id: category.id, title: category.path })),
    [client],
  );

  const update = (index: number, change: Partial<Row>) => {
    setRows((previous) => previous.map((row, i) => (i === index ? { ...row, ...change } : row)));
    setErrors((previous) => {
      const { [index]: _dropped, ...rest } = previous;
      return rest;
    });
  };
  const remove = (index: number) => {
    setRows((previous) => previous.filter((_, i) => i !== index));
    setErrors({});
  };
  const add = () =>
    setRows((previous) => [
      ...previous,
      { key: nextKey++, level: "1", basis: "rate", value: "", productId: "", categoryId: "", kind: "" },
    ]);

  const save = async () => {
    setGeneral(null);
    const local: RowErrors = {};
    rows.forEach((row, index) => {
      if (!/^\s*-?\d+\s*$/.test(row.level)) local[index] = { level: t("input.wholeNumber") };
      else if (!row.value.trim()) local[index] = { value: t("input.required") };
    });
    if (Object.keys(local).length) {
      setErrors(local);
      return;
    }
    setBusy(true);
    try {
      const refused = await onSave(rows.map(inputOf));
      const next: RowErrors = {};
      let other: string | null = null;
      for (const error of refused) {
        const message = error.message ?? error.code;
        if (error.index === null || error.index === undefined) other = message;
        else next[error.index] = { ...next[error.index], [fieldOf(error)]: message };
      }
      setErrors(next);
      setGeneral(other);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title={t("rules.title")} testId="rules-editor">
      <Text color="default2">{t("rules.intro")}</Text>
      <Box
        data-testid="no-recruiting"
        padding={3}
        borderRadius={3}
        borderStyle="solid"
        borderWidth={1}
        borderColor="default1"
        backgroundColor="default2"
      >
        <Text size={3}>{t("rules.noRecruiting")}</Text>
      </Box>
      {rows.length === 0 ? (
        <Box data-testid="rules-empty" display="flex" flexDirection="column" gap={1} paddingY={2}>
          <Text fontWeight="medium">{t("rules.empty")}</Text>
          <Text color="default2">{t("rules.emptyHelp")}</Text>
        </Box>
      ) : (
        <div className="wd-scroll-x">
        <table className="wd-table wd-rules" data-testid="rules">
          <thead>
            <tr>
              <th>{t("rules.level")}</th>
              <th>{t("rules.basis")}</th>
              <th>{t("rules.value")}</th>
              <th>{t("rules.product")}</th>
              <th>{t("rules.category")}</th>
              <th>{t("rules.kind")}</th>
              <th className="wd-col-actions" />
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => {
              const rowErrors = errors[index] ?? {};
              const invalid = Object.keys(rowErrors).length > 0;
              return [
                <tr key={row.key} data-testid="rule-row" aria-invalid={invalid} className={invalid ? "wd-row-invalid" : undefined}>
                  <td className="wd-rule-level">
                      <Input
                        size="small"
                        aria-label={t("rules.level")}
                        inputMode="numeric"
                        value={row.level}
                        error={Boolean(rowErrors.level)}
                        onChange={(event) => update(index, { level: event.target.value })}
                        data-testid="rule-level"
                      />
                  </td>
                  <td>
                    <NativeSelect
                      compact
                      label={t("rules.basis")}
                      value={row.basis}
                      options={[
                        ["rate", t("rules.basis.rate")],
                        ["fixed", t("rules.basis.fixed")],
                      ]}
                      onChange={(value) => update(index, { basis: value as Row["basis"] })}
                      testId="rule-basis"
                    />
                  </td>
                  <td>
                      <Input
                        size="small"
                        aria-label={t("rules.value")}
                        inputMode="decimal"
                        value={row.value}
                        error={Boolean(rowErrors.value)}
                        endAdornment={<Text size={2} color="default2">{row.basis === "rate" ? "%" : currency}</Text>}
                        onChange={(event) => update(index, { value: event.target.value })}
                        data-testid="rule-value"
                      />
                  </td>
                  <td>
                      <CatalogPicker
                        kind="product"
                        value={row.productId}
                        title={titles[row.productId] ?? null}
                        error={Boolean(rowErrors.productId)}
                        search={findProducts}
                        onPick={(id, title) => {
                          if (id && title) setTitles((previous) => ({ ...previous, [id]: title }));
                          update(index, { productId: id });
                        }}
                      />
                  </td>
                  <td>
                      <CatalogPicker
                        kind="category"
                        value={row.categoryId}
                        title={paths[row.categoryId] ?? null}
                        error={Boolean(rowErrors.categoryId)}
                        search={findCategories}
                        onPick={(id, path) => {
                          if (id && path) setPaths((previous) => ({ ...previous, [id]: path }));
                          update(index, { categoryId: id });
                        }}
                      />
                  </td>
                  <td>
                    <NativeSelect
                      compact
                      label={t("rules.kind")}
                      value={row.kind}
                      options={[
                        ["", t("rules.anyKind")],
                        ["ENTERPRISE", t("kind.ENTERPRISE")],
                        ["INDIVIDUAL", t("kind.INDIVIDUAL")],
                      ]}
                      onChange={(value) => update(index, { kind: value as Row["kind"] })}
                      testId="rule-kind"
                    />
                  </td>
                  <td className="wd-col-actions">
                    <Button size="small" variant="tertiary" onClick={() => remove(index)} data-testid="rule-remove">
                      {t("rules.remove")}
                    </Button>
                  </td>
                </tr>,
                invalid ? (
                  <tr key={`${row.key}-errors`} data-testid="rule-errors" data-index={index} className="wd-row-errors">
                    <td colSpan={7}>
                      {Object.entries(rowErrors).map(([field, message]) => (
                        <span key={field} className="wd-field-error" role="alert" data-testid="field-error" data-field={field}>
                          {field === "row" ? message : t("rules.errorOn", { field: t(FIELD_LABELS[field] ?? "rules.value"), message })}
                        </span>
                      ))}
                    </td>
                  </tr>
                ) : null,
              ];
            })}
          </tbody>
        </table>
        </div>
      )}
      {general ? (
        <Text color="critical1" data-testid="rules-error" role="alert">
          {general}
        </Text>
      ) : null}
      <Box display="flex" justifyContent="space-between" gap={3} flexWrap="wrap">
        <Button variant="secondary" onClick={add} data-testid="rule-add">
          {t("rules.add")}
        </Button>
        <Box display="flex" gap={2}>
          <Button variant="tertiary" onClick={() => setRows(rules.map(rowOf))} disabled={busy}>
            {t("rules.reset")}
          </Button>
          <Button onClick={save} disabled={busy} data-testid="rules-save">
            {t("rules.save")}
          </Button>
        </Box>
      </Box>
    </Section>
  );
}
