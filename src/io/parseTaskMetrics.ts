/**
 * Per-task evaluation metrics (benchmark accuracy, task loss in bits per byte, correct-answer
 * log-likelihood, Brier score …) of training runs and their checkpoints, read from three formats.
 * Pure (text in, records out): the web app can parse the same files.
 *
 * - Long CSV: one metric a row — `run, N, tokens (or step), task, metric, value`, optionally
 *   `val_loss` and `C`.
 * - Wide CSV: one checkpoint a row, one column per (task, metric): `<task>/<metric>`, or the OLMo
 *   ladder's wandb names (`eval/downstream_bpb/<task>_bpb`, `eval/downstream/<task>_len_norm`,
 *   `eval/downstream/<task>_acc`, `eval/downstream_soft_log/<task>_soft_log`); the validation loss
 *   from `val_loss` or `eval/c4_en-validation/CrossEntropyLoss`.
 * - lm-evaluation-harness results JSON: `results: {task: {"acc,none": …, "acc_norm,none": …}}` (or
 *   the older `{"acc": …}`), with the model and checkpoint in `config.model_args`.
 *
 * Every problem is an InputError naming the file, line and column.
 */
import { InputError } from '../errors/index.js';
import { csvOptions, csvRecords, headerIndex, stripBom, binaryProblem, BINARY_CHECK_CHARS } from './parseRuns.js';
import { lineColumn, lineStartsOf, quoteForMessage } from './textPosition.js';
import { plain } from '../core/format.js';
import { magnitudeRefusal } from '../core/magnitude.js';
import { parseJsonText } from './parseJson.js';
import { percentSlip } from '../core/slips.js';
import { parseSuffixedNumber, suffixHint } from '../core/quantity.js';

/** One metric of one task at one checkpoint of one run. */
export interface TaskMetric {
  run: string;
  /** Parameters of the model, when known. */
  N?: number;
  /** Tokens seen at the checkpoint. */
  D?: number;
  step?: number;
  /** Training compute at the checkpoint (FLOPs), when the file gives it. */
  C?: number;
  /** Validation loss (nats per token) at the checkpoint, when the file gives it. */
  valLoss?: number;
  task: string;
  metric: string;
  value: number;
  /** 1-based line (and column) of the value in the source file. */
  line: number;
  column?: number;
  /** The value's key path in a JSON file (an lm-eval results file's `results.piqa["acc,none"]`), for errors. */
  key?: string;
  /**
   * The file the value was read from, where that is not the data's own name: a run file of a ladder
   * manifest, or the file an import into the run store read it from. Errors are located there.
   */
  file?: string;
}

export interface TaskMetricSet {
  source: string;
  format: 'long' | 'wide' | 'lm-eval';
  records: TaskMetric[];
  /** Cells with no value (a metric not evaluated at that checkpoint): counted, not stored. */
  emptyCells: number;
  /** Columns that are neither a metric nor a known field (shown so that nothing is dropped unseen). */
  ignoredColumns: string[];
  /** lm-evaluation-harness tasks with nothing but an alias or standard errors (shown, as ignored columns are). */
  tasksWithoutMetrics?: string[];
  /**
   * Checkpoints were placed by W&B's `_step`, the count of log calls, for want of a trainer's step column
   * or a tokens value: the training step only when the run logged once a step (said to the user, as tokens
   * from it may be off).
   */
  stepFromLogCount?: true;
  /**
   * lm-evaluation-harness groups with an aggregate in the file (MMLU's, and its four categories), each with
   * its direct members (`group_subtasks`): the aggregate is a mean of those tasks, not a task beside them,
   * so an average over every task takes it in their place (averageTask).
   */
  groups?: Record<string, string[]>;
  /**
   * lm-evaluation-harness's few-shot count per task (`"n-shot"`), where its value is: 0-shot and 5-shot
   * accuracies are different quantities, refused when the files mix them (mergeTaskMetricSets).
   */
  shots?: Record<string, { shots: number; line: number; column: number; key: string }>;
}

/** A run's part in a ladder: fitted (`ladder`), another seed of a ladder run (`rerun`), or a large model to predict (`target`). */
export type RunRole = 'ladder' | 'rerun' | 'target';

/** A task as a ladder defines it: weighted parts (MMLU's four), its metrics, its random-guess accuracy. */
export interface TaskDefinition {
  task: string;
  parts?: Record<string, number>;
  /** Each part's own accuracy metric, where it has one (an average over tasks scored differently). */
  partAccuracy?: Record<string, string>;
  accuracyMetric?: string;
  lossMetric?: string;
  /** Random-guess accuracy. */
  chance?: number;
  /**
   * Parts that are lm-evaluation-harness groups' aggregates (MMLU's), with how many of the data's tasks each
   * stands for, left out of an average over every task (averageTask). Never stored.
   */
  partGroups?: Record<string, number>;
  /**
   * Where `chance` came from when not the manifest: given for the analysis by task name, or the mean of an
   * average's tasks' levels. Never stored (a study keeps its manifest's definitions).
   */
  chanceFrom?: 'option' | 'parts';
}

/** Task metrics from several files (or a store), with each run's role and the tasks a manifest defines. */
export interface TaskMetricData {
  source: string;
  sets: TaskMetricSet[];
  /** Every record of every set. */
  records: TaskMetric[];
  /** Role of each run (runs not listed are ladder runs). */
  roles: Map<string, RunRole>;
  tasks: TaskDefinition[];
  /** A run store's lm-eval groups (as TaskMetricSet.groups), where the files' sets are not kept. */
  groups?: Record<string, string[]>;
}

export interface TaskMetricOptions {
  source: string;
  /** Run name when the file has no run column (wide CSV) or no model in its config (lm-eval). */
  run?: string;
  /** Parameters when the file has no N column. */
  N?: number;
  /** Tokens seen (lm-eval JSON, which records none). */
  tokens?: number;
  /** Tokens per optimizer step, to turn a step into tokens. */
  batchTokens?: number;
  /** FLOPs per token, to give each checkpoint a compute C = D × flopsPerToken (the OLMo ladder's convention). */
  flopsPerToken?: number;
  /** W&B's `_step` is the training step: the run logged with step=its global step (a ladder manifest says so). */
  loggedWithTrainerStep?: boolean;
  /** Column of the validation loss in a wide CSV. @default val_loss, else eval/c4_en-validation/CrossEntropyLoss */
  valLossColumn?: string;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Metrics that are accuracies, a fraction of the questions answered right (the analyses' accuracy
 * metrics, src/analyses/downstream.ts ACCURACY_METRICS): a value outside [0, 1] is refused where it is.
 */
const ACCURACY_METRICS = new Set(['acc', 'acc_norm', 'len_norm']);

/** Why `value` cannot be the accuracy `metric`, or undefined when it can (or the metric is no accuracy). */
function accuracyProblem(metric: string, value: number, shown: string): string | undefined {
  if (!ACCURACY_METRICS.has(metric) || (value >= 0 && value <= 1)) return undefined;
  const percent = percentSlip(value, [0, 1]);
  return `expected an accuracy between 0 and 1 (${metric}), got ${shown}${percent ? ` (a percentage? ${percent})` : ''}`;
}

function numberOrNaN(cell: string): number {
  const t = cell.trim();
  return NUMBER.test(t) ? Number(t) : NaN;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

/** Aliases of the fields a task-metrics CSV may carry (compared without case, spaces, _ or -). */
const fieldAliases = {
  run: ['run', 'model', 'name', 'run_name'],
  N: ['N', 'params', 'parameters', 'n_params', 'model_size'],
  D: ['D', 'tokens', 'tokens_seen', 'throughput/total_tokens'],
  // A trainer's own step first; W&B's `_step` (its count of log calls) is read only when there is none (stepColumn).
  step: ['trainer/global_step', 'train/global_step', 'global_step', 'trainer/step', 'train/step', 'step'],
  batchTokens: ['batch_tokens', 'batch_size_in_tokens'],
  C: ['C', 'flops', 'compute'],
  valLoss: ['val_loss', 'validation_loss', 'loss'],
  task: ['task', 'benchmark'],
  metric: ['metric'],
  value: ['value', 'score'],
} as const;
type Field = keyof typeof fieldAliases;

/** W&B's own step: how many times the run called log, which is the training step only when it logged once a step. */
const WANDB_LOG_COUNT = '_step';

/**
 * The step column: the first of the step names the header has (a trainer's global step before a bare
 * `step`), else W&B's `_step`, flagged as the count of log calls it is.
 */
function stepColumn(header: string[]): { index: number; logCount: boolean } | undefined {
  for (const alias of fieldAliases.step) {
    const i = header.findIndex((h) => h.trim() !== WANDB_LOG_COUNT && normalise(h) === normalise(alias));
    if (i >= 0) return { index: i, logCount: false };
  }
  const i = header.findIndex((h) => h.trim() === WANDB_LOG_COUNT);
  return i >= 0 ? { index: i, logCount: true } : undefined;
}

function findColumns(header: string[], fields: readonly Field[]): Partial<Record<Field, number>> {
  const out: Partial<Record<Field, number>> = {};
  for (const f of fields) {
    if (f === 'step') {
      const step = stepColumn(header);
      if (step) out.step = step.index;
      continue;
    }
    const aliases = fieldAliases[f].map(normalise);
    const i = header.findIndex((h) => aliases.includes(normalise(h)));
    if (i >= 0) out[f] = i;
  }
  return out;
}

/** Column-name prefixes of a wandb export that are not evaluations (throughput, optimizer state). */
const NOT_METRICS = /^(throughput|optim|train|trainer|system|timing|learning_rate|lr)\//i;

/**
 * The (task, metric) a wide column holds, or undefined for a column that is not a metric. The OLMo
 * ladder's wandb names are read first; any other `task/metric` (one slash) is taken as written.
 */
export function metricColumn(name: string): { task: string; metric: string } | undefined {
  let m = /^eval\/downstream_bpb\/(.+)_bpb$/.exec(name);
  if (m) return { task: m[1], metric: 'bpb' };
  m = /^eval\/downstream_soft_log\/(.+)_soft_log$/.exec(name);
  if (m) return { task: m[1], metric: 'soft_log' };
  m = /^eval\/downstream_soft\/(.+)_soft$/.exec(name);
  if (m) return { task: m[1], metric: 'soft' };
  m = /^eval\/downstream\/(.+)_(len_norm|acc|acc_norm|mc_acc)$/.exec(name);
  if (m) return { task: m[1], metric: m[2] };
  m = /^eval\/([^/]+)\/CrossEntropyLoss$/.exec(name);
  if (m) return { task: m[1], metric: 'ce' };
  if (NOT_METRICS.test(name)) return undefined;
  m = /^([^/]+)\/([^/]+)$/.exec(name);
  if (m && m[1].trim() && m[2].trim()) return { task: m[1].trim(), metric: m[2].trim() };
  return undefined;
}

/** Which format a file is in, from its name and first characters. */
function taskMetricFormat(source: string, text: string): TaskMetricSet['format'] {
  const t = stripBom(text).trimStart();
  if (source.toLowerCase().endsWith('.json') || t.startsWith('{')) return 'lm-eval';
  // The header split as the file will be read (commas, or tabs or semicolons: csvOptions).
  const header = t
    .split(/\r?\n/, 1)[0]
    .split(csvOptions(source, t).delimiter)
    .map((h) => h.trim().replace(/^"|"$/g, ''));
  const long = ['task', 'metric', 'value'].every((f) => header.some((h) => normalise(h) === f));
  return long ? 'long' : 'wide';
}

/**
 * Parse a task-metrics file in whichever of the three formats it is.
 * @throws InputError naming the file, line and column of the first problem
 */
export function parseTaskMetrics(text: string, options: TaskMetricOptions): TaskMetricSet {
  const binary = binaryProblem(
    text.slice(0, BINARY_CHECK_CHARS),
    options.source,
    'a task-metrics file (CSV or lm-evaluation-harness JSON)',
  );
  if (binary) throw binary;
  const format = taskMetricFormat(options.source, text);
  if (format === 'lm-eval') return parseLmEval(text, options);
  return parseTaskCsv(text, options, format);
}

function parseTaskCsv(text: string, options: TaskMetricOptions, format: 'long' | 'wide'): TaskMetricSet {
  const source = options.source;
  const rows = csvRecords(text, source);
  if (rows.length < 2) {
    throw new InputError(
      { file: source, line: 1 },
      format === 'long'
        ? 'expected a header (run, N, tokens or step, task, metric, value) and at least one row'
        : 'expected a header with task columns such as "arc_easy/acc" and at least one row',
    );
  }
  const header = rows[0].record;
  headerIndex(header, source, rows[0].info.lines);
  const cols = findColumns(header, ['run', 'N', 'D', 'step', 'batchTokens', 'C', 'valLoss', 'task', 'metric', 'value']);
  if (options.valLossColumn !== undefined) {
    const i = header.indexOf(options.valLossColumn);
    if (i < 0)
      throw new InputError(
        { file: source, line: 1 },
        `no column ${quoteForMessage(options.valLossColumn)} (the validation loss); the file has ${header.length} columns`,
      );
    cols.valLoss = i;
  } else if (cols.valLoss === undefined) {
    const c4 = header.indexOf('eval/c4_en-validation/CrossEntropyLoss');
    if (c4 >= 0) cols.valLoss = c4;
  }
  if (cols.run === undefined && options.run === undefined) {
    throw new InputError(
      { file: source, line: 1 },
      (o) => `no run column (run, model or name); expected one, or name the run (${o('run')} NAME)`,
    );
  }
  if (cols.D === undefined && cols.step === undefined && options.tokens === undefined) {
    throw new InputError(
      { file: source, line: 1 },
      'no tokens column (tokens, D or throughput/total_tokens) and no step column: expected one, to place each checkpoint',
    );
  }
  const lineOf = (r: number) => rows[r].info.lines;
  const cell = (r: number, i: number | undefined) => (i === undefined ? '' : (rows[r].record[i] ?? '').trim());
  /** A number in a field column: empty is "not given", anything else must be a number. */
  const optionalNumber = (r: number, field: Field, positive: boolean): number | undefined => {
    const i = cols[field];
    const raw = cell(r, i);
    if (raw === '') return undefined;
    // Sizes read as a runs file reads them, with a suffix (125M, 2.5B): one spreadsheet feeds both.
    const size = field === 'N' || field === 'D' || field === 'C' || field === 'batchTokens';
    const v = size ? parseSuffixedNumber(raw) : numberOrNaN(raw);
    if (!Number.isFinite(v) || (positive ? !(v > 0) : v < 0)) {
      const hint = size ? suffixHint(raw) : undefined;
      throw new InputError(
        { file: source, line: lineOf(r), column: i! + 1, columnName: header[i!] },
        `expected a ${positive ? 'positive' : 'non-negative'} number, got ${quoteForMessage(raw)}${hint ? ` (${hint})` : ''}`,
      );
    }
    // The runs reader's range: a size of 1e308 passes as a number and overflows the analyses' C = 6ND.
    const refusal = magnitudeRefusal(header[i!].trim(), v);
    if (refusal)
      throw new InputError({ file: source, line: lineOf(r), column: i! + 1, columnName: header[i!] }, refusal);
    return v;
  };
  /** A value derived from a row's cells must be in range too; refused at the cell it comes from. */
  const checkDerived = (r: number, i: number | undefined, what: string, value: number) => {
    const refusal = magnitudeRefusal(what, value);
    if (refusal)
      throw new InputError(
        { file: source, line: lineOf(r), ...(i !== undefined ? { column: i + 1, columnName: header[i] } : {}) },
        refusal,
      );
  };
  /** Each run's tokens by step, where the file gives both: tokens must not fall as the steps rise. */
  const tokensByStep = new Map<string, Map<number, { D: number; line: number }>>();
  const fieldColumns = new Set(Object.values(cols));
  const metricCols =
    format === 'wide'
      ? header
          .map((h, i) => ({ i, ...metricColumn(h) }))
          .filter(
            (c): c is { i: number; task: string; metric: string } => c.task !== undefined && !fieldColumns.has(c.i),
          )
      : [];
  const used = new Set([...Object.values(cols), ...metricCols.map((c) => c.i)]);
  const ignoredColumns = header.filter((_, i) => !used.has(i));
  if (format === 'wide' && metricCols.length === 0) {
    // A spreadsheet's columns named by the task alone (arc_easy, hellaswag) holding accuracies: named with
    // the column names to write, since which metric a bare number is (acc, acc_norm) is the user's to say.
    const bare = header.filter(
      (h, i) =>
        !fieldColumns.has(i) &&
        rows.slice(1).every((_, r) => {
          const v = numberOrNaN(cell(r + 1, i));
          return v >= 0 && v <= 1;
        }),
    );
    const named = bare.length
      ? `; ${bare.slice(0, 3).join(', ')}${bare.length > 3 ? ', …' : ''} hold${bare.length === 1 ? 's' : ''} numbers between 0 and 1: if accuracies, name each by its task and metric (${bare
          .slice(0, 2)
          .map((h) => `${h}/acc`)
          .join(', ')})`
      : '';
    throw new InputError(
      { file: source, line: 1 },
      `no task metric columns: expected columns such as "arc_easy/acc" or "eval/downstream_bpb/arc_easy_bpb" (or a long file with task, metric and value columns)${named}`,
    );
  }
  const records: TaskMetric[] = [];
  let emptyCells = 0;
  let placedByStep = false;
  for (let r = 1; r < rows.length; r++) {
    const line = lineOf(r);
    const run = cell(r, cols.run) || options.run;
    if (!run)
      throw new InputError(
        { file: source, line, column: cols.run! + 1, columnName: header[cols.run!] },
        'expected a run name, got an empty cell',
      );
    const N = optionalNumber(r, 'N', true) ?? options.N;
    const step = optionalNumber(r, 'step', false);
    const batch = optionalNumber(r, 'batchTokens', true) ?? options.batchTokens;
    let D = optionalNumber(r, 'D', true);
    // A checkpoint placed by its step (tokens from step × batch, or the step itself): said when the step is W&B's _step.
    if (D === undefined && step !== undefined) placedByStep = true;
    if (D === undefined && step !== undefined && batch !== undefined) {
      D = step * batch;
      checkDerived(r, cols.step, `tokens = step × batch tokens = ${plain(step)} × ${plain(batch)}`, D);
    } else if (D !== undefined && step !== undefined) {
      const steps = tokensByStep.get(run) ?? tokensByStep.set(run, new Map()).get(run)!;
      const seen = steps.get(step);
      if (seen === undefined) steps.set(step, { D, line });
      else if (seen.D !== D)
        throw new InputError(
          { file: source, line, column: cols.D! + 1, columnName: header[cols.D!] },
          // Most often a run rolled back to a checkpoint and resumed: which logging holds is the user's call.
          `tokens ${plain(D)} at step ${plain(step)}, and ${plain(seen.D)} at step ${plain(step)} (line ${seen.line}); expected one token count per step of a run. A run logged twice at a step (resumed from an earlier checkpoint?): keep the last logging of each step, the run as it went on, and remove the earlier rows of that step`,
        );
    }
    if (D === undefined) D = options.tokens;
    if (D === undefined && step === undefined) {
      throw new InputError(
        { file: source, line, column: (cols.D ?? cols.step ?? 0) + 1 },
        'expected the tokens seen (or the step) at this checkpoint, got an empty cell',
      );
    }
    let C = optionalNumber(r, 'C', true);
    const tokensColumn = cols.D !== undefined && cell(r, cols.D) !== '' ? cols.D : cols.step;
    if (C === undefined && D !== undefined && options.flopsPerToken !== undefined) {
      C = D * options.flopsPerToken;
      checkDerived(r, tokensColumn, `C = D × FLOPs per token = ${plain(D)} × ${plain(options.flopsPerToken)}`, C);
    }
    // The analyses take C = 6ND where no C is given: it must stay in range as a runs file's derived C must.
    if (C === undefined && N !== undefined && D !== undefined)
      checkDerived(r, tokensColumn, `C = 6ND = 6 × ${plain(N)} × ${plain(D)}`, 6 * N * D);
    const valLoss = optionalNumber(r, 'valLoss', true);
    const base = {
      run,
      ...(N !== undefined ? { N } : {}),
      ...(D !== undefined ? { D } : {}),
      ...(step !== undefined ? { step } : {}),
      ...(C !== undefined ? { C } : {}),
      ...(valLoss !== undefined ? { valLoss } : {}),
    };
    if (format === 'long') {
      const task = cell(r, cols.task),
        metric = cell(r, cols.metric),
        raw = cell(r, cols.value);
      if (!task)
        throw new InputError(
          { file: source, line, column: cols.task! + 1, columnName: header[cols.task!] },
          'expected a task name, got an empty cell',
        );
      if (!metric)
        throw new InputError(
          { file: source, line, column: cols.metric! + 1, columnName: header[cols.metric!] },
          'expected a metric name (acc, bpb, …), got an empty cell',
        );
      const value = numberOrNaN(raw);
      if (!Number.isFinite(value))
        throw new InputError(
          { file: source, line, column: cols.value! + 1, columnName: header[cols.value!] },
          `expected a number, got ${raw === '' ? 'an empty cell' : quoteForMessage(raw)}`,
        );
      const problem = accuracyProblem(metric, value, raw.trim()) ?? magnitudeRefusal(header[cols.value!].trim(), value);
      if (problem)
        throw new InputError({ file: source, line, column: cols.value! + 1, columnName: header[cols.value!] }, problem);
      records.push({ ...base, task, metric, value, line, column: cols.value! + 1 });
    } else {
      for (const c of metricCols) {
        const raw = cell(r, c.i);
        if (raw === '') {
          emptyCells++;
          continue;
        }
        const value = numberOrNaN(raw);
        if (!Number.isFinite(value))
          throw new InputError(
            { file: source, line, column: c.i + 1, columnName: header[c.i] },
            `expected a number (${c.task} ${c.metric}), got ${quoteForMessage(raw)}`,
          );
        const problem = accuracyProblem(c.metric, value, raw.trim()) ?? magnitudeRefusal(header[c.i].trim(), value);
        if (problem) throw new InputError({ file: source, line, column: c.i + 1, columnName: header[c.i] }, problem);
        records.push({ ...base, task: c.task, metric: c.metric, value, line, column: c.i + 1 });
      }
    }
  }
  for (const steps of tokensByStep.values()) {
    const sorted = [...steps].sort((a, b) => a[0] - b[0]);
    for (let k = 1; k < sorted.length; k++) {
      const [step, at] = sorted[k];
      const [before, prev] = sorted[k - 1];
      if (at.D < prev.D)
        throw new InputError(
          { file: source, line: at.line, column: cols.D! + 1, columnName: header[cols.D!] },
          `tokens ${plain(at.D)} at step ${plain(step)} are fewer than ${plain(prev.D)} at step ${plain(before)} (line ${prev.line}); expected tokens that do not fall as the steps rise within a run`,
        );
    }
  }
  const fromLogCount = placedByStep && !options.loggedWithTrainerStep && header[cols.step!].trim() === WANDB_LOG_COUNT;
  return { source, format, records, emptyCells, ignoredColumns, ...(fromLogCount ? { stepFromLogCount: true } : {}) };
}

/** `pretrained=EleutherAI/pythia-160m,revision=step143000` → { pretrained: …, revision: … }. */
function modelArgs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/**
 * A checkpoint folder's step — `step2288` (OLMo, Pythia), `checkpoint-2288` (Hugging Face's Trainer),
 * `global_step2288` (DeepSpeed), `iter_0002288` (Megatron) — and the run, the path above it.
 */
const CHECKPOINT_FOLDER = /^(?:global_)?step[_-]?(\d+)$|^checkpoint[_-](\d+)$|^iter_(\d+)$/i;

function checkpointFolder(path: string): { run: string; step: number } | undefined {
  const parts = path.replace(/[\\/]+$/, '').split(/[\\/]/);
  const m = parts.length >= 2 ? CHECKPOINT_FOLDER.exec(parts[parts.length - 1]) : null;
  if (!m) return undefined;
  const run = parts.slice(0, -1).join('/');
  return run ? { run, step: Number(m[1] ?? m[2] ?? m[3]) } : undefined;
}

/**
 * The folder, where a checkpoint folder's run path names no run: a relative `checkpoints/step2288` (lm-eval run
 * from inside each run's folder) gives every run the one name "checkpoints", and their checkpoints would
 * be read as one run's.
 */
function namesNoRun(run: string): string | undefined {
  const named = run.split('/').filter((p) => p !== '' && p !== '.' && p !== '..');
  const only = named.length === 1 ? named[0] : undefined;
  return only !== undefined && /^(checkpoints?|ckpts?|models?|outputs?|runs?|saves?|weights)$/i.test(only)
    ? only
    : undefined;
}

/**
 * The file's groups that have an aggregate among its results, each with its members: `group_subtasks` (lm-eval
 * 0.4.2 on), else the `group` each subtask's config names with the tree the results' aliases draw (0.4.0–0.4.1:
 * `mmlu`, ` - stem`, `  - anatomy`; the configs alone never say that mmlu_stem is within mmlu). A group with no
 * metric of its own (0.4.3's tags, an alias alone) is not one: its members are its parent group's, and where it
 * has no parent its tasks stand alone.
 */
function lmEvalGroups(doc: Record<string, unknown>, withMetrics: ReadonlySet<string>): Record<string, string[]> {
  const object = (v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  /** Every group's direct members, with an aggregate or not. */
  const direct = new Map<string, string[]>();
  const add = (group: string, member: string) => {
    const members = direct.get(group) ?? direct.set(group, []).get(group)!;
    if (member !== group && !members.includes(member)) members.push(member);
  };
  for (const [group, members] of Object.entries(object(doc.group_subtasks)))
    if (Array.isArray(members)) for (const m of members) if (typeof m === 'string') add(group, m);
  if (![...direct.values()].some((members) => members.length)) {
    for (const [task, config] of Object.entries(object(doc.configs))) {
      const g = object(config).group;
      for (const group of Array.isArray(g) ? g : [g]) if (typeof group === 'string') add(group, task);
    }
    // lm-eval writes each entry's depth in the tree as its alias's indent (" " × depth + "- "), in the tree's
    // order: a group's parent is the entry above it one level up. Only for what no config places (the
    // categories), so that a file whose keys were sorted since cannot move a subject to another category.
    const placed = new Set([...direct.values()].flat());
    const path: string[] = [];
    for (const [task, metrics] of Object.entries(object(doc.results))) {
      const alias = object(metrics).alias;
      const depth = typeof alias === 'string' ? (/^( +)- /.exec(alias)?.[1].length ?? 0) : 0;
      path.length = depth;
      if (depth > 0 && path[depth - 1] !== undefined && !placed.has(task)) add(path[depth - 1], task);
      path[depth] = task;
    }
  }
  /** A group's members, those of a member group without an aggregate in its place. */
  const members = (group: string, seen: Set<string>): string[] =>
    (direct.get(group) ?? []).flatMap((m) => {
      if (seen.has(m)) return [];
      seen.add(m);
      return withMetrics.has(m) || !direct.has(m) ? [m] : members(m, seen);
    });
  const out: Record<string, string[]> = {};
  for (const group of direct.keys())
    if (withMetrics.has(group)) {
      const named = members(group, new Set([group]));
      if (named.length) out[group] = named;
    }
  return out;
}

/** A JSON key path as a reader writes it: `results.piqa["acc,none"]` (a key not a plain name is quoted). */
function keyPath(keys: readonly string[]): string {
  return keys.map((k, i) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `${i ? '.' : ''}${k}` : `[${JSON.stringify(k)}]`)).join('');
}

function parseLmEval(text: string, options: TaskMetricOptions): TaskMetricSet {
  const source = options.source;
  const body = stripBom(text);
  const starts = lineStartsOf(body);
  /** Where a key first appears after `from` (for located errors in JSON). */
  const at = (needle: string, from = 0) => {
    const i = body.indexOf(needle, from);
    return i < 0 ? { line: 1, column: 1, offset: 0 } : { ...lineColumn(starts, i), offset: i };
  };
  // Python's json.dumps writes NaN and Infinity bare: read as tagged strings, so that a standard error
  // of NaN is skipped and a metric of NaN is refused where it is.
  const doc = parseJsonText(text, source, 'an lm-evaluation-harness results file', { nonFinite: 'tag' });
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new InputError(
      { file: source, line: 1, column: 1 },
      'expected a JSON object with "results" (an lm-evaluation-harness results file)',
    );
  const d = doc as Record<string, unknown>;
  const results = d.results;
  if (!results || typeof results !== 'object' || Array.isArray(results)) {
    throw new InputError(
      { file: source, line: 1, column: 1 },
      'no "results" object: expected an lm-evaluation-harness results file ({"results": {"task": {"acc,none": …}}})',
    );
  }
  const config = (d.config && typeof d.config === 'object' ? d.config : {}) as Record<string, unknown>;
  const args = typeof config.model_args === 'string' ? modelArgs(config.model_args) : {};
  const revision = /step(\d+)/.exec(args.revision ?? '');
  // A local checkpoint is named by its folder (pretrained=/ckpt/ladder-150m/step2861): the folder above is the run.
  const folder = revision ? undefined : checkpointFolder(args.pretrained ?? '');
  const noRun = folder && options.run === undefined ? namesNoRun(folder.run) : undefined;
  if (folder && noRun !== undefined)
    throw new InputError(
      { file: source, ...at('"model_args"') },
      (o) =>
        `pretrained=${args.pretrained} names a checkpoint folder (step ${folder.step}) but no run: "${noRun}" is a folder every run may have, and their checkpoints would be read as one run's; expected a path with the run's folder (…/ladder-150m/${noRun}/step${folder.step}), or name the run (${o('run')} NAME)`,
    );
  const run =
    options.run ??
    folder?.run ??
    args.pretrained ??
    (typeof config.model_name === 'string' ? config.model_name : undefined);
  if (!run)
    throw new InputError(
      { file: source, ...at('"config"') },
      (o) => `no model in config.model_args (pretrained=…): name the run (${o('run')} NAME)`,
    );
  const step = revision ? Number(revision[1]) : folder?.step;
  const counted =
    typeof config.model_num_parameters === 'number' && config.model_num_parameters > 0
      ? config.model_num_parameters
      : undefined;
  const N = options.N ?? counted;
  const D =
    options.tokens ??
    (step !== undefined && options.batchTokens !== undefined ? step * options.batchTokens : undefined);
  if (D === undefined && step === undefined) {
    throw new InputError(
      { file: source, ...at('"config"') },
      (o) =>
        `no checkpoint: expected revision=stepNNN in config.model_args, or a checkpoint folder ending pretrained= (…/step2288, …/checkpoint-2288, …/global_step2288, …/iter_0002288), or the tokens seen (${o('tokens')})`,
    );
  }
  const C = D !== undefined && options.flopsPerToken !== undefined ? D * options.flopsPerToken : undefined;
  const sizeRefusal =
    (counted !== undefined ? magnitudeRefusal('config.model_num_parameters', counted) : undefined) ??
    (D !== undefined ? magnitudeRefusal('tokens', D) : undefined) ??
    (C !== undefined ? magnitudeRefusal('C = tokens × FLOPs per token', C) : undefined) ??
    (C === undefined && N !== undefined && D !== undefined
      ? magnitudeRefusal(`C = 6ND = 6 × ${plain(N)} × ${plain(D)}`, 6 * N * D)
      : undefined);
  if (sizeRefusal) throw new InputError({ file: source, ...at('"config"') }, sizeRefusal);
  const base = {
    run,
    ...(N !== undefined ? { N } : {}),
    ...(D !== undefined ? { D } : {}),
    ...(step !== undefined ? { step } : {}),
    ...(C !== undefined ? { C } : {}),
  };
  const records: TaskMetric[] = [];
  const tasksWithoutMetrics: string[] = [];
  const resultsAt = at('"results"').offset;
  for (const [task, metrics] of Object.entries(results as Record<string, unknown>)) {
    const before = records.length;
    const taskAt = at(JSON.stringify(task), resultsAt);
    if (!metrics || typeof metrics !== 'object' || Array.isArray(metrics)) {
      throw new InputError(
        { file: source, line: taskAt.line, column: taskAt.column },
        `task ${quoteForMessage(task)}: expected an object of metrics ({"acc,none": 0.61, …})`,
      );
    }
    for (const [key, value] of Object.entries(metrics as Record<string, unknown>)) {
      // The alias is a display name and the standard errors describe a value, not a metric of their own.
      if (key === 'alias' || /_stderr(,|$)/.test(key)) continue;
      // lm-eval 0.4 writes `metric,filter`: the filter `none` is the metric itself, and any other is kept in
      // the name — gsm8k's `exact_match,strict-match` and `exact_match,flexible-extract` are two metrics, which
      // read as one `exact_match` made the file a contradiction.
      const comma = key.indexOf(',');
      const name = comma < 0 ? key : key.slice(0, comma);
      const metric = comma < 0 || key.slice(comma + 1) === 'none' ? name : key;
      const keyAt = at(JSON.stringify(key), taskAt.offset);
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        const shown =
          typeof value === 'string' && value.startsWith('\u0000')
            ? value.slice(1)
            : quoteForMessage(JSON.stringify(value) ?? 'undefined');
        throw new InputError(
          { file: source, line: keyAt.line, column: keyAt.column },
          `task ${quoteForMessage(task)} metric ${quoteForMessage(key)}: expected a number, got ${shown}`,
        );
      }
      const problem = accuracyProblem(name, value, String(value));
      if (problem)
        throw new InputError(
          { file: source, line: keyAt.line, column: keyAt.column },
          `task ${quoteForMessage(task)} metric ${quoteForMessage(key)}: ${problem}`,
        );
      records.push({
        ...base,
        task,
        metric,
        value,
        line: keyAt.line,
        column: keyAt.column,
        key: keyPath(['results', task, key]),
      });
    }
    if (records.length === before) tasksWithoutMetrics.push(task);
  }
  if (records.length === 0)
    throw new InputError(
      { file: source, ...at('"results"') },
      'the results hold no metric: expected {"task": {"acc,none": …}}',
    );
  const groups = lmEvalGroups(d, new Set(records.map((r) => r.task)));
  // Each task's few-shot count, located at its key under "n-shot"; a group's aggregate has its members'.
  const shots: NonNullable<TaskMetricSet['shots']> = {};
  const nShot = d['n-shot'];
  if (nShot && typeof nShot === 'object' && !Array.isArray(nShot)) {
    const nShotAt = at('"n-shot"').offset;
    for (const task of new Set(records.map((r) => r.task))) {
      const n = (nShot as Record<string, unknown>)[task];
      if (groups[task] || typeof n !== 'number' || !Number.isInteger(n) || n < 0) continue;
      const { line, column } = at(JSON.stringify(task), nShotAt);
      shots[task] = { shots: n, line, column, key: `"n-shot"` };
    }
  } else if (
    typeof config.num_fewshot === 'number' &&
    Number.isInteger(config.num_fewshot) &&
    config.num_fewshot >= 0
  ) {
    // lm-eval 0.3 writes no "n-shot", only the run's one count (--num_fewshot) in its config: every task's.
    const { line, column } = at('"num_fewshot"', at('"config"').offset);
    for (const task of new Set(records.map((r) => r.task)))
      if (!groups[task]) shots[task] = { shots: config.num_fewshot, line, column, key: 'config.num_fewshot' };
  }
  return {
    source,
    format: 'lm-eval',
    records,
    emptyCells: 0,
    ignoredColumns: [],
    ...(tasksWithoutMetrics.length ? { tasksWithoutMetrics } : {}),
    ...(Object.keys(groups).length ? { groups } : {}),
    ...(Object.keys(shots).length ? { shots } : {}),
  };
}

/**
 * The records of several parsed files as one set, as the analyses read them: a value repeated at the
 * same run, checkpoint, task and metric counts once (a file read twice, a row written twice), while a
 * different value there, or a run with two sizes N, is refused naming both places — the analyses would
 * otherwise drop that checkpoint, or fold runs of different sizes into one.
 * @throws InputError at the second of the two places
 */
export function mergeTaskMetricSets(sets: readonly TaskMetricSet[]): TaskMetric[] {
  const out: TaskMetric[] = [];
  const seen = new Map<string, { value: number; at: string }>();
  const sizes = new Map<string, { N: number; at: string }>();
  const shotsOf = new Map<string, { shots: number; at: string }>();
  for (const set of sets) {
    // A task's few-shot count is part of what its accuracy measures: 0-shot and 5-shot pooled would be fitted as one curve.
    for (const [task, s] of Object.entries(set.shots ?? {})) {
      const first = shotsOf.get(task);
      if (!first) shotsOf.set(task, { shots: s.shots, at: `${set.source}:${s.line}` });
      else if (first.shots !== s.shots)
        throw new InputError(
          { file: set.source, line: s.line, column: s.column },
          `task ${task} was evaluated ${s.shots}-shot here (${s.key}) and ${first.shots}-shot at ${first.at}: expected one few-shot count per task — accuracies at different counts are different quantities, and would be fitted as one curve; analyse each setting's files apart`,
        );
    }
    for (const r of set.records) {
      const at = `${set.source}:${r.line}`;
      if (r.N !== undefined) {
        const size = sizes.get(r.run);
        if (!size) sizes.set(r.run, { N: r.N, at });
        else if (size.N !== r.N)
          throw new InputError(
            { file: set.source, line: r.line },
            `run "${r.run}" has N = ${plain(r.N)} here and N = ${plain(size.N)} at ${size.at}: one size per run (a file without a run column is one run, named after the file: add a run column)`,
          );
      }
      const checkpoint = r.D !== undefined ? `D = ${plain(r.D)}` : r.step !== undefined ? `step ${r.step}` : undefined;
      if (checkpoint === undefined) {
        out.push(r);
        continue;
      }
      const key = JSON.stringify([r.run, r.D ?? `step ${r.step}`, r.task, r.metric]);
      const first = seen.get(key);
      if (!first) {
        seen.set(key, { value: r.value, at });
        out.push(r);
      } else if (first.value !== r.value)
        throw new InputError(
          { file: set.source, line: r.line, ...(r.column !== undefined ? { column: r.column } : {}) },
          `run "${r.run}", ${checkpoint}, task ${r.task}, metric ${r.metric}: ${plain(r.value)} here, ${plain(first.value)} at ${first.at}: one value per run, checkpoint, task and metric`,
        );
    }
  }
  return out;
}
