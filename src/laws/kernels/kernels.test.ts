import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chinchilla } from '../chinchilla.js';
import type { LawInputs } from '../law.js';
import { parameterMap } from '../../fit/parameterMap.js';
import { makeObjective, type Objective } from '../../fit/objective.js';
import { fit } from '../../fit/fit.js';
import { chooseProcedure } from '../../fit/auto.js';
import { isFailure } from '../../fit/candidate.js';
import type { LossOptions } from '../../core/losses.js';
import { randomSource } from '../../core/random.js';
import { readRuns } from '../../io/readRuns.js';
import { lawInputs, logLosses, type Dataset } from '../../io/dataset.js';
import { kernelExpLog } from './chinchilla.js';
import { setWasmKernels, wasmKernelsEnabled } from './wasm.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const epoch = readRuns(`${root}examples/chinchilla.csv`);

/** Distance in units in the last place (0 when equal, both NaN, or the same infinity). */
function ulps(a: number, b: number): number {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b) || Math.sign(a) !== Math.sign(b)) return Infinity;
  const bits = new BigInt64Array(new Float64Array([Math.abs(a), Math.abs(b)]).buffer);
  return Number(bits[0] > bits[1] ? bits[0] - bits[1] : bits[1] - bits[0]);
}

/** An objective built with the WebAssembly kernel on or off (restored afterwards). */
function objectiveWith(
  kernel: boolean,
  x: LawInputs,
  y: Float64Array,
  loss: LossOptions,
  form: 'exact' | 'grid',
): Objective {
  const was = wasmKernelsEnabled();
  setWasmKernels(kernel);
  try {
    const predict = form === 'grid' ? chinchilla.gridLogPredict! : chinchilla.logPredict;
    return makeObjective(parameterMap(chinchilla), x, y, loss, predict);
  } finally {
    setWasmKernels(was);
  }
}

test('the committed kernel bytes are what the .wat sources compile to (scripts/build-kernels.mjs)', async () => {
  const build = await import(new URL('../../../scripts/build-kernels.mjs', import.meta.url).href);
  const sources: string[] = build.kernelSources();
  assert.ok(
    sources.some((s) => s.endsWith('chinchilla.wat')),
    `kernel sources: ${sources.join(', ')}`,
  );
  for (const wat of sources) {
    const committed = readFileSync(build.modulePath(wat), 'utf8');
    assert.equal(committed, await build.kernelModule(wat), `${wat}: run node scripts/build-kernels.mjs`);
  }
});

test("the kernel's exp is Math.exp's to the bit, from the subnormals and underflow below −708 to overflow", () => {
  const ranges: [number, number][] = [
    [-1, 1],
    [-1e-8, 1e-8], // 1 + x below 2^-28
    [0, 30],
    [-50, 0],
    [-708.5, -700],
    [-745.2, -708], // subnormal results
    [-1100, -745.2], // 0
    [0, 709.7],
    [709.7, 800], // +∞
  ];
  for (const [lo, hi] of ranges) {
    const xs = Float64Array.from({ length: 20001 }, (_, i) => lo + ((hi - lo) * i) / 20000);
    const got = kernelExpLog(xs, 'exp');
    assert.ok(got, 'WebAssembly SIMD is available in Node 20');
    let worst = 0,
      at = 0;
    xs.forEach((x, i) => {
      const u = ulps(got[i], Math.exp(x));
      if (u > worst) [worst, at] = [u, x];
    });
    assert.equal(
      worst,
      0,
      `exp over [${lo}, ${hi}]: ${worst} ulp at ${at} (${got[xs.indexOf(at)]} vs ${Math.exp(at)})`,
    );
  }
  const special = kernelExpLog(new Float64Array([NaN, -Infinity, Infinity, 0, -0]), 'exp')!;
  assert.deepEqual(Array.from(special), [NaN, 0, Infinity, 1, 1]);
});

test("the kernel's log is Math.log's to the bit over positive normal numbers, near 1 included", () => {
  const cases: [string, Float64Array][] = [
    ['[1, 3] (the sums s of the per-run shift)', Float64Array.from({ length: 20001 }, (_, i) => 1 + i / 10000)],
    ['1 + tiny', Float64Array.from({ length: 20001 }, (_, i) => 1 + i * 1e-12)],
    ['[1e-300, 1e300]', Float64Array.from({ length: 20001 }, (_, i) => Math.exp(-690 + (1380 * i) / 20000))],
    ['[0.5, 2]', Float64Array.from({ length: 20001 }, (_, i) => 0.5 + (1.5 * i) / 20000)],
  ];
  for (const [what, xs] of cases) {
    const got = kernelExpLog(xs, 'log')!;
    let worst = 0;
    xs.forEach((x, i) => (worst = Math.max(worst, ulps(got[i], Math.log(x)))));
    assert.equal(worst, 0, `log over ${what}: ${worst} ulp`);
  }
  assert.ok(Number.isNaN(kernelExpLog(new Float64Array([NaN]), 'log')![0]));
});

/** Value and gradient of both paths at θ: relative differences (gradient relative to its largest entry). */
function compare(kernel: Objective, js: Objective, u: Float64Array): { value: number; gradient: number } {
  const gk = new Float64Array(u.length),
    gj = new Float64Array(u.length);
  const fk = kernel.valueAndGradient(u, gk),
    fj = js.valueAndGradient(u, gj);
  assert.equal(kernel.value(u), fk, 'value() is valueAndGradient()’s value');
  const scale = Math.max(...gj.map(Math.abs)) || 1;
  return {
    value: fj === fk ? 0 : Math.abs(fk - fj) / Math.abs(fj),
    gradient: Math.max(...gk.map((g, j) => Math.abs(g - gj[j]) / scale)),
  };
}

function checkAgreement(
  what: string,
  data: { x: LawInputs; y: Float64Array },
  seed: number,
  { spread = 1, tolerance = 1e-12 } = {},
) {
  const random = randomSource(seed, 7);
  const losses: LossOptions[] = [
    { kind: 'huber', space: 'log', delta: 1e-3, overestimatePenalty: 2 },
    { kind: 'ls', space: 'log', delta: 1e-3, overestimatePenalty: 2 },
    { kind: 'ls', space: 'linear', delta: 1e-3, overestimatePenalty: 2 }, // Gadre et al.'s recipe
    { kind: 'huber', space: 'linear', delta: 1e-2, overestimatePenalty: 2 },
  ];
  for (const loss of losses)
    for (const form of ['exact', 'grid'] as const) {
      const k = objectiveWith(true, data.x, data.y, loss, form),
        j = objectiveWith(false, data.x, data.y, loss, form);
      for (let t = 0; t < 60; t++) {
        // Hoffmann et al.'s grid box, stretched by `spread`
        const u = Float64Array.from([
          spread * (random() * 2 - 1),
          spread * random() * 25,
          spread * random() * 25,
          spread * random() * 2,
          spread * random() * 2,
        ]);
        if (t % 3 === 1) {
          // bootstrap counts, with runs left out
          const w = Float64Array.from({ length: data.x.n }, () => Math.floor(random() * 3));
          k.setWeights(w);
          j.setWeights(w);
        } else if (t % 3 === 2) {
          k.setWeights(null);
          j.setWeights(null);
        }
        const d = compare(k, j, u);
        const at = `${what}, ${loss.kind} in ${loss.space} space, ${form}, θ = ${Array.from(u, (v) => v.toFixed(3))}`;
        assert.ok(d.value <= tolerance, `${at}: value differs by ${d.value}`);
        assert.ok(d.gradient <= tolerance, `${at}: gradient differs by ${d.gradient}`);
      }
    }
}

test('the kernel gives the JavaScript objective’s value and gradient on Epoch’s 240 runs, to the bit (log and linear space, weights too)', () => {
  // Same exp and log (fdlibm's), same sums in the same order: the same bits. A fit on a degenerate
  // data set (test/cli-fit.test.ts's mixed study export) amplifies a last-bit difference into
  // another local optimum, so bit-equality is what keeps fits unchanged.
  checkAgreement('chinchilla.csv', { x: lawInputs(epoch, chinchilla.inputs), y: logLosses(epoch) }, 1, {
    tolerance: 0,
  });
});

test('the kernel agrees on synthetic runs with huge exponents (terms hundreds of e-folds apart, odd count)', () => {
  const random = randomSource(3, 9);
  const n = 37; // not a multiple of 4: padding rows must add nothing
  const N = Float64Array.from({ length: n }, () => Math.exp(10 + random() * 40));
  const D = Float64Array.from({ length: n }, () => (random() < 0.3 ? N[0] : Math.exp(15 + random() * 40)));
  const x: LawInputs = { n, logN: N.map(Math.log), logD: D.map(Math.log) };
  const y = Float64Array.from({ length: n }, () => random() * 3 - 1);
  checkAgreement('synthetic', { x, y }, 2, { spread: 8 });
});

test('with kernels switched off the law gives no kernel, and makeObjective uses the prediction', () => {
  const x = lawInputs(epoch, chinchilla.inputs),
    y = logLosses(epoch);
  const loss = { kind: 'huber', delta: 1e-3, space: 'log' } as const;
  assert.ok(chinchilla.lossKernel!(x, y, loss, 'exact'), 'kernel on by default');
  setWasmKernels(false);
  try {
    assert.equal(chinchilla.lossKernel!(x, y, loss, 'exact'), null);
  } finally {
    setWasmKernels(true);
  }
});

/** A fit's parameters with the kernel on and off. */
function bothWays<T>(run: () => T): [T, T] {
  setWasmKernels(false);
  try {
    const js = run();
    setWasmKernels(true);
    return [run(), js];
  } finally {
    setWasmKernels(true);
  }
}

function assertSameParams(a: Record<string, number>, b: Record<string, number>, tolerance: number, what: string) {
  for (const k of Object.keys(b))
    assert.ok(Math.abs(a[k] - b[k]) <= tolerance * Math.abs(b[k]), `${what}: ${k} ${a[k]} vs ${b[k]}`);
}

test('the default fit (three recipes) gives the same parameters, to the bit, with and without the kernel', () => {
  const [wasm, js] = bothWays(() => chooseProcedure(epoch as Dataset));
  assert.equal(wasm.fits.length, 3);
  assert.equal(wasm.chosen, js.chosen);
  wasm.fits.forEach((c, i) => {
    const other = js.fits[i];
    assert.ok(!isFailure(c) && !isFailure(other), `candidate ${i} fitted both ways`);
    assertSameParams(c.result.params, other.result.params, 0, `candidate ${c.requested.id}`);
  });
});

test('the full Hoffmann grid (gridLogPredict form) reaches the same optimum, to the bit, with and without the kernel', () => {
  const [wasm, js] = bothWays(() => fit(chinchilla, epoch, { init: 'hoffmann' }));
  assert.equal(wasm.objective, js.objective);
  assertSameParams(wasm.params, js.params, 0, 'hoffmann grid');
});

test('the grid form keeps a run exact where all its terms lie hundreds of e-folds below another run’s largest', () => {
  // As in chinchilla.test.ts: α = 200 spreads A/N^α over about e^920 across the ladder's sizes, so
  // with one shift every term of the largest size underflows (s < 1e-200): that run takes its own.
  const N = [1e8, 1e8, 1e8, 1e9, 1e9, 1e10, 1e10, 1e10, 1e10],
    D = [1e9, 3e9, 1e10, 1e10, 3e10, 1e11, 3e11, 1e12, 3e12];
  const x: LawInputs = { n: N.length, logN: Float64Array.from(N, Math.log), logD: Float64Array.from(D, Math.log) };
  const y = Float64Array.from(N, () => 1);
  const u = Float64Array.from([-800, 4200, -500, 200, 0.3]);
  for (const kind of ['ls', 'huber'] as const) {
    const loss: LossOptions = { kind, space: 'log', delta: 1e-3, overestimatePenalty: 2 };
    const k = objectiveWith(true, x, y, loss, 'grid'),
      j = objectiveWith(false, x, y, loss, 'grid');
    const d = compare(k, j, u);
    assert.ok(Number.isFinite(k.value(u)), `${kind}: ${k.value(u)}`);
    assert.ok(d.value <= 1e-12 && d.gradient <= 1e-12, `${kind}: ${JSON.stringify(d)}`);
  }
});

test('scoring the 4,500-point start grid in the kernel gives gridPredictor’s values to the bit, bound and weights included', () => {
  const x = lawInputs(epoch, chinchilla.inputs),
    y = logLosses(epoch);
  const grids = chinchilla.params.map((p) => p.grid);
  const us: Float64Array[] = [];
  for (const e of grids[0])
    for (const a of grids[1])
      for (const b of grids[2])
        for (const al of grids[3]) for (const be of grids[4]) us.push(Float64Array.of(e, a, b, al, be));
  assert.equal(us.length, 4500);
  const weights = Float64Array.from({ length: x.n }, (_, i) => (i * 7) % 3);
  for (const loss of [
    { kind: 'huber', space: 'log', delta: 1e-3, overestimatePenalty: 2 },
    { kind: 'ls', space: 'linear', delta: 1e-3, overestimatePenalty: 2 },
  ] as LossOptions[]) {
    const k = objectiveWith(true, x, y, loss, 'exact'),
      j = objectiveWith(false, x, y, loss, 'exact');
    const all = j.values(us);
    const bound = [...all].sort((p, q) => p - q)[100];
    for (const w of [null, weights]) {
      k.setWeights(w);
      j.setWeights(w);
      for (const b of [Infinity, bound]) {
        const got = k.values(us, b),
          want = j.values(us, b);
        const differ = got.findIndex((v, i) => !Object.is(v, want[i]));
        assert.equal(
          differ,
          -1,
          `${loss.kind} ${loss.space}, bound ${b}: point ${differ}: ${got[differ]} vs ${want[differ]}`,
        );
        assert.ok(want.some((v) => v === Infinity) === (b !== Infinity), 'the bound abandons points');
      }
    }
  }
});

test('a start-grid point whose sum E + A/N^α + B/D^β overflows, underflows or is NaN is scored as the JavaScript path scores it', () => {
  // The kernel's log is fdlibm's for positive normal numbers only: such points are left to gridPredictor.
  const n = 9;
  const x: LawInputs = {
    n,
    logN: Float64Array.from({ length: n }, (_, i) => Math.log(1e7 * 10 ** ((i % 5) / 2))),
    logD: Float64Array.from({ length: n }, (_, i) => Math.log(2e9 * 3 ** (i % 7))),
  };
  const y = Float64Array.from({ length: n }, (_, i) => Math.log(2 + i / 10));
  const thetas = [
    [0.5, 800, 7, 0.3, 0.3], // A/N^α overflows
    [Infinity, 6, 7, 0.3, 0.3],
    [-2000, -1500, -1600, 0.1, 0.1], // every term underflows to 0
    [-745, -1e3, -1e3, 0.01, 0.01], // a subnormal sum
    [NaN, 6, 7, 0.3, 0.3],
    [0.5, 6, 7, 0.34, 0.28], // an ordinary point, for contrast
  ].map((t) => Float64Array.from(t));
  for (const loss of [
    { kind: 'ls', space: 'log', delta: 1e-3, overestimatePenalty: 2 },
    { kind: 'huber', space: 'log', delta: 1e-3, overestimatePenalty: 2 },
  ] as LossOptions[]) {
    const k = objectiveWith(true, x, y, loss, 'exact'),
      j = objectiveWith(false, x, y, loss, 'exact');
    const got = k.values(thetas),
      want = j.values(thetas);
    assert.deepEqual([...got], [...want], loss.kind);
    assert.equal(want[0], Infinity);
    assert.ok(Number.isFinite(want[5]));
  }
});
