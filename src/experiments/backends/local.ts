/**
 * Run each planned run as a local command, filled in from a template, at most `concurrency` at a
 * time. Commands run detached under bin/run-wrapper.mjs, so a killed sweep leaves them running and
 * a restarted sweep picks their results up; each in its own process group, which a time limit or a
 * cancel ends whole. A run whose wrapper was killed is followed by its process group, and judged by
 * its metrics when that has ended (process.ts, recoveredStatus).
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredRun } from '../../store/store.js';
import type { Backend, BackendStatus } from './backend.js';
import {
  asCancelled,
  CANCELLED,
  checkRunFolder,
  checkTemplate,
  clearAttempt,
  expandTemplate,
  finishedStatus,
  readGroup,
  readMetrics,
  recoveredStatus,
  runDirectory,
  runFolderRemoved,
  templateValues,
  wrapperPath,
  writeJob,
} from './process.js';
import { alive, defaultGraceSeconds, endGroup, groupAlive, signalGroup } from '../../../bin/process-group.mjs';

export interface LocalOptions {
  /** e.g. `python train.py --layers {n_layer} --d-model {d_model} --tokens {tokens} --lr {lr} --out {run_dir}` */
  command: string;
  /** Root of run folders. @default .scalelab/runs */
  root?: string;
  concurrency?: number;
  cwd?: string;
  /** CPU threads each run may use (exported as OMP_NUM_THREADS). @default ⌊cores / concurrency⌋, at least 1 */
  threads?: number;
  /** A run still going after this many seconds is ended and fails "timed out after N s" (--run-timeout). */
  timeoutSeconds?: number;
  /** Seconds between SIGTERM and SIGKILL when a run's process group is ended (timeout, cancel). @default 10 */
  graceSeconds?: number;
  /**
   * A run submitted whose folder already held this same command, completed or still running (the store
   * that knew it was lost, and the sweep runs again on a new one): it is taken up, not started again.
   */
  onRecovered?: (run: StoredRun, info: { dir: string; state: 'completed' | 'running' }) => void;
}

/**
 * Thread variables for each run, unless the user set them: K runs that each start one thread per
 * core oversubscribe the machine, and BLAS threads then spin waiting for each other (a tiny
 * PyTorch model ran 14× slower that way on two busy cores).
 */
export function threadEnv(
  concurrency: number,
  threads?: number,
  env: NodeJS.ProcessEnv = process.env,
  cores = availableParallelism(),
): Record<string, string> {
  const n = String(Math.max(1, threads ?? Math.floor(cores / Math.max(1, concurrency))));
  const out: Record<string, string> = {};
  for (const name of ['OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS'])
    if (env[name] === undefined) out[name] = n;
  return out;
}

/** The pid of the wrapper a submit started, written by the submit itself (the wrapper writes `pid`). */
const SUBMITTED = 'submitted-pid';

export function localBackend(o: LocalOptions): Backend {
  checkTemplate(o.command);
  const root = o.root ?? '.scalelab/runs';
  const cwd = o.cwd ?? process.cwd();
  const dirOf = (run: StoredRun) => runDirectory(root, run);
  const env = threadEnv(o.concurrency ?? 1, o.threads);
  const grace = o.graceSeconds ?? defaultGraceSeconds;
  // A pid alive is not a run alive: a folder left from before a reboot (its wrapper gone without an exit
  // record) may name a pid the system has since given to an unrelated process, which the sweep would then
  // follow and `sweep cancel` signal. A wrapper this process started is its own (for the milliseconds before
  // it execs, its command line is still this process's); any other must name the folder on its command line.
  const spawnedHere = new Set<number>();
  const isWrapper = (pid: number, dir: string) =>
    alive(pid) && (spawnedHere.has(pid) || commandNames(pid, dir) !== false);
  /** The command's group as the wrapper recorded it: its leader started then, or gone while the group lives on. */
  const isOwnGroup = (group: { pgid: number; started: number }, dir: string) => {
    if (!groupAlive(group.pgid)) return false;
    if (!alive(group.pgid) || commandNames(group.pgid, dir)) return true;
    const started = startedAt(group.pgid);
    return started === undefined || Math.abs(started - group.started) < 5000;
  };
  const wrapperPid = (dir: string, run: StoredRun): number => {
    const pidFile = join(dir, 'pid');
    const recorded = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : NaN;
    // The wrapper's own record, else the pid the submit saw (the wrapper may not have written it yet).
    return Number.isInteger(recorded) && recorded > 0 ? recorded : Number(run.externalId?.replace('local-', ''));
  };
  /** A run's state as its folder tells it (status checks first that the folder is still the one submitted). */
  const statusIn = async (dir: string, run: StoredRun): Promise<BackendStatus> => {
    const done = finishedStatus(dir, run);
    if (done) return done;
    if (isWrapper(wrapperPid(dir, run), dir)) return { state: 'running' };
    // The wrapper writes exit.json before it exits: look again, it may have just done so.
    const again = finishedStatus(dir, run);
    if (again) return again;
    if (!existsSync(join(dir, 'pid')))
      return {
        state: 'failed',
        reason: `bin/run-wrapper.mjs ended before it started the command (no ${join(dir, 'pid')})`,
      };
    // The wrapper was killed (kill -9, the OOM killer) but its command may run on, or have finished.
    const group = readGroup(dir);
    if (group && isOwnGroup(group, dir)) {
      const limit = o.timeoutSeconds;
      if (limit && Date.now() - group.started > limit * 1000) {
        await endGroup(group.pgid, grace);
        return {
          state: 'failed',
          reason: `timed out after ${limit} s (its run timeout); its wrapper had been killed, the sweep ended the command`,
          evals: readMetrics(dir).evals,
        };
      }
      return { state: 'running' };
    }
    return recoveredStatus(dir, run);
  };
  /** This same command's attempt in the folder, if it completed or still runs: its id and state. */
  const earlierAttempt = async (
    dir: string,
    run: StoredRun,
    argv: string[],
  ): Promise<{ id: string; state: 'completed' | 'running' } | undefined> => {
    let job: { argv?: unknown; cwd?: unknown };
    try {
      job = JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8')) as typeof job;
    } catch {
      return undefined;
    }
    if (JSON.stringify(job.argv) !== JSON.stringify(argv) || job.cwd !== cwd) return undefined;
    const pid = wrapperPid(dir, run);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const s = asCancelled(dir, await statusIn(dir, { ...run, externalId: `local-${pid}` }));
    if (s.state === 'completed') return { id: `local-${pid}`, state: s.state };
    // "Running" rests on a pid being alive, and a folder left from long ago (its wrapper killed by a reboot)
    // may name a pid the system has since given to an unrelated process: taken up, the sweep would follow
    // that process and `sweep cancel` would signal it. So it is taken up only when that process is the
    // folder's own — its wrapper, or its command's group, naming the folder on its command line.
    const group = readGroup(dir);
    if (s.state === 'running' && (commandNames(pid, dir) || (group && commandNames(group.pgid, dir))))
      return { id: `local-${pid}`, state: s.state };
    return undefined;
  };
  return {
    name: 'local',
    concurrency: o.concurrency ?? 1,
    async submit(run) {
      const dir = dirOf(run);
      const argv = expandTemplate(o.command, templateValues(run, dir));
      // The folder may hold this very run from a store since lost (removed, and the sweep run again on a
      // new one, which numbers the plan's runs as before): the same command, completed or still running,
      // is taken up as it is rather than cleared and trained again. A failed one is run again, as a retry.
      const earlier = await earlierAttempt(dir, run, argv);
      if (earlier) {
        o.onRecovered?.(run, { dir, state: earlier.state });
        return earlier.id;
      }
      // A retried run reuses its folder: clear the earlier attempt's outcome, or the first poll would read it.
      clearAttempt(dir, [SUBMITTED]);
      writeJob(dir, argv, cwd, env, {
        ...(o.timeoutSeconds ? { timeoutSeconds: o.timeoutSeconds } : {}),
        graceSeconds: grace,
      });
      const child = spawn(process.execPath, [wrapperPath, dir], { detached: true, stdio: 'ignore', cwd });
      child.unref();
      if (child.pid !== undefined) spawnedHere.add(child.pid);
      // The wrapper writes its pid once node has started (tens of milliseconds): until then `find` reads
      // this, so a sweep killed now and run again at once finds the run rather than starting it twice.
      writeFileSync(join(dir, SUBMITTED), String(child.pid));
      return `local-${child.pid}`;
    },
    async status(run): Promise<BackendStatus> {
      const dir = dirOf(run);
      // Taken before looking: the folder's removal decides what its contents are worth.
      const removed = runFolderRemoved(dir);
      return checkRunFolder(dir, asCancelled(dir, await statusIn(dir, run)), removed);
    },
    async find(run) {
      const dir = dirOf(run);
      for (const f of ['pid', SUBMITTED]) {
        const pid = existsSync(join(dir, f)) ? Number(readFileSync(join(dir, f), 'utf8')) : NaN;
        if (Number.isInteger(pid) && pid > 0) return `local-${pid}`;
      }
      return undefined;
    },
    async cancel(run) {
      const dir = dirOf(run);
      // The marker first: a wrapper that has not yet started the command sees it and does not.
      writeFileSync(join(dir, CANCELLED), new Date().toISOString());
      const pid = wrapperPid(dir, run);
      const group = readGroup(dir);
      // Only what is the run's own is signalled (isWrapper, isOwnGroup): never a process that took a stale pid.
      if (isWrapper(pid, dir)) {
        // The wrapper ends the command's whole group (SIGTERM, SIGKILL after the grace period) and records it.
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* it has just ended */
        }
        if (group && isOwnGroup(group, dir)) signalGroup(group.pgid, 'SIGTERM');
      } else if (group && isOwnGroup(group, dir)) await endGroup(group.pgid, grace);
    },
  };
}

const hasProcfs = existsSync('/proc/self/cmdline');

/**
 * Whether process `pid`'s command line names `dir` (Linux's /proc): false when it does not or the process
 * has gone; undefined where /proc is not there (another system), so nothing can be told.
 */
function commandNames(pid: number, dir: string): boolean | undefined {
  if (!hasProcfs) return undefined;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .some((arg) => arg.includes(dir));
  } catch {
    return false;
  }
}

/** When process `pid` started, in ms since the epoch (Linux's /proc; clock ticks of 1/100 s); else undefined. */
function startedAt(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(boot) ? boot * 1000 + ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}
