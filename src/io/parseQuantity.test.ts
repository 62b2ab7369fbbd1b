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
  // The hint gives this value's own millions, not the 70m example's 7e7 (a sheet's 125m was told 7e7).
  assert.throws(
    () => parseQuantity('125m', '--N'),
    /got "125m": a lowercase m could mean milli or mega: write 125M for millions, or the number in full \(1\.25e8\)$/,
  );
  assert.throws(() => parseQuantity('1.1m', '--N'), /write 1\.1M for millions, or the number in full \(1\.1e6\)$/);
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

test('a duration flag says what it takes in its unit, not "not a size suffix"; it reads what it read before', () => {
  const days = (text: string) => parseQuantity(text, '--days', { unit: 'days' });
  assert.throws(
    () => days('1w'),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message === '--days: expected a number of days, got "1w": --days is in days: 1 week is 7 days; write --days 7',
  );
  assert.throws(() => days('30 days'), /--days is in days already: write --days 30$/);
  assert.throws(() => days('36h'), /36 hours is 1\.5 days; write --days 1\.5$/);
  assert.throws(() => days('24 hrs'), /24 hours is 1 day; write --days 1$/);
  // A month is named in days, not read (months vary): the 30 days to write, as --months suggests (walk18).
  assert.throws(
    () => days('1mo'),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message ===
        '--days: expected a number of days, got "1mo": --days is in days: months vary in length, so 1 month is not read; at 30 days a month it is 30 days: write --days 30',
  );
  assert.throws(() => days('2 months'), /2 months is not read; at 30 days a month it is 60 days: write --days 60$/);
  assert.throws(() => days('1y'), /at 365 days a year it is 365 days: write --days 365$/);
  assert.throws(
    () => parseQuantity('1mo', '--target-hours', { unit: 'hours' }),
    /at 30 days a month it is 720 hours: write --target-hours 720$/,
  );
  assert.throws(() => days('3m'), /"m" could mean minutes or months; --days is in days/);
  assert.throws(
    () => days('soon'),
    /expected a number of days, got "soon": write it as a plain number, such as --days 7$/,
  );
  // The unit a flag already has, said once (walk26: "a number of hours" twice), with the number to write.
  assert.throws(
    () => parseQuantity('2 GPU-hours', '--target-hours', { unit: 'hours' }),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message ===
        '--target-hours: expected a number of hours, got "2 GPU-hours": the words after the number are not read: write --target-hours 2',
  );
  assert.throws(() => days('1,000'), /a comma is not read in a number/);
  assert.throws(() => days('10%'), /a percentage is not read here/);
  assert.throws(
    () => parseQuantity('2d', '--target-hours', { unit: 'hours' }),
    /--target-hours is in hours: 2 days is 48 hours; write --target-hours 48$/,
  );
  assert.throws(
    () => parseQuantity('2h', '--run-timeout', { unit: 'seconds' }),
    /--run-timeout is in seconds: 2 hours is 7200 seconds; write --run-timeout 7200$/,
  );
  // What was read is read the same: a plain number, scientific notation.
  for (const text of ['7', '0.5', '1e2', '1e3']) assert.equal(days(text), parseQuantity(text, '--N'), text);
  assert.throws(() => days('0'), /expected a positive number/);
});

test('a size suffix on a duration is refused with the number to write: --days 1M is not a million days', () => {
  assert.throws(
    () => parseQuantity('1M', '--days', { unit: 'days' }),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message ===
        '--days: expected a number of days, got "1M": "M" could mean months or millions; a size suffix is not read on a duration: --days is in days, write the number of days, such as --days 7',
  );
  assert.throws(
    () => parseQuantity('2k', '--target-hours', { unit: 'hours' }),
    /--target-hours: expected a number of hours, got "2k": a size suffix \(k\) is not read on a duration: --target-hours is in hours, write the number in full, --target-hours 2000$/,
  );
  for (const text of ['1.5B', '3G', '1T', '2t', '5K', '1b'])
    assert.throws(
      () => parseQuantity(text, '--max-runtime', { unit: 'seconds' }),
      /a size suffix .* on a duration/,
      text,
    );
  assert.equal(parseQuantity('3.6e3', '--max-runtime', { unit: 'seconds' }), 3600);
  // A size keeps its suffix.
  assert.equal(parseQuantity('2k', '--N'), 2000);
});

test('a number that is not a size (a learning rate, a loss) refuses a size suffix', () => {
  const lr = { what: 'a learning rate', example: '3e-4' };
  assert.throws(
    () => parseQuantity('3M', '--peak-lr', { plain: lr }),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message ===
        '--peak-lr: expected a learning rate such as 3e-4, got "3M": a size suffix (M) is not read on a learning rate; write the number itself (scientific notation such as 1e-3 is read)',
  );
  assert.equal(parseQuantity('3e-4', '--peak-lr', { plain: lr }), 3e-4);
  assert.equal(parseQuantity('0.001', '--peak-lr', { plain: lr }), 0.001);
  // Not a number at all: named as what it is, with its own example, and no size's hint (review: "such as 70B").
  assert.throws(
    () => parseQuantity('3m', '--peak-lr', { plain: lr }),
    (e: unknown) =>
      e instanceof UsageError &&
      /^--peak-lr: expected a learning rate such as 3e-4, got "3m"/.test(e.message) &&
      !/70B|millions|M for/.test(e.message),
  );
  assert.throws(
    () => parseQuantity('fast', '--peak-lr', { plain: lr }),
    (e: unknown) =>
      e instanceof UsageError && e.message === '--peak-lr: expected a learning rate such as 3e-4, got "fast"',
  );
});
