// Fault injection, fourth pass ("nothing lost under faults"): the run store removed (rm) or replaced
// (mv) under a command that holds it open. SQLite goes on writing to the file it opened, removed or
// not: a sweep recorded its results where no one could read them and ended "2 completed" (exit 0),
// its write-ahead log then replayed into a store moved to its path, and `serve` showed the removed
// store's studies for as long as it ran, never the new one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { noStackTrace } from '../helpers/cli.js';
import { spawnCli, waitFor, waitingSweep } from './common.js';
import { pendingWal } from '../../src/store/storeFile.js';
import { RunStore } from '../../src/store/store.js';
import { createWebServer } from '../../src/server/webServer.js';

/** A sweep of two runs (local backend) whose trainers wait for their `go` file; both started. */
async function sweepInFlight(name: string) {
  const { dir, db, log, args, runDirs, go } = waitingSweep(name, { runs: 2, concurrency: 2 });
  const sweep = spawnCli(args);
  await waitFor(
    'both trainers to start',
    () => runDirs().filter((d) => existsSync(join(d, 'pids.json'))).length === 2 || sweep.child.exitCode !== null,
  );
  assert.equal(sweep.child.exitCode, null, sweep.out.stderr);
  return { dir, db, log, args, runDirs, go, sweep };
}

const studies = (path: string) => {
  const s = RunStore.open(path);
  try {
    return s.studies().map((x) => `${x.name}:${x.runs}`);
  } finally {
    s.close();
  }
};

test('the store removed under a running sweep: it stops with the reason, exit 1, records nothing into a new store, and once the store is put back the sweep collects both runs without training them again', async (t) => {
  const { db, log, args, runDirs, go, sweep } = await sweepInFlight('store-removed');
  t.after(() => {
    sweep.child.kill('SIGKILL');
    go();
  });
  // A copy taken now (SQLite's online backup: whole, with both runs in flight), then the store removed.
  const copy = `${db}.copy`;
  const live = new Database(db, { readonly: true });
  await live.backup(copy);
  live.close();
  rmSync(db);
  go();
  assert.equal((await sweep.done).code, 1, sweep.out.stderr);
  assert.ok(noStackTrace(sweep.out.stderr), sweep.out.stderr);
  assert.match(
    sweep.out.stderr,
    new RegExp(
      `^scalelab: error: ${db}: the run store was removed while the sweep ran, so the sweep stops rather than record results where no one would read them \\(its runs in flight go on, their results in their run folders\\)\\. Put the store back \\(from a copy\\) and run the sweep again to collect them`,
    ),
  );
  assert.equal(existsSync(db), false, 'no new, empty store was made in its place');
  await waitFor('both runs to finish', () => runDirs().every((d) => existsSync(join(d, 'exit.json'))));
  // Put back, the store resumes: both results collected from the run folders, no run trained twice.
  renameSync(copy, db);
  const again = spawnCli([...args, '--json']);
  assert.equal((await again.done).code, 0, again.out.stderr);
  assert.deepEqual([JSON.parse(again.out.stdout).done, JSON.parse(again.out.stdout).total], [2, 2]);
  assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 2, 'each run was trained once');
  bothCompletedWithEvaluations(db);
});

/** Both runs of study "s" stored completed, each with its three evaluations. */
function bothCompletedWithEvaluations(db: string): void {
  const s = RunStore.open(db);
  try {
    assert.deepEqual(
      s.runs({ study: 's' }).map((r) => [r.status, s.checkpoints(r.id).length]),
      [
        ['completed', 3],
        ['completed', 3],
      ],
    );
  } finally {
    s.close();
  }
}

test('the store removed under a running sweep and no copy kept: the sweep run again on a new, empty store recovers both finished runs from their run folders and trains neither again', async (t) => {
  const { db, log, args, runDirs, go, sweep } = await sweepInFlight('store-lost');
  t.after(() => {
    sweep.child.kill('SIGKILL');
    go();
  });
  rmSync(db);
  go();
  assert.equal((await sweep.done).code, 1, sweep.out.stderr);
  assert.match(
    sweep.out.stderr,
    /a sweep of the same plan on a new store recovers its finished runs from their run folders/,
  );
  await waitFor('both runs to finish', () => runDirs().every((d) => existsSync(join(d, 'exit.json'))));
  // A new store at the path: the same plan numbers its runs as before, in the same folders.
  const again = spawnCli([...args, '--json']);
  assert.equal((await again.done).code, 0, again.out.stderr);
  assert.deepEqual([JSON.parse(again.out.stdout).done, JSON.parse(again.out.stdout).total], [2, 2]);
  assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 2, 'each run was trained once');
  const recovered = again.out.stderr.split('\n').filter((l) => l.startsWith('scalelab: note: run '));
  assert.equal(recovered.length, 2, again.out.stderr);
  assert.match(
    recovered[0],
    /its folder .* holds this same command's result from before \(completed\): recovered, not trained again/,
  );
  bothCompletedWithEvaluations(db);
});

test('the store replaced by another file under a running sweep: it stops saying so, exit 1, and writes nothing into either', async (t) => {
  const { dir, db, go, sweep } = await sweepInFlight('store-replaced');
  t.after(() => {
    sweep.child.kill('SIGKILL');
    go();
  });
  const other = join(dir, 'other.db');
  const o = RunStore.open(other);
  o.plan('theirs', [{ key: 'x', phase: 'isoflop', config: {}, N: 1e7, D: 2e8, C: 1.2e16, estimatedSeconds: 60 }]);
  o.close();
  renameSync(other, db);
  go();
  assert.equal((await sweep.done).code, 1, sweep.out.stderr);
  assert.match(
    sweep.out.stderr,
    new RegExp(
      `^scalelab: error: ${db}: the run store was replaced by another file while the sweep ran, .*Run the sweep again to continue with the store now there\\n$`,
    ),
  );
  // The sweep's write-ahead log, beside the path by name, is emptied into its own (moved-away) file as
  // it closes: SQLite would otherwise replay its pages into the store now there (before: study "s" appeared in it).
  const raw = new Database(db, { readonly: true });
  try {
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    raw.close();
  }
  assert.deepEqual(studies(db), ['theirs:1'], 'the store now there holds only its own study');
});

test('serve: a store removed while it serves is no longer shown (404 saying so), and a new store at its path is', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-faults-serve-removed-'));
  const db = join(dir, 'runs.db');
  const plan = (path: string, study: string) => {
    const s = RunStore.open(path);
    s.plan(study, [{ key: 'a', phase: 'isoflop', config: {}, N: 1e7, D: 2e8, C: 1.2e16, estimatedSeconds: 60 }]);
    s.close();
  };
  plan(db, 'old');
  const web = createWebServer({ storePath: db, assetsDir: join(dir, 'no-dist'), datasets: [] });
  const { port } = await web.listen(0);
  t.after(() => web.close());
  const get = async (path: string) => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: r.status, body: (await r.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const names = async () => (await get('/api/studies')).body.studies.map((s: { name: string }) => s.name);
  assert.deepEqual(await names(), ['old']);
  rmSync(db);
  rmSync(`${db}-wal`, { force: true });
  rmSync(`${db}-shm`, { force: true });
  assert.deepEqual((await get('/api/studies')).body, { store: { path: db, exists: false }, studies: [] });
  const gone = await get('/api/studies/old/runs');
  assert.equal(gone.status, 404);
  assert.equal(gone.body.error.message, `no study "old": the run store ${db} was removed while the server ran`);
  // A sweep makes a new store there: the server shows it.
  plan(db, 'new');
  assert.deepEqual(await names(), ['new']);
  assert.equal((await get('/api/studies/new/runs')).status, 200);
  // And one moved over it replaces it too.
  const other = join(dir, 'other.db');
  plan(other, 'moved');
  renameSync(other, db);
  assert.deepEqual(await names(), ['moved']);
});

test("serve: a store replaced while its last writes were still in its -wal (the server's reader kept them from being copied in) is not read through that log: a text file is 409 not a store, another store 409 saying why, and shown once the log is gone", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-faults-serve-wal-'));
  const db = join(dir, 'live.db');
  const plan = (s: RunStore, study: string) =>
    s.plan(study, [{ key: 'a', phase: 'isoflop', config: {}, N: 1e7, D: 2e8, C: 1.2e16, estimatedSeconds: 60 }]);
  const other = join(dir, 'other.db');
  const o = RunStore.open(other);
  plan(o, 'other');
  o.close(); // its only connection: its log is copied in and removed
  const writer = RunStore.open(db);
  const web = createWebServer({ storePath: db, assetsDir: join(dir, 'no-dist'), datasets: [] });
  const { port } = await web.listen(0);
  t.after(() => web.close());
  const get = async (path: string) => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: r.status, body: (await r.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const names = async () => (await get('/api/studies')).body.studies?.map((s: { name: string }) => s.name);
  assert.deepEqual(await names(), []);
  plan(writer, 's');
  assert.deepEqual(await names(), ['s']);
  writer.close(); // the server still reads the store: the study stays in live.db-wal, not copied into live.db
  assert.ok(pendingWal(db), 'the precondition: the study is only in the log');

  const text = join(dir, 'txt');
  writeFileSync(text, 'hello\n');
  renameSync(text, db);
  const asText = await get('/api/studies');
  assert.equal(asText.status, 409, JSON.stringify(asText.body));
  assert.equal(asText.body.error.message, `${db}: not a ScaleLab run store: not an SQLite database`);
  assert.equal((await get('/api/studies/s/runs')).status, 409, 'the study is not served from the log either');

  rmSync(db);
  copyFileSync(other, db);
  const asOther = await get('/api/studies');
  assert.equal(asOther.status, 409, JSON.stringify(asOther.body));
  assert.match(
    asOther.body.error.message,
    /the run store was replaced while the server read it, and the replaced store's last writes are still in .*live\.db-wal beside it, which SQLite would read as part of the file there now/,
  );
  // As the message says: the log removed, the store there is shown as it is.
  rmSync(`${db}-wal`);
  rmSync(`${db}-shm`);
  assert.deepEqual(await names(), ['other']);
});

test('sweep cancel of a run that completed while no sweep watched records it completed, with its result, not cancelled', async (t) => {
  const { db, runsRoot, args, runDirs, go } = waitingSweep('cancel-ended', { runs: 1, concurrency: 1 });
  const sweep = spawnCli(args);
  t.after(() => {
    sweep.child.kill('SIGKILL');
    go();
  });
  await waitFor('the trainer to start', () => runDirs().some((d) => existsSync(join(d, 'pids.json'))));
  sweep.child.kill('SIGKILL');
  await sweep.done;
  go();
  await waitFor('the run to finish', () => runDirs().every((d) => existsSync(join(d, 'exit.json'))));
  const cancel = spawnCli([
    'sweep',
    'cancel',
    '--study',
    's',
    '--db',
    db,
    '--backend',
    'local',
    '--runs-dir',
    runsRoot,
    '--json',
  ]);
  assert.equal((await cancel.done).code, 0, cancel.out.stderr);
  assert.deepEqual(JSON.parse(cancel.out.stdout), { study: 's', cancelled: 0, endedBefore: 1 });
  const s = RunStore.open(db);
  try {
    const [run] = s.runs({ study: 's' });
    assert.deepEqual([run.status, run.loss, s.checkpoints(run.id).length], ['completed', 3.25, 3]);
  } finally {
    s.close();
  }
});
