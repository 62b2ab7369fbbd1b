/**
 * The one pause of the store's test hooks (SCALELAB_TEST_CLAIM_TAKEOVER_PAUSE, SCALELAB_TEST_MIGRATION_PAUSE,
 * SCALELAB_TEST_IMPORT_PAUSE): a process at the hooked point writes `DIR/PID.MARK`, so a test sees where it
 * stands without guessing a time, and waits there until the test writes `DIR/PID.go`. The wait is bounded
 * (a minute), so a test that never releases it, or kills it, cannot leave a process waiting forever.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The longest a hooked process waits to be released, ms. */
const MAX_PAUSE_MS = 60_000;

/**
 * Pause at a test hook until `DIR/PID.go` exists, or a minute has passed; `mark` names the point. With no
 * folder nothing can release it: the minute (a test that kills the process there, or holds its lock).
 */
export function pauseUntilReleased(dir: string | undefined, mark: string): void {
  if (dir) writeFileSync(join(dir, `${process.pid}.${mark}`), '');
  const released = () => dir !== undefined && existsSync(join(dir, `${process.pid}.go`));
  const sleep = new Int32Array(new SharedArrayBuffer(4));
  const end = Date.now() + MAX_PAUSE_MS;
  // Synchronous on purpose: the hooks sit inside a transaction, where no event-loop turn may come.
  while (!released() && Date.now() < end) Atomics.wait(sleep, 0, 0, 20);
}
