/**
 * The web app's critical-batch panel: the critical batch fitted to training curves at several batch sizes,
 * as `scalelab bcrit FILE` fits it (the same core function and the same answer builder, in a worker),
 * checked against the command's JSON and text on the bundled example and on an uploaded file.
 *
 * The browser test needs the built app: `npx vite build --config web/vite.config.ts --logLevel warn`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRuns } from '../src/io/parseRuns.js';
import { formatInterval, formatNumber } from '../src/core/format.js';
import { runCriticalBatch } from '../web/src/worker/compare.js';
import { root, scalelab } from './helpers/cli.js';
import { browserTool, openWebApp, pageProblems } from './helpers/browser.js';
import { seriousViolations } from './helpers/axe.js';

/** The defaults the command marks with its flags, as the panel names them (its field, or the command line). */
function inPageWords(text: string): string {
  return text
    .replace('(default, --bootstrap)', '(default, the bootstrap replicates field)')
    .replace('(default, --seed)', "(default, the command line's seed)")
    .replace('(default, --target-losses)', "(default, the command line's target losses)");
}

/** The example's curves without the largest batch size: five batch sizes, another fit. */
function fiveBatches(): string {
  const text = readFileSync(join(root, 'examples/inputs/curves.csv'), 'utf8');
  const [header, ...rows] = text.trim().split('\n');
  return [header, ...rows.filter((r) => !r.startsWith('b67108864,'))].join('\n') + '\n';
}

test("the panel's worker gives bcrit FILE --json's answer and its text, defaults in the page's words", () => {
  const file = 'examples/inputs/curves.csv';
  const dataset = parseRuns(readFileSync(join(root, file), 'utf8'), { source: file, require: [] });
  const progress: number[] = [];
  const web = runCriticalBatch(dataset, { bootstrap: 200, seed: 0 }, (done, total) => progress.push(done / total));
  const cli = scalelab(['bcrit', file, '--bootstrap', '200', '--json']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual(JSON.parse(JSON.stringify(web.result)), cli.json());
  const text = scalelab(['bcrit', file, '--bootstrap', '200']).stdout;
  // 200 was chosen: only the seed and the targets are marked as defaults, by the command line's flags.
  assert.match(
    text,
    /^target losses: five levels the runs reach \(default, --target-losses\); 200 bootstrap resamples, seed 0 \(default, --seed\)$/m,
  );
  assert.equal(web.report, inPageWords(text));
  assert.ok(text.includes(web.law!), web.law);
  // Progress runs from none to all, never back.
  assert.equal(progress[0], 0);
  assert.equal(progress.at(-1), 1);
  assert.ok(
    progress.every((p, i) => i === 0 || p >= progress[i - 1]),
    String(progress),
  );
});

test(
  'web app: the critical-batch panel fits B_crit per target and B_crit(L) in a worker, as bcrit FILE does, with its warnings, its text and a located upload error',
  { skip: browserTool.skip, timeout: 240_000 },
  async (t) => {
    const { url, browser } = await openWebApp(t, {
      storePath: join(mkdtempSync(join(tmpdir(), 'scalelab-web-bcrit-')), 'runs.db'),
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(60_000);
    const problems = pageProblems(page);
    await page.goto(url);
    const panel = page.getByTestId('bcrit-panel');
    assert.equal(await panel.getByTestId('bcrit-run').isDisabled(), true, 'no file yet');
    const select = panel.getByTestId('bcrit-replicates');
    assert.equal(await select.inputValue(), '1000');
    assert.equal((await select.locator('option:checked').textContent())?.trim(), '1000 (default)');

    const dir = mkdtempSync(join(tmpdir(), 'scalelab-web-bcrit-'));
    const shown = async (id: string) => ((await panel.getByTestId(id).textContent()) ?? '').trim();
    const f4 = (v: number) => formatNumber(v, 4);
    for (const curves of [
      { name: 'examples/inputs/curves.csv', cwd: root, upload: undefined, bootstrap: [] as string[] },
      // Run where it lies, so the command names it as the page does (by its name).
      { name: 'five.csv', cwd: dir, upload: fiveBatches(), bootstrap: ['--bootstrap', '200'] },
    ]) {
      if (curves.upload === undefined) await panel.getByTestId('bcrit-example').click();
      else {
        writeFileSync(join(dir, curves.name), curves.upload);
        await select.selectOption('200');
        await panel
          .getByTestId('bcrit-upload')
          .setInputFiles({ name: curves.name, mimeType: 'text/csv', buffer: Buffer.from(curves.upload) });
      }
      // The file is read asynchronously: wait until the panel names it before fitting.
      await panel
        .getByTestId('bcrit-file')
        .filter({ hasText: `Curves: ${curves.name}.` })
        .waitFor();
      // By the keyboard: the button keeps the focus while it fits and after (a disabled one dropped it to the page).
      await panel.getByTestId('bcrit-run').focus();
      await page.keyboard.press('Enter');
      await panel.getByTestId('bcrit-result').waitFor();
      assert.equal(
        await page.evaluate('document.activeElement && document.activeElement.getAttribute("data-testid")'),
        'bcrit-run',
        'the focus stays on the button pressed',
      );
      const args = ['bcrit', curves.name, ...curves.bootstrap];
      const json = scalelab([...args, '--json'], { cwd: curves.cwd });
      assert.equal(json.code, 0, json.stderr);
      const cli = json.json();
      const text = scalelab(args, { cwd: curves.cwd }).stdout;
      // Per target: S_min, E_min, B_crit and its interval, from the command's JSON by the one formatter.
      const rows = await panel
        .getByTestId('bcrit-targets')
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())));
      assert.deepEqual(
        rows,
        cli.fits.map(
          (f: {
            target: number;
            sMin: number;
            eMin: number;
            bCrit: number;
            bCritInterval?: [number, number];
            points: unknown[];
          }) => [
            f4(f.target),
            f4(f.sMin),
            f4(f.eMin),
            f4(f.bCrit),
            formatInterval(f.bCritInterval!, f4),
            String(f.points.length),
          ],
        ),
      );
      const replicates = curves.bootstrap.length ? 200 : 1000;
      assert.match(
        await panel.getByTestId('bcrit-targets').locator('thead').innerText(),
        new RegExp(`95 % \\(${replicates} resamples\\)`),
      );
      // The law with its intervals, as the text prints it.
      const law = await shown('bcrit-law');
      assert.match(
        law,
        /^(B_crit\(L\) = \S+ \[\S+, \S+\] \/ L\^\(1\/[\d.]+ \[[\d.]+, [\d.]+\]\)|B_crit is about flat)/,
      );
      assert.ok(text.split('\n').includes(law), `${law}\nnot a line of\n${text}`);
      assert.equal(await shown('bcrit-source'), `${cli.method}; ${cli.lawBootstrap}`);
      // The warnings in the command's words (the example draws the ×10 one).
      const warnings = await panel.getByTestId('bcrit-warnings').locator('li').allTextContents();
      assert.deepEqual(
        warnings,
        cli.warnings.map((w: string) => `warning: ${w}`),
      );
      if (curves.upload === undefined) assert.match(warnings.join('\n'), /B_crit is poorly determined at target loss/);
      // The whole answer as the command prints it, its defaults named by the panel's words.
      const report = (await panel.getByTestId('bcrit-report').textContent()) ?? '';
      assert.equal(report, inPageWords(text));
      assert.match(
        report,
        curves.upload === undefined
          ? /1000 bootstrap resamples \(default, the bootstrap replicates field\), seed 0 \(default, the command line's seed\)/
          : /200 bootstrap resamples, seed 0 \(default/,
      );
      assert.deepEqual(
        await seriousViolations(page, '[data-testid="bcrit-panel"]'),
        [],
        'axe: the critical-batch panel with a fit',
      );
      // On a phone the table scrolls sideways: in a box a keyboard can reach (axe: scrollable-region-focusable).
      await page.setViewportSize({ width: 390, height: 844 });
      assert.deepEqual(
        await seriousViolations(page, '[data-testid="bcrit-panel"]'),
        [],
        'axe: the critical-batch panel with a fit, on a phone',
      );
      await page.setViewportSize({ width: 1400, height: 1000 });
    }

    // A bad loss: the error names the file, the line and the column, and what to do next.
    const bad = readFileSync(join(root, 'examples/inputs/curves.csv'), 'utf8').replace(
      /\nb65536,65536,400,4\.40704\n/,
      '\nb65536,65536,400,fast\n',
    );
    await panel
      .getByTestId('bcrit-upload')
      .setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await panel.getByTestId('bcrit-file').filter({ hasText: 'Curves: bad.csv.' }).waitFor();
    await panel.getByTestId('bcrit-run').click();
    await panel.getByTestId('error-message').waitFor();
    assert.equal(await panel.getByTestId('bcrit-result').count(), 0);
    const where = (await panel.getByTestId('error').innerText()).replace(/\s+/g, ' ');
    assert.match(where, /bad\.csv/);
    assert.match(where, /line 3/);
    assert.match(where, /loss/);
    assert.match(where, /"fast"/);
    assert.match(where, /fix line 3 of bad\.csv and choose it again in the critical-batch panel/i);
    // The command says the same, located the same.
    writeFileSync(join(dir, 'bad.csv'), bad);
    const cliBad = scalelab(['bcrit', 'bad.csv'], { cwd: dir });
    assert.equal(cliBad.code, 2);
    assert.match(cliBad.stderr, /bad\.csv:3/);
    assert.deepEqual(
      await seriousViolations(page, '[data-testid="bcrit-panel"]'),
      [],
      'axe: the critical-batch panel with an error',
    );
    assert.deepEqual(problems, []);
  },
);
