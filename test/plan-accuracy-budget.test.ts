/**
 * plan --target-accuracy with a budget: whether the budget's model (the loss plan's N and D at its C)
 * reaches each target, with the compute the target needs, and why the two plans' N differ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

test('lm-eval results files (steps, no tokens): plan --target-accuracy and report --downstream take --batch-tokens, as downstream does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-lmeval-'));
  const fixture = JSON.parse(readFileSync('test/fixtures/downstream/lm-eval-pythia-160m-step143000.json', 'utf8'));
  const files: string[] = [];
  // 5 sizes × 4 checkpoints; accuracy rising with compute (C = 6·N·step·batch).
  for (const [k, N] of [2e7, 4e7, 8e7, 1.6e8, 3.2e8].entries())
    for (const step of [1000, 2000, 3000, 4000]) {
      const doc = structuredClone(fixture);
      doc.config.model_args = `pretrained=ladder-${k},revision=step${step}`;
      doc.config.model_num_parameters = N;
      const lnC = Math.log(6 * N * step * 524288);
      const acc = 0.25 + 0.5 / (1 + Math.exp(-(lnC - 45) / 2));
      for (const t of Object.values(doc.results) as Record<string, number>[]) {
        t['acc,none'] = acc;
        t['acc_norm,none'] = acc;
      }
      const file = join(dir, `ladder-${k}-step${step}.json`);
      writeFileSync(file, JSON.stringify(doc));
      files.push(file);
    }
  const downstream = files.join(',');
  const plan = ['plan', '--target-accuracy', 'piqa=0.5', '--downstream', downstream, '--downstream-bootstrap', '0'];
  const without = scalelab(plan);
  assert.equal(without.code, 2);
  assert.match(without.stderr, /give the tokens per step, --batch-tokens/);
  const withTokens = scalelab([...plan, '--batch-tokens', '524288']);
  assert.equal(withTokens.code, 0, withTokens.stderr);
  assert.match(withTokens.stdout, /piqa/);
  const out = join(dir, 'r.html');
  const report = scalelab([
    'report',
    'examples/inputs/runs.csv',
    '--bootstrap',
    '0',
    '--backtest-procedures',
    'huber',
    '--downstream',
    downstream,
    '--batch-tokens',
    '524288',
    '--out',
    out,
  ]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(readFileSync(out, 'utf8'), /piqa/);
  // Without --downstream it has nothing to read.
  const alone = scalelab(['report', 'examples/inputs/runs.csv', '--batch-tokens', '524288', '--out', out]);
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /--batch-tokens is read with --downstream/);
});
