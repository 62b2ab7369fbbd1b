/**
 * The run store's file as the file system sees it, before and beside SQLite: what is at its path (a
 * folder, a file in the way of its folder), whether a file is an SQLite database at all, and whether its
 * write-ahead log (PATH-wal) holds writes not yet in the file. Separate because SQLite, handed a wrong
 * path, says only "unable to open database file" or reads a stale log as the store: these checks say why.
 */
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { endianness } from 'node:os';
import { dirname, isAbsolute } from 'node:path';
import { workingFolderRemoved } from '../io/durable.js';
import { StoreError } from './errors.js';

/** Whether a file begins with SQLite's 16-byte header ("SQLite format 3\0"). */
export function hasSqliteHeader(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(16);
    return readSync(fd, head, 0, 16, 0) === 16 && head.toString('latin1') === 'SQLite format 3\0';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A folder given as the store: SQLite says only "disk I/O error" or "unable to open database file". */
export function refuseFolder(path: string): void {
  if (path !== ':memory:' && storeFileStat(path)?.isDirectory())
    throw new StoreError(path, 'is a folder: expected a run store file (SQLite), such as .scalelab/runs.db');
}

/**
 * What is at a store's path (undefined: nothing), or a StoreError saying why no store can be there: a
 * file in the way of its folder (statSync throws ENOTDIR, which reached commands as an internal error).
 */
export function storeFileStat(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (e) {
    throw storePathError(path, e) ?? e;
  }
}

/**
 * Why a store's path cannot hold a store, in words, for the errors of making its folder or reading
 * what is there: a file where a folder must be, the folder the command runs in removed (a relative path
 * then names nowhere), no permission or a read-only file system; undefined for any other error.
 */
export function storePathError(path: string, e: unknown): StoreError | undefined {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOTDIR') {
    const isFile = (p: string) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false; // under the file in the way too (ENOTDIR): look further up
      }
    };
    let inTheWay = dirname(path);
    while (dirname(inTheWay) !== inTheWay && !isFile(inTheWay)) inTheWay = dirname(inTheWay);
    return new StoreError(
      path,
      `${inTheWay} is a file, not a folder, so no run store can be there (ENOTDIR); nothing was changed. Give a store path in a folder`,
    );
  }
  if (code === 'ENOENT' && !isAbsolute(path) && workingFolderRemoved())
    return new StoreError(
      path,
      'the folder this command runs in was removed (ENOENT), so a relative path leads nowhere; nothing was changed. Change to a folder that exists, or give the store as a full path',
    );
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new StoreError(
      path,
      `cannot create its folder ${dirname(path)} (${code}: ${code === 'EROFS' ? 'a read-only file system' : 'no permission'}); nothing was changed. Give a store path in a folder you may write to`,
    );
  return undefined;
}

/** A write-ahead log file as it was seen (PATH-wal): the same file, unwritten since, has all four the same. */
export interface WalFile {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/**
 * The write-ahead log beside a store (PATH-wal) when it holds writes not yet copied into the store's
 * file, else undefined. SQLite finds the log by name: whatever file is at PATH next is read through it,
 * so a store replaced (mv, or rm and cp) while its last writes were still in the log would read as the
 * old one. The wal-index (PATH-shm) says how many frames the log holds and how many were copied in
 * (mxFrame at byte 16, nBackfill at byte 96, in the machine's byte order; sqlite.org/walformat.html).
 */
export function pendingWal(path: string): WalFile | undefined {
  const wal = statSync(`${path}-wal`, { throwIfNoEntry: false });
  // 32 bytes: a log's header alone, no frame.
  if (!wal || wal.size <= 32) return undefined;
  try {
    const index = Buffer.alloc(100);
    const fd = openSync(`${path}-shm`, 'r');
    try {
      readSync(fd, index, 0, index.length, 0);
    } finally {
      closeSync(fd);
    }
    const u32 = (at: number) => (endianness() === 'LE' ? index.readUInt32LE(at) : index.readUInt32BE(at));
    const walIndexVersion = 3007000;
    if (u32(0) === walIndexVersion && u32(16) <= u32(96)) return undefined;
  } catch {
    // No index to read: the log's frames count as not copied in.
  }
  return { dev: wal.dev, ino: wal.ino, size: wal.size, mtimeMs: wal.mtimeMs };
}

/** Whether the log at PATH-wal is still `seen`, unwritten since. */
export function sameWal(path: string, seen: WalFile): boolean {
  const now = statSync(`${path}-wal`, { throwIfNoEntry: false });
  return (
    now !== undefined &&
    now.dev === seen.dev &&
    now.ino === seen.ino &&
    now.size === seen.size &&
    now.mtimeMs === seen.mtimeMs
  );
}

/** SQLite's files begin with these 16 bytes (sqlite.org/fileformat.html §1.3.1). */
const sqliteHeader = Buffer.from('SQLite format 3\0', 'latin1');

/** Whether a non-empty file lacks SQLite's header (an empty one is a new database to SQLite). */
export function notSqlite(path: string): boolean {
  const head = Buffer.alloc(sqliteHeader.length);
  let read: number;
  try {
    const fd = openSync(path, 'r');
    try {
      read = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false; // unreadable: SQLite's own open says why
  }
  return read > 0 && (read < head.length || !head.equals(sqliteHeader));
}
