/**
 * Numbers as people write model and data sizes: `7e10`, `70B`, `1.4T`, `2.5M`, `500k`. One parser
 * for the command line and for files of runs, so `70B` means the same in both.
 */

/** Suffixes and their factors; b, t and k are accepted in either case (70b, 1.4t). */
const suffixes: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, B: 1e9, b: 1e9, G: 1e9, T: 1e12, t: 1e12, P: 1e15 };

const pattern = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-zA-Z]?)\s*$/;

/** `text` as a number, with an optional size suffix; NaN when it is not one (see suffixHint). */
export function parseSuffixedNumber(text: string): number {
  const m = pattern.exec(text);
  if (!m) return NaN;
  if (m[2] && suffixes[m[2]] === undefined) return NaN;
  return Number(m[1]) * (m[2] ? suffixes[m[2]] : 1);
}

/** The size suffix `text` is written with (`1M` → M), undefined for a plain number or anything not read. */
export function sizeSuffixOf(text: string): string | undefined {
  const m = pattern.exec(text);
  return m && m[2] && suffixes[m[2]] !== undefined ? m[2] : undefined;
}

/**
 * Why a number with a letter after it was not read, when it looks like a size with a suffix that
 * is not one (`70m`: milli or mega?), for the error message; undefined otherwise.
 */
export function suffixHint(text: string): string | undefined {
  const separators = separatorHint(text.trim());
  if (separators) return separators;
  const m = pattern.exec(text);
  if (!m || !m[2] || suffixes[m[2]] !== undefined) return undefined;
  const upper = m[2].toUpperCase();
  if (m[2] === 'm') {
    // The number meant, in full, for this value (125m: 1.25e8), not one example for every value.
    const full = Number((Number(m[1]) * 1e6).toPrecision(12))
      .toExponential()
      .replace('e+', 'e');
    return `a lowercase m could mean milli or mega: write ${m[1]}M for millions, or the number in full (${full})`;
  }
  if (suffixes[upper] !== undefined) return `write ${m[1]}${upper} (suffixes: k, M, B, G, T, P)`;
  return `"${m[2]}" is not a size suffix (k, M, B, G, T, P: 7e10 = 70B)`;
}

/**
 * A number written with separators, as spreadsheets and locales print it: `3,145,728` or `3_145_728`
 * (thousands), `9,00823` (a decimal comma). Not read, since a comma is ambiguous between the two;
 * said with the number to write instead.
 */
export function separatorHint(t: string): string | undefined {
  // An exponent or a size suffix may follow (1,5e3, 1,3B from a decimal-comma locale): kept as written.
  const m = /^([+-]?)(\d+)([,_])(\d+(?:[,_]\d+)*)(\.\d+)?([eE][+-]?\d+)?([kKMbBGtTP]?)$/.exec(t);
  if (!m) return undefined;
  const [, sign, first, sep, rest, fraction = '', power = '', suffix = ''] = m;
  const exponent = power + suffix;
  const groups = rest.split(/[,_]/);
  const thousands = first.length <= 3 && groups.every((g) => g.length === 3);
  const whole = `${sign}${first}${groups.join('')}${fraction}${exponent}`;
  if (sep === '_' || groups.length > 1 || fraction)
    return thousands ? `thousands separators are not read: write ${whole}` : undefined;
  const decimal = `${sign}${first}.${rest}${exponent}`;
  return thousands
    ? `a comma is not read in a number: write ${whole} if it separates thousands, ${decimal} if it is a decimal comma`
    : `a decimal comma is not read: write ${decimal}`;
}
