// The Slurm array scheduler without Slurm: sbatch, scontrol and the run folders are a fake that
// records what would have been submitted, so each decision (array sizes, %K throttles, waiting for
// room, the fallback to one job per run) is checked exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredRun } from '../../../store/store.js';
import { SlurmError } from './parse.js';
import { ArrayScheduler, type Pending, type SchedulerIO } from './scheduler.js';

function fakeSlurm(o: { limit: number; arrayMax?: number; refuse?: string; refuseThrottle?: string }) {
  const arrays: { id: string; name: string; dirs: string[]; throttle: number }[] = [];
  const jobs: string[] = [];
  const throttles: string[] = [];
  const finished = new Set<string>(),
    cancelled = new Set<string>();
  const failed = new Map<string, string>();
  const warnings: string[] = [];
  const queue: (() => void)[] = [];
  let names = 0,
    ids = 100;
  const io: SchedulerIO = {
    arrayName: () => `array-${names++}`,
    submitArray: async (name: string, runs: Pending[], throttle: number) => {
      if (o.refuse) throw new SlurmError(`sbatch --array=… failed: ${o.refuse}`);
      const id = String(ids++);
      arrays.push({ id, name, dirs: runs.map((p) => `${p.index}:${p.dir}`), throttle });
      return id;
    },
    submitOne: async (p: Pending) => void jobs.push(p.dir),
    setThrottle: async (id: string, t: number) => {
      throttles.push(`${id}%${t}`);
      if (o.refuseThrottle) throw new SlurmError(o.refuseThrottle);
    },
    cancelled: (dir: string) => cancelled.has(dir),
    finished: (dir: string) => finished.has(dir) || cancelled.has(dir),
    fail: (dir: string, reason: string) => void failed.set(dir, reason),
    warn: (m: string) => void warnings.push(m),
    later: (fn: () => void) => void queue.push(fn),
  };
  const scheduler = new ArrayScheduler(io, { limit: o.limit, arrayMax: o.arrayMax, pruneEveryMs: 0 });
  const run = (dir: string) => ({ id: Number(dir.slice(1)), key: dir }) as unknown as StoredRun;
  /** The next turn of the event loop: the arrays built go to sbatch. */
  const turn = async () => {
    for (const fn of queue.splice(0)) fn();
    await scheduler.settle(false);
  };
  /** A status() pass of the Slurm backend, as far as the scheduler goes. */
  const poll = async () => {
    scheduler.prune();
    await scheduler.rebalance();
    await scheduler.settle(false);
    await scheduler.topUp();
  };
  return { scheduler, arrays, jobs, throttles, finished, cancelled, failed, warnings, run, turn, poll };
}

test('runs handed over in one turn are one array at %min(K, runs); they are held until sbatch has answered', async () => {
  const s = fakeSlurm({ limit: 4 });
  const handles = ['r1', 'r2', 'r3'].map((d) => s.scheduler.enqueue(s.run(d), d));
  assert.deepEqual(
    handles,
    [0, 1, 2].map((index) => ({ name: 'array-0', index })),
  );
  assert.ok(s.scheduler.held('r2'));
  assert.deepEqual(s.arrays, [], 'nothing goes out before the next turn');
  await s.turn();
  assert.deepEqual(s.arrays, [{ id: '100', name: 'array-0', dirs: ['0:r1', '1:r2', '2:r3'], throttle: 3 }]);
  assert.ok(!s.scheduler.held('r2'));
  assert.equal(s.scheduler.unfinished(), 3);
  assert.equal(s.scheduler.capacity, 1000, 'without a MaxArraySize, arrays of at most 1000');
});

test('several arrays share K: a later array waits for room, goes out at what is left, and is raised as the earlier drains', async () => {
  const s = fakeSlurm({ limit: 2, arrayMax: 2 });
  for (const d of ['a0', 'a1', 'b0', 'b1']) s.scheduler.enqueue(s.run(d), d);
  await s.turn();
  assert.deepEqual(
    s.arrays.map((a) => `${a.name}%${a.throttle}`),
    ['array-0%2'],
    'the second array has no room while both of the first may run',
  );
  assert.ok(s.scheduler.held('b0'));
  await s.poll();
  assert.equal(s.arrays.length, 1);
  s.finished.add('a0'); // seen ended by prune(), not by a status() of its own
  await s.poll();
  assert.deepEqual(
    s.arrays.map((a) => `${a.name}%${a.throttle}`),
    ['array-0%2', 'array-1%1'],
    'one slot free: %1',
  );
  assert.deepEqual(s.throttles, []);
  s.scheduler.ended('a1');
  await s.poll();
  assert.deepEqual(s.throttles, ['101%2'], 'the first array drained: the second raised to K');
  await s.poll();
  assert.deepEqual(s.throttles, ['101%2'], 'and not set again');
});

test('a restarted sweep counts the arrays it finds running and sets their throttles in job id order, never below 1', async () => {
  const s = fakeSlurm({ limit: 3 });
  s.scheduler.adopt('x0', '50_0');
  s.scheduler.adopt('x1', '50_1');
  s.scheduler.adopt('y0', '60_0');
  s.scheduler.adopt('y1', '60_1');
  s.scheduler.adopt('z', '70'); // a job of its own is no array: not counted
  assert.equal(s.scheduler.unfinished(), 4);
  await s.scheduler.rebalance();
  assert.deepEqual(s.throttles, ['50%3', '60%1']);
  // A new array waits: the adopted runs already fill K.
  s.scheduler.enqueue(s.run('n'), 'n');
  await s.turn();
  assert.deepEqual(s.arrays, []);
});

test('a refusal of arrays: one warning, then one job per run, at most K in Slurm at once', async () => {
  const s = fakeSlurm({ limit: 2, refuse: 'sbatch: error: Job arrays are disabled on this cluster' });
  for (const d of ['r1', 'r2', 'r3', 'r4']) s.scheduler.enqueue(s.run(d), d);
  await s.turn();
  assert.equal(s.scheduler.arrays, false);
  assert.equal(s.scheduler.capacity, 2);
  assert.equal(s.warnings.length, 1);
  assert.match(s.warnings[0], /job arrays failed, submitting one job per run.*arrays are disabled/i);
  s.cancelled.add('r3'); // a sweep cancel from another process: never submitted
  await s.poll();
  assert.deepEqual(s.jobs, ['r1', 'r2']);
  await s.poll();
  assert.deepEqual(s.jobs, ['r1', 'r2'], 'no room until one ends');
  s.scheduler.ended('r1');
  await s.poll();
  assert.deepEqual(s.jobs, ['r1', 'r2', 'r4']);
  assert.deepEqual(s.failed, new Map());
});

test("an sbatch error that is not about arrays fails the array's runs with its words and keeps arrays", async () => {
  const s = fakeSlurm({ limit: 2, refuse: 'sbatch: error: invalid partition specified: nope' });
  for (const d of ['r1', 'r2']) s.scheduler.enqueue(s.run(d), d);
  await s.turn();
  assert.equal(s.scheduler.arrays, true);
  assert.deepEqual(
    [...s.failed.values()],
    ['r1', 'r2'].map(() => 'submit failed: sbatch --array=… failed: sbatch: error: invalid partition specified: nope'),
  );
  assert.deepEqual(s.warnings, []);
});

test('runs cancelled before sbatch are left out of their array (a gap in its indices) or dropped from memory', async () => {
  const s = fakeSlurm({ limit: 4 });
  for (const d of ['r0', 'r1', 'r2', 'r3']) s.scheduler.enqueue(s.run(d), d);
  s.cancelled.add('r1'); // by another process: only the marker
  assert.equal(s.scheduler.drop('r2'), true); // by this one
  assert.equal(s.scheduler.drop('r2'), false);
  await s.turn();
  assert.deepEqual(
    s.arrays.map((a) => [a.dirs, a.throttle]),
    [[['0:r0', '3:r3'], 2]],
  );
});

test('settled() resolves only after the pass that sends the runs handed over: in Slurm, or held for room', async () => {
  const s = fakeSlurm({ limit: 2, arrayMax: 2 });
  for (const d of ['a0', 'a1']) s.scheduler.enqueue(s.run(d), d);
  let settled = false;
  const done = s.scheduler.settled().then(() => (settled = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(settled, false, 'the array is still being gathered (its pass is on the next turn)');
  await s.turn();
  await done;
  assert.deepEqual(
    s.arrays.map((a) => a.name),
    ['array-0'],
  );
  // No room under K = 2: the next array's pass runs and holds it; settled() says so without sending it.
  for (const d of ['b0', 'b1']) s.scheduler.enqueue(s.run(d), d);
  const held = s.scheduler.settled();
  await s.turn();
  await held;
  assert.ok(s.scheduler.held('b0'));
  assert.equal(s.arrays.length, 1);
});

test('a refused throttle update is said once per array, also when a requeued array is found again on every poll', async () => {
  const s = fakeSlurm({
    limit: 3,
    refuseThrottle: 'scontrol update JobId=50 ArrayTaskThrottle=3 failed: 50_0: Job has already finished',
  });
  for (let poll = 0; poll < 4; poll++) {
    // The requeued array's run is found in Slurm again, then seen ended again.
    s.scheduler.adopt('x0', '50_0');
    await s.scheduler.rebalance();
    s.scheduler.ended('x0');
  }
  assert.equal(s.throttles.length, 4, 'the update is tried on each finding');
  assert.equal(s.warnings.length, 1, s.warnings.join('\n'));
  assert.match(s.warnings[0], /could not set the throttle of Slurm array 50 to 3: .*already finished/);
});
