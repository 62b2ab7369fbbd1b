import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curveFromMetrics, curvesFromDataset } from './parseCurves.js';
import { parseRuns } from './parseRuns.js';
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

test('a table run resumed at a step its earlier logging did not hit: the later rows replace the earlier ones from that step on, in file order, and a note says so', () => {
  // Logged every 50 steps from 25, stopped after 875, resumed from a checkpoint at step 850 and logged every
  // 50 from there: sorted by step, 825 and 875 of the abandoned segment would sit among the resumed rows.
  const rows = ['run,step,loss,lr'];
  for (let s = 25; s <= 875; s += 50) rows.push(`a,${s},${(5 - s / 1000).toFixed(3)},0.001`);
  for (let s = 850; s <= 1200; s += 50) rows.push(`a,${s},${(4 - s / 1000).toFixed(3)},0.001`);
  rows.push('b,100,3,0.001', 'b,200,2.9,0.001');
  const [a, b] = curvesFromDataset(parseRuns(rows.join('\n') + '\n', { source: 'r.csv', zeroAtStepZero: true }));
  const steps = a.points.map((p) => p.step);
  assert.deepEqual(steps, [
    ...Array.from({ length: 17 }, (_, i) => 25 + 50 * i),
    850,
    900,
    950,
    1000,
    1050,
    1100,
    1150,
    1200,
  ]);
  // The resumed segment's losses are kept from 850 on; 825 (the abandoned run's) stays, being before it.
  assert.equal(a.points.find((p) => p.step === 850)!.loss, 3.15);
  assert.equal(a.points.find((p) => p.step === 825)!.loss, 4.175);
  assert.equal(a.points.find((p) => p.step === 850)!.where?.line, 20);
  assert.deepEqual(a.notes, [
    'run "a": resumed at step 850 after step 875 (line 20): the later value replaces the earlier one from that step on, 1 of 18, as TensorBoard shows a resumed run',
  ]);
  assert.equal(b.notes, undefined);
  // Steps in increasing order, though the rows are not: nothing else is read differently.
  assert.deepEqual(Array.from(a.lrs).length, 1200);
});

test('a table sorted some other way (steps descending, shuffled) is not read as a resumed log: its rows are read sorted by step, every one kept, and a note says so', () => {
  const steps = Array.from({ length: 20 }, (_, i) => 50 * (i + 1));
  const row = (s: number) => `a,${s},${(5 - s / 1000).toFixed(3)},0.001`;
  const read = (order: number[]) =>
    curvesFromDataset(
      parseRuns(['run,step,loss,lr', ...order.map(row)].join('\n') + '\n', { source: 'r.csv', zeroAtStepZero: true }),
    )[0];
  const inOrder = read(steps);
  assert.equal(inOrder.notes, undefined);
  // A fixed shuffle (every 7th step, cycling): steps go back at several rows, never twice in a row.
  const shuffled = steps.map((_, i) => steps[(7 * i) % steps.length]);
  for (const [what, order, backs] of [
    ['descending', [...steps].reverse(), 19],
    ['shuffled', shuffled, 6],
  ] as const) {
    const curve = read([...order]);
    assert.deepEqual(
      curve.points.map((p) => [p.step, p.loss]),
      inOrder.points.map((p) => [p.step, p.loss]),
      what,
    );
    assert.equal(curve.notes?.length, 1, what);
    assert.match(curve.notes![0], new RegExp(`the step goes back at ${backs} of 20 rows.*read sorted by step`), what);
  }
  // Unordered and two rows at one step: refused at the second, as before.
  assert.throws(
    () => read([...[...steps].reverse(), 500]),
    (e: unknown) => e instanceof InputError && e.location.line === 22 && /two checkpoints at step 500/.test(e.message),
  );
});
