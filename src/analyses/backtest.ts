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
}

export interface BacktestResult {
  /** Runs with C above this were held out. */
  threshold: number;
  train: number;
  test: number;
  params: Record<string, number>;
  points: BacktestPoint[];
  /** Mean over held-out runs of |L̂ − L|/L (Choshen et al.'s ARE). */
  meanAbsRelativeError: number;
  maxAbsRelativeError: number;
  /** Mean signed relative error: > 0 means the law over-predicts the big runs' loss. */
  bias: number;
}

/**
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
  const train = sorted.slice(0, sorted.length - nTest);
  const test = sorted.slice(sorted.length - nTest);
  if (train.length <= law.params.length) {
    throw new InputError(
      { file: dataset.source },
      (o) =>
        `a back-test holding out ${nTest} of ${sorted.length} runs leaves ${train.length} to fit ${law.params.length} parameters; lower ${o('holdout')} or add runs`,
    );
  }
  const result = fit(law, { ...dataset, runs: train.map((x) => x.r) }, options);
  const points = sorted.map(({ r, C }, i) => ({
    N: r.N,
    D: r.D,
    C,
    actual: r.loss,
    predicted: predictLoss(law, result.params, { N: r.N, D: r.D, C, U: r.U }),
    heldOut: i >= train.length,
  }));
  const errors = points.filter((p) => p.heldOut).map((p) => (p.predicted - p.actual) / p.actual);
  return {
    threshold: train[train.length - 1].C,
    train: train.length,
    test: test.length,
    params: result.params,
    points,
    meanAbsRelativeError: errors.reduce((a, e) => a + Math.abs(e), 0) / errors.length,
    maxAbsRelativeError: Math.max(...errors.map(Math.abs)),
    bias: errors.reduce((a, e) => a + e, 0) / errors.length,
  };
}
