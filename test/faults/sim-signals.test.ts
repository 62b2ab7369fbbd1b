// Ctrl-C during work the main thread computes without a turn of the event loop: the fit after a study's
// sweep (seconds). A signal that comes then must be heard once the computation ends, not lost when the
// command withdraws its listener (before: the study ran on, printed its result and ended exit 0, as if
// never stopped). The same for a sweep pass is src/experiments/runner.signal.test.ts, in-process: a sim
// pass lasts tens of milliseconds, too short a window to hit from outside on a busy machine.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { spawnCli as cli, waitFor } from './common.js';

const tmp = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `scalelab-faults-sim-signal-${name}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

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
