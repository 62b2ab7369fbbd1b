// A run store on a read-only file system (a snapshot, a backup mounted read-only): SQLite cannot make
// the write-ahead log and its index beside a store in WAL mode, which it needs even to read one. Every
// command says so in one line naming the file and what to do, exit 1, and the store is byte-identical
// (before: "the run store failed: unable to open database file (SQLITE_CANTOPEN)", for reads too).
// Needs root to mount a tmpfs and remount it read-only; skipped elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { noStackTrace, scalelab } from '../helpers/cli.js';

test('a store on a read-only file system: runs ls, runs export, runs import and sweep status each refuse in one line naming it and EROFS, exit 1, the file unchanged', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-faults-rofs-'));
  const runs = join(dir, 'runs.csv');
  writeFileSync(runs, 'run,N,D,loss\na,1e6,1e9,3.1\nb,2e6,1e9,3.0\n');
  const made = scalelab(['runs', 'import', runs, '--db', join(dir, 'runs.db')]);
  assert.equal(made.code, 0, made.stderr);
  const mount = join(dir, 'ro');
  mkdirSync(mount);
  const sh = (...args: string[]) => spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
  if (process.getuid?.() !== 0 || sh('mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount).status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    t.skip('mounting a file system needs root');
    return;
  }
  t.after(() => {
    sh('umount', mount);
    rmSync(dir, { recursive: true, force: true });
  });
  const db = join(mount, 'runs.db');
  copyFileSync(join(dir, 'runs.db'), db);
  // A store copied while a writer held it: its -wal and -shm beside it, so SQLite opens it and reads, and
  // refuses only the write.
  const held = join(mount, 'held');
  mkdirSync(held);
  const writer = new Database(join(dir, 'runs.db'));
  writer.prepare('SELECT count(*) FROM runs').get();
  for (const suffix of ['', '-wal', '-shm'])
    copyFileSync(join(dir, `runs.db${suffix}`), join(held, `runs.db${suffix}`));
  writer.close();
  assert.equal(sh('mount', '-o', 'remount,ro', mount).status, 0, 'remounted read-only');
  const heldImport = scalelab(['runs', 'import', runs, '--db', join(held, 'runs.db')]);
  assert.equal(heldImport.code, 1, heldImport.stderr);
  assert.match(
    heldImport.stderr,
    /: the run store is on a read-only file system \(EROFS: .*\); nothing was changed\. Copy the store to a folder you may write to and use the copy\n$/,
  );
  assert.ok(scalelab(['runs', 'ls', '--db', join(held, 'runs.db')]).code === 0, 'its runs are read');
  const before = readFileSync(db);
  for (const args of [
    ['runs', 'ls'],
    ['runs', 'export'],
    ['runs', 'import', runs],
    ['sweep', 'status', '--study', 'imported'],
  ]) {
    const r = scalelab([...args, '--db', db]);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(
      r.stderr,
      `scalelab: error: ${db}: cannot open the run store: it is on a read-only file system (EROFS), where SQLite cannot make runs.db-wal and runs.db-shm beside it, as it must even to read a store in WAL mode; nothing was changed. Copy the store to a folder you may write to and use the copy\n`,
    );
    assert.ok(noStackTrace(r.stderr));
  }
  assert.deepEqual(readFileSync(db), before, 'the store is byte-identical');
});
