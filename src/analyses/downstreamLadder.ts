/**
 * A whole ladder's downstream analysis, task by task: the screen first, then the two-step fit, the
 * prediction of each target (with its bootstrap interval and, when the target's own evaluations are
 * in the data, its actual accuracy and the error). What the CLI, the report and the anchor benchmark
 * share. Pure.
 */
import { unknownName } from '../core/names.js';
import { InputError, libraryOption } from '../errors/index.js';
import { intervalOpenAbove } from '../core/statistics.js';
import { formatNumber, formatRange, plain } from '../core/format.js';
import { finish, type Steps } from '../core/steps.js';
import type { TaskDefinition, TaskMetricData } from '../io/parseTaskMetrics.js';
import {
  bootstrapDownstreamSteps,
  finalPoints,
  wideAverageWindows,
  fitDownstream,
  predictDownstream,
  metricNames,
  tasksOf,
  taskLadder,
  ACCURACY_METRICS,
  LOSS_METRICS,
  planForAccuracy,
  PLAN_HORIZON,
  sigmoidPoints,
  fitLossToError,
  fitValidationLossLaw,
  chainAccuracy,
  bootstrapValidationLossChainSteps,
  lossErrorPoints,
  DOWNSTREAM_STEP2,
  DOWNSTREAM_EXTRAPOLATION,
  predictTaskLoss,
  fitDirect,
  directAccuracy,
  directPlan,
  bootstrapDirectSteps,
  lossForAccuracy,
  fitValLossRoute,
  predictViaValLoss,
  bootstrapValLossRouteSteps,
  type DownstreamRoute,
  type ValLossRouteFit,
  type LossToError,
  type TaskLossFit,
  type SigmoidFit,
  type AccuracyPlan,
  type DownstreamFit,
  type Sigmoid,
  type Bend,
  type DownstreamOptions,
  type PredictionInterval,
  type Target,
  type TaskLadder,
  type ValidationLawCache,
  type ComputeCount,
  computeRatio,
  COMPUTE_COUNT_TOLERANCE,
} from './downstream.js';
import { errorAgainstActual, screenTask, type ActualError, type TaskScreen } from './downstreamScreen.js';
import { taskChance, type ChanceSource } from './answerChoices.js';
import { extrapolationWarnings } from './extrapolation.js';
import { warning, type TrustWarning } from '../fit/warnings.js';

export interface TargetResult {
  label: string;
  N: number;
  D: number;
  C: number;
  /**
   * Which count C is in: the data's (D × the manifest's FLOPs per token, or a C column), as given, or
   * 6·N·D (a target of N and D alone). Its distance beyond the ladder is measured in the same count.
   */
  computeCount: ComputeCount;
  /** Step 1's task loss (not with the direct law in C). */
  taskLoss?: number;
  /** The route through the validation loss: the validation loss its law predicts at (N, D). */
  valLoss?: number;
  accuracy: number;
  /**
   * Through C (step 1 as a law in C); absent when that law gives no finite task loss here (degenerate: the
   * task loss did not fall with compute on the ladder), with a severe `degenerate` warning saying so.
   */
  viaC?: number;
  /**
   * Gadre et al.'s chain: the validation loss the ladder's law predicts at (N, D), and the accuracy the
   * loss → error exponential gives there, with its interval when replicates were asked for. When both were fitted.
   */
  viaValLoss?: {
    valLoss: number;
    accuracy: number;
    /** The exponential's accuracy before it was held in [0, 1], when it was outside. */
    unclamped?: number;
    /** The chain's bootstrap interval (whole runs resampled through both steps, noise and the extrapolation term). */
    interval?: {
      level: number;
      accuracy: [number, number];
      valLoss: [number, number];
      failed: number;
      replicates: number;
    };
    /** Whether the interval holds the actual accuracy. */
    covered?: boolean;
  };
  interval?: PredictionInterval;
  /** The target's own final evaluations (the mean of its last `movingAverage`), when in the data. */
  actual?: { accuracy: number; taskLoss?: number };
  /**
   * Which error the comparison with the actual accuracy is judged on: relative, or absolute (accuracy points)
   * where the actual is below 0.10, as the screen's back-test (errorAgainstActual, docs/methods.md §33).
   */
  judgedOn?: ActualError['judgedOn'];
  /** predicted − actual, in accuracy points. */
  absoluteError?: number;
  absoluteErrorViaC?: number;
  absoluteErrorViaValLoss?: number;
  /** (predicted − actual)/actual; absent where the actual accuracy is 0 (the screen's back-test does the same). */
  relativeError?: number;
  relativeErrorViaC?: number;
  relativeErrorViaValLoss?: number;
  /** Whether the interval holds the actual accuracy. */
  covered?: boolean;
  /**
   * How far the target's C reaches beyond the ladder's (its runs' final compute), graded as the loss
   * `predict` grades it: info within 10×, warning to 100×, severe beyond. Empty within the ladder.
   */
  warnings?: TrustWarning[];
}

export interface TaskAnalysis {
  task: string;
  /** The accuracy metric read for the task (acc_norm chosen over acc, …); a mean over tasks names its parts'. */
  accuracyMetric?: string;
  /**
   * Warnings about how the ladder was read: a moving average whose window spans more than a quarter of a
   * run's tokens (code 'moving-average'), so a run's "final" accuracy is the mean of much of its run.
   */
  warnings?: TrustWarning[];
  /**
   * How accuracy was predicted: two steps through the task loss, two steps through the validation loss,
   * or the direct law in C. Absent where the task could not be read at all.
   */
  route?: DownstreamRoute;
  /**
   * A mean over tasks (a manifest's "parts", or averageTask): what it averages, each part's weight and metric,
   * and for an lm-evaluation-harness group's aggregate (MMLU's) how many tasks it stands for.
   */
  parts?: { task: string; weight: number; accuracyMetric: string; groupOf?: number }[];
  screen?: TaskScreen;
  screenProblem?: string;
  fit?: DownstreamFit;
  fitProblem?: string;
  /**
   * What the fit cannot know, said beside its numbers: e.g. every ladder run ending at one token count,
   * so step 1's law has nothing on D and a prediction at another D, or a compute-optimal plan, rests on it.
   */
  caveats?: string[];
  /** Why a plan for accuracy was not made although the task was fitted. */
  planProblem?: string;
  /** Why the target runs give this task nothing to predict (none of them has its metrics). */
  targetProblem?: string;
  /** The direct law in C (accuracy from −ln C), used when the task has no task loss. */
  direct?: SigmoidFit;
  /** The two steps through the validation loss (route 'val-loss'). */
  viaValLossFit?: ValLossRouteFit;
  targets: TargetResult[];
  plan?: TaskPlan;
  /** Gadre et al.'s Err = ε − k·e^(−γL) on the validation loss, when the checkpoints have one. */
  lossToError?: LossToError;
  /** Why there is no loss → error exponential: no validation loss recorded, too few points, or no fit. */
  lossToErrorProblem?: string;
  /** The validation loss from (N, D) (the same for every task of a ladder), for Gadre et al.'s chain. */
  valLossLaw?: TaskLossFit;
  /** Why Gadre et al.'s chain was asked for (`validationLossChain`) but not made for this task. */
  valLossProblem?: string;
  /** Why the chain, made, has no interval for some targets although replicates were asked for. */
  valLossIntervalProblem?: string;
  /**
   * The ladder's C over 6·N·D at its runs' final points (1 when the data count C as 6·N·D; the OLMo
   * manifest's FLOPs per token give 1.32–1.67): which count the laws in C were fitted on.
   */
  computeRatio?: { min: number; median: number; max: number };
  /** The extrapolation term's slope s the intervals use (DOWNSTREAM_EXTRAPOLATION unless given). */
  extrapolation?: number;
  /** Step 2's points (task loss, accuracy) with each run's N, for the sigmoid figure. */
  points?: { run: string; N: number; loss: number; accuracy: number }[];
}

/** An interval whose upper end is null (beyond the horizon) when more replicates than its upper tail do not get there by then. */
export type OpenInterval = [number, number | null];

/** What reaching a target accuracy takes (C = 6ND on the step-1 law's compute-optimal frontier), with its bootstrap interval. */
export interface TaskPlan {
  accuracy: number;
  /** The point estimate; undefined when the fitted sigmoid does not reach the accuracy by the horizon. */
  point?: AccuracyPlan;
  /**
   * Over every replicate, those that do not reach the accuracy by the horizon counted as needing more
   * than any; none when more than the lower tail do not (nothing then bounds it from below either).
   */
  interval?: { level: number; C: OpenInterval; N?: OpenInterval; D?: OpenInterval };
  /** Without a point estimate: why, the reason that applies (below the floor, above the ceiling, below E, beyond the horizon). */
  unreached?: string;
  /** The accuracy is at or below the fitted sigmoid's floor: every model is predicted to score more. */
  belowFloor?: boolean;
  /** Share of bootstrap replicates whose fit does not reach the accuracy by the horizon. */
  unreachable?: number;
  /** Bootstrap replicates the interval and that share are over (whole runs resampled). */
  replicates?: number;
  /** The largest compute searched (FLOPs). */
  horizon: number;
  /** How far the plan's C reaches beyond the ladder's, graded as for a target (TargetResult.warnings). */
  warnings?: TrustWarning[];
  /**
   * Which count the plan's C is in: 6·N·D on step 1's compute-optimal frontier (the two steps), or the
   * ladder's own (the direct law in C, fitted on it).
   */
  computeCount?: ComputeCount;
}

export interface LadderAnalysisOptions extends DownstreamOptions {
  /** Tasks to analyse (names of the manifest's tasks or of the data's). @default every task with an accuracy */
  tasks?: string[];
  /** Targets to predict beyond those in the data (role `target`). */
  targets?: Target[];
  /** Bootstrap replicates, whole runs resampled (0: none, and no intervals). @default 0 (the CLI's predict: 100) */
  replicates?: number;
  /** Seed of the bootstrap's resampling. @default 0 */
  seed?: number;
  /** Level of the intervals, a fraction. @default 0.95 */
  level?: number;
  /** Target accuracies to plan for, by task. */
  plan?: Record<string, number>;
  /**
   * Also predict each target by Gadre et al.'s chain: a Chinchilla-form law for the validation loss at
   * (N, D), then the loss → error exponential (TargetResult.viaValLoss; with an interval when `replicates`). @default false
   */
  validationLossChain?: boolean;
  /**
   * The route to accuracy for every task: 'task-loss' (Bhagia et al.'s two steps), 'val-loss' (the same two
   * steps through the validation loss), 'compute' (the direct law in C). @default 'task-loss' where the
   * task has a task loss, else 'compute' (bench/downstream-val-loss.ts: the route through the validation
   * loss did not beat the direct law on the OLMo ladder's back-tests)
   */
  route?: DownstreamRoute;
  /** Metrics for every task, over the manifest's and the defaults. */
  accuracyMetric?: string;
  lossMetric?: string;
}

/** The tasks to analyse: the manifest's definitions, or each task of the data that has an accuracy metric. */
export function taskDefinitions(data: TaskMetricData, only?: string[], accuracyMetric?: string): TaskDefinition[] {
  const accuracies: readonly string[] = accuracyMetric ? [accuracyMetric] : ACCURACY_METRICS;
  let defs: TaskDefinition[] = data.tasks.length
    ? data.tasks
    : [...tasksOf(data.records)].filter(([, m]) => accuracies.some((a) => m.has(a))).map(([task]) => ({ task }));
  if (!defs.length && !only?.length) {
    const all = [...tasksOf(data.records)];
    if (!all.length) throw new InputError({ file: data.source }, 'the data hold no task metrics');
    const have = all
      .slice(0, 12)
      .map(([task, m]) => `${task} (${metricNames([...m])})`)
      .join(', ');
    throw new InputError(
      { file: data.source },
      `no task has ${accuracyMetric ? `the accuracy metric "${accuracyMetric}"` : `an accuracy metric (${ACCURACY_METRICS.slice(0, -1).join(', ')} or ${ACCURACY_METRICS[ACCURACY_METRICS.length - 1]})`}; the data have: ${have}${all.length > 12 ? ', …' : ''}`,
    );
  }
  if (only?.length) {
    const known = new Map(defs.map((d) => [d.task, d]));
    const all = tasksOf(data.records);
    defs = only.map((t) => {
      const d = known.get(t) ?? (all.has(t) ? { task: t } : undefined);
      if (!d)
        throw new InputError(
          { file: data.source },
          `no task "${t}"; ${unknownName(t, [...new Set([...known.keys(), ...all.keys()])])}`,
        );
      return d;
    });
  }
  return defs;
}

/**
 * The equal-weight mean of several tasks as one task `name` (Gadre et al. 2024 predict the average top-1 error
 * over their evaluations: a mean is less noisy than any one task). `tasks` names the data's or the manifest's
 * tasks, or 'all' for every task taskDefinitions finds. A task that is itself a weighted mean (a manifest's
 * "parts", MMLU's four) counts once, its parts sharing its weight. Each part keeps its own accuracy metric (the
 * manifest's, or the first preferred one it has); the random-guess accuracy is the mean of the parts' when
 * every part has one.
 * @throws InputError for fewer than two tasks, an unknown task, or a name already taken
 */
export function averageTask(data: TaskMetricData, name: string, tasks: readonly string[] | 'all'): TaskDefinition {
  const raw = tasksOf(data.records);
  if (raw.has(name) || data.tasks.some((d) => d.task === name))
    throw new InputError(
      { file: data.source },
      `the averaged task's name "${name}" is a task of the data already: name the mean otherwise`,
    );
  const groups = lmEvalGroupTasks(data);
  let defs = tasks === 'all' ? taskDefinitions(data) : taskDefinitions(data, [...new Set(tasks)]);
  // An lm-eval group's aggregate (MMLU's) is its tasks' mean already: every task is the group once, not
  // the group beside its 57 subjects and 4 categories (62 of 67 equal weights were MMLU's).
  const present = new Set(defs.map((d) => d.task));
  if (tasks === 'all') {
    const covered = new Set<string>();
    for (const [group, within] of groups) if (present.has(group)) for (const t of within) covered.add(t);
    defs = defs.filter((d) => !covered.has(d.task));
  }
  const partGroups: Record<string, number> = {};
  for (const d of defs) {
    const within = groups.get(d.task);
    if (!within) continue;
    const inside = defs.find((e) => within.has(e.task));
    if (inside)
      throw new InputError(
        { file: data.source },
        `task "${inside.task}" is in the average twice, as itself and within "${d.task}", an lm-evaluation-harness group whose value is the mean of its tasks: name each once`,
      );
    partGroups[d.task] = [...within].filter((t) => !groups.has(t)).length;
  }
  if (defs.length < 2)
    throw new InputError(
      { file: data.source },
      `an average needs at least two tasks; ${tasks === 'all' ? 'the data have' : 'named'}: ${defs.map((d) => d.task).join(', ') || 'none'}`,
    );
  const parts: Record<string, number> = {},
    partAccuracy: Record<string, string> = {};
  const from = new Map<string, string>();
  for (const d of defs) {
    const own = d.parts ?? { [d.task]: 1 };
    const total = Object.values(own).reduce((a, b) => a + b, 0);
    for (const [t, w] of Object.entries(own)) {
      // A task named whole and as a part of another (mmlu and mmlu_stem) would weigh twice in the mean.
      const earlier = from.get(t);
      if (earlier !== undefined) {
        const as = (def: string) => (def === t ? 'itself' : `a part of "${def}"`);
        throw new InputError(
          { file: data.source },
          `task "${t}" is in the average twice, as ${as(earlier)} and as ${as(d.task)}: name each once`,
        );
      }
      from.set(t, d.task);
      parts[t] = w / total;
      if (d.accuracyMetric !== undefined) partAccuracy[t] = d.accuracyMetric;
    }
  }
  // Each task's level as its analysis reads it (its definition's, else its benchmark's answer choices).
  const chances = defs.map((d) => taskChance(d)?.level);
  return {
    task: name,
    parts,
    ...(Object.keys(partAccuracy).length ? { partAccuracy } : {}),
    ...(Object.keys(partGroups).length ? { partGroups } : {}),
    ...(chances.every((c) => c !== undefined)
      ? { chance: chances.reduce((a, c) => a + c!, 0) / chances.length, chanceFrom: 'parts' as const }
      : {}),
  };
}

/**
 * Each lm-evaluation-harness group with an aggregate in the data (TaskMetricSet.groups, or a run store's)
 * and every task within it, its categories' tasks too.
 */
function lmEvalGroupTasks(data: TaskMetricData): Map<string, Set<string>> {
  const direct = new Map<string, Set<string>>();
  for (const groups of [...data.sets.map((s) => s.groups), data.groups])
    for (const [group, members] of Object.entries(groups ?? {})) {
      const known = direct.get(group) ?? direct.set(group, new Set()).get(group)!;
      for (const m of members) known.add(m);
    }
  const within = (group: string, seen: Set<string>): Set<string> => {
    const out = new Set<string>();
    for (const m of direct.get(group) ?? [])
      if (!seen.has(m)) {
        seen.add(m);
        out.add(m);
        for (const t of within(m, seen)) out.add(t);
      }
    return out;
  };
  return new Map([...direct.keys()].map((g) => [g, within(g, new Set([g]))]));
}

export function ladderFor(
  data: TaskMetricData,
  def: TaskDefinition,
  role: 'ladder' | 'rerun' | 'target',
): TaskLadder | undefined {
  const wanted = (run: string) => (data.roles.get(run) ?? 'ladder') === role;
  const runs = data.records.some((r) => wanted(r.run));
  if (!runs) return undefined;
  return taskLadder(data.records, data.source, {
    task: def.task,
    parts: def.parts,
    ...(def.partAccuracy ? { partAccuracy: def.partAccuracy } : {}),
    accuracyMetric: def.accuracyMetric,
    lossMetric: def.lossMetric,
    runs: wanted,
  });
}

type LabelledTarget = Target & {
  label: string;
  computeCount: ComputeCount;
  actual?: { accuracy: number; taskLoss?: number };
};

/** The actual score's comparison with a prediction (and its interval). */
function compare(r: TargetResult, t: LabelledTarget): TargetResult {
  if (!t.actual) return r;
  r.actual = t.actual;
  // An actual accuracy of 0 (gsm8k's exact match at ladder sizes) has no relative error (it made Infinity, and
  // the command refused its whole result as non-finite); one below 0.10 is judged in accuracy points.
  const e = errorAgainstActual(r.accuracy, t.actual.accuracy);
  r.judgedOn = e.judgedOn;
  r.absoluteError = e.absoluteError;
  if (e.relativeError !== undefined) r.relativeError = e.relativeError;
  if (r.viaC !== undefined) {
    const c = errorAgainstActual(r.viaC, t.actual.accuracy);
    r.absoluteErrorViaC = c.absoluteError;
    if (c.relativeError !== undefined) r.relativeErrorViaC = c.relativeError;
  }
  if (r.interval)
    r.covered = r.interval.accuracy[0] <= t.actual.accuracy && t.actual.accuracy <= r.interval.accuracy[1];
  return r;
}

/** Targets and plan by the direct law in C (a task without a task loss). */
function* directAnalysis(
  out: TaskAnalysis,
  ladder: TaskLadder,
  o: DownstreamOptions,
  options: LadderAnalysisOptions,
  targets: LabelledTarget[],
  goal: number | undefined,
): Steps<void> {
  const s = fitDirect(ladder, o);
  out.direct = s;
  const horizon = options.horizon ?? PLAN_HORIZON;
  const plans: (AccuracyPlan | undefined)[] = [];
  const withC = targets.map((t) => ({ ...t, C: t.C ?? 6 * t.N * t.D }));
  const intervals =
    options.replicates && (targets.length || goal !== undefined)
      ? yield* bootstrapDirectSteps(ladder, s, withC, {
          ...o,
          replicates: options.replicates,
          seed: options.seed ?? 0,
          level: options.level,
          onReplicate:
            goal === undefined ? undefined : (rs, bend) => plans.push(directPlan(out.task, rs, goal, bend, horizon)),
        })
      : undefined;
  out.targets = withC.map((t, i) => {
    const accuracy = directAccuracy(s, t.C);
    const r: TargetResult = {
      label: t.label,
      N: t.N,
      D: t.D,
      C: t.C,
      computeCount: t.computeCount,
      accuracy,
      viaC: accuracy,
    };
    if (intervals)
      r.interval = {
        level: intervals[i].level,
        accuracy: intervals[i].accuracy,
        viaC: intervals[i].accuracy,
        failed: intervals[i].failed,
        replicates: intervals[i].replicates,
        ...(intervals[i].clipped ? { clipped: intervals[i].clipped, viaCClipped: intervals[i].clipped } : {}),
      };
    return compare(r, t);
  });
  if (goal !== undefined)
    out.plan = {
      ...planSummary(goal, directPlan(out.task, s, goal, undefined, horizon), plans, options.level ?? 0.95, horizon),
      computeCount: 'data',
    };
  if (out.plan && !out.plan.point) explainUnreached(out.plan, s, undefined, o.chance);
}

/**
 * Targets and plan by the two steps through the validation loss: its law at (N, D) — one per ladder, shared
 * by the tasks through `lawCache` — then the sigmoid from validation loss to accuracy.
 */
function* valLossAnalysis(
  out: TaskAnalysis,
  ladder: TaskLadder,
  o: DownstreamOptions,
  options: LadderAnalysisOptions,
  targets: LabelledTarget[],
  goal: number | undefined,
  lawCache?: ValidationLawCache,
): Steps<void> {
  const finals = finalPoints(ladder, o.movingAverage ?? 5);
  const key = `point|${finals.map((p) => `${p.N},${p.D},${p.valLoss}`).join(';')}`;
  let law = lawCache?.get(key);
  if (!law) {
    law = fitValidationLossLaw(finals, ladder.source);
    lawCache?.set(key, law);
  }
  const f = fitValLossRoute(ladder, o, law);
  out.viaValLossFit = f;
  const horizon = options.horizon ?? PLAN_HORIZON;
  const plans: (AccuracyPlan | undefined)[] = [];
  const withC = targets.map((t) => ({ ...t, C: t.C ?? 6 * t.N * t.D }));
  const intervals =
    options.replicates && (targets.length || goal !== undefined)
      ? yield* bootstrapValLossRouteSteps(ladder, f, targets, {
          replicates: options.replicates,
          seed: options.seed ?? 0,
          level: options.level,
          ...(lawCache ? { lawCache } : {}),
          onReplicate:
            goal === undefined
              ? undefined
              : (r) => plans.push(planForAccuracy(f, goal, r.step2, r.step1, r.bend, horizon)),
        })
      : undefined;
  const without = intervals ? withC.filter((_, i) => !intervals[i]).map((t) => t.label) : [];
  if (without.length)
    out.caveats = [
      ...(out.caveats ?? []),
      `no interval for ${without.join(', ')}: too few of the ${options.replicates} replicates could be refitted (too few distinct model sizes or token counts drawn, or no convergence)`,
    ];
  out.targets = withC.map((t, i) => {
    const p = predictViaValLoss(f, t);
    const r: TargetResult = {
      label: t.label,
      N: t.N,
      D: t.D,
      C: t.C,
      computeCount: t.computeCount,
      valLoss: p.valLoss,
      accuracy: p.accuracy,
      viaC: p.accuracy,
    };
    const iv = intervals?.[i];
    if (iv)
      r.interval = {
        level: iv.level,
        accuracy: iv.accuracy,
        viaC: iv.accuracy,
        failed: iv.failed,
        replicates: iv.replicates,
      };
    return compare(r, t);
  });
  if (goal !== undefined) twoStepPlan(out, f, goal, plans, options.level ?? 0.95, horizon, o.chance);
}

/**
 * The plan for an accuracy by two steps (through a task loss or the validation loss): the point fit's, its
 * interval from the replicates' plans, why it has none, and a caveat when its split lies past the ladder.
 */
function twoStepPlan(
  out: TaskAnalysis,
  f: Pick<DownstreamFit, 'task' | 'finals' | 'step1' | 'step2'>,
  goal: number,
  plans: (AccuracyPlan | undefined)[],
  level: number,
  horizon: number,
  chance: number | undefined,
): void {
  out.plan = {
    ...planSummary(goal, planForAccuracy(f, goal, undefined, undefined, undefined, horizon), plans, level, horizon),
    computeCount: '6ND',
  };
  if (!out.plan.point) explainUnreached(out.plan, f.step2, f.step1.params.E, chance);
  const split = out.plan.point && splitBeyondLadder(out.plan.point, f);
  if (split) out.caveats = [...(out.caveats ?? []), split];
}

/**
 * Why a plan has no point estimate; below the floor also marks it (every model reaches the accuracy, so a
 * share of replicates "not reaching" it would read backwards).
 */
function explainUnreached(plan: TaskPlan, s: Sigmoid, E: number | undefined, chance?: number): void {
  plan.unreached = unreachedReason(plan.accuracy, s, E, plan.horizon, chance);
  if (plan.accuracy <= s.floor) {
    // Every model reaches it: the replicates' share "not reaching" it and their interval would read backwards.
    plan.belowFloor = true;
    delete plan.unreachable;
    delete plan.interval;
  }
}

/**
 * Why the fit gives no compute for `goal`: the one reason that applies, in the order they are checked —
 * at or below the sigmoid's floor (every model scores more), at or above its ceiling, a task loss at or
 * below step 1's irreducible E (none with the direct law in C), or more than the horizon.
 */
function unreachedReason(goal: number, s: Sigmoid, E: number | undefined, horizon: number, chance?: number): string {
  const a = (x: number) => x.toFixed(3);
  if (goal <= s.floor)
    return `${goal} is at or below the fitted sigmoid's floor ${a(s.floor)}${chance !== undefined ? ` (random guessing: ${a(chance)})` : ''}: every model is predicted to score more, so there is no compute to plan for`;
  if (goal >= s.ceiling)
    // The direct law in C (no E) maps compute, not a task loss, to accuracy.
    return `${goal} is at or above the fitted sigmoid's ceiling ${a(s.ceiling)}: no ${E !== undefined ? 'task loss' : 'compute'} gives it`;
  const loss = lossForAccuracy(s, goal);
  if (loss === undefined)
    return `${goal} is not given by the fitted sigmoid (floor ${a(s.floor)}, ceiling ${a(s.ceiling)})`;
  if (E !== undefined && !(loss > E))
    return `${goal} needs a task loss of ${loss.toFixed(4)}, at or below the step-1 law's irreducible E = ${E.toFixed(4)}: no model reaches it`;
  return `${goal} needs more than the horizon C = ${plain(horizon)} FLOPs`;
}

/**
 * A plan's tokens per parameter outside the range the ladder's runs end at: how its C is split between
 * N and D is then the step-1 law's exponents carried past the data (the OLMo ladder's HellaSwag fit asks
 * for about 5 tokens per parameter where every run trained on 20–200), so it is said beside the plan. A factor of 1.5 beyond either end is let pass: the split is not that sharp.
 */
function splitBeyondLadder(point: AccuracyPlan, fit: Pick<DownstreamFit, 'finals' | 'step1'>): string | undefined {
  if (point.N === undefined || point.D === undefined) return undefined;
  const ratios = fit.finals.map((p) => p.D / p.N);
  const lo = Math.min(...ratios),
    hi = Math.max(...ratios),
    r = point.D / point.N;
  if (r >= lo / 1.5 && r <= hi * 1.5) return undefined;
  const { alpha, beta } = fit.step1.params;
  const t = (x: number) => (x >= 10 ? String(Math.round(x)) : formatNumber(x, 2));
  return (
    `the plan's ${t(r)} tokens per parameter is outside the ${formatRange([lo, hi], t)} the ladder's runs end at: its split of C ` +
    `between N and D rests on step 1's exponents (α = ${alpha.toFixed(3)}, β = ${beta.toFixed(3)}) beyond the data`
  );
}

function planSummary(
  goal: number,
  point: AccuracyPlan | undefined,
  plans: (AccuracyPlan | undefined)[],
  level: number,
  horizon: number,
): TaskPlan {
  const plan: TaskPlan = { accuracy: goal, ...(point ? { point } : {}), horizon };
  const reached = plans.filter((p): p is AccuracyPlan => p !== undefined);
  if (plans.length) {
    plan.unreachable = 1 - reached.length / plans.length;
    plan.replicates = plans.length;
  }
  // A replicate that does not reach the accuracy by the horizon needs more than any that does: it counts
  // as +∞, so when more replicates than the upper tail do not, the interval is open above (null: beyond
  // the horizon), and when more than the lower tail do not there is no interval.
  const iv = (key: 'C' | 'N' | 'D'): OpenInterval | undefined => {
    const both = intervalOpenAbove(
      plans.map((p) => (p ? (p[key] ?? NaN) : Infinity)),
      level,
    );
    return both && [both[0], Number.isFinite(both[1]) ? both[1] : null];
  };
  const C = iv('C'),
    N = iv('N'),
    D = iv('D');
  if (C) plan.interval = { level, C, ...(N ? { N } : {}), ...(D ? { D } : {}) };
  return plan;
}

/** Screen, fit and predict every task; a task that cannot be fitted says why and the rest go on. */
export function analyseLadder(
  data: TaskMetricData,
  options: LadderAnalysisOptions = {},
  onTask?: (task: string) => void,
): TaskAnalysis[] {
  return finish(analyseLadderSteps(data, options, onTask));
}

/**
 * analyseLadder in steps: it yields between tasks and between the bootstrap replicates of each (a task's
 * take seconds at 100 replicates), so a caller that must stay responsive (a command that stops on Ctrl-C)
 * gives its event loop a turn there.
 */
export function* analyseLadderSteps(
  data: TaskMetricData,
  options: LadderAnalysisOptions = {},
  onTask?: (task: string) => void,
): Steps<TaskAnalysis[]> {
  const out: TaskAnalysis[] = [];
  const lawCache: ValidationLawCache = new Map();
  for (const given of taskDefinitions(data, options.tasks, options.accuracyMetric)) {
    out.push(yield* analyseTask(data, given, options, onTask, lawCache));
    yield;
  }
  return out;
}

/**
 * Gadre et al.'s chain on every target: the validation-loss law's prediction at (N, D), then the loss → error
 * exponential — beside the two-step method's and the direct law's, never instead — with its own bootstrap
 * interval when replicates are asked for. Compared with the actual accuracy after the fact (compare() ran
 * before), as its own column.
 */
function* withValidationLossChain(
  out: TaskAnalysis,
  ladder: TaskLadder,
  o: DownstreamOptions,
  options: LadderAnalysisOptions,
  lawCache?: ValidationLawCache,
): Steps<TaskAnalysis> {
  const { valLossLaw, lossToError } = out;
  if (!valLossLaw || !lossToError || !out.targets.length) return out;
  const intervals = options.replicates
    ? yield* bootstrapValidationLossChainSteps(ladder, { law: valLossLaw, exp: lossToError }, out.targets, {
        ...o,
        replicates: options.replicates,
        seed: options.seed ?? 0,
        level: options.level,
        ...(lawCache ? { lawCache } : {}),
      })
    : undefined;
  const without = intervals ? out.targets.filter((_, i) => !intervals[i]).map((r) => r.label) : [];
  if (without.length)
    out.valLossIntervalProblem = `no interval for ${without.join(', ')}: too few of the ${options.replicates} replicates could be refitted (too few distinct model sizes or token counts drawn, or no convergence)`;
  out.targets.forEach((r, i) => {
    const valLoss = predictTaskLoss(valLossLaw, r);
    // The exponential can pass error 0 (or 1) beyond the ladder's losses; an accuracy is held in [0, 1],
    // and the value before is kept to show that it was.
    const raw = chainAccuracy(valLossLaw, lossToError, r);
    const accuracy = Math.min(1, Math.max(0, raw));
    const interval = intervals?.[i];
    r.viaValLoss = {
      valLoss,
      accuracy,
      ...(accuracy !== raw ? { unclamped: raw } : {}),
      ...(interval ? { interval } : {}),
    };
    if (r.actual) {
      const e = errorAgainstActual(accuracy, r.actual.accuracy);
      r.absoluteErrorViaValLoss = e.absoluteError;
      if (e.relativeError !== undefined) r.relativeErrorViaValLoss = e.relativeError;
      if (interval)
        r.viaValLoss.covered = interval.accuracy[0] <= r.actual.accuracy && r.actual.accuracy <= interval.accuracy[1];
    }
  });
  return out;
}

function* analyseTask(
  data: TaskMetricData,
  given: TaskDefinition,
  options: LadderAnalysisOptions,
  onTask?: (task: string) => void,
  lawCache?: ValidationLawCache,
): Steps<TaskAnalysis> {
  const def: TaskDefinition = {
    ...given,
    ...(options.accuracyMetric ? { accuracyMetric: options.accuracyMetric } : {}),
    ...(options.lossMetric ? { lossMetric: options.lossMetric } : {}),
  };
  onTask?.(def.task);
  // The chance level: given for every task, else the task's definition's, else its benchmark's answer choices.
  const known = options.chance === undefined ? taskChance(def) : undefined;
  const chance = options.chance ?? known?.level;
  const chanceFrom: ChanceSource | undefined = options.chance !== undefined ? { from: 'option' } : known?.source;
  const o: DownstreamOptions = { ...options, ...(chance !== undefined ? { chance } : {}) };
  const ladder = ladderFor(data, def, 'ladder');
  if (!ladder) throw new InputError({ file: data.source }, 'no ladder runs (every run is a target or a rerun)');
  const out: TaskAnalysis = {
    task: def.task,
    ...(ladder.parts
      ? {
          parts: ladder.parts.map((p) =>
            def.partGroups?.[p.task] !== undefined ? { ...p, groupOf: def.partGroups[p.task] } : p,
          ),
        }
      : { accuracyMetric: ladder.accuracyMetric }),
    targets: [],
  };
  // The default window (5) over a ladder evaluated a few times a run averages most of each run: said, not
  // changed (the default is the benches' choice, docs/methods.md).
  const k = o.movingAverage ?? 5;
  const wide = wideAverageWindows(ladder, k);
  if (wide.length) {
    const names = wide.map((w) => w.run);
    const shown = names.slice(0, 6).join(', ') + (names.length > 6 ? `, … (${names.length} in all)` : '');
    const widest = wide.reduce((a, b) => (b.span > a.span ? b : a));
    out.warnings = [
      warning(
        'moving-average',
        'warning',
        `the moving average over each run's last ${k} checkpoints spans more than a quarter of its tokens in ${wide.length} of ${ladder.runs.length} runs (${shown}; up to ${Math.round(widest.span * 100)} %, ${widest.checkpoints} checkpoints): a run's "final" accuracy is then the mean of much of its run, not its end; with few checkpoints a run, ${libraryOption('movingAverage')} 1 reads each run's last evaluation`,
      ),
    ];
  }
  const chained = function* (x: TaskAnalysis, on: TaskLadder): Steps<TaskAnalysis> {
    gradeDistance(x, on);
    return options.validationLossChain ? yield* withValidationLossChain(x, on, o, options, lawCache) : x;
  };
  // The loss → error exponential needs no task loss: fitted wherever validation losses were recorded.
  const valPoints = lossErrorPoints(ladder, o.skipFraction ?? DOWNSTREAM_STEP2.skipFraction);
  const recorded = ladder.runs.some((r) => r.checkpoints.some((c) => c.valLoss !== undefined));
  if (!recorded)
    out.lossToErrorProblem =
      "the ladder's checkpoints record no validation loss (a val_loss, validation_loss or loss column of a CSV file; lm-evaluation-harness results files carry none)";
  else if (valPoints.length < 4)
    out.lossToErrorProblem = `${valPoints.length} checkpoints record both a validation loss and an accuracy; the loss → error exponential needs at least 4`;
  else
    try {
      out.lossToError = fitLossToError(valPoints, data.source);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      out.lossToErrorProblem = `the loss → error exponential could not be fitted: ${e.detail}`;
    }
  if (options.validationLossChain) {
    if (out.lossToErrorProblem) out.valLossProblem = out.lossToErrorProblem;
    else
      try {
        out.valLossLaw = fitValidationLossLaw(finalPoints(ladder, o.movingAverage ?? 5), data.source);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        out.valLossProblem = e.detail;
      }
  }
  try {
    out.screen = screenTask(ladder, {
      ...o,
      ...(options.route ? { route: options.route } : {}),
      reruns: ladderFor(data, def, 'rerun'),
    });
    if (chanceFrom) out.screen.chanceFrom = chanceFrom;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    out.screenProblem = e.detail;
  }
  // A target run need not be evaluated on every task: one without this task's metrics gives it nothing
  // to predict, said as the task's reason, and the other tasks go on.
  const targetRuns = [...data.roles].filter(([, role]) => role === 'target').map(([run]) => run);
  const taskNames = new Set(Object.keys(def.parts ?? { [def.task]: 1 }));
  const evaluated = data.records.some((r) => taskNames.has(r.task) && data.roles.get(r.run) === 'target');
  if (targetRuns.length && !evaluated)
    out.targetProblem = `the target run${targetRuns.length === 1 ? '' : 's'} (${targetRuns.slice(0, 6).join(', ')}${targetRuns.length > 6 ? ', …' : ''}) ${targetRuns.length === 1 ? 'has' : 'have'} no metrics for this task`;
  const targetLadder = evaluated ? ladderFor(data, def, 'target') : undefined;
  const actuals = targetLadder ? finalPoints(targetLadder, o.movingAverage ?? 5) : [];
  const targets: LabelledTarget[] = [
    ...actuals.map((p) => ({
      label: p.run,
      N: p.N,
      D: p.D,
      C: p.C,
      // A run's C from the data is 6·N·D unless the data count it otherwise (FLOPs per token, a C column).
      computeCount: Math.abs(p.C / (6 * p.N * p.D) - 1) < 1e-9 ? ('6ND' as const) : ('data' as const),
      ...(p.accuracy !== undefined
        ? { actual: { accuracy: p.accuracy, ...(p.taskLoss !== undefined ? { taskLoss: p.taskLoss } : {}) } }
        : {}),
    })),
    ...(options.targets ?? []).map((t, i) => ({
      ...t,
      label: t.label ?? `target ${i + 1}`,
      computeCount: t.computeCount ?? (t.C !== undefined ? ('given' as const) : ('6ND' as const)),
    })),
  ];
  const goal = options.plan?.[def.task];
  const horizon = options.horizon ?? PLAN_HORIZON;
  // A target past the horizon a plan searches is far past any evidence (the back-tests reach about 25×
  // a ladder's compute): its prediction is printed like any other, so it is said beside it.
  const past = targets.filter((t) => (t.C ?? 6 * t.N * t.D) > horizon);
  if (past.length)
    out.caveats = [
      `${past.map((t) => `${t.label} (C = ${plain(t.C ?? 6 * t.N * t.D)} FLOPs)`).join('; ')} ${past.length === 1 ? 'is' : 'are'} past the horizon C = ${plain(horizon)} FLOPs that a plan searches: the laws are carried far beyond any back-test, so the prediction says little`,
    ];
  // No task loss (an lm-evaluation-harness ladder): the direct law in C unless another route is asked for.
  const route = options.route ?? (ladder.lossMetric ? 'task-loss' : 'compute');
  out.route = route;
  const ladderFinals = finalPoints(ladder, o.movingAverage ?? 5);
  out.computeRatio = computeRatio(ladderFinals);
  out.extrapolation = o.extrapolation ?? DOWNSTREAM_EXTRAPOLATION;
  const counts = computeCountCaveats(ladderFinals, targets, route, goal !== undefined);
  if (counts.length) out.caveats = [...(out.caveats ?? []), ...counts];
  if (route === 'task-loss' && !ladder.lossMetric) {
    out.fitProblem = `task "${def.task}" has no task-loss metric (${LOSS_METRICS.join(', ')}): the route through the task loss needs one (the routes through the validation loss or through compute do not)`;
    return yield* chained(out, ladder);
  }
  if (route === 'val-loss' && !recorded) {
    out.fitProblem =
      "the route through the validation loss needs one, and the ladder's checkpoints record none (a val_loss, validation_loss or loss column of a CSV file; lm-evaluation-harness results files carry none)";
    return yield* chained(out, ladder);
  }
  if (route !== 'task-loss') {
    try {
      if (route === 'compute') yield* directAnalysis(out, ladder, o, options, targets, goal);
      else yield* valLossAnalysis(out, ladder, o, options, targets, goal, lawCache);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      out.fitProblem = e.detail;
    }
    return yield* chained(out, ladder);
  }
  try {
    out.fit = fitDownstream(ladder, o);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    out.fitProblem = e.detail;
    return yield* chained(out, ladder);
  }
  const fit = out.fit;
  // Every ladder run ending at one token count (the Gemstones): step 1's law knows nothing of D.
  const ends = [...new Set(fit.finals.map((p) => p.D))];
  // D written in full: a target at "3.5e11" is not at a ladder's 3.501195264e11, and the two must read apart.
  const oneD = ends.length === 1 ? `every ladder run ends at D = ${formatNumber(ends[0], 15)} tokens` : undefined;
  if (oneD) {
    const away = targets
      .filter((t) => Math.abs(Math.log(t.D / ends[0])) > 1e-6)
      .map((t) => `${t.label}, D = ${plain(t.D)}`);
    if (away.length)
      out.caveats = [
        ...(out.caveats ?? []),
        `${oneD}, so step 1's law has nothing on D: the predictions at another D (${away.join('; ')}) rest on a law fitted at one D`,
      ];
  }
  const sizeOf = new Map(ladder.runs.map((r) => [r.run, r.N]));
  out.points = sigmoidPoints(ladder, fit.options).map((p) => ({ ...p, N: sizeOf.get(p.run)! }));
  const plans: (AccuracyPlan | undefined)[] = [];
  const planning = goal !== undefined && !oneD;
  const onReplicate = !planning
    ? undefined
    : (r: { step1: Record<string, number>; step2: Sigmoid; bend: Bend }) =>
        plans.push(planForAccuracy(fit, goal!, r.step2, r.step1, r.bend, horizon));
  const intervals =
    options.replicates && (targets.length || planning)
      ? yield* bootstrapDownstreamSteps(ladder, fit, targets, {
          replicates: options.replicates,
          seed: options.seed ?? 0,
          level: options.level,
          onReplicate,
        })
      : undefined;
  if (goal !== undefined && oneD)
    out.planProblem = `${oneD}: a compute-optimal plan (N and D for each C) needs ladder runs ending at two or more token counts`;
  else if (goal !== undefined) twoStepPlan(out, fit, goal, plans, options.level ?? 0.95, horizon, o.chance);
  // A degenerate step 1 is said where its numbers are read: the law through C can overflow (no number at all),
  // the one through N and D stays finite but rests on a term the ladder does not determine.
  const degenerateNote = (via: string, params: string) =>
    `step 1's law ${via} is degenerate (${params}): the task loss does not fall as a power law ${via === 'in C' ? 'in compute' : 'in size and data'} on this ladder, so predictions through it rest on nothing the runs show`;
  if (fit.step1.degenerate && !oneD)
    out.caveats = [...(out.caveats ?? []), degenerateNote('in N and D', fit.step1.degenerate)];
  if (fit.step1C.degenerate) out.caveats = [...(out.caveats ?? []), degenerateNote('in C', fit.step1C.degenerate)];
  out.targets = targets.map((t, i) => {
    const C = t.C ?? 6 * t.N * t.D;
    const p = predictDownstream(fit, { ...t, C });
    const finiteViaC = Number.isFinite(p.viaC.accuracy);
    const r: TargetResult = {
      label: t.label,
      N: t.N,
      D: t.D,
      C,
      computeCount: t.computeCount,
      taskLoss: p.taskLoss,
      accuracy: p.accuracy,
      ...(finiteViaC ? { viaC: p.viaC.accuracy } : {}),
    };
    if (!finiteViaC)
      r.warnings = [
        warning(
          'degenerate',
          'severe',
          `no accuracy through C: step 1's law in C gives no finite task loss at C = ${formatNumber(C, 3)} (${fit.step1C.degenerate ?? 'its parameters overflow'})`,
        ),
      ];
    if (intervals) {
      const { viaC, ...rest } = intervals[i];
      r.interval = finiteViaC && viaC ? { ...rest, viaC } : rest;
    }
    return compare(r, t);
  });
  return yield* chained(out, ladder);
}

/** What a C is, said beside it: the count it is in. */
export function computeCountWords(count: ComputeCount): string {
  return count === '6ND'
    ? '6·N·D'
    : count === 'given'
      ? "as given, in the ladder's count"
      : "D × the manifest's FLOPs per token, or the data's C";
}

/**
 * Each target's (and the plan's) distance beyond the ladder in compute, graded as the loss `predict` grades
 * a target beyond its fit's data: a prediction at 4e4× the ladder's largest C was printed as plainly as one
 * within it. The ladder's C range is its runs' final checkpoints', in the count of the C it is compared
 * with: the runs' 6·N·D for a C that is 6·N·D, their C as the data count it otherwise — on the OLMo ladder,
 * whose manifest counts 1.3–1.7× 6·N·D, mixing the two put a 6·N·D plan that much nearer the ladder.
 */
function gradeDistance(out: TaskAnalysis, ladder: TaskLadder): void {
  const finals = ladder.runs.flatMap((r) =>
    r.checkpoints.length
      ? [{ N: r.N, D: Math.max(...r.checkpoints.map((c) => c.D)), C: Math.max(...r.checkpoints.map((c) => c.C)) }]
      : [],
  );
  if (!finals.length) return;
  const counted = !within6ND(finals);
  const grade = (C: number, count: ComputeCount): TrustWarning[] => {
    const at6 = count === '6ND';
    const Cs = finals.map((p) => (at6 ? 6 * p.N * p.D : p.C));
    const range: Record<string, [number, number]> = { C: [Math.min(...Cs), Math.max(...Cs)] };
    const of = !counted
      ? "the ladder's runs"
      : at6
        ? "the ladder's runs, also at 6·N·D"
        : "the ladder's runs, as the data count them";
    return extrapolationWarnings(range, { C }, of).map((w) => ({
      ...w,
      message: w.message.replace(/^C = (\S+) is/, `C = $1 (${computeCountWords(count)}) is`),
    }));
  };
  for (const t of out.targets) {
    const w = grade(t.C, t.computeCount);
    if (w.length) t.warnings = [...(t.warnings ?? []), ...w];
  }
  if (out.plan?.point) {
    const w = grade(out.plan.point.C, out.plan.computeCount ?? '6ND');
    if (w.length) out.plan.warnings = w;
  }
}

/** Whether the ladder's runs count C as 6·N·D (their median C/(6·N·D) within COMPUTE_COUNT_TOLERANCE). */
function within6ND(finals: readonly { N: number; D: number; C: number }[]): boolean {
  return Math.abs(computeRatio(finals).median - 1) <= COMPUTE_COUNT_TOLERANCE;
}

/**
 * Said when the ladder's C is not 6·N·D (the OLMo manifest's FLOPs per token count attention: 1.32–1.67×
 * 6·N·D over its runs) and a target or a plan is placed at 6·N·D: step 1's law in C (and the direct law)
 * was fitted on the ladder's count, so a C of 6·N·D reads lower in compute than the ladder would count the
 * same model. The C is not converted — the ratio falls with size (1.20× at the 7B target, 1.15× at 13B)
 * and depends on the architecture — so the caveat gives the range and asks for C in the ladder's count.
 */
function computeCountCaveats(
  finals: readonly { N: number; D: number; C: number }[],
  targets: readonly LabelledTarget[],
  route: DownstreamRoute,
  planned: boolean,
): string[] {
  if (!finals.length || within6ND(finals)) return [];
  const r = computeRatio(finals);
  const x = (v: number) => `${v.toFixed(2)}×`;
  const span = `${formatRange([r.min, r.max], (v) => v.toFixed(2))}×`;
  const ladder = `the ladder's C is the data's count (D × the manifest's FLOPs per token, or a C column), ${span} 6·N·D over its runs (median ${x(r.median)})`;
  const lawInC = route === 'compute' ? 'the direct law in C was' : 'step 1\'s law in C (the "through C" column) was';
  const out: string[] = [];
  const at6 = targets.filter((t) => t.computeCount === '6ND').map((t) => t.label);
  // A target of N and D alone can be given its C; a loss plan's model, or a run of the data, carries its own.
  const bare = targets.some((t) => t.computeCount === '6ND' && t.C === undefined);
  if (at6.length)
    out.push(
      `${ladder}; ${lawInC} fitted on that count, but ${at6.join(', ')} ${at6.length === 1 ? 'is' : 'are'} at C = 6·N·D, which the ladder's count would put higher by the model's own ratio (${span} on the ladder's runs)${route === 'val-loss' ? " (the route through the validation loss reads N and D, so only the distance beyond the ladder uses C, measured against the runs' 6·N·D)" : "; the distance beyond the ladder is measured against the runs' 6·N·D"}${bare ? `; to predict at the ladder's count, give the target's C as D × its FLOPs per token counted as the ladder's are (${libraryOption('C')})` : ''}`,
    );
  if (planned && route !== 'compute')
    out.push(
      `${ladder}; the plan's C is 6·N·D on step 1's compute-optimal frontier in N and D, and its distance beyond the ladder is measured against the runs' 6·N·D: in the ladder's count its C would be larger, by about that ratio`,
    );
  return out;
}

/** One task's answer to "what reaches this accuracy?": the screen's verdict first, then the plan. */
export interface AccuracyPlanRow {
  task: string;
  /** A mean over tasks: what it averages (TaskAnalysis.parts). */
  parts?: TaskAnalysis['parts'];
  accuracy: number;
  verdict?: TaskScreen['verdict'];
  reasons: string[];
  plan?: TaskPlan;
  /** Why the task could not be planned (no fit) or screened. */
  problem?: string;
  /** What the fit cannot know (TaskAnalysis.caveats). */
  caveats?: string[];
}

/**
 * Whether a compute budget's model reaches a task's target accuracy: the accuracy predicted at the
 * model a loss plan recommends for the budget (predicted as a target of the task's analysis), beside
 * the compute the accuracy plan says the target needs.
 */
export interface BudgetAnswer {
  /** The budget's model: the loss plan's N and D at its C. */
  N: number;
  D: number;
  C: number;
  accuracy: number;
  /** The bootstrap interval of that accuracy, when replicates were drawn. */
  interval?: { level: number; accuracy: [number, number] };
  target: number;
  /** The point prediction reaches the target. */
  reaches: boolean;
  /** The interval lies wholly on the point's side of the target (false: it straddles it). Absent without one. */
  sure?: boolean;
  /** The compute the accuracy plan says the target needs (its point estimate), when it has one. */
  neededC?: number;
  /** The budget's distance beyond the ladder's compute (TargetResult.warnings). */
  warnings?: TrustWarning[];
}

/** The budget's answer for one task, from its analysis with the budget's model among its targets (`label`). */
export function budgetAnswer(t: TaskAnalysis, target: number, label: string): BudgetAnswer | undefined {
  const r = t.targets.find((x) => x.label === label);
  if (!r || !Number.isFinite(r.accuracy)) return undefined;
  const reaches = r.accuracy >= target;
  const iv = r.interval?.accuracy.every(Number.isFinite) ? r.interval : undefined;
  return {
    N: r.N,
    D: r.D,
    C: r.C,
    accuracy: r.accuracy,
    ...(iv
      ? {
          interval: { level: iv.level, accuracy: iv.accuracy },
          sure: reaches ? iv.accuracy[0] >= target : iv.accuracy[1] < target,
        }
      : {}),
    target,
    reaches,
    ...(t.plan?.point ? { neededC: t.plan.point.C } : {}),
    ...(r.warnings ? { warnings: r.warnings } : {}),
  };
}

/**
 * The compute and model that reach each target accuracy (`scalelab plan --target-accuracy`), through
 * the same screen, fit and bootstrap as `downstream plan`; computed in steps (analyseLadderSteps).
 * @throws InputError when a task is not in the data
 */
export function* planAccuracies(
  data: TaskMetricData,
  targets: Record<string, number>,
  options: LadderAnalysisOptions = {},
  onTask?: (task: string) => void,
): Steps<{ tasks: TaskAnalysis[]; rows: AccuracyPlanRow[] }> {
  const tasks = yield* analyseLadderSteps(data, { ...options, tasks: Object.keys(targets), plan: targets }, onTask);
  const rows = tasks.map((t): AccuracyPlanRow => {
    const problem = t.fitProblem ?? t.planProblem ?? t.screenProblem;
    return {
      task: t.task,
      ...(t.parts ? { parts: t.parts } : {}),
      accuracy: targets[t.task],
      ...(t.screen ? { verdict: t.screen.verdict } : {}),
      reasons: t.screen?.reasons ?? [],
      ...(t.plan ? { plan: t.plan } : {}),
      ...(problem ? { problem } : {}),
      ...(t.caveats ? { caveats: t.caveats } : {}),
    };
  });
  return { tasks, rows };
}
