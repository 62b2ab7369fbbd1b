/**
 * Typing slips a value's range gives away, said as the value the user most likely meant, so that an
 * error reads "did you mean 0.21?" rather than only "out of range". One place for every flag, form
 * field and file cell that reads a fraction or an exponent, so they all say it alike.
 */
import { plain } from './format.js';

/**
 * A percentage typed where a fraction is read (43 for 0.43; 0.25 for DeepSeek's 0.25 % = 0.0025),
 * when `value` is outside [lo, hi] and value / 100 is inside: "give the fraction, 0.43 for 43 %".
 * Undefined when that reading does not fit either (the caller's own message is then enough).
 */
export function percentSlip(value: number, [lo, hi]: readonly [number, number]): string | undefined {
  const meant = value / 100;
  if (!Number.isFinite(value) || (value >= lo && value <= hi) || !(meant >= lo && meant <= hi)) return undefined;
  return `give the fraction, ${plain(meant)} for ${plain(value)} %`;
}

/**
 * The largest exponent a scaling law's power plausibly has. Published ones sit well under 1 (α, β of
 * Chinchilla ≈ 0.3; Kaplan's α_B = 0.21; η and B against compute ≈ ±0.3); one above 5 would make a
 * tenfold change in scale a change of 10⁵ in the quantity, which no training run shows.
 */
export const MAX_EXPONENT = 5;

/**
 * Why `value` cannot be the exponent of a scaling law, with the value it likely meant (a dropped
 * decimal point: 21 for 0.21, 34 for 0.34); undefined when |value| ≤ MAX_EXPONENT.
 */
export function exponentSlip(value: number): string | undefined {
  if (!Number.isFinite(value) || Math.abs(value) <= MAX_EXPONENT) return undefined;
  const digits = Math.floor(Math.log10(Math.abs(value))) + 1;
  const meant = value / 10 ** digits;
  return `an exponent of a scaling law is at most ${MAX_EXPONENT} in size (published ones are below 1), got ${plain(value)}: did you mean ${plain(meant)}?`;
}
