/**
 * Back-test learning-curve extrapolation on a benchmark of curves with a train/test split
 * (Alabdulmohsin et al. 2022, "Revisiting Neural Scaling Laws"): fit each curve's training part,
 * predict its held-out tail, and score by the benchmark's own metric, the mean of
 * (ln ŷ − ln y)² over held-out points — next to the no-fit baseline that repeats the last
 * training value. Pure.
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
 * @param columns names of the x and y columns, for located errors
 * @throws InputError for an x or y outside 1e-100…1e100, or when no curve can be scored
 */
export function backtestCurves(
  points: CurvePoint[],
  law: Law,
  source: string,
  columns: { x?: string; y?: string } = {},
): CurveBacktest {
  const variable = law.inputs[0] as 'N' | 'D' | 'C';
  const curves: CurveScore[] = [];
  for (const [curve, { all: ps, train, test }] of splitCurves(points, source, columns)) {
    // Repeated x count once: a curve needs more distinct x than the law has parameters.
    const distinct = new Set(train.map((p) => p.x)).size;
    if (distinct <= law.params.length || test.length === 0 || ps.some((p) => !(p.y > 0))) {
      curves.push({
        curve,
        train: train.length,
        test: test.length,
        failed:
          distinct <= law.params.length
            ? `${distinct} distinct training x for ${law.params.length} parameters`
            : test.length === 0
              ? 'no held-out points'
              : 'non-positive values',
      });
      continue;
    }
    const dataset: Dataset = {
      source: `${source} [${curve}]`,
      runs: train.map((p) => ({ [variable]: p.x, loss: p.y, line: p.line })),
      columns: { [variable]: 'x', loss: 'y' },
      derived: {},
    };
    try {
      const r = fit(law, dataset);
      const last = train[train.length - 1].y;
      const mse =
        test.reduce((a, p) => a + Math.log(predictLoss(law, r.params, { [variable]: p.x }) / p.y) ** 2, 0) /
        test.length;
      const baselineMse = test.reduce((a, p) => a + Math.log(last / p.y) ** 2, 0) / test.length;
      if (!Number.isFinite(mse))
        throw new Error(
          `the fitted law predicts no finite loss on the held-out points (${Object.entries(r.params)
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
