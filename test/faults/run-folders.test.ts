// Fault injection, third pass: run folders removed under a sweep (a clean-up of the runs folder, a
// purged scratch space), before its result was collected or while its trainer ran. A run counts as
// completed only when what it recorded is all there; otherwise it fails saying the folder was removed,
// on the local and the Slurm backend alike (the Slurm commands are stand-ins: no cluster needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plannedRuns } from './common.js';
import { fakeSlurm } from '../helpers/fakeSlurm.js';
import { localBackend } from '../../src/experiments/backends/local.js';
import { runDirectory } from '../../src/experiments/backends/process.js';
import { slurmBackend } from '../../src/experiments/backends/slurm/index.js';
import { runSweep } from '../../src/experiments/runner.js';
import { RunStore } from '../../src/store/store.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `scalelab-faults-${name}-`));

/** Metrics lines of the tiny trainer's evaluations at these tokens (its plan: 3e6 tokens). */
const metrics = (tokens: number[]) =>
  tokens.map((t) => JSON.stringify({ tokens: t, step: t / 1e6, val_loss: 3.5 - t / 1e7 }) + '\n').join('');

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const beforeCollected = (dir: string) =>
  new RegExp(
    `^its run folder ${escape(dir)} was removed before its result was collected \\(no job\\.json there\\): what the command left is gone; "sweep retry" queues it again$`,
  );
const whileRunning = (dir: string) =>
  new RegExp(
    `^its run folder ${escape(dir)} was removed while it ran \\(no job\\.json there\\), so what it wrote before is gone: `,
  );

test('Slurm: a run folder removed before collection, or while the job ran, fails its run saying so; the others are collected', async () => {
  const dir = tmp('slurm-folders');
  const runsRoot = join(dir, 'runs');
  const store = RunStore.open(join(dir, 'runs.db'));
  const [kept, gone, lost] = store.plan('s', plannedRuns([0, 1, 2]));
  // All three ran as tasks of array 101 (raw ids 200, 201, 202), finished, and Slurm says COMPLETED.
  const restorePath = fakeSlurm(dir, {
    sacct: 'printf "200|101_0|COMPLETED|0:0\\n201|101_1|COMPLETED|0:0\\n202|101_2|COMPLETED|0:0\\n"',
  });
  try {
    for (const [i, r] of [kept, gone, lost].entries()) {
      store.setStatus(r.id, 'running', { backend: 'slurm', externalId: `101_${i}` });
      const runDir = runDirectory(runsRoot, r);
      writeFileSync(join(runDir, 'job.json'), JSON.stringify({ argv: ['train'], cwd: dir }));
      writeFileSync(
        join(runDir, 'slurm.json'),
        JSON.stringify({ name: 'scalelab-array-test', index: i, jobId: `101_${i}`, at: new Date().toISOString() }),
      );
      writeFileSync(join(runDir, 'slurm-job-id'), `${200 + i}\n`);
      writeFileSync(join(runDir, 'metrics.jsonl'), metrics([1e6, 2e6, 3e6]));
      writeFileSync(join(runDir, 'exit.json'), JSON.stringify({ code: 0, signal: null, seconds: 9 }));
    }
    // Removed after the job ended, before a sweep collected it.
    const goneDir = runDirectory(runsRoot, gone);
    rmSync(goneDir, { recursive: true });
    // Removed while the job ran: its trainer made the folder again and wrote its last two evaluations
    // there, the wrapper its exit record; the first evaluation, the job's records and job.json are gone.
    const lostDir = runDirectory(runsRoot, lost);
    rmSync(lostDir, { recursive: true });
    mkdirSync(lostDir);
    writeFileSync(join(lostDir, 'metrics.jsonl'), metrics([2e6, 3e6]));
    writeFileSync(join(lostDir, 'exit.json'), JSON.stringify({ code: 0, signal: null, seconds: 9 }));

    const p = await runSweep(store, 's', slurmBackend({ command: 'false', root: runsRoot, cwd: dir }), {
      pollMs: 10,
    });
    assert.deepEqual([p.done, p.failed], [1, 2]);
    const byId = new Map(store.runs({ study: 's' }).map((r) => [r.id, r]));
    const done = byId.get(kept.id)!;
    assert.deepEqual([done.status, done.loss], ['completed', 3.2], done.reason ?? '');
    assert.equal(store.checkpoints(kept.id).length, 3);
    assert.equal(byId.get(gone.id)!.status, 'failed');
    assert.match(byId.get(gone.id)!.reason!, beforeCollected(goneDir));
    const partial = byId.get(lost.id)!;
    assert.equal(partial.status, 'failed', 'two of its three evaluations are not the whole run');
    assert.match(partial.reason!, whileRunning(lostDir));
    assert.match(
      partial.reason!,
      /the metrics left there \(2 evaluations, from 2000000 tokens\) may be only what it wrote after; "sweep retry" runs it again$/,
    );
    assert.equal(partial.loss, null, 'a failed run has no final loss to fit');
  } finally {
    restorePath();
    store.close();
  }
});

test('Slurm: a run whose folder (and slurm.json) was removed before its job was known is not submitted again', async () => {
  const dir = tmp('slurm-unknown');
  const runsRoot = join(dir, 'runs');
  const store = RunStore.open(join(dir, 'runs.db'));
  const [run] = store.plan('u', plannedRuns([0]));
  const log = join(dir, 'sbatch.log');
  const restorePath = fakeSlurm(dir, { sbatch: `echo "$@" >> '${log}'\necho 300` });
  try {
    // Handed to an array that the store still knows by its handle; then the folder was removed.
    store.setStatus(run.id, 'queued', { backend: 'slurm', externalId: 'scalelab-array-gone_0' });
    const p = await runSweep(store, 'u', slurmBackend({ command: 'false', root: runsRoot, cwd: dir }), {
      pollMs: 10,
    });
    assert.equal(p.failed, 1);
    const [r] = store.runs({ study: 'u' });
    assert.match(r.reason!, beforeCollected(runDirectory(runsRoot, r)));
    assert.ok(!existsSync(log), 'no sbatch: whether it already went to Slurm is unknown');
  } finally {
    restorePath();
    store.close();
  }
});

test('local: a trainer whose folder is removed while it runs fails, whether it wrote its last evaluations into a new one or lost them', async () => {
  const dir = tmp('local-while-running');
  const runsRoot = join(dir, 'runs');
  const store = RunStore.open(join(dir, 'runs.db'));
  // Seed 0 makes its folder again and appends its last two evaluations (as a trainer that opens its
  // metrics for each one does); seed 1 does not, so nothing of it is left but the wrapper's exit record.
  const trainer = join(dir, 'trainer.mjs');
  writeFileSync(
    trainer,
    `import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
const arg = (name) => process.argv[process.argv.indexOf(name) + 1];
const out = arg('--out');
const line = (t) => JSON.stringify({ tokens: t, step: t / 1e6, val_loss: 3.5 - t / 1e7 }) + '\\n';
appendFileSync(out + '/metrics.jsonl', line(1e6));
rmSync(out, { recursive: true, force: true });
if (arg('--seed') === '0') {
  mkdirSync(out, { recursive: true });
  appendFileSync(out + '/metrics.jsonl', line(2e6));
  appendFileSync(out + '/metrics.jsonl', line(3e6));
}
`,
  );
  const [remade, lostAll] = store.plan('w', plannedRuns([0, 1]));
  const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(trainer)} --seed {seed} --out {run_dir}`;
  try {
    const p = await runSweep(store, 'w', localBackend({ command, root: runsRoot, cwd: dir, concurrency: 2 }), {
      pollMs: 50,
    });
    assert.deepEqual([p.done, p.failed], [0, 2]);
    const byId = new Map(store.runs({ study: 'w' }).map((r) => [r.id, r]));
    const partial = byId.get(remade.id)!;
    assert.equal(partial.status, 'failed', 'its first evaluation is gone: not a completed run');
    const remadeDir = runDirectory(runsRoot, partial);
    assert.match(partial.reason!, whileRunning(remadeDir));
    assert.match(partial.reason!, /\(2 evaluations, from 2000000 tokens\) may be only what it wrote after/);
    const empty = byId.get(lostAll.id)!;
    assert.equal(empty.status, 'failed');
    assert.match(empty.reason!, whileRunning(runDirectory(runsRoot, empty)));
    assert.match(empty.reason!, /the command exited 0 but wrote no validation loss/);
  } finally {
    store.close();
  }
});
