// Fault injection, second pass ("nothing lost under faults"): two processes writing to one store. A
// sweep whose runs finish while an import holds the store's write lock past the busy timeout waits
// for it (saying who holds it) and records every result, instead of ending with "the store is busy".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../helpers/cli.js';
import { spawnCli as cli, waitFor, waitingSweep } from './common.js';
import Database from 'better-sqlite3';
import { RunStore } from '../../src/store/store.js';
import { parseRuns } from '../../src/io/parseRuns.js';
import { exportedRuns } from '../../src/cli/commands/runs.js';

test('a sweep whose runs finish while an import holds the store past the busy timeout waits for it and keeps every result', async (t) => {
  const { dir, db, log, args, runDirs, go } = waitingSweep('busy-sweep', { runs: 2, concurrency: 2, json: true });
  const data = join(dir, 'runs.csv');
  writeFileSync(data, 'N,D,loss\n1e8,2e9,3.2\n2e8,4e9,2.95\n4e8,8e9,2.75\n');
  // Writes wait 0.3 s for the lock instead of 30 s, so the test sees what a long import causes.
  const env = { SCALELAB_TEST_BUSY_TIMEOUT_MS: '300' };
  const sweep = cli(args, env);
  t.after(() => {
    sweep.child.kill('SIGKILL');
    go();
  });
  await waitFor('both trainers to start', () => runDirs().filter((d) => existsSync(join(d, 'pids.json'))).length === 2);
  // An import takes the write lock and keeps it (paused after its first row, as a long one would).
  const importer = cli(['runs', 'import', data, '--db', db], { ...env, SCALELAB_TEST_IMPORT_PAUSE_AFTER: '1' });
  t.after(() => importer.child.kill('SIGKILL'));
  await waitFor('the import to hold the lock', () => importer.out.stderr.includes('import paused'));
  // The trainers finish: the sweep must record their results while the import holds the lock.
  go();
  await waitFor(
    'the sweep to say it waits for the store',
    () => /waiting for the run store/.test(sweep.out.stderr) || sweep.child.exitCode !== null,
  );
  assert.match(
    sweep.out.stderr,
    new RegExp(
      `scalelab: waiting for the run store ${db}: held by pid ${importer.child.pid} \\("scalelab runs import ${data}`,
    ),
  );
  assert.equal(sweep.child.exitCode, null, 'the sweep is still running');
  importer.child.kill('SIGKILL');
  await importer.done;
  const end = await sweep.done;
  assert.equal(end.code, 0, sweep.out.stderr);
  const summary = JSON.parse(sweep.out.stdout);
  assert.deepEqual([summary.done, summary.failed, summary.total], [2, 0, 2]);
  const store = RunStore.open(db);
  assert.deepEqual(
    store.runs({ study: 's' }).map((r) => [r.status, r.loss, store.checkpoints(r.id).length]),
    [
      ['completed', 3.25, 3],
      ['completed', 3.25, 3],
    ],
  );
  assert.equal(store.runs({ study: 'imported' }).length, 0, 'nothing of the killed import is stored');
  store.close();
  assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 2, 'no run was started twice');
});

test('a second sweep on a study that a sweep is running is refused, naming it, and trains nothing; once that one is killed, the study resumes', async (t) => {
  // Concurrency 1: the second run is still planned while the first trains, so a second sweep would submit it.
  const { dir, db, log, plan, args, runDirs } = waitingSweep('two-sweeps', { runs: 2, concurrency: 1, json: true });
  const first = cli(args);
  t.after(() => {
    first.child.kill('SIGKILL');
    for (const d of runDirs()) writeFileSync(join(d, 'go'), '');
  });
  await waitFor('the first trainer to start', () => runDirs().some((d) => existsSync(join(d, 'pids.json'))));
  const second = cli(args);
  t.after(() => second.child.kill('SIGKILL'));
  const refused = await second.done;
  assert.equal(refused.code, 1, second.out.stderr);
  assert.match(
    second.out.stderr,
    new RegExp(
      `^scalelab: error: ${db}: study "s" is being run by another sweep: pid ${first.child.pid} \\("scalelab sweep run ${plan} --study s`,
    ),
  );
  assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 1, 'the second sweep started no trainer');
  // The first sweep is killed (kill -9: its claim stays behind); a new one takes the study over.
  first.child.kill('SIGKILL');
  await first.done;
  for (const d of runDirs()) writeFileSync(join(d, 'go'), '');
  const third = cli(args);
  t.after(() => third.child.kill('SIGKILL'));
  // Its own trainer for the second run waits for its "go" file too.
  await waitFor(
    'the second trainer to start',
    () => runDirs().filter((d) => existsSync(join(d, 'pids.json'))).length === 2,
  );
  for (const d of runDirs()) writeFileSync(join(d, 'go'), '');
  const end = await third.done;
  assert.equal(end.code, 0, third.out.stderr);
  assert.deepEqual([JSON.parse(third.out.stdout).done, JSON.parse(third.out.stdout).total], [2, 2]);
  assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 2, 'each run was trained once');
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('-sweep-')),
    [],
    'the claim is gone with the sweep',
  );
});

test('study run started while an import holds the store waits for it (saying who holds it), then runs whole', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-faults-busy-study-'));
  const db = join(dir, 'runs.db');
  const data = join(dir, 'runs.csv');
  writeFileSync(data, 'N,D,loss\n1e8,2e9,3.2\n2e8,4e9,2.95\n4e8,8e9,2.75\n');
  const env = { SCALELAB_TEST_BUSY_TIMEOUT_MS: '300' };
  const importer = cli(['runs', 'import', data, '--db', db], { ...env, SCALELAB_TEST_IMPORT_PAUSE_AFTER: '1' });
  t.after(() => importer.child.kill('SIGKILL'));
  await waitFor('the import to hold the lock', () => importer.out.stderr.includes('import paused'));
  const study = cli(
    ['study', 'run', '--backend', 'sim', '--target-hours', '48', '--experiment-hours', '12'].concat([
      '--db',
      db,
      '--study',
      'p',
      '--bootstrap',
      '0',
      '--json',
    ]),
    env,
  );
  t.after(() => study.child.kill('SIGKILL'));
  await waitFor(
    'the study to say it waits for the store',
    () => /waiting for the run store/.test(study.out.stderr) || study.child.exitCode !== null,
  );
  assert.match(
    study.out.stderr,
    new RegExp(`scalelab: waiting for the run store ${db}: held by pid ${importer.child.pid} `),
  );
  importer.child.kill('SIGKILL');
  const end = await study.done;
  assert.equal(end.code, 0, study.out.stderr);
  const j = JSON.parse(study.out.stdout);
  assert.ok(j.budgets.length >= 3, `${j.budgets.length} budgets`);
  const store = RunStore.open(db);
  assert.ok(store.runs({ study: 'p', status: 'completed' }).length >= 9, 'its runs are stored');
  assert.ok(store.latestRecommendation('p'), 'and its recommendation');
  assert.equal(store.runs({ study: 'imported' }).length, 0, 'nothing of the killed import is stored');
  store.close();
});

/**
 * A process that claims study "s" of the store `db` (RunStore.claimStudy, as a sweep does), says
 * "claimed" or "refused: MESSAGE" on stdout, and holds its claim until killed, or until its stdin
 * ends: then it releases the claim, says "released" and waits to be killed (a sweep that has ended).
 */
function claimer(db: string, env: Record<string, string> = {}) {
  const store = JSON.stringify(`${root}src/store/store.ts`);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `const { RunStore } = await import(${store});
       const store = RunStore.open(${JSON.stringify(db)});
       let claim;
       try {
         claim = store.claimStudy('s');
         process.stdout.write('claimed\\n');
       } catch (e) {
         process.stdout.write('refused: ' + e.message + '\\n');
         process.exit(1);
       }
       process.stdin.resume();
       process.stdin.on('end', () => {
         claim.release();
         process.stdout.write('released\\n');
       });
       setInterval(() => {}, 1e6);`,
    ],
    { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const done = new Promise<NodeJS.Signals | number | null>((res) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      res(signal ?? code);
    }),
  );
  return { child, out, done };
}

test('two sweeps starting at once on a study whose sweep was killed: one takes the claim over, the other is refused naming it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-faults-claim-race-'));
  const db = join(dir, 'runs.db');
  RunStore.open(db).close();
  // The sweep that held the study, killed with kill -9: its claim stays behind.
  const killed = claimer(db);
  t.after(() => killed.child.kill('SIGKILL'));
  await waitFor('the first claim', () => killed.out.stdout.includes('claimed') || killed.child.exitCode !== null);
  assert.equal(killed.out.stdout, 'claimed\n', killed.out.stderr);
  killed.child.kill('SIGKILL');
  assert.equal(await killed.done, 'SIGKILL');
  // Two new ones, each stopped where it has found the claim's process gone and is about to take it over.
  const gate = join(dir, 'gate');
  mkdirSync(gate);
  const a = claimer(db, { SCALELAB_TEST_CLAIM_TAKEOVER_PAUSE: gate });
  const b = claimer(db, { SCALELAB_TEST_CLAIM_TAKEOVER_PAUSE: gate });
  t.after(() => [a, b].forEach((c) => c.child.kill('SIGKILL')));
  const paused = (c: typeof a) => existsSync(join(gate, `${c.child.pid}.paused`));
  await waitFor('both to find the claim stale', () => paused(a) && paused(b));
  // The first goes on and takes the study; then the second, which saw the same stale claim.
  writeFileSync(join(gate, `${a.child.pid}.go`), '');
  await waitFor('the first to answer', () => a.out.stdout !== '' || a.child.exitCode !== null);
  assert.equal(a.out.stdout, 'claimed\n', a.out.stderr);
  writeFileSync(join(gate, `${b.child.pid}.go`), '');
  await waitFor('the second to answer', () => b.out.stdout !== '' || b.child.exitCode !== null);
  assert.match(
    b.out.stdout,
    new RegExp(`^refused: ${db}: study "s" is being run by another sweep: pid ${a.child.pid} `),
    'only one may hold the study',
  );
  assert.equal(await b.done, 1);
  // The winner still holds it: a third is refused naming it.
  const c = claimer(db);
  t.after(() => c.child.kill('SIGKILL'));
  assert.equal(await c.done, 1);
  assert.match(c.out.stdout, new RegExp(`^refused: .*pid ${a.child.pid} `));
});

test("a sweep that found a killed sweep's claim long ago and only now takes it over gives way to one that claimed the study since", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-faults-claim-late-'));
  const db = join(dir, 'runs.db');
  RunStore.open(db).close();
  const killed = claimer(db);
  t.after(() => killed.child.kill('SIGKILL'));
  await waitFor('the first claim', () => killed.out.stdout !== '' || killed.child.exitCode !== null);
  killed.child.kill('SIGKILL');
  await killed.done;
  // The late one finds the killed sweep's claim and is held up before it takes it over ...
  const gate = join(dir, 'gate');
  mkdirSync(gate);
  const late = claimer(db, { SCALELAB_TEST_CLAIM_TAKEOVER_PAUSE: gate });
  t.after(() => late.child.kill('SIGKILL'));
  await waitFor('the late one to find the claim stale', () => existsSync(join(gate, `${late.child.pid}.paused`)));
  // ... while a sweep takes the study over, runs and ends (releasing it), and another claims it.
  const between = claimer(db);
  t.after(() => between.child.kill('SIGKILL'));
  await waitFor('the sweep in between to claim', () => between.out.stdout !== '' || between.child.exitCode !== null);
  assert.equal(between.out.stdout, 'claimed\n', between.out.stderr);
  between.child.stdin.end();
  await waitFor('it to release', () => between.out.stdout.includes('released') || between.child.exitCode !== null);
  const holder = claimer(db);
  t.after(() => holder.child.kill('SIGKILL'));
  await waitFor('the holder to claim', () => holder.out.stdout !== '' || holder.child.exitCode !== null);
  assert.equal(holder.out.stdout, 'claimed\n', holder.out.stderr);
  writeFileSync(join(gate, `${late.child.pid}.go`), '');
  assert.equal(await late.done, 1, `the late one must not hold the study too: ${late.out.stdout}`);
  assert.match(late.out.stdout, new RegExp(`^refused: .*is being run by another sweep: pid ${holder.child.pid} `));
});

test('runs export reads one snapshot: an import committed between its reads is in none of them, so its counts agree with its rows (review14)', () => {
  const db = join(mkdtempSync(join(tmpdir(), 'scalelab-faults-export-snapshot-')), 'runs.db');
  const csv = (names: string[]) =>
    `run,N,D,loss\n${names.map((n, i) => `${n},${(i + 1) * 1e8},2e9,${3 - i / 10}`).join('\n')}\n`;
  const store = RunStore.open(db);
  const other = RunStore.open(db);
  const runs = store.runs.bind(store);
  try {
    for (const [study, checkpoints] of [
      ['final', false],
      ['curves', true],
    ] as const) {
      store.importDataset(parseRuns(csv(['a', 'b']), { source: 'first.csv' }), study);
      // Another process's import commits between the export's first read (the runs not completed) and its
      // second (the completed runs it writes).
      let reads = 0;
      store.runs = (filter) => {
        const found = runs(filter);
        if (reads++ === 0) other.importDataset(parseRuns(csv(['c', 'd', 'e']), { source: 'second.csv' }), study);
        return found;
      };
      const during = exportedRuns(store, { study, checkpoints });
      assert.deepEqual(
        during.rows.map((r) => r.run),
        ['a', 'b'],
        `${study}: the store as it was when the export began`,
      );
      assert.equal(during.completed, 2);
      store.runs = runs;
      assert.equal(exportedRuns(store, { study, checkpoints }).rows.length, 5, 'the next export sees the import');
    }
  } finally {
    store.close();
    other.close();
  }
});

test('study run and sweep run started on a store another connection holds say at once that they wait, and run once it is free', async (t) => {
  // A bare SQLite connection in BEGIN IMMEDIATE (a program other than ScaleLab) holds the write lock. No
  // shortened busy timeout here: under the 30 s one the first line came only after 30 s.
  const { dir, db, args, runDirs, go } = waitingSweep('held-store', { runs: 1, concurrency: 1, json: true });
  RunStore.open(db).close();
  const holder = new Database(db);
  holder.exec('BEGIN IMMEDIATE');
  t.after(() => holder.open && holder.close());
  const study = cli(
    ['study', 'run', '--backend', 'sim', '--target-hours', '48', '--experiment-hours', '12'].concat([
      '--db',
      db,
      '--study',
      'p',
      '--bootstrap',
      '0',
      '--out',
      join(dir, 'p.md'),
    ]),
  );
  const sweep = cli(args);
  t.after(() => {
    study.child.kill('SIGKILL');
    sweep.child.kill('SIGKILL');
    go();
  });
  const said = (c: typeof study) => /waiting for the run store/.test(c.out.stderr) || c.child.exitCode !== null;
  // Well inside the old 30 s of silence, with room for two CLIs starting on a busy machine.
  await waitFor('the study to say it waits', () => said(study), 20_000);
  await waitFor('the sweep to say it waits', () => said(sweep), 20_000);
  for (const c of [study, sweep]) {
    assert.equal(c.child.exitCode, null, c.out.stderr);
    assert.match(
      c.out.stderr,
      new RegExp(
        // The holder is named among the processes that have the store open (the other CLI may have opened it too).
        `^scalelab: waiting for the run store ${db}: another process holds its write lock .*open in (?:.*, )?pid ${process.pid} `,
        'm',
      ),
    );
  }
  holder.exec('ROLLBACK');
  holder.close();
  const studyEnd = await study.done;
  assert.equal(studyEnd.code, 0, study.out.stderr);
  await waitFor('the trainer to start', () => runDirs().length === 1);
  go();
  const sweepEnd = await sweep.done;
  assert.equal(sweepEnd.code, 0, sweep.out.stderr);
  assert.deepEqual([JSON.parse(sweep.out.stdout).done, JSON.parse(sweep.out.stdout).total], [1, 1]);
});

test('runs import into a study a sweep holds is refused naming it; into another study it goes on; study run on a study of imported runs says so, not "resuming"', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-faults-import-held-'));
  const db = join(dir, 'runs.db');
  const data = join(dir, 'x.csv');
  writeFileSync(data, 'run,N,D,loss\nx1,1e8,2e9,3.1\nx2,2e8,2e9,3.0\nx3,4e8,2e9,2.9\n');
  RunStore.open(db).close();
  const sweep = claimer(db);
  t.after(() => sweep.child.kill('SIGKILL'));
  await waitFor('the claim', () => sweep.out.stdout.includes('claimed'));
  const imported = cli(['runs', 'import', data, '--db', db, '--study', 'w', '--json']);
  const into = await imported.done;
  assert.equal(into.code, 0, imported.out.stderr);
  const again = cli(['runs', 'import', data, '--db', db, '--study', 's']);
  const end = await again.done;
  assert.equal(end.code, 1, again.out.stderr);
  assert.match(
    again.out.stderr,
    new RegExp(
      `^scalelab: error: ${db}: study "s" is being run by a sweep: pid ${sweep.child.pid} \\(".*"\\), since .*\\. Runs imported into it would be counted as that sweep's own, so ${data} was not imported\\. Wait for it to finish, or import into another study \\(--study\\)`,
    ),
  );
  const store = RunStore.open(db);
  assert.deepEqual(
    [store.runs({ study: 's' }).length, store.runs({ study: 'w' }).length],
    [0, 3],
    'nothing imported into the held study',
  );
  store.close();
  // Its sweep over (claim released), the import goes in.
  sweep.child.stdin.end();
  await waitFor('the release', () => sweep.out.stdout.includes('released'));
  const later = cli(['runs', 'import', data, '--db', db, '--study', 's']);
  assert.equal((await later.done).code, 0, later.out.stderr);
  // study run on "w" (3 imported runs, no plan): said as what it is, and its plan recorded for the next.
  const study = cli(
    ['study', 'run', '--backend', 'sim', '--target-hours', '48', '--experiment-hours', '12'].concat([
      '--db',
      db,
      '--study',
      'w',
      '--bootstrap',
      '0',
      '--json',
    ]),
  );
  const ran = await study.done;
  assert.equal(ran.code, 0, study.out.stderr);
  assert.match(
    study.out.stderr,
    new RegExp(
      `^scalelab: study "w" in ${db} holds 3 imported runs and no plan yet: planning its own runs beside them$`,
      'm',
    ),
  );
  assert.doesNotMatch(study.out.stderr, /resuming/);
  const replanned = cli(
    ['study', 'run', '--backend', 'sim', '--target-hours', '48', '--experiment-hours', '24'].concat([
      '--db',
      db,
      '--study',
      'w',
      '--bootstrap',
      '0',
      '--json',
    ]),
  );
  assert.equal((await replanned.done).code, 2, replanned.out.stderr);
  assert.match(
    replanned.out.stderr,
    /study "w" was planned otherwise \(--experiment-hours 12, now --experiment-hours 24\)/,
  );
});

test('an import of two files into a study a sweep claims between them: the first stored, the second refused naming the sweep, and the message says which was imported (not "nothing was imported")', async (t) => {
  // Found by the chaos test: the claim is checked at each file's transaction, and a sweep may claim the
  // study while the first file is being imported.
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-faults-import-claimed-between-'));
  const db = join(dir, 'runs.db');
  const [first, second] = [join(dir, 'a.csv'), join(dir, 'b.csv')];
  writeFileSync(first, 'run,N,D,loss\na1,1e8,2e9,3.1\na2,2e8,2e9,3.0\n');
  writeFileSync(second, 'run,N,D,loss\nb1,4e8,2e9,2.9\n');
  RunStore.open(db).close();
  const gate = mkdtempSync(join(dir, 'gate-'));
  const imported = cli(['runs', 'import', first, second, '--db', db, '--study', 's'], {
    SCALELAB_TEST_IMPORT_PAUSE_AFTER: '1',
    SCALELAB_TEST_IMPORT_PAUSE: gate,
  });
  t.after(() => imported.child.kill('SIGKILL'));
  await waitFor(
    'the import to pause inside its first file',
    () => existsSync(join(gate, `${imported.child.pid}.paused`)) || imported.child.exitCode !== null,
  );
  const sweep = claimer(db);
  t.after(() => sweep.child.kill('SIGKILL'));
  await waitFor('the claim', () => sweep.out.stdout !== '' || sweep.child.exitCode !== null);
  assert.equal(sweep.out.stdout, 'claimed\n', sweep.out.stderr);
  writeFileSync(join(gate, `${imported.child.pid}.go`), '');
  const end = await imported.done;
  assert.equal(end.code, 1, imported.out.stderr);
  const said = /^scalelab: error: (.*)$/m.exec(imported.out.stderr)?.[1] ?? imported.out.stderr;
  assert.match(said, new RegExp(`study "s" is being run by a sweep: pid ${sweep.child.pid} `));
  assert.match(said, /b\.csv was not imported, but the file before it was \(.*a\.csv\)/);
  assert.doesNotMatch(said, /nothing was imported/, 'a.csv was');
  const store = RunStore.open(db);
  try {
    assert.deepEqual(
      store
        .runs({ study: 's' })
        .map((r) => r.name)
        .sort(),
      ['a1', 'a2'],
    );
  } finally {
    store.close();
  }
});

test('a sweep whose runs finish while another connection holds the store says at once that it waits (not after the 30 s busy timeout), then records them', async (t) => {
  // No shortened busy timeout: under the 30 s one, a write in the middle of a sweep sat silent for 30 s.
  const { db, args, runDirs, go } = waitingSweep('held-mid-sweep', { runs: 1, concurrency: 1, json: true });
  const sweep = cli(args);
  t.after(() => {
    sweep.child.kill('SIGKILL');
    go();
  });
  await waitFor('the trainer to start', () => runDirs().some((d) => existsSync(join(d, 'pids.json'))), 60_000);
  const holder = new Database(db);
  holder.exec('BEGIN IMMEDIATE');
  t.after(() => holder.open && holder.close());
  go();
  // Polled up to 20 s, inside the old 30 s of silence (the notice now comes within a pass, ~1 s): waitFor
  // fails the test if it does not come, so no clock is read here.
  await waitFor(
    'the sweep to say it waits',
    () => /waiting for the run store/.test(sweep.out.stderr) || sweep.child.exitCode !== null,
    20_000,
  );
  assert.equal(sweep.child.exitCode, null, sweep.out.stderr);
  assert.match(sweep.out.stderr, /scalelab: waiting for the run store .*another process holds its write lock/);
  holder.exec('ROLLBACK');
  holder.close();
  const end = await sweep.done;
  assert.equal(end.code, 0, sweep.out.stderr);
  assert.deepEqual([JSON.parse(sweep.out.stdout).done, JSON.parse(sweep.out.stdout).total], [1, 1]);
});

test("a sweep on a study that also holds imported runs counts only its plan's runs: an imported crashed run does not fail it", async (t) => {
  const { dir, db, args, runDirs, go } = waitingSweep('imported-beside', { runs: 1, concurrency: 1, json: true });
  const data = join(dir, 'runs.csv');
  writeFileSync(data, 'run,N,D,loss,State\nx1,1e8,2e9,3.1,finished\nx2,2e8,2e9,3.0,crashed\n');
  const imported = cli(['runs', 'import', data, '--db', db, '--study', 's']);
  assert.equal((await imported.done).code, 0, imported.out.stderr);
  const sweep = cli(args);
  t.after(() => {
    sweep.child.kill('SIGKILL');
    go();
  });
  await waitFor('the trainer to start', () => runDirs().length === 1, 60_000);
  go();
  const end = await sweep.done;
  assert.equal(end.code, 0, sweep.out.stderr);
  const summary = JSON.parse(sweep.out.stdout);
  assert.deepEqual([summary.done, summary.failed, summary.total], [1, 0, 1]);
  const store = RunStore.open(db);
  assert.equal(store.runs({ study: 's' }).length, 3, 'the imported runs are kept beside the sweep');
  store.close();
});

test('sweep retry plans again only the runs a sweep planned: an imported run that crashed keeps its state and its checkpoints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-retry-imported-'));
  const db = join(dir, 'runs.db');
  const store = RunStore.open(db);
  store.plan('s', [
    {
      key: 'k1',
      name: 'isoflop-1',
      phase: 'isoflop',
      config: { tokens: 1e9 },
      N: 1e8,
      D: 1e9,
      C: 6e17,
      estimatedSeconds: 1,
    },
  ]);
  const planned = store.runs({ study: 's' })[0];
  store.finish(planned.id, { status: 'failed', reason: 'trainer crashed' }, ['planned']);
  const data = join(dir, 'runs.csv');
  writeFileSync(data, 'run,step,N,D,loss,State\nx,1,2e8,1e9,3.1,crashed\nx,2,2e8,2e9,3.0,crashed\n');
  store.close();
  const imported = spawnSync(
    process.execPath,
    ['--import', 'tsx', `${root}src/cli/run.ts`, 'runs', 'import', data, '--db', db, '--study', 's'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  assert.equal(imported.status, 0, imported.stderr);
  // sweep status counts the plan's runs apart from the imported ones: the crashed import is not the sweep's failure.
  const status = (json: boolean, study = 's') =>
    spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        `${root}src/cli/run.ts`,
        'sweep',
        'status',
        '--study',
        study,
        '--db',
        db,
        ...(json ? ['--json'] : []),
      ],
      { cwd: root, encoding: 'utf8' },
    );
  const statusJson = status(true);
  assert.equal(statusJson.status, 0, statusJson.stderr);
  const counted = JSON.parse(statusJson.stdout) as { counts: object; imported: object };
  assert.deepEqual(counted.counts, { failed: 1 });
  assert.deepEqual(counted.imported, { failed: 1 });
  assert.match(
    status(false).stdout,
    /study "s": 1 failed; and 1 imported \(1 failed\), not the sweep's to train or retry;/,
  );
  const again = RunStore.open(db);
  // A study with no run at all (made by a saved fit or an import of nothing) says so.
  again.study('e');
  assert.match(status(false, 'e').stdout, /^study "e": no runs; /);
  assert.equal(again.retry('s'), 1, 'only the planned run');
  const byName = new Map(again.runs({ study: 's' }).map((r) => [r.name, r]));
  assert.equal(byName.get('isoflop-1')!.status, 'planned');
  const x = byName.get('x')!;
  assert.equal(x.status, 'failed');
  assert.equal(again.checkpoints(x.id).length, 2);
  again.close();
});
