/**
 * The web app's downstream panel in Debian's chromium (as test/web-e2e.test.ts: the built app,
 * web/dist; skipped without Chromium): upload per-task metrics, screen and predict in the worker, each
 * task's fits, back-test, predictions (also from validation loss) and sigmoid figure; a malformed file
 * shows its located error. And in Node, what the worker sends: plain data, progress counted in tasks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../src/store/store.js';
import { parseTaskMetrics } from '../src/io/parseTaskMetrics.js';
import { runDownstream } from '../web/src/worker/downstream.js';
import { readChosenMetrics, type ChosenFile } from '../web/src/lib/chosenMetrics.js';
import { readTaskMetrics } from '../src/io/readTaskMetrics.js';
import { InputError } from '../src/errors/index.js';
import { root } from './helpers/cli.js';
import { browserTool, openWebApp, pageProblems } from './helpers/browser.js';
import { seriousViolations } from './helpers/axe.js';

/** sciq's truth: accuracy from compute alone (no task loss: the direct law in C). */
const sciq = (C: number) => 0.25 + 0.75 / (1 + Math.exp(0.8 * (Math.log(1e21) - Math.log(C))));
/** arc's truth: a task loss (bpb) from N and D, and accuracy from it through a sigmoid. */
const arcLoss = (N: number, D: number) => 0.6 + 40 / N ** 0.3 + 300 / D ** 0.3;
const arcAccuracy = (L: number) => 0.25 + 0.75 / (1 + Math.exp(8 * (L - 0.9)));
const valLoss = (N: number, D: number) => 1.8 + 400 / N ** 0.34 + 400 / D ** 0.28;

/**
 * A ladder in a long CSV: 4 sizes × 2 token budgets × 12 checkpoints, with a validation loss; sciq's
 * accuracy rises with compute, arc has a task loss and an accuracy.
 */
function ladderCsv(): string {
  const rows = ['run,N,tokens,val_loss,task,metric,value'];
  for (const N of [7e7, 1.6e8, 4e8, 1e9])
    for (const x of [1, 2])
      for (let k = 1; k <= 12; k++) {
        const D = x * k * 2.5e9 * (N / 7e7) ** 0.5;
        const at = `m${N}x${x},${N},${D},${valLoss(N, D).toFixed(5)}`;
        rows.push(`${at},sciq,acc,${sciq(6 * N * D).toFixed(5)}`);
        rows.push(`${at},arc,bpb,${arcLoss(N, D).toFixed(5)}`);
        rows.push(`${at},arc,acc,${arcAccuracy(arcLoss(N, D)).toFixed(5)}`);
      }
  return rows.join('\n') + '\n';
}

/** A task evaluated at two checkpoints only: too few to fit, so a target gets no prediction for it. */
const tooFewRows = 'm70000000x1,7e7,2.5e9,2.9,w,acc,0.3\nm70000000x1,7e7,5e9,2.8,w,acc,0.31\n';

const numbersIn = (text: string) =>
  (text.match(/[-−]?(\d+\.?\d*(e[+-]?\d+)?|NaN|Infinity)/g) ?? []).map((x) => Number(x.replace('−', '-')));

test("the downstream worker's answer is plain data (structured-clone safe), with progress in tasks", () => {
  const set = parseTaskMetrics(ladderCsv(), { source: 'ladder.csv', run: 'ladder' });
  const progress: [number, number][] = [];
  const out = runDownstream(
    [set],
    { chance: 0.25, targets: [{ label: 'target', N: 7e9, D: 1.4e11 }], replicates: 20, validationLossChain: true },
    (done, total) => progress.push([done, total]),
  );
  // What postMessage does: a law object (functions) in the answer would throw here.
  const copy = structuredClone(out);
  assert.deepEqual(
    copy.tasks.map((t) => t.task),
    ['sciq', 'arc'],
  );
  assert.deepEqual(progress, [
    [0, 2],
    [1, 2],
    [2, 2],
  ]);
  const arc = copy.tasks[1];
  assert.equal(arc.fit?.step1.law.id, 'chinchilla');
  assert.ok(Object.values(arc.fit!.step1.params).every(Number.isFinite));
  // Step 2 recovers the sigmoid's midpoint and slope from noise-free points.
  assert.ok(Math.abs(arc.fit!.step2.L0 - 0.9) < 0.01, `L0 ${arc.fit!.step2.L0}`);
  assert.ok(Math.abs(arc.fit!.step2.k - 8) < 0.3, `k ${arc.fit!.step2.k}`);
  assert.ok(copy.figures.arc && !copy.figures.sciq, 'a sigmoid figure for the two-step task only');
  assert.ok(arc.targets[0].viaValLoss?.interval, "Gadre et al.'s chain with its interval");
});

test('the downstream worker names each task a target model gets no prediction for, and why (none without a target)', () => {
  const set = parseTaskMetrics(ladderCsv() + tooFewRows, { source: 'ladder.csv', run: 'ladder' });
  const settings = { chance: 0.25, replicates: 0, validationLossChain: false };
  const asked = runDownstream([set], { ...settings, targets: [{ label: 'target', N: 7e9, D: 1.4e11 }] });
  assert.deepEqual(
    asked.tasks.map((t) => [t.task, t.targets.length]),
    [
      ['sciq', 1],
      ['arc', 1],
      ['w', 0],
    ],
  );
  assert.equal(asked.notPredicted.length, 1, JSON.stringify(asked.notPredicted));
  assert.equal(asked.notPredicted[0].task, 'w');
  assert.match(asked.notPredicted[0].reason, /1 checkpoint with an accuracy .*expected at least 5/);
  const screened = runDownstream([set], { ...settings, targets: [] });
  assert.deepEqual(screened.notPredicted, [], 'no target asked for, nothing left unanswered');
});

/** A folder as the browser gives it when a folder is chosen: every file, by its path within the folder's parent. */
function chosenFolder(dir: string): ChosenFile[] {
  const walk = (rel: string): ChosenFile[] =>
    readdirSync(join(dir, '..', rel)).flatMap((name) => {
      const path = `${rel}/${name}`;
      return statSync(join(dir, '..', path)).isDirectory()
        ? walk(path)
        : [{ path, text: readFileSync(join(dir, '..', path), 'utf8') }];
    });
  return walk(dir.replace(/^.*\//, ''));
}

test("the downstream panel reads a ladder's folder (or its manifest with its files) as the CLI reads the manifest", () => {
  const pythia = join(root, 'examples/downstream/pythia');
  const cli = readTaskMetrics([join(pythia, 'ladder.json')]);
  const folder = readChosenMetrics(chosenFolder(pythia), undefined);
  assert.deepEqual(folder.notRead, []);
  // The same runs, N from the manifest (the files have no N column), tasks and roles.
  const runsN = (d: typeof cli) => [...new Set(d.records.map((r) => `${r.run} ${r.N}`))].sort();
  assert.equal(runsN(folder.data).length, 8);
  assert.deepEqual(runsN(folder.data), runsN(cli));
  assert.equal(folder.data.records.length, cli.records.length);
  assert.deepEqual(folder.data.tasks, cli.tasks);
  assert.deepEqual([...folder.data.roles], [...cli.roles]);
  assert.equal(folder.data.records[0].file, 'pythia/runs/pythia-70m-deduped.csv', 'located in the file as chosen');

  // The manifest chosen with its files (no folder): found by name.
  const flat = chosenFolder(pythia)
    .filter((f) => /\.(csv|json)$/.test(f.path))
    .map((f) => ({ path: f.path.replace(/^.*\//, ''), text: f.text }));
  assert.deepEqual(runsN(readChosenMetrics(flat, undefined).data), runsN(cli));
  // A listed file not chosen: named, with the manifest that lists it.
  assert.throws(
    () =>
      readChosenMetrics(
        flat.filter((f) => f.path !== 'pythia-1b-deduped.csv'),
        undefined,
      ),
    (e: unknown) =>
      e instanceof InputError &&
      /runs\/pythia-1b-deduped\.csv: listed in ladder\.json, but not among the files chosen/.test(e.message),
  );

  // A folder with two manifests (the OLMo ladder's): ladder.json is read, the other said.
  const olmo = readChosenMetrics(chosenFolder(join(root, 'examples/downstream/olmo-ladder')), undefined);
  assert.deepEqual(olmo.notRead, ['olmo-ladder/ladder-3b.json']);
  assert.equal([...olmo.data.roles.values()].filter((r) => r === 'target').length, 2);
});

test("the downstream panel shows a ladder manifest's slip (a trailing comma) located, as the CLI does", () => {
  // The OLMo folder holds two manifests: a broken ladder.json was passed over for ladder-3b.json.
  const olmo = chosenFolder(join(root, 'examples/downstream/olmo-ladder')).map((f) =>
    f.path === 'olmo-ladder/ladder.json' ? { ...f, text: f.text.replace(/\}\s*\]\s*\}\s*$/, '},\n  ]\n}\n') } : f,
  );
  const broken = olmo.find((f) => f.path === 'olmo-ladder/ladder.json')!.text;
  const line = broken.split('\n').length - 2;
  assert.throws(
    () => readChosenMetrics(olmo, undefined),
    (e: unknown) =>
      e instanceof InputError &&
      e.message.startsWith(`olmo-ladder/ladder.json:${line}:3: malformed JSON: expected a value (a trailing comma`) &&
      e.message.endsWith('expected a ladder manifest ({"runs": [{"file", "run", "N"}, …]})'),
  );
  // The same text chosen as a file (no folder), with the files it lists: the same error, not the files read on their own.
  const flat = olmo
    .filter((f) => /\.(csv|json)$/.test(f.path) && !f.path.endsWith('ladder-3b.json'))
    .map((f) => ({ path: f.path.replace(/^.*\//, ''), text: f.text }))
    .reverse();
  assert.throws(
    () => readChosenMetrics(flat, undefined),
    (e: unknown) => e instanceof InputError && e.message.startsWith(`ladder.json:${line}:3: malformed JSON`),
  );
});

test("the downstream worker predicts a manifest's target runs, fitted without them", () => {
  const set = parseTaskMetrics(ladderCsv(), { source: 'ladder.csv', run: 'ladder' });
  // The largest size's two runs are targets: predicted at their N and D and compared with their accuracy.
  const roles: [string, 'target'][] = [
    ['m1000000000x1', 'target'],
    ['m1000000000x2', 'target'],
  ];
  const out = runDownstream([set], {
    chance: 0.25,
    targets: [],
    replicates: 10,
    validationLossChain: false,
    ladder: { roles, tasks: [] },
  });
  const sciqTask = out.tasks.find((t) => t.task === 'sciq')!;
  assert.deepEqual(sciqTask.targets.map((r) => r.label).sort(), ['m1000000000x1', 'm1000000000x2']);
  for (const r of sciqTask.targets) {
    assert.ok(r.actual, 'compared with its actual accuracy');
    assert.ok(Math.abs(r.accuracy - sciq(6 * r.N * r.D)) < 0.02, `${r.label}: ${r.accuracy}`);
    assert.ok(r.interval, 'with its bootstrap interval');
  }
});

test(
  'web app: the downstream panel screens uploaded task metrics and predicts a target; a bad file is located',
  { skip: browserTool.skip, timeout: 180_000 },
  async (t) => {
    const storePath = join(mkdtempSync(join(tmpdir(), 'scalelab-web-downstream-')), 'runs.db');
    RunStore.open(storePath).close();
    const { url, browser } = await openWebApp(t, { storePath });
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000);
    const problems = pageProblems(page, 'none');
    await page.goto(url);
    await page
      .getByTestId('downstream-upload')
      .setInputFiles({ name: 'ladder.csv', mimeType: 'text/csv', buffer: Buffer.from(ladderCsv() + tooFewRows) });
    // The file is read asynchronously: wait until the panel has read it (the chain's box below is offered by it).
    await page.getByTestId('downstream-files').filter({ hasText: 'from 1 file' }).waitFor();
    // A value that cannot be read is said, and holds the run back (it was dropped in silence: no target).
    await page.getByLabel('target N').fill('seven billion');
    const inputError = page.getByTestId('downstream-input-error');
    assert.match((await inputError.textContent()) ?? '', /target N: expected a number of parameters/);
    assert.equal(await page.getByTestId('downstream-run').isDisabled(), true);
    // Why, beside the button (and read with it): a disabled button that says nothing is a dead end.
    assert.equal(
      await page.getByTestId('downstream-run-unavailable').textContent(),
      'Fix the fields listed below first.',
    );
    await page.getByLabel('chance accuracy').fill('25%');
    // Read as people write them: 7B parameters, 140B tokens (the truth below is at 7e9 and 1.4e11).
    await page.getByLabel('target N').fill('7B');
    assert.match((await inputError.textContent()) ?? '', /^target: give both N and D/);
    await page.getByLabel('target D').fill('140B');
    await inputError.waitFor({ state: 'detached' });
    // The checkpoints have validation losses, so Gadre et al.'s chain is offered.
    const viaValLoss = page.getByTestId('downstream-val-loss');
    assert.equal(await viaValLoss.isEnabled(), true);
    await viaValLoss.check();
    await page.getByTestId('downstream-run').click();
    const screen = page.getByTestId('downstream-screen');
    const row = screen.locator('tbody tr').filter({ has: page.locator('th', { hasText: /^sciq$/ }) });
    await row.waitFor();
    const cells = await row.locator('th, td').allTextContents();
    assert.equal(cells[0], 'sciq');
    assert.equal(cells[1], 'predictable');
    // The truth at C = 6 × 7e9 × 1.4e11.
    const truth = sciq(6 * 7e9 * 1.4e11);
    const predicted = Number(cells[3].split(' ')[0]);
    assert.ok(Math.abs(predicted - truth) < 0.01, `${cells[3]} vs ${truth}`);
    assert.match(cells[3], /^\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]$/, 'the prediction with its interval');
    // w, too thin to fit, has no prediction at the target: said in its cell and in a line with the reason.
    const wCells = await screen
      .locator('tbody tr')
      .filter({ has: page.locator('th', { hasText: /^w$/ }) })
      .locator('th, td')
      .allTextContents();
    assert.equal(wCells[3], 'not predicted');
    assert.match(
      (await page.getByTestId('downstream-not-predicted').textContent()) ?? '',
      /^w: not predicted at the target: 1 checkpoint with an accuracy .*expected at least 5/,
    );

    // arc: the two-step method, its laws' parameters finite, the back-test of the largest size, the
    // predictions (also from validation loss, with an interval) and the sigmoid figure.
    const arc = page
      .getByTestId('downstream-panel')
      .locator('section')
      .filter({ has: page.locator('h3', { hasText: /^arc:/ }) });
    await arc.waitFor();
    assert.equal(await arc.locator('h3').textContent(), 'arc: predictable');
    for (const id of ['downstream-step1', 'downstream-step2']) {
      const text = (await arc.getByTestId(id).textContent()) ?? '';
      const numbers = numbersIn(text);
      assert.ok(numbers.length >= 5 && numbers.every(Number.isFinite), `${id}: ${text}`);
    }
    const heldOut = await arc.getByTestId('downstream-backtest').locator('tbody th').allTextContents();
    assert.deepEqual(heldOut.sort(), ['m1000000000x1', 'm1000000000x2']);
    const backtestCells = await arc
      .getByTestId('downstream-backtest')
      .locator('tbody tr')
      .first()
      .locator('td')
      .allTextContents();
    assert.ok(
      backtestCells.slice(0, 3).every((c) => Number.isFinite(Number(c))),
      backtestCells.join(' | '),
    );
    assert.match(backtestCells[3], /^[+−]\d+\.\d %$/);
    assert.match(
      (await arc.getByTestId('downstream-via-val-loss').textContent()) ?? '',
      /^\d\.\d{3}( held)? \[\d\.\d{3}, \d\.\d{3}\]$/,
    );
    const figure = arc.locator('[data-testid^="figure-downstream-"]');
    await arc.locator('[data-testid^="figure-downstream-"][data-ready="true"]').waitFor();
    assert.equal(await figure.locator('svg').count(), 1, 'the sigmoid figure is drawn');
    assert.ok((await figure.locator('svg path, svg .mark-symbol path').count()) > 10, 'with its points and line');
    // sciq has no task loss: the direct law in C, and no sigmoid figure.
    const sciqSection = page
      .getByTestId('downstream-panel')
      .locator('section')
      .filter({ has: page.locator('h3', { hasText: /^sciq:/ }) });
    assert.match((await sciqSection.getByTestId('downstream-direct').textContent()) ?? '', /of x = −ln C/);
    assert.equal(await sciqSection.locator('[data-testid^="figure-downstream-"]').count(), 0);
    assert.deepEqual(
      await seriousViolations(page, '[data-testid="downstream-panel"]'),
      [],
      'axe: the downstream panel',
    );
    // Announced (the focus stays on the button pressed), and on a phone each task's tables scroll in boxes a
    // keyboard reaches (axe: scrollable-region-focusable).
    assert.match((await page.getByTestId('downstream-announcer').textContent()) ?? '', /^Screened \d+ tasks/);
    const viewport = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 844 });
    assert.deepEqual(
      await seriousViolations(page, '[data-testid="downstream-panel"]'),
      [],
      'axe: the downstream panel on a phone',
    );
    if (viewport) await page.setViewportSize(viewport);

    await page.getByTestId('downstream-upload').setInputFiles({
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('run,N,tokens,task,metric,value\na,1e8,1e9,sciq,acc,high\n'),
    });
    await page.getByTestId('error-location').waitFor();
    assert.match((await page.getByTestId('error-location').textContent()) ?? '', /bad\.csv at line 2, column 6/);
    // A value given twice for one run, checkpoint, task and metric: the same again counts once, another is
    // refused where it stands (the panel dropped such rows silently).
    await page.getByTestId('downstream-upload').setInputFiles({
      name: 'twice.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        ladderCsv() +
          ladderCsv()
            .split('\n')[1]
            .replace(/,[^,]*$/, ',0.9') +
          '\n',
      ),
    });
    // Refused as the files are read (the files are merged there, as the CLI reads them), in place of
    // bad.csv's error; the run is not offered. The repeated row is the file's last line.
    const line = ladderCsv().trimEnd().split('\n').length + 1;
    await page
      .getByTestId('error-location')
      .filter({ hasText: /twice\.csv/ })
      .waitFor();
    assert.match(
      (await page.getByTestId('error-location').textContent()) ?? '',
      new RegExp(`twice\\.csv at line ${line}\\b`),
    );
    assert.equal(await page.getByTestId('downstream-run').isDisabled(), true);

    // An lm-eval results file names its checkpoint by step only: the panel asks for the tokens per step
    // in its own field (the message named a command-line flag the page has no control for).
    await page.getByTestId('downstream-upload').setInputFiles({
      name: 'lm-eval-pythia-160m.json',
      mimeType: 'application/json',
      buffer: readFileSync(join(root, 'test/fixtures/downstream/lm-eval-pythia-160m-step143000.json')),
    });
    await page.getByTestId('error-location').waitFor({ state: 'detached' });
    await page.getByTestId('downstream-run').click();
    const noTokens = page.getByTestId('downstream-panel').getByTestId('error-message');
    await noTokens.waitFor();
    const noTokensText = (await noTokens.textContent()) ?? '';
    assert.match(noTokensText, /without tokens.*"tokens per step" in the Downstream accuracy panel/, noTokensText);
    assert.doesNotMatch(noTokensText, /--batch-tokens/);
    await page.getByTestId('downstream-batch-tokens').fill('two million');
    assert.match(
      (await page.getByTestId('downstream-batch-error').textContent()) ?? '',
      /^tokens per step: expected a positive number/,
    );
    await page.getByTestId('downstream-batch-tokens').fill('2097152');
    await noTokens.waitFor({ state: 'detached' });
    await page.getByLabel('target N').fill('');
    await page.getByLabel('target D').fill('');
    await page.getByTestId('downstream-run').click();
    // Read with D = 143000 × 2097152: screened (one run is too few to predict, and says so).
    const piqa = page
      .getByTestId('downstream-screen')
      .locator('tbody tr')
      .filter({ has: page.locator('th', { hasText: /^piqa$/ }) });
    await piqa.waitFor();
    assert.match((await piqa.locator('td').last().textContent()) ?? '', /1 run with a final accuracy/);
    // No target asked for: said so, not "no bootstrap replicates" while 50 are chosen.
    assert.match(
      (await page.getByTestId('downstream-interval-note').textContent()) ?? '',
      /^No target model, so no prediction: give target N and D/,
    );

    // The bundled ladders, chosen as a folder: their files have no N column, the manifest gives it (the
    // panel read no manifest, so Pythia could not be used). Verdicts as `downstream screen` gives them.
    await page.getByLabel('chance accuracy').fill('');
    await page.getByTestId('downstream-folder').setInputFiles(join(root, 'examples/downstream/pythia'));
    const summary = page.getByTestId('downstream-files');
    await summary.filter({ hasText: /from 8 files \(a ladder manifest's runs\)/ }).waitFor();
    await page.getByTestId('downstream-run').click();
    const verdictOf = async (task: string) =>
      (
        await page
          .getByTestId('downstream-screen')
          .locator('tbody tr')
          .filter({ has: page.locator('th', { hasText: new RegExp(`^${task}$`) }) })
          .locator('td')
          .first()
          .textContent()
      )?.trim();
    await page.getByTestId('downstream-screen').locator('th', { hasText: /^wsc$/ }).waitFor();
    assert.equal(await page.getByTestId('downstream-screen').locator('tbody tr').count(), 8);
    assert.equal(await verdictOf('logiqa'), 'near chance');
    assert.equal(await verdictOf('wsc'), 'near chance');
    assert.equal(await verdictOf('sciq'), 'predictable');
    assert.equal(await verdictOf('piqa'), 'predictable');
    // The Gemstones' 22 shapes: 9 tasks, each with a task loss (ce), so each fitted in two steps.
    await page.getByTestId('downstream-folder').setInputFiles(join(root, 'examples/downstream/gemstones'));
    await summary.filter({ hasText: /from 22 files \(a ladder manifest's runs\)/ }).waitFor();
    await page.getByTestId('downstream-run').click();
    await page
      .getByTestId('downstream-screen')
      .locator('th', { hasText: /^winogrande$/ })
      .waitFor();
    assert.equal(await page.getByTestId('downstream-screen').locator('tbody tr').count(), 9);
    assert.match((await page.getByTestId('downstream-step1').first().textContent()) ?? '', /\(rms ln .*, 22 runs\)/);
    assert.deepEqual(problems, []);
  },
);

/** arc's accuracy under a second metric, acc_norm: another sigmoid of the same task loss (midpoint 1.0, not 0.9). */
const arcNormAccuracy = (L: number) => 0.25 + 0.75 / (1 + Math.exp(6 * (L - 1.0)));

/** ladderCsv with arc also scored as acc_norm, which the analysis prefers over acc by default. */
function twoMetricCsv(): string {
  const lines = ladderCsv().trimEnd().split('\n');
  const out = [lines[0]];
  for (const line of lines.slice(1)) {
    out.push(line);
    const m = /^(.*),arc,bpb,([0-9.]+)$/.exec(line);
    if (m) out.push(`${m[1]},arc,acc_norm,${arcNormAccuracy(Number(m[2])).toFixed(5)}`);
  }
  return out.join('\n') + '\n';
}

test("the downstream worker reads each task's chosen metrics and chance level through the CLI's resolver", () => {
  const set = parseTaskMetrics(twoMetricCsv(), { source: 'ladder.csv', run: 'ladder' });
  const settings = { targets: [], replicates: 0, validationLossChain: false };
  const byDefault = runDownstream([set], settings).tasks.find((t) => t.task === 'arc')!;
  assert.equal(byDefault.accuracyMetric, 'acc_norm', 'acc_norm preferred, as the CLI');
  assert.ok(Math.abs(byDefault.fit!.step2.L0 - 1.0) < 0.02, `L0 ${byDefault.fit!.step2.L0}`);
  const perTask = { accuracyMetric: { arc: 'acc' }, lossMetric: {}, chance: { arc: 0.25 } };
  const chosen = runDownstream([set], { ...settings, perTask }).tasks.find((t) => t.task === 'arc')!;
  assert.equal(chosen.accuracyMetric, 'acc');
  assert.ok(Math.abs(chosen.fit!.step2.L0 - 0.9) < 0.02, `L0 ${chosen.fit!.step2.L0}`);
  assert.equal(chosen.screen!.chance, 0.25);
  assert.deepEqual(chosen.screen!.chanceFrom, { from: 'option' });
  assert.equal(byDefault.screen!.chance, undefined, 'arc is no benchmark known here: no chance level by default');
  // A metric the task does not have: refused as the CLI refuses it, named in the panel's words.
  assert.throws(
    () => runDownstream([set], { ...settings, perTask: { ...perTask, accuracyMetric: { arc: 'f1' } } }),
    (e: unknown) =>
      e instanceof Error &&
      e.message === 'accuracy metric arc=f1: task "arc" has no metric "f1"; it has: bpb, acc_norm, acc',
  );
});

test(
  'web app: the downstream panel takes an accuracy metric per task; the fit changes and the metric is named',
  { skip: browserTool.skip, timeout: 180_000 },
  async (t) => {
    const storePath = join(mkdtempSync(join(tmpdir(), 'scalelab-web-downstream-')), 'runs.db');
    RunStore.open(storePath).close();
    const { url, browser } = await openWebApp(t, { storePath });
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000);
    const problems = pageProblems(page, 'none');
    await page.goto(url);
    await page
      .getByTestId('downstream-upload')
      .setInputFiles({ name: 'ladder.csv', mimeType: 'text/csv', buffer: Buffer.from(twoMetricCsv()) });
    const choices = page.getByTestId('downstream-task-choices');
    await choices.locator('summary').click();
    // Each task's metrics as the files have them, the analysis's default marked; its chance level or the floor.
    const arcAccuracy = page.getByLabel('accuracy metric of arc');
    assert.deepEqual(await arcAccuracy.locator('option').allTextContents(), ['acc_norm (default)', 'acc', 'bpb']);
    assert.deepEqual(await page.getByLabel('task-loss metric of arc').locator('option').allTextContents(), [
      'bpb (default)',
      'acc',
      'acc_norm',
    ]);
    const chanceOf = (task: string) =>
      choices
        .getByTestId('downstream-task-choice')
        .filter({ has: page.locator('th', { hasText: new RegExp(`^${task}$`) }) })
        .locator('.muted')
        .textContent();
    assert.equal(await chanceOf('sciq'), "0.250 (SciQ's 4 answer choices) (default)");
    assert.equal(await chanceOf('arc'), 'none: the floor 0 (default)');

    const run = async () => {
      await page.getByTestId('downstream-run').click();
      await page.getByTestId('downstream-result').waitFor();
    };
    const arcSection = page
      .getByTestId('downstream-panel')
      .locator('section')
      .filter({ has: page.locator('h3', { hasText: /^arc:/ }) });
    const arcWhy = page
      .getByTestId('downstream-screen')
      .locator('tbody tr')
      .filter({ has: page.locator('th', { hasText: /^arc$/ }) })
      .locator('td')
      .last();
    await run();
    await arcWhy.filter({ hasText: /accuracy metric: arc acc_norm/ }).waitFor();
    const step2Default = (await arcSection.getByTestId('downstream-step2').textContent()) ?? '';
    assert.match((await arcSection.locator('th', { hasText: /^step 2/ }).textContent()) ?? '', /\(acc_norm\)/);

    // acc for arc, and a chance level: analysed with them, and said so.
    await arcAccuracy.selectOption('acc');
    await page.getByLabel('chance level of arc').fill('0.25');
    await run();
    await arcWhy.filter({ hasText: /accuracy metric: arc acc(;|$)/ }).waitFor();
    assert.match((await arcSection.locator('th', { hasText: /^step 2/ }).textContent()) ?? '', /\(acc\)/);
    const step2Chosen = (await arcSection.getByTestId('downstream-step2').textContent()) ?? '';
    assert.notEqual(step2Chosen, step2Default, 'the fit changed');
    assert.match((await arcWhy.textContent()) ?? '', /chance level \(random guessing\): .*arc 0\.250/);
    assert.doesNotMatch((await arcWhy.textContent()) ?? '', /no chance level/);
    // A level that cannot be read holds the run back, named by its task.
    await page.getByLabel('chance level of arc').fill('a quarter');
    assert.match(
      (await page.getByTestId('downstream-input-error').textContent()) ?? '',
      /chance level of arc: expected a fraction/,
    );
    assert.equal(await page.getByTestId('downstream-run').isDisabled(), true);
    assert.deepEqual(
      await seriousViolations(page, '[data-testid="downstream-panel"]'),
      [],
      'axe: the per-task controls',
    );
    assert.deepEqual(problems, []);
  },
);
