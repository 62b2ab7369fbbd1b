/**
 * compare's within-data settling rule (bench/compare-settle.ts, docs/methods.md §28): the reversal tolerances
 * derived from the ceiling, the decision rule on made-up scores (a per-cell ceiling), and the shipped code read
 * as the bench reads its chosen candidate. The bench's own run (about 5 minutes) exits 1 when its decision is not
 * the shipped rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SETTLE_CANDIDATES,
  SETTLE_CELLS,
  SETTLE_FAMILIES,
  FIXED_TOLERANCE,
  SHIPPED_SETTLE,
  chooseSettle,
  falseAllowed,
  reversalTolerance,
  scoreSettle,
  settleCheckFails,
  type SettleScores,
} from '../bench/compare-settle.js';

test('compare-settle: the reversal tolerances are where a true 3 SE reversal reads under them in 5 % of draws', () => {
  // Known SE: Φ(t − 3) = 0.05, t = 3 − z(0.95).
  assert.ok(Math.abs(FIXED_TOLERANCE - 1.35515) < 1e-5);
  // SE on df: the 5 % quantile of the noncentral t with noncentrality 3 (scipy.stats.nct.ppf(0.05, df, 3):
  // 1.16103 at 1 df, 1.27476 at 4, 1.33551 at 20, 1.34504 at 40), tending to 3 − z(0.95).
  const want: [number, number][] = [
    [1, 1.16103],
    [4, 1.27476],
    [20, 1.33551],
    [40, 1.34504],
  ];
  for (const [df, t] of want)
    assert.ok(Math.abs(reversalTolerance(df) - t) < 2e-4, `df ${df}: ${reversalTolerance(df)}`);
  assert.ok(Math.abs(reversalTolerance(1e5) - FIXED_TOLERANCE) < 1e-3);
});

test('compare-settle: a cell may show at most the 95th percentile of Binomial(draws, 5 %) false claims', () => {
  // Binomial(24, 0.05): P(X ≤ 2) = 0.884, P(X ≤ 3) = 0.970; Binomial(12, 0.05): P(X ≤ 1) = 0.882, P(X ≤ 2) = 0.980.
  assert.deepEqual([12, 20, 24].map(falseAllowed), [2, 3, 3]);
});

/**
 * Scores where every candidate settles `power[c]` of each power cell, and `falseIn[c]` false claims in the
 * outlier cell `cellName` of `where` (every family when absent), none elsewhere.
 */
function madeUp(
  power: Record<string, number>,
  falseIn: Record<string, number>,
  where?: string,
  draws = 20,
  cellName = 'O g2% 3SE 3s',
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
            false: cell.name === cellName && (where ?? family) === family ? falseIn[c] : 0,
          },
        ]),
      );
  }
  return { counts, draws, shippedMismatch: 0 };
}

test('compare-settle: the most powerful candidate within the per-cell ceiling in every family is chosen; a tie within 1 point goes to the lower number', () => {
  // 20 draws: at most 3 false per cell. (7) beats (6) by more than a point; (8) is the most powerful but over.
  const clear = madeUp({ '(0)': 8, '(6)': 10, '(7)': 11, '(8)': 12 }, { '(0)': 0, '(6)': 3, '(7)': 3, '(8)': 4 });
  assert.equal(chooseSettle(clear).choice, '(7)');
  // (6) and (7) 0.5 point apart (a tie): the lower number.
  const tie = madeUp({ '(0)': 8, '(6)': 10, '(7)': 10.1, '(8)': 12 }, { '(0)': 0, '(6)': 3, '(7)': 3, '(8)': 4 });
  assert.equal(chooseSettle(tie).choice, '(6)');
  // Over the ceiling in one cell of one family only: the fold holding that family out rejects it, so (0) stays
  // (what pooling the cells hid in the first run).
  const one = madeUp(
    { '(0)': 8, '(6)': 10, '(7)': 10, '(8)': 10 },
    { '(0)': 0, '(6)': 5, '(7)': 5, '(8)': 5 },
    'chinchilla',
  );
  const decided = chooseSettle(one);
  assert.equal(decided.choice, '(0)');
  assert.equal(decided.folds.chinchilla, '(0)');
});

test('compare-settle: compareGroups settles exactly where the bench reads the shipped candidate as settling', () => {
  const s = scoreSettle(1, 20, ['kaplan']);
  assert.equal(s.shippedMismatch, 0);
  assert.equal(SHIPPED_SETTLE, '(6)');
});

test('compare-settle: the bench fails (exit 1) when its choice is not the shipped rule or the shipped code reads otherwise', () => {
  // (8) over the bound in an H cell, (6) and (7) tied within the ceiling everywhere: (6) chosen, and shipped.
  const six = madeUp(
    { '(0)': 8, '(6)': 10, '(7)': 10, '(8)': 12 },
    { '(0)': 0, '(6)': 1, '(7)': 1, '(8)': 4 },
    undefined,
    20,
    'H¼ O 3SE 1r',
  );
  assert.equal(chooseSettle(six).choice, '(6)');
  assert.equal(settleCheckFails(chooseSettle(six).choice, six), false);
  assert.equal(settleCheckFails(chooseSettle(six).choice, { ...six, shippedMismatch: 1 }), true);
  // (8) the most powerful and within the ceiling everywhere, H cells included: chosen, which is not shipped.
  const eight = madeUp({ '(0)': 8, '(6)': 10, '(7)': 10, '(8)': 12 }, { '(0)': 0, '(6)': 1, '(7)': 1, '(8)': 2 });
  assert.equal(chooseSettle(eight).choice, '(8)');
  assert.equal(settleCheckFails(chooseSettle(eight).choice, eight), true);
  // (8) over the ceiling in one family: (0) is chosen, which is not what is shipped.
  const over = madeUp(
    { '(0)': 8, '(6)': 10, '(7)': 10, '(8)': 12 },
    { '(0)': 0, '(6)': 4, '(7)': 4, '(8)': 4 },
    'kaplan',
  );
  assert.equal(chooseSettle(over).choice, '(0)');
  assert.equal(settleCheckFails(chooseSettle(over).choice, over), true);
});

test('compare-settle: a candidate over the per-cell ceiling in any H cell (seed noise falling with size) is not shipped; the folds run over the rest', () => {
  // (8) the most powerful, within the ceiling on every old cell, but 4 of 20 false in one family's H¼ one-run
  // cell: screened out, and the folds over (0), (6), (7) pick (6) by the tie.
  const screened = madeUp(
    { '(0)': 8, '(6)': 10, '(7)': 10, '(8)': 12 },
    { '(0)': 0, '(6)': 0, '(7)': 0, '(8)': 4 },
    'besiroglu',
    20,
    'H¼ O 3SE 1r',
  );
  const decided = chooseSettle(screened);
  assert.deepEqual(decided.screenedOut, ['(8)']);
  assert.equal(decided.choice, '(6)');
  // The same count within the bound (3 of 20): (8) stays.
  const kept = madeUp(
    { '(0)': 8, '(6)': 10, '(7)': 10, '(8)': 12 },
    { '(0)': 0, '(6)': 0, '(7)': 0, '(8)': 3 },
    'besiroglu',
    20,
    'H¼ O 3SE 1r',
  );
  assert.deepEqual(chooseSettle(kept).screenedOut, []);
  assert.equal(chooseSettle(kept).choice, '(8)');
  // The H power cells are reported, not in the power mean: (8) far ahead there alone does not change the pick.
  const hPower = madeUp({ '(0)': 8, '(6)': 10, '(7)': 10, '(8)': 10 }, { '(0)': 0, '(6)': 0, '(7)': 0, '(8)': 0 });
  for (const f of Object.keys(hPower.counts))
    for (const name of ['H½ P', 'H¼ P']) hPower.counts[f][name]['(8)'].correct = 20;
  assert.equal(chooseSettle(hPower).choice, '(6)');
});
