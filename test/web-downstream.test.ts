/**
 * The web app's downstream panel in Debian's chromium (as test/web-e2e.test.ts: the built app,
 * web/dist; skipped without Chromium): upload per-task metrics, screen and predict; a malformed file
 * shows its located error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { RunStore } from '../src/store/store.js';
import { createWebServer, defaultAssetsDir } from '../src/server/webServer.js';
import { chromiumPath as executablePath, testTool } from './helpers/tools.js';

const browserTool = testTool('browser');

/** A ladder in a long CSV: 4 sizes × 12 checkpoints of one task whose accuracy rises with compute. */
function ladderCsv(): string {
  const rows = ['run,N,tokens,task,metric,value'];
  for (const N of [7e7, 1.6e8, 4e8, 1e9]) {
    for (let k = 1; k <= 12; k++) {
      const D = k * 2.5e9 * (N / 7e7) ** 0.5,
        C = 6 * N * D;
      const acc = 0.25 + 0.75 / (1 + Math.exp(0.8 * (Math.log(1e21) - Math.log(C))));
      rows.push(`m${N},${N},${D},sciq,acc,${acc.toFixed(5)}`);
    }
  }
  return rows.join('\n') + '\n';
}

test(
  'web app: the downstream panel screens uploaded task metrics and predicts a target; a bad file is located',
  { skip: browserTool.skip, timeout: 180_000 },
  async (t) => {
    const assets = defaultAssetsDir();
    assert.ok(
      existsSync(join(assets, 'index.html')),
      `the web app is not built: ${join(assets, 'index.html')} is missing; run "npm run build" before this test`,
    );
    browserTool.require();
    const storePath = join(mkdtempSync(join(tmpdir(), 'scalelab-web-downstream-')), 'runs.db');
    RunStore.open(storePath).close();
    const web = createWebServer({ storePath, assetsDir: assets, datasets: [] });
    const { url } = await web.listen(0);
    // Cleanup is registered before the launch, so a failed launch still closes the server.
    // eslint-disable-next-line prefer-const
    let browser: Browser | undefined;
    t.after(async () => {
      await browser?.close();
      await web.close();
    });
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000);
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(url);
    await page
      .getByTestId('downstream-upload')
      .setInputFiles({ name: 'ladder.csv', mimeType: 'text/csv', buffer: Buffer.from(ladderCsv()) });
    await page.getByLabel('chance accuracy').fill('0.25');
    await page.getByLabel('target N').fill('7e9');
    await page.getByLabel('target D').fill('1.4e11');
    await page.getByTestId('downstream-run').click();
    const row = page.getByTestId('downstream-screen').locator('tbody tr').first();
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    assert.equal(cells[0], 'sciq');
    assert.equal(cells[1], 'predictable');
    // The truth at C = 6 × 7e9 × 1.4e11: 0.25 + 0.75/(1 + e^(0.8(ln 1e21 − ln C))).
    const truth = 0.25 + 0.75 / (1 + Math.exp(0.8 * (Math.log(1e21) - Math.log(6 * 7e9 * 1.4e11))));
    const predicted = Number(cells[3].split(' ')[0]);
    assert.ok(Math.abs(predicted - truth) < 0.01, `${cells[3]} vs ${truth}`);
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
    // The upload clears bad.csv's error before the run is asked for.
    await page.getByTestId('error-location').waitFor({ state: 'detached' });
    await page.getByTestId('downstream-run').click();
    await page.getByTestId('error-location').waitFor();
    assert.match((await page.getByTestId('error-location').textContent()) ?? '', /twice\.csv at line 50/);
    assert.deepEqual(problems, []);
  },
);
