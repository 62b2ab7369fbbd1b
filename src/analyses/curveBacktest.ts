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
  /** mean (ln ŷ − ln y)² on held-out points */
  mse: number;
  /** the same for the last-training-value baseline */
  baselineMse: number;
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

export function backtestCurves(points: CurvePoint[], law: Law, source: string): CurveBacktest {
  const byCurve = new Map<string, CurvePoint[]>();
  for (const p of points) {
    if (!byCurve.has(p.curve)) byCurve.set(p.curve, []);
    // The benchmark repeats some rows: keep one point per (curve, x, split).
    const list = byCurve.get(p.curve)!;
    if (!list.some((q) => q.x === p.x && q.train === p.train)) list.push(p);
  }
  const variable = law.inputs[0] as 'N' | 'D' | 'C';
  const curves: CurveScore[] = [];
  for (const [curve, ps] of byCurve) {
    const train = ps.filter((p) => p.train).sort((a, b) => a.x - b.x);
    const test = ps.filter((p) => !p.train);
    if (train.length <= law.params.length || test.length === 0 || ps.some((p) => !(p.y > 0))) {
      curves.push({ curve, train: train.length, test: test.length, mse: NaN, baselineMse: NaN, failed: train.length <= law.params.length ? `${train.length} training points for ${law.params.length} parameters` : test.length === 0 ? 'no held-out points' : 'non-positive values' });
      continue;
    }
    const dataset: Dataset = { source: `${source} [${curve}]`, runs: train.map((p) => ({ [variable]: p.x, loss: p.y, line: p.line })), columns: { [variable]: 'x', loss: 'y' }, derived: {} };
    try {
      const r = fit(law, dataset);
      const last = train[train.length - 1].y;
      const mse = test.reduce((a, p) => a + Math.log(predictLoss(law, r.params, { [variable]: p.x }) / p.y) ** 2, 0) / test.length;
      const baselineMse = test.reduce((a, p) => a + Math.log(last / p.y) ** 2, 0) / test.length;
      curves.push({ curve, train: train.length, test: test.length, mse, baselineMse, params: r.params });
    } catch (e) {
      curves.push({ curve, train: train.length, test: test.length, mse: NaN, baselineMse: NaN, failed: (e as Error).message });
    }
  }
  const scored = curves.filter((c) => Number.isFinite(c.mse));
  return {
    curves,
    scored: scored.length,
    medianMse: median(scored.map((c) => c.mse)),
    medianBaselineMse: median(scored.map((c) => c.baselineMse)),
    wins: scored.filter((c) => c.mse < c.baselineMse).length,
  };
}
