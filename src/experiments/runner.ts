/**
 * Drive a study's planned runs through a backend until none is left: submit up to the backend's
 * concurrency, poll, record each result in the store in one transaction. Resumable: a killed
 * sweep restarted on the same store submits nothing twice (runs already submitted are polled, a
 * run caught between submit and record is looked up) and loses no finished result.
 */
import { describeWriter, type WriterInfo } from '../store/writers.js';
import { hashKey } from '../store/hashKey.js';
import { type RunStore, type StoredRun } from '../store/store.js';
import { isBusy, StoreError } from '../store/errors.js';
import { BackendBusy, BackendUnreachable, type Backend, type BackendStatus } from './backends/backend.js';
import { ScaleLabError } from '../errors/index.js';
import type { PlannedRun } from './design.js';
import type { Executor, RunOutcome } from './study.js';
import { isDivergedProbe } from './outcome.js';
import { runFolderName } from './backends/process.js';

export interface SweepProgress {
  total: number;
  done: number;
  failed: number;
  /** Runs training now. */
  running: number;
  /** Runs submitted (or being submitted) that have not started: waiting in a scheduler's queue. */
  queued: number;
  spentSeconds: number;
  plannedSeconds: number;
  bestLoss: number | null;
}

export interface SweepOptions {
  /** Milliseconds between polls when runs are in flight. @default 1000 */
  pollMs?: number;
  /**
   * Keep submitting when the first runs all fail with one reason (FAIL_FAST_RUNS of them, none completed):
   * by default the sweep stops submitting and cancels the runs not started, saying why. @default false
   */
  keepGoing?: boolean;
  onProgress?: (p: SweepProgress) => void;
  /** Only these runs (default: every run of the study). */
  keys?: Set<string>;
  /**
   * Another process holds the store's write lock past a write's busy timeout (an import of a large
   * file): the sweep waits and tries again, calling this with the holder, for up to this long.
   * @default 1 800 000 ms (30 minutes)
   */
  busyTimeoutMs?: number;
  onBusy?: (wait: { holder: WriterInfo | undefined; waitedMs: number }) => void;
  /**
   * The backend cannot reach the service running the runs (a training API stopped or restarting):
   * the sweep leaves every run as it was and tries again, calling this, for up to this long, then
   * stops saying what it left. @default UNREACHABLE_TIMEOUT_MS
   */
  unreachableTimeoutMs?: number;
  onUnreachable?: (wait: { message: string; waitedMs: number }) => void;
}

/**
 * How long a sweep waits for a backend out of reach unless told otherwise: long enough for a server
 * restart, short enough that a server gone for good is said within minutes (a sweep run again resumes).
 */
export const UNREACHABLE_TIMEOUT_MS = 120_000;

const active = ['submitting', 'queued', 'running'] as const;

/** What the store records of a run its backend answers as ended: its state, loss, time, reason, evaluations. */
export function endedAs(
  s: BackendStatus & { state: 'completed' | 'failed' | 'cancelled' },
): Parameters<RunStore['finish']>[1] {
  return {
    status: s.state,
    loss: s.loss ?? null,
    seconds: s.seconds ?? null,
    reason: s.reason ?? null,
    evals: s.evals,
    ...(s.schedule ? { schedule: s.schedule } : {}),
  };
}

/**
 * Failed runs, all with one reason and none completed before them, that stop a sweep: a missing package
 * or a wrong path fails every run alike, and a new user's sweep of 44 runs then failed one by one for a
 * minute (or a cluster queue for hours) before saying so.
 */
export const FAIL_FAST_RUNS = 3;

type FailedRun = Pick<
  StoredRun,
  'id' | 'key' | 'name' | 'phase' | 'status' | 'reason' | 'externalId' | 'config' | 'N' | 'D' | 'C'
>;

/**
 * The one reason the sweep's first runs all failed with, when they did (see FAIL_FAST_RUNS): the first
 * run's, the others' being the same but for what is each run's own (sameFailure).
 */
export function failingAlike(runs: readonly FailedRun[]): string | undefined {
  if (runs.some((r) => r.status === 'completed')) return undefined;
  const failed = runs.filter((r) => r.status === 'failed' && !isDivergedProbe(r));
  if (failed.length < FAIL_FAST_RUNS || !failed[0].reason) return undefined;
  return failed.every((r) => sameFailure(r, failed[0])) ? failed[0].reason : undefined;
}

/**
 * Whether two runs failed for the same reason. A trainer's error often names what is the run's own — its
 * folder (a missing data file under it), its id, its seed or size — so identical failures of different
 * runs read differently: those are compared as placeholders. A number differing between the two is taken
 * for the runs' own only where each is the same field of its run (both seeds, both ids), and never in
 * the reason's first clause, the backend's verdict: "exit code 1" and "exit code 2" differ though the
 * runs' seeds are 1 and 2. Any other difference keeps them apart.
 */
export function sameFailure(a: FailedRun, b: FailedRun): boolean {
  if (a.reason === null || b.reason === null) return a.reason === b.reason;
  const [headA, ta] = failureTokens(a),
    [headB, tb] = failureTokens(b);
  if (headA !== headB || ta.length !== tb.length) return false;
  const own = ownNumbers(a),
    theirs = ownNumbers(b);
  const same = (x: number, v: number | undefined) => v !== undefined && Math.abs(x - v) <= 1e-9 * Math.abs(v);
  return ta.every((t, i) => {
    if (t === tb[i]) return true;
    const [x, y] = [Number(t), Number(tb[i])];
    return (
      Number.isFinite(x) &&
      Number.isFinite(y) &&
      [...own].some(([field, v]) => same(x, v) && same(y, theirs.get(field)))
    );
  });
}

/**
 * A run's failure reason with its own names put as one placeholder: its first clause (up to ": "), and
 * the rest split into numbers and the text between.
 */
function failureTokens(r: FailedRun): [string, string[]] {
  let text = r.reason ?? '';
  // Longest first: the key holds the folder's name's start, the external id may hold a pid.
  const names = [r.key, runFolderName(r), r.name, r.externalId]
    .filter((n): n is string => !!n && n.length >= 3)
    .sort((x, y) => y.length - x.length);
  for (const n of names) text = text.split(n).join('\u0000');
  const cut = text.indexOf(': ');
  const head = cut < 0 ? text : text.slice(0, cut);
  return [head, cut < 0 ? [] : text.slice(cut).split(/(\d+(?:\.\d+)?(?:e[+-]?\d+)?)/i)];
}

/** The numbers that are a run's own, by field: its id, size, tokens, compute and its configuration's. */
function ownNumbers(r: FailedRun): Map<string, number> {
  const fields: [string, unknown][] = [
    ['id', r.id],
    ['N', r.N],
    ['D', r.D],
    ['C', r.C],
    ...Object.entries(r.config ?? {}).map(([k, v]): [string, unknown] => [`config.${k}`, v]),
  ];
  return new Map(fields.filter((f): f is [string, number] => typeof f[1] === 'number' && Number.isFinite(f[1])));
}

export function progressOf(
  runs: readonly Pick<StoredRun, 'status' | 'loss' | 'seconds' | 'estimatedSeconds'>[],
): SweepProgress {
  const done = runs.filter((r) => r.status === 'completed');
  const losses = done.map((r) => r.loss).filter((l): l is number => l !== null);
  return {
    total: runs.length,
    done: done.length,
    failed: runs.filter((r) => r.status === 'failed').length,
    // Apart: 64 runs "in flight" on a cluster may be 2 training and 62 waiting for nodes.
    running: runs.filter((r) => r.status === 'running').length,
    queued: runs.filter((r) => r.status === 'submitting' || r.status === 'queued').length,
    spentSeconds: runs.reduce((s, r) => s + (r.seconds ?? 0), 0),
    plannedSeconds: runs.reduce((s, r) => s + (r.estimatedSeconds ?? 0), 0),
    bestLoss: losses.length ? Math.min(...losses) : null,
  };
}

/** One turn of the event loop, in which a pending signal's listener runs (setImmediate: after the poll phase). */
const eventLoopTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Run every planned (and in-flight) run of a study to completion. */
export async function runSweep(
  store: RunStore,
  study: string,
  backend: Backend,
  options: SweepOptions = {},
): Promise<SweepProgress> {
  const pollMs = options.pollMs ?? 1000;
  let busySince: number | undefined;
  let unreachableSince: number | undefined;
  for (;;) {
    let step: { done: SweepProgress } | { changed: boolean; running: number };
    try {
      // Each pass's writes try the lock briefly: a held store is said (onBusy, below) within a second,
      // and the pass, which can be repeated, is done again once the store is free.
      step = await store.withShortWaits(() => sweepStep(store, study, backend, options));
    } catch (e) {
      if (e instanceof BackendUnreachable) {
        // Nothing was changed by the call that failed, and every step can be repeated (below): a
        // server restarted within the wait finds the sweep carrying on where it was.
        unreachableSince ??= Date.now();
        const waitedMs = Date.now() - unreachableSince;
        if (waitedMs >= (options.unreachableTimeoutMs ?? UNREACHABLE_TIMEOUT_MS))
          throw unreachableStop(store, study, e, waitedMs, backend.notSubmitted?.() ?? 0);
        options.onUnreachable?.({ message: e.message, waitedMs });
        await new Promise((res) => setTimeout(res, Math.min(Math.max(pollMs, 100), 1000)));
        continue;
      }
      if (!isBusy(e)) throw e;
      // Every step can be repeated: a write that did not happen is done again on the next one (a
      // run left "submitting" is looked up, a finished one polled again), so the sweep waits out a
      // long writer instead of ending.
      busySince ??= Date.now();
      const waitedMs = Date.now() - busySince;
      const holder = store.writer();
      if (waitedMs >= (options.busyTimeoutMs ?? 30 * 60_000))
        throw new StoreError(
          store.path,
          `the store is busy: ${describeWriter(holder, store.path)}; the sweep waited ${Math.round(waitedMs / 1000)} s for it and stops here (its runs go on; run the sweep again to resume)`,
        );
      options.onBusy?.({ holder, waitedMs });
      await new Promise((res) => setTimeout(res, Math.min(pollMs, 1000)));
      continue;
    }
    busySince = undefined;
    unreachableSince = undefined;
    // A pass can compute for seconds without a turn of the event loop (the sim backend simulates every
    // run it collects), so a Ctrl-C or SIGTERM that came during it waits for a turn: given after every
    // pass, and before the sweep returns, or the caller withdraws its listener with the signal unheard
    // and the sweep ends exit 0 as if never stopped (before: a sim sweep ran on to its end).
    if ('done' in step) {
      await eventLoopTurn();
      return step.done;
    }
    if (!step.changed || step.running > 0)
      await new Promise((res) => setTimeout(res, step.changed ? Math.min(pollMs, 50) : pollMs));
    else await eventLoopTurn();
  }
}

/**
 * The sweep's last word when its backend stayed out of reach: what it could not reach, and that its
 * runs are left as they were — runs that never reached it stay queued, submitted ones go on (a training API keeps them, charged once), one
 * caught being submitted is looked up by its configuration — so the same sweep run again collects them.
 */
function unreachableStop(
  store: RunStore,
  study: string,
  e: BackendUnreachable,
  waitedMs: number,
  notSubmitted: number,
): ScaleLabError {
  const runs = store.runs({ study });
  const count = (status: string) => runs.filter((r) => r.status === status).length;
  // Runs stored as queued that never reached the backend (Backend.notSubmitted): no job runs them.
  const held = Math.min(notSubmitted, count('queued'));
  const submitted = count('queued') + count('running') - held;
  const submitting = count('submitting');
  const left = [
    submitted ? `${submitted} submitted run${submitted === 1 ? '' : 's'} kept as in flight` : '',
    held
      ? `${held} that had not reached it kept as queued (no job runs ${held === 1 ? 'it' : 'them'}; the next sweep submits ${held === 1 ? 'it' : 'them'})`
      : '',
    submitting
      ? `${submitting} caught being submitted kept as such (the next sweep looks ${submitting === 1 ? 'it' : 'them'} up by configuration: recorded by the server, ${submitting === 1 ? 'it is' : 'they are'} collected, not submitted again; else planned again)`
      : '',
    count('planned') ? `${count('planned')} not started` : '',
  ].filter(Boolean);
  return new ScaleLabError(
    `${e.message}; the sweep tried again for ${Math.round(waitedMs / 1000)} s and stops here, no run marked failed${left.length ? ` (${left.join(', ')})` : ''}. Run the same sweep again once it answers, to collect what ran; nothing is submitted twice`,
  );
}

/** One pass of the sweep: reconcile, poll, submit; the progress when every run has ended. */
async function sweepStep(
  store: RunStore,
  study: string,
  backend: Backend,
  options: SweepOptions,
): Promise<{ done: SweepProgress } | { changed: boolean; running: number }> {
  // A store removed or replaced under the sweep: stop before writing to the file it opened, which
  // no one can read any more (the runs go on in their folders).
  const change = store.fileChange();
  if (change)
    throw new StoreError(
      store.path,
      `the run store was ${change === 'removed' ? 'removed' : 'replaced by another file'} while the sweep ran, so the sweep stops rather than record results where no one would read them (its runs in flight go on, their results in their run folders). ${change === 'removed' ? 'Put the store back (from a copy) and run the sweep again to collect them; with no copy, a sweep of the same plan on a new store recovers its finished runs from their run folders (local backend, the study the first in it) and trains the others again' : 'Run the sweep again to continue with the store now there'}`,
    );
  const mine = () => store.runs({ study }).filter((r) => !options.keys || options.keys.has(r.key));
  let changed = false;
  // Reconcile runs caught between submit and record by a crash.
  for (const r of mine().filter((x) => x.status === 'submitting')) {
    const id = backend.find ? await backend.find(r) : undefined;
    if (id) store.setStatus(r.id, 'queued', { backend: backend.name, externalId: id, from: ['submitting'] });
    else store.setStatus(r.id, 'planned', { from: ['submitting'] });
    changed = true;
  }
  // Poll what is in flight. Each answer is recorded only if the run is still in flight: `sweep cancel`,
  // in another process, may have recorded it cancelled since it was read, and the user's word stands
  // (the signal it sent would otherwise be recorded as the run's failure, "killed by SIGTERM") — except
  // over a completed run: it finished before the cancel reached it, and its result is kept.
  for (const r of mine().filter((x) => x.status === 'queued' || x.status === 'running')) {
    const s = await backend.status(r);
    if (s.externalId && s.externalId !== r.externalId) store.setExternalId(r.id, s.externalId);
    if (s.state === 'completed' || s.state === 'failed' || s.state === 'cancelled') {
      store.finish(
        r.id,
        endedAs({ ...s, state: s.state }),
        s.state === 'completed' ? [...active, 'cancelled'] : active,
      );
      changed = true;
    } else if (s.state !== r.status) {
      store.setStatus(r.id, s.state, { from: active });
      changed = true;
    }
  }
  // The first runs all failed alike: the rest would too. Cancel what has not started (sweep retry plans
  // it again), let what is in flight finish.
  const alike = options.keepGoing ? undefined : failingAlike(mine());
  if (alike !== undefined)
    for (const r of mine().filter((x) => x.status === 'planned')) {
      store.finish(
        r.id,
        {
          status: 'cancelled',
          reason: `not started: the first ${FAIL_FAST_RUNS} runs all failed with the same reason (${alike}); fix it and queue these again (sweep retry)`,
        },
        ['planned'],
      );
      changed = true;
    }
  // Submit planned runs while there is room.
  const inFlight = mine().filter((x) => (active as readonly string[]).includes(x.status)).length;
  const planned = mine().filter((x) => x.status === 'planned');
  for (const r of planned.slice(0, Math.max(0, backend.concurrency - inFlight))) {
    store.setStatus(r.id, 'submitting', { backend: backend.name });
    let id: string | undefined;
    try {
      id = await backend.submit(r);
    } catch (e) {
      // Out of reach: the submit may have been recorded before the answer was lost. The run stays
      // "submitting", and the next pass looks it up by its configuration (above).
      if (e instanceof BackendUnreachable) throw e;
      // Busy (e.g. the API's budget is reserved by runs in flight): plan it again and wait for them.
      if (
        e instanceof BackendBusy &&
        mine().some((x) => x.id !== r.id && (active as readonly string[]).includes(x.status))
      ) {
        store.setStatus(r.id, 'planned');
        break;
      }
      // Not over a `sweep cancel` recorded meanwhile: the user's word stands.
      store.finish(r.id, { status: 'failed', reason: `submit failed: ${(e as Error).message}` }, ['submitting']);
    }
    // Outside the try: a store busy past its timeout here is not the submit's failure (the run is
    // submitted; left "submitting", the next pass finds it). One `sweep cancel` recorded cancelled
    // while it was being submitted, before it had an id to stop it by, is stopped now.
    if (id !== undefined && !store.setStatus(r.id, 'queued', { externalId: id, from: ['submitting'] }))
      await backend.cancel?.({ ...r, externalId: id });
    changed = true;
  }
  const all = mine();
  const p = progressOf(all);
  options.onProgress?.(p);
  if (all.every((r) => r.status === 'completed' || r.status === 'failed' || r.status === 'cancelled'))
    return { done: p };
  return { changed, running: p.running + p.queued };
}

/** Key of a planned run: its phase and configuration. */
export function plannedKey(run: PlannedRun): string {
  return `${run.phase}:${hashKey(run.config)}`;
}

/** An Executor for the study loop that persists every run in the store and resumes. */
export function storeExecutor(store: RunStore, study: string, backend: Backend, options: SweepOptions = {}): Executor {
  return {
    async execute(runs: PlannedRun[], phase: string): Promise<RunOutcome[]> {
      const keyed = runs.map((r) => ({ run: r, key: plannedKey(r) }));
      const planRuns = () =>
        store.plan(
          study,
          keyed.map(({ run, key }) => ({
            key,
            name: `${phase}-${key.slice(-8)}`,
            phase: run.phase,
            config: run.config,
            N: run.N,
            D: run.config.tokens,
            C: run.C,
            estimatedSeconds: run.seconds,
          })),
        );
      await store.whenFree(planRuns, { timeoutMs: options.busyTimeoutMs, onWait: options.onBusy });
      await runSweep(store, study, backend, { ...options, keys: new Set(keyed.map((k) => k.key)) });
      const byKey = new Map(store.runs({ study }).map((r) => [r.key, r]));
      return keyed.map(({ run, key }) => {
        const s = byKey.get(key)!;
        return {
          run,
          name: s.name ?? undefined,
          status: s.status === 'completed' ? 'completed' : 'failed',
          finalLoss: s.loss ?? undefined,
          seconds: s.seconds ?? 0,
          reason: s.reason ?? undefined,
          evals: store.checkpoints(s.id),
        };
      });
    },
    async leftOut(outcomes: RunOutcome[]): Promise<void> {
      const byKey = new Map(store.runs({ study }).map((r) => [r.key, r]));
      await store.whenFree(
        () =>
          store.db.transaction(() => {
            for (const o of outcomes) {
              const s = byKey.get(plannedKey(o.run));
              if (s) store.markLeftOutByStudy(s.id, o.reason ?? 'its loss cannot be used');
            }
          })(),
        { timeoutMs: options.busyTimeoutMs, onWait: options.onBusy },
      );
    },
  };
}
