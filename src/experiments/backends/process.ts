/**
 * Shared by the local and Slurm backends: the command template, the run folder, and reading what a
 * finished command left behind (bin/run-wrapper.mjs writes exit.json; the training command writes
 * JSONL metrics).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../errors/index.js';
import type { Checkpoint, StoredRun } from '../../store/store.js';
import { runConfig } from './backend.js';
import type { BackendStatus } from './backend.js';

/** bin/run-wrapper.mjs, from the sources or the build alike. */
export const wrapperPath = fileURLToPath(new URL('../../../bin/run-wrapper.mjs', import.meta.url));

/**
 * Split a template into words (shell-like quotes and backslashes for the template's own text), then
 * substitute {placeholders} inside each word. Values never pass through a shell and never split:
 * a value with spaces, quotes or `;` stays one argument, character for character.
 */
export function expandTemplate(template: string, values: Record<string, string | number>): string[] {
  const words: string[] = [];
  let cur = '', quote: '"' | "'" | null = null, started = false;
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
  if (quote) throw new UsageError(`--command: unterminated ${quote} quote in "${template}"`);
  if (started || cur) words.push(cur);
  if (words.length === 0) throw new UsageError('--command: the template is empty');
  return words.map((w) =>
    w.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (!(name in values)) throw new UsageError(`--command: unknown placeholder {${name}} (known: ${Object.keys(values).map((k) => `{${k}}`).join(', ')})`);
      return String(values[name]);
    }),
  );
}

export function templateValues(run: StoredRun, runDir: string): Record<string, string | number> {
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

export function runDirectory(root: string, run: StoredRun): string {
  const dir = resolve(root, run.study.replace(/[^\w.-]+/g, '_'), `${run.id}-${run.key.slice(0, 12).replace(/[^\w.-]+/g, '_')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Clear what an earlier attempt of this run left in its folder (a retry reuses it): its outcome,
 * metrics and logs (readMetrics falls back to stdout.log, which the wrapper appends to), so the new
 * attempt can be judged only by its own output.
 */
export function clearAttempt(runDir: string, more: string[] = []): void {
  for (const f of ['exit.json', 'metrics.jsonl', 'pid', 'stdout.log', 'stderr.log', CANCELLED, ...more]) rmSync(join(runDir, f), { force: true });
}

/** Marker a `sweep cancel` leaves in a run folder, so a sweep process still holding the run unsubmitted drops it. */
export const CANCELLED = 'cancelled';

export function writeJob(runDir: string, argv: string[], cwd: string, env?: Record<string, string>): void {
  writeFileSync(join(runDir, 'job.json'), JSON.stringify({ argv, cwd, ...(env && Object.keys(env).length ? { env } : {}) }, null, 2));
}

/**
 * Metrics a training command wrote: JSONL lines in RUN_DIR/metrics.jsonl (or, failing that, JSON
 * lines on its stdout) with `tokens` and `val_loss` (or `loss`). Other fields are kept by the caller.
 */
export function readMetrics(runDir: string): Checkpoint[] {
  const file = existsSync(join(runDir, 'metrics.jsonl')) ? join(runDir, 'metrics.jsonl') : join(runDir, 'stdout.log');
  if (!existsSync(file)) return [];
  const out: Checkpoint[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const m = JSON.parse(t) as Record<string, unknown>;
      const loss = (m.val_loss ?? m.loss) as number | undefined;
      const tokens = (m.tokens ?? m.tokens_seen) as number | undefined;
      if (typeof loss === 'number' && Number.isFinite(loss) && typeof tokens === 'number') out.push({ tokens, loss, step: (m.step as number) ?? null });
    } catch {
      // a partial last line of a running command: ignore
    }
  }
  return out;
}

function tail(file: string, lines = 5): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join(' | ');
}

/** The outcome of a finished wrapper run, or undefined while it has not ended. */
export function finishedStatus(runDir: string): BackendStatus | undefined {
  const exitFile = join(runDir, 'exit.json');
  if (!existsSync(exitFile)) return undefined;
  const exit = JSON.parse(readFileSync(exitFile, 'utf8')) as { code: number | null; signal: string | null; seconds: number; error?: string };
  const evals = readMetrics(runDir);
  if (exit.code === 0 && evals.length > 0) return { state: 'completed', evals, loss: evals[evals.length - 1].loss, seconds: exit.seconds };
  const why =
    exit.error ??
    (exit.code === 0 ? 'the command exited 0 but wrote no validation loss (expected JSONL lines with "tokens" and "val_loss")' : exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`);
  const err = tail(join(runDir, 'stderr.log'));
  return { state: 'failed', reason: `${why}${err ? `: ${err}` : ''}`, evals, seconds: exit.seconds };
}
