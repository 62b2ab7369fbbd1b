/**
 * Do Approach 2's intervals cover on IsoFLOP profiles of 5 sizes or fewer, and if not, what makes them?
 * `frontier`'s residual bootstrap (src/analyses/frontier.ts, profileResiduals) redraws each profile's losses
 * from that profile's own relative residuals about its parabola in ln N (leverage-adjusted and centred,
 * src/fit/residualBootstrap.ts). Over 5 sizes it adds a vertex-discrepancy term (bench/approach2-coverage.ts,
 * bench/approach2-width.ts, docs/methods.md §8); at 5 sizes or fewer it adds nothing. With independent draws
 * (approach2-width.ts --independent, 48 seeds), 5-size profiles held the truth in only about 91 % of trials at
 * nominal 95 % (a 91.1–91.6, N_opt(1e22) 90.9–91.3), centred or off-centre, on every generating law. 5 sizes
 * per budget is the common IsoFLOP grid (Chinchilla-style, the README's examples). This bench asks which
 * change covers there, by a rule fixed here before any candidate was scored.
 *
 *   node --import tsx bench/approach2-small.ts [--seeds 24] [--replicates 200] [--json]
 *
 * Written BEFORE any candidate was scored with it (this comment was committed first, alone).
 *
 * Common to every candidate. Per budget i, the parabola in ln N through every run (n_i runs) gives the vertex
 * v_i (the lowest-loss run's when it is not convex: profileVertex's rule) and fitted losses ŷ_i. Per replicate
 * r, y* = ŷ·(1 + f_i·ρ*), ρ* drawn with replacement from a pool of leverage-adjusted, centred relative
 * residuals (residualBootstrap), f_i a widening factor; v*_ir is the vertex refitted to y*, and the
 * replicate's ln vertex is v*_ir + s_i·z_ir (z standard normal, one per profile and replicate). The power law
 * N_opt = k·C^a through the vertices by least squares in log–log (powerFit); percentile intervals of a and of
 * ln N_opt at C = 1e22. The point estimate is the same for every candidate. All candidates use the same
 * replicate streams (randomSource(seed, r)), so 0, 2, 3 and 4 draw the very same residual indices.
 * Every candidate changes only profiles of 5 distinct sizes or fewer (where frontier adds no discrepancy
 * term), so 7- and 9-size profiles keep today's intervals by construction and are not scored here; a profile
 * with no residual of its own (3 runs) stays held at its estimate, as today, in every candidate.
 *
 *   0 incumbent   own profile's residuals, f = 1, s = 0                       (what frontier ships today)
 *   1 pooled      every profile of the fit's residuals in one pool, f = 1, s = 0  (n_i − 3 → Σ(n_j − 3)
 *                 residual degrees of freedom behind each draw's distribution)
 *   2 df-widened  own residuals, f_i = √(n_i/(n_i − 3)) on top of the leverage adjustment, s = 0
 *                 (5 runs: ×1.58; 4 runs: ×2)
 *   3 t-widened   own residuals, f = t_{B−2}(0.975)/z(0.975), B the fit's budgets (the regression of ln N* on
 *                 ln C has B − 2 degrees of freedom; 4 budgets ×2.20, 7 budgets ×1.31), s = 0
 *   4 leave-one-size-out  own residuals, f = 1, s_i = d_i = v_i − w_i: w_i the vertex of the parabola through
 *                 the profile less its end size (smallest or largest) whose lowest loss is the higher (the
 *                 end farther up the profile); the discrepancy term's idea on a window one size narrower
 *
 * No candidate is added after scores are seen.
 *
 * Generators: bench/approach2Synthetic.ts (imported: approach2-coverage.ts's and approach2-width.ts's):
 * hoffmann (Hoffmann et al. 2022, Eq. 10), epoch (Besiroglu et al. 2024), muennighoff (Muennighoff et al.
 * 2023, single-epoch limit), cs336 (the CS336 handout's law) — the leave-out unit — crossed with noise 0.5 %,
 * 1 %, 2 % (lognormal, relative, per run); 4 or 7 budgets C = 10^(18 + 0.5·i); profiles of 5 sizes (the
 * decision grids) and of 4 sizes (the guard grids), 0.25 decades apart; centred on the law's true optimum or
 * shifted by u ~ U(±0.25) decades per budget and seed. Draws are independent across laws and noise levels
 * (approach2-width.ts's --independent seeding, here always on). 3 sizes are not scored: a parabola through 3
 * runs leaves no residual, so frontier draws runs there and no candidate changes it. --seeds per cell
 * (default 24: 288 trials a law on each size count), --replicates (200).
 *
 * Score, per law (its cells pooled) and size count: coverage of a and of N_opt(1e22) by the 90 % and 95 %
 * intervals; median 95 % width (a; ln N_opt) and its ratio to the incumbent's; the interval score at 95 %
 * (Gneiting & Raftery 2007: width + (2/0.05)·distance outside) of a and of ln N_opt, each divided by the
 * incumbent's median 95 % width in the same cell, the two summed, averaged over trials. Also by placement,
 * noise and budget count.
 *
 * Decision rule (in this order). FLOOR = 92.9 %, approach2-coverage's floor (95 − 2 binomial standard errors at
 * its 432 trials a law), fixed, whatever --seeds is.
 *   1. On the 5-size grids, leave one law out: in each fold a candidate qualifies if its 95 % coverage of a
 *      and of N_opt on the three other laws pooled is ≥ FLOOR; among the qualified the lowest mean interval
 *      score is chosen.
 *   2. A candidate other than the incumbent ships only if it is chosen in every fold, its 95 % coverage of a
 *      and of N_opt on the 5-size grids is ≥ FLOOR on every held-out law (each law in turn), and on the 4-size
 *      grids (where it would apply too) its 95 % coverage of a and of N_opt is, on every law, ≥ the lower of
 *      FLOOR and the incumbent's.
 *   3. Otherwise (incumbent chosen in any fold, folds disagree, none qualifies, or a held-out or 4-size check
 *      fails): keep the incumbent; the script reports and nothing changes in src/.
 *
 * Real check (reported, not in the decision; as approach2-width's): every case of examples/benchmark with
 * IsoFLOP profiles counted as bench/isoflopCases.ts counts them (≥ 3 budgets); the largest is held out, each
 * candidate fitted on the others (400 replicates, seed 1), and its 90 %/95 % interval for N_opt at that C
 * checked against the held-out budget's own parabola vertex (noisy itself: a check, not a coverage estimate).
 * The candidates act there only on profiles of ≤ 5 sizes, as they would in frontier.
 */
