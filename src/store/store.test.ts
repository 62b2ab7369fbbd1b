import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distinctRunNames, leftOutByStudy, storeDataset } from './storeDataset.js';
import { RunStore } from './store.js';
import { StoreError } from './errors.js';
import { InputError } from '../errors/index.js';
import { parseRuns } from '../io/parseRuns.js';
import { checkRunSizes, defaultResampleUnit, runClusters } from '../io/dataset.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-store-'));
const child = fileURLToPath(new URL('../../test/fixtures/store-child.ts', import.meta.url));

function runChild(args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, ['--import', 'tsx', child, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function bigCsv(path: string, rows: number): void {
  const lines = ['N,D,loss'];
  for (let i = 0; i < rows; i++) lines.push(`${1e6 + i},${2e9 + i},${3 + i / rows}`);
  writeFileSync(path, lines.join('\n') + '\n');
}

test('a folder given as the store is refused as one, read-write or read-only (SQLite would say "disk I/O error")', () => {
  const folder = join(dir, 'a-folder');
  mkdirSync(folder);
  for (const open of [() => RunStore.open(folder), () => RunStore.openReadOnly(folder)])
    assert.throws(
      open,
      (e: unknown) =>
        e instanceof StoreError &&
        e.message === `${folder}: is a folder: expected a run store file (SQLite), such as .scalelab/runs.db`,
    );
});

test('importing the same file twice adds nothing', () => {
  const store = RunStore.open(join(dir, 'twice.db'));
  const d = parseRuns('N,D,loss\n1e8,2e9,3.1\n2e8,4e9,2.9\n', { source: 'a.csv' });
  assert.deepEqual(store.importDataset(d, 's'), {
    runs: 2,
    checkpoints: 0,
    skipped: 0,
    unfinished: 0,
    copies: 0,
    copiesFirst: [],
  });
  assert.deepEqual(store.importDataset(d, 's'), {
    runs: 0,
    checkpoints: 0,
    skipped: 2,
    unfinished: 0,
    copies: 0,
    copiesFirst: [],
  });
  assert.equal(store.runs({ study: 's' }).length, 2);
  store.close();
});

test('the same runs imported again from another format, D rounded, are copies: counted and named, not added', () => {
  const store = RunStore.open(join(dir, 'copies.db'));
  const jsonl = parseRuns(
    '{"N":1e8,"D":2000000123,"loss":3.1}\n{"N":2e8,"D":4000000001,"loss":2.9}\n{"N":4e8,"D":8e9,"loss":2.7}\n',
    { source: 'a.jsonl' },
  );
  // The CSV of the same table: the first two D written to fewer digits; a third row the same exactly, a fourth new.
  const csv = parseRuns('N,D,loss\n1e8,2.0000001e9,3.1\n2e8,4e9,2.9\n4e8,8e9,2.7\n8e8,8e9,2.6\n', { source: 'a.csv' });
  store.importDataset(jsonl, 's');
  assert.deepEqual(store.importDataset(csv, 's'), {
    runs: 1,
    checkpoints: 0,
    skipped: 1,
    unfinished: 0,
    copies: 2,
    copiesFirst: [
      { line: 2, stored: 'a.jsonl:1' },
      { line: 3, stored: 'a.jsonl:2' },
    ],
  });
  assert.equal(store.runs({ study: 's' }).length, 4);
  // A replicate by design (another seed: the loss differs by 0.1 %, printed to its 5 digits) is another run.
  const seed = parseRuns('N,D,loss\n1e8,2e9,3.1031\n', { source: 'b.csv' });
  assert.equal(store.importDataset(seed, 's').runs, 1);
  // --keep-copies: the copies are added when the user says they are replicates.
  assert.equal(store.importDataset(jsonl, 't').runs, 3);
  const kept = store.importDataset(csv, 't', { keepCopies: true });
  // (the third row is the same row exactly: already in the store, as ever)
  assert.deepEqual([kept.runs, kept.skipped, kept.copies], [3, 1, 0]);
  assert.equal(store.runs({ study: 't' }).length, 6);
  // The store keeps values, not the digits they were read with: runs stored from the rounded CSV count as
  // exact, and the full values imported after them are other runs (said in the README).
  assert.equal(store.importDataset(csv, 'u').runs, 4);
  const fullAfter = store.importDataset(jsonl, 'u');
  assert.deepEqual([fullAfter.runs, fullAfter.skipped, fullAfter.copies], [2, 1, 0]);
  store.close();
});

test('an export rounded to 6 significant digits is recognised by the digits it printed, never by a looser tolerance', () => {
  const store = RunStore.open(join(dir, 'rounded.db'));
  // Stored runs at full precision; D's leading 1 makes 6-digit rounding move it by 2.4e-6 (beyond a relative 1e-6).
  const stored = [
    { N: 123456789, D: 1234567890, loss: 3.2145612 },
    { N: 234567891, D: 2345678912, loss: 3.0123456 },
    { N: 345678912, D: 3456789123, loss: 2.8765432 },
  ];
  store.importDataset(
    parseRuns('N,D,loss\n' + stored.map((r) => `${r.N},${r.D},${r.loss}`).join('\n') + '\n', { source: 'full.csv' }),
    's',
  );
  const g6 = (x: number) => x.toPrecision(6);
  const rounded = parseRuns('N,D,loss\n' + stored.map((r) => `${g6(r.N)},${g6(r.D)},${g6(r.loss)}`).join('\n') + '\n', {
    source: 'g6.csv',
  });
  assert.equal(rounded.runs[0].D, 1.23457e9);
  assert.ok(Math.abs(rounded.runs[0].D! / stored[0].D - 1) > 1e-6, 'the old relative 1e-6 missed it');
  const r = store.importDataset(rounded, 's');
  assert.deepEqual(
    [r.runs, r.copies, r.copiesFirst.map((c) => [c.line, c.stored])],
    [
      0,
      3,
      [
        [2, 'full.csv:2'],
        [3, 'full.csv:3'],
        [4, 'full.csv:4'],
      ],
    ],
  );
  // A file that prints 7 digits says more: 3.214563 is not 3.2145612 rounded (3.214561), so it is another
  // run, though the two differ by a relative 5.6e-7 (within the old 1e-6, which merged them).
  const seventh = parseRuns('N,D,loss\n123456789,1234567890,3.214563\n', { source: 'seven.csv' });
  assert.ok(Math.abs(seventh.runs[0].loss / stored[0].loss - 1) < 1e-6);
  assert.deepEqual([store.importDataset(seventh, 's').runs, store.importDataset(seventh, 's').copies], [1, 0]);
  // Its 6-digit rounding (3.21456) is a copy of the stored run all the same.
  assert.equal(
    store.importDataset(parseRuns('N,D,loss\n123456789,1234567890,3.21456\n', { source: 'six.csv' }), 's').copies,
    1,
  );
  // --keep-copies adds the rounded rows as runs of their own.
  const kept = store.importDataset(rounded, 's', { keepCopies: true });
  assert.deepEqual([kept.runs, kept.copies], [3, 0]);
  store.close();
});

test('a file printing few digits: one stored run is the copy of one of its rows, not of every row it could be', () => {
  const store = RunStore.open(join(dir, 'coarse.db'));
  store.importDataset(parseRuns('N,D,loss\n1e8,2e9,3.2145612\n', { source: 'full.csv' }), 's');
  // Two different rows (printed to 6 and 7 digits): either could be the stored run written again, but
  // not both; the one left is a run of its own (was: both dropped as copies of full.csv:2).
  const coarse = store.importDataset(
    parseRuns('N,D,loss\n1e8,2e9,3.21456\n1e8,2e9,3.214561\n', { source: 'coarse.csv' }),
    's',
  );
  assert.deepEqual(
    [coarse.runs, coarse.copies, coarse.copiesFirst.map((c) => [c.line, c.stored])],
    [1, 1, [[2, 'full.csv:2']]],
  );
  assert.equal(store.runs({ study: 's' }).length, 2);
  // The same row twice is one run (one key), and the copy of one stored run, as before.
  const twice = store.importDataset(parseRuns('N,D,loss\n1e8,2e9,3.2145612\n', { source: 'x.csv' }), 't');
  assert.equal(twice.runs, 1);
  const again = store.importDataset(
    parseRuns('N,D,loss\n1e8,2e9,3.21456\n1e8,2e9,3.21456\n', { source: 'y.csv' }),
    't',
  );
  assert.deepEqual([again.runs, again.copies], [0, 2]);
  // Fewer digits than an export's 6 are not read as coarser than it: a loss of 3.2 is another run than a
  // stored 3.2104, and a named run "a" of 1e8 parameters is not the stored "a" of 1.2e8 (it was, at ±5e7).
  const short = store.importDataset(parseRuns('N,D,loss\n1e8,2e9,3.2\n', { source: 'short.csv' }), 't');
  assert.deepEqual([short.runs, short.copies], [1, 0]);
  store.importDataset(parseRuns('run,N,D,loss\na,120000000,3e9,2.95\n', { source: 'big.csv' }), 'u');
  const other = store.importDataset(parseRuns('run,N,D,loss\na,1e8,3e9,2.9\n', { source: 'small.csv' }), 'u');
  assert.equal(other.runs, 1);
  assert.deepEqual(
    store
      .runs({ study: 'u' })
      .map((r) => r.N)
      .sort(),
    [100000000, 120000000],
  );
  store.close();
});

test('a named checkpoint whose rounded tokens point at a stored one with another loss is a contradiction, not a second checkpoint', () => {
  const store = RunStore.open(join(dir, 'rounded-conflict.db'));
  store.importDataset(parseRuns('run,N,D,loss\na,1e8,1234567,3.2104\n', { source: 'n.csv' }), 'c');
  const other = parseRuns('run,N,D,loss\na,1e8,2469135,3.1\na,1e8,1.23457e6,3.9\n', { source: 'n2.csv' });
  assert.throws(
    () => store.importDataset(other, 'c'),
    /n2\.csv:3 .*has loss 3\.9 at D = .* but n\.csv:2 gives it loss 3\.2104/,
  );
  // Refused whole: the file's first row was not kept either.
  const run = store.runs({ study: 'c' })[0];
  assert.deepEqual(
    store.checkpoints(run.id).map((k) => [k.tokens, k.loss]),
    [[1234567, 3.2104]],
  );
  store.close();
});

test('named runs re-imported from an export rounded to 6 digits get no extra checkpoints (tokens, loss and N rounded)', () => {
  const store = RunStore.open(join(dir, 'rounded-named.db'));
  const curve = [
    [1234567890, 3.4567891],
    [2469135780, 3.1234567],
    [3703703670, 2.9876543],
  ];
  const full = parseRuns('run,N,D,loss\n' + curve.map(([D, loss]) => `a,123456789,${D},${loss}`).join('\n') + '\n', {
    source: 'full.csv',
  });
  assert.deepEqual([store.importDataset(full, 'c').runs, store.importDataset(full, 'c').skipped], [1, 3]);
  const g6 = (x: number) => x.toPrecision(6);
  const rounded = parseRuns(
    'run,N,D,loss\n' + curve.map(([D, loss]) => `a,${g6(123456789)},${g6(D)},${g6(loss)}`).join('\n') + '\n',
    { source: 'g6.csv' },
  );
  const again = store.importDataset(rounded, 'c');
  assert.deepEqual([again.runs, again.checkpoints, again.skipped], [0, 0, 3]);
  const runs = store.runs({ study: 'c' });
  assert.equal(runs.length, 1);
  assert.equal(store.checkpoints(runs[0].id).length, 3);
  // A checkpoint the rounded file adds beyond the stored ones is added; a loss another than the stored
  // one at the file's digits is still a contradiction.
  const more = parseRuns('run,N,D,loss\na,1.23457e+08,4.93827e+09,2.87654\n', { source: 'more.csv' });
  assert.equal(store.importDataset(more, 'c').checkpoints, 1);
  const other = parseRuns('run,N,D,loss\na,123456789,1234567890,3.45680\n', { source: 'other.csv' });
  assert.throws(
    () => store.importDataset(other, 'c'),
    /other\.csv:2 .*has loss 3\.4568 at D = .* but full\.csv:2 gives it loss 3\.4567891/,
  );
  store.close();
});

test('runs with a run column become one run with its checkpoints; reimport adds only new checkpoints', () => {
  const store = RunStore.open(join(dir, 'curves.db'));
  const a = parseRuns('run,N,D,loss\nr1,1e8,1e9,4\nr1,1e8,2e9,3.5\nr2,2e8,1e9,3.8\n', { source: 'c.csv' });
  assert.deepEqual(store.importDataset(a, 'c'), {
    runs: 2,
    checkpoints: 3,
    skipped: 0,
    unfinished: 0,
    copies: 0,
    copiesFirst: [],
  });
  const b = parseRuns('run,N,D,loss\nr1,1e8,1e9,4\nr1,1e8,2e9,3.5\nr1,1e8,4e9,3.2\n', { source: 'c2.csv' });
  assert.deepEqual(store.importDataset(b, 'c'), {
    runs: 0,
    checkpoints: 1,
    skipped: 2,
    unfinished: 0,
    copies: 0,
    copiesFirst: [],
  });
  const r1 = store.runs({ study: 'c' }).find((r) => r.name === 'r1')!;
  assert.equal(r1.loss, 3.2, 'the final loss follows the newest checkpoint');
  assert.equal(store.checkpoints(r1.id).length, 3);
  const ds = storeDataset(store, 'c');
  assert.equal(ds.runs.length, 2);
  store.close();
});

test("a study's runs come as a Dataset grouped by phase (lr-probe, isoflop, …), as runs export writes them; an imported group wins", () => {
  const store = RunStore.open(join(dir, 'phases.db'));
  const planned = store.plan('p', [
    { key: 'a', phase: 'lr-probe', config: {}, N: 1e7, D: 1e8, C: 6e15, estimatedSeconds: 1 },
    { key: 'b', phase: 'isoflop', config: {}, N: 2e7, D: 1e8, C: 1.2e16, estimatedSeconds: 1 },
  ]);
  for (const r of planned) store.finish(r.id, { status: 'completed', loss: 3, seconds: 1 });
  assert.deepEqual(
    storeDataset(store, 'p').runs.map((r) => r.group),
    ['lr-probe', 'isoflop'],
  );
  store.importDataset(parseRuns('N,D,loss,group\n3e7,1e8,2.9,mine\n', { source: 'g.csv' }), 'q');
  assert.deepEqual(
    storeDataset(store, 'q').runs.map((r) => r.group),
    ['mine'],
  );
  store.close();
});

test("a study's left-out mark is a column of its own: the run's reason stays, a reason written like the old mark is only a reason, and a new result clears the mark", () => {
  const store = RunStore.open(join(dir, 'left-out.db'));
  const [a, b, c] = store.plan('l', [
    { key: 'a', phase: 'isoflop', config: {}, N: 1e7, D: 1e8, C: 6e15, estimatedSeconds: 1 },
    { key: 'b', phase: 'isoflop', config: {}, N: 2e7, D: 1e8, C: 1.2e16, estimatedSeconds: 1 },
    { key: 'c', phase: 'isoflop', config: {}, N: 3e7, D: 1e8, C: 1.8e16, estimatedSeconds: 1 },
  ]);
  store.finish(a.id, { status: 'completed', loss: 9, seconds: 1, reason: 'resumed once' });
  // A user's text that begins as versions before 7 marked a left-out run: no mark on a store of this version.
  store.finish(b.id, { status: 'completed', loss: 3, seconds: 1, reason: "left out of the study's fit: not by me" });
  store.finish(c.id, { status: 'failed', reason: 'exit code 1' });
  assert.ok(store.markLeftOutByStudy(a.id, 'diverged: its loss rose'));
  assert.ok(!store.markLeftOutByStudy(c.id, 'not a number'), 'only a completed run is marked');
  const byKey = () => new Map(store.runs({ study: 'l' }).map((r) => [r.key, r]));
  const runs = byKey();
  assert.deepEqual(
    [runs.get('a')!.reason, runs.get('a')!.leftOut, leftOutByStudy(runs.get('a')!)],
    ['resumed once', 'diverged: its loss rose', true],
    'the reason it had is kept (before: overwritten by the mark)',
  );
  assert.deepEqual([runs.get('b')!.leftOut, leftOutByStudy(runs.get('b')!)], [null, false]);
  assert.equal(runs.get('c')!.leftOut, null);
  assert.deepEqual(
    storeDataset(store, 'l').runs.map((r) => r.loss),
    [3],
    'a fit from the store leaves out the marked run only',
  );
  // Recorded again (a sweep that ran it anew): its new loss is judged afresh.
  store.finish(a.id, { status: 'completed', loss: 2.9, seconds: 1 });
  assert.equal(byKey().get('a')!.leftOut, null);
  store.close();
});

test('a store keeps the lineage an import gives; a store from before lineages opens, upgraded, its runs without one', () => {
  const path = join(dir, 'lineage.db');
  const old = RunStore.open(path);
  const file = 'run,N,D,loss,trunk\na1,1e8,1e9,3.1,a\na2,1e8,2e9,3.0,a\nb1,2e8,1e9,2.9,b\nc1,3e8,1e9,2.8,c\n';
  old.importDataset(parseRuns(file.replace(/,trunk$/m, ',other').replace(/,[abc]$/gm, ',x'), { source: 'o.csv' }), 's');
  // The schema as it was before lineages (version 5): the runs table without the column.
  old.db.exec('ALTER TABLE runs DROP COLUMN lineage');
  old.db.pragma('user_version = 5');
  old.close();
  const store = RunStore.open(path);
  assert.equal(store.db.pragma('user_version', { simple: true }), 8);
  assert.deepEqual(
    store.runs({ study: 's' }).map((r) => r.lineage),
    [null, null, null, null],
  );
  assert.equal(storeDataset(store, 's').columns.lineage, undefined);
  // The same runs imported with their trunks: nothing added, each run takes its lineage.
  assert.deepEqual(store.importDataset(parseRuns(file, { source: 't.csv' }), 's'), {
    runs: 0,
    checkpoints: 0,
    skipped: 4,
    unfinished: 0,
    copies: 0,
    copiesFirst: [],
  });
  const ds = storeDataset(store, 's');
  assert.deepEqual(
    ds.runs.map((r) => [r.run, r.lineage]),
    [
      ['a1', 'a'],
      ['a2', 'a'],
      ['b1', 'b'],
      ['c1', 'c'],
    ],
  );
  assert.equal(ds.columns.lineage, 'lineage');
  assert.equal(defaultResampleUnit(ds), 'lineage');
  store.close();
  // The read-only open (the web app's server) accepts the upgraded store.
  RunStore.openReadOnly(path).close();
});

test("two lineages for one run within one import are named as this file's lines, not blamed on the store", () => {
  const store = RunStore.open(join(dir, 'lineage-in-file.db'));
  // Run "a" (two checkpoints) in trunk t1 at line 2 and t2 at line 3; an unnamed row twice, as t1 and t2.
  const clash = 'run,N,D,loss,trunk\na,1e8,1e9,3.1,t1\na,1e8,2e9,3.0,t2\n';
  assert.throws(
    () => store.importDataset(parseRuns(clash, { source: 'l2.csv' }), 's'),
    (e: Error) =>
      /^l2\.csv:3 \(column "trunk"\): run "a" is in lineage "t2" here, but in "t1" at line 2 of this file; expected one lineage per run$/.test(
        e.message,
      ),
  );
  const unnamed = 'N,D,loss,trunk\n1e8,1e9,3.1,t1\n1e8,1e9,3.1,t2\n';
  assert.throws(
    () => store.importDataset(parseRuns(unnamed, { source: 'u.csv' }), 's'),
    /u\.csv:3 \(column "trunk"\): this run is in lineage "t2" here, but in "t1" at line 2 of this file/,
  );
  // Nothing of either file was kept; a run stored by an earlier import is still blamed on the store.
  assert.equal(store.runs({ study: 's' }).length, 0);
  store.importDataset(parseRuns('run,N,D,loss,trunk\na,1e8,1e9,3.1,t1\n', { source: 'first.csv' }), 's');
  assert.throws(
    () => store.importDataset(parseRuns('run,N,D,loss,trunk\na,1e8,2e9,3.0,t2\n', { source: 'second.csv' }), 's'),
    /second\.csv:2 \(column "trunk"\): run "a" is in lineage "t2" here, but in "t1" in the store \(from first\.csv:2, study "s"\)/,
  );
  store.close();
});

test('an import killed half-way leaves the store as it was', async () => {
  const db = join(dir, 'killed.db');
  const file = join(dir, 'big.csv');
  bigCsv(file, 2000);
  const store = RunStore.open(db);
  store.importDataset(parseRuns('N,D,loss\n1,1,1\n', { source: 'seed.csv' }), 'other');
  store.close();
  const p = runChild(['import', db, file, 'k'], { SCALELAB_TEST_IMPORT_PAUSE_AFTER: '1000' });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    p.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes('import paused')) resolve();
    });
    p.on('exit', () => reject(new Error(`child exited before pausing: ${err}`)));
  });
  p.kill('SIGKILL');
  await new Promise((r) => p.on('exit', r));
  const after = RunStore.open(db);
  assert.equal(after.runs({ study: 'k' }).length, 0, 'no row of the killed import is visible');
  assert.equal(after.runs().length, 1, 'earlier data are intact');
  // The store still works: the same import now succeeds in full.
  assert.equal(
    after.importDataset(parseRuns(`N,D,loss\n${'1e6,2e9,3\n'.repeat(1)}`, { source: 'x.csv' }), 'k').runs,
    1,
  );
  after.close();
});

test('concurrent writers from a sweep do not lose rows', async () => {
  const db = join(dir, 'concurrent.db');
  RunStore.open(db).close();
  const kids = ['a', 'b', 'c'].map((prefix) => runChild(['plan', db, 'sweep', prefix, '150']));
  const codes = await Promise.all(kids.map((k) => new Promise<number>((r) => k.on('exit', (code) => r(code ?? -1)))));
  assert.deepEqual(codes, [0, 0, 0]);
  const store = RunStore.open(db);
  assert.equal(store.runs({ study: 'sweep' }).length, 450);
  store.close();
});

test('a store from a newer ScaleLab is refused with its path', () => {
  const db = join(dir, 'newer.db');
  const s = RunStore.open(db);
  s.db.pragma('user_version = 99');
  s.close();
  assert.throws(
    () => RunStore.open(db),
    /newer\.db: the store has schema version 99, newer than this ScaleLab understands/,
  );
});

test("a tracker's state column: crashed, failed and killed runs are stored failed with the state as the reason, running as failed saying it had not finished", () => {
  const store = RunStore.open(join(dir, 'state.db'));
  const file = [
    'run,State,N,D,loss',
    'a,finished,1e7,1e8,4.0',
    'a,finished,1e7,2e8,3.8',
    'b,crashed,2e7,1e8,3.9',
    'c,running,4e7,1e8,3.8',
    'd,killed,8e7,1e8,3.6',
    'e,failed,1.6e8,1e8,3.5',
    'g,Preempted,3.2e8,1e8,3.4',
  ].join('\n');
  store.importDataset(parseRuns(file, { source: 'w.csv' }), 'w');
  const by = Object.fromEntries(store.runs({ study: 'w' }).map((r) => [r.name, [r.status, r.reason]]));
  assert.deepEqual(by, {
    a: ['completed', null],
    b: ['failed', 'tracker state: crashed'],
    c: [
      'failed',
      'tracker state: running when exported — its last checkpoint is not its end; import again when it has finished',
    ],
    d: ['failed', 'tracker state: killed'],
    e: ['failed', 'tracker state: failed'],
    g: ['failed', 'tracker state: preempted'],
  });
  // Their checkpoints are kept (each a real point), and a fit from the store reads completed runs only.
  assert.equal(store.checkpoints(store.runs({ study: 'w' }).find((r) => r.name === 'b')!.id).length, 1);
  assert.deepEqual(
    storeDataset(store, 'w').runs.map((r) => r.run),
    ['a'],
  );
  // The run exported while running, imported again once it finished, follows the newer state.
  store.importDataset(parseRuns('run,State,N,D,loss\nc,finished,4e7,2e8,3.6\n', { source: 'w2.csv' }), 'w');
  assert.equal(store.runs({ study: 'w' }).find((r) => r.name === 'c')!.status, 'completed');
  // One run with two states in one file is a contradiction, located at the later row.
  assert.throws(
    () =>
      store.importDataset(
        parseRuns('run,State,N,D,loss\nf,finished,1e7,1e8,4\nf,crashed,1e7,2e8,3.9\n', { source: 'x.csv' }),
        'w',
      ),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.line === 3 &&
      e.location.columnName === 'State' &&
      /run "f" is crashed here but finished at line 2: .*a run restarted under its name.*option "columns" run=-/.test(
        e.message,
      ),
  );
  store.close();
});

test("runs that share a name across imported files stay apart in the store's data set and its export (a fit reads one size per name)", () => {
  const store = RunStore.open(join(dir, 'shared-names.db'));
  // Two files each with runs r1 and r2: another run (another N) in each, as the import keeps them.
  store.importDataset(parseRuns('run,N,D,loss\nr1,1e8,2e9,3.1\nr2,2e8,4e9,2.9\n', { source: 'a.csv' }), 'x');
  store.importDataset(parseRuns('run,N,D,loss\nr1,8e8,1.6e10,2.55\nr3,1.6e9,3.2e10,2.45\n', { source: 'b.csv' }), 'x');
  const ids = Object.fromEntries(store.runs({ study: 'x' }).map((r) => [`${r.name}@${r.N}`, r.id]));
  const ds = storeDataset(store, 'x');
  assert.deepEqual(
    ds.runs.map((r) => r.run),
    [`r1 (run ${ids['r1@100000000']})`, 'r2', `r1 (run ${ids['r1@800000000']})`, 'r3'],
  );
  // Four runs, four clusters: a bootstrap draws them apart, and the one-size-per-name check passes.
  assert.equal(runClusters(ds).count, 4);
  assert.doesNotThrow(() => checkRunSizes(ds));
  assert.deepEqual(
    [
      ...distinctRunNames([
        { id: 7, name: null },
        { id: 8, name: 'run-7' },
        { id: 9, name: 'a' },
      ]).values(),
    ],
    ['run-7 (run 7)', 'run-7 (run 8)', 'a'],
  );
  store.close();
});

test("a study's own export imported back into it adds nothing: its rows are the sweep's runs, not new runs beside them", () => {
  const store = RunStore.open(join(dir, 'own-export.db'));
  const planned = store.plan('s', [
    {
      key: 'isoflop:a',
      name: 'isoflop-a',
      phase: 'isoflop',
      config: {},
      N: 1e6,
      D: 2e7,
      C: 1.2e14,
      estimatedSeconds: 1,
    },
    {
      key: 'isoflop:b',
      name: 'isoflop-b',
      phase: 'isoflop',
      config: {},
      N: 2e6,
      D: 1e7,
      C: 1.2e14,
      estimatedSeconds: 1,
    },
  ]);
  for (const [i, r] of planned.entries())
    store.finish(r.id, {
      status: 'completed',
      loss: 3.1 - i / 10,
      evals: [
        { tokens: r.D! / 2, loss: 3.5 - i / 10 },
        { tokens: r.D!, loss: 3.1 - i / 10 },
      ],
    });
  // As `runs export` writes it (final losses), and as `runs export --checkpoints` does.
  const final = parseRuns('run,N,D,loss,group\nisoflop-a,1e6,2e7,3.1,isoflop\nisoflop-b,2e6,1e7,3,isoflop\n', {
    source: 'export.csv',
  });
  const curves = parseRuns('run,N,D,loss\nisoflop-a,1e6,1e7,3.5\nisoflop-a,1e6,2e7,3.1\n', { source: 'curves.csv' });
  for (const d of [final, curves]) {
    const counts = store.importDataset(d, 's');
    assert.equal(counts.runs, 0);
    assert.equal(counts.checkpoints, 0);
    assert.equal(counts.skipped, d.runs.length);
  }
  assert.equal(store.runs({ study: 's' }).length, 2, 'no run doubled');
  assert.equal(storeDataset(store, 's').runs.length, 2, 'and a fit from the store sees each once');
  // Another loss for a sweep's run is refused, naming the run, not stored beside it.
  const other = parseRuns('run,N,D,loss\nisoflop-b,2e6,1e7,2.5\n', { source: 'edited.csv' });
  assert.throws(
    () => store.importDataset(other, 's'),
    (e: unknown) =>
      e instanceof InputError &&
      /^edited\.csv:2 .*run "isoflop-b" \(N = 2e\+?6\) is study "s"'s own completed sweep run .*loss 3 at D = 1e\+?7, but this row gives 2\.5/.test(
        e.message,
      ),
  );
  // Into another study the same file is new runs, as before.
  assert.equal(store.importDataset(final, 'other').runs, 2);
  store.close();
});
