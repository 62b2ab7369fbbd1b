/**
 * A prediction from a saved fit, as `scalelab predict --fit FILE` makes it: the ensemble's loss at a
 * point, a prediction interval for a new run there (bootstrap replicates, a run's scatter and the
 * extrapolation term, docs/methods.md §26), and the trust warnings that go with it. Pure: a library
 * caller passes the fit object `fitByProcedure` or `fitLaw` returned (or one read from a fit file).
 */
import { InputError } from '../errors/index.js';
import { paramsWithRole, type Point } from '../laws/index.js';
import { formatNumber } from '../core/format.js';
import { extrapolationWarnings } from './extrapolation.js';
import { EXTRAPOLATION_SCALE, extrapolationSd, predictEnsemble } from '../fit/candidate.js';
import { loadFit, type FitJson } from '../fit/summary.js';
import { warning, type TrustWarning } from '../fit/warnings.js';

export interface PredictFromFitOptions {
  /**
   * Level of the prediction interval, a fraction (0.95 for 95 %). @default the fit's bootstrap level
   * (0.95 unless the fit was made with another)
   */
  level?: number;
  /** Names the fit in errors (a file name). @default the fit's data source */
  source?: string;
}

export interface FitPrediction {
  /** Predicted final loss (nats per token, as the fitted data) of a run at `point`. */
  loss: number;
  /**
   * `level` prediction interval [low, high] for a new run's loss: bootstrap replicates, a run's scatter
   * around the law and the extrapolation term. Absent when the fit has no bootstrap replicates.
   */
  interval?: [number, number];
  /** The same interval for the law alone (replicates only, no run scatter or extrapolation term). */
  lawInterval?: [number, number];
  /** Level of the intervals, a fraction. */
  level: number;
  /** Bootstrap replicates behind the intervals, over every member of the ensemble. */
  replicates: number;
  /**
   * The extrapolation term: σ = tau·log10(1 + C/maxC) on ln L, maxC the fit's largest compute (FLOPs).
   * Absent when the fit has no bootstrap replicates.
   */
  extrapolation?: { tau: number; maxC?: number; sd: number };
  /** Each candidate's own prediction and weight (an `auto` fit has several; other fits one). */
  members: { id: string; weight: number; value: number }[];
  /** The point predicted at, with D = C/(6N) or C = 6·N·D filled in where two of them were given. */
  point: Point;
  /**
   * The fit's own warnings of severity `warning` or `severe`, then the prediction's (`extrapolation`
   * beyond the fitted data's ranges, `nonpositive-exponent`), each with a stable `code`.
   */
  warnings: TrustWarning[];
}

/**
 * Predict a new run's loss at `point` (N parameters, D tokens, or C FLOPs with one of them) from a fit,
 * with the prediction interval `scalelab predict --fit` prints: the same numbers for the same fit.
 * @throws InputError when the fit is malformed, the point is not within what the fit can predict
 *   (U > D, C ≠ 6·N·D, a variable the fitted runs never varied), or the law gives no positive loss there
 */
export function predictFromFit(fit: FitJson, point: Point, options: PredictFromFitOptions = {}): FitPrediction {
  const source = options.source ?? fit.data?.source ?? 'the fit';
  const f = loadFit(JSON.stringify(fit), source);
  const resolved: Point = { ...point };
  if (resolved.D === undefined && resolved.C !== undefined && resolved.N !== undefined)
    resolved.D = resolved.C / (6 * resolved.N);
  if (resolved.C === undefined && resolved.N !== undefined && resolved.D !== undefined)
    resolved.C = 6 * resolved.N * resolved.D;
  if (point.N !== undefined && point.D !== undefined && point.C !== undefined) {
    const sixND = 6 * point.N * point.D;
    if (Math.abs(sixND / point.C - 1) > 1e-3)
      throw new InputError(
        { file: source },
        `C = ${formatNumber(point.C, 4)} disagrees with N and D: 6·N·D = ${formatNumber(sixND, 4)}; give D or C, not both`,
      );
  }
  if (resolved.U !== undefined && resolved.D !== undefined && resolved.U > resolved.D)
    throw new InputError(
      { file: source },
      `U = ${formatNumber(resolved.U, 4)} unique tokens exceed the total tokens D = ${formatNumber(resolved.D, 4)}; expected U ≤ D`,
    );
  // A fit whose runs all had one N knows nothing of how loss moves with N (as `predict` refuses it).
  // (U, a data budget, is often constant and is not counted.)
  for (const [v, [lo, hi]] of Object.entries(f.json.data.ranges ?? {})) {
    if (v === 'U' || !f.law.inputs.includes(v as 'N') || !(hi - lo <= 1e-9 * Math.abs(hi))) continue;
    const at = resolved[v as keyof Point];
    if (at !== undefined && Math.abs(at / lo - 1) > 1e-9)
      throw new InputError(
        { file: source },
        `the fit's runs all had ${v} = ${formatNumber(lo, 4)}: its ${v} dependence is not determined by them, so it cannot predict at ${v} = ${formatNumber(at, 4)}`,
      );
  }
  const level = options.level ?? f.json.bootstrap?.level ?? 0.95;
  const maxC = f.json.data.ranges?.C?.[1];
  const members = f.members.length
    ? f.members
    : [{ id: f.law.id, law: f.law, params: f.params, replicates: f.replicates, noise: [], weight: 1 }];
  const ensemble = predictEnsemble(members, point, [level], { maxC });
  if (!(ensemble.value > 0) || !Number.isFinite(ensemble.value))
    throw new InputError(
      { file: source },
      `law ${f.law.id} gives loss ${ensemble.value} at ${Object.entries(resolved)
        .map(([k, v]) => `${k} = ${formatNumber(v as number, 4)}`)
        .join(', ')}: expected a positive, finite loss`,
    );
  const finite = (iv: [number, number] | undefined) => (iv && iv.every(Number.isFinite) ? iv : undefined);
  const interval = finite(ensemble.intervals[String(level)]);
  const lawInterval = finite(ensemble.lawIntervals[String(level)]);
  // The law's exponents (and term scales) that are not positive: its loss does not fall with that variable.
  const nonFalling = [...paramsWithRole(f.law, 'exponent'), ...paramsWithRole(f.law, 'scale')]
    .filter((p) => p.of !== undefined && f.law.inputs.includes(p.of))
    .filter((p) => f.params[p.name] !== undefined && !(f.params[p.name] > 0))
    .map((p) =>
      warning(
        'nonpositive-exponent',
        'severe',
        `the law's ${p.name} = ${formatNumber(f.params[p.name], 4)} is not positive: its loss does not fall with ${p.of}, so it is no scaling law to extrapolate with`,
      ),
    );
  return {
    loss: ensemble.value,
    ...(interval ? { interval, lawInterval } : {}),
    level,
    replicates: members.reduce((a, m) => a + m.replicates.length, 0),
    ...(interval ? { extrapolation: { tau: EXTRAPOLATION_SCALE, maxC, sd: extrapolationSd(point, maxC) } } : {}),
    members: ensemble.members,
    point: resolved,
    warnings: [
      ...(f.json.warnings ?? []).filter((w) => w.severity !== 'info'),
      ...nonFalling,
      ...extrapolationWarnings(f.json.data.ranges, point),
    ],
  };
}
