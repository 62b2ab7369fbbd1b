import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseRuns } from '../io/parseRuns.js';
import { distinctBest, fit, prepareFit } from './fit.js';
import { chinchilla, power0Law, powerLaw } from '../laws/index.js';
import { linearRegression } from '../core/linearRegression.js';
import { syntheticRuns } from '../../test/helpers/synthetic.js';
import { OptionError } from '../errors/index.js';
import { fitParallel } from '../node/parallel.js';

const here = (p: string) => new URL(`../../${p}`, import.meta.url);
const chinchilla240 = parseRuns(readFileSync(here('examples/chinchilla.csv'), 'utf8'), {
  source: 'examples/chinchilla.csv',
});
const cs336 = parseRuns(readFileSync(here('examples/cs336-isoflops.json'), 'utf8'), {
  source: 'examples/cs336-isoflops.json',
});

const within = (actual: number, expected: number, rel: number, what: string) =>
  assert.ok(Math.abs(actual / expected - 1) <= rel, `${what}: ${actual} vs ${expected} (±${rel * 100} %)`);

// Epoch's grid optimum on their 240 runs (Besiroglu et al. 2024; examples/README.md, docs/methods.md §6):
// objective 0.0010182740 at A = 477.8, B = 2143.6, E = 1.8172, α = 0.34731, β = 0.36717.
const epoch = { A: 477.8, B: 2143.6, E: 1.8172, alpha: 0.34731, beta: 0.36717 };

test("chinchilla on Epoch's 240 runs, --init hoffmann: the published optimum", () => {
  const r = fit(chinchilla, chinchilla240, { init: 'hoffmann' });
  assert.equal(r.starts.refined, 4500);
  assert.ok(r.objective <= 1.0182741e-3, `objective ${r.objective}`);
  for (const [k, v] of Object.entries(epoch)) within(r.params[k], v, 0.005, k);
  assert.ok(r.converged, r.reason);
  assert.ok(r.starts.atBest > 100, `${r.starts.atBest} starts at the best optimum`);
});

test('the full grid in worker threads (chunks claimed from a shared counter) gives the serial fit exactly', async () => {
  const data = syntheticRuns({
    law: chinchilla,
    params: { E: 1.8, A: 400, B: 2000, alpha: 0.34, beta: 0.37 },
    n: 40,
    seed: 8,
    noise: 0.005,
    N: [5e7, 2e10],
    D: [1e9, 5e11],
  });
  const serial = fit(chinchilla, data, { init: 'grid' });
  let progress = 0,
    total = 0;
  const threaded = await fitParallel(
    chinchilla,
    data,
    { init: 'grid' },
    { threads: 2, onTotal: (t) => (total = t), onProgress: (k) => (progress += k) },
  );
  assert.equal(total, 4500);
  assert.equal(progress, 4500, 'every start is counted once, whichever thread refined it');
  assert.deepEqual(threaded.params, serial.params);
  assert.deepEqual(threaded.starts, serial.starts);
});

test("chinchilla on Epoch's 240 runs, default init: the same optimum from a dozen starts", () => {
  const r = fit(chinchilla, chinchilla240);
  assert.equal(r.starts.method, 'auto');
  assert.ok(r.starts.refined <= 12);
  assert.ok(r.objective <= 1.0182741e-3, `objective ${r.objective}`);
  for (const [k, v] of Object.entries(epoch)) within(r.params[k], v, 0.005, k);
  within(r.derived.a.value, 0.5139, 0.002, 'a = β/(α+β)');
});

test('auto scores the grid against a bound and still picks exactly the starts that scoring every grid point in full picks', () => {
  const sets = [
    chinchilla240,
    cs336,
    ...[1, 2, 3].map((seed) =>
      syntheticRuns({
        law: chinchilla,
        params: { E: 1.8, A: 400, B: 2000, alpha: 0.34, beta: 0.37 },
        n: 30 * seed,
        seed,
        noise: 0.004 * seed,
        N: [5e7, 2e10],
        D: [1e9, 5e11],
      }),
    ),
  ];
  const scales = [0.5, 5, 5, 0.5, 0.5]; // the spacing of chinchilla's grid: E, A, B (ln), α, β
  for (const data of sets) {
    for (const options of [{}, { loss: 'ls' as const }, { refine: 30 }]) {
      const grid = prepareFit(chinchilla, data, { ...options, init: 'grid' });
      const full = grid.screening.values(grid.starts);
      const expected = distinctBest(grid.starts, full, options.refine ?? 12, scales).map((i) =>
        Array.from(grid.starts[i]),
      );
      assert.deepEqual(
        prepareFit(chinchilla, data, options).starts.map((u) => Array.from(u)),
        expected,
        `${data.source} ${JSON.stringify(options)}`,
      );
      // A bound leaves the values under it exact and marks the others.
      const bound = [...full].sort((a, b) => a - b)[100];
      const bounded = grid.screening.values(grid.starts, bound);
      full.forEach((v, i) => assert.equal(bounded[i], v <= bound ? v : Infinity));
    }
  }
});

test('chinchilla on the CS336 IsoFLOP set (noise-free) recovers the generating law to 1e-4', () => {
  // examples/README.md: every loss equals 2.69 + 1606.4/N^0.34 + 3210.7/D^0.36, D = C/(6N).
  assert.equal(cs336.derived.D, 'C/(6N)');
  const r = fit(chinchilla, cs336);
  const truth = { E: 2.69, A: 1606.4, B: 3210.7, alpha: 0.34, beta: 0.36 };
  for (const [k, v] of Object.entries(truth)) within(r.params[k], v, 1e-4, k);
  assert.ok(r.objective < 1e-12);
});

test('chinchilla on synthetic noisy runs recovers known parameters', () => {
  const truth = { E: 1.8, A: 400, B: 2000, alpha: 0.34, beta: 0.37 };
  const data = syntheticRuns({
    law: chinchilla,
    params: truth,
    n: 200,
    seed: 11,
    noise: 0.003,
    N: [5e7, 2e10],
    D: [1e9, 5e11],
  });
  const r = fit(chinchilla, data);
  within(r.params.E, truth.E, 0.02, 'E');
  assert.ok(Math.abs(r.params.alpha - truth.alpha) < 0.025, `alpha ${r.params.alpha}`);
  assert.ok(Math.abs(r.params.beta - truth.beta) < 0.025, `beta ${r.params.beta}`);
});

test('power law with irreducible term recovers E, A, α from noisy data (every loss)', () => {
  const truth = { E: 1.7, A: 300, alpha: 0.3 };
  const data = syntheticRuns({
    law: powerLaw('N'),
    params: truth,
    n: 60,
    seed: 5,
    noise: 0.005,
    N: [1e6, 1e11],
    D: [1e9, 1e9],
  });
  for (const loss of ['huber', 'ls', 'asymmetric'] as const) {
    const r = fit(powerLaw('N'), data, { loss });
    within(r.params.E, truth.E, 0.03, `${loss} E`);
    assert.ok(Math.abs(r.params.alpha - truth.alpha) < 0.03, `${loss} alpha ${r.params.alpha}`);
  }
});

test('asymmetric loss under-predicts more often than it over-predicts', () => {
  const truth = { E: 1.7, A: 300, alpha: 0.3 };
  const data = syntheticRuns({
    law: powerLaw('N'),
    params: truth,
    n: 80,
    seed: 8,
    noise: 0.02,
    N: [1e6, 1e11],
    D: [1e9, 1e9],
  });
  const sym = fit(powerLaw('N'), data, { loss: 'huber' });
  const asym = fit(powerLaw('N'), data, { loss: { kind: 'asymmetric', overestimatePenalty: 4 } });
  const over = (r: Float64Array) => r.filter((v) => v > 0).length;
  assert.ok(
    over(asym.residuals) < over(sym.residuals),
    `${over(asym.residuals)} vs ${over(sym.residuals)} over-predictions`,
  );
});

test('power0 with least squares equals the closed-form log–log regression', () => {
  const truth = { A: Math.pow(8.8e13, 0.076), alpha: 0.076 };
  const data = syntheticRuns({
    law: power0Law('N'),
    params: truth,
    n: 25,
    seed: 3,
    noise: 0.01,
    N: [1e6, 1e10],
    D: [1e9, 1e9],
  });
  const r = fit(power0Law('N'), data, { loss: 'ls' });
  const line = linearRegression(
    data.runs.map((q) => Math.log(q.N!)),
    data.runs.map((q) => Math.log(q.loss)),
  );
  assert.ok(Math.abs(r.params.alpha + line.slope) < 1e-9, `${r.params.alpha} vs ${-line.slope}`);
  assert.ok(Math.abs(Math.log(r.params.A) - line.intercept) < 1e-8);
});

test('fix and tie: --fix E=1.69 holds E; --tie beta=alpha fits one exponent', () => {
  const fixed = fit(chinchilla, chinchilla240, { fix: { E: 1.69 } });
  assert.equal(fixed.params.E, 1.69);
  assert.deepEqual(fixed.free, ['A', 'B', 'alpha', 'beta']);
  assert.ok(fixed.objective > 1.0182741e-3, 'a constrained fit cannot beat the free optimum');
  const tied = fit(chinchilla, chinchilla240, { tie: { beta: 'alpha' } });
  assert.equal(tied.params.alpha, tied.params.beta);
  assert.deepEqual(tied.free, ['E', 'A', 'B', 'alpha']);
  assert.ok(tied.params.alpha > 0.3 && tied.params.alpha < 0.4);
});

test('a fit refuses fewer runs than free parameters, naming the file', () => {
  const small = { ...chinchilla240, runs: chinchilla240.runs.slice(0, 4) };
  assert.throws(
    () => fit(chinchilla, small),
    /examples\/chinchilla\.csv:5: 4 runs, but law chinchilla has 5 free parameters \(E, A, B, alpha, beta\): expected at least 6 runs/,
  );
});

test("unknown parameters in fix and tie are usage errors listing the law's parameters", () => {
  // The library names its options; the CLI shows the flag (test/cli-fit.test.ts).
  assert.throws(
    () => fit(chinchilla, chinchilla240, { fix: { gamma: 1 } }),
    (e: unknown) =>
      e instanceof OptionError &&
      e.option === 'fix' &&
      e.value === 'gamma' &&
      /^option "fix": law chinchilla has no parameter "gamma" \(its parameters: E, A, B, alpha, beta\)$/.test(
        e.message,
      ) &&
      e.messageNaming((o) => `--${o}`).startsWith('--fix: law chinchilla'),
  );
  assert.throws(() => fit(chinchilla, chinchilla240, { tie: { beta: 'E' } }), /different scales/);
  assert.throws(
    () => fit(powerLaw('N'), chinchilla240, { init: 'hoffmann' }),
    /option "init" hoffmann is Hoffmann et al.'s grid for the chinchilla law/,
  );
});

test('least squares in L (residual space linear): analytic gradient matches finite differences, and the law is recovered', async () => {
  const { prepareFit } = await import('./fit.js');
  const data = syntheticRuns({
    law: chinchilla,
    params: { E: 1.8, A: 400, B: 2000, alpha: 0.34, beta: 0.37 },
    n: 40,
    seed: 2,
    noise: 0,
    N: [5e7, 2e10],
    D: [1e9, 5e11],
  });
  const problem = prepareFit(chinchilla, data, { loss: { kind: 'ls', space: 'linear' } });
  const u = Float64Array.from([0.5, 6, 7.5, 0.3, 0.4]);
  const g = new Float64Array(5);
  const f = problem.objective.valueAndGradient(u, g);
  assert.ok(Math.abs(f - problem.objective.value(u)) < 1e-12 * Math.abs(f));
  for (let j = 0; j < 5; j++) {
    const h = 1e-6,
      up = Float64Array.from(u),
      dn = Float64Array.from(u);
    up[j] += h;
    dn[j] -= h;
    const numeric = (problem.objective.value(up) - problem.objective.value(dn)) / (2 * h);
    assert.ok(Math.abs(numeric - g[j]) <= 1e-5 * Math.max(1, Math.abs(g[j])), `∂f/∂u${j}: ${g[j]} vs ${numeric}`);
  }
  const r = fit(chinchilla, data, { loss: { kind: 'ls', space: 'linear' } });
  within(r.params.alpha, 0.34, 1e-3, 'alpha');
  within(r.params.E, 1.8, 1e-3, 'E');
  assert.equal(r.loss.space, 'linear');
});
