/**
 * Can Approach 2's intervals keep their coverage at less width? `frontier`'s IsoFLOP intervals add, to each
 * profile of more than 5 sizes, a vertex-discrepancy term: its ln vertex moves by d·z in each bootstrap
 * replicate, d = ln N*(parabola through every run) − ln N*(parabola through the 5 sizes centred on the
 * lowest-loss run) (src/analyses/frontier.ts, vertexDiscrepancies; chosen by bench/approach2-coverage.ts,
 * docs/methods.md §8). It brought 95 % coverage from 90–93 % to 96.5–97.5 % on four generating laws, at
 * 1.6–1.7 times the width and a worse interval score, and with 9 centred sizes it over-covers (a 100 %,
 * N_opt 99.5 %): d measures the parabola's shape error, but it also carries the window parabola's own noise,
 * which is counted twice (the replicates already refit the noise). This bench asks whether a lower-variance
 * d keeps the coverage at less width, by a rule fixed here before any candidate was scored.
 *
 *   node --import tsx bench/approach2-width.ts [--seeds 24] [--replicates 200] [--independent] [--json]
 *
 * Written BEFORE any candidate was scored with it (this comment was committed first, alone).
 *
 * Common to every candidate (they differ only in the scale s_i of the term): per budget the parabola in ln N
 * through every run gives the vertex v_i (the lowest-loss run's when the parabola is not convex, as
 * profileVertex); per replicate r, y* is the residual-bootstrap draw of that profile (relative residuals
 * about the all-runs parabola, leverage-adjusted and centred, per profile, sizes kept:
 * src/fit/residualBootstrap.ts), v*_ir the vertex refitted to it, z_ir a standard normal (one per profile and
 * replicate, the same z for every candidate), and the replicate's ln vertex is v*_ir + s_i·z_ir. The power
 * law N_opt = k·C^a is fitted through the vertices by least squares in log–log (powerFit); percentile
 * intervals of a and of ln N_opt at the target. The point estimate is the same for every candidate.
 * E = the profiles with more than 5 distinct sizes; for i outside E, s_i = 0 in every candidate.
 * For i in E: d_i = v_i − w_i, w_i the vertex of the parabola through the window W_i (the 5 consecutive
 * sizes centred on the lowest-loss run, shifted inward at an edge); and var_i = the variance over the
 * replicates of d*_ir = v*_ir − w*_ir, w*_ir the vertex of the parabola through the same window W_i of y*
 * (the same draws the interval uses): d's own sampling noise if the all-runs parabola were the right shape.
 *
 *   0 incumbent   s_i = |d_i|                                  (what frontier ships today)
 *   1 pooled      s_i = sqrt(mean over j in E of d_j²)          (RMS of the fit's d's, one scale for all)
 *   2 shrunk      s_i = sqrt(max(0, d_i² − var_i))              (d² less its own noise, floored at 0)
 *   3 threshold   s_i = |d_i| if |d_i| > 2·sqrt(var_i), else 0   (the term only where d stands out of noise)
 *   4 pooled-shrunk s_i = sqrt(max(0, mean over j in E of (d_j² − var_j)))
 *
 * Reference row, not a candidate (cannot be chosen): s_i = 0 everywhere, frontier before the term.
 * No candidate is added after scores are seen.
 *
 * Generators: exactly bench/approach2-coverage.ts's (families = the generating law, the leave-out unit):
 *   hoffmann   Hoffmann et al. 2022, Eq. 10 printed: E 1.69, A 406.4, B 410.7, α 0.34, β 0.28
 *   epoch      Besiroglu et al. 2024's refit: E 1.8172, A 482.01, B 2085.43, α 0.3478, β 0.3658
 *   muennighoff Muennighoff et al. 2023 (single-epoch limit): E e^0.6254804, A e^6.255414, B e^7.3049974,
 *              α = β 0.3526596
 *   cs336      the CS336 handout's synthetic law: 2.69 + 1606.4/N^0.34 + 3210.7/D^0.36
 * crossed with noise 0.5 %, 1 %, 2 % (lognormal, relative, per run); profiles of 5, 7, 9 sizes 0.25 decades
 * apart; 4 or 7 budgets, C = 10^(18 + 0.5·i); and two grid placements: "centred" (each budget's grid centred
 * on the law's true optimum) and "off-centre" (shifted by u decades, u uniform on ±0.25 per budget and seed,
 * approach2-coverage's only placement). Target C = 1e22; truths a = β/(α + β), N_opt(C) in closed form
 * (docs/methods.md §7). --seeds per cell (default 24, as approach2-coverage: 864 trials a family),
 * --replicates (200), the same replicate streams for every candidate (randomSource(seed, r)).
 *
 * Score, per family (all its cells pooled): coverage of a and of N_opt(1e22) by the 90 % and 95 % intervals;
 * median 95 % width (a; ln N_opt) and its ratio to the incumbent's; the interval score at 95 % (Gneiting &
 * Raftery 2007: width + (2/0.05)·distance outside) of a and of ln N_opt, each divided by the incumbent's
 * median 95 % width in the same cell, the two summed, averaged over trials. Also reported by size count,
 * placement and noise.
 *
 * Decision rule (in this order). FLOOR = 92.9 %, approach2-coverage's floor (95 − 2 binomial standard errors
 * at its 432 trials a family), fixed, whatever --seeds is.
 *   1. Leave one family out. In each fold a candidate qualifies if its 95 % coverage of a and of N_opt on the
 *      three other families pooled is ≥ FLOOR; among the qualified the lowest mean interval score is chosen.
 *   2. A candidate other than the incumbent is shipped only if it is chosen in every fold AND its 95 %
 *      coverage of a and of N_opt is ≥ FLOOR on every held-out family (each family in turn).
 *   3. Otherwise (the incumbent chosen in any fold, folds disagree, none qualifies, or the winner falls under
 *      FLOOR on a held-out family): keep the incumbent; the script reports and nothing changes.
 *
 * Real check (reported, not in the decision; as approach2-coverage's): every case of examples/benchmark with
 * IsoFLOP profiles counted as bench/isoflopCases.ts counts them (≥ 3 budgets); the largest is held out, each
 * candidate fitted on the others (400 replicates, seed 1), and its 90 %/95 % interval for N_opt at that C
 * checked against the held-out budget's own parabola vertex (itself noisy: a check, not a coverage estimate).
 *
 * Result (added after the run; the text above is as committed before it, at 4bd280b; the body at 6218050,
 * then two fixes: before any score was read, the incumbent's draw signed as frontier's; after the first run
 * had printed its tables, a crash in the |d| ÷ sd(d) lines, which changes no score). 2026-12-06,
 * default arguments (24 seeds, 200 replicates; 32 s of scoring), 95 % coverage of a / N_opt(1e22), 864 trials
 * a family, and the median 95 % ln N_opt width as a multiple of the incumbent's:
 *
 *   family        incumbent (0)   pooled (1)          shrunk (2)          threshold (3)   pooled-shrunk (4)  no term
 *   hoffmann      96.1 / 95.7     96.3 / 95.8 ×0.97   92.5 / 92.5 ×0.64   91.4 / 91.9     91.4 / 91.7        91.3 / 91.7
 *   epoch         95.7 / 95.1     96.1 / 95.3 ×0.97   91.9 / 90.4 ×0.63   90.7 / 89.0     90.6 / 88.9        90.4 / 88.5
 *   muennighoff   95.8 / 95.4     96.2 / 95.6 ×0.97   91.9 / 90.9 ×0.62   91.1 / 89.5     91.0 / 89.2        90.9 / 89.1
 *   cs336         95.3 / 95.0     95.4 / 95.3 ×0.98   91.7 / 91.3 ×0.67   90.2 / 88.3     90.4 / 88.8        90.0 / 88.1
 *
 * Leave one family out: only the incumbent and pooled qualify in any fold; the incumbent is chosen with
 * hoffmann and cs336 held out, pooled with epoch and muennighoff (mean interval scores within 0.03 of each
 * other in three folds). Decision: keep the incumbent. At --seeds 48 the same (pooled-shrunk chosen in three
 * folds, under on epoch and cs336 held out).
 * Why the shrunk candidates fail: by its own bootstrap, d is mostly noise (|d| ÷ sd(d): median 0.31–0.36,
 * 90th percentile 1.2–1.35, for 7 and 9 sizes, centred or not), so d² − var(d) is ≤ 0 for most profiles and
 * they drop nearly all of the term, and with it the coverage: the term covers by the window parabola's noise,
 * an inflation of about the right size for 7 sizes and too much for 9 (a 100 %, N_opt 99.5–100 %), not by a
 * per-profile bias the data resolve.
 * A flaw the run exposed, in this bench's and approach2-coverage's generators alike: every family and noise
 * level of a (seed, sizes, budgets) cell draws the same normal noise and the same replicate streams, so the
 * trials are far from independent (seeds 25–48 moved the 24-seed figures by up to 3.5 points). --independent
 * (added after the decision run, outside the pre-committed design) gives each its own; the decision there is
 * the same at 24 and at 48 seeds (keep the incumbent: shrunk chosen in two or three folds, under on cs336
 * held out, 92.4 / 91.2 at 48 seeds; pooled or pooled-shrunk chosen in the others). At 48 independent seeds the incumbent
 * covers every family (95 %: a 95.9–96.9, N_opt 95.1–97.0) and the residuals alone none (a 90.8–92.4, N_opt
 * 89.5–92.8), so approach2-coverage's decision stands. But 5 sizes, which no candidate touches, are under
 * the floor on either placement (95 %: a 91.6 / N_opt 91.3 centred, 91.1 / 90.9 off-centre), not at the
 * edge of nominal as approach2-coverage's correlated trials had them.
 * Real check: every row gives the same verdict on every case (chinchilla and datablations-1epoch miss at
 * 90 and 95 %; cs336-synthetic, gemstones-cooldown, moby-small and both Porian grids hold).
 */
import { normal, randomSource, type Random } from '../src/core/random.js';
import { polynomialDesign, residualBootstrap } from '../src/fit/residualBootstrap.js';
import {
  checkAgainstApproach2,
  independentSeeds,
  families,
  FLOOR,
  levels,
  median,
  noises,
  numberArg,
  parabolaVertex,
  pct,
  percentileIntervals,
  placements,
  realCheck,
  scoreboard,
  scoreGrids,
  leaveOneLawOut,
  TARGET,
  unanimous,
  vertexLaw,
  type Analysis as RowAnalysis,
  type Profile,
} from './approach2Synthetic.js';

const seeds = numberArg('seeds', 24);
const replicates = numberArg('replicates', 200);
const json = process.argv.includes('--json');
/**
 * Added after the decision run, as a check on it (not part of the pre-committed design): with the
 * generators' seeding, every family and noise level of a (seed, sizes, budgets) cell draws the SAME normal
 * noise (scaled) and the same replicate streams, so their trials are far from independent. --independent
 * gives each family and noise level its own data seed and replicate streams.
 */
const independent = process.argv.includes('--independent');
const log = (s: string) => process.stderr.write(s + '\n');
const say = (s: string) => (json ? log(s) : console.log(s));

const candidates = ['incumbent', 'pooled', 'shrunk', 'threshold', 'pooled-shrunk'] as const;
/** The candidates and the reference row (no term), which is scored but cannot be chosen. */
const rows = [...candidates, 'no-term'] as const;
type Row = (typeof rows)[number];
const WINDOW = 5;

/**
 * The runs at the WINDOW distinct sizes centred on the lowest-loss run's size, shifted inward at an edge
 * (frontier's vertexDiscrepancies takes its window over distinct sizes too).
 */
function windowOf(p: Profile): number[] {
  const sizes = [...new Set(p.x)].sort((u, v) => u - v);
  const at = sizes.indexOf(p.x[p.y.indexOf(Math.min(...p.y))]);
  const start = Math.min(Math.max(at - (WINDOW >> 1), 0), sizes.length - WINDOW);
  const kept = new Set(sizes.slice(start, start + WINDOW));
  return p.x.flatMap((x, i) => (kept.has(x) ? [i] : []));
}
const widths = [5, 7, 9];
const pick = (xs: number[], idx: number[]) => idx.map((j) => xs[j]);

/** Each row's term scale s_i, from the d's and their bootstrap variances (the header's table). */
function scales(row: Row, inE: boolean[], d: number[], v: number[]): number[] {
  const E = d.filter((_, i) => inE[i]).map((di, k) => ({ d: di, v: v.filter((_, i) => inE[i])[k] }));
  const mean = (f: (e: { d: number; v: number }) => number) => E.reduce((s, e) => s + f(e), 0) / (E.length || 1);
  const pooled = Math.sqrt(mean((e) => e.d * e.d));
  const pooledShrunk = Math.sqrt(
    Math.max(
      0,
      mean((e) => e.d * e.d - e.v),
    ),
  );
  return d.map((di, i) => {
    if (!inE[i]) return 0;
    switch (row) {
      // Signed d where the header writes |d|: the same distribution (z is symmetric), and the very draws
      // frontier makes (it multiplies by exp(d·z)), so the incumbent can be checked equal to it.
      case 'incumbent':
        return di;
      case 'pooled':
        return pooled;
      case 'shrunk':
        return Math.sqrt(Math.max(0, di * di - v[i]));
      case 'threshold':
        return Math.abs(di) > 2 * Math.sqrt(v[i]) ? di : 0;
      case 'pooled-shrunk':
        return pooledShrunk;
      case 'no-term':
        return 0;
    }
  });
}

interface Analysis extends RowAnalysis<Row> {
  /** Per profile in E: d and its bootstrap standard deviation (reported). */
  d: { d: number; sd: number }[];
}

/** Every row's percentile intervals of a and ln N_opt at each target, from one set of replicate draws. */
function analyse(profiles: Profile[], targets: number[], reps: number, seed: number): Analysis {
  const inE = profiles.map((p) => new Set(p.x).size > WINDOW);
  const windows = profiles.map((p, i) => (inE[i] ? windowOf(p) : []));
  const vertices = profiles.map((p) => parabolaVertex(p.x, p.y));
  const d = profiles.map((p, i) =>
    inE[i] ? vertices[i] - parabolaVertex(pick(p.x, windows[i]), pick(p.y, windows[i])) : 0,
  );
  const law = vertexLaw(
    profiles.map((p) => p.C),
    targets,
  );
  const point = law(vertices);
  const boot = residualBootstrap(
    profiles.map((p) => ({ design: polynomialDesign(p.x, 2), observed: p.y })),
    { scale: 'relative', pooling: 'per-group' },
  );
  // The draws, as frontier makes them: every profile's residual draw, then z for each profile of E.
  const vStar: number[][] = [],
    dStar: number[][] = [],
    z: number[][] = [];
  for (let r = 0; r < reps; r++) {
    const random: Random = randomSource(seed, r);
    const ys = profiles.map((p, i) => (boot.groups[i].noResidual !== undefined ? p.y : boot.draw(i, random)));
    const v = profiles.map((p, i) =>
      boot.groups[i].noResidual !== undefined ? vertices[i] : parabolaVertex(p.x, ys[i]),
    );
    vStar.push(v);
    dStar.push(
      profiles.map((p, i) => (inE[i] ? v[i] - parabolaVertex(pick(p.x, windows[i]), pick(ys[i], windows[i])) : 0)),
    );
    z.push(profiles.map((_, i) => (inE[i] ? normal(random) : 0)));
  }
  const variance = profiles.map((_, i) => {
    if (!inE[i]) return 0;
    const xs = dStar.map((row) => row[i]);
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
  });
  const intervals = {} as Analysis['intervals'];
  for (const row of rows) {
    const s = scales(row, inE, d, variance);
    const aReps: number[] = [],
      nReps: number[][] = targets.map(() => []);
    for (let r = 0; r < reps; r++) {
      const l = law(vStar[r].map((v, i) => v + s[i] * z[r][i]));
      aReps.push(l.a);
      l.lnN.forEach((n, k) => nReps[k].push(n));
    }
    intervals[row] = {};
    for (const level of levels) intervals[row][level] = percentileIntervals(aReps, nReps, level);
  }
  return {
    a: point.a,
    lnN: point.lnN,
    intervals,
    d: d.flatMap((di, i) => (inE[i] ? [{ d: di, sd: Math.sqrt(variance[i]) }] : [])),
  };
}

// ---- the incumbent against frontier itself -----------------------------------------------------------------
checkAgainstApproach2(
  7,
  (profiles) => analyse(profiles, [TARGET], 50, 7).intervals.incumbent[0.95].a!,
  'incumbent reimplemented',
  "approach2's",
  2,
);

// ---- scoring ---------------------------------------------------------------------------------------------
/** |d| against its bootstrap standard deviation, by size count and placement (how much of d is noise). */
const dRatios = new Map<string, number[]>();
const trials = scoreGrids({
  rows,
  widths,
  seeds,
  replicates,
  ...(independent
    ? independentSeeds(0)
    : {
        dataSeed: (seed: number, _fi: number, _ni: number, sizes: number, budgets: number) =>
          seed * 1000 + sizes * 10 + budgets,
        replicateSeed: (seed: number) => seed,
      }),
  analyse,
  seen: (r, sizes, placement) => {
    const key = `${sizes} sizes ${placement}`;
    if (!dRatios.has(key)) dRatios.set(key, []);
    for (const e of r.d) dRatios.get(key)!.push(Math.abs(e.d) / e.sd);
  },
});
const { summarise, table } = scoreboard(trials, rows, 36, say);

say(
  `\nApproach 2 interval width, ${seeds} seeds a cell, ${replicates} replicates; coverage % (90, 95) of a and N_opt(1e22); ×: ln N_opt width ÷ the incumbent's; floor ${pct(FLOOR)} %`,
);
const familyNames = Object.keys(families);
const byFamily = table('By family (all cells):', familyNames, (t, k) => t.family === k);
const bySizes = table(
  'By size count and placement (all families, noises, budget counts):',
  widths.flatMap((w) => placements.map((p) => `${w} sizes ${p}`)),
  (t, k) => k === `${t.sizes} sizes ${t.placement}`,
);
const byNoise = table(
  'By noise (all families, widths, placements, budget counts):',
  noises.map((nz) => `${nz * 100} % noise`),
  (t, k) => k === `${t.noise * 100} % noise`,
);
say('\n|d| ÷ its bootstrap standard deviation (median, 90th percentile), profiles of more than 5 sizes:');
for (const [k, xs] of dRatios) {
  if (!xs.length) continue;
  const s = [...xs].sort((p, q) => p - q);
  say(
    `  ${k.padEnd(22)} ${median(s).toFixed(2)}  ${s[Math.floor(0.9 * (s.length - 1))].toFixed(2)}  (${s.length} profiles)`,
  );
}

// ---- the decision: leave one family out -----------------------------------------------------------------
const folds = leaveOneLawOut({
  pool: trials,
  summarise,
  choosable: candidates,
  shown: candidates,
  heldSummaries: byFamily,
  header: '\nLeave one family out (qualified on the other three at 95 %, their mean interval score):',
  say,
});
const winner = unanimous(folds, 'incumbent');
say(`Decision: ${winner ? `ship candidate "${winner}"` : 'keep the incumbent'}`);

const real = realCheck(rows, analyse, 'row', false, say);

if (json)
  console.log(
    JSON.stringify(
      { seeds, replicates, floor: FLOOR, byFamily, bySizes, byNoise, folds, decision: winner ?? 'incumbent', real },
      null,
      1,
    ),
  );
