/**
 * The web app's compare and muP transfer panels, in Node: what their worker computes is what the CLI
 * computes (the same core functions and defaults: `scalelab compare` and `scalelab mup transfer` give
 * the same numbers and verdicts), as plain data with progress in bootstrap replicates; the group
 * column offered first; a located error for a column that is not there; and the compare figure. And
 * the compare panel in Debian's chromium (the built app, web/dist; skipped without Chromium).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserTool, openWebApp, pageProblems } from './helpers/browser.js';
import { seriousViolations } from './helpers/axe.js';
import { runCompare, runMupTransfer } from '../web/src/worker/compare.js';
import { transferSlopeText, transferTargetText } from '../src/report/text/hparams.js';
import { groupColumnChoices, readGroupedRuns, readSweepRuns } from '../web/src/lib/runsFile.js';
import { defaultCompareSettings, defaultMupTransferSettings } from '../web/src/worker/protocol.js';
import { InputError } from '../src/errors/index.js';
import type { Spec } from '../src/plots/specs.js';
import { root, scalelab } from './helpers/cli.js';

const file = (path: string) => ({ name: path, text: readFileSync(join(root, path), 'utf8') });

/** Two architectures with known curves (E + A·C^(−α)), ±0.3 % alternating noise, 10 budgets each. */
const truth = {
  dense: { E: 1.7, A: 30, alpha: 0.08 },
  moe: { E: 1.6, A: 300, alpha: 0.14 },
};
function twoArchs(): string {
  const rows = ['arch,C,loss,seed_note'];
  for (const [arch, p] of Object.entries(truth))
    for (let k = 0; k < 10; k++) {
      const C = 1e17 * 10 ** (k / 2.5);
      const noise = 1 + 0.003 * (k % 2 ? 1 : -1) * (arch === 'moe' ? -1 : 1);
      rows.push(`${arch},${C},${((p.E + p.A * C ** -p.alpha) * noise).toFixed(6)},x`);
    }
  return rows.join('\n') + '\n';
}

/** Where the true curves cross (bisection in ln C): moe better above it. */
function trueCrossover(): number {
  const d = (lc: number) =>
    truth.moe.E +
    truth.moe.A * Math.exp(-truth.moe.alpha * lc) -
    truth.dense.E -
    truth.dense.A * Math.exp(-truth.dense.alpha * lc);
  let lo = Math.log(1e10),
    hi = Math.log(1e30);
  for (let k = 0; k < 200; k++) {
    const mid = (lo + hi) / 2;
    if (d(lo) * d(mid) <= 0) hi = mid;
    else lo = mid;
  }
  return Math.exp((lo + hi) / 2);
}

test('the compare worker recovers known slopes and their crossover, as plain data with progress in replicates', () => {
  const f = { name: 'archs.csv', text: twoArchs() };
  // `arch` looks like an experiment's arms (a few words over the same budgets); the numbers are not offered.
  const choices = groupColumnChoices(f);
  assert.equal(choices.guess, 'arch');
  assert.deepEqual(choices.columns, ['arch', 'seed_note']);
  const progress: number[] = [];
  const out = structuredClone(
    runCompare(readGroupedRuns(f, 'arch'), { ...defaultCompareSettings, bootstrap: 60 }, (done, total) => {
      assert.equal(total, 60);
      progress.push(done);
    }),
  );
  assert.deepEqual(
    progress,
    Array.from({ length: 61 }, (_, k) => k),
  );
  const c = out.comparison;
  assert.deepEqual(c.groups, ['dense', 'moe']);
  for (const g of c.separate) {
    const want = truth[g.group as keyof typeof truth].alpha;
    assert.ok(Math.abs(g.alpha - want) < 0.02, `${g.group}: α ${g.alpha} against ${want}`);
    assert.ok(g.interval!.alpha![0] <= g.alpha && g.alpha <= g.interval!.alpha![1]);
  }
  const x = c.crossovers[0];
  assert.equal(x.kind, 'crossover');
  assert.equal(x.betterAbove, 'moe');
  const at = trueCrossover();
  assert.ok(Math.abs(Math.log(x.at! / at)) < Math.log(2), `crossover ${x.at} against the true ${at}`);
  // The verdict is the core's, word for word in the CLI's text, after the claim within the data.
  assert.ok(out.report.includes(`Within the data: ${x.withinData!.verdict}\nVerdict: ${x.verdict}`));
  // Defaults the panel left as they were are marked, named by the panel's fields.
  assert.match(out.report, /95 % intervals \(default, the level field\), 60 bootstrap replicates resampling/);
});

test('the compare panel gives the numbers and verdicts `scalelab compare` gives, by its defaults', () => {
  const f = file('examples/inputs/archs.csv');
  const web = runCompare(readGroupedRuns(f, 'arch'), defaultCompareSettings).comparison;
  const r = scalelab(['compare', 'examples/inputs/archs.csv', '--group-column', 'arch', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const cli = JSON.parse(r.stdout) as typeof web;
  assert.deepEqual(web.separate, cli.separate);
  assert.deepEqual(web.shared, cli.shared);
  assert.equal(web.test.statement, cli.test.statement);
  assert.deepEqual(
    web.crossovers.map((c) => [c.at, c.interval, c.withinData, c.verdict]),
    cli.crossovers.map((c) => [c.at, c.interval, c.withinData, c.verdict]),
  );
  assert.equal(web.replicates, 200);
});

test("the compare figure draws each group's runs and fitted curve, and a rule at the crossover", () => {
  const out = runCompare(readGroupedRuns({ name: 'archs.csv', text: twoArchs() }, 'arch'), {
    ...defaultCompareSettings,
    bootstrap: 0,
  });
  const layers = out.figure.layer as (Spec & { name: string; data: { values: Record<string, unknown>[] } })[];
  assert.deepEqual(
    layers.map((l) => l.name),
    ['runs', 'fits', 'crossovers'],
  );
  assert.equal(layers[0].data.values.length, 20);
  const fits = layers[1].data.values;
  const dense = truth.dense;
  for (const p of fits.filter((v) => v.group === 'dense')) {
    const C = p.x as number;
    assert.ok(Math.abs((p.loss as number) / (dense.E + dense.A * C ** -dense.alpha) - 1) < 0.01);
  }
  assert.equal(layers[2].data.values[0].x, out.comparison.crossovers[0].at);
  // Without a bootstrap the verdict is not graded, and says so.
  assert.match(out.comparison.crossovers[0].verdict, /^not graded \(no bootstrap replicates\)/);
});

test('a group column that is not in the file is a located error, as the CLI gives it', () => {
  const f = file('examples/inputs/archs.csv');
  assert.throws(
    () => runCompare(readGroupedRuns(f, 'architecture'), defaultCompareSettings),
    (e: unknown) => e instanceof InputError && /architecture/.test(e.message) && /archs\.csv/.test(e.message),
  );
  // One group only: a comparison needs two.
  const one = { name: 'one.csv', text: twoArchs().replace(/^moe,/gm, 'dense,') };
  assert.throws(
    () => runCompare(readGroupedRuns(one, 'arch'), defaultCompareSettings),
    (e: unknown) =>
      e instanceof InputError && /found 1 group \(dense\): a comparison needs two or more/.test(e.message),
  );
});

test('the muP transfer panel gives the slope, interval and verdict `scalelab mup transfer` gives', () => {
  const f = file('examples/inputs/lr-sweeps.csv');
  const progress: number[] = [];
  const web = structuredClone(
    runMupTransfer(readSweepRuns(f), { ...defaultMupTransferSettings, targetWidth: 4096 }, (done) =>
      progress.push(done),
    ),
  );
  assert.deepEqual(
    progress,
    Array.from({ length: 201 }, (_, k) => k),
  );
  const r = scalelab(['mup', 'transfer', 'examples/inputs/lr-sweeps.csv', '--width', '4096', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const cli = JSON.parse(r.stdout) as typeof web.transfer & { source: string };
  const { source: _source, ...check } = cli;
  assert.deepEqual(web.transfer, check);
  // Standard parametrisation: the optimum falls about as 1/width.
  assert.equal(web.transfer.kind, 'drifts');
  assert.ok(web.report.includes(web.transfer.verdict));
});

test(
  'web app: the compare panel compares an upload by its group column in a worker, with the verdict and figure',
  { skip: browserTool.skip, timeout: 180_000 },
  async (t) => {
    const { url, browser } = await openWebApp(t, {
      storePath: join(mkdtempSync(join(tmpdir(), 'scalelab-web-compare-')), 'runs.db'),
    });
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000);
    const problems = pageProblems(page, 'none');
    await page.goto(url);
    const panel = page.getByTestId('compare-panel');
    assert.equal(await panel.getByTestId('compare-run').isDisabled(), true, 'nothing to compare before a file');
    const text = twoArchs();
    await panel
      .getByTestId('compare-upload')
      .setInputFiles({ name: 'archs.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    // The column that looks like the arms of the experiment is chosen; the CLI's defaults are marked.
    await panel.getByTestId('compare-file').waitFor();
    assert.equal(await panel.getByTestId('compare-group-column').inputValue(), 'arch');
    assert.equal(await panel.getByTestId('compare-replicates').inputValue(), '200');
    assert.match(
      (await panel.getByTestId('compare-level').locator('option:checked').textContent()) ?? '',
      /95 % \(default\)/,
    );
    await panel.getByTestId('compare-replicates').selectOption('50');
    await panel.getByTestId('compare-run').click();
    await panel.getByTestId('compare-result').waitFor();
    // The worker's numbers are the core's: the same comparison computed here in Node.
    const want = runCompare(readGroupedRuns({ name: 'archs.csv', text }, 'arch'), {
      ...defaultCompareSettings,
      bootstrap: 50,
    }).comparison;
    assert.equal(await panel.getByTestId('compare-verdict').textContent(), want.crossovers[0].verdict);
    // The claim within the data beside it, the core's words: the true curves cross below these data, so moe is
    // better across them.
    assert.equal(await panel.getByTestId('compare-within-data').textContent(), want.crossovers[0].withinData!.verdict);
    assert.ok(trueCrossover() < 1e17);
    assert.match(want.crossovers[0].withinData!.verdict, /^moe is better across C 1e17 – 4e20, the range both groups/);
    const alphas = await panel.getByTestId('compare-alpha').allTextContents();
    assert.equal(alphas.length, 2);
    alphas.forEach((a, k) => {
      assert.match(a, /^[\d.]+ \[[\d.]+, [\d.]+\]$/, 'the slope with its interval');
      assert.ok(Math.abs(Number(a.split(' ')[0]) - want.separate[k].alpha) < 1e-3, a);
    });
    assert.match((await panel.getByTestId('compare-test').textContent()) ?? '', /the exponents differ/);
    assert.match((await panel.getByTestId('compare-announcer').textContent()) ?? '', /^Compared 2 groups: /);
    await panel.locator('[data-testid="figure-compare"][data-ready="true"]').waitFor();
    assert.ok((await panel.locator('[data-testid="figure-compare"] svg path').count()) > 10, 'runs and curves drawn');
    assert.deepEqual(await seriousViolations(page, '[data-testid="compare-panel"]'), [], 'axe: the compare panel');

    // One group only: the core's error, shown in the panel.
    await panel.getByTestId('compare-upload').setInputFiles({
      name: 'one.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(text.replace(/^moe,/gm, 'dense,')),
    });
    await panel
      .getByTestId('compare-file')
      .filter({ hasText: /^one\.csv:/ })
      .waitFor();
    assert.equal(await panel.getByTestId('compare-result').count(), 0, 'the old result is gone with the new file');
    await panel.getByTestId('compare-run').click();
    await panel.getByTestId('error-message').waitFor();
    assert.match(
      (await panel.getByTestId('error-message').textContent()) ?? '',
      /found 1 group \(dense\): a comparison needs two or more/,
    );
    assert.deepEqual(problems, []);
  },
);

test(
  'web app: the muP panel checks learning-rate transfer in a worker, with the slope, verdict and a target width',
  { skip: browserTool.skip, timeout: 180_000 },
  async (t) => {
    const { url, browser } = await openWebApp(t, {
      storePath: join(mkdtempSync(join(tmpdir(), 'scalelab-web-mup-')), 'runs.db'),
    });
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000);
    const problems = pageProblems(page, 'none');
    await page.goto(url);
    const panel = page.getByTestId('mup-panel');
    // Sweeps whose columns are not named width and lr: chosen in the panel (the CLI's --columns).
    const sweeps = file('examples/inputs/lr-sweeps.csv').text.replace(/^width,lr,loss/, 'd_hidden,peak_lr,loss');
    await panel
      .getByTestId('mup-upload')
      .setInputFiles({ name: 'sweeps.csv', mimeType: 'text/csv', buffer: Buffer.from(sweeps) });
    await panel
      .getByTestId('mup-file')
      .filter({ hasText: /no width or learning-rate column recognised/ })
      .waitFor();
    assert.equal(await panel.getByTestId('mup-run').isDisabled(), true);
    await panel.getByTestId('mup-width-column').selectOption('d_hidden');
    await panel.getByTestId('mup-lr-column').selectOption('peak_lr');
    await panel.getByTestId('mup-target-width').fill('wide');
    assert.match((await panel.getByTestId('mup-width-error').textContent()) ?? '', /expected a whole number/);
    assert.equal(await panel.getByTestId('mup-run').isDisabled(), true);
    await panel.getByTestId('mup-target-width').fill('4096');
    await panel.getByTestId('mup-run').click();
    await panel.getByTestId('mup-result').waitFor();
    const want = runMupTransfer(
      readSweepRuns({ name: 'sweeps.csv', text: sweeps }, { width: 'd_hidden', lr: 'peak_lr' }),
      {
        ...defaultMupTransferSettings,
        targetWidth: 4096,
      },
    ).transfer;
    assert.equal(await panel.getByTestId('mup-slope').textContent(), transferSlopeText(want));
    assert.equal(await panel.getByTestId('mup-verdict').textContent(), want.verdict);
    assert.equal(await panel.getByTestId('mup-at-width').textContent(), transferTargetText(want));
    assert.deepEqual(await panel.getByTestId('mup-widths').locator('tbody th').allTextContents(), [
      '256',
      '512',
      '1024',
      '2048',
    ]);
    assert.match((await panel.getByTestId('mup-announcer').textContent()) ?? '', /standard-parametrisation drift/);
    assert.deepEqual(await seriousViolations(page, '[data-testid="mup-panel"]'), [], 'axe: the muP panel');
    assert.deepEqual(problems, []);
  },
);

/**
 * Every message from the panels' workers held while `window.__hold` is set (released by `window.__release()`),
 * and the workers started counted: a run can be seen running, and a second one started would be counted.
 * Evaluated in the page (its Content-Security-Policy refuses inline scripts, not the DevTools protocol).
 */
const holdWorkers = `(() => {
  const w = window;
  const Real = w.Worker;
  w.__workers = 0;
  w.__hold = false;
  w.__held = [];
  w.Worker = class extends Real {
    constructor(...args) {
      super(...args);
      w.__workers++;
    }
    get onmessage() {
      return super.onmessage;
    }
    set onmessage(f) {
      super.onmessage = (e) => (w.__hold ? w.__held.push(() => f.call(this, e)) : f.call(this, e));
    }
  };
  w.__release = () => {
    w.__hold = false;
    const held = w.__held;
    w.__held = [];
    held.forEach((g) => g());
  };
})()`;

test(
  "web app: the compare, muP and critical-batch panels' run buttons keep the focus through a run (a press while it runs does nothing), and on a phone their result tables scroll in boxes a keyboard reaches",
  { skip: browserTool.skip, timeout: 240_000 },
  async (t) => {
    const { url, browser } = await openWebApp(t, {
      storePath: join(mkdtempSync(join(tmpdir(), 'scalelab-web-run-focus-')), 'runs.db'),
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(60_000);
    const problems = pageProblems(page);
    await page.goto(url);
    await page.evaluate(holdWorkers);
    const focused = () =>
      page.evaluate('document.activeElement && document.activeElement.getAttribute("data-testid")') as Promise<
        string | null
      >;
    const panels = [
      { id: 'compare', replicates: '50' },
      { id: 'mup', replicates: '50' },
      { id: 'bcrit', replicates: '200' },
    ];
    for (const { id, replicates } of panels) {
      const panel = page.getByTestId(`${id}-panel`);
      const run = panel.getByTestId(`${id}-run`);
      // Nothing to run yet: disabled, and why is written beside it and read out with it.
      assert.equal(await run.isDisabled(), true, `${id}: no file yet`);
      const why = await run.evaluate(
        (b) => document.getElementById(b.getAttribute('aria-describedby') ?? '')?.textContent,
      );
      assert.match(why ?? '', /^Choose .* first\.$/, `${id}: the reason it cannot run`);
      assert.equal(await panel.getByTestId(`${id}-run-unavailable`).textContent(), why);
      await panel.getByTestId(`${id}-example`).click();
      await panel.getByTestId(`${id}-replicates`).selectOption(replicates);
      await panel.locator(`[data-testid="${id}-run"]:not([disabled])`).waitFor();
      assert.equal(await panel.getByTestId(`${id}-run-unavailable`).count(), 0, `${id}: no reason once it can run`);

      // Pressed by the keyboard, its answer held: busy, not disabled, and the focus stays on it.
      await page.evaluate('window.__hold = true');
      await run.focus();
      await page.keyboard.press('Enter');
      await panel.locator(`[data-testid="${id}-run"][aria-disabled="true"]`).waitFor();
      assert.equal(await focused(), `${id}-run`, `${id}: the focus stays on the button while it runs`);
      // A second press while it runs does nothing: no new worker (a new run stops the one in flight and starts
      // a worker of its own), still busy.
      const workers = await page.evaluate('window.__workers');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate('window.__workers'), workers, `${id}: a press while it runs starts nothing`);
      assert.equal(await run.getAttribute('aria-disabled'), 'true');

      // The answer arrives: shown, announced, and the focus is still on the button, no longer busy.
      await page.evaluate('window.__release()');
      await panel.getByTestId(`${id}-result`).waitFor();
      await panel.getByTestId(`${id}-announcer`).filter({ hasText: /\S/ }).waitFor();
      assert.equal(await run.getAttribute('aria-disabled'), 'false');
      assert.equal(await focused(), `${id}-run`, `${id}: the focus stays on the button after the result`);
    }

    // On a phone the result tables are wider than the screen: each scrolls in a box that is focusable and
    // named (axe: scrollable-region-focusable), never in an unreachable one.
    await page.setViewportSize({ width: 390, height: 844 });
    const scrolling = await page.evaluate(`[...document.querySelectorAll(
      '[data-testid="compare-result"] *, [data-testid="mup-result"] *, [data-testid="bcrit-result"] *',
    )].filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'auto').length`);
    assert.ok((scrolling as number) > 0, 'some table scrolls sideways on a phone (the check below can fail)');
    for (const { id } of panels)
      assert.deepEqual(
        await seriousViolations(page, `[data-testid="${id}-panel"]`),
        [],
        `axe: the ${id} panel on a phone`,
      );
    assert.deepEqual(problems, []);
  },
);
