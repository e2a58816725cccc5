/** Orders and commissions: my commissions with the state and the reason of each, the orders attributed
 * to me; both in pages ("load more"). */
import { gql, type Money } from "../api";
import type { Page } from "../context";
import { day, empty, esc, link, money, on, say, screen } from "../ui";
import { type CommissionRow, commissionCell } from "./home";

const COMMISSIONS = `query($after: String) { myCommissions(first: 20, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { id level status createdAt amount { amount currency } explanation { reason at message } } } } }`;
const ORDERS = `query($after: String) { myAttributedOrders(first: 20, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { id orderNumber source decidedAt netTotal { amount currency } noCommissionReason } } } }`;

interface Order {
  id: string;
  orderNumber: string;
  source: string | null;
  decidedAt: string;
  netTotal: Money;
  noCommissionReason: string | null;
}

interface PageOf<T> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: T }[];
}

function orderCell(order: Order): string {
  const source = order.source ? say(`orders.source.${order.source}` as "orders.source.LINK") : "";
  return `<div class="weui-cell" data-testid="order"><div class="weui-cell__bd">
    <p>${say("orders.order", { number: order.orderNumber })}</p><p class="wd-muted">${source}
    ${order.noCommissionReason ? ` · ${esc(order.noCommissionReason)}` : ""}</p></div>
    <div class="weui-cell__ft"><p>${money(order.netTotal)}</p><p class="wd-muted">${esc(day(order.decidedAt))}</p></div></div>`;
}

export const ordersPage: Page = async (ctx, target) => {
  const tab = ctx.params.get("tab") === "orders" ? "orders" : "commissions";
  const navbar = `<div class="weui-navbar wd-navbar">
    <a class="weui-navbar__item${tab === "commissions" ? " weui-bar__item_on" : ""}" href="${link("orders")}" data-testid="tab-commissions">${say("orders.commissions")}</a>
    <a class="weui-navbar__item${tab === "orders" ? " weui-bar__item_on" : ""}" href="${link("orders?tab=orders")}" data-testid="tab-orders">${say("orders.orders")}</a></div>`;
  target.innerHTML = screen("orders", "orders.title", `${navbar}<div class="weui-cells" data-slot="list"></div><div data-slot="more"></div>`, { back: "home" });
  const list = target.querySelector<HTMLElement>("[data-slot=list]")!;
  const more = target.querySelector<HTMLElement>("[data-slot=more]")!;
  const load = async (after: string | null) => {
    let rows: string;
    let info: PageOf<unknown>["pageInfo"];
    if (tab === "orders") {
      const { myAttributedOrders: page } = await gql<{ myAttributedOrders: PageOf<Order> }>(ORDERS, { after });
      rows = page.edges.map((e) => orderCell(e.node)).join("");
      info = page.pageInfo;
    } else {
      const { myCommissions: page } = await gql<{ myCommissions: PageOf<CommissionRow> }>(COMMISSIONS, { after });
      rows = page.edges.map((e) => commissionCell(e.node)).join("");
      info = page.pageInfo;
    }
    list.insertAdjacentHTML("beforeend", rows);
    if (!list.children.length) {
      list.outerHTML = empty(tab === "orders" ? "orders.noOrders" : "home.noCommissions", tab === "orders" ? undefined : "home.noCommissionsHint");
    }
    more.innerHTML = info.hasNextPage
      ? `<div class="wd-actions"><a role="button" class="weui-btn weui-btn_default" data-action="more">${say("orders.more")}</a></div>`
      : "";
    on(more, "[data-action=more]", () => void load(info.endCursor));
  };
  await load(null);
};
