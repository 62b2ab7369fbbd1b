/**
 * What `lab serve` must not forget when it stops or is killed: the lab's world and budget, every
 * experiment submitted (with the outcome the simulator fixed at submit, and when it runs), the
 * final submission, the API key and the lab's clock. A SQLite file (better-sqlite3, like the run
 * store), in WAL mode with synchronous = FULL; every change is one transaction, so a server killed
 * at any moment (kill -9) leaves the file as it was before or after the change, never between.
 *
 * One server per file: the connection holds SQLite's exclusive lock (locking_mode = EXCLUSIVE)
 * from start to exit, so a second `lab serve` on the same file is refused instead of spending the
 * same budget twice. The operating system drops the lock when the process dies, however it dies.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors/index.js';
import { StoreError } from '../store/errors.js';
import { loadWorld } from '../lab/loadWorld.js';
import type { Evaluation } from '../lab/simulate.js';
import { parseWorld, type World } from '../lab/world.js';

/** A new lab's budget when --budget-hours is not given. */
export const defaultLabBudgetHours = 12;

/** PRAGMA application_id of a lab state file ("SLab"), so a run store or another program's database is never taken for one. */
const applicationId = 0x534c6162;

const migrations: string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   -- AUTOINCREMENT: a sequence number (the id exp-NNNNN) is never handed out twice, not even after --reset.
   CREATE TABLE experiments (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     key TEXT NOT NULL UNIQUE,
     request TEXT NOT NULL,
     submitted_at REAL NOT NULL,
     start REAL NOT NULL,
     end REAL NOT NULL,
     runtime REAL NOT NULL,
     charged REAL NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('completed', 'failed')),
     error TEXT,
     evals TEXT NOT NULL
   );
   CREATE TABLE final_submission (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);`,
];

/** An experiment as the lab recorded it at submit: its outcome and its place in the schedule (simulated seconds). */
export interface LabExperiment {
  seq: number;
  /** exp-00001, … */
  id: string;
  /** The configuration's identity (the request without max_runtime_seconds and val_batch_size): a second submit of it is a 409. */
  key: string;
  request: { max_runtime_seconds: number } & Record<string, unknown>;
  submittedAt: number;
  start: number;
  end: number;
  runtime: number;
  charged: number;
  status: 'completed' | 'failed';
  error?: string;
  evals: Evaluation[];
}

function experimentId(seq: number): string {
  return `exp-${String(seq).padStart(5, '0')}`;
}

interface ExperimentRow {
  seq: number;
  key: string;
  request: string;
  submitted_at: number;
  start: number;
  end: number;
  runtime: number;
  charged: number;
  status: 'completed' | 'failed';
  error: string | null;
  evals: string;
}

/** The lab's clock: at real time `real` (seconds) it read `sim` simulated seconds and ran at `speed`. */
interface ClockAnchor {
  real: number;
  sim: number;
  speed: number;
}

export interface LabStateOptions {
  /** The world asked for (--world); undefined: the state's own, or the default world for a new lab. */
  world?: World;
  /** Where `world` came from, for messages. */
  worldSource?: string;
  /** The budget asked for (--budget-hours); undefined: the state's own, or 12 h for a new lab. */
  budgetSeconds?: number;
  /** The key asked for; undefined: the state's own, or a random one for a new lab. */
  apiKey?: string;
  /** Forget the state's lab and start a new one on the same file (ids keep counting up). */
  reset?: boolean;
}

/** What a resumed lab brought back, for the start-up message. */
export interface Resumed {
  experiments: number;
  finalSubmission: boolean;
}

/** The world's rules, without its name and description: two worlds that simulate alike are the same lab. */
function rules(world: World): string {
  const { name: _n, description: _d, ...rest } = world;
  void _n;
  void _d;
  return JSON.stringify(rest);
}

const hours = (seconds: number) => `${Number((seconds / 3600).toPrecision(6))} h`;

export class LabState {
  readonly path: string;
  readonly world: World;
  readonly budgetSeconds: number;
  readonly apiKey: string;
  /** Undefined for a new lab (or one just reset). */
  readonly resumed: Resumed | undefined;
  private readonly db: Database.Database;
  private readonly list: LabExperiment[];
  private final: unknown;

  private constructor(
    path: string,
    db: Database.Database,
    world: World,
    budgetSeconds: number,
    apiKey: string,
    resumed: boolean,
  ) {
    this.path = path;
    this.db = db;
    this.world = world;
    this.budgetSeconds = budgetSeconds;
    this.apiKey = apiKey;
    this.list = (db.prepare('SELECT * FROM experiments ORDER BY seq').all() as ExperimentRow[]).map((r) => ({
      seq: r.seq,
      id: experimentId(r.seq),
      key: r.key,
      request: JSON.parse(r.request) as LabExperiment['request'],
      submittedAt: r.submitted_at,
      start: r.start,
      end: r.end,
      runtime: r.runtime,
      charged: r.charged,
      status: r.status,
      ...(r.error !== null ? { error: r.error } : {}),
      evals: JSON.parse(r.evals) as Evaluation[],
    }));
    const f = db.prepare('SELECT json FROM final_submission WHERE id = 1').get() as { json: string } | undefined;
    this.final = f ? JSON.parse(f.json) : undefined;
    this.resumed = resumed ? { experiments: this.list.length, finalSubmission: this.final !== undefined } : undefined;
  }

  /**
   * Open (or create) a state file and lock it for this process. A new file starts a lab with the
   * world, budget and key asked for (or the defaults). An existing one resumes its lab: a world or
   * budget asked for must be the lab's own (refused otherwise, unless `reset`); a key asked for
   * replaces the stored one. `:memory:` keeps the state in memory (forgotten on exit).
   */
  static open(path: string, want: LabStateOptions = {}): LabState {
    const memory = path === ':memory:';
    const existed = memory || existsSync(path);
    let db: Database.Database;
    try {
      if (!memory) mkdirSync(dirname(path), { recursive: true });
      // timeout 0: a lock held by another server is reported at once, not waited for.
      db = new Database(path, { timeout: 0 });
    } catch (e) {
      throw new StoreError(path, `cannot open the lab state file: ${(e as Error).message}`);
    }
    try {
      return LabState.init(path, db, existed, want);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  private static init(path: string, db: Database.Database, existed: boolean, want: LabStateOptions): LabState {
    // Read before writing anything: a file that is not a lab state file is left exactly as it was.
    let app: number, version: number, tables: string[];
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      app = db.pragma('application_id', { simple: true }) as number;
      version = db.pragma('user_version', { simple: true }) as number;
      tables = (
        db
          .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
          .all() as { name: string }[]
      ).map((t) => t.name);
    } catch (e) {
      const err = e as Error & { code?: string };
      if (err.code === 'SQLITE_NOTADB')
        throw new StoreError(
          path,
          'not a lab state file: not an SQLite database (give --state a new file, or one an earlier "lab serve" wrote)',
        );
      if (err.code === 'SQLITE_BUSY')
        throw new StoreError(
          path,
          'the lab state file is in use: another "lab serve" (or another program) has it open; stop it, or give this server another --state FILE',
        );
      throw new StoreError(path, `cannot read the lab state file: ${err.message}`);
    }
    if (tables.length > 0 && app !== applicationId) {
      const what =
        tables.includes('runs') && tables.includes('studies') ? 'a ScaleLab run store' : 'another SQLite database';
      throw new StoreError(
        path,
        `not a lab state file: it is ${what} (tables ${tables.slice(0, 6).join(', ')}${tables.length > 6 ? ', …' : ''}); give --state a new file`,
      );
    }
    if (version > migrations.length)
      throw new StoreError(
        path,
        `the lab state file has schema version ${version}, newer than this ScaleLab understands (${migrations.length}); upgrade ScaleLab`,
      );
    try {
      if (path !== ':memory:') db.pragma('journal_mode = WAL');
      // FULL: an experiment the API has acknowledged survives even the machine going down.
      db.pragma('synchronous = FULL');
      db.transaction(() => {
        for (let v = version; v < migrations.length; v++) db.exec(migrations[v]);
        db.pragma(`application_id = ${applicationId}`);
        db.pragma(`user_version = ${migrations.length}`);
      }).immediate();
    } catch (e) {
      const err = e as Error & { code?: string };
      if (err.code === 'SQLITE_BUSY')
        throw new StoreError(
          path,
          'the lab state file is in use: another "lab serve" (or another program) has it open; stop it, or give this server another --state FILE',
        );
      throw new StoreError(path, `cannot write the lab state file: ${err.message}`);
    }
    if (!existed) {
      // It holds the API key: readable by its owner only (SQLite gives its -wal file the same mode).
      try {
        chmodSync(path, 0o600);
      } catch {
        /* a file system without modes */
      }
    }

    const meta = new Map(
      (db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [
        r.key,
        r.value,
      ]),
    );
    const setMeta = db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    let savedWorld: World | undefined;
    if (meta.has('world') && !want.reset) {
      savedWorld = parseWorld(JSON.parse(meta.get('world')!), `${path} (its world)`);
      const savedBudget = Number(meta.get('budget_seconds'));
      const count = (db.prepare('SELECT COUNT(*) AS n FROM experiments').get() as { n: number }).n;
      const startOver = `resume it with the same settings (or none: a lab keeps its own), start a new lab on it with --reset (its ${count} experiment${count === 1 ? '' : 's'} and budget spent are then forgotten), or give --state another file`;
      if (want.world && rules(want.world) !== rules(savedWorld)) {
        const asked = want.worldSource
          ? `--world ${want.worldSource} is world "${want.world.name}"`
          : `the world asked for is "${want.world.name}"`;
        throw new UsageError(
          `${path}: this lab runs world "${savedWorld.name}", and ${asked} with other rules: ${startOver}`,
        );
      }
      if (want.budgetSeconds !== undefined && want.budgetSeconds !== savedBudget) {
        throw new UsageError(
          `${path}: this lab has a budget of ${hours(savedBudget)}, and --budget-hours asks for ${hours(want.budgetSeconds)}: ${startOver}`,
        );
      }
      const apiKey = want.apiKey ?? meta.get('api_key')!;
      if (apiKey !== meta.get('api_key')) setMeta.run('api_key', apiKey);
      return new LabState(path, db, savedWorld, savedBudget, apiKey, true);
    }

    const world = want.world ?? loadWorld();
    const budgetSeconds = want.budgetSeconds ?? defaultLabBudgetHours * 3600;
    const apiKey = want.apiKey ?? randomBytes(16).toString('hex');
    db.transaction(() => {
      // A reset forgets the lab but not the id sequence (sqlite_sequence): no id is handed out twice.
      db.exec('DELETE FROM experiments; DELETE FROM final_submission; DELETE FROM meta;');
      setMeta.run('world', JSON.stringify(world));
      setMeta.run('budget_seconds', String(budgetSeconds));
      setMeta.run('api_key', apiKey);
    }).immediate();
    return new LabState(path, db, world, budgetSeconds, apiKey, false);
  }

  /**
   * Start the lab's clock for this server and return it (simulated seconds). The clock kept running
   * while no server was up, at the speed it had: the simulated accelerators do not stop because
   * the API in front of them did, as a real cluster's jobs keep training while its API restarts.
   * So experiments in flight when a server died finish at the simulated time they would have
   * finished anyway, charged what they would have been charged — their outcome was fixed and
   * stored at submit. (Failing them instead would charge the client for results it could never
   * get: the API refuses the same configuration twice.) `speed` applies from now on. The clock
   * never runs backwards, whatever the real one does.
   */
  startClock(speed: number, now: () => number): () => number {
    const real = now();
    const raw = (this.db.prepare(`SELECT value FROM meta WHERE key = 'clock'`).get() as { value: string } | undefined)
      ?.value;
    const before = raw ? (JSON.parse(raw) as ClockAnchor) : undefined;
    const finalAt = (this.final as { submitted_at_seconds?: number } | undefined)?.submitted_at_seconds ?? 0;
    let floor = this.list.reduce((m, e) => Math.max(m, e.submittedAt), finalAt);
    const sim = Math.max(floor, before ? before.sim + (real - before.real) * before.speed : 0);
    const anchor: ClockAnchor = { real, sim, speed };
    this.db
      .prepare(
        `INSERT INTO meta (key, value) VALUES ('clock', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      )
      .run(JSON.stringify(anchor));
    return () => {
      floor = Math.max(floor, anchor.sim + (now() - anchor.real) * anchor.speed);
      return floor;
    };
  }

  experiments(): readonly LabExperiment[] {
    return this.list;
  }

  experiment(id: string): LabExperiment | undefined {
    return this.list.find((e) => e.id === id);
  }

  byKey(key: string): LabExperiment | undefined {
    return this.list.find((e) => e.key === key);
  }

  /** Record a new experiment (one transaction) and return it with its id. */
  add(e: Omit<LabExperiment, 'seq' | 'id'>): LabExperiment {
    const info = this.db
      .prepare(
        `INSERT INTO experiments (key, request, submitted_at, start, end, runtime, charged, status, error, evals)
         VALUES (@key, @request, @submittedAt, @start, @end, @runtime, @charged, @status, @error, @evals)`,
      )
      .run({ ...e, request: JSON.stringify(e.request), error: e.error ?? null, evals: JSON.stringify(e.evals) });
    const seq = Number(info.lastInsertRowid);
    const added: LabExperiment = { ...e, seq, id: experimentId(seq) };
    this.list.push(added);
    return added;
  }

  finalSubmission(): unknown {
    return this.final;
  }

  setFinalSubmission(value: unknown): void {
    this.db
      .prepare(
        'INSERT INTO final_submission (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json',
      )
      .run(JSON.stringify(value));
    this.final = value;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
