import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exponentSlip, MAX_EXPONENT, percentSlip } from './slips.js';

test('percentSlip names the fraction a percentage typed as a number stands for, only when that fraction fits', () => {
  assert.equal(percentSlip(43, [0, 1]), 'give the fraction, 0.43 for 43 %');
  assert.equal(percentSlip(0.25, [0, 0.1]), 'give the fraction, 0.0025 for 0.25 %');
  // In range: no slip. Out of range either way: none to suggest.
  assert.equal(percentSlip(0.43, [0, 1]), undefined);
  assert.equal(percentSlip(250, [0, 1]), undefined);
  assert.equal(percentSlip(25, [0, 0.1]), undefined);
  assert.equal(percentSlip(-5, [0, 1]), undefined);
  assert.equal(percentSlip(NaN, [0, 1]), undefined);
});

test('exponentSlip: above 5 in size is a dropped decimal point, said as the value it meant', () => {
  assert.equal(MAX_EXPONENT, 5);
  assert.match(exponentSlip(21) ?? '', /got 21: did you mean 0\.21\?$/);
  assert.match(exponentSlip(34) ?? '', /did you mean 0\.34\?$/);
  assert.match(exponentSlip(5.7) ?? '', /did you mean 0\.57\?$/);
  assert.match(exponentSlip(280) ?? '', /did you mean 0\.28\?$/);
  assert.match(exponentSlip(-21) ?? '', /did you mean -0\.21\?$/);
  for (const ok of [0.21, 0.34, 1.5, 5, -0.3, 0]) assert.equal(exponentSlip(ok), undefined, String(ok));
});
