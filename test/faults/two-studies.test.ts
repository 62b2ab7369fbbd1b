// Fault injection, ninth pass: two `study run` processes on one study at once. The second is refused,
// naming the first, and starts no trainer (a guard: study run claims its study as sweep run does, through
// one helper); the first, killed, leaves its claim, which the next study run takes over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnCli as cli, waitFor, waitingSweep } from './common.js';

test('a second study run on a study another study run is running is refused, naming it, and trains nothing (a guard)', async (t) => {
  // The waiting trainer of the sweep set-up: each run waits for a "go" file in its folder.
  const { db, log, args, runDirs } = waitingSweep('two-studies', { runs: 1, concurrency: 1 });
  const command = args[args.indexOf('--command') + 1];
  const runsDir = args[args.indexOf('--runs-dir') + 1];
  const study = ['study', 'run', '--study', 's', '--db', db, '--backend', 'local', '--command', command]
    .concat(['--runs-dir', runsDir, '--concurrency', '1', '--poll', '0.05', '--bootstrap', '0'])
    .concat(['--target-hours', '48', '--experiment-hours', '12']);
  const first = cli(study);
  t.after(() => {
    first.child.kill('SIGKILL');
    for (const d of runDirs()) writeFileSync(join(d, 'go'), '');
  });
  await waitFor('the first study to start a trainer', () => runDirs().some((d) => existsSync(join(d, 'pids.json'))));
  const started = () => readFileSync(log, 'utf8').trim().split('\n').length;
  const before = started();
  const second = cli(study);
  t.after(() => second.child.kill('SIGKILL'));
  const refused = await second.done;
  assert.equal(refused.code, 1, second.out.stderr);
  assert.match(
    second.out.stderr,
    new RegExp(
      `^scalelab: error: ${db}: study "s" is being run by another sweep: pid ${first.child.pid} \\("scalelab study run --study s`,
    ),
  );
  assert.equal(started(), before, 'the second study started no trainer');
  assert.equal(first.child.exitCode, null, 'the first study runs on');
});
