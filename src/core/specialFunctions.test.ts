import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noncentralTQuantile, studentTCdf, studentTQuantile } from './specialFunctions.js';

test("studentTQuantile: tabulated values, the Cauchy and ν = 2 closed forms, and the normal's as ν grows", () => {
  // ν = 1 is the Cauchy distribution: tan(π(p − 1/2)); ν = 2: (2p − 1)/√(2p(1 − p)).
  for (const p of [0.6, 0.9, 0.975]) {
    assert.ok(Math.abs(studentTQuantile(p, 1) - Math.tan(Math.PI * (p - 0.5))) < 1e-9, `ν = 1, p = ${p}`);
    assert.ok(Math.abs(studentTQuantile(p, 2) - (2 * p - 1) / Math.sqrt(2 * p * (1 - p))) < 1e-9, `ν = 2, p = ${p}`);
  }
  // Printed tables: t_{0.975,5} = 2.5706, t_{0.975,10} = 2.2281, t_{0.9,30} = 1.3104.
  assert.ok(Math.abs(studentTQuantile(0.975, 5) - 2.5706) < 1e-4);
  assert.ok(Math.abs(studentTQuantile(0.975, 10) - 2.2281) < 1e-4);
  assert.ok(Math.abs(studentTQuantile(0.9, 30) - 1.3104) < 1e-4);
  assert.ok(Math.abs(studentTQuantile(0.975, 1e7) - 1.959964) < 1e-5);
  // Symmetric, and the CDF inverts it.
  assert.equal(studentTQuantile(0.025, 7), -studentTQuantile(0.975, 7));
  assert.ok(Math.abs(studentTCdf(studentTQuantile(0.8, 3.5), 3.5) - 0.8) < 1e-10);
  assert.ok(Number.isNaN(studentTQuantile(1, 3)) && Number.isNaN(studentTQuantile(0.9, 0)));
});

test('a t-based interval widens as the degrees of freedom m − p fall toward 1 (few runs for the parameters)', () => {
  const ratio = (nu: number) => studentTQuantile(0.975, nu) / 1.959963984540054;
  const widths = [100, 20, 5, 2, 1].map(ratio);
  for (let i = 1; i < widths.length; i++) assert.ok(widths[i] > widths[i - 1], widths.join(', '));
  assert.ok(widths[0] < 1.02 && widths[4] > 6, widths.join(', '));
});

test("noncentralTQuantile: the central t at δ = 0, scipy.stats.nct at δ = 3, and the normal's δ + z as ν grows", () => {
  // δ = 0 is Student's t: printed t_{0.975,5} = 2.5706, t_{0.9,30} = 1.3104.
  assert.ok(Math.abs(noncentralTQuantile(0.975, 5, 0) - 2.5706) < 1e-4);
  assert.ok(Math.abs(noncentralTQuantile(0.9, 30, 0) - 1.3104) < 1e-4);
  // scipy.stats.nct.ppf(0.05, ν, 3): 1.161030 at ν = 1, 1.274763 at 4, 1.335507 at 20, 1.345041 at 40.
  for (const [nu, want] of [
    [1, 1.16103],
    [4, 1.274763],
    [20, 1.335507],
    [40, 1.345041],
  ])
    assert.ok(Math.abs(noncentralTQuantile(0.05, nu, 3) - want) < 1e-4, `ν = ${nu}`);
  // ν → ∞: δ + z_p, z_0.05 = −1.6448536.
  assert.ok(Math.abs(noncentralTQuantile(0.05, 1e6, 3) - (3 - 1.6448536)) < 1e-3);
  assert.ok(Number.isNaN(noncentralTQuantile(0, 3, 1)) && Number.isNaN(noncentralTQuantile(0.5, 0, 1)));
});
