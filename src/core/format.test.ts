import { test } from 'node:test';
import assert from 'node:assert/strict';
import { counted, formatSigned, formatSignedPercent, shortReason, truncateAtWord } from './format.js';

test('truncateAtWord cuts at a word with an ellipsis, never mid-word unless one word is too long', () => {
  const reason = 'training diverged: the loss became NaN early in training (learning rate too high)';
  const cut = truncateAtWord(reason, 60);
  assert.equal(cut, 'training diverged: the loss became NaN early in training…');
  assert.ok(cut.length <= 60);
  assert.ok(reason.startsWith(cut.slice(0, -1)));
  assert.equal(truncateAtWord('short', 60), 'short');
  assert.equal(truncateAtWord('x'.repeat(80), 10), `${'x'.repeat(9)}…`);
  assert.equal(truncateAtWord('exit code 1\n  at line 3', 60), 'exit code 1 at line 3');
});

test("shortReason keeps a failed command's head and its stderr's last line, where a traceback says what went wrong", () => {
  const traceback =
    'exit code 1: Traceback (most recent call last): |   File "/tmp/w2/examples/trainers/train.py", line 31, in <module> |     import torch | ModuleNotFoundError: No module named \'torch\'';
  assert.equal(shortReason(traceback, 60), "exit code 1: … ModuleNotFoundError: No module named 'torch'");
  assert.ok(shortReason(traceback, 60).length <= 60);
  // Without stderr lines, or short enough, it is truncateAtWord.
  const reason = 'training diverged: the loss became NaN early in training (learning rate too high)';
  assert.equal(shortReason(reason, 60), truncateAtWord(reason, 60));
  assert.equal(shortReason('exit code 3: CUDA error', 60), 'exit code 3: CUDA error');
  const long = `exit code 1: a | b | ${'word '.repeat(30)}end`;
  assert.ok(shortReason(long, 60).startsWith('exit code 1: … word word'));
  assert.ok(shortReason(long, 60).endsWith('…') && shortReason(long, 60).length <= 60);
});

test('counted: one run, two runs, no runs', () => {
  assert.equal(counted(1, 'run'), '1 run');
  assert.equal(counted(2, 'checkpoint'), '2 checkpoints');
  assert.equal(counted(0, 'run'), '0 runs');
});

test('a signed error that rounds to zero has no sign: never "−0.0"', () => {
  assert.equal(formatSigned(-0.0004, 1, 'pts'), '0.0 pts');
  assert.equal(formatSigned(0.0004, 1, 'pts'), '0.0 pts');
  assert.equal(formatSigned(-0, 1, 'pts'), '0.0 pts');
  assert.equal(formatSigned(-0.05, 1, 'pts'), '−0.1 pts');
  assert.equal(formatSigned(1.25, 1, 'pts'), '+1.3 pts');
  assert.equal(formatSignedPercent(-0.0002), '0.0 %');
  assert.equal(formatSignedPercent(-0.042), '−4.2 %');
  assert.equal(formatSignedPercent(0.042), '+4.2 %');
});
