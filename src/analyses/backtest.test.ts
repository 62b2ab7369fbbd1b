import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backtest } from './backtest.js';
import { chinchilla, predictLoss } from '../laws/index.js';
import { normal, randomSource } from '../core/random.js';
import type { Dataset, Run } from '../io/dataset.js';

const truth = { E: 1.8, A: 400, B: 2000, alpha: 0.34, beta: 0.37 };

test('a hold-out back-test leaves a lineage with a held-out run out of the fit whole', () => {
  // One trunk per size, branches at 30, 55 and 100 % of 20 tokens per parameter; a shared offset per trunk.
  const random = randomSource(5, 9);
  const runs: Run[] = [];
  [3e7, 6e7, 1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9].forEach((N, k) => {
    const offset = 0.02 * normal(random);
    for (const f of [0.3, 0.55, 1])
      runs.push({
        N,
        D: 20 * N * f,
        loss: predictLoss(chinchilla, truth, { N, D: 20 * N * f }) * Math.exp(offset),
        lineage: `t${k}`,
        line: runs.length + 2,
      });
  });
  const data: Dataset = {
    source: 'b.csv',
    runs,
    columns: { N: 'N', D: 'D', loss: 'loss', lineage: 'trunk' },
    derived: {},
  };
  const r = backtest(chinchilla, data, 0.2);
  // The top 5 runs by C: the 3.2e9 trunk's three branches and two of the 1.6e9 trunk's (its 30 % branch is below).
  assert.equal(r.test, 5);
  assert.equal(r.withheld, 1);
  assert.equal(r.train, 18);
  const withheld = r.points.filter((p) => p.withheld);
  assert.deepEqual(
    withheld.map((p) => [p.N, p.heldOut]),
    [[1.6e9, false]],
  );
  // Without the lineage the same split fits that branch.
  const plain = backtest(chinchilla, { ...data, runs: runs.map(({ lineage: _, ...x }) => x) }, 0.2);
  assert.equal(plain.withheld, 0);
  assert.equal(plain.train, 19);
});
