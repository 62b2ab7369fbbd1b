/**
 * The upload's column step: a file whose columns are not recognised (no "loss", no N or D under a
 * known name) is not a dead end — the user says which column holds which field, and the file is
 * parsed again with that mapping (the CLI's --columns).
 */
import { recognisedColumns, type Field } from '../../../src/io/parseRuns.js';
import type { Dataset } from '../../../src/io/dataset.js';
import { InputError } from '../../../src/errors/index.js';

// The file's columns are read by src/io, which knows the formats: the step reads none of its own.
export { fileColumns } from '../../../src/io/parseRuns.js';

// The file's columns are read by src/io, which knows the formats: the step reads none of its own.
/** The fields the step offers, with what each means. */
export const mappedFields: { field: Field; label: string }[] = [
  { field: 'N', label: 'N: parameters' },
  { field: 'D', label: 'D: training tokens' },
  { field: 'C', label: 'C: training compute (FLOPs)' },
  { field: 'loss', label: 'loss: final loss' },
  { field: 'run', label: 'run: run name (checkpoints)' },
  { field: 'step', label: 'step: checkpoint step' },
  { field: 'group', label: 'group: experiment' },
];

/** A file waiting for its columns to be mapped. */
export interface PendingUpload {
  name: string;
  text: string;
  key: string;
  /** The file's column names (a CSV's header, the keys of JSON objects). */
  header: string[];
  /** The mapping to start from: the columns recognised by name. */
  guess: Partial<Record<Field, string>>;
  /** Why the step is shown. */
  reason: string;
}

/** The columns recognised by their names: the parser's own reading (recognisedColumns), for the fields the step offers. */
export function guessColumns(header: readonly string[]): Partial<Record<Field, string>> {
  const read = recognisedColumns(header);
  const out: Partial<Record<Field, string>> = {};
  for (const { field } of mappedFields) if (read[field] !== undefined) out[field] = read[field];
  return out;
}

/** Why a parsed data set still needs its columns mapped for the default fit (N and D, or C to derive one), or undefined. */
export function missingFields(dataset: Dataset): string | undefined {
  const has = (f: Field) =>
    dataset.columns[f] !== undefined || (dataset.derived as Partial<Record<string, string>>)[f] !== undefined;
  const missing = (['N', 'D'] as const).filter((f) => !has(f));
  return missing.length ? `no column was recognised as ${missing.join(' or ')}` : undefined;
}

/**
 * Why the column step opens for a parse error, or undefined where mapping a column cannot help: a
 * missing or unknown column, and a refused loss in a column read by preference where the file has
 * another loss column (a W&B export's sparse eval/loss beside train/loss) — mapping loss is the fix.
 * The library's hint to map with the option is dropped: this step is where it is done.
 */
export function columnStepReason(e: unknown): string | undefined {
  if (!(e instanceof InputError)) return undefined;
  const detail = e.detail;
  if (/missing column|no column "/.test(detail))
    return `Its columns were not all recognised: ${detail}`.replace(/; map one with option "columns" \S+$/, '');
  const other = /: to read ("[^"]+") instead, option "columns" loss=.*$/;
  if (/the loss is read from "/.test(detail) && other.test(detail))
    return `Its loss column could not be read: ${detail.replace(other, ': to read $1 instead, map loss to it below')}`;
  return undefined;
}
