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
  assert.throws(() => parseQuantity('1e400', '--C'), /expected a finite number/);
  assert.throws(() => parseQuantity('-1', '--C'), /expected a positive number/);
  assert.equal(parseQuantity('-1', '--x', { positive: false }), -1);
});
