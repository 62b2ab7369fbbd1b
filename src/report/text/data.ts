/**
 * Data analyses as text: repeated data, data selection, a learning curve, a benchmark of curves,
 * groups compared, depth against width. Pure (data in, string out).
 */
import { formatInterval, formatNumber, formatRange } from '../../core/format.js';
import { textTable } from '../../core/table.js';
import type { epochValues, RepetitionIntervals, repetitionOptimum } from '../../analyses/repetition.js';
import { goyal2024, type SelectionParams, type selectionTable } from '../../analyses/dataSelection.js';
import type { learningCurveRegions } from '../../analyses/learningCurve.js';
import type { backtestCurves, CurveForm } from '../../analyses/curveBacktest.js';
import type { aspectSpread, compareGroups } from '../../analyses/groups.js';
import type { Law } from '../../laws/index.js';
import type { FitResult } from '../../fit/fit.js';
import { libraryOption, type OptionNamer } from '../../errors/index.js';

const f4 = (x: number | undefined) => (x === undefined ? '–' : formatNumber(x, 4));
type Variable = 'N' | 'D' | 'C';

export function repetitionReport(x: {
  C: number;
  U: number;
  provenance: string;
  optimum: ReturnType<typeof repetitionOptimum>;
  values: ReturnType<typeof epochValues>;
  half: number;
  tenth: number;
  R_D: number;
  /** From a fit's bootstrap replicates: intervals on the optimum, the cap's cost and the thresholds. */
  intervals?: RepetitionIntervals;
  /** What the numbers cannot show (a preset's weakly identified R*_D, its loss's data). */
  caveat?: string;
  warnings?: { severity: string; message: string }[];
}): string {
  const o = x.optimum;
  // Fewer than one epoch: the cap does not bind and the run is the unconstrained one ("0.00 epochs",
  // "the cap costs -0.00 %" said nothing).
  const binds = o.epochs > 1;
  const iv = x.intervals;
  const pct = iv ? `${Math.round(iv.level * 100)} %` : '';
  const range = (r: [number, number], f: (v: number) => string) => (iv ? ` [${pct} ${f(r[0])}, ${f(r[1])}]` : '');
  // Epochs in e-notation past 1e4: a replicate whose R*_D ran off gives an end of 4e8 epochs, not 435595009.0.
  const e1 = (v: number) => (v < 1e4 ? v.toFixed(1) : formatNumber(v, 2));
  const severe = (x.warnings ?? []).filter((w) => w.severity === 'severe');
  const others = (x.warnings ?? []).filter((w) => w.severity !== 'severe');
  return (
    [
      // A severe warning first: a table of numbers read before it was read as a result ("loss 207.444").
      ...severe.map((w) => `${w.severity}: ${w.message}`),
      // D follows from N by C = 6·N·D (the law's own FLOPs count), which the best line's D rests on.
      `C = ${formatNumber(x.C, 4)} FLOPs (C = 6·N·D) with ${formatNumber(x.U, 4)} unique tokens; ${x.provenance}`,
      `best: N = ${f4(o.N)}, D = ${f4(o.D)} tokens = ${binds ? o.epochs.toFixed(2) : formatNumber(o.epochs, 3)} epochs${iv ? range(iv.epochs, (v) => v.toFixed(2)) : ''}, loss ${formatNumber(o.loss, 6)}${iv ? range(iv.loss, (v) => formatNumber(v, 4)) : ''}`,
      binds
        ? `with unlimited fresh data: N = ${f4(o.unconstrained.N)}, D = ${f4(o.unconstrained.D)}, loss ${formatNumber(o.unconstrained.loss, 6)} (the cap costs ${((o.loss / o.unconstrained.loss - 1) * 100).toFixed(2)} %${iv ? range(iv.capCost, (v) => `${(v * 100).toFixed(2)} %`) : ''})`
        : `the cap does not bind: the compute-optimal run reads ${f4(o.D)} tokens, fewer than the ${f4(x.U)} unique ones, so it sees no token twice`,
      "What repeated epochs are worth (D'/D against fresh data, and the last epoch's worth):",
      textTable(
        ['epochs', "D'/D", "D'/U", 'last epoch worth'],
        x.values.map((v) => [
          String(v.epochs),
          v.efficiency.toFixed(3),
          v.effectiveEpochs.toFixed(3),
          v.marginal.toFixed(3),
        ]),
      ),
      `An extra epoch is worth less than half of fresh data after ${x.half.toFixed(1)} epochs${iv ? range(iv.half, e1) : ''} and less than a tenth after ${x.tenth.toFixed(1)}${iv ? range(iv.tenth, e1) : ''}; D' saturates at ${(1 + x.R_D).toFixed(2)}·U.${iv && iv.tenth[1] > 1e4 ? ' (An upper end beyond 1e4 epochs is a replicate whose R*_D ran off: the data do not bound how long repetition stays useful.)' : ''}`,
      ...(iv
        ? [
            `  ${pct} intervals from ${iv.replicates} bootstrap replicates of the fit, each replicate's own optimum and R*_D (R*_D ${formatRange(iv.R_D, (v) => formatNumber(v, 3))})${iv.atSearchEdge ? `; ${iv.atSearchEdge} of them put the optimum at the edge of the search` : ''}`,
          ]
        : []),
      ...(x.caveat ? [`note: ${x.caveat}`] : []),
      ...others.map((w) => `${w.severity}: ${w.message}`),
    ].join('\n') + '\n'
  );
}

/** Error by pool and budget, and where larger mixtures overtake smaller ones (Goyal et al. 2024). */
export function selectionReport(
  params: SelectionParams,
  tables: { samples: number; choices: ReturnType<typeof selectionTable> }[],
  crossovers: { smaller: string[]; larger: string[]; at: number | undefined }[],
  /** Where a, d and the pool size came from when the user did not type them ("default, Goyal et al. 2024"). */
  origins: Partial<Record<'a' | 'd' | 'poolSize', string>> = {},
): string {
  const from = (k: 'a' | 'd' | 'poolSize') => (origins[k] ? ` (${origins[k]})` : '');
  const label =
    params === goyal2024
      ? (pools: string[]) => (pools.length === 1 ? pools[0] : `top ${pools.length * 10} % (${pools.length} pools)`)
      : (pools: string[]) => pools.join(' + ');
  const lines = [`Error by data pool and budget; ${params.citation}`];
  if (params !== goyal2024)
    lines.push(
      `a = ${formatNumber(params.a)}${from('a')}, d = ${formatNumber(params.d)}${from('d')}, ${formatNumber(params.poolSize, 3)} samples per pool${from('poolSize')}; pools (b, tau): ${params.pools.map((p) => `${p.name} (${p.b}, ${p.tau})`).join(', ')}`,
    );
  // Goyal et al.'s own constants, said with where they come from: the table's errors rest on them.
  else
    lines.push(
      `a = ${formatNumber(params.a)}${from('a')}, d = ${formatNumber(params.d)}${from('d')}, ${formatNumber(params.poolSize, 3)} samples per pool${from('poolSize')}`,
    );
  lines.push(
    textTable(
      ['samples', ...tables[0].choices.map((c) => label(c.pools)), 'best'],
      tables.map((t) => [
        formatNumber(t.samples, 3),
        ...t.choices.map((c) => c.error.toFixed(4)),
        label(t.choices.reduce((a, b) => (b.error < a.error ? b : a)).pools),
      ]),
    ),
  );
  for (const c of crossovers)
    lines.push(
      `${label(c.larger)} overtakes ${label(c.smaller)} ${c.at ? `beyond ${formatNumber(c.at, 3)} samples` : 'nowhere between 1e6 and 1e12 samples'}`,
    );
  return lines.join('\n') + '\n';
}

/** A broken neural scaling law fitted to a curve, and its predictions. */
export function bnslCurveReport(
  law: Law,
  r: FitResult,
  x: Variable,
  predictions: Record<string, number>[],
  warnings: { severity: string; message: string }[] = [],
): string {
  return `${law.formula} (${law.citation})\n${Object.entries(r.params)
    .map(([k, v]) => `  ${k} = ${formatNumber(v, 5)}`)
    .join(
      '\n',
    )}\nobjective ${r.objective.toExponential(4)}, ${r.converged ? 'converged' : 'NOT converged'}\n${predictions.map((p) => `  ${x} = ${formatNumber(p[x], 4)}: ${formatNumber(p.loss, 6)}`).join('\n')}${predictions.length ? '\n' : ''}${warnings.map((w) => `${w.severity}: ${w.message}\n`).join('')}`;
}

/** A learning curve's regions: small-data, power-law, irreducible. */
export function learningCurveReport(r: ReturnType<typeof learningCurveRegions>, x: Variable): string {
  const dimension =
    r.intrinsicDimension !== undefined
      ? `intrinsic dimension ≈ 4/α = ${r.intrinsicDimension.toFixed(1)}, Sharma & Kaplan 2020`
      : 'no intrinsic dimension: see below';
  const floor =
    r.irreducibleStart !== undefined
      ? `irreducible region from ${x} = ${formatNumber(r.irreducibleStart, 3)} (where E exceeds A·${x}^(−α))`
      : `no irreducible region within reach: the fitted floor E = ${f4(r.fit.E)} stays below A·${x}^(−α) beyond ${x} = 1e100`;
  return (
    `Fit E + A·${x}^(−α): E = ${f4(r.fit.E)}, A = ${f4(r.fit.A)}, α = ${r.fit.alpha.toFixed(4)} (${dimension})\n` +
    textTable(
      [x, 'loss', 'local slope', 'region'],
      r.points.map((p) => [
        formatNumber(p.x, 4),
        formatNumber(p.y, 5),
        p.localSlope === undefined ? '' : p.localSlope.toFixed(3),
        p.region,
      ]),
    ) +
    `\n${r.smallDataEnd ? `small-data region ends at ${x} = ${formatNumber(r.smallDataEnd, 3)} (the leading points the power law, fitted by least squares on ln loss to the rest, over-predicts by more than max(3·rms, 2 %)); ` : ''}${floor}\n` +
    `local slope: Δln loss / Δln ${x} from the point before\n${r.summary}\n`
  );
}

/** Learning-curve extrapolation back-tested on a benchmark of curves. */
export function curveBacktestReport(form: CurveForm, b: ReturnType<typeof backtestCurves>): string {
  return (
    textTable(
      ['curve', 'train', 'test', `${form.id} MSE`, 'last-value MSE'],
      b.curves.map((c) => [
        c.curve,
        String(c.train),
        String(c.test),
        c.mse !== undefined ? c.mse.toExponential(2) : `failed: ${c.failed}`,
        c.baselineMse !== undefined ? c.baselineMse.toExponential(2) : '',
      ]),
    ) +
    `\n${form.formula}: median held-out MSE of ln loss ${b.medianMse.toExponential(3)} against ${b.medianBaselineMse.toExponential(3)} for repeating the last training value; the form wins on ${b.wins} of ${b.scored} curves${b.scored < b.curves.length ? ` (${b.curves.length - b.scored} could not be scored)` : ''}\n`
  );
}

/**
 * Groups compared by their scaling curves: separate fits, a shared exponent, the F-test, crossovers.
 * @param name how to name an option (the CLI: its flag)
 * @param defaults the settings the caller left at their defaults, marked so beside them
 */
export function compareGroupsReport(
  c: ReturnType<typeof compareGroups>,
  x: Variable,
  name: OptionNamer = libraryOption,
  defaults: { level?: boolean; replicates?: boolean } = {},
): string {
  const pct = `${Math.round(c.level * 100)} %`;
  // The level, replicates and what they drew, each default marked: compare's level is not every command's.
  const dflt = (on: boolean | undefined, option: string) => (on ? ` (default, ${name(option)})` : '');
  const drew = c.unit === 'lineage' ? 'whole lineages' : 'runs within groups';
  const intervals = `${pct} intervals${dflt(defaults.level, 'level')}${c.replicates ? `, ${c.replicates} bootstrap replicates${dflt(defaults.replicates, 'bootstrap')} resampling ${drew}` : ''}`;
  const ci = (v: number, i?: [number, number]) => `${f4(v)}${i ? ` ${formatInterval(i, f4)}` : ''}`;
  return (
    [
      `Separate fits, L = E + A·${x}^(−α) per group (${intervals}):`,
      textTable(
        ['group', 'runs', 'E', 'A', 'α'],
        c.separate.map((g) => [
          g.group,
          String(g.runs),
          ci(g.E, g.interval?.E),
          ci(g.A, g.interval?.A),
          ci(g.alpha, g.interval?.alpha),
        ]),
      ),
      `Joint fit with a shared exponent α = ${ci(c.shared.alpha, c.shared.alphaInterval)}; per-group offsets:`,
      textTable(
        ['group', 'E', 'A'],
        c.shared.groups.map((g) => [g.group, ci(g.E, g.interval?.E), ci(g.A, g.interval?.A)]),
      ),
      `F-test (shared vs separate exponents, least squares on ln L): ${c.test.statement}`,
      // With three or more groups there is a verdict per pair, and a verdict's text may name only one group
      // ("dense is better on both sides"): the pair is said.
      // The claim within the data first, graded apart from the crossing's (docs/methods.md §28), then the verdict.
      ...c.crossovers.flatMap((v) => {
        const pair = c.groups.length > 2 ? ` (${v.groups[0]} vs ${v.groups[1]})` : '';
        return [
          ...(v.withinData ? [`Within the data${pair}: ${v.withinData.verdict}`] : []),
          `Verdict${pair}: ${v.verdict}`,
        ];
      }),
      ...(c.warnings ?? []).map((w) => `Warning: ${w}`),
    ].join('\n') + '\n'
  );
}

/**
 * Depth against width at fixed size: the loss spread across aspect ratios, and the sizes' grouping
 * (`tolerance`, ±decades in N). `defaultMark` is the caller's words for a tolerance the user did not choose
 * (the CLI's "(default, --tolerance)"), as every printed number says where it came from.
 */
export function aspectSpreadReport(
  r: ReturnType<typeof aspectSpread>,
  tolerance: { decades: number; defaultMark?: string },
): string {
  const ties = r.filter((s) => s.tie);
  return (
    textTable(
      ['N', 'shapes', 'best shape', 'best aspect', 'worst aspect', 'spread'],
      r.map((s) => [
        f4(s.N),
        String(s.runs),
        s.tie ? 'all tie' : `${s.best.layers} × ${s.best.width}`,
        s.tie ? '–' : s.best.aspect.toFixed(0),
        s.tie ? '–' : s.worst.aspect.toFixed(0),
        `${(s.spread * 100).toFixed(2)} %`,
      ]),
    ) +
    "\nspread: the worst shape's loss over the best's, minus 1\n" +
    `sizes: runs with N within ±${tolerance.decades} decades count as one size${tolerance.defaultMark ? ` ${tolerance.defaultMark}` : ''}\n` +
    (ties.length
      ? `at N = ${ties.map((s) => f4(s.N)).join(', ')} every shape reached the same loss: these runs do not tell depth from width\n`
      : '')
  );
}
