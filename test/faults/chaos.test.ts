// A seeded chaos test of the run store: a random sequence of real CLI processes on one store — runs import
// (files that overlap earlier ones), a sweep on the local backend with a tiny trainer, sweep cancel and
// retry, runs export; study run and a sweep on the simulated lab; imports into the studies those drive, now
// or earlier (a killed one leaves its claim); downstream import; runs ls reading meanwhile — some of them
// killed (SIGKILL, sometimes SIGINT or SIGTERM) at a random moment, one or two at once. The targeted fault tests pick their moments; this one checks the moments nobody picked.
// Each moment is either a state the test observes (an import paused at a row inside its transaction, a
// number of runs started) or a seeded delay that correctness never needs: a kill that lands before the
// work or after it is as valid an outcome as one inside it. After each step the store is held to a model
// of what was committed: integrity_check ok; each import's file wholly present or wholly absent; no run
// stored twice; the sweep's runs each in one state, none lost once a sweep runs whole; an export imported
// into a fresh store gives the same runs; exit codes and messages as documented. A planned phase (a study's
// probe, its IsoFLOP runs) whole or absent; a completed run never recorded again (a resumed study trains no
// finished run twice); an import into a driven study refused naming the process driving it, or whole — never
// refused by a claim whose process has gone; a reader sees an import whole or not at all.
//
// Replay a failure with the seed it names: SCALELAB_CHAOS_SEEDS=1234 (a comma list). A soak:
// SCALELAB_CHAOS_SOAK_S=600 runs new seeds for that many seconds, from SCALELAB_CHAOS_SOAK_FROM (1000);
// SCALELAB_CHAOS_STEPS sets steps per seed; SCALELAB_CHAOS_VERBOSE=1 writes each seed's steps to stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { integrityOk, spawnCli, waitFor, writePlan } from './common.js';
import { RunStore } from '../../src/store/store.js';
import { parseRuns } from '../../src/io/parseRuns.js';

/** The default seeds (CI): few steps each, so the whole test stays near a minute on a busy 2-core machine. */
const DEFAULT_SEEDS = [1, 2];
const STEPS = Number(process.env.SCALELAB_CHAOS_STEPS) || 6;
const SOAK_S = Number(process.env.SCALELAB_CHAOS_SOAK_S) || 0;
const SOAK_FROM = Number(process.env.SCALELAB_CHAOS_SOAK_FROM) || 1000;
const SWEEP_RUNS = 4;
const SWEEP_STUDY = 'sw';
/** The study `study run` drives on the simulated lab (a probe phase, then an IsoFLOP phase: seconds in all). */
const STUDY_RUN = 'st';
/** The study a sweep of the same four-run plan drives on the simulated lab. */
const SIM_SWEEP = 'sim';
/** The studies a sweep or a study run claims while it drives them (an import into one is refused meanwhile). */
const CLAIMED = [SWEEP_STUDY, STUDY_RUN, SIM_SWEEP] as const;

/** mulberry32: a small seeded generator, the same sequence for a seed on every machine. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof rng>;

interface Row {
  name: string;
  N: number;
  D: number;
  loss: number;
}
interface ImportFile {
  file: string;
  study: string;
  rows: Row[];
  /** Rows it added when it committed (the others were in the store already); undefined while not committed. */
  added?: number;
}
const rowKey = (r: { name: string; N: number }) => `${r.name}|${r.N}`;

/** How a process was ended, if the test ended it. */
type Kill =
  { signal: NodeJS.Signals; moment: 'paused' | 'delay' | 'started' | 'ended'; arg: number; study?: string } | undefined;

/** One seed's world: its store, the files it imported, and the model of what is committed. */
class World {
  readonly dir: string;
  readonly db: string;
  readonly runsRoot: string;
  readonly trainerLog: string;
  readonly plan: string;
  readonly sweepArgs: string[];
  readonly simSweepArgs: string[];
  studyArgs: string[];
  /** Runs each phase of a planned study holds once it was planned (a phase is planned in one transaction). */
  readonly phaseRuns = new Map<string, number>();
  /** Every completed run as it was first seen completed: a finished run is never trained or recorded again. */
  readonly finished = new Map<string, string>();
  /** Processes that claim a study (sweep run, study run), by pid: the only holders an import may be refused by. */
  readonly claimers = new Map<number, string>();
  /** Files of per-task metrics (downstream import), each with its rows; `stored` once seen whole in the store. */
  readonly metricFiles: { file: string; study: string; rows: number; stored: boolean }[] = [];
  /** Recommendations `study run` saved, as the store holds them after the last step. */
  recommendations = 0;
  readonly files: ImportFile[] = [];
  /** Committed imported runs per study, by name and N. */
  readonly committed = new Map<string, Map<string, Row>>();
  nextRow = 0;
  sweepPlanned = false;
  /** Runs a retry queued again: each may be trained once more than once. */
  requeued = 0;
  exportFile: string;
  /** The contents the export file had when an export last ended whole (a killed one leaves it so). */
  exportSeen: string | undefined;
  log: string[] = [];

  constructor(readonly seed: number) {
    this.dir = mkdtempSync(join(tmpdir(), `scalelab-chaos-${seed}-`));
    this.db = join(this.dir, 'runs.db');
    this.runsRoot = join(this.dir, 'runs');
    this.trainerLog = join(this.dir, 'trainer.log');
    this.plan = writePlan(
      join(this.dir, 'plan.json'),
      Array.from({ length: SWEEP_RUNS }, (_, i) => i),
    );
    this.exportFile = join(this.dir, 'export.csv');
    // A tiny trainer: three evaluations 0.1 s apart, the last at the planned tokens; a line per start.
    const trainer = join(this.dir, 'trainer.mjs');
    writeFileSync(
      trainer,
      `import { appendFileSync } from 'node:fs';
import { basename, join } from 'node:path';
const a = process.argv.slice(2);
const get = (k) => a[a.indexOf(k) + 1];
const out = get('--out'), tokens = Number(get('--tokens'));
appendFileSync(${JSON.stringify(this.trainerLog)}, basename(out) + '\\n');
let k = 0;
const t = setInterval(() => {
  k++;
  appendFileSync(join(out, 'metrics.jsonl'), JSON.stringify({ tokens: (tokens * k) / 3, step: k, val_loss: 4 - k / 4 }) + '\\n');
  if (k === 3) { clearInterval(t); process.exit(0); }
}, 100);
`,
    );
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(trainer)} --tokens {tokens} --out {run_dir}`;
    this.sweepArgs = ['sweep', 'run', this.plan, '--study', SWEEP_STUDY, '--db', this.db, '--backend', 'local'].concat([
      '--concurrency',
      '2',
      '--runs-dir',
      this.runsRoot,
      '--poll',
      '0.05',
      '--command',
      command,
      '--json',
    ]);
    this.simSweepArgs = [
      'sweep',
      'run',
      this.plan,
      '--study',
      SIM_SWEEP,
      '--db',
      this.db,
      '--backend',
      'sim',
      '--json',
    ];
    // The simulated lab's whole loop, no bootstrap: about 40 runs and a fit in seconds.
    this.studyArgs = ['study', 'run', '--backend', 'sim', '--study', STUDY_RUN, '--db', this.db, '--bootstrap', '0'];
    this.studyArgs = this.studyArgs.concat(['--json']);
  }

  studyRows(study: string): Map<string, Row> {
    let m = this.committed.get(study);
    if (!m) this.committed.set(study, (m = new Map()));
    return m;
  }

  /** A new CSV of named runs for `study`: fresh rows, and sometimes rows copied from an earlier file. */
  newFile(r: Rng, study: string): ImportFile {
    const rows: Row[] = [];
    const earlier = this.files.filter((f) => f.study === study);
    if (earlier.length && r.chance(0.6)) {
      const from = r.pick(earlier).rows;
      const start = r.int(0, from.length - 1);
      rows.push(...from.slice(start, start + r.int(1, from.length)));
    }
    const fresh = r.int(rows.length ? 0 : 1, 150);
    for (let i = 0; i < fresh; i++) {
      const k = this.nextRow++;
      rows.push({
        name: `r${k}`,
        N: 1e8 + k * 1e6,
        D: 2e9 + (k % 7) * 1e8,
        loss: Number((3.5 - k * 0.0007).toFixed(4)),
      });
    }
    const file = join(this.dir, `f${this.files.length}.csv`);
    writeFileSync(file, `run,N,D,loss\n${rows.map((x) => `${x.name},${x.N},${x.D},${x.loss}`).join('\n')}\n`);
    const f = { file, study, rows };
    this.files.push(f);
    return f;
  }

  /** Rows of `f` the store does not have yet (what its import adds if it commits now). */
  wouldAdd(f: ImportFile): number {
    const have = this.studyRows(f.study);
    return new Set(f.rows.filter((x) => !have.has(rowKey(x))).map(rowKey)).size;
  }

  commit(f: ImportFile): void {
    const have = this.studyRows(f.study);
    for (const x of f.rows) if (!have.has(rowKey(x))) have.set(rowKey(x), x);
  }
}

/** The completed planned runs of a study that its fit keeps (what runs export writes), with their configuration. */
function plannedConfigs(db: string, study: string): { name: string; config: Record<string, number> }[] {
  const raw = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (
      raw
        .prepare(
          "SELECT r.name, r.config FROM runs r JOIN studies s ON s.id = r.study_id WHERE s.name = ? AND r.status = 'completed' AND r.config IS NOT NULL AND r.left_out IS NULL",
        )
        .all(study) as { name: string; config: string }[]
    ).map((x) => ({ name: x.name, config: JSON.parse(x.config) as Record<string, number> }));
  } finally {
    raw.close();
  }
}

/** Runs of an imported study in the store whose source is `file`, and all its runs. */
function storedRuns(db: string): {
  study: string;
  name: string | null;
  phase: string | null;
  n: number;
  d: number;
  loss: number | null;
  source: string | null;
  status: string;
  key: string;
}[] {
  if (!existsSync(db)) return [];
  const raw = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return raw
      .prepare(
        'SELECT s.name AS study, r.name, r.phase, r.n, r.d, r.loss, r.source, r.status, r.key FROM runs r JOIN studies s ON s.id = r.study_id',
      )
      .all() as ReturnType<typeof storedRuns>;
  } catch (e) {
    // A store killed before its schema was written has no tables: an empty store.
    if (/no such table/.test(String(e))) return [];
    throw e;
  } finally {
    raw.close();
  }
}

/** Start a CLI process, and end it at the moment `kill` says (or leave it). */
async function launch(w: World, args: string[], kill: Kill, claims?: string) {
  const gate = mkdtempSync(join(w.dir, 'gate-'));
  const pauseEnv: Record<string, string> =
    kill?.moment === 'paused'
      ? { SCALELAB_TEST_IMPORT_PAUSE_AFTER: String(kill.arg), SCALELAB_TEST_IMPORT_PAUSE: gate }
      : {};
  const p = spawnCli(args, pauseEnv, 90_000);
  if (claims && p.child.pid !== undefined) w.claimers.set(p.child.pid, claims);
  let sent = false;
  const act = async () => {
    if (!kill) return;
    if (kill.moment === 'delay') {
      // A seeded delay: before the process has loaded, inside its work or after it ended are all valid.
      await new Promise((r) => setTimeout(r, kill.arg));
    } else if (kill.moment === 'paused') {
      // The import paused at row `arg` inside its transaction (a file with fewer rows never pauses).
      await waitFor(
        'the import to pause or end',
        () =>
          existsSync(join(gate, `${p.child.pid}.paused`)) || p.child.exitCode !== null || p.child.signalCode !== null,
      );
    } else if (kill.moment === 'ended') {
      // A number of the simulated study's runs ended (or the process ended first).
      await waitFor(
        'runs to end',
        () => endedRuns(w.db, kill.study!) >= kill.arg || p.child.exitCode !== null || p.child.signalCode !== null,
      );
    } else {
      // A number of the sweep's trainers started (or the sweep ended first).
      await waitFor(
        'trainers to start',
        () => starts(w).length >= kill.arg || p.child.exitCode !== null || p.child.signalCode !== null,
      );
    }
    if (p.child.exitCode === null && p.child.signalCode === null) sent = p.child.kill(kill.signal);
    writeFileSync(join(gate, `${p.child.pid}.go`), '');
  };
  const acted = act();
  const end = await p.done;
  await acted;
  return { ...p, end, sent };
}

const starts = (w: World) =>
  existsSync(w.trainerLog) ? readFileSync(w.trainerLog, 'utf8').trim().split('\n').filter(Boolean) : [];

function chooseKill(r: Rng, kind: 'import' | 'sweep' | 'sim' | 'other', study?: string): Kill {
  if (r.chance(0.35)) return undefined;
  const signal = r.chance(0.7) ? 'SIGKILL' : r.pick(['SIGINT', 'SIGTERM'] as const);
  if (kind === 'import' && r.chance(0.6)) return { signal, moment: 'paused', arg: r.int(1, 120) };
  if (kind === 'sweep' && r.chance(0.6)) return { signal, moment: 'started', arg: r.int(0, SWEEP_RUNS) };
  // A study run's ~44 runs (a sim sweep's 4) end within a second or two of its start: some ended, or a delay.
  if (kind === 'sim' && r.chance(0.6))
    return { signal, moment: 'ended', arg: r.int(0, study === SIM_SWEEP ? SWEEP_RUNS : 44), study };
  return { signal, moment: 'delay', arg: r.int(0, 2500) };
}

/** Runs of `study` that have ended (completed, failed or cancelled), as another process reads them. */
function endedRuns(db: string, study: string): number {
  try {
    return storedRuns(db).filter(
      (x) => x.study === study && (x.status === 'completed' || x.status === 'failed' || x.status === 'cancelled'),
    ).length;
  } catch {
    return 0; // the store being created: its schema not yet whole
  }
}

/**
 * What a command stopped by a signal said: with --json a JSON error on stdout (its one document), else a
 * line on stderr; undefined when it said nothing of the kind.
 */
function interruptedSaid(p: { out: { stdout: string; stderr: string } }, json: boolean): string | undefined {
  if (!json) return /^scalelab: (interrupted \(SIG.*)$/m.exec(p.out.stderr)?.[1];
  const doc = JSON.parse(p.out.stdout) as { error?: { type: string; message: string } };
  return doc.error?.type === 'Interrupted' ? doc.error.message : undefined;
}

/** The refusal of an import into a study a sweep (or study run) holds: the study and the pid it names. */
function heldBy(stdout: string): { study: string; pid: number; message: string } | undefined {
  let doc: { error?: { message?: string } };
  try {
    doc = JSON.parse(stdout) as typeof doc;
  } catch {
    return undefined;
  }
  const message = doc.error?.message ?? '';
  const m = /study "([^"]*)" is being run by a sweep: pid (\d+)/.exec(message);
  return m ? { study: m[1], pid: Number(m[2]), message } : undefined;
}

/** A signal handled by the CLI: its documented exit code. */
const handledCode = (s: NodeJS.Signals) => (s === 'SIGINT' ? 130 : 143);

/**
 * An import, maybe killed: the files wholly there or not, and what it said is true. Into a study a sweep or
 * study run claims (`alongside`: one may be driving it now), it is refused naming that process, or lands
 * whole; a claim left by a process that has gone (killed) is no reason to refuse it.
 */
async function importStep(w: World, r: Rng, files: ImportFile[], kill: Kill, alongside = false) {
  const p = await launch(
    w,
    ['runs', 'import', ...files.map((f) => f.file), '--db', w.db, '--study', files[0].study, '--json'],
    kill,
  );
  w.log.push(
    `  import ${files.map((f) => f.file.replace(w.dir + '/', '')).join(' ')} → code ${p.end.code} signal ${p.end.signal}`,
  );
  // Which files are in the store: each wholly or not at all.
  const stored = storedRuns(w.db);
  const landed = files.map((f) => {
    const fromIt = stored.filter((x) => x.study === f.study && x.source?.startsWith(`${f.file}:`)).length;
    if (f.added !== undefined) {
      assert.equal(fromIt, f.added, `${f.file} imported earlier: its ${f.added} runs stay, none added`);
      return 'earlier';
    }
    // Files before it in this import committed first (the model has them by now): it adds what is left.
    const expected = w.wouldAdd(f);
    assert.ok(
      fromIt === 0 || fromIt === expected,
      `${f.file}: ${fromIt} runs stored of ${expected}: an import is whole or absent`,
    );
    // A file that adds nothing cannot be seen to have committed, but by the command's word (exit 0).
    if (expected === 0 && p.end.code !== 0) return 'unknown';
    if (fromIt === expected) {
      w.commit(f);
      f.added = expected;
      return 'now';
    }
    return 'no';
  });
  // One transaction per file, in order: none lands after one that did not.
  const firstMissing = landed.indexOf('no');
  if (firstMissing >= 0)
    assert.ok(!landed.slice(firstMissing).includes('now'), `files land in order: ${landed.join(', ')}`);
  const held = heldBy(p.out.stdout);
  if (held) {
    // Refused at a file: it and those after it not stored, and the process it names drives that study.
    assert.equal(p.end.code, 1, p.out.stderr);
    assert.ok(landed.at(-1) !== 'now', `a refused import stored its last file: ${held.message}`);
    assert.equal(held.study, files[0].study, held.message);
    assert.equal(
      w.claimers.get(held.pid),
      files[0].study,
      `refused naming pid ${held.pid}, no sweep or study run of "${files[0].study}": ${held.message}`,
    );
    assert.ok(alongside, `refused by a claim whose process had ended (stale, to be taken over): ${held.message}`);
    // What it says of the store is true: nothing stored, or which files were.
    if (landed.includes('now'))
      assert.doesNotMatch(held.message, /nothing was imported/, `a file of it landed: ${held.message}`);
    return;
  }
  if (!p.sent) {
    assert.equal(p.end.code, 0, p.out.stderr);
    assert.ok(
      landed.every((l) => l !== 'no'),
      'an import that ended by itself stored every file',
    );
    const json = JSON.parse(p.out.stdout);
    json.files.forEach((x: { runs: number; skipped: number }, i: number) =>
      assert.deepEqual(
        [x.runs, x.runs + x.skipped],
        [files[i].added === undefined ? 0 : landed[i] === 'now' ? files[i].added : 0, files[i].rows.length],
      ),
    );
  } else if (p.end.code === handledCode(kill!.signal)) {
    // Heard: it says which files were imported whole, and that is what the store holds.
    const said = interruptedSaid(p, true);
    assert.match(said ?? '', /^interrupted \(SIG(INT, Ctrl-C|TERM)\)/, p.out.stdout + p.out.stderr);
    // The files it names as imported whole are those the store has (those before "the others not").
    const whole = said!.split('the others not')[0];
    for (const [i, f] of files.entries()) {
      if (landed[i] === 'now')
        assert.ok(
          whole.includes(f.file) && !/nothing was imported/.test(said!),
          `the line names ${f.file}, which landed: ${said}`,
        );
      if (landed[i] === 'no') assert.ok(!whole.includes(f.file), `the line does not call ${f.file} imported: ${said}`);
    }
  } else if (p.end.code === 0) {
    assert.ok(
      landed.every((l) => l !== 'no'),
      'exit 0 after a signal: every file stored',
    );
  }
}

/**
 * A sweep run (on the local backend, or the simulated lab's with `sim`), maybe killed: its runs each in one
 * state; one that ran whole ran every run. Runs imported into its study are not its own.
 */
async function sweepStep(w: World, kill: Kill, sim = false) {
  const study = sim ? SIM_SWEEP : SWEEP_STUDY;
  const p = await launch(w, sim ? w.simSweepArgs : w.sweepArgs, kill, study);
  w.log.push(
    `  ${sim ? 'sim sweep run' : 'sweep run'} → code ${p.end.code} signal ${p.end.signal}${sim ? '' : `; ${starts(w).length} trainer starts`}`,
  );
  const runs = planRuns(w.db, study);
  assert.ok(
    runs.length === 0 || runs.length === SWEEP_RUNS,
    `the plan is stored whole or not at all: ${runs.length} runs`,
  );
  assert.equal(new Set(runs.map((x) => x.key)).size, runs.length, 'each planned run once');
  if (runs.length && !sim) w.sweepPlanned = true;
  if (!p.sent) {
    const states = runs.map((x) => x.status);
    const ok = states.every((s) => s === 'completed');
    assert.ok(
      states.every((s) => s === 'completed' || s === 'cancelled' || s === 'failed'),
      `a sweep that ran whole leaves no run in flight: ${states.join(', ')}\n${p.out.stderr}`,
    );
    assert.equal(p.end.code, ok ? 0 : 1, p.out.stderr);
    const summary = JSON.parse(p.out.stdout);
    assert.equal(summary.total, SWEEP_RUNS);
    assert.equal(summary.done, states.filter((s) => s === 'completed').length);
  } else if (p.end.code === handledCode(kill!.signal)) {
    assert.match(interruptedSaid(p, true) ?? '', /^interrupted \(SIG/, p.out.stdout + p.out.stderr);
  }
}

/** The runs a sweep or study run planned in `study` (imported runs have no phase). */
const planRuns = (db: string, study: string) => storedRuns(db).filter((x) => x.study === study && x.phase !== null);

/**
 * study run on the simulated lab, maybe killed (at a number of its runs ended, or a seeded delay): each phase
 * planned whole or not at all, each run once; run again, it resumes and trains no finished run again (the
 * store's check after each step); one that ends by itself recorded every run and its recommendation.
 */
async function studyStep(w: World, kill: Kill) {
  const p = await launch(w, w.studyArgs, kill, STUDY_RUN);
  const runs = planRuns(w.db, STUDY_RUN);
  w.log.push(`  study run → code ${p.end.code} signal ${p.end.signal}; ${runs.length} runs planned`);
  assert.equal(new Set(runs.map((x) => x.key)).size, runs.length, 'each planned run once');
  const saved = recommendationsOf(w.db, STUDY_RUN);
  if (!p.sent || p.end.code === 0) {
    assert.equal(p.end.code, 0, p.out.stderr);
    const summary = JSON.parse(p.out.stdout) as { runs: { total: number; completed: number } };
    assert.equal(summary.runs.total, runs.length, 'the summary counts every planned run');
    assert.equal(
      summary.runs.completed,
      runs.filter((x) => x.status === 'completed').length,
      'the summary counts the completed runs',
    );
    assert.ok(
      runs.every((x) => x.status === 'completed' || x.status === 'failed'),
      `a study that ran whole leaves no run in flight: ${runs.map((x) => x.status).join(', ')}`,
    );
    assert.equal(saved, w.recommendations + 1, 'a study that ran whole saved its recommendation');
  } else if (p.end.code === handledCode(kill!.signal)) {
    assert.match(interruptedSaid(p, true) ?? '', /^interrupted \(SIG/, p.out.stdout + p.out.stderr);
    assert.equal(saved, w.recommendations, 'a study stopped by a signal saves no recommendation');
  }
  w.recommendations = saved;
}

/** Recommendations the store holds for `study`. */
function recommendationsOf(db: string, study: string): number {
  if (!existsSync(db)) return 0;
  const raw = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (
      raw
        .prepare('SELECT count(*) AS n FROM recommendations r JOIN studies s ON s.id = r.study_id WHERE s.name = ?')
        .get(study) as { n: number }
    ).n;
  } catch (e) {
    if (/no such table/.test(String(e))) return 0;
    throw e;
  } finally {
    raw.close();
  }
}

/** sweep cancel (nothing in flight is a valid answer), or sweep retry. */
async function cancelOrRetry(w: World, r: Rng) {
  if (r.chance(0.5)) await cancelStep(w);
  else await retryStep(w);
}

/** sweep cancel: it works whether runs are in flight or not, a sweep still polling them or gone. */
async function cancelStep(w: World) {
  const p = await launch(
    w,
    ['sweep', 'cancel', '--study', SWEEP_STUDY, '--db', w.db, '--backend', 'local', '--runs-dir', w.runsRoot, '--json'],
    undefined,
  );
  w.log.push(`  sweep cancel → code ${p.end.code}: ${p.out.stdout.trim()}`);
  assert.equal(p.end.code, 0, p.out.stderr);
}

/** sweep retry: it queues again, and says so, every failed or cancelled run. */
async function retryStep(w: World) {
  const before = planRuns(w.db, SWEEP_STUDY).filter((x) => x.status === 'failed' || x.status === 'cancelled').length;
  const p = await launch(w, ['sweep', 'retry', '--study', SWEEP_STUDY, '--db', w.db, '--json'], undefined);
  w.log.push(`  sweep retry → code ${p.end.code}: ${p.out.stdout.trim()}`);
  assert.equal(p.end.code, 0, p.out.stderr);
  assert.equal(JSON.parse(p.out.stdout).requeued, before, 'retry says how many it queued again');
  w.requeued += before;
}

/** runs export of an imported study, maybe killed: the file is the earlier one or a whole new one. */
async function exportStep(w: World, study: string, kill: Kill) {
  const p = await launch(
    w,
    ['runs', 'export', '--study', study, '--db', w.db, '--format', 'csv', '--out', w.exportFile],
    kill,
  );
  w.log.push(`  export ${study} → code ${p.end.code} signal ${p.end.signal}`);
  const now = existsSync(w.exportFile) ? readFileSync(w.exportFile, 'utf8') : undefined;
  if (!p.sent || p.end.code === 0) {
    assert.equal(p.end.code, 0, p.out.stderr);
    sameRuns(w, study, now);
    w.exportSeen = now;
  } else if (now !== w.exportSeen) {
    // Killed, yet written: it must be whole (written to a temporary file and renamed).
    sameRuns(w, study, now);
    w.exportSeen = now;
  }
  if (p.sent && p.end.code === handledCode(kill!.signal))
    assert.match(interruptedSaid(p, false) ?? '', /^interrupted \(SIG/, p.out.stderr);
}

/** An export, imported into a fresh store, gives the study's committed runs. */
function sameRuns(w: World, study: string, csv: string | undefined) {
  assert.ok(csv !== undefined, 'the export wrote its file');
  const fresh = join(mkdtempSync(join(w.dir, 'fresh-')), 'fresh.db');
  const s = RunStore.open(fresh);
  try {
    s.importDataset(parseRuns(csv, { source: w.exportFile }), study);
    const got = s
      .runs({ study })
      .map((x) => `${x.name}|${x.N}|${x.D}|${x.loss}`)
      .sort();
    const want = [...w.studyRows(study).values()].map((x) => `${x.name}|${x.N}|${x.D}|${x.loss}`).sort();
    assert.deepEqual(got, want, 'the export, imported into a fresh store, gives the same runs');
  } finally {
    s.close();
  }
}

/**
 * runs ls of `study` while `f` is imported into it (or was, or will be): the reader sees one snapshot, with
 * `seen.before` runs committed before and the file's `seen.adds` new runs all or none.
 */
async function readerStep(w: World, study: string, f: ImportFile, seen: { before: number; adds: number }) {
  const p = await launch(w, ['runs', 'ls', '--study', study, '--db', w.db, '--json'], undefined);
  w.log.push(`  runs ls ${study} → code ${p.end.code}`);
  assert.equal(p.end.code, 0, p.out.stdout + p.out.stderr);
  const listed = JSON.parse(p.out.stdout) as { source: string | null }[];
  const fromIt = listed.filter((x) => x.source?.startsWith(`${f.file}:`)).length;
  assert.ok(fromIt === 0 || fromIt === seen.adds, `the reader saw ${fromIt} of the ${seen.adds} runs ${f.file} adds`);
  assert.equal(listed.length - fromIt, seen.before, "the reader saw the study's other runs");
}

/**
 * downstream import of a new file of per-task metrics (or one imported before), maybe killed: another writer
 * of the store, into its own table; each file's metrics whole or absent, and once stored they stay.
 */
async function metricsStep(w: World, r: Rng, kill: Kill) {
  let f = w.metricFiles.length && r.chance(0.3) ? r.pick(w.metricFiles) : undefined;
  if (!f) {
    const n = r.int(1, 150);
    const file = join(w.dir, `m${w.metricFiles.length}.csv`);
    const k = w.metricFiles.length;
    const lines = Array.from(
      { length: n },
      (_, i) =>
        `m${k}-${i % 10},${1e8 * (1 + (i % 10))},${2e9 * (1 + Math.floor(i / 10))},hellaswag,acc,${(0.3 + i * 0.001).toFixed(3)}`,
    );
    writeFileSync(file, `run,N,tokens,task,metric,value\n${lines.join('\n')}\n`);
    f = { file, study: r.pick(['a', 'b', ...CLAIMED]), rows: n, stored: false };
    w.metricFiles.push(f);
  }
  const p = await launch(w, ['downstream', 'import', f.file, '--study', f.study, '--db', w.db, '--json'], kill);
  w.log.push(`  downstream import ${f.file.replace(w.dir + '/', '')} → code ${p.end.code} signal ${p.end.signal}`);
  const got = metricRows(w.db, f.file);
  assert.ok(got === 0 || got === f.rows, `${f.file}: ${got} metrics stored of ${f.rows}: whole or absent`);
  if (got === f.rows) f.stored = true;
  if (!p.sent) {
    assert.equal(p.end.code, 0, p.out.stdout + p.out.stderr);
    assert.equal(got, f.rows, 'a downstream import that ended by itself stored its file');
  } else if (p.end.code === handledCode(kill!.signal)) {
    const said = interruptedSaid(p, true) ?? '';
    assert.match(said, /^interrupted \(SIG/, p.out.stdout + p.out.stderr);
    // It says whether the file was stored: "nothing was imported", or the file imported whole.
    if (got) assert.doesNotMatch(said, /nothing was imported/, `its file was stored: ${said}`);
    else assert.doesNotMatch(said, /imported whole/, `its file was not stored: ${said}`);
  }
}

/** Task metrics the store holds from `file`. */
function metricRows(db: string, file: string): number {
  if (!existsSync(db)) return 0;
  const raw = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (
      raw
        .prepare('SELECT count(*) AS n FROM task_metrics WHERE substr(source, 1, ?) = ?')
        .get(file.length + 1, `${file}:`) as {
        n: number;
      }
    ).n;
  } catch (e) {
    if (/no such table/.test(String(e))) return 0;
    throw e;
  } finally {
    raw.close();
  }
}

/** The invariants after every step, against the model. */
function checkStore(w: World) {
  if (!existsSync(w.db)) return;
  assert.ok(integrityOk(w.db), 'PRAGMA integrity_check ok');
  // The next command must be able to open it (and no upgrade or repair is needed).
  RunStore.open(w.db).close();
  const runs = storedRuns(w.db);
  for (const [study, rows] of w.committed) {
    // Imported runs (those with a source): a sweep's or study's own runs share some of these studies.
    const got = runs.filter((x) => x.study === study && x.source !== null);
    const tuples = got.map((x) => `${x.name}|${x.n}|${x.d}|${x.loss}`);
    assert.equal(new Set(tuples).size, tuples.length, `no run stored twice in "${study}"`);
    assert.deepEqual(
      tuples.sort(),
      [...rows.values()].map((x) => `${x.name}|${x.N}|${x.D}|${x.loss}`).sort(),
      `study "${study}" holds exactly the committed imports`,
    );
  }
  // Each imported run has its one checkpoint; each completed run of the sweep its three evaluations.
  const raw = new Database(w.db, { readonly: true, fileMustExist: true });
  try {
    const odd = raw
      .prepare(
        `SELECT s.name AS study, r.key, r.status, count(c.run_id) AS checkpoints FROM runs r JOIN studies s ON s.id = r.study_id
         LEFT JOIN checkpoints c ON c.run_id = r.id GROUP BY r.id
         HAVING CASE WHEN r.phase IS NULL THEN checkpoints != 1
           WHEN s.name = ? THEN r.status = 'completed' AND checkpoints != 3 ELSE 0 END`,
      )
      .all(SWEEP_STUDY);
    assert.deepEqual(odd, [], 'checkpoints per run');
    // A run once completed stays as it was: resumed, retried, cancelled or imported again, nothing trains it
    // again or records another result over it.
    const done = raw
      .prepare(
        `SELECT s.name || '|' || r.key AS id, r.loss, r.n, r.d, r.seconds, r.finished_at AS finished,
           (SELECT count(*) FROM checkpoints c WHERE c.run_id = r.id) AS checkpoints
         FROM runs r JOIN studies s ON s.id = r.study_id WHERE r.status = 'completed'`,
      )
      .all() as { id: string }[];
    for (const x of done) {
      const now = JSON.stringify(x);
      const then = w.finished.get(x.id);
      if (then === undefined) w.finished.set(x.id, now);
      else assert.equal(now, then, `a completed run recorded again: ${x.id}`);
    }
    const still = new Set(done.map((x) => x.id));
    for (const id of w.finished.keys()) assert.ok(still.has(id), `a completed run is no longer completed: ${id}`);
    // Each phase of a planned study whole or absent: a phase's runs are planned in one transaction.
    for (const study of [STUDY_RUN, SIM_SWEEP]) {
      const phases = raw
        .prepare(
          'SELECT r.phase, count(*) AS n FROM runs r JOIN studies s ON s.id = r.study_id WHERE s.name = ? AND r.phase IS NOT NULL GROUP BY r.phase',
        )
        .all(study) as { phase: string; n: number }[];
      for (const { phase, n } of phases) {
        const first = w.phaseRuns.get(`${study}|${phase}`) ?? (study === SIM_SWEEP ? SWEEP_RUNS : undefined);
        if (first === undefined) w.phaseRuns.set(`${study}|${phase}`, n);
        else assert.equal(n, first, `study "${study}" phase ${phase}: ${n} runs planned, once ${first}`);
      }
    }
  } finally {
    raw.close();
  }
  for (const f of w.metricFiles) {
    const got = metricRows(w.db, f.file);
    assert.ok(
      got === (f.stored ? f.rows : 0) || (!f.stored && got === f.rows),
      `${f.file}: ${got} metrics of ${f.rows}`,
    );
    if (got === f.rows) f.stored = true;
  }
  // No run is trained more than once, but for those a retry queued again.
  const s = starts(w);
  const planned = new Set(s).size;
  assert.ok(
    s.length <= planned + w.requeued,
    `trainer starts ${s.length}: each run once (+${w.requeued} requeued): ${s.join(' ')}`,
  );
}

async function chaosSeed(seed: number, steps: number) {
  const r = rng(seed);
  const w = new World(seed);
  const studies = ['a', 'b'];
  try {
    for (let i = 0; i < steps; i++) {
      const kind = r.pick([
        'import',
        'import',
        'reimport',
        'sweep',
        'sweep',
        'cancel/retry',
        'export',
        'pair',
        'study',
        'sim sweep',
        'import held',
        'downstream',
      ] as const);
      const began = Date.now();
      w.log.push(`step ${i}: ${kind}`);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      if (kind === 'import' || (kind === 'reimport' && !w.files.length)) {
        const study = r.pick(studies);
        const files = [w.newFile(r, study)];
        if (r.chance(0.3)) files.push(w.newFile(r, study));
        await importStep(w, r, files, chooseKill(r, 'import'));
      } else if (kind === 'reimport') {
        const f = r.pick(w.files);
        await importStep(w, r, [f], chooseKill(r, 'import'));
      } else if (kind === 'sweep') {
        await sweepStep(w, chooseKill(r, 'sweep'));
      } else if (kind === 'downstream') {
        await metricsStep(w, r, chooseKill(r, 'import'));
      } else if (kind === 'study') {
        await studyStep(w, chooseKill(r, 'sim', STUDY_RUN));
      } else if (kind === 'sim sweep') {
        await sweepStep(w, chooseKill(r, 'sim', SIM_SWEEP), true);
      } else if (kind === 'import held') {
        // Into a study a sweep or study run drives: alone (its last one maybe killed, its claim left behind),
        // or while one drives it now (refused naming it, or whole before or after its claim).
        const study = r.pick(CLAIMED);
        const files = [w.newFile(r, study)];
        if (r.chance(0.3)) files.push(w.newFile(r, study));
        const kill = chooseKill(r, 'import');
        if (r.chance(0.5)) await importStep(w, r, files, kill);
        else {
          w.log.push('  with its driver');
          const driving =
            study === STUDY_RUN
              ? studyStep(w, chooseKill(r, 'sim', STUDY_RUN))
              : sweepStep(w, chooseKill(r, study === SIM_SWEEP ? 'sim' : 'sweep', study), study === SIM_SWEEP);
          await Promise.all([driving, importStep(w, r, files, kill, true)]);
        }
      } else if (kind === 'cancel/retry') {
        if (w.sweepPlanned) await cancelOrRetry(w, r);
      } else if (kind === 'export') {
        const study = r.pick(studies);
        if (hasRuns(w, study)) await exportStep(w, study, chooseKill(r, 'other'));
      } else {
        // Two at once, on different studies, either or both killed: an import and a sweep, two imports, or
        // an import and an export (which reads one snapshot, while the import may hold the write lock).
        const [study, other] = r.chance(0.5) ? studies : [...studies].reverse();
        const importing = () => importStep(w, r, [w.newFile(r, study)], chooseKill(r, 'import'));
        const second = r.pick(['sweep', 'import', 'export', 'sweep cancelled', 'reader'] as const);
        w.log.push(`  with ${second}`);
        if (second === 'reader' && hasRuns(w, study)) {
          // Instead: an import into a study and `runs ls` of it after a seeded delay, while the import (maybe
          // killed) writes or not: the reader sees the file whole or not at all, and the study's other runs.
          const f = w.newFile(r, study);
          const seen = { before: w.studyRows(study).size, adds: w.wouldAdd(f) };
          const delay = r.int(0, 3000);
          await Promise.all([
            importStep(w, r, [f], chooseKill(r, 'import')),
            new Promise((res) => setTimeout(res, delay)).then(() => readerStep(w, study, f, seen)),
          ]);
        } else if (second === 'sweep cancelled' && w.sweepPlanned) {
          // Instead: a sweep (maybe killed) and a sweep cancel after a seeded delay, while it polls its runs or not.
          const delay = r.int(0, 3000);
          await Promise.all([
            sweepStep(w, chooseKill(r, 'sweep')),
            new Promise((res) => setTimeout(res, delay)).then(() => cancelStep(w)),
          ]);
        } else
          await Promise.all([
            importing(),
            second === 'sweep'
              ? sweepStep(w, chooseKill(r, 'sweep'))
              : second === 'import'
                ? importStep(w, r, [w.newFile(r, other)], chooseKill(r, 'import'))
                : second === 'export' && hasRuns(w, other)
                  ? exportStep(w, other, chooseKill(r, 'other'))
                  : Promise.resolve(),
          ]);
      }
      checkStore(w);
      w.log.push(`  (${((Date.now() - began) / 1000).toFixed(1)} s)`);
    }
    // The end, unkilled: every import again, a sweep run (after a retry) to the end, the simulated sweep and
    // study run again if they were started (resumed, they train no finished run again), an export of each study.
    w.log.push('finish');
    for (const study of [...studies, ...CLAIMED]) {
      const files = w.files.filter((f) => f.study === study);
      if (files.length) await importStep(w, r, files, undefined);
    }
    if (w.sweepPlanned) await retryStep(w);
    await sweepStep(w, undefined);
    const started = new Set(w.claimers.values());
    if (started.has(SIM_SWEEP)) await sweepStep(w, undefined, true);
    if (started.has(STUDY_RUN)) await studyStep(w, undefined);
    for (const study of studies) if (hasRuns(w, study)) await exportStep(w, study, undefined);
    checkStore(w);
    const sweepRuns = storedRuns(w.db).filter((x) => x.study === SWEEP_STUDY);
    assert.deepEqual(
      planRuns(w.db, SWEEP_STUDY).map((x) => x.status),
      Array(SWEEP_RUNS).fill('completed'),
      'no run of the sweep lost',
    );
    // The sweep's runs too: their export, imported into a fresh store, gives each run once with its result.
    const exported = await launch(
      w,
      ['runs', 'export', '--study', SWEEP_STUDY, '--db', w.db, '--format', 'csv'],
      undefined,
    );
    assert.equal(exported.end.code, 0, exported.out.stderr);
    const fresh = RunStore.open(join(mkdtempSync(join(w.dir, 'fresh-')), 'fresh.db'));
    try {
      // Runs imported beside the sweep's have no configuration: their cells of its columns are empty, read
      // as not recorded for them, and each sweep run's configuration is read as it was planned.
      const read = parseRuns(exported.out.stdout, { source: 'sweep.csv' });
      const back = new Map(read.runs.map((x) => [x.run, x]));
      for (const { name, config } of plannedConfigs(w.db, SWEEP_STUDY)) {
        const x = back.get(name);
        assert.deepEqual(
          [x?.batch, x?.lr, x?.width, x?.layers],
          [config.batch_tokens, config.learning_rate, config.d_model, config.n_layer],
          `sweep run ${name}'s configuration, read back from its export`,
        );
      }
      fresh.importDataset(read, SWEEP_STUDY);
      const tuple = (x: { N?: number | null; D?: number | null; loss?: number | null }) => `${x.N}|${x.D}|${x.loss}`;
      assert.deepEqual(
        fresh.runs({ study: SWEEP_STUDY }).map(tuple).sort(),
        sweepRuns.map((x) => tuple({ N: x.n, D: x.d, loss: x.loss })).sort(),
        "the sweep's export, imported into a fresh store, gives its runs (and those imported into its study)",
      );
    } finally {
      fresh.close();
    }
    if (process.env.SCALELAB_CHAOS_VERBOSE) process.stderr.write(`chaos seed ${seed}:\n${w.log.join('\n')}\n`);
    rmSync(w.dir, { recursive: true, force: true });
  } catch (e) {
    const err = e as Error;
    err.message = `chaos seed ${seed} (replay: SCALELAB_CHAOS_SEEDS=${seed} SCALELAB_CHAOS_STEPS=${steps}; store kept at ${w.dir}): ${err.message}\n${w.log.join('\n')}`;
    throw err;
  }
}

/** Steps taken of each kind, over every seed run (said at the end of a soak). */
const kinds = new Map<string, number>();

const seeds = process.env.SCALELAB_CHAOS_SEEDS
  ? process.env.SCALELAB_CHAOS_SEEDS.split(',').map(Number)
  : DEFAULT_SEEDS;

test(
  `chaos: seeded sequences of imports, sweeps, study runs, cancels, retries and exports, killed at random moments, lose and double nothing (seeds ${seeds.join(', ')}, ${STEPS} steps)`,
  // A soak's given seeds run before its clock starts, and its last seed may start just before it ends (a
  // seed of 12 steps took 5 minutes on a loaded 2-core machine): the timeout only stops a hang.
  { timeout: SOAK_S ? (SOAK_S + 600 + 300 * seeds.length) * 1000 : 600_000 },
  async () => {
    for (const seed of seeds) await chaosSeed(seed, STEPS);
    if (SOAK_S) {
      const end = Date.now() + SOAK_S * 1000;
      let n = 0;
      for (let seed = SOAK_FROM; Date.now() < end; seed++, n++) await chaosSeed(seed, STEPS);
      const taken = [...kinds].map(([k, n]) => `${k} ${n}`).join(', ');
      process.stderr.write(
        `chaos soak: ${n} seeds of ${STEPS} steps, from seed ${SOAK_FROM} (steps, with the given seeds: ${taken})\n`,
      );
    }
  },
);

/** Whether the model has committed runs in `study` (a study is made by its first import that adds runs). */
const hasRuns = (w: World, study: string) => (w.committed.get(study)?.size ?? 0) > 0;
