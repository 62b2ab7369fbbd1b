// bin/scalelab.js runs the bundle (dist/bundle/main.js) only when it is not older than the unbundled
// build (dist/cli/main.js): after a `tsc`-only rebuild the bundle would run stale code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const binSource = fileURLToPath(new URL('../bin/scalelab.js', import.meta.url));

/** A package folder with bin/scalelab.js and fake builds whose main() prints which build ran. */
function fakePackage(builds: { bundle?: number; cli?: number }): { dir: string; run: () => string } {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-bin-'));
  mkdirSync(join(dir, 'bin'));
  copyFileSync(binSource, join(dir, 'bin', 'scalelab.js'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  for (const [name, folder] of [
    ['bundle', 'dist/bundle'],
    ['cli', 'dist/cli'],
  ] as const) {
    const mtime = builds[name];
    if (mtime === undefined) continue;
    mkdirSync(join(dir, folder), { recursive: true });
    const file = join(dir, folder, 'main.js');
    writeFileSync(file, `export function main() { process.stdout.write(${JSON.stringify(name)}); }\n`);
    utimesSync(file, mtime, mtime);
  }
  const run = () =>
    execFileSync(process.execPath, [join(dir, 'bin', 'scalelab.js')], { encoding: 'utf8', stdio: 'pipe' });
  return { dir, run };
}

const t0 = 1_700_000_000;

test('bin runs the bundle when it is newer than dist/cli', () => {
  const { dir, run } = fakePackage({ bundle: t0 + 10, cli: t0 });
  try {
    assert.equal(run(), 'bundle');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bin runs the bundle when it has the same time as dist/cli', () => {
  const { dir, run } = fakePackage({ bundle: t0, cli: t0 });
  try {
    assert.equal(run(), 'bundle');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bin runs dist/cli, silently, when the bundle is older (a tsc-only rebuild)', () => {
  const { dir } = fakePackage({ bundle: t0, cli: t0 + 10 });
  try {
    const out = execFileSync(process.execPath, [join(dir, 'bin', 'scalelab.js')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.equal(out, 'cli');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bin runs the bundle when there is no dist/cli, and dist/cli when there is no bundle', () => {
  for (const [builds, expected] of [
    [{ bundle: t0 }, 'bundle'],
    [{ cli: t0 }, 'cli'],
  ] as const) {
    const { dir, run } = fakePackage(builds);
    try {
      assert.equal(run(), expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('bin says how to build when there is neither build', () => {
  const { dir, run } = fakePackage({});
  try {
    assert.throws(run, (error: { status?: number; stderr?: string }) => {
      assert.equal(error.status, 1);
      assert.match(String(error.stderr), /not built yet.*npm run build/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
