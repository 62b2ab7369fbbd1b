/**
 * Which run store a command uses when --db is not given: the one in this folder, else one in a parent
 * folder (as git finds `.git`), so that a command run from a subfolder of a project uses the project's
 * store instead of starting a second one there. A store found above is said on stderr.
 */
import type { Command } from 'commander';
import { realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors/index.js';

/** Backends whose runs live in folders relative to where the sweep runs (--runs-dir), with commands run from there. */
const folderBackends = ['local', 'slurm'];

/**
 * Folders the walk does not enter from below, as git's GIT_CEILING_DIRECTORIES: the user's home (a stray
 * ~/.scalelab/runs.db would otherwise be every project's store; it is used only from home itself), the
 * filesystem root, and the absolute paths in SCALELAB_CEILING_DIRECTORIES (colon-separated).
 */
function storeCeilings(home: string, fromEnvironment: string | undefined): string[] {
  const listed = (fromEnvironment ?? '').split(':').filter((p) => isAbsolute(p));
  // As written and as the system resolves it: the working folder is a real path, a home may be a link.
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return [home, ...listed].filter(Boolean).flatMap((p) => [resolve(p), real(p)]);
}

/** Where the walk for a store stops (storeAbove); each defaults to this process's. */
interface StoreWalk {
  /** Folders not entered from below (storeCeilings). */
  ceilings?: readonly string[];
  /** The device a folder is on: the walk does not cross onto another filesystem, as git does not. */
  deviceOf?: (dir: string) => number | bigint | undefined;
}

/**
 * The store `storePath` (the --db default, relative) names from `cwd` or the nearest folder above it: undefined
 * when it is in `cwd`, or when `cwd` has the store's folder (`.scalelab/`, a project of its own), or none is
 * found before the walk stops: at a ceiling (home, the root, SCALELAB_CEILING_DIRECTORIES), which is not
 * searched unless it is `cwd`, or at the edge of `cwd`'s filesystem.
 */
export function storeAbove(storePath: string, cwd: string, walk: StoreWalk = {}): string | undefined {
  return walkForStore(storePath, cwd, walk).found;
}

/**
 * The walk of storeAbove, and a store in the ceiling folder where it stopped (home, or one of
 * SCALELAB_CEILING_DIRECTORIES): not used, but said, so that a project kept in home itself is not left
 * for a second store without a word.
 */
function walkForStore(storePath: string, cwd: string, walk: StoreWalk): { found?: string; pastCeiling?: string } {
  if (isAbsolute(storePath)) return {};
  const stat = (p: string) => statSync(p, { throwIfNoEntry: false });
  const isStore = (p: string) => {
    const file = stat(p);
    return !!file?.isFile() && file.size > 0;
  };
  const ceilings = new Set(walk.ceilings ?? storeCeilings(homedir(), process.env.SCALELAB_CEILING_DIRECTORIES));
  const deviceOf = walk.deviceOf ?? ((dir: string) => stat(dir)?.dev);
  for (let dir = resolve(cwd); ;) {
    const path = join(dir, storePath);
    const file = stat(path);
    if (isStore(path)) return dir === resolve(cwd) ? {} : { found: path };
    // A folder with its own .scalelab/ (runs, a lab's state) keeps its store here, as before.
    if (file || stat(dirname(path))?.isDirectory()) return {};
    const parent = dirname(dir);
    // The root is a ceiling too: / (or C:\) is no one's project.
    if (parent === dir || dirname(parent) === parent) return {};
    if (ceilings.has(parent)) {
      const there = join(parent, storePath);
      return isStore(there) ? { pastCeiling: there } : {};
    }
    const here = deviceOf(dir);
    if (here === undefined || deviceOf(parent) !== here) return {};
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
  const { found, pastCeiling } = walkForStore(given, process.cwd(), {});
  if (pastCeiling !== undefined)
    process.stderr.write(
      `scalelab: note: not using the run store ${pastCeiling}: the search for a store does not enter your home folder (or one in SCALELAB_CEILING_DIRECTORIES) from below; give --db ${pastCeiling} to use it\n`,
    );
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
