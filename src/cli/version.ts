import { readFileSync } from 'node:fs';
import { packagePath } from '../io/packageRoot.js';

/** ScaleLab's version as package.json gives it: what `scalelab --version` prints and a report's footer names. */
export function version(): string {
  try {
    return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
