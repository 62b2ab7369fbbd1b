/**
 * Worker thread for fits: refines a slice of the start grid or a slice of bootstrap replicates.
 * It rebuilds the fit problem from plain data, which is deterministic, so a slice gives the same
 * numbers here as in the main thread.
 */
import { parentPort } from 'node:worker_threads';
import { getLaw } from '../laws/index.js';
import { prepareFit, refineStarts, type StartResult } from '../fit/fit.js';
import { bootstrapSlice } from '../fit/bootstrap.js';
import type { WorkerTask, WorkerReply } from './parallel.js';

const port = parentPort!;
port.on('message', async (task: WorkerTask) => {
  try {
    // Laws registered outside laws/index.ts register themselves when their module is imported.
    for (const module of task.law.modules) await import(module);
    const law = getLaw(task.law.choice);
    const problem = prepareFit(law, task.dataset, task.options);
    let done = 0;
    const tick = () => {
      done++;
      if (done % 8 === 0) port.postMessage({ type: 'progress', count: 8 } satisfies WorkerReply);
    };
    const flush = () => {
      if (done % 8 !== 0) port.postMessage({ type: 'progress', count: done % 8 } satisfies WorkerReply);
    };
    if (task.kind === 'starts') {
      const counter = new Int32Array(task.next);
      const total = problem.starts.length;
      const from: number[] = [];
      const results: StartResult[] = [];
      for (
        let first = Atomics.add(counter, 0, task.chunk);
        first < total;
        first = Atomics.add(counter, 0, task.chunk)
      ) {
        from.push(first);
        results.push(...refineStarts(problem, first, Math.min(total, first + task.chunk), tick));
      }
      flush();
      port.postMessage({ type: 'starts', from, results } satisfies WorkerReply);
    } else {
      const out = bootstrapSlice(
        problem,
        Float64Array.from(task.theta),
        task.seed,
        task.from,
        task.to,
        tick,
        task.unit,
      );
      flush();
      port.postMessage(
        {
          type: 'bootstrap',
          values: out.values,
          converged: out.converged,
          failures: out.failures,
        } satisfies WorkerReply,
        [out.values.buffer as ArrayBuffer, out.converged.buffer as ArrayBuffer, out.failures.buffer as ArrayBuffer],
      );
    }
  } catch (e) {
    port.postMessage({ type: 'error', message: (e as Error).message } satisfies WorkerReply);
  }
});
