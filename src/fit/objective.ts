/**
 * The fitting objective: Σ_i w_i · ρ(r_i) over runs, with r_i = ln L̂_i − ln L_i (or L̂_i − L_i when
 * the loss's space is 'linear'), ρ a loss from core/losses.ts and w_i a run's weight (1, or its
 * count in a bootstrap resample). Summed, not averaged (docs/methods.md §10).
 */
import type { Law, LawInputs } from '../laws/law.js';
import type { LossOptions } from '../core/losses.js';
import { expand, type ParameterMap } from './parameterMap.js';

export interface Objective {
  /** Value and gradient with respect to the free vector. */
  valueAndGradient(u: Float64Array, grad: Float64Array): number;
  /** Value only (cheaper: no Jacobian). */
  value(u: Float64Array): number;
  /**
   * Values at many points, such as a start grid (with the law's gridPredictor when it has one).
   * Given a bound, a point whose value is above it may be abandoned part-way and gets Infinity; the
   * others are exact. NaN becomes Infinity too: neither is a start.
   */
  values(us: readonly Float64Array[], bound?: number): Float64Array;
  /** Replace the per-run weights (bootstrap resamples reuse one objective). */
  setWeights(weights: Float64Array | null): void;
  /** Residuals ln L̂ − ln L at u, into a new array. */
  residuals(u: Float64Array): Float64Array;
}

/** Rows summed between checks of the bound in `values`: a bad grid point passes it within a few blocks. */
const BOUND_ROWS = 16;

/**
 * The objective of a fit. `predict` is the law's logPredict, or its gridLogPredict for the starts of
 * a full grid (fit.ts).
 */
export function makeObjective(
  map: ParameterMap,
  x: LawInputs,
  logLoss: Float64Array,
  loss: LossOptions,
  predict: Law['logPredict'] = map.law.logPredict,
): Objective {
  const law = map.law;
  const n = x.n,
    p = law.params.length,
    nFree = map.free.length;
  const theta = new Float64Array(p);
  const dtheta = new Float64Array(p);
  const pred = new Float64Array(n);
  const jac = new Float64Array(n * p);
  const gFull = new Float64Array(p);
  let weights: Float64Array | null = null;
  const kind = loss.kind === 'ls' ? 0 : loss.kind === 'huber' ? 1 : 2;
  const delta = loss.delta,
    penalty = loss.overestimatePenalty;
  const linear = loss.space === 'linear';
  const observed = linear ? Float64Array.from(logLoss, Math.exp) : logLoss;
  const { source } = map;
  // The law's fused kernel, when it has one for this loss and this prediction (least squares or
  // Huber, in log or linear space): the same sums, faster. The parameter map's chain rule stays here.
  const form = predict === law.logPredict ? 'exact' : predict === law.gridLogPredict ? 'grid' : null;
  const kernel =
    form && kind !== 2 && law.lossKernel
      ? law.lossKernel(x, logLoss, { kind: loss.kind as 'ls' | 'huber', delta, space: loss.space }, form)
      : null;

  const valueAndGradient = (u: Float64Array, grad: Float64Array): number => {
    expand(map, u, theta, dtheta);
    if (kernel) {
      const f = kernel.evaluate(theta, gFull);
      grad.fill(0);
      for (let j = 0; j < p; j++) {
        const k = source[j];
        if (k >= 0) grad[k] += gFull[j] * dtheta[j];
      }
      return f;
    }
    predict(theta, x, pred, jac);
    gFull.fill(0);
    let f = 0;
    for (let i = 0; i < n; i++) {
      const w = weights === null ? 1 : weights[i];
      if (w === 0) continue;
      // In linear space r = L̂ − L and ∂r/∂θ = L̂·∂ln L̂/∂θ: the chain factor goes into the slope.
      const lhat = linear ? Math.exp(pred[i]) : 0;
      const r = linear ? lhat - observed[i] : pred[i] - logLoss[i];
      let value: number, slope: number;
      if (kind === 0) {
        value = 0.5 * r * r;
        slope = r;
      } else {
        const a = r < 0 ? -r : r;
        if (a <= delta) {
          value = 0.5 * r * r;
          slope = r;
        } else {
          value = delta * (a - 0.5 * delta);
          slope = r > 0 ? delta : -delta;
        }
        if (kind === 2 && r > 0) {
          value *= penalty;
          slope *= penalty;
        }
      }
      f += w * value;
      const ws = w * slope * (linear ? lhat : 1),
        k = i * p;
      for (let j = 0; j < p; j++) gFull[j] += ws * jac[k + j];
    }
    grad.fill(0);
    for (let j = 0; j < p; j++) {
      const k = source[j];
      if (k >= 0) grad[k] += gFull[j] * dtheta[j];
    }
    return f;
  };

  /** f plus the loss terms of rows [from, to), whose predictions are in `pred`, summed in row order. */
  const addLoss = (f: number, from: number, to: number): number => {
    for (let i = from; i < to; i++) {
      const w = weights === null ? 1 : weights[i];
      if (w === 0) continue;
      const r = linear ? Math.exp(pred[i]) - observed[i] : pred[i] - logLoss[i];
      let v: number;
      if (kind === 0) v = 0.5 * r * r;
      else {
        const a = r < 0 ? -r : r;
        v = a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
        if (kind === 2 && r > 0) v *= penalty;
      }
      f += w * v;
    }
    return f;
  };

  const value = (u: Float64Array): number => {
    expand(map, u, theta);
    if (kernel) return kernel.evaluate(theta, null);
    predict(theta, x, pred, null);
    return addLoss(0, 0, n);
  };

  const values = (us: readonly Float64Array[], bound = Infinity): Float64Array => {
    // The kernel scores as the law's gridPredictor does, to the bit; a point it leaves (NaN: a sum whose
    // log is outside its range) is scored here with the gridPredictor itself, made on first need.
    const score = kernel?.score && law.gridPredictor ? kernel.score : null;
    let grid = score ? undefined : law.gridPredictor?.(x);
    const out = new Float64Array(us.length);
    for (let t = 0; t < us.length; t++) {
      expand(map, us[t], theta);
      let f = score ? score(theta, bound) : NaN;
      if (f === f) {
        // scored by the kernel
      } else if (grid || (score && (grid = law.gridPredictor!(x)))) {
        f = 0;
        // Rows in blocks, stopping once the sum passes the bound: every term is ≥ 0.
        for (let from = 0; from < n && f <= bound; from += BOUND_ROWS) {
          const to = Math.min(n, from + BOUND_ROWS);
          grid(theta, pred, from, to);
          f = addLoss(f, from, to);
        }
      } else if (kernel) f = kernel.evaluate(theta, null);
      else {
        predict(theta, x, pred, null);
        f = addLoss(0, 0, n);
      }
      out[t] = f <= bound ? f : Infinity;
    }
    return out;
  };

  const residuals = (u: Float64Array): Float64Array => {
    expand(map, u, theta);
    predict(theta, x, pred, null);
    return Float64Array.from(pred, (v, i) => v - logLoss[i]);
  };

  void nFree;
  return {
    valueAndGradient,
    value,
    values,
    residuals,
    setWeights: (w) => {
      weights = w;
      kernel?.setWeights(w);
    },
  };
}
