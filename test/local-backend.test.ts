import { spawn } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandTemplate, runDirectory } from '../src/experiments/backends/process.js';
import { localBackend, threadEnv } from '../src/experiments/backends/local.js';
import { runSweep } from '../src/experiments/runner.js';
import { RunStore } from '../src/store/store.js';

const trainer = fileURLToPath(new URL('./fixtures/fake-trainer.mjs', import.meta.url));

/** Study "s" with one small planned run. */
function planOneRun(store: RunStore, key: string): void {
  store.plan('s', [
    {
      key,
      phase: 'isoflop',
      config: { n_layer: 2, d_model: 64, n_heads: 1, tokens: 1e6, batch_tokens: 4096, learning_rate: 1e-3 },
      N: 98304,
      D: 1e6,
      C: 6e11,
      estimatedSeconds: 1,
    },
  ]);
}

test('expandTemplate: hostile values stay single arguments, character for character', () => {
  const hostile = `a b; touch /tmp/pwned "q" 'r' $(id) \`id\` && echo x`;
  const argv = expandTemplate(`python train.py --note {run_dir} --lr={lr} "--literal with space" 'single {seed}'`, {
    run_dir: hostile,
    lr: 0.003,
    seed: 7,
  });
  assert.deepEqual(argv, ['python', 'train.py', '--note', hostile, '--lr=0.003', '--literal with space', 'single 7']);
  assert.throws(() => expandTemplate('train {nope}', {}), /unknown placeholder \{nope\}/);
  assert.throws(() => expandTemplate('train "open', {}), /unterminated " quote/);
});

test('local backend runs commands without a shell: a run folder full of shell syntax executes nothing extra', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-local-'));
  const root = join(dir, `runs with spaces; touch PWNED 'quoted' "dq" $(touch PWNED2)`);
  const store = RunStore.open(join(dir, 'runs.db'));
  const config = (lr: number, layers: number) => ({
    n_layer: layers,
    d_model: 64,
    n_heads: 1,
    tokens: 1e6,
    batch_tokens: 4096,
    learning_rate: lr,
  });
  store.plan('s', [
    { key: 'ok-1', phase: 'isoflop', config: config(1e-3, 2), N: 98304, D: 1e6, C: 6e11, estimatedSeconds: 1 },
    { key: 'ok-2', phase: 'isoflop', config: config(1e-3, 3), N: 147456, D: 1e6, C: 6e11, estimatedSeconds: 1 },
    { key: 'bad', phase: 'isoflop', config: config(0.1, 2), N: 98304, D: 1e6, C: 6e11, estimatedSeconds: 1 },
  ]);
  const backend = localBackend({
    command: `${process.execPath} ${trainer} --layers {n_layer} --d-model {d_model} --tokens {tokens} --lr {lr} --out {run_dir}`,
    root,
    concurrency: 2,
    cwd: dir,
  });
  const p = await runSweep(store, 's', backend, { pollMs: 100 });
  assert.equal(p.done, 2);
  assert.equal(p.failed, 1);
  const runs = store.runs({ study: 's' });
  const bad = runs.find((r) => r.key === 'bad')!;
  assert.equal(bad.status, 'failed');
  assert.match(bad.reason!, /exit code 3: diverged at step 3/);
  const ok = runs.find((r) => r.key === 'ok-1')!;
  assert.equal(store.checkpoints(ok.id).length, 3);
  // The trainer saw its --out argument as one string equal to the run folder.
  const runDir = readdirSync(join(root, 's'))
    .map((d) => join(root, 's', d))
    .find((d) => d.includes(`${ok.id}-`))!;
  const argv = JSON.parse(readFileSync(join(runDir, 'argv.json'), 'utf8')) as string[];
  assert.equal(argv[argv.indexOf('--out') + 1], runDir);
  // Two runs at once share the cores: each was told ⌊cores / 2⌋ threads (unless the user set it).
  const expected = process.env.OMP_NUM_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / 2)));
  assert.equal(JSON.parse(readFileSync(join(runDir, 'threads.json'), 'utf8')), expected);
  for (const f of ['PWNED', 'PWNED2']) {
    assert.ok(!existsSync(join(dir, f)) && !existsSync(join(process.cwd(), f)), `${f} must not exist`);
  }
  // Running the sweep again submits nothing: every run is finished.
  const again = await runSweep(store, 's', backend, { pollMs: 100 });
  assert.equal(again.done, 2);
  assert.equal(readdirSync(join(root, 's')).length, 3, 'no new run folders');
  store.close();
});

test('threadEnv: cores / concurrency threads per run, at least one, never over what the user set', () => {
  assert.deepEqual(threadEnv(2, undefined, {}, 16), {
    OMP_NUM_THREADS: '8',
    MKL_NUM_THREADS: '8',
    OPENBLAS_NUM_THREADS: '8',
  });
  assert.equal(threadEnv(4, undefined, {}, 2).OMP_NUM_THREADS, '1');
  assert.equal(threadEnv(1, 3, {}, 16).OMP_NUM_THREADS, '3');
  assert.deepEqual(threadEnv(2, undefined, { OMP_NUM_THREADS: '5' }, 16), {
    MKL_NUM_THREADS: '8',
    OPENBLAS_NUM_THREADS: '8',
  });
});

test('sweep cancel stops a local run in flight and marks it cancelled', async () => {
  const { scalelab } = await import('./helpers/cli.js');
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-cancel-'));
  const db = join(dir, 'runs.db');
  const store = RunStore.open(db);
  store.plan('c', [
    {
      key: 'slow',
      phase: 'isoflop',
      config: { n_layer: 2, d_model: 64, n_heads: 1, tokens: 1e6, batch_tokens: 4096, learning_rate: 1e-3 },
      N: 1,
      D: 1,
      C: 6,
      estimatedSeconds: 60,
    },
  ]);
  const command = `${process.execPath} -e setTimeout(()=>{},60000) {run_dir}`;
  const backend = localBackend({ command, root: join(dir, 'runs'), cwd: dir });
  const sweep = runSweep(store, 'c', backend, { pollMs: 200 });
  for (let i = 0; i < 50 && store.runs({ study: 'c' })[0].status !== 'running'; i++)
    await new Promise((r) => setTimeout(r, 100));
  assert.equal(store.runs({ study: 'c' })[0].status, 'running');
  const r = scalelab([
    'sweep',
    'cancel',
    '--study',
    'c',
    '--db',
    db,
    '--backend',
    'local',
    '--runs-dir',
    join(dir, 'runs'),
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json().cancelled, 1);
  const end = await sweep;
  assert.equal(end.total, 1);
  assert.equal(store.runs({ study: 'c' })[0].status, 'cancelled');
  const runDir = join(dir, 'runs', 'c', readdirSync(join(dir, 'runs', 'c'))[0]);
  const pid = Number(readFileSync(join(runDir, 'pid'), 'utf8'));
  // The wrapper ends the command's process group, records it, and exits: poll for that.
  const stopped = () => {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    return (
      existsSync(`/proc/${pid}/stat`) && / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/s, ')'))
    );
  };
  for (const end = Date.now() + 30_000; !stopped() && Date.now() < end;)
    await new Promise((res) => setTimeout(res, 50));
  assert.ok(stopped(), 'the wrapper (and its command) has stopped');
  store.close();
});

test("a retried run is judged by its own output only: the earlier attempt's stdout metrics are cleared", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-retry-logs-'));
  // First attempt: two eval lines on stdout, then exit 3. Second attempt (flag file present): no metrics, exit 0.
  const script = join(dir, 'flaky.mjs');
  writeFileSync(
    script,
    `import { existsSync, writeFileSync } from 'node:fs';
const flag = ${JSON.stringify(join(dir, 'second'))};
if (!existsSync(flag)) { writeFileSync(flag, ''); console.log(JSON.stringify({ tokens: 100, val_loss: 9 })); console.log(JSON.stringify({ tokens: 200, val_loss: 8 })); process.exit(3); }
process.exit(0);
`,
  );
  const store = RunStore.open(join(dir, 'runs.db'));
  planOneRun(store, 'only');
  const backend = localBackend({
    command: `${process.execPath} ${script} {run_dir}`,
    root: join(dir, 'runs'),
    cwd: dir,
  });
  assert.equal((await runSweep(store, 's', backend, { pollMs: 50 })).failed, 1);
  store.retry('s');
  await runSweep(store, 's', backend, { pollMs: 50 });
  const [run] = store.runs({ study: 's' });
  assert.notEqual(run.status, 'completed', 'the second attempt wrote no metrics: it must not inherit loss 8');
  assert.equal(store.checkpoints(run.id).length, 0);
  store.close();
});

test('a poll that finds the pid file created but not yet written takes the run for running, not failed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-local-'));
  const store = RunStore.open(join(dir, 'runs.db'));
  planOneRun(store, 'r');
  const root = join(dir, 'runs');
  const backend = localBackend({ command: `${process.execPath} ${trainer} --out {run_dir}`, root, cwd: dir });
  // As submit left it, with a live process standing in for the wrapper it started (naming the run's
  // folder on its command line, as the wrapper does: a pid that does not is not taken for the run's).
  const planned = store.runs({ study: 's' })[0];
  const runDir = runDirectory(root, planned);
  const standIn = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', runDir], { stdio: 'ignore' });
  try {
    // Until it has exec'd, a child's command line is still this process's.
    for (const end = Date.now() + 30_000; !readFileSync(`/proc/${standIn.pid}/cmdline`, 'utf8').includes(runDir);)
      if (Date.now() > end) throw new Error('the stand-in did not start');
      else await new Promise((r) => setTimeout(r, 20));
    const run = { ...planned, externalId: `local-${standIn.pid}` };
    writeFileSync(join(runDir, 'pid'), ''); // the wrapper's open(O_TRUNC) has happened, its write not yet
    assert.deepEqual(await backend.status(run), { state: 'running' });
    writeFileSync(join(runDir, 'pid'), String(standIn.pid));
    assert.deepEqual(await backend.status(run), { state: 'running' });
  } finally {
    standIn.kill('SIGKILL');
    store.close();
  }
});

test('find right after submit, before the wrapper has written its pid (a sweep killed then and run again at once), names the run submitted: it is not trained twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-local-'));
  const store = RunStore.open(join(dir, 'runs.db'));
  planOneRun(store, 'r');
  const root = join(dir, 'runs');
  const command = `${process.execPath} ${trainer} --layers {n_layer} --d-model {d_model} --tokens {tokens} --lr {lr} --out {run_dir}`;
  const run = store.runs({ study: 's' })[0];
  const id = await localBackend({ command, root, cwd: dir }).submit(run);
  const runDir = runDirectory(root, run);
  // A node process takes tens of milliseconds to start: its pid file cannot be there yet.
  assert.ok(!existsSync(join(runDir, 'pid')), 'the wrapper has not written its pid yet');
  // The restarted sweep's backend, made anew, asks before recording anything.
  const again = localBackend({ command, root, cwd: dir });
  assert.equal(await again.find!(run), id);
  // And the run it finds ends as the one submitted.
  const submitted = { ...run, externalId: id };
  const deadline = Date.now() + 60_000;
  let s = await again.status(submitted);
  while (s.state !== 'completed' && s.state !== 'failed' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    s = await again.status(submitted);
  }
  assert.equal(s.state, 'completed', s.reason);
  assert.equal(await again.find!(run), `local-${readFileSync(join(runDir, 'pid'), 'utf8')}`);
  store.close();
});
