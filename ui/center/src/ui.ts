/** Small helpers of the center's screens: escaping, money and dates, states, the tab bar, a toast. */
import { ApiFailure, type Money, session } from "./api";
import { type MessageKey, t } from "./i18n";

/** An in-page address: the document's own path and query (the page has a ``<base href>``, against which a
 * bare ``#/route`` would resolve to another document), then the route. */
export function link(route: string): string {
  return `${esc(window.location.pathname + window.location.search)}#/${route}`;
}

export function esc(text: unknown): string {
  return String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function say(key: MessageKey, values: Record<string, string | number> = {}): string {
  return esc(t(session.locale, key, values));
}

export function money(value: Money | null | undefined): string {
  if (!value) return "";
  const signs: Record<string, string> = { CNY: "¥", USD: "$", EUR: "€", HKD: "HK$" };
  const sign = signs[value.currency];
  return sign ? `${sign}${value.amount}` : `${value.amount} ${value.currency}`;
}

export function day(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00` : iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString(session.locale === "zh-Hans" ? "zh-CN" : "en-GB", {
    year: "numeric",
    month: "short",
    day: "numeric",
  });
}

export function loading(): string {
  return `<div class="weui-loadmore" data-testid="state-loading"><i class="weui-loading"></i>
    <span class="weui-loadmore__tips">${say("loading")}</span></div>`;
}

export function empty(title: MessageKey, hint?: MessageKey): string {
  return `<div class="wd-empty" data-testid="state-empty"><i class="weui-icon-info-circle"></i>
    <p class="wd-empty__title">${say(title)}</p>${hint ? `<p class="wd-empty__hint">${say(hint)}</p>` : ""}</div>`;
}

export function failureText(error: unknown): string {
  if (error instanceof ApiFailure) {
    if (error.kind === "coded" && error.message) return error.message;
    if (error.kind === "auth") return t(session.locale, "error.auth");
    if (error.kind === "network") return t(session.locale, "error.network");
  }
  return t(session.locale, "error.server");
}

/** The error state: what went wrong, and a button that runs ``retry``. */
export function failure(target: HTMLElement, error: unknown, retry: () => void): void {
  target.innerHTML = `<div class="weui-msg wd-failure" data-testid="state-error">
    <div class="weui-msg__icon-area"><i class="weui-icon-warn weui-icon_msg"></i></div>
    <div class="weui-msg__text-area"><p class="weui-msg__desc">${esc(failureText(error))}</p></div>
    <div class="weui-msg__opr-area"><a role="button" class="weui-btn weui-btn_default" data-action="retry">
    ${say("retry")}</a></div></div>`;
  target.querySelector("[data-action=retry]")!.addEventListener("click", retry);
}

export function toast(text: string): void {
  const node = document.createElement("div");
  node.setAttribute("data-testid", "toast");
  node.innerHTML = `<div class="weui-mask_transparent"></div><div class="weui-toast weui-toast_text">
    <p class="weui-toast__content">${esc(text)}</p></div>`;
  document.body.appendChild(node);
  window.setTimeout(() => node.remove(), 2000);
}

const TABS: { route: string; key: MessageKey; icon: string }[] = [
  { route: "home", key: "tab.home", icon: "⌂" },
  { route: "share", key: "tab.share", icon: "↗" },
  { route: "store", key: "tab.store", icon: "▦" },
  { route: "team", key: "tab.team", icon: "☺" },
];

export function tabbar(active: string): string {
  const items = TABS.map(
    (tab) => `<a href="${link(tab.route)}" class="weui-tabbar__item${tab.route === active ? " weui-bar__item_on" : ""}"
      data-testid="tab-${tab.route}"><span class="wd-tab-icon" aria-hidden="true">${tab.icon}</span>
      <p class="weui-tabbar__label">${say(tab.key)}</p></a>`,
  ).join("");
  return `<div class="weui-tabbar wd-tabbar">${items}</div>`;
}

/** A screen: its title bar (with "back" to ``back``), its body, and the tab bar when ``tab`` is set. */
export function screen(name: string, title: MessageKey, body: string, opts: { tab?: string; back?: string } = {}): string {
  const back = opts.back ? `<a class="wd-back" href="${link(opts.back)}" aria-label="back">‹</a>` : "";
  return `<section class="wd-screen${opts.tab ? " wd-screen_tabbed" : ""}" data-testid="screen-${name}">
    <header class="wd-bar">${back}<h1>${say(title)}</h1></header>
    <div class="wd-body" data-slot="body">${body}</div></section>${opts.tab ? tabbar(opts.tab) : ""}`;
}

export function on(root: ParentNode, selector: string, handler: (element: HTMLElement, event: Event) => void): void {
  root.querySelectorAll<HTMLElement>(selector).forEach((element) =>
    element.addEventListener("click", (event) => {
      event.preventDefault();
      handler(element, event);
    }),
  );
}
