/**
 * Messages between the app and the fit worker. Everything here is plain data (structured-clone
 * safe): the worker sends the fit as FitJson, the figures as Vega-Lite specs.
 */
import type { Dataset } from '../../../src/io/dataset.js';
import type { FitJson } from '../../../src/fit/summary.js';
import type { Spec } from '../../../src/plots/specs.js';
import type { FigureKind } from '../../../src/report/analysis.js';
import type { ApproachResult } from '../../../src/analyses/frontier.js';
import type { ErrorInfo } from '../lib/errors.js';

export const lawChoices = ['chinchilla', 'kaplan-nd', 'power', 'power0'] as const;
export type LawId = (typeof lawChoices)[number];
export const variables = ['N', 'D', 'C'] as const;
export type PowerVariable = (typeof variables)[number];
export const lossChoices = ['huber', 'ls', 'asymmetric'] as const;
export type LossChoice = (typeof lossChoices)[number];
/** Which frontier approaches the frontier figure and table show. */
export const approachChoices = ['all', '1', '2', '3'] as const;
export type ApproachChoice = (typeof approachChoices)[number];

export interface FitSettings {
  law: LawId;
  /** The variable of the power laws. */
  x: PowerVariable;
  loss: LossChoice;
  approach: ApproachChoice;
  /** Bootstrap replicates (0: none). */
  bootstrap: number;
  /** Target compute (FLOPs) the figures and frontier predictions extend to. */
  target: number;
}

export const defaultSettings: FitSettings = { law: 'chinchilla', x: 'N', loss: 'huber', approach: 'all', bootstrap: 0, target: 1e24 };

export interface FitRequest {
  id: number;
  dataset: Dataset;
  settings: FitSettings;
}

/** What the page shows of an approach: the core's result without its loss law and replicate count. */
export type ApproachSummary = Omit<ApproachResult, 'lossLaw' | 'replicates'>;

export interface Timings {
  /** The fit itself (start grid and L-BFGS), as `fit()` in Node. */
  fitMs: number;
  bootstrapMs: number;
  /** Frontier approaches, back-test and figure specs. */
  analysisMs: number;
  totalMs: number;
}

export interface FitOutcome {
  fit: FitJson;
  figures: Partial<Record<FigureKind, Spec>>;
  approaches: ApproachSummary[];
  skipped: { approach: number; reason: string }[];
  agreements: string[];
  warnings: string[];
  timings: Timings;
}

export type FitResponse = ({ ok: true } & FitOutcome & { id: number }) | { ok: false; id: number; error: ErrorInfo };
