// sweep plan in FLOPs, sweep retry (a failed run queued again and completed), and study --progressive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scalelab } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-sweep-cli-'));
const flaky = fileURLToPath(new URL('./fixtures/flaky-trainer.mjs', import.meta.url));

test('sweep plan --target-flops C --experiment-flops E: every run sits on its budget, the whole plan within E, hours timed on the hardware', () => {
  const out = join(dir, 'flops-plan.json');
  const r = scalelab(['sweep', 'plan', '--target-flops', '1e19', '--experiment-flops', '2e18', '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const p = r.json();
  assert.equal(p.unit, 'flops');
  assert.equal(p.experimentFlops, 2e18);
  const runs = [...p.probe, ...p.isoflop];
  const total = runs.reduce(
    (a: number, x: { N: number; config: { tokens: number } }) => a + 6 * x.N * x.config.tokens,
    0,
  );
  assert.ok(Math.abs(total / p.flops.total - 1) < 1e-6);
  assert.ok(total <= 2e18 * 1.001 && total >= 2e18 * 0.7, `${total.toExponential(3)} FLOPs of 2e18`);
  assert.equal(p.budgets.length, 5);
  assert.ok(Math.abs(p.budgets[4] / p.budgets[3] - 3) < 1e-9, 'budgets ×3 apart');
  for (const x of p.isoflop)
    assert.ok(Math.abs((6 * x.N * x.config.tokens) / x.C - 1) < 1e-3, 'each run on its budget');
  // Each run's seconds are hardware time (for the runners' limits), not FLOPs.
  for (const x of runs) assert.ok(x.seconds > 60 && x.seconds < 48 * 3600, `seconds ${x.seconds}`);
  assert.ok(p.seconds.total > 3600 && p.seconds.total < 100 * 3600);
  const text = scalelab(['sweep', 'plan', '--target-flops', '1e19', '--experiment-flops', '2e18']);
  assert.match(text.stdout, /within 2e18 FLOPs of experiments: \d+ runs, [\d.]+e18 FLOPs \(about [\d.]+ h\)/);
  const mixed = scalelab(['sweep', 'plan', '--target-flops', '1e19', '--experiment-hours', '2']);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /in hours .* or in FLOPs/);
  const tiny = scalelab(['sweep', 'plan', '--target-flops', '1e19', '--experiment-flops', '1e3']);
  assert.equal(tiny.code, 2);
  assert.match(tiny.stderr, /1e3 FLOPs is too small/);
  // The FLOPs plan runs like any other.
  const run = scalelab(['sweep', 'run', out, '--study', 'flops', '--db', join(dir, 'flops.db'), '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.json().total, runs.length);
});

test('sweep plan: a budget too small for any sweep is named as given (0.001 h, not "0.00 h")', () => {
  const r = scalelab(['sweep', 'plan', '--target-hours', '0.01', '--experiment-hours', '0.001']);
  assert.equal(r.code, 2, r.stdout);
  assert.match(r.stderr, /an experiment budget of 0\.001 h is too small for even the smallest sweep/);
});

test('sweep plan on a CPU: phase times in seconds or minutes (was "0.00" hours), a budget with no runs a dash', () => {
  const args = ['sweep', 'plan', '--backend', 'local', '--command', 'true {run_dir}', '--peak-flops', '2e13'];
  const r = scalelab([...args, '--target-flops', '1e14', '--experiment-flops', '1e13']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /1e13 FLOPs \(about \d+(\.\d)? s\)$/);
  assert.match(lines[1], / time$/);
  const rows = lines.filter((l) => /^ {2}(lr probe|isoflop) /.test(l));
  assert.ok(rows.length >= 2, r.stdout);
  for (const row of rows) {
    assert.doesNotMatch(row, /0\.00/);
    const runs = Number(row.trim().split(/\s{2,}/)[2]);
    assert.match(row, runs === 0 ? / –$/ : / \d+(\.\d+)? s$/, row);
  }
  // The seconds said are the plan's own (JSON), to two significant digits.
  const p = scalelab([...args, '--target-flops', '1e14', '--experiment-flops', '1e13', '--json']).json();
  assert.equal(lines[0].match(/about ([\d.]+) s/)![1], String(Number(p.seconds.total.toPrecision(2))));
});

test('sweep plan: experiments costlier than the target are warned; an experiment run as large as the target is refused', () => {
  // --target-hours is the run the experiments plan; --experiment-hours all the small runs together.
  const over = scalelab(['sweep', 'plan', '--experiment-hours', '100', '--target-hours', '48', '--json']);
  assert.equal(over.code, 0, over.stderr);
  assert.match(
    over.json().notes[0],
    /^warning: the experiments cost more than the target run they plan \(9\d\.\d+ h against 48 h\)/,
  );
  const flops = scalelab(['sweep', 'plan', '--experiment-flops', '5e19', '--target-flops', '1e19']);
  assert.match(
    flops.stdout,
    /warning: the experiments cost more than the target run they plan \([\d.]+e19 FLOPs against 1e19 FLOPs\)/,
  );
  // Within the target: no such warning.
  const usual = scalelab(['sweep', 'plan', '--experiment-hours', '12', '--target-hours', '48', '--json']);
  assert.ok(!usual.json().notes.some((n: string) => n.startsWith('warning:')), JSON.stringify(usual.json().notes));
  const huge = scalelab(['sweep', 'plan', '--experiment-hours', '10000', '--target-hours', '48']);
  assert.equal(huge.code, 2, huge.stdout);
  assert.match(
    huge.stderr,
    /^scalelab: error: the target run \(48 h\) is no larger than the largest experiment this budget plans \([\d.]+ h, C = [\d.e]+\): .*give a smaller experiment budget \(1e4 h now\) or a larger target\n$/,
  );
});

test('sweep run --command with a misspelt placeholder or an open quote is refused before any run is stored', () => {
  const plan = join(dir, 'template-plan.json');
  assert.equal(
    scalelab(['sweep', 'plan', '--target-flops', '1e19', '--experiment-flops', '2e18', '--out', plan]).code,
    0,
  );
  const db = join(dir, 'template.db');
  for (const [command, error] of [
    [
      'python3 train.py --layers {n_layr} --out {run_dir}',
      /--command: unknown placeholder \{n_layr\} \(known: \{n_layer\}/,
    ],
    ["python3 train.py --note 'open {run_dir}", /--command: unterminated ' quote/],
  ] as const) {
    const r = scalelab(['sweep', 'run', plan, '--study', 't', '--backend', 'local', '--db', db, '--command', command]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, error);
  }
  assert.ok(!existsSync(db), 'no store, no runs');
});

test('sweep retry: a failed run keeps its reason, is queued again, and completes on the next sweep run', () => {
  const db = join(dir, 'retry.db');
  const config = (lr: number) => ({
    n_layer: 2,
    d_model: 64,
    n_heads: 1,
    tokens: 1e6,
    batch_tokens: 4096,
    learning_rate: lr,
    parametrization: 'mup',
    n_evals: 3,
    seed: 0,
  });
  const plan = join(dir, 'retry-plan.json');
  writeFileSync(
    plan,
    JSON.stringify({
      kind: 'scalelab-sweep-plan',
      probe: [],
      isoflop: [1e-3, 2e-3].map((lr) => ({
        phase: 'isoflop',
        C: 6 * 98304 * 1e6,
        N: 98304,
        config: config(lr),
        seconds: 1,
      })),
    }),
  );
  const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(flaky)} --layers {n_layer} --d-model {d_model} --tokens {tokens} --lr {lr} --flaky 0.002 --out {run_dir}`;
  const args = (...extra: string[]) => [
    ...extra,
    '--study',
    'r',
    '--db',
    db,
    '--backend',
    'local',
    '--concurrency',
    '2',
    '--poll',
    '0.05',
    '--runs-dir',
    join(dir, 'runs'),
    '--command',
    command,
    '--json',
  ];
  const first = scalelab(['sweep', 'run', plan, ...args()]);
  assert.equal(first.code, 1, `a sweep with a failed run is a failure: ${first.stderr}`);
  assert.match(first.stderr, /study "r" is incomplete: 1 of 2 failed; the first: exit code 3: CUDA error/);
  assert.deepEqual([first.json().done, first.json().failed], [1, 1]);
  const failed = scalelab(['runs', 'ls', '--db', db, '--study', 'r', '--status', 'failed', '--json']).json();
  assert.equal(failed.length, 1);
  assert.match(failed[0].reason, /exit code 3: CUDA error/);
  const retry = scalelab(['sweep', 'retry', '--study', 'r', '--db', db, '--json']);
  assert.equal(retry.code, 0, retry.stderr);
  assert.equal(retry.json().requeued, 1);
  assert.deepEqual(scalelab(['sweep', 'status', '--study', 'r', '--db', db, '--json']).json().counts, {
    completed: 1,
    planned: 1,
  });
  const second = scalelab(['sweep', 'run', plan, ...args()]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /resuming study "r" in .*retry\.db: 2 runs stored, 1 completed/);
  assert.deepEqual([second.json().done, second.json().failed, second.json().total], [2, 0, 2]);
  const runs = scalelab(['runs', 'ls', '--db', db, '--study', 'r', '--json']).json();
  assert.ok(
    runs.every((x: { status: string; loss: number | null }) => x.status === 'completed' && x.loss! > 1.8),
    'both completed with a loss',
  );
  assert.equal(
    scalelab(['sweep', 'retry', '--study', 'r', '--db', db, '--json']).json().requeued,
    0,
    'nothing left to retry',
  );
});

test('sweep status/retry/cancel and runs ls/export refuse a study the store lacks (with the nearest) and never create a store', () => {
  const db = join(dir, 'names.db');
  const imported = scalelab(['runs', 'import', 'examples/inputs/runs.csv', '--db', db]);
  assert.equal(imported.code, 0, imported.stderr);
  for (const args of [
    ['sweep', 'status'],
    ['sweep', 'retry'],
    ['sweep', 'cancel', '--backend', 'local'],
    ['runs', 'ls'],
    ['runs', 'export', '--out', join(dir, 'names.csv')],
  ]) {
    const r = scalelab([...args, '--study', 'importd', '--db', db]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /no study "importd" in .*names\.db \(did you mean imported\? its studies: imported\)/);
    assert.equal(r.stdout, '');
  }
  assert.ok(!existsSync(join(dir, 'names.csv')), 'no empty export written');
  const missing = join(dir, 'no-such', 'runs.db');
  for (const args of [
    ['sweep', 'status'],
    ['sweep', 'retry'],
    ['sweep', 'cancel', '--backend', 'local'],
  ]) {
    const r = scalelab([...args, '--study', 'x', '--db', missing]);
    assert.equal(r.code, 2, `${args.join(' ')}: a missing store is an input error, as a missing file is`);
    assert.match(r.stderr, /no run store here/);
    const j = scalelab([...args, '--study', 'x', '--db', missing, '--json']);
    assert.equal(j.code, 2);
    assert.match(j.json().error.message, /no run store here/);
  }
  assert.ok(!existsSync(missing), 'a misspelt --db creates no store');
});

test("study run --progressive: two stages, the second scaling up from the first's fit, within the budget and near the optimum", () => {
  const r = scalelab([
    'study',
    'run',
    '--backend',
    'sim',
    '--progressive',
    '--target-hours',
    '48',
    '--experiment-hours',
    '12',
    '--db',
    join(dir, 'prog.db'),
    '--study',
    'p',
    '--bootstrap',
    '0',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json();
  assert.equal(j.stages, 2);
  assert.ok(j.spentHours <= 12 * 1.001, `spent ${j.spentHours} h of 12`);
  assert.ok(j.budgets.length >= 6, `${j.budgets.length} budgets over two stages`);
  assert.ok(
    Math.max(...j.budgets) > Math.max(...j.budgets.slice(0, j.budgets.length - 3)),
    'the second stage reaches beyond the first',
  );
  assert.ok(j.truth.regret < 0.02, `regret ${j.truth.regret}`);
  const phases = scalelab(['runs', 'ls', '--db', join(dir, 'prog.db'), '--study', 'p', '--json'])
    .json()
    .map((x: { phase: string }) => x.phase);
  assert.ok(phases.includes('scale-up') && phases.includes('isoflop') && phases.includes('lr-probe'));
});

test('sweep run --backend api refuses a --url that is not http(s) at once, with the URL to write (review: it was retried for two minutes as a server away)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-sweep-url-'));
  const plan = join(dir, 'plan.json');
  const made = scalelab(['sweep', 'plan', '--target-hours', '48', '--experiment-hours', '12', '--out', plan]);
  assert.equal(made.code, 0, made.stderr);
  const run = (url: string) =>
    scalelab([
      'sweep',
      'run',
      plan,
      '--study',
      's',
      '--db',
      join(dir, 'runs.db'),
      '--backend',
      'api',
      '--url',
      url,
      '--api-key',
      'k',
    ]);
  const bare = run('localhost:8000');
  assert.equal(bare.code, 2, bare.stderr);
  assert.match(
    bare.stderr,
    /--url localhost:8000: expected an http:\/\/ or https:\/\/ URL such as http:\/\/127\.0\.0\.1:8000 \(write http:\/\/localhost:8000\)/,
  );
  const port = run('http://localhost:99999');
  assert.equal(port.code, 2, port.stderr);
  assert.match(port.stderr, /--url http:\/\/localhost:99999: expected an http:\/\/ or https:\/\/ URL/);
  assert.equal(run('ftp://x').code, 2);
});

test("sweep run trains the IsoFLOP runs at the probe's best learning rate, not the plan's placeholder, and resumes the same runs", () => {
  const out = join(dir, 'probe-plan.json');
  const planned = scalelab(['sweep', 'plan', '--target-hours', '4', '--experiment-hours', '1', '--out', out]);
  assert.equal(planned.code, 0, planned.stderr);
  // The table says whose rate the IsoFLOP runs take, and the notes what was assumed untold and the target's C.
  assert.match(planned.stdout, /isoflop +[\d.e]+ +\d+ +\S+ +probe's best/);
  assert.match(planned.stdout, /the 0\.003 their configurations hold here is a placeholder/);
  assert.match(planned.stdout, /target: C ≈ [\d.]+e\d+ FLOPs \(6·N·D, N non-embedding\): N = /);
  assert.match(
    planned.stdout,
    /defaults not typed: the simulated world "default" \(default; --world\).*prior law preset epoch-2024 \(default/,
  );
  // A placeholder unlike the probe's answer: a sweep that trained the plan's rate would train at 0.01.
  const plan = JSON.parse(readFileSync(out, 'utf8'));
  assert.ok(plan.probe.length > 0 && plan.isoflop.length > 0 && plan.targetC > 1e15);
  for (const r of plan.isoflop) r.config.learning_rate = 0.01;
  writeFileSync(out, JSON.stringify(plan));
  const db = join(dir, 'probe.db');
  const args = ['sweep', 'run', out, '--study', 'p', '--db', db, '--json'];
  const first = scalelab(args);
  assert.equal(first.code, 0, first.stderr);
  const rate = first.json().isoflopLearningRate;
  assert.equal(rate.source, 'the probe');
  assert.match(rate.method, /parabola in ln η|lowest-loss run/);
  assert.ok(rate.value > 1e-3 && rate.value < 8e-3, `the probe's rate ${rate.value}`);
  const stored = () => scalelab(['runs', 'ls', '--db', db, '--study', 'p', '--json']).json();
  const isoflop = stored().filter((r: { phase: string }) => r.phase === 'isoflop');
  assert.equal(isoflop.length, plan.isoflop.length);
  for (const r of isoflop) assert.equal(r.config.learning_rate, rate.value);
  // Run again: the same rate from the stored probe, so the same runs; nothing new is planned or trained.
  const again = scalelab(args);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.json().isoflopLearningRate.value, rate.value);
  assert.equal(again.json().total, plan.probe.length + plan.isoflop.length);
  assert.equal(stored().length, plan.probe.length + plan.isoflop.length);
  const text = scalelab(args.slice(0, -1));
  assert.match(text.stdout, /^IsoFLOP runs trained at the probe's learning rate [\d.e-]+ \((parabola|lowest)/);
  assert.match(text.stdout, /; [\d.]+ simulated h \(the sim backend's cost model\) spent; best loss/);
  // The sim backend's hours are its cost model's: said so wherever they are shown.
  const status = scalelab(['sweep', 'status', '--study', 'p', '--db', db]);
  assert.match(status.stdout, /; [\d.]+ simulated h \(the sim backend's cost model\) spent\n/);
  assert.ok(scalelab(['sweep', 'status', '--study', 'p', '--db', db, '--json']).json().simulatedHours > 0);
  // A study whose IsoFLOP runs were stored at the plan's own rate (a sweep run from before the probe's rate was
  // carried over; here, the IsoFLOP runs alone first) resumes them as they are: none trained twice.
  const isoflopOnly = join(dir, 'isoflop-only.json');
  writeFileSync(isoflopOnly, JSON.stringify({ ...plan, probe: [] }));
  assert.equal(scalelab(['sweep', 'run', isoflopOnly, '--study', 'old', '--db', db]).code, 0);
  const old = scalelab(['sweep', 'run', out, '--study', 'old', '--db', db, '--extend']);
  assert.equal(old.code, 0, old.stderr);
  assert.match(old.stdout, /^IsoFLOP runs at the plan's learning rate, not the probe's: study "old" holds them so/);
  assert.equal(
    scalelab(['runs', 'ls', '--db', db, '--study', 'old', '--json']).json().length,
    plan.probe.length + plan.isoflop.length,
  );
  const ls = scalelab(['runs', 'ls', '--study', 'p', '--db', db]).stdout;
  assert.match(ls, /loss +simulated hours/);
  assert.match(ls, /; hours simulated by the sim backend's cost model\n$/);
});

test("study run says how the recommendation was chosen, its C, the cost model's MFU and FLOPs count, the approaches' N_opt at that C, and simulated hours", () => {
  const db = join(dir, 'traced.db');
  const args = ['study', 'run', '--backend', 'sim', '--db', db, '--study', 't', '--bootstrap', '20'];
  const j = scalelab([...args, '--json']);
  assert.equal(j.code, 0, j.stderr);
  const rec = j.json().recommendation;
  assert.ok(Math.abs(rec.C / (6 * rec.N * rec.D) - 1) < 1e-12, 'C = 6·N·D');
  assert.ok(rec.mfu > 0.2 && rec.mfu <= 0.45, `MFU ${rec.mfu}`);
  // The cost model counts embeddings: more FLOPs than the law's C for the same run.
  assert.ok(rec.costFlops > rec.C, `${rec.costFlops} against ${rec.C}`);
  // Its hours at that MFU are the target's (48 h, less the world's 60 s start-up).
  assert.ok(Math.abs(rec.costFlops / (rec.peakFlops * rec.mfu) / (48 * 3600 - 60) - 1) < 1e-6);
  assert.match(rec.rule, /d_model\/n_layer 40–160.*48 h buy.*lowest loss under the fitted law/);
  assert.equal(rec.intervalLevel, 0.95);
  assert.equal(j.json().fit.recipe, 'huber');
  assert.equal(j.json().hoursSimulated, true);
  // Approach 2 resamples each IsoFLOP profile's residuals (its sizes kept, and the vertex-discrepancy term), Approach 3 whole runs.
  for (const a of j.json().approaches)
    assert.deepEqual([a.intervalLevel, a.replicates, a.unit], [0.95, 20, a.approach === 2 ? 'residual' : 'run']);
  const text = scalelab(args).stdout;
  assert.match(text, /spent [\d.]+ simulated h \(the sim backend's cost model\) on \d+ runs/);
  assert.match(text, /Chinchilla law, fitted by the huber recipe \(Huber loss on ln L/);
  assert.match(text, /a = [\d.]+ \[[\d.]+, [\d.]+\] \(95 %, 20 bootstrap replicates over runs\)/);
  // Approach 2's basis names the rule as frontier's header does, its vertex-discrepancy term included.
  assert.match(
    text,
    /\(95 %, 20 bootstrap replicates over each IsoFLOP profile's residuals about its parabola \(its sizes kept; over 5 sizes, plus its vertex-discrepancy term\)\)/,
  );
  assert.match(text, /Chosen as: of the shapes with d_model\/n_layer 40–160/);
  assert.match(
    text,
    /C = 6·N·D = [\d.]+e\d+ FLOPs, N non-embedding.*6·\(N \+ embeddings\)·D = [\d.]+e\d+ FLOPs, run in 48 h at 2250 TFLOP\/s peak × MFU 0\.\d{3}/,
  );
  assert.match(
    text,
    /At this C the approaches give N_opt = [\d.e]+ \[[\d.e]+, [\d.e]+\] \(Approach 2\), .*\(Approach 3\)/,
  );
});

test("sweep status counts the plan's IsoFLOP runs not yet stored while its probe has not given their rate (the counts read as the whole plan)", () => {
  const config = (lr: number, layers: number) => ({
    n_layer: layers,
    d_model: 64,
    n_heads: 1,
    tokens: 1e6,
    batch_tokens: 4096,
    learning_rate: lr,
    parametrization: 'mup',
    n_evals: 3,
    seed: 0,
  });
  const run = (phase: string, lr: number, layers: number) => ({
    phase,
    C: 6 * 49152 * layers * 1e6,
    N: 49152 * layers,
    config: config(lr, layers),
    seconds: 1,
  });
  const plan = join(dir, 'held-plan.json');
  writeFileSync(
    plan,
    JSON.stringify({
      kind: 'scalelab-sweep-plan',
      probe: [run('lr-probe', 1e-3, 1), run('lr-probe', 4e-3, 1)],
      isoflop: [run('isoflop', 3e-3, 1), run('isoflop', 3e-3, 2), run('isoflop', 3e-3, 3)],
    }),
  );
  const db = join(dir, 'held.db');
  // A trainer that fails (not a divergence): the probe gives no rate, so the IsoFLOP runs are held back.
  const failing = `${JSON.stringify(process.execPath)} -e process.exit(5) {run_dir}`;
  const swept = scalelab([
    'sweep',
    'run',
    plan,
    '--study',
    'held',
    '--db',
    db,
    '--backend',
    'local',
    '--poll',
    '0.05',
    '--runs-dir',
    join(dir, 'held-runs'),
    '--command',
    failing,
  ]);
  assert.equal(swept.code, 1, swept.stderr);
  const status = scalelab(['sweep', 'status', '--study', 'held', '--db', db]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^study "held": 2 failed; /);
  assert.match(
    status.stdout,
    /\nthe plan's other 3 runs \(of 5: its IsoFLOP runs\) are stored once the learning-rate probe has run, at the probe's rate\n/,
  );
  assert.equal(scalelab(['sweep', 'status', '--study', 'held', '--db', db, '--json']).json().notYetStored, 3);
});
