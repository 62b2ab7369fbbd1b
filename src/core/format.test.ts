import { test } from 'node:test';
import assert from 'node:assert/strict';
import { truncateAtWord } from './format.js';

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
