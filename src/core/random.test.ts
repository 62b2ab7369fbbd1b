import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomSource, resampleCounts, normal } from './random.js';
import { mean, standardDeviation, quantile } from './statistics.js';

test('randomSource is reproducible per (seed, stream) and differs across streams', () => {
  const a = randomSource(7, 3),
    b = randomSource(7, 3),
    c = randomSource(7, 4);
  const xa = Array.from({ length: 5 }, a),
    xb = Array.from({ length: 5 }, b),
    xc = Array.from({ length: 5 }, c);
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test('randomSource is uniform on [0, 1) to sampling precision', () => {
  const r = randomSource(1);
  const xs = Array.from({ length: 20000 }, r);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.ok(Math.abs(mean(xs) - 0.5) < 0.01);
  assert.ok(Math.abs(quantile(xs, 0.9) - 0.9) < 0.01);
});

test('normal() has mean 0 and standard deviation 1', () => {
  const r = randomSource(2);
  const xs = Array.from({ length: 20000 }, () => normal(r));
  assert.ok(Math.abs(mean(xs)) < 0.03);
  assert.ok(Math.abs(standardDeviation(xs) - 1) < 0.03);
});

test('resampleCounts draws n items in total', () => {
  const c = resampleCounts(50, randomSource(3));
  assert.equal(
    c.reduce((a, b) => a + b, 0),
    50,
  );
  assert.ok(
    c.some((v) => v === 0),
    'some runs are left out of a resample',
  );
});

test('quantile matches numpy (type 7): np.quantile([1,2,3,4,10], 0.3) = 2.2', () => {
  assert.ok(Math.abs(quantile([1, 2, 3, 4, 10], 0.3) - 2.2) < 1e-12);
  assert.throws(() => quantile([], 0.5), /at least one finite value/);
});
