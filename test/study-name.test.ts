// One rule for a study's name, at the CLI's --study and the web API's routes: a blank name was stored by
// `runs import --study ''` and `study run --study ' '`, and the web app could not open it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, scalelab } from './helpers/cli.js';
import { studyNameSchema } from '../src/server/webApi.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-study-name-'));

test("an empty, blank, too long or control-character --study is refused at the flag with the web API's words, nothing stored", () => {
  const db = join(dir, 'runs.db');
  const commands = (name: string) => [
    ['runs', 'import', 'examples/chinchilla.csv', '--db', db, '--study', name],
    [
      'study',
      'run',
      '--backend',
      'sim',
      '--target-hours',
      '48',
      '--experiment-hours',
      '12',
      '--db',
      db,
      '--study',
      name,
    ],
    ['runs', 'ls', '--db', db, '--study', name, '--json'],
  ];
  for (const name of ['', ' ', '\t ', 'a\u0007b', 'x'.repeat(201)]) {
    const api = studyNameSchema.safeParse(name);
    assert.equal(api.success, false, JSON.stringify(name));
    const rule = api.error!.issues[0].message;
    for (const args of commands(name)) {
      const r = scalelab(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(
        r.stderr.includes(`scalelab: error: --study: ${rule}, got ${JSON.stringify(name)}`),
        `${args.slice(0, 2).join(' ')} ${JSON.stringify(name)}: ${r.stderr}`,
      );
      assert.ok(noStackTrace(r.stderr), r.stderr);
    }
  }
  assert.equal(existsSync(db), false, 'no store was made');
  // Names that work end to end stay accepted by both.
  for (const name of ['a/b', '..', 'x y', 'é', '%41', '?q=1#f', 'x'.repeat(200)]) {
    assert.equal(studyNameSchema.safeParse(name).success, true, name);
    const r = scalelab(['runs', 'import', 'examples/chinchilla.csv', '--db', db, '--study', name, '--json']);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
  }
});
