/**
 * A commission rule's product or category, picked from the shop (programProducts: Saleor's products in the
 * channel; programCategories: Saleor's category tree, each category shown with its path) by typing part of
 * its name; the rule keeps the id. An id that the shop does not list (a product taken off sale, a deleted
 * category, a shop without a catalog) can still be kept or entered: the last choice of the list uses the
 * typed text as the id.
 *
 * Test ids follow the kind: ``rule-product`` / ``rule-category`` on the input, ``<kind>-options`` on the
 * list, ``<kind>-option`` on each match, ``<kind>-option-any`` and ``<kind>-option-id`` on the extra
 * choices, ``<kind>-options-loading`` / ``-error`` / ``-empty`` on the states.
 */
import { Input, Text } from "@saleor/macaw-ui";
import { useEffect, useRef, useState } from "react";

import { useT } from "../../app/hooks";
import { messages } from "./messages";

export type PickerKind = "product" | "category";

/** One match: what the rule keeps (``id``), what the input then shows (``title``), a dim detail. */
export interface PickerOption {
  id: string;
  title: string;
  detail?: string | null;
}

type Options = { kind: "idle" } | { kind: "loading" } | { kind: "failed" } | { kind: "ready"; found: PickerOption[] };

const DEBOUNCE_MS = 250;

const TEXTS = {
  product: {
    label: "rules.product",
    placeholder: "rules.anyScope",
    searching: "picker.searching",
    failed: "picker.failed",
    none: "picker.none",
    any: "picker.any",
    useId: "picker.useId",
    note: null,
  },
  category: {
    label: "rules.category",
    placeholder: "rules.anyCategory",
    searching: "picker.category.searching",
    failed: "picker.category.failed",
    none: "picker.category.none",
    any: "picker.category.any",
    useId: "picker.category.useId",
    note: "picker.category.direct",
  },
} as const;

export function CatalogPicker({
  kind,
  value,
  title,
  error,
  search,
  onPick,
}: {
  kind: PickerKind;
  value: string;
  /** The shop's name of ``value`` (null: not known, the id is shown). */
  title: string | null;
  error: boolean;
  /** The matches of the typed text (memoised by the caller: a new function searches again). */
  search: (text: string) => Promise<PickerOption[]>;
  onPick: (id: string, title: string | null) => void;
}) {
  const t = useT(messages);
  const texts = TEXTS[kind];
  const [text, setText] = useState<string | null>(null); // null: not typing, the pick is shown
  const [options, setOptions] = useState<Options>({ kind: "idle" });
  const closing = useRef<number | undefined>(undefined);

  useEffect(() => {
    if (text === null) return;
    let current = true;
    setOptions({ kind: "loading" });
    const timer = window.setTimeout(() => {
      search(text.trim()).then(
        (found) => current && setOptions({ kind: "ready", found }),
        () => current && setOptions({ kind: "failed" }),
      );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [search, text]);

  const close = () => {
    setText(null);
    setOptions({ kind: "idle" });
  };
  const choose = (id: string, name: string | null) => {
    window.clearTimeout(closing.current);
    onPick(id, name);
    close();
  };
  const typed = (text ?? "").trim();
  const open = text !== null;
  const choice = (testId: string, label: string, id: string) => (
    <li
      role="option"
      aria-selected={false}
      className="wd-picker-option wd-picker-extra"
      data-testid={testId}
      onMouseDown={(event) => {
        event.preventDefault();
        choose(id, null);
      }}
    >
      {label}
    </li>
  );

  return (
    <div className="wd-picker">
      <Input
        size="small"
        aria-label={t(texts.label)}
        placeholder={t(texts.placeholder)}
        value={text ?? (value ? (title ?? value) : "")}
        error={error}
        title={value || undefined}
        onFocus={() => setText(text ?? "")}
        onBlur={() => {
          closing.current = window.setTimeout(close, 200);
        }}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") close();
        }}
        data-testid={`rule-${kind}`}
        data-product-id={kind === "product" ? value : undefined}
        data-category-id={kind === "category" ? value : undefined}
      />
      {open ? (
        <ul
          className={kind === "category" ? "wd-picker-list wd-picker-list-end" : "wd-picker-list"}
          role="listbox"
          aria-label={t(texts.label)}
          data-testid={`${kind}-options`}
        >
          {options.kind === "loading" ? (
            <li className="wd-picker-note" data-testid={`${kind}-options-loading`}>
              <Text size={2} color="default2">{t(texts.searching)}</Text>
            </li>
          ) : null}
          {options.kind === "failed" ? (
            <li className="wd-picker-note" data-testid={`${kind}-options-error`}>
              <Text size={2} color="critical1">{t(texts.failed)}</Text>
            </li>
          ) : null}
          {options.kind === "ready" && options.found.length === 0 ? (
            <li className="wd-picker-note" data-testid={`${kind}-options-empty`}>
              <Text size={2} color="default2">{t(texts.none)}</Text>
            </li>
          ) : null}
          {options.kind === "ready"
            ? options.found.map((option) => (
                <li
                  key={option.id}
                  role="option"
                  aria-selected={option.id === value}
                  className="wd-picker-option"
                  data-testid={`${kind}-option`}
                  data-product-id={kind === "product" ? option.id : undefined}
                  data-category-id={kind === "category" ? option.id : undefined}
                  onMouseDown={(event) => {
                    event.preventDefault();
                    choose(option.id, option.title);
                  }}
                >
                  <span>{option.title}</span>
                  {option.detail ? (
                    <Text size={2} color="default2">
                      {option.detail}
                    </Text>
                  ) : null}
                </li>
              ))
            : null}
          {value ? choice(`${kind}-option-any`, t(texts.any), "") : null}
          {typed ? choice(`${kind}-option-id`, t(texts.useId, { id: typed }), typed) : null}
          {texts.note ? (
            <li className="wd-picker-note wd-picker-extra" data-testid={`${kind}-options-note`}>
              <Text size={2} color="default2">{t(texts.note)}</Text>
            </li>
          ) : null}
        </ul>
      ) : null}
    </div>
  );
}
