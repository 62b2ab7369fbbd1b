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
import { checkInputs, fit } from '../fit/fit.js';
import { powerLaw, predictLoss, type Variable } from '../laws/index.js';
import type { Dataset } from '../io/dataset.js';
import { checkDistinct, checkLossVaries, checkMagnitudes, locate } from '../io/dataChecks.js';
import { warning, type TrustWarning } from '../fit/warnings.js';
import { formatNumber } from '../core/format.js';

type X = Exclude<Variable, 'U'>;

export interface CurveRegions {
  variable: X;
  fit: { E: number; A: number; alpha: number };
  /**
   * Sharma & Kaplan 2020: α ≈ 4/d for a data manifold of intrinsic dimension d. Absent when α is
   * steeper than any published exponent (then `intrinsicDimensionNote` says why).
   */
  intrinsicDimension?: number;
  intrinsicDimensionNote?: string;
  /** x where the small-data region ends (first power-law point), if there is one. */
  smallDataEnd?: number;
  /** x where the floor E overtakes the reducible part; absent when that lies beyond 1e100 (E ≈ 0). */
  irreducibleStart?: number;
  counts: { smallData: number; powerLaw: number; irreducible: number };
  points: { x: number; y: number; localSlope?: number; region: 'small-data' | 'power-law' | 'irreducible' }[];
  summary: string;
}

/**
 * Local log–log slopes between consecutive points, at their geometric midpoints (in log space, so
 * extreme x do not overflow). A point at the same x as the one before it (a repeated run) has no
 * slope of its own: it is measured against the last point at a smaller x, or left out when none.
 */
export function localSlopes(points: { x: number; y: number }[]): { x: number; slope: number }[] {
  const s = [...points].sort((a, b) => a.x - b.x);
  return slopesFromPrevious(s).filter((k): k is { x: number; slope: number } => k !== undefined);
}

/** Per point of an x-sorted curve, its slope from the last point at a smaller x (undefined at the smallest x). */
function slopesFromPrevious(s: { x: number; y: number }[]): ({ x: number; slope: number } | undefined)[] {
  let prev = -1; // the last index at a smaller x than the current point's
  return s.map((p, i) => {
    if (i > 0 && p.x !== s[i - 1].x) prev = i - 1;
    if (prev < 0) return undefined;
    const q = s[prev];
    return {
      x: Math.exp((Math.log(p.x) + Math.log(q.x)) / 2),
      slope: (Math.log(p.y) - Math.log(q.y)) / (Math.log(p.x) - Math.log(q.x)),
    };
  });
}

/** Published exponents lie between ~0.05 and ~1; past this the power-law term is switched off. */
const STEEPEST_EXPONENT = 5;

export function learningCurveRegions(dataset: Dataset, x: X = 'D'): CurveRegions {
  const runs = dataset.runs.filter((r) => r[x] !== undefined).sort((a, b) => a[x]! - b[x]!);
  // No column for x at all is said with the file's columns ("found 0 points" read as an empty file).
  if (runs.length === 0) checkInputs(powerLaw(x), dataset);
  if (runs.length < 5)
    throw new InputError(
      { file: dataset.source },
      `a learning curve needs at least 5 points with ${x}; found ${runs.length}`,
    );
  checkMagnitudes(dataset, [x, 'loss'], runs);
  checkDistinct(dataset, runs, x, 5, 'a learning curve');
  checkLossVaries(dataset, runs, 'a learning curve');
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
  if (!(alpha > 0)) {
    throw new InputError(
      locate(dataset, runs[0], 'loss'),
      `the loss does not fall as ${x} grows (fitted α = ${alpha.toPrecision(3)}): the points have no power-law region, and α ≈ 4/d gives no intrinsic dimension for α ≤ 0`,
    );
  }
  // In log space: E ≈ 0 puts the start astronomically far (or past what a double holds).
  const lnStart = (Math.log(A) - Math.log(E)) / alpha;
  const irreducibleStart = lnStart <= Math.log(1e100) ? Math.exp(lnStart) : undefined;
  const slopes = slopesFromPrevious(runs.map((r) => ({ x: r[x]!, y: r.loss })));
  const points = runs.map((r, i) => ({
    x: r[x]!,
    y: r.loss,
    localSlope: slopes[i]?.slope,
    region: (i < small
      ? 'small-data'
      : irreducibleStart !== undefined && r[x]! >= irreducibleStart
        ? 'irreducible'
        : 'power-law') as CurveRegions['points'][number]['region'],
  }));
  const counts = {
    smallData: points.filter((p) => p.region === 'small-data').length,
    powerLaw: points.filter((p) => p.region === 'power-law').length,
    irreducible: points.filter((p) => p.region === 'irreducible').length,
  };
  // "Mostly" only for a region that holds more than half the points: 12 power-law and 12 irreducible
  // points of 30 were said to sit mostly in the power-law region.
  const most = (n: number) => n > points.length / 2;
  const where = most(counts.irreducible)
    ? 'mostly in the irreducible region: more data or parameters will buy little'
    : most(counts.smallData)
      ? 'mostly in the small-data region: the power law is not yet visible'
      : most(counts.powerLaw)
        ? 'mostly in the power-law region, where extrapolation is most reliable'
        : `spread over the regions, none holding most of them: ${counts.powerLaw} of ${points.length} in the power-law region, where extrapolation is most reliable`;
  const steep = alpha > STEEPEST_EXPONENT;
  const dimensionNote = steep
    ? `α = ${alpha.toPrecision(3)} is far steeper than any published exponent (0.05–1): the power-law term is switched off within the data, so 4/α says nothing about an intrinsic dimension`
    : undefined;
  return {
    variable: x,
    fit: { E, A, alpha },
    ...(steep ? { intrinsicDimensionNote: dimensionNote } : { intrinsicDimension: 4 / alpha }),
    smallDataEnd: small > 0 ? runs[small]?.[x] : undefined,
    ...(irreducibleStart !== undefined ? { irreducibleStart } : {}),
    counts,
    points,
    summary: `${counts.smallData} small-data, ${counts.powerLaw} power-law and ${counts.irreducible} irreducible points; the data sit ${where}. Slope α = ${alpha.toFixed(3)}, ${steep ? `but ${dimensionNote}` : `so an intrinsic dimension of about ${(4 / alpha).toFixed(1)} (α ≈ 4/d, Sharma & Kaplan)`}.`,
  };
}

/**
 * A broken power law's breaks the data do not span: a break below the smallest x or above the largest
 * is not seen in the data, only absorbed into the other parameters (a 1-break fit of a smooth curve put
 * it at D = 0.02 with the data from 10 to 1e7, and an initial slope of −4), so the break says nothing.
 */
export function bnslBreakWarnings(
  params: Record<string, number>,
  breaks: number,
  x: string,
  range: [number, number],
): TrustWarning[] {
  const out: TrustWarning[] = [];
  const [lo, hi] = range;
  for (let i = 1; i <= breaks; i++) {
    const d = params[`d${i}`];
    if (!(d < lo || d > hi)) continue;
    out.push(
      warning(
        'break-outside-data',
        'warning',
        `break ${i} sits at ${x} = ${formatNumber(d, 3)}, ${d < lo ? 'below' : 'above'} the data (${x} from ${formatNumber(lo, 3)} to ${formatNumber(hi, 3)}): the data do not show it, and its parameters (d${i}, c${i}, f${i}) only bend the fit elsewhere; fit with fewer breaks`,
      ),
    );
  }
  return out;
}
