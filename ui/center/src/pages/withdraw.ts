/** Withdraw: the rules first (minimum, daily limit and what is left today, fee, why not now), then the
 * amount; a transfer waiting for me is confirmed in WeChat (`requestMerchantTransfer` with the package the
 * transfer returned; the sandbox's simulated WeChat Pay page outside WeChat); my withdrawals and what
 * became of each. */
import { config, gql, type Money, mutationError, session } from "../api";
import type { Page } from "../context";
import { t } from "../i18n";
import { day, empty, esc, failureText, money, on, say, screen } from "../ui";
import { inWeChat, requestTransfer } from "../wx";

const WITHDRAW = `query($channel: String!) {
  centerWithdrawalRules(channel: $channel) { currency minimum { amount currency } dailyLimit { amount currency }
    usedToday { amount currency } leftToday { amount currency } available { amount currency } maxNow { amount currency }
    fee { amount currency } confirmationRequired blocker blockerMessage }
  myWithdrawals(first: 10) { edges { node { id amount { amount currency } status failReason rejectReason requestedAt } } }
}`;
const REQUEST = `mutation($channel: String!, $amount: String!) { withdrawalRequest(channel: $channel, amount: $amount) {
  withdrawal { id status } errors { field code message } } }`;
const PACKAGE = `query($id: ID!) { withdrawalTransferPackage(id: $id) { mchId appId package } }`;

interface Rules {
  minimum: Money;
  dailyLimit: Money;
  leftToday: Money;
  available: Money;
  maxNow: Money;
  fee: Money;
  confirmationRequired: boolean;
  blocker: string | null;
  blockerMessage: string | null;
}

interface Withdrawal {
  id: string;
  amount: Money;
  status: string;
  failReason: string | null;
  rejectReason: string | null;
  requestedAt: string;
}

function row(w: Withdrawal): string {
  const why = w.rejectReason || w.failReason;
  const action = w.status === "WAIT_USER_CONFIRM"
    ? `<a role="button" class="weui-btn weui-btn_mini weui-btn_primary" data-action="confirm" data-id="${esc(w.id)}">${say("withdraw.confirm")}</a>`
    : "";
  return `<div class="weui-cell" data-testid="withdrawal" data-status="${esc(w.status)}"><div class="weui-cell__bd">
    <p>${money(w.amount)} <span class="wd-muted">${esc(day(w.requestedAt))}</span></p>
    <p class="wd-why">${say(`wstatus.${w.status}` as "wstatus.PAID")}${why ? ` · ${esc(why)}` : ""}</p>${action}</div></div>`;
}

/** the withdrawal just asked for: its confirmation starts as soon as WeChat Pay waits for it */
let confirmNext: string | null = null;

export const withdrawPage: Page = async (ctx, target) => {
  const data = await gql<{ centerWithdrawalRules: Rules; myWithdrawals: { edges: { node: Withdrawal }[] } }>(WITHDRAW, {
    channel: ctx.storefront.channel,
  });
  const rules = data.centerWithdrawalRules;
  const history = data.myWithdrawals.edges.map((e) => e.node);
  const confirmed = new URLSearchParams(window.location.search).get("transfer") === "confirmed";
  const form = rules.blocker
    ? `<div class="weui-cells__tips wd-error" data-testid="blocker" data-code="${esc(rules.blocker)}">${esc(rules.blockerMessage)}</div>`
    : `<div class="weui-cells weui-cells_form"><div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="amount">${say("withdraw.amount")}</label></div>
        <div class="weui-cell__bd"><input class="weui-input" id="amount" inputmode="decimal" data-testid="amount" placeholder="${esc(rules.minimum.amount)} – ${esc(rules.maxNow.amount)}"></div>
        <div class="weui-cell__ft"><a role="button" class="weui-btn weui-btn_mini weui-btn_default" data-action="all">${say("withdraw.all")}</a></div></div></div>
      <p class="wd-error" data-slot="error"></p>
      <div class="wd-actions"><a role="button" class="weui-btn weui-btn_primary" data-action="withdraw">${say("withdraw.submit")}</a></div>`;
  const body = `<div class="weui-cells__title">${say("withdraw.rules")}</div><div class="weui-cells" data-testid="rules">
      ${[["withdraw.available", rules.available], ["withdraw.minimum", rules.minimum], ["withdraw.dailyLimit", rules.dailyLimit],
        ["withdraw.leftToday", rules.leftToday], ["withdraw.fee", rules.fee]]
        .map(([key, value]) => `<div class="weui-cell"><div class="weui-cell__bd">${say(key as "withdraw.fee")}</div><div class="weui-cell__ft">${money(value as Money)}</div></div>`)
        .join("")}</div>
    ${rules.confirmationRequired ? `<p class="wd-note">${say("withdraw.confirmNote")}</p>` : ""}${form}
    <p class="wd-note" data-testid="transfer-status">${confirmed ? say("withdraw.confirmed") : ""}</p>
    <div class="weui-cells__title">${say("withdraw.history")}</div>
    ${history.length ? `<div class="weui-cells">${history.map(row).join("")}</div>` : empty("withdraw.none")}`;
  target.innerHTML = screen("withdraw", "withdraw.title", body, { back: "home" });
  const status = target.querySelector<HTMLElement>("[data-testid=transfer-status]")!;
  on(target, "[data-action=all]", () => {
    target.querySelector<HTMLInputElement>("[data-testid=amount]")!.value = rules.maxNow.amount;
  });
  const confirm = async (id: string) => {
    const { withdrawalTransferPackage: pkg } = await gql<{ withdrawalTransferPackage: { mchId: string; appId: string; package: string } }>(PACKAGE, { id });
    if (inWeChat()) {
      const outcome = await requestTransfer(pkg);
      status.dataset.outcome = outcome;
      status.textContent = t(session.locale, outcome === "ok" ? "withdraw.confirmed" : outcome === "cancel" ? "withdraw.cancelledByUser" : "error.server");
      if (outcome === "ok") window.setTimeout(() => void withdrawPage(ctx, target), 1500);
    } else if (config.simulatedWeChat) {
      const back = window.location.href;
      window.location.href = `${config.simulatedWeChat.transferPage}?${new URLSearchParams({ package: pkg.package, redirect: back })}`;
    } else {
      status.textContent = t(session.locale, "withdraw.confirmOutside");
    }
  };
  on(target, "[data-action=confirm]", (el) => confirm(el.dataset.id!).catch((e) => (status.textContent = failureText(e))));
  const waiting = history.find((w) => w.id === confirmNext && w.status === "WAIT_USER_CONFIRM");
  confirmNext = null;
  if (waiting) await confirm(waiting.id).catch((e) => (status.textContent = failureText(e)));
  on(target, "[data-action=withdraw]", async (button) => {
    const error = target.querySelector<HTMLElement>("[data-slot=error]")!;
    const amount = target.querySelector<HTMLInputElement>("[data-testid=amount]")!.value.trim();
    button.classList.add("weui-btn_loading");
    try {
      const { withdrawalRequest: answer } = await gql<{
        withdrawalRequest: { withdrawal: { id: string; status: string } | null; errors: { code: string; message: string | null }[] };
      }>(REQUEST, { channel: ctx.storefront.channel, amount });
      if (!answer.withdrawal) return void (error.textContent = mutationError(answer));
      // approved at once below the automatic threshold: the transfer may be waiting for me already
      confirmNext = answer.withdrawal.id;
      await withdrawPage(ctx, target);
    } catch (failure) {
      error.textContent = failureText(failure);
    } finally {
      button.classList.remove("weui-btn_loading");
    }
  });
};
