/**
 * The boxes the result tables scroll in (TableScroll, .table-scroll) in Chromium: each is a named region,
 * and a tab stop only while its table overflows it — on a phone (390 px) a wide table's box is reached and
 * scrolled with the keyboard, on a laptop (1280 px) a box whose table fits is no tab stop (5 of the main
 * view's 86 were such boxes) — and axe's scrollable-region-focusable stays clean at both widths. Turning
 * the page narrow and wide again moves the stops (the boxes watch their size). Needs the built app
 * (web/dist) and Chromium, as test/web-e2e.test.ts (skipped without them, likewise).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { bundledDatasets } from '../src/server/webServer.js';
import { browserTool, openWebApp, pageProblems } from './helpers/browser.js';
import { seriousViolations } from './helpers/axe.js';

interface Box {
  label: string;
  tabindex: string | null;
  role: string | null;
  overflows: boolean;
}

/** Every table box on the page: its name, role, tabindex and whether its table overflows it. */
const boxes = (page: Page): Promise<Box[]> =>
  page.evaluate(`[...document.querySelectorAll('.table-scroll')].map((b) => ({
    label: b.getAttribute('aria-label'),
    tabindex: b.getAttribute('tabindex'),
    role: b.getAttribute('role'),
    overflows: b.scrollWidth > b.clientWidth || b.scrollHeight > b.clientHeight,
  }))`) as Promise<Box[]>;

/** The boxes settle (a resize is seen a frame later): each a tab stop exactly while its table overflows it. */
async function settled(page: Page, what: string): Promise<Box[]> {
  await page
    // A function, not a string: a string predicate that must poll is evaluated by eval in the page, which the
    // app's Content-Security-Policy (script-src 'self') refuses.
    .waitForFunction(
      () =>
        [...document.querySelectorAll('.table-scroll')].every(
          (b) =>
            (b.scrollWidth > b.clientWidth || b.scrollHeight > b.clientHeight) === (b.getAttribute('tabindex') === '0'),
        ),
      undefined,
      { timeout: 10_000 },
    )
    .catch(async () => assert.fail(`${what}: boxes not settled: ${JSON.stringify(await boxes(page))}`));
  const all = await boxes(page);
  assert.ok(all.length >= 3, `${what}: the fit's tables are shown (${all.length} boxes)`);
  for (const b of all) {
    assert.equal(b.role, 'region', `${what}: ${b.label} is a region`);
    assert.ok(b.label, `${what}: every box is named`);
  }
  return all;
}

test(
  'web app: a table box is a tab stop only while its table overflows it: on a phone a wide table is reached and scrolled by the keyboard, on a laptop a table that fits is no tab stop; axe is clean at 390 and 1280 px',
  { skip: browserTool.skip, timeout: 180_000 },
  async (t) => {
    const { url, browser } = await openWebApp(t, {
      storePath: join(mkdtempSync(join(tmpdir(), 'scalelab-web-table-scroll-')), 'runs.db'),
      datasets: bundledDatasets(),
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(60_000);
    const problems = pageProblems(page);
    await page.goto(url);
    await page.getByTestId('dataset-chinchilla').click();
    await page.locator('[data-testid="figure-frontier"][data-ready="true"]').waitFor();
    await page.getByTestId('plan-N').waitFor();

    // Wide: the tables that fit are no tab stops.
    const wide = await settled(page, '1280 px');
    const fits = wide.filter((b) => !b.overflows);
    assert.ok(fits.length > 0, 'at 1280 px some table fits its box');
    for (const b of fits) assert.equal(b.tabindex, null, `1280 px: ${b.label} fits, yet is a tab stop`);
    assert.deepEqual(await seriousViolations(page), [], 'axe at 1280 px');

    // Narrow: a wide table scrolls in its box, which the keyboard reaches and scrolls.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('.table-scroll[tabindex="0"]').first().waitFor();
    const narrow = await settled(page, '390 px');
    const scrolling = narrow.filter((b) => b.overflows);
    assert.ok(scrolling.length > 0, 'at 390 px some table is wider than its box');
    assert.ok(
      scrolling.length > wide.filter((b) => b.overflows).length,
      'more boxes scroll (and are tab stops) at 390 px than at 1280 px',
    );
    const box = page.locator('.table-scroll[tabindex="0"]').first();
    await box.focus();
    assert.equal(await box.evaluate((b) => b === document.activeElement), true, 'the box takes the focus');
    await page.keyboard.press('ArrowRight');
    // A function, not a string: a string predicate that must poll is evaluated by eval in the page, which the
    // app's Content-Security-Policy (script-src 'self') refuses.
    await page.waitForFunction(() => (document.activeElement?.scrollLeft ?? 0) > 0);
    assert.deepEqual(await seriousViolations(page), [], 'axe at 390 px');

    // Wide again: the boxes whose tables fit are no tab stops again.
    await page.setViewportSize({ width: 1280, height: 900 });
    const again = await settled(page, '1280 px again');
    assert.deepEqual(
      again.filter((b) => b.tabindex !== null).map((b) => b.label),
      again.filter((b) => b.overflows).map((b) => b.label),
    );
    assert.deepEqual(problems, []);
  },
);
