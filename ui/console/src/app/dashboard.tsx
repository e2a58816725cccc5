/**
 * The Saleor dashboard around the page, through @saleor/app-sdk's AppBridge: the handshake gives the
 * token (a JWT Saleor issued for this App: the user's permissions intersected with the App's), then the
 * dashboard sends its theme and locale (and a new token before the old one expires).
 *
 * States: "outside" (opened on its own, not in the dashboard's iframe), "waiting" (no handshake yet),
 * "timeout" (the parent never answered), "ready".
 */
import { actions, AppBridge } from "@saleor/app-sdk/app-bridge";
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from "react";

import { type Locale, toLocale } from "./i18n";

export type Theme = "light" | "dark";
export type DashboardStatus = "outside" | "waiting" | "timeout" | "ready";

export interface DashboardState {
  status: DashboardStatus;
  locale: Locale;
  theme: Theme;
  email: string;
  /** The freshest token (the dashboard refreshes it before it expires). */
  token: () => string;
  notify: (status: "success" | "warning" | "error" | "info", title: string, text?: string) => void;
}

const HANDSHAKE_TIMEOUT_MS = 10_000;

function inIframe(): boolean {
  try {
    return window.self !== window.top;
  } catch {
    return true; // a cross-origin parent: we are framed
  }
}

function themeFrom(value: string | null | undefined): Theme {
  return value === "dark" ? "dark" : "light";
}

const params = new URLSearchParams(window.location.search);

const DashboardContext = createContext<DashboardState | null>(null);

export function DashboardProvider({ children }: { children: ReactNode }) {
  const framed = inIframe();
  const bridge = useMemo(() => (framed ? new AppBridge() : null), [framed]);
  const [status, setStatus] = useState<DashboardStatus>(framed ? "waiting" : "outside");
  const [locale, setLocale] = useState<Locale>(toLocale(params.get("locale") ?? navigator.language));
  const [theme, setTheme] = useState<Theme>(themeFrom(params.get("theme")));
  const [email, setEmail] = useState("");

  useEffect(() => {
    if (!bridge) return undefined;
    const unsubscribe = [
      bridge.subscribe("handshake", () => {
        setEmail(bridge.getState().user?.email ?? "");
        setStatus("ready");
      }),
      bridge.subscribe("theme", ({ theme: next }) => setTheme(themeFrom(next))),
      bridge.subscribe("localeChanged", ({ locale: next }) => setLocale(toLocale(next))),
    ];
    const timer = window.setTimeout(
      () => setStatus((current) => (current === "waiting" ? "timeout" : current)),
      HANDSHAKE_TIMEOUT_MS,
    );
    return () => {
      window.clearTimeout(timer);
      unsubscribe.forEach((off) => off());
    };
  }, [bridge]);

  const value = useMemo<DashboardState>(
    () => ({
      status,
      locale,
      theme,
      email,
      token: () => bridge?.getState().token ?? "",
      notify: (kind, title, text) => {
        bridge?.dispatch(actions.Notification({ status: kind, title, text })).catch(() => undefined);
      },
    }),
    [bridge, status, locale, theme, email],
  );
  return <DashboardContext.Provider value={value}>{children}</DashboardContext.Provider>;
}

export function useDashboard(): DashboardState {
  const state = useContext(DashboardContext);
  if (!state) throw new Error("useDashboard outside DashboardProvider");
  return state;
}
