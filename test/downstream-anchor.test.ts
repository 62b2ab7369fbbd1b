/**
 * The README's downstream table (bench/downstream-olmo.ts, examples/downstream/olmo-ladder/anchor.json):
 * the point predictions are recomputed from the bundled ladder and must match the committed table,
 * and the paper's own errors must be the ones it states (6.0 % over 8 tasks, 5.1 % through C).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ALTERNATIVES, olmoAnchor, paperTable, type Anchor } from '../bench/downstream-olmo.js';
import { readTaskMetrics } from '../src/io/readTaskMetrics.js';
import { ladderFor } from '../src/analyses/downstreamLadder.js';
import { accuracyNoise } from '../src/analyses/downstream.js';

const committed = JSON.parse(
  readFileSync(new URL('../examples/downstream/olmo-ladder/anchor.json', import.meta.url), 'utf8'),
) as Anchor;

test(
  'downstream anchor: the chained predictions of the 7B and 13B targets match the committed table',
  { timeout: 300_000 },
  () => {
    const now = olmoAnchor({ free: true });
    assert.equal(now.rows.length, 16);
    for (const [i, r] of now.rows.entries()) {
      const c = committed.rows[i];
      assert.equal(`${r.task} ${r.target}`, `${c.task} ${c.target}`);
      for (const k of ['actual', 'predicted', 'relativeError', 'predictedViaC'] as const) {
        assert.ok(Math.abs(r[k] - c[k]) < 1e-6, `${r.task} ${r.target} ${k}: ${r[k]} now, ${c[k]} in the table`);
      }
      for (const key of Object.keys(ALTERNATIVES))
        assert.ok(
          Math.abs(r.alternatives![key].predicted - c.alternatives![key].predicted) < 1e-6,
          `${r.task} ${r.target} ${key}: ${r.alternatives![key].predicted} now, ${c.alternatives![key].predicted} in the table`,
        );
    }
    // The 13B target is what the paper's chained_main.csv scores: its actual accuracies are the same numbers.
    const paper = paperTable('chained_main.csv');
    for (const r of now.rows.filter((x) => x.target === '13B-5T'))
      assert.ok(
        Math.abs(r.actual - paper.get(r.task)!.actual) < 1e-9,
        `${r.task}: ${r.actual} vs the paper's ${paper.get(r.task)!.actual}`,
      );
    // Step 1 is the paper's: its 13B task-loss predictions (step1_main.csv) to 4 decimals.
    const step1 = paperTable('step1_main.csv');
    for (const r of now.rows.filter((x) => x.target === '13B-5T'))
      assert.ok(
        Math.abs(r.taskLoss - step1.get(r.task)!.predicted) < 1e-4,
        `${r.task}: task loss ${r.taskLoss} vs the paper's ${step1.get(r.task)!.predicted}`,
      );
    // Step 2 as the paper's code does it (one sigmoid, floor and ceiling fitted, the ideal point at task
    // loss 0 and accuracy 1) gives the paper's own chained predictions: the method is theirs, not a likeness.
    for (const r of now.rows.filter((x) => x.target === '13B-5T'))
      assert.ok(
        Math.abs(r.alternatives!.paperCode.predicted - paper.get(r.task)!.predicted) < 1e-5,
        `${r.task}: ${r.alternatives!.paperCode.predicted} with the paper's step 2, the paper predicted ${paper.get(r.task)!.predicted}`,
      );
    assert.ok(
      Math.abs(now.mean13B.ours - committed.mean13B.ours) < 1e-6 &&
        Math.abs(now.mean13B.oursViaC - committed.mean13B.oursViaC) < 1e-6,
    );
    assert.equal(now.mean13B.paper.toFixed(3), '0.060');
    assert.equal(now.mean13B.paperViaC.toFixed(3), '0.051');
    // chained_flops_main.csv's Rel Error column does not follow from its own Actual and Pred columns (MMLU:
    // 4.8 % stated, 6.3 % from the columns); recomputed from them the mean is 5.2 %. chained_main.csv's does.
    const flops = paperTable('chained_flops_main.csv');
    const fromColumns = (t: typeof flops) =>
      [...t.values()].reduce((a, r) => a + Math.abs(r.predicted / r.actual - 1), 0) / t.size;
    assert.equal(fromColumns(flops).toFixed(3), '0.052');
    assert.equal(fromColumns(paper).toFixed(3), now.mean13B.paper.toFixed(3));
  },
);

test("downstream screen: the OLMo ladder's accuracy noise agrees with the paper's own (variance.csv) within a factor of 1.5 on all 8 tasks", () => {
  const folder = new URL('../examples/downstream/olmo-ladder/', import.meta.url);
  const data = readTaskMetrics([fileURLToPath(new URL('ladder.json', folder))]);
  const paper = new Map(
    readFileSync(new URL('variance.csv', folder), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => {
        const cells = l.split(',');
        return [cells[0], Number(cells[3])] as const;
      }),
  );
  const names: Record<string, string> = {
    mmlu_avg_test_5shot: 'MMLU',
    hellaswag_val_5shot: 'HellaSwag',
    arc_challenge_test_5shot: 'ARC-Challenge',
    arc_easy_test_5shot: 'ARC-Easy',
    piqa_val_5shot: 'PIQA',
    csqa_val_5shot: 'CommonsenseQA',
    socialiqa_val_5shot: 'Social IQa',
    openbookqa_test_5shot: 'OpenBookQA',
  };
  assert.equal(data.tasks.length, 8);
  for (const def of data.tasks) {
    const ours = accuracyNoise(ladderFor(data, def, 'ladder')!);
    const theirs = paper.get(names[def.task])!;
    assert.ok(
      ours / theirs < 1.5 && theirs / ours < 1.5,
      `${def.task}: σ ${ours.toFixed(4)} here, ${theirs.toFixed(4)} in the paper`,
    );
  }
});

test(
  'downstream defaults: the shipped step-2 setting and extrapolation slope are the ones the nested back-tests choose (bench/downstream-extrapolation.ts)',
  { timeout: 300_000 },
  async () => {
    const { ladders, chooseDefaults, throughC, leaveOneDatasetOutSlope, SLOPE_DECISION } =
      await import('../bench/downstream-extrapolation.js');
    const { slopeRule } = await import('../bench/slopeRule.js');
    const { DOWNSTREAM_EXTRAPOLATION } = await import('../src/analyses/downstream.js');
    const chosen = chooseDefaults({
      olmo: ladders('olmo'),
      pythia: ladders('pythia'),
      gemstones: ladders('gemstones'),
    });
    assert.equal(chosen.shippedVariant, chosen.choice.pooled);
    assert.equal(DOWNSTREAM_EXTRAPOLATION.toFixed(3), chosen.pooledSlope.toFixed(3));
    // The slope held out dataset by dataset: the rule's decision is the one the bench pins.
    const rule = slopeRule(
      Object.values(leaveOneDatasetOutSlope(chosen.cases[chosen.choice.pooled], chosen.pooledSlope)),
      chosen.pooledSlope,
    );
    assert.equal(rule.decision, SLOPE_DECISION);
    assert.equal(rule.slope.toFixed(3), DOWNSTREAM_EXTRAPOLATION.toFixed(3));
    // Every ladder's back-tests miss by more than their noise: each needs the term on its own.
    assert.ok(
      chosen.slope.olmo > 0.01 && chosen.slope.pythia > 0.01 && chosen.slope.gemstones > 0.01,
      JSON.stringify(chosen.slope),
    );
    // Through C only the ladders with a task loss are scored (Pythia has none), and their back-tests do not
    // agree on another step 2: left out in turn, each chooses differently (the README says so).
    const viaC = throughC(chosen.cases);
    assert.deepEqual(Object.keys(viaC.score[chosen.choice.pooled]).sort(), ['gemstones', 'olmo']);
    assert.notEqual(viaC.choice.for.olmo, viaC.choice.for.gemstones);
  },
);
