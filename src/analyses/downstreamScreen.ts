/**
 * Which tasks can be predicted at all (docs/methods.md §33): per task, the back-test (hold out the
 * ladder's largest model size, predict its runs' final accuracy from the rest), the noise of one
 * evaluation and across seeds, monotonicity in compute and the distance from random guessing, read
 * into one verdict. Pure.
 *
 * The verdict's thresholds are fixed here, before any ladder was looked at, and are the same for
 * every task and ladder:
 *   near chance   the ladder's best final accuracy is within max(0.03, 5σ) of the task's floor: the
 *                 random-guess level where it is known, else 0 (the default: a generated or exact-match
 *                 answer, gsm8k's, is not guessed among choices, so its chance is ~0);
 *   noisy         σ is more than a tenth of the ladder's spread of final accuracy;
 *   not monotone  Spearman's ρ between compute and final accuracy over the ladder's runs is below 0.8;
 *   noisy         the back-test's mean relative error exceeds 10 %, or — where a held-out accuracy is
 *                 below 0.10, so relative error is meaningless — its mean absolute error exceeds 0.01
 *                 (one accuracy point, what 10 % is at 0.10: the two rules meet there);
 *   predictable   none of the above.
 * σ is the larger of one evaluation's noise (accuracyNoise) and the seed-to-seed SD (reruns). Noise that
 * swamps the spread is judged before monotonicity, as under it ρ is low whatever the trend.
 */
import { mean } from '../core/statistics.js';
import { formatPercent, formatSigned, formatSignedPercent } from '../core/format.js';
import { InputError } from '../errors/index.js';
import type { ChanceSource } from './answerChoices.js';
import {
  finalPoints,
  fitDownstream,
  fitDirect,
  directAccuracy,
  predictDownstream,
  accuracyNoise,
  accuracyNoiseSource,
  fitValLossRoute,
  predictViaValLoss,
  type DownstreamRoute,
  type DownstreamOptions,
  type TaskLadder,
} from './downstream.js';

export type Verdict = 'predictable' | 'noisy' | 'near chance' | 'not monotone';

const SCREEN_THRESHOLDS = {
  chanceMargin: 0.03,
  chanceSigmas: 5,
  monotone: 0.8,
  noiseShare: 0.1,
  backtestError: 0.1,
  /**
   * Below this held-out accuracy the back-test is judged on absolute error: at 0.10 one evaluation of a
   * benchmark of ~1,000 questions (GSM8K 1,319, ARC-Challenge 1,172, PIQA 1,838) has a binomial SD of
   * √(0.9 / (0.1 · 1000)) ≈ 9.5 % of the accuracy, the relative threshold itself, and below it a perfect
   * prediction would fail on noise alone (at 0.01, 30 %); docs/methods.md §33.
   */
  relativeFrom: 0.1,
} as const;

/** The floor of a task with no known chance level: a generated or exact-match answer's (docs/methods.md §33). */
const DEFAULT_FLOOR = 0;

/**
 * The absolute back-test threshold, one accuracy point: the relative one at the switch (10 % of 0.10), so the
 * two rules meet there.
 */
const ABSOLUTE_BACKTEST_ERROR = 0.01;

/**
 * A prediction's error against an actual accuracy, judged as the screen judges its back-test: relative where
 * the actual is at least 0.10, else in accuracy points (near zero a relative error is meaningless: 0.004
 * against 0.001 is +300 %; docs/methods.md §33). Every output that compares a prediction with an actual
 * accuracy (the back-test, predict's targets, the report, the web panel, the benches) reads it from here.
 */
export interface ActualError {
  judgedOn: 'relative error' | 'absolute error';
  /** predicted − actual, in accuracy points (0.01 = one point). */
  absoluteError: number;
  /** (predicted − actual) / actual; absent where the actual accuracy is 0. */
  relativeError?: number;
}

/** `predicted` against `actual` (both accuracies in [0, 1]), with the unit it is judged on. */
export function errorAgainstActual(predicted: number, actual: number): ActualError {
  return {
    judgedOn: actual >= SCREEN_THRESHOLDS.relativeFrom ? 'relative error' : 'absolute error',
    absoluteError: predicted - actual,
    ...(actual > 0 ? { relativeError: (predicted - actual) / actual } : {}),
  };
}

/** The error's size in the unit it is judged on: |relative error|, or |absolute error| in accuracy points. */
export function judgedError(e: ActualError): number {
  return Math.abs(e.judgedOn === 'relative error' ? e.relativeError! : e.absoluteError);
}

/** The error in the unit it is judged on, signed: "+3.4 %" or "+1.2 pts". */
export function actualErrorWords(e: ActualError): string {
  return e.judgedOn === 'relative error'
    ? formatSignedPercent(e.relativeError!)
    : formatSigned(100 * e.absoluteError, 1, 'pts');
}

export interface TaskBacktest {
  /** The held-out model size. */
  N: number;
  /**
   * How the held-out accuracy was predicted: the two-step method, or a sigmoid in ln C when the task has no
   * task loss, or the two steps through the validation loss when that route was asked for.
   */
  method: 'two-step' | 'direct in C' | 'via validation loss';
  runs: {
    run: string;
    D: number;
    actual: number;
    predicted: number;
    /** predicted − actual, in accuracy points (0.01 = one point). */
    absoluteError: number;
    /** (predicted − actual) / actual; absent where the actual accuracy is 0. */
    relativeError?: number;
  }[];
  /** Mean |relative error| over the held-out runs; absent where one's actual accuracy is 0. */
  meanRelativeError?: number;
  /** Mean |predicted − actual| over the held-out runs, in accuracy points. */
  meanAbsoluteError: number;
  /**
   * The error the verdict reads: relative, or absolute where a held-out accuracy is below 0.10 (near zero a
   * relative error is meaningless: 0.004 against 0.001 is +300 %).
   */
  judgedOn: 'relative error' | 'absolute error';
  /** The threshold of the error judged: 0.10 (relative) or 0.01 (absolute, accuracy points). */
  threshold: number;
}

export interface TaskScreen {
  task: string;
  verdict: Verdict;
  /** Every rule that fired, in words (the verdict is the first). */
  reasons: string[];
  /** The random-guess accuracy, when known. */
  chance?: number;
  /** Where `chance` came from: an option, the manifest, an average's tasks, or the benchmark's answer choices. */
  chanceFrom?: ChanceSource;
  /** What "near chance" is judged against: `chance` where known, else 0 (the default, a generated answer's). */
  floor: number;
  /** One evaluation's accuracy noise (SD). */
  noise: number;
  /**
   * Where each run was evaluated fewer than 4 times (one score per model): the noise was estimated from
   * the final accuracies of neighbouring runs, in validation loss or in compute (accuracyNoise).
   */
  noiseFrom?: 'neighbouring runs in validation loss' | 'neighbouring runs in compute';
  /** SD between a run and its rerun with another seed (final accuracy), when reruns are given. */
  seedSd?: number;
  /** Reruns paired with no ladder run (neither `<run>-rerun` nor of one ladder run's N and tokens): not in `seedSd`. */
  rerunsUnpaired?: string[];
  /** Spearman's ρ between compute and final accuracy. */
  monotonicity: number;
  /** Final accuracy of the ladder's runs: lowest and highest. */
  accuracyRange: [number, number];
  backtest?: TaskBacktest;
  /** Why there is no back-test (too few sizes, a failed fit). */
  backtestProblem?: string;
}

/** Spearman's rank correlation (average ranks for ties). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  const rank = (v: readonly number[]) => {
    const order = v.map((value, i) => ({ value, i })).sort((a, b) => a.value - b.value);
    const r = new Array<number>(v.length);
    for (let s = 0; s < order.length;) {
      let e = s;
      while (e + 1 < order.length && order[e + 1].value === order[s].value) e++;
      for (let k = s; k <= e; k++) r[order[k].i] = (s + e) / 2;
      s = e + 1;
    }
    return r;
  };
  const rx = rank(x),
    ry = rank(y);
  const mx = mean(rx),
    my = mean(ry);
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/**
 * Hold out the runs of the largest N; fit on the others; predict the held-out runs' final accuracy.
 * Two-step when the task has a task loss; otherwise a sigmoid of accuracy in ln C fitted on every
 * checkpoint of the smaller runs (the same floor and ceiling), a one-step law through compute.
 */
export function backtestTask(
  ladder: TaskLadder,
  options: DownstreamOptions & { route?: DownstreamRoute } = {},
): TaskBacktest {
  const sizes = [...new Set(ladder.runs.map((r) => r.N))].sort((a, b) => a - b);
  if (sizes.length < 3)
    throw new InputError(
      { file: ladder.source },
      `${sizes.length} model sizes: a back-test that holds out the largest needs at least 3`,
    );
  const N = sizes[sizes.length - 1];
  const train: TaskLadder = { ...ladder, runs: ladder.runs.filter((r) => r.N !== N) };
  const held = finalPoints(
    { ...ladder, runs: ladder.runs.filter((r) => r.N === N) },
    options.movingAverage ?? 5,
  ).filter((p) => p.accuracy !== undefined);
  let method: TaskBacktest['method'];
  let predict: (p: { N: number; D: number; C: number }) => number;
  // The route asked for, where it is not the task's own (a back-test of a route other than the one that
  // predicts would judge the wrong thing).
  if (options.route === 'val-loss') {
    const f = fitValLossRoute(train, options);
    method = 'via validation loss';
    predict = (p) => predictViaValLoss(f, p).accuracy;
  } else if (
    options.route !== 'compute' &&
    ladder.lossMetric &&
    ladder.runs.every((r) => r.checkpoints.some((c) => c.taskLoss !== undefined))
  ) {
    const f = fitDownstream(train, options);
    method = 'two-step';
    predict = (p) => predictDownstream(f, p).accuracy;
  } else {
    method = 'direct in C';
    const s = fitDirect(train, options);
    predict = (p) => directAccuracy(s, p.C);
  }
  const judged = held.map((p) => {
    const predicted = predict(p);
    const actual = p.accuracy!;
    const { judgedOn, ...error } = errorAgainstActual(predicted, actual);
    return { run: { run: p.run, D: p.D, actual, predicted, ...error }, judgedOn };
  });
  const runs = judged.map((j) => j.run);
  // One unit for the whole back-test: absolute as soon as one held-out run is judged so (a mean of relative
  // errors with one near zero would be that one's).
  const relative = judged.every((j) => j.judgedOn === 'relative error');
  return {
    N,
    method,
    runs,
    ...(runs.every((r) => r.relativeError !== undefined)
      ? { meanRelativeError: mean(runs.map((r) => Math.abs(r.relativeError!))) }
      : {}),
    meanAbsoluteError: mean(runs.map((r) => Math.abs(r.absoluteError))),
    judgedOn: relative ? 'relative error' : 'absolute error',
    threshold: relative ? SCREEN_THRESHOLDS.backtestError : ABSOLUTE_BACKTEST_ERROR,
  };
}

/** The back-test's error that its verdict reads: the mean relative error, or the mean absolute one near zero. */
function backtestError(b: TaskBacktest): number {
  return b.judgedOn === 'relative error' ? b.meanRelativeError! : b.meanAbsoluteError;
}

/**
 * The back-test's error as the verdict reads it, in its unit: "3.4 %" (relative) or "1.2 accuracy points"
 * (absolute). The text, the HTML report and the web panel all say it with this.
 */
export function backtestErrorWords(b: TaskBacktest): string {
  return b.judgedOn === 'relative error'
    ? formatPercent(b.meanRelativeError!)
    : `${(100 * b.meanAbsoluteError).toFixed(1)} accuracy points`;
}

/** The threshold of the error judged, in its unit: "10.0 %" or "1.0 point". */
function backtestThresholdWords(b: TaskBacktest): string {
  return b.judgedOn === 'relative error' ? formatPercent(b.threshold) : `${(100 * b.threshold).toFixed(1)} point`;
}

/**
 * Why a task's back-test is judged on absolute error, or undefined where it is judged on relative error:
 * said under the screen by every output (screenNotes).
 */
export function backtestMeasureNote(b: TaskBacktest): string | undefined {
  if (b.judgedOn === 'relative error') return undefined;
  const low = Math.min(...b.runs.map((r) => r.actual));
  return `back-test judged on absolute error in accuracy points (mean ${backtestErrorWords(b)}, threshold ${backtestThresholdWords(b)}): a held-out accuracy (${low.toFixed(3)}) is below ${SCREEN_THRESHOLDS.relativeFrom.toFixed(2)}, where a relative error is meaningless (docs/methods.md §33)`;
}

/** One held-out run's error in the unit its task is judged on: "+3.4 %" or "+1.2 pts". */
export function backtestRunErrorWords(b: Pick<TaskBacktest, 'judgedOn'>, r: TaskBacktest['runs'][number]): string {
  return actualErrorWords({ ...r, judgedOn: b.judgedOn });
}

/**
 * Screen one task.
 * @param reruns pairs of (run, rerun with another seed) among the ladder's runs, for the seed noise
 */
export function screenTask(
  ladder: TaskLadder,
  options: DownstreamOptions & { reruns?: TaskLadder; route?: DownstreamRoute } = {},
): TaskScreen {
  const finals = finalPoints(ladder, options.movingAverage ?? 5).filter((p) => p.accuracy !== undefined);
  if (finals.length < 3)
    throw new InputError(
      { file: ladder.source },
      `${finals.length} run${finals.length === 1 ? '' : 's'} with a final accuracy for "${ladder.task}": expected at least 3 to screen it`,
    );
  const accs = finals.map((p) => p.accuracy!);
  const noise = accuracyNoise(ladder);
  const noiseSource = accuracyNoiseSource(ladder);
  let seedSd: number | undefined;
  const unpaired: string[] = [];
  if (options.reruns && options.reruns.runs.length) {
    const byName = new Map(finals.map((p) => [p.run, p.accuracy!]));
    // A rerun is paired with its ladder run by name (`<run>-rerun`, the OLMo ladder's), else with the one
    // ladder run of its N and final tokens: another seed named otherwise (`lad-150m-s2`) was silently left
    // out of the seed σ.
    const sameRun = (p: { N: number; D: number }) => {
      const like = finals.filter((q) => Math.abs(q.N / p.N - 1) < 1e-6 && Math.abs(q.D / p.D - 1) < 0.01);
      return like.length === 1 ? like[0].accuracy : undefined;
    };
    const diffs = finalPoints(options.reruns, options.movingAverage ?? 5)
      .filter((p) => p.accuracy !== undefined)
      .map((p) => {
        const original = byName.get(p.run.replace(/-rerun$/, '')) ?? sameRun(p);
        if (original === undefined) unpaired.push(p.run);
        return original === undefined ? undefined : p.accuracy! - original;
      })
      .filter((d): d is number => d !== undefined);
    // The SD of one run's final accuracy from the differences of pairs: Var(a − b) = 2σ².
    if (diffs.length) seedSd = Math.sqrt(mean(diffs.map((d) => d * d)) / 2);
  }
  const sigma = Math.max(noise, seedSd ?? 0);
  const lo = Math.min(...accs),
    hi = Math.max(...accs);
  const monotonicity = spearman(
    finals.map((p) => p.C),
    accs,
  );
  const chance = options.chance;
  const t = SCREEN_THRESHOLDS;
  let backtest: TaskBacktest | undefined, backtestProblem: string | undefined;
  try {
    backtest = backtestTask(ladder, options);
  } catch (e) {
    backtestProblem = (e as Error).message;
  }
  const reasons: { verdict: Verdict; why: string }[] = [];
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  // The floor: random guessing where its level is known, else 0 — a generated or exact-match answer (gsm8k,
  // lambada) is not picked among choices, so guessing scores ~0; for a multiple-choice task whose choices are
  // not known here 0 is below its chance, and the rule errs towards not firing.
  const floor = chance ?? DEFAULT_FLOOR;
  const margin = Math.max(t.chanceMargin, t.chanceSigmas * sigma);
  if (hi - floor < margin) {
    reasons.push({
      verdict: 'near chance',
      why: `best final accuracy ${hi.toFixed(3)} is within ${margin.toFixed(3)} of ${chance !== undefined ? `random guessing (${chance.toFixed(3)})` : `the floor ${floor} (default: no chance level known, a generated answer's)`}`,
    });
  }
  // Noise that swamps the spread comes before monotonicity: under it Spearman's ρ is low whatever the
  // trend, so "not monotone" would say something of the task that the ladder cannot show.
  if (hi > lo && sigma / (hi - lo) > t.noiseShare)
    reasons.push({
      verdict: 'noisy',
      why: `noise σ = ${sigma.toFixed(4)} is ${pct(sigma / (hi - lo))} of the ladder's accuracy spread (> ${pct(t.noiseShare)})`,
    });
  if (monotonicity < t.monotone)
    reasons.push({
      verdict: 'not monotone',
      why: `final accuracy does not rise with compute (Spearman ρ = ${monotonicity.toFixed(2)} < ${t.monotone})`,
    });
  if (backtest && backtestError(backtest) > backtest.threshold)
    reasons.push({
      verdict: 'noisy',
      why: `the back-test on the largest size (N = ${backtest.N.toExponential(2).replace('e+', 'e')}) misses by ${backtestErrorWords(backtest)} (> ${backtestThresholdWords(backtest)})`,
    });
  return {
    task: ladder.task,
    verdict: reasons[0]?.verdict ?? 'predictable',
    reasons: reasons.map((r) => r.why),
    ...(chance !== undefined ? { chance } : {}),
    floor,
    noise,
    ...(noiseSource !== 'checkpoints' ? { noiseFrom: noiseSource } : {}),
    ...(seedSd !== undefined ? { seedSd } : {}),
    ...(unpaired.length ? { rerunsUnpaired: unpaired } : {}),
    monotonicity,
    accuracyRange: [lo, hi],
    ...(backtest ? { backtest } : {}),
    ...(backtestProblem ? { backtestProblem } : {}),
  };
}
