/**
 * A doc comment belongs to the declaration right below it (editors and TypeDoc show it there). One left
 * above another doc comment was stranded when code moved, and documents the wrong thing: claimStudy's
 * sat above studyHasSweep, loadFit's above trainingRunsOf.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx|mts)$/.test(name) ? [path] : [];
  });
}

test('no doc comment is stranded directly above another (so each documents the declaration below it)', () => {
  const stranded: string[] = [];
  for (const file of ['src', 'web/src', 'test', 'bench', 'scripts'].flatMap((d) => sources(join(root, d)))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\*\/\n[ \t]*\/\*\*/g))
      stranded.push(`${relative(root, file)}:${text.slice(0, m.index).split('\n').length}`);
  }
  assert.deepEqual(stranded, []);
});
