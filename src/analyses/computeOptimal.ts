/**
 * The compute-optimal allocation of a fitted law: for a budget C = 6ND, the N and D that minimise
 * the predicted loss (Chinchilla's Approach 3), and the rules of thumb it is compared with. Pure.
 */
import { minimize1d, bisect } from '../core/minimize1d.js';
import { powerFit, type PowerFit } from '../core/linearRegression.js';
import { paramsWithRole, predictLoss, type Law } from '../laws/law.js';
import { chinchilla, lawIdsReading } from '../laws/index.js';
import { FitError, UsageError } from '../errors/index.js';
import { formatNumber } from '../core/format.js';
import { withinMagnitude } from '../core/magnitude.js';
import { PF_DAY } from '../model/flops.js';

export interface Allocation {
  /** Training FLOPs. */
  C: number;
  /** Parameters. */
  N: number;
  /** Training tokens, D = C/(6N). */
  D: number;
  /** Tokens per parameter, D/N. */
  tokensPerParameter: number;
  /** Predicted loss, when a law is given. */
  loss?: number;
}

/**
 * N_opt(C) and D_opt(C) as power laws through compute-optimal points, one a budget, each fitted as a line
 * in log–log (Hoffmann et al. 2022's Approaches 1 and 2: the envelope's points, the IsoFLOP vertices).
 */
export function optimumPowerLaws(optima: readonly { C: number; N: number; D: number }[]): {
  N: PowerFit;
  D: PowerFit;
} {
  const C = optima.map((p) => p.C);
  return {
    N: powerFit(
      C,
      optima.map((p) => p.N),
    ),
    D: powerFit(
      C,
      optima.map((p) => p.D),
    ),
  };
}

/**
 * Hoffmann et al. 2022, Eq. 4: N_opt = G·(C/6)^a, D_opt = G⁻¹·(C/6)^b with a = β/(α+β),
 * b = α/(α+β), G = (αA/(βB))^(1/(α+β)). E does not move the optimum.
 */
export function chinchillaOptimal(params: Readonly<Record<string, number>>, C: number): Allocation {
  const { N, D } = chinchilla.closedForm!.computeOptimal!(params, C);
  return { C, N, D, tokensPerParameter: D / N };
}

/** True when a law can allocate a budget between N and D (it reads both, and nothing else). */
export function canAllocate(law: Law): boolean {
  return law.inputs.includes('N') && law.inputs.includes('D') && !law.inputs.includes('U');
}

/** The registered laws that can allocate a compute budget (for help and errors). */
export function allocatingLawIds(): string[] {
  return lawIdsReading(['N', 'D'], true);
}

/**
 * Compute-optimal N and D for any law of N and D: the law's closed form where it has one
 * (chinchilla's Eq. 4), otherwise the minimum of L(N, C/(6N)) over ln N found by Brent's method.
 * @throws UsageError when the law does not read both N and D
 */
export function computeOptimal(law: Law, params: Readonly<Record<string, number>>, C: number): Allocation {
  for (const p of [...paramsWithRole(law, 'exponent', 'N'), ...paramsWithRole(law, 'exponent', 'D')]) {
    const v = params[p.name];
    if (v !== undefined && !(v > 0)) {
      throw new FitError(
        `the law's ${p.name} = ${v.toPrecision(3)} is not positive: loss does not fall with ${p.of === 'D' ? 'data' : 'model size'} in these runs, so there is no compute-optimal allocation (the runs may be too short or not bracket the optimum)`,
      );
    }
  }
  for (const [name, v] of Object.entries(params)) {
    if (!Number.isFinite(v))
      throw new FitError(
        `the law's ${name} is off (${Number.isNaN(v) ? 'not a number' : 'it ran off to infinity, its term switched off'}): the fit is degenerate, so there is no compute-optimal allocation (do the runs vary N and D, and are they one experiment?)`,
      );
  }
  if (!canAllocate(law))
    throw new UsageError(
      `law ${law.id} does not depend on both N and D, so it cannot allocate a compute budget; fit ${allocatingLawIds().join(' or ')}`,
    );
  if (!(C > 0)) throw new UsageError(`compute budget must be positive, got ${C}`);
  let alloc: Allocation;
  const closed = law.closedForm?.computeOptimal;
  if (closed) {
    const { N, D } = closed(params, C);
    alloc = { C, N, D, tokensPerParameter: D / N };
  } else {
    const lnTotal = Math.log(C / 6);
    // N and D at least 1e3 each: keeps the search inside the law's meaningful range.
    const lo = Math.log(1e3),
      hi = lnTotal - Math.log(1e3);
    const r = minimize1d(
      (lnN) => predictLoss(law, params, { N: Math.exp(lnN), D: Math.exp(lnTotal - lnN) }),
      lo,
      hi,
      1e-12,
    );
    const N = Math.exp(r.x);
    alloc = { C, N, D: C / (6 * N), tokensPerParameter: C / (6 * N * N) };
  }
  // The closed form divides by the scales: A = 0 or B = 0 (no term to trade) gives 0/0, and scales
  // 100 decades apart put all of C into one side (N = 1e177 parameters on 1e-157 tokens).
  if (!(
    alloc.N > 0 &&
    alloc.D > 0 &&
    withinMagnitude(alloc.N) &&
    withinMagnitude(alloc.D) &&
    withinMagnitude(alloc.tokensPerParameter)
  )) {
    throw new FitError(
      `the law gives no usable compute-optimal allocation of C = ${formatNumber(C, 4)} (N = ${formatNumber(alloc.N, 4)}, D = ${formatNumber(alloc.D, 4)}) with ${Object.entries(
        params,
      )
        .map(([k, v]) => `${k} = ${v.toPrecision(4)}`)
        .join(', ')}: are its terms on scales that the data could have produced?`,
    );
  }
  alloc.loss = predictLoss(law, params, { N: alloc.N, D: alloc.D });
  return alloc;
}

/**
 * The budget at which a model of N parameters is compute-optimal under the law, with its tokens
 * and loss: Sardana et al.'s "N-Chinchilla-quality" model.
 */
export function computeOptimalForSize(law: Law, params: Readonly<Record<string, number>>, N: number): Allocation {
  const closed = law.closedForm?.computeOptimalTokens;
  if (closed) {
    const D = closed(params, N);
    return { C: 6 * N * D, N, D, tokensPerParameter: D / N, loss: predictLoss(law, params, { N, D }) };
  }
  // Search budgets from 1e-3 to 1e5 tokens per parameter (C = 6·N·D).
  const lnC = bisect(
    (lc) => Math.log(computeOptimal(law, params, Math.exp(lc)).N / N),
    Math.log(6 * N * N * 1e-3),
    Math.log(6 * N * N * 1e5),
    1e-13,
  );
  return computeOptimal(law, params, Math.exp(lnC));
}

/** Fixed tokens-per-parameter rule: D = r·N, so N = √(C/(6r)) (r = 20 is "Chinchilla's rule"). */
export function tokensPerParameterRule(C: number, ratio = 20): Allocation {
  const N = Math.sqrt(C / (6 * ratio));
  return { C, N, D: ratio * N, tokensPerParameter: ratio };
}

/**
 * Kaplan et al. 2020, Table 6: N_opt = 1.3e9·C^0.73 with C in PF-days (non-embedding parameters,
 * C_min). Shown for contrast: the exponent 0.73 came from fixed-horizon schedules (Porian et al. 2024).
 */
export function kaplanAllocation(C: number): Allocation {
  const N = 1.3e9 * Math.pow(C / PF_DAY, 0.73);
  const D = C / (6 * N);
  return { C, N, D, tokensPerParameter: D / N };
}
