/**
 * A validated table of training runs, as every analysis receives it. Pure (no Node APIs): the web
 * app builds the same object from an uploaded file.
 */
import type { LawInputs, Variable } from '../laws/law.js';
import { InputError, libraryOption, OptionError } from '../errors/index.js';
import { resample, resampleCounts, type Random } from '../core/random.js';
import { counted, formatNumber } from '../core/format.js';
import { quoteForMessage } from './textPosition.js';

/**
 * The run states a state column may hold, as a tracker writes them (W&B: finished, crashed, failed,
 * killed, running, pending, preempted; MLflow: finished, failed, killed, running, scheduled; `runs
 * export`: completed), read in any case.
 */
export const runStates = [
  'finished',
  'completed',
  'running',
  'pending',
  'scheduled',
  'crashed',
  'preempted',
  'failed',
  'killed',
] as const;

export type RunState = (typeof runStates)[number];

/** Whether a run in this state trained to its end: its last checkpoint is its final loss. */
export function finishedState(state: RunState): boolean {
  return state === 'finished' || state === 'completed';
}

/**
 * Whether a run in this state was still going (or not yet started) when the tracker wrote the file:
 * it may yet finish, and a later export of it is its end.
 */
export function ongoingState(state: RunState): boolean {
  return state === 'running' || state === 'pending' || state === 'scheduled';
}

/** One run (or one checkpoint of a run) after validation. */
export interface Run {
  N?: number;
  D?: number;
  C?: number;
  U?: number;
  loss: number;
  /** Batch size (tokens, or sequences — as the file gives it). */
  batch?: number;
  /** Peak learning rate. */
  lr?: number;
  /** Model width (d_model), for learning-rate transfer checks. */
  width?: number;
  /** Number of layers (n_layer), for depth-versus-width comparisons. */
  layers?: number;
  /** Squared gradient norm |G_B|² measured at batch size `batch` (gradient noise scale). */
  gradSq?: number;
  group?: string;
  run?: string;
  /**
   * The lineage the run belongs to (the trunk of WSD cooldown branches): runs of one lineage share
   * most of their training, and a bootstrap draws them together.
   */
  lineage?: string;
  step?: number;
  /**
   * Where the run stood in its tracker when the file was written (W&B's State): a run that did not
   * finish (crashed, failed, killed, running) has checkpoints, but its last one is not its final loss.
   */
  state?: RunState;
  /** The run diverged (its loss is NaN or an infinity): read so only where a reader asks (keepDiverged). */
  diverged?: boolean;
  /** 1-based line in the source file, for error messages and traceability. */
  line: number;
}

/** A run's training configuration or measurement beside its result, which a run may not have recorded. */
export type ConfigurationField = 'batch' | 'lr' | 'width' | 'layers' | 'gradSq';

export interface Dataset {
  /** Where the runs came from (a path, or a label such as "upload"). */
  source: string;
  runs: Run[];
  /** Column of the source file behind each field (for traceability: "N ← Model Size"). */
  columns: Partial<Record<keyof Omit<Run, 'line'>, string>>;
  /**
   * Sizes read in the unit their header gives, multiplied to parameters, tokens or FLOPs:
   * { N: "× 1e6 (the header's unit: millions)" }.
   */
  scaled?: Partial<Record<'N' | 'D' | 'C' | 'U', string>>;
  /** Fields computed rather than read, e.g. { D: 'C/(6N)' }. */
  derived: Partial<Record<Variable, string>>;
  /**
   * Configuration columns that some runs have no number in (a blank cell: not recorded for that run), with
   * how many rows lack it and the first of them: { batch: { column: 'batch_tokens', rows: 3, line: 4 } }.
   * Those runs have the field undefined; an analysis that needs it leaves them out and says how many.
   */
  notRecorded?: Partial<Record<ConfigurationField, { column: string; rows: number; line: number }>>;
  /** Which rows of the source were kept, when not all ("group isoflop: 15 of 25 rows"). */
  selection?: string;
  /**
   * Columns of the source that feed no field, when there are any: a variable a law needs may be
   * there under a name not recognised (num_tokens), and the error saying it is missing names them.
   */
  unread?: string[];
  /**
   * Why an unread column is not read, for a column that would feed a field but has no number in any
   * run: { total_flops: 'C: no run has a number there' }.
   */
  unreadWhy?: Record<string, string>;
  /**
   * An unread column whose last part is a field's name after a tracker's prefix (model.n_params: N,
   * train/tokens_seen: D), where that field has no column: said with the mapping that reads it.
   */
  unreadLike?: Record<string, string>;
  /**
   * An unread column that may name the runs (W&B's display name `Name`), where rows have a step but no run
   * column and each of its values keeps one N: a warning suggests mapping it, as it is not read unasked.
   */
  runNameColumn?: string;
  /**
   * W&B's display-name column, read as the run unasked in a W&B export (no run column, and no name
   * repeated where it would merge runs, else refused): the CLI notes it, as a display name is not an id.
   */
  wandbNameRun?: string;
  /**
   * Unread columns that look like the arms of an experiment (an `attention` or `optimizer` column whose
   * few text values each repeat the same sizes): the fit pools them as one data set, which a warning says,
   * with how to fit one arm or compare them.
   */
  variantColumns?: { column: string; values: string[] }[];
  /**
   * Runs whose loss says they diverged (NaN, an infinity), kept out of `runs`: only where the reader
   * asked for them (a learning-rate sweep, where a divergence bounds the optimum).
   */
  diverged?: Run[];
}

/**
 * What a file's blank configuration cells mean, said once it is read: which columns some runs did not
 * record, and how many ("learning_rate (lr) for 1 of 9 runs"), so a value is neither made up nor dropped
 * unsaid. Undefined when every run has every configuration column it has.
 */
export function notRecordedNote(info: Pick<Dataset, 'notRecorded' | 'columns'> & { rows: number }): string | undefined {
  const lacking = Object.entries(info.notRecorded ?? {});
  if (lacking.length === 0) return undefined;
  const unit = info.columns.step === undefined ? 'run' : 'row';
  const each = lacking.map(
    ([f, n]) => `${n.column === f ? f : `${n.column} (${f})`} for ${n.rows} of ${counted(info.rows, unit)}`,
  );
  return `blank cells read as not recorded: ${each.join(', ')} (the first at line ${Math.min(...lacking.map(([, n]) => n.line))}); the other runs' values are read, and an analysis that needs one of these leaves out the ${unit}s without it and says how many`;
}

/**
 * The runs (and diverged runs) that recorded every one of `fields`, for an analysis that needs them, and a
 * warning counting those left out (a blank cell: not recorded), as a file without the column could not be
 * read at all. `analysis` names what they are left out of ("the learning-rate/batch fit").
 * @throws InputError when no run recorded them all
 */
export function runsRecording(
  dataset: Dataset,
  fields: readonly ConfigurationField[],
  analysis: string,
): { dataset: Dataset; warning?: string } {
  const has = (r: Run) => fields.every((f) => r[f] !== undefined);
  const runs = dataset.runs.filter(has);
  const lacking = dataset.runs.filter((r) => !has(r));
  if (lacking.length === 0) return { dataset };
  const which = fields
    .map((f) => (dataset.columns[f] === undefined ? f : `${f} (${dataset.columns[f]})`))
    .join(' and ');
  const unit = dataset.columns.step === undefined ? 'run' : 'row';
  if (runs.length === 0)
    throw new InputError(
      { file: dataset.source, line: lacking[0].line },
      `no ${unit} has ${which} recorded (their cells are blank): ${analysis} needs ${fields.length === 1 ? 'it' : 'them'}`,
    );
  const diverged = dataset.diverged?.filter(has);
  const divergedLacking = (dataset.diverged?.length ?? 0) - (diverged?.length ?? 0);
  return {
    dataset: { ...dataset, runs, ...(diverged ? { diverged } : {}) },
    warning: `${lacking.length} of ${counted(dataset.runs.length, unit)} ${lacking.length === 1 ? 'has' : 'have'} no ${which} recorded (a blank cell; the first at line ${lacking[0].line})${divergedLacking ? `, nor ${divergedLacking} diverged` : ''}: left out of ${analysis}`,
  };
}

/**
 * The source's columns for an error saying a variable is missing: each read one with the field it
 * feeds, then those read as nothing ("num_params (N), final_loss (loss); not read: num_tokens").
 */
export function describeColumns(dataset: Pick<Dataset, 'columns' | 'unread' | 'unreadWhy' | 'unreadLike'>): string {
  const read = Object.entries(dataset.columns).map(([field, column]) =>
    column === field ? column : `${column} (${field})`,
  );
  const quoted = (c: string) => (/[\s,="]/.test(c) ? `"${c.replace(/"/g, '\\"')}"` : c);
  const names = (dataset.unread ?? []).map((c) =>
    dataset.unreadWhy?.[c]
      ? `${c} (${dataset.unreadWhy[c]})`
      : dataset.unreadLike?.[c]
        ? `${c} (looks like ${dataset.unreadLike[c]}: ${dataset.unreadLike[c]}=${quoted(c)})`
        : c,
  );
  const shown = names.slice(0, 20).join(', ') + (names.length > 20 ? `, … (${names.length} in all)` : '');
  const unread = names.length ? `; not read: ${shown}` : '';
  return (read.join(', ') || 'no column a law reads') + unread;
}

/** Log-inputs for a law from a data set, checking that every needed variable is present. */
export function lawInputs(dataset: Dataset, variables: readonly Variable[], groups?: readonly string[]): LawInputs {
  const n = dataset.runs.length;
  const x: LawInputs = { n };
  if (groups) {
    x.group = Int32Array.from(dataset.runs, (r) => {
      const g = groups.indexOf(r.group ?? '');
      if (g < 0)
        throw new RangeError(`run at line ${r.line} has group "${r.group ?? ''}", not one of ${groups.join(', ')}`);
      return g;
    });
  }
  for (const v of variables) {
    const arr = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const value = dataset.runs[i][v];
      if (value === undefined) throw new RangeError(`run at line ${dataset.runs[i].line} has no ${v}`);
      arr[i] = Math.log(value);
    }
    x[`log${v}`] = arr;
  }
  return x;
}

export function logLosses(dataset: Dataset): Float64Array {
  return Float64Array.from(dataset.runs, (r) => Math.log(r.loss));
}

/**
 * Which rows belong to one training run. Rows that share a `run` name are checkpoints of one run
 * and move together in a bootstrap resample; a row without a run name is a run of its own. Clusters
 * are numbered in order of first appearance, so data without a `run` column map row i to cluster i.
 */
export interface RunClusters {
  /** Cluster of each row. */
  index: Int32Array;
  /** Number of clusters (runs). */
  count: number;
}

/**
 * Checks that each run name keeps one model size within a file: rows of one name are checkpoints of one
 * run (a bootstrap draws them together, finalCheckpoints keeps one of them), so a name shared by runs of
 * two sizes (a tracker's display name, "llama-120M" for every run of that size) would make them one run.
 * `add` takes rows in file order and refuses the later one, naming both lines. Rows without a name pass.
 */
export function runSizeCheck(source: string, nColumn = 'N'): (r: Run) => void {
  const seen = new Map<string, { n: number | null; line: number }>();
  return (r) => {
    if (r.run === undefined) return;
    const n = r.N ?? null;
    const first = seen.get(r.run);
    if (first === undefined) return void seen.set(r.run, { n, line: r.line });
    if (first.n === n) return;
    const size = (v: number | null) => (v === null ? 'none' : formatNumber(v, 6));
    throw new InputError(
      { file: source, line: r.line, columnName: nColumn },
      `run "${r.run}" has N = ${size(n)} here but N = ${size(first.n)} at line ${first.line}: expected one model size per run name in a file (give the other run another name)`,
    );
  };
}

/** Refuses a data set where a run name has two model sizes (runSizeCheck), at the later row. */
export function checkRunSizes(dataset: Dataset): void {
  if (dataset.runs.every((r) => r.run === undefined)) return;
  const add = runSizeCheck(dataset.source, dataset.columns.N);
  for (const r of dataset.runs) add(r);
}

export function runClusters(dataset: Dataset): RunClusters {
  const ids = new Map<string, number>();
  let count = 0;
  const index = Int32Array.from(dataset.runs, (r) => {
    if (r.run === undefined) return count++;
    let k = ids.get(r.run);
    if (k === undefined) ids.set(r.run, (k = count++));
    return k;
  });
  return { index, count };
}

/**
 * What a bootstrap resample draws: `run` — whole training runs (a run's checkpoints together);
 * `lineage` — every run of one lineage together (cooldown branches of one WSD trunk share most of
 * their training, so they are one draw, not several); `row` — single rows, for comparison only.
 */
export type ResampleUnit = 'lineage' | 'run' | 'row';

/**
 * Fewest lineages a bootstrap draws from: with one, every replicate is the data again (a zero-width
 * interval); with two or three, a replicate holds one or two of them and the interval is their spread, not
 * the law's uncertainty (curve-law's block bootstrap takes over below 3 runs for the same reason).
 */
const MIN_LINEAGES = 3;

/** Rows with a lineage, and how many lineages they name. */
function lineageCount(dataset: Dataset): { named: number; lineages: number } {
  const names = new Set<string>();
  let named = 0;
  for (const r of dataset.runs)
    if (r.lineage !== undefined) {
      named++;
      names.add(r.lineage);
    }
  return { named, lineages: names.size };
}

/**
 * The default unit: lineages when every row names one and there are at least MIN_LINEAGES of them, else
 * runs (fitWarnings says why when the data name lineages but are not drawn by them).
 */
export function defaultResampleUnit(dataset: Dataset): 'lineage' | 'run' {
  const { named, lineages } = lineageCount(dataset);
  return named === dataset.runs.length && named > 0 && lineages >= MIN_LINEAGES ? 'lineage' : 'run';
}

/**
 * Why a bootstrap's default draws runs although the data name lineages (some rows name none, or fewer
 * than MIN_LINEAGES): the intervals then treat a lineage's runs (cooldown branches of one trunk) as
 * independent. Undefined when the data name none, or lineages are drawn.
 */
export function lineagesNotDrawn(dataset: Dataset): string | undefined {
  const { named, lineages } = lineageCount(dataset);
  if (named === 0 || defaultResampleUnit(dataset) === 'lineage') return undefined;
  const column = dataset.columns.lineage ? ` (column "${dataset.columns.lineage}")` : '';
  return named < dataset.runs.length
    ? `${dataset.runs.length - named} of ${dataset.runs.length} rows name no lineage${column}: intervals resample runs, as if runs of one lineage were independent; fill the column, or name it with ${libraryOption('lineage')} to have blanks refused where they are`
    : `the data name ${lineages} lineage${lineages === 1 ? '' : 's'}${column}, fewer than the ${MIN_LINEAGES} a bootstrap by lineage needs: intervals resample runs, as if runs of one lineage were independent, and are too narrow if they share training`;
}

/**
 * What a fit to these rows should say about runs that did not finish (a state column's crashed, failed,
 * killed or running), or undefined when every run finished or the data have no state. Their rows are
 * fitted as logged (each checkpoint a real N, D and loss), but a run's last checkpoint is not the loss
 * it would have ended at, which a fit to final losses takes it for.
 */
export function unfinishedRuns(dataset: Dataset): string | undefined {
  const byState = new Map<RunState, string[]>();
  const seen = new Set<string>();
  let count = 0;
  for (const r of dataset.runs) {
    if (r.state === undefined || finishedState(r.state)) continue;
    // A run's checkpoints are one run; a row without a run name is a run of its own, named by its line.
    const name = r.run !== undefined ? `"${r.run}"` : `line ${r.line}`;
    if (seen.has(name)) continue;
    seen.add(name);
    count++;
    byState.set(r.state, [...(byState.get(r.state) ?? []), name]);
  }
  if (count === 0) return undefined;
  const shown = (names: string[]) => names.slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length})` : '');
  const states = [...byState].map(([state, names]) => `${state}: ${shown(names)}`).join('; ');
  const column = dataset.columns.state ? ` (column "${dataset.columns.state}")` : '';
  return `${count} run${count === 1 ? '' : 's'} did not finish${column}, ${states}; ${count === 1 ? 'its' : 'their'} rows are fitted as logged, but a run's last checkpoint is not the loss it would have ended at; to leave ${count === 1 ? 'it' : 'them'} out, remove ${count === 1 ? 'its' : 'their'} rows`;
}

/**
 * The clusters a bootstrap draws (`unit` defaults to defaultResampleUnit). By lineage, every row
 * needs a lineage, and the rows of one run must all be in one lineage.
 */
export function resampleClusters(dataset: Dataset, unit: ResampleUnit = defaultResampleUnit(dataset)): RunClusters {
  const n = dataset.runs.length;
  if (unit === 'row') return { index: Int32Array.from({ length: n }, (_, i) => i), count: n };
  if (unit === 'run') return runClusters(dataset);
  const column = dataset.columns.lineage;
  if (!dataset.runs.some((r) => r.lineage !== undefined))
    throw new OptionError({
      option: 'unit',
      value: unit,
      message: (o) =>
        `${o('unit')} lineage: ${dataset.source} names no lineage; say which column holds it with ${o('lineage')} COLUMN (runs with equal values are drawn together)`,
    });
  const ids = new Map<string, number>();
  const lineageOfRun = new Map<string, { lineage: string; line: number }>();
  let count = 0;
  const index = Int32Array.from(dataset.runs, (r) => {
    const where = { file: dataset.source, line: r.line, ...(column ? { columnName: column } : {}) };
    if (r.lineage === undefined)
      throw new InputError(
        where,
        'this run has no lineage; resampling by lineage draws the runs of one lineage together, so every run needs one',
      );
    if (r.run !== undefined) {
      const seen = lineageOfRun.get(r.run);
      if (seen === undefined) lineageOfRun.set(r.run, { lineage: r.lineage, line: r.line });
      else if (seen.lineage !== r.lineage)
        throw new InputError(
          where,
          `run "${r.run}" is in lineage "${r.lineage}" here and "${seen.lineage}" at line ${seen.line}; expected one lineage per run`,
        );
    }
    let k = ids.get(r.lineage);
    if (k === undefined) ids.set(r.lineage, (k = count++));
    return k;
  });
  if (count < MIN_LINEAGES)
    throw new OptionError({
      option: 'unit',
      value: unit,
      message: (o) =>
        `${o('unit')} lineage: ${dataset.source} names ${count} lineage${count === 1 ? '' : 's'}; a bootstrap by lineage needs at least ${MIN_LINEAGES} (with fewer every replicate holds the same one or two, and the interval is their spread, not the law's uncertainty): resample by run`,
    });
  return { index, count };
}

/** A bootstrap of runs in groups (budgets, recipes) and what it draws. */
export interface GroupedDraw<K> {
  /** Whole lineages when at least one group draws them, else runs (`warning` names the groups that draw runs). */
  unit: 'lineage' | 'run';
  /** Groups whose runs are drawn as runs although the data name lineages: fewer than MIN_LINEAGES in the group. */
  runGroups: K[];
  /** What a replicate draws in this group: `unit` is 'lineage' when any group draws lineages, this says which do. */
  unitOf: (group: K) => 'lineage' | 'run';
  /**
   * Why runs are drawn although the data name lineages: in the whole data set (lineagesNotDrawn), or in the
   * groups that name too few (their intervals treat a lineage's runs as independent).
   */
  warning?: string;
  /** One replicate: every group's runs, a run repeated as often as it (or its lineage) was drawn. */
  draw: (random: Random) => Map<K, Run[]>;
}

/**
 * Resampling runs that sit in groups, keeping lineages whole. When the data name lineages
 * (defaultResampleUnit: every row, at least MIN_LINEAGES), lineages are drawn in every group naming at
 * least MIN_LINEAGES — once for all those groups when a lineage has runs in more than one (a trunk's
 * branches in two arms of a comparison, or at two budgets, come or go together), else within each group —
 * and each group keeps the runs of the drawn lineages as often as they were drawn (so a group can come out
 * empty in the first case). A group naming fewer draws its runs: one lineage drawn by lineage is the same
 * in every replicate, a zero-width interval. Otherwise runs are drawn within each group, in the groups'
 * order. `label` names a group in the warning.
 */
export function groupedDraw<K>(
  dataset: Dataset,
  groups: ReadonlyMap<K, readonly Run[]>,
  label: (group: K) => string = (k) => `group ${String(k)}`,
): GroupedDraw<K> {
  if (defaultResampleUnit(dataset) !== 'lineage') {
    const warning = lineagesNotDrawn(dataset);
    return {
      unit: 'run',
      runGroups: [...groups.keys()],
      unitOf: () => 'run',
      ...(warning ? { warning } : {}),
      draw: (random) => new Map([...groups].map(([k, runs]) => [k, resample(runs, random)])),
    };
  }
  const named = new Map([...groups].map(([k, runs]) => [k, new Set(runs.map((r) => r.lineage!)).size]));
  const runGroups = [...groups.keys()].filter((k) => named.get(k)! < MIN_LINEAGES);
  const byLineage = new Map([...groups].filter(([k]) => named.get(k)! >= MIN_LINEAGES));
  const home = new Map<string, K>();
  let spans = false;
  for (const [k, runs] of byLineage)
    for (const r of runs) {
      if (!home.has(r.lineage!)) home.set(r.lineage!, k);
      else if (home.get(r.lineage!) !== k) spans = true;
    }
  const indexOf = (runs: readonly Run[]) => {
    const index = new Map<string, number>();
    for (const r of runs) if (!index.has(r.lineage!)) index.set(r.lineage!, index.size);
    return index;
  };
  const repeat = (runs: readonly Run[], index: Map<string, number>, counts: Float64Array) =>
    runs.flatMap((r) => Array.from({ length: counts[index.get(r.lineage!)!] }, () => r));
  const shared = spans ? indexOf([...byLineage.values()].flat()) : undefined;
  const indices = new Map([...byLineage].map(([k, runs]) => [k, indexOf(runs)]));
  let warning: string | undefined;
  if (runGroups.length) {
    const column = dataset.columns.lineage ? ` (column "${dataset.columns.lineage}")` : '';
    const which = runGroups
      .map((k) => `${label(k)} names ${named.get(k)} lineage${named.get(k) === 1 ? '' : 's'}`)
      .join(', ');
    const one = runGroups.length === 1;
    warning = `${which}${column}, fewer than the ${MIN_LINEAGES} a bootstrap by lineage needs: ${one ? 'its' : 'their'} runs are resampled as if runs of one lineage were independent, and ${one ? 'its' : 'their'} intervals are too narrow if they share training`;
  }
  return {
    unit: byLineage.size ? 'lineage' : 'run',
    runGroups,
    unitOf: (k) => (byLineage.has(k) ? 'lineage' : 'run'),
    ...(warning ? { warning } : {}),
    draw: (random) => {
      // The groups in their order; a lineage draw shared by all groups that draw lineages is made first.
      const counts = shared && resampleCounts(shared.size, random);
      return new Map(
        [...groups].map(([k, runs]) => {
          if (!byLineage.has(k)) return [k, resample(runs, random)];
          if (shared) return [k, repeat(runs, shared, counts!)];
          const index = indices.get(k)!;
          return [k, repeat(runs, index, resampleCounts(index.size, random))];
        }),
      );
    },
  };
}

/**
 * Each training run's final checkpoint (its largest D; the later row on a tie), for analyses whose points
 * are whole runs: an IsoFLOP profile is one run per size at one budget, and a run's intermediate
 * checkpoints at smaller compute are not runs of those budgets (binned as such, 570 checkpoints of a
 * 5-budget sweep made 31 "budgets"). `note` says which rows were kept, when not all.
 */
export function finalCheckpoints(dataset: Dataset): { dataset: Dataset; note?: string } {
  // Which row is a run's last is only meaningful for rows of one model size.
  checkRunSizes(dataset);
  const { index, count } = runClusters(dataset);
  if (count === dataset.runs.length) return { dataset };
  const tokens = (r: Run) => r.D ?? (r.C !== undefined && r.N !== undefined ? r.C / (6 * r.N) : (r.step ?? 0));
  const final: (Run | undefined)[] = new Array(count);
  dataset.runs.forEach((r, i) => {
    const f = final[index[i]];
    if (f === undefined || tokens(r) >= tokens(f)) final[index[i]] = r;
  });
  const kept = new Set(final);
  const runs = dataset.runs.filter((r) => kept.has(r));
  const note = `each run's final checkpoint: ${runs.length} of ${dataset.runs.length} rows`;
  return {
    dataset: { ...dataset, runs, selection: dataset.selection ? `${dataset.selection}; ${note}` : note },
    note,
  };
}

/**
 * The name a group selection gives the runs with no group (a blank or absent group cell): `--group
 * '(no group)'`, alone or beside named groups, and the web app's "Runs to fit" box for them. Reserved: a
 * group cell holding this text is one group with the blank ones (the selection asks for both, '' and this).
 */
export const noGroup = '(no group)';

/** A chosen or seen group as messages write it: the empty group (the runs with no group) by its reserved name. */
const chosenName = (group: string) => (group === '' ? noGroup : group);

/**
 * The note a group selection leaves on its data set ("group isoflop: 15 of 25 rows"): a fit's trust
 * warnings read it (a chosen group is not "pooled"), and a report says which rows were fitted.
 */
export function groupSelectionNote(groups: readonly string[], kept: number, total: number): string {
  return `group ${[...new Set(groups.map(chosenName))].join(' or ')}: ${kept} of ${total} rows`;
}

/** Why a group selection kept no run, with the groups there are to choose from. */
export function noRunsInGroups(groups: readonly string[], seen: Iterable<string>): string {
  const asked = new Set(groups.map((g) => (chosenName(g) === noGroup ? noGroup : `"${g}"`)));
  const there = new Set([...seen].map((g) => (chosenName(g) === noGroup ? noGroup : quoteForMessage(g))));
  return `no runs in group ${[...asked].join(' or ')}; the data's groups are ${[...there].join(', ')}`;
}

/**
 * The rows of a read data set whose group is one of `groups` (a row without a group is the empty
 * group, as a blank cell is to the reader): what reading the file with `groups` keeps (parseRuns), for
 * data read whole — the web app's fit of one experiment of a study's export.
 * @throws InputError when no row is in any of the groups
 */
export function selectGroups(dataset: Dataset, groups: readonly string[]): Dataset {
  const chosen = new Set(groups);
  const runs = dataset.runs.filter((r) => chosen.has(r.group ?? ''));
  if (runs.length === 0)
    throw new InputError(
      { file: dataset.source, line: 1, columnName: dataset.columns.group },
      noRunsInGroups(groups, new Set(dataset.runs.map((r) => r.group ?? ''))),
    );
  const note = groupSelectionNote(groups, runs.length, dataset.runs.length);
  return { ...dataset, runs, selection: dataset.selection ? `${dataset.selection}; ${note}` : note };
}
