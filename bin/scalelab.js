#!/usr/bin/env node
// Entry point of the `scalelab` command: runs the compiled CLI (npm install builds it).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'scalelab: the CLI is not built yet; run "npm install" (or "npm run build") in the scalelab folder\n',
  );
  process.exit(1);
}
const { main } = await import(entry.href);
await main();
