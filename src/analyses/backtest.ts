/**
 * Back-test a law: fit it on the smaller runs and predict the larger ones it has not seen — the
 * honest check of an extrapolation (Choshen et al. 2024 score it by absolute relative error). Pure.
 */
import { InputError } from '../errors/index.js';
import { fit, type FitOptions } from '../fit/fit.js';
import { predictLoss, type Law } from '../laws/law.js';
import type { Dataset } from '../io/dataset.js';

export interface BacktestPoint {
  N?: number;
  D?: number;
  C: number;
  actual: number;
  predicted: number;
  heldOut: boolean;
  /** Below the threshold but left out of the fit: its lineage has a held-out run (they share training). */
  withheld?: true;
}

export interface BacktestResult {
  /** Runs with C above this were held out. */
  threshold: number;
  train: number;
  test: number;
  /**
   * Runs below the threshold left out of the fit, as their lineage (cooldown branches of one trunk)
   * has a run above it: a fit that saw them would have seen the held-out runs' shared training.
   */
  withheld: number;
  params: Record<string, number>;
  points: BacktestPoint[];
  /** Mean over held-out runs of |L̂ − L|/L (Choshen et al.'s ARE). */
  meanAbsRelativeError: number;
  maxAbsRelativeError: number;
  /** Mean signed relative error: > 0 means the law over-predicts the big runs' loss. */
  bias: number;
}

/**
 * Runs of one lineage (the data's lineage column) are not split: a lineage with a held-out run is
 * left out of the fit whole (`withheld`), and its runs below the threshold are not scored either.
 * @param holdout fraction of the runs, by compute, held out at the top. @default 0.2
 * @throws InputError when too few runs remain on either side
 */
export function backtest(law: Law, dataset: Dataset, holdout = 0.2, options: FitOptions = {}): BacktestResult {
  const withC = dataset.runs.map((r) => ({
    r,
    C: r.C ?? (r.N !== undefined && r.D !== undefined ? 6 * r.N * r.D : NaN),
  }));
  if (withC.some((x) => Number.isNaN(x.C)))
    throw new InputError(
      { file: dataset.source, line: 1 },
      'a back-test orders runs by compute: every run needs C, or N and D',
    );
  const sorted = [...withC].sort((a, b) => a.C - b.C);
  const nTest = Math.max(1, Math.round(sorted.length * holdout));
  const below = sorted.slice(0, sorted.length - nTest);
  const test = sorted.slice(sorted.length - nTest);
  // A lineage with a held-out run is left out of the fit whole: its runs share their training.
  const heldLineages = new Set(test.flatMap((x) => (x.r.lineage !== undefined ? [x.r.lineage] : [])));
  const isWithheld = (x: (typeof sorted)[number]) => x.r.lineage !== undefined && heldLineages.has(x.r.lineage);
  const train = below.filter((x) => !isWithheld(x));
  const withheld = below.length - train.length;
  if (train.length <= law.params.length) {
    throw new InputError(
      { file: dataset.source },
      (o) =>
        `a back-test holding out ${nTest} of ${sorted.length} runs leaves ${train.length} to fit ${law.params.length} parameters${withheld ? ` (${withheld} more are left out with their lineage, which has a held-out run)` : ''}; lower ${o('holdout')} or add runs`,
    );
  }
  const result = fit(law, { ...dataset, runs: train.map((x) => x.r) }, options);
  const points = sorted.map((x, i) => ({
    N: x.r.N,
    D: x.r.D,
    C: x.C,
    actual: x.r.loss,
    predicted: predictLoss(law, result.params, { N: x.r.N, D: x.r.D, C: x.C, U: x.r.U }),
    heldOut: i >= below.length,
    ...(i < below.length && isWithheld(x) ? { withheld: true as const } : {}),
  }));
  const errors = points.filter((p) => p.heldOut).map((p) => (p.predicted - p.actual) / p.actual);
  return {
    threshold: below[below.length - 1].C,
    train: train.length,
    test: test.length,
    withheld,
    params: result.params,
    points,
    meanAbsRelativeError: errors.reduce((a, e) => a + Math.abs(e), 0) / errors.length,
    maxAbsRelativeError: Math.max(...errors.map(Math.abs)),
    bias: errors.reduce((a, e) => a + e, 0) / errors.length,
  };
}
