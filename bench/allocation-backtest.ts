/**
 * Which rule should `plan` use to turn an `auto` fit into the recommended N and D? A back-test on the
 * benchmark's ladders that have IsoFLOP profiles: fit on the smaller budgets, predict the
 * loss-minimising model size at the largest ones, and compare with where their profiles bottom out.
 *
 *   node --import tsx bench/allocation-backtest.ts            # the table; exit 1 if the shipped rule is not chosen
 *   node --import tsx bench/allocation-backtest.ts --json
 *
 * Written BEFORE any case was scored with it (this comment was committed first):
 *
 * Cases. Every case of examples/benchmark/ (and examples/cs336-isoflops.json, a noise-free synthetic
 * check that takes no part in the choice). Each run is placed at its final checkpoint; runs are
 * grouped into budgets by the frontier's grouping (analyses/isoflop.ts groupBudgets: clusters of
 * log10 C within ±0.06 decades; for chinchilla the paper's nine named budgets, as
 * `frontier --budgets chinchilla`, because its digitised C scatter around them). A budget counts when
 * its profile has at least 3 distinct sizes and its parabola in ln N (`frontier --vertex parabola`)
 * has an interior minimum. A case needs at least 3 counted budgets.
 *
 * Split. The largest ⌈n/3⌉ of a case's n counted budgets are held out (so at least 2 counted budgets
 * stay in the fit set; with n = 3 that is the smaller split "fit on 2, hold out 1", said in the
 * table). The fit set is every run (all its checkpoints) whose final C is below the smallest C of any
 * run of the held-out budgets, a lineage fitted only when all of it is (io/rollingOrigin.ts splitAt).
 *
 * Fitting. The library's `auto` exactly as `scalelab fit` runs it (fit/auto.ts chooseProcedure with
 * the default rule: huber, tied-huber, gadre, equal weights), without a bootstrap.
 *
 * Rules, each giving N̂ at a held-out budget's C (D̂ = C/(6N̂)):
 *   (a) reported — the reported law's closed form (huber's, N_opt = G·(C/6)^a): `plan` today;
 *   (b) geomean  — the candidates' N_opt combined by their weights: exp(Σ w_k ln N_k);
 *   (c) ensemble — the N minimising auto's weighted-mean predicted ln L along C = 6ND (1-D, numerical);
 *   (d) median   — the weighted median of the candidates' N_opt (the geometric mean of the two middle
 *                  ones at an exact tie).
 * Candidates that cannot allocate (reduced to a law in C alone, or no usable optimum) are left out and
 * the others' weights renormalised.
 *
 * Truth: the held-out profile's parabola vertex N*. Scores per held-out budget: |log10(N̂/N*)|, and the
 * regret (P(ln N̂) − P(ln N*))/P(ln N*) with P the held-out parabola (what the wrong N costs, relative).
 * Per case: the mean over its held-out budgets.
 *
 * Choice: leave one dataset out — each real case gets the rule with the lowest mean |log10| error over
 * the OTHER real cases (regret reported, not used to choose; ties go to the earlier rule, (a) first).
 * The rule chosen on all real cases must be the one `plan` ships; the script exits 1 if not. If the
 * folds disagree, or the differences are within the spread across cases, today's rule (a) is kept and
 * the docs say so.
 */
