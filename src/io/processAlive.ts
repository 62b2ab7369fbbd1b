/**
 * Whether a process lives on this host: what tells a stale claim, lock note or temporary file from one
 * that is still in use. Its own module so that a command writing an output file need not load SQLite.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, as another user's process.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
