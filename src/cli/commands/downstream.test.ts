import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../errors/index.js';
import { parseBound, parseChance, parseChances, parseTargetAccuracy } from './downstream.js';

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

test('--chance per task: a bare number for every task not named, TASK=ACC for one; a level twice, a task twice or a level outside [0, 1) refused', () => {
  const plain = (c: ReturnType<typeof parseChances>) => ({ ...c, byTask: { ...c.byTask } });
  assert.deepEqual(plain(parseChances('0.25')), { every: 0.25, byTask: {} });
  assert.deepEqual(plain(parseChances('0.25, piqa=0.5,lambada=0')), { every: 0.25, byTask: { piqa: 0.5, lambada: 0 } });
  assert.deepEqual(plain(parseChances('piqa=0.5')), { byTask: { piqa: 0.5 } });
  // A task named like an object's property is a task like any other (review: "given twice", a function as level).
  assert.deepEqual(plain(parseChances('constructor=0.5,toString=0.25')), {
    byTask: { constructor: 0.5, toString: 0.25 },
  });
  assert.equal(parseChances('0.25').byTask['toString'], undefined);
  const refused = (text: string, message: string) =>
    assert.throws(
      () => parseChances(text),
      (e: unknown) => e instanceof UsageError && e.message === message,
    );
  refused('0.25,0.5', '--chance: two levels for every task ("0.25" and "0.5"); name the task of one (TASK=ACC)');
  refused('piqa=0.5,piqa=0.4', '--chance: task "piqa" is given twice');
  refused('piqa=1', '--chance piqa: expected an accuracy in [0, 1), got "1"');
  refused('piqa=half', '--chance piqa: expected an accuracy in [0, 1), got "half"');
  refused('2', '--chance: expected an accuracy in [0, 1), got "2"');
});
