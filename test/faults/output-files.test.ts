// Fault injection, seventh pass: the files the tool writes outside the store. Every output goes
// through one writer (src/cli/output.ts; test/output-writers.test.ts checks that none writes
// otherwise), so these test that writer under a write failing half way, a killed or interrupted large
// export, and hostile paths (a file in the way, a removed working folder, a read-only folder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { noStackTrace, scalelab } from '../helpers/cli.js';
import { cliAsUserDenied, integrityOk, spawnCli } from './common.js';
import { writeAtomically, writeAtomicallyInSteps } from '../../src/cli/output.js';
import { RunStore } from '../../src/store/store.js';
import { parseRuns } from '../../src/io/parseRuns.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `scalelab-faults-out-${name}-`));
const earlier = 'the earlier export\n';

/** An error as the file system gives it (code, syscall), for `code`. */
const fsError = (code: string, syscall: string) =>
  Object.assign(new Error(`${code}: injected, ${syscall}`), { code, syscall, errno: -1 });

/**
 * Run `body` with fs.writeSync replaced: files past stdio get `inject` instead (the real one passed in).
 * Node's builtin exports are live: src/cli/output.ts, which imports writeSync by name, sees it.
 */
async function withWriteSync<T>(
  inject: (real: typeof fs.writeSync, fd: number, bytes: Uint8Array, at: number, length: number) => number,
  body: () => T | Promise<T>,
): Promise<T> {
  const real = fs.writeSync;
  fs.writeSync = ((fd: number, bytes: Uint8Array, at: number, length: number) =>
    fd > 2 && bytes instanceof Uint8Array
      ? inject(real, fd, bytes, at, length)
      : (real as (...a: unknown[]) => number)(fd, bytes, at, length)) as typeof fs.writeSync;
  syncBuiltinESMExports();
  try {
    return await body();
  } finally {
    fs.writeSync = real;
    syncBuiltinESMExports();
  }
}

test('a write that fails half way (the disk fills): the error in words, the earlier file as it was, no temporary file', async () => {
  const dir = tmp('half');
  const out = join(dir, 'export.csv');
  writeFileSync(out, earlier);
  const text = 'N,D,loss\n' + '1e8,2e9,3.2\n'.repeat(100_000);
  let halfOnDisk = -1;
  // The first write puts half its bytes into the temporary file, then the disk is full.
  await withWriteSync(
    (real, fd, bytes, at, length) => {
      real(fd, bytes, at, Math.floor(length / 2));
      halfOnDisk = readdirSync(dir)
        .filter((f) => f.endsWith('.tmp'))
        .map((f) => statSync(join(dir, f)).size)[0];
      throw fsError('ENOSPC', 'write');
    },
    () =>
      assert.throws(
        () => writeAtomically(out, text),
        (e: Error) =>
          e.message ===
          `cannot write ${out}: the disk is full or the file too large (ENOSPC); the file there is unchanged. Free some space there, or write it to another disk`,
      ),
  );
  assert.equal(halfOnDisk, Math.floor(text.length / 2), 'half the file was in the temporary file when it failed');
  assert.equal(readFileSync(out, 'utf8'), earlier);
  assert.deepEqual(readdirSync(dir), ['export.csv'], 'the temporary file is removed');

  // Written in pieces (a large export), failing at the third, after turns of the event loop; and with no earlier file.
  let pieces = 0;
  const fresh = join(dir, 'fresh.csv');
  const big = 'x'.repeat(1 << 20);
  await withWriteSync(
    (real, fd, bytes, at, length) => {
      if (++pieces < 3) return real(fd, bytes, at, length);
      throw fsError('EDQUOT', 'write');
    },
    () =>
      assert.rejects(
        writeAtomicallyInSteps(fresh, [big, big, big, big]),
        (e: Error) =>
          e.message ===
          `cannot write ${fresh}: the disk is full or the file too large (EDQUOT); nothing was written. Free some space there, or write it to another disk`,
      ),
  );
  assert.equal(pieces, 3, 'it failed at the third piece');
  assert.deepEqual(readdirSync(dir), ['export.csv'], 'nothing made, no temporary file');
});

test('a temporary file that cannot be made (read-only file system, no permission) is said in words, naming the output', (t) => {
  const dir = tmp('open');
  const out = join(dir, 'report.html');
  writeFileSync(out, earlier);
  const real = fs.openSync;
  let code = '';
  fs.openSync = ((path: fs.PathLike, ...rest: unknown[]) => {
    if (String(path).endsWith('.tmp')) throw fsError(code, 'open');
    return (real as (...a: unknown[]) => number)(path, ...rest);
  }) as typeof fs.openSync;
  syncBuiltinESMExports();
  t.after(() => {
    fs.openSync = real;
    syncBuiltinESMExports();
  });
  for (const [c, said] of [
    [
      'EROFS',
      'the file system there is read-only (EROFS); the file there is unchanged. Write it to a folder on another disk',
    ],
    [
      'EACCES',
      `no permission to write in ${dir} (EACCES); the file there is unchanged. Write it to a folder you may write to`,
    ],
  ]) {
    code = c;
    assert.throws(
      () => writeAtomically(out, 'new\n'),
      (e: Error) => e.message === `cannot write ${out}: ${said}`,
    );
    assert.equal(readFileSync(out, 'utf8'), earlier);
  }
  assert.deepEqual(readdirSync(dir), ['report.html']);
});

test('a piece of the output that fails while it is made: its own error, the earlier file as it was, no temporary file', async () => {
  const dir = tmp('piece');
  const out = join(dir, 'export.jsonl');
  writeFileSync(out, earlier);
  function* pieces() {
    yield 'x'.repeat(3 << 20); // past a step: the event loop had turns
    throw new Error('the store went away');
  }
  await assert.rejects(writeAtomicallyInSteps(out, pieces()), /^Error: the store went away$/);
  assert.equal(readFileSync(out, 'utf8'), earlier);
  assert.deepEqual(readdirSync(dir), ['export.jsonl']);
});

test('relative paths from a working folder that was removed: the output and the store say so, nothing made', () => {
  const back = process.cwd();
  const gone = tmp('cwd');
  process.chdir(gone);
  try {
    rmdirSync(gone);
    assert.throws(
      () => writeAtomically('fit.json', '{}\n'),
      (e: Error) =>
        e.message ===
        'cannot write fit.json: the folder this command runs in was removed (ENOENT), so a relative path leads nowhere; nothing was written. Change to a folder that exists, or give a full path',
    );
    assert.throws(
      () => RunStore.open('.scalelab/runs.db'),
      (e: Error) =>
        e.message ===
        '.scalelab/runs.db: the folder this command runs in was removed (ENOENT), so a relative path leads nowhere; nothing was changed. Change to a folder that exists, or give the store as a full path',
    );
  } finally {
    process.chdir(back);
  }
  assert.equal(existsSync(gone), false, 'nothing made again');
});

test('a store or an --out under a file (ENOTDIR): one line naming the file in the way, no stack trace', () => {
  const dir = tmp('notdir');
  const data = join(dir, 'runs.csv');
  writeFileSync(data, 'N,D,loss\n1e8,2e9,3.2\n2e8,4e9,2.95\n4e8,8e9,2.75\n');
  const file = join(dir, 'a-file');
  writeFileSync(file, 'in the way\n');
  for (const db of [join(file, 'runs.db'), join(file, 'deeper', 'runs.db')])
    for (const args of [
      ['runs', 'import', data],
      ['runs', 'ls'],
      ['runs', 'export'],
    ]) {
      const r = scalelab([...args, '--db', db]);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(
        r.stderr,
        `scalelab: error: ${db}: ${file} is a file, not a folder, so no run store can be there (ENOTDIR); nothing was changed. Give a store path in a folder\n`,
      );
    }
  const r = scalelab(['report', data, '--out', join(file, 'report.html'), '--bootstrap', '0']);
  assert.equal(r.code, 2, r.stderr);
  assert.ok(noStackTrace(r.stderr), r.stderr);
  assert.match(r.stderr, /^scalelab: error: --out \S+: cannot create its folder \S+a-file \(EEXIST: a file in the way/);
  assert.equal(readFileSync(file, 'utf8'), 'in the way\n');
});

test('--out in a read-only folder is refused before the work, naming the folder', (t) => {
  const dir = tmp('ro');
  chmodSync(dir, 0o755);
  const data = join(dir, 'runs.csv');
  writeFileSync(data, 'N,D,loss\n1e8,2e9,3.2\n2e8,4e9,2.95\n4e8,8e9,2.75\n');
  chmodSync(data, 0o644);
  const ro = join(dir, 'read-only');
  mkdirSync(ro);
  chmodSync(ro, 0o555);
  t.after(() => chmodSync(ro, 0o755));
  const user = cliAsUserDenied(dir);
  if ('skip' in user) return t.skip(user.skip);
  const r = user.cli(['report', data, '--out', join(ro, 'report.html'), '--bootstrap', '0']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(
    r.stderr,
    `scalelab: error: --out ${join(ro, 'report.html')}: cannot write there (its folder ${ro} is not writable, EACCES); give a path in a folder you may write to\n`,
  );
  assert.deepEqual(readdirSync(ro), []);
});

/** A store of `runs` completed runs, made once for the export tests (a few seconds). */
let bigStore: { db: string; runs: number } | undefined;
function storeOfManyRuns(): { db: string; runs: number } {
  if (bigStore) return bigStore;
  const runs = 60_000;
  const lines = ['run,N,D,loss'];
  for (let i = 0; i < runs; i++) lines.push(`r${i},${1e6 + i},${2e9 + i * 7},${(3 + (i % 977) / 1000).toFixed(4)}`);
  const db = join(tmp('big-store'), 'runs.db');
  const store = RunStore.open(db);
  store.importDataset(parseRuns(lines.join('\n') + '\n', { source: 'runs.csv' }), 'big');
  store.close();
  return (bigStore = { db, runs });
}

/** Sizes of the temporary files beside `out`, polled every 2 ms, until `enough` says so (or the writer ends). */
async function watchTemporary(dir: string, done: () => boolean, enough: (sizes: number[]) => boolean) {
  const sizes: number[] = [];
  const end = Date.now() + 120_000;
  while (!done() && Date.now() < end) {
    const tmpFile = readdirSync(dir).find((f) => f.endsWith('.tmp'));
    const size = tmpFile === undefined ? undefined : statSync(join(dir, tmpFile), { throwIfNoEntry: false })?.size;
    if (size && size !== sizes.at(-1)) sizes.push(size);
    if (enough(sizes)) return sizes;
    await new Promise((r) => setTimeout(r, 2));
  }
  return sizes;
}

test('runs export of 60,000 runs killed with kill -9 while its temporary file grows: the earlier export as it was', async (t) => {
  const { db, runs } = storeOfManyRuns();
  const dir = tmp('export-kill');
  const out = join(dir, 'export.csv');
  writeFileSync(out, earlier);
  const cli = spawnCli(['runs', 'export', '--db', db, '--out', out]);
  t.after(() => cli.child.kill('SIGKILL'));
  // Killed only once the file is seen growing: the write is under way, its rename not yet done.
  const sizes = await watchTemporary(
    dir,
    () => cli.child.exitCode !== null,
    (s) => s.length >= 2,
  );
  assert.ok(sizes.length >= 2, `the temporary file was seen growing (sizes ${sizes.join(', ')}): ${cli.out.stderr}`);
  cli.child.kill('SIGKILL');
  assert.equal((await cli.done).signal, 'SIGKILL');
  assert.equal(readFileSync(out, 'utf8'), earlier, 'the earlier export is as it was');
  assert.ok(integrityOk(db), 'the store is whole');
  // The next export writes it whole (the killed one's file, under a minute old, is left: see README).
  const again = scalelab(['runs', 'export', '--db', db, '--out', out, '--json']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.json().rows, runs);
  const written = readFileSync(out, 'utf8');
  assert.equal(written.split('\n').length, runs + 2, 'a header, every run, and a final newline');
  assert.ok(sizes.at(-1)! < written.length, 'it was killed before its temporary file was whole');
});

test('runs export of 60,000 runs stopped with Ctrl-C while it writes: exit 130, the line, the earlier export as it was, no temporary file', async (t) => {
  const { db } = storeOfManyRuns();
  const dir = tmp('export-int');
  const out = join(dir, 'export.csv');
  writeFileSync(out, earlier);
  // Signalled while under 1 MiB is written: the export (about 4 MiB) gives its first turn to a listener
  // after 1 MiB, well before its end. A machine too busy for this poll to see it that early is tried again.
  for (let attempt = 1; ; attempt++) {
    const cli = spawnCli(['runs', 'export', '--db', db, '--out', out]);
    t.after(() => cli.child.kill('SIGKILL'));
    const sizes = await watchTemporary(
      dir,
      () => cli.child.exitCode !== null,
      (s) => s.length >= 1,
    );
    if (!(sizes.length >= 1 && sizes[0] < 1 << 20)) {
      cli.child.kill('SIGKILL');
      await cli.done;
      for (const f of readdirSync(dir)) if (f.endsWith('.tmp')) fs.rmSync(join(dir, f));
      writeFileSync(out, earlier);
      assert.ok(attempt < 3, `the temporary file seen under 1 MiB in one of 3 tries (last: ${sizes.join(', ')})`);
      continue;
    }
    cli.child.kill('SIGINT');
    const done = await cli.done;
    assert.equal(done.code, 130, cli.out.stderr);
    assert.equal(
      cli.out.stderr,
      `scalelab: interrupted (SIGINT, Ctrl-C): ${out} not written (the file there is unchanged)\n`,
    );
    assert.equal(readFileSync(out, 'utf8'), earlier);
    assert.deepEqual(readdirSync(dir), ['export.csv'], 'the temporary file is removed');
    return;
  }
});

test('--out /dev/stdout with stdout appended to a log: the output is added to the log, which keeps what it had', () => {
  const dir = tmp('stdout');
  const log = join(dir, 'log.txt');
  writeFileSync(log, 'KEEP\n');
  const fd = fs.openSync(log, 'a');
  try {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/run.ts',
        'fit',
        'examples/cs336-isoflops.json',
        '--procedure',
        'huber',
        '--out',
        '/dev/stdout',
        '--json',
      ],
      { cwd: process.cwd(), stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(r.status, 0, r.stderr);
  } finally {
    fs.closeSync(fd);
  }
  const text = readFileSync(log, 'utf8');
  // Before, a temporary file renamed over /dev/stdout's file replaced the whole log.
  assert.ok(text.startsWith('KEEP\n{'), text.slice(0, 80));
  assert.equal(readdirSync(dir).length, 1, readdirSync(dir).join(', '));
});

test("a link planted under the temporary file's name is not followed: the file it names is unchanged", () => {
  const dir = tmp('planted');
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'precious\n');
  const out = join(dir, 'out.json');
  fs.symlinkSync(victim, join(dir, `.out.json.${process.pid}.tmp`));
  writeAtomically(out, '{"ok":true}\n');
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  assert.equal(readFileSync(out, 'utf8'), '{"ok":true}\n');
  assert.deepEqual(readdirSync(dir).sort(), ['out.json', 'victim.txt']);
});

test('--out /dev/stdout into a pipe whose reader is slow: the whole output comes through, past 64 KiB (review: EAGAIN)', () => {
  // 150 KB of fit JSON into a pipe read only after 2 s: stdout's own descriptor is non-blocking in Node, so a
  // write through it failed at 64 KiB; the path's own descriptor blocks until the reader takes it.
  const r = spawnSync(
    'bash',
    [
      '-c',
      `${JSON.stringify(process.execPath)} --import tsx src/cli/run.ts fit examples/chinchilla.csv --bootstrap 200 --seed 1 --out /dev/stdout | (sleep 2; wc -c); exit \${PIPESTATUS[0]}`,
    ],
    { cwd: process.cwd(), encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.ok(Number(r.stdout.trim()) > 100_000, `${r.stdout.trim()} bytes came through`);
});

/** The CLI in a shell that limits the files it writes to `kib` KiB (ulimit -f) and sends stdout to `out`. */
function cliToFile(args: string[], out: string, kib?: number) {
  const quoted = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, '--import', 'tsx', 'src/cli/run.ts', ...args].map(quoted).join(' ');
  return spawnSync('bash', ['-c', `${kib === undefined ? '' : `ulimit -f ${kib}; `}exec ${command} > ${quoted(out)}`], {
    cwd: process.cwd(),
    encoding: 'utf8',
    env: { ...process.env, SCALELAB_DEBUG: '' },
    timeout: 120_000,
  });
}

test('stdout sent to a file that fills (ulimit -f) or to /dev/full: one line saying the output is incomplete, exit 1 (review14: exit 0 with the file cut, or a stack trace)', () => {
  const dir = tmp('stdout-full');
  const out = join(dir, 'fit.json');
  // The fit's JSON is about 10 KB: a limit of 4 KiB cuts it.
  const r = cliToFile(['fit', 'examples/chinchilla.csv', '--json'], out, 4);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(
    r.stderr,
    `scalelab: error: cannot write stdout (${out}): the disk is full or the file too large (EFBIG); what was written there is incomplete. Free some space there, or write it to another disk\n`,
  );
  assert.equal(statSync(out).size, 4096, 'the file holds what was written before the limit');
  if (!existsSync('/dev/full')) return;
  const db = join(dir, 'runs.db');
  assert.equal(scalelab(['runs', 'import', 'examples/chinchilla.csv', '--db', db]).code, 0);
  // Node's stream wrote /dev/full's ENOSPC as a stack trace; a report's text goes the same way.
  for (const args of [
    ['runs', 'export', '--db', db],
    ['fit', '--help'],
  ]) {
    const full = cliToFile(args, '/dev/full');
    assert.equal(full.status, 1, `${args.join(' ')}: ${full.stderr}`);
    assert.equal(
      full.stderr,
      'scalelab: error: cannot write stdout (/dev/full): the disk is full or the file too large (ENOSPC); what was written there is incomplete. Free some space there, or write it to another disk\n',
    );
  }
});
