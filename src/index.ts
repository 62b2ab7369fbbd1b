/**
 * ScaleLab's library API. Pure modules (no Node APIs) are exported here; Node-only helpers
 * (reading files, worker threads) are exported from their own paths.
 *
 *   import { fit, laws, parseRuns } from 'scalelab';
 */
import * as laws from './laws/index.js';

export { laws };
export { fit, prepareFit, refineStarts, finishFit, type FitOptions, type FitResult, type InitMethod } from './fit/fit.js';
export { bootstrap, summariseBootstrap, type BootstrapSamples, type BootstrapSummary } from './fit/bootstrap.js';
export { fitToJson, loadFit, type FitJson, type LoadedFit } from './fit/summary.js';
export { fitReport } from './fit/report.js';
export { parseRuns, parseColumnMapping, type ParseRunsOptions, type RunFormat } from './io/parseRuns.js';
export type { Dataset, Run } from './io/dataset.js';
export { getLaw, predictLoss, type Law, type LawChoice, type Point } from './laws/index.js';
export { lbfgs, type LbfgsOptions, type LbfgsResult } from './core/lbfgs.js';
export { huber, type LossKind, type LossOptions } from './core/losses.js';
export { randomSource } from './core/random.js';
export { linearRegression } from './core/linearRegression.js';
export { quantile, percentileInterval } from './core/statistics.js';
export * from './errors/index.js';
