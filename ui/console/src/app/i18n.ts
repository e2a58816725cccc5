/**
 * zh-Hans and English, following the dashboard's locale (AppBridge's `locale`: "zh-Hans", "en", "pl"...).
 * Every page keeps its own dictionary (`messages.ts` beside it); the English one is the source of the keys,
 * so a missing Chinese entry fails the type check of the build.
 */
export type Locale = "en" | "zh-Hans";

export type Messages = Record<string, string>;
export type Dictionary<M extends Messages> = { en: M; "zh-Hans": { [K in keyof M]: string } };

/** The dashboard's locale -> ours: any Chinese locale reads Simplified Chinese, anything else English. */
export function toLocale(value: string | null | undefined): Locale {
  return value && value.toLowerCase().startsWith("zh") ? "zh-Hans" : "en";
}

/** What our GraphQL API reads from Accept-Language (Django's language codes). */
export function acceptLanguage(locale: Locale): string {
  return locale === "zh-Hans" ? "zh-hans" : "en";
}

export type Translate<M extends Messages> = (key: keyof M & string, params?: Record<string, string | number>) => string;

export function translator<M extends Messages>(dictionary: Dictionary<M>, locale: Locale): Translate<M> {
  return (key, params) => {
    const text = (dictionary[locale] as Messages)[key] ?? dictionary.en[key] ?? key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole,
    );
  };
}

export function formatDateTime(value: string, locale: Locale): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(locale === "zh-Hans" ? "zh-CN" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(date);
}
