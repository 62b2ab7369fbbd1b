/**
 * Parsing of CLI option values: numbers with SI-style suffixes, NAME=VALUE lists, enums. Loose
 * strings in, checked values out, one error shape (UsageError naming the flag).
 */
import { namedBudgets } from '../analyses/frontier.js';
import { closestNames } from '../core/names.js';
import { plain } from '../core/format.js';
import { exponentSlip } from '../core/slips.js';
import { UsageError } from '../errors/index.js';
import { parseColumnMapping } from '../io/parseRuns.js';
import { noGroup } from '../io/dataset.js';
import { parseQuantity } from '../io/parseQuantity.js';
import { parseSuffixedNumber, separatorHint } from '../core/quantity.js';

// Shared with the web app's forms, so it lives in the library.
export { parseQuantity };

/** Values that are not sizes, for parseQuantity's `plain`: a size suffix on one (--peak-lr 3M) is refused. */
export const plainNumber = {
  learningRate: { what: 'a learning rate', example: '3e-4' },
  loss: { what: 'a loss', example: '2.1' },
  fraction: { what: 'a fraction', example: '0.1' },
  decades: { what: 'a number of decades', example: '0.05' },
} as const;

/**
 * A fraction given as a number (0.0025) or a percentage with its sign (0.25%): a percentage typed
 * as a plain number is the usual slip, and the range check that catches it is the caller's.
 */
export function parseFraction(text: string, flag: string): number {
  const percent = /^\s*(.*?)\s*%\s*$/.exec(text);
  if (!percent) return parseQuantity(text, flag, { positive: false });
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(percent[1]))
    throw new UsageError(`${flag}: expected a fraction such as 0.0025 or a percentage such as 0.25%, got "${text}"`);
  return parseQuantity(percent[1], flag, { positive: false }) / 100;
}

/** A scaling law's exponent such as 0.21: positive, and not a decimal point dropped (21). */
export function parseExponent(text: string, flag: string): number {
  const value = parseQuantity(text, flag);
  const slip = exponentSlip(value);
  if (slip) throw new UsageError(`${flag}: ${slip}`);
  return value;
}

/**
 * An interval level such as 0.95, or as a percentage (95%): strictly between 0 and 1. A percentage typed
 * as a plain number (95) is refused naming the fraction meant.
 */
export function parseLevel(text: string, flag = '--level'): number {
  const percent = /%\s*$/.test(text);
  const value = percent ? parseFraction(text, flag) : parseQuantity(text, flag);
  // "0.95%" is a fraction written with a percent sign: read as such it is a level of 0.0095, an
  // interval of almost no width, which no one asks for.
  if (percent && value > 0 && value < 0.01) {
    const meant = Number((value * 100).toPrecision(12));
    throw new UsageError(
      `${flag}: "${text}" is a level of ${value}; expected a percentage such as 95% or a fraction such as 0.95 (write ${meant} or ${Number((meant * 100).toPrecision(12))}%)`,
    );
  }
  if (!(value > 0 && value < 1)) {
    const meant = value >= 50 && value < 100 ? ` (a percentage? write ${value / 100} or ${value}%)` : '';
    throw new UsageError(`${flag}: expected an interval level between 0 and 1 such as 0.95, got "${text}"${meant}`);
  }
  return value;
}

/** The slope of an interval's extrapolation term (`--extrapolation`): a number ≥ 0, 0 for none. */
export function parseExtrapolation(text: string, flag = '--extrapolation'): number {
  const value = parseQuantity(text, flag, { positive: false });
  if (!(value >= 0)) throw new UsageError(`${flag}: expected a slope ≥ 0 (0: no extrapolation term), got "${text}"`);
  return value;
}

/**
 * IsoFLOP budgets: "auto" (found in the data), a named set ("chinchilla") or a list of numbers. A word
 * that is neither is refused as such, with the nearest name, not as "expected a number".
 */
export function parseBudgets(text: string, flag = '--budgets'): 'auto' | number[] {
  const t = text.trim();
  if (t === 'auto') return 'auto';
  const named = namedBudgets[t];
  if (named) return [...named];
  const names = ['auto', ...Object.keys(namedBudgets)];
  if (/^[a-z][a-z0-9_-]*$/i.test(t) && !/^\d/.test(t)) {
    const near = closestNames(t, names, 1)[0];
    throw new UsageError(
      `${flag}: expected ${names.join(', ')} or a comma-separated list of budgets such as 6e18,1e19, got "${t}" (did you mean ${near}?)`,
    );
  }
  const budgets = parseList(t, flag);
  // A budget given twice would be fitted and reported twice, as if it were two.
  const twice = budgets.find((b, i) => budgets.indexOf(b) !== i);
  if (twice !== undefined)
    throw new UsageError(`${flag}: budget ${plain(twice)} is given twice; give each budget once`);
  return budgets;
}

export function parseInteger(text: string, flag: string, min = 0): number {
  // 1000 as people also write it (1e3, 1k): a whole number all the same.
  const v = /^\s*\d+\s*$/.test(text) ? Number(text) : parseSuffixedNumber(text.trim());
  if (!Number.isSafeInteger(v) || v < 0) {
    // 2,000 as a spreadsheet prints it: the number to write, as the README promises (a whole number has no decimal comma to offer).
    const t = text.trim();
    const hint = /^\d{1,3}([,_]\d{3})+$/.test(t)
      ? `; thousands separators are not read: write ${t.replace(/[,_]/g, '')}`
      : separatorHint(t) !== undefined
        ? `; ${separatorHint(t)}`
        : '';
    throw new UsageError(
      `${flag}: expected a whole number${min > 0 ? ` of at least ${min}` : ' (0 or more)'}, got "${text}"${hint}`,
    );
  }
  if (v < min) throw new UsageError(`${flag}: expected at least ${min}, got ${v}`);
  return v;
}

/**
 * Bootstrap replicates: 0 (none) or at least 2. One replicate gives no interval, only a failure
 * that reads oddly ("0 of 1 replicates failed"), so it is refused here.
 */
export function parseReplicates(text: string, flag: string): number {
  const v = parseInteger(text, flag, 0);
  if (v === 1) throw new UsageError(`${flag}: expected 0 (no intervals) or at least 2 replicates, got 1`);
  return v;
}

/** `E=1.69,A=406.4` → { E: 1.69, A: 406.4 }. */
export function parseAssignments(text: string, flag: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const [k, v, extra] = part.split('=');
    if (extra !== undefined || v === undefined || k.trim() === '')
      throw new UsageError(`${flag}: expected NAME=VALUE pairs separated by commas, got "${part}"`);
    out[k.trim()] = parseQuantity(v, `${flag} ${k.trim()}`, { positive: false });
  }
  return out;
}

/** `beta=alpha` → { beta: 'alpha' }. */
export function parseTies(text: string, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const [k, v, extra] = part.split('=');
    if (extra !== undefined || v === undefined || !k.trim() || !v.trim())
      throw new UsageError(`${flag}: expected NAME=OTHER pairs, got "${part}"`);
    out[k.trim()] = v.trim();
  }
  return out;
}

/** Value must be one of `allowed` (Observable Plot's `keyword`). */
export function keyword<T extends string>(value: string, flag: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${flag}: invalid value "${value}" (expected ${allowed.join(', ')})`);
  return value as T;
}

/**
 * `--columns`, `--group` and `--lineage` as readRuns options: which columns hold which field, which
 * rows to keep, which column a bootstrap draws together.
 */
export function runSelection(flags: { columns?: string; group?: string; lineage?: string }): {
  columns?: ReturnType<typeof parseColumnMapping>;
  groups?: string[];
  lineage?: string;
} {
  // The runs with no group are the empty group to the readers (parseRuns, selectGroups): named by the
  // reserved '(no group)', as the web app's box for them, since a blank name is dropped here. A group cell
  // that says "(no group)" is selected with them (the web's box holds both), never left unselectable.
  const groups = flags.group
    ?.split(',')
    .map((g) => g.trim())
    .filter(Boolean)
    .flatMap((g) => (g === noGroup ? ['', noGroup] : [g]));
  if (flags.group !== undefined && !groups?.length)
    throw new UsageError(
      `--group: expected one or more group names separated by commas (the runs whose group cell is blank are '${noGroup}')`,
    );
  if (flags.lineage !== undefined && flags.lineage.trim() === '')
    throw new UsageError('--lineage: expected a column name (runs with equal values are drawn together)');
  return {
    columns: flags.columns ? parseColumnMapping(flags.columns) : undefined,
    groups,
    ...(flags.lineage !== undefined ? { lineage: flags.lineage.trim() } : {}),
  };
}

/**
 * A comma-separated list of names (model ids, say), blanks dropped; an empty list is refused at its
 * flag, where it used to reach the analysis and be blamed on something else.
 */
export function parseNames(text: string, flag: string, what: string): string[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0)
    throw new UsageError(`${flag}: expected a comma-separated list of ${what}, got an empty list ("${text}")`);
  return names;
}

/** `1e23,1e24` or `70B,1.4T` → numbers: a flag's comma-separated list. */
export function parseList(text: string, flag: string): number[] {
  const values = text
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => parseQuantity(s, flag));
  if (values.length === 0) throw new UsageError(`${flag}: expected a comma-separated list of numbers, got "${text}"`);
  return values;
}
