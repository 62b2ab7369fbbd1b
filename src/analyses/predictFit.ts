/**
 * A prediction from a saved fit, as `scalelab predict --fit FILE` makes it: the ensemble's loss at a
 * point, a prediction interval for a new run there (bootstrap replicates, a run's scatter and the
 * extrapolation term, docs/methods.md §26), and the trust warnings that go with it. Pure: a library
 * caller passes the fit object `fitByProcedure` or `fitLaw` returned (or one read from a fit file).
 */
import { InputError } from '../errors/index.js';
import { paramsWithRole, type Law, type Point } from '../laws/index.js';
import { formatNumber } from '../core/format.js';
import { extrapolationWarnings } from './extrapolation.js';
import { EXTRAPOLATION_SCALE, extrapolationSd, predictEnsemble, type PredictiveMember } from '../fit/candidate.js';
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
  const basis: PredictionBasis = {
    law: f.law,
    params: f.params,
    members: f.members.length
      ? f.members
      : [{ id: f.law.id, law: f.law, params: f.params, replicates: f.replicates, noise: [], weight: 1 }],
    level: options.level ?? f.json.bootstrap?.level ?? 0.95,
    ranges: f.json.data.ranges,
    fitWarnings: (f.json.warnings ?? []).filter((w) => w.severity !== 'info'),
  };
  // The library's wording: the point's variables by name, never the CLI's flags.
  return predictAt(basis, point, (r) => {
    switch (r.code) {
      case 'unique-exceeds-total':
        return new InputError(
          { file: source },
          `U = ${formatNumber(r.U, 4)} unique tokens exceed the total tokens D = ${formatNumber(r.D, 4)}; expected U ≤ D`,
        );
      case 'compute-disagrees':
        return new InputError(
          { file: source },
          `C = ${formatNumber(r.C, 4)} disagrees with N and D: 6·N·D = ${formatNumber(r.sixND, 4)}; give D or C, not both`,
        );
      case 'unvaried':
        return new InputError(
          { file: source },
          `the fit's runs all had ${r.variable} = ${formatNumber(r.value, 4)}: its ${r.variable} dependence is not determined by them, so it cannot predict at ${r.variable} = ${formatNumber(r.at, 4)}`,
        );
      case 'no-positive-loss':
        return new InputError(
          { file: source },
          `law ${f.law.id} gives loss ${r.loss} at ${describePoint(r.point)}: expected a positive, finite loss`,
        );
    }
  });
}

/**
 * What a prediction is made from, whichever way the law came: a fit (file or object), a preset, or
 * parameters given by hand. `scalelab predict` builds it from its law source, `predictFromFit` from a
 * fit object; both then predict with `predictAt`, so the numbers cannot drift apart.
 */
export interface PredictionBasis {
  /** The reported law and its parameters (for `auto`, the chosen candidate's). */
  law: Law;
  params: Record<string, number>;
  /** The predictive ensemble: auto's weighted candidates, or the one law with its replicates. */
  members: PredictiveMember[];
  /** Level of the prediction interval, a fraction. */
  level: number;
  /** The data ranges the law was fitted on (a preset's runs'), for the extrapolation checks. */
  ranges?: Record<string, [number, number]>;
  /** Whose data the ranges are, for the extrapolation warnings. @default "the fit's data" */
  rangesOf?: string;
  /** Where the ranges come from, when not the fit's own data (a preset's paper). */
  rangesSource?: string;
  /** The fit's own warnings to repeat (severity warning or severe), worded as the caller wants. */
  fitWarnings: TrustWarning[];
}

/**
 * Why a point cannot be predicted at. Each caller words it: the CLI names its flags and locates the
 * field in a fit file; the library names the variables only.
 */
export type PredictionRefusal =
  /** U unique tokens above the total D (`derived`: D is C/(6N), not given). */
  | { code: 'unique-exceeds-total'; U: number; D: number; derived: boolean }
  /** N, D and C all given and 6·N·D ≠ C (beyond 0.1 %). */
  | { code: 'compute-disagrees'; C: number; sixND: number }
  /** The fitted runs all had `variable` = `value`, and the point has it at `at`. */
  | { code: 'unvaried'; variable: string; value: number; at: number }
  /** The ensemble's loss at the (resolved) point is not positive and finite. */
  | { code: 'no-positive-loss'; loss: number; point: Point };

/** `N = 7e10, D = 1.4e12, …`: a point as predictions print it. */
export function describePoint(point: Point): string {
  return Object.entries(point)
    .map(([k, v]) => `${k} = ${formatNumber(v as number, 4)}`)
    .join(', ');
}

/**
 * The law's exponents (and term scales) that are not positive, each with the variable its loss then
 * fails to fall with: the parameters' roles say which they are (A = 0 is no N term at all).
 */
export function nonFallingExponents(basis: {
  law: Law;
  params: Record<string, number>;
}): { name: string; value: number; variable: string }[] {
  const law = basis.law;
  return [...paramsWithRole(law, 'exponent'), ...paramsWithRole(law, 'scale')]
    .filter((p) => p.of !== undefined && law.inputs.includes(p.of))
    .map((p) => ({ name: p.name, value: basis.params[p.name], variable: p.of as string }))
    .filter((e) => e.value !== undefined && !(e.value > 0));
}

/**
 * The variables a fit's runs never varied (all at one value): the law's dependence on them is the
 * optimiser's choice, not the data's. U, a data budget, is often constant and is not counted.
 */
export function unvariedInputs(basis: {
  law: Law;
  ranges?: Record<string, [number, number]>;
}): { variable: string; value: number }[] {
  return Object.entries(basis.ranges ?? {})
    .filter(([v, [lo, hi]]) => v !== 'U' && basis.law.inputs.includes(v as 'N') && hi - lo <= 1e-9 * Math.abs(hi))
    .map(([variable, [lo]]) => ({ variable, value: lo }));
}

/**
 * The one prediction path: resolve the point (D = C/(6N), C = 6·N·D), refuse what cannot be
 * predicted (through `refuse`, which words the error), predict with the ensemble, keep the intervals
 * that are finite, and gather the warnings (the fit's, non-falling exponents, extrapolation).
 * @throws whatever `refuse` returns, for the first refusal met
 */
export function predictAt(
  basis: PredictionBasis,
  point: Point,
  refuse: (r: PredictionRefusal) => Error,
): FitPrediction {
  const resolved: Point = { ...point };
  if (resolved.D === undefined && resolved.C !== undefined && resolved.N !== undefined)
    resolved.D = resolved.C / (6 * resolved.N);
  if (resolved.C === undefined && resolved.N !== undefined && resolved.D !== undefined)
    resolved.C = 6 * resolved.N * resolved.D;
  // A unique-token count above the total is not a repetition: said so rather than silently capping U at D.
  if (resolved.U !== undefined && resolved.D !== undefined && resolved.U > resolved.D)
    throw refuse({ code: 'unique-exceeds-total', U: resolved.U, D: resolved.D, derived: point.D === undefined });
  // N, D and C all given must agree (C = 6·N·D): the loss is read at N and D, the extrapolation at C.
  if (point.N !== undefined && point.D !== undefined && point.C !== undefined) {
    const sixND = 6 * point.N * point.D;
    if (Math.abs(sixND / point.C - 1) > 1e-3) throw refuse({ code: 'compute-disagrees', C: point.C, sixND });
  }
  // A fit whose runs all had one N knows nothing of how loss moves with N: away from that N its
  // prediction is the optimiser's choice, however narrow its interval.
  for (const u of unvariedInputs(basis)) {
    const at = resolved[u.variable as keyof Point];
    if (at !== undefined && Math.abs(at / u.value - 1) > 1e-9) throw refuse({ code: 'unvaried', ...u, at });
  }
  const { level, members } = basis;
  const maxC = basis.ranges?.C?.[1];
  const ensemble = predictEnsemble(members, point, [level], { maxC });
  if (!(ensemble.value > 0) || !Number.isFinite(ensemble.value))
    throw refuse({ code: 'no-positive-loss', loss: ensemble.value, point: resolved });
  const finite = (iv: [number, number] | undefined) => (iv && iv.every(Number.isFinite) ? iv : undefined);
  const interval = finite(ensemble.intervals[String(level)]);
  const lawInterval = finite(ensemble.lawIntervals[String(level)]);
  return {
    loss: ensemble.value,
    ...(interval ? { interval, lawInterval } : {}),
    level,
    replicates: members.reduce((a, m) => a + m.replicates.length, 0),
    // The extrapolation term's numbers, given with the interval they widen (docs/methods.md §26).
    ...(interval ? { extrapolation: { tau: EXTRAPOLATION_SCALE, maxC, sd: extrapolationSd(point, maxC) } } : {}),
    members: ensemble.members,
    point: resolved,
    warnings: [
      ...basis.fitWarnings,
      ...nonFallingExponents(basis).map((e) =>
        warning(
          'nonpositive-exponent',
          'severe',
          `the law's ${e.name} = ${formatNumber(e.value, 4)} is not positive: its loss does not fall with ${e.variable}, so it is no scaling law to extrapolate with`,
        ),
      ),
      ...extrapolationWarnings(basis.ranges, point, basis.rangesOf, basis.rangesSource),
    ],
  };
}
