/**
 * Run each planned run as a Slurm batch job (sbatch), the cluster scheduler users move to when one
 * machine is not enough. Each job runs bin/run-wrapper.mjs on the run's folder, so the training
 * command is an argument vector (never a shell string) and its end is recorded in exit.json. State
 * comes from exit.json when present, else from `squeue --json -t all`, else `scontrol show job`.
 * Jobs are named after the run's folder so a restarted sweep finds what it already submitted.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { ScaleLabError } from '../../errors/index.js';
import { hashKey, type StoredRun } from '../../store/store.js';
import type { Backend, BackendStatus } from './backend.js';
import { expandTemplate, finishedStatus, runDirectory, templateValues, wrapperPath, writeJob } from './process.js';

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
  concurrency?: number;
  cwd?: string;
}

/** Quote for a POSIX shell: the job script is a shell script, so its two paths are quoted. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function slurm(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { maxBuffer: 64 << 20 });
    return stdout;
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT') throw new SlurmError(`${cmd} not found: is Slurm installed and on PATH? (test/slurm/cluster.sh starts a one-node cluster)`);
    throw new SlurmError(`${cmd} ${args.join(' ')} failed: ${(err.stderr ?? err.message).trim()}`);
  }
}

interface SqueueJob {
  job_id: number;
  name: string;
  job_state: string | string[];
  exit_code?: unknown;
}

function stateOf(job: SqueueJob): string {
  return Array.isArray(job.job_state) ? job.job_state[0] : job.job_state;
}

async function squeue(filter: string[]): Promise<SqueueJob[]> {
  const out = await slurm('squeue', ['--json', '-t', 'all', ...filter]);
  return (JSON.parse(out) as { jobs: SqueueJob[] }).jobs ?? [];
}

/**
 * The job's name: unique to the run's folder (so to this store, study and run), which lets a
 * restarted sweep find its own job and never adopt another project's.
 */
export function slurmJobName(root: string, r: StoredRun): string {
  return `scalelab-${r.id}-${hashKey(runDirectory(root, r)).slice(0, 16)}`;
}

export function slurmBackend(o: SlurmOptions): Backend {
  const root = o.root ?? '.scalelab/runs';
  const cwd = o.cwd ?? process.cwd();
  return {
    name: 'slurm',
    concurrency: o.concurrency ?? 64,
    async submit(r) {
      const dir = runDirectory(root, r);
      writeJob(dir, expandTemplate(o.command, templateValues(r, dir)), cwd);
      const script = join(dir, 'job.sh');
      writeFileSync(script, `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(wrapperPath)} ${shellQuote(dir)}\n`);
      chmodSync(script, 0o755);
      const args = ['--parsable', `--job-name=${slurmJobName(root, r)}`, '-D', dir, '-o', join(dir, 'slurm-%j.out'), '-e', join(dir, 'slurm-%j.err'), ...(o.partition ? [`--partition=${o.partition}`] : []), ...(o.sbatchArgs ?? []), script];
      const out = await slurm('sbatch', args);
      const id = out.trim().split(';')[0];
      if (!/^\d+$/.test(id)) throw new SlurmError(`sbatch printed "${out.trim()}", expected a job id`);
      return id;
    },
    async status(r): Promise<BackendStatus> {
      const dir = runDirectory(root, r);
      const done = finishedStatus(dir);
      if (done) return done;
      const jobs = await squeue(['-j', r.externalId!]).catch(() => [] as SqueueJob[]);
      const job = jobs.find((j) => String(j.job_id) === r.externalId);
      let state = job ? stateOf(job) : undefined;
      if (!state) {
        // Gone from squeue (finished more than MinJobAge ago): ask scontrol, which may still know it.
        const text = await slurm('scontrol', ['show', 'job', r.externalId!]).catch(() => '');
        state = /JobState=(\w+)/.exec(text)?.[1];
      }
      if (state === 'PENDING' || state === 'CONFIGURING') return { state: 'queued' };
      if (state === 'RUNNING' || state === 'COMPLETING') return { state: 'running' };
      if (state === 'CANCELLED') return { state: 'cancelled', reason: 'cancelled by scancel' };
      // Finished in Slurm's eyes but exit.json not (yet) visible: check once more, then call it.
      await new Promise((res) => setTimeout(res, 300));
      const again = finishedStatus(dir);
      if (again) return again;
      if (state === 'COMPLETED' || state === undefined) return { state: 'failed', reason: `Slurm job ${r.externalId} ended${state ? ` (${state})` : ''} without a result (no exit.json in ${dir})` };
      return { state: 'failed', reason: `Slurm job ${r.externalId} ended in state ${state}` };
    },
    async find(r) {
      // squeue --json in Slurm 22.05 ignores -j and --name filters, so filter here.
      const name = slurmJobName(root, r);
      const jobs = await squeue(['--name', name]).catch(() => [] as SqueueJob[]);
      const live = jobs.filter((j) => j.name === name && stateOf(j) !== 'CANCELLED');
      return live.length ? String(live[live.length - 1].job_id) : undefined;
    },
    async cancel(r) {
      if (r.externalId) await slurm('scancel', [r.externalId]);
    },
  };
}
