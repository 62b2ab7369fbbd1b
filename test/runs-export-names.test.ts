import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../src/store/store.js';
import { parseRuns } from '../src/io/parseRuns.js';
import { checkRunSizes } from '../src/io/dataset.js';
import { exportedRuns } from '../src/cli/commands/runs.js';

test('runs export names each stored run once: runs of one name from two files are two runs fit and frontier read', () => {
  const store = RunStore.open(join(mkdtempSync(join(tmpdir(), 'scalelab-export-names-')), 'runs.db'));
  store.importDataset(parseRuns('run,N,D,loss\nr1,1e8,2e9,3.1\nr2,2e8,4e9,2.9\n', { source: 'a.csv' }), 's');
  store.importDataset(parseRuns('run,N,D,loss\nr1,8e8,1.6e10,2.55\n', { source: 'b.csv' }), 's');
  const ids = store.runs({ study: 's' }).map((r) => r.id);
  for (const checkpoints of [false, true]) {
    const { rows } = exportedRuns(store, { study: 's', checkpoints });
    assert.deepEqual(
      rows.map((r) => r.run),
      [`r1 (run ${ids[0]})`, 'r2', `r1 (run ${ids[2]})`],
      `checkpoints: ${checkpoints}`,
    );
    // The export read back: before, fit refused it (run "r1" has N = 8e8 here but N = 1e8 at line 2).
    const csv = ['run,N,D,loss', ...rows.map((r) => `"${String(r.run)}",${r.N},${r.D},${r.loss}`)].join('\n');
    assert.doesNotThrow(() => checkRunSizes(parseRuns(csv, { source: 'export.csv' })));
  }
  store.close();
});
