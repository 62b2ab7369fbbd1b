// Fault injection, fourth pass ("nothing lost under faults"): --out aimed at odd targets. A device that
// refuses the write (/dev/full), a symbolic link to a file elsewhere or to one not there yet, and a
// folder removed between the command's check of --out and its write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, root, scalelab } from '../helpers/cli.js';
import { waitFor } from './common.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `scalelab-faults-odd-out-${name}-`));
const fit = (out: string) => ['fit', 'examples/chinchilla.csv', '--init', 'hoffmann', '--out', out, '--json'];
const isFit = (path: string) => JSON.parse(readFileSync(path, 'utf8')).scalelab?.kind === 'fit';

test('--out /dev/full: the write error in words, exit 1, one line', { skip: !existsSync('/dev/full') }, () => {
  const r = scalelab(['fit', 'examples/chinchilla.csv', '--init', 'hoffmann', '--out', '/dev/full']);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(
    r.stderr.trim(),
    'scalelab: error: cannot write /dev/full: the disk is full or the file too large (ENOSPC). Free some space there, or write it to another disk',
  );
  assert.ok(noStackTrace(r.stderr));
});

test('--out a symbolic link to a file elsewhere: that file is replaced whole, the link kept, no temporary file in either folder', () => {
  const dir = tmp('link');
  const elsewhere = join(dir, 'elsewhere');
  mkdirSync(elsewhere);
  const real = join(elsewhere, 'real.json');
  writeFileSync(real, 'the earlier file\n');
  const link = join(dir, 'link.json');
  symlinkSync(real, link);
  const r = scalelab(fit(link));
  assert.equal(r.code, 0, r.stderr);
  assert.ok(lstatSync(link).isSymbolicLink() && readlinkSync(link) === real, 'the link is kept');
  assert.ok(isFit(real), 'the file it points to holds the fit');
  assert.deepEqual(readdirSync(dir).sort(), ['elsewhere', 'link.json']);
  assert.deepEqual(readdirSync(elsewhere), ['real.json']);
});

test('--out a symbolic link to a file not there yet: the file is made where it points, the link kept; into a missing folder, refused before the work', () => {
  const dir = tmp('dangling');
  mkdirSync(join(dir, 'elsewhere'));
  const target = join(dir, 'elsewhere', 'later.json');
  const link = join(dir, 'link.json');
  symlinkSync(target, link);
  const r = scalelab(fit(link));
  assert.equal(r.code, 0, r.stderr);
  // Before: the fit was renamed over the link, which became a plain file.
  assert.ok(lstatSync(link).isSymbolicLink(), 'the link is kept');
  assert.ok(isFit(target), 'the file is made where the link points');

  const nowhere = join(dir, 'nowhere', 'x.json');
  const broken = join(dir, 'broken.json');
  symlinkSync(nowhere, broken);
  const refused = scalelab(fit(broken));
  assert.equal(refused.code, 2, refused.stderr);
  assert.equal(
    JSON.parse(refused.stdout).error.message,
    `--out ${broken}: is a symbolic link to ${nowhere}, whose folder ${join(dir, 'nowhere')} does not exist; expected a link into a folder that exists, or a plain file name`,
  );
  assert.ok(lstatSync(broken).isSymbolicLink() && !existsSync(join(dir, 'nowhere')), 'the link is as it was');
});

test('--out whose folder is removed while the command works: the write fails saying so, exit 1, and leaves nothing', async (t) => {
  const dir = tmp('gone');
  const folder = join(dir, 'new');
  const out = join(folder, 'fit.json');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', `${root}src/cli/run.ts`, 'fit', 'examples/chinchilla.csv', '--bootstrap', '2000', '--out', out],
    { cwd: root, env: { ...process.env, SCALELAB_DEBUG: '' } },
  );
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<number | null>((res) => child.on('close', res));
  // checkOutput makes the folder before the fit starts; it is removed while the fit runs.
  await waitFor('the folder to be made', () => existsSync(folder) || child.exitCode !== null);
  assert.equal(child.exitCode, null, stderr);
  rmdirSync(folder);
  assert.equal(await done, 1, stderr);
  assert.equal(
    stderr,
    `scalelab: error: cannot write ${out}: its folder ${folder} was removed while the command ran (ENOENT); nothing was written\n`,
  );
  assert.deepEqual(readdirSync(dir), [], 'no folder made again, no temporary file');
});

test('--out naming the run store or the command’s own input is refused before the work, exit 2, the file unchanged (review14)', () => {
  const dir = tmp('own-input');
  const db = join(dir, 'runs.db');
  assert.equal(scalelab(['runs', 'import', 'examples/chinchilla.csv', '--db', db]).code, 0);
  const store = readFileSync(db);
  const runsJson = join(dir, 'runs.json');
  writeFileSync(runsJson, JSON.stringify([{ N: 1e8, D: 2e9, loss: 3.2 }]));
  const input = readFileSync(runsJson);
  const lad = join(dir, 'lad');
  cpSync(join(root, 'examples/downstream/pythia'), lad, { recursive: true });
  const manifest = join(lad, 'ladder.json');
  const ladder = readFileSync(manifest);
  const cases: [string[], string][] = [
    [['runs', 'export', '--db', db, '--out', db], `--out ${db}: is the run store this command reads`],
    // Another name for the same file (a link) is the same file.
    [
      ['runs', 'export', '--db', db, '--out', link(db, join(dir, 'store.csv'))],
      `--out ${join(dir, 'store.csv')}: is the same file as ${db}, the run store this command reads`,
    ],
    // A store the command does not read is refused too: writing the fit there would lose its runs.
    [
      ['fit', 'examples/chinchilla.csv', '--out', db],
      `--out ${db}: is an SQLite database (a run store); writing there would replace every run it holds`,
    ],
    [['fit', runsJson, '--out', runsJson], `--out ${runsJson}: is the input this command reads`],
    [['downstream', 'fit', manifest, '--out', manifest], `--out ${manifest}: is the input this command reads`],
  ];
  for (const [args, said] of cases) {
    const r = scalelab(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.startsWith(`scalelab: error: ${said}`), r.stderr);
    assert.ok(r.stderr.trim().endsWith('expected another file name') && !r.stderr.trim().includes('\n'), r.stderr);
  }
  assert.ok(readFileSync(db).equals(store), 'the store is unchanged');
  assert.ok(readFileSync(runsJson).equals(input), 'the input is unchanged');
  assert.ok(readFileSync(manifest).equals(ladder), 'the manifest is unchanged');
  assert.equal(scalelab(['runs', 'ls', '--db', db, '--json']).json().length, 240, 'the store still lists its runs');
});

/** A symbolic link at `at` to `target`; returns `at`. */
function link(target: string, at: string): string {
  symlinkSync(target, at);
  return at;
}
