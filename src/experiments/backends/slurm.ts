/**
 * Run planned runs on a Slurm cluster, the scheduler users move to when one machine is not enough.
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
 * `array: false` asks for that mode from the start.
 *
 * Concurrency across arrays. An array holds at most MaxArraySize runs (read from
 * `scontrol show config`), and runs handed over after an array went out make a new one, so one
 * sweep can have several arrays in Slurm at once, and Slurm's %K throttles each on its own. So a
 * new array gets %t with t = K − (runs of this sweep's earlier arrays not yet seen ended), and
 * waits unsubmitted while t < 1; as earlier arrays drain, later ones' throttles are raised
 * (`scontrol update ArrayTaskThrottle`), never past that same bound. At any moment the tasks
 * running are at most the earlier arrays' unfinished runs plus the last array's throttle: K.
 * After a restart, arrays found still running are counted, in job id order, and the throttles
 * set again (lowered too: but never below 1, so K may be exceeded by one per such array).
 *
 * State. Pending and running: `squeue --json -t all` (one call shared by a polling pass). Final
 * state (COMPLETED, FAILED, TIMEOUT, CANCELLED, OUT_OF_MEMORY…, with the exit code): `sacct` when
 * accounting answers; else `sacct -c`, the job completion log (jobcomp/filetxt, which
 * scripts/slurm-cluster.sh configures: it knows a job by its raw id only, which each task appends
 * to RUN_DIR/slurm-job-id); else what squeue or `scontrol show job` still hold (for MinJobAge
 * seconds). The run's result itself always comes from exit.json and the metrics.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ScaleLabError } from '../../errors/index.js';
import { hashKey, type StoredRun } from '../../store/store.js';
import type { Backend, BackendStatus } from './backend.js';
import { CANCELLED, clearAttempt, expandTemplate, finishedStatus, runDirectory, templateValues, wrapperPath, writeJob } from './process.js';

const run = promisify(execFile);

export class SlurmError extends ScaleLabError {
  override name = 'SlurmError' as const;
}

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
   * sbatch's --time, a minute longer, is the cluster's own backstop (--run-timeout).
   */
  timeoutSeconds?: number;
}

/** Most runs in one array when the cluster does not say: indices below Slurm's default MaxArraySize (1001). */
const ARRAY_MAX = 1000;

/** MaxArraySize from `scontrol show config` (array indices run from 0 to MaxArraySize − 1). */
export function parseMaxArraySize(config: string): number | undefined {
  const m = /^\s*MaxArraySize\s*=\s*(\d+)\s*$/m.exec(config);
  return m ? Number(m[1]) : undefined;
}
/** How long one squeue answer serves the status polls of a pass. */
const SNAPSHOT_MS = 500;

/** Quote for a POSIX shell: the job script is a shell script, so its paths are quoted. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function slurm(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { maxBuffer: 64 << 20 });
    return stdout;
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT') throw new SlurmError(`${cmd} not found: is Slurm installed and on PATH? (scripts/slurm-cluster.sh starts a one-node cluster)`);
    throw new SlurmError(`${cmd} ${args.join(' ')} failed: ${(err.stderr || err.message).trim()}`);
  }
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** A number from squeue's JSON: plain in Slurm 22.05, `{set, infinite, number}` in later versions. */
function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'number' in v) {
    const o = v as { set?: boolean; number?: number };
    return o.set === false ? undefined : o.number;
  }
  return undefined;
}

/** `CODE:SIGNAL` as sacct prints it, from squeue's exit_code (a wait status in 22.05, an object later). */
function exitText(v: unknown): string | undefined {
  if (typeof v === 'number') return `${v >> 8}:${v & 0x7f}`;
  if (v && typeof v === 'object') {
    const o = v as { return_code?: unknown; signal?: { id?: unknown } };
    const rc = num(o.return_code);
    if (rc !== undefined) return `${rc}:${num(o.signal?.id) ?? 0}`;
  }
  return undefined;
}

/** Task indices of an array's pending record, e.g. `2-3%2`, `0,4-9:2`. */
export function arrayTasks(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split('%')[0].split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]), b = m[2] ? Number(m[2]) : a, step = m[3] ? Number(m[3]) : 1;
    for (let i = a; i <= b && out.length < 1e6; i += step) out.push(i);
  }
  return out;
}

interface JobInfo {
  state: string;
  exit?: string;
  /** The job's own id (an array task's is not ARRAYID_INDEX). */
  raw?: string;
  source: 'squeue' | 'sacct' | 'sacct -c' | 'scontrol';
}

interface Snapshot {
  /** By `ARRAYID_INDEX` for array tasks and by raw id for every job. */
  jobs: Map<string, JobInfo>;
  /** Job name → array job ids (or job ids). */
  names: Map<string, string[]>;
}

/** squeue --json, indexed. Pending array tasks are one record with array_task_string. */
export function parseSqueue(text: string): Snapshot {
  const jobs = new Map<string, JobInfo>(), names = new Map<string, string[]>();
  for (const j of (JSON.parse(text) as { jobs?: Record<string, unknown>[] }).jobs ?? []) {
    const state = String(Array.isArray(j.job_state) ? j.job_state[0] : j.job_state);
    const raw = String(num(j.job_id));
    const arrayId = num(j.array_job_id), task = num(j.array_task_id);
    const info: JobInfo = { state, exit: exitText(j.exit_code), raw, source: 'squeue' };
    jobs.set(raw, info);
    const isArray = arrayId !== undefined && arrayId > 0;
    if (isArray && task !== undefined) jobs.set(`${arrayId}_${task}`, info);
    if (isArray && typeof j.array_task_string === 'string') for (const t of arrayTasks(j.array_task_string)) jobs.set(`${arrayId}_${t}`, { state, source: 'squeue' });
    const id = String(isArray ? arrayId : raw), name = String(j.name);
    const known = names.get(name) ?? [];
    if (!known.includes(id)) names.set(name, [...known, id]);
  }
  return { jobs, names };
}

const queuedStates = new Set(['PENDING', 'CONFIGURING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD']);
const runningStates = new Set(['RUNNING', 'COMPLETING', 'SUSPENDED', 'STOPPED', 'RESIZING', 'SIGNALING', 'STAGE_OUT']);

const meanings: Record<string, string> = {
  TIMEOUT: 'it hit its time limit (raise --time with --sbatch-arg)',
  OUT_OF_MEMORY: 'it ran out of memory (raise --mem with --sbatch-arg)',
  NODE_FAIL: 'its node failed',
  BOOT_FAIL: 'its node failed to boot',
  PREEMPTED: 'it was preempted',
  DEADLINE: 'it missed its deadline',
};

/** How Slurm saw a job end, e.g. `Slurm job 12_3: TIMEOUT, exit 0:15, from sacct: it hit its time limit (…)`. */
export function describeSlurmEnd(id: string, info: { state: string; exit?: string; source: string }): string {
  const why = meanings[info.state];
  return `Slurm job ${id}: ${info.state}${info.exit ? `, exit ${info.exit}` : ''}, from ${info.source}${why ? `: ${why}` : ''}`;
}

/**
 * The job name of a run submitted on its own: unique to the run's folder (so to this store, study
 * and run), which lets a restarted sweep find its own job and never adopt another project's.
 */
export function slurmJobName(root: string, r: StoredRun): string {
  return `scalelab-${r.id}-${hashKey(runDirectory(root, r)).slice(0, 16)}`;
}

/** RUN_DIR/slurm.json: where the run went in Slurm. */
export interface SlurmRecord {
  /** The job name: an array's (`scalelab-array-…`) or the run's own. */
  name: string;
  /** The run's task in the array. */
  index?: number;
  /** `ARRAYID_INDEX` or a plain job id, once sbatch has answered. */
  jobId?: string;
  at: string;
}

export function readSlurmRecord(dir: string): SlurmRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'slurm.json'), 'utf8')) as SlurmRecord;
  } catch {
    return undefined;
  }
}

function writeRecord(dir: string, rec: SlurmRecord): void {
  const tmp = join(dir, 'slurm.json.tmp');
  writeFileSync(tmp, JSON.stringify(rec, null, 2));
  renameSync(tmp, join(dir, 'slurm.json'));
}

/** The raw id of the job that last ran in this folder (each job appends its $SLURM_JOB_ID). */
function rawId(dir: string): string | undefined {
  try {
    const ids = readFileSync(join(dir, 'slurm-job-id'), 'utf8').split('\n').filter((l) => /^\d+$/.test(l));
    return ids[ids.length - 1];
  } catch {
    return undefined;
  }
}

/**
 * The batch script: pick the run folder (by array task in an array), append the job's id to
 * slurm-job-id, run the wrapper, and exit with the command's exit code from exit.json (1 when the
 * command was killed), so sacct says FAILED and which code.
 */
function jobScript(task: string | Pending[]): string {
  const lines = ['#!/bin/sh', '# Written by scalelab (src/experiments/backends/slurm.ts).'];
  if (typeof task === 'string') {
    lines.push(`d=${shellQuote(task)}`);
  } else {
    lines.push('case "${SLURM_ARRAY_TASK_ID:-}" in');
    for (const p of task) lines.push(`  ${p.index}) d=${shellQuote(p.dir)} ;;`);
    lines.push('  *) echo "scalelab: no run for array task ${SLURM_ARRAY_TASK_ID:-?}" >&2; exit 2 ;;', 'esac');
  }
  lines.push(
    'cd "$d" || exit 2',
    `printf '%s\\n' "\${SLURM_JOB_ID:-}" >>slurm-job-id`,
    `${shellQuote(process.execPath)} ${shellQuote(wrapperPath)} "$d"`,
    `code=$(sed -n 's/^{"code":\\([0-9][0-9]*\\),.*/\\1/p' exit.json 2>/dev/null)`,
    'exit "${code:-1}"',
  );
  return lines.join('\n') + '\n';
}

interface Pending {
  run: StoredRun;
  dir: string;
  /** The run's task in its array. */
  index: number;
}

/** `0-3,5` for sbatch --array. */
function arraySpec(indices: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < indices.length; ) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j] + 1) j++;
    parts.push(i === j ? `${indices[i]}` : `${indices[i]}-${indices[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

interface Batch {
  name: string;
  runs: Map<string, Pending>;
  /** Indices handed out (a run cancelled before sbatch leaves a gap). */
  size: number;
}

export function slurmBackend(o: SlurmOptions): Backend {
  const root = o.root ?? '.scalelab/runs';
  const cwd = o.cwd ?? process.cwd();
  const limit = o.concurrency ?? 64;
  // In minutes, a minute over the wrapper's own limit, so the wrapper ends the run first and says why; a --sbatch-arg=--time=… given after it wins.
  const timeLimit = o.timeoutSeconds ? [`--time=${Math.ceil(o.timeoutSeconds / 60) + 1}`] : [];
  let arrays = o.array ?? true;
  let arrayMax = o.arrayMax;
  let arrayMaxRead: Promise<void> | undefined;
  /**
   * This sweep's arrays in Slurm with runs not yet seen ended, in submission order: the ones it
   * submitted (throttle known) and, after a restart, the ones its runs were found in.
   */
  const live = new Map<string, { throttle: number; size: number; unfinished: Set<string>; warned?: boolean }>();
  /** Run folder → its array's job id, for the runs in `live`. */
  const liveOf = new Map<string, string>();
  let rebalancing: Promise<void> | undefined;
  let prunedAt = 0;
  // Runs given a handle but not yet in Slurm, by run folder: the array being built, full arrays
  // waiting for sbatch, and (after arrays failed) runs waiting for a slot to go one job each.
  let building: Batch | undefined;
  const ready: Batch[] = [];
  const waiting = new Map<string, Pending>();
  let flushing: Promise<void> | undefined;
  /** Run folders submitted one job each from `waiting` and not yet seen finished (at most `limit`). */
  const fromWaiting = new Set<string>();
  let snapshot: { at: number; value: Promise<Snapshot> } | undefined;
  let sacctMode: 'sacct' | 'sacct -c' | 'none' | undefined;
  let seq = 0;

  /** Write the run's job.json, clearing what an earlier attempt (a retry) left. */
  function prepare(r: StoredRun): string {
    const dir = runDirectory(root, r);
    clearAttempt(dir, ['slurm.json', 'slurm-job-id']);
    writeJob(dir, expandTemplate(o.command, templateValues(r, dir)), cwd, undefined, o.timeoutSeconds ? { timeoutSeconds: o.timeoutSeconds } : {});
    return dir;
  }

  function squeue(): Promise<Snapshot> {
    if (!snapshot || Date.now() - snapshot.at > SNAPSHOT_MS) {
      // squeue --json in Slurm 22.05 ignores -j, --name and --me, so read everything and filter here.
      const value = slurm('squeue', ['--json', '-t', 'all']).then(parseSqueue);
      value.catch(() => (snapshot = undefined));
      snapshot = { at: Date.now(), value };
    }
    return snapshot.value;
  }

  /** One run as its own job (the fallback when arrays fail, and `array: false`). */
  async function submitOne(r: StoredRun, dir: string): Promise<string> {
    const name = slurmJobName(root, r);
    writeRecord(dir, { name, at: new Date().toISOString() });
    const script = join(dir, 'job.sh');
    writeFileSync(script, jobScript(dir));
    chmodSync(script, 0o755);
    const args = ['--parsable', `--job-name=${name}`, '-D', dir, '-o', join(dir, 'slurm-%j.out'), '-e', join(dir, 'slurm-%j.err'), ...(o.partition ? [`--partition=${o.partition}`] : []), ...timeLimit, ...(o.sbatchArgs ?? []), script];
    const out = await slurm('sbatch', args);
    const id = out.trim().split(';')[0];
    if (!/^\d+$/.test(id)) throw new SlurmError(`sbatch printed "${out.trim()}", expected a job id`);
    writeRecord(dir, { name, jobId: id, at: new Date().toISOString() });
    snapshot = undefined;
    return id;
  }

  /** Give the run a place in the array being built; sbatch comes on the next turn of the event loop. */
  function enqueue(r: StoredRun, dir: string): string {
    drained(dir); // a retried run no longer counts in its old array
    if (!building || building.size >= (arrayMax ?? ARRAY_MAX)) {
      if (building) ready.push(building);
      building = { name: `scalelab-array-${hashKey([root, process.pid, Date.now(), seq++]).slice(0, 16)}`, runs: new Map(), size: 0 };
      setImmediate(() => void settle());
    }
    const index = building.size++;
    building.runs.set(dir, { run: r, dir, index });
    writeRecord(dir, { name: building.name, index, at: new Date().toISOString() });
    return `${building.name}_${index}`;
  }

  const held = (dir: string) => waiting.has(dir) || !!building?.runs.has(dir) || ready.some((b) => b.runs.has(dir));

  /**
   * Submit the arrays built so far, in order, while --concurrency leaves room (the rest wait for
   * status() to see runs end); on a refusal of arrays, switch to one job per run (topUp).
   */
  async function flushArrays(all: boolean): Promise<void> {
    if (all && building) ready.push(building);
    if (all) building = undefined;
    while (ready.length) {
      const batch = ready[0];
      if (arrays && !(await submitArray(batch))) break;
      ready.shift();
      if (!arrays) for (const [dir, p] of batch.runs) waiting.set(dir, p);
    }
  }

  /** Runs of this sweep's arrays in Slurm not yet seen ended (each may be running). */
  const unfinished = () => [...live.values()].reduce((n, a) => n + a.unfinished.size, 0);

  /** Submit one array; false when --concurrency leaves no room for it yet. */
  async function submitArray(batch: Batch): Promise<boolean> {
    // A `sweep cancel` from another process cannot reach this one's queues: it leaves a marker.
    const runs = [...batch.runs.values()].filter((p) => !existsSync(join(p.dir, CANCELLED)));
    if (runs.length === 0) return true;
    const throttle = Math.min(limit, runs.length, limit - unfinished());
    if (throttle < 1) return false;
    const dir = resolve(root, '.slurm', batch.name);
    try {
      mkdirSync(dir, { recursive: true });
      const script = join(dir, 'job.sh');
      writeFileSync(script, jobScript(runs));
      chmodSync(script, 0o755);
      const args = ['--parsable', `--job-name=${batch.name}`, `--array=${arraySpec(runs.map((p) => p.index))}%${throttle}`, '-D', dir, '-o', join(dir, '%a.out'), '-e', join(dir, '%a.err'), ...(o.partition ? [`--partition=${o.partition}`] : []), ...timeLimit, ...(o.sbatchArgs ?? []), script];
      const out = await slurm('sbatch', args);
      const id = out.trim().split(';')[0];
      if (!/^\d+$/.test(id)) throw new SlurmError(`sbatch printed "${out.trim()}", expected a job id`);
      live.set(id, { throttle, size: runs.length, unfinished: new Set(runs.map((p) => p.dir)) });
      for (const p of runs) liveOf.set(p.dir, id);
      for (const p of runs) {
        writeRecord(p.dir, { name: batch.name, index: p.index, jobId: `${id}_${p.index}`, at: new Date().toISOString() });
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
    } catch (e) {
      const message = (e as Error).message;
      // Only a refusal of arrays themselves (disabled, MaxArraySize, the spec) means one job per run;
      // anything else (a wrong partition, a bad --sbatch-arg, the controller down) would fail
      // one-job submissions the same way, so it fails this array's runs, with sbatch's words.
      const said = message.slice(message.lastIndexOf(' failed: ') + 1); // sbatch's own words, not the command line
      if (/array/i.test(said)) {
        arrays = false;
        process.emitWarning(`Slurm job arrays failed, submitting one job per run from now on: ${message}`, 'ScaleLabWarning');
        return true;
      }
      for (const p of runs) writeFileSync(join(p.dir, 'exit.json'), JSON.stringify({ code: null, signal: null, seconds: 0, error: `submit failed: ${message}` }));
    }
    return true;
  }

  /** A run of a live array has ended (or is known to be gone). */
  function drained(dir: string): void {
    const id = liveOf.get(dir);
    if (id === undefined) return;
    liveOf.delete(dir);
    const a = live.get(id);
    a?.unfinished.delete(dir);
    if (a && a.unfinished.size === 0) live.delete(id);
  }

  /**
   * A run found in an array this process did not submit (a restarted sweep): count it against K.
   * Its throttle is unknown (NaN), so the next rebalance sets it.
   */
  function adopt(dir: string, jobId: string): void {
    const id = jobId.split('_')[0];
    if (!jobId.includes('_') || liveOf.has(dir)) return;
    const a = live.get(id) ?? { throttle: NaN, size: limit, unfinished: new Set<string>() };
    a.unfinished.add(dir);
    live.set(id, a);
    liveOf.set(dir, id);
  }

  /**
   * Runs that ended without status() seeing them (cancelled from another process, finished while
   * the runner was not polling them) stop counting against K. At most every SNAPSHOT_MS.
   */
  function prune(): void {
    if (Date.now() - prunedAt < SNAPSHOT_MS) return;
    prunedAt = Date.now();
    for (const dirs of [...live.values()].map((a) => [...a.unfinished])) {
      for (const dir of dirs) if (existsSync(join(dir, 'exit.json')) || existsSync(join(dir, CANCELLED))) drained(dir);
    }
  }

  /**
   * Keep this sweep's arrays, in submission (job id) order, at throttle K − (unfinished runs of
   * the arrays before it), at least 1 and at most the array's size: raised as earlier ones drain,
   * lowered when a restart finds earlier arrays still running. Best effort: a refused update
   * only slows the sweep (and is said once per array).
   */
  function rebalance(): Promise<void> {
    rebalancing ??= (async () => {
      let before = 0;
      for (const [id, a] of [...live].sort(([x], [y]) => Number(x) - Number(y))) {
        const target = Math.max(1, Math.min(limit - before, a.size));
        if (target !== a.throttle) {
          const was = a.throttle;
          a.throttle = target;
          await slurm('scontrol', ['update', `JobId=${id}`, `ArrayTaskThrottle=${target}`]).catch((e: Error) => {
            a.throttle = was;
            if (!a.warned) process.emitWarning(`could not set the throttle of Slurm array ${id} to ${target}: ${e.message}`, 'ScaleLabWarning');
            a.warned = true;
          });
        }
        before += a.unfinished.size;
      }
    })().finally(() => (rebalancing = undefined));
    return rebalancing;
  }

  /** Flush the arrays built so far (`all`), or only those already waiting for room. */
  function settle(all = true): Promise<void> {
    if (!flushing && ((all && building) || ready.length)) {
      flushing = flushArrays(all).finally(() => {
        flushing = undefined;
        // Runs added while sbatch answered; arrays waiting for room go when status() sees runs end.
        if (building) setImmediate(() => void settle());
      });
    }
    return flushing ?? Promise.resolve();
  }

  /** MaxArraySize, once, before the first array is built. */
  function readArrayMax(): Promise<void> {
    // Bounded: a controller that does not answer makes scontrol retry for ~10 s, and sbatch will say so anyway.
    arrayMaxRead ??= run('scontrol', ['show', 'config'], { timeout: 5000, maxBuffer: 16 << 20 })
      .then(({ stdout: text }) => {
        const max = parseMaxArraySize(text);
        if (max === 0) arrays = false; // arrays disabled on this cluster: one job per run
        else if (max !== undefined && arrayMax === undefined) arrayMax = max;
      })
      .catch(() => undefined);
    return arrayMaxRead;
  }

  /** One-job-per-run mode: submit pooled runs while fewer than `limit` of them are in Slurm. */
  async function topUp(): Promise<void> {
    for (const [dir, p] of waiting) {
      // Arrays still running (from before a refusal) count against K too.
      if (fromWaiting.size + unfinished() >= limit) break;
      waiting.delete(dir);
      if (existsSync(join(dir, CANCELLED))) continue;
      fromWaiting.add(dir);
      try {
        await submitOne(p.run, dir);
      } catch (e) {
        writeFileSync(join(dir, 'exit.json'), JSON.stringify({ code: null, signal: null, seconds: 0, error: `submit failed: ${(e as Error).message}` }));
      }
    }
  }

  /**
   * The run's job id in Slurm, from slurm.json, else its job name in squeue, else a plain job id
   * stored by an older version; undefined when no job is known (never submitted), null when
   * squeue does not answer.
   */
  async function locate(r: StoredRun, dir: string): Promise<{ id: string; raw?: string } | undefined | null> {
    const rec = readSlurmRecord(dir);
    const raw = rawId(dir);
    if (rec?.jobId) return { id: rec.jobId, raw };
    if (rec) {
      // Killed between sbatch and recording its answer: squeue knows the name.
      const snap = await squeue().catch(() => undefined);
      if (!snap) return null;
      const ids = snap.names.get(rec.name);
      if (ids?.length) {
        const id = rec.index === undefined ? ids[ids.length - 1] : `${ids[ids.length - 1]}_${rec.index}`;
        writeRecord(dir, { ...rec, jobId: id });
        return { id, raw };
      }
      return raw ? { id: raw, raw } : undefined;
    }
    if (r.externalId && /^\d+(_\d+)?$/.test(r.externalId)) return { id: r.externalId, raw };
    return undefined;
  }

  /** The final state from sacct (accounting), else sacct -c (the job completion log). */
  async function sacct(id: string, raw: string | undefined): Promise<JobInfo | undefined> {
    const fields = ['-X', '-n', '-P', '-o', 'JobIDRaw,JobID,State,ExitCode'];
    const pick = (out: string, source: JobInfo['source']): JobInfo | undefined => {
      const rows = out.split('\n').map((l) => l.split('|')).filter((f) => f.length >= 4 && (f[1] === id || (raw !== undefined && f[0] === raw)));
      const f = rows[rows.length - 1];
      return f ? { raw: f[0], state: f[2].split(' ')[0], exit: f[3] || undefined, source } : undefined;
    };
    if (sacctMode === undefined || sacctMode === 'sacct') {
      try {
        const { stdout } = await run('sacct', [...fields, '-j', id], { maxBuffer: 16 << 20 });
        sacctMode = 'sacct';
        return pick(stdout, 'sacct');
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
        const { stdout } = await run('sacct', ['-c', ...fields, '-j', raw], { maxBuffer: 64 << 20 });
        return pick(stdout, 'sacct -c');
      } catch {
        sacctMode = 'none';
      }
    }
    return undefined;
  }

  /** Where the job stands: live from squeue; once it has ended, from sacct, else squeue or scontrol. */
  async function jobInfo(id: string, raw: string | undefined): Promise<JobInfo | undefined | null> {
    const snap = await squeue().catch(() => undefined);
    const live = snap?.jobs.get(id) ?? (raw ? snap?.jobs.get(raw) : undefined);
    if (live && (queuedStates.has(live.state) || runningStates.has(live.state))) return live;
    const final = await sacct(id, raw ?? live?.raw);
    if (final) return final;
    if (live) return live;
    const text = await slurm('scontrol', ['show', 'job', id]).catch(() => '');
    const state = /JobState=(\w+)/.exec(text)?.[1];
    if (state) return { state, exit: /\bExitCode=(\d+:\d+)/.exec(text)?.[1], source: 'scontrol' };
    return snap ? undefined : null; // null: squeue did not answer, so nothing is known
  }

  return {
    name: 'slurm',
    /** In array mode the runner hands over everything planned (Slurm throttles with %K). */
    get concurrency() {
      return arrays ? (arrayMax ?? ARRAY_MAX) : limit;
    },
    async submit(r) {
      const dir = prepare(r);
      if (arrays && arrayMax === undefined) await readArrayMax();
      if (arrays) return enqueue(r, dir);
      return submitOne(r, dir);
    },
    async status(r): Promise<BackendStatus> {
      const dir = runDirectory(root, r);
      // An sbatch in flight answers first; runs still being gathered into an array are held (the
      // array goes out on the next turn of the event loop, with every run this pass adds to it),
      // and so are arrays waiting for room under --concurrency (tried again here).
      prune();
      await rebalance();
      await settle(false);
      await topUp();
      if (held(dir)) return { state: 'queued' };
      const ended = (s: BackendStatus): BackendStatus => {
        fromWaiting.delete(dir);
        drained(dir);
        return { ...s, ...(externalId ? { externalId } : {}) };
      };
      const recorded = readSlurmRecord(dir)?.jobId;
      let externalId = recorded && recorded !== r.externalId ? recorded : undefined;
      let done = finishedStatus(dir);
      if (done?.state === 'completed') return ended(done);
      const where = await locate(r, dir);
      if (where === null) return { state: r.status === 'running' ? 'running' : 'queued' };
      if (!where) {
        if (done) return ended(done);
        // No job knows this run: the sweep was killed before its sbatch. Submit it now.
        const again = prepare(r);
        if (arrays) enqueue(r, again);
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
      if (info === null) return { state: r.status === 'running' ? 'running' : 'queued', ...known };
      if (info && (queuedStates.has(info.state) || runningStates.has(info.state))) adopt(dir, where.id);
      if (info && queuedStates.has(info.state)) return { state: 'queued', ...known };
      // exit.json may come before Slurm's verdict (a time limit's SIGTERM): wait for the verdict.
      if (info && runningStates.has(info.state)) return { state: 'running', ...known };
      if (info?.state === 'CANCELLED') return ended({ state: 'cancelled', reason: `cancelled in Slurm (scancel) [${describeSlurmEnd(where.id, info)}]` });
      if (!done) {
        // Ended in Slurm's eyes but exit.json not (yet) visible (a shared file system): look once more.
        await sleep(300);
        done = finishedStatus(dir);
      }
      const slurmSays = info ? describeSlurmEnd(where.id, info) : `Slurm job ${where.id} is no longer known to squeue, sacct or scontrol (cancelled while pending?)`;
      if (done?.state === 'completed') return ended(done);
      if (done) return ended({ ...done, reason: `${done.reason} [${slurmSays}]` });
      return ended({ state: 'failed', reason: `${slurmSays}; no result (no exit.json in ${dir})` });
    },
    async find(r) {
      const dir = runDirectory(root, r);
      const rec = readSlurmRecord(dir);
      if (!rec) return undefined;
      if (held(dir)) return `${rec.name}_${rec.index}`;
      return (await locate(r, dir))?.id;
    },
    async cancel(r) {
      const dir = runDirectory(root, r);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, CANCELLED), new Date().toISOString());
      if (waiting.delete(dir) || building?.runs.delete(dir) || ready.some((b) => b.runs.delete(dir))) return;
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
