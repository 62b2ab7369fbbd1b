import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failingAlike, sameFailure } from './runner.js';

/** A failed run of seed `seed`, id `id`, whose reason is made from its own folder, id and seed. */
const failed = (id: number, seed: number, reason: (own: { dir: string; id: number; seed: number }) => string) => {
  const key = `isoflop:${'ab12'.repeat(16)}${id}`;
  const r = {
    id,
    key,
    name: `isoflop-${key.slice(-8)}`,
    phase: 'isoflop',
    status: 'failed' as const,
    externalId: `local-${4000 + id}`,
    config: { n_layer: 2, d_model: 64 * seed + 64, seed, tokens: 3e6 },
    N: 98304 * (seed + 1),
    D: 3e6,
    C: 6 * 98304 * (seed + 1) * 3e6,
  };
  return { ...r, reason: reason({ dir: `/scratch/runs/s/${id}-${key.slice(0, 12).replace(':', '_')}`, id, seed }) };
};

test("failures that differ only in each run's own folder, id, seed or size are the same failure", () => {
  const why = (o: { dir: string; id: number; seed: number }) =>
    `exit code 1: cannot open ${o.dir}/shard-${o.seed}.bin (run ${o.id}, d_model ${64 * o.seed + 64})`;
  const runs = [failed(1, 0, why), failed(2, 1, why), failed(3, 2, why)];
  assert.equal(new Set(runs.map((r) => r.reason)).size, 3, 'the reasons as written differ');
  assert.ok(sameFailure(runs[0], runs[1]) && sameFailure(runs[1], runs[2]));
  assert.equal(failingAlike(runs), runs[0].reason);
});

test('any other difference keeps failures apart, a number too where it is not the runs’ own', () => {
  // Seeds and ids 1 and 2, exit codes 1 and 2: the backend's verdict is compared as it is.
  const code = (c: number) => () => `exit code ${c}: out of memory`;
  assert.equal(sameFailure(failed(1, 1, code(1)), failed(2, 2, code(2))), false);
  assert.equal(sameFailure(failed(1, 1, code(1)), failed(2, 2, code(1))), true);
  const text = (t: string) => (o: { dir: string }) => `exit code 1: ${t} in ${o.dir}`;
  assert.equal(sameFailure(failed(1, 0, text('no module named torch')), failed(2, 1, text('CUDA error'))), false);
  assert.equal(
    failingAlike([failed(1, 0, code(1)), failed(2, 1, code(1)), failed(3, 2, code(3))]),
    undefined,
    'three failures, not alike: the sweep goes on',
  );
});
