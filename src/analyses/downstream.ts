/**
 * Downstream accuracy from small runs (docs/methods.md §31–§33). Pure.
 *
 * The two-step method of Bhagia et al. 2024 ("Establishing Task Scaling Laws via Compute-Efficient
 * Model Ladders", arXiv:2412.04403):
 *   step 1  (N, D) → task loss TL: a Chinchilla-form law TL = E + A/N^α + B/D^β fitted to each
 *           ladder run's final checkpoint (the mean of its last `movingAverage` evaluations), with
 *           the Huber loss on log residuals (δ = 10⁻³), as their code does — src/fit, unchanged;
 *   step 2  TL → accuracy: a sigmoid Acc = a/(1 + e^(−k(TL − L0))) + b fitted by least squares to
 *           every checkpoint of every ladder run (the first `skipFraction` of each run dropped, a
 *           trailing moving average over `movingAverage` evaluations), where b is the ceiling and
 *           a + b the floor (a < 0: accuracy falls towards the floor as the task loss grows);
 *   chained the step-2 sigmoid at the step-1 prediction.
 * The same through compute C (their `chained_flops`): step 1 is TL = E + A/C^α.
 * Gadre et al. 2024 (arXiv:2403.08540, Eq. 4): top-1 error from validation loss, Err = ε − k·e^(−γL).
 * Intervals: a bootstrap that resamples whole ladder runs (all their checkpoints together) and
 * refits both steps, plus the task's checkpoint-to-checkpoint accuracy noise.
 */
import { finish, type Steps } from '../core/steps.js';
import { formatNumber, plain } from '../core/format.js';
import { unknownName } from '../core/names.js';
import { lbfgs } from '../core/lbfgs.js';
import { boundedDerivative, fromBounded, toBounded, type Interval } from '../core/bounds.js';
import { randomSource, normal } from '../core/random.js';
import { finiteInterval, mean, quantile } from '../core/statistics.js';
import { bisect } from '../core/minimize1d.js';
import { InputError } from '../errors/index.js';
import { fit } from '../fit/fit.js';
import { chinchilla } from '../laws/chinchilla.js';
import { powerLaw } from '../laws/power.js';
import { predictLoss, type Law } from '../laws/law.js';
import { extrapolationSd } from '../fit/candidate.js';
import type { Dataset } from '../io/dataset.js';
import type { TaskMetric } from '../io/parseTaskMetrics.js';

/** One checkpoint of one ladder run, for one task. */
export interface TaskCheckpoint {
  D: number;
  C: number;
  step?: number;
  taskLoss?: number;
  accuracy?: number;
  valLoss?: number;
}

export interface LadderRun {
  run: string;
  N: number;
  checkpoints: TaskCheckpoint[];
}

/** One task's metrics over a ladder of runs. */
export interface TaskLadder {
  source: string;
  task: string;
  lossMetric: string;
  /**
   * The loss metric's values are all negative — a log-likelihood of the correct answer, as Llama 3 predicts
   * through — so the task loss is their negation (the negative log-likelihood, which falls as models improve).
   */
  lossNegated?: boolean;
  accuracyMetric: string;
  /** A mean over tasks: its parts, each with its weight (summing to 1) and its own accuracy metric. */
  parts?: { task: string; weight: number; accuracyMetric: string }[];
  runs: LadderRun[];
}

/** Accuracy metrics in the order they are preferred when none is named (length-normalised first, as OLMo reports). */
export const ACCURACY_METRICS = ['len_norm', 'acc_norm', 'acc'] as const;
/** Task-loss metrics in the order they are preferred (bits per byte of the correct answer first). */
export const LOSS_METRICS = ['bpb', 'soft_log', 'ce', 'loss'] as const;

/** Tasks in a set of metrics, with the metrics each has. */
export function tasksOf(records: readonly TaskMetric[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of records) {
    let s = out.get(r.task);
    if (!s) out.set(r.task, (s = new Set()));
    s.add(r.metric);
  }
  return out;
}

export interface LadderOptions {
  task: string;
  lossMetric?: string;
  accuracyMetric?: string;
  /** Keep only these runs. */
  runs?: (run: string) => boolean;
  /** Weighted mean of several tasks' metrics as one task (MMLU's four parts): {task: weight}. */
  parts?: Record<string, number>;
  /** A part's own accuracy metric (when accuracyMetric is not given for all). */
  partAccuracy?: Record<string, string>;
}

/**
 * Metric names in a message, comma-separated: each quoted when one holds a comma itself (lm-eval's
 * `exact_match,strict-match`), else the list could not be read back.
 */
export function metricNames(names: readonly string[]): string {
  return names.some((n) => n.includes(',')) ? names.map((n) => JSON.stringify(n)).join(', ') : names.join(', ');
}

/**
 * One task's ladder from stored or parsed metrics: each run's checkpoints with the task loss and
 * accuracy, in token order. Runs need N; checkpoints need D.
 * @throws InputError when the task, a metric or N is missing
 */
export function taskLadder(records: readonly TaskMetric[], source: string, options: LadderOptions): TaskLadder {
  const parts = options.parts ?? { [options.task]: 1 };
  const tasks = tasksOf(records);
  for (const t of Object.keys(parts)) {
    if (!tasks.has(t))
      throw new InputError({ file: source }, `no metrics for task "${t}"; ${unknownName(t, [...tasks.keys()])}`);
  }
  const partNames = Object.keys(parts);
  const label = (t: string) =>
    partNames.length > 1 ? `task "${options.task}" (its part "${t}")` : `task "${options.task}"`;
  // Each part's metric: the one asked for, or the first of the preferred ones the part has. Parts may
  // differ (one task scores acc_norm, another only acc): each is an accuracy in [0, 1] all the same.
  const pick = (t: string, wanted: string | undefined, preferred: readonly string[], what: string) => {
    const has = tasks.get(t)!;
    if (wanted !== undefined) {
      if (!has.has(wanted))
        throw new InputError(
          { file: source },
          `${label(t)} has no metric "${wanted}" (${what}); it has: ${metricNames([...has])}`,
        );
      return wanted;
    }
    return preferred.find((m) => has.has(m)) ?? '';
  };
  const accuracyOf = new Map(
    partNames.map((t) => [
      t,
      pick(t, options.accuracyMetric ?? options.partAccuracy?.[t], ACCURACY_METRICS, 'accuracy'),
    ]),
  );
  for (const [t, m] of accuracyOf)
    if (!m)
      throw new InputError(
        { file: source },
        `${label(t)} has no accuracy metric (${ACCURACY_METRICS.join(', ')}); it has: ${metricNames([...tasks.get(t)!])}; name one (accuracyMetric)`,
      );
  // A default accuracy metric missing at a checkpoint where the task has another (acc without acc_norm: a
  // file from another harness config) would drop that checkpoint without a word — a largest run's final one.
  for (const [t, m] of accuracyOf) {
    if ((options.accuracyMetric ?? options.partAccuracy?.[t]) !== undefined) continue;
    const chosen = new Set<string>();
    const others = new Map<string, TaskMetric>();
    for (const r of records) {
      if (r.task !== t || r.D === undefined || (options.runs && !options.runs(r.run))) continue;
      const at = `${r.run}\u0000${r.D}`;
      if (r.metric === m) chosen.add(at);
      else if ((ACCURACY_METRICS as readonly string[]).includes(r.metric) && !others.has(at)) others.set(at, r);
    }
    for (const [at, r] of others)
      if (!chosen.has(at))
        throw new InputError(
          {
            file: r.file ?? source,
            line: r.line,
            ...(r.column !== undefined ? { column: r.column } : {}),
            ...(r.key !== undefined ? { keyPath: r.key } : {}),
          },
          (o) =>
            `run "${r.run}", D = ${plain(r.D!)}: ${label(t)} has ${r.metric} here but not ${m}, its accuracy metric (the first of ${ACCURACY_METRICS.join(', ')} it has): expected ${m} at every checkpoint, or name the metric it has at all of them (${o('accuracyMetric')} ${t}=${r.metric})`,
        );
  }
  // A task loss averaged over parts must be one metric in one unit: parts without it, or with different
  // ones, leave the mean without a task loss (its accuracy is then fitted directly in C).
  const losses = new Set(partNames.map((t) => pick(t, options.lossMetric, LOSS_METRICS, 'task loss')));
  const lossMetric = losses.size === 1 ? [...losses][0] : '';
  const accuracyMetric = [...new Set(accuracyOf.values())].join('/');
  const totalWeight = Object.values(parts).reduce((a, b) => a + b, 0);
  const lossNegated = lossMetric ? logLikelihoodSign(records, source, options, parts, lossMetric) : false;
  const byRun = new Map<
    string,
    {
      N?: number;
      line: number;
      file?: string;
      points: Map<
        number,
        { C?: number; step?: number; valLoss?: number; loss: number; lossW: number; acc: number; accW: number }
      >;
    }
  >();
  for (const r of records) {
    const w = parts[r.task];
    if (w === undefined || (options.runs && !options.runs(r.run))) continue;
    const isAccuracy = r.metric === accuracyOf.get(r.task);
    if (r.metric !== lossMetric && !isAccuracy) continue;
    let run = byRun.get(r.run);
    if (!run) byRun.set(r.run, (run = { N: r.N, line: r.line, file: r.file, points: new Map() }));
    if (r.D === undefined)
      throw new InputError(
        {
          file: r.file ?? source,
          line: r.line,
          ...(r.column !== undefined ? { column: r.column } : {}),
          ...(r.key !== undefined ? { keyPath: r.key } : {}),
        },
        (o) =>
          `run "${r.run}" has a checkpoint without tokens (D): expected the tokens seen at every checkpoint${r.step !== undefined ? ` (it has step ${r.step}: give the tokens per step, ${o('batchTokens')}, to turn steps into tokens, or "batchTokens" for the run in a ladder manifest)` : ''}`,
      );
    let p = run.points.get(r.D);
    if (!p) run.points.set(r.D, (p = { C: r.C, step: r.step, valLoss: r.valLoss, loss: 0, lossW: 0, acc: 0, accW: 0 }));
    if (r.metric === lossMetric) {
      p.loss += w * (lossNegated ? -r.value : r.value);
      p.lossW += w;
    }
    if (isAccuracy) {
      p.acc += w * r.value;
      p.accW += w;
    }
  }
  const runs: LadderRun[] = [];
  for (const [name, r] of byRun) {
    if (r.N === undefined)
      throw new InputError(
        { file: r.file ?? source, line: r.line },
        (o) =>
          `run "${name}" has no N (parameters): expected N for every ladder run (a column N, config.model_num_parameters in an lm-eval results file, a ladder manifest's "N", or ${o('N')} when importing)`,
      );
    const checkpoints = [...r.points.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([D, p]): TaskCheckpoint => ({
        D,
        C: p.C ?? 6 * r.N! * D,
        ...(p.step !== undefined ? { step: p.step } : {}),
        ...(p.valLoss !== undefined ? { valLoss: p.valLoss } : {}),
        // A part missing at a checkpoint would bias the weighted mean: only complete checkpoints count.
        ...(lossMetric && Math.abs(p.lossW - totalWeight) < 1e-9 ? { taskLoss: p.loss / p.lossW } : {}),
        ...(Math.abs(p.accW - totalWeight) < 1e-9 ? { accuracy: p.acc / p.accW } : {}),
      }));
    runs.push({ run: name, N: r.N, checkpoints });
  }
  if (runs.length === 0) throw new InputError({ file: source }, `no run has metrics for task "${options.task}"`);
  const described =
    partNames.length > 1
      ? {
          parts: partNames.map((t) => ({
            task: t,
            weight: parts[t] / totalWeight,
            accuracyMetric: accuracyOf.get(t)!,
          })),
        }
      : {};
  return {
    source,
    task: options.task,
    lossMetric,
    ...(lossNegated ? { lossNegated } : {}),
    accuracyMetric,
    ...described,
    runs,
  };
}

/**
 * Whether a task's loss metric is a log-likelihood (every value ≤ 0, one below): then its negation is the
 * task loss. A metric with values of both signs is neither a loss nor a log-likelihood: refused at the first
 * value whose sign differs from the first one's.
 */
function logLikelihoodSign(
  records: readonly TaskMetric[],
  source: string,
  options: LadderOptions,
  parts: Record<string, number>,
  lossMetric: string,
): boolean {
  let first: TaskMetric | undefined;
  for (const r of records) {
    if (r.metric !== lossMetric || parts[r.task] === undefined || (options.runs && !options.runs(r.run))) continue;
    if (r.value === 0) continue;
    if (!first) first = r;
    else if (r.value < 0 !== first.value < 0)
      throw new InputError(
        { file: r.file ?? source, line: r.line, ...(r.column !== undefined ? { column: r.column } : {}) },
        `task "${r.task}": metric "${lossMetric}" is ${r.value} here but ${first.value} at ${first.file ?? source} line ${first.line}: a task loss is positive throughout, a log-likelihood of the correct answer negative throughout (it is negated to a loss), not both`,
      );
  }
  return first !== undefined && first.value < 0;
}

/**
 * Step 2's forms (`fitStep2`): the average of averageMembers' sigmoids, or one sigmoid with the floor
 * and ceiling given. The CLI's --sigmoid offers this list.
 */
export const step2Sigmoids = ['average', 'one'] as const;
export type Step2Sigmoid = (typeof step2Sigmoids)[number];

/** How the two steps are fitted; the defaults are the protocol's settings (Bhagia et al. 2024: 5 and 0.1). */
export interface DownstreamOptions {
  /** Evaluations averaged for a run's final value, and the trailing window of step 2. @default 5 */
  movingAverage?: number;
  /** Fraction of each run's first checkpoints left out of step 2. @default 0.1 */
  skipFraction?: number;
  /** Random-guess accuracy, when known: the screening's chance level and the sigmoid's floor. */
  chance?: number;
  /** The sigmoid's floor: @default the chance level when known, else fitted. */
  floor?: number | 'free';
  /** The sigmoid's ceiling (with `sigmoid: 'one'`): @default 1; 'free': fitted in [floor, 1]. */
  ceiling?: number | 'free';
  /**
   * Step 2 as one sigmoid (floor and ceiling as above), or the average of three (averageMembers) whose
   * floor and ceiling are held or fitted in turn. @default DOWNSTREAM_STEP2.sigmoid
   */
  sigmoid?: Step2Sigmoid;
  /**
   * Step 2 also fits the ideal point — task loss 0, accuracy 1 (a model sure of every correct answer
   * gets them all right) — as one more point, as Bhagia et al.'s code does; their chained predictions
   * are reproduced with it (test/downstream-paper.test.ts). Never for the direct law in C, whose
   * abscissa (−ln C) has no ideal value. @default DOWNSTREAM_STEP2.idealPoint
   */
  idealPoint?: boolean;
  /**
   * The largest training compute (FLOPs) a plan for accuracy searches: a replicate that does not reach
   * the accuracy by then counts as beyond it. @default PLAN_HORIZON
   */
  horizon?: number;
  /**
   * Slope s of the extrapolation term: an accuracy error N(0, (s·log10(1 + C/C_max))²), C_max the
   * ladder's largest compute. 0: none. @default DOWNSTREAM_EXTRAPOLATION
   */
  extrapolation?: number;
}

/**
 * The extrapolation term's slope (docs/methods.md §32), learnt from back-tests within ladders (fit on
 * the smallest sizes, predict every larger one) by bench/downstream-extrapolation.ts, which prints the
 * leave-one-dataset-out choice and the pooled value shipped here.
 */
export const DOWNSTREAM_EXTRAPOLATION = 0.057;

/**
 * Step 2's default setting: which of the sigmoid's ceiling and floor are fitted and which part of each
 * run it is fitted to — chosen among variants by the same bench, on back-tests within the ladders.
 */
export const DOWNSTREAM_STEP2: { sigmoid: Step2Sigmoid; skipFraction: number; idealPoint: boolean } = {
  sigmoid: 'average',
  skipFraction: 0.1,
  idealPoint: true,
};

const defaults = {
  movingAverage: 5,
  ceiling: 1 as number | 'free',
  ...DOWNSTREAM_STEP2,
  extrapolation: DOWNSTREAM_EXTRAPOLATION,
};

export function sigmoidBounds(o: DownstreamOptions): SigmoidBounds {
  return {
    floor: o.floor ?? o.chance ?? 'free',
    ceiling: o.ceiling ?? defaults.ceiling,
    idealPoint: o.idealPoint ?? defaults.idealPoint,
  };
}

/**
 * The averaged sigmoid's members: floor at chance and ceiling 1, floor at chance and ceiling fitted,
 * both fitted — three answers to "where is the top?", which the ladder does not settle. Without a
 * chance level every floor is fitted, so there are two (ceiling 1, ceiling fitted), not the second twice.
 */
export function averageMembers(o: DownstreamOptions): SigmoidBounds[] {
  const idealPoint = o.idealPoint ?? defaults.idealPoint;
  const bothFitted: SigmoidBounds = { floor: 'free', ceiling: 'free', idealPoint };
  if (o.chance === undefined) return [{ floor: 'free', ceiling: 1, idealPoint }, bothFitted];
  return [{ floor: o.chance, ceiling: 1, idealPoint }, { floor: o.chance, ceiling: 'free', idealPoint }, bothFitted];
}

/**
 * Step 2's fit under the options: one sigmoid (floor and ceiling as given), or the average of
 * averageMembers' three (each member warm-started from `start`'s when given).
 */
export function fitStep2(
  points: readonly { loss: number; accuracy: number }[],
  source: string,
  o: DownstreamOptions,
  start?: Sigmoid,
): SigmoidFit {
  if ((o.sigmoid ?? defaults.sigmoid) === 'one') return fitSigmoid(points, source, sigmoidBounds(o), start);
  const members = averageMembers(o).map((b, i) => fitSigmoid(points, source, b, start?.members?.[i]));
  const average: Sigmoid = { ...averageOf(members), members };
  const rmse = Math.sqrt(mean(points.map((p) => (sigmoidAccuracy(average, p.loss) - p.accuracy) ** 2)));
  return { ...average, rmse, points: points.length, fitted: ['average'] };
}

/** The members' mean floor and ceiling (the average's range); L0 and k are the first member's, for display. */
function averageOf(members: readonly Sigmoid[]): Sigmoid {
  return {
    floor: mean(members.map((m) => m.floor)),
    ceiling: mean(members.map((m) => m.ceiling)),
    L0: members[0].L0,
    k: members[0].k,
  };
}

/** A run's final point: the last D, the mean of the last `k` evaluations of each metric. */
export interface FinalPoint {
  run: string;
  N: number;
  D: number;
  C: number;
  taskLoss?: number;
  accuracy?: number;
  valLoss?: number;
}

export function finalPoints(ladder: TaskLadder, movingAverage = defaults.movingAverage): FinalPoint[] {
  return ladder.runs.map((r) => {
    const tail = r.checkpoints.slice(-movingAverage);
    const last = r.checkpoints[r.checkpoints.length - 1];
    const avg = (key: 'taskLoss' | 'accuracy' | 'valLoss') => {
      const v = tail.map((c) => c[key]).filter((x): x is number => x !== undefined);
      return v.length ? { [key]: mean(v) } : {};
    };
    return { run: r.run, N: r.N, D: last.D, C: last.C, ...avg('taskLoss'), ...avg('accuracy'), ...avg('valLoss') };
  });
}

/**
 * Runs whose final point's moving average (its last `movingAverage` checkpoints) spans more than a
 * quarter of the run's tokens: with 4 checkpoints a run, a window of 5 makes its "final" accuracy the mean
 * of its whole run. Each with the share of its tokens the window spans. Checkpoints in order of D.
 */
export function wideAverageWindows(
  ladder: Pick<TaskLadder, 'runs'>,
  movingAverage = defaults.movingAverage,
): { run: string; span: number; checkpoints: number }[] {
  return ladder.runs.flatMap((r) => {
    const tail = r.checkpoints.slice(-movingAverage);
    const last = r.checkpoints[r.checkpoints.length - 1];
    if (tail.length < 2 || !(last.D > 0)) return [];
    const span = (last.D - tail[0].D) / last.D;
    return span > 0.25 ? [{ run: r.run, span, checkpoints: tail.length }] : [];
  });
}

/** Trailing moving average with partial windows at the start (numpy cumsum form, as the paper's code). */
export function trailingMean(values: readonly number[], k: number): number[] {
  const out: number[] = [];
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i];
    if (i >= k) s -= values[i - k];
    out.push(s / Math.min(i + 1, k));
  }
  return out;
}

/**
 * A run's checkpoints after its first `skip` fraction (the early, transient part of training), never
 * its last: a run evaluated once, at its end (final-only evaluations, one lm-evaluation-harness result
 * per model), keeps that evaluation; ⌈skip·n⌉ alone dropped it, and a ladder of such runs had no point.
 */
function afterEarly<T>(checkpoints: readonly T[], skip: number): T[] {
  return checkpoints.slice(Math.min(Math.ceil(skip * checkpoints.length), checkpoints.length - 1));
}

/**
 * Step 2's points: (task loss, accuracy) at every checkpoint but each run's first `skipFraction`, smoothed;
 * `of: 'valLoss'`: (validation loss, accuracy), for the route through the validation loss.
 */
export function sigmoidPoints(
  ladder: TaskLadder,
  options: DownstreamOptions = {},
  of: 'taskLoss' | 'valLoss' = 'taskLoss',
): { run: string; loss: number; accuracy: number }[] {
  const k = options.movingAverage ?? defaults.movingAverage,
    skip = options.skipFraction ?? defaults.skipFraction;
  const out: { run: string; loss: number; accuracy: number }[] = [];
  for (const r of ladder.runs) {
    const both = r.checkpoints.filter((c) => c[of] !== undefined && c.accuracy !== undefined);
    const kept = afterEarly(both, skip);
    const xs = trailingMean(
        kept.map((c) => c[of]!),
        k,
      ),
      ys = trailingMean(
        kept.map((c) => c.accuracy!),
        k,
      );
    xs.forEach((x, i) => out.push({ run: r.run, loss: x, accuracy: ys[i] }));
  }
  return out;
}

/** Acc(L) = floor + (ceiling − floor)/(1 + e^(k(L − L0))): the paper's a/(1+e^(−k(L−L0))) + b with a = floor − ceiling, b = ceiling. */
export interface Sigmoid {
  floor: number;
  ceiling: number;
  L0: number;
  k: number;
  /** An average of sigmoids: the accuracy is their mean (floor and ceiling above are their means). */
  members?: Sigmoid[];
}

export function sigmoidAccuracy(s: Sigmoid, loss: number): number {
  if (s.members?.length) return mean(s.members.map((m) => sigmoidAccuracy(m, loss)));
  return s.floor + (s.ceiling - s.floor) / (1 + Math.exp(s.k * (loss - s.L0)));
}

/** A replicate's extrapolation draw for a plan, from its own stream (the targets' draws are unchanged). */
function planBend(seed: number, replicate: number, slope: number, maxC: number): Bend {
  return { shift: slope > 0 ? slope * normal(randomSource(seed ^ 0x2545f491, replicate)) : 0, maxC };
}

/** An accuracy is a fraction: a replicate pushed past 0 or 1 by the added terms is held there. */
function clampAccuracy(a: number): number {
  return Math.min(1, Math.max(0, a));
}

/** How many replicates were clamped below 0 and above 1 (clampCounted counts them). */
interface ClampCount {
  lower: number;
  upper: number;
}

/** clampAccuracy, counting the replicates held at 0 or 1: an interval end there is a clip, said as such. */
function clampCounted(a: number, count: ClampCount): number {
  if (a > 1) count.upper++;
  else if (a < 0) count.lower++;
  return clampAccuracy(a);
}

/** The ends of an interval that are clips: at 0 or 1 with replicates held there. */
function clippedEnds(iv: [number, number], count: ClampCount): ('lower' | 'upper')[] {
  const ends: ('lower' | 'upper')[] = [];
  if (count.lower > 0 && iv[0] <= 0) ends.push('lower');
  if (count.upper > 0 && iv[1] >= 1) ends.push('upper');
  return ends;
}

/**
 * The extrapolation term's SD (accuracy) at compute C, from a ladder whose largest run used C_max:
 * s·log10(1 + C/C_max), the distance of §26's term on the loss prediction.
 */
export function downstreamExtrapolationSd(C: number, maxC: number, slope: number): number {
  return extrapolationSd({ C }, maxC, slope);
}

/**
 * Which count a C is in. `data`: the ladder's own — D × FLOPs per token (a manifest's `flopsPerToken`, the
 * OLMo ladder's count with attention), or a C column — which need not be 6·N·D; `given`: a C given with the
 * target (meant in the ladder's count); `6ND`: 6·N·D, what a target of N and D alone, and a plan's
 * compute-optimal frontier, are placed at.
 */
export type ComputeCount = 'data' | 'given' | '6ND';

/** How far the ladder's median C may sit from 6·N·D before the two counts are said to differ. */
export const COMPUTE_COUNT_TOLERANCE = 0.05;

/** The ladder's C against 6·N·D over its runs' final points: the ratios' range and median. */
export function computeRatio(finals: readonly Pick<FinalPoint, 'N' | 'D' | 'C'>[]): {
  min: number;
  median: number;
  max: number;
} {
  const r = finals.map((p) => p.C / (6 * p.N * p.D));
  return { min: Math.min(...r), median: quantile(r, 0.5), max: Math.max(...r) };
}

/** Whether a target's C is 6·N·D: none given, or marked so (a loss plan's model). */
function targetAt6ND(t: { C?: number; computeCount?: ComputeCount }): boolean {
  return t.C === undefined || t.computeCount === '6ND';
}

/**
 * The ladder's largest compute in a target's count, so that the extrapolation term's distance
 * log10(1 + C/C_max) compares like with like: its runs' largest 6·N·D for a C that is 6·N·D, their largest
 * C as the data count it otherwise. (On a ladder counted as 6·N·D the two are the same.)
 */
export function ladderMaxC(finals: readonly Pick<FinalPoint, 'N' | 'D' | 'C'>[], at6ND: boolean): number {
  return Math.max(...finals.map((p) => (at6ND ? 6 * p.N * p.D : p.C)));
}

/** The extrapolation term's SD for each target, each against the ladder's largest C in its own count. */
function targetExtrapolationSd(
  finals: readonly FinalPoint[],
  targets: readonly { N?: number; D?: number; C?: number; computeCount?: ComputeCount }[],
  slope: number,
): number[] {
  return targets.map((t) => {
    const at6 = targetAt6ND(t);
    const C = t.C ?? 6 * t.N! * t.D!;
    return downstreamExtrapolationSd(C, ladderMaxC(finals, at6), slope);
  });
}

/** The task loss at which the sigmoid reaches `accuracy`; undefined outside (floor, ceiling). */
export function lossForAccuracy(s: Sigmoid, accuracy: number): number | undefined {
  if (s.members?.length) {
    // Each member falls with the loss, so their mean does: bisect between the members' own answers.
    if (!(accuracy > s.floor && accuracy < s.ceiling)) return undefined;
    // 40/k from L0, every member is within e^−40 of its floor or ceiling.
    let lo = Math.min(...s.members.map((m) => m.L0 - 40 / m.k)),
      hi = Math.max(...s.members.map((m) => m.L0 + 40 / m.k));
    const at = (L: number) => sigmoidAccuracy(s, L) - accuracy;
    if (!(at(lo) > 0 && at(hi) < 0)) return undefined;
    for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(lo)); i++) {
      const mid = (lo + hi) / 2;
      if (at(mid) > 0) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  }
  const t = (s.ceiling - s.floor) / (accuracy - s.floor) - 1;
  if (!(accuracy > s.floor && accuracy < s.ceiling) || !(t > 0)) return undefined;
  return s.L0 + Math.log(t) / s.k;
}

export interface SigmoidFit extends Sigmoid {
  /** Root-mean-square residual of accuracy over the fitted points. */
  rmse: number;
  points: number;
  /** Which of floor and ceiling were fitted (the others were held). */
  fitted: string[];
}

const UNIT: Interval = { min: 0, max: 1 };

/** Which of the sigmoid's floor and ceiling are held at a value (the rest are fitted). */
export interface SigmoidBounds {
  /** Random-guess accuracy, or 'free' to fit it. */
  floor?: number | 'free';
  /** Largest attainable accuracy, or 'free' to fit it. */
  ceiling?: number | 'free';
  /** Fit the ideal point (loss 0, accuracy 1 — or the held ceiling) with the data. */
  idealPoint?: boolean;
}

/**
 * Least-squares sigmoid from task loss to accuracy: k > 0, L0 free, floor and ceiling held where
 * given and otherwise fitted in [0, 1]; from a few starts spread over the observed losses. Pure and
 * deterministic.
 * @throws InputError with fewer than 5 points or no spread in loss
 */
export function fitSigmoid(
  points: readonly { loss: number; accuracy: number }[],
  source: string,
  bounds: SigmoidBounds = {},
  start?: Sigmoid,
): SigmoidFit {
  if (points.length < 5)
    throw new InputError(
      { file: source },
      `${points.length} checkpoints with both a task loss and an accuracy: expected at least 5 to fit a sigmoid`,
    );
  const xs = points.map((p) => p.loss),
    ys = points.map((p) => p.accuracy);
  const lo = quantile(xs, 0),
    hi = quantile(xs, 1);
  if (!(hi > lo))
    throw new InputError(
      { file: source },
      'every checkpoint has the same task loss: the sigmoid from task loss to accuracy is not determined',
    );
  const span = hi - lo;
  if (bounds.idealPoint) {
    xs.push(0);
    ys.push(typeof bounds.ceiling === 'number' ? bounds.ceiling : 1);
  }
  const fixedFloor = typeof bounds.floor === 'number' ? bounds.floor : undefined;
  const fixedCeiling = typeof bounds.ceiling === 'number' ? bounds.ceiling : undefined;
  if (fixedFloor !== undefined && fixedCeiling !== undefined && !(fixedCeiling > fixedFloor))
    throw new InputError(
      { file: source },
      `the sigmoid's ceiling ${fixedCeiling} is not above its floor ${fixedFloor}`,
    );
  // u = [L0, ln k, floor?, ceiling?]: floor and ceiling through [0, 1] bounds when fitted; a fitted
  // ceiling over a held floor stays in [floor, 1] (below it the curve would turn upside down).
  const CEILING: Interval = fixedFloor === undefined ? UNIT : { min: fixedFloor, max: 1 };
  const iFloor = fixedFloor === undefined ? 2 : -1;
  const iCeiling = fixedCeiling === undefined ? (iFloor < 0 ? 2 : 3) : -1;
  const unpack = (u: ArrayLike<number>) => ({
    L0: u[0],
    k: Math.exp(u[1]),
    f: iFloor < 0 ? fixedFloor! : toBounded(u[iFloor], UNIT),
    c: iCeiling < 0 ? fixedCeiling! : toBounded(u[iCeiling], CEILING),
  });
  const fg = (u: Float64Array, g: Float64Array): number => {
    const { L0, k, f, c } = unpack(u);
    let s = 0,
      gf = 0,
      gc = 0,
      gL = 0,
      gk = 0;
    for (let i = 0; i < xs.length; i++) {
      const e = Math.exp(Math.min(700, k * (xs[i] - L0)));
      const q = 1 / (1 + e);
      const r = f + (c - f) * q - ys[i];
      s += r * r;
      const dq = -q * q * e; // dq/d(k(x − L0))
      gf += 2 * r * (1 - q);
      gc += 2 * r * q;
      gL += 2 * r * (c - f) * dq * -k;
      gk += 2 * r * (c - f) * dq * (xs[i] - L0) * k;
    }
    g[0] = gL;
    g[1] = gk;
    if (iFloor >= 0) g[iFloor] = gf * boundedDerivative(u[iFloor], UNIT);
    if (iCeiling >= 0) g[iCeiling] = gc * boundedDerivative(u[iCeiling], CEILING);
    return s;
  };
  const floor0 = fixedFloor ?? Math.max(0, Math.min(...ys) - 0.02);
  const ceiling0 = fixedCeiling ?? Math.min(1, Math.max(Math.max(...ys) + 0.1, (fixedFloor ?? 0) + 0.05));
  let best: { f: number; x: Float64Array } | undefined;
  // A warm start (a bootstrap replicate starts at the point estimate) or a grid over L0 and k.
  const grid = start
    ? [{ L0: start.L0, k: start.k, f: start.floor, c: start.ceiling }]
    : [lo, lo + span / 3, lo + (2 * span) / 3, hi].flatMap((L0) =>
        [1, 4, 16].map((m) => ({ L0, k: m / span, f: floor0, c: ceiling0 })),
      );
  for (const g0 of grid) {
    {
      const x0 = [g0.L0, Math.log(g0.k)];
      if (iFloor >= 0) x0.push(fromBounded(inside(g0.f, UNIT), UNIT));
      if (iCeiling >= 0) x0.push(fromBounded(inside(g0.c, CEILING), CEILING));
      const r = lbfgs(fg, Float64Array.from(x0), {
        maxIterations: 2000,
        functionTolerance: 1e-14,
        gradientTolerance: 1e-12,
      });
      if (Number.isFinite(r.f) && (!best || r.f < best.f)) best = { f: r.f, x: r.x };
    }
  }
  if (!best)
    throw new InputError(
      { file: source },
      'the sigmoid fit gave no finite result: check that the accuracies are fractions in [0, 1]',
    );
  const { L0, k, f, c } = unpack(best.x);
  return {
    floor: Math.min(f, c),
    ceiling: Math.max(f, c),
    L0,
    k,
    rmse: Math.sqrt(
      mean(points.map((p) => (f + (c - f) / (1 + Math.exp(Math.min(700, k * (p.loss - L0)))) - p.accuracy) ** 2)),
    ),
    points: points.length,
    fitted: [...(iFloor >= 0 ? ['floor'] : []), ...(iCeiling >= 0 ? ['ceiling'] : [])],
  };
}

/**
 * A start 1 % of the width inside its bounds: on a bound the arcsine transform's derivative is 0, and
 * the optimiser would never leave it (a ceiling started at 1 stayed there when 0.992 fitted better).
 */
function inside(x: number, b: Interval): number {
  const margin = 0.01 * (b.max - b.min);
  return Math.min(b.max - margin, Math.max(b.min + margin, x));
}

/** A fitted task-loss law: through (N, D) (Chinchilla form) or through C (E + A/C^α). */
export interface TaskLossFit {
  law: Law;
  params: Record<string, number>;
  /** Root-mean-square of the log residuals. */
  rmsLog: number;
  points: number;
  /**
   * When the fit is degenerate (its severe `degenerate` warning: a term switched off, an exponent far beyond
   * any published one — a task loss that does not fall with size or compute on the ladder), its parameters
   * as text ("E = 5.287, A = off, alpha = 21.77"). Its predictions are not to be trusted, and may not even
   * be finite (an overflowing scale).
   */
  degenerate?: string;
}

function lawFit(
  law: Law,
  finals: readonly FinalPoint[],
  source: string,
  via: 'ND' | 'C',
  init?: Record<string, number>,
  of: 'taskLoss' | 'valLoss' = 'taskLoss',
): TaskLossFit {
  const runs = finals
    .filter((p) => p[of] !== undefined)
    .map((p, i) =>
      via === 'ND'
        ? { N: p.N, D: p.D, loss: p[of]!, run: p.run, line: i + 1 }
        : { C: p.C, loss: p[of]!, run: p.run, line: i + 1 },
    );
  const dataset: Dataset = {
    source,
    runs,
    columns: { loss: of === 'taskLoss' ? 'task loss' : 'validation loss' },
    derived: {},
  };
  // A warm start from a fit that ran off (a scale at infinity) is no start: the replicate starts afresh.
  const warm = init && Object.values(init).every(Number.isFinite) ? init : undefined;
  const r = fit(law, dataset, warm ? { init: warm } : {});
  const degenerate = r.warnings.some((w) => w.code === 'degenerate' && w.severity === 'severe')
    ? Object.entries(r.params)
        .map(([k, v]) => `${k} = ${Number.isFinite(v) ? formatNumber(v, 4) : 'off'}`)
        .join(', ')
    : undefined;
  return {
    law,
    params: r.params,
    rmsLog: Math.sqrt(mean(Array.from(r.residuals, (x) => x * x))),
    points: runs.length,
    ...(degenerate ? { degenerate } : {}),
  };
}

export function predictTaskLoss(f: TaskLossFit, target: { N: number; D: number; C?: number }): number {
  return predictLoss(
    f.law,
    f.params,
    f.law.inputs.includes('C') ? { C: target.C ?? 6 * target.N * target.D } : { N: target.N, D: target.D },
  );
}

export interface DownstreamFit {
  task: string;
  lossMetric: string;
  /** The task loss is the loss metric negated (a log-likelihood: TaskLadder.lossNegated). */
  lossNegated?: boolean;
  accuracyMetric: string;
  options: DownstreamOptions & typeof defaults;
  finals: FinalPoint[];
  /** Step 1 through (N, D). */
  step1: TaskLossFit;
  /** Step 1 through C. */
  step1C: TaskLossFit;
  /** Step 2. */
  step2: SigmoidFit;
  /** Accuracy noise: the pooled SD of accuracy about its trailing mean over each run's last evaluations. */
  noise: number;
}

/**
 * SD of accuracy from checkpoint to checkpoint near the end of training: the residuals of the last
 * `last` evaluations of every run about a straight line in log D, pooled. It is the noise of one
 * evaluation, which a prediction of one model's score cannot beat.
 */
export function accuracyNoise(ladder: TaskLadder, last = 10): number {
  if (!checkpointNoiseMeasurable(ladder)) return neighbourNoise(ladder);
  const res: number[] = [];
  let dof = 0;
  for (const r of ladder.runs) {
    const pts = r.checkpoints.filter((c) => c.accuracy !== undefined).slice(-last);
    if (pts.length < 4) continue;
    const x = pts.map((c) => Math.log(c.D)),
      y = pts.map((c) => c.accuracy!);
    const mx = mean(x),
      my = mean(y);
    let sxy = 0,
      sxx = 0;
    for (let i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) ** 2;
    }
    const b = sxx > 0 ? sxy / sxx : 0;
    for (let i = 0; i < x.length; i++) res.push(y[i] - my - b * (x[i] - mx));
    dof += x.length - 2;
  }
  return dof > 0 ? Math.sqrt(res.reduce((a, v) => a + v * v, 0) / dof) : 0;
}

/** Whether some run has the 4 evaluations near its end that accuracyNoise's line through them needs. */
function checkpointNoiseMeasurable(ladder: TaskLadder): boolean {
  return ladder.runs.some((r) => r.checkpoints.filter((c) => c.accuracy !== undefined).length >= 4);
}

/**
 * One evaluation's noise on a ladder whose runs were each evaluated too few times to measure it within a
 * run (an over-training suite scored once per model, at its end): from the final accuracies of runs next
 * to each other in validation loss — in ln C where a run has none — by the pseudo-residuals of Gasser,
 * Sroka & Jennen-Steinmetz (1986): each run's accuracy against the straight line through its two
 * neighbours', e_i = w·a_{i−1} + (1 − w)·a_{i+1} − a_i, with Var(e_i) = σ²(1 + w² + (1 − w)²). A local
 * straight line takes out the trend; its curvature between neighbours still counts as noise, so the
 * estimate tends high (1.3–2× on a synthetic ladder ordered by compute, where a task follows the loss
 * rather than C), and, as any estimate from a few dozen runs, it can come out low by chance; it is
 * never 0 where runs disagree. Before, such a ladder's noise was 0: an interval held no
 * evaluation noise, and a task whose noise swamps its spread was never called noisy.
 */
function neighbourNoise(ladder: TaskLadder): number {
  const finals = finalPoints(ladder, 1).filter((p) => p.accuracy !== undefined);
  if (finals.length < 3) return 0;
  const byValLoss = finals.every((p) => p.valLoss !== undefined);
  // Falling validation loss (rising compute) along the ladder.
  const xs = (p: FinalPoint) => (byValLoss ? -p.valLoss! : Math.log(p.C));
  const order = [...finals].sort((a, b) => xs(a) - xs(b) || a.C - b.C || a.N - b.N);
  let sum = 0;
  for (let i = 1; i + 1 < order.length; i++) {
    const x0 = xs(order[i - 1]),
      x1 = xs(order[i]),
      x2 = xs(order[i + 1]);
    // Neighbours at one x (the same loss): the line is their mean.
    const w = x2 > x0 ? (x2 - x1) / (x2 - x0) : 0.5;
    const e = w * order[i - 1].accuracy! + (1 - w) * order[i + 1].accuracy! - order[i].accuracy!;
    sum += (e * e) / (1 + w * w + (1 - w) * (1 - w));
  }
  return Math.sqrt(sum / (order.length - 2));
}

/** How accuracyNoise measured a ladder's noise: within runs (their last evaluations) or between neighbouring runs. */
export function accuracyNoiseSource(
  ladder: TaskLadder,
): 'checkpoints' | 'neighbouring runs in validation loss' | 'neighbouring runs in compute' {
  if (checkpointNoiseMeasurable(ladder)) return 'checkpoints';
  const finals = finalPoints(ladder, 1).filter((p) => p.accuracy !== undefined);
  return finals.every((p) => p.valLoss !== undefined)
    ? 'neighbouring runs in validation loss'
    : 'neighbouring runs in compute';
}

/** Step 1 of a ladder's fit (through N, D and through C) and the final points it was fitted to. */
export type Step1Fits = Pick<DownstreamFit, 'finals' | 'step1' | 'step1C'>;

/**
 * Step 1 on a task's ladder: its laws through (N, D) and through C, on each run's final point (the mean of
 * its last `movingAverage` evaluations).
 * @throws InputError when the ladder has no task loss, too few runs, or one model size
 */
export function fitStep1(ladder: TaskLadder, movingAverage: number = defaults.movingAverage): Step1Fits {
  if (!ladder.lossMetric)
    throw new InputError(
      { file: ladder.source },
      `task "${ladder.task}" has no task-loss metric (${LOSS_METRICS.join(', ')}): the two-step method needs one (or use the loss → error exponential on the validation loss)`,
    );
  const finals = finalPoints(ladder, movingAverage);
  const withLoss = finals.filter((p) => p.taskLoss !== undefined);
  if (withLoss.length < 6)
    throw new InputError(
      { file: ladder.source },
      `${withLoss.length} ladder runs with a final task loss for "${ladder.task}": expected at least 6 to fit the 5-parameter step-1 law`,
    );
  if (new Set(withLoss.map((p) => p.N)).size < 2)
    throw new InputError(
      { file: ladder.source },
      `every ladder run of "${ladder.task}" has the same N: step 1 needs at least two model sizes`,
    );
  return {
    finals,
    step1: lawFit(chinchilla, finals, ladder.source, 'ND'),
    step1C: lawFit(powerLaw('C'), finals, ladder.source, 'C'),
  };
}

/**
 * Fit both steps (and step 1 through C) on a task's ladder.
 * @param step1 step 1 already fitted to this ladder at the same moving average (fitStep1): step-2
 *   settings compared on one step 1 need not refit it
 * @throws InputError when the ladder has no task loss, too few runs or checkpoints
 */
export function fitDownstream(
  ladder: TaskLadder,
  options: DownstreamOptions = {},
  step1: Step1Fits = fitStep1(ladder, options.movingAverage ?? defaults.movingAverage),
): DownstreamFit {
  const o = { ...defaults, ...options };
  const step2 = fitStep2(sigmoidPoints(ladder, o), ladder.source, o);
  return {
    task: ladder.task,
    lossMetric: ladder.lossMetric,
    ...(ladder.lossNegated ? { lossNegated: true } : {}),
    accuracyMetric: ladder.accuracyMetric,
    options: o,
    ...step1,
    step2,
    noise: accuracyNoise(ladder),
  };
}

export interface Target {
  label?: string;
  N: number;
  D: number;
  /** Compute, when it is not 6ND (the OLMo ladder counts FLOPs per token with attention). */
  C?: number;
  /**
   * Which count C is in: without it, a C given is the ladder's count ('given') and none is 6·N·D. A loss
   * plan's model carries its own C = 6·N·D ('6ND').
   */
  computeCount?: ComputeCount;
}

export interface ChainedPrediction {
  taskLoss: number;
  accuracy: number;
  viaC: { taskLoss: number; accuracy: number };
}

export function predictDownstream(f: DownstreamFit, target: Target): ChainedPrediction {
  const taskLoss = predictTaskLoss(f.step1, target),
    lossC = predictTaskLoss(f.step1C, target);
  return {
    taskLoss,
    accuracy: sigmoidAccuracy(f.step2, taskLoss),
    viaC: { taskLoss: lossC, accuracy: sigmoidAccuracy(f.step2, lossC) },
  };
}

export interface PredictionInterval {
  level: number;
  accuracy: [number, number];
  /** Not with the direct law in C. */
  taskLoss?: [number, number];
  /** Absent when step 1 through C gives no finite task loss (a degenerate law: TaskLossFit.degenerate). */
  viaC?: [number, number];
  /** Replicates whose refit failed (too few distinct sizes drawn, no convergence): left out. */
  failed: number;
  replicates: number;
  /**
   * The ends of `accuracy` held at 0 or 1: replicates pushed past them by the added noise and extrapolation
   * terms were clamped there, so the end says "at least up to 1", not a percentile of the spread.
   */
  clipped?: ('lower' | 'upper')[];
  /** The same for `viaC`. */
  viaCClipped?: ('lower' | 'upper')[];
}

/**
 * Bootstrap intervals through both steps: resample whole ladder runs with replacement, refit step 1
 * (warm-started at the point estimate) and step 2 on the drawn runs, predict; add the task's accuracy
 * noise (one evaluation's scatter) to each replicate's accuracy. Percentile intervals.
 */
export function bootstrapDownstream(
  ladder: TaskLadder,
  f: DownstreamFit,
  targets: readonly Target[],
  options: DownstreamBootstrapOptions,
): PredictionInterval[] {
  return finish(bootstrapDownstreamSteps(ladder, f, targets, options));
}

/** How bootstrapDownstream draws, and what it tells of each replicate. */
export interface DownstreamBootstrapOptions {
  replicates: number;
  seed: number;
  level?: number;
  /** Each replicate's fit, and its draw of the extrapolation term (for a plan). */
  onReplicate?: (fit: { step1: Record<string, number>; step2: Sigmoid; bend: Bend }) => void;
}

/** bootstrapDownstream a replicate at a time (it yields between them), for a caller that stays responsive. */
export function* bootstrapDownstreamSteps(
  ladder: TaskLadder,
  f: DownstreamFit,
  targets: readonly Target[],
  options: DownstreamBootstrapOptions,
): Steps<PredictionInterval[]> {
  const level = options.level ?? 0.95;
  const acc = targets.map(() => [] as number[]),
    loss = targets.map(() => [] as number[]),
    viaC = targets.map(() => [] as number[]);
  // Replicates clamped below 0 or above 1, per target: an interval end there is a clip, said as such.
  const held = targets.map(() => ({ acc: { lower: 0, upper: 0 }, viaC: { lower: 0, upper: 0 } }));
  // A plan's C is 6·N·D (the compute-optimal frontier of step 1 in N and D): its bend is measured against
  // the runs' 6·N·D, each target against the ladder's compute in its own count.
  const maxC = ladderMaxC(f.finals, true);
  const extrapolationShift = targetExtrapolationSd(f.finals, targets, f.options.extrapolation);
  const tokenCounts = new Set(f.finals.map((p) => p.D));
  if (tokenCounts.size < 2)
    throw new InputError(
      { file: ladder.source },
      `the bootstrap of "${ladder.task}" refits step 1's law in N and D, which needs runs ending at two or more token counts: every run's final checkpoint is at D = ${[...tokenCounts][0].toExponential().replace('e+', 'e')} (the count to predict at); ask for 0 bootstrap replicates to get the point predictions`,
    );
  let failed = 0;
  for (let r = 0; r < options.replicates; r++) {
    if (r > 0) yield;
    const random = randomSource(options.seed, r);
    const runs = ladder.runs.map(() => ladder.runs[Math.floor(random() * ladder.runs.length)]);
    // Renamed so that a run drawn twice is two runs (its checkpoints move together, twice).
    const drawn: TaskLadder = { ...ladder, runs: runs.map((x, i) => ({ ...x, run: `${x.run}#${i}` })) };
    try {
      const finals = finalPoints(drawn, f.options.movingAverage);
      if (new Set(finals.map((p) => p.N)).size < 2 || new Set(finals.map((p) => p.D)).size < 2)
        throw new Error('degenerate resample');
      const s1 = lawFit(chinchilla, finals, ladder.source, 'ND', f.step1.params);
      const s1C = lawFit(powerLaw('C'), finals, ladder.source, 'C', f.step1C.params);
      const s2 = fitStep2(sigmoidPoints(drawn, f.options), ladder.source, f.options, f.step2);
      options.onReplicate?.({
        step1: s1.params,
        step2: s2,
        bend: planBend(options.seed, r, f.options.extrapolation, maxC),
      });
      targets.forEach((t, i) => {
        const e = f.noise * normal(random);
        // The extrapolation term: one draw for both routes (drawn only when used: without it, the replicates are as before).
        const shift = extrapolationShift[i] > 0 ? extrapolationShift[i] * normal(random) : 0;
        const tl = predictTaskLoss(s1, t),
          tlC = predictTaskLoss(s1C, t);
        loss[i].push(tl);
        acc[i].push(clampCounted(sigmoidAccuracy(s2, tl) + shift + e, held[i].acc));
        viaC[i].push(clampCounted(sigmoidAccuracy(s2, tlC) + shift + e, held[i].viaC));
      });
    } catch {
      failed++;
    }
  }
  return targets.map((_, i) => {
    const a = finiteInterval(acc[i], level),
      l = finiteInterval(loss[i], level),
      c = finiteInterval(viaC[i], level);
    if (!a || !l)
      throw new InputError(
        { file: ladder.source },
        `the bootstrap of "${ladder.task}" gave no interval: ${failed} of ${options.replicates} replicates failed (too few distinct model sizes or token counts drawn, or no convergence)`,
      );
    const clipped = clippedEnds(a, held[i].acc),
      viaCClipped = c ? clippedEnds(c, held[i].viaC) : [];
    return {
      level,
      accuracy: a,
      taskLoss: l,
      ...(c ? { viaC: c } : {}),
      failed,
      replicates: options.replicates,
      ...(clipped.length ? { clipped } : {}),
      ...(viaCClipped.length ? { viaCClipped } : {}),
    };
  });
}

/** Gadre et al. 2024, Eq. 4: average top-1 error from validation loss, Err(L) = ε − k·e^(−γL). */
export interface LossToError {
  epsilon: number;
  k: number;
  gamma: number;
  rmse: number;
  points: number;
}

/** Least-squares fit of Err = ε − k·e^(−γL) (ε ∈ [0, 1], k > 0, γ > 0) to (validation loss, error) pairs. */
export function fitLossToError(points: readonly { valLoss: number; error: number }[], source: string): LossToError {
  if (points.length < 4)
    throw new InputError(
      { file: source },
      `${points.length} checkpoints with a validation loss and an accuracy: expected at least 4 to fit the loss → error exponential`,
    );
  const xs = points.map((p) => p.valLoss),
    ys = points.map((p) => p.error);
  const fg = (u: Float64Array, g: Float64Array): number => {
    const eps = toBounded(u[0], UNIT),
      k = Math.exp(u[1]),
      gamma = Math.exp(u[2]);
    let s = 0,
      g0 = 0,
      g1 = 0,
      g2 = 0;
    for (let i = 0; i < xs.length; i++) {
      const e = Math.exp(-gamma * xs[i]);
      const r = eps - k * e - ys[i];
      s += r * r;
      g0 += 2 * r;
      g1 += 2 * r * -k * e;
      g2 += 2 * r * k * e * xs[i] * gamma;
    }
    g[0] = g0 * boundedDerivative(u[0], UNIT);
    g[1] = g1;
    g[2] = g2;
    return s;
  };
  let best: { f: number; x: Float64Array } | undefined;
  const xm = mean(xs);
  for (const gamma of [0.3, 1, 3]) {
    const eps0 = Math.min(0.99, Math.max(...ys) + 0.05);
    const k0 = Math.max(1e-6, (eps0 - mean(ys)) * Math.exp(gamma * xm));
    const r = lbfgs(fg, Float64Array.of(fromBounded(eps0, UNIT), Math.log(k0), Math.log(gamma)), {
      maxIterations: 2000,
    });
    if (Number.isFinite(r.f) && (!best || r.f < best.f)) best = { f: r.f, x: r.x };
  }
  if (!best) throw new InputError({ file: source }, 'the loss → error fit gave no finite result');
  return {
    epsilon: toBounded(best.x[0], UNIT),
    k: Math.exp(best.x[1]),
    gamma: Math.exp(best.x[2]),
    rmse: Math.sqrt(best.f / xs.length),
    points: xs.length,
  };
}

export function errorFromLoss(f: LossToError, valLoss: number): number {
  return f.epsilon - f.k * Math.exp(-f.gamma * valLoss);
}

/**
 * Gadre et al.'s chain, step 1: the validation loss from (N, D), a Chinchilla-form law fitted to the ladder
 * runs' final validation losses as step 1 is to their task losses; with the loss → error exponential it
 * predicts a target's accuracy from its N and D (their Eq. 4 at the loss their scaling law predicts).
 * @throws InputError with fewer than 6 runs with a final validation loss or a single model size
 */
export function fitValidationLossLaw(finals: readonly FinalPoint[], source: string): TaskLossFit {
  const withLoss = finals.filter((p) => p.valLoss !== undefined);
  if (withLoss.length < 6)
    throw new InputError(
      { file: source },
      `${withLoss.length} ladder runs with a final validation loss: expected at least 6 to fit the 5-parameter law`,
    );
  if (new Set(withLoss.map((p) => p.N)).size < 2)
    throw new InputError({ file: source }, 'every ladder run has the same N: the law needs at least two model sizes');
  // Unlike step 1, which is shown with a caveat, the chain is an extra: at one D the law's B/D^β is not
  // identified, and a prediction at the target's D would rest on it.
  if (new Set(withLoss.map((p) => p.D)).size < 2)
    throw new InputError(
      { file: source },
      'every ladder run ends at the same token count: the validation-loss law needs runs ending at two or more (its D term is otherwise not identified)',
    );
  return lawFit(chinchilla, finals, source, 'ND', undefined, 'valLoss');
}

/**
 * The (validation loss, error) pairs the loss → error exponential is fitted to: every checkpoint with both,
 * after the first `skipFraction` of each run (the early, transient part of training).
 */
export function lossErrorPoints(ladder: TaskLadder, skipFraction: number): { valLoss: number; error: number }[] {
  return ladder.runs.flatMap((r) => {
    const cs = r.checkpoints.filter((c) => c.valLoss !== undefined && c.accuracy !== undefined);
    return afterEarly(cs, skipFraction).map((c) => ({ valLoss: c.valLoss!, error: 1 - c.accuracy! }));
  });
}

/** Gadre et al.'s chain at a target: the validation-loss law at (N, D), then 1 − the exponential's error. */
export function chainAccuracy(law: TaskLossFit, exp: LossToError, target: { N: number; D: number }): number {
  return 1 - errorFromLoss(exp, predictTaskLoss(law, target));
}

/**
 * Bootstrap interval of Gadre et al.'s chain (per target; undefined where too few replicates succeeded),
 * as bootstrapDownstream's for the two steps: resample whole
 * ladder runs, refit the validation-loss law (warm-started) and the exponential on the drawn runs, predict;
 * add one evaluation's accuracy noise and the extrapolation term (the slope learnt on the two-step method's
 * back-tests: the chain's own rest on one ladder, too few to learn a slope from). Held in [0, 1].
 */
export function bootstrapValidationLossChain(
  ladder: TaskLadder,
  chain: { law: TaskLossFit; exp: LossToError },
  targets: readonly Target[],
  options: DownstreamOptions & { replicates: number; seed: number; level?: number; lawCache?: ValidationLawCache },
): ChainInterval[] {
  return finish(bootstrapValidationLossChainSteps(ladder, chain, targets, options));
}

/** The chain's interval for a target, or undefined where too few replicates succeeded. */
export type ChainInterval =
  | { level: number; accuracy: [number, number]; valLoss: [number, number]; failed: number; replicates: number }
  | undefined;

/**
 * Per target, the accuracy's and the validation loss's intervals from a bootstrap's replicates; a target
 * whose replicates give no finite interval has none (undefined), the others keep theirs.
 */
function valLossIntervals(
  acc: number[][],
  loss: number[][],
  level: number,
  failed: number,
  replicates: number,
): (
  | { level: number; accuracy: [number, number]; valLoss: [number, number]; failed: number; replicates: number }
  | undefined
)[] {
  return acc.map((a, i) => {
    const ai = finiteInterval(a, level),
      li = finiteInterval(loss[i], level);
    return ai && li ? { level, accuracy: ai, valLoss: li, failed, replicates } : undefined;
  });
}

/**
 * A bootstrap replicate's ladder: its runs drawn with replacement (a run's checkpoints together), each
 * draw named apart (#i) so that a run drawn twice counts twice.
 */
function drawRuns(ladder: TaskLadder, random: () => number): TaskLadder {
  return {
    ...ladder,
    runs: ladder.runs.map((_, i) => ({ ...ladder.runs[Math.floor(random() * ladder.runs.length)], run: `#${i}` })),
  };
}
/**
 * Validation-loss laws already fitted in the chain's bootstrap, by their points and start: one analysis's
 * tasks share them (the law does not depend on the task).
 */
export type ValidationLawCache = Map<string, TaskLossFit>;

/** bootstrapValidationLossChain a replicate at a time (it yields between them). */
export function* bootstrapValidationLossChainSteps(
  ladder: TaskLadder,
  chain: { law: TaskLossFit; exp: LossToError },
  targets: readonly Target[],
  options: DownstreamOptions & { replicates: number; seed: number; level?: number; lawCache?: ValidationLawCache },
): Steps<ChainInterval[]> {
  const level = options.level ?? 0.95,
    movingAverage = options.movingAverage ?? defaults.movingAverage,
    skip = options.skipFraction ?? defaults.skipFraction,
    slope = options.extrapolation ?? defaults.extrapolation,
    noise = accuracyNoise(ladder);
  const sd = targetExtrapolationSd(finalPoints(ladder, movingAverage), targets, slope);
  const acc = targets.map(() => [] as number[]),
    loss = targets.map(() => [] as number[]);
  let failed = 0;
  for (let r = 0; r < options.replicates; r++) {
    if (r > 0) yield;
    const random = randomSource(options.seed ^ 0x6a09e667, r);
    const drawn = drawRuns(ladder, random);
    try {
      const finals = finalPoints(drawn, movingAverage).filter((p) => p.valLoss !== undefined);
      if (new Set(finals.map((p) => p.N)).size < 2 || new Set(finals.map((p) => p.D)).size < 2)
        throw new Error('degenerate resample');
      // The validation loss is the same for every task of a ladder, and so is each replicate's draw of
      // runs (its stream depends on the seed and replicate only): across tasks the law is refitted to the
      // same points from the same start, so a cache shared by an analysis's tasks fits it once.
      const key = `${JSON.stringify(chain.law.params)}|${finals.map((p) => `${p.N},${p.D},${p.valLoss}`).join(';')}`;
      let law = options.lawCache?.get(key);
      if (!law) {
        law = lawFit(chinchilla, finals, ladder.source, 'ND', chain.law.params, 'valLoss');
        options.lawCache?.set(key, law);
      }
      const exp = fitLossToError(lossErrorPoints(drawn, skip), ladder.source);
      targets.forEach((t, i) => {
        const e = noise * normal(random),
          shift = sd[i] > 0 ? sd[i] * normal(random) : 0;
        loss[i].push(predictTaskLoss(law, t));
        acc[i].push(clampAccuracy(chainAccuracy(law, exp, t) + shift + e));
      });
    } catch {
      failed++;
    }
  }
  return valLossIntervals(acc, loss, level, failed, options.replicates);
}

/**
 * Downstream routes: the two steps through a task loss (Bhagia et al.), the same two steps through the
 * validation loss (a ladder with a validation loss but no task loss), or the direct law in C.
 */
export const DOWNSTREAM_ROUTES = ['task-loss', 'val-loss', 'compute'] as const;
export type DownstreamRoute = (typeof DOWNSTREAM_ROUTES)[number];

/**
 * The two steps through the validation loss: step 1 the Chinchilla-form law (N, D) → validation loss
 * (fitValidationLossLaw, the law Gadre et al.'s chain uses), step 2 the shipped sigmoid (average) from the
 * validation loss to accuracy, on every checkpoint after each run's first `skipFraction`, smoothed, as
 * step 2 is. A law in C alone cannot tell an over-trained model from a compute-optimal one of the same
 * compute; the validation loss at (N, D) can, and the sigmoid has the ceiling the exponential lacks.
 */
export interface ValLossRouteFit {
  task: string;
  /** Step 1: (N, D) → validation loss. */
  step1: TaskLossFit;
  /** Step 2: validation loss → accuracy. */
  step2: SigmoidFit;
  options: DownstreamOptions & typeof defaults;
  finals: FinalPoint[];
  /** One evaluation's accuracy noise (accuracyNoise). */
  noise: number;
}

/**
 * Fit the route through the validation loss.
 * @param law step 1 already fitted to this ladder's final validation losses (one per ladder: every task shares it)
 * @throws InputError with too few runs with a validation loss, one size or token count, or fewer than 5 points
 */
export function fitValLossRoute(
  ladder: TaskLadder,
  options: DownstreamOptions = {},
  law?: TaskLossFit,
): ValLossRouteFit {
  // Never the ideal point: it says a model sure of every correct answer (task loss 0) gets them all right,
  // but a validation loss never reaches 0 (text has entropy; the irreducible E of its law is well above
  // 0), so a point at loss 0 would pin the sigmoid's top far outside any loss a model can have.
  const o = { ...defaults, ...options, idealPoint: false };
  const finals = finalPoints(ladder, o.movingAverage);
  const step1 = law ?? fitValidationLossLaw(finals, ladder.source);
  const points = sigmoidPoints(ladder, o, 'valLoss');
  if (points.length < 5)
    throw new InputError(
      { file: ladder.source },
      `${points.length} checkpoint${points.length === 1 ? '' : 's'} with both a validation loss and an accuracy for "${ladder.task}": expected at least 5 to fit the sigmoid from validation loss to accuracy`,
    );
  const step2 = fitStep2(points, ladder.source, o);
  return { task: ladder.task, step1, step2, options: o, finals, noise: accuracyNoise(ladder) };
}

/** The route's prediction at (N, D): the validation loss its law gives, and the sigmoid's accuracy there. */
export function predictViaValLoss(
  f: ValLossRouteFit,
  target: { N: number; D: number },
): { valLoss: number; accuracy: number } {
  const valLoss = predictTaskLoss(f.step1, target);
  return { valLoss, accuracy: sigmoidAccuracy(f.step2, valLoss) };
}

/**
 * Bootstrap intervals of the route through the validation loss, as bootstrapDownstream's for the two steps:
 * resample whole ladder runs, refit both steps (warm-started at the point estimate), predict; add one
 * evaluation's accuracy noise and the extrapolation term. Percentile intervals; undefined for a target
 * whose replicates give none.
 */
export function* bootstrapValLossRouteSteps(
  ladder: TaskLadder,
  f: ValLossRouteFit,
  targets: readonly Target[],
  options: DownstreamBootstrapOptions & { lawCache?: ValidationLawCache },
): Steps<ChainInterval[]> {
  const level = options.level ?? 0.95;
  // The plan's C is 6·N·D (planForAccuracy): its bend against the runs' 6·N·D.
  const maxC = ladderMaxC(f.finals, true);
  const sd = targetExtrapolationSd(f.finals, targets, f.options.extrapolation);
  const acc = targets.map(() => [] as number[]),
    loss = targets.map(() => [] as number[]);
  let failed = 0;
  for (let r = 0; r < options.replicates; r++) {
    if (r > 0) yield;
    const random = randomSource(options.seed, r);
    const drawn = drawRuns(ladder, random);
    try {
      const finals = finalPoints(drawn, f.options.movingAverage).filter((p) => p.valLoss !== undefined);
      if (new Set(finals.map((p) => p.N)).size < 2 || new Set(finals.map((p) => p.D)).size < 2)
        throw new Error('degenerate resample');
      // The same draw of runs for every task of a ladder (the stream depends on seed and replicate only):
      // the validation-loss law is shared through the cache, as in the chain's bootstrap.
      const key = `route|${JSON.stringify(f.step1.params)}|${finals.map((p) => `${p.N},${p.D},${p.valLoss}`).join(';')}`;
      let law = options.lawCache?.get(key);
      if (!law) {
        law = lawFit(chinchilla, finals, ladder.source, 'ND', f.step1.params, 'valLoss');
        options.lawCache?.set(key, law);
      }
      const s2 = fitStep2(sigmoidPoints(drawn, f.options, 'valLoss'), ladder.source, f.options, f.step2);
      options.onReplicate?.({
        step1: law.params,
        step2: s2,
        bend: planBend(options.seed, r, f.options.extrapolation, maxC),
      });
      targets.forEach((t, i) => {
        const e = f.noise * normal(random),
          shift = sd[i] > 0 ? sd[i] * normal(random) : 0;
        const vl = predictTaskLoss(law, t);
        loss[i].push(vl);
        acc[i].push(clampAccuracy(sigmoidAccuracy(s2, vl) + shift + e));
      });
    } catch {
      failed++;
    }
  }
  return valLossIntervals(acc, loss, level, failed, options.replicates);
}

/** bootstrapValLossRouteSteps at once. */
export function bootstrapValLossRoute(
  ladder: TaskLadder,
  f: ValLossRouteFit,
  targets: readonly Target[],
  options: DownstreamBootstrapOptions & { lawCache?: ValidationLawCache },
): ChainInterval[] {
  return finish(bootstrapValLossRouteSteps(ladder, f, targets, options));
}

/**
 * One bootstrap replicate's draw of the extrapolation term, for a plan: the accuracy at compute C is
 * moved by shift·log10(1 + C/C_max) (shift = z·s, z one normal draw per replicate).
 */
export interface Bend {
  shift: number;
  maxC: number;
}

function bendAt(b: Bend, C: number): number {
  return b.shift * Math.log10(1 + C / b.maxC);
}

/**
 * How far a plan for accuracy looks: 10³⁰ FLOPs, about two thousand times the largest training runs
 * reported by 2025 (~5·10²⁶). The share of bootstrap replicates that do not reach an accuracy is a share
 * "within this horizon": with the extrapolation term the curve keeps bending with log C, so a horizon
 * left implicit (it was 10⁴⁰, a search cap) would change that share without saying so.
 */
export const PLAN_HORIZON = 1e30;

/**
 * The smallest C in [1e10, horizon] where `short(ln C)` (how far the accuracy is short of the goal)
 * reaches 0; undefined if it does not. With the term's draw the curve need not rise everywhere, so the
 * first crossing is found on a grid (0.1 in log10 C) and refined by bisection.
 */
function solveLogC(short: (logC: number) => number, horizon: number): number | undefined {
  const lo = Math.log(1e10),
    step = Math.log(10) / 10,
    hi = Math.log(horizon);
  if (short(lo) <= 0) return Math.exp(lo);
  for (let i = 1; lo + (i - 1) * step < hi; i++) {
    const x = Math.min(lo + i * step, hi);
    if (short(x) <= 0) return Math.exp(bisect(short, x - step, x, 1e-10));
  }
  return undefined;
}

/** What reaching a target accuracy takes, on the step-1 law's compute-optimal frontier (C = 6ND). */
export interface AccuracyPlan {
  task: string;
  accuracy: number;
  /** The task loss the sigmoid needs for it (not with the direct law in C). */
  taskLoss?: number;
  C: number;
  /** The compute-optimal size and tokens (not with the direct law in C, which has no N or D). */
  N?: number;
  D?: number;
}

/**
 * The compute-optimal model that reaches `accuracy`: invert the sigmoid to a task loss, then find
 * the budget C whose Chinchilla-optimal (N, D) (Hoffmann et al. 2022, Eq. 4) has that task loss.
 * Undefined when the accuracy is outside the sigmoid's (floor, ceiling), below the law's E, or needs
 * more compute than `horizon`.
 */
export function planForAccuracy(
  f: Pick<DownstreamFit, 'task' | 'step1' | 'step2'>,
  accuracy: number,
  sigmoid: Sigmoid = f.step2,
  params: Record<string, number> = f.step1.params,
  bend?: Bend,
  horizon = PLAN_HORIZON,
): AccuracyPlan | undefined {
  if (bend && bend.shift !== 0) {
    // A bootstrap replicate's draw of the extrapolation term: the accuracy at C is moved by shift·d(C).
    const at = (logC: number) => {
      const { N, D } = chinchilla.closedForm!.computeOptimal!(params, Math.exp(logC));
      const tl = predictLoss(chinchilla, params, { N, D });
      return accuracy - sigmoidAccuracy(sigmoid, tl) - bendAt(bend, Math.exp(logC));
    };
    const C = solveLogC(at, horizon);
    if (C === undefined) return undefined;
    const { N, D } = chinchilla.closedForm!.computeOptimal!(params, C);
    return { task: f.task, accuracy, taskLoss: predictLoss(chinchilla, params, { N, D }), C, N, D };
  }
  const taskLoss = lossForAccuracy(sigmoid, accuracy);
  if (taskLoss === undefined || !(taskLoss > params.E)) return undefined;
  const at = (logC: number) => {
    const { N, D } = chinchilla.closedForm!.computeOptimal!(params, Math.exp(logC));
    return predictLoss(chinchilla, params, { N, D }) - taskLoss;
  };
  const lo = Math.log(1e10),
    hi = Math.log(horizon);
  if (at(lo) < 0) {
    const { N, D } = chinchilla.closedForm!.computeOptimal!(params, Math.exp(lo));
    return { task: f.task, accuracy, taskLoss, C: Math.exp(lo), N, D };
  }
  if (at(hi) > 0) return undefined;
  const C = Math.exp(bisect(at, lo, hi, 1e-10));
  const { N, D } = chinchilla.closedForm!.computeOptimal!(params, C);
  return { task: f.task, accuracy, taskLoss, C, N, D };
}

/**
 * The direct law in C for a task with no task loss (an lm-evaluation-harness ladder records accuracy
 * only): the same sigmoid, of x = −ln C instead of the task loss, fitted to every checkpoint after each
 * run's first `skipFraction`, not smoothed (evaluation suites such as Pythia's are far apart in
 * compute, and a trailing mean would mix them). A one-step law through compute.
 */
export function directPoints(
  ladder: TaskLadder,
  options: DownstreamOptions = {},
): { run: string; loss: number; accuracy: number }[] {
  const skip = options.skipFraction ?? defaults.skipFraction;
  return ladder.runs.flatMap((r) => {
    const cs = r.checkpoints.filter((c) => c.accuracy !== undefined);
    return afterEarly(cs, skip).map((c) => ({ run: r.run, loss: -Math.log(c.C), accuracy: c.accuracy! }));
  });
}

export function fitDirect(ladder: TaskLadder, options: DownstreamOptions = {}, start?: Sigmoid): SigmoidFit {
  const points = directPoints(ladder, options);
  // Said in the direct law's own terms: the data have no task loss, so "checkpoints with a task loss" would mislead.
  if (points.length < 5)
    throw new InputError(
      { file: ladder.source },
      `${points.length} checkpoint${points.length === 1 ? '' : 's'} with an accuracy (no task loss in the data, so the direct law in C): expected at least 5 to fit a sigmoid`,
    );
  return fitStep2(points, ladder.source, { ...options, idealPoint: false }, start);
}

export function directAccuracy(s: Sigmoid, C: number): number {
  return sigmoidAccuracy(s, -Math.log(C));
}

/** The compute at which the direct law reaches `accuracy`; undefined outside (floor, ceiling) or beyond `horizon`. */
export function directPlan(
  task: string,
  s: Sigmoid,
  accuracy: number,
  bend?: Bend,
  horizon = PLAN_HORIZON,
): AccuracyPlan | undefined {
  if (bend && bend.shift !== 0) {
    const C = solveLogC((logC) => accuracy - directAccuracy(s, Math.exp(logC)) - bendAt(bend, Math.exp(logC)), horizon);
    return C === undefined ? undefined : { task, accuracy, C };
  }
  const x = lossForAccuracy(s, accuracy);
  return x === undefined || Math.exp(-x) > horizon ? undefined : { task, accuracy, C: Math.exp(-x) };
}

/**
 * Bootstrap of the direct law: resample whole runs, refit (warm-started), predict each target's
 * accuracy from its C, plus one evaluation's noise. Calls `onReplicate` with each replicate's sigmoid.
 */
export function bootstrapDirect(
  ladder: TaskLadder,
  s: Sigmoid,
  targets: readonly { C: number; computeCount?: ComputeCount }[],
  options: DirectBootstrapOptions,
): DirectInterval[] {
  return finish(bootstrapDirectSteps(ladder, s, targets, options));
}

/** The direct law's interval at a target: its ends, with those held at 0 or 1 named (`clipped`). */
interface DirectInterval {
  accuracy: [number, number];
  failed: number;
  replicates: number;
  level: number;
  clipped?: ('lower' | 'upper')[];
}

/** How bootstrapDirect draws, and what it tells of each replicate. */
export type DirectBootstrapOptions = DownstreamOptions & {
  replicates: number;
  seed: number;
  level?: number;
  onReplicate?: (s: Sigmoid, bend: Bend) => void;
};

/** bootstrapDirect a replicate at a time (it yields between them), for a caller that stays responsive. */
export function* bootstrapDirectSteps(
  ladder: TaskLadder,
  s: Sigmoid,
  targets: readonly { C: number; computeCount?: ComputeCount }[],
  options: DirectBootstrapOptions,
): Steps<DirectInterval[]> {
  const level = options.level ?? 0.95,
    noise = accuracyNoise(ladder);
  const acc = targets.map(() => [] as number[]);
  // Replicates held at 0 or 1, per target: an interval end there is marked a clip, as the two-step route's.
  const held = targets.map(() => ({ lower: 0, upper: 0 }));
  // The direct law's plan is a C in the ladder's own count (the law is fitted on it); a target's C is
  // measured against the ladder's compute in its own count.
  const finals = finalPoints(ladder);
  const maxC = ladderMaxC(finals, false);
  const extrapolationShift = targetExtrapolationSd(finals, targets, options.extrapolation ?? defaults.extrapolation);
  let failed = 0;
  for (let r = 0; r < options.replicates; r++) {
    if (r > 0) yield;
    const random = randomSource(options.seed, r);
    const drawn = drawRuns(ladder, random);
    try {
      const rs = fitDirect(drawn, options, s);
      options.onReplicate?.(rs, planBend(options.seed, r, options.extrapolation ?? defaults.extrapolation, maxC));
      targets.forEach((t, i) => {
        const e = noise * normal(random),
          shift = extrapolationShift[i] > 0 ? extrapolationShift[i] * normal(random) : 0;
        acc[i].push(clampCounted(directAccuracy(rs, t.C) + shift + e, held[i]));
      });
    } catch {
      failed++;
    }
  }
  return targets.map((_, i) => {
    const a = finiteInterval(acc[i], level);
    if (!a)
      throw new InputError(
        { file: ladder.source },
        `the bootstrap of "${ladder.task}" gave no interval: ${failed} of ${options.replicates} replicates failed`,
      );
    const clipped = clippedEnds(a, held[i]);
    return { accuracy: a, failed, replicates: options.replicates, level, ...(clipped.length ? { clipped } : {}) };
  });
}
