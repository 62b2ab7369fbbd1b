/**
 * What runs a planned training run: the in-process simulator, a training API over HTTP, a local
 * command, or a Slurm cluster. The sweep runner (../runner.ts) drives any of them the same way.
 */
import type { Checkpoint, StoredRun } from '../../store/store.js';
import type { RunStatus } from '../../store/runStatus.js';
import type { Schedule } from '../../core/schedule.js';
import { ScaleLabError } from '../../errors/index.js';

export interface BackendStatus {
  /** A backend knows a run once submitted: the run statuses from queued on. */
  state: Exclude<RunStatus, 'planned' | 'submitting'>;
  loss?: number;
  evals?: Checkpoint[];
  /** The learning-rate schedule the trainer reported (its metrics' "schedule"), kept with the run. */
  schedule?: Schedule;
  /** Accelerator seconds charged. */
  seconds?: number;
  reason?: string;
  /** The backend's id for the run, when it has changed since submit (a Slurm array handle that became ARRAYID_INDEX). */
  externalId?: string;
}

/**
 * Thrown by Backend.submit when the run cannot start yet but will once runs in flight finish (a
 * training API's budget is reserved by them): the runner plans the run again and waits.
 */
export class BackendBusy extends Error {
  override name = 'BackendBusy' as const;
}

/**
 * Thrown by a backend that cannot reach the service running its runs (a training API stopped,
 * restarting or killed): nothing was learnt or changed by the call, so the runner leaves every run
 * as it was (one being submitted stays "submitting", looked up by its configuration once the
 * service answers again) and tries again for a while before it stops, saying so.
 */
export class BackendUnreachable extends ScaleLabError {
  override name = 'BackendUnreachable' as const;
}

export interface Backend {
  name: string;
  /** Runs in flight at once. */
  concurrency: number;
  /** Start a run; returns the backend's id for it. May throw BackendBusy: try again later. */
  submit(run: StoredRun): Promise<string>;
  /** Where a submitted run stands (run.externalId is set). */
  status(run: StoredRun): Promise<BackendStatus>;
  /** After a crash between submit and recording the id: the id of this run if it was submitted. */
  find?(run: StoredRun): Promise<string | undefined>;
  cancel?(run: StoredRun): Promise<void>;
  /**
   * Runs submit() gave a handle that have not reached the backend yet (Slurm runs gathered for an array,
   * waiting for room, or whose sbatch got no answer): stored as queued, though no job runs them. What an
   * interrupted sweep says of them (cli/backendFlags.ts interruptedSweepNote).
   */
  notSubmitted?(): number;
  /** Accelerator seconds left of the budget the backend keeps (a training API's GET /budget); undefined when none or unknown. */
  remainingSeconds?(): Promise<number | undefined>;
}

/** The training configuration stored with a planned run. */
export interface RunConfig {
  n_layer: number;
  d_model: number;
  n_heads: number;
  d_ff?: number;
  tokens: number;
  batch_tokens: number;
  learning_rate: number;
  parametrization?: 'sp' | 'mup';
  n_evals?: number;
  seed?: number;
}

export function runConfig(run: StoredRun): RunConfig {
  if (!run.config) throw new Error(`run ${run.id} has no training configuration`);
  return run.config as unknown as RunConfig;
}
