/**
 * Which approach `plan` recommends N from when the data hold IsoFLOP profiles (bench/approach-backtest.ts,
 * docs/methods.md §7): the bench's decision is the one `plan` ships (it exits 1 otherwise), and on the
 * noise-free control, whose generating law is known, Approach 3 finds the law's optimum. What `plan` ships is
 * read from plan itself: the recommender whose N̂ is makePlan's N.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

interface BenchOutput {
  results: {
    id: string;
    real: boolean;
    skipped?: string;
    lawError?: Record<string, number>;
    heldOut?: { C: number; plan?: number; predicted: Record<string, number | undefined> }[];
  }[];
  sources: { id: string }[];
  byTruth: Record<string, { onAll: string; foldsAgree: boolean; clear: boolean }>;
  decided: string;
  shipped: string;
}

test('approach bench: plan keeps Approach 3 — Approach 2 is clear under two truths, not under the lowest-loss run; the control finds the law’s optimum', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/approach-backtest.ts', '--json'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, `the bench's decision differs from what plan ships:\n${run.stderr}`);
  const r = JSON.parse(run.stdout) as BenchOutput;
  assert.deepEqual(
    r.sources.map((s) => s.id),
    ['chinchilla', 'datablations-1epoch', 'gemstones-cooldown', 'moby-small', 'porian (owt2 + refinedweb)'],
  );
  assert.equal(r.decided, 'approach-3');
  assert.equal(r.shipped, r.decided);
  // "shipped" is what plan does, not a label: makePlan's own N at each held-out budget, which approach-3 gives.
  const planned = r.results.flatMap((c) => c.heldOut ?? []).filter((h) => h.plan !== undefined);
  assert.ok(planned.length >= 15, `${planned.length} held-out budgets with plan's N`);
  for (const h of planned) assert.ok(Math.abs(h.predicted['approach-3']! / h.plan! - 1) < 1e-9, `C = ${h.C}`);
  assert.equal(r.byTruth.parabola.clear, true);
  assert.equal(r.byTruth.akima.clear, true);
  assert.equal(r.byTruth['min-run'].onAll, 'approach-2');
  assert.equal(r.byTruth['min-run'].foldsAgree, false, 'two folds choose Approach 2 with Akima vertices');
  const control = r.results.find((c) => c.id === 'cs336-synthetic')!;
  assert.equal(control.real, false);
  // Against the generating law's optimum (|log10| error, mean over 3 held-out budgets).
  assert.ok(control.lawError!['approach-3'] < 0.005, `approach-3 ${control.lawError!['approach-3']}`);
  assert.ok(control.lawError!['approach-2'] < 0.02, `approach-2 ${control.lawError!['approach-2']}`);
});
