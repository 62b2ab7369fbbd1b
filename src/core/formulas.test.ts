// The formulas and vocabularies written once (issue 17): each tested here, against published
// numbers where there are some, so every use of them is covered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatInterval, formatRange } from './format.js';
import { powerFit } from './linearRegression.js';
import { randomSource, resample } from './random.js';
import { kaplanNonEmbedding, nonEmbeddingParameters } from '../model/shape.js';
import { PF_DAY } from '../model/flops.js';
import { criticalBatch } from '../hparams/criticalBatch.js';
import { runStatuses } from '../store/runStatus.js';

test("non-embedding parameters n_layer·(4 + 2r)·d_model²: GPT-2 small is 85M (Kaplan's 12·n_layer·d_model²)", () => {
  assert.equal(nonEmbeddingParameters(12, 768), 84_934_656);
  assert.equal(kaplanNonEmbedding(12, 768), 12 * 12 * 768 * 768);
  // A gated MLP of ratio 8/3 has as many MLP weights (3·8/3 = 8 per d²) as a plain one of ratio 4 (2·4).
  assert.equal(nonEmbeddingParameters(2, 64, 2), 2 * 8 * 64 * 64);
});

test("a PF-day is 8.64e19 FLOPs; Kaplan et al.'s B_crit(L) = 2.1e8 / L^(1/0.21) tokens", () => {
  assert.equal(PF_DAY, 8.64e19);
  assert.equal(criticalBatch(1), 2.1e8);
  // At L = 3 nats: 2.1e8 / 3^4.76 ≈ 1.12 million tokens.
  assert.ok(Math.abs(criticalBatch(3) / 1.1226e6 - 1) < 1e-3, String(criticalBatch(3)));
});

test('a bootstrap resample draws the given items with replacement, as many as given, the same for a seed', () => {
  const runs = [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }];
  const one = resample(runs, randomSource(7, 1));
  assert.equal(one.length, runs.length);
  assert.ok(
    one.every((r) => runs.includes(r)),
    'whole items, not copies',
  );
  assert.deepEqual(resample(runs, randomSource(7, 1)), one);
  // Over many resamples some repeat an item and leave another out (with replacement).
  const random = randomSource(7, 2);
  assert.ok(Array.from({ length: 50 }, () => new Set(resample(runs, random)).size).some((n) => n < runs.length));
  assert.deepEqual(resample([], random), []);
});

test('powerFit recovers y = k·x^e from exact points, and fits a line in log–log space', () => {
  const x = [1e18, 1e19, 1e20, 1e21];
  const fit = powerFit(
    x,
    x.map((c) => 0.09 * c ** 0.5),
  );
  assert.ok(Math.abs(fit.exponent - 0.5) < 1e-12);
  assert.ok(Math.abs(fit.coefficient / 0.09 - 1) < 1e-9);
  // Noise above and below the law at the same x averages out in ln y.
  const noisy = powerFit([1, 1, 10, 10], [2 * Math.E, 2 / Math.E, 20 * Math.E, 20 / Math.E]);
  assert.ok(Math.abs(noisy.exponent - 1) < 1e-12 && Math.abs(noisy.coefficient - 2) < 1e-12);
  assert.throws(() => powerFit([5], [1]), RangeError);
});

test('intervals are written [lo, hi]: significant digits, or a formatter of the caller', () => {
  assert.equal(formatInterval([0.33651, 0.3712]), '[0.337, 0.371]');
  assert.equal(formatInterval([1.2346e21, 9.9e22], 4), '[1.235e21, 9.9e22]');
  assert.equal(
    formatInterval([-0.5, 1], (x) => x.toFixed(2)),
    '[-0.50, 1.00]',
  );
  assert.equal(formatInterval([0.0123, 0.0456], 3, '95 % '), '[95 % 0.0123, 0.0456]');
});

test('ranges are written lo–hi, or with the separator a sentence needs', () => {
  assert.equal(formatRange([1.5e8, 2.25e9], 2), '1.5e8–2.3e9');
  assert.equal(
    formatRange([2, Infinity], (x) => (Number.isFinite(x) ? String(x) : '∞')),
    '2–∞',
  );
  assert.equal(formatRange([812.3, 1650.8], 4, ' – '), '812.3 – 1651');
});

test('run statuses: one list, in the order a run goes through them', () => {
  assert.deepEqual(
    [...runStatuses],
    ['planned', 'submitting', 'queued', 'running', 'completed', 'failed', 'cancelled'],
  );
});
