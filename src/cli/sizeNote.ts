import { formatNumber } from '../core/format.js';

/**
 * Sizes copied from a paper's table in millions (125, 350, 760) fit as well as in parameters, and then
 * predict --N 70B reads 70 billion against a largest N of 760: said while the file is at hand (fit, and
 * runs import, where they would be stored so; hparams --N, where a sweep's 125 puts --N 7B 5e6× beyond it).
 * @param readers the commands said to read N in parameters
 */
export function smallSizeNotes(
  file: string,
  largest: { N?: number; D?: number },
  readers = 'predict, plan and frontier',
): string[] {
  const notes: string[] = [];
  for (const [v, below, what] of [
    ['N', 1e4, 'parameters'],
    ['D', 1e6, 'tokens'],
  ] as const) {
    const top = largest[v];
    if (top === undefined || !(top < below)) continue;
    const shown = formatNumber(top, 4);
    notes.push(
      `note: the largest ${v} in ${file} is ${shown}: if that counts ${what} in millions or billions, write the suffix (${shown}M, ${shown}B) or scale the column; ${readers} read${/,| and /.test(readers) ? '' : 's'} ${v} in ${what}`,
    );
  }
  return notes;
}
