/**
 * ScaleLab's library API. Pure modules (no Node APIs) are exported here; Node-only helpers
 * (reading files, worker threads) are exported from their own paths.
 *
 *   import { fit, laws, parseRuns } from 'scalelab';
 */
import * as laws from './laws/index.js';

export { laws };
export {
  fit,
  prepareFit,
  refineStarts,
  finishFit,
  type FitOptions,
  type FitResult,
  type InitMethod,
} from './fit/fit.js';
export { bootstrap, summariseBootstrap, type BootstrapSamples, type BootstrapSummary } from './fit/bootstrap.js';
export { fitToJson, loadFit, type FitJson, type LoadedFit } from './fit/summary.js';
// A fit as the CLI runs it: by a procedure (auto) or a law as asked, with its bootstrap; the starts and
// replicates run where the runners say (scalelab/node's parallelRunners: worker threads).
export {
  fitByProcedure,
  fitLaw,
  type FitRunners,
  type RunFitOptions,
  type ProgressFactory,
  type Ticker,
} from './fit/run.js';
export { fitReport } from './fit/report.js';
// A prediction from a fit with its interval for a new run, as `scalelab predict --fit` prints it.
export { predictFromFit, type PredictFromFitOptions, type FitPrediction } from './analyses/predictFit.js';
export type { TrustWarning, WarningCode, Severity, Trust } from './fit/warnings.js';
// Long computations in steps (the *Steps generators): run them with turns for the event loop and an AbortSignal.
export { runSteps, finish, type Steps, type RunStepsOptions } from './core/steps.js';
export { parseRuns, parseColumnMapping, type ParseRunsOptions, type RunFormat } from './io/parseRuns.js';
export type { Dataset, Run } from './io/dataset.js';
export {
  getLaw,
  lawIds,
  registerLaw,
  choiceOf,
  predictLoss,
  type Law,
  type LawChoice,
  type LawDefinition,
  type Point,
} from './laws/index.js';
export { lbfgs, type LbfgsOptions, type LbfgsResult } from './core/lbfgs.js';
export { huber, type LossKind, type LossOptions } from './core/losses.js';
export { randomSource } from './core/random.js';
export { linearRegression } from './core/linearRegression.js';
export { quantile, percentileInterval } from './core/statistics.js';
export * from './errors/index.js';

// Planning: the compute-optimal frontier and the big run.
export {
  chinchillaOptimal,
  computeOptimal,
  computeOptimalForSize,
  tokensPerParameterRule,
  kaplanAllocation,
  type Allocation,
} from './analyses/computeOptimal.js';
export { inferenceAwareOptimal, qualityOf, type InferenceAwareResult } from './analyses/inferenceAware.js';
export { isoflopAnalysis, type IsoflopOptions, type IsoflopResult } from './analyses/isoflop.js';
export { envelopeAnalysis, trainingCurves } from './analyses/envelope.js';
export { approach1, approach2, approach3, agreement, type ApproachResult } from './analyses/frontier.js';
export { makePlan, makePlanSteps, type Plan, type PlanInput, type PlannedModel } from './analyses/plan.js';
export { backtest, type BacktestResult } from './analyses/backtest.js';
// Rolling-origin back-test, as `scalelab backtest` runs it.
export {
  rollingBacktest,
  rollingBacktestSteps,
  type RollingBacktestOptions,
  type RollingBacktestResult,
  type HeldOutPrediction,
  type ProcedureSummary,
} from './analyses/rollingBacktest.js';
export {
  parameterCount,
  kaplanNonEmbedding,
  nonEmbeddingParameters,
  type ModelShape,
  type ParameterCount,
} from './model/shape.js';
export { kaplanFlopsPerToken, chinchillaFlopsPerToken, deepseekM, sixN, PF_DAY } from './model/flops.js';
export { shapeSearch, type ShapeCandidate } from './model/shapeSearch.js';
export {
  accelerators,
  accelerator,
  hardwareBudget,
  type Accelerator,
  type HardwareBudget,
} from './hardware/catalog.js';
export { lawPresets, lawPreset } from './presets/laws.js';
// Hyperparameters.
export {
  criticalBatch,
  criticalBatchPresets,
  criticalBatchPreset,
  criticalBatchAtLoss,
  tradeoffAt,
  batchTradeoff,
  fitTradeoff,
  tradeoffInterval,
  criticalBatchFromRuns,
  gradientNoiseScale,
} from './hparams/criticalBatch.js';
export { hparamPresets, hparamPreset, predictHparams, fitHparamLaws } from './hparams/laws.js';
export { mupTable, learningRateTransfer, coordinateCheck } from './hparams/mup.js';
// Data laws and comparisons.
export { repetitionOptimum, epochValues, effectiveEpochs } from './analyses/repetition.js';
export {
  selectionError,
  selectionTable,
  selectionCrossover,
  goyal2024,
  type Pool,
  type SelectionParams,
} from './analyses/dataSelection.js';
export { parsePools, type PoolFile } from './io/parsePools.js';
export { learningCurveRegions, localSlopes } from './analyses/learningCurve.js';
export { compareGroups, aspectSpread } from './analyses/groups.js';
export { backtestCurves, lawCurveForm, type CurveForm } from './analyses/curveBacktest.js';
export { m4CurveForm, fitM4, predictM4, type M4Params } from './analyses/m4.js';
// Downstream accuracy from a ladder of small runs (`scalelab downstream fit|predict`); read the files
// with scalelab/node's readTaskMetrics.
export {
  analyseLadder,
  analyseLadderSteps,
  type LadderAnalysisOptions,
  type TaskAnalysis,
  type TargetResult,
} from './analyses/downstreamLadder.js';
export type { Target, PredictionInterval, TaskLossFit, Sigmoid } from './analyses/downstream.js';
export type { TaskMetricData } from './io/parseTaskMetrics.js';
// Whole loss curves under a learning-rate schedule (`scalelab curve-law fit|predict`).
export {
  fitCurveLaw,
  predictCurve,
  predictWithIntervals,
  bootstrapCurveLaw,
  curveBootstrapSteps,
  curveLawIds,
  DEFAULT_CURVE_LAW,
  type CurveLawId,
  type CurveFit,
  type CurveFitOptions,
  type CurveBootstrap,
  type CurvePrediction,
  type CurveExtrapolation,
} from './analyses/curveLaws.js';
// A curve-law fit saved by `scalelab curve-law fit --out`, read back (as `curve-law predict --curve-fit` reads it).
export { loadCurveFit, type CurveFitFile, type CurveFitEntry, type LoadedCurveFit } from './analyses/curveFitFile.js';
export { curveFromMetrics, curvesFromDataset, type TrainingCurve, type ReadCurve } from './io/parseCurves.js';
export { parseSchedule, lrSequence, lrAt, type Schedule, type ScheduleKind } from './core/schedule.js';
// Published models, figures, the simulated lab.
export { parseCatalog, describe as describeModel, findModel, placeOnFrontier } from './catalog/models.js';
export {
  lossPlot,
  isoflopPlot,
  frontierPlot,
  residualsPlot,
  backtestPlot,
  landmarksPlot,
  type Spec,
} from './plots/specs.js';
export { simulate, truth as labTruth, optimum as labOptimum } from './lab/simulate.js';
export { parseWorld, type World, type TrainingConfig } from './lab/world.js';
