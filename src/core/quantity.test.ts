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

test('numbers with separators are hinted with the number to write: thousands, or a decimal comma', () => {
  for (const t of ['3,145,728', '3_145_728', '9,00823', '3,145', '1,234.5'])
    assert.ok(Number.isNaN(parseSuffixedNumber(t)), `${t} is not read`);
  assert.match(suffixHint('3,145,728')!, /thousands separators are not read: write 3145728$/);
  assert.match(suffixHint('3_145_728')!, /write 3145728$/);
  assert.match(suffixHint('1,234.5')!, /write 1234\.5$/);
  assert.match(suffixHint('9,00823')!, /a decimal comma is not read: write 9\.00823$/);
  // Three digits after one comma: either reading; both are said.
  assert.match(suffixHint('3,145')!, /write 3145 if it separates thousands, 3\.145 if it is a decimal comma/);
  assert.equal(suffixHint('12,34,567'), undefined);
  // With an exponent, as a decimal-comma locale writes one.
  assert.ok(Number.isNaN(parseSuffixedNumber('1,5e3')));
  assert.match(suffixHint('1,5e3')!, /a decimal comma is not read: write 1\.5e3$/);
  assert.match(suffixHint('3,145,728e2')!, /write 3145728e2$/);
});
