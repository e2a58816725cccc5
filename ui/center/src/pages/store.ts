/** My store: its title, the products I pick from the brand's catalog (search, add, remove, order) and a
 * preview of what a customer sees. Every change is a mutation; the list is read again after each. */
import { gql, type Money, mutationError } from "../api";
import type { Page } from "../context";
import { empty, esc, failureText, money, on, say, screen, toast } from "../ui";

const MINE = `{ myStorefront { storefront { slug title welcomeText allProducts productIds }
  products { id title price { amount currency } imageUrl } } }`;
const SEARCH = `query($search: String, $after: String) { centerCatalog(search: $search, first: 10, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { id title price { amount currency } imageUrl inStorefront } } } }`;
const ADD = `mutation($p: ID!) { storefrontProductAdd(productId: $p) { errors { code message } } }`;
const REMOVE = `mutation($p: ID!) { storefrontProductRemove(productId: $p) { errors { code message } } }`;
const REORDER = `mutation($ids: [ID!]!) { storefrontProductsReorder(productIds: $ids) { errors { code message } } }`;

interface Product {
  id: string;
  title: string;
  price: Money;
  imageUrl: string | null;
  inStorefront?: boolean;
}

interface Mine {
  storefront: { slug: string; title: string; welcomeText: string; allProducts: boolean; productIds: string[] };
  products: Product[];
}

function thumb(p: Product): string {
  return p.imageUrl ? `<img class="wd-thumb" src="${esc(p.imageUrl)}" alt="">` : `<span class="wd-thumb"></span>`;
}

export const storePage: Page = async (_ctx, target) => {
  const { myStorefront: mine } = await gql<{ myStorefront: Mine | null }>(MINE);
  if (!mine) {
    target.innerHTML = screen("store", "store.title", empty("store.none", "store.noneHint"), { tab: "store" });
    return;
  }
  const ids = mine.products.map((p) => p.id);
  const picks = mine.storefront.allProducts
    ? `<div class="wd-card" data-testid="store-all"><p>${say("store.all")}</p><p class="wd-muted">${say("store.allHint")}</p></div>`
    : mine.products.length
      ? `<div class="weui-cells" data-testid="picks">${mine.products
          .map(
            (p, i) => `<div class="weui-cell" data-testid="pick" data-product="${esc(p.id)}">
            <div class="weui-cell__hd">${thumb(p)}</div><div class="weui-cell__bd"><p>${esc(p.title)}</p><p class="wd-price">${money(p.price)}</p></div>
            <div class="weui-cell__ft wd-pick-actions">
              <button class="wd-icon-btn" data-action="up" ${i === 0 ? "disabled" : ""} aria-label="${say("store.up")}">↑</button>
              <button class="wd-icon-btn" data-action="down" ${i === mine.products.length - 1 ? "disabled" : ""} aria-label="${say("store.down")}">↓</button>
              <button class="wd-icon-btn wd-warn" data-action="remove" aria-label="${say("store.remove")}">✕</button></div></div>`,
          )
          .join("")}</div>`
      : empty("store.empty", "store.allHint");
  const preview = `<div class="wd-preview" data-testid="preview" hidden><div class="weui-cells__title">${say("store.previewTitle")}</div>
    <div class="wd-card"><h2>${esc(mine.storefront.title)}</h2><p class="wd-muted">${esc(mine.storefront.welcomeText)}</p>
    <div class="wd-products">${mine.products.map((p) => `<div class="wd-product">${thumb(p)}<div class="wd-product__bd"><p class="wd-product__title">${esc(p.title)}</p><p class="wd-price">${money(p.price)}</p></div></div>`).join("")}</div></div></div>`;
  const body = `<div class="wd-card"><p class="wd-muted">${esc(mine.storefront.slug)}</p><h2 data-testid="store-title">${esc(mine.storefront.title)}</h2>
      <a role="button" class="weui-btn weui-btn_mini weui-btn_default" data-action="preview">${say("store.preview")}</a></div>
    <div class="weui-cells__title">${say("store.curated", { count: mine.storefront.allProducts ? 0 : mine.products.length })}</div>${picks}
    <p class="wd-error" data-slot="error"></p>
    <form class="weui-cells weui-cells_form" data-testid="search-form"><div class="weui-cell">
      <div class="weui-cell__bd"><input type="search" class="weui-input" data-testid="search" placeholder="${say("store.search")}"></div>
      <div class="weui-cell__ft"><button type="submit" class="weui-btn weui-btn_mini weui-btn_primary">${say("store.go")}</button></div></div></form><div class="weui-cells" data-slot="results"></div><div data-slot="more"></div>${preview}`;
  target.innerHTML = screen("store", "store.title", body, { tab: "store" });
  const error = target.querySelector<HTMLElement>("[data-slot=error]")!;
  const change = async (query: string, variables: Record<string, unknown>) => {
    try {
      const data = await gql<Record<string, { errors: { code: string; message: string | null }[] }>>(query, variables);
      const answer = Object.values(data)[0];
      if (answer.errors.length) return void (error.textContent = mutationError(answer));
      await storePage(_ctx, target);
    } catch (failure) {
      error.textContent = failureText(failure);
    }
  };
  const productOf = (el: HTMLElement) => el.closest<HTMLElement>("[data-product]")!.dataset.product!;
  const move = (id: string, by: number) => {
    const order = [...ids];
    const at = order.indexOf(id);
    order.splice(at, 1);
    order.splice(at + by, 0, id);
    return change(REORDER, { ids: order });
  };
  on(target, "[data-action=up]", (el) => void move(productOf(el), -1));
  on(target, "[data-action=down]", (el) => void move(productOf(el), 1));
  on(target, "[data-action=remove]", (el) => void change(REMOVE, { p: productOf(el) }));
  on(target, "[data-action=preview]", () => {
    const node = target.querySelector<HTMLElement>("[data-testid=preview]")!;
    node.hidden = !node.hidden;
    if (!node.hidden) node.scrollIntoView();
  });
  const results = target.querySelector<HTMLElement>("[data-slot=results]")!;
  const more = target.querySelector<HTMLElement>("[data-slot=more]")!;
  const search = async (term: string, after: string | null) => {
    if (!after) results.innerHTML = "";
    const { centerCatalog: page } = await gql<{
      centerCatalog: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Product }[] };
    }>(SEARCH, { search: term, after });
    results.insertAdjacentHTML(
      "beforeend",
      page.edges
        .map(({ node: p }) => `<div class="weui-cell" data-testid="result" data-product="${esc(p.id)}">
          <div class="weui-cell__hd">${thumb(p)}</div><div class="weui-cell__bd"><p>${esc(p.title)}</p><p class="wd-price">${money(p.price)}</p></div>
          <div class="weui-cell__ft">${p.inStorefront && !mine.storefront.allProducts
            ? `<span class="wd-muted">${say("store.added")}</span>`
            : `<a role="button" class="weui-btn weui-btn_mini weui-btn_primary" data-action="add">${say("store.add")}</a>`}</div></div>`)
        .join(""),
    );
    if (!results.children.length) results.innerHTML = `<div class="weui-cell"><div class="weui-cell__bd wd-muted" data-testid="no-results">${say("store.noResults")}</div></div>`;
    on(results, "[data-action=add]:not([data-bound])", (el) => void change(ADD, { p: productOf(el) }));
    results.querySelectorAll("[data-action=add]").forEach((el) => el.setAttribute("data-bound", ""));
    more.innerHTML = page.pageInfo.hasNextPage ? `<div class="wd-actions"><a role="button" class="weui-btn weui-btn_default" data-action="more">${say("store.more")}</a></div>` : "";
    on(more, "[data-action=more]", () => void search(term, page.pageInfo.endCursor));
  };
  target.querySelector("[data-testid=search-form]")!.addEventListener("submit", (event) => {
    event.preventDefault();
    const term = target.querySelector<HTMLInputElement>("[data-testid=search]")!.value.trim();
    search(term, null).catch((failure) => toast(failureText(failure)));
  });
};
