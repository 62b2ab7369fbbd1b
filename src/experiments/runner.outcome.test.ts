import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sweepOutcome } from './outcome.js';

const run = (phase: string, status: string, reason: string | null = null) => ({
  phase,
  status: status as 'completed',
  reason,
});

test('a sweep fails when a run failed or was cancelled, not when a learning-rate probe diverged', () => {
  const whole = sweepOutcome([
    run('lr-probe', 'completed'),
    run('lr-probe', 'failed', 'training diverged: the loss became NaN'),
    run('isoflop', 'completed'),
  ]);
  assert.deepEqual(whole, { completed: 2, failed: 0, probeDiverged: 1, cancelled: 0, total: 3, isFailure: false });
  assert.equal(
    sweepOutcome([run('isoflop', 'completed'), run('isoflop', 'failed', 'training diverged')]).isFailure,
    true,
    'an IsoFLOP run that diverged is a hole in the sweep',
  );
  assert.equal(
    sweepOutcome([run('lr-probe', 'completed'), run('lr-probe', 'failed', 'exit code 1')]).failed,
    1,
    'a probe that crashed is a failure',
  );
  assert.equal(sweepOutcome([run('isoflop', 'completed'), run('isoflop', 'cancelled')]).isFailure, true);
  assert.equal(sweepOutcome([run('lr-probe', 'failed', 'diverged')]).isFailure, true, 'nothing completed');
  assert.equal(sweepOutcome([]).isFailure, false);
});
