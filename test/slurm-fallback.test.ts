// The Slurm backend when the cluster refuses job arrays (MaxArraySize=0, a site policy...): it falls
// back to one sbatch job per run, still at most --concurrency at once. A real one-node Slurm on
// localhost (scripts/slurm-cluster.sh); an `sbatch` earlier on PATH refuses --array and hands every
// other call to the real one. Without Slurm the cluster tests are skipped with the command that
// installs it (test/helpers/tools.ts); SCALELAB_SKIP_SLURM=1 skips them on purpose,
// SCALELAB_REQUIRE_ALL=1 (CI) fails them instead. The tests marked "no cluster needed" run everywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunStore } from '../src/store/store.js';
import { runSweep } from '../src/experiments/runner.js';
import {
  parseMaxArraySize,
  readSlurmRecord,
  slurmBackend,
  slurmJobName,
} from '../src/experiments/backends/slurm/index.js';
import { runDirectory } from '../src/experiments/backends/process.js';
import type { BackendStatus } from '../src/experiments/backends/backend.js';
import { fakeSlurm } from './helpers/fakeSlurm.js';
import { testTool } from './helpers/tools.js';

const slurmTool = testTool('slurm');
const skip = slurmTool.skip;
const script = fileURLToPath(new URL('../scripts/slurm-cluster.sh', import.meta.url));
const trainer = fileURLToPath(new URL('./fixtures/fake-trainer.mjs', import.meta.url));

test(
  'arrays refused: one sbatch job per run, at most --concurrency running, every run completes',
  { skip, timeout: 120_000 },
  async (t) => {
    slurmTool.require();
    execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
    const dir = mkdtempSync(join(tmpdir(), 'scalelab-slurm-fallback-'));
    const realSbatch = execFileSync('sh', ['-c', 'command -v sbatch'], { encoding: 'utf8' }).trim();
    writeFileSync(
      join(dir, 'sbatch'),
      `#!/bin/sh\nfor a in "$@"; do case "$a" in --array=*) echo "sbatch: error: Job arrays are disabled on this cluster" >&2; exit 1 ;; esac; done\nexec '${realSbatch}' "$@"\n`,
    );
    chmodSync(join(dir, 'sbatch'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${dir}:${path}`;
    t.after(() => (process.env.PATH = path));
    // A training command slow enough (1.5 s) for overlapping jobs to show in squeue.
    writeFileSync(
      join(dir, 'slow.mjs'),
      `await new Promise((r) => setTimeout(r, 1500));\nawait import(${JSON.stringify(trainer)});\n`,
    );
    const command = `${process.execPath} ${join(dir, 'slow.mjs')} --layers {n_layer} --d-model {d_model} --tokens {tokens} --lr {lr} --out {run_dir}`;
    const warnings: string[] = [];
    process.on('warning', (w) => warnings.push(w.message));

    const store = RunStore.open(join(dir, 'runs.db'));
    const root = join(dir, 'runs');
    const study = `fallback-${Date.now()}`;
    const config = (layers: number) => ({
      n_layer: layers,
      d_model: 64,
      n_heads: 1,
      tokens: 1e6,
      batch_tokens: 4096,
      learning_rate: 1e-3,
    });
    store.plan(
      study,
      [2, 3, 4].map((l) => ({
        key: `l${l}`,
        phase: 'isoflop',
        config: config(l),
        N: 12 * l * 64 * 64,
        D: 1e6,
        C: 6e11,
        estimatedSeconds: 2,
      })),
    );
    // Each attempt's job name is the run's and a nonce of its own.
    const names = store.runs({ study }).map((r) => `${slurmJobName(root, r)}-`);
    const backend = slurmBackend({ command, root, concurrency: 1 });
    let most = 0;
    const result = await runSweep(store, study, backend, {
      pollMs: 200,
      onProgress: () => {
        const jobs = JSON.parse(execFileSync('squeue', ['--json', '-t', 'all'], { encoding: 'utf8' })).jobs as {
          name: string;
          job_state: string | string[];
        }[];
        const busy = jobs.filter(
          (j) =>
            names.some((n) => j.name.startsWith(n)) &&
            ['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING'].includes(
              String(Array.isArray(j.job_state) ? j.job_state[0] : j.job_state),
            ),
        );
        most = Math.max(most, busy.length);
      },
    });
    assert.equal(result.done, 3);
    assert.equal(most, 1, 'never more than --concurrency jobs in Slurm at once');
    assert.equal(backend.concurrency, 1);
    assert.equal(
      warnings.filter((w) => /job arrays failed.*arrays are disabled/i.test(w)).length,
      1,
      warnings.join('\n'),
    );
    for (const r of store.runs({ study })) {
      const rec = readSlurmRecord(runDirectory(root, r))!;
      assert.match(rec.name, new RegExp(`^${slurmJobName(root, r)}-[0-9a-f]{8}$`));
      assert.match(rec.jobId!, /^\d+$/, 'a job of its own');
      assert.equal(
        r.externalId,
        rec.jobId,
        'the store has the job id, not the array handle given before the array was refused',
      );
      assert.equal(readFileSync(join(runDirectory(root, r), 'slurm-job-id'), 'utf8').trim(), rec.jobId);
      assert.equal(store.checkpoints(r.id).length, 3);
    }
    store.close();
  },
);

test(
  'a sweep cancel from another process reaches runs this one still holds unsubmitted: they never go to sbatch',
  { skip, timeout: 120_000 },
  async () => {
    slurmTool.require();
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
      const config = (layers: number) => ({
        n_layer: layers,
        d_model: 64,
        n_heads: 1,
        tokens: 1e6,
        batch_tokens: 4096,
        learning_rate: 1e-3,
      });
      store.plan(
        study,
        [2, 3, 4].map((l) => ({
          key: `l${l}`,
          phase: 'isoflop',
          config: config(l),
          N: 12 * l * 64 * 64,
          D: 1e6,
          C: 6e11,
          estimatedSeconds: 1,
        })),
      );
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
      for (const r of [second, third])
        assert.ok(!calls.includes(slurmJobName(root, r)), `cancelled run ${r.id} was submitted:\n${calls}`);
      store.close();
    } finally {
      process.env.PATH = path;
    }
  },
);

test("an sbatch error that is not about arrays fails the runs with sbatch's words and keeps arrays (no cluster needed)", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-slurm-badpart-'));
  // Every Slurm command the backend may call is a stand-in; this sbatch refuses the partition.
  const restorePath = fakeSlurm(dir, { sbatch: 'echo "sbatch: error: invalid partition specified: nope" >&2\nexit 1' });
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    const store = RunStore.open(join(dir, 'runs.db'));
    const config = (layers: number) => ({
      n_layer: layers,
      d_model: 64,
      n_heads: 1,
      tokens: 1e6,
      batch_tokens: 4096,
      learning_rate: 1e-3,
    });
    store.plan(
      'p',
      [2, 3].map((l) => ({
        key: `l${l}`,
        phase: 'isoflop',
        config: config(l),
        N: 12 * l * 64 * 64,
        D: 1e6,
        C: 6e11,
        estimatedSeconds: 1,
      })),
    );
    const backend = slurmBackend({
      command: `${process.execPath} ${trainer} --out {run_dir}`,
      root: join(dir, 'runs'),
      partition: 'nope',
    });
    const p = await runSweep(store, 'p', backend, { pollMs: 20 });
    assert.equal(p.failed, 2);
    for (const r of store.runs({ study: 'p' }))
      assert.match(r.reason!, /submit failed: .*invalid partition specified: nope/);
    await new Promise((r) => setImmediate(r));
    assert.equal(warnings.filter((w) => /job arrays failed/i.test(w)).length, 0, warnings.join('\n'));
    assert.ok(backend.concurrency > 64, 'still in array mode');
    store.close();
  } finally {
    restorePath();
    process.off('warning', onWarning);
  }
});

test('MaxArraySize is read from scontrol show config', () => {
  assert.equal(
    parseMaxArraySize(
      'Configuration data as of 2026-11-29T05:00:00\nMailType                = (null)\nMaxArraySize            = 1001\nMaxDBDMsgs              = 20008\n',
    ),
    1001,
  );
  assert.equal(parseMaxArraySize('MaxArraySize = 0\n'), 0);
  assert.equal(parseMaxArraySize('MaxJobCount = 10000\n'), undefined);
});

test(
  'more runs than one array holds: several arrays share --concurrency (a later one waits for room, goes out at %1, then rises to %2)',
  { skip, timeout: 120_000 },
  async () => {
    slurmTool.require();
    execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
    const dir = mkdtempSync(join(tmpdir(), 'scalelab-slurm-arrays-'));
    // Every scontrol call is logged, then handed to the real one.
    const realScontrol = execFileSync('sh', ['-c', 'command -v scontrol'], { encoding: 'utf8' }).trim();
    const log = join(dir, 'scontrol.log');
    writeFileSync(join(dir, 'scontrol'), `#!/bin/sh\necho "$@" >> '${log}'\nexec '${realScontrol}' "$@"\n`);
    chmodSync(join(dir, 'scontrol'), 0o755);
    // Each run trains once the test releases it (a file go-D for width D), so the order is the test's.
    writeFileSync(
      join(dir, 'gated.mjs'),
      `import { existsSync } from 'node:fs';\nconst d = process.argv[process.argv.indexOf('--d-model') + 1];\nwhile (!existsSync(${JSON.stringify(dir)} + '/go-' + d)) await new Promise((r) => setTimeout(r, 50));\nawait import(${JSON.stringify(trainer)});\n`,
    );
    const command = `${process.execPath} ${join(dir, 'gated.mjs')} --layers {n_layer} --d-model {d_model} --tokens {tokens} --lr {lr} --out {run_dir}`;
    const path = process.env.PATH;
    process.env.PATH = `${dir}:${path}`;
    const widths = [64, 128, 192, 256, 320, 384];
    const release = (...ds: number[]) => ds.forEach((d) => writeFileSync(join(dir, `go-${d}`), ''));
    let watch: NodeJS.Timeout | undefined;
    try {
      const store = RunStore.open(join(dir, 'runs.db'));
      const root = join(dir, 'runs');
      const study = `arrays-${Date.now()}`;
      const config = (d: number) => ({
        n_layer: 2,
        d_model: d,
        n_heads: 1,
        tokens: 1e6,
        batch_tokens: 4096,
        learning_rate: 1e-3,
      });
      store.plan(
        study,
        widths.map((d) => ({
          key: `w${d}`,
          phase: 'isoflop',
          config: config(d),
          N: 24 * d * d,
          D: 1e6,
          C: 6e11,
          estimatedSeconds: 2,
        })),
      );
      const run = (d: number) => store.runs({ study }).find((r) => r.key === `w${d}`)!;
      const rec = (d: number) => readSlurmRecord(runDirectory(root, run(d)));
      const names = () => new Set(widths.map((d) => rec(d)?.name).filter(Boolean));
      const running = () => {
        // squeue --json (Slurm 22.05) ignores -t: the states are filtered here.
        const jobs = JSON.parse(execFileSync('squeue', ['--json'], { encoding: 'utf8' })).jobs as {
          name: string;
          job_state: string | string[];
          array_job_id: number;
        }[];
        return jobs.filter(
          (j) => names().has(j.name) && String(Array.isArray(j.job_state) ? j.job_state[0] : j.job_state) === 'RUNNING',
        );
      };
      /** Why Slurm keeps a task of array `id` pending, once its scheduler has looked at it (`None` before). */
      const pendingReason = (id: string) => {
        const jobs = JSON.parse(execFileSync('squeue', ['--json'], { encoding: 'utf8' })).jobs as {
          job_state: string | string[];
          array_job_id: number;
          state_reason: string;
        }[];
        const reason = jobs.find(
          (j) =>
            String(j.array_job_id) === id &&
            String(Array.isArray(j.job_state) ? j.job_state[0] : j.job_state) === 'PENDING',
        )?.state_reason;
        return reason && reason !== 'None' ? reason : undefined;
      };
      let most = 0;
      watch = setInterval(() => (most = Math.max(most, running().length)), 100);
      // The backend driven as the sweep runner drives it, with the hand-overs chosen here: at most 4
      // runs per array, 2 at once.
      const backend = slurmBackend({ command, root, concurrency: 2, arrayMax: 4 });
      const states = new Map<number, BackendStatus>();
      const poll = async () => {
        for (const d of widths.filter(
          (w) => rec(w) && !['completed', 'failed', 'cancelled'].includes(states.get(w)?.state ?? ''),
        ))
          states.set(d, await backend.status(run(d)));
      };
      const waitFor = async (what: string, ok: () => boolean) => {
        for (let i = 0; i < 200 && !ok(); i++) {
          await poll();
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.ok(
          ok(),
          `waited 20 s for: ${what}; runs: ${widths.map((d) => `${d} ${states.get(d)?.state} ${rec(d)?.jobId}`).join(', ')}; running: ${running()
            .map((j) => j.array_job_id)
            .join(' ')}`,
        );
      };
      const jobOf = (d: number) => rec(d)?.jobId?.split('_')[0];
      for (const d of widths.slice(0, 4)) await backend.submit(run(d));
      await waitFor('the first array in Slurm, two tasks running', () => !!jobOf(256) && running().length === 2);
      const first = jobOf(64)!;
      assert.deepEqual([128, 192, 256].map(jobOf), [first, first, first]);
      release(64, 128);
      await waitFor(
        'runs 1 and 2 ended',
        () => states.get(64)?.state === 'completed' && states.get(128)?.state === 'completed',
      );
      assert.equal(states.get(64)!.externalId, `${first}_0`, "status() gives Slurm's id for the handle submit() gave");
      // Two more handed over together: they wait unsubmitted, since the first array's other two may both run.
      for (const d of [320, 384]) await backend.submit(run(d));
      // The pass that would send them has run (and a status() pass tries again): held, not in Slurm.
      await backend.settled();
      await poll();
      assert.equal(rec(320)!.jobId, undefined, 'no room under --concurrency 2 yet');
      assert.equal(states.get(320)?.state, 'queued');
      release(192);
      await waitFor(
        'the second array in Slurm, one of its tasks running',
        () => !!jobOf(320) && running().some((j) => String(j.array_job_id) === jobOf(320)),
      );
      const second = jobOf(320)!;
      assert.notEqual(second, first);
      assert.equal(jobOf(384), second, 'the two runs handed over together are one array');
      // Slurm's scheduler has looked at the second array's other task and left it pending for the %1
      // throttle (checked before resources), rather than a guessed wait for it not to start.
      await waitFor("Slurm's reason for the second array's pending task", () => pendingReason(second) !== undefined);
      assert.equal(pendingReason(second), 'JobArrayTaskLimit');
      await poll();
      assert.equal(running().length, 2, "the first array's last run and one of the second's: %1");
      assert.ok(!existsSync(log) || !/ArrayTaskThrottle/.test(readFileSync(log, 'utf8')));
      release(256);
      await waitFor(
        'the second array raised to %2 once the first drained',
        () =>
          existsSync(log) &&
          new RegExp(`^update JobId=${second} ArrayTaskThrottle=2$`, 'm').test(readFileSync(log, 'utf8')),
      );
      await waitFor(
        "both of the second array's runs running",
        () => running().filter((j) => String(j.array_job_id) === second).length === 2,
      );
      release(...widths);
      await waitFor('every run completed', () => widths.every((d) => states.get(d)?.state === 'completed'));
      assert.equal(most, 2, 'never more than --concurrency tasks running across the arrays');
      store.close();
    } finally {
      clearInterval(watch);
      release(...widths);
      process.env.PATH = path;
    }
  },
);

test('sweep/study flags: --no-array gives one job per run (the runner then keeps --concurrency in flight), --array-max is checked (no cluster needed)', async () => {
  const { makeBackend } = await import('../src/cli/backendFlags.js');
  const { scalelab } = await import('./helpers/cli.js');
  const flags = {
    backend: 'slurm',
    command: 'train {run_dir}',
    concurrency: '3',
    runsDir: '/tmp/x',
    gpu: 'b200',
    mfu: '0.4',
    overhead: '0',
    widthMultiple: '64',
    minLayers: '2',
    vocab: '32000',
    seqLen: '512',
    poll: '2',
    budgetCount: '5',
    ratio: '3',
    sizes: '7',
    span: '32',
  };
  assert.equal(makeBackend({ ...flags, array: false }).backend.concurrency, 3, 'one job per run: 3 in flight');
  assert.equal(
    makeBackend({ ...flags, array: true, arrayMax: '50' }).backend.concurrency,
    50,
    "arrays: the runner hands over up to an array's worth",
  );
  assert.throws(() => makeBackend({ ...flags, arrayMax: '0' }), /--array-max: expected at least 1, got 0/);
  // The Slurm backend is out of reach with its controller: a failover longer than 2 minutes is waited out when asked.
  assert.equal(makeBackend({ ...flags, unreachableTimeout: '900' }).unreachableTimeoutMs, 900_000);
  assert.throws(
    () => makeBackend({ ...flags, backend: 'local', unreachableTimeout: '900' }),
    /--unreachable-timeout applies to --backend api and slurm \(/,
  );
  const help = scalelab(['sweep', 'run', '--help']);
  assert.match(help.stdout, /--no-array/);
  assert.match(help.stdout, /--array-max <n>/);
});

test(
  'runs cancelled by another process stop counting against --concurrency: an array waiting for room goes out',
  { skip, timeout: 120_000 },
  async () => {
    slurmTool.require();
    execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
    const dir = mkdtempSync(join(tmpdir(), 'scalelab-slurm-leak-'));
    const gate = join(dir, 'go');
    writeFileSync(
      join(dir, 'gated.mjs'),
      `import { existsSync } from 'node:fs';\nwhile (!existsSync(${JSON.stringify(gate)})) await new Promise((r) => setTimeout(r, 50));\nawait import(${JSON.stringify(trainer)});\n`,
    );
    const command = `${process.execPath} ${join(dir, 'gated.mjs')} --layers {n_layer} --d-model {d_model} --tokens {tokens} --lr {lr} --out {run_dir}`;
    const store = RunStore.open(join(dir, 'runs.db'));
    const root = join(dir, 'runs');
    const config = (d: number) => ({
      n_layer: 2,
      d_model: d,
      n_heads: 1,
      tokens: 1e6,
      batch_tokens: 4096,
      learning_rate: 1e-3,
    });
    store.plan(
      'leak',
      [64, 128, 192].map((d) => ({
        key: `w${d}`,
        phase: 'isoflop',
        config: config(d),
        N: 24 * d * d,
        D: 1e6,
        C: 6e11,
        estimatedSeconds: 1,
      })),
    );
    const [a, b, c] = store.runs({ study: 'leak' });
    try {
      const sweeping = slurmBackend({ command, root, concurrency: 1, arrayMax: 2 });
      await sweeping.submit(a);
      await sweeping.submit(b);
      await sweeping.status(a); // the first array goes out at %1
      await sweeping.submit(c); // a second array: no room while a and b are unfinished
      for (let i = 0; i < 5; i++) await sweeping.status(c);
      assert.ok(readSlurmRecord(runDirectory(root, a))?.jobId);
      assert.equal(readSlurmRecord(runDirectory(root, c))?.jobId, undefined, 'the second array waits');
      // `sweep cancel` in another process stops a and b; this sweep never polls them again.
      const cancelling = slurmBackend({ command, root });
      for (const r of [a, b]) await cancelling.cancel!(r);
      let s = await sweeping.status(c);
      for (let i = 0; i < 100 && !readSlurmRecord(runDirectory(root, c))?.jobId; i++) {
        await new Promise((r) => setTimeout(r, 100));
        s = await sweeping.status(c);
      }
      assert.match(readSlurmRecord(runDirectory(root, c))?.jobId ?? '', /^\d+_0$/, 'the waiting array went out');
      writeFileSync(gate, '');
      for (let i = 0; i < 200 && s.state !== 'completed'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        s = await sweeping.status(c);
      }
      assert.equal(s.state, 'completed');
    } finally {
      writeFileSync(gate, '');
      store.close();
    }
  },
);
