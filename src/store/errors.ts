/**
 * The run store's errors: StoreError (with the store's path), MissingStoreError, and the words for a
 * SQLite error (busy, not a store, read-only, a full disk, a file it may not open). Separate so that a
 * command, the server and the sweep runner can say what went wrong with a store without reading how the
 * store is queried.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { type Message, ScaleLabError } from '../errors/index.js';
import { describeWriter, storeWriter, syncBusyTimeoutMs } from './writers.js';

/** A store problem (cannot open, locked, schema from a newer version), with the path. */
export class StoreError extends ScaleLabError {
  override name = 'StoreError' as const;
  /** 1: the store could not be used as it is (busy, read-only, damaged); MissingStoreError: 2. */
  override readonly exitCode: number = 1;
  readonly path: string;
  constructor(path: string, message: Message) {
    super((o) => `${path}: ${typeof message === 'string' ? message : message(o)}`);
    this.path = path;
  }
}

/**
 * No store where one was named (or none of the data asked for in it), for a command that only reads
 * or changes what is there: an input error like a missing file (exit 2), not a store that failed (exit 1).
 */
export class MissingStoreError extends StoreError {
  override readonly exitCode: number = 2;
}

export function sqliteCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown })?.code;
  return e instanceof Error && typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * Why SQLite could not open a store ("unable to open database file" says nothing of it): a file of
 * the store (or its write-ahead log beside it) this user may not read, or, to make one, a folder it
 * may not write to; else SQLite's own words.
 */
export function openFailure(path: string, e: unknown, intent: 'read' | 'write'): StoreError {
  const denied = (p: string, mode: number) => {
    try {
      accessSync(p, mode);
      return undefined;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code;
    }
  };
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(file)) continue;
    const code = denied(file, constants.R_OK);
    if (code)
      return new StoreError(
        path,
        `cannot open the run store: ${file === path ? 'the file' : basename(file)} is not readable by this user (${code}); nothing was changed. Ask its owner for access, or work on a copy you own`,
      );
  }
  // On a read-only file system (a snapshot, a backup mounted read-only) SQLite cannot make the
  // write-ahead log and its index beside a store in WAL mode, which it needs even to read one (before:
  // "unable to open database file", for runs ls and runs export too).
  if (existsSync(path) && denied(dirname(path), constants.W_OK) === 'EROFS')
    return new StoreError(
      path,
      `cannot open the run store: it is on a read-only file system (EROFS), where SQLite cannot make ${basename(path)}-wal and ${basename(path)}-shm beside it, as it must even to read a store in WAL mode; nothing was changed. Copy the store to a folder you may write to and use the copy`,
    );
  if (intent === 'write' && !existsSync(path)) {
    const code = denied(dirname(path), constants.W_OK);
    if (code)
      return new StoreError(
        path,
        `cannot create the run store: its folder ${dirname(path)} is not writable (${code}${code === 'EROFS' ? ': a read-only file system' : ''}); nothing was changed. Give a store path in a folder you may write to`,
      );
  }
  return new StoreError(path, `cannot open the run store: ${(e as Error).message}`);
}

/** Whether an error is SQLite's "another connection holds the lock" (SQLITE_BUSY, SQLITE_LOCKED). */
export const isBusy = (e: unknown) =>
  sqliteCode(e)?.startsWith('SQLITE_BUSY') || sqliteCode(e)?.startsWith('SQLITE_LOCKED');

/** The path of the store opened last: a SQLite error surfacing in a command is about that store. */
let lastOpened: string | undefined;

/** Record the store a command opened (RunStore.open), for storeErrorFrom. */
export function openedStore(path: string): void {
  lastOpened = path;
}

/**
 * A SQLite error that reached a command, as the ScaleLab error it means (a busy store, a file that
 * is not a store, a full disk), or undefined when it is not a SQLite error.
 */
export function storeErrorFrom(e: unknown): ScaleLabError | undefined {
  const code = sqliteCode(e);
  if (!code) return undefined;
  const path = lastOpened ?? 'the run store';
  if (isBusy(e)) {
    return new StoreError(
      path,
      `the store is busy: ${describeWriter(storeWriter(path), path)}; a write waited ${syncBusyTimeoutMs() / 1000} s for it. Try again when it has finished`,
    );
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))
    return new StoreError(
      path,
      `not a ScaleLab store (${(e as Error).message}); expected the run store that "runs import" and "sweep run" write`,
    );
  // A write that failed is rolled back whole (every write is one transaction): say so.
  if (code === 'SQLITE_READONLY_DIRECTORY')
    return new StoreError(
      path,
      `cannot use the run store: its folder ${dirname(path)} is not writable, and SQLite needs to create ${basename(path)}-wal and ${basename(path)}-shm beside it, even to read (${code}); nothing was changed. Make the folder writable, or work on a copy of the store in a folder you may write to`,
    );
  if (code.startsWith('SQLITE_READONLY')) {
    // A store whose -wal and -shm were left beside it opens on a read-only file system and is refused
    // only at a write: said as the opening says it, with what changing permissions cannot mend.
    let folder: string | undefined;
    try {
      accessSync(dirname(path), constants.W_OK);
    } catch (err) {
      folder = (err as NodeJS.ErrnoException).code;
    }
    return new StoreError(
      path,
      folder === 'EROFS'
        ? `the run store is on a read-only file system (EROFS: ${(e as Error).message}, ${code}); nothing was changed. Copy the store to a folder you may write to and use the copy`
        : `the run store is read-only (the file or its folder is not writable: ${(e as Error).message}, ${code}); nothing was changed. Make both writable, or work on a copy of the store in a folder you may write to`,
    );
  }
  if (code === 'SQLITE_FULL')
    return new StoreError(
      path,
      `the disk is full (${(e as Error).message}, ${code}); nothing of this write was stored: the store is as it was before it, with everything stored earlier (a sweep's finished runs) kept. Free some space on its disk, then run the same command again: a sweep or study resumes, an import adds what it lacks`,
    );
  if (code.startsWith('SQLITE_IOERR'))
    return new StoreError(
      path,
      `a disk read or write failed (${(e as Error).message}, ${code}: a full disk, a file-size limit or a failing disk); nothing of this write was stored: the store is as it was before it, with everything stored earlier (a sweep's finished runs) kept. Free some space on its disk, then run the same command again: a sweep or study resumes, an import adds what it lacks`,
    );
  // Opened, but its write-ahead log could not be (another user's, not readable): said as at the opening.
  if (code === 'SQLITE_CANTOPEN' && path !== 'the run store') {
    const why = openFailure(path, e, 'read');
    if (!why.message.endsWith((e as Error).message)) return why;
  }
  return new StoreError(path, `the run store failed: ${(e as Error).message} (${code})`);
}
