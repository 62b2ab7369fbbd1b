// Grouping runs by the order of magnitude of one variable; in io/, below both the IsoFLOP analysis
// (analyses/isoflop.ts) and the hyperparameter laws (hparams/laws.ts) that group runs this way. Pure.
import type { Run } from './dataset.js';

/**
 * Densest clusters of log10 of one variable within ±tolerance decades, each with at least minRuns
 * runs, largest first then sorted by centre; what no cluster takes is left unassigned. IsoFLOP
 * budgets are clusters in C; learning-rate sweeps group by C or N the same way.
 */
export function clusterByLog10(
  runs: Run[],
  key: 'C' | 'N',
  tolerance: number,
  minRuns: number,
): { groups: { centre: number; members: Run[] }[]; unassigned: Run[] } {
  const remaining = runs.map((r) => ({ run: r, x: Math.log10(r[key]!) }));
  const groups: { centre: number; members: Run[] }[] = [];
  for (;;) {
    let bestIndex = -1,
      bestCount = 0;
    for (let i = 0; i < remaining.length; i++) {
      let count = 0;
      for (const o of remaining) if (Math.abs(o.x - remaining[i].x) <= tolerance) count++;
      if (count > bestCount) {
        bestCount = count;
        bestIndex = i;
      }
    }
    if (bestIndex < 0 || bestCount < minRuns) break;
    // Recentre on the members' mean, then take everything within the tolerance of it.
    const seed = remaining[bestIndex].x;
    const near = remaining.filter((o) => Math.abs(o.x - seed) <= tolerance);
    const centre = near.reduce((a, o) => a + o.x, 0) / near.length;
    const members = remaining.filter((o) => Math.abs(o.x - centre) <= tolerance);
    if (members.length < minRuns) break;
    groups.push({ centre, members: members.map((o) => o.run) });
    for (const m of members) remaining.splice(remaining.indexOf(m), 1);
  }
  return { groups: groups.sort((a, b) => a.centre - b.centre), unassigned: remaining.map((o) => o.run) };
}
