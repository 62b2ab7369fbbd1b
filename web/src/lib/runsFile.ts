/**
 * A file of runs read by a panel of its own (compare, muP transfer): the columns it offers for each
 * run's group, and the file parsed with the columns chosen, as `scalelab compare --group-column COL`
 * and `scalelab mup transfer --columns width=…,lr=…` read it.
 */
import { fileColumns, parseRuns, recognisedColumns, type Field } from '../../../src/io/parseRuns.js';
import type { Dataset } from '../../../src/io/dataset.js';

/** A file as chosen: its name (the source errors name) and text. */
export interface RunsFile {
  name: string;
  text: string;
}

/** Fields whose column holds words, not numbers: any column but a number's may name the groups. */
const wordFields: readonly Field[] = ['group', 'run', 'lineage', 'state'];

/**
 * The columns that may name each run's group (every column not read as a number), and the one to start
 * from: a column named `group`, else one that looks like an experiment's arms (a few words, each over
 * the same sizes: parseRuns's variantColumns), else the first.
 */
export function groupColumnChoices(file: RunsFile): { columns: string[]; guess?: string } {
  const header = fileColumns(file.text, file.name);
  const read = recognisedColumns(header);
  const numbers = new Set(
    Object.entries(read)
      .filter(([field]) => !wordFields.includes(field as Field))
      .map(([, column]) => column),
  );
  const columns = header.filter((c) => !numbers.has(c));
  let guess = read.group;
  if (guess === undefined) {
    try {
      guess = parseRuns(file.text, { source: file.name }).variantColumns?.[0]?.column;
    } catch {
      // The file's own error shows when it is read with a group column.
    }
  }
  return { columns, guess: guess ?? columns[0] };
}

/**
 * The runs with each one's group read from `groupColumn` (as compare's --group-column).
 * @throws InputError located in the file (a missing column, a bad value)
 */
export function readGroupedRuns(file: RunsFile, groupColumn: string): Dataset {
  return parseRuns(file.text, { source: file.name, columns: { group: groupColumn } });
}

/**
 * A learning-rate sweep: width, learning rate and loss, diverged runs kept aside (they bound an
 * optimum), as `mup transfer` reads it; `columns` maps width and lr where their names are not recognised.
 * @throws InputError located in the file
 */
export function readSweepRuns(file: RunsFile, columns: { width?: string; lr?: string } = {}): Dataset {
  const mapped = Object.fromEntries(Object.entries(columns).filter(([, c]) => c)) as Partial<Record<Field, string>>;
  return parseRuns(file.text, {
    source: file.name,
    keepDiverged: true,
    ...(Object.keys(mapped).length ? { columns: mapped } : {}),
  });
}

/** A file's column names, for a panel's column choices ([] when it cannot be read that far). */
export function runsFileColumns(file: RunsFile): { columns: string[]; recognised: Partial<Record<Field, string>> } {
  const columns = fileColumns(file.text, file.name);
  return { columns, recognised: recognisedColumns(columns) };
}
