import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scalelab } from './helpers/cli.js';

test('tokens-for: D = r·N, and a bad ratio is a usage error', () => {
  const r = scalelab(['tokens-for', '--N', '7B', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).D, 1.4e11);
  assert.equal(scalelab(['tokens-for', '--N', '7B', '--tokens-ratio', 'x']).code, 2);
});
