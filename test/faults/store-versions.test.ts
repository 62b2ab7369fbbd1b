// Fault injection, ninth pass: run stores across ScaleLab versions. A store from a newer ScaleLab is
// refused with words and never written to; one from an older version is upgraded in one transaction,
// after a copy of it as it was is kept beside it, and the user is told; an upgrade killed midway
// (kill -9 inside its transaction) leaves the store as it was, and the next opening upgrades it whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { integrityOk, waitFor } from './common.js';
import { noStackTrace, root, scalelab as runCli } from '../helpers/cli.js';
import { leftOutByStudy, storeDataset } from '../../src/store/storeDataset.js';
import { RunStore } from '../../src/store/store.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `scalelab-faults-${name}-`));
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** What a run's reason began with, before version 7, when its study left it out of the fit. */
const oldLeftOut = "left out of the study's fit: ";

/**
 * A store as ScaleLab's first schema wrote it (version 1): this version's store with what later
 * versions added taken away, holding `n` imported runs keyed as version 1 keyed them (by name alone).
 * Of each thousand, run 7 is one its study left out of the fit, marked as versions before 7 marked
 * it (its reason behind a prefix), run 8 has a reason of its own, and run 9's reason is the prefix
 * alone (a mark that gave no why).
 */
function versionOneStore(path: string, n: number): void {
  RunStore.open(path).close();
  const db = new Database(path);
  db.exec(`DROP TRIGGER IF EXISTS runs_old_left_out_mark; DROP TABLE task_metrics; DROP TABLE task_groups; DROP TABLE task_definitions; DROP TABLE task_run_roles;
    ALTER TABLE runs DROP COLUMN schedule; ALTER TABLE runs DROP COLUMN lineage; ALTER TABLE runs DROP COLUMN left_out;
    ALTER TABLE checkpoints DROP COLUMN lr; ALTER TABLE checkpoints DROP COLUMN source;`);
  const study = Number(db.prepare(`INSERT INTO studies (name) VALUES ('old')`).run().lastInsertRowid);
  const add = db.prepare(
    `INSERT INTO runs (study_id, key, name, status, n, d, loss, reason, source) VALUES (?, 'run:' || ?, ?, 'completed', ?, ?, ?, ?, 'old.csv')`,
  );
  const reason = (i: number) =>
    i % 1000 === 7
      ? `${oldLeftOut}diverged: its loss rose`
      : i % 1000 === 8
        ? 'resumed once'
        : i % 1000 === 9
          ? oldLeftOut
          : null;
  db.transaction(() => {
    for (let i = 0; i < n; i++)
      add.run(study, `r${i}`, `r${i}`, 1e6 * (1 + (i % 50)), 1e9, 3 + (i % 7) / 10, reason(i));
  })();
  db.pragma('user_version = 1');
  db.close();
}

/** What a store holds, to compare before and after: its version, schema and runs. */
function contents(path: string): { version: number; schema: string[]; runs: string } {
  const db = new Database(path, { readonly: true });
  try {
    return {
      version: db.pragma('user_version', { simple: true }) as number,
      schema: (
        db.prepare(`SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name`).all() as { sql: string }[]
      ).map((r) => r.sql),
      runs: createHash('sha256')
        .update(JSON.stringify(db.prepare('SELECT * FROM runs ORDER BY id').all()))
        .digest('hex'),
    };
  } finally {
    db.close();
  }
}

test('a store from a newer ScaleLab (user_version 9, a rollback journal) is refused by every opening, with words, and not written to', () => {
  const dir = tmp('newer-store');
  const db = join(dir, 'runs.db');
  RunStore.open(db).close();
  const raw = new Database(db);
  raw.pragma('journal_mode = DELETE'); // a newer version need not use a write-ahead log
  raw.pragma('user_version = 9');
  raw.close();
  const before = sha(db);
  const answers = [
    ['runs', 'ls', '--db', db],
    ['runs', 'import', join(root, 'examples', 'chinchilla.csv'), '--study', 'x', '--db', db],
  ].map((args) => runCli(args));
  assert.equal(sha(db), before, 'the file byte-identical (before: switched to WAL mode before the refusal)');
  for (const r of answers) {
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /runs\.db: the store has schema version 9, newer than this ScaleLab understands \(8\): a newer ScaleLab wrote it; nothing was changed\. Upgrade ScaleLab to use it/,
    );
    assert.ok(noStackTrace(r.stderr), r.stderr);
  }
  assert.throws(() => RunStore.openReadOnly(db), /schema version 9, newer .*nothing was changed/);
  assert.equal(sha(db), before, 'the file byte-identical (before: switched to WAL mode before the refusal)');
  assert.ok(!existsSync(`${db}-wal`) && !existsSync(`${db}-shm`), 'no write-ahead log made beside it');
});

test('a store of schema version 1 is upgraded in one transaction, after a copy of it is kept, and the user is told', () => {
  const dir = tmp('older-store');
  const db = join(dir, 'runs.db');
  versionOneStore(db, 20);
  const before = contents(db);
  const r = runCli(['runs', 'ls', '--study', 'old', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  const backup = `${db}.schema-1.bak`;
  assert.match(
    r.stderr,
    new RegExp(
      `^scalelab: note: upgraded the run store ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} from schema version 1 to 8 \\(in one transaction\\); the store as it was is kept at ${backup.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, for a ScaleLab older than this one, which cannot open the upgraded store; stop any sweep or study an older ScaleLab is still running on this store \\(it had the store open before the upgrade and goes on writing to it\\) and resume it with this version`,
      'm',
    ),
  );
  assert.match(r.stdout, /r19/);
  assert.deepEqual(contents(backup), before, 'the copy is the store as it was');
  const after = contents(db);
  assert.equal(after.version, 8);
  const store = RunStore.open(db);
  try {
    assert.equal(store.upgraded, undefined, 'upgraded once: the next opening says nothing');
    assert.equal(store.runs({ study: 'old' }).length, 20);
    assert.match(store.runs({ study: 'old' })[0].key, /^run:\["r0",1000000\]$/, 'keyed as this version keys them');
    // The left-out mark moved from the reason to its own column; a reason of the run's own stays.
    const [r7, r8, r9] = [7, 8, 9].map((i) => store.runs({ study: 'old' }).find((r) => r.name === `r${i}`)!);
    assert.deepEqual([r7.reason, r7.leftOut, leftOutByStudy(r7)], [null, 'diverged: its loss rose', true]);
    assert.deepEqual([r8.reason, r8.leftOut, leftOutByStudy(r8)], ['resumed once', null, false]);
    assert.deepEqual(
      [r9.reason, r9.leftOut, leftOutByStudy(r9)],
      [null, 'no reason recorded', true],
      'a bare prefix is a mark with words for its missing why (before: an empty left_out)',
    );
    const fitted = storeDataset(store, 'old').runs.map((r) => r.run);
    assert.ok(!fitted.includes('r7') && !fitted.includes('r9'), 'a fit from the store leaves r7 and r9 out');
    assert.equal(fitted.length, 18);
  } finally {
    store.close();
  }
});

test("an older ScaleLab that had the store open before it was upgraded marks a left-out run as it did: the mark goes to its column, the reason stays the run's", () => {
  const dir = tmp('older-still-open');
  const db = join(dir, 'runs.db');
  versionOneStore(db, 20);
  // The older version's connection, open before the upgrade, as a study it runs holds it.
  const older = new Database(db);
  try {
    const store = RunStore.open(db);
    try {
      assert.equal(store.upgraded?.from, 1);
      // The older version's mark, as its markLeftOutByStudy wrote it: the reason alone, behind the prefix.
      const mark = older.prepare(`UPDATE runs SET reason = ? WHERE id = ? AND status = 'completed'`);
      const run = (name: string) => store.runs({ study: 'old' }).find((r) => r.name === name)!;
      assert.equal(mark.run(`${oldLeftOut}diverged: its loss rose`, run('r3').id).changes, 1);
      assert.equal(mark.run(oldLeftOut, run('r4').id).changes, 1);
      assert.equal(mark.run(`${oldLeftOut}not a number`, run('r8').id).changes, 1);
      assert.deepEqual(
        ['r3', 'r4', 'r8'].map((n) => [run(n).reason, run(n).leftOut, leftOutByStudy(run(n))]),
        [
          [null, 'diverged: its loss rose', true],
          [null, 'no reason recorded', true],
          ['resumed once', 'not a number', true],
        ],
        "each mark in its column and the run's own reason kept (before: the prefixed reason, fitted and exported)",
      );
      const fitted = storeDataset(store, 'old').runs.map((r) => r.run);
      assert.deepEqual(
        ['r3', 'r4', 'r7', 'r8', 'r9'].filter((n) => fitted.includes(n)),
        [],
        'a fit from the store leaves them out',
      );
      assert.equal(fitted.length, 15);
      // This version's own writes of such words are the user's text: a new result on a completed run.
      store.finish(run('r5').id, { status: 'completed', loss: 2.5, seconds: 1, reason: `${oldLeftOut}by me` });
      assert.deepEqual([run('r5').reason, run('r5').leftOut], [`${oldLeftOut}by me`, null]);
      const r = runCli(['runs', 'export', '--study', 'old', '--db', db]);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /^old,r(3|4|7|8|9),/m, 'runs export leaves them out');
      assert.match(r.stdout, /^old,r5,6000000,1000000000,36000000000000000,2\.5,/m);
    } finally {
      store.close();
    }
  } finally {
    older.close();
  }
});

test('an upgrade killed (kill -9) inside its transaction, with 20,000 runs rekeyed, leaves the store as it was; the next opening upgrades it whole', async () => {
  const dir = tmp('upgrade-killed');
  const db = join(dir, 'runs.db');
  versionOneStore(db, 20_000);
  const before = contents(db);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '-e', `import('./src/store/store.ts').then((m) => m.RunStore.open(${JSON.stringify(db)}))`],
    { cwd: root, env: { ...process.env, SCALELAB_TEST_MIGRATION_PAUSE: dir }, stdio: 'ignore' },
  );
  const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_code, signal) => res(signal)));
  try {
    // Paused after its first step (every run rekeyed, in the write-ahead log, not committed).
    await waitFor('the upgrade inside its transaction', () => existsSync(join(dir, `${child.pid}.migrating`)));
    assert.ok(existsSync(`${db}-wal`));
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
  } finally {
    child.kill('SIGKILL');
  }
  assert.ok(integrityOk(db));
  assert.deepEqual(contents(db), before, 'version 1, its schema and its 20,000 runs as they were');
  const store = RunStore.open(db);
  try {
    assert.equal(store.upgraded?.from, 1);
    assert.equal(store.db.pragma('user_version', { simple: true }), 8);
    assert.equal(store.runs({ study: 'old' }).length, 20_000);
    // Its last step too: each of the 20 left-out marks moved out of its reason, whole.
    const runs = store.runs({ study: 'old' });
    assert.equal(runs.filter((r) => r.leftOut === 'diverged: its loss rose' && r.reason === null).length, 20);
    assert.equal(runs.filter((r) => r.leftOut === 'no reason recorded' && r.reason === null).length, 20);
    assert.ok(!runs.some((r) => r.reason?.startsWith(oldLeftOut)));
  } finally {
    store.close();
  }
});

test('an upgrade whose copy cannot be written (a file-size limit, as a full disk) is refused with words; the store is left as it was', () => {
  const dir = tmp('upgrade-no-room');
  const db = join(dir, 'runs.db');
  versionOneStore(db, 20_000);
  const before = contents(db);
  const bytes = sha(db);
  const kib = Math.floor(statSync(db).size / 1024 / 2);
  // Node ignores SIGXFSZ: a write past the limit fails with EFBIG, as on a full disk.
  const r = spawnSync(
    'bash',
    [
      '-c',
      `ulimit -f ${kib} && exec "$0" --import tsx "$@"`,
      process.execPath,
      `${root}src/cli/run.ts`,
      'runs',
      'ls',
      '--db',
      db,
    ],
    { cwd: root, encoding: 'utf8', env: { ...process.env, SCALELAB_DEBUG: '' } },
  );
  assert.equal(r.status, 1, r.stderr);
  assert.match(
    r.stderr,
    /^scalelab: error: .*runs\.db: the store has schema version 1, older than this ScaleLab's \(8\), and is upgraded only after a copy of it is kept, which could not be written to .*runs\.db\.schema-1\.bak \(.*\); nothing was changed\. Free some space there/,
  );
  assert.ok(noStackTrace(r.stderr), r.stderr);
  assert.equal(sha(db), bytes, 'the store byte-identical');
  assert.deepEqual(contents(db), before);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.bak')),
    [],
    'no part of a copy left',
  );
});

test('an upgrade whose transaction fails leaves no copy behind, however often it is tried', () => {
  const dir = tmp('upgrade-fails');
  const db = join(dir, 'runs.db');
  versionOneStore(db, 20);
  // The first step rekeys every run: a trigger refusing that makes the upgrade's transaction throw.
  const raw = new Database(db);
  raw.exec(`CREATE TRIGGER refuse_rekey BEFORE UPDATE ON runs BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END`);
  raw.close();
  const before = contents(db);
  for (let i = 0; i < 3; i++) assert.throws(() => RunStore.open(db), /refused by a trigger/);
  assert.deepEqual(contents(db), before, 'the store as it was');
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.bak')),
    [],
    'no copy left (before: one full-size copy per try)',
  );
});

test('two processes upgrading one store at once keep one copy of it, the store as it was', async () => {
  const dir = tmp('upgrade-twice');
  const db = join(dir, 'runs.db');
  versionOneStore(db, 2000);
  const before = contents(db);
  // Holding the write lock, so that both read version 1 and copy the store before either upgrades it.
  const lock = new Database(db);
  lock.exec('BEGIN IMMEDIATE');
  const open = `import('./src/store/store.ts').then((m) => { const s = m.RunStore.open(${JSON.stringify(db)}); console.log(JSON.stringify(s.upgraded ?? null)); s.close(); })`;
  const children = [0, 1].map(() => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', open], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += String(d)));
    child.stderr.on('data', (d: Buffer) => (out += String(d)));
    return new Promise<{ code: number | null; out: string }>((res) => child.on('exit', (code) => res({ code, out })));
  });
  try {
    await waitFor('both copies begun', () => readdirSync(dir).filter((f) => f.endsWith('.bak')).length === 2);
  } finally {
    lock.exec('ROLLBACK');
    lock.close();
  }
  const ends = await Promise.all(children);
  for (const e of ends) assert.equal(e.code, 0, e.out);
  const said = ends.map((e) => JSON.parse(e.out) as { backup: string } | null);
  const upgrader = said.filter((s) => s !== null);
  assert.equal(upgrader.length, 1, 'one of them upgraded it');
  const copies = readdirSync(dir).filter((f) => f.endsWith('.bak'));
  assert.deepEqual(
    copies.map((f) => join(dir, f)),
    [upgrader[0]!.backup],
    "only the upgrader's copy is kept",
  );
  assert.deepEqual(contents(upgrader[0]!.backup), before, 'and it is the store as it was');
  assert.equal(contents(db).version, 8);
});

test("a store of schema version 7 with an lm-eval file's metrics is upgraded keeping them; reading the study says once that it cannot tell MMLU's group, until the file is imported again", () => {
  const dir = tmp('version-7-tasks');
  const db = join(dir, 'runs.db');
  const fixture = join(root, 'test', 'fixtures', 'downstream', 'lm-eval-0.4-mmlu-group-step1144.json');
  const importIt = ['downstream', 'import', fixture, '--batch-tokens', '1048576', '--N', '60M', '--study', 'g'];
  assert.equal(runCli([...importIt, '--db', db]).code, 0);
  // The schema as version 7 wrote it: no few-shot count, reader or groups.
  const raw = new Database(db);
  raw.exec(
    'DROP TABLE task_groups; DROP INDEX task_metrics_shots; ALTER TABLE task_metrics DROP COLUMN shots; ALTER TABLE task_metrics DROP COLUMN format',
  );
  raw.pragma('user_version = 7');
  raw.close();
  const metrics = (path: string) => {
    const d = new Database(path, { readonly: true });
    try {
      return d
        .prepare('SELECT run, tokens, step, n, task, metric, value, source FROM task_metrics ORDER BY rowid')
        .all();
    } finally {
      d.close();
    }
  };
  const before = { ...contents(db), metrics: metrics(db) };
  assert.equal(before.metrics.length, 71);
  const screen = ['downstream', 'screen', '--study', 'g', '--db', db, '--average', 'core=all', '--json'];
  const parts = (r: ReturnType<typeof runCli>) =>
    (r.json() as { parts: { task: string; groupOf?: number }[] }[])[0].parts;
  const first = runCli(screen);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /upgraded the run store .* from schema version 7 to 8/);
  const warnings = first.stderr.split('\n').filter((l) => l.includes('imported by an older ScaleLab'));
  assert.deepEqual(
    warnings,
    [
      `scalelab: warning: study "g" of ${db}: 71 task metrics were imported by an older ScaleLab, which kept no lm-eval groups or few-shot counts (from ${fixture}): an --average over all tasks cannot tell a group's aggregate (mmlu) from its tasks, and counts it beside them, and imports at different few-shot counts are not told apart; import those files again ("scalelab downstream import FILE --study g") to record both — the values stored are kept`,
    ],
    'said once (before: nothing said)',
  );
  assert.equal(parts(first).length, 67, 'every task, as the store cannot tell: not a guess');
  const backup = `${db}.schema-7.bak`;
  assert.deepEqual({ ...contents(backup), metrics: metrics(backup) }, before, 'the copy kept is the store as it was');
  assert.deepEqual(metrics(db), before.metrics, 'every metric kept as it was');
  assert.equal(contents(db).version, 8);
  assert.deepEqual(contents(db).runs, before.runs);
  // Imported again: nothing added, what version 7 did not keep recorded, and the study reads as the file does.
  const again = runCli([...importIt, '--db', db, '--json']);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(
    (again.json() as { files: { added: number; skipped: number }[] }).files.map((f) => [f.added, f.skipped]),
    [[0, 71]],
  );
  assert.deepEqual(metrics(db), before.metrics, 'the values as they were');
  const after = runCli(screen);
  assert.equal(after.code, 0, after.stderr);
  assert.doesNotMatch(after.stderr, /older ScaleLab/);
  assert.equal(parts(after).length, 6);
  assert.equal(parts(after).find((p) => p.task === 'mmlu')?.groupOf, 57);
});
