/**
 * What Slurm's commands print, read: squeue --json, sacct -P, sbatch --parsable,
 * `scontrol show config` and `scontrol show job`; and the array specs sbatch --array takes. Pure
 * (no Node APIs), so it is tested on captured output without a cluster.
 */
import { libraryOption, ScaleLabError, type OptionNamer } from '../../../errors/index.js';

export class SlurmError extends ScaleLabError {
  override name = 'SlurmError' as const;
}

/** Where a job stands, as one of Slurm's commands said. */
export interface JobInfo {
  state: string;
  exit?: string;
  /** The job's own id (an array task's is not ARRAYID_INDEX). */
  raw?: string;
  source: 'squeue' | 'sacct' | 'sacct -c' | 'scontrol';
}

export interface Snapshot {
  /** By `ARRAYID_INDEX` for array tasks and by raw id for every job. */
  jobs: Map<string, JobInfo>;
  /** Job name → array job ids (or job ids). */
  names: Map<string, string[]>;
}

/** MaxArraySize from `scontrol show config` (array indices run from 0 to MaxArraySize − 1). */
export function parseMaxArraySize(config: string): number | undefined {
  const m = /^\s*MaxArraySize\s*=\s*(\d+)\s*$/m.exec(config);
  return m ? Number(m[1]) : undefined;
}

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
    const a = Number(m[1]),
      b = m[2] ? Number(m[2]) : a,
      step = m[3] ? Number(m[3]) : 1;
    for (let i = a; i <= b && out.length < 1e6; i += step) out.push(i);
  }
  return out;
}

/** `0-3,5` for sbatch --array: the inverse of arrayTasks for sorted indices. */
export function arraySpec(indices: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < indices.length;) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j] + 1) j++;
    parts.push(i === j ? `${indices[i]}` : `${indices[i]}-${indices[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** squeue --json, indexed. Pending array tasks are one record with array_task_string. */
export function parseSqueue(text: string): Snapshot {
  const jobs = new Map<string, JobInfo>(),
    names = new Map<string, string[]>();
  for (const j of (JSON.parse(text) as { jobs?: Record<string, unknown>[] }).jobs ?? []) {
    const state = String(Array.isArray(j.job_state) ? j.job_state[0] : j.job_state);
    const raw = String(num(j.job_id));
    const arrayId = num(j.array_job_id),
      task = num(j.array_task_id);
    const info: JobInfo = { state, exit: exitText(j.exit_code), raw, source: 'squeue' };
    jobs.set(raw, info);
    const isArray = arrayId !== undefined && arrayId > 0;
    if (isArray && task !== undefined) jobs.set(`${arrayId}_${task}`, info);
    if (isArray && typeof j.array_task_string === 'string')
      for (const t of arrayTasks(j.array_task_string)) jobs.set(`${arrayId}_${t}`, { state, source: 'squeue' });
    const id = String(isArray ? arrayId : raw),
      name = String(j.name);
    const known = names.get(name) ?? [];
    if (!known.includes(id)) names.set(name, [...known, id]);
  }
  return { jobs, names };
}

/** The columns asked of sacct, in the order parseSacct reads them. */
export const SACCT_FIELDS = ['-X', '-n', '-P', '-o', 'JobIDRaw,JobID,State,ExitCode'];

/**
 * The job's last row in `sacct -P` output (SACCT_FIELDS), matched by its JobID (`ARRAYID_INDEX` or
 * a plain id) or by its raw id (all the job completion log knows).
 */
export function parseSacct(
  out: string,
  id: string,
  raw: string | undefined,
  source: 'sacct' | 'sacct -c',
): JobInfo | undefined {
  const rows = out
    .split('\n')
    .map((l) => l.split('|'))
    .filter((f) => f.length >= 4 && (f[1] === id || (raw !== undefined && f[0] === raw)));
  const f = rows[rows.length - 1];
  return f ? { raw: f[0], state: f[2].split(' ')[0], exit: f[3] || undefined, source } : undefined;
}

/**
 * Whether a refused `scontrol update JobId=ID ArrayTaskThrottle=K` refused only for the array's tasks
 * that had ended: scontrol answers per group of tasks (`849_0-2,4: Job has already finished` beside
 * `849_3,5: No error`) and fails when any group refused, yet the tasks still to run took the new
 * throttle, and the ended ones have no use for it. `said` is what scontrol printed.
 */
export function throttleRefusedOnlyByEndedTasks(said: string): boolean {
  const lines = said
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.length > 0 && lines.every((l) => /^[\d_,\-[\]%]+: (?:No error|Job has already finished)$/i.test(l));
}

/** The job id `sbatch --parsable` prints (`ID` or `ID;CLUSTER`). */
export function parseSbatch(out: string): string {
  const id = out.trim().split(';')[0];
  if (!/^\d+$/.test(id)) throw new SlurmError(`sbatch printed "${out.trim()}", expected a job id`);
  return id;
}

/** State and exit code from `scontrol show job ID`, undefined when it names no state. */
export function parseScontrolJob(text: string): JobInfo | undefined {
  const state = /JobState=(\w+)/.exec(text)?.[1];
  return state ? { state, exit: /\bExitCode=(\d+:\d+)/.exec(text)?.[1], source: 'scontrol' } : undefined;
}

export const queuedStates = new Set([
  'PENDING',
  'CONFIGURING',
  'REQUEUED',
  'REQUEUE_HOLD',
  'REQUEUE_FED',
  'RESV_DEL_HOLD',
]);
export const runningStates = new Set([
  'RUNNING',
  'COMPLETING',
  'SUSPENDED',
  'STOPPED',
  'RESIZING',
  'SIGNALING',
  'STAGE_OUT',
]);

const meanings: Record<string, string | ((name: OptionNamer) => string)> = {
  TIMEOUT: (name) => `it hit its time limit (raise --time with ${name('sbatchArgs')})`,
  OUT_OF_MEMORY: (name) => `it ran out of memory (raise --mem with ${name('sbatchArgs')})`,
  NODE_FAIL: `its node failed (not the run's fault); "sweep retry" runs it again`,
  BOOT_FAIL: `its node failed to boot (not the run's fault); "sweep retry" runs it again`,
  PREEMPTED: (name) =>
    `it was preempted by a job of higher priority; "sweep retry" runs it again (or have Slurm requeue it: --requeue with ${name('sbatchArgs')})`,
  DEADLINE: `it missed its deadline; "sweep retry" runs it again`,
};

/**
 * The exit code of a job script that left at once because its job is not the one slurm.json records
 * (records.ts jobScript): 75, EX_TEMPFAIL, which no Slurm state gives.
 */
export const turnedAwayExitCode = 75;

/**
 * How Slurm saw a job end, e.g. `Slurm job 12_3: TIMEOUT, exit 0:15, from sacct: it hit its time limit (…)`.
 * @param name how to name the backend's options (the CLI passes its flags); --time and --mem are sbatch's own
 * @param resultWritten whether the run wrote its exit record: then the job script exited with the
 *   command's code, and a 75 is the command's, not the guard's
 */
export function describeSlurmEnd(
  id: string,
  info: { state: string; exit?: string; source: string },
  name: OptionNamer = libraryOption,
  resultWritten = false,
): string {
  const meaning = meanings[info.state];
  const turnedAway =
    !resultWritten && info.state === 'FAILED' && info.exit?.split(':')[0] === String(turnedAwayExitCode);
  const why = turnedAway
    ? `exit ${turnedAwayExitCode} is the job script's guard: this job is not the job slurm.json records: a second submission of the run, turned away`
    : typeof meaning === 'function'
      ? meaning(name)
      : meaning;
  return `Slurm job ${id}: ${info.state}${info.exit ? `, exit ${info.exit}` : ''}, from ${info.source}${why ? `: ${why}` : ''}`;
}
