// Fault injection, ninth pass: the Slurm backend under a flaky scheduler. Every Slurm command is a
// stand-in on PATH (test/helpers/fakeSlurm.ts: no cluster needed) that fails, hangs, prints garbage or
// lags as a real one can; the test plays the job's part by writing what the run wrapper writes. A run
// is never failed for the scheduler's trouble, never submitted twice, and every end reaches the user
// in words: what happened and what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plannedRuns, waitFor } from './common.js';
import { fakeSlurm } from '../helpers/fakeSlurm.js';
import { runDirectory } from '../../src/experiments/backends/process.js';
import { readSlurmRecord, slurmBackend, type SlurmOptions } from '../../src/experiments/backends/slurm/index.js';
import { turnedAwayExitCode } from '../../src/experiments/backends/slurm/parse.js';
import { jobScript } from '../../src/experiments/backends/slurm/records.js';
import { runSweep } from '../../src/experiments/runner.js';
import { RunStore, type StoredRun } from '../../src/store/store.js';
import { interruptedSweepNote } from '../../src/cli/backendFlags.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `scalelab-faults-${name}-`));
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** What a finished job leaves: the tiny trainer's three evaluations and the wrapper's exit record. */
function finishJob(runDir: string, code = 0): void {
  writeFileSync(
    join(runDir, 'metrics.jsonl'),
    [1e6, 2e6, 3e6].map((t) => JSON.stringify({ tokens: t, step: t / 1e6, val_loss: 3.5 - t / 1e7 }) + '\n').join(''),
  );
  writeFileSync(join(runDir, 'exit.json'), JSON.stringify({ code, signal: null, seconds: 9 }));
}

/** A store with `n` planned runs of study `s` and a Slurm backend on the stand-ins. */
function setup(name: string, n: number, bodies: Parameters<typeof fakeSlurm>[1], o: Partial<SlurmOptions> = {}) {
  const dir = tmp(name);
  const runsRoot = join(dir, 'runs');
  const store = RunStore.open(join(dir, 'runs.db'));
  const runs = store.plan('s', plannedRuns(Array.from({ length: n }, (_, i) => i)));
  const restorePath = fakeSlurm(dir, typeof bodies === 'function' ? bodies : bodies);
  const backend = () => slurmBackend({ command: 'false', root: runsRoot, cwd: dir, ...o });
  const folder = (r: StoredRun) => runDirectory(runsRoot, r);
  return {
    dir,
    store,
    runs,
    backend,
    folder,
    close: () => {
      restorePath();
      store.close();
    },
  };
}

/** Runs recorded as tasks of array 101 (raw ids 200, 201, …), as a sweep that submitted them leaves them. */
function submitted(s: ReturnType<typeof setup>, runs = s.runs): void {
  for (const [i, r] of runs.entries()) {
    s.store.setStatus(r.id, 'running', { backend: 'slurm', externalId: `101_${i}` });
    const d = s.folder(r);
    writeFileSync(join(d, 'job.json'), JSON.stringify({ argv: ['train'], cwd: s.dir }));
    writeFileSync(join(d, 'slurm.json'), JSON.stringify({ name: 'scalelab-array-t', index: i, jobId: `101_${i}` }));
    writeFileSync(join(d, 'slurm-job-id'), `${200 + i}\n`);
  }
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

test('Slurm: an sbatch that cannot reach the controller (twice) fails no run: the array waits, goes out once, both complete', async () => {
  const dir = tmp('sbatch-once');
  const log = join(dir, 'sbatch.log');
  const refusals = join(dir, 'refusals');
  // Twice: the first refusal can come in the pass that gathers the array, which a later poll retries
  // before the sweep hears of it; the second comes in a poll, so the sweep says it waits.
  const s = setup('sbatch-once-store', 2, {
    sbatch: `if [ "$(wc -l < ${q(refusals)} 2>/dev/null || echo 0)" -lt 2 ]; then echo x >> ${q(refusals)}
echo "sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)" >&2; exit 1; fi
echo "$@" >> ${q(log)}; echo 500`,
    sacct: 'printf "600|500_0|COMPLETED|0:0\\n601|500_1|COMPLETED|0:0\\n"',
  });
  const notices: string[] = [];
  try {
    const sweep = runSweep(s.store, 's', s.backend(), {
      pollMs: 10,
      onUnreachable: ({ message }) => notices.push(message),
    });
    // The job's part: once the array is in Slurm, its tasks finish.
    await waitFor('the array submitted', () => lines(log).length > 0);
    for (const r of s.runs) finishJob(s.folder(r));
    const p = await sweep;
    assert.deepEqual(
      [p.done, p.failed],
      [2, 0],
      s.store
        .runs({ study: 's' })
        .map((r) => r.reason)
        .join('\n'),
    );
    assert.equal(lines(refusals).length, 2);
    assert.equal(lines(log).length, 1, 'one sbatch that went through: no run submitted twice');
    assert.ok(
      notices.some((m) =>
        /sbatch .* cannot reach the Slurm controller: sbatch: error: .*Unable to contact slurm controller/.test(m),
      ),
      notices.join('\n'),
    );
    assert.deepEqual(
      s.store.runs({ study: 's' }).map((r) => r.externalId),
      ['500_0', '500_1'],
    );
  } finally {
    s.close();
  }
});

test('Slurm: a Ctrl-C that ends sbatch is not a refusal of arrays; the runs never submitted stay queued, are said so, and the same sweep again submits them', async () => {
  const dir = tmp('sbatch-interrupted');
  const log = join(dir, 'sbatch.log');
  // The terminal's Ctrl-C reaches the sbatch in flight (here it sends itself the SIGINT) before it answers.
  const s = setup('sbatch-interrupted-store', 3, { sbatch: `echo "$@" >> ${q(log)}; kill -INT $$; sleep 5` });
  const warnings: string[] = [];
  const notices: string[] = [];
  try {
    const backend = slurmBackend({
      command: 'false',
      root: join(s.dir, 'runs'),
      cwd: s.dir,
      onWarning: (m) => warnings.push(m),
    });
    await assert.rejects(
      runSweep(s.store, 's', backend, {
        pollMs: 10,
        unreachableTimeoutMs: 300,
        onUnreachable: ({ message }) => notices.push(message),
      }),
      /3 that had not reached it kept as queued \(no job runs them; the next sweep submits them\)/,
    );
    assert.ok(lines(log).length > 0 && lines(log).every((l) => l.includes('--array=')), lines(log).join('\n'));
    assert.ok(
      notices.some((m) => /sbatch .* was ended by SIGINT before it answered/.test(m)),
      notices.join('\n'),
    );
    assert.deepEqual(warnings, [], 'arrays are not turned off by an interrupted sbatch');
    assert.deepEqual(
      s.store.runs({ study: 's' }).map((r) => r.status),
      ['queued', 'queued', 'queued'],
    );
    assert.equal(backend.notSubmitted?.(), 3);
    assert.match(
      interruptedSweepNote(3, 's', 'slurm', 0, backend.notSubmitted!()),
      /^3 runs in flight had not reached Slurm/,
    );
    // The same sweep again, the controller answering: the runs go out (as an array) and complete.
    rmSync(log);
    fakeSlurm(s.dir, {
      sbatch: `echo "$@" >> ${q(log)}; echo 500`,
      sacct: 'printf "600|500_0|COMPLETED|0:0\\n601|500_1|COMPLETED|0:0\\n602|500_2|COMPLETED|0:0\\n"',
    });
    const again = runSweep(s.store, 's', s.backend(), { pollMs: 10 });
    await waitFor('the array submitted', () => lines(log).length > 0);
    for (const r of s.runs) finishJob(s.folder(r));
    const p = await again;
    assert.deepEqual([p.done, p.failed], [3, 0]);
    assert.equal(lines(log).length, 1);
    assert.match(lines(log)[0], /--array=0-2/);
  } finally {
    s.close();
  }
});

test(
  'Slurm: an sbatch that hangs after the controller took the array is ended, and the array is found by its name, not sent again',
  { timeout: 120_000 },
  async () => {
    const dir = tmp('sbatch-hang');
    const log = join(dir, 'sbatch.log');
    const queue = join(dir, 'squeue.json');
    const s = setup(
      'sbatch-hang-store',
      2,
      {
        // The first call: the controller records the array (squeue shows it under its name), the answer never comes.
        sbatch: `for a; do case "$a" in --job-name=*) name="\${a#--job-name=}" ;; esac; done
echo "$@" >> ${q(log)}
if [ ! -e ${q(queue)} ]; then
  printf '{"jobs": [{"job_id": 600, "array_job_id": 600, "array_task_string": "0-1", "name": "%s", "job_state": "PENDING"}]}' "$name" > ${q(queue)}
  exec sleep 30
fi
echo 601`,
        squeue: `cat ${q(queue)} 2>/dev/null || echo '{"jobs": []}'`,
        sacct: 'printf "700|600_0|COMPLETED|0:0\\n701|600_1|COMPLETED|0:0\\n"',
      },
      { commandTimeoutSeconds: 1 },
    );
    const notices: string[] = [];
    try {
      const sweep = runSweep(s.store, 's', s.backend(), {
        pollMs: 10,
        onUnreachable: ({ message }) => notices.push(message),
      });
      await waitFor('the array found in squeue', () =>
        s.runs.every((r) => readSlurmRecord(s.folder(r))?.jobId?.startsWith('600_')),
      );
      for (const r of s.runs) finishJob(s.folder(r));
      writeFileSync(queue, '{"jobs": []}');
      const p = await sweep;
      assert.deepEqual([p.done, p.failed], [2, 0]);
      assert.equal(lines(log).length, 1, 'sbatch called once: the array it sent is not sent again');
      assert.ok(
        notices.some((m) => /sbatch .* did not answer within 1 s, so it was ended/.test(m)),
        notices.join('\n'),
      );
      assert.deepEqual(
        s.store.runs({ study: 's' }).map((r) => r.externalId),
        ['600_0', '600_1'],
      );
    } finally {
      s.close();
    }
  },
);

test(
  'Slurm: squeue that hangs, or prints what is not its JSON, leaves the runs as they are and says so; the next sweep collects them',
  { timeout: 120_000 },
  async (t) => {
    for (const [what, squeue, said] of [
      [
        'hangs',
        'exec sleep 30',
        /squeue --json -t all did not answer within 1 s, so it was ended: is the Slurm controller down/,
      ],
      [
        'garbage',
        'echo "Welcome to the cluster! Maintenance on Friday."',
        /squeue printed what is not the JSON it was asked for \("Welcome to the cluster! Maintenance on Friday\."\): Slurm 21\.08 or later/,
      ],
      [
        'controller down',
        'echo "slurm_load_jobs error: Unable to contact slurm controller (connect failure)" >&2; exit 1',
        /squeue --json -t all cannot reach the Slurm controller: slurm_load_jobs error/,
      ],
    ] as const) {
      await t.test(what, async () => {
        const s = setup(`squeue-${what.replace(' ', '-')}`, 2, { squeue }, { commandTimeoutSeconds: 1 });
        try {
          submitted(s);
          await assert.rejects(
            runSweep(s.store, 's', s.backend(), { pollMs: 10, unreachableTimeoutMs: 1500 }),
            (e: Error) => {
              assert.match(e.message, /^cannot learn from Slurm where the runs stand: /);
              assert.match(e.message, said);
              assert.match(
                e.message,
                /no run marked failed \(2 submitted runs kept as in flight\)\. Run the same sweep again/,
              );
              return true;
            },
          );
          assert.deepEqual(
            s.store.runs({ study: 's' }).map((r) => r.status),
            ['running', 'running'],
          );
          // Slurm answers again: the jobs have ended, their results are in their folders.
          fakeSlurm(s.dir, { sacct: 'printf "200|101_0|COMPLETED|0:0\\n201|101_1|COMPLETED|0:0\\n"' })();
          for (const r of s.runs) finishJob(s.folder(r));
          const p = await runSweep(s.store, 's', s.backend(), { pollMs: 10 });
          assert.deepEqual([p.done, p.failed], [2, 0]);
        } finally {
          s.close();
        }
      });
    }
  },
);

test('Slurm: a job gone from squeue and not yet in sacct, its exit.json late (a shared file system), is collected, not failed', async () => {
  const dir = tmp('sacct-lag');
  const calls = join(dir, 'sacct.calls');
  // squeue no longer lists the job; sacct has not heard of it yet; scontrol neither.
  const s = setup('sacct-lag-store', 1, { sacct: `echo x >> ${q(calls)}` });
  try {
    submitted(s);
    const sweep = runSweep(s.store, 's', s.backend(), { pollMs: 10 });
    await waitFor('three polls finding the job nowhere', () => lines(calls).length >= 3);
    assert.equal(s.store.runs({ study: 's' })[0].status, 'running', 'not failed at first sight');
    finishJob(s.folder(s.runs[0]));
    const p = await sweep;
    assert.deepEqual([p.done, p.failed], [1, 0]);
    assert.equal(s.store.runs({ study: 's' })[0].loss, 3.2);
  } finally {
    s.close();
  }
});

test('Slurm: a job that ends with no result, by every end state, fails after the grace saying what Slurm said and what to do', async () => {
  const states = ['NODE_FAIL', 'PREEMPTED', 'TIMEOUT', 'OUT_OF_MEMORY', 'BOOT_FAIL'];
  const rows = states.map((st, i) => `${200 + i}|101_${i}|${st}|0:${i === 2 ? 15 : 9}`).join('\\n');
  const s = setup('end-states', states.length + 1, { sacct: `printf "${rows}\\n"` }, { resultGraceSeconds: 1 });
  try {
    submitted(s);
    const p = await runSweep(s.store, 's', s.backend(), { pollMs: 10 });
    assert.equal(p.failed, states.length + 1);
    const reasons = s.store.runs({ study: 's' }).map((r) => r.reason!);
    const tail = (d: string) =>
      `; no result: no exit\\.json in ${d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} after waiting 1 s for one, so the run's command did not finish there(; "sweep retry" runs it again)?$`;
    const meaning: Record<string, RegExp> = {
      NODE_FAIL: /^Slurm job 101_0: NODE_FAIL, exit 0:9, from sacct: its node failed \(not the run's fault\)/,
      PREEMPTED: /^Slurm job 101_1: PREEMPTED, exit 0:9, from sacct: it was preempted by a job of higher priority/,
      TIMEOUT:
        /^Slurm job 101_2: TIMEOUT, exit 0:15, from sacct: it hit its time limit \(raise --time with option "sbatchArgs"\)/,
      OUT_OF_MEMORY:
        /^Slurm job 101_3: OUT_OF_MEMORY, exit 0:9, from sacct: it ran out of memory \(raise --mem with option "sbatchArgs"\)/,
      BOOT_FAIL: /^Slurm job 101_4: BOOT_FAIL, exit 0:9, from sacct: its node failed to boot \(not the run's fault\)/,
    };
    for (const [i, st] of states.entries()) {
      assert.match(reasons[i], meaning[st]);
      assert.match(reasons[i], new RegExp(tail(s.folder(s.runs[i]))));
      assert.equal(reasons[i].split('"sweep retry" runs it again').length, 2, `said once: ${reasons[i]}`);
    }
    // Known to no command at all (cancelled while pending, or lost): said so.
    assert.match(reasons[states.length], /^Slurm job 101_5 is no longer known to squeue, sacct or scontrol/);
  } finally {
    s.close();
  }
});

test('Slurm: a requeued job waits as queued; with accounting off, scontrol says how it ended; a truncated or missing metrics file fails its run', async () => {
  const queue = JSON.stringify({
    jobs: [{ job_id: 200, array_job_id: 101, array_task_id: 0, name: 'scalelab-array-t', job_state: 'REQUEUED' }],
  });
  const s = setup(
    'requeued',
    3,
    {
      squeue: `echo ${q(queue)}`,
      // Accounting off, and no job completion log either.
      sacct:
        'case "$1" in -c) echo "sacct: error: no job completion log here" >&2 ;; *) echo "sacct: error: Slurm accounting storage is disabled" >&2 ;; esac; exit 1',
      scontrol:
        'case "$1 $2" in "show job") echo "JobId=$3 JobName=x JobState=COMPLETED Reason=None ExitCode=0:0" ;; *) exit 1 ;; esac',
    },
    { resultGraceSeconds: 0 },
  );
  try {
    submitted(s);
    // Task 1 finished but its metrics line was cut short (a node that died while writing); task 2 wrote none.
    const cut = s.folder(s.runs[1]);
    finishJob(cut);
    writeFileSync(join(cut, 'metrics.jsonl'), readFileSync(join(cut, 'metrics.jsonl'), 'utf8').slice(0, -20));
    const none = s.folder(s.runs[2]);
    finishJob(none);
    rmSync(join(none, 'metrics.jsonl'));
    const backend = s.backend();
    const [requeued, truncated, missing] = s.store.runs({ study: 's' });
    assert.equal((await backend.status(requeued)).state, 'queued');
    const t = await backend.status(truncated);
    assert.equal(t.state, 'failed');
    assert.match(t.reason!, /metrics\.jsonl/);
    assert.match(t.reason!, /line 3/);
    const m = await backend.status(missing);
    assert.equal(m.state, 'failed');
    assert.match(m.reason!, /exited 0 but wrote no validation loss/);
    assert.match(m.reason!, /\[Slurm job 101_2: COMPLETED, exit 0:0, from scontrol\]/);
  } finally {
    s.close();
  }
});

test("Slurm: a requeued job's new attempt runs without the earlier attempt's exit record, metrics and logs, so a poll meanwhile does not end the run with the old failure, and its own evaluations complete it", async (t) => {
  // Squeue and sacct have lost the job for now (a controller restart, accounting behind).
  const s = setup('requeue-attempt', 1, {}, { resultGraceSeconds: 60 });
  const [run] = s.runs;
  const d = s.folder(run);
  const job = spawnJob(d);
  t.after(() => {
    writeFileSync(join(d, 'go'), '');
    job.kill('SIGKILL');
    s.close();
  });
  await waitFor('the second attempt to start its trainer', () => existsSync(join(d, 'trainer-started')));
  assert.ok(!existsSync(join(d, 'exit.json')), "the first attempt's exit record is gone");
  assert.doesNotMatch(readFileSync(join(d, 'stdout.log'), 'utf8'), /first attempt/, "the first attempt's log is gone");
  const during = await s.backend().status({ ...s.store.runs({ study: 's' })[0] });
  assert.equal(during.state, 'running', during.reason);
  writeFileSync(join(d, 'go'), '');
  await waitFor('the second attempt to end', () => existsSync(join(d, 'exit.json')));
  const after = await s.backend().status({ ...s.store.runs({ study: 's' })[0] });
  assert.deepEqual([after.state, after.loss], ['completed', 3.2], after.reason);
  assert.equal(lines(join(d, 'metrics.jsonl')).length, 3, "only the new attempt's evaluations");

  /** The run's folder as its first attempt left it (killed by the preemption), and its job script run again. */
  function spawnJob(dir: string) {
    submitted(s);
    writeFileSync(join(dir, 'exit.json'), JSON.stringify({ code: null, signal: 'SIGTERM', seconds: 5 }));
    // It had evaluated twice, and the wrapper had logged what it printed.
    writeFileSync(
      join(dir, 'metrics.jsonl'),
      [1e6, 2e6].map((t) => JSON.stringify({ tokens: t, val_loss: 3.4 }) + '\n').join(''),
    );
    writeFileSync(join(dir, 'stdout.log'), 'first attempt: step 2\n');
    // The trainer: says it started, waits for "go", appends its three evaluations (as trainers do).
    const trainer = join(dir, 'trainer.mjs');
    writeFileSync(
      trainer,
      `import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
writeFileSync('trainer-started', '');
while (!existsSync('go')) await new Promise((r) => setTimeout(r, 20));
for (const t of [1e6, 2e6, 3e6]) appendFileSync('metrics.jsonl', JSON.stringify({ tokens: t, val_loss: 3.5 - t / 1e7 }) + '\\n');
`,
    );
    writeFileSync(join(dir, 'job.json'), JSON.stringify({ argv: [process.execPath, trainer], cwd: dir }));
    writeFileSync(join(dir, 'job.sh'), jobScript('scalelab-array-t', [{ index: 0, dir }]));
    // Task 0 of array 101, as slurm.json records it.
    const env = { ...process.env, SLURM_JOB_ID: '300', SLURM_ARRAY_JOB_ID: '101', SLURM_ARRAY_TASK_ID: '0' };
    return spawn('sh', [join(dir, 'job.sh')], { env, stdio: 'ignore' });
  }
});

test('Slurm: a job that ended with no result and was requeued gets the whole result grace again at its next end', async () => {
  const dir = tmp('grace-again');
  const state = join(dir, 'state');
  const calls = join(dir, 'squeue.calls');
  // squeue shows the job in the state the test writes (it keeps ended jobs for MinJobAge); sacct knows nothing yet.
  const s = setup(
    'grace-again-store',
    1,
    {
      squeue: `st=$(cat ${q(state)}); echo x >> ${q(calls)}
printf '{"jobs": [{"job_id": 200, "array_job_id": 101, "array_task_id": 0, "name": "scalelab-array-t", "job_state": "%s"}]}' "$st"`,
    },
    { resultGraceSeconds: 1 },
  );
  try {
    submitted(s);
    const backend = s.backend();
    /** The run's status once squeue has been asked again (one answer serves the polls of a pass). */
    const poll = async (st: string) => {
      writeFileSync(state, st);
      const asked = lines(calls).length;
      for (;;) {
        const answer = await backend.status(s.store.runs({ study: 's' })[0]);
        if (lines(calls).length > asked) return answer;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    // Its node failed before the run wrote a result: the grace for a late exit.json begins.
    const failedAt = Date.now();
    assert.equal((await poll('NODE_FAIL')).state, 'running');
    // Slurm requeued it; the new attempt runs past the first end's grace…
    assert.equal((await poll('RUNNING')).state, 'running');
    await waitFor('the first end’s grace to be over', () => Date.now() - failedAt > 1200);
    // …and ends: its exit.json, not visible yet, is waited for, not failed at first sight.
    const late = await poll('COMPLETED');
    assert.equal(late.state, 'running', late.reason);
    finishJob(s.folder(s.runs[0]));
    const done = await backend.status(s.store.runs({ study: 's' })[0]);
    assert.deepEqual([done.state, done.loss], ['completed', 3.2], done.reason);
  } finally {
    s.close();
  }
});

test(
  "Slurm: a retried run whose sbatch got no answer never takes its earlier attempt's ended job (still in squeue) for its own",
  { timeout: 60_000 },
  async () => {
    const dir = tmp('retry-own');
    const calls = join(dir, 'sbatch.calls');
    const queue = join(dir, 'squeue.json');
    // One job per run. The first sbatch answers; the retry's first hangs (its answer lost); the next answers.
    const s = setup(
      'retry-own-store',
      1,
      {
        sbatch: `echo "$@" >> ${q(calls)}
case $(($(wc -l < ${q(calls)}))) in 1) echo 700 ;; 2) exec sleep 30 ;; *) echo 701 ;; esac`,
        squeue: `cat ${q(queue)} 2>/dev/null || echo '{"jobs": []}'`,
      },
      { array: false, commandTimeoutSeconds: 1 },
    );
    try {
      const [run] = s.runs;
      const d = s.folder(run);
      assert.equal(await s.backend().submit(run), '700');
      // The first attempt failed; squeue lists its job for a while yet (MinJobAge).
      const first = readSlurmRecord(d)!.name;
      writeFileSync(queue, JSON.stringify({ jobs: [{ job_id: 700, name: first, job_state: 'FAILED' }] }));
      finishJob(d, 1);
      // `sweep retry`: a new sweep submits the run again into the same folder.
      const retry = s.backend();
      await assert.rejects(retry.submit(run), /sbatch .* did not answer within 1 s/);
      assert.equal(await retry.find!(run), undefined, "the earlier attempt's job is not this one's");
      assert.notEqual(readSlurmRecord(d)?.name, first, 'the new attempt has a job name of its own');
      assert.equal(await retry.submit(run), '701');
      assert.equal(readSlurmRecord(d)?.jobId, '701');
      assert.equal(lines(calls).length, 3);
    } finally {
      s.close();
    }
  },
);

test('Slurm: a job that is not the one recorded for its run (an unanswered sbatch that reached the controller late) leaves the run folder untouched', async (t) => {
  const s = setup('stray-job', 1, {});
  t.after(() => s.close());
  const d = s.folder(s.runs[0]);
  // The trainer says so if a job runs it.
  writeFileSync(
    join(d, 'trainer.mjs'),
    "import { writeFileSync } from 'node:fs';\nwriteFileSync('trainer-started', '');\n",
  );
  writeFileSync(join(d, 'job.json'), JSON.stringify({ argv: [process.execPath, join(d, 'trainer.mjs')], cwd: d }));
  /** The job script of the job named `name`, run as Slurm's job `jobId` (with more of Slurm's variables). */
  const job = (name: string, jobId: string, env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stderr: string }>((res) => {
      writeFileSync(join(d, 'job.sh'), jobScript(name, d));
      const p = spawn('sh', [join(d, 'job.sh')], { env: { ...process.env, ...env, SLURM_JOB_ID: jobId } });
      let stderr = '';
      p.stderr.on('data', (b: Buffer) => (stderr += b));
      p.on('close', (code) => res({ code, stderr }));
    });
  for (const [when, record, said] of [
    // The run was sent again under a new name; that sbatch has not answered yet.
    ['a later sbatch of the run recorded', { name: 'scalelab-1-h-b', at: '' }, /\(scalelab-1-h-b\)/],
    // Sent again under the same name (an array's), that job recorded and finished.
    [
      'another job of the same name recorded',
      { name: 'scalelab-1-h-a', jobId: '701', at: '' },
      /\(scalelab-1-h-a 701\)/,
    ],
  ] as const) {
    writeFileSync(join(d, 'slurm.json'), JSON.stringify(record));
    finishJob(d);
    const { code, stderr } = await job('scalelab-1-h-a', '700');
    assert.equal(code, turnedAwayExitCode, when);
    assert.match(stderr, /scalelab: job 700 \(scalelab-1-h-a\) is not the one .*slurm\.json records/, when);
    assert.match(stderr, said, when);
    assert.ok(
      existsSync(join(d, 'exit.json')) && lines(join(d, 'metrics.jsonl')).length === 3,
      `${when}: results kept`,
    );
    assert.ok(!existsSync(join(d, 'trainer-started')), `${when}: the run not started again`);
    assert.ok(!existsSync(join(d, 'slurm-job-id')), when);
  }
  // The recorded job runs, also when it starts before sbatch's answer (its id) is recorded.
  writeFileSync(join(d, 'slurm.json'), JSON.stringify({ name: 'scalelab-1-h-b', at: '' }));
  const own = await job('scalelab-1-h-b', '702');
  assert.equal(own.code, 0, own.stderr);
  assert.ok(existsSync(join(d, 'trainer-started')));
  assert.deepEqual(lines(join(d, 'slurm-job-id')), ['702']);
  // A sweep started inside a task of an array: sbatch passed that task's variables on to the run's
  // own job, which is still the one recorded (not the outer array's task) and trains.
  rmSync(join(d, 'trainer-started'));
  rmSync(join(d, 'slurm-job-id'));
  writeFileSync(join(d, 'slurm.json'), JSON.stringify({ name: 'scalelab-1-h-c', jobId: '703', at: '' }));
  const inArray = await job('scalelab-1-h-c', '703', { SLURM_ARRAY_JOB_ID: '90', SLURM_ARRAY_TASK_ID: '4' });
  assert.equal(inArray.code, 0, inArray.stderr);
  assert.ok(existsSync(join(d, 'trainer-started')), 'the recorded job trains');
  assert.deepEqual(lines(join(d, 'slurm-job-id')), ['703']);
});

test(
  'Slurm: one job per run, an sbatch that hangs after the controller took the job: the job is found by the name recorded for it, not sent again',
  { timeout: 60_000 },
  async () => {
    const dir = tmp('one-hang');
    const log = join(dir, 'sbatch.log');
    const queue = join(dir, 'squeue.json');
    const s = setup(
      'one-hang-store',
      1,
      {
        // Arrays refused; the first job's sbatch: the controller records the job, the answer never comes.
        sbatch: `for a; do case "$a" in --array=*) echo "sbatch: error: Job arrays are disabled" >&2; exit 1 ;; --job-name=*) name="\${a#--job-name=}" ;; esac; done
echo "$name" >> ${q(log)}
if [ ! -e ${q(queue)} ]; then
  printf '{"jobs": [{"job_id": 800, "name": "%s", "job_state": "PENDING"}]}' "$name" > ${q(queue)}
  exec sleep 30
fi
echo 801`,
        squeue: `cat ${q(queue)} 2>/dev/null || echo '{"jobs": []}'`,
      },
      { commandTimeoutSeconds: 1 },
    );
    try {
      const [run] = s.runs;
      const backend = s.backend();
      await backend.submit(run);
      await backend.settled(); // the array refused: the run waits to go as a job of its own
      await assert.rejects(backend.status(run), /sbatch .* did not answer within 1 s/);
      assert.equal((await backend.status(run)).state, 'queued');
      assert.equal(readSlurmRecord(s.folder(run))?.jobId, '800');
      assert.equal(lines(log).length, 1, 'the job that reached the controller is not sent again');
    } finally {
      s.close();
    }
  },
);
