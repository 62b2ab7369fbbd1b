import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { buildProgram } from './main.js';
import { flagProblems, flagUses, flagsMarkdown, sharedFlagRows } from './flagTable.js';
import { deprecatedAlias, flag } from './flags.js';
import { flagsDocPath } from '../../scripts/flags-table.js';

test('each flag name means one thing in every command, with one default unless a reason is written down', async () => {
  const uses = flagUses(await buildProgram());
  assert.ok(uses.length > 300, `${uses.length} flags found`);
  assert.deepEqual(flagProblems(uses), []);
  // The clashes issue 18 found are gone: each of these names has one meaning.
  const rows = new Map(sharedFlagRows(uses).map((r) => [r.long, r]));
  for (const name of ['--budgets', '--tolerance', '--gpu', '--targets', '--params'])
    assert.ok(rows.has(name), `${name} is shared`);
  assert.equal(new Set(rows.get('--gpu')!.uses.map((u) => u.defaultValue)).size, 1, 'one default GPU');
  assert.deepEqual(
    [...new Set(uses.filter((u) => u.long === '--loss').map((u) => u.command))],
    ['fit'],
    "--loss is only the fit's loss function",
  );
});

test('--unreachable-timeout is a flag of the commands that wait for runs only (sweep plan and cancel never used it)', async () => {
  const uses = flagUses(await buildProgram());
  assert.deepEqual(
    uses
      .filter((u) => u.long === '--unreachable-timeout')
      .map((u) => u.command)
      .sort(),
    ['study run', 'sweep run'],
  );
  // The backend flags the four commands share are still on all four.
  assert.deepEqual(
    uses
      .filter((u) => u.long === '--call-timeout')
      .map((u) => u.command)
      .sort(),
    ['study run', 'sweep cancel', 'sweep plan', 'sweep run'],
  );
});

test("curves --law says it picks a form, of which m4 is not a law (before: 'law form; … or m4')", async () => {
  const uses = flagUses(await buildProgram());
  const law = uses.find((u) => u.command === 'curves' && u.long === '--law')!;
  assert.match(law.description, /^the form to fit or use; power \(E \+ A·x\^\(−α\)\), bnsl \(.*\) or m4: /);
  assert.doesNotMatch(law.description, /law form/);
});

test('the check finds a flag name given a second meaning, and a second default', () => {
  const program = new Command('scalelab');
  program
    .command('a')
    .addOption(flag('seed', { default: '0' }))
    .addOption(flag('gpu', { default: 'h100' }));
  program
    .command('b')
    .option('--seed <seed>', 'how many seeds to average')
    .addOption(flag('gpu', { default: 'b200' }));
  const problems = flagProblems(flagUses(program));
  assert.ok(
    problems.some((p) => p.startsWith('b --seed: "how many seeds to average" does not start with its shared meaning')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.startsWith('--seed means 2 things')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.startsWith('--gpu has 2 defaults')),
    problems.join('\n'),
  );
});

test('docs/flags.md is the table the program gives (node --import tsx scripts/flags-table.ts writes it)', async () => {
  const doc = readFileSync(flagsDocPath, 'utf8');
  assert.equal(
    doc,
    flagsMarkdown(await buildProgram()),
    'docs/flags.md is out of date: run node --import tsx scripts/flags-table.ts',
  );
  assert.match(doc, /\| `--tolerance` \| runs within this many decades/);
  assert.match(doc, /\| `bcrit` \| `--loss` \| `--target-loss` \|/);
});

test('a deprecated spelling still works, says so on stderr only, and cannot be given with the new one', async () => {
  const run = async (args: string[]) => {
    const cmd = new Command('x').exitOverride();
    let seen: unknown;
    cmd.addOption(flag('target-loss')).action((f) => (seen = f.targetLoss));
    deprecatedAlias(cmd, '--loss <loss>', '--target-loss');
    const writes: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => (writes.push(s), true)) as typeof process.stderr.write;
    try {
      await cmd.parseAsync(args, { from: 'user' });
    } finally {
      process.stderr.write = write;
    }
    return { seen, stderr: writes.join('') };
  };
  const old = await run(['--loss', '2.5']);
  assert.equal(old.seen, '2.5');
  assert.match(old.stderr, /--loss is deprecated .*use --target-loss/);
  const now = await run(['--target-loss', '2.5']);
  assert.equal(now.stderr, '');
  await assert.rejects(
    run(['--loss', '2', '--target-loss', '3']),
    /give --target-loss \(or its deprecated spelling --loss\), not both/,
  );
  assert.ok(!new Command('y').addOption(flag('json')).helpInformation().includes('deprecated'));
});
