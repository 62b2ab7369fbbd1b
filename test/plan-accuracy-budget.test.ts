/**
 * plan --target-accuracy with a budget: whether the budget's model (the loss plan's N and D at its C)
 * reaches each target, with the compute the target needs, and why the two plans' N differ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scalelab } from './helpers/cli.js';

const ladder = 'examples/downstream/olmo-ladder/ladder.json';

test("plan --target-accuracy with --C: the budget's model's accuracy beside the C the target needs, in text and JSON", () => {
  const args = ['plan', '--target-accuracy', 'hellaswag_val_5shot=0.6', '--downstream', ladder, '--C', '1e20'];
  const r = scalelab([...args, '--downstream-bootstrap', '20', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const json = r.json();
  const { budget, tasks, whyNDiffers } = json.accuracy;
  // The budget's model is the loss plan's recommendation.
  assert.deepEqual([budget.C, budget.N, budget.D], [1e20, json.recommendation.N, json.recommendation.D]);
  const at = tasks[0].atBudget;
  assert.ok(at.accuracy > 0 && at.accuracy < 1, JSON.stringify(at));
  assert.equal(at.reaches, at.accuracy >= 0.6);
  assert.ok(at.interval.accuracy[0] <= at.accuracy && at.accuracy <= at.interval.accuracy[1], JSON.stringify(at));
  assert.equal(at.neededC, tasks[0].plan.point.C);
  // 1e20 is short of what 0.6 needs on this ladder (6.45e20 at the point estimate).
  assert.ok(at.neededC > 1e20 && !at.reaches, JSON.stringify(at));
  assert.match(whyNDiffers, /the task's step-1 law .* the loss plan by law chinchilla, preset epoch-2024$/);
  const text = scalelab([...args, '--downstream-bootstrap', '0']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /At the budget C = 1e20: the loss plan's model \(N = [\d.e]+, D = [\d.e]+\)/);
  assert.match(text.stdout, /hellaswag_val_5shot: 0\.\d{3}: falls short of 0\.6; the target needs C = [\d.e]+/);
  assert.match(
    text.stdout,
    /The accuracy plan's N \(hellaswag_val_5shot [\d.e]+ at C = [\d.e]+\) is not the loss plan's/,
  );
  // Without a budget, no budget's answer.
  const alone = scalelab([
    'plan',
    '--target-accuracy',
    'hellaswag_val_5shot=0.6',
    '--downstream',
    ladder,
    '--downstream-bootstrap',
    '0',
    '--json',
  ]);
  assert.equal(alone.json().accuracy.budget, undefined);
  assert.equal(alone.json().accuracy.tasks[0].atBudget, undefined);
});
