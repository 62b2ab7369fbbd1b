/**
 * Do Approach 2's intervals cover? `frontier`'s IsoFLOP intervals (src/analyses/frontier.ts, profileResiduals:
 * a residual bootstrap about the parabola in ln N through every run of a budget) held the exponent a and
 * N_opt in only 88–89 of 100 seeds at 95 % with 7 sizes a budget on one synthetic law (bench/residual-bootstrap.ts).
 * The suspected cause: over a wide, asymmetric profile the parabola is not the profile's shape, its vertex is
 * biased, and a replicate refits the same parabola to noise about it, so the bias is never in the interval.
 * This bench scores a few interval procedures on several generating laws and decides, by a rule fixed here
 * before any was scored, whether one should replace today's.
 *
 *   node --import tsx bench/approach2-coverage.ts [--seeds 24] [--replicates 200] [--json]
 *
 * Written BEFORE any candidate was scored with it (this comment was committed first).
 *
 * Candidates (each gives, per budget, a vertex ln N*, and per bootstrap replicate the vertices again; the
 * power law N_opt = k·C^a is fitted through the vertices by least squares in log–log (powerFit), as
 * isoflopAnalysis does; percentile intervals of a and of N_opt at the target over the replicates):
 *   0 today     — the parabola in ln N through every run; replicates draw each profile's relative residuals
 *                 about it (leverage-adjusted, centred: src/fit/residualBootstrap.ts, per group), sizes kept.
 *                 Reimplemented here from the public functions, and checked equal to approach2's a interval.
 *                 [After the decision below: the check is against candidate 1, which frontier now ships.]
 *   1 discrep.  — 0, plus a vertex-discrepancy term: per profile d = ln N*(parabola, all runs) − ln N*(parabola
 *                 through the window of candidate 2); each replicate adds d·z (z standard normal, one per
 *                 profile and replicate) to that profile's ln vertex. The point estimate stays 0's. Where the
 *                 window is the whole profile (≤ 5 sizes) d = 0 and this is candidate 0.
 *   2 window    — the parabola through the k = 5 consecutive sizes (in ln N order) centred on the lowest-loss
 *                 run (shifted inward at an edge), for the point estimate AND the interval: its own relative
 *                 residuals about that 5-point parabola (2 degrees of freedom), resampled as 0 does. A profile
 *                 of ≤ 5 sizes is candidate 0. (It moves the point estimate, which bench/isoflop-vertex.ts chose
 *                 leave-one-source-out on real ladders: shipping it would need the real check below to agree.)
 *   3 cubic     — a cubic in ln N through every run; the vertex its local minimum (the root of the derivative
 *                 with positive curvature) when that lies within the runs' range, else the parabola's; the
 *                 residuals about the cubic resampled as 0 does. A profile of < 5 sizes is candidate 0.
 * A pairs (case) bootstrap within profiles is not a candidate: it was measured at 4.3–4.7 times the estimate's
 * scatter (docs/methods.md §8), which no interval score can favour.
 *
 * Generators (families: the generating law; the leave-out unit):
 *   hoffmann   Hoffmann et al. 2022, Eq. 10 printed (preset hoffmann-2022): E 1.69, A 406.4, B 410.7, α 0.34, β 0.28
 *   epoch      Besiroglu et al. 2024's refit (preset epoch-2024): E 1.8172, A 482.01, B 2085.43, α 0.3478, β 0.3658
 *   muennighoff Muennighoff et al. 2023's fit (the data-constrained law's example, its single-epoch limit):
 *              E e^0.6254804, A e^6.255414, B e^7.3049974, α = β 0.3526596
 *   cs336      the CS336 handout's synthetic law (examples/cs336-isoflops.json): 2.69 + 1606.4/N^0.34 + 3210.7/D^0.36
 * crossed with: noise 0.5 %, 1 %, 2 % (lognormal, relative, independent per run); profile width 5, 7, 9 sizes
 * 0.25 decades apart (1, 1.5, 2 decades of N); 4 or 7 budgets, C = 10^(18 + 0.5·i). Each budget's grid is centred
 * on the law's true optimum shifted by u decades, u uniform on ±0.25 per budget and seed (profiles are never
 * centred on the optimum in practice: asymmetric). Target: C = 1e22. Truths: a = β/(α + β) and N_opt(C) from the
 * law's closed form (docs/methods.md §7). Seeds per cell --seeds (default 24), replicates --replicates (200),
 * the same replicate streams for every candidate (randomSource(seed, r)).
 *
 * Score, per cell and per family (all its cells pooled): coverage of a and of N_opt(1e22) by the 90 % and 95 %
 * intervals; median width (a; ln N_opt); the interval score at 95 % (Gneiting & Raftery 2007: width +
 * (2/0.05)·distance outside) of each, each divided by candidate 0's median 95 % width in the same cell and the
 * two summed, averaged over trials.
 *
 * Decision rule: leave one family out. In each fold, among the candidates whose 95 % coverage of both a and
 * N_opt on the three other families pooled is at least nominal − 2 binomial standard errors, the one with the
 * lowest mean interval score there is chosen (none when none qualifies). Switch from candidate 0 only if ONE
 * candidate is chosen in every fold AND it covers within binomial noise (≥ nominal − 2 binomial standard errors,
 * at 90 % and 95 %, for a and N_opt) on every held-out family, AND candidate 0 does not on at least one.
 * Otherwise: keep candidate 0 (the script reports; it changes nothing).
 *
 * Real check (reported, not in the decision). Every case of examples/benchmark with IsoFLOP profiles counted as
 * bench/isoflopCases.ts counts them (bracketed budgets, ≥ 3): the largest counted budget is held out, each
 * candidate is fitted on the others (400 replicates, seed 1) and its 90 % and 95 % intervals for N_opt at the
 * held-out budget's C are checked against that budget's own vertex by the same candidate's vertex method.
 * Per source (Porian's two grids one source, as isoflopCases says). The held-out vertex carries its own noise,
 * which the interval for the fitted law's N_opt does not include, so even a right interval may miss it: it is
 * a check, not a coverage estimate.
 *
 * Result (added after the run; the text above is as committed before it). 2026-12-05, the default arguments
 * (24 seeds a cell, 200 replicates; 32 s of scoring), 95 % coverage of a / N_opt(1e22) per family, 432 trials each:
 *
 *   family        today (0)      discrepancy (1)   window (2)     cubic (3)
 *   hoffmann      93.3 / 93.3    97.5 / 96.5       92.4 / 92.1    89.6 / 88.4
 *   epoch         91.9 / 91.0    97.2 / 97.0       90.5 / 91.0    89.1 / 88.7
 *   muennighoff   92.1 / 91.2    97.0 / 97.0       90.7 / 91.7    89.4 / 88.9
 *   cs336         92.4 / 90.3    97.0 / 97.0       90.5 / 89.6    87.5 / 88.4
 *
 * (floor: 95 − 2·1.05 = 92.9 %.) Leave one family out: candidate 1 chosen in all four folds and covering on
 * every held-out family; candidate 0 under on epoch, muennighoff, cs336. Decision: switch to candidate 1.
 * Its price: median 95 % width of ln N_opt 1.6–1.7× candidate 0's, mean interval score 4.1–5.0 against
 * 3.4–3.5; with 9 sizes it over-covers (a 100 %, N_opt 99.5 %). By width, candidate 0: 5 sizes 94.6 / 93.9,
 * 7 sizes 91.3 / 92.7, 9 sizes 91.3 / 87.7. At --seeds 48 the decision is the same (candidate 0 under on
 * epoch and cs336), and 5 sizes (where every candidate but the cubic is candidate 0) fall to 92.2 / 92.9.
 * Real check: candidate 1 gives the same verdict as candidate 0 on every case (the point estimate is the
 * same): chinchilla and datablations-1epoch miss at 95 %, cs336-synthetic, gemstones-cooldown, moby-small
 * and both Porian grids hold.
 * Caveat found later (bench/approach2-width.ts): every family and noise level of a (seed, sizes, budgets)
 * cell here draws the same normal noise and replicate streams, so the 432 trials a family are far from
 * independent. With independent draws the decision holds (the term covers every family, the residuals
 * alone none), but 5 sizes sit at about 91 % at 95 %, under the floor (docs/methods.md §8).
 */
import { normal, randomSource, type Random } from '../src/core/random.js';
import { polynomialFit } from '../src/core/leastSquares.js';
import { polynomialDesign, residualBootstrap } from '../src/fit/residualBootstrap.js';
import {
  checkAgainstApproach2,
  families,
  inside,
  levels,
  median,
  noises,
  numberArg,
  parabolaVertex,
  pct,
  percentileIntervals,
  realLadders,
  scoreIntervals,
  scoreUnit,
  synthetic,
  TARGET,
  trueA,
  trueLnN,
  unanimous,
  vertexLaw,
  type Iv,
  type Profile,
  type ScoredTrial,
} from './approach2Synthetic.js';

const seeds = numberArg('seeds', 24);
const replicates = numberArg('replicates', 200);
const json = process.argv.includes('--json');
const log = (s: string) => process.stderr.write(s + '\n');
const say = (s: string) => (json ? log(s) : console.log(s));

const candidates = ['today', 'discrepancy', 'window', 'cubic'] as const;
type Candidate = (typeof candidates)[number];
const WINDOW = 5;

const distinct = (x: number[]) => new Set(x).size;

/** The cubic's local minimum within the runs' range, else the parabola's vertex. */
function cubicVertex(x: number[], y: number[]): number {
  const m = x.reduce((s, v) => s + v, 0) / x.length;
  const c = polynomialFit(
    x.map((v) => v - m),
    y,
    3,
  );
  if (c) {
    // c1 + 2c2·t + 3c3·t² = 0, with positive curvature 2c2 + 6c3·t.
    const [, c1, c2, c3] = c;
    const roots: number[] = [];
    if (Math.abs(c3) < 1e-14) {
      if (c2 !== 0) roots.push(-c1 / (2 * c2));
    } else {
      const disc = 4 * c2 * c2 - 12 * c3 * c1;
      if (disc >= 0) {
        const s = Math.sqrt(disc);
        roots.push((-2 * c2 + s) / (6 * c3), (-2 * c2 - s) / (6 * c3));
      }
    }
    const lo = Math.min(...x) - m,
      hi = Math.max(...x) - m;
    const t = roots.find((r) => 2 * c2 + 6 * c3 * r > 0 && r >= lo && r <= hi);
    if (t !== undefined) return t + m;
  }
  return parabolaVertex(x, y);
}

/** The WINDOW runs (in size order) centred on the lowest-loss run, shifted inward at an edge. */
function windowOf(p: Profile): number[] {
  const n = p.x.length;
  if (n <= WINDOW) return p.x.map((_, i) => i);
  const low = p.y.indexOf(Math.min(...p.y));
  const start = Math.min(Math.max(low - (WINDOW >> 1), 0), n - WINDOW);
  return Array.from({ length: WINDOW }, (_, i) => start + i);
}

/** How a candidate reads one profile: which runs, which polynomial, which vertex. */
function plan(
  p: Profile,
  c: Candidate,
): { idx: number[]; degree: number; vertex: (x: number[], y: number[]) => number } {
  const all = p.x.map((_, i) => i);
  if (c === 'window' && distinct(p.x) > WINDOW) return { idx: windowOf(p), degree: 2, vertex: parabolaVertex };
  if (c === 'cubic' && distinct(p.x) >= 5) return { idx: all, degree: 3, vertex: cubicVertex };
  return { idx: all, degree: 2, vertex: parabolaVertex };
}

interface Intervals {
  a: number;
  lnN: number[];
  intervals: Record<number, { a: Iv; lnN: Iv[] }>;
}

/** A candidate's estimate and percentile intervals of a and ln N_opt at each target C. */
function analyse(profiles: Profile[], c: Candidate, targets: number[], reps: number, seed: number): Intervals {
  const plans = profiles.map((p) => plan(p, c));
  const sub = profiles.map((p, i) => ({ x: plans[i].idx.map((j) => p.x[j]), y: plans[i].idx.map((j) => p.y[j]) }));
  const vertices = sub.map((s, i) => plans[i].vertex(s.x, s.y));
  const law = vertexLaw(
    profiles.map((p) => p.C),
    targets,
  );
  const point = law(vertices);
  // Candidate 1's discrepancy: the all-runs parabola's vertex against the window parabola's.
  const discrepancy =
    c === 'discrepancy'
      ? profiles.map((p, i) => {
          const w = windowOf(p);
          return (
            vertices[i] -
            parabolaVertex(
              w.map((j) => p.x[j]),
              w.map((j) => p.y[j]),
            )
          );
        })
      : undefined;
  const boot = residualBootstrap(
    sub.map((s, i) => ({ design: polynomialDesign(s.x, plans[i].degree), observed: s.y })),
    { scale: 'relative', pooling: 'per-group' },
  );
  const aReps: number[] = [],
    nReps: number[][] = targets.map(() => []);
  for (let r = 0; r < reps; r++) {
    const random: Random = randomSource(seed, r);
    const v = sub.map((s, i) => {
      const held = boot.groups[i].noResidual !== undefined;
      const y = held ? s.y : boot.draw(i, random);
      return held ? vertices[i] : plans[i].vertex(s.x, y);
    });
    if (discrepancy) v.forEach((_, i) => (v[i] += discrepancy[i] * normal(random)));
    const l = law(v);
    aReps.push(l.a);
    l.lnN.forEach((n, k) => nReps[k].push(n));
  }
  const intervals: Intervals['intervals'] = {};
  for (const level of levels) intervals[level] = percentileIntervals(aReps, nReps, level);
  return { a: point.a, lnN: point.lnN, intervals };
}

// ---- generators: bench/approach2Synthetic.ts's (moved there from here), every grid off-centre ------------------
const widths = [5, 7, 9];
const budgetCounts = [4, 7];

// ---- scoring ---------------------------------------------------------------------------------------------
type Trial = ScoredTrial<Candidate>;

// The candidate `frontier` ships against approach2 itself: the same a interval on one grid. Candidate 0 until
// this bench's decision (it was checked equal, commit 5672964's run), candidate 1 since.
const shipped: Candidate = 'discrepancy';
checkAgainstApproach2(
  7,
  (profiles) => analyse(profiles, shipped, [TARGET], 50, 7).intervals[0.95].a!,
  `candidate ${candidates.indexOf(shipped)} (${shipped}) reimplemented`,
  "approach2's",
  2,
);

const trials: Trial[] = [];
const started = Date.now();
for (const [family, l] of Object.entries(families))
  for (const noise of noises)
    for (const sizes of widths)
      for (const budgets of budgetCounts) {
        const cell = `${family} ${noise * 100}% ${sizes}×${budgets}`;
        for (let seed = 1; seed <= seeds; seed++) {
          const profiles = synthetic(l, noise, sizes, budgets, seed * 1000 + sizes * 10 + budgets, false);
          for (const c of candidates) {
            const r = analyse(profiles, c, [TARGET], replicates, seed);
            const ta = trueA(l),
              tN = trueLnN(l, TARGET);
            trials.push({ family, cell, row: c, ...scoreIntervals(r.intervals, ta, tN) });
          }
        }
      }
log(`scored ${trials.length} trials in ${((Date.now() - started) / 1000).toFixed(0)} s`);

// Candidate 0's median 95 % width per cell: the unit of the interval score.
const { unit, normScore } = scoreUnit(trials, 'today');

interface Summary {
  trials: number;
  coverage: Record<number, { a: number; N: number }>;
  medianWidth: Record<number, { a: number; N: number }>;
  score: number;
  /** Every coverage (90, 95 %; a, N) at least nominal − 2 binomial standard errors. */
  covers: boolean;
  /** The 95 % coverages of a and N at least nominal − 2 binomial standard errors: a fold's qualification. */
  covers95: boolean;
}
function summarise(ts: Trial[]): Summary {
  const n = ts.length;
  const coverage: Summary['coverage'] = {},
    medianWidth: Summary['medianWidth'] = {};
  let covers = true,
    covers95 = true;
  for (const lv of levels) {
    coverage[lv] = { a: ts.filter((t) => t.covered[lv].a).length / n, N: ts.filter((t) => t.covered[lv].N).length / n };
    medianWidth[lv] = { a: median(ts.map((t) => t.width[lv].a)), N: median(ts.map((t) => t.width[lv].N)) };
    const floor = lv - 2 * Math.sqrt((lv * (1 - lv)) / n);
    if (coverage[lv].a < floor || coverage[lv].N < floor) {
      covers = false;
      if (lv === 0.95) covers95 = false;
    }
  }
  return { trials: n, coverage, medianWidth, score: ts.reduce((s, t) => s + normScore(t), 0) / n, covers, covers95 };
}
const row = (label: string, s: Summary) =>
  `${label.padEnd(34)} ${String(s.trials).padStart(4)}  a ${pct(s.coverage[0.9].a)} ${pct(s.coverage[0.95].a)}  N ${pct(s.coverage[0.9].N)} ${pct(s.coverage[0.95].N)}  width95 a ${s.medianWidth[0.95].a.toFixed(3)} lnN ${s.medianWidth[0.95].N.toFixed(3)}  score ${s.score.toFixed(2)}${s.covers ? '' : '  UNDER'}`;

say(
  `\nApproach 2 interval coverage, ${seeds} seeds a cell, ${replicates} replicates; coverage % (90, 95) of a and N_opt(1e22)`,
);
say(`${'candidate / family'.padEnd(34)} ${'n'.padStart(4)}  a   90    95  N   90    95`);
const familyNames = Object.keys(families);
const byFamily: Record<string, Record<Candidate, Summary>> = {};
for (const f of familyNames) {
  byFamily[f] = {} as Record<Candidate, Summary>;
  for (const c of candidates) {
    byFamily[f][c] = summarise(trials.filter((t) => t.family === f && t.row === c));
    say(row(`${c} / ${f}`, byFamily[f][c]));
  }
}
say('\nBy profile width (all families, noises and budget counts):');
const byWidth: Record<string, Record<Candidate, Summary>> = {};
for (const w of widths) {
  byWidth[w] = {} as Record<Candidate, Summary>;
  for (const c of candidates) {
    byWidth[w][c] = summarise(trials.filter((t) => t.row === c && t.cell.includes(` ${w}×`)));
    say(row(`${c} / ${w} sizes`, byWidth[w][c]));
  }
}
say('\nBy noise (all families, widths and budget counts):');
const byNoise: Record<string, Record<Candidate, Summary>> = {};
for (const nz of noises) {
  byNoise[nz] = {} as Record<Candidate, Summary>;
  for (const c of candidates) {
    byNoise[nz][c] = summarise(trials.filter((t) => t.row === c && t.cell.includes(` ${nz * 100}% `)));
    say(row(`${c} / ${nz * 100} % noise`, byNoise[nz][c]));
  }
}
say('\nBy cell, today (candidate 0) only:');
const byCell: Record<string, Record<Candidate, Summary>> = {};
for (const cell of unit.keys()) {
  byCell[cell] = {} as Record<Candidate, Summary>;
  for (const c of candidates) byCell[cell][c] = summarise(trials.filter((t) => t.cell === cell && t.row === c));
  say(row(cell, byCell[cell].today));
}

// ---- the decision: leave one family out -----------------------------------------------------------------
// Qualified on the three other families by 95 % coverage only, as the header's rule says (the held-out
// check below asks 90 % and 95 %). Before 2026-12-05's review this asked both here too; the decision run
// above is the same either way: only candidate 1 reached the 95 % floor on any three families pooled.
const folds = familyNames.map((held) => {
  const train = trials.filter((t) => t.family !== held);
  const qualified = candidates
    .map((c) => ({ c, s: summarise(train.filter((t) => t.row === c)) }))
    .filter((q) => q.s.covers95)
    .sort((p, q) => p.s.score - q.s.score);
  return {
    held,
    chosen: qualified[0]?.c,
    heldCovers: Object.fromEntries(candidates.map((c) => [c, byFamily[held][c].covers])),
  };
});
say('\nLeave one family out:');
for (const f of folds)
  say(
    `  held out ${f.held.padEnd(12)} chosen on the others: ${f.chosen ?? 'none (no candidate covers there)'}; on ${f.held}: ${candidates.map((c) => `${c} ${f.heldCovers[c] ? 'covers' : 'UNDER'}`).join(', ')}`,
  );
const one = unanimous(folds, 'today');
const switchTo = one !== undefined && folds.some((f) => !f.heldCovers.today) ? one : undefined;
say(`Decision: ${switchTo ? `switch to candidate "${switchTo}"` : 'keep candidate 0 (today)'}`);

// ---- real check --------------------------------------------------------------------------------------------
say('\nReal check: the largest counted budget held out, each candidate fitted on the others (400 replicates, seed 1);');
say("does its interval for N_opt at that C hold the held-out budget's own vertex? (that vertex is noisy too)");
const real: {
  source: string;
  case: string;
  budgets: number;
  heldC: number;
  results: Record<Candidate, Record<number, boolean>>;
}[] = [];
for (const { source, id, budgets, profiles } of realLadders()) {
  const held = profiles[profiles.length - 1];
  const fitSet = profiles.slice(0, -1);
  const results = {} as Record<Candidate, Record<number, boolean>>;
  const parts: string[] = [];
  for (const c of candidates) {
    const r = analyse(fitSet, c, [held.C], 400, 1);
    const p = plan(held, c);
    const truth = p.vertex(
      p.idx.map((j) => held.x[j]),
      p.idx.map((j) => held.y[j]),
    );
    results[c] = Object.fromEntries(levels.map((lv) => [lv, inside(r.intervals[lv].lnN[0], truth)]));
    const iv = r.intervals[0.95].lnN[0];
    parts.push(
      `${c} ${results[c][0.9] ? 'yes' : 'no'}/${results[c][0.95] ? 'yes' : 'no'} (${iv ? `×${Math.exp((iv[1] - iv[0]) / 2).toFixed(2)}` : '—'}, off ${Math.abs(Math.log10(Math.exp(r.lnN[0] - truth))).toFixed(3)} dec)`,
    );
  }
  real.push({ source, case: id, budgets, heldC: held.C, results });
  say(`  ${source} [${id}], ${budgets} budgets, held C = ${held.C.toExponential(2)}: ${parts.join('; ')}`);
}
say(
  "  (covered at 90 %/95 %; ×: the 95 % interval's half-width as a factor; off: |log10| of the point estimate against that vertex)",
);

if (json)
  console.log(
    JSON.stringify(
      { seeds, replicates, byFamily, byWidth, byNoise, byCell, folds, decision: switchTo ?? 'today', real },
      null,
      1,
    ),
  );
