// The Slurm backend against a real one-node Slurm cluster on localhost, which this test starts
// (scripts/slurm-cluster.sh; needs root, as in CI). Set SCALELAB_SKIP_SLURM=1 to skip on a machine
// where that is impossible; the skip is reported, never silent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunStore } from '../src/store/store.js';
import { runSweep } from '../src/experiments/runner.js';
import { slurmJobName, slurmBackend } from '../src/experiments/backends/slurm.js';

const skip = process.env.SCALELAB_SKIP_SLURM === '1' ? 'SCALELAB_SKIP_SLURM=1' : false;
const script = fileURLToPath(new URL('../scripts/slurm-cluster.sh', import.meta.url));
const trainer = fileURLToPath(new URL('./fixtures/fake-trainer.mjs', import.meta.url));
const child = fileURLToPath(new URL('./fixtures/sweep-child.ts', import.meta.url));

test('a small sweep through real sbatch: a failing job, a killed and resumed sweep, nothing submitted twice', { skip, timeout: 180_000 }, async () => {
  execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-slurm-'));
  const db = join(dir, 'runs.db');
  const root = join(dir, 'runs');
  const study = `slurm-${Date.now()}`;
  const command = `${process.execPath} ${trainer} --layers {n_layer} --d-model {d_model} --tokens {tokens} --lr {lr} --out {run_dir}`;
  const store = RunStore.open(db);
  const config = (lr: number, layers: number) => ({ n_layer: layers, d_model: 64, n_heads: 1, tokens: 1e6, batch_tokens: 4096, learning_rate: lr });
  store.plan(study, [
    { key: 'a', phase: 'isoflop', config: config(1e-3, 2), N: 98304, D: 1e6, C: 6e11, estimatedSeconds: 1 },
    { key: 'b', phase: 'isoflop', config: config(1e-3, 4), N: 196608, D: 1e6, C: 6e11, estimatedSeconds: 1 },
    { key: 'fails', phase: 'isoflop', config: config(0.1, 2), N: 98304, D: 1e6, C: 6e11, estimatedSeconds: 1 },
  ]);
  // First attempt: killed as soon as its jobs are submitted.
  const p = spawn(process.execPath, ['--import', 'tsx', child, db, study, root, command], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    p.stdout!.on('data', (c: Buffer) => {
      if (c.toString().split('\n').some((l) => l.startsWith('{') && JSON.parse(l).running > 0)) resolve();
    });
    p.on('exit', (code) => reject(new Error(`the sweep ended before it could be killed (${code})`)));
  });
  p.kill('SIGKILL');
  await new Promise((r) => p.on('exit', r));
  assert.ok(store.runs({ study }).every((r) => r.status !== 'planned' || r.externalId === null));
  // Second attempt, in this process: it polls what was submitted and submits nothing again.
  const result = await runSweep(store, study, slurmBackend({ command, root }), { pollMs: 300 });
  assert.equal(result.done, 2);
  assert.equal(result.failed, 1);
  const runs = store.runs({ study });
  const failed = runs.find((r) => r.key === 'fails')!;
  assert.match(failed.reason!, /exit code 3: diverged at step 3/);
  for (const r of runs.filter((x) => x.status === 'completed')) assert.equal(store.checkpoints(r.id).length, 3);
  const jobs = JSON.parse(execFileSync('squeue', ['--json', '-t', 'all'], { encoding: 'utf8' })).jobs as { name: string }[];
  for (const r of runs) assert.equal(jobs.filter((j) => j.name === slurmJobName(root, r)).length, 1, `one sbatch job for run ${r.key}`);
  store.close();
});
