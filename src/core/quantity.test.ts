import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSuffixedNumber, suffixHint } from './quantity.js';

test('sizes with suffixes read the same in either case where unambiguous; m and unknown letters are hinted', () => {
  assert.equal(parseSuffixedNumber('70B'), 7e10);
  assert.equal(parseSuffixedNumber('70b'), 7e10);
  assert.equal(parseSuffixedNumber('1.4T'), 1.4e12);
  assert.equal(parseSuffixedNumber('1.4t'), 1.4e12);
  assert.equal(parseSuffixedNumber(' 500k '), 5e5);
  assert.equal(parseSuffixedNumber('2.5M'), 2.5e6);
  assert.equal(parseSuffixedNumber('3e10'), 3e10);
  assert.ok(Number.isNaN(parseSuffixedNumber('70m')));
  assert.ok(Number.isNaN(parseSuffixedNumber('three')));
  assert.ok(Number.isNaN(parseSuffixedNumber('0x1f')));
  assert.match(suffixHint('70m')!, /milli or mega/);
  assert.match(suffixHint('1.5g')!, /write 1\.5G/);
  assert.match(suffixHint('7x')!, /"x" is not a size suffix/);
  assert.equal(suffixHint('70B'), undefined);
  assert.equal(suffixHint('three'), undefined);
});
