/**
 * Inference-aware sizing (Sardana et al. 2024, "Beyond Chinchilla-Optimal", arXiv:2401.00448):
 * reach a target loss ℓ with the fewest lifetime FLOPs, training plus inference,
 *   minimise 6·N·D_train + 2·N·D_inference  subject to  L(N, D_train) = ℓ.
 * With many inference tokens the answer is a smaller model trained on more data ("over-trained").
 * Solved in one dimension: D_train(N) from the constraint, then Brent's method over ln N. Pure.
 */
import { bisect, minimize1d } from '../core/minimize1d.js';
import { paramsWithRole, predictLoss, type Law } from '../laws/law.js';
import { OptionError, UsageError } from '../errors/index.js';
import { computeOptimal, computeOptimalForSize } from './computeOptimal.js';

export interface LifetimeAllocation {
  N: number;
  D: number;
  tokensPerParameter: number;
  trainingFlops: number;
  inferenceFlops: number;
  totalFlops: number;
}

export interface InferenceAwareResult {
  targetLoss: number;
  inferenceTokens: number;
  /** The lifetime-FLOP-optimal model. */
  optimal: LifetimeAllocation;
  /** The compute-optimal (Chinchilla) model reaching the same loss. */
  computeOptimal: LifetimeAllocation;
  /** 1 − total(optimal)/total(computeOptimal). */
  flopsSaved: number;
  /** D(optimal)/D(computeOptimal). */
  dataRatio: number;
  /** N(optimal)/N(computeOptimal). */
  sizeRatio: number;
}

function lifetime(N: number, D: number, inferenceTokens: number): LifetimeAllocation {
  const trainingFlops = 6 * N * D,
    inferenceFlops = 2 * N * inferenceTokens;
  return { N, D, tokensPerParameter: D / N, trainingFlops, inferenceFlops, totalFlops: trainingFlops + inferenceFlops };
}

/** Tokens a model of N parameters needs to reach loss ℓ (Infinity when it never does). */
function tokensToReach(law: Law, params: Readonly<Record<string, number>>, N: number, loss: number): number {
  const closed = law.closedForm?.tokensToReach;
  if (closed) return closed(params, N, loss);
  const at = (lnD: number) => predictLoss(law, params, { N, D: Math.exp(lnD) }) - loss;
  if (at(Math.log(1e30)) >= 0) return Infinity;
  return Math.exp(bisect(at, Math.log(1), Math.log(1e30), 1e-14));
}

/** Smallest model that can reach ℓ with unlimited data. */
function smallestModel(law: Law, params: Readonly<Record<string, number>>, loss: number): number {
  const closed = law.closedForm?.smallestModel;
  if (closed) return closed(params, loss);
  const at = (lnN: number) => predictLoss(law, params, { N: Math.exp(lnN), D: 1e30 }) - loss;
  if (at(Math.log(1e16)) >= 0) return Infinity;
  return Math.exp(bisect(at, Math.log(1), Math.log(1e16), 1e-14));
}

/** The compute budget whose compute-optimal model reaches `loss`. */
function computeOptimalForLoss(
  law: Law,
  params: Readonly<Record<string, number>>,
  loss: number,
): { N: number; D: number; C: number } {
  const at = (lnC: number) => (computeOptimal(law, params, Math.exp(lnC)).loss as number) - loss;
  const lnC = bisect(at, Math.log(1e6), Math.log(1e40), 1e-14);
  const a = computeOptimal(law, params, Math.exp(lnC));
  return { N: a.N, D: a.D, C: a.C };
}

/**
 * Lifetime-FLOP-optimal model for a target loss and expected inference tokens.
 * @throws UsageError when the target loss is at or below what the law can reach
 */
export function inferenceAwareOptimal(
  law: Law,
  params: Readonly<Record<string, number>>,
  targetLoss: number,
  inferenceTokens: number,
): InferenceAwareResult {
  if (!(inferenceTokens >= 0))
    throw new OptionError({
      option: 'inferenceTokens',
      value: inferenceTokens,
      message: (o) => `${o('inferenceTokens')} must be ≥ 0, got ${inferenceTokens}`,
    });
  const nMin = smallestModel(law, params, targetLoss);
  if (!Number.isFinite(nMin)) {
    const floor = paramsWithRole(law, 'irreducible')[0];
    throw new UsageError(
      `target loss ${targetLoss} is not reachable under this law (its irreducible loss is ${floor ? params[floor.name] : 'higher'})`,
    );
  }
  const co = computeOptimalForLoss(law, params, targetLoss);
  const total = (lnN: number) => {
    const N = Math.exp(lnN);
    const D = tokensToReach(law, params, N, targetLoss);
    return Number.isFinite(D) ? 6 * N * D + 2 * N * inferenceTokens : Infinity;
  };
  const lo = Math.log(nMin) + 1e-9;
  const hi = Math.max(Math.log(co.N) + 3, lo + 3);
  const best = minimize1d(total, lo, hi, 1e-12);
  const N = Math.exp(best.x);
  const optimal = lifetime(N, tokensToReach(law, params, N, targetLoss), inferenceTokens);
  const reference = lifetime(co.N, co.D, inferenceTokens);
  return {
    targetLoss,
    inferenceTokens,
    optimal,
    computeOptimal: reference,
    flopsSaved: 1 - optimal.totalFlops / reference.totalFlops,
    dataRatio: optimal.D / reference.D,
    sizeRatio: optimal.N / reference.N,
  };
}

/** Loss of an N-parameter model trained to its compute-optimal tokens ("N-Chinchilla-quality"). */
export function qualityOf(law: Law, params: Readonly<Record<string, number>>, N: number): number {
  return computeOptimalForSize(law, params, N).loss as number;
}
