/**
 * Run planned runs on a Slurm cluster, the scheduler users move to when one machine is not enough.
 * This file is the Backend adapter; what Slurm prints is read in ./parse.ts, what a run folder
 * records in ./records.ts, and which runs go when, as which array, in ./scheduler.ts.
 *
 * Submission. The runs the sweep runner hands over in one pass become one job array
 * (`sbatch --array=0-(N-1)%K`, K the concurrency option): the array's script maps
 * $SLURM_ARRAY_TASK_ID to a run folder, and each task runs bin/run-wrapper.mjs on it, so the
 * training command is an argument vector (never a shell string) and its end is recorded in
 * exit.json; the script then exits with the command's exit code, so Slurm records FAILED and the
 * code. The runner submits one run at a time and waits for each id, so submit() only adds the run
 * to the array being built and returns its handle, `ARRAY-NAME_INDEX`; the array goes to sbatch on
 * the next turn of the event loop, before the runner polls. The run folder's slurm.json records
 * the array's name and index (before sbatch) and the job id `ARRAYID_INDEX` (after), and is what
 * status() and cancel() go by; a sweep killed before its sbatch leaves runs that no job knows,
 * which status() submits again. If sbatch rejects the array (arrays disabled, MaxArraySize…),
 * the backend falls back for good to one job per run, at most K submitted at a time;
 * `array: false` asks for that mode from the start. An array holds at most MaxArraySize runs
 * (read from `scontrol show config`); how several arrays share K is told in ./scheduler.ts.
 *
 * State. Pending and running: `squeue --json -t all` (one call shared by a polling pass). Final
 * state (COMPLETED, FAILED, TIMEOUT, CANCELLED, OUT_OF_MEMORY…, with the exit code): `sacct` when
 * accounting answers; else `sacct -c`, the job completion log (jobcomp/filetxt, which
 * scripts/slurm-cluster.sh configures: it knows a job by its raw id only, which each task appends
 * to RUN_DIR/slurm-job-id); else what squeue or `scontrol show job` still hold (for MinJobAge
 * seconds). The run's result itself always comes from exit.json and the metrics; a job Slurm says
 * has ended (or no longer knows) with no exit.json yet is given resultGraceSeconds for it.
 *
 * Out of reach. Every Slurm command is ended after commandTimeoutSeconds. One that did not answer,
 * said it cannot reach the controller, or (squeue) printed what is not its JSON, where nothing else
 * knew the run, throws SlurmUnreachable (BackendUnreachable): the runner leaves every run as it is and
 * tries again. An sbatch that got no answer may have reached the controller: before its array (or
 * job) is sent again, squeue is asked for it by its name (an array's, or the one of that sbatch of a
 * job of its own: a retry never finds the earlier attempt's job). One that Slurm created later anyway
 * finds another job recorded in slurm.json when it starts, and leaves the run folder as it is
 * (records.ts jobScript).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { syncFolder } from '../../../io/durable.js';
import { OptionError, type OptionNamer } from '../../../errors/index.js';
import type { StoredRun } from '../../../store/store.js';
import { BackendUnreachable, type Backend, type BackendStatus } from '../backend.js';
import {
  asCancelled,
  CANCELLED,
  checkRunFolder,
  checkTemplate,
  clearAttempt,
  expandTemplate,
  finishedStatus,
  runDirectory,
  runFolderRemoved,
  templateValues,
  writeJob,
} from '../process.js';
import {
  SACCT_FIELDS,
  SlurmError,
  throttleRefusedOnlyByEndedTasks,
  arraySpec,
  describeSlurmEnd,
  parseMaxArraySize,
  parseSacct,
  parseSbatch,
  parseScontrolJob,
  parseSqueue,
  queuedStates,
  runningStates,
  type JobInfo,
  type Snapshot,
} from './parse.js';
import {
  SLURM_FILES,
  jobScript,
  lastRawJobId,
  readSlurmRecord,
  slurmArrayName,
  submissionJobName,
  writeSlurmRecord,
} from './records.js';
import { ArrayScheduler, type Pending } from './scheduler.js';

export { SlurmError, arrayTasks, describeSlurmEnd, parseMaxArraySize, parseSqueue } from './parse.js';
export { readSlurmRecord, slurmJobName, type SlurmRecord } from './records.js';

const run = promisify(execFile);

export interface SlurmOptions {
  command: string;
  root?: string;
  partition?: string;
  /** Extra sbatch arguments, e.g. ['--gres=gpu:1', '--time=12:00:00']. */
  sbatchArgs?: string[];
  /** Runs at once: an array's `%K` throttle, or jobs in flight in one-job-per-run mode. @default 64 */
  concurrency?: number;
  cwd?: string;
  /** Submit the runs handed over together as one job array. @default true */
  array?: boolean;
  /** Most runs in one array. @default the cluster's MaxArraySize (`scontrol show config`), else 1000 */
  arrayMax?: number;
  /**
   * bin/run-wrapper.mjs ends a run's command after this many seconds ("timed out after N s");
   * sbatch's --time, a minute longer, is the cluster's own backstop.
   */
  timeoutSeconds?: number;
  /** How a run's failure reason names these options (the CLI passes its flags). */
  optionNames?: OptionNamer;
  /**
   * Seconds a Slurm command (sbatch, squeue, sacct, scontrol, scancel) may take before it is taken for
   * a controller out of reach and ended: the sweep then leaves its runs as they are and tries again
   * (BackendUnreachable). @default 60
   */
  commandTimeoutSeconds?: number;
  /**
   * Seconds a run with no result in its folder (no exit.json) may stay unknown to squeue, sacct and
   * scontrol, or ended in Slurm's eyes, before it is failed: accounting that lags behind squeue, and a
   * shared file system that shows exit.json late, are waited out. @default 120
   */
  resultGraceSeconds?: number;
  /**
   * Where the backend says what only slows a sweep (a refused array throttle update).
   * @default process.emitWarning, as a ScaleLabWarning
   */
  onWarning?: (message: string) => void;
}

/**
 * Refuses an sbatch argument that sets the job's name (-J, --job-name or a prefix sbatch takes for it):
 * given after ScaleLab's own, it would win, and the lookups by name after an sbatch that got no answer
 * would never find the job (it would be sent again every time).
 */
function checkSbatchArgs(args: readonly string[]): void {
  for (const arg of args)
    if (/^-J/.test(arg) || /^--job(-(n(a(me?)?)?)?)?(=|$)/.test(arg))
      throw new OptionError({
        option: 'sbatchArgs',
        value: arg,
        message: (name) =>
          `${name('sbatchArgs')} cannot set the job's name (sbatch -J/--job-name), got ${JSON.stringify(arg)}: ScaleLab names each job itself, to find it again in squeue after an sbatch that got no answer`,
      });
}

/** How long one squeue answer serves the status polls of a pass. */
const SNAPSHOT_MS = 500;

/**
 * A Slurm command that could not reach the controller (it did not answer in time, or said it cannot
 * connect): nothing is known from it, so the sweep leaves every run as it is and tries again.
 */
class SlurmUnreachable extends BackendUnreachable {}

/** What Slurm's clients say when the controller is down, restarting or overloaded (not the request's fault). */
const CONTROLLER_AWAY =
  /unable to contact slurm controller|socket timed out|connect(ion)? (failure|refused|timed out)|zero bytes were transmitted|temporarily unavailable|communication connection failure|backup controller in standby|transport endpoint is not connected/i;

/** The default of SlurmOptions.commandTimeoutSeconds. */
const COMMAND_TIMEOUT_S = 60;

async function slurmCommand(cmd: string, args: string[], timeoutS = COMMAND_TIMEOUT_S): Promise<string> {
  try {
    // SIGKILL: a client stuck in a retry loop may not end on SIGTERM.
    const { stdout } = await run(cmd, args, { maxBuffer: 64 << 20, timeout: timeoutS * 1000, killSignal: 'SIGKILL' });
    return stdout;
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string; killed?: boolean; signal?: string };
    if (err.code === 'ENOENT')
      throw new SlurmError(
        `${cmd} not found: is Slurm installed and on PATH? (scripts/slurm-cluster.sh starts a one-node cluster)`,
      );
    const said = (err.stderr || err.message).trim();
    // Ended by a signal this process did not send (the Ctrl-C that interrupts a sweep reaches its sbatch
    // too): nothing is known from it, not a refusal of what it was asked (read as one, a killed sbatch
    // --array turned job arrays off). An sbatch may have reached the controller all the same: it is
    // looked up by its job name before it is sent again (submittedAs).
    if (err.signal && !err.killed)
      throw new SlurmUnreachable(
        `${cmd} ${args.join(' ')} was ended by ${err.signal} before it answered (an interrupt reaches the Slurm command in flight too)`,
      );
    if (err.killed)
      throw new SlurmUnreachable(
        `${cmd} ${args.join(' ')} did not answer within ${timeoutS} s, so it was ended: is the Slurm controller down or overloaded? ("scontrol ping" says)`,
      );
    if (CONTROLLER_AWAY.test(said))
      throw new SlurmUnreachable(`${cmd} ${args.join(' ')} cannot reach the Slurm controller: ${said}`);
    throw new SlurmError(`${cmd} ${args.join(' ')} failed: ${said}`);
  }
}

/** squeue --json read; what is not its JSON (a login banner, an old squeue) said with its first words. */
function readSqueue(text: string): Snapshot {
  try {
    return parseSqueue(text);
  } catch {
    const start = text.trim().slice(0, 80).replace(/\s+/g, ' ');
    throw new SlurmError(
      `squeue printed what is not the JSON it was asked for (${start ? `"${start}${text.trim().length > 80 ? '…' : ''}"` : 'nothing'}): Slurm 21.08 or later is needed, and nothing else may print on its stdout`,
    );
  }
}

/** A run that never reached Slurm ends with this outcome, as the wrapper would have written it. */
function writeSubmitFailure(dir: string, reason: string): void {
  const tmp = join(dir, 'exit.json.tmp');
  writeFileSync(tmp, JSON.stringify({ code: null, signal: null, seconds: 0, error: reason }), { flush: true });
  renameSync(tmp, join(dir, 'exit.json'));
  syncFolder(dir);
}

/** The Slurm backend, with what its scheduler has done observable. */
export interface SlurmBackend extends Backend {
  /** Resolves once the runs submitted so far are in Slurm or held for room under --concurrency. */
  settled(): Promise<void>;
}

export function slurmBackend(o: SlurmOptions): SlurmBackend {
  checkTemplate(o.command);
  checkSbatchArgs(o.sbatchArgs ?? []);
  const root = o.root ?? '.scalelab/runs';
  const cwd = o.cwd ?? process.cwd();
  const limit = o.concurrency ?? 64;
  const timeoutS = o.commandTimeoutSeconds ?? COMMAND_TIMEOUT_S;
  const graceMs = (o.resultGraceSeconds ?? 120) * 1000;
  /** Run folder → when its job was first seen ended (or unknown) with no exit.json there. */
  const noResultSince = new Map<string, number>();
  /** Names of arrays and jobs whose sbatch did not answer: Slurm may hold them, so look before sending again. */
  const unanswered = new Set<string>();
  /** Why squeue's last call gave no answer. */
  let squeueError: Error | undefined;
  const slurm = (cmd: string, args: string[]) => slurmCommand(cmd, args, timeoutS);
  // In minutes, a minute over the wrapper's own limit, so the wrapper ends the run first and says why; a --sbatch-arg=--time=… given after it wins.
  const timeLimit = o.timeoutSeconds ? [`--time=${Math.ceil(o.timeoutSeconds / 60) + 1}`] : [];
  const placement = o.partition ? [`--partition=${o.partition}`] : [];
  let arrayMaxRead: Promise<void> | undefined;
  let snapshot: { at: number; value: Promise<Snapshot> } | undefined;
  let sacctMode: 'sacct' | 'sacct -c' | 'none' | undefined;
  let seq = 0;

  const scheduler = new ArrayScheduler(
    {
      arrayName: () => slurmArrayName(root, seq++),
      submitArray,
      submitOne: (p) => submitOne(p.run, p.dir).then(() => undefined),
      setThrottle: (id, t) =>
        slurm('scontrol', ['update', `JobId=${id}`, `ArrayTaskThrottle=${t}`]).then(
          () => undefined,
          (e: unknown) => {
            // Tasks that ended refuse the update while the rest take it (a resumed sweep's array):
            // nothing was refused that matters.
            if (e instanceof SlurmError) {
              const said = e.message.slice(e.message.indexOf(' failed: ') + ' failed: '.length);
              if (e.message.includes(' failed: ') && throttleRefusedOnlyByEndedTasks(said)) return;
            }
            throw e;
          },
        ),
      cancelled: (dir) => existsSync(join(dir, CANCELLED)),
      finished: (dir) => existsSync(join(dir, 'exit.json')) || existsSync(join(dir, CANCELLED)),
      fail: writeSubmitFailure,
      warn: o.onWarning ?? ((message) => process.emitWarning(message, 'ScaleLabWarning')),
      later: (fn) => setImmediate(fn),
    },
    { limit, arrays: o.array ?? true, arrayMax: o.arrayMax, pruneEveryMs: SNAPSHOT_MS },
  );

  /** Write the run's job.json, clearing what an earlier attempt (a retry) left. */
  function prepare(r: StoredRun): string {
    const dir = runDirectory(root, r);
    clearAttempt(dir, SLURM_FILES);
    writeJob(
      dir,
      expandTemplate(o.command, templateValues(r, dir)),
      cwd,
      undefined,
      o.timeoutSeconds ? { timeoutSeconds: o.timeoutSeconds } : {},
    );
    return dir;
  }

  function squeue(): Promise<Snapshot> {
    if (!snapshot || Date.now() - snapshot.at > SNAPSHOT_MS) {
      // squeue --json in Slurm 22.05 ignores -j, --name and --me, so read everything and filter here.
      const value = slurm('squeue', ['--json', '-t', 'all']).then(readSqueue);
      value.then(
        () => (squeueError = undefined),
        (e: Error) => {
          snapshot = undefined;
          squeueError = e;
        },
      );
      snapshot = { at: Date.now(), value };
    }
    return snapshot.value;
  }

  /**
   * sbatch, its job id; a call the controller did not answer (it may have taken the job before its
   * answer was lost) marks the name, so the next try looks in squeue first (submittedAs).
   */
  async function sbatch(name: string, args: string[]): Promise<string> {
    try {
      const id = parseSbatch(await slurm('sbatch', args));
      unanswered.delete(name);
      return id;
    } catch (e) {
      if (e instanceof SlurmUnreachable) unanswered.add(name);
      throw e;
    }
  }

  /** The job id of a job or array this sweep sent by sbatch with no answer, if squeue holds it under its name. */
  async function submittedAs(name: string): Promise<string | undefined> {
    if (!unanswered.has(name)) return undefined;
    snapshot = undefined;
    const ids = (await squeue()).names.get(name);
    if (!ids?.length) return undefined;
    unanswered.delete(name);
    return ids[ids.length - 1];
  }

  /** One run as its own job (the fallback when arrays fail, and `array: false`). */
  async function submitOne(r: StoredRun, dir: string): Promise<string> {
    // This attempt's sbatch that got no answer (slurm.json names its job, with no id) may have reached
    // the controller: squeue knows it by that name. A new attempt has no such record (prepare clears it).
    const rec = readSlurmRecord(dir);
    const sent = rec && rec.index === undefined && !rec.jobId ? await submittedAs(rec.name) : undefined;
    if (rec && sent) {
      writeSlurmRecord(dir, { ...rec, jobId: sent });
      snapshot = undefined;
      return sent;
    }
    // A name of its own for each sbatch, recorded before it: a job that an unanswered sbatch creates
    // late finds another name in slurm.json and leaves the folder to the recorded one (jobScript).
    const name = submissionJobName(root, r);
    writeSlurmRecord(dir, { name, at: new Date().toISOString() });
    const script = join(dir, 'job.sh');
    writeFileSync(script, jobScript(name, dir));
    chmodSync(script, 0o755);
    const args = [
      '--parsable',
      `--job-name=${name}`,
      '-D',
      dir,
      '-o',
      join(dir, 'slurm-%j.out'),
      '-e',
      join(dir, 'slurm-%j.err'),
      ...placement,
      ...timeLimit,
      ...(o.sbatchArgs ?? []),
      script,
    ];
    const id = await sbatch(name, args);
    writeSlurmRecord(dir, { name, jobId: id, at: new Date().toISOString() });
    snapshot = undefined;
    return id;
  }

  /** sbatch an array of the runs at %throttle; each run's folder records its ARRAYID_INDEX. */
  async function submitArray(name: string, runs: Pending[], throttle: number): Promise<string> {
    const dir = resolve(root, '.slurm', name);
    mkdirSync(dir, { recursive: true });
    const script = join(dir, 'job.sh');
    writeFileSync(script, jobScript(name, runs));
    chmodSync(script, 0o755);
    const args = [
      '--parsable',
      `--job-name=${name}`,
      `--array=${arraySpec(runs.map((p) => p.index))}%${throttle}`,
      '-D',
      dir,
      '-o',
      join(dir, '%a.out'),
      '-e',
      join(dir, '%a.err'),
      ...placement,
      ...timeLimit,
      ...(o.sbatchArgs ?? []),
      script,
    ];
    const id = (await submittedAs(name)) ?? (await sbatch(name, args));
    for (const p of runs) {
      writeSlurmRecord(p.dir, { name, index: p.index, jobId: `${id}_${p.index}`, at: new Date().toISOString() });
      for (const ext of ['out', 'err']) {
        try {
          rmSync(join(p.dir, `slurm.${ext}`), { force: true });
          symlinkSync(join(dir, `${p.index}.${ext}`), join(p.dir, `slurm.${ext}`));
        } catch {
          /* a convenience only */
        }
      }
    }
    snapshot = undefined;
    return id;
  }

  /** Give the run a place in the array being built, recorded in its folder; its handle. */
  function enqueue(r: StoredRun, dir: string): string {
    const { name, index } = scheduler.enqueue(r, dir);
    writeSlurmRecord(dir, { name, index, at: new Date().toISOString() });
    return `${name}_${index}`;
  }

  /** MaxArraySize, once, before the first array is built. */
  function readArrayMax(): Promise<void> {
    // Bounded: a controller that does not answer makes scontrol retry for ~10 s, and sbatch will say so anyway.
    arrayMaxRead ??= run('scontrol', ['show', 'config'], { timeout: 5000, maxBuffer: 16 << 20 })
      .then(({ stdout: text }) => {
        const max = parseMaxArraySize(text);
        if (max === 0)
          scheduler.arrays = false; // arrays disabled on this cluster: one job per run
        else if (max !== undefined && scheduler.arrayMax === undefined) scheduler.arrayMax = max;
      })
      .catch(() => undefined);
    return arrayMaxRead;
  }

  /**
   * The run's job id in Slurm, from slurm.json, else its job name in squeue, else a plain job id
   * stored by an older version; undefined when no job is known (never submitted), null when
   * squeue does not answer.
   */
  async function locate(r: StoredRun, dir: string): Promise<{ id: string; raw?: string } | undefined | null> {
    const rec = readSlurmRecord(dir);
    const raw = lastRawJobId(dir);
    if (rec?.jobId) return { id: rec.jobId, raw };
    if (rec) {
      // Killed between sbatch and recording its answer: squeue knows the name.
      const snap = await squeue().catch(() => undefined);
      if (!snap) return null;
      const ids = snap.names.get(rec.name);
      if (ids?.length) {
        const id = rec.index === undefined ? ids[ids.length - 1] : `${ids[ids.length - 1]}_${rec.index}`;
        writeSlurmRecord(dir, { ...rec, jobId: id });
        return { id, raw };
      }
      return raw ? { id: raw, raw } : undefined;
    }
    if (r.externalId && /^\d+(_\d+)?$/.test(r.externalId)) return { id: r.externalId, raw };
    return undefined;
  }

  /** The final state from sacct (accounting), else sacct -c (the job completion log). */
  async function sacct(id: string, raw: string | undefined): Promise<JobInfo | undefined> {
    if (sacctMode === undefined || sacctMode === 'sacct') {
      try {
        const { stdout } = await run('sacct', [...SACCT_FIELDS, '-j', id], {
          maxBuffer: 16 << 20,
          timeout: timeoutS * 1000,
          killSignal: 'SIGKILL',
        });
        sacctMode = 'sacct';
        return parseSacct(stdout, id, raw, 'sacct');
      } catch (e) {
        const err = e as { code?: string; stderr?: string };
        if (err.code === 'ENOENT') sacctMode = 'none';
        else if (/accounting storage is disabled/i.test(err.stderr ?? '')) sacctMode = 'sacct -c';
        else return undefined;
      }
    }
    if (sacctMode === 'sacct -c' && raw) {
      try {
        // The completion log knows jobs by raw id only (it has no ARRAYID_INDEX); it warns on
        // stderr about array fields it does not parse.
        const { stdout } = await run('sacct', ['-c', ...SACCT_FIELDS, '-j', raw], {
          maxBuffer: 64 << 20,
          timeout: timeoutS * 1000,
          killSignal: 'SIGKILL',
        });
        return parseSacct(stdout, id, raw, 'sacct -c');
      } catch (e) {
        // Not answering in time says nothing of the log; anything else, that it cannot be read.
        if (!(e as { killed?: boolean }).killed) sacctMode = 'none';
      }
    }
    return undefined;
  }

  /** squeue gave no answer and nothing else knew the run: nothing is known, so the sweep waits. */
  function squeueAway(): SlurmUnreachable {
    const why = squeueError?.message ?? 'no answer';
    return new SlurmUnreachable(
      `cannot learn from Slurm where the runs stand: ${why.startsWith('squeue') ? why : `squeue: ${why}`}`,
    );
  }

  /** Where the job stands: live from squeue; once it has ended, from sacct, else squeue or scontrol. */
  async function jobInfo(id: string, raw: string | undefined): Promise<JobInfo | undefined | null> {
    const snap = await squeue().catch(() => undefined);
    const live = snap?.jobs.get(id) ?? (raw ? snap?.jobs.get(raw) : undefined);
    if (live && (queuedStates.has(live.state) || runningStates.has(live.state))) return live;
    const final = await sacct(id, raw ?? live?.raw);
    if (final) return final;
    if (live) return live;
    const shown = parseScontrolJob(await slurm('scontrol', ['show', 'job', id]).catch(() => ''));
    if (shown) return shown;
    return snap ? undefined : null; // null: squeue did not answer, so nothing is known
  }

  return {
    name: 'slurm',
    settled: () => scheduler.settled(),
    notSubmitted: () => scheduler.heldCount(),
    /** In array mode the runner hands over everything planned (Slurm throttles with %K). */
    get concurrency() {
      return scheduler.capacity;
    },
    async submit(r) {
      const dir = prepare(r);
      if (scheduler.arrays && scheduler.arrayMax === undefined) await readArrayMax();
      if (scheduler.arrays) return enqueue(r, dir);
      return submitOne(r, dir);
    },
    async status(r): Promise<BackendStatus> {
      const dir = runDirectory(root, r);
      // An sbatch in flight answers first; runs still being gathered into an array are held (the
      // array goes out on the next turn of the event loop, with every run this pass adds to it),
      // and so are arrays waiting for room under the concurrency (tried again here).
      scheduler.prune();
      await scheduler.rebalance();
      await scheduler.settle(false);
      await scheduler.topUp();
      if (scheduler.held(dir)) {
        // Its sbatch found the controller out of reach: the sweep waits (and says so), the run stays as it is.
        const away = scheduler.unreachable;
        if (away) throw away;
        return { state: 'queued' };
      }
      // Taken before looking: a folder removed since the submit (no job.json) holds at most part of
      // what the run wrote, so its run ends failed, saying so, as on the local backend.
      const removed = runFolderRemoved(dir);
      const ended = (s: BackendStatus): BackendStatus => {
        scheduler.ended(dir);
        return { ...checkRunFolder(dir, asCancelled(dir, s), removed), ...(externalId ? { externalId } : {}) };
      };
      const recorded = readSlurmRecord(dir)?.jobId;
      let externalId = recorded && recorded !== r.externalId ? recorded : undefined;
      const done = finishedStatus(dir, r);
      if (done?.state === 'completed') return ended(done);
      const where = await locate(r, dir);
      if (where === null) throw squeueAway();
      if (!where) {
        if (done) return ended(done);
        // Removed with its slurm.json: whether it went to Slurm is unknown, so it is not submitted again.
        if (removed) return ended({ state: 'failed', reason: 'no job in Slurm is known for it' });
        // No job knows this run: the sweep was killed before its sbatch. Submit it now.
        const again = prepare(r);
        if (scheduler.arrays) enqueue(r, again);
        else {
          try {
            await submitOne(r, again);
          } catch (e) {
            // One sbatch refused is this run's failure, not the sweep's.
            return { state: 'failed', reason: `submit failed: ${(e as Error).message}` };
          }
        }
        return { state: 'queued' };
      }
      // The store knows the run by the handle submit() gave; Slurm's own id from now on.
      if (where.id !== r.externalId) externalId = where.id;
      const known = externalId ? { externalId } : {};
      const info = await jobInfo(where.id, where.raw);
      if (info === null) throw squeueAway();
      if (info && (queuedStates.has(info.state) || runningStates.has(info.state))) {
        scheduler.adopt(dir, where.id);
        // Queued or running again (Slurm requeued it): a grace begun at an earlier end is not this attempt's.
        noResultSince.delete(dir);
      }
      if (info && queuedStates.has(info.state)) return { state: 'queued', ...known };
      // exit.json may come before Slurm's verdict (a time limit's SIGTERM): wait for the verdict.
      if (info && runningStates.has(info.state)) return { state: 'running', ...known };
      if (info?.state === 'CANCELLED')
        return ended({
          state: 'cancelled',
          reason: `cancelled in Slurm (scancel) [${describeSlurmEnd(where.id, info, o.optionNames)}]`,
        });
      const slurmSays = info
        ? describeSlurmEnd(where.id, info, o.optionNames, done !== undefined)
        : `Slurm job ${where.id} is no longer known to squeue, sacct or scontrol (cancelled while pending?)`;
      if (!done && !removed) {
        // Ended (or gone) in Slurm's eyes, but exit.json not visible yet: accounting lags behind
        // squeue, and a shared file system can show a file written on the node a minute late. The
        // run stays as it was until the grace is over; failed at first sight, its result would be lost.
        const since = noResultSince.get(dir) ?? Date.now();
        noResultSince.set(dir, since);
        if (Date.now() - since < graceMs) return { state: r.status === 'running' ? 'running' : 'queued', ...known };
      }
      noResultSince.delete(dir);
      if (done) return ended({ ...done, reason: `${done.reason} [${slurmSays}]` });
      return ended({
        state: 'failed',
        reason: `${slurmSays}; no result: no exit.json in ${dir}${removed ? '' : ` after waiting ${Math.round(graceMs / 1000)} s for one`}, so the run's command did not finish there${slurmSays.includes('"sweep retry"') ? '' : '; "sweep retry" runs it again'}`,
      });
    },
    async find(r) {
      const dir = runDirectory(root, r);
      const rec = readSlurmRecord(dir);
      if (!rec) return undefined;
      if (scheduler.held(dir)) return `${rec.name}_${rec.index}`;
      return (await locate(r, dir))?.id;
    },
    async cancel(r) {
      const dir = runDirectory(root, r);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, CANCELLED), new Date().toISOString());
      if (scheduler.drop(dir)) return;
      const where = await locate(r, dir);
      if (where === null) throw new SlurmError(`cannot cancel run ${r.id}: squeue does not answer`);
      if (!where) return;
      try {
        await slurm('scancel', [where.id]);
      } catch (e) {
        // Already ended, or gone: nothing left to stop.
        if (!/already completing or completed|invalid job id/i.test((e as Error).message)) throw e;
      }
      snapshot = undefined;
    },
  };
}
