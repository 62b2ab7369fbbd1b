/**
 * Rolling-origin splits of a data set: fit on the training runs up to a cutoff in N, D or C, hold
 * out every run above it — the extrapolation a scaling law is for, replayed on runs whose outcome is
 * known. Checkpoints of one run stay together on one side of a cutoff: holding out the early
 * checkpoints of the largest run as if they were models ranks procedures wrongly. A held-out run is
 * scored at its final checkpoint (its largest D). Pure.
 */
import type { Dataset, Run } from './dataset.js';
import { runClusters } from './dataset.js';
import { extent } from '../core/statistics.js';

export type Axis = 'N' | 'D' | 'C';

/** One training run: its rows (checkpoints) and the final one, where it is scored. */
export interface TrainingRun {
  cluster: number;
  rows: Run[];
  final: Run;
  /** The run's value on the split axis: N, or its final D or C. */
  position: number;
}

function valueOn(run: Run, axis: Axis): number {
  if (axis === 'N') return run.N ?? NaN;
  if (axis === 'D') return run.D ?? (run.C !== undefined && run.N !== undefined ? run.C / (6 * run.N) : NaN);
  return run.C ?? (run.N !== undefined && run.D !== undefined ? 6 * run.N * run.D : NaN);
}

/** The data set's training runs, ordered by position on the axis (stable). */
export function trainingRuns(dataset: Dataset, axis: Axis): TrainingRun[] {
  const { index, count } = runClusters(dataset);
  const rows: Run[][] = Array.from({ length: count }, () => []);
  dataset.runs.forEach((r, i) => rows[index[i]].push(r));
  const out = rows.map((rs, cluster) => {
    let final = rs[0];
    for (const r of rs) if ((valueOn(r, 'D') || 0) >= (valueOn(final, 'D') || 0)) final = r;
    return { cluster, rows: rs, final, position: valueOn(final, axis) };
  });
  return out.sort((a, b) => a.position - b.position);
}

export interface CutoffOptions {
  /** How many cutoffs. @default 4 */
  folds?: number;
  /** Fewest training runs in a fit set. @default 6 */
  minFitRuns?: number;
  /** Fewest held-out runs above a cutoff. @default 1 */
  minHeldOut?: number;
}

/**
 * Cutoffs at distinct positions, spread evenly in rank between the first that leaves `minFitRuns`
 * runs to fit and the last that leaves `minHeldOut` runs to predict. Fewer than `folds` when the
 * data have fewer distinct positions.
 */
export function rollingCutoffs(runs: TrainingRun[], options: CutoffOptions = {}): number[] {
  const folds = options.folds ?? 4,
    minFit = options.minFitRuns ?? 6,
    minHeld = options.minHeldOut ?? 1;
  const positions = runs
    .map((r) => r.position)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const eligible: number[] = [];
  for (let i = 0; i < positions.length; i++) {
    const v = positions[i];
    if (i + 1 < positions.length && positions[i + 1] <= v * (1 + 1e-9)) continue; // not the last of equal values
    const fitCount = i + 1,
      held = positions.length - fitCount;
    if (fitCount >= minFit && held >= minHeld) eligible.push(v);
  }
  if (eligible.length <= folds) return eligible;
  const out: number[] = [];
  for (let k = 0; k < folds; k++) {
    const v = eligible[Math.round((k * (eligible.length - 1)) / (folds - 1 || 1))];
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

export interface Split {
  cutoff: number;
  /** The fit set: every row of the runs at or below the cutoff. */
  fit: Dataset;
  fitRuns: number;
  /** Runs above the cutoff, scored at their final checkpoint. */
  heldOut: TrainingRun[];
  /** Largest value on the axis in the fit set (the denominator of extrapolation ratios). */
  fitMax: number;
}

export function splitAt(dataset: Dataset, runs: TrainingRun[], axis: Axis, cutoff: number): Split {
  const below = runs.filter((r) => r.position <= cutoff * (1 + 1e-9));
  const above = runs.filter((r) => r.position > cutoff * (1 + 1e-9));
  const keep = new Set(below.flatMap((r) => r.rows));
  const fit: Dataset = {
    ...dataset,
    runs: dataset.runs.filter((r) => keep.has(r)),
    selection: `${axis} ≤ ${cutoff.toPrecision(4)}: ${below.length} of ${runs.length} runs`,
  };
  const fitMax = extent(below.flatMap((r) => r.rows.map((x) => valueOn(x, axis))))[1];
  return { cutoff, fit, fitRuns: below.length, heldOut: above, fitMax };
}

/** A run's value on an axis (N, its D, or its C), as splits use it. */
export { valueOn as axisValue };
