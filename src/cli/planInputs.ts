/**
 * What `plan` and `report` both read to plan the big run: the budget from a cluster (--gpus, --gpu,
 * --peak-flops, --days, --mfu, --price) or from FLOPs, and the learning-rate and batch laws. One set of
 * flag definitions and one derivation, so a report made with `--gpus 2000 --gpu h100 --days 21` plans
 * for exactly the C that `plan` prints for them.
 */
import type { Command } from 'commander';
import {
  accelerator,
  defaultMfu,
  defaultMfuSource,
  hardwareBudget,
  type Accelerator,
  type HardwareBudget,
} from '../hardware/catalog.js';
import {
  hyperparametersFromPreset,
  hyperparametersFromSweep,
  type PlanDefaults,
  type PlanHyperparameters,
} from '../analyses/plan.js';
import { defaultHparamsPreset, hparamPreset, hparamPresets } from '../hparams/laws.js';
import { criticalBatchDefault } from '../hparams/criticalBatch.js';
import { readRuns } from '../io/readRuns.js';
import type { Dataset } from '../io/dataset.js';
import { formatNumber } from '../core/format.js';
import { parseColumnMapping } from '../io/parseRuns.js';
import type { Steps } from '../core/steps.js';
import { InputError, UsageError, type OptionNamer } from '../errors/index.js';
import { keyword, parseFraction, parseInteger, parseQuantity } from './options.js';
import { defaultGpu, flag } from './flags.js';
import { commandFlagNamer, flagFor } from './optionFlags.js';

export interface HardwareFlags {
  gpus?: string;
  gpu?: string;
  peakFlops?: string;
  days?: string;
  mfu: string;
  price?: string;
}

export interface HparamFlags {
  hparamsPreset: string;
  sweep?: string;
  sweepColumns?: string;
  sweepBootstrap?: string;
  sweepBatchUnit?: string;
  seed: string;
}

/** What a sweep's batch column counts: tokens (the laws' unit), or sequences of the sequence length. */
export type BatchUnit = 'tokens' | 'sequences';
export const batchUnits: readonly BatchUnit[] = ['tokens', 'sequences'];

/**
 * A sweep's runs with the batch in tokens. The laws are fitted in tokens (DeepSeek's B is in tokens), and
 * a notebook's batch_size often counts sequences: read as tokens it gives a batch a thousand times too
 * small with no error, so a batch column whose values lie below one sequence, or far below any batch a
 * language model trains on, is warned about, naming the column and how to say it counts sequences.
 * @param unitFlag the flag that says the column counts sequences (hparams: --batch-unit; plan: --sweep-batch-unit)
 */
export function sweepBatchInTokens(
  sweep: Dataset,
  unit: BatchUnit,
  seqLen: number,
  unitFlag: string,
): { sweep: Dataset; warning?: string } {
  const column = sweep.columns.batch ?? 'batch';
  if (unit === 'sequences')
    return {
      sweep: {
        ...sweep,
        runs: sweep.runs.map((r) => (r.batch === undefined ? r : { ...r, batch: r.batch * seqLen })),
      },
    };
  const batches = sweep.runs.flatMap((r) => (r.batch === undefined ? [] : [r.batch]));
  if (!batches.length) return { sweep };
  const smallest = Math.min(...batches);
  // Below 4,096 tokens whatever --seq-len says: a batch of sequences (tens to a few thousand) falls under
  // it, while a language-model sweep's batch in tokens is one sequence of context or more.
  if (smallest >= seqLen && smallest >= SMALLEST_TOKEN_BATCH) return { sweep };
  const why =
    smallest < seqLen
      ? `below one sequence of ${seqLen} tokens (--seq-len)`
      : `below ${SMALLEST_TOKEN_BATCH} tokens, less than the context of a language-model run`;
  return {
    sweep,
    warning: `the batch column "${column}" is read as tokens, and its smallest value ${formatNumber(smallest, 4)} is ${why}: if it counts sequences, give ${unitFlag} sequences (each is --seq-len tokens), or give the batch in tokens`,
  };
}

/** Batches below this many tokens are taken for a batch written in sequences (sweepBatchInTokens). */
const SMALLEST_TOKEN_BATCH = 4096;

/** The recommended model's shape beyond N: it does not move N or D, only the shape and FLOPs per token. */
export interface PlanShapeFlags {
  vocab: string;
  seqLen: string;
  mlp: string;
}

/** --vocab, --seq-len and --mlp, as plan and report read them. */
export function addPlanShapeFlags(cmd: Command): Command {
  return cmd
    .addOption(
      flag('vocab', {
        detail: 'of the shape (the default: Llama-2-like; N and D do not depend on it)',
        default: '32000',
      }),
    )
    .addOption(
      flag('seq-len', {
        detail: 'the context, for the shape and FLOPs (the default: Llama-2-like; N and D do not depend on it)',
        default: '4096',
      }),
    )
    .addOption(flag('mlp', { default: 'gated' }));
}

export function planShape(f: PlanShapeFlags): { vocab: number; seqLen: number; mlp: 'gated' | 'plain' } {
  return {
    vocab: parseInteger(f.vocab, '--vocab', 1),
    seqLen: parseInteger(f.seqLen, '--seq-len', 1),
    mlp: keyword(f.mlp, '--mlp', ['gated', 'plain'] as const),
  };
}

/** --sweep and its reading flags: the learning rate and batch from the user's own sweep, as plan and report read it. */
export function addSweepFlags(cmd: Command): Command {
  return cmd
    .addOption(flag('sweep', { detail: "its learning rate and batch instead of a preset's, with bootstrap intervals" }))
    .option('--sweep-columns <list>', 'with --sweep: map fields to its columns, e.g. lr=peak_lr,batch=bs')
    .option('--sweep-bootstrap <n>', 'with --sweep: bootstrap replicates for the η and B intervals', '200')
    .option(
      '--sweep-batch-unit <unit>',
      'with --sweep: what its batch column counts: tokens, or sequences (of --seq-len tokens; they are multiplied by it)',
      'tokens',
    );
}

/** --sweep-columns and --sweep-bootstrap read a sweep: typed without --sweep they would go unused. */
export function refuseSweepFlagsWithoutSweep(f: Pick<HparamFlags, 'sweep'>, cmd: Command): void {
  if (f.sweep) return;
  const typed = (['sweepColumns', 'sweepBootstrap', 'sweepBatchUnit'] as const).filter(
    (k) => cmd.getOptionValueSource(k) === 'cli',
  );
  if (typed.length)
    throw new UsageError(
      `${typed.map((k) => commandFlagNamer(cmd)(k)).join(', ')}: read with --sweep (the learning-rate and batch sweep)`,
    );
}

/** The cluster's flags, in plan's order; `budget` says what they are instead of (plan: --C; report: --targets). */
export function addHardwareFlags(cmd: Command): Command {
  return cmd
    .option('--gpus <n>', 'number of accelerators')
    .addOption(
      flag('gpu', {
        detail: `the default ${defaultGpu} is a convenience, not a measurement: name yours`,
        default: defaultGpu,
      }),
    )
    .addOption(flag('peak-flops'))
    .option('--days <days>', 'training time')
    .addOption(flag('mfu', { detail: `the default ${defaultMfu}: ${defaultMfuSource}`, default: String(defaultMfu) }))
    .option('--price <per-gpu-hour>', 'price per GPU-hour, for the cost');
}

/** The learning-rate and batch law's flag (a preset's). */
export function addHparamsPresetFlag(cmd: Command): Command {
  return cmd.option(
    '--hparams-preset <name>',
    `learning-rate and batch law: ${hparamPresets.map((p) => p.id).join(', ')}`,
    defaultHparamsPreset,
  );
}

export interface PlanBudget {
  compute: number;
  hardware?: HardwareBudget;
  cluster?: { gpus: number; accelerator: Accelerator; mfu: number };
  /** The inputs nobody typed (the default GPU, the default MFU), with where they come from. */
  assumed?: { mfu?: string; accelerator?: string };
}

/**
 * --gpu, --mfu, --peak-flops and --price describe the cluster that --gpus counts: typed without --gpus or
 * --days they would go unused, and a plan that silently ignored `--gpu b200` reads as if it had priced B200s.
 */
export function refuseClusterFlagsWithoutGpus(f: HardwareFlags, cmd: Command): void {
  if (f.gpus !== undefined || f.days !== undefined) return;
  const typed = (['gpu', 'mfu', 'peakFlops', 'price'] as const).filter((k) => cmd.getOptionValueSource(k) === 'cli');
  if (typed.length)
    throw new UsageError(
      `${typed.map((k) => commandFlagNamer(cmd)(k)).join(', ')}: read with --gpus (and --days for the budget)`,
    );
}

/**
 * The budget: `given` FLOPs (plan's --C, report's --targets), with --gpus for the wall-clock time; or
 * --gpus × --days on the accelerator at the MFU. FLOPs and --days together are refused: two budgets.
 * @param given the FLOPs the user typed, and the flag they typed them with
 * @param budgetFlag the flag that gives FLOPs, for the error saying what to give
 */
export function planBudget(f: HardwareFlags, cmd: Command, given: number | undefined, budgetFlag: string): PlanBudget {
  let acc: Accelerator = accelerator(f.gpu ?? defaultGpu);
  // Your own hardware by its peak alone is not the default GPU: before, '8 × NVIDIA B200 (peak overridden)'.
  const ownGpu = cmd.getOptionValueSource('gpu') !== 'cli';
  if (f.peakFlops)
    acc = {
      ...acc,
      id: ownGpu ? 'custom' : `${acc.id}*`,
      name: ownGpu ? 'custom accelerator' : `${acc.name} (peak overridden)`,
      peakFlops: parseQuantity(f.peakFlops, '--peak-flops'),
      source: '--peak-flops on the command line',
    };
  const mfu = parseFraction(f.mfu, '--mfu');
  const gpus = f.gpus ? parseInteger(f.gpus, '--gpus', 1) : undefined;
  // Inputs nobody typed are said as such beside their numbers: a plan for 10,000 GPUs that silently
  // priced B200s, or an MFU the user never chose, cannot be traced from its output otherwise.
  const assumed = {
    ...(ownGpu && !f.peakFlops ? { accelerator: 'the default --gpu, a convenience: name yours' } : {}),
    ...(cmd.getOptionValueSource('mfu') !== 'cli' ? { mfu: `the default --mfu: ${defaultMfuSource}` } : {}),
  };
  if (given !== undefined) {
    if (f.days) throw new UsageError(`give either ${budgetFlag} or --days (with --gpus), not both`);
    // The cost is of a cluster's days: with FLOPs given there are none priced, and a price said nowhere in
    // the plan read as if it had been taken into account.
    if (f.price)
      throw new UsageError(
        `--price is read with --gpus and --days (the cost of those GPU-hours); with ${budgetFlag} it would go unused`,
      );
    return gpus ? { compute: given, cluster: { gpus, accelerator: acc, mfu }, assumed } : { compute: given };
  }
  if (!gpus || !f.days)
    throw new UsageError(`give the budget: ${budgetFlag} FLOPS, or --gpus N --days D (with --gpu and --mfu)`);
  const hardware = hardwareBudget(
    gpus,
    acc,
    mfu,
    parseQuantity(f.days, '--days', { unit: 'days' }),
    f.price ? parseQuantity(f.price, '--price') : undefined,
  );
  return { compute: hardware.flops, hardware, assumed };
}

/** What plan and report say beside the learning-rate preset when nobody chose it. */
const hparamsPresetDefault = 'the default; choose with --hparams-preset or --sweep';

/**
 * The plan's inputs nobody typed, each with its note, as plan and report mark them: the learning-rate
 * and batch preset (unless --sweep gives them), the critical-batch preset (the only one shipped), and
 * the shape's vocabulary, context and MLP. The loss law's own default is said in its provenance.
 */
export function planDefaults(flags: HparamFlags, cmd: Command): PlanDefaults {
  const untyped = (k: string) => cmd.getOptionValueSource(k) !== 'cli';
  return {
    ...(!flags.sweep && untyped('hparamsPreset') ? { hyperparameters: hparamsPresetDefault } : {}),
    criticalBatch: criticalBatchDefault,
    ...(untyped('vocab') ? { vocab: 'default, --vocab' } : {}),
    ...(untyped('seqLen') ? { seqLen: 'default, --seq-len' } : {}),
    ...(untyped('mlp') ? { mlp: 'default, --mlp' } : {}),
    ...(flags.sweep && untyped('sweepBootstrap') ? { sweepBootstrap: 'default, --sweep-bootstrap' } : {}),
  };
}

/** The recommended run's learning rate and batch: a preset's laws, or a sweep's fitted ones. */
export function hyperparameterSource(
  flags: HparamFlags & Pick<PlanShapeFlags, 'seqLen'>,
  defaults: PlanDefaults = {},
): (at: { C: number; N: number }) => PlanHyperparameters | Steps<PlanHyperparameters> {
  if (!flags.sweep) return hyperparametersFromPreset(hparamPreset(flags.hparamsPreset), defaults.hyperparameters);
  const sweepFile = flags.sweep;
  const read = namingSweepFlags(() =>
    readRuns(sweepFile, {
      columns: flags.sweepColumns ? parseColumnMapping(flags.sweepColumns) : undefined,
    }),
  );
  const { sweep, warning } = sweepBatchInTokens(
    read,
    keyword(flags.sweepBatchUnit ?? 'tokens', '--sweep-batch-unit', batchUnits),
    parseInteger(flags.seqLen, '--seq-len', 1),
    '--sweep-batch-unit',
  );
  const fromSweep = hyperparametersFromSweep(
    sweep,
    flags.sweep,
    {
      replicates: parseInteger(flags.sweepBootstrap ?? '200', '--sweep-bootstrap', 2),
      seed: parseInteger(flags.seed, '--seed', 0),
    },
    defaults.sweepBootstrap,
  );
  return function* (at) {
    let hp: PlanHyperparameters;
    try {
      hp = yield* fromSweep(at);
    } catch (e) {
      throw sweepFlagsNamed(e);
    }
    if (!warning) return hp;
    return { ...hp, warnings: [...(hp.warnings ?? []), { code: 'batch-unit', severity: 'warning', message: warning }] };
  };
}

/**
 * The sweep's options as plan and report spell them: a sweep without a batch column is mapped with
 * --sweep-columns there (their --columns, where they have one, maps the main input; plan said
 * "--columns batch=NAME", which plan refuses, and report 'option "columns"').
 */
const sweepFlag: OptionNamer = (option) =>
  ({ columns: '--sweep-columns', bootstrap: '--sweep-bootstrap', batchUnit: '--sweep-batch-unit' })[option] ??
  flagFor(option);

/** A sweep's input error with its options named by sweepFlag; any other error as it is. */
function sweepFlagsNamed(e: unknown): unknown {
  return e instanceof InputError ? new InputError(e.location, e.detailNaming(sweepFlag)) : e;
}

function namingSweepFlags<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw sweepFlagsNamed(e);
  }
}
