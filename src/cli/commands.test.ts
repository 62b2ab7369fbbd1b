import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram } from './main.js';

function leaves(c: Command, path: string[] = []): { path: string[]; command: Command }[] {
  const subs = c.commands as Command[];
  if (subs.length === 0) return [{ path, command: c }];
  return subs.flatMap((s) => leaves(s, [...path, s.name()]));
}

test('every command has a description, --help and --json', async () => {
  const all = leaves(await buildProgram());
  assert.ok(all.length >= 30, `${all.length} commands`);
  for (const { path, command } of all) {
    assert.ok(command.description().length > 10, `${path.join(' ')} has a description`);
    assert.ok(
      command.options.some((o) => o.long === '--json'),
      `${path.join(' ')} has --json`,
    );
    // Its help names the command as typed and lists every option it takes, with what it does.
    const help = command.helpInformation();
    assert.ok(
      help.includes(`Usage: scalelab ${path.join(' ')} `),
      `${path.join(' ')}: help starts "Usage: scalelab ${path.join(' ')}"`,
    );
    assert.ok(
      help.includes(command.description().split('\n')[0].trim().slice(0, 40)),
      `${path.join(' ')}: help shows the description`,
    );
    for (const o of command.options.filter((x) => !x.hidden)) {
      assert.ok(help.includes(o.flags), `${path.join(' ')}: help lists ${o.flags}`);
      assert.ok(o.description.length > 3, `${path.join(' ')}: ${o.flags} says what it does`);
    }
  }
});
