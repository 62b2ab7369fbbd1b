/**
 * The synthetic IsoFLOP grids and the parabola vertex shared by the Approach 2 interval benches
 * (bench/approach2-width.ts, bench/approach2-small.ts, bench/approach2-pooled.ts, bench/approach2-vertex.ts):
 * moved here unchanged from approach2-width.ts so that a later bench imports them rather than copying them.
 * The generators are bench/approach2-coverage.ts's, plus a centred placement. Below them, approach2-small.ts's
 * scoring, decision rule and real check, moved here for approach2-pooled.ts (approach2-small's output
 * unchanged).
 */
import { chinchilla, predictLoss } from '../src/laws/index.js';
import { normal, randomSource } from '../src/core/random.js';
import { polynomialFit } from '../src/core/leastSquares.js';
import { readBenchmark } from '../src/io/benchmarkCases.js';
import { countedBudgets, sourceOf } from './isoflopCases.js';

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

// ---- the scoring, decision and real check shared by approach2-small, -pooled and -vertex ------------------
// Moved here from approach2-small.ts, whose output it leaves byte-identical, so that a later bench imports
// them rather than copying them.

/** The interval levels every row is scored at. */
export const levels = [0.9, 0.95] as const;
/** Profiles of more sizes than this get frontier's vertex-discrepancy term; the small-profile rows leave them alone. */
export const SMALL = 5;
/** approach2-coverage's floor: 95 − 2 binomial standard errors at its 432 trials a law, fixed whatever --seeds is. */
const FLOOR = 0.929;
const widths = [5, 4];
const budgetCounts = [4, 7];

export type Iv = [number, number] | undefined;
/** One synthetic fit: the point estimate and every row's percentile intervals of a and ln N_opt at each target. */
export interface Analysis<C extends string> {
  a: number;
  lnN: number[];
  intervals: Record<C, Record<number, { a: Iv; lnN: Iv[] }>>;
}

interface Trial<C extends string> {
  family: string;
  cell: string;
  sizes: number;
  placement: string;
  noise: number;
  budgets: number;
  row: C;
  covered: Record<number, { a: boolean; N: boolean }>;
  width: Record<number, { a: number; N: number }>;
  /** Interval scores at 95 % (a; ln N_opt), not yet normalised. */
  score: { a: number; N: number };
}
const inside = (iv: Iv, t: number) => !!iv && iv[0] <= t && t <= iv[1];
const intervalScore = (iv: Iv, t: number, alpha = 0.05) =>
  !iv ? Infinity : iv[1] - iv[0] + (2 / alpha) * (Math.max(0, iv[0] - t) + Math.max(0, t - iv[1]));
const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((p, q) => p - q);
  return s.length ? s[s.length >> 1] : NaN;
};
interface Summary {
  trials: number;
  coverage: Record<number, { a: number; N: number }>;
  medianWidth: Record<number, { a: number; N: number }>;
  /** Median over trials of the 95 % ln N_opt width ÷ the incumbent's median in the same cell. */
  relativeWidthN: number;
  score: number;
  /** 95 % coverage of a and of N_opt at least FLOOR. */
  covers95: boolean;
}

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
  const log = (s: string) => process.stderr.write(s + '\n');
  const say = (s: string) => (json ? log(s) : console.log(s));
  const trials: Trial<C>[] = [];
  const started = Date.now();
  for (const [fi, [family, l]] of Object.entries(families).entries())
    for (const [ni, noise] of noises.entries())
      for (const sizes of widths)
        for (const budgets of budgetCounts)
          for (const placement of placements) {
            const cell = `${family} ${noise * 100}% ${sizes}×${budgets} ${placement}`;
            for (let seed = 1; seed <= seeds; seed++) {
              // approach2-width.ts's --independent seeding: each law and noise level its own draws.
              const profiles = synthetic(
                l,
                noise,
                sizes,
                budgets,
                bench.dataSeed(seed, fi, ni, sizes, budgets),
                placement === 'centred',
              );
              const r = bench.analyse(profiles, [TARGET], replicates, bench.replicateSeed(seed, fi, ni));
              const ta = trueA(l),
                tN = trueLnN(l, TARGET);
              for (const row of rows) {
                const iv = r.intervals[row];
                trials.push({
                  family,
                  cell,
                  sizes,
                  placement,
                  noise,
                  budgets,
                  row,
                  covered: Object.fromEntries(
                    levels.map((lv) => [lv, { a: inside(iv[lv].a, ta), N: inside(iv[lv].lnN[0], tN) }]),
                  ),
                  width: Object.fromEntries(
                    levels.map((lv) => {
                      const ia = iv[lv].a,
                        iN = iv[lv].lnN[0];
                      return [lv, { a: ia ? ia[1] - ia[0] : NaN, N: iN ? iN[1] - iN[0] : NaN }];
                    }),
                  ),
                  score: { a: intervalScore(iv[0.95].a, ta), N: intervalScore(iv[0.95].lnN[0], tN) },
                });
              }
            }
          }
  log(
    `scored ${trials.length / rows.length} trials × ${rows.length} rows in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );

  // The incumbent's median 95 % width per cell: the unit of the interval score.
  const unit = new Map<string, { a: number; N: number }>();
  for (const cell of new Set(trials.map((t) => t.cell))) {
    const ts = trials.filter((t) => t.cell === cell && t.row === rows[0]);
    unit.set(cell, { a: median(ts.map((t) => t.width[0.95].a)), N: median(ts.map((t) => t.width[0.95].N)) });
  }
  const normScore = (t: Trial<C>) => t.score.a / unit.get(t.cell)!.a + t.score.N / unit.get(t.cell)!.N;

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
  const pct = (x: number) => `${(100 * x).toFixed(1)}`.padStart(5);
  const line = (label: string, s: Summary) =>
    `${label.padEnd(44)} ${String(s.trials).padStart(4)}  a ${pct(s.coverage[0.9].a)} ${pct(s.coverage[0.95].a)}  N ${pct(s.coverage[0.9].N)} ${pct(s.coverage[0.95].N)}  width95 a ${s.medianWidth[0.95].a.toFixed(3)} lnN ${s.medianWidth[0.95].N.toFixed(3)} (×${s.relativeWidthN.toFixed(2)})  score ${s.score.toFixed(2)}${s.covers95 ? '' : '  UNDER'}`;

  say(
    `\nApproach 2 on small profiles, ${seeds} seeds a cell, ${replicates} replicates, independent draws; coverage % (90, 95) of a and N_opt(1e22); ×: ln N_opt width ÷ the incumbent's; floor ${pct(FLOOR)} %`,
  );
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
  const folds = familyNames.map((held) => {
    const train = trials.filter((t) => t.sizes === 5 && t.family !== held);
    const qualified = bench.choosable
      .map((c) => ({ c, s: summarise(train.filter((t) => t.row === c)) }))
      .filter((q) => q.s.covers95)
      .sort((p, q) => p.s.score - q.s.score);
    return {
      held,
      chosen: qualified[0]?.c,
      scores: Object.fromEntries(qualified.map((q) => [q.c, q.s.score])),
      heldCovers: Object.fromEntries(rows.map((c) => [c, bySizeFamily[5][held][c].covers95])),
    };
  });
  say('\nLeave one law out on 5 sizes (qualified on the other three at 95 %, their mean interval score):');
  for (const f of folds)
    say(
      `  held out ${f.held.padEnd(12)} chosen: ${f.chosen ?? 'none'} (${Object.entries(f.scores)
        .map(([c, s]) => `${c} ${s.toFixed(2)}`)
        .join(
          ', ',
        )}); on ${f.held} at 95 %: ${rows.map((c) => `${c} ${f.heldCovers[c] ? 'covers' : 'UNDER'}`).join(', ')}`,
    );
  /** The 4-size guard: on every law, 95 % coverage of a and of N_opt ≥ the lower of FLOOR and the incumbent's. */
  const guard = (c: C) =>
    familyNames.every((fam) => {
      const s = bySizeFamily[4][fam][c].coverage[0.95],
        inc = bySizeFamily[4][fam][rows[0]].coverage[0.95];
      return s.a >= Math.min(FLOOR, inc.a) && s.N >= Math.min(FLOOR, inc.N);
    });
  say(`4-size guard: ${rows.map((c) => `${c} ${guard(c) ? 'holds' : 'FAILS'}`).join(', ')}`);
  const one = folds[0].chosen;
  const winner =
    one !== undefined && one !== rows[0] && folds.every((f) => f.chosen === one && f.heldCovers[one]) && guard(one)
      ? one
      : undefined;
  say(`Decision: ${winner ? `ship candidate "${winner}"` : 'keep the incumbent'}`);

  // ---- real check --------------------------------------------------------------------------------------------
  say(
    '\nReal check: the largest counted budget held out, each candidate fitted on the others (400 replicates, seed 1);',
  );
  say("does its interval for N_opt at that C hold the held-out budget's own vertex? (that vertex is noisy too)");
  const real: {
    source: string;
    case: string;
    budgets: number;
    sizes: number[];
    heldC: number;
    results: Record<C, Record<number, boolean>>;
  }[] = [];
  for (const bc of readBenchmark()) {
    const counted = countedBudgets(bc);
    if (counted.length < 3) continue;
    const profiles: Profile[] = counted.map((b) => {
      const runs = [...b.runs].sort((p, q) => p.N! - q.N!);
      return { C: b.C, x: runs.map((r) => Math.log(r.N!)), y: runs.map((r) => r.loss) };
    });
    const held = profiles[profiles.length - 1];
    const fitted = profiles.slice(0, -1);
    const r = bench.analyse(fitted, [held.C], 400, 1);
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
      source: sourceOf(bc.spec.id),
      case: bc.spec.id,
      budgets: counted.length,
      sizes,
      heldC: held.C,
      results,
    });
    say(
      `  ${sourceOf(bc.spec.id)} [${bc.spec.id}], ${counted.length} budgets (sizes ${sizes.join(',')}), held C = ${held.C.toExponential(2)}, off ${Math.abs(Math.log10(Math.exp(r.lnN[0] - truth))).toFixed(3)} dec: ${parts.join('; ')}`,
    );
  }
  say(
    "  (covered at 90 %/95 %; ×: the 95 % interval's half-width as a factor; off: |log10| of the estimate against that vertex)",
  );

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
