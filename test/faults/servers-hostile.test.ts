/**
 * The two HTTP servers (`lab serve` and `serve`) under a hostile network and a hostile machine, the
 * eighth fault pass: malformed and slow requests, clients that hang up, the store changing while an
 * answer is built, `lab serve` killed under a sweep of the api backend, and where the servers listen.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src/store/store.js';
import { parseRuns } from '../../src/io/parseRuns.js';
import { bundledDatasets, createWebServer } from '../../src/server/webServer.js';
import { studyRunsSchema, progressSchema } from '../../src/server/webApi.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-fault-hostile-'));
const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Completed runs as a CSV data set, `count` of them from `first`. */
function someRuns(first: number, count: number, source: string) {
  const rows = Array.from(
    { length: count },
    (_, i) => `${1e7 * (first + i + 1)},${2e9 * (first + i + 1)},${(4 - 0.1 * (first + i)).toFixed(2)}`,
  );
  return parseRuns(`N,D,loss\n${rows.join('\n')}\n`, { source });
}

test('serve answers from one snapshot of the store: an import committed while an answer is built is in all of it or none (its runs, its data set, its progress)', async () => {
  const storePath = join(dir, 'snapshot.db');
  const assets = join(dir, 'dist');
  mkdirSync(assets, { recursive: true });
  writeFileSync(join(assets, 'index.html'), '<!doctype html>');
  const writer = RunStore.open(storePath);
  cleanups.push(() => writer.close());
  writer.importDataset(someRuns(0, 3, 'first.csv'), 'demo');
  const web = createWebServer({ storePath, assetsDir: assets, datasets: bundledDatasets() });
  const { url } = await web.listen(0);
  cleanups.push(() => web.close());
  // Another process's import, committed right after the server's first read of the runs (a
  // writer of its own connection, as another process is: the reader's snapshot is the question).
  const runs = RunStore.prototype.runs;
  let imports = 0;
  RunStore.prototype.runs = function (this: RunStore, ...args: Parameters<RunStore['runs']>) {
    const out = runs.apply(this, args);
    if (this !== writer && imports < 1) {
      imports++;
      writer.importDataset(someRuns(10 * imports, 2, `more-${imports}.csv`), 'demo');
    }
    return out;
  };
  cleanups.push(() => (RunStore.prototype.runs = runs));
  try {
    const first = studyRunsSchema.parse(await (await fetch(`${url}/api/studies/demo/runs`)).json());
    assert.equal(imports, 1, 'the import happened while the answer was built');
    // Before: 3 runs listed beside a data set of 5 (the data set read after the import).
    assert.equal(first.runs.length, first.dataset.runs.length, 'runs and data set from one snapshot');
    assert.equal(first.runs.length, 3);
    const progress = progressSchema.parse(await (await fetch(`${url}/api/studies/demo/progress`)).json());
    assert.equal(progress.total, 5, 'the next answer sees the import whole');
    const again = studyRunsSchema.parse(await (await fetch(`${url}/api/studies/demo/runs`)).json());
    assert.equal(again.runs.length, 5);
    assert.equal(again.dataset.runs.length, 5);
  } finally {
    RunStore.prototype.runs = runs;
  }
});
