/**
 * Remake the web app's screenshots in docs/screenshots/: the app with Chinchilla's runs fitted, at a
 * desktop size (1280×800) and a phone's (390×844), as a user sees it after opening the data set (the
 * result scrolled into view), the planner with inference tokens set, and the downstream panel with the
 * bundled Pythia ladder's folder screened.
 *
 *   npm run build && node --import tsx scripts/screenshots.ts [--out docs/screenshots]
 *
 * Needs Chromium (SCALELAB_CHROMIUM, default /usr/bin/chromium) and the built app (web/dist).
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { bundledDatasets, createWebServer, defaultAssetsDir } from '../src/server/webServer.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const outIndex = process.argv.indexOf('--out');
const out = resolve(outIndex > 0 ? process.argv[outIndex + 1] : join(root, 'docs', 'screenshots'));
const executablePath = process.env.SCALELAB_CHROMIUM || '/usr/bin/chromium';
const assets = defaultAssetsDir();
if (!existsSync(join(assets, 'index.html')))
  throw new Error(`the web app is not built (${assets}): run "npm run build" first`);
if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: set SCALELAB_CHROMIUM`);
mkdirSync(out, { recursive: true });

// No store: the shots show the bundled data sets only.
const web = createWebServer({
  storePath: join(mkdtempSync(join(tmpdir(), 'scalelab-shots-')), 'none.db'),
  assetsDir: assets,
  datasets: bundledDatasets(),
});
const { url } = await web.listen(0);
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

/** The page's element (this file is typed for Node). */
type Scrollable = { scrollIntoView(o: { block: string }): void };

/** Open Chinchilla as a user would, and wait for every figure. */
async function fitted(page: Page, query = ''): Promise<void> {
  await page.goto(`${url}/${query}`);
  if (!query) await page.getByTestId('dataset-chinchilla').click();
  await page.getByTestId('param-E').waitFor({ timeout: 60_000 });
  for (const kind of ['loss', 'frontier', 'isoflop', 'residuals'])
    await page.locator(`[data-testid="figure-${kind}"][data-ready="true"]`).waitFor({ timeout: 60_000 });
  // The result heading has the focus; its ring is not part of the layout being shown.
  await page.evaluate('document.activeElement && document.activeElement.blur()');
}

try {
  const shots: [string, { width: number; height: number }, (p: Page) => Promise<void>][] = [
    ['desktop.png', { width: 1280, height: 800 }, (p) => fitted(p)],
    ['phone.png', { width: 390, height: 844 }, (p) => fitted(p)],
    [
      'desktop-planner.png',
      { width: 1280, height: 800 },
      async (p) => {
        await fitted(p, '?dataset=chinchilla&plan.inferenceTokens=2T');
        await p.getByTestId('plan-inference').scrollIntoViewIfNeeded();
        await p
          .locator('#planner-heading')
          .evaluate((el) => (el as unknown as Scrollable).scrollIntoView({ block: 'start' }));
      },
    ],
    [
      'phone-figure.png',
      { width: 390, height: 844 },
      async (p) => {
        await fitted(p);
        await p
          .locator('#figures-heading')
          .evaluate((el) => (el as unknown as Scrollable).scrollIntoView({ block: 'start' }));
      },
    ],
    [
      'desktop-downstream.png',
      { width: 1280, height: 800 },
      async (p) => {
        // The bundled Pythia ladder, chosen as a folder (its manifest gives each run's N), screened.
        await p.goto(url);
        await p.getByTestId('downstream-folder').setInputFiles(join(root, 'examples', 'downstream', 'pythia'));
        await p.getByTestId('downstream-files').waitFor();
        await p.getByTestId('downstream-run').click();
        await p.getByTestId('downstream-screen').waitFor({ timeout: 60_000 });
        await p
          .locator('#downstream-heading')
          .evaluate((el) => (el as unknown as Scrollable).scrollIntoView({ block: 'start' }));
      },
    ],
  ];
  for (const [name, viewport, prepare] of shots) {
    const page = await browser.newPage({ viewport });
    await prepare(page);
    await page.screenshot({ path: join(out, name) });
    await page.close();
    console.log(`wrote ${join(out, name)}`);
  }
} finally {
  await browser.close();
  await web.close();
}
