/**
 * Limited-memory BFGS with a strong-Wolfe line search (Nocedal & Wright, "Numerical Optimization",
 * 2nd ed., Algorithms 7.4, 3.5 and 3.6), over Float64Array with analytic gradients.
 *
 * Hand-written because no npm package does this correctly (`numeric` stops early on most starts,
 * `optimization-js` has no line search, `nlopt-js`'s gradient methods crash on Node 20, `fmin`'s ESM
 * entry is empty; docs/methods.md §21), and because the fitting engine calls it thousands of times per
 * fit: it allocates nothing per iteration.
 * Unconstrained: bounds are handled by the caller through reparameterisation (core/bounds.ts).
 */

/** Objective: writes the gradient into `grad` and returns the value. */
export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Number of correction pairs kept. @default 10 */
  memory?: number;
  /** @default 1000 */
  maxIterations?: number;
  /** Stop when max |g_i| falls to this. @default 1e-10 */
  gradientTolerance?: number;
  /** Stop when (f_prev − f) ≤ tol·max(|f|, |f_prev|). @default 1e-15 */
  functionTolerance?: number;
  /**
   * Floor on the scale of the function-tolerance test: (f_prev − f) ≤ tol·max(|f|, |f_prev|, floor).
   * scipy's L-BFGS-B uses 1, which makes its test absolute for objectives below 1. @default 1e-300
   */
  functionToleranceFloor?: number;
  /** Stop when no coordinate moved by more than this in an iteration. @default 1e-14 */
  stepTolerance?: number;
  /**
   * Largest change of any coordinate the line search tries first. On piecewise objectives (Huber)
   * the quasi-Newton scaling can propose wild steps; capping the first trial saves evaluations.
   * @default Infinity
   */
  maxMove?: number;
  /**
   * When the line search finds no decrease and max |g_i| is at most this, the run is reported as
   * converged at the precision limit rather than failed. @default 1e-6
   */
  precisionGradientTolerance?: number;
}

export type StopReason =
  | 'gradient-tolerance'
  | 'function-tolerance'
  | 'step-tolerance'
  | 'max-iterations'
  | 'line-search-failed'
  | 'precision-limit'
  | 'non-finite';

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  /** max |∂f/∂x_i| at x */
  gradientNorm: number;
  iterations: number;
  evaluations: number;
  reason: StopReason;
  /** True when the run stopped on a tolerance rather than on a limit or failure. */
  converged: boolean;
}

const C1 = 1e-4; // sufficient decrease (Armijo)
const C2 = 0.9; // curvature, the usual value for quasi-Newton methods
const MAX_LINE_SEARCH = 40;

/** Reusable work buffers so that multi-start fits allocate once per problem size. */
export class LbfgsWorkspace {
  readonly n: number;
  readonly m: number;
  readonly s: Float64Array[];
  readonly y: Float64Array[];
  readonly rho: Float64Array;
  readonly alpha: Float64Array;
  readonly g: Float64Array;
  readonly d: Float64Array;
  readonly xNew: Float64Array;
  readonly gNew: Float64Array;
  readonly xLo: Float64Array;
  readonly gLo: Float64Array;
  /** Objective evaluations of the current run. */
  evaluations = 0;
  /** f at the point the last line search accepted. */
  fNew = NaN;

  constructor(n: number, m = 10) {
    this.n = n;
    this.m = m;
    this.s = Array.from({ length: m }, () => new Float64Array(n));
    this.y = Array.from({ length: m }, () => new Float64Array(n));
    this.rho = new Float64Array(m);
    this.alpha = new Float64Array(m);
    this.g = new Float64Array(n);
    this.d = new Float64Array(n);
    this.xNew = new Float64Array(n);
    this.gNew = new Float64Array(n);
    this.xLo = new Float64Array(n);
    this.gLo = new Float64Array(n);
  }
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(a[i]);
    if (v > m || v !== v) m = v; // NaN propagates
  }
  return m;
}

/** Minimiser of the cubic through (a, fa, da) and (b, fb, db), or NaN when it has none. */
function cubicMinimizer(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0)) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
}

/** d = −H·g by the two-loop recursion over the `stored` newest correction pairs (newest at `head`). */
function searchDirection(w: LbfgsWorkspace, stored: number, head: number): void {
  const { n, m, s, y, rho, alpha, g, d } = w;
  for (let i = 0; i < n; i++) d[i] = -g[i];
  // Pairs newest first (j = head, head − 1, … wrapping round), then oldest first: no modulo per pair.
  for (let k = 0, j = head; k < stored; k++, j = j === 0 ? m - 1 : j - 1) {
    const a = rho[j] * dot(s[j], d, n);
    alpha[j] = a;
    const yj = y[j];
    for (let i = 0; i < n; i++) d[i] -= a * yj[i];
  }
  if (stored > 0) {
    const gamma = dot(s[head], y[head], n) / dot(y[head], y[head], n);
    for (let i = 0; i < n; i++) d[i] *= gamma;
  }
  for (let k = stored - 1, j = (head - stored + 1 + m) % m; k >= 0; k--, j = j === m - 1 ? 0 : j + 1) {
    const b = rho[j] * dot(y[j], d, n);
    const sj = s[j];
    const c = alpha[j] - b;
    for (let i = 0; i < n; i++) d[i] += c * sj[i];
  }
}

/** f and its gradient (into w.gNew) at x + step·d (into w.xNew). */
function evalAt(fg: ObjectiveWithGradient, w: LbfgsWorkspace, x: Float64Array, step: number): number {
  const { n, d, xNew, gNew } = w;
  for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
  w.evaluations++;
  return fg(xNew, gNew);
}

/**
 * Strong-Wolfe line search from x along w.d (Algorithms 3.5 and 3.6), first trying `step0`.
 * Returns the step taken, with f there in w.fNew and the point and its gradient in w.xNew, w.gNew;
 * or −1 when no step decreased f. A function of its own, apart from the iteration: small functions
 * reach optimised code sooner, which is most of a short fit's time.
 */
function lineSearch(
  fg: ObjectiveWithGradient,
  w: LbfgsWorkspace,
  x: Float64Array,
  f0: number,
  dg0: number,
  step0: number,
): number {
  const { n, d, xNew, gNew, xLo, gLo } = w;
  let aPrev = 0;
  let fPrev = f0;
  let dPrev = dg0;
  let a = step0;
  let accepted = -1; // accepted step, or −1
  let fNew = NaN;
  let haveLo = false; // xLo/gLo hold the evaluated point at `lo` (for a fallback)
  let lo = 0,
    flo = f0,
    dlo = dg0,
    hi = 0,
    fhi = 0,
    dhi = 0;
  let zooming = false;

  for (let ls = 0; ls < MAX_LINE_SEARCH; ls++) {
    if (!zooming) {
      fNew = evalAt(fg, w, x, a);
      const dNew = dot(gNew, d, n);
      if (!Number.isFinite(fNew) || !Number.isFinite(dNew)) {
        // Stepped out of the domain: shrink toward the last good point.
        lo = aPrev;
        flo = fPrev;
        dlo = dPrev;
        hi = a;
        fhi = Infinity;
        dhi = NaN;
        zooming = true;
        continue;
      }
      if (fNew > f0 + C1 * a * dg0 || (ls > 0 && fNew >= fPrev)) {
        lo = aPrev;
        flo = fPrev;
        dlo = dPrev;
        hi = a;
        fhi = fNew;
        dhi = dNew;
        zooming = true;
        continue;
      }
      if (Math.abs(dNew) <= -C2 * dg0) {
        accepted = a;
        break;
      }
      if (dNew >= 0) {
        lo = a;
        flo = fNew;
        dlo = dNew;
        hi = aPrev;
        fhi = fPrev;
        dhi = dPrev;
        xLo.set(xNew);
        gLo.set(gNew);
        haveLo = true;
        zooming = true;
        continue;
      }
      // Still descending steeply: remember this point and extrapolate.
      xLo.set(xNew);
      gLo.set(gNew);
      haveLo = true;
      aPrev = a;
      fPrev = fNew;
      dPrev = dNew;
      a = a * 4;
    } else {
      // Zoom (Algorithm 3.6): cubic interpolation, safeguarded to stay inside the bracket.
      const width = hi - lo;
      let t = Number.isFinite(fhi) && Number.isFinite(dhi) ? cubicMinimizer(lo, flo, dlo, hi, fhi, dhi) : NaN;
      const lower = Math.min(lo, hi) + 0.1 * Math.abs(width);
      const upper = Math.max(lo, hi) - 0.1 * Math.abs(width);
      if (!(t >= lower && t <= upper)) {
        // Quadratic through (lo, f_lo, f'_lo) and (hi, f_hi): shrinks fast after a wild overshoot.
        const q = Number.isFinite(fhi) ? lo - (dlo * width * width) / (2 * (fhi - flo - dlo * width)) : NaN;
        const qLower = Math.min(lo, hi) + 0.01 * Math.abs(width);
        t = q >= qLower && q <= upper ? q : lo + (Number.isFinite(fhi) ? 0.5 : 0.1) * width;
      }
      if (Math.abs(width) < 1e-16 * Math.max(1, Math.abs(lo))) break;
      fNew = evalAt(fg, w, x, t);
      const dNew = dot(gNew, d, n);
      if (!Number.isFinite(fNew) || !Number.isFinite(dNew) || fNew > f0 + C1 * t * dg0 || fNew >= flo) {
        hi = t;
        fhi = Number.isFinite(fNew) ? fNew : Infinity;
        dhi = Number.isFinite(dNew) ? dNew : NaN;
      } else {
        if (Math.abs(dNew) <= -C2 * dg0) {
          accepted = t;
          break;
        }
        if (dNew * (hi - lo) >= 0) {
          hi = lo;
          fhi = flo;
          dhi = dlo;
        }
        lo = t;
        flo = fNew;
        dlo = dNew;
        xLo.set(xNew);
        gLo.set(gNew);
        haveLo = true;
      }
    }
  }

  if (accepted >= 0) {
    w.fNew = fNew;
    return accepted;
  }
  if (haveLo && lo > 0 && flo < f0) {
    // The Wolfe conditions were not met within the budget, but `lo` decreased f: take it.
    xNew.set(xLo);
    gNew.set(gLo);
    w.fNew = flo;
    return lo;
  }
  return -1;
}

/**
 * Minimise f from x0. Returns a new array; x0 is not modified.
 *
 * @example
 * // f(x) = (x0 − 1)² + 10·(x1 + 2)²
 * lbfgs((x, g) => { g[0] = 2*(x[0]-1); g[1] = 20*(x[1]+2); return (x[0]-1)**2 + 10*(x[1]+2)**2 },
 *       new Float64Array([0, 0])).x  // => [1, -2]
 */
export function lbfgs(
  fg: ObjectiveWithGradient,
  x0: Float64Array,
  options: LbfgsOptions = {},
  workspace?: LbfgsWorkspace,
): LbfgsResult {
  const n = x0.length;
  const m = options.memory ?? 10;
  const maxIterations = options.maxIterations ?? 1000;
  const gtol = options.gradientTolerance ?? 1e-10;
  const ftol = options.functionTolerance ?? 1e-15;
  const xtol = options.stepTolerance ?? 1e-14;
  const fFloor = options.functionToleranceFloor ?? 1e-300;
  const maxMove = options.maxMove ?? Infinity;
  const precisionGtol = options.precisionGradientTolerance ?? 1e-6;
  const w = workspace && workspace.n === n && workspace.m === m ? workspace : new LbfgsWorkspace(n, m);
  const { s, y, rho, g, d, xNew, gNew } = w;

  const x = Float64Array.from(x0);
  let f = fg(x, g);
  w.evaluations = 1;
  const done = (reason: StopReason, iterations: number): LbfgsResult => ({
    x,
    f,
    gradientNorm: maxAbs(g, n),
    iterations,
    evaluations: w.evaluations,
    reason,
    converged:
      reason === 'gradient-tolerance' ||
      reason === 'function-tolerance' ||
      reason === 'step-tolerance' ||
      reason === 'precision-limit',
  });
  if (!Number.isFinite(f) || !Number.isFinite(maxAbs(g, n))) return done('non-finite', 0);
  if (maxAbs(g, n) <= gtol) return done('gradient-tolerance', 0);

  let stored = 0; // number of valid correction pairs
  let head = 0; // index of the newest pair
  let restarts = 0;

  for (let iter = 1; iter <= maxIterations; iter++) {
    searchDirection(w, stored, head);
    let dg0 = dot(g, d, n);
    if (!(dg0 < 0)) {
      // Not a descent direction (lost curvature information): restart from steepest descent.
      for (let i = 0; i < n; i++) d[i] = -g[i];
      dg0 = dot(g, d, n);
      stored = 0;
    }
    let step0 = stored === 0 ? Math.min(1, 1 / Math.max(maxAbs(g, n), 1e-300)) : 1;
    const move = step0 * maxAbs(d, n);
    if (move > maxMove) step0 *= maxMove / move;

    const step = lineSearch(fg, w, x, f, dg0, step0);
    if (step < 0) {
      if (stored > 0 && restarts < 3) {
        // Retry once from steepest descent before giving up.
        stored = 0;
        restarts++;
        continue;
      }
      // No decrease along the search direction. With a near-zero gradient that is the optimum at
      // machine precision (what scipy reports as ABNORMAL_TERMINATION_IN_LNSRCH); otherwise a failure.
      return done(maxAbs(g, n) <= precisionGtol ? 'precision-limit' : 'line-search-failed', iter);
    }

    // Update the correction pairs: s = x_new − x, y = g_new − g.
    const next = (head + 1) % m;
    const sk = s[next],
      yk = y[next];
    let maxStep = 0;
    for (let i = 0; i < n; i++) {
      sk[i] = xNew[i] - x[i];
      yk[i] = gNew[i] - g[i];
      const rel = Math.abs(sk[i]) / Math.max(1, Math.abs(x[i]));
      if (rel > maxStep) maxStep = rel;
    }
    const sy = dot(sk, yk, n);
    if (sy > 1e-300 && sy > 1e-12 * Math.sqrt(dot(sk, sk, n) * dot(yk, yk, n))) {
      rho[next] = 1 / sy;
      head = next;
      if (stored < m) stored++;
    }
    const fOld = f;
    x.set(xNew);
    g.set(gNew);
    f = w.fNew;

    if (maxAbs(g, n) <= gtol) return done('gradient-tolerance', iter);
    if (fOld - f <= ftol * Math.max(Math.abs(f), Math.abs(fOld), fFloor)) return done('function-tolerance', iter);
    if (maxStep <= xtol) return done('step-tolerance', iter);
  }
  return done('max-iterations', maxIterations);
}
