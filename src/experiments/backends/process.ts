/**
 * Shared by the local and Slurm backends: the command template, the run folder, and reading what a
 * finished command left behind (bin/run-wrapper.mjs writes exit.json; the training command writes
 * JSONL metrics).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { counted } from '../../core/format.js';
import { OptionError } from '../../errors/index.js';
import { packagePath } from '../../io/packageRoot.js';
import type { StoredRun } from '../../store/store.js';
import { parseMetrics, reachedPlannedTokens, type MetricsRead } from '../../io/parseMetrics.js';
import { runConfig } from './backend.js';
import type { BackendStatus } from './backend.js';

/** bin/run-wrapper.mjs, from the sources or the build alike. */
export const wrapperPath = packagePath('bin', 'run-wrapper.mjs');

/**
 * Split a template into words (shell-like quotes and backslashes for the template's own text), then
 * substitute {placeholders} inside each word. Values never pass through a shell and never split:
 * a value with spaces, quotes or `;` stays one argument, character for character.
 */
export function expandTemplate(template: string, values: Record<string, string | number>): string[] {
  const words: string[] = [];
  let cur = '',
    quote: '"' | "'" | null = null,
    started = false;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < template.length) cur += template[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (ch === '\\' && i + 1 < template.length) {
      cur += template[++i];
      started = true;
    } else if (/\s/.test(ch)) {
      if (started || cur) words.push(cur);
      cur = '';
      started = false;
    } else {
      cur += ch;
      started = true;
    }
  }
  if (quote)
    throw new OptionError({
      option: 'command',
      value: template,
      message: `unterminated ${quote} quote in "${template}"`,
    });
  if (started || cur) words.push(cur);
  if (words.length === 0)
    throw new OptionError({ option: 'command', value: template, message: 'the template is empty' });
  return words.map((w) =>
    w.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (!(name in values))
        throw new OptionError({
          option: 'command',
          value: template,
          allowed: Object.keys(values),
          message: `unknown placeholder {${name}} (known: ${Object.keys(values)
            .map((k) => `{${k}}`)
            .join(', ')})`,
        });
      return String(values[name]);
    }),
  );
}

/** The placeholders a command template may use, each filled per run by templateValues. */
const placeholderNames = [
  'n_layer',
  'd_model',
  'n_heads',
  'd_ff',
  'tokens',
  'batch_tokens',
  'lr',
  'learning_rate',
  'parametrization',
  'n_evals',
  'seed',
  'run_dir',
  'run_id',
  'run_key',
] as const;

/**
 * Checks a command template before any run is stored or submitted: an unknown placeholder
 * ({n_layr}) or an unterminated quote would otherwise fail every run of the sweep, one by one.
 * @throws OptionError (option "command")
 */
export function checkTemplate(template: string): void {
  expandTemplate(template, Object.fromEntries(placeholderNames.map((n) => [n, 0])));
}

export function templateValues(
  run: StoredRun,
  runDir: string,
): Record<(typeof placeholderNames)[number], string | number> {
  const c = runConfig(run);
  return {
    n_layer: c.n_layer,
    d_model: c.d_model,
    n_heads: c.n_heads,
    d_ff: c.d_ff ?? 4 * c.d_model,
    tokens: Math.round(c.tokens),
    batch_tokens: c.batch_tokens,
    lr: c.learning_rate,
    learning_rate: c.learning_rate,
    parametrization: c.parametrization ?? 'sp',
    n_evals: c.n_evals ?? 10,
    seed: c.seed ?? 0,
    run_dir: runDir,
    run_id: run.id,
    run_key: run.key,
  };
}

/** The name of a run's own folder under its study's (its id and the start of its key). */
export function runFolderName(run: Pick<StoredRun, 'id' | 'key'>): string {
  return `${run.id}-${run.key.slice(0, 12).replace(/[^\w.-]+/g, '_')}`;
}

export function runDirectory(root: string, run: StoredRun): string {
  const dir = resolve(root, run.study.replace(/[^\w.-]+/g, '_'), runFolderName(run));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * What one attempt of a run writes in its folder: its outcome, metrics and logs (readMetrics falls
 * back to stdout.log, which the wrapper appends to, and a trainer may append to metrics.jsonl). A new
 * attempt starts without them; Slurm's job script removes them too, for a job Slurm requeued.
 */
export const ATTEMPT_FILES = ['exit.json', 'metrics.jsonl', 'pid', 'group.json', 'stdout.log', 'stderr.log'];

/**
 * Clear what an earlier attempt of this run left in its folder (a retry reuses it), and its cancel
 * marker, so the new attempt can be judged only by its own output.
 */
export function clearAttempt(runDir: string, more: string[] = []): void {
  for (const f of [...ATTEMPT_FILES, CANCELLED, ...more]) rmSync(join(runDir, f), { force: true });
}

/**
 * Whether a submitted run's folder was removed since (a clean-up of the runs folder, a purged scratch
 * space): the submit writes job.json there and nothing else removes it, so a folder without it is a
 * new one, made again by runDirectory, the wrapper or the command itself.
 */
export function runFolderRemoved(runDir: string): boolean {
  return !existsSync(join(runDir, 'job.json'));
}

/**
 * A run's state as a backend read it from its folder, checked against the folder's removal (`removed`,
 * from runFolderRemoved, taken before the backend looked). What the run wrote before the removal is
 * gone, so an ended run fails saying so, even when what is left looks complete: a trainer that opens
 * its metrics for each evaluation writes the later ones into the folder made again, and they would be
 * stored as the whole run. A run in flight is left to end first.
 */
export function checkRunFolder(runDir: string, s: BackendStatus, removed: boolean): BackendStatus {
  if (!removed || (s.state !== 'completed' && s.state !== 'failed')) return s;
  const gone = `its run folder ${runDir} was removed`;
  if (!['exit.json', 'metrics.jsonl', 'stdout.log'].some((f) => existsSync(join(runDir, f))))
    return {
      state: 'failed',
      reason: `${gone} before its result was collected (no job.json there): what the command left is gone; "sweep retry" queues it again`,
    };
  const evals = s.evals ?? [];
  const after =
    s.state === 'completed'
      ? `the metrics left there (${counted(evals.length, 'evaluation')}, from ${evals[0]?.tokens ?? 0} tokens) may be only what it wrote after; "sweep retry" runs it again`
      : s.reason;
  return {
    state: 'failed',
    reason: `${gone} while it ran (no job.json there), so what it wrote before is gone: ${after}`,
    evals,
    ...(s.seconds !== undefined ? { seconds: s.seconds } : {}),
  };
}

/** Marker a `sweep cancel` leaves in a run folder, so a sweep process still holding the run unsubmitted drops it. */
export const CANCELLED = 'cancelled';

/** The reason a run cancelled by the user is recorded with, by `sweep cancel` and by the backend alike. */
export const CANCELLED_REASON = 'cancelled by "scalelab sweep cancel"';

/**
 * A run `sweep cancel` marked that then ended without completing is cancelled, as `sweep cancel` records
 * it — not failed, "killed by SIGTERM", by the signal the cancel sent: a sweep still polling it, or one
 * run again, says the same as the store. One that completed before the signal reached it stays completed.
 */
export function asCancelled(runDir: string, s: BackendStatus): BackendStatus {
  if (s.state !== 'failed') return s;
  const marked = statSync(join(runDir, CANCELLED), { throwIfNoEntry: false });
  if (!marked) return s;
  // A run that had failed on its own (out of memory) before the cancel was marked keeps its reason.
  const ended = statSync(join(runDir, 'exit.json'), { throwIfNoEntry: false });
  if (ended && ended.mtimeMs < marked.mtimeMs) return s;
  return { ...s, state: 'cancelled', reason: CANCELLED_REASON };
}

/** Where bin/run-wrapper.mjs records the command's process group: { pgid, started (ms since the epoch) }. */
const GROUP = 'group.json';

export interface JobLimits {
  /** The wrapper ends the command's process group after this many seconds (--run-timeout). */
  timeoutSeconds?: number;
  /** Seconds between SIGTERM and SIGKILL when the wrapper ends the group. @default 10 */
  graceSeconds?: number;
}

export function writeJob(
  runDir: string,
  argv: string[],
  cwd: string,
  env?: Record<string, string>,
  limits: JobLimits = {},
): void {
  writeFileSync(
    join(runDir, 'job.json'),
    JSON.stringify({ argv, cwd, ...(env && Object.keys(env).length ? { env } : {}), ...limits }, null, 2),
  );
}

/** The command's process group as the wrapper recorded it, if it did. */
export function readGroup(runDir: string): { pgid: number; started: number } | undefined {
  try {
    const g = JSON.parse(readFileSync(join(runDir, GROUP), 'utf8')) as { pgid: unknown; started: unknown };
    return Number.isInteger(g.pgid) && typeof g.started === 'number'
      ? { pgid: g.pgid as number, started: g.started }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The file a command's metrics are read from: RUN_DIR/metrics.jsonl, or failing that its stdout. */
function metricsFile(runDir: string): string {
  return existsSync(join(runDir, 'metrics.jsonl')) ? join(runDir, 'metrics.jsonl') : join(runDir, 'stdout.log');
}

/**
 * Metrics a training command wrote: JSONL lines in RUN_DIR/metrics.jsonl (or, failing that, JSON
 * lines on its stdout) with `tokens` and `val_loss` (or `loss`), each checked (../../io/parseMetrics.ts).
 */
export function readMetrics(runDir: string): MetricsRead {
  const file = metricsFile(runDir);
  if (!existsSync(file)) return { evals: [], final: false };
  return parseMetrics(readFileSync(file, 'utf8'), basename(file), basename(file) === 'metrics.jsonl');
}

function tail(file: string, lines = 5): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join(' | ');
}

interface ExitRecord {
  code: number | null;
  signal: string | null;
  seconds: number;
  error?: string;
  timedOut?: number;
}

/** exit.json as bin/run-wrapper.mjs writes it, or why it is not that (cut short, not JSON, fields missing). */
function readExitRecord(file: string): ExitRecord | { problem: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { problem: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  const shown = text.length > 60 ? `${JSON.stringify(text.slice(0, 60))}…` : JSON.stringify(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: `is ${text.length ? `cut short or not JSON (${text.length} bytes: ${shown})` : 'empty'}` };
  }
  const r = value as Partial<ExitRecord> | null;
  if (
    !r ||
    typeof r !== 'object' ||
    !(r.code === null || Number.isInteger(r.code)) ||
    !(r.signal === null || typeof r.signal === 'string') ||
    typeof r.seconds !== 'number'
  )
    return { problem: `is not an exit record (expected {"code", "signal", "seconds"}; it holds ${shown})` };
  return r as ExitRecord;
}

/**
 * The outcome of a finished wrapper run, or undefined while it has not ended. An exit.json that is
 * cut short or empty (the node crashed, the disk filled) does not say how the command ended: with
 * the run given, it is judged by its metrics as recoveredStatus does; without, it failed, saying why.
 */
export function finishedStatus(runDir: string, run?: StoredRun): BackendStatus | undefined {
  const exitFile = join(runDir, 'exit.json');
  if (!existsSync(exitFile)) return undefined;
  const exit = readExitRecord(exitFile);
  if ('problem' in exit) {
    const what = `its exit record ${exitFile} ${exit.problem}, so how the command ended is unknown`;
    if (run) return recoveredStatus(runDir, run, what);
    return { state: 'failed', reason: what, evals: readMetrics(runDir).evals };
  }
  const m = readMetrics(runDir);
  const { evals } = m;
  if (exit.code === 0 && exit.timedOut === undefined && !m.problem && evals.length > 0)
    return {
      state: 'completed',
      evals,
      loss: evals[evals.length - 1].loss,
      seconds: exit.seconds,
      ...(m.schedule ? { schedule: m.schedule } : {}),
    };
  const why =
    exit.timedOut !== undefined
      ? `timed out after ${exit.timedOut} s (its run timeout)`
      : (exit.error ??
        (exit.code !== 0
          ? exit.signal
            ? `killed by ${exit.signal}`
            : `exit code ${exit.code}`
          : (m.problem ??
            'the command exited 0 but wrote no validation loss (expected JSONL lines with "tokens" and "val_loss")')));
  const err = exit.code === 0 && m.problem ? '' : tail(join(runDir, 'stderr.log'));
  return { state: 'failed', reason: `${why}${err ? `: ${err}` : ''}`, evals, seconds: exit.seconds };
}

/**
 * The outcome of a run whose wrapper was killed (no exit.json) and whose command has ended too, from
 * what the command left in its folder. Without an exit status, a run counts as finished only when
 * its metrics say so (reachedPlannedTokens: a final evaluation, or the planned tokens reached);
 * anything less failed, with the reason — it is not run again by itself (`sweep retry` does).
 */
export function recoveredStatus(
  runDir: string,
  run: StoredRun,
  unknownEnd = 'the command ended without an exit record (bin/run-wrapper.mjs was killed, so how it ended is unknown)',
): BackendStatus {
  const m = readMetrics(runDir);
  const started = readGroup(runDir)?.started;
  const file = metricsFile(runDir);
  const seconds =
    started !== undefined && existsSync(file) ? Math.max(0, (statSync(file).mtimeMs - started) / 1000) : undefined;
  const last = m.evals.at(-1);
  if (last && reachedPlannedTokens(m, runConfig(run)))
    return {
      state: 'completed',
      evals: m.evals,
      loss: last.loss,
      seconds,
      ...(m.schedule ? { schedule: m.schedule } : {}),
    };
  const planned = runConfig(run).tokens;
  const why = m.problem ?? (last ? `its metrics stop at ${last.tokens} of ${planned} tokens` : 'it wrote no metrics');
  return {
    state: 'failed',
    reason: `${unknownEnd} and ${why}: the run did not finish`,
    evals: m.evals,
    seconds,
  };
}
