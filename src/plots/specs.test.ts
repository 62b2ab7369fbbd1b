import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseRuns } from '../io/parseRuns.js';
import { fit, prepareFit } from '../fit/fit.js';
import { bootstrap } from '../fit/bootstrap.js';
import { chinchilla, powerLaw, predictLoss } from '../laws/index.js';
import { analyse, figures } from '../report/analysis.js';
import { frontierPlot, landmarksPlot, lossPlot, type Spec } from './specs.js';
import { curveFigure } from './curveFigure.js';
import { sigmoidPlot } from '../report/downstreamHtml.js';
import { analyseLadder } from '../analyses/downstreamLadder.js';
import type { TaskMetricData } from '../io/parseTaskMetrics.js';
import { renderSvg } from '../render/render.js';
import { reportHtml } from '../report/html.js';
import { formatNumber } from '../core/format.js';

const data = parseRuns(readFileSync(new URL('../../examples/chinchilla.csv', import.meta.url), 'utf8'), {
  source: 'examples/chinchilla.csv',
});
const fitted = fit(chinchilla, data);
const samples = bootstrap(prepareFit(chinchilla, data), fitted, { replicates: 40, seed: 1 });
const analysis = analyse(data, fitted, samples, {
  targets: [1e23, 1e24],
  bootstrap: { replicates: 40, seed: 1, level: 0.95 },
  isoflop: { budgets: [6e18, 1e19, 3e19, 6e19, 1e20, 3e20, 6e20, 1e21, 3e21] },
});
const specs = figures(analysis);

const layer = (s: Spec, name: string): Spec => {
  const found =
    (s.layer ?? []).find((l) => l.name === name) ??
    (s.hconcat ?? []).flatMap((p) => p.layer ?? []).find((l) => l.name === name);
  assert.ok(found, `layer ${name}`);
  return found!;
};
const values = (l: Spec) => (l.data as { values: Record<string, number>[] }).values;
const enc = (l: Spec) => l.encoding as Record<string, { scale?: { type?: string; domain?: number[] } }>;

test('loss figure: log axes, the band brackets the fitted curve, the curve reaches the target', () => {
  const s = specs.loss!;
  const runs = layer(s, 'runs');
  assert.equal(enc(runs).x.scale!.type, 'log');
  assert.equal(enc(runs).y.scale!.type, 'log');
  assert.equal(values(runs).length, 240);
  const band = values(layer(s, 'band'));
  const curve = values(layer(s, 'fit'));
  curve.forEach((c, i) => assert.ok(band[i].lo <= c.fit && c.fit <= band[i].hi, `band brackets the fit at x = ${c.x}`));
  assert.ok(Math.abs(curve[curve.length - 1].x / 1e24 - 1) < 1e-9, 'curve extends to the target');
  assert.equal(values(layer(s, 'target'))[0].x, 1e24);
  assert.ok(enc(runs).x.scale!.domain![1] >= 1e24, 'the axis covers the target');
});

test('isoflop figure: one vertex per budget, parabolas through the runs, log N axis', () => {
  const s = specs.isoflop!;
  assert.equal(values(layer(s, 'vertices')).length, 9);
  assert.equal(enc(layer(s, 'runs')).x.scale!.type, 'log');
  assert.ok(values(layer(s, 'parabolas')).length > 9 * 10);
});

test('frontier figure: N_opt and D_opt panels with one line per approach and the targets', () => {
  const s = specs.frontier!;
  assert.equal(s.hconcat!.length, 2);
  const lines = values(layer(s, 'N-lines')) as unknown as { approach: string }[];
  assert.deepEqual(
    [...new Set(lines.map((l) => l.approach))].map((a) => a[0]),
    ['2', '3'],
  );
  const targets = values(layer(s, 'N-targets'));
  assert.deepEqual([...new Set(targets.map((t) => t.C))], [1e23, 1e24]);
});

test('residual and back-test figures carry every run', () => {
  assert.equal(values(layer(specs.residuals!, 'residuals-predicted')).length, 240);
  const bt = analysis.backtest!;
  const heldOut = bt.cutoffs.reduce((a, c) => a + c.heldOut, 0);
  assert.equal(values(layer(specs.backtest!, 'backtest')).length, heldOut, 'one point per held-out run and cutoff');
  assert.equal(bt.cutoffs.length, 3);
  assert.ok(
    bt.summaries[0].procedure === 'auto' && bt.summaries[0].meanAbsRelativeError < 0.05,
    JSON.stringify(bt.summaries),
  );
});

test('figures zoom and pan (an interval bound to the scales), lines carry tooltips, the back-test legends y = x, each figure describes itself', () => {
  for (const [kind, name] of [
    ['loss', 'runs'],
    ['isoflop', 'runs'],
    ['frontier', 'N-lines'],
    ['residuals', 'residuals-C'],
    ['backtest', 'backtest'],
  ] as const) {
    const params = layer(specs[kind]!, name).params as { select: { type: string }; bind: string }[];
    assert.equal(params?.[0]?.bind, 'scales', `${kind}: zoom`);
    assert.equal(params[0].select.type, 'interval');
    assert.ok(String(specs[kind]!.description).length > 40, `${kind}: a description`);
  }
  for (const name of ['fit', 'band'])
    assert.ok((enc(layer(specs.loss!, name)) as Record<string, unknown>).tooltip, `${name} has a tooltip`);
  assert.ok((enc(layer(specs.isoflop!, 'parabolas')) as Record<string, unknown>).tooltip, 'parabolas have a tooltip');
  assert.equal(
    (layer(specs.loss!, 'fit').mark as { point?: string }).point,
    'transparent',
    'the tooltip at every point of the line',
  );
  assert.match(JSON.stringify(specs.backtest!.layer![0]), /predicted = actual \(y = x\)/);
  assert.match(
    String(specs.loss!.description),
    /^240 runs: loss from .* the fitted chinchilla law predicts [\d.]+ at C = 1e24, with a 95 % bootstrap band\.$/,
  );
});

test('a single-variable law draws its own curve L(x)', () => {
  const law = powerLaw('C');
  const params = fit(law, data).params;
  const curve = values(layer(lossPlot({ dataset: data, law, params, x: 'C' }), 'fit'));
  for (const c of curve) assert.ok(Math.abs(c.fit - predictLoss(law, params, { C: c.x })) < 1e-12);
  const none = lossPlot({ dataset: data, law, params, x: 'N' });
  assert.ok(!(none.layer ?? []).some((l) => l.name === 'fit'), 'no curve against a variable the law does not read');
});

test('figures render to SVG without a DOM, and the report has every section with no network references', async () => {
  const svg = await renderSvg(specs.loss!);
  assert.match(svg, /^<svg /);
  // What a reader sees: 1e24 (not 1e+24), counts as 100M and 10B, a legend for the line and the band.
  const labels = (text: string) => [...text.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  const loss = labels(svg);
  assert.ok(loss.includes('target C = 1e24'), loss.join(' | '));
  for (const l of ['1e18', '1e24', 'fitted law', '95 % bootstrap band'])
    assert.ok(loss.includes(l), `label ${l}: ${loss.join(' | ')}`);
  const iso = labels(await renderSvg(specs.isoflop!));
  assert.ok(iso.includes('100M') && iso.includes('1B') && iso.includes('10B'), iso.join(' | '));
  for (const l of [...loss, ...iso, ...labels(await renderSvg(specs.frontier!))])
    assert.doesNotMatch(l, /\de\+\d/, 'no label written 1e+24');
  const svgs: Record<string, string> = { loss: svg, isoflop: await renderSvg(specs.isoflop!) };
  const html = reportHtml(analysis, svgs);
  for (const id of ['data', 'fit', 'approaches', 'plan', 'backtest', 'warnings', 'figures'])
    assert.ok(html.includes(`<section id="${id}">`), id);
  assert.ok(html.includes('Approaches 2 and 3 agree within their intervals'));
  assert.ok(!/<script|<link|src="http|href="http|url\(http/i.test(html), 'no scripts, no external resources');
});

test('tooltips print large numbers as ScaleLab does (1.52e23), not as d3 does (1.520e+23), in every figure', () => {
  const tooltips: { field: string; type: string }[] = [];
  const walk = (node: Spec, rows: Record<string, unknown>[] | undefined) => {
    const own = (node.data as { values?: Record<string, unknown>[] } | undefined)?.values;
    const data = own ?? rows;
    const tip = (node.encoding as { tooltip?: { field: string; type: string; format?: string }[] } | undefined)
      ?.tooltip;
    for (const t of tip ?? []) {
      assert.notEqual(t.format, '.3e', `${String(node.name)}: ${t.field} still in d3's scientific format`);
      tooltips.push(t);
      if (t.field.endsWith('Text') && data) {
        const shown = data.map((r) => r[t.field]).filter((v) => v !== undefined);
        assert.ok(shown.length > 0, `${String(node.name)}: ${t.field} has values`);
        for (const v of shown) assert.match(String(v), /^-?[\d.]+(e-?\d+)?$/, `${t.field}: ${String(v)}`);
      }
    }
    for (const child of [...(node.layer ?? []), ...(node.hconcat ?? [])]) walk(child, data);
  };
  for (const spec of Object.values(specs)) if (spec) walk(spec, undefined);
  const runs = layer(specs.loss!, 'runs');
  const first = values(runs)[0] as unknown as Record<string, unknown>;
  assert.equal(first.CText, formatNumber(first.C as number, 4));
  assert.match(String(first.CText), /^\d(\.\d+)?e\d+$/);
  assert.ok(tooltips.some((t) => t.field === 'CText'));
});

/** The text a reader sees in a rendered figure (titles, axis and legend labels). */
const svgLabels = async (spec: Spec) =>
  [...(await renderSvg(spec)).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace(/&#39;/g, "'"));

/** Every series of a figure is named in its legend: the labels a reader sees include each one's. */
async function assertLegendNames(kind: string, spec: Spec, series: string[]): Promise<void> {
  const labels = await svgLabels(spec);
  for (const name of series)
    assert.ok(labels.includes(name), `${kind}: no legend entry "${name}" in ${labels.join(' | ')}`);
}

test("isoflop figure: a legend names the runs, each budget's parabola and its minimum (colour is the budget)", async () => {
  await assertLegendNames('isoflop', specs.isoflop!, [
    'runs',
    "each budget's parabola",
    "each parabola's minimum (N_opt)",
    'budget C',
  ]);
});

test('frontier figure: a legend names each approach, its power law, its optima and its predictions at the targets', async () => {
  const labels = await svgLabels(specs.frontier!);
  for (const name of ['its power law in C', 'optima (IsoFLOP vertices, envelope)', 'at the target budgets', 'approach'])
    assert.ok(labels.includes(name), `${name}: ${labels.join(' | ')}`);
  // One entry per approach (long labels are cut with an ellipsis), and each series named once, not per panel.
  assert.ok(
    labels.some((l) => l.startsWith('2: IsoFLOP profiles')) && labels.includes('3: parametric fit (chinchilla)'),
  );
  assert.equal(labels.filter((l) => l === 'its power law in C').length, 1);
  // Approach 3 alone has no optima: its legend does not name any.
  const alone = frontierPlot(
    analysis.approaches.filter((a) => a.approach === 3),
    analysis.targets,
  );
  const aloneLabels = await svgLabels(alone);
  assert.ok(!aloneLabels.includes('optima (IsoFLOP vertices, envelope)'), aloneLabels.join(' | '));
  assert.ok(aloneLabels.includes('at the target budgets'));
});

test('residuals figure: a legend names the runs and the zero line, once for both panels', async () => {
  const labels = await svgLabels(specs.residuals!);
  for (const name of ['runs', 'zero: the law meets the run'])
    assert.equal(labels.filter((l) => l === name).length, 1, `${name}: ${labels.join(' | ')}`);
});

test('back-test and loss figures: their legends name the procedure, the folds, y = x, the fitted law and the band', async () => {
  await assertLegendNames('backtest', specs.backtest!, [
    'predicted = actual (y = x)',
    'procedure',
    'auto',
    'fitted on',
  ]);
  await assertLegendNames('loss', specs.loss!, ['fitted law', '95 % bootstrap band', 'compute C']);
});

test("landmarks figure: a legend names the frontier line beside the models' verdicts", async () => {
  const spec = landmarksPlot(
    [
      { name: 'A', N: 7e10, C: 5.8e23, verdict: 'compute-optimal' },
      { name: 'B', N: 7e9, C: 8e23, verdict: 'over-trained (10×)' },
    ],
    [
      { C: 1e22, N: 1e10 },
      { C: 1e25, N: 3e11 },
    ],
  );
  await assertLegendNames('landmarks', spec, ['compute-optimal frontier N_opt(C)', 'compute-optimal', 'over-trained']);
});

test("downstream sigmoid figure: a legend names the fitted sigmoid, the runs' sizes and the targets (predicted, actual)", async () => {
  // A synthetic ladder: task loss falls with compute, accuracy follows a sigmoid of it; one target run.
  const records: TaskMetricData['records'] = [];
  let line = 2;
  const add = (run: string, N: number, D: number) => {
    const loss = 0.6 + 2e3 / Math.pow(6 * N * D, 0.15);
    const accuracy = 0.25 + 0.75 / (1 + Math.exp(6 * (loss - 1.2)));
    for (const [metric, value] of [
      ['bpb', loss],
      ['acc', accuracy],
    ] as const)
      records.push({ run, N, D, C: 6 * N * D, task: 't', metric, value, line: line++, file: 'ladder.csv' });
  };
  for (const N of [1e8, 2e8, 4e8, 8e8])
    for (const ratio of [10, 40]) for (let k = 1; k <= 8; k++) add(`m${N}-${ratio}`, N, (k / 8) * ratio * N);
  for (let k = 1; k <= 4; k++) add('big', 4e9, k * 2e10);
  const data: TaskMetricData = {
    source: 'ladder.csv',
    sets: [],
    records,
    roles: new Map([['big', 'target']]),
    tasks: [],
  };
  const [task] = analyseLadder(data, { chance: 0.25 });
  assert.equal(task.fitProblem, undefined);
  const spec = sigmoidPlot(task)!;
  await assertLegendNames('sigmoid', spec, ['fitted sigmoid (step 2)', 'N', 'target', 'predicted', 'actual']);
});

test('training-curve figure: its legend names every series', () => {
  const svg = curveFigure('curves', [
    { name: 'observed', steps: [1, 2, 3], loss: [3, 2.5, 2.2], observed: true, color: '#000' },
    {
      name: 'predicted',
      steps: [1, 2, 3],
      loss: [3.1, 2.4, 2.1],
      color: '#c00',
      band: [
        [3, 3.2],
        [2.3, 2.5],
        [2, 2.2],
      ],
    },
  ]);
  const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  for (const name of ['observed', 'predicted']) assert.ok(labels.includes(name), labels.join(' | '));
});

test("the curve figure's y axis covers the whole curve: its steep first steps are drawn where they are, not pinned to the top edge", () => {
  // A loss falling from 10 to about 3 over 100 steps, steepest at the start.
  const steps = Array.from({ length: 100 }, (_, i) => i + 1);
  const loss = steps.map((s) => 3 + 7 / Math.sqrt(s));
  const svg = curveFigure('curve', [{ name: 'predicted', steps, loss, color: '#c00' }], { width: 720, height: 420 });
  const ys = /<polyline points="([^"]+)"/
    .exec(svg)![1]
    .split(' ')
    .map((p) => Number(p.split(',')[1]));
  // Each falling loss lower on the figure than the one before (before: the first 9 at one height, the top edge).
  for (let i = 1; i < 12; i++)
    assert.ok(ys[i] > ys[i - 1], `step ${steps[i]} at y ${ys[i]}, step ${steps[i - 1]} at ${ys[i - 1]}`);
  // The highest loss at the top of the plot area, the lowest at its bottom: the range is the curve's own.
  const top = Math.min(...ys),
    bottom = Math.max(...ys);
  assert.equal(ys[0], top);
  assert.equal(ys[ys.length - 1], bottom);
  // The y ticks span the losses drawn, 10 included.
  const yTicks = [...svg.matchAll(/<text x="\d+(?:\.\d+)?" y="[^"]+" text-anchor="end">([^<]+)<\/text>/g)].map((m) =>
    Number(m[1]),
  );
  assert.ok(Math.max(...yTicks) >= 9 && Math.min(...yTicks) <= 4, yTicks.join(', '));
});
