/**
 * Which runs go to Slurm when, and as what: the array scheduler of the Slurm backend. It holds no
 * Slurm knowledge of its own; sbatch, scontrol and the run folders are reached through
 * SchedulerIO, so the scheduling is tested without a cluster (scheduler.test.ts).
 *
 * Arrays. The runs handed over in one pass become one job array: enqueue() gives each a task index
 * in the array being built, and the array goes out on the next turn of the event loop (settle()).
 * An array holds at most `arrayMax` runs; runs handed over after an array went out make a new one.
 *
 * Concurrency across arrays. Several arrays of one sweep can be in Slurm at once, and Slurm's %K
 * throttles each on its own. So a new array gets %t with t = K − (runs of this sweep's earlier
 * arrays not yet seen ended), and waits unsubmitted while t < 1; as earlier arrays drain, later
 * ones' throttles are raised (rebalance()), never past that same bound. At any moment the tasks
 * running are at most the earlier arrays' unfinished runs plus the last array's throttle: K.
 * After a restart, arrays found still running are counted (adopt()), in job id order, and the
 * throttles set again (lowered too: but never below 1, so K may be exceeded by one per such array).
 *
 * Out of reach. An sbatch that the controller did not answer (io throws BackendUnreachable) fails no
 * run: the array, or the run, stays held and goes out on a later pass (`unreachable` says why meanwhile).
 *
 * One job per run. If sbatch refuses an array for being an array (arrays disabled, MaxArraySize…),
 * the scheduler falls back for good to one job per run, at most K in Slurm at a time (topUp()).
 */
import type { StoredRun } from '../../../store/store.js';
import { BackendUnreachable } from '../backend.js';

/** Most runs in one array when the cluster does not say: indices below Slurm's default MaxArraySize (1001). */
const ARRAY_MAX = 1000;

/** A run given a task index, not yet in Slurm. */
export interface Pending {
  run: StoredRun;
  dir: string;
  /** The run's task in its array. */
  index: number;
}

/** What the scheduler asks of Slurm and of the run folders. */
export interface SchedulerIO {
  /** A name for a new array, unique to this sweep. */
  arrayName(): string;
  /** sbatch `runs` as the array `name` at throttle %`throttle` and record it in their folders; the array's job id. */
  submitArray(name: string, runs: Pending[], throttle: number): Promise<string>;
  /** sbatch one run as its own job and record it in its folder. */
  submitOne(p: Pending): Promise<void>;
  /** `scontrol update ArrayTaskThrottle`. */
  setThrottle(arrayId: string, throttle: number): Promise<void>;
  /** A `sweep cancel` (maybe from another process) has marked the run's folder. */
  cancelled(dir: string): boolean;
  /** The run has ended (its folder has an outcome) or was cancelled. */
  finished(dir: string): boolean;
  /** Give the run a failed outcome: it was never submitted. */
  fail(dir: string, reason: string): void;
  warn(message: string): void;
  /** Run `fn` on the next turn of the event loop. */
  later(fn: () => void): void;
}

export interface SchedulerOptions {
  /** Runs at once (K): an array's `%K` throttle, or jobs in flight in one-job-per-run mode. */
  limit: number;
  /** Submit job arrays. @default true */
  arrays?: boolean;
  /** Most runs in one array. @default unknown until set; ARRAY_MAX meanwhile */
  arrayMax?: number;
  /** How often prune() looks at the run folders, at most. @default 500 */
  pruneEveryMs?: number;
}

interface Batch {
  name: string;
  runs: Map<string, Pending>;
  /** Indices handed out (a run cancelled before sbatch leaves a gap). */
  size: number;
}

interface LiveArray {
  throttle: number;
  size: number;
  unfinished: Set<string>;
}

export class ArrayScheduler {
  /** Submitting job arrays; false after a refusal of arrays (or `array: false`): one job per run. */
  arrays: boolean;
  /**
   * Why the last sbatch got no answer from the controller (BackendUnreachable), until one does: the
   * runs it held stay held and go out on a later pass, never failed for it.
   */
  unreachable: BackendUnreachable | undefined;
  /** Most runs in one array, once known. */
  arrayMax: number | undefined;
  private readonly limit: number;
  private readonly io: SchedulerIO;
  private readonly pruneEveryMs: number;
  /**
   * This sweep's arrays in Slurm with runs not yet seen ended, by job id, in submission order: the
   * ones it submitted (throttle known) and, after a restart, the ones its runs were found in.
   */
  private readonly live = new Map<string, LiveArray>();
  /** Run folder → its array's job id, for the runs in `live`. */
  private readonly liveOf = new Map<string, string>();
  // Runs given a handle but not yet in Slurm, by run folder: the array being built, full arrays
  // waiting for sbatch, and (after arrays failed) runs waiting for a slot to go one job each.
  private building: Batch | undefined;
  private readonly ready: Batch[] = [];
  private readonly waiting = new Map<string, Pending>();
  /** Run folders submitted one job each from `waiting` and not yet seen finished (at most `limit`). */
  private readonly fromWaiting = new Set<string>();
  private flushing: Promise<void> | undefined;
  /** The pass that sends the array being built (settle on the next turn), until it has run. */
  private gathering: Promise<void> | undefined;
  private rebalancing: Promise<void> | undefined;
  private prunedAt = 0;
  /**
   * Arrays whose refused throttle update was reported: once per array id, also when the array is
   * drained and found again (a requeued array comes back on every poll).
   */
  private readonly throttleWarned = new Set<string>();

  constructor(io: SchedulerIO, o: SchedulerOptions) {
    this.io = io;
    this.limit = o.limit;
    this.arrays = o.arrays ?? true;
    this.arrayMax = o.arrayMax;
    this.pruneEveryMs = o.pruneEveryMs ?? 500;
  }

  /** Runs the sweep runner may hand over at once: an array's worth, or K one-job runs. */
  get capacity(): number {
    return this.arrays ? (this.arrayMax ?? ARRAY_MAX) : this.limit;
  }

  /** Give the run a place in the array being built; sbatch comes on the next turn of the event loop. */
  enqueue(run: StoredRun, dir: string): { name: string; index: number } {
    this.drained(dir); // a retried run no longer counts in its old array
    if (!this.building || this.building.size >= (this.arrayMax ?? ARRAY_MAX)) {
      if (this.building) this.ready.push(this.building);
      this.building = { name: this.io.arrayName(), runs: new Map(), size: 0 };
      this.gathering = new Promise((resolve) => this.io.later(() => resolve(this.settle())));
    }
    const index = this.building.size++;
    this.building.runs.set(dir, { run, dir, index });
    return { name: this.building.name, index };
  }

  /**
   * Resolves once the runs handed over so far have been through a submission pass: each is in
   * Slurm, or held waiting for room under K (what a test observes instead of sleeping).
   */
  async settled(): Promise<void> {
    // Runs handed over while an sbatch answered make a new array, sent by a pass of its own.
    while (this.building || this.flushing) await (this.flushing ?? this.gathering);
  }

  /** The run is given a handle but not yet in Slurm. */
  held(dir: string): boolean {
    return this.waiting.has(dir) || !!this.building?.runs.has(dir) || this.ready.some((b) => b.runs.has(dir));
  }

  /** How many runs are given a handle but not yet in Slurm (held). */
  heldCount(): number {
    return this.waiting.size + (this.building?.runs.size ?? 0) + this.ready.reduce((n, b) => n + b.runs.size, 0);
  }

  /** Forget a run not yet in Slurm (cancelled); false when it is not held. */
  drop(dir: string): boolean {
    return this.waiting.delete(dir) || !!this.building?.runs.delete(dir) || this.ready.some((b) => b.runs.delete(dir));
  }

  /** Runs of this sweep's arrays in Slurm not yet seen ended (each may be running). */
  unfinished(): number {
    return [...this.live.values()].reduce((n, a) => n + a.unfinished.size, 0);
  }

  /** The run has ended: it no longer counts against K. */
  ended(dir: string): void {
    this.fromWaiting.delete(dir);
    this.drained(dir);
  }

  /**
   * A run found in an array this process did not submit (a restarted sweep): count it against K.
   * Its throttle is unknown (NaN), so the next rebalance sets it.
   */
  adopt(dir: string, jobId: string): void {
    const id = jobId.split('_')[0];
    if (!jobId.includes('_') || this.liveOf.has(dir)) return;
    const a = this.live.get(id) ?? { throttle: NaN, size: this.limit, unfinished: new Set<string>() };
    a.unfinished.add(dir);
    this.live.set(id, a);
    this.liveOf.set(dir, id);
  }

  /**
   * Runs that ended without status() seeing them (cancelled from another process, finished while
   * the runner was not polling them) stop counting against K. At most every pruneEveryMs.
   */
  prune(): void {
    if (Date.now() - this.prunedAt < this.pruneEveryMs) return;
    this.prunedAt = Date.now();
    for (const dirs of [...this.live.values()].map((a) => [...a.unfinished])) {
      for (const dir of dirs) if (this.io.finished(dir)) this.drained(dir);
    }
  }

  /**
   * Keep this sweep's arrays, in submission (job id) order, at throttle K − (unfinished runs of
   * the arrays before it), at least 1 and at most the array's size: raised as earlier ones drain,
   * lowered when a restart finds earlier arrays still running. Best effort: a refused update
   * only slows the sweep (and is said once per array).
   */
  rebalance(): Promise<void> {
    this.rebalancing ??= (async () => {
      let before = 0;
      for (const [id, a] of [...this.live].sort(([x], [y]) => Number(x) - Number(y))) {
        const target = Math.max(1, Math.min(this.limit - before, a.size));
        if (target !== a.throttle) {
          const was = a.throttle;
          a.throttle = target;
          await this.io.setThrottle(id, target).catch((e: Error) => {
            a.throttle = was;
            if (!this.throttleWarned.has(id))
              this.io.warn(`could not set the throttle of Slurm array ${id} to ${target}: ${e.message}`);
            this.throttleWarned.add(id);
          });
        }
        before += a.unfinished.size;
      }
    })().finally(() => (this.rebalancing = undefined));
    return this.rebalancing;
  }

  /** Flush the arrays built so far (`all`), or only those already waiting for room. */
  settle(all = true): Promise<void> {
    if (!this.flushing && ((all && this.building) || this.ready.length)) {
      this.flushing = this.flushArrays(all).finally(() => {
        this.flushing = undefined;
        // Runs added while sbatch answered; arrays waiting for room go when status() sees runs end.
        if (this.building) this.gathering = new Promise((resolve) => this.io.later(() => resolve(this.settle())));
      });
    }
    return this.flushing ?? Promise.resolve();
  }

  /** One-job-per-run mode: submit pooled runs while fewer than `limit` of them are in Slurm. */
  async topUp(): Promise<void> {
    for (const [dir, p] of this.waiting) {
      // Arrays still running (from before a refusal) count against K too.
      if (this.fromWaiting.size + this.unfinished() >= this.limit) break;
      this.waiting.delete(dir);
      if (this.io.cancelled(dir)) continue;
      this.fromWaiting.add(dir);
      try {
        await this.io.submitOne(p);
        this.unreachable = undefined;
      } catch (e) {
        if (e instanceof BackendUnreachable) {
          // Kept for a later pass (at the back of the pool: the others' order stands).
          this.fromWaiting.delete(dir);
          this.waiting.set(dir, p);
          this.unreachable = e;
          break;
        }
        this.io.fail(dir, `submit failed: ${(e as Error).message}`);
      }
    }
  }

  /** A run of a live array has ended (or is known to be gone). */
  private drained(dir: string): void {
    const id = this.liveOf.get(dir);
    if (id === undefined) return;
    this.liveOf.delete(dir);
    const a = this.live.get(id);
    a?.unfinished.delete(dir);
    if (a && a.unfinished.size === 0) this.live.delete(id);
  }

  /**
   * Submit the arrays built so far, in order, while K leaves room (the rest wait for status() to
   * see runs end); on a refusal of arrays, switch to one job per run (topUp).
   */
  private async flushArrays(all: boolean): Promise<void> {
    if (all && this.building) this.ready.push(this.building);
    if (all) this.building = undefined;
    while (this.ready.length) {
      const batch = this.ready[0];
      if (this.arrays && !(await this.submitArray(batch))) break;
      this.ready.shift();
      if (!this.arrays) for (const [dir, p] of batch.runs) this.waiting.set(dir, p);
    }
  }

  /** Submit one array; false when K leaves no room for it yet. */
  private async submitArray(batch: Batch): Promise<boolean> {
    // A `sweep cancel` from another process cannot reach this one's queues: it leaves a marker.
    const runs = [...batch.runs.values()].filter((p) => !this.io.cancelled(p.dir));
    if (runs.length === 0) return true;
    const throttle = Math.min(this.limit, runs.length, this.limit - this.unfinished());
    if (throttle < 1) return false;
    try {
      const id = await this.io.submitArray(batch.name, runs, throttle);
      this.unreachable = undefined;
      this.live.set(id, { throttle, size: runs.length, unfinished: new Set(runs.map((p) => p.dir)) });
      for (const p of runs) this.liveOf.set(p.dir, id);
    } catch (e) {
      if (e instanceof BackendUnreachable) {
        // The controller did not answer: the array waits, as for room, and goes on a later pass.
        this.unreachable = e;
        return false;
      }
      const message = (e as Error).message;
      // Only a refusal of arrays themselves (disabled, MaxArraySize, the spec) means one job per run;
      // anything else (a wrong partition, a bad sbatch argument, the controller down) would fail
      // one-job submissions the same way, so it fails this array's runs, with sbatch's words.
      const said = message.slice(message.lastIndexOf(' failed: ') + 1); // sbatch's own words, not the command line
      if (/array/i.test(said)) {
        this.arrays = false;
        this.io.warn(`Slurm job arrays failed, submitting one job per run from now on: ${message}`);
        return true;
      }
      for (const p of runs) this.io.fail(p.dir, `submit failed: ${message}`);
    }
    return true;
  }
}
