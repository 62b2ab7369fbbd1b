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

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Percent with one decimal. */
export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** Pad to a column width (for aligned report tables). */
export function pad(s: string, width: number): string {
  return s.length >= width ? s : s + ' '.repeat(width - s.length);
}
