/**
 * Bounds by reparameterisation (the MINUIT transforms that lmfit uses): the optimiser works on an
 * unbounded internal value u, and x = toBounded(u) always lies inside [min, max]. The chain-rule
 * factor dx/du lets analytic gradients pass through.
 */

export interface Interval {
  min: number; // may be −Infinity
  max: number; // may be +Infinity
}

/** x from the unbounded internal value u. */
export function toBounded(u: number, b: Interval): number {
  const lo = b.min,
    hi = b.max;
  if (lo === -Infinity && hi === Infinity) return u;
  if (hi === Infinity) return lo - 1 + Math.sqrt(u * u + 1);
  if (lo === -Infinity) return hi + 1 - Math.sqrt(u * u + 1);
  return lo + ((Math.sin(u) + 1) * (hi - lo)) / 2;
}

/** dx/du at u. */
export function boundedDerivative(u: number, b: Interval): number {
  const lo = b.min,
    hi = b.max;
  if (lo === -Infinity && hi === Infinity) return 1;
  if (hi === Infinity) return u / Math.sqrt(u * u + 1);
  if (lo === -Infinity) return -u / Math.sqrt(u * u + 1);
  return (Math.cos(u) * (hi - lo)) / 2;
}

/** u such that toBounded(u) = x; x is clipped into the interval first. */
export function fromBounded(x: number, b: Interval): number {
  const lo = b.min,
    hi = b.max;
  if (lo === -Infinity && hi === Infinity) return x;
  const c = Math.min(Math.max(x, lo), hi);
  if (hi === Infinity) return Math.sqrt((c - lo + 1) ** 2 - 1);
  if (lo === -Infinity) return Math.sqrt((hi - c + 1) ** 2 - 1);
  return Math.asin((2 * (c - lo)) / (hi - lo) - 1);
}
