/**
 * The route through the validation loss (downstream --via val-loss, docs/methods.md §33) on a small
 * synthetic over-training ladder with known truth: at a held-out compute-optimal model (20 tokens per
 * parameter) the direct law in C, which cannot tell it from an over-trained model of the same compute,
 * is biased high; the route recovers the truth and its 95 % interval holds it. The flag's parsing, and
 * the default route kept for a task with a task loss.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scalelabInProcess } from './helpers/inProcessCli.js';
import { noStackTrace } from './helpers/cli.js';
import { wideLadder } from './helpers/wideLadder.js';
import { parseTaskMetrics } from '../src/io/parseTaskMetrics.js';
import {
  bootstrapValLossRoute,
  directAccuracy,
  fitDirect,
  fitValLossRoute,
  predictViaValLoss,
  taskLadder,
} from '../src/analyses/downstream.js';
import { analyseLadder } from '../src/analyses/downstreamLadder.js';

const tmp = mkdtempSync(join(tmpdir(), 'scalelab-via-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// Predictable tasks only, each a sigmoid in the validation loss (the wide ladder's sixth is one in C).
const small = (seed: number) =>
  wideLadder({
    seed,
    counts: { predictable: 4, noisy: 0, 'near chance': 0, 'not monotone': 0 },
    sizes: 8,
    multipliers: [20, 80, 320],
  });

test('via the validation loss: at a held-out compute-optimal model the direct law in C is biased high, the route recovers the truth within its 95 % interval', () => {
  let routeError = 0,
    directBias = 0;
  for (const seed of [1, 2]) {
    const w = small(seed);
    const set = parseTaskMetrics(w.csv, { source: `wide-${seed}.csv` });
    const held = w.models.filter((m) => m.target);
    // The 6.9B model at 20 tokens per parameter: compute-optimal, never fitted.
    const target = held.find((m) => m.D / m.N === 20)!;
    for (const t of w.tasks) {
      const all = taskLadder(set.records, set.source, { task: t.task });
      const ladder = { ...all, runs: all.runs.filter((r) => !held.some((m) => m.model === r.run)) };
      const truth = t.accuracy(target.N, target.D);
      const direct = directAccuracy(fitDirect(ladder, { chance: w.chance }), 6 * target.N * target.D);
      const f = fitValLossRoute(ladder, { chance: w.chance });
      assert.equal(f.options.idealPoint, false, 'never the ideal point on a validation loss');
      const route = predictViaValLoss(f, target).accuracy;
      const at = `seed ${seed}, ${t.task}: truth ${truth.toFixed(4)}, direct ${direct.toFixed(4)}, route ${route.toFixed(4)}`;
      assert.ok(direct - truth > 0.005, `the direct law is biased high: ${at}`);
      assert.ok(Math.abs(route - truth) < direct - truth, `the route is nearer the truth: ${at}`);
      routeError += Math.abs(route - truth);
      directBias += direct - truth;
      const [iv] = bootstrapValLossRoute(ladder, f, [target], { replicates: 40, seed: 1 });
      assert.ok(iv, at);
      assert.ok(iv.accuracy[0] <= truth && truth <= iv.accuracy[1], `${at}: interval ${iv.accuracy.join('–')}`);
      assert.ok(iv.valLoss[0] < iv.valLoss[1]);
    }
  }
  // Over the tasks, the route's error is well under the direct law's bias (not one lucky task).
  assert.ok(routeError < 0.6 * directBias, `route ${routeError.toFixed(4)} vs direct ${directBias.toFixed(4)}`);
});

test('--via: val-loss predicts through the validation loss (route in JSON, val. in the table, the route in the HTML report); a name not offered is refused', async () => {
  const w = small(3);
  const file = join(tmp, 'wide.csv');
  writeFileSync(file, w.csv);
  const targets = w.models
    .filter((m) => m.target)
    .map((m) => m.model)
    .join(',');
  const base = ['downstream', 'predict', file, '--target-runs', targets, '--chance', '0.25', '--bootstrap', '0'];
  const json = await scalelabInProcess([...base, '--task', 'smooth01', '--via', 'val-loss', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const [t] = JSON.parse(json.stdout) as {
    route: string;
    viaValLoss?: { step1: { params: Record<string, number> } };
    direct?: unknown;
    targets: { valLoss?: number; accuracy: number }[];
  }[];
  assert.equal(t.route, 'val-loss');
  assert.ok(t.viaValLoss && t.viaValLoss.step1.params.E > 1, 'the validation-loss law is in the JSON');
  assert.equal(t.direct, undefined);
  assert.ok(t.targets.every((r) => r.valLoss! > 1 && r.accuracy > 0.25));
  // Without --via, a ladder with no task loss keeps the direct law in C.
  const plain = await scalelabInProcess([...base, '--task', 'smooth01', '--json']);
  assert.equal((JSON.parse(plain.stdout) as { route: string }[])[0].route, 'compute');
  const text = await scalelabInProcess([...base, '--task', 'smooth01', '--via', 'val-loss']);
  assert.match(text.stdout, /val\. \d\.\d{4}/);
  const bad = await scalelabInProcess([...base, '--via', 'loss']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--via: invalid value "loss" \(expected task-loss, val-loss, compute\)/);
  noStackTrace(bad.stderr);
  const html = join(tmp, 'report.html');
  const report = await scalelabInProcess([
    'downstream',
    'report',
    file,
    '--target-runs',
    targets,
    '--chance',
    '0.25',
    '--bootstrap',
    '0',
    '--task',
    'smooth01',
    '--via',
    'val-loss',
    '--out',
    html,
  ]);
  assert.equal(report.code, 0, report.stderr);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /Route: the two steps through the validation loss \(every task\)/);
  assert.match(page, /<p>Fits: step 1: validation loss from N and D/);
  assert.match(page, /validation loss: \d/);
  const none = await scalelabInProcess([...base, '--task', 'smooth01', '--via', 'task-loss', '--json']);
  assert.match(none.stdout, /has no task-loss metric/);
});

test('a task with a task loss keeps the two steps through it unless another route is asked for; the screen back-tests the route asked for', () => {
  const w = small(1);
  // smooth01's task loss: a straight function of the validation loss, as a bits-per-byte column would be.
  const lines = w.csv.trim().split('\n');
  const csv =
    [
      `${lines[0]},smooth01/bpb`,
      ...lines.slice(1).map((l) => `${l},${(0.5 * Number(l.split(',')[3]) - 0.3).toFixed(5)}`),
    ].join('\n') + '\n';
  const set = parseTaskMetrics(csv, { source: 'with-bpb.csv' });
  const data = { source: set.source, sets: [set], records: set.records, roles: new Map(), tasks: [] };
  const run = (route?: 'task-loss' | 'val-loss' | 'compute') =>
    analyseLadder(data, { chance: 0.25, tasks: ['smooth01'], ...(route ? { route } : {}) })[0];
  const byDefault = run();
  assert.equal(byDefault.route, 'task-loss');
  assert.ok(byDefault.fit && !byDefault.viaValLossFit && !byDefault.direct);
  assert.equal(byDefault.screen?.backtest?.method, 'two-step');
  const viaVal = run('val-loss');
  assert.equal(viaVal.route, 'val-loss');
  assert.ok(!viaVal.fit && viaVal.viaValLossFit);
  assert.equal(viaVal.screen?.backtest?.method, 'via validation loss');
  const viaC = run('compute');
  assert.ok(!viaC.fit && viaC.direct);
  assert.equal(viaC.screen?.backtest?.method, 'direct in C');
});
