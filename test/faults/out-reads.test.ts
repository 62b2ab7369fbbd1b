// --out and the files a command reads (review16): a world the plan is made for, the files a ladder
// manifest lists, a folder made only once --out is accepted, and "-" (which is no file name here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, scalelab } from '../helpers/cli.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `scalelab-out-reads-${name}-`));

/** The command is refused with exit 2 and one line that starts as `said`, and `file` is left as it was. */
function refusedKeeping(args: string[], file: string, said: string): void {
  const before = readFileSync(file);
  const r = scalelab(args);
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
