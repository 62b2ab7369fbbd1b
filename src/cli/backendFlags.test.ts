import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addBackendFlags, cliBackends, interruptedSweepNote } from './backendFlags.js';

test('each backend the CLI offers lists only flags that sweep and study commands take, and is in --backend help', () => {
  const cmd = addBackendFlags(new Command('run'));
  const longs = new Set(cmd.options.map((o) => o.long));
  const help = cmd.options.find((o) => o.long === '--backend')!.description;
  assert.ok(Object.keys(cliBackends).length >= 4);
  for (const [name, entry] of Object.entries(cliBackends)) {
    for (const flag of entry.flags) assert.ok(longs.has(flag), `${name}: ${flag} is not a backend flag`);
    assert.ok(help.includes(`${name} (${entry.help})`), `--backend help names ${name}`);
  }
});

test("an interrupted sweep says where its runs in flight go on — or that the simulator's stopped with it", () => {
  assert.match(
    interruptedSweepNote(2, 's', 'local'),
    /^2 runs in flight go on \(each in its run folder\); the same command again collects their results/,
  );
  assert.match(interruptedSweepNote(1, 's', 'slurm'), /^1 run in flight goes on \(it as its Slurm job\)/);
  assert.match(interruptedSweepNote(3, 's', 'api'), /\(each at the training API\)/);
  const sim = interruptedSweepNote(2, 's', 'sim');
  assert.match(
    sim,
    /^2 runs in flight stopped with it \(the sim backend runs them in this process\); the same command again resumes study "s" and runs them again$/,
  );
  assert.doesNotMatch(sim, /go on|without training anything twice/);
  assert.equal(interruptedSweepNote(0, 's', 'sim'), 'no run was in flight; the same command again resumes study "s"');
});
