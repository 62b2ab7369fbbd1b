/**
 * Opening the run store for commands that read or change what is there (list, export, status,
 * retry, cancel): they never create a store where there was none, and a study they are given must
 * exist, so a misspelt --db or --study is an error rather than an empty answer.
 */
import { statSync } from 'node:fs';
import { MissingStoreError, RunStore } from '../store/store.js';
import { closestNames, levenshtein } from '../core/names.js';
import { UsageError } from '../errors/index.js';

/** A store to read from: listing or exporting never creates one where there was none. */
export function openExisting(path: string): RunStore {
  // An empty file is no store either: opening it would write a fresh one into it.
  const size = statSync(path, { throwIfNoEntry: false })?.size;
  if (size === undefined || size === 0)
    throw new MissingStoreError(
      path,
      `no run store here${size === 0 ? ' (an empty file)' : ''}: import runs ("scalelab runs import FILE") or run a sweep first, or give --db`,
    );
  return RunStore.open(path);
}

/** Refuses a study the store does not hold, naming the nearest and the studies it has. */
export function requireStudy(store: RunStore, study: string, path: string): void {
  const names = store.studies().map((s) => s.name);
  if (names.includes(study)) return;
  const near = closestNames(study, names, 1).filter(
    (n) => levenshtein(n.toLowerCase(), study.toLowerCase()) <= Math.max(1, study.length / 3),
  );
  const has = names.length
    ? `its studies: ${names.slice(0, 20).join(', ')}${names.length > 20 ? `, … (${names.length} in all)` : ''}`
    : 'it holds no study yet';
  throw new UsageError(`no study "${study}" in ${path} (${near.length ? `did you mean ${near[0]}? ` : ''}${has})`);
}

/**
 * Claim a study for one sweep (RunStore.claimStudy: a second at once would submit the same planned runs);
 * when another holds it, the store is closed and the refusal thrown.
 */
export function claimStudyOrClose(store: RunStore, study: string): { release: () => void } {
  try {
    return store.claimStudy(study);
  } catch (e) {
    store.close();
    throw e;
  }
}
