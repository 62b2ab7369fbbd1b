/**
 * Number formatting for reports: enough significant digits to reproduce a fit, no trailing noise.
 */

/** `value` with `digits` significant digits; scientific notation outside [1e-3, 1e6). */
export function formatNumber(value: number, digits = 6): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const a = Math.abs(value);
  if (a >= 1e6 || a < 1e-3) {
    const [m, e] = value.toExponential(digits - 1).split('e');
    return `${trimZeros(m)}e${e.replace('+', '')}`;
  }
  const text = value.toPrecision(digits);
  if (text.includes('e')) {
    const [m, e] = text.split('e');
    return `${trimZeros(m)}e${e.replace('+', '')}`;
  }
  return trimZeros(text);
}

/**
 * A value quoted back in an error, as a user would write it: 6 significant digits at most, no
 * padding, and a denormal as typed (1e308, 5e-324, 1.2e18, -0.16, 3.25).
 */
export function plain(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const v = Number(value.toPrecision(6)),
    a = Math.abs(v);
  return (a >= 1e6 || (a > 0 && a < 1e-3) ? v.toExponential() : String(v)).replace('e+', 'e');
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/**
 * An interval as reports write it, `[lo, hi]`: each end with `digits` significant digits
 * (formatNumber), or written by the given function; `label` goes inside the bracket, before the
 * ends (`[95 % lo, hi]`). Every report and command writes its intervals through this function
 * (test/interval-format.test.ts).
 */
export function formatInterval(
  interval: readonly [number, number],
  digits: number | ((x: number) => string) = 3,
  label = '',
): string {
  const f = typeof digits === 'number' ? (x: number) => formatNumber(x, digits) : digits;
  return `[${label}${f(interval[0])}, ${f(interval[1])}]`;
}

/**
 * A range of values as tables write it, `lo–hi` (the sizes of a sweep, the rates of a probe): each
 * end with `digits` significant digits or written by the given function, joined by `separator`
 * (` – ` in a sentence).
 */
export function formatRange(
  range: readonly [number, number],
  digits: number | ((x: number) => string) = 3,
  separator = '–',
): string {
  const f = typeof digits === 'number' ? (x: number) => formatNumber(x, digits) : digits;
  return `${f(range[0])}${separator}${f(range[1])}`;
}

/**
 * A whole count (steps, tokens) in full while a double holds it exactly (up to 2^53), in the reports'
 * e-notation beyond, where its last digits are rounding (1.9047619047619046e+22 read as exact).
 */
export function formatCount(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : formatNumber(n);
}

/** A count and its noun, plural unless one: "1 run", "3 runs" (nouns that take an s). */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Percent with one decimal. */
export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

/**
 * A signed difference with `decimals` decimals and its unit: "+4.2 %", "−1.3 pts" (a true minus). A value
 * that rounds to zero is written without a sign ("0.0 pts"): a tiny negative error is no error below the
 * truth, and "−0.0" reads as one. Every signed error the reports print goes through this.
 */
export function formatSigned(value: number, decimals: number, unit: string): string {
  const magnitude = Math.abs(value).toFixed(decimals);
  const sign = Number(magnitude) === 0 ? '' : value > 0 ? '+' : '−';
  return `${sign}${magnitude} ${unit}`;
}

/** A relative error as the downstream tables write it: a sign (− a true minus), one decimal, "+4.2 %". */
export function formatSignedPercent(fraction: number): string {
  return formatSigned(100 * fraction, 1, '%');
}

/** Pad to a column width (for aligned report tables). */
export function pad(s: string, width: number): string {
  return s.length >= width ? s : s + ' '.repeat(width - s.length);
}

/**
 * `text` cut to at most `max` characters at a word boundary, with an ellipsis when cut (a word
 * longer than `max` is cut inside it, as nothing better fits).
 */
export function truncateAtWord(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const room = flat.slice(0, max - 1);
  const space = room.lastIndexOf(' ');
  return `${(space > max / 3 ? room.slice(0, space) : room).replace(/[\s,;:.(–-]+$/, '')}…`;
}

/**
 * A failure reason cut to `max` characters for a table. A failed command's reason ends with the last
 * lines of its stderr joined by " | " (a Python traceback, say), whose last line says what went
 * wrong: when it is cut, the reason keeps its head ("exit code 1") and that last line
 * ("exit code 1: … ModuleNotFoundError: No module named 'torch'"), not the traceback's first words.
 */
export function shortReason(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const bar = flat.lastIndexOf(' | ');
  const colon = flat.indexOf(': ');
  if (bar < 0 || colon < 0 || colon > bar) return truncateAtWord(flat, max);
  const head = flat.slice(0, colon);
  const last = flat.slice(bar + 3).trim();
  const room = max - head.length - ': … '.length;
  if (room < 20 || !last) return truncateAtWord(flat, max);
  return `${head}: … ${truncateAtWord(last, room)}`;
}
