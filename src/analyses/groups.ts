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
import { groupedDraw, type Dataset, type Run } from '../io/dataset.js';
import { formatInterval, formatNumber, formatRange } from '../core/format.js';
import { checkDistinct, checkLossVaries, checkMagnitudes, locate } from '../io/dataChecks.js';

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
  /** Which group is better above the crossover (or throughout); absent when one curve fits both (sameCurve). */
  betterAbove?: string;
  /**
   * The test of "one curve describes both groups" (a pooled fit against the two separate ones, least
   * squares on ln L): when it does not reject, the groups do not differ within the data's noise, and no
   * crossover or better group is reported. statistic and pValue are absent when the fits are exact.
   */
  sameCurve: { statistic?: number; pValue?: number; differ: boolean };
  verdict: string;
}

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
      throw new InputError({ file: dataset.source, line: r.line }, (o) =>
        dataset.columns[x] !== undefined || dataset.derived[x] !== undefined
          ? `this run has no ${x}`
          : `this run has no ${x}: the file has no ${x} column${others.length ? `; compare along ${others.map((v) => `${o('x')} ${v}`).join(' or ')}` : ''}`,
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

/**
 * x where two fitted curves cross, searched from 1e-3× the smallest to 1e6× the largest data value.
 * A root at either end of the search is no crossing inside it (two equal curves "cross" at its lower
 * end, where their difference first reads 0): undefined, as when they do not cross.
 */
export function crossing(
  p: { E: number; A: number; alpha: number },
  q: { E: number; A: number; alpha: number },
  lo: number,
  hi: number,
): number | undefined {
  const diff = (lx: number) => lnCurve(p, lx) - lnCurve(q, lx);
  const a = Math.log(lo),
    b = Math.log(hi);
  const steps = 200;
  const inside = (lx: number) => (lx - a > (b - a) * 1e-9 && b - lx > (b - a) * 1e-9 ? Math.exp(lx) : undefined);
  let prev = diff(a);
  for (let k = 1; k <= steps; k++) {
    const lx = a + ((b - a) * k) / steps;
    const d = diff(lx);
    if (prev === 0) return inside(a + ((b - a) * (k - 1)) / steps);
    if (Math.sign(d) !== Math.sign(prev)) return inside(bisect(diff, lx - (b - a) / steps, lx, 1e-12));
    prev = d;
  }
  return undefined;
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
  const level = options.level ?? 0.8;
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
  for (let i = 0; i < G; i++) {
    for (let j = i + 1; j < G; j++) {
      const at = crossing(separate[i], separate[j], lo, hi);
      const top = Math.max(...xs) * 1e6;
      // Which is better far beyond the crossover (or at the largest data point when none)?
      const probe = at ? Math.min(at * 100, top) : Math.max(...xs);
      const betterAbove =
        lnCurve(separate[i], Math.log(probe)) < lnCurve(separate[j], Math.log(probe)) ? names[i] : names[j];
      const other = betterAbove === names[i] ? names[j] : names[i];
      const sameCurve = oneCurveTest(
        dataset,
        groups.get(names[i])!,
        groups.get(names[j])!,
        separateFits[i],
        separateFits[j],
        x,
        significance,
      );
      const c: Crossover = { groups: [names[i], names[j]], at, betterAbove, sameCurve, verdict: '' };
      if (repSeparate.length >= 2) {
        const hits = repSeparate.map((r) => crossing(r[i], r[j], lo, hi)).filter((v): v is number => v !== undefined);
        c.crossedIn = hits.length;
        const interval = finiteInterval(hits, level);
        if (interval) c.interval = interval;
      }
      const pct = `${Math.round(level * 100)} %`;
      if (!sameCurve.differ) {
        // One curve fits both as well as two do: a "better" group or a crossing would be read off noise,
        // so none is reported, in JSON either (the F-test's numbers stay).
        delete c.at;
        delete c.betterAbove;
        delete c.interval;
        delete c.crossedIn;
        c.verdict = `${names[i]} and ${names[j]} do not differ within the data's noise (one curve fits both: F = ${sameCurve.statistic !== undefined ? sameCurve.statistic.toFixed(2) : '–'}, p = ${sameCurve.pValue !== undefined ? sameCurve.pValue.toPrecision(2) : '–'}); neither is better and no crossover is found`;
        crossovers.push(c);
        continue;
      }
      c.verdict = at
        ? `${betterAbove} is better above ${x} = ${formatNumber(at, 3)}${c.interval ? ` (${pct} interval ${formatInterval(c.interval, 2)}; the curves crossed in ${c.crossedIn} of ${repSeparate.length} replicates)` : ''}; ${other} is better below`
        : `${betterAbove} is better throughout ${formatRange([lo, hi], 2, ' – ')} (no crossover inside the searched range)${c.crossedIn !== undefined ? ` (the curves crossed in ${c.crossedIn} of ${repSeparate.length} replicates)` : ''}`;
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
    ...(reps > 0 ? { unit: drawn.unit, unitByGroup: Object.fromEntries(names.map((g) => [g, drawn.unitOf(g)])) } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
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
        `depth versus width needs an N column (parameters of each run), with width (d_model) and layers (n_layer); map one with ${o('columns')} N=NAME`,
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
