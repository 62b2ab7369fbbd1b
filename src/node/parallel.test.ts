/**
 * Stopping the parallel fits: an AbortSignal terminates their worker threads and rejects as runSteps
 * does, with no worker left running; without an abort a signal changes no number.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { fit } from '../fit/fit.js';
import { chinchilla } from '../laws/chinchilla.js';
import { readRuns } from '../io/readRuns.js';
import { bootstrapParallel, fitParallel, runningWorkers } from './parallel.js';

const runs = readRuns(fileURLToPath(new URL('../../examples/chinchilla.csv', import.meta.url)));
const result = fit(chinchilla, runs);

/** Wait until `done()` holds, looking every 10 ms (the test's own timeout fails a wait that never ends). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 10));
}

const isAbort = (e: unknown) => e instanceof DOMException && e.name === 'AbortError';

// 200,000 replicates on two workers take minutes: only the abort ends this within the timeout.
test(
  'bootstrapParallel: an abort after the first progress terminates the workers and rejects with an AbortError',
  { timeout: 60_000 },
  async () => {
    const controller = new AbortController();
    let progressed = 0;
    const work = bootstrapParallel(result, {}, 200_000, 1, {
      threads: 2,
      signal: controller.signal,
      onProgress: () => {
        progressed++;
        controller.abort();
      },
    });
    let rejected: unknown;
    await work.catch((e: unknown) => (rejected = e));
    assert.ok(progressed > 0);
    assert.ok(isAbort(rejected), `rejected with ${String(rejected)}`);
    // Settled only once its workers have exited.
    assert.equal(runningWorkers(), 0);
  },
);

test(
  'fitParallel: an abort during the start grid stops this thread and the workers alike',
  { timeout: 60_000 },
  async () => {
    const controller = new AbortController();
    const reason = new Error('stopped by the test');
    const work = fitParallel(
      chinchilla,
      runs,
      { init: 'hoffmann' }, // 4,500 starts: on workers and this thread
      { threads: 3, signal: controller.signal, onProgress: () => controller.abort(reason) },
    );
    await assert.rejects(work, (e) => e === reason);
    await until(() => runningWorkers() === 0);
    assert.equal(runningWorkers(), 0);
  },
);

test(
  'in this thread alone (threads: 1), a signal stops the work too, and without an abort changes no number',
  { timeout: 60_000 },
  async () => {
    const controller = new AbortController();
    await assert.rejects(
      bootstrapParallel(result, {}, 100_000, 1, {
        threads: 1,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }),
      isAbort,
    );
    await assert.rejects(
      fitParallel(chinchilla, runs, { init: 'hoffmann' }, { threads: 1, signal: controller.signal }),
      isAbort,
    );
    // Already aborted: refused before any worker starts.
    await assert.rejects(bootstrapParallel(result, {}, 200, 1, { threads: 2, signal: controller.signal }), isAbort);
    assert.equal(runningWorkers(), 0);
    const signal = new AbortController().signal;
    const plain = await bootstrapParallel(result, {}, 20, 3, { threads: 1 });
    const sliced = await bootstrapParallel(result, {}, 20, 3, { threads: 1, signal });
    assert.deepEqual(sliced.values, plain.values);
    assert.deepEqual(sliced.converged, plain.converged);
  },
);
