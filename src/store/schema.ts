/**
 * The run store's schema: its migrations, one per version (PRAGMA user_version records how many ran),
 * the check that refuses a file that is not a ScaleLab store or is a newer one, and the upgrade of an
 * older store (in one transaction, after a copy of it is kept). To add a schema version, append a
 * migration to `migrations`: a store of any earlier version is upgraded when a writer opens it.
 * Separate from the store's queries so that its history reads in one place.
 */
import type Database from 'better-sqlite3';
import { closeSync, openSync, rmSync } from 'node:fs';
import { sqliteCode, StoreError } from './errors.js';
import { hasSqliteHeader } from './storeFile.js';
import { pauseUntilReleased } from './testPause.js';

/** The key of an imported named run: its identity is its name and N (see importRows). */
export function namedRunKey(name: string, N: number | null): string {
  return `run:${JSON.stringify([name, N])}`;
}

/**
 * What a completed run's reason began with, before schema version 7, when its study left it out of the
 * fit; read only by the upgrade that moves it to the run's own column, and by the trigger that moves
 * an older ScaleLab's mark there as it writes one (a reason this version records that begins so is the
 * user's text, nothing more).
 */
const OLD_LEFT_OUT_PREFIX = "left out of the study's fit: ";

/** The prefix as an SQL string literal (a trigger's body takes no bound parameters). */
const oldPrefixSql = `'${OLD_LEFT_OUT_PREFIX.replace(/'/g, "''")}'`;

/** Why a run was left out, from an old-style reason (SQL): the text after the prefix, or words for none. */
const leftOutFrom = (reason: string) =>
  `COALESCE(NULLIF(substr(${reason}, ${OLD_LEFT_OUT_PREFIX.length + 1}), ''), 'no reason recorded')`;

/** Schema migrations (SQL, or a step that needs code), applied in order; PRAGMA user_version records how many ran. */
const migrations: (string | ((db: Database.Database) => void))[] = [
  `CREATE TABLE studies (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     config TEXT,
     created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
   );
   CREATE TABLE runs (
     id INTEGER PRIMARY KEY,
     study_id INTEGER NOT NULL REFERENCES studies(id),
     key TEXT NOT NULL,
     name TEXT,
     phase TEXT,
     status TEXT NOT NULL,
     config TEXT,
     n REAL, d REAL, c REAL, u REAL, loss REAL,
     grp TEXT,
     step REAL,
     backend TEXT,
     external_id TEXT,
     reason TEXT,
     seconds REAL,
     estimated_seconds REAL,
     source TEXT,
     created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
     submitted_at TEXT,
     finished_at TEXT,
     UNIQUE (study_id, key)
   );
   CREATE TABLE checkpoints (
     run_id INTEGER NOT NULL REFERENCES runs(id),
     tokens REAL NOT NULL,
     step REAL,
     loss REAL NOT NULL,
     PRIMARY KEY (run_id, tokens)
   );
   CREATE TABLE fits (
     id INTEGER PRIMARY KEY,
     study_id INTEGER NOT NULL REFERENCES studies(id),
     law TEXT NOT NULL,
     json TEXT NOT NULL,
     created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
   );
   CREATE TABLE recommendations (
     id INTEGER PRIMARY KEY,
     study_id INTEGER NOT NULL REFERENCES studies(id),
     json TEXT NOT NULL,
     created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
   );
   CREATE INDEX runs_status ON runs (study_id, status);`,
  (db) => {
    // A checkpoint remembers the file and line it came from, so a conflicting import names both.
    db.exec('ALTER TABLE checkpoints ADD COLUMN source TEXT');
    // Imported runs were keyed by name alone ("run:a"), which merged two files' runs "a" into one;
    // their identity is now name and N.
    const named = db.prepare(`SELECT id, name, n FROM runs WHERE name IS NOT NULL AND key = 'run:' || name`).all() as {
      id: number;
      name: string;
      n: number | null;
    }[];
    const rekey = db.prepare('UPDATE runs SET key = ? WHERE id = ?');
    for (const r of named) rekey.run(namedRunKey(r.name, r.n), r.id);
  },
  // Per-task evaluation metrics (accuracy, task loss, …) of a run's checkpoints, with N, D and the
  // validation loss alongside (docs/methods.md §31). Keyed by the run's name and the checkpoint's
  // tokens (or step, when a file gives no tokens), so a re-import adds nothing.
  `CREATE TABLE task_metrics (
     study_id INTEGER NOT NULL REFERENCES studies(id),
     run TEXT NOT NULL,
     tokens REAL NOT NULL,
     step REAL,
     n REAL, c REAL,
     val_loss REAL,
     task TEXT NOT NULL,
     metric TEXT NOT NULL,
     value REAL NOT NULL,
     source TEXT,
     PRIMARY KEY (study_id, run, tokens, task, metric)
   );`,
  // Whole training curves under any schedule (curve laws): a run keeps its learning-rate schedule
  // (JSON, core/schedule.ts) and each checkpoint the learning rate of its step.
  `ALTER TABLE runs ADD COLUMN schedule TEXT;
   ALTER TABLE checkpoints ADD COLUMN lr REAL;`,
  // What a ladder manifest says beside the metrics, so that a study analyses as its manifest does
  // (docs/methods.md §31): each task's definition (weighted parts, metrics, random-guess accuracy) as
  // JSON, and each run's role (ladder, rerun, target).
  `CREATE TABLE task_definitions (
     study_id INTEGER NOT NULL REFERENCES studies(id),
     task TEXT NOT NULL,
     definition TEXT NOT NULL,
     source TEXT,
     PRIMARY KEY (study_id, task)
   );
   CREATE TABLE task_run_roles (
     study_id INTEGER NOT NULL REFERENCES studies(id),
     run TEXT NOT NULL,
     role TEXT NOT NULL,
     source TEXT,
     PRIMARY KEY (study_id, run)
   );`,
  // A run's lineage (the trunk of WSD cooldown branches: runs that share most of their training),
  // recorded by an import, so that a fit from the store draws a lineage's runs together as a fit from
  // the file does. A step, not SQL: a store whose runs table already has the column (made by this
  // version and set back a version, as a test does) migrates too.
  (db) => {
    const columns = db.prepare('PRAGMA table_info(runs)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'lineage')) db.exec('ALTER TABLE runs ADD COLUMN lineage TEXT');
  },
  // Why a study left a completed run out of its fit (a loss it cannot use), in a column of its own:
  // earlier versions wrote it into the run's reason behind a prefix, which overwrote the reason the run
  // had and could be mistaken for a user's text that began the same way. Those reasons move here, and
  // the reason goes back to none (the mark had replaced whatever it was); a bare prefix, with nothing
  // after it, is still a mark.
  (db) => {
    const columns = db.prepare('PRAGMA table_info(runs)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'left_out')) db.exec('ALTER TABLE runs ADD COLUMN left_out TEXT');
    db.prepare(
      `UPDATE runs SET left_out = ${leftOutFrom('reason')}, reason = NULL
       WHERE status = 'completed' AND substr(reason, 1, ${OLD_LEFT_OUT_PREFIX.length}) = ${oldPrefixSql}`,
    ).run();
    // An older ScaleLab that opened the store before this upgrade keeps its connection, and marks a run
    // as it always did (its UPDATE sets the reason alone, on a completed run); read as the user's text,
    // that run would be fitted and exported. The trigger moves such a mark here as it is written, and
    // puts back the reason the run had. This version sets a reason only with a new result (finish, which
    // sets finished_at to the time it is recorded, and is given only runs not yet completed outside
    // tests) or with a status (setStatus, which no caller gives a reason), so its own writes change
    // finished_at or find the run not completed, and do not fire it.
    db.exec(
      `CREATE TRIGGER IF NOT EXISTS runs_old_left_out_mark AFTER UPDATE OF reason ON runs
       WHEN OLD.status = 'completed' AND NEW.status = 'completed'
         AND NEW.finished_at IS OLD.finished_at AND NEW.loss IS OLD.loss AND NEW.seconds IS OLD.seconds
         AND substr(NEW.reason, 1, ${OLD_LEFT_OUT_PREFIX.length}) = ${oldPrefixSql}
       BEGIN
         UPDATE runs SET left_out = ${leftOutFrom('NEW.reason')}, reason = OLD.reason WHERE id = NEW.id;
       END`,
    );
  },
  // What an lm-evaluation-harness results file says about its tasks beside their values (docs/methods.md
  // §31), so that a study analyses as its files do: each metric's few-shot count ("n-shot"; NULL where
  // the file gives none, as a CSV) and the reader that read it (long, wide, lm-eval; NULL for a metric
  // imported before this version, which kept neither, so that reading the study can say so rather than
  // guess), and each lm-eval group with an aggregate and its direct members (MMLU and its categories), so
  // that an average over every task counts the aggregate once. An index finds a task's counts, which an
  // import compares with its file's before it writes. A step, not SQL, as the two before it.
  (db) => {
    const columns = db.prepare('PRAGMA table_info(task_metrics)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'shots')) db.exec('ALTER TABLE task_metrics ADD COLUMN shots INTEGER');
    if (!columns.some((c) => c.name === 'format')) db.exec('ALTER TABLE task_metrics ADD COLUMN format TEXT');
    db.exec(
      `CREATE TABLE IF NOT EXISTS task_groups (
         study_id INTEGER NOT NULL REFERENCES studies(id),
         grp TEXT NOT NULL,
         task TEXT NOT NULL,
         source TEXT,
         PRIMARY KEY (study_id, grp, task)
       );
       CREATE INDEX IF NOT EXISTS task_metrics_shots ON task_metrics (study_id, task, shots)`,
    );
  },
];

/** The schema version this ScaleLab writes and reads: how many migrations there are. */
export const schemaVersion = migrations.length;

/** Tables every ScaleLab store has: a SQLite file without them is someone else's database. */
const storeTables = ['studies', 'runs', 'checkpoints', 'fits', 'recommendations'];

/**
 * Refuses a database that is not a ScaleLab store before anything is written to it: a text file,
 * or another program's SQLite file (a store is created only in a new or empty file).
 */
export function checkStoreSchema(db: Database.Database, path: string): void {
  let version: number;
  let tables: string[];
  try {
    version = db.pragma('user_version', { simple: true }) as number;
    tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map(
      (t) => t.name,
    );
  } catch (e) {
    const code = sqliteCode(e);
    if (code === 'SQLITE_NOTADB' || code?.startsWith('SQLITE_CORRUPT')) {
      // An SQLite header on a file SQLite cannot read: a database cut short (a copy on a full disk)
      // or damaged, which is not the same advice as someone else's file.
      if (hasSqliteHeader(path))
        throw new StoreError(
          path,
          (o) =>
            `a damaged SQLite database: it starts as one but cannot be read (${(e as Error).message}; cut short by a copy that did not finish, or corrupted); nothing was changed. Restore it from a copy, or give another store (${o('db')})`,
        );
      throw new StoreError(
        path,
        (o) =>
          `not a ScaleLab store: the file is not an SQLite database; expected the run store that "runs import" and "sweep run" write (${o('db')})`,
      );
    }
    throw e;
  }
  // Before anything writes: opening sets WAL mode, which a newer version's store may not use.
  if (version > migrations.length) throw newerStore(path, version);
  const missing = storeTables.filter((t) => !tables.includes(t));
  if ((version === 0 && tables.length > 0) || (version > 0 && missing.length > 0)) {
    const list = tables.slice(0, 8).join(', ') + (tables.length > 8 ? ', …' : '');
    throw new StoreError(
      path,
      (o) =>
        `not a ScaleLab store: an SQLite database with tables ${list || '(none)'} but not ScaleLab's (${missing.join(', ')}); expected the run store that "runs import" and "sweep run" write (${o('db')})`,
    );
  }
}

/** A store written by a newer ScaleLab: refused before anything is written to it. */
export function newerStore(path: string, version: number): StoreError {
  return new StoreError(
    path,
    `the store has schema version ${version}, newer than this ScaleLab understands (${migrations.length}): a newer ScaleLab wrote it; nothing was changed. Upgrade ScaleLab to use it (an older one never changes a newer store)`,
  );
}

/** What opening a store of an older schema did: the versions, and the copy of the file as it was. */
export interface StoreUpgrade {
  from: number;
  to: number;
  /** The store as it was before the upgrade (SQLite's VACUUM INTO), beside it. */
  backup: string;
}

/**
 * A test hook: an upgrade pauses inside its transaction, after its first step, writing
 * `DIR/PID.migrating` and waiting for `DIR/PID.go`, a minute at most (a test kills the process there).
 */
function pauseMigration(): void {
  const dir = process.env.SCALELAB_TEST_MIGRATION_PAUSE;
  if (dir) pauseUntilReleased(dir, 'migrating');
}

/**
 * Bring the schema to this version's: a new store made whole, an older one upgraded in one
 * transaction (every step, or none: a process killed midway leaves the store as it was), after a
 * copy of it as it was is written beside it (an older ScaleLab refuses the upgraded store, and can
 * use the copy). Returns what it did when it upgraded an older store (RunStore.upgraded).
 */
export function upgradeSchema(db: Database.Database, path: string): StoreUpgrade | undefined {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > migrations.length) throw newerStore(path, version);
  if (version === migrations.length) return undefined;
  const backup = version > 0 && path !== ':memory:' ? backupBefore(db, path, version) : undefined;
  let from: number | undefined;
  try {
    db.transaction(() => {
      // Read again under the write lock: another process may have upgraded it meanwhile.
      from = db.pragma('user_version', { simple: true }) as number;
      for (let v = from; v < migrations.length; v++) {
        const step = migrations[v];
        if (typeof step === 'string') db.exec(step);
        else step(db);
        db.pragma(`user_version = ${v + 1}`);
        if (v === from && from > 0) pauseMigration();
      }
    }).immediate();
  } catch (e) {
    // Not upgraded: the store is as it was, and a full-size copy per failed try would pile up beside it.
    if (backup) rmSync(backup, { force: true });
    throw e;
  }
  if (backup && from === version) return { from: version, to: migrations.length, backup };
  // Another process upgraded it first (and kept its own copy): this one's copy is a duplicate.
  if (backup) rmSync(backup, { force: true });
  return undefined;
}

/**
 * A copy of the store before its upgrade from `version`, at a new path beside it; its path. The name
 * is reserved by creating the file (O_EXCL), which VACUUM INTO fills as it accepts an empty file: two
 * processes upgrading one store each get their own name, and neither removes a copy it did not make.
 */
function backupBefore(db: Database.Database, path: string, version: number): string {
  let backup = `${path}.schema-${version}.bak`;
  for (let i = 2; ; i++) {
    try {
      closeSync(openSync(backup, 'wx'));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw noBackup(path, version, backup, e);
    }
    backup = `${path}.schema-${version}.${i}.bak`;
  }
  try {
    db.prepare('VACUUM INTO ?').run(backup);
  } catch (e) {
    // The name was reserved by this call: the file is this call's to remove.
    rmSync(backup, { force: true });
    throw noBackup(path, version, backup, e);
  }
  return backup;
}

/** The upgrade refused because its copy could not be written. */
function noBackup(path: string, version: number, backup: string, e: unknown): StoreError {
  const code = sqliteCode(e);
  return new StoreError(
    path,
    `the store has schema version ${version}, older than this ScaleLab's (${migrations.length}), and is upgraded only after a copy of it is kept, which could not be written to ${backup} (${(e as Error).message}${code ? `, ${code}` : ''}: a full disk, a file-size limit or a folder not writable); nothing was changed. Free some space there, or upgrade a copy of the store elsewhere`,
  );
}
