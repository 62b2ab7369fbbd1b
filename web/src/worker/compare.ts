/**
 * The compare, muP transfer, optimiser and critical-batch panels' analyses, as the worker runs them: the same
 * core functions and defaults as `scalelab compare`, `scalelab mup transfer`, `scalelab hparams --sweep` and
 * `scalelab bcrit FILE`, run a bootstrap replicate at a time with
 * progress, and the CLI's own text of the result beside the numbers. Pure, so they also run in Node.
 */
import { compareGroupsSteps } from '../../../src/analyses/groups.js';
import { learningRateTransferSteps } from '../../../src/hparams/mup.js';
import { compareGroupsReport } from '../../../src/report/text/data.js';
import {
  criticalBatchFromRunsAnswer,
  criticalBatchLawLine,
  criticalBatchTargetTable,
  hparamSweepReport,
  hparamSweepSource,
  learningRateTransferReport,
} from '../../../src/report/text/hparams.js';
import { criticalBatchFromRunsSteps } from '../../../src/hparams/criticalBatch.js';
import { fitHparamLawsSteps } from '../../../src/hparams/laws.js';
import { compareGroupsPlot } from '../../../src/plots/specs.js';
import type { Steps } from '../../../src/core/steps.js';
import type { Dataset } from '../../../src/io/dataset.js';
import { libraryOption, type OptionNamer } from '../../../src/errors/index.js';
import {
  defaultCompareSettings,
  type CompareOutcome,
  type CompareSettings,
  defaultHparamsSweepSettings,
  type HparamsSweepOutcome,
  type HparamsSweepSettings,
  type MupTransferOutcome,
  type MupTransferSettings,
  defaultCriticalBatchSettings,
  type CriticalBatchOutcome,
  type CriticalBatchSettings,
} from './protocol.js';

/**
 * Run a computation in steps to its end, with progress in bootstrap replicates done. `leading`: it
 * yields before every replicate (learningRateTransferSteps), not only between them (compareGroupsSteps).
 */
function stepped<T>(
  steps: Steps<T>,
  total: number,
  leading: boolean,
  onProgress?: (done: number, total: number) => void,
): T {
  onProgress?.(0, total);
  let yields = 0;
  for (;;) {
    const step = steps.next();
    if (step.done) {
      onProgress?.(total, total);
      return step.value;
    }
    // A yield before a replicate: the ones before it are done.
    yields++;
    const done = leading ? yields - 1 : yields;
    if (done > 0 && done < total) onProgress?.(done, total);
  }
}

/** The compare panel's fields by the options the text names (a default level or replicate count). */
const compareField: OptionNamer = (option) =>
  option === 'level' ? 'the level field' : option === 'bootstrap' ? 'the replicates field' : libraryOption(option);

/**
 * Groups compared by their scaling curves, as `scalelab compare` compares them (the runs' `group` is
 * the chosen column); the text marks the level and replicates left at the CLI's defaults as defaults.
 * @throws InputError as compareGroups (fewer than two groups, a group too small or whose loss rises)
 */
export function runCompare(
  dataset: Dataset,
  settings: CompareSettings,
  onProgress?: (done: number, total: number) => void,
): CompareOutcome {
  const t0 = performance.now();
  const comparison = stepped(
    compareGroupsSteps(dataset, settings.x, {
      bootstrap: settings.bootstrap,
      seed: settings.seed,
      level: settings.level,
    }),
    settings.bootstrap,
    false,
    onProgress,
  );
  const report = compareGroupsReport(comparison, settings.x, compareField, {
    level: settings.level === defaultCompareSettings.level,
    replicates: settings.bootstrap === defaultCompareSettings.bootstrap,
  });
  return {
    comparison,
    report,
    figure: compareGroupsPlot(dataset, comparison),
    timings: { analysisMs: performance.now() - t0 },
  };
}

/**
 * The learning-rate transfer check, as `scalelab mup transfer` runs it (a 95 % residual bootstrap of
 * the slope when there are 2 or more replicates).
 * @throws InputError as learningRateTransfer (no width or lr column, one width, a sweep of fewer than 3 rates)
 */
export function runMupTransfer(
  dataset: Dataset,
  settings: MupTransferSettings,
  onProgress?: (done: number, total: number) => void,
): MupTransferOutcome {
  const t0 = performance.now();
  const replicates = settings.bootstrap > 1 ? settings.bootstrap : 0;
  const transfer = stepped(
    learningRateTransferSteps(
      dataset,
      replicates ? { replicates, seed: settings.seed, level: 0.95 } : undefined,
      settings.targetWidth !== undefined ? { targetWidth: settings.targetWidth } : {},
    ),
    replicates,
    true,
    onProgress,
  );
  return {
    transfer,
    report: learningRateTransferReport(transfer),
    timings: { analysisMs: performance.now() - t0 },
  };
}

/** The optimiser panel's fields by the options the text names; the sequence length is the command line's default (no field here). */
const hparamsField: OptionNamer = (option) =>
  option === 'nearOptimal'
    ? 'the near-optimal field'
    : option === 'bootstrap'
      ? 'the replicates field'
      : option === 'seqLen'
        ? "the command line's sequence length"
        : libraryOption(option);

/** The batch's sequences are counted in `hparams --seq-len`'s default context (the panel has no field for it). */
const hparamsSeqLen = 4096;

/**
 * Learning-rate and batch laws in C fitted to a sweep by DeepSeek LLM's method, as `scalelab hparams
 * --sweep FILE --C C` fits them (its near-optimal tolerance, 0.06-decade budgets, a 95 % bootstrap of
 * the runs within each budget), with η and the batch predicted at the planner's C.
 * @throws InputError as fitHparamLaws (no lr or batch column, fewer than two budgets), located in the file
 */
export function runHparamsSweep(
  dataset: Dataset,
  settings: HparamsSweepSettings,
  onProgress?: (done: number, total: number) => void,
): HparamsSweepOutcome {
  const t0 = performance.now();
  const replicates = settings.bootstrap > 1 ? settings.bootstrap : 0;
  const fitted = stepped(
    fitHparamLawsSteps(dataset, {
      variable: 'C',
      at: settings.at,
      tolerance: settings.nearOptimal,
      bootstrap: replicates ? { replicates, seed: settings.seed, level: 0.95 } : undefined,
    }),
    replicates,
    true,
    onProgress,
  );
  const source = hparamSweepSource(dataset.source, 'C', fitted.tolerance);
  const report = hparamSweepReport(
    {
      sweep: dataset.source,
      variable: 'C',
      at: settings.at,
      fitted,
      seqLen: hparamsSeqLen,
      source,
      defaulted: {
        nearOptimal: settings.nearOptimal === defaultHparamsSweepSettings.nearOptimal,
        bootstrap: replicates > 1 && settings.bootstrap === defaultHparamsSweepSettings.bootstrap,
        seqLen: true,
      },
    },
    hparamsField,
  );
  return { fitted, source, report, timings: { analysisMs: performance.now() - t0 } };
}

/**
 * The critical-batch panel's words for what `bcrit` names by its flags: its replicates field, and the
 * command line for what the panel does not set (the target losses, the seed, the noise scale).
 */
export const bcritField: OptionNamer = (option) =>
  option === 'bootstrap'
    ? 'the bootstrap replicates field'
    : option === 'targetLosses'
      ? "the command line's target losses"
      : option === 'seed'
        ? "the command line's seed"
        : option === 'noise'
          ? "the command line's gradient-noise mode"
          : libraryOption(option);

/** The target losses `bcrit FILE` counts steps to by default: five levels the runs reach. */
const defaultTargets = 5;

/**
 * The critical batch from training curves at several batch sizes, as `scalelab bcrit FILE` fits it (its
 * five default target losses, a 95 % residual bootstrap drawn across the targets together), with the
 * command's JSON and text. Progress counts resamples: each target's twice (its interval, then the law's).
 * @throws InputError as criticalBatchFromRuns (one batch size, a target no run reaches), located in the file
 */
export function runCriticalBatch(
  dataset: Dataset,
  settings: CriticalBatchSettings,
  onProgress?: (done: number, total: number) => void,
): CriticalBatchOutcome {
  const t0 = performance.now();
  const replicates = settings.bootstrap > 1 ? settings.bootstrap : 0;
  const result = stepped(
    criticalBatchFromRunsSteps(
      dataset,
      undefined,
      replicates ? { replicates, seed: settings.seed, level: 0.95 } : undefined,
    ),
    2 * defaultTargets * replicates,
    false,
    onProgress,
  );
  const x = {
    source: dataset.source,
    result,
    batchColumn: dataset.columns.batch!,
    replicates: settings.bootstrap,
    seed: settings.seed,
  };
  const { json, text } = criticalBatchFromRunsAnswer(
    {
      ...x,
      defaulted: {
        targets: true,
        bootstrap: settings.bootstrap === defaultCriticalBatchSettings.bootstrap,
        seed: settings.seed === defaultCriticalBatchSettings.seed,
      },
    },
    bcritField,
  );
  return {
    result: json,
    table: criticalBatchTargetTable(result, settings.bootstrap),
    law: criticalBatchLawLine(result, x),
    report: text,
    timings: { analysisMs: performance.now() - t0 },
  };
}
