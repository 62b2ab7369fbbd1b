import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bestDecayFraction,
  bootstrapCurveLaw,
  checkpointReach,
  curveLawFormula,
  curveLawIds,
  curveLawObjective,
  dropGain,
  extrapolationDistance,
  fitCurveLaw,
  frozenParameters,
  predictCurve,
  predictWithIntervals,
  type CurveFit,
  type TrainingCurve,
} from './curveLaws.js';
import { lrSequence, wsd, type Schedule } from '../core/schedule.js';
import { normal, randomSource } from '../core/random.js';
import { InputError } from '../errors/index.js';

const peak = 5e-3;
const constant: Schedule = { kind: 'constant', peakLr: peak, steps: 2000, warmupSteps: 50 };
const wsd02 = wsd(peak, 2000, 0.2, { warmupSteps: 50 });
const cosine: Schedule = { kind: 'cosine', peakLr: peak, steps: 4000, warmupSteps: 50, minLrFrac: 0.1 };
const wsd05 = wsd(peak, 2000, 0.5, { warmupSteps: 50 });

/** A curve drawn from a law with known parameters, evaluated every `every` steps, with Gaussian noise. */
function synthetic(
  law: Pick<CurveFit, 'law' | 'joint' | 'lambda' | 'params'>,
  s: Schedule,
  name: string,
  { N, noise = 0, every = 50, seed = 1 }: { N?: number; noise?: number; every?: number; seed?: number } = {},
): TrainingCurve {
  const lrs = lrSequence(s);
  const steps = Array.from({ length: Math.floor(s.steps / every) }, (_, i) => (i + 1) * every);
  const random = randomSource(seed);
  const loss = predictCurve(law, { lrs, warmupSteps: s.warmupSteps ?? 0, N }, steps);
  return {
    name,
    N,
    lrs,
    warmupSteps: s.warmupSteps ?? 0,
    points: steps.map((step, i) => ({ step, loss: loss[i] + noise * normal(random) })),
  };
}

/** The multi-power law's test vector (docs/methods.md §35). */
const multiPowerTruth = {
  law: 'multi-power' as const,
  joint: false,
  lambda: 0.999,
  params: { L0: 1.5, A: 0.8, alpha: 0.45, B: 30, C: 0.5, beta: 0.6, gamma: 0.5 },
};

const close = (got: number, want: number, rel: number, what: string) =>
  assert.ok(Math.abs(got / want - 1) <= rel, `${what}: got ${got}, expected ${want} within ${rel * 100} %`);

/** The objective's analytic gradient at u against central differences (h = 1e-5 in the log coordinates). */
function gradientMatches(
  objective: (u: Float64Array, g: Float64Array) => number,
  names: readonly string[],
  u: Float64Array,
  label: string,
): void {
  const g = new Float64Array(u.length),
    scratch = new Float64Array(u.length);
  const f = objective(u, g);
  assert.ok(Number.isFinite(f) && g.every(Number.isFinite), `${label}: f ${f}, gradient ${g.join(', ')}`);
  names.forEach((name, i) => {
    const h = 1e-5;
    const up = Float64Array.from(u),
      down = Float64Array.from(u);
    up[i] += h;
    down[i] -= h;
    const fd = (objective(up, scratch) - objective(down, scratch)) / (2 * h);
    assert.ok(
      Math.abs(g[i] - fd) <= 1e-5 * Math.max(Math.abs(fd), 1e-3 * Math.max(...g.map(Math.abs))),
      `${label}, ∂/∂ln ${name}: analytic ${g[i]}, differences ${fd}`,
    );
  });
}

test('the LR-annealing law (Tissue et al.) recovers its parameters from a constant and a WSD curve', () => {
  const truth = {
    law: 'lr-annealing' as const,
    joint: false,
    lambda: 0.999,
    params: { L0: 1.6, A: 0.9, alpha: 0.5, C: 0.08 },
  };
  const curves = [
    synthetic(truth, constant, 'constant', { noise: 0.001, seed: 1 }),
    synthetic(truth, wsd02, 'wsd', { noise: 0.001, seed: 2 }),
  ];
  const fit = fitCurveLaw(curves, { law: 'lr-annealing' });
  close(fit.params.L0, 1.6, 0.03, 'L0');
  close(fit.params.A, 0.9, 0.05, 'A');
  close(fit.params.alpha, 0.5, 0.08, 'alpha');
  close(fit.params.C, 0.08, 0.05, 'C');
  assert.ok(fit.rms < 0.0015, `residual ${fit.rms} is the noise`);
  // It predicts a run it never saw: a cosine run twice as long, within a few thousandths.
  const target = synthetic(truth, cosine, 'cosine');
  const pred = predictCurve(fit, target, [4000])[0];
  assert.ok(
    Math.abs(pred - target.points.at(-1)!.loss) < 0.005,
    `cosine final: predicted ${pred}, true ${target.points.at(-1)!.loss}`,
  );
});

test('the multi-power law (Luo et al.) recovers its parameters and predicts other schedules', () => {
  const truth = multiPowerTruth;
  const curves = [
    synthetic(truth, constant, 'constant', { noise: 0.0005, seed: 3 }),
    synthetic(truth, wsd02, 'wsd', { noise: 0.0005, seed: 4 }),
    synthetic(truth, wsd05, 'wsd-0.5', { noise: 0.0005, seed: 5 }),
  ];
  const fit = fitCurveLaw(curves, { law: 'multi-power' });
  close(fit.params.L0, 1.5, 0.05, 'L0');
  close(fit.params.alpha, 0.45, 0.15, 'alpha');
  assert.ok(fit.rms < 0.001, `residual ${fit.rms}`);
  const target = synthetic(truth, cosine, 'cosine');
  for (const step of [1000, 2500, 4000]) {
    const [pred] = predictCurve(fit, target, [step]);
    const truthAt = predictCurve(truth, target, [step])[0];
    assert.ok(Math.abs(pred - truthAt) < 0.004, `cosine at ${step}: predicted ${pred}, true ${truthAt}`);
  }
});

test('jointly across sizes, L0 = E + A_N·N^(−a) is recovered from curves at three sizes', () => {
  const truth = {
    law: 'lr-annealing' as const,
    joint: true,
    lambda: 0.999,
    params: { E: 1.2, A_N: 40, a: 0.4, A: 0.9, alpha: 0.5, C: 0.08 },
  };
  const curves = [2e4, 8e4, 3.2e5].flatMap((N, i) => [
    synthetic(truth, constant, `c${i}`, { N, noise: 0.001, seed: 10 + i }),
    synthetic(truth, wsd02, `w${i}`, { N, noise: 0.001, seed: 20 + i }),
  ]);
  const fit = fitCurveLaw(curves, { law: 'lr-annealing', joint: true });
  close(fit.params.a, 0.4, 0.1, 'a');
  close(fit.params.E, 1.2, 0.05, 'E');
  close(fit.params.alpha, 0.5, 0.1, 'alpha');
  assert.deepEqual(fit.sizes, [2e4, 8e4, 3.2e5]);
  // Two sizes cannot determine E, A_N and a: refused, saying what to do.
  assert.throws(
    () => fitCurveLaw(curves.slice(0, 4), { law: 'lr-annealing', joint: true, source: 'c.csv' }),
    /c\.csv: a joint fit across sizes .* needs at least 3 model sizes; found 2/,
  );
});

test('curves that cannot determine the law are refused; intervals from resampled runs cover the truth', () => {
  const truth = {
    law: 'lr-annealing' as const,
    joint: false,
    lambda: 0.999,
    params: { L0: 1.6, A: 0.9, alpha: 0.5, C: 0.08 },
  };
  const c = synthetic(truth, constant, 'constant', { noise: 0.001 });
  assert.throws(
    () => fitCurveLaw([c], { law: 'lr-annealing', source: 'runs.csv' }),
    (e: unknown) => e instanceof InputError && /none of the 1 curves anneals/.test(e.message),
  );
  const curves = [
    c,
    synthetic(truth, wsd02, 'wsd', { noise: 0.002, seed: 2 }),
    synthetic(truth, wsd05, 'wsd-0.5', { noise: 0.002, seed: 3 }),
  ];
  const fit = fitCurveLaw(curves, { law: 'lr-annealing' });
  const boot = bootstrapCurveLaw(curves, { law: 'lr-annealing' }, fit, 40, 7);
  assert.equal(boot.unit, 'run');
  assert.ok(boot.replicates.length >= 35, `${boot.replicates.length} replicates, ${boot.failed} failed`);
  const target = synthetic(truth, cosine, 'cosine');
  const p = predictWithIntervals(fit, target, [4000], boot);
  const [lo, hi] = p.interval![0];
  const t = target.points.at(-1)!.loss;
  assert.ok(lo <= t && t <= hi, `cosine final ${t} in [${lo}, ${hi}]`);
  assert.ok(hi - lo < 0.05, `the interval is informative: ${hi - lo}`);
  // The extrapolation term: nothing within the fitted checkpoints (they end at 2000), and beyond them a
  // new run's interval widens by about s·log10(step/2000) of the loss (here s = 0.02: 0.3 decades, 0.6 %).
  const far = { slope: 0.02, reach: checkpointReach(curves.map((x) => ({ lastStep: x.points.at(-1)!.step })))! };
  assert.equal(far.reach, 2000);
  assert.deepEqual(
    predictWithIntervals(fit, target, [2000], boot, 0.95, 1, far).interval,
    predictWithIntervals(fit, target, [2000], boot).interval,
  );
  const [wlo, whi] = predictWithIntervals(fit, target, [4000], boot, 0.95, 1, far).interval![0];
  const added = (whi - wlo) ** 2 - (hi - lo) ** 2;
  const expected = (2 * 1.96 * 0.02 * Math.log10(2) * p.loss[0]) ** 2;
  assert.ok(added > 0.5 * expected && added < 1.6 * expected, `width² grew by ${added}, expected about ${expected}`);
  assert.equal(extrapolationDistance(1000, 2000), 0);
  // A fit file's runs without their last step fall back to their schedule's length; none: no reach.
  assert.equal(checkpointReach([{ schedule: { steps: 1000 } }, { lastStep: 800, schedule: { steps: 2000 } }]), 1000);
  assert.equal(checkpointReach([{ lastStep: 800 }, {}]), undefined);
  // Two runs: blocks of residuals within each run instead.
  assert.equal(
    bootstrapCurveLaw(
      curves.slice(0, 2),
      { law: 'lr-annealing' },
      fitCurveLaw(curves.slice(0, 2), { law: 'lr-annealing' }),
      5,
      1,
    ).unit,
    'block',
  );
});

test('the best WSD decay fraction for a budget is interior and the law prefers it to a short decay', () => {
  const truth = multiPowerTruth;
  const best = bestDecayFraction(
    truth,
    (f) => ({ lrs: lrSequence(wsd(peak, 2000, f, { warmupSteps: 50 })), warmupSteps: 50 }),
    2000,
  );
  assert.ok(best.decayFrac > 0.05 && best.decayFrac < 0.95, `best fraction ${best.decayFrac}`);
  const at = (f: number) => best.curve.find((c) => Math.abs(c.decayFrac - f) < 1e-9)!.loss;
  assert.ok(best.loss <= at(0.05) && best.loss <= at(0.95));
});

test('cooldown branches that name their trunk are resampled a trunk at a time (at least 3 trunks; else residual blocks)', () => {
  const truth = {
    law: 'lr-annealing' as const,
    joint: false,
    lambda: 0.999,
    params: { L0: 1.6, A: 0.9, alpha: 0.5, C: 0.08 },
  };
  // Three trunks, each a constant-LR run and two WSD cooldown branches.
  const curves: TrainingCurve[] = [0, 1, 2].flatMap((t) =>
    [constant, wsd02, wsd05].map((s, b) => ({
      ...synthetic(truth, s, `t${t}-${b}`, { noise: 0.002, seed: 10 * t + b + 1 }),
      lineage: `t${t}`,
    })),
  );
  const fit = fitCurveLaw(curves, { law: 'lr-annealing' });
  const boot = bootstrapCurveLaw(curves, { law: 'lr-annealing' }, fit, 12, 3);
  assert.equal(boot.unit, 'lineage');
  assert.ok(boot.replicates.length >= 10, `${boot.replicates.length} replicates, ${boot.failed} failed`);
  const runs = bootstrapCurveLaw(
    curves.map(({ lineage: _, ...c }) => c),
    { law: 'lr-annealing' },
    fit,
    12,
    3,
  );
  assert.equal(runs.unit, 'run');
  assert.notDeepEqual(boot.replicates, runs.replicates);
  // Two trunks are too few to resample: blocks of residuals within each run, as for two runs.
  const two = curves.slice(0, 6);
  assert.equal(
    bootstrapCurveLaw(two, { law: 'lr-annealing' }, fitCurveLaw(two, { law: 'lr-annealing' }), 3, 1).unit,
    'block',
  );
});

test("the multi-power law's sum is Luo et al.'s Eq. 5 — exactly on short runs, within 1e-6 on long ones where far drops are merged", () => {
  const fit = multiPowerTruth;
  // Eq. 5 term by term: L0 + A·(S_W + S1(t))^(−α) − B·Σ_k (η_{k−1} − η_k)·(1 − (C·η_k^(−γ)·S_k(t) + 1)^(−β)),
  // S_W + S1(t) the area of every step up to t, warmup included (counted once).
  const eq5 = (lrs: Float64Array, W: number, step: number) => {
    const p = fit.params;
    let area = 0;
    for (let i = 0; i < step; i++) area += lrs[i];
    let ld = 0,
      suffix = 0;
    for (let k = step - W; k >= 1; k--) {
      suffix += lrs[W + k - 1];
      const drop = lrs[W + k - 2] - lrs[W + k - 1];
      if (drop !== 0) ld += drop * (1 - (p.C * lrs[W + k - 1] ** -p.gamma * suffix + 1) ** -p.beta);
    }
    return p.L0 + p.A * area ** -p.alpha - p.B * ld;
  };
  for (const [s, tolerance] of [
    [{ kind: 'cosine', peakLr: 3e-4, steps: 3000, warmupSteps: 100, minLrFrac: 0.1 }, 1e-12],
    [{ kind: 'cosine', peakLr: 3e-4, steps: 100_000, warmupSteps: 500, minLrFrac: 0.1 }, 1e-6],
    [{ kind: 'wsd', peakLr: 3e-4, steps: 200_000, warmupSteps: 500, minLrFrac: 0.1, decaySteps: 40_000 }, 1e-6],
  ] as [Schedule, number][]) {
    const lrs = lrSequence(s);
    const steps = [Math.round(s.steps / 3), Math.round(s.steps * 0.7), s.steps];
    const got = predictCurve(fit, { lrs, warmupSteps: s.warmupSteps! }, steps);
    steps.forEach((step, i) => {
      const want = eq5(lrs, s.warmupSteps!, step);
      assert.ok(Math.abs(got[i] - want) < tolerance, `${s.kind} ${s.steps} at ${step}: ${got[i]} vs ${want}`);
    });
  }
});

test("the multi-power drop's gain G(x)/β tends to ln(C·x + 1) as β → 0, its value and β-derivative accurate on both sides of the series", () => {
  for (const L of [0.05, 1, 7.5]) {
    // β = 0 itself is the limit: the logarithm, and ∂/∂β = −L²/2.
    assert.equal(dropGain(0, L).g, L);
    assert.equal(dropGain(0, L).dBeta, (-L * L) / 2);
    for (const beta of [1e-300, 1e-12, 1e-4, 0.0099 / L, 0.0101 / L, 0.3, 2]) {
      const { g, dBeta } = dropGain(beta, L);
      // The reference: (1 − e^(−βL))/β from its series, summed to convergence, for small βL; else direct.
      let ref = 0,
        term = L;
      for (let n = 0; n < 60 && beta * L < 0.5; n++) {
        ref += term;
        term *= (-beta * L) / (n + 2);
      }
      if (beta * L >= 0.5) ref = (1 - Math.exp(-beta * L)) / beta;
      assert.ok(Math.abs(g / ref - 1) < 1e-14, `g(${beta}, ${L}) = ${g}, expected ${ref}`);
      // Steps across β = 0 where β is tiny: the gain is analytic there (the series holds for β < 0 too).
      const h = Math.max(1e-6 * beta, 1e-6);
      const fd = (dropGain(beta + h, L).g - dropGain(beta - h, L).g) / (2 * h);
      assert.ok(Math.abs(dBeta - fd) < 1e-6 * Math.abs(dBeta), `∂g/∂β at (${beta}, ${L}): ${dBeta} vs ${fd}`);
    }
  }
});

/** A multi-power truth near β → 0: the drop is B·β·ln(C·x + 1) to within 0.1 %. */
const nearLogTruth = {
  law: 'multi-power' as const,
  joint: false,
  lambda: 0.999,
  params: { L0: 1.5, A: 0.8, alpha: 0.45, B_beta: 10, C: 0.5, beta: 1e-4, gamma: 0.5 },
};

test("the multi-power objective's analytic gradient matches central differences, at β of the paper and at β → 0", () => {
  for (const [truth, beta] of [
    [multiPowerTruth, 0.6],
    [nearLogTruth, 1e-4],
    [nearLogTruth, 1e-9],
  ] as const) {
    const curves = [
      synthetic(truth, constant, 'constant', { noise: 0.002, seed: 3, every: 200 }),
      synthetic(truth, wsd05, 'wsd-0.5', { noise: 0.002, seed: 4, every: 200 }),
    ];
    const { names, objective, at } = curveLawObjective(curves, { law: 'multi-power' });
    // Away from the truth, so that every partial derivative is far from zero.
    const u = at({ ...truth.params, beta });
    u.forEach((v, i) => (u[i] = v + 0.05 * (i % 3) - 0.04));
    gradientMatches(objective, names, u, `β ${beta}`);
  }
});

/**
 * A multi-power truth like moby's width-32 fit: a γ so large that η_k^(−γ) overflows a double for the
 * smaller rates of a decay from 5e-3 to 5e-4 (from γ ≈ 93 on), and a small β, where the law's drop term
 * is far from its limit 1/β.
 */
const steepTruth = {
  law: 'multi-power' as const,
  joint: false,
  lambda: 0.999,
  params: { L0: 1.7, A: 1.4, alpha: 0.8, B_beta: 0.15, C: 20, beta: 0.005, gamma: 110 },
};

test('the multi-power law is continuous and finite where η_k^(−γ) overflows, and equals Eq. 5 evaluated in logarithms', () => {
  const s = wsd05;
  const lrs = lrSequence(s);
  const W = s.warmupSteps!;
  const steps = [1200, 1600, 2000];
  // Eq. 5 term by term with C·η_k^(−γ)·S_k(t) + 1 written as e^ℓ + 1, ℓ = ln C − γ·ln η_k + ln S_k: past
  // ℓ = 40 its logarithm is ℓ to the last digit (where e^ℓ alone may overflow); below, the paper's form.
  const eq5 = (p: typeof steepTruth.params, step: number) => {
    let area = 0;
    for (let i = 0; i < step; i++) area += lrs[i];
    let ld = 0,
      suffix = 0;
    for (let k = step - W; k >= 1; k--) {
      suffix += lrs[W + k - 1];
      const drop = lrs[W + k - 2] - lrs[W + k - 1];
      if (drop === 0) continue;
      const l = Math.log(p.C) - p.gamma * Math.log(lrs[W + k - 1]) + Math.log(suffix);
      const L = l > 40 ? l : Math.log1p(p.C * lrs[W + k - 1] ** -p.gamma * suffix);
      ld += drop * (1 - Math.exp(-p.beta * L));
    }
    return p.L0 + p.A * area ** -p.alpha - (p.B_beta / p.beta) * ld;
  };
  // Where the smallest rate's η^(−γ) first overflows: exp(709.78…) is the largest double.
  const overflowAt = Math.log(Number.MAX_VALUE) / -Math.log(lrs.at(-1)!);
  assert.ok(overflowAt > 90 && overflowAt < 100, `overflow at γ = ${overflowAt}`);
  assert.equal(lrs.at(-1)! ** -(overflowAt * 1.001), Infinity, 'past it the paper form overflows');
  for (const gamma of [0.5, 60, overflowAt * (1 - 1e-9), overflowAt * (1 + 1e-9), 110, 400]) {
    const params = { ...steepTruth.params, gamma };
    const got = predictCurve({ ...steepTruth, params }, { lrs, warmupSteps: W }, steps);
    steps.forEach((step, i) => {
      const want = eq5(params, step);
      assert.ok(Number.isFinite(got[i]), `γ ${gamma} at ${step}: ${got[i]}`);
      assert.ok(Math.abs(got[i] - want) < 1e-12, `γ ${gamma} at ${step}: ${got[i]} vs ${want}`);
    });
  }
  // Across the overflow the law moves by no more than its slope says: no jump to the limit g = 1/β.
  const at = (gamma: number) =>
    predictCurve({ ...steepTruth, params: { ...steepTruth.params, gamma } }, { lrs, warmupSteps: W }, [2000])[0];
  const h = 1e-6 * overflowAt;
  const below = at(overflowAt - h),
    above = at(overflowAt + h),
    slope = (at(overflowAt + 100 * h) - at(overflowAt - 100 * h)) / (200 * h);
  assert.ok(Math.abs(above - below - 2 * h * slope) < 1e-12, `a step of ${above - below} across γ = ${overflowAt}`);
});

test("the multi-power objective's analytic gradient matches central differences where η_k^(−γ) overflows", () => {
  for (const gamma of [110, 400]) {
    const truth = { ...steepTruth, params: { ...steepTruth.params, gamma } };
    const curves = [
      synthetic(truth, constant, 'constant', { noise: 0.002, seed: 3, every: 200 }),
      synthetic(truth, wsd05, 'wsd-0.5', { noise: 0.002, seed: 4, every: 200 }),
    ];
    const { names, objective, at } = curveLawObjective(curves, { law: 'multi-power' });
    const u = at(truth.params);
    u.forEach((v, i) => (u[i] = v + 0.05 * (i % 3) - 0.04));
    gradientMatches(objective, names, u, `γ ${gamma}`);
  }
});

test('near β → 0 the multi-power fit recovers the curve it was drawn from: prediction, published B and an interval that covers the truth', () => {
  const truth = nearLogTruth;
  const curves = [
    synthetic(truth, constant, 'constant', { noise: 0.0005, seed: 3 }),
    synthetic(truth, wsd02, 'wsd', { noise: 0.0005, seed: 4 }),
    synthetic(truth, wsd05, 'wsd-0.5', { noise: 0.0005, seed: 5 }),
  ];
  const opts = { law: 'multi-power' as const };
  const fit = fitCurveLaw(curves, opts);
  assert.ok(fit.rms < 0.001, `residual ${fit.rms}`);
  // B·β is what the data determine (β itself hardly matters this close to 0); B is its published form.
  close(fit.params.B_beta, 10, 0.25, 'B·β');
  if (fit.params.B !== undefined) close(fit.params.B, fit.params.B_beta / fit.params.beta, 1e-12, 'B = B·β/β');
  const target = synthetic(truth, cosine, 'cosine');
  const boot = bootstrapCurveLaw(curves, opts, fit, 30, 1);
  assert.equal(boot.unit, 'run');
  assert.ok(boot.replicates.length >= 28, `${boot.replicates.length} replicates, ${boot.failed} failed`);
  for (const step of [2500, 4000]) {
    const p = predictWithIntervals(fit, target, [step], boot);
    const want = predictCurve(truth, target, [step])[0];
    assert.ok(Math.abs(p.loss[0] - want) < 0.004, `cosine at ${step}: predicted ${p.loss[0]}, true ${want}`);
    const [lo, hi] = p.interval![0];
    assert.ok(lo <= want && want <= hi, `cosine at ${step}: true ${want} in [${lo}, ${hi}]`);
    assert.ok(hi - lo < 0.03, `the interval is informative: ${hi - lo}`);
    assert.equal(p.pointOutside, undefined, 'the fit lies within its replicates');
  }
});

test('a multi-power fit written before B·β was fitted (B and β alone) predicts as Luo et al. write the law', () => {
  const { B_beta: _, ...old } = { ...multiPowerTruth.params, B_beta: 0 };
  const target = { lrs: lrSequence(cosine), warmupSteps: 50 };
  const published = predictCurve({ ...multiPowerTruth, params: old }, target, [1000, 4000]);
  const fitted = predictCurve(
    { ...multiPowerTruth, params: { ...old, B: Number.NaN, B_beta: old.B * old.beta } },
    target,
    [1000, 4000],
  );
  published.forEach((v, i) => assert.ok(Math.abs(v - fitted[i]) < 1e-12, `${v} vs ${fitted[i]}`));
});

test('as γ → ∞ with β·γ = κ held (β → 0, B finite) the multi-power law tends to L0 + A·S^(−α) − B·Σ Δη_k·(1 − η_k^κ), whatever C', () => {
  // The limit moby's width-32 fit runs to (γ = 5.6e26, β·γ = 0.19): no delay after a drop. Along it the
  // objective has no gradient in C or in γ at fixed κ, which is why every replicate keeps them.
  const s = wsd05;
  const lrs = lrSequence(s);
  const W = s.warmupSteps!;
  const steps = [1000, 1600, 2000];
  const [L0, A, alpha, B, kappa] = [1.5, 0.8, 0.45, 40, 0.19];
  const limit = steps.map((step) => {
    let area = 0;
    for (let i = 0; i < step; i++) area += lrs[i];
    let ld = 0;
    for (let k = 1; k <= step - W; k++) ld += (lrs[W + k - 2] - lrs[W + k - 1]) * (1 - lrs[W + k - 1] ** kappa);
    return L0 + A * area ** -alpha - B * ld;
  });
  const gapAt = (gamma: number, C: number) => {
    const beta = kappa / gamma;
    const params = { L0, A, alpha, C, B_beta: B * beta, beta, gamma };
    const got = predictCurve({ ...multiPowerTruth, params }, { lrs, warmupSteps: W }, steps);
    return Math.max(...got.map((v, i) => Math.abs(v - limit[i])));
  };
  let previous = Infinity;
  for (const gamma of [1e2, 1e4, 1e8]) {
    const gap = gapAt(gamma, 2);
    // The law approaches its limit as (κ/γ)·ln(C·S_k): tenfold closer for every tenfold γ, at least.
    assert.ok(gap > 0 && gap < previous / 10, `γ ${gamma}: ${gap} from the limit`);
    previous = gap;
  }
  for (const C of [1e-6, 2, 1e6]) assert.ok(gapAt(5.6e26, C) < 1e-12, `C ${C} at γ = 5.6e26: ${gapAt(5.6e26, C)}`);
});

test("frozenParameters: a parameter every replicate kept at one value (the fit's, or another) is named; one that moved, is 0, or has too few replicates is not", () => {
  const fit = { L0: 1.7, gamma: 5.6e26, C: 2.09, beta: 3.3e-28 };
  const reps = [0, 1, 2].map((i) => ({ L0: 1.7 + 0.01 * i, gamma: 5.6e26, C: 2.09, beta: 2.9e-4 * (1 + i) }));
  assert.deepEqual(frozenParameters(fit, reps), ['gamma', 'C']);
  assert.deepEqual(
    frozenParameters(
      { ...fit, C: 0 },
      reps.map((r) => ({ ...r, C: 0 })),
    ),
    ['gamma'],
  );
  assert.deepEqual(frozenParameters(fit, [reps[0]]), []);
  assert.deepEqual(frozenParameters(fit, [...reps, { ...reps[0], gamma: 5.6e26 * (1 + 1e-6) }]), ['C']);
  // Every replicate at the warm start's bound, away from the fit's value (the Gemstones' 512×12 to 30B).
  const atBound = reps.map((r) => ({ ...r, gamma: 1e-3, C: 1e-3 }));
  assert.deepEqual(frozenParameters({ ...fit, gamma: 0.04, C: 0.7 }, atBound), ['gamma', 'C']);
});

test('no code outside curveLaws.ts compares a curve law id: a new curve law is added in that file alone', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const sources = (dir: string): string[] =>
    readdirSync(join(root, dir)).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(join(root, path)).isDirectory()) return sources(path);
      return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
    });
  const ids = curveLawIds.join('|');
  // `law === 'lr-annealing' ? … : …` in the CLI printed the multi-power formula for any other law.
  const compares = new RegExp(`[!=]==\\s*(['"\`])(?:${ids})\\1|(['"\`])(?:${ids})\\2\\s*[!=]==`);
  assert.ok(compares.test("law === 'lr-annealing' ? 'a' : 'b'") && compares.test("'multi-power' !== fit.law"));
  assert.ok(!compares.test("law: 'multi-power'"), 'naming a law is fine');
  const found: string[] = [];
  for (const file of [...sources('src'), ...sources(join('web', 'src'))]) {
    if (file === join('src', 'analyses', 'curveLaws.ts')) continue;
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .forEach((line, i) => compares.test(line) && found.push(`${file}:${i + 1}: ${line.trim().slice(0, 160)}`));
  }
  assert.deepEqual(found, [], 'ask curveLaws.ts (curveLawFormula, the fit itself) instead');
  for (const law of curveLawIds)
    for (const joint of [false, true])
      assert.match(curveLawFormula(law, joint), joint ? /^L\(.*L0 = E/ : /^L\([st]\) = L0 \+ A·/);
});

test('a learning rate of 0 is read where the law is defined: a warmup from 0 by both laws, a decay to 0 by the lr-annealing law; the multi-power law refuses a drop to 0 at its run and step', () => {
  /** The curve drawn again on its schedule with `edit` applied to the rates. */
  const redrawn = (
    law: typeof multiPowerTruth | typeof annealingTruth,
    c: TrainingCurve,
    edit: (l: Float64Array) => void,
  ): TrainingCurve => {
    const lrs = Float64Array.from(c.lrs);
    edit(lrs);
    const steps = c.points.map((p) => p.step);
    const loss = predictCurve(law, { lrs, warmupSteps: c.warmupSteps }, steps);
    return { ...c, lrs, points: steps.map((step, i) => ({ step, loss: loss[i] })) };
  };
  const annealingTruth = {
    law: 'lr-annealing' as const,
    joint: false,
    lambda: 0.999,
    params: { L0: 1.6, A: 0.9, alpha: 0.5, C: 0.08 },
  };
  const fromZero = (l: Float64Array) => (l[0] = 0);
  const toZero = (l: Float64Array) => (l[l.length - 1] = 0);
  // A warmup from 0: the multi-power law sums it and has no drop there.
  const warm = [constant, wsd02, wsd05].map((s, i) =>
    redrawn(multiPowerTruth, synthetic(multiPowerTruth, s, `r${i}`), fromZero),
  );
  const mp = fitCurveLaw(warm, { law: 'multi-power' });
  close(mp.params.L0, 1.5, 0.05, 'L0, warmup from 0');
  assert.ok(mp.rms < 1e-3, `residual ${mp.rms}`);
  // A decay to 0 at the last step: the lr-annealing law reads it (its areas are sums) and recovers its law.
  const decayed = [constant, wsd02].map((s, i) =>
    redrawn(annealingTruth, synthetic(annealingTruth, s, `r${i}`), i === 1 ? toZero : () => {}),
  );
  const la = fitCurveLaw(decayed, { law: 'lr-annealing' });
  close(la.params.C, 0.08, 0.05, 'C, decay to 0');
  // The multi-power law is not defined at a drop to 0 (η^(−γ)·S = ∞ × 0): refused there, at the checkpoint's row.
  const atEnd = { file: 'runs.csv', line: 41, columnName: 'step' };
  decayed[1].points.at(-1)!.where = atEnd;
  assert.throws(
    () => fitCurveLaw(decayed, { law: 'multi-power', source: 'runs.csv' }),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.line === 41 &&
      /^run "r1": the learning rate drops to 0 at step 2000; the multi-power law is not defined at a drop to 0/.test(
        e.detail,
      ),
  );
  // No training before a checkpoint (every rate 0 up to it): refused by either law, naming run and step.
  const idle = redrawn(annealingTruth, decayed[0], () => {});
  idle.lrs = Float64Array.from(idle.lrs, (v, i) => (i < 50 ? 0 : v));
  for (const law of curveLawIds)
    assert.throws(
      () => fitCurveLaw([idle, decayed[1]], { law, source: 'runs.csv' }),
      /run "r0": the learning rate is 0 at every step up to the checkpoint at step 50/,
    );
  // A negative rate is still refused.
  idle.lrs[70] = -1e-3;
  assert.throws(
    () => fitCurveLaw([idle], { law: 'lr-annealing' }),
    /the learning rate of step 71 is -0.001; expected a number ≥ 0/,
  );
});

test('a point fit its curves identify is not marked degenerate; one whose power term they cannot fix is, by name, with no replicates needed', () => {
  const truth = {
    law: 'lr-annealing' as const,
    joint: false,
    lambda: 0.999,
    params: { L0: 1.6, A: 0.9, alpha: 0.5, C: 0.08 },
  };
  const curves = [
    synthetic(truth, constant, 'constant', { noise: 0.001, seed: 1 }),
    synthetic(truth, wsd02, 'wsd', { noise: 0.001, seed: 2 }),
  ];
  // The recovered fits of the tests above: every parameter identified, both laws, and jointly across sizes.
  const identified = fitCurveLaw(curves, { law: 'lr-annealing' });
  assert.equal(identified.degenerate, undefined);
  const mp = fitCurveLaw(
    [
      synthetic(multiPowerTruth, constant, 'constant', { noise: 0.0005, seed: 3 }),
      synthetic(multiPowerTruth, wsd02, 'wsd', { noise: 0.0005, seed: 4 }),
      synthetic(multiPowerTruth, wsd05, 'wsd-0.5', { noise: 0.0005, seed: 5 }),
    ],
    { law: 'multi-power' },
  );
  assert.equal(mp.degenerate, undefined, JSON.stringify(mp.params));
  // The same law seen only over its last quarter (steps 1500–2000: the summed learning rate spans 1.33×):
  // over so short a range a power law is a straight line, and L0, A and α trade off along it. Truth known:
  // the fit's own L0 lies far from 1.6, and the check names the power term's parameters.
  const late = curves.map((c) => ({ ...c, points: c.points.filter((p) => p.step >= 1500) }));
  const short = fitCurveLaw(late, { law: 'lr-annealing' });
  assert.ok(short.degenerate?.includes('L0') && short.degenerate.includes('alpha'), JSON.stringify(short));
  assert.ok(!short.degenerate!.includes('C'), 'the annealing coefficient is still fixed by the decay');
  // More noise leaves less identified: the rule reads the fit's own scatter, not a fixed threshold.
  const noisy = fitCurveLaw(
    [
      synthetic(truth, constant, 'constant', { noise: 0.3, seed: 1 }),
      synthetic(truth, wsd02, 'wsd', { noise: 0.3, seed: 2 }),
    ],
    { law: 'lr-annealing' },
  );
  assert.ok(noisy.degenerate?.length, JSON.stringify(noisy));
});

test('noise-free curves: a fit they identify is not marked; one seen only over a late stretch is, though its scatter is rounding error', () => {
  const truth = {
    law: 'lr-annealing' as const,
    joint: false,
    lambda: 0.999,
    params: { L0: 1.6, A: 0.9, alpha: 0.5, C: 0.08 },
  };
  const exact = [synthetic(truth, constant, 'constant'), synthetic(truth, wsd02, 'wsd')];
  const whole = fitCurveLaw(exact, { law: 'lr-annealing' });
  assert.ok(whole.rms < 1e-12, `noise-free: rms ${whole.rms}`);
  assert.equal(whole.degenerate, undefined, JSON.stringify(whole));
  const mp = fitCurveLaw(
    [
      synthetic(multiPowerTruth, constant, 'constant'),
      synthetic(multiPowerTruth, wsd02, 'wsd'),
      synthetic(multiPowerTruth, wsd05, 'wsd-0.5'),
    ],
    { law: 'multi-power' },
  );
  assert.equal(mp.degenerate, undefined, JSON.stringify(mp));
  // Read at 0.1 % of the loss, its drop shape (C, β) is said at a limit: a note, not a mark.
  assert.deepEqual(mp.shapeAtLimit, ['C', 'beta']);
  // Steps 1500–2000 only: the fit lands on the truth (nothing to scatter around), yet a loss known to
  // 0.1 % of its level over S1 spanning 1.33× cannot tell A and α from 10× or a tenth of them.
  const late = fitCurveLaw(
    exact.map((c) => ({ ...c, points: c.points.filter((p) => p.step >= 1500) })),
    { law: 'lr-annealing' },
  );
  close(late.params.alpha, 0.5, 1e-6, 'alpha, recovered exactly');
  assert.deepEqual(late.degenerate, ['A', 'alpha'], JSON.stringify(late));
});

test('a degenerate fit of real curves (one WSD run of the moby study) is marked; the README example (a constant run and its WSD branch) is not', () => {
  const moby = fileURLToPath(new URL('../../examples/studies/moby-curves/runs/', import.meta.url));
  const run = (name: string, from = 1): TrainingCurve => {
    const lines = readFileSync(join(moby, name, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const rows = lines.map((l) => JSON.parse(l) as { step: number; val_loss: number; schedule: Schedule });
    const s = rows[0].schedule;
    return {
      name,
      lrs: lrSequence(s),
      warmupSteps: s.warmupSteps ?? 0,
      points: rows.filter((r) => r.step >= from).map((r) => ({ step: r.step, loss: r.val_loss })),
    };
  };
  // One WSD run: its floor, power term and drop run to limits (L0 → 0, γ → 0, β → ∞), named.
  const one = fitCurveLaw([run('d32-wsd-0.2')], { law: 'multi-power' });
  assert.deepEqual(one.degenerate, ['L0', 'A', 'alpha'], JSON.stringify(one.params));
  assert.ok(one.params.L0 < 1e-6, `L0 ${one.params.L0}: at the limit the check reads`);
  // README's first command: the drop's shape at a limit (said), nothing else.
  for (const law of curveLawIds) {
    const fit = fitCurveLaw([run('d32-constant', 500), run('d32-wsd-0.2', 500)], { law });
    assert.equal(fit.degenerate, undefined, `${law}: ${JSON.stringify(fit.params)}`);
  }
});
