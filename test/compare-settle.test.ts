/**
 * compare's within-data settling rule (bench/compare-settle.ts, docs/methods.md §28): the binomial count, the
 * decision rule on made-up scores, and the shipped code read as the bench reads its chosen candidate. The
 * bench's own run (about 3 minutes) exits 1 when its decision is not the shipped rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SETTLE_CANDIDATES,
  SETTLE_CELLS,
  SETTLE_FAMILIES,
  SHIPPED_SETTLE,
  chooseSettle,
  scoreSettle,
  winsNeeded,
  type SettleScores,
} from '../bench/compare-settle.js';

test('compare-settle: the wins needed are the smallest k with one-sided binomial P(X ≥ k) ≤ 0.05, all n below 5', () => {
  assert.deepEqual(
    [3, 4, 5, 6, 7, 8, 9, 10, 20].map(winsNeeded),
    // P(X ≥ 15 | 20) = 0.021, P(X ≥ 14 | 20) = 0.058.
    [3, 4, 5, 6, 7, 7, 8, 9, 15],
  );
});

/** Scores where every candidate settles `power[c]` of each power cell and `falseIn[c]` of each outlier cell. */
function madeUp(power: Record<string, number>, falseIn: Record<string, number>, draws = 20): SettleScores {
  const counts: SettleScores['counts'] = {};
  for (const family of Object.keys(SETTLE_FAMILIES)) {
    counts[family] = {};
    for (const cell of SETTLE_CELLS)
      counts[family][cell.name] = Object.fromEntries(
        Object.keys(SETTLE_CANDIDATES).map((c) => [
          c,
          {
            correct: cell.kind === 'power' ? power[c] : 0,
            false: cell.kind === 'outlier' ? falseIn[c] : 0,
          },
        ]),
      );
  }
  return { counts, draws, shippedMismatch: 0 };
}

test('compare-settle: the most powerful candidate within the false-claim ceiling is chosen; a tie within 1 point goes to the lower number', () => {
  // (2) is the most powerful but over the ceiling (2 of 20 per outlier cell = 10 %); (3) beats (1) by more than a point.
  const clear = madeUp({ '(0)': 8, '(1)': 10, '(2)': 12, '(3)': 11 }, { '(0)': 0, '(1)': 1, '(2)': 2, '(3)': 1 });
  assert.equal(chooseSettle(clear).choice, '(3)');
  // (1) and (3) 0.5 point apart (a tie): the lower number.
  const tie = madeUp({ '(0)': 8, '(1)': 10, '(2)': 12, '(3)': 10.1 }, { '(0)': 0, '(1)': 1, '(2)': 2, '(3)': 1 });
  assert.equal(chooseSettle(tie).choice, '(1)');
  // Everything but (0) over the ceiling: (0) stays.
  const none = madeUp({ '(0)': 8, '(1)': 10, '(2)': 12, '(3)': 11 }, { '(0)': 0, '(1)': 2, '(2)': 2, '(3)': 2 });
  assert.equal(chooseSettle(none).choice, '(0)');
});

test('compare-settle: compareGroups settles exactly where the bench reads the shipped candidate as settling', () => {
  const s = scoreSettle(1, 20, ['kaplan']);
  assert.equal(s.shippedMismatch, 0);
  assert.equal(SHIPPED_SETTLE, '(1)');
});
