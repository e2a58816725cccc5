import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

import { macawFontsOnlyInter, sharedBuild } from "../build/shared.ts";

// base "./": the pages are served under different prefixes (sandbox /console/, Saleor's plugin route);
// the server puts a <base href> into index.html, so relative asset URLs resolve from the console root.
export default defineConfig({
  base: "./",
  plugins: [react(), macawFontsOnlyInter()],
  build: sharedBuild("console"),
});
