/**
 * Write docs/flags.md, the table of every flag name shared by more than one command with its one
 * meaning, from the program itself: `node --import tsx scripts/flags-table.ts` (a test checks it is
 * current).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../src/cli/main.js';
import { flagsMarkdown } from '../src/cli/flagTable.js';

export const flagsDocPath = fileURLToPath(new URL('../docs/flags.md', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(flagsDocPath, flagsMarkdown(await buildProgram()));
  process.stdout.write(`wrote ${flagsDocPath}\n`);
}
