/**
 * One fitting procedure applied to a data set, with what a prediction needs to be honest about its
 * uncertainty: the fit, bootstrap refits that resample whole training runs, and the scatter of a
 * single run around the law. Pure (no Node APIs): the web app's worker runs the same code.
 *
 * The predictive distribution of a new run's ln L at a point is
 *   ln L̂_b(x) + ε,   b a bootstrap replicate (parameter uncertainty, runs resampled whole),
 *                    ε a residual of the fit scaled by √(n/(n−p)) (one run's scatter, lack of fit),
 * and a mixture of candidates' distributions carries the uncertainty of the procedure choice.
 */
import { getLaw, type Law, type Point } from '../laws/index.js';
import { predictLoss } from '../laws/law.js';
import { quantile } from '../core/statistics.js';
import { normal, randomSource } from '../core/random.js';
import { isScaleLabError } from '../errors/index.js';
import { defaultResampleUnit, type Dataset } from '../io/dataset.js';
import { fit, prepareFit, type FitOptions, type FitResult } from './fit.js';
import { bootstrapSlice, type BootstrapSamples, type ResampleUnit } from './bootstrap.js';
import { dataSupport, reduceProcedure, type Procedure } from './procedures.js';

export interface CandidateOptions {
  /** Bootstrap replicates for intervals (0: none). @default 0 */
  replicates?: number;
  seed?: number;
  unit?: ResampleUnit;
  /** With the `auto` start: distinct grid starts refined. @default 12 */
  refine?: number;
}

export interface CandidateFit {
  /** The procedure asked for. */
  requested: Procedure;
  /** The procedure fitted: the requested one, or its reduction. */
  procedure: Procedure;
  /** Why the procedure was reduced, when it was. */
  reduction?: string;
  law: Law;
  result: FitResult;
  samples?: BootstrapSamples;
  /** Residuals ln L̂ − ln L scaled by √(n/(n−p)): a new run's scatter around the law. */
  noise: Float64Array;
}

/** A candidate that could not be fitted to these data, and why. */
export interface CandidateFailure {
  requested: Procedure;
  error: string;
}

export function isFailure(c: CandidateFit | CandidateFailure): c is CandidateFailure {
  return 'error' in c;
}

/** Residual quantiles kept as the noise sample: enough to shape a 95 % interval, cheap to mix. */
const NOISE_QUANTILES = 41;

function noiseSample(result: FitResult, runs: number): Float64Array {
  const n = result.residuals.length;
  const p = result.free.length;
  // Degrees of freedom counted in runs: checkpoints of one run are not independent evidence.
  const dof = Math.max(1, Math.min(n, runs) - p);
  const inflation = Math.sqrt(Math.min(n, runs) / dof);
  // ε = −residual: the observed loss sits at ln L̂ − r. Quantiles by interpolation on one sorted copy.
  const r = Float64Array.from(result.residuals, (v) => -v * inflation).sort();
  return Float64Array.from({ length: NOISE_QUANTILES }, (_, i) => {
    const h = (r.length - 1) * ((i + 0.5) / NOISE_QUANTILES),
      lo = Math.floor(h),
      hi = Math.min(lo + 1, r.length - 1);
    return r[lo] + (h - lo) * (r[hi] - r[lo]);
  });
}

/**
 * Fit one procedure (reduced when the data cannot support it) and, with `replicates`, bootstrap it.
 * Returns a failure rather than throwing when the data cannot support any form of the procedure, so a
 * comparison of procedures goes on without it.
 */
export function fitCandidate(
  dataset: Dataset,
  requested: Procedure,
  options: CandidateOptions = {},
): CandidateFit | CandidateFailure {
  const support = dataSupport(dataset);
  const reduced = reduceProcedure(requested, support);
  if (!reduced) {
    const why =
      support.distinctPoints <= 2
        ? `${support.distinctPoints} distinct configuration${support.distinctPoints === 1 ? '' : 's'} (N, D): too few to fit any law`
        : // Named by the law, not the procedure: auto's candidates share it, so their one reason is said once.
          `${support.distinctPoints} distinct configurations (N, D) on ${support.distinctC} compute value${support.distinctC === 1 ? '' : 's'}: too few for law ${getLaw(requested.law).id}, which needs more configurations than its free parameters, and a law in C alone needs at least 3 values of C; add runs of other model sizes and token counts`;
    return { requested, error: why };
  }
  const procedure = reduced.procedure;
  const law = getLaw(procedure.law);
  const fitOptions: FitOptions = { ...procedure.options, init: 'auto', refine: options.refine };
  let result: FitResult;
  try {
    result = fit(law, dataset, fitOptions);
  } catch (e) {
    if (isScaleLabError(e)) return { requested, error: e.message };
    throw e;
  }
  const c: CandidateFit = {
    requested,
    procedure,
    reduction: reduced.reason,
    law,
    result,
    noise: noiseSample(result, support.runs),
  };
  if ((options.replicates ?? 0) > 0)
    c.samples = bootstrapCandidate(c, options.replicates!, options.seed ?? 0, options.unit);
  return c;
}

/** Bootstrap a fitted candidate: refits warm-started from its optimum, whole runs resampled. */
export function bootstrapCandidate(
  c: CandidateFit,
  replicates: number,
  seed: number,
  unit?: ResampleUnit,
  onReplicate?: () => void,
): BootstrapSamples {
  const problem = prepareFit(c.law, c.result.dataset, { ...c.procedure.options, init: c.result.params });
  const out = bootstrapSlice(problem, c.result.theta, seed, 0, replicates, onReplicate, unit);
  return {
    names: c.law.params.map((p) => p.name),
    values: out.values,
    converged: out.converged,
    failures: out.failures,
    replicates,
    seed,
    unit: unit ?? defaultResampleUnit(c.result.dataset),
  };
}

/** ln L̂ of a candidate's point estimate at a point. */
export function candidateLogPrediction(c: CandidateFit, point: Point): number {
  return Math.log(predictLoss(c.law, c.result.params, point));
}

/** ln L̂ of each converged bootstrap replicate at a point (empty without a bootstrap). */
export function replicateLogPredictions(c: CandidateFit, point: Point): Float64Array {
  const s = c.samples;
  if (!s) return new Float64Array(0);
  const p = s.names.length;
  const out: number[] = [];
  const values: Record<string, number> = {};
  for (let r = 0; r < s.replicates; r++) {
    if (!s.converged[r]) continue;
    for (let j = 0; j < p; j++) values[s.names[j]] = s.values[r * p + j];
    const v = Math.log(predictLoss(c.law, values, point));
    if (Number.isFinite(v)) out.push(v);
  }
  return Float64Array.from(out);
}

/** One component of a predictive mixture: replicate predictions and a noise sample, with a weight. */
export interface PredictiveComponent {
  weight: number;
  /** ln L̂ per bootstrap replicate (or the point estimate alone). */
  replicates: ArrayLike<number>;
  /** Additive ln-scale noise sample (a new run's scatter). */
  noise: ArrayLike<number>;
}

/**
 * Quantiles of the predictive mixture Σ_k w_k · (replicate_k + noise_k) + N(0, extraSd²), from a
 * fixed number of seeded draws: draws are shared among components in proportion to their weights,
 * each draw a random replicate plus a random noise value (plus the normal term). Deterministic for a
 * seed; 8,000 draws put the 2.5 % quantile within about ±0.4 percentiles.
 */
export function mixtureQuantiles(
  components: PredictiveComponent[],
  probabilities: number[],
  extraSd = 0,
  draws = 8000,
  seed = 0,
): number[] {
  const active = components.filter((c) => c.weight > 0 && c.replicates.length > 0);
  if (active.length === 0) return probabilities.map(() => NaN);
  const total = active.reduce((a, c) => a + c.weight, 0);
  const random = randomSource(seed, 7919);
  const values: number[] = [];
  for (const c of active) {
    const n = Math.max(1, Math.round((draws * c.weight) / total));
    const noise = c.noise.length ? c.noise : [0];
    for (let i = 0; i < n; i++) {
      let v = c.replicates[Math.floor(random() * c.replicates.length)] + noise[Math.floor(random() * noise.length)];
      if (extraSd > 0) v += extraSd * normal(random);
      values.push(v);
    }
  }
  values.sort((a, b) => a - b);
  return probabilities.map((p) => quantile(values, p));
}

/**
 * Extrapolation scale τ: a prediction at compute C from a fit whose largest run used C_max gets an
 * extra ln-scale spread N(0, (τ·log10(1 + C/C_max))²) on top of bootstrap and run scatter, for what
 * neither can see — the law's form bending beyond the data. τ = 0.0075 was chosen on the
 * extrapolation benchmark, leave-one-dataset-out, for 95 % intervals to cover 95 % of held-out runs
 * (docs/benchmark.md).
 */
export const EXTRAPOLATION_SCALE = 0.0075;

/** The extra ln-scale standard deviation at a point: τ·log10(1 + C/C_max). */
export function extrapolationSd(point: Point, maxC: number | undefined, scale = EXTRAPOLATION_SCALE): number {
  if (!(scale > 0) || !(maxC !== undefined && maxC > 0)) return 0;
  const C = point.C ?? (point.N !== undefined && point.D !== undefined ? 6 * point.N * point.D : undefined);
  if (C === undefined || !(C > 0)) return 0;
  return scale * Math.log10(1 + C / maxC);
}

/**
 * One member of a predictive ensemble in plain values (what a fit JSON stores): a law with its
 * parameters, bootstrap replicates, noise sample and weight. A single fit is an ensemble of one.
 */
export interface PredictiveMember {
  id: string;
  law: Law;
  params: Record<string, number>;
  replicates: Record<string, number>[];
  noise: ArrayLike<number>;
  weight: number;
}

export function memberOf(c: CandidateFit, weight: number): PredictiveMember {
  const replicates: Record<string, number>[] = [];
  const s = c.samples;
  if (s) {
    const p = s.names.length;
    for (let r = 0; r < s.replicates; r++) {
      if (!s.converged[r]) continue;
      replicates.push(Object.fromEntries(s.names.map((n, j) => [n, s.values[r * p + j]])));
    }
  }
  return { id: c.procedure.id, law: c.law, params: c.result.params, replicates, noise: c.noise, weight };
}

export interface EnsemblePrediction {
  /** exp of the weighted mean of the members' ln L̂. */
  value: number;
  /** Prediction intervals for a new run (replicates plus a run's scatter), level → [lo, hi]. */
  intervals: Record<string, [number, number]>;
  /** Intervals of the law alone (replicates, no run scatter). */
  lawIntervals: Record<string, [number, number]>;
  /** Each member's own prediction. */
  members: { id: string; weight: number; value: number }[];
}

export interface EnsembleOptions {
  /** Largest compute in the fit's data, for the extrapolation term. */
  maxC?: number;
  /** τ of the extrapolation term. @default EXTRAPOLATION_SCALE */
  extrapolationScale?: number;
}

/**
 * Predict with an ensemble: weighted mean of ln L̂; prediction intervals from the weighted mixture
 * of (bootstrap replicate + a run's scatter), widened by the extrapolation term; law intervals from
 * the replicates alone.
 */
export function predictEnsemble(
  members: PredictiveMember[],
  point: Point,
  levels: number[] = [0.8, 0.95],
  options: EnsembleOptions = {},
): EnsemblePrediction {
  const active = members.filter((m) => m.weight > 0);
  let total = 0,
    center = 0;
  const each = active.map((m) => {
    const v = Math.log(predictLoss(m.law, m.params, point));
    center += m.weight * v;
    total += m.weight;
    return { id: m.id, weight: m.weight, value: Math.exp(v) };
  });
  const intervals: Record<string, [number, number]> = {};
  const lawIntervals: Record<string, [number, number]> = {};
  if (active.some((m) => m.replicates.length >= 2)) {
    const reps = active.map((m) => {
      const r = m.replicates.map((q) => Math.log(predictLoss(m.law, q, point))).filter(Number.isFinite);
      return r.length ? r : [Math.log(predictLoss(m.law, m.params, point))];
    });
    const withNoise = active.map((m, k) => ({ weight: m.weight, replicates: reps[k], noise: m.noise }));
    const without = active.map((m, k) => ({ weight: m.weight, replicates: reps[k], noise: [0] }));
    const sd = extrapolationSd(point, options.maxC, options.extrapolationScale);
    const probs = levels.flatMap((level) => [(1 - level) / 2, (1 + level) / 2]);
    const q = mixtureQuantiles(withNoise, probs, sd);
    const qLaw = mixtureQuantiles(without, probs);
    levels.forEach((level, i) => {
      intervals[String(level)] = [Math.exp(q[2 * i]), Math.exp(q[2 * i + 1])];
      lawIntervals[String(level)] = [Math.exp(qLaw[2 * i]), Math.exp(qLaw[2 * i + 1])];
    });
  }
  return { value: Math.exp(center / total), intervals, lawIntervals, members: each };
}
