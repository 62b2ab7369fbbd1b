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
 */
