/**
 * Read runs from a file on disk (CSV, JSON array or JSONL): the Node side of io/parseRuns.ts.
 *
 * CSV and JSONL are streamed: the file is read in chunks and each record is validated and handed
 * on as it is parsed, so memory does not grow with the file (a caller that keeps every run, as a
 * fit must, holds only the runs). A JSON array is read whole, up to MAX_WHOLE_FILE_BYTES.
 */
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { closestNames, levenshtein } from '../core/names.js';
import { StringDecoder } from 'node:string_decoder';
import { Parser } from 'csv-parse';
import { InputError } from '../errors/index.js';
import {
  BINARY_CHECK_CHARS,
  binaryProblem,
  csvError,
  csvOptions,
  CsvRecord,
  detectFormat,
  JsonlRuns,
  JsonRunsVisitor,
  notUtf8Error,
  RunValidator,
  runFormatNames,
  stripBom,
  unreadFormat,
  type DatasetInfo,
  type ParseRunsOptions,
  type RunFormat,
} from './parseRuns.js';
import { tagNonFinite } from './parseJson.js';
import { cutLastLineNote, notUtf8Detail, OpenQuoteScanner, Utf8Scanner } from './textPosition.js';
import { notRecordedNote, type Dataset, type Run } from './dataset.js';

import { MAX_WHOLE_FILE_BYTES } from './limits.js';
export { MAX_WHOLE_FILE_BYTES };

/** Longest JSONL line: one run is a few hundred bytes; a longer line is not a file of runs. */
export const MAX_JSONL_LINE_BYTES = 16 * 1024 * 1024;

const CHUNK_BYTES = 1 << 20;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;

const defaultWhat = `a ${runFormatNames} file of runs`;

/** The file's size, or a located error when it is missing or a folder. */
export function inputSize(path: string, what = defaultWhat): number {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    const near = nearbyFile(path);
    throw new InputError({ file: path }, `no such file${near ? ` (did you mean ${near}?)` : ''}: expected ${what}`);
  }
  if (stat.isDirectory())
    throw new InputError(
      { file: path },
      `is a folder: expected ${what}${
        // A folder of trainer outputs, one per run: said how its runs become the one file read.
        what === defaultWhat
          ? ' (a folder of training runs is not read: write one file with a row per run (N, D and loss, as examples/inputs/runs.csv) or per checkpoint (with a run column); several files of runs become one by importing them into one study of the run store and exporting it, scalelab runs import then scalelab runs export)'
          : ''
      }`,
    );
  return stat.size;
}

/**
 * A file beside a missing one whose name is one slip away (examples/chinchila.csv → examples/chinchilla.csv),
 * written as the user wrote the folder; undefined when the folder is unreadable or nothing is close.
 */
function nearbyFile(path: string): string | undefined {
  const name = basename(path);
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return undefined;
  }
  const [best] = closestNames(name, names, 1);
  if (best !== undefined && levenshtein(best.toLowerCase(), name.toLowerCase()) <= Math.max(2, name.length / 4))
    return path.includes('/') || path.includes('\\') ? join(dirname(path), best) : best;
  // The README's data sets live in examples/: "fit chinchilla.csv" from the project's root means that one.
  const bundled = join('examples', path);
  return !isAbsolute(path) && existsSync(bundled) ? bundled : undefined;
}

/**
 * A whole small file as text (fits, worlds, plans, tables), refusing one too large to read whole.
 * @param what the kind of file the caller expects, for the error when it is missing or a folder
 *   ("a fit (JSON from \"scalelab fit --out FILE\")", "a world file (JSON)")
 */
export function readText(path: string, what: string): string {
  const size = inputSize(path, what);
  if (size > MAX_WHOLE_FILE_BYTES) {
    throw new InputError(
      { file: path },
      `the file is ${mib(size)}; expected at most ${mib(MAX_WHOLE_FILE_BYTES)} for a file read whole (runs as CSV or JSONL are streamed and may be larger)`,
    );
  }
  const bytes = readFileSync(path);
  const text = bytes.toString('utf8');
  // UTF-16 read as UTF-8 would otherwise come back as "malformed CSV" or "not JSON" somewhere inside.
  const binary = binaryProblem(text.slice(0, BINARY_CHECK_CHARS), path, what);
  if (binary) throw binary;
  checkUtf8(bytes, text, path);
  noteCutLastLine(path, text);
  return stripBom(text);
}

/** Bytes of a file's end read for its last two lines (a row of runs is a few hundred bytes). */
const TAIL_BYTES = 64 * 1024;

/**
 * Says on stderr, as the CLI's notes are (never in a result, so quiet under --json's stdout), when a
 * file's last line has no line end and its last number looks cut (cutLastLineNote says when, and why
 * only then): a killed writer's or an unfinished copy's last row is read as written, not refused, as
 * the number may be whole. `text` is the file's text where the caller read it whole; else its tail is read.
 */
export function noteCutLastLine(path: string, text?: string): void {
  let tail = text?.slice(-TAIL_BYTES);
  if (tail === undefined) {
    try {
      const fd = openSync(path, 'r');
      try {
        const size = fstatSync(fd).size;
        const buf = Buffer.alloc(Math.min(size, TAIL_BYTES));
        readSync(fd, buf, 0, buf.length, size - buf.length);
        tail = buf.toString('utf8');
      } finally {
        closeSync(fd);
      }
    } catch {
      return; // read already, or its reader said why not
    }
  }
  const note = cutLastLineNote(tail);
  if (note === undefined) return;
  let line = 1;
  if (text !== undefined) for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) line++;
  else eachChunk(path, (chunk) => void (line += chunk.filter((b) => b === 10).length));
  process.stderr.write(`scalelab: note: ${path}:${line}: ${note}\n`);
}

/** Refuses, located, a file's bytes that are not UTF-8, given its text as decoded (parseRuns' notUtf8Error). */
export function checkUtf8(bytes: Uint8Array, text: string, path: string): void {
  const bad = notUtf8Error(bytes, text, path);
  if (bad) throw bad;
}

/**
 * A check that a streamed file's chunks are UTF-8 (natively, as they pass); the first bytes that are
 * not are then found, with their line and column, by reading the file again.
 */
function utf8Check(path: string): { chunk(bytes: Uint8Array): void; end(): void } {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const fail = (): never => {
    const scanner = new Utf8Scanner();
    let bad: ReturnType<Utf8Scanner['feed']>;
    eachChunk(path, (c) => !(bad = scanner.feed(c)));
    bad ??= scanner.end();
    if (!bad) throw new InputError({ file: path }, 'the file changed while it was read; expected UTF-8 text');
    throw new InputError({ file: path, line: bad.line, column: bad.column }, notUtf8Detail(bad));
  };
  return {
    chunk(bytes) {
      try {
        decoder.decode(bytes, { stream: true });
      } catch {
        fail();
      }
    },
    end() {
      try {
        decoder.decode();
      } catch {
        fail();
      }
    },
  };
}

/** A binary file's bytes, read whole (a TensorBoard event file), with readText's checks. */
export function readBytes(path: string, what: string): Uint8Array {
  const size = inputSize(path, what);
  if (size > MAX_WHOLE_FILE_BYTES)
    throw new InputError(
      { file: path },
      `the file is ${mib(size)}; expected at most ${mib(MAX_WHOLE_FILE_BYTES)} for a file read whole`,
    );
  return readFileSync(path);
}

/** Read a file in chunks, calling `onChunk` with each; stops early when it returns false. */
function eachChunk(path: string, onChunk: (chunk: Buffer) => boolean | void): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new InputError({ file: path }, `cannot read the file: ${(e as Error).message}`);
  }
  try {
    for (;;) {
      // A fresh buffer each time: csv-parse keeps a view of an unfinished record's bytes.
      const buf = Buffer.allocUnsafe(CHUNK_BYTES);
      const n = readSync(fd, buf, 0, CHUNK_BYTES, null);
      if (n === 0) return;
      if (onChunk(n === CHUNK_BYTES ? buf : buf.subarray(0, n)) === false) return;
    }
  } finally {
    closeSync(fd);
  }
}

/** The first characters of a file, to detect its format and refuse binary data. */
function head(path: string): string {
  let text = '';
  eachChunk(path, (chunk) => {
    text = new StringDecoder('utf8').write(chunk.subarray(0, BINARY_CHECK_CHARS));
    return false;
  });
  return text;
}

/** Largest CSV file that simpleCsvRecords may read (whole) instead of csv-parse. */
const SIMPLE_CSV_BYTES = CHUNK_BYTES;

/**
 * The records of a comma-separated file, each with its 1-based line, when it is plain enough that
 * splitting lines and fields gives what csv-parse gives with csvOptions' options (skip_empty_lines,
 * trim, bom): printable ASCII, spaces, no quotes, lines ending all in \n or all in \r\n, no line of
 * only spaces, and every record as long as the first. Otherwise (or for no records) undefined, and
 * csv-parse reads the file, with its errors. csv-parse's byte-by-byte parser is most of the time a
 * small file's reading takes in a fresh process (README, Speed).
 */
export function simpleCsvRecords(bytes: Uint8Array, delimiter: string): [number, string[]][] | undefined {
  if (delimiter !== ',') return undefined;
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + bom, bytes.length - bom).toString('latin1');
  if (/[^\x20\x21\x23-\x7e\n\r]/.test(text)) return undefined;
  const crlf = text.includes('\r');
  const lines = text.split(crlf ? '\r\n' : '\n');
  const records: [number, string[]][] = [];
  let width = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    if ((crlf && (line.includes('\r') || line.includes('\n'))) || line.trim() === '') return undefined;
    const fields = line.split(',');
    if (width < 0) width = fields.length;
    else if (fields.length !== width) return undefined;
    for (let j = 0; j < fields.length; j++) fields[j] = fields[j].trim();
    records.push([i + 1, fields]);
  }
  return records.length > 0 ? records : undefined;
}

/** The incremental parser under csv-parse's stream API, driven synchronously chunk by chunk. */
interface CsvApi {
  parse(
    chunk: Buffer | undefined,
    end: boolean,
    push: (record: string[]) => void,
    close: () => void,
  ): Error | undefined;
  info: { lines: number };
}

/**
 * A file separated by semicolons' decimal mark, read ahead of its rows up to its first number that shows one
 * (noteFileDecimalMark), as parseRuns reads it for a file held whole: a first row's 3.125 reads by a later
 * row's 2.9871. Any problem is left for the reading of the rows, which says it where it is.
 */
function noteDecimalMarkAhead(path: string, options: ReturnType<typeof csvOptions>, validator: RunValidator): void {
  const api = (new Parser(options) as unknown as { api: CsvApi }).api;
  let index: Map<string, number> | undefined;
  let known = false;
  const push = (record: string[]) => {
    if (known) return;
    if (index === undefined) index = validator.setHeader(record, api.info.lines, options.delimiter);
    else known = validator.noteFileDecimalMark([new CsvRecord(api.info.lines, record, index)]);
  };
  try {
    eachChunk(path, (chunk) => !api.parse(chunk, false, push, () => {}) && !known);
    if (!known) api.parse(undefined, true, push, () => {});
  } catch {
    // The rows' reading meets the same problem in its place.
  }
}

function streamCsv(
  path: string,
  size: number,
  head: string,
  validator: RunValidator,
  onRun: (run: Run) => void,
  onBytes?: (n: number) => void,
): void {
  const options = csvOptions(path, head);
  if (options.delimiter === ';') noteDecimalMarkAhead(path, options, validator);
  let index: Map<string, number> | undefined;
  let header: string[] | undefined;
  const pushAt = (line: number, record: string[]) => {
    if (index === undefined) {
      header = record;
      index = validator.setHeader(record, line, options.delimiter);
      return;
    }
    const run = validator.run(new CsvRecord(line, record, index));
    if (run) onRun(run);
  };
  if (size <= SIMPLE_CSV_BYTES) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new InputError({ file: path }, `cannot read the file: ${(e as Error).message}`);
    }
    const records = simpleCsvRecords(bytes, options.delimiter);
    if (records) {
      for (const [line, record] of records) pushAt(line, record);
      // Most files end in a line end: only one that does not is turned into text for the note's check.
      if (bytes.length && bytes[bytes.length - 1] !== 10) noteCutLastLine(path, bytes.toString('utf8'));
      onBytes?.(bytes.length);
      return;
    }
  }
  // csv-parse's stream Parser wraps a synchronous record parser (`api`, which its sync and stream
  // entry points both use). Driving it directly keeps readRuns synchronous for every command while
  // reading the file in chunks; `info.lines` is where each record ends, as in `info: true` mode.
  const api = (new Parser(options) as unknown as { api: CsvApi }).api;
  const push = (record: string[]) => pushAt(api.info.lines, record);
  const fail = (e: Error): never => {
    let open: { line: number; field: number } | undefined;
    if ((e as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED') {
      // Only noticed at the end of the file: read it again to find where the quote opens.
      const scanner = new OpenQuoteScanner(options.delimiter);
      const decoder = new StringDecoder('utf8');
      eachChunk(path, (chunk) => scanner.feed(decoder.write(chunk)));
      open = scanner.unclosed();
    }
    throw csvError(e, path, header, open);
  };
  const utf8 = utf8Check(path);
  eachChunk(path, (chunk) => {
    utf8.chunk(chunk);
    const err = api.parse(chunk, false, push, () => {});
    if (err) fail(err);
    onBytes?.(chunk.length);
  });
  utf8.end();
  const err = api.parse(undefined, true, push, () => {});
  if (err) fail(err);
  noteCutLastLine(path);
}

function streamJsonl(
  path: string,
  validator: RunValidator,
  onRun: (run: Run) => void,
  onBytes?: (n: number) => void,
): void {
  let carry: Buffer | undefined;
  let line = 0;
  const jsonl = new JsonlRuns(validator, onRun);
  const utf8 = utf8Check(path);
  const emit = (bytes: Buffer) => {
    line++;
    const text = bytes.toString('utf8');
    jsonl.line(line === 1 ? stripBom(text) : text, line);
  };
  eachChunk(path, (chunk) => {
    utf8.chunk(chunk);
    // Lines are split on the newline byte, which never occurs inside a UTF-8 multi-byte character.
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      emit(carry ? Buffer.concat([carry, piece]) : piece);
      carry = undefined;
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
      if (carry.length > MAX_JSONL_LINE_BYTES) {
        throw new InputError(
          { file: path, line: line + 1 },
          `line longer than ${mib(MAX_JSONL_LINE_BYTES)}; expected one run (a JSON object) per line`,
        );
      }
    }
    onBytes?.(chunk.length);
  });
  utf8.end();
  // A JSONL line cut anywhere but after its closing brace is not JSON, and refused located ("a number cut
  // short"): no note is needed for a last line without a line end.
  if (carry) emit(carry);
}

/** Files whose W&B display name was said to be read as the run, in this process. */
const notedNameRun = new Set<string>();
/** Files whose blank configuration cells were said (notRecordedNote), once a file. */
const notedNotRecorded = new Set<string>();

/**
 * Validate a file's runs one at a time, calling `onRun` with each (those --group keeps), without
 * holding the file in memory. Returns what a Dataset says besides its runs.
 * @throws InputError naming the file, line and column of the first problem
 */
export function forEachRun(
  path: string,
  options: Omit<ParseRunsOptions, 'source'>,
  onRun: (run: Run) => void,
  onBytes?: (n: number) => void,
): DatasetInfo {
  const size = inputSize(path);
  const start = head(path);
  const format = options.format ?? detectFormat(path, start);
  if (format === 'json' && size > MAX_WHOLE_FILE_BYTES) {
    throw new InputError(
      { file: path },
      `the JSON file is ${mib(size)}; a JSON array is read whole, up to ${mib(MAX_WHOLE_FILE_BYTES)}: write larger files as JSONL (one run per line) or CSV, which are streamed`,
    );
  }
  const binary = binaryProblem(start, path);
  if (binary) throw binary;
  const validator = new RunValidator({ ...options, source: path });
  try {
    readRecords(path, format, size, start, validator, onRun, onBytes);
  } catch (e) {
    throw validator.earlierError(e);
  }
  const info = validator.finish(format);
  // A display name read as the run is said (once a file: runs import reads it twice): it is not an id. Only
  // a name repeated at one step is refused; runs that share a name and never log at one step cannot be told
  // apart by their rows, so the note does not claim the names are unique.
  if (info.wandbNameRun !== undefined && !notedNameRun.has(path)) {
    notedNameRun.add(path);
    process.stderr.write(
      `scalelab: note: ${path}: W&B's display name "${info.wandbNameRun}" is read as the run: no name here repeats at a step (one that did would be refused), but runs that share a name and never log at the same step would be read as one run's rows; to read W&B's run ids instead, add its ID column to the export and map it as the run (run=ID)\n`,
    );
  }
  // Blank configuration cells (a study export's imported runs beside its sweep's) are said once a file too.
  const lacking = notRecordedNote(info);
  if (lacking !== undefined && !notedNotRecorded.has(path)) {
    notedNotRecorded.add(path);
    process.stderr.write(`scalelab: note: ${path}: ${lacking}\n`);
  }
  return info;
}

function readRecords(
  path: string,
  format: RunFormat,
  size: number,
  start: string,
  validator: RunValidator,
  onRun: (run: Run) => void,
  onBytes: ((n: number) => void) | undefined,
): void {
  switch (format) {
    case 'csv':
      streamCsv(path, size, start, validator, onRun, onBytes);
      break;
    case 'jsonl':
      streamJsonl(path, validator, onRun, onBytes);
      break;
    case 'json': {
      const text = readText(path, `a ${runFormatNames} file of runs`);
      const elsewhere = taskMetricsFile(text, path);
      if (elsewhere) throw elsewhere;
      new JsonRunsVisitor(path, 'array', (rec) => {
        const run = validator.run(rec);
        if (run) onRun(run);
      }).visit(text);
      onBytes?.(size);
      break;
    }
    default:
      unreadFormat(format);
  }
}

export function readRuns(path: string, options: Omit<ParseRunsOptions, 'source'> = {}): Dataset {
  const runs: Run[] = [];
  const { rows: _rows, ...info } = forEachRun(path, options, (run) => void runs.push(run));
  void _rows;
  return { ...info, runs };
}

/**
 * An lm-evaluation-harness results file given where runs go: the parser's "expected a JSON array of runs,
 * got an object" left the user to guess that `scalelab downstream` reads it (the web app says its panel).
 */
function taskMetricsFile(text: string, path: string): InputError | undefined {
  if (!/^\s*\{/.test(stripBom(text))) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(tagNonFinite(stripBom(text)));
  } catch {
    return undefined; // not JSON: the parser's own error says where
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || !('results' in doc)) return undefined;
  return new InputError(
    { file: path, line: 1, column: 1 },
    'this is an lm-evaluation-harness results file (task metrics, not training runs): read it with "scalelab downstream" (import, screen, predict, plan); here a file of runs (N, D or C, and loss) is expected',
  );
}
