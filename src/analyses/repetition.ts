/**
 * Training under a cap on unique data (Muennighoff et al. 2023): for a compute budget and U unique
 * tokens, the best model size, tokens and epochs under the data-constrained law; what each extra
 * epoch is worth; and when repetition stops paying. Pure.
 */
import { minimize1d } from '../core/minimize1d.js';
import { predictLoss, type Law } from '../laws/law.js';
import { chinchillaOptimal } from './computeOptimal.js';
import { OptionError } from '../errors/index.js';
import { percentileInterval } from '../core/statistics.js';

export interface RepetitionOptimum {
  C: number;
  U: number;
  N: number;
  D: number;
  epochs: number;
  loss: number;
  /** The unconstrained compute-optimal allocation of the same budget (base law, fresh data). */
  unconstrained: { N: number; D: number; loss: number };
  /**
   * The best allocation sits at the edge of the search (D or N = 1e6): no interior optimum, as when
   * the unique tokens are far too few for the budget (25 typed for 25e9).
   */
  atSearchEdge: boolean;
}

/** Effective data D'/U after `epochs` passes over U unique tokens: 1 + R*_D·(1 − e^(−(epochs−1)/R*_D)). */
export function effectiveEpochs(epochs: number, rD: number): number {
  const repeats = Math.max(epochs - 1, 0);
  return 1 + rD * (1 - Math.exp(-repeats / rD));
}

/**
 * Best N for compute C with at most U unique tokens (repeated as needed), by Brent's method on ln N.
 * @throws UsageError when the law has no unique-token input
 */
export function repetitionOptimum(law: Law, params: Record<string, number>, C: number, U: number): RepetitionOptimum {
  if (!law.inputs.includes('U'))
    throw new OptionError({
      option: 'law',
      value: law.id,
      message: (o) =>
        `law ${law.id} has no unique-token input; use ${o('law')} data-constrained or ${o('preset')} muennighoff-2023`,
    });
  const lnTotal = Math.log(C / 6);
  const loss = (lnN: number) =>
    predictLoss(law, params, { N: Math.exp(lnN), D: Math.exp(lnTotal - lnN), U: Math.min(U, Math.exp(lnTotal - lnN)) });
  const [lo, hi] = [Math.log(1e6), lnTotal - Math.log(1e6)];
  const r = minimize1d(loss, lo, hi, 1e-12);
  const N = Math.exp(r.x),
    D = C / (6 * N);
  const base = chinchillaOptimal(params, C);
  return {
    C,
    U,
    N,
    D,
    epochs: D / U,
    loss: r.f,
    unconstrained: { N: base.N, D: base.D, loss: predictLoss(law, params, { N: base.N, D: base.D, U: base.D }) },
    atSearchEdge: Math.min(r.x - lo, hi - r.x) < 1e-3,
  };
}

export interface EpochValue {
  epochs: number;
  /** D'/D: how much each token of the whole run is worth, against fresh data. */
  efficiency: number;
  /** D'/U */
  effectiveEpochs: number;
  /** Worth of the last epoch against a fresh one: e^(−(epochs−1)/R*_D). */
  marginal: number;
}

export function epochValues(rD: number, epochs = [1, 2, 4, 8, 16, 40, 100]): EpochValue[] {
  return epochs.map((e) => ({
    epochs: e,
    efficiency: effectiveEpochs(e, rD) / e,
    effectiveEpochs: effectiveEpochs(e, rD),
    marginal: Math.exp(-Math.max(e - 1, 0) / rD),
  }));
}

/** Epochs after which one more is worth less than `fraction` of a fresh epoch: 1 + R*_D·ln(1/fraction). */
export function epochsUntilWorth(rD: number, fraction: number): number {
  return 1 + rD * Math.log(1 / fraction);
}

/** Intervals on what `repetition` reports, from a fit's bootstrap replicates (each refit's own optimum). */
export interface RepetitionIntervals {
  level: number;
  /** Replicates used: those whose R*_D is finite and positive and whose optimum has a finite loss. */
  replicates: number;
  /** Of those, the replicates whose optimum sits at the edge of the search (no interior optimum). */
  atSearchEdge: number;
  epochs: [number, number];
  loss: [number, number];
  /** The cap's cost, loss / loss with fresh data − 1 (a fraction). */
  capCost: [number, number];
  half: [number, number];
  tenth: [number, number];
  R_D: [number, number];
}

/**
 * Percentile intervals on the optimum (its epochs and loss), the cap's cost and the epoch thresholds
 * (one more epoch worth under a half, a tenth of fresh data), each replicate's own. The thresholds are
 * linear in R*_D, which repeated runs pin down weakly (docs/methods.md §12): the interval says how weakly
 * on the data the fit saw. Undefined with fewer than 2 usable replicates.
 */
export function repetitionIntervals(
  law: Law,
  replicates: readonly Record<string, number>[],
  C: number,
  U: number,
  level: number,
): RepetitionIntervals | undefined {
  const rows: { epochs: number; loss: number; cost: number; half: number; tenth: number; rD: number; edge: boolean }[] =
    [];
  for (const p of replicates) {
    const rD = p.R_D;
    if (!(rD > 0 && Number.isFinite(rD))) continue;
    const o = repetitionOptimum(law, p, C, U);
    const cost = o.loss / o.unconstrained.loss - 1;
    if (!Number.isFinite(o.loss) || !Number.isFinite(cost)) continue;
    rows.push({
      epochs: o.epochs,
      loss: o.loss,
      cost,
      half: epochsUntilWorth(rD, 0.5),
      tenth: epochsUntilWorth(rD, 0.1),
      rD,
      edge: o.atSearchEdge,
    });
  }
  if (rows.length < 2) return undefined;
  const interval = (k: 'epochs' | 'loss' | 'cost' | 'half' | 'tenth' | 'rD') =>
    percentileInterval(
      rows.map((r) => r[k]),
      level,
    );
  return {
    level,
    replicates: rows.length,
    atSearchEdge: rows.filter((r) => r.edge).length,
    epochs: interval('epochs'),
    loss: interval('loss'),
    capCost: interval('cost'),
    half: interval('half'),
    tenth: interval('tenth'),
    R_D: interval('rD'),
  };
}
