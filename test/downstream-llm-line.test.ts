/**
 * The bundled Pythia ladder from "LLMs on the Line" (examples/downstream/llm-line-pythia/): its numbers are the
 * source file's (brendel-group/llm-line data/latest_pm_hf.csv) and each N the model card's total.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTaskMetrics } from '../src/io/readTaskMetrics.js';

const MANIFEST = 'examples/downstream/llm-line-pythia/ladder.json';

test('the bundled llm-line Pythia ladder: 7 sizes × one final checkpoint, 9 tasks with accuracy and task loss, numbers as in the source', () => {
  const data = readTaskMetrics([MANIFEST]);
  const runs = [...new Set(data.records.map((r) => r.run))];
  assert.deepEqual(runs.sort(), [
    'pythia-1.4b',
    'pythia-12b',
    'pythia-160m',
    'pythia-1b',
    'pythia-2.8b',
    'pythia-410m',
    'pythia-70m',
  ]);
  assert.equal(data.tasks.length, 9);
  assert.ok(!data.tasks.some((t) => t.task === 'mmlu'), 'MMLU has no loss for any Pythia row: left out');
  // Every record at the final step: 143,000 × 2,097,152 tokens.
  assert.deepEqual([...new Set(data.records.map((r) => r.D))], [299_892_736_000]);
  const at = (run: string, task: string, metric: string) => {
    const hits = data.records.filter((r) => r.run === run && r.task === task && r.metric === metric);
    assert.equal(hits.length, 1, `${run} ${task} ${metric}`);
    return hits[0];
  };
  // latest_pm_hf.csv, row EleutherAI/pythia-1b: HellaSwag Accuracy, Loss and BPB.
  assert.equal(at('pythia-1b', 'hellaswag', 'acc').value, 0.3776140211113324);
  assert.equal(at('pythia-1b', 'hellaswag', 'ce').value, 2.8019759915616547);
  assert.equal(at('pythia-1b', 'hellaswag', 'bpb').value, 0.827013539379456);
  // Row EleutherAI/pythia-12b: PIQA Loss; its N is the model card's 11,846,072,320 (the file's Size
  // 11,586,549,760 plus one 50,688 × 5,120 embedding matrix).
  assert.equal(at('pythia-12b', 'piqa', 'ce').value, 3.3147405999333146);
  assert.equal(at('pythia-12b', 'piqa', 'ce').N, 11_586_549_760 + 50_688 * 5_120);
  assert.equal(at('pythia-70m', 'openbookqa', 'acc').value, 0.122);
});
