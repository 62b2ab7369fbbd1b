/**
 * The form `scalelab curves` scores by default is the one bench/curves-form.ts's rule chooses (leave one
 * data set out over the vision and language parts of the Revisiting Neural Scaling Laws benchmark). Fast:
 * the rule on small fixtures and the shipped default against the bench's recorded decision (the bench
 * itself, which scores 92 real curves, exits 1 on a mismatch). The M4 fit it scores is the library's,
 * tested in src/analyses/m4.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, RECORDED_CHOICE, shippedCandidate, type DatasetSummary } from '../bench/curves-form.js';

const set = (dataset: string, curves: number, forms: Record<string, [number, number]>): DatasetSummary => ({
  dataset,
  curves,
  forms: Object.fromEntries(
    Object.entries(forms).map(([k, [median, beatsPower]]) => [k, { median, beatsPower, fallbacks: 0 }]),
  ),
});

test('decide: a form best by the median on both data sets and beating the power law on most curves of each replaces it', () => {
  const d = decide([
    set('vision', 10, { power: [2e-3, 0], 'bnsl-1': [6e-4, 8], m4: [1e-3, 7] }),
    set('language', 4, { power: [2e-4, 0], 'bnsl-1': [5e-5, 3], m4: [9e-5, 3] }),
  ]);
  assert.deepEqual(d, { folds: { vision: 'bnsl-1', language: 'bnsl-1' }, choice: 'bnsl-1' });
});

test('decide keeps the power law when the data sets choose different forms, or the best median wins on only half the curves', () => {
  const split = decide([
    set('vision', 10, { power: [2e-3, 0], 'bnsl-1': [6e-4, 8], m4: [1e-3, 7] }),
    set('language', 4, { power: [2e-4, 0], 'bnsl-1': [9e-5, 3], m4: [5e-5, 3] }),
  ]);
  assert.deepEqual(split, { folds: { vision: 'm4', language: 'bnsl-1' }, choice: 'power' });
  // Best by the median on both, but beating the power law on 2 of 4 language curves is no majority.
  const half = decide([
    set('vision', 10, { power: [2e-3, 0], 'bnsl-1': [6e-4, 8], m4: [1e-3, 7] }),
    set('language', 4, { power: [2e-4, 0], 'bnsl-1': [5e-5, 2], m4: [9e-5, 3] }),
  ]);
  assert.deepEqual(half, { folds: { vision: 'power', language: 'bnsl-1' }, choice: 'power' });
  // The power law itself best by the median: kept.
  const power = decide([
    set('vision', 10, { power: [2e-4, 0], 'bnsl-1': [6e-4, 8] }),
    set('language', 4, { power: [2e-5, 0], 'bnsl-1': [5e-5, 3] }),
  ]);
  assert.equal(power.choice, 'power');
});

test("the form scalelab curves ships is the bench's recorded decision", () => {
  assert.equal(shippedCandidate(), RECORDED_CHOICE);
});
