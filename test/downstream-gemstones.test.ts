import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTaskMetrics } from '../src/io/readTaskMetrics.js';
import { scalelab } from './helpers/cli.js';

const MANIFEST = 'examples/downstream/gemstones/ladder.json';

test('the bundled Gemstones ladder: 22 shapes × 35 checkpoints, numbers as in the source (light_eval_df.parquet, bhagia_task_losses)', () => {
  const data = readTaskMetrics([MANIFEST]);
  const runs = new Set(data.records.map((r) => r.run));
  assert.equal(runs.size, 22);
  assert.equal(data.tasks.length, 9);
  for (const run of runs)
    assert.equal(
      new Set(data.records.filter((r) => r.run === run).map((r) => r.D)).size,
      35,
      `${run}: 35 checkpoints (steps 2,385 … 81,090 and main = 83,475)`,
    );
  const at = (run: string, D: number, task: string, metric: string) => {
    const hits = data.records.filter((r) => r.run === run && r.D === D && r.task === task && r.metric === metric);
    assert.equal(hits.length, 1, `${run} ${D} ${task} ${metric}`);
    return hits[0];
  };
  const main = 83475 * 2048 * 2048;
  // light_eval_df.parquet, row "Gemstone-1792x18-main", column arc:easy.
  assert.equal(at('Gemstone-1792x18', main, 'arc_easy', 'acc_norm').value, 0.577);
  // Mean of the 1,172 values of Gemstone-1792x18/main/losses_arcc.json: 4.077938442242431 (kept to 9 digits).
  assert.ok(Math.abs(at('Gemstone-1792x18', main, 'arc_challenge', 'ce').value - 4.077938442242431) < 1e-8);
  // Gemstone-256x23/step_00047700: hellaswag accuracy 0.296; the mean of the 10,042 values (indomain and zeroshot) 3.6772339489682695.
  const D = 47700 * 2048 * 2048;
  assert.equal(at('Gemstone-256x23', D, 'hellaswag', 'acc_norm').value, 0.296);
  assert.ok(Math.abs(at('Gemstone-256x23', D, 'hellaswag', 'ce').value - 3.6772339489682695) < 1e-8);
  // N is the authors' param_counter(768, 3), as examples/benchmark/gemstones-cooldown documents.
  assert.equal(data.records.find((r) => r.run === 'Gemstone-768x3')!.N, 103_814_400);
});

test('downstream screen on the bundled Gemstones ladder: a verdict per task', { timeout: 120_000 }, () => {
  const r = scalelab(['downstream', 'screen', MANIFEST, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const verdicts = Object.fromEntries(r.json().map((t: { task: string; verdict: string }) => [t.task, t.verdict]));
  assert.deepEqual(Object.keys(verdicts).sort(), [
    'arc_challenge',
    'arc_easy',
    'commonsense_qa',
    'hellaswag',
    'mmlu',
    'openbookqa',
    'piqa',
    'siqa',
    'winogrande',
  ]);
  assert.equal(verdicts.arc_easy, 'predictable');
  assert.equal(verdicts.hellaswag, 'predictable');
  // SIQA moves 0.38 → 0.41 over the whole ladder: its evaluation noise is a large share of that.
  assert.equal(verdicts.siqa, 'noisy');
});

/** `downstream predict` of HellaSwag for a 7B model at D tokens, with the extra flags. */
const predictHellaswag = (D: string, ...extra: string[]) =>
  scalelab(['downstream', 'predict', MANIFEST, '--task', 'hellaswag', '--N', '7e9', '--D', D, ...extra]);

test('downstream predict --bootstrap on the Gemstones: refused, saying why (every run ends at 350B tokens, so step 1 cannot be refitted in D) and what to do', () => {
  const r = predictHellaswag('1.4e11', '--bootstrap', '10');
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /needs runs ending at two or more token counts: every run's final checkpoint is at D = 3\.501195264e11 \(the count to predict at\); ask for 0 bootstrap replicates/,
  );
});

test('downstream predict on the Gemstones at another D: the point prediction comes with the caveat that step 1 has nothing on D; at 350B none', () => {
  const at = (D: string, json: boolean) => predictHellaswag(D, '--bootstrap', '0', ...(json ? ['--json'] : []));
  const text = at('1e12', false);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /every ladder run ends at D = 3\.501195264e11 tokens, so step 1's law has nothing on D/);
  // The ladder's D is written exactly, beside the target's: 3.5e11 is not it, and the two read apart.
  const near = predictHellaswag('3.5e11', '--bootstrap', '0');
  assert.match(
    near.stdout,
    /ends at D = 3\.501195264e11 tokens, so step 1's law has nothing on D: the predictions at another D \(given, D = 3\.5e11\)/,
  );
  const json = at('1e12', true);
  assert.equal(json.code, 0, json.stderr);
  assert.equal(json.json()[0].caveats.length, 1);
  const same = at('350119526400', true);
  assert.equal(same.code, 0, same.stderr);
  assert.equal(same.json()[0].caveats, undefined);
});

test('plan --target-accuracy on the Gemstones: not planned, saying why (a compute-optimal N and D needs runs at two or more token counts)', () => {
  const r = scalelab(['plan', '--target-accuracy', 'hellaswag=0.7', '--downstream', MANIFEST, '--json']);
  // A task asked for and not planned: the run is a failure (exit 1), its reason on stderr too.
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /no task could be planned \(1 tried\):\n {2}hellaswag: every ladder run ends at D/);
  const [row] = r.json().accuracy.tasks;
  assert.equal(row.plan, undefined);
  assert.match(
    row.problem,
    /every ladder run ends at D = 3\.501195264e11 tokens: a compute-optimal plan .* two or more token counts/,
  );
  const text = scalelab(['plan', '--target-accuracy', 'hellaswag=0.7', '--downstream', MANIFEST]);
  assert.match(text.stdout, /hellaswag: not planned: every ladder run ends at D/);
});
