/**
 * The law registry: every law `--law` accepts. To add a law, write one file like chinchilla.ts and
 * add it here (laws/README.md walks through it).
 */
import type { Law, Variable } from './law.js';
import { chinchilla } from './chinchilla.js';
import { kaplanNd } from './kaplanNd.js';
import { power0Law, powerLaw } from './power.js';
import { dataConstrained } from './dataConstrained.js';
import { bnslLaw } from './bnsl.js';
import { UsageError } from '../errors/index.js';

export * from './law.js';
export { chinchilla } from './chinchilla.js';
export { kaplanNd } from './kaplanNd.js';
export { powerLaw, power0Law } from './power.js';
export { dataConstrained } from './dataConstrained.js';
export { bnslLaw } from './bnsl.js';

export interface LawChoice {
  /** Law identifier, one of `lawIds`. */
  law: string;
  /** The single variable of `power`, `power0` and `bnsl`. @default 'N' */
  x?: Exclude<Variable, 'U'>;
  /** Breaks of `bnsl`. @default 1 */
  breaks?: number;
}

export const lawIds = ['chinchilla', 'kaplan-nd', 'power', 'power0', 'data-constrained', 'bnsl'] as const;

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
    case 'data-constrained':
      return dataConstrained;
    case 'bnsl': {
      const breaks = c.breaks ?? 1;
      if (!Number.isInteger(breaks) || breaks < 0 || breaks > 5) throw new UsageError(`--breaks: expected 0 to 5 breaks, got ${c.breaks}`);
      return bnslLaw(breaks, x);
    }
    default:
      throw new UsageError(`unknown law: ${c.law} (expected one of ${lawIds.join(', ')})`);
  }
}
