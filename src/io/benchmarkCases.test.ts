import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultBenchmarkDir, readBenchmarkCase } from './benchmarkCases.js';
import { resampleClusters } from './dataset.js';

const gemstones = join(defaultBenchmarkDir(), 'gemstones-cooldown');

test('gemstones-cooldown resamples by trunk: its case.json names the lineage column, its 100 fit runs are 10 draws', () => {
  const c = readBenchmarkCase(gemstones);
  assert.equal(c.spec.lineage, 'model');
  assert.equal(c.split.fitRuns, 100);
  assert.equal(resampleClusters(c.split.fit).count, 10);
  assert.equal(resampleClusters(c.split.fit, 'run').count, 100);
});

test('a case whose lineage column is missing or blank is refused with the file and the column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-case-'));
  const spec = JSON.parse(readFileSync(join(gemstones, 'case.json'), 'utf8'));
  writeFileSync(join(dir, 'case.json'), JSON.stringify({ ...spec, lineage: 'trunk' }));
  copyFileSync(join(gemstones, 'runs.csv'), join(dir, 'runs.csv'));
  assert.throws(() => readBenchmarkCase(dir), /runs\.csv:1: no column "trunk" \(mapped to lineage\)/);
  const csv = readFileSync(join(gemstones, 'runs.csv'), 'utf8').split('\n');
  csv[3] = csv[3].replace(/,Gemstone-256x23,/, ',,');
  writeFileSync(join(dir, 'runs.csv'), csv.join('\n'));
  writeFileSync(join(dir, 'case.json'), JSON.stringify(spec));
  assert.throws(() => readBenchmarkCase(dir), /runs\.csv:4:\d+ \(column "model"\): this run has no lineage in "model"/);
});
