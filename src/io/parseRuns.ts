/**
 * Parse training runs from CSV, a JSON array or JSONL text into a validated Dataset.
 *
 * Pure (text in, Dataset out) so the CLI, the server and the browser share it. Every problem is an
 * InputError naming file, line, column and what was expected; no row is silently dropped.
 *
 * The pieces are also used one record at a time: io/readRuns.ts streams large files through the
 * same RunValidator and JSON visitor, so a file read whole and a file streamed give the same runs
 * and the same errors.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { visit, type JSONVisitor, type ParseErrorCode } from 'jsonc-parser';
import { malformedJson, nonFiniteWord } from './jsonSyntax.js';
import { InputError, type Location, OptionError, type OptionNamer } from '../errors/index.js';
import {
  groupSelectionNote,
  noRunsInGroups,
  runStates,
  type ConfigurationField,
  type Dataset,
  type Run,
  type RunState,
} from './dataset.js';
import { parseSuffixedNumber, sizeSuffixOf, suffixHint } from '../core/quantity.js';
import { lastDigitPlace, notePrintedPlaces, type PrintedPlaces, type RunValueField } from '../core/sameRun.js';
import {
  lineColumn,
  lineStartsOf,
  notUtf8Detail,
  OpenQuoteScanner,
  quoteForMessage,
  Utf8Scanner,
} from './textPosition.js';
import { levenshtein } from '../core/names.js';
import { formatNumber } from '../core/format.js';

export type RunFormat = 'csv' | 'json' | 'jsonl';

/** The formats of a file of runs as messages, help and the web app name them: one phrase to change with RunFormat. */
export const runFormatNames = 'CSV, JSON or JSONL';

/**
 * Where a dispatch on RunFormat has no case for a format: every dispatch is a switch ending here, so
 * a format added to RunFormat fails the type check at each place that must read it (parseRuns,
 * forEachRun, fileColumns), instead of being read as the last format in an if–else.
 */
export function unreadFormat(format: never): never {
  throw new Error(`no reader for the run format "${String(format)}"`);
}

/** What a file of runs without a run says, by format. */
const noRunsIn: Record<RunFormat, string> = {
  csv: 'no runs in the file: expected at least one row after the header',
  json: 'no runs in the file: expected at least one run (a JSON object) in its array',
  jsonl: 'no runs in the file: expected at least one line with a run (a JSON object)',
};

/** Fields a run can have, and the column names recognised for each without a mapping. */
export const fieldAliases = {
  // After the counts of all parameters, a spreadsheet's other spellings; Kaplan's non-embedding count last.
  N: [
    'N',
    'params',
    'parameters',
    'n_params',
    'num_params',
    'num_parameters',
    'model_size',
    'Model Size',
    'param_count',
    'parameter_count',
    'model_params',
    // A total under its own name before the non-embedding count: a file with both means N as the total.
    'total_params',
    'params_total',
    'total_parameters',
    'non_embedding_params',
  ],
  // Not "dataset_size": in data-constrained work it often means the unique tokens (U), not those trained on.
  D: [
    'D',
    'tokens',
    'n_tokens',
    'num_tokens',
    'train_tokens',
    'training_tokens',
    'tokens_seen',
    'token_count',
    'tokens_trained',
    'total_tokens',
  ],
  C: ['C', 'flops', 'compute', 'compute_budget', 'train_flops', 'Training FLOP', 'total_flops', 'training_flops'],
  U: ['U', 'unique_tokens', 'unique'],
  // A held-out loss before the training loss, `loss` included: a Hugging Face Trainer's log_history has
  // `loss` (the training loss) beside `eval_loss`, a tracker's export train/loss beside eval/loss. Only
  // a file with both is read differently: the earlier name wins where several are present.
  loss: ['val_loss', 'eval_loss', 'validation_loss', 'test_loss', 'loss', 'final_loss', 'L', 'train_loss'],
  batch: ['batch', 'batch_size', 'batch_tokens'],
  lr: ['lr', 'learning_rate', 'eta', 'train_lr', 'train_learning_rate'],
  // Hugging Face's config names (hidden_size, num_hidden_layers), nanoGPT's n_embd, OLMo's n_layers.
  width: ['width', 'd_model', 'hidden_size', 'n_embd'],
  layers: ['layers', 'n_layer', 'n_layers', 'num_layers', 'num_hidden_layers', 'depth'],
  gradSq: ['grad_sq', 'grad_norm_sq', 'gradient_norm_sq'],
  group: ['group'],
  // Not W&B's `Name` by this list: a display name, which runs can share (seeds, a sweep named alike); it is
  // read as the run only in a W&B history export (wandbNameColumn), refused where a name repeats at a step.
  run: ['run', 'run_id'],
  /**
   * What a bootstrap draws together above the run: cooldown branches of one WSD trunk share most of
   * their training, so rows with equal values move together in a resample.
   */
  lineage: ['lineage', 'trunk'],
  /**
   * Where a run stands in its tracker (W&B's `State`): a crashed or killed run's last checkpoint is not
   * its final loss. Not `status`: a user's own column of that name holds their own words ("ok").
   */
  state: ['state', 'run_state'],
  // A trainer's step; W&B's `_step` (its count of log calls, the step only when a run logs once a step) last of all.
  step: ['step', 'global_step', 'trainer/global_step', 'train/global_step', 'trainer/step', 'train/step'],
} as const;

/**
 * A mapping's column that reads no column for its field (`lr=-`): a column the command would find by
 * its name and read (and refuse at a bad value) is left unread when the user does not want it.
 */
export const UNREAD_COLUMN = '-';

/**
 * Columns W&B writes beside `Name` in a runs-table export (State, Created, Runtime, …) or a history
 * export (_step, _runtime, _timestamp), spelled as it writes them: a `Name` beside one of them is W&B's
 * display name, not some other file's "name".
 */
const WANDB_COLUMNS = ['State', 'Created', 'Runtime', 'Sweep', 'User', 'Tags', '_step', '_runtime', '_timestamp'];

/**
 * W&B's columns of a run as a whole, which its runs-table export has and a history export does not: a
 * row of such a file is a whole run (its `_step` is the run's last), so a name on two rows is two runs.
 */
const WANDB_RUN_COLUMNS = ['State', 'Created', 'Runtime', 'Sweep', 'User', 'Tags'];

/**
 * W&B's display-name column in a history export (W&B's columns, none of a runs table's), else undefined.
 * A history's rows are steps, so without a run column they need Name to be told apart. A runs table's
 * rows are whole runs already: its Name stays unread there (each row its own run, as before), since
 * seeds named alike would otherwise turn a file that reads into a refusal; `run=Name` maps it, checked.
 */
function wandbNameColumn(header: readonly string[]): string | undefined {
  const name = header.find((h) => h.trim() === 'Name');
  const names = header.map((h) => h.trim());
  return name !== undefined &&
    names.some((h) => WANDB_COLUMNS.includes(h)) &&
    !names.some((h) => WANDB_RUN_COLUMNS.includes(h))
    ? name
    : undefined;
}

/** W&B's count of log calls: read as the step only when no step column is there (a caller may say so). */
export const WANDB_LOG_COUNT = '_step';

export type Field = keyof typeof fieldAliases;

const numericFields = ['N', 'D', 'C', 'U', 'loss', 'batch', 'lr', 'width', 'layers', 'gradSq'] as const;

/**
 * A run's training configuration and measurements beside its result: a run may not have recorded them (a
 * study's export writes blank cells for its imported runs beside its sweep's), and a blank there is that,
 * not an error, unless the read needs the field. N, D, C, U and loss are the runs' coordinates in a fit: a
 * blank C or U would be 6ND or D for one run beside measured values for the others, so blanks stay refused.
 */
const configurationFields: readonly Field[] = [
  'batch',
  'lr',
  'width',
  'layers',
  'gradSq',
] satisfies ConfigurationField[];

/**
 * Deepest JSON nesting accepted. A run is an object in an array (depth 2); the limit leaves room
 * for structured values and stops a hostile file from exhausting the parser's recursion.
 */
const MAX_JSON_DEPTH = 32;

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
  /**
   * The column whose equal values a bootstrap draws together (the trunk of WSD cooldown branches):
   * the same as `columns: { lineage }`. Every kept row needs a value.
   */
  lineage?: string;
  /**
   * A row at step 0 (the loss before any update, a trainer's first log) may hold 0 tokens, 0 compute
   * and a learning rate of 0 (nothing trained yet, a warmup's start): the curve-law readers leave
   * that row's loss out, and read its learning rate as the schedule's start.
   */
  zeroAtStepZero?: boolean;
  /**
   * A row whose loss is NaN or an infinity (a run that diverged: a learning-rate sweep's largest rates)
   * is kept aside in the data set's `diverged` instead of refused, for a reader to whom a divergence is
   * information (the optimum lies below it). An empty loss (a crashed run, or none logged) is still refused.
   */
  keepDiverged?: boolean;
}

/** One value of a raw record, with its position (CSV: line and field; JSON: line and character). */
export interface Cell {
  text: string | number | null;
  line: number;
  column: number;
}

/** One raw record, before validation. */
export interface RawRecord {
  line: number;
  /** Names of the values present (a JSON object's keys; a CSV row has the header's). */
  keys(): Iterable<string>;
  cell(name: string): Cell | undefined;
}

/** A JSON object's values by key. */
class MapRecord implements RawRecord {
  readonly values = new Map<string, Cell>();
  constructor(readonly line: number) {}
  keys(): Iterable<string> {
    return this.values.keys();
  }
  cell(name: string): Cell | undefined {
    return this.values.get(name);
  }
}

/**
 * A bare NaN or infinity (Python's json.dumps writes them) as the value of a run's key: refused as malformed
 * JSON, but a JSONL line's loss so written is a run without a usable loss, counted with the others (a
 * crashed run's line among several would otherwise stop the count at it).
 */
class NonFiniteJsonError extends InputError {
  constructor(
    location: Location,
    detail: string,
    readonly key: string,
    readonly word: string,
    readonly record: RawRecord,
  ) {
    super(location, detail);
  }
}

/** A CSV row: cells by the header's column index (no per-row map: files run to millions of rows). */
export class CsvRecord implements RawRecord {
  constructor(
    readonly line: number,
    private readonly cells: string[],
    private readonly index: Map<string, number>,
  ) {}
  keys(): Iterable<string> {
    return this.index.keys();
  }
  cell(name: string): Cell | undefined {
    const i = this.index.get(name);
    return i === undefined ? undefined : { text: this.cells[i] ?? '', line: this.line, column: i + 1 };
  }
}

/**
 * A column name as matched against the aliases: case, spaces, _, -, / and . ignored, so "Model Size",
 * "model_size" and a tracker's "eval/loss" (Weights & Biases exports) read as the names they are.
 */
function normalise(name: string): string {
  return name.toLowerCase().replace(/[\s_\-/.]+/g, '');
}

/** Sizes a header may give its unit in: `params (M)`, `tokens [B]`, `FLOPs (1e18)`. */
const scaledFields = ['N', 'D', 'C', 'U'] as const;

/**
 * The words and letters of a size's unit in a header, and their factors: a cell's suffixes (k, M, B, G,
 * T) and the words. Not a lowercase `m`, which could be milli or mega, as in a cell.
 */
const HEADER_SCALES: readonly [RegExp, number, string][] = [
  [/^(k|thousands?)$/i, 1e3, 'thousands'],
  [/^(M|mio|mn|millions?)$/i, 1e6, 'millions'],
  [/^(b|G|bn|billions?)$/i, 1e9, 'billions'],
  [/^(t|trillions?)$/i, 1e12, 'trillions'],
  // As a cell's suffix P (core/quantity.ts), so a header reads what its cells may be written with.
  [/^P$/, 1e15, 'P (1e15)'],
];

/**
 * Sizes a header's unit may not scale a value beyond: 5× the largest models, and a few hundred times the
 * largest training sets and budgets, published to date (~2e12 parameters, ~4e13 tokens, ~5e26 FLOPs).
 * A column headed "params (M)" whose cells are already counts (125000000) would read as 1.25e14 parameters
 * and fit without a word (no trust warning looks at the scale of N); past these it is refused instead. At
 * 1e13 parameters any count from 1e7 up under (M) is caught, and any token count from 1e7 up under (B).
 */
const HEADER_SCALED_CEILING: Readonly<Record<(typeof scaledFields)[number], number>> = {
  N: 1e13,
  D: 1e16,
  U: 1e16,
  C: 1e30,
};

/**
 * Text in a header's brackets that looks like a scale headerScale does not read: another power of ten
 * (1e-3, x1e6, ×10^6), another abbreviation (m: milli or mega?, MM, mil, Mrd), a scale word, or bytes.
 * Not a word that describes the column (params, count, non-embedding, FLOPs), which is no scale.
 */
const SCALE_LIKE =
  /^(?:[x×*]\s*)?(?:\d|10\s*\^|e[+-]?\d)|^(?:m|b|g|t|mm|mil|mill|mln|mio|mn|bil|bln|bio|mrd|md|tn|tr|tri|e|[kmgtp]i?b|bytes?)\.?$|^(?:[kmbgtp]|mm|mn|bn|mil|mio)\.?\s+\w|days?$|illion|thousand|milliard|lakh|crore/i;

/** A header's name and the unit it gives in brackets after it (`tokens [in B]`: tokens, B). */
function headerBrackets(header: string): { name: string; unit: string } | undefined {
  const m = /^(.*?\S)\s*(?:\(\s*([^()]*?)\s*\)|\[\s*([^[\]]*?)\s*\])\s*$/.exec(header);
  return m ? { name: m[1], unit: (m[2] ?? m[3] ?? '').replace(/^in\s+/i, '') } : undefined;
}

/**
 * A header that gives a size's unit in brackets after its name (`params (M)`, `tokens [B]`, `tokens (in
 * billions)`, `FLOPs (1e18)`): the name without it, and the factor its values are multiplied by. A
 * spreadsheet's column of sizes is often so written, and read as given it fitted N in millions. Only
 * units that are a scale: a lowercase `m` (milli or mega?) or another unit (PF-days) is no match.
 */
function headerScale(header: string): { name: string; scale: number; unit: string } | undefined {
  const m = headerBrackets(header);
  if (!m) return undefined;
  const { name, unit } = m;
  const power = /^(?:1e\+?|10\^)(\d{1,2})$/i.exec(unit);
  if (power) return { name, scale: 10 ** Number(power[1]), unit: `1e${Number(power[1])}` };
  const word = ambiguousLowercase(name, unit) ? undefined : HEADER_SCALES.find(([pattern]) => pattern.test(unit));
  return word ? { name, scale: word[1], unit: word[2] } : undefined;
}

/**
 * Whether a header's unit is a lowercase letter that may not be the scale it would read as: `m` (milli or
 * mega?), `g` (grams or giga: no cell reads a `g` either), and `b` or `t` (bytes or bits, time) except after
 * a name that counts parameters or tokens (`params (b)`, `tokens (t)`), where no other reading is a size:
 * `model_size (b)` may be bytes, `compute (t)` time.
 */
function ambiguousLowercase(name: string, unit: string): boolean {
  if (unit === 'm' || unit === 'g') return true;
  return (unit === 'b' || unit === 't') && !/param|token/i.test(name);
}

/** What a lowercase unit may mean besides a scale, said where it is refused. */
const LOWERCASE_MEANINGS: Readonly<Record<string, string>> = {
  m: 'a lowercase m could mean milli or mega: write M for millions',
  g: 'a lowercase g could mean grams or giga: write G or B for billions',
  b: 'a lowercase b could mean bytes or bits, and is read as billions only after a name that counts parameters or tokens (params (b)): write B for billions',
  t: 'a lowercase t could mean time, and is read as trillions only after a name that counts parameters or tokens (tokens (t)): write T for trillions',
};

/**
 * The words a header may put in brackets after a field's name to say what the column counts rather than
 * its scale (`N (params)`, `D (tokens)`, `C (FLOPs)`, `loss (nats)`): the field's own names and the unit it
 * is counted in. Compared normalised; a scale (params (M)) is headerScale's.
 */
const QUANTITY_WORDS: Partial<Record<Field, readonly string[]>> = {
  N: [...fieldAliases.N, 'parameter', 'count'],
  D: [...fieldAliases.D, 'count'],
  C: [...fieldAliases.C, 'FLOP'],
  U: [...fieldAliases.U, 'tokens', 'unique tokens'],
  loss: ['nats', 'nat'],
};

/** A header's name where its brackets name `field`'s quantity (N (params): N), else undefined. */
function quantityNamed(header: string, field: Field): string | undefined {
  const m = headerBrackets(header);
  const words = QUANTITY_WORDS[field];
  return m && words?.some((w) => normalise(w) === normalise(m.unit)) ? m.name : undefined;
}

/**
 * Why a numeric field's header cannot be read as written, or undefined: its brackets give a scale that
 * is not applied (N in `params (MM)`, lr in `lr (1e-3)`, loss in `loss (M)`). Read as written, such a
 * column is off by the scale with only a note, or none; a mapping (`--columns N="params (MM)"`) is how
 * such a column is read, as no name finds it.
 */
function unreadScale(field: Field, header: string): string | undefined {
  const m = headerBrackets(header);
  if (m === undefined) return undefined;
  const sized = (scaledFields as readonly string[]).includes(field);
  if (sized && headerScale(header) !== undefined) return undefined;
  if (!SCALE_LIKE.test(m.unit) && (sized || headerScale(header) === undefined)) return undefined;
  const written = `name the column without its unit and write the values in full`;
  if (!sized)
    return `the header ${quoteForMessage(header)} gives ${field} a unit (${m.unit}), but ${field} is read as written (a header's unit scales N, D, C and U only): ${written}`;
  const lower = LOWERCASE_MEANINGS[m.unit] === undefined ? '' : ` (${LOWERCASE_MEANINGS[m.unit]})`;
  return `the header ${quoteForMessage(header)} gives ${field} in a unit this reader does not know, ${quoteForMessage(m.unit)}${lower}; expected k, M, B (or G), T, P, thousands, millions, billions, trillions or a power of ten (1e6, 10^6): rename the column (${m.name} (M) for millions), or ${written}`;
}

/**
 * Normalised names of columns that hold an experiment's arms: a model variant, an optimizer, a data
 * source or recipe. Only these are watched for arms that repeat the same sizes (a `User` or `Host` column
 * of a tracker's export differs without being an arm).
 */
const VARIANT_NAME =
  /^(arch|architecture|attention|attn|attntype|attentiontype|variant|modelvariant|modeltype|model|family|optim|optimizer|optimiser|opt|method|recipe|dataset|data|datasource|source|mixture|datamix|corpus|tokenizer|tokeniser|activation|act|norm|normalization|normalisation|parametrization|parameterization|parametrisation|param|init|schedule|lrschedule|mlp|ffn|moe|condition|arm|treatment|ablation|setting|config|group)$/;
/** More distinct values than this and a column is not an experiment's arms. */
const MAX_VARIANTS = 12;

export function detectFormat(source: string, text: string): RunFormat {
  const lower = source.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.tsv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  const first = text.replace(/^\uFEFF/, '').trimStart()[0];
  if (first === '[') return 'json';
  if (first === '{') return 'jsonl';
  return 'csv';
}

/**
 * csv-parse options for a runs file (the same whether the text is parsed whole or streamed). Tabs
 * separate the fields of a .tsv file, and of a file whose first line has tabs and no comma: data
 * copied from a spreadsheet into a .csv is read as what it is, not as one column. Semicolons separate
 * them where the first line has semicolons and neither commas nor tabs: a spreadsheet in a locale
 * whose decimal mark is a comma saves its CSV so.
 * @param head the file's first characters (enough for its first line)
 */
export function csvOptions(
  source: string,
  head = '',
): { skip_empty_lines: true; trim: true; delimiter: string; bom: true } {
  // The separator is judged outside quotes: a header such as "run, name";N;D;loss is a semicolon file.
  const firstLine = stripBom(head)
    .trimStart()
    .split(/\r?\n/, 1)[0]
    .replace(/"[^"]*"/g, '');
  const tabs = source.toLowerCase().endsWith('.tsv') || (firstLine.includes('\t') && !firstLine.includes(','));
  const semicolons = !tabs && firstLine.includes(';') && !firstLine.includes(',');
  return { skip_empty_lines: true, trim: true, delimiter: tabs ? '\t' : semicolons ? ';' : ',', bom: true };
}

/**
 * A csv-parse error as a located InputError. An unclosed quote is only noticed at the end of the
 * file; `openQuote` (from OpenQuoteScanner) gives where it opens, which is what the user must fix.
 */
export function csvError(
  e: unknown,
  source: string,
  header: string[] | undefined,
  openQuote?: { line: number; field: number },
): InputError {
  const err = e as { message?: string; lines?: number; code?: string; column?: unknown };
  if (err.code === 'CSV_QUOTE_NOT_CLOSED' && openQuote) {
    const name = header?.[openQuote.field - 1];
    return new InputError(
      {
        file: source,
        line: openQuote.line,
        column: openQuote.field,
        ...(name !== undefined ? { columnName: name } : {}),
      },
      'malformed CSV: a quoted field opens here and is never closed; expected a closing " (a quote inside a quoted field is written "")',
    );
  }
  const message =
    fieldCountMessage(err, header) ??
    csvMessages[err.code ?? ''] ??
    String(err.message ?? e).replace(/ on line \d+$/, '');
  const column =
    typeof err.column === 'number' && err.code !== 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' ? err.column + 1 : undefined;
  const located = column !== undefined && err.lines !== undefined;
  const name = located ? header?.[column - 1] : undefined;
  return new InputError(
    {
      file: source,
      line: err.lines,
      ...(located ? { column } : {}),
      ...(name !== undefined ? { columnName: name } : {}),
    },
    `malformed CSV: ${oneLine(message)}`,
  );
}

/**
 * A line with more or fewer fields than the header, said with both counts and the usual cause: a
 * title or comment line above the header (read as a one-field header), or a comma inside a value.
 */
function fieldCountMessage(err: { code?: string; message?: string }, header: string[] | undefined): string | undefined {
  if (err.code !== 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') return undefined;
  const m = /expect (\d+), got (\d+)/.exec(err.message ?? '');
  if (!m) return undefined;
  const [expected, got] = [Number(m[1]), Number(m[2])];
  const fields = (n: number) => `${n} field${n === 1 ? '' : 's'}`;
  const counts = `this line has ${fields(got)}, the header ${fields(expected)}`;
  if (expected === 1 && got > 1 && header?.length === 1)
    return `${counts}: the first line (${quoteForMessage(header[0])}) is read as the header; expected the column names on the first line (remove a title or comment line above them)`;
  return `${counts}; expected one value per column on every line (a value holding the delimiter is written in quotes)`;
}

/** csv-parse's messages name fields from 0; these say what is wrong and what to write instead. */
const csvMessages: Record<string, string> = {
  INVALID_OPENING_QUOTE:
    'a quote inside an unquoted field; expected the whole field in quotes, with each quote inside it doubled ("")',
  CSV_INVALID_CLOSING_QUOTE:
    'text right after a closing quote; expected a delimiter or the end of the line after a quoted field',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE:
    'text right after a closing quote; expected a delimiter or the end of the line after a quoted field',
};

function oneLine(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/**
 * A file's bytes as text, refusing located (line, column, which bytes) bytes that are not UTF-8: read
 * as UTF-8 they become U+FFFD, and two names differing only there ("café", "cafè") become one. UTF-16
 * and binary data come back decoded, for binaryProblem and the parsers to name ("looks like UTF-16").
 * The command line's readers and the web app's uploads both decode through here. Pure.
 */
export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const text = new TextDecoder('utf-8').decode(bytes);
    const bad = notUtf8Error(bytes, text, source);
    if (bad) throw bad;
    return text;
  }
}

/** The located error for bytes that are not UTF-8, given them and their text as decoded (U+FFFD where not). */
export function notUtf8Error(bytes: Uint8Array, text: string, source: string): InputError | undefined {
  // Only text with a U+FFFD is scanned: one written as UTF-8 is text.
  if (!text.includes('\uFFFD')) return undefined;
  if (binaryProblem(text.slice(0, BINARY_CHECK_CHARS), source)) return undefined;
  const scanner = new Utf8Scanner();
  const bad = scanner.feed(bytes) ?? scanner.end();
  return bad && new InputError({ file: source, line: bad.line, column: bad.column }, notUtf8Detail(bad));
}

/**
 * Bytes that cannot start a text file: a NUL (binary data) or a UTF-16 byte-order mark. Checked on the
 * first characters only; a stray byte later is caught as a bad value.
 * @param what the file the reader expects ("a fit written by …"); by default a text file of runs
 */
export function binaryProblem(head: string, source: string, what?: string): InputError | undefined {
  const nul = head.indexOf('\0');
  if (nul < 0) return undefined;
  // UTF-16 read as UTF-8: its byte-order mark decodes to two replacement characters (or U+FEFF),
  // then every other byte of ASCII text is NUL.
  if (/^(\uFFFD\uFFFD|\uFEFF)?(\0[^\0]|[^\0]\0){2}/.test(head)) {
    return new InputError(
      { file: source, line: 1, column: 1 },
      what === undefined
        ? `the file looks like UTF-16 text; expected UTF-8 (save it as UTF-8 ${runFormatNames})`
        : `the file looks like UTF-16 text; expected ${what} in UTF-8 (save it as UTF-8)`,
    );
  }
  const at = lineColumn(lineStartsOf(head.slice(0, nul + 1)), nul);
  return new InputError(
    { file: source, line: at.line, column: at.column },
    `binary data (a NUL byte): expected ${what ?? `a text file of runs (${runFormatNames})`}`,
  );
}

/** How many characters of a file's start binaryProblem looks at. */
export const BINARY_CHECK_CHARS = 65536;

/**
 * A CSV header's column index by name; a name given twice is refused at both positions (otherwise
 * the later column would silently win).
 */
export function headerIndex(names: readonly string[], source: string, line: number): Map<string, number> {
  const index = new Map<string, number>();
  names.forEach((name, i) => {
    const first = index.get(name);
    // Columns without a name (a spreadsheet's empty columns after its table: "loss,,,") are not the same
    // column twice: none can be read or mapped, so the first stands for them all.
    if (first !== undefined && name.trim() === '') return;
    if (first !== undefined) {
      throw new InputError(
        { file: source, line, column: i + 1, columnName: name },
        `duplicate column name ${quoteForMessage(name)} (columns ${first + 1} and ${i + 1}); expected each column once: rename or remove one`,
      );
    }
    index.set(name, i);
  });
  return index;
}

/** Column names for an error message: plain names as they are, odd ones quoted, a long list cut. */
function listColumns(header: readonly string[]): string {
  const shown = header
    .slice(0, 30)
    .map((h) => (/^[\x20-\x7e]{1,40}$/.test(h) && !h.includes(',') ? h : quoteForMessage(h)));
  return shown.join(', ') + (header.length > shown.length ? `, … (${header.length} columns)` : '');
}

/**
 * A first line that is a log line rather than a header: a cell holds a name followed by a number
 * (nanoGPT's `iter 50: loss 4.1762`, `time 120.45ms`). Said with a missing column, since the file's
 * "columns" are then fragments of a line; undefined for a header.
 */
function logLineHint(header: readonly string[]): string {
  const logLike = header.some((h) =>
    /[A-Za-z_)\]]\s*[:=]?\s+[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*[A-Za-z%]*\s*$/.test(h),
  );
  return logLike
    ? ": the first line reads as a line of a training log, not a header of column names: runs are read from a table (CSV with a header row, a JSON array or JSONL), so write the log's values as one, e.g. step,loss,lr"
    : '';
}

/**
 * The columns a file's header feeds without a mapping, as the parser reads them: the web app's column
 * step starts from this guess, so it offers what `fit FILE` would read (the earlier alias when two
 * columns name one field; W&B's `_step` only without another step).
 */
export function recognisedColumns(header: readonly string[]): Partial<Record<Field, string>> {
  return resolveColumns([...header], {}, '');
}

/**
 * A file's column names (a CSV's header, the keys of the first 50 JSON objects), or [] when it cannot
 * be read that far (its parse error says why): what the web app's column step offers to map.
 */
export function fileColumns(text: string, source: string): string[] {
  try {
    const format = detectFormat(source, text);
    let objects: unknown;
    switch (format) {
      case 'csv':
        return csvRecords(text, source)[0]?.record ?? [];
      case 'json':
        objects = JSON.parse(stripBom(text)) as unknown;
        break;
      case 'jsonl':
        objects = stripBom(text)
          .split('\n')
          .filter((l) => l.trim())
          .slice(0, 50)
          .map((l) => JSON.parse(l) as unknown);
        break;
      default:
        return unreadFormat(format);
    }
    const keys = new Set<string>();
    for (const o of Array.isArray(objects) ? objects.slice(0, 50) : [])
      if (o && typeof o === 'object') for (const k of Object.keys(o)) keys.add(k);
    return [...keys];
  } catch {
    return [];
  }
}

/** Which source column feeds each field: explicit mapping first, then the aliases. */
function resolveColumns(
  header: string[],
  explicit: Partial<Record<Field, string>>,
  source: string,
): Partial<Record<Field, string>> {
  const out: Partial<Record<Field, string>> = {};
  for (const field of Object.keys(fieldAliases) as Field[]) {
    const wanted = explicit[field];
    if (wanted === UNREAD_COLUMN) continue;
    if (wanted !== undefined) {
      const exact = header.find((h) => h === wanted) ?? header.find((h) => normalise(h) === normalise(wanted));
      if (exact === undefined) {
        // A slip in the column's name: the nearest of the file's, as a name is suggested elsewhere.
        // Or a column the name begins as a whole word: `--lineage trunk` for a file's "trunk_id" is far
        // by edit distance, and was answered with the column list alone.
        const w = wanted.toLowerCase();
        const near = header.filter(
          (h) =>
            levenshtein(normalise(h), normalise(wanted)) <= Math.max(1, wanted.length / 3) ||
            (w.length > 0 && h.toLowerCase().startsWith(w) && /^[_\-/.: ]/.test(h.slice(w.length))),
        );
        const meant = near.length
          ? `did you mean ${near
              .slice(0, 3)
              .map((h) => quoteForMessage(h))
              .join(' or ')}? `
          : '';
        const leave =
          wanted.trim() === ''
            ? ` (to leave ${field} unread, map it to ${UNREAD_COLUMN}: ${field}=${UNREAD_COLUMN})`
            : '';
        throw new InputError(
          { file: source, line: 1 },
          `no column "${wanted}" (mapped to ${field})${leave}; ${meant}the file has columns: ${listColumns(header)}`,
        );
      }
      out[field] = exact;
      continue;
    }
    const taken = new Set(Object.values(out));
    const aliases = fieldAliases[field].map(normalise);
    // The field's own name first, where it is also its first alias (N, D, C): loss is not, since a
    // held-out loss beside it is read before it.
    const exact = fieldAliases[field][0] === field ? header.find((h) => h === field && !taken.has(h)) : undefined;
    // With several columns recognised for one field (tokens and tokens_seen), the earlier name in
    // fieldAliases is read, wherever the columns stand: what a column is called decides, not its place.
    const free = (h: string) => !taken.has(h) && !Object.values(explicit).includes(h);
    const named = (h: string) => field !== 'step' || h.trim() !== WANDB_LOG_COUNT;
    const found =
      exact ??
      aliases.map((a) => header.find((h) => normalise(h) === a && free(h) && named(h))).find((h) => h !== undefined) ??
      // A size whose header gives its unit (params (M)): found by its name, its values scaled (RunValidator).
      ((scaledFields as readonly string[]).includes(field)
        ? aliases
            .map((a) => header.find((h) => normalise(headerScale(h)?.name ?? '') === a && free(h)))
            .find((h) => h !== undefined)
        : undefined) ??
      // A header that names its quantity in brackets (N (params), D (tokens), loss (nats)): found by its name.
      aliases
        .map((a) => header.find((h) => normalise(quantityNamed(h, field) ?? '') === a && free(h)))
        .find((h) => h !== undefined) ??
      // Not in a runs table's export (State, Created, …): there `_step` is the summary's last step of a whole
      // run, and read as a step it made each run a checkpoint, warned as one with no run column.
      (field === 'step' && !header.some((h) => WANDB_RUN_COLUMNS.includes(h.trim()))
        ? header.find((h) => h.trim() === WANDB_LOG_COUNT && free(h))
        : undefined) ??
      // A W&B history export's display name, where no run column is there: read as the run, checked by checkNameRepeat.
      (field === 'run' ? [wandbNameColumn(header)].find((h) => h !== undefined && free(h)) : undefined);
    if (found !== undefined) out[field] = found;
  }
  return out;
}

/**
 * The label of a spreadsheet's totals row, in the languages a spreadsheet is often kept in: `Total`,
 * `Sum`, `Mean`, `Summe`, `Gesamt`, `Moyenne`, `Σ` (with a trailing colon, or a grand total).
 */
const TOTALS_LABEL =
  /^\s*(grand\s+)?(totals?|totale|totaal|sum|sums|summe|somme|suma|gesamt|insgesamt|average|avg|mean|mittelwert|durchschnitt|moyenne|promedio|Σ|∑)\s*:?\s*$/i;

/** A cell that says it has no value: empty, or a spreadsheet's or a tracker's word for none (a word otherwise is an error). */
const MISSING = /^\s*(|n\/?a|nan|none|null|-+|—|–|\?|missing)\s*$/i;

/** An infinity as pandas (inf), W&B and JavaScript (Infinity) and others write it. */
const INFINITE = /^\s*[+-]?(inf|infinity)\s*$/i;

/** A loss cell that says the run diverged: NaN or an infinity, as a word (nan, inf, Infinity) or a JSON number. */
function divergedLoss(text: string | number | null): boolean {
  if (typeof text === 'number') return !Number.isFinite(text);
  return text !== null && (/^\s*[+-]?nan\s*$/i.test(text) || INFINITE.test(text));
}

/** D or C computed from the other two where the file does not give it. */
function derivations(has: (f: Field) => boolean): Dataset['derived'] {
  const derived: Dataset['derived'] = {};
  if (!has('D') && has('C') && has('N')) derived.D = 'C/(6N)';
  if (!has('C') && has('N') && has('D')) derived.C = '6ND';
  return derived;
}

const runValueFields: readonly string[] = ['N', 'D', 'C', 'U', 'loss'] satisfies RunValueField[];

/** Whether a numeric field is one of the values that say which run a row is (core/sameRun.ts). */
function isRunValueField(f: string): f is RunValueField {
  return runValueFields.includes(f);
}

function parseNumber(raw: string | number | null): number {
  if (typeof raw === 'number') return raw;
  if (raw === null) return NaN;
  const t = raw.trim();
  if (t === '') return NaN;
  // Number() accepts '0x1f', '' and ' '; a decimal or scientific literal is what we expect, with
  // the command line's size suffixes (70B, 1.4T), so a size reads the same in a file as in a flag.
  return parseSuffixedNumber(t);
}

/** A decimal mark: the comma of a comma-decimal locale, or the point. */
type DecimalMark = ',' | '.';

/** The cells of a row's number columns whose text shows its decimal mark (3,1; 0.25; 1.300,5), in column order. */
function* markedCells(rec: RawRecord, columns: Partial<Record<Field, string>>) {
  for (const f of [...numericFields, 'step'] as const) {
    const col = columns[f];
    const cell = col === undefined ? undefined : rec.cell(col);
    if (cell === undefined || typeof cell.text !== 'string') continue;
    const written = cell.text.trim();
    const marked = markedNumber(written);
    if (marked?.read === undefined || marked.shows === undefined) continue;
    yield { f, col: col!, cell, written, read: marked.read, shows: marked.shows };
  }
}

/**
 * A number written with "." or "," in it, as a file separated by semicolons (a spreadsheet's CSV in a
 * comma-decimal locale, or a file of "." decimals so separated) may write it: `read`, with "." decimals and no
 * separators, where the text alone says what it is (3,1; 0.25; 1.300.000; 1.300,5), with the decimal mark it
 * shows; or, where it reads either way (a separator followed by exactly three digits: 2.500 is 2500 where "."
 * separates thousands, 2.5 where it is the decimal point), both readings. Undefined for text that is no such
 * number (a plain 3.1e9 is read by parseNumber as ever).
 */
function markedNumber(
  t: string,
): { read: string; shows?: DecimalMark } | { read?: undefined; asMark: Record<DecimalMark, string> } | undefined {
  const m = /^([+-]?)(\d[\d.,]*\d|\d)([eE][+-]?\d+)?([kKMbBGtTP]?)$/.exec(t);
  if (!m || !/[.,]/.test(m[2])) return undefined;
  const [, sign, body, power = '', suffix = ''] = m;
  const tail = power + suffix;
  const last = body.match(/[.,]/g)!.pop() as DecimalMark;
  const cut = body.lastIndexOf(last);
  const [whole, fraction] = [body.slice(0, cut), body.slice(cut + 1)];
  const other: DecimalMark = last === '.' ? ',' : '.';
  const grouped = (digits: string, sep: string) => new RegExp(`^\\d{1,3}(\\${sep}\\d{3})+$`).test(digits);
  if (whole.includes(last)) {
    // The same separator twice (1.300.000): thousands, whichever the decimal mark is — the other one.
    if (whole.includes(other) || !grouped(body, last)) return undefined;
    return { read: `${sign}${body.split(last).join('')}${tail}`, shows: other };
  }
  if (whole.includes(other)) {
    // Both (1.300,5): the last one is the decimal mark, the other separates thousands.
    if (!grouped(whole, other)) return undefined;
    return { read: `${sign}${whole.split(other).join('')}.${fraction}${tail}`, shows: last };
  }
  const decimal = `${sign}${whole}.${fraction}${tail}`;
  // One separator before three digits, after one to three not starting with 0, without an exponent: either.
  if (fraction.length === 3 && /^[1-9]\d{0,2}$/.test(whole) && power === '') {
    const thousands = `${sign}${whole}${fraction}${tail}`;
    return { asMark: last === '.' ? { '.': decimal, ',': thousands } : { ',': decimal, '.': thousands } };
  }
  return { read: decimal, shows: last };
}

/** A decimal reading written so that it reads one way only (2.5 for 2.500, 3.1250 for 3.125). */
function unambiguousDecimal(decimal: string): string {
  const m = /^([+-]?\d+)\.(\d*?)0*([kKMbBGtTP]?)$/.exec(decimal);
  if (!m) return decimal;
  const [, whole, fraction, suffix] = m;
  return `${whole}${fraction === '' ? '' : `.${fraction.length === 3 ? `${fraction}0` : fraction}`}${suffix}`;
}

function describeRaw(raw: string | number | null): string {
  if (raw === null) return 'null';
  if (typeof raw === 'number') return String(raw);
  if (raw.trim() === '') return 'an empty cell';
  return quoteForMessage(raw);
}

/** Everything about a data set but its runs (what a streamed read returns). */
export type DatasetInfo = Omit<Dataset, 'runs'> & { rows: number };

/**
 * Validates raw records one at a time: resolves which column feeds which field, checks each value
 * and derives D or C. CSV gives the header first; JSON records bring their own keys, and the
 * columns are resolved from the first record and checked again when a later one brings new keys.
 */
export class RunValidator {
  private header: string[] = [];
  private readonly known = new Set<string>();
  private fixedHeader = false;
  /**
   * The sums of the kept rows' N, D and loss, and the refusal for the last row when its N and D are the
   * sums of all the rows above it and its loss no lower than their mean (a SUM or AVERAGE of the losses),
   * to the digits it prints: a totals row without a label, said once the file is read. A ladder's next run
   * can have the summed sizes (50M twice, then 100M: doubling after two seeds; three seeds, then 3N), but a
   * larger run's loss is lower than the mean.
   */
  private readonly sums: { N: number; D: number; loss: number; rows: number; lastIsSum?: InputError } = {
    N: 0,
    D: 0,
    loss: 0,
    rows: 0,
  };
  /**
   * Each totals label (Total, Mean, …) seen in a group, first or checkpointed run column: how many rows
   * carry it, and the refusal for its first row, thrown once the file is read where only one row does.
   */
  private readonly totalsLabels = new Map<string, { rows: number; error: InputError }>();
  /** The words seen in each column a totals label is looked for in, for Excel's subtotal rows ("adam Total"). */
  private readonly labelValues = new Map<string, Set<string>>();
  /** This row's totals label, said in place of another refusal of the same row. */
  private rowTotals: InputError | undefined;
  /** A CSV file's separator: in a file separated by semicolons, numbers may be written with a decimal comma. */
  private delimiter = ',';
  /**
   * In a file separated by semicolons, the decimal mark its numbers write, from the first cell that showed
   * one (3,1 a comma; 1.300.000 a comma too, its points separating thousands; 0.25 a point): a number that
   * reads either way (2.500) is read by it, and a number showing the other mark is refused.
   */
  private decimalMark: { mark: DecimalMark; text: string; line: number } | undefined;
  /** Columns whose header gives no scale left unapplied (unreadScale), checked once a column. */
  private readonly scaleChecked = new Set<string>();
  /** Each size column's unit as its header gives it (headerScale), read once a column. */
  private readonly headerUnits = new Map<string, ReturnType<typeof headerScale>>();
  /** The line of a CSV file's header, said where a later line repeats it. */
  private firstHeaderLine = 1;
  private columns: Partial<Record<Field, string>> | undefined;
  private derived: Dataset['derived'] = {};
  private total = 0;
  private kept = 0;
  /** Rows whose loss says the run diverged (NaN, an infinity), kept aside under keepDiverged. */
  private divergedRuns: Run[] = [];
  private firstLine: number | undefined;
  private readonly groupsSeen = new Set<string>();
  private readonly required: Field[];
  /**
   * Optional columns found by name (not mapped) whose cells so far are all blank or not numbers, with
   * the first such cell: left unread if no run has a number there, refused at that cell if one does.
   */
  private readonly blank = new Map<Field, { col: string; cell: Cell | undefined; line: number }>();
  /** Numeric fields a kept run has had a number for. */
  private readonly numbered = new Set<Field>();
  /**
   * Configuration fields (configurationFields) some kept runs have no number for, with their column, how
   * many runs lack it and the first of them: said once the file is read (DatasetInfo.notRecorded).
   */
  private readonly notRecorded = new Map<Field, { col: string; rows: number; line: number }>();
  /** This record's configuration fields left blank, counted in notRecorded once the run is kept. */
  private rowBlanks: Field[] = [];

  constructor(private readonly options: ParseRunsOptions) {
    this.required = options.require ?? ['loss'];
    if (options.lineage !== undefined) {
      const mapped = options.columns?.lineage;
      if (mapped !== undefined && mapped !== options.lineage)
        throw new OptionError({
          option: 'lineage',
          value: options.lineage,
          message: (o) =>
            `${o('lineage')}: names column "${options.lineage}", but ${o('columns')} maps lineage to "${mapped}"; give one of them`,
        });
      if (options.lineage.trim() === '')
        throw new OptionError({ option: 'lineage', value: options.lineage, message: 'expected a column name, got ""' });
      this.options = { ...options, columns: { ...options.columns, lineage: options.lineage } };
    }
  }

  get source(): string {
    return this.options.source;
  }

  /** A CSV header: each name once. */
  setHeader(names: string[], line: number, delimiter = ','): Map<string, number> {
    const index = headerIndex(names, this.source, line);
    this.delimiter = delimiter;
    this.header = [...names];
    this.firstHeaderLine = line;
    for (const n of names) this.known.add(n);
    this.fixedHeader = true;
    return index;
  }

  get hasHeader(): boolean {
    return this.fixedHeader;
  }

  private resolve(): Partial<Record<Field, string>> {
    const source = this.source;
    const header = this.header;
    const columns = resolveColumns(header, this.options.columns ?? {}, source);
    // A log line for a header: no column of it can be mapped, so the table to write is said instead.
    const logLine = logLineHint(header);
    const hint = (f: Field, o: OptionNamer) => logLine || `; map one with ${o('columns')} ${f}=NAME`;
    if (columns.loss === undefined && this.required.includes('loss')) {
      // A TensorBoard scalar export (Wall time, Step, Value): its one value column is the loss. Only a
      // header of those columns alone: a long-format file (task, metric, value) has another meaning.
      const scalarExport = header.every((h) => ['walltime', 'step', 'value'].includes(normalise(h)));
      const value = scalarExport ? header.find((h) => normalise(h) === 'value') : undefined;
      throw new InputError(
        { file: source, line: 1 },
        (o) =>
          `missing column "loss" (the final loss of each run); the file has columns: ${listColumns(header)}${
            value !== undefined && !logLine
              ? `; map one with ${o('columns')} loss=NAME (a TensorBoard scalar export's value: loss=${value})`
              : hint('loss', o)
          }`,
      );
    }
    const has = (f: Field) => columns[f] !== undefined;
    const derived = derivations(has);
    for (const f of this.required) {
      if (!has(f) && derived[f as 'D' | 'C'] === undefined) {
        const extra =
          f === 'D'
            ? ' (or columns C and N, from which D = C/(6N))'
            : f === 'C'
              ? ' (or columns N and D, from which C = 6ND)'
              : '';
        // A field whose name is no column name of its own (gradSq) is asked for by the columns it is read
        // from ("grad_sq"), as the README names them; the mapping still takes the field's name.
        const aliases: readonly string[] = fieldAliases[f];
        const column = aliases.includes(f) ? `"${f}"` : aliases.map((a) => `"${a}"`).join(' or ');
        throw new InputError(
          { file: source, line: 1 },
          (o) => `missing column ${column}${extra}; the file has columns: ${listColumns(header)}${hint(f, o)}`,
        );
      }
    }
    if (this.options.groups?.length && columns.group === undefined) {
      throw new InputError(
        { file: source, line: 1 },
        (o) => `${o('groups')} needs a group column; the file has columns: ${listColumns(header)}; ${hint('group', o)}`,
      );
    }
    this.derived = derived;
    return columns;
  }

  /**
   * A JSON record's new keys join the header; a field they newly feed must not be missing from
   * earlier runs. Nothing changes unless the record passes (a refused record may be tried again).
   */
  private learnKeys(rec: RawRecord): void {
    let header: string[] | undefined;
    for (const k of rec.keys()) if (!this.known.has(k) && !header?.includes(k)) (header ??= [...this.header]).push(k);
    if (header === undefined) return;
    if (this.columns !== undefined) {
      const before = this.columns;
      const after = resolveColumns(header, this.options.columns ?? {}, this.source);
      for (const f of Object.keys(after) as Field[]) {
        if (before[f] === after[f]) continue;
        const col = after[f]!;
        if (before[f] !== undefined) {
          const cell = rec.cell(col);
          throw new InputError(
            {
              file: this.source,
              line: cell?.line ?? rec.line,
              ...(cell ? { column: cell.column } : {}),
              columnName: col,
            },
            `key "${col}" first appears here and would feed ${f}, which earlier runs gave as "${before[f]}"; expected the same keys in every run`,
          );
        }
        // A configuration field is one the earlier runs did not record (a study's imported runs first).
        if (this.mayLack(f) && this.kept > 0) {
          this.notRecorded.set(f, { col, rows: this.kept, line: this.firstLine! });
          continue;
        }
        if ((numericFields as readonly string[]).includes(f) && this.kept > 0) {
          throw new InputError(
            { file: this.source, line: this.firstLine!, columnName: col },
            `this run has no value for "${col}" (${f}), which a later run has (line ${rec.line}); expected a positive number`,
          );
        }
      }
      Object.assign(
        this.derived,
        derivations((f) => after[f] !== undefined && !this.blank.has(f)),
      );
      this.columns = after;
    }
    this.header = header;
    for (const k of header) this.known.add(k);
  }

  /**
   * The validated run of one record, or undefined when --group leaves it out or its loss is refused: a
   * refused loss is said once the file is read (finish), with how many other rows have one and in which
   * runs, so a file with crashed and diverged runs is not cleaned one error at a time.
   */
  run(rec: RawRecord): Run | undefined {
    try {
      return this.check(rec);
    } catch (e) {
      // The first problem in the file is said: a refused loss on an earlier row comes first.
      if (this.badLoss && e instanceof InputError) throw this.badLossError();
      // A row with a totals label whose other cells are refused (a blank N) is said as the totals row.
      if (this.rowTotals !== undefined && e instanceof InputError) throw this.rowTotals;
      throw e;
    }
  }

  /** The error to say for `e`, thrown while reading: a refused loss on an earlier row comes first. */
  earlierError(e: unknown): unknown {
    return this.badLoss && e instanceof InputError ? this.badLossError() : e;
  }

  /**
   * A JSONL line whose loss is a bare NaN or infinity, noted as a refused loss (true), once the loss column
   * is known from an earlier line; false for another key, or on the first line (said as malformed JSON).
   */
  nonFiniteLoss(e: NonFiniteJsonError): boolean {
    const columns = this.columns;
    if (columns?.loss === undefined || columns.loss !== e.key) return false;
    this.total++;
    const runCell = columns.run === undefined ? undefined : e.record.cell(columns.run);
    const runName =
      runCell && runCell.text !== null && String(runCell.text).trim() !== '' ? String(runCell.text) : undefined;
    this.noteBadLoss(
      e.location,
      `expected a ${e.word === 'NaN' ? '' : 'finite '}positive number for loss, got a bare ${e.word}, which is not JSON (Python's json.dumps writes it by default)`,
      true,
      runName,
    );
    return true;
  }

  /** Rows refused for their loss: the first in full, the others counted (their runs named, a few). */
  private badLoss:
    | {
        where: Location;
        detail: string;
        /** The first cell says there is no loss (empty, NaN, an infinity): a crashed or diverged run. */
        noLoss: boolean;
        run?: string;
        others: number;
        runs: string[];
        /** Whether a run with a refused loss is not among `runs` (more than it holds). */
        runsCut?: boolean;
        lines: number[];
      }
    | undefined;
  /** What the last bad-loss row added, so a record read again (a JSONL line, located) is not counted twice. */
  private lastBadLoss: { run?: string; line?: number } | undefined;

  /** How many rows were refused for their loss so far. */
  get badLossRows(): number {
    return this.badLoss ? this.badLoss.others + 1 : 0;
  }

  /** Forget the last row refused for its loss (it is read again, with its exact position). */
  forgetLastBadLoss(): void {
    const bad = this.badLoss;
    const last = this.lastBadLoss;
    if (!bad || !last) return;
    this.total--;
    if (bad.others === 0) this.badLoss = undefined;
    else {
      bad.others--;
      if (last.run !== undefined) bad.runs.pop();
      if (last.line !== undefined) bad.lines.pop();
    }
    this.lastBadLoss = undefined;
  }

  private noteBadLoss(where: Location, detail: string, noLoss: boolean, run: string | undefined): void {
    const bad = this.badLoss;
    if (!bad) {
      this.badLoss = { where, detail, noLoss, ...(run !== undefined ? { run } : {}), others: 0, runs: [], lines: [] };
      this.lastBadLoss = {};
      return;
    }
    bad.others++;
    this.lastBadLoss = {};
    if (run !== undefined && run !== bad.run && !bad.runs.includes(run)) {
      if (bad.runs.length < 4) {
        bad.runs.push(run);
        this.lastBadLoss.run = run;
      } else bad.runsCut = true;
    }
    if (bad.lines.length < 3 && where.line !== undefined) {
      bad.lines.push(where.line);
      this.lastBadLoss.line = where.line;
    }
  }

  /** The error for the rows refused for their loss: the first, its run, how many others, what to do. */
  private badLossError(): InputError {
    const bad = this.badLoss!;
    const columns = this.columns ?? {};
    const lossColumn = columns.loss;
    // Which column was taken as the loss, and the other loss columns the file has: a tracker's export
    // has eval/loss (logged every k-th step) beside train/loss (every step), and the held-out one is read.
    const mapped = this.options.columns?.loss !== undefined;
    const order = fieldAliases.loss;
    const others = mapped
      ? []
      : this.header.filter((h) => h !== lossColumn && order.some((a) => normalise(a) === normalise(h)));
    const quote = (n: string) => quoteForMessage(n);
    const inRun = bad.run !== undefined ? ` (run ${quote(bad.run)})` : '';
    const runsOf = (runs: string[], more: boolean) =>
      runs.length
        ? `; in run${runs.length > 1 || more ? 's' : ''} ${runs.map(quote).join(', ')}${more ? ', …' : ''}`
        : '';
    const rest =
      bad.others === 0
        ? ''
        : `; ${bad.others} more row${bad.others === 1 ? '' : 's'} ${bad.others === 1 ? 'has' : 'have'} no usable loss (line${bad.others === 1 ? '' : 's'} ${bad.lines.join(', ')}${bad.others > bad.lines.length ? ', …' : ''}${runsOf(bad.runs, bad.runsCut === true)})`;
    return new InputError(bad.where, (o) => {
      const which =
        lossColumn !== undefined && others.length
          ? `; the loss is read from ${quote(lossColumn)}, the first of the file's loss columns in the order ${order.join(', ')} (a held-out loss before a training loss); the file also has ${others.map(quote).join(', ')}: to read ${quote(others[0])} instead, ${o('columns')} loss=${others[0]}`
          : '';
      const fix =
        !bad.noLoss || (others.length && bad.others > 0)
          ? ''
          : `; remove ${bad.others > 0 ? 'those rows' : 'the row'}${bad.run !== undefined ? ' or runs' : ''} (a crashed or diverged run has no loss to fit there), or give the loss`;
      return `${bad.detail}${inRun}${rest}${which}${fix}`;
    });
  }

  /**
   * Rows a spreadsheet adds that are no run: its header again in the middle (two exports joined into
   * one file), or a totals row. A header line was refused at its first cell as "a number, got "params"",
   * which did not say what the line was; a totals row with numbers in it (its sums, or means) was
   * fitted as one more run, the largest of all.
   */
  private refuseNonRun(rec: RawRecord, columns: Partial<Record<Field, string>>): void {
    if (this.fixedHeader) {
      const named = Object.values(columns).filter((c): c is string => c !== undefined);
      const repeats = named.filter((c) => {
        const text = rec.cell(c)?.text;
        return typeof text === 'string' && text.trim() === c.trim();
      });
      if (named.length > 0 && repeats.length === named.length) {
        const column = Math.min(...repeats.map((c) => rec.cell(c)?.column ?? Infinity));
        throw new InputError(
          { file: this.source, line: rec.line, ...(Number.isFinite(column) ? { column } : {}) },
          `this line repeats the header (line ${this.firstHeaderLine}): expected a run; two files joined into one? Remove the line`,
        );
      }
    }
    const labelled = [columns.run, columns.group, this.header[0]].filter((c): c is string => c !== undefined);
    for (const col of new Set(labelled)) {
      const cell = rec.cell(col);
      if (cell === undefined || typeof cell.text !== 'string') continue;
      // Excel's Subtotal writes "adam Total" (or Average, Count) below the rows of "adam", in their column.
      const subtotal = /^\s*(.+?)\s+(total|average|count)\s*$/i.exec(cell.text);
      const values = this.labelValues.get(col) ?? this.labelValues.set(col, new Set()).get(col)!;
      if (subtotal && values.has(subtotal[1].toLowerCase()))
        throw new InputError(
          { file: this.source, line: cell.line, column: cell.column, columnName: col },
          `${quoteForMessage(cell.text.trim())} reads as a spreadsheet's subtotal row of ${quoteForMessage(subtotal[1])} (its ${subtotal[2].toLowerCase()}), not a run: remove the row, or rename it`,
        );
      if (values.size < 10000) values.add(cell.text.trim().toLowerCase());
      if (!TOTALS_LABEL.test(cell.text)) continue;
      const error = new InputError(
        { file: this.source, line: cell.line, column: cell.column, columnName: col },
        `${quoteForMessage(cell.text.trim())} reads as a spreadsheet's totals row, not a run (its sums or means would be fitted as one more run): remove the row, or rename the ${col === columns.group ? 'group' : 'run'}`,
      );
      // A run's name on one row (no step column) is the row's own label: refused here. Elsewhere (a group,
      // an arm in the first column, a run's checkpoints) a word on two or more rows names them, as an
      // ablation's "mean" and "sum" pooling arms do; a totals row is one row, refused once the file is read.
      if (col === columns.run && columns.step === undefined) throw error;
      const key = `${col}\u0000${cell.text.trim().toLowerCase()}`;
      const seen = this.totalsLabels.get(key);
      this.totalsLabels.set(key, { rows: (seen?.rows ?? 0) + 1, error: seen?.error ?? error });
      this.rowTotals ??= error;
    }
  }

  private check(rec: RawRecord): Run | undefined {
    this.total++;
    this.rowTotals = undefined;
    this.rowBlanks = [];
    if (!this.fixedHeader) this.learnKeys(rec);
    const columns = (this.columns ??= this.resolve());
    const source = this.source;
    if (this.options.groups?.length) {
      const group = String(rec.cell(columns.group!)?.text ?? '');
      if (!this.options.groups.includes(group)) {
        if (this.groupsSeen.size < 1000) this.groupsSeen.add(group);
        return undefined;
      }
    }
    this.refuseNonRun(rec, columns);
    if (this.delimiter === ';') this.noteDecimalMarks(rec, columns);
    const run: Run = { loss: NaN, line: rec.line };
    let places: PrintedPlaces | undefined;
    const stepCell = columns.step === undefined ? undefined : rec.cell(columns.step);
    const atStart =
      this.options.zeroAtStepZero === true &&
      stepCell !== undefined &&
      stepCell.text !== null &&
      parseNumber(this.numberText(stepCell, 'step', columns.step!)) === 0;
    /** Whether `f`'s value of 0 is what this row means (tokens, compute, learning rate before any update). */
    const startZero = (f: Field, value: number) => atStart && value === 0 && (f === 'D' || f === 'C' || f === 'lr');
    for (const f of numericFields) {
      const col = columns[f];
      if (col === undefined) continue;
      const cell = rec.cell(col);
      if (this.leftBlank(f, col, cell, rec.line)) continue;
      if (cell === undefined) {
        throw new InputError(
          { file: source, line: rec.line, columnName: col },
          (o) => `this run has no value for "${col}" (${f}); expected a positive number${this.unreadHint(rec, f, o)}`,
        );
      }
      // The number as "." decimals and no separators (a semicolon file's 3,1 as 3.1): what is parsed.
      const text = this.numberText(cell, f, col);
      const value = parseNumber(text);
      const where = { file: source, line: cell.line, column: cell.column, columnName: col };
      if (f === 'loss' && this.options.keepDiverged === true && divergedLoss(cell.text)) {
        run.diverged = true;
        continue;
      }
      if (f === 'loss' && !(value > 0 && Number.isFinite(value))) {
        const hint = typeof cell.text === 'string' ? this.numberHint(cell.text) : undefined;
        const runCell = columns.run === undefined ? undefined : rec.cell(columns.run);
        const runName =
          runCell && runCell.text !== null && String(runCell.text).trim() !== '' ? String(runCell.text) : undefined;
        // pandas writes an infinity "inf", W&B "Infinity": a diverged run, not a word the reader does not know.
        const infinite = Math.abs(value) === Infinity || (typeof cell.text === 'string' && INFINITE.test(cell.text));
        this.noteBadLoss(
          where,
          `expected a ${infinite ? 'finite ' : ''}positive number for loss, got ${describeRaw(cell.text)}${hint && !infinite ? ` (${hint})` : ''}${value <= 0 ? ' (loss must be > 0)' : ''}`,
          cell.text === null || (typeof cell.text === 'string' && MISSING.test(cell.text)) || infinite,
          runName,
        );
        return undefined;
      }
      if (Number.isNaN(value)) {
        const hint = typeof cell.text === 'string' ? this.numberHint(cell.text) : undefined;
        const missing = cell.text === null || (typeof cell.text === 'string' && MISSING.test(cell.text.trim()));
        throw new InputError(
          where,
          (o) =>
            `expected a ${f === 'lr' ? 'non-negative' : 'positive'} number for ${f}, got ${describeRaw(cell.text)}${hint ? ` (${hint})` : ''}${missing || String(cell.text).trim() === '' ? this.unreadHint(rec, f, o) : ''}`,
        );
      }
      if (!Number.isFinite(value))
        throw new InputError(
          where,
          `expected a finite ${f === 'lr' ? 'non-negative' : 'positive'} number for ${f}, got ${describeRaw(cell.text)}`,
        );
      // A learning rate of 0 is logged: a warmup starts there and a cosine schedule ends there.
      if (value < 0 || (value === 0 && f !== 'lr' && !startZero(f, value)))
        throw new InputError(
          where,
          f === 'lr'
            ? `expected a non-negative number for lr, got ${describeRaw(cell.text)} (a learning rate must be ≥ 0)`
            : `expected a positive number for ${f}, got ${describeRaw(cell.text)} (${f} must be > 0)`,
        );
      this.refuseUnreadScale(f, col, where);
      const unit = this.unitOf(f, col);
      if (unit !== undefined && typeof text === 'string' && sizeSuffixOf(text) !== undefined)
        throw new InputError(
          where,
          `expected a number in ${unit.unit}, as the header ${quoteForMessage(col)} says, got ${describeRaw(cell.text)}, which has a size suffix of its own: write ${text.trim().replace(/\s*[a-zA-Z]$/, '')} if the header is right, or name the column without its unit (${unit.name}) to read the suffixes`,
        );
      if (unit !== undefined && value * unit.scale > HEADER_SCALED_CEILING[f as (typeof scaledFields)[number]])
        throw new InputError(
          where,
          `expected a number in ${unit.unit}, as the header ${quoteForMessage(col)} says, got ${describeRaw(cell.text)}: ${formatNumber(value * unit.scale, 4)} ${f === 'N' ? 'parameters' : f === 'C' ? 'FLOPs' : 'tokens'}, more than ${formatNumber(HEADER_SCALED_CEILING[f as (typeof scaledFields)[number]])}, beyond any run trained. If the column holds counts, name it without its unit (${unit.name}); if not, write the value in ${unit.unit}`,
        );
      run[f] = unit === undefined ? value : value * unit.scale;
      this.numbered.add(f);
      // The digits the cell printed, for telling a rounded copy of a run from another run (core/sameRun.ts);
      // a JSON number's text is gone once parsed, and its shortest form stands for it.
      if (isRunValueField(f)) {
        const place = lastDigitPlace(typeof text === 'string' ? text : String(value));
        if (place !== undefined)
          (places ??= {})[f] = place + (unit === undefined ? 0 : Math.round(Math.log10(unit.scale)));
      }
    }
    for (const f of ['group', 'run'] as const) {
      const col = columns[f];
      const cell = col === undefined ? undefined : rec.cell(col);
      if (cell && cell.text !== null && String(cell.text) !== '') {
        const name = String(cell.text);
        // Names are printed in tables, reports and one-line errors: a line break would break them.
        // eslint-disable-next-line no-control-regex -- control characters are what this looks for
        if (/[\x00-\x1f\x7f]/.test(name)) {
          throw new InputError(
            { file: source, line: cell.line, column: cell.column, columnName: col },
            `expected a ${f} name without control characters (line breaks, tabs), got ${describeRaw(cell.text)}`,
          );
        }
        run[f] = name;
      }
    }
    if (columns.state !== undefined) run.state = this.state(rec, columns.state);
    if (columns.lineage !== undefined) {
      const col = columns.lineage;
      const cell = rec.cell(col);
      const name = cell === undefined || cell.text === null ? '' : String(cell.text).trim();
      // A blank is refused where the lineage column was named (lineage, columns); a column found by its
      // name (lineage, trunk) with blanks is not used to resample (fitWarnings says so), so a file whose
      // unrelated "trunk" column has gaps still fits.
      if (name === '' && this.options.columns?.lineage !== undefined) {
        throw new InputError(
          { file: source, line: cell?.line ?? rec.line, ...(cell ? { column: cell.column } : {}), columnName: col },
          `this run has no lineage in "${col}"; a bootstrap draws runs of one lineage (the trunk of cooldown branches) together, so every run needs one (a run that is its own lineage repeats its run name)`,
        );
      }
      // eslint-disable-next-line no-control-regex -- control characters are what this looks for
      if (/[\x00-\x1f\x7f]/.test(name)) {
        throw new InputError(
          { file: source, line: cell!.line, column: cell!.column, columnName: col },
          `expected a lineage name without control characters (line breaks, tabs), got ${describeRaw(cell!.text)}`,
        );
      }
      if (name !== '') run.lineage = name;
    }
    if (columns.step !== undefined) {
      const cell = rec.cell(columns.step);
      if (cell && cell.text !== null && String(cell.text).trim() !== '') {
        const step = parseNumber(this.numberText(cell, 'step', columns.step));
        if (!(step >= 0) || !Number.isFinite(step)) {
          throw new InputError(
            { file: source, line: cell.line, column: cell.column, columnName: columns.step },
            `expected a non-negative step number, got ${describeRaw(cell.text)}`,
          );
        }
        run.step = step;
      }
    }
    const derived = this.derived;
    // A derived value must be a positive double too: 6ND of two huge values is Infinity, and
    // C/(6N) of a tiny C and a huge N is 0, either of which would poison a fit or a store.
    if (derived.D && run.C !== undefined && run.N !== undefined) {
      run.D = run.C / (6 * run.N);
      if (!(run.D > 0 || startZero('D', run.D)) || !Number.isFinite(run.D))
        this.outOfRange(rec, columns.C!, `D = C/(6N) = ${run.C}/(6 × ${run.N})`, run.D);
    }
    if (derived.C && run.N !== undefined && run.D !== undefined) {
      run.C = 6 * run.N * run.D;
      if (!(run.C > 0 || startZero('C', run.C)) || !Number.isFinite(run.C))
        this.outOfRange(rec, columns.D!, `C = 6ND = 6 × ${run.N} × ${run.D}`, run.C);
    }
    // A derived D or C follows from the values it is computed from, which are compared in its stead.
    if (places) {
      if (derived.D) places.D = Infinity;
      if (derived.C) places.C = Infinity;
      notePrintedPlaces(run, places);
    }
    if (run.U !== undefined && run.D !== undefined && run.U > run.D * (1 + 1e-9)) {
      const cell = rec.cell(columns.U!)!;
      throw new InputError(
        { file: source, line: cell.line, column: cell.column, columnName: columns.U },
        `unique tokens U = ${run.U} exceed total tokens D = ${run.D}; expected U ≤ D`,
      );
    }
    if (columns.run !== undefined && normalise(columns.run) === 'name') this.checkNameRepeat(rec, run, columns);
    if (run.diverged) {
      this.divergedRuns.push(run);
      return undefined;
    }
    if (columns.run === undefined && columns.step !== undefined) this.noteDisplayName(rec, run);
    if (columns.group === undefined) this.noteVariants(rec, run);
    this.noteSums(rec, run, columns, places);
    this.kept++;
    for (const f of this.rowBlanks) {
      const lacking = this.notRecorded.get(f);
      if (lacking === undefined) this.notRecorded.set(f, { col: columns[f]!, rows: 1, line: rec.line });
      else lacking.rows++;
    }
    this.firstLine ??= rec.line;
    return run;
  }

  /**
   * Each run name's first line (by name and step, where the file has a step column), where the run is
   * read from a display-name column (W&B's `Name`, found in a W&B export or mapped with run=Name).
   */
  private readonly nameLines = new Map<string, number>();

  /**
   * Each run name's last row (its step and line) and the first row where its step went back, in a history
   * read by a display name: a resumed run (W&B keeps the rows logged before the crash and those after the
   * resume from an earlier checkpoint) or two runs of one name written one after the other both step back.
   */
  private readonly nameSteps = new Map<
    string,
    { step: number; line: number; back?: { from: number; fromLine: number; to: number; line: number } }
  >();

  /**
   * Refuses a display name that repeats where runs would be merged: a W&B Name is shared by runs that
   * differ only in their seed, or a sweep named alike, and their rows would be read as one run's (a
   * final-loss table keeps one of them; a history interleaves their curves). Refused rather than kept
   * apart: the rows are handed on as they are read (runs import streams them into a store), so a name
   * cannot be dropped from rows already read once a later row repeats it. A history's rows repeat a
   * name at each step, so there only a name repeated at one step is refused; a W&B runs table's rows are
   * whole runs (WANDB_RUN_COLUMNS), its `_step` each run's last, so there any repeat is.
   */
  private checkNameRepeat(rec: RawRecord, run: Run, columns: Partial<Record<Field, string>>): void {
    if (run.run === undefined) return;
    const perRun = this.header.some((h) => WANDB_RUN_COLUMNS.includes(h.trim()));
    const step = columns.step === undefined || perRun ? undefined : run.step;
    if (columns.step !== undefined && !perRun && step === undefined) return;
    const key = step === undefined ? run.run : `${run.run}\u0000${step}`;
    let back: { from: number; fromLine: number; to: number; line: number } | undefined;
    if (step !== undefined) {
      const last = this.nameSteps.get(run.run);
      back =
        last?.back ??
        (last && step < last.step ? { from: last.step, fromLine: last.line, to: step, line: rec.line } : undefined);
      this.nameSteps.set(run.run, { step, line: rec.line, ...(back ? { back } : {}) });
    }
    const first = this.nameLines.get(key);
    if (first === undefined) return void this.nameLines.set(key, rec.line);
    const col = columns.run!;
    const cell = rec.cell(col);
    const found = this.options.columns?.run === undefined;
    const idColumn = this.header.find((h) => ['id', 'run_id', 'runid'].includes(normalise(h)));
    const where = { file: this.source, line: rec.line, ...(cell ? { column: cell.column } : {}), columnName: col };
    if (back)
      // The name's steps went back before this repeat: one name's rows start over, which a resumed run
      // does as well as two runs named alike; both are named, and the rows are neither kept nor dropped.
      throw new InputError(
        where,
        (o) =>
          `run name ${quoteForMessage(run.run!)}: its step goes back from ${back.from} (line ${back.fromLine}) to ${back.to} (line ${back.line}), and step ${step} is also at line ${first}: ${
            found ? `this W&B export's "${col}" column is read as the run` : `"${col}" is read as the run`
          }, and within one name the rows start over — a run resumed from an earlier checkpoint (its rows from before the crash and from after the resume are both in the export), or two runs named alike; read as one run, its curve would go back and forth. ${
            idColumn === undefined
              ? `Two runs: tell them apart with a column of run ids (W&B's ID, added to the export from the runs table's columns: ${o('columns')} run=ID)`
              : `Two runs: tell them apart with the file's run ids (${o('columns')} run=${idColumn})`
          }; a resumed run: keep the rows logged after the resume, filtering out of the file its rows before line ${back.line} at step ${back.to} or later (logged before the crash, then trained over)`,
      );
    throw new InputError(
      where,
      (o) =>
        `run name ${quoteForMessage(run.run!)} is also at line ${first}${step === undefined ? '' : `, at the same step ${step}`}: ${
          found ? `this W&B export's "${col}" column is read as the run, but it is` : `"${col}" is`
        } a display name, which runs can share (seeds, a sweep named alike), and these rows would be read as one run's${
          step === undefined ? ', one kept' : ''
        }; tell the runs apart with a column of run ids (${
          idColumn === undefined ? "W&B's ID, added to the export from the runs table's columns: " : ''
        }${o('columns')} run=${idColumn ?? 'ID'})${step === undefined ? `, or read each row as a run of its own with ${o('columns')} run=${UNREAD_COLUMN}` : ', or give each run its own name'}`,
    );
  }

  /**
   * A column called `name` (W&B's `Name`) beside a step column and no run column, while each of its values
   * keeps one N: it may name the runs, which the user can say (it is not read as the run unasked, as a
   * display name can be shared by runs). Undefined once a row has none or a name has two sizes.
   */
  private displayName: { col: string; sizes: Map<string, number | undefined> } | undefined | null = undefined;

  private noteDisplayName(rec: RawRecord, run: Run): void {
    if (this.displayName === undefined) {
      const col = this.header.find((h) => normalise(h) === 'name');
      this.displayName = col === undefined ? null : { col, sizes: new Map() };
    }
    const d = this.displayName;
    if (d === null) return;
    const cell = rec.cell(d.col);
    const name = cell === undefined || cell.text === null ? '' : String(cell.text);
    const sizes = d.sizes;
    if (name.trim() === '' || (sizes.has(name) && sizes.get(name) !== run.N)) this.displayName = null;
    else sizes.set(name, run.N);
  }

  /**
   * Unread columns named as an experiment's arms are (architecture, attention, optimizer, data source,
   * recipe, …) whose cells are words: each value's sizes (N with D or C), so finish can tell whether two
   * arms repeat the same sizes. null once none is left; a column is dropped at a number, or past
   * MAX_VARIANTS values (a free-text notes column is not arms).
   */
  private variants: Map<string, Map<string, Set<string>>> | undefined | null = undefined;

  private noteVariants(rec: RawRecord, run: Run): void {
    if (this.variants === undefined) {
      const read = new Set(Object.values(this.columns ?? {}));
      const candidates = this.header.filter((h) => !read.has(h) && VARIANT_NAME.test(normalise(h)));
      this.variants = candidates.length ? new Map(candidates.map((c) => [c, new Map()])) : null;
    }
    if (this.variants === null) return;
    const size = `${run.N ?? ''}|${run.D ?? run.C ?? ''}`;
    for (const [col, values] of this.variants) {
      const cell = rec.cell(col);
      const text = cell === undefined || cell.text === null ? '' : String(cell.text).trim();
      if (text === '' || MISSING.test(text)) continue;
      if (!Number.isNaN(parseNumber(text)) || (!values.has(text) && values.size >= MAX_VARIANTS)) {
        this.variants.delete(col);
        continue;
      }
      let sizes = values.get(text);
      if (!sizes) values.set(text, (sizes = new Set()));
      if (sizes.size < 10_000) sizes.add(size);
    }
    if (this.variants.size === 0) this.variants = null;
  }

  /** The noted columns whose arms repeat sizes: at least two sizes each found under two or more values. */
  private variantColumns(): { column: string; values: string[] }[] {
    const out: { column: string; values: string[] }[] = [];
    for (const [column, values] of this.variants ?? []) {
      if (values.size < 2) continue;
      const seen = new Map<string, number>();
      for (const sizes of values.values()) for (const s of sizes) seen.set(s, (seen.get(s) ?? 0) + 1);
      if ([...seen.values()].filter((n) => n >= 2).length >= 2) out.push({ column, values: [...values.keys()] });
    }
    return out;
  }

  /**
   * Adds a kept row to the sums, noting whether it reads as the totals of the three or more rows above it, or
   * as their means (noteMeans).
   */
  private noteSums(
    rec: RawRecord,
    run: Run,
    columns: Partial<Record<Field, string>>,
    places: PrintedPlaces | undefined,
  ): void {
    this.noteMeans(rec, run, columns, places);
    const { N, D } = run;
    const s = this.sums;
    s.lastIsSum = undefined;
    if (N === undefined || D === undefined) return;
    // A spreadsheet's export prints its totals rounded to the digits shown (2.6B for 2.595e9).
    const near = (x: number, sum: number) => Math.abs(x - sum) <= 0.02 * sum;
    // An AVERAGE is printed rounded to the digits shown (3.5 for 3.524): no lower than the mean is to half a
    // unit of the loss's last digit, so a lower loss printed with more digits (3.108 under 3.11) is a run.
    const place = places?.loss ?? lastDigitPlace(String(run.loss));
    const rounding = Math.max(place === undefined ? 0 : 0.5 * 10 ** place, 1e-9 * run.loss) * (1 + 1e-9);
    if (s.rows >= 3 && near(N, s.N) && near(D, s.D) && run.loss >= s.loss / s.rows - rounding) {
      const cell = columns.N === undefined ? undefined : rec.cell(columns.N);
      s.lastIsSum = new InputError(
        {
          file: this.source,
          line: rec.line,
          ...(cell ? { column: cell.column, columnName: columns.N } : {}),
        },
        `the last row's N = ${formatNumber(N)} and D = ${formatNumber(D)} are the sums of the ${s.rows} rows above it (${formatNumber(s.N)} and ${formatNumber(s.D)}), and its loss ${formatNumber(run.loss)} is no lower than their mean ${formatNumber(s.loss / s.rows)}: a spreadsheet's totals row, not a run? Remove the row (a run of exactly those sizes: put it before another row)`,
      );
    }
    s.N += N;
    s.D += D;
    s.loss += run.loss;
    s.rows++;
  }

  /**
   * The kept rows so far, as a spreadsheet's row of means (AVERAGE under each column, no label) is judged
   * against them: for N, D, C (as the file writes them, not derived) and the loss, how many rows have one,
   * their sum, and the sum of half a unit in each one's last digit printed; the smallest and largest N.
   */
  private readonly means = {
    rows: 0,
    count: { N: 0, D: 0, C: 0, loss: 0 },
    sum: { N: 0, D: 0, C: 0, loss: 0 },
    half: { N: 0, D: 0, C: 0, loss: 0 },
    minN: Infinity,
    maxN: -Infinity,
    lastIsMean: undefined as InputError | undefined,
    /** Each written N|D|C's losses with their half-units, for a row that repeats a run above (a seed). */
    runs: new Map<string, { loss: number; half: number }[]>(),
  };

  /**
   * Notes whether a kept row reads as the means of the three or more rows above it: its N, its D or C, and
   * its loss each their column's mean, to the digits printed (half a unit in the row's last digit and in
   * those of the rows it averages, which a spreadsheet holds to more digits than it prints), and N within
   * 2 % of its mean however coarsely printed. Only where the rows' N differ: a real ladder's last run is its
   * largest, while a mean's N lies inside the range (so a run of the mean size and loss is read where it is
   * not last); seeds of one size followed by their mean cannot be told from one more seed, and are read (a
   * mean of seeds is fitted as their own size and about their loss). Said once the file is read, as the
   * totals row is.
   */
  private noteMeans(
    rec: RawRecord,
    run: Run,
    columns: Partial<Record<Field, string>>,
    places: PrintedPlaces | undefined,
  ): void {
    const m = this.means;
    m.lastIsMean = undefined;
    const half = (f: 'N' | 'D' | 'C' | 'loss') => {
      const place = places?.[f];
      return place === undefined || !Number.isFinite(place) ? 0 : 0.5 * 10 ** place;
    };
    // The fields as written: a derived D (C/(6N)) or C (6ND) is no column's mean.
    const written = (['N', 'D', 'C', 'loss'] as const).filter(
      (f) => run[f] !== undefined && columns[f] !== undefined && this.derived[f as 'D' | 'C'] === undefined,
    );
    const all = (f: 'N' | 'D' | 'C' | 'loss') => written.includes(f) && m.count[f] === m.rows;
    const sizes = (['N', 'D', 'C'] as const).filter(all);
    // Another seed of a run above, its loss that run's to the digits printed: where its size is also the mean
    // (400M, 500M, 600M, then 500M again), a row of means would be that run's loss too, so it is read either way.
    const key = written.includes('N') ? `${run.N}|${run.D}|${run.C}` : undefined;
    const repeated = () =>
      (m.runs.get(key!) ?? []).some(
        (r) => Math.abs(r.loss - run.loss) <= (r.half + half('loss')) * (1 + 1e-9) + 1e-9 * run.loss,
      );
    const matches = (f: 'N' | 'D' | 'C' | 'loss') => {
      const mean = m.sum[f] / m.rows;
      const tolerance = (half(f) + m.half[f] / m.rows) * (1 + 1e-9) + 1e-9 * mean;
      return Math.abs(run[f]! - mean) <= (f === 'loss' ? tolerance : Math.min(tolerance, 0.02 * mean));
    };
    if (
      m.rows >= 3 &&
      all('N') &&
      all('loss') &&
      sizes.length >= 2 &&
      m.maxN > m.minN &&
      run.N! < m.maxN &&
      sizes.every(matches) &&
      matches('loss') &&
      !repeated()
    ) {
      const cell = columns.N === undefined ? undefined : rec.cell(columns.N);
      const listed = (values: (f: 'N' | 'D' | 'C') => number) =>
        sizes.map((f) => `${f} = ${formatNumber(values(f))}`).join(' and ');
      m.lastIsMean = new InputError(
        { file: this.source, line: rec.line, ...(cell ? { column: cell.column, columnName: columns.N } : {}) },
        `the last row's ${listed((f) => run[f]!)} are the means of the ${m.rows} rows above it (${listed((f) => m.sum[f] / m.rows)}), and its loss ${formatNumber(run.loss)} is their mean loss ${formatNumber(m.sum.loss / m.rows)}, to the digits printed: a spreadsheet's row of means (AVERAGE), not a run? Remove the row (a run of exactly those sizes and that loss: put it before another row)`,
      );
    }
    for (const f of written) {
      m.count[f]++;
      m.sum[f] += run[f]!;
      m.half[f] += half(f);
    }
    if (run.N !== undefined) [m.minN, m.maxN] = [Math.min(m.minN, run.N), Math.max(m.maxN, run.N)];
    // Bounded: a file of millions of rows is a trainer's log, whose last row no spreadsheet averaged.
    if (key !== undefined && (m.runs.has(key) || m.runs.size < 100_000))
      m.runs.set(key, [...(m.runs.get(key) ?? []), { loss: run.loss, half: half('loss') }]);
    m.rows++;
  }

  /**
   * Why a cell is not a number, for its error (suffixHint). A file separated by commas or tabs is read with
   * "." decimals: a decimal comma there is one cell's slip, said with the number to write.
   */
  private numberHint(text: string): string | undefined {
    return suffixHint(text);
  }

  /**
   * Notes the decimal mark a row's numbers show, in a file separated by semicolons (a spreadsheet's CSV in a
   * comma-decimal locale writes 3,1 and 1.300.000; a file of "." decimals may be so separated too), before
   * any of its cells is read: a row's 2.500 steps beside its 3,1 loss is read by the loss's comma. The first
   * mark shown is the file's; a number showing the other is refused, as a number that reads either way
   * (2.500) may already have been read by the first.
   */
  private noteDecimalMarks(rec: RawRecord, columns: Partial<Record<Field, string>>): void {
    for (const { f, col, cell, written, read, shows } of markedCells(rec, columns)) {
      const file = (this.decimalMark ??= { mark: shows, text: written, line: cell.line });
      if (file.mark !== shows)
        throw new InputError(
          { file: this.source, line: cell.line, column: cell.column, columnName: col },
          `expected a number for ${f} with "${file.mark}" as its decimal mark, as this file separated by semicolons writes them (line ${file.line}: ${quoteForMessage(file.text)}), got ${quoteForMessage(written)}, which writes "${shows}": a file written both ways has numbers that read either way (2.500: 2500 or 2.5); write ${file.mark === ',' ? read.replace('.', ',') : read}`,
        );
    }
  }

  /**
   * Takes a file separated by semicolons' decimal mark from the first number in it that shows one, before any
   * row is read: pandas' `to_csv(sep=';')` writes 3.125 in its first row and 2.9871 in a later one, and the
   * later one says the first's point is a decimal point. A file has one mark (noteDecimalMarks refuses a
   * number showing the other, wherever it is), so a number read by a mark shown below it reads as one read by
   * a mark above it would. Whether the mark is known.
   */
  noteFileDecimalMark(records: Iterable<RawRecord>): boolean {
    if (this.delimiter !== ';' || this.decimalMark !== undefined) return true;
    const columns = (this.columns ??= this.resolve());
    for (const rec of records)
      for (const { cell, written, shows } of markedCells(rec, columns)) {
        this.decimalMark = { mark: shows, text: written, line: cell.line };
        return true;
      }
    return false;
  }

  /**
   * A cell's text as parseNumber reads it: as written, except in a file separated by semicolons, where a
   * number with a decimal comma or thousands separators is written with "." decimals and none (3,1 → 3.1,
   * 1.300.000 → 1300000, 1.300,5 → 1300.5), and one that reads either way (2.500) is read by the decimal
   * mark the file shows (noteFileDecimalMark), refused where no number in it shows one: no number is read
   * otherwise than it was written.
   */
  private numberText(cell: Cell, what: Field | 'step', col: string): string | number | null {
    if (this.delimiter !== ';' || typeof cell.text !== 'string') return cell.text;
    const written = cell.text.trim();
    const marked = markedNumber(written);
    if (marked === undefined) return cell.text;
    if (marked.read !== undefined) return marked.read;
    if (this.decimalMark !== undefined) return marked.asMark[this.decimalMark.mark];
    // The separator written is the decimal mark in one reading, and separates thousands in the other.
    const sep: DecimalMark = written.includes(',') ? ',' : '.';
    const thousands = marked.asMark[sep === '.' ? ',' : '.'];
    const decimal = unambiguousDecimal(marked.asMark[sep]);
    throw new InputError(
      { file: this.source, line: cell.line, column: cell.column, columnName: col },
      `expected a number for ${what}, got ${quoteForMessage(written)}, which a file separated by semicolons may mean either way: ${thousands} where "${sep}" separates thousands, ${decimal} where it is the decimal mark, and no number in the file shows which (a decimal comma as in 3,1 would, or a decimal point as in 0.25); write it as the number it is (${thousands} or ${decimal})`,
    );
  }

  /** Refuses a column read for `f` whose header gives a scale that is not applied (unreadScale), at its header. */
  private refuseUnreadScale(f: Field, col: string, where: Location): void {
    if (this.scaleChecked.has(col)) return;
    const why = unreadScale(f, col);
    if (why === undefined) {
      this.scaleChecked.add(col);
      return;
    }
    const i = this.fixedHeader ? this.header.indexOf(col) : -1;
    throw new InputError(
      i >= 0 ? { file: this.source, line: this.firstHeaderLine, column: i + 1, columnName: col } : where,
      why,
    );
  }

  /** The unit a size's header gives (params (M): millions), undefined for any other field or header. */
  private unitOf(f: Field, col: string): { name: string; scale: number; unit: string } | undefined {
    if (!(scaledFields as readonly string[]).includes(f)) return undefined;
    if (!this.headerUnits.has(col)) this.headerUnits.set(col, headerScale(col));
    return this.headerUnits.get(col);
  }

  /**
   * Whether this record's cell of field `f` is passed over. A configuration field the read does not need
   * (mayLack) is passed over at a blank (empty, "n/a", a JSON null or absent key): that run did not record
   * it, and finish says how many runs lack it (a column with no number in any run is left unread, and
   * said so). For another field, the column must be one left unread: a column found by another name than
   * the field's (total_flops) for a field this read can do without, whose every cell so far is blank.
   * Files read with such a column before its name was recognised still read; a number in it after a blank
   * refuses the file at the first blank, as a column that was mapped or that a read needs is refused at
   * every blank: no run's N, D, C or U is made up beside another's read (a 6ND beside measured FLOPs).
   */
  private leftBlank(f: Field, col: string, cell: Cell | undefined, line: number): boolean {
    const empty =
      cell === undefined || cell.text === null || (typeof cell.text === 'string' && MISSING.test(cell.text));
    if (this.mayLack(f)) {
      if (empty) this.rowBlanks.push(f);
      return empty;
    }
    const first = this.blank.get(f);
    if (first !== undefined && first.col === col) {
      if (empty) return true;
      // A word is refused where it is, as in any column; a number refuses the file at the first blank.
      if (Number.isNaN(parseNumber(cell!.text))) return false;
      const at = first.cell;
      throw new InputError(
        {
          file: this.source,
          line: at?.line ?? first.line,
          ...(at ? { column: at.column } : {}),
          columnName: col,
        },
        `expected a positive number for ${f}, got ${at ? describeRaw(at.text) : 'no value'} (line ${cell!.line} has one: a column with numbers needs one in every run)`,
      );
    }
    if (!empty || this.kept > 0 || this.numbered.has(f) || !this.canLeave(f)) return false;
    this.blank.set(f, { col, cell, line });
    this.derived = { ...this.derived, ...derivations((g) => this.columns?.[g] !== undefined && !this.blank.has(g)) };
    return true;
  }

  /**
   * Whether a run may lack field `f` (a blank cell: not recorded for it): a configuration field the read
   * does not need. Its column stays read for the runs that have it; finish says how many do not.
   */
  private mayLack(f: Field): boolean {
    return configurationFields.includes(f) && !this.required.includes(f);
  }

  /**
   * Whether field `f`'s column may be left unread: found by its name, not mapped, and neither required
   * nor needed to derive a required field (C for D = C/(6N)) once the columns already left are gone.
   */
  private canLeave(f: Field): boolean {
    const col = this.columns?.[f];
    if (this.options.columns?.[f] !== undefined || col === undefined || normalise(col) === normalise(f)) return false;
    const left = (g: Field) => g === f || this.blank.has(g);
    const has = (g: Field) => this.columns?.[g] !== undefined && !left(g);
    return this.required.every(
      (r) => has(r) || (r === 'D' && has('C') && has('N')) || (r === 'C' && has('N') && has('D')),
    );
  }

  /**
   * For a run without a value in a column that a fit can do without and whose blanks are refused (U; a
   * configuration column's blank is read as not recorded, mayLack): how to read the file without it, and
   * without the record's other such blanks, all in one mapping.
   */
  private unreadHint(rec: RawRecord, f: Field, o: OptionNamer): string {
    const optional = (g: Field) =>
      !this.required.includes(g) && g !== 'N' && g !== 'D' && g !== 'C' && !this.mayLack(g);
    if (!optional(f)) return '';
    const blank = numericFields.filter((g) => {
      const col = this.columns?.[g];
      if (col === undefined || !optional(g)) return false;
      const cell = rec.cell(col);
      return cell === undefined || cell.text === null || (typeof cell.text === 'string' && MISSING.test(cell.text));
    });
    const fields = blank.includes(f as (typeof numericFields)[number]) ? blank : [f];
    return ` (a column with numbers needs one in every run: fill ${fields.length === 1 ? 'it' : 'them'} in, or leave ${fields.length === 1 ? 'the column' : 'the columns'} unread, ${o('columns')} ${fields.map((g) => `${g}=${UNREAD_COLUMN}`).join(',')})`;
  }

  /** A row's run state, one of runStates; anything else (a blank too) is refused at its cell. */
  private state(rec: RawRecord, col: string): RunState {
    const cell = rec.cell(col);
    const text = cell === undefined || cell.text === null ? '' : String(cell.text).trim().toLowerCase();
    const state = runStates.find((s) => s === text);
    if (state !== undefined) return state;
    throw new InputError(
      { file: this.source, line: cell?.line ?? rec.line, ...(cell ? { column: cell.column } : {}), columnName: col },
      (o) =>
        `expected a run state (${runStates.join(', ')}), got ${cell ? describeRaw(cell.text) : 'no value'}; a column named ${quoteForMessage(col)} is read as where each run stands in its tracker (to leave it unread, ${o('columns')} state=${UNREAD_COLUMN})`,
    );
  }

  /** A derived value that is not a positive double is refused where its inputs are. */
  private outOfRange(rec: RawRecord, col: string, formula: string, value: number): never {
    const cell = rec.cell(col);
    const what =
      value > 0
        ? 'overflows (above 1.8e308, the largest double)'
        : 'underflows to 0 (below 5e-324, the smallest double)';
    throw new InputError(
      { file: this.source, line: cell?.line ?? rec.line, ...(cell ? { column: cell.column } : {}), columnName: col },
      `${formula} ${what}; expected values whose derived ${formula[0]} is a positive finite number`,
    );
  }

  /** What the data set is, once every record has been seen; refuses a file without runs. */
  finish(format: RunFormat): DatasetInfo {
    const source = this.source;
    const totals = [...this.totalsLabels.values()].filter((t) => t.rows === 1);
    if (totals.length)
      throw totals.sort((a, b) => (a.error.location.line ?? 0) - (b.error.location.line ?? 0))[0].error;
    if (this.badLoss) throw this.badLossError();
    if (this.sums.lastIsSum) throw this.sums.lastIsSum;
    if (this.means.lastIsMean) throw this.means.lastIsMean;
    if (format === 'csv' && !this.fixedHeader)
      throw new InputError({ file: source }, 'the file is empty: expected a header line and at least one run');
    if (this.total === 0) throw new InputError({ file: source }, noRunsIn[format]);
    const groups = this.options.groups;
    if (groups?.length && this.kept === 0) {
      throw new InputError(
        { file: source, line: 1, columnName: this.columns?.group },
        noRunsInGroups(groups, this.groupsSeen),
      );
    }
    // A configuration column with no number in any run is left unread, as an empty total_flops is; one the
    // user mapped is refused at its first blank, as the mapping asked for numbers there.
    const noNumber = [...this.notRecorded].filter(([f]) => !this.numbered.has(f));
    for (const [f, { col, line }] of noNumber)
      if (this.options.columns?.[f] !== undefined)
        throw new InputError(
          { file: source, line, columnName: col },
          (o) =>
            `expected a ${f === 'lr' ? 'non-negative' : 'positive'} number for ${f} in "${col}" (${o('columns')} ${f}=${col}), but no run has one there: map the column that holds ${f}, or leave it unread (${f}=${UNREAD_COLUMN})`,
        );
    const usedColumns: Dataset['columns'] = {};
    for (const [f, c] of Object.entries(this.columns ?? {}))
      if (this.blank.get(f as Field)?.col !== c && !noNumber.some(([g]) => g === f)) usedColumns[f as Field] = c;
    const info: DatasetInfo = { source, columns: usedColumns, derived: this.derived, rows: this.kept };
    for (const f of scaledFields) {
      const col = usedColumns[f];
      const unit = col === undefined ? undefined : this.unitOf(f, col);
      if (unit !== undefined)
        (info.scaled ??= {})[f] = `× ${formatNumber(unit.scale)} (the header's unit: ${unit.unit})`;
    }
    const read = new Set(Object.values(usedColumns));
    const unread = this.header.filter((h) => !read.has(h) && h.trim() !== '');
    if (unread.length) info.unread = unread;
    // A tracker's key with a prefix (W&B's model.n_params, train/tokens_seen) is not read unasked, but a
    // missing N, D or loss then names it, so the mapping to write is said beside the columns.
    for (const f of ['N', 'D', 'C', 'loss'] as const) {
      if (usedColumns[f] !== undefined || this.options.columns?.[f] === UNREAD_COLUMN) continue;
      const aliases = new Set(fieldAliases[f].map(normalise));
      const like = unread.find((h) => {
        const last = h.split(/[/.:]/).pop()!;
        return last !== h && aliases.has(normalise(last)) && !Object.values(info.unreadLike ?? {}).includes(h);
      });
      if (like !== undefined) (info.unreadLike ??= {})[like] = f;
    }
    if (this.displayName && usedColumns.run === undefined) info.runNameColumn = this.displayName.col;
    if (
      usedColumns.run !== undefined &&
      this.options.columns?.run === undefined &&
      normalise(usedColumns.run) === 'name'
    )
      info.wandbNameRun = usedColumns.run;
    const variants = this.variantColumns();
    if (variants.length) info.variantColumns = variants;
    const why: Record<string, string> = Object.fromEntries(
      [...this.blank, ...noNumber].map(([f, { col }]) => [col, `${f}: no run has a number there`]),
    );
    for (const [f, { col, rows, line }] of this.notRecorded)
      if (this.numbered.has(f)) (info.notRecorded ??= {})[f as ConfigurationField] = { column: col, rows, line };
    // A column the mapping left unread (lr=-) is said as such, where its field would have found it.
    const leftOut = (Object.keys(fieldAliases) as Field[]).filter((f) => this.options.columns?.[f] === UNREAD_COLUMN);
    if (leftOut.length) {
      const found = resolveColumns(
        this.header,
        Object.fromEntries(Object.entries(this.options.columns ?? {}).filter(([, c]) => c !== UNREAD_COLUMN)),
        source,
      );
      for (const f of leftOut) {
        const col = found[f];
        if (col !== undefined && !read.has(col)) why[col] = `${f}: left unread (${f}=${UNREAD_COLUMN})`;
      }
    }
    // A size column no name found because its header's unit is not one read (params (MM)): said with it.
    for (const h of unread) {
      const name = headerBrackets(h)?.name;
      const f = scaledFields.find((g) => fieldAliases[g].some((a) => normalise(a) === normalise(name ?? '')));
      if (f !== undefined && usedColumns[f] === undefined && why[h] === undefined && unreadScale(f, h) !== undefined)
        why[h] = `${f} in a unit not read, ${headerBrackets(h)!.unit}: k, M, B, T, P or 1e6 are`;
    }
    if (Object.keys(why).length) info.unreadWhy = why;
    if (groups?.length) info.selection = groupSelectionNote(groups, this.kept, this.total);
    if (this.divergedRuns.length) info.diverged = this.divergedRuns;
    return info;
  }
}

const jsonTypeOf = (value: unknown): string =>
  value === null ? 'null' : typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'boolean' : 'number';

/**
 * Walks JSON text and hands each run object to `onRecord`, without building a tree of the whole
 * file. `top` is 'array' for a JSON file (an array of run objects) and 'object' for JSONL, whose
 * lines are each one run: one visitor serves every line of a file (a million lines must not make
 * a million sets of callbacks).
 */
export class JsonRunsVisitor {
  private readonly recordDepth: number;
  private text = '';
  private lineOffset = 0;
  private depth = 0;
  private rootSeen = false;
  private current: MapRecord | undefined;
  private key: string | undefined;
  private readonly keyAt = new Map<string, { line: number; column: number }>();
  private nested: { line: number; column: number; offset: number } | undefined;
  private readonly visitor: JSONVisitor;

  constructor(
    private readonly source: string,
    private readonly top: 'array' | 'object',
    private readonly onRecord: (rec: RawRecord) => void,
  ) {
    this.recordDepth = top === 'array' ? 2 : 1;
    this.visitor = {
      onObjectBegin: (offset, _length, line, character) => this.begin('object', offset, line, character),
      onArrayBegin: (offset, _length, line, character) => this.begin('array', offset, line, character),
      onObjectEnd: (offset) => this.end(offset),
      onArrayEnd: (offset) => this.end(offset),
      onObjectProperty: (name, _offset, _length, line, character) => this.property(name, line, character),
      onLiteralValue: (value: unknown, _offset, _length, line, character) => this.literal(value, line, character),
      onError: (error: ParseErrorCode, offset, _length, line, character) => {
        const where = this.where(line, character);
        const message = malformedJson(error, { text: this.text, offset });
        const word = nonFiniteWord(this.text, offset);
        if (word !== undefined && this.depth === this.recordDepth && this.current && this.key !== undefined)
          throw new NonFiniteJsonError({ ...where, columnName: this.key }, message, this.key, word, this.current);
        throw new InputError(where, message);
      },
    };
  }

  /** Visit one text: the whole JSON file, or one JSONL line (`lineNumber` is then that line's). */
  visit(text: string, lineNumber = 1): void {
    this.text = text;
    this.lineOffset = lineNumber - 1;
    this.depth = 0;
    this.rootSeen = false;
    this.current = undefined;
    this.key = undefined;
    // An empty JSON file (or one of only spaces) is said as empty, as an empty CSV is, not as "ValueExpected".
    // Located where the array was still expected: the end of the file.
    if (this.top === 'array' && stripBom(text).trim() === '')
      throw new InputError(
        { file: this.source, line: lineNumber + (text.match(/\n/g)?.length ?? 0) },
        `the file is ${text === '' ? 'empty' : 'blank'}: expected a JSON array of runs (objects), e.g. [{"N": 1e8, "D": 2e9, "loss": 3.1}]`,
      );
    visit(text, this.visitor, { disallowComments: true, allowTrailingComma: false });
    if (!this.rootSeen) {
      throw new InputError(
        { file: this.source, line: lineNumber, column: 1 },
        this.top === 'array'
          ? 'expected a JSON array of runs (objects), e.g. [{"N": 1e8, "D": 2e9, "loss": 3.1}]'
          : 'expected a JSON object for a run',
      );
    }
  }

  private where(line: number, character: number): Location {
    return { file: this.source, line: line + 1 + this.lineOffset, column: character + 1 };
  }

  /** A value where a run (or, at the top of a JSON file, the array of runs) should be. */
  private notRun(what: string, line: number, character: number, atRoot: boolean): never {
    throw new InputError(
      this.where(line, character),
      atRoot && this.top === 'array'
        ? `expected a JSON array of runs (objects), e.g. [{"N": 1e8, "D": 2e9, "loss": 3.1}], got ${what}`
        : `expected a JSON object for a run, got ${what}`,
    );
  }

  private begin(kind: 'object' | 'array', offset: number, line: number, character: number): void {
    const depth = ++this.depth;
    // Checked before the parser descends further, so a hostile nesting never exhausts its recursion.
    if (depth > MAX_JSON_DEPTH)
      throw new InputError(
        this.where(line, character),
        `JSON nested more than ${MAX_JSON_DEPTH} deep; expected runs as flat objects`,
      );
    if (depth === 1) {
      this.rootSeen = true;
      if (kind !== (this.top === 'array' ? 'array' : 'object')) this.notRun(`an ${kind}`, line, character, true);
    }
    if (depth === this.recordDepth && kind === 'array') this.notRun('an array', line, character, false);
    if (depth === this.recordDepth && kind === 'object') {
      this.current = new MapRecord(line + 1 + this.lineOffset);
      this.keyAt.clear();
    }
    if (depth === this.recordDepth + 1 && this.current && this.key !== undefined)
      this.nested = { line, column: character, offset };
  }

  private end(offset: number): void {
    const depth = this.depth;
    if (depth === this.recordDepth + 1 && this.nested && this.current && this.key !== undefined) {
      // A structured value is kept as its JSON text: a number field then says what it got.
      const at = this.where(this.nested.line, this.nested.column);
      this.current.values.set(this.key, {
        text: this.text.slice(this.nested.offset, offset + 1),
        line: at.line!,
        column: at.column!,
      });
      this.nested = undefined;
    }
    if (depth === this.recordDepth && this.current) {
      const rec = this.current;
      this.current = undefined;
      this.onRecord(rec);
    }
    this.depth--;
  }

  private property(name: string, line: number, character: number): void {
    if (this.depth !== this.recordDepth || !this.current) return;
    const first = this.keyAt.get(name);
    if (first) {
      throw new InputError(
        { ...this.where(line, character), columnName: name },
        `duplicate key "${name}" in this run (first at line ${first.line}, column ${first.column}); expected each key once`,
      );
    }
    const at = this.where(line, character);
    this.keyAt.set(name, { line: at.line!, column: at.column! });
    this.key = name;
  }

  private literal(value: unknown, line: number, character: number): void {
    const depth = this.depth;
    if (depth === 0 || depth === this.recordDepth - 1)
      this.notRun(`a ${jsonTypeOf(value)}`, line, character, depth === 0);
    if (depth === this.recordDepth && this.current && this.key !== undefined) {
      const text =
        typeof value === 'number' || typeof value === 'string' || value === null ? value : JSON.stringify(value);
      this.current.values.set(this.key, { text, line: line + 1 + this.lineOffset, column: character + 1 });
    }
  }
}

/** A JSONL line that JSON.parse read: its values, without positions (see JsonlRuns.line). */
class ParsedRecord implements RawRecord {
  constructor(
    readonly line: number,
    private readonly values: Record<string, unknown>,
  ) {}
  keys(): Iterable<string> {
    return Object.keys(this.values);
  }
  cell(name: string): Cell | undefined {
    if (!Object.hasOwn(this.values, name)) return undefined;
    const v = this.values[name];
    return { text: typeof v === 'boolean' ? String(v) : (v as string | number | null), line: this.line, column: 1 };
  }
}

/** Colons outside strings: in a flat object, one per key (fewer keys after JSON.parse: a key twice). */
function colonsOutsideStrings(text: string): number {
  let n = 0,
    inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 58) n++;
  }
  return n;
}

/** Feeds JSONL lines to a validator. */
export class JsonlRuns {
  private readonly visitor: JsonRunsVisitor;
  constructor(
    private readonly validator: RunValidator,
    private readonly onRun: (run: Run) => void,
  ) {
    this.visitor = new JsonRunsVisitor(validator.source, 'object', (rec) => {
      const run = validator.run(rec);
      if (run) onRun(run);
    });
  }

  line(text: string, lineNumber: number): void {
    if (!/\S/.test(text)) return;
    // Most lines are flat objects with good values: the engine's JSON.parse reads them several times
    // faster than the positional visitor. Anything else — a syntax error, a nested value, a key
    // given twice, a bad value — goes through the visitor, which says exactly where the problem is.
    if (this.flat(text, lineNumber)) return;
    try {
      this.visitor.visit(text, lineNumber);
    } catch (e) {
      // A bare NaN loss is one more run without a loss: counted, and the lines after it read.
      if (e instanceof NonFiniteJsonError && this.validator.nonFiniteLoss(e)) return;
      throw e;
    }
  }

  private flat(text: string, lineNumber: number): boolean {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return false;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    for (const k of keys) if (typeof object[k] === 'object' && object[k] !== null) return false;
    if (colonsOutsideStrings(text) !== keys.length) return false;
    let run: Run | undefined;
    const badBefore = this.validator.badLossRows;
    try {
      run = this.validator.run(new ParsedRecord(lineNumber, object));
    } catch (e) {
      if (e instanceof InputError) return false;
      throw e;
    }
    // A refused loss is noted with its column: read again by the visitor, which knows it.
    if (this.validator.badLossRows !== badBefore) {
      this.validator.forgetLastBadLoss();
      return false;
    }
    if (run) this.onRun(run);
    return true;
  }
}

/** Strip a UTF-8 byte-order mark: editors on Windows write one before CSV and JSON alike. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The header of CSV text for an error message, when its first line parses on its own. */
function headerOf(text: string, source: string): string[] | undefined {
  try {
    return (
      parseCsv(stripBom(text).split('\n', 1)[0], {
        ...csvOptions(source, text),
        relax_quotes: true,
        relax_column_count: true,
      }) as string[][]
    )[0];
  } catch {
    return undefined;
  }
}

/** CSV text's records with the line each ends on; a malformed file is one located error. */
export function csvRecords(text: string, source: string): { record: string[]; info: { lines: number } }[] {
  try {
    return parseCsv(text, { ...csvOptions(source, text), info: true }) as never;
  } catch (e) {
    let open: { line: number; field: number } | undefined;
    if ((e as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED') {
      const scanner = new OpenQuoteScanner(csvOptions(source, text).delimiter);
      scanner.feed(stripBom(text));
      open = scanner.unclosed();
    }
    throw csvError(e, source, headerOf(text, source), open);
  }
}

/** Feed the records of CSV text to a validator. */
function csvText(text: string, validator: RunValidator, onRun: (run: Run) => void): void {
  const rows = csvRecords(text, validator.source);
  if (rows.length === 0) return;
  const index = validator.setHeader(rows[0].record, rows[0].info.lines, csvOptions(validator.source, text).delimiter);
  if (rows.length > 1)
    validator.noteFileDecimalMark(rows.slice(1).map((row) => new CsvRecord(row.info.lines, row.record, index)));
  for (let r = 1; r < rows.length; r++) {
    const run = validator.run(new CsvRecord(rows[r].info.lines, rows[r].record, index));
    if (run) onRun(run);
  }
}

/**
 * Parse and validate runs.
 * @throws InputError naming the file, line and column of the first problem
 */
export function parseRuns(text: string, options: ParseRunsOptions): Dataset {
  const source = options.source;
  const format = options.format ?? detectFormat(source, text);
  const binary = binaryProblem(text.slice(0, BINARY_CHECK_CHARS), source);
  if (binary) throw binary;
  const validator = new RunValidator(options);
  const runs: Run[] = [];
  const keep = (run: Run) => void runs.push(run);
  try {
    readRecords(text, format, validator, keep);
  } catch (e) {
    throw validator.earlierError(e);
  }
  const { rows: _rows, ...info } = validator.finish(format);
  void _rows;
  return { ...info, runs };
}

function readRecords(text: string, format: RunFormat, validator: RunValidator, keep: (run: Run) => void): void {
  const source = validator.source;
  switch (format) {
    case 'csv':
      csvText(text, validator, keep);
      break;
    case 'json':
      new JsonRunsVisitor(source, 'array', (rec) => {
        const run = validator.run(rec);
        if (run) keep(run);
      }).visit(stripBom(text));
      break;
    case 'jsonl': {
      const jsonl = new JsonlRuns(validator, keep);
      stripBom(text)
        .split('\n')
        .forEach((line, i) => jsonl.line(line, i + 1));
      break;
    }
    default:
      unreadFormat(format);
  }
}

/** Parse a `--columns` value: `N="Model Size",C=Training FLOP`. */
export function parseColumnMapping(spec: string): Partial<Record<Field, string>> {
  const out: Partial<Record<Field, string>> = {};
  for (const part of splitTopLevel(spec)) {
    const eq = part.indexOf('=');
    if (eq <= 0)
      throw new OptionError({
        option: 'columns',
        value: spec,
        message: `expected FIELD=COLUMN pairs separated by commas, got "${part}"`,
      });
    const field = part.slice(0, eq).trim();
    let column = part.slice(eq + 1).trim();
    if (/^".*"$/.test(column) || /^'.*'$/.test(column)) column = column.slice(1, -1);
    if (!(field in fieldAliases)) {
      // The pair written the other way round (num_tokens=D), or a field by a column's common name or in
      // another case (tokens=…, d=…): the pair meant is named.
      const fieldOf = (name: string) =>
        (Object.keys(fieldAliases) as Field[]).find(
          (f) => normalise(f) === normalise(name) || fieldAliases[f].some((a) => normalise(a) === normalise(name)),
        );
      const reversed = column in fieldAliases ? column : undefined;
      const meant = reversed
        ? `${reversed}=${field}? the field comes first, then the file's column`
        : fieldOf(field)
          ? `${fieldOf(field)}=${column}?`
          : undefined;
      throw new OptionError({
        option: 'columns',
        value: spec,
        allowed: Object.keys(fieldAliases),
        message: `unknown field "${field}"${meant ? ` (did you mean ${meant})` : ''}: expected one of ${Object.keys(fieldAliases).join(', ')}`,
      });
    }
    out[field as Field] = column;
  }
  return out;
}

function splitTopLevel(spec: string): string[] {
  const parts: string[] = [];
  let cur = '',
    quote = '';
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
