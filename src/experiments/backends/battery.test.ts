/**
 * The backend battery: the contract the sweep runner (../runner.ts) relies on, checked on every
 * backend alike — the simulated lab, the training API (an in-process `lab serve`), the local
 * backend (with the fake trainer in test/fixtures), the Slurm backend (with stand-ins for sbatch
 * and friends that run each job at once) and a toy backend defined here alone, to show that a new
 * backend needs nothing else. README.md here states the contract these checks hold each one to.
 * Each check takes a fresh backend; where the runner would be a new process (a sweep restarted after
 * a crash, `sweep cancel`), the backend is made anew on the same state.
 *
 * The runs are driven as the runner drives them (submit up to `concurrency` in a pass, poll what is
 * in flight, record each id and state in a run store), but every answer is checked on the way.
 * Nothing sleeps for a guessed time: each wait polls for its condition, with a generous deadline.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Checkpoint, StoredRun } from '../../store/store.js';
import { RunStore } from '../../store/store.js';
import { runSweep } from '../runner.js';
import { BackendBusy, runConfig, type Backend, type BackendStatus, type RunConfig } from './backend.js';
import { simBackend } from './sim.js';
import { apiBackend } from './api.js';
import { localBackend } from './local.js';
import { slurmBackend } from './slurm/index.js';
import { loadWorld } from '../../lab/loadWorld.js';
import { createLabServer } from '../../server/labServer.js';
import { fakeSlurm } from '../../../test/helpers/fakeSlurm.js';

// ---------------------------------------------------------------------------------------------
// What each backend is given.

/** A backend under test, made fresh for each check. */
interface Harness {
  backend: Backend;
  /**
   * A configuration whose run goes on until it is cancelled (for the cancel check; a backend
   * without `cancel`, or one that cannot hold a run open, leaves it out), and how to tell that its
   * training has started, when "running" does not say so (default: status says "running").
   */
  runsLong?: { config: RunConfig; started?: () => boolean };
  /**
   * A run's result is a pure function of its configuration (the simulated lab): submitting changes
   * nothing, so `find` may answer for a run never submitted.
   */
  stateless?: boolean;
  /**
   * The backend made anew on the same state, as a sweep restarted after a crash, or `sweep cancel`
   * in another process, makes it: it must know runs by what it keeps outside the process. The toy
   * lives in memory and gives itself. @default the same backend
   */
  again?: () => Backend;
  close?: () => Promise<void> | void;
}

interface Subject {
  name: string;
  setup: (dir: string) => Promise<Harness>;
  /**
   * Whether the cancel check runs: the backend has `cancel` and its harness a run that waits to be
   * cancelled. The sim and the API have no cancel; the Slurm stand-in runs each job to its end at submit.
   */
  cancels?: boolean;
}

/** Seconds a run may take to end on a busy two-core machine (they take well under one). */
const seconds = 60;

/**
 * The battery's configurations, valid for the default world (sim, api), the fake trainer (local,
 * Slurm) and the toy alike: three sizes that train, and a learning rate every one of them diverges at.
 */
const completes: RunConfig[] = [128, 256, 384].map((d) => ({
  n_layer: 4,
  d_model: d,
  n_heads: d / 64,
  tokens: 1e8,
  batch_tokens: 65536,
  learning_rate: 3e-3,
  parametrization: 'mup',
  n_evals: 4,
  seed: 0,
}));
const fails: RunConfig = { ...completes[1], learning_rate: 0.09 };
/** The seed that asks the local backend's trainer (and the toy) to run until cancelled. */
const LONG_SEED = 99;

// ---------------------------------------------------------------------------------------------
// The toy: a backend in memory. Each status call moves a run on by one evaluation.

/** N of the toy's (and the fake trainer's) loss: 12·layers·d_model². */
const toyN = (c: RunConfig) => 12 * c.n_layer * c.d_model ** 2;

function toyBackend(o: { concurrency?: number; slots?: number } = {}): Backend & { busy: number } {
  interface ToyRun {
    key: string;
    config: RunConfig;
    status: BackendStatus;
  }
  const runs = new Map<string, ToyRun>();
  let next = 1;
  const inFlight = () => [...runs.values()].filter((r) => ['queued', 'running'].includes(r.status.state)).length;
  const toy = {
    name: 'toy',
    concurrency: o.concurrency ?? 4,
    busy: 0,
    async submit(run: StoredRun) {
      // A budget of `slots` runs at once: the next waits for one to end (the runner retries it).
      if (o.slots !== undefined && inFlight() >= o.slots) {
        toy.busy++;
        throw new BackendBusy(`all ${o.slots} slots are taken`);
      }
      const id = `toy-${next++}`;
      runs.set(id, { key: run.key, config: runConfig(run), status: { state: 'queued' } });
      return id;
    },
    async status(run: StoredRun): Promise<BackendStatus> {
      const r = runs.get(run.externalId ?? '');
      if (!r) throw new Error(`toy backend: no run ${run.externalId}`);
      const s = r.status;
      if (s.state === 'queued') r.status = { state: 'running', evals: [] };
      else if (s.state === 'running') {
        const c = r.config;
        const evals = s.evals ?? [];
        if (c.learning_rate > 0.05)
          r.status = { state: 'failed', reason: `diverged (learning rate ${c.learning_rate})`, evals, seconds: 1 };
        else if (c.seed !== LONG_SEED) {
          const n = c.n_evals ?? 3;
          const tokens = (c.tokens * (evals.length + 1)) / n;
          const loss = 1.8 + 400 / toyN(c) ** 0.34 + 600 / tokens ** 0.3;
          const more: Checkpoint[] = [...evals, { tokens, loss }];
          r.status =
            more.length < n
              ? { state: 'running', evals: more }
              : { state: 'completed', loss, evals: more, seconds: more.length };
        }
      }
      return structuredClone(r.status);
    },
    async find(run: StoredRun) {
      return [...runs.entries()].reverse().find(([, r]) => r.key === run.key)?.[0];
    },
    async cancel(run: StoredRun) {
      const r = runs.get(run.externalId ?? '');
      if (r && ['queued', 'running'].includes(r.status.state))
        r.status = { state: 'cancelled', reason: 'cancelled', evals: r.status.evals };
    },
  };
  return toy;
}

// ---------------------------------------------------------------------------------------------
// The backends under test.

const fixtures = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));

/**
 * A training command for the process backends: the fake trainer, or with --seed 99 the waiting
 * trainer (it writes one evaluation, then runs until it is ended).
 */
function trainerCommand(dir: string): string {
  const dispatch = join(dir, 'trainer.mjs');
  const trainer = (file: string) => JSON.stringify(pathToFileURL(join(fixtures, file)).href);
  writeFileSync(
    dispatch,
    `const seed = process.argv[process.argv.indexOf('--seed') + 1];\n` +
      `await import(seed === '${LONG_SEED}' ? ${trainer('waiting-trainer.mjs')} : ${trainer('fake-trainer.mjs')});\n`,
  );
  return `${process.execPath} ${dispatch} --layers {n_layer} --d-model {d_model} --tokens {tokens} --lr {lr} --seed {seed} --out {run_dir}`;
}

/** Whether a run folder under `study` holds `file`. */
function anyRunFolderHas(study: string, file: string): boolean {
  return existsSync(study) && readdirSync(study).some((d) => existsSync(join(study, d, file)));
}

/** Stand-ins for Slurm whose sbatch runs the job (each array task) to its end before it answers. */
const sbatchRunsAtOnce = `
array=""; script=""
for a in "$@"; do case "$a" in --array=*) array="\${a#--array=}" ;; esac; script="$a"; done
id=$$
if [ -z "$array" ]; then SLURM_JOB_ID=$id sh "$script" >/dev/null 2>&1
else
  for part in $(echo "\${array%%%*}" | tr ',' ' '); do
    i=\${part%-*}
    while [ "$i" -le "\${part#*-}" ]; do SLURM_JOB_ID=$id$i SLURM_ARRAY_TASK_ID=$i sh "$script" >/dev/null 2>&1; i=$((i + 1)); done
  done
fi
echo $id`;

const subjects: Subject[] = [
  {
    name: 'sim',
    setup: async () => ({
      backend: simBackend(loadWorld()),
      again: () => simBackend(loadWorld()),
      stateless: true,
    }),
  },
  {
    name: 'toy',
    cancels: true,
    setup: async () => ({ backend: toyBackend(), runsLong: { config: { ...completes[0], seed: LONG_SEED } } }),
  },
  {
    name: 'local',
    cancels: true,
    setup: async (dir) => {
      const options = { command: trainerCommand(dir), root: join(dir, 'runs'), concurrency: 2, cwd: dir };
      return {
        backend: localBackend(options),
        again: () => localBackend(options),
        // "running" as soon as the wrapper is spawned: wait for the trainer itself (it writes pids.json).
        runsLong: {
          config: { ...completes[0], seed: LONG_SEED },
          started: () => anyRunFolderHas(join(dir, 'runs', 'battery'), 'pids.json'),
        },
      };
    },
  },
  {
    name: 'slurm',
    setup: async (dir) => {
      const restore = fakeSlurm(dir, { sbatch: sbatchRunsAtOnce });
      const options = { command: trainerCommand(dir), root: join(dir, 'runs'), concurrency: 4, cwd: dir };
      return {
        backend: slurmBackend(options),
        again: () => slurmBackend(options),
        close: restore,
      };
    },
  },
  {
    name: 'api',
    setup: async () => {
      // The lab's clock a million times real time: its runs end within milliseconds.
      const lab = createLabServer({ world: loadWorld(), budgetSeconds: 12 * 3600, apiKey: 'k', speed: 1e6 });
      const { port } = await lab.listen(0);
      const options = { url: `http://127.0.0.1:${port}`, apiKey: 'k' };
      return { backend: apiBackend(options), again: () => apiBackend(options), close: () => lab.close() };
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Driving a backend as the runner does, checking each answer.

const ended = (s: BackendStatus) => s.state === 'completed' || s.state === 'failed' || s.state === 'cancelled';
const states = ['queued', 'running', 'completed', 'failed', 'cancelled'];

/** Calls to status, find and cancel that throw BackendBusy fail the check: only submit may. */
type Guarded = Backend & { submits: number };
function busyOnlyFromSubmit(b: Backend): Guarded {
  const refuse = (what: string) => (e: unknown) => {
    if (e instanceof BackendBusy) assert.fail(`${b.name}: ${what} threw BackendBusy (only submit may): ${e.message}`);
    throw e;
  };
  const guarded = {
    name: b.name,
    get concurrency() {
      return b.concurrency;
    },
    submits: 0,
    submit: (r: StoredRun) => {
      guarded.submits++;
      return b.submit(r);
    },
    status: (r: StoredRun) => b.status(r).catch(refuse('status')),
    ...(b.find ? { find: (r: StoredRun) => b.find!(r).catch(refuse('find')) } : {}),
    ...(b.cancel ? { cancel: (r: StoredRun) => b.cancel!(r).catch(refuse('cancel')) } : {}),
  };
  return guarded;
}

/** One status answer checked against the contract; `before` is the state the store holds. */
function checkStatus(name: string, s: BackendStatus, before: string): void {
  assert.ok(states.includes(s.state), `${name}: status says "${s.state}", not one of ${states.join(', ')}`);
  assert.ok(!(before === 'running' && s.state === 'queued'), `${name}: a running run went back to queued`);
  if (s.state === 'completed')
    assert.ok(Number.isFinite(s.loss) && s.loss! > 0, `${name}: completed with loss ${s.loss}, not a positive number`);
  if (s.state === 'failed')
    assert.ok(typeof s.reason === 'string' && s.reason.trim() !== '', `${name}: failed without a reason`);
  if (s.seconds !== undefined)
    assert.ok(Number.isFinite(s.seconds) && s.seconds >= 0, `${name}: ${s.seconds} seconds charged`);
  if (s.externalId !== undefined) assert.ok(s.externalId !== '', `${name}: an empty externalId`);
  const evals = s.evals ?? [];
  evals.forEach((e, i) => {
    assert.ok(Number.isFinite(e.loss) && e.loss > 0, `${name}: evaluation ${i} has loss ${e.loss}`);
    assert.ok(Number.isFinite(e.tokens) && e.tokens > 0, `${name}: evaluation ${i} at ${e.tokens} tokens`);
    if (i > 0) assert.ok(e.tokens > evals[i - 1].tokens, `${name}: evaluations not in increasing tokens`);
  });
}

/** Poll `ask` until `done` says so or the deadline passes (then fail, saying `what`). */
async function until<T>(ask: () => Promise<T>, done: (v: T) => boolean, what: string, seconds: number): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await ask();
    if (done(v)) return v;
    if (Date.now() > end) assert.fail(`${what} within ${seconds} s (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A store with the study "battery" planned with these configurations (keys k0, k1, …). */
function planned(dir: string, configs: RunConfig[]): { store: RunStore; runs: StoredRun[] } {
  const store = RunStore.open(join(dir, 'runs.db'));
  const runs = store.plan(
    'battery',
    configs.map((config, i) => ({
      key: `k${i}`,
      phase: 'isoflop',
      config,
      N: toyN(config),
      D: config.tokens,
      C: 6 * toyN(config) * config.tokens,
      estimatedSeconds: 30,
    })),
  );
  return { store, runs };
}

/**
 * Submit and poll the runs as the runner does (at most `concurrency` in flight; each id and state
 * recorded in the store), checking every answer; each run's final status and the run as the store
 * held it when that answer came (in flight: a sweep killed before recording it asks again so).
 */
async function drive(
  b: Backend,
  store: RunStore,
  runs: StoredRun[],
  seconds: number,
): Promise<Map<number, { status: BackendStatus; asked: StoredRun; submitted: string }>> {
  const out = new Map<number, { status: BackendStatus; asked: StoredRun; submitted: string }>();
  const submitted = new Map<number, string>();
  const current = (id: number) => store.runs({ study: 'battery' }).find((r) => r.id === id)!;
  const end = Date.now() + seconds * 1000;
  while (out.size < runs.length) {
    const inFlight = runs.filter((r) => submitted.has(r.id) && !out.has(r.id));
    for (const r of runs.filter((x) => !submitted.has(x.id)).slice(0, Math.max(0, b.concurrency - inFlight.length))) {
      store.setStatus(r.id, 'submitting', { backend: b.name });
      const id = await b.submit(current(r.id));
      assert.ok(typeof id === 'string' && id !== '', `${b.name}: submit returned ${JSON.stringify(id)}, not an id`);
      store.setStatus(r.id, 'queued', { externalId: id });
      submitted.set(r.id, id);
    }
    for (const r of runs.filter((x) => submitted.has(x.id) && !out.has(x.id))) {
      const asked = current(r.id);
      const s = await b.status(asked);
      checkStatus(b.name, s, asked.status);
      if (s.externalId && s.externalId !== asked.externalId) store.setExternalId(r.id, s.externalId);
      if (ended(s)) out.set(r.id, { status: s, asked: current(r.id), submitted: submitted.get(r.id)! });
      else store.setStatus(r.id, s.state);
    }
    if (Date.now() > end) assert.fail(`${b.name}: ${runs.length - out.size} runs had not ended after ${seconds} s`);
    await new Promise((res) => setTimeout(res, 10));
  }
  return out;
}

/** The parts of a final status the runner records. */
const recorded = (s: BackendStatus) => ({ state: s.state, loss: s.loss, reason: s.reason, evals: s.evals });

// ---------------------------------------------------------------------------------------------
// The battery.

for (const subject of subjects) {
  /** A fresh harness in a fresh folder for one check, closed after it. */
  const withHarness =
    (body: (h: Harness, b: Guarded, dir: string, again: () => Guarded, t: TestContext) => Promise<void>) =>
    async (t: TestContext) => {
      const dir = mkdtempSync(join(tmpdir(), `scalelab-battery-${subject.name}-`));
      const h = await subject.setup(dir);
      const again = () => busyOnlyFromSubmit(h.again?.() ?? h.backend);
      try {
        await body(h, busyOnlyFromSubmit(h.backend), dir, again, t);
      } finally {
        await h.close?.();
      }
    };

  test(
    `${subject.name}: names itself and takes at least one run at a time`,
    withHarness(async (h, b) => {
      assert.ok(typeof b.name === 'string' && b.name !== '');
      assert.ok(Number.isInteger(b.concurrency) && b.concurrency >= 1, `concurrency ${b.concurrency}`);
      // The cancel check is registered before any harness is made, from `cancels`: a subject that
      // forgot it would pass with its cancel never tried.
      assert.equal(
        Boolean(subject.cancels),
        Boolean(b.cancel && h.runsLong),
        `${subject.name}: set cancels: true on a subject whose backend has cancel and whose harness has runsLong (and only then)`,
      );
    }),
  );

  test(
    `${subject.name}: runs submitted together each end, completed with a loss or failed with a reason, and answer the same when asked again`,
    withHarness(async (_h, b, dir, again) => {
      const { store, runs } = planned(dir, [...completes, fails]);
      try {
        const results = await drive(b, store, runs, seconds);
        const ids = [...results.values()].map((r) => r.submitted);
        assert.equal(new Set(ids).size, ids.length, `each run its own id: ${ids.join(', ')}`);
        for (const r of runs) {
          const { status, asked } = results.get(r.id)!;
          assert.equal(status.state, r.key === `k${completes.length}` ? 'failed' : 'completed', `run ${r.key}`);
          // A sweep killed after this answer but before recording it asks again: the same answer.
          assert.deepEqual(recorded(await b.status(asked)), recorded(status), `run ${r.key} asked again`);
          assert.deepEqual(recorded(await again().status(asked)), recorded(status), `run ${r.key} after a restart`);
        }
      } finally {
        store.close();
      }
    }),
  );

  test(
    `${subject.name}: find gives the id of a run whose submit was not recorded, and none for a run never submitted`,
    withHarness(async (h, b, dir, again, t) => {
      if (!b.find) return t.skip('it has no find');
      const { store, runs } = planned(dir, [completes[0], completes[1]]);
      try {
        const [lost, never] = runs;
        // A sweep killed between submit and recording the id leaves the run "submitting".
        store.setStatus(lost.id, 'submitting', { backend: b.name });
        const atCrash = store.runs({ study: 'battery' }).find((r) => r.id === lost.id)!;
        const id = await b.submit(atCrash);
        const byId = (externalId: string) => b.status({ ...atCrash, status: 'queued', externalId });
        const first = await until(() => byId(id), ended, `${b.name}: the run did not end`, seconds);
        // The restarted sweep's backend, made anew, finds the run.
        const restarted = again();
        const found = await restarted.find!(atCrash);
        assert.ok(
          typeof found === 'string' && found !== '',
          `find answered ${JSON.stringify(found)} for a submitted run`,
        );
        // The runner records what find says and polls it: it leads to the same run.
        const status = await restarted.status({ ...atCrash, status: 'queued', externalId: found });
        assert.deepEqual(recorded(status), recorded(first));
        if (!h.stateless) assert.equal(await restarted.find!(never), undefined, 'a run never submitted is not found');
      } finally {
        store.close();
      }
    }),
  );

  if (subject.cancels)
    test(
      `${subject.name}: cancel ends a run in flight`,
      withHarness(async (h, b, dir, again) => {
        assert.ok(b.cancel && h.runsLong, `${subject.name}: a backend said to cancel has cancel and a run that waits`);
        const { store, runs } = planned(dir, [h.runsLong.config]);
        try {
          const [r] = runs;
          const id = await b.submit(r);
          let run: StoredRun = { ...r, status: 'queued', externalId: id };
          const s = await until(
            () => b.status(run),
            (x) => x.state === 'running',
            `${b.name}: the run did not start`,
            seconds,
          );
          checkStatus(b.name, s, 'queued');
          run = { ...run, status: 'running' };
          const started = h.runsLong.started;
          if (started) await until(async () => started(), Boolean, `${b.name}: the training did not start`, seconds);
          // `sweep cancel` runs in a process of its own, with the backend made anew.
          await again().cancel!(run);
          const end = await until(() => b.status(run), ended, `${b.name}: the cancelled run did not end`, seconds);
          checkStatus(b.name, end, 'running');
          // The backend's own answer is the one `sweep cancel` records: a sweep still polling the run, or
          // one run again, must not record the signal the cancel sent as the run's failure.
          assert.equal(end.state, 'cancelled', `a cancelled run ended ${end.state}: ${end.reason}`);
        } finally {
          store.close();
        }
      }),
    );

  test(
    `${subject.name}: the sweep runner completes a small sweep, and a second sweep submits nothing`,
    withHarness(async (_h, b, dir, again) => {
      const { store } = planned(dir, [...completes, fails]);
      try {
        const p = await runSweep(store, 'battery', b, { pollMs: 10 });
        assert.deepEqual([p.total, p.done, p.failed, p.running], [4, 3, 1, 0]);
        const runs = store.runs({ study: 'battery' });
        for (const r of runs.filter((x) => x.status === 'completed')) assert.ok(r.loss! > 0, `run ${r.key} loss`);
        assert.ok(runs.find((r) => r.status === 'failed')!.reason, 'the failed run has a reason');
        // Run again (a new process, the backend made anew): every run has ended, nothing is submitted.
        const restarted = again();
        const second = await runSweep(store, 'battery', restarted, { pollMs: 10 });
        assert.deepEqual([second.done, second.failed], [3, 1]);
        assert.equal(restarted.submits, 0, 'nothing submitted twice');
      } finally {
        store.close();
      }
    }),
  );
}

test('toy backend: the runner waits out BackendBusy from submit and finishes every run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-battery-busy-'));
  const toy = toyBackend({ concurrency: 4, slots: 2 });
  const configs = [1, 2, 3, 4, 5].map((i) => ({ ...completes[0], seed: i }));
  const { store } = planned(dir, configs);
  try {
    const p = await runSweep(store, 'battery', toy, { pollMs: 5 });
    assert.deepEqual([p.done, p.failed], [5, 0]);
    assert.ok(toy.busy > 0, 'some submits were refused as busy');
    for (const r of store.runs({ study: 'battery' })) assert.equal(store.checkpoints(r.id).length, 4);
  } finally {
    store.close();
  }
});
