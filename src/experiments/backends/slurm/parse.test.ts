import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SlurmError,
  arraySpec,
  arrayTasks,
  parseSacct,
  parseSbatch,
  parseScontrolJob,
  throttleRefusedOnlyByEndedTasks,
} from './parse.js';

test('arraySpec writes what arrayTasks reads: runs of indices as ranges, gaps kept', () => {
  assert.equal(arraySpec([0, 1, 2, 3, 5]), '0-3,5');
  assert.equal(arraySpec([4]), '4');
  assert.equal(arraySpec([0, 2, 3, 7, 8, 9]), '0,2-3,7-9');
  for (const indices of [
    [0, 1, 2, 3, 5],
    [1, 3, 5],
    [0, 1, 2, 10, 11, 40],
  ])
    assert.deepEqual(arrayTasks(`${arraySpec(indices)}%2`), indices);
});

test('sacct -P rows: the last row of the job, matched by ARRAYID_INDEX or by raw id', () => {
  const out = [
    '101|100_0|COMPLETED|0:0',
    '102|100_1|FAILED|3:0',
    '103|100_1|CANCELLED by 0|0:15',
    '200|200|TIMEOUT|0:15',
    '',
  ].join('\n');
  assert.deepEqual(parseSacct(out, '100_0', undefined, 'sacct'), {
    raw: '101',
    state: 'COMPLETED',
    exit: '0:0',
    source: 'sacct',
  });
  // A requeued task has two rows: the later one is where it stands; "CANCELLED by UID" is CANCELLED.
  assert.deepEqual(parseSacct(out, '100_1', undefined, 'sacct'), {
    raw: '103',
    state: 'CANCELLED',
    exit: '0:15',
    source: 'sacct',
  });
  // The job completion log has no ARRAYID_INDEX: the raw id finds the row.
  assert.deepEqual(parseSacct('200|200|TIMEOUT|0:15\n', '7_3', '200', 'sacct -c'), {
    raw: '200',
    state: 'TIMEOUT',
    exit: '0:15',
    source: 'sacct -c',
  });
  assert.equal(parseSacct(out, '999', undefined, 'sacct'), undefined);
  assert.equal(
    parseSacct('300|300|PENDING|\n', '300', undefined, 'sacct')?.exit,
    undefined,
    'an empty exit code is no exit code',
  );
});

test('sbatch --parsable: the job id, with or without a cluster name; anything else is a SlurmError that quotes it', () => {
  assert.equal(parseSbatch('4242\n'), '4242');
  assert.equal(parseSbatch('4242;cluster\n'), '4242');
  assert.throws(
    () => parseSbatch('Submitted batch job 4242\n'),
    (e) => e instanceof SlurmError && /sbatch printed "Submitted batch job 4242", expected a job id/.test(e.message),
  );
});

test('scontrol show job: state and exit code; nothing when it names no state', () => {
  const text =
    'JobId=77 JobName=x\n   JobState=OUT_OF_MEMORY Reason=OutOfMemory Dependency=(null)\n   DerivedExitCode=0:0 ExitCode=0:125\n';
  assert.deepEqual(parseScontrolJob(text), { state: 'OUT_OF_MEMORY', exit: '0:125', source: 'scontrol' });
  assert.equal(parseScontrolJob('slurm_load_jobs error: Invalid job id specified'), undefined);
});

test('a throttle update refused only by the array tasks that ended is no refusal; any other answer is', () => {
  // scontrol's answer on a resumed sweep's array (Slurm 22.05): the pending tasks took the throttle.
  assert.equal(throttleRefusedOnlyByEndedTasks('849_0-2,4: Job has already finished\n849_3,5: No error\n'), true);
  assert.equal(throttleRefusedOnlyByEndedTasks('50_0: Job has already finished'), true);
  assert.equal(throttleRefusedOnlyByEndedTasks('849_3: Access/permission denied\n849_4: No error'), false);
  assert.equal(throttleRefusedOnlyByEndedTasks('Invalid job id specified'), false);
  assert.equal(throttleRefusedOnlyByEndedTasks(''), false);
});
