import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram } from './main.js';
import { commandFlagNamer, fitCommandFlag } from './optionFlags.js';

const find = (program: Command, path: string[]): Command => {
  let c = program;
  for (const name of path) {
    const next = c.commands.find((x) => x.name() === name);
    assert.ok(next, `command ${path.join(' ')}`);
    c = next;
  }
  return c;
};

test("commandFlagNamer: a command's own flag, else the flag with the command that has it", async () => {
  const program = await buildProgram();
  // report fits its runs but has no --init: the advice names fit's (the walk read 'option "init" grid').
  const report = commandFlagNamer(find(program, ['report']));
  assert.equal(report('init'), 'scalelab fit --init');
  assert.equal(report('columns'), '--columns');
  assert.equal(report('budgets'), '--budgets');
  const study = commandFlagNamer(find(program, ['study', 'run']));
  assert.equal(study('init'), 'scalelab fit --init');
  assert.equal(study('bootstrap'), '--bootstrap');
  const plan = commandFlagNamer(find(program, ['plan']));
  assert.equal(plan('fit'), '--fit');
  assert.equal(plan('bootstrap'), 'scalelab fit --bootstrap');
  // Every option a fit's warnings advise is a flag of fit itself (what the fallback names).
  const fitCommand = find(program, ['fit']);
  for (const option of ['init', 'columns', 'groups', 'lineage'])
    assert.equal(commandFlagNamer(fitCommand)(option), fitCommandFlag(option).replace('scalelab fit ', ''));
});
