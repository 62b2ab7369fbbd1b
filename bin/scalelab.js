#!/usr/bin/env node
// Entry point of the `scalelab` command: runs the compiled CLI (npm install builds it), bundled into a
// few files (dist/bundle/, scripts/bundle-cli.mjs) because Node starts faster from few files; the
// unbundled build (dist/cli/) when there is no bundle, or when the bundle is older than dist/cli/main.js
// (a later `tsc`-only rebuild: the bundle would run stale code).
import { statSync } from 'node:fs';

const bundle = new URL('../dist/bundle/main.js', import.meta.url);
const unbundled = new URL('../dist/cli/main.js', import.meta.url);
const bundleStat = statSync(bundle, { throwIfNoEntry: false });
const unbundledStat = statSync(unbundled, { throwIfNoEntry: false });
const entry =
  bundleStat && !(unbundledStat && unbundledStat.mtimeMs > bundleStat.mtimeMs)
    ? bundle
    : unbundledStat
      ? unbundled
      : undefined;
if (!entry) {
  process.stderr.write(
    'scalelab: the CLI is not built yet; run "npm install" (or "npm run build") in the scalelab folder\n',
  );
  process.exit(1);
}
const { main } = await import(entry.href);
await main();
