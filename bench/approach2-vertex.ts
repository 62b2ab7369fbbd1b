/**
 * Does a term for the 5-size parabola's vertex error, computed from each profile's own runs, make Approach 2's
 * intervals cover on IsoFLOP profiles of 5 sizes or fewer? bench/approach2-small.ts and bench/approach2-pooled.ts
 * (docs/methods.md §8) tried widening the residuals (pooled, √(n/(n − 3)), t factors) and kept the incumbent:
 * its 95 % intervals hold the truth in about 91 % of trials at 5 sizes, and the miss grows as the noise
 * shrinks (0.5 % noise 86.5 %, 1 % 90.9 %, 2 % 96.4 %), which a factor on the residuals, growing with the noise,
 * cannot meet without over-covering the noisy grids. The reading given there: a bias of the 5-point parabola's
 * vertex (the profile in ln N is no parabola), which a replicate refitting the same parabola never samples.
 * This bench tries terms for that error, each added to every bootstrap replicate's vertex as frontier adds its
 * vertex-discrepancy term over 5 sizes, by a rule fixed here before any candidate was scored.
 *
 *   node --import tsx bench/approach2-vertex.ts [--seeds 24] [--replicates 200] [--json]
 *
 * Written BEFORE any candidate was scored with it (this comment was committed first, alone).
 *
 * A check made before the candidates were fixed (the generators alone, no candidate): the noise-free 5-size
 * parabola's vertex is off the true optimum by at most 0.011 in ln N (hoffmann +0.011, epoch −0.002 to −0.004,
 * muennighoff ±0.001, cs336 −0.002 to −0.005; constant across budgets when centred, since c₃/c₂ of
 * E + A·e^(−αx) + B'·e^(βx) at its minimum is (β − α)/3 whatever the budget), while the noisy vertex's sd over
 * seeds is 0.04–0.10 at 0.5 % noise. So on these grids the deterministic shape bias is small beside the noise,
 * and a constant bias in ln N* does not move a at all; the candidates below are scored as the task set them,
 * and the result says whether any term estimated from the data meets the low-noise miss.
 *
 * Common to every row: approach2-small's (bench/approach2Synthetic.ts, imported). Per budget i, the parabola
 * in ln N through its n_i runs gives the vertex v_i (the lowest-loss run's when it is not convex: profileVertex's
 * rule) and fitted losses ŷ_i; per replicate r, y* = ŷ_i·(1 + ρ*), ρ* drawn with replacement from the profile's
 * own leverage-adjusted, centred relative residuals (src/fit/residualBootstrap.ts, exactly frontier's draws),
 * v*_ir the parabola's vertex refitted to y*, and the replicate's ln vertex is v*_ir + d_i·z_ir, z_ir standard
 * normal, one per profile and replicate, the SAME z for every candidate (only d differs). The power law
 * N_opt = k·C^a through the vertices by least squares in log–log; percentile intervals of a and of ln N_opt at
 * C = 1e22. The point estimate is the same for every row. d_i is computed once per fit from the profile's
 * observed runs (never from the truth, never a factor fitted to the grids), and only on profiles of 5 distinct
 * sizes or fewer: profiles of more sizes keep frontier's draws and vertex-discrepancy term, so 7- and 9-size
 * coverage is unchanged by construction and not scored. A profile with no residual of its own (3 runs) stays
 * held at its estimate in every row, as today (d_i = 0 there).
 *
 *   0 incumbent    d = 0                                                    (what frontier ships today)
 *   1 three-point  d_i = v_i − w_i, w_i the vertex of the parabola through the runs at the 3 consecutive sizes
 *                  centred on the lowest-loss run (shifted inward when that run is at an end). Why: a cubic
 *                  term c₃x³ in the profile enters a symmetric k-point parabola's slope as c₃·Σx⁴/Σx², 3.4h²
 *                  over 5 sizes (h the step in ln N) against h² over 3, so v − w ≈ −1.2·h²·c₃/c₂, about 0.7
 *                  of the 5-size vertex's own cubic bias, with the opposite sign: frontier's discrepancy term's
 *                  window idea taken to the narrowest parabola.
 *   2 cubic        d_i = u_i − v_i, u_i the argmin of the least-squares cubic in ln N through every run of the
 *                  profile over [smallest, largest ln N] of its runs (its local minimum when that lies inside
 *                  and no end is lower, else the end with the lower cubic value). Why: the cubic takes up the
 *                  c₃ term the parabola's vertex
 *                  is biased by, so u − v estimates that bias per profile (≈ +1.7·h²·c₃/c₂ at 5 sizes); on 4
 *                  sizes the cubic interpolates the runs.
 *   3 jackknife    d_i = √((n − 1)/n · Σ_j (v_(j) − v̄)²), v_(j) the vertex of the parabola through the profile
 *                  less run j (profileVertex's rule), v̄ their mean, n the profile's runs. Why: a profile that
 *                  is no parabola moves its vertex systematically when an end run is dropped, and the
 *                  jackknife's spread measures that sensitivity (with the noise) without leaning on the 2
 *                  residual degrees of freedom a 5-run parabola leaves to the bootstrap; in quadrature with
 *                  the replicates' spread, as the d·z draw adds it.
 *   4 weighted     d_i = g_i − v_i, g_i the vertex of the weighted least-squares parabola through every run with
 *                  weights exp(−(x_j − v_i)²/(2h_i²)), h_i the profile's mean step in ln N ((largest − smallest)
 *                  ln N over sizes − 1), its own rule when not convex as v's. Why: near its minimum every smooth
 *                  profile is a parabola (the Taylor expansion), so a fit weighted toward the minimum has less
 *                  shape bias than the unweighted one; the shift between them estimates the unweighted vertex's
 *                  bias.
 *
 * No candidate is added after scores are seen.
 *
 * Grids: approach2-small's, generated by bench/approach2Synthetic.ts (imported): hoffmann (Hoffmann et al.
 * 2022, Eq. 10), epoch (Besiroglu et al. 2024), muennighoff (Muennighoff et al. 2023, single-epoch limit),
 * cs336 (the CS336 handout's law) — the leave-out unit — crossed with noise 0.5, 1, 2 % (lognormal, relative,
 * per run); 4 or 7 budgets C = 10^(18 + 0.5·i); profiles of 5 sizes (the decision grids) and of 4 sizes (the
 * guard grids), 0.25 decades apart; centred on the law's true optimum or shifted by u ~ U(±0.25) decades per
 * budget and seed. Seeds: approach2-small's independent seeding offset by 2e8 (data seed seed·1000 + sizes·10 +
 * budgets + 1e6·(1 + law) + 1e5·(1 + noise) + 2e8; replicate seed seed + 1e4·(1 + law) + 1e3·(1 + noise) +
 * 2e8), so that no trial repeats one approach2-small (offset 0) or approach2-pooled (1e8) scored. --seeds per
 * cell (default 24: 288 trials a law on each size count), --replicates (200).
 *
 * Score, per law (its cells pooled) and size count: approach2-small's (the same code, runSmallProfileBench):
 * coverage of a and of N_opt(1e22) by the 90 % and 95 % intervals; median 95 % width (a; ln N_opt) and its
 * ratio to the incumbent's; the interval score at 95 % (Gneiting & Raftery 2007: width + (2/0.05)·distance
 * outside) of a and of ln N_opt, each divided by the incumbent's median 95 % width in the same cell, the two
 * summed, averaged over trials. Also by placement and budget count, and by noise.
 *
 * Decision rule (approach2-small's, stated again; in this order). FLOOR = 92.9 % (95 − 2 binomial standard
 * errors at approach2-coverage's 432 trials a law), fixed, whatever --seeds is.
 *   1. On the 5-size grids, leave one law out: in each fold a candidate (0–4) qualifies if its 95 % coverage of
 *      a and of N_opt on the three other laws pooled is ≥ FLOOR; among the qualified the lowest mean interval
 *      score is chosen.
 *   2. A candidate other than the incumbent ships only if it is chosen in every fold, its 95 % coverage of a and
 *      of N_opt on the 5-size grids is ≥ FLOOR on every held-out law (each law in turn), and on the 4-size
 *      grids (where it would apply too) its 95 % coverage of a and of N_opt is, on every law, ≥ the lower of
 *      FLOOR and the incumbent's. Every candidate acts on profiles of ≤ 5 sizes only, so 7- and 9-size
 *      coverage cannot fall below the floor by it.
 *   3. Otherwise (incumbent chosen in any fold, folds disagree, none qualifies, or a held-out or 4-size check
 *      fails): keep the incumbent; the script reports and nothing changes in src/.
 * The decision is printed and in --json's `decision`. Then the script checks what frontier ships against it:
 * approach2's interval of a on a 5-size grid (hoffmann, 1 %, 4 budgets; 50 replicates, seed 7) must equal the
 * decided row's (the incumbent's when none is chosen) to 1e-9, and the script exits 1 if it does not.
 *
 * Real check (reported, not in the decision; approach2-small's, its code shared): every case of
 * examples/benchmark with IsoFLOP profiles counted as bench/isoflopCases.ts counts them (≥ 3 budgets); the
 * largest is held out, each row fitted on the others (400 replicates, seed 1), and its 90 %/95 % interval for
 * N_opt at that C checked against the held-out budget's own parabola vertex (noisy itself: a check, not a
 * coverage estimate). The candidates act there only on profiles of ≤ 5 sizes, as they would in frontier.
 *
 * Result (added after the run; the text above is as committed before it, at 5e43f99, the body at 7ab46da,
 * unchanged since; one error in the text above: three-point's v − w ≈ −1.2·h²·c₃/c₂ has the SAME sign as the
 * 5-size vertex's cubic bias (−1.7·h²·c₃/c₂), not the opposite — d enters as d·z, so the sign changes nothing).
 * 2026-12-06, default arguments (24 seeds, 200 replicates; 28 s of scoring), 95 % coverage of a / N_opt(1e22)
 * on the 5-size grids, 288 trials a law, and the median 95 % ln N_opt width as a multiple of the incumbent's:
 *
 *   law          incumbent (0)  three-point (1)     cubic (2)           jackknife (3)       weighted (4)
 *   hoffmann     88.9 / 89.9    97.6 / 97.6 ×1.25   96.9 / 96.9 ×1.21   99.0 / 99.0 ×1.65   95.5 / 94.1 ×1.07
 *   epoch        91.0 / 92.7    99.3 / 99.3 ×1.55   98.6 / 98.6 ×1.50   99.3 / 99.7 ×2.11   97.6 / 96.9 ×1.11
 *   muennighoff  94.1 / 94.4    99.0 / 99.3 ×1.37   99.3 / 99.3 ×1.28   100.0 / 100.0 ×1.88 96.9 / 97.9 ×1.06
 *   cs336        88.9 / 89.9    98.6 / 97.9 ×1.63   98.3 / 97.2 ×1.56   99.7 / 99.7 ×2.07   94.8 / 93.8 ×1.07
 *
 * Leave one law out: weighted is chosen with hoffmann, epoch and muennighoff held out (mean interval score
 * 3.66, 3.85, 3.78 against cubic's 4.04, 3.85, 3.85), cubic with cs336 held out (3.72 against weighted's 3.75);
 * the incumbent qualifies in none. Every candidate covers every held-out law, and the 4-size guard holds for
 * every one. The folds disagree, so by rule 3: keep the incumbent; nothing changes in src/ (the decided row
 * equals what approach2 ships: the check at the end). At --seeds 48 (52 s) weighted is chosen in every fold
 * (3.65–3.75 against cubic's 3.78–4.03), covers every held-out law (95 %: a 95.1–97.2, N_opt 93.9–97.2 %, 576
 * trials a law, ×1.10–1.14) and holds the 4-size guard (a 89.2–92.9, N_opt 90.8–93.4 %, incumbent 83.7–88.9 /
 * 83.5–88.5): there the rule would ship it, and the script exits 1 (what frontier ships is not the decided row).
 * By noise (5 sizes, 24 seeds) the incumbent holds 89.1 / 90.1 at 0.5 %, 89.8 / 91.4 at 1 %, 93.2 / 93.8 at
 * 2 %; weighted 94.8 / 94.3, 96.9 / 95.8, 96.9 / 96.9 at ×1.09, ×1.04, ×1.10; three-point and cubic cover
 * 96.6–100 % at every noise at ×1.1–2.0, widest at 0.5 %; the jackknife 99–100 % at ×1.55–2.30 (its d carries the
 * noise of five 4-run parabolas). By design (weighted, 24 seeds): centred 4 budgets 96.5 / 96.5, 7 budgets
 * 98.3 / 97.6, off-centre 4 budgets 93.4 / 92.4 (incumbent 88.5 / 88.5), 7 budgets 96.5 / 96.2.
 * 4 sizes (24 seeds): incumbent 85.1–91.3 / 84.4–89.6; three-point 93.4–95.8 / 93.8–95.1, cubic 94.8–97.6 /
 * 94.8–96.9, jackknife 99.3–100, weighted 90.3–93.4 / 88.9–93.4 (under the floor on three laws, above the
 * incumbent on all).
 * Real check: every candidate gives the incumbent's verdict on every case (chinchilla and datablations-1epoch
 * miss at 90 and 95 %; the others hold). On moby-small (4 runs a budget, 2 budgets left) the 95 % interval of
 * N_opt widens from ×8.3 to ×9.0 (weighted), ×16 (three-point, cubic), ×922 (jackknife).
 * What the shape-bias check above says of the miss: the noise-free bias (≤ 0.011 in ln N, constant across
 * centred budgets, so none in a) is far too small to cost a 95 % interval 4–6 points, yet a misses as often as
 * N_opt does. The terms that cover do it as inflations scaled by each profile's own misfit and noise, not by
 * locating a bias. A reading not tested here: a 5-run parabola leaves 2 residual degrees of freedom, so the
 * bootstrap's noise scale is itself uncertain (a pivot like Student's t on few degrees of freedom), and at 2 %
 * noise the vertex −b/(2c) grows heavy-tailed, which widens the percentile interval toward nominal.
 *
 * Confirmation (committed before it was run, after the result above): because the default run's folds split by
 * 0.03 and 48 seeds chose weighted in every fold, `--confirm` runs the very same rows, score and rule on fresh
 * draws, 48 seeds a cell, seeds offset 3e8 instead of 2e8 (no trial repeats one scored above or by
 * approach2-small or approach2-pooled). Its decision is what ships: a candidate chosen by it is added to frontier
 * (profiles of ≤ 5 sizes, parabola vertex, residual draws); otherwise nothing changes. It is run once.
 *
 *   node --import tsx bench/approach2-vertex.ts --confirm [--json]
 *
 * Confirmation result (added after its one run; the paragraph above as committed at 4425051, the flag's code
 * at the next commit, nothing else changed). 2026-12-06, --confirm (48 seeds, 200 replicates; 49 s of
 * scoring), 95 % coverage of a / N_opt(1e22) on the 5-size grids, 576 trials a law, ×: as above:
 *
 *   law          incumbent (0)  three-point (1)     cubic (2)           jackknife (3)       weighted (4)
 *   hoffmann     91.1 / 91.1    97.9 / 97.9 ×1.50   97.4 / 97.2 ×1.33   99.8 / 99.7 ×1.88   94.6 / 95.7 ×1.10
 *   epoch        91.3 / 91.3    98.4 / 98.6 ×1.44   98.4 / 98.3 ×1.40   99.5 / 99.3 ×1.82   95.7 / 95.8 ×1.10
 *   muennighoff  89.8 / 88.5    97.0 / 97.2 ×1.42   96.4 / 96.4 ×1.34   100.0 / 100.0 ×1.84 95.1 / 93.8 ×1.09
 *   cs336        92.4 / 91.5    99.1 / 98.3 ×1.59   98.3 / 98.4 ×1.52   99.3 / 99.3 ×2.07   95.0 / 95.0 ×1.12
 *
 * Leave one law out: cubic is chosen with hoffmann, epoch and cs336 held out (mean interval score 3.97, 4.05,
 * 3.81 against weighted's 4.08, 4.27, 4.15), weighted with muennighoff held out (3.91 against cubic's 4.02).
 * Every candidate covers every held-out law and holds the 4-size guard. The folds disagree again, the other way:
 * keep the incumbent; nothing changes in src/. Weighted's lead at 48 seeds above did not replicate: on these
 * draws it is under the floor at 0.5 % noise (92.7 / 92.6; 1 % 94.4 / 94.5, 2 % 98.2 / 98.0), where cubic
 * holds 97.7 / 97.9 (1 % 97.0 / 96.2, 2 % 98.2 / 98.6) and the incumbent 88.0 / 87.8 (90.6 / 89.8, 94.8 /
 * 94.3). Weighted under the floor with 4 off-centre budgets (92.4 / 92.4); cubic 95.1 / 94.8 there. 4 sizes:
 * incumbent 86.1–89.9 / 86.1–88.7, cubic 96.4–97.0 / 96.0–96.9, weighted 92.0–94.1 / 91.1–93.4. Across the
 * three samples (24, 48, 48 fresh seeds) cubic and weighted cover every law at 5 sizes, and the rule's score
 * cannot separate them consistently: weighted is narrower (×1.06–1.14 against ×1.21–1.56) but falls under the
 * floor in slices (4 off-centre budgets in two samples, 0.5 % noise in this one); cubic in none.
 * Real check: as above (every row gives the incumbent's verdicts; moby-small ×8.3 → ×9.0 weighted, ×16 cubic).
 *
 * A diagnostic added after both runs (no candidate, no decision): `--oracle [--seeds 36]` tests the reading
 * above. On the 5-size grids (4 laws × 3 noises × 4 or 7 budgets × 2 placements, seeds offset 5e8), the
 * incumbent's intervals against the very same parabola refits with each run's loss drawn as ŷ·exp(σ·z), σ the
 * generator's true noise (what the residual bootstrap would do if it knew the noise scale). 2026-12-06, 36
 * seeds (576 trials a noise level), 95 % coverage of a / N_opt(1e22):
 *
 *   noise    own residuals (incumbent)   true σ
 *   0.5 %    91.8 / 91.5                 95.5 / 95.1
 *   1 %      91.7 / 90.3                 95.5 / 96.0
 *   2 %      94.8 / 93.2                 98.6 / 98.8
 *
 * With the noise's scale known, the same 5-point parabolas cover at nominal at 0.5 and 1 %: the 5-size miss
 * is the noise scale each profile's 2 residual degrees of freedom give the bootstrap, not the parabola's shape
 * error, and it does not grow as the noise shrinks below 1 %; at 2 % every interval widens by the vertex's heavy
 * tails (−b/(2c) with a poorly determined c) and over-covers, which is the gradient approach2-pooled saw.
 */
import { normal, randomSource } from '../src/core/random.js';
import { polynomialFit } from '../src/core/leastSquares.js';
import { finiteInterval } from '../src/core/statistics.js';
import { polynomialDesign, residualBootstrap } from '../src/fit/residualBootstrap.js';
import {
  checkDecidedRow,
  independentSeeds,
  families,
  levels,
  noises,
  numberArg,
  parabolaVertex,
  percentileIntervals,
  runSmallProfileBench,
  SMALL,
  synthetic,
  TARGET,
  trueA,
  trueLnN,
  vertexLaw,
  type Analysis as SmallAnalysis,
  type Profile,
} from './approach2Synthetic.js';

/** The confirmation run (the header's last paragraph): fresh seeds, 48 a cell. */
const confirm = process.argv.includes('--confirm');
const seeds = numberArg('seeds', confirm ? 48 : 24);
const offset = confirm ? 3e8 : 2e8;
const replicates = numberArg('replicates', 200);
const json = process.argv.includes('--json');

const candidates = ['incumbent', 'three-point', 'cubic', 'jackknife', 'weighted'] as const;
type Candidate = (typeof candidates)[number];
type Analysis = SmallAnalysis<Candidate>;

const pick = (xs: number[], idx: number[]) => idx.map((j) => xs[j]);
/** The profile's distinct sizes (ln N), ascending, and the index among them of the lowest-loss run's. */
function sizesAndLowest(p: Profile): { sizes: number[]; at: number } {
  const sizes = [...new Set(p.x)].sort((u, v) => u - v);
  return { sizes, at: sizes.indexOf(p.x[p.y.indexOf(Math.min(...p.y))]) };
}

/** 1: the vertex of the parabola through the 3 consecutive sizes centred on the lowest-loss run (shifted inward at an end). */
function threePointVertex(p: Profile): number {
  const { sizes, at } = sizesAndLowest(p);
  const start = Math.min(Math.max(at - 1, 0), sizes.length - 3);
  const window = new Set(sizes.slice(start, start + 3));
  const kept = p.x.flatMap((x, j) => (window.has(x) ? [j] : []));
  return parabolaVertex(pick(p.x, kept), pick(p.y, kept));
}

/** 2: the argmin of the least-squares cubic in ln N over the runs' range (its local minimum or an end). */
function cubicVertex(p: Profile): number | undefined {
  const m = p.x.reduce((s, v) => s + v, 0) / p.x.length;
  const t = p.x.map((v) => v - m);
  const c = polynomialFit(t, p.y, 3);
  if (!c) return undefined;
  const value = (u: number) => c[0] + u * (c[1] + u * (c[2] + u * c[3]));
  const lo = Math.min(...t),
    hi = Math.max(...t);
  const at = [lo, hi];
  // c1 + 2c2·u + 3c3·u² = 0 with 2c2 + 6c3·u > 0: the local minimum, when real.
  if (Math.abs(c[3]) < 1e-12 * Math.max(Math.abs(c[2]), 1e-300)) {
    if (c[2] > 0) at.push(-c[1] / (2 * c[2]));
  } else {
    const disc = c[2] * c[2] - 3 * c[1] * c[3];
    if (disc >= 0) at.push((-c[2] + Math.sqrt(disc)) / (3 * c[3]));
  }
  const inside = at.filter((u) => u >= lo && u <= hi);
  return inside.reduce((best, u) => (value(u) < value(best) ? u : best)) + m;
}

/** 3: the jackknife's spread of the vertex over the profile less one run at a time. */
function jackknifeSpread(p: Profile): number {
  const n = p.x.length;
  const vs = p.x.map((_, j) => {
    const kept = p.x.flatMap((__, k) => (k === j ? [] : [k]));
    return parabolaVertex(pick(p.x, kept), pick(p.y, kept));
  });
  const mean = vs.reduce((s, v) => s + v, 0) / n;
  return Math.sqrt(((n - 1) / n) * vs.reduce((s, v) => s + (v - mean) ** 2, 0));
}

/** 4: the vertex of the parabola weighted toward the unweighted vertex v (Gaussian weights, sd one mean step). */
function weightedVertex(p: Profile, v: number): number {
  const { sizes } = sizesAndLowest(p);
  const h = (sizes[sizes.length - 1] - sizes[0]) / (sizes.length - 1);
  const m = p.x.reduce((s, x) => s + x, 0) / p.x.length;
  const c = polynomialFit(
    p.x.map((x) => x - m),
    p.y,
    2,
    p.x.map((x) => Math.exp(-((x - v) ** 2) / (2 * h * h))),
  );
  if (c && c[2] > 0) {
    const g = -c[1] / (2 * c[2]) + m;
    if (Math.abs(g) < 230) return g;
  }
  return p.x[p.y.indexOf(Math.min(...p.y))];
}

/** Each candidate's d per profile (0 on profiles of more than SMALL sizes, and for the incumbent). */
function terms(profiles: Profile[], vertices: number[]): Record<Candidate, number[]> {
  const small = profiles.map((p) => new Set(p.x).size <= SMALL);
  const per = (f: (p: Profile, i: number) => number) =>
    profiles.map((p, i) => {
      if (!small[i]) return 0;
      const d = f(p, i);
      return Number.isFinite(d) ? d : 0;
    });
  return {
    incumbent: profiles.map(() => 0),
    'three-point': per((p, i) => vertices[i] - threePointVertex(p)),
    cubic: per((p, i) => {
      const u = cubicVertex(p);
      return u === undefined ? 0 : u - vertices[i];
    }),
    jackknife: per((p) => jackknifeSpread(p)),
    weighted: per((p, i) => weightedVertex(p, vertices[i]) - vertices[i]),
  };
}

/** Every candidate's percentile intervals of a and ln N_opt at each target (the header's table). */
function analyse(profiles: Profile[], targets: number[], reps: number, seed: number): Analysis {
  const vertices = profiles.map((p) => parabolaVertex(p.x, p.y));
  const law = vertexLaw(
    profiles.map((p) => p.C),
    targets,
  );
  const point = law(vertices);
  const groups = profiles.map((p) => ({ design: polynomialDesign(p.x, 2), observed: p.y }));
  const own = residualBootstrap(groups, { scale: 'relative', pooling: 'per-group' });
  const held = (i: number) => own.groups[i].noResidual !== undefined;
  const d = terms(profiles, vertices);
  for (const c of candidates) d[c] = d[c].map((x, i) => (held(i) ? 0 : x));
  const samples = Object.fromEntries(
    candidates.map((c) => [c, { a: [] as number[], lnN: targets.map(() => [] as number[]) }]),
  ) as Record<Candidate, { a: number[]; lnN: number[][] }>;
  for (let r = 0; r < reps; r++) {
    // The incumbent's draws, exactly as frontier makes them; then one z per profile, shared by every candidate.
    const random = randomSource(seed, r);
    const v = profiles.map((p, i) => (held(i) ? vertices[i] : parabolaVertex(p.x, own.draw(i, random))));
    const z = profiles.map(() => normal(random));
    for (const c of candidates) {
      const l = law(v.map((vi, i) => vi + d[c][i] * z[i]));
      samples[c].a.push(l.a);
      l.lnN.forEach((n, k) => samples[c].lnN[k].push(n));
    }
  }
  const intervals = {} as Analysis['intervals'];
  for (const c of candidates) {
    intervals[c] = {};
    for (const lv of levels) intervals[c][lv] = percentileIntervals(samples[c].a, samples[c].lnN, lv);
  }
  return { a: point.a, lnN: point.lnN, intervals };
}

/**
 * --oracle (the header's last paragraph; a diagnostic, no candidate): on the 5-size grids, the incumbent's 95 %
 * coverage against the same refits with each run's loss drawn as ŷ·exp(σ·z), σ the generator's true noise.
 */
function oracleCheck(seeds: number): void {
  const hits: Record<number, { own: number[]; oracle: number[]; n: number }> = {};
  for (const [fi, l] of Object.values(families).entries())
    for (const [ni, noise] of noises.entries())
      for (const budgets of [4, 7])
        for (const centred of [true, false])
          for (let seed = 1; seed <= seeds; seed++) {
            const base = seed * 1000 + budgets + 1e6 * (1 + fi) + 1e5 * (1 + ni) + 5e8;
            const profiles = synthetic(l, noise, 5, budgets, base, centred);
            const own = residualBootstrap(
              profiles.map((p) => ({ design: polynomialDesign(p.x, 2), observed: p.y })),
              { scale: 'relative', pooling: 'per-group' },
            );
            const fit = vertexLaw(
              profiles.map((p) => p.C),
              [TARGET],
            );
            const law = (v: number[]) => {
              const l = fit(v);
              return [l.a, l.lnN[0]];
            };
            const own_: number[][] = [[], []],
              oracle: number[][] = [[], []];
            for (let r = 0; r < replicates; r++) {
              const random = randomSource(base, r);
              law(profiles.map((p, i) => parabolaVertex(p.x, own.draw(i, random)))).forEach((x, k) => own_[k].push(x));
              law(
                profiles.map((p, i) =>
                  parabolaVertex(
                    p.x,
                    own.groups[i].fitted.map((f) => f * Math.exp(noise * normal(random))),
                  ),
                ),
              ).forEach((x, k) => oracle[k].push(x));
            }
            const truth = [trueA(l), trueLnN(l, TARGET)];
            const h = (hits[noise] ??= { own: [0, 0], oracle: [0, 0], n: 0 });
            h.n++;
            const inside = (xs: number[], t: number) => {
              const iv = finiteInterval(xs, 0.95);
              return iv !== undefined && iv[0] <= t && t <= iv[1] ? 1 : 0;
            };
            for (const k of [0, 1]) {
              h.own[k] += inside(own_[k], truth[k]);
              h.oracle[k] += inside(oracle[k], truth[k]);
            }
          }
  const pct = (x: number, n: number) => ((100 * x) / n).toFixed(1);
  console.log(`5 sizes, 95 % coverage of a / N_opt(1e22), ${seeds} seeds a cell, ${replicates} replicates:`);
  for (const [noise, h] of Object.entries(hits))
    console.log(
      `  ${Number(noise) * 100} % noise, ${h.n} trials: own residuals ${pct(h.own[0], h.n)} / ${pct(h.own[1], h.n)}; true σ ${pct(h.oracle[0], h.n)} / ${pct(h.oracle[1], h.n)}`,
    );
}
if (process.argv.includes('--oracle')) {
  oracleCheck(numberArg('seeds', 36));
  process.exit(0);
}

const decided = runSmallProfileBench<Candidate>({
  rows: candidates,
  choosable: candidates,
  seeds,
  replicates,
  json,
  // approach2-small's independent seeding, offset by 2e8 (3e8 to confirm): no trial repeats one scored before.
  ...independentSeeds(offset),
  analyse,
});

// ---- what frontier ships against the decision ---------------------------------------------------------------
checkDecidedRow(decided, analyse);
