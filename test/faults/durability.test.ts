// Fault injection, second pass ("nothing lost under faults"): a power cut. It cannot be staged here,
// so these tests check what the guarantee rests on: the run store syncs every commit (WAL with
// synchronous FULL), and a file replaced by rename has its folder synced after the rename, so the
// new name is on disk when the write returns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAtomically } from '../../src/cli/output.js';
import { RunStore } from '../../src/store/store.js';

test('the run store syncs each commit to disk: WAL with synchronous FULL, on every opening', () => {
  const db = join(mkdtempSync(join(tmpdir(), 'scalelab-faults-durable-store-')), 'runs.db');
  for (let opening = 0; opening < 2; opening++) {
    const store = RunStore.open(db);
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    // 2 is FULL (1 NORMAL could lose the last commits to a power cut)
    assert.equal(store.db.pragma('synchronous', { simple: true }), 2, 'synchronous = FULL');
    store.close();
  }
});

test('an --out file replaced by rename has its folder synced after the rename, so the new name survives a power cut', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-faults-durable-out-'));
  const out = join(dir, 'report.html');
  fs.writeFileSync(out, 'the earlier report\n');
  // What the writer asks of the file system, in order: each rename, and each sync of a folder or file.
  const calls: string[] = [];
  const { renameSync, fsyncSync } = fs;
  const folder = statSync(dir).ino;
  fs.renameSync = (from, to) => {
    renameSync(from, to);
    calls.push(`rename to ${String(to)}`);
  };
  fs.fsyncSync = (fd) => {
    fsyncSync(fd);
    const s = fs.fstatSync(fd);
    calls.push(s.isDirectory() ? (s.ino === folder ? 'sync the folder' : 'sync another folder') : 'sync a file');
  };
  syncBuiltinESMExports();
  t.after(() => {
    fs.renameSync = renameSync;
    fs.fsyncSync = fsyncSync;
    syncBuiltinESMExports();
  });
  writeAtomically(out, 'the new report\n');
  assert.equal(readFileSync(out, 'utf8'), 'the new report\n');
  const renamed = calls.indexOf(`rename to ${out}`);
  assert.ok(renamed >= 0, calls.join('; '));
  assert.ok(
    calls.slice(renamed + 1).includes('sync the folder'),
    `the folder is synced after the rename: ${calls.join('; ')}`,
  );
});
