/**
 * Brent's method for a one-dimensional minimum on [a, b] (golden section with parabolic steps;
 * Brent 1973, "Algorithms for Minimization without Derivatives", ch. 5). Pure.
 */
export function minimize1d(
  f: (x: number) => number,
  a: number,
  b: number,
  tolerance = 1e-10,
  maxIterations = 200,
): { x: number; f: number; iterations: number } {
  const golden = 0.3819660112501051;
  let x = a + golden * (b - a),
    w = x,
    v = x;
  let fx = f(x),
    fw = fx,
    fv = fx;
  let d = 0,
    e = 0;
  let i = 0;
  for (; i < maxIterations; i++) {
    const m = 0.5 * (a + b);
    const tol1 = tolerance * Math.abs(x) + 1e-12,
      tol2 = 2 * tol1;
    if (Math.abs(x - m) <= tol2 - 0.5 * (b - a)) break;
    let parabolic = false;
    if (Math.abs(e) > tol1) {
      const r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      else q = -q;
      if (Math.abs(p) < Math.abs(0.5 * q * e) && p > q * (a - x) && p < q * (b - x)) {
        e = d;
        d = p / q;
        const u = x + d;
        if (u - a < tol2 || b - u < tol2) d = x < m ? tol1 : -tol1;
        parabolic = true;
      }
    }
    if (!parabolic) {
      e = (x < m ? b : a) - x;
      d = golden * e;
    }
    const u = Math.abs(d) >= tol1 ? x + d : x + (d > 0 ? tol1 : -tol1);
    const fu = f(u);
    if (fu <= fx) {
      if (u < x) b = x;
      else a = x;
      v = w;
      fv = fw;
      w = x;
      fw = fx;
      x = u;
      fx = fu;
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        v = w;
        fv = fw;
        w = u;
        fw = fu;
      } else if (fu <= fv || v === x || v === w) {
        v = u;
        fv = fu;
      }
    }
  }
  return { x, f: fx, iterations: i };
}

/** A root of f on [a, b] where f(a) and f(b) differ in sign (bisection; robust, 200 halvings). */
export function bisect(f: (x: number) => number, a: number, b: number, tolerance = 1e-12): number {
  let fa = f(a);
  const fb = f(b);
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (Math.sign(fa) === Math.sign(fb)) throw new RangeError('bisect requires f(a) and f(b) of opposite signs');
  for (let i = 0; i < 200 && b - a > tolerance * Math.max(1, Math.abs(a)); i++) {
    const m = 0.5 * (a + b);
    const fm = f(m);
    if (fm === 0) return m;
    if (Math.sign(fm) === Math.sign(fa)) {
      a = m;
      fa = fm;
    } else b = m;
  }
  return 0.5 * (a + b);
}
