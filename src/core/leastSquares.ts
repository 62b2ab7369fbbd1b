/**
 * Small dense least squares: polynomial fits by the normal equations on centred x, solved by
 * Gaussian elimination with partial pivoting. Pure; for the handful of points of an IsoFLOP profile.
 */

/** Solve A·x = b for a small square system (A row-major, n×n). Returns null when singular. */
export function solveLinear(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (Math.abs(m[pivot][col]) < 1e-300) return null;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = col + 1; r < n; r++) {
      const f = m[r][col] / m[col][col];
      for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let c = r + 1; c < n; c++) s -= m[r][c] * x[c];
    x[r] = s / m[r][r];
  }
  return x;
}

/**
 * Least-squares polynomial y ≈ Σ c_k·x^k of a degree, optionally weighted.
 * @returns coefficients c_0 … c_degree, or null when the points cannot determine them
 */
export function polynomialFit(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  degree: number,
  weights?: ArrayLike<number>,
): number[] | null {
  const n = x.length;
  let sw = 0,
    sx = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    sw += w;
    sx += w * x[i];
  }
  if (sw <= 0) return null;
  const centre = sx / sw; // centring keeps the normal equations well conditioned
  const p = degree + 1;
  const ata = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const atb = new Array<number>(p).fill(0);
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    if (w === 0) continue;
    const t = x[i] - centre;
    const powers = [1];
    for (let k = 1; k < 2 * p; k++) powers.push(powers[k - 1] * t);
    for (let r = 0; r < p; r++) {
      atb[r] += w * powers[r] * y[i];
      for (let c = 0; c < p; c++) ata[r][c] += w * powers[r + c];
    }
  }
  const centred = solveLinear(ata, atb);
  if (!centred) return null;
  // Expand Σ d_k (x − centre)^k back into powers of x.
  const out = new Array<number>(p).fill(0);
  for (let k = 0; k < p; k++) {
    let binom = 1;
    for (let j = 0; j <= k; j++) {
      out[j] += centred[k] * binom * Math.pow(-centre, k - j);
      binom = (binom * (k - j)) / (j + 1);
    }
  }
  return out;
}
