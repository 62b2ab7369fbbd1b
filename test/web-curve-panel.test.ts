/**
 * The web app's curve panel in chromium: it draws the bundled moby-curves prediction for a schedule and
 * redraws when the schedule changes. Needs the built app (web/dist) and Chromium, like test/web-e2e.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledDatasets } from '../src/server/webServer.js';
import { browserTool, openWebApp, pageProblems } from './helpers/browser.js';

test(
  'web app in chromium: the curve panel predicts a training curve for a chosen schedule',
  { skip: browserTool.skip, timeout: 180_000 },
  async (t) => {
    const { url, browser } = await openWebApp(t, {
      storePath: join(mkdtempSync(join(tmpdir(), 'scalelab-web-curve-')), 'runs.db'),
      datasets: bundledDatasets(),
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(30_000);
    const problems = pageProblems(page, 'none');
    await page.goto(url);
    const panel = page.getByTestId('curve-law-panel');
    await panel.waitFor();
    const final = panel.getByTestId('curve-final');
    const read = async () => Number(/Predicted final loss (\d+\.\d+)/.exec((await final.textContent()) ?? '')?.[1]);
    // The bundled fit's first size (N = 25,472) under its default schedule, a 2000-step cosine: the study's prediction.
    const shipped = (run: string) =>
      (
        JSON.parse(
          readFileSync(new URL('../examples/studies/moby-curves/predictions.json', import.meta.url), 'utf8'),
        ) as {
          run: string;
          law: string;
          predicted: number;
        }[]
      ).find((p) => p.run === run && p.law === 'multi-power')!.predicted;
    assert.ok(Math.abs((await read()) - shipped('d32-cosine-2x')) < 5e-5, `${await final.textContent()}`);
    assert.equal(await panel.locator('svg polyline').count(), 1);
    // The figure's title is whole: every line of it ends inside the figure (it ran off its right edge).
    const cut = await panel.locator('.curve-figure svg').evaluate((svg) => {
      const width = Number(svg.getAttribute('width'));
      return [...svg.querySelectorAll('text[font-weight="bold"]')]
        .filter((t) => {
          const box = (t as SVGTextElement).getBBox();
          return box.x + box.width > width;
        })
        .map((t) => t.textContent);
    });
    assert.deepEqual(cut, [], 'title lines past the edge of the figure');
    // A WSD schedule over 1000 steps with half of it decaying: the study's other target.
    await panel.getByTestId('curve-schedule').selectOption('wsd');
    await panel.getByTestId('curve-steps').fill('1000');
    await panel.getByTestId('curve-decay-frac').fill('0.5');
    for (
      const start = Date.now();
      Math.abs((await read()) - shipped('d32-wsd-0.5')) > 5e-5 && Date.now() - start < 10_000;
      await page.waitForTimeout(50)
    );
    assert.ok(Math.abs((await read()) - shipped('d32-wsd-0.5')) < 5e-5, `${await final.textContent()}`);
    // A value the schedule refuses is named by the form's label (it said 'schedule field "warmupSteps"'),
    // and a box left empty is missing, not 0.
    const problem = panel.getByTestId('curve-error');
    await panel.getByLabel('warmup steps').fill('5000');
    await problem.waitFor();
    assert.match((await problem.textContent()) ?? '', /^warmup steps: expected .* got 5000$/);
    await panel.getByLabel('warmup steps').fill('50');
    await panel.getByTestId('curve-steps').fill('');
    assert.equal(await panel.getByTestId('curve-steps').inputValue(), '', 'the box stays empty');
    assert.match((await problem.textContent()) ?? '', /^steps: missing/);
    await panel.getByTestId('curve-steps').fill('1000');
    await problem.waitFor({ state: 'detached' });
    assert.deepEqual(problems, []);
  },
);
