/**
 * The residual bootstrap on a fixed design, one convention for every caller (`mup transfer`'s parabolas
 * in ln η, `bcrit`'s S = S_min + E_min/B, Approach 2's IsoFLOP parabolas in ln N). Pure.
 *
 * Why residuals rather than runs: those runs sit on a designed grid (learning rates, batch sizes, model
 * sizes chosen in advance). Drawing runs with replacement drops some grid points and repeats others, and a
 * replicate that loses the grid's best point or one side of a profile moves the vertex by about a grid
 * step: the interval then measures the grid, not the noise (±0.1 on the slope of exact muP sweeps; IsoFLOP
 * intervals 4.3–4.7 times the estimate's spread, docs/methods.md §8, §14). Keeping the design and drawing
 * new responses ŷ_i ⊕ r* follows the noise only.
 *
 * The convention (Davison & Hinkley 1997, §6.2.3, Algorithm 6.3): a least-squares fit of the linear(ised)
 * model, its residuals e_i made relative (y_i/ŷ_i − 1, when the noise scales with the response) or kept
 * absolute (y_i − ŷ_i), divided by √(1 − h_i) with h_i the fit's leverage (a point pulls the fit towards
 * itself, so its raw residual understates the noise by that factor), then centred so that the resampled
 * noise has mean zero. Replaced: √(n/(n − p)) for every point alike (bcrit, Approach 2), which inflates the
 * low-leverage points as much as the high and does not centre. A replicate's response is ŷ_i·(1 + r*) or
 * ŷ_i + r*, r* drawn with replacement from the group's own residuals or from every group's pooled.
 *
 * A group whose fit has no residual degree of freedom (as many points as parameters: a parabola through
 * 3 points, a line through 2) or whose design does not determine its parameters leaves no residual; so
 * does a relative group with a fitted value ≤ 0. Per group, such a group keeps its observed responses in
 * every replicate; pooled, it draws from the others' residuals. When no group leaves a residual there is
 * nothing to resample (`noResidualLeft`), and the caller says why in its own words.
 */
import type { Random } from '../core/random.js';

/** One group's data: the design (one row of regressors per point) and the observed responses. */
export interface ResidualGroup {
  design: readonly (readonly number[])[];
  observed: readonly number[];
}

export interface ResidualBootstrapOptions {
  /** Relative residuals y/ŷ − 1 (noise proportional to the response) or absolute y − ŷ. */
  scale: 'relative' | 'absolute';
  /** Draw every group's residuals from one pool, or each group from its own. */
  pooling: 'pooled' | 'per-group';
}

/** Why a group leaves no residual. */
export type NoResidual = 'exact fit' | 'parameters not determined' | 'fitted value not positive';

export interface ResidualFit {
  /** Least-squares fitted responses. */
  fitted: number[];
  /** The hat matrix's diagonal: how much each point pulls its own fitted value. */
  leverage: number[];
  /** Rank of the design: the parameters the fit determines. */
  parameters: number;
  /** Set when the group leaves no residual, with why. */
  noResidual?: NoResidual;
  /** The group's leverage-adjusted residuals (points of leverage 1 left out), not yet centred. */
  residuals: number[];
}

export interface ResidualBootstrap {
  groups: ResidualFit[];
  /** No group leaves a residual: nothing to resample, so no interval. */
  noResidualLeft: boolean;
  /**
   * One replicate's responses for group g, a draw of `random` per point in order: fitted ⊕ a drawn centred
   * residual; the observed responses where the group has no residual to draw from (per group) or cannot be
   * scaled (a relative group with a fitted value ≤ 0).
   */
  draw(g: number, random: Random): number[];
}

/** Rows [1, x, x², …, x^degree]: the design of a least-squares polynomial. */
export function polynomialDesign(x: readonly number[], degree: number): number[][] {
  return x.map((v) => Array.from({ length: degree + 1 }, (_, k) => v ** k));
}

/**
 * Least squares by modified Gram–Schmidt with one reorthogonalisation ("twice is enough"), on columns scaled
 * to unit norm: the orthonormal basis Q of the design's column space gives ŷ = Q·Qᵀy and h_i = Σ_k Q_ik², with
 * no normal equations (a parabola in ln N ≈ 20 squares their conditioning). A column left with under 1e-9 of
 * its norm is dependent on the others and adds nothing.
 */
function leastSquaresFit(group: ResidualGroup): Omit<ResidualFit, 'noResidual' | 'residuals'> {
  const n = group.observed.length;
  const columns = group.design[0]?.length ?? 0;
  const basis: Float64Array[] = [];
  for (let j = 0; j < columns; j++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = group.design[i][j];
    const norm0 = Math.hypot(...v);
    if (!(norm0 > 0) || !Number.isFinite(norm0)) continue;
    for (let i = 0; i < n; i++) v[i] /= norm0;
    for (let pass = 0; pass < 2; pass++)
      for (const q of basis) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i] * v[i];
        for (let i = 0; i < n; i++) v[i] -= dot * q[i];
      }
    const norm = Math.hypot(...v);
    if (!(norm > 1e-9)) continue;
    for (let i = 0; i < n; i++) v[i] /= norm;
    basis.push(v);
  }
  const fitted = new Array<number>(n).fill(0);
  const leverage = new Array<number>(n).fill(0);
  for (const q of basis) {
    let dot = 0;
    for (let i = 0; i < n; i++) dot += q[i] * group.observed[i];
    for (let i = 0; i < n; i++) {
      fitted[i] += dot * q[i];
      leverage[i] += q[i] * q[i];
    }
  }
  return { fitted, leverage, parameters: basis.length };
}

/** A point whose leverage is this close to 1 is fitted exactly: its residual is 0/0, not a measurement. */
const EXACT = 1e-9;

/** Fit every group, collect its leverage-adjusted residuals, centre them, and return the replicate draw. */
export function residualBootstrap(
  groups: readonly ResidualGroup[],
  options: ResidualBootstrapOptions,
): ResidualBootstrap {
  const relative = options.scale === 'relative';
  const fits: ResidualFit[] = groups.map((group) => {
    const fit = leastSquaresFit(group);
    const n = group.observed.length;
    const columns = group.design[0]?.length ?? 0;
    const noResidual: NoResidual | undefined =
      fit.parameters < columns
        ? 'parameters not determined'
        : n <= fit.parameters
          ? 'exact fit'
          : relative && fit.fitted.some((f) => !(f > 0))
            ? 'fitted value not positive'
            : undefined;
    const residuals: number[] = [];
    if (!noResidual)
      group.observed.forEach((y, i) => {
        const h = fit.leverage[i];
        if (h >= 1 - EXACT) return;
        const e = relative ? y / fit.fitted[i] - 1 : y - fit.fitted[i];
        residuals.push(e / Math.sqrt(1 - h));
      });
    return { ...fit, ...(noResidual ? { noResidual } : {}), residuals };
  });
  const centred = (r: number[]) => {
    const mean = r.reduce((t, v) => t + v, 0) / (r.length || 1);
    return r.map((v) => v - mean);
  };
  const pooled = centred(fits.flatMap((f) => f.residuals));
  const pools = fits.map((f) => (options.pooling === 'pooled' ? pooled : centred(f.residuals)));
  return {
    groups: fits,
    noResidualLeft: pooled.length === 0,
    draw(g, random) {
      const fit = fits[g],
        pool = pools[g];
      const scalable = !(relative && fit.noResidual === 'fitted value not positive');
      if (pool.length === 0 || !scalable) return [...groups[g].observed];
      return fit.fitted.map((f) => {
        const r = pool[Math.floor(random() * pool.length)];
        return relative ? f * (1 + r) : f + r;
      });
    },
  };
}
