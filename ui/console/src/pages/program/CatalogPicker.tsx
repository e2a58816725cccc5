/**
 * The product of a commission rule, picked from the shop's catalog (programProducts: Saleor's products
 * in the channel, the sandbox's demo range) by typing part of its name; the rule keeps the product's id.
 * An id that the catalog does not list (a product taken off sale, a shop without a catalog) can still be
 * kept or entered: the last choice of the list uses the typed text as the id.
 */
import { Input, Text } from "@saleor/macaw-ui";
import { useEffect, useRef, useState } from "react";

import { useClient, useT } from "../../app/hooks";
import { type ProgramProduct, searchProducts } from "./api";
import { messages } from "./messages";

type Options = { kind: "idle" } | { kind: "loading" } | { kind: "failed" } | { kind: "ready"; products: ProgramProduct[] };

const DEBOUNCE_MS = 250;

export function ProductPicker({
  channel,
  value,
  title,
  error,
  onPick,
}: {
  channel: string;
  value: string;
  /** The catalog's name of ``value`` (null: not known, the id is shown). */
  title: string | null;
  error: boolean;
  onPick: (id: string, title: string | null) => void;
}) {
  const t = useT(messages);
  const client = useClient();
  const [text, setText] = useState<string | null>(null); // null: not typing, the pick is shown
  const [options, setOptions] = useState<Options>({ kind: "idle" });
  const closing = useRef<number | undefined>(undefined);

  useEffect(() => {
    if (text === null) return;
    let current = true;
    setOptions({ kind: "loading" });
    const timer = window.setTimeout(() => {
      searchProducts(client, channel, text.trim()).then(
        (products) => current && setOptions({ kind: "ready", products }),
        () => current && setOptions({ kind: "failed" }),
      );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [client, channel, text]);

  const choose = (id: string, name: string | null) => {
    window.clearTimeout(closing.current);
    onPick(id, name);
    setText(null);
    setOptions({ kind: "idle" });
  };
  const typed = (text ?? "").trim();
  const open = text !== null;

  return (
    <div className="wd-picker">
      <Input
        size="small"
        aria-label={t("rules.product")}
        placeholder={t("rules.anyScope")}
        value={text ?? (value ? (title ?? value) : "")}
        error={error}
        title={value || undefined}
        onFocus={() => setText(text ?? "")}
        onBlur={() => {
          closing.current = window.setTimeout(() => {
            setText(null);
            setOptions({ kind: "idle" });
          }, 200);
        }}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            setText(null);
            setOptions({ kind: "idle" });
          }
        }}
        data-testid="rule-product"
        data-product-id={value}
      />
      {open ? (
        <ul className="wd-picker-list" role="listbox" data-testid="product-options">
          {options.kind === "loading" ? (
            <li className="wd-picker-note" data-testid="product-options-loading">
              <Text size={2} color="default2">{t("picker.searching")}</Text>
            </li>
          ) : null}
          {options.kind === "failed" ? (
            <li className="wd-picker-note" data-testid="product-options-error">
              <Text size={2} color="critical1">{t("picker.failed")}</Text>
            </li>
          ) : null}
          {options.kind === "ready" && options.products.length === 0 ? (
            <li className="wd-picker-note" data-testid="product-options-empty">
              <Text size={2} color="default2">{t("picker.none")}</Text>
            </li>
          ) : null}
          {options.kind === "ready"
            ? options.products.map((product) => (
                <li
                  key={product.id}
                  role="option"
                  aria-selected={product.id === value}
                  className="wd-picker-option"
                  data-testid="product-option"
                  data-product-id={product.id}
                  onMouseDown={(event) => {
                    event.preventDefault();
                    choose(product.id, product.title);
                  }}
                >
                  <span>{product.title}</span>
                  <Text size={2} color="default2">
                    {product.price.amount} {product.price.currency}
                  </Text>
                </li>
              ))
            : null}
          {value ? (
            <li
              role="option"
              aria-selected={false}
              className="wd-picker-option wd-picker-extra"
              data-testid="product-option-any"
              onMouseDown={(event) => {
                event.preventDefault();
                choose("", null);
              }}
            >
              {t("picker.any")}
            </li>
          ) : null}
          {typed ? (
            <li
              role="option"
              aria-selected={false}
              className="wd-picker-option wd-picker-extra"
              data-testid="product-option-id"
              onMouseDown={(event) => {
                event.preventDefault();
                choose(typed, null);
              }}
            >
              {t("picker.useId", { id: typed })}
            </li>
          ) : null}
        </ul>
      ) : null}
    </div>
  );
}
