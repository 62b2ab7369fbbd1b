/**
 * The loss-extrapolation benches' shared options (bench/extrapolationCases.ts › benchOptions): a flag a
 * bench does not read is refused before it computes anything, not taken and ignored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

test('bench/interval-backtest.ts refuses --markdown (its tables have one form), exit 2, before it fits a case', () => {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'bench/interval-backtest.ts', '--markdown', '--cases', 'no-such-case'],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /^--markdown: this bench prints its tables in one form; --json gives everything/);
  assert.equal(run.stdout, '');
});
