import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundedDerivative, fromBounded, toBounded, type Interval } from './bounds.js';

const cases: Interval[] = [
  { min: -Infinity, max: Infinity },
  { min: 0, max: Infinity },
  { min: -Infinity, max: 2 },
  { min: -1, max: 3 },
];

test('toBounded(fromBounded(x)) = x inside each kind of interval', () => {
  for (const b of cases) {
    for (const x of [-0.5, 0, 0.3, 1.7]) {
      if (x < b.min || x > b.max) continue;
      assert.ok(Math.abs(toBounded(fromBounded(x, b), b) - x) < 1e-12, `${JSON.stringify(b)} ${x}`);
    }
  }
});

test('toBounded never leaves the interval', () => {
  for (const b of cases)
    for (const u of [-100, -3, 0, 2, 50]) {
      const x = toBounded(u, b);
      assert.ok(x >= b.min && x <= b.max, `${u} → ${x}`);
    }
});

test('boundedDerivative matches a central finite difference', () => {
  for (const b of cases)
    for (const u of [-2, -0.3, 0.7, 1.9]) {
      const h = 1e-6;
      const fd = (toBounded(u + h, b) - toBounded(u - h, b)) / (2 * h);
      assert.ok(Math.abs(fd - boundedDerivative(u, b)) < 1e-7, `${JSON.stringify(b)} u=${u}`);
    }
});
