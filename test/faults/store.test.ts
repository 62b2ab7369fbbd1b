/**
 * Issue 16, area "store and importers": one test per reproduced fault. Most run the CLI in this
 * process (test/helpers/inProcessCli.ts); the busy-store and memory tests need real processes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  writeFileSync,
  ftruncateSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { root, noStackTrace, scalelab } from '../helpers/cli.js';
import { scalelabInProcess as cli } from '../helpers/inProcessCli.js';
import { RunStore } from '../../src/store/store.js';
import { integrityOk, metricsPerRun } from './common.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-faults-store-'));
let fileCount = 0;
/** A file in the test folder with this text; its name ends in `ext`. */
function file(ext: string, text: string | Buffer): string {
  const path = join(dir, `f${++fileCount}${ext}`);
  writeFileSync(path, text);
  return path;
}
const db = (name: string) => join(dir, `${name}.db`);

/** A CSV of chinchilla-like runs that `fit` can fit. */
const runsCsv =
  'N,D,loss\n1e8,2e9,3.2\n2e8,4e9,2.95\n4e8,8e9,2.75\n8e8,1.6e10,2.6\n1.6e9,3.2e10,2.48\n3.2e9,6.4e10,2.39\n1e8,8e9,3.0\n8e8,2e9,2.9\n';

/** The command failed with exit 2 and one located line naming `where`. */
function refused(r: { code: number; stderr: string }, where: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.ok(noStackTrace(r.stderr), r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], where);
}

test('item 1: two files whose runs are both called "a" stay two runs; a conflicting loss is refused naming both files and lines', async () => {
  const store = db('item1');
  const f1 = file('.csv', 'run,N,D,loss\na,1e8,1e9,4\na,1e8,2e9,3.5\n');
  const f2 = file('.csv', 'run,N,D,loss\na,2e8,1e9,3.9\na,2e8,2e9,3.3\n');
  const first = await cli(['runs', 'import', f1, f2, '--db', store, '--json']);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(
    first.json().files.map((f: { runs: number; checkpoints: number }) => [f.runs, f.checkpoints]),
    [
      [1, 2],
      [1, 2],
    ],
  );
  const s = RunStore.open(store);
  const runs = s.runs().filter((r) => r.name === 'a');
  assert.deepEqual(
    runs.map((r) => [r.N, r.loss]),
    [
      [1e8, 3.5],
      [2e8, 3.3],
    ],
    'each model keeps its own final loss',
  );
  assert.deepEqual(
    runs.map((r) => s.checkpoints(r.id).map((c) => c.loss)),
    [
      [4, 3.5],
      [3.9, 3.3],
    ],
    'and its own curve',
  );
  s.close();

  const again = await cli(['runs', 'import', f1, f2, '--db', store, '--json']);
  assert.deepEqual(
    again
      .json()
      .files.map((f: { runs: number; checkpoints: number; skipped: number }) => [f.runs, f.checkpoints, f.skipped]),
    [
      [0, 0, 2],
      [0, 0, 2],
    ],
    'importing the same files again adds nothing',
  );

  const f3 = file('.csv', 'run,N,D,loss\na,1e8,4e9,3.2\na,1e8,2e9,3.4\n');
  const conflict = await cli(['runs', 'import', f3, '--db', store]);
  refused(
    conflict,
    new RegExp(
      `${f3}:3 \\(column "loss"\\): run "a" \\(N = 1e\\+?8\\) has loss 3.4 at D = 2e\\+?9 here, but ${f1}:3 gives it loss 3.5`,
    ),
  );
  const after = RunStore.open(store);
  const a1 = after.runs().find((r) => r.name === 'a' && r.N === 1e8)!;
  assert.deepEqual(
    after.checkpoints(a1.id).map((c) => c.loss),
    [4, 3.5],
    'the refused file added nothing, not even its good first row',
  );
  assert.equal(a1.loss, 3.5);
  after.close();

  // Within one file, one run name is one run: a second N for it is a contradiction, refused at its line.
  const f4 = file('.csv', 'run,N,D,loss\nb,1e8,1e9,4\nb,1e8,2e9,3.5\nb,3e8,3e9,3.1\n');
  refused(
    await cli(['runs', 'import', f4, '--db', store]),
    new RegExp(`${f4}:4 \\(column "N"\\): run "b" has N = 3e\\+?8 here but N = 1e\\+?8 at line 2`),
  );
  const last = RunStore.open(store);
  assert.equal(last.runs().filter((r) => r.name === 'b').length, 0, 'nothing of the contradictory file is stored');
  last.close();
});

test('item 2: runs import refuses a file without N and D columns, naming the columns it has and --columns', async () => {
  const store = db('item2');
  const f = file('.csv', 'model_weights,seen_tokens,loss\n1e8,2e9,3.1\n2e8,2e9,3.1\n');
  refused(
    await cli(['runs', 'import', f, '--db', store]),
    new RegExp(
      `${f}:1: missing column "N"; the file has columns: model_weights, seen_tokens, loss; map one with --columns N=NAME`,
    ),
  );
  assert.equal(existsSync(store), false, 'no store is created for a refused file');
  const mapped = await cli([
    'runs',
    'import',
    f,
    '--db',
    store,
    '--columns',
    'N=model_weights,D=seen_tokens',
    '--json',
  ]);
  assert.equal(mapped.code, 0, mapped.stderr);
  assert.equal(mapped.json().files[0].runs, 2, 'two runs with the same loss are two runs');
  const s = RunStore.open(store);
  assert.deepEqual(
    s.runs().map((r) => [r.N, r.D]),
    [
      [1e8, 2e9],
      [2e8, 2e9],
    ],
  );
  s.close();
});

/** Start `scalelab ARGS` in a child process and wait until its stderr contains `marker`. */
async function startUntil(args: string[], marker: string, env: Record<string, string>): Promise<ChildProcess> {
  const p = spawn(process.execPath, ['--import', 'tsx', `${root}src/cli/run.ts`, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    p.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes(marker)) resolve();
    });
    p.on('exit', (code) => reject(new Error(`the holder exited (${code}) before "${marker}": ${err}`)));
  });
  return p;
}

test('item 8: a second writer waits for a busy store, naming who holds it, then fails with a ScaleLab error (not exit 70)', async () => {
  const store = db('item8');
  const big = file('.csv', 'N,D,loss\n' + Array.from({ length: 50 }, (_, i) => `${1e8 + i},2e9,3.1`).join('\n') + '\n');
  const small = file('.csv', 'N,D,loss\n1e9,2e10,2.5\n');
  // The holder stops after its first row, inside its transaction, holding the write lock.
  const holder = await startUntil(['runs', 'import', big, '--db', store], 'import paused', {
    SCALELAB_TEST_IMPORT_PAUSE_AFTER: '1',
  });
  try {
    const waiter = scalelab(['runs', 'import', small, '--db', store, '--wait', '1', '--json']);
    assert.equal(waiter.code, 1, waiter.stderr);
    assert.ok(noStackTrace(waiter.stderr), waiter.stderr);
    const error = JSON.parse(waiter.stdout).error;
    assert.equal(error.type, 'StoreError');
    assert.match(
      error.message,
      new RegExp(
        `the store is busy: held by pid ${holder.pid} \\("scalelab runs import .*"\\), writing for \\d+ s; gave up after waiting \\d+ s`,
      ),
    );
    // In-process: the wait reports the holder (the CLI shows this on a terminal as "waiting for the store …").
    const s = RunStore.open(store);
    const seen: string[] = [];
    await assert.rejects(
      s.importStream('other', small, (add) => add({ N: 1, D: 1, loss: 1, line: 2 }), {
        timeoutMs: 600,
        onWait: ({ holder: h }) => seen.push(`${h?.pid} ${h?.command}`),
      }),
      (e: Error) => e.name === 'StoreError' && e.message.includes(`held by pid ${holder.pid}`),
    );
    assert.ok(seen.length > 0 && seen[0] === `${holder.pid} scalelab runs import ${big} --db ${store}`, seen[0]);
    assert.equal(s.runs().length, 0, "a reader sees none of the holder's uncommitted rows");
    s.close();
  } finally {
    holder.kill('SIGKILL');
    await new Promise((r) =>
      holder.exitCode !== null || holder.signalCode !== null ? r(undefined) : holder.on('exit', r),
    );
  }
  // Killed mid-write: nothing of it stays, and the next writer goes ahead.
  const next = await cli(['runs', 'import', small, '--db', store, '--json']);
  assert.equal(next.code, 0, next.stderr);
  const s = RunStore.open(store);
  assert.deepEqual(
    s.runs().map((r) => r.N),
    [1e9],
  );
  s.close();
});

test("item 9: deep JSON, a text file or another program's database as --db, and huge files are clear errors, not internal ones", async () => {
  const deepArray = file('.json', '['.repeat(5000) + ']'.repeat(5000));
  refused(
    await cli(['fit', deepArray]),
    new RegExp(`${deepArray}:1:2: expected a JSON object for a run, got an array`),
  );
  const deepObject = file('.json', '[{"N": ' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) + ', "D": 1, "loss": 1}]');
  refused(await cli(['fit', deepObject]), new RegExp(`${deepObject}:1:\\d+: JSON nested more than 32 deep`));
  refused(await cli(['runs', 'import', deepObject, '--db', db('item9')]), /JSON nested more than 32 deep/);
  const deepLine = file(
    '.jsonl',
    '{"N": 1e8, "D": 1e9, "loss": 3}\n' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) + '\n',
  );
  refused(
    await cli(['runs', 'import', deepLine, '--db', db('item9')]),
    new RegExp(`${deepLine}:2:\\d+: JSON nested more than 32 deep`),
  );
  assert.equal(existsSync(db('item9')), false);

  const text = file('.db', 'hello, I am not a database\n');
  const ls = await cli(['runs', 'ls', '--db', text]);
  assert.equal(ls.code, 1, ls.stderr);
  assert.ok(noStackTrace(ls.stderr));
  assert.match(ls.stderr, new RegExp(`${text}: not a ScaleLab store: the file is not an SQLite database`));
  assert.equal(readFileSync(text, 'utf8'), 'hello, I am not a database\n');

  const foreign = db('foreign');
  const f = new Database(foreign);
  f.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
  f.close();
  for (const args of [
    ['runs', 'ls'],
    ['runs', 'import', file('.csv', runsCsv)],
  ]) {
    const r = await cli([...args, '--db', foreign]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`${foreign}: not a ScaleLab store: an SQLite database with tables notes but not ScaleLab's`),
    );
  }
  const after = new Database(foreign, { readonly: true });
  assert.deepEqual(after.prepare(`SELECT name FROM sqlite_master`).all(), [{ name: 'notes' }], 'no table was added');
  assert.equal(after.pragma('journal_mode', { simple: true }), 'delete', 'nor the journal mode switched');
  after.close();

  // Sparse files: 600 MiB on paper, nothing on disk. A JSON array is refused before it is read;
  // a CSV or JSONL is streamed, and this one is refused at its first (NUL) byte.
  const sparse = (ext: string, head: string) => {
    const path = join(dir, `sparse${ext}`);
    const fd = openSync(path, 'w');
    writeSync(fd, head);
    ftruncateSync(fd, 600 * 1024 * 1024);
    closeSync(fd);
    return path;
  };
  const json = sparse('.json', '[');
  refused(
    await cli(['fit', json]),
    new RegExp(
      `${json}: the JSON file is 600 MiB; a JSON array is read whole, up to 256 MiB: write larger files as JSONL`,
    ),
  );
  const csv = sparse('.csv', 'N,D,loss\n1e8,1e9,3\n');
  refused(
    await cli(['runs', 'import', csv, '--db', db('item9')]),
    new RegExp(`${csv}:3:1: binary data \\(a NUL byte\\)`),
  );
  const fitJson = sparse('.json', '{');
  refused(
    await cli(['predict', '--fit', fitJson, '--N', '1e9', '--D', '1e10']),
    new RegExp(`${fitJson}: the file is 600 MiB; expected at most 256 MiB for a file read whole`),
  );
});

test('item 11: a CSV header with a column twice, or a JSON run with a key twice, is refused at both positions', async () => {
  const csv = file('.csv', 'N,D,N,loss\n1e8,2e9,3e8,3.1\n');
  for (const args of [
    ['fit', csv],
    ['runs', 'import', csv, '--db', db('item11')],
  ]) {
    refused(
      await cli(args),
      new RegExp(`${csv}:1:3 \\(column "N"\\): duplicate column name "N" \\(columns 1 and 3\\)`),
    );
  }
  const json = file('.json', '[\n  {"N": 1e8, "D": 2e9, "loss": 3.1, "N": 3e8}\n]\n');
  refused(
    await cli(['fit', json]),
    new RegExp(`${json}:2:37 \\(column "N"\\): duplicate key "N" in this run \\(first at line 2, column 4\\)`),
  );
  const jsonl = file('.jsonl', '{"N": 1e8, "D": 2e9, "loss": 3.1}\n{"loss": 3, "N": 1e8, "D": 2e9, "loss": 3.1}\n');
  refused(
    await cli(['runs', 'import', jsonl, '--db', db('item11')]),
    new RegExp(`${jsonl}:2:33 \\(column "loss"\\): duplicate key "loss"`),
  );
  assert.equal(existsSync(db('item11')), false);
});

test('item 12: BOMs in JSON and JSONL, derived C that overflows, an unclosed quote, a missing file', async () => {
  const rows = runsCsv
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').map(Number));
  const json = file('.json', '\uFEFF' + JSON.stringify(rows.map(([N, D, loss]) => ({ N, D, loss }))));
  const jsonl = file('.jsonl', '\uFEFF' + rows.map(([N, D, loss]) => JSON.stringify({ N, D, loss })).join('\n') + '\n');
  for (const f of [json, jsonl]) {
    const r = await cli(['fit', f, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().points, rows.length);
  }
  const imported = await cli(['runs', 'import', json, jsonl, '--db', db('item12'), '--json']);
  assert.equal(imported.code, 0, imported.stderr);
  assert.deepEqual(
    imported.json().files.map((f: { runs: number; skipped: number }) => [f.runs, f.skipped]),
    [
      [rows.length, 0],
      [0, rows.length],
    ],
  );

  const huge = file('.csv', 'N,D,loss\n1e8,2e9,3.1\n1e300,1e300,2.5\n');
  for (const args of [
    ['fit', huge],
    ['runs', 'import', huge, '--db', db('item12')],
  ]) {
    refused(await cli(args), new RegExp(`${huge}:3:2 \\(column "D"\\): C = 6ND = 6 × 1e\\+300 × 1e\\+300 overflows`));
  }

  const quote = file('.csv', 'N,D,loss\n1e8,2e9,3.1\n2e8,"4e9,2.9\n4e8,8e9,2.7\n8e8,1.6e10,2.6\n');
  refused(
    await cli(['fit', quote]),
    new RegExp(`${quote}:3:2 \\(column "D"\\): malformed CSV: a quoted field opens here and is never closed`),
  );

  const fresh = db('never-created');
  refused(await cli(['runs', 'import', join(dir, 'missing.csv'), '--db', fresh]), /missing\.csv: no such file/);
  refused(
    await cli(['runs', 'import', file('.csv', runsCsv), file('.csv', 'N,D,loss\n1e8,oops,3\n'), '--db', fresh]),
    /:2:2 \(column "D"\): expected a positive number for D, got "oops"/,
  );
  assert.equal(existsSync(fresh), false, 'neither a missing nor a malformed file creates the store');
  for (const args of [
    ['runs', 'ls'],
    ['runs', 'export', '--format', 'csv'],
  ]) {
    const r = await cli([...args, '--db', fresh]);
    // No store is an input error like a missing file (exit 2); a store that fails is exit 1.
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /never-created[^:]*: no run store here/);
  }
  assert.equal(existsSync(fresh), false, 'listing or exporting does not create a store either');
});

test('item 13: a large file is streamed: runs import keeps its memory flat, and chunk boundaries lose nothing', async () => {
  // 300,000 runs (13 MB). Read whole, the import peaked at about 650 MB here; streamed, about 220 MB.
  const rows = 300_000;
  const lines = ['run,N,D,loss'];
  for (let i = 0; i < rows; i++) lines.push(`r${i},${1e6 + i},${2e9 + i * 7},${(3 + (i % 977) / 1000).toFixed(4)}`);
  // A multi-byte character straddles the 1 MiB chunk boundary, and the last row is bad.
  const big = file('.csv', lines.join('\n') + '\n');
  const store = db('item13');
  const p = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      `${root}test/fixtures/peak-rss.mjs`,
      `${root}src/cli/run.ts`,
      'runs',
      'import',
      big,
      '--db',
      store,
      '--json',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '',
    stderr = '';
  p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number>((r) => p.on('exit', (c) => r(c ?? -1)));
  assert.equal(code, 0, stderr);
  assert.deepEqual(JSON.parse(stdout).files[0], {
    file: big,
    runs: rows,
    checkpoints: rows,
    skipped: 0,
    unfinished: 0,
    copies: 0,
    copiesFirst: [],
    columns: { run: 'run', N: 'N', D: 'D', loss: 'loss' },
    derived: { C: '6ND' },
  });
  const peakMb = Number(/peak-rss-kb=(\d+)/.exec(stderr)![1]) / 1024;
  assert.ok(peakMb < 400, `peak memory ${peakMb.toFixed(0)} MB (expected < 400 MB)`);

  // Files read in 1 MiB chunks: a multi-byte character straddles the first boundary, and the
  // line numbers of a bad row after it must still be right.
  const straddling = (header: string, line: (i: number, group: string) => string) => {
    const lines = [header];
    let bytes = header.length,
      rows = 0;
    while (bytes < (1 << 20) - 60) bytes += lines[lines.push(line(rows++, 'plain')) - 1].length;
    lines.push(line(rows++, 'é'.repeat(60)));
    return { text: lines.join(''), rows };
  };
  const csvRow = (i: number, group: string) => `${1e8 + i},2e9,3.1,${group}\n`;
  const edge = straddling('N,D,loss,group\n', csvRow);
  const bad = file('.csv', edge.text + `${1e8 + edge.rows},2e9,x,plain\n`);
  refused(
    await cli(['runs', 'import', bad, '--db', db('item13b')]),
    new RegExp(`${bad}:${edge.rows + 2}:3 \\(column "loss"\\): expected a positive number for loss, got "x"`),
  );
  const jsonl = straddling('', (i, group) => JSON.stringify({ N: 1e8 + i, D: 2e9, loss: 3.1, group }) + '\n');
  for (const f of [file('.csv', edge.text), file('.jsonl', jsonl.text)]) {
    const r = await cli(['runs', 'import', f, '--db', db(`item13-${f.slice(-4)}`), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = RunStore.open(db(`item13-${f.slice(-4)}`));
    const stored = s.runs();
    assert.equal(stored.length, f.endsWith('.csv') ? edge.rows : jsonl.rows);
    assert.equal(stored.at(-1)!.group, 'é'.repeat(60), 'the character across the chunk boundary arrives whole');
    s.close();
  }
});

test('downstream import of several files killed with kill -9 inside one: the store holds the files before it whole and nothing of it; the rerun says which landed and adds the rest once', async () => {
  const store = db('many-files');
  const longCsv = (run: string, rows: number) => {
    const tasks = ['arc_easy', 'piqa', 'hellaswag'];
    const lines = Array.from({ length: rows }, (_, i) => {
      const k = Math.floor(i / tasks.length) + 1;
      return `${run},1e8,${k}e9,${(3.5 - k / 1000).toFixed(4)},${tasks[i % tasks.length]},acc,${(0.3 + k / 1000).toFixed(4)}`;
    });
    return file('.csv', `run,N,tokens,val_loss,task,metric,value\n${lines.join('\n')}\n`);
  };
  // The hook pauses an import at its 100th row of a file, holding that file's transaction: only b has that many.
  const [a, b, c] = [longCsv('a', 6), longCsv('b', 300), longCsv('c', 9)];
  const args = ['downstream', 'import', a, b, c, '--study', 'many', '--db', store];
  const killed = await startUntil(args, 'import paused', { SCALELAB_TEST_IMPORT_PAUSE_AFTER: '100' });
  let said = '';
  killed.stdout!.on('data', (d: Buffer) => (said += d.toString()));
  // 'close': the process has ended and its output has all been read.
  const closed = new Promise((r) => killed.on('close', r));
  killed.kill('SIGKILL');
  await closed;
  // What the killed import said it had done is what the store holds: a whole, nothing of b or c.
  assert.equal(said, `${a}: 6 metrics added, 0 already in the store (study "many", ${store})\n`);
  assert.ok(integrityOk(store), 'integrity_check ok');
  const perRun = () => metricsPerRun(store, 'many');
  assert.deepEqual(perRun(), { a: 6 });
  // The rerun says per file what was already there, and adds the rest; a third adds nothing.
  const counts = (r: { code: number; stderr: string; json: () => { files: { added: number; skipped: number }[] } }) => {
    assert.equal(r.code, 0, r.stderr);
    return r.json().files.map((f) => [f.added, f.skipped]);
  };
  assert.deepEqual(counts(await cli([...args, '--json'])), [
    [0, 6],
    [300, 0],
    [9, 0],
  ]);
  assert.deepEqual(perRun(), { a: 6, b: 300, c: 9 });
  assert.deepEqual(counts(await cli([...args, '--json'])), [
    [0, 6],
    [0, 300],
    [0, 9],
  ]);
});

test('an import of several files refused at one (a value the store has otherwise) keeps its location and exit 2, and names the files before it, which were stored', async () => {
  const store = db('refused-at-one');
  const a = file('.csv', 'run,N,D,loss\na,1e8,1e9,4\n');
  const b = file('.csv', 'run,N,D,loss\nb,1e8,1e9,4\n');
  const c = file('.csv', 'run,N,D,loss\nc,1e8,1e9,4\n');
  const clash = file('.csv', 'run,N,D,loss\na,1e8,1e9,3\n');
  assert.equal((await cli(['runs', 'import', a, '--db', store])).code, 0);
  const r = await cli(['runs', 'import', b, c, clash, '--db', store, '--json']);
  assert.equal(r.code, 2, r.stderr);
  const { error } = r.json();
  assert.equal(error.type, 'InputError');
  assert.deepEqual([error.location.file, error.location.line], [clash, 2]);
  assert.deepEqual(error.imported, [b, c]);
  assert.ok(
    error.message.endsWith(
      `; ${clash} was not imported, but the 2 files before it were (${b}, ${c}), and importing them again adds nothing`,
    ),
    error.message,
  );
  const s = RunStore.open(store);
  try {
    assert.deepEqual(
      s
        .runs()
        .map((x) => x.name)
        .sort(),
      ['a', 'b', 'c'],
    );
  } finally {
    s.close();
  }
});
