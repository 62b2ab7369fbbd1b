/**
 * Opening the run store for commands that read or change what is there (list, export, status,
 * retry, cancel): they never create a store where there was none, and a study they are given must
 * exist, so a misspelt --db or --study is an error rather than an empty answer.
 */
import { MissingStoreError, storeErrorFrom } from '../store/errors.js';
import { RunStore } from '../store/store.js';
import { storeFileStat } from '../store/storeFile.js';
import { describeWriter, type WaitOptions } from '../store/writers.js';
import { closestNames, levenshtein } from '../core/names.js';
import { isScaleLabError, ScaleLabError, UsageError, type Location } from '../errors/index.js';

/**
 * Open (or create) the store, saying on stderr when this opening upgraded an older store's schema:
 * from which version, and where the copy of it as it was is kept (an older ScaleLab cannot open the
 * upgraded store). One that had it open before keeps its connection and goes on writing as it did:
 * the store moves its left-out marks to their column as they are written, but nothing else it writes
 * is checked, so the note says to stop such sweeps and studies and resume them with this version.
 */
export function openStore(path: string): RunStore {
  const store = RunStore.open(path);
  const u = store.upgraded;
  if (u)
    process.stderr.write(
      `scalelab: note: upgraded the run store ${path} from schema version ${u.from} to ${u.to} (in one transaction); the store as it was is kept at ${u.backup}, for a ScaleLab older than this one, which cannot open the upgraded store; stop any sweep or study an older ScaleLab is still running on this store (it had the store open before the upgrade and goes on writing to it) and resume it with this version; remove that copy once you do not need it\n`,
    );
  return store;
}

/** A store to read from: listing or exporting never creates one where there was none. */
export function openExisting(path: string): RunStore {
  // An empty file is no store either: opening it would write a fresh one into it.
  const size = storeFileStat(path)?.size;
  if (size === undefined || size === 0)
    throw new MissingStoreError(
      path,
      `no run store here${size === 0 ? ' (an empty file)' : ''}: import runs ("scalelab runs import FILE") or run a sweep first, or give --db`,
    );
  return openStore(path);
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
 * How an import waits for another process writing to the store (--wait, in seconds): up to that long, the
 * status line saying who holds the store and how long of it has gone.
 */
export function importWait(path: string, waitSeconds: number, waiting: { show: (text: string) => void }): WaitOptions {
  return {
    timeoutMs: waitSeconds * 1000,
    onWait: ({ holder, waitedMs }) =>
      waiting.show(
        `waiting for the store ${path} (${Math.round(waitedMs / 1000)} s of ${waitSeconds}): ${describeWriter(holder)}`,
      ),
  };
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

/**
 * An import of several files, one transaction each, that stopped at one of them: the files before it
 * are in the store. Its error keeps the cause's kind, exit code and location and adds which files
 * were imported (`imported`, also in --json): the cause's own words ("the store is as it was before
 * it") are about the failed file's write only, and with --json nothing else would say what landed.
 */
class ImportStopped extends ScaleLabError {
  override name: string;
  override readonly exitCode: number;
  readonly location?: Location;
  constructor(
    cause: ScaleLabError,
    file: string,
    readonly imported: readonly string[],
  ) {
    const before =
      imported.length === 1
        ? `the file before it was (${imported[0]}), and importing it again adds nothing`
        : `the ${imported.length} files before it were (${imported.join(', ')}), and importing them again adds nothing`;
    super((name) => `${cause.messageNaming(name)}; ${file} was not imported, but ${before}`);
    this.name = cause.name;
    this.exitCode = cause.exitCode;
    if ('location' in cause) this.location = cause.location as Location;
  }
}

/** The error to report for an import of several files that failed at `file` after `imported` were stored. */
export function importStopped(e: unknown, file: string, imported: readonly string[]): unknown {
  const known = isScaleLabError(e) ? e : storeErrorFrom(e);
  // Nothing stored yet, or a bug (an internal error stays one).
  return imported.length && known ? new ImportStopped(known, file, imported) : e;
}

/**
 * What an import of `files`, one transaction each, interrupted after `imported` were stored leaves:
 * the interruption comes between two files' transactions (see cli/interrupt.ts), never inside one.
 */
export function interruptedImport(files: readonly string[], imported: readonly string[], db: string): string {
  const rest = files.filter((f) => !imported.includes(f));
  if (!imported.length) return `nothing was imported into ${db}`;
  const list = (names: readonly string[]) =>
    names.length > 6 ? `${names.slice(0, 6).join(', ')}, … (${names.length} in all)` : names.join(', ');
  // The signal came during the last file's transaction, heard once it had committed.
  if (!rest.length)
    return `the import had finished before it: ${files.length === 1 ? imported[0] : `all ${files.length} files (${list(imported)})`} imported whole into ${db}`;
  return `${imported.length} of ${files.length} files imported whole into ${db} (${list(imported)}), the others not (${list(rest)}); importing them all again adds only what is missing`;
}
