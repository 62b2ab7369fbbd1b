import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestNames, levenshtein, unknownName } from './names.js';

test('levenshtein: the textbook distances', () => {
  assert.equal(levenshtein('kitten', 'sitting'), 3);
  assert.equal(levenshtein('', 'abc'), 3);
  assert.equal(levenshtein('arc_esy', 'arc_easy'), 1);
  assert.equal(levenshtein('same', 'same'), 0);
});

test('closestNames and unknownName: the nearest first, a suggestion only when near, the list cut with a count', () => {
  const names = ['arc_challenge', 'arc_easy', 'piqa', 'sciq'];
  assert.deepEqual(closestNames('arc_esy', names, 1), ['arc_easy']);
  assert.deepEqual(closestNames('pika', names, 2), ['piqa', 'sciq']);
  assert.equal(
    unknownName('arc_esy', names),
    'did you mean arc_easy? the data have: arc_challenge, arc_easy, piqa, sciq',
  );
  assert.equal(unknownName('mmlu', names), 'the data have: arc_challenge, arc_easy, piqa, sciq');
  assert.match(unknownName('ARC_Easy', names), /^did you mean arc_easy\?/);
  // A benchmark's short name where the data name its variants: those it begins as a word, three at most.
  const variants = ['arc_easy_test_5shot', 'piqa_val_5shot', 'piqa_val_rc_5shot', 'piqalike', 'sciq_val_5shot'];
  assert.match(unknownName('piqa', variants), /^did you mean piqa_val_5shot or piqa_val_rc_5shot\? the data have/);
  assert.match(unknownName('PIQA', variants), /^did you mean piqa_val_5shot or piqa_val_rc_5shot\?/);
  assert.match(unknownName('arc', variants), /^did you mean arc_easy_test_5shot\?/);
  const many = Array.from({ length: 25 }, (_, i) => `task${i}`);
  assert.match(unknownName('zzz', many), /task19, … \(25 in all\)$/);
});
