import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXTRAPOLATION_SCALE, extrapolationSd, mixtureQuantiles } from './candidate.js';

test('mixture quantiles: one component of a normal sample gives its normal quantiles; weights shift a two-component mixture', () => {
  // Replicates at 0, noise the quantiles of N(0, 1) on a fine grid: the mixture is N(0, 1).
  const noise = Array.from({ length: 2001 }, (_, i) => {
    // The inverse normal CDF by bisection on a tanh approximation of Φ (good to ~1e-4).
    const p = (i + 0.5) / 2001;
    let lo = -8,
      hi = 8;
    for (let k = 0; k < 60; k++) {
      const mid = (lo + hi) / 2;
      const cdf = 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (mid + 0.044715 * mid ** 3)));
      if (cdf < p) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  });
  const [q025, q975] = mixtureQuantiles([{ weight: 1, replicates: [0], noise }], [0.025, 0.975], 0, 20000, 1);
  assert.ok(Math.abs(q025 + 1.96) < 0.06 && Math.abs(q975 - 1.96) < 0.06, `${q025}, ${q975}`);
  // Two point masses at 0 and 10 with weights 0.9 and 0.1: the median is 0, the 95th percentile 10.
  const [median, p95] = mixtureQuantiles(
    [
      { weight: 0.9, replicates: [0], noise: [0] },
      { weight: 0.1, replicates: [10], noise: [0] },
    ],
    [0.5, 0.95],
    0,
    8000,
    1,
  );
  assert.equal(median, 0);
  assert.equal(p95, 10);
  // The extra normal term widens the interval by its standard deviation.
  const [a, b] = mixtureQuantiles([{ weight: 1, replicates: [0], noise: [0] }], [0.025, 0.975], 0.5, 20000, 2);
  assert.ok(Math.abs(a + 0.98) < 0.05 && Math.abs(b - 0.98) < 0.05, `${a}, ${b}`);
});

test('extrapolation term: τ·log10(1 + C/C_max), zero without a largest compute', () => {
  assert.equal(EXTRAPOLATION_SCALE, 0.0075);
  assert.ok(Math.abs(extrapolationSd({ C: 99e20 }, 1e20) - 0.0075 * 2) < 1e-15);
  assert.ok(
    Math.abs(extrapolationSd({ N: 1e9, D: 1.5e11 }, 9e20) - 0.0075 * Math.log10(2)) < 1e-15,
    'C = 6ND when C is not given',
  );
  assert.equal(extrapolationSd({ C: 1e22 }, undefined), 0);
});
