import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressOf } from '../experiments/runner.js';
import { progressStates } from './commands/sweep.js';

test("a sweep's progress counts queued runs apart from running ones (not all as 'in flight')", () => {
  const run = (status: string, loss: number | null = null) => ({
    status: status as 'queued',
    loss,
    seconds: null,
    estimatedSeconds: 60,
  });
  const p = progressOf([
    run('completed', 2.5),
    run('failed'),
    run('running'),
    run('running'),
    run('queued'),
    run('queued'),
    run('submitting'),
    run('planned'),
  ]);
  assert.deepEqual([p.total, p.done, p.failed, p.running, p.queued], [8, 1, 1, 2, 3]);
  assert.equal(progressStates(p), 'failed 1 | running 2 | queued 3');
  assert.doesNotMatch(progressStates(p), /in flight/);
});
