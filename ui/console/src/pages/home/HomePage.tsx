/** The App's own page (the manifest's appUrl, opened from the dashboard's app list): the console's pages. */
import { Box, Text } from "@saleor/macaw-ui";

import { useDashboard } from "../../app/dashboard";
import { config, useT } from "../../app/hooks";
import { common } from "../../app/messages";

export default function HomePage() {
  const t = useT(common);
  const { locale } = useDashboard();
  const query = window.location.search;
  return (
    <Box display="flex" flexDirection="column" gap={4} data-testid="home-page">
      <Text as="h1" size={10} fontWeight="bold">
        {t("home.title")}
      </Text>
      <Text color="default2">{t("home.intro")}</Text>
      <Box as="ul" display="flex" flexDirection="column" gap={2} padding={0} margin={0}>
        {config.pages.map((page) => (
          <Box as="li" key={page.slug} listStyleType="none">
            {/* a full navigation: the next page makes its own handshake with the dashboard */}
            <a className="wd-link" href={`${page.slug}/${query}`}>
              {page.labels[locale]}
            </a>
          </Box>
        ))}
      </Box>
    </Box>
  );
}
