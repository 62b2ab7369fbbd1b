/**
 * The two pooled extrapolation slopes (curve-law predict's CURVE_EXTRAPOLATION, downstream's
 * DOWNSTREAM_EXTRAPOLATION) ship by bench/slopeRule.ts's rule on their benches' leave-one-data-set-out
 * rows. Fast: the rule on made-up rows with a known answer, and the recorded runs (examples/curve-laws/
 * backtest.json, examples/downstream/slope-lodo.json) against the decisions the benches pin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { intervalScore, slopeRule, type HeldOutRow, type SlopeRuleResult } from '../bench/slopeRule.js';
import { SLOPE_DECISION as CURVE_DECISION, SUMMARY } from '../bench/curve-law-backtest.js';
import { SLOPE_DECISION as DOWNSTREAM_DECISION, SLOPE_RECORD } from '../bench/downstream-extrapolation.js';
import { CURVE_EXTRAPOLATION } from '../src/analyses/curveLaws.js';
import { DOWNSTREAM_EXTRAPOLATION } from '../src/analyses/downstream.js';

test('slope rule: kept within 5 points of 95 % held out, every case pooled; else the largest left-out slope', () => {
  // 93 of 100 held out: kept, although the small data set alone holds 1 of 4 (the equal-weight mean says so).
  const near: HeldOutRow[] = [
    { slope: 0.01, inside: 92, cases: 96 },
    { slope: 0.03, inside: 1, cases: 4 },
  ];
  const a = slopeRule(near, 0.012);
  assert.equal(a.decision, 'kept');
  assert.equal(a.slope, 0.012);
  assert.ok(Math.abs(a.pooledCoverage - 0.93) < 1e-12);
  assert.ok(Math.abs(a.equalWeightCoverage - (92 / 96 + 1 / 4) / 2) < 1e-12);
  // 85 of 100: too few; the largest slope a data set was given by the others ships.
  const far: HeldOutRow[] = [
    { slope: 0.02, inside: 40, cases: 50 },
    { slope: 0.05, inside: 45, cases: 50 },
  ];
  const b = slopeRule(far, 0.03);
  assert.equal(b.decision, 'largest left-out');
  assert.equal(b.slope, 0.05);
  // The edge: exactly 90 % is within 5 points.
  const edge = (inside: number) =>
    slopeRule(
      [
        { slope: 0.01, inside, cases: 50 },
        { slope: 0.02, inside: 45, cases: 50 },
      ],
      0.01,
    ).decision;
  assert.equal(edge(45), 'kept');
  assert.equal(edge(44), 'largest left-out');
  assert.throws(() => slopeRule([near[0]], 0.01), /at least 2 data sets/);
});

test('interval score: the width inside, plus 40× the distance outside at 95 %', () => {
  assert.equal(intervalScore(0, 1, 0.5), 1);
  assert.ok(Math.abs(intervalScore(0, 1, 1.5) - 21) < 1e-12);
  assert.ok(Math.abs(intervalScore(0, 1, -0.25) - 11) < 1e-12);
});

/** The rule re-applied to the recorded rows gives the recorded result, the decision pinned and the shipped slope. */
function checkRecord(
  rows: HeldOutRow[],
  pooledSlope: number,
  recorded: SlopeRuleResult,
  pinned: string,
  shipped: number,
  digits: number,
) {
  const again = slopeRule(rows, pooledSlope);
  assert.deepEqual(again, recorded);
  assert.equal(recorded.decision, pinned);
  assert.equal(recorded.slope.toFixed(digits), shipped.toFixed(digits));
}

test("curve-law predict's slope: the rule's decision on the recorded leave-one-data-set-out rows is the one pinned (bench/curve-law-backtest.ts)", () => {
  const x = (
    JSON.parse(readFileSync(SUMMARY, 'utf8')) as {
      extrapolation: {
        pooled: { slope: number };
        leaveOneOut: Record<string, HeldOutRow>;
        rule: SlopeRuleResult;
      };
    }
  ).extrapolation;
  assert.deepEqual(Object.keys(x.leaveOneOut).sort(), ['gemstones', 'moby']);
  checkRecord(Object.values(x.leaveOneOut), x.pooled.slope, x.rule, CURVE_DECISION, CURVE_EXTRAPOLATION, 4);
});

test("downstream's slope: the rule's decision on the recorded leave-one-dataset-out rows is the one pinned (bench/downstream-extrapolation.ts)", () => {
  const x = JSON.parse(readFileSync(SLOPE_RECORD, 'utf8')) as {
    heldOut: Record<string, HeldOutRow>;
    rule: SlopeRuleResult;
    pooledSlope: number;
  };
  assert.deepEqual(Object.keys(x.heldOut).sort(), ['gemstones', 'olmo', 'pythia']);
  checkRecord(Object.values(x.heldOut), x.pooledSlope, x.rule, DOWNSTREAM_DECISION, DOWNSTREAM_EXTRAPOLATION, 3);
});
