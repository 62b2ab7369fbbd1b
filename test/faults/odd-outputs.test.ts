// Fault injection, fourth pass ("nothing lost under faults"): --out aimed at odd targets. A device that
// refuses the write (/dev/full), a symbolic link to a file elsewhere or to one not there yet, and a
// folder removed between the command's check of --out and its write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
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
