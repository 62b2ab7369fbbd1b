/**
 * The law registry: every law `--law` accepts. To add a law, write one file like chinchilla.ts and
 * add it here (laws/README.md walks through it).
 */
import type { Law, Variable } from './law.js';
import { chinchilla } from './chinchilla.js';
import { kaplanNd } from './kaplanNd.js';
import { power0Law, powerLaw } from './power.js';
import { UsageError } from '../errors/index.js';

export * from './law.js';
export { chinchilla } from './chinchilla.js';
export { kaplanNd } from './kaplanNd.js';
export { powerLaw, power0Law } from './power.js';

export interface LawChoice {
  /** Law identifier, one of `lawIds`. */
  law: string;
  /** The single variable of `power` and `power0`. @default 'N' */
  x?: Exclude<Variable, 'U'>;
}

export const lawIds = ['chinchilla', 'kaplan-nd', 'power', 'power0'] as const;

/** The law for an identifier, with a clear error listing the known ones. */
export function getLaw(choice: LawChoice | string): Law {
  const c: LawChoice = typeof choice === 'string' ? { law: choice } : choice;
  const x = c.x ?? 'N';
  if (!['N', 'D', 'C'].includes(x)) throw new UsageError(`invalid variable for ${c.law}: ${x} (expected N, D or C)`);
  switch (c.law) {
    case 'chinchilla':
      return chinchilla;
    case 'kaplan-nd':
      return kaplanNd;
    case 'power':
      return powerLaw(x);
    case 'power0':
      return power0Law(x);
    default:
      throw new UsageError(`unknown law: ${c.law} (expected one of ${lawIds.join(', ')})`);
  }
}
