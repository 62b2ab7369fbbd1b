/**
 * The range of magnitudes ScaleLab's analyses compute with. A double holds 1e±308, but an analysis
 * forms products (C = 6·N·D), ratios, squares and powers of its inputs, and extrapolates them by
 * decades: an input of 1e308 or 5e-324 overflows or underflows on the way and comes out as
 * Infinity, 0 or NaN. No training run, budget or hyperparameter comes near 1e±100, so values
 * beyond it are refused where they enter (a located error), not carried into the arithmetic. Pure.
 */
import { plain } from './format.js';

const MAX_MAGNITUDE = 1e100;
const MIN_MAGNITUDE = 1e-100;

/** A finite number that is 0 or whose magnitude lies within [1e-100, 1e100]. */
export function withinMagnitude(value: number): boolean {
  const a = Math.abs(value);
  return Number.isFinite(value) && (a === 0 || (a >= MIN_MAGNITUDE && a <= MAX_MAGNITUDE));
}

/** Why a value is outside the range, for error messages. */
export function magnitudeProblem(value: number): string {
  if (Number.isNaN(value)) return 'is not a number';
  if (!Number.isFinite(value)) return 'overflows (it is infinite)';
  return Math.abs(value) > MAX_MAGNITUDE
    ? 'is too large (above 1e100 in magnitude): its products and powers overflow'
    : 'is too small (below 1e-100 in magnitude): its products and powers underflow to 0';
}

/**
 * The refusal of a value outside the range, worded as every reader words it ("N = 1e308 is too large
 * (…); expected values between 1e-100 and 1e100"), or undefined for a value within it.
 * @param what the value's name as the user knows it, with how it was derived where it was ("C = 6ND = 6 × 1e60 × 1e60")
 * @param options.zero whether 0 is within the range (a step may be 0; a size of 0 is a value that underflowed)
 * @param options.note said after the value, before why it is refused
 */
export function magnitudeRefusal(
  what: string,
  value: number,
  options: { zero?: boolean; note?: string } = {},
): string | undefined {
  if (withinMagnitude(value) && (value !== 0 || options.zero !== false)) return undefined;
  return `${what} = ${plain(value)}${options.note ?? ''} ${magnitudeProblem(value)}; expected values between 1e-100 and 1e100`;
}
