import { test } from 'node:test';
import assert from 'node:assert/strict';
import { akimaVertex, bracketsOptimum } from './isoflop.js';
import type { Run } from '../io/dataset.js';
import { FitError } from '../errors/index.js';

/** A profile with its minimum at N = 3e8: L = 2 + 0.05·(ln N − ln 3e8)², sizes 1e8 … 1e9. */
const profile = (sizes: number[]): Run[] =>
  sizes.map((N, i) => ({ N, C: 1e19, loss: 2 + 0.05 * (Math.log(N) - Math.log(3e8)) ** 2, line: i + 2 }));

test('akimaVertex finds a smooth profile’s minimum to the grid’s resolution; bracketsOptimum asks the lowest run to be interior', () => {
  const sizes = [1e8, 1.5e8, 2.2e8, 3.3e8, 5e8, 7.5e8, 1e9];
  const runs = profile(sizes);
  // 150 grid points over 1 decade: spacing 0.0067 decades.
  assert.ok(Math.abs(Math.log10(akimaVertex(runs) / 3e8)) < 0.01, `${akimaVertex(runs)}`);
  assert.equal(bracketsOptimum(runs), true);
  // The lowest run at the largest size (the sizes stop below the optimum): not bracketed.
  assert.equal(bracketsOptimum(profile([5e7, 1e8, 2e8])), false);
  // Two distinct sizes cannot bracket anything.
  assert.equal(bracketsOptimum(profile([1e8, 3e8, 3e8, 1e9]).filter((r) => r.N !== 1e9)), false);
  // Too few sizes is the project's FitError (a message for the user), not a bare Error.
  assert.throws(
    () => akimaVertex(profile([1e8, 3e8])),
    (e: Error) => e instanceof FitError && /at least 3 distinct model sizes, got 2/.test(e.message),
  );
});
