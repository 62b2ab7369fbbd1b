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
 *   node --import tsx bench/approach2-width.ts [--seeds 24] [--replicates 200] [--json]
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
 */
