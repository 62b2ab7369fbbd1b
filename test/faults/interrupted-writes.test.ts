// Fault injection, second pass ("nothing lost under faults"): writes interrupted by a full disk or a
// crash. Output files are replaced whole or not at all; a run folder whose exit record was cut short
// fails its run with the file named instead of ending the sweep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { noStackTrace, root, scalelab } from '../helpers/cli.js';
import { plannedRuns } from './common.js';
import { localBackend } from '../../src/experiments/backends/local.js';
import { runDirectory } from '../../src/experiments/backends/process.js';
import { runSweep } from '../../src/experiments/runner.js';
import { RunStore } from '../../src/store/store.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `scalelab-faults-${name}-`));

const runsCsv =
  'N,D,loss\n1e8,2e9,3.2\n2e8,4e9,2.95\n4e8,8e9,2.75\n8e8,1.6e10,2.6\n1.6e9,3.2e10,2.48\n3.2e9,6.4e10,2.39\n1e8,8e9,3.0\n8e8,2e9,2.9\n';

/**
 * The CLI in a shell whose file-size limit is `kib` KiB (ulimit -f): a write past it fails with EFBIG,
 * as on a full disk (Node ignores SIGXFSZ, so the write fails instead of the process dying).
 */
function cliWithFileLimit(kib: number, args: string[]) {
  const cmd = `ulimit -f ${kib} && exec "$0" --import tsx "$@"`;
  const r = spawnSync('bash', ['-c', cmd, process.execPath, `${root}src/cli/run.ts`, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, SCALELAB_DEBUG: '' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A folder with the runs to report on and an earlier, good report.html (any earlier file: its bytes are
 * what must survive a failed write).
 */
function earlierReport(name: string) {
  const dir = tmp(name);
  const data = join(dir, 'runs.csv');
  writeFileSync(data, runsCsv);
  const out = join(dir, 'report.html');
  const before = Buffer.from('<!doctype html><title>the earlier report</title>\n');
  writeFileSync(out, before);
  return { dir, data, out, before };
}

test('a report that cannot be written whole (a full disk) leaves the earlier report as it was, and no temporary file', () => {
  const { dir, data, out, before } = earlierReport('out-full');
  const full = cliWithFileLimit(64, ['report', data, '--out', out, '--bootstrap', '0', '--json']);
  assert.equal(full.code, 1, full.stderr);
  assert.ok(
    readFileSync(out).equals(before),
    `the earlier report is byte for byte as it was (was: ${readFileSync(out).length} bytes)`,
  );
  assert.ok(full.stderr.length > 0 && !/^wrote /m.test(full.stderr), full.stderr);
  assert.ok(noStackTrace(full.stderr), full.stderr);
  assert.match(
    full.stderr,
    new RegExp(`cannot write ${out}: the disk is full or the file too large \\(EFBIG\\); the file there is unchanged`),
  );
  assert.deepEqual(readdirSync(dir).sort(), ['report.html', 'runs.csv'], 'no temporary file is left');
});

test('a run folder whose exit.json was cut short (a node crash, a full disk) is judged by its metrics; the sweep goes on', async () => {
  const dir = tmp('exit-cut');
  const runsRoot = join(dir, 'runs');
  const store = RunStore.open(join(dir, 'runs.db'));
  const runs = store.plan('s', plannedRuns([0, 1, 2]));
  const evaluation = (k: number) => JSON.stringify({ tokens: k * 1e6, step: k, val_loss: 4 - k / 4 }) + '\n';
  // Each run was submitted by an earlier sweep and its command has ended; what it left:
  const left = [
    // finished: all three evaluations, but its exit record was cut mid-write
    { metrics: [1, 2, 3], exit: '{"code":0,"sig' },
    // killed after its first evaluation, and its exit record is empty
    { metrics: [1], exit: '' },
    // an exit record that is JSON but not one (an array)
    { metrics: [1, 2], exit: '[]' },
  ];
  runs.forEach((r, i) => {
    store.setStatus(r.id, 'running', { backend: 'local', externalId: 'local-999999999' });
    const runDir = runDirectory(runsRoot, r);
    // The submit's job.json: without it the folder would be one removed since (test/faults/run-folders.test.ts).
    writeFileSync(join(runDir, 'job.json'), JSON.stringify({ argv: ['train'], cwd: dir }));
    writeFileSync(join(runDir, 'metrics.jsonl'), left[i].metrics.map(evaluation).join(''));
    writeFileSync(join(runDir, 'exit.json'), left[i].exit);
  });
  const backend = localBackend({ command: 'false', root: runsRoot, cwd: dir });
  await runSweep(store, 's', backend, { pollMs: 10 });
  const [done, killed, odd] = store.runs({ study: 's' });
  assert.deepEqual([done.status, done.loss], ['completed', 3.25], done.reason ?? '');
  assert.deepEqual(
    store.checkpoints(done.id).map((c) => c.tokens),
    [1e6, 2e6, 3e6],
  );
  assert.equal(killed.status, 'failed');
  assert.match(
    killed.reason!,
    /its exit record \S+exit\.json is empty, so how the command ended is unknown and its metrics stop at 1000000 of 3000000 tokens: the run did not finish/,
  );
  assert.equal(odd.status, 'failed');
  assert.match(
    odd.reason!,
    /exit\.json is not an exit record \(expected \{"code", "signal", "seconds"\}; it holds "\[\]"\)/,
  );
  store.close();
});

/** The store's files (the database and any -wal, -shm beside it) and their bytes. */
function storeFiles(db: string): Record<string, string> {
  const dir = dirname(db);
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.startsWith(basename(db)))
      .sort()
      .map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(join(dir, f)))
          .digest('hex'),
      ]),
  );
}

test('an import that fills the disk stores nothing and says so; the same import then succeeds', () => {
  const dir = tmp('store-full');
  const db = join(dir, 'runs.db');
  const seed = join(dir, 'seed.csv');
  writeFileSync(seed, runsCsv);
  assert.equal(cliWithFileLimit(1 << 20, ['runs', 'import', seed, '--db', db]).code, 0);
  const before = storeFiles(db);
  const big = join(dir, 'big.csv');
  const rows = ['N,D,loss'];
  for (let i = 0; i < 20_000; i++) rows.push(`${1e6 + i},${2e9 + i},${3 + i / 1e5}`);
  writeFileSync(big, rows.join('\n') + '\n');
  // The WAL of 20,000 runs is megabytes: a 512 KiB limit stops it part-way.
  const full = cliWithFileLimit(512, ['runs', 'import', big, '--db', db]);
  assert.equal(full.code, 1, full.stderr);
  assert.ok(noStackTrace(full.stderr), full.stderr);
  assert.match(
    full.stderr,
    new RegExp(
      `^scalelab: error: ${db}: a disk read or write failed \\(.*\\); nothing of this write was stored: the store is as it was before it, with everything stored earlier \\(a sweep's finished runs\\) kept\\. Free some space on its disk, then run the same command again: a sweep or study resumes, an import adds what it lacks\\n$`,
    ),
  );
  assert.deepEqual(storeFiles(db), before, 'the store is byte for byte as it was, with no -wal or -shm left');
  const again = cliWithFileLimit(1 << 20, ['runs', 'import', big, '--db', db, '--json']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.includes('"runs": 20000'), true, again.stdout);
});

test('an import of several files that fills the disk at one says which files before it were stored (they were); the same import then adds only the rest', () => {
  const dir = tmp('store-full-many');
  const db = join(dir, 'runs.db');
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Per command: a small file that fits, then one whose WAL (20,000 rows: megabytes) does not fit in 512 KiB.
  const cases = [
    {
      args: ['runs', 'import'],
      small: 'N,D,loss\n5e8,5e9,2.7\n',
      big: ['N,D,loss', ...Array.from({ length: 20_000 }, (_, i) => `${1e6 + i},${2e9 + i},${3 + i / 1e5}`)],
      stored: (s: RunStore) => s.runs().length,
      again: [
        { runs: 0, skipped: 1 },
        { runs: 20_000, skipped: 0 },
      ],
    },
    {
      args: ['downstream', 'import', '--study', 'd'],
      small: 'run,N,tokens,task,metric,value\na,1e8,1e9,arc_easy,acc,0.4\n',
      big: [
        'run,N,tokens,task,metric,value',
        ...Array.from({ length: 20_000 }, (_, i) => `b,1e8,${i + 1}e6,arc_easy,acc,${(0.3 + i / 1e6).toFixed(6)}`),
      ],
      stored: (s: RunStore) => s.taskMetrics('d').length,
      again: [
        { added: 0, skipped: 1 },
        { added: 20_000, skipped: 0 },
      ],
    },
  ];
  for (const [i, c] of cases.entries()) {
    const small = join(dir, `small${i}.csv`);
    const big = join(dir, `big${i}.csv`);
    writeFileSync(small, c.small);
    writeFileSync(big, c.big.join('\n') + '\n');
    const full = cliWithFileLimit(512, [...c.args, small, big, '--db', db, '--json']);
    assert.equal(full.code, 1, full.stderr);
    assert.ok(noStackTrace(full.stderr), full.stderr);
    assert.match(
      full.stderr,
      new RegExp(
        `^scalelab: error: ${escape(db)}: a disk read or write failed \\(.*\\); nothing of this write was stored: the store is as it was before it, with everything stored earlier \\(a sweep's finished runs\\) kept\\. Free some space on its disk, then run the same command again: a sweep or study resumes, an import adds what it lacks; ${escape(big)} was not imported, but the file before it was \\(${escape(small)}\\), and importing it again adds nothing\\n$`,
      ),
    );
    const error = JSON.parse(full.stdout).error;
    assert.equal(error.type, 'StoreError');
    assert.deepEqual(error.imported, [small], 'JSON names the files that were stored');
    const store = RunStore.open(db);
    try {
      assert.equal(c.stored(store), 1, "the small file's row is stored, none of the big one's");
    } finally {
      store.close();
    }
    const again = cliWithFileLimit(1 << 20, [...c.args, small, big, '--db', db, '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(
      JSON.parse(again.stdout).files.map((f: Record<string, unknown>) =>
        Object.fromEntries(Object.keys(c.again[0]).map((k) => [k, f[k]])),
      ),
      c.again,
    );
  }
});

test('a read-only store is refused naming it, and nothing changes; reading it still works', (t) => {
  const dir = tmp('store-ro');
  const db = join(dir, 'runs.db');
  const data = join(dir, 'runs.csv');
  writeFileSync(data, runsCsv);
  assert.equal(cliWithFileLimit(1 << 20, ['runs', 'import', data, '--db', db]).code, 0);
  const more = join(dir, 'more.csv');
  writeFileSync(more, 'N,D,loss\n5e8,5e9,2.7\n');
  chmodSync(db, 0o444);
  // root writes to any file: run the CLI as "nobody" there (the folder and inputs readable by it).
  const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  if (process.getuid?.() === 0) {
    chmodSync(dir, 0o777);
    chmodSync(data, 0o644);
    chmodSync(more, 0o644);
  } else if (process.platform === 'win32') return t.skip('no read-only files to test with here');
  // As "nobody" the CLI must reach the checkout and its node_modules: a clone inside a private folder
  // (mktemp -d is mode 700) cannot be, and then there is no user here to whom the store is read-only.
  if (process.getuid?.() === 0) {
    const probe = spawnSync(process.execPath, ['--import', 'tsx', '-e', '0'], { cwd: root, ...asOther });
    if (probe.status !== 0)
      return t.skip('the checkout is not readable by another user here, so no user sees the store as read-only');
  }
  const before = storeFiles(db);
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', `${root}src/cli/run.ts`, ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, SCALELAB_DEBUG: '', TMPDIR: dir },
      ...asOther,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const write = cli(['runs', 'import', more, '--db', db]);
  assert.equal(write.code, 1, write.stderr);
  assert.ok(noStackTrace(write.stderr), write.stderr);
  assert.match(
    write.stderr,
    new RegExp(
      `^scalelab: error: ${db}: the run store is read-only \\(.*\\); nothing was changed\\. Make both writable, or work on a copy of the store in a folder you may write to\\n$`,
    ),
  );
  const read = cli(['runs', 'ls', '--db', db, '--json']);
  assert.equal(read.code, 0, read.stderr);
  assert.equal(JSON.parse(read.stdout).length, 8);
  assert.equal(storeFiles(db)['runs.db'], before['runs.db'], 'the store file is byte for byte as it was');
});

test('a store cut short (a copy that did not finish) is called damaged, not "not an SQLite database"; a folder as the store is named as one; listing an empty file leaves it empty', () => {
  const dir = tmp('store-cut');
  const whole = join(dir, 'whole.db');
  const data = join(dir, 'runs.csv');
  writeFileSync(data, runsCsv);
  assert.equal(scalelab(['runs', 'import', data, '--db', whole]).code, 0);
  const cut = join(dir, 'cut.db');
  writeFileSync(cut, readFileSync(whole).subarray(0, 30_000));
  const before = storeFiles(cut);
  for (const args of [
    ['runs', 'ls'],
    ['runs', 'import', data],
  ]) {
    const r = scalelab([...args, '--db', cut]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(noStackTrace(r.stderr), r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^scalelab: error: ${cut}: a damaged SQLite database: it starts as one but cannot be read \\(.*cut short.*\\); nothing was changed\\. Restore it from a copy, or give another store \\(--db\\)\\n$`,
      ),
    );
    assert.deepEqual(storeFiles(cut), before, 'the file is as it was, and nothing was created beside it');
  }
  // An empty file is no store yet: listing it does not turn it into one.
  const empty = join(dir, 'empty.db');
  writeFileSync(empty, '');
  const listed = scalelab(['runs', 'ls', '--db', empty]);
  assert.equal(listed.code, 2, listed.stderr);
  assert.match(listed.stderr, /no run store here \(an empty file\)/);
  assert.equal(readFileSync(empty).length, 0, 'the empty file stays empty');
  const folder = join(dir, 'a-folder');
  mkdirSync(folder);
  const r = scalelab(['runs', 'import', data, '--db', folder]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^scalelab: error: ${folder}: is a folder: expected a run store file`));
});

test('--out through a symbolic link replaces the file it names (the link and the file mode stay); a device is written in place', () => {
  const dir = tmp('out-link');
  const db = join(dir, 'runs.db');
  const data = join(dir, 'runs.csv');
  writeFileSync(data, runsCsv);
  assert.equal(scalelab(['runs', 'import', data, '--db', db]).code, 0);
  mkdirSync(join(dir, 'shared'));
  const target = join(dir, 'shared', 'runs.csv');
  writeFileSync(target, 'the earlier export\n', { mode: 0o600 });
  chmodSync(target, 0o600);
  const link = join(dir, 'link.csv');
  symlinkSync(target, link);
  const r = scalelab(['runs', 'export', '--db', db, '--format', 'csv', '--out', link]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
  assert.match(readFileSync(target, 'utf8'), /^study,run,N,D,C,loss/);
  assert.equal(statSync(target).mode & 0o777, 0o600, 'the file keeps its permissions');
  assert.deepEqual(readdirSync(join(dir, 'shared')), ['runs.csv'], 'no temporary file is left');
  if (existsSync('/dev/null')) {
    const dev = scalelab(['runs', 'export', '--db', db, '--format', 'csv', '--out', '/dev/null']);
    assert.equal(dev.code, 0, dev.stderr);
    assert.ok(statSync('/dev/null').isCharacterDevice(), '/dev/null is still the device');
  }
});

test('an --out write killed between writing and renaming leaves its temporary file only until the next write of that file', async () => {
  const { dir, data, out, before } = earlierReport('out-killed');
  // A real writer, killed (SIGKILL, nothing can clean up) at the worst moment: its temporary file
  // written and flushed, not yet renamed over the report.
  const writer = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import fs from 'node:fs';
       import { syncBuiltinESMExports } from 'node:module';
       fs.renameSync = () => process.kill(process.pid, 'SIGKILL');
       syncBuiltinESMExports();
       const { writeAtomically } = await import(${JSON.stringify(`${root}src/cli/output.ts`)});
       writeAtomically(${JSON.stringify(out)}, 'the new report, never renamed\\n');`,
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  writer.stderr.on('data', (d) => (stderr += d));
  const signal = await new Promise((res) => writer.on('close', (_code, sig) => res(sig)));
  assert.equal(signal, 'SIGKILL', stderr);
  const left = `.report.html.${writer.pid}.tmp`;
  assert.ok(readFileSync(out).equals(before), 'the report is as it was');
  assert.equal(
    readFileSync(join(dir, left), 'utf8'),
    'the new report, never renamed\n',
    'the killed write left its file',
  );
  // What must survive the clean-up: a live process's temporary file for this output (it may be
  // writing it now), a dead process's for another output, and files not named as ours.
  const others = [
    `.report.html.${process.ppid}.tmp`,
    `.other.html.${writer.pid}.tmp`,
    `.report.html.${writer.pid}.tmp.keep`,
    `.report.html.x${writer.pid}.tmp`,
  ];
  for (const f of others) writeFileSync(join(dir, f), 'not to be removed\n');
  // Under a minute old, the dead write's file may be another host's write in progress: left.
  const fresh = scalelab(['report', data, '--out', out, '--bootstrap', '0', '--json']);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.ok(existsSync(join(dir, left)), 'a temporary file under a minute old is left');
  // Two minutes old (as a killed write's file is by the time anyone looks), everything else as new.
  const old = new Date(Date.now() - 120_000);
  for (const f of [left, ...others]) utimesSync(join(dir, f), old, old);
  writeFileSync(out, before);
  const r = scalelab(['report', data, '--out', out, '--bootstrap', '0', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(out, 'utf8'), /^<!doctype html>/i);
  assert.ok(!readFileSync(out).equals(before), 'the report was replaced');
  assert.deepEqual(
    readdirSync(dir).sort(),
    ['report.html', 'runs.csv', ...others].sort(),
    "only the dead write's file is gone",
  );
});

test('a run folder removed before the sweep collected it fails its run saying so, not blaming the wrapper', async () => {
  const dir = tmp('run-dir-removed');
  const runsRoot = join(dir, 'runs');
  const store = RunStore.open(join(dir, 'runs.db'));
  const [gone, kept] = store.plan('s', plannedRuns([0, 1]));
  // Both submitted by an earlier sweep, their wrappers and commands since ended; then the first's
  // folder was removed (a clean-up of .scalelab/runs, a scratch space purged) before a sweep collected it.
  for (const r of [gone, kept]) {
    store.setStatus(r.id, 'running', { backend: 'local', externalId: 'local-999999999' });
    const runDir = runDirectory(runsRoot, r);
    writeFileSync(join(runDir, 'job.json'), JSON.stringify({ argv: ['train'], cwd: dir }));
    writeFileSync(join(runDir, 'pid'), '999999999');
    writeFileSync(join(runDir, 'metrics.jsonl'), JSON.stringify({ tokens: 3e6, step: 3, val_loss: 3.25 }) + '\n');
    writeFileSync(join(runDir, 'exit.json'), JSON.stringify({ code: 0, signal: null, seconds: 9 }));
  }
  const goneDir = runDirectory(runsRoot, gone);
  rmSync(goneDir, { recursive: true });
  const backend = localBackend({ command: 'false', root: runsRoot, cwd: dir });
  await runSweep(store, 's', backend, { pollMs: 10 });
  const [lost, done] = store.runs({ study: 's' });
  assert.deepEqual([done.status, done.loss], ['completed', 3.25], done.reason ?? '');
  assert.equal(lost.status, 'failed');
  assert.match(
    lost.reason!,
    new RegExp(
      `^its run folder ${goneDir} was removed before its result was collected \\(no job\\.json there\\): what the command left is gone; "sweep retry" queues it again`,
    ),
  );
  store.close();
});
