/**
 * Trust warnings (fit/warnings.ts): each is triggered by data built to trigger it, and a clean fit
 * triggers none — so a warning cannot pass by being always on, or never.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fit } from './fit.js';
import { chinchilla, powerLaw, predictLoss } from '../laws/index.js';
import { syntheticRuns } from '../../test/helpers/synthetic.js';
import {
  bimodalityCoefficient,
  bootstrapWarnings,
  fitWarnings,
  offCenterWarnings,
  trustOf,
  type TrustWarning,
} from './warnings.js';
import { fitCandidate, isFailure } from './candidate.js';
import { chooseProcedure } from './auto.js';
import { getProcedure } from './procedures.js';
import { fitToJson } from './summary.js';
import { parseRuns } from '../io/parseRuns.js';
import { extrapolationWarnings } from '../analyses/extrapolation.js';
import { randomSource, normal } from '../core/random.js';
import type { Dataset, Run } from '../io/dataset.js';
import { summariseBootstrap } from './bootstrap.js';
import { formatInterval } from '../core/format.js';

const truth = { E: 1.8, A: 400, B: 2000, alpha: 0.34, beta: 0.37 };
const codes = (w: TrustWarning[]) => w.map((x) => x.code);
const dataset = (runs: Omit<Run, 'line'>[]): Dataset => ({
  source: 'test.csv',
  runs: runs.map((r, i) => ({ ...r, line: i + 2 })),
  columns: { N: 'N', D: 'D', loss: 'loss' },
  derived: {},
});

/** A grid of n × m runs from the Chinchilla law with seeded noise. */
function grid(Ns: number[], Ds: number[], noise = 0.003, params = truth, seed = 1): Dataset {
  const random = randomSource(seed, 3);
  const runs: Omit<Run, 'line'>[] = [];
  for (const N of Ns)
    for (const D of Ds)
      runs.push({
        N,
        D,
        C: 6 * N * D,
        loss: predictLoss(chinchilla, params, { N, D }) * Math.exp(noise * normal(random)),
      });
  return dataset(runs);
}

test('a clean fit on a well-spread ladder has no warning and is trusted', () => {
  const data = syntheticRuns({
    law: chinchilla,
    params: truth,
    n: 120,
    seed: 3,
    noise: 0.003,
    N: [5e7, 2e10],
    D: [1e9, 5e11],
  });
  const r = fit(chinchilla, data);
  assert.deepEqual(codes(r.warnings), []);
  assert.equal(trustOf(r.warnings), 'ok');
});

test("compute-convention: a file's C column 1000× (or in PF-days, 1e-20×) 6ND is said; Chinchilla's App. F count (1.4×) is not", () => {
  const base = grid([1e8, 3e8, 1e9, 3e9], [2e9, 6e9, 2e10, 6e10]);
  const withC = (factor: number): Dataset => ({
    ...base,
    runs: base.runs.map((r) => ({ ...r, C: 6 * r.N! * r.D! * factor })),
    columns: { ...base.columns, C: 'flops' },
  });
  const thousand = fit(chinchilla, withC(1000)).warnings.find((w) => w.code === 'compute-convention');
  assert.equal(thousand?.severity, 'warning');
  assert.match(
    thousand!.message,
    /^C \(column "flops"\) is 1e3 × 6ND \(median over 16 rows\): not FLOPs as 6ND counts them/,
  );
  assert.ok(fit(chinchilla, withC(1 / 8.64e19)).warnings.some((w) => w.code === 'compute-convention'));
  assert.deepEqual(codes(fit(chinchilla, withC(1.4)).warnings), []);
  // C derived from N and D (no column of its own) is never said.
  assert.deepEqual(codes(fit(chinchilla, base).warnings), []);
});

test('few-distinct: two model sizes warn; one model size is severe', () => {
  const two = fit(chinchilla, grid([1e8, 1e9], [1e9, 3e9, 1e10, 3e10, 1e11, 3e11]));
  const w2 = two.warnings.filter((w) => w.code === 'few-distinct');
  assert.equal(w2.length, 1);
  assert.equal(w2[0].severity, 'warning');
  assert.match(w2[0].message, /2 distinct model sizes \(N\)/);
  const one = fit(chinchilla, grid([1e9], [1e9, 3e9, 1e10, 3e10, 1e11, 3e11, 1e12]));
  const w1 = one.warnings.find((w) => w.code === 'few-distinct');
  assert.equal(w1?.severity, 'severe');
  assert.equal(trustOf(one.warnings), 'untrusted');
});

test('one-ratio: a ladder at one tokens-per-parameter (D = 20N) cannot tell the N term from the D term, and says so', () => {
  const Ns = [1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9, 6.4e9, 1.28e10];
  const ladder = (ratio: (N: number, i: number) => number) => {
    const random = randomSource(5, 3);
    return dataset(
      Ns.map((N, i) => {
        const D = ratio(N, i) * N;
        return {
          N,
          D,
          C: 6 * N * D,
          loss: predictLoss(chinchilla, truth, { N, D }) * Math.exp(0.002 * normal(random)),
        };
      }),
    );
  };
  const fixed = fit(
    chinchilla,
    ladder(() => 20),
  );
  const w = fixed.warnings.find((x) => x.code === 'one-ratio');
  assert.equal(w?.severity, 'warning');
  assert.match(w!.message, /^every run has 20 tokens per parameter: N and D grew together/);
  // Rounded to whole batches (±5 %), still one ratio, said with its range.
  const rounded = fit(
    chinchilla,
    ladder((_, i) => 20 * (1 + 0.05 * Math.sin(i))),
  );
  assert.match(
    rounded.warnings.find((x) => x.code === 'one-ratio')?.message ?? '',
    /^every run has about 20\.1 tokens per parameter \(D\/N 19–20\.9\): N and D grew together/,
  );
  // Two ratios (20 and 100 tokens per parameter) separate the terms: no warning; nor for a law of N alone.
  const two = fit(
    chinchilla,
    ladder((_, i) => (i % 2 ? 100 : 20)),
  );
  assert.ok(!codes(two.warnings).includes('one-ratio'), String(codes(two.warnings)));
  const alone = fit(
    powerLaw('N'),
    ladder(() => 20),
  );
  assert.ok(!codes(alone.warnings).includes('one-ratio'));
});

test('30 identical rows: duplicate-rows and few-distinct are severe, not a confident fit; auto refuses', () => {
  const rows = Array.from({ length: 30 }, () => ({ N: 1e9, D: 2e10, C: 1.2e20, loss: 2.5 }));
  const r = fit(powerLaw('N'), dataset(rows));
  const w = new Map(r.warnings.map((x) => [x.code, x]));
  assert.equal(w.get('duplicate-rows')?.severity, 'severe');
  assert.match(
    w.get('duplicate-rows')!.message,
    /29 rows repeat another row \(same N, D and loss to the digits the file printed them with\)/,
  );
  assert.equal(w.get('constant-loss')?.severity, 'severe');
  assert.equal(fitToJson(r).trust, 'untrusted');
  const c = fitCandidate(dataset(rows), getProcedure('huber'));
  assert.ok(isFailure(c), 'no procedure fits one configuration');
  assert.match(c.error, /1 distinct configuration/);
  assert.throws(() => chooseProcedure(dataset(rows)), /no candidate procedure could be fitted/);
});

test('auto on four runs at two compute values: the reason every candidate shares is said once, by its law', () => {
  // Four distinct (N, D) on two budgets: too few for the Chinchilla form (even tied) and for a law in C.
  const rows = [
    { N: 2e7, D: 8.3e9, C: 1e18, loss: 3.6 },
    { N: 4e7, D: 4.2e9, C: 1e18, loss: 3.5 },
    { N: 4e7, D: 4.2e10, C: 1e19, loss: 3.2 },
    { N: 8e7, D: 2.1e10, C: 1e19, loss: 3.1 },
  ];
  assert.throws(
    () => chooseProcedure(dataset(rows)),
    (e: Error) => {
      assert.equal(e.message.match(/too few/g)?.length, 1, e.message);
      assert.match(e.message, /too few for law chinchilla, which needs more configurations than its free parameters/);
      return true;
    },
  );
});

test('duplicate-rows: a few copied rows warn without making the fit untrusted', () => {
  const data = syntheticRuns({
    law: chinchilla,
    params: truth,
    n: 60,
    seed: 4,
    noise: 0.003,
    N: [5e7, 2e10],
    D: [1e9, 5e11],
  });
  const copied = { ...data, runs: [...data.runs, data.runs[0], data.runs[1]] };
  const w = fit(chinchilla, copied).warnings.find((x) => x.code === 'duplicate-rows');
  assert.equal(w?.severity, 'warning');
  assert.match(w!.message, /2 rows repeat another row/);
});

test('duplicate-rows: copies an export rounded to 6 digits still count, to the digits the file printed; seeds and 7th-digit differences do not', () => {
  const data = syntheticRuns({
    law: chinchilla,
    params: truth,
    n: 16,
    seed: 5,
    noise: 0.003,
    N: [5e7, 2e10],
    D: [1e9, 5e11],
  });
  const csv = (rows: string[]) => parseRuns(['N,D,loss', ...rows].join('\n') + '\n', { source: 'r.csv' });
  const full = data.runs.map((r) => `${r.N},${r.D},${r.loss}`);
  // The same 16 runs again as an export printing 6 significant digits (%g): D and loss rounded.
  const rounded = data.runs.map((r) => `${r.N},${r.D!.toPrecision(6)},${r.loss.toPrecision(6)}`);
  assert.ok(
    data.runs.some((r) => Math.abs(Number(r.D!.toPrecision(6)) / r.D! - 1) > 1e-6),
    'beyond a relative 1e-6',
  );
  const w = fit(chinchilla, csv([...full, ...rounded])).warnings.find((x) => x.code === 'duplicate-rows');
  assert.equal(w?.severity, 'severe');
  assert.match(w!.message, /^16 rows repeat another row/);
  // Replicates by design (another seed: the loss moves by 0.1 %) are not copies.
  const seeds = data.runs.map((r) => `${r.N},${r.D},${r.loss * 1.001}`);
  assert.equal(
    fit(chinchilla, csv([...full, ...seeds])).warnings.some((x) => x.code === 'duplicate-rows'),
    false,
  );
  // Losses printed to 8 digits that differ in the 7th (a relative 6e-7) are two runs the file tells apart.
  const apart = csv([...full, '1e8,2e9,1.2345671', '1e8,2e9,1.2345679']);
  assert.equal(
    fit(chinchilla, apart).warnings.some((x) => x.code === 'duplicate-rows'),
    false,
  );
  // The same pair with one printed to 6 digits (1.23457) is that row rounded: a copy.
  const copy = fit(chinchilla, csv([...full, '1e8,2e9,1.2345671', '1e8,2e9,1.23457'])).warnings.find(
    (x) => x.code === 'duplicate-rows',
  );
  assert.match(copy!.message, /^1 row repeats another row/);
});

test('constant-loss: runs that vary N and D but not the loss', () => {
  const data = grid([1e8, 3e8, 1e9], [1e9, 1e10, 1e11]);
  const flat = { ...data, runs: data.runs.map((r) => ({ ...r, loss: 3 })) };
  const w = fit(chinchilla, flat).warnings.find((x) => x.code === 'constant-loss');
  assert.equal(w?.severity, 'severe');
});

test('parameter-zero: a loss with no floor drives E to zero', () => {
  // L = 20·N^(−0.12): a pure power law over four decades; the fitted E has nothing to hold it up.
  const runs = [1e6, 3e6, 1e7, 3e7, 1e8, 3e8, 1e9, 3e9, 1e10].map((N) => ({ N, D: 1e10, loss: 20 * N ** -0.12 }));
  const r = fit(powerLaw('N'), dataset(runs));
  assert.ok(r.params.E < 1e-3, `E = ${r.params.E}`);
  assert.ok(codes(r.warnings).includes('parameter-zero'), JSON.stringify(r.warnings));
});

test('exponent-range: α = 1.5 lies outside the published 0.05–1; α = 6 switches its term off (degenerate)', () => {
  const steep = fit(
    chinchilla,
    grid([1e7, 3e7, 1e8, 3e8, 1e9], [1e9, 1e10, 1e11], 1e-4, { ...truth, A: 1e12, alpha: 1.5 }),
  );
  assert.ok(Math.abs(steep.params.alpha - 1.5) < 0.05, `alpha ${steep.params.alpha}`);
  const w = steep.warnings.find((x) => x.code === 'exponent-range');
  assert.equal(w?.severity, 'warning');
  assert.match(w!.message, /alpha = 1\.5/);
  const off = fit(
    chinchilla,
    grid([1e7, 3e7, 1e8, 3e8, 1e9], [1e9, 1e10, 1e11], 1e-4, { ...truth, A: 1e40, alpha: 6 }),
    { init: { E: 1.8, A: 1e40, B: 2000, alpha: 6, beta: 0.37 } },
  );
  assert.ok(
    off.warnings.some((x) => x.code === 'degenerate' && x.severity === 'severe'),
    JSON.stringify(off.warnings),
  );
});

test('nonpositive-exponent: a loss that rises with model size', () => {
  const runs = [1e6, 1e7, 1e8, 1e9, 1e10].map((N) => ({ N, D: 1e10, loss: 2 + 0.05 * Math.log10(N) }));
  const r = fit(powerLaw('N'), dataset(runs), { init: { E: 1, A: 1, alpha: 0.1 } });
  assert.ok(
    r.warnings.some((x) => x.code === 'nonpositive-exponent' || x.code === 'degenerate' || x.code === 'parameter-zero'),
    JSON.stringify(r.warnings),
  );
  assert.notEqual(trustOf(r.warnings), 'ok');
});

test('not-converged: an optimiser stopped after two iterations says so', () => {
  const data = syntheticRuns({
    law: chinchilla,
    params: truth,
    n: 60,
    seed: 5,
    noise: 0.003,
    N: [5e7, 2e10],
    D: [1e9, 5e11],
  });
  const r = fit(chinchilla, data, {
    init: { E: 1, A: 100, B: 100, alpha: 0.5, beta: 0.5 },
    lbfgs: { maxIterations: 2 },
  });
  assert.ok(codes(r.warnings).includes('not-converged'));
});

test('checkpoints: rows of named runs are said to be checkpoints; a step column without runs is a warning', () => {
  const runs: Omit<Run, 'line'>[] = [];
  for (const [k, N] of [1e7, 3e7, 1e8, 3e8, 1e9, 3e9].entries()) {
    for (const D of [1e9, 2e9, 4e9, 8e9])
      runs.push({ N, D, loss: predictLoss(chinchilla, truth, { N, D }), run: `r${k}`, step: D / 1e6 });
  }
  const named = fit(chinchilla, dataset(runs)).warnings.find((w) => w.code === 'checkpoints');
  assert.equal(named?.severity, 'info');
  assert.match(named!.message, /24 rows from 6 training runs/);
  const unnamed = fit(chinchilla, dataset(runs.map(({ run: _run, ...r }) => r))).warnings.find(
    (w) => w.code === 'checkpoints',
  );
  assert.equal(unnamed?.severity, 'warning');
  assert.match(unnamed!.message, /step column but no run column/);
  // One row per named run (cooldown branches, each its own run) with a step column: no checkpoint warning.
  const oneEach = runs.filter((_, i) => i % 4 === 3).map((r, i) => ({ ...r, run: `b${i}` }));
  assert.equal(
    fit(chinchilla, dataset(oneEach)).warnings.find((w) => w.code === 'checkpoints'),
    undefined,
  );
});

test('lineage: lineages named but too few, or with gaps, are said not to be drawn (intervals resample runs)', () => {
  const runs: Omit<Run, 'line'>[] = [];
  for (const [k, N] of [1e7, 3e7, 1e8, 3e8, 1e9, 3e9].entries())
    for (const D of [1e9, 4e9]) runs.push({ N, D, loss: predictLoss(chinchilla, truth, { N, D }), run: `r${k}-${D}` });
  const lineageWarning = (rs: Omit<Run, 'line'>[]) =>
    fit(chinchilla, dataset(rs)).warnings.find((w) => w.code === 'lineage');
  const two = lineageWarning(runs.map((r, i) => ({ ...r, lineage: i < 6 ? 'a' : 'b' })));
  assert.match(two!.message, /the data name 2 lineages, fewer than the 3 a bootstrap by lineage needs/);
  const gaps = lineageWarning(runs.map((r, i) => ({ ...r, ...(i % 2 ? {} : { lineage: `t${i % 3}` }) })));
  assert.match(gaps!.message, /6 of 12 rows name no lineage/);
  assert.equal(lineageWarning(runs.map((r) => ({ ...r, lineage: r.run!.split('-')[0] }))), undefined);
  assert.equal(lineageWarning(runs), undefined);
});

test('reduced-law: a 5-run ladder gets α = β with its reason instead of an error', () => {
  const five = grid([1e8, 3e8, 1e9, 3e9, 1e10], [2e10], 0.002).runs.map((r, i) => ({
    ...r,
    D: 20 * r.N! * (1 + i * 0.3),
  }));
  const data = dataset(five.map((r) => ({ N: r.N, D: r.D, loss: predictLoss(chinchilla, truth, { N: r.N, D: r.D }) })));
  assert.throws(
    () => fit(chinchilla, data),
    /5 runs, but law chinchilla has 5 free parameters/,
    'the free law alone is refused',
  );
  const c = fitCandidate(data, getProcedure('huber'));
  assert.ok(!isFailure(c));
  assert.equal(c.procedure.id, 'huber→tied');
  assert.match(c.reduction!, /5 distinct configurations for 5 free parameters: α and β are tied/);
  assert.deepEqual(c.result.ties, { beta: 'alpha' });
  const choice = chooseProcedure(data);
  assert.ok(
    choice.fits.every((f) => !isFailure(f)),
    'every published recipe fits, reduced where needed',
  );
});

test('bootstrap-unstable and bootstrap-multimodal, from replicate values', () => {
  const names = ['E', 'A', 'alpha'];
  const n = 200;
  const random = randomSource(1, 1);
  const values = new Float64Array(n * 3);
  for (let r = 0; r < n; r++) {
    values[r * 3] = 1.7;
    values[r * 3 + 1] = 300;
    // Two clusters of α, 0.25 and 0.45: two laws fit about equally well (the interval, 0.2 wide, is
    // narrower than the median 0.35, so not unstable).
    values[r * 3 + 2] = (r % 2 ? 0.25 : 0.45) + 0.01 * normal(random);
  }
  const w = bootstrapWarnings(powerLaw('N'), names, names, values, new Uint8Array(n).fill(1), n);
  assert.deepEqual(codes(w), ['bootstrap-multimodal']);
  // One broad mode, α = 0.3 ± 0.2: the data do not pin the exponent down.
  const broad = values.map((v, i) => (i % 3 === 2 ? 0.3 + 0.2 * normal(random) : v));
  assert.deepEqual(codes(bootstrapWarnings(powerLaw('N'), names, names, broad, new Uint8Array(n).fill(1), n)), [
    'bootstrap-unstable',
  ]);
  const calm = values.map((v, i) => (i % 3 === 2 ? 0.3 + 0.01 * normal(random) : v));
  assert.deepEqual(bootstrapWarnings(powerLaw('N'), names, names, calm, new Uint8Array(n).fill(1), n), []);
  assert.ok(bimodalityCoefficient(Array.from({ length: 100 }, (_, i) => (i % 2 ? 0 : 1))) > 0.9);
  const unconverged = bootstrapWarnings(
    powerLaw('N'),
    names,
    names,
    calm,
    Uint8Array.from({ length: n }, (_, i) => (i < 150 ? 1 : 0)),
    n,
  );
  assert.equal(unconverged[0].code, 'bootstrap-unconverged');
  assert.equal(unconverged[0].severity, 'warning');
});

test('bootstrap-unstable names the interval the parameter table prints (same percentiles)', () => {
  // 48 replicates with a long upper tail: a nearest-rank 97.5 % point and the interpolated one the
  // intervals use differ (the walk saw α [0.08104, 3.541] in the table and [0.0801, 3.96] in the warning).
  const names = ['E', 'A', 'alpha'];
  const n = 48;
  const values = new Float64Array(n * 3);
  for (let r = 0; r < n; r++) {
    values[r * 3] = 1.7;
    values[r * 3 + 1] = 300;
    values[r * 3 + 2] = 0.08 + 0.01 * r + (r >= n - 2 ? 3 * (r - n + 3) : 0);
  }
  const samples = { names, values, converged: new Uint8Array(n).fill(1), replicates: n, seed: 1 };
  const table = summariseBootstrap(powerLaw('N'), samples, 0.95).intervals.alpha;
  const w = bootstrapWarnings(powerLaw('N'), names, names, values, samples.converged, n);
  const unstable = w.find((x) => x.code === 'bootstrap-unstable');
  assert.ok(unstable, codes(w).join());
  // Said as what the replicates drew: rows, when told to draw rows (it said "resampled runs" beside a
  // header saying "resampling 230 single rows").
  assert.match(unstable.message, /resampled runs give/);
  const rows = bootstrapWarnings(powerLaw('N'), names, names, values, samples.converged, n, undefined, 'row');
  assert.match(rows.find((x) => x.code === 'bootstrap-unstable')?.message ?? '', /resampled rows give/);
  assert.ok(unstable.message.includes(formatInterval(table, 4)), `${unstable.message} vs ${formatInterval(table, 4)}`);
});

test('extrapolation: info within 10×, warning to 100×, severe beyond', () => {
  const ranges = { N: [1e8, 1e9] as [number, number], D: [1e9, 1e10] as [number, number] };
  assert.deepEqual(
    extrapolationWarnings(ranges, { N: 5e9, D: 5e9 }).map((w) => w.severity),
    ['info'],
  );
  assert.deepEqual(
    extrapolationWarnings(ranges, { N: 5e10, D: 5e9 }).map((w) => w.severity),
    ['warning'],
  );
  const far = extrapolationWarnings(ranges, { N: 5e11, D: 5e12 });
  assert.deepEqual(
    far.map((w) => [w.code, w.severity]),
    [
      ['extrapolation', 'severe'],
      ['extrapolation', 'severe'],
    ],
  );
  assert.match(far[0].message, /500× the largest N/);
});

test("at-bound: a parameter pressed against its bound is said (the check on the optimiser's internal values)", () => {
  const data = syntheticRuns({
    law: chinchilla,
    params: truth,
    n: 60,
    seed: 6,
    noise: 0.003,
    N: [5e7, 2e10],
    D: [1e9, 5e11],
  });
  const r = fit(chinchilla, data);
  const facts = {
    ...r,
    freeIndex: [0, 1, 2, 3, 4],
    bounds: [
      { min: -Infinity, max: Infinity },
      { min: -Infinity, max: Infinity },
      { min: -Infinity, max: Infinity },
      { min: 0.05, max: 2 },
      { min: -Infinity, max: Infinity },
    ],
  };
  assert.deepEqual(codes(fitWarnings(facts)), [], 'α = 0.34 is well inside [0.05, 2]');
  const pressed = Float64Array.from(r.theta);
  pressed[3] = 0.05;
  const w = fitWarnings({ ...facts, theta: pressed, params: { ...r.params, alpha: 0.05 } });
  assert.ok(
    w.some((x) => x.code === 'at-bound' && /alpha is at its bound/.test(x.message)),
    JSON.stringify(w),
  );
});

test('bootstrap-off-center: a free parameter whose fitted value lies outside the central 95 % of its replicates is named; one inside, or not free, is not; under 20 converged replicates, nothing', () => {
  const names = ['E', 'alpha', 'beta'];
  const n = 40;
  const values = new Float64Array(n * 3);
  // E in 1.6..1.9, alpha in 0.3..0.4, beta in 0.2..0.25, evenly spread.
  for (let r = 0; r < n; r++) {
    const u = r / (n - 1);
    values.set([1.6 + 0.3 * u, 0.3 + 0.1 * u, 0.2 + 0.05 * u], r * 3);
  }
  const all = new Uint8Array(n).fill(1);
  const w = offCenterWarnings(names, { E: 1.7, alpha: 0.45, beta: 0.1 }, names, values, all, n);
  assert.deepEqual(codes(w), ['bootstrap-off-center']);
  assert.equal(w[0].severity, 'warning');
  assert.match(w[0].message, /^the fitted alpha, beta lie outside the central 95 % of their own bootstrap replicates/);
  // Near an end of the replicates is inside (a 50 % interval would exclude it; the check does not follow the level).
  assert.deepEqual(offCenterWarnings(['E', 'alpha'], { E: 1.88, alpha: 0.31, beta: 0.1 }, names, values, all, n), []);
  // Too few converged replicates to judge.
  const few = new Uint8Array(n).fill(0).fill(1, 0, 19);
  assert.deepEqual(offCenterWarnings(names, { E: 5, alpha: 5, beta: 5 }, names, values, few, n), []);
});

test('bootstrap-unstable and bootstrap-off-center judge at 95 % at any level, and say so when the intervals are printed at another', () => {
  // A fit whose replicates scatter α widely (0.3 ± 0.2) and whose fitted E lies above every replicate's.
  const data = syntheticRuns({
    law: chinchilla,
    params: truth,
    n: 40,
    seed: 3,
    noise: 0.003,
    N: [5e7, 2e10],
    D: [1e9, 5e11],
  });
  const r = fit(chinchilla, data);
  const names = chinchilla.params.map((q) => q.name);
  const n = 100;
  const random = randomSource(4, 1);
  const values = new Float64Array(n * names.length);
  for (let i = 0; i < n; i++)
    names.forEach((name, j) => {
      const v = r.params[name];
      values[i * names.length + j] =
        name === 'alpha'
          ? Math.abs(0.3 + 0.2 * normal(random))
          : name === 'E'
            ? 0.5 * v
            : v * (1 + 0.01 * normal(random));
    });
  const samples = { names, values, converged: new Uint8Array(n).fill(1), replicates: n, seed: 1 };
  const judged = (level: number) =>
    fitToJson(r, samples, level).warnings.filter(
      (w) => w.code === 'bootstrap-unstable' || w.code === 'bootstrap-off-center',
    );
  const at95 = judged(0.95),
    at50 = judged(0.5);
  // The verdict is the fit's, not the printed level's: the same warnings at 50 % as at 95 %.
  assert.deepEqual(codes(at95), ['bootstrap-unstable', 'bootstrap-off-center']);
  assert.deepEqual(codes(at50), codes(at95));
  for (const w of at95) assert.doesNotMatch(w.message, /printed at/);
  for (const w of at50) assert.match(w.message, /judged at 95 %, not at the 50 % the intervals are printed at/);
});

test('unfinished-runs: a fit to rows of crashed or running runs says which, and fits every row', () => {
  const runs: Omit<Run, 'line'>[] = [];
  for (const [k, N] of [1e7, 3e7, 1e8, 3e8, 1e9, 3e9].entries())
    for (const D of [1e9, 4e9]) runs.push({ N, D, loss: predictLoss(chinchilla, truth, { N, D }), run: `r${k}-${D}` });
  const states = runs.map((r, i) => ({ ...r, state: i === 4 ? ('crashed' as const) : ('finished' as const) }));
  const result = fit(chinchilla, dataset(states));
  const w = result.warnings.find((x) => x.code === 'unfinished-runs');
  assert.equal(w?.severity, 'warning');
  assert.match(w!.message, /^1 run did not finish, crashed: "r2-1000000000"; its rows are fitted as logged/);
  assert.equal(result.points, runs.length);
  assert.equal(
    fit(chinchilla, dataset(runs)).warnings.find((x) => x.code === 'unfinished-runs'),
    undefined,
  );
});

test('pooled-variants: arms of an experiment in one file (an attention column at the same sizes) are said, with how to fit one', () => {
  const runs: Omit<Run, 'line'>[] = [];
  for (const N of [1e7, 3e7, 1e8, 3e8, 1e9, 3e9])
    for (const D of [1e9, 4e9]) runs.push({ N, D, loss: predictLoss(chinchilla, truth, { N, D }) });
  const pooled = { ...dataset(runs), variantColumns: [{ column: 'attention', values: ['baseline', 'linear'] }] };
  const w = fit(chinchilla, pooled).warnings.find((x) => x.code === 'pooled-variants');
  assert.equal(w?.severity, 'warning');
  assert.match(
    w!.message,
    /^the file's "attention" column has 2 values \("baseline", "linear"\) that repeat the same sizes: they are fitted as one data set.*option "columns" group=attention option "groups" baseline, or compare them \(option "groupColumn" attention\)$/,
  );
  assert.equal(
    fit(chinchilla, dataset(runs)).warnings.find((x) => x.code === 'pooled-variants'),
    undefined,
  );
});

test("pooled-variants: a study export's groups (its learning-rate probe beside its IsoFLOP runs) fitted as one are said, with the group to fit; a group selection is not", () => {
  // As `runs export` writes a study: IsoFLOP runs at the best learning rate, and the probe's runs at one
  // size trained at rates away from the best (their losses above the law's).
  const rows = ['run,N,D,loss,group'];
  for (const [k, N] of [1e7, 3e7, 1e8, 3e8, 1e9, 3e9].entries())
    for (const D of [1e9, 4e9])
      rows.push(`iso-${k}-${D},${N},${D},${predictLoss(chinchilla, truth, { N, D })},isoflop`);
  for (const [k, excess] of [0.4, 0.1, 0, 0.1, 0.4].entries())
    rows.push(`probe-${k},1e7,1e9,${predictLoss(chinchilla, truth, { N: 1e7, D: 1e9 }) + excess},lr-probe`);
  const text = rows.join('\n') + '\n';
  const pooled = (groups?: string[]) =>
    fit(chinchilla, parseRuns(text, { source: 'export.csv', ...(groups ? { groups } : {}) })).warnings.find(
      (x) => x.code === 'pooled-variants',
    );
  const w = pooled();
  assert.equal(w?.severity, 'warning');
  assert.match(
    w!.message,
    /^the rows are 2 groups \("isoflop" 12, "lr-probe" 5 rows, column "group"\) fitted as one data set: a study's learning-rate probe \(lr-probe\) trains one size at rates away from the best by design.*; to fit one, option "groups" isoflop$/,
  );
  assert.equal(pooled(['isoflop']), undefined, 'one group chosen');
  assert.equal(pooled(['isoflop', 'lr-probe']), undefined, 'the groups pooled on purpose');
});
