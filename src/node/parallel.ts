/**
 * Spread the expensive parts of a fit — the full start grid and bootstrap replicates — over
 * worker threads (node:worker_threads). Small jobs stay in the main thread, where starting
 * workers would cost more than it saves. Results are identical to the single-thread path.
 */
import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { choiceOf, lawModules, rebuildable, type Law, type LawChoice } from '../laws/index.js';
import { defaultResampleUnit, type Dataset } from '../io/dataset.js';
import { finishFit, prepareFit, refineStarts, type FitOptions, type FitResult, type StartResult } from '../fit/fit.js';
import { bootstrapSlice, type BootstrapSamples, type ResampleUnit } from '../fit/bootstrap.js';
import { FitError } from '../errors/index.js';
import { packagePath } from '../io/packageRoot.js';
import type { FitRunners } from '../fit/run.js';

/**
 * What a worker rebuilds the law from: its choice (id and options, so bnsl keeps its breaks and
 * variable), after importing the modules that register laws defined outside laws/index.ts.
 */
export interface WorkerLaw {
  choice: LawChoice;
  modules: string[];
}

export type WorkerTask =
  /**
   * Refine starts in chunks of `chunk`, each claimed from the shared counter `next` (the next start
   * index, advanced with Atomics.add), until none is left: whoever is free takes the next chunk.
   */
  | { kind: 'starts'; law: WorkerLaw; dataset: Dataset; options: FitOptions; next: SharedArrayBuffer; chunk: number }
  | {
      kind: 'bootstrap';
      law: WorkerLaw;
      dataset: Dataset;
      options: FitOptions;
      from: number;
      to: number;
      seed: number;
      theta: number[];
      unit?: ResampleUnit;
    };

export type WorkerReply =
  | { type: 'progress'; count: number }
  /** The first start of each chunk claimed, and the results of all of them, chunk after chunk. */
  | { type: 'starts'; from: number[]; results: StartResult[] }
  | { type: 'bootstrap'; values: Float64Array; converged: Uint8Array; failures: Uint8Array }
  | { type: 'error'; message: string };

export interface ParallelOptions {
  /** Worker threads; 1 runs everything in the main thread. @default available cores (at most 8) */
  threads?: number;
  /** Called with the number of units (starts or replicates) just finished. */
  onProgress?: (count: number) => void;
  /** Called once with the number of units before work starts. */
  onTotal?: (total: number) => void;
  /** Bootstrap only: resample lineages, whole training runs or rows (default: lineages when the data name them, else runs). */
  unit?: ResampleUnit;
  /**
   * Called with the work of worker threads, whose promise this thread awaits while free (yielding
   * between its own chunks): the CLI handles Ctrl-C meanwhile. Not called for work done in this
   * thread alone (one thread, few starts or replicates), which keeps it busy until done.
   */
  whileParallel?: <T>(work: Promise<T>) => Promise<T>;
  /**
   * Stops the work when it aborts: the worker threads are terminated at once (the promise settles only
   * once they have exited) and work in this thread stops at its next chunk of starts or replicates; the
   * promise then rejects with `signal.reason` (an `AbortError` DOMException by default), as `runSteps` does.
   */
  signal?: AbortSignal;
}

/**
 * The law as a worker rebuilds it, or undefined when the registry cannot rebuild it (a law built
 * outside the registry, such as a per-group law): such a law is fitted in the main thread.
 */
export function workerLaw(law: Law): WorkerLaw | undefined {
  return rebuildable(law) ? { choice: choiceOf(law), modules: lawModules(law) } : undefined;
}

function defaultThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

// From TypeScript sources (tests, tsx) the worker is a .ts file: a worker does not inherit tsx's
// loader, so a two-line bootstrap registers it before importing the worker.
// Built, the worker is dist/node/fitWorker.js, found from the package root: this module may be part of
// the bundled CLI (dist/bundle/), where a path relative to its own URL would point elsewhere.
const fromSource = import.meta.url.endsWith('.ts');
const workerUrl = fromSource
  ? new URL('./fitWorker.ts', import.meta.url)
  : pathToFileURL(packagePath('dist', 'node', 'fitWorker.js'));

/** Workers started and not yet exited: what an abort must leave at none. */
const running = new Set<Worker>();

/** How many worker threads of this module are running now (started and not yet exited). */
export function runningWorkers(): number {
  return running.size;
}

// node:worker_threads is imported only to start a worker: loading it costs a few milliseconds of
// every `fit`, which mostly needs none (README, Speed).
async function startWorker(): Promise<Worker> {
  const { Worker } = await import('node:worker_threads');
  let worker: Worker;
  if (!fromSource) worker = new Worker(workerUrl);
  else {
    const tsx = import.meta.resolve('tsx/esm/api');
    const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(workerUrl.href)}); })`;
    worker = new Worker(code, { eval: true });
  }
  running.add(worker);
  worker.once('exit', () => running.delete(worker));
  return worker;
}

/**
 * One task on a worker of its own. An abort terminates the worker and rejects with `signal.reason`
 * once it has exited, so that no thread outlives the promise.
 */
async function runTask(task: WorkerTask, onProgress?: (n: number) => void, signal?: AbortSignal): Promise<WorkerReply> {
  signal?.throwIfAborted();
  const worker = await startWorker();
  return new Promise((resolve, reject) => {
    const abort = () => {
      worker.terminate().then(
        () => reject(signal!.reason),
        () => reject(signal!.reason),
      );
    };
    const settle = () => signal?.removeEventListener('abort', abort);
    if (signal?.aborted) return abort();
    signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (msg: WorkerReply) => {
      if (msg.type === 'progress') onProgress?.(msg.count);
      else {
        settle();
        void worker.terminate();
        if (msg.type === 'error') reject(new FitError(msg.message));
        else resolve(msg);
      }
    });
    worker.on('error', (e) => {
      settle();
      reject(e);
    });
    worker.postMessage(task);
  });
}

/**
 * The replies of all `tasks`; on an abort, only once every one has settled (its worker exited), so
 * that the caller's promise rejects with no worker left running.
 */
async function allReplies(tasks: Promise<WorkerReply>[], signal?: AbortSignal): Promise<WorkerReply[]> {
  try {
    return await Promise.all(tasks);
  } catch (e) {
    if (signal?.aborted) {
      await Promise.allSettled(tasks);
      throw signal.reason;
    }
    throw e;
  }
}

/** A turn for the event loop, in which an abort (or a worker's message) is heard. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

function slices(total: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  const size = Math.ceil(total / parts);
  for (let from = 0; from < total; from += size) out.push([from, Math.min(total, from + size)]);
  return out;
}

/** Plain copy of a data set that survives structured cloning. */
function plainDataset(d: Dataset): Dataset {
  return {
    source: d.source,
    runs: d.runs,
    columns: d.columns,
    derived: d.derived,
    ...(d.scaled ? { scaled: d.scaled } : {}),
  };
}

/** Starts per chunk claimed from the shared counter: ~10 ms of work, small enough to balance the threads. */
const START_CHUNK = 16;

/** Replicates computed in this thread between two looks at an abort signal (a few milliseconds each). */
const REPLICATE_CHUNK = 8;

/**
 * `fit`, with the refinement of many starts spread over threads: `threads − 1` workers and this
 * thread, each claiming the next chunk of starts from a shared counter, so a worker still starting
 * up (tens of milliseconds; more from TypeScript sources) or a core taken by another process delays
 * nothing. This thread yields between chunks, so the event loop stays responsive.
 */
export async function fitParallel(
  law: Law,
  dataset: Dataset,
  options: FitOptions = {},
  parallel: ParallelOptions = {},
): Promise<FitResult> {
  const signal = parallel.signal;
  signal?.throwIfAborted();
  const problem = prepareFit(law, dataset, options);
  const threads = parallel.threads ?? defaultThreads();
  const total = problem.starts.length;
  parallel.onTotal?.(total);
  const rebuilt = workerLaw(law);
  if (threads <= 1 || total < 400 || !rebuilt) {
    if (!signal)
      return finishFit(
        problem,
        refineStarts(problem, 0, total, () => parallel.onProgress?.(1)),
      );
    // With a signal, in chunks with a turn between them (the same starts, so the same result).
    const results: StartResult[] = [];
    for (let from = 0; from < total; from += START_CHUNK) {
      results.push(...refineStarts(problem, from, Math.min(total, from + START_CHUNK), () => parallel.onProgress?.(1)));
      await turn();
      signal.throwIfAborted();
    }
    return finishFit(problem, results);
  }
  const work = refineInParallel(problem, rebuilt, dataset, options, threads, parallel);
  return finishFit(problem, await (parallel.whileParallel ? parallel.whileParallel(work) : work));
}

/** The starts of `problem` refined by `threads − 1` workers and this thread (see fitParallel). */
async function refineInParallel(
  problem: ReturnType<typeof prepareFit>,
  rebuilt: WorkerLaw,
  dataset: Dataset,
  options: FitOptions,
  threads: number,
  parallel: ParallelOptions,
): Promise<StartResult[]> {
  const total = problem.starts.length;
  const next = new SharedArrayBuffer(4);
  const counter = new Int32Array(next);
  const results: StartResult[] = new Array(total);
  const signal = parallel.signal;
  const workers = Array.from({ length: threads - 1 }, () =>
    runTask(
      { kind: 'starts', law: rebuilt, dataset: plainDataset(dataset), options, next, chunk: START_CHUNK },
      parallel.onProgress,
      signal,
    ),
  );
  // A worker that fails before claiming anything must not leave an unhandled rejection while this thread works.
  workers.forEach((w) => w.catch(() => {}));
  for (let from = Atomics.add(counter, 0, START_CHUNK); from < total; from = Atomics.add(counter, 0, START_CHUNK)) {
    const to = Math.min(total, from + START_CHUNK);
    refineStarts(problem, from, to, () => parallel.onProgress?.(1)).forEach((r, k) => (results[from + k] = r));
    await turn();
    // Aborted: the workers are being terminated (runTask); rejected once they have exited.
    if (signal?.aborted) {
      await Promise.allSettled(workers);
      throw signal.reason;
    }
  }
  for (const reply of await allReplies(workers, signal)) {
    if (reply.type !== 'starts') continue;
    let k = 0;
    for (const from of reply.from) {
      const to = Math.min(total, from + START_CHUNK);
      for (let i = from; i < to; i++) results[i] = reply.results[k++];
    }
  }
  return results;
}

/** Bootstrap replicates of a fit, spread over worker threads; identical to the serial result. */
export async function bootstrapParallel(
  result: FitResult,
  options: FitOptions,
  replicates: number,
  seed: number,
  parallel: ParallelOptions = {},
): Promise<BootstrapSamples> {
  const signal = parallel.signal;
  signal?.throwIfAborted();
  const law = result.law;
  const names = law.params.map((p) => p.name);
  const threads = parallel.threads ?? defaultThreads();
  const p = names.length;
  const unit = parallel.unit ?? defaultResampleUnit(result.dataset);
  parallel.onTotal?.(replicates);
  const rebuilt = workerLaw(law);
  if (threads <= 1 || replicates < 64 || !rebuilt) {
    const problem = prepareFit(law, result.dataset, { ...options, init: result.params });
    const tick = () => parallel.onProgress?.(1);
    if (!signal) {
      const out = bootstrapSlice(problem, result.theta, seed, 0, replicates, tick, unit);
      return { names, values: out.values, converged: out.converged, failures: out.failures, replicates, seed, unit };
    }
    // With a signal, in slices with a turn between them: replicate r draws from its own stream (seed, r),
    // so the slices give the same replicates as one pass.
    const values = new Float64Array(replicates * p);
    const converged = new Uint8Array(replicates);
    const failures = new Uint8Array(replicates);
    for (let from = 0; from < replicates; from += REPLICATE_CHUNK) {
      const out = bootstrapSlice(
        problem,
        result.theta,
        seed,
        from,
        Math.min(replicates, from + REPLICATE_CHUNK),
        tick,
        unit,
      );
      values.set(out.values, from * p);
      converged.set(out.converged, from);
      failures.set(out.failures, from);
      await turn();
      signal.throwIfAborted();
    }
    return { names, values, converged, failures, replicates, seed, unit };
  }
  // Workers need no start grid: give them the fitted values as a single start.
  const workerOptions: FitOptions = { ...options, init: result.params };
  const parts = slices(replicates, threads);
  const all = allReplies(
    parts.map(([from, to]) =>
      runTask(
        {
          kind: 'bootstrap',
          law: rebuilt,
          dataset: plainDataset(result.dataset),
          options: workerOptions,
          from,
          to,
          seed,
          theta: Array.from(result.theta),
          unit,
        },
        parallel.onProgress,
        signal,
      ),
    ),
    signal,
  );
  const replies = await (parallel.whileParallel ? parallel.whileParallel(all) : all);
  const values = new Float64Array(replicates * p);
  const converged = new Uint8Array(replicates);
  const failures = new Uint8Array(replicates);
  parts.forEach(([from], i) => {
    const r = replies[i];
    if (r.type !== 'bootstrap') return;
    values.set(r.values, from * p);
    converged.set(r.converged, from);
    failures.set(r.failures, from);
  });
  return { names, values, converged, failures, replicates, seed, unit };
}

/**
 * The library's fit runners (fit/run.ts) on worker threads: `threads` of them, resampling by `unit`;
 * `signal` stops a stage part way (give `fitByProcedure`/`fitLaw` the same signal, which stops between stages).
 */
export function parallelRunners(
  o: Pick<ParallelOptions, 'threads' | 'unit' | 'whileParallel' | 'signal'> = {},
): FitRunners {
  return {
    fit: (law, dataset, options, onTotal, onProgress) =>
      fitParallel(law, dataset, options, {
        threads: o.threads,
        whileParallel: o.whileParallel,
        signal: o.signal,
        onTotal,
        onProgress,
      }),
    bootstrap: (result, options, replicates, seed, onProgress) =>
      bootstrapParallel(result, options, replicates, seed, { ...o, onProgress }),
  };
}
