/**
 * A small CSV table with named text and number columns, validated with located errors — for inputs
 * that are not runs (per-layer activation logs for the coordinate check). Pure.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError } from '../errors/index.js';

/** CSV rows with the line each starts on; a malformed file is one located error. */
export function csvRows(text: string, source: string): { record: string[]; info: { lines: number } }[] {
  try {
    return parseCsv(text, { info: true, skip_empty_lines: true, trim: true, bom: true }) as never;
  } catch (e) {
    const err = e as { message: string; lines?: number };
    throw new InputError({ file: source, line: err.lines }, `malformed CSV: ${err.message.replace(/ on line \d+$/, '')}`);
  }
}

export function parseTable<N extends string, T extends string>(
  text: string,
  source: string,
  columns: { numbers: readonly N[]; text: readonly T[] },
): (Record<N, number> & Record<T, string> & { line: number })[] {
  const rows = csvRows(text, source);
  if (rows.length < 2) throw new InputError({ file: source }, `expected a header and at least one row with columns ${[...columns.text, ...columns.numbers].join(', ')}`);
  const header = rows[0].record;
  const index = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new InputError({ file: source, line: 1 }, `missing column "${name}"; the file has columns: ${header.join(', ')}`);
    return i;
  };
  const num = columns.numbers.map((n) => [n, index(n)] as const);
  const txt = columns.text.map((t) => [t, index(t)] as const);
  return rows.slice(1).map(({ record, info }) => {
    const out: Record<string, string | number> = { line: info.lines };
    for (const [name, i] of num) {
      const cell = record[i] ?? '';
      const v = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell.trim()) ? Number(cell) : NaN;
      if (!Number.isFinite(v)) throw new InputError({ file: source, line: info.lines, column: i + 1, columnName: name }, `expected a number, got ${cell.trim() === '' ? 'an empty cell' : JSON.stringify(cell)}`);
      out[name] = v;
    }
    for (const [name, i] of txt) {
      const cell = (record[i] ?? '').trim();
      if (cell === '') throw new InputError({ file: source, line: info.lines, column: i + 1, columnName: name }, 'expected a name, got an empty cell');
      out[name] = cell;
    }
    return out as never;
  });
}
