import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { taskChance } from './answerChoices.js';

const level = (task: string) => taskChance({ task })?.level;

test("chance levels from the benchmarks' answer choices: the task's name variants, MMLU's subjects, 1 / choices", () => {
  const cases: [string, number][] = [
    ['hellaswag', 1 / 4],
    ['hellaswag_val_5shot', 1 / 4],
    ['hellaswag_val_rc_5shot', 1 / 4],
    ['piqa', 1 / 2],
    ['PIQA_val_5shot', 1 / 2],
    ['arc_easy', 1 / 4],
    ['arc_easy_test_5shot', 1 / 4],
    ['arc_challenge:mc::olmes', 1 / 4],
    ['ARC-Challenge', 1 / 4],
    ['winogrande', 1 / 2],
    ['boolq', 1 / 2],
    ['openbookqa_test_5shot', 1 / 4],
    ['sciq', 1 / 4],
    ['commonsense_qa', 1 / 5],
    ['csqa_val_5shot', 1 / 5],
    ['social_iqa', 1 / 3],
    ['siqa', 1 / 3],
    ['socialiqa_val_5shot', 1 / 3],
    ['copa', 1 / 2],
    ['mmlu', 1 / 4],
    ['mmlu_abstract_algebra', 1 / 4],
    ['mmlu_high_school_us_history', 1 / 4],
    ['mmlu_social_sciences', 1 / 4],
    ['mmlu_stem_test_rc_5shot', 1 / 4],
    ['mmlu_avg_test_5shot', 1 / 4],
    ['mmlu_stem_var', 1 / 4],
    ['mmlu_anatomy:mc::olmes', 1 / 4],
    ['hellaswag 5-shot', 1 / 4],
  ];
  for (const [task, want] of cases) assert.equal(level(task), want, task);
  const arc = taskChance({ task: 'arc_challenge_test_5shot' });
  assert.deepEqual(arc?.source, {
    from: 'answer choices',
    benchmark: 'ARC-Challenge',
    choices: 4,
    mixed: 'most questions; a few have 3 or 5',
  });
});

test('an unknown task gets no chance level: no guess from a prefix (mmlu_pro has 10 choices) or a generative task', () => {
  for (const task of [
    'mmlu_pro',
    'mmlu_pro_math',
    'mmlu_flan_n_shot_generative_anatomy',
    'mmlu_not_a_subject',
    'arc_challenge_mt_de',
    'hellaswag_de',
    'lambada_openai',
    'gsm8k',
    'triviaqa',
    'my_task',
    'test',
    '5shot',
  ])
    assert.equal(taskChance({ task }), undefined, task);
});

test("a definition's chance (a manifest's, an option's, an average's) is kept over the table's, with its source", () => {
  assert.deepEqual(taskChance({ task: 'hellaswag', chance: 0.3 }), { level: 0.3, source: { from: 'manifest' } });
  assert.deepEqual(taskChance({ task: 'piqa', chance: 0.45, chanceFrom: 'option' }), {
    level: 0.45,
    source: { from: 'option' },
  });
  assert.deepEqual(taskChance({ task: 'my_task', chance: 0, chanceFrom: 'parts' }), {
    level: 0,
    source: { from: 'parts' },
  });
});

test('the table agrees with the chance level of every task the bundled ladder manifests give (and knows none of the others)', () => {
  let checked = 0;
  for (const file of [
    'examples/downstream/olmo-ladder/ladder.json',
    'examples/downstream/olmo-ladder/ladder-3b.json',
    'examples/downstream/pythia/ladder.json',
    'examples/downstream/gemstones/ladder.json',
  ]) {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { tasks: { task: string; chance: number }[] };
    for (const t of manifest.tasks) {
      const derived = level(t.task);
      if (t.task === 'lambada_openai') assert.equal(derived, undefined, 'a generative task has no answer choices');
      else {
        assert.ok(derived !== undefined && Math.abs(derived - t.chance) < 1e-12, `${file}: ${t.task}`);
        checked++;
      }
    }
  }
  assert.equal(checked, 32);
});
