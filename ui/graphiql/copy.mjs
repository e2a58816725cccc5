/**
 * GraphiQL served from the package, never from unpkg.com (a host without internet, or behind China's
 * network, showed a blank page). The files are the packages' own published UMD builds, copied unchanged
 * from node_modules into saleor_wechat_distribution/graphiql/static/ (or $WD_UI_OUT/graphiql when
 * `./dev test` checks that the committed copy is what the lock installs). graphql/views.py serves them.
 */
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const out = process.env.WD_UI_OUT
  ? path.join(process.env.WD_UI_OUT, "graphiql")
  : path.resolve(HERE, "../../saleor_wechat_distribution/graphiql/static");

// served name -> [package, file inside it]
const FILES = {
  "react.production.min.js": ["react", "umd/react.production.min.js"],
  "react-dom.production.min.js": ["react-dom", "umd/react-dom.production.min.js"],
  "graphiql.min.js": ["graphiql", "graphiql.min.js"],
  "graphiql.min.css": ["graphiql", "graphiql.min.css"],
};

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
for (const [name, [pkg, file]] of Object.entries(FILES)) {
  const root = path.dirname(require.resolve(`${pkg}/package.json`));
  fs.copyFileSync(path.join(root, file), path.join(out, name));
}
console.log(`graphiql: ${Object.keys(FILES).length} files -> ${out}`);
