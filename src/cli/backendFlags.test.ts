import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addBackendFlags, cliBackends, interruptedSweepNote, warnBudgetShort } from './backendFlags.js';
import { RunStore } from '../store/store.js';
import type { Backend } from '../experiments/backends/backend.js';

test('each backend the CLI offers lists only flags that sweep and study commands take, and is in --backend help', () => {
  // sweep run and study run wait for runs: the widest set of backend flags a command takes.
  const cmd = addBackendFlags(new Command('run'), { waitsForRuns: true });
  const longs = new Set(cmd.options.map((o) => o.long));
  const help = cmd.options.find((o) => o.long === '--backend')!.description;
  assert.ok(Object.keys(cliBackends).length >= 4);
  for (const [name, entry] of Object.entries(cliBackends)) {
    for (const flag of entry.flags) assert.ok(longs.has(flag), `${name}: ${flag} is not a backend flag`);
    assert.ok(help.includes(`${name} (${entry.help})`), `--backend help names ${name}`);
  }
  // Planning and cancelling never wait for runs, so they do not offer the wait for a backend out of reach.
  const plan = addBackendFlags(new Command('plan'));
  assert.ok(!plan.options.some((o) => o.long === '--unreachable-timeout'));
});

test("an interrupted sweep says where its runs in flight go on — or that the simulator's stopped with it", () => {
  assert.match(
    interruptedSweepNote(2, 's', 'local'),
    /^2 runs in flight go on \(each in its run folder\); the same command again collects their results/,
  );
  assert.match(interruptedSweepNote(1, 's', 'slurm'), /^1 run in flight goes on \(it as its Slurm job\)/);
  assert.match(interruptedSweepNote(3, 's', 'api'), /\(each at the training API\)/);
  // A run caught while being submitted is said as such (review: "goes on at the training API" for a run never sent).
  assert.match(
    interruptedSweepNote(3, 's', 'api', 1),
    /\(each at the training API; 1 of them was caught while being submitted: the next sweep looks it up and submits it only if the backend did not get it\)/,
  );
  assert.match(
    interruptedSweepNote(1, 's', 'api', 1),
    /^1 run in flight goes on \(it at the training API; it was caught while being submitted: the next sweep looks it up/,
  );
  const sim = interruptedSweepNote(2, 's', 'sim');
  assert.match(
    sim,
    /^2 runs in flight stopped with it \(the sim backend runs them in this process\); the same command again resumes study "s" and runs them again$/,
  );
  assert.doesNotMatch(sim, /go on|without training anything twice/);
  assert.equal(interruptedSweepNote(0, 's', 'sim'), 'no run was in flight; the same command again resumes study "s"');
  // Runs stored as queued that never reached Slurm (an sbatch with no answer) are not said to go on (walk18).
  const held = interruptedSweepNote(9, 's', 'slurm', 0, 9);
  assert.match(
    held,
    /^9 runs in flight had not reached Slurm .*no job runs them, kept as queued in the store; the same command again submits them/,
  );
  assert.doesNotMatch(held, /go on|as its Slurm job/);
  assert.match(
    interruptedSweepNote(12, 's', 'slurm', 0, 9),
    /^12 runs in flight: 3 go on \(each as its Slurm job\); 9 had not reached Slurm .*collects the results of those that go on, submits them/,
  );
});

test('a new study on a training API whose budget cannot hold its experiments is warned before its first run; not a resumed one, nor one that fits', async () => {
  const store = RunStore.open(join(mkdtempSync(join(tmpdir(), 'scalelab-budget-')), 'runs.db'));
  const api = (left: number | undefined): Backend =>
    ({ name: 'api', concurrency: 1, remainingSeconds: async () => left }) as unknown as Backend;
  const said: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((text: string) => (said.push(text), true)) as typeof process.stderr.write;
  try {
    await warnBudgetShort(api(108), 12 * 3600, store, 'new');
    await warnBudgetShort(api(13 * 3600), 12 * 3600, store, 'new');
    await warnBudgetShort(api(undefined), 12 * 3600, store, 'new');
    store.study('resumed');
    await warnBudgetShort(api(108), 12 * 3600, store, 'resumed');
  } finally {
    process.stderr.write = write;
    store.close();
  }
  assert.deepEqual(said, [
    'scalelab: warning: the training API has 0.03 h of its budget left (GET /budget), less than the 12 h of experiments planned: the runs beyond it will be refused (400 over budget); plan within it (--experiment-hours), or start a new lab ("scalelab lab serve --reset")\n',
  ]);
});
