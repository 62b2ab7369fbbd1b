// The Slurm backend when the cluster refuses job arrays (MaxArraySize=0, a site policy...): it falls
// back to one sbatch job per run, still at most --concurrency at once. A real one-node Slurm on
// localhost (scripts/slurm-cluster.sh); an `sbatch` earlier on PATH refuses --array and hands every
// other call to the real one. SCALELAB_SKIP_SLURM=1 skips (reported).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunStore } from '../src/store/store.js';
import { runSweep } from '../src/experiments/runner.js';
import { readSlurmRecord, slurmBackend, slurmJobName } from '../src/experiments/backends/slurm.js';
import { runDirectory } from '../src/experiments/backends/process.js';

const skip = process.env.SCALELAB_SKIP_SLURM === '1' ? 'SCALELAB_SKIP_SLURM=1' : false;
const script = fileURLToPath(new URL('../scripts/slurm-cluster.sh', import.meta.url));
const trainer = fileURLToPath(new URL('./fixtures/fake-trainer.mjs', import.meta.url));

test('arrays refused: one sbatch job per run, at most --concurrency running, every run completes', { skip, timeout: 120_000 }, async () => {
  execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-slurm-fallback-'));
  const realSbatch = execFileSync('sh', ['-c', 'command -v sbatch'], { encoding: 'utf8' }).trim();
  writeFileSync(
    join(dir, 'sbatch'),
    `#!/bin/sh\nfor a in "$@"; do case "$a" in --array=*) echo "sbatch: error: Job arrays are disabled on this cluster" >&2; exit 1 ;; esac; done\nexec '${realSbatch}' "$@"\n`,
  );
  chmodSync(join(dir, 'sbatch'), 0o755);
  process.env.PATH = `${dir}:${process.env.PATH}`;
  // A training command slow enough (1.5 s) for overlapping jobs to show in squeue.
  writeFileSync(join(dir, 'slow.mjs'), `await new Promise((r) => setTimeout(r, 1500));\nawait import(${JSON.stringify(trainer)});\n`);
  const command = `${process.execPath} ${join(dir, 'slow.mjs')} --layers {n_layer} --d-model {d_model} --tokens {tokens} --lr {lr} --out {run_dir}`;
  const warnings: string[] = [];
  process.on('warning', (w) => warnings.push(w.message));

  const store = RunStore.open(join(dir, 'runs.db'));
  const root = join(dir, 'runs');
  const study = `fallback-${Date.now()}`;
  const config = (layers: number) => ({ n_layer: layers, d_model: 64, n_heads: 1, tokens: 1e6, batch_tokens: 4096, learning_rate: 1e-3 });
  store.plan(study, [2, 3, 4].map((l) => ({ key: `l${l}`, phase: 'isoflop', config: config(l), N: 12 * l * 64 * 64, D: 1e6, C: 6e11, estimatedSeconds: 2 })));
  const names = new Set(store.runs({ study }).map((r) => slurmJobName(root, r)));
  const backend = slurmBackend({ command, root, concurrency: 1 });
  let most = 0;
  const result = await runSweep(store, study, backend, {
    pollMs: 200,
    onProgress: () => {
      const jobs = JSON.parse(execFileSync('squeue', ['--json', '-t', 'all'], { encoding: 'utf8' })).jobs as { name: string; job_state: string | string[] }[];
      const busy = jobs.filter((j) => names.has(j.name) && ['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING'].includes(String(Array.isArray(j.job_state) ? j.job_state[0] : j.job_state)));
      most = Math.max(most, busy.length);
    },
  });
  assert.equal(result.done, 3);
  assert.equal(most, 1, 'never more than --concurrency jobs in Slurm at once');
  assert.equal(backend.concurrency, 1);
  assert.equal(warnings.filter((w) => /job arrays failed.*arrays are disabled/i.test(w)).length, 1, warnings.join('\n'));
  for (const r of store.runs({ study })) {
    assert.match(r.externalId!, /^scalelab-array-[0-9a-f]{16}_\d$/, 'the handle given before the array was refused');
    const rec = readSlurmRecord(runDirectory(root, r))!;
    assert.equal(rec.name, slurmJobName(root, r));
    assert.match(rec.jobId!, /^\d+$/, 'a job of its own');
    assert.equal(readFileSync(join(runDirectory(root, r), 'slurm-job-id'), 'utf8').trim(), rec.jobId);
    assert.equal(store.checkpoints(r.id).length, 3);
  }
  store.close();
});

test('a sweep cancel from another process reaches runs this one still holds unsubmitted: they never go to sbatch', { skip, timeout: 120_000 }, async () => {
  execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-slurm-cancel-held-'));
  const realSbatch = execFileSync('sh', ['-c', 'command -v sbatch'], { encoding: 'utf8' }).trim();
  const log = join(dir, 'sbatch.log');
  // Arrays refused, so runs wait in the sweep's memory for a slot; every sbatch call is logged.
  writeFileSync(
    join(dir, 'sbatch'),
    `#!/bin/sh\necho "$@" >> '${log}'\nfor a in "$@"; do case "$a" in --array=*) echo "sbatch: error: Job arrays are disabled on this cluster" >&2; exit 1 ;; esac; done\nexec '${realSbatch}' "$@"\n`,
  );
  chmodSync(join(dir, 'sbatch'), 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${dir}:${path}`;
  try {
    const store = RunStore.open(join(dir, 'runs.db'));
    const root = join(dir, 'runs');
    const study = `held-${Date.now()}`;
    const config = (layers: number) => ({ n_layer: layers, d_model: 64, n_heads: 1, tokens: 1e6, batch_tokens: 4096, learning_rate: 1e-3 });
    store.plan(study, [2, 3, 4].map((l) => ({ key: `l${l}`, phase: 'isoflop', config: config(l), N: 12 * l * 64 * 64, D: 1e6, C: 6e11, estimatedSeconds: 1 })));
    const [first, second, third] = store.runs({ study });
    const command = `${process.execPath} ${trainer} --layers {n_layer} --d-model {d_model} --tokens {tokens} --lr {lr} --out {run_dir}`;
    const sweeping = slurmBackend({ command, root, concurrency: 1 });
    for (const r of [first, second, third]) await sweeping.submit(r);
    await sweeping.status(first); // the array is refused: the first run goes alone, two wait
    // `sweep cancel` in another process: a backend of its own, which cannot see the waiting runs.
    const cancelling = slurmBackend({ command, root, concurrency: 1 });
    for (const r of [second, third]) await cancelling.cancel!(r);
    let s = await sweeping.status(first);
    for (let k = 0; k < 200 && s.state !== 'completed'; k++) {
      await new Promise((r) => setTimeout(r, 250));
      s = await sweeping.status(first);
    }
    assert.equal(s.state, 'completed');
    await sweeping.status(first); // a slot is free: the sweep would top up from its waiting runs now
    const calls = readFileSync(log, 'utf8');
    assert.ok(calls.includes(slurmJobName(root, first)), calls);
    for (const r of [second, third]) assert.ok(!calls.includes(slurmJobName(root, r)), `cancelled run ${r.id} was submitted:\n${calls}`);
    store.close();
  } finally {
    process.env.PATH = path;
  }
});

test('an sbatch error that is not about arrays fails the runs with sbatch\'s words and keeps arrays (no cluster needed)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-slurm-badpart-'));
  writeFileSync(join(dir, 'sbatch'), `#!/bin/sh\necho "sbatch: error: invalid partition specified: nope" >&2\nexit 1\n`);
  chmodSync(join(dir, 'sbatch'), 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${dir}:${path}`;
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    const store = RunStore.open(join(dir, 'runs.db'));
    const config = (layers: number) => ({ n_layer: layers, d_model: 64, n_heads: 1, tokens: 1e6, batch_tokens: 4096, learning_rate: 1e-3 });
    store.plan('p', [2, 3].map((l) => ({ key: `l${l}`, phase: 'isoflop', config: config(l), N: 12 * l * 64 * 64, D: 1e6, C: 6e11, estimatedSeconds: 1 })));
    const backend = slurmBackend({ command: `${process.execPath} ${trainer} --out {run_dir}`, root: join(dir, 'runs'), partition: 'nope' });
    const p = await runSweep(store, 'p', backend, { pollMs: 20 });
    assert.equal(p.failed, 2);
    for (const r of store.runs({ study: 'p' })) assert.match(r.reason!, /submit failed: .*invalid partition specified: nope/);
    await new Promise((r) => setImmediate(r));
    assert.equal(warnings.filter((w) => /job arrays failed/i.test(w)).length, 0, warnings.join('\n'));
    assert.ok(backend.concurrency > 64, 'still in array mode');
    store.close();
  } finally {
    process.env.PATH = path;
    process.off('warning', onWarning);
  }
});
