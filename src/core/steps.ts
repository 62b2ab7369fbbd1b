/**
 * Long computations written as generators that yield between their steps (a bootstrap replicate, a
 * task's analysis): a command that must stay responsive (one stopped by Ctrl-C) gives its event loop a
 * turn at each yield, while library callers run them straight through.
 */

/** A result computed in steps: each `yield` is a point where the computation may pause. */
export type Steps<T> = Generator<void, T, void>;

/** Run a computation in steps to its end, without pausing. */
export function finish<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Whether a value is a computation in steps (a generator) rather than its result. */
export function isSteps<T>(value: T | Steps<T>): value is Steps<T> {
  return typeof (value as Steps<T> | undefined)?.next === 'function' && Symbol.iterator in (value as object);
}

/** How `runSteps` runs a long computation: a way to stop it and how often it lets other work in. */
export interface RunStepsOptions {
  /**
   * Stops the computation at its next step (within one bootstrap replicate, one fitted cutoff, one
   * task): the promise then rejects with `signal.reason` (an `AbortError` DOMException by default).
   */
  signal?: AbortSignal;
  /**
   * Longest stretch of steps, in milliseconds, before the event loop gets a turn (timers, I/O, an
   * abort from another callback are heard then). @default 20
   */
  sliceMs?: number;
}

/**
 * Run a computation in steps (`rollingBacktestSteps`, `analyseLadderSteps`, `makePlanSteps`,
 * `curveBootstrapSteps`, …) without blocking the event loop, and stop it when `signal` aborts. Progress
 * is reported by the computation's own callback (`onStep`, `onTask`, …); this only gives it turns.
 * @throws signal.reason when the signal aborts before the computation ends
 */
export async function runSteps<T>(steps: Steps<T>, options: RunStepsOptions = {}): Promise<T> {
  const { signal, sliceMs = 20 } = options;
  const turn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
  let since = Date.now();
  try {
    for (;;) {
      signal?.throwIfAborted();
      const step = steps.next();
      if (step.done) return step.value;
      if (Date.now() - since >= sliceMs) {
        await turn();
        since = Date.now();
      }
    }
  } finally {
    // An abort (or an error) leaves the generator suspended: close it so its `finally` blocks run.
    steps.return(undefined as T);
  }
}
