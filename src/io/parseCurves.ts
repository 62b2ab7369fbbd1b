/**
 * Training curves for the curve laws (analyses/curveLaws.ts), from what ScaleLab reads elsewhere:
 * a runs table whose rows are checkpoints (`run`, `step`, `loss`, and `lr` — the learning rate at
 * that checkpoint — or a schedule per run), or a trainer's metrics.jsonl (examples/trainers/train.py
 * writes the schedule on every line). Pure: text and data sets in, curves out.
 *
 * A curve law reads the learning rate of every step. With a schedule it is exact; with only an `lr`
 * column it is interpolated linearly between checkpoints (and held at the first checkpoint's value
 * before it), which is exact for the piecewise-linear parts of WSD and linear schedules and close
 * for cosine when checkpoints are dense. The report says which was used.
 */
import { InputError, type Location } from '../errors/index.js';
import type { Dataset } from './dataset.js';
import { parseMetrics } from './parseMetrics.js';
import type { TfEventsRead, TfScalar } from './parseTfEvents.js';
import { lrSequence, MAX_SCHEDULE_STEPS, type Schedule } from '../core/schedule.js';
import { counted, plain } from '../core/format.js';

/** One run's curve: the learning rate of every step, and the loss at some of them. */
export interface TrainingCurve {
  /** The run's name (a resample draws whole runs by it). */
  name: string;
  /**
   * The run's lineage (the trunk of a cooldown branch): when every curve has one, a resample draws
   * the curves of one lineage together.
   */
  lineage?: string;
  /** Model size, for a joint fit across sizes. */
  N?: number;
  /** lrs[i]: the learning rate of optimizer step i + 1 (0-based index), at least up to the last point. */
  lrs: Float64Array;
  /** Steps of linear warmup at the start of `lrs` (excluded from annealing). */
  warmupSteps: number;
  /** Losses after `step` optimizer steps. */
  points: { step: number; loss: number; where?: Location }[];
}

export interface ReadCurve extends TrainingCurve {
  /**
   * 'schedule' (exact), or 'lr column' or 'lr tag' (a TensorBoard tag): interpolated between the
   * steps it was logged at.
   */
  lrFrom: 'schedule' | 'lr column' | 'lr tag';
  /** The table had no run column: its rows are one run, named after the file (said with the run). */
  namedAfterFile?: true;
  schedule?: Schedule;
  source: string;
  /** TensorBoard event files: the tag the loss was read from, and the learning rate's. */
  tag?: string;
  lrTag?: string;
  /** What a reader should know of the input, said with the run (a truncated last record). */
  notes?: string[];
}

/** A curve whose LRs come from its schedule, checked to cover the last checkpoint. */
function withSchedule(
  name: string,
  schedule: Schedule,
  points: TrainingCurve['points'],
  N: number | undefined,
  source: string,
): ReadCurve {
  const last = points.at(-1);
  if (last && last.step > schedule.steps)
    throw new InputError(
      last.where ?? { file: source },
      `run "${name}": a checkpoint at step ${last.step} lies beyond its schedule's ${schedule.steps} steps`,
    );
  return {
    name,
    N,
    lrs: lrSequence(schedule),
    warmupSteps: schedule.warmupSteps ?? 0,
    points,
    lrFrom: 'schedule',
    schedule,
    source,
  };
}

/**
 * The learning rate of steps 1..`last` from its values at some steps (ascending): linear between
 * them, held at the first before it and at the last after it.
 */
function interpolatedLrs(knots: { step: number; lr: number }[], last: number): Float64Array {
  const lrs = new Float64Array(last);
  let j = 0;
  for (let s = 1; s <= last; s++) {
    while (j < knots.length - 1 && knots[j + 1].step < s) j++;
    const a = knots[j],
      b = knots[Math.min(j + 1, knots.length - 1)];
    lrs[s - 1] = s <= a.step || b.step === a.step ? a.lr : a.lr + ((b.lr - a.lr) * (s - a.step)) / (b.step - a.step);
  }
  return lrs;
}

/**
 * What is said when a step-0 loss is left out, one text for every reader: `what` names the loss (an
 * event file's tag, a table's run).
 */
function stepZeroNote(what: string): string {
  return `${what} at step 0 (the loss before any update) left out: a curve law reads the loss after optimizer steps`;
}

/** A file's name without its folders and extension: `logs/history.csv` → `history`. */
function fileStem(path: string): string {
  return path.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '') || path;
}

/**
 * Curves from a runs table of checkpoints. Rows are grouped by `run` and ordered by `step`
 * (required). A table without a run column is one run named after its file (a tracker's history
 * export holds one run: W&B's, TensorBoard's). `schedules` gives a run's schedule by name; other
 * runs need an `lr` column.
 * @throws InputError located at the row or column that is missing or contradictory
 */
export function curvesFromDataset(ds: Dataset, schedules: Record<string, Schedule> = {}): ReadCurve[] {
  const file = ds.source;
  const oneRun = ds.columns.run === undefined ? fileStem(file) : undefined;
  if (ds.columns.step === undefined)
    throw new InputError({ file, line: 1 }, 'expected a step column: the optimizer steps taken at each checkpoint');
  const byRun = new Map<string, Dataset['runs']>();
  for (const r0 of ds.runs) {
    const r = oneRun === undefined ? r0 : { ...r0, run: oneRun };
    if (r.run === undefined)
      throw new InputError(
        { file, line: r.line, columnName: ds.columns.run },
        'this row has no run name; expected every checkpoint to name its run',
      );
    if (r.step === undefined)
      throw new InputError(
        { file, line: r.line, columnName: ds.columns.step },
        'this row has no step; expected the optimizer steps taken at this checkpoint',
      );
    byRun.set(r.run, [...(byRun.get(r.run) ?? []), r]);
  }
  return [...byRun].map(([name, asLogged]) => {
    let logged = asLogged;
    // In file order, as a trainer logs them: a step at or before one logged earlier is a run resumed from
    // an earlier checkpoint, whose later rows replace the earlier ones from that step on — as TensorBoard
    // shows a restarted run, and as event files are read (curveFromEvents) — said in a note.
    // A table sorted some other way (steps descending, shuffled) is not a log: reading it as one would
    // keep a fraction of its rows. Such a run is read sorted by step, as tables were before, and said.
    const orderNotes: string[] = [];
    const backs = stepsBack(logged, (r) => r.step!);
    if (!looksLogged(logged.length, backs)) {
      const sorted = [...logged].sort((a, b) => a.step! - b.step!);
      for (let i = 1; i < sorted.length; i++)
        if (sorted[i].step === sorted[i - 1].step)
          throw new InputError(
            { file, line: sorted[i].line, columnName: ds.columns.step },
            `run "${name}" has two checkpoints at step ${sorted[i].step} (lines ${sorted[i - 1].line} and ${sorted[i].line}) and its rows are not in the order a trainer logs them; expected one loss per step${oneRun !== undefined ? " (a file without a run column is one run, named after the file: add a run column naming each checkpoint's run)" : ''}, or a run resumed from an earlier checkpoint with its rows as logged (each restart followed by increasing steps)`,
          );
      orderNotes.push(
        `run "${name}": its rows are not in the order a trainer logs them (the step goes back at ${backs.length} of ${logged.length} rows, first at line ${logged[backs[0]].line}): read sorted by step, not as a resumed run (whose rows increase again after each restart)`,
      );
      logged = sorted;
    }
    const { kept: rows, restarts } = resumedRun(logged, (r) => r.step!);
    const resumeNotes = restarts.map((r) =>
      resumeNote(
        `run "${name}"`,
        `line ${logged[r.index].line}`,
        r,
        oneRun !== undefined && r.replaced === r.before
          ? " (a file without a run column is one run, named after the file: if these are two runs, add a run column naming each checkpoint's run)"
          : '',
      ),
    );
    const Ns = new Set(rows.map((r) => r.N));
    if (Ns.size > 1)
      throw new InputError(
        { file, line: rows[0].line, columnName: ds.columns.N },
        `run "${name}" has more than one N (${[...Ns].join(', ')}); expected one model size per run`,
      );
    // Step 0 is the loss before any update (a trainer's first log, as in an event file): a curve law
    // predicts the loss after optimizer steps, so that row is left out, and said, as curveFromEvents
    // leaves it out. Its learning rate still places the ones after it (the knots below).
    const atZero = rows[0].step === 0 ? rows[0] : undefined;
    if (atZero && rows.length === 1)
      throw new InputError(
        { file, line: atZero.line, columnName: ds.columns.step },
        `run "${name}" has a checkpoint only at step 0 (the loss before any update); expected losses after optimizer steps`,
      );
    // Unlocated: the run and step name the row (one per step), and a run store's rows have no lines.
    const notes = [...orderNotes, ...resumeNotes, ...(atZero ? [stepZeroNote(`run "${name}": its checkpoint`)] : [])];
    const N = rows[0].N;
    const lineage = rows[0].lineage;
    const other = rows.find((r) => r.lineage !== lineage);
    if (other)
      throw new InputError(
        { file, line: other.line, columnName: ds.columns.lineage },
        `run "${name}" is in lineage "${other.lineage ?? ''}" here and "${lineage ?? ''}" at line ${rows[0].line}; expected one lineage per run`,
      );
    const points = rows
      .filter((r) => r !== atZero)
      .map((r) => ({
        step: r.step!,
        loss: r.loss,
        where: { file, line: r.line, columnName: ds.columns.step },
      }));
    const schedule = schedules[name];
    const named = oneRun !== undefined ? { namedAfterFile: true as const } : {};
    if (schedule)
      return {
        ...withSchedule(name, schedule, points, N, file),
        ...(lineage ? { lineage } : {}),
        ...named,
        ...(notes.length ? { notes } : {}),
      };
    if (ds.columns.lr === undefined)
      throw new InputError(
        { file, line: 1 },
        (option) =>
          `run "${name}" has no schedule and the file has no lr column; expected the learning rate at each checkpoint (an lr column) or a schedule for the run (${option('schedules')})`,
      );
    // A blank lr cell is a checkpoint that did not record its rate (parseRuns reads it so): the schedule
    // between the others is not made up across it, and the run needs a schedule of its own.
    const unrecorded = rows.find((r) => r.lr === undefined);
    if (unrecorded !== undefined)
      throw new InputError(
        { file, line: unrecorded.line, columnName: ds.columns.lr },
        (option) =>
          `run "${name}" has no learning rate recorded at this checkpoint (a blank cell); expected the learning rate at each of its checkpoints, or a schedule for the run (${option('schedules')})`,
      );
    const last = rows.at(-1)!.step!;
    if (!Number.isInteger(last) || last > MAX_SCHEDULE_STEPS)
      throw new InputError(
        { file, line: rows.at(-1)!.line, columnName: ds.columns.step },
        `run "${name}": step ${last} is not a whole number of steps up to ${plain(MAX_SCHEDULE_STEPS)} (a curve law reads the learning rate of every step)`,
      );
    // A learning rate of 0 (a warmup from 0, a decay to 0) is read: the law refuses one only where it is
    // not defined (curveLaws' checkRates: the multi-power law at a drop to 0), at the checkpoint's row.
    const knots = rows.map((r) => ({ step: r.step!, lr: r.lr! }));
    // A logged warmup is warmup, as an event file's is: read as annealing, its rise counts against the decay.
    const warmup = loggedWarmup(knots, last, name, `column "${ds.columns.lr}"`);
    if (warmup.note) notes.push(warmup.note);
    return {
      name,
      ...(lineage ? { lineage } : {}),
      N,
      lrs: interpolatedLrs(knots, last),
      warmupSteps: warmup.steps,
      points,
      lrFrom: 'lr column' as const,
      source: file,
      ...named,
      ...(notes.length ? { notes } : {}),
    };
  });
}

/**
 * A curve from a trainer's metrics.jsonl: its evaluations (`step`, `val_loss`), its schedule (the
 * `schedule` field) and its size (`params_nonembedding`, else `params`).
 * @throws InputError naming the line of a bad record, or the file when it carries no schedule
 */
export function curveFromMetrics(text: string, source: string, name: string): ReadCurve {
  const m = parseMetrics(text, source, true, true);
  if (m.problem) {
    const at = m.problemAt;
    throw at
      ? new InputError(
          { file: source, line: at.line, ...(at.column !== undefined ? { column: at.column } : {}) },
          at.detail,
        )
      : new InputError({ file: source }, m.problem);
  }
  if (!m.evals.length)
    throw new InputError(
      m.stepZeroLine !== undefined ? { file: source, line: m.stepZeroLine } : { file: source },
      m.stepZeroLine !== undefined
        ? 'an evaluation only at step 0 (the loss before any update); expected losses after optimizer steps'
        : 'no evaluations (expected JSON lines with "step", "val_loss" and "schedule")',
    );
  if (!m.schedule)
    throw new InputError(
      { file: source, line: 1 },
      'the metrics carry no "schedule" (examples/trainers/train.py writes one on every line); give the curve as a table with an lr column instead',
    );
  const first = JSON.parse(text.split('\n').find((l) => l.trim())!) as Record<string, unknown>;
  const size = first.params_nonembedding ?? first.params;
  const N = typeof size === 'number' && size > 0 ? size : undefined;
  const points = m.evals.map((e, i) => {
    if (e.step === null || e.step === undefined)
      throw new InputError(
        { file: source, line: i + 1 },
        'an evaluation without "step"; expected the optimizer steps taken',
      );
    return {
      step: e.step,
      loss: e.loss,
      where: { file: source, line: i + 1 + (m.stepZeroLine !== undefined ? 1 : 0) },
    };
  });
  const curve = withSchedule(name, m.schedule, points, N, source);
  // Said as a table's or an event file's step-0 loss is: unlocated, the file and step name it.
  return m.stepZeroLine !== undefined
    ? { ...curve, notes: [...(curve.notes ?? []), stepZeroNote(`${source}: the evaluation`)] }
    : curve;
}

/**
 * The tags a loss curve is looked for under when none is named, first found read: the Hugging Face
 * Trainer's, PyTorch Lightning's and most scripts' (`loss`, `train_loss`), Megatron-LM's, torchtitan's.
 */
export const LOSS_TAGS = ['train/loss', 'loss', 'train_loss', 'lm loss', 'loss_metrics/global_avg_loss'] as const;

/** The tags a learning rate is read from (the Trainer's, Megatron-LM's, most scripts'), first found read. */
const LR_TAGS = ['train/learning_rate', 'learning-rate', 'learning_rate', 'lr', 'train/lr'] as const;

/** A curve from TensorBoard event files: the tag read, and what a reader should know (a truncated last record, steps logged again after a restart). */
export interface EventsCurve extends ReadCurve {
  tag: string;
  notes: string[];
}

const quoted = (tags: Iterable<string>) => [...tags].map((t) => `"${t}"`).join(', ');

/**
 * One tag's values across a run's event files (in the order given: TensorBoard names them by
 * creation time), as TensorBoard shows them after a restart: a step logged again replaces what was
 * logged from that step on before (the run resumed from an earlier checkpoint).
 */
function tagSeries(
  files: { source: string; read: TfEventsRead }[],
  tag: string,
): { points: (TfScalar & { source: string })[]; restarts: Restart[] } {
  const logged = files.flatMap(({ source, read }) => (read.scalars.get(tag) ?? []).map((p) => ({ ...p, source })));
  const { kept, restarts } = resumedRun(logged, (p) => p.step);
  return {
    points: kept,
    restarts: restarts.map((r) => ({ ...r, line: `record ${logged[r.index].record} of ${logged[r.index].source}` })),
  };
}

/** The indices, in file order, of the values whose step is at or before the one logged just before. */
function stepsBack<T>(logged: readonly T[], stepOf: (v: T) => number): number[] {
  const backs: number[] = [];
  for (let i = 1; i < logged.length; i++) if (stepOf(logged[i]) <= stepOf(logged[i - 1])) backs.push(i);
  return backs;
}

/**
 * Whether a table's run reads as a trainer's log, resumed or not: one restart, or several, each followed by
 * at least one more increasing step before the next (a restart is a checkpoint loaded and training going
 * on), at no more than a quarter of its rows. A table sorted by step descending steps back at every
 * row, a shuffled one at about half: read as a log, either would keep a fraction of its rows.
 */
function looksLogged(rows: number, backs: readonly number[]): boolean {
  // One restart reads as a resumed run (or a run started again) whatever its place.
  if (backs.length <= 1) return true;
  if (4 * backs.length > rows) return false;
  // Two restarts in a row (no increasing step between them): not a log.
  return backs.every((b, i) => i === 0 || b - backs[i - 1] >= 2);
}

/** Where a run went back to an earlier step: the step, the step logged before it, and how many earlier values it replaced. */
interface Restart {
  step: number;
  after: number;
  replaced: number;
  /** How many values were kept before it (all of them replaced: a run started again, or a second run). */
  before: number;
  /** Its index in the values as logged. */
  index: number;
  /** Where it is, for the note (a table's line, an event file's record). */
  line: string;
}

/**
 * A run's values in the order they were logged, as TensorBoard shows a run resumed from an earlier
 * checkpoint: a value at or before a step logged earlier replaces every value kept from that step on. The
 * values kept have increasing steps. One rule for tables and event files.
 */
function resumedRun<T>(
  logged: readonly T[],
  stepOf: (v: T) => number,
): { kept: T[]; restarts: Omit<Restart, 'line'>[] } {
  const kept: T[] = [];
  const restarts: Omit<Restart, 'line'>[] = [];
  logged.forEach((v, index) => {
    const step = stepOf(v);
    let keep = kept.length;
    while (keep > 0 && stepOf(kept[keep - 1]) >= step) keep--;
    if (keep < kept.length)
      restarts.push({ step, after: stepOf(kept.at(-1)!), replaced: kept.length - keep, before: kept.length, index });
    kept.length = keep;
    kept.push(v);
  });
  return { kept, restarts };
}

/** The note on NaN or infinite losses left out (at the caller's asking): how many, at which steps. */
function nonfiniteNote(what: string, left: { step: number; value: number }[]): string {
  const shown = left.slice(0, 10).map((p) => `${p.step} (${p.value})`);
  return `${what}: ${left.length === 1 ? '1 NaN or infinite loss' : `${left.length} NaN or infinite losses`} left out as asked, at step${left.length === 1 ? '' : 's'} ${shown.join(', ')}${left.length > 10 ? ` and ${left.length - 10} more` : ''}`;
}

/** The note on a run resumed at an earlier step (a table's row, an event file's record): never silent. */
function resumeNote(run: string, where: string, r: Omit<Restart, 'line' | 'index'>, hint = ''): string {
  return `${run}: resumed at step ${r.step} after step ${r.after} (${where}): the later ${r.replaced === 1 ? 'value replaces the earlier one' : 'values replace the earlier ones'} from that step on, ${r.replaced === r.before ? `all ${r.replaced} of them` : `${r.replaced} of ${r.before}`}, as TensorBoard shows a resumed run${hint}`;
}

/**
 * The steps of a learning rate's warmup read from its logged values (ascending steps): a rise that
 * starts at the first value and climbs at every value to its peak (the first after which the rate is
 * flat or falls) is the warmup, up to that peak. A schedule's warmup is left out of the annealing
 * (curveLaws.ts): read as annealing, a warmup's rise counts against the decay, and a trainer's log
 * includes it. A rate that rises again later (a cyclic schedule, a re-warmed run) has no warmup to
 * tell apart: all of it is read as annealing, as before a warmup was read at all, and `note` says so.
 */
function loggedWarmup(
  knots: { step: number; lr: number }[],
  last: number,
  run: string,
  from: string,
): { steps: number; note?: string } {
  let peak = 0;
  while (peak + 1 < knots.length && knots[peak + 1].lr > knots[peak].lr) peak++;
  for (let j = peak + 1; j < knots.length; j++)
    if (knots[j].lr > knots[j - 1].lr)
      return {
        steps: 0,
        note: `run "${run}": the learning rate (${from}) ${peak > 0 ? `rises to step ${knots[peak].step}, falls or holds, then rises again` : 'holds or falls at first, then rises'} from step ${knots[j - 1].step} (a cyclic or re-warmed schedule): no warmup read, all of it read as annealing`,
      };
  return { steps: peak > 0 ? Math.min(knots[peak].step, last) : 0 };
}
/**
 * A run's curve from its TensorBoard event files: the loss logged under `tag` (default: the first
 * of LOSS_TAGS present), its learning rate from `schedule` when given, else from the first of
 * LR_TAGS present (interpolated between the steps it was logged at, as a table's lr column is).
 * The step is the event's step.
 * @throws InputError naming the file (and the record and its byte offset) when the tag is missing,
 *   a loss is not a positive number, or nothing gives the learning rate
 */
export function curveFromEvents(
  files: { source: string; read: TfEventsRead }[],
  name: string,
  opts: { tag?: string; schedule?: Schedule; dropNonfinite?: boolean } = {},
): EventsCurve {
  const source = files.map((f) => f.source).join(', ');
  const file = files.length === 1 ? files[0].source : source;
  const tags = new Set(files.flatMap((f) => [...f.read.scalars.keys()]));
  const listed = tags.size ? `the scalar tags in it: ${quoted(tags)}` : 'it holds no scalars';
  const tag = opts.tag ?? LOSS_TAGS.find((t) => tags.has(t));
  if (tag === undefined)
    throw new InputError(
      { file },
      (option) =>
        `none of the loss tags ${quoted(LOSS_TAGS)} is logged here; ${listed}: name the loss's tag (${option('tag')})`,
    );
  if (!tags.has(tag)) throw new InputError({ file }, `no scalars tagged "${tag}"; ${listed}`);
  const notes: string[] = [];
  files.forEach((f, i) => {
    const t = f.read.truncated;
    // The last file may be a run still writing; one with a later file after it was stopped mid-write
    // and the run went on in the next.
    const why = i < files.length - 1 ? 'the run stopped mid-write and went on in a later file' : 'a run still writing?';
    if (!t) return;
    const what =
      t.unfinished === 'zeros'
        ? `the file ends in ${counted(t.have, 'zero byte')} from byte ${t.offset}, where record ${t.record} should start: space the writer never filled`
        : t.unfinished === 'checksum'
          ? `the last record (${t.record}, at byte ${t.offset}) does not match its CRC-32C, its bytes not all written`
          : `the last record (${t.record}, at byte ${t.offset}) is cut short, ${t.have} of its ${t.need} bytes`;
    notes.push(`${f.source}: ${what} (${why}); read the ${f.read.records} whole records before it`);
  });
  const { points: logged, restarts } = tagSeries(files, tag);
  for (const r of restarts) notes.push(resumeNote(`run "${name}": "${tag}"`, r.line, r));
  // A NaN or infinite loss (a diverged step) is refused unless the caller asks to leave such losses out:
  // then they are, and said (an event file cannot be edited as a table's row can be deleted).
  const nonfinite = logged.filter((p) => !Number.isFinite(p.value));
  if (nonfinite.length && opts.dropNonfinite) notes.push(nonfiniteNote(`run "${name}": "${tag}"`, nonfinite));
  const series = opts.dropNonfinite ? logged.filter((p) => Number.isFinite(p.value)) : logged;
  if (!series.length)
    throw new InputError(
      { file },
      `run "${name}": every loss ("${tag}") is NaN or infinite; expected positive numbers`,
    );
  for (const p of series) {
    if (!(p.value > 0) || !Number.isFinite(p.value))
      throw new InputError(
        { file: p.source },
        Number.isFinite(p.value)
          ? `record ${p.record} at byte ${p.offset}: the loss ("${tag}") at step ${p.step} is ${p.value}; expected a positive number`
          : (option) =>
              `record ${p.record} at byte ${p.offset}: the loss ("${tag}") at step ${p.step} is ${p.value}${nonfinite.length > 1 ? ` (one of ${nonfinite.length} NaN or infinite losses)` : ''}; expected a positive number: leave such losses out with ${option('dropNonfinite')} (each is said)`,
      );
    if (!Number.isInteger(p.step) || p.step < 0)
      throw new InputError(
        { file: p.source },
        `record ${p.record} at byte ${p.offset}: "${tag}" at step ${p.step}; expected a whole number of optimizer steps ≥ 0`,
      );
  }
  // Step 0 is the loss before any update (PyTorch's and most trainers' first log): a curve law
  // predicts the loss after optimizer steps, so it is left out, and said.
  const before = series.filter((p) => p.step === 0);
  if (before.length === series.length)
    throw new InputError(
      { file: before[0].source },
      `record ${before[0].record} at byte ${before[0].offset}: "${tag}" is logged only at step 0 (the loss before any update); expected losses after optimizer steps`,
    );
  if (before.length) notes.push(stepZeroNote(`run "${name}": "${tag}"`));
  const points = series
    .filter((p) => p.step > 0)
    .map((p) => ({ step: p.step, loss: p.value, where: { file: p.source } }));
  const said = { tag, notes };
  if (opts.schedule) return { ...withSchedule(name, opts.schedule, points, undefined, source), ...said };
  const lrTag = LR_TAGS.find((t) => tags.has(t));
  if (lrTag === undefined)
    throw new InputError(
      { file },
      (option) =>
        `run "${name}" logs no learning rate (none of ${quoted(LR_TAGS)}) and has no schedule; ${listed}: give the run's schedule (${option('schedules')})`,
    );
  const knots = tagSeries(files, lrTag).points;
  for (const k of knots)
    if (!(k.value >= 0) || !Number.isFinite(k.value))
      throw new InputError(
        { file: k.source },
        `record ${k.record} at byte ${k.offset}: the learning rate ("${lrTag}") at step ${k.step} is ${k.value}; expected a number ≥ 0`,
      );
  const last = points.at(-1)?.step ?? 0;
  if (last > MAX_SCHEDULE_STEPS)
    throw new InputError(
      { file },
      `run "${name}": "${tag}" at step ${last} is beyond ${plain(MAX_SCHEDULE_STEPS)} (a curve law reads the learning rate of every step)`,
    );
  const lrKnots = knots.map((k) => ({ step: k.step, lr: k.value }));
  const warmup = loggedWarmup(lrKnots, last, name, `tag "${lrTag}"`);
  if (warmup.note) notes.push(warmup.note);
  return {
    name,
    lrs: interpolatedLrs(lrKnots, last),
    warmupSteps: warmup.steps,
    points,
    lrFrom: 'lr tag',
    source,
    lrTag,
    ...said,
  };
}
