import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addBackendFlags, cliBackends } from './backendFlags.js';

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
