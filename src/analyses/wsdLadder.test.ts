import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ladderAnalyses, planWsdLadder } from './wsdLadder.js';
import { parseWorld } from '../lab/world.js';
import { configNonEmbedding, normalizeConfig, scheduleCurve, truth } from '../lab/simulate.js';
import { wsd } from '../core/schedule.js';

const world = parseWorld(
  JSON.parse(readFileSync(new URL('../../worlds/default.json', import.meta.url), 'utf8')),
  'default.json',
);
const shapes = [
  [4, 384],
  [6, 512],
  [8, 640],
  [10, 768],
  [12, 1024],
  [16, 1280],
  [20, 1536],
].map(([n_layer, d_model]) => ({ n_layer, d_model, n_heads: d_model / 128 }));
const batch = 262144;
const base = (s: (typeof shapes)[number]) => ({
  ...s,
  tokens: 1e9,
  batch_tokens: batch,
  learning_rate: 3e-3,
  parametrization: 'mup' as const,
});
const N = shapes.map((s) => configNonEmbedding(world, normalizeConfig(world, base(s))));
const shapeOf = (n: number) => shapes[N.indexOf(n)];
const budgets = [3e17, 1e18, 3e18];

test('IsoFLOP profiles and the envelope from WSD cooldown branches match one run per point, for a fraction of the compute', () => {
  const plan = planWsdLadder(N, budgets, batch, 0.2);
  // Simulated branches (rule 8): each a WSD schedule whose stable part is the trunk's.
  const branchLoss = (w: typeof world) => (n: number, b: { steps: number }) =>
    scheduleCurve(w, base(shapeOf(n)), wsd(3e-3, b.steps, 0.2), [b.steps])[0];
  const ladder = ladderAnalyses(plan, branchLoss(world));
  const perPoint = ladderAnalyses(plan, (n, b) => truth(world, { ...base(shapeOf(n)), tokens: b.D }).loss);
  assert.equal(ladder.isoflop.profiles.length, 3);
  for (let i = 0; i < 3; i++) {
    const [a, b] = [ladder.isoflop.profiles[i], perPoint.isoflop.profiles[i]];
    assert.ok(!a.atEdge, `budget ${a.C} is bracketed`);
    assert.ok(Math.abs(a.N / b.N - 1) < 1e-9, `budget ${a.C}: N_opt ${a.N} from branches, ${b.N} from separate runs`);
  }
  assert.ok(Math.abs(ladder.isoflop.N.exponent - perPoint.isoflop.N.exponent) < 1e-9);
  assert.ok(Math.abs(ladder.envelope.N.exponent - perPoint.envelope.N.exponent) < 1e-9);
  // The ladder trains the stable part once: per size 0.8·D_max + 0.2·ΣD against ΣD, for budgets 3.3× apart a quarter saved.
  const D = budgets.map((C) => C / 6);
  const expected = 1 - (0.8 * Math.max(...D) + 0.2 * D.reduce((x, y) => x + y)) / D.reduce((x, y) => x + y);
  assert.ok(Math.abs(plan.compute.saved - expected) < 0.01, `saved ${plan.compute.saved}, expected ${expected}`);
  // When the loss lags the learning rate (momentum 0.99 per step), the shortest branches (67 decay steps) are not fully
  // annealed: their losses sit up to 3 % high, but the exponent of N_opt moves by little.
  const slow = { ...world, schedule: { ...world.schedule, momentum: 0.99 } };
  const lagged = ladderAnalyses(plan, branchLoss(slow));
  const gaps = lagged.dataset.runs.map((r, i) => r.loss / perPoint.dataset.runs[i].loss - 1);
  assert.ok(Math.max(...gaps) < 0.03 && Math.min(...gaps) >= 0, `gaps ${gaps}`);
  assert.ok(
    Math.abs(lagged.isoflop.N.exponent - perPoint.isoflop.N.exponent) < 0.05,
    `N_opt exponent ${lagged.isoflop.N.exponent} against ${perPoint.isoflop.N.exponent}`,
  );
});

test('a budget of fewer than 10 steps at a size is refused: rounded to whole steps, it would train another compute than its name', () => {
  // 19M parameters at 262144 tokens a step: one step is 3e13 FLOPs, so C = 3e14 is 10 steps and 1e14 three.
  const plan = planWsdLadder([19e6], [3e14, 1e15], 262144, 0.2);
  const branch = plan.sizes[0].branches[0];
  assert.equal(branch.steps, 10);
  assert.ok(Math.abs((6 * 19e6 * branch.D) / 3e14 - 1) < 0.05, 'the branch trains the compute its name says');
  assert.throws(
    () => planWsdLadder([19e6], [1e14, 1e15], 262144, 0.2),
    (e: Error) => /budget C = 1e14 at N = 1\.9e7 is 3 steps of 262144 tokens: expected at least 10/.test(e.message),
  );
  assert.throws(
    () => planWsdLadder([19e6], [3e10], 262144, 0.2),
    (e: Error) => /budget C = 3e10 at N = 1\.9e7 is less than one step/.test(e.message),
  );
});
