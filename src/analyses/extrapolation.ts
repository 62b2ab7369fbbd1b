/**
 * How far a prediction reaches beyond the data a law was fitted on. A law fitted on runs up to
 * 1e21 FLOPs and used at 1e25 is an extrapolation of four decades; the output must say so.
 */
import { formatNumber } from '../core/format.js';

export function extrapolationWarnings(ranges: Record<string, [number, number]> | undefined, point: Partial<Record<'N' | 'D' | 'C' | 'U', number>>): string[] {
  const out: string[] = [];
  for (const [v, [lo, hi]] of Object.entries(ranges ?? {})) {
    const value = point[v as 'N' | 'D' | 'C' | 'U'];
    if (value === undefined) continue;
    if (value > hi * 1.0001) {
      const factor = value / hi;
      const severity = factor > 100 ? 'far beyond' : factor > 10 ? 'well beyond' : 'beyond';
      out.push(`${v} = ${formatNumber(value, 4)} is ${formatNumber(factor, 3)}× the largest ${v} in the fit's data (${formatNumber(hi, 4)}): ${severity} what the fit has seen`);
    } else if (value < lo / 1.0001) {
      out.push(`${v} = ${formatNumber(value, 4)} is below the smallest ${v} in the fit's data (${formatNumber(lo, 4)})`);
    }
  }
  return out;
}
