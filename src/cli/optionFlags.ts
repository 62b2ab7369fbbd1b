/**
 * The library names options as its callers pass them (`fix`, `inferenceTokens`, errors/index.ts
 * OptionError); the CLI names the flag the user typed. This is the one table between the two:
 * every option a library message names is here (src/errors/optionNames.test.ts checks).
 */
import type { OptionNamer } from '../errors/index.js';

/** Library option → CLI flag. */
export const optionFlags: Readonly<Record<string, string>> = {
  accuracyMetric: '--accuracy-metric',
  batchTokens: '--batch-tokens',
  C: '--C',
  bootstrap: '--bootstrap',
  budgets: '--budgets',
  by: '--by',
  chance: '--chance',
  columns: '--columns',
  command: '--command',
  compute: '--C',
  count: '--count',
  countTolerance: '--count-tolerance',
  dModel: '--d-model',
  dropNonfinite: '--drop-nonfinite',
  days: '--days',
  db: '--db',
  fit: '--fit',
  fix: '--fix',
  folds: '--folds',
  free: '--free',
  gpu: '--gpu',
  gpus: '--gpus',
  groupColumn: '--group-column',
  groups: '--group',
  headsMultipleOf: '--heads-multiple',
  holdout: '--holdout',
  inferenceTokens: '--inference-tokens',
  init: '--init',
  law: '--law',
  layers: '--layers',
  level: '--level',
  lineage: '--lineage',
  loss: '--loss',
  maxRuntimeSeconds: '--max-runtime',
  mfu: '--mfu',
  movingAverage: '--moving-average',
  N: '--N',
  nearOptimal: '--near-optimal',
  noise: '--noise',
  params: '--params',
  peakFlops: '--peak-flops',
  poolSize: '--pool-size',
  preset: '--preset',
  procedure: '--procedure',
  procedures: '--procedures',
  run: '--run',
  runtimeMargin: '--runtime-margin',
  samples: '--samples',
  sbatchArgs: '--sbatch-arg',
  schedules: '--schedules',
  seed: '--seed',
  seqLen: '--seq-len',
  study: '--study',
  tag: '--tag',
  targetLoss: '--target-loss',
  targetLosses: '--target-losses',
  targets: '--targets',
  tie: '--tie',
  tokens: '--tokens',
  tolerance: '--tolerance',
  uniqueTokens: '--unique-tokens',
  unit: '--resample',
  vocab: '--vocab',
  vertex: '--vertex',
  wait: '--wait',
  x: '--x',
};

/** The flag for a library option; an option missing from the table is written as a flag by the usual rule (camelCase → --kebab-case). */
export const flagFor: OptionNamer = (option) =>
  optionFlags[option] ?? `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * How one command's messages name an option: its own flag where it has one, else the flag with the
 * command that has it. A fit's warnings advise `fit`'s flags (`--init grid`), which report, plan --fit
 * and study run do not take: there they read `scalelab fit --init grid`, not an `--init` the command
 * refuses.
 */
export function commandFlagNamer(
  command: { readonly options: readonly { long?: string }[] },
  owner = 'fit',
): OptionNamer {
  return (option) => {
    const flag = flagFor(option);
    return command.options.some((o) => o.long === flag) ? flag : `scalelab ${owner} ${flag}`;
  };
}

/** How a saved fit's warnings name an option wherever the fit is read: `fit`'s flag, with the command. */
export const fitCommandFlag: OptionNamer = commandFlagNamer({ options: [] });
