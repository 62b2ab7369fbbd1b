import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planDifferences } from './studyPlan.js';

test('planDifferences names each flag that differs, treats 12 and 12.0 as one value, and lets a study with no recorded plan resume', () => {
  const stored = {
    command: 'study run',
    flags: { '--experiment-hours': '12', '--budget-count': '5', '--progressive': false, '--world': null },
  };
  assert.deepEqual(
    planDifferences(stored, {
      command: 'study run',
      flags: { '--experiment-hours': '12.0', '--budget-count': '5', '--progressive': false, '--world': null },
    }),
    [],
  );
  assert.deepEqual(
    planDifferences(stored, {
      command: 'study run',
      flags: { '--experiment-hours': '6', '--budget-count': '5', '--progressive': true, '--world': 'w.json' },
    }),
    [
      '--experiment-hours 12, now --experiment-hours 6',
      'no --progressive, now --progressive',
      'no --world, now --world w.json',
    ],
  );
  assert.deepEqual(planDifferences(stored, { command: 'sweep run', flags: {} }), [
    'it was made by "study run", not "sweep run"',
  ]);
  assert.deepEqual(
    planDifferences(null, { command: 'study run', flags: { '--budget-count': '3' } }),
    [],
    'an older study recorded no plan',
  );
  assert.deepEqual(planDifferences({ plan: 'plan.json' }, { command: 'sweep run', flags: {} }), []);
});
