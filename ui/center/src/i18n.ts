/**
 * The distributor center speaks Simplified Chinese first and English second. The language comes from
 * `?lang=`, then the reader's last choice, then the phone's language (WeChat's own language setting).
 */
export type Locale = "zh-Hans" | "en";

const STORAGE_KEY = "wd-center-locale";

const en = {
  "title": "Distributor center",
  "signin.title": "Open the distributor center from your storefront",
  "signin.text":
    "Tap “Distributor center” in the menu of the Official Account that invited you, or open your share link in WeChat.",
  "language": "Language",
  "language.zh-Hans": "简体中文",
  "language.en": "English",
  "footer": "Powered by WeChat distribution",
};

export const messages: { en: typeof en; "zh-Hans": { [K in keyof typeof en]: string } } = {
  en,
  "zh-Hans": {
    "title": "分销中心",
    "signin.title": "请从店铺进入分销中心",
    "signin.text": "在邀请你的公众号菜单中点击“分销中心”，或在微信中打开你的分享链接。",
    "language": "语言",
    "language.zh-Hans": "简体中文",
    "language.en": "English",
    "footer": "微信分销",
  },
};

export type MessageKey = keyof typeof en;

function parse(value: string | null | undefined): Locale | null {
  if (!value) return null;
  const lower = value.toLowerCase();
  if (lower.startsWith("zh")) return "zh-Hans";
  if (lower.startsWith("en")) return "en";
  return null;
}

export function initialLocale(): Locale {
  let stored: string | null = null;
  try {
    stored = window.localStorage.getItem(STORAGE_KEY);
  } catch {
    // storage may be disabled (private mode): the choice just does not persist
  }
  return (
    parse(new URLSearchParams(window.location.search).get("lang")) ??
    parse(stored) ??
    parse(navigator.language) ??
    "zh-Hans"
  );
}

export function rememberLocale(locale: Locale): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // see initialLocale
  }
}

export function t(locale: Locale, key: MessageKey): string {
  return messages[locale][key] ?? messages.en[key];
}
