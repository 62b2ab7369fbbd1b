import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors/index.js';
import { parseTaskMetrics } from '../io/parseTaskMetrics.js';
import { RunStore } from './store.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/downstream/${name}`, import.meta.url), 'utf8');

test('task metrics: an lm-evaluation-harness results file goes into the store and reads back; a re-import adds nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-tasks-'));
  try {
    const store = RunStore.open(join(dir, 'runs.db'));
    const set = parseTaskMetrics(fixture('lm-eval-pythia-160m-step143000.json'), {
      source: 'r.json',
      batchTokens: 2097152,
    });
    assert.deepEqual(await store.importTaskMetrics('pythia', set), { added: 6, skipped: 0 });
    assert.deepEqual(await store.importTaskMetrics('pythia', set), { added: 0, skipped: 6 });
    const back = store.taskMetrics('pythia');
    assert.equal(back.length, 6);
    const piqa = back.find((r) => r.task === 'piqa' && r.metric === 'acc')!;
    assert.deepEqual(
      [piqa.run, piqa.N, piqa.D, piqa.step, piqa.value],
      ['EleutherAI/pythia-160m', 162322944, 143000 * 2097152, 143000, 0.6273122959738846],
    );
    // Where each value was imported from, for the analyses' errors: the file and line, not a row number.
    const imported = set.records.find((r) => r.task === 'piqa' && r.metric === 'acc')!;
    assert.deepEqual([piqa.file, piqa.line], ['r.json', imported.line]);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('task metrics: a file that contradicts a stored value is refused whole, naming both', async () => {
  const store = RunStore.open(':memory:');
  await store.importTaskMetrics('s', parseTaskMetrics(fixture('long.csv'), { source: 'long.csv' }));
  const changed = fixture('long.csv').replace(
    'r2,4e8,8e9,2.7,arc_easy,acc,0.52',
    'r2,4e8,8e9,2.7,arc_easy,acc,0.52\nr3,1e9,2e10,2.5,arc_easy,acc,0.6\nr1,1e8,4e9,3.0,arc_easy,acc,0.45',
  );
  await assert.rejects(
    store.importTaskMetrics('s', parseTaskMetrics(changed, { source: 'changed.csv' })),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.line === 7 &&
      /0\.45 .*but 0\.44 in the store \(from long\.csv:4\)/.test(e.message),
  );
  // The new run r3 of the refused file was not kept: the file is one transaction.
  assert.equal(store.taskMetrics('s').filter((r) => r.run === 'r3').length, 0);
  assert.equal(store.taskMetrics('s').length, 4);
  store.close();
});

test("task metrics: a manifest's task definitions and run roles are stored with the metrics; the same again is skipped, a different one refused whole", async () => {
  const store = RunStore.open(':memory:');
  const set = parseTaskMetrics(fixture('long.csv'), { source: 'long.csv' });
  const tasks = [{ task: 'arc_easy', accuracyMetric: 'acc', chance: 0.25 }];
  const roles = new Map([
    ['r1', 'ladder' as const],
    ['r2', 'target' as const],
  ]);
  await store.importTaskMetrics('s', set, {}, { tasks, roles, source: 'ladder.json' });
  assert.deepEqual(store.taskDefinitions('s'), tasks);
  assert.deepEqual([...store.taskRunRoles('s')].sort(), [
    ['r1', 'ladder'],
    ['r2', 'target'],
  ]);
  // The same manifest again adds nothing and is not refused.
  assert.deepEqual(await store.importTaskMetrics('s', set, {}, { tasks, roles, source: 'ladder.json' }), {
    added: 0,
    skipped: 4,
  });
  // Another chance level for the task: refused, naming both manifests; nothing of that file is kept.
  const more = parseTaskMetrics(fixture('long.csv') + 'r9,1e9,2e10,2.5,arc_easy,acc,0.6\n', { source: 'more.csv' });
  await assert.rejects(
    store.importTaskMetrics('s', more, {}, { tasks: [{ ...tasks[0], chance: 0.2 }], source: 'other.json' }),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.file === 'other.json' &&
      /in the store \(from ladder\.json\)/.test(e.message),
  );
  await assert.rejects(
    store.importTaskMetrics('s', more, {}, { roles: new Map([['r2', 'ladder' as const]]), source: 'other.json' }),
    /run "r2" has role "ladder" here, but "target" in the store/,
  );
  assert.equal(store.taskMetrics('s').filter((r) => r.run === 'r9').length, 0);
  store.close();
});

test('task metrics: a store made before task definitions were kept is upgraded on opening, its metrics intact', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-tasks-'));
  try {
    const path = join(dir, 'runs.db');
    const old = RunStore.open(path);
    await old.importTaskMetrics('s', parseTaskMetrics(fixture('long.csv'), { source: 'long.csv' }));
    // The schema as it was (version 4): without the two tables of the last migration.
    old.db.exec('DROP TABLE task_definitions; DROP TABLE task_run_roles');
    old.db.pragma('user_version = 4');
    old.close();
    const store = RunStore.open(path);
    assert.equal(store.db.pragma('user_version', { simple: true }), 8);
    assert.equal(store.taskMetrics('s').length, 4);
    assert.deepEqual(store.taskDefinitions('s'), []);
    await store.importTaskMetrics(
      's',
      parseTaskMetrics(fixture('long.csv'), { source: 'long.csv' }),
      {},
      {
        tasks: [{ task: 'arc_easy', chance: 0.25 }],
      },
    );
    assert.deepEqual(store.taskDefinitions('s'), [{ task: 'arc_easy', chance: 0.25 }]);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("task metrics: an lm-eval file's groups and few-shot counts are kept; a task stored at two counts is refused as it is read, naming both", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-tasks-'));
  try {
    const store = RunStore.open(join(dir, 'runs.db'));
    const set = parseTaskMetrics(fixture('lm-eval-0.4-mmlu-group-step1144.json'), {
      source: 'g.json',
      batchTokens: 1048576,
      N: 6e7,
    });
    await store.importTaskMetrics('s', set);
    const { groups, unrecorded } = store.taskMetricContext('s');
    assert.deepEqual(groups, set.groups, 'mmlu and its 4 categories, each with its direct members');
    assert.equal(groups.mmlu.length, 4);
    assert.deepEqual(unrecorded, { metrics: 0, files: [] });
    const shots = store.db
      .prepare(
        `SELECT DISTINCT task, shots FROM task_metrics WHERE task IN ('arc_easy', 'mmlu', 'mmlu_anatomy') ORDER BY task`,
      )
      .all();
    assert.deepEqual(
      shots,
      [
        { task: 'arc_easy', shots: 0 },
        { task: 'mmlu', shots: null },
        { task: 'mmlu_anatomy', shots: 5 },
      ],
      "a group's aggregate has no count of its own",
    );
    // A store written by hand with a second count (an import refuses it): refused as it is read.
    store.db.prepare(`UPDATE task_metrics SET shots = 5 WHERE task = 'arc_easy' AND metric = 'acc_norm'`).run();
    assert.throws(
      () => store.taskMetricContext('s'),
      (e: unknown) =>
        e instanceof InputError &&
        e.location.file === 'g.json' &&
        /task arc_easy is stored 5-shot here \(run "\/ckpt\/ladder-60m-20x"\) and 0-shot at g\.json:\d+ \(run "\/ckpt\/ladder-60m-20x"\) in study "s" of .*runs\.db: expected one few-shot count per task/.test(
          e.message,
        ),
    );
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
