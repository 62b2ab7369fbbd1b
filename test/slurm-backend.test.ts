// The Slurm backend against a real one-node Slurm cluster on localhost, which this test starts
// (scripts/slurm-cluster.sh; needs root, as in CI). Without Slurm (or without root to start it) the
// cluster tests are skipped with the command that installs it (test/helpers/tools.ts), never
// silently; SCALELAB_SKIP_SLURM=1 skips them on purpose, SCALELAB_REQUIRE_ALL=1 (CI) fails them instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RunStore, type StoredRun } from '../src/store/store.js';
import { runSweep } from '../src/experiments/runner.js';
import {
  arrayTasks,
  describeSlurmEnd,
  parseSqueue,
  readSlurmRecord,
  slurmBackend,
} from '../src/experiments/backends/slurm/index.js';
import { runDirectory } from '../src/experiments/backends/process.js';
import { testTool } from './helpers/tools.js';

const slurmTool = testTool('slurm');
const skip = slurmTool.skip;
const script = fileURLToPath(new URL('../scripts/slurm-cluster.sh', import.meta.url));
const trainer = fileURLToPath(new URL('./fixtures/fake-trainer.mjs', import.meta.url));
const child = fileURLToPath(new URL('./fixtures/sweep-child.ts', import.meta.url));
const src = (p: string) => pathToFileURL(fileURLToPath(new URL(`../src/${p}`, import.meta.url))).href;

const command = `${process.execPath} ${trainer} --layers {n_layer} --d-model {d_model} --tokens {tokens} --lr {lr} --out {run_dir}`;
const config = (lr: number, layers: number) => ({
  n_layer: layers,
  d_model: 64,
  n_heads: 1,
  tokens: 1e6,
  batch_tokens: 4096,
  learning_rate: lr,
});
const threeRuns = [
  { key: 'a', phase: 'isoflop', config: config(1e-3, 2), N: 98304, D: 1e6, C: 6e11, estimatedSeconds: 1 },
  { key: 'b', phase: 'isoflop', config: config(1e-3, 4), N: 196608, D: 1e6, C: 6e11, estimatedSeconds: 1 },
  { key: 'fails', phase: 'isoflop', config: config(0.1, 2), N: 98304, D: 1e6, C: 6e11, estimatedSeconds: 1 },
];

interface SqueueJob {
  job_id: number;
  name: string;
  job_state: string | string[];
  array_task_id?: unknown;
  array_task_string?: string;
  state_reason?: string;
  array_max_tasks?: unknown;
}
const squeueJobs = () =>
  (JSON.parse(execFileSync('squeue', ['--json', '-t', 'all'], { encoding: 'utf8' })).jobs ?? []) as SqueueJob[];
const stateOf = (j: SqueueJob) => (Array.isArray(j.job_state) ? j.job_state[0] : j.job_state);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Array tasks Slurm holds under this job name (running or ended ones, plus pending ones). */
const tasksNamed = (name: string) =>
  squeueJobs()
    .filter((j) => j.name === name)
    .flatMap((j) => (j.array_task_string ? arrayTasks(j.array_task_string) : [j.array_task_id]));

function setup(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `scalelab-${prefix}-`));
  return { dir, db: join(dir, 'runs.db'), root: join(dir, 'runs'), study: `${prefix}-${Date.now()}` };
}

/** After a sweep: every run went through Slurm exactly once, as a task of one array. */
function assertOneArrayTaskEach(root: string, runs: StoredRun[]) {
  const recs = runs.map((r) => ({ r, rec: readSlurmRecord(runDirectory(root, r))!, dir: runDirectory(root, r) }));
  const names = new Set(recs.map((x) => x.rec.name));
  assert.equal(names.size, 1, 'one job array for the sweep');
  const [name] = names;
  assert.match(name, /^scalelab-array-[0-9a-f]{16}$/);
  const arrayId = recs[0].rec.jobId!.split('_')[0];
  for (const { r, rec, dir } of recs) {
    assert.equal(rec.jobId, `${arrayId}_${rec.index}`, `run ${r.key} is task ${rec.index} of array ${arrayId}`);
    assert.equal(r.externalId, rec.jobId, `the store knows run ${r.key} by Slurm's id`);
    assert.equal(readFileSync(join(dir, 'slurm-job-id'), 'utf8').trim().split('\n').length, 1, `run ${r.key} ran once`);
  }
  assert.deepEqual(
    tasksNamed(name).sort(),
    recs.map((x) => x.rec.index).sort(),
    'Slurm holds exactly one task per run',
  );
}

test('squeue JSON, array task ranges and Slurm end states are read as Slurm writes them', () => {
  assert.deepEqual(arrayTasks('2-4%2'), [2, 3, 4]);
  assert.deepEqual(arrayTasks('0,5-9:2'), [0, 5, 7, 9]);
  const snap = parseSqueue(
    JSON.stringify({
      jobs: [
        { job_id: 50, name: 'x', array_job_id: 49, array_task_id: 0, job_state: 'COMPLETED', exit_code: 0 },
        { job_id: 51, name: 'x', array_job_id: 49, array_task_id: 1, job_state: 'FAILED', exit_code: 1024 },
        {
          job_id: 49,
          name: 'x',
          array_job_id: 49,
          array_task_id: null,
          array_task_string: '2-3%2',
          job_state: 'PENDING',
          exit_code: 0,
        },
        // Slurm 23.02+: numbers as {set, number}, state and exit code as structures
        {
          job_id: { set: true, number: 60 },
          name: 'y',
          array_job_id: { set: true, number: 0 },
          array_task_id: { set: false, number: 0 },
          job_state: ['OUT_OF_MEMORY'],
          exit_code: { return_code: { set: true, number: 0 }, signal: { id: { set: true, number: 9 } } },
        },
      ],
    }),
  );
  assert.deepEqual(
    [snap.jobs.get('49_1')?.state, snap.jobs.get('49_1')?.exit, snap.jobs.get('49_1')?.raw],
    ['FAILED', '4:0', '51'],
  );
  assert.equal(snap.jobs.get('49_3')?.state, 'PENDING');
  assert.equal(snap.jobs.get('60')?.exit, '0:9');
  assert.deepEqual(snap.names.get('x'), ['49']);
  assert.match(
    describeSlurmEnd('12_3', { state: 'TIMEOUT', exit: '0:15', source: 'sacct' }),
    /TIMEOUT, exit 0:15, from sacct: it hit its time limit/,
  );
  assert.match(describeSlurmEnd('60', snap.jobs.get('60')!), /OUT_OF_MEMORY.*ran out of memory/);
  // The job script's guard turned the job away: its own exit code says so, unless the run wrote its result.
  assert.match(
    describeSlurmEnd('61', { state: 'FAILED', exit: '75:0', source: 'sacct' }),
    /FAILED, exit 75:0, from sacct: .*not the job slurm\.json records: a second submission of the run, turned away/,
  );
  assert.doesNotMatch(
    describeSlurmEnd('61', { state: 'FAILED', exit: '75:0', source: 'sacct' }, undefined, true),
    /turned away/,
  );
  assert.doesNotMatch(describeSlurmEnd('61', { state: 'FAILED', exit: '7:0', source: 'sacct' }), /turned away/);
});

test("sbatch arguments that set the job's name are refused: ScaleLab finds its jobs again by the names it gives", () => {
  for (const args of [
    ['-J', 'mine'],
    ['-Jmine'],
    ['--job-name=mine'],
    ['--gres=gpu:1', '--job-name', 'mine'],
    ['--job=mine'],
  ])
    assert.throws(
      () => slurmBackend({ command: 'true', sbatchArgs: args }),
      (e: Error) => e.name === 'OptionError' && /cannot set the job's name .*to find it again/.test(e.message),
      args.join(' '),
    );
  // Other arguments, a name-like value among them, are passed on.
  slurmBackend({ command: 'true', sbatchArgs: ['--gres=gpu:1', '--comment=-J', '--mem=4G'] });
});

test(
  'a small sweep as one real job array: a failing job read from sacct, a killed and resumed sweep, nothing submitted twice',
  { skip, timeout: 180_000 },
  async () => {
    slurmTool.require();
    execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
    const { db, root, study } = setup('slurm');
    const store = RunStore.open(db);
    store.plan(study, threeRuns);
    // First attempt: killed once its array is in Slurm (every run has its ARRAYID_INDEX).
    const p = spawn(process.execPath, ['--import', 'tsx', child, db, study, root, command], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((r) => p.on('exit', r));
    p.stdout!.resume();
    const submitted = () => store.runs({ study }).every((r) => readSlurmRecord(runDirectory(root, r))?.jobId);
    for (let i = 0; i < 150 && !submitted() && p.exitCode === null; i++) await sleep(100);
    assert.ok(submitted(), 'the first sweep submitted its array');
    p.kill('SIGKILL');
    await exited;
    // The handle submit() gave, or Slurm's ARRAYID_INDEX if the first sweep polled before it died.
    assert.ok(
      store
        .runs({ study })
        .every((r) => r.status !== 'planned' && /^(scalelab-array-[0-9a-f]{16}|\d+)_\d$/.test(r.externalId!)),
    );
    // Second attempt, in this process: it polls what was submitted and submits nothing again.
    const result = await runSweep(store, study, slurmBackend({ command, root }), { pollMs: 300 });
    assert.equal(result.done, 2);
    assert.equal(result.failed, 1);
    const runs = store.runs({ study });
    const failed = runs.find((r) => r.key === 'fails')!;
    // The command's own error, then Slurm's verdict from the job completion log (sacct -c here:
    // the test cluster has no slurmdbd): the job script exits with the command's code.
    assert.match(failed.reason!, /exit code 3: diverged at step 3/);
    assert.match(failed.reason!, /\[Slurm job \d+_2: FAILED, exit 3:0, from sacct( -c)?\]/);
    for (const r of runs.filter((x) => x.status === 'completed')) assert.equal(store.checkpoints(r.id).length, 3);
    assertOneArrayTaskEach(root, runs);
    store.close();
  },
);

test(
  'a sweep killed before its sbatch: the resumed sweep submits the runs no job knows, once',
  { skip, timeout: 180_000 },
  async () => {
    slurmTool.require();
    execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
    const { dir, db, root, study } = setup('slurm-orphan');
    const store = RunStore.open(db);
    store.plan(study, threeRuns.slice(0, 2));
    // A sweep that dies right after handing its runs to the backend: the runner reports progress
    // once submit() has answered for each, and sbatch would come on the next turn of the event loop.
    const dies = join(dir, 'dies.mts');
    writeFileSync(
      dies,
      `import { RunStore } from '${src('store/store.ts')}';
import { runSweep } from '${src('experiments/runner.ts')}';
import { slurmBackend } from '${src('experiments/backends/slurm/index.ts')}';
const [db, study, root, command] = process.argv.slice(2);
await runSweep(RunStore.open(db), study, slurmBackend({ command, root }), { onProgress: () => process.exit(0) });
`,
    );
    execFileSync(process.execPath, ['--import', 'tsx', dies, db, study, root, command], { stdio: 'inherit' });
    const before = store.runs({ study });
    assert.ok(before.every((r) => r.status === 'queued' && r.externalId!.startsWith('scalelab-array-')));
    const name = readSlurmRecord(runDirectory(root, before[0]))!.name;
    assert.equal(readSlurmRecord(runDirectory(root, before[0]))!.jobId, undefined);
    assert.deepEqual(tasksNamed(name), [], 'nothing reached Slurm');
    const result = await runSweep(store, study, slurmBackend({ command, root }), { pollMs: 300 });
    assert.equal(result.done, 2);
    assertOneArrayTaskEach(root, store.runs({ study }));
    store.close();
  },
);

test(
  'sweep cancel stops a Slurm array (running and pending tasks) with scancel and marks the runs cancelled',
  { skip, timeout: 120_000 },
  async (t) => {
    slurmTool.require();
    execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
    const { scalelab } = await import('./helpers/cli.js');
    const { dir, db, root, study } = setup('slurm-cancel');
    const store = RunStore.open(db);
    store.plan(
      study,
      threeRuns.map((r) => ({ ...r, config: config(1e-3, r.config.n_layer) })),
    );
    const slow = `${process.execPath} -e setTimeout(()=>{},120000) {run_dir}`;
    const sweep = runSweep(store, study, slurmBackend({ command: slow, root, cwd: dir, concurrency: 1 }), {
      pollMs: 200,
    });
    const statuses = () =>
      store
        .runs({ study })
        .map((r) => r.status)
        .sort()
        .join(',');
    for (let i = 0; i < 150 && statuses() !== 'queued,queued,running'; i++) await sleep(100);
    assert.equal(statuses(), 'queued,queued,running');
    const name = readSlurmRecord(runDirectory(root, store.runs({ study })[0]))!.name;
    t.after(() => execFileSync('scancel', [`--name=${name}`])); // leave nothing behind if an assertion fails
    // --concurrency 1 is the array's %1: one task runs, the others wait on the array's limit.
    const jobs = squeueJobs().filter((j) => j.name === name);
    assert.equal(jobs.filter((j) => stateOf(j) === 'RUNNING').length, 1);
    const pending = jobs.find((j) => stateOf(j) === 'PENDING')!;
    assert.equal(arrayTasks(pending.array_task_string!).length, 2);
    assert.equal(pending.state_reason, 'JobArrayTaskLimit');
    const running = store.runs({ study }).find((r) => r.status === 'running')!;
    // Slurm says RUNNING once the job script starts; the wrapper writes its pid a moment later (and
    // not atomically), so wait for a whole pid in the file rather than read it at once.
    const pidFile = join(runDirectory(root, running), 'pid');
    const readPid = () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : NaN);
    for (let i = 0; i < 300 && !(readPid() > 0); i++) await sleep(100);
    const pid = readPid();
    assert.ok(pid > 0, `the wrapper wrote its pid to ${pidFile}`);

    const r = scalelab([
      'sweep',
      'cancel',
      '--study',
      study,
      '--db',
      db,
      '--backend',
      'slurm',
      '--command',
      slow,
      '--runs-dir',
      root,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().cancelled, 3);
    const end = await sweep;
    assert.equal(end.total, 3);
    assert.deepEqual(
      store.runs({ study }).map((x) => x.status),
      ['cancelled', 'cancelled', 'cancelled'],
    );
    // Nothing of the array is left waiting or running in Slurm, and the command has stopped.
    const active = () =>
      squeueJobs().filter((j) => j.name === name && !['CANCELLED', 'COMPLETED', 'FAILED'].includes(stateOf(j)));
    for (let i = 0; i < 100 && active().length; i++) await sleep(100);
    assert.deepEqual(
      active().map((j) => `${j.job_id} ${stateOf(j)}`),
      [],
    );
    assert.ok(
      squeueJobs().some((j) => j.name === name && stateOf(j) === 'CANCELLED'),
      'the running task ended CANCELLED',
    );
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await sleep(100);
    assert.ok(!alive(), 'the wrapper (and its command) has stopped');
    store.close();
  },
);
