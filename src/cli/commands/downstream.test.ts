import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../errors/index.js';
import { parseBound, parseChance, parseTargetAccuracy } from './downstream.js';

test('--target-accuracy: fractions in (0, 1) by task; anything else is refused as an accuracy, naming the task and what was given', () => {
  assert.deepEqual(parseTargetAccuracy('hellaswag=0.85, piqa=.7'), { hellaswag: 0.85, piqa: 0.7 });
  const refused = (text: string, shown: string, hint?: RegExp) =>
    assert.throws(
      () => parseTargetAccuracy(text),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message.startsWith('--target-accuracy hellaswag: expected an accuracy between 0 and 1') &&
        e.message.includes(`got "${shown}"`) &&
        (hint === undefined || hint.test(e.message)) &&
        // Not a model size: an accuracy takes no suffix.
        !/70B/.test(e.message),
      text,
    );
  refused('hellaswag=1.2', '1.2');
  refused('hellaswag=-0.1', '-0.1');
  refused('hellaswag=0', '0');
  refused('hellaswag=1', '1');
  refused('hellaswag=abc', 'abc');
  refused('hellaswag=', '');
  refused('hellaswag=85%', '85%', /0\.85 for 85 %/);
  refused('hellaswag=85', '85', /0\.85 for 85 %/);
  // A size suffix is no accuracy: 800m is not read as 0.8.
  refused('hellaswag=800m', '800m');
});

test('--floor, --ceiling and --chance: accuracies, refused as accuracies (no "7e10 or 70B"), whatever is wrong with them', () => {
  assert.equal(parseBound('0.25', '--floor'), 0.25);
  assert.equal(parseBound(' free ', '--ceiling'), 'free');
  assert.equal(parseChance('0'), 0);
  for (const bad of ['abc', '2', '-0.1', '1k', ''])
    assert.throws(
      () => parseBound(bad, '--ceiling'),
      (e: unknown) =>
        e instanceof UsageError && e.message === `--ceiling: expected an accuracy in [0, 1] or "free", got "${bad}"`,
    );
  for (const bad of ['abc', '1', '1.5', '-0.1', '250m'])
    assert.throws(
      () => parseChance(bad),
      (e: unknown) => e instanceof UsageError && e.message === `--chance: expected an accuracy in [0, 1), got "${bad}"`,
    );
});
