/**
 * WeChat's JS-SDK: bundled from npm (`weixin-js-sdk`) and loaded only inside WeChat's browser. A page that
 * already has a `wx` (a host that loaded the SDK itself, the browser tests' recording stand-in) keeps it.
 * `wx.config` is signed by the server (`jsSdkConfig`) for the page's address without its #fragment: the
 * center routes with the fragment, so one signature serves every screen of a visit.
 */
import { gql } from "./api";

export interface ShareData {
  title: string;
  desc: string;
  link: string;
  imgUrl: string;
}

interface Wx {
  config(options: Record<string, unknown>): void;
  ready(callback: () => void): void;
  error(callback: (result: { errMsg?: string }) => void): void;
  updateAppMessageShareData(options: ShareData & { success?: () => void }): void;
  updateTimelineShareData(options: Omit<ShareData, "desc"> & { success?: () => void }): void;
  requestMerchantTransfer?(options: Record<string, unknown>): void;
}

interface Bridge {
  invoke(name: string, options: Record<string, unknown>, callback: (r: { err_msg?: string }) => void): void;
}

declare global {
  interface Window {
    wx?: Wx;
  }
}

function bridge(): Bridge | undefined {
  return (window as unknown as { WeixinJSBridge?: Bridge }).WeixinJSBridge;
}

export const JS_API_LIST = ["updateAppMessageShareData", "updateTimelineShareData", "requestMerchantTransfer"];

export function inWeChat(userAgent: string = navigator.userAgent): boolean {
  return /MicroMessenger/i.test(userAgent);
}

export async function loadJsSdk(): Promise<Wx> {
  if (window.wx && typeof window.wx.config === "function") return window.wx;
  const module = await import("weixin-js-sdk");
  return module.default as unknown as Wx;
}

const CONFIG = `query($url: String!, $s: String, $app: String) {
  jsSdkConfig(url: $url, storefront: $s, appId: $app) { appId timestamp nonceStr signature }
}`;

const configured = new Map<string, Promise<Wx>>();

/** `wx`, configured for this page by the storefront's account (or by `appId`'s). */
export function readyWx(target: { storefront?: string; appId?: string }): Promise<Wx> {
  const url = window.location.href.split("#")[0];
  const key = `${target.appId ?? ""}|${target.storefront ?? ""}|${url}`;
  let pending = configured.get(key);
  if (!pending) {
    pending = (async () => {
      const wx = await loadJsSdk();
      const { jsSdkConfig } = await gql<{ jsSdkConfig: Record<string, string | number> }>(CONFIG, {
        url,
        s: target.storefront ?? null,
        app: target.appId ?? null,
      });
      return await new Promise<Wx>((resolve, reject) => {
        wx.ready(() => resolve(wx));
        wx.error((result) => reject(new Error(result.errMsg || "wx.config failed")));
        wx.config({ debug: false, ...jsSdkConfig, jsApiList: JS_API_LIST });
      });
    })();
    pending.catch(() => configured.delete(key));
    configured.set(key, pending);
  }
  return pending;
}

/** What a share to a friend and to Moments shows (title, text, picture, and the link with my code). */
export async function setShare(storefront: string, data: ShareData): Promise<void> {
  const wx = await readyWx({ storefront });
  wx.updateAppMessageShareData({ ...data });
  wx.updateTimelineShareData({ title: data.title, link: data.link, imgUrl: data.imgUrl });
}

/** WeChat Pay's confirmation page for a transfer waiting for me; resolves with WeChat's answer. */
export async function requestTransfer(pkg: { mchId: string; appId: string; package: string }): Promise<"ok" | "cancel" | "fail"> {
  const wx = await readyWx({ appId: pkg.appId });
  const options = { mchId: pkg.mchId, appId: pkg.appId, package: pkg.package };
  const outcome = (message = "") => (message.endsWith(":ok") ? "ok" : message.endsWith(":cancel") ? "cancel" : "fail");
  return new Promise((resolve) => {
    const jsBridge = bridge();
    if (jsBridge) {
      jsBridge.invoke("requestMerchantTransfer", options, (result) => resolve(outcome(result.err_msg)));
    } else if (wx.requestMerchantTransfer) {
      wx.requestMerchantTransfer({
        ...options,
        success: () => resolve("ok"),
        fail: (result: { errMsg?: string }) => resolve(outcome(result.errMsg)),
      });
    } else {
      resolve("fail");
    }
  });
}
