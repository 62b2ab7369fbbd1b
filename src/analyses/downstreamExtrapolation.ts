/**
 * Evidence for the downstream extrapolation term (docs/methods.md §32): nested back-tests within a
 * ladder — fit on its smallest k sizes, predict the final accuracy of every larger size's runs — give
 * errors at known extrapolation distances d = log10(1 + C/C_max) (C the held-out run's compute, C_max
 * the largest compute fitted). The term's slope s is the moment estimate of σ(d) = s·d on the accuracy
 * scale after one evaluation's noise is taken out. Accuracy, not the sigmoid's logit: on the logit a
 * prediction near the fitted floor or ceiling turns an accuracy error of 0.03 into 3 or more and one
 * such task would set s (the Pythia and OLMo back-tests both have them). Pure.
 */
import { mean } from '../core/statistics.js';
import { InputError } from '../errors/index.js';
import {
  accuracyNoise,
  directAccuracy,
  finalPoints,
  fitDirect,
  fitDownstream,
  fitStep1,
  predictDownstream,
  type Step1Fits,
  type DownstreamOptions,
  type TaskLadder,
} from './downstream.js';

/** One held-out run of one nested back-test. */
export interface ExtrapolationCase {
  task: string;
  /** Model sizes fitted (the smallest `fitted` of the ladder). */
  fitted: number;
  run: string;
  N: number;
  C: number;
  /** log10(1 + C/C_max). */
  distance: number;
  actual: number;
  predicted: number;
  /** The two-step prediction with step 1 through C (E + A/C^α), when the ladder has a task loss. */
  predictedViaC?: number;
  /** actual − predicted. */
  error: number;
  /** One evaluation's accuracy noise (SD). */
  noise: number;
}

/**
 * Step 1 of each fold, kept per ladder: step-2 settings compared on the same nested back-tests (one call
 * per setting) share it, as it depends only on the fold's runs and the moving average. Weak, so it goes
 * with the ladder.
 */
const step1Folds = new WeakMap<TaskLadder, Map<string, Step1Fits>>();

/**
 * The prediction of one back-test fit: two-step with a task loss (also through C), else direct in C.
 * `fold` names the fold of `ladder` that `train` is, for step 1's cache.
 */
function backtestFit(
  ladder: TaskLadder,
  fold: number,
  train: TaskLadder,
  options: DownstreamOptions,
): (p: { N: number; D: number; C: number }) => { accuracy: number; viaC?: number } {
  if (train.lossMetric && train.runs.every((r) => r.checkpoints.some((c) => c.taskLoss !== undefined))) {
    const movingAverage = options.movingAverage ?? 5;
    let folds = step1Folds.get(ladder);
    if (!folds) step1Folds.set(ladder, (folds = new Map()));
    const key = `${fold}:${movingAverage}`;
    let step1 = folds.get(key);
    if (!step1) folds.set(key, (step1 = fitStep1(train, movingAverage)));
    const f = fitDownstream(train, options, step1);
    return (p) => {
      const chained = predictDownstream(f, p);
      // A degenerate law in C gives no finite accuracy there: no through-C prediction, not a NaN in the means.
      return {
        accuracy: chained.accuracy,
        ...(Number.isFinite(chained.viaC.accuracy) ? { viaC: chained.viaC.accuracy } : {}),
      };
    };
  }
  const s = fitDirect(train, options);
  return (p) => ({ accuracy: directAccuracy(s, p.C) });
}

/**
 * Fit on the smallest k sizes for every k from `minSizes` to one less than the ladder's sizes; predict
 * every larger size's runs (their final accuracy, the mean of the last `movingAverage` evaluations).
 * A fold whose fit fails is skipped (counted in `failed`).
 * @throws InputError when the ladder has fewer than minSizes + 1 sizes
 */
export function nestedBacktests(
  ladder: TaskLadder,
  options: DownstreamOptions = {},
  minSizes = 3,
): { cases: ExtrapolationCase[]; failed: number } {
  const sizes = [...new Set(ladder.runs.map((r) => r.N))].sort((a, b) => a - b);
  if (sizes.length <= minSizes)
    throw new InputError(
      { file: ladder.source },
      `${sizes.length} model sizes: nested back-tests fitting at least ${minSizes} need at least ${minSizes + 1}`,
    );
  const k = options.movingAverage ?? 5;
  const noise = accuracyNoise(ladder);
  const cases: ExtrapolationCase[] = [];
  let failed = 0;
  for (let m = minSizes; m < sizes.length; m++) {
    const train: TaskLadder = { ...ladder, runs: ladder.runs.filter((r) => r.N <= sizes[m - 1]) };
    let predict: ReturnType<typeof backtestFit>;
    try {
      predict = backtestFit(ladder, m, train, options);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      failed++;
      continue;
    }
    const maxC = Math.max(...finalPoints(train, k).map((p) => p.C));
    const held = finalPoints({ ...ladder, runs: ladder.runs.filter((r) => r.N > sizes[m - 1]) }, k);
    for (const p of held) {
      if (p.accuracy === undefined) continue;
      const { accuracy: predicted, viaC } = predict(p);
      cases.push({
        task: ladder.task,
        fitted: m,
        run: p.run,
        N: p.N,
        C: p.C,
        distance: Math.log10(1 + p.C / maxC),
        actual: p.accuracy,
        predicted,
        ...(viaC === undefined ? {} : { predictedViaC: viaC }),
        error: p.accuracy - predicted,
        noise,
      });
    }
  }
  return { cases, failed };
}

/**
 * The slope s of σ(d) = s·d from back-test errors: s² = Σ(e² − σ²)/Σd² (e the accuracy error, σ one
 * evaluation's noise), the moment estimate under e ~ N(0, s²d² + σ²); 0 when the noise
 * explains the errors. The sums are dominated by the farthest extrapolations, as the targets are far.
 */
export function extrapolationSlope(cases: readonly ExtrapolationCase[]): number {
  if (cases.length === 0) return 0;
  let num = 0,
    den = 0;
  for (const c of cases) {
    num += c.error ** 2 - c.noise ** 2;
    den += c.distance ** 2;
  }
  return den > 0 && num > 0 ? Math.sqrt(num / den) : 0;
}

/**
 * Share of cases whose error lies within the Gaussian interval at `level` with slope s and one
 * evaluation's noise (the bootstrap's part left out: a lower bound on the full interval's coverage).
 */
export function gaussianCoverage(cases: readonly ExtrapolationCase[], slope: number, z = 1.959964): number {
  return mean(cases.map((c) => (Math.abs(c.error) <= z * Math.hypot(slope * c.distance, c.noise) ? 1 : 0)));
}
