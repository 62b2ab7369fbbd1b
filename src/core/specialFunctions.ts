/**
 * Special functions for tests of fit: ln Γ (Lanczos, g = 7), the regularised incomplete beta
 * function (Lentz's continued fraction, as in Numerical Recipes §6.4), the F distribution and Student's t
 * quantiles, the standard normal CDF and the noncentral t's quantiles. Pure.
 */

const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = lanczos[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += lanczos[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1,
    d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(F > f) for the F distribution with (d1, d2) degrees of freedom. */
export function fSurvival(f: number, d1: number, d2: number): number {
  if (!(f > 0)) return 1;
  return incompleteBeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2);
}

/** P(T ≤ t) for Student's t with ν > 0 degrees of freedom (ν need not be whole). */
export function studentTCdf(t: number, nu: number): number {
  const tail = 0.5 * incompleteBeta(nu / (nu + t * t), nu / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with ν > 0 degrees of freedom, by bisection on the CDF (to ~1e-12). */
export function studentTQuantile(p: number, nu: number): number {
  if (!(p > 0 && p < 1) || !(nu > 0)) return NaN;
  if (p < 0.5) return -studentTQuantile(1 - p, nu);
  if (p === 0.5) return 0;
  let lo = 0,
    hi = 1;
  while (studentTCdf(hi, nu) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, nu) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Φ(x), the standard normal CDF: erfc by Numerical Recipes' Chebyshev fit (§6.2, relative error < 1.2e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2,
    t = 1 / (1 + 0.5 * z);
  const c = [
    -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223,
    0.17087277,
  ];
  let poly = 0;
  for (let i = c.length - 1; i >= 0; i--) poly = c[i] + t * poly;
  const tail = 0.5 * t * Math.exp(-z * z + poly);
  return x >= 0 ? 1 - tail : tail;
}

/**
 * P(T ≤ t) for the noncentral t with ν degrees of freedom and noncentrality δ, T = (Z + δ)/√(V/ν), V ~ χ²_ν:
 * E[Φ(t·√(V/ν) − δ)] by the trapezoid rule in w = ln V, where the integrand is smooth with thin tails
 * (near-normal with sd √(2/ν) for large ν, a left tail e^(ν·w/2) for small).
 */
function noncentralTCdf(t: number, nu: number, delta: number): number {
  const k = nu / 2,
    width = Math.sqrt(2 / nu);
  const lo = Math.log(nu) - 12 * width - 40 / k,
    hi = Math.log(nu) + 12 * width + 30 / k,
    n = 2000,
    h = (hi - lo) / n;
  const norm = k * Math.LN2 + logGamma(k);
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const w = lo + i * h,
      v = Math.exp(w);
    const f = Math.exp(k * w - v / 2 - norm) * normalCdf(t * Math.sqrt(v / nu) - delta);
    sum += i === 0 || i === n ? f / 2 : f;
  }
  return sum * h;
}

/** The p-quantile of the noncentral t with ν > 0 degrees of freedom and noncentrality δ, by bisection (to ~1e-9). */
export function noncentralTQuantile(p: number, nu: number, delta: number): number {
  if (!(p > 0 && p < 1) || !(nu > 0)) return NaN;
  let lo = delta - 1,
    hi = delta + 1;
  while (noncentralTCdf(lo, nu, delta) > p) lo -= 2 * (hi - lo);
  while (noncentralTCdf(hi, nu, delta) < p) hi += 2 * (hi - lo);
  for (let i = 0; i < 100 && hi - lo > 1e-9 * Math.max(1, Math.abs(hi)); i++) {
    const mid = (lo + hi) / 2;
    if (noncentralTCdf(mid, nu, delta) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
