/**
 * Figures as Vega-Lite specifications: one declarative spec per figure, rendered to SVG or PNG on
 * the server (render/render.ts) and interactively in the browser (vega-embed). Pure: data in,
 * plain objects out, so tests read a spec's axes, layers and data without drawing it.
 *
 * Log scales get explicit domains (Vega picks poor log domains on its own), and every mark carries
 * a tooltip with the run's numbers.
 */
import { percentileInterval } from '../core/statistics.js';
import { predictLoss, type Law } from '../laws/law.js';
import type { Dataset } from '../io/dataset.js';
import { computeOptimal, computeOptimalForSize, canAllocate } from '../analyses/computeOptimal.js';
import type { ApproachResult } from '../analyses/frontier.js';
import type { Profile } from '../analyses/isoflop.js';
import type { RollingBacktestResult } from '../analyses/rollingBacktest.js';
import type { GroupComparison } from '../analyses/groups.js';
import { extent } from '../core/statistics.js';
import { formatNumber } from '../core/format.js';

export type Spec = Record<string, unknown> & { layer?: Spec[]; hconcat?: Spec[] };

const width = 520,
  height = 340;
const schema = 'https://vega.github.io/schema/vega-lite/v6.json';
const config = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridOpacity: 0.35 },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  title: { fontSize: 14, anchor: 'start' },
};

/**
 * Tooltips print large numbers as the rest of ScaleLab does (1.52e23, formatNumber), not as d3's
 * "1.520e+23": each quantitative tooltip in scientific format gets a text twin in its layer's inline
 * data, shown instead. Text in the data, not a custom format function: the server's headless renderer
 * and the web app's CSP-safe expression interpreter then need nothing registered.
 */
function readableTooltips(spec: Spec): Spec {
  const visit = (node: Record<string, unknown>, inherited: Record<string, unknown>[] | undefined): void => {
    const own = (node.data as { values?: unknown } | undefined)?.values;
    const rows = Array.isArray(own) ? (own as Record<string, unknown>[]) : inherited;
    const encoding = node.encoding as { tooltip?: unknown } | undefined;
    if (rows && Array.isArray(encoding?.tooltip))
      encoding.tooltip = encoding.tooltip.map((entry: Record<string, unknown>) => {
        if (entry.format !== '.3e' || typeof entry.field !== 'string') return entry;
        const field = entry.field,
          text = `${field}Text`;
        for (const row of rows) if (typeof row[field] === 'number') row[text] = formatNumber(row[field] as number, 4);
        return { field: text, type: 'nominal', title: entry.title ?? field };
      });
    for (const child of [...((node.layer as Spec[]) ?? []), ...((node.hconcat as Spec[]) ?? [])]) visit(child, rows);
  };
  visit(spec, undefined);
  return spec;
}

/** A log-scale domain padded to whole or half decades around the values. */
function logDomain(values: number[], pad = 0.1): [number, number] {
  const v = values.filter((x) => x > 0 && Number.isFinite(x));
  const lo = Math.log10(Math.min(...v)),
    hi = Math.log10(Math.max(...v));
  const span = Math.max(hi - lo, 0.1);
  return [Math.pow(10, lo - pad * span), Math.pow(10, hi + pad * span)];
}

/** n log-spaced values from a to b. */
function logSpace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.exp(Math.log(a) + ((Math.log(b) - Math.log(a)) * i) / (n - 1)));
}

/** "1e24", "3.8e25": the exponent without "+" (labels and captions; `toExponential` writes 1e+24). */
export function sci(v: number, digits = 2): string {
  return Number(v.toPrecision(digits)).toExponential().replace('e+', 'e');
}

/** Vega expressions for axis labels as readers expect them: 1e24 (not 1e+24), parameter counts as 70B. */
const sciExpr = (v: string) => `replace(format(${v}, '.0e'), 'e+', 'e')`;
const countExpr = (v: string) =>
  `${v} >= 1e12 ? format(${v} / 1e12, '~g') + 'T' : ${v} >= 1e9 ? format(${v} / 1e9, '~g') + 'B' : ${v} >= 1e6 ? format(${v} / 1e6, '~g') + 'M' : ${v} >= 1e3 ? format(${v} / 1e3, '~g') + 'k' : format(${v}, '~g')`;
const isDecade = 'abs(log(datum.value) / LN10 - round(log(datum.value) / LN10)) < 1e-6';

/**
 * A log axis whose labels do not overlap: over a wide domain (1.5 decades or more) only the decades
 * are labelled (the other ticks stay, unlabelled); Vega drops any label that would still collide.
 * `kind`: compute-like quantities as 1e24, counts (parameters, tokens) as 70B.
 */
function logAxis(domain: readonly number[], kind: 'sci' | 'count'): Record<string, unknown> {
  const label = kind === 'sci' ? sciExpr('datum.value') : countExpr('datum.value');
  const wide = Math.log10(domain[1] / domain[0]) >= 1.5;
  return { labelExpr: wide ? `${isDecade} ? ${label} : ''` : label, labelOverlap: 'greedy', labelSeparation: 6 };
}

/** A gradient legend of compute over `values`, labelled 1e20 rather than 1e+20 (decades only when they span 1.5 or more). */
function sciLegend(values: number[]): Record<string, unknown> {
  const v = values.filter((x) => x > 0 && Number.isFinite(x));
  const wide = v.length > 0 && Math.log10(Math.max(...v) / Math.min(...v)) >= 1.5;
  return {
    type: 'gradient',
    labelExpr: wide ? `${isDecade} ? ${sciExpr('datum.value')} : ''` : sciExpr('datum.value'),
    labelOverlap: 'greedy',
  };
}

/**
 * A legend entry naming a series that no data field names (a fitted line, a band, the runs, a reference
 * line): the series' label as a constant `datum` on a channel of its own, so colour can still show
 * compute, a budget or an approach. Every figure's series legends share this look, at the bottom.
 */
const seriesLegend = { title: null, orient: 'bottom', labelLimit: 320 };
export function seriesChannel(
  label: string,
  domain: readonly string[],
  range: readonly unknown[],
  symbol: Record<string, unknown> = {},
): Record<string, unknown> {
  return { datum: label, type: 'nominal', scale: { domain, range }, legend: { ...seriesLegend, ...symbol } };
}

/** A line's legend symbol where colour is another channel's (a budget, an approach): a grey stroke. */
const lineSymbol = {
  symbolType: 'stroke',
  symbolStrokeWidth: 2,
  // Vega-Lite draws a line's symbol transparent when its colour is another field's: drawn here.
  // (Given whole, as Vega-Lite completes it, so the two panels of a figure merge it without a conflict.)
  encoding: { symbols: { fill: { value: 'black' }, fillOpacity: { value: 0 }, stroke: { value: '#666' } } },
};

/** Zoom (wheel) and pan (drag) on both axes of a layer: an interval selection bound to the scales. */
const zoom = (name: string) => [{ name, select: { type: 'interval', encodings: ['x', 'y'] }, bind: 'scales' }];

const axisTitles: Record<string, string> = {
  N: 'parameters N',
  D: 'tokens D',
  C: 'training compute C (FLOPs)',
  loss: 'loss',
};

/**
 * The runs as points (zoomable) over x on a log axis titled for N, D or C, loss up: the loss figure's and
 * the compare figure's first layer, which differ only in colour and tooltip.
 */
function runsLayer(o: {
  points: readonly object[];
  x: string;
  xScale: { type: string; domain: readonly number[] };
  yScale: Record<string, unknown>;
  color: Record<string, unknown>;
  tooltip: Record<string, unknown>[];
}): Spec {
  return {
    name: 'runs',
    data: { values: o.points },
    params: zoom('zoom'),
    mark: { type: 'point', filled: true, size: 40, opacity: 0.8 },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        scale: o.xScale,
        title: axisTitles[o.x],
        axis: logAxis(o.xScale.domain, o.x === 'C' ? 'sci' : 'count'),
      },
      y: { field: 'loss', type: 'quantitative', scale: o.yScale, title: 'loss' },
      color: o.color,
      tooltip: o.tooltip,
    },
  };
}

export interface LossPlotOptions {
  dataset: Dataset;
  law?: Law;
  params?: Record<string, number>;
  replicates?: Record<string, number>[];
  /** Horizontal axis. @default 'C' */
  x?: 'N' | 'D' | 'C';
  /** Extend the curve to this value of x (a target budget or size). */
  target?: number;
  level?: number;
  title?: string;
}

/**
 * Loss against N, D or C on log–log axes, coloured by compute (or group), with the fitted law and
 * its bootstrap band. For a law of N and D the curve is the compute-optimal frontier: at each C the
 * loss of the best allocation; against N (or D), the loss of that size at its compute-optimal data.
 */
export function lossPlot(o: LossPlotOptions): Spec {
  const x = o.x ?? 'C';
  const runs = o.dataset.runs.filter((r) => r[x] !== undefined);
  const xs = runs.map((r) => r[x]!);
  const hasGroups = runs.some((r) => r.group !== undefined);
  const points = runs.map((r) => ({
    x: r[x],
    loss: r.loss,
    N: r.N,
    D: r.D,
    C: r.C,
    group: r.group ?? '',
    line: r.line,
  }));
  const xmax = Math.max(...xs, o.target ?? 0);
  const grid = logSpace(Math.min(...xs), xmax, 80);
  const curveAt = (params: Record<string, number>, v: number): number | undefined => {
    try {
      return curveValue(params, v);
    } catch {
      return undefined; // a law with no compute-optimal frontier draws no curve
    }
  };
  const curveValue = (params: Record<string, number>, v: number): number | undefined => {
    if (!o.law) return undefined;
    if (o.law.inputs.length === 1) return o.law.inputs[0] === x ? predictLoss(o.law, params, { [x]: v }) : undefined;
    if (!canAllocate(o.law)) return undefined;
    if (x === 'C') return computeOptimal(o.law, params, v).loss;
    if (x === 'N') return computeOptimalForSize(o.law, params, v).loss;
    // Tokens v at their compute-optimal size: search the budget whose optimum trains on v tokens.
    let lo = Math.log(v * v * 6e-4),
      hi = Math.log(v * v * 6e5);
    for (let k = 0; k < 80; k++) {
      const mid = (lo + hi) / 2;
      const a = computeOptimal(o.law, params, Math.exp(mid));
      if (a.D < v) lo = mid;
      else hi = mid;
    }
    return computeOptimal(o.law, params, Math.exp((lo + hi) / 2)).loss;
  };
  const curve: { x: number; fit: number; lo?: number; hi?: number }[] = [];
  if (o.law && o.params) {
    for (const v of grid) {
      const f = curveAt(o.params, v);
      if (f === undefined || !Number.isFinite(f)) continue;
      const point: { x: number; fit: number; lo?: number; hi?: number } = { x: v, fit: f };
      if (o.replicates && o.replicates.length >= 2) {
        const [lo, hi] = percentileInterval(
          o.replicates.map((p) => curveAt(p, v) ?? NaN).filter(Number.isFinite),
          o.level ?? 0.95,
        );
        point.lo = lo;
        point.hi = hi;
      }
      curve.push(point);
    }
  }
  const allLoss = [
    ...runs.map((r) => r.loss),
    ...curve.map((c) => c.fit),
    ...curve.flatMap((c) => (c.lo === undefined ? [] : [c.lo, c.hi!])),
  ];
  const xScale = { type: 'log', domain: logDomain([...xs, ...(o.target ? [o.target] : [])]) };
  const yScale = { type: 'log', domain: logDomain(allLoss, 0.05) };
  const layers: Spec[] = [];
  const bandLabel = `${Math.round((o.level ?? 0.95) * 100)} % bootstrap band`;
  // The fitted line and the band each get a legend entry (their own channels: colour shows compute).
  if (curve.some((c) => c.lo !== undefined)) {
    layers.push({
      name: 'band',
      data: { values: curve },
      mark: { type: 'area', opacity: 0.2 },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale: xScale },
        y: { field: 'lo', type: 'quantitative', scale: yScale },
        y2: { field: 'hi' },
        fill: {
          datum: bandLabel,
          type: 'nominal',
          scale: { domain: [bandLabel], range: ['#4c78a8'] },
          legend: { ...seriesLegend, symbolType: 'square', symbolOpacity: 0.3 },
        },
        tooltip: [
          { field: 'x', type: 'quantitative', format: '.3e', title: x },
          { field: 'lo', type: 'quantitative', format: '.4f', title: 'band low' },
          { field: 'hi', type: 'quantitative', format: '.4f', title: 'band high' },
        ],
      },
    });
  }
  layers.push(
    runsLayer({
      points,
      x,
      xScale,
      yScale,
      color: hasGroups
        ? { field: 'group', type: 'nominal', title: 'group' }
        : {
            field: 'C',
            type: 'quantitative',
            scale: { type: 'log', scheme: 'viridis' },
            title: 'compute C',
            legend: sciLegend(points.map((p) => p.C ?? NaN)),
          },
      tooltip: [
        { field: 'N', type: 'quantitative', format: '.3e' },
        { field: 'D', type: 'quantitative', format: '.3e' },
        { field: 'C', type: 'quantitative', format: '.3e' },
        { field: 'loss', type: 'quantitative', format: '.4f' },
        { field: 'line', type: 'quantitative', title: 'line in file' },
      ],
    }),
  );
  if (curve.length) {
    layers.push({
      name: 'fit',
      data: { values: curve },
      // Transparent points along the line carry its tooltip at every grid value.
      mark: { type: 'line', strokeWidth: 2, point: 'transparent' },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale: xScale },
        y: { field: 'fit', type: 'quantitative', scale: yScale },
        stroke: {
          datum: 'fitted law',
          type: 'nominal',
          scale: { domain: ['fitted law'], range: ['#e45756'] },
          legend: { ...seriesLegend, symbolType: 'stroke', symbolStrokeWidth: 2 },
        },
        tooltip: [
          { field: 'x', type: 'quantitative', format: '.3e', title: x },
          { field: 'fit', type: 'quantitative', format: '.4f', title: 'predicted loss' },
        ],
      },
    });
  }
  if (o.target) {
    layers.push({
      name: 'target',
      data: { values: [{ x: o.target, label: `target ${x} = ${sci(o.target, 3)}` }] },
      layer: [
        {
          mark: { type: 'rule', strokeDash: [6, 4], color: '#333' },
          encoding: { x: { field: 'x', type: 'quantitative', scale: xScale } },
        },
        {
          mark: { type: 'text', align: 'right', dx: -4, dy: 0, baseline: 'top', y: 4, fontSize: 11 },
          encoding: { x: { field: 'x', type: 'quantitative', scale: xScale }, text: { field: 'label' } },
        },
      ],
    });
  }
  const [xlo, xhi] = extent(xs);
  const description =
    `${runs.length} runs: loss from ${Math.min(...runs.map((r) => r.loss)).toFixed(3)} to ${Math.max(...runs.map((r) => r.loss)).toFixed(3)} against ${axisTitles[x]} from ${sci(xlo)} to ${sci(xhi)}, on log–log axes` +
    (curve.length
      ? `; the fitted ${o.law!.id} law predicts ${curve[curve.length - 1].fit.toFixed(3)} at ${x} = ${sci(curve[curve.length - 1].x)}`
      : '') +
    (curve.some((c) => c.lo !== undefined) ? `, with a ${bandLabel}` : '') +
    '.';
  return readableTooltips({
    $schema: schema,
    title: o.title ?? `Loss against ${axisTitles[x]}${o.law ? `, with the fitted ${o.law.id} law` : ''}`,
    description,
    width,
    height,
    config,
    layer: layers,
  });
}

/**
 * Groups compared by their scaling curves (`compare`): each group's runs and its own fitted curve
 * E + A·x^(−α) (the separate fits), coloured by group, on log–log axes; each crossover of two groups
 * a dashed rule where the fitted curves cross, the axis extended to hold it (it may lie far beyond the
 * data: the verdict grades that distance).
 */
export function compareGroupsPlot(dataset: Dataset, c: GroupComparison): Spec {
  const x = c.variable;
  const runs = dataset.runs.filter((r) => r[x] !== undefined && r.group !== undefined);
  const points = runs.map((r) => ({ x: r[x]!, loss: r.loss, group: r.group!, line: r.line }));
  const xs = points.map((p) => p.x);
  const crossings = c.crossovers.flatMap((v) =>
    v.kind === 'crossover' && v.at !== undefined
      ? [{ x: v.at, label: `${v.groups.join(' / ')} cross at ${x} = ${sci(v.at, 3)}` }]
      : [],
  );
  const lo = Math.min(...xs),
    hi = Math.max(...xs, ...crossings.map((k) => k.x));
  const from = Math.min(lo, ...crossings.map((k) => k.x));
  const grid = logSpace(from, hi, 80);
  const curves = c.separate.flatMap((g) =>
    grid.map((v) => ({ x: v, loss: g.E + g.A * Math.pow(v, -g.alpha), group: g.group })),
  );
  const xScale = { type: 'log', domain: logDomain([...xs, ...crossings.map((k) => k.x)]) };
  const yScale = { type: 'log', domain: logDomain([...points.map((p) => p.loss), ...curves.map((k) => k.loss)], 0.05) };
  const color = { field: 'group', type: 'nominal', title: 'group', scale: { domain: c.groups } };
  const layers: Spec[] = [
    runsLayer({
      points,
      x,
      xScale,
      yScale,
      color,
      tooltip: [
        { field: 'group' },
        { field: 'x', type: 'quantitative', format: '.3e', title: x },
        { field: 'loss', type: 'quantitative', format: '.4f' },
        { field: 'line', type: 'quantitative', title: 'line in file' },
      ],
    }),
    {
      name: 'fits',
      data: { values: curves },
      mark: { type: 'line', strokeWidth: 2, point: 'transparent' },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale: xScale },
        y: { field: 'loss', type: 'quantitative', scale: yScale },
        color,
        detail: { field: 'group' },
        strokeDash: seriesChannel("each group's fitted curve", ["each group's fitted curve"], [[1, 0]], lineSymbol),
        tooltip: [
          { field: 'group', title: 'fitted curve of' },
          { field: 'x', type: 'quantitative', format: '.3e', title: x },
          { field: 'loss', type: 'quantitative', format: '.4f', title: 'fitted loss' },
        ],
      },
    },
  ];
  if (crossings.length)
    layers.push({
      name: 'crossovers',
      data: { values: crossings },
      layer: [
        {
          mark: { type: 'rule', strokeDash: [6, 4], color: '#333' },
          encoding: {
            x: { field: 'x', type: 'quantitative', scale: xScale },
            tooltip: [{ field: 'label', title: 'crossover' }],
          },
        },
        // Each label on the side of its rule with more room (the left half of the axis: to the right).
        ...(['left', 'right'] as const).map((side) => ({
          transform: [
            {
              filter: `${side === 'left' ? '' : '!'}(log(datum.x) < ${(Math.log(xScale.domain[0]) + Math.log(xScale.domain[1])) / 2})`,
            },
          ],
          mark: { type: 'text', align: side, dx: side === 'left' ? 4 : -4, baseline: 'top', y: 4, fontSize: 11 },
          encoding: { x: { field: 'x', type: 'quantitative', scale: xScale }, text: { field: 'label' } },
        })),
      ],
    });
  const [xlo, xhi] = extent(xs);
  return readableTooltips({
    $schema: schema,
    title: `Loss against ${axisTitles[x]} by group, each group's fitted curve`,
    description:
      `${points.length} runs in ${c.groups.length} groups (${c.groups.join(', ')}) against ${axisTitles[x]} from ${sci(xlo)} to ${sci(xhi)}, on log–log axes, with each group's fitted curve E + A·${x}^(−α)` +
      (crossings.length
        ? `; ${crossings.map((k) => k.label).join('; ')}`
        : '; the fitted curves cross over nowhere in the searched range') +
      '.',
    width,
    height,
    config,
    layer: layers,
  });
}

/** IsoFLOP profiles: loss against N per budget, each budget's parabola, and the vertices. */
export function isoflopPlot(profiles: Profile[], title = 'IsoFLOP profiles'): Spec {
  const points = profiles.flatMap((p) =>
    p.runs.map((r) => ({ N: r.N!, loss: r.loss, budget: sci(p.C), C: p.C, line: r.line })),
  );
  const curves = profiles.flatMap((p) => {
    if (!p.parabola) return [];
    const [c0, c1, c2] = p.parabola;
    const lo = p.runs[0].N!,
      hi = p.runs[p.runs.length - 1].N!;
    return logSpace(lo / 1.2, hi * 1.2, 40).map((N) => ({
      N,
      loss: c0 + c1 * Math.log(N) + c2 * Math.log(N) ** 2,
      budget: sci(p.C),
      C: p.C,
    }));
  });
  const vertices = profiles.map((p) => ({
    N: p.N,
    loss: p.loss,
    budget: sci(p.C),
    C: p.C,
    atEdge: p.atEdge ? 'at the edge (not bracketed)' : 'bracketed',
  }));
  const xScale = { type: 'log', domain: logDomain(points.map((p) => p.N)) };
  const yScale = {
    type: 'log',
    domain: logDomain([...points.map((p) => p.loss), ...vertices.map((v) => v.loss)], 0.05),
  };
  const color = {
    field: 'C',
    type: 'quantitative',
    scale: { type: 'log', scheme: 'viridis' },
    title: 'budget C',
    legend: sciLegend(profiles.map((p) => p.C)),
  };
  const edges = vertices.filter((v) => v.atEdge !== 'bracketed').length;
  // Colour is the budget (its own legend); the kinds of mark — runs, each budget's parabola, its minimum —
  // are named in a legend of their own, as the loss figure names its line and band.
  const runLabel = 'runs',
    vertexLabel = "each parabola's minimum (N_opt)",
    parabolaLabel = "each budget's parabola";
  const markShapes = [runLabel, vertexLabel];
  const shapeRange = ['circle', 'diamond'];
  return readableTooltips({
    $schema: schema,
    title,
    description: `${profiles.length} IsoFLOP budgets from ${sci(Math.min(...profiles.map((p) => p.C)))} to ${sci(Math.max(...profiles.map((p) => p.C)))} FLOPs, ${points.length} runs: loss against parameters N, each budget's parabola and its minimum (a diamond)${edges ? `; ${edges} minimum${edges === 1 ? '' : 's'} at the edge of its profile` : ''}.`,
    width,
    height,
    config,
    layer: [
      {
        name: 'runs',
        data: { values: points },
        params: zoom('zoom'),
        mark: { type: 'point', filled: true, size: 36 },
        encoding: {
          x: {
            field: 'N',
            type: 'quantitative',
            scale: xScale,
            title: axisTitles.N,
            axis: logAxis(xScale.domain, 'count'),
          },
          y: { field: 'loss', type: 'quantitative', scale: yScale, title: 'loss' },
          color,
          shape: seriesChannel(runLabel, markShapes, shapeRange),
          tooltip: [
            { field: 'budget' },
            { field: 'N', type: 'quantitative', format: '.3e' },
            { field: 'loss', type: 'quantitative', format: '.4f' },
            { field: 'line', type: 'quantitative' },
          ],
        },
      },
      ...(curves.length
        ? [
            {
              name: 'parabolas',
              data: { values: curves },
              mark: { type: 'line', strokeWidth: 1.5, point: 'transparent' },
              encoding: {
                x: { field: 'N', type: 'quantitative', scale: xScale },
                y: { field: 'loss', type: 'quantitative', scale: yScale },
                color,
                detail: { field: 'budget' },
                strokeDash: seriesChannel(parabolaLabel, [parabolaLabel], [[1, 0]], lineSymbol),
                tooltip: [
                  { field: 'budget', title: 'parabola of budget' },
                  { field: 'N', type: 'quantitative', format: '.3e' },
                  { field: 'loss', type: 'quantitative', format: '.4f', title: 'parabola loss' },
                ],
              },
            } as Spec,
          ]
        : []),
      {
        name: 'vertices',
        data: { values: vertices },
        mark: { type: 'point', size: 110, filled: true, stroke: 'black', strokeWidth: 1 },
        encoding: {
          x: { field: 'N', type: 'quantitative', scale: xScale },
          y: { field: 'loss', type: 'quantitative', scale: yScale },
          color,
          shape: seriesChannel(vertexLabel, markShapes, shapeRange),
          tooltip: [
            { field: 'budget' },
            { field: 'N', type: 'quantitative', format: '.3e', title: 'N_opt' },
            { field: 'loss', type: 'quantitative', format: '.4f' },
            { field: 'atEdge', title: 'minimum' },
          ],
        },
      },
    ],
  });
}

/**
 * N_opt(C) and D_opt(C) side by side: each approach's points (profile vertices, envelope) and its
 * power law, extended to the targets.
 */
export function frontierPlot(
  approaches: (ApproachResult & {
    isoflop?: { profiles: Profile[] };
    envelope?: { points: { C: number; N: number; D: number }[] };
  })[],
  targets: number[],
): Spec {
  const pts: { C: number; N: number; D: number; approach: string }[] = [];
  const lines: { C: number; N: number; D: number; approach: string }[] = [];
  const targetRows: { C: number; N: number; D: number; approach: string }[] = [];
  let cmin = Infinity,
    cmax = Math.max(...targets, 0);
  for (const a of approaches) {
    const name = `${a.approach}: ${a.shortLabel ?? a.label}`;
    const own = a.isoflop
      ? a.isoflop.profiles.map((p) => ({ C: p.C, N: p.N, D: p.D }))
      : a.envelope
        ? a.envelope.points.filter((_, i) => i % 25 === 0)
        : [];
    for (const p of own) pts.push({ ...p, approach: name });
    for (const p of own) cmin = Math.min(cmin, p.C);
    for (const t of a.targets) targetRows.push({ C: t.C, N: t.N, D: t.D, approach: name });
  }
  if (!Number.isFinite(cmin)) cmin = Math.min(...targets) / 1e4;
  cmax = Math.max(cmax, ...pts.map((p) => p.C));
  for (const a of approaches) {
    const name = `${a.approach}: ${a.shortLabel ?? a.label}`;
    // Each approach's fitted line N = k·C^a through its first target prediction.
    const t = a.targets[0];
    if (!t) continue;
    for (const C of logSpace(cmin, cmax, 30)) {
      const N = t.N * Math.pow(C / t.C, a.a);
      lines.push({ C, N, D: C / (6 * N), approach: name });
    }
  }
  const xScale = { type: 'log', domain: logDomain([cmin, cmax]) };
  // Colour is the approach (its legend names each); what each mark is — the power law, the optima it was
  // fitted to, its predictions at the targets — is named in a legend of its own.
  const lineLabel = 'its power law in C',
    optimaLabel = 'optima (IsoFLOP vertices, envelope)',
    targetLabel = 'at the target budgets';
  const pointKinds = [...(pts.length ? [optimaLabel] : []), targetLabel];
  const pointShapes = [...(pts.length ? ['circle'] : []), 'cross'];
  const panel = (y: 'N' | 'D'): Spec => {
    const yScale = { type: 'log', domain: logDomain([...pts.map((p) => p[y]), ...lines.map((p) => p[y])]) };
    const enc = {
      x: { field: 'C', type: 'quantitative', scale: xScale, title: axisTitles.C, axis: logAxis(xScale.domain, 'sci') },
      y: { field: y, type: 'quantitative', scale: yScale, title: `${y}_opt`, axis: logAxis(yScale.domain, 'count') },
      color: {
        field: 'approach',
        type: 'nominal',
        legend: { labelLimit: 320, orient: 'bottom', direction: 'vertical' },
      },
    };
    return {
      // Two panels side by side fit the web app's results column on a 1280-pixel screen (380 did not).
      width: 360,
      height: 300,
      title: `${y}_opt(C)`,
      layer: [
        {
          name: `${y}-lines`,
          data: { values: lines },
          params: zoom(`zoom_${y}`),
          mark: { type: 'line', strokeWidth: 2, point: 'transparent' },
          encoding: {
            ...enc,
            strokeDash: seriesChannel(lineLabel, [lineLabel], [[1, 0]], lineSymbol),
            tooltip: [
              { field: 'approach' },
              { field: 'C', type: 'quantitative', format: '.3e' },
              { field: y, type: 'quantitative', format: '.3e', title: `${y}_opt on the line` },
            ],
          },
        },
        {
          name: `${y}-points`,
          data: { values: pts },
          mark: { type: 'point', filled: true, size: 40 },
          encoding: {
            ...enc,
            shape: seriesChannel(optimaLabel, pointKinds, pointShapes),
            tooltip: [
              { field: 'approach' },
              { field: 'C', type: 'quantitative', format: '.3e' },
              { field: y, type: 'quantitative', format: '.3e' },
            ],
          },
        },
        {
          name: `${y}-targets`,
          data: { values: targetRows },
          mark: { type: 'point', size: 140, strokeWidth: 2 },
          encoding: {
            ...enc,
            shape: seriesChannel(targetLabel, pointKinds, pointShapes),
            tooltip: [
              { field: 'approach' },
              { field: 'C', type: 'quantitative', format: '.3e', title: 'target C' },
              { field: y, type: 'quantitative', format: '.3e' },
            ],
          },
        },
      ],
    };
  };
  const described = approaches
    .map(
      (a) =>
        `approach ${a.approach} (${a.shortLabel ?? a.label}): N_opt ∝ C^${a.a.toFixed(3)}, D_opt ∝ C^${a.b.toFixed(3)}`,
    )
    .join('; ');
  return readableTooltips({
    $schema: schema,
    title: 'Compute-optimal frontier by approach',
    description: `Two panels, N_opt and D_opt against compute C on log–log axes, extended to ${sci(Math.max(...targets))} FLOPs: ${described}.`,
    config,
    hconcat: [panel('N'), panel('D')],
  });
}

/** Residuals ln L̂ − ln L against the prediction and against compute: is the fit biased at the large end? */
export function residualsPlot(dataset: Dataset, residuals: ArrayLike<number>): Spec {
  const rows = dataset.runs.map((r, i) => ({
    residual: residuals[i],
    predicted: r.loss * Math.exp(residuals[i]),
    C: r.C ?? (r.N && r.D ? 6 * r.N * r.D : undefined),
    N: r.N,
    loss: r.loss,
    line: r.line,
  }));
  const limit = Math.max(...rows.map((r) => Math.abs(r.residual))) * 1.1 || 0.01;
  const runsLabel = 'runs',
    zeroLabel = 'zero: the law meets the run';
  const yScale = { domain: [-limit, limit] };
  const panel = (x: 'predicted' | 'C', title: string): Spec => ({
    width: 360,
    height: 260,
    title,
    layer: [
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule' },
        encoding: {
          y: { field: 'zero', type: 'quantitative', scale: yScale },
          // Named as the back-test names its y = x: the line a perfect fit's residuals lie on.
          stroke: seriesChannel(zeroLabel, [zeroLabel], ['#888'], { symbolType: 'stroke' }),
        },
      },
      {
        name: `residuals-${x}`,
        data: { values: rows.filter((r) => r[x] !== undefined) },
        params: zoom(`zoom_${x}`),
        mark: { type: 'point', filled: true, size: 30, opacity: 0.75 },
        encoding: {
          color: seriesChannel(runsLabel, [runsLabel], ['#4c78a8']),
          x: {
            field: x,
            type: 'quantitative',
            scale: { type: 'log', domain: logDomain(rows.map((r) => r[x] as number).filter((v) => v !== undefined)) },
            title: x === 'C' ? axisTitles.C : 'predicted loss',
            axis:
              x === 'C'
                ? logAxis(logDomain(rows.map((r) => r.C as number).filter((v) => v !== undefined)), 'sci')
                : { labelOverlap: 'greedy' },
          },
          y: { field: 'residual', type: 'quantitative', scale: yScale, title: 'ln L̂ − ln L' },
          tooltip: [
            { field: 'N', type: 'quantitative', format: '.3e' },
            { field: 'loss', type: 'quantitative', format: '.4f' },
            { field: 'predicted', type: 'quantitative', format: '.4f' },
            { field: 'line', type: 'quantitative' },
          ],
        },
      },
    ],
  });
  const rms = Math.sqrt(rows.reduce((a, r) => a + r.residual ** 2, 0) / Math.max(1, rows.length));
  return readableTooltips({
    $schema: schema,
    title: 'Residuals',
    description: `Residuals ln L̂ − ln L of ${rows.length} runs (rms ${rms.toFixed(4)}, largest ${(limit / 1.1).toFixed(4)}), against the predicted loss and against compute, around a zero line.`,
    config,
    hconcat: [panel('predicted', 'against the prediction'), panel('C', 'against compute')],
  });
}

/** Back-test: predicted against actual loss for the held-out larger runs, y = x for reference. */
export function backtestPlot(b: RollingBacktestResult): Spec {
  // Interval bars are clipped to three times the largest error shown (at least ±10 %): a fit on six
  // runs can have a 95 % interval of +70,000 %, which would flatten every point to the axis.
  const reach = Math.max(10, 3 * (extent(b.predictions.map((p) => Math.abs(100 * p.relativeError)))[1] || 0));
  const clip = (v: number) => Math.max(-reach, Math.min(reach, v));
  const rows = b.predictions.map((p) => ({
    ...p,
    error: 100 * p.relativeError,
    lo: p.intervals['0.95'] ? clip((100 * (p.intervals['0.95'][0] - p.actual)) / p.actual) : undefined,
    hi: p.intervals['0.95'] ? clip((100 * (p.intervals['0.95'][1] - p.actual)) / p.actual) : undefined,
    fold: `${b.by} ≤ ${sci(p.cutoff, 3)}`,
  }));
  const x = {
    field: 'computeRatio',
    type: 'quantitative',
    scale: { type: 'log' },
    title: 'compute over the largest fitted run (extrapolation ratio)',
  };
  const layers: Record<string, unknown>[] = [
    // Zero error: predicted = actual, the y = x of a predicted-against-actual plot; in the legend as such.
    {
      data: { values: [{ y: 0 }] },
      mark: { type: 'rule', strokeDash: [4, 3] },
      encoding: {
        y: { field: 'y', type: 'quantitative' },
        stroke: {
          datum: 'predicted = actual (y = x)',
          type: 'nominal',
          scale: { range: ['#888'] },
          legend: { title: null, symbolType: 'stroke', symbolDash: [4, 3], labelLimit: 260 },
        },
      },
    },
  ];
  if (rows.some((r) => r.lo !== undefined)) {
    layers.push({
      data: { values: rows.filter((r) => r.lo !== undefined) },
      mark: { type: 'rule', opacity: 0.35 },
      encoding: {
        x,
        y: { field: 'lo', type: 'quantitative' },
        y2: { field: 'hi' },
        color: { field: 'procedure', type: 'nominal', title: 'procedure' },
        tooltip: [
          { field: 'run', type: 'nominal' },
          { field: 'procedure', type: 'nominal' },
          { field: 'lo', type: 'quantitative', format: '.2f', title: '95 % interval low, %' },
          { field: 'hi', type: 'quantitative', format: '.2f', title: '95 % interval high, %' },
        ],
      },
    });
  }
  layers.push({
    name: 'backtest',
    data: { values: rows },
    params: zoom('zoom'),
    mark: { type: 'point', filled: true, size: 40 },
    encoding: {
      x,
      y: { field: 'error', type: 'quantitative', title: '(predicted − actual)/actual, %' },
      color: { field: 'procedure', type: 'nominal', title: 'procedure' },
      shape: { field: 'fold', type: 'nominal', title: 'fitted on' },
      tooltip: [
        { field: 'run', type: 'nominal' },
        { field: 'N', type: 'quantitative', format: '.3e' },
        { field: 'C', type: 'quantitative', format: '.3e' },
        { field: 'actual', type: 'quantitative', format: '.4f' },
        { field: 'predicted', type: 'quantitative', format: '.4f' },
        { field: 'fold', type: 'nominal' },
      ],
    },
  });
  const s = b.summaries.map((x) => `${x.procedure} ${(x.meanAbsRelativeError * 100).toFixed(2)} %`).join(', ');
  return readableTooltips({
    $schema: schema,
    title: `Rolling-origin back-test: error of each held-out run (mean |error|: ${s})`,
    description: `${rows.length} predictions of held-out runs, error (predicted − actual)/actual in % against how far beyond the fitted runs each lies; mean |error|: ${s}.`,
    width: 420,
    height: 360,
    config,
    layer: layers,
  });
}

/** Published models on a law's compute-optimal frontier: N against C, with N_opt(C) (Chinchilla's Figure 1). */
export function landmarksPlot(
  rows: { name: string; N: number; C: number; verdict: string }[],
  frontier: { C: number; N: number }[],
  title = 'Published models against the compute-optimal frontier',
): Spec {
  const xScale = { type: 'log', domain: logDomain([...rows.map((r) => r.C), ...frontier.map((f) => f.C)]) };
  const yScale = { type: 'log', domain: logDomain([...rows.map((r) => r.N), ...frontier.map((f) => f.N)]) };
  // Alternate label offsets so models at the same N (Chinchilla and Llama 2 at 70B) stay readable.
  const points = [...rows]
    .sort((a, b) => a.C - b.C)
    .map((r, i) => ({ ...r, kind: r.verdict.split(':')[0].split(' (')[0], offset: i % 2 === 0 ? -10 : 12 }));
  return readableTooltips({
    $schema: schema,
    title,
    width,
    height,
    config,
    layer: [
      {
        name: 'frontier',
        data: { values: frontier },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          // Named beside the models' verdicts (their colour legend), as the loss figure names its fitted law.
          stroke: seriesChannel(
            'compute-optimal frontier N_opt(C)',
            ['compute-optimal frontier N_opt(C)'],
            ['#e45756'],
            {
              symbolType: 'stroke',
              symbolStrokeWidth: 2,
            },
          ),
          x: {
            field: 'C',
            type: 'quantitative',
            scale: xScale,
            title: axisTitles.C,
            axis: logAxis(xScale.domain, 'sci'),
          },
          y: {
            field: 'N',
            type: 'quantitative',
            scale: yScale,
            title: 'parameters N',
            axis: logAxis(yScale.domain, 'count'),
          },
        },
      },
      {
        name: 'models',
        data: { values: points },
        layer: [
          {
            mark: { type: 'point', filled: true, size: 70 },
            encoding: {
              x: { field: 'C', type: 'quantitative', scale: xScale },
              y: { field: 'N', type: 'quantitative', scale: yScale },
              color: { field: 'kind', type: 'nominal', title: '' },
              tooltip: [
                { field: 'name' },
                { field: 'N', type: 'quantitative', format: '.3e' },
                { field: 'C', type: 'quantitative', format: '.3e' },
                { field: 'verdict' },
              ],
            },
          },
          ...[-10, 12].map((dy) => ({
            transform: [{ filter: `datum.offset === ${dy}` }],
            mark: { type: 'text', align: 'left', dx: 6, dy, fontSize: 10 },
            encoding: {
              x: { field: 'C', type: 'quantitative', scale: xScale },
              y: { field: 'N', type: 'quantitative', scale: yScale },
              text: { field: 'name' },
            },
          })),
        ],
      },
    ],
  });
}
