/**
 * A small CSV table with named text and number columns, validated with located errors — for inputs
 * that are not runs (per-layer activation logs for the coordinate check). Pure.
 */
import { InputError } from '../errors/index.js';
import { csvRecords, headerIndex } from './parseRuns.js';

export function parseTable<N extends string, T extends string>(
  text: string,
  source: string,
  columns: { numbers: readonly N[]; text: readonly T[] },
): (Record<N, number> & Record<T, string> & { line: number })[] {
  const rows = csvRecords(text, source);
  if (rows.length < 2)
    throw new InputError(
      { file: source },
      `expected a header and at least one row with columns ${[...columns.text, ...columns.numbers].join(', ')}`,
    );
  const header = rows[0].record;
  const columnIndex = headerIndex(header, source, rows[0].info.lines);
  const index = (name: string) => {
    const i = columnIndex.get(name) ?? -1;
    if (i < 0)
      throw new InputError(
        { file: source, line: 1 },
        `missing column "${name}"; the file has columns: ${header.join(', ')}`,
      );
    return i;
  };
  const num = columns.numbers.map((n) => [n, index(n)] as const);
  const txt = columns.text.map((t) => [t, index(t)] as const);
  return rows.slice(1).map(({ record, info }) => {
    const out: Record<string, string | number> = { line: info.lines };
    for (const [name, i] of num) {
      const cell = record[i] ?? '';
      const v = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell.trim()) ? Number(cell) : NaN;
      if (!Number.isFinite(v))
        throw new InputError(
          { file: source, line: info.lines, column: i + 1, columnName: name },
          `expected a number, got ${cell.trim() === '' ? 'an empty cell' : JSON.stringify(cell)}`,
        );
      out[name] = v;
    }
    for (const [name, i] of txt) {
      const cell = (record[i] ?? '').trim();
      if (cell === '')
        throw new InputError(
          { file: source, line: info.lines, column: i + 1, columnName: name },
          'expected a name, got an empty cell',
        );
      out[name] = cell;
    }
    return out as never;
  });
}
