/**
 * Step 1 through C (bench/downstream-step1c.ts, docs/methods.md §32): the candidates on a synthetic ladder
 * with known truth, and the bench's decision, which must stay the shipped step 1 (candidate (0)).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  SHIPPED_STEP1C,
  STEP1C_CANDIDATES,
  STEP1C_DATASETS,
  anchorThroughC,
  chooseStep1C,
  step1CBacktests,
  step1CLadders,
  type Step1CDataset,
  type Step1CScores,
} from '../bench/downstream-step1c.js';
import { fitStep1, type LadderRun, type TaskLadder } from '../src/analyses/downstream.js';
import type { Anchor } from '../bench/downstream-olmo.js';

/** TL = E + A/C^α at every checkpoint (E 0.8, α 0.15, the reducible part 1 at C = 10¹⁸), times (1 + wobble) when given. */
function syntheticLadder(wobble: (run: number, i: number) => number = () => 0): TaskLadder {
  const runs: LadderRun[] = [];
  for (const N of [1e8, 2e8, 4e8, 8e8])
    for (const tokensPerParam of [20, 60]) {
      const k = runs.length;
      const checkpoints = Array.from({ length: 12 }, (_, i) => {
        // The last 5 within 0.1 % of the final D, so their mean (a run's final point) is on the law.
        const D = (i < 7 ? (i + 1) / 12 : 1 - 0.0002 * (11 - i)) * tokensPerParam * N,
          C = 6 * N * D;
        return { D, C, taskLoss: (0.8 + (C / 1e18) ** -0.15) * (1 + wobble(k, i)), accuracy: 0.5 };
      });
      runs.push({ run: `${N}-${tokensPerParam}`, N, checkpoints });
    }
  return { source: 'synthetic.json', task: 't', lossMetric: 'bpb', accuracyMetric: 'acc', runs };
}

test('step 1 through C: every candidate recovers a known E + A/C^α, 30× beyond the ladder', () => {
  const ladder = syntheticLadder();
  const today = fitStep1(ladder).step1C;
  const C = 30 * 6 * 8e8 * 60 * 8e8;
  const truth = 0.8 + (C / 1e18) ** -0.15;
  for (const [name, candidate] of Object.entries(STEP1C_CANDIDATES)) {
    const predicted = candidate(ladder, today)({ C });
    assert.ok(Math.abs(predicted / truth - 1) < 1e-3, `${name}: ${predicted}, truth ${truth}`);
  }
});

test('step 1 through C: (2) weighs each model size once — a size run twice over changes (0), not (2)', () => {
  // Off the law by a deterministic ±2 %, so the weights matter.
  const ladder = syntheticLadder((run, i) => 0.02 * Math.sin(3 * run + i));
  const doubled: TaskLadder = {
    ...ladder,
    runs: [...ladder.runs, ...ladder.runs.filter((r) => r.N === 8e8).map((r) => ({ ...r, run: `${r.run} again` }))],
  };
  const C = 30 * 6 * 8e8 * 60 * 8e8;
  const at = (l: TaskLadder, name: string) => STEP1C_CANDIDATES[name](l, fitStep1(l).step1C)({ C });
  const weighted = '(2) finals, each model size counted once';
  assert.ok(Math.abs(at(ladder, weighted) / at(ladder, SHIPPED_STEP1C) - 1) < 1e-9, 'equal runs per size: (2) is (0)');
  assert.ok(Math.abs(at(doubled, weighted) / at(ladder, SHIPPED_STEP1C) - 1) < 1e-6, 'the size counts once');
  assert.ok(
    Math.abs(at(doubled, SHIPPED_STEP1C) / at(ladder, SHIPPED_STEP1C) - 1) > 1e-4,
    'unweighted, the repeated size moves the fit',
  );
});

test('step 1 through C: the rule switches only when every leave-one-dataset-out fold agrees and the margin passes one SE on each ladder', () => {
  const scores = (perTask: Record<string, number[]>): Step1CScores => ({
    perTask: Object.fromEntries(
      Object.entries(perTask).map(([c, v]) => [c, Object.fromEntries(v.map((x, i) => [`task ${i}`, x]))]),
    ),
    cases: 1,
    failedFolds: 0,
    failures: [],
  });
  const [c0, c1, c2, c3] = Object.keys(STEP1C_CANDIDATES);
  const flat = (x: number) => [x, x, x, x];
  const clear = scores({
    [c0]: [0.05, 0.06, 0.07, 0.08],
    [c1]: [0.03, 0.04, 0.05, 0.061],
    [c2]: flat(0.1),
    [c3]: flat(0.1),
  });
  assert.equal(chooseStep1C({ olmo: clear, gemstones: clear, 'pythia-llm-line': clear }).decision, c1);
  // Better on the mean, but by less than its standard error on one ladder.
  const noisy = scores({
    [c0]: [0.05, 0.06, 0.07, 0.08],
    [c1]: [0.01, 0.1, 0.03, 0.08],
    [c2]: flat(0.1),
    [c3]: flat(0.1),
  });
  assert.equal(chooseStep1C({ olmo: clear, gemstones: noisy, 'pythia-llm-line': clear }).decision, SHIPPED_STEP1C);
  // The folds disagree: each ladder's choice is the best on the mean of the other two.
  const other = scores({ [c0]: flat(0.05), [c1]: flat(0.1), [c2]: flat(0.1), [c3]: flat(0.02) });
  const r = chooseStep1C({ olmo: clear, gemstones: other, 'pythia-llm-line': other });
  // Left out, the OLMo ladder gets the others' (3); the Gemstones get the mean of OLMo's and Pythia's: (3)
  // 0.060 against (1) 0.073 and (0) 0.0575 — (0).
  assert.deepEqual([r.for.olmo, r.for.gemstones, r.for['pythia-llm-line'], r.decision], [c3, c0, c0, SHIPPED_STEP1C]);
});

test(
  "step 1 through C: the nested back-tests keep the shipped step 1 (bench/downstream-step1c.ts's decision), and (0) is the anchor's through-C chain",
  { timeout: 300_000 },
  () => {
    const scores = Object.fromEntries(
      STEP1C_DATASETS.map((n) => [n, step1CBacktests(step1CLadders(n).kept)]),
    ) as Record<Step1CDataset, Step1CScores>;
    const decision = chooseStep1C(scores);
    assert.equal(decision.decision, SHIPPED_STEP1C, decision.why);
    // What docs/methods.md §32 says: with the third ladder every fold chooses least squares, which does not
    // beat (0) by one SE on the Gemstones or on the Pythia ladder.
    const ls = '(3) finals, least squares on TL';
    assert.deepEqual(decision.for, { olmo: ls, gemstones: ls, 'pythia-llm-line': ls });
    assert.match(decision.why, /does not beat \(0\) by more than one standard error on gemstones and pythia-llm-line/);
    const committed = JSON.parse(
      readFileSync(new URL('../examples/downstream/olmo-ladder/anchor.json', import.meta.url), 'utf8'),
    ) as Anchor;
    const anchor = anchorThroughC()[SHIPPED_STEP1C];
    assert.ok(Math.abs(anchor['13B-5T'] - committed.mean13B.oursViaC) < 1e-9, `${anchor['13B-5T']}`);
    assert.ok(Math.abs(anchor['7B-4T'] - committed.mean7B.oursViaC) < 1e-9, `${anchor['7B-4T']}`);
  },
);
