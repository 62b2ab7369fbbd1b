/**
 * Back-test learning-curve extrapolation on a benchmark of curves with a train/test split
 * (Alabdulmohsin et al. 2022, "Revisiting Neural Scaling Laws"): fit each curve's training part,
 * predict its held-out tail, and score by the benchmark's own metric, the mean of
 * (ln ŷ − ln y)² over held-out points — next to the no-fit baseline that repeats the last
 * training value. Pure.
 *
 * What is fitted is a `CurveForm`: a registered law in one variable (`lawCurveForm`: power, bnsl),
 * fitted as `fit` fits it, or a learning-curve form that is not a law because its fit is its own
 * (M4, `m4.ts`: its floor is bounded by the curve's smallest loss, which no law's parameter can be).
 */
import { fit } from '../fit/fit.js';
import { predictLoss, type Law } from '../laws/law.js';
import type { Dataset } from '../io/dataset.js';
import { InputError } from '../errors/index.js';
import { magnitudeProblem, withinMagnitude } from '../core/magnitude.js';
import { plain } from '../core/format.js';

export interface CurvePoint {
  curve: string;
  x: number;
  y: number;
  train: boolean;
  line: number;
}

export interface CurveScore {
  curve: string;
  train: number;
  test: number;
  /** mean (ln ŷ − ln y)² on held-out points; absent when the curve could not be scored (`failed`) */
  mse?: number;
  /** the same for the last-training-value baseline */
  baselineMse?: number;
  params?: Record<string, number>;
  failed?: string;
}

export interface CurveBacktest {
  curves: CurveScore[];
  scored: number;
  medianMse: number;
  medianBaselineMse: number;
  /** Curves where the law beats the baseline. */
  wins: number;
}

/** One curve's fit: the fitted values by name, and the loss it predicts at x. */
export interface FittedCurve {
  params: Record<string, number>;
  predict(x: number): number;
}

/** A form the back-test fits to each curve's training points. */
export interface CurveForm {
  /** What the output calls it (`--law`'s keyword). */
  id: string;
  /** A registered law (power, bnsl), or a form fitted its own way that is not one (M4): what messages call it. */
  kind: 'law' | 'form';
  /** The form in one line, for reports. */
  formula: string;
  /** Where the form comes from (and, for a form fitted its own way, how). */
  citation: string;
  /** Values a fit sets: a curve needs more distinct training x than this. */
  parameterCount: number;
  /** Breaks of a broken power law, as the law was built. */
  breaks?: number;
  /**
   * Fits one curve's training points (sorted by x, each x once, every value positive); `source` names
   * the curve in errors. Throws when the fit fails: the curve is then reported as not scored, with why.
   */
  fitCurve(train: readonly CurvePoint[], source: string): FittedCurve;
}

/** A registered law in one variable as a curve form, fitted as `fit` fits it (multi-start L-BFGS, Huber on ln L). */
export function lawCurveForm(law: Law): CurveForm {
  const variable = law.inputs[0] as 'N' | 'D' | 'C';
  return {
    id: law.id,
    kind: 'law',
    formula: law.formula,
    citation: law.citation,
    parameterCount: law.params.length,
    ...(law.options?.breaks !== undefined ? { breaks: law.options.breaks } : {}),
    fitCurve(train, source) {
      const dataset: Dataset = {
        source,
        runs: train.map((p) => ({ [variable]: p.x, loss: p.y, line: p.line })),
        columns: { [variable]: 'x', loss: 'y' },
        derived: {},
      };
      const r = fit(law, dataset);
      return { params: r.params, predict: (x) => predictLoss(law, r.params, { [variable]: x }) };
    },
  };
}

const isLaw = (f: Law | CurveForm): f is Law => 'logPredict' in f;

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

/**
 * Each curve's training and held-out points, as every form is scored on them: one point per
 * (curve, x, split), since the benchmark repeats some rows; training points sorted by x.
 * @param columns names of the x and y columns, for located errors
 * @throws InputError for an x or y outside 1e-100…1e100
 */
export function splitCurves(
  points: CurvePoint[],
  source: string,
  columns: { x?: string; y?: string } = {},
): Map<string, { all: CurvePoint[]; train: CurvePoint[]; test: CurvePoint[] }> {
  const byCurve = new Map<string, CurvePoint[]>();
  for (const p of points) {
    for (const [key, name] of [
      ['x', columns.x],
      ['y', columns.y],
    ] as const) {
      if (!withinMagnitude(p[key]))
        throw new InputError(
          { file: source, line: p.line, ...(name ? { columnName: name } : {}) },
          `${key} = ${plain(p[key])} ${magnitudeProblem(p[key])}; expected values between 1e-100 and 1e100`,
        );
    }
    if (!byCurve.has(p.curve)) byCurve.set(p.curve, []);
    const list = byCurve.get(p.curve)!;
    if (!list.some((q) => q.x === p.x && q.train === p.train)) list.push(p);
  }
  return new Map(
    [...byCurve].map(([curve, all]) => [
      curve,
      { all, train: all.filter((p) => p.train).sort((a, b) => a.x - b.x), test: all.filter((p) => !p.train) },
    ]),
  );
}

/**
 * @param form a registered law in one variable (fitted as `fit` fits it) or a `CurveForm` (M4)
 * @param columns names of the x and y columns, for located errors
 * @throws InputError for an x or y outside 1e-100…1e100, or when no curve can be scored
 */
export function backtestCurves(
  points: CurvePoint[],
  form: Law | CurveForm,
  source: string,
  columns: { x?: string; y?: string } = {},
): CurveBacktest {
  const shape = isLaw(form) ? lawCurveForm(form) : form;
  const curves: CurveScore[] = [];
  for (const [curve, { all: ps, train, test }] of splitCurves(points, source, columns)) {
    // Repeated x count once: a curve needs more distinct x than the form has parameters.
    const distinct = new Set(train.map((p) => p.x)).size;
    if (distinct <= shape.parameterCount || test.length === 0 || ps.some((p) => !(p.y > 0))) {
      curves.push({
        curve,
        train: train.length,
        test: test.length,
        failed:
          distinct <= shape.parameterCount
            ? `${distinct} distinct training x for ${shape.parameterCount} parameters`
            : test.length === 0
              ? 'no held-out points'
              : 'non-positive values',
      });
      continue;
    }
    try {
      const r = shape.fitCurve(train, `${source} [${curve}]`);
      const last = train[train.length - 1].y;
      const mse = test.reduce((a, p) => a + Math.log(r.predict(p.x) / p.y) ** 2, 0) / test.length;
      const baselineMse = test.reduce((a, p) => a + Math.log(last / p.y) ** 2, 0) / test.length;
      // A prediction that is NaN, infinite or not positive makes the score non-finite: say so with the fit.
      if (!Number.isFinite(mse))
        throw new Error(
          `the fitted ${shape.kind} predicts no finite loss on the held-out points (${Object.entries(r.params)
            .map(([k, v]) => `${k} = ${v}`)
            .join(', ')})`,
        );
      curves.push({ curve, train: train.length, test: test.length, mse, baselineMse, params: r.params });
    } catch (e) {
      curves.push({ curve, train: train.length, test: test.length, failed: (e as Error).message });
    }
  }
  const scored = curves.filter(
    (c): c is CurveScore & { mse: number; baselineMse: number } => c.mse !== undefined && c.baselineMse !== undefined,
  );
  if (scored.length === 0) {
    throw new InputError(
      { file: source },
      `no curve could be scored: ${curves.map((c) => `${c.curve}: ${c.failed}`).join('; ')}`,
    );
  }
  return {
    curves,
    scored: scored.length,
    medianMse: median(scored.map((c) => c.mse)),
    medianBaselineMse: median(scored.map((c) => c.baselineMse)),
    wins: scored.filter((c) => c.mse < c.baselineMse).length,
  };
}
