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
import { lrSequence, MAX_SCHEDULE_STEPS, type Schedule } from '../core/schedule.js';

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
  /** 'schedule' (exact), or 'lr column' (interpolated between checkpoints). */
  lrFrom: 'schedule' | 'lr column';
  /** The table had no run column: its rows are one run, named after the file (said with the run). */
  namedAfterFile?: true;
  schedule?: Schedule;
  source: string;
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
  return [...byRun].map(([name, rows]) => {
    rows.sort((a, b) => a.step! - b.step!);
    for (let i = 1; i < rows.length; i++) {
      if (rows[i].step === rows[i - 1].step)
        throw new InputError(
          { file, line: rows[i].line, columnName: ds.columns.step },
          `run "${name}" has two checkpoints at step ${rows[i].step} (lines ${rows[i - 1].line} and ${rows[i].line}); expected one loss per step${oneRun !== undefined ? " (a file without a run column is one run, named after the file: add a run column naming each checkpoint's run)" : ''}`,
        );
    }
    const Ns = new Set(rows.map((r) => r.N));
    if (Ns.size > 1)
      throw new InputError(
        { file, line: rows[0].line, columnName: ds.columns.N },
        `run "${name}" has more than one N (${[...Ns].join(', ')}); expected one model size per run`,
      );
    const N = rows[0].N;
    const lineage = rows[0].lineage;
    const other = rows.find((r) => r.lineage !== lineage);
    if (other)
      throw new InputError(
        { file, line: other.line, columnName: ds.columns.lineage },
        `run "${name}" is in lineage "${other.lineage ?? ''}" here and "${lineage ?? ''}" at line ${rows[0].line}; expected one lineage per run`,
      );
    const points = rows.map((r) => ({
      step: r.step!,
      loss: r.loss,
      where: { file, line: r.line, columnName: ds.columns.step },
    }));
    const schedule = schedules[name];
    const named = oneRun !== undefined ? { namedAfterFile: true as const } : {};
    if (schedule)
      return { ...withSchedule(name, schedule, points, N, file), ...(lineage ? { lineage } : {}), ...named };
    if (ds.columns.lr === undefined)
      throw new InputError(
        { file, line: 1 },
        (option) =>
          `run "${name}" has no schedule and the file has no lr column; expected the learning rate at each checkpoint (an lr column) or a schedule for the run (${option('schedules')})`,
      );
    // Linear interpolation between checkpoints; before the first, its value.
    const last = rows.at(-1)!.step!;
    if (!Number.isInteger(last) || last > MAX_SCHEDULE_STEPS)
      throw new InputError(
        { file, line: rows.at(-1)!.line, columnName: ds.columns.step },
        `run "${name}": step ${last} is not a whole number of steps up to ${MAX_SCHEDULE_STEPS.toExponential(0)} (a curve law reads the learning rate of every step)`,
      );
    const lrs = new Float64Array(last);
    let j = 0;
    for (let s = 1; s <= last; s++) {
      while (j < rows.length - 1 && rows[j + 1].step! < s) j++;
      const a = rows[j],
        b = rows[Math.min(j + 1, rows.length - 1)];
      lrs[s - 1] = s <= a.step! ? a.lr! : a.lr! + ((b.lr! - a.lr!) * (s - a.step!)) / (b.step! - a.step!);
    }
    return {
      name,
      ...(lineage ? { lineage } : {}),
      N,
      lrs,
      warmupSteps: 0,
      points,
      lrFrom: 'lr column' as const,
      source: file,
      ...named,
    };
  });
}

/**
 * A curve from a trainer's metrics.jsonl: its evaluations (`step`, `val_loss`), its schedule (the
 * `schedule` field) and its size (`params_nonembedding`, else `params`).
 * @throws InputError naming the line of a bad record, or the file when it carries no schedule
 */
export function curveFromMetrics(text: string, source: string, name: string): ReadCurve {
  const m = parseMetrics(text, source, true);
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
      { file: source },
      'no evaluations (expected JSON lines with "step", "val_loss" and "schedule")',
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
    return { step: e.step, loss: e.loss, where: { file: source, line: i + 1 } };
  });
  return withSchedule(name, m.schedule, points, N, source);
}
