/**
 * A wide ladder like the ones users bring (an over-training suite: one evaluation per model, accuracy
 * only, no task loss), small enough for seconds: the screen calls each constructed task what it is, and
 * the average over every task — Gadre et al.'s quantity — is predicted with an interval that holds the
 * truth at the held-out largest size, by the direct law in C and by their validation-loss chain.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scalelabInProcess } from './helpers/inProcessCli.js';
import { noStackTrace } from './helpers/cli.js';
import { wideLadder } from './helpers/wideLadder.js';
import { parseTaskMetrics } from '../src/io/parseTaskMetrics.js';
import {
  bootstrapValidationLossChain,
  finalPoints,
  fitLossToError,
  fitValidationLossLaw,
  lossErrorPoints,
  taskLadder,
  type ValidationLawCache,
} from '../src/analyses/downstream.js';

const tmp = mkdtempSync(join(tmpdir(), 'scalelab-wide-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const small = (seed: number) =>
  wideLadder({
    seed,
    counts: { predictable: 3, noisy: 2, 'near chance': 2, 'not monotone': 2 },
    sizes: 8,
    multipliers: [20, 80, 320],
  });

test('wide ladder, one evaluation per model: the screen calls each constructed task what it is, its noise measured between neighbouring runs', async () => {
  for (const seed of [1, 2]) {
    const w = small(seed);
    const file = join(tmp, `ladder-${seed}.csv`);
    writeFileSync(file, w.csv);
    const r = await scalelabInProcess(['downstream', 'screen', file, '--chance', String(w.chance), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const screens = JSON.parse(r.stdout) as {
      task: string;
      screen: { verdict: string; noise: number; noiseFrom?: string };
    }[];
    assert.equal(screens.length, w.tasks.length);
    for (const t of w.tasks) {
      const s = screens.find((x) => x.task === t.task)!.screen;
      assert.equal(s.verdict, t.kind, `seed ${seed}, ${t.task}`);
      assert.equal(s.noiseFrom, 'neighbouring runs in validation loss');
      // One evaluation per run: not 0 (as before), and of the size of the noise put in (it errs high).
      assert.ok(
        s.noise > 0.5 * t.noise && s.noise < 3 * t.noise,
        `seed ${seed}, ${t.task}: σ ${s.noise} vs ${t.noise}`,
      );
    }
    const text = await scalelabInProcess(['downstream', 'screen', file, '--chance', String(w.chance)]);
    assert.match(text.stdout, /noise σ \(every task\): no run has 4 evaluations/);
  }
});

test("wide ladder: the average over every task, by the direct law in C and by Gadre et al.'s validation-loss chain, holds the truth at the held-out largest size", async () => {
  const w = small(3);
  const file = join(tmp, 'ladder-avg.csv');
  writeFileSync(file, w.csv);
  const targets = w.models.filter((m) => m.target);
  const r = await scalelabInProcess([
    'downstream',
    'predict',
    file,
    '--target-runs',
    targets.map((m) => m.model).join(','),
    '--chance',
    String(w.chance),
    '--average',
    'all=all',
    '--from-val-loss',
    '--bootstrap',
    '40',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(noStackTrace(r.stderr));
  const [avg] = JSON.parse(r.stdout) as {
    task: string;
    screen: { verdict: string };
    targets: {
      label: string;
      accuracy: number;
      interval: { accuracy: [number, number] };
      viaValLoss: { accuracy: number; interval: { accuracy: [number, number] } };
    }[];
  }[];
  assert.equal(avg.task, 'all');
  assert.equal(avg.screen.verdict, 'predictable');
  assert.equal(avg.targets.length, targets.length);
  for (const t of avg.targets) {
    const m = targets.find((x) => x.model === t.label)!;
    const truth = w.tasks.reduce((s, task) => s + task.accuracy(m.N, m.D), 0) / w.tasks.length;
    for (const [how, point, [lo, hi]] of [
      ['direct in C', t.accuracy, t.interval.accuracy],
      ['from the validation loss', t.viaValLoss.accuracy, t.viaValLoss.interval.accuracy],
    ] as const) {
      assert.ok(lo <= truth && truth <= hi, `${t.label} ${how}: [${lo}, ${hi}] misses ${truth}`);
      assert.ok(Math.abs(point - truth) < 0.03, `${t.label} ${how}: ${point} vs ${truth}`);
      assert.ok(hi - lo < 0.15, `${t.label} ${how}: width ${hi - lo}`);
    }
  }
});

test("wide ladder: --chance per task sets each task's level (a bare number the rest), and an average's is its parts' mean; an unknown task is refused", async () => {
  const w = small(1);
  const file = join(tmp, 'ladder-chance.csv');
  writeFileSync(file, w.csv);
  const r = await scalelabInProcess(['downstream', 'screen', file, '--chance', '0.25,smooth01=0.5', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const chances = new Map(
    (JSON.parse(r.stdout) as { task: string; screen: { chance?: number } }[]).map((t) => [t.task, t.screen.chance]),
  );
  assert.equal(chances.get('smooth01'), 0.5);
  assert.equal(chances.get('smooth02'), 0.25);
  const avg = await scalelabInProcess([
    'downstream',
    'screen',
    file,
    '--chance',
    '0.25,smooth01=0.5',
    '--average',
    'two=smooth01,smooth02',
    '--json',
  ]);
  assert.equal(avg.code, 0, avg.stderr);
  assert.equal((JSON.parse(avg.stdout) as { screen: { chance: number } }[])[0].screen.chance, 0.375);
  const bad = await scalelabInProcess(['downstream', 'screen', file, '--chance', 'smoth01=0.5']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--chance: no task "smoth01" in the data; did you mean smooth01/);
});

test("Gadre et al.'s chain over many tasks: each replicate's validation-loss law is fitted once for all tasks, and the intervals are those fitted anew", () => {
  const w = small(4);
  const { records } = parseTaskMetrics(w.csv, { source: 'wide.csv' });
  const targets = w.models.filter((m) => m.target);
  const ladder = (task: string) =>
    taskLadder(records, 'wide.csv', { task, runs: (run) => !targets.some((m) => m.model === run) });
  const law = fitValidationLossLaw(finalPoints(ladder('smooth01')), 'wide.csv');
  const options = { replicates: 12, seed: 5 };
  const cache: ValidationLawCache = new Map();
  for (const task of ['smooth01', 'smooth02', 'noisy01']) {
    const l = ladder(task);
    const chain = { law, exp: fitLossToError(lossErrorPoints(l, 0.1), 'wide.csv') };
    const shared = bootstrapValidationLossChain(l, chain, targets, { ...options, lawCache: cache });
    assert.ok(cache.size > 0 && cache.size <= options.replicates, `${task}: ${cache.size} laws cached`);
    assert.deepEqual(shared, bootstrapValidationLossChain(l, chain, targets, options), task);
  }
});
