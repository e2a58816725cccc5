/** Not (yet) an active distributor: the program's terms and the application form (the inviter code from
 * the link or QR that brought me), or where my application stands (pending, rejected with the reason,
 * suspended). */
import { gql, type Money, mutationError, session } from "../api";
import { nickname, redirectToWeChat, canUseWeChat } from "../auth";
import type { Page } from "../context";
import { t } from "../i18n";
import { day, esc, failureText, money, on, say, screen, toast } from "../ui";

const APPLICATION = `query($channel: String!) {
  programTerms(channel: $channel) { paidLevels freezeDays rates { level rate fixedAmount { amount currency } }
    withdrawalMinimum { amount currency } withdrawalDailyLimit { amount currency } }
  centerApplication(channel: $channel) { status displayName appliedAt rejectReason
    upline { displayName referralCode } suggestedInviter { displayName referralCode } }
}`;
const APPLY = `mutation($input: DistributorApplyInput!) {
  distributorApply(input: $input) { distributor { status } errors { field code message } } }`;

interface Terms {
  paidLevels: number;
  freezeDays: number;
  rates: { level: number; rate: string | null; fixedAmount: Money | null }[];
  withdrawalMinimum: Money;
  withdrawalDailyLimit: Money;
}

interface Application {
  status: string | null;
  displayName: string | null;
  appliedAt: string | null;
  rejectReason: string | null;
  upline: { displayName: string; referralCode: string } | null;
  suggestedInviter: { displayName: string; referralCode: string } | null;
}

function termsBlock(terms: Terms): string {
  const rates = terms.rates
    .map((r) => `<li>${r.rate !== null ? say("apply.rate", { level: r.level, rate: r.rate }) : say("apply.fixed", { level: r.level, amount: money(r.fixedAmount) })}</li>`)
    .join("");
  return `<div class="weui-cells__title">${say("apply.terms")}</div><div class="wd-card" data-testid="terms"><ul class="wd-terms">${rates}
    <li>${say("apply.freeze", { days: terms.freezeDays })}</li>
    <li>${say("apply.minimum", { amount: money(terms.withdrawalMinimum), limit: money(terms.withdrawalDailyLimit) })}</li>
    <li><strong>${say("apply.noFee")}</strong></li></ul></div>`;
}

function message(kind: "pending" | "rejected" | "suspended", application: Application): string {
  const icon = kind === "pending" ? "weui-icon-waiting" : "weui-icon-warn";
  const text =
    kind === "pending"
      ? say("apply.pendingText", {
          date: day(application.appliedAt),
          upline: application.upline ? t(session.locale, "apply.under", { name: application.upline.displayName }) : "",
        })
      : kind === "rejected"
        ? application.rejectReason ? say("apply.rejectedReason", { reason: application.rejectReason }) : ""
        : say("apply.suspendedText");
  return `<div class="weui-msg" data-testid="application-${kind}"><div class="weui-msg__icon-area"><i class="${icon} weui-icon_msg"></i></div>
    <div class="weui-msg__text-area"><h2 class="weui-msg__title">${say(`apply.${kind}Title` as "apply.pendingTitle")}</h2>
    <p class="weui-msg__desc">${text}</p></div>
    ${kind === "rejected" ? `<div class="weui-msg__opr-area"><a role="button" class="weui-btn weui-btn_primary" data-action="again">${say("apply.again")}</a></div>` : ""}</div>`;
}

export const applyPage: Page = async (ctx, target) => {
  const { programTerms: terms, centerApplication: application } = await gql<{ programTerms: Terms; centerApplication: Application }>(
    APPLICATION,
    { channel: ctx.storefront.channel },
  );
  const status = ctx.me?.status;
  const showForm = (again: boolean) => {
    const ref = new URLSearchParams(window.location.search).get("ref") || application.suggestedInviter?.referralCode || "";
    const name = nickname() || (again ? application.displayName ?? "" : "");
    const inviter = application.suggestedInviter ? `<p class="wd-muted" data-testid="invited-by">${say("apply.invitedBy", { name: application.suggestedInviter.displayName })}</p>` : "";
    const body = `${termsBlock(terms)}
      <div class="weui-cells weui-cells_form" data-testid="apply-form">
        <div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="apply-name">${say("apply.name")}</label></div>
          <div class="weui-cell__bd"><input class="weui-input" id="apply-name" maxlength="100" value="${esc(name)}" placeholder="${say("apply.namePlaceholder")}"></div></div>
        <div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="apply-inviter">${say("apply.inviter")}</label></div>
          <div class="weui-cell__bd"><input class="weui-input" id="apply-inviter" maxlength="16" value="${esc(ref)}" placeholder="${say("apply.inviterPlaceholder")}"></div></div>
      </div>${inviter}
      <p class="wd-error" data-slot="error"></p>
      <div class="wd-actions">
        ${canUseWeChat() && !nickname() ? `<a role="button" class="weui-btn weui-btn_default" data-action="wechat-name">${say("apply.useWeChatName")}</a>` : ""}
        <a role="button" class="weui-btn weui-btn_primary" data-action="apply">${say("apply.submit")}</a></div>`;
    target.innerHTML = screen("apply", "apply.title", body);
    on(target, "[data-action=wechat-name]", () => void redirectToWeChat(ctx.storefront.slug, "USERINFO"));
    on(target, "[data-action=apply]", async (button) => {
      button.classList.add("weui-btn_loading");
      const displayName = target.querySelector<HTMLInputElement>("#apply-name")!.value.trim();
      const inviterCode = target.querySelector<HTMLInputElement>("#apply-inviter")!.value.trim() || null;
      try {
        const { distributorApply: answer } = await gql<{ distributorApply: { errors: { code: string; message: string | null }[] } }>(
          APPLY,
          { input: { displayName, inviterCode } },
        );
        if (answer.errors.length) {
          target.querySelector("[data-slot=error]")!.textContent = mutationError(answer);
          button.classList.remove("weui-btn_loading");
          return;
        }
        toast(t(session.locale, "apply.pendingTitle"));
        await ctx.refresh();
      } catch (error) {
        target.querySelector("[data-slot=error]")!.textContent = failureText(error);
        button.classList.remove("weui-btn_loading");
      }
    });
  };
  if (status === "PENDING" || status === "SUSPENDED") {
    target.innerHTML = screen("apply", "apply.title", message(status === "PENDING" ? "pending" : "suspended", application) + termsBlock(terms));
  } else if (status === "REJECTED") {
    target.innerHTML = screen("apply", "apply.title", message("rejected", application));
    on(target, "[data-action=again]", () => showForm(true));
  } else {
    showForm(false);
  }
};
