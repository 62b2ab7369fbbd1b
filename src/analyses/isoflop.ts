/**
 * Chinchilla's Approach 2, IsoFLOP profiles (Hoffmann et al. 2022 §3.2): group runs by compute
 * budget, find each budget's loss-minimising model size — the vertex of a parabola of loss against
 * ln N, or simply the lowest-loss run (the CS336 handout's method) — and fit N_opt ∝ C^a,
 * D_opt ∝ C^b through the vertices. Pure.
 */
import { FitError, InputError, OptionError } from '../errors/index.js';
import type { PowerFit } from '../core/linearRegression.js';
import { optimumPowerLaws } from './computeOptimal.js';
import { polynomialFit } from '../core/leastSquares.js';
import type { Dataset, Run } from '../io/dataset.js';
import { formatNumber } from '../core/format.js';
import { checkLossVaries, checkMagnitudes } from '../io/dataChecks.js';
import { clusterByLog10 } from '../io/clusters.js';

export type VertexMethod = 'parabola' | 'min-run';

/**
 * The vertex `frontier` and the IsoFLOP analysis take when none is asked for: the parabola in ln N
 * through every run of a budget. bench/isoflop-vertex.ts scores it against the other vertex methods on
 * the real IsoFLOP ladders (docs/methods.md §38) and exits 1 when its evidence decides another.
 */
export const defaultVertex = 'parabola' satisfies VertexMethod;

export interface IsoflopOptions {
  vertex?: VertexMethod;
  /** Budgets to group around, or 'auto' to find them from the data. @default 'auto' */
  budgets?: number[] | 'auto';
  /** Half-width of a budget in decades of C (0.06 ≈ ±15 %). @default 0.06 */
  tolerance?: number;
  /** Fewest runs a budget needs. @default 3 */
  minRuns?: number;
}

export interface Profile {
  /** The budget (mean of its runs' C in log space, or the given budget). */
  C: number;
  runs: Run[];
  /** Loss-minimising size, tokens and loss at this budget. */
  N: number;
  D: number;
  loss: number;
  method: VertexMethod;
  /** The minimum lies at (or beyond) the profile's smallest or largest model: not bracketed. */
  atEdge: boolean;
  /** Parabola coefficients in ln N (c0 + c1·x + c2·x²), when fitted. */
  parabola?: [number, number, number];
  /**
   * With Approach 2's bootstrap, what a replicate drew at this budget: the parabola's residuals (the
   * data name no lineage), whole lineages, or runs (this budget's runs name fewer than 3 lineages).
   */
  unit?: 'lineage' | 'run' | 'residual';
  /**
   * With Approach 2's residual bootstrap, this profile's vertex-discrepancy term d in ln N (each replicate
   * multiplies its vertex by exp(d·z)): present only where the term was applied, a parabola vertex on more
   * than 5 sizes (docs/methods.md §8), so that a reader can tell which intervals carry it.
   */
  vertexDiscrepancy?: number;
}

export interface IsoflopResult {
  profiles: Profile[];
  /** Runs that fell on no budget (listed in warnings, never silently dropped). */
  unassigned: Run[];
  N: PowerFit;
  D: PowerFit;
  warnings: string[];
}

/** Budgets found from the data: the clusters of log10 C. */
function findBudgets(runs: Run[], tolerance: number, minRuns: number): { centre: number; members: Run[] }[] {
  return clusterByLog10(runs, 'C', tolerance, minRuns).groups;
}

function lines(runs: Run[]): string {
  const ls = runs.map((r) => r.line);
  return ls.length <= 6 ? ls.join(', ') : `${ls.slice(0, 6).join(', ')}, … (${ls.length} in all)`;
}

/** Group runs into IsoFLOP budgets. */
export function groupBudgets(
  dataset: Dataset,
  options: IsoflopOptions = {},
): { groups: { C: number; runs: Run[] }[]; unassigned: Run[] } {
  const tolerance = options.tolerance ?? 0.06;
  const minRuns = options.minRuns ?? 3;
  const runs = dataset.runs;
  if (runs.some((r) => r.C === undefined || r.N === undefined)) {
    throw new InputError({ file: dataset.source, line: 1 }, 'IsoFLOP profiles need N and C (or N and D) for every run');
  }
  if (options.budgets === undefined || options.budgets === 'auto') {
    const found = findBudgets(runs, tolerance, minRuns);
    const assigned = new Set(found.flatMap((g) => g.members));
    return {
      groups: found.map((g) => ({ C: Math.pow(10, g.centre), runs: g.members })),
      unassigned: runs.filter((r) => !assigned.has(r)),
    };
  }
  const budgets = [...options.budgets].sort((a, b) => a - b);
  const groups = budgets.map((C) => ({ C, runs: [] as Run[] }));
  const unassigned: Run[] = [];
  for (const r of runs) {
    const x = Math.log10(r.C!);
    let best = -1,
      dist = Infinity;
    budgets.forEach((C, i) => {
      const d = Math.abs(Math.log10(C) - x);
      if (d < dist) {
        dist = d;
        best = i;
      }
    });
    if (dist <= tolerance) groups[best].runs.push(r);
    else unassigned.push(r);
  }
  for (const g of groups) {
    if (g.runs.length < minRuns) {
      const where = g.runs.length ? { file: dataset.source, line: g.runs[0].line } : { file: dataset.source };
      throw new InputError(
        where,
        `budget C = ${formatNumber(g.C, 3)} has ${g.runs.length} run${g.runs.length === 1 ? '' : 's'}${g.runs.length ? ` (line ${lines(g.runs)})` : ''}: an IsoFLOP profile needs at least ${minRuns} runs of different sizes`,
      );
    }
  }
  return { groups, unassigned };
}

/** The loss-minimising size of one budget's runs. */
export function profileVertex(C: number, runs: Run[], method: VertexMethod, source: string): Profile {
  const sorted = [...runs].sort((a, b) => a.N! - b.N!);
  const distinct = new Set(sorted.map((r) => r.N)).size;
  const lo = sorted[0].N!,
    hi = sorted[sorted.length - 1].N!;
  const minRun = sorted.reduce((a, b) => (b.loss < a.loss ? b : a));
  const fromRun = (): Profile => ({
    C,
    runs: sorted,
    N: minRun.N!,
    D: C / (6 * minRun.N!),
    loss: minRun.loss,
    method: 'min-run',
    atEdge: minRun === sorted[0] || minRun === sorted[sorted.length - 1],
  });
  if (method === 'min-run') return fromRun();
  if (distinct < 3) {
    throw new InputError(
      { file: source, line: sorted[0].line },
      `budget C = ${formatNumber(C, 3)} has ${distinct} distinct model sizes (lines ${lines(sorted)}): a parabola needs at least 3`,
    );
  }
  const c = polynomialFit(
    sorted.map((r) => Math.log(r.N!)),
    sorted.map((r) => r.loss),
    2,
  );
  if (!c || !(c[2] > 0)) {
    // No minimum inside: the profile is not convex, so the parabola cannot locate one.
    return { ...fromRun(), method: 'parabola', atEdge: true, parabola: c ? [c[0], c[1], c[2]] : undefined };
  }
  const x = -c[1] / (2 * c[2]);
  const N = Math.exp(x);
  // A vertex so far out that N overflows (or leaves the range an analysis computes with) locates
  // nothing: the profile is as unbracketed as a non-convex one.
  if (!(N >= 1e-100 && N <= 1e100))
    return { ...fromRun(), method: 'parabola', atEdge: true, parabola: [c[0], c[1], c[2]] };
  return {
    C,
    runs: sorted,
    N,
    D: C / (6 * N),
    loss: c[0] + c[1] * x + c[2] * x * x,
    method: 'parabola',
    atEdge: N <= lo * 1.0001 || N >= hi / 1.0001,
    parabola: [c[0], c[1], c[2]],
  };
}

export function evaluatePower(f: PowerFit, C: number): number {
  return f.coefficient * Math.pow(C, f.exponent);
}

/**
 * IsoFLOP analysis of a data set.
 * @throws InputError when fewer than two budgets remain, or an explicit budget has too few runs
 */
export function isoflopAnalysis(dataset: Dataset, options: IsoflopOptions = {}): IsoflopResult {
  const method = options.vertex ?? defaultVertex;
  if (!['parabola', 'min-run'].includes(method))
    throw new OptionError({
      option: 'vertex',
      value: method,
      allowed: ['parabola', 'min-run'],
      message: (o) => `invalid ${o('vertex')}: ${method} (expected parabola or min-run)`,
    });
  checkMagnitudes(dataset, ['N', 'D', 'C', 'loss'], dataset.runs);
  const { groups, unassigned } = groupBudgets(dataset, options);
  // A flat profile (every size the same loss) has no minimum: its "vertex" would be the optimiser's whim.
  for (const g of groups)
    checkLossVaries(dataset, g.runs, 'an IsoFLOP profile', ` of the C = ${formatNumber(g.C, 3)} budget`);
  if (groups.length < 2) {
    throw new InputError(
      { file: dataset.source },
      (o) =>
        `found ${groups.length} IsoFLOP budget${groups.length === 1 ? '' : 's'} with at least ${options.minRuns ?? 3} runs: the frontier needs two or more (runs are grouped when their C agree within ±${options.tolerance ?? 0.06} decades; set ${o('budgets')} or ${o('tolerance')})`,
    );
  }
  const profiles = groups.map((g) => profileVertex(g.C, g.runs, method, dataset.source));
  const warnings: string[] = [];
  for (const p of profiles) {
    if (p.atEdge) {
      const Ns = p.runs.map((r) => r.N!);
      const small = p.N <= Math.min(...Ns) * 1.0001;
      const edge = small ? Math.min(...Ns) : Math.max(...Ns);
      const where =
        p.method === 'parabola' && Math.abs(p.N / edge - 1) > 1e-3
          ? `; the parabola's vertex, N = ${formatNumber(p.N, 4)}, lies ${small ? 'below' : 'above'} the runs`
          : '';
      warnings.push(
        `the minimum of the C = ${formatNumber(p.C, 3)} profile lies at its ${small ? 'smallest' : 'largest'} model (N = ${formatNumber(edge, 4)})${where}: the budget did not bracket the optimum`,
      );
    }
  }
  if (unassigned.length) {
    warnings.push(
      `${unassigned.length} run${unassigned.length === 1 ? '' : 's'} fell on no IsoFLOP budget and were not used (line ${lines(unassigned)})`,
    );
  }
  return {
    profiles,
    unassigned,
    ...optimumPowerLaws(profiles),
    warnings,
  };
}

/**
 * Akima's (1970) interpolation through (x_i, y_i), x strictly increasing, n ≥ 3: node slopes from the
 * weighted neighbouring secant slopes (two secants added beyond each end by linear extension), cubic
 * Hermite between nodes. Written from the published formulas.
 */
function akimaInterpolant(xs: number[], ys: number[]): (x: number) => number {
  const n = xs.length;
  const m = new Map<number, number>();
  for (let i = 0; i < n - 1; i++) m.set(i, (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]));
  m.set(-1, 2 * m.get(0)! - m.get(1)!);
  m.set(-2, 2 * m.get(-1)! - m.get(0)!);
  m.set(n - 1, 2 * m.get(n - 2)! - m.get(n - 3)!);
  m.set(n, 2 * m.get(n - 1)! - m.get(n - 2)!);
  const t = xs.map((_, i) => {
    const w1 = Math.abs(m.get(i + 1)! - m.get(i)!),
      w2 = Math.abs(m.get(i - 1)! - m.get(i - 2)!);
    return w1 + w2 > 0 ? (w1 * m.get(i - 1)! + w2 * m.get(i)!) / (w1 + w2) : (m.get(i - 1)! + m.get(i)!) / 2;
  });
  return (x: number) => {
    let i = 0;
    while (i < n - 2 && x > xs[i + 1]) i++;
    const h = xs[i + 1] - xs[i],
      u = (x - xs[i]) / h;
    const h00 = 2 * u ** 3 - 3 * u ** 2 + 1,
      h10 = u ** 3 - 2 * u ** 2 + u,
      h01 = -2 * u ** 3 + 3 * u ** 2,
      h11 = u ** 3 - u ** 2;
    return h00 * ys[i] + h10 * h * t[i] + h01 * ys[i + 1] + h11 * h * t[i + 1];
  };
}

/**
 * A budget's loss-minimising N by Porian et al. 2024's method (arXiv:2406.19146, their code's
 * interp_flop): the lowest loss per distinct N, Akima's interpolation of ln L against ln N, evaluated on
 * (k − 1)·25 points evenly spaced in ln N between the smallest and the largest N (k distinct sizes); the
 * grid point with the lowest interpolated loss. Not a `frontier` option: bench/isoflop-vertex.ts kept the
 * parabola against it (docs/methods.md §38). Needs at least 3 distinct sizes.
 */
export function akimaVertex(runs: Run[]): number {
  const best = new Map<number, number>();
  for (const r of runs) best.set(r.N!, Math.min(best.get(r.N!) ?? Infinity, r.loss));
  const pts = [...best.entries()].sort((a, b) => a[0] - b[0]);
  if (pts.length < 3)
    throw new FitError(`an IsoFLOP profile's Akima minimum needs at least 3 distinct model sizes, got ${pts.length}`);
  const xs = pts.map((p) => Math.log(p[0])),
    ys = pts.map((p) => Math.log(p[1]));
  const f = akimaInterpolant(xs, ys);
  const count = (pts.length - 1) * 25;
  let bestX = xs[0],
    bestY = Infinity;
  for (let j = 0; j < count; j++) {
    const x = xs[0] + ((xs[xs.length - 1] - xs[0]) * j) / (count - 1);
    const y = f(x);
    if (y < bestY) {
      bestY = y;
      bestX = x;
    }
  }
  return Math.exp(bestX);
}

/**
 * Whether a budget's runs bracket its optimum by the data alone: at least 3 distinct sizes, and the
 * lowest-loss run neither the smallest nor the largest model (a criterion that favours no vertex method;
 * the IsoFLOP benches count such budgets, docs/methods.md §7, §38).
 */
export function bracketsOptimum(runs: Run[]): boolean {
  const sizes = runs.map((r) => r.N!);
  if (new Set(sizes).size < 3) return false;
  const low = runs.reduce((a, b) => (b.loss < a.loss ? b : a));
  return low.N! > Math.min(...sizes) && low.N! < Math.max(...sizes);
}
