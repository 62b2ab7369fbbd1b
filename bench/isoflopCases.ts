/**
 * What the IsoFLOP benches share (bench/isoflop-vertex.ts, bench/approach-backtest.ts): which budgets of
 * a benchmark case count, how they are split, the three ways of reading a budget's optimum, the sources
 * (the two Porian grids are one), and the leave-one-source-out choice. A module, not a script.
 */
import type { BenchmarkCase } from '../src/io/benchmarkCases.js';
import { trainingRuns, axisValue, splitAt, type Split } from '../src/io/rollingOrigin.js';
import type { Run } from '../src/io/dataset.js';
import { akimaVertex, bracketsOptimum, groupBudgets, profileVertex } from '../src/analyses/isoflop.js';
import { namedBudgets } from '../src/analyses/frontier.js';

export const vertexMethods = ['parabola', 'akima', 'min-run'] as const;
export type VertexMethodName = (typeof vertexMethods)[number];

/** The loss-minimising N of one budget's runs by one method. */
export function vertex(C: number, runs: Run[], method: VertexMethodName, source: string): number {
  if (method === 'akima') return akimaVertex(runs);
  return profileVertex(C, runs, method, source).N;
}

export interface Budget {
  C: number;
  runs: Run[];
}

/**
 * A case's counted budgets, in C order: runs at their final checkpoint, grouped as `frontier` groups them
 * (chinchilla: the paper's nine named budgets), kept when they bracket their optimum (bracketsOptimum).
 */
export function countedBudgets(c: BenchmarkCase): Budget[] {
  const finals = trainingRuns(c.data, 'C').map((t) => ({ ...t.final, C: axisValue(t.final, 'C') }));
  const budgets = c.spec.id === 'chinchilla' ? namedBudgets.chinchilla : 'auto';
  let groups: Budget[];
  try {
    groups = groupBudgets({ ...c.data, runs: finals }, { budgets }).groups;
  } catch {
    return [];
  }
  return groups.filter((g) => bracketsOptimum(g.runs)).sort((a, b) => a.C - b.C);
}

/** The largest ⌈n/3⌉ of n counted budgets are held out; the others are the fit set. */
export function splitBudgets<B>(counted: B[]): { fit: B[]; held: B[] } {
  const k = Math.ceil(counted.length / 3);
  return { fit: counted.slice(0, counted.length - k), held: counted.slice(counted.length - k) };
}

/**
 * The fit runs for held-out budgets: every run (all its checkpoints) whose final C is below the smallest C
 * of any held-out run, a lineage fitted only when all of it is (splitAt). Undefined when no run is below.
 */
export function fitRunsBelow(c: BenchmarkCase, held: { runs: Run[] }[]): Split | undefined {
  const minHeldC = Math.min(...held.flatMap((b) => b.runs.map((r) => r.C!)));
  const runs = trainingRuns(c.data, 'C');
  const below = runs.filter((r) => r.position < minHeldC * (1 - 1e-9)).map((r) => r.position);
  return below.length ? splitAt(c.data, runs, 'C', Math.max(...below)) : undefined;
}

/** CS336's generating law: the N minimising it along C = 6ND (golden-section search in ln N). */
export function cs336Optimum(C: number): number {
  const L = (x: number) => {
    const N = Math.exp(x),
      D = C / (6 * N);
    return 2.69 + 1606.4 / N ** 0.34 + 3210.7 / D ** 0.36;
  };
  let a = Math.log(1e3),
    b = Math.log(C / 6e3);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 200; i++) {
    const x1 = b - g * (b - a),
      x2 = a + g * (b - a);
    if (L(x1) < L(x2)) b = x2;
    else a = x1;
  }
  return Math.exp((a + b) / 2);
}

/** The two Porian et al. grids are one source (their case.json says so); every other real case is its own. */
export const sourceOf = (id: string) => (id.startsWith('porian-') ? 'porian (owt2 + refinedweb)' : id);

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Leave one source out under one truth: each source gets the method with the lowest mean error over the
 * OTHER sources (ties to the earlier method); `clear` when the method chosen on all sources is not the
 * baseline, every fold chooses it, and it beats the baseline by more than one standard error of the
 * paired per-source differences.
 */
export function chooseLeavingOneSourceOut<M extends string>(
  sources: { id: string; error: Record<M, number> }[],
  methods: readonly M[],
  baseline: M,
) {
  const best = (among: typeof sources): M => {
    let choice: M = methods[0],
      low = Infinity;
    for (const m of methods) {
      const e = mean(among.map((s) => s.error[m]));
      if (e < low - 1e-12) {
        choice = m;
        low = e;
      }
    }
    return choice;
  };
  const onAll = best(sources);
  const folds = sources.map((s) => ({ id: s.id, method: best(sources.filter((o) => o !== s)) }));
  const foldsAgree = folds.every((f) => f.method === onAll);
  const lodoError = mean(folds.map((f) => sources.find((s) => s.id === f.id)!.error[f.method]));
  const diffs = sources.map((s) => s.error[baseline] - s.error[onAll]);
  const meanDiff = mean(diffs);
  const se =
    diffs.length > 1
      ? Math.sqrt(diffs.reduce((a, d) => a + (d - meanDiff) ** 2, 0) / (diffs.length - 1) / diffs.length)
      : Infinity;
  return {
    mean: Object.fromEntries(methods.map((m) => [m, mean(sources.map((s) => s.error[m]))])) as Record<M, number>,
    onAll,
    folds,
    foldsAgree,
    lodoError,
    meanDiff,
    se,
    clear: onAll !== baseline && foldsAgree && meanDiff > se,
  };
}
