/**
 * Run each planned run as a local command, filled in from a template, at most `concurrency` at a
 * time. Commands run detached under bin/run-wrapper.mjs, so a killed sweep leaves them running and
 * a restarted sweep picks their results up.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredRun } from '../../store/store.js';
import type { Backend, BackendStatus } from './backend.js';
import { clearAttempt, expandTemplate, finishedStatus, runDirectory, templateValues, wrapperPath, writeJob } from './process.js';

export interface LocalOptions {
  /** e.g. `python train.py --layers {n_layer} --d-model {d_model} --tokens {tokens} --lr {lr} --out {run_dir}` */
  command: string;
  /** Root of run folders. @default .scalelab/runs */
  root?: string;
  concurrency?: number;
  cwd?: string;
  /** CPU threads each run may use (exported as OMP_NUM_THREADS). @default ⌊cores / concurrency⌋, at least 1 */
  threads?: number;
}

/**
 * Thread variables for each run, unless the user set them: K runs that each start one thread per
 * core oversubscribe the machine, and BLAS threads then spin waiting for each other (a tiny
 * PyTorch model ran 14× slower that way on two busy cores).
 */
export function threadEnv(concurrency: number, threads?: number, env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): Record<string, string> {
  const n = String(Math.max(1, threads ?? Math.floor(cores / Math.max(1, concurrency))));
  const out: Record<string, string> = {};
  for (const name of ['OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS']) if (env[name] === undefined) out[name] = n;
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function localBackend(o: LocalOptions): Backend {
  const root = o.root ?? '.scalelab/runs';
  const cwd = o.cwd ?? process.cwd();
  const dirOf = (run: StoredRun) => runDirectory(root, run);
  const env = threadEnv(o.concurrency ?? 1, o.threads);
  return {
    name: 'local',
    concurrency: o.concurrency ?? 1,
    async submit(run) {
      const dir = dirOf(run);
      const argv = expandTemplate(o.command, templateValues(run, dir));
      // A retried run reuses its folder: clear the earlier attempt's outcome, or the first poll would read it.
      clearAttempt(dir);
      writeJob(dir, argv, cwd, env);
      const child = spawn(process.execPath, [wrapperPath, dir], { detached: true, stdio: 'ignore', cwd });
      child.unref();
      return `local-${child.pid}`;
    },
    async status(run): Promise<BackendStatus> {
      const dir = dirOf(run);
      const done = finishedStatus(dir);
      if (done) return done;
      const pidFile = join(dir, 'pid');
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : Number(run.externalId?.replace('local-', ''));
      if (Number.isFinite(pid) && alive(pid)) return { state: 'running' };
      // The wrapper may be starting; give it a moment before calling the run lost.
      await new Promise((r) => setTimeout(r, 200));
      const again = finishedStatus(dir);
      if (again) return again;
      if (!existsSync(pidFile)) return { state: 'queued' };
      return { state: 'failed', reason: 'the command ended without a result (the process was killed)' };
    },
    async find(run) {
      const dir = dirOf(run);
      return existsSync(join(dir, 'pid')) ? `local-${readFileSync(join(dir, 'pid'), 'utf8')}` : undefined;
    },
    async cancel(run) {
      const pidFile = join(dirOf(run), 'pid');
      if (existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
    },
  };
}
