/**
 * Which run store a command uses when --db is not given: the one in this folder, else one in a parent
 * folder (as git finds `.git`), so that a command run from a subfolder of a project uses the project's
 * store instead of starting a second one there. A store found above is said on stderr.
 */
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors/index.js';

/** Backends whose runs live in folders relative to where the sweep runs (--runs-dir), with commands run from there. */
const folderBackends = ['local', 'slurm'];

/**
 * The store `storePath` (the --db default, relative) names from `cwd` or the nearest folder above it: undefined
 * when it is in `cwd`, or when `cwd` has the store's folder (`.scalelab/`, a project of its own), or none is
 * found up to the root.
 */
export function storeAbove(storePath: string, cwd: string): string | undefined {
  if (isAbsolute(storePath)) return undefined;
  const stat = (p: string) => statSync(p, { throwIfNoEntry: false });
  for (let dir = resolve(cwd); ;) {
    const path = join(dir, storePath);
    const file = stat(path);
    if (file?.isFile() && file.size > 0) return dir === resolve(cwd) ? undefined : path;
    // A folder with its own .scalelab/ (runs, a lab's state) keeps its store here, as before.
    if (file || stat(dirname(path))?.isDirectory()) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Before a command with a default --db runs: a store found in a parent folder is used (said on stderr).
 * A local or Slurm sweep is refused there instead: its run folders (--runs-dir) and the commands it
 * runs are relative to this folder, so a later sweep from the store's own folder would not find them.
 * @throws UsageError
 */
export function useStoreAbove(cmd: Command): void {
  const option = cmd.options.find((o) => o.long === '--db');
  if (!option || cmd.getOptionValueSource(option.attributeName()) !== 'default') return;
  const given = cmd.getOptionValue(option.attributeName()) as string;
  const found = storeAbove(given, process.cwd());
  if (found === undefined) return;
  const shown = relative(process.cwd(), found);
  const folder = dirname(dirname(found));
  const backend = cmd.options.some((o) => o.long === '--backend')
    ? (cmd.getOptionValue('backend') as string | undefined)
    : undefined;
  if (backend !== undefined && folderBackends.includes(backend))
    throw new UsageError(
      `this folder has no run store, and ${folder} has one (${shown}); a ${backend} sweep keeps its run folders and runs its commands relative to the folder it is started from: start it from ${folder}, or give --db ${given} to start a separate store here`,
    );
  cmd.setOptionValueWithSource(option.attributeName(), shown, 'default');
  process.stderr.write(`scalelab: note: using the run store ${shown} (of ${folder}; --db to use another)\n`);
}
