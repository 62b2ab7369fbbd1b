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
