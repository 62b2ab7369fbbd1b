/**
 * Flags shared by `sweep run` and `study run`: which backend, and how runs cost time on it.
 */
import type { Command } from 'commander';
import { defaultGpu, deprecatedAlias, flag } from './flags.js';
import { UsageError } from '../errors/index.js';
import { loadWorld } from '../lab/loadWorld.js';
import { worldArchitecture, worldCostModel } from '../experiments/worldCostModel.js';
import type { World } from '../lab/world.js';
import { accelerator } from '../hardware/catalog.js';
import { assumedCostModel, type Architecture, type CostModel } from '../experiments/design.js';
import type { Backend } from '../experiments/backends/backend.js';
import { simBackend } from '../experiments/backends/sim.js';
import { apiBackend, apiMaxRuntime, CALL_TIMEOUT_MS } from '../experiments/backends/api.js';
import { localBackend } from '../experiments/backends/local.js';
import { slurmBackend } from '../experiments/backends/slurm/index.js';
import { keyword, parseFraction, parseInteger, parseQuantity } from './options.js';
import { flagFor } from './optionFlags.js';
import { describeWriter, type WriterInfo } from '../store/writers.js';
import { type RunStore } from '../store/store.js';
import { planDifferences, type StudyPlanRecord } from '../experiments/studyPlan.js';
import { FAIL_FAST_RUNS, UNREACHABLE_TIMEOUT_MS, type SweepOptions } from '../experiments/runner.js';
import { onInterrupt } from './interrupt.js';
import { counted, formatNumber } from '../core/format.js';

export interface BackendFlags {
  backend: string;
  world?: string;
  url?: string;
  apiKey?: string;
  maxRuntime?: string;
  runtimeMargin?: string;
  callTimeout?: string;
  unreachableTimeout?: string;
  command?: string;
  concurrency?: string;
  threadsPerRun?: string;
  runTimeout?: string;
  partition?: string;
  sbatchArg?: string[];
  array?: boolean;
  arrayMax?: string;
  runsDir: string;
  gpu: string;
  mfu: string;
  peakFlops?: string;
  overhead: string;
  widthMultiple: string;
  minLayers: string;
  vocab: string;
  seqLen: string;
  poll: string;
  keepGoing?: boolean;
  budgetCount: string;
  ratio: string;
  sizes: string;
  span: string;
  priorRatio?: string;
}

/**
 * A command's backend flags. `waitsForRuns`: the command runs a sweep and waits for its runs (`sweep run`,
 * `study run`), so it takes --unreachable-timeout; planning and cancelling never wait out a backend away.
 */
export function addBackendFlags(cmd: Command, o: { waitsForRuns?: boolean } = {}): Command {
  cmd
    .option('--backend <name>', backendNames.map((n) => `${n} (${entryOf(n).help})`).join(', '), 'sim')
    .addOption(
      flag('world', {
        detail:
          'with --backend sim the world to run (default: worlds/default.json); with api the world the server runs ("lab serve --world"), to plan with its hardware and report the regret',
      }),
    )
    .option('--url <url>', 'api: base URL of the training API, e.g. http://127.0.0.1:8000')
    .addOption(flag('api-key', { detail: 'with --backend api (default: $SCALELAB_API_KEY)' }))
    .option(
      '--max-runtime <seconds>',
      'api: max_runtime_seconds of every run (default: learnt from the server: the first run alone with a generous limit, then its reported runtime × --runtime-margin)',
    )
    .option('--runtime-margin <x>', "api: reserve this multiple of the runtime the server's reported runs imply", '2')
    .option(
      '--call-timeout <seconds>',
      `api: how long one call waits for the training API's answer before the server counts as away (default: ${CALL_TIMEOUT_MS / 1000})`,
    );
  if (o.waitsForRuns)
    cmd.option(
      '--unreachable-timeout <seconds>',
      `api/slurm: how long the sweep keeps trying a training API out of reach (no answer, a refused connection, a gateway's 502/503/504) or a Slurm controller that does not answer (a failover) before it stops, no run failed (default: ${UNREACHABLE_TIMEOUT_MS / 1000}); a flag of sweep run and study run, the commands that wait for runs`,
    );
  cmd
    .option(
      '--command <template>',
      'local/slurm: command per run, e.g. "python train.py --layers {n_layer} --d-model {d_model} --tokens {tokens} --lr {lr} --out {run_dir}"',
    )
    .option('--concurrency <n>', 'runs in flight at once (local default 1, api 8, slurm 64)')
    .option(
      '--threads-per-run <n>',
      'local: CPU threads per run, exported as OMP_NUM_THREADS (default: cores / concurrency)',
    )
    .option(
      '--run-timeout <seconds>',
      'local/slurm: end a run still going after this many seconds (its whole process group: SIGTERM, SIGKILL 10 s later); it fails "timed out after N s". Slurm also gets sbatch --time, a minute longer',
    )
    .option('--partition <name>', 'slurm: partition')
    .option(
      '--sbatch-arg <arg...>',
      'slurm: extra sbatch arguments, e.g. --sbatch-arg=--gres=gpu:1 (not -J/--job-name: ScaleLab names the jobs to find them again)',
    )
    .option(
      '--no-array',
      "slurm: one sbatch job per run instead of one job array per pass (for sites that count array tasks against a user's job limit differently, or forbid arrays)",
    )
    .option(
      '--array-max <n>',
      "slurm: most runs in one job array (default: the cluster's MaxArraySize from scontrol show config, else 1000)",
    )
    .option('--runs-dir <dir>', 'local/slurm: folder for run folders', '.scalelab/runs')
    .addOption(flag('gpu', { detail: "non-sim backends: the cost model's hardware", default: defaultGpu }))
    .addOption(flag('mfu', { detail: 'non-sim backends', default: '0.4' }))
    .addOption(flag('peak-flops', { detail: 'non-sim backends, e.g. 2e10 for two CPU cores' }))
    .option('--overhead <seconds>', 'non-sim backends: start-up seconds per run', '0')
    .option('--width-multiple <n>', 'non-sim backends: d_model a multiple of this, heads of this dimension', '64')
    .option(
      '--min-layers <n>',
      'non-sim backends: fewest layers a model may have (1 allows one-layer models for tiny CPU studies)',
      '2',
    )
    .addOption(flag('vocab', { detail: 'non-sim backends: of the trained models', default: '32000' }))
    .addOption(flag('seq-len', { detail: 'non-sim backends: of the trained models', default: '512' }))
    .option('--poll <seconds>', 'seconds between status polls', '2')
    .option(
      '--keep-going',
      `submit every run even when the first ${FAIL_FAST_RUNS} all fail with one reason (by default the sweep then stops submitting and cancels the runs not started; "sweep retry" queues them again)`,
    )
    .option('--budget-count <n>', 'how many IsoFLOP budgets the sweep has', '5')
    .option('--ratio <x>', 'ratio between consecutive budgets', '3')
    .option('--sizes <n>', 'model sizes per budget', '7')
    .option('--span <x>', 'sizes span ×span around the prior optimum', '32')
    .option(
      '--prior-ratio <tokens>',
      'centre the sizes on N = √(C/(6·R)), R tokens per parameter, instead of the epoch-2024 law (for data unlike web text, e.g. characters)',
    );
  deprecatedAlias(cmd, '--budgets <n>', '--budget-count');
  return deprecatedAlias(cmd, '--threads <n>', '--threads-per-run');
}

/** Sweep-design flags as options for designSweep / runStudy. */
export function designFlags(f: {
  budgetCount: string;
  ratio: string;
  sizes: string;
  span: string;
  priorRatio?: string;
}) {
  return {
    ...(f.priorRatio !== undefined ? { priorTokensPerParameter: parseQuantity(f.priorRatio, '--prior-ratio') } : {}),
    budgets: parseInteger(f.budgetCount, '--budget-count', 2),
    ratio: parseQuantity(f.ratio, '--ratio'),
    sizes: parseInteger(f.sizes, '--sizes', 3),
    span: parseQuantity(f.span, '--span'),
  };
}

/** The flags that decide a study's runs on this backend (for resuming it: see openStudy). */
export function studyPlanFlags(f: BackendFlags): Record<string, string | boolean | null> {
  const flags: Record<string, string | boolean | null> = {
    '--backend': f.backend,
    '--world': f.world ?? null,
    '--budget-count': f.budgetCount,
    '--ratio': f.ratio,
    '--sizes': f.sizes,
    '--span': f.span,
    '--prior-ratio': f.priorRatio ?? null,
  };
  // Off the simulated lab the cost model and the architecture shape every run too.
  if (!isWorldSet(f.backend))
    Object.assign(flags, {
      '--gpu': f.peakFlops ? null : f.gpu,
      '--peak-flops': f.peakFlops ?? null,
      '--mfu': f.mfu,
      '--overhead': f.overhead,
      '--vocab': f.vocab,
      '--seq-len': f.seqLen,
      '--width-multiple': f.widthMultiple,
      '--min-layers': f.minLayers,
    });
  return flags;
}

/**
 * Start a study, or resume it: a study the store already holds is resumed (said on stderr) when it
 * was planned the same way; planned otherwise, it is refused (its runs and these would be fitted
 * together as one sweep) unless `extend`, naming each difference.
 * @throws UsageError naming the store, the study and the differences
 */
export function openStudy(
  store: RunStore,
  f: { db: string; study: string; extend?: boolean },
  asked: StudyPlanRecord,
): void {
  const stored = store.studyConfig(f.study);
  if (stored === undefined) {
    store.study(f.study, asked);
    return;
  }
  const differences = planDifferences(stored, asked);
  if (differences.length && !f.extend) {
    throw new UsageError(
      `${f.db}: study "${f.study}" was planned otherwise (${differences.join('; ')}): its runs and this plan's would be fitted together. Give another --study NAME, or --extend to add this plan's runs to it`,
    );
  }
  const runs = store.runs({ study: f.study });
  // A study that only imports made holds no plan to resume: this command plans it, beside those runs.
  if (!runs.some((r) => r.phase !== null)) {
    store.study(f.study, asked);
    process.stderr.write(
      `scalelab: study "${f.study}" in ${f.db} holds ${counted(runs.length, 'imported run')} and no plan yet: planning its own runs beside them\n`,
    );
    return;
  }
  const completed = runs.filter((r) => r.status === 'completed').length;
  process.stderr.write(
    `scalelab: resuming study "${f.study}" in ${f.db}: ${runs.length} runs stored, ${completed} completed${differences.length ? `; extended with a different plan (--extend: ${differences.join('; ')})` : ''}\n`,
  );
}

export interface BackendSetup {
  backend: Backend;
  cost: CostModel;
  architecture: Architecture;
  world?: World;
  /** How long a sweep waits for the backend out of reach (--unreachable-timeout); unset: the runner's default. */
  unreachableTimeoutMs?: number;
}

/** Flags that cost runs on assumed hardware or shape models for a real trainer: a world sets these. */
const costFlags = [
  ['gpu', '--gpu'],
  ['peakFlops', '--peak-flops'],
  ['mfu', '--mfu'],
  ['overhead', '--overhead'],
  ['vocab', '--vocab'],
  ['seqLen', '--seq-len'],
  ['widthMultiple', '--width-multiple'],
  ['minLayers', '--min-layers'],
] as const;

/** What every backend is made from: the flags, --concurrency parsed, and the command (for warnings). */
interface BackendRequest {
  f: BackendFlags;
  concurrency?: number;
  cmd?: Command;
}

/**
 * A backend as the CLI offers it: its line in --backend's help, the flags it reads beyond those
 * every backend takes (--backend, --concurrency, --poll, --keep-going, the sweep design's) and the
 * cost and shape flags (read unless its world sets the cost), and how it is made from them. Adding a backend to the CLI is one entry in `cliBackends` (the backend itself, and the
 * contract it keeps: src/experiments/backends/README.md).
 */
interface CliBackend {
  help: string;
  flags: readonly string[];
  /** Its world sets the runs' hardware and the models' shapes: the cost flags are not used. */
  worldSetsCost?: boolean;
  /** What it takes instead of --run-timeout, said when that is given to it. */
  insteadOfRunTimeout?: string;
  make(r: BackendRequest): BackendSetup;
}

/** The cost model and architecture from the flags, for a backend whose hardware the world does not set. */
function assumedSetup(f: BackendFlags): { cost: CostModel; architecture: Architecture } {
  const widthMultiple = parseInteger(f.widthMultiple, '--width-multiple', 8);
  const architecture: Architecture = {
    vocab: parseInteger(f.vocab, '--vocab', 1),
    seqLen: parseInteger(f.seqLen, '--seq-len', 1),
    ffnRatio: 4,
    widthMultiple,
    aspectRange: widthMultiple < 64 ? [8, 256] : [40, 160],
    limits: { dModel: [widthMultiple, 16384], nLayer: [parseInteger(f.minLayers, '--min-layers', 1), 256] },
  };
  const peak = f.peakFlops ? parseQuantity(f.peakFlops, '--peak-flops') : accelerator(f.gpu).peakFlops;
  const cost = assumedCostModel(
    peak,
    parseFraction(f.mfu, '--mfu'),
    architecture,
    parseQuantity(f.overhead, '--overhead', { positive: false, unit: 'seconds' }),
  );
  return { cost, architecture };
}

/** --command and --run-timeout, for a backend that runs a command per run. */
function commandFlags(f: BackendFlags, name: string): { command: string; timeoutSeconds?: number } {
  const timeoutSeconds =
    f.runTimeout !== undefined ? parseQuantity(f.runTimeout, '--run-timeout', { unit: 'seconds' }) : undefined;
  if (!f.command)
    throw new UsageError(
      `--backend ${name} needs --command TEMPLATE (placeholders: {n_layer} {d_model} {n_heads} {d_ff} {tokens} {batch_tokens} {lr} {seed} {run_dir} …)`,
    );
  return { command: f.command, timeoutSeconds };
}

const commandRunFlags = ['--command', '--run-timeout', '--runs-dir'] as const;

/** The backends `--backend` offers, in the order its help and errors list them. */
export const cliBackends = {
  sim: {
    help: 'in-process simulated lab',
    flags: ['--world'],
    worldSetsCost: true,
    make({ f, cmd }) {
      const world = loadWorld(f.world);
      const cost = worldCostModel(world);
      // Flags typed for another backend but given to the sim are named: `sweep plan --gpu v100`
      // planned the world's B200 hours and said nothing.
      const unused = costFlags
        .filter(([attribute]) => cmd?.getOptionValueSource(attribute) === 'cli')
        .map(([, name]) => name);
      if (unused.length)
        process.stderr.write(
          `scalelab: warning: ${unused.join(', ')} ${unused.length === 1 ? 'is' : 'are'} not used with --backend sim: its world sets the hardware and the models' shapes (${cost.description}); they apply to --backend ${andList(backendNames.filter((n) => !isWorldSet(n)))}\n`,
        );
      return { backend: simBackend(world), cost, architecture: worldArchitecture(world), world };
    },
  },
  api: {
    help: 'a training API',
    flags: [
      '--url',
      '--api-key',
      '--max-runtime',
      '--runtime-margin',
      '--call-timeout',
      '--unreachable-timeout',
      '--world',
    ],
    insteadOfRunTimeout: 'the training API takes --max-runtime',
    make({ f, concurrency }) {
      const { cost, architecture } = assumedSetup(f);
      if (!f.url)
        throw new UsageError('--backend api needs --url (e.g. http://127.0.0.1:8000 from "scalelab lab serve")');
      // A URL fetch cannot use is a typo, not a server away: refused now, not retried for two minutes.
      let scheme: string | undefined;
      try {
        scheme = new URL(f.url).protocol;
      } catch {
        scheme = undefined;
      }
      if (scheme !== 'http:' && scheme !== 'https:')
        throw new UsageError(
          `--url ${f.url}: expected an http:// or https:// URL such as http://127.0.0.1:8000${f.url.includes('://') ? '' : ` (write http://${f.url})`}`,
        );
      const key = f.apiKey ?? process.env.SCALELAB_API_KEY;
      if (!key) throw new UsageError('--backend api needs --api-key or $SCALELAB_API_KEY');
      const maxRuntimeSeconds =
        f.maxRuntime !== undefined ? parseQuantity(f.maxRuntime, '--max-runtime', { unit: 'seconds' }) : undefined;
      if (maxRuntimeSeconds !== undefined && maxRuntimeSeconds > apiMaxRuntime)
        throw new UsageError(
          `--max-runtime ${f.maxRuntime}: the training API allows at most ${apiMaxRuntime} s (12 h)`,
        );
      const runtimeMargin =
        f.runtimeMargin !== undefined ? parseQuantity(f.runtimeMargin, '--runtime-margin') : undefined;
      // With --world the server runs that world (scalelab lab serve --world W): plan with its hardware, and state the regret.
      const world = f.world ? loadWorld(f.world) : undefined;
      const backend = apiBackend({
        url: f.url,
        apiKey: key,
        seqLen: world ? world.architecture.seqLen : architecture.seqLen,
        concurrency,
        maxRuntimeSeconds,
        runtimeMargin,
        optionNames: flagFor,
        ...(f.callTimeout !== undefined
          ? { callTimeoutMs: 1000 * parseQuantity(f.callTimeout, '--call-timeout', { unit: 'seconds' }) }
          : {}),
      });
      return world
        ? { backend, cost: worldCostModel(world), architecture: worldArchitecture(world), world }
        : { backend, cost, architecture };
    },
  },
  local: {
    help: 'a command per run',
    flags: [...commandRunFlags, '--threads-per-run'],
    make({ f, concurrency }) {
      const { cost, architecture } = assumedSetup(f);
      const { command, timeoutSeconds } = commandFlags(f, 'local');
      const threads = f.threadsPerRun ? parseInteger(f.threadsPerRun, '--threads-per-run', 1) : undefined;
      const backend = localBackend({
        command,
        root: f.runsDir,
        concurrency,
        threads,
        timeoutSeconds,
        // Said, so that a user who meant to train again (a changed trainer) knows what to remove.
        onRecovered: (run, { dir, state }) =>
          process.stderr.write(
            `scalelab: note: run ${run.id} (${run.name ?? run.key}): its folder ${dir} holds this same command's result from before (${state === 'completed' ? 'completed): recovered, not trained again' : 'still running): followed, not started again'}; remove the folder to train it again\n`,
          ),
      });
      return { backend, cost, architecture };
    },
  },
  slurm: {
    help: 'sbatch per run',
    // A controller out of reach (a failover, a restart) stops the sweep after --unreachable-timeout.
    flags: [...commandRunFlags, '--partition', '--sbatch-arg', '--no-array', '--array-max', '--unreachable-timeout'],
    make({ f, concurrency }) {
      const { cost, architecture } = assumedSetup(f);
      const { command, timeoutSeconds } = commandFlags(f, 'slurm');
      const arrayMax = f.arrayMax !== undefined ? parseInteger(f.arrayMax, '--array-max', 1) : undefined;
      const backend = slurmBackend({
        command,
        root: f.runsDir,
        concurrency,
        partition: f.partition,
        sbatchArgs: f.sbatchArg,
        array: f.array !== false,
        arrayMax,
        timeoutSeconds,
        optionNames: flagFor,
        // In the CLI's words, not Node's process-warning format (its --trace-warnings hint is for developers).
        onWarning: (message) => process.stderr.write(`scalelab: warning: ${message}\n`),
      });
      return { backend, cost, architecture };
    },
  },
} satisfies Record<string, CliBackend>;

type BackendName = keyof typeof cliBackends;
const backendNames = Object.keys(cliBackends) as BackendName[];
const entryOf = (name: BackendName): CliBackend => cliBackends[name];
const isWorldSet = (name: string) =>
  Object.hasOwn(cliBackends, name) && entryOf(name as BackendName).worldSetsCost === true;

/** "a", "a and b", "a, b and c". */
function andList(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The backend and its cost model. With `cmd`, flags typed for another backend but given to the sim
 * (whose world sets hardware and shapes) are named in a warning.
 */
export function makeBackend(f: BackendFlags, cmd?: Command): BackendSetup {
  const name = keyword(f.backend, '--backend', backendNames);
  const entry = entryOf(name);
  const concurrency = f.concurrency ? parseInteger(f.concurrency, '--concurrency', 1) : undefined;
  if (f.runTimeout !== undefined && !entry.flags.includes('--run-timeout'))
    throw new UsageError(
      `--run-timeout applies to --backend ${andList(backendNames.filter((n) => entryOf(n).flags.includes('--run-timeout')))}${entry.insteadOfRunTimeout ? `; ${entry.insteadOfRunTimeout}` : ''}`,
    );
  // Only a training API and a Slurm controller are ever out of reach (BackendUnreachable), and only
  // the API's calls have a timeout of their own: elsewhere these were silently unused.
  for (const [given, name, why] of [
    [f.callTimeout, '--call-timeout', 'the one backend whose calls wait for an answer over the network'],
    [
      f.unreachableTimeout,
      '--unreachable-timeout',
      'a training API or a Slurm controller, the backends a sweep waits for when they are out of reach',
    ],
  ] as const)
    if (given !== undefined && !entry.flags.includes(name))
      throw new UsageError(
        `${name} applies to --backend ${andList(backendNames.filter((n) => entryOf(n).flags.includes(name)))} (${why})`,
      );
  const setup = entry.make({ f, concurrency, cmd });
  return f.unreachableTimeout !== undefined
    ? {
        ...setup,
        unreachableTimeoutMs: 1000 * parseQuantity(f.unreachableTimeout, '--unreachable-timeout', { unit: 'seconds' }),
      }
    : setup;
}

/** What a sweep does while its backend is out of reach: how long it waits, and the lines it says meanwhile. */
export function unreachableWait(
  setup: BackendSetup,
): Required<Pick<SweepOptions, 'unreachableTimeoutMs' | 'onUnreachable'>> {
  const unreachableTimeoutMs = setup.unreachableTimeoutMs ?? UNREACHABLE_TIMEOUT_MS;
  return { unreachableTimeoutMs, onUnreachable: backendUnreachableNotice(unreachableTimeoutMs) };
}

/**
 * What a sweep says while another process holds its store's write lock (SweepOptions.onBusy): a
 * line when it starts waiting, and one a minute while it goes on.
 */
export function storeBusyNotice(path: string): (wait: { holder: WriterInfo | undefined; waitedMs: number }) => void {
  let said = -Infinity;
  return ({ holder, waitedMs }) => {
    if (waitedMs - said < 60_000) return;
    said = waitedMs;
    process.stderr.write(
      `scalelab: waiting for the run store ${path}: ${describeWriter(holder, path)}${waitedMs >= 1000 ? ` (waited ${Math.round(waitedMs / 1000)} s)` : ''}; the sweep goes on when it is free\n`,
    );
  };
}

/**
 * The line a sweep prints while its backend is out of reach (a training API stopped or restarting),
 * at once and then every 30 s: the runner tries again for up to `timeoutMs` before it stops.
 */
function backendUnreachableNotice(timeoutMs: number): (wait: { message: string; waitedMs: number }) => void {
  let said = -Infinity;
  return ({ message, waitedMs }) => {
    if (waitedMs - said < 30_000) return;
    said = waitedMs;
    process.stderr.write(
      `scalelab: ${message}; trying again for up to ${formatNumber(timeoutMs / 1000, 3)} s${waitedMs >= 1000 ? ` (waited ${Math.round(waitedMs / 1000)} s)` : ''}, every run left as it is\n`,
    );
  };
}

/**
 * What a sweep or study stopped by Ctrl-C (or SIGTERM) leaves, said in its last line: the runs in flight
 * go on where a backend runs them outside this process (local runs are detached, in their run folders;
 * the simulator's stop with it) and the study's claim is released, so the same
 * command run again resumes it, collecting their results and training nothing twice (experiments/runner.ts).
 * @returns a function that withdraws it, for when the sweep is over
 */
export function interruptedSweep(store: RunStore, study: string, backend: Backend, stop: () => void): () => void {
  return onInterrupt(() => {
    stop();
    const runs = store.runs({ study });
    const inFlight = runs.filter(
      (r) => r.status === 'submitting' || r.status === 'queued' || r.status === 'running',
    ).length;
    const submitting = runs.filter((r) => r.status === 'submitting').length;
    return interruptedSweepNote(inFlight, study, backend.name, submitting, backend.notSubmitted?.() ?? 0);
  });
}

/** Where a run in flight goes on once the sweep has stopped; the simulator's runs live in the sweep's process. */
const runsGoOn: Record<string, string> = {
  local: 'in its run folder',
  slurm: 'as its Slurm job',
  api: 'at the training API',
};

/**
 * The interrupted sweep's last line: what became of its runs in flight, and how to resume.
 * @param notSubmitted runs in flight (stored as queued) that had not reached the backend (Backend.notSubmitted)
 */
export function interruptedSweepNote(
  inFlight: number,
  study: string,
  backend: string,
  submitting = 0,
  notSubmitted = 0,
): string {
  if (!inFlight) return `no run was in flight; the same command again resumes study "${study}"`;
  const held = Math.min(notSubmitted, inFlight);
  if (held > 0) {
    // Stored as queued with the handle submit() gave, but no job runs them: said as it is, not as going on.
    const goOn = inFlight - held;
    const where = backend === 'slurm' ? 'Slurm' : `the ${backend} backend`;
    const first =
      goOn > 0
        ? `${counted(inFlight, 'run')} in flight: ${goOn} go${goOn === 1 ? 'es' : ''} on (${goOn === 1 ? 'it' : 'each'} ${runsGoOn[backend] ?? 'where it runs'}); ${held} had not reached ${where}`
        : `${counted(inFlight, 'run')} in flight had not reached ${where}`;
    return `${first} (waiting to be submitted, or ${held === 1 ? 'its' : 'their'} submission got no answer): no job runs ${held === 1 ? 'it' : 'them'}, kept as queued in the store; the same command again ${goOn > 0 ? 'collects the results of those that go on, ' : ''}submits ${held === 1 ? 'it' : 'them'}${backend === 'slurm' ? ' (first asking squeue for any job an unanswered sbatch created, so nothing is sent twice)' : ''} and resumes study "${study}"`;
  }
  const them = inFlight === 1 ? 'it' : 'them';
  if (!runsGoOn[backend])
    return `${counted(inFlight, 'run')} in flight stopped with it (the ${backend} backend runs them in this process); the same command again resumes study "${study}" and runs ${them} again`;
  // A run caught while being submitted may not have reached the backend: it goes on only if it did.
  const one = submitting === 1;
  const caught =
    submitting > 0
      ? `; ${submitting === inFlight ? (one ? 'it was' : 'all were') : `${submitting} of them ${one ? 'was' : 'were'}`} caught while being submitted: the next sweep looks ${one ? 'it' : 'each'} up and submits ${one ? 'it' : 'those'} only if the backend did not get ${one ? 'it' : 'them'}`
      : '';
  return `${counted(inFlight, 'run')} in flight go${inFlight === 1 ? 'es' : ''} on (${inFlight === 1 ? 'it' : 'each'} ${runsGoOn[backend]}${caught}); the same command again collects ${inFlight === 1 ? 'its result' : 'their results'} and resumes study "${study}" without training anything twice ("scalelab sweep cancel --study ${study}" ends ${them})`;
}

/**
 * Before a new study's first run: a training API whose budget cannot hold the experiments planned (a lab
 * whose budget an earlier sweep spent) is said on stderr, as every submit beyond it will be refused.
 */
export async function warnBudgetShort(
  backend: Backend,
  neededSeconds: number,
  store: RunStore,
  study: string,
): Promise<void> {
  if (!backend.remainingSeconds || store.studies().some((s) => s.name === study)) return;
  const left = await backend.remainingSeconds();
  if (left === undefined || left >= neededSeconds) return;
  const hours = (s: number) => formatNumber(Math.max(0, s) / 3600, 3);
  process.stderr.write(
    `scalelab: warning: the training API has ${hours(left)} h of its budget left (GET /budget), less than the ${hours(neededSeconds)} h of experiments planned: the runs beyond it will be refused (400 over budget); plan within it (--experiment-hours), or start a new lab ("scalelab lab serve --reset")\n`,
  );
}
