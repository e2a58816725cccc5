/**
 * Build settings shared by the console and the center (`./dev ui-build`).
 *
 * - Output goes into the Python package (committed, shipped in the wheel), or under $WD_UI_OUT when the
 *   test command checks that the committed build matches the sources.
 * - Deterministic: content-hashed names, no timestamps, no absolute paths, no source maps.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin, UserConfig } from "vite";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PACKAGE = path.resolve(HERE, "../../saleor_wechat_distribution");

export function outDir(app: "console" | "center"): string {
  const override = process.env.WD_UI_OUT;
  return override ? path.join(override, app) : path.join(PACKAGE, app, "static");
}

export function sharedBuild(app: "console" | "center"): UserConfig["build"] {
  return {
    outDir: outDir(app),
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    target: "es2020",
    // hashed names only: an asset's URL changes when its content does, so it can be cached for a year
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    // the console carries React and macaw-ui (about 170 KB gzipped); the center has its own budget test
    chunkSizeWarningLimit: 1024,
  };
}

/**
 * macaw-ui's stylesheet declares 48 font faces (Inter, Geist, Geist Mono in every weight, 4 MB of files).
 * The dashboard's look needs Inter only: keep one variable Inter file for both family names macaw uses
 * ("Inter var" on the page, "Inter" in components), so the build carries 230 KB of font instead of 4 MB.
 */
export function macawFontsOnlyInter(): Plugin {
  const inter = "./Inter-roman.var.woff2";
  const faces = ["Inter var", "Inter"]
    .map(
      (family) =>
        `@font-face{font-family:"${family}";src:url(${inter}) format("woff2");` +
        "font-style:normal;font-weight:100 900;font-display:swap}",
    )
    .join("");
  return {
    name: "wd-macaw-fonts-only-inter",
    enforce: "pre",
    transform(code, id) {
      if (!id.replaceAll("\\", "/").endsWith("@saleor/macaw-ui/dist/style.css")) return null;
      const stripped = code.replace(/@font-face\{[^}]*\}/g, "");
      if (stripped === code) this.error("macaw-ui's stylesheet has no @font-face rules any more: revisit this plugin");
      return { code: faces + stripped, map: null };
    },
  };
}
