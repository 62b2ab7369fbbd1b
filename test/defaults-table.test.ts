/**
 * docs/methods.md §38 says where each default is set as `file` › `symbol`, not as a line number (line
 * numbers drifted with every edit of the files they named). This keeps the names true: every file named
 * exists and declares the constant or function named beside it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const methods = readFileSync(join(root, 'docs/methods.md'), 'utf8');

/** The rows of §38's table: each row's cells, with the header's column names. */
function defaultsTable(): { header: string[]; rows: string[][] } {
  const start = methods.indexOf('\n## 38. ');
  assert.ok(start >= 0, 'docs/methods.md has §38');
  // The first table of the section, whole (a later one, the evidence run's, has other columns).
  const after = methods.slice(start).split('\n');
  const first = after.findIndex((l) => l.startsWith('|'));
  const stop = after.findIndex((l, i) => i > first && !l.startsWith('|'));
  const lines = after.slice(first, stop);
  const cells = (l: string) =>
    l
      .replace(/^\|\s*|\s*\|$/g, '')
      .split(/\s+\|\s+/)
      .map((c) => c.trim());
  const header = cells(lines[0]);
  return { header, rows: lines.slice(2).map(cells) };
}

/**
 * Whether `source` declares `symbol` at its top level: a constant, variable, function, class, interface
 * or type of that name, at the start of a line (a local of the same name inside a function is not where
 * the default is set).
 */
function declares(source: string, symbol: string): boolean {
  const name = symbol.replace(/[$]/g, '\\$');
  return new RegExp(
    `^(?:export\\s+)?(?:default\\s+)?(?:async\\s+)?(?:const|let|var|function\\*?|class|interface|type|enum)\\s+${name}\\b`,
    'm',
  ).test(source);
}

test('docs/methods.md §38: every "set at" cell names files that exist and the constants or functions they declare, no line numbers', () => {
  const { header, rows } = defaultsTable();
  const at = header.indexOf('set at');
  assert.ok(at >= 0, `a "set at" column (header: ${header.join(', ')})`);
  assert.ok(rows.length >= 40, `${rows.length} rows`);
  const entry = /^`([^`]+)` › `([^`]+)`$/;
  let named = 0;
  const problems: string[] = [];
  for (const row of rows) {
    const cell = row[at];
    if (/:\d+/.test(cell)) problems.push(`${row[1]}: a line number in "${cell}"`);
    for (const part of cell.split(/[,;]\s+/)) {
      const m = entry.exec(part.trim());
      if (!m) {
        problems.push(`${row[1]}: "${part}" is not \`file\` › \`symbol\``);
        continue;
      }
      const [, file, symbol] = m;
      named++;
      if (!existsSync(join(root, file))) {
        problems.push(`${row[1]}: ${file} does not exist`);
        continue;
      }
      if (!declares(readFileSync(join(root, file), 'utf8'), symbol))
        problems.push(`${row[1]}: ${file} declares no ${symbol}`);
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(named >= rows.length, `${named} places named for ${rows.length} rows`);
});

test('the check finds a symbol a file does not declare, and one it only mentions', () => {
  assert.ok(declares('export const EXTRAPOLATION_SCALE = 0.0075;', 'EXTRAPOLATION_SCALE'));
  assert.ok(declares('export function registerFit(program: Command) {}', 'registerFit'));
  assert.ok(!declares('export const EXTRAPOLATION_SCALE_2 = 1;', 'EXTRAPOLATION_SCALE'));
  assert.ok(!declares('  scale = EXTRAPOLATION_SCALE,', 'EXTRAPOLATION_SCALE'));
  assert.ok(!declares('function f() {\n  const X = 1;\n}', 'X'), 'a local declaration is not the top-level one');
});
