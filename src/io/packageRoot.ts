/**
 * Where this package's own files are (examples/, worlds/, bin/, web/dist, dist/node): the folder of
 * its package.json, found by walking up from this module. The same answer from src/ (tests, tsx), from
 * dist/ and from the bundled CLI (dist/bundle/), whose modules sit at other depths — a path written
 * relative to a module's own URL (`new URL('../../worlds', import.meta.url)`) does not survive bundling.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

function isThisPackage(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'scalelab';
  } catch {
    return false;
  }
}

/** The package's root folder. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  const here = fileURLToPath(import.meta.url);
  for (let dir = dirname(here); ;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isThisPackage(manifest)) return (root = dir);
    const up = dirname(dir);
    // Inside someone else's bundle there is no package.json of ours above: never throw at import time,
    // answer as an unbundled dist/ or src/ module would (two folders up).
    if (up === dir) return (root = fileURLToPath(new URL('../../', import.meta.url)));
    dir = up;
  }
}

/** A path inside the package, e.g. packagePath('worlds', 'default.json'). */
export function packagePath(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}
