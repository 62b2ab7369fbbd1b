import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from './parseQuantity.js';
import { parseSuffixedNumber } from '../core/quantity.js';
import { UsageError } from '../errors/index.js';

test('a flag reads a size as a file cell does: 70b and 1.4t too (README: "70B, 1.4T, 70b"), 70m still refused', () => {
  for (const text of ['70B', '70b', '1.4T', '1.4t', '500k', '2.5M', '3e10', ' 6.34e9 '])
    assert.equal(parseQuantity(text, '--N'), parseSuffixedNumber(text), text);
  assert.equal(parseQuantity('70b', '--N'), 7e10);
  assert.throws(
    () => parseQuantity('70m', '--N'),
    (e: unknown) =>
      e instanceof UsageError &&
      /--N: expected a number .* got "70m": a lowercase m could mean milli or mega/.test(e.message),
  );
  assert.throws(() => parseQuantity('12%', '--experiment-hours'), /a percentage is not read here/);
  // A unit of time typed after an hours or days flag: said as that, with the number to write.
  assert.throws(
    () => parseQuantity('48h', '--target-hours'),
    /--target-hours: expected a number .* got "48h": "h" is a unit: the value is in the unit the name says \(hours, seconds, days\); write the number alone, 48$/,
  );
  assert.throws(() => parseQuantity('30 days', '--days'), /"days" is a unit: .* write the number alone, 30$/);
  assert.throws(() => parseQuantity('1e400', '--C'), /expected a finite number/);
  assert.throws(() => parseQuantity('-1', '--C'), /expected a positive number/);
  assert.equal(parseQuantity('-1', '--x', { positive: false }), -1);
});
