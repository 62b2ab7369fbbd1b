/**
 * Parse training runs from CSV, a JSON array or JSONL text into a validated Dataset.
 *
 * Pure (text in, Dataset out) so the CLI, the server and the browser share it. Every problem is an
 * InputError naming file, line, column and what was expected; no row is silently dropped.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { parseTree, type Node as JsonNode, type ParseError, printParseErrorCode } from 'jsonc-parser';
import { InputError, UsageError } from '../errors/index.js';
import type { Dataset, Run } from './dataset.js';
import { lineColumn, lineStartsOf } from './textPosition.js';

export type RunFormat = 'csv' | 'json' | 'jsonl';

/** Fields a run can have, and the column names recognised for each without a mapping. */
export const fieldAliases = {
  N: ['N', 'params', 'parameters', 'n_params', 'num_params', 'model_size', 'Model Size'],
  D: ['D', 'tokens', 'n_tokens', 'train_tokens', 'training_tokens'],
  C: ['C', 'flops', 'compute', 'compute_budget', 'train_flops', 'Training FLOP'],
  U: ['U', 'unique_tokens', 'unique'],
  loss: ['loss', 'final_loss', 'val_loss', 'L'],
  batch: ['batch', 'batch_size', 'batch_tokens'],
  lr: ['lr', 'learning_rate', 'eta'],
  width: ['width', 'd_model'],
  layers: ['layers', 'n_layer', 'num_layers', 'depth'],
  gradSq: ['grad_sq', 'grad_norm_sq', 'gradient_norm_sq'],
  group: ['group'],
  run: ['run', 'run_id'],
  step: ['step'],
} as const;

export type Field = keyof typeof fieldAliases;
const numericFields = ['N', 'D', 'C', 'U', 'loss', 'batch', 'lr', 'width', 'layers', 'gradSq'] as const;

export interface ParseRunsOptions {
  /** Name shown in errors and reports (usually the path). */
  source: string;
  /** @default detected from the source's extension, then from the first character */
  format?: RunFormat;
  /** Explicit column names: { N: 'Model Size', C: 'Training FLOP' }. */
  columns?: Partial<Record<Field, string>>;
  /** Fields that must be present (after deriving D or C). @default ['loss'] */
  require?: Field[];
  /**
   * Keep only the rows whose group is one of these (a study export mixes LR probes, IsoFLOP runs
   * and a verification run; a law is fitted to one experiment). Other rows are not validated.
   */
  groups?: string[];
}

/** One raw record: each value with its position. */
interface RawRecord {
  line: number;
  values: Map<string, { text: string | number | null; line: number; column: number }>;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

export function detectFormat(source: string, text: string): RunFormat {
  const lower = source.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.tsv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  const first = text.trimStart()[0];
  if (first === '[') return 'json';
  if (first === '{') return 'jsonl';
  return 'csv';
}

function readCsv(text: string, source: string): { header: string[]; records: RawRecord[] } {
  const delimiter = source.toLowerCase().endsWith('.tsv') ? '\t' : ',';
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parseCsv(text, { info: true, skip_empty_lines: true, trim: true, delimiter, bom: true }) as never;
  } catch (e) {
    const err = e as { message: string; lines?: number; code?: string };
    const msg = err.message.replace(/ on line \d+$/, '');
    throw new InputError({ file: source, line: err.lines }, `malformed CSV: ${msg}`);
  }
  if (rows.length === 0) throw new InputError({ file: source }, 'the file is empty: expected a header line and at least one run');
  const header = rows[0].record;
  const headerLine = rows[0].info.lines;
  const records: RawRecord[] = [];
  for (let r = 1; r < rows.length; r++) {
    const { record, info } = rows[r];
    const values: RawRecord['values'] = new Map();
    // csv-parse reports the line where a record ends; records here are one line each unless quoted.
    record.forEach((cell, c) => values.set(header[c], { text: cell, line: info.lines, column: c + 1 }));
    records.push({ line: info.lines, values });
  }
  void headerLine;
  return { header, records };
}

function jsonValue(node: JsonNode): string | number | null {
  if (node.type === 'number') return node.value as number;
  if (node.type === 'string') return node.value as string;
  if (node.type === 'null') return null;
  return JSON.stringify(node.value ?? null);
}

function objectRecord(node: JsonNode, text: string, starts: number[], source: string, lineOffset = 0): RawRecord {
  const at = lineColumn(starts, node.offset);
  if (node.type !== 'object') {
    throw new InputError({ file: source, line: at.line + lineOffset, column: at.column }, `expected a JSON object for a run, got ${node.type}`);
  }
  const values: RawRecord['values'] = new Map();
  for (const prop of node.children ?? []) {
    const [key, value] = prop.children ?? [];
    if (!key || !value) continue;
    const pos = lineColumn(starts, value.offset);
    values.set(String(key.value), { text: jsonValue(value), line: pos.line + lineOffset, column: pos.column });
  }
  return { line: at.line + lineOffset, values };
}

function jsonSyntaxError(errors: ParseError[], text: string, starts: number[], source: string, lineOffset = 0): never {
  const first = errors[0];
  const pos = lineColumn(starts, first.offset);
  throw new InputError(
    { file: source, line: pos.line + lineOffset, column: pos.column },
    `malformed JSON: ${printParseErrorCode(first.error)}`,
  );
}

function readJson(text: string, source: string): { header: string[]; records: RawRecord[] } {
  const starts = lineStartsOf(text);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length > 0) jsonSyntaxError(errors, text, starts, source);
  if (!root || root.type !== 'array') {
    throw new InputError({ file: source, line: 1, column: 1 }, 'expected a JSON array of runs (objects), e.g. [{"N": 1e8, "D": 2e9, "loss": 3.1}]');
  }
  const records = (root.children ?? []).map((child) => objectRecord(child, text, starts, source));
  return { header: headerOf(records), records };
}

function readJsonl(text: string, source: string): { header: string[]; records: RawRecord[] } {
  const records: RawRecord[] = [];
  const lines = text.split('\n');
  lines.forEach((lineText, i) => {
    if (lineText.trim() === '') return;
    const errors: ParseError[] = [];
    const starts = [0];
    const node = parseTree(lineText, errors, { disallowComments: true });
    if (errors.length > 0) jsonSyntaxError(errors, lineText, starts, source, i);
    if (!node) return;
    records.push(objectRecord(node, lineText, starts, source, i));
  });
  return { header: headerOf(records), records };
}

function headerOf(records: RawRecord[]): string[] {
  const seen = new Set<string>();
  for (const r of records) for (const k of r.values.keys()) seen.add(k);
  return [...seen];
}

/** Which source column feeds each field: explicit mapping first, then the aliases. */
function resolveColumns(header: string[], explicit: Partial<Record<Field, string>>, source: string): Partial<Record<Field, string>> {
  const out: Partial<Record<Field, string>> = {};
  for (const field of Object.keys(fieldAliases) as Field[]) {
    const wanted = explicit[field];
    if (wanted !== undefined) {
      const exact = header.find((h) => h === wanted) ?? header.find((h) => normalise(h) === normalise(wanted));
      if (exact === undefined) {
        throw new InputError({ file: source, line: 1 }, `no column "${wanted}" (mapped to ${field}); the file has columns: ${header.join(', ')}`);
      }
      out[field] = exact;
      continue;
    }
    const taken = new Set(Object.values(out));
    const aliases = fieldAliases[field].map(normalise);
    const exact = header.find((h) => h === field && !taken.has(h));
    const found = exact ?? header.find((h) => aliases.includes(normalise(h)) && !taken.has(h) && !Object.values(explicit).includes(h));
    if (found !== undefined) out[field] = found;
  }
  return out;
}

function parseNumber(raw: string | number | null): number {
  if (typeof raw === 'number') return raw;
  if (raw === null) return NaN;
  const t = raw.trim();
  if (t === '') return NaN;
  // Number() accepts '0x1f', '' and ' '; a plain decimal or scientific literal is what we expect.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return NaN;
  return Number(t);
}

function describeRaw(raw: string | number | null): string {
  if (raw === null) return 'null';
  if (typeof raw === 'number') return String(raw);
  if (raw.trim() === '') return 'an empty cell';
  return JSON.stringify(raw);
}

/**
 * Parse and validate runs.
 * @throws InputError naming the file, line and column of the first problem
 */
export function parseRuns(text: string, options: ParseRunsOptions): Dataset {
  const source = options.source;
  const format = options.format ?? detectFormat(source, text);
  const { header, records } = format === 'csv' ? readCsv(text, source) : format === 'json' ? readJson(text, source) : readJsonl(text, source);
  if (records.length === 0) throw new InputError({ file: source }, 'no runs in the file: expected at least one row after the header');
  const columns = resolveColumns(header, options.columns ?? {}, source);
  const required = options.require ?? ['loss'];

  const hint = (f: Field) => `map one with --columns ${f}=NAME`;
  if (columns.loss === undefined && required.includes('loss')) {
    throw new InputError({ file: source, line: 1 }, `missing column "loss" (the final loss of each run); the file has columns: ${header.join(', ')}; ${hint('loss')}`);
  }
  const has = (f: Field) => columns[f] !== undefined;
  const derived: Dataset['derived'] = {};
  if (!has('D') && has('C') && has('N')) derived.D = 'C/(6N)';
  if (!has('C') && has('N') && has('D')) derived.C = '6ND';
  for (const f of required) {
    if (!has(f) && derived[f as 'D' | 'C'] === undefined) {
      const extra = f === 'D' ? ' (or columns C and N, from which D = C/(6N))' : f === 'C' ? ' (or columns N and D, from which C = 6ND)' : '';
      throw new InputError({ file: source, line: 1 }, `missing column "${f}"${extra}; the file has columns: ${header.join(', ')}; ${hint(f)}`);
    }
  }

  let kept = records;
  if (options.groups?.length) {
    const col = columns.group;
    if (col === undefined) throw new InputError({ file: source, line: 1 }, `--group needs a group column; the file has columns: ${header.join(', ')}; ${hint('group')}`);
    const groupOf = (rec: RawRecord) => String(rec.values.get(col)?.text ?? '');
    kept = records.filter((rec) => options.groups!.includes(groupOf(rec)));
    if (kept.length === 0) {
      const present = [...new Set(records.map(groupOf))];
      throw new InputError({ file: source, line: 1, columnName: col }, `no runs in group ${options.groups.map((g) => `"${g}"`).join(' or ')}; the file's groups are ${present.map((g) => `"${g}"`).join(', ')}`);
    }
  }
  const runs: Run[] = kept.map((rec) => {
    const run: Run = { loss: NaN, line: rec.line };
    for (const f of numericFields) {
      const col = columns[f];
      if (col === undefined) continue;
      const cell = rec.values.get(col);
      if (cell === undefined) {
        throw new InputError({ file: source, line: rec.line, columnName: col }, `this run has no value for "${col}" (${f}); expected a positive number`);
      }
      const value = parseNumber(cell.text);
      const where = { file: source, line: cell.line, column: cell.column, columnName: col };
      if (Number.isNaN(value)) throw new InputError(where, `expected a positive number for ${f}, got ${describeRaw(cell.text)}`);
      if (!Number.isFinite(value)) throw new InputError(where, `expected a finite positive number for ${f}, got ${describeRaw(cell.text)}`);
      if (value <= 0) throw new InputError(where, `expected a positive number for ${f}, got ${describeRaw(cell.text)} (${f} must be > 0)`);
      run[f] = value;
    }
    for (const f of ['group', 'run'] as const) {
      const col = columns[f];
      const cell = col === undefined ? undefined : rec.values.get(col);
      if (cell && cell.text !== null && String(cell.text) !== '') run[f] = String(cell.text);
    }
    if (columns.step !== undefined) {
      const cell = rec.values.get(columns.step);
      if (cell && cell.text !== null && String(cell.text).trim() !== '') {
        const step = parseNumber(cell.text);
        if (!(step >= 0) || !Number.isFinite(step)) {
          throw new InputError({ file: source, line: cell.line, column: cell.column, columnName: columns.step }, `expected a non-negative step number, got ${describeRaw(cell.text)}`);
        }
        run.step = step;
      }
    }
    if (derived.D && run.C !== undefined && run.N !== undefined) run.D = run.C / (6 * run.N);
    if (derived.C && run.N !== undefined && run.D !== undefined) run.C = 6 * run.N * run.D;
    if (run.U !== undefined && run.D !== undefined && run.U > run.D * (1 + 1e-9)) {
      const cell = rec.values.get(columns.U!)!;
      throw new InputError(
        { file: source, line: cell.line, column: cell.column, columnName: columns.U },
        `unique tokens U = ${run.U} exceed total tokens D = ${run.D}; expected U ≤ D`,
      );
    }
    return run;
  });

  const usedColumns: Dataset['columns'] = {};
  for (const [f, c] of Object.entries(columns)) usedColumns[f as Field] = c;
  const dataset: Dataset = { source, runs, columns: usedColumns, derived };
  if (kept !== records) dataset.selection = `group ${options.groups!.join(' or ')}: ${kept.length} of ${records.length} rows`;
  return dataset;
}

/** Parse a `--columns` value: `N="Model Size",C=Training FLOP`. */
export function parseColumnMapping(spec: string): Partial<Record<Field, string>> {
  const out: Partial<Record<Field, string>> = {};
  for (const part of splitTopLevel(spec)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--columns: expected FIELD=COLUMN pairs separated by commas, got "${part}"`);
    const field = part.slice(0, eq).trim();
    let column = part.slice(eq + 1).trim();
    if (/^".*"$/.test(column) || /^'.*'$/.test(column)) column = column.slice(1, -1);
    if (!(field in fieldAliases)) {
      throw new UsageError(`--columns: unknown field "${field}": expected one of ${Object.keys(fieldAliases).join(', ')}`);
    }
    out[field as Field] = column;
  }
  return out;
}

function splitTopLevel(spec: string): string[] {
  const parts: string[] = [];
  let cur = '', quote = '';
  for (const ch of spec) {
    if (quote) {
      if (ch === quote) quote = '';
      cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (ch === ',') {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') parts.push(cur);
  return parts;
}
