/**
 * The library names options as its callers pass them (`fix`, `inferenceTokens`, errors/index.ts
 * OptionError); the CLI names the flag the user typed. This is the one table between the two:
 * every option a library message names is here (src/errors/optionNames.test.ts checks).
 */
import type { OptionNamer } from '../errors/index.js';

/** Library option → CLI flag. */
export const optionFlags: Readonly<Record<string, string>> = {
  batchTokens: '--batch-tokens',
  bootstrap: '--bootstrap',
  budgets: '--budgets',
  by: '--by',
  chance: '--chance',
  columns: '--columns',
  command: '--command',
  compute: '--C',
  countTolerance: '--count-tolerance',
  days: '--days',
  db: '--db',
  fit: '--fit',
  fix: '--fix',
  free: '--free',
  gpu: '--gpu',
  gpus: '--gpus',
  groupColumn: '--group-column',
  groups: '--group',
  holdout: '--holdout',
  inferenceTokens: '--inference-tokens',
  init: '--init',
  law: '--law',
  lineage: '--lineage',
  loss: '--loss',
  maxRuntimeSeconds: '--max-runtime',
  mfu: '--mfu',
  N: '--N',
  nearOptimal: '--near-optimal',
  params: '--params',
  peakFlops: '--peak-flops',
  poolSize: '--pool-size',
  preset: '--preset',
  run: '--run',
  runtimeMargin: '--runtime-margin',
  samples: '--samples',
  sbatchArgs: '--sbatch-arg',
  schedules: '--schedules',
  targetLoss: '--target-loss',
  targetLosses: '--target-losses',
  targets: '--targets',
  tie: '--tie',
  tokens: '--tokens',
  tolerance: '--tolerance',
  uniqueTokens: '--unique-tokens',
  unit: '--resample',
  vertex: '--vertex',
  wait: '--wait',
  x: '--x',
};

/** The flag for a library option; an option missing from the table is written as a flag by the usual rule (camelCase → --kebab-case). */
export const flagFor: OptionNamer = (option) =>
  optionFlags[option] ?? `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
