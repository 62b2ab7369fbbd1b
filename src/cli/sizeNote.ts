import { formatNumber } from '../core/format.js';

/**
 * Sizes copied from a paper's table in millions (125, 350, 760) fit as well as in parameters, and then
 * predict --N 70B reads 70 billion against a largest N of 760: said on stderr while the file is at hand (fit,
 * and runs import, where they would be stored so; hparams --N, where a sweep's 125 puts --N 7B 5e6× beyond
 * it; depth-width and curve, which print "N 125" as if it counted parameters). One helper, so every
 * command says it alike.
 * @param largest each size's largest value in the file, or the runs to take it from
 * @param readers the commands said to read N in parameters
 */
export function noteSmallSizes(
  file: string,
  largest: { N?: number; D?: number } | readonly { N?: number; D?: number }[],
  readers = 'predict, plan and frontier',
): void {
  for (const note of smallSizeNotes(
    file,
    Array.isArray(largest)
      ? largestOf(largest as readonly { N?: number; D?: number }[])
      : (largest as { N?: number; D?: number }),
    readers,
  ))
    process.stderr.write(`${note}\n`);
}

/** The largest N and D over runs (absent where no run has one). */
function largestOf(runs: readonly { N?: number; D?: number }[]): { N?: number; D?: number } {
  const top = (v: 'N' | 'D') => {
    const xs = runs.map((r) => r[v]).filter((x): x is number => x !== undefined);
    return xs.length ? Math.max(...xs) : undefined;
  };
  return { N: top('N'), D: top('D') };
}

/** The notes noteSmallSizes writes, one a size, for a caller that words their end its own way. */
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
