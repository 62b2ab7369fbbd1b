/**
 * The run store: a SQLite file in the user's project (`.scalelab/runs.db` by default), in WAL
 * mode so a sweep's writers and a reader can work at once. Every write is one transaction: an
 * import killed half-way leaves the store as it was, and importing the same file twice adds nothing.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ScaleLabError } from '../errors/index.js';
import type { Dataset, Run } from '../io/dataset.js';

/** A store problem (cannot open, locked, schema from a newer version), with the path. */
export class StoreError extends ScaleLabError {
  override name = 'StoreError' as const;
  override readonly exitCode = 1;
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}

export type RunStatus = 'planned' | 'submitting' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

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
}

export interface Checkpoint {
  tokens: number;
  loss: number;
  step?: number | null;
}

/** Schema migrations, applied in order; PRAGMA user_version records how many ran. */
const migrations: string[] = [
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
];

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
  };
}

export function hashKey(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}

/** A test hook: pause an import after this many rows (to kill it mid-transaction in a test). */
function pauseHook(): number {
  const v = Number(process.env.SCALELAB_TEST_IMPORT_PAUSE_AFTER);
  return Number.isFinite(v) && v > 0 ? v : Infinity;
}

export class RunStore {
  readonly path: string;
  readonly db: Database.Database;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
  }

  /** Open (creating the folder and file when needed) and migrate. */
  static open(path = defaultStorePath): RunStore {
    let db: Database.Database;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
    } catch (e) {
      throw new StoreError(path, `cannot open the run store: ${(e as Error).message}`);
    }
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 10000');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    const store = new RunStore(path, db);
    store.migrate();
    return store;
  }

  /**
   * Open an existing store for reading only (the web app's server): never creates the file,
   * migrates it or changes its journal mode — the file's bytes stay as they are. Refuses, with a
   * StoreError naming the path, a file that is not a ScaleLab run store (an empty file, another
   * program's database, text) or one whose schema is not this version's.
   */
  static openReadOnly(path: string): RunStore {
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
    } catch (e) {
      throw new StoreError(path, `cannot open the run store: ${(e as Error).message}`);
    }
    const notAStore = (why: string) => new StoreError(path, `not a ScaleLab run store: ${why}`);
    try {
      db.pragma('busy_timeout = 10000');
      const version = db.pragma('user_version', { simple: true }) as number;
      const tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((t) => t.name));
      if (tables.size === 0) throw notAStore('an empty database (a sweep or "scalelab runs import" makes one)');
      if (!['studies', 'runs', 'checkpoints'].every((t) => tables.has(t)) || version === 0) {
        throw notAStore(`another SQLite database (tables ${[...tables].slice(0, 6).join(', ')}${tables.size > 6 ? ', …' : ''})`);
      }
      if (version > migrations.length) throw new StoreError(path, `the store has schema version ${version}, newer than this ScaleLab understands (${migrations.length}); upgrade ScaleLab`);
      if (version < migrations.length) throw new StoreError(path, `the store has schema version ${version}, older than this ScaleLab's (${migrations.length}); run any "scalelab runs" command on it once to upgrade it`);
      return new RunStore(path, db);
    } catch (e) {
      db.close();
      if (e instanceof StoreError) throw e;
      const err = e as Error & { code?: string };
      throw err.code === 'SQLITE_NOTADB' ? notAStore('not an SQLite database') : new StoreError(path, `cannot read the run store: ${err.message}`);
    }
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > migrations.length) {
      throw new StoreError(this.path, `the store has schema version ${version}, newer than this ScaleLab understands (${migrations.length}); upgrade ScaleLab`);
    }
    for (let v = version; v < migrations.length; v++) {
      this.db.transaction(() => {
        this.db.exec(migrations[v]);
        this.db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    }
  }

  close(): void {
    this.db.close();
  }

  /** The study's id, creating it when new. */
  study(name: string, config?: unknown): number {
    const found = this.db.prepare('SELECT id FROM studies WHERE name = ?').get(name) as { id: number } | undefined;
    if (found) return found.id;
    return Number(this.db.prepare('INSERT INTO studies (name, config) VALUES (?, ?)').run(name, config === undefined ? null : JSON.stringify(config)).lastInsertRowid);
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
   * Import a data set's runs in one transaction. Rows with a run name are grouped into one run
   * whose checkpoints are the rows; other rows are one run each. Returns what was added.
   */
  importDataset(dataset: Dataset, studyName: string): { runs: number; checkpoints: number; skipped: number } {
    const pauseAfter = pauseHook();
    const insertRun = this.db.prepare(
      `INSERT INTO runs (study_id, key, name, status, n, d, c, u, loss, grp, step, source, finished_at)
       VALUES (@study, @key, @name, 'completed', @n, @d, @c, @u, @loss, @grp, @step, @source, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
       ON CONFLICT (study_id, key) DO NOTHING`,
    );
    const findRun = this.db.prepare('SELECT id FROM runs WHERE study_id = ? AND key = ?');
    const insertCheckpoint = this.db.prepare('INSERT INTO checkpoints (run_id, tokens, step, loss) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
    const updateFinal = this.db.prepare(
      `UPDATE runs SET d = @d, c = @c, loss = @loss, step = @step
       WHERE id = @id AND (d IS NULL OR d <= @d)`,
    );
    let added = 0, checkpoints = 0, skipped = 0, rows = 0;
    const tick = () => {
      rows++;
      if (rows === pauseAfter) {
        process.stderr.write('scalelab-test: import paused\n');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
      }
    };
    const run = this.db.transaction(() => {
      const studyId = this.study(studyName);
      const byName = new Map<string, Run[]>();
      for (const r of dataset.runs) {
        if (r.run !== undefined) {
          if (!byName.has(r.run)) byName.set(r.run, []);
          byName.get(r.run)!.push(r);
          continue;
        }
        const key = `row:${hashKey([r.N ?? null, r.D ?? null, r.C ?? null, r.U ?? null, r.loss, r.group ?? null, r.step ?? null])}`;
        const info = insertRun.run({ study: studyId, key, name: null, n: r.N ?? null, d: r.D ?? null, c: r.C ?? null, u: r.U ?? null, loss: r.loss, grp: r.group ?? null, step: r.step ?? null, source: `${dataset.source}:${r.line}` });
        if (info.changes) added++;
        else skipped++;
        tick();
      }
      for (const [name, rs] of byName) {
        const sorted = [...rs].sort((a, b) => (a.D ?? a.step ?? 0) - (b.D ?? b.step ?? 0));
        const last = sorted[sorted.length - 1];
        const key = `run:${name}`;
        const info = insertRun.run({ study: studyId, key, name, n: last.N ?? null, d: last.D ?? null, c: last.C ?? null, u: last.U ?? null, loss: last.loss, grp: last.group ?? null, step: last.step ?? null, source: `${dataset.source}:${sorted[0].line}` });
        if (info.changes) added++;
        const id = (findRun.get(studyId, key) as { id: number }).id;
        for (const r of sorted) {
          const tokens = r.D ?? r.step ?? 0;
          const c = insertCheckpoint.run(id, tokens, r.step ?? null, r.loss);
          if (c.changes) checkpoints++;
          else skipped++;
          tick();
        }
        updateFinal.run({ id, d: last.D ?? null, c: last.C ?? null, loss: last.loss, step: last.step ?? null });
      }
    });
    run.immediate();
    return { runs: added, checkpoints, skipped };
  }

  /** Add planned runs (idempotent by key) and return every run of those keys. */
  plan(studyName: string, runs: { key: string; name?: string; phase: string; config: unknown; N: number; D: number; C: number; estimatedSeconds: number }[], studyConfig?: unknown): StoredRun[] {
    const insert = this.db.prepare(
      `INSERT INTO runs (study_id, key, name, phase, status, config, n, d, c, estimated_seconds)
       VALUES (@study, @key, @name, @phase, 'planned', @config, @n, @d, @c, @est)
       ON CONFLICT (study_id, key) DO NOTHING`,
    );
    const tx = this.db.transaction(() => {
      const studyId = this.study(studyName, studyConfig);
      for (const r of runs) insert.run({ study: studyId, key: r.key, name: r.name ?? null, phase: r.phase, config: JSON.stringify(r.config), n: r.N, d: r.D, c: r.C, est: r.estimatedSeconds });
      return studyId;
    });
    tx.immediate();
    const keys = new Set(runs.map((r) => r.key));
    return this.runs({ study: studyName }).filter((r) => keys.has(r.key));
  }

  runs(filter: { study?: string; status?: RunStatus | RunStatus[] } = {}): StoredRun[] {
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
    const sql = `SELECT r.*, s.name AS study FROM runs r JOIN studies s ON s.id = r.study_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id`;
    return (this.db.prepare(sql).all(...args) as RunRow[]).map(fromRow);
  }

  run(id: number): StoredRun | undefined {
    const r = this.db.prepare('SELECT r.*, s.name AS study FROM runs r JOIN studies s ON s.id = r.study_id WHERE r.id = ?').get(id) as RunRow | undefined;
    return r ? fromRow(r) : undefined;
  }

  checkpoints(runId: number): Checkpoint[] {
    return this.db.prepare('SELECT tokens, step, loss FROM checkpoints WHERE run_id = ? ORDER BY tokens').all(runId) as Checkpoint[];
  }

  /** Record the backend's id for a run (a Slurm array handle that became ARRAYID_INDEX), leaving its status alone. */
  setExternalId(id: number, externalId: string): void {
    this.db.prepare('UPDATE runs SET external_id = ? WHERE id = ?').run(externalId, id);
  }

  /** Move a run to a new status (and record backend, external id, reason when given). */
  setStatus(id: number, status: RunStatus, extra: { backend?: string; externalId?: string | null; reason?: string | null } = {}): void {
    this.db
      .prepare(
        `UPDATE runs SET status = @status,
           backend = COALESCE(@backend, backend),
           external_id = CASE WHEN @setExternal THEN @externalId ELSE external_id END,
           reason = CASE WHEN @setReason THEN @reason ELSE reason END,
           submitted_at = CASE WHEN @status IN ('queued', 'running') AND submitted_at IS NULL THEN strftime('%Y-%m-%dT%H:%M:%fZ','now') ELSE submitted_at END
         WHERE id = @id`,
      )
      .run({ id, status, backend: extra.backend ?? null, externalId: extra.externalId ?? null, setExternal: extra.externalId !== undefined ? 1 : 0, reason: extra.reason ?? null, setReason: extra.reason !== undefined ? 1 : 0 });
  }

  /** Record a finished run and its checkpoints in one transaction. */
  finish(id: number, result: { status: 'completed' | 'failed' | 'cancelled'; loss?: number | null; seconds?: number | null; reason?: string | null; evals?: Checkpoint[] }): void {
    const tx = this.db.transaction(() => {
      this.db
        .prepare(`UPDATE runs SET status = ?, loss = ?, seconds = ?, reason = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`)
        .run(result.status, result.loss ?? null, result.seconds ?? null, result.reason ?? null, id);
      const insert = this.db.prepare('INSERT INTO checkpoints (run_id, tokens, step, loss) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, tokens) DO UPDATE SET loss = excluded.loss');
      for (const e of result.evals ?? []) insert.run(id, e.tokens, e.step ?? null, e.loss);
    });
    tx.immediate();
  }

  /** Failed (or cancelled) runs of a study back to planned, for a retry. */
  retry(studyName: string): number {
    // One transaction: the earlier attempt's checkpoints go with its status, so a retried run's
    // curve is its own (a failed attempt's evals at other token counts would otherwise stay mixed in).
    return this.db.transaction(() => {
      const study = `SELECT id FROM studies WHERE name = ?`;
      this.db.prepare(`DELETE FROM checkpoints WHERE run_id IN (SELECT id FROM runs WHERE status IN ('failed', 'cancelled') AND study_id = (${study}))`).run(studyName);
      return this.db.prepare(`UPDATE runs SET status = 'planned', reason = NULL, external_id = NULL WHERE status IN ('failed', 'cancelled') AND study_id = (${study})`).run(studyName).changes;
    })();
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
    const r = this.db.prepare('SELECT json FROM recommendations WHERE study_id = (SELECT id FROM studies WHERE name = ?) ORDER BY id DESC LIMIT 1').get(studyName) as { json: string } | undefined;
    return r ? JSON.parse(r.json) : undefined;
  }
}

/** Completed runs as a Dataset that `fit` and `frontier` read. */
export function storeDataset(store: RunStore, study?: string): Dataset {
  const runs: Run[] = store
    .runs({ study, status: 'completed' })
    .filter((r) => r.loss !== null)
    .map((r, i) => ({
      ...(r.N !== null ? { N: r.N } : {}),
      ...(r.D !== null ? { D: r.D } : {}),
      ...(r.C !== null ? { C: r.C } : r.N !== null && r.D !== null ? { C: 6 * r.N * r.D } : {}),
      ...(r.U !== null ? { U: r.U } : {}),
      loss: r.loss!,
      ...(r.group !== null ? { group: r.group } : {}),
      ...(r.name !== null ? { run: r.name } : {}),
      line: i + 1,
    }));
  return { source: `${store.path}${study ? ` (study ${study})` : ''}`, runs, columns: { N: 'N', D: 'D', C: 'C', loss: 'loss' }, derived: {} };
}
