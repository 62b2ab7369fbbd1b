import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
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

test('the walk for a store stops at a ceiling (home, SCALELAB_CEILING_DIRECTORIES), which is searched only from itself, and at the edge of a filesystem', () => {
  const proj = project();
  mkdirSync(join(proj, '.scalelab'));
  writeFileSync(join(proj, store), 'SQLite format 3\0');
  const deeper = join(proj, 'sub', 'deeper');
  // proj as home: its store is not every folder's below it, and is the store of home itself.
  assert.equal(storeAbove(store, deeper, { ceilings: [proj] }), undefined, 'home is not entered from below');
  assert.equal(storeAbove(store, proj, { ceilings: [proj] }), undefined, 'in home, the store is here');
  // A ceiling between: sub is not searched from deeper, so the walk never reaches proj.
  assert.equal(storeAbove(store, deeper, { ceilings: [join(proj, 'sub')] }), undefined);
  assert.equal(storeAbove(store, deeper, { ceilings: [join(proj, 'other')] }), join(proj, store));
  // sub/deeper on a filesystem of its own (a mount): the walk stops there.
  const mounted = (dir: string) => (dir.startsWith(deeper) ? 2 : 1);
  assert.equal(storeAbove(store, deeper, { ceilings: [], deviceOf: mounted }), undefined);
  assert.equal(storeAbove(store, deeper, { ceilings: [], deviceOf: () => 1 }), join(proj, store));
});

test('a stray ~/.scalelab store is not used by a project below home; SCALELAB_CEILING_DIRECTORIES adds ceilings', () => {
  const home = project();
  const csv = join(process.cwd(), 'examples/chinchilla.csv');
  const first = scalelabProcess(['runs', 'import', csv, '--study', 'stray', '--db', join(home, store)]);
  assert.equal(first.code, 0, first.stderr);
  const below = scalelabProcess(['runs', 'ls', '--studies', '--json'], { cwd: join(home, 'sub'), env: { HOME: home } });
  assert.equal(below.code, 2, below.stdout);
  assert.doesNotMatch(below.stderr, /note: using the run store/);
  // Not used, but said, with the flag that uses it (a project kept in home itself).
  assert.match(
    below.stderr,
    new RegExp(
      `note: not using the run store ${join(home, store).replace(/[.]/g, '\\.')}: .* give --db ${join(home, store).replace(/[.]/g, '\\.')} to use it`,
    ),
  );
  const inHome = scalelabProcess(['runs', 'ls', '--studies', '--json'], { cwd: home, env: { HOME: home } });
  assert.equal(inHome.code, 0, inHome.stderr);
  assert.deepEqual(
    inHome.json().map((s: { name: string }) => s.name),
    ['stray'],
  );
  // A home given through a link (HOME=/link, the folder's real path elsewhere) is the same ceiling.
  const link = join(mkdtempSync(join(tmpdir(), 'scalelab-home-link-')), 'home');
  symlinkSync(home, link);
  const linked = scalelabProcess(['runs', 'ls', '--studies', '--json'], {
    cwd: join(home, 'sub'),
    env: { HOME: link },
  });
  assert.equal(linked.code, 2, linked.stdout);
  assert.doesNotMatch(linked.stderr, /note: using the run store/);
  const ceiling = scalelabProcess(['runs', 'ls', '--studies', '--json'], {
    cwd: join(home, 'sub', 'deeper'),
    env: { HOME: '/nonexistent-home', SCALELAB_CEILING_DIRECTORIES: `relative:${join(home, 'sub')}` },
  });
  assert.equal(ceiling.code, 2, ceiling.stdout);
  assert.doesNotMatch(ceiling.stderr, /note: using the run store/);
  const none = scalelabProcess(['runs', 'ls', '--studies', '--json'], {
    cwd: join(home, 'sub', 'deeper'),
    env: { HOME: '/nonexistent-home' },
  });
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stderr, /using the run store \.\.\/\.\.\/\.scalelab\/runs\.db/);
});
