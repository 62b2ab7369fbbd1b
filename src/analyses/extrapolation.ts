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
  of = "the fit's data",
  /** Where the ranges come from, when not the fit's own data (a preset's paper). */
  source?: string,
): TrustWarning[] {
  const cite = source ? `; ${source}` : '';
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
          `${v} = ${formatNumber(value, 4)} is ${formatNumber(factor, 3)}× the largest ${v} in ${of} (${formatNumber(hi, 4)}${cite}): ${how} what the law has seen`,
        ),
      );
    } else if (value < lo / 1.0001) {
      // Below the data is an extrapolation too: a law fitted on 70M-parameter models says nothing of a
      // 2-parameter one (a plan at 1e3 FLOPs gave one, silently).
      const factor = lo / value;
      out.push(
        warning(
          'extrapolation',
          factor > 100 ? 'severe' : factor > 10 ? 'warning' : 'info',
          `${v} = ${formatNumber(value, 4)} is below the smallest ${v} in ${of} (${formatNumber(lo, 4)}${cite})${factor > 10 ? `, by ${formatNumber(factor, 3)}×: ${factor > 100 ? 'far' : 'well'} outside what the law has seen` : ''}`,
        ),
      );
    }
  }
  return out;
}

/**
 * A published hyperparameter law used at `x` (its C or N): warned as a law fitted on data is, against
 * the range its paper states (none where the paper states none: `rangeSource` then says so).
 */
export function presetRangeWarnings(
  preset: { id: string; variable: 'C' | 'N'; range?: [number, number]; rangeSource: string },
  x: number,
): TrustWarning[] {
  if (!preset.range) return [];
  return extrapolationWarnings(
    { [preset.variable]: preset.range },
    { [preset.variable]: x },
    `the runs preset ${preset.id} was fitted on`,
    preset.rangeSource,
  );
}
