/**
 * What the Slurm backend keeps in a run's folder: slurm.json (where the run went in Slurm),
 * slurm-job-id (the raw ids of the jobs that ran there, appended by the job script), and the job
 * script itself. These records, not the sweep's memory, are what status() and cancel() go by, so a
 * restarted sweep finds its runs.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syncFolder } from '../../../io/durable.js';
import { hashKey } from '../../../store/hashKey.js';
import { type StoredRun } from '../../../store/store.js';
import { ATTEMPT_FILES, runDirectory, wrapperPath } from '../process.js';
import { turnedAwayExitCode } from './parse.js';

/** RUN_DIR/slurm.json: where the run went in Slurm. */
export interface SlurmRecord {
  /** The job name: an array's (`scalelab-array-…`) or its own job's (submissionJobName). */
  name: string;
  /** The run's task in the array. */
  index?: number;
  /** `ARRAYID_INDEX` or a plain job id, once sbatch has answered. */
  jobId?: string;
  at: string;
}

/** Files a new attempt of the run clears along with the wrapper's (process.ts clearAttempt). */
export const SLURM_FILES = ['slurm.json', 'slurm-job-id'];

export function readSlurmRecord(dir: string): SlurmRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'slurm.json'), 'utf8')) as SlurmRecord;
  } catch {
    return undefined;
  }
}

/** Replace slurm.json whole (write, then rename), so a reader never sees half a record. */
export function writeSlurmRecord(dir: string, rec: SlurmRecord): void {
  const tmp = join(dir, 'slurm.json.tmp');
  writeFileSync(tmp, JSON.stringify(rec, null, 2), { flush: true });
  renameSync(tmp, join(dir, 'slurm.json'));
  syncFolder(dir);
}

/** The raw id of the job that last ran in this folder (each job appends its $SLURM_JOB_ID). */
export function lastRawJobId(dir: string): string | undefined {
  try {
    const ids = readFileSync(join(dir, 'slurm-job-id'), 'utf8')
      .split('\n')
      .filter((l) => /^\d+$/.test(l));
    return ids[ids.length - 1];
  } catch {
    return undefined;
  }
}

/**
 * What the job names of a run submitted on its own start with: unique to the run's folder (so to
 * this store, study and run), so a restarted sweep never adopts another project's job.
 */
export function slurmJobName(root: string, r: StoredRun): string {
  return `scalelab-${r.id}-${hashKey(runDirectory(root, r)).slice(0, 16)}`;
}

/**
 * The job name of one sbatch of a run submitted on its own: the run's, and a nonce of its own. A
 * retry (`sweep retry`) keeps the run's id and folder, and squeue lists an ended job for minutes
 * (MinJobAge): looked up by a name shared with the earlier attempt, that attempt's ended job was
 * taken for the new one. Unique to each sbatch, it also tells the job script whether it is the job
 * slurm.json records.
 */
export function submissionJobName(root: string, r: StoredRun): string {
  return `${slurmJobName(root, r)}-${randomBytes(4).toString('hex')}`;
}

/** The name of a new job array: unique to this store's runs folder, process and moment. */
export function slurmArrayName(root: string, seq: number): string {
  return `scalelab-array-${hashKey([root, process.pid, Date.now(), seq]).slice(0, 16)}`;
}

/** Quote for a POSIX shell: the job script is a shell script, so its paths are quoted. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The batch script of the job (or array) named `name`, for one run's folder or for an array's tasks
 * (index → folder): pick the run folder, leave at once (exit code turnedAwayExitCode) unless this is the job slurm.json records,
 * remove what an earlier attempt left (ATTEMPT_FILES), append the job's id to slurm-job-id, run the
 * wrapper, and exit with the command's exit code from exit.json (1 when the command was killed), so
 * sacct says FAILED and which code.
 */
export function jobScript(name: string, task: string | { index: number; dir: string }[]): string {
  const lines = ['#!/bin/sh', '# Written by scalelab (src/experiments/backends/slurm/records.ts).'];
  if (typeof task === 'string') {
    lines.push(`d=${shellQuote(task)}`);
  } else {
    lines.push('case "${SLURM_ARRAY_TASK_ID:-}" in');
    for (const p of task) lines.push(`  ${p.index}) d=${shellQuote(p.dir)} ;;`);
    lines.push('  *) echo "scalelab: no run for array task ${SLURM_ARRAY_TASK_ID:-?}" >&2; exit 2 ;;', 'esac');
  }
  const field = (key: string) => `$(sed -n 's/.*"${key}": *"\\([^"]*\\)".*/\\1/p' slurm.json 2>/dev/null)`;
  lines.push(
    'cd "$d" || exit 2',
    // Only the job slurm.json records runs here. An sbatch that got no answer may still create its job
    // later, after the run was sent to Slurm again or retried (under a new name, written before that
    // sbatch) or its array sent again (same name, the new id recorded once sbatch answers): that job
    // leaves at once, before it touches what the recorded job writes. The name is this script's own
    // (Slurm runs the script as submitted), whatever name Slurm shows.
    `name=${shellQuote(name)}`,
    // Its own id as slurm.json records it. sbatch passes the submitter's environment on, so a one-run
    // job submitted from inside an array task sees that outer array's SLURM_ARRAY_* variables: only
    // an array's script reads them, or every such job would take itself for a stray and leave.
    typeof task === 'string'
      ? 'me=${SLURM_JOB_ID:-}'
      : 'me=${SLURM_ARRAY_JOB_ID:+${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID:-}}',
    `recorded=${field('name')}`,
    `recordedId=${field('jobId')}`,
    'if { [ -n "$recorded" ] && [ "$recorded" != "$name" ]; } || { [ -n "$recordedId" ] && [ -n "$me" ] && [ "$recordedId" != "$me" ]; }; then',
    '  echo "scalelab: job ${me:-?} ($name) is not the one $d/slurm.json records ($recorded${recordedId:+ $recordedId}): it leaves the run folder as it is" >&2',
    // A code of its own, so that how Slurm saw the job end says the guard acted (describeSlurmEnd).
    `  exit ${turnedAwayExitCode}`,
    'fi',
    // A requeued job (preempted, its node failed) runs here again: the earlier attempt's outcome is
    // not this one's, and read while this one runs it would end the run with the earlier one's failure;
    // its metrics and logs, appended to by the new attempt, would restart at low token counts.
    `rm -f ${ATTEMPT_FILES.join(' ')}`,
    `printf '%s\\n' "\${SLURM_JOB_ID:-}" >>slurm-job-id`,
    `${shellQuote(process.execPath)} ${shellQuote(wrapperPath)} "$d"`,
    `code=$(sed -n 's/^{"code":\\([0-9][0-9]*\\),.*/\\1/p' exit.json 2>/dev/null)`,
    'exit "${code:-1}"',
  );
  return lines.join('\n') + '\n';
}
