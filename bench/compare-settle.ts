/**
 * compare's within-data settling rule (src/analyses/groups.ts, docs/methods.md §28) chosen by a synthetic
 * bench with known truth. Written, and committed, before any candidate was scored.
 *
 * Every candidate starts from what `compareGroups` (the shipped code, not a copy) returns for a pair:
 * `withinData.better`, `agree` of `total` bootstrap replicates, and `paired.points` (each shared x's mean loss,
 * runs and sd per group). "Curves settled" is the fitted curves' claim as shipped: the one-curve test rejects,
 * the curves name a group better across the common range, and agree ≥ SETTLED_AGREEMENT·total. A reversal is a
 * shared x whose mean loss favours the other group. Candidates, fixed now:
 *  (0) today's rule (trust18): curves settled AND no shared x is a reversal.
 *  (1) the reviewer's: curves settled AND the favoured group wins (strictly lower mean) at ≥ k of the n shared x,
 *      k the smallest count with one-sided binomial P(X ≥ k | n, ½) ≤ 0.05 (n = 10 → 9; all n when n < 5),
 *      AND no reversal exceeds 2 SE of the difference, SE = √(sd_a²/runs_a + sd_b²/runs_b), at an x where both
 *      groups have ≥ 2 runs (a reversal at an x with one run in either group is left to the count).
 *  (2) curves alone (the rule before trust18): curves settled.
 *  (3) the one added: (0) where either group has one run at the reversal's x, (1)'s 2 SE tolerance where both
 *      have ≥ 2 — a reversal holds the claim back unless the seeds' spread there shows it within 2 SE; no count.
 *
 * Curve families (truth of the better group, L = E + A·x^(−α), x over two decades at 6, 8 or 10 log-even sizes):
 *  chinchilla: 1.69 + 406.4·N^−0.34, N 1e8 – 1e10 (Hoffmann et al. 2022, the N term);
 *  besiroglu:  1.8172 + 482.01·N^−0.3478, N 1e8 – 1e10 (Besiroglu et al. 2024 refit);
 *  kaplan:     (6.4e13/N)^0.076, E = 0, N 1e7 – 1e9 (Kaplan et al. 2020, Table 2's α_N and N_c).
 * The worse group's truth is the better one's × (1 + gap) at every x (still a power law); per-run noise is
 * multiplicative, loss × (1 + σ·z). Which group is the better one alternates with the draw.
 * Scenarios in every family (gap, σ, seeds per x, sizes):
 *  power (a true claim): P1 2 %, 1 %, 1, 10; P2 2 %, 1 %, 3, 10; P3 1 %, 1 %, 3, 10; P4 4 %, 2 %, 1, 6;
 *        P5 1 %, 0.5 %, 1, 8; P6 4 %, 2 %, 3, 8.
 *  null (no difference): N1 0, 1 %, 1, 10; N2 0, 2 %, 3, 6; N3 0, 0.5 %, 3, 10.
 *  outlier: σ 1 %, 10 sizes, the gap g elsewhere, and at the 6th size the other group is better by m in truth
 *        (the otherwise-better group's loss there = the other's × (1 + m)), m = c·σ·√(2/seeds), c SEs of the
 *        difference of the means there ("clearly": c ≥ 3): g 2 % with c 3, 5, 10 at 1 and 3 seeds (6 cells),
 *        g 0 with c 5 at 1 and 3 seeds (2 cells).
 *  crossing: σ 1 %, 10 sizes, 1 and 3 seeds; the relative gap runs linearly in ln x from +2 % at the smallest
 *        size to −1 % at the largest (the groups cross at two thirds of the range).
 * A settled claim is correct only in a power cell naming the truly better group; every settled claim in a
 * null, outlier or crossing cell is false (no group is better at every shared x in truth), as is one naming
 * the worse group in a power cell.
 *
 * Score. False rate: per family and per kind (null, outlier, crossing; the kind's cells pooled), settled false
 * claims / draws. Ceiling: 5 % in every (family, kind). Power: settled correct claims / draws, averaged over the
 * power cells. Decision, leave one family out: for each held-out family, among the candidates within the
 * ceiling in every kind of the other two families, the one with the highest mean power on those two (a tie,
 * within 1 percentage point, goes to the lower-numbered candidate, so (0) first); the fold's pick must also be
 * within the ceiling in every kind of the held-out family, else the fold picks (0). Switch from (0) only if all
 * three folds pick the same candidate; otherwise keep (0).
 *
 * Seeds: draw d of a cell uses randomSource(hash of family, cell, d); compareGroups' bootstrap uses seed 0.
 * Replicates: 12 draws per cell and 40 bootstrap replicates by default (57 cells × 12 = 684 compareGroups calls,
 * about 3 minutes on a busy 2-core machine); `--draws N --bootstrap B` for a bigger run.
 *
 *   node --import tsx bench/compare-settle.ts [--draws 12] [--bootstrap 40] [--json]
 * Exits 1 when the decision is not the shipped rule.
 */
