#!/usr/bin/env node
// Entry point of the `scalelab` command: runs the compiled CLI (npm install builds it), bundled into a
// few files (dist/bundle/, scripts/bundle-cli.mjs) because Node starts faster from few files; the
// unbundled build (dist/cli/) when there is no bundle.
import { existsSync } from 'node:fs';

const entry = [
  new URL('../dist/bundle/main.js', import.meta.url),
  new URL('../dist/cli/main.js', import.meta.url),
].find((url) => existsSync(url));
if (!entry) {
  process.stderr.write(
    'scalelab: the CLI is not built yet; run "npm install" (or "npm run build") in the scalelab folder\n',
  );
  process.exit(1);
}
const { main } = await import(entry.href);
await main();
