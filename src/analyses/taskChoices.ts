/**
 * Which accuracy metric, task-loss metric and chance level each task of a ladder is analysed with. A choice
 * per task (the CLI's --accuracy-metric / --loss-metric TASK=NAME and --chance TASK=ACC, the web panel's
 * per-task controls) is written into the task definitions and checked against the data here, for both: one
 * resolver, so the page and the command analyse a choice alike. And what each task reads where nothing is
 * chosen (taskMetricOffers), for a control to mark as the default. Pure.
 */
import type { TaskDefinition, TaskMetricData } from '../io/parseTaskMetrics.js';
import { UsageError } from '../errors/index.js';
import { unknownName } from '../core/names.js';
import { ACCURACY_METRICS, LOSS_METRICS, metricNames, tasksOf } from './downstream.js';
import { taskDefinitions, type LadderAnalysisOptions } from './downstreamLadder.js';
import { taskChance, type ChanceSource } from './answerChoices.js';

/** A metric chosen for every task not named (`every`) and per task by name. */
export interface MetricChoice {
  every?: string;
  byTask: Record<string, string>;
}

/** A chance level given for every task not named (`every`) and per task by name. */
export interface ChanceChoice {
  every?: number;
  byTask: Record<string, number>;
}

/**
 * Metrics chosen per task, written into the task definitions, as chance levels are (the data's tasks, those
 * with an accuracy metric and those named, become definitions where no manifest gave any); a metric for every
 * task is then every other task's. Each named task is checked to be in the data and to have the metric named
 * (each part of a mean, its metric): the error names the task, the metric and the metrics it has. `names`
 * are how the caller's controls are called (the CLI: its flags). Metrics for every task alone are left to the
 * analysis options (everyTaskOptions).
 * @throws UsageError for a task not in the data, or a metric the task does not have
 */
export function applyMetricChoices(
  data: TaskMetricData,
  accuracy: MetricChoice,
  loss: MetricChoice,
  names: { accuracy: string; loss: string },
): void {
  if (!Object.keys(accuracy.byTask).length && !Object.keys(loss.byTask).length) return;
  const metrics = tasksOf(data.records);
  if (!data.tasks.length) {
    const accuracies: readonly string[] = accuracy.every ? [accuracy.every] : ACCURACY_METRICS;
    data.tasks = [...metrics]
      .filter(([task, m]) => Object.hasOwn(accuracy.byTask, task) || accuracies.some((a) => m.has(a)))
      .map(([task]) => ({ task }));
  }
  const defs = new Map(data.tasks.map((d) => [d.task, d]));
  for (const [name, choice] of [
    [names.accuracy, accuracy],
    [names.loss, loss],
  ] as const)
    for (const [task, metric] of Object.entries(choice.byTask)) {
      // A task of the data that a manifest's list leaves out is analysed when a metric is named for it.
      if (!defs.has(task) && metrics.has(task)) {
        defs.set(task, { task });
        data.tasks = [...data.tasks, { task }];
      }
      const def = defs.get(task);
      if (!def)
        throw new UsageError(
          `${name}: no task "${task}" in the data; ${unknownName(task, [...new Set([...defs.keys(), ...metrics.keys()])], 12, 'the tasks are')}`,
        );
      // A task that is a mean of parts (a manifest's) reads the metric of each part.
      for (const part of Object.keys(def.parts ?? { [task]: 1 })) {
        const has = metrics.get(part);
        if (has && !has.has(metric))
          throw new UsageError(
            `${name} ${task}=${metric}: task "${part}"${part === task ? '' : ` (a part of "${task}")`} has no metric ${JSON.stringify(metric)}; it has: ${metricNames([...has])}`,
          );
      }
    }
  data.tasks = data.tasks.map((d) => {
    const a = accuracy.byTask[d.task] ?? accuracy.every,
      l = loss.byTask[d.task] ?? loss.every;
    return { ...d, ...(a !== undefined ? { accuracyMetric: a } : {}), ...(l !== undefined ? { lossMetric: l } : {}) };
  });
}

/**
 * Chance levels per task (TASK=ACC), written into the task definitions (the data's tasks become definitions
 * where no manifest gave any), before any average is made of them, so a mean's level is its parts' mean; a
 * level for every task is then every task's not named. Each named task is checked to be there.
 * `accuracyEvery` is the accuracy metric chosen for every task (which tasks the data's are).
 * @throws UsageError for a task not in the data
 */
export function applyChanceChoices(
  data: TaskMetricData,
  chance: ChanceChoice,
  name: string,
  accuracyEvery?: string,
): void {
  const named = Object.keys(chance.byTask);
  if (!named.length) return;
  if (!data.tasks.length) data.tasks = taskDefinitions(data, undefined, accuracyEvery);
  const known = new Set(data.tasks.map((d) => d.task));
  for (const t of named)
    if (!known.has(t))
      throw new UsageError(`${name}: no task "${t}" in the data; ${unknownName(t, [...known], 12, 'the tasks are')}`);
  data.tasks = data.tasks.map((d) => {
    const given = chance.byTask[d.task] ?? chance.every;
    return given !== undefined ? { ...d, chance: given, chanceFrom: 'option' as const } : d;
  });
}

/**
 * The choices for every task as analysis options: where any task is named, they are in the definitions already
 * (applyMetricChoices, applyChanceChoices), else a metric or level for every task is an option of the analysis.
 */
export function everyTaskOptions(
  accuracy: MetricChoice,
  loss: MetricChoice,
  chance?: ChanceChoice,
): Pick<LadderAnalysisOptions, 'chance' | 'accuracyMetric' | 'lossMetric'> {
  const every = chance && !Object.keys(chance.byTask).length ? chance.every : undefined;
  const perTask = Object.keys(accuracy.byTask).length > 0 || Object.keys(loss.byTask).length > 0;
  return {
    ...(every !== undefined ? { chance: every } : {}),
    ...(!perTask && accuracy.every ? { accuracyMetric: accuracy.every } : {}),
    ...(!perTask && loss.every ? { lossMetric: loss.every } : {}),
  };
}

/** What a control offers for one task: the metrics it has, and what it reads where nothing is chosen. */
export interface TaskMetricOffer {
  task: string;
  /** The metrics the task has (a mean over parts: those every part has), sorted. */
  metrics: string[];
  /**
   * The accuracy metric read by default: the definition's, else the first preferred one the task has (acc_norm
   * before acc); 'each part' where the parts of a mean read different ones; undefined where the task has none,
   * so it is not analysed unless one is chosen.
   */
  accuracyMetric?: string;
  /** The task-loss metric read by default (bpb first), as the accuracy's; undefined: none (the law in C). */
  lossMetric?: string;
  /** The chance level known without a choice (a manifest's, a benchmark's answer choices), if any. */
  chance?: { level: number; source: ChanceSource };
}

/**
 * Every task of the data with the metrics a control may offer for it and its defaults (the analysis's, as
 * taskLadder picks them): the tasks analysed by default first (a manifest's, or the data's with an accuracy
 * metric), then the data's other tasks, which a chosen accuracy metric brings in.
 */
export function taskMetricOffers(data: TaskMetricData): TaskMetricOffer[] {
  const metrics = tasksOf(data.records);
  let defs: TaskDefinition[];
  try {
    defs = taskDefinitions(data);
  } catch {
    // No task with a usual accuracy metric: every task is offered, none analysed by default.
    defs = [];
  }
  const covered = new Set(defs.flatMap((d) => Object.keys(d.parts ?? { [d.task]: 1 })));
  const all: TaskDefinition[] = [
    ...defs,
    ...[...metrics.keys()].filter((t) => !covered.has(t)).map((task) => ({ task })),
  ];
  return all.map((d) => {
    const parts = Object.keys(d.parts ?? { [d.task]: 1 }).filter((p) => metrics.has(p));
    const has = parts.map((p) => metrics.get(p)!);
    const shared = [...(has[0] ?? [])].filter((m) => has.every((h) => h.has(m))).sort();
    // Each part's pick, as taskLadder makes it; one word where they agree.
    const pick = (wanted: (p: string) => string | undefined, preferred: readonly string[]) => {
      const picks = new Set(parts.map((p, i) => wanted(p) ?? preferred.find((m) => has[i].has(m))));
      if (picks.size !== 1) return 'each part';
      return [...picks][0];
    };
    const accuracyMetric = pick((p) => d.partAccuracy?.[p] ?? d.accuracyMetric, ACCURACY_METRICS);
    const lossMetric = pick(() => d.lossMetric, LOSS_METRICS);
    const chance = taskChance(d);
    return {
      task: d.task,
      metrics: shared,
      ...(accuracyMetric !== undefined ? { accuracyMetric } : {}),
      ...(lossMetric !== undefined && lossMetric !== 'each part' ? { lossMetric } : {}),
      ...(chance ? { chance } : {}),
    };
  });
}
