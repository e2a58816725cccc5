/** The frame of every console page: the dashboard's theme (macaw-ui), its states, then the page. */
import { Box, ThemeProvider, useTheme } from "@saleor/macaw-ui";
import { Suspense, useEffect } from "react";

import { PAGES } from "../pages/registry";
import HomePage from "../pages/home/HomePage";
import { AuthorizationReturn, isAuthorizationReturn } from "../pages/storefronts/AuthorizationReturn";
import {
  DashboardTimeout,
  LoadingRows,
  OutsideDashboard,
  PageNotFound,
  Unavailable,
  WaitingForDashboard,
} from "../components/states";
import { useDashboard } from "./dashboard";
import { config } from "./hooks";

function FollowDashboardTheme() {
  const { theme } = useDashboard();
  const { setTheme } = useTheme();
  useEffect(() => {
    setTheme(theme === "dark" ? "defaultDark" : "defaultLight");
    document.documentElement.dataset.theme = theme;
  }, [theme, setTheme]);
  return null;
}

function Page() {
  const { status } = useDashboard();
  if (!config.graphqlUrl) return <Unavailable reason={config.unavailable} />;
  if (isAuthorizationReturn()) return <AuthorizationReturn />;
  if (status === "outside") return <OutsideDashboard />;
  if (status === "waiting") return <WaitingForDashboard />;
  if (status === "timeout") return <DashboardTimeout />;
  if (!config.page) return <HomePage />;
  const Component = PAGES[config.page];
  if (!Component) return <PageNotFound />;
  return (
    <Suspense fallback={<LoadingRows />}>
      <Component />
    </Suspense>
  );
}

export function Console() {
  const { locale, theme } = useDashboard();
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  return (
    <ThemeProvider defaultTheme={theme === "dark" ? "defaultDark" : "defaultLight"}>
      <FollowDashboardTheme />
      <Box
        as="main"
        data-testid="console"
        data-locale={locale}
        padding={6}
        backgroundColor="default1"
        color="default1"
        __minHeight="100vh"
      >
        <Page />
      </Box>
    </ThemeProvider>
  );
}
