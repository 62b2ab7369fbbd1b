/**
 * Nonparametric bootstrap of a fit: resample runs with replacement, refit warm-started from the
 * point estimate, and take percentile intervals of every parameter and derived quantity.
 *
 * The unit of resampling is a training run: the checkpoints of one run (rows sharing a `run` name)
 * are drawn together. Resampling rows instead treats hundreds of checkpoints of a few curves as
 * independent runs, and the interval shrinks to a fraction of the real run-to-run scatter (issue 15:
 * 12 of 20 held-out targets covered). `unit: 'row'` keeps the old behaviour, for comparison.
 *
 * Above the run, a lineage: cooldown branches of one WSD trunk share most of their training, so the
 * branches of a trunk are one draw (`unit: 'lineage'`, the default when the data name a lineage).
 * Drawing them as independent runs shrinks the interval the same way rows do.
 *
 * A resample is represented as per-run counts (weights) rather than copied rows: the objective is
 * the same weighted sum, and nothing is allocated per replicate. Replicate r draws from the random
 * stream (seed, r), so results do not depend on how replicates are split across worker threads.
 * Each replicate is refitted with strict tolerances; the Hoffmann et al. failure (replicates that
 * never left their start because the objective was averaged) cannot happen with the summed loss,
 * and each replicate's convergence is recorded.
 */
import { lbfgs, LbfgsWorkspace, type StopReason } from '../core/lbfgs.js';
import { randomSource, resampleClusterWeights } from '../core/random.js';
import { finiteInterval } from '../core/statistics.js';
import { fromInternal, type Law } from '../laws/law.js';
import { contract, expand } from './parameterMap.js';
import { defaultResampleUnit, resampleClusters, type ResampleUnit } from '../io/dataset.js';
import type { FitProblem, FitResult } from './fit.js';

export interface BootstrapOptions {
  replicates: number;
  seed: number;
  /** Confidence level of the percentile intervals. @default 0.95 */
  level?: number;
  /**
   * What a resample draws: every run of a lineage together, whole training runs (checkpoints
   * together) or single rows. @default 'lineage' when the data name a lineage, else 'run'
   */
  unit?: ResampleUnit;
}

export type { ResampleUnit };

/** Replicate estimates: `values[r·p + j]` is parameter j (user-facing) in replicate r. */
export interface BootstrapSamples {
  /** Parameter names, law order. */
  names: string[];
  values: Float64Array;
  converged: Uint8Array;
  /**
   * Why each replicate that did not converge was dropped, as a FAILURE_REASONS index (0 for those
   * kept); absent in samples made before reasons were recorded.
   */
  failures?: Uint8Array;
  replicates: number;
  seed: number;
  /** What each replicate drew (absent: runs, as before units were recorded). */
  unit?: ResampleUnit;
}

/**
 * Why a replicate's refit was dropped, indexed by the code in `BootstrapSamples.failures` (0: kept).
 * Words, not optimiser jargon: the report prints them as they are.
 */
export const FAILURE_REASONS = [
  '',
  'hit the iteration limit',
  'line search failed',
  'objective not finite',
  'other',
] as const;

function failureCode(reason: StopReason, f: number): number {
  if (!Number.isFinite(f) || reason === 'non-finite') return 3;
  if (reason === 'max-iterations') return 1;
  if (reason === 'line-search-failed') return 2;
  return 4;
}

/** Replicates left out of the intervals and why: { dropped: 14, reasons: { "hit the iteration limit": 10, … } }. */
export function droppedReplicates(samples: BootstrapSamples): { dropped: number; reasons: Record<string, number> } {
  let dropped = 0;
  const reasons: Record<string, number> = {};
  for (let r = 0; r < samples.replicates; r++) {
    if (samples.converged[r]) continue;
    dropped++;
    const why = samples.failures ? FAILURE_REASONS[samples.failures[r]] || 'other' : 'did not converge';
    reasons[why] = (reasons[why] ?? 0) + 1;
  }
  return { dropped, reasons };
}

/**
 * Refit replicates [from, to) of a bootstrap. Pure and deterministic: a worker thread runs a slice.
 */
export function bootstrapSlice(
  problem: FitProblem,
  bestTheta: Float64Array,
  seed: number,
  from: number,
  to: number,
  onReplicate?: () => void,
  unit?: ResampleUnit,
): { values: Float64Array; converged: Uint8Array; failures: Uint8Array } {
  const { law, map, objective } = problem;
  const n = problem.dataset.runs.length;
  const p = law.params.length;
  const count = to - from;
  const values = new Float64Array(count * p);
  const converged = new Uint8Array(count);
  const failures = new Uint8Array(count);
  const u0 = contract(map, bestTheta);
  const theta = new Float64Array(p);
  const weights = new Float64Array(n);
  const clusters = resampleClusters(problem.dataset, unit);
  const counts = new Float64Array(clusters.count);
  const workspace = new LbfgsWorkspace(map.free.length, 10);
  for (let r = from; r < to; r++) {
    resampleClusterWeights(clusters.index, clusters.count, randomSource(seed, r), weights, counts);
    objective.setWeights(weights);
    const res = lbfgs(
      objective.valueAndGradient,
      u0,
      { functionTolerance: 1e-13, gradientTolerance: 1e-10, maxMove: 1 },
      workspace,
    );
    expand(map, res.x, theta);
    const k = (r - from) * p;
    for (let j = 0; j < p; j++) values[k + j] = fromInternal(law.params[j], theta[j]);
    converged[r - from] = res.converged && Number.isFinite(res.f) ? 1 : 0;
    if (!converged[r - from]) failures[r - from] = failureCode(res.reason, res.f);
    onReplicate?.();
  }
  objective.setWeights(null);
  return { values, converged, failures };
}

export interface BootstrapSummary {
  replicates: number;
  seed: number;
  /** What a replicate drew, and how many of them the data hold (10 lineages, 100 runs). */
  unit?: ResampleUnit;
  units?: number;
  level: number;
  /** Replicates whose refit converged; only these enter the intervals. */
  converged: number;
  /** Replicates left out (replicates − converged), and how many for each reason. */
  dropped?: number;
  droppedReasons?: Record<string, number>;
  intervals: Record<string, [number, number]>;
  derivedIntervals: Record<string, [number, number]>;
}

/** Parameter values of replicate r. */
export function replicateParams(samples: BootstrapSamples, r: number): Record<string, number> {
  const p = samples.names.length;
  const out: Record<string, number> = {};
  samples.names.forEach((name, j) => (out[name] = samples.values[r * p + j]));
  return out;
}

/** Percentile intervals of parameters and derived quantities over converged replicates. */
export function summariseBootstrap(law: Law, samples: BootstrapSamples, level = 0.95): BootstrapSummary {
  const ok: number[] = [];
  for (let r = 0; r < samples.replicates; r++) if (samples.converged[r]) ok.push(r);
  const intervals: Record<string, [number, number]> = {};
  const derivedIntervals: Record<string, [number, number]> = {};
  if (ok.length >= 2) {
    const p = samples.names.length;
    // A quantity that is non-finite in every replicate (a degenerate fit's derived exponent) gets no
    // interval rather than a crash; non-finite replicates are left out of the others.
    samples.names.forEach((name, j) => {
      const interval = finiteInterval(
        ok.map((r) => samples.values[r * p + j]),
        level,
      );
      if (interval) intervals[name] = interval;
    });
    if (law.derived) {
      const derived = ok.map((r) => law.derived!(replicateParams(samples, r)));
      for (const key of Object.keys(derived[0])) {
        const interval = finiteInterval(
          derived.map((d) => d[key].value),
          level,
        );
        if (interval) derivedIntervals[key] = interval;
      }
    }
  }
  const { dropped, reasons } = droppedReplicates(samples);
  return {
    replicates: samples.replicates,
    seed: samples.seed,
    level,
    converged: ok.length,
    dropped,
    droppedReasons: reasons,
    intervals,
    derivedIntervals,
  };
}

/** Single-thread bootstrap (the CLI uses worker threads through node/parallel.ts). */
export function bootstrap(
  problem: FitProblem,
  best: FitResult,
  options: BootstrapOptions,
  onReplicate?: () => void,
): BootstrapSamples {
  const { values, converged, failures } = bootstrapSlice(
    problem,
    best.theta,
    options.seed,
    0,
    options.replicates,
    onReplicate,
    options.unit,
  );
  return {
    names: problem.law.params.map((q) => q.name),
    values,
    converged,
    failures,
    replicates: options.replicates,
    seed: options.seed,
    unit: options.unit ?? defaultResampleUnit(problem.dataset),
  };
}
