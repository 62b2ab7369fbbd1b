// Ctrl-C and SIGTERM during work the main thread computes without a turn of the event loop: a sweep pass
// of the simulated backend (it simulates every run it collects, a second or more for an IsoFLOP phase)
// and the fit after a study's sweep. A signal that comes then must be heard once the computation ends,
// not lost when the command withdraws its listener (before: the sweep or study ran on, printed its
// result and ended exit 0, as if never stopped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { root } from '../helpers/cli.js';
import { spawnCli as cli, waitFor } from './common.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `scalelab-faults-sim-signal-${name}-`));

/** The study's runs by status, read as another process would (the writer goes on meanwhile). */
function statuses(db: string): Record<string, number> {
  if (!existsSync(db)) return {};
  try {
    const raw = new Database(db, { readonly: true, fileMustExist: true });
    try {
      const rows = raw.prepare('SELECT status, count(*) AS n FROM runs GROUP BY status').all() as {
        status: string;
        n: number;
      }[];
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    } finally {
      raw.close();
    }
  } catch {
    return {}; // not created yet, or its schema not yet written
  }
}
const ended = (s: Record<string, number>) => (s.completed ?? 0) + (s.failed ?? 0) + (s.cancelled ?? 0);
const inFlight = (s: Record<string, number>) =>
  (s.planned ?? 0) + (s.submitting ?? 0) + (s.queued ?? 0) + (s.running ?? 0);

test('SIGTERM during a sim sweep pass that collects the IsoFLOP runs: heard when the pass ends, exit 143 and an Interrupted JSON error, not exit 0 with the result; the same command then finishes it', async (t) => {
  const dir = tmp('sweep');
  const db = join(dir, 'runs.db');
  const plan = join(dir, 'plan.json');
  const made = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      `${root}src/cli/run.ts`,
      'sweep',
      'plan',
      '--target-hours',
      '48',
      '--experiment-hours',
      '12',
    ].concat(['--out', plan]),
    { cwd: root, encoding: 'utf8' },
  );
  assert.equal(made.status, 0, made.stderr);
  const args = ['sweep', 'run', plan, '--study', 's', '--db', db, '--json', '--poll', '0.05'];
  const first = cli(args);
  t.after(() => first.child.kill('SIGKILL'));
  // The probe's 9 runs, then the 35 IsoFLOP runs (fewer than the 64 the sim backend has in flight at
  // once) collected one by one in a single pass: once more than the probe have ended and some are
  // still in flight, that pass is under way.
  await waitFor(
    'the pass collecting the IsoFLOP runs',
    () => {
      const s = statuses(db);
      return (ended(s) > 12 && inFlight(s) > 0) || first.child.exitCode !== null;
    },
    120_000,
  );
  first.child.kill('SIGTERM');
  const end = await first.done;
  assert.equal(end.code, 143, `${first.out.stderr}\n${first.out.stdout.slice(0, 300)}`);
  const error = JSON.parse(first.out.stdout).error;
  assert.equal(error.type, 'Interrupted');
  assert.match(error.message, /^interrupted \(SIGTERM\)/);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('-sweep-')),
    [],
    "the sweep's claim on the study is released",
  );
  const again = cli(args);
  t.after(() => again.child.kill('SIGKILL'));
  const resumed = await again.done;
  assert.equal(resumed.code, 0, again.out.stderr);
  const summary = JSON.parse(again.out.stdout);
  assert.equal(summary.done + summary.failed, summary.total);
  assert.equal(summary.total, 9 + 35, 'the plan: 9 probe runs and 35 IsoFLOP runs, none added twice');
});

test("Ctrl-C during the fit after a study's sweep (sim backend): heard when the fit ends, exit 130 and no result, not exit 0 with it", async (t) => {
  const dir = tmp('study');
  const db = join(dir, 'runs.db');
  const run = cli(['study', 'run', '--backend', 'sim', '--study', 's', '--db', db, '--bootstrap', '200', '--json']);
  t.after(() => run.child.kill('SIGKILL'));
  // Every run ended (more than the probe's 9, none in flight): the sweep is over and the fit under way.
  await waitFor(
    'the sweep to end',
    () => {
      const s = statuses(db);
      return (ended(s) > 9 && inFlight(s) === 0) || run.child.exitCode !== null;
    },
    120_000,
  );
  run.child.kill('SIGINT');
  const end = await run.done;
  assert.equal(end.code, 130, `${run.out.stderr}\n${run.out.stdout.slice(0, 300)}`);
  const error = JSON.parse(run.out.stdout).error;
  assert.equal(error.type, 'Interrupted');
  assert.equal(
    error.message,
    'interrupted (SIGINT, Ctrl-C): no run was in flight; the same command again resumes study "s"',
  );
  const raw = new Database(db, { readonly: true });
  try {
    const saved = raw.prepare('SELECT count(*) AS n FROM recommendations').get() as { n: number };
    assert.equal(saved.n, 0, 'no recommendation saved by the stopped study');
  } finally {
    raw.close();
  }
});
