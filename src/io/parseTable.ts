/**
 * A small CSV table with named text and number columns, validated with located errors — for inputs
 * that are not runs (per-layer activation logs for the coordinate check, a benchmark of learning
 * curves). Pure.
 */
import { InputError } from '../errors/index.js';
import { magnitudeRefusal } from '../core/magnitude.js';
import { csvRecords, headerIndex } from './parseRuns.js';
import { quoteForMessage } from './textPosition.js';

/**
 * What a number column holds beyond being a number: `positive` (a size, a loss: above 0, and within
 * 1e-100…1e100 as every value an analysis reads), or one of a few codes, with what they mean.
 */
export type NumberRule = 'positive' | { oneOf: readonly number[]; meaning: string };

export function parseTable<N extends string, T extends string>(
  text: string,
  source: string,
  columns: {
    numbers: readonly N[];
    text: readonly T[];
    rules?: Partial<Record<N, NumberRule>>;
    /** Other names a column is recognised by, as runs recognise theirs (width: d_model). */
    aliases?: Partial<Record<N | T, readonly string[]>>;
    /** The flag that names a column (curves' --x-column), said when the column is missing. */
    flags?: Partial<Record<N | T, string>>;
  },
): (Record<N, number> & Record<T, string> & { line: number })[] {
  const rows = csvRecords(text, source);
  if (rows.length < 2)
    throw new InputError(
      { file: source },
      `expected a header and at least one row with columns ${[...columns.text, ...columns.numbers].join(', ')}`,
    );
  const header = rows[0].record;
  const columnIndex = headerIndex(header, source, rows[0].info.lines);
  const index = (name: N | T) => {
    const i = [name, ...(columns.aliases?.[name] ?? [])].map((n) => columnIndex.get(n) ?? -1).find((k) => k >= 0) ?? -1;
    if (i < 0)
      throw new InputError(
        { file: source, line: 1 },
        `missing column "${name}"${
          columns.aliases?.[name]?.length
            ? ` (or ${columns.aliases[name]!.filter((a) => a !== name)
                .map((a) => `"${a}"`)
                .join(', ')})`
            : ''
        }; the file has columns: ${header.join(', ')}${columns.flags?.[name] ? `: name yours with ${columns.flags[name]}` : ''}`,
      );
    return i;
  };
  const num = columns.numbers.map((n) => [n, index(n), columns.rules?.[n]] as const);
  const txt = columns.text.map((t) => [t, index(t)] as const);
  return rows.slice(1).map(({ record, info }) => {
    const out: Record<string, string | number> = { line: info.lines };
    for (const [name, i, rule] of num) {
      const cell = record[i] ?? '';
      const where = { file: source, line: info.lines, column: i + 1, columnName: name };
      const v = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell.trim()) ? Number(cell) : NaN;
      if (!Number.isFinite(v))
        throw new InputError(
          where,
          `expected a${rule === 'positive' ? ' positive' : ''} number, got ${cell.trim() === '' ? 'an empty cell' : JSON.stringify(cell)}`,
        );
      if (rule === 'positive') {
        if (!(v > 0)) throw new InputError(where, `expected a positive number, got ${JSON.stringify(cell.trim())}`);
        const refusal = magnitudeRefusal(name, v);
        if (refusal) throw new InputError(where, refusal);
      } else if (rule !== undefined && !rule.oneOf.includes(v))
        throw new InputError(
          where,
          `expected ${rule.oneOf.join(' or ')} (${rule.meaning}), got ${JSON.stringify(cell.trim())}`,
        );
      out[name] = v;
    }
    for (const [name, i] of txt) {
      const cell = (record[i] ?? '').trim();
      const where = { file: source, line: info.lines, column: i + 1, columnName: name };
      if (cell === '') throw new InputError(where, 'expected a name, got an empty cell');
      // Names are printed in tables and one-line errors: a NUL or a line break would break them.
      // eslint-disable-next-line no-control-regex -- control characters are what this looks for
      if (/[\x00-\x1f\x7f]/.test(cell))
        throw new InputError(
          where,
          `expected a name without control characters (NUL bytes, line breaks, tabs), got ${quoteForMessage(cell)}`,
        );
      out[name] = cell;
    }
    return out as never;
  });
}
