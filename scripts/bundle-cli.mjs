// Bundles the built CLI (dist/cli/main.js) into a few files under dist/bundle/, which bin/scalelab.js
// runs: Node loads an ES module per file, and the ~60 files a command such as `fit` reads cost it
// 30–40 ms of its start-up (README, Speed). Each command's code stays in its own chunk, loaded only when
// that command runs. Native and large packages (SQLite, resvg, vega) stay in node_modules.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// esbuild does not empty its outdir: chunks of an earlier build would stay and be packed.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: ['dist/cli/main.js'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // ES module builds of the dependencies that have one (jsonc-parser's "main" is UMD).
  mainFields: ['module', 'main'],
  external: ['better-sqlite3', '@resvg/resvg-js', 'vega', 'vega-lite', 'vega-embed', 'cli-progress'],
  // CommonJS dependencies bundled into an ES module still call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __scalelabRequire } from 'node:module'; const require = __scalelabRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
