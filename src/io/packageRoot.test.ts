import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packagePath, packageRoot } from './packageRoot.js';

test('packageRoot is the folder of scalelab’s package.json, and the files the commands read are there', () => {
  const root = packageRoot();
  assert.equal((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string }).name, 'scalelab');
  for (const file of [
    ['worlds', 'default.json'],
    ['examples', 'published-models.csv'],
    ['bin', 'run-wrapper.mjs'],
    ['examples', 'benchmark'],
  ])
    assert.ok(existsSync(packagePath(...file)), file.join('/'));
});

// The CLI runs bundled (dist/bundle/, scripts/bundle-cli.mjs), where every module shares the bundle's
// URL: a path built relative to a module's own import.meta.url would point outside the package.
test('no module finds a package file relative to its own URL (it would break in the bundled CLI)', () => {
  const src = join(packageRoot(), 'src');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? files(join(dir, e.name))
        : /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)
          ? [join(dir, e.name)]
          : [],
    );
  const allowed = new Set([
    'src/io/packageRoot.ts', // walks up from itself to package.json
    'src/node/parallel.ts', // from sources only (tsx), its own .ts neighbour
    'src/cli/output.ts', // createRequire: package resolution walks up to node_modules from anywhere
  ]);
  const code = (f: string) =>
    readFileSync(join(packageRoot(), f), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
  const found = files(src)
    .map((f) => relative(packageRoot(), f))
    .filter((f) => !allowed.has(f) && /import\.meta\.(url|dirname|filename)/.test(code(f)));
  assert.deepEqual(found, [], 'use packagePath() from src/io/packageRoot.ts');
});
