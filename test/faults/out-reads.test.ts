// --out and the files a command reads (review16): a world the plan is made for, the files a ladder
// manifest lists, a folder made only once --out is accepted, and "-" (which is no file name here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, scalelab, type CliOptions } from '../helpers/cli.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `scalelab-out-reads-${name}-`));

/** The command is refused with exit 2 and one line that starts as `said`, and `file` is left as it was. */
function refusedKeeping(args: string[], file: string, said: string, options: CliOptions = {}): void {
  const before = readFileSync(file);
  const r = scalelab(args, options);
  assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  assert.ok(r.stderr.startsWith(`scalelab: error: ${said}`), r.stderr);
  assert.ok(!r.stderr.trim().includes('\n'), r.stderr);
  assert.ok(readFileSync(file).equals(before), `${file} is unchanged`);
}

test('sweep plan and study run: --out naming the --world they read is refused, the world unchanged', () => {
  const dir = tmp('world');
  const world = join(dir, 'world.json');
  copyFileSync(join(root, 'worlds/default.json'), world);
  refusedKeeping(
    ['sweep', 'plan', '--target-hours', '48', '--experiment-hours', '12', '--world', world, '--out', world],
    world,
    `--out ${world}: is the input this command reads`,
  );
  // The report is Markdown: a world saved without an ending is a name study run would write to.
  const bare = join(dir, 'world');
  copyFileSync(world, bare);
  refusedKeeping(
    ['study', 'run', '--world', bare, '--db', join(dir, 'runs.db'), '--out', bare],
    bare,
    `--out ${bare}: is the input this command reads`,
  );
});

test('downstream analyses and report --downstream: --out naming a file the ladder manifest lists is refused, the file unchanged', () => {
  const dir = tmp('manifest');
  const lm = join(dir, 'lm');
  mkdirSync(lm);
  const results = join(root, 'test/fixtures/downstream/lm-eval-pythia-160m-step143000.json');
  for (const r of ['r1', 'r2', 'r3']) copyFileSync(results, join(lm, `${r}.json`));
  const manifest = join(lm, 'm.json');
  const runs = ['r1', 'r2', 'r3'].map((r, i) => ({
    file: `${r}.json`,
    run: r,
    N: 1.6e8 * 2 ** i,
    batchTokens: 2097152,
  }));
  writeFileSync(manifest, JSON.stringify({ runs }));
  const listed = join(lm, 'r2.json');
  const said = `--out ${listed}: is the same file as lm/r2.json, the input this command reads`;
  refusedKeeping(['downstream', 'screen', 'lm/m.json', '--out', listed], listed, said, { cwd: dir });
  // Through the manifest named from another folder: the listed file's name is relative to the manifest.
  refusedKeeping(
    ['downstream', 'fit', manifest, '--out', 'r2.json'],
    listed,
    `--out r2.json: is the same file as ${listed}, the input this command reads`,
    { cwd: lm },
  );
  const page = join(lm, 'page.html');
  copyFileSync(listed, page);
  writeFileSync(
    manifest,
    JSON.stringify({ runs: [...runs, { file: 'page.html', run: 'r4', N: 1.3e9, batchTokens: 2097152 }] }),
  );
  refusedKeeping(
    ['report', 'examples/chinchilla.csv', '--downstream', `${manifest}, ${results}`, '--out', page],
    page,
    `--out ${page}: is the input this command reads`,
  );
});

test('--out refused as the input it names, through a folder not there yet: refused before that folder is made', () => {
  const dir = tmp('folder');
  const runsJson = join(dir, 'runs.json');
  writeFileSync(runsJson, JSON.stringify([{ N: 1e8, D: 2e9, loss: 3.2 }]));
  // new/../runs.json is runs.json once new is made: it is refused, and new is not made.
  refusedKeeping(
    ['fit', 'runs.json', '--out', 'new/../runs.json'],
    runsJson,
    '--out new/../runs.json: is the same file as runs.json, the input this command reads',
    { cwd: dir },
  );
  assert.ok(!existsSync(join(dir, 'new')), 'no folder made for a refused --out');
  // A refused ending makes no folder either.
  const r = scalelab(['fit', 'examples/chinchilla.csv', '--out', join(dir, 'later', 'fit.csv')]);
  assert.equal(r.code, 2, r.stderr);
  assert.ok(!existsSync(join(dir, 'later')), 'no folder made for a refused --out');
});

test('--out - is refused in one line saying to leave --out off to print; no file named "-" is made', () => {
  const dir = tmp('dash');
  for (const args of [
    ['fit', join(root, 'examples/chinchilla.csv'), '--out', '-'],
    ['sweep', 'plan', '--target-hours', '48', '--experiment-hours', '12', '--out', '-'],
  ]) {
    const r = scalelab(args, { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^scalelab: error: --out -: .*leave --out off/);
    assert.ok(!r.stderr.trim().includes('\n'), r.stderr);
    assert.ok(!existsSync(join(dir, '-')), 'no file named "-"');
  }
  // A page printed nowhere else: leaving --out off would not print it, and the message does not say so.
  const r = scalelab(['downstream', 'report', join(root, 'examples/downstream/pythia/ladder.json'), '--out', '-'], {
    cwd: dir,
  });
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /^scalelab: error: --out -: expected a file name, not "-" .*the report is written to a file only\n$/,
  );
  assert.ok(!existsSync(join(dir, '-')), 'no file named "-"');
});
