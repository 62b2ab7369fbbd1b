// Fault injection for the sweep runner (issue 16, area "runners"): hung trainers, cancelled and
// timed-out runs that fork, lying trainers, a killed sweep and wrapper, bad plan files, and a sweep
// in which every run failed. Every test polls for the condition it waits on and checks that no
// process it caused is left behind.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noStackTrace, root, scalelab, type CliResult } from '../helpers/cli.js';
import { plannedRuns, waitFor, writePlan } from './common.js';
import { localBackend } from '../../src/experiments/backends/local.js';
import {
  asCancelled,
  CANCELLED,
  CANCELLED_REASON,
  expandTemplate,
  runDirectory,
  templateValues,
  writeJob,
} from '../../src/experiments/backends/process.js';
import { apiBackend } from '../../src/experiments/backends/api.js';
import { runSweep } from '../../src/experiments/runner.js';
import { RunStore, type StoredRun } from '../../src/store/store.js';
import type { Backend } from '../../src/experiments/backends/backend.js';

const node = JSON.stringify(process.execPath);
const waiting = JSON.stringify(fileURLToPath(new URL('../fixtures/waiting-trainer.mjs', import.meta.url)));
const lyingPath = fileURLToPath(new URL('../fixtures/lying-trainer.mjs', import.meta.url));

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `scalelab-faults-${name}-`));

/**
 * Whether a process still runs. Zombies count as ended: an orphaned trainer's parent becomes PID 1,
 * which in a container may never reap it. Independent of the code under test on purpose.
 */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return existsSync('/proc/self') ? false : true;
  }
}

function planStore(db: string, study: string, seeds: number[]): RunStore {
  const store = RunStore.open(db);
  store.plan(study, plannedRuns(seeds));
  return store;
}

/** The CLI as a child process that a test can kill, with a deadline so a hang fails instead of blocking. */
function cli(args: string[], ms = 120_000): { pid: number; kill: () => void; done: Promise<CliResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', `${root}src/cli/run.ts`, ...args], {
    cwd: root,
    env: { ...process.env, SCALELAB_DEBUG: '' },
  });
  let stdout = '',
    stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const done = new Promise<CliResult>((res) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code: code ?? -1, stdout, stderr, json: () => JSON.parse(stdout) });
    }),
  );
  return { pid: child.pid!, kill: () => child.kill('SIGKILL'), done };
}

const runDirs = (runsRoot: string, study: string) =>
  existsSync(join(runsRoot, study))
    ? readdirSync(join(runsRoot, study))
        .sort()
        .map((d) => join(runsRoot, study, d))
    : [];
const dirOf = (runsRoot: string, run: StoredRun) =>
  runDirs(runsRoot, run.study).find((d) => d.split('/').pop()!.startsWith(`${run.id}-`))!;
const readPids = (runDir: string): Record<string, number> =>
  JSON.parse(readFileSync(join(runDir, 'pids.json'), 'utf8'));
const wrapperOf = (runDir: string) => Number(readFileSync(join(runDir, 'pid'), 'utf8'));

/** Every process a run folder knows of: its wrapper, trainer and the trainer's child. */
function processesOf(runsRoot: string, study: string): number[] {
  const pids: number[] = [];
  for (const d of runDirs(runsRoot, study)) {
    if (existsSync(join(d, 'pid'))) pids.push(wrapperOf(d));
    if (existsSync(join(d, 'pids.json'))) pids.push(...Object.values(readPids(d)));
  }
  return pids;
}

/** Poll until none of `pids` runs (the wrapper exits just after recording the end), then assert it. */
async function noneLeft(pids: number[], what = 'processes left behind'): Promise<void> {
  await waitFor(what, () => !pids.some(running), 30_000).catch(() => {});
  assert.deepEqual(pids.filter(running), [], what);
}

/**
 * `scalelab sweep run PLAN` on the local backend as the tests here start it: polling every 0.05 s,
 * `--json` unless `json: false`, `more` flags before the command.
 */
function localSweep(
  plan: string,
  o: {
    study: string;
    db: string;
    runsDir: string;
    command: string;
    concurrency?: string;
    more?: string[];
    json?: boolean;
  },
): string[] {
  return [
    ...['sweep', 'run', plan, '--study', o.study, '--db', o.db, '--backend', 'local'],
    ...(o.concurrency ? ['--concurrency', o.concurrency] : []),
    ...['--runs-dir', o.runsDir, '--poll', '0.05', ...(o.more ?? []), '--command', o.command],
    ...(o.json === false ? [] : ['--json']),
  ];
}

/** `scalelab sweep cancel` of study "c" on the local backend, as a user types it. */
const cancelStudy = (db: string, runsRoot: string) =>
  scalelab(['sweep', 'cancel', '--study', 'c', '--db', db, '--backend', 'local', '--runs-dir', runsRoot, '--json']);

/** Whatever a failing test left running is killed, so one failure does not leave processes behind. */
function cleanUp(t: TestContext, runsRoot: string, study: string): void {
  t.after(() => {
    for (const pid of processesOf(runsRoot, study)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
}

test(
  'item 5: --run-timeout ends a hung trainer and the child it forked; the run fails "timed out after 2 s"',
  { timeout: 120_000 },
  async (t) => {
    const dir = tmp('timeout');
    const runsRoot = join(dir, 'runs');
    cleanUp(t, runsRoot, 't');
    const plan = writePlan(join(dir, 'plan.json'), [0]);
    const command = `${node} ${waiting} --fork --out {run_dir}`;
    const r = await cli(
      localSweep(plan, {
        study: 't',
        db: join(dir, 'runs.db'),
        runsDir: runsRoot,
        command,
        more: ['--run-timeout', '2'],
      }),
    ).done;
    assert.equal(r.code, 1, `every run failed, so the sweep fails: ${r.stderr}`);
    assert.deepEqual([r.json().failed, r.json().total], [1, 1], r.stderr);
    const [run] = scalelab(['runs', 'ls', '--study', 't', '--db', join(dir, 'runs.db'), '--json']).json();
    assert.equal(run.status, 'failed');
    assert.match(run.reason, /^timed out after 2 s/);
    const pids = processesOf(runsRoot, 't');
    assert.equal(pids.length, 3, 'wrapper, trainer and its child were seen');
    await noneLeft(pids);
    for (const cmd of ['sweep', 'study'])
      assert.match(
        scalelab([cmd, 'run', '--help']).stdout,
        /--run-timeout <seconds>/,
        `${cmd} run takes --run-timeout`,
      );
  },
);

test(
  "item 5: sweep cancel ends the trainer's whole process group, the child it forked included",
  { timeout: 120_000 },
  async (t) => {
    const dir = tmp('cancel');
    const runsRoot = join(dir, 'runs');
    cleanUp(t, runsRoot, 'c');
    const db = join(dir, 'runs.db');
    const store = planStore(db, 'c', [0]);
    const command = `${node} ${waiting} --fork --out {run_dir}`;
    const sweep = runSweep(store, 'c', localBackend({ command, root: runsRoot, cwd: dir }), { pollMs: 50 });
    await waitFor('the trainer and its child', () =>
      runDirs(runsRoot, 'c').some((d) => existsSync(join(d, 'pids.json'))),
    );
    const pids = processesOf(runsRoot, 'c');
    assert.equal(pids.length, 3);
    assert.ok(pids.every(running));
    const r = cancelStudy(db, runsRoot);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().cancelled, 1);
    await noneLeft(pids, 'processes left behind after the cancel');
    assert.equal((await sweep).total, 1);
    assert.equal(store.runs({ study: 'c' })[0].status, 'cancelled');
    store.close();
  },
);

test(
  'sweep cancel of runs being submitted, their sweep gone: the one whose trainer had started is looked up and stopped, the one not started is only marked; both cancelled',
  { timeout: 120_000 },
  async (t) => {
    const dir = tmp('cancel-submitting');
    const runsRoot = join(dir, 'runs');
    cleanUp(t, runsRoot, 'c');
    const db = join(dir, 'runs.db');
    const store = planStore(db, 'c', [0, 1]);
    const [started, notStarted] = store.runs({ study: 'c' });
    // What a sweep stopped between a submit and its record leaves (Ctrl-C there, or a crash): runs
    // "submitting" with no id in the store, the first one's trainer started by the backend.
    const local = localBackend({ command: `${node} ${waiting} --fork --out {run_dir}`, root: runsRoot, cwd: dir });
    for (const r of [started, notStarted]) store.setStatus(r.id, 'submitting', { backend: 'local' });
    await local.submit({ ...started, status: 'submitting' });
    // pids.json comes after the trainer's first evaluation: the trainer and its child are at work.
    await waitFor('the trainer and its child', () =>
      runDirs(runsRoot, 'c').some((d) => existsSync(join(d, 'pids.json'))),
    );
    const pids = processesOf(runsRoot, 'c');
    assert.equal(pids.length, 3, 'wrapper, trainer and its child');
    assert.ok(pids.every(running));
    assert.deepEqual(
      store.runs({ study: 'c' }).map((r) => [r.status, r.externalId]),
      [
        ['submitting', null],
        ['submitting', null],
      ],
    );
    const r = cancelStudy(db, runsRoot);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().cancelled, 2);
    // The one not started has the cancel's marker in its folder: a wrapper starting it later would not run it.
    assert.ok(existsSync(join(runDirectory(runsRoot, notStarted), CANCELLED)));
    // Before: both marked cancelled, the trainer left running with no sweep to stop it.
    await noneLeft(pids, 'the started trainer was stopped');
    assert.deepEqual(
      store.runs({ study: 'c' }).map((x) => [x.status, x.externalId !== null]),
      [
        ['cancelled', true],
        ['cancelled', false],
      ],
      'both cancelled; the started one with the id it was found by',
    );
    store.close();
  },
);

test(
  'sweep cancel while the sweep that launched the run polls it: the run is cancelled everywhere (store, runs ls, sweep status, the sweep), never failed',
  { timeout: 120_000 },
  async (t) => {
    const dir = tmp('cancel-polled');
    const runsRoot = join(dir, 'runs');
    cleanUp(t, runsRoot, 'c');
    const db = join(dir, 'runs.db');
    const store = planStore(db, 'c', [0]);
    const local = localBackend({ command: `${node} ${waiting} --out {run_dir}`, root: runsRoot, cwd: dir });
    const recorded = () => {
      const s = RunStore.open(db);
      try {
        return s.runs({ study: 'c' })[0].status === 'cancelled';
      } finally {
        s.close();
      }
    };
    // The race made certain: once the trainer is at work, the sweep's next poll reads the run as running
    // and asks its folder; the answer reaches the store only after `sweep cancel` has recorded the run
    // cancelled and the run has ended.
    const atWork = () => runDirs(runsRoot, 'c').some((d) => existsSync(join(d, 'pids.json')));
    let polled = false;
    const polling: Backend = {
      ...local,
      async status(r) {
        if (!atWork()) return local.status(r);
        polled = true;
        await waitFor('sweep cancel to record the run', recorded);
        for (const end = Date.now() + 60_000; ; await new Promise((res) => setTimeout(res, 50))) {
          const s = await local.status(r);
          if (s.state !== 'queued' && s.state !== 'running') return s;
          if (Date.now() > end) throw new Error('timed out waiting for the cancelled run to end');
        }
      },
    };
    const sweep = runSweep(store, 'c', polling, { pollMs: 50 });
    // pids.json comes after the trainer's first evaluation: it is at work.
    await waitFor('the sweep to poll the trainer at work', () => polled);
    const pids = processesOf(runsRoot, 'c');
    const cancel = cancelStudy(db, runsRoot);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.equal(cancel.json().cancelled, 1);
    const p = await sweep;
    assert.deepEqual([p.total, p.done, p.failed, p.running], [1, 0, 0, 0], 'the sweep counts it cancelled, not failed');
    await noneLeft(pids);
    const [run] = store.runs({ study: 'c' });
    assert.deepEqual([run.status, run.reason], ['cancelled', 'cancelled by "scalelab sweep cancel"']);
    store.close();
    const ls = scalelab(['runs', 'ls', '--study', 'c', '--db', db, '--json']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.deepEqual(
      (ls.json() as { status: string }[]).map((r) => r.status),
      ['cancelled'],
    );
    const status = scalelab(['sweep', 'status', '--study', 'c', '--db', db, '--json']);
    assert.deepEqual(status.json().counts, { cancelled: 1 });
    // The folder says so too, to whoever asks it next (a sweep run again, another process).
    assert.deepEqual(
      await (async (s) => [s.state, s.reason])(
        await localBackend({ command: 'true {run_dir}', root: runsRoot }).status(run),
      ),
      ['cancelled', 'cancelled by "scalelab sweep cancel"'],
    );
  },
);

test(
  'item 5: a trainer (and child) ignoring SIGTERM is killed after the grace period when its time is up',
  { timeout: 120_000 },
  async (t) => {
    const dir = tmp('sigkill');
    const runsRoot = join(dir, 'runs');
    cleanUp(t, runsRoot, 'k');
    const store = planStore(join(dir, 'runs.db'), 'k', [0]);
    const command = `${node} ${waiting} --fork --ignore-term --out {run_dir}`;
    const p = await runSweep(
      store,
      'k',
      localBackend({ command, root: runsRoot, cwd: dir, timeoutSeconds: 1, graceSeconds: 1 }),
      { pollMs: 50 },
    );
    assert.equal(p.failed, 1);
    const [run] = store.runs({ study: 'k' });
    assert.match(run.reason!, /^timed out after 1 s/);
    assert.deepEqual(
      store.checkpoints(run.id).map((c) => c.tokens),
      [1e6],
      'the evaluation it made before is kept',
    );
    const pids = processesOf(runsRoot, 'k');
    assert.equal(pids.length, 3);
    await noneLeft(pids);
    store.close();
  },
);

test(
  "item 6: a trainer's impossible metrics fail its run with the file, line and value; the export re-imports",
  { timeout: 180_000 },
  async () => {
    const { cases } = (await import(lyingPath)) as { cases: [string, string, string | null][] };
    const dir = tmp('liars');
    const db = join(dir, 'runs.db');
    const plan = writePlan(
      join(dir, 'plan.json'),
      cases.map((_, i) => i),
    );
    const command = `${node} ${JSON.stringify(lyingPath)} --case {seed} --out {run_dir}`;
    const r = await cli(localSweep(plan, { study: 'l', db, runsDir: join(dir, 'runs'), command, concurrency: '4' }))
      .done;
    assert.equal(r.code, 1, `runs failed, so the sweep is a failure: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`study "l" is incomplete: ${cases.length - 1} of ${cases.length} failed`));
    assert.deepEqual([r.json().done, r.json().failed], [1, cases.length - 1]);
    const runs = scalelab(['runs', 'ls', '--study', 'l', '--db', db, '--json']).json() as StoredRun[];
    for (const run of runs) {
      const [name, , reason] = cases[(run.config as { seed: number }).seed];
      if (reason === null) {
        assert.equal(run.status, 'completed', name);
        assert.equal(run.loss, 3.1);
      } else {
        assert.equal(run.status, 'failed', name);
        assert.ok(run.reason!.startsWith(reason), `${name}: ${run.reason}`);
      }
    }
    const csv = join(dir, 'export.csv');
    for (const extra of [[], ['--checkpoints']]) {
      const exp = scalelab(['runs', 'export', '--study', 'l', '--db', db, '--out', csv, '--json', ...extra]);
      assert.equal(exp.code, 0, exp.stderr);
      const imp = scalelab(['runs', 'import', csv, '--db', join(dir, `again${extra.length}.db`), '--json']);
      assert.equal(imp.code, 0, `the export re-imports: ${imp.stderr}`);
    }
  },
);

test(
  "item 6: the training API's reported losses are checked too: a negative loss, or a completed run without one, fails the run",
  { timeout: 60_000 },
  async () => {
    const experiments: Record<string, unknown> = {
      liar: { status: 'completed', val_losses: [3.2, -1.5], eval_tokens: [1e6, 2e6], charged_seconds: 10 },
      backwards: { status: 'completed', val_losses: [3.2, 3.1], eval_tokens: [2e6, 1e6], charged_seconds: 10 },
      silent: { status: 'completed', val_losses: [], charged_seconds: 10 },
      honest: { status: 'completed', val_losses: [3.2, 3.1], eval_tokens: [1e6, 2e6], charged_seconds: 10 },
    };
    const server = createServer((req, res) => {
      const id = decodeURIComponent(req.url!.split('/').pop()!);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(experiments[id] ?? {}));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const api = apiBackend({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: 'k' });
      const status = (id: string) => api.status({ externalId: id, N: 98304, estimatedSeconds: 1 } as StoredRun);
      const liar = await status('liar');
      assert.equal(liar.state, 'failed');
      assert.match(liar.reason!, /experiment liar: val_losses\[1\] -1\.5 is not a positive number/);
      assert.match((await status('backwards')).reason!, /eval_tokens\[1\] 1000000 does not increase/);
      const silent = await status('silent');
      assert.equal(silent.state, 'failed');
      assert.match(silent.reason!, /completed without a validation loss/);
      const honest = await status('honest');
      assert.deepEqual([honest.state, honest.loss], ['completed', 3.1]);
    } finally {
      server.close();
    }
  },
);

test(
  'item 7: kill -9 of the sweep and its wrapper mid-run: the resumed sweep follows the trainer and keeps its result, without running it again',
  { timeout: 180_000 },
  async (t) => {
    const dir = tmp('resume-live');
    const runsRoot = join(dir, 'runs');
    cleanUp(t, runsRoot, 's');
    const db = join(dir, 'runs.db');
    const log = join(dir, 'starts.log');
    const plan = writePlan(join(dir, 'plan.json'), [0]);
    const command = `${node} ${waiting} --wait --log ${JSON.stringify(log)} --tokens {tokens} --out {run_dir}`;
    const first = cli(localSweep(plan, { study: 's', db, runsDir: runsRoot, command }));
    await waitFor('the trainer to start', () => runDirs(runsRoot, 's').some((d) => existsSync(join(d, 'pids.json'))));
    const [runDir] = runDirs(runsRoot, 's');
    const wrapper = wrapperOf(runDir);
    const { trainer } = readPids(runDir);
    first.kill();
    process.kill(wrapper, 'SIGKILL');
    await first.done;
    await waitFor('the sweep and the wrapper to die', () => !running(first.pid) && !running(wrapper));
    assert.ok(running(trainer), 'the trainer runs on without its wrapper');
    // Resume while the trainer still runs; it finishes once the resumed sweep has looked at it.
    const store = RunStore.open(db);
    let looked = false;
    const backend = localBackend({ command, root: runsRoot, cwd: dir });
    const p = await runSweep(store, 's', backend, {
      pollMs: 50,
      onProgress: () => {
        if (!looked) writeFileSync(join(runDir, 'go'), '');
        looked = true;
      },
    });
    assert.deepEqual([p.done, p.failed], [1, 0]);
    const [run] = store.runs({ study: 's' });
    assert.equal(run.status, 'completed', run.reason ?? '');
    assert.equal(run.loss, 3.25, "the trainer's last evaluation");
    assert.deepEqual(
      store.checkpoints(run.id).map((c) => c.tokens),
      [1e6, 2e6, 3e6],
    );
    assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 1, 'the trainer ran once');
    store.close();
    await noneLeft([first.pid, ...processesOf(runsRoot, 's')]);
  },
);

test(
  'item 7: a run that finished while no sweep or wrapper watched is recovered on resume; one killed half-way fails with its reason',
  { timeout: 180_000 },
  async (t) => {
    const dir = tmp('resume-dead');
    const runsRoot = join(dir, 'runs');
    cleanUp(t, runsRoot, 's');
    const db = join(dir, 'runs.db');
    const log = join(dir, 'starts.log');
    const plan = writePlan(join(dir, 'plan.json'), [0, 1]);
    const command = `${node} ${waiting} --wait --log ${JSON.stringify(log)} --tokens {tokens} --out {run_dir}`;
    const args = localSweep(plan, { study: 's', db, runsDir: runsRoot, command, concurrency: '2' });
    const first = cli(args);
    await waitFor(
      'both trainers to start',
      () => runDirs(runsRoot, 's').filter((d) => existsSync(join(d, 'pids.json'))).length === 2,
    );
    const [finished, killed] = runDirs(runsRoot, 's');
    first.kill();
    for (const d of [finished, killed]) process.kill(wrapperOf(d), 'SIGKILL');
    // One trainer dies too (a reboot, the OOM killer) after its first evaluation; the other finishes unwatched.
    process.kill(readPids(killed).trainer, 'SIGKILL');
    writeFileSync(join(finished, 'go'), '');
    await first.done;
    await waitFor('every process to end', () => ![first.pid, ...processesOf(runsRoot, 's')].some(running));
    const again = await cli(args).done;
    assert.equal(again.code, 1, `one run failed, so the sweep is incomplete: ${again.stderr}`);
    assert.match(again.stderr, /resuming study "s"/);
    assert.match(again.stderr, /study "s" is incomplete: 1 of 2 failed/);
    assert.deepEqual([again.json().done, again.json().failed], [1, 1]);
    const runs = scalelab(['runs', 'ls', '--study', 's', '--db', db, '--json']).json() as StoredRun[];
    const ok = runs.find((r) => dirOf(runsRoot, r) === finished)!;
    const lost = runs.find((r) => dirOf(runsRoot, r) === killed)!;
    assert.deepEqual([ok.status, ok.loss], ['completed', 3.25]);
    assert.ok(ok.seconds !== null && ok.seconds >= 0);
    assert.equal(lost.status, 'failed');
    assert.match(lost.reason!, /without an exit record .* its metrics stop at 1000000 of 3000000 tokens/);
    assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 2, 'neither run was started again');
    await noneLeft(processesOf(runsRoot, 's'));
  },
);

test(
  'item 9: sweep run on a plan with missing or null fields names the file, line, column and field path (exit 2, no stack trace)',
  { timeout: 120_000 },
  () => {
    const dir = tmp('plans');
    const good = JSON.parse(readFileSync(writePlan(join(dir, 'good.json'), [0]), 'utf8'));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each variant breaks the plan's JSON its own way
    const variants: [string, (p: any) => void, RegExp, string | null][] = [
      ['N null', (p) => (p.isoflop[0].N = null), /isoflop\[0\]\.N: expected a number, got null/, '"N": null'],
      [
        'tokens missing',
        (p) => delete p.isoflop[0].config.tokens,
        /missing field "isoflop\[0\]\.config\.tokens" \(expected a number\)/,
        '"config": {',
      ],
      [
        'config null',
        (p) => (p.isoflop[0].config = null),
        /isoflop\[0\]\.config: expected an object, got null/,
        '"config": null',
      ],
      ['isoflop missing', (p) => delete p.isoflop, /missing field "isoflop" \(expected an array\)/, '{'],
      [
        'learning rate a string',
        (p) => (p.isoflop[0].config.learning_rate = '1e-3'),
        /isoflop\[0\]\.config\.learning_rate: expected a number, got "1e-3"/,
        '"learning_rate": "1e-3"',
      ],
      [
        'phase unknown',
        (p) => (p.isoflop[0].phase = 'warmup'),
        /isoflop\[0\]\.phase: expected one of "lr-probe", "isoflop", "scale-up", "verify", got "warmup"/,
        '"phase": "warmup"',
      ],
      [
        'tokens negative',
        (p) => (p.isoflop[0].config.tokens = -3),
        /isoflop\[0\]\.config\.tokens: expected a positive number, got -3/,
        '"tokens": -3',
      ],
    ];
    for (const [name, change, message, at] of variants) {
      const plan = structuredClone(good);
      change(plan);
      const file = join(dir, `${name.replace(/ /g, '-')}.json`);
      const text = JSON.stringify(plan, null, 2) + '\n';
      writeFileSync(file, text);
      const r = scalelab(['sweep', 'run', file, '--study', 'x', '--db', join(dir, 'runs.db')]);
      assert.equal(r.code, 2, `${name}: ${r.stderr}`);
      assert.ok(noStackTrace(r.stderr), r.stderr);
      assert.match(r.stderr, message, name);
      const lines = text.split('\n');
      const line = lines.findIndex((l) => l.includes(at!)) + 1;
      const column = lines[line - 1].indexOf(at!.startsWith('"') ? at!.split(':')[1].trim() : at!) + 1;
      assert.ok(
        r.stderr.includes(`${file}:${line}:${column}: `),
        `${name}: expected ${file}:${line}:${column} in ${r.stderr}`,
      );
    }
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"kind": "scalelab-sweep-plan",\n "probe": [,]}');
    const r = scalelab(['sweep', 'run', broken, '--study', 'x', '--db', join(dir, 'runs.db')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /broken\.json:2:\d+: malformed JSON/);
    // Nothing was stored: no store at all, or one without studies.
    const store = join(dir, 'runs.db');
    assert.ok(
      !existsSync(store) || scalelab(['runs', 'ls', '--studies', '--db', store, '--json']).json().length === 0,
      'nothing was stored',
    );
  },
);

test(
  'item 12: sweep run exits 1 when every run failed and says how many; also 1, with the count, when some failed',
  { timeout: 180_000 },
  async () => {
    const dir = tmp('all-failed');
    const db = join(dir, 'runs.db');
    const fake = JSON.stringify(fileURLToPath(new URL('../fixtures/fake-trainer.mjs', import.meta.url)));
    const plan = writePlan(join(dir, 'plan.json'), [0, 1]);
    const base = [
      '--db',
      db,
      '--backend',
      'local',
      '--concurrency',
      '2',
      '--runs-dir',
      join(dir, 'runs'),
      '--poll',
      '0.05',
    ];
    const all = await cli([
      'sweep',
      'run',
      plan,
      '--study',
      'f',
      ...base,
      '--command',
      `${node} ${fake} --fail --out {run_dir}`,
      '--json',
    ]).done;
    assert.equal(all.code, 1, all.stderr);
    assert.deepEqual(
      [all.json().done, all.json().failed, all.json().total],
      [0, 2, 2],
      'the final state is still printed',
    );
    assert.match(all.stderr, /no run of study "f" completed: 2 of 2 failed/);
    assert.ok(noStackTrace(all.stderr));
    // One of two fails (--fail only for seed 1, through the flaky trainer's rule: --lr above 0.05 fails).
    const mixed = writePlan(join(dir, 'mixed.json'), [0, 1]);
    const p = JSON.parse(readFileSync(mixed, 'utf8'));
    p.isoflop[1].config.learning_rate = 0.1;
    writeFileSync(mixed, JSON.stringify(p));
    const some = await cli([
      'sweep',
      'run',
      mixed,
      '--study',
      'm',
      ...base,
      '--command',
      `${node} ${fake} --lr {lr} --out {run_dir}`,
    ]).done;
    assert.equal(some.code, 1, some.stderr);
    assert.match(some.stdout, /study "m": 1 completed, 1 failed of 2/);
    assert.match(
      some.stderr,
      /scalelab: error: study "m" is incomplete: 1 of 2 failed; the first: exit code 3: diverged at step 3 \(lr 0\.1\) \(reasons: "scalelab runs ls --study m --status failed"/,
    );
    assert.ok(noStackTrace(some.stderr));
  },
);

test(
  'a sweep whose first runs all fail with one reason stops submitting and cancels the rest, saying why; --keep-going runs them all',
  { timeout: 180_000 },
  async () => {
    const dir = tmp('fail-fast');
    const fake = JSON.stringify(fileURLToPath(new URL('../fixtures/fake-trainer.mjs', import.meta.url)));
    const plan = writePlan(join(dir, 'plan.json'), [0, 1, 2, 3, 4, 5]);
    const args = (study: string, db: string) =>
      localSweep(plan, {
        study: study,
        db,
        runsDir: join(dir, `runs-${study}`),
        command: `${node} ${fake} --fail --out {run_dir}`,
        concurrency: '1',
        json: false,
      });
    const db = join(dir, 'runs.db');
    const stopped = await cli([...args('s', db), '--json']).done;
    assert.equal(stopped.code, 1, stopped.stderr);
    assert.deepEqual([stopped.json().failed, stopped.json().cancelled, stopped.json().total], [3, 3, 6]);
    assert.match(
      stopped.stderr,
      /3 of 6 failed, 3 cancelled; the first: .*; stopped after the first 3 failed alike \(--keep-going submits them all\)/,
    );
    const store = RunStore.open(db);
    try {
      const cancelled = store.runs({ study: 's', status: 'cancelled' });
      assert.equal(cancelled.length, 3);
      assert.match(cancelled[0].reason!, /^not started: the first 3 runs all failed with the same reason \(/);
    } finally {
      store.close();
    }
    const all = await cli([...args('k', db), '--keep-going', '--json']).done;
    assert.equal(all.code, 1, all.stderr);
    assert.deepEqual([all.json().failed, all.json().cancelled], [6, 0]);
  },
);

test(
  "fail-fast groups failures that differ only in what is each run's own: its folder's path, its run id, its seed",
  { timeout: 180_000 },
  async () => {
    const dir = tmp('fail-fast-own');
    const plan = writePlan(join(dir, 'plan.json'), [0, 1, 2, 3, 4, 5]);
    // A trainer that cannot find its data names where it looked: its own folder, run id and seed.
    const trainer = `console.error("cannot open " + process.argv[1] + "/shard-" + process.argv[2] + ".bin (run " + process.argv[3] + ")"); process.exit(1)`;
    const db = join(dir, 'runs.db');
    const sweep = cli(
      localSweep(plan, {
        study: 's',
        db,
        runsDir: join(dir, 'runs'),
        command: `${node} -e '${trainer}' {run_dir} {seed} {run_id}`,
        concurrency: '1',
      }),
    );
    const stopped = await sweep.done;
    assert.equal(stopped.code, 1, stopped.stderr);
    assert.deepEqual([stopped.json().failed, stopped.json().cancelled, stopped.json().total], [3, 3, 6]);
    assert.match(stopped.stderr, /; stopped after the first 3 failed alike \(--keep-going submits them all\)/);
    const store = RunStore.open(db);
    try {
      const failed = store.runs({ study: 's', status: 'failed' });
      // The reasons do differ, each naming its own folder, run and seed: the grouping looked past that.
      assert.equal(new Set(failed.map((r) => r.reason)).size, 3);
      for (const r of failed)
        assert.match(
          r.reason!,
          new RegExp(`^exit code 1: cannot open .*/${r.id}-[^/]+/shard-\\d\\.bin \\(run ${r.id}\\)$`),
        );
      const cancelled = store.runs({ study: 's', status: 'cancelled' });
      assert.equal(cancelled.length, 3);
      assert.match(
        cancelled[0].reason!,
        /^not started: the first 3 runs all failed with the same reason \(exit code 1: cannot open /,
      );
    } finally {
      store.close();
    }
  },
);

test('a run that completed just before `sweep cancel` marked it keeps its result: the sweep polling it records completed over the cancel', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'scalelab-cancel-late-')), 'runs.db');
  const store = RunStore.open(db);
  store.plan('c', plannedRuns([0]));
  let polls = 0;
  const backend: Backend = {
    name: 'stand-in',
    concurrency: 1,
    submit: async () => 'x-1',
    status: async (r) => {
      if (++polls < 2) return { state: 'running' };
      // The run has completed; before the sweep records it, `sweep cancel` (another process, whose signal
      // found the process gone) marks it cancelled, as sweep.ts does.
      const other = RunStore.open(db);
      other.finish(r.id, { status: 'cancelled', reason: 'cancelled by "scalelab sweep cancel"' }, [
        'submitting',
        'queued',
        'running',
      ]);
      other.close();
      return { state: 'completed', loss: 3.1, evals: [{ tokens: 1e6, loss: 3.1 }], seconds: 5 };
    },
  };
  const p = await runSweep(store, 'c', backend, { pollMs: 10 });
  const [run] = store.runs({ study: 'c' });
  assert.deepEqual([run.status, run.loss, run.reason], ['completed', 3.1, null]);
  assert.deepEqual([p.done, p.failed], [1, 0]);
  store.close();
});

test('a run folder from long ago whose pid now names an unrelated process is not taken up as running: the run is trained, the process left alone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-stale-folder-'));
  const store = RunStore.open(join(dir, 'runs.db'));
  t.after(() => store.close());
  store.plan('c', plannedRuns([0]));
  const [run] = store.runs({ study: 'c' });
  const root = join(dir, 'runs');
  const command = `${node} -e 0 {run_dir}`;
  // The same command's folder, its wrapper killed by a reboot (no exit record); its pid now another's.
  const unrelated = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  t.after(() => unrelated.kill('SIGKILL'));
  const folder = runDirectory(root, run);
  writeJob(folder, expandTemplate(command, templateValues(run, folder)), dir, {});
  writeFileSync(join(folder, 'pid'), String(unrelated.pid));
  const recovered: string[] = [];
  const backend = localBackend({ command, root, cwd: dir, onRecovered: (_r, at) => recovered.push(at.state) });
  const id = await backend.submit(run);
  assert.deepEqual(recovered, [], 'not taken up');
  assert.notEqual(id, `local-${unrelated.pid}`);
  await waitFor('the new attempt to end', () => existsSync(join(folder, 'exit.json')));
  await backend.cancel!({ ...run, externalId: id });
  assert.ok(running(unrelated.pid!), 'the unrelated process was not signalled');
  // The same stale folder met by a resumed sweep (status) or by `sweep cancel` of a run still submitting
  // (find, then cancel): it is not followed as running, and nothing of the unrelated process's is signalled.
  const stale = run;
  for (const f of ['exit.json', 'submitted-pid']) rmSync(join(folder, f), { force: true });
  writeFileSync(join(folder, 'pid'), String(unrelated.pid));
  writeFileSync(join(folder, 'group.json'), JSON.stringify({ pgid: unrelated.pid, started: Date.now() - 86_400_000 }));
  const fresh = localBackend({ command, root, cwd: dir });
  const found = await fresh.find!(stale);
  assert.equal(found, `local-${unrelated.pid}`, 'find reports what the folder says');
  assert.notEqual((await fresh.status({ ...stale, externalId: found })).state, 'running');
  await fresh.cancel!({ ...stale, externalId: found });
  assert.ok(running(unrelated.pid!), 'the unrelated process was not signalled by the cancel');
});

test('a run that failed on its own before `sweep cancel` marked it keeps its reason; one ended by the cancel is cancelled', () => {
  const folder = mkdtempSync(join(tmpdir(), 'scalelab-cancel-after-failure-'));
  const failed = { state: 'failed' as const, reason: 'exit code 137 (out of memory)' };
  writeFileSync(join(folder, 'exit.json'), '{"code":137}');
  writeFileSync(join(folder, CANCELLED), '');
  const before = new Date(Date.now() - 60_000);
  utimesSync(join(folder, 'exit.json'), before, before);
  assert.deepEqual(asCancelled(folder, failed), failed, 'ended a minute before the cancel');
  const after = new Date(Date.now() + 1000);
  utimesSync(join(folder, 'exit.json'), after, after);
  assert.deepEqual(asCancelled(folder, failed), { ...failed, state: 'cancelled', reason: CANCELLED_REASON });
  assert.deepEqual(asCancelled(folder, { state: 'completed', loss: 3 }), { state: 'completed', loss: 3 });
});
