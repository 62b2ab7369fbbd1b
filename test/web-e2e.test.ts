/**
 * The web app end to end: Debian's chromium (driven by playwright-core) against the real server,
 * the built app (web/dist, made by `npm install` / `npm run build`; this test builds nothing) and
 * a temporary run store with one small study. Screenshots go to test-output/.
 *
 * SCALELAB_SKIP_BROWSER=1 skips it; otherwise chromium must be installed
 * (`apt-get install -y --no-install-recommends chromium`, as .ci/run does).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { RunStore } from '../src/store/store.js';
import { bundledDatasets, createWebServer, defaultAssetsDir } from '../src/server/webServer.js';
import { root } from './helpers/cli.js';

const skip = process.env.SCALELAB_SKIP_BROWSER === '1' ? 'SCALELAB_SKIP_BROWSER=1: the browser end-to-end test is skipped' : false;
const executablePath = process.env.SCALELAB_CHROMIUM ?? '/usr/bin/chromium';
const shots = join(root, 'test-output');

/** A store with one study part-way through a sweep: 3 done, 1 failed, 1 running, 1 waiting. */
function sweepStore(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'scalelab-web-e2e-')), 'runs.db');
  const store = RunStore.open(path);
  const runs = store.plan(
    'isoflop-demo',
    [1, 2, 3, 4, 5, 6].map((i) => ({ key: `run-${i}`, phase: 'isoflop', config: { i }, N: i * 2e7, D: 4e9 / i, C: 6 * i * 2e7 * (4e9 / i), estimatedSeconds: 3600 })),
  );
  store.finish(runs[0].id, { status: 'completed', loss: 3.41, seconds: 3000 });
  store.finish(runs[1].id, { status: 'completed', loss: 3.27, seconds: 3300 });
  store.finish(runs[2].id, { status: 'completed', loss: 3.3, seconds: 3500 });
  store.finish(runs[3].id, { status: 'failed', reason: 'diverged at step 1200', seconds: 900 });
  store.setStatus(runs[4].id, 'running', { backend: 'sim', externalId: 'e5' });
  store.close();
  return path;
}

const numberIn = async (page: Page, testId: string): Promise<number> => Number((await page.getByTestId(testId).textContent())?.trim());

/** The number shown in an element once it differs from `from` (the app updates live, no button). */
async function changedNumber(page: Page, testId: string, from: number, timeoutMs = 10_000): Promise<number> {
  for (const start = Date.now(); Date.now() - start < timeoutMs; await page.waitForTimeout(50)) {
    const value = await numberIn(page, testId);
    if (value !== from && !Number.isNaN(value)) return value;
  }
  throw new Error(`${testId} still shows ${from} after ${timeoutMs} ms`);
}

test('web app in chromium: open, fit, plan, watch a sweep, export, and a located upload error', { skip, timeout: 240_000 }, async (t) => {
  const assets = defaultAssetsDir();
  assert.ok(existsSync(join(assets, 'index.html')), `the web app is not built: ${join(assets, 'index.html')} is missing; run "npm run build" (npm install runs it) before this test`);
  assert.ok(existsSync(executablePath), `no chromium at ${executablePath}: install it with "apt-get install -y --no-install-recommends chromium" (or set SCALELAB_CHROMIUM; SCALELAB_SKIP_BROWSER=1 skips this test)`);
  mkdirSync(shots, { recursive: true });

  const storePath = sweepStore();
  const web = createWebServer({ storePath, assetsDir: assets, datasets: bundledDatasets() });
  const { url } = await web.listen(0);
  let browser: Browser | undefined;
  t.after(async () => {
    await browser?.close();
    await web.close();
  });
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  page.setDefaultTimeout(30_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });

  await t.test('the app loads and lists the bundled data sets', async () => {
    await page.goto(url);
    await page.getByRole('heading', { name: 'ScaleLab' }).waitFor();
    await page.getByTestId('dataset-chinchilla').waitFor();
    assert.match((await page.getByTestId('dataset-chinchilla').textContent()) ?? '', /Chinchilla/);
  });

  await t.test('opening Chinchilla fits it in the worker: E ≈ 1.817', async () => {
    await page.getByTestId('dataset-chinchilla').click();
    await page.getByTestId('param-E').waitFor();
    const E = await numberIn(page, 'param-E');
    assert.ok(Math.abs(E - 1.8172) < 0.005, `E = ${E}`);
    assert.ok(Math.abs((await numberIn(page, 'param-alpha')) - 0.3473) < 0.005);
    assert.ok(Math.abs((await numberIn(page, 'param-beta')) - 0.3672) < 0.005);
    assert.match((await page.getByTestId('fit-converged').textContent()) ?? '', /^yes/);
    assert.ok(Number(await page.getByTestId('fit-objective').textContent()) < 1.02e-3);
    await page.getByTestId('figure-loss').and(page.locator('[data-ready="true"]')).waitFor();
    await page.screenshot({ path: join(shots, 'web-e2e-1-chinchilla.png'), fullPage: true });
  });

  await t.test('figures have tooltips on each run', async () => {
    const point = page.locator('[data-testid="figure-loss"] .mark-symbol path').first();
    await point.hover({ force: true });
    const tooltip = page.locator('#vg-tooltip-element.visible');
    await tooltip.waitFor();
    assert.match((await tooltip.textContent()) ?? '', /loss/);
  });

  await t.test('the planner recommends N for the cluster and follows the GPU count', async () => {
    const before = await numberIn(page, 'plan-N');
    assert.ok(before > 1e9 && before < 1e13, `N = ${before}`);
    await page.getByTestId('planner-gpus').fill('8192');
    const after = await changedNumber(page, 'plan-N', before);
    assert.ok(after > before, `more GPUs, a larger model: ${before} → ${after}`);
    await page.getByTestId('planner-gpu').selectOption('a100');
    assert.ok((await changedNumber(page, 'plan-N', after)) < after, 'slower GPUs, a smaller model');
    await page.getByTestId('planner-days').fill('soon');
    assert.match((await page.getByTestId('planner-error').textContent()) ?? '', /days: expected a number/);
    await page.getByTestId('planner-days').fill('30');
    await page.getByTestId('plan-N').waitFor();
    await page.getByTestId('plan').screenshot({ path: join(shots, 'web-e2e-2-planner.png') });
    // Published models placed on the fitted frontier (the bundled catalog).
    const landmarks = (await page.getByTestId('landmarks').textContent()) ?? '';
    assert.match(landmarks, /Chinchilla 70B[^]*near the frontier/);
    assert.match(landmarks, /GPT-3 175B[^]*under-trained/);
  });

  await t.test('changing the law refits', async () => {
    await page.getByTestId('setting-law').selectOption('power');
    await page.getByTestId('setting-x').selectOption('C');
    await page.getByRole('heading', { name: /^power fit to/ }).waitFor();
    await page.getByTestId('param-B').waitFor({ state: 'detached' });
    assert.ok((await numberIn(page, 'param-alpha')) > 0);
    await page.getByTestId('planner-unavailable').waitFor();
    await page.getByTestId('setting-law').selectOption('chinchilla');
    await page.getByTestId('param-beta').waitFor();
    await page.getByTestId('plan-N').waitFor();
  });

  await t.test('the sweep panel shows the study\'s live state', async () => {
    await page.getByTestId('sweep-done').waitFor();
    assert.equal(await page.getByTestId('sweep-study').inputValue(), 'isoflop-demo');
    assert.equal(await numberIn(page, 'sweep-done'), 3);
    assert.equal(await numberIn(page, 'sweep-total'), 6);
    assert.equal(await numberIn(page, 'sweep-failed'), 1);
    assert.equal(await numberIn(page, 'sweep-inflight'), 1);
    assert.match((await page.getByTestId('sweep-best').textContent()) ?? '', /^3\.27/);
    assert.match((await page.getByTestId('sweep-hours').textContent()) ?? '', /^2\.97 of 6\.00/);
    await page.getByTestId('sweep').screenshot({ path: join(shots, 'web-e2e-3-sweep.png') });
    // The running run finishes (as a sweep would record it): the panel shows it at the next poll.
    const store = RunStore.open(storePath);
    const running = store.runs({ study: 'isoflop-demo', status: 'running' })[0];
    store.finish(running.id, { status: 'completed', loss: 3.12, seconds: 3600 });
    store.close();
    assert.equal(await changedNumber(page, 'sweep-done', 3, 6_000), 4);
    assert.equal(await numberIn(page, 'sweep-inflight'), 0);
    assert.match((await page.getByTestId('sweep-best').textContent()) ?? '', /^3\.12/);
  });

  await t.test('figures export as SVG and PNG, the fit as JSON', async () => {
    const save = async (testId: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
      return { name: download.suggestedFilename(), bytes: readFileSync((await download.path())!) };
    };
    const svg = await save('export-loss-svg');
    assert.equal(svg.name, 'chinchilla-loss.svg');
    assert.match(svg.bytes.toString('utf8'), /^<svg/);
    const png = await save('export-residuals-png');
    assert.equal(png.name, 'chinchilla-residuals.png');
    assert.deepEqual([...png.bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');
    const json = await save('export-fit');
    const fitJson = JSON.parse(json.bytes.toString('utf8'));
    assert.equal(fitJson.law, 'chinchilla');
    assert.ok(Math.abs(fitJson.params.E - 1.8172) < 0.005);
  });

  await t.test('the run store browser shows a study\'s runs and fits its completed ones (4: too few, a clear error)', async () => {
    await page.getByTestId('study-isoflop-demo').click();
    const table = page.getByTestId('study-runs');
    await table.waitFor();
    assert.equal(await table.locator('tbody tr').count(), 6);
    assert.match((await table.locator('tbody tr').nth(3).textContent()) ?? '', /failed/);
    await page.getByTestId('fit-study').click();
    const error = page.getByTestId('error');
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /The fit failed.*4 runs, but law chinchilla has 5 free parameters/);
  });

  await t.test('a malformed upload shows the located error: line 3, column 3', async () => {
    await page.getByTestId('upload').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('N,D,loss\n1e8,2e9,3.1\n2e8,4e9,abc\n') });
    const error = page.getByTestId('error');
    await error.waitFor();
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.match((await error.textContent()) ?? '', /bad\.csv:3:3 \(column "loss"\): expected a positive number for loss, got "abc"/);
    assert.match((await page.getByTestId('error-location').textContent()) ?? '', /line 3, column 3/);
    await page.screenshot({ path: join(shots, 'web-e2e-4-upload-error.png'), fullPage: false });
  });

  await t.test('a good upload fits, and the error goes away', async () => {
    const rows = ['N,D,loss'];
    for (const N of [1e7, 3e7, 1e8, 3e8]) for (const D of [2e8, 1e9, 5e9]) rows.push(`${N},${D},${1.8 + 480 / N ** 0.35 + 2100 / D ** 0.37}`);
    await page.getByTestId('upload').setInputFiles({ name: 'runs.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await page.getByTestId('param-E').waitFor();
    assert.equal(await page.getByTestId('error').count(), 0);
    assert.match((await page.getByTestId('current-dataset').textContent()) ?? '', /runs\.csv \(12 runs\)/);
  });

  await t.test('no page errors, no console errors (a CSP violation would be one)', () => {
    assert.deepEqual(problems, []);
  });
});
