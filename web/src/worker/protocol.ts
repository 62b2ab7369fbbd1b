/**
 * Messages between the app and its workers. Everything here is plain data (structured-clone
 * safe): the worker sends the fit as FitJson, the figures as Vega-Lite specs, the downstream
 * analysis with its laws as id and formula (DownstreamTask).
 *
 * Several workers run the same script: one fits (fast, on every change of data or settings), one runs
 * the rolling back-test (a dozen or more refits, on demand), one the downstream analysis (per task:
 * fits, back-test and bootstrap, on demand), one a comparison of groups and one a muP transfer check
 * (each a bootstrap, on demand), so no long job holds up a fit or the page.
 */
import type { Dataset } from '../../../src/io/dataset.js';
import type { FitJson } from '../../../src/fit/summary.js';
import type { Spec } from '../../../src/plots/specs.js';
import type { FigureKind } from '../../../src/report/analysis.js';
import type { ApproachSummary } from '../../../src/analyses/frontier.js';
import type { RollingBacktestResult } from '../../../src/analyses/rollingBacktest.js';
import type { ErrorInfo } from '../lib/errors.js';
import type { RunRole, TaskDefinition, TaskMetricSet } from '../../../src/io/parseTaskMetrics.js';
import type { TaskAnalysis } from '../../../src/analyses/downstreamLadder.js';
import type { DownstreamFit, Target, TaskLossFit } from '../../../src/analyses/downstream.js';
import { defaultLawId, lawIds, variableOption, type LawChoice, type LawVariable } from '../../../src/laws/index.js';
import { breaksOption } from '../../../src/laws/bnsl.js';
import type { GroupComparison } from '../../../src/analyses/groups.js';
import type { TransferCheck } from '../../../src/hparams/mup.js';
import type { HparamFit } from '../../../src/hparams/laws.js';
import type { criticalBatchFromRunsAnswer } from '../../../src/report/text/hparams.js';

/** Every registered law (src/laws/index.ts): the form shows the options each one reads. */
export const lawChoices: readonly string[] = lawIds;
export type LawId = string;
export const variables = variableOption.values;
export type PowerVariable = LawVariable;
export const lossChoices = ['huber', 'ls', 'asymmetric'] as const;
export type LossChoice = (typeof lossChoices)[number];
/** Which frontier approaches the frontier figure and table show. */
export const approachChoices = ['all', '1', '2', '3'] as const;
export type ApproachChoice = (typeof approachChoices)[number];
/** The law, loss and variable of the settings, fitted exactly as chosen (no procedure). */
export const customProcedure = 'custom';

export interface FitSettings {
  /**
   * How to fit: `auto` (the equal-weight ensemble of the published recipes, as `scalelab fit`), a
   * fixed recipe's id (src/fit/procedures.ts), or `custom`: the law, variable and loss below.
   */
  procedure: string;
  /** The law of a custom fit. */
  law: LawId;
  /** The variable of one-variable laws (power laws, bnsl). */
  x: PowerVariable;
  /** The breaks of bnsl. */
  breaks: number;
  /** The loss of a custom fit. */
  loss: LossChoice;
  approach: ApproachChoice;
  /** Bootstrap replicates (0: none); with auto, the heaviest candidate's, shared by weight as the CLI does. */
  bootstrap: number;
  /** Target compute (FLOPs) the figures and frontier predictions extend to. */
  target: number;
  /**
   * The groups of the data's group column fitted, pooled (`fit --group a,b`), or none chosen for every row
   * pooled, as `fit` without --group does (and warns of: a study's learning-rate probe beside its IsoFLOP
   * runs).
   */
  group: string[];
}

export const defaultSettings: FitSettings = {
  procedure: 'auto',
  law: defaultLawId,
  x: variableOption.default,
  breaks: breaksOption.default,
  loss: 'huber',
  approach: 'all',
  bootstrap: 0,
  target: 1e24,
  group: [],
};

/** The law of a custom fit, with the options the settings hold (a law ignores those it does not read). */
export function settingsLawChoice(settings: FitSettings): LawChoice {
  return { law: settings.law, x: settings.x, breaks: settings.breaks };
}

/** The rolling-origin back-test: which procedures to compare, and how. */
export interface BacktestSettings {
  /** `auto` and fixed recipe ids. */
  procedures: string[];
  /** Cutoffs in C. */
  folds: number;
  /** Bootstrap replicates per fit, for the prediction intervals whose coverage is counted (0: none). */
  replicates: number;
}

export const defaultBacktestSettings: BacktestSettings = { procedures: ['auto', 'huber'], folds: 3, replicates: 20 };

/** The downstream panel's question (as `scalelab downstream` asks it). */
export interface DownstreamSettings {
  /** Random-guess accuracy, for the screen's near-chance rule and the sigmoid's floor. */
  chance?: number;
  targets: Target[];
  /** Bootstrap replicates for the targets' intervals (0: none). */
  replicates: number;
  /** Also Gadre et al.'s chain (validation loss at N, D, then the loss → error exponential). */
  validationLossChain: boolean;
  /** A ladder manifest's word on the files: each run's role (target runs are predicted, never fitted) and the tasks it defines. */
  ladder?: { roles: [string, RunRole][]; tasks: TaskDefinition[] };
  /**
   * Choices per task, by task name, as the CLI's --accuracy-metric / --loss-metric TASK=NAME and --chance
   * TASK=ACC (a task not named reads its default): resolved by the same code (src/analyses/taskChoices.ts).
   */
  perTask?: {
    accuracyMetric: Record<string, string>;
    lossMetric: Record<string, string>;
    chance: Record<string, number>;
  };
}

/** The compare panel's question (as `scalelab compare` asks it; its defaults are the CLI's). */
export interface CompareSettings {
  /** The variable the curves are fitted along. */
  x: 'N' | 'D' | 'C';
  /** Bootstrap replicates (resampling runs within groups, or whole lineages). */
  bootstrap: number;
  seed: number;
  level: number;
}

/** `scalelab compare`'s defaults: --x C, --bootstrap 200, --seed 0, --level 0.95. */
export const defaultCompareSettings: CompareSettings = { x: 'C', bootstrap: 200, seed: 0, level: 0.95 };

/** The muP transfer panel's question (as `scalelab mup transfer` asks it; its defaults are the CLI's). */
export interface MupTransferSettings {
  /** Bootstrap replicates of the slope (below 2: none). */
  bootstrap: number;
  seed: number;
  /** A width to give the optimal learning rate at, with its interval. */
  targetWidth?: number;
}

/** `scalelab mup transfer`'s defaults: --bootstrap 200, --seed 0 (its level is 0.95, fixed). */
export const defaultMupTransferSettings: MupTransferSettings = { bootstrap: 200, seed: 0 };

/** The optimiser panel's question (as `scalelab hparams --sweep --C` asks it; its defaults are the CLI's). */
export interface HparamsSweepSettings {
  /** Bootstrap replicates of the laws and the prediction (below 2: none). */
  bootstrap: number;
  seed: number;
  /** Near-optimal: loss within this fraction of the best in its budget. */
  nearOptimal: number;
  /** The compute C to predict η and the batch at (the planner's budget). */
  at: number;
}

/** `scalelab hparams --sweep`'s defaults: --bootstrap 200, --seed 0, --near-optimal 0.0025 (level 0.95, fixed). */
export const defaultHparamsSweepSettings: Omit<HparamsSweepSettings, 'at'> = {
  bootstrap: 200,
  seed: 0,
  nearOptimal: 0.0025,
};

/** The critical-batch panel's question (as `scalelab bcrit FILE` asks it; its defaults are the CLI's). */
export interface CriticalBatchSettings {
  /** Residual-bootstrap replicates, for each target's B_crit interval and the law's (below 2: none). */
  bootstrap: number;
  seed: number;
}

/** `scalelab bcrit FILE`'s defaults: --bootstrap 1000, --seed 0, its five target losses (level 0.95, fixed). */
export const defaultCriticalBatchSettings: CriticalBatchSettings = { bootstrap: 1000, seed: 0 };

/** The names of the app's workers (they run the same script). */
export const fitWorkerName = 'scalelab-fit';
export const backtestWorkerName = 'scalelab-backtest';
export const downstreamWorkerName = 'scalelab-downstream';
export const compareWorkerName = 'scalelab-compare';
export const mupWorkerName = 'scalelab-mup';
export const hparamsWorkerName = 'scalelab-hparams';
export const bcritWorkerName = 'scalelab-bcrit';

export type WorkerRequest =
  | { kind: 'fit'; id: number; dataset: Dataset; settings: FitSettings }
  | { kind: 'backtest'; id: number; dataset: Dataset; settings: BacktestSettings }
  | { kind: 'downstream'; id: number; sets: TaskMetricSet[]; settings: DownstreamSettings }
  | { kind: 'compare'; id: number; dataset: Dataset; settings: CompareSettings }
  | { kind: 'mup-transfer'; id: number; dataset: Dataset; settings: MupTransferSettings }
  | { kind: 'hparams-sweep'; id: number; dataset: Dataset; settings: HparamsSweepSettings }
  | { kind: 'bcrit'; id: number; dataset: Dataset; settings: CriticalBatchSettings };

/** What the page shows of an approach (src/analyses/frontier.ts). */
export type { ApproachSummary };

export interface Timings {
  /** The fit itself (start grid and L-BFGS; with auto, every candidate's), as `fit()` in Node. */
  fitMs: number;
  bootstrapMs: number;
  /** Frontier approaches, plan and figure specs (the back-test is not run with the fit). */
  analysisMs: number;
  totalMs: number;
}

export interface FitOutcome {
  fit: FitJson;
  figures: Partial<Record<FigureKind, Spec>>;
  approaches: ApproachSummary[];
  skipped: { approach: number; reason: string }[];
  /** Every approach the data (or the law) cannot support, and why, whichever approach is shown: the form offers only the others. */
  unsupported: { approach: number; reason: string }[];
  agreements: string[];
  /** Warnings of the approaches, the plan and their agreement; the fit's own are `fit.warnings`. */
  warnings: string[];
  timings: Timings;
}

export interface BacktestOutcome {
  backtest: RollingBacktestResult;
  /** The back-test figure; none when no run could be predicted. */
  figure?: Spec;
  /** Procedures that missed by more than ~4 % on average. */
  warnings: string[];
  timings: { backtestMs: number };
}

/** A task-loss law as data: the law's id and formula in place of the law (whose functions a worker cannot send). */
export type PlainTaskLossFit = Omit<TaskLossFit, 'law'> & { law: { id: string; formula: string } };

/** One task's downstream analysis as the worker sends it: TaskAnalysis with its laws as data. */
export type DownstreamTask = Omit<TaskAnalysis, 'fit' | 'valLossLaw'> & {
  fit?: Omit<DownstreamFit, 'step1' | 'step1C'> & { step1: PlainTaskLossFit; step1C: PlainTaskLossFit };
  valLossLaw?: PlainTaskLossFit;
};

export interface DownstreamOutcome {
  tasks: DownstreamTask[];
  /**
   * With a target model given, every task is asked for its accuracy there: those without a prediction
   * and why (the CLI's notPredicted), for the panel to say plainly rather than leave a blank cell.
   */
  notPredicted: { task: string; reason: string }[];
  /** Each two-step task's sigmoid figure (src/report/downstreamHtml.ts sigmoidPlot), by task. */
  figures: Record<string, Spec>;
  timings: { analysisMs: number };
}

export interface CompareOutcome {
  comparison: GroupComparison;
  /** The whole comparison as `scalelab compare` prints it (src/report/text/data.ts compareGroupsReport). */
  report: string;
  /** The runs and each group's fitted curve, with the crossovers (src/plots/specs.ts compareGroupsPlot). */
  figure: Spec;
  timings: { analysisMs: number };
}

export interface MupTransferOutcome {
  transfer: TransferCheck;
  /** The check as `scalelab mup transfer` prints it (src/report/text/hparams.ts learningRateTransferReport). */
  report: string;
  timings: { analysisMs: number };
}

export interface HparamsSweepOutcome {
  fitted: HparamFit;
  /** Where the prediction comes from, as `hparams --sweep` says it (src/report/text/hparams.ts hparamSweepSource). */
  source: string;
  /** The fit as `scalelab hparams --sweep` prints it (src/report/text/hparams.ts hparamSweepReport). */
  report: string;
  timings: { analysisMs: number };
}

export interface CriticalBatchOutcome {
  /** What `scalelab bcrit FILE --json` prints (src/report/text/hparams.ts criticalBatchFromRunsAnswer). */
  result: ReturnType<typeof criticalBatchFromRunsAnswer>['json'];
  /** The per-target table and the B_crit(L) line, as the text prints them. */
  table: { header: string[]; rows: string[][] };
  law?: string;
  /** The whole answer as `scalelab bcrit FILE` prints it. */
  report: string;
  timings: { analysisMs: number };
}

/**
 * Work done so far on a request: `done` of `total` steps (a back-test: one procedure fitted at one
 * cutoff; a downstream analysis: one task screened, fitted and predicted; a comparison or a transfer
 * check: one bootstrap replicate).
 */
export interface WorkerProgress {
  kind: 'progress';
  id: number;
  done: number;
  total: number;
}

export type WorkerAnswer<T> = ({ ok: true; id: number } & T) | { ok: false; id: number; error: ErrorInfo };
export type FitResponse = WorkerAnswer<FitOutcome>;
export type BacktestResponse = WorkerAnswer<BacktestOutcome>;
export type DownstreamResponse = WorkerAnswer<DownstreamOutcome>;
export type CompareResponse = WorkerAnswer<CompareOutcome>;
export type MupTransferResponse = WorkerAnswer<MupTransferOutcome>;
export type HparamsSweepResponse = WorkerAnswer<HparamsSweepOutcome>;
export type CriticalBatchResponse = WorkerAnswer<CriticalBatchOutcome>;
export type WorkerMessage =
  | FitResponse
  | BacktestResponse
  | DownstreamResponse
  | CompareResponse
  | MupTransferResponse
  | HparamsSweepResponse
  | CriticalBatchResponse
  | WorkerProgress;
