/**
 * Flags that more than one command takes, each with its one meaning. A command adds such a flag
 * with `flag(name, …)`, so the name, its value placeholder and the first words of its help are
 * written once; a command may add a detail after the meaning (an example, what it applies to) but
 * not a second meaning. src/cli/flags.test.ts walks the whole program and fails when one flag name
 * is described two ways, and docs/flags.md (scripts/flags-table.ts) is the table users read.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../errors/index.js';
import { defaultAcceleratorId } from '../hardware/catalog.js';
import { studyNameProblem } from '../store/studyName.js';

export interface SharedFlag {
  /** Commander's flags: the long name and its value placeholder. */
  flags: string;
  /** The one meaning, the start of every command's description. */
  meaning: string;
  /** Why commands may give the flag different defaults (absent: one default everywhere). */
  defaultsVary?: string;
}

export const sharedFlags = {
  json: { flags: '--json', meaning: 'print the result as JSON on stdout (errors too; no progress bars)' },
  out: {
    flags: '--out <file>',
    meaning: 'write the result to this file (its folder is created, and checked before any work)',
  },
  seed: { flags: '--seed <seed>', meaning: 'seed of the bootstrap resampling' },
  bootstrap: {
    flags: '--bootstrap <n>',
    meaning: 'bootstrap replicates for intervals (0: none)',
    defaultsVary: 'replicates cost one refit each: a back-test refits per cutoff, a critical-batch fit is cheap',
  },
  level: {
    flags: '--level <level>',
    meaning: 'level of the intervals, between 0 and 1 (0.95), or a percentage (95%)',
    defaultsVary: "predict reads the level its fit's replicates were summarised at; elsewhere 95 %",
  },
  columns: {
    flags: '--columns <list>',
    meaning: 'map fields to your column names, NAME=COLUMN pairs (NAME=- leaves a recognised column unread)',
  },
  lineage: {
    flags: '--lineage <column>',
    meaning:
      'the column whose equal values a bootstrap draws together, e.g. the trunk of WSD cooldown branches (default: a column named lineage or trunk; else whole runs are drawn)',
  },
  group: {
    flags: '--group <names>',
    meaning:
      "keep only runs whose group column is one of these (comma-separated), e.g. isoflop; '(no group)' names the runs whose group cell is blank, e.g. 'isoflop,(no group)'",
  },
  db: {
    flags: '--db <path>',
    meaning: 'run store file (SQLite)',
    defaultsVary: 'curve-law fit reads a store only when --db is given (otherwise files), so it has no default',
  },
  study: {
    flags: '--study <name>',
    meaning: 'study name in the run store',
    defaultsVary: 'study run names its study "default", runs import "imported"; elsewhere it is required or a filter',
  },
  'drop-nonfinite': {
    flags: '--drop-nonfinite',
    meaning:
      'leave out a logged loss that is NaN or infinite (a diverged step; an event file cannot be edited), with a note naming the run, its steps and how many, instead of refusing it',
  },
  world: { flags: '--world <file>', meaning: 'world file of the simulated lab' },
  width: {
    flags: '--width <n>',
    meaning: 'target width (d_model)',
    defaultsVary:
      'mup table prints the multipliers for a width, 4096 unless given; mup transfer gives η* at a width only when asked',
  },
  extrapolation: {
    flags: '--extrapolation <slope>',
    meaning: "slope s of the intervals' extrapolation term, learnt from back-tests (0: none)",
    defaultsVary:
      "each is learnt from its own back-tests and in its own unit: downstream's in accuracy per decade of compute, a curve law's in relative loss per decade of steps",
  },
  downstream: {
    flags: '--downstream <files>',
    meaning: 'task metrics: comma-separated files (CSV, lm-evaluation-harness JSON) or a ladder manifest',
  },
  downstreamBootstrap: {
    flags: '--downstream-bootstrap <n>',
    meaning: 'with --downstream: whole runs resampled for the downstream intervals (0: none)',
    defaultsVary:
      "plan's accuracy interval needs them (100); report's downstream sections are points unless asked (0), as each replicate refits both steps for every task",
  },
  average: {
    flags: '--average <name=tasks>',
    meaning:
      'the equal-weight mean of these tasks (comma-separated, or all) as one task NAME, e.g. avg=all (Gadre et al. predict the average)',
  },
  'target-runs': {
    flags: '--target-runs <runs>',
    meaning: 'runs to predict rather than fit (the big models), comma-separated; a manifest marks them itself',
  },
  'loss-metric': {
    flags: '--loss-metric <[task=]name>',
    meaning:
      "task-loss metric of every task, or of one task as TASK=NAME: repeat the flag, one value each (a bare name for the tasks not named; a name may hold a comma, as lm-eval's do; default: bpb, soft_log, ce or loss, the first the task has); a log-likelihood of the correct answer (all values negative) is negated to a loss",
  },
  'accuracy-metric': {
    flags: '--accuracy-metric <[task=]name>',
    meaning:
      "accuracy metric of every task, or of one task as TASK=NAME: repeat the flag, one value each, e.g. --accuracy-metric gsm8k=exact_match,strict-match --accuracy-metric acc_norm (a bare name for the tasks not named; a name may hold a comma, as lm-eval's do, so tasks are never a comma list; default: len_norm, acc_norm or acc, the first the task has)",
  },
  chance: {
    flags: '--chance <acc|list>',
    meaning:
      "random-guess accuracy of every task, or per task: 0.25,piqa=0.5,lambada=0 (a bare number for the tasks not named; a manifest gives it per task; default: a common benchmark's 1 / its answer choices, hellaswag 0.25, piqa 0.5, …, docs/methods.md §33)",
  },
  via: {
    flags: '--via <task-loss|val-loss|compute>',
    meaning:
      'the route to accuracy for every task: task-loss (two steps through the task loss), val-loss (the same two steps through the validation loss: its law at N, D, then the sigmoid), compute (the direct law in C) (default: task-loss where a task has a task loss, else compute; docs/methods.md §33)',
  },
  targetAccuracy: {
    flags: '--target-accuracy <list>',
    meaning: 'accuracies to plan for, TASK=ACCURACY pairs, e.g. hellaswag_val_5shot=0.85',
  },
  horizon: {
    flags: '--horizon <C>',
    meaning:
      'with --target-accuracy: the largest training compute (FLOPs) searched; bootstrap replicates that do not reach the accuracy by then count as beyond it',
  },
  law: {
    flags: '--law <law>',
    // Not "law form": curves also takes M4, a learning-curve form that is not a law.
    meaning: 'the form to fit or use',
    defaultsVary:
      'each command fits or uses the laws it can: the Chinchilla form by default, a power law for single curves',
  },
  preset: {
    flags: '--preset <name>',
    meaning: 'a published law with its fitted constants, by name',
    defaultsVary:
      'each command has its own family of published laws (loss, data-constrained, critical batch, learning rate and batch)',
  },
  fit: { flags: '--fit <file>', meaning: 'a fit saved by "scalelab fit --out FILE"' },
  params: {
    flags: '--params <list>',
    meaning: 'parameter values for --law, NAME=VALUE pairs, e.g. E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28',
  },
  x: {
    flags: '--x <variable>',
    meaning: 'the scaling variable: N, D or C',
    defaultsVary: "each command's usual axis: N for power laws in size, D for a learning curve, C for compute",
  },
  N: { flags: '--N <n>', meaning: 'model size N in parameters, e.g. 7e10 or 70B' },
  D: { flags: '--D <tokens>', meaning: 'training tokens D, e.g. 1.4e12 or 1.4T' },
  C: { flags: '--C <flops>', meaning: 'training compute C in FLOPs' },
  'batch-tokens': { flags: '--batch-tokens <n>', meaning: 'tokens per optimizer step' },
  procedure: {
    flags: '--procedure <id>',
    meaning:
      'how the Chinchilla form is fitted: auto or a recipe (huber, ls, ls-linear, tied-huber, tied-ls, gadre, kaplan)',
    defaultsVary: 'fit leaves it unset, which is auto unless --law, --loss, --tie, --fix… ask for a custom fit',
  },
  breaks: {
    flags: '--breaks <n>',
    meaning: 'breaks of a broken neural scaling law (bnsl)',
    defaultsVary: 'curve fits a power law unless --breaks is given',
  },
  budgets: {
    flags: '--budgets <list>',
    meaning: 'IsoFLOP budgets in FLOPs',
    defaultsVary:
      'curve-law ladder designs runs rather than reading them, so it has no data to find budgets in and requires them',
  },
  vertex: {
    flags: '--vertex <method>',
    meaning: 'IsoFLOP vertex: parabola (Hoffmann et al.) or min-run (the lowest-loss run, the CS336 handout)',
  },
  tolerance: {
    flags: '--tolerance <decades>',
    meaning: 'runs within this many decades of one another count as one value (an IsoFLOP budget, a model size)',
    defaultsVary: 'depth-width groups model sizes, which ladders space more evenly than budgets',
  },
  targets: {
    flags: '--targets <list>',
    meaning: 'compute budgets in FLOPs to predict at',
    defaultsVary: 'plot and report draw and plan for one target by default; frontier compares two',
  },
  folds: {
    flags: '--folds <n>',
    meaning: 'back-test: number of cutoffs, chosen evenly',
    defaultsVary: "a report's back-test is one section among many, so it uses fewer folds",
  },
  'unique-tokens': { flags: '--unique-tokens <U>', meaning: 'unique tokens available (data-constrained laws)' },
  'target-loss': { flags: '--target-loss <loss>', meaning: 'the loss the run is to reach' },
  gpu: {
    flags: '--gpu <id>',
    meaning:
      'accelerator from the catalog, for its peak FLOP/s (h100, h100-pcie, a100, h200, b200, v100, mi300x, tpu-v4, tpu-v5p)',
  },
  'peak-flops': { flags: '--peak-flops <flops>', meaning: "peak dense FLOP/s per accelerator, instead of --gpu's" },
  mfu: { flags: '--mfu <fraction>', meaning: 'model FLOPs utilisation assumed for the cost, a fraction (0.4, or 40%)' },
  vocab: { flags: '--vocab <n>', meaning: 'vocabulary size (embedding rows)' },
  'seq-len': {
    flags: '--seq-len <n>',
    meaning: 'sequence length in tokens',
    defaultsVary: 'the small runs of a sweep train on 512 tokens; a planned large model has a 4,096-token context',
  },
  mlp: { flags: '--mlp <kind>', meaning: 'MLP of the shape: gated (SwiGLU) or plain' },
  sweep: {
    flags: '--sweep <file>',
    meaning: 'your learning-rate and batch sweep: columns C (or N and D), lr, batch (in tokens), loss',
  },
  'target-hours': {
    flags: '--target-hours <h>',
    meaning: 'accelerator hours of the target run',
    defaultsVary:
      'study run runs the whole loop with a default budget; sweep plan takes hours or FLOPs, so neither has a default',
  },
  'experiment-hours': {
    flags: '--experiment-hours <h>',
    meaning: 'accelerator hours for all experiments',
    defaultsVary: 'as --target-hours',
  },
  'budget-hours': { flags: '--budget-hours <h>', meaning: 'accelerator-hour budget' },
  host: {
    flags: '--host <host>',
    meaning: 'address to bind; requests must name it, or localhost, 127.0.0.1 or [::1], in their Host header',
  },
  port: {
    flags: '--port <port>',
    meaning: 'port to listen on (0 picks a free one)',
    defaultsVary: 'the web app and the training API can run side by side',
  },
  extend: {
    flags: '--extend',
    meaning:
      "add this plan's runs to an existing study planned with other flags (without it, that is refused: the two plans' runs would be fitted together)",
  },
  'api-key': { flags: '--api-key <key>', meaning: "the training API's key, sent in the x-api-key header" },
} as const satisfies Record<string, SharedFlag>;

export type SharedFlagName = keyof typeof sharedFlags;

/** What --budgets takes where budgets are read from runs (frontier, plot, report); a ladder designs runs and takes a list only. */
export const budgetChoices = "auto (found in the data), chinchilla (the paper's nine) or a list such as 6e18,1e19";

/**
 * The option for a shared flag: its one meaning, then `detail` (an example, what it applies to).
 * @param options.default the default value; `required` makes the flag mandatory
 */
export function flag(
  name: SharedFlagName,
  options: { detail?: string; default?: string; required?: boolean } = {},
): Option {
  const s: SharedFlag = sharedFlags[name];
  const option = new Option(s.flags, options.detail ? `${s.meaning}; ${options.detail}` : s.meaning);
  if (options.default !== undefined) option.default(options.default);
  if (options.required) option.makeOptionMandatory();
  // One value per flag, repeated: lm-eval's metric names hold commas, so a comma list could not be split.
  if (name === 'accuracy-metric' || name === 'loss-metric')
    option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
  // The web API's rule, at the flag: a study named '' or ' ' was stored, and the web app could not open it.
  if (name === 'study')
    option.argParser((value: string) => {
      const problem = studyNameProblem(value);
      if (problem !== undefined) throw new UsageError(`--study: ${problem}, got ${JSON.stringify(value)}`);
      return value;
    });
  return option;
}

/** The accelerator every command assumes when none is given. */
export const defaultGpu = defaultAcceleratorId;

/** Old spellings kept for one release, so scripts keep working; help does not show them. */
export interface DeprecatedAlias {
  /** The old long flag, e.g. --loss. */
  old: string;
  /** The flag to use instead. */
  replacement: string;
}

/**
 * Accept `oldFlags` (e.g. `--loss <loss>`) as a hidden, deprecated spelling of `replacement`, which
 * the command already has: its value goes to the replacement, with a note on stderr (never on
 * stdout, so --json output stays one object).
 */
export function deprecatedAlias(cmd: Command, oldFlags: string, replacement: string): Command {
  const old = new Option(oldFlags, `deprecated: use ${replacement}`).hideHelp();
  const target = cmd.options.find((o) => o.long === replacement);
  if (!target)
    throw new Error(
      `${cmd.name()}: deprecatedAlias(${oldFlags}) names ${replacement}, which the command does not have`,
    );
  cmd.addOption(old);
  cmd.hook('preAction', (_program, action) => {
    if (action !== cmd || cmd.getOptionValueSource(old.attributeName()) !== 'cli') return;
    if (cmd.getOptionValueSource(target.attributeName()) === 'cli')
      throw new UsageError(`give ${replacement} (or its deprecated spelling ${old.long}), not both`);
    cmd.setOptionValueWithSource(target.attributeName(), cmd.getOptionValue(old.attributeName()), 'cli');
    process.stderr.write(
      `scalelab: warning: ${old.long} is deprecated for "${commandPath(cmd)}"; use ${replacement} (${old.long} goes in the next release)\n`,
    );
  });
  return cmd;
}

/** `sweep run`, `fit`: a command's words after the program name. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The deprecated aliases a command accepts (hidden options named "deprecated: use …"). */
export function deprecatedAliases(cmd: Command): DeprecatedAlias[] {
  return cmd.options
    .filter((o) => o.hidden && o.description.startsWith('deprecated: use '))
    .map((o) => ({ old: o.long!, replacement: o.description.slice('deprecated: use '.length) }));
}
