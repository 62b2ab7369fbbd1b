/**
 * The browser tests' one setup: Debian's chromium (driven by playwright-core), headless and with no
 * outside traffic of its own, and for the web app the real server over the built app (web/dist) on an
 * ephemeral port. Both are closed after the test, the cleanup registered before the launch so that a
 * failed launch still closes the server. Without Chromium the tests are skipped (`browserTool.skip`,
 * test/helpers/tools.ts); SCALELAB_REQUIRE_ALL=1 (CI) fails them instead.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createWebServer, defaultAssetsDir, type BundledDataset } from '../../src/server/webServer.js';
import { chromiumPath, testTool } from './tools.js';

export const browserTool = testTool('browser');

/** Chromium with no sandbox (containers), no GPU, no updates, sync or QUIC. */
function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Chromium, closed after the test `t`. */
export async function launchChromium(t: TestContext): Promise<Browser> {
  browserTool.require();
  const browser = await launch();
  t.after(() => browser.close());
  return browser;
}

/**
 * The built web app served from `storePath` with `datasets` (none unless given), and Chromium; the
 * test fails first, with the command that builds it, when web/dist is not built.
 */
export async function openWebApp(
  t: TestContext,
  options: { storePath: string; datasets?: BundledDataset[] },
): Promise<{ url: string; browser: Browser }> {
  const assets = defaultAssetsDir();
  assert.ok(
    existsSync(join(assets, 'index.html')),
    `the web app is not built: ${join(assets, 'index.html')} is missing; run "npm run build" (npm install runs it) before this test`,
  );
  browserTool.require();
  const web = createWebServer({ storePath: options.storePath, assetsDir: assets, datasets: options.datasets ?? [] });
  const { url } = await web.listen(0);
  // Registered before the launch, so that a failed launch still closes the server; the browser first.
  // eslint-disable-next-line prefer-const
  let browser: Browser | undefined;
  t.after(async () => {
    await browser?.close();
    await web.close();
  });
  browser = await launch();
  return { url, browser };
}

/**
 * What went wrong in the page, as it happens: uncaught errors, and (`watch`) the console's errors, or
 * errors and warnings, or neither; added to `problems` (one list for several pages). A test asserts the
 * list is empty at its end.
 */
export function pageProblems(
  page: Page,
  watch: 'none' | 'errors' | 'warnings' = 'errors',
  problems: string[] = [],
): string[] {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  if (watch !== 'none')
    page.on('console', (m) => {
      if (m.type() === 'error' || (watch === 'warnings' && m.type() === 'warning'))
        problems.push(`console ${m.type()}: ${m.text()}`);
    });
  return problems;
}
