/**
 * No export of src/ that nothing imports (issue 17: dead exports were removed, and come back one at a
 * time unless something checks): scripts/dead-exports.ts lists them and exits 1 when there are any.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { root } from './helpers/cli.js';

test('every export of src/ is imported somewhere (source, test, bench, script, web app or public API)', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/dead-exports.ts'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(r.stdout.trim(), '', `exports nothing imports:\n${r.stdout}`);
  assert.equal(r.status, 0, r.stderr);
});
