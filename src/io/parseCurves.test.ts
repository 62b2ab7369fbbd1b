import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curveFromMetrics } from './parseCurves.js';
import { parseMetrics } from './parseMetrics.js';
import { InputError } from '../errors/index.js';

const schedule = '"schedule": {"kind": "constant", "peakLr": 0.001, "steps": 100}';
const line = (step: number, tokens: number, loss: number) =>
  `{"step": ${step}, "tokens": ${tokens}, "val_loss": ${loss}, ${schedule}}`;

test("a trainer's metrics.jsonl with an evaluation at step 0: the curve leaves it out and says so; the store's reader still refuses it", () => {
  const text = [line(0, 0, 10.8), line(50, 204800, 4.1), line(100, 409600, 3.8)].join('\n') + '\n';
  const curve = curveFromMetrics(text, 'metrics.jsonl', 'r');
  assert.deepEqual(
    curve.points.map((p) => [p.step, p.loss, p.where?.line]),
    [
      [50, 4.1, 2],
      [100, 3.8, 3],
    ],
  );
  assert.deepEqual(curve.notes, [
    'metrics.jsonl: the evaluation at step 0 (the loss before any update) left out: a curve law reads the loss after optimizer steps',
  ]);
  // The same curve as without the line: nothing else read differently.
  const without = curveFromMetrics(text.split('\n').slice(1).join('\n'), 'metrics.jsonl', 'r');
  assert.deepEqual(Array.from(curve.lrs), Array.from(without.lrs));
  assert.equal(without.notes, undefined);
  // A run store's checkpoints need tokens > 0: a sweep's reader refuses the line, as before.
  assert.equal(
    parseMetrics(text, 'metrics.jsonl', true).problem,
    'metrics.jsonl line 1: tokens 0 is not a positive number',
  );
  // Its loss is still checked; an evaluation only at step 0 is said as such, at its line.
  assert.throws(
    () => curveFromMetrics(line(0, 0, -1), 'metrics.jsonl', 'r'),
    (e: unknown) =>
      e instanceof InputError && e.location.line === 1 && /val_loss -1 is not a positive number/.test(e.message),
  );
  assert.throws(
    () => curveFromMetrics(line(0, 0, 10.8), 'metrics.jsonl', 'r'),
    (e: unknown) => e instanceof InputError && e.location.line === 1 && /only at step 0/.test(e.message),
  );
  // Tokens 0 at a later step are still refused.
  assert.throws(
    () => curveFromMetrics([line(0, 0, 10.8), line(50, 0, 4.1)].join('\n'), 'metrics.jsonl', 'r'),
    (e: unknown) =>
      e instanceof InputError && e.location.line === 2 && /tokens 0 is not a positive number/.test(e.message),
  );
});
