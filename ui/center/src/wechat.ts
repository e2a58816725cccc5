/**
 * WeChat's JS-SDK, bundled from npm (`weixin-js-sdk`), loaded only inside WeChat's browser. Its `wx.config`
 * needs a signature from the server (`jsSdkConfig`, with the distributor center's pages).
 */
export function inWeChat(userAgent: string = navigator.userAgent): boolean {
  return /MicroMessenger/i.test(userAgent);
}

export async function loadJsSdk(): Promise<unknown> {
  const module = await import("weixin-js-sdk");
  return module.default;
}
