/**
 * Ordinary least squares of y on x: y ≈ intercept + slope·x. The closed-form special case of a
 * power law fitted in log–log space (Kaplan et al. 2020 and Hestness et al. 2017 fit lines there).
 * @throws RangeError with fewer than two points or when all x are equal
 */
export function linearRegression(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  weights?: ArrayLike<number>,
): { slope: number; intercept: number } {
  const n = x.length;
  let sw = 0,
    sx = 0,
    sy = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    sw += w;
    sx += w * x[i];
    sy += w * y[i];
  }
  if (n < 2 || sw <= 0) throw new RangeError('linearRegression requires at least two points');
  const mx = sx / sw,
    my = sy / sw;
  let sxx = 0,
    sxy = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    sxx += w * (x[i] - mx) ** 2;
    sxy += w * (x[i] - mx) * (y[i] - my);
  }
  if (sxx === 0) throw new RangeError('linearRegression requires at least two distinct x values');
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/** A power law y = coefficient·x^exponent. */
export interface PowerFit {
  exponent: number;
  coefficient: number;
}

/**
 * A power law through positive points, fitted as a line in log–log space:
 * ln y = ln coefficient + exponent·ln x (the fits of Kaplan et al. 2020 and Hoffmann et al. 2022's
 * Approaches 1 and 2). @throws RangeError as linearRegression
 */
export function powerFit(x: readonly number[], y: readonly number[]): PowerFit {
  const { slope, intercept } = linearRegression(x.map(Math.log), y.map(Math.log));
  return { exponent: slope, coefficient: Math.exp(intercept) };
}
