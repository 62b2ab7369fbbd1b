/**
 * Approach 2's default vertex (a parabola in ln N through every run of a budget) is what the real IsoFLOP
 * ladders keep, leave one source out (bench/isoflop-vertex.ts, docs/methods.md §38); and the bench's
 * methods find the optimum of the noise-free CS336 set, whose generating law is known.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

interface BenchOutput {
  results: { id: string; real: boolean; skipped?: string; lawError?: Record<string, number> }[];
  sources: { id: string }[];
  byTruth: Record<string, { onAll: string; clear: boolean }>;
  decided: string;
  decision: string;
  shipped: string;
}

test('isoflop vertex bench: the parabola is kept on the real ladders; on the noise-free control the parabola and Akima find the law’s optimum', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/isoflop-vertex.ts', '--json'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, `the bench's decision differs from frontier's default vertex:\n${run.stderr}`);
  const r = JSON.parse(run.stdout) as BenchOutput;
  // The sources docs/methods.md §38 reports: the two Porian grids count as one.
  assert.deepEqual(
    r.sources.map((s) => s.id),
    ['chinchilla', 'datablations-1epoch', 'gemstones-cooldown', 'moby-small', 'porian (owt2 + refinedweb)'],
  );
  assert.match(r.decision, /^keep parabola/);
  assert.equal(r.shipped, 'parabola');
  assert.equal(r.decided, r.shipped);
  assert.equal(r.byTruth.parabola.onAll, 'parabola');
  assert.equal(r.byTruth['min-run'].clear, false, 'the lowest-loss run wins only within noise');
  const control = r.results.find((c) => c.id === 'cs336-synthetic')!;
  assert.equal(control.real, false);
  // Against the generating law's optimum (|log10| error, mean over 3 held-out budgets).
  assert.ok(control.lawError!.parabola < 0.02, `parabola ${control.lawError!.parabola}`);
  assert.ok(control.lawError!.akima < 0.01, `akima ${control.lawError!.akima}`);
  assert.ok(control.lawError!['min-run'] > 0.05, `min-run ${control.lawError!['min-run']}`);
});
