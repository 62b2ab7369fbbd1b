/**
 * A learning curve's three regions (Hestness et al. 2017): small-data (error near best-guess,
 * flat), power-law (straight in log–log), irreducible (error approaching its floor). Pure.
 *
 * The rule, stated so it can be checked: fit E + A·x^(−α) (least squares on ln y) to the points
 * not yet classified as small-data; a leading run of points that the power law over-predicts by
 * more than max(3·rms, 2 %) is the small-data region (refit without them, twice); the irreducible
 * region starts where the floor E exceeds the reducible part A·x^(−α), x ≥ (A/E)^(1/α).
 */
import { InputError } from '../errors/index.js';
import { fit } from '../fit/fit.js';
import { powerLaw, predictLoss, type Variable } from '../laws/index.js';
import type { Dataset, Run } from '../io/dataset.js';

type X = Exclude<Variable, 'U'>;

export interface CurveRegions {
  variable: X;
  fit: { E: number; A: number; alpha: number };
  /** Sharma & Kaplan 2020: α ≈ 4/d for a data manifold of intrinsic dimension d. */
  intrinsicDimension: number;
  /** x where the small-data region ends (first power-law point), if there is one. */
  smallDataEnd?: number;
  /** x where the floor E overtakes the reducible part. */
  irreducibleStart: number;
  counts: { smallData: number; powerLaw: number; irreducible: number };
  points: { x: number; y: number; localSlope?: number; region: 'small-data' | 'power-law' | 'irreducible' }[];
  summary: string;
}

/** Local log–log slopes between consecutive points, at their geometric midpoints. */
export function localSlopes(points: { x: number; y: number }[]): { x: number; slope: number }[] {
  const s = [...points].sort((a, b) => a.x - b.x);
  return s.slice(1).map((p, i) => ({ x: Math.sqrt(p.x * s[i].x), slope: Math.log(p.y / s[i].y) / Math.log(p.x / s[i].x) }));
}

export function learningCurveRegions(dataset: Dataset, x: X = 'D'): CurveRegions {
  const runs = dataset.runs.filter((r) => r[x] !== undefined).sort((a, b) => a[x]! - b[x]!);
  if (runs.length < 5) throw new InputError({ file: dataset.source }, `a learning curve needs at least 5 points with ${x}; found ${runs.length}`);
  const law = powerLaw(x);
  // Fit the later two thirds first (where a power law, if any, lives), then let the leading
  // over-predicted points define the small-data region, refit without them, until it settles.
  let small = Math.floor(runs.length / 3);
  let params = fit(law, { ...dataset, runs: runs.slice(small) }, { loss: 'ls' }).params;
  for (let pass = 0; pass < 6; pass++) {
    const kept = runs.slice(small);
    const resid = kept.map((r) => Math.log(predictLoss(law, params, { [x]: r[x] }) / r.loss));
    const rms = Math.sqrt(resid.reduce((a, v) => a + v * v, 0) / resid.length);
    const tol = Math.max(3 * rms, 0.02);
    let lead = 0;
    for (const r of runs) {
      if (Math.log(predictLoss(law, params, { [x]: r[x] }) / r.loss) > tol) lead++;
      else break;
    }
    lead = Math.min(lead, runs.length - 4);
    if (lead === small && pass > 0) break;
    small = lead;
    params = fit(law, { ...dataset, runs: runs.slice(small) }, { loss: 'ls' }).params;
  }
  const { E, A, alpha } = params;
  const irreducibleStart = Math.pow(A / E, 1 / alpha);
  const slopes = localSlopes(runs.map((r) => ({ x: r[x]!, y: r.loss })));
  const points = runs.map((r, i) => ({
    x: r[x]!,
    y: r.loss,
    localSlope: i > 0 ? slopes[i - 1].slope : undefined,
    region: (i < small ? 'small-data' : r[x]! >= irreducibleStart ? 'irreducible' : 'power-law') as CurveRegions['points'][number]['region'],
  }));
  const counts = { smallData: points.filter((p) => p.region === 'small-data').length, powerLaw: points.filter((p) => p.region === 'power-law').length, irreducible: points.filter((p) => p.region === 'irreducible').length };
  const where = counts.irreducible > counts.powerLaw ? 'mostly in the irreducible region: more data or parameters will buy little' : counts.smallData > counts.powerLaw ? 'mostly in the small-data region: the power law is not yet visible' : 'mostly in the power-law region, where extrapolation is most reliable';
  return {
    variable: x,
    fit: { E, A, alpha },
    intrinsicDimension: 4 / alpha,
    smallDataEnd: small > 0 ? runs[small]?.[x] : undefined,
    irreducibleStart,
    counts,
    points,
    summary: `${counts.smallData} small-data, ${counts.powerLaw} power-law and ${counts.irreducible} irreducible points; the data sit ${where}. Slope α = ${alpha.toFixed(3)}, so an intrinsic dimension of about ${(4 / alpha).toFixed(1)} (α ≈ 4/d, Sharma & Kaplan).`,
  };
}
