// Fault injection, ninth pass: runs that go bad during a study. An executor that answers some of the
// IsoFLOP runs "completed" with a NaN, an infinite, a zero or a negative loss, or with evaluations
// whose loss climbs (a run that diverged): the study fits without them, says how many it left out and
// why, and recommends what it recommends without them. (A trainer's own files are checked where they
// are read: test/faults/runners.test.ts's lying trainers; this is the study's own guard, for any executor.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorld } from '../../src/lab/loadWorld.js';
import { simulate } from '../../src/lab/simulate.js';
import { worldArchitecture, worldCostModel } from '../../src/experiments/worldCostModel.js';
import { runStudy, type Executor, type RunOutcome } from '../../src/experiments/study.js';
import { formatNumber } from '../../src/core/format.js';
import { storeExecutor } from '../../src/experiments/runner.js';
import { simBackend } from '../../src/experiments/backends/sim.js';
import { RunStore } from '../../src/store/store.js';
import { storeDataset } from '../../src/store/storeDataset.js';
import type { Backend } from '../../src/experiments/backends/backend.js';
import { scalelab } from '../helpers/cli.js';

const world = loadWorld();
const options = {
  targetSeconds: 48 * 3600,
  experimentSeconds: 12 * 3600,
  cost: worldCostModel(world),
  architecture: worldArchitecture(world),
  bootstrap: 0,
};

/** The simulated lab, as the study's tests run it. */
const simulated = (run: RunOutcome['run']): RunOutcome => {
  const r = simulate(world, run.config);
  return { run, status: r.status, finalLoss: r.finalLoss, evals: r.evals, seconds: r.seconds, reason: r.reason };
};

/** What the bad runs report instead, by their place among the sweep's IsoFLOP runs. */
const lies: ((o: RunOutcome) => RunOutcome)[] = [
  (o) => ({ ...o, finalLoss: NaN }),
  (o) => ({ ...o, finalLoss: Infinity }),
  (o) => ({ ...o, finalLoss: 0 }),
  (o) => ({ ...o, finalLoss: -1.5 }),
  // Diverged: its last evaluation climbs to twice its lowest.
  (o) => {
    const evals = o.evals!.map((e, i, all) => (i === all.length - 1 ? { ...e, loss: 2 * all[0].loss } : e));
    return { ...o, evals, finalLoss: evals[evals.length - 1].loss };
  },
];

test('a study whose runs report NaN, Infinity, 0, a negative loss or diverge fits without them and says how many it left out and why', async () => {
  const honest: Executor = { execute: async (runs) => runs.map(simulated) };
  const told: RunOutcome[] = [];
  const lying: Executor = {
    async leftOut(outcomes) {
      told.push(...outcomes);
    },
    async execute(runs, phase) {
      const out = runs.map(simulated);
      if (phase !== 'isoflop') return out;
      // Spread over the sweep, on completed runs: every third one from the second.
      const done = out.flatMap((o, i) => (o.status === 'completed' ? [i] : []));
      lies.forEach((lie, k) => (out[done[1 + 3 * k]] = lie(out[done[1 + 3 * k]])));
      return out;
    },
  };
  const truth = await runStudy(honest, options);
  const s = await runStudy(lying, options);
  const left = s.outcomes.filter((o) => o.unusable);
  assert.equal(left.length, lies.length);
  assert.deepEqual(
    left.map((o) => o.reason!.replace(/\d[\d.e+-]*/g, '#')),
    [
      'its final loss NaN is not a positive finite number',
      'its final loss Infinity is not a positive finite number',
      'its final loss # is not a positive finite number',
      'its final loss -# is not a positive finite number',
      'diverged: its loss rose from # at # tokens to # at the end, more than # % above its lowest',
    ],
  );
  const said = s.warnings.find((w) => /were left out of the fit/.test(w));
  assert.ok(said, s.warnings.join('\n'));
  const sweep = s.outcomes.filter((o) => o.run.phase !== 'lr-probe').length;
  assert.match(
    said,
    new RegExp(
      `^5 of the sweep's ${sweep} runs were left out of the fit: 5 completed with a loss it cannot use \\(its final loss NaN is not a positive finite number; its final loss Infinity .* \\(and 2 other reasons\\); the store keeps what they reported\\); left out: (isoflop N=[\\d.e+]+ D=[\\d.e+]+(, |$)){5}`,
    ),
  );
  // Each named by its size (an executor with names gives them: the store's), and the executor told of each.
  for (const o of left)
    assert.ok(said.includes(`N=${formatNumber(o.run.N, 3)} D=${formatNumber(o.run.config.tokens, 3)}`));
  assert.deepEqual(told, left);
  // The fit used none of them: every number of the recommendation finite, and near the honest study's.
  for (const v of [
    s.recommendation.predictedLoss,
    s.recommendation.N,
    s.recommendation.D,
    ...Object.values(s.fit.params),
  ])
    assert.ok(Number.isFinite(v), `${v}`);
  assert.ok(
    Math.abs(s.recommendation.predictedLoss / truth.recommendation.predictedLoss - 1) < 0.01,
    `${s.recommendation.predictedLoss} against ${truth.recommendation.predictedLoss} from every run`,
  );
  assert.ok(!truth.warnings.some((w) => /left out of the fit/.test(w)), 'the honest study leaves none out');
});

test('a study through the store records why it left a diverged run out, beside what the run reported; runs export and fits from the store leave it out too, and the warning names the runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-faults-bad-runs-'));
  const db = join(dir, 'runs.db');
  const sim = simBackend(world);
  let isoflop = 0;
  // Every third IsoFLOP run diverges: its last evaluation climbs to twice its first.
  const diverging: Backend = {
    ...sim,
    async status(run) {
      const s = await sim.status(run);
      if (run.phase !== 'isoflop' || s.state !== 'completed' || isoflop++ % 3 !== 1) return s;
      const evals = s.evals!.map((e, i, all) => (i === all.length - 1 ? { ...e, loss: 2 * all[0].loss } : e));
      return { ...s, evals, loss: evals[evals.length - 1].loss };
    },
  };
  const store = RunStore.open(db);
  let result;
  try {
    result = await runStudy(storeExecutor(store, 'bad', diverging, { pollMs: 1 }), options);
  } finally {
    store.close();
  }
  const left = result.outcomes.filter((o) => o.unusable);
  assert.ok(left.length > 5, `${left.length} left out`);
  const said = result.warnings.find((w) => /were left out of the fit/.test(w))!;
  const names = left.map((o) => o.name!);
  assert.ok(
    names.every((n) => /^isoflop-/.test(n)),
    names.join(', '),
  );
  assert.ok(said.endsWith(`; left out: ${names.slice(0, 5).join(', ')} and ${names.length - 5} more`), said);
  const again = RunStore.open(db);
  try {
    const stored = again.runs({ study: 'bad' }).filter((r) => names.includes(r.name!));
    assert.equal(stored.length, left.length);
    for (const r of stored) {
      assert.equal(r.status, 'completed', 'the status it reported');
      assert.ok(r.loss !== null && r.loss > 0, 'the loss it reported');
      assert.match(r.leftOut!, /^diverged: its loss rose from /);
      assert.equal(r.reason, null, 'its own reason (none) kept');
    }
    const fromStore = storeDataset(again, 'bad').runs.map((r) => r.run);
    assert.ok(!fromStore.some((n) => names.includes(n!)), 'a fit from the store leaves them out');
  } finally {
    again.close();
  }
  // runs ls says why, in a column of its own (and leftOut in JSON).
  const ls = scalelab(['runs', 'ls', '--db', db, '--study', 'bad', '--full']);
  assert.equal(ls.code, 0, ls.stderr);
  assert.match(ls.stdout, /reason +left out of the study's fit/);
  const line = ls.stdout.split('\n').find((l) => l.includes(` ${names[0]} `))!;
  assert.match(line, / completed .* diverged: its loss rose from /);
  const listed = scalelab(['runs', 'ls', '--db', db, '--study', 'bad', '--json']).json() as {
    name: string;
    leftOut: string | null;
  }[];
  assert.deepEqual(
    listed
      .filter((r) => r.leftOut !== null)
      .map((r) => r.name)
      .sort(),
    [...names].sort(),
  );
  const out = join(dir, 'export.csv');
  const e = scalelab(['runs', 'export', '--db', db, '--study', 'bad', '--out', out, '--json']);
  assert.equal(e.code, 0, e.stderr);
  assert.equal(e.json().leftOut["completed but left out of the study's fit"], left.length);
  const exported = readFileSync(out, 'utf8');
  for (const n of names) assert.ok(!exported.includes(n), `${n} not exported`);
  // What `fit` reads from the export is what the study fitted.
  const isoflopRows = exported.split('\n').filter((l) => /,(isoflop|scale-up),/.test(l)).length;
  assert.equal(isoflopRows, result.dataset.runs.length);
});
