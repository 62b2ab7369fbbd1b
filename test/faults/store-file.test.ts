// Fault injection, seventh pass: the store's own file under hostile conditions that earlier passes did
// not cover — a write-ahead log left by a writer killed after its commit, and a lock held by a program
// other than ScaleLab past the wait. (A store newer than this version, read-only or full stores, a path
// under a file and a removed working folder: interrupted-writes.test.ts and output-files.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, root, scalelab } from '../helpers/cli.js';
import { cliAsUserDenied, integrityOk, waitFor } from './common.js';
import { RunStore } from '../../src/store/store.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `scalelab-faults-storefile-${name}-`));
const runsCsv = 'N,D,loss\n1e8,2e9,3.2\n2e8,4e9,2.95\n4e8,8e9,2.75\n';

/** A node child running `code` (an ES module, from the checkout), its stdout gathered. */
function nodeChild(code: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const done = new Promise<NodeJS.Signals | null>((res) => child.on('close', (_c, signal) => res(signal)));
  return { child, out, done };
}

test('a write-ahead log left by a writer killed after its commit: every reader sees the committed runs, and writing goes on', async () => {
  const dir = tmp('wal');
  const db = join(dir, 'runs.db');
  // A writer that commits an import and is killed (kill -9) before it closes the store: SQLite's log
  // (runs.db-wal) holds the commit, not yet copied into runs.db.
  const writer = nodeChild(
    `import { RunStore } from ${JSON.stringify(`${root}src/store/store.ts`)};
     import { parseRuns } from ${JSON.stringify(`${root}src/io/parseRuns.ts`)};
     const s = RunStore.open(${JSON.stringify(db)});
     s.importDataset(parseRuns(${JSON.stringify(runsCsv)}, { source: 'runs.csv' }), 'killed');
     process.kill(process.pid, 'SIGKILL');`,
  );
  assert.equal(await writer.done, 'SIGKILL', writer.out.stderr);
  assert.ok(statSync(`${db}-wal`).size > 0, 'the log holds the commit');
  // Read-only first, as serve opens it (it cannot fold the log into the store): the runs are there.
  const reader = RunStore.openReadOnly(db);
  assert.equal(reader.runs({ study: 'killed' }).length, 3);
  reader.close();
  const ls = scalelab(['runs', 'ls', '--db', db, '--json']);
  assert.equal(ls.code, 0, ls.stderr);
  assert.equal(ls.json().length, 3, 'the committed runs are listed');
  assert.ok(integrityOk(db));
  const more = join(dir, 'more.csv');
  writeFileSync(more, 'N,D,loss\n8e8,1.6e10,2.6\n');
  const imported = scalelab(['runs', 'import', more, '--db', db, '--study', 'next', '--json']);
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal(scalelab(['runs', 'ls', '--db', db, '--json']).json().length, 4);
});

test('a store locked by a program other than ScaleLab past the wait: one line naming that process, exit 1, nothing changed', async (t) => {
  const dir = tmp('foreign-lock');
  const db = join(dir, 'runs.db');
  const data = join(dir, 'runs.csv');
  writeFileSync(data, runsCsv);
  assert.equal(scalelab(['runs', 'import', data, '--db', db]).code, 0);
  // Another program's connection (no ScaleLab record of itself) takes the write lock and keeps it.
  const holder = nodeChild(
    `import Database from 'better-sqlite3';
     const db = new Database(${JSON.stringify(db)});
     db.exec('BEGIN IMMEDIATE');
     process.stdout.write('holding\\n');
     setInterval(() => {}, 1000);`,
  );
  t.after(() => holder.child.kill('SIGKILL'));
  await waitFor('the other program to hold the lock', () => holder.out.stdout.includes('holding'));
  const more = join(dir, 'more.csv');
  writeFileSync(more, 'N,D,loss\n8e8,1.6e10,2.6\n');
  const r = scalelab(['runs', 'import', more, '--db', db, '--wait', '1']);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(noStackTrace(r.stderr), r.stderr);
  const named =
    process.platform === 'linux' ? `; open in pid ${holder.child.pid} \\("${process.execPath} --import tsx .*"\\)` : '';
  assert.match(
    r.stderr,
    new RegExp(
      `^scalelab: error: ${db}: the store is busy: another process holds its write lock \\(it recorded no details: a sweep's short write, or a program other than ScaleLab\\)${named}; gave up after waiting 1 s\\. Try again when it has finished, or wait longer \\(--wait\\)\\n$`,
    ),
  );
  holder.child.kill('SIGKILL');
  await holder.done;
  const ls = scalelab(['runs', 'ls', '--db', db, '--json']);
  assert.equal(ls.json().length, 3, 'nothing of the refused import stored');
});

test('a store this user may not read (the file, or its log beside it), and a new store in a folder it may not write to: one line saying which and what to do', (t) => {
  const dir = tmp('denied');
  chmodSync(dir, 0o755);
  const db = join(dir, 'runs.db');
  const data = join(dir, 'runs.csv');
  writeFileSync(data, runsCsv, { mode: 0o644 });
  chmodSync(data, 0o644);
  assert.equal(scalelab(['runs', 'import', data, '--db', db]).code, 0);
  const locked = join(dir, 'locked');
  mkdirSync(locked, { mode: 0o555 });
  chmodSync(locked, 0o555);
  const user = cliAsUserDenied(dir);
  if ('skip' in user) return t.skip(user.skip);
  const cli = user.cli;
  const before = readFileSync(db);
  // The store itself not readable (another user's, mode 600; the owner's own with mode 000).
  chmodSync(db, process.getuid?.() === 0 ? 0o600 : 0o000);
  for (const args of [
    ['runs', 'ls'],
    ['runs', 'import', data],
  ]) {
    const r = cli([...args, '--db', db]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(
      r.stderr,
      `scalelab: error: ${db}: cannot open the run store: the file is not readable by this user (EACCES); nothing was changed. Ask its owner for access, or work on a copy you own\n`,
    );
  }
  chmodSync(db, 0o644);
  assert.ok(readFileSync(db).equals(before), 'the store is byte for byte as it was');
  // A new store where this user may not create one.
  const inLocked = join(locked, 'runs.db');
  const r = cli(['runs', 'import', data, '--db', inLocked]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(
    r.stderr,
    `scalelab: error: ${inLocked}: cannot create the run store: its folder ${locked} is not writable (EACCES); nothing was changed. Give a store path in a folder you may write to\n`,
  );
  chmodSync(locked, 0o755);
});
