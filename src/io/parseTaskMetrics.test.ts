import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InputError } from '../errors/index.js';
import { mergeTaskMetricSets, metricColumn, parseTaskMetrics, type TaskMetricSet } from './parseTaskMetrics.js';
import { averageTask } from '../analyses/downstreamLadder.js';
import { taskMetricsFromFiles } from './taskMetricFiles.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/downstream/${name}`, import.meta.url), 'utf8');

test('long CSV: one metric a row, N, tokens and validation loss alongside', () => {
  const set = parseTaskMetrics(fixture('long.csv'), { source: 'long.csv' });
  assert.equal(set.format, 'long');
  assert.equal(set.records.length, 4);
  assert.deepEqual(
    { ...set.records[1] },
    { run: 'r1', N: 1e8, D: 2e9, valLoss: 3.1, task: 'arc_easy', metric: 'bpb', value: 1.2, line: 3, column: 7 },
  );
});

test('long CSV with semicolons or tabs (a spreadsheet export) is read as the long format, like the comma one', () => {
  const comma = parseTaskMetrics(fixture('long.csv'), { source: 'long.csv' });
  for (const [sep, name] of [
    [';', 'long-semicolon.csv'],
    ['\t', 'long.tsv'],
  ]) {
    const text = fixture('long.csv').replace(/,/g, sep);
    const set = parseTaskMetrics(text, { source: name });
    assert.equal(set.format, 'long', name);
    assert.deepEqual(
      set.records.map((r) => [r.run, r.task, r.metric, r.value]),
      comma.records.map((r) => [r.run, r.task, r.metric, r.value]),
    );
  }
});

test('long CSV: a value that is not a number is refused at its line and column', () => {
  assert.throws(
    () => parseTaskMetrics(fixture('long-bad.csv'), { source: 'long-bad.csv' }),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.line === 3 &&
      e.location.column === 6 &&
      /expected a number, got "high"/.test(e.message),
  );
});

test('wide CSV: OLMo ladder column names become (task, metric); step × batch tokens gives D; empty cells are counted', () => {
  const text = [
    '_step,eval/c4_en-validation/CrossEntropyLoss,eval/downstream_bpb/piqa_val_rc_5shot_bpb,eval/downstream/piqa_val_rc_5shot_len_norm,eval/downstream/boolq_val_rc_5shot_acc,optim/learning_rate_group0,batch_size_in_tokens',
    '100,3.5,1.1,0.61,0.55,0.001,1000',
    '200,3.4,1.0,0.63,,0.001,1000',
  ].join('\n');
  const set = parseTaskMetrics(text, { source: 'ladder.csv', run: '190M-1xC', N: 1.9e8, flopsPerToken: 2e9 });
  assert.equal(set.format, 'wide');
  assert.equal(set.emptyCells, 1);
  assert.deepEqual(set.ignoredColumns, ['optim/learning_rate_group0']);
  const piqa = set.records.filter((r) => r.task === 'piqa_val_rc_5shot' && r.D === 2e5);
  assert.deepEqual(
    piqa.map((r) => [r.metric, r.value, r.valLoss, r.C]),
    [
      ['bpb', 1, 3.4, 4e14],
      ['len_norm', 0.63, 3.4, 4e14],
    ],
  );
  assert.deepEqual(metricColumn('arc_easy/acc'), { task: 'arc_easy', metric: 'acc' });
  assert.equal(metricColumn('throughput/total_tokens'), undefined);
});

test('wide CSV: a bad cell names its column', () => {
  assert.throws(
    () => parseTaskMetrics('run,tokens,arc_easy/acc\na,100,0.4\na,200,n/a\n', { source: 'w.csv' }),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.line === 3 &&
      e.location.column === 3 &&
      e.location.columnName === 'arc_easy/acc',
  );
});

test('a spreadsheet of evaluations: sizes with suffixes (125M, 2.5B) read as in a runs file; task columns without a metric are named with the names to write', () => {
  const sheet = 'model,params,tokens,arc_easy/acc,piqa/acc\nm125,125M,2.5B,0.45,0.63\nm350,350M,7B,0.50,0.66\n';
  const set = parseTaskMetrics(sheet, { source: 'evals.csv' });
  assert.deepEqual(
    set.records.filter((r) => r.task === 'arc_easy').map((r) => [r.run, r.N, r.D, r.value]),
    [
      ['m125', 1.25e8, 2.5e9, 0.45],
      ['m350', 3.5e8, 7e9, 0.5],
    ],
  );
  assert.throws(
    () => parseTaskMetrics('model,params,tokens,arc/acc\nm125,125m,2.5B,0.45\n', { source: 'evals.csv' }),
    /evals\.csv:2:2 \(column "params"\): expected a positive number, got "125m" \(a lowercase m could mean milli or mega: write 125M/,
  );
  assert.throws(
    () =>
      parseTaskMetrics('model,params,tokens,arc_easy,hellaswag,notes\nm125,125M,2.5B,0.45,0.31,ok\n', {
        source: 'evals.csv',
      }),
    (e: unknown) =>
      e instanceof InputError &&
      e.message ===
        'evals.csv:1: no task metric columns: expected columns such as "arc_easy/acc" or "eval/downstream_bpb/arc_easy_bpb" (or a long file with task, metric and value columns); arc_easy, hellaswag hold numbers between 0 and 1: if accuracies, name each by its task and metric (arc_easy/acc, hellaswag/acc)',
  );
});

test('lm-evaluation-harness results JSON: metrics per task, run and step from config.model_args, N from the config', () => {
  const set = parseTaskMetrics(fixture('lm-eval-pythia-160m-step143000.json'), {
    source: 'r.json',
    batchTokens: 2097152,
  });
  assert.equal(set.format, 'lm-eval');
  const got = Object.fromEntries(set.records.map((r) => [`${r.task} ${r.metric}`, r.value]));
  assert.deepEqual(Object.keys(got).sort(), [
    'arc_easy acc',
    'arc_easy acc_norm',
    'lambada_openai acc',
    'lambada_openai perplexity',
    'piqa acc',
    'piqa acc_norm',
  ]);
  assert.equal(got['piqa acc'], 0.6273122959738846);
  const r = set.records[0];
  assert.equal(r.run, 'EleutherAI/pythia-160m');
  assert.equal(r.step, 143000);
  assert.equal(r.D, 143000 * 2097152);
  assert.equal(r.N, 162322944);
  assert.ok(r.line > 1 && r.column! > 1);
});

test("lm-evaluation-harness 0.4 JSON of a local checkpoint: the step from its folder, the run the folder above, MMLU's group and n-shot read", () => {
  // pretrained=/ckpt/ladder-60m-20x/step1144, no revision and no model_num_parameters; MMLU 5-shot with its
  // aggregate, four categories (stderr "N/A") and 57 subjects; the other tasks 0-shot.
  const set = parseTaskMetrics(fixture('lm-eval-0.4-mmlu-group-step1144.json'), {
    source: 'r.json',
    batchTokens: 1048576,
  });
  const r = set.records[0];
  assert.equal(r.run, '/ckpt/ladder-60m-20x');
  assert.equal(r.step, 1144);
  assert.equal(r.D, 1144 * 1048576);
  assert.equal(r.N, undefined);
  assert.deepEqual(set.groups?.mmlu, ['mmlu_humanities', 'mmlu_other', 'mmlu_social_sciences', 'mmlu_stem']);
  assert.equal(set.groups?.mmlu_stem?.length, 15);
  assert.equal(Object.keys(set.groups ?? {}).length, 5);
  assert.equal(set.shots?.mmlu_anatomy?.shots, 5);
  assert.equal(set.shots?.arc_easy?.shots, 0);
  // A group's aggregate has its members' count, not its own.
  assert.equal(set.shots?.mmlu, undefined);
  // The "N/A" standard errors are skipped; the aggregate's accuracy is read.
  assert.equal(set.records.filter((x) => x.task === 'mmlu').length, 1);
  // Other checkpoint folders: Hugging Face's Trainer, DeepSpeed, Megatron.
  const one = (pretrained: string) => {
    const got = parseTaskMetrics(
      JSON.stringify({ results: { piqa: { 'acc,none': 0.6 } }, config: { model_args: `pretrained=${pretrained}` } }),
      { source: 'x.json' },
    ).records[0];
    return [got.run, got.step];
  };
  assert.deepEqual(one('/out/run-a/checkpoint-2000'), ['/out/run-a', 2000]);
  assert.deepEqual(one('/out/run-a/global_step2000/'), ['/out/run-a', 2000]);
  assert.deepEqual(one('runs/b/iter_0002000'), ['runs/b', 2000]);
  // A revision names the step itself; a model named by its hub id has no folder step.
  assert.deepEqual(one('/out/run-a/step5,revision=step7'), ['/out/run-a/step5', 7]);
  assert.throws(
    () => one('EleutherAI/pythia-160m'),
    /no checkpoint: expected revision=stepNNN in config\.model_args, or a checkpoint folder/,
  );
});

test('lm-evaluation-harness JSON: a task evaluated 0-shot in one file and 5-shot in another is refused at the n-shot key, not fitted as one curve', () => {
  const text = fixture('lm-eval-0.4-mmlu-group-step1144.json');
  const zero = parseTaskMetrics(text, { source: 'a.json', batchTokens: 1 });
  // Another checkpoint of the run, arc_easy evaluated 5-shot there.
  const fiveShot = text.replace('step1144', 'step2288').replace(/("n-shot": \{[^}]*"arc_easy": )0/, '$15');
  assert.notEqual(fiveShot, text.replace('step1144', 'step2288'));
  const five = parseTaskMetrics(fiveShot, { source: 'b.json', batchTokens: 1 });
  assert.equal(five.shots?.arc_easy?.shots, 5);
  const line = fiveShot.slice(0, fiveShot.indexOf('"arc_easy"', fiveShot.indexOf('"n-shot"'))).split('\n').length;
  assert.throws(
    () => mergeTaskMetricSets([zero, five]),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.file === 'b.json' &&
      e.location.line === line &&
      e.message.includes(`task arc_easy was evaluated 5-shot here ("n-shot") and 0-shot at a.json:${line}`),
  );
  // The same count in both files merges.
  assert.ok(
    mergeTaskMetricSets([
      zero,
      parseTaskMetrics(text.replace('step1144', 'step2288'), { source: 'c.json', batchTokens: 1 }),
    ]).length > 0,
  );
});

test("lm-evaluation-harness 0.3 JSON: its one few-shot count (config.num_fewshot) is every task's, and a 0.3 5-shot file is refused beside a 0-shot one", () => {
  // 0.3 writes no "n-shot", only --num_fewshot in its config: before, 0-shot and 5-shot files pooled unsaid.
  const v03 = (shots: number, step: number) =>
    JSON.stringify(
      {
        results: { arc_easy: { acc: 0.5, acc_norm: 0.45 }, piqa: { acc: 0.6 } },
        config: {
          model: 'hf-causal',
          model_args: `pretrained=EleutherAI/pythia-160m,revision=step${step}`,
          num_fewshot: shots,
        },
      },
      null,
      2,
    );
  const zero = parseTaskMetrics(v03(0, 1000), { source: 'a.json', batchTokens: 1 });
  assert.deepEqual(zero.shots?.piqa, { shots: 0, line: 14, column: 5, key: 'config.num_fewshot' });
  const five = parseTaskMetrics(v03(5, 2000), { source: 'b.json', batchTokens: 1 });
  assert.throws(
    () => mergeTaskMetricSets([zero, five]),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.file === 'b.json' &&
      e.location.line === 14 &&
      e.message.includes('task arc_easy was evaluated 5-shot here (config.num_fewshot) and 0-shot at a.json:14'),
  );
  assert.equal(
    mergeTaskMetricSets([zero, parseTaskMetrics(v03(0, 2000), { source: 'c.json', batchTokens: 1 })]).length,
    6,
  );
});

test('lm-evaluation-harness JSON: a checkpoint folder under a folder every run may have (checkpoints/step100) is refused without --run, not read as one run', () => {
  const file = (pretrained: string) =>
    JSON.stringify({ results: { piqa: { 'acc,none': 0.6 } }, config: { model_args: `pretrained=${pretrained}` } });
  for (const p of ['checkpoints/step100', './checkpoints/step100', '/ckpt/step100', 'output/checkpoint-100'])
    assert.throws(
      () => parseTaskMetrics(file(p), { source: 'x.json' }),
      (e: unknown) =>
        e instanceof InputError &&
        e.location.line === 1 &&
        /names a checkpoint folder \(step 100\) but no run: "\w+" is a folder every run may have.*name the run \(.*run.* NAME\)$/.test(
          e.message,
        ),
      p,
    );
  // Named with --run, or under the run's folder, it is read.
  assert.equal(parseTaskMetrics(file('checkpoints/step100'), { source: 'x.json', run: 'a' }).records[0].step, 100);
  assert.equal(
    parseTaskMetrics(file('/ckpt/ladder-a/checkpoints/step100'), { source: 'x.json' }).records[0].run,
    '/ckpt/ladder-a/checkpoints',
  );
  // Folders that name no step are no step: step-by-step-eval, iter_final, seed_3.
  for (const p of ['/ckpt/a/step-by-step-eval', '/ckpt/a/iter_final', '/ckpt/a/seed_3'])
    assert.throws(() => parseTaskMetrics(file(p), { source: 'x.json' }), /no checkpoint: expected revision=stepNNN/, p);
});

test("lm-evaluation-harness groups nested (mmlu → mmlu_stem → subjects): 0.4.0's configs with its aliases' tree, and a category without an aggregate, each make mmlu stand for its subjects once", () => {
  const result = (alias: string) => ({ 'acc,none': 0.3, alias });
  const config = { model_args: 'pretrained=/ckpt/a/step10' };
  // lm-eval 0.4.0–0.4.1: no group_subtasks; subjects' configs name their category, and only the aliases'
  // indent says the categories are within mmlu. Before, mmlu had no members: an average over every task
  // counted mmlu beside its 2 categories, MMLU 3 of 4 weights.
  const v040 = {
    results: {
      mmlu: result('mmlu'),
      mmlu_humanities: result(' - humanities'),
      mmlu_formal_logic: result('  - formal_logic'),
      mmlu_stem: result(' - stem'),
      mmlu_anatomy: result('  - anatomy'),
      mmlu_astronomy: result('  - astronomy'),
      mmlu_machine_learning: result('  - machine_learning'),
      arc_easy: result('arc_easy'),
    },
    groups: { mmlu: result('mmlu'), mmlu_humanities: result(' - humanities'), mmlu_stem: result(' - stem') },
    configs: {
      mmlu_formal_logic: { group: 'mmlu_humanities' },
      mmlu_anatomy: { group: 'mmlu_stem' },
      mmlu_astronomy: { group: 'mmlu_stem' },
      mmlu_machine_learning: { group: 'mmlu_stem' },
      arc_easy: {},
    },
    config,
  };
  const old = parseTaskMetrics(JSON.stringify(v040), { source: 'a.json', batchTokens: 1 });
  assert.deepEqual(old.groups, {
    mmlu: ['mmlu_humanities', 'mmlu_stem'],
    mmlu_humanities: ['mmlu_formal_logic'],
    mmlu_stem: ['mmlu_anatomy', 'mmlu_astronomy', 'mmlu_machine_learning'],
  });
  const average = (set: TaskMetricSet) =>
    averageTask({ source: set.source, sets: [set], records: set.records, roles: new Map(), tasks: [] }, 'core', 'all');
  assert.deepEqual(Object.keys(average(old).parts!).sort(), ['arc_easy', 'mmlu']);
  assert.deepEqual(average(old).partGroups, { mmlu: 4 });
  // Its keys sorted since (json.dump(sort_keys=True)): the configs still place each subject (machine_learning
  // now follows humanities' alias, and stays in stem).
  const sorted = JSON.parse(JSON.stringify(v040)) as typeof v040;
  sorted.results = Object.fromEntries(
    Object.entries(v040.results).sort(([a], [b]) => a.localeCompare(b)),
  ) as typeof v040.results;
  assert.deepEqual(parseTaskMetrics(JSON.stringify(sorted), { source: 's.json', batchTokens: 1 }).groups, old.groups);
  // 0.4.2 on: group_subtasks, but a category with no aggregate of its own (only its alias): its subjects are
  // mmlu's. Before, mmlu stood for the category alone, and its subjects were counted beside it.
  const { mmlu_stem: _stem, ...results } = v040.results;
  void _stem;
  const newer = parseTaskMetrics(
    JSON.stringify({
      results: { ...results, mmlu_stem: { alias: ' - stem' } },
      group_subtasks: {
        mmlu_humanities: ['mmlu_formal_logic'],
        mmlu_stem: ['mmlu_anatomy', 'mmlu_astronomy', 'mmlu_machine_learning'],
        mmlu: ['mmlu_humanities', 'mmlu_stem'],
        arc_easy: [],
      },
      config,
    }),
    { source: 'b.json', batchTokens: 1 },
  );
  assert.deepEqual(newer.groups, {
    mmlu_humanities: ['mmlu_formal_logic'],
    mmlu: ['mmlu_humanities', 'mmlu_anatomy', 'mmlu_astronomy', 'mmlu_machine_learning'],
  });
  assert.deepEqual(Object.keys(average(newer).parts!).sort(), ['arc_easy', 'mmlu']);
});

test('lm-evaluation-harness JSON: a task with only an alias and standard errors is named, not dropped unseen', () => {
  const text =
    '{"results": {"piqa": {"alias": "piqa", "acc_stderr,none": 0.01}, "sciq": {"acc,none": 0.7}},\n "config": {"model_args": "pretrained=m,revision=step10"}}\n';
  const set = parseTaskMetrics(text, { source: 'r.json', batchTokens: 1000 });
  assert.deepEqual(
    set.records.map((r) => r.task),
    ['sciq'],
  );
  assert.deepEqual(set.tasksWithoutMetrics, ['piqa']);
  assert.equal(
    parseTaskMetrics(fixture('lm-eval-pythia-160m-step143000.json'), { source: 'r.json', batchTokens: 1 })
      .tasksWithoutMetrics,
    undefined,
  );
});

test("lm-evaluation-harness JSON: a metric under two filters (gsm8k's strict-match and flexible-extract) is two metrics, not a contradiction", () => {
  const text =
    '{"results": {"gsm8k": {"alias": "gsm8k", "exact_match,strict-match": 0.02, "exact_match_stderr,strict-match": 0.004,\n' +
    '  "exact_match,flexible-extract": 0.05, "exact_match_stderr,flexible-extract": 0.006},\n' +
    '  "piqa": {"acc,none": 0.6, "acc_norm,none": 0.61}},\n "config": {"model_args": "pretrained=m,revision=step10"}}\n';
  const set = parseTaskMetrics(text, { source: 'r.json', batchTokens: 1000 });
  assert.deepEqual(
    set.records.map((r) => [r.task, r.metric, r.value]),
    [
      ['gsm8k', 'exact_match,strict-match', 0.02],
      ['gsm8k', 'exact_match,flexible-extract', 0.05],
      ['piqa', 'acc', 0.6],
      ['piqa', 'acc_norm', 0.61],
    ],
  );
  // Merged as the analyses merge files: no "one value per run, checkpoint, task and metric" refusal.
  assert.equal(mergeTaskMetricSets([set]).length, 4);
  // An accuracy under a filter is still checked as an accuracy.
  assert.throws(
    () => parseTaskMetrics(text.replace('"acc,none": 0.6', '"acc,strip": 60'), { source: 'r.json', batchTokens: 1 }),
    /percentage/,
  );
});

test('lm-evaluation-harness JSON: a metric that is not a number is located', () => {
  const text =
    '{\n  "results": {\n    "piqa": {\n      "acc,none": "high"\n    }\n  },\n  "config": {"model_args": "pretrained=m,revision=step10"}\n}\n';
  assert.throws(
    () => parseTaskMetrics(text, { source: 'bad.json' }),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.line === 4 &&
      e.location.column === 7 &&
      /expected a number/.test(e.message),
  );
  assert.throws(
    () => parseTaskMetrics('{"results": {"piqa": {"acc": 0.5}}', { source: 'cut.json' }),
    (e: unknown) =>
      e instanceof InputError &&
      e.message ===
        'cut.json:1:35: malformed JSON: expected "}" to close the object; expected an lm-evaluation-harness results file',
  );
});

test("lm-evaluation-harness JSON: Python's bare NaN is read — a NaN standard error is skipped, a NaN metric refused where it is", () => {
  const ok = parseTaskMetrics(
    '{"results": {"a": {"acc": 0.5, "acc_stderr": NaN}}, "config": {"model_args": "pretrained=m,revision=step1"}}',
    { source: 'ok.json' },
  );
  assert.deepEqual(
    ok.records.map((r) => [r.metric, r.value]),
    [['acc', 0.5]],
  );
  // A NaN inside a string (a config's text) is text, not a bare NaN to tag.
  const quoted = parseTaskMetrics(
    '{"results": {"a": {"acc": 0.5, "acc_stderr": NaN}}, "config": {"model_args": "pretrained=m,revision=step1", "note": "scores: [0.1, NaN]"}}',
    { source: 'quoted.json' },
  );
  assert.deepEqual(
    quoted.records.map((r) => [r.metric, r.value]),
    [['acc', 0.5]],
  );
  assert.throws(
    () =>
      parseTaskMetrics('{"results": {"a": {"acc": NaN}}, "config": {"model_args": "pretrained=m,revision=step1"}}', {
        source: 'nan.json',
      }),
    (e: unknown) =>
      e instanceof InputError && e.location.column === 20 && /metric "acc": expected a number, got NaN/.test(e.message),
  );
});

test('an accuracy (acc, acc_norm, len_norm) outside [0, 1] is refused where it is, in each format; other metrics may exceed 1', () => {
  const refused = (text: string, source: string, line: number, column: number) =>
    assert.throws(
      () => parseTaskMetrics(text, { source, run: 'a', N: 1e8, batchTokens: 1000 }),
      (e: unknown) =>
        e instanceof InputError &&
        e.location.file === source &&
        e.location.line === line &&
        e.location.column === column &&
        /accuracy between 0 and 1/.test(e.message) &&
        /1\.7/.test(e.message),
    );
  refused('run,N,tokens,task,metric,value\nr1,1e8,2e9,arc_easy,acc,0.41\nr1,1e8,4e9,arc_easy,acc,1.7\n', 'l.csv', 3, 6);
  refused('run,tokens,arc_easy/bpb,arc_easy/acc_norm\na,100,1.2,0.4\na,200,1.1,1.7\n', 'w.csv', 3, 4);
  refused('_step,eval/downstream/piqa_val_rc_5shot_len_norm\n100,0.6\n200,-1.7\n', 'o.csv', 3, 2);
  const json = fixture('lm-eval-pythia-160m-step143000.json').replace('0.4351851851851852', '43.51851851851852');
  assert.throws(
    () => parseTaskMetrics(json, { source: 'r.json' }),
    // A percentage: the fraction it stands for is this value's, not a fixed example.
    (e: unknown) =>
      e instanceof InputError &&
      /accuracy between 0 and 1/.test(e.message) &&
      /a percentage\? give the fraction, 0\.435185 for 43\.5185 %/.test(e.message),
  );
  // A task loss or a perplexity above 1 is fine.
  const ok = parseTaskMetrics('run,N,tokens,task,metric,value\nr1,1e8,2e9,arc_easy,bpb,1.7\n', { source: 'ok.csv' });
  assert.equal(ok.records[0].value, 1.7);
});

test('records of several files: a repeated value counts once; a contradicting value, or a run with two sizes, is refused naming both places', () => {
  const a = parseTaskMetrics(
    'run,N,tokens,task,metric,value\nr1,1e8,2e9,arc_easy,acc,0.41\nr1,1e8,2e9,arc_easy,bpb,1.2\n',
    {
      source: 'a.csv',
    },
  );
  const same = parseTaskMetrics('run,N,tokens,task,metric,value\nr1,1e8,2e9,arc_easy,acc,0.41\n', { source: 'b.csv' });
  const merged = mergeTaskMetricSets([a, same]);
  assert.equal(merged.length, 2);
  assert.deepEqual(
    merged.map((r) => [r.metric, r.value]),
    [
      ['acc', 0.41],
      ['bpb', 1.2],
    ],
  );
  const other = parseTaskMetrics(
    'run,N,tokens,task,metric,value\nr2,4e8,2e9,arc_easy,acc,0.5\nr1,1e8,2e9,arc_easy,acc,0.1\n',
    {
      source: 'c.csv',
    },
  );
  assert.throws(
    () => mergeTaskMetricSets([a, other]),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.file === 'c.csv' &&
      e.location.line === 3 &&
      e.location.column === 6 &&
      /run "r1", D = 2e9, task arc_easy, metric acc: 0\.1 here, 0\.41 at a\.csv:2/.test(e.message),
  );
  // In one file too (a long CSV without a run column is one run named after its file: every row its run).
  const twoSizes = parseTaskMetrics(
    'N,tokens,task,metric,value\n1e8,2e9,arc_easy,acc,0.41\n2e8,2e9,arc_easy,acc,0.45\n',
    {
      source: 'noRun.csv',
      run: 'noRun',
    },
  );
  assert.throws(
    () => mergeTaskMetricSets([twoSizes]),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.file === 'noRun.csv' &&
      e.location.line === 3 &&
      /run "noRun" has N = 2e8 here and N = 1e8 at noRun\.csv:2/.test(e.message),
  );
});

test("W&B export: a trainer's step column is read before _step (the count of log calls); _step alone is read and flagged where it places checkpoints", () => {
  const opts = { source: 'w.csv', run: 'a', N: 1e8, batchTokens: 1000 };
  // Logged twice a step: _step counts the calls, trainer/global_step the optimizer steps.
  const both = parseTaskMetrics(
    ['_step,trainer/global_step,trainer/grad_norm,arc_easy/acc', '10,5,1.2,0.3', '20,10,1.1,0.4'].join('\n'),
    opts,
  );
  assert.deepEqual(
    both.records.map((r) => [r.step, r.D]),
    [
      [5, 5000],
      [10, 10000],
    ],
  );
  assert.equal(both.stepFromLogCount, undefined);
  assert.deepEqual(both.ignoredColumns, ['_step', 'trainer/grad_norm']);
  for (const name of ['global_step', 'train/global_step', 'step']) {
    const set = parseTaskMetrics([`${name},_step,arc_easy/acc`, '7,14,0.3'].join('\n'), opts);
    assert.equal(set.records[0].step, 7, name);
    assert.equal(set.stepFromLogCount, undefined, name);
  }
  const alone = parseTaskMetrics(['_step,arc_easy/acc', '10,0.3', '20,0.4'].join('\n'), opts);
  assert.deepEqual(
    alone.records.map((r) => r.D),
    [10000, 20000],
  );
  assert.equal(alone.stepFromLogCount, true);
  // With the tokens in a column, _step places nothing: not flagged.
  const tokens = parseTaskMetrics(['_step,throughput/total_tokens,arc_easy/acc', '10,5000,0.3'].join('\n'), opts);
  assert.equal(tokens.records[0].D, 5000);
  assert.equal(tokens.stepFromLogCount, undefined);
});

test("a W&B _step the caller vouches for (a manifest's loggedWithTrainerStep) places checkpoints unflagged", () => {
  const set = parseTaskMetrics(['_step,arc_easy/acc', '10,0.3'].join('\n'), {
    source: 'w.csv',
    run: 'a',
    N: 1e8,
    batchTokens: 1000,
    loggedWithTrainerStep: true,
  });
  assert.equal(set.records[0].D, 10000);
  assert.equal(set.stepFromLogCount, undefined);
});

/** The first InputError's message of a parse, with its location (file:line:column). */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return `${e.location.line ?? ''}:${e.location.column ?? ''} ${e.detail}`;
    throw e;
  }
  return 'accepted';
}

test('sizes beyond 1e100 are refused where they are, as a runs file refuses them, and so is a C = 6ND or D × FLOPs per token that leaves the range', () => {
  const head = 'run,N,step,tokens,task,metric,value\n';
  const at = (rows: string, options = {}) =>
    refusal(() => parseTaskMetrics(head + rows, { source: 'l.csv', ...options }));
  assert.match(
    at('a,1e8,1,1e9,arc,acc,0.3\na,1e8,2,1e308,arc,acc,0.4\n'),
    /^3:4 tokens = 1e308 is too large .*; expected values between 1e-100 and 1e100$/,
  );
  assert.match(at('a,1e-200,1,1e9,arc,acc,0.3\n'), /^2:2 N = 1e-200 is too small/);
  // Each within range, their product C = 6ND not.
  assert.match(at('a,1e60,1,1e60,arc,acc,0.3\n'), /^2:4 C = 6ND = 6 × 1e60 × 1e60 = 6e120 is too large/);
  assert.match(
    at('a,1e8,1,1e99,arc,acc,0.3\n', { flopsPerToken: 1e9 }),
    /^2:4 C = D × FLOPs per token = 1e99 × 1e9 = 1e108 is too large/,
  );
  assert.match(
    refusal(() =>
      parseTaskMetrics('run,N,tokens,C,task,metric,value\na,1e8,1e9,1e200,arc,bpb,0.3\n', { source: 'c.csv' }),
    ),
    /^2:4 C = 1e200 is too large/,
  );
  assert.match(at('a,1e8,1,1e9,arc,bpb,1e300\n'), /^2:7 value = 1e300 is too large/);
  // Within range everywhere: read.
  assert.equal(at('a,1e8,1,1e9,arc,acc,0.3\n'), 'accepted');
  // lm-evaluation-harness results: tokens from the checkpoint's step × tokens per step.
  const lmEval = (batchTokens: number) =>
    refusal(() => parseTaskMetrics(fixture('lm-eval-pythia-160m-step143000.json'), { source: 'r.json', batchTokens }));
  assert.match(lmEval(1e300), /^\d+:\d+ tokens = 1.43e305 is too large/);
  assert.equal(lmEval(2097152), 'accepted');
});

test('tokens that fall as the steps rise within a run are refused at the later step; equal steps with two token counts too', () => {
  const head = 'run,N,step,tokens,task,metric,value\n';
  const at = (rows: string) => refusal(() => parseTaskMetrics(head + rows, { source: 'l.csv' }));
  // A long file sorted by task lists a run's steps again for each task: tokens fall between rows, not steps.
  assert.equal(
    at('a,1e8,1,1e9,arc,acc,0.3\na,1e8,2,2e9,arc,acc,0.4\na,1e8,1,1e9,piqa,acc,0.5\na,1e8,2,2e9,piqa,acc,0.6\n'),
    'accepted',
  );
  assert.match(
    at('a,1e8,1,1e9,arc,acc,0.3\na,1e8,2,5e8,arc,acc,0.4\n'),
    /^3:4 tokens 5e8 at step 2 are fewer than 1e9 at step 1 \(line 2\); expected tokens that do not fall as the steps rise within a run$/,
  );
  assert.match(
    at('a,1e8,2,5e8,arc,acc,0.4\na,1e8,1,1e9,arc,acc,0.3\n'),
    /^2:4 tokens 5e8 at step 2 are fewer than 1e9 at step 1 \(line 3\)/,
  );
  assert.match(
    at('a,1e8,1,1e9,arc,acc,0.3\na,1e8,1,2e9,piqa,acc,0.4\n'),
    /^3:4 tokens 2e9 at step 1, and 1e9 at step 1 \(line 2\)/,
  );
  // Two runs each on their own schedule.
  assert.equal(at('a,1e8,1,1e9,arc,acc,0.3\nb,1e8,2,5e8,arc,acc,0.4\n'), 'accepted');
});

test('a ladder manifest: a UTF-8 BOM is read; a malformed one is refused as a manifest, at its line and column', () => {
  const manifest = '{\n  "runs": [\n    {"file": "a.csv", "run": "a", "N": 1e8}\n  ]\n}\n';
  const files = (text: string) => ({
    read: (path: string) =>
      path === 'ladder.json' ? text : 'run,N,step,tokens,task,metric,value\na,1e8,1,1e9,arc,acc,0.3\n',
    resolve: (_: string, file: string) => file,
  });
  const read = (text: string) => taskMetricsFromFiles(['ladder.json'], {}, files(text));
  assert.equal(read(`\ufeff${manifest}`).records.length, 1);
  assert.equal(read(`\ufeff${manifest}`).roles.get('a'), 'ladder');
  const comma = manifest.replace('1e8}\n', '1e8},\n');
  assert.match(
    refusal(() => read(comma)),
    /^4:3 malformed JSON: expected a value \(a trailing comma.*\); expected a ladder manifest/,
  );
  assert.match(
    refusal(() => read('{"runs": {"file": "a.csv"}}')),
    /^1:2 "runs": expected an array of runs/,
  );
});

test('a run logged twice at one step with different tokens (a rollback and resume) is refused, saying to keep the last logging of each step', () => {
  const text = [
    'run,N,step,tokens,task,metric,value',
    'r1,1e8,100,2e8,arc_easy,acc,0.41',
    'r1,1e8,200,4e8,arc_easy,acc,0.44',
    'r1,1e8,100,2.5e8,arc_easy,acc,0.42',
  ].join('\n');
  assert.throws(
    () => parseTaskMetrics(text, { source: 'rolled.csv' }),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.line === 4 &&
      /^rolled\.csv:4:4 \(column "tokens"\): tokens 2\.5e8 at step 100, and 2e8 at step 100 \(line 2\)/.test(
        e.message,
      ) &&
      /keep the last logging of each step/.test(e.message),
  );
});

test('a ladder manifest listing one file as two runs is refused at the second, not read as two runs of the same metrics', () => {
  const files = (text: string) => ({
    read: (path: string) =>
      path === 'ladder.json' ? text : 'step,tokens,task,metric,value\n1,1e9,arc,acc,0.3\n2,2e9,arc,acc,0.35\n',
    resolve: (_: string, file: string) => file,
  });
  const read = (text: string) => taskMetricsFromFiles(['ladder.json'], {}, files(text));
  // A line copied and its run and N edited, its file not: before, a.csv's metrics were run a's and run b's.
  const copied =
    '{\n  "runs": [\n    {"file": "a.csv", "run": "a", "N": 1e8},\n    {"file": "a.csv", "run": "b", "N": 2e8}\n  ]\n}\n';
  assert.match(
    refusal(() => read(copied)),
    /^4:14 runs\[1\] \(b, N = 2e8\): its file a\.csv is listed already, as run a \(N = 1e8\) at runs\[0\]; expected each run's own file/,
  );
  // The same line twice reads the run once.
  const twice =
    '{\n  "runs": [\n    {"file": "a.csv", "run": "a", "N": 1e8},\n    {"file": "a.csv", "run": "a", "N": 1e8}\n  ]\n}\n';
  assert.equal(read(twice).records.length, 2);
});
