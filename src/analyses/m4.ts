/**
 * M4, the learning-curve form of Alabdulmohsin, Neyshabur & Zhai 2022 ("Revisiting Neural Scaling Laws in
 * Language and Vision", NeurIPS, arXiv:2209.06640), written here from its definition:
 *
 *     (ℓ − ε∞)/(ε0 − ℓ)^α = β·x^c,   0 ≤ ε∞ < ε0, α ≥ 0, β > 0, c < 0.
 *
 * For a given x the loss ℓ is the one root in (ε∞, ε0): the left side rises from 0 to ∞ as ℓ goes from ε∞ to
 * ε0 when α > 0. It is not a law of the registry (src/laws): ℓ is implicit, and its floor ε∞ is bounded by
 * the curve's own smallest loss, which a law's fixed parameter transform cannot say. `scalelab curves --law
 * m4` scores it through `m4CurveForm`; bench/curves-form.ts scored it against the power law and bnsl
 * (docs/methods.md §28).
 *
 * The fit is this repository's, not the paper's recipe (not its code, not its optimiser): the objective every
 * curve form is fitted by (Huber δ = 10⁻³ on ln ℓ̂ − ln ℓ, summed over training points), over ε∞ = m·σ(t₁)
 * (m the smallest training loss: the floor lies below every observed loss), ε0 = ε∞ + e^t₂, α = e^t₃,
 * ln β = t₄, c = −e^t₅, with the implicit function theorem's gradient. Starts: a grid of ε∞ (0.001, 0.5,
 * 0.8, 0.95 of m), ε0 (the largest training loss M plus 0.05, 0.5, 2 or 10 times M − m + 0.001·M) and α
 * (0.01, 0.25, 0.5, 1, 2), where the straightened relation ln(ℓ − ε∞) − α·ln(ε0 − ℓ) = ln β + c·ln x is a
 * line in ln x and gives ln β and c by least squares (a grid point with c ≥ 0 is skipped); the 5 grid points
 * with the lowest objective are refined by L-BFGS (at most 2,000 iterations), the lowest kept. Pure.
 */
import { lbfgs } from '../core/lbfgs.js';
import { ScaleLabError } from '../errors/index.js';
import type { CurveForm } from './curveBacktest.js';

/** M4's values, in the paper's symbols. */
export interface M4Params {
  /** ε∞, the loss as x → ∞ (the floor) */
  epsInf: number;
  /** ε0, the loss as x → 0 (the start) */
  eps0: number;
  /** α ≥ 0: at 0 a plain power law above ε∞; larger, the start bends towards ε0 */
  alpha: number;
  /** ln β */
  lnBeta: number;
  /** c < 0, the exponent in x */
  c: number;
}

const softplus = (u: number) => (u > 30 ? u : u < -30 ? Math.exp(u) : Math.log1p(Math.exp(u)));
const sigmoid = (u: number) => (u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u)));

/**
 * The root of ln σ(u) − α·ln σ(−u) = K in u = logit((ℓ − ε∞)/(ε0 − ε∞)): the left side rises with u (slope
 * σ(−u) + α·σ(u)), so a bracket and safeguarded Newton find it. Working in u keeps ℓ − ε∞ and ε0 − ℓ exact
 * when ℓ lies close to either end. NaN when no root lies within |u| ≤ 1e6.
 */
function solveLogit(K: number, alpha: number): number {
  const h = (u: number) => -softplus(-u) + alpha * softplus(u) - K;
  let lo = -1,
    hi = 1;
  while (h(lo) > 0 && lo > -1e6) lo *= 2;
  while (h(hi) < 0 && hi < 1e6) hi *= 2;
  if (h(lo) > 0 || h(hi) < 0) return NaN;
  let u = (lo + hi) / 2;
  for (let i = 0; i < 200; i++) {
    const v = h(u);
    if (v > 0) hi = u;
    else lo = u;
    const step = v / (sigmoid(-u) + alpha * sigmoid(u));
    let next = u - step;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - u) <= 1e-13 * Math.max(1, Math.abs(u))) return next;
    u = next;
  }
  return u;
}

/** ℓ at x, with what the gradient needs: ℓ − ε∞ and ε0 − ℓ, each computed without cancellation. */
function m4Point(p: M4Params, x: number): { loss: number; above: number; below: number } {
  const gap = p.eps0 - p.epsInf;
  const K = p.lnBeta + p.c * Math.log(x) - (1 - p.alpha) * Math.log(gap);
  const u = solveLogit(K, p.alpha);
  const above = gap * sigmoid(u),
    below = gap * sigmoid(-u);
  return { loss: p.epsInf + above, above, below };
}

export function predictM4(p: M4Params, x: number): number {
  return m4Point(p, x).loss;
}

const HUBER_DELTA = 1e-3;

function fromInternal(t: Float64Array, m: number): M4Params {
  const epsInf = m * sigmoid(t[0]);
  return { epsInf, eps0: epsInf + Math.exp(t[1]), alpha: Math.exp(t[2]), lnBeta: t[3], c: -Math.exp(t[4]) };
}

/**
 * Σ Huber(ln ℓ̂ − ln y) over the training points and its gradient in the internal coordinates. ℓ̂ is
 * defined by F = ln(ℓ − ε∞) − α·ln(ε0 − ℓ) − ln β − c·ln x = 0, so ∂ℓ/∂θ = −(∂F/∂θ)/(∂F/∂ℓ).
 */
function m4Objective(points: readonly { x: number; y: number }[], m: number) {
  return (t: Float64Array, grad: Float64Array): number => {
    const p = fromInternal(t, m);
    const dEpsInf = p.epsInf * (1 - sigmoid(t[0])); // ∂ε∞/∂t₁ (ε0 moves with it)
    grad.fill(0);
    let f = 0;
    for (const { x, y } of points) {
      const { loss, above, below } = m4Point(p, x);
      const r = Math.log(loss) - Math.log(y);
      if (!Number.isFinite(r) || !(above > 0) || !(below > 0)) {
        grad.fill(NaN);
        return NaN;
      }
      const a = Math.abs(r);
      f += a <= HUBER_DELTA ? 0.5 * r * r : HUBER_DELTA * (a - 0.5 * HUBER_DELTA);
      const psi = (a <= HUBER_DELTA ? r : Math.sign(r) * HUBER_DELTA) / loss; // ∂Huber/∂ℓ
      const Fl = 1 / above + p.alpha / below;
      const dF = [
        // t₁ moves ε∞ and ε0 together: ∂F/∂ε∞ + ∂F/∂ε0 = −1/(ℓ − ε∞) − α/(ε0 − ℓ)
        (-1 / above - p.alpha / below) * dEpsInf,
        (-p.alpha / below) * Math.exp(t[1]),
        -Math.log(below) * p.alpha,
        -1,
        -Math.log(x) * p.c,
      ];
      for (let i = 0; i < 5; i++) grad[i] += psi * (-dF[i] / Fl);
    }
    return f;
  };
}

/**
 * M4 fitted to one curve's points by the grid and L-BFGS the header states.
 * @throws ScaleLabError for fewer than 2 distinct x, a value that is not finite and positive, or no start
 */
export function fitM4(points: readonly { x: number; y: number }[]): M4Params {
  const bad = points.findIndex((p) => !(p.x > 0 && p.y > 0 && Number.isFinite(p.x) && Number.isFinite(p.y)));
  if (bad >= 0)
    throw new ScaleLabError(
      `M4 reads positive finite x and loss; point ${bad + 1} has x = ${points[bad].x}, loss = ${points[bad].y}`,
    );
  if (new Set(points.map((p) => p.x)).size < 2)
    throw new ScaleLabError(`M4 needs points at 2 or more distinct x to fit; got ${points.length} point(s)`);
  const ys = points.map((p) => p.y);
  const m = Math.min(...ys),
    M = Math.max(...ys);
  const objective = m4Objective(points, m);
  const scratch = new Float64Array(5);
  const lx = points.map((p) => Math.log(p.x));
  const starts: { t: Float64Array; f: number }[] = [];
  for (const fInf of [0.001, 0.5, 0.8, 0.95])
    for (const g of [0.05, 0.5, 2, 10])
      for (const alpha of [0.01, 0.25, 0.5, 1, 2]) {
        const epsInf = fInf * m,
          eps0 = M + g * (M - m + 0.001 * M);
        const z = points.map((p) => Math.log(p.y - epsInf) - alpha * Math.log(eps0 - p.y));
        const mx = lx.reduce((a, v) => a + v, 0) / lx.length,
          mz = z.reduce((a, v) => a + v, 0) / z.length;
        let sxx = 0,
          sxz = 0;
        for (let i = 0; i < lx.length; i++) {
          sxx += (lx[i] - mx) ** 2;
          sxz += (lx[i] - mx) * (z[i] - mz);
        }
        const c = sxz / sxx;
        if (!(c < 0) || !Number.isFinite(mz)) continue;
        const t = new Float64Array([
          Math.log(fInf / (1 - fInf)),
          Math.log(eps0 - epsInf),
          Math.log(alpha),
          mz - c * mx,
          Math.log(-c),
        ]);
        const f = objective(t, scratch);
        if (Number.isFinite(f)) starts.push({ t, f });
      }
  if (!starts.length)
    throw new ScaleLabError(
      'M4 has no start: at no point of its start grid does the straightened relation fall with x (c < 0), so the curve does not fall as M4 does',
    );
  starts.sort((a, b) => a.f - b.f);
  let best = starts[0];
  for (const s of starts.slice(0, 5)) {
    const r = lbfgs(objective, s.t, { maxIterations: 2000, maxMove: 2 });
    if (Number.isFinite(r.f) && r.f < best.f) best = { t: Float64Array.from(r.x), f: r.f };
  }
  return fromInternal(best.t, m);
}

/** The values of a fit by name, as the back-test reports them. */
function m4Values(p: M4Params): Record<string, number> {
  return { epsInf: p.epsInf, eps0: p.eps0, alpha: p.alpha, lnBeta: p.lnBeta, c: p.c };
}

/** M4 as a form `backtestCurves` scores (`scalelab curves --law m4`). */
export const m4CurveForm: CurveForm = {
  id: 'm4',
  kind: 'form',
  formula: '(ℓ − ε∞)/(ε0 − ℓ)^α = β·x^c',
  citation:
    'M4 of Alabdulmohsin, Neyshabur & Zhai 2022, "Revisiting Neural Scaling Laws in Language and Vision", arXiv:2209.06640; fitted by this repository\'s objective (Huber on ln ℓ, a start grid then L-BFGS), not the paper\'s recipe',
  parameterCount: 5,
  fitCurve(train) {
    const p = fitM4(train);
    return { params: m4Values(p), predict: (x) => predictM4(p, x) };
  },
};
