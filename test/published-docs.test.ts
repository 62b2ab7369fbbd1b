/**
 * Published presets and landmarks are data in one place each (src/presets/README.md, src/catalog/README.md);
 * what the documents say of them is checked against that data, so adding one breaks a test that names
 * the sentence to update, not a reader's trust.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { lawPresets } from '../src/presets/laws.js';
import { hparamPresets } from '../src/hparams/laws.js';
import { criticalBatchPresets } from '../src/hparams/criticalBatch.js';
import { loadCatalog } from '../src/catalog/load.js';
import { defaultLandmarks, findModel } from '../src/catalog/models.js';
import { root } from './helpers/cli.js';

const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The documents in which `id` is not named as a whole word (hoffmann-2022 is not hoffmann-2022-tex). */
function notNamedIn(id: string, docs: Record<string, string>): string[] {
  const word = new RegExp(`(?<![\\w-])${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`);
  return Object.entries(docs)
    .filter(([, text]) => !word.test(text))
    .map(([path]) => path);
}

test('every published preset (laws, hyperparameters, critical batch) is named in docs/methods.md, with its numbers, and in the README', () => {
  const docs = { 'docs/methods.md': read('docs/methods.md'), 'README.md': read('README.md') };
  const ids = [...lawPresets, ...hparamPresets, ...criticalBatchPresets].map((p) => p.id);
  assert.ok(ids.length >= 8, `${ids.length} presets`);
  const missing = [...new Set(ids)].flatMap((id) => notNamedIn(id, docs).map((path) => `${id}: not in ${path}`));
  assert.deepEqual(missing, []);
  // The check can fail: a preset no document names is found, and a longer id does not stand for a shorter.
  assert.deepEqual(notNamedIn('no-such-2099', docs), ['docs/methods.md', 'README.md']);
  assert.deepEqual(notNamedIn('hoffmann-2022', { a: 'preset hoffmann-2022-tex' }), ['a']);
});

test("the catalog's size is stated truly wherever it is stated", () => {
  const catalog = loadCatalog();
  const families = new Set(catalog.map((m) => m.family)).size;
  const rows = catalog.length;
  const stated: [string, RegExp, number, string][] = [
    ['examples/published-models.PROVENANCE.md', /^(\d+) rows, \d+ families\./m, rows, 'rows'],
    ['examples/published-models.PROVENANCE.md', /^\d+ rows, (\d+) families\./m, families, 'families'],
    ['README.md', /`examples\/published-models\.csv` holds (\d+) published configurations/, rows, 'rows'],
    ['docs/methods.md', /`examples\/published-models\.csv` holds\s+(\d+) configurations/, rows, 'rows'],
    ['examples/README.md', /`published-models\.csv` — (\d+) published LLM configurations/, rows, 'rows'],
    ['src/cli/commands/models.ts', /'published model configurations \((\d+), with sources/, rows, 'rows'],
  ];
  // Every stale sentence at once: a row added changes them all.
  const stale = stated.flatMap(([path, pattern, count, what]) => {
    const m = pattern.exec(read(path));
    if (!m) return [`${path}: no sentence matching ${pattern}`];
    return Number(m[1]) === count ? [] : [`${path}: "${m[0]}" (the catalog has ${count} ${what})`];
  });
  assert.deepEqual(stale, []);
});

/** Source files (not tests) under `dir`, relative to the repository's root. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

test('the landmarks a report and the web app show by default are one list (defaultLandmarks), of models in the catalog', () => {
  const catalog = loadCatalog();
  for (const id of defaultLandmarks) assert.ok(findModel(catalog, id), id);
  // The list spelled out again (its first two names in a row) anywhere but src/catalog: it was, in the
  // report's default, its --help and the web app's table.
  const [first, second] = defaultLandmarks;
  const spelled = new RegExp(`${first}['"]?\\s*,\\s*['"]?${second}`);
  const copies = [...sourceFiles('src'), ...sourceFiles(join('web', 'src'))].filter(
    (f) => !f.startsWith(join('src', 'catalog')) && spelled.test(read(f)),
  );
  assert.deepEqual(copies, [], 'use defaultLandmarks');
  assert.ok(spelled.test(`['${first}', '${second}']`) && spelled.test(`${first},${second}`), 'the check finds a copy');
});
