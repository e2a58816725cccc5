import "weui/dist/style/weui.min.css";
import "./center.css";

import { ApiFailure, forgetToken, gql, session, storeToken } from "./api";
import { canUseWeChat, redirectToWeChat, signIn } from "./auth";
import type { Ctx, Me, Page, Storefront } from "./context";
import { initialLocale, type Locale, rememberLocale, t } from "./i18n";
import { applyPage } from "./pages/apply";
import { homePage } from "./pages/home";
import { ordersPage } from "./pages/orders";
import { sharePage } from "./pages/share";
import { storePage } from "./pages/store";
import { teamPage } from "./pages/team";
import { withdrawPage } from "./pages/withdraw";
import { esc, failure, failureText, loading, on, say } from "./ui";
import { inWeChat, loadJsSdk } from "./wx";

const app = document.getElementById("app")!;
session.locale = initialLocale();
const slug = new URLSearchParams(window.location.search).get("s") || "";

const PAGES: Record<string, Page> = {
  home: homePage,
  share: sharePage,
  store: storePage,
  orders: ordersPage,
  team: teamPage,
  withdraw: withdrawPage,
  apply: applyPage,
};
const STOREFRONT = `query($s: String!) { storefront(slug: $s) { slug title channel appId referralCode } }`;
const ME = `{ myDistributor { displayName status referralCode level } }`;

function languageSwitch(): string {
  const option = (value: Locale) => `
    <label class="weui-cell weui-cell_active weui-check__label" for="lang-${value}">
      <div class="weui-cell__bd"><p>${say(`language.${value}`)}</p></div>
      <div class="weui-cell__ft">
        <input type="radio" class="weui-check" name="lang" id="lang-${value}" value="${value}"
          ${value === session.locale ? "checked" : ""} data-testid="lang-${value}">
        <span class="weui-icon-checked"></span></div></label>`;
  return `<div class="weui-cells__title">${say("language")}</div>
    <div class="weui-cells weui-cells_radio" data-testid="language-switch">${option("zh-Hans")}${option("en")}</div>`;
}

function setLocale(locale: Locale): void {
  session.locale = locale;
  rememberLocale(locale);
  document.documentElement.lang = locale;
  document.title = t(locale, "title");
}

function bindLanguage(rerender: () => void): void {
  app.querySelectorAll<HTMLInputElement>("input[name=lang]").forEach((input) =>
    input.addEventListener("change", () => {
      setLocale(input.value as Locale);
      rerender();
    }),
  );
  on(app, "[data-action=toggle-lang]", () => {
    setLocale(session.locale === "zh-Hans" ? "en" : "zh-Hans");
    rerender();
  });
}

/** Opened without a storefront (or outside WeChat without a token): how to get in. */
function renderSignIn(storefront: Storefront | null, problem = ""): void {
  const wechat = storefront && canUseWeChat();
  const manual = storefront && !inWeChat();
  app.innerHTML = `
    <div class="weui-msg" data-testid="center-signin">
      <div class="weui-msg__icon-area"><i class="weui-icon-info weui-icon_msg"></i></div>
      <div class="weui-msg__text-area">
        <h2 class="weui-msg__title">${storefront ? esc(storefront.title) : say("signin.title")}</h2>
        <p class="weui-msg__desc">${say("signin.text")}</p>
        ${problem ? `<p class="weui-msg__desc wd-error" data-testid="signin-error">${esc(problem)}</p>` : ""}
      </div>
      ${wechat ? `<div class="weui-msg__opr-area"><a role="button" class="weui-btn weui-btn_primary" data-action="wechat">
        ${say(inWeChat() ? "signin.wechat" : "signin.simulated")}</a></div>` : ""}
    </div>
    ${manual ? `<div class="weui-cells__title">${say("signin.token")}</div>
      <div class="weui-cells weui-cells_form"><div class="weui-cell"><div class="weui-cell__bd">
      <textarea class="weui-textarea" rows="3" data-testid="token-input"></textarea></div></div></div>
      <div class="wd-actions"><a role="button" class="weui-btn weui-btn_default" data-action="token">${say("signin.tokenButton")}</a></div>` : ""}
    ${languageSwitch()}
    <div class="weui-footer wd-footer"><p class="weui-footer__text">${say("footer")}</p></div>`;
  bindLanguage(() => renderSignIn(storefront, problem));
  on(app, "[data-action=wechat]", () => storefront && void redirectToWeChat(storefront.slug));
  on(app, "[data-action=token]", () => {
    const token = app.querySelector<HTMLTextAreaElement>("[data-testid=token-input]")!.value.trim();
    if (!token || !storefront) return;
    storeToken(token, 8 * 3600);
    void boot();
  });
}

let ctx: Ctx | null = null;

async function show(): Promise<void> {
  if (!ctx) return;
  const [path, query] = (window.location.hash.replace(/^#\/?/, "") || "home").split("?");
  const active = ctx.me?.status === "ACTIVE";
  const name = active ? (PAGES[path] ? path : "home") : "apply";
  ctx.params = new URLSearchParams(query || "");
  app.innerHTML = loading();
  app.dataset.route = name;
  try {
    await PAGES[name](ctx, app);
  } catch (error) {
    if (error instanceof ApiFailure && error.kind === "auth") return void boot();
    failure(app, error, () => void show());
  }
  bindLanguage(() => void show());
}

async function boot(): Promise<void> {
  setLocale(session.locale);
  app.innerHTML = loading();
  if (!slug) return renderSignIn(null);
  try {
    const { storefront } = await gql<{ storefront: Storefront | null }>(STOREFRONT, { s: slug });
    if (!storefront) return renderSignIn(null, t(session.locale, "signin.unknownShop"));
    let outcome: string;
    try {
      outcome = await signIn(slug);
    } catch (error) {
      forgetToken();
      return renderSignIn(storefront, `${t(session.locale, "signin.failed")}: ${failureText(error)}`);
    }
    if (outcome === "redirecting") return;
    if (outcome === "manual") return renderSignIn(storefront);
    const read = async () => (await gql<{ myDistributor: Me | null }>(ME)).myDistributor;
    ctx = { app, storefront, me: await read(), params: new URLSearchParams(), refresh: async () => {
      ctx!.me = await read();
      await show();
    } };
    app.dataset.signedIn = "yes";
    await show();
  } catch (error) {
    if (error instanceof ApiFailure && error.kind === "auth") {
      forgetToken();
      return void boot();
    }
    failure(app, error, () => void boot());
  }
}

window.addEventListener("hashchange", () => void show());
void boot();

if (inWeChat()) {
  loadJsSdk().then(
    () => (document.documentElement.dataset.wechatSdk = "loaded"),
    () => (document.documentElement.dataset.wechatSdk = "failed"),
  );
}
