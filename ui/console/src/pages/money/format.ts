/** Money as the API gives it (a decimal string and a currency), shown without ever becoming a float. */
import type { Money } from "./api";

const SYMBOLS: Record<string, string> = { CNY: "¥", HKD: "HK$", USD: "$", EUR: "€", JPY: "¥" };

/** "1234.50" CNY -> "¥1,234.50" (digits grouped as strings). */
export function formatMoney(money: Money): string {
  const negative = money.amount.startsWith("-");
  const [whole, fraction] = money.amount.replace(/^[-+]/, "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const number = fraction === undefined ? grouped : `${grouped}.${fraction}`;
  const symbol = SYMBOLS[money.currency];
  const text = symbol ? `${symbol}${number}` : `${number} ${money.currency}`;
  return negative ? `−${text}` : text;
}

/** Several currencies' totals in one line. */
export function formatTotals(amounts: Money[]): string {
  return amounts.map(formatMoney).join(" + ");
}
