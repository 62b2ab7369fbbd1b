/// <reference lib="dom" />
/**
 * The static report opened the way a user opens it: from disk (file://) in Debian's chromium, with
 * the network cut (every http/https/ws request aborted and recorded, the context offline). It must
 * draw every figure and table from the one file, with no request and no console error.
 *
 * Without Chromium it is skipped, with the command that installs it (test/helpers/tools.ts);
 * SCALELAB_SKIP_BROWSER=1 skips it on purpose, SCALELAB_REQUIRE_ALL=1 (CI) fails it instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, scalelab } from './helpers/cli.js';
import { screenshotTimeoutMs } from './helpers/tools.js';
import { browserTool, launchChromium, pageProblems } from './helpers/browser.js';

const skip = browserTool.skip;
const shots = join(root, 'test-output');

test(
  'the report opens from disk with no network: every section, figure and table drawn, no request, no console error',
  { skip, timeout: 120_000 },
  async (t) => {
    browserTool.require();
    mkdirSync(shots, { recursive: true });
    const out = join(mkdtempSync(join(tmpdir(), 'scalelab-report-browser-')), 'report.html');
    const r = scalelab([
      'report',
      'examples/chinchilla.csv',
      '--budgets',
      'chinchilla',
      '--targets',
      '1e23,1e24',
      '--bootstrap',
      '30',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);

    const browser = await launchChromium(t);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
    const network: string[] = [];
    await context.route(/^(https?|wss?):/i, (route) => {
      network.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    const problems = pageProblems(page, 'warnings');
    // Anything the page asks for beyond its own file (an image, a font, a script, a style sheet).
    const requests: string[] = [];
    page.on('request', (req) => {
      if (req.url() !== pathToFileURL(out).href) requests.push(req.url());
    });
    page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));

    const response = await page.goto(pathToFileURL(out).href, { waitUntil: 'load' });
    assert.ok(response === null || response.ok(), 'the file loads');
    assert.equal(await page.title(), 'Scaling report: examples/chinchilla.csv');

    // Every section, each with content on the screen.
    for (const id of ['data', 'fit', 'approaches', 'plan', 'backtest', 'landmarks', 'warnings', 'figures']) {
      const section = page.locator(`section#${id}`);
      assert.equal(await section.count(), 1, `section ${id}`);
      const box = await section.boundingBox();
      assert.ok(box && box.width > 300 && box.height > 40, `section ${id} is drawn: ${JSON.stringify(box)}`);
    }

    // The figures: inline SVG, laid out at their size, with axes, marks and text.
    const figures = await page.locator('figure').evaluateAll((els) =>
      els.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          id: f.id,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          paths: svg?.querySelectorAll('path').length ?? 0,
          axes: svg?.querySelectorAll('.role-axis').length ?? 0,
          texts: [...(svg?.querySelectorAll('text') ?? [])].map((x) => x.textContent ?? '').filter((x) => x.trim())
            .length,
          caption: f.querySelector('figcaption')?.textContent ?? '',
        };
      }),
    );
    assert.deepEqual(
      figures.map((f) => f.id),
      ['fig-loss', 'fig-isoflop', 'fig-frontier', 'fig-residuals', 'fig-backtest', 'fig-landmarks'],
    );
    for (const f of figures) {
      assert.ok(f.width > 300 && f.height > 200, `${f.id} drawn at ${f.width}×${f.height}`);
      assert.ok(f.paths >= 10, `${f.id} has marks (${f.paths} paths)`);
      assert.ok(f.axes >= 2, `${f.id} has axes (${f.axes})`);
      assert.ok(f.texts >= 5, `${f.id} has labels (${f.texts})`);
      assert.ok(f.caption.length > 20, `${f.id} has a caption`);
    }
    // The log axes of the loss figure are labelled with powers of ten, written 1e24 (not 1e+24).
    const lossText = (await page.locator('#fig-loss svg').textContent()) ?? '';
    assert.match(lossText, /1e2\d/);
    assert.doesNotMatch(lossText, /e\+\d/);

    // The tables: visible, with rows of numbers.
    const tables = await page.locator('table').evaluateAll((els) =>
      els.map((table) => ({
        section: table.closest('section')?.id ?? '',
        rows: table.querySelectorAll('tbody tr').length,
        visible: table.getBoundingClientRect().height > 0,
        numbers: (table.textContent ?? '').match(/\d\.\d/g)?.length ?? 0,
      })),
    );
    assert.ok(tables.length >= 6, `${tables.length} tables`);
    for (const tb of tables)
      assert.ok(tb.visible && tb.rows >= 1 && tb.numbers >= 2, `a table in ${tb.section}: ${JSON.stringify(tb)}`);
    assert.match((await page.locator('section#fit').textContent()) ?? '', /1\.817/);

    // Links stay inside the page; the style is inline.
    const hrefs = await page.locator('a[href]').evaluateAll((els) => els.map((a) => a.getAttribute('href') ?? ''));
    assert.ok(hrefs.length > 0 && hrefs.every((h) => h.startsWith('#')), `links: ${hrefs.join(' ')}`);
    assert.equal(await page.locator('script, link[rel="stylesheet"], img, iframe, object, embed').count(), 0);
    await page.locator('a[href="#figures"]').click();
    assert.ok(await page.locator('#fig-loss').isVisible());

    await page.screenshot({ timeout: screenshotTimeoutMs, path: join(shots, 'report-offline.png'), fullPage: true });
    assert.deepEqual(network, [], 'no http(s) request');
    assert.deepEqual(requests, [], 'no request beyond the file itself');
    assert.deepEqual(problems, []);
  },
);
