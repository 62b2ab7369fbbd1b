import { formatNumber } from '../core/format.js';

/**
 * Sizes copied from a paper's table in millions (125, 350, 760) fit as well as in parameters, and then
 * predict --N 70B reads 70 billion against a largest N of 760: said while the file is at hand (fit, and
 * runs import, where they would be stored so).
 */
export function smallSizeNotes(file: string, largest: { N?: number; D?: number }): string[] {
  const notes: string[] = [];
  for (const [v, below, what] of [
    ['N', 1e4, 'parameters'],
    ['D', 1e6, 'tokens'],
  ] as const) {
    const top = largest[v];
    if (top === undefined || !(top < below)) continue;
    const shown = formatNumber(top, 4);
    notes.push(
      `note: the largest ${v} in ${file} is ${shown}: if that counts ${what} in millions or billions, write the suffix (${shown}M, ${shown}B) or scale the column; predict, plan and frontier read ${v} in ${what}`,
    );
  }
  return notes;
}
