// Learning-rate transfer and the η and B laws, checked on the simulated lab, whose truth is known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWorld } from '../src/lab/loadWorld.js';
import { learningRateOptimum, mfu, optimum, simulate } from '../src/lab/simulate.js';
import { learningRateTransfer } from '../src/hparams/mup.js';
import { evaluate, fitHparamLaws } from '../src/hparams/laws.js';
import type { Dataset, Run } from '../src/io/dataset.js';
import { readRuns } from '../src/io/readRuns.js';

const world = loadWorld();
const lrs = [2.5e-4, 5e-4, 1e-3, 2e-3, 4e-3, 8e-3, 1.6e-2];

function sweep(parametrization: 'sp' | 'mup'): Dataset {
  const runs: Run[] = [];
  let line = 2;
  for (const width of [256, 512, 1024, 2048]) {
    for (const lr of lrs) {
      const r = simulate(world, {
        n_layer: 4,
        d_model: width,
        n_heads: width / 64,
        tokens: 2e9,
        batch_tokens: 131072,
        learning_rate: lr,
        parametrization,
      });
      if (r.status === 'completed') runs.push({ width, lr, loss: r.finalLoss, line: line++ });
    }
  }
  return { source: `${parametrization}-sweep`, runs, columns: { width: 'width', lr: 'lr', loss: 'loss' }, derived: {} };
}

test('LR sweeps at four widths: the optimum drifts as 1/width under SP and stays put under muP', () => {
  const sp = learningRateTransfer(sweep('sp'), { replicates: 100, seed: 1, level: 0.95 });
  const mup = learningRateTransfer(sweep('mup'), { replicates: 100, seed: 1, level: 0.95 });
  assert.ok(Math.abs(sp.slope + 1) < 0.15, `SP slope ${sp.slope}`);
  assert.match(sp.verdict, /falls about as 1\/width/);
  assert.ok(Math.abs(mup.slope) < 0.15, `muP slope ${mup.slope}`);
  assert.match(mup.verdict, /transfers/);
  for (const w of mup.widths)
    assert.ok(Math.abs(w.learningRate / 3e-3 - 1) < 0.25, `width ${w.width}: η* ${w.learningRate}`);
});

test("DeepSeek-style sweeps over η and B at five budgets recover the world's optimal η and batch", () => {
  const quiet = { ...world, noise: { seedSigma: 0, evalSigma: 0 } };
  const runs: Run[] = [];
  const truth: { C: number; lr: number; batch: number }[] = [];
  let line = 2;
  for (const hours of [0.1, 0.3, 1, 3, 10]) {
    const o = optimum(quiet, hours * 3600);
    const shape = { n_layer: o.config.n_layer, d_model: o.config.d_model, n_heads: o.config.n_heads };
    const etaStar = learningRateOptimum(quiet, { d_model: shape.d_model, parametrization: 'sp' });
    const C = 6 * o.N * o.D;
    truth.push({ C, lr: etaStar, batch: o.config.batch_tokens });
    for (const lr of [0.5, 0.71, 1, 1.41, 2].map((k) => k * etaStar)) {
      for (let seqs = 16; seqs <= 4096; seqs *= 2) {
        const batch = seqs * quiet.architecture.seqLen;
        const total = o.N + 2 * quiet.architecture.vocab * shape.d_model;
        const tokens =
          ((hours * 3600 - quiet.hardware.overheadSeconds) * quiet.hardware.peakFlops * mfu(quiet, o.N, batch)) /
          (6 * total);
        if (tokens < 100 * batch) continue;
        const r = simulate(quiet, { ...shape, tokens, batch_tokens: batch, learning_rate: lr, parametrization: 'sp' });
        // The sweep's budget is the nominal compute of the budget's best run (DeepSeek groups by budget).
        runs.push({ C, N: o.N, D: tokens, lr, batch, loss: r.finalLoss, line: line++ });
      }
    }
  }
  const fit = fitHparamLaws(
    { source: 'sim-sweep', runs, columns: { C: 'C', lr: 'lr', batch: 'batch', loss: 'loss' }, derived: {} },
    { tolerance: 0.0025, budgetTolerance: 0.01 },
  );
  assert.equal(fit.budgets.length, 5);
  for (const t of truth) {
    const lr = evaluate(fit.lr, t.C),
      batch = evaluate(fit.batch, t.C);
    assert.ok(Math.abs(lr / t.lr - 1) < 0.2, `η at C = ${t.C.toExponential(2)}: fitted ${lr}, world ${t.lr}`);
    assert.ok(
      batch / t.batch < 2 && t.batch / batch < 2,
      `B at C = ${t.C.toExponential(2)}: fitted ${batch}, world ${t.batch}`,
    );
  }
  assert.ok(fit.lr.exponent < 0, 'under SP the optimal learning rate falls with compute (wider models)');
});

test("an optimum at its sweep's end bounds the slope on one side: the interval is open there, and the verdict says so", () => {
  // The first real SP sweep of examples/studies/moby-lr (5 learning rates, one seed, widths 64 and 256).
  const losses: Record<number, number[]> = {
    64: [2.9056, 2.6338, 2.5577, 2.669, 2.8711],
    256: [2.4783, 2.5676, 2.6768, 2.8206, 3.0903],
  };
  const runs: Run[] = [];
  let line = 2;
  for (const [width, ls] of Object.entries(losses))
    ls.forEach((loss, i) => runs.push({ width: Number(width), lr: 1e-3 * 2 ** i, loss, line: line++ }));
  const ds: Dataset = { source: 'sp-5', runs, columns: { width: 'width', lr: 'lr', loss: 'loss' }, derived: {} };
  const point = learningRateTransfer(ds);
  assert.equal(point.kind, 'drifts', 'without an interval the point slope ≈ −1 reads as drift');
  const boot = learningRateTransfer(ds, { replicates: 200, seed: 0, level: 0.95 });
  // Width 256's best rate is its lowest: its optimum is at most 1e-3, so the slope is at most the interval's
  // upper end (64's optimum is inside its sweep), and its lower end is open. Under SP that reads as drift.
  assert.equal(boot.openEnd, 'lower');
  assert.ok(boot.interval![1] < -0.5, `interval ${boot.interval}`);
  assert.equal(boot.kind, 'drifts');
  assert.match(boot.verdict, /95 %: at most -0\.\d\d, an optimum at its sweep's end being a bound/);
  assert.deepEqual(boot.warnings, ['width 256: the best learning rate is at the edge of the sweep; extend it']);
});

test('the shipped real LR sweeps (examples/studies/moby-lr): SP drifts as 1/width, muP transfers', () => {
  const check = (p: string) =>
    learningRateTransfer(
      readRuns(`examples/studies/moby-lr/runs-${p}.csv`, { columns: { width: 'd_model', lr: 'learning_rate' } }),
      { replicates: 200, seed: 0, level: 0.95 },
    );
  const sp = check('sp'),
    mup = check('mup');
  assert.equal(sp.kind, 'drifts', sp.verdict);
  assert.ok(sp.interval![1] < 0, `SP interval ${sp.interval} excludes transfer`);
  // Two widths 4× apart, one seed: the interval (about ±0.1) holds 0 but is at the edge of the band called
  // "transfers", so the verdict is "consistent with transfer" and says how large a drift is not excluded.
  assert.ok(mup.kind === 'transfers' || mup.kind === 'consistent', mup.verdict);
  assert.ok(mup.interval![0] <= 0 && mup.interval![1] >= 0, `muP interval ${mup.interval} holds 0`);
  assert.ok(mup.interval![0] > -1, `muP interval ${mup.interval} excludes drift`);
  assert.deepEqual([...sp.warnings, ...mup.warnings], [], 'every optimum inside its sweep');
});

test('a loss falling monotonically in η at every width: the optimum is outside the sweeps, not "it transfers"', () => {
  const runs: Run[] = [];
  let line = 2;
  for (const width of [256, 512, 1024])
    [1e-4, 3e-4, 1e-3, 3e-3].forEach((lr, k) =>
      runs.push({ width, lr, loss: 4 - 0.1 * k - 1e-4 * width, line: line++ }),
    );
  const ds: Dataset = { source: 'lrmono.csv', runs, columns: { width: 'width', lr: 'lr', loss: 'loss' }, derived: {} };
  for (const check of [learningRateTransfer(ds), learningRateTransfer(ds, { replicates: 20, seed: 0, level: 0.95 })]) {
    assert.equal(check.kind, 'unsettled');
    assert.doesNotMatch(check.verdict, /transfers/);
    assert.match(
      check.verdict,
      /at the highest end of the sweep at every width.*widen the sweeps to larger learning rates/,
    );
    assert.deepEqual(
      check.widths.map((w) => w.edge),
      ['highest', 'highest', 'highest'],
    );
  }
  // One width with an interior optimum: the verdict is the slope's again.
  const inner = runs.map((r) => (r.width === 256 && r.lr === 3e-3 ? { ...r, loss: 5 } : r));
  assert.notEqual(learningRateTransfer({ ...ds, runs: inner }).kind, 'unsettled');
});
