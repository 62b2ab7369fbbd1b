/// <reference lib="dom" />
/**
 * The Fit settings' group choice in Chromium: a study whose runs are its learning-rate probe beside its
 * IsoFLOP runs, opened whole, is fitted pooled with fit's pooled-variants warning; "Runs to fit" set to
 * isoflop fits what `scalelab fit EXPORT --group isoflop` fits, and the choice is kept in the URL. Needs
 * the built app (web/dist) and Chromium, as test/web-e2e.test.ts (skipped without them, likewise).
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

/**
 * A study's export: IsoFLOP runs on Chinchilla's law (Hoffmann et al. 2022 Approach 3: E 1.69, A 406.4,
 * B 410.7, α 0.34, β 0.28) at three budgets, five sizes each, and a learning-rate probe of six runs at
 * one size, its losses above the law by design (rates away from the best).
 */
function studyExport(): string {
  const law = (N: number, D: number) => 1.69 + 406.4 / N ** 0.34 + 410.7 / D ** 0.28;
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

const paramIn = async (page: Page, name: string): Promise<number> =>
  Number((await page.getByTestId(`param-${name}`).textContent())?.trim());

test(
  "web app: a study's probe and IsoFLOP runs are pooled with fit's warning; Runs to fit: isoflop fits as fit --group isoflop",
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
    // Opened whole: the store browser's default is the IsoFLOP runs, so the probe is ticked as well.
    await page.getByTestId('study-probe-study').click();
    await page.getByTestId('study-group-lr-probe').check();
    await page.getByTestId('fit-study').click();
    await page.getByTestId('param-E').waitFor();
    // Pooled, as `fit` without --group: its warning, and the choice offered (all pooled by default).
    const group = page.getByTestId('setting-group');
    assert.equal(await group.inputValue(), '');
    assert.deepEqual(await group.locator('option').allTextContents(), [
      'all 2 groups, pooled',
      'isoflop (15 rows)',
      'lr-probe (6 rows)',
    ]);
    await page.getByTestId('warnings-summary').locator('summary').click();
    const pooled = page.getByTestId('trust-warnings').locator('li[data-code="pooled-variants"]');
    assert.match((await pooled.textContent()) ?? '', /2 groups \("isoflop" 15, "lr-probe" 6 rows\).*group isoflop/);
    const pooledE = await paramIn(page, 'E');

    await group.selectOption('isoflop');
    // The refit replaces the pooled one: wait for E to move, then compare every parameter with the CLI's.
    await page.waitForFunction(
      (before) => Number(document.querySelector('[data-testid="param-E"]')?.textContent) !== before,
      pooledE,
    );
    await page.getByTestId('fit-status').filter({ hasText: 'up to date' }).waitFor();
    for (const [name, value] of Object.entries(expected)) {
      const shown = await paramIn(page, name);
      assert.ok(Math.abs(shown / value - 1) < 1e-4, `${name}: the page shows ${shown}, fit --group isoflop ${value}`);
    }
    assert.equal(await page.getByTestId('trust-warnings').locator('li[data-code="pooled-variants"]').count(), 0);
    assert.match(page.url(), /[?&]group=isoflop(&|$)/);
    assert.deepEqual(problems, []);
  },
);
