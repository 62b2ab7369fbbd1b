/**
 * A quantity as people type it: `7e10`, `70B`, `1.4T`, `2.5M`, `70b`. Read by the CLI's flags and the
 * web app's forms alike; `name` is what the caller calls the value (a flag, a form field). Pure.
 */
import { UsageError } from '../errors/index.js';
import { magnitudeProblem, withinMagnitude } from '../core/magnitude.js';
import { parseSuffixedNumber, separatorHint, sizeSuffixOf, suffixHint } from '../core/quantity.js';

/** A duration's unit, as a flag's name says it (--days, --target-hours, --run-timeout <seconds>). */
export type DurationUnit = 'days' | 'hours' | 'seconds';

/** Seconds in each unit of time people type after a number ("48h", "1w"); months and years vary, so are only named. */
const timeUnits: readonly [pattern: RegExp, name: string, seconds: number | undefined][] = [
  [/^(s|secs?|seconds?)$/i, 'seconds', 1],
  [/^(min|mins|minutes?)$/i, 'minutes', 60],
  [/^(h|hrs?|hours?)$/i, 'hours', 3600],
  [/^(d|days?)$/i, 'days', 86400],
  [/^(w|wks?|weeks?)$/i, 'weeks', 604800],
  [/^(mo|mos|months?)$/i, 'months', undefined],
  [/^(y|yrs?|years?)$/i, 'years', undefined],
];
const secondsIn: Record<DurationUnit, number> = { seconds: 1, hours: 3600, days: 86400 };
const durationExample: Record<DurationUnit, string> = { seconds: '3600', hours: '48', days: '7' };
const numberThenWord = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-zA-Z]+)\s*$/;

/**
 * Why a duration flag's value was not read, in its unit: a unit typed after the number is said in the
 * flag's unit ("1w" to --days: write --days 7), anything else with what the flag takes.
 */
function durationHint(text: string, name: string, unit: DurationUnit): string {
  if (/%\s*$/.test(text)) return 'a percentage is not read here; write the number itself';
  const separators = separatorHint(text.trim());
  if (separators) return separators;
  const m = numberThenWord.exec(text);
  const typed = m && timeUnits.find(([pattern]) => pattern.test(m[2]));
  if (m && typed) {
    const [, what, seconds] = typed;
    if (what === unit) return `${name} is in ${unit} already: write ${name} ${m[1]}`;
    const counted = (n: number, plural: string) => `${n} ${n === 1 ? plural.slice(0, -1) : plural}`;
    if (seconds === undefined) {
      // Months and years vary, so they are not read; the days of a common reading are named for the user to choose.
      const days = what === 'months' ? 30 : 365;
      const value = Number(((Number(m[1]) * days * 86400) / secondsIn[unit]).toPrecision(4));
      return `${name} is in ${unit}: ${what} vary in length, so ${counted(Number(m[1]), what)} is not read; at ${days} days a ${what.slice(0, -1)} it is ${counted(value, unit)}: write ${name} ${value}`;
    }
    const value = Number(((Number(m[1]) * seconds) / secondsIn[unit]).toPrecision(4));
    return `${name} is in ${unit}: ${counted(Number(m[1]), what)} is ${counted(value, unit)}; write ${name} ${value}`;
  }
  if (m && m[2] === 'm') return `"m" could mean minutes or months; ${name} is in ${unit}: write the number of ${unit}`;
  // "Expected a number of hours" has been said already: the hint says what to write, not the same again.
  const leading = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*\S/.exec(text);
  if (leading) return `the words after the number are not read: write ${name} ${leading[1]}`;
  return `write it as a plain number, such as ${name} ${durationExample[unit]}`;
}

/**
 * A size suffix on a duration: `--days 1M` would be a million days (or was it a month?), `--target-hours
 * 2k` 2000 hours. Sizes are what the suffixes are for; a duration is written as its number, said with
 * the number to write where it is one.
 */
function durationSuffixProblem(text: string, name: string, unit: DurationUnit): string | undefined {
  const suffix = sizeSuffixOf(text);
  if (!suffix) return undefined;
  if (suffix === 'M')
    return `"M" could mean months or millions; a size suffix is not read on a duration: ${name} is in ${unit}, write the number of ${unit}, such as ${name} ${durationExample[unit]}`;
  const value = parseSuffixedNumber(text);
  return `a size suffix (${suffix}) is not read on a duration: ${name} is in ${unit}, write the number in full, ${name} ${value}`;
}

/**
 * What a value that is not a size is (a learning rate, a loss, a fraction) and an example of it: a size
 * suffix on it (`--peak-lr 3M`, `--target-loss 2k`) is a slip, refused rather than read as millions.
 */
interface PlainNumber {
  what: string;
  example: string;
}

/**
 * `7e10`, `70B`, `1.4T`, `2.5M`, `70b` → number; positive unless told otherwise, within 1e±100. The
 * suffixes are a file's (core/quantity.ts), so a size reads the same on a flag as in a cell. A
 * duration (`unit`) reads plain numbers and scientific notation (1e3) but no size suffix, and a value
 * not read is said in its unit, not as a size; a `plain` number takes no size suffix either.
 */
export function parseQuantity(
  text: string,
  name: string,
  { positive = true, unit, plain }: { positive?: boolean; unit?: DurationUnit; plain?: PlainNumber } = {},
): number {
  if (unit) {
    const problem = durationSuffixProblem(text, name, unit);
    if (problem) throw new UsageError(`${name}: expected a number of ${unit}, got "${text}": ${problem}`);
  }
  const suffix = plain && sizeSuffixOf(text);
  if (plain && suffix)
    throw new UsageError(
      `${name}: expected ${plain.what} such as ${plain.example}, got "${text}": a size suffix (${suffix}) is not read on ${plain.what}; write the number itself (scientific notation such as 1e-3 is read)`,
    );
  const value = parseSuffixedNumber(text);
  if (Number.isNaN(value) && unit)
    throw new UsageError(`${name}: expected a number of ${unit}, got "${text}": ${durationHint(text, name, unit)}`);
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
        : plain
          ? undefined // a size's hint ("write M for millions") would point to what a plain number refuses
          : suffixHint(text.trim());
    // A plain number is named as what it is, with its own example: 70B would be refused there.
    const expected = plain ? `${plain.what} such as ${plain.example}` : 'a number such as 7e10 or 70B';
    throw new UsageError(`${name}: expected ${expected}, got "${text}"${hint ? `: ${hint}` : ''}`);
  }
  if (!Number.isFinite(value)) throw new UsageError(`${name}: expected a finite number, got "${text}"`);
  if (positive && !(value > 0)) throw new UsageError(`${name}: expected a positive number, got "${text}"`);
  if (!withinMagnitude(value))
    throw new UsageError(
      `${name}: ${text.trim()} ${magnitudeProblem(value)}; expected a value between 1e-100 and 1e100`,
    );
  return value;
}
