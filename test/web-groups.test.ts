/// <reference lib="dom" />
/**
 * The Fit settings' "Runs to fit" in Chromium, the one place the groups fitted are chosen: a study from
 * the run store opens whole with its IsoFLOP runs ticked (the store browser has no choice of its own),
 * every box ticked is every row pooled with fit's pooled-variants warning, and two groups ticked fit what
 * `scalelab fit FILE --group a,b` fits, kept in the URL as `group=a,b` (a name with a comma survives a
 * reload). While the first fit runs, the planner (and the optimiser panel) says so and keeps a budget
 * typed meanwhile. Runs with no group beside one named group have a box of their own, "(no group)", ticked
 * and unticked like any other: `--group '(no group)'` names them. An upload whose header gives a unit says the factor. Needs the
 * built app (web/dist) and Chromium, as test/web-e2e.test.ts (skipped without them, likewise).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { RunStore } from '../src/store/store.js';
import { parseRuns } from '../src/io/parseRuns.js';
import { scalelab } from './helpers/cli.js';
import { browserTool, openWebApp, pageProblems } from './helpers/browser.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-web-groups-'));

/** Chinchilla's law (Hoffmann et al. 2022 Approach 3: E 1.69, A 406.4, B 410.7, α 0.34, β 0.28). */
const law = (N: number, D: number) => 1.69 + 406.4 / N ** 0.34 + 410.7 / D ** 0.28;

/**
 * A study's export: IsoFLOP runs on Chinchilla's law at three budgets, five sizes each, and a
 * learning-rate probe of six runs at one size, its losses above the law by design (rates away from the best).
 */
function studyExport(): string {
  const rows = ['N,D,loss,group'];
  for (const C of [1e18, 3e18, 1e19])
    for (const f of [0.25, 0.5, 1, 2, 4]) {
      const N = f * Math.sqrt(C / 6 / 20);
      const D = C / (6 * N);
      rows.push(`${N},${D},${law(N, D)},isoflop`);
    }
  for (const above of [0.4, 0.2, 0.05, 0.02, 0.1, 0.3]) rows.push(`5e7,1e9,${law(5e7, 1e9) + above},lr-probe`);
  return rows.join('\n') + '\n';
}

/**
 * Three groups: 15 IsoFLOP runs and 6 scale-up runs on Chinchilla's law with ±1 % of deterministic noise
 * (so that each choice of groups fits other parameters), and a probe of 5 runs above the law whose name,
 * `probe`, holds a comma (quoted in the CSV).
 */
function threeGroups(probe: string): string {
  const rows = ['N,D,loss,group'];
  const noisy = (N: number, D: number) => law(N, D) * (1 + 0.01 * Math.sin(rows.length * 2.3));
  for (const C of [1e18, 3e18, 1e19])
    for (const f of [0.25, 0.5, 1, 2, 4]) {
      const N = f * Math.sqrt(C / 6 / 20);
      rows.push(`${N},${C / (6 * N)},${noisy(N, C / (6 * N))},isoflop`);
    }
  for (const C of [3e19, 1e20])
    for (const f of [0.5, 1, 2]) {
      const N = f * Math.sqrt(C / 6 / 20);
      rows.push(`${N},${C / (6 * N)},${noisy(N, C / (6 * N))},scale-up`);
    }
  for (const above of [0.4, 0.2, 0.05, 0.1, 0.3]) rows.push(`5e7,1e9,${law(5e7, 1e9) + above},"${probe}"`);
  return rows.join('\n') + '\n';
}

const paramIn = async (page: Page, name: string): Promise<number> =>
  Number((await page.getByTestId(`param-${name}`).textContent())?.trim());

/** The codes of the fit's trust warnings shown (none when the list is not there). */
const shownCodes = (page: Page): Promise<string[]> =>
  page.locator('[data-testid="trust-warnings"] li[data-code]').evaluateAll((els) => els.map((e) => e.dataset.code!));

/** The fit of `runs` rows has arrived: the outcome's own count of rows, and no refit running. */
async function fitted(page: Page, runs: number) {
  await page
    .locator('dl.facts dd')
    .filter({ hasText: new RegExp(`: ${runs} runs`) })
    .first()
    .waitFor();
  await page.getByTestId('fit-status').filter({ hasText: 'up to date' }).waitFor();
}

async function sameParams(page: Page, expected: Record<string, number>, what: string) {
  for (const [name, value] of Object.entries(expected)) {
    const shown = await paramIn(page, name);
    assert.ok(Math.abs(shown / value - 1) < 1e-4, `${name}: the page shows ${shown}, ${what} ${value}`);
  }
}

test(
  "web app: a study from the store opens whole, its IsoFLOP runs ticked under Runs to fit (the store has no choice of its own) as fit --group isoflop; every box ticked pools with fit's warning; a reload keeps it",
  { skip: browserTool.skip, timeout: 180_000 },
  async (t) => {
    const file = join(dir, 'export.csv');
    writeFileSync(file, studyExport());
    const storePath = join(dir, 'runs.db');
    const store = RunStore.open(storePath);
    store.importDataset(parseRuns(studyExport(), { source: file }), 'probe-study');
    store.close();
    const cli = scalelab(['fit', file, '--group', 'isoflop', '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    const expected = cli.json().params as Record<string, number>;

    const { url, browser } = await openWebApp(t, { storePath });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(60_000);
    const problems = pageProblems(page);
    await page.goto(url);
    await page.getByTestId('study-probe-study').click();
    // One control for the choice: the store browser only says where it is, and what opening fits.
    await page.getByTestId('study-groups-hint').filter({ hasText: 'Runs to fit' }).waitFor();
    assert.equal(await page.getByTestId('study-runs').locator('input[type="checkbox"]').count(), 0);
    assert.match((await page.getByTestId('fit-study').textContent()) ?? '', /^Fit the 15 completed runs \(isoflop\)$/);
    await page.getByTestId('fit-study').click();
    await fitted(page, 15);
    assert.equal(await page.locator('legend', { hasText: 'Runs to fit' }).count(), 1, 'one "Runs to fit" on the page');
    const isoflop = page.getByTestId('setting-group-isoflop');
    const probe = page.getByTestId('setting-group-lr-probe');
    assert.ok(await isoflop.isChecked());
    assert.ok(!(await probe.isChecked()), 'the learning-rate probe is not fitted by default, as study run');
    assert.ok(await isoflop.isDisabled(), 'the one group ticked cannot be unticked: no rows is no fit');
    await sameParams(page, expected, 'fit --group isoflop');
    assert.deepEqual(await shownCodes(page), []);
    assert.match(page.url(), /[?&]study=probe-study(&|$)/);
    assert.match(page.url(), /[?&]group=isoflop(&|$)/);

    // Every box ticked: every row pooled, as `fit` without --group, with its warning.
    await probe.check();
    await fitted(page, 21);
    await page.getByTestId('warnings-summary').locator('summary').click();
    const pooled = page.getByTestId('trust-warnings').locator('li[data-code="pooled-variants"]');
    assert.match((await pooled.textContent()) ?? '', /2 groups \("isoflop" 15, "lr-probe" 6 rows\).*group isoflop/);
    assert.doesNotMatch(page.url(), /[?&]group=/);
    const pooledE = await paramIn(page, 'E');
    // A reload opens the study with the same choice (all of it), not the default again.
    await page.reload();
    await fitted(page, 21);
    assert.ok(await page.getByTestId('setting-group-lr-probe').isChecked());
    assert.equal(await paramIn(page, 'E'), pooledE);
    assert.deepEqual(problems, []);
  },
);

test(
  'web app: two of three groups ticked fit as fit --group a,b, with its warnings; group=a,b in the URL, a name with a comma kept by a reload; the planner says a fit is running and keeps a budget typed meanwhile',
  { skip: browserTool.skip, timeout: 240_000 },
  async (t) => {
    const probe = 'lr-probe, 3e-4';
    const file = join(dir, 'three-groups.csv');
    writeFileSync(file, threeGroups(probe));
    // The CLI cannot name a group with a comma (--group splits at commas): the same rows with the probe renamed.
    const renamed = join(dir, 'three-groups-renamed.csv');
    writeFileSync(renamed, threeGroups('lr-probe'));
    const run = (args: string[]) => {
      const r = scalelab(['fit', ...args, '--json']);
      assert.equal(r.code, 0, r.stderr);
      return r.json() as { params: Record<string, number>; warnings: { code: string }[] };
    };
    const two = run([file, '--group', 'isoflop,scale-up']);
    const withProbe = run([renamed, '--group', 'isoflop,lr-probe']);
    const alone = run([file, '--group', 'isoflop']);
    assert.notEqual(two.params.E, alone.params.E, 'the second group moves the fit: the test tells them apart');

    const { url, browser } = await openWebApp(t, {
      storePath: join(dir, 'none.db'),
      datasets: [{ id: 'three', name: 'Three groups', file, path: file, description: 'a test' }],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(60_000);
    const problems = pageProblems(page);
    // The fit requests to the workers are held until released (once for the tab: a reload is not held), so the
    // page is seen while the first fit runs.
    // (A string: a function would be sent with the test runner's __name helper, which the page lacks.)
    await page.addInitScript(`(() => {
      let released = false;
      try {
        released = sessionStorage.getItem('fit-released') !== null;
      } catch {
        // about:blank has no storage; nothing fits there
      }
      window.__held = released ? undefined : [];
      const post = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (...args) {
        if (args[0]?.kind === 'fit' && window.__held) window.__held.push(() => post.apply(this, args));
        else post.apply(this, args);
      };
    })()`);
    await page.goto(url);
    await page.getByTestId('planner-mode-flops').check();
    const budget = page.getByTestId('planner-flops');
    await budget.evaluate((el) => el.setAttribute('data-typed-during-fit', ''));
    await page.getByTestId('dataset-three').click();
    await page
      .getByTestId('fit-running')
      .waitFor()
      .catch((e) => assert.fail(`${e}\n${problems.join('\n')}`));
    assert.match(
      (await page.getByTestId('planner-unavailable').textContent()) ?? '',
      /^Fitting Three groups — the plan appears when the fit is done\.$/,
    );
    // The optimiser panel predicts at the planner's budget: it says the fit is running too, not "Open a data set".
    assert.match(
      (await page.getByTestId('hparams-at').textContent()) ?? '',
      /^η and the batch are predicted at the planner’s budget, and it has none\. The planner: Fitting Three groups — the plan appears when the fit is done\./,
    );
    await budget.fill('3e21');
    await page.evaluate(`(() => {
      const held = window.__held ?? [];
      window.__held = undefined;
      sessionStorage.setItem('fit-released', '1');
      for (const send of held) send();
    })()`);
    await fitted(page, 26);
    await page.getByTestId('plan-N').waitFor();
    assert.equal(await page.locator('[data-testid="planner-flops"][data-typed-during-fit]').count(), 1, 'one planner');
    assert.equal(await budget.inputValue(), '3e21');
    assert.equal(await page.getByTestId('planner-unavailable').count(), 0);

    // All three ticked: pooled, with fit's warning.
    const box = (g: string) => page.getByTestId(`setting-group-${g}`);
    for (const g of ['isoflop', 'scale-up', probe]) assert.ok(await box(g).isChecked(), g);
    assert.deepEqual(await shownCodes(page), ['pooled-variants']);
    // The probe unticked: the IsoFLOP and scale-up runs, pooled as fit --group isoflop,scale-up, and its warnings.
    await box(probe).uncheck();
    await fitted(page, 21);
    await sameParams(page, two.params, 'fit --group isoflop,scale-up');
    assert.deepEqual(
      await shownCodes(page),
      two.warnings.map((w) => w.code),
    );
    assert.match(page.url(), /[?&]group=isoflop,scale-up(&|$)/);
    assert.match((await page.getByTestId('setting-groups-hint').textContent()) ?? '', /fit --group isoflop,scale-up/);

    // The probe instead of the scale-up runs: its name's comma is encoded in the URL, and a reload keeps it.
    await box(probe).check();
    await box('scale-up').uncheck();
    await fitted(page, 20);
    assert.match(page.url(), /[?&]group=isoflop,lr-probe%2C%203e-4(&|$)/);
    await page.reload();
    await fitted(page, 20);
    assert.ok(await box('isoflop').isChecked());
    assert.ok(!(await box('scale-up').isChecked()));
    assert.ok(await box(probe).isChecked());
    await sameParams(page, withProbe.params, 'fit (the probe renamed) --group isoflop,lr-probe');
    assert.deepEqual(
      await shownCodes(page),
      withProbe.warnings.map((w) => w.code),
    );
    assert.deepEqual(problems, []);
  },
);

test(
  "web app: a study's runs with no group beside its IsoFLOP runs (imported beside the sweep) open as study run fits them, fit --group isoflop; every box can be unticked but the last, and each choice fits what the CLI fits with the same --group, '(no group)' naming the runs with no group",
  { skip: browserTool.skip, timeout: 240_000 },
  async (t) => {
    // The IsoFLOP sweep and twelve runs imported beside it without a group, at four larger budgets and on
    // another data source's law (E 1.8 in place of 1.69): fitted alone, they give their own law.
    const rows = studyExport()
      .trimEnd()
      .split('\n')
      .filter((r) => !r.endsWith(',lr-probe'));
    for (const C of [3e19, 1e20, 3e20, 1e21])
      for (const f of [0.5, 1, 2]) {
        const N = f * Math.sqrt(C / 6 / 20);
        const D = C / (6 * N);
        rows.push(`${N},${D},${law(N, D) + 0.11},`);
      }
    const text = rows.join('\n') + '\n';
    const file = join(dir, 'ungrouped.csv');
    writeFileSync(file, text);
    const storePath = join(dir, 'ungrouped.db');
    const store = RunStore.open(storePath);
    store.importDataset(parseRuns(text, { source: file }), 'ungrouped-study');
    store.close();
    const fitCli = (args: string[]) => {
      const r = scalelab(['fit', file, ...args, '--json']);
      assert.equal(r.code, 0, r.stderr);
      return r.json().params as Record<string, number>;
    };
    const isoflopOnly = fitCli(['--group', 'isoflop']);
    const ungroupedOnly = fitCli(['--group', '(no group)']);
    const every = fitCli([]);
    assert.notEqual(isoflopOnly.E, every.E, 'the runs with no group move the fit: the test tells them apart');
    assert.notEqual(ungroupedOnly.E, every.E);

    const { url, browser } = await openWebApp(t, { storePath });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(60_000);
    const problems = pageProblems(page);
    await page.goto(url);
    await page.getByTestId('study-ungrouped-study').click();
    await page.getByTestId('study-groups-hint').filter({ hasText: 'Runs to fit' }).waitFor();
    assert.match((await page.getByTestId('fit-study').textContent()) ?? '', /^Fit the 15 completed runs \(isoflop\)$/);
    await page.getByTestId('fit-study').click();
    await fitted(page, 15);
    const isoflop = page.getByTestId('setting-group-isoflop');
    const none = page.getByTestId('setting-group-(no group)');
    const hint = async () => (await page.getByTestId('setting-groups-hint').textContent()) ?? '';
    assert.ok(await isoflop.isChecked());
    assert.ok(await isoflop.isDisabled(), 'the one box ticked cannot be unticked: no rows is no fit');
    assert.ok(!(await none.isChecked()), 'the runs with no group are not fitted by default, as study run');
    await sameParams(page, isoflopOnly, 'fit --group isoflop');
    assert.match(page.url(), /[?&]group=isoflop(&|$)/);

    // Their box ticked, with the keyboard: every run, as `fit` without --group.
    await none.focus();
    await page.keyboard.press('Space');
    await fitted(page, 27);
    assert.ok(await isoflop.isChecked());
    assert.ok(await isoflop.isEnabled(), 'the IsoFLOP box can be unticked: --group names the others');
    await sameParams(page, every, 'fit without --group');
    assert.doesNotMatch(page.url(), /[?&]group=/);
    assert.match(
      await hint(),
      /All 1 group and the 12 rows with no group fitted as one data set.*"\(no group\)" to --group/,
    );
    // The IsoFLOP box unticked: the runs with no group alone, as fit --group '(no group)'.
    await isoflop.uncheck();
    await fitted(page, 12);
    assert.ok(await none.isChecked());
    assert.ok(await none.isDisabled(), 'the last box ticked');
    await sameParams(page, ungroupedOnly, "fit --group '(no group)'");
    assert.match(page.url(), /[?&]group=\(no%20group\)(&|$)/);
    assert.match(await hint(), /The rows "scalelab fit --group '\(no group\)'" reads\./);
    // A reload keeps the choice.
    await page.reload();
    await fitted(page, 12);
    assert.ok(!(await isoflop.isChecked()));
    assert.ok(await none.isChecked());
    await sameParams(page, ungroupedOnly, "fit --group '(no group)' after a reload");
    // Both again, then their box unticked: back to the IsoFLOP runs.
    await isoflop.check();
    await fitted(page, 27);
    await none.uncheck();
    await fitted(page, 15);
    await sameParams(page, isoflopOnly, 'fit --group isoflop');
    assert.match(page.url(), /[?&]group=isoflop(&|$)/);
    assert.deepEqual(problems, []);
  },
);

test(
  'web app: an upload whose header gives a unit (params (M)) says the factor beside the fit, as fit does (N ← "params (M)" × 1e6)',
  { skip: browserTool.skip, timeout: 120_000 },
  async (t) => {
    const rows = ['params (M),tokens,loss'];
    for (const C of [1e18, 3e18, 1e19])
      for (const f of [0.25, 0.5, 1, 2, 4]) {
        const N = f * Math.sqrt(C / 6 / 20);
        rows.push(`${N / 1e6},${C / (6 * N)},${law(N, C / (6 * N))}`);
      }
    const text = rows.join('\n') + '\n';
    const file = join(dir, 'millions.csv');
    writeFileSync(file, text);
    const cli = scalelab(['fit', file]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /N ← "params \(M\)" × 1e6/);

    const { url, browser } = await openWebApp(t, { storePath: join(dir, 'none.db') });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(60_000);
    const problems = pageProblems(page);
    await page.goto(url);
    await page
      .getByTestId('upload')
      .setInputFiles({ name: 'millions.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await fitted(page, 15);
    assert.match(
      (await page.getByTestId('fit-columns').textContent()) ?? '',
      /N ← "params \(M\)" × 1e6 \(the header's unit: millions\)/,
    );
    assert.deepEqual(problems, []);
  },
);
