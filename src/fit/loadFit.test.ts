/**
 * A fit file (`scalelab fit --out`) edited by hand and read back with loadFit: what the reader uses is
 * refused, located, where it once crashed or predicted NaN far from the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chinchilla } from '../laws/chinchilla.js';
import { fit } from './fit.js';
import { fitToJson, loadFit, type FitJson } from './summary.js';
import { lawRuns } from '../../test/helpers/synthetic.js';
import { InputError } from '../errors/index.js';

const result = fit(chinchilla, lawRuns({ law: chinchilla, n: 30, seed: 5, noise: 0.005 }));
const names = chinchilla.params.map((p) => p.name);
// Two replicates as a bootstrap writes them: rows of the law's parameters, named.
const saved: FitJson = {
  ...fitToJson(result),
  replicateNames: names,
  replicates: [names.map((n) => result.params[n]), names.map((n) => result.params[n] * 1.01)],
};

function refusal(edit: (f: Record<string, unknown>) => void): InputError {
  const f = JSON.parse(JSON.stringify(saved)) as Record<string, unknown>;
  edit(f);
  try {
    loadFit(JSON.stringify(f, null, 2), 'fit.json');
  } catch (e) {
    assert.ok(e instanceof InputError, `not an InputError: ${String(e)}`);
    return e;
  }
  assert.fail('accepted');
}

test('a fit file as written is read back with its replicates', () => {
  const loaded = loadFit(JSON.stringify(saved, null, 2), 'fit.json');
  assert.deepEqual(loaded.params, result.params);
  assert.equal(loaded.replicates.length, 2);
  assert.equal(loaded.replicates[1].alpha, result.params.alpha * 1.01);
});

test('replicateNames that are not the law parameters are refused, not a crash or rows of no parameter', () => {
  // Not a list: "names.join is not a function", an internal error.
  assert.match(
    refusal((f) => (f.replicateNames = 'E')).message,
    /^fit\.json: field "replicateNames": expected the names of law chinchilla's parameters \(E, A, B, alpha, beta\), each once, got "E"/,
  );
  // Other names: every replicate had none of the law's parameters, and plan said N = NaN.
  assert.match(refusal((f) => (f.replicateNames = [1, 2, 3, 4, 5])).detail, /got \[1,2,3,4,5\]$/);
  assert.match(refusal((f) => (f.replicateNames = ['E', 'E', 'B', 'alpha', 'beta'])).detail, /each once/);
});

test('a parameter the law fits in logarithms, edited to ≤ 0, is refused at its line', () => {
  const e = refusal((f) => ((f.params as Record<string, number>).A = -1));
  assert.match(e.detail, /^field "params": A is -1; expected a positive number \(law chinchilla fits A in logarithms/);
  assert.ok(e.location.line !== undefined && e.location.line > 1, 'located at its line');
});
