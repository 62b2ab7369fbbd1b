/**
 * Benchmark: the web app's fit worker in Chromium against the same code in Node, in one command.
 *
 *   npm run bench:browser            # needs the built app (npm run build) and /usr/bin/chromium
 *   npm run bench:browser -- --runs 1000 --repeat 5 [--target-ms 1000] [--procedure huber]
 *
 * Draws 1,000 runs from the Chinchilla law (Epoch's constants, 1 % log-normal noise, seed 1),
 * uploads them to the app as a CSV file `repeat` times, and reads the worker's own timings (the
 * fit: start grid and L-BFGS, as `fit()`, for the app's default procedure `auto` every candidate's
 * — three fits, which the browser's fit worker spreads over two workers of its own while Node runs
 * them one after another; then frontier approaches, plan and figure specs). The back-test is not
 * part of a fit: the app runs it on demand in a worker of its own. Node runs the very same function
 * (web/src/worker/analysis.ts) on the same parsed runs. `--procedure` times another procedure
 * (a fixed recipe such as huber, one fit, or custom: the settings' law and loss).
 * Target (issue #5): the browser fit of 1,000 runs under a second, every repeat; the script exits
 * with status 1 (printing slowest / target) when it is not met. With --runs over 1,000 it is not checked.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chinchilla } from '../src/laws/index.js';
import { parseRuns } from '../src/io/parseRuns.js';
import { bundledDatasets, createWebServer, defaultAssetsDir } from '../src/server/webServer.js';
import { runAnalysis } from '../web/src/worker/analysis.js';
import { customProcedure, defaultSettings } from '../web/src/worker/protocol.js';
import { procedureIds } from '../src/fit/procedures.js';
import { syntheticRuns } from '../test/helpers/synthetic.js';

const flag = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const n = flag('runs', 1000);
const repeat = Math.max(2, flag('repeat', 5));
const executablePath = process.env.SCALELAB_CHROMIUM ?? '/usr/bin/chromium';
/** Issue #5's target: fitting 1,000 runs in the browser's worker returns in under a second (fewer runs: the same bound). */
const targetRuns = 1000;
const targetMs = flag('target-ms', 1000);
const procedureAt = process.argv.indexOf('--procedure');
const procedure = procedureAt > 0 ? process.argv[procedureAt + 1] : defaultSettings.procedure;
if (![defaultSettings.procedure, customProcedure, ...procedureIds].includes(procedure))
  throw new Error(`--procedure: expected auto, custom or one of ${procedureIds.join(', ')}, got ${procedure}`);
const settings = { ...defaultSettings, procedure };
if (!Number.isInteger(n) || n < 10) throw new Error(`--runs: expected a whole number of runs, at least 10, got ${n}`);
if (!(targetMs > 0)) throw new Error(`--target-ms: expected a positive number of milliseconds, got ${targetMs}`);
if (!Number.isInteger(repeat)) throw new Error(`--repeat: expected a whole number, got ${flag('repeat', 5)}`);
const truth = { E: 1.8172, A: 477.8, B: 2143.4, alpha: 0.3473, beta: 0.3672 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(0)} ms`;

const assets = defaultAssetsDir();
if (!existsSync(join(assets, 'index.html')))
  throw new Error(`the web app is not built (${assets}): run "npm run build" first`);
if (!existsSync(executablePath))
  throw new Error(`no chromium at ${executablePath}: apt-get install -y --no-install-recommends chromium`);

const synthetic = syntheticRuns({
  law: chinchilla,
  params: truth,
  n,
  seed: 1,
  noise: 0.01,
  N: [5e7, 1.6e10],
  D: [1e9, 5e11],
});
const csv = ['N,D,loss', ...synthetic.runs.map((r) => `${r.N},${r.D},${r.loss}`)].join('\n') + '\n';
const source = 'synthetic.csv';

// Node: the worker's function on the same CSV, parsed the same way.
const dataset = parseRuns(csv, { source });
const node: { fit: number; total: number; E: number }[] = [];
for (let i = 0; i < repeat; i++) {
  const out = runAnalysis(dataset, settings);
  node.push({ fit: out.timings.fitMs, total: out.timings.totalMs, E: out.fit.params.E });
}

// Chromium: upload the file to the app, read the worker's timings off the page.
const web = createWebServer({
  storePath: join(mkdtempSync(join(tmpdir(), 'scalelab-bench-')), 'none.db'),
  assetsDir: assets,
  datasets: bundledDatasets(),
});
const { url } = await web.listen(0);
const browser = await chromium.launch({
  executablePath,
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
const browserVersion = browser.version();
const browserRuns: { fit: number; total: number; wall: number; figures: number; E: number }[] = [];
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(url);
  await page.getByTestId('setting-procedure').selectOption(procedure);
  for (let i = 0; i < repeat; i++) {
    const name = `synthetic-${i + 1}.csv`;
    // Timed inside the page (a MutationObserver), from the file input's change event to the
    // parameters of this file in the DOM, and to the last figure drawn.
    const marks = page.evaluate(`new Promise((resolve) => {
      let start = 0, params = 0;
      document.addEventListener('change', () => (start = performance.now()), { capture: true, once: true });
      const done = () => {
        const heading = document.querySelector('#fit-heading');
        if (!params && heading && heading.textContent.includes(${JSON.stringify(name)})) params = performance.now();
        const figures = [...document.querySelectorAll('[data-testid^="figure-"]')];
        if (params && figures.length && figures.every((f) => f.dataset.ready === 'true')) {
          observer.disconnect();
          resolve({ params: params - start, figures: performance.now() - start });
        }
      };
      const observer = new MutationObserver(done);
      observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    })`) as Promise<{ params: number; figures: number }>;
    await page.getByTestId('upload').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const wall = await marks;
    const time = page.getByTestId('fit-time');
    browserRuns.push({
      fit: Number(await time.getAttribute('data-fit-ms')),
      total: Number(await time.getAttribute('data-total-ms')),
      wall: wall.params,
      figures: wall.figures,
      E: Number(await page.getByTestId('param-E').textContent()),
    });
  }
} finally {
  await browser.close();
  await web.close();
}

const warm = <T>(xs: T[]) => xs.slice(1);
const row = (label: string, first: number, rest: number[]) =>
  `  ${label.padEnd(44)} ${ms(first).padStart(8)} ${ms(median(rest)).padStart(10)}`;
console.log(
  `${n} synthetic Chinchilla-law runs (E=${truth.E}, A=${truth.A}, B=${truth.B}, α=${truth.alpha}, β=${truth.beta}; 1 % noise, seed 1)`,
);
console.log(
  `fit: procedure ${procedure}${procedure === 'auto' ? ' (the default: huber, tied-huber and gadre, three fits: in parallel workers in the browser, one after another in Node)' : ''}, auto start; ${repeat} repeats (first = cold, then the median of the rest)`,
);
console.log(`machine: Node ${process.version}; Chromium ${browserVersion} (headless, Web Worker)\n`);
console.log(`  ${''.padEnd(44)} ${'first'.padStart(8)} ${'median'.padStart(10)}`);
console.log(
  row(
    'Node: fit',
    node[0].fit,
    warm(node).map((r) => r.fit),
  ),
);
console.log(
  row(
    'Chromium worker: fit',
    browserRuns[0].fit,
    warm(browserRuns).map((r) => r.fit),
  ),
);
console.log(
  row(
    'Node: fit + approaches, plan, figures',
    node[0].total,
    warm(node).map((r) => r.total),
  ),
);
console.log(
  row(
    'Chromium worker: fit + approaches, …',
    browserRuns[0].total,
    warm(browserRuns).map((r) => r.total),
  ),
);
console.log(
  row(
    'Chromium: file chosen → parameters in the page',
    browserRuns[0].wall,
    warm(browserRuns).map((r) => r.wall),
  ),
);
console.log(
  row(
    'Chromium: file chosen → every figure drawn',
    browserRuns[0].figures,
    warm(browserRuns).map((r) => r.figures),
  ),
);
const ratio = median(warm(browserRuns).map((r) => r.fit)) / median(warm(node).map((r) => r.fit));
console.log(`\n  browser / Node (median fit): ${ratio.toFixed(2)}×`);
console.log(
  `  same optimum: E = ${node[0].E.toFixed(5)} in Node, ${browserRuns[0].E} shown in the browser (true ${truth.E})`,
);
// The target holds for every repeat, the cold first one included; NaN (no timing shown) fails it.
const worst = Math.max(...browserRuns.map((r) => r.fit));
const met = worst < targetMs;
const targetRatio = `slowest / target = ${(worst / targetMs).toFixed(2)}×`;
if (n > targetRuns) {
  console.log(
    `  target: the browser fit of ${targetRuns.toLocaleString('en-US')} runs under ${ms(targetMs)} — not checked with ${n} runs (slowest of ${repeat}: ${ms(worst)}, ${targetRatio})`,
  );
} else {
  console.log(
    `  target: the browser fit under ${ms(targetMs)} — ${met ? 'met' : 'NOT met'} (slowest of ${repeat}: ${ms(worst)}, ${targetRatio})`,
  );
  if (!met) {
    console.error(
      `browser-fit: target not met: the slowest browser fit of ${n} runs took ${ms(worst)}, ${targetRatio} (browser / Node median ${ratio.toFixed(2)}×)`,
    );
    process.exitCode = 1;
  }
}
