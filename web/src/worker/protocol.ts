/**
 * Messages between the app and its workers. Everything here is plain data (structured-clone
 * safe): the worker sends the fit as FitJson, the figures as Vega-Lite specs.
 *
 * Two workers run the same script: one fits (fast, on every change of data or settings), the other
 * runs the rolling back-test (a dozen or more refits, on demand), so a long back-test never holds up
 * a fit.
 */
import type { Dataset } from '../../../src/io/dataset.js';
import type { FitJson } from '../../../src/fit/summary.js';
import type { Spec } from '../../../src/plots/specs.js';
import type { FigureKind } from '../../../src/report/analysis.js';
import type { ApproachSummary } from '../../../src/analyses/frontier.js';
import type { RollingBacktestResult } from '../../../src/analyses/rollingBacktest.js';
import type { ErrorInfo } from '../lib/errors.js';
import { defaultLawId, lawIds, variableOption, type LawChoice, type LawVariable } from '../../../src/laws/index.js';
import { breaksOption } from '../../../src/laws/bnsl.js';

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

/** The names of the app's two workers (they run the same script). */
export const fitWorkerName = 'scalelab-fit';
export const backtestWorkerName = 'scalelab-backtest';

export type WorkerRequest =
  | { kind: 'fit'; id: number; dataset: Dataset; settings: FitSettings }
  | { kind: 'backtest'; id: number; dataset: Dataset; settings: BacktestSettings };

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
  figure: Spec;
  /** Procedures that missed by more than ~4 % on average. */
  warnings: string[];
  timings: { backtestMs: number };
}

/** Work done so far on a request: `done` of `total` steps (a back-test: one procedure fitted at one cutoff). */
export interface WorkerProgress {
  kind: 'progress';
  id: number;
  done: number;
  total: number;
}

export type WorkerAnswer<T> = ({ ok: true; id: number } & T) | { ok: false; id: number; error: ErrorInfo };
export type FitResponse = WorkerAnswer<FitOutcome>;
export type BacktestResponse = WorkerAnswer<BacktestOutcome>;
export type WorkerMessage = FitResponse | BacktestResponse | WorkerProgress;
