import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lbfgs } from './lbfgs.js';

// Rosenbrock: minimum f = 0 at (1, …, 1); the classic hard valley for quasi-Newton methods.
function rosenbrock(x: Float64Array, g: Float64Array): number {
  let f = 0;
  g.fill(0);
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i + 1] - x[i] * x[i],
      b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * x[i] * a - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
}

test('lbfgs(rosenbrock) reaches (1, 1, …) from the textbook start', () => {
  const x0 = Float64Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
  const r = lbfgs(rosenbrock, x0);
  assert.ok(r.converged, r.reason);
  for (const v of r.x) assert.ok(Math.abs(v - 1) < 1e-6, `x = ${v}`);
  assert.ok(r.f < 1e-12);
  assert.ok(r.gradientNorm < 1e-5);
  assert.deepEqual(Array.from(x0.slice(0, 2)), [-1.2, 1], 'x0 unchanged');
});

test('lbfgs on an ill-conditioned quadratic matches the analytic minimiser', () => {
  // f(x) = Σ c_i (x_i − t_i)², condition number 1e6
  const c = [1, 1e2, 1e4, 1e6],
    t = [3, -2, 0.5, 7];
  const r = lbfgs((x, g) => {
    let f = 0;
    for (let i = 0; i < 4; i++) {
      f += c[i] * (x[i] - t[i]) ** 2;
      g[i] = 2 * c[i] * (x[i] - t[i]);
    }
    return f;
  }, new Float64Array(4));
  r.x.forEach((v, i) => assert.ok(Math.abs(v - t[i]) < 1e-7, `x${i} = ${v}`));
  assert.ok(r.converged);
});

test('lbfgs reports non-finite objectives honestly', () => {
  const r = lbfgs((x, g) => {
    g[0] = NaN;
    return NaN;
  }, new Float64Array(1));
  assert.equal(r.reason, 'non-finite');
  assert.equal(r.converged, false);
});

test('lbfgs stops at maxIterations and says so', () => {
  const x0 = Float64Array.of(-1.2, 1);
  const r = lbfgs(rosenbrock, x0, { maxIterations: 3 });
  assert.equal(r.reason, 'max-iterations');
  assert.equal(r.converged, false);
  assert.equal(r.iterations, 3);
});

test('lbfgs recovers from steps into a region where f is undefined', () => {
  // f(x) = x − ln x has its minimum at x = 1 and is NaN for x ≤ 0; a long first step overshoots.
  const r = lbfgs((x, g) => {
    g[0] = 1 - 1 / x[0];
    return x[0] - Math.log(x[0]);
  }, Float64Array.of(0.01));
  assert.ok(Math.abs(r.x[0] - 1) < 1e-6, `x = ${r.x[0]}`);
});

test("functionToleranceFloor: scipy's rule, max(|f|, |f_prev|, 1), makes the test absolute below 1", () => {
  // An objective of scale 1e-6: relative to f, every iteration still decreases by much more than
  // 1e-9; against max(|f|, 1) the first one already does not.
  const fg = (x: Float64Array, g: Float64Array) => {
    let f = 0;
    for (let i = 0; i < 4; i++) {
      const c = 1e-6 * 10 ** i;
      f += c * (x[i] - 1) ** 2;
      g[i] = 2 * c * (x[i] - 1);
    }
    return f;
  };
  const x0 = new Float64Array(4);
  const relative = lbfgs(fg, x0, { functionTolerance: 1e-9, gradientTolerance: 0 });
  const floored = lbfgs(fg, x0, { functionTolerance: 1e-9, functionToleranceFloor: 1, gradientTolerance: 0 });
  assert.equal(floored.reason, 'function-tolerance');
  assert.ok(
    floored.iterations < relative.iterations,
    `${floored.iterations} iterations with the floor, ${relative.iterations} without`,
  );
  assert.ok(relative.f < 1e-15, `relative test runs on to the minimum: f = ${relative.f}`);
});
