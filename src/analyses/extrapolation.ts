/**
 * How far a prediction reaches beyond the data a law was fitted on. A law fitted on runs up to
 * 1e21 FLOPs and used at 1e25 is an extrapolation of four decades; the output must say so.
 * Severity grows with the factor: up to 10× is what scaling laws are for (info), 10–100× is where the
 * project's benchmark errors grow to several per cent (warning), beyond 100× no back-test here
 * reaches (severe).
 */
import { formatNumber } from '../core/format.js';
import { warning, type TrustWarning } from '../fit/warnings.js';

export function extrapolationWarnings(
  ranges: Record<string, [number, number]> | undefined,
  point: Partial<Record<'N' | 'D' | 'C' | 'U', number>>,
): TrustWarning[] {
  const out: TrustWarning[] = [];
  for (const [v, [lo, hi]] of Object.entries(ranges ?? {})) {
    const value = point[v as 'N' | 'D' | 'C' | 'U'];
    if (value === undefined) continue;
    if (value > hi * 1.0001) {
      const factor = value / hi;
      const [severity, how] =
        factor > 100
          ? (['severe', 'far beyond'] as const)
          : factor > 10
            ? (['warning', 'well beyond'] as const)
            : (['info', 'beyond'] as const);
      out.push(
        warning(
          'extrapolation',
          severity,
          `${v} = ${formatNumber(value, 4)} is ${formatNumber(factor, 3)}× the largest ${v} in the fit's data (${formatNumber(hi, 4)}): ${how} what the fit has seen`,
        ),
      );
    } else if (value < lo / 1.0001) {
      out.push(
        warning(
          'extrapolation',
          'info',
          `${v} = ${formatNumber(value, 4)} is below the smallest ${v} in the fit's data (${formatNumber(lo, 4)})`,
        ),
      );
    }
  }
  return out;
}
