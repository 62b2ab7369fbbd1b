import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { defaultResampleUnit, resampleClusters, selectGroups, type Dataset, type Run } from './dataset.js';
import { parseRuns } from './parseRuns.js';
import { InputError, OptionError } from '../errors/index.js';

const dataset = (runs: Omit<Run, 'line'>[]): Dataset => ({
  source: 'b.csv',
  runs: runs.map((r, i) => ({ ...r, line: i + 2 })),
  columns: { lineage: 'model' },
  derived: {},
});

test('resampleClusters: lineages group runs (and their checkpoints), runs group checkpoints, rows stand alone', () => {
  const d = dataset([
    { loss: 3, run: 'a1', lineage: 'a' },
    { loss: 3, run: 'a1', lineage: 'a' },
    { loss: 3, run: 'a2', lineage: 'a' },
    { loss: 3, run: 'b1', lineage: 'b' },
    { loss: 3, run: 'c1', lineage: 'c' },
  ]);
  assert.equal(defaultResampleUnit(d), 'lineage');
  assert.deepEqual(resampleClusters(d), { index: Int32Array.from([0, 0, 0, 1, 2]), count: 3 });
  assert.deepEqual(resampleClusters(d, 'run'), { index: Int32Array.from([0, 0, 1, 2, 3]), count: 4 });
  assert.equal(resampleClusters(d, 'row').count, 5);
  // Fewer than MIN_LINEAGES lineages, or a row without one: runs by default (fitWarnings says why).
  assert.equal(defaultResampleUnit(dataset(d.runs.slice(0, 4))), 'run');
  assert.equal(defaultResampleUnit(dataset([...d.runs, { loss: 3, run: 'd1' }])), 'run');
  const plain = dataset([{ loss: 3, run: 'a1' }, { loss: 3 }]);
  assert.equal(defaultResampleUnit(plain), 'run');
  assert.deepEqual(resampleClusters(plain), { index: Int32Array.from([0, 1]), count: 2 });
});

test('resampleClusters by lineage refuses data without one, a run without one, and a run in two', () => {
  assert.throws(
    () => resampleClusters(dataset([{ loss: 3, run: 'a1' }]), 'lineage'),
    (e: unknown) => e instanceof OptionError && e.option === 'unit' && /b\.csv names no lineage/.test(e.message),
  );
  assert.throws(
    () => resampleClusters(dataset([{ loss: 3, lineage: 'a' }, { loss: 3 }]), 'lineage'),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.line === 3 &&
      /b\.csv:3 \(column "model"\): this run has no lineage/.test(e.message),
  );
  assert.throws(
    () =>
      resampleClusters(
        dataset([
          { loss: 3, run: 'x', lineage: 'a' },
          { loss: 3, run: 'x', lineage: 'b' },
        ]),
        'lineage',
      ),
    /b\.csv:3 \(column "model"\): run "x" is in lineage "b" here and "a" at line 2; expected one lineage per run/,
  );
  // Asked for with two lineages: refused (a replicate would hold one or two of them), naming the count.
  assert.throws(
    () =>
      resampleClusters(
        dataset([
          { loss: 3, run: 'x', lineage: 'a' },
          { loss: 3, run: 'y', lineage: 'b' },
        ]),
        'lineage',
      ),
    (e: unknown) =>
      e instanceof OptionError && /names 2 lineages; a bootstrap by lineage needs at least 3/.test(e.message),
  );
});

test("selectGroups keeps what reading the file with groups keeps: the same rows, note and refusal (the web app's group choice)", () => {
  const text = readFileSync('test/fixtures/mixed-study-export.csv', 'utf8');
  const source = 'mixed-study-export.csv';
  const whole = parseRuns(text, { source });
  for (const groups of [['isoflop'], ['isoflop', 'verify']]) {
    const read = parseRuns(text, { source, groups });
    const chosen = selectGroups(whole, groups);
    assert.deepEqual(chosen.runs, read.runs, groups.join());
    assert.equal(chosen.selection, read.selection);
  }
  assert.equal(selectGroups(whole, ['isoflop']).selection, 'group isoflop: 15 of 25 rows');
  assert.throws(
    () => selectGroups(whole, ['nope']),
    (e: unknown) =>
      e instanceof InputError &&
      /no runs in group "nope"; the data's groups are "lr-probe", "isoflop", "verify"$/.test(e.message),
  );
});
