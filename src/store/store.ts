/**
 * The run store: a SQLite file in the user's project (`.scalelab/runs.db` by default), in WAL
 * mode so a sweep's writers and a reader can work at once. Every write is one transaction: an
 * import killed half-way leaves the store as it was, and importing the same file twice adds nothing.
 * This file holds RunStore (opening, imports, plans, queries, task metrics, fits); beside it are the
 * schema and its upgrades (schema.ts), the write lock's holder (writers.ts), study claims (claims.ts),
 * checks of the file itself (storeFile.ts), the errors (errors.ts) and storeDataset (storeDataset.ts).
 */
import Database from 'better-sqlite3';
import { mkdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { InputError } from '../errors/index.js';
import { finishedState, ongoingState, runSizeCheck, type Dataset, type Run } from '../io/dataset.js';
import { formatNumber } from '../core/format.js';
import type { RunRole, TaskDefinition, TaskMetric, TaskMetricSet } from '../io/parseTaskMetrics.js';
import { parseSchedule, type Schedule } from '../core/schedule.js';
import type { RunStatus } from './runStatus.js';
import type { Checkpoint } from '../io/parseMetrics.js';
import { StoreError, isBusy, openedStore, openFailure, storeErrorFrom } from './errors.js';
import {
  commandLine,
  describeWriter,
  storeWriter,
  syncBusyTimeoutMs,
  WAIT_ATTEMPT_MS,
  writerFile,
  type WaitOptions,
  type WriterInfo,
} from './writers.js';
import { notSqlite, refuseFolder, storePathError } from './storeFile.js';
import {
  checkStoreSchema,
  namedRunKey,
  newerStore,
  schemaVersion,
  upgradeSchema,
  type StoreUpgrade,
} from './schema.js';
import { claimStudy, refuseHeldStudy, studyHasSweep } from './claims.js';
import { hashKey } from './hashKey.js';
import { pauseUntilReleased } from './testPause.js';
import { printedPlaces, SameRunIndex, sameValue, type RunValues } from '../core/sameRun.js';

export { runStatuses, type RunStatus } from './runStatus.js';

export interface StoredRun {
  id: number;
  study: string;
  key: string;
  name: string | null;
  phase: string | null;
  status: RunStatus;
  config: Record<string, unknown> | null;
  N: number | null;
  D: number | null;
  C: number | null;
  U: number | null;
  loss: number | null;
  group: string | null;
  step: number | null;
  backend: string | null;
  externalId: string | null;
  reason: string | null;
  seconds: number | null;
  estimatedSeconds: number | null;
  source: string | null;
  createdAt: string;
  finishedAt: string | null;
  /** The run's learning-rate schedule (core/schedule.ts), when it was recorded. */
  schedule: Schedule | null;
  /** The run's lineage (the trunk of cooldown branches), when an import recorded one. */
  lineage: string | null;
  /**
   * Why its study left this completed run out of its fit (a loss it cannot use: diverged, not a
   * number), or null: a fit from the store and `runs export` leave it out too (leftOutByStudy).
   */
  leftOut: string | null;
}

// A checkpoint is what a metrics file records (io/parseMetrics.ts); the store keeps them.
export type { Checkpoint } from '../io/parseMetrics.js';

/**
 * The status an imported row gives its run: completed, unless a tracker's state column says the run did
 * not finish (failed, with the tracker's word as the reason) or is still running.
 */
function importedStatus(r: Run): { status: RunStatus; reason: string | null } {
  if (r.state === undefined || finishedState(r.state)) return { status: 'completed', reason: null };
  // A run the tracker had running is not one this machine trains: stored `running`, a sweep would count
  // it in flight and wait for it forever. Failed, with a reason that says so, it is left alone and out
  // of fits, and a later import of the finished run replaces its status.
  if (ongoingState(r.state))
    return {
      status: 'failed',
      reason: `tracker state: ${r.state} when exported — its last checkpoint is not its end; import again when it has finished`,
    };
  return { status: 'failed', reason: `tracker state: ${r.state}` };
}

/** A task definition as stored: its fields in one order, so that the same definition is the same text. */
function definitionJson(d: TaskDefinition): string {
  return JSON.stringify({
    task: d.task,
    ...(d.parts ? { parts: d.parts } : {}),
    ...(d.accuracyMetric !== undefined ? { accuracyMetric: d.accuracyMetric } : {}),
    ...(d.lossMetric !== undefined ? { lossMetric: d.lossMetric } : {}),
    ...(d.chance !== undefined ? { chance: d.chance } : {}),
  });
}

export const defaultStorePath = '.scalelab/runs.db';

interface RunRow {
  id: number;
  study: string;
  key: string;
  name: string | null;
  phase: string | null;
  status: RunStatus;
  config: string | null;
  n: number | null;
  d: number | null;
  c: number | null;
  u: number | null;
  loss: number | null;
  grp: string | null;
  step: number | null;
  backend: string | null;
  external_id: string | null;
  reason: string | null;
  seconds: number | null;
  estimated_seconds: number | null;
  source: string | null;
  created_at: string;
  finished_at: string | null;
  schedule: string | null;
  lineage: string | null;
  left_out: string | null;
}

/** A run filter as SQL (a WHERE clause, empty without one) and its arguments. */
function runFilter(filter: { study?: string; status?: RunStatus | RunStatus[] }): { where: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filter.study !== undefined) {
    where.push('s.name = ?');
    args.push(filter.study);
  }
  if (filter.status !== undefined) {
    const list = Array.isArray(filter.status) ? filter.status : [filter.status];
    where.push(`r.status IN (${list.map(() => '?').join(', ')})`);
    args.push(...list);
  }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}

/** What RunStore.studyTotals sums up. */
export interface StudyTotals {
  /** Runs by status (a status no run has is absent). */
  counts: Partial<Record<RunStatus, number>>;
  /** Completed runs the study left out of its fit. */
  leftOut: number;
  /** Seconds of the finished runs, and the plan's estimate for all of them. */
  seconds: number;
  estimatedSeconds: number;
  best: { id: number; N: number | null; D: number | null; loss: number } | null;
}

/** A completed run's columns as a fit reads them (RunStore.fitRows). */
interface FitRow {
  id: number;
  N: number | null;
  D: number | null;
  C: number | null;
  U: number | null;
  loss: number;
  grp: string | null;
  phase: string | null;
  name: string | null;
  lineage: string | null;
}

function fromRow(r: RunRow): StoredRun {
  return {
    id: r.id,
    study: r.study,
    key: r.key,
    name: r.name,
    phase: r.phase,
    status: r.status,
    config: r.config ? (JSON.parse(r.config) as Record<string, unknown>) : null,
    N: r.n,
    D: r.d,
    C: r.c,
    U: r.u,
    loss: r.loss,
    group: r.grp,
    step: r.step,
    backend: r.backend,
    externalId: r.external_id,
    reason: r.reason,
    seconds: r.seconds,
    estimatedSeconds: r.estimated_seconds,
    source: r.source,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    schedule: r.schedule
      ? parseSchedule(JSON.parse(r.schedule), { file: `store run ${r.id}`, columnName: 'schedule' })
      : null,
    lineage: r.lineage ?? null,
    leftOut: r.left_out ?? null,
  };
}

/** What an import added: new runs, new checkpoints of named runs, and rows already stored. */
export interface ImportCounts {
  runs: number;
  checkpoints: number;
  skipped: number;
  /** Runs the tracker had running (pending, scheduled) when it wrote the file, stored as failed (importedStatus). */
  unfinished: number;
  /**
   * Unnamed rows that are a stored run written again with its values rounded (core/sameRun.ts: the stored
   * N, D, C, U and loss, rounded to the digits the file printed, are the file's; not exactly equal): not
   * added, unless the import keeps copies.
   */
  copies: number;
  /** The first few of those copies: the row's line and where the stored run came from. */
  copiesFirst: { line: number; stored: string }[];
}

/** How many copies an import names (the rest are counted). */
const COPIES_NAMED = 5;

/** What an import does beyond adding new runs. */
export interface ImportOptions {
  /** Add unnamed rows that repeat a stored run to the file's digits (replicates by design) rather than skip them. */
  keepCopies?: boolean;
}

/** SQLite page cache during a streamed import, KiB. */
const IMPORT_CACHE_KIB = 64 * 1024;

/** A test hook: pause an import after this many rows (to kill it mid-transaction in a test). */
function pauseHook(): number {
  const v = Number(process.env.SCALELAB_TEST_IMPORT_PAUSE_AFTER);
  return Number.isFinite(v) && v > 0 ? v : Infinity;
}

/**
 * The pause of pauseHook, inside the import's transaction, said on stderr. With SCALELAB_TEST_IMPORT_PAUSE
 * (a folder) it writes `DIR/PID.paused` and goes on once the test writes `DIR/PID.go` (a test that signals
 * the import there and sees what it does once the transaction goes on: however loaded the machine, the
 * signal comes within the pause); without, it waits a minute (a test kills it there, or holds the lock).
 */
function pauseImport(): void {
  process.stderr.write('scalelab-test: import paused\n');
  pauseUntilReleased(process.env.SCALELAB_TEST_IMPORT_PAUSE || undefined, 'paused');
}

/** A row that gives a stored checkpoint another loss: both rows are named. */
function conflict(
  r: Run,
  tokens: number,
  stored: { loss: number; source: string | null },
  source: string,
  study: string,
): InputError {
  const n = r.N === undefined ? '' : ` (N = ${formatNumber(r.N, 6)})`;
  const first = stored.source
    ? `${stored.source} gives it loss ${stored.loss}`
    : `the store already has loss ${stored.loss} for it (study "${study}")`;
  return new InputError(
    { file: source, line: r.line, columnName: 'loss' },
    `run "${r.run}"${n} has loss ${r.loss} at D = ${formatNumber(tokens, 6)} here, but ${first}; expected one loss per run and checkpoint: give one of the runs another name, or drop the row that is wrong`,
  );
}

export class RunStore {
  readonly path: string;
  readonly db: Database.Database;

  /** The file this store opened (device and inode), to tell when another has taken its name. */
  private readonly file: { dev: number; ino: number } | undefined;

  /** Set when this opening upgraded an older store's schema: from and to which version, and its backup. */
  upgraded: StoreUpgrade | undefined;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
    const stat = path === ':memory:' ? undefined : statSync(path, { throwIfNoEntry: false });
    this.file = stat && { dev: stat.dev, ino: stat.ino };
  }

  /**
   * Whether the store's file is still at its path: 'removed' (rm) or 'replaced' (another file moved
   * or copied to its name) while this store was open, else undefined. SQLite goes on writing to the
   * file it opened, removed or not, so a long-running writer (a sweep) would record its results
   * where no one can read them.
   */
  fileChange(): 'removed' | 'replaced' | undefined {
    if (!this.file) return undefined;
    const now = statSync(this.path, { throwIfNoEntry: false });
    if (!now) return 'removed';
    return now.dev === this.file.dev && now.ino === this.file.ino ? undefined : 'replaced';
  }

  /** Open (creating the folder and file when needed) and migrate. */
  static open(path = defaultStorePath): RunStore {
    refuseFolder(path);
    let db: Database.Database;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
    } catch (e) {
      throw storePathError(path, e) ?? openFailure(path, e, 'write');
    }
    openedStore(path);
    try {
      // Before anything writes (WAL mode is recorded in the file): is this a ScaleLab store?
      checkStoreSchema(db, path);
      db.pragma(`busy_timeout = ${syncBusyTimeoutMs()}`);
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      // FULL: a transaction is on disk when its commit returns (one sync of the WAL per
      // transaction; every write is one). NORMAL, WAL's default, could lose the last ones to a power
      // cut, and with them a sweep's record that a run was submitted: resumed, it would train it again.
      db.pragma('synchronous = FULL');
      const store = new RunStore(path, db);
      store.upgraded = upgradeSchema(db, path);
      return store;
    } catch (e) {
      db.close();
      throw storeErrorFrom(e) ?? e;
    }
  }

  /**
   * Open an existing store for reading only (the web app's server): never creates the file,
   * migrates it or changes its journal mode — the file's bytes stay as they are. Refuses, with a
   * StoreError naming the path, a file that is not a ScaleLab run store (an empty file, another
   * program's database, text) or one whose schema is not this version's.
   */
  static openReadOnly(path: string): RunStore {
    refuseFolder(path);
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
    } catch (e) {
      throw openFailure(path, e, 'read');
    }
    const notAStore = (why: string) => new StoreError(path, `not a ScaleLab run store: ${why}`);
    // Looked at before SQLite reads it: with a write-ahead log left beside the path by a store this
    // file replaced, SQLite reads the log's pages (its first page too) over the file, and text
    // there would read as the old store.
    if (notSqlite(path)) {
      db.close();
      throw notAStore('not an SQLite database');
    }
    try {
      db.pragma('busy_timeout = 10000');
      const version = db.pragma('user_version', { simple: true }) as number;
      const tables = new Set(
        (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map(
          (t) => t.name,
        ),
      );
      if (tables.size === 0) throw notAStore('an empty database (a sweep or "scalelab runs import" makes one)');
      if (!['studies', 'runs', 'checkpoints'].every((t) => tables.has(t)) || version === 0) {
        throw notAStore(
          `another SQLite database (tables ${[...tables].slice(0, 6).join(', ')}${tables.size > 6 ? ', …' : ''})`,
        );
      }
      if (version > schemaVersion) throw newerStore(path, version);
      if (version < schemaVersion)
        throw new StoreError(
          path,
          `the store has schema version ${version}, older than this ScaleLab's (${schemaVersion}); run any "scalelab runs" command on it once to upgrade it`,
        );
      return new RunStore(path, db);
    } catch (e) {
      db.close();
      if (e instanceof StoreError) throw e;
      const err = e as Error & { code?: string };
      throw err.code === 'SQLITE_NOTADB'
        ? notAStore('not an SQLite database')
        : new StoreError(path, `cannot read the run store: ${err.message}`);
    }
  }

  close(): void {
    // Removed or replaced while open: the WAL beside the path (by name) is still this store's, and
    // SQLite would replay its pages into whatever store is opened at the path next (a new one, or
    // the file moved there). Moved into this store's own file first, it leaves nothing to replay.
    if (!this.db.readonly && this.db.open && this.fileChange()) {
      try {
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // another connection holds the WAL: it truncates it when it closes
      }
    }
    this.db.close();
  }

  /** Who holds this store's write lock, when the holder recorded itself. */
  writer(): WriterInfo | undefined {
    return storeWriter(this.path);
  }

  /**
   * Run `write` in one transaction once the write lock is free: all of it is stored, or none.
   * Waits up to `timeoutMs` for another writer (telling `onWait` who it is), then fails with a
   * StoreError naming the holder. While it writes, it records itself in `PATH-writer` so that
   * other processes waiting for the lock can say who holds it.
   */
  async writeTransaction<T>(write: () => T, wait: WaitOptions = {}): Promise<T> {
    const timeoutMs = wait.timeoutMs ?? 60_000;
    const started = Date.now();
    // Short attempts, so the wait can be shown and its holder named between them.
    this.db.pragma(`busy_timeout = ${WAIT_ATTEMPT_MS}`);
    try {
      for (;;) {
        try {
          this.db.exec('BEGIN IMMEDIATE');
          break;
        } catch (e) {
          if (!isBusy(e)) throw storeErrorFrom(e) ?? e;
        }
        const waitedMs = Date.now() - started;
        const holder = this.writer();
        if (waitedMs >= timeoutMs) {
          throw new StoreError(
            this.path,
            (o) =>
              `the store is busy: ${describeWriter(holder, this.path)}; gave up after waiting ${Math.round(waitedMs / 1000)} s. Try again when it has finished, or wait longer (${o('wait')})`,
          );
        }
        wait.onWait?.({ holder, waitedMs });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      this.db.pragma(`busy_timeout = ${syncBusyTimeoutMs()}`);
    }
    const file = this.path === ':memory:' ? undefined : writerFile(this.path);
    if (file) {
      // Written whole then renamed, so a waiting process never reads half of it.
      const info: Omit<WriterInfo, 'alive'> = {
        pid: process.pid,
        host: hostname(),
        command: commandLine(),
        since: new Date().toISOString(),
      };
      try {
        writeFileSync(`${file}.${process.pid}`, JSON.stringify(info));
        renameSync(`${file}.${process.pid}`, file);
      } catch {
        // Only a courtesy to other writers: a read-only folder must not stop the import.
      }
    }
    try {
      const out = write();
      this.db.exec('COMMIT');
      return out;
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    } finally {
      if (file) {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      }
    }
  }

  /** Whether a sweep holds `study` now (claims.ts's studyHasSweep). */
  studyHasSweep(study: string): boolean {
    return studyHasSweep(this.path, study);
  }

  /**
   * Claim a study for this process's sweep, until `release` (or the process ends): claims.ts's claimStudy.
   * @throws StoreError naming the sweep that holds the study
   */
  claimStudy(study: string): { release: () => void } {
    return claimStudy(this.path, study);
  }

  /**
   * Run `work` with each of its writes waiting only a short attempt for the write lock (WAIT_ATTEMPT_MS)
   * instead of the 30 s busy timeout, for a caller that catches the busy error, says so and repeats the
   * work (a sweep's pass): a write blocked under the full timeout sat silent for 30 s before anyone could
   * say the store was held.
   */
  async withShortWaits<T>(work: () => Promise<T>): Promise<T> {
    this.db.pragma(`busy_timeout = ${Math.min(WAIT_ATTEMPT_MS, syncBusyTimeoutMs())}`);
    try {
      return await work();
    } finally {
      this.db.pragma(`busy_timeout = ${syncBusyTimeoutMs()}`);
    }
  }

  /**
   * Run synchronous store writes, trying again while another process holds the write lock past the
   * busy timeout (an import of a large file), telling `onWait` who holds it: for a long-running
   * command's writes (a sweep's start and end), which should wait rather than fail.
   * @throws StoreError naming the holder after `timeoutMs` (default 30 minutes)
   */
  async whenFree<T>(write: () => T, wait: WaitOptions = {}): Promise<T> {
    const started = Date.now();
    for (;;) {
      // Short attempts, as writeTransaction's: under the 30 s busy timeout the first attempt blocked for
      // 30 s before onWait could say anything, so a command started on a held store sat silent.
      this.db.pragma(`busy_timeout = ${Math.min(WAIT_ATTEMPT_MS, syncBusyTimeoutMs())}`);
      try {
        return write();
      } catch (e) {
        if (!isBusy(e)) throw e;
        const waitedMs = Date.now() - started;
        const holder = this.writer();
        if (waitedMs >= (wait.timeoutMs ?? 30 * 60_000))
          throw new StoreError(
            this.path,
            `the store is busy: ${describeWriter(holder, this.path)}; waited ${Math.round(waitedMs / 1000)} s for it. Try again when it has finished`,
          );
        wait.onWait?.({ holder, waitedMs });
        await new Promise((resolve) => setTimeout(resolve, 1000));
      } finally {
        this.db.pragma(`busy_timeout = ${syncBusyTimeoutMs()}`);
      }
    }
  }

  /**
   * The study's id, creating it when new. A study an import made (no config) takes `config` when one is
   * given: the sweep that plans it first records how, so a later one planned otherwise is told.
   */
  study(name: string, config?: unknown): number {
    const found = this.db.prepare('SELECT id FROM studies WHERE name = ?').get(name) as { id: number } | undefined;
    if (found) {
      if (config !== undefined)
        this.db
          .prepare('UPDATE studies SET config = ? WHERE id = ? AND config IS NULL')
          .run(JSON.stringify(config), found.id);
      return found.id;
    }
    return Number(
      this.db
        .prepare('INSERT INTO studies (name, config) VALUES (?, ?)')
        .run(name, config === undefined ? null : JSON.stringify(config)).lastInsertRowid,
    );
  }

  /**
   * What a study was created with (the config given to `study`/`plan`): undefined when there is no
   * such study, null when it recorded none.
   */
  studyConfig(name: string): unknown {
    const row = this.db.prepare('SELECT config FROM studies WHERE name = ?').get(name) as
      { config: string | null } | undefined;
    if (!row) return undefined;
    return row.config === null ? null : JSON.parse(row.config);
  }

  /**
   * Run several reads against one snapshot of the store: a writer (an import, a sweep) that commits
   * between them is seen by all of them or by none, so an answer built from them never mixes the
   * store before and after it. On a read-only connection too (a deferred transaction only reads).
   */
  readSnapshot<T>(read: () => T): T {
    if (this.db.inTransaction) return read();
    return this.db.transaction(read).deferred();
  }

  /**
   * A number that changes when another connection commits to the store (SQLite's data_version), as
   * of this connection's snapshot inside readSnapshot: what was read under one value is still true.
   */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  studies(): { name: string; runs: number; completed: number; createdAt: string }[] {
    return this.db
      .prepare(
        `SELECT s.name, s.created_at AS createdAt, COUNT(r.id) AS runs, SUM(CASE WHEN r.status = 'completed' THEN 1 ELSE 0 END) AS completed
         FROM studies s LEFT JOIN runs r ON r.study_id = s.id GROUP BY s.id ORDER BY s.id`,
      )
      .all() as { name: string; runs: number; completed: number; createdAt: string }[];
  }

  /**
   * Import a data set's runs in one transaction (waiting up to the busy timeout for the lock).
   * Rows with a run name are checkpoints of the run of that name and N; other rows are one run
   * each. Returns what was added.
   * @throws InputError when a row contradicts a stored checkpoint (naming both)
   */
  importDataset(dataset: Dataset, studyName: string, options: ImportOptions = {}): ImportCounts {
    return this.db
      .transaction(() =>
        this.importRows(
          studyName,
          dataset.source,
          (add) => dataset.runs.forEach(add),
          dataset.columns.lineage,
          dataset.columns.state,
          options,
        ),
      )
      .immediate();
  }

  /**
   * Import runs as `feed` produces them (a file streamed by io/readRuns.ts's forEachRun), in one
   * transaction once the write lock is free: a failed or killed import stores nothing.
   * `lineageColumn` and `stateColumn` name the file's lineage and state columns in errors.
   */
  async importStream(
    studyName: string,
    source: string,
    feed: (add: (run: Run) => void) => void,
    wait: WaitOptions = {},
    lineageColumn?: string,
    stateColumn?: string,
    options: ImportOptions = {},
  ): Promise<ImportCounts> {
    // Unnamed runs are keyed by a hash: a million inserts land all over the key index, and with
    // SQLite's default 2 MB page cache they cost half as much again (measured on 1 M runs).
    const cacheSize = this.db.pragma('cache_size', { simple: true }) as number;
    this.db.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
    try {
      return await this.writeTransaction(
        () => this.importRows(studyName, source, feed, lineageColumn, stateColumn, options),
        wait,
      );
    } finally {
      this.db.pragma(`cache_size = ${cacheSize}`);
    }
  }

  /**
   * The import's statements; the caller holds the transaction. A named run's identity is its
   * study, name and N: the same name with another N (two files both calling their runs "a") is
   * another run, never merged into the first. A checkpoint already stored with another loss is a
   * conflict, refused with both rows' files and lines.
   */
  private importRows(
    studyName: string,
    source: string,
    feed: (add: (run: Run) => void) => void,
    lineageColumn?: string,
    stateColumn?: string,
    options: ImportOptions = {},
  ): ImportCounts {
    // Under the write lock: a sweep that claims the study later plans it after this import commits.
    refuseHeldStudy(this.path, studyName, source);
    const pauseAfter = pauseHook();
    // A new run or checkpoint costs one insert; lookups happen only when the insert finds a row.
    // Positional parameters and one timestamp for the whole import: a million rows must be cheap.
    const insertRun = this.db.prepare(
      `INSERT INTO runs (study_id, key, name, status, reason, n, d, c, u, loss, grp, step, source, created_at, finished_at, lineage)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (study_id, key) DO NOTHING`,
    );
    // A tracker's state column (W&B's State) says where each run stands: a stored run follows the
    // latest import's word (a run exported while running, imported again once it finished).
    const setState = this.db.prepare(
      'UPDATE runs SET status = ?, reason = ? WHERE id = ? AND (status IS NOT ? OR reason IS NOT ?)',
    );
    const now = new Date().toISOString();
    const findRun = this.db.prepare('SELECT id, d, lineage, source FROM runs WHERE study_id = ? AND key = ?');
    const setLineage = this.db.prepare('UPDATE runs SET lineage = ? WHERE id = ?');
    // A stored run without a lineage takes the one a later import gives (a file imported again with
    // its trunk column added); another lineage than the stored one is a contradiction, named.
    // Runs whose lineage this import gave (inserted, or set on a stored run), with the line that gave it:
    // a contradiction with one of them is within the file, not with the store.
    const lineageGivenAt = new Map<number, number>();
    const checkLineage = (
      r: Run,
      stored: { id: number; lineage: string | null; source: string | null },
      what: string,
    ) => {
      if (r.lineage === undefined || stored.lineage === r.lineage) return;
      if (stored.lineage === null) {
        lineageGivenAt.set(stored.id, r.line);
        return void setLineage.run(r.lineage, stored.id);
      }
      const earlier = lineageGivenAt.get(stored.id);
      throw new InputError(
        { file: source, line: r.line, ...(lineageColumn !== undefined ? { columnName: lineageColumn } : {}) },
        earlier !== undefined
          ? `${what} is in lineage "${r.lineage}" here, but in "${stored.lineage}" at line ${earlier} of this file; expected one lineage per run`
          : `${what} is in lineage "${r.lineage}" here, but in "${stored.lineage}" in the store (from ${stored.source ?? 'an earlier import'}, study "${studyName}"); expected one lineage per run`,
      );
    };
    const insertCheckpoint = this.db.prepare(
      'INSERT INTO checkpoints (run_id, tokens, step, loss, source, lr) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    const findCheckpoint = this.db.prepare('SELECT loss, source FROM checkpoints WHERE run_id = ? AND tokens = ?');
    const updateFinal = this.db.prepare('UPDATE runs SET d = ?, c = ?, loss = ?, step = ? WHERE id = ?');
    let added = 0,
      checkpoints = 0,
      skipped = 0,
      rows = 0;
    const studyId = this.study(studyName);
    // The study's stored runs with a loss, for finding an unnamed row that is one of them written again
    // by another format (a CSV and a JSONL of one table: D rounded in its last digits, so another key).
    // Only the runs stored before this file: copies within a file are fit's duplicate-rows warning.
    // A stored value's digits are not kept (the store holds the double): it counts as exact, and a row
    // is its copy when the stored value rounded to the digits the file printed is the file's value.
    const stored = new SameRunIndex<RunValues & { id: number; source: string | null }>(
      options.keepCopies
        ? []
        : (this.db
            .prepare(
              'SELECT id, n AS N, d AS D, c AS C, u AS U, loss, source FROM runs WHERE study_id = ? AND loss IS NOT NULL',
            )
            .iterate(studyId) as Iterable<RunValues & { id: number; source: string | null }>),
    );
    const findKey = this.db.prepare('SELECT 1 FROM runs WHERE study_id = ? AND key = ?').pluck();
    // The study's own sweep runs (planned by a sweep or study, keyed by their configuration), by name and
    // N: a row that names one (the study's `runs export` imported back into it) is that run, not a new
    // one beside it, which would weigh twice in every fit of the study. Few (a sweep's plan), so held here.
    const sweepRuns = new Map<
      string,
      { id: number; name: string; n: number | null; d: number | null; loss: number | null; status: RunStatus }
    >();
    for (const s of this.db
      .prepare(
        'SELECT id, name, n, d, loss, status FROM runs WHERE study_id = ? AND phase IS NOT NULL AND name IS NOT NULL',
      )
      .iterate(studyId) as Iterable<{
      id: number;
      name: string;
      n: number | null;
      d: number | null;
      loss: number | null;
      status: RunStatus;
    }>)
      sweepRuns.set(namedRunKey(s.name, s.n), s);
    const findSweepCheckpoint = this.db.prepare('SELECT loss FROM checkpoints WHERE run_id = ? AND tokens = ?').pluck();
    // The study's named runs stored before this file, by name, for a row whose N is printed rounded: read
    // once, as a query per row (no index on names) made a 300,000-run import quadratic.
    const storedByName = new Map<string, { key: string; n: number | null }[]>();
    for (const s of this.db
      .prepare('SELECT key, name, n FROM runs WHERE study_id = ? AND name IS NOT NULL')
      .iterate(studyId) as Iterable<{ key: string; name: string; n: number | null }>) {
      const list = storedByName.get(s.name);
      if (list) list.push(s);
      else storedByName.set(s.name, [s]);
    }
    const findCheckpointsNear = this.db.prepare(
      'SELECT tokens, loss, source FROM checkpoints WHERE run_id = ? AND tokens BETWEEN ? AND ?',
    );
    /**
     * A run's loss at these tokens, or at its one stored checkpoint within half a unit of the tokens' last
     * digit printed (an export to 6 digits); undefined where none is, or several are.
     */
    const checkpointLossNear = (runId: number, tokens: number, place: number | undefined): number | undefined => {
      const exact = findSweepCheckpoint.get(runId, tokens) as number | undefined;
      if (exact !== undefined || place === undefined || !Number.isFinite(place)) return exact;
      const half = 0.5 * 10 ** place * (1 + 1e-12);
      const near = findCheckpointsNear.all(runId, tokens - half, tokens + half) as { loss: number }[];
      return near.length === 1 ? near[0].loss : undefined;
    };
    let copies = 0;
    const copiesFirst: ImportCounts['copiesFirst'] = [];
    // Which row of this file (by its key) each stored run was taken as the copy of: a stored run is one
    // run, so it is the copy of one row. A file printing few digits ("3.2") can match several stored runs,
    // and several of its own different rows ("3.2", "3.21": other seeds) can match one: each is then a
    // copy of a stored run not yet taken, or a run of its own, never all of them one stored run.
    const copyTakenBy = new Map<number, string>();
    // Within one file a run name means one run: the same name with another N is a contradiction in
    // the file (across files it is another run, as above).
    const states = new Map<string, { line: number; state: Run['state'] }>();
    const checkSize = runSizeCheck(source);
    // Runs stored as not yet finished in their tracker: named ones once, each unnamed row a run.
    const ongoingNamed = new Set<string>();
    let ongoingRows = 0;
    feed((r) => {
      if (r.state !== undefined && ongoingState(r.state)) {
        if (r.run === undefined) ongoingRows++;
        else ongoingNamed.add(namedRunKey(r.run, r.N ?? null));
      }
      if (r.run !== undefined) {
        const seen = states.get(r.run);
        if (!seen) states.set(r.run, { line: r.line, state: r.state });
        else if (seen.state !== r.state) {
          // Two states under one name are mostly two runs under one display name (a crashed run rerun
          // under its name), not one run's checkpoints.
          throw new InputError(
            { file: source, line: r.line, ...(stateColumn !== undefined ? { columnName: stateColumn } : {}) },
            (o) =>
              `run "${r.run}" is ${r.state ?? 'without a state'} here but ${seen.state ?? 'without a state'} at line ${seen.line}: expected one state per run in a file; if the name is shared by several runs (a run restarted under its name), read a column that tells runs apart (a run id) as the run, or each row as a run of its own with ${o('columns')} run=-`,
          );
        }
        checkSize(r);
      }
      const at = `${source}:${r.line}`;
      const n = r.N ?? null,
        d = r.D ?? null,
        c = r.C ?? null,
        step = r.step ?? null;
      const { status, reason } = importedStatus(r);
      const row = (key: string, name: string | null) =>
        insertRun.run(
          studyId,
          key,
          name,
          status,
          reason,
          n,
          d,
          c,
          r.U ?? null,
          r.loss,
          r.group ?? null,
          step,
          at,
          now,
          now,
          r.lineage ?? null,
        );
      if (r.run === undefined) {
        // The lineage is not part of an unnamed run's identity: the same row with a lineage added
        // is the same run, which takes the lineage.
        const key = `row:${hashKey([n, d, c, r.U ?? null, r.loss, r.group ?? null, step])}`;
        const copyOf =
          stored.size === 0
            ? undefined
            : stored.find(
                { N: n, D: d, C: c, U: r.U ?? null, loss: r.loss },
                printedPlaces(r),
                (s) => (copyTakenBy.get(s.id) ?? key) === key,
              );
        if (copyOf && findKey.get(studyId, key) === undefined) {
          copyTakenBy.set(copyOf.id, key);
          copies++;
          if (copiesFirst.length < COPIES_NAMED)
            copiesFirst.push({ line: r.line, stored: copyOf.source ?? `store run ${copyOf.id}` });
          rows++;
          if (rows === pauseAfter) pauseImport();
          return;
        }
        const inserted = row(key, null);
        if (inserted.changes) {
          added++;
          if (r.lineage !== undefined) lineageGivenAt.set(Number(inserted.lastInsertRowid), r.line);
        } else {
          if (r.lineage !== undefined)
            checkLineage(
              r,
              findRun.get(studyId, key) as { id: number; lineage: string | null; source: string | null },
              'this run',
            );
          skipped++;
        }
      } else {
        const tokens = d ?? step ?? 0;
        const places = printedPlaces(r);
        const tokensPlace = d !== null ? places?.D : undefined;
        let key = namedRunKey(r.run, n);
        // One of the study's own sweep runs, its N as stored or rounded to the digits the file printed.
        let sweepRun = sweepRuns.get(key);
        if (!sweepRun && places?.N !== undefined && n !== null) {
          const same = (storedByName.get(r.run) ?? []).filter((s) => sameValue(s.n, n, undefined, places.N));
          if (same.length === 1) sweepRun = sweepRuns.get(namedRunKey(r.run, same[0].n));
        }
        if (sweepRun) {
          // Its final loss or one of its checkpoints written back adds nothing (rounded to the digits the
          // file printed, as any copy: core/sameRun.ts); another loss is refused, as a sweep's result is not
          // the file's to change.
          const atTokens =
            sweepRun.status === 'completed' && sameValue(sweepRun.d, tokens, undefined, tokensPlace)
              ? sweepRun.loss
              : checkpointLossNear(sweepRun.id, tokens, tokensPlace);
          if (typeof atTokens !== 'number' || !sameValue(atTokens, r.loss, undefined, places?.loss))
            throw new InputError(
              { file: source, line: r.line, columnName: 'loss' },
              (o) =>
                `run "${r.run}"${r.N === undefined ? '' : ` (N = ${formatNumber(r.N, 6)})`} is study "${studyName}"'s own ${sweepRun.status} sweep run (store run ${sweepRun.id}), which has ${typeof atTokens === 'number' ? `loss ${atTokens}` : 'no loss'} at D = ${formatNumber(tokens, 6)}, but this row gives ${r.loss}; expected its stored result (a file exported from the study): import the file into another study (${o('study')}) to keep both`,
            );
          skipped++;
          rows++;
          if (rows === pauseAfter) pauseImport();
          return;
        }
        // A named run's N written again rounded (an export to 6 digits) is the stored run's N: the run is
        // that one, not another of the same name (core/sameRun.ts).
        if (places?.N !== undefined && n !== null && findKey.get(studyId, key) === undefined) {
          const same = (storedByName.get(r.run) ?? []).filter((s) => sameValue(s.n, n, undefined, places.N));
          // One stored run of that name and size: the rounded N is its (two would leave it ambiguous).
          if (same.length === 1) key = same[0].key;
        }
        const inserted = row(key, r.run);
        let id: number;
        let finalD: number | null = null;
        if (inserted.changes) {
          id = Number(inserted.lastInsertRowid);
          added++;
          if (r.lineage !== undefined) lineageGivenAt.set(id, r.line);
        } else {
          const found = findRun.get(studyId, key) as {
            id: number;
            d: number | null;
            lineage: string | null;
            source: string | null;
          };
          id = found.id;
          finalD = found.d;
          checkLineage(r, found, `run "${r.run}"`);
          if (r.state !== undefined) setState.run(status, reason, id, status, reason);
        }
        // A stored checkpoint written again with its tokens and loss rounded (an export to 6 digits) is
        // that checkpoint, not another one beside it: the tokens window is half a unit of the digits
        // printed (a D derived from C and N, or tokens from the step, are matched exactly).
        if (!inserted.changes && tokensPlace !== undefined && Number.isFinite(tokensPlace)) {
          const half = 0.5 * 10 ** tokensPlace;
          const near = findCheckpointsNear.all(id, tokens - half * (1 + 1e-12), tokens + half * (1 + 1e-12)) as {
            tokens: number;
            loss: number;
            source: string | null;
          }[];
          // Only where the rounded tokens point at one stored checkpoint: a round number ("3e9") amid a
          // dense curve could be any of several, and is then a checkpoint of its own. Another loss there
          // is a contradiction, as at the same tokens exactly: not a second checkpoint a rounding apart.
          if (near.length === 1 && near[0].tokens !== tokens) {
            if (!sameValue(near[0].loss, r.loss, undefined, places?.loss))
              throw conflict(r, tokens, near[0], source, studyName);
            skipped++;
            rows++;
            if (rows === pauseAfter) pauseImport();
            return;
          }
        }
        // A named run's `lr` column is the learning rate at that checkpoint (the curve's schedule).
        if (insertCheckpoint.run(id, tokens, step, r.loss, at, r.lr ?? null).changes) {
          checkpoints++;
          // The run's final values follow its latest checkpoint.
          if (!inserted.changes && (finalD === null || (d !== null && d > finalD)))
            updateFinal.run(d, c, r.loss, step, id);
        } else {
          const stored = findCheckpoint.get(id, tokens) as { loss: number; source: string | null };
          // The same loss rounded to the digits the file printed is the stored checkpoint's, not another.
          if (!sameValue(stored.loss, r.loss, undefined, places?.loss))
            throw conflict(r, tokens, stored, source, studyName);
          skipped++;
        }
      }
      rows++;
      if (rows === pauseAfter) pauseImport();
    });
    return { runs: added, checkpoints, skipped, unfinished: ongoingNamed.size + ongoingRows, copies, copiesFirst };
  }

  /** Add planned runs (idempotent by key) and return every run of those keys. */
  plan(
    studyName: string,
    runs: {
      key: string;
      name?: string;
      phase: string;
      config: unknown;
      N: number;
      D: number;
      C: number;
      estimatedSeconds: number;
    }[],
    studyConfig?: unknown,
  ): StoredRun[] {
    const insert = this.db.prepare(
      `INSERT INTO runs (study_id, key, name, phase, status, config, n, d, c, estimated_seconds)
       VALUES (@study, @key, @name, @phase, 'planned', @config, @n, @d, @c, @est)
       ON CONFLICT (study_id, key) DO NOTHING`,
    );
    const tx = this.db.transaction(() => {
      const studyId = this.study(studyName, studyConfig);
      for (const r of runs)
        insert.run({
          study: studyId,
          key: r.key,
          name: r.name ?? null,
          phase: r.phase,
          config: JSON.stringify(r.config),
          n: r.N,
          d: r.D,
          c: r.C,
          est: r.estimatedSeconds,
        });
      return studyId;
    });
    tx.immediate();
    const keys = new Set(runs.map((r) => r.key));
    return this.runs({ study: studyName }).filter((r) => keys.has(r.key));
  }

  /**
   * Runs in the order they were planned; with `limit` (and `offset`), one page of them, so that a
   * reader of a study of 150,000 runs (the web app) need not build them all.
   */
  runs(
    filter: { study?: string; status?: RunStatus | RunStatus[]; limit?: number; offset?: number } = {},
  ): StoredRun[] {
    const { where, args } = runFilter(filter);
    const paged = filter.limit !== undefined;
    if (paged) args.push(filter.limit, filter.offset ?? 0);
    const sql = `SELECT r.*, s.name AS study FROM runs r JOIN studies s ON s.id = r.study_id ${where} ORDER BY r.id${paged ? ' LIMIT ? OFFSET ?' : ''}`;
    return (this.db.prepare(sql).all(...args) as RunRow[]).map(fromRow);
  }

  /** How many runs `runs(filter)` gives without a limit, counted by SQLite. */
  countRuns(filter: { study?: string; status?: RunStatus | RunStatus[] } = {}): number {
    const { where, args } = runFilter(filter);
    const sql = `SELECT COUNT(*) AS n FROM runs r JOIN studies s ON s.id = r.study_id ${where}`;
    return (this.db.prepare(sql).get(...args) as { n: number }).n;
  }

  /**
   * A study's runs summed up by SQLite (aggregates, not one row per run): its runs by status, the
   * completed runs it left out of its fit, the seconds run and planned, and its best usable run
   * (lowest loss among the completed runs it fits; the first planned on a tie).
   */
  studyTotals(study: string): StudyTotals {
    const byStatus = this.db
      .prepare(
        `SELECT r.status AS status, COUNT(*) AS n,
                SUM(CASE WHEN r.status = 'completed' AND r.left_out IS NOT NULL THEN 1 ELSE 0 END) AS leftOut,
                TOTAL(r.seconds) AS seconds, TOTAL(r.estimated_seconds) AS estimated
         FROM runs r JOIN studies s ON s.id = r.study_id WHERE s.name = ? GROUP BY r.status`,
      )
      .all(study) as { status: RunStatus; n: number; leftOut: number; seconds: number; estimated: number }[];
    const best = this.db
      .prepare(
        `SELECT r.id AS id, r.n AS N, r.d AS D, r.loss AS loss FROM runs r JOIN studies s ON s.id = r.study_id
         WHERE s.name = ? AND r.status = 'completed' AND r.loss IS NOT NULL AND r.left_out IS NULL
         ORDER BY r.loss, r.id LIMIT 1`,
      )
      .get(study) as StudyTotals['best'] | undefined;
    const counts: Partial<Record<RunStatus, number>> = {};
    for (const row of byStatus) counts[row.status] = row.n;
    return {
      counts,
      leftOut: byStatus.reduce((n, row) => n + row.leftOut, 0),
      seconds: byStatus.reduce((n, row) => n + row.seconds, 0),
      estimatedSeconds: byStatus.reduce((n, row) => n + row.estimated, 0),
      best: best ?? null,
    };
  }

  /**
   * The completed runs a fit from the store reads (not those a study left out, nor those without a
   * loss), with only the columns a data set keeps: no configuration or schedule parsed per run.
   */
  fitRows(study?: string): FitRow[] {
    const { where, args } = runFilter({ study, status: 'completed' });
    return this.db
      .prepare(
        `SELECT r.id AS id, r.n AS N, r.d AS D, r.c AS C, r.u AS U, r.loss AS loss, r.grp AS grp, r.phase AS phase, r.name AS name,
                r.lineage AS lineage
         FROM runs r JOIN studies s ON s.id = r.study_id ${where} AND r.loss IS NOT NULL AND r.left_out IS NULL
         ORDER BY r.id`,
      )
      .all(...args) as FitRow[];
  }

  run(id: number): StoredRun | undefined {
    const r = this.db
      .prepare('SELECT r.*, s.name AS study FROM runs r JOIN studies s ON s.id = r.study_id WHERE r.id = ?')
      .get(id) as RunRow | undefined;
    return r ? fromRow(r) : undefined;
  }

  checkpoints(runId: number): Checkpoint[] {
    return (
      this.db
        .prepare('SELECT tokens, step, loss, lr FROM checkpoints WHERE run_id = ? ORDER BY tokens')
        .all(runId) as Checkpoint[]
    ).map(({ lr, ...c }) => (lr === null ? c : { ...c, lr }));
  }

  /** Record a run's learning-rate schedule (checked first: a store never holds one that cannot be read back). */
  setSchedule(id: number, schedule: Schedule): void {
    const checked = parseSchedule(schedule, { file: `run ${id}`, columnName: 'schedule' });
    this.db.prepare('UPDATE runs SET schedule = ? WHERE id = ?').run(JSON.stringify(checked), id);
  }

  /**
   * Record the backend's id for a run (a Slurm array handle that became ARRAYID_INDEX), leaving its status
   * alone; with `ifUnset`, only when it has none (another process may have recorded it meanwhile).
   */
  setExternalId(id: number, externalId: string, o: { ifUnset?: boolean } = {}): void {
    this.db
      .prepare(`UPDATE runs SET external_id = ? WHERE id = ?${o.ifUnset ? ' AND external_id IS NULL' : ''}`)
      .run(externalId, id);
  }

  /**
   * Record on a completed run that a study left it out of its fit (a loss it cannot use: diverged, not
   * a number), and why, in its own column: its status and reason stay what it reported, and `runs
   * export` and fits from the store leave it out as the study did. Returns whether it was recorded.
   */
  markLeftOutByStudy(id: number, why: string): boolean {
    return (
      this.db.prepare(`UPDATE runs SET left_out = ? WHERE id = ? AND status = 'completed'`).run(why, id).changes > 0
    );
  }

  /**
   * Move a run to a new status (and record backend, external id, reason when given). With `from`, only a
   * run now in one of those statuses (one `sweep cancel` ended meanwhile keeps its cancelled): returns
   * whether it was set.
   */
  setStatus(
    id: number,
    status: RunStatus,
    extra: { backend?: string; externalId?: string | null; reason?: string | null; from?: readonly RunStatus[] } = {},
  ): boolean {
    const info = this.db
      .prepare(
        `UPDATE runs SET status = @status,
           backend = COALESCE(@backend, backend),
           external_id = CASE WHEN @setExternal THEN @externalId ELSE external_id END,
           reason = CASE WHEN @setReason THEN @reason ELSE reason END,
           submitted_at = CASE WHEN @status IN ('queued', 'running') AND submitted_at IS NULL THEN strftime('%Y-%m-%dT%H:%M:%fZ','now') ELSE submitted_at END
         WHERE id = @id AND (@from IS NULL OR status IN (SELECT value FROM json_each(@from)))`,
      )
      .run({
        id,
        status,
        backend: extra.backend ?? null,
        externalId: extra.externalId ?? null,
        setExternal: extra.externalId !== undefined ? 1 : 0,
        reason: extra.reason ?? null,
        setReason: extra.reason !== undefined ? 1 : 0,
        from: extra.from ? JSON.stringify(extra.from) : null,
      });
    return info.changes > 0;
  }

  /**
   * Record a finished run and its checkpoints in one transaction. With `from`, only a run that is in one
   * of those statuses (a sweep's run in flight, which `sweep cancel` in another process may have ended
   * meanwhile): returns whether it was recorded.
   */
  finish(
    id: number,
    result: {
      status: 'completed' | 'failed' | 'cancelled';
      loss?: number | null;
      seconds?: number | null;
      reason?: string | null;
      evals?: Checkpoint[];
      schedule?: Schedule;
    },
    from?: readonly RunStatus[],
  ): boolean {
    const tx = this.db.transaction(() => {
      if (from && !from.includes(this.runStatus(id) as RunStatus)) return false;
      this.db
        .prepare(
          // A new result is judged afresh: a study's earlier verdict on the run's loss goes with it.
          `UPDATE runs SET status = ?, loss = ?, seconds = ?, reason = ?, left_out = NULL, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`,
        )
        .run(result.status, result.loss ?? null, result.seconds ?? null, result.reason ?? null, id);
      const insert = this.db.prepare(
        'INSERT INTO checkpoints (run_id, tokens, step, loss, lr) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, tokens) DO UPDATE SET loss = excluded.loss, lr = excluded.lr',
      );
      for (const e of result.evals ?? []) insert.run(id, e.tokens, e.step ?? null, e.loss, e.lr ?? null);
      if (result.schedule) this.setSchedule(id, result.schedule);
      return true;
    });
    return tx.immediate();
  }

  /** A run's status as the store holds it now, or undefined for no such run. */
  private runStatus(id: number): RunStatus | undefined {
    const row = this.db.prepare('SELECT status FROM runs WHERE id = ?').get(id) as { status: RunStatus } | undefined;
    return row?.status;
  }

  /** Failed (or cancelled) runs of a study back to planned, for a retry. */
  retry(studyName: string): number {
    // One transaction: the earlier attempt's checkpoints go with its status, so a retried run's
    // curve is its own (a failed attempt's evals at other token counts would otherwise stay mixed in).
    // Only planned runs (a training config to run again): an imported run that crashed has no config,
    // no sweep would train it, and its logged checkpoints are all there is of it.
    return this.db.transaction(() => {
      const which = `status IN ('failed', 'cancelled') AND config IS NOT NULL AND study_id = (SELECT id FROM studies WHERE name = ?)`;
      this.db.prepare(`DELETE FROM checkpoints WHERE run_id IN (SELECT id FROM runs WHERE ${which})`).run(studyName);
      return this.db
        .prepare(
          `UPDATE runs SET status = 'planned', reason = NULL, left_out = NULL, external_id = NULL WHERE ${which}`,
        )
        .run(studyName).changes;
    })();
  }

  /**
   * Import per-task metrics in one transaction once the write lock is free: all of a file or none.
   * A metric already stored with another value for the same run, checkpoint, task and metric is a
   * conflict, refused with both files and lines; the same value again is skipped.
   */
  async importTaskMetrics(
    studyName: string,
    set: TaskMetricSet,
    wait: WaitOptions = {},
    manifest: { tasks?: readonly TaskDefinition[]; roles?: ReadonlyMap<string, RunRole>; source?: string } = {},
  ): Promise<{ added: number; skipped: number }> {
    return this.writeTransaction(() => {
      const studyId = this.study(studyName);
      // The manifest's task definitions and this file's runs' roles go in with the metrics (one
      // transaction); the same again is skipped, a different one refused, naming both.
      const from = manifest.source ?? set.source;
      const putDefinition = this.db.prepare(
        'INSERT INTO task_definitions (study_id, task, definition, source) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      );
      const storedDefinition = this.db.prepare(
        'SELECT definition, source FROM task_definitions WHERE study_id = ? AND task = ?',
      );
      for (const d of manifest.tasks ?? []) {
        const json = definitionJson(d);
        if (putDefinition.run(studyId, d.task, json, from).changes) continue;
        const stored = storedDefinition.get(studyId, d.task) as { definition: string; source: string | null };
        if (stored.definition !== json)
          throw new InputError(
            { file: from },
            `task "${d.task}" is defined as ${json} here, but as ${stored.definition} in the store (from ${stored.source ?? 'an earlier import'}) in study "${studyName}"; expected one definition per task`,
          );
      }
      const putRole = this.db.prepare(
        'INSERT INTO task_run_roles (study_id, run, role, source) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      );
      const storedRole = this.db.prepare('SELECT role, source FROM task_run_roles WHERE study_id = ? AND run = ?');
      for (const run of new Set(set.records.map((r) => r.run))) {
        const role = manifest.roles?.get(run);
        if (role === undefined || putRole.run(studyId, run, role, from).changes) continue;
        const stored = storedRole.get(studyId, run) as { role: string; source: string | null };
        if (stored.role !== role)
          throw new InputError(
            { file: from },
            `run "${run}" has role "${role}" here, but "${stored.role}" in the store (from ${stored.source ?? 'an earlier import'}) in study "${studyName}"; expected one role per run`,
          );
      }
      // A task's few-shot count is part of what its accuracy measures: one at another count in the study is
      // refused, as two such files given to an analysis are (mergeTaskMetricSets), naming the stored one.
      const otherShots = this.db.prepare(
        'SELECT shots, run, source FROM task_metrics WHERE study_id = ? AND task = ? AND shots IS NOT NULL AND shots != ? LIMIT 1',
      );
      for (const [task, s] of Object.entries(set.shots ?? {})) {
        const stored = otherShots.get(studyId, task, s.shots) as
          { shots: number; run: string; source: string | null } | undefined;
        if (stored)
          throw new InputError(
            { file: set.source, line: s.line, column: s.column },
            (o) =>
              `task ${task} was evaluated ${s.shots}-shot here ("n-shot"), but ${stored.shots}-shot in the store (run "${stored.run}", from ${stored.source ?? 'an earlier import'}) in study "${studyName}": expected one few-shot count per task — accuracies at different counts are different quantities, and would be fitted as one curve; import each setting into a study of its own (${o('study')})`,
          );
      }
      // The file's lm-eval groups (a group and each direct member), kept beside those of earlier imports.
      const putGroup = this.db.prepare(
        'INSERT INTO task_groups (study_id, grp, task, source) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      );
      for (const [group, members] of Object.entries(set.groups ?? {}))
        for (const m of members) putGroup.run(studyId, group, m, set.source);
      const insert = this.db.prepare(
        `INSERT INTO task_metrics (study_id, run, tokens, step, n, c, val_loss, task, metric, value, source, shots, format)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      );
      const find = this.db.prepare(
        'SELECT value, source, format FROM task_metrics WHERE study_id = ? AND run = ? AND tokens = ? AND task = ? AND metric = ?',
      );
      // The same value imported again by this version records what an older one did not (its count, its
      // reader), so that importing a study's files again brings it up to date.
      const complete = this.db.prepare(
        'UPDATE task_metrics SET shots = ?, format = ? WHERE study_id = ? AND run = ? AND tokens = ? AND task = ? AND metric = ?',
      );
      let added = 0,
        skipped = 0;
      const pauseAfter = pauseHook();
      for (const r of set.records) {
        const tokens = r.D ?? r.step ?? 0;
        const at = `${set.source}:${r.line}`;
        if (
          insert.run(
            studyId,
            r.run,
            tokens,
            r.step ?? null,
            r.N ?? null,
            r.C ?? null,
            r.valLoss ?? null,
            r.task,
            r.metric,
            r.value,
            at,
            set.shots?.[r.task]?.shots ?? null,
            set.format,
          ).changes
        )
          added++;
        else {
          const stored = find.get(studyId, r.run, tokens, r.task, r.metric) as {
            value: number;
            source: string | null;
            format: string | null;
          };
          if (stored.value !== r.value) {
            throw new InputError(
              { file: set.source, line: r.line, ...(r.column !== undefined ? { column: r.column } : {}) },
              `run "${r.run}" ${r.task} ${r.metric} is ${r.value} at ${formatNumber(tokens, 6)} tokens here, but ${stored.value} in the store (from ${stored.source ?? 'an earlier import'}) in study "${studyName}"; expected one value per run, checkpoint, task and metric`,
            );
          }
          if (stored.format === null)
            complete.run(set.shots?.[r.task]?.shots ?? null, set.format, studyId, r.run, tokens, r.task, r.metric);
          skipped++;
        }
        if (added + skipped === pauseAfter) pauseImport();
      }
      return { added, skipped };
    }, wait);
  }

  /** The task definitions a study's manifests gave, in task order. */
  taskDefinitions(study: string): TaskDefinition[] {
    const rows = this.db
      .prepare(
        `SELECT d.definition FROM task_definitions d JOIN studies s ON s.id = d.study_id WHERE s.name = ? ORDER BY d.rowid`,
      )
      .all(study) as { definition: string }[];
    return rows.map((r) => JSON.parse(r.definition) as TaskDefinition);
  }

  /** The run roles a study's manifests gave (runs without one are ladder runs). */
  taskRunRoles(study: string): Map<string, RunRole> {
    const rows = this.db
      .prepare(`SELECT r.run, r.role FROM task_run_roles r JOIN studies s ON s.id = r.study_id WHERE s.name = ?`)
      .all(study) as { run: string; role: RunRole }[];
    return new Map(rows.map((r) => [r.run, r.role]));
  }

  /**
   * What a study's task metrics say beside their values: its lm-evaluation-harness groups, each with its
   * direct members (as TaskMetricSet.groups), and the metrics an older ScaleLab imported, which kept no
   * groups or few-shot counts (how many, and their files), so that the reader can say so rather than guess.
   * @throws InputError for a task stored at two few-shot counts (a store written by hand: an import
   * refuses it), located at the second, naming the first, as two such files given to an analysis are
   */
  taskMetricContext(study: string): {
    groups: Record<string, string[]>;
    unrecorded: { metrics: number; files: string[] };
  } {
    const studyId =
      (this.db.prepare('SELECT id FROM studies WHERE name = ?').get(study) as { id: number } | undefined)?.id ?? null;
    // SQLite takes a bare column from the row MIN() chose: the first import of each count.
    const counts = this.db
      .prepare(
        `SELECT task, shots, MIN(rowid), run, source FROM task_metrics WHERE study_id = ? AND shots IS NOT NULL
         GROUP BY task, shots ORDER BY task, MIN(rowid)`,
      )
      .all(studyId) as { task: string; shots: number; run: string; source: string | null }[];
    for (let i = 1; i < counts.length; i++) {
      const [first, second] = [counts[i - 1], counts[i]];
      if (first.task !== second.task) continue;
      const at = /^(.*):(\d+)$/.exec(second.source ?? '');
      throw new InputError(
        at ? { file: at[1], line: Number(at[2]) } : { file: this.path },
        (o) =>
          `task ${second.task} is stored ${second.shots}-shot here (run "${second.run}") and ${first.shots}-shot at ${first.source ?? 'an earlier import'} (run "${first.run}") in study "${study}" of ${this.path}: expected one few-shot count per task — accuracies at different counts are different quantities, and would be fitted as one curve; import each setting into a study of its own (${o('study')})`,
      );
    }
    const groups: Record<string, string[]> = {};
    for (const g of this.db
      .prepare('SELECT grp, task FROM task_groups WHERE study_id = ? ORDER BY rowid')
      .all(studyId) as { grp: string; task: string }[])
      (groups[g.grp] ??= []).push(g.task);
    const old = (
      this.db
        .prepare('SELECT source FROM task_metrics WHERE study_id = ? AND format IS NULL ORDER BY rowid')
        .all(studyId) as { source: string | null }[]
    ).map((r) => /^(.*):\d+$/.exec(r.source ?? '')?.[1] ?? 'an earlier import');
    return { groups, unrecorded: { metrics: old.length, files: [...new Set(old)] } };
  }

  /** The studies that hold task metrics, by name: what to offer when another study was named. */
  taskMetricStudies(): string[] {
    return (
      this.db
        .prepare('SELECT DISTINCT s.name FROM task_metrics t JOIN studies s ON s.id = t.study_id ORDER BY s.name')
        .all() as { name: string }[]
    ).map((r) => r.name);
  }

  /** The study's task metrics (every study's when none is named), in run and checkpoint order. */
  taskMetrics(study?: string): TaskMetric[] {
    const rows = this.db
      .prepare(
        `SELECT t.run, t.tokens, t.step, t.n, t.c, t.val_loss, t.task, t.metric, t.value, t.source FROM task_metrics t JOIN studies s ON s.id = t.study_id
         ${study !== undefined ? 'WHERE s.name = ?' : ''} ORDER BY t.run, t.tokens, t.task, t.metric`,
      )
      .all(...(study !== undefined ? [study] : [])) as {
      run: string;
      tokens: number;
      step: number | null;
      n: number | null;
      c: number | null;
      val_loss: number | null;
      task: string;
      metric: string;
      value: number;
      source: string | null;
    }[];
    return rows.map((r, i) => {
      // Where the import read the value ("file:line"), to locate the analyses' errors there.
      const at = /^(.*):(\d+)$/.exec(r.source ?? '');
      return {
        run: r.run,
        D: r.tokens,
        ...(r.step !== null ? { step: r.step } : {}),
        ...(r.n !== null ? { N: r.n } : {}),
        ...(r.c !== null ? { C: r.c } : {}),
        ...(r.val_loss !== null ? { valLoss: r.val_loss } : {}),
        task: r.task,
        metric: r.metric,
        value: r.value,
        ...(at ? { file: at[1], line: Number(at[2]) } : { line: i + 1 }),
      };
    });
  }

  saveFit(studyName: string, law: string, json: unknown): void {
    const id = this.study(studyName);
    this.db.prepare('INSERT INTO fits (study_id, law, json) VALUES (?, ?, ?)').run(id, law, JSON.stringify(json));
  }

  saveRecommendation(studyName: string, json: unknown): void {
    const id = this.study(studyName);
    this.db.prepare('INSERT INTO recommendations (study_id, json) VALUES (?, ?)').run(id, JSON.stringify(json));
  }

  latestRecommendation(studyName: string): unknown {
    const r = this.db
      .prepare(
        'SELECT json FROM recommendations WHERE study_id = (SELECT id FROM studies WHERE name = ?) ORDER BY id DESC LIMIT 1',
      )
      .get(studyName) as { json: string } | undefined;
    return r ? JSON.parse(r.json) : undefined;
  }
}
