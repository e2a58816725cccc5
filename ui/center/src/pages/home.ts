/** Home: my money (available, frozen with the day it frees, withdrawing), this month, my team, my latest
 * commissions with the reason of each. */
import { gql, type Money } from "../api";
import type { Page } from "../context";
import { day, empty, esc, link, money, say, screen } from "../ui";

const HOME = `query Home($channel: String!) {
  centerHome(channel: $channel) {
    currency
    balance { available { amount currency } frozen { amount currency } pending { amount currency } withdrawing { amount currency } }
    frozenReleases { on amount { amount currency } }
    monthEarnings { amount currency } teamSize teamCounts { level count }
    recentCommissions(first: 5) { id level status createdAt amount { amount currency }
      explanation { reason at message } }
  }
}`;

export interface CommissionRow {
  id: string;
  level: number;
  status: string;
  createdAt: string;
  amount: Money;
  explanation: { reason: string; message: string };
}

interface Home {
  balance: { available: Money; frozen: Money; pending: Money; withdrawing: Money };
  frozenReleases: { on: string | null; amount: Money }[];
  monthEarnings: Money;
  teamSize: number;
  teamCounts: { level: number; count: number }[];
  recentCommissions: CommissionRow[];
}

export function commissionCell(row: CommissionRow): string {
  return `<div class="weui-cell wd-commission" data-testid="commission" data-reason="${esc(row.explanation.reason)}">
    <div class="weui-cell__bd"><p>${money(row.amount)} <span class="wd-badge wd-badge_${esc(row.status.toLowerCase())}">
      ${say(`status.${row.status}` as "status.PENDING")}</span> <span class="wd-muted">${say("level", { level: row.level })}</span></p>
      <p class="wd-why">${esc(row.explanation.message)}</p></div>
    <div class="weui-cell__ft wd-muted">${esc(day(row.createdAt))}</div></div>`;
}

export const homePage: Page = async (ctx, target) => {
  const { centerHome: home } = await gql<{ centerHome: Home }>(HOME, { channel: ctx.storefront.channel });
  const releases = home.frozenReleases
    .map((r) =>
      r.on
        ? `<li>${say("home.frees", { amount: money(r.amount), date: day(r.on) })}</li>`
        : `<li>${say("home.undelivered", { amount: money(r.amount) })}</li>`,
    )
    .join("");
  const counts = Object.fromEntries(home.teamCounts.map((c) => [c.level, c.count]));
  const recent = home.recentCommissions.length
    ? `<div class="weui-cells">${home.recentCommissions.map(commissionCell).join("")}</div>`
    : empty("home.noCommissions", "home.noCommissionsHint");
  const body = `
    <div class="wd-card wd-balance" data-testid="balance">
      <p class="wd-muted">${say("home.available")}</p>
      <p class="wd-big" data-testid="available">${money(home.balance.available)}</p>
      <div class="wd-row">
        <div><p class="wd-muted">${say("home.frozen")}</p><p data-testid="frozen">${money(home.balance.frozen)}</p></div>
        <div><p class="wd-muted">${say("home.withdrawing")}</p><p>${money(home.balance.withdrawing)}</p></div>
        <div><p class="wd-muted">${say("home.pending")}</p><p>${money(home.balance.pending)}</p></div>
      </div>
      ${releases ? `<ul class="wd-releases" data-testid="releases">${releases}</ul>` : ""}
      <a href="${link("withdraw")}" role="button" class="weui-btn weui-btn_primary wd-btn-small" data-testid="go-withdraw">${say("home.withdraw")}</a>
    </div>
    <div class="weui-cells">
      <div class="weui-cell"><div class="weui-cell__bd">${say("home.month")}</div>
        <div class="weui-cell__ft" data-testid="month">${money(home.monthEarnings)}</div></div>
      <a class="weui-cell weui-cell_access" href="${link("team")}"><div class="weui-cell__bd">${say("home.team")}
        <p class="wd-muted">${say("home.teamLevels", { one: counts[1] ?? 0, two: counts[2] ?? 0 })}</p></div>
        <div class="weui-cell__ft" data-testid="team-size">${home.teamSize}</div></a>
      <a class="weui-cell weui-cell_access" href="${link("orders")}" data-testid="go-orders"><div class="weui-cell__bd">${say("home.orders")}</div>
        <div class="weui-cell__ft"></div></a>
    </div>
    <div class="weui-cells__title">${say("home.recent")}</div>${recent}`;
  target.innerHTML = screen("home", "title", `<p class="wd-hello">${esc(ctx.me?.displayName)}</p>${body}`, { tab: "home" });
};
