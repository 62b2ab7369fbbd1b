/**
 * The web app's optimiser settings: the planner's learning rate, batch and critical batch as `plan
 * --hparams-preset` adds them (the same core function, hyperparametersFromPreset, and plan's own text,
 * planTrainingLines), checked against the CLI on the same fit and budget; and the optimiser panel's laws
 * fitted to a sweep, as `hparams --sweep` fits them (the same core function, in a worker).
 *
 * The browser test needs the built app: `npx vite build --config web/vite.config.ts --logLevel warn`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRuns } from '../src/io/parseRuns.js';
import { autoFitToJson } from '../src/fit/summary.js';
import { chooseProcedure } from '../src/fit/auto.js';
import { planTrainingLines } from '../src/report/text/plan.js';
import { hparamLawText } from '../src/report/text/hparams.js';
import { formatInterval, formatNumber } from '../src/core/format.js';
import { defaultHparamsPreset, hparamPresets } from '../src/hparams/laws.js';
import { defaultPlannerInputs, planFor } from '../web/src/hooks/usePlan.js';
import { readUrlState } from '../web/src/lib/urlState.js';
import { root, scalelab } from './helpers/cli.js';
import { browserTool, openWebApp, pageProblems } from './helpers/browser.js';
import { seriousViolations } from './helpers/axe.js';

/** CS336's IsoFLOP runs fitted as the app fits a bundled data set (procedure auto, no bootstrap), saved for plan --fit. */
function cs336Fit(): { json: ReturnType<typeof autoFitToJson>; file: string } {
  const data = parseRuns(readFileSync(join(root, 'examples/cs336-isoflops.json'), 'utf8'), {
    source: 'examples/cs336-isoflops.json',
  });
  const json = autoFitToJson(chooseProcedure(data));
  const file = join(mkdtempSync(join(tmpdir(), 'scalelab-web-hparams-')), 'fit.json');
  writeFileSync(file, JSON.stringify(json));
  return { json, file };
}

/** plan's flag for a preset: none for the default, which plan then marks "(default)" as the page does. */
const presetFlag = (preset: string) => (preset === defaultHparamsPreset ? [] : ['--hparams-preset', preset]);

/** plan's text lines after a label ("  learning rate      4.18e-4; …"), the label dropped: as the page shows them. */
function cliTrainingLines(stdout: string): Map<string, string> {
  const lines = new Map<string, string>();
  for (const label of ['learning rate', 'critical batch', 'batch trade-off']) {
    const line = stdout.split('\n').find((l) => l.startsWith(`  ${label} `));
    if (line) lines.set(label, line.slice(2 + label.length).trim());
  }
  return lines;
}

test("the web planner's learning rate, batch and critical batch are plan --hparams-preset's, in plan's words", () => {
  const { json, file } = cs336Fit();
  for (const preset of hparamPresets.map((p) => p.id)) {
    const web = new Map(
      planTrainingLines(
        planFor(json, { ...defaultPlannerInputs, mode: 'flops', flops: '1e23', hparamsPreset: preset }),
      ),
    );
    const cli = scalelab(['plan', '--fit', file, '--C', '1e23', ...presetFlag(preset)]);
    assert.equal(cli.code, 0, cli.stderr);
    const want = cliTrainingLines(cli.stdout);
    assert.equal(want.size, 3, cli.stdout);
    assert.equal(web.get('critical batch'), want.get('critical batch'));
    assert.equal(web.get('batch trade-off'), want.get('batch trade-off'));
    // The default preset is marked as plan marks it, in the page's words for where to choose another.
    if (preset === defaultHparamsPreset) {
      assert.equal(
        web.get('learning rate'),
        want
          .get('learning rate')!
          .replace(
            '(the default; choose with --hparams-preset or --sweep)',
            "(the default; choose another with the planner's learning-rate preset)",
          ),
      );
      assert.match(web.get('learning rate')!, /preset deepseek-2024 \(the default; choose another/);
    } else {
      assert.equal(web.get('learning rate'), want.get('learning rate'));
      assert.doesNotMatch(web.get('learning rate')!, /default/);
    }
  }
  // plan's default when no preset is given is the planner's.
  const plain = scalelab(['plan', '--fit', file, '--C', '1e23', '--json']);
  const web = planFor(json, { ...defaultPlannerInputs, mode: 'flops', flops: '1e23' }).recommendation.hyperparameters!;
  const cli = plain.json().recommendation.hyperparameters;
  assert.equal(web.learningRate, cli.learningRate);
  assert.equal(web.batchTokens, cli.batchTokens);
});

test('the web planner with unique tokens plans as plan --unique-tokens: a data-constrained fit repeats epochs, any other law warns', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-web-unique-'));
  const fitFile = join(dir, 'dc.json');
  const fitted = scalelab([
    'fit',
    'examples/datablations-fit-182.csv',
    '--law',
    'data-constrained',
    '--preset',
    'muennighoff-2023',
    '--free',
    'R_N,R_D',
    '--init',
    'R_N=6.667,R_D=6.667',
    '--out',
    fitFile,
  ]);
  assert.equal(fitted.code, 0, fitted.stderr);
  const json = JSON.parse(readFileSync(fitFile, 'utf8'));
  const inputs = { ...defaultPlannerInputs, mode: 'flops' as const, flops: '1e22' };
  // Without the cap a data-constrained law has no plan: the field says so, as plan asks for --unique-tokens.
  assert.throws(() => planFor(json, inputs), /needs the unique tokens available: give them in "Unique tokens"/);
  const web = planFor(json, { ...inputs, uniqueTokens: '25B' });
  const cli = scalelab(['plan', '--fit', fitFile, '--C', '1e22', '--unique-tokens', '25e9', '--json']);
  assert.equal(cli.code, 0, cli.stderr);
  const want = cli.json();
  for (const k of ['N', 'D', 'loss', 'epochs'] as const)
    assert.equal((web.recommendation as unknown as Record<string, number>)[k], want.recommendation[k], k);
  assert.ok(want.recommendation.epochs > 1, 'the cap binds: more than one epoch');
  assert.equal(web.recommendation.allocationSource, want.recommendation.allocationSource);
  assert.match(web.recommendation.allocationSource, /with 2\.5e10 unique tokens, epochs repeated as needed/);
  const repeats = web.assumptions.find((a) => a.startsWith('2.5e10 unique tokens'));
  assert.ok(repeats && want.assumptions.includes(repeats), repeats);

  // A law with no unique-token input plans as if every token were fresh, and says so as plan does.
  const { json: chinchilla, file } = cs336Fit();
  const fresh = planFor(chinchilla, { ...inputs, flops: '1e23', uniqueTokens: '5e10' });
  const plain = planFor(chinchilla, { ...inputs, flops: '1e23' });
  assert.equal(fresh.recommendation.N, plain.recommendation.N);
  const cliFresh = scalelab(['plan', '--fit', file, '--C', '1e23', '--unique-tokens', '5e10', '--json']).json();
  const warning = (p: { warnings: { code: string; message: string }[] }) =>
    p.warnings.find((w) => w.code === 'repeated-data')?.message;
  assert.ok(warning(fresh));
  assert.equal(warning(fresh), warning(cliFresh));
  assert.throws(
    () => planFor(chinchilla, { ...inputs, uniqueTokens: 'lots' }),
    /Unique tokens.*a number of tokens such as 4e11/,
  );
});

test("the planner's learning-rate preset is kept in the URL; an unknown one is read as the default", () => {
  assert.equal(readUrlState('?plan.hparamsPreset=porian-2024').planner.hparamsPreset, 'porian-2024');
  assert.equal(readUrlState('?plan.hparamsPreset=kaplan-2020').planner.hparamsPreset, defaultHparamsPreset);
  assert.equal(readUrlState('?plan.uniqueTokens=25B').planner.uniqueTokens, '25B');
});

test(
  'web app: the planner shows the learning rate, batch and critical batch as plan prints them, and follows the preset',
  { skip: browserTool.skip, timeout: 180_000 },
  async (t) => {
    const { file } = cs336Fit();
    const { url, browser } = await openWebApp(t, {
      storePath: join(mkdtempSync(join(tmpdir(), 'scalelab-web-hparams-')), 'runs.db'),
      datasets: [
        {
          id: 'cs336-isoflops',
          name: 'CS336 IsoFLOP runs (72 runs)',
          file: join(root, 'examples', 'cs336-isoflops.json'),
          path: 'examples/cs336-isoflops.json',
          description: 'Stanford CS336 Assignment 3',
        },
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(60_000);
    const problems = pageProblems(page);
    await page.goto(url);
    await page.getByTestId('dataset-cs336-isoflops').click();
    await page.getByTestId('planner-mode-flops').check();
    await page.getByTestId('planner-flops').fill('1e23');
    const select = page.getByTestId('planner-hparams-preset');
    assert.equal(await select.inputValue(), defaultHparamsPreset);
    assert.match((await select.locator('option:checked').textContent()) ?? '', /deepseek-2024 \(in C\) \(default\)/);
    const shown = async (id: string) => (await page.getByTestId(id).innerText()).replace(/\s+/g, ' ').trim();
    for (const preset of hparamPresets.map((p) => p.id)) {
      await select.selectOption(preset);
      const cli = scalelab(['plan', '--fit', file, '--C', '1e23', ...presetFlag(preset)]);
      const want = cliTrainingLines(cli.stdout);
      // The page follows the preset (the line names it), then says what plan says.
      await page
        .getByTestId('plan-learning-rate')
        .filter({ hasText: `preset ${preset}` })
        .waitFor();
      const lr = want.get('learning rate')!.replace(/\s+/g, ' ');
      assert.equal(
        await shown('plan-learning-rate'),
        preset === defaultHparamsPreset
          ? lr.replace(
              '(the default; choose with --hparams-preset or --sweep)',
              "(the default; choose another with the planner's learning-rate preset)",
            )
          : lr,
      );
      assert.equal(await shown('plan-critical-batch'), want.get('critical batch')!.replace(/\s+/g, ' '));
      assert.equal(await shown('plan-batch-tradeoff'), want.get('batch trade-off')!.replace(/\s+/g, ' '));
    }
    assert.match(page.url(), /plan\.hparamsPreset=porian-2024/);
    // The planner with its new rows and preset select: no serious or critical axe violation.
    assert.deepEqual(await seriousViolations(page), [], 'axe: the planner with a preset');
    // A cap on unique data, as plan --unique-tokens: this law has no unique-token input, so the plan says
    // the run repeats the data and warns that its loss assumes fresh tokens, in plan's words.
    await page.getByTestId('planner-unique').fill('5e10');
    await page.getByTestId('plan-warnings').filter({ hasText: 'no unique-token input' }).waitFor();
    const capped = scalelab(['plan', '--fit', file, '--C', '1e23', '--unique-tokens', '5e10', '--json']).json();
    const repeated = capped.warnings.find((w: { code: string }) => w.code === 'repeated-data').message;
    assert.ok((await page.getByTestId('plan-warnings').innerText()).includes(repeated), repeated);
    const assumption = capped.assumptions.find((a: string) => a.startsWith('5e10 unique tokens'));
    assert.ok((await page.getByTestId('plan-assumptions').innerText()).includes(assumption), assumption);
    await page.getByTestId('planner-unique').fill('plenty');
    assert.match(
      (await page.getByTestId('planner-error').textContent()) ?? '',
      /Unique tokens.*a number of tokens such as 4e11/,
    );
    assert.deepEqual(problems, []);
  },
);

/** The example sweep cut to learning rates up to 1e-3: every budget's best run at the highest rate swept. */
function cutSweep(): string {
  const text = readFileSync(join(root, 'examples/inputs/sweep.csv'), 'utf8');
  const [header, ...rows] = text.trim().split('\n');
  return [header, ...rows.filter((r) => Number(r.split(',')[2]) <= 1e-3)].join('\n') + '\n';
}

test(
  "web app: the optimiser panel fits η*(C) and B*(C) to a sweep in a worker, as hparams --sweep does, at the planner's C, with the grid-edge warnings and a located upload error",
  { skip: browserTool.skip, timeout: 240_000 },
  async (t) => {
    const { url, browser } = await openWebApp(t, {
      storePath: join(mkdtempSync(join(tmpdir(), 'scalelab-web-hparams-')), 'runs.db'),
      datasets: [
        {
          id: 'cs336-isoflops',
          name: 'CS336 IsoFLOP runs (72 runs)',
          file: join(root, 'examples', 'cs336-isoflops.json'),
          path: 'examples/cs336-isoflops.json',
          description: 'Stanford CS336 Assignment 3',
        },
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(60_000);
    const problems = pageProblems(page);
    await page.goto(url);
    const panel = page.getByTestId('hparams-panel');
    await panel.getByTestId('hparams-example').click();
    // No plan yet, no C to predict at: the panel says so and waits.
    assert.equal(await panel.getByTestId('hparams-run').isDisabled(), true);
    assert.match(
      (await panel.getByTestId('hparams-at').textContent()) ?? '',
      /The planner: Open a data set: the planner uses the current fit\./,
    );
    // The budget is typed while the data set is being fitted: the planner's field must be the same element
    // once the fit arrives (it was replaced, and what was typed into the old one could be lost — a CI run did).
    await page.getByTestId('planner-mode-flops').check();
    await page.getByTestId('planner-flops').evaluate((el) => el.setAttribute('data-typed-before-fit', ''));
    await page.getByTestId('dataset-cs336-isoflops').click();
    await page.getByTestId('planner-flops').fill('1e21');
    await page.getByTestId('plan-N').waitFor();
    assert.equal(await page.locator('[data-testid="planner-flops"][data-typed-before-fit]').count(), 1);
    // Nor is the focus taken from the field when the fit arrives (it went to the result's heading, a frame
    // after the fit was announced, and the rest of a budget typed by hand with it).
    await page
      .getByTestId('announcer')
      .filter({ hasText: /^Fitted / })
      .waitFor();
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    assert.equal(
      await page.evaluate('document.activeElement.getAttribute("data-testid") || document.activeElement.id'),
      'planner-flops',
      'the focus stays in the field typed into',
    );
    // Nor from a select being worked by its keys when a result arrives: the data set is opened again, held at
    // the server until the planner's preset list has the focus, so the focus is there before the fit arrives.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/datasets/cs336-isoflops', async (route) => {
      await held;
      await route.continue();
    });
    // Every announcement from here on is recorded: "Opened …" can be replaced by "Fitted …" between two polls
    // of a locator (a CI-loaded run missed it), and the first open's "Fitted …" is still there before.
    await page.evaluate(`(() => {
      const el = document.querySelector('[data-testid="announcer"]');
      window.__said = [];
      new MutationObserver(() => window.__said.push(el.textContent || '')).observe(el, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    })()`);
    await page.getByTestId('dataset-cs336-isoflops').click();
    await page.getByTestId('planner-hparams-preset').focus();
    release();
    // Announced all the same: opened, then fitted.
    await page.waitForFunction(() => {
      const said: string[] = (globalThis as unknown as { __said: string[] }).__said;
      const opened = said.findIndex((t) => t.startsWith('Opened '));
      return opened >= 0 && said.slice(opened + 1).some((t) => t.startsWith('Fitted '));
    });
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    assert.equal(
      await page.evaluate('document.activeElement.getAttribute("data-testid") || document.activeElement.id'),
      'planner-hparams-preset',
      'the focus stays in the select being chosen in',
    );
    await page.unroute('**/api/datasets/cs336-isoflops');
    await panel.getByTestId('hparams-at').filter({ hasText: 'C = 1e21 FLOPs' }).waitFor();
    await panel.getByTestId('hparams-replicates').selectOption('50');

    const dir = mkdtempSync(join(tmpdir(), 'scalelab-web-hparams-'));
    const shown = async (id: string) => ((await panel.getByTestId(id).textContent()) ?? '').trim();
    for (const sweep of [
      { name: 'examples/inputs/sweep.csv', cwd: root, upload: undefined },
      // Run where it lies, so the CLI names it as the page does (by its name).
      { name: 'cut.csv', cwd: dir, upload: cutSweep() },
    ]) {
      if (sweep.upload !== undefined) {
        writeFileSync(join(dir, sweep.name), sweep.upload);
        await panel
          .getByTestId('hparams-upload')
          .setInputFiles({ name: sweep.name, mimeType: 'text/csv', buffer: Buffer.from(sweep.upload) });
        // The file is read asynchronously: wait until the panel names it before fitting.
        await panel
          .getByTestId('hparams-at')
          .filter({ hasText: `Sweep: ${sweep.name}.` })
          .waitFor();
      }
      await panel.getByTestId('hparams-run').click();
      await panel.getByTestId('hparams-result').waitFor();
      const args = ['hparams', '--sweep', sweep.name, '--C', '1e21', '--bootstrap', '50'];
      const json = scalelab([...args, '--json'], { cwd: sweep.cwd });
      assert.equal(json.code, 0, json.stderr);
      const cli = json.json();
      assert.equal(await shown('hparams-lr-law'), hparamLawText('η_opt', cli.laws.lr, 'C'));
      assert.equal(await shown('hparams-batch-law'), hparamLawText('B_opt', cli.laws.batch, 'C', ' tokens'));
      assert.ok(cli.laws.lr.interval, 'the laws carry bootstrap intervals');
      assert.match(await shown('hparams-lr-law'), /\(coefficient \[[^\]]+\], exponent \[[^\]]+\]\)$/);
      const f4 = (v: number) => formatNumber(v, 4);
      const iv = (i: [number, number]) => formatInterval(i, 3, '95 % ');
      assert.equal(
        (await shown('hparams-prediction')).replace(/\s+/g, ' '),
        `At C = 1e21: learning rate ${f4(cli.learningRate)} ${iv(cli.learningRateInterval)}; batch ${f4(cli.batchTokens)} tokens ${iv(cli.batchInterval)}`,
      );
      // The warnings, the grid-edge ones included, in the CLI's words.
      const warnings = panel.getByTestId('hparams-warnings').locator('li');
      assert.deepEqual(
        await warnings.allTextContents(),
        cli.laws.warnings.map((w: string) => `warning: ${w}`),
      );
      // The whole fit as the command prints it, its defaults named by the panel's fields.
      const text = scalelab(args, { cwd: sweep.cwd }).stdout;
      assert.equal(
        await panel.getByTestId('hparams-report').textContent(),
        text
          .replace('(default, --seq-len)', "(default, the command line's sequence length)")
          .replace('(default, --near-optimal)', '(default, the near-optimal field)'),
      );
      assert.deepEqual(
        await seriousViolations(page, '[data-testid="hparams-panel"]'),
        [],
        'axe: the optimiser panel with a fit',
      );
      if (sweep.upload === undefined) {
        // On a phone the panel's table and the main view's (the fit's parameters, the plan, the frontier) are wider
        // than the screen: each scrolls in a box a keyboard reaches (axe: scrollable-region-focusable).
        await page.setViewportSize({ width: 390, height: 844 });
        assert.ok((await page.locator('.table-scroll [data-testid="params"]').count()) === 1, 'the fit is shown');
        assert.deepEqual(
          await seriousViolations(page),
          [],
          'axe: the page with a fit and the optimiser panel, on a phone',
        );
        await page.setViewportSize({ width: 1400, height: 1000 });
      }
      if (sweep.upload === undefined) {
        assert.equal(cli.laws.budgets.filter((b: { lrEdge?: string }) => b.lrEdge).length, 0);
      } else {
        assert.ok(cli.laws.budgets.every((b: { lrEdge?: string }) => b.lrEdge === 'highest'));
        assert.match(
          (await warnings.allTextContents()).join('\n'),
          /the best run's learning rate is the highest swept: .*extend the sweep to larger learning rates/,
        );
        assert.match(
          (await panel.getByTestId('hparams-budgets').innerText()) ?? '',
          /best at the highest learning rate swept/,
        );
      }
    }

    // A bad value: the error names the file, the line and the column, and what to do next.
    const bad = readFileSync(join(root, 'examples/inputs/sweep.csv'), 'utf8').replace(
      /\n1e17,28867513,0\.00025,92682,/,
      '\n1e17,28867513,fast,92682,',
    );
    await panel
      .getByTestId('hparams-upload')
      .setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    // The file is read asynchronously: wait until the panel names it before fitting.
    await panel.getByTestId('hparams-at').filter({ hasText: `Sweep: bad.csv.` }).waitFor();
    await panel.getByTestId('hparams-run').click();
    await panel.getByTestId('error-message').waitFor();
    assert.equal(await panel.getByTestId('hparams-result').count(), 0);
    const where = (await panel.getByTestId('error').innerText()).replace(/\s+/g, ' ');
    assert.match(where, /bad\.csv/);
    assert.match(where, /line 3/);
    assert.match(where, /"fast"/);
    assert.deepEqual(
      await seriousViolations(page, '[data-testid="hparams-panel"]'),
      [],
      'axe: the optimiser panel with an error',
    );
    // A sweep with no batch column: the panel's advice, not a flag.
    const noBatch = 'C,lr,loss\n1e17,0.001,4.6\n1e17,0.002,4.5\n1e18,0.001,4.1\n1e18,0.002,4.0\n';
    await panel
      .getByTestId('hparams-upload')
      .setInputFiles({ name: 'nobatch.csv', mimeType: 'text/csv', buffer: Buffer.from(noBatch) });
    // The file is read asynchronously: wait until the panel names it before fitting.
    await panel.getByTestId('hparams-at').filter({ hasText: `Sweep: nobatch.csv.` }).waitFor();
    await panel.getByTestId('hparams-run').click();
    await panel.getByTestId('error-message').filter({ hasText: 'batch' }).waitFor();
    const said = (await panel.getByTestId('error').innerText()).replace(/\s+/g, ' ');
    assert.match(said, /give the file a column named batch/);
    assert.doesNotMatch(said, /--columns/);
    assert.deepEqual(problems, []);
  },
);

test(
  'web app: with a data set open and fitted, the optimiser panel says why the planner has no budget (a planner field that cannot be read, and where), as the planner says it — not "open a data set"',
  { skip: browserTool.skip, timeout: 180_000 },
  async (t) => {
    const { url, browser } = await openWebApp(t, {
      storePath: join(mkdtempSync(join(tmpdir(), 'scalelab-web-hparams-')), 'runs.db'),
      datasets: [
        {
          id: 'cs336-isoflops',
          name: 'CS336 IsoFLOP runs (72 runs)',
          file: join(root, 'examples', 'cs336-isoflops.json'),
          path: 'examples/cs336-isoflops.json',
          description: 'Stanford CS336 Assignment 3',
        },
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(60_000);
    const problems = pageProblems(page);
    await page.goto(url);
    const panel = page.getByTestId('hparams-panel');
    await panel.getByTestId('hparams-example').click();
    // A budget that cannot be read before the fit arrives: no plan was ever made, so none is kept.
    await page.getByTestId('planner-mode-flops').check();
    await page.getByTestId('planner-flops').fill('1e2x');
    await page.getByTestId('dataset-cs336-isoflops').click();
    await page.getByTestId('fit-status').filter({ hasText: 'up to date' }).waitFor();
    await page.getByTestId('planner-error').waitFor();
    const planner = (await page.getByTestId('planner-error').textContent()) ?? '';
    assert.match(planner, /^Training FLOPs: .*expected a number of FLOPs such as 1e24/);
    const at = (await panel.getByTestId('hparams-at').textContent()) ?? '';
    const why = (await panel.getByTestId('hparams-run-unavailable').textContent()) ?? '';
    for (const said of [at, why]) {
      assert.doesNotMatch(said, /open a data set/i);
      // The planner's own message, and the field to fix.
      assert.ok(said.includes(`No plan until the planner's "Training FLOPs" can be read: ${planner}`), said);
    }
    assert.equal(await panel.getByTestId('hparams-run').isDisabled(), true);
    // Fixed in the planner: the panel predicts at its budget.
    await page.getByTestId('planner-flops').fill('1e21');
    await panel
      .getByTestId('hparams-at')
      .filter({ hasText: "Predicted at the planner's budget, C = 1e21 FLOPs" })
      .waitFor();
    assert.equal(await panel.getByTestId('hparams-run').isDisabled(), false);
    assert.deepEqual(problems, []);
  },
);
