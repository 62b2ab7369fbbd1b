import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeAbove } from './storeLocation.js';
import { scalelabProcess } from '../../test/helpers/cli.js';

const store = '.scalelab/runs.db';

/** proj/.scalelab/runs.db (a file with bytes: an empty one is no store) and proj/sub/deeper. */
function project(): string {
  const proj = mkdtempSync(join(tmpdir(), 'scalelab-store-above-'));
  mkdirSync(join(proj, 'sub', 'deeper'), { recursive: true });
  return proj;
}

test('storeAbove finds the nearest parent folder with a store; none when here, when this folder has its own .scalelab/, or when there is none', () => {
  const proj = project();
  assert.equal(storeAbove(store, join(proj, 'sub', 'deeper')), undefined, 'no store anywhere yet');
  mkdirSync(join(proj, '.scalelab'));
  writeFileSync(join(proj, store), 'SQLite format 3\0');
  assert.equal(storeAbove(store, join(proj, 'sub', 'deeper')), join(proj, store));
  assert.equal(storeAbove(store, join(proj, 'sub')), join(proj, store));
  assert.equal(storeAbove(store, proj), undefined, 'the store is here');
  assert.equal(storeAbove(join(proj, store), join(proj, 'sub')), undefined, 'an absolute path is used as given');
  // A subfolder that is a project of its own (its .scalelab/ holds runs, or a lab's state) keeps its own store.
  mkdirSync(join(proj, 'sub', '.scalelab'));
  assert.equal(storeAbove(store, join(proj, 'sub', 'deeper')), undefined);
});

test("from a subfolder, runs import and runs ls use the project's store (said on stderr) and make no second one; a local sweep there is refused", () => {
  const proj = project();
  const sub = join(proj, 'sub');
  const csv = join(process.cwd(), 'examples/chinchilla.csv');
  const first = scalelabProcess(['runs', 'import', csv, '--study', 'a', '--db', join(proj, store)]);
  assert.equal(first.code, 0, first.stderr);
  const imported = scalelabProcess(['runs', 'import', csv, '--study', 'b'], { cwd: sub });
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(
    imported.stderr,
    /^scalelab: note: using the run store \.\.\/\.scalelab\/runs\.db \(of .*; --db to use another\)$/m,
  );
  assert.ok(!existsSync(join(sub, '.scalelab')), 'no second store in the subfolder');
  const ls = scalelabProcess(['runs', 'ls', '--studies', '--json'], { cwd: join(sub, 'deeper') });
  assert.equal(ls.code, 0, ls.stderr);
  assert.deepEqual(
    ls.json().map((s: { name: string }) => s.name),
    ['a', 'b'],
  );
  const sweep = scalelabProcess(['study', 'run', '--backend', 'local', '--command', 'true {run_dir}'], { cwd: sub });
  assert.equal(sweep.code, 2, sweep.stderr);
  assert.match(
    sweep.stderr,
    /a local sweep keeps its run folders .* start it from .*, or give --db \.scalelab\/runs\.db to start a separate store here/,
  );
  assert.ok(!existsSync(join(sub, '.scalelab')));
});
