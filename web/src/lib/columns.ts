/**
 * The upload's column step: a file whose columns are not recognised (no "loss", no N or D under a
 * known name) is not a dead end — the user says which column holds which field, and the file is
 * parsed again with that mapping (the CLI's --columns).
 */
import { csvRecords, detectFormat, fieldAliases, stripBom, type Field } from '../../../src/io/parseRuns.js';
import type { Dataset } from '../../../src/io/dataset.js';

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

const normalise = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The file's column names, or [] when it cannot be read that far (its parse error says why). */
export function fileColumns(text: string, source: string): string[] {
  try {
    const format = detectFormat(source, text);
    if (format === 'csv') return csvRecords(text, source)[0]?.record ?? [];
    const objects: unknown[] =
      format === 'json'
        ? (JSON.parse(stripBom(text)) as unknown[])
        : stripBom(text)
            .split('\n')
            .filter((l) => l.trim())
            .slice(0, 50)
            .map((l) => JSON.parse(l) as unknown);
    const keys = new Set<string>();
    for (const o of Array.isArray(objects) ? objects.slice(0, 50) : [])
      if (o && typeof o === 'object') for (const k of Object.keys(o)) keys.add(k);
    return [...keys];
  } catch {
    return [];
  }
}

/** The columns recognised by their names (as the parser would take them). */
export function guessColumns(header: readonly string[]): Partial<Record<Field, string>> {
  const out: Partial<Record<Field, string>> = {};
  const taken = new Set<string>();
  for (const { field } of mappedFields) {
    const aliases = (fieldAliases[field] as readonly string[]).map(normalise);
    const found =
      header.find((h) => h === field && !taken.has(h)) ??
      header.find((h) => aliases.includes(normalise(h)) && !taken.has(h));
    if (found !== undefined) {
      out[field] = found;
      taken.add(found);
    }
  }
  return out;
}

/** Why a parsed data set still needs its columns mapped for the default fit (N and D, or C to derive one), or undefined. */
export function missingFields(dataset: Dataset): string | undefined {
  const has = (f: Field) =>
    dataset.columns[f] !== undefined || (dataset.derived as Partial<Record<string, string>>)[f] !== undefined;
  const missing = (['N', 'D'] as const).filter((f) => !has(f));
  return missing.length ? `no column was recognised as ${missing.join(' or ')}` : undefined;
}
