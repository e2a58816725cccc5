import "weui/dist/style/weui.min.css";
import "./center.css";

import { initialLocale, type Locale, type MessageKey, rememberLocale, t } from "./i18n";
import { inWeChat, loadJsSdk } from "./wechat";

const app = document.getElementById("app")!;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(locale: Locale): void {
  const say = (key: MessageKey) => escape(t(locale, key));
  document.documentElement.lang = locale;
  document.title = t(locale, "title");
  const option = (value: Locale) => `
    <label class="weui-cell weui-cell_active weui-check__label" for="lang-${value}">
      <div class="weui-cell__bd"><p>${say(`language.${value}`)}</p></div>
      <div class="weui-cell__ft">
        <input type="radio" class="weui-check" name="lang" id="lang-${value}" value="${value}"
          ${value === locale ? "checked" : ""} data-testid="lang-${value}">
        <span class="weui-icon-checked"></span>
      </div>
    </label>`;
  app.innerHTML = `
    <div class="weui-msg" data-testid="center-signin">
      <div class="weui-msg__icon-area"><i class="weui-icon-info weui-icon_msg"></i></div>
      <div class="weui-msg__text-area">
        <h2 class="weui-msg__title">${say("signin.title")}</h2>
        <p class="weui-msg__desc">${say("signin.text")}</p>
      </div>
    </div>
    <div class="weui-cells__title">${say("language")}</div>
    <div class="weui-cells weui-cells_radio" data-testid="language-switch">${option("zh-Hans")}${option("en")}</div>
    <div class="weui-footer wd-footer"><p class="weui-footer__text">${say("footer")}</p></div>`;
  app.dataset.locale = locale;
  app.querySelectorAll<HTMLInputElement>("input[name=lang]").forEach((input) =>
    input.addEventListener("change", () => {
      const next = input.value as Locale;
      rememberLocale(next);
      render(next);
    }),
  );
}

render(initialLocale());

if (inWeChat()) {
  loadJsSdk().then(
    () => (document.documentElement.dataset.wechatSdk = "loaded"),
    () => (document.documentElement.dataset.wechatSdk = "failed"),
  );
}
