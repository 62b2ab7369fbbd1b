/**
 * Comparing groups by their scaling curves — data sources or mixtures (does composition move the
 * offset or the slope?), architectures, optimizers: separate fits per group, a joint fit with a
 * shared exponent, an F-test of "the exponents differ", per-group offsets with bootstrap intervals,
 * and the compute at which one group overtakes another. Pure.
 */
import { InputError } from '../errors/index.js';
import { fit, type FitResult } from '../fit/fit.js';
import { bisect } from '../core/minimize1d.js';
import { fSurvival } from '../core/specialFunctions.js';
import { percentileInterval } from '../core/statistics.js';
import { randomSource } from '../core/random.js';
import { groupedPowerLaw } from '../laws/grouped.js';
import { powerLaw, type Variable } from '../laws/index.js';
import type { Dataset, Run } from '../io/dataset.js';
import { formatNumber } from '../core/format.js';

type X = Exclude<Variable, 'U'>;

export interface GroupFit {
  group: string;
  runs: number;
  E: number;
  A: number;
  alpha: number;
  interval?: { E?: [number, number]; A?: [number, number]; alpha?: [number, number] };
}

export interface Crossover {
  groups: [string, string];
  /** Value of x where the curves cross (undefined when they do not in the searched range). */
  at?: number;
  interval?: [number, number];
  /** Replicates in which the curves crossed. */
  crossedIn?: number;
  /** Which group is better above the crossover (or throughout). */
  betterAbove: string;
  verdict: string;
}

export interface GroupComparison {
  variable: X;
  groups: string[];
  separate: GroupFit[];
  shared: { alpha: number; alphaInterval?: [number, number]; groups: GroupFit[] };
  test: { statistic: number; df1: number; df2: number; pValue: number; slopesDiffer: boolean; statement: string; rssShared: number; rssFree: number };
  crossovers: Crossover[];
  level: number;
}

function byGroup(dataset: Dataset, x: X): Map<string, Run[]> {
  const groups = new Map<string, Run[]>();
  for (const r of dataset.runs) {
    if (r.group === undefined) throw new InputError({ file: dataset.source, line: r.line, columnName: dataset.columns.group }, 'this run has no group: every run needs one (a group column, or --by NAME)');
    if (r[x] === undefined) throw new InputError({ file: dataset.source, line: r.line }, `this run has no ${x}`);
    if (!groups.has(r.group)) groups.set(r.group, []);
    groups.get(r.group)!.push(r);
  }
  return groups;
}

/** Least-squares fits in log space (an F-test needs squared residuals). */
function fitSeparate(dataset: Dataset, runs: Run[], x: X): FitResult {
  return fit(powerLaw(x), { ...dataset, runs }, { loss: 'ls' });
}

function rss(r: FitResult): number {
  return r.residuals.reduce((a, v) => a + v * v, 0);
}

function fitJoint(dataset: Dataset, names: string[], separate: FitResult[], x: X, share: boolean): FitResult {
  const law = groupedPowerLaw(names, x, share);
  // Starts from the separate fits: each group's own exponent for the shared one, then the best.
  const candidates = share ? separate.map((s) => s.params.alpha) : [0];
  let best: FitResult | undefined;
  for (const alpha of candidates) {
    const init: Record<string, number> = share ? { alpha } : {};
    names.forEach((g, i) => {
      init[`E[${g}]`] = separate[i].params.E;
      init[`A[${g}]`] = separate[i].params.A * (share ? Math.exp((alpha - separate[i].params.alpha) * medianLogX(dataset, g, x)) : 1);
      if (!share) init[`alpha[${g}]`] = separate[i].params.alpha;
    });
    const r = fit(law, dataset, { loss: 'ls', init });
    if (!best || r.objective < best.objective) best = r;
  }
  return best!;
}

function medianLogX(dataset: Dataset, group: string, x: X): number {
  const v = dataset.runs.filter((r) => r.group === group).map((r) => Math.log(r[x]!)).sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
}

function curve(f: { E: number; A: number; alpha: number }, v: number): number {
  return f.E + f.A * Math.pow(v, -f.alpha);
}

/** x where two fitted curves cross, searched from 1e-3× the smallest to 1e6× the largest data value. */
export function crossing(p: { E: number; A: number; alpha: number }, q: { E: number; A: number; alpha: number }, lo: number, hi: number): number | undefined {
  const diff = (lx: number) => Math.log(curve(p, Math.exp(lx))) - Math.log(curve(q, Math.exp(lx)));
  const a = Math.log(lo), b = Math.log(hi);
  const steps = 200;
  let prev = diff(a);
  for (let k = 1; k <= steps; k++) {
    const lx = a + ((b - a) * k) / steps;
    const d = diff(lx);
    if (prev === 0) return Math.exp(a + ((b - a) * (k - 1)) / steps);
    if (Math.sign(d) !== Math.sign(prev)) return Math.exp(bisect(diff, lx - (b - a) / steps, lx, 1e-12));
    prev = d;
  }
  return undefined;
}

/**
 * @param bootstrap replicates resample runs within each group
 * @throws InputError with fewer than two groups or a group with fewer runs than its parameters
 */
export function compareGroups(dataset: Dataset, x: X = 'C', options: { bootstrap?: number; seed?: number; level?: number; alpha?: number } = {}): GroupComparison {
  const groups = byGroup(dataset, x);
  const names = [...groups.keys()].sort();
  if (names.length < 2) throw new InputError({ file: dataset.source, columnName: dataset.columns.group }, `found ${names.length} group${names.length === 1 ? '' : 's'} (${names.join(', ')}): a comparison needs two or more`);
  for (const g of names) {
    const runs = groups.get(g)!;
    if (runs.length < 4) {
      throw new InputError({ file: dataset.source, line: runs[0].line, columnName: dataset.columns.group }, `group "${g}" has ${runs.length} run${runs.length === 1 ? '' : 's'}: a curve E + A·${x}^(−α) needs at least 4`);
    }
  }
  const level = options.level ?? 0.8;
  const separateFits = names.map((g) => fitSeparate(dataset, groups.get(g)!, x));
  const free = fitJoint(dataset, names, separateFits, x, false);
  const shared = fitJoint(dataset, names, separateFits, x, true);
  const n = dataset.runs.length, G = names.length;
  const rssFree = rss(free), rssShared = rss(shared);
  const df1 = G - 1, df2 = n - 3 * G;
  const statistic = df2 > 0 && rssFree > 0 ? ((rssShared - rssFree) / df1) / (rssFree / df2) : NaN;
  const pValue = Number.isFinite(statistic) ? fSurvival(Math.max(statistic, 0), df1, df2) : NaN;
  const significance = options.alpha ?? 0.05;
  const slopesDiffer = pValue < significance;
  const separate: GroupFit[] = names.map((g) => ({ group: g, runs: groups.get(g)!.length, E: free.params[`E[${g}]`], A: free.params[`A[${g}]`], alpha: free.params[`alpha[${g}]`] }));
  const sharedGroups: GroupFit[] = names.map((g) => ({ group: g, runs: groups.get(g)!.length, E: shared.params[`E[${g}]`], A: shared.params[`A[${g}]`], alpha: shared.params.alpha }));
  const xs = dataset.runs.map((r) => r[x]!);
  const lo = Math.min(...xs) / 1e3, hi = Math.max(...xs) * 1e6;

  // Bootstrap: resample within groups, refit both models from the point estimates.
  const reps = options.bootstrap ?? 0;
  const repSeparate: GroupFit[][] = [], repShared: { alpha: number; groups: GroupFit[] }[] = [];
  for (let r = 0; r < reps; r++) {
    const random = randomSource(options.seed ?? 0, r);
    const runs = names.flatMap((g) => {
      const rs = groups.get(g)!;
      return rs.map(() => rs[Math.floor(random() * rs.length)]);
    });
    const d: Dataset = { ...dataset, runs };
    try {
      const f = fit(groupedPowerLaw(names, x, false), d, { loss: 'ls', init: free.params });
      const s = fit(groupedPowerLaw(names, x, true), d, { loss: 'ls', init: shared.params });
      repSeparate.push(names.map((g) => ({ group: g, runs: 0, E: f.params[`E[${g}]`], A: f.params[`A[${g}]`], alpha: f.params[`alpha[${g}]`] })));
      repShared.push({ alpha: s.params.alpha, groups: names.map((g) => ({ group: g, runs: 0, E: s.params[`E[${g}]`], A: s.params[`A[${g}]`], alpha: s.params.alpha })) });
    } catch {
      // a degenerate resample: skipped (counted below through crossedIn and the interval sizes)
    }
  }
  if (repSeparate.length >= 2) {
    names.forEach((g, i) => {
      separate[i].interval = { E: percentileInterval(repSeparate.map((r) => r[i].E), level), A: percentileInterval(repSeparate.map((r) => r[i].A), level), alpha: percentileInterval(repSeparate.map((r) => r[i].alpha), level) };
      sharedGroups[i].interval = { E: percentileInterval(repShared.map((r) => r.groups[i].E), level), A: percentileInterval(repShared.map((r) => r.groups[i].A), level) };
    });
  }

  const crossovers: Crossover[] = [];
  for (let i = 0; i < G; i++) {
    for (let j = i + 1; j < G; j++) {
      const at = crossing(separate[i], separate[j], lo, hi);
      const top = Math.max(...xs) * 1e6;
      // Which is better far beyond the crossover (or at the largest data point when none)?
      const probe = at ? Math.min(at * 100, top) : Math.max(...xs);
      const betterAbove = curve(separate[i], probe) < curve(separate[j], probe) ? names[i] : names[j];
      const other = betterAbove === names[i] ? names[j] : names[i];
      const c: Crossover = { groups: [names[i], names[j]], at, betterAbove, verdict: '' };
      if (repSeparate.length >= 2) {
        const hits = repSeparate.map((r) => crossing(r[i], r[j], lo, hi)).filter((v): v is number => v !== undefined);
        c.crossedIn = hits.length;
        if (hits.length >= 2) c.interval = percentileInterval(hits, level);
      }
      const pct = `${Math.round(level * 100)} %`;
      c.verdict = at
        ? `${betterAbove} is better above ${x} = ${formatNumber(at, 3)}${c.interval ? ` (${pct} interval ${formatNumber(c.interval[0], 2)}–${formatNumber(c.interval[1], 2)}; the curves crossed in ${c.crossedIn} of ${repSeparate.length} replicates)` : ''}; ${other} is better below`
        : `${betterAbove} is better throughout ${formatNumber(lo, 2)}–${formatNumber(hi, 2)}${c.crossedIn !== undefined ? ` (the curves crossed in ${c.crossedIn} of ${repSeparate.length} replicates)` : ''}`;
      crossovers.push(c);
    }
  }
  const statement = slopesDiffer
    ? `the exponents differ (F = ${statistic.toFixed(2)}, p = ${pValue.toPrecision(2)}): the groups scale differently, not just by an offset`
    : `no evidence that the exponents differ (F = ${Number.isFinite(statistic) ? statistic.toFixed(2) : '–'}, p = ${Number.isFinite(pValue) ? pValue.toPrecision(2) : '–'}): the groups differ by their offsets; shared α = ${shared.params.alpha.toFixed(4)}`;
  return {
    variable: x,
    groups: names,
    separate,
    shared: { alpha: shared.params.alpha, alphaInterval: repShared.length >= 2 ? percentileInterval(repShared.map((r) => r.alpha), level) : undefined, groups: sharedGroups },
    test: { statistic, df1, df2, pValue, slopesDiffer, statement, rssShared, rssFree },
    crossovers,
    level,
  };
}

export interface AspectSpread {
  N: number;
  runs: number;
  best: { width: number; layers: number; aspect: number; loss: number };
  worst: { aspect: number; loss: number };
  /** (worst − best)/best loss at this size. */
  spread: number;
}

/**
 * Depth versus width at fixed size: runs grouped by N (within ±`tolerance` decades), the loss
 * spread across aspect ratios d_model/n_layer and the best one (Kaplan et al. 2020 §3.1: a wide
 * range of shapes is within a few per cent).
 */
export function aspectSpread(dataset: Dataset, tolerance = 0.05): AspectSpread[] {
  const rows = dataset.runs.filter((r) => r.N !== undefined);
  for (const r of rows) {
    if (r.width === undefined || r.layers === undefined) throw new InputError({ file: dataset.source, line: r.line }, 'depth versus width needs width (d_model) and layers (n_layer) columns');
  }
  const sorted = [...rows].sort((a, b) => a.N! - b.N!);
  const out: AspectSpread[] = [];
  // Greedy clusters in log N: a cluster holds the runs within 2·tolerance decades of its smallest.
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && Math.log10(sorted[j].N!) - Math.log10(sorted[i].N!) <= 2 * tolerance) j++;
    const group = sorted.slice(i, j);
    if (new Set(group.map((r) => `${r.width}x${r.layers}`)).size >= 2) {
      const best = group.reduce((a, b) => (b.loss < a.loss ? b : a));
      const worst = group.reduce((a, b) => (b.loss > a.loss ? b : a));
      out.push({ N: best.N!, runs: group.length, best: { width: best.width!, layers: best.layers!, aspect: best.width! / best.layers!, loss: best.loss }, worst: { aspect: worst.width! / worst.layers!, loss: worst.loss }, spread: worst.loss / best.loss - 1 });
    }
    i = j;
  }
  if (out.length === 0) throw new InputError({ file: dataset.source }, 'no model size has two or more shapes: depth versus width needs runs of about the same N with different shapes');
  return out;
}

