/**
 * A quantity as people type it: `7e10`, `70B`, `1.4T`, `2.5M`, `70b`. Read by the CLI's flags and the
 * web app's forms alike; `name` is what the caller calls the value (a flag, a form field). Pure.
 */
import { UsageError } from '../errors/index.js';
import { magnitudeProblem, withinMagnitude } from '../core/magnitude.js';
import { parseSuffixedNumber, suffixHint } from '../core/quantity.js';

/**
 * `7e10`, `70B`, `1.4T`, `2.5M`, `70b` → number; positive unless told otherwise, within 1e±100. The
 * suffixes are a file's (core/quantity.ts), so a size reads the same on a flag as in a cell.
 */
export function parseQuantity(text: string, name: string, { positive = true } = {}): number {
  const value = parseSuffixedNumber(text);
  if (Number.isNaN(value)) {
    // The same hint a file's cell gets ("70m": milli or mega?), not only "expected a number".
    // A percentage where a plain number is read (hours, FLOPs, a size): said, not left to "expected a number".
    // A unit of time after hours, seconds or days ("48h"): the flag has its unit; said, not "not a size suffix".
    const unit =
      /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(h|hrs?|hours?|s|secs?|seconds?|d|days?|min|mins|minutes?)\s*$/i.exec(
        text,
      );
    const hint = /%\s*$/.test(text)
      ? 'a percentage is not read here; write the number itself'
      : unit
        ? `"${unit[2]}" is a unit: the value is in the unit the name says (hours, seconds, days); write the number alone, ${unit[1]}`
        : suffixHint(text.trim());
    throw new UsageError(`${name}: expected a number such as 7e10 or 70B, got "${text}"${hint ? `: ${hint}` : ''}`);
  }
  if (!Number.isFinite(value)) throw new UsageError(`${name}: expected a finite number, got "${text}"`);
  if (positive && !(value > 0)) throw new UsageError(`${name}: expected a positive number, got "${text}"`);
  if (!withinMagnitude(value))
    throw new UsageError(
      `${name}: ${text.trim()} ${magnitudeProblem(value)}; expected a value between 1e-100 and 1e100`,
    );
  return value;
}
