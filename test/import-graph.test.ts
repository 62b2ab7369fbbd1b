// The folders of src/ depend on each other one way: the import graph between top-level folders
// (analyses, io, lab, experiments, …) has no cycle, so each folder can be read, tested and moved
// with only what is below it. The web app uses the library, never the CLI or the Node-only parts.
// Imports are read from the sources (static, `export … from`, dynamic and type-only alike).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const src = join(root, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'dist') return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(m?ts|tsx)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

/** Relative module specifiers a file imports, resolved to paths. */
export function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map(
    (m) => m[1],
  );
  return specifiers.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
}

/** The top-level folder of src/ a path is in, or undefined for src/index.ts and paths outside src/. */
function folderOf(path: string): string | undefined {
  const rel = relative(src, path);
  if (rel.startsWith('..')) return undefined;
  const parts = rel.split(sep);
  return parts.length > 1 ? parts[0] : undefined;
}

/** Folder → folders it imports from, each with one file that does (for the message). */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sources(src)) {
    const from = folderOf(file);
    if (!from) continue;
    for (const target of importsOf(file)) {
      const to = folderOf(target);
      if (!to || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, relative(root, file));
    }
  }
  return graph;
}

/** Every cycle, as a path a → b → … → a, found by depth-first search from each folder. */
export function cycles(graph: Map<string, Map<string, string>>): string[][] {
  const found = new Map<string, string[]>();
  const walk = (start: string, at: string, path: string[]) => {
    for (const next of graph.get(at)?.keys() ?? []) {
      if (next === start) {
        const cycle = [...path, start];
        // One entry per cycle, whichever folder it is read from.
        const key = [...path].sort().join(' ');
        if (!found.has(key)) found.set(key, cycle);
      } else if (!path.includes(next) && next > start) walk(start, next, [...path, next]);
    }
  };
  for (const start of [...graph.keys()].sort()) walk(start, start, [start]);
  return [...found.values()];
}

test('the cycle finder finds a cycle, and only one entry for it', () => {
  const g = new Map([
    ['a', new Map([['b', 'x']])],
    ['b', new Map([['c', 'x']])],
    ['c', new Map([['a', 'x']])],
    ['d', new Map([['a', 'x']])],
  ]);
  assert.deepEqual(cycles(g), [['a', 'b', 'c', 'a']]);
  g.get('c')!.delete('a');
  assert.deepEqual(cycles(g), []);
});

test('no cycle between the top-level folders of src/', () => {
  const graph = folderGraph();
  assert.ok(graph.size >= 10, `read the imports of src/ (${[...graph.keys()].join(', ')})`);
  assert.ok(graph.get('analyses')?.has('io'), 'analyses imports io');
  const described = cycles(graph).map((c) =>
    c.map((f, i) => (i + 1 < c.length ? `${f} (${graph.get(f)!.get(c[i + 1])})` : f)).join(' → '),
  );
  assert.deepEqual(described, [], 'a folder that imports from another must not be imported by it, even through others');
});

test('the web app imports neither the CLI (src/cli) nor the Node-only library (src/node)', () => {
  const bad = sources(join(root, 'web', 'src')).flatMap((file) =>
    importsOf(file)
      .filter((target) => ['cli', 'node'].includes(folderOf(target) ?? ''))
      .map((target) => `${relative(root, file)} imports ${relative(root, target)}`),
  );
  assert.ok(
    sources(join(root, 'web', 'src')).some((f) => importsOf(f).some((t) => folderOf(t) === 'laws')),
    "read the web app's imports of the library",
  );
  assert.deepEqual(bad, []);
});
