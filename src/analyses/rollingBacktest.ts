/**
 * Rolling-origin back-test of fitting procedures: at each cutoff in N, D or C, fit each procedure on
 * the runs below and predict every run above, with intervals; report the error against the
 * extrapolation ratio, the sign of the bias and whether each held-out run fell inside its interval.
 * The question it answers is the one a scaling law is used for — "how wrong is a prediction this
 * far out?" — on runs whose outcome is known. Pure.
 */
import { InputError, libraryOption } from '../errors/index.js';
import { extent } from '../core/statistics.js';
import { defaultResampleUnit, lineagesNotDrawn, unfinishedRuns, type Dataset } from '../io/dataset.js';
import { checkMagnitudes } from '../io/dataChecks.js';
import { chooseProcedure, choiceMembers, type AutoRule } from '../fit/auto.js';
import {
  EXTRAPOLATION_SCALE,
  fitCandidate,
  isFailure,
  memberOf,
  predictEnsemble,
  type PredictiveMember,
} from '../fit/candidate.js';
import { getProcedure } from '../fit/procedures.js';
import type { ResampleUnit } from '../fit/bootstrap.js';
import { warning, type TrustWarning } from '../fit/warnings.js';
import { axisValue, rollingCutoffs, splitAt, trainingRuns, type Axis } from '../io/rollingOrigin.js';

export interface RollingBacktestOptions {
  /** Axis of the cutoffs. @default 'C' */
  by?: Axis;
  /** Explicit cutoffs (fit on runs with value ≤ cutoff); otherwise `folds` chosen evenly. */
  cutoffs?: number[];
  /** @default 4 */
  folds?: number;
  /** Fewest runs in a fit set. @default 6 */
  minFitRuns?: number;
  /** Procedure ids, `auto` included. @default ['auto', 'huber'] */
  procedures?: string[];
  /** Bootstrap replicates for intervals (0: none). @default 100 */
  replicates?: number;
  /** Seed of the bootstrap's resampling. @default 0 */
  seed?: number;
  /** What a bootstrap replicate draws: whole lineages, runs or rows. @default lineages when the data name them, else runs */
  unit?: ResampleUnit;
  /** Interval levels. @default [0.8, 0.95] */
  levels?: number[];
  /** `auto`'s rule (candidates, how they are weighed), over its default. */
  rule?: Partial<AutoRule>;
  /** Called after each procedure is fitted at a cutoff (for progress: procedures × cutoffs calls in all). */
  onStep?: () => void;
}

export interface HeldOutPrediction {
  cutoff: number;
  procedure: string;
  /** The run's name, or its line in the file. */
  run: string;
  N?: number;
  D?: number;
  C?: number;
  actual: number;
  predicted: number;
  /** (L̂ − L)/L. */
  relativeError: number;
  /** Value on the split axis over the fit set's largest. */
  ratio: number;
  /** Compute over the fit set's largest compute. */
  computeRatio: number;
  intervals: Record<string, [number, number]>;
  covered: Record<string, boolean>;
}

export interface ProcedureSummary {
  procedure: string;
  predictions: number;
  meanAbsRelativeError: number;
  worstAbsRelativeError: number;
  /** Mean signed relative error: > 0 over-predicts the loss (too pessimistic). */
  bias: number;
  /** Fraction of held-out runs inside their interval, per level (runs with intervals only). */
  coverage: Record<string, number>;
  /** Cutoffs at which the procedure could not be fitted, with the reason. */
  failures: { cutoff: number; reason: string }[];
  /** For auto: the candidate it chose at each cutoff. */
  choices?: { cutoff: number; chosen: string; weights: Record<string, number> }[];
}

export interface RatioBin {
  /** Compute ratio range [lo, hi). */
  range: [number, number];
  byProcedure: Record<
    string,
    { predictions: number; meanAbsRelativeError: number; bias: number; coverage: Record<string, number> }
  >;
}

export interface RollingBacktestResult {
  source: string;
  by: Axis;
  /**
   * Per cutoff: runs fitted, runs held out (above it) and runs withheld — at or below it but in a
   * lineage that reaches above it, so neither fitted (their held-out branches share their training)
   * nor scored.
   */
  cutoffs: { cutoff: number; fitRuns: number; heldOut: number; withheld: number; fitMax: number }[];
  /** Lineages the data name (0: none): a lineage is fitted only when all its runs are at or below a cutoff. */
  lineages: number;
  procedures: string[];
  levels: number[];
  replicates: number;
  seed: number;
  /** What a bootstrap replicate drew: whole lineages, runs or rows. */
  unit: ResampleUnit;
  /**
   * τ of the extrapolation term in every held-out run's interval: a standard deviation of
   * τ·log10(1 + C/C_max) in ln L, C_max the largest C of the cutoff's fitted runs (as predict adds it).
   * The coverage columns are scored on intervals that include it.
   */
  extrapolationScale: number;
  /**
   * Why the bootstrap drew runs although the data name lineages (rows naming none, or fewer than 3), as
   * a fit says it: its intervals then treat a lineage's runs as independent. Also among `warnings`.
   */
  lineagesNotDrawn?: string;
  /**
   * What the numbers cannot show by themselves, each with a stable `code` and a `severity` as a fit's
   * (`TrustWarning`): `lineage` when the bootstrap drew runs although the data name lineages; `checkpoints` when the rows have a
   * step column but no run column, so each checkpoint is scored as a run (as fit and frontier say it; options in
   * the library's words, the CLI names them by its flags). What
   * `scalelab backtest` prints as its warnings; empty when there is nothing to say. Procedures that could
   * not be fitted at a cutoff are in each summary's `failures`.
   */
  warnings: TrustWarning[];
  predictions: HeldOutPrediction[];
  summaries: ProcedureSummary[];
  bins: RatioBin[];
}

const RATIO_EDGES = [1, 3, 10, 30, 100, Infinity];

function summarise(list: HeldOutPrediction[], levels: number[]) {
  const abs = list.map((p) => Math.abs(p.relativeError));
  const coverage: Record<string, number> = {};
  for (const l of levels) {
    const withInterval = list.filter((p) => p.intervals[String(l)]);
    if (withInterval.length)
      coverage[String(l)] = withInterval.filter((p) => p.covered[String(l)]).length / withInterval.length;
  }
  return {
    predictions: list.length,
    meanAbsRelativeError: abs.reduce((a, b) => a + b, 0) / Math.max(1, abs.length),
    worst: abs.length ? Math.max(...abs) : NaN,
    bias: list.reduce((a, p) => a + p.relativeError, 0) / Math.max(1, list.length),
    coverage,
  };
}

/**
 * @throws InputError when no cutoff leaves enough runs on both sides
 */
export function rollingBacktest(dataset: Dataset, options: RollingBacktestOptions = {}): RollingBacktestResult {
  const steps = rollingBacktestSteps(dataset, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * rollingBacktest a fit at a time: the generator yields after each procedure's fit at each cutoff (its
 * bootstrap included, seconds) and returns the result. A caller that must stay responsive (a command
 * that stops on Ctrl-C) gives its event loop a turn between them.
 * @throws InputError when no cutoff leaves enough runs on both sides
 */
export function* rollingBacktestSteps(
  dataset: Dataset,
  options: RollingBacktestOptions = {},
): Generator<void, RollingBacktestResult, void> {
  const by = options.by ?? 'C';
  const levels = options.levels ?? [0.8, 0.95];
  const replicates = options.replicates ?? 100;
  const seed = options.seed ?? 0;
  const procedures = options.procedures ?? ['auto', 'huber'];
  for (const id of procedures) if (id !== 'auto') getProcedure(id);
  // Every fit and score reads N, D, C and loss: a loss of 1e308 is refused at its line, not met as a
  // non-finite quantile inside a fit.
  checkMagnitudes(dataset, ['N', 'D', 'C', 'U', 'loss'], dataset.runs);
  const runs = trainingRuns(dataset, by);
  if (runs.some((r) => !Number.isFinite(r.position))) {
    throw new InputError(
      { file: dataset.source, line: runs.find((r) => !Number.isFinite(r.position))!.final.line },
      `a back-test in ${by} needs ${by} for every run (or the columns it is derived from)`,
    );
  }
  const minFitRuns = options.minFitRuns ?? 6;
  const lineages = new Set(runs.flatMap((r) => (r.lineage !== undefined ? [r.lineage] : []))).size;
  // Why a cutoff fits fewer runs than lie below it, for the errors.
  const lineageRule = lineages
    ? `; runs of one lineage (${lineages} in the data) are fitted only when all of them are at or below the cutoff, as a fit that has seen a branch of a trunk has seen the trunk of its held-out branches — split cooldown branches by N, where a trunk's branches share one value`
    : '';
  const cutoffs = options.cutoffs?.length
    ? [...options.cutoffs].sort((a, b) => a - b)
    : rollingCutoffs(runs, { folds: options.folds ?? 4, minFitRuns });
  if (cutoffs.length === 0) {
    throw new InputError(
      { file: dataset.source },
      `${runs.length} training runs: a back-test needs at least ${minFitRuns} runs below a cutoff and one above, at distinct values of ${by}${lineageRule}`,
    );
  }
  const predictions: HeldOutPrediction[] = [];
  const cutoffInfo: RollingBacktestResult['cutoffs'] = [];
  const failures = new Map<string, { cutoff: number; reason: string }[]>(procedures.map((p) => [p, []]));
  const choices: NonNullable<ProcedureSummary['choices']> = [];
  for (const cutoff of cutoffs) {
    const split = splitAt(dataset, runs, by, cutoff);
    if (split.fitRuns === 0 || split.heldOut.length === 0) {
      throw new InputError(
        { file: dataset.source },
        `cutoff ${by} = ${cutoff}: ${split.fitRuns} runs to fit and ${split.heldOut.length} above it; expected some of each${split.withheld.length ? ` (${split.withheld.length} runs below it are left out with their lineage, which reaches above it)` : ''}${lineageRule}`,
      );
    }
    cutoffInfo.push({
      cutoff,
      fitRuns: split.fitRuns,
      heldOut: split.heldOut.length,
      withheld: split.withheld.length,
      fitMax: split.fitMax,
    });
    const fitMaxC = extent(split.fit.runs.map((r) => axisValue(r, 'C')))[1];
    for (const [k, id] of procedures.entries()) {
      let members: PredictiveMember[] | undefined;
      try {
        if (id === 'auto') {
          const choice = chooseProcedure(split.fit, {
            rule: options.rule,
            replicates,
            seed: seed + 1000 * k,
            unit: options.unit,
          });
          members = choiceMembers(choice);
          choices.push({
            cutoff,
            chosen: choice.chosen,
            weights: Object.fromEntries(choice.scores.map((s) => [s.id, s.weight])),
          });
        } else {
          const c = fitCandidate(split.fit, getProcedure(id), {
            replicates,
            seed: seed + 1000 * k,
            unit: options.unit,
          });
          if (isFailure(c)) failures.get(id)!.push({ cutoff, reason: c.error });
          else members = [memberOf(c, 1)];
        }
      } catch (e) {
        failures.get(id)!.push({ cutoff, reason: (e as Error).message });
      }
      options.onStep?.();
      yield;
      if (!members) continue;
      for (const r of split.heldOut) {
        const p = predictEnsemble(members, r.final, levels, { maxC: fitMaxC });
        const covered: Record<string, boolean> = {};
        for (const [l, [lo, hi]] of Object.entries(p.intervals)) covered[l] = r.final.loss >= lo && r.final.loss <= hi;
        predictions.push({
          cutoff,
          procedure: id,
          run: r.final.run ?? `line ${r.final.line}`,
          N: r.final.N,
          D: axisValue(r.final, 'D'),
          C: axisValue(r.final, 'C'),
          actual: r.final.loss,
          predicted: p.value,
          relativeError: (p.value - r.final.loss) / r.final.loss,
          ratio: r.position / split.fitMax,
          computeRatio: axisValue(r.final, 'C') / fitMaxC,
          intervals: p.intervals,
          covered,
        });
      }
    }
  }
  const summaries: ProcedureSummary[] = procedures.map((id) => {
    const s = summarise(
      predictions.filter((p) => p.procedure === id),
      levels,
    );
    return {
      procedure: id,
      predictions: s.predictions,
      meanAbsRelativeError: s.meanAbsRelativeError,
      worstAbsRelativeError: s.worst,
      bias: s.bias,
      coverage: s.coverage,
      failures: failures.get(id)!,
      ...(id === 'auto' ? { choices } : {}),
    };
  });
  const bins: RatioBin[] = [];
  for (let i = 0; i + 1 < RATIO_EDGES.length; i++) {
    const [lo, hi] = [RATIO_EDGES[i], RATIO_EDGES[i + 1]];
    const inBin = predictions.filter((p) => p.computeRatio >= lo && p.computeRatio < hi);
    if (!inBin.length) continue;
    const byProcedure: RatioBin['byProcedure'] = {};
    for (const id of procedures) {
      const s = summarise(
        inBin.filter((p) => p.procedure === id),
        levels,
      );
      if (s.predictions)
        byProcedure[id] = {
          predictions: s.predictions,
          meanAbsRelativeError: s.meanAbsRelativeError,
          bias: s.bias,
          coverage: s.coverage,
        };
    }
    bins.push({ range: [lo, hi], byProcedure });
  }
  const notDrawn = replicates > 0 && options.unit === undefined ? lineagesNotDrawn(dataset) : undefined;
  const checkpoints =
    dataset.runs.some((r) => r.step !== undefined) && dataset.runs.every((r) => r.run === undefined)
      ? `the rows have a step column but no run column: each checkpoint is fitted and scored as a run of its own (a run's early checkpoints are held out as runs above a cutoff), and intervals would be far too narrow; add a run column (or map one with ${libraryOption('columns')} run=NAME)`
      : undefined;
  const unfinished = unfinishedRuns(dataset);
  return {
    source: dataset.source,
    by,
    cutoffs: cutoffInfo,
    lineages,
    procedures,
    levels,
    replicates,
    seed,
    unit: options.unit ?? defaultResampleUnit(dataset),
    extrapolationScale: EXTRAPOLATION_SCALE,
    ...(notDrawn ? { lineagesNotDrawn: notDrawn } : {}),
    warnings: [
      ...(notDrawn ? [warning('lineage', 'warning', notDrawn)] : []),
      ...(checkpoints ? [warning('checkpoints', 'warning', checkpoints)] : []),
      ...(unfinished ? [warning('unfinished-runs', 'warning', unfinished)] : []),
    ],
    predictions,
    summaries,
    bins,
  };
}
