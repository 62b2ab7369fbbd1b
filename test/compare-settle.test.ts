/**
 * compare's within-data settling rule (bench/compare-settle.ts, docs/methods.md §28): the binomial count, the
 * decision rule on made-up scores (a per-cell ceiling), and the shipped code read as the bench reads its chosen
 * candidate. The bench's own run (about 4 minutes) exits 1 when its decision is not the shipped rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SETTLE_CANDIDATES,
  SETTLE_CELLS,
  SETTLE_FAMILIES,
  SHIPPED_SETTLE,
  chooseSettle,
  falseAllowed,
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

test('compare-settle: a cell may show at most the 95th percentile of Binomial(draws, 5 %) false claims', () => {
  // Binomial(24, 0.05): P(X ≤ 2) = 0.884, P(X ≤ 3) = 0.970; Binomial(12, 0.05): P(X ≤ 1) = 0.882, P(X ≤ 2) = 0.980.
  assert.deepEqual([12, 20, 24].map(falseAllowed), [2, 3, 3]);
});

/**
 * Scores where every candidate settles `power[c]` of each power cell, and `falseIn[c]` false claims in one
 * outlier cell of `where` (every family when absent), none elsewhere.
 */
function madeUp(
  power: Record<string, number>,
  falseIn: Record<string, number>,
  where?: string,
  draws = 20,
): SettleScores {
  const counts: SettleScores['counts'] = {};
  for (const family of Object.keys(SETTLE_FAMILIES)) {
    counts[family] = {};
    for (const cell of SETTLE_CELLS)
      counts[family][cell.name] = Object.fromEntries(
        Object.keys(SETTLE_CANDIDATES).map((c) => [
          c,
          {
            correct: cell.kind === 'power' ? power[c] : 0,
            false: cell.name === 'O g2% 3SE 3s' && (where ?? family) === family ? falseIn[c] : 0,
          },
        ]),
      );
  }
  return { counts, draws, shippedMismatch: 0 };
}

test('compare-settle: the most powerful candidate within the per-cell ceiling in every family is chosen; a tie within 1 point goes to the lower number', () => {
  // 20 draws: at most 3 false per cell. (4) beats (1) by more than a point; (5) is the most powerful but over.
  const clear = madeUp({ '(0)': 8, '(1)': 10, '(4)': 11, '(5)': 12 }, { '(0)': 0, '(1)': 3, '(4)': 3, '(5)': 4 });
  assert.equal(chooseSettle(clear).choice, '(4)');
  // (1) and (4) 0.5 point apart (a tie): the lower number.
  const tie = madeUp({ '(0)': 8, '(1)': 10, '(4)': 10.1, '(5)': 12 }, { '(0)': 0, '(1)': 3, '(4)': 3, '(5)': 4 });
  assert.equal(chooseSettle(tie).choice, '(1)');
  // Over the ceiling in one cell of one family only: the fold holding that family out rejects it, so (0) stays
  // (what pooling the cells hid in the first run).
  const one = madeUp(
    { '(0)': 8, '(1)': 10, '(4)': 10, '(5)': 10 },
    { '(0)': 0, '(1)': 5, '(4)': 5, '(5)': 5 },
    'chinchilla',
  );
  const decided = chooseSettle(one);
  assert.equal(decided.choice, '(0)');
  assert.equal(decided.folds.chinchilla, '(0)');
});

test('compare-settle: compareGroups settles exactly where the bench reads the shipped candidate as settling', () => {
  const s = scoreSettle(1, 20, ['kaplan']);
  assert.equal(s.shippedMismatch, 0);
  assert.equal(SHIPPED_SETTLE, '(0)');
});
