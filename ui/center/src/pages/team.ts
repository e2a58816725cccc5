/** My team at level 1 and 2: counts, and members as the program allows (masked name, joined, level). */
import { gql } from "../api";
import type { Page } from "../context";
import { day, empty, esc, link, on, say, screen } from "../ui";

const TEAM = `query($level: Int!, $after: String) { centerTeam(level: $level, first: 20, after: $after) {
  totalCount levelCounts { level count } pageInfo { hasNextPage endCursor }
  edges { node { name joinedOn level } } } }`;

interface Team {
  totalCount: number;
  levelCounts: { level: number; count: number }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: { name: string; joinedOn: string; level: number } }[];
}

export const teamPage: Page = async (ctx, target) => {
  const level = ctx.params.get("level") === "2" ? 2 : 1;
  const first = (await gql<{ centerTeam: Team }>(TEAM, { level, after: null })).centerTeam;
  const counts = Object.fromEntries(first.levelCounts.map((c) => [c.level, c.count]));
  const navbar = `<div class="weui-navbar wd-navbar">
    <a class="weui-navbar__item${level === 1 ? " weui-bar__item_on" : ""}" href="${link("team")}" data-testid="level-1">${say("team.level1", { count: counts[1] ?? 0 })}</a>
    <a class="weui-navbar__item${level === 2 ? " weui-bar__item_on" : ""}" href="${link("team?level=2")}" data-testid="level-2">${say("team.level2", { count: counts[2] ?? 0 })}</a></div>`;
  const note = `<p class="wd-note">${say("team.privacy")}</p>`;
  target.innerHTML = screen("team", "team.title", `${navbar}<div class="weui-cells" data-slot="list"></div><div data-slot="more"></div>${note}`, { tab: "team" });
  const list = target.querySelector<HTMLElement>("[data-slot=list]")!;
  const more = target.querySelector<HTMLElement>("[data-slot=more]")!;
  const append = (page: Team) => {
    list.insertAdjacentHTML(
      "beforeend",
      page.edges
        .map(({ node }) => `<div class="weui-cell" data-testid="member"><div class="weui-cell__bd"><p>${esc(node.name)}</p></div>
          <div class="weui-cell__ft">${say("team.joined", { date: day(node.joinedOn) })}</div></div>`)
        .join(""),
    );
    if (!list.children.length) list.outerHTML = empty("team.empty", "team.emptyHint");
    more.innerHTML = page.pageInfo.hasNextPage
      ? `<div class="wd-actions"><a role="button" class="weui-btn weui-btn_default" data-action="more">${say("orders.more")}</a></div>`
      : "";
    on(more, "[data-action=more]", async () => append((await gql<{ centerTeam: Team }>(TEAM, { level, after: page.pageInfo.endCursor })).centerTeam));
  };
  append(first);
};
