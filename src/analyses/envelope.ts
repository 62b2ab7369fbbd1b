/**
 * Chinchilla's Approach 1, the minimum over training curves (Hoffmann et al. 2022 §3.1): on a
 * log-spaced grid of compute values, take the lowest loss any run reaches at that compute
 * (C = 6·N·tokens seen, interpolating linearly in ln C along each curve), record which N gives it,
 * and fit N_opt ∝ C^a, D_opt ∝ C^b through the chosen points. Pure.
 *
 * Only points whose lowest-loss run is an interior size are fitted: where the smallest model wins, no
 * smaller one was run to compete, so it wins by default (curves logged from early in training put the
 * grid decades below where it is optimal), and likewise the largest at the top: neither locates an
 * optimum, as an IsoFLOP profile's edge does not. Fitting through those points pulled a from 0.452 to
 * 0.368 on a ladder logged from 0.1 tokens per parameter (docs/methods.md §8).
 */
import { InputError } from '../errors/index.js';
import type { Dataset, Run } from '../io/dataset.js';
import type { PowerFit } from '../core/linearRegression.js';
import { optimumPowerLaws } from './computeOptimal.js';
import { formatNumber, plain } from '../core/format.js';

export interface Curve {
  id: string;
  N: number;
  /** ln C at each checkpoint, increasing. */
  lnC: number[];
  loss: number[];
  firstLine: number;
}

export interface EnvelopePoint {
  C: number;
  N: number;
  D: number;
  loss: number;
  run: string;
}

/** How many grid points the envelope had, how many were fitted, and how many each edge size won and lost. */
export interface EnvelopeCount {
  /** Grid points covered by at least two curves. */
  grid: number;
  /** Points N_opt ∝ C^a was fitted through. */
  fitted: number;
  /** Points won by the smallest / largest model, left out of the fit (0 when kept: see `edgesKept`). */
  smallest: number;
  largest: number;
  /** Fewer than two interior sizes ever win: every point was fitted, edge winners included. */
  edgesKept: boolean;
}

export interface EnvelopeResult {
  curves: number;
  /** The envelope points the frontier was fitted through (interior winners, unless `count.edgesKept`). */
  points: EnvelopePoint[];
  count: EnvelopeCount;
  N: PowerFit;
  D: PowerFit;
  warnings: string[];
}

/**
 * Training curves from runs with a `run` column and tokens seen (D) per checkpoint.
 * @throws InputError when the data are not curves (no run column, one checkpoint, N changing)
 */
export function trainingCurves(dataset: Dataset): Curve[] {
  if (dataset.columns.run === undefined) {
    throw new InputError(
      { file: dataset.source, line: 1 },
      (o) =>
        `Approach 1 needs training curves: a "run" column naming each run, with N, tokens seen so far (D) and loss at every checkpoint; the file has no run column (map one with ${o('columns')} run=NAME)`,
    );
  }
  if (dataset.columns.D === undefined && dataset.columns.C === undefined) {
    throw new InputError(
      { file: dataset.source, line: 1 },
      'Approach 1 needs the tokens seen at each checkpoint: a D column (or C = 6·N·tokens)',
    );
  }
  const byRun = new Map<string, Run[]>();
  for (const r of dataset.runs) {
    const id = r.run ?? '';
    if (id === '')
      throw new InputError(
        { file: dataset.source, line: r.line, columnName: dataset.columns.run },
        'this checkpoint has no run id: expected the name of its training run',
      );
    if (!byRun.has(id)) byRun.set(id, []);
    byRun.get(id)!.push(r);
  }
  const curves: Curve[] = [];
  for (const [id, rows] of byRun) {
    const N = rows[0].N!;
    const changed = rows.find((r) => Math.abs(r.N! / N - 1) > 1e-9);
    if (changed) {
      throw new InputError(
        { file: dataset.source, line: changed.line, columnName: dataset.columns.N },
        `run "${id}" changes N from ${plain(N)} to ${plain(changed.N!)}: each run must have one model size`,
      );
    }
    if (rows.length < 2) {
      throw new InputError(
        { file: dataset.source, line: rows[0].line },
        `run "${id}" has one checkpoint: Approach 1 needs a curve (at least 2 checkpoints per run)`,
      );
    }
    const sorted = [...rows].sort((a, b) => a.C! - b.C!);
    curves.push({
      id,
      N,
      lnC: sorted.map((r) => Math.log(r.C!)),
      loss: sorted.map((r) => r.loss),
      firstLine: sorted[0].line,
    });
  }
  if (new Set(curves.map((c) => c.N)).size < 2) {
    throw new InputError({ file: dataset.source }, 'Approach 1 needs runs of at least two model sizes');
  }
  return curves;
}

function interpolate(curve: Curve, lnC: number): number {
  const xs = curve.lnC;
  if (lnC < xs[0] || lnC > xs[xs.length - 1]) return NaN;
  let lo = 0,
    hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= lnC) lo = mid;
    else hi = mid;
  }
  const t = xs[hi] === xs[lo] ? 0 : (lnC - xs[lo]) / (xs[hi] - xs[lo]);
  return curve.loss[lo] + t * (curve.loss[hi] - curve.loss[lo]);
}

/**
 * The envelope of training curves and the frontier through it.
 * @param gridSize log-spaced compute values (the paper used 1,500)
 */
export function envelopeAnalysis(curves: Curve[], gridSize = 1500, source = 'data'): EnvelopeResult {
  // Grid over compute where at least two curves overlap: where only one run exists it wins by default.
  const starts = curves.map((c) => c.lnC[0]).sort((a, b) => a - b);
  const ends = curves.map((c) => c.lnC[c.lnC.length - 1]).sort((a, b) => b - a);
  const lo = starts[1],
    hi = ends[1];
  if (!(hi > lo))
    throw new InputError(
      { file: source },
      'the training curves do not overlap in compute: Approach 1 needs runs whose C ranges overlap',
    );
  const points: EnvelopePoint[] = [];
  for (let k = 0; k < gridSize; k++) {
    const lnC = lo + ((hi - lo) * k) / (gridSize - 1);
    let best: Curve | undefined,
      bestLoss = Infinity,
      covering = 0;
    for (const c of curves) {
      const l = interpolate(c, lnC);
      if (Number.isNaN(l)) continue;
      covering++;
      if (l < bestLoss) {
        bestLoss = l;
        best = c;
      }
    }
    if (best && covering >= 2) {
      const C = Math.exp(lnC);
      points.push({ C, N: best.N, D: C / (6 * best.N), loss: bestLoss, run: best.id });
    }
  }
  const warnings: string[] = [];
  const all = new Set(points.map((p) => p.N));
  // One size lowest at every compute: the curves never cross, and N_opt ∝ C^a has no a to fit.
  if (all.size < 2) {
    throw new InputError(
      { file: source },
      `only one model size (N = ${plain([...all][0] ?? NaN)}) is ever the lowest at any compute: the training curves never cross, so the envelope has no frontier (add runs of sizes in between, or longer runs)`,
    );
  }
  const sizes = [...new Set(curves.map((c) => c.N))].sort((a, b) => a - b);
  const smallest = sizes[0],
    largest = sizes[sizes.length - 1];
  const interior = points.filter((p) => p.N !== smallest && p.N !== largest);
  const edgesKept = new Set(interior.map((p) => p.N)).size < 2;
  const fitted = edgesKept ? points : interior;
  const bySmallest = points.filter((p) => p.N === smallest).length;
  const byLargest = points.filter((p) => p.N === largest).length;
  const count: EnvelopeCount = {
    grid: points.length,
    fitted: fitted.length,
    smallest: edgesKept ? 0 : bySmallest,
    largest: edgesKept ? 0 : byLargest,
    edgesKept,
  };
  const chosen = new Set(fitted.map((p) => p.N));
  if (edgesKept) {
    warnings.push(
      `fewer than two sizes between the smallest and the largest ever reach the lowest loss: the frontier is fitted through every envelope point, including ${bySmallest} won by the smallest model and ${byLargest} by the largest, which win there by default (no smaller or larger model competes), so a is biased toward them (add sizes in between)`,
    );
  }
  // The compute range the fit rests on, when the edge sizes' points were left out of it.
  const range = `C = ${formatNumber(fitted[0].C, 3)} to ${formatNumber(fitted[fitted.length - 1].C, 3)}`;
  const topByLargest = points.length > 0 && points[points.length - 1].N === largest;
  if (!edgesKept && bySmallest + byLargest > points.length / 4) {
    warnings.push(
      `${bySmallest + byLargest} of ${points.length} envelope points (${Math.round((100 * (bySmallest + byLargest)) / points.length)} %) are won by the smallest or largest model and were left out of the fit: the frontier rests on the compute range between, ${range} (the curves reach far below or above where the ladder's sizes are optimal; add smaller or larger sizes to cover it)`,
    );
  } else if (!edgesKept && topByLargest) {
    // Its points at the top are left out, not fitted through: what the envelope no longer says about the
    // frontier there is that the fit ends below the runs' reach, so a target above it is extrapolated.
    warnings.push(
      `the frontier is fitted on ${range}, where sizes between the smallest and the largest win; above it the largest model wins by default (${byLargest} points, left out of the fit), so at a target above C = ${formatNumber(fitted[fitted.length - 1].C, 3)} the frontier is extrapolated, and a model larger than the ladder's might be optimal there`,
    );
  }
  if (chosen.size < 3)
    warnings.push(
      `only ${chosen.size} model sizes ever reach the lowest loss: the frontier exponent rests on very few sizes`,
    );
  // Fitted through (fewer than two sizes between win), the largest model's points at the highest compute
  // are an edge of the fit: the frontier there is not bracketed.
  if (edgesKept && topByLargest) {
    warnings.push(
      'the largest model is on the envelope at the highest compute, and the fit goes through those points: larger models might do better there (the frontier is not bracketed)',
    );
  }
  return {
    curves: curves.length,
    points: fitted,
    count,
    ...optimumPowerLaws(fitted),
    warnings,
  };
}
