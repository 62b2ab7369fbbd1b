/**
 * Rolling-origin splits of a data set: fit on the training runs up to a cutoff in N, D or C, hold
 * out every run above it — the extrapolation a scaling law is for, replayed on runs whose outcome is
 * known. Checkpoints of one run stay together on one side of a cutoff: holding out the early
 * checkpoints of the largest run as if they were models ranks procedures wrongly. A held-out run is
 * scored at its final checkpoint (its largest D).
 *
 * Runs of one lineage (cooldown branches of one WSD trunk) share most of their training, so a fit set
 * holding one branch has seen the trunk of a held-out branch: the split leaks. A lineage is therefore
 * fitted only when all its runs are at or below the cutoff; a lineage that reaches above it is left
 * out of the fit whole — its runs above the cutoff are held out and scored as any other, its runs below
 * are withheld (neither fitted nor scored: scoring them would mix interpolation into the extrapolation
 * error). Runs without a lineage are their own. Pure.
 */
import type { Dataset, Run } from './dataset.js';
import { runClusters } from './dataset.js';
import { extent } from '../core/statistics.js';
import { InputError } from '../errors/index.js';

export type Axis = 'N' | 'D' | 'C';

/** One training run: its rows (checkpoints) and the final one, where it is scored. */
export interface TrainingRun {
  cluster: number;
  rows: Run[];
  final: Run;
  /** The run's value on the split axis: N, or its final D or C. */
  position: number;
  /** The run's lineage, when the data name one. */
  lineage?: string;
  /**
   * What a cutoff must reach for the run to be fitted: the largest position among its lineage's runs
   * (a lineage is fitted whole or not at all), or its own position without a lineage.
   */
  fitPosition: number;
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
  const out: TrainingRun[] = rows.map((rs, cluster) => {
    let final = rs[0];
    for (const r of rs) if ((valueOn(r, 'D') || 0) >= (valueOn(final, 'D') || 0)) final = r;
    const named = rs.find((r) => r.lineage !== undefined);
    // A row with a blank lineage is of the run's named lineage (the fit reads blanks so too, with a warning).
    const other = named && rs.find((r) => r.lineage !== undefined && r.lineage !== named.lineage);
    if (named && other)
      throw new InputError(
        {
          file: dataset.source,
          line: other.line,
          ...(dataset.columns.lineage ? { columnName: dataset.columns.lineage } : {}),
        },
        `run "${other.run ?? ''}" is in lineage "${other.lineage}" here and "${named.lineage}" at line ${named.line}; expected one lineage per run`,
      );
    const position = valueOn(final, axis);
    return { cluster, rows: rs, final, position, ...(named ? { lineage: named.lineage } : {}), fitPosition: position };
  });
  const reach = new Map<string, number>();
  for (const r of out)
    if (r.lineage !== undefined) reach.set(r.lineage, Math.max(reach.get(r.lineage) ?? -Infinity, r.position));
  for (const r of out) if (r.lineage !== undefined) r.fitPosition = reach.get(r.lineage)!;
  return out.sort((a, b) => a.position - b.position);
}

/** Whether a position is at or below a cutoff (with room for rounding in a cutoff read from text). */
const atOrBelow = (position: number, cutoff: number) => position <= cutoff * (1 + 1e-9);

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
 * data have fewer distinct positions. A run counts as fitted only when its whole lineage is at or
 * below the cutoff (`fitPosition`).
 */
export function rollingCutoffs(runs: TrainingRun[], options: CutoffOptions = {}): number[] {
  const folds = options.folds ?? 4,
    minFit = options.minFitRuns ?? 6,
    minHeld = options.minHeldOut ?? 1;
  const finite = runs.filter((r) => Number.isFinite(r.position));
  const positions = finite.map((r) => r.position).sort((a, b) => a - b);
  const reaches = finite.map((r) => r.fitPosition).sort((a, b) => a - b);
  const eligible: number[] = [];
  let fitCount = 0,
    lastFit = 0;
  for (let i = 0; i < positions.length; i++) {
    const v = positions[i];
    if (i + 1 < positions.length && atOrBelow(positions[i + 1], v)) continue; // not the last of equal values
    while (fitCount < reaches.length && atOrBelow(reaches[fitCount], v)) fitCount++;
    const held = positions.length - (i + 1);
    // A later cutoff that fits no more runs (a lineage reaching above it) only predicts fewer.
    if (fitCount >= minFit && held >= minHeld && fitCount > lastFit) {
      eligible.push(v);
      lastFit = fitCount;
    }
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
  /** The fit set: every row of the runs at or below the cutoff whose lineage is too. */
  fit: Dataset;
  fitRuns: number;
  /** Runs above the cutoff, scored at their final checkpoint. */
  heldOut: TrainingRun[];
  /**
   * Runs at or below the cutoff left out of the fit because their lineage reaches above it (its
   * held-out runs share their training), and not scored.
   */
  withheld: TrainingRun[];
  /** Largest value on the axis in the fit set (the denominator of extrapolation ratios). */
  fitMax: number;
}

export function splitAt(dataset: Dataset, runs: TrainingRun[], axis: Axis, cutoff: number): Split {
  const below = runs.filter((r) => atOrBelow(r.fitPosition, cutoff));
  const above = runs.filter((r) => !atOrBelow(r.position, cutoff));
  const withheld = runs.filter((r) => atOrBelow(r.position, cutoff) && !atOrBelow(r.fitPosition, cutoff));
  const keep = new Set(below.flatMap((r) => r.rows));
  const fit: Dataset = {
    ...dataset,
    runs: dataset.runs.filter((r) => keep.has(r)),
    selection: `${axis} ≤ ${cutoff.toPrecision(4)}: ${below.length} of ${runs.length} runs${withheld.length ? ` (${withheld.length} more left out with their lineage, which reaches above)` : ''}`,
  };
  const fitMax = extent(below.flatMap((r) => r.rows.map((x) => valueOn(x, axis))))[1];
  return { cutoff, fit, fitRuns: below.length, heldOut: above, withheld, fitMax };
}

/** A run's value on an axis (N, its D, or its C), as splits use it. */
export { valueOn as axisValue };
