import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetAnswer, type TaskAnalysis } from '../../analyses/downstreamLadder.js';
import { budgetLines } from './downstream.js';

const label = "the budget's model";
/** A task's analysis with the budget's model predicted at `accuracy` (interval `iv`) and a plan needing C = 3e21. */
const analysed = (accuracy: number, iv?: [number, number]) =>
  ({
    task: 'hellaswag',
    targets: [
      { label: 'big-run', N: 1e9, D: 2e10, C: 1.2e20, accuracy: 0.9, viaC: 0.9 },
      {
        label,
        N: 7e8,
        D: 2.4e10,
        C: 1e20,
        accuracy,
        viaC: accuracy,
        ...(iv ? { interval: { level: 0.95, accuracy: iv, viaC: iv, failed: 0, replicates: 50 } } : {}),
      },
    ],
    plan: { accuracy: 0.6, horizon: 1e30, point: { C: 3e21, N: 3e9, D: 1.7e11 } },
  }) as unknown as TaskAnalysis;

test("budgetAnswer: the budget's model's accuracy against the target, sure only where the interval is on one side", () => {
  const short = budgetAnswer(analysed(0.46, [0.45, 0.48]), 0.6, label)!;
  assert.deepEqual(
    [short.accuracy, short.reaches, short.sure, short.neededC, short.N, short.C],
    [0.46, false, true, 3e21, 7e8, 1e20],
    "its own target, not the data's big-run",
  );
  const straddles = budgetAnswer(analysed(0.58, [0.5, 0.65]), 0.6, label)!;
  assert.deepEqual([straddles.reaches, straddles.sure], [false, false]);
  const reaches = budgetAnswer(analysed(0.7, [0.62, 0.78]), 0.6, label)!;
  assert.deepEqual([reaches.reaches, reaches.sure], [true, true]);
  const bare = budgetAnswer(analysed(0.7), 0.6, label)!;
  assert.equal(bare.sure, undefined, 'no interval, no claim about it');
  assert.equal(budgetAnswer(analysed(0.7), 0.6, 'another label'), undefined);
});

test("budgetLines: whether the budget reaches each target, what the target needs, and why the two plans' N differ", () => {
  const budget = { C: 1e20, N: 7e8, D: 2.4e10, law: 'law chinchilla, preset epoch-2024' };
  const text = budgetLines(
    [{ task: 'hellaswag', answer: budgetAnswer(analysed(0.46, [0.45, 0.48]), 0.6, label) }, { task: 'arc' }],
    budget,
    [{ task: 'hellaswag', N: 3e9, C: 3e21 }],
  );
  assert.match(text, /^At the budget C = 1e20: the loss plan's model \(N = 7e8, D = 2\.4e10\)/);
  assert.match(text, /hellaswag: 0\.460 \[0\.450, 0\.480\] \(95 %\): falls short of 0\.6; the target needs C = 3e21/);
  assert.match(text, /arc: no prediction at the budget's model/);
  assert.match(
    text,
    /The accuracy plan's N \(hellaswag 3e9 at C = 3e21\) is not the loss plan's 7e8 at C = 1e20: the accuracy plan answers at the C its target needs, and each splits C between N and D by its own law: the accuracy plan by the task's step-1 law .*, the loss plan by law chinchilla, preset epoch-2024$/,
  );
  // The same N (within 5 %): no line explaining a difference there is not.
  const same = budgetLines([], budget, [{ task: 'hellaswag', N: 7.1e8, C: 1e20 }]);
  assert.doesNotMatch(same, /is not the loss plan's/);
});
