/**
 * The downstream panel's analysis, as the worker runs it: the uploaded files merged as the CLI merges
 * them, every task screened, fitted and predicted (src/analyses/downstreamLadder.ts), each two-step
 * task's sigmoid figure, and the laws turned into data for the trip back to the page. Pure, so it also
 * runs in Node.
 */
import { mergeTaskMetricSets, type TaskMetricSet } from '../../../src/io/parseTaskMetrics.js';
import { analyseLadder, taskDefinitions, type TaskAnalysis } from '../../../src/analyses/downstreamLadder.js';
import type { TaskLossFit } from '../../../src/analyses/downstream.js';
import { applyChanceChoices, applyMetricChoices, everyTaskOptions } from '../../../src/analyses/taskChoices.js';
import { sigmoidPlot } from '../../../src/report/downstreamHtml.js';
import { notPredictedReason } from '../../../src/report/text/downstream.js';
import type { Spec } from '../../../src/plots/specs.js';
import type { DownstreamOutcome, DownstreamSettings, DownstreamTask, PlainTaskLossFit } from './protocol.js';

const plainLaw = (f: TaskLossFit): PlainTaskLossFit => ({ ...f, law: { id: f.law.id, formula: f.law.formula } });

function plainTask(t: TaskAnalysis): DownstreamTask {
  const { fit, valLossLaw, ...rest } = t;
  return {
    ...rest,
    ...(fit ? { fit: { ...fit, step1: plainLaw(fit.step1), step1C: plainLaw(fit.step1C) } } : {}),
    ...(valLossLaw ? { valLossLaw: plainLaw(valLossLaw) } : {}),
  };
}

/**
 * Screen, fit and predict every task of the files; `onProgress` after each task starts (done of total).
 * @throws InputError located in its file (a value given twice with two values, no task with an accuracy)
 */
export function runDownstream(
  given: readonly TaskMetricSet[],
  settings: DownstreamSettings,
  onProgress?: (done: number, total: number) => void,
): DownstreamOutcome {
  const t0 = performance.now();
  // As the CLI reads files: with several, each record keeps its own file for the analyses' errors (on
  // copies: the page's sets are left as uploaded).
  const sets =
    given.length > 1
      ? given.map((set) => ({ ...set, records: set.records.map((r) => ({ ...r, file: r.file ?? set.source })) }))
      : [...given];
  const records = mergeTaskMetricSets(sets);
  const data = {
    source: sets.map((s) => s.source).join(', '),
    sets,
    records,
    roles: new Map(settings.ladder?.roles ?? []),
    tasks: settings.ladder?.tasks ?? [],
  };
  // The choices per task, into the task definitions as the CLI writes its flags' (the same resolver).
  const perTask = settings.perTask ?? { accuracyMetric: {}, lossMetric: {}, chance: {} };
  const accuracy = { byTask: perTask.accuracyMetric },
    loss = { byTask: perTask.lossMetric };
  const chance = { ...(settings.chance !== undefined ? { every: settings.chance } : {}), byTask: perTask.chance };
  applyMetricChoices(data, accuracy, loss, { accuracy: 'accuracy metric', loss: 'task-loss metric' });
  applyChanceChoices(data, chance, 'chance level');
  // A manifest's target runs are predicted (and compared with their actual accuracy) as given targets are.
  const predicts = settings.targets.length > 0 || [...data.roles.values()].includes('target');
  const total = taskDefinitions(data).length;
  let done = 0;
  onProgress?.(0, total);
  const tasks = analyseLadder(
    data,
    {
      targets: settings.targets,
      replicates: predicts ? settings.replicates : 0,
      validationLossChain: settings.validationLossChain,
      ...everyTaskOptions(accuracy, loss, chance),
    },
    // Called as each task starts: the one before it is done.
    () => {
      if (done > 0) onProgress?.(done, total);
      done++;
    },
  );
  onProgress?.(total, total);
  const figures: Record<string, Spec> = {};
  for (const t of tasks) {
    const spec = sigmoidPlot(t);
    if (spec) figures[t.task] = spec;
  }
  const notPredicted = predicts
    ? tasks.flatMap((t) => {
        const reason = notPredictedReason(t);
        return reason === undefined ? [] : [{ task: t.task, reason }];
      })
    : [];
  return { tasks: tasks.map(plainTask), notPredicted, figures, timings: { analysisMs: performance.now() - t0 } };
}
