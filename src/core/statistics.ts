/**
 * Small descriptive statistics used by fit reports and bootstrap intervals.
 */

/**
 * Quantile of a sample by linear interpolation between order statistics (Hyndman & Fan type 7,
 * the default of R and numpy). Non-finite values are ignored.
 * @throws RangeError when the sample has no finite value or p is outside [0, 1]
 */
export function quantile(values: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile requires p in [0, 1], got ${p}`);
  const sorted = Array.from(values)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (sorted.length === 0) throw new RangeError('quantile requires at least one finite value');
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Percentile interval [quantile(lo), quantile(hi)] for a confidence level, e.g. 0.95 → [2.5 %, 97.5 %]. */
export function percentileInterval(values: ArrayLike<number>, level: number): [number, number] {
  const tail = (1 - level) / 2;
  return [quantile(values, tail), quantile(values, 1 - tail)];
}

/**
 * Percentile interval of the finite values only, or undefined when fewer than two are finite (a
 * bootstrap whose replicates all failed has no interval, rather than a crash or a NaN one).
 */
export function finiteInterval(values: ArrayLike<number>, level: number): [number, number] | undefined {
  let finite = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite++;
  return finite >= 2 ? percentileInterval(values, level) : undefined;
}

/**
 * Percentile interval of a sample in which +Infinity stands for "beyond any value" (a bootstrap
 * replicate that never reaches a target needs more than any that does): the upper end is Infinity
 * when more of the sample than the upper tail is infinite. NaN values are left out; undefined when
 * fewer than two values are finite, or when more than the lower tail is infinite (nothing bounds it
 * then: [∞, ∞] would say less than no interval).
 */
export function intervalOpenAbove(values: ArrayLike<number>, level: number): [number, number] | undefined {
  const sorted = Array.from(values)
    .filter((v) => !Number.isNaN(v) && v !== -Infinity)
    .sort((a, b) => a - b);
  if (sorted.filter(Number.isFinite).length < 2) return undefined;
  const at = (p: number) => {
    const h = (sorted.length - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, sorted.length - 1);
    if (sorted[hi] === Infinity) return h === lo ? sorted[lo] : Infinity;
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  };
  const tail = (1 - level) / 2;
  const lower = at(tail);
  return lower === Infinity ? undefined : [lower, at(1 - tail)];
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

/** Sample standard deviation (Bessel's correction, n − 1). */
export function standardDeviation(values: ArrayLike<number>): number {
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i] - m) ** 2;
  return Math.sqrt(s / (values.length - 1));
}

export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/**
 * Smallest and largest finite value, by a loop: `Math.min(...values)` passes every value as an
 * argument and overflows the call stack above ~100k values (a million runs is a real input).
 * [NaN, NaN] when there is no finite value.
 */
export function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity,
    hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [NaN, NaN];
}
