/**
 * One set of conventions across commands (issue 18): exit codes by class of error, "wrote FILE" on
 * stderr, output paths checked before the work, readers that say what file they expected, and
 * failure reasons cut at a word.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, scalelab } from './helpers/cli.js';
import { RunStore } from '../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-conventions-'));
const runs = 'examples/chinchilla.csv';

test('exit codes: 2 for every usage error (unknown command or flag, missing argument, bad value, a group with no subcommand) and input error, 0 for help', () => {
  const cases: [string[], RegExp][] = [
    [['nosuch'], /scalelab: error: unknown command 'nosuch'/],
    [['fit', runs, '--nope'], /scalelab: error: unknown option '--nope'/],
    // A flag in the wrong case: named, where commander's spelling distance finds nothing in one letter.
    [
      ['predict', '--preset', 'epoch-2024', '--n', '70B', '--D', '1e12'],
      /unknown option '--n'\n\(Did you mean --N\?\)/,
    ],
    // Several files to a command that reads one: how to join them; predict's point without its flags.
    [
      ['fit', runs, runs],
      /too many arguments for 'fit'\. Expected 1 argument but got 2\.\n\(fit reads one file of runs: to use several, import them into one study/,
    ],
    [['predict', 'fit.json', '70B', '1.4T'], /\(the point is given with flags: predict FIT --N 70B --D 1\.4T\)/],
    // A level typed as a percentage without its sign: the fraction meant, in fit and backtest as elsewhere.
    [
      ['fit', runs, '--level', '95'],
      /--level: expected an interval level between 0 and 1 such as 0\.95, got "95" \(a percentage\? write 0\.95 or 95%\)/,
    ],
    [['backtest', runs, '--levels', '80,95'], /--levels: .*got "80" \(a percentage\? write 0\.8 or 80%\)/],
    // A law variable's flag by its word.
    [
      ['predict', '--preset', 'epoch-2024', '--N', '70B', '--tokens', '1.4T'],
      /unknown option '--tokens'\n\(Did you mean --D\?\)/,
    ],
    [['plan', '--budget', '1e22'], /unknown option '--budget'\n\(Did you mean --C\?\)/],
    // A duration in weeks or hours where plan takes days; a whole number with thousands separators.
    [
      ['plan', '--gpus', '2000', '--gpu', 'h100', '--weeks', '3'],
      /unknown option '--weeks'\n\(Did you mean --days\? The duration is in days: 3 weeks is --days 21/,
    ],
    [
      ['plan', '--gpus', '2000', '--gpu', 'h100', '--hours', '504'],
      /unknown option '--hours'\n\(Did you mean --days\? The duration is in days: 504 hours is --days 21/,
    ],
    // A folder of trainer outputs given as the runs: how its runs become the one file read.
    [
      ['fit', 'examples/inputs'],
      /examples\/inputs: is a folder: expected a CSV, JSON or JSONL file of runs \(a folder of training runs is not read: write one file with a row per run \(N, D and loss, as examples\/inputs\/runs\.csv\) or per checkpoint \(with a run column\); several files of runs become one by importing them into one study of the run store and exporting it, scalelab runs import then scalelab runs export\)/,
    ],
    // "A month of GPUs": named with the days to write, as weeks and hours are.
    [
      ['plan', '--gpus', '10000', '--gpu', 'h100', '--months', '1'],
      /unknown option '--months'\n\(Did you mean --days\? The duration is in days: a month of 30 days is --days 30/,
    ],
    // The run store given to a command that reads a file: the export that makes one.
    [
      ['fit', runs, '--db', '.scalelab/runs.db'],
      /unknown option '--db'\n\(fit reads a file of runs, not the run store: write a study's completed runs to one with "scalelab runs export --study NAME --out runs\.csv", then "scalelab fit runs\.csv"\)/,
    ],
    [
      ['frontier', runs, '--study', 's1'],
      /unknown option '--study'\n\(frontier reads a file of runs, not the run store/,
    ],
    [
      ['plan', '--gpus', '2,000', '--gpu', 'h100', '--days', '21'],
      /--gpus: expected a whole number of at least 1, got "2,000"; thousands separators are not read: write 2000/,
    ],
    // plan's hardware given to a command that reads compute: plan's first line gives the C to pass.
    [
      ['hparams', '--gpus', '10000', '--gpu', 'h100', '--days', '30'],
      /unknown option '--gpus'\n\(hparams reads the compute as --C FLOPS: "scalelab plan --gpus N --gpu NAME --days D --mfu 0\.4" gives the C of that hardware on its first line/,
    ],
    [
      ['predict', '--preset', 'epoch-2024', '--num-params', '70B', '--D', '1.4T'],
      /unknown option '--num-params'\n\(Did you mean --N\?\)/,
    ],
    [['fit'], /scalelab: error: missing required argument 'file'/],
    [
      ['predict', '--preset', 'epoch-2024', '--N', 'abc', '--D', '1e12'],
      /--N: expected a number such as 7e10 or 70B, got "abc"/,
    ],
    [
      ['sweep', 'plan', '--experiment-hours', '12%', '--target-hours', '48'],
      /--experiment-hours: expected a number of hours, got "12%": a percentage is not read here; write the number itself/,
    ],
    // An exponent typed without its decimal point (34 for 0.34), wherever an exponent is given by hand.
    [
      ['predict', '--law', 'chinchilla', '--params', 'E=1.69,A=406.4,B=410.7,alpha=34,beta=0.28', '--N', '1e9'],
      /--params alpha: an exponent of a scaling law is at most 5 .*got 34: did you mean 0\.34\?/,
    ],
    [
      ['fit', runs, '--fix', 'beta=28'],
      /--fix: beta: an exponent of a scaling law is at most 5 .*did you mean 0\.28\?/,
    ],
    [['sweep', 'status'], /required option '--study <name>' not specified/],
    [['sweep'], /Usage: scalelab sweep/],
    [['fit', join(dir, 'missing.csv')], /missing\.csv: no such file: expected a CSV, JSON or JSONL file of runs/],
    // A name one slip from a file beside it: that file is named.
    [
      ['fit', 'examples/chinchila.csv'],
      /examples\/chinchila\.csv: no such file \(did you mean examples\/chinchilla\.csv\?\): expected a CSV/,
    ],
    // A README data set named without its folder, from the project's root: the bundled file is named.
    [['fit', 'chinchilla.csv'], /chinchilla\.csv: no such file \(did you mean examples\/chinchilla\.csv\?\)/],
  ];
  for (const [args, message] of cases) {
    const r = scalelab(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.ok(noStackTrace(r.stderr), args.join(' '));
  }
  for (const args of [['--help'], ['fit', '--help'], ['sweep', 'run', '--help'], ['--version']])
    assert.equal(scalelab(args).code, 0, args.join(' '));
  assert.match(scalelab(['--help']).stdout, /Exit codes: 0 done; 1 it ran but the result is a failure/);
  const json = scalelab(['fit', runs, '--nope', '--json']);
  assert.equal(json.code, 2);
  assert.deepEqual(json.json(), { error: { type: 'UsageError', message: "unknown option '--nope'" } });
});

test('"wrote FILE" goes to stderr in every command that writes one, and stdout holds only the result', () => {
  const cases: [string, string[]][] = [
    ['fit.json', ['fit', runs, '--procedure', 'huber']],
    ['plan.json', ['sweep', 'plan', '--target-hours', '48', '--experiment-hours', '12']],
    ['backtest.json', ['backtest', runs, '--procedures', 'huber', '--bootstrap', '0', '--folds', '2']],
    ['loss.svg', ['plot', 'loss', runs, '--bootstrap', '0', '--procedure', 'huber', '--folds', '2']],
  ];
  for (const [name, args] of cases) {
    const out = join(dir, 'wrote', name);
    const r = scalelab([...args, '--out', out]);
    assert.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
    assert.doesNotMatch(r.stdout, /wrote /, `${args[0]} prints no "wrote" on stdout`);
    assert.match(
      r.stderr,
      new RegExp(`^wrote ${out.replace(/[.\\/]/g, '\\$&')}`, 'm'),
      `${args[0]} says it wrote the file on stderr`,
    );
    assert.ok(existsSync(out));
  }
});

test('output paths are checked before the work: a missing folder is created, a file or folder in the way is refused with exit 2', () => {
  const deep = join(dir, 'does', 'not', 'exist', 'fit.json');
  const made = scalelab(['fit', runs, '--procedure', 'huber', '--out', deep]);
  assert.equal(made.code, 0, made.stderr);
  assert.equal(JSON.parse(readFileSync(deep, 'utf8')).procedure.id, 'huber');
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  // The fit would take seconds; the refusal comes first, so nothing of it is lost.
  for (const args of [
    ['fit', runs, '--bootstrap', '50'],
    ['backtest', runs],
    ['report', runs],
    ['runs', 'export', '--db', join(dir, 'none.db')],
    ['sweep', 'plan', '--target-hours', '1', '--experiment-hours', '1'],
  ]) {
    // (report writes HTML and takes only a .html name; runs export CSV, to a name that says CSV or none)
    const name = args[0] === 'report' ? 'out.html' : args[0] === 'runs' ? 'out.csv' : 'out.json';
    const r = scalelab([...args, '--out', join(file, name)]);
    assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`--out .*a-file/${name.replace('.', '\\.')}: cannot create its folder`), args[0]);
    assert.ok(noStackTrace(r.stderr));
  }
  const folder = scalelab(['fit', runs, '--out', dir]);
  assert.equal(folder.code, 2);
  assert.match(folder.stderr, /is a folder; expected a file name/);
});

test('each reader says which kind of file it expected', () => {
  const missing = join(dir, 'missing.json');
  const cases: [string[], RegExp][] = [
    [
      ['predict', '--fit', missing, '--N', '1e9', '--D', '1e10'],
      /no such file: expected a fit \(JSON written by "scalelab fit --out FILE"\)/,
    ],
    [['lab', 'optimum', '--budget-hours', '1', '--world', missing], /no such file: expected a world file/],
    [['select', '--pools', missing], /no such file: expected a pools file/],
    [['sweep', 'run', missing, '--study', 'x', '--db', join(dir, 'x.db')], /no such file: expected a sweep plan/],
    [['fit', missing], /no such file: expected a CSV, JSON or JSONL file of runs/],
  ];
  for (const [args, message] of cases) {
    const r = scalelab(args);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(
      r.stderr,
      args[0] === 'fit' ? /^$/ : /file of runs/,
      `${args.join(' ')} does not call its file a file of runs`,
    );
  }
});

test('runs ls cuts a long failure reason at a word with an ellipsis; --full and --json show it whole', () => {
  const db = join(dir, 'reasons.db');
  const reason = 'training diverged: the loss became NaN early in training (learning rate too high)';
  const store = RunStore.open(db);
  const [run] = store.plan('s', [
    { key: 'k1', name: 'probe-1', phase: 'lr-probe', config: {}, N: 1e6, D: 1e8, C: 6e14, estimatedSeconds: 1 },
  ]);
  store.finish(run.id, { status: 'failed', reason });
  // A failed command's reason ends with its stderr's last lines: the table shows the last, not the traceback's start.
  const traceback =
    'exit code 1: Traceback (most recent call last): |   File "train.py", line 31, in <module> |     import torch | ModuleNotFoundError: No module named \'torch\'';
  const [python] = store.plan('s', [
    { key: 'k2', name: 'probe-2', phase: 'lr-probe', config: {}, N: 2e6, D: 1e8, C: 1.2e15, estimatedSeconds: 1 },
  ]);
  store.finish(python.id, { status: 'failed', reason: traceback });
  store.close();
  const table = scalelab(['runs', 'ls', '--status', 'failed', '--db', db]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /exit code 1: … ModuleNotFoundError: No module named 'torch'/);
  assert.match(table.stdout, /training diverged: the loss became NaN early in training…/);
  assert.doesNotMatch(table.stdout, /learning rate too high|\(lear/);
  assert.match(table.stdout, /--full or --json shows them whole/);
  assert.match(
    scalelab(['runs', 'ls', '--status', 'failed', '--full', '--db', db]).stdout,
    /\(learning rate too high\)/,
  );
  const listed = scalelab(['runs', 'ls', '--status', 'failed', '--json', '--db', db]).json();
  assert.deepEqual(
    listed.map((r: { reason: string }) => r.reason),
    [reason, traceback],
  );
});

test('runs export says which runs it leaves out: a study whose runs all failed is not exported as if it had none', () => {
  const db = join(dir, 'export-left-out.db');
  const store = RunStore.open(db);
  const [a] = store.plan('s', [
    { key: 'k1', name: 'probe-1', phase: 'lr-probe', config: {}, N: 1e6, D: 1e8, C: 6e14, estimatedSeconds: 1 },
    { key: 'k2', name: 'probe-2', phase: 'lr-probe', config: {}, N: 2e6, D: 1e8, C: 1.2e15, estimatedSeconds: 1 },
  ]);
  store.finish(a.id, { status: 'failed', reason: 'exit code 1' });
  store.close();
  const out = join(dir, 'left-out.csv');
  const file = scalelab(['runs', 'export', '--study', 's', '--out', out, '--db', db]);
  assert.equal(file.code, 0, file.stderr);
  assert.match(file.stderr, /wrote .*left-out\.csv \(0 rows; runs not completed are left out: 1 failed, 1 planned/);
  const summary = scalelab(['runs', 'export', '--study', 's', '--out', out, '--db', db, '--json']).json();
  assert.deepEqual(summary.leftOut, { failed: 1, planned: 1 });
  const data = scalelab(['runs', 'export', '--study', 's', '--db', db]);
  assert.equal(data.stdout, 'study,run,N,D,C,loss\n', 'stdout keeps the data alone');
  assert.match(data.stderr, /nothing to export; runs not completed are left out: 1 failed, 1 planned/);
  // Final losses imported without checkpoints: --checkpoints has no row for them, and says why.
  const finals = join(dir, 'finals.csv');
  writeFileSync(finals, 'N,D,loss\n1e8,1e9,3.1\n2e8,1e9,3.0\n');
  assert.equal(scalelab(['runs', 'import', finals, '--study', 'f', '--db', db]).code, 0);
  const curves = scalelab(['runs', 'export', '--study', 'f', '--checkpoints', '--format', 'jsonl', '--db', db]);
  assert.equal(curves.stdout, '');
  assert.match(curves.stderr, /nothing to export; the 2 completed runs have no checkpoints \(final losses only\)/);
});

test("runs export --checkpoints keeps each run's group (its experiment), so fit --group isoflop keeps a study's IsoFLOP curves", () => {
  const db = join(dir, 'export-groups.db');
  const store = RunStore.open(db);
  const [probe, iso] = store.plan('g', [
    { key: 'k1', name: 'probe-1', phase: 'lr-probe', config: {}, N: 1e6, D: 1e8, C: 6e14, estimatedSeconds: 1 },
    { key: 'k2', name: 'iso-1', phase: 'isoflop', config: {}, N: 2e6, D: 1e8, C: 1.2e15, estimatedSeconds: 1 },
  ]);
  const evals = [
    { tokens: 5e7, loss: 4 },
    { tokens: 1e8, loss: 3.5 },
  ];
  for (const r of [probe, iso]) store.finish(r.id, { status: 'completed', loss: 3.5, evals });
  store.close();
  const csv = scalelab(['runs', 'export', '--study', 'g', '--checkpoints', '--db', db]);
  assert.equal(csv.code, 0, csv.stderr);
  const [header, ...rows] = csv.stdout.trim().split('\n');
  assert.equal(header, 'study,run,N,D,C,loss,group,step');
  assert.deepEqual(
    rows.map((r) => r.split(',')[6]),
    ['lr-probe', 'lr-probe', 'isoflop', 'isoflop'],
  );
});

test('fit notes sizes that look counted in millions (a largest N under 1e4, D under 1e6), not sizes in parameters and tokens', () => {
  const file = join(dir, 'millions.csv');
  const rows = ['N,D,loss'];
  for (const N of [10, 20, 40, 80, 160, 320])
    for (const D of [0.5, 1, 2, 4]) rows.push(`${N},${D},${(1.8 + 4 / N ** 0.34 + 2 / D ** 0.28).toFixed(5)}`);
  writeFileSync(file, rows.join('\n') + '\n');
  const r = scalelab(['fit', file, '--procedure', 'huber']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /note: the largest N in \S+millions\.csv is 320: if that counts parameters in millions or billions, write the suffix \(320M, 320B\) or scale the column; predict, plan and frontier read N in parameters/,
  );
  assert.match(r.stderr, /note: the largest D in \S+ is 4: if that counts tokens/);
  assert.doesNotMatch(scalelab(['fit', runs, '--procedure', 'huber']).stderr, /note: the largest/);
});

test('sweep retry says what it queues again by state: the cancelled runs are not called failed', () => {
  const db = join(dir, 'retry-states.db');
  const store = RunStore.open(db);
  const runs = store.plan('s', [
    { key: 'k1', name: 'probe-1', phase: 'lr-probe', config: {}, N: 1e6, D: 1e8, C: 6e14, estimatedSeconds: 1 },
    { key: 'k2', name: 'probe-2', phase: 'lr-probe', config: {}, N: 2e6, D: 1e8, C: 1.2e15, estimatedSeconds: 1 },
    { key: 'k3', name: 'probe-3', phase: 'lr-probe', config: {}, N: 4e6, D: 1e8, C: 2.4e15, estimatedSeconds: 1 },
  ]);
  store.finish(runs[0].id, { status: 'failed', reason: 'exit code 1' });
  store.finish(runs[1].id, { status: 'cancelled', reason: 'not started' });
  store.finish(runs[2].id, { status: 'cancelled', reason: 'not started' });
  store.close();
  const r = scalelab(['sweep', 'retry', '--study', 's', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  // And what trains them: retry only queues, and a new user's next step is not in its words otherwise.
  assert.equal(
    r.stdout,
    '1 failed and 2 cancelled runs of "s" are planned again: the same "scalelab sweep run" (or "scalelab study run --study s") again trains them\n',
  );
  const again = scalelab(['sweep', 'retry', '--study', 's', '--db', db, '--json']).json();
  assert.deepEqual(again, { study: 's', requeued: 0, failed: 0, cancelled: 0 });
});

test('sweep status says when no sweep follows its runs in flight (their states are as last recorded), and not while one does', () => {
  // The walk: a Slurm sweep stopped by Ctrl-C, its jobs going on, and "2 running, 2 queued" long after.
  const db = join(dir, 'status-unfollowed.db');
  const store = RunStore.open(db);
  const runs = store.plan('u', [
    { key: 'k1', name: 'iso-1', phase: 'isoflop', config: {}, N: 1e6, D: 1e8, C: 6e14, estimatedSeconds: 1 },
    { key: 'k2', name: 'iso-2', phase: 'isoflop', config: {}, N: 2e6, D: 1e8, C: 1.2e15, estimatedSeconds: 1 },
  ]);
  store.setStatus(runs[0].id, 'running');
  store.setStatus(runs[1].id, 'queued');
  const alone = scalelab(['sweep', 'status', '--study', 'u', '--db', db]);
  assert.equal(alone.code, 0, alone.stderr);
  assert.match(
    alone.stdout,
    /\nno sweep is following its 2 runs in flight: their states are as a sweep last recorded them; the same "scalelab sweep run" \(or "scalelab study run --study u"\) again collects what ended\n$/,
  );
  assert.equal(scalelab(['sweep', 'status', '--study', 'u', '--db', db, '--json']).json().followedBySweep, false);
  // A sweep holds the study (this process's claim): nothing said.
  const claim = store.claimStudy('u');
  try {
    const followed = scalelab(['sweep', 'status', '--study', 'u', '--db', db]);
    assert.doesNotMatch(followed.stdout, /no sweep is following/);
    assert.equal(scalelab(['sweep', 'status', '--study', 'u', '--db', db, '--json']).json().followedBySweep, true);
  } finally {
    claim.release();
    store.close();
  }
});

test('sweep cancel refuses to mark runs that another backend is running (they would go on running): it names that backend', () => {
  const db = join(dir, 'cancel-backend.db');
  const store = RunStore.open(db);
  const [local, sim] = store.plan('s', [
    { key: 'k1', name: 'probe-1', phase: 'lr-probe', config: {}, N: 1e6, D: 1e8, C: 6e14, estimatedSeconds: 1 },
    { key: 'k2', name: 'probe-2', phase: 'lr-probe', config: {}, N: 2e6, D: 1e8, C: 1.2e15, estimatedSeconds: 1 },
  ]);
  // A process group id that is never a live one: the refusal must come before any signal.
  store.setStatus(local.id, 'running', { backend: 'local', externalId: '999999999' });
  store.setStatus(sim.id, 'running', { backend: 'sim', externalId: 'sim-1' });
  store.close();
  const refused = scalelab(['sweep', 'cancel', '--study', 's', '--db', db]);
  assert.equal(refused.code, 2, refused.stdout);
  assert.match(
    refused.stderr,
    /--backend: study "s" has runs in flight on the local backend, not sim; give --backend local \(and the sweep's --runs-dir\)/,
  );
  const states = () =>
    scalelab(['runs', 'ls', '--study', 's', '--db', db, '--json'])
      .json()
      .map((r: { status: string }) => r.status);
  assert.deepEqual(states(), ['running', 'running'], 'nothing marked');
  // The sim backend's own runs are cancelled by it once the other is no longer in flight.
  const again = RunStore.open(db);
  again.finish(local.id, { status: 'failed', reason: 'ended' });
  again.close();
  const cancelled = scalelab(['sweep', 'cancel', '--study', 's', '--db', db, '--json']);
  assert.equal(cancelled.code, 0, cancelled.stderr);
  assert.equal(cancelled.json().cancelled, 1);
  assert.deepEqual(states(), ['failed', 'cancelled']);
});

test(
  'study run resumes a study planned the same way (said on stderr), refuses another plan naming the difference, and adds it with --extend',
  { timeout: 300_000 },
  () => {
    const db = join(dir, 'studies.db');
    const study = (...more: string[]) =>
      scalelab([
        'study',
        'run',
        '--backend',
        'sim',
        '--target-hours',
        '48',
        '--experiment-hours',
        '12',
        '--bootstrap',
        '0',
        '--poll',
        '0.01',
        '--db',
        db,
        '--json',
        ...more,
      ]);
    const first = study();
    assert.equal(first.code, 0, first.stderr);
    assert.doesNotMatch(first.stderr, /resuming/);
    const stored = () => scalelab(['runs', 'ls', '--study', 'default', '--db', db, '--json']).json().length;
    const n = stored();
    const again = study();
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, new RegExp(`resuming study "default" in .*studies\\.db: ${n} runs stored`));
    assert.equal(again.json().study, 'default', 'stdout is still the JSON result');
    assert.equal(stored(), n, 'nothing was run twice');
    const other = study('--experiment-hours', '6', '--budget-count', '4');
    assert.equal(other.code, 2, other.stderr);
    assert.match(
      other.stderr,
      /studies\.db: study "default" was planned otherwise \(--budget-count 5, now --budget-count 4; --experiment-hours 12, now --experiment-hours 6\).*--study NAME, or --extend/,
    );
    assert.equal(stored(), n, 'the refused plan added nothing');
    const extended = study('--experiment-hours', '6', '--budget-count', '4', '--extend');
    assert.equal(extended.code, 0, extended.stderr);
    assert.match(extended.stderr, /extended with a different plan \(--extend: --budget-count 5, now --budget-count 4/);
    assert.ok(stored() > n, "the other plan's runs were added");
  },
);

test("runs import: a tracker's running or pending run is stored failed with a reason, said in the summary, and sweep status counts nothing in flight; a later import of it finished completes it", () => {
  const db = join(dir, 'tracker-running.db');
  const file = join(dir, 'tracker-running.csv');
  const header = 'run,State,N,D,loss';
  writeFileSync(
    file,
    [header, 'a,finished,1e7,1e8,4.0', 'b,running,2e7,1e8,3.9', 'b,running,2e7,2e8,3.7', 'c,Pending,4e7,1e8,3.8'].join(
      '\n',
    ) + '\n',
  );
  const imported = scalelab(['runs', 'import', file, '--study', 't', '--db', db]);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(
    imported.stdout,
    /; 2 runs had not finished in the tracker \(running, pending or scheduled when exported\): stored as failed/,
  );
  const status = scalelab(['sweep', 'status', '--study', 't', '--db', db]);
  assert.equal(status.code, 0, status.stderr);
  assert.doesNotMatch(status.stdout, /in flight|running/);
  assert.match(status.stdout, /1 completed, 2 failed/);
  const json = scalelab(['runs', 'ls', '--study', 't', '--db', db, '--json']).json() as {
    name: string;
    status: string;
    reason: string | null;
  }[];
  const b = json.find((r) => r.name === 'b')!;
  assert.equal(b.status, 'failed');
  assert.equal(
    b.reason,
    'tracker state: running when exported — its last checkpoint is not its end; import again when it has finished',
  );
  // Exported again once it finished: the new state replaces the stored one.
  writeFileSync(file, [header, 'b,finished,2e7,3e8,3.6'].join('\n') + '\n');
  assert.equal(scalelab(['runs', 'import', file, '--study', 't', '--db', db]).code, 0);
  const after = scalelab(['runs', 'ls', '--study', 't', '--db', db, '--json']).json() as {
    name: string;
    status: string;
  }[];
  assert.equal(after.find((r) => r.name === 'b')!.status, 'completed');
});
