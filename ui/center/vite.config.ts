import { defineConfig } from "vite";

import { sharedBuild } from "../build/shared.ts";

export default defineConfig({
  base: "./",
  build: sharedBuild("center"),
});
