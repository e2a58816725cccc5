/** Share: my link, and per product of my store a one-tap share to Moments / a friend (JS-SDK share data
 * carrying my code) and a poster with my QR code to long-press and save. */
import { gql, type Money, mutationError, session } from "../api";
import type { Page } from "../context";
import { t } from "../i18n";
import { empty, esc, failureText, money, on, say, screen, toast } from "../ui";
import { inWeChat, setShare } from "../wx";

const SHARE = `query($channel: String!) {
  referralLink(channel: $channel)
  myStorefront { storefront { slug title allProducts } products { id title price { amount currency } imageUrl shareLink } }
  centerCatalog(first: 20) { edges { node { id title price { amount currency } imageUrl shareLink } } }
}`;
// posters are prepared by a mutation (drawn once per content; asking again returns the same one)
const POSTER = `mutation($product: ID!) { sharePosterCreate(productId: $product) { url errors { code message } } }`;

interface Product {
  id: string;
  title: string;
  price: Money;
  imageUrl: string | null;
  shareLink: string | null;
}

interface Share {
  referralLink: string | null;
  myStorefront: { storefront: { slug: string; title: string; allProducts: boolean }; products: Product[] } | null;
  centerCatalog: { edges: { node: Product }[] } | null;
}

export const sharePage: Page = async (ctx, target) => {
  const channel = ctx.storefront.channel;
  let data: Share;
  try {
    data = await gql<Share>(SHARE, { channel });
  } catch {
    // no store of my own: the catalog is not mine to show; the link still is
    data = { ...(await gql<Share>(`query($channel: String!) { referralLink(channel: $channel) }`, { channel })), myStorefront: null, centerCatalog: null };
  }
  const store = data.myStorefront;
  const products = store ? (store.storefront.allProducts ? data.centerCatalog?.edges.map((e) => e.node) ?? [] : store.products) : [];
  const cards = products
    .map(
      (p) => `<div class="wd-product" data-testid="share-product" data-product="${esc(p.id)}">
      ${p.imageUrl ? `<img class="wd-product__img" src="${esc(p.imageUrl)}" alt="">` : `<div class="wd-product__img"></div>`}
      <div class="wd-product__bd"><p class="wd-product__title">${esc(p.title)}</p><p class="wd-price">${money(p.price)}</p>
      <div class="wd-product__actions">
        <a role="button" class="weui-btn weui-btn_mini weui-btn_primary" data-action="share">${say("share.setShare")}</a>
        ${store ? `<a role="button" class="weui-btn weui-btn_mini weui-btn_default" data-action="poster">${say("share.poster")}</a>` : ""}</div></div></div>`,
    )
    .join("");
  const link = data.referralLink
    ? `<div class="weui-cells__title">${say("share.myLink")}</div><div class="weui-cells"><div class="weui-cell">
       <div class="weui-cell__bd wd-link" data-testid="my-link">${esc(data.referralLink)}</div>
       <div class="weui-cell__ft"><a role="button" class="weui-btn weui-btn_mini weui-btn_default" data-action="copy">${say("share.copy")}</a></div></div></div>`
    : "";
  const list = products.length ? `<div class="wd-products">${cards}</div>` : empty("share.noProducts", "share.noProductsHint");
  target.innerHTML = screen("share", "share.title", `${link}<div class="weui-cells__title">${say("share.products")}</div>
    <p class="wd-note" data-testid="share-status">${inWeChat() ? "" : say("share.outside")}</p>${list}
    <div data-slot="poster"></div>`, { tab: "share" });
  const byId = new Map(products.map((p) => [p.id, p]));
  const status = target.querySelector<HTMLElement>("[data-testid=share-status]")!;
  on(target, "[data-action=copy]", async () => {
    try {
      await navigator.clipboard.writeText(data.referralLink || "");
      toast(t(session.locale, "share.copied"));
    } catch {
      window.getSelection()?.selectAllChildren(target.querySelector("[data-testid=my-link]")!);
    }
  });
  on(target, "[data-action=share]", async (button) => {
    const product = byId.get(button.closest<HTMLElement>("[data-product]")!.dataset.product!)!;
    if (!inWeChat()) return void (status.textContent = t(session.locale, "share.outside"));
    try {
      await setShare(ctx.storefront.slug, {
        title: product.title,
        desc: `${money(product.price)} · ${t(session.locale, "share.desc", { name: ctx.me?.displayName ?? "" })}`,
        link: product.shareLink || data.referralLink || window.location.href.split("#")[0],
        imgUrl: product.imageUrl || "",
      });
      status.textContent = t(session.locale, "share.ready");
      status.dataset.state = "ready";
    } catch (error) {
      status.textContent = failureText(error);
    }
  });
  on(target, "[data-action=poster]", async (button) => {
    const product = byId.get(button.closest<HTMLElement>("[data-product]")!.dataset.product!)!;
    const slot = target.querySelector<HTMLElement>("[data-slot=poster]")!;
    button.classList.add("weui-btn_loading");
    try {
      const { sharePosterCreate: made } = await gql<{
        sharePosterCreate: { url: string | null; errors: { code: string; message: string | null }[] };
      }>(POSTER, { product: product.id });
      if (made.errors.length || !made.url) return void toast(`${t(session.locale, "share.posterFailed")}: ${mutationError(made)}`);
      slot.innerHTML = `<div class="wd-poster" data-testid="poster"><div class="weui-mask"></div><div class="wd-poster__box">
        <img src="${esc(made.url)}" alt="${esc(product.title)}"><p>${say("share.posterHint")}</p>
        <a role="button" class="weui-btn weui-btn_default" data-action="close">${say("share.close")}</a></div></div>`;
      on(slot, "[data-action=close]", () => (slot.innerHTML = ""));
    } catch (error) {
      toast(`${t(session.locale, "share.posterFailed")}: ${failureText(error)}`);
    } finally {
      button.classList.remove("weui-btn_loading");
    }
  });
};
