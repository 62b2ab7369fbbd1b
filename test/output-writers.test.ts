// Every file a command writes for the user (--out of every command, runs export, reports, figures,
// plans) goes through one writer, src/cli/output.ts (writeOutput, writeOutputInSteps: a temporary file
// beside the target, flushed, renamed over it), so a kill -9, a full disk or a Ctrl-C never leaves half
// a file. This reads the sources of the layers that write for the user (the CLI, the servers, the
// report, scalelab/node) and refuses any other call that writes a file. Files the runners and the store
// keep for themselves (run folders, lock records: src/experiments, src/store) are theirs, not outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
/** The one file allowed to write output files. */
const writer = join(root, 'src', 'cli', 'output.ts');
const layers = ['cli', 'server', 'report', 'node'].map((d) => join(root, 'src', d));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(m?ts|tsx)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

/**
 * The calls in a source that write a file, by name (Node's fs, sync, callback or promise style, and
 * streams), comments left out; `line: call`.
 */
export function fileWrites(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/.*$/gm, '');
  const calls =
    /\b(writeFileSync|writeFile|appendFileSync|appendFile|createWriteStream|writeSync|writev|writevSync|copyFileSync|copyFile|cpSync|truncateSync|ftruncateSync)\s*\(/g;
  const found: string[] = [];
  for (const m of code.matchAll(calls)) found.push(`${code.slice(0, m.index).split('\n').length}: ${m[1]}`);
  // Opening a file to write it (flags w, a, r+, x) is a write too.
  for (const m of code.matchAll(/\b(openSync|open)\s*\([^,)]*,\s*['"`](?:w|a|r\+|wx|ax)[^'"`]*['"`]/g))
    found.push(`${code.slice(0, m.index).split('\n').length}: ${m[1]} for writing`);
  // By numeric flags (O_WRONLY, O_RDWR, O_CREAT), and a rename onto a path (an output put in place by hand).
  for (const m of code.matchAll(/\b(O_WRONLY|O_RDWR|O_CREAT|O_APPEND|renameSync|rename)\b\s*[(|,)]/g))
    found.push(`${code.slice(0, m.index).split('\n').length}: ${m[1]}`);
  return found;
}

test('the scan finds a write however it is spelt, and not one in a comment', () => {
  const sample = [
    "import { writeFileSync } from 'node:fs';",
    'fs.writeFileSync(out, text); // writeFile(x) in a comment',
    '/* createWriteStream(out) in a block comment */',
    'await fsp.writeFile(out, text);',
    'const s = createWriteStream (out);',
    "const fd = openSync(out, 'w');",
    "const r = openSync(input, 'r');",
    'appendFileSync(log, line);',
    "const h = await fsp.open(out, 'w');",
    'const fd2 = openSync(out, constants.O_WRONLY | constants.O_CREAT);',
    'renameSync(tmp, out);',
  ].join('\n');
  assert.deepEqual(fileWrites(sample), [
    '2: writeFileSync',
    '4: writeFile',
    '5: createWriteStream',
    '8: appendFileSync',
    '6: openSync for writing',
    '9: open for writing',
    '10: O_WRONLY',
    '10: O_CREAT',
    '11: renameSync',
  ]);
});

test('no command, server or report writes a file except through the atomic writer (src/cli/output.ts)', () => {
  const files = layers.flatMap(sources);
  assert.ok(files.length > 40, `read the sources (${files.length} files)`);
  assert.ok(fileWrites(readFileSync(writer, 'utf8')).length > 0, 'the writer itself is seen to write');
  const elsewhere = files
    .filter((f) => f !== writer)
    .flatMap((f) => fileWrites(readFileSync(f, 'utf8')).map((w) => `${relative(root, f)}:${w}`));
  assert.deepEqual(elsewhere, [], 'write through writeOutput / writeOutputInSteps (or writeAtomically) instead');
});
