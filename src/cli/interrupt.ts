/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP while a command waits on work outside its main thread (worker
 * threads, trainers, a store, a server's clients): it stops at once with one line saying so and what
 * it leaves, and exits 128 + the signal's number (130 for Ctrl-C), as a shell reports a killed command.
 *
 * Stopping at once is safe because a signal's listener runs only between two pieces of the command's
 * work, never inside one: every write (an output file written whole and renamed, a store transaction)
 * is synchronous, so when the signal is handled each is done or not begun. A loop of such writes (an
 * import of several files) gives the event loop a turn between them (betweenSteps), so a signal
 * stops it there rather than after the last; worker threads end with the process.
 *
 * Work the main thread computes itself (curve-law fit: one fit per model size, then minutes of
 * bootstrap replicates; a downstream analysis, task by task and replicate by replicate; a back-test, fit by fit; the bootstraps of
 * compare, frontier, plan, hparams, bcrit and mup, replicate by replicate) is a loop of steps too: a
 * listener runs only between two of them, so the loop gives the event loop a turn after each
 * (betweenSteps, stepwise), and a signal waits at most one step (handleToTheEnd, or interruptible).
 *
 * Outside those phases no listener is installed and Node's default applies: the process ends at once,
 * silently, with the signal; a command loses nothing it had written there, since it writes nothing
 * part way.
 */

/** The signals a user or a system sends to stop a command, and their numbers (exit status 128 + n). */
const signals = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
type StopSignal = keyof typeof signals;

/** What the command registered: each says, at the signal, what it leaves (or nothing to say). */
const notes = new Set<() => string | undefined>();
/** Output files a command checked before its work, and whether it has written each yet. */
const outputs = new Map<string, { written: boolean; existed: boolean }>();
/** A long-running server's own way to stop (serve, lab serve): it closes and the command returns. */
let server: (() => void) | undefined;
let json = false;
let stopping = false;
/** Phases that handle the signals now (notes, servers, awaited work): listeners are on while > 0. */
let handling = 0;
const listeners = new Map<StopSignal, () => void>();

/** Signals handled from a point of the command to its end (handleToTheEnd), withdrawn when it ends. */
let toTheEnd: (() => void) | undefined;
/** The command's action has returned (its result printed): a signal now changes nothing it wrote. */
let ended = false;

/** Listeners from the command's end to the process's exit (holdAfterEnd). */
let afterEnd: Map<StopSignal, () => void> | undefined;

/** Start a command: nothing registered, and how the interruption is said (--json: a JSON error). */
export function handleInterrupts(options: { json?: boolean }): void {
  withdrawToTheEnd();
  releaseAfterEnd();
  ended = false;
  notes.clear();
  outputs.clear();
  server = undefined;
  stopping = false;
  json = options.json === true;
}

/** Handle the signals until the returned function is called (counted: phases may nest). */
function handle(): () => void {
  if (handling++ === 0)
    for (const signal of Object.keys(signals) as StopSignal[]) {
      const listener = () => interrupted(signal);
      listeners.set(signal, listener);
      process.on(signal, listener);
    }
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--handling > 0) return;
    // The last listener gone, Node's default is back: a signal ends the process at once.
    for (const [signal, listener] of listeners) process.removeListener(signal, listener);
    listeners.clear();
  };
}

/**
 * While the command's main thread is free (it awaits worker threads, trainers, a store), a signal
 * stops it with the line; `note` runs then (it may undo what must not outlive the command, such as
 * a claim on a study) and returns what the command leaves, or undefined.
 * @returns a function that withdraws the note (call it when that part of the work is over)
 */
export function onInterrupt(note: () => string | undefined): () => void {
  notes.add(note);
  const release = handle();
  return () => {
    notes.delete(note);
    release();
  };
}

/**
 * Handle the signals from here to the end of the command: its reading and computing on the main thread
 * are done in steps (betweenSteps between them), so a signal waits at most one step, where Node's default
 * would end the command silently.
 */
export function handleToTheEnd(): void {
  toTheEnd ??= handle();
}

/**
 * The command has ended: what handleToTheEnd installed is withdrawn, once a signal that came during its
 * last synchronous part (after its last step) has been heard, rather than lost with the listener: it
 * then ends the command with the line (an output file said written) and 130, not 0.
 */
export async function commandEnded(): Promise<void> {
  ended = true;
  if (toTheEnd) await betweenSteps();
  holdAfterEnd();
  withdrawToTheEnd();
}

/**
 * From the command's end until the process exits (its handles closing, stdout draining) a signal would
 * otherwise meet Node's default and end it with 130 and no word, though its result was printed and its
 * files written: it is said on stderr, and the command ends with its own exit code.
 */
function holdAfterEnd(): void {
  if (afterEnd) return;
  afterEnd = new Map();
  for (const signal of Object.keys(signals) as StopSignal[]) {
    const listener = () => {
      process.stderr.write(`scalelab: interrupted (${signal}) after the command had finished: its output stands\n`);
      process.exit(process.exitCode ?? 0);
    };
    afterEnd.set(signal, listener);
    process.on(signal, listener);
  }
}

function releaseAfterEnd(): void {
  for (const [signal, listener] of afterEnd ?? []) process.removeListener(signal, listener);
  afterEnd = undefined;
}

function withdrawToTheEnd(): void {
  toTheEnd?.();
  toTheEnd = undefined;
}

/** Await `work` (on worker threads: the main thread is free) with the signals handled meanwhile. */
export async function interruptible<T>(work: Promise<T>): Promise<T> {
  const release = handle();
  try {
    return await work;
  } finally {
    // A signal that came during the last synchronous part is heard before the listener goes.
    await betweenSteps();
    release();
  }
}

/** An output file the command will write: the interruption says whether it was written. */
export function expectOutput(path: string, existed: boolean): void {
  if (!outputs.has(path)) outputs.set(path, { written: false, existed });
}

/** The output file is written (whole: see writeAtomically). */
export function outputWritten(path: string): void {
  const o = outputs.get(path);
  if (o) o.written = true;
}

/**
 * A server that runs until stopped: the first signal calls `stop` (which closes it, and the command
 * then returns as usual) instead of ending the process; a second one ends it at once.
 * @returns a function that withdraws it
 */
export function stopServerOnInterrupt(stop: () => void): () => void {
  server = stop;
  const release = handle();
  return () => {
    if (server === stop) server = undefined;
    release();
  };
}

function interrupted(signal: StopSignal): void {
  const status = 128 + signals[signal];
  // A second Ctrl-C while a server closes (or a note misbehaves): end now.
  if (stopping) process.exit(status);
  stopping = true;
  if (server) return server();
  // After the command's result was printed (stdout one whole document), the signal is said on stderr and
  // the command ends as it would have: its output stands, and a script reading it is not given two.
  if (ended) {
    process.stderr.write(`scalelab: interrupted (${signal}) after the command had finished: its output stands\n`);
    return;
  }
  const clauses: string[] = [];
  for (const note of notes) {
    try {
      const clause = note();
      if (clause) clauses.push(clause);
    } catch (e) {
      clauses.push(`(${(e as Error)?.message ?? String(e)})`);
    }
  }
  for (const [path, o] of outputs)
    clauses.push(
      o.written
        ? `${path} was written before it`
        : `${path} not written${o.existed ? ' (the file there is unchanged)' : ''}`,
    );
  const name = signal === 'SIGINT' ? 'SIGINT, Ctrl-C' : signal;
  const message = `interrupted (${name})${clauses.length ? `: ${clauses.join('; ')}` : ''}`;
  if (json) process.stdout.write(JSON.stringify({ error: { type: 'Interrupted', signal, message } }, null, 2) + '\n');
  else process.stderr.write(`scalelab: ${message}\n`);
  process.exit(status);
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Let a pending signal be handled: a loop of synchronous steps (one transaction per file, one bootstrap
 * replicate) calls this between them, or a Ctrl-C would wait for the last. Two turns of the event loop:
 * a listener installed in the same turn as the step (handleToTheEnd, then seconds of computing) hears a
 * signal that came during the step only on the second (with one, plan --target-accuracy's single task
 * ran to its end and exited 0).
 */
export async function betweenSteps(): Promise<void> {
  await turn();
  await turn();
}

/**
 * Run a computation written in steps (src/core/steps.ts) to its end, giving the event loop a turn
 * between its steps, at most every 20 ms (a step can be a few microseconds: a turn after each would
 * slow a 100,000-replicate bootstrap for nothing), so that a signal waits at most one step and 20 ms.
 */
export async function stepwise<T>(steps: Generator<void, T, void>): Promise<T> {
  let turn = Date.now();
  for (;;) {
    const step = steps.next();
    if (step.done) {
      // A signal that came during the last step is heard now, before the result is printed.
      await betweenSteps();
      return step.value;
    }
    if (Date.now() - turn >= 20) {
      await betweenSteps();
      turn = Date.now();
    }
  }
}
