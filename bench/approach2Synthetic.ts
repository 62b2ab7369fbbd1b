/**
 * What the Approach 2 interval benches (bench/approach2-coverage.ts, -width, -small, -pooled, -vertex) share,
 * kept once here so that a bench imports it rather than copying it: the synthetic IsoFLOP grids and the
 * parabola vertex (approach2-coverage.ts's generators, plus a centred placement); the power law through the
 * vertices and its percentile intervals; the check of a reimplemented row against what approach2 ships; the
 * scoring of a row's intervals against the truths, the tables, the leave-one-law-out decision and the real
 * held-out-budget check. Each was moved here unchanged from the bench that had it first: every bench's output
 * is byte-identical to what it printed before.
 */
import { approach2 } from '../src/analyses/frontier.js';
import { chinchilla, predictLoss } from '../src/laws/index.js';
import { normal, randomSource } from '../src/core/random.js';
import { powerFit } from '../src/core/linearRegression.js';
import { polynomialFit } from '../src/core/leastSquares.js';
import { finiteInterval } from '../src/core/statistics.js';
import { readBenchmark } from '../src/io/benchmarkCases.js';
import type { Dataset, Run } from '../src/io/dataset.js';
import { countedBudgets, sourceOf } from './isoflopCases.js';

/** A number given on the bench's command line as `--name value`, else the fallback. */
export const numberArg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const log = (s: string) => process.stderr.write(s + '\n');

/** One budget's runs, sorted by size: x = ln N, y = loss. */
export interface Profile {
  C: number;
  x: number[];
  y: number[];
}

/** The parabola's vertex in ln N, or the lowest-loss run's when it is not convex (profileVertex's rule). */
export function parabolaVertex(x: number[], y: number[]): number {
  const m = x.reduce((s, v) => s + v, 0) / x.length;
  const c = polynomialFit(
    x.map((v) => v - m),
    y,
    2,
  );
  if (c && c[2] > 0) {
    const v = -c[1] / (2 * c[2]) + m;
    if (Math.abs(v) < 230) return v;
  }
  return x[y.indexOf(Math.min(...y))];
}

export interface Law {
  E: number;
  A: number;
  B: number;
  alpha: number;
  beta: number;
}
export const families: Record<string, Law> = {
  hoffmann: { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 },
  epoch: { E: 1.8172, A: 482.01, B: 2085.43, alpha: 0.3478, beta: 0.3658 },
  muennighoff: {
    E: Math.exp(0.6254804),
    A: Math.exp(6.255414),
    B: Math.exp(7.3049974),
    alpha: 0.3526596,
    beta: 0.3526596,
  },
  cs336: { E: 2.69, A: 1606.4, B: 3210.7, alpha: 0.34, beta: 0.36 },
};
export const noises = [0.005, 0.01, 0.02];
export const placements = ['centred', 'off-centre'] as const;
export const TARGET = 1e22;

export const trueA = (l: Law) => l.beta / (l.alpha + l.beta);
/** N_opt(C) = G·(C/6)^a, G = (αA/(βB))^(1/(α+β)) (docs/methods.md §7). */
export const trueLnN = (l: Law, C: number) =>
  Math.log((l.alpha * l.A) / (l.beta * l.B)) / (l.alpha + l.beta) + trueA(l) * Math.log(C / 6);

export function synthetic(
  l: Law,
  noise: number,
  sizes: number,
  budgets: number,
  seed: number,
  centred: boolean,
): Profile[] {
  const random = randomSource(seed, 96);
  const half = (sizes - 1) / 2;
  return Array.from({ length: budgets }, (_, i) => {
    const C = 10 ** (18 + 0.5 * i);
    // Drawn either way, so the two placements share their noise draws.
    const u = (random() * 2 - 1) * 0.25;
    const shift = centred ? 0 : u;
    const x: number[] = [],
      y: number[] = [];
    for (let k = -half; k <= half; k++) {
      const lnN = trueLnN(l, C) + (k * 0.25 + shift) * Math.LN10;
      const N = Math.exp(lnN),
        D = C / (6 * N);
      x.push(lnN);
      y.push(predictLoss(chinchilla, { ...l }, { N, D }) * Math.exp(noise * normal(random)));
    }
    return { C, x, y };
  });
}

// ---- the power law through the vertices, and its intervals --------------------------------------------------

/**
 * The power law N_opt = k·C^a through per-budget ln vertices (least squares in log–log: powerFit, as
 * isoflopAnalysis fits it): a and ln N_opt at each target C.
 */
export function vertexLaw(Cs: number[], targets: number[]): (v: number[]) => { a: number; lnN: number[] } {
  return (v) => {
    const f = powerFit(Cs, v.map(Math.exp));
    return { a: f.exponent, lnN: targets.map((C) => Math.log(f.coefficient) + f.exponent * Math.log(C)) };
  };
}

/** The interval levels every row is scored at. */
export const levels = [0.9, 0.95] as const;

export type Iv = [number, number] | undefined;
/** One row's percentile intervals of a and of ln N_opt at each target, at one level, from its replicates. */
export const percentileIntervals = (a: number[], lnN: number[][], level: number): { a: Iv; lnN: Iv[] } => ({
  a: finiteInterval(a, level),
  lnN: lnN.map((xs) => finiteInterval(xs, level)),
});

/**
 * The check that a bench's reimplementation of a row is what frontier ships: approach2's 95 % interval of a
 * on one grid (hoffmann, 1 % noise, `sizes` sizes × 4 off-centre budgets; 50 replicates, seed 7) against the
 * row's own, `mine`, on the same profiles. Both are logged; the bench exits with `failCode` when they differ
 * by more than 1e-9.
 */
export function checkAgainstApproach2(
  sizes: number,
  mine: (profiles: Profile[]) => [number, number],
  label: string,
  against: string,
  failCode: number,
): void {
  const profiles = synthetic(families.hoffmann, 0.01, sizes, 4, 1, false);
  const runs: Run[] = profiles.flatMap((p) =>
    p.x.map((x, j) => ({ N: Math.exp(x), D: p.C / (6 * Math.exp(x)), C: p.C, loss: p.y[j], line: 2 + j })),
  );
  const dataset: Dataset = { source: 'iso.csv', runs, columns: { N: 'N', D: 'D', C: 'C', loss: 'loss' }, derived: {} };
  const r = approach2(
    dataset,
    [TARGET],
    { budgets: profiles.map((p) => p.C) },
    { replicates: 50, seed: 7, level: 0.95 },
  );
  const m = mine(profiles);
  const same = Math.abs(r.intervals.a![0] - m[0]) < 1e-9 && Math.abs(r.intervals.a![1] - m[1]) < 1e-9;
  log(
    `${label}: a interval ${m.map((v) => v.toFixed(5)).join('–')} vs ${against} ${r.intervals.a!.map((v) => v.toFixed(5)).join('–')}: ${same ? 'equal' : 'DIFFERENT'}`,
  );
  if (!same) process.exit(failCode);
}

/**
 * What frontier ships against a small-profile bench's decision (approach2-pooled, -vertex): the decided row,
 * the incumbent's when none was, must give approach2's interval of a on a 5-size grid; exit 1 if it does not.
 */
export function checkDecidedRow<C extends string>(
  decided: C | undefined,
  analyse: (profiles: Profile[], targets: number[], reps: number, seed: number) => Analysis<C>,
): void {
  const shipped = decided ?? ('incumbent' as C);
  checkAgainstApproach2(
    5,
    (profiles) => analyse(profiles, [TARGET], 50, 7).intervals[shipped][0.95].a!,
    `decided row "${shipped}"`,
    'what approach2 ships,',
    1,
  );
}

// ---- scoring a row's intervals --------------------------------------------------------------------------------

/** One row's intervals on one synthetic fit, scored against the truths. */
export interface ScoredTrial<R extends string> {
  family: string;
  cell: string;
  row: R;
  covered: Record<number, { a: boolean; N: boolean }>;
  width: Record<number, { a: number; N: number }>;
  /** Interval scores at 95 % (a; ln N_opt), not yet normalised. */
  score: { a: number; N: number };
}
export const inside = (iv: Iv, t: number) => !!iv && iv[0] <= t && t <= iv[1];
const intervalScore = (iv: Iv, t: number, alpha = 0.05) =>
  !iv ? Infinity : iv[1] - iv[0] + (2 / alpha) * (Math.max(0, iv[0] - t) + Math.max(0, t - iv[1]));
export const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((p, q) => p - q);
  return s.length ? s[s.length >> 1] : NaN;
};

/** Coverage at each level, widths, and the 95 % interval scores (Gneiting & Raftery 2007) of a and ln N_opt. */
export function scoreIntervals(
  iv: Record<number, { a: Iv; lnN: Iv[] }>,
  ta: number,
  tN: number,
): Pick<ScoredTrial<string>, 'covered' | 'width' | 'score'> {
  return {
    covered: Object.fromEntries(levels.map((lv) => [lv, { a: inside(iv[lv].a, ta), N: inside(iv[lv].lnN[0], tN) }])),
    width: Object.fromEntries(
      levels.map((lv) => {
        const ia = iv[lv].a,
          iN = iv[lv].lnN[0];
        return [lv, { a: ia ? ia[1] - ia[0] : NaN, N: iN ? iN[1] - iN[0] : NaN }];
      }),
    ),
    score: { a: intervalScore(iv[0.95].a, ta), N: intervalScore(iv[0.95].lnN[0], tN) },
  };
}

/**
 * The unit of the interval score, the incumbent's median 95 % width per cell, and a trial's score in it: a's
 * and ln N_opt's each divided by the unit, summed.
 */
export function scoreUnit<R extends string>(trials: ScoredTrial<R>[], incumbent: R) {
  const unit = new Map<string, { a: number; N: number }>();
  for (const cell of new Set(trials.map((t) => t.cell))) {
    const ts = trials.filter((t) => t.cell === cell && t.row === incumbent);
    unit.set(cell, { a: median(ts.map((t) => t.width[0.95].a)), N: median(ts.map((t) => t.width[0.95].N)) });
  }
  const normScore = (t: ScoredTrial<R>) => t.score.a / unit.get(t.cell)!.a + t.score.N / unit.get(t.cell)!.N;
  return { unit, normScore };
}

// ---- the grids scored, the tables, the decision and real check shared by approach2-width, -small, -pooled, -vertex
// Moved here from approach2-small.ts and approach2-width.ts, whose outputs they leave byte-identical.

/** Profiles of more sizes than this get frontier's vertex-discrepancy term; the small-profile rows leave them alone. */
export const SMALL = 5;
/** approach2-coverage's floor: 95 − 2 binomial standard errors at its 432 trials a law, fixed whatever --seeds is. */
export const FLOOR = 0.929;
const budgetCounts = [4, 7];

/** One synthetic fit: the point estimate and every row's percentile intervals of a and ln N_opt at each target. */
export interface Analysis<C extends string> {
  a: number;
  lnN: number[];
  intervals: Record<C, Record<number, { a: Iv; lnN: Iv[] }>>;
}

/**
 * approach2-width.ts's --independent seeding, each law (fi) and noise level (ni) its own data and replicate
 * streams, plus an offset, so that a later bench repeats no trial an earlier one scored.
 */
export const independentSeeds = (offset: number) => ({
  dataSeed: (seed: number, fi: number, ni: number, sizes: number, budgets: number) =>
    seed * 1000 + sizes * 10 + budgets + 1e6 * (1 + fi) + 1e5 * (1 + ni) + offset,
  replicateSeed: (seed: number, fi: number, ni: number) => seed + 1e4 * (1 + fi) + 1e3 * (1 + ni) + offset,
});

export interface Trial<C extends string> extends ScoredTrial<C> {
  sizes: number;
  placement: string;
  noise: number;
  budgets: number;
}

/**
 * Every row scored on every law × noise × size count × 4 or 7 budgets × placement × seed, in that order; each
 * fit's analysis is passed to `seen` before its rows are scored.
 */
export function scoreGrids<C extends string, A extends Analysis<C>>(o: {
  rows: readonly C[];
  widths: readonly number[];
  seeds: number;
  replicates: number;
  /** The generator's seed of a trial (law index fi, noise index ni). */
  dataSeed: (seed: number, fi: number, ni: number, sizes: number, budgets: number) => number;
  /** The replicate streams' seed of a trial. */
  replicateSeed: (seed: number, fi: number, ni: number) => number;
  analyse: (profiles: Profile[], targets: number[], reps: number, seed: number) => A;
  seen?: (r: A, sizes: number, placement: string) => void;
}): Trial<C>[] {
  const { rows } = o;
  const trials: Trial<C>[] = [];
  const started = Date.now();
  for (const [fi, [family, l]] of Object.entries(families).entries())
    for (const [ni, noise] of noises.entries())
      for (const sizes of o.widths)
        for (const budgets of budgetCounts)
          for (const placement of placements) {
            const cell = `${family} ${noise * 100}% ${sizes}×${budgets} ${placement}`;
            for (let seed = 1; seed <= o.seeds; seed++) {
              const profiles = synthetic(
                l,
                noise,
                sizes,
                budgets,
                o.dataSeed(seed, fi, ni, sizes, budgets),
                placement === 'centred',
              );
              const r = o.analyse(profiles, [TARGET], o.replicates, o.replicateSeed(seed, fi, ni));
              o.seen?.(r, sizes, placement);
              const ta = trueA(l),
                tN = trueLnN(l, TARGET);
              for (const row of rows)
                trials.push({
                  family,
                  cell,
                  sizes,
                  placement,
                  noise,
                  budgets,
                  row,
                  ...scoreIntervals(r.intervals[row], ta, tN),
                });
            }
          }
  log(
    `scored ${trials.length / rows.length} trials × ${rows.length} rows in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  return trials;
}

export interface Summary {
  trials: number;
  coverage: Record<number, { a: number; N: number }>;
  medianWidth: Record<number, { a: number; N: number }>;
  /** Median over trials of the 95 % ln N_opt width ÷ the incumbent's median in the same cell. */
  relativeWidthN: number;
  score: number;
  /** 95 % coverage of a and of N_opt at least FLOOR. */
  covers95: boolean;
}

/**
 * The tables over the scored trials (rows[0] the incumbent, the unit of the interval score): `summarise` a
 * slice, and `table`, which prints one line a key and row (the label padded to `labelWidth`) and returns them.
 */
export function scoreboard<C extends string>(
  trials: Trial<C>[],
  rows: readonly C[],
  labelWidth: number,
  say: (s: string) => void,
) {
  const { unit, normScore } = scoreUnit(trials, rows[0]);
  const summarise = (ts: Trial<C>[]): Summary => {
    const n = ts.length;
    const coverage: Summary['coverage'] = {},
      medianWidth: Summary['medianWidth'] = {};
    for (const lv of levels) {
      coverage[lv] = {
        a: ts.filter((t) => t.covered[lv].a).length / n,
        N: ts.filter((t) => t.covered[lv].N).length / n,
      };
      medianWidth[lv] = { a: median(ts.map((t) => t.width[lv].a)), N: median(ts.map((t) => t.width[lv].N)) };
    }
    return {
      trials: n,
      coverage,
      medianWidth,
      relativeWidthN: median(ts.map((t) => t.width[0.95].N / unit.get(t.cell)!.N)),
      score: ts.reduce((s, t) => s + normScore(t), 0) / n,
      covers95: coverage[0.95].a >= FLOOR && coverage[0.95].N >= FLOOR,
    };
  };
  const line = (label: string, s: Summary) =>
    `${label.padEnd(labelWidth)} ${String(s.trials).padStart(4)}  a ${pct(s.coverage[0.9].a)} ${pct(s.coverage[0.95].a)}  N ${pct(s.coverage[0.9].N)} ${pct(s.coverage[0.95].N)}  width95 a ${s.medianWidth[0.95].a.toFixed(3)} lnN ${s.medianWidth[0.95].N.toFixed(3)} (×${s.relativeWidthN.toFixed(2)})  score ${s.score.toFixed(2)}${s.covers95 ? '' : '  UNDER'}`;
  const table = (title: string, keys: string[], of: (t: Trial<C>, k: string) => boolean) => {
    say(`\n${title}`);
    const out: Record<string, Record<C, Summary>> = {};
    for (const k of keys) {
      out[k] = {} as Record<C, Summary>;
      for (const row of rows) {
        out[k][row] = summarise(trials.filter((t) => t.row === row && of(t, k)));
        say(line(`${row} / ${k}`, out[k][row]));
      }
    }
    return out;
  };
  return { summarise, table };
}
/** A coverage as a percentage, to 0.1, padded to 5 characters. */
export const pct = (x: number) => `${(100 * x).toFixed(1)}`.padStart(5);

/** One fold of leave one law out: the row chosen on the other laws and whether each row covers the held-out one. */
export interface Fold<C extends string> {
  held: string;
  chosen: C | undefined;
  heldCovers: Record<string, boolean>;
}

/**
 * Leave one law out: in each fold the rows that may be chosen qualify by 95 % coverage ≥ FLOOR on the other
 * laws' trials (of `pool`), and the lowest mean interval score among them is chosen. Prints `header` and a
 * line a fold (its scores, and each of `shown` on the held-out law by `heldSummaries`).
 */
export function leaveOneLawOut<C extends string>(o: {
  pool: Trial<C>[];
  summarise: (ts: Trial<C>[]) => Summary;
  choosable: readonly C[];
  shown: readonly C[];
  heldSummaries: Record<string, Record<C, Summary>>;
  header: string;
  say: (s: string) => void;
}): (Fold<C> & { scores: Record<string, number> })[] {
  const folds = Object.keys(families).map((held) => {
    const train = o.pool.filter((t) => t.family !== held);
    const qualified = o.choosable
      .map((c) => ({ c, s: o.summarise(train.filter((t) => t.row === c)) }))
      .filter((q) => q.s.covers95)
      .sort((p, q) => p.s.score - q.s.score);
    return {
      held,
      chosen: qualified[0]?.c,
      scores: Object.fromEntries(qualified.map((q) => [q.c, q.s.score])),
      heldCovers: Object.fromEntries(o.shown.map((c) => [c, o.heldSummaries[held][c].covers95])),
    };
  });
  o.say(o.header);
  for (const f of folds)
    o.say(
      `  held out ${f.held.padEnd(12)} chosen: ${f.chosen ?? 'none'} (${Object.entries(f.scores)
        .map(([c, s]) => `${c} ${s.toFixed(2)}`)
        .join(
          ', ',
        )}); on ${f.held} at 95 %: ${o.shown.map((c) => `${c} ${f.heldCovers[c] ? 'covers' : 'UNDER'}`).join(', ')}`,
    );
  return folds;
}

/** The row other than the incumbent chosen in every fold and covering every held-out law, if there is one. */
export function unanimous<C extends string>(folds: Fold<C>[], incumbent: C): C | undefined {
  const one = folds[0].chosen;
  return one !== undefined && one !== incumbent && folds.every((f) => f.chosen === one && f.heldCovers[one])
    ? one
    : undefined;
}

/** Every examples/benchmark case with ≥ 3 budgets counted as bench/isoflopCases.ts counts them, as profiles. */
export function* realLadders(): Generator<{ source: string; id: string; budgets: number; profiles: Profile[] }> {
  for (const bc of readBenchmark()) {
    const counted = countedBudgets(bc);
    if (counted.length < 3) continue;
    const profiles: Profile[] = counted.map((b) => {
      const runs = [...b.runs].sort((p, q) => p.N! - q.N!);
      return { C: b.C, x: runs.map((r) => Math.log(r.N!)), y: runs.map((r) => r.loss) };
    });
    yield { source: sourceOf(bc.spec.id), id: bc.spec.id, budgets: counted.length, profiles };
  }
}

/**
 * The real check: on each ladder the largest budget held out, every row fitted on the others (400 replicates,
 * seed 1); does its interval for N_opt at that C hold the held-out budget's own parabola vertex? `what` names
 * the rows in the heading; `withSizes` adds each fitted profile's size count to the lines and records.
 */
export function realCheck<C extends string>(
  rows: readonly C[],
  analyse: (profiles: Profile[], targets: number[], reps: number, seed: number) => Analysis<C>,
  what: string,
  withSizes: boolean,
  say: (s: string) => void,
) {
  say(`\nReal check: the largest counted budget held out, each ${what} fitted on the others (400 replicates, seed 1);`);
  say("does its interval for N_opt at that C hold the held-out budget's own vertex? (that vertex is noisy too)");
  const real: {
    source: string;
    case: string;
    budgets: number;
    sizes?: number[];
    heldC: number;
    results: Record<C, Record<number, boolean>>;
  }[] = [];
  for (const ladder of realLadders()) {
    const { profiles } = ladder;
    const held = profiles[profiles.length - 1];
    const fitted = profiles.slice(0, -1);
    const r = analyse(fitted, [held.C], 400, 1);
    const truth = parabolaVertex(held.x, held.y);
    const results = {} as Record<C, Record<number, boolean>>;
    const parts: string[] = [];
    for (const row of rows) {
      results[row] = Object.fromEntries(levels.map((lv) => [lv, inside(r.intervals[row][lv].lnN[0], truth)]));
      const iv = r.intervals[row][0.95].lnN[0];
      parts.push(
        `${row} ${results[row][0.9] ? 'yes' : 'no'}/${results[row][0.95] ? 'yes' : 'no'} (${iv ? `×${Math.exp((iv[1] - iv[0]) / 2).toFixed(2)}` : '—'})`,
      );
    }
    const sizes = fitted.map((p) => new Set(p.x).size);
    real.push({
      source: ladder.source,
      case: ladder.id,
      budgets: ladder.budgets,
      ...(withSizes ? { sizes } : {}),
      heldC: held.C,
      results,
    });
    say(
      `  ${ladder.source} [${ladder.id}], ${ladder.budgets} budgets${withSizes ? ` (sizes ${sizes.join(',')})` : ''}, held C = ${held.C.toExponential(2)}, off ${Math.abs(Math.log10(Math.exp(r.lnN[0] - truth))).toFixed(3)} dec: ${parts.join('; ')}`,
    );
  }
  say(
    "  (covered at 90 %/95 %; ×: the 95 % interval's half-width as a factor; off: |log10| of the estimate against that vertex)",
  );
  return real;
}

// ---- approach2-small's bench, shared with approach2-pooled and -vertex -------------------------------------

/** A small-profile bench: its rows (the first the incumbent, the unit of the interval score), seeds and draws. */
export interface SmallProfileBench<C extends string> {
  /** Every row scored and printed; rows[0] is 'incumbent'. */
  rows: readonly C[];
  /** The rows the rule may choose (a reference row is scored but never chosen). */
  choosable: readonly C[];
  seeds: number;
  replicates: number;
  json: boolean;
  /** The generator's seed of a trial (law index fi, noise index ni). */
  dataSeed: (seed: number, fi: number, ni: number, sizes: number, budgets: number) => number;
  /** The replicate streams' seed of a trial. */
  replicateSeed: (seed: number, fi: number, ni: number) => number;
  analyse: (profiles: Profile[], targets: number[], reps: number, seed: number) => Analysis<C>;
}

/**
 * Score every row on the 5- and 4-size grids, print the tables, decide by leaving one law out (the header of
 * approach2-small.ts states the rule), print the real held-out-budget check, and return the decided row
 * (undefined: keep the incumbent).
 */
export function runSmallProfileBench<C extends string>(bench: SmallProfileBench<C>): C | undefined {
  const { rows, seeds, replicates, json } = bench;
  const say = (s: string) => (json ? log(s) : console.log(s));
  const widths = [5, 4];
  const trials = scoreGrids({ ...bench, widths });
  const { summarise, table } = scoreboard(trials, rows, 44, say);

  say(
    `\nApproach 2 on small profiles, ${seeds} seeds a cell, ${replicates} replicates, independent draws; coverage % (90, 95) of a and N_opt(1e22); ×: ln N_opt width ÷ the incumbent's; floor ${pct(FLOOR)} %`,
  );
  const familyNames = Object.keys(families);
  const bySizeFamily = Object.fromEntries(
    widths.map((w) => [w, table(`${w} sizes, by law:`, familyNames, (t, k) => t.sizes === w && t.family === k)]),
  ) as Record<number, Record<string, Record<C, Summary>>>;
  const byPlacement = table(
    '5 sizes, by placement and budget count (all laws, noises):',
    placements.flatMap((p) => budgetCounts.map((b) => `${p} ${b} budgets`)),
    (t, k) => t.sizes === 5 && k === `${t.placement} ${t.budgets} budgets`,
  );
  const byNoise = table(
    '5 sizes, by noise (all laws, placements, budget counts):',
    noises.map((nz) => `${nz * 100} % noise`),
    (t, k) => t.sizes === 5 && k === `${t.noise * 100} % noise`,
  );

  // ---- the decision: leave one law out on the 5-size grids, the 4-size guard ---------------------------------
  const folds = leaveOneLawOut({
    pool: trials.filter((t) => t.sizes === 5),
    summarise,
    choosable: bench.choosable,
    shown: rows,
    heldSummaries: bySizeFamily[5],
    header: '\nLeave one law out on 5 sizes (qualified on the other three at 95 %, their mean interval score):',
    say,
  });
  /** The 4-size guard: on every law, 95 % coverage of a and of N_opt ≥ the lower of FLOOR and the incumbent's. */
  const guard = (c: C) =>
    familyNames.every((fam) => {
      const s = bySizeFamily[4][fam][c].coverage[0.95],
        inc = bySizeFamily[4][fam][rows[0]].coverage[0.95];
      return s.a >= Math.min(FLOOR, inc.a) && s.N >= Math.min(FLOOR, inc.N);
    });
  say(`4-size guard: ${rows.map((c) => `${c} ${guard(c) ? 'holds' : 'FAILS'}`).join(', ')}`);
  const one = unanimous(folds, rows[0]);
  const winner = one !== undefined && guard(one) ? one : undefined;
  say(`Decision: ${winner ? `ship candidate "${winner}"` : 'keep the incumbent'}`);

  const real = realCheck(rows, bench.analyse, 'candidate', true, say);

  if (json)
    console.log(
      JSON.stringify(
        {
          seeds,
          replicates,
          floor: FLOOR,
          bySizeFamily,
          byPlacement,
          byNoise,
          folds,
          decision: winner ?? 'incumbent',
          real,
        },
        null,
        1,
      ),
    );
  return winner;
}
