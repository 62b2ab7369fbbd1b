/**
 * The rule that decides whether a pooled extrapolation slope may ship, shared by the two benches that
 * learn one (bench/curve-law-backtest.ts, bench/downstream-extrapolation.ts; docs/methods.md §32, §35,
 * §38). Written before either bench's leave-one-data-set-out coverage table was first run:
 *
 * - Each data set in turn is held out; the slope is learnt on the others by the bench's own estimator
 *   and the held-out data set's 95 % intervals are scored with it (held-out coverage).
 * - Pooled over data sets: every held-out case weighs the same (inside summed over data sets, divided
 *   by the cases summed), as each estimator pools cases. The mean of the data sets' coverages (each
 *   data set weighing the same) is printed beside it, not ruled on.
 * - The shipped slope (the estimator on all data sets) stays if that pooled held-out coverage is within
 *   5 points of 95 % (90 % to 100 %). Otherwise the estimator becomes "the largest of the left-out
 *   estimates" (the largest slope any data set was given by the others), so that each data set, held
 *   out, is covered at least as well as its held-out row says (coverage grows with the slope); applied
 *   only then. No value is picked by hand, and no one data set is tuned to.
 */

export const NOMINAL = 0.95;
/** How far (in coverage) the pooled held-out coverage may lie from NOMINAL and the slope stay. */
export const TOLERANCE = 0.05;

export type SlopeDecision = 'kept' | 'largest left-out';

export interface HeldOutRow {
  /** The slope the other data sets' cases give. */
  slope: number;
  /** This data set's cases inside their 95 % intervals with that slope (an average over draws may be fractional). */
  inside: number;
  cases: number;
}

export interface SlopeRuleResult {
  /** Held-out cases inside, over held-out cases, every data set's pooled. */
  pooledCoverage: number;
  /** The mean of the data sets' held-out coverages (printed, not ruled on). */
  equalWeightCoverage: number;
  decision: SlopeDecision;
  /** The slope the rule ships: the pooled estimate when kept, else the largest held-out slope. */
  slope: number;
  /** The largest held-out slope (what the rule would ship if the pooled slope failed). */
  largestLeftOut: number;
}

/** The rule above, applied to each data set's held-out row and the pooled (shipped) estimate. */
export function slopeRule(rows: readonly HeldOutRow[], pooledSlope: number): SlopeRuleResult {
  if (rows.length < 2) throw new Error(`leave one data set out needs at least 2 data sets, got ${rows.length}`);
  const inside = rows.reduce((a, r) => a + r.inside, 0);
  const cases = rows.reduce((a, r) => a + r.cases, 0);
  const pooledCoverage = inside / cases;
  const equalWeightCoverage = rows.reduce((a, r) => a + r.inside / r.cases, 0) / rows.length;
  const largestLeftOut = Math.max(...rows.map((r) => r.slope));
  // A little slack for floating point: 0.9 is within 5 points of 0.95.
  const kept = Math.abs(pooledCoverage - NOMINAL) <= TOLERANCE + 1e-12;
  return {
    pooledCoverage,
    equalWeightCoverage,
    decision: kept ? 'kept' : 'largest left-out',
    slope: kept ? pooledSlope : largestLeftOut,
    largestLeftOut,
  };
}

/**
 * The interval score of a central (1 − α) interval (Gneiting & Raftery 2007): its width plus (2/α) times
 * how far the observation lies outside it. Lower is better; it rewards coverage and narrowness together.
 */
export function intervalScore(lo: number, hi: number, observed: number, alpha = 1 - NOMINAL): number {
  return hi - lo + (2 / alpha) * (Math.max(0, lo - observed) + Math.max(0, observed - hi));
}
