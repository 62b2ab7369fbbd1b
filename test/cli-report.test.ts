import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, scalelab } from './helpers/cli.js';
import { oneBudgetCsv } from './helpers/synthetic.js';
import { formatNumber } from '../src/core/format.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-report-'));

test('scalelab report writes one self-contained HTML file with every section and inline SVG figures', () => {
  const out = join(dir, 'report.html');
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
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json().figures, ['loss', 'isoflop', 'frontier', 'residuals', 'backtest', 'landmarks']);
  const html = readFileSync(out, 'utf8');
  for (const id of ['data', 'fit', 'approaches', 'plan', 'backtest', 'landmarks', 'warnings', 'figures'])
    assert.ok(html.includes(`<section id="${id}">`), id);
  assert.equal((html.match(/<svg /g) ?? []).length, 6);
  // The plan's N and D are said as plan says them: the reported law's optimum, the other candidates' beside it.
  assert.match(
    html,
    /N and D from the minimum of law chinchilla [^<]*the reported law \(huber\) alone[^<]*tied-huber [\d.e+]+, gadre/,
  );
  assert.ok(!/<script|<link|src="http|href="http/i.test(html), 'opens with no network');
});

/** Cooldown branches: 7 trunks (one per size), 4 branches each at 25-100 % of 20 tokens per parameter. */
function trunksCsv(path: string, trunk: (k: number) => string): string {
  const lines = ['run,N,D,loss,trunk'];
  [3e7, 6e7, 1e8, 2e8, 4e8, 8e8, 1.6e9].forEach((N, k) =>
    [0.25, 0.5, 0.75, 1].forEach((f, j) => {
      const D = 20 * N * f;
      const loss = (1.69 + 406.4 / N ** 0.34 + 410.7 / D ** 0.28) * (1 + 0.003 * Math.sin(7 * k + 3 * j));
      lines.push(`t${k}-${f},${N},${D},${loss.toFixed(5)},${trunk(k)}`);
    }),
  );
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

test('report --holdout keeps its back-test when the cutoff would reach the largest lineage; a back-test that cannot run is said', () => {
  // 28 runs, --holdout 0.1: the 25th smallest reach is the largest trunk's, which would hold nothing out.
  const file = trunksCsv(join(dir, 'trunks.csv'), (k) => `t${k}`);
  const out = join(dir, 'trunks.html');
  const args = ['--holdout', '0.1', '--bootstrap', '0', '--json'];
  const r = scalelab(['report', file, ...args, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json().backtestSkipped, undefined);
  assert.ok(r.json().figures.includes('backtest'));
  const html = readFileSync(out, 'utf8');
  assert.match(html, /<section id="backtest"><h2>Rolling-origin back-test/);
  // One trunk for every run: no cutoff fits a run and holds one out. Said in the HTML, the JSON and the warnings.
  const one = trunksCsv(join(dir, 'one-trunk.csv'), () => 't');
  const outOne = join(dir, 'one-trunk.html');
  const skipped = scalelab(['report', one, ...args, '--out', outOne]);
  assert.equal(skipped.code, 0, skipped.stderr);
  const reason = skipped.json().backtestSkipped as string;
  assert.match(reason, /one-trunk\.csv: 28 training runs: a back-test needs at least 6 runs below a cutoff/);
  assert.ok(skipped.json().warnings.includes(`back-test not shown: ${reason}`));
  assert.match(
    readFileSync(outOne, 'utf8'),
    /<section id="backtest"><h2>Rolling-origin back-test<\/h2><p class="warn">Not shown: /,
  );
});

test('scalelab plot writes SVG and PNG; a kind the data cannot support is a clear error', () => {
  const svg = join(dir, 'loss.svg');
  const loss = scalelab(['plot', 'loss', 'examples/chinchilla.csv', '--out', svg, '--bootstrap', '0', '--json']);
  assert.equal(loss.code, 0, loss.stderr);
  assert.match(readFileSync(svg, 'utf8'), /^<svg /);
  // A loss curve needs neither the IsoFLOP approaches nor a back-test: neither runs, nor warns.
  const said = JSON.stringify(loss.json().warnings);
  assert.doesNotMatch(said, /approach 2|back-test/, said);
  const bt = scalelab([
    'plot',
    'backtest',
    'examples/chinchilla.csv',
    '--out',
    join(dir, 'bt.svg'),
    '--bootstrap',
    '0',
    '--json',
  ]);
  assert.equal(bt.code, 0, bt.stderr);
  // Counted as predictions (a run above several cutoffs is predicted from each), not as runs: 470 of 240 runs.
  const btWarning = (bt.json().warnings as string[]).find((w) => w.startsWith('back-test: auto'));
  assert.match(
    btWarning ?? '',
    /^back-test: auto, fitted below each of 3 cutoffs, missed its (\d+) predictions of the runs above by/,
  );
  assert.ok(Number(/its (\d+) predictions/.exec(btWarning!)![1]) > 240, btWarning);
  // The default target (1e24, 77× the data) is drawn by the loss curve and warned of there; a back-test
  // figure draws no target, so says nothing of it.
  assert.match(said, /target \(warning\): C = 1e24/, said);
  assert.deepEqual(
    (bt.json().warnings as string[]).filter((w) => w.startsWith('target')),
    [],
  );
  const png = join(dir, 'iso.png');
  assert.equal(scalelab(['plot', 'isoflop', 'examples/cs336-isoflops.json', '--out', png, '--bootstrap', '0']).code, 0);
  assert.deepEqual([...readFileSync(png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const bad = scalelab(['plot', 'loss', 'examples/chinchilla.csv', '--out', join(dir, 'x.gif')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--out: expected a \.svg or \.png file name/);
  const kind = scalelab(['plot', 'pie', 'examples/chinchilla.csv', '--out', svg]);
  assert.match(kind.stderr, /KIND: invalid value "pie"/);
  assert.ok(noStackTrace(bad.stderr) && noStackTrace(kind.stderr));
  // report writes HTML: another extension is refused before any work (it wrote HTML into r.pdf).
  const pdf = join(dir, 'r.pdf');
  const notHtml = scalelab(['report', 'examples/chinchilla.csv', '--out', pdf]);
  assert.equal(notHtml.code, 2);
  assert.match(notHtml.stderr, /--out: the report is one HTML file: expected a \.html file name, got ".*r\.pdf"/);
  assert.ok(!existsSync(pdf));
});

test("plot isoflop and report on runs that are no IsoFLOP sweep say why with this command's flags (--budgets, --tolerance), the file named once", () => {
  // A spreadsheet's grid: 4 sizes × 3 token counts, no two runs at one compute.
  const grid = join(dir, 'grid.csv');
  const rows = ['params,tokens,final_loss'];
  for (const N of [2e7, 5e7, 1.25e8, 3.5e8])
    for (const k of [5, 20, 80]) rows.push(`${N},${N * k},${1.69 + 406.4 / N ** 0.34 + 410.7 / (N * k) ** 0.28}`);
  writeFileSync(grid, rows.join('\n') + '\n');
  const iso = scalelab(['plot', 'isoflop', grid, '--out', join(dir, 'grid-iso.svg'), '--bootstrap', '0']);
  assert.equal(iso.code, 2, iso.stderr);
  assert.match(
    iso.stderr,
    /cannot draw "isoflop" for .*grid\.csv: found 0 IsoFLOP budgets with at least 3 runs: .*set --budgets or --tolerance\)/,
  );
  assert.doesNotMatch(iso.stderr, /option "budgets"/);
  const out = join(dir, 'grid.html');
  assert.equal(scalelab(['report', grid, '--out', out, '--bootstrap', '0']).code, 0);
  assert.match(readFileSync(out, 'utf8'), /Approach 2 not shown: [^<]*set --budgets or --tolerance/);
});

test("report's Trust table names a fit warning's option as report's flag (--columns), as its Warnings list does", () => {
  // Checkpoints with a step column and no run column: the fit warns, advising a run column.
  const steps = join(dir, 'steps.csv');
  const rows = ['N,D,step,loss'];
  for (const N of [1e7, 3e7, 1e8, 3e8])
    for (const [k, D] of [2e9, 6e9, 2e10].entries())
      rows.push(`${N},${D},${(k + 1) * 1000},${1.7 + 400 / N ** 0.34 + 2000 / D ** 0.36}`);
  writeFileSync(steps, rows.join('\n') + '\n');
  const out = join(dir, 'steps.html');
  const r = scalelab(['report', steps, '--out', out, '--bootstrap', '0', '--backtest-procedures', 'huber']);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  const trust = /<section id="trust">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
  assert.match(trust, /map one with --columns run=NAME/);
  assert.doesNotMatch(html, /option &quot;/);
});

test("study run --out report.html uses the same report, with the study's sections and regret", () => {
  const out = join(dir, 'study.html');
  const r = scalelab([
    'study',
    'run',
    '--backend',
    'sim',
    '--db',
    join(dir, 'runs.db'),
    '--bootstrap',
    '0',
    '--out',
    out,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  for (const id of ['study', 'recommendation', 'fit', 'figures']) assert.ok(html.includes(`<section id="${id}">`), id);
  assert.match(html, /Regret \d+\.\d\d %/);
  // Its footer says how to make it again, as report's does.
  assert.match(
    html,
    /<footer><p class="ci">Generated by ScaleLab \S+ on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC from study/,
  );
  assert.ok(
    html.includes(`Command: scalelab study run --backend sim --db ${join(dir, 'runs.db')}`),
    'the command line',
  );
});

test("report's plan says whose loss and interval it shows, and gives a new run's as plan --fit and predict do; its rules of thumb cite their source", () => {
  const out = join(dir, 'plan-sources.html');
  const fitFile = join(dir, 'plan-sources-fit.json');
  const common = ['--bootstrap', '30', '--seed', '3'];
  const r = scalelab(['report', 'examples/inputs/runs.csv', '--targets', '1.026e22', ...common, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(scalelab(['fit', 'examples/inputs/runs.csv', ...common, '--out', fitFile, '--json']).code, 0);
  const plan = scalelab(['plan', '--C', '1.026e22', '--fit', fitFile, '--json']).json();
  const f = plan.recommendation.forRun;
  const html = readFileSync(out, 'utf8');
  const section = html.slice(
    html.indexOf('<section id="plan">'),
    html.indexOf('</section>', html.indexOf('<section id="plan">')),
  );
  assert.ok(
    section.includes(
      "its interval that law's own 30 bootstrap replicates alone (no run-to-run scatter; not predict's, which pools every candidate's)",
    ),
    section,
  );
  const expected = `For a new run, as predict gives it: ${formatNumber(f.loss, 4)}, 95 % prediction interval [${formatNumber(f.interval[0], 3)}, ${formatNumber(f.interval[1], 3)}]`;
  assert.ok(section.includes(expected), `${expected}\n${section}`);
  assert.notEqual(formatNumber(f.interval[0], 3), formatNumber(plan.recommendation.intervals.loss[0], 3));
  for (const a of plan.alternatives) assert.ok(section.includes(`<td>${a.citation}</td>`), a.citation);
  // The target as given (it read 1.03e22 in the title and the approaches table).
  assert.ok(section.includes('Plan for C = 1.026e22 FLOPs'), section.slice(0, 200));
  assert.match(html, /<td>1\.026e22<\/td>/);
  // One shape choice (makePlan's): the report's shape at the same C is plan's.
  const s = plan.recommendation.shape.shape;
  assert.ok(
    section.includes(`Shape: ${s.nLayer} layers × d_model ${s.dModel}, ${s.nHeads} heads of ${s.headDim}`),
    section,
  );
});

test("report's Trust line at the top grades the fit and, beside it, a target far beyond the data: never 'ok' alone above a severe warning", () => {
  const out = join(dir, 'far.html');
  const r = scalelab(['report', 'examples/inputs/runs.csv', '--targets', '1e27', '--bootstrap', '0', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  const nav = /<nav>([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
  assert.match(nav, /Trust in the fit: \w+; the report's other warnings: severe \(the target lies beyond the data/);
  assert.match(html, /target \(severe\)/);
});

test('one-ratio runs: report, plan --fit and frontier show the N/D split as not identified, with no landmark verdicts', () => {
  // Truth: Chinchilla's law (α = 0.34, β = 0.28), every run at 20 tokens per parameter, 0.4 % noise from a
  // fixed sequence: the loss along the ratio is determined, the split of a budget is not.
  const rows = ['N,D,loss'];
  let k = 0;
  for (const N of [1.25e8, 3.5e8, 7.6e8, 1.3e9, 2.7e9])
    for (let seed = 0; seed < 3; seed++) {
      const D = 20 * N;
      const L = (1.69 + 406.4 / N ** 0.34 + 410.7 / D ** 0.28) * (1 + 0.004 * Math.sin(7.31 * ++k));
      rows.push(`${N},${D},${L.toFixed(6)}`);
    }
  const file = join(dir, 'one-ratio.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const out = join(dir, 'one-ratio.html');
  const r = scalelab(['report', file, '--targets', '1e23', '--bootstrap', '20', '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.json().splitUnidentified, /^every run has 20 tokens per parameter, so the data cannot tell/);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /not identified by these data/);
  assert.doesNotMatch(html, /\[0\.5, 0\.5\]/);
  assert.doesNotMatch(html, /over-trained: /);
  assert.match(html, /Not placed, and no verdict \(over- or under-trained\) made/);
  assert.match(html, /N and D apart are not identified by these data/);
  // One cutoff leaves two sizes to fit below it: no back-test prediction, said in its section (the empty
  // figure's axis had come out NaN, and the page was refused as non-finite).
  const one = scalelab(['report', file, '--targets', '1e23', '--bootstrap', '20', '--folds', '1', '--out', out]);
  assert.equal(one.code, 0, one.stderr);
  assert.match(readFileSync(out, 'utf8'), /No run could be predicted: auto at C ≤ [^:]+: .*too few to fit any law/);
  assert.doesNotMatch(readFileSync(out, 'utf8'), /id="fig-backtest"/);
  // The same runs fitted and planned from: a warning beside N and D, and --compare places no model.
  const fit = join(dir, 'one-ratio.json');
  assert.equal(scalelab(['fit', file, '--bootstrap', '10', '--out', fit]).code, 0);
  const plan = scalelab(['plan', '--C', '1e23', '--fit', fit, '--compare', 'chinchilla-70b', '--json']).json();
  assert.ok(
    plan.warnings.some(
      (w: { code: string; message: string }) => w.code === 'one-ratio' && /not identified/.test(w.message),
    ),
  );
  assert.equal(plan.landmarks, undefined);
  assert.match(plan.landmarksNotPlaced, /published models not placed/);
  const frontier = scalelab(['frontier', file, '--bootstrap', '10']);
  assert.equal(frontier.code, 0, frontier.stderr);
  assert.match(frontier.stdout, /3 parametric fit .* not identified \([\d.]+ assumed\)/);
  // Runs at several ratios keep their numbers and verdicts.
  const spread = scalelab([
    'plan',
    '--C',
    '1e23',
    '--preset',
    'hoffmann-2022',
    '--compare',
    'chinchilla-70b',
    '--json',
  ]).json();
  assert.equal(spread.landmarksNotPlaced, undefined);
  assert.equal(spread.landmarks.length, 1);
});

test("runs too few for free α and β: report's plan says its split is the reduction's tie, as plan --fit does", () => {
  // Truth: α = 0.34, β = 0.28 (Hoffmann et al. 2022), five sizes on one IsoFLOP budget: the fit reduces its
  // law to α = β, which fixes a = b = 0.5 whatever the data (test/cli-plan.test.ts's runs).
  const file = join(dir, 'one-budget.csv');
  writeFileSync(file, oneBudgetCsv());
  const out = join(dir, 'one-budget.html');
  const r = scalelab(['report', file, '--targets', '1e23', '--bootstrap', '20', '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.json().splitUnidentified, /^the fit's reported law was reduced to α = β for too few runs/);
  assert.ok(
    r.json().warnings.some((w: string) => /apart .* are not identified by the fit's data: .*reduced to α = β/.test(w)),
    JSON.stringify(r.json().warnings),
  );
  const html = readFileSync(out, 'utf8');
  assert.match(html, /N and D apart are not identified by these data: the fit's reported law was reduced to α = β/);
  // Not one ratio: the runs' ratio is not a line the data determine.
  assert.doesNotMatch(html, /the loss along the runs' ratio is the data's/);
  assert.match(html, /Not placed, and no verdict \(over- or under-trained\) made/);
  // Runs that fit α and β apart: no such warning.
  const free = scalelab([
    'report',
    'examples/chinchilla.csv',
    '--targets',
    '1e23',
    '--bootstrap',
    '20',
    '--out',
    join(dir, 'free.html'),
    '--json',
  ]);
  assert.equal(free.code, 0, free.stderr);
  assert.equal(free.json().splitUnidentified, undefined);
});

test("report marks the fit's bootstrap count and seed (default) when they were not typed, as the back-test's settings are", () => {
  const out = join(dir, 'defaults-marked.html');
  const fitLine = (html: string) => /Intervals: 95 % percentile bootstrap, [^<]*/.exec(html)?.[0] ?? '';
  const seedUntyped = scalelab([
    'report',
    'examples/inputs/runs.csv',
    '--bootstrap',
    '20',
    '--folds',
    '1',
    '--out',
    out,
  ]);
  assert.equal(seedUntyped.code, 0, seedUntyped.stderr);
  const line = fitLine(readFileSync(out, 'utf8'));
  assert.match(line, /; seed 0 \(default, --seed\)\.$/);
  assert.doesNotMatch(line, /\(default, --bootstrap\)/);
  const typed = scalelab([
    'report',
    'examples/inputs/runs.csv',
    '--bootstrap',
    '20',
    '--seed',
    '3',
    '--folds',
    '1',
    '--out',
    out,
  ]);
  assert.equal(typed.code, 0, typed.stderr);
  assert.doesNotMatch(fitLine(readFileSync(out, 'utf8')), /default/);
});
