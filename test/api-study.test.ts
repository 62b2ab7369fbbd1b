// `study run --backend api` end to end against `scalelab lab serve` over loopback HTTP, and the
// runtime limit the API client reserves for each run.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { root } from './helpers/cli.js';
import { createLabServer } from '../src/server/labServer.js';
import { loadWorld } from '../src/lab/loadWorld.js';
import { apiBackend, failureReason, runtimeLimit, runtimeRatio } from '../src/experiments/backends/api.js';
import { flagFor } from '../src/cli/optionFlags.js';
import { BackendBusy, type Backend } from '../src/experiments/backends/backend.js';
import { runSweep } from '../src/experiments/runner.js';
import { probeFailure, type RunOutcome } from '../src/experiments/study.js';
import { RunStore, type StoredRun } from '../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-api-study-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGTERM');
});

/** The CLI from sources, asynchronously (an in-process server must keep answering meanwhile). */
function scalelab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['--import', 'tsx', `${root}src/cli/run.ts`, ...args], {
      cwd: root,
      env: { ...process.env, SCALELAB_DEBUG: '' },
    });
    let stdout = '',
      stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** `scalelab lab serve --port 0` as a child: resolves with its URL once it listens. */
function labServe(args: string[]): Promise<string> {
  const c = spawn(
    process.execPath,
    ['--import', 'tsx', `${root}src/cli/run.ts`, 'lab', 'serve', '--port', '0', '--json', ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(c);
  return new Promise((resolve, reject) => {
    let text = '';
    const lines = createInterface({ input: c.stdout! });
    lines.on('line', (l) => {
      text += l;
      try {
        resolve(JSON.parse(text).url);
      } catch {
        /* the JSON spans several lines */
      }
    });
    c.on('exit', (code) => reject(new Error(`lab serve exited with ${code}`)));
  });
}

/** An in-process `lab serve` on the default world (12 h budget, key "k"), closed after `body`. */
async function withLab(speed: number, body: (url: string) => Promise<void>): Promise<void> {
  const lab = createLabServer({ world: loadWorld(), budgetSeconds: 12 * 3600, apiKey: 'k', speed });
  const { port } = await lab.listen(0);
  try {
    await body(`http://127.0.0.1:${port}`);
  } finally {
    await lab.close();
  }
}

const study = (url: string, db: string, extra: string[] = []) =>
  scalelab([
    'study',
    'run',
    '--backend',
    'api',
    '--url',
    url,
    '--api-key',
    'k',
    '--target-hours',
    '48',
    '--experiment-hours',
    '12',
    '--db',
    db,
    '--study',
    's',
    '--poll',
    '0.05',
    '--bootstrap',
    '20',
    '--json',
    ...extra,
  ]);

test("study run --backend api against lab serve: no run times out although the client's cost model is 1.4–13× optimistic, and the sweep is planned at the measured speed", async () => {
  const url = await labServe(['--api-key', 'k', '--speed', '20000']);
  const db = join(dir, 'plain.db');
  const r = await study(url, db);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(
    j.recommendation.predictedLoss > 2 && j.recommendation.predictedLoss < 4,
    `predicted ${j.recommendation.predictedLoss}`,
  );
  const store = RunStore.open(db);
  try {
    const runs = store.runs({ study: 's' });
    const timedOut = runs.filter((x) => /timed out|timeout/i.test(x.reason ?? ''));
    assert.deepEqual(
      timedOut.map((x) => x.reason),
      [],
      'no run timed out',
    );
    const probe = runs.filter((x) => x.phase === 'lr-probe');
    assert.equal(
      probe.filter((x) => x.status === 'completed').length,
      probe.length - 1,
      'every probe run but the diverging one completed',
    );
    assert.ok(runs.filter((x) => x.phase === 'isoflop' && x.status === 'completed').length >= 20);
    // The probe runs took ~4× the client's assumed seconds: the sweep was planned at that speed, so
    // its budgets nearly fit the 12 h (uncalibrated, 10 of the last budget's runs were refused as
    // over budget), and the target run at the speed of the largest budget's runs. One ratio from
    // one probe size cannot capture the server's 60 s start-up (its smallest runs take up to 10× the
    // calibrated estimate, its largest a third), so the last two or three runs still find the
    // budget spent.
    const [sweep, target] = j.costCalibration;
    assert.deepEqual([sweep.for, sweep.applied, target.for, target.applied], ['sweep', true, 'target', true]);
    assert.ok(sweep.ratio > 2.5 && sweep.ratio < 8, `probe ratio ${sweep.ratio}`);
    assert.match(target.statement, /completed runs of the largest budget took [\d.]+× the cost model's seconds/);
    const refused = runs.filter((x) => /over budget/.test(x.reason ?? ''));
    assert.ok(
      refused.length <= 3,
      `${refused.length} runs refused as over budget: ${refused.map((x) => x.reason).join('; ')}`,
    );
    assert.ok(j.spentHours <= 12);
  } finally {
    store.close();
  }
});

test("with --world the API client plans with the served world's hardware: every run fits, and the regret is stated", async () => {
  await withLab(20000, async (url) => {
    const r = await study(url, join(dir, 'world.db'), ['--world', 'worlds/default.json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(j.truth.regret < 0.01, `regret ${j.truth.regret}`);
    assert.ok(Math.abs(j.truth.predictionError) < 0.02, `prediction error ${j.truth.predictionError}`);
  });
});

test('runs that time out say so and how to raise the limit, not "lower the learning rates"', async () => {
  await withLab(20000, async (url) => {
    const r = await study(url, join(dir, 'short.db'), ['--max-runtime', '60']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /timed out/);
    assert.match(r.stderr, /--max-runtime SECONDS/);
    assert.doesNotMatch(r.stderr, /lower the learning rates/);
    // Exit 1 as sweep run's failed runs (the runs ran and failed), 2 kept for what was typed wrong.
    const j = await study(url, join(dir, 'short-json.db'), ['--max-runtime', '60', '--json']);
    assert.equal(j.code, 1, j.stderr);
    assert.equal(JSON.parse(j.stdout).error.type, 'ExperimentError');
    const typo = await study(url, join(dir, 'short-typo.db'), ['--max-runtime', 'sixty']);
    assert.equal(typo.code, 2, typo.stderr);
  });
});

test('probeFailure names the cause: divergence → lower learning rates; timeouts → the runtime limit; else the reasons', () => {
  const o = (reason: string) => ({ run: {} as never, status: 'failed', seconds: 1, reason }) as RunOutcome;
  assert.match(
    probeFailure([o('training diverged: NaN'), o('training diverged: NaN')]),
    /diverged.*lower the learning rates/,
  );
  const t = probeFailure([
    o('training diverged: NaN'),
    o(failureReason('timeout: the run needed 352 s, more than max_runtime_seconds = 183', 'failed', 183)),
  ]);
  assert.match(t, /1 of 2 timed out/);
  assert.match(t, /raise the limit with option "maxRuntimeSeconds" SECONDS or option "runtimeMargin" X/);
  // The CLI names its flags instead (the study above shows it end to end).
  assert.match(
    failureReason('timeout', 'failed', 183, flagFor),
    /raise the limit with --max-runtime SECONDS or --runtime-margin X/,
  );
  assert.doesNotMatch(t, /lower the learning rates/);
  assert.match(probeFailure([o('submit failed: 400 over budget')]), /over budget/);
  // A spent budget: the run given what was left timed out, the others were refused. The budget is said, not the limit.
  const spent = probeFailure([
    o('timed out on the training API after its max_runtime_seconds = 180'),
    o('submit failed: POST /submit: 400 over budget: only 0 s remain'),
    o('submit failed: POST /submit: 400 over budget: only 0 s remain'),
  ]);
  assert.match(
    spent,
    /^every learning-rate probe run failed; 2 of 3 were refused as over the training API's budget, so its budget, not the learning rate or the runtime limit, is the problem: submit failed: .*400 over budget/,
  );
  assert.doesNotMatch(spent, /--max-runtime|maxRuntimeSeconds/);
  // Runs not started after the first failed alike quote that reason: counted, not quoted again.
  const torch = "exit code 1: ModuleNotFoundError: No module named 'torch'";
  const stopped = `not started: the first 3 runs all failed with the same reason (${torch}); fix it and queue these again (sweep retry)`;
  assert.equal(
    probeFailure([o(torch), o(torch), o(torch), o(stopped), o(stopped)]),
    `every learning-rate probe run failed: ${torch} (2 more not started for that reason)`,
  );
});

test('runtimeRatio: nearest observed size at or below N; below every size, scaled by N_min/N', () => {
  assert.equal(runtimeRatio([], 1e7), undefined);
  const obs = [
    { N: 1e7, ratio: 4 },
    { N: 1e8, ratio: 1.5 },
  ];
  assert.equal(runtimeRatio(obs, 1e7), 4);
  assert.equal(runtimeRatio(obs, 5e7), 4, "between sizes: the smaller size's (longer) ratio");
  assert.equal(runtimeRatio(obs, 1e9), 1.5);
  assert.equal(runtimeRatio(obs, 2.5e6), 16, 'below: ×(N_min/N)');
  // Runs of one size at several lengths: the longest no longer than this one (a start-up cost
  // weighs less on long runs), else the shortest.
  const timed = [
    { N: 1e7, ratio: 2.4, estimate: 74 },
    { N: 1e7, ratio: 1.5, estimate: 670 },
    { N: 1e7, ratio: 1.0, estimate: 2011 },
  ];
  assert.equal(runtimeRatio(timed, 1e7, 6034), 1.0);
  assert.equal(runtimeRatio(timed, 2e7, 1000), 1.5);
  assert.equal(runtimeRatio(timed, 1e7, 50), 2.4);
  assert.equal(runtimeRatio(timed, 1e7), 2.4, 'no estimate: the largest ratio');
});

test('runtimeLimit: fixed wins; uncalibrated reserves half the budget left; calibrated is estimate × ratio × margin + 60; within [60 s, 12 h]', () => {
  assert.equal(runtimeLimit({ estimate: 100, margin: 2, fixed: 600 }), 600);
  assert.equal(runtimeLimit({ estimate: 100, margin: 2, fixed: 1e6 }), 43200);
  assert.equal(runtimeLimit({ estimate: 100, margin: 2, remaining: 40000 }), 20000);
  assert.equal(runtimeLimit({ estimate: 100, margin: 2 }), 43200);
  assert.equal(runtimeLimit({ estimate: 100, ratio: 4, margin: 2, remaining: 40000 }), 860);
  assert.equal(runtimeLimit({ estimate: 1, ratio: 0.5, margin: 1 }), 61);
  // An estimate already scaled by the study's measured speed can be long: the ratio shortens it.
  assert.equal(runtimeLimit({ estimate: 1000, ratio: 0.4, margin: 2 }), 860);
  assert.equal(runtimeLimit({ estimate: 1e5, ratio: 3, margin: 2 }), 43200);
});

test('the API client runs one calibration run alone, then the rest at full concurrency with limits from its reported runtime', async () => {
  await withLab(1e6, async (url) => {
    const client = apiBackend({ url: url, apiKey: 'k' });
    const get = async (id: string) =>
      (await (await fetch(`${url}/experiment/${id}`, { headers: { 'x-api-key': 'k' } })).json()) as {
        request: { max_runtime_seconds: number };
        runtime_seconds: number;
      };
    assert.equal(client.concurrency, 1, 'uncalibrated: one run at a time');
    const run = (i: number, d: number) =>
      ({
        id: i,
        key: `k${i}`,
        N: 12 * 4 * d * d,
        estimatedSeconds: 50,
        config: {
          n_layer: 4,
          d_model: d,
          n_heads: d / 64,
          tokens: 3e8,
          batch_tokens: 65536,
          learning_rate: 3e-3 + i * 1e-5,
          parametrization: 'mup',
          n_evals: 4,
          seed: 0,
        },
      }) as unknown as StoredRun;
    const first = run(1, 256);
    const id = await client.submit(first);
    let exp = await get(id);
    assert.equal(exp.request.max_runtime_seconds, 6 * 3600, 'half the 12 h budget');
    // The lab finishes the experiment on its own clock: poll for it (a condition, not a guessed time).
    let s = await client.status({ ...first, externalId: id });
    for (const end = Date.now() + 60_000; s.state !== 'completed' && Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 50));
      s = await client.status({ ...first, externalId: id });
    }
    assert.equal(s.state, 'completed');
    assert.equal(client.concurrency, 8, 'calibrated: full concurrency');
    const second = run(2, 256);
    const id2 = await client.submit(second);
    exp = await get(id2);
    const runtime = (await get(id)).runtime_seconds;
    assert.equal(exp.request.max_runtime_seconds, Math.round(runtime * 2 + 60), 'reported runtime × margin 2 + 60 s');
  });
});

test('a busy backend defers a submit while runs are in flight, and the runner submits it once they finish', async () => {
  const store = RunStore.open(join(dir, 'busy.db'));
  try {
    const cfg = (i: number) => ({
      n_layer: 2,
      d_model: 64,
      n_heads: 1,
      tokens: 1e6,
      batch_tokens: 4096,
      learning_rate: 1e-3 * i,
    });
    store.plan(
      'b',
      [1, 2, 3].map((i) => ({ key: `r${i}`, phase: 'isoflop', config: cfg(i), N: 1, D: 1, C: 1, estimatedSeconds: 1 })),
    );
    let polls = 0;
    const inFlight = new Set<string>();
    const busy: string[] = [];
    const backend: Backend = {
      name: 'fake',
      concurrency: 3,
      async submit(r: StoredRun) {
        if (inFlight.size >= 1) {
          busy.push(r.key);
          throw new BackendBusy('budget reserved by runs in flight');
        }
        inFlight.add(r.key);
        return r.key;
      },
      async status(r: StoredRun) {
        if (++polls % 2) return { state: 'running' };
        inFlight.delete(r.key);
        return { state: 'completed', loss: 3, seconds: 1 };
      },
    };
    const p = await runSweep(store, 'b', backend, { pollMs: 5 });
    assert.equal(p.done, 3, 'every run completed, none failed for being deferred');
    assert.equal(p.failed, 0);
    assert.ok(busy.length >= 2, 'submits were deferred');
  } finally {
    store.close();
  }
});

test('sweep retry on the API: a failed configuration cannot be run twice (409), and the reason says so', async () => {
  await withLab(1e6, async (url) => {
    const store = RunStore.open(join(dir, 'retry.db'));
    // A learning rate far above the world's divergence threshold: the run fails on the server.
    const config = {
      n_layer: 4,
      d_model: 256,
      n_heads: 4,
      tokens: 1e8,
      batch_tokens: 65536,
      learning_rate: 0.09,
      parametrization: 'mup',
      n_evals: 4,
      seed: 0,
    };
    store.plan('r', [
      {
        key: 'hot',
        phase: 'isoflop',
        config,
        N: 12 * 4 * 256 * 256,
        D: 1e8,
        C: 6 * 12 * 4 * 256 * 256 * 1e8,
        estimatedSeconds: 30,
      },
    ]);
    const client = () => apiBackend({ url: url, apiKey: 'k', maxRuntimeSeconds: 3600 });
    const first = await runSweep(store, 'r', client(), { pollMs: 20 });
    assert.equal(first.failed, 1);
    const [run] = store.runs({ study: 'r' });
    assert.doesNotMatch(run.reason!, /409/);
    store.retry('r');
    const again = await runSweep(store, 'r', client(), { pollMs: 20 });
    assert.equal(again.failed, 1);
    const [retried] = store.runs({ study: 'r' });
    assert.match(
      retried.reason!,
      /already ran this configuration as experiment \S+, which failed \(.*diverge.*\).*refuses the same configuration twice \(409/i,
    );
    store.close();
  });
});
