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
import { finiteInterval } from '../core/statistics.js';
import { randomSource } from '../core/random.js';
import { finish, type Steps } from '../core/steps.js';
import { groupedPowerLaw } from '../laws/grouped.js';
import { powerLaw, type Variable } from '../laws/index.js';
import { describeColumns, groupedDraw, type Dataset, type Run } from '../io/dataset.js';
import { formatNumber, formatRange } from '../core/format.js';
import { checkDistinct, checkLossVaries, checkMagnitudes, locate } from '../io/dataChecks.js';
import { extrapolationWarnings } from './extrapolation.js';
import type { TrustWarning } from '../fit/warnings.js';

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
  /**
   * What the separate fits do over the searched range: cross an odd number of times (a different group
   * better on either side: a crossover), cross an even number of times (they touch: the same group better
   * on both sides), or not at all (one group better throughout). Absent when one curve fits both (sameCurve).
   */
  kind?: 'crossover' | 'touch' | 'throughout';
  /** Value of x where the curves cross (a crossover only; the middle one when they cross several times). */
  at?: number;
  /** Where the fitted curves cross, when they cross more than once or touch. */
  roots?: number[];
  /**
   * The crossover's interval over all replicates (a crossover only): a replicate whose curves do not
   * cross so inside the searched range has its crossover below or beyond it (censored), and an end that
   * falls among those is null (open). It always holds `at`.
   */
  interval?: [number | null, number | null];
  /** The searched range of x: 1e-3× the smallest to 1e6× the largest value in the data. */
  searched?: [number, number];
  /** Replicates in which the curves crossed (an odd number of times, either way round). */
  crossedIn?: number;
  /**
   * The replicates behind the verdict: how many agree with it (cross the same way round; or keep the
   * same group better on both sides), and for a crossover how many are censored below the searched range
   * (betterAbove better throughout), beyond it (betterBelow better throughout), or cross the other way round.
   */
  replicates?: { total: number; agree: number; below?: number; beyond?: number; reversed?: number };
  /** Which group is better above the crossover (or on both sides); absent when one curve fits both (sameCurve). */
  betterAbove?: string;
  /** Which group is better below the crossover (a crossover only). */
  betterBelow?: string;
  /**
   * Whether the data settle the verdict: at least 90 % of the replicates agree with it and, for a
   * crossover, the F-test finds the exponents differ. Else the verdict says "not settled by these data".
   */
  settled?: boolean;
  /** A crossover or touch outside the data's range, graded as predict grades a distance. */
  extrapolation?: TrustWarning;
  /**
   * The test of "one curve describes both groups" (a pooled fit against the two separate ones, least
   * squares on ln L): when it does not reject, the groups do not differ within the data's noise, and no
   * crossover or better group is reported. statistic and pValue are absent when the fits are exact.
   */
  sameCurve: { statistic?: number; pValue?: number; differ: boolean };
  /**
   * The claim within the data, graded apart from the crossing's (which the search takes 1e6× past the data,
   * where weakly pinned offsets let replicates cross): over `range`, the x both groups were run over, which
   * group's fitted curve lies below the other's throughout. Absent when the groups' ranges do not overlap.
   */
  withinData?: WithinData;
  verdict: string;
}

/** Which group is better over the range of x both groups were run over, and whether the replicates settle it. */
export interface WithinData {
  /** The larger of the two groups' smallest x to the smaller of their largest. */
  range: [number, number];
  /** The group whose fitted curve is lower across the whole range; absent when the curves cross inside it or do not differ. */
  better?: string;
  /** Replicates that keep `better` lower across the whole range, of `total` (with a bootstrap and a better group). */
  agree?: number;
  total?: number;
  /**
   * At least 90 % of the replicates agree (SETTLED_AGREEMENT), the pair passed the one-curve test, and no
   * shared x's mean loss favours the other group beyond the seeds' noise (`paired.agree`; docs/methods.md §28).
   */
  settled: boolean;
  /** The data compared without the law, at the x both groups were run at; absent when they share none. */
  paired?: PairedDifferences;
  verdict: string;
}

/**
 * The runs compared at each x both groups were run at (docs/methods.md §28): per group the mean loss over its
 * runs there (seeds) and, with two or more, their standard deviation; the x favours the lower mean.
 */
export interface PairedDifferences {
  /** How many x both groups were run at. */
  shared: number;
  /** Shared x favouring each group (equal means favour neither). */
  favour: Record<string, number>;
  /**
   * With a better group named by the curves: no shared x where both groups have two or more runs favours the
   * other beyond the seeds' noise (`noise.tolerance` SE of the difference), and no other shared x favours it.
   */
  agree?: boolean;
  /**
   * The runs' noise as a share of the mean loss, pooled over every shared x where a group has two or more runs
   * (√(Σ (runs − 1)·(sd/mean)² / df), df = Σ (runs − 1): the per-run noise is multiplicative), and the
   * tolerance a reversal is judged by: 3 − z(0.95) = 1.355 SE, so a true reversal of 3 SE reads within it in
   * 5 % of draws (SE known). Absent when no group has two runs at any shared x.
   */
  noise?: { relativeSd: number; df: number; tolerance: number };
  points: {
    x: number;
    /** Mean loss of each group's runs at x, in the pair's order. */
    loss: [number, number];
    runs: [number, number];
    /** Standard deviation of each group's runs at x; null where it has one run. */
    sd: [number | null, number | null];
    /**
     * The SE of the difference of the means from the pooled noise, relativeSd·√(Σ mean²/runs): with `noise`,
     * where both groups have two or more runs (a single run's noise is not judged by another size's seeds).
     */
    se?: number;
    favours?: string;
  }[];
}

/** The reversal a settled claim must not hide, in SEs of the difference ("clearly" the other group better there). */
const CLEAR_REVERSAL_SE = 3;
/** How often such a reversal may read within the tolerance: the false-claim ceiling of bench/compare-settle.ts. */
const MISREAD_RATE = 0.05;
/**
 * The tolerance in SEs: Φ(t − 3) = 0.05, t = 3 − z(0.95), so a true 3 SE reversal reads within it in 5 % of draws
 * with the SE known (5.2 % on 20 df of pooled noise). bench/compare-settle.ts's (6), chosen over (8) (the same
 * on the pool's df, also at one-run x) when seed noise falling with size made (8) settle false claims there.
 */
const REVERSAL_TOLERANCE = CLEAR_REVERSAL_SE - 1.6448536269514722;

/** Share of the replicates that must agree with a verdict for it to be settled. */
export const SETTLED_AGREEMENT = 0.9;

export interface GroupComparison {
  variable: X;
  groups: string[];
  separate: GroupFit[];
  shared: { alpha: number; alphaInterval?: [number, number]; groups: GroupFit[] };
  /** statistic and pValue are absent when the free model fits exactly (no residual to test against). */
  test: {
    statistic?: number;
    df1: number;
    df2: number;
    pValue?: number;
    slopesDiffer: boolean;
    statement: string;
    rssShared: number;
    rssFree: number;
  };
  crossovers: Crossover[];
  level: number;
  /**
   * With a bootstrap, what it drew: whole lineages (the data name at least 3: a trunk's branches in
   * two groups come or go together) or runs within groups.
   */
  unit?: 'lineage' | 'run';
  /** With a bootstrap, its replicates (the intervals' and the verdict's). */
  replicates?: number;
  /**
   * With a bootstrap, what it drew in each group: `unit` is 'lineage' when any group draws lineages; a
   * group naming fewer than 3 draws runs.
   */
  unitByGroup?: Record<string, 'lineage' | 'run'>;
  /**
   * Why the bootstrap drew runs although the data name lineages (too few in the file or in a group, or rows
   * naming none), and how many replicates were left out and why.
   */
  warnings?: string[];
}

function byGroup(dataset: Dataset, x: X): Map<string, Run[]> {
  const groups = new Map<string, Run[]>();
  for (const r of dataset.runs) {
    if (r.group === undefined)
      throw new InputError(
        { file: dataset.source, line: r.line, columnName: dataset.columns.group },
        (o) => `this run has no group: every run needs one (a group column, or ${o('groupColumn')} NAME)`,
      );
    if (r[x] === undefined) {
      // A file without the variable at all: name the ones it has, with the option that picks one.
      const others = (['N', 'D', 'C'] as const).filter(
        (v) => v !== x && (dataset.columns[v] !== undefined || dataset.derived[v] !== undefined),
      );
      // A size under a name not recognised (size, n_params_m) is among the unread columns: list them and
      // say how to map one, not only which other variable to compare along.
      const missing = x === 'C' ? `no C column and no N and D to make it from (C = 6·N·D)` : `no ${x} column`;
      const map = (o: (name: 'columns' | 'x') => string) =>
        x === 'C'
          ? `map the columns with ${o('columns')} N=NAME,D=NAME or C=NAME`
          : `map one with ${o('columns')} ${x}=NAME`;
      throw new InputError({ file: dataset.source, line: r.line }, (o) =>
        dataset.columns[x] !== undefined || dataset.derived[x] !== undefined
          ? `this run has no ${x}`
          : `this run has no ${x}: the file has ${missing} (its columns: ${describeColumns(dataset)}); ${map(o)}${others.length ? `, or compare along ${others.map((v) => `${o('x')} ${v}`).join(' or ')}` : ''}`,
      );
    }
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
      init[`A[${g}]`] =
        separate[i].params.A * (share ? Math.exp((alpha - separate[i].params.alpha) * medianLogX(dataset, g, x)) : 1);
      if (!share) init[`alpha[${g}]`] = separate[i].params.alpha;
    });
    const r = fit(law, dataset, { loss: 'ls', init });
    if (!best || r.objective < best.objective) best = r;
  }
  return best!;
}

function medianLogX(dataset: Dataset, group: string, x: X): number {
  const v = dataset.runs
    .filter((r) => r.group === group)
    .map((r) => Math.log(r[x]!))
    .sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
}

/**
 * ln(E + A·x^(−α)) at ln x, as log-sum-exp: finite wherever ln x is, where E + A·x^(−α) itself
 * would overflow (a steep replicate's exponent at the small end of the search range).
 */
function lnCurve(f: { E: number; A: number; alpha: number }, lx: number): number {
  const t = Math.log(f.A) - f.alpha * lx,
    e = Math.log(f.E);
  const m = Math.max(t, e);
  return m + Math.log(Math.exp(t - m) + Math.exp(e - m));
}

type Curve = { E: number; A: number; alpha: number };

/** How two curves lie against each other: the stretches where one is better, and the x between them. */
interface Sides {
  /** Every x where the difference changes sign, touches included. */
  roots: number[];
  /** Which is lower at either end of the search (−1: p, +1: q; 0 when the curves are equal throughout). */
  below: number;
  above: number;
  /** Where the better curve changes (a crossing the stretches on both sides of which differ by more than the tolerance). */
  crossings: { at: number; from: number; to: number }[];
  /** Roots that are no crossing: the curves touch there, the same one better on both sides. */
  touches: number[];
}

/**
 * How two fitted curves p and q lie against each other over a search range: a scan of 200 log steps,
 * then bisection between the last point of one sign and the first of the other. Which is better on
 * either side of each root is checked, not assumed: curves that touch (cross twice, differing by less
 * than `tolerance` in ln L in between) have the same group better on both sides, where a crossover
 * read off the first root named the other group better below. A stretch between roots whose
 * difference stays below `tolerance` is dropped: the stretches either side of it meet there. A root at
 * either end of the search is no crossing inside it (two equal curves "cross" at its lower end).
 */
export function curveSides(p: Curve, q: Curve, lo: number, hi: number, tolerance = 0): Sides {
  const diff = (lx: number) => lnCurve(p, lx) - lnCurve(q, lx);
  const a = Math.log(lo),
    b = Math.log(hi);
  const steps = 200;
  const inside = (lx: number) => lx - a > (b - a) * 1e-9 && b - lx > (b - a) * 1e-9;
  // Stretches of one sign, each with its largest |difference| on the grid, split at the roots.
  const stretches: { sign: number; size: number; from: number; to: number }[] = [];
  let last = 0,
    lastAt = a;
  for (let k = 0; k <= steps; k++) {
    const lx = a + ((b - a) * k) / steps;
    const d = diff(lx);
    const sign = Math.sign(d);
    // A replicate's refit that ran off (an overflowing curve) reads no side at that point.
    if (sign === 0 || Number.isNaN(sign)) continue;
    if (sign !== last) {
      const root = last === 0 ? a : bisect(diff, lastAt, lx, 1e-12);
      stretches.push({ sign, size: Math.abs(d), from: root, to: b });
      if (stretches.length > 1) stretches[stretches.length - 2].to = root;
    } else stretches[stretches.length - 1].size = Math.max(stretches[stretches.length - 1].size, Math.abs(d));
    last = sign;
    lastAt = lx;
  }
  const roots = stretches
    .slice(1)
    .map((t) => t.from)
    .filter(inside)
    .map(Math.exp);
  if (stretches.length === 0) return { roots: [], below: 0, above: 0, crossings: [], touches: [] };
  // Keep the stretches where the curves differ by more than the tolerance (all of them, when none does).
  const kept = stretches.some((t) => t.size > tolerance) ? stretches.filter((t) => t.size > tolerance) : stretches;
  const merged: typeof kept = [];
  for (const t of kept) {
    const prev = merged[merged.length - 1];
    if (prev && prev.sign === t.sign) prev.to = t.to;
    else merged.push({ ...t });
  }
  const crossings = merged.slice(1).map((t, k) => {
    // A crossing where stretches were dropped lies in the gap between the two kept ones: its middle in ln x.
    const gapFrom = merged[k].to,
      gapTo = t.from;
    return { at: Math.exp((gapFrom + gapTo) / 2), from: merged[k].sign, to: t.sign };
  });
  const touches = roots.filter((r) => !crossings.some((c) => Math.abs(Math.log(c.at / r)) < 1e-9));
  return { roots, below: merged[0].sign, above: merged[merged.length - 1].sign, crossings, touches };
}

/**
 * x where two fitted curves first cross inside [lo, hi] (undefined when they do not): see curveSides,
 * which says whether the crossing is a crossover (a different group better on either side).
 */
export function crossing(p: Curve, q: Curve, lo: number, hi: number): number | undefined {
  return curveSides(p, q, lo, hi).crossings[0]?.at;
}

/**
 * A percentile interval of a sample in which −Infinity and +Infinity stand for "below" and "beyond the
 * searched range" (a replicate whose crossover is censored there): an end that falls among them is
 * open (null). Undefined with fewer than two values.
 */
export function censoredInterval(values: readonly number[], level: number): [number | null, number | null] | undefined {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length < 2) return undefined;
  const at = (p: number) => {
    const h = (sorted.length - 1) * p;
    const i = Math.floor(h),
      j = Math.min(i + 1, sorted.length - 1);
    // Among censored values the end is the more conservative neighbour (lower below, higher above).
    if (!Number.isFinite(sorted[i]) || !Number.isFinite(sorted[j])) return p < 0.5 ? sorted[i] : sorted[j];
    return sorted[i] + (h - i) * (sorted[j] - sorted[i]);
  };
  const tail = (1 - level) / 2;
  const lower = at(tail),
    upper = at(1 - tail);
  return [Number.isFinite(lower) ? lower : null, Number.isFinite(upper) ? upper : null];
}

/**
 * The censored percentile interval of a crossover's replicates, widened to hold the fitted crossing `at`
 * when a percentile end misses it (the replicates to one side of it: a biased fit, or a crossing that only
 * just forms); `missed` is the interval before widening, which the verdict states. A crossover's interval
 * that does not hold its own point estimate cannot be right.
 */
export function intervalHolding(
  values: readonly number[],
  level: number,
  at: number,
): { interval: [number | null, number | null]; missed?: [number | null, number | null] } | undefined {
  const interval = censoredInterval(values, level);
  if (!interval) return undefined;
  const [l, u] = interval;
  const below = l !== null && at < l,
    above = u !== null && at > u;
  if (!below && !above) return { interval };
  return { interval: [below ? at : l, above ? at : u], missed: interval };
}

/** A crossover interval whose open ends (null) say where the censored replicates lie: "[3.9e17, beyond 8.7e26)". */
export function formatCensored(interval: [number | null, number | null], lo: number, hi: number): string {
  const f = (v: number) => formatNumber(v, 2);
  return `${interval[0] === null ? `(below ${f(lo)}` : `[${f(interval[0])}`}, ${interval[1] === null ? `beyond ${f(hi)})` : `${f(interval[1])}]`}`;
}

/** Least-squares slope of loss on ln x: positive when the loss rises along x overall. */
function trendInLogX(runs: Run[], x: X): number {
  const u = runs.map((r) => Math.log(r[x]!)),
    v = runs.map((r) => r.loss);
  const mu = u.reduce((s, t) => s + t, 0) / u.length,
    mv = v.reduce((s, t) => s + t, 0) / v.length;
  let num = 0,
    den = 0;
  u.forEach((t, k) => {
    num += (t - mu) * (v[k] - mv);
    den += (t - mu) ** 2;
  });
  return num / den;
}

/**
 * @param bootstrap replicates resample runs within each group
 * @throws InputError with fewer than two groups or a group with fewer runs than its parameters
 */
export function compareGroups(
  dataset: Dataset,
  x: X = 'C',
  options: { bootstrap?: number; seed?: number; level?: number; alpha?: number } = {},
): GroupComparison {
  return finish(compareGroupsSteps(dataset, x, options));
}

/**
 * compareGroups a bootstrap replicate at a time (it yields after each): a caller that must stay
 * responsive (a command that stops on Ctrl-C) gives its event loop a turn between them.
 * @throws InputError as compareGroups
 */
export function* compareGroupsSteps(
  dataset: Dataset,
  x: X = 'C',
  options: { bootstrap?: number; seed?: number; level?: number; alpha?: number } = {},
): Steps<GroupComparison> {
  const groups = byGroup(dataset, x);
  const names = [...groups.keys()].sort();
  if (names.length < 2)
    throw new InputError(
      { file: dataset.source, columnName: dataset.columns.group },
      `found ${names.length} group${names.length === 1 ? '' : 's'} (${names.join(', ')}): a comparison needs two or more`,
    );
  checkMagnitudes(dataset, [x, 'loss'], dataset.runs);
  const curveNeeds = `a curve E + A·${x}^(−α)`;
  for (const g of names) {
    const runs = groups.get(g)!;
    if (runs.length < 4) {
      throw new InputError(
        { file: dataset.source, line: runs[0].line, columnName: dataset.columns.group },
        `group "${g}" has ${runs.length} run${runs.length === 1 ? '' : 's'}: ${curveNeeds} needs at least 4`,
      );
    }
    checkDistinct(dataset, runs, x, 4, curveNeeds, ` of group "${g}"`);
    checkLossVaries(dataset, runs, `${curveNeeds} for it`, ` of group "${g}"`);
  }
  const level = options.level ?? 0.95;
  const separateFits = names.map((g) => fitSeparate(dataset, groups.get(g)!, x));
  // A curve that rises (α ≤ 0) is not a scaling curve: its "offset" and "crossover" would be numbers
  // with no meaning, and the exponent test would compare slopes of the wrong sign.
  separateFits.forEach((f, i) => {
    if (!(f.params.alpha > 0)) {
      const runs = groups.get(names[i])!;
      throw new InputError(
        locate(dataset, runs[0], 'loss'),
        `the loss of group "${names[i]}" does not fall as ${x} grows (fitted α = ${f.params.alpha.toPrecision(3)}): ${curveNeeds} with α > 0 does not describe it, so its slope, offset and crossovers cannot be compared`,
      );
    }
    // A rising loss can also be fitted with α > 0, as a falling curve gone flat (a large α, the loss
    // its mean): the fit's α says nothing then, the loss's trend along x does.
    const runs = groups.get(names[i])!;
    const slope = trendInLogX(runs, x);
    if (slope > 0)
      throw new InputError(
        locate(dataset, runs[0], 'loss'),
        `the loss of group "${names[i]}" rises as ${x} grows (the least-squares slope of the loss in ln ${x} is +${formatNumber(slope, 3)}): ${curveNeeds} with α > 0 does not describe it, so its slope, offset and crossovers cannot be compared`,
      );
  });
  const free = fitJoint(dataset, names, separateFits, x, false);
  const shared = fitJoint(dataset, names, separateFits, x, true);
  const n = dataset.runs.length,
    G = names.length;
  // The free model contains the shared one, so its optimum cannot fit worse; when the optimiser
  // stopped short of that, the shared fit's residual is the free model's too (F would go negative).
  const rssShared = rss(shared),
    rssFree = Math.min(rss(free), rssShared);
  const df1 = G - 1,
    df2 = n - 3 * G;
  const statistic = df2 > 0 && rssFree > 0 ? (rssShared - rssFree) / df1 / (rssFree / df2) : undefined;
  const pValue = statistic !== undefined && Number.isFinite(statistic) ? fSurvival(statistic, df1, df2) : undefined;
  const significance = options.alpha ?? 0.05;
  const slopesDiffer = pValue !== undefined && pValue < significance;
  const separate: GroupFit[] = names.map((g) => ({
    group: g,
    runs: groups.get(g)!.length,
    E: free.params[`E[${g}]`],
    A: free.params[`A[${g}]`],
    alpha: free.params[`alpha[${g}]`],
  }));
  const sharedGroups: GroupFit[] = names.map((g) => ({
    group: g,
    runs: groups.get(g)!.length,
    E: shared.params[`E[${g}]`],
    A: shared.params[`A[${g}]`],
    alpha: shared.params.alpha,
  }));
  const xs = dataset.runs.map((r) => r[x]!);
  const lo = Math.min(...xs) / 1e3,
    hi = Math.max(...xs) * 1e6;

  // Bootstrap: resample within groups, refit both models from the point estimates.
  const reps = options.bootstrap ?? 0;
  const repSeparate: GroupFit[][] = [],
    repShared: { alpha: number; groups: GroupFit[] }[] = [];
  // Runs within groups, or whole lineages when the data name them (groupedDraw).
  const drawn = groupedDraw(dataset, new Map(names.map((g) => [g, groups.get(g)!])), (g) => `group "${g}"`);
  // Replicates left out, and why: a draw of lineages shared by the groups can leave a group with no run.
  let emptyGroup = 0,
    failedFit = 0;
  for (let r = 0; r < reps; r++) {
    if (r > 0) yield;
    const random = randomSource(options.seed ?? 0, r);
    const draw = drawn.draw(random);
    if (names.some((g) => draw.get(g)!.length === 0)) {
      emptyGroup++;
      continue;
    }
    const runs = names.flatMap((g) => draw.get(g)!);
    const d: Dataset = { ...dataset, runs };
    try {
      const f = fit(groupedPowerLaw(names, x, false), d, { loss: 'ls', init: free.params });
      const s = fit(groupedPowerLaw(names, x, true), d, { loss: 'ls', init: shared.params });
      repSeparate.push(
        names.map((g) => ({
          group: g,
          runs: 0,
          E: f.params[`E[${g}]`],
          A: f.params[`A[${g}]`],
          alpha: f.params[`alpha[${g}]`],
        })),
      );
      repShared.push({
        alpha: s.params.alpha,
        groups: names.map((g) => ({
          group: g,
          runs: 0,
          E: s.params[`E[${g}]`],
          A: s.params[`A[${g}]`],
          alpha: s.params.alpha,
        })),
      });
    } catch {
      failedFit++; // a degenerate resample (too few distinct sizes in a group): left out, said below
    }
  }
  const warnings = drawn.warning && reps > 0 ? [drawn.warning] : [];
  if (emptyGroup + failedFit > 0) {
    const why = [
      ...(emptyGroup ? [`${emptyGroup} drew no run of some group (its lineages were not drawn)`] : []),
      ...(failedFit ? [`${failedFit} could not be refitted`] : []),
    ].join(', ');
    warnings.push(
      `${emptyGroup + failedFit} of ${reps} bootstrap replicates were left out (${why}); the intervals and crossing counts rest on the other ${reps - emptyGroup - failedFit}`,
    );
  }
  if (repSeparate.length >= 2) {
    // Replicates whose refit ran off to infinity are left out of the intervals, not into them.
    names.forEach((g, i) => {
      separate[i].interval = {
        E: finiteInterval(
          repSeparate.map((r) => r[i].E),
          level,
        ),
        A: finiteInterval(
          repSeparate.map((r) => r[i].A),
          level,
        ),
        alpha: finiteInterval(
          repSeparate.map((r) => r[i].alpha),
          level,
        ),
      };
      sharedGroups[i].interval = {
        E: finiteInterval(
          repShared.map((r) => r.groups[i].E),
          level,
        ),
        A: finiteInterval(
          repShared.map((r) => r.groups[i].A),
          level,
        ),
      };
    });
  }

  const crossovers: Crossover[] = [];
  const xMin = Math.min(...xs),
    xMax = Math.max(...xs);
  const pct = `${Math.round(level * 100)} %`;
  // Curves closer than a tenth of the fits' residual sd in ln L between two roots touch, not cross over.
  const tolerance = df2 > 0 ? 0.1 * Math.sqrt(rssFree / df2) : 0;
  const f3 = (v: number) => formatNumber(v, 3);
  const fTest = `the F-test finds no difference in exponents (F = ${statistic !== undefined ? statistic.toFixed(2) : '–'}, p = ${pValue !== undefined ? pValue.toPrecision(2) : '–'})`;
  for (let i = 0; i < G; i++) {
    for (let j = i + 1; j < G; j++) {
      const sameCurve = oneCurveTest(
        dataset,
        groups.get(names[i])!,
        groups.get(names[j])!,
        separateFits[i],
        separateFits[j],
        x,
        significance,
      );
      const c: Crossover = { groups: [names[i], names[j]], sameCurve, verdict: '' };
      const point = curveSides(separate[i], separate[j], lo, hi, tolerance);
      const common = commonRange(groups.get(names[i])!, groups.get(names[j])!, x);
      const commonText = common ? `${x} ${formatRange(common, 2, ' – ')}` : '';
      const paired = pairedDifferences(groups.get(names[i])!, groups.get(names[j])!, names[i], names[j], x);
      if (!sameCurve.differ || point.below === 0 || point.above === 0) {
        if (common)
          c.withinData = {
            range: common,
            settled: false,
            ...(paired ? { paired } : {}),
            verdict: `these data do not tell which group is better over ${commonText}, the range both were run over (one curve fits both)${pairedBeside(paired, x)}`,
          };
        // One curve fits both as well as two do: a "better" group or a crossing would be read off noise,
        // so none is reported, in JSON either (the F-test's numbers stay).
        c.verdict = `${names[i]} and ${names[j]} do not differ within the data's noise (one curve fits both: F = ${sameCurve.statistic !== undefined ? sameCurve.statistic.toFixed(2) : '–'}, p = ${sameCurve.pValue !== undefined ? sameCurve.pValue.toPrecision(2) : '–'}): these data do not tell which is better or whether they cross (not finding a difference is no evidence that there is none)`;
        crossovers.push(c);
        continue;
      }
      // A negative difference is group i's curve below group j's: i is better there.
      const better = (sign: number) => (sign < 0 ? names[i] : names[j]);
      const kind: Crossover['kind'] = point.crossings.length
        ? 'crossover'
        : point.touches.length
          ? 'touch'
          : 'throughout';
      // With several crossings, the one the verdict is about is the one nearest the data (in ln x).
      const centre = (Math.log(xMin) + Math.log(xMax)) / 2;
      const main = point.crossings.length
        ? point.crossings.reduce((m, t) =>
            Math.abs(Math.log(t.at) - centre) < Math.abs(Math.log(m.at) - centre) ? t : m,
          )
        : undefined;
      const above = better(main ? main.to : point.above),
        below = better(main ? main.from : point.below);
      const at = main?.at;
      Object.assign(c, { kind, ...(at !== undefined ? { at } : {}), betterAbove: above, searched: [lo, hi] });
      if (kind === 'crossover') c.betterBelow = below;
      if (point.roots.length > 1 || kind === 'touch') c.roots = point.roots;
      const reasons: string[] = [];
      if (repSeparate.length >= 1) {
        // Each replicate's crossover, as the x above which `above` is better: its root when it crosses the
        // same way round; −∞ (below the search) when `above` is better throughout, +∞ (beyond it) when
        // `below` is, or when it crosses the other way round (`above` never becomes the better above).
        let agree = 0,
          crossed = 0,
          under = 0,
          beyond = 0,
          reversed = 0;
        const values: number[] = [];
        for (const r of repSeparate) {
          const s = curveSides(r[i], r[j], lo, hi, tolerance);
          if (s.crossings.length) crossed++;
          if (!main) {
            if (s.crossings.length === 0 && s.above === point.above) agree++;
            continue;
          }
          // The replicate's crossing the same way round nearest the fitted one.
          const same = s.crossings
            .filter((t) => t.from === main.from && t.to === main.to)
            .map((t) => t.at)
            .sort((u, v) => Math.abs(Math.log(u / main.at)) - Math.abs(Math.log(v / main.at)));
          if (same.length) {
            agree++;
            values.push(same[0]);
          } else if (s.crossings.length === 0) {
            if (s.above === main.to) {
              under++;
              values.push(-Infinity);
            } else {
              beyond++;
              values.push(Infinity);
            }
          } else {
            reversed++;
            values.push(Infinity);
          }
        }
        c.crossedIn = crossed;
        c.replicates = {
          total: repSeparate.length,
          agree,
          ...(kind === 'crossover' ? { below: under, beyond, reversed } : {}),
        };
        if (kind === 'crossover' && at !== undefined) {
          const held = intervalHolding(values, level, at);
          if (held) {
            if (held.missed)
              reasons.push(
                `the fitted crossing lies outside the replicates' ${pct} range ${formatCensored(held.missed, lo, hi)} (widened to hold it)`,
              );
            c.interval = held.interval;
          }
        }
        if (agree < SETTLED_AGREEMENT * repSeparate.length)
          reasons.push(
            `only ${agree} of ${repSeparate.length} replicates (${Math.round((100 * agree) / repSeparate.length)} %) ${kind === 'crossover' ? 'cross the same way round' : kind === 'touch' ? `keep ${above} better on both sides` : `keep ${above} better throughout the search (${formatRange([lo, hi], 2, ' to ')}, reaching 1e6× past the data, where the offsets are weakly pinned)`}; a settled verdict needs ${Math.round(SETTLED_AGREEMENT * 100)} %`,
          );
      }
      if (kind === 'crossover' && !slopesDiffer) reasons.unshift(fTest);
      // Where the crossing (or touch) lies against the data: outside it, an extrapolation graded as predict grades one.
      const where = kind === 'crossover' ? at : kind === 'touch' ? point.roots[0] : undefined;
      const grade =
        where !== undefined ? extrapolationWarnings({ [x]: [xMin, xMax] }, { [x]: where }, 'the data')[0] : undefined;
      // Beyond 100× the data (graded severe) no back-test here reaches: however many replicates agree, they
      // share the law's form, which is all that places a crossing there. Said, never settled.
      if (grade?.severity === 'severe')
        reasons.push(
          `the fitted curves ${kind === 'crossover' ? 'cross' : 'touch'} more than 100× outside the data, where no back-test reaches: an agreement of replicates drawn from the same law settles nothing there`,
        );
      // Without replicates nothing grades the verdict: it is the fits' alone, and not settled.
      c.settled = repSeparate.length >= 1 && reasons.length === 0;

      if (common)
        c.withinData = withinDataClaim(
          separate[i],
          separate[j],
          repSeparate,
          i,
          j,
          common,
          commonText,
          tolerance,
          better,
          paired,
          x,
        );

      if (grade) c.extrapolation = grade;
      const graded = grade ? ` (${grade.message}; an extrapolation, ${grade.severity})` : '';
      const dataRange = `${x} ${formatRange([xMin, xMax], 2, ' – ')}`;
      // What the data themselves show: which group the fits put better at either end of the data.
      const atMin = better(Math.sign(lnCurve(separate[i], Math.log(xMin)) - lnCurve(separate[j], Math.log(xMin))));
      const atMax = better(Math.sign(lnCurve(separate[i], Math.log(xMax)) - lnCurve(separate[j], Math.log(xMax))));
      const inData =
        atMin === atMax
          ? `within the data (${dataRange}) ${atMin} is better`
          : `within the data ${atMin} is better at the smallest ${x} and ${atMax} at the largest`;
      const agreeing = c.replicates ? ` ${c.replicates.agree} of ${c.replicates.total} replicates agree` : '';
      let claim: string;
      if (kind === 'crossover') {
        // Other crossings, further from the data: each named with the group better beyond it, and graded.
        const others = point.crossings.filter((t) => t !== main);
        const several = others.length
          ? `; the fitted curves cross again at ${others
              .map((t) => {
                const g = extrapolationWarnings({ [x]: [xMin, xMax] }, { [x]: t.at }, 'the data')[0];
                return `${x} = ${f3(t.at)} (${better(t.to)} better above it${g ? `; extrapolation, ${g.severity}` : ''})`;
              })
              .join(', ')}`
          : '';
        const iv = c.interval
          ? ` (${pct} interval ${formatCensored(c.interval, lo, hi)} over all ${c.replicates!.total} replicates;${agreeing.replace(' agree', ' cross the same way round')}${c.replicates!.below ? `, ${c.replicates!.below} ${c.replicates!.below === 1 ? 'has' : 'have'} ${above} better throughout (crossover below the search)` : ''}${c.replicates!.beyond ? `, ${c.replicates!.beyond} ${c.replicates!.beyond === 1 ? 'has' : 'have'} ${below} better throughout (crossover beyond the search)` : ''}${c.replicates!.reversed ? `, ${c.replicates!.reversed} cross the other way round` : ''})`
          : '';
        claim =
          grade === undefined
            ? `${above} is better above ${x} = ${f3(at!)}${iv}; ${below} is better below${several}`
            : `the fitted curves cross at ${x} = ${f3(at!)}${graded}; ${above} better above it, ${below} below${iv}${several}; ${inData}`;
      } else if (kind === 'touch') {
        const near =
          point.roots.length > 1
            ? formatRange([point.roots[0], point.roots[point.roots.length - 1]], f3)
            : f3(point.roots[0]);
        claim = `${above} is better on both sides: the fitted curves touch near ${x} = ${near} but do not cross over${graded}${agreeing ? ` (${agreeing.trim()})` : ''}; ${inData}`;
      } else {
        claim = `${above} is better across the data (${dataRange}), and the fitted curves do not cross from ${formatRange([lo, hi], 2, ' to ')} (beyond the data an extrapolation)${agreeing ? ` (${agreeing.trim()})` : ''}`;
      }
      c.verdict = c.settled
        ? claim
        : reasons.length
          ? `not settled by these data: ${reasons.join('; ')}. The separate fits say: ${claim}`
          : `not graded (no bootstrap replicates); the separate fits say: ${claim}`;
      crossovers.push(c);
    }
  }
  const statement = slopesDiffer
    ? `the exponents differ (F = ${statistic!.toFixed(2)}, p = ${pValue!.toPrecision(2)}): the groups scale differently, not just by an offset`
    : `no evidence that the exponents differ (F = ${statistic !== undefined ? statistic.toFixed(2) : '–'}, p = ${pValue !== undefined ? pValue.toPrecision(2) : '–'})${crossovers.some((c) => c.sameCurve.differ) ? ': the groups differ by their offsets' : ''}; shared α = ${shared.params.alpha.toFixed(4)}`;
  return {
    variable: x,
    groups: names,
    separate,
    shared: {
      alpha: shared.params.alpha,
      alphaInterval:
        repShared.length >= 2
          ? finiteInterval(
              repShared.map((r) => r.alpha),
              level,
            )
          : undefined,
      groups: sharedGroups,
    },
    test: {
      ...(statistic !== undefined ? { statistic } : {}),
      df1,
      df2,
      ...(pValue !== undefined ? { pValue } : {}),
      slopesDiffer,
      statement,
      rssShared,
      rssFree,
    },
    crossovers,
    level,
    ...(reps > 0
      ? { replicates: reps, unit: drawn.unit, unitByGroup: Object.fromEntries(names.map((g) => [g, drawn.unitOf(g)])) }
      : {}),
    ...(warnings.length ? { warnings } : {}),
  };
}

/** The range of x both groups were run over; undefined when they do not overlap (or meet at one x only). */
function commonRange(p: Run[], q: Run[], x: X): [number, number] | undefined {
  const ends = (runs: Run[]) => [Math.min(...runs.map((r) => r[x]!)), Math.max(...runs.map((r) => r[x]!))];
  const [pLo, pHi] = ends(p),
    [qLo, qHi] = ends(q);
  const from = Math.max(pLo, qLo),
    to = Math.min(pHi, qHi);
  return from < to ? [from, to] : undefined;
}

/**
 * The within-data claim for groups i and j (docs/methods.md §28): a group is better there when its fitted
 * curve lies below the other's across the common range (curveSides on that range finds no crossing), settled
 * when 90 % of the replicates keep it so. Graded apart from the crossing, which the search seeks far past
 * the data.
 */
function withinDataClaim(
  p: Curve,
  q: Curve,
  replicates: GroupFit[][],
  i: number,
  j: number,
  range: [number, number],
  rangeText: string,
  tolerance: number,
  better: (sign: number) => string,
  paired: PairedDifferences | undefined,
  x: X,
): WithinData {
  const where = `${rangeText}, the range both groups were run over`;
  const beside = pairedBeside(paired, x);
  const sides = curveSides(p, q, range[0], range[1], tolerance);
  if (sides.crossings.length || sides.below === 0)
    return {
      range,
      settled: false,
      ...(paired ? { paired } : {}),
      verdict: `neither group is better throughout ${where}: the fitted curves cross inside it (${better(sides.below)} better at its smallest, ${better(sides.above)} at its largest)${beside}`,
    };
  const group = better(sides.above);
  // The shared x whose runs favour the other group: each beyond the seeds' noise, or where a group has one run
  // (no SE there), holds the claim back (docs/methods.md §28, bench/compare-settle.ts's choice).
  const against = paired ? paired.points.filter((t) => t.favours !== undefined && t.favours !== group) : [];
  const beyond = against.filter(
    (t) => !(t.se !== undefined && Math.abs(t.loss[0] - t.loss[1]) <= paired!.noise!.tolerance * t.se),
  );
  const within = against.filter((t) => !beyond.includes(t));
  const withPaired = paired ? { paired: { ...paired, agree: beyond.length === 0 } } : {};
  if (replicates.length === 0)
    return {
      range,
      better: group,
      settled: false,
      ...withPaired,
      verdict: `not graded (no bootstrap replicates); the separate fits put ${group} better across ${where}${beside}`,
    };
  let agree = 0;
  for (const r of replicates) {
    const s = curveSides(r[i], r[j], range[0], range[1], tolerance);
    if (s.crossings.length === 0 && s.above === sides.above) agree++;
  }
  const total = replicates.length;
  const curvesSettled = agree >= SETTLED_AGREEMENT * total;
  const settled = curvesSettled && beyond.length === 0;
  const other = better(-sides.above);
  const reversal = (t: PairedDifferences['points'][number]) => {
    const [lb, lo] = group === better(-1) ? t.loss : [t.loss[1], t.loss[0]];
    const [sb, so] = group === better(-1) ? t.sd : [t.sd[1], t.sd[0]];
    const ses = t.se !== undefined ? `, ${formatNumber((lb - lo) / t.se, 2)} SE` : '';
    const spread =
      sb !== null || so !== null
        ? `; the runs' sd there ${sb !== null ? `${formatNumber((100 * sb) / lb, 2)} %` : '– (1 run)'} of ${group}'s mean, ${so !== null ? `${formatNumber((100 * so) / lo, 2)} %` : '– (1 run)'} of ${other}'s`
        : '';
    return `${x} = ${formatNumber(t.x, 3)}: ${other} lower by ${formatNumber((100 * (lb - lo)) / lb, 2)} %${ses}${spread}`;
  };
  // How the reversals were judged: the tolerance and the pooled noise it rests on, or that no noise scale exists.
  const noise = paired?.noise;
  const judged = noise
    ? `the tolerance ${formatNumber(noise.tolerance, 3)} SE, which a true ${CLEAR_REVERSAL_SE} SE reversal reads within in ${100 * MISREAD_RATE} % of draws; SE from the runs' sd pooled over the shared ${x}, ${formatNumber(100 * noise.relativeSd, 2)} % of the mean on ${noise.df} df`
    : `no shared ${x} has two runs of a group, so no noise scale to judge a reversal by`;
  // A reversal where a group has one run has no SE: it holds the claim back, named as such.
  const unjudged = beyond.filter((t) => t.se === undefined).length;
  const how = !noise
    ? 'with nothing to judge it by'
    : unjudged === 0
      ? "beyond the seeds' noise"
      : unjudged === beyond.length
        ? 'where a group has one run'
        : "beyond the seeds' noise or where a group has one run";
  const oneRun = noise && unjudged ? `; a group's one run at a shared ${x} is not judged by seeds at other ${x}` : '';
  const favoursGroup = (n: number) =>
    `the runs' mean loss favours ${group} at ${n} of the ${paired!.shared} shared ${x}`;
  const paired_ = paired
    ? beyond.length
      ? `the runs' mean loss favours ${other} at ${beyond.length} of the ${paired.shared} shared ${x} ${how} (${beyond.map(reversal).join('; ')}${within.length ? `; within it at ${within.length} more` : ''}; ${judged}${oneRun})`
      : within.length
        ? `${favoursGroup(paired.favour[group])}, and ${other} at ${within.length} within the seeds' noise (${within.map(reversal).join('; ')}; ${judged})`
        : `${favoursGroup(paired.favour[group])}${paired.favour[group] < paired.shared ? ` (${paired.shared - paired.favour[group]} tied)` : ''}`
    : `the groups share no ${x}, so no paired differences`;
  const curves = `${agree} of ${total} replicates keep it better across that range`;
  return {
    range,
    better: group,
    agree,
    total,
    settled,
    ...withPaired,
    verdict: settled
      ? `${group} is better across ${where} (settled: ${curves}; ${paired_})`
      : curvesSettled
        ? `not settled by these data: the fitted curves put ${group} better across ${where} (${curves}), but ${paired_}`
        : `not settled by these data: only ${agree} of ${total} replicates (${Math.round((100 * agree) / total)} %) keep ${group} better across ${where}; a settled verdict needs ${Math.round(SETTLED_AGREEMENT * 100)} %. The separate fits put ${group} better across it; ${paired_}`,
  };
}

/**
 * The x both groups were run at (equal to a relative 1e-9), each with the two groups' mean loss, run count
 * and spread, and the group whose mean is lower there. Undefined when they share none.
 */
function pairedDifferences(p: Run[], q: Run[], pName: string, qName: string, x: X): PairedDifferences | undefined {
  const at = (runs: Run[], v: number) =>
    runs.filter((r) => Math.abs(r[x]! - v) <= 1e-9 * Math.abs(v)).map((r) => r.loss);
  const stats = (ls: number[]) => {
    const mean = ls.reduce((t, l) => t + l, 0) / ls.length;
    const sd = ls.length >= 2 ? Math.sqrt(ls.reduce((t, l) => t + (l - mean) ** 2, 0) / (ls.length - 1)) : null;
    return { mean, sd };
  };
  const xs = [...new Set(p.map((r) => r[x]!))].sort((u, v) => u - v);
  const points: PairedDifferences['points'] = [];
  for (const v of xs) {
    if (points.length && Math.abs(points[points.length - 1].x - v) <= 1e-9 * Math.abs(v)) continue;
    const lq = at(q, v);
    if (!lq.length) continue;
    const a = stats(at(p, v)),
      b = stats(lq);
    points.push({
      x: v,
      loss: [a.mean, b.mean],
      runs: [at(p, v).length, lq.length],
      sd: [a.sd, b.sd],
      ...(a.mean < b.mean ? { favours: pName } : b.mean < a.mean ? { favours: qName } : {}),
    });
  }
  if (!points.length) return undefined;
  const count = (g: string) => points.filter((t) => t.favours === g).length;
  // One relative sd for all x (the noise is multiplicative), pooled where a group has seeds.
  let ss = 0,
    df = 0;
  for (const t of points)
    for (const g of [0, 1] as const)
      if (t.sd[g] !== null) {
        ss += (t.runs[g] - 1) * (t.sd[g]! / t.loss[g]) ** 2;
        df += t.runs[g] - 1;
      }
  const noise =
    df > 0
      ? {
          relativeSd: Math.sqrt(ss / df),
          df,
          tolerance: REVERSAL_TOLERANCE,
        }
      : undefined;
  // The SE only where both groups have seeds: noise pooled from other sizes is not trusted for a single run
  // (seed noise often shrinks with size; bench/compare-settle.ts's H cells).
  if (noise)
    for (const t of points)
      if (t.runs[0] >= 2 && t.runs[1] >= 2)
        t.se = noise.relativeSd * Math.sqrt(t.loss[0] ** 2 / t.runs[0] + t.loss[1] ** 2 / t.runs[1]);
  return {
    shared: points.length,
    favour: { [pName]: count(pName), [qName]: count(qName) },
    ...(noise ? { noise } : {}),
    points,
  };
}

/** The paired counts said beside a claim they do not grade (no better group named, or no replicates). */
function pairedBeside(paired: PairedDifferences | undefined, x: X): string {
  if (!paired) return '';
  const [a, b] = Object.keys(paired.favour);
  return `; at the ${paired.shared} shared ${x} the runs' mean loss favours ${a} at ${paired.favour[a]} and ${b} at ${paired.favour[b]}`;
}

/**
 * Do two groups differ? One curve fitted to both (pooled) against each its own: an F-test with 3 and
 * n − 6 degrees of freedom on least squares in ln L. With exact separate fits (no residual), they
 * differ unless the pooled fit is exact too.
 */
function oneCurveTest(
  dataset: Dataset,
  p: Run[],
  q: Run[],
  fp: FitResult,
  fq: FitResult,
  x: X,
  significance: number,
): Crossover['sameCurve'] {
  const pooled = rss(fitSeparate(dataset, [...p, ...q], x));
  const free = Math.min(rss(fp) + rss(fq), pooled);
  const df2 = p.length + q.length - 6;
  if (!(free > 0) || df2 <= 0) return { differ: !(pooled <= 1e-24) };
  const statistic = (pooled - free) / 3 / (free / df2);
  const pValue = fSurvival(statistic, 3, df2);
  return { statistic, pValue, differ: pValue < significance };
}

export interface AspectSpread {
  N: number;
  runs: number;
  best: { width: number; layers: number; aspect: number; loss: number };
  worst: { aspect: number; loss: number };
  /** (worst − best)/best loss at this size. */
  spread: number;
  /** Every shape at this size reached the same loss: no best shape (the one named is the first). */
  tie: boolean;
}

/**
 * Depth versus width at fixed size: runs grouped by N (within ±`tolerance` decades), the loss
 * spread across aspect ratios d_model/n_layer and the best one (Kaplan et al. 2020 §3.1: a wide
 * range of shapes is within a few per cent).
 */
export function aspectSpread(dataset: Dataset, tolerance = 0.05): AspectSpread[] {
  // Shapes are compared at a fixed size: without N there is no size to fix (a file of D and loss was
  // answered "no model size has two or more shapes").
  if (dataset.columns.N === undefined)
    throw new InputError(
      { file: dataset.source, line: 1 },
      (o) =>
        `depth versus width needs an N column (parameters of each run), with width (d_model) and layers (n_layer); the data have: ${describeColumns(dataset)}; map one with ${o('columns')} N=NAME`,
    );
  // A shape column the file lacks is said at its header with the columns it has, not at the first row.
  const absent = (['width', 'layers'] as const).filter((f) => dataset.columns[f] === undefined);
  if (absent.length)
    throw new InputError(
      { file: dataset.source, line: 1 },
      (o) =>
        `depth versus width needs ${absent.map((f) => (f === 'width' ? 'a width column (d_model)' : 'a layers column (n_layer)')).join(' and ')}; the data have: ${describeColumns(dataset)}; map ${absent.length > 1 ? 'them' : 'one'} with ${o('columns')} ${absent.map((f) => `${f}=NAME`).join(',')}`,
    );
  const rows = dataset.runs.filter((r) => r.N !== undefined);
  for (const r of rows) {
    if (r.width === undefined || r.layers === undefined)
      throw new InputError(
        { file: dataset.source, line: r.line },
        'depth versus width needs width (d_model) and layers (n_layer) columns',
      );
  }
  checkMagnitudes(dataset, ['N', 'width', 'layers', 'loss'], rows);
  const sorted = [...rows].sort((a, b) => a.N! - b.N!);
  const out: AspectSpread[] = [];
  // Greedy clusters in log N: a cluster holds the runs within 2·tolerance decades of its smallest.
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && Math.log10(sorted[j].N!) - Math.log10(sorted[i].N!) <= 2 * tolerance) j++;
    const group = sorted.slice(i, j);
    if (new Set(group.map((r) => `${r.width}x${r.layers}`)).size >= 2) {
      const best = group.reduce((a, b) => (b.loss < a.loss ? b : a));
      const worst = group.reduce((a, b) => (b.loss > a.loss ? b : a));
      const spread = worst.loss / best.loss - 1;
      out.push({
        N: best.N!,
        runs: group.length,
        best: { width: best.width!, layers: best.layers!, aspect: best.width! / best.layers!, loss: best.loss },
        worst: { aspect: worst.width! / worst.layers!, loss: worst.loss },
        spread,
        tie: spread <= 1e-9,
      });
    }
    i = j;
  }
  if (out.length === 0)
    throw new InputError(
      { file: dataset.source },
      'no model size has two or more shapes: depth versus width needs runs of about the same N with different shapes',
    );
  return out;
}
