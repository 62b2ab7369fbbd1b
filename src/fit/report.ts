/**
 * The human-readable fit report, in the spirit of lmfit's fit_report: fixed sections (fit,
 * parameters with intervals, derived quantities, residuals, warnings), and it says why something
 * is missing (no interval without --bootstrap). Pure: returns a string.
 */
import { formatNumber, formatPercent, pad } from '../core/format.js';
import { getLaw } from '../laws/index.js';
import type { FitJson } from './summary.js';

export function fitReport(fit: FitJson): string {
  const law = getLaw({ law: fit.law, x: fit.variable });
  const lines: string[] = [];
  const row = (k: string, v: string) => lines.push(`    ${pad(k, 12)} ${v}`);
  lines.push(`[[Fit]] ${fit.law}: ${fit.formula}`);
  row('law', fit.citation);
  const cols = Object.entries(fit.data.columns)
    .map(([f, c]) => (f === c ? f : `${f} ← "${c}"`))
    .join(', ');
  const derived = Object.entries(fit.data.derived)
    .map(([f, how]) => `${f} = ${how}`)
    .join(', ');
  row('data', `${fit.data.source}: ${fit.data.runs} runs (${cols}${derived ? `; ${derived}` : ''})${fit.data.selection ? `; ${fit.data.selection}` : ''}`);
  const lossText =
    fit.loss.kind === 'ls'
      ? 'least squares on ln L, summed'
      : `${fit.loss.kind === 'asymmetric' ? `asymmetric Huber (over-prediction ×${fit.loss.overestimatePenalty}, ` : 'Huber ('}δ = ${fit.loss.delta}) on ln L, summed`;
  row('loss', lossText);
  row('objective', fit.objective.toExponential(7));
  const how =
    fit.init.method === 'auto'
      ? `auto: ${fit.init.evaluated} grid points scored, ${fit.starts} best distinct refined`
      : fit.init.method === 'given'
        ? 'from the given start'
        : `${fit.init.method}: all ${fit.starts} grid points refined`;
  row('starts', `${how}; ${fit.startsAtBest} of ${fit.starts} reached the best optimum`);
  const degenerate = fit.warnings.some((w) => w.includes('degenerate'));
  row('converged', `${fit.converged ? 'yes' : 'NO'} (${fit.reason}, gradient norm ${fit.gradientNorm.toExponential(1)})${degenerate ? ', but to a DEGENERATE optimum: see warnings' : ''}`);
  if (Object.keys(fit.fixed).length) row('fixed', Object.entries(fit.fixed).map(([k, v]) => `${k} = ${v}`).join(', '));
  if (Object.keys(fit.ties).length) row('tied', Object.entries(fit.ties).map(([k, v]) => `${k} = ${v}`).join(', '));

  const level = fit.bootstrap ? `${Math.round(fit.bootstrap.level * 100)} % interval` : '';
  lines.push(
    `[[Parameters]]${fit.bootstrap ? `${' '.repeat(16)}${level} (${fit.bootstrap.converged} bootstrap replicates, seed ${fit.bootstrap.seed})` : '   (no intervals: run with --bootstrap N)'}`,
  );
  for (const p of law.params) {
    const v = fit.params[p.name];
    const status = fit.fixed[p.name] !== undefined ? '(fixed)' : fit.ties[p.name] !== undefined ? `(= ${fit.ties[p.name]})` : '';
    const ci = fit.intervals?.[p.name];
    lines.push(`    ${pad(p.symbol, 8)} ${pad(formatNumber(v), 14)} ${ci ? `[${formatNumber(ci[0], 4)}, ${formatNumber(ci[1], 4)}]` : status}   ${p.description}`);
  }
  const derivedDefs = law.derived?.(fit.params) ?? {};
  if (Object.keys(derivedDefs).length) {
    lines.push('[[Derived]]');
    for (const [k, d] of Object.entries(derivedDefs)) {
      const ci = fit.derivedIntervals?.[k];
      lines.push(`    ${pad(d.symbol, 8)} ${pad(formatNumber(d.value), 14)} ${ci ? `[${formatNumber(ci[0], 4)}, ${formatNumber(ci[1], 4)}]   ` : ''}${d.description}`);
    }
  }
  lines.push('[[Residuals]] r = ln L̂ − ln L');
  row('rms', formatNumber(fit.residuals.rmsLog, 4));
  row('max |r|', formatNumber(fit.residuals.maxAbsLog, 4));
  row('median', `|L̂/L − 1| = ${formatPercent(fit.residuals.medianAbsRelative, 2)}`);
  lines.push('[[Warnings]]');
  if (fit.warnings.length === 0) lines.push('    none');
  for (const w of fit.warnings) lines.push(`    - ${w}`);
  return lines.join('\n');
}
