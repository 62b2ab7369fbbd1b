/**
 * Critical batch size: Kaplan et al. 2020's B_crit(L), McCandlish et al. 2018's step/data trade-off
 * fitted from runs, and the two-batch gradient-noise-scale estimator. Pure.
 */
import { finish, type Steps } from '../core/steps.js';
import { formatInterval, formatNumber } from '../core/format.js';
import { InputError, libraryOption, OptionError, UsageError, type OptionNamer } from '../errors/index.js';
import { linearRegression, powerFit } from '../core/linearRegression.js';
import { randomSource } from '../core/random.js';
import { polynomialDesign, residualBootstrap } from '../fit/residualBootstrap.js';
import { percentileInterval } from '../core/statistics.js';
import { didYouMean } from '../core/names.js';
import { describeColumns, runsRecording, type Dataset } from '../io/dataset.js';
import { checkLossVaries, checkMagnitudes } from '../io/dataChecks.js';

export interface CriticalBatchPreset {
  id: string;
  /** B_crit(L) = bStar / L^(1/alphaB), in tokens. */
  bStar: number;
  alphaB: number;
  citation: string;
  /** What L means for these constants. */
  note: string;
  /** The losses B_crit(L) was fitted over, as the source states them; absent where it states none. */
  range?: [number, number];
  /** Where the range comes from, or that the source states none (then the loss is not checked). */
  rangeSource: string;
}

/** Published critical-batch laws B_crit(L), as presets with their citation. */
export const criticalBatchPresets: readonly CriticalBatchPreset[] = [
  {
    id: 'kaplan-2020',
    bStar: 2.1e8,
    alphaB: 0.21,
    citation:
      'Kaplan et al. 2020, arXiv:2001.08361, Table 5 (B* = 2.1e8 tokens, α_B = 0.21; the text rounds B* to 2e8)',
    note: 'L is WebText2 cross-entropy in nats per token (GPT-2 BPE, 1024-token context); B in tokens',
    // docs/methods.md §5 gives the constants, not the losses of the runs they came from: none is made up.
    rangeSource:
      'the losses B_crit(L) was fitted over are not recorded here (docs/methods.md §5), so the loss is not checked against them',
  },
];

/** Kaplan et al. 2020, Table 5: B_crit(L) = B* / L^(1/α_B), B* = 2.1e8 tokens, α_B = 0.21. */
export const kaplanBatchPreset = criticalBatchPresets[0];

/** The critical-batch law is not chosen by any flag: one is shipped, and the plan says so beside it. */
export const criticalBatchDefault = 'the default, and the only critical-batch law shipped';

/** Kaplan's B_crit(L) at the recommended run's predicted loss, as plan, report and the web planner give it. */
export function criticalBatchInput(): {
  bStar: number;
  alphaB: number;
  source: string;
  note: string;
} {
  return {
    bStar: kaplanBatchPreset.bStar,
    alphaB: kaplanBatchPreset.alphaB,
    source: `preset ${kaplanBatchPreset.id} (${criticalBatchDefault}): ${kaplanBatchPreset.citation}`,
    note: `Kaplan's L is ${kaplanBatchPreset.note.replace(/^L is /, '')}; the predicted loss here is on this law's data, so B_crit is indicative`,
  };
}

export function criticalBatchPreset(id: string): CriticalBatchPreset {
  const p = criticalBatchPresets.find((x) => x.id === id);
  if (!p)
    throw new UsageError(
      `unknown critical-batch preset "${id}" (${didYouMean(
        id,
        criticalBatchPresets.map((x) => x.id),
      )}known: ${criticalBatchPresets.map((x) => x.id).join(', ')})`,
    );
  return p;
}

export function criticalBatch(
  loss: number,
  bStar = kaplanBatchPreset.bStar,
  alphaB = kaplanBatchPreset.alphaB,
): number {
  return bStar / Math.pow(loss, 1 / alphaB);
}

/**
 * A per-target B_crit whose interval spans more than this factor is said to be poorly determined: a batch is
 * chosen on a ×2 grid, and a B_crit known only within ×10 chooses none.
 */
const POORLY_DETERMINED = 10;

export interface TradeoffFit {
  /** Target loss the steps were counted to. */
  target: number;
  /** Fewest steps (infinite batch). */
  sMin: number;
  /** Fewest examples (tokens) (batch → 0). */
  eMin: number;
  /** B_crit = E_min/S_min, in the unit of the batch column. */
  bCrit: number;
  points: { batch: number; steps: number }[];
  /** Percentile interval of B_crit from a residual bootstrap (three or more batch sizes). */
  bCritInterval?: [number, number];
}

export interface TradeoffBootstrap {
  replicates?: number;
  seed?: number;
  level?: number;
}

/**
 * B_crit's percentile interval from a residual bootstrap of S = S_min + E_min/B (src/fit/residualBootstrap.ts):
 * refit the line to the fitted steps times resampled relative residuals, each divided by √(1 − leverage)
 * and centred. Runs are few and each batch size usually has one, so resampling runs would barely move;
 * the residuals carry the scatter. Undefined below three points (two fit the line exactly) and when
 * fewer than half the resamples keep S_min and E_min positive.
 */
export function tradeoffInterval(fit: TradeoffFit, o: TradeoffBootstrap = {}): [number, number] | undefined {
  return finish(tradeoffIntervalSteps(fit, o));
}

/** tradeoffInterval a replicate at a time (it yields between them). */
function* tradeoffIntervalSteps(fit: TradeoffFit, o: TradeoffBootstrap): Steps<[number, number] | undefined> {
  const replicates = o.replicates ?? 1000;
  const values = (yield* tradeoffReplicates(fit, o)).filter((v) => !Number.isNaN(v));
  if (fit.points.length < 3 || values.length < replicates / 2) return undefined;
  return percentileInterval(values, o.level ?? 0.95);
}

/**
 * The bootstrap's B_crit replicates behind tradeoffInterval, NaN where a resample loses a positive
 * S_min or E_min; [] below three points. Replicate r draws from its own stream of the seed, the
 * same for every target: targets reached by the same runs resample the same runs' residuals in
 * replicate r (a run's scatter is shared by the targets it reaches), so replicate r of each target
 * belongs together.
 */
function* tradeoffReplicates(fit: TradeoffFit, o: TradeoffBootstrap): Steps<number[]> {
  const replicates = o.replicates ?? 1000;
  const x = fit.points.map((p) => 1 / p.batch);
  // Relative residuals: steps scatter in proportion to their size (small batches take many steps).
  const residuals = residualBootstrap([{ design: polynomialDesign(x, 1), observed: fit.points.map((p) => p.steps) }], {
    scale: 'relative',
    pooling: 'per-group',
  });
  // Two points fit the line exactly: no residual to resample.
  if (fit.points.length < 3 || residuals.noResidualLeft) return [];
  const values: number[] = [];
  for (let r = 0; r < replicates; r++) {
    yield;
    const random = randomSource(o.seed ?? 0, 4 * r);
    const y = residuals.draw(0, random);
    const { slope, intercept } = linearRegression(x, y);
    values.push(intercept > 0 && slope > 0 ? slope / intercept : NaN);
  }
  return values;
}

/** B_crit(L) = B* / L^(1/α_B) through (target, B_crit) pairs: ln B_crit = ln B* − (1/α_B)·ln L. */
function fitCriticalBatchLaw(targets: number[], bCrits: number[]): { bStar: number; alphaB: number } {
  const { coefficient, exponent } = powerFit(targets, bCrits);
  return { bStar: coefficient, alphaB: -1 / exponent };
}

/**
 * McCandlish et al. 2018 (via Kaplan et al. 2020 Eq. 5.1): S = S_min·(1 + B_crit/B), so steps are
 * linear in 1/B: S = S_min + E_min·(1/B). Regress S on 1/B; intercept S_min, slope E_min.
 * @throws InputError with fewer than two batch sizes or a non-positive intercept or slope
 */
export function fitTradeoff(
  points: { batch: number; steps: number; line?: number }[],
  target: number,
  source = 'data',
): TradeoffFit {
  const batches = new Set(points.map((p) => p.batch));
  if (batches.size < 2) {
    throw new InputError(
      { file: source, line: points[0]?.line },
      `target loss ${formatNumber(target)}: ${batches.size === 1 ? 'one batch size' : 'no run'} reaches it; the step/data trade-off needs at least two batch sizes`,
    );
  }
  const { slope, intercept } = linearRegression(
    points.map((p) => 1 / p.batch),
    points.map((p) => p.steps),
  );
  if (!(intercept > 0) || !(slope > 0)) {
    throw new InputError(
      { file: source },
      `target loss ${formatNumber(target)}: steps do not fall as the batch grows (S_min = ${formatNumber(intercept, 3)}, E_min = ${formatNumber(slope, 3)}); the runs do not show a step/data trade-off`,
    );
  }
  return {
    target,
    sMin: intercept,
    eMin: slope,
    bCrit: slope / intercept,
    points: points.map(({ batch, steps }) => ({ batch, steps })),
  };
}

/**
 * First step at which a curve reaches `target` (linear interpolation in ln step), or undefined when
 * it never does — or when it is already below the target at its first checkpoint: then it got there
 * at some unlogged step before, and counting the first logged step would measure the logging, not
 * the run. The crossing is read on the curve's best non-increasing fit (pool-adjacent-violators), not on
 * the raw evaluations: with evaluation noise the first raw point below a target is as often a dip of the
 * noise, which counted the steps early (−5 % at a high target with 1 % noise); a monotone fit averages such
 * a dip with the points after it. An exact, falling curve is its own fit.
 */
export function stepsToReach(curve: { step: number; loss: number }[], target: number): number | undefined {
  // Fitted only up to the curve's lowest point: a rise after it (a late spike, a divergence) is not noise
  // around a falling curve, and pooled back it raised the points before it, so a run that had reached the
  // target read as one that never did.
  let lowest = 0;
  for (let i = 1; i < curve.length; i++) if (curve[i].loss < curve[lowest].loss) lowest = i;
  const fitted = nonIncreasing(curve.slice(0, lowest + 1).map((p) => p.loss));
  for (let i = 0; i < fitted.length; i++) {
    if (fitted[i] <= target) {
      if (i === 0) return fitted[0] === target ? curve[0].step : undefined;
      const a = { step: curve[i - 1].step, loss: fitted[i - 1] },
        b = { step: curve[i].step, loss: fitted[i] };
      const t = (a.loss - target) / (a.loss - b.loss);
      return Math.exp(Math.log(a.step) + t * (Math.log(b.step) - Math.log(a.step)));
    }
  }
  return undefined;
}

/** The least-squares non-increasing sequence nearest to `y` (pool adjacent violators: a rise is averaged with what it follows). */
function nonIncreasing(y: number[]): number[] {
  const blocks: { sum: number; count: number }[] = [];
  for (const v of y) {
    blocks.push({ sum: v, count: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1],
        prev = blocks[blocks.length - 2];
      if (last.sum / last.count <= prev.sum / prev.count) break;
      prev.sum += last.sum;
      prev.count += last.count;
      blocks.pop();
    }
  }
  return blocks.flatMap((b) => Array<number>(b.count).fill(b.sum / b.count));
}

export interface CriticalBatchFromRuns {
  fits: TradeoffFit[];
  /**
   * B_crit(L) = B* / L^(1/α_B) through the per-target fits (with two or more targets); with a
   * bootstrap, 95 % intervals of B* and α_B from refitting the law to each replicate's B_crit at
   * every target (the per-target bootstraps, drawn together).
   */
  law?: { bStar: number; alphaB: number; bStarInterval?: [number, number]; alphaBInterval?: [number, number] };
  /** The law refitted per bootstrap replicate (slope = −1/α_B), for intervals of B_crit at a loss (criticalBatchAtLoss). */
  lawReplicates?: { bStar: number; slope: number }[];
  /**
   * Set when B_crit does not grow as the loss falls across the targets — the fitted α_B is negative (or
   * infinite), or the bootstrap interval of B_crit(L)'s slope in ln L reaches 0 —, so the law's exponent says
   * nothing: B_crit as one value, the geometric mean of the per-target B_crit, with its interval from the same
   * replicates (absent without them), and the range of the per-target values.
   */
  flat?: { bCrit: number; interval?: [number, number]; range: [number, number]; losses: [number, number] };
  /**
   * Of the bootstrap replicates drawn, how many kept a step/data trade-off at every target: the law's
   * intervals are over those survivors only (conditional on it), which the report says with the share lost.
   */
  lawRefits?: { kept: number; drawn: number };
  warnings: string[];
}

/**
 * From training curves at several batch sizes (columns run, batch, step, loss): steps to reach each
 * target loss per run, the trade-off per target, and B_crit against loss.
 * @param targets losses to count steps to; default: 5 levels between what every run reaches and
 *   what at least two batch sizes reach
 */
export function criticalBatchFromRuns(
  dataset: Dataset,
  targets?: number[],
  bootstrap?: TradeoffBootstrap,
): CriticalBatchFromRuns {
  return finish(criticalBatchFromRunsSteps(dataset, targets, bootstrap));
}

/**
 * Training curves for the critical batch, as `bcrit FILE` reads them: `read` parses the file (the CLI's
 * readRuns of a path, the web panel's parseRuns of a text) with the fields it must have. Read first
 * requiring none, so that a file of gradient norms with no loss (the easy slip: it is `bcrit --noise`'s
 * input) is said as that rather than as a missing loss column.
 * @throws UsageError for gradient norms without a loss; else what `read` throws (a missing loss, located)
 */
export function readCriticalBatchRuns(
  read: (require?: []) => Dataset,
  source: string,
  name: OptionNamer = libraryOption,
): Dataset {
  const ds = read([]);
  if (ds.columns.loss !== undefined) return ds;
  if (ds.columns.gradSq !== undefined)
    throw new UsageError(
      `${source} has a "${ds.columns.gradSq}" column and no loss: gradient norms are read with ${name('noise')} (the gradient noise scale); the critical batch from runs needs training curves (run, batch, step, loss)`,
    );
  return read(); // refused, naming the missing loss column
}

/**
 * criticalBatchFromRuns a bootstrap replicate at a time (it yields between them): a caller that must stay
 * responsive (a command that stops on Ctrl-C) gives its event loop a turn there.
 */
export function* criticalBatchFromRunsSteps(
  given: Dataset,
  targets?: number[],
  bootstrap?: TradeoffBootstrap,
): Steps<CriticalBatchFromRuns> {
  const source = given.source;
  if (given.columns.batch === undefined)
    throw new InputError(
      { file: source, line: 1 },
      (o) =>
        `needs a batch column (batch size of each run); the data have: ${describeColumns(given)}; map one with ${o('columns')} batch=NAME`,
    );
  if (given.columns.step === undefined)
    throw new InputError(
      { file: source, line: 1 },
      (o) =>
        `needs a step column (optimizer step of each checkpoint); the data have: ${describeColumns(given)}; map one with ${o('columns')} step=NAME`,
    );
  // A checkpoint of a run that did not record its batch size (blank) is left out, counted.
  const recorded = runsRecording(given, ['batch'], 'the critical batch from training curves');
  const dataset = recorded.dataset;
  checkMagnitudes(dataset, ['batch', 'step', 'loss'], dataset.runs);
  checkLossVaries(dataset, dataset.runs, 'counting the steps to a target loss');
  const curves = new Map<string, { batch: number; points: { step: number; loss: number }[]; line: number }>();
  for (const r of dataset.runs) {
    const id = r.run ?? `batch ${r.batch}`;
    if (r.step === undefined)
      throw new InputError(
        { file: source, line: r.line, columnName: dataset.columns.step },
        'this checkpoint has no step',
      );
    if (!curves.has(id)) curves.set(id, { batch: r.batch!, points: [], line: r.line });
    curves.get(id)!.points.push({ step: r.step, loss: r.loss });
  }
  for (const [id, c] of curves) {
    c.points.sort((a, b) => a.step - b.step);
    if (c.points.length < 2)
      throw new InputError(
        { file: source, line: c.line, ...(dataset.columns.run ? { columnName: dataset.columns.run } : {}) },
        `run "${id}" has one checkpoint: counting the steps to a target loss needs a training curve (two or more checkpoints per run)`,
      );
  }
  const batchSizes = new Set([...curves.values()].map((c) => c.batch));
  if (batchSizes.size < 2) {
    throw new InputError(
      { file: source, line: [...curves.values()][0]?.line, columnName: dataset.columns.batch },
      `all runs use one batch size (${[...batchSizes][0]}): the critical batch needs runs at two or more batch sizes`,
    );
  }
  const warnings: string[] = recorded.warning ? [recorded.warning] : [];
  let levels = targets;
  if (!levels) {
    const reachedByAll = Math.max(...[...curves.values()].map((c) => Math.min(...c.points.map((p) => p.loss))));
    const start = Math.min(...[...curves.values()].map((c) => c.points[0].loss));
    const best = [...curves.values()].map((c) => Math.min(...c.points.map((p) => p.loss))).sort((a, b) => a - b);
    const lo = best[Math.min(1, best.length - 1)];
    const hi = Math.min(start, reachedByAll + 0.5 * (start - reachedByAll));
    // The lowest level a tenth of the span above the worst run's final loss, not at it: there that run's
    // steps would be its last evaluation's, set by one noisy point rather than read between two.
    const bottom = Math.max(lo, reachedByAll);
    const floor = bottom + 0.1 * (hi - bottom);
    levels = Array.from({ length: 5 }, (_, k) => hi - ((hi - floor) * k) / 4).filter((x, i, a) => a.indexOf(x) === i);
  }
  const fits: TradeoffFit[] = [];
  for (const target of levels) {
    const points: { batch: number; steps: number; line: number }[] = [];
    for (const c of curves.values()) {
      const s = stepsToReach(c.points, target);
      if (s !== undefined) points.push({ batch: c.batch, steps: s, line: c.line });
    }
    if (points.length === 0) {
      throw new InputError(
        { file: source },
        `target loss ${formatNumber(target)} is never reached by any run (the lowest loss in the file is ${formatNumber(Math.min(...dataset.runs.map((r) => r.loss)), 4)})`,
      );
    }
    try {
      const fit = fitTradeoff(points, target, source);
      const interval = bootstrap ? yield* tradeoffIntervalSteps(fit, bootstrap) : undefined;
      fits.push(interval ? { ...fit, bCritInterval: interval } : fit);
    } catch (e) {
      if (targets) throw e;
      warnings.push((e as Error).message);
    }
  }
  if (fits.length === 0)
    throw new InputError(
      { file: source },
      `no target loss is reached at two or more batch sizes: ${warnings.join('; ')}`,
    );
  // A B_crit known only within ×10 picks no batch size. The steps to a target are very sensitive to a run's
  // loss sitting a little above or below the others' at every step (a per-run loss offset: seed, data order),
  // most where the curves are flat, and to reading a curve between few evaluations; the residual bootstrap
  // sees either only through the regression's residuals. Said, so the per-target values are not read as measured.
  const vague = fits.filter((f) => f.bCritInterval && f.bCritInterval[1] / f.bCritInterval[0] > POORLY_DETERMINED);
  if (vague.length)
    warnings.push(
      `B_crit is poorly determined at target loss ${vague.map((f) => `${formatNumber(f.target, 4)} (×${formatNumber(f.bCritInterval![1] / f.bCritInterval![0], 2)})`).join(', ')}: its ${Math.round((bootstrap?.level ?? 0.95) * 100)} % interval spans more than ×${POORLY_DETERMINED}. The steps to a target loss are very sensitive to small shifts of the loss: per-run offsets (a run whose loss sits 1 % above another's at every step needs many more steps where the curves are flat, read as a different B_crit) and curves read between few evaluations; read these as an order of magnitude at most, and add batch sizes, seeds per batch size, evaluations, or targets where the curves are steeper`,
    );
  if (fits.length < 2) return { fits, warnings };
  const law: NonNullable<CriticalBatchFromRuns['law']> = fitCriticalBatchLaw(
    fits.map((f) => f.target),
    fits.map((f) => f.bCrit),
  );
  const geometricMean = (v: number[]) => Math.exp(v.reduce((t, x) => t + Math.log(x), 0) / v.length);
  const losses: [number, number] = [Math.min(...fits.map((f) => f.target)), Math.max(...fits.map((f) => f.target))];
  const flatOf = (interval?: [number, number]): NonNullable<CriticalBatchFromRuns['flat']> => ({
    bCrit: geometricMean(fits.map((f) => f.bCrit)),
    ...(interval ? { interval } : {}),
    range: [Math.min(...fits.map((f) => f.bCrit)), Math.max(...fits.map((f) => f.bCrit))],
    losses,
  });
  // B_crit that falls, or stays, as the loss falls: the power law's exponent is no growth rate.
  const growsNot = !(Number.isFinite(law.alphaB) && law.alphaB > 0);
  if (!bootstrap) return { fits, law, ...(growsNot ? { flat: flatOf() } : {}), warnings };
  const thin = fits.filter((f) => f.points.length < 3);
  if (thin.length) {
    warnings.push(
      `target loss ${thin.map((f) => formatNumber(f.target)).join(', ')}: reached at only two batch sizes, which fit the trade-off exactly; no bootstrap interval for B_crit(L)`,
    );
    return { fits, law, ...(growsNot ? { flat: flatOf() } : {}), warnings };
  }
  // Replicate r of every target comes from the same residual draws: refit the law to each, in
  // ln B_crit = ln B* + slope·ln L (slope = −1/α_B), keeping every replicate whatever its slope's sign.
  const perTarget: number[][] = [];
  for (const f of fits) perTarget.push(yield* tradeoffReplicates(f, bootstrap));
  const lawReplicates: { bStar: number; slope: number }[] = [];
  const means: number[] = [];
  for (let r = 0; r < perTarget[0].length; r++) {
    if (r > 0 && r % 1000 === 0) yield;
    const b = perTarget.map((v) => v[r]);
    if (b.some((v) => Number.isNaN(v))) continue;
    const { coefficient, exponent } = powerFit(
      fits.map((f) => f.target),
      b,
    );
    lawReplicates.push({ bStar: coefficient, slope: exponent });
    means.push(geometricMean(b));
  }
  const lawRefits = { kept: lawReplicates.length, drawn: perTarget[0].length };
  if (lawReplicates.length < perTarget[0].length / 2) {
    warnings.push(
      `only ${lawReplicates.length} of ${perTarget[0].length} bootstrap resamples kept a step/data trade-off at every target: no interval for B_crit(L)`,
    );
    return { fits, law, ...(growsNot ? { flat: flatOf() } : {}), warnings };
  }
  const level = bootstrap.level ?? 0.95;
  law.bStarInterval = percentileInterval(
    lawReplicates.map((l) => l.bStar),
    level,
  );
  // α_B = −1/slope is monotone in the slope while it is negative: transform the slope's interval.
  const [lo, hi] = percentileInterval(
    lawReplicates.map((l) => l.slope),
    level,
  );
  if (hi < 0) law.alphaBInterval = [-1 / lo, -1 / hi];
  else
    warnings.push(
      `the bootstrap's ${Math.round(level * 100)} % interval of B_crit(L)'s slope in ln L reaches ${formatNumber(hi, 3)} ≥ 0: the runs do not show B_crit growing as the loss falls with confidence, so α_B has no interval`,
    );
  const flat = growsNot || hi >= 0 ? { flat: flatOf(percentileInterval(means, level)) } : {};
  return { fits, law, lawReplicates, lawRefits, ...flat, warnings };
}

export interface NoiseScaleStep {
  step: number;
  /** Unbiased |G|² and tr Σ after separate exponential smoothing. */
  gradSq: number;
  traceSigma: number;
  /** B_simple = tr Σ / |G|². */
  bSimple: number;
}

/**
 * McCandlish et al. 2018, App. A.1: from |G_B|² measured at a small and a big batch size,
 *   |G|² ≈ (B_big·|G_big|² − B_small·|G_small|²)/(B_big − B_small)
 *   tr Σ ≈ (|G_small|² − |G_big|²)/(1/B_small − 1/B_big),
 * each smoothed separately (EMA with weight `smoothing` on the past) before B_simple = tr Σ/|G|².
 */
export function gradientNoiseScale(
  rows: { step: number; batch: number; gradSq: number; line?: number }[],
  smoothing = 0.9,
  source = 'data',
): NoiseScaleStep[] {
  const bySteps = new Map<number, { batch: number; gradSq: number; line?: number }[]>();
  for (const r of rows) {
    if (!bySteps.has(r.step)) bySteps.set(r.step, []);
    bySteps.get(r.step)!.push(r);
  }
  const out: NoiseScaleStep[] = [];
  let g = NaN,
    t = NaN;
  for (const step of [...bySteps.keys()].sort((a, b) => a - b)) {
    const at = bySteps.get(step)!;
    const sizes = [...new Set(at.map((r) => r.batch))].sort((a, b) => a - b);
    if (sizes.length !== 2) {
      throw new InputError(
        { file: source, line: at[0].line },
        `step ${step} has ${sizes.length} batch size${sizes.length === 1 ? '' : 's'} (${sizes.join(', ')}): the estimator needs |G_B|² at exactly two batch sizes per step`,
      );
    }
    const small = at.find((r) => r.batch === sizes[0])!,
      big = at.find((r) => r.batch === sizes[1])!;
    const gradSq = (big.batch * big.gradSq - small.batch * small.gradSq) / (big.batch - small.batch);
    const traceSigma = (small.gradSq - big.gradSq) / (1 / small.batch - 1 / big.batch);
    g = Number.isNaN(g) ? gradSq : smoothing * g + (1 - smoothing) * gradSq;
    t = Number.isNaN(t) ? traceSigma : smoothing * t + (1 - smoothing) * traceSigma;
    out.push({ step, gradSq: g, traceSigma: t, bSimple: t / g });
  }
  return out;
}

/**
 * B_crit at a target loss from the B_crit(L) law fitted through the per-target trade-offs.
 * @throws InputError when fewer than two targets were fitted (no law), or the law is degenerate
 */
export function criticalBatchAtLoss(
  fit: CriticalBatchFromRuns,
  loss: number,
  source = 'data',
  level = 0.95,
): {
  loss: number;
  bCrit: number;
  bCritInterval?: [number, number];
  law: { bStar: number; alphaB: number };
  fittedRange: [number, number];
  extrapolated: boolean;
} {
  if (!(loss > 0) || !Number.isFinite(loss))
    throw new OptionError({
      option: 'targetLoss',
      value: loss,
      message: (o) => `${o('targetLoss')} must be a positive loss, got ${loss}`,
    });
  if (!fit.law) {
    throw new InputError(
      { file: source },
      (o) =>
        `B_crit at loss ${loss} needs B_crit(L) fitted through two or more target losses, but only ${fit.fits.length} target gave a trade-off; give ${o('targetLosses')} with two or more losses the runs reach`,
    );
  }
  if (!(Number.isFinite(fit.law.alphaB) && fit.law.alphaB > 0)) {
    const flat = fit.flat;
    throw new InputError(
      { file: source },
      `B_crit does not grow as the loss falls across the targets (fitted α_B = ${formatNumber(fit.law.alphaB, 3)}): cannot predict B_crit at loss ${formatNumber(loss)} from a law in L${flat ? `; B_crit is about flat across the losses ${formatNumber(flat.losses[0], 4)} … ${formatNumber(flat.losses[1], 4)}: ≈ ${formatNumber(flat.bCrit, 3)}${flat.interval ? ` (95 % ${formatInterval(flat.interval, 3)})` : ''}, which is the value to use near them` : ''}`,
    );
  }
  const targets = fit.fits.map((f) => f.target);
  const lo = Math.min(...targets),
    hi = Math.max(...targets);
  const interval = fit.lawReplicates?.length
    ? percentileInterval(
        fit.lawReplicates.map((l) => l.bStar * loss ** l.slope),
        level,
      )
    : undefined;
  return {
    loss,
    bCrit: criticalBatch(loss, fit.law.bStar, fit.law.alphaB),
    ...(interval ? { bCritInterval: interval } : {}),
    law: fit.law,
    fittedRange: [lo, hi],
    extrapolated: loss < lo * (1 - 1e-12) || loss > hi * (1 + 1e-12),
  };
}

/**
 * Training at batch B against the critical batch: S = S_min(1 + B_crit/B) steps and
 * E = E_min(1 + B/B_crit) tokens (McCandlish et al. 2018; Kaplan et al. 2020 Eq. 5.1–5.2).
 */
export function tradeoffAt(
  bCrit: number,
  batch: number,
): { batch: number; ratio: number; stepsFactor: number; examplesFactor: number } {
  return { batch, ratio: batch / bCrit, stepsFactor: 1 + bCrit / batch, examplesFactor: 1 + batch / bCrit };
}

/** Steps and examples at a batch size relative to the minimum (McCandlish's trade-off). */
export function batchTradeoff(bCrit: number, sMin?: number, eMin?: number) {
  return [0.25, 0.5, 1, 2, 4].map((k) => {
    const B = k * bCrit;
    return {
      batch: B,
      stepsFactor: 1 + bCrit / B,
      examplesFactor: 1 + B / bCrit,
      steps: sMin === undefined ? undefined : sMin * (1 + bCrit / B),
      examples: eMin === undefined ? undefined : eMin * (1 + B / bCrit),
    };
  });
}
