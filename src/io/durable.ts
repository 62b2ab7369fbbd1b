/**
 * Making a finished write survive a power cut, not only a crash. A file written with `flush: true`
 * and renamed into place is whole on disk, but its new name lives in the folder, which the
 * kernel may still hold only in memory when the rename returns: after a power cut the folder
 * could show the old file, or none. Syncing the folder after the rename makes the name stick.
 */
import { closeSync, fsyncSync, openSync, statSync } from 'node:fs';

/**
 * Flush a folder's entries (names made by rename or link) to disk. Where a folder cannot be opened
 * or synced (Windows; some network file systems) this does nothing: the rename stays atomic, and
 * when it reaches the disk is the system's affair.
 */
export function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported here (see above)
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Whether the folder this process runs in has been removed: it is still open, with no name left (no
 * links), so a relative path names nowhere (a write there fails with ENOENT, whatever the path).
 */
export function workingFolderRemoved(): boolean {
  try {
    return statSync('.').nlink === 0;
  } catch {
    return true;
  }
}
