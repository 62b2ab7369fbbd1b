import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInteger, parseLevel, parseReplicates } from './options.js';

test('whole numbers as people write them: 1000, 1e3 and 1k are one count; fractions and negatives are refused', () => {
  for (const t of ['1000', '1e3', '1k', ' 1000 ']) assert.equal(parseReplicates(t, '--bootstrap'), 1000, t);
  assert.equal(parseInteger('1.5k', '--gpus', 1), 1500);
  for (const t of ['100.5', '-1', '1e400', 'abc', ''])
    assert.throws(() => parseInteger(t, '--bootstrap', 2), /--bootstrap: expected a whole number of at least 2/, t);
});

test('an interval level as a fraction or a percentage; a percentage typed as a plain number names the fraction meant', () => {
  assert.equal(parseLevel('0.95'), 0.95);
  assert.equal(parseLevel('95%'), 0.95);
  assert.equal(parseLevel('80 %'), 0.8);
  assert.throws(
    () => parseLevel('95'),
    (e: Error) =>
      e.message ===
      '--level: expected an interval level between 0 and 1 such as 0.95, got "95" (a percentage? write 0.95 or 95%)',
  );
  assert.throws(() => parseLevel('1.5'), /got "1\.5"$/);
  assert.throws(() => parseLevel('100%'), /between 0 and 1/);
  // A fraction written with a percent sign is not read as a level of 0.0095.
  assert.throws(
    () => parseLevel('0.95%'),
    (e: Error) =>
      e.message ===
      '--level: "0.95%" is a level of 0.0095; expected a percentage such as 95% or a fraction such as 0.95 (write 0.95 or 95%)',
  );
  assert.equal(parseLevel('1%'), 0.01);
});

test('a whole number written with thousands separators is refused with the number to write', () => {
  assert.throws(
    () => parseInteger('2,000', '--gpus', 1),
    (e: Error) =>
      e.message ===
      '--gpus: expected a whole number of at least 1, got "2,000"; thousands separators are not read: write 2000',
  );
  assert.throws(() => parseInteger('10_000', '--gpus', 1), /write 10000$/);
  assert.throws(() => parseInteger('3,145,728', '--bootstrap', 0), /write 3145728$/);
  // Not thousands: no number is guessed.
  assert.throws(
    () => parseInteger('abc', '--gpus', 1),
    (e: Error) => e.message.endsWith('got "abc"'),
  );
});
