/**
 * A short stable hash of a JSON value: the key of an unnamed imported run and of a planned run, and the
 * name of a study's claim files. Its own module because the store, its claims, the sweep runner and the
 * Slurm backend's records all key by it, and none of them should import the others for it.
 */
import { createHash } from 'node:crypto';

export function hashKey(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}
