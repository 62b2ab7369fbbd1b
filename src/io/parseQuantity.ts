/**
 * A quantity as people type it: `7e10`, `70B`, `1.4T`, `2.5M`. Read by the CLI's flags and the
 * web app's forms alike; `name` is what the caller calls the value (a flag, a form field). Pure.
 */
import { UsageError } from '../errors/index.js';
import { magnitudeProblem, withinMagnitude } from '../core/magnitude.js';
import { suffixHint } from '../core/quantity.js';

const suffixes: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, B: 1e9, G: 1e9, T: 1e12, P: 1e15 };

/** `7e10`, `70B`, `1.4T`, `2.5M` → number; positive unless told otherwise, within 1e±100. */
export function parseQuantity(text: string, name: string, { positive = true } = {}): number {
  const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([kKMBGTP]?)\s*$/.exec(text);
  if (!m) {
    // The same hint a file's cell gets ("70m": milli or mega?), not only "expected a number".
    // A percentage where a plain number is read (hours, FLOPs, a size): said, not left to "expected a number".
    const hint = /%\s*$/.test(text)
      ? 'a percentage is not read here; write the number itself'
      : suffixHint(text.trim());
    throw new UsageError(`${name}: expected a number such as 7e10 or 70B, got "${text}"${hint ? `: ${hint}` : ''}`);
  }
  const value = Number(m[1]) * (m[2] ? suffixes[m[2]] : 1);
  if (!Number.isFinite(value)) throw new UsageError(`${name}: expected a finite number, got "${text}"`);
  if (positive && !(value > 0)) throw new UsageError(`${name}: expected a positive number, got "${text}"`);
  if (!withinMagnitude(value))
    throw new UsageError(
      `${name}: ${text.trim()} ${magnitudeProblem(value)}; expected a value between 1e-100 and 1e100`,
    );
  return value;
}
