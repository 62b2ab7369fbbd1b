import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, root, scalelab } from './helpers/cli.js';
import { step2Sigmoids } from '../src/analyses/downstream.js';

const tmp = mkdtempSync(join(tmpdir(), 'scalelab-downstream-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('downstream --help lists the subcommands; each has --help and --json', () => {
  const r = scalelab(['downstream', '--help']);
  assert.equal(r.code, 0, r.stderr);
  for (const sub of ['import', 'screen', 'fit', 'predict', 'backtest', 'plan'])
    assert.match(r.stdout, new RegExp(`\\b${sub}\\b`));
  const p = scalelab(['downstream', 'plan', '--help']);
  assert.match(p.stdout, /--target-accuracy/);
  assert.match(p.stdout, /--json/);
});

test('downstream import of lm-eval 0.4 files of local checkpoints: the step from the folder, no warning (the store keeps groups and few-shot counts), two few-shot counts of a task refused', () => {
  const fixture = 'test/fixtures/downstream/lm-eval-0.4-mmlu-group-step1144.json';
  const db = join(tmp, 'group.db');
  const args = ['--batch-tokens', '1048576', '--N', '60M', '--study', 'g', '--db', db, '--json'];
  const r = scalelab(['downstream', 'import', fixture, ...args]);
  assert.equal(r.code, 0, r.stderr);
  const [file] = r.json().files as { added: number; warnings: string[] }[];
  // 5 tasks with acc and acc_norm or acc alone (9 metrics), MMLU's aggregate, 4 categories and 57 subjects.
  assert.equal(file.added, 9 + 1 + 4 + 57);
  assert.deepEqual(file.warnings, [], 'before schema version 8: "the store keeps mmlu as a task of its own, …"');
  // Another checkpoint of the run evaluated arc_easy 5-shot: refused, located, nothing of it stored.
  const text = readFileSync(fixture, 'utf8').replaceAll('step1144', 'step2288');
  const fiveShot = join(tmp, 'results_5shot.json');
  writeFileSync(fiveShot, text.replace(/("n-shot": \{[^}]*"arc_easy": )0/, '$15'));
  const mixed = scalelab(['downstream', 'import', fixture, fiveShot, ...args.slice(0, -1)]);
  assert.equal(mixed.code, 2, mixed.stderr);
  assert.match(
    mixed.stderr,
    /results_5shot\.json:\d+:\d+: task arc_easy was evaluated 5-shot here \("n-shot"\) and 0-shot at test\/fixtures\/downstream\/lm-eval-0\.4-mmlu-group-step1144\.json:\d+: expected one few-shot count per task/,
  );
  assert.ok(noStackTrace(mixed.stderr));
  // The refusal came before the store was written: the first file is all there, once.
  const again = scalelab(['downstream', 'import', fixture, ...args]);
  assert.deepEqual(
    again.json().files.map((f: { added: number; skipped: number }) => [f.added, f.skipped]),
    [[0, 71]],
  );
});

/** The lm-eval 0.4 fixture (MMLU's group, 0-shot tasks) at another step, with a size, and arc_easy at `shots`. */
function groupFixtureAt(step: number, shots = 0): string {
  const text = readFileSync('test/fixtures/downstream/lm-eval-0.4-mmlu-group-step1144.json', 'utf8')
    .replaceAll('step1144', `step${step}`)
    .replace('"model": "hf",', '"model": "hf", "model_num_parameters": 60000000,')
    .replace(/("n-shot": \{[^}]*"arc_easy": )0/, `$1${shots}`);
  const file = join(tmp, `results_step${step}_${shots}shot.json`);
  writeFileSync(file, text);
  return file;
}

test('downstream --study gives what the files give: an --average over all tasks counts MMLU once; an import at another few-shot count is refused, located, naming the stored one', () => {
  const db = join(tmp, 'same.db');
  const files = [groupFixtureAt(1144), groupFixtureAt(2288)];
  const screen = ['downstream', 'screen', '--average', 'core=all', '--json'];
  const fromFiles = scalelab([...screen, ...files, '--batch-tokens', '1048576']);
  assert.equal(fromFiles.code, 0, fromFiles.stderr);
  const imported = scalelab([
    'downstream',
    'import',
    ...files,
    '--batch-tokens',
    '1048576',
    '--study',
    's',
    '--db',
    db,
  ]);
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal(imported.stderr, '', 'no warning');
  const fromStore = scalelab([...screen, '--study', 's', '--db', db]);
  assert.equal(fromStore.code, 0, fromStore.stderr);
  assert.equal(fromStore.stderr, fromFiles.stderr);
  type Part = { task: string; weight: number; groupOf?: number };
  const parts = (r: typeof fromFiles) =>
    ((r.json() as { parts: Part[] }[])[0].parts ?? []).toSorted((a, b) => a.task.localeCompare(b.task));
  assert.equal(parts(fromFiles).length, 6);
  assert.deepEqual(
    parts(fromStore),
    parts(fromFiles),
    'mmlu once, standing for its 57 tasks (before: 67 parts, 62 of them MMLU)',
  );
  assert.equal(parts(fromStore).find((p) => p.task === 'mmlu')?.groupOf, 57);
  const { source: _f, ...fileResult } = (fromFiles.json() as Record<string, unknown>[])[0];
  const { source: _s, ...storeResult } = (fromStore.json() as Record<string, unknown>[])[0];
  assert.deepEqual(
    { ...storeResult, parts: parts(fromStore) },
    { ...fileResult, parts: parts(fromFiles) },
    'the same screen',
  );
  // A later checkpoint evaluated arc_easy 5-shot, imported on its own: refused as the files together are.
  const fiveShot = groupFixtureAt(4576, 5);
  const mixed = scalelab(['downstream', 'import', fiveShot, '--batch-tokens', '1048576', '--study', 's', '--db', db]);
  assert.equal(mixed.code, 2, mixed.stderr);
  assert.match(
    mixed.stderr,
    /results_step4576_5shot\.json:\d+:\d+: task arc_easy was evaluated 5-shot here \("n-shot"\), but 0-shot in the store \(run "\/ckpt\/ladder-60m-20x", from .*results_step1144_0shot\.json:\d+\) in study "s": expected one few-shot count per task .*import each setting into a study of its own/,
    'before: stored, and pooled with the 0-shot checkpoints into one curve',
  );
  assert.ok(noStackTrace(mixed.stderr));
  const files5 = [fiveShot, '--batch-tokens', '1048576'];
  assert.equal(scalelab([...screen, ...files, ...files5]).code, 2, 'as the files together are refused');
  const after = scalelab([...screen, '--study', 's', '--db', db]);
  assert.equal(after.code, 0, after.stderr);
  assert.deepEqual(after.json(), fromStore.json(), 'nothing of it stored');
  // Into a study of its own it goes.
  const own = scalelab(['downstream', 'import', fiveShot, '--batch-tokens', '1048576', '--study', 's5', '--db', db]);
  assert.equal(own.code, 0, own.stderr);
});

test('downstream import: an lm-evaluation-harness results file goes into the store; a bad file is refused, located, and stores nothing', () => {
  const db = join(tmp, 'runs.db');
  const r = scalelab([
    'downstream',
    'import',
    'test/fixtures/downstream/lm-eval-pythia-160m-step143000.json',
    '--batch-tokens',
    '2097152',
    '--study',
    'p',
    '--db',
    db,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    r.json().files.map((f: { added: number; skipped: number }) => [f.added, f.skipped]),
    [[6, 0]],
  );
  const again = scalelab([
    'downstream',
    'import',
    'test/fixtures/downstream/lm-eval-pythia-160m-step143000.json',
    '--batch-tokens',
    '2097152',
    '--study',
    'p',
    '--db',
    db,
    '--json',
  ]);
  assert.deepEqual(
    again.json().files.map((f: { added: number; skipped: number }) => [f.added, f.skipped]),
    [[0, 6]],
  );
  const bad = join(tmp, 'bad.json');
  copyFileSync('test/fixtures/downstream/lm-eval-pythia-160m-step143000.json', bad);
  writeFileSync(
    bad,
    '{\n  "results": {\n    "piqa": {"acc,none": null}\n  },\n  "config": {"model_args": "pretrained=x,revision=step5"}\n}\n',
  );
  const refused = scalelab([
    'downstream',
    'import',
    'test/fixtures/downstream/long.csv',
    bad,
    '--study',
    'p',
    '--db',
    db,
  ]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /bad\.json:3:14: task "piqa" metric "acc,none": expected a number/);
  assert.ok(noStackTrace(refused.stderr), refused.stderr);
  // Every file is checked before the store is opened: long.csv (good, runs r1 and r2) was not imported either.
  const screen = scalelab(['downstream', 'screen', '--study', 'p', '--db', db, '--task', 'arc_easy', '--json']);
  assert.equal(screen.code, 0, screen.stderr);
  assert.match(screen.json()[0].screenProblem, /^1 run with a final accuracy for "arc_easy": expected at least 3/);
});

test(
  'downstream screen on the bundled Pythia evaluations: verdicts per task, near chance for LogiQA and WSC',
  { timeout: 120_000 },
  () => {
    const r = scalelab(['downstream', 'screen', 'examples/downstream/pythia/ladder.json', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const verdicts = Object.fromEntries(r.json().map((t: { task: string; verdict: string }) => [t.task, t.verdict]));
    assert.equal(verdicts.logiqa, 'near chance');
    assert.equal(verdicts.wsc, 'near chance');
    assert.equal(verdicts.sciq, 'predictable');
    assert.equal(verdicts.piqa, 'predictable');
    // --accuracy-metric overrides the manifest's: ARC-Challenge's length-normalised accuracy reaches higher than its raw accuracy.
    const norm = scalelab([
      'downstream',
      'screen',
      'examples/downstream/pythia/ladder.json',
      '--task',
      'arc_challenge',
      '--accuracy-metric',
      'acc_norm',
      '--json',
    ]);
    assert.equal(norm.code, 0, norm.stderr);
    const raw = r.json().find((t: { task: string }) => t.task === 'arc_challenge');
    assert.ok(
      norm.json()[0].screen.accuracyRange[1] > raw.screen.accuracyRange[1] + 0.02,
      `${norm.json()[0].screen.accuracyRange} vs ${raw.screen.accuracyRange}`,
    );
    const text = scalelab(['downstream', 'backtest', 'examples/downstream/pythia/ladder.json', '--task', 'sciq,piqa']);
    assert.equal(text.code, 0, text.stderr);
    assert.ok(
      text.stdout.indexOf('Predictability screen') < text.stdout.indexOf('Back-test'),
      'the screen comes first',
    );
    assert.match(text.stdout, /pythia-12b-deduped/);
    // Pythia has no task loss and no validation loss: the fit table's blank columns say why.
    const fits = scalelab(['downstream', 'fit', 'examples/downstream/pythia/ladder.json', '--task', 'sciq']);
    assert.equal(fits.code, 0, fits.stderr);
    assert.match(fits.stdout, /step 1 through C is blank for a direct law in C/);
    assert.match(
      fits.stdout,
      /error from val\. loss is blank for sciq: the ladder's checkpoints record no validation loss/,
    );
  },
);

test('downstream predict and plan: usage errors are one line with exit 2', () => {
  const r = scalelab(['downstream', 'predict', 'examples/downstream/pythia/ladder.json', '--N', '7e9']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--N and --D: give both/);
  // One replicate gives no interval: refused before any work (it failed with "0 of 1 replicates failed").
  const one = scalelab(['downstream', 'predict', 'examples/downstream/olmo-ladder/ladder.json', '--bootstrap', '1']);
  assert.equal(one.code, 2);
  assert.match(one.stderr, /--bootstrap: expected 0 \(no intervals\) or at least 2 replicates, got 1/);
  const bad = scalelab([
    'report',
    'examples/chinchilla.csv',
    '--downstream-bootstrap',
    'abc',
    '--out',
    join(tmp, 'x.html'),
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--downstream-bootstrap: expected a whole number \(0 or more\), got "abc"/);
  const p = scalelab(['downstream', 'plan', 'examples/downstream/pythia/ladder.json', '--target-accuracy', 'sciq']);
  assert.equal(p.code, 2);
  assert.match(p.stderr, /TASK=ACCURACY/);
  const none = scalelab(['downstream', 'screen']);
  assert.equal(none.code, 2);
  assert.ok(noStackTrace(none.stderr));
});

test(
  'downstream: --out is checked before any reading, written with "wrote FILE" on stderr; --target-runs names the runs to predict',
  { timeout: 120_000 },
  () => {
    // A folder in the way is refused first, even with an input that does not exist: nothing is read or fitted.
    const folder = scalelab(['downstream', 'screen', join(tmp, 'missing.csv'), '--out', tmp]);
    assert.equal(folder.code, 2, folder.stderr);
    assert.match(folder.stderr, /--out .*: is a folder; expected a file name/);
    const out = join(tmp, 'new', 'screen.json');
    const r = scalelab([
      'downstream',
      'screen',
      'examples/downstream/pythia/ladder.json',
      '--task',
      'sciq',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(readFileSync(out, 'utf8'))[0].task, 'sciq', 'the analysis as JSON');
    assert.ok(r.stderr.includes(`wrote ${out}`), r.stderr);
    assert.doesNotMatch(r.stdout, /wrote/);
    const unknown = scalelab([
      'downstream',
      'screen',
      'examples/downstream/pythia/ladder.json',
      '--target-runs',
      'no-such-run',
    ]);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /--target-runs: no run "no-such-run" in the data/);
    // The compute budgets of frontier and report keep --targets; downstream's runs have their own name.
    const old = scalelab(['downstream', 'screen', 'examples/downstream/pythia/ladder.json', '--targets', 'x']);
    assert.equal(old.code, 2);
    assert.match(old.stderr, /unknown option '--targets'/);
  },
);

test('downstream import killed half-way leaves the store as it was', { timeout: 120_000 }, async () => {
  const { spawn } = await import('node:child_process');
  const { root } = await import('./helpers/cli.js');
  const { RunStore } = await import('../src/store/store.js');
  const db = join(tmp, 'killed.db');
  const seeded = scalelab([
    'downstream',
    'import',
    'test/fixtures/downstream/long.csv',
    '--study',
    'earlier',
    '--db',
    db,
  ]);
  assert.equal(seeded.code, 0, seeded.stderr);
  const p = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      `${root}src/cli/run.ts`,
      'downstream',
      'import',
      'examples/downstream/pythia/ladder.json',
      '--study',
      'k',
      '--db',
      db,
    ],
    {
      cwd: root,
      env: { ...process.env, SCALELAB_TEST_IMPORT_PAUSE_AFTER: '100' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let err = '';
    p.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes('import paused')) resolve();
    });
    p.on('exit', () => reject(new Error(`the import exited before pausing: ${err}`)));
  });
  p.kill('SIGKILL');
  await new Promise((r) => p.on('exit', r));
  const store = RunStore.open(db);
  try {
    assert.equal(store.taskMetrics('k').length, 0, 'no metric of the killed import is visible');
    assert.equal(store.taskMetrics('earlier').length, 4, 'earlier data are intact');
  } finally {
    store.close();
  }
});

test(
  'downstream report writes a self-contained HTML page: the screen first, the fits, the sigmoid figures; report --downstream adds the same sections',
  { timeout: 300_000 },
  () => {
    const out = join(tmp, 'downstream.html');
    const r = scalelab([
      'downstream',
      'report',
      'examples/downstream/olmo-ladder/ladder.json',
      '--task',
      'hellaswag_val_5shot,piqa_val_5shot',
      '--bootstrap',
      '10',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.json().tasks.map((t: { verdict: string }) => t.verdict),
      ['predictable', 'predictable'],
    );
    const html = readFileSync(out, 'utf8');
    const at = (s: string) => html.indexOf(s);
    assert.ok(
      at('which tasks can be predicted') > 0 && at('which tasks can be predicted') < at('task loss and accuracy fits'),
      'the screen comes before the fits',
    );
    assert.equal((html.match(/<svg/g) ?? []).length, 2, 'one sigmoid figure per task');
    assert.match(html, /13B-5T/);
    assert.doesNotMatch(html, /NaN|Infinity/);
    const scaling = join(tmp, 'scaling.html');
    const s = scalelab([
      'report',
      'examples/chinchilla.csv',
      '--bootstrap',
      '0',
      '--folds',
      '1',
      '--downstream',
      'examples/downstream/pythia/ladder.json',
      '--out',
      scaling,
    ]);
    assert.equal(s.code, 0, s.stderr);
    const page = readFileSync(scaling, 'utf8');
    assert.ok(
      page.includes('Downstream: which tasks can be predicted') && page.includes('Fit: '),
      'the scaling report holds both',
    );
    // The OLMo ladder has targets (7B, 13B): their predictions are points unless replicates are asked for;
    // without --downstream the flag is refused.
    const base = ['report', 'examples/chinchilla.csv', '--bootstrap', '0', '--folds', '1'];
    // The OLMo manifest with one of its tasks (its run files named absolutely): the same targets, an eighth of the work.
    const manifest = JSON.parse(readFileSync(join(root, 'examples/downstream/olmo-ladder/ladder.json'), 'utf8'));
    const oneTask = join(tmp, 'olmo-piqa.json');
    writeFileSync(
      oneTask,
      JSON.stringify({
        ...manifest,
        tasks: manifest.tasks.filter((t: { task: string }) => t.task === 'piqa_val_5shot'),
        runs: manifest.runs.map((r: { file: string }) => ({
          ...r,
          file: join(root, 'examples/downstream/olmo-ladder', r.file),
        })),
      }),
    );
    const withTargets = (replicates: string) => {
      const out = join(tmp, `scaling-olmo-${replicates}.html`);
      const run = scalelab([
        ...base,
        '--downstream',
        oneTask,
        ...(replicates === 'default' ? [] : ['--downstream-bootstrap', replicates]),
        '--out',
        out,
      ]);
      assert.equal(run.code, 0, run.stderr);
      return readFileSync(out, 'utf8');
    };
    const points = withTargets('default');
    assert.match(points, /Point predictions: no bootstrap replicates, so no intervals/);
    const intervals = withTargets('3');
    assert.match(intervals, /95 % intervals: 3 bootstrap replicates resampling whole ladder runs through both steps/);
    assert.doesNotMatch(intervals, /Point predictions/);
    const refused = scalelab([...base, '--downstream-bootstrap', '5', '--out', join(tmp, 'never.html')]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--downstream-bootstrap is read with --downstream/);
  },
);

test('plan --target-accuracy reads the task metrics as downstream plan does: --chance, --target-runs, --loss-metric, --accuracy-metric', () => {
  const ladder = 'examples/downstream/pythia/ladder.json';
  const reading = ['--chance', '0.3', '--target-runs', 'pythia-12b-deduped', '--accuracy-metric', 'acc'];
  const target = ['--target-accuracy', 'sciq=0.9'];
  const plan = scalelab([
    'plan',
    ...target,
    '--downstream',
    ladder,
    '--downstream-bootstrap',
    '0',
    ...reading,
    '--json',
  ]);
  assert.equal(plan.code, 0, plan.stderr);
  const ds = scalelab(['downstream', 'plan', ladder, ...target, '--bootstrap', '0', ...reading, '--json']);
  assert.equal(ds.code, 0, ds.stderr);
  const row = plan.json().accuracy.tasks[0];
  assert.deepEqual(row.plan, ds.json()[0].plan);
  // The flags change the answer: without them the 12b run is fitted and the chance is the manifest's.
  const plain = scalelab(['plan', ...target, '--downstream', ladder, '--downstream-bootstrap', '0', '--json']);
  assert.notEqual(plain.json().accuracy.tasks[0].plan.point.C, row.plan.point.C);
  // A run or metric not in the data is named as downstream plan names it; without --target-accuracy, refused.
  const missing = scalelab(['plan', ...target, '--downstream', ladder, '--target-runs', 'pythia-99b']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--target-runs: no run "pythia-99b" in the data/);
  const alone = scalelab(['plan', '--C', '1e23', '--chance', '0.25', '--loss-metric', 'bpb']);
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /--chance, --loss-metric are read for --target-accuracy/);
});

test(
  'plan --target-accuracy: the screen and the compute that reaches the accuracy, as downstream plan gives it; alone or after the loss plan; errors located',
  { timeout: 120_000 },
  () => {
    const help = scalelab(['plan', '--help']);
    assert.match(help.stdout, /--target-accuracy/);
    assert.match(help.stdout, /--downstream /);
    const ladder = 'examples/downstream/pythia/ladder.json';
    const args = ['--target-accuracy', 'sciq=0.9', '--downstream', ladder, '--downstream-bootstrap', '20'];
    const r = scalelab(['plan', ...args, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const [row] = r.json().accuracy.tasks;
    assert.equal(row.task, 'sciq');
    assert.equal(row.verdict, 'predictable');
    const { point, interval } = row.plan;
    // The upper end is null (beyond the horizon) when more replicates than the upper tail do not reach the accuracy by then.
    assert.ok(
      interval.C[0] <= point.C && (interval.C[1] === null || point.C <= interval.C[1]),
      JSON.stringify(row.plan),
    );
    // An accuracy that many replicates do not reach by the horizon (1e30 FLOPs, said in JSON): the
    // interval is open above (">1e30"; null in JSON).
    const far = [
      '--target-accuracy',
      'hellaswag_val_5shot=0.85',
      '--downstream',
      'examples/downstream/olmo-ladder/ladder.json',
    ];
    const open = scalelab(['plan', ...far, '--downstream-bootstrap', '20', '--json']);
    assert.equal(open.code, 0, open.stderr);
    const farPlan = open.json().accuracy.tasks[0].plan;
    assert.ok(farPlan.unreachable > 0.025, JSON.stringify(farPlan));
    assert.equal(farPlan.interval.C[1], null);
    assert.ok(farPlan.interval.C[0] < farPlan.point.C);
    assert.equal(farPlan.horizon, 1e30);
    assert.match(scalelab(['plan', ...far, '--downstream-bootstrap', '20']).stdout, /\[[0-9.e]+, >1e30\]/);
    // The share beyond is a share within the horizon: a nearer horizon leaves at least as many beyond it.
    const near = scalelab(['plan', ...far, '--downstream-bootstrap', '20', '--horizon', '1e24', '--json']);
    assert.equal(near.code, 0, near.stderr);
    const nearPlan = near.json().accuracy.tasks[0].plan;
    assert.equal(nearPlan.horizon, 1e24);
    assert.ok(nearPlan.unreachable > farPlan.unreachable, `${nearPlan.unreachable} vs ${farPlan.unreachable}`);
    // The same numbers as `downstream plan` (one code path).
    const ds = scalelab(['downstream', 'plan', ladder, '--target-accuracy', 'sciq=0.9', '--bootstrap', '20', '--json']);
    assert.equal(ds.code, 0, ds.stderr);
    assert.deepEqual(ds.json()[0].plan, row.plan);
    // Text: the verdict before the plan; with a budget, after the loss plan.
    const text = scalelab(['plan', ...args]);
    assert.equal(text.code, 0, text.stderr);
    assert.ok(text.stdout.indexOf('Predictability screen') < text.stdout.indexOf('Plan: the compute-optimal model'));
    const both = scalelab(['plan', '--compute', '1e23', ...args, '--json']);
    assert.equal(both.code, 0, both.stderr);
    assert.equal(both.json().compute, 1e23);
    assert.equal(both.json().accuracy.tasks[0].task, 'sciq');
    // Errors: one line, exit 2, naming what is wrong.
    for (const [bad, message] of [
      [['--target-accuracy', 'sciq=0.9'], /needs --downstream/],
      [['--target-accuracy', 'nope=0.9', '--downstream', ladder], /pythia\/ladder\.json: no task "nope"/],
      [['--target-accuracy', 'arc_esy=0.9', '--downstream', ladder], /no task "arc_esy"; did you mean arc_easy\?/],
      [['--target-accuracy', 'sciq=1.2', '--downstream', ladder], /expected an accuracy between 0 and 1/],
      [['--downstream', ladder], /--downstream is read for --target-accuracy/],
      [['--target-accuracy', 'sciq=0.9,sciq=0.8', '--downstream', ladder], /sciq is given twice \(0\.9 and 0\.8\)/],
      [['--horizon', '1e28'], /--horizon is read for --target-accuracy/],
      [['--target-accuracy', 'sciq=0.9', '--downstream', ladder, '--horizon', '1e5'], /--horizon: expected a compute/],
    ] as const) {
      const e = scalelab(['plan', ...bad]);
      assert.equal(e.code, 2, `${bad.join(' ')}: ${e.stderr}`);
      assert.match(e.stderr, message);
      assert.ok(noStackTrace(e.stderr));
    }
  },
);

test('downstream import of a manifest names its run files as given: relative to where it ran, not absolute', () => {
  const db = join(tmp, 'as-given.db');
  const manifest = 'examples/downstream/pythia/ladder.json';
  const runs: { file: string }[] = JSON.parse(readFileSync(manifest, 'utf8')).runs;
  const r = scalelab(['downstream', 'import', manifest, '--study', 'given', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  const named = r.stdout
    .trim()
    .split('\n')
    .map((line) => line.slice(0, line.indexOf(': ')));
  assert.deepEqual(
    named,
    runs.map((run) => join('examples/downstream/pythia', run.file)),
  );
  assert.ok(!r.stdout.includes(root), r.stdout);
  const again = scalelab(['downstream', 'import', manifest, '--study', 'given', '--db', db, '--json']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.json().files[0].file, join('examples/downstream/pythia', runs[0].file));
});

test(
  'downstream import of a manifest keeps its task definitions and run roles: --study analyses as the manifest does',
  { timeout: 120_000 },
  () => {
    const manifest = JSON.parse(readFileSync('examples/downstream/pythia/ladder.json', 'utf8'));
    for (const r of manifest.runs) {
      r.file = join(root, 'examples/downstream/pythia', r.file);
      if (r.run === 'pythia-12b-deduped') r.role = 'target';
    }
    const path = join(tmp, 'pythia-target.json');
    writeFileSync(path, JSON.stringify(manifest));
    const db = join(tmp, 'manifest.db');
    const imported = scalelab(['downstream', 'import', path, '--study', 'py', '--db', db]);
    assert.equal(imported.code, 0, imported.stderr);
    // A misspelt study is refused naming the studies that have task metrics.
    const misspelt = scalelab(['downstream', 'screen', '--study', 'pi', '--db', db]);
    assert.equal(misspelt.code, 2);
    assert.match(
      misspelt.stderr,
      /study "pi" has no task metrics; did you mean py\? the studies with task metrics: py; or import some/,
    );
    const fromFile = scalelab([
      'downstream',
      'predict',
      path,
      '--task',
      'sciq,winogrande',
      '--bootstrap',
      '0',
      '--json',
    ]);
    const fromStore = scalelab([
      'downstream',
      'predict',
      '--study',
      'py',
      '--db',
      db,
      '--task',
      'sciq,winogrande',
      '--bootstrap',
      '0',
      '--json',
    ]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(fromStore.code, 0, fromStore.stderr);
    const [a, b] = [fromFile.json(), fromStore.json()];
    // The target (the role) and the chance level (the definition) came back from the store.
    assert.equal(b[0].targets[0].label, 'pythia-12b-deduped');
    assert.equal(b[1].screen.chance, 0.5);
    // The same predictions, to the fit's tolerance (the store gives the runs in another order).
    assert.equal(b.length, a.length);
    a.forEach((t: { targets: { label: string; accuracy: number }[] }, i: number) => {
      assert.deepEqual(
        b[i].targets.map((x: { label: string }) => x.label),
        t.targets.map((x) => x.label),
      );
      t.targets.forEach((x, k) => assert.ok(Math.abs(b[i].targets[k].accuracy - x.accuracy) < 1e-6));
    });
  },
);

test(
  "downstream predict: the paper's own step 2 (--sigmoid one --floor free --ceiling free) gives its published 13B ARC-Challenge prediction; --no-ideal-point leaves the ideal point out",
  { timeout: 120_000 },
  () => {
    const args = [
      'downstream',
      'predict',
      'examples/downstream/olmo-ladder/ladder.json',
      '--task',
      'arc_challenge_test_5shot',
      '--sigmoid',
      'one',
      '--floor',
      'free',
      '--ceiling',
      'free',
      '--json',
    ];
    const at13B = (r: ReturnType<typeof scalelab>) => {
      assert.equal(r.code, 0, r.stderr);
      return r.json()[0].targets.find((t: { label: string }) => t.label === '13B-5T').accuracy as number;
    };
    // chained_main.csv (Bhagia et al. 2024): 0.5267099358093748.
    const paper = at13B(scalelab(args));
    assert.ok(Math.abs(paper - 0.5267099) < 1e-5, `${paper}`);
    const without = at13B(scalelab([...args, '--no-ideal-point']));
    assert.ok(Math.abs(without - paper) > 0.01, `${without} vs ${paper}`);
  },
);

test('downstream --sigmoid offers the forms of step 2 that the library has (step2Sigmoids), in its help and its error', () => {
  const help = scalelab(['downstream', 'predict', '--help']);
  assert.match(help.stdout, new RegExp(`--sigmoid <${step2Sigmoids.join('\\|')}>`));
  const wrong = scalelab([
    'downstream',
    'predict',
    'examples/downstream/olmo-ladder/ladder.json',
    '--task',
    'arc_challenge_test_5shot',
    '--sigmoid',
    'two',
  ]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, new RegExp(`--sigmoid: invalid value "two" \\(expected ${step2Sigmoids.join(', ')}\\)`));
  assert.ok(noStackTrace(wrong.stderr), wrong.stderr);
});

test('downstream screen: a row that contradicts another (same run, checkpoint, task and metric) is refused where it is, not dropped; a repeated one counts once', () => {
  const good = readFileSync('test/fixtures/downstream/long.csv', 'utf8');
  const twice = join(tmp, 'twice.csv');
  writeFileSync(twice, good + good.split('\n').slice(1).join('\n'));
  const same = scalelab(['downstream', 'screen', twice, '--task', 'arc_easy', '--json']);
  assert.equal(same.code, 0, same.stderr);
  assert.match(same.json()[0].screenProblem, /^2 runs with a final accuracy/);
  const contradicting = join(tmp, 'contradicting.csv');
  writeFileSync(contradicting, good + 'r1,1e8,4e9,3.0,arc_easy,acc,0.1\n');
  const r = scalelab(['downstream', 'screen', contradicting]);
  assert.equal(r.code, 2, r.stdout);
  assert.match(
    r.stderr,
    /contradicting\.csv:6:7: run "r1", D = 4e9, task arc_easy, metric acc: 0\.1 here, 0\.44 at .*contradicting\.csv:4/,
  );
  assert.ok(noStackTrace(r.stderr), r.stderr);
});

test('downstream import: a task of an lm-evaluation-harness file with no metric is named in the output, text and JSON', () => {
  const file = join(tmp, 'alias-only.json');
  writeFileSync(
    file,
    '{"results": {"piqa": {"alias": "piqa", "acc_stderr,none": 0.01}, "sciq": {"acc,none": 0.7}},\n "config": {"model_args": "pretrained=m,revision=step10"}}\n',
  );
  const db = join(tmp, 'alias.db');
  const args = ['downstream', 'import', file, '--batch-tokens', '1000', '--study', 's', '--db', db];
  const text = scalelab(args);
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /1 metrics added.*tasks with no metric \(only an alias or standard errors\), not read: piqa/,
  );
  const json = scalelab([...args, '--json']);
  assert.deepEqual(json.json().files[0].tasksWithoutMetrics, ['piqa']);
  // Given straight to an analysis, the file's task with no metric is named too (on stderr: stdout stays JSON).
  const screen = scalelab(['downstream', 'screen', file, '--batch-tokens', '1000', '--json']);
  assert.match(
    screen.stderr,
    /note: .*alias-only\.json: tasks with no metric \(only an alias or standard errors\), not read: piqa/,
  );
});

/**
 * Five checkpoints of a ladder, as lm-evaluation-harness 0.4 writes them: gsm8k under two filters (read as
 * one metric they contradicted each other, and no file could be read), scoring 0–0.04 as small models do; a
 * task with only an alias.
 */
function lmEvalLadder(
  prefix = 'lad',
  sizes = [1e7, 3e7, 1e8, 3e8, 1e9],
  // gsm8k's strict-match score at the largest size (flexible-extract's is twice that).
  gsm8kTop = 0.04,
): string[] {
  return sizes.map((N, i) => {
    const file = join(tmp, `${prefix}-${i}.json`);
    const x = i / (sizes.length - 1);
    writeFileSync(
      file,
      JSON.stringify({
        results: {
          piqa: { alias: 'piqa', 'acc,none': 0.55 + 0.16 * x, 'acc_norm,none': 0.55 + 0.4 * x },
          gsm8k: { 'exact_match,strict-match': gsm8kTop * x, 'exact_match,flexible-extract': 2 * gsm8kTop * x },
          truthfulqa_gen: { alias: 'truthfulqa_gen' },
        },
        config: { model_args: `pretrained=/ckpt/lad-${i},revision=step${1000 * (i + 1)}`, model_num_parameters: N },
      }),
    );
    return file;
  });
}

test("downstream screen of a ladder of lm-eval files: gsm8k's two filters are read, what is not analysed is said once, not once a file", () => {
  const files = lmEvalLadder();
  const r = scalelab(['downstream', 'screen', ...files, '--batch-tokens', '1e6', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    r.json().map((t: { task: string }) => t.task),
    ['piqa'],
  );
  const notes = r.stderr.split('\n').filter((l) => l.includes('note:'));
  assert.equal(notes.filter((l) => l.includes('truthfulqa_gen')).length, 1, r.stderr);
  assert.match(r.stderr, /note: 5 files \(.*lad-0\.json, .*lad-1\.json, …\): tasks with no metric .*: truthfulqa_gen/);
  assert.match(
    r.stderr,
    /note: tasks with no accuracy metric \(len_norm, acc_norm, acc\), not analysed: gsm8k \("exact_match,strict-match", "exact_match,flexible-extract"\); name one with --accuracy-metric TASK=NAME/,
  );
  // Named, the filtered metric is analysed; no note then of tasks passed over.
  const named = scalelab([
    'downstream',
    'screen',
    ...files,
    '--batch-tokens',
    '1e6',
    '--task',
    'gsm8k',
    '--accuracy-metric',
    'exact_match,flexible-extract',
    '--json',
  ]);
  assert.equal(named.code, 0, named.stderr);
  assert.equal(named.json()[0].accuracyMetric, 'exact_match,flexible-extract');
  assert.doesNotMatch(named.stderr, /not analysed/);
});

test('--accuracy-metric per task (TASK=NAME, the flag repeated; a bare name for the rest): a metric name with a comma, the near-zero task near chance against the floor 0 and back-tested on absolute error', () => {
  // Eight sizes, one evaluation each (a back-test of the direct law in C holds the largest out); gsm8k 0–0.012.
  const files = lmEvalLadder('per-task', [1e7, 2e7, 4e7, 8e7, 1.6e8, 3.2e8, 6.4e8, 1.28e9], 0.012);
  const args = ['downstream', 'screen', ...files, '--batch-tokens', '1e6'];
  const r = scalelab([
    ...args,
    '--accuracy-metric',
    'gsm8k=exact_match,strict-match',
    '--accuracy-metric',
    'acc',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const tasks = r.json() as {
    task: string;
    accuracyMetric: string;
    screen: {
      verdict: string;
      floor: number;
      chance?: number;
      backtest: { judgedOn: string; meanAbsoluteError: number; runs: { actual: number; relativeError?: number }[] };
    };
  }[];
  assert.deepEqual(
    tasks.map((t) => [t.task, t.accuracyMetric]),
    [
      ['piqa', 'acc'],
      ['gsm8k', 'exact_match,strict-match'],
    ],
  );
  assert.doesNotMatch(r.stderr, /not analysed/);
  const gsm8k = tasks.find((t) => t.task === 'gsm8k')!.screen;
  assert.equal(gsm8k.chance, undefined);
  assert.equal(gsm8k.floor, 0);
  assert.equal(gsm8k.verdict, 'near chance');
  assert.equal(gsm8k.backtest.judgedOn, 'absolute error');
  // piqa is a two-choice benchmark (chance 0.5), well above 0.10: relative error, as before.
  assert.equal(tasks.find((t) => t.task === 'piqa')!.screen.backtest.judgedOn, 'relative error');
  // The text says it alike: the floor marked as the default, the absolute error in points, no relative error.
  const text = scalelab([...args, '--accuracy-metric', 'gsm8k=exact_match,strict-match']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /gsm8k +near chance +0 \(default\)/);
  assert.match(text.stdout, /accuracy points \(direct in C\)/);
  assert.match(text.stdout, /gsm8k: best final accuracy 0\.012 is within .* of the floor 0 \(default/);
  assert.match(text.stdout, /gsm8k: back-test judged on absolute error in accuracy points/);
  assert.match(text.stdout, /accuracy metric: piqa acc_norm, gsm8k exact_match,strict-match/);
  const backtest = scalelab([
    'downstream',
    'backtest',
    ...files,
    '--batch-tokens',
    '1e6',
    '--accuracy-metric',
    'gsm8k=exact_match,strict-match',
  ]);
  assert.equal(backtest.code, 0, backtest.stderr);
  assert.match(backtest.stdout, /gsm8k .* (?:[+−]\d*[1-9]\.\d|[+−]\d+\.[1-9]|0\.0) pts\n/);
  assert.doesNotMatch(backtest.stdout, /gsm8k .* %\n/);
});

test('--accuracy-metric and --loss-metric per task: an unknown task, a metric the task does not have, two for every task, two tasks in one value', () => {
  const files = lmEvalLadder('metric-errors');
  const screen = (...flags: string[]) =>
    scalelab(['downstream', 'screen', ...files, '--batch-tokens', '1e6', ...flags]);
  const unknown = screen('--accuracy-metric', 'gsm8j=exact_match,strict-match');
  assert.equal(unknown.code, 2, unknown.stderr);
  assert.match(unknown.stderr, /--accuracy-metric: no task "gsm8j" in the data; .*gsm8k/);
  assert.ok(noStackTrace(unknown.stderr), unknown.stderr);
  const missing = screen('--accuracy-metric', 'gsm8k=exact_match');
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(
    missing.stderr,
    /--accuracy-metric gsm8k=exact_match: task "gsm8k" has no metric "exact_match"; it has: "exact_match,strict-match", "exact_match,flexible-extract"/,
  );
  const loss = screen('--loss-metric', 'piqa=bpb');
  assert.equal(loss.code, 2, loss.stderr);
  assert.match(loss.stderr, /--loss-metric piqa=bpb: task "piqa" has no metric "bpb"; it has: acc, acc_norm/);
  const twice = screen('--accuracy-metric', 'acc', '--accuracy-metric', 'acc_norm');
  assert.equal(twice.code, 2, twice.stderr);
  assert.match(twice.stderr, /two metrics for every task \("acc" and "acc_norm"\)/);
  const joined = screen('--accuracy-metric', 'gsm8k=exact_match,strict-match,piqa=acc');
  assert.equal(joined.code, 2, joined.stderr);
  assert.match(joined.stderr, /names more than one task; give one per flag/);
  const help = scalelab(['downstream', 'screen', '--help']);
  assert.match(help.stdout.replace(/\s+/g, ' '), /--accuracy-metric <\[task=\]name> .*a name may hold a comma/);
});

test('downstream screen of a wide CSV names a column it does not read, and a task with no accuracy metric', () => {
  const file = join(tmp, 'own-names.csv');
  writeFileSync(
    file,
    'model,params,tokens_seen,arc_easy/accuracy,hellaswag acc_norm,piqa/acc\n' +
      ['m1,20M,4e8,0.30,0.27,0.60', 'm2,60M,1.2e9,0.36,0.29,0.63', 'm3,150M,3e9,0.43,0.33,0.66']
        .concat(['m4,400M,8e9,0.52,0.40,0.70', 'm5,1B,2e10,0.60,0.48,0.73'])
        .join('\n') +
      '\n',
  );
  const r = scalelab(['downstream', 'screen', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /own-names\.csv: columns not read: hellaswag acc_norm \(a metric's column is named task\/metric/,
  );
  assert.match(r.stderr, /not analysed: arc_easy \(accuracy\)/);
});

test('downstream analyses read lm-evaluation-harness files directly, given the tokens per step (--batch-tokens)', () => {
  const file = 'test/fixtures/downstream/lm-eval-pythia-160m-step143000.json';
  const without = scalelab(['downstream', 'screen', file, '--json']);
  assert.equal(without.code, 2);
  assert.match(
    without.stderr,
    /it has step 143000: give the tokens per step, --batch-tokens, to turn steps into tokens, or "batchTokens" for the run in a ladder manifest/,
  );
  assert.ok(noStackTrace(without.stderr), without.stderr);
  const given = scalelab(['downstream', 'screen', file, '--batch-tokens', '2097152', '--json']);
  assert.equal(given.code, 0, given.stderr);
  assert.deepEqual(
    given
      .json()
      .map((t: { task: string }) => t.task)
      .sort(),
    ['arc_easy', 'lambada_openai', 'piqa'],
  );
  const study = scalelab(['downstream', 'screen', '--study', 's', '--batch-tokens', '1']);
  assert.equal(study.code, 2);
  assert.match(study.stderr, /--batch-tokens and --flops-per-token are read with files/);
});

test("a results file of your own model (no revision=stepNNN, no size) read by an analysis is refused naming downstream import's --tokens, which the analyses do not have", () => {
  const mine = join(tmp, 'results_mine.json');
  writeFileSync(
    mine,
    JSON.stringify({
      results: { arc_easy: { alias: 'arc_easy', 'acc,none': 0.41, 'acc_stderr,none': 0.01 } },
      config: { model: 'hf', model_args: 'pretrained=/ckpt/mine-125m', batch_size: '16' },
    }),
  );
  for (const sub of ['fit', 'screen', 'predict']) {
    const r = scalelab(['downstream', sub, mine]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /no checkpoint: expected revision=stepNNN in config\.model_args, or a checkpoint folder ending pretrained= \(…\/step2288, …\/checkpoint-2288, …\/global_step2288, …\/iter_0002288\), or the tokens seen \(--tokens with "scalelab downstream import", then --study NAME\)/,
    );
  }
  // downstream import has the flag: its own message names it alone.
  const imported = scalelab(['downstream', 'import', mine, '--db', join(tmp, 'mine.db')]);
  assert.match(imported.stderr, /or the tokens seen \(--tokens\)/);
});

test("downstream screen: a known benchmark's chance level from its answer choices, said; an unknown task's not checked, naming --chance", () => {
  const rows = ['run,N,tokens,task,metric,value'];
  for (const N of [7e7, 1.6e8, 4e8, 1e9])
    for (let k = 1; k <= 12; k++) {
      const D = k * 2.5e9 * (N / 7e7) ** 0.5;
      const acc = 0.25 + 0.75 / (1 + Math.exp(0.8 * (Math.log(1e21) - Math.log(6 * N * D))));
      for (const task of ['my_task', 'sciq']) rows.push(`m${N},${N},${D},${task},acc,${acc.toFixed(5)}`);
    }
  const file = join(tmp, 'no-chance.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const r = scalelab(['downstream', 'screen', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const tasks = JSON.parse(r.stdout) as { task: string; screen: { chance?: number; chanceFrom?: unknown } }[];
  const sciq = tasks.find((t) => t.task === 'sciq')!.screen;
  assert.equal(sciq.chance, 0.25);
  assert.deepEqual(sciq.chanceFrom, { from: 'answer choices', benchmark: 'SciQ', choices: 4 });
  assert.equal(tasks.find((t) => t.task === 'my_task')!.screen.chance, undefined);
  const text = scalelab(['downstream', 'screen', file]);
  assert.match(
    text.stdout,
    /my_task: no chance level known \(not a benchmark whose answer choices are known here: a manifest's "chance", or --chance, gives one\): "near chance" was checked against the floor 0 \(default:/,
  );
  assert.match(text.stdout, /chance level \(random guessing\): sciq 0\.250 \(SciQ's 4 answer choices\)\n/);
  assert.doesNotMatch(text.stdout, /sciq: .*no chance level/);
  // Given per task, the flag's level is said as the flag's.
  const given = scalelab(['downstream', 'screen', file, '--chance', '0.2,sciq=0.3']);
  assert.equal(given.code, 0, given.stderr);
  assert.doesNotMatch(given.stdout, /no chance level/);
  assert.match(given.stdout, /chance level \(random guessing\): --chance, for every task\n/);
  assert.match(given.stdout, /\n {2}sciq +[a-z ]+ +0\.300 /);
});

test("downstream predict --from-val-loss adds Gadre et al.'s chain beside the two-step prediction, in the table and the JSON", () => {
  const args = [
    'downstream',
    'predict',
    'examples/downstream/olmo-ladder/ladder.json',
    '--task',
    'piqa_val_5shot,hellaswag_val_5shot',
  ];
  const text = scalelab([...args, '--bootstrap', '0', '--from-val-loss']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /from val\. loss/);
  assert.match(text.stdout, /from val\. loss: Gadre et al\.'s chain/);
  const json = scalelab([...args, '--bootstrap', '0', '--from-val-loss', '--json']).json();
  const target = json[0].targets.find((r: { label: string }) => r.label === '13B-5T');
  assert.ok(target.viaValLoss.valLoss > 2 && target.viaValLoss.valLoss < 3, JSON.stringify(target.viaValLoss));
  assert.equal(typeof target.relativeErrorViaValLoss, 'number');
  assert.equal(json[0].valLossLaw.law, 'chinchilla');
  assert.equal(json[0].valLossLaw.points, 16);
  const without = scalelab([...args, '--bootstrap', '0']);
  assert.doesNotMatch(without.stdout, /from val\. loss/);
  // HellaSwag's exponential passes accuracy 1 at the 13B's predicted loss: held, and said so, the value kept.
  const hs = json
    .find((t: { task: string }) => t.task === 'hellaswag_val_5shot')
    .targets.find((r: { label: string }) => r.label === '13B-5T');
  assert.equal(hs.viaValLoss.accuracy, 1);
  assert.ok(hs.viaValLoss.unclamped > 1, JSON.stringify(hs.viaValLoss));
  assert.match(text.stdout, /1\.000 held/);
  assert.match(text.stdout, /held: the exponential passes accuracy 1/);
  // With replicates the chain has its own interval; HellaSwag's, held at 1 with the exponential, misses.
  const boot = scalelab([...args, '--bootstrap', '10', '--from-val-loss', '--json']).json();
  const piqa = boot
    .find((t: { task: string }) => t.task === 'piqa_val_5shot')
    .targets.find((r: { label: string }) => r.label === '13B-5T');
  const [lo, hi] = piqa.viaValLoss.interval.accuracy;
  assert.ok(lo < piqa.viaValLoss.accuracy && piqa.viaValLoss.accuracy <= hi, JSON.stringify(piqa.viaValLoss));
  assert.equal(piqa.viaValLoss.interval.replicates, 10);
  assert.equal(piqa.viaValLoss.covered, true);
  const hsBoot = boot
    .find((t: { task: string }) => t.task === 'hellaswag_val_5shot')
    .targets.find((r: { label: string }) => r.label === '13B-5T');
  assert.equal(hsBoot.viaValLoss.covered, false);
  // Only the commands that predict targets take it.
  const fit = scalelab(['downstream', 'fit', 'examples/downstream/olmo-ladder/ladder.json', '--from-val-loss']);
  assert.equal(fit.code, 2);
  assert.match(fit.stderr, /unknown option '--from-val-loss'/);
});

test('downstream predict that predicts no task at all exits 1 (it ran; the result is a failure), saying why per task', () => {
  const file = join(tmp, 'too-few.csv');
  writeFileSync(
    file,
    'run,N,tokens,task,metric,value\na,1e8,1e9,t,acc,0.3\na,1e8,2e9,t,acc,0.32\nb,2e8,1e9,t,acc,0.33\nb,2e8,2e9,t,acc,0.35\n',
  );
  const r = scalelab(['downstream', 'predict', file, '--N', '1e9', '--D', '2e10']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /t: not predicted: 2 checkpoints with an accuracy/);
  assert.match(r.stderr, /no task could be predicted \(1 tried\):\n {2}t: 2 checkpoints/);
  const json = scalelab(['downstream', 'predict', file, '--N', '1e9', '--D', '2e10', '--json']);
  assert.equal(json.code, 1);
  assert.equal(json.json()[0].targets.length, 0);
});

test('downstream --average NAME=all analyses the mean of the tasks as one task, alone unless --task names others; its parts in JSON and the screen', () => {
  const ladder = 'examples/downstream/pythia/ladder.json';
  const manifest = JSON.parse(readFileSync(join(root, ladder), 'utf8')) as {
    tasks: { task: string; chance: number }[];
  };
  const r = scalelab(['downstream', 'backtest', ladder, '--average', 'avg=all', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const [avg, ...rest] = r.json();
  assert.equal(rest.length, 0, 'the mean alone');
  assert.equal(avg.task, 'avg');
  assert.deepEqual(
    avg.parts.map((p: { task: string }) => p.task),
    manifest.tasks.map((t) => t.task),
  );
  const chance = manifest.tasks.reduce((a, t) => a + t.chance, 0) / manifest.tasks.length;
  assert.ok(Math.abs(avg.screen.chance - chance) < 1e-12, `chance ${avg.screen.chance} is the tasks' mean ${chance}`);
  // The mean's final accuracy of the held-out 12B model is the mean of the tasks' own.
  const each = scalelab(['downstream', 'backtest', ladder, '--json']).json() as {
    task: string;
    screen: { backtest: { runs: { actual: number }[] } };
  }[];
  const mean = each.reduce((a, t) => a + t.screen.backtest.runs[0].actual, 0) / each.length;
  assert.ok(
    Math.abs(avg.screen.backtest.runs[0].actual - mean) < 1e-9,
    `${avg.screen.backtest.runs[0].actual} vs ${mean}`,
  );
  const both = scalelab([
    'downstream',
    'backtest',
    ladder,
    '--average',
    'avg=piqa,sciq',
    '--task',
    'avg,piqa',
    '--json',
  ]);
  assert.deepEqual(
    both.json().map((t: { task: string }) => t.task),
    ['avg', 'piqa'],
  );
  const text = scalelab(['downstream', 'screen', ladder, '--average', 'avg=piqa,sciq']).stdout;
  assert.match(text, /avg: the equal-weight mean of 2 tasks: piqa \(acc\), sciq \(acc\); no task loss common/);
  for (const [bad, why] of [
    ['avg', /expected NAME=TASK,TASK,… or NAME=all/],
    ['piqa=all', /"piqa" is a task of the data already/],
    ['avg=piqa', /at least two tasks/],
    ['avg=piqa,nope', /no task "nope"/],
  ] as const) {
    const e = scalelab(['downstream', 'screen', ladder, '--average', bad]);
    assert.equal(e.code, 2, bad);
    assert.match(e.stderr, why);
    assert.ok(noStackTrace(e.stderr));
  }
});

test('plan --target-accuracy with --average: a target can name the mean of tasks, planned as downstream plan --average plans it; the same errors', () => {
  const ladder = 'examples/downstream/pythia/ladder.json';
  const average = ['--average', 'avg=piqa,sciq'];
  const r = scalelab([
    'plan',
    '--target-accuracy',
    'avg=0.75',
    ...average,
    '--downstream',
    ladder,
    '--downstream-bootstrap',
    '0',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const [row, ...rest] = r.json().accuracy.tasks;
  assert.equal(rest.length, 0);
  assert.equal(row.task, 'avg');
  assert.deepEqual(
    row.parts.map((p: { task: string }) => p.task),
    ['piqa', 'sciq'],
  );
  assert.ok(row.plan.point.C > 0, JSON.stringify(row.plan));
  const ds = scalelab([
    'downstream',
    'plan',
    ladder,
    '--target-accuracy',
    'avg=0.75',
    ...average,
    '--bootstrap',
    '0',
    '--json',
  ]);
  assert.equal(ds.code, 0, ds.stderr);
  assert.deepEqual(ds.json()[0].plan, row.plan);
  // The mean's accuracy lies between its parts', so the compute it needs lies between theirs.
  const parts = scalelab([
    'plan',
    '--target-accuracy',
    'piqa=0.75,sciq=0.75',
    '--downstream',
    ladder,
    '--downstream-bootstrap',
    '0',
    '--json',
  ]);
  const [lo, hi] = parts
    .json()
    .accuracy.tasks.map((t: { plan: { point: { C: number } } }) => t.plan.point.C)
    .sort((a: number, b: number) => a - b);
  assert.ok(lo < row.plan.point.C && row.plan.point.C < hi, `${lo} < ${row.plan.point.C} < ${hi}`);
  for (const [bad, message] of [
    [average, /--average is read for --target-accuracy/],
    [
      ['--target-accuracy', 'avg=0.75', '--downstream', ladder, '--average', 'avg'],
      /--average: expected NAME=TASK,TASK,… or NAME=all/,
    ],
    [['--target-accuracy', 'avg=0.75', '--downstream', ladder, '--average', 'avg=piqa'], /at least two tasks/],
    [['--target-accuracy', 'avg=0.75', '--downstream', ladder, '--average', 'avg=piqa,nope'], /no task "nope"/],
  ] as const) {
    const e = scalelab(['plan', ...bad]);
    assert.equal(e.code, 2, `${bad.join(' ')}: ${e.stderr}`);
    assert.match(e.stderr, message);
    assert.ok(noStackTrace(e.stderr));
  }
});

test('downstream predict, report and plan: a task named and not answered exits 1 after the rest is printed, its reason on stderr and in JSON; from an all-tasks run it is only warned of', () => {
  // Tasks t and u fit on a four-size ladder; w has two checkpoints (too few); the target run "big" is
  // evaluated on t only, so u has a fit and nothing to predict.
  const rows = ['run,N,tokens,task,metric,value'];
  const acc = (N: number, D: number, c: number) =>
    0.25 + 0.75 / (1 + Math.exp(0.8 * (Math.log(c) - Math.log(6 * N * D))));
  for (const N of [7e7, 1.6e8, 4e8, 1e9])
    for (let k = 1; k <= 12; k++) {
      const D = k * 2.5e9 * (N / 7e7) ** 0.5;
      rows.push(
        `m${N},${N},${D},t,acc,${acc(N, D, 1e21).toFixed(5)}`,
        `m${N},${N},${D},u,acc,${acc(N, D, 3e21).toFixed(5)}`,
      );
    }
  rows.push('m7e7,7e7,2.5e9,w,acc,0.3', 'm7e7,7e7,5e9,w,acc,0.31');
  for (let k = 1; k <= 6; k++) rows.push(`big,5e9,${k * 2e10},t,acc,${acc(5e9, k * 2e10, 1e21).toFixed(5)}`);
  const file = join(tmp, 'partial.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const predict = ['downstream', 'predict', file, '--target-runs', 'big', '--chance', '0.25', '--bootstrap', '0'];
  // Every task (no --task): t predicted, u and w warned of, exit 0.
  const all = scalelab(predict);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /\n {2}t {3}.*big/);
  assert.match(all.stdout, /u: not predicted: the target run \(big\) has no metrics for this task/);
  assert.match(
    all.stderr,
    /scalelab: warning: 2 of 3 tasks not predicted:\n {2}u: the target run \(big\) has no metrics for this task\n {2}w: 1 checkpoint/,
  );
  // Named: u asked for and not predicted is a failure; t's prediction is printed all the same.
  const named = scalelab([...predict, '--task', 't,u']);
  assert.equal(named.code, 1, named.stderr);
  assert.match(named.stdout, /\n {2}t {3}.*big/);
  assert.match(
    named.stderr,
    /scalelab: error: 1 of 2 tasks not predicted although asked for by name:\n {2}u: the target run \(big\)/,
  );
  const json = scalelab([...predict, '--task', 't,u', '--json']);
  assert.equal(json.code, 1);
  const [t, u] = json.json();
  assert.equal(t.targets.length, 1);
  assert.equal(t.notPredicted, undefined);
  assert.equal(u.notPredicted, 'the target run (big) has no metrics for this task');
  assert.match(json.stderr, /u: the target run/);
  // Named tasks that all predict: exit 0, nothing on stderr about them.
  const fine = scalelab([...predict, '--task', 't']);
  assert.equal(fine.code, 0, fine.stderr);
  assert.doesNotMatch(fine.stderr, /not predicted/);
  // Nothing predicted at all: a failure, named or not.
  const none = scalelab([...predict, '--task', 'w']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no task could be predicted \(1 tried\):\n {2}w: 1 checkpoint/);
  // downstream report predicts the target runs too, and follows the same rule: the page is written,
  // says which task was not predicted and why, and the run exits 1; without target runs it predicts
  // nothing, so nothing is unanswered.
  const page = join(tmp, 'partial.html');
  const report = ['downstream', 'report', file, '--chance', '0.25', '--bootstrap', '0', '--out', page];
  const reported = scalelab([...report, '--target-runs', 'big', '--task', 't,u', '--json']);
  assert.equal(reported.code, 1, reported.stderr);
  assert.deepEqual(
    reported.json().tasks.map((x: { task: string; notPredicted?: string }) => [x.task, x.notPredicted]),
    [
      ['t', undefined],
      ['u', 'the target run (big) has no metrics for this task'],
    ],
  );
  assert.match(reported.stderr, /1 of 2 tasks not predicted although asked for by name:\n {2}u: the target run/);
  assert.match(readFileSync(page, 'utf8'), /<b>u<\/b>: not predicted: the target run \(big\) has no metrics/);
  const reportAll = scalelab([...report, '--target-runs', 'big']);
  assert.equal(reportAll.code, 0, reportAll.stderr);
  assert.match(reportAll.stderr, /warning: 2 of 3 tasks not predicted/);
  const noTargets = scalelab([...report, '--task', 't,w']);
  assert.equal(noTargets.code, 0, noTargets.stderr);
  assert.doesNotMatch(noTargets.stderr, /not predicted/);
  assert.doesNotMatch(readFileSync(page, 'utf8'), /not predicted/);
  // Plans: every task is named by --target-accuracy, so one not planned is a failure, in both commands.
  const plan = scalelab([
    'downstream',
    'plan',
    file,
    '--target-accuracy',
    't=0.7,w=0.5',
    '--chance',
    '0.25',
    '--bootstrap',
    '0',
    '--json',
  ]);
  assert.equal(plan.code, 1, plan.stderr);
  assert.ok(plan.json()[0].plan.point.C > 0);
  assert.match(plan.json()[1].notPlanned, /1 checkpoint with an accuracy/);
  assert.match(plan.stderr, /1 of 2 tasks not planned although asked for by name:\n {2}w: 1 checkpoint/);
  const top = scalelab([
    'plan',
    '--target-accuracy',
    't=0.7,w=0.5',
    '--downstream',
    file,
    '--downstream-bootstrap',
    '0',
  ]);
  assert.equal(top.code, 1, top.stderr);
  assert.match(top.stdout, /w: not planned: 1 checkpoint/);
  assert.match(top.stderr, /1 of 2 tasks not planned/);
  const planned = scalelab(['plan', '--target-accuracy', 't=0.7', '--downstream', file, '--downstream-bootstrap', '0']);
  assert.equal(planned.code, 0, planned.stderr);
});

test("a plan whose tokens per parameter lie outside the ladder's says so beside it, naming step 1's exponents; one inside does not", () => {
  const olmo = 'examples/downstream/olmo-ladder/ladder.json';
  const args = ['--target-accuracy', 'hellaswag_val_5shot=0.85,piqa_val_5shot=0.85', '--downstream', olmo];
  const p = scalelab(['plan', ...args, '--downstream-bootstrap', '0', '--json']);
  assert.equal(p.code, 0, p.stderr);
  const rows = p.json().accuracy.tasks as {
    task: string;
    plan: { point: { N: number; D: number } };
    caveats?: string[];
  }[];
  for (const r of rows) {
    const perParameter = r.plan.point.D / r.plan.point.N;
    // The OLMo ladder's runs end at 20–200 tokens per parameter; these fits ask for about 5 and about 10,000.
    assert.ok(perParameter < 20 / 1.5 || perParameter > 200 * 1.5, `${r.task}: ${perParameter}`);
    // Two caveats: the OLMo manifest counts C as 1.32–1.67× 6·N·D while the plan's C is 6·N·D, and the split.
    assert.equal(r.caveats?.length, 2, r.task);
    assert.match(
      r.caveats![0],
      /^the ladder's C is the data's count .*1\.32–1\.67× 6·N·D over its runs .*the plan's C is 6·N·D/,
    );
    assert.match(
      r.caveats![1],
      /^the plan's [\d.]+ tokens per parameter is outside the 20–200 the ladder's runs end at: .*\(α = 0\.\d{3}, β = 0\.\d{3}\)/,
    );
  }
  const text = scalelab(['plan', ...args, '--downstream-bootstrap', '0']);
  assert.match(text.stdout, /\n {2}piqa_val_5shot: the plan's \d+ tokens per parameter is outside/);
});

test("downstream import of a W&B export whose only step is _step: read, and said once on stderr (and in the JSON's warnings); a trainer's step column is read instead, silently", () => {
  const logged = join(tmp, 'wandb-step.csv');
  writeFileSync(logged, ['_step,arc_easy/acc', '10,0.3', '20,0.4', '30,0.5'].join('\n') + '\n');
  const args = ['downstream', 'import', logged, '--run', 'a', '--N', '1e8', '--batch-tokens', '1000'];
  const text = scalelab([...args, '--study', 'w', '--db', join(tmp, 'wandb.db')]);
  assert.equal(text.code, 0, text.stderr);
  const said = text.stderr.match(
    /scalelab: warning: .*wandb-step\.csv: the step is read from _step, W&B's count of log calls/g,
  );
  assert.equal(said?.length, 1, text.stderr);
  assert.match(text.stderr, /export the trainer's step \(trainer\/global_step, global_step or step\)/);
  const json = scalelab([...args, '--study', 'w2', '--db', join(tmp, 'wandb.db'), '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.match(json.json().files[0].warnings[0], /the step is read from _step/);
  const trainer = join(tmp, 'wandb-global-step.csv');
  writeFileSync(trainer, ['_step,trainer/global_step,arc_easy/acc', '10,5,0.3', '20,10,0.4'].join('\n') + '\n');
  const clean = scalelab([
    'downstream',
    'import',
    trainer,
    '--run',
    'b',
    '--N',
    '1e8',
    '--batch-tokens',
    '1000',
    '--study',
    'w3',
    '--db',
    join(tmp, 'wandb.db'),
    '--json',
  ]);
  assert.equal(clean.code, 0, clean.stderr);
  assert.deepEqual(clean.json().files[0].warnings, []);
  assert.doesNotMatch(clean.stderr, /_step/);
  // The OLMo ladder's 13B target is placed by its _step, which its manifest vouches for: not said.
  const olmo = scalelab([
    'downstream',
    'screen',
    'examples/downstream/olmo-ladder/ladder.json',
    '--task',
    'piqa_val_5shot',
  ]);
  assert.equal(olmo.code, 0, olmo.stderr);
  assert.doesNotMatch(olmo.stderr, /_step/);
});

test("downstream screen writes a back-test's size as sizes are typed (1.18e10, not 1.18e+10)", () => {
  const r = scalelab(['downstream', 'screen', 'examples/downstream/pythia/ladder.json', '--task', 'arc_challenge']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /the back-test on the largest size \(N = 1\.18e10\) misses by/);
  assert.doesNotMatch(r.stdout, /e\+/);
});

test('plan --target-accuracy --via: the route downstream plan takes, the same plan; refused without --target-accuracy', () => {
  const base = [
    '--target-accuracy',
    'hellaswag_val_5shot=0.8',
    '--downstream',
    'examples/downstream/olmo-ladder/ladder.json',
    '--downstream-bootstrap',
    '0',
    '--json',
  ];
  const point = (args: string[]) => {
    const r = scalelab(['plan', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.json().accuracy.tasks[0].plan.point as { C: number; N?: number; D?: number };
  };
  const byTaskLoss = point(base);
  const byValLoss = point([...base, '--via', 'val-loss']);
  const byCompute = point([...base, '--via', 'compute']);
  // Three routes, three plans: each is the route's own (the direct law in C has no N and D of its own).
  assert.notEqual(byValLoss.C, byTaskLoss.C);
  assert.notEqual(byCompute.C, byTaskLoss.C);
  assert.equal(byCompute.N, undefined);
  // The same as downstream plan with the same route.
  const same = scalelab([
    'downstream',
    'plan',
    'examples/downstream/olmo-ladder/ladder.json',
    '--target-accuracy',
    'hellaswag_val_5shot=0.8',
    '--bootstrap',
    '0',
    '--via',
    'val-loss',
    '--json',
  ]);
  assert.equal(same.code, 0, same.stderr);
  assert.equal(same.json()[0].plan.point.C, byValLoss.C);
  const alone = scalelab(['plan', '--C', '1e24', '--via', 'val-loss']);
  assert.equal(alone.code, 2, alone.stderr);
  assert.match(alone.stderr, /--via is read for --target-accuracy/);
});

test('report --downstream --via: the route downstream report takes, said on the page; refused without --downstream', () => {
  // The OLMo manifest with one task (run files named absolutely): its targets (7B, 13B) are predicted.
  const manifest = JSON.parse(readFileSync(join(root, 'examples/downstream/olmo-ladder/ladder.json'), 'utf8'));
  const oneTask = join(tmp, 'olmo-piqa-via.json');
  writeFileSync(
    oneTask,
    JSON.stringify({
      ...manifest,
      tasks: manifest.tasks.filter((t: { task: string }) => t.task === 'piqa_val_5shot'),
      runs: manifest.runs.map((r: { file: string }) => ({
        ...r,
        file: join(root, 'examples/downstream/olmo-ladder', r.file),
      })),
    }),
  );
  const base = ['report', 'examples/chinchilla.csv', '--bootstrap', '0', '--folds', '1', '--downstream', oneTask];
  // The 13B target's predicted accuracy, as the predictions table prints it.
  const predicted = (page: string) => /<td>13B-5T<\/td>(?:<td>[^<]*<\/td>){2}<td>(\d\.\d{3})/.exec(page)?.[1];
  const page = (via?: string) => {
    const out = join(tmp, `scaling-via-${via ?? 'default'}.html`);
    const r = scalelab([...base, ...(via ? ['--via', via] : []), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    return readFileSync(out, 'utf8');
  };
  // The page's line saying the route (the whole page would drown a failure's message).
  const route = (page: string) => /Route: [^<]*/.exec(page)?.[0];
  const byDefault = page();
  assert.equal(route(byDefault), 'Route: the two steps through the task loss (every task).');
  const byCompute = page('compute');
  assert.equal(route(byCompute), 'Route: the direct law in C (every task).');
  // The fits section says what was fitted by the route taken: no "step 1: task loss" where there was none.
  const fits = (page: string) => /<p>Fits: [^<]*/.exec(page)?.[0];
  assert.match(fits(byDefault) ?? '', /step 1: task loss from N and D/);
  assert.match(fits(byCompute) ?? '', /no task loss, so no step 1: the direct law in C, accuracy from compute/);
  assert.doesNotMatch(fits(byCompute) ?? '', /task loss from N and D/);
  assert.ok(predicted(byDefault) && predicted(byCompute), 'the 13B target is predicted by both routes');
  assert.notEqual(predicted(byCompute), predicted(byDefault));
  // The same prediction as downstream report by the same route.
  const alone = join(tmp, 'downstream-via-compute.html');
  const ds = scalelab(['downstream', 'report', oneTask, '--bootstrap', '0', '--via', 'compute', '--out', alone]);
  assert.equal(ds.code, 0, ds.stderr);
  assert.equal(predicted(readFileSync(alone, 'utf8')), predicted(byCompute));
  const bad = scalelab([...base, '--via', 'loss', '--out', join(tmp, 'never.html')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--via: invalid value "loss"/);
  const refused = scalelab(['report', 'examples/chinchilla.csv', '--via', 'compute', '--out', join(tmp, 'never.html')]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--via is read with --downstream/);
  noStackTrace(refused.stderr);
});

test('several files: a folder points at its ladder manifest, --downstream after a glob says it takes a comma list, many files are named briefly', () => {
  const folder = scalelab(['downstream', 'screen', 'examples/downstream/pythia']);
  assert.equal(folder.code, 2);
  assert.match(
    folder.stderr,
    /a folder, not a file; give its ladder manifest, examples\/downstream\/pythia\/ladder\.json/,
  );
  const glob = scalelab(['plan', '--target-accuracy', 'piqa=0.6', '--downstream', 'a.json', 'b.json', 'c.json']);
  assert.equal(glob.code, 2);
  assert.match(
    glob.stderr,
    /--downstream takes one comma-separated list of files, --downstream a\.json,b\.json,c\.json/,
  );
  // Four copies of one file under other names: the did-you-mean error names two and counts the rest.
  const files = [1, 2, 3, 4].map((k) => {
    const f = join(tmp, `copy-${k}.json`);
    copyFileSync('test/fixtures/downstream/lm-eval-pythia-160m-step143000.json', f);
    return f;
  });
  const typo = scalelab(['downstream', 'screen', ...files, '--task', 'PIQA']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /copy-2\.json and 2 more files \(4 in all\): no task "PIQA"; did you mean piqa\?/);
  assert.doesNotMatch(typo.stderr, /copy-3\.json/);
});

test('a task whose loss does not fall with compute: step 1 through C is said degenerate and gives no accuracy, not NaN or a refusal of the whole answer', () => {
  // Synthetic: 3 sizes at 3 budgets, the task loss flat within noise (5.20–5.45) and highest at the largest C;
  // the law in C sends its scale off to infinity (an overflowing A gave NaN through C, and the command refused all).
  const ladder: [number, number, number][] = [
    [2e7, 2e17, 5.2],
    [2.7e7, 2e17, 5.35],
    [3.5e7, 2e17, 5.4],
    [2e7, 4.4e17, 5.25],
    [2.7e7, 4.4e17, 5.22],
    [3.5e7, 4.4e17, 5.3],
    [3.5e7, 9.6e17, 5.45],
  ];
  const rows = ['run,N,tokens,task,metric,value'];
  ladder.forEach(([N, C, tl], k) => {
    const D = (C / (6 * N)).toPrecision(6);
    rows.push(`r${k},${N},${D},sciq,bpb,${tl}`, `r${k},${N},${D},sciq,acc,${(0.5 + 0.002 * k).toFixed(3)}`);
  });
  const file = join(tmp, 'flat-task-loss.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const args = ['downstream', 'predict', file, '--N', '6e8', '--D', '1.3e10', '--chance', '0.25', '--bootstrap', '20'];
  const r = scalelab(args);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(noStackTrace(r.stderr), r.stderr);
  assert.doesNotMatch(r.stdout, /NaN|Infinity/);
  assert.match(r.stdout, /sciq +noisy +given .* 0\.\d{3} \[0\.\d{3}, 0\.\d{3}\] +–\n/);
  assert.match(r.stdout, /severe: no accuracy through C: step 1's law in C gives no finite task loss .*A = off/);
  assert.match(
    r.stdout,
    /step 1's law in C is degenerate \(E = 5\.\d+, A = off, alpha = [\d.e]+\): the task loss does not fall as a power law in compute/,
  );
  const j = scalelab([...args, '--json']).json()[0];
  assert.equal(j.fit.step1C.params.A, null);
  assert.match(j.fit.step1C.paramsOff.A, /ran off to infinity/);
  assert.equal(j.targets[0].viaC, undefined);
  assert.equal(j.targets[0].interval.viaC, undefined);
  assert.ok(j.targets[0].accuracy > 0.25 && j.targets[0].accuracy < 1);
  assert.ok(
    j.targets[0].warnings.some(
      (w: { code: string; severity: string }) => w.code === 'degenerate' && w.severity === 'severe',
    ),
  );
});

test('report --downstream with a missing main input is refused first: no downstream notes before the error', () => {
  const files = lmEvalLadder('report-missing');
  const r = scalelab([
    'report',
    join(tmp, 'no-such-runs.csv'),
    '--downstream',
    files.join(','),
    '--batch-tokens',
    '1e6',
    '--out',
    join(tmp, 'report-missing.html'),
  ]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /no-such-runs\.csv: no such file/);
  assert.doesNotMatch(r.stderr, /note:/);
});

test("an lm-eval file's checkpoint without tokens is located by line, column and JSON key path", () => {
  const [file] = lmEvalLadder('no-tokens');
  const r = scalelab(['downstream', 'screen', file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /no-tokens-0\.json:1:\d+ \(key results\.piqa\["acc(_norm)?,none"\]\): run "\/ckpt\/lad-0" has a checkpoint without tokens \(D\)/,
  );
});

test('downstream predict of a target run whose actual accuracy is 0 or near it (gsm8k at ladder sizes): its error in accuracy points, as the screen judges below 0.10', () => {
  // Before: (predicted − 0) / 0 was +Infinity, and the whole result was refused as non-finite; an actual of
  // 0.001 printed a relative error of thousands of per cent.
  for (const actual of [0, 0.001]) {
    const gsm8k = [0, 0.001, 0, 0.002, 0.003, 0.001, 0, actual];
    const files = [1e7, 2e7, 4e7, 8e7, 1.6e8, 3.2e8, 6.4e8, 1.28e9].map((N, i) => {
      const file = join(tmp, `zero-target-${actual}-${i}.json`);
      const x = i / 7;
      writeFileSync(
        file,
        JSON.stringify({
          results: {
            piqa: { 'acc,none': 0.55 + 0.16 * x, 'acc_norm,none': 0.55 + 0.4 * x },
            gsm8k: { 'exact_match,strict-match': gsm8k[i] },
          },
          config: { model_args: `pretrained=/ckpt/zt-${i},revision=step${1000 * (i + 1)}`, model_num_parameters: N },
        }),
      );
      return file;
    });
    const args = ['downstream', 'predict', ...files, '--batch-tokens', '1e6', '--target-runs', '/ckpt/zt-7'];
    const metric = ['--accuracy-metric', 'gsm8k=exact_match,strict-match'];
    const text = scalelab([...args, ...metric]);
    assert.equal(text.code, 0, text.stderr);
    // A signed error in points, or 0.0 without a sign where it rounds to zero (never "−0.0").
    assert.match(
      text.stdout,
      new RegExp(`^ +gsm8k .* ${actual.toFixed(3)} \\((?:[+−]\\d*[1-9]\\.\\d|[+−]\\d+\\.[1-9]|0\\.0) pts\\)`, 'm'),
    );
    assert.doesNotMatch(text.stdout, /^ +gsm8k .* %\)/m);
    assert.match(text.stdout, /^ +piqa .* 0\.950 \([+−]\d+\.\d %\)/m);
    const json = scalelab([...args, ...metric, '--json']);
    assert.equal(json.code, 0, json.stderr);
    type Target = { actual?: { accuracy: number }; relativeError?: number; absoluteError?: number; judgedOn?: string };
    const target = (task: string) =>
      (json.json() as { task: string; targets: Target[] }[]).find((t) => t.task === task)!.targets[0];
    const g = target('gsm8k');
    assert.equal(g.actual?.accuracy, actual);
    assert.equal(g.judgedOn, 'absolute error');
    assert.ok(Number.isFinite(g.absoluteError));
    // No relative error where the actual is 0; where it is 0.001 it is kept, but not the one judged.
    assert.equal(g.relativeError === undefined, actual === 0);
    assert.equal(target('piqa').judgedOn, 'relative error');
    assert.ok(Number.isFinite(target('piqa').relativeError), 'a non-zero actual keeps its relative error');
  }
});
