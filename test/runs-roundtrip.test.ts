/**
 * What `runs export` writes, `runs import` reads back as the same runs: every export shape (final losses and
 * checkpoints, CSV and JSONL) of a study that holds a sweep's runs with their configuration, imported runs
 * without one, imported training curves, a failed run and a run the study left out of its fit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scalelab } from './helpers/cli.js';
import { writePlan } from './faults/common.js';
import { RunStore } from '../src/store/store.js';
import { readRuns } from '../src/io/readRuns.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-roundtrip-'));
const db = join(dir, 'runs.db');

interface Listed {
  name: string | null;
  status: string;
  N: number | null;
  D: number | null;
  loss: number | null;
  leftOut: string | null;
  config: Record<string, number> | null;
}

const ok = (args: string[]) => {
  const r = scalelab(args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r;
};
const listed = (store: string): Listed[] => ok(['runs', 'ls', '--db', store, '--study', 'rt', '--json']).json();
const byName = (runs: Listed[]) => [...runs].sort((a, b) => String(a.name).localeCompare(String(b.name)));

// The study: imported final losses (one crashed in its tracker: stored as failed), imported training curves,
// and a sweep's two runs on the sim backend, one of which the study then left out of its fit (diverged).
const finals = join(dir, 'finals.csv');
writeFileSync(
  finals,
  'run,N,D,loss,state\nimp-a,1e8,2e9,3.1,finished\nimp-b,2e8,4e9,2.9,finished\nimp-c,4e8,8e9,2.8,crashed\n',
);
const curves = join(dir, 'curves.csv');
writeFileSync(
  curves,
  'run,step,N,D,loss\n' +
    ['cur-a', 'cur-b']
      .flatMap((run, i) =>
        [1, 2, 3].map((s) => `${run},${s * 100},${(i + 1) * 5e7},${s * 1e9},${(4 - s / 10 - i / 20).toFixed(3)}`),
      )
      .join('\n') +
    '\n',
);
ok(['runs', 'import', finals, curves, '--db', db, '--study', 'rt']);
ok(['sweep', 'run', writePlan(join(dir, 'plan.json'), [0, 1, 2]), '--study', 'rt', '--backend', 'sim', '--db', db]);
{
  const store = RunStore.open(db);
  try {
    const swept = store.runs({ study: 'rt' }).filter((r) => r.config !== null);
    assert.equal(swept.length, 3);
    assert.ok(store.markLeftOutByStudy(swept[2].id, 'diverged: the loss is not a finite number'));
  } finally {
    store.close();
  }
}
const original = listed(db);
/** What an export carries: the completed runs the study fitted. */
const exported = original.filter((r) => r.status === 'completed' && r.leftOut === null);

for (const format of ['csv', 'jsonl'] as const)
  test(`runs export --format ${format} of a study mixing a sweep's runs and imported ones imports back as the same runs, with each sweep run's configuration read`, () => {
    const file = join(dir, `finals.${format}`);
    const out = ok(['runs', 'export', '--db', db, '--study', 'rt', '--out', file]);
    assert.match(out.stderr, /runs not completed are left out: 1 failed, 1 completed but left out of the study's fit/);
    const fresh = join(dir, `fresh-${format}.db`);
    const imported = ok(['runs', 'import', file, '--db', fresh, '--study', 'rt', '--json']);
    const read = imported.json().files[0];
    assert.equal(read.runs, exported.length);
    // The configuration columns are read; the imported runs did not record them, and the import says how many.
    assert.deepEqual(read.columns.batch, 'batch_tokens');
    assert.deepEqual(read.columns.lr, 'learning_rate');
    assert.deepEqual(read.columns.width, 'd_model');
    assert.deepEqual(read.columns.layers, 'n_layer');
    const withoutConfig = exported.filter((r) => r.config === null).length;
    for (const f of ['batch', 'lr', 'width', 'layers']) assert.equal(read.notRecorded[f].rows, withoutConfig, f);
    assert.match(
      imported.stderr,
      new RegExp(
        `blank cells read as not recorded: .*n_layer \\(layers\\) for ${withoutConfig} of ${exported.length} runs`,
      ),
    );
    // The same runs: names, N, D and loss.
    const same = (runs: Listed[]) => byName(runs).map((r) => [r.name, r.N, r.D, r.loss, r.status]);
    assert.deepEqual(same(listed(fresh)), same(exported));
    // Each sweep run's configuration as a reader of the file sees it, and none for the imported runs.
    const ds = readRuns(file);
    const runs = new Map(ds.runs.map((r) => [r.run, r]));
    for (const r of exported) {
      const back = runs.get(r.name!)!;
      assert.deepEqual(
        [back.batch, back.lr, back.width, back.layers],
        r.config === null
          ? [undefined, undefined, undefined, undefined]
          : [r.config.batch_tokens, r.config.learning_rate, r.config.d_model, r.config.n_layer],
        String(r.name),
      );
    }
    // Exported again from the fresh store, the same table but for the configuration the store does not keep
    // for an imported run (the import says so: "not kept in the store").
    const again = ok(['runs', 'export', '--db', fresh, '--study', 'rt', '--format', 'jsonl']).stdout;
    const first = ok(['runs', 'export', '--db', db, '--study', 'rt', '--format', 'jsonl']).stdout;
    const rows = (text: string) =>
      text
        .trim()
        .split('\n')
        .map((l) => {
          const { study, run, N, D, C, loss, group, status } = JSON.parse(l) as Record<string, unknown>;
          return { study, run, N, D, C, loss, group, status };
        })
        .sort((a, b) => String(a.run).localeCompare(String(b.run)));
    assert.deepEqual(rows(again), rows(first));
  });

for (const format of ['csv', 'jsonl'] as const)
  test(`runs export --checkpoints --format ${format} imports back as the same runs' checkpoints`, () => {
    const file = join(dir, `curves-out.${format}`);
    ok(['runs', 'export', '--db', db, '--study', 'rt', '--checkpoints', '--out', file]);
    const fresh = join(dir, `fresh-curves-${format}.db`);
    ok(['runs', 'import', file, '--db', fresh, '--study', 'rt']);
    const curvesOf = (store: string) =>
      ok(['runs', 'export', '--db', store, '--study', 'rt', '--checkpoints', '--format', 'jsonl'])
        .stdout.trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .sort((a, b) => String(a.run).localeCompare(String(b.run)) || Number(a.step) - Number(b.step));
    const before = curvesOf(db);
    assert.ok(
      before.some((r) => String(r.run).startsWith('cur-')) && before.some((r) => String(r.run).startsWith('isoflop-')),
    );
    assert.deepEqual(curvesOf(fresh), before);
  });

test('runs export writes unique tokens (U) where every run has them, and they import back; a study mixing runs with and without U says it leaves the column out', () => {
  const unique = join(dir, 'unique.csv');
  writeFileSync(unique, 'run,N,D,U,loss\nu-a,1e8,8e9,2e9,3.2\nu-b,2e8,8e9,4e9,3.0\n');
  ok(['runs', 'import', unique, '--db', db, '--study', 'ru']);
  for (const format of ['csv', 'jsonl'] as const) {
    const file = join(dir, `unique-out.${format}`);
    ok(['runs', 'export', '--db', db, '--study', 'ru', '--out', file]);
    const fresh = join(dir, `fresh-unique-${format}.db`);
    ok(['runs', 'import', file, '--db', fresh, '--study', 'ru']);
    const us = (store: string) =>
      (ok(['runs', 'ls', '--db', store, '--study', 'ru', '--json']).json() as { name: string; U: number | null }[])
        .map((r) => [r.name, r.U])
        .sort();
    assert.deepEqual(us(fresh), [
      ['u-a', 2e9],
      ['u-b', 4e9],
    ]);
    assert.deepEqual(us(fresh), us(db));
  }
  // Beside runs without U (the whole store): not written blank, which would not import again, and said.
  const mixed = ok(['runs', 'export', '--db', db, '--format', 'csv']);
  assert.doesNotMatch(mixed.stdout.split('\n')[0], /(^|,)U(,|$)/);
  assert.match(mixed.stderr, /the U column \(unique tokens\) is not written: 2 of the \d+ rows have it/);
});
