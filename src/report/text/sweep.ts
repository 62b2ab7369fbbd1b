/**
 * A sweep plan as text: one row per phase and budget (runs, sizes, learning rate, time) and the
 * designer's notes. Pure (data in, string out).
 */
import { formatNumber, formatRange } from '../../core/format.js';
import { textTable } from '../../core/table.js';
import type { FlopsSweepDesign, SweepDesign } from '../../experiments/design.js';

/**
 * A phase's or plan's time in the unit that shows it: a plan for a CPU takes seconds or minutes, which
 * hours to two decimals printed as "0.00" (walk26). Two significant digits, as the budgets are planned.
 */
function duration(seconds: number): string {
  if (seconds < 60) return `${formatNumber(seconds, 2)} s`;
  if (seconds < 3600) return `${formatNumber(seconds / 60, 2)} min`;
  return `${formatNumber(seconds / 3600, 3)} h`;
}

function sweepTable(d: SweepDesign): string {
  const rows: string[][] = [];
  if (d.probe.length)
    rows.push([
      'lr probe',
      formatNumber(d.probe[0].C, 3),
      String(d.probe.length),
      formatNumber(d.probe[0].N, 3),
      formatRange([d.probe[0].config.learning_rate, d.probe[d.probe.length - 1].config.learning_rate], 2),
      duration(d.seconds.probe),
    ]);
  for (const C of d.budgets) {
    const rs = d.isoflop.filter((r) => r.C === C);
    rows.push([
      'isoflop',
      formatNumber(C, 3),
      String(rs.length),
      rs.length ? formatRange([Math.min(...rs.map((r) => r.N)), Math.max(...rs.map((r) => r.N))], 2) : '–',
      // With a probe planned, the rate is its result (the configurations hold a placeholder).
      rs.length ? (d.probe.length ? "probe's best" : formatNumber(rs[0].config.learning_rate, 3)) : '–',
      // A budget left with no runs takes no time: a dash, as its sizes and rate, not "0 s".
      rs.length ? duration(rs.reduce((s, r) => s + r.seconds, 0)) : '–',
    ]);
  }
  return textTable(['phase', 'budget C', 'runs', 'N', 'learning rate', 'time'], rows);
}

/** `sweep plan`'s report: budgets in hours, or in FLOPs (with the hours they take on the hardware). */
export function sweepPlanReport(
  d: SweepDesign,
  budget: { targetHours: number; experimentHours: number } | { targetFlops: number; experimentFlops: number },
): string {
  const runs = d.probe.length + d.isoflop.length;
  const head =
    'targetFlops' in budget
      ? `IsoFLOP sweep for a ${formatNumber(budget.targetFlops, 3)} FLOPs target within ${formatNumber(budget.experimentFlops, 3)} FLOPs of experiments: ${runs} runs, ${formatNumber((d as FlopsSweepDesign).flops.total, 3)} FLOPs (about ${duration(d.seconds.total)})`
      : `IsoFLOP sweep for a ${budget.targetHours} h target within ${budget.experimentHours} h of experiments: ${runs} runs, ${duration(d.seconds.total)}`;
  return `${head}\n${sweepTable(d)}\n${d.notes.map((n) => `  - ${n}`).join('\n')}\n`;
}
