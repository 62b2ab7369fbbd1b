/**
 * `scalelab downstream import|screen|fit|predict|backtest|plan`: benchmark accuracy from small runs
 * (docs/methods.md §31–§34). Every analysis prints the predictability screen first.
 */
import { flagFor } from '../optionFlags.js';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { flag } from '../flags.js';
import { importStopped, importWait, interruptedImport, openStore } from '../storeAccess.js';
import { betweenSteps, handleToTheEnd, onInterrupt, stepwise } from '../interrupt.js';
import { readTaskMetrics, taskMetricFilesRead } from '../../io/readTaskMetrics.js';
import type { RunRole, TaskMetricData, TaskMetricSet } from '../../io/parseTaskMetrics.js';
import {
  analyseLadder,
  analyseLadderSteps,
  averageTask,
  planAccuracies,
  budgetAnswer,
  type LadderAnalysisOptions,
  type AccuracyPlanRow,
  type TaskAnalysis,
} from '../../analyses/downstreamLadder.js';
import {
  ACCURACY_METRICS,
  DOWNSTREAM_EXTRAPOLATION,
  DOWNSTREAM_ROUTES,
  DOWNSTREAM_STEP2,
  PLAN_HORIZON,
  metricNames,
  step2Sigmoids,
  tasksOf,
  type Target,
} from '../../analyses/downstream.js';
import {
  applyChanceChoices,
  applyMetricChoices,
  everyTaskOptions,
  type MetricChoice,
} from '../../analyses/taskChoices.js';
import { defaultStorePath } from '../../store/store.js';
import { MissingStoreError } from '../../store/errors.js';
import { exitCodes, InputError, type OptionNamer, UsageError } from '../../errors/index.js';
import { unknownName } from '../../core/names.js';
import { percentSlip } from '../../core/slips.js';
import { keyword, parseExtrapolation, parseInteger, parseLevel, parseQuantity, parseReplicates } from '../options.js';
import {
  checkFiniteText,
  checkOutput,
  nonFiniteNumbers,
  printJson,
  printResult,
  progress,
  statusLine,
  writeOutput,
  writeResult,
  writeStdout,
  type OutputFormat,
} from '../output.js';
import { downstreamSections, sigmoidPlot } from '../../report/downstreamHtml.js';
import { htmlPage } from '../../report/html.js';
import { provenance, provenanceLines } from '../provenance.js';
import {
  backtestTable,
  downstreamJson,
  fitTable,
  notPlannedReason,
  notPredictedReason,
  planTable,
  budgetLines,
  whyNDiffers,
  predictionTable,
  screenTable,
} from '../../report/text/downstream.js';
import type { Run } from '../output.js';

interface InputFlags extends TaskMetricFlags {
  study?: string;
  batchTokens?: string;
  flopsPerToken?: string;
  db: string;
  task?: string;
  average?: string;
  floor: string;
  ceiling?: string;
  sigmoid?: string;
  idealPoint: boolean;
  fromValLoss?: boolean;
  via?: string;
  movingAverage: string;
  skip: string;
  extrapolation: string;
  json?: boolean;
  out?: string;
}

interface BootstrapFlags {
  bootstrap: string;
  seed: string;
  level: string;
}

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A plain decimal number, or NaN: accuracies take no size suffix (70B, 800m), unlike N, D and C. */
function plainNumber(text: string): number {
  const t = text.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN;
}

/** `0.25` or `free` (the sigmoid's floor and ceiling). */
export function parseBound(text: string, flag: string): number | 'free' {
  if (text.trim() === 'free') return 'free';
  const v = plainNumber(text);
  if (!(v >= 0 && v <= 1)) throw new UsageError(`${flag}: expected an accuracy in [0, 1] or "free", got "${text}"`);
  return v;
}

/** `--chance 0.25`: the random-guess accuracy of every task, in [0, 1). */
export function parseChance(text: string): number {
  const v = plainNumber(text);
  if (!(v >= 0 && v < 1)) throw new UsageError(`--chance: expected an accuracy in [0, 1), got "${text}"`);
  return v;
}

/**
 * `--chance 0.25` (every task), or per task: `--chance 0.25,piqa=0.5,lambada_openai=0` — a wide file of many
 * tasks (an over-training suite's 46) mixes two-choice, four-choice and generated answers, and one level for
 * all would call a two-choice task at 0.52 far from chance. A bare number is the level of the tasks not named.
 */
export function parseChances(text: string): { every?: number; byTask: Record<string, number> } {
  // No prototype: a task named like an object's property (constructor, toString) is a task like any other.
  const byTask: Record<string, number> = Object.create(null) as Record<string, number>;
  let every: number | undefined;
  for (const item of list(text)) {
    const m = /^([^=]+)=(.*)$/.exec(item);
    if (!m) {
      if (every !== undefined)
        throw new UsageError(
          `--chance: two levels for every task ("${every}" and "${item}"); name the task of one (TASK=ACC)`,
        );
      every = parseChance(item);
      continue;
    }
    const task = m[1].trim();
    if (Object.hasOwn(byTask, task)) throw new UsageError(`--chance: task "${task}" is given twice`);
    const v = plainNumber(m[2].trim());
    if (!(v >= 0 && v < 1))
      throw new UsageError(`--chance ${task}: expected an accuracy in [0, 1), got "${m[2].trim()}"`);
    byTask[task] = v;
  }
  if (every === undefined && !Object.keys(byTask).length)
    throw new UsageError(`--chance: expected an accuracy in [0, 1), got "${text}"`);
  return { ...(every !== undefined ? { every } : {}), byTask };
}

/** An accuracy strictly between 0 and 1, written as a plain number (no size suffix: "800m" is no 0.8). */
function parseAccuracy(text: string, flag: string): number {
  const v = plainNumber(text.trim().replace(/%$/, ''));
  if (v > 0 && v < 1 && !text.trim().endsWith('%')) return v;
  const percent = percentSlip(v, [0, 1]);
  throw new UsageError(
    `${flag}: expected an accuracy between 0 and 1, such as 0.85, got "${text.trim()}"${percent ? ` (${percent})` : ''}`,
  );
}

/** `--target-accuracy hellaswag=0.8,piqa=0.75`: accuracies in (0, 1) by task. */
export function parseTargetAccuracy(text: string): Record<string, number> {
  const plan: Record<string, number> = {};
  for (const part of list(text)) {
    const [task, value, extra] = part.split('=');
    if (!task?.trim() || value === undefined || extra !== undefined)
      throw new UsageError(`--target-accuracy: expected TASK=ACCURACY pairs such as hellaswag=0.8, got "${part}"`);
    const acc = parseAccuracy(value, `--target-accuracy ${task.trim()}`);
    if (task.trim() in plan)
      throw new UsageError(
        `--target-accuracy: ${task.trim()} is given twice (${plan[task.trim()]} and ${acc}): one accuracy per task`,
      );
    plan[task.trim()] = acc;
  }
  if (!Object.keys(plan).length) throw new UsageError('--target-accuracy: expected TASK=ACCURACY pairs');
  return plan;
}

/** `--horizon 1e30`: the largest compute a plan for accuracy searches, above 10¹⁰ FLOPs. */
export function parseHorizon(text: string): number {
  const C = parseQuantity(text, '--horizon');
  if (!(C > 1e10)) throw new UsageError(`--horizon: expected a compute in FLOPs above 1e10, got "${text}"`);
  return C;
}

/** The flags `scalelab plan` takes for a plan by accuracy. */
export interface AccuracyPlanFlags extends Omit<TaskMetricFlags, 'reruns'> {
  downstream?: string;
  batchTokens?: string;
  via?: string;
  targetAccuracy?: string;
  average?: string;
  horizon: string;
  downstreamBootstrap: string;
  seed: string;
  json?: boolean;
}

/** The files plan's --target-accuracy reads (--downstream's, with a manifest's runs): an --out must not replace one. */
export function accuracyPlanFilesRead(f: Pick<AccuracyPlanFlags, 'downstream'>): string[] {
  return f.downstream === undefined ? [] : taskMetricFilesRead(list(f.downstream));
}

/**
 * `scalelab plan --target-accuracy TASK=ACC --downstream FILES`: the screen and the compute-optimal
 * model reaching each accuracy (what `downstream plan` prints), for the plan command to show beside
 * or instead of its loss plan. Undefined without --target-accuracy.
 */
export async function accuracyPlanSection(
  f: AccuracyPlanFlags,
  budget?: { C: number; N: number; D: number; law: string },
): Promise<{ text: string; json: unknown; unanswered: Unanswered[]; total: number } | undefined> {
  if (f.targetAccuracy === undefined) {
    if (f.downstream !== undefined) throw new UsageError('--downstream is read for --target-accuracy TASK=ACCURACY');
    if (f.horizon !== String(PLAN_HORIZON))
      throw new UsageError('--horizon is read for --target-accuracy TASK=ACCURACY');
    if (f.average !== undefined)
      throw new UsageError(
        '--average is read for --target-accuracy (a task it names, e.g. --average core=all --target-accuracy core=0.6)',
      );
    const given = (
      [
        ['--target-runs', f.targetRuns],
        ['--chance', f.chance],
        ['--loss-metric', f.lossMetric],
        ['--accuracy-metric', f.accuracyMetric],
        ['--via', f.via],
        ['--batch-tokens', f.batchTokens],
      ] as const
    ).filter(([, v]) => v !== undefined);
    if (given.length)
      throw new UsageError(
        `${given.map(([name]) => name).join(', ')} ${given.length === 1 ? 'is' : 'are'} read for --target-accuracy TASK=ACCURACY (how --downstream's task metrics are read)`,
      );
    return undefined;
  }
  if (f.downstream === undefined)
    throw new UsageError(
      '--target-accuracy needs --downstream FILES: a ladder manifest or task-metric files to fit the tasks on',
    );
  const targets = parseTargetAccuracy(f.targetAccuracy);
  const data = readForAnalysis(list(f.downstream), fileOptions(f));
  noteTasksWithoutMetrics(data);
  // The task metrics are read as downstream plan reads them: the same flags, the same parsing.
  markRunRoles(data, f);
  applyMetrics(data, f);
  applyChances(data, f);
  addAverage(data, f.average);
  const bar = progress('tasks', Object.keys(targets).length, f);
  // With a budget, its loss plan's model is predicted as each task's target: does the budget reach it?
  const atBudget = budget ? `the budget's model (C = ${budget.C})` : undefined;
  let planned: { tasks: TaskAnalysis[]; rows: AccuracyPlanRow[] };
  try {
    planned = await stepwise(
      planAccuracies(
        data,
        targets,
        {
          ...metricOptions(f),
          ...(f.via !== undefined ? { route: keyword(f.via, '--via', DOWNSTREAM_ROUTES) } : {}),
          // The loss plan's C is 6·N·D: its distance beyond the ladder is measured in that count.
          ...(budget
            ? { targets: [{ label: atBudget, N: budget.N, D: budget.D, C: budget.C, computeCount: '6ND' as const }] }
            : {}),
          replicates: parseReplicates(f.downstreamBootstrap, '--downstream-bootstrap'),
          seed: parseInteger(f.seed, '--seed', 0),
          horizon: parseHorizon(f.horizon),
        },
        () => bar.tick(),
      ),
    );
  } finally {
    bar.stop();
  }
  const answers = planned.tasks.map((t) => ({
    task: t.task,
    answer: atBudget ? budgetAnswer(t, targets[t.task], atBudget) : undefined,
  }));
  return {
    text:
      [
        screenTable(planned.tasks, flagFor),
        planTable(planned.tasks, flagFor),
        ...(budget
          ? [
              budgetLines(
                answers,
                budget,
                planned.tasks.map((t) => ({ task: t.task, N: t.plan?.point?.N, C: t.plan?.point?.C })),
              ),
            ]
          : []),
      ].join('\n\n') + '\n',
    json: {
      source: data.source,
      tasks: planned.rows.map((r, i) => (budget ? { ...r, atBudget: answers[i].answer ?? null } : r)),
      ...(budget
        ? { budget: { C: budget.C, N: budget.N, D: budget.D, law: budget.law }, whyNDiffers: whyNDiffers(budget.law) }
        : {}),
    },
    unanswered: reasons(planned.tasks, notPlannedReason),
    total: planned.tasks.length,
  };
}

/** A task asked for an answer (a prediction, a plan) that did not get one, and why. */
export interface Unanswered {
  task: string;
  reason: string;
}

/**
 * The exit rule of the analyses that answer per task (downstream predict and plan, plan --target-accuracy),
 * run after everything else is printed: a task the user named (--task, --target-accuracy) that got no
 * answer makes the run a failure — exit 1, each such task and its reason on stderr; from a run over every
 * task (no --task: the manifest's or the data's) a task without one is a warning, unless none got one.
 */
export function judgeUnanswered(
  what: 'predicted' | 'planned',
  unanswered: readonly Unanswered[],
  total: number,
  named: boolean,
): void {
  if (!unanswered.length) return;
  const none = unanswered.length === total;
  const failed = named || none;
  const head = none
    ? `no task could be ${what} (${total} tried)`
    : `${unanswered.length} of ${total} tasks not ${what}${named ? ' although asked for by name' : ''}`;
  process.stderr.write(
    `scalelab: ${failed ? 'error' : 'warning'}: ${head}:\n${unanswered.map((u) => `  ${u.task}: ${u.reason}\n`).join('')}`,
  );
  if (failed) process.exitCode = exitCodes.failed;
}

/** How files without tokens or compute get them: the tokens per optimizer step, the FLOPs per token. */
function fileOptions(f: { batchTokens?: string; flopsPerToken?: string }): {
  batchTokens?: number;
  flopsPerToken?: number;
} {
  return {
    ...(f.batchTokens !== undefined ? { batchTokens: parseQuantity(f.batchTokens, '--batch-tokens') } : {}),
    ...(f.flopsPerToken !== undefined ? { flopsPerToken: parseQuantity(f.flopsPerToken, '--flops-per-token') } : {}),
  };
}

/** An lm-evaluation-harness file's tasks that carry no metric (only an alias or standard errors). */
function withoutMetricsNote(tasks: readonly string[]): string {
  return `tasks with no metric (only an alias or standard errors), not read: ${tasks.slice(0, 6).join(', ')}${tasks.length > 6 ? ', …' : ''}`;
}

/**
 * A file whose step is W&B's `_step`: the count of log calls, the training step only when the run logged
 * once a step (an eval logged between steps counts too), so tokens from --batch-tokens × step would be off.
 */
function logCountWarning(set: TaskMetricSet): string | undefined {
  if (!set.stepFromLogCount) return undefined;
  return 'the step is read from _step, W&B\'s count of log calls, which is the training step only when the run logged once a step (tokens from step × tokens per step are off otherwise); export the trainer\'s step (trainer/global_step, global_step or step), which is read first, or a tokens column; a ladder manifest marks a run that logged with step=its global step with "loggedWithTrainerStep": true';
}

/**
 * A study with metrics an older ScaleLab imported (before schema version 8), which kept no lm-eval groups or
 * few-shot counts: said once as the study is read, since the store cannot tell for those metrics what the
 * files would have (an aggregate such as MMLU's from its tasks, a 0-shot import from a 5-shot one).
 */
function unrecordedWarning(study: string, db: string, u: { metrics: number; files: string[] }): string {
  const files = `${u.files.slice(0, 3).join(', ')}${u.files.length > 3 ? `, … (${u.files.length} files)` : ''}`;
  return `study "${study}" of ${db}: ${u.metrics} task metric${u.metrics === 1 ? ' was' : 's were'} imported by an older ScaleLab, which kept no lm-eval groups or few-shot counts (from ${files}): an --average over all tasks cannot tell a group's aggregate (mmlu) from its tasks, and counts it beside them, and imports at different few-shot counts are not told apart; import those files again ("scalelab downstream import FILE --study ${study}") to record both — the values stored are kept`;
}

/**
 * On stderr (stdout may be JSON), what of the files is not analysed, so that nothing goes missing unseen:
 * each file's tasks with no metric and its columns not read (as `downstream import` names them), a step read
 * from W&B's _step, and — when every task is analysed (`every`, no --task) and no manifest names the tasks —
 * the tasks with metrics but no accuracy metric, which the analyses pass over (gsm8k's exact_match, a
 * perplexity). A note that many files share (a ladder of lm-eval files, one a checkpoint) is said once.
 */
function noteTasksWithoutMetrics(data: TaskMetricData, every?: { accuracyMetric?: MetricChoice; how: string }): void {
  const notes = new Map<string, string[]>();
  const note = (text: string, source: string) => notes.set(text, [...(notes.get(text) ?? []), source]);
  for (const set of data.sets) {
    if (set.tasksWithoutMetrics?.length) note(withoutMetricsNote(set.tasksWithoutMetrics), set.source);
    if (set.ignoredColumns.length)
      note(
        `columns not read: ${set.ignoredColumns.slice(0, 6).join(', ')}${set.ignoredColumns.length > 6 ? ', …' : ''}${set.format === 'wide' ? " (a metric's column is named task/metric, as arc_easy/acc)" : ''}`,
        set.source,
      );
    const logCount = logCountWarning(set);
    if (logCount) process.stderr.write(`scalelab: warning: ${set.source}: ${logCount}\n`);
  }
  for (const [text, sources] of notes)
    process.stderr.write(
      `scalelab: note: ${sources.length === 1 ? sources[0] : `${sources.length} files (${sources.slice(0, 2).join(', ')}${sources.length > 2 ? ', …' : ''})`}: ${text}\n`,
    );
  if (!every || data.tasks.length) return;
  const choice = every.accuracyMetric;
  const accuracies: readonly string[] = choice?.every ? [choice.every] : ACCURACY_METRICS;
  const passed = [...tasksOf(data.records)].filter(
    ([task, metrics]) => !(choice && Object.hasOwn(choice.byTask, task)) && !accuracies.some((a) => metrics.has(a)),
  );
  // None analysed at all is taskDefinitions' error, which lists them.
  if (!passed.length || passed.length === tasksOf(data.records).size) return;
  const shown = passed
    .slice(0, 6)
    .map(([task, metrics]) => `${task} (${metricNames([...metrics])})`)
    .join(', ');
  process.stderr.write(
    `scalelab: note: tasks with no accuracy metric (${accuracies.join(', ')}), not analysed: ${shown}${passed.length > 6 ? `, … (${passed.length} in all)` : ''}; ${every.how}\n`,
  );
}

/**
 * Task-metric files read for an analysis (not an import). What a results file lacks (its run's name, the
 * tokens it saw) is given by flags of `downstream import` alone: an error asking for one names that
 * command, since the analyses have no --tokens (and their --N is the target's size, not the file's).
 */
function readForAnalysis(inputs: string[], options?: Parameters<typeof readTaskMetrics>[1]): TaskMetricData {
  try {
    return readTaskMetrics(inputs, options);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const importOnly: OptionNamer = (option) =>
      option === 'run' || option === 'tokens' || option === 'N'
        ? `${flagFor(option)} with "scalelab downstream import", then --study NAME`
        : flagFor(option);
    throw new InputError(e.location, e.detailNaming(importOnly));
  }
}

/** What the analyses' --out holds (downstream report's holds its page). */
const analysisJson: OutputFormat = { what: 'the analysis', format: 'JSON', extensions: ['.json'] };

/**
 * The task metrics to analyse: files (or a ladder manifest), or a study of the run store. A file's tasks
 * with no metric are named on stderr (as `downstream import` names them), so none goes missing unseen.
 */
function loadData(inputs: string[], f: InputFlags, writes: OutputFormat = analysisJson): TaskMetricData {
  // The output file is checked before any reading or fitting, which would be lost if it could not be written.
  // The files a manifest lists are read too: --out naming one would replace a run's metrics.
  if (f.out) checkOutput(f.out, '--out', writes, [...taskMetricFilesRead(inputs), f.db]);
  // Reading and analysing take seconds to minutes on the main thread: a Ctrl-C from here on says so.
  handleToTheEnd();
  let data: TaskMetricData;
  if (inputs.length) {
    if (f.study !== undefined) throw new UsageError('give files or --study, not both');
    data = readForAnalysis(inputs, fileOptions(f));
    noteTasksWithoutMetrics(
      data,
      f.task
        ? undefined
        : {
            accuracyMetric: parseMetricChoice(f.accuracyMetric, '--accuracy-metric'),
            how: 'name one with --accuracy-metric TASK=NAME',
          },
    );
  } else {
    if (f.batchTokens !== undefined || f.flopsPerToken !== undefined)
      throw new UsageError(
        '--batch-tokens and --flops-per-token are read with files (a study keeps what its import read)',
      );
    if (f.study === undefined)
      throw new UsageError(
        'expected task-metric files (CSV, lm-evaluation-harness JSON, a ladder manifest) or --study NAME to read the run store',
      );
    if (!existsSync(f.db))
      throw new MissingStoreError(
        f.db,
        'no run store here: import task metrics first ("scalelab downstream import FILE"), or give --db',
      );
    const store = openStore(f.db);
    try {
      const records = store.taskMetrics(f.study);
      if (!records.length) {
        const others = store.taskMetricStudies();
        throw new MissingStoreError(
          f.db,
          `study "${f.study}" has no task metrics; ${others.length ? `${unknownName(f.study, others, 20, 'the studies with task metrics')}; or ` : ''}import some with "scalelab downstream import FILE --study ${f.study}"`,
        );
      }
      // The study's manifests' task definitions and run roles, its lm-eval groups, as they were imported;
      // a task imported at two few-shot counts is refused here, as two such files are.
      const { groups, unrecorded } = store.taskMetricContext(f.study);
      data = {
        source: `${f.db} (study ${f.study})`,
        sets: [],
        records,
        roles: store.taskRunRoles(f.study),
        tasks: store.taskDefinitions(f.study),
        ...(Object.keys(groups).length ? { groups } : {}),
      };
      if (unrecorded.metrics)
        process.stderr.write(`scalelab: warning: ${unrecordedWarning(f.study, f.db, unrecorded)}\n`);
    } finally {
      store.close();
    }
  }
  markRunRoles(data, f);
  applyMetrics(data, f);
  applyChances(data, f);
  addAverage(data, f.average);
  return data;
}

/** How the task metrics are read: which runs are targets or reruns, which metrics, the chance level. */
export interface TaskMetricFlags {
  targetRuns?: string;
  reruns?: string;
  /** Each --loss-metric given: NAME (every task not named) or TASK=NAME. */
  lossMetric?: string[];
  /** Each --accuracy-metric given: NAME (every task not named) or TASK=NAME. */
  accuracyMetric?: string[];
  chance?: string;
}

/**
 * `--accuracy-metric gsm8k=exact_match,strict-match --accuracy-metric acc_norm`: one value per flag, TASK=NAME
 * or a bare NAME for every task not named. lm-eval's metric names hold a comma (`exact_match,strict-match`), so
 * the values are not a comma list, as --chance's are: the flag is repeated, and a value splits at its first "=".
 */
export function parseMetricChoice(values: readonly string[] | undefined, flagName: string): MetricChoice {
  // No prototype: a task named like an object's property (constructor) is a task like any other.
  const byTask: Record<string, string> = Object.create(null) as Record<string, string>;
  let every: string | undefined;
  for (const value of values ?? []) {
    const m = /^([^=]*)=(.*)$/.exec(value);
    if (!m) {
      const name = value.trim();
      if (!name) throw new UsageError(`${flagName}: expected a metric name or TASK=NAME, got "${value}"`);
      if (every !== undefined)
        throw new UsageError(
          `${flagName}: two metrics for every task ("${every}" and "${name}"); name the task of one (${flagName} TASK=NAME)`,
        );
      every = name;
      continue;
    }
    const task = m[1].trim(),
      name = m[2].trim();
    if (!task || !name) throw new UsageError(`${flagName}: expected TASK=NAME, such as piqa=acc, got "${value}"`);
    if (name.includes('='))
      throw new UsageError(
        `${flagName}: "${value}" names more than one task; give one per flag (${flagName} ${task}=… ${flagName} ${name.slice(name.lastIndexOf(',') + 1).split('=')[0]}=…)`,
      );
    if (Object.hasOwn(byTask, task)) throw new UsageError(`${flagName}: task "${task}" is given twice`);
    byTask[task] = name;
  }
  return { ...(every !== undefined ? { every } : {}), byTask };
}

/**
 * --accuracy-metric and --loss-metric per task (TASK=NAME): written into the task definitions and checked
 * against the data by the analyses' resolver (applyMetricChoices), which the web panel's per-task controls use too.
 */
function applyMetrics(data: TaskMetricData, f: TaskMetricFlags): void {
  applyMetricChoices(
    data,
    parseMetricChoice(f.accuracyMetric, '--accuracy-metric'),
    parseMetricChoice(f.lossMetric, '--loss-metric'),
    { accuracy: '--accuracy-metric', loss: '--loss-metric' },
  );
}

/** --target-runs and --reruns: the roles of runs in the data (besides a manifest's), each run checked to be there. */
function markRunRoles(data: TaskMetricData, f: TaskMetricFlags): void {
  const runs = new Set(data.records.map((r) => r.run));
  const mark = (names: string[], role: RunRole, flag: string) => {
    for (const n of names) {
      if (!runs.has(n))
        throw new UsageError(
          `${flag}: no run "${n}" in the data (runs: ${[...runs].slice(0, 12).join(', ')}${runs.size > 12 ? ', …' : ''})`,
        );
      data.roles.set(n, role);
    }
  };
  mark(list(f.targetRuns), 'target', '--target-runs');
  mark(list(f.reruns), 'rerun', '--reruns');
}

/**
 * --chance with levels per task (TASK=ACC): written into the task definitions (applyChanceChoices, as the web
 * panel's per-task levels), before any average is made of them, so a mean's level is its parts' mean.
 */
function applyChances(data: TaskMetricData, f: TaskMetricFlags): void {
  if (f.chance === undefined) return;
  applyChanceChoices(
    data,
    parseChances(f.chance),
    '--chance',
    parseMetricChoice(f.accuracyMetric, '--accuracy-metric').every,
  );
}

/** --chance, --accuracy-metric and --loss-metric as analysis options (none given: the manifest's or the data's). */
function metricOptions(f: TaskMetricFlags): Pick<LadderAnalysisOptions, 'chance' | 'accuracyMetric' | 'lossMetric'> {
  // Levels and metrics per task are in the task definitions (applyChances, applyMetrics); a value alone is
  // every task's.
  return everyTaskOptions(
    parseMetricChoice(f.accuracyMetric, '--accuracy-metric'),
    parseMetricChoice(f.lossMetric, '--loss-metric'),
    f.chance !== undefined ? parseChances(f.chance) : undefined,
  );
}

/** --average NAME=TASKS: the mean of those tasks joins the data's tasks as task NAME (none without it). */
function addAverage(data: TaskMetricData, average: string | undefined): void {
  if (average === undefined) return;
  const { name, tasks } = parseAverage(average);
  data.tasks = [...data.tasks, averageTask(data, name, tasks)];
}

/** --average NAME=TASK,TASK,… or NAME=all: the mean of those tasks, analysed as one task NAME. */
function parseAverage(text: string): { name: string; tasks: string[] | 'all' } {
  const m = /^([^=,]+)=(.+)$/.exec(text.trim());
  const tasks = m ? (m[2].trim() === 'all' ? 'all' : list(m[2])) : [];
  if (!m || !m[1].trim() || (tasks !== 'all' && !tasks.length))
    throw new UsageError(`--average: expected NAME=TASK,TASK,… or NAME=all (e.g. avg=all), got "${text}"`);
  return { name: m[1].trim(), tasks };
}

function analysisOptions(f: InputFlags, extra: Partial<LadderAnalysisOptions> = {}): LadderAnalysisOptions {
  const skip = parseQuantity(f.skip, '--skip', { positive: false });
  if (!(skip >= 0 && skip < 1)) throw new UsageError(`--skip: expected a fraction in [0, 1), got "${f.skip}"`);
  // A floor or ceiling given means one sigmoid with them, unless --sigmoid says otherwise.
  const sigmoid =
    f.sigmoid !== undefined
      ? keyword(f.sigmoid, '--sigmoid', step2Sigmoids)
      : f.ceiling !== undefined || f.floor !== 'chance'
        ? 'one'
        : DOWNSTREAM_STEP2.sigmoid;
  const extrapolation = parseExtrapolation(f.extrapolation);
  return {
    // With --average and no --task, the mean is what is asked for: analyse it alone.
    tasks: f.task === undefined && f.average !== undefined ? [parseAverage(f.average).name] : list(f.task),
    movingAverage: parseInteger(f.movingAverage, '--moving-average', 1),
    skipFraction: skip,
    extrapolation,
    sigmoid,
    idealPoint: f.idealPoint,
    ...(f.fromValLoss ? { validationLossChain: true } : {}),
    ...(f.via !== undefined ? { route: keyword(f.via, '--via', DOWNSTREAM_ROUTES) } : {}),
    floor: f.floor === 'chance' ? undefined : parseBound(f.floor, '--floor'),
    ...(f.ceiling !== undefined ? { ceiling: parseBound(f.ceiling, '--ceiling') } : {}),
    ...metricOptions(f),
    ...extra,
  };
}

function bootstrapOptions(f: BootstrapFlags): Pick<LadderAnalysisOptions, 'replicates' | 'seed' | 'level'> {
  return {
    replicates: parseReplicates(f.bootstrap, '--bootstrap'),
    seed: parseInteger(f.seed, '--seed', 0),
    level: parseLevel(f.level),
  };
}

/** The --from-val-loss flag (predict and report: the chain predicts targets, so only they show it). */
const FROM_VAL_LOSS =
  "also predict each target by Gadre et al.'s chain: a law for the validation loss at N, D, then the loss → error exponential (beside the default, with its own bootstrap interval; docs/methods.md §32)";

/** Options every analysis subcommand shares. */
function inputOptions(cmd: Command, out = 'the analysis as JSON, besides the tables printed'): Command {
  return cmd
    .argument(
      '[inputs...]',
      'task-metric files: long or wide CSV, lm-evaluation-harness results JSON, or a ladder manifest (JSON with "runs")',
    )
    .addOption(flag('study', { detail: 'read its task metrics instead of files' }))
    .addOption(flag('db', { detail: 'with --study', default: defaultStorePath }))
    .addOption(flag('batch-tokens', { detail: "to turn a results file's checkpoint step into tokens" }))
    .option('--flops-per-token <n>', 'training FLOPs per token, so that C = D × this (default: C = 6ND)')
    .option(
      '--task <list>',
      "only these tasks (comma-separated); default: the manifest's tasks, or every task with an accuracy",
    )
    .addOption(flag('average', { detail: 'analysed alone unless --task names others' }))
    .addOption(flag('target-runs'))
    .option('--reruns <runs>', 'runs that repeat a ladder run with another seed (NAME-rerun), for the seed noise')
    .addOption(flag('loss-metric'))
    .addOption(flag('accuracy-metric'))
    .addOption(flag('chance'))
    .option(
      '--floor <acc|free|chance>',
      "with --sigmoid one: the sigmoid's floor: the chance level, a number, or free (fitted)",
      'chance',
    )
    .addOption(flag('via'))
    .option(
      `--sigmoid <${step2Sigmoids.join('|')}>`,
      `step 2: the average of three sigmoids (floor at chance, ceiling 1 / fitted; both fitted), or one sigmoid with --floor and --ceiling (default: ${DOWNSTREAM_STEP2.sigmoid}; one when --floor or --ceiling is given)`,
    )
    .option(
      '--no-ideal-point',
      `step 2 without the ideal point (task loss 0, accuracy 1) that it otherwise fits with the checkpoints, as Bhagia et al.'s code does`,
    )
    .option(
      '--ceiling <acc|free>',
      "with --sigmoid one: the sigmoid's ceiling, a number, or free (fitted) (default: 1)",
    )
    .option('--moving-average <n>', 'evaluations averaged for a final value, and the trailing window of step 2', '5')
    .option(
      '--skip <fraction>',
      "fraction of each run's first checkpoints left out of step 2",
      String(DOWNSTREAM_STEP2.skipFraction),
    )
    .addOption(
      flag('extrapolation', {
        detail: 'SD s·log10(1 + C/C_max) in accuracy',
        default: String(DOWNSTREAM_EXTRAPOLATION),
      }),
    )
    .addOption(flag('out', { detail: out }))
    .addOption(flag('json'));
}

function withBootstrap(cmd: Command, replicates: string): Command {
  return cmd
    .addOption(flag('bootstrap', { detail: 'whole runs resampled', default: replicates }))
    .addOption(flag('seed', { default: '0' }))
    .addOption(flag('level', { default: '0.95' }));
}

/** Whether the data mark runs to predict (--target-runs, or a manifest's role "target"). */
function hasTargets(data: TaskMetricData): boolean {
  return [...data.roles.values()].includes('target');
}

/**
 * The ladder analysed on the main thread in steps (each task, each of its bootstrap replicates) with turns
 * for the event loop between them: a Ctrl-C stops it within a replicate, saying so.
 */
async function analyse(
  data: TaskMetricData,
  options: LadderAnalysisOptions,
  f: { json?: boolean },
): Promise<TaskAnalysis[]> {
  const tasks = options.tasks?.length
    ? options.tasks.length
    : data.tasks.length || new Set(data.records.map((r) => r.task)).size;
  const bar = progress('tasks', tasks, f);
  try {
    return await stepwise(analyseLadderSteps(data, options, () => bar.tick()));
  } finally {
    bar.stop();
  }
}

function reasons(tasks: readonly TaskAnalysis[], why: (t: TaskAnalysis) => string | undefined): Unanswered[] {
  return tasks.flatMap((t) => {
    const reason = why(t);
    return reason === undefined ? [] : [{ task: t.task, reason }];
  });
}

/** A task's JSON field saying why it has no answer (notPredicted, notPlanned), beside the problem it comes from. */
function unansweredJson(key: string, task: string, unanswered: readonly Unanswered[]): Record<string, string> {
  const u = unanswered.find((x) => x.task === task);
  return u ? { [key]: u.reason } : {};
}

function emit(
  tasks: TaskAnalysis[],
  f: InputFlags,
  sections: ((t: readonly TaskAnalysis[], name: OptionNamer) => string)[],
  source: string,
  extra?: (task: string) => Record<string, string>,
): void {
  const json = extra
    ? (downstreamJson(tasks, source, flagFor) as Record<string, unknown>[]).map((j, i) => ({
        ...j,
        ...extra(tasks[i].task),
      }))
    : downstreamJson(tasks, source, flagFor);
  if (f.out) writeOutput(f.out, JSON.stringify(json, null, 2) + '\n', f);
  if (f.json) printResult(json, source);
  else
    writeResult(
      [screenTable(tasks, flagFor), ...sections.map((s) => s(tasks, flagFor)).filter(Boolean)].join('\n\n') + '\n',
      source,
    );
}

/** The downstream sections with each task's sigmoid figure rendered (vega loads only here). */
export async function downstreamSectionsRendered(
  tasks: TaskAnalysis[],
  predicts?: boolean,
  name: OptionNamer = flagFor,
): Promise<ReturnType<typeof downstreamSections>> {
  const { renderSvg } = await import('../../render/render.js');
  const svgs: Record<string, string> = {};
  for (const t of tasks) {
    const spec = sigmoidPlot(t);
    if (spec && !nonFiniteNumbers(spec).length) svgs[t.task] = await renderSvg(spec);
  }
  return downstreamSections(tasks, svgs, predicts, name);
}

async function downstreamReportHtml(
  tasks: TaskAnalysis[],
  predicts: boolean,
  title: string,
  generatedBy: readonly string[],
): Promise<string> {
  return htmlPage(title, await downstreamSectionsRendered(tasks, predicts), generatedBy);
}

/**
 * Task metrics for the scaling report's downstream sections (`scalelab report --downstream FILES`): read
 * and checked now, so a bad file fails before the long fit; analysed by the function returned, with the
 * model the report plans (its N and D) predicted for each task.
 */
export function downstreamForReport(
  inputs: string[],
  replicates = 0,
  via?: string,
  // report has no --chance: its note names the command that has (scalelab downstream report --chance).
  name: OptionNamer = flagFor,
  batchTokens?: string,
): (planned?: { N: number; D: number }) => Promise<ReturnType<typeof downstreamSections>> {
  const route = via !== undefined ? keyword(via, '--via', DOWNSTREAM_ROUTES) : undefined;
  const data = readForAnalysis(inputs, fileOptions({ batchTokens }));
  noteTasksWithoutMetrics(data, {
    how: 'scalelab downstream report names one with --accuracy-metric TASK=NAME',
  });
  return (planned) =>
    downstreamSectionsRendered(
      analyseLadder(data, {
        replicates,
        ...(route ? { route } : {}),
        ...(planned ? { targets: [{ label: "the report's plan", N: planned.N, D: planned.D }] } : {}),
      }),
      hasTargets(data) || planned !== undefined,
      name,
    );
}

/** A target model of the user's (downstream predict's and report's --N, --D, --C). */
function addTargetModelFlags(cmd: Command): Command {
  return cmd
    .addOption(flag('N', { detail: 'a target model to predict (with --D)' }))
    .addOption(flag('D', { detail: "the target's" }))
    .addOption(flag('C', { detail: "the target's, when not 6ND" }));
}

interface TargetModelFlags {
  N?: string;
  D?: string;
  C?: string;
}

function givenTargets(f: TargetModelFlags): Target[] {
  if ((f.N === undefined) !== (f.D === undefined))
    throw new UsageError("--N and --D: give both (the target model's size and tokens)");
  if (f.N === undefined) {
    if (f.C !== undefined) throw new UsageError("--C is read with --N and --D (the target model's compute)");
    return [];
  }
  return [
    {
      label: 'given',
      N: parseQuantity(f.N, '--N'),
      D: parseQuantity(f.D!, '--D'),
      ...(f.C !== undefined ? { C: parseQuantity(f.C, '--C') } : {}),
    },
  ];
}

const EXAMPLES = `
Examples:
  scalelab downstream screen examples/downstream/olmo-ladder/ladder.json
  scalelab downstream predict examples/downstream/olmo-ladder/ladder.json --bootstrap 100
  scalelab downstream predict ladder.json --N 7e9 --D 4e12 --task hellaswag_val_5shot
  scalelab downstream plan examples/downstream/olmo-ladder/ladder.json --target-accuracy hellaswag_val_5shot=0.85
  scalelab downstream import results/*.json --batch-tokens 2097152 --study pythia && scalelab downstream screen --study pythia`;

export function registerDownstream(program: Command, run: Run): void {
  const ds = program
    .command('downstream')
    .description(
      'benchmark accuracy from small runs: per-task metrics, the two-step task loss → accuracy method, back-tests and a predictability screen',
    );

  ds.command('import')
    .description('import per-task metrics into the run store (one transaction per file; importing twice adds nothing)')
    .argument(
      '<files...>',
      'long CSV (run, N, tokens, task, metric, value), wide CSV (task/metric columns, OLMo wandb names), lm-evaluation-harness results JSON, or a ladder manifest',
    )
    .addOption(flag('study', { detail: 'to import into', default: 'downstream' }))
    .option('--run <name>', 'run name for a file without one (a wide CSV is named after its file)')
    .addOption(flag('N', { detail: 'for a file without an N column' }))
    .option('--tokens <n>', 'tokens seen, for a results file that records none')
    .addOption(flag('batch-tokens', { detail: 'to turn a checkpoint step into tokens' }))
    .option('--flops-per-token <n>', 'training FLOPs per token, so that C = D × this (default: C = 6ND)')
    .option('--wait <seconds>', 'how long to wait for another process writing to the store', '60')
    .addOption(flag('db', { default: defaultStorePath }))
    .addOption(flag('json'))
    .addHelpText(
      'after',
      `
Every file is read and checked before the store is opened: a bad file stops the import with its
file, line and column, and nothing is written. Each file is then one transaction. A value that
contradicts a stored one (same run, checkpoint, task and metric) is refused, naming both files.
A manifest's task definitions and run roles (target, rerun) are stored with the metrics, so that
"--study NAME" analyses as the manifest does; --target-runs and --reruns still mark runs.
${EXAMPLES}`,
    )
    .action(
      async (
        files: string[],
        f: {
          study: string;
          run?: string;
          N?: string;
          tokens?: string;
          batchTokens?: string;
          flopsPerToken?: string;
          wait: string;
          db: string;
          json?: boolean;
        },
      ) =>
        run(async () => {
          const waitSeconds = parseQuantity(f.wait, '--wait', { positive: false, unit: 'seconds' });
          const readOptions = {
            ...(f.run !== undefined ? { run: f.run } : {}),
            ...(f.N !== undefined ? { N: parseQuantity(f.N, '--N') } : {}),
            ...(f.tokens !== undefined ? { tokens: parseQuantity(f.tokens, '--tokens') } : {}),
            ...fileOptions(f),
          };
          let data: ReturnType<typeof readTaskMetrics> | undefined;
          const results: {
            file: string;
            added: number;
            skipped: number;
            emptyCells: number;
            ignoredColumns: string[];
            tasksWithoutMetrics: string[];
            warnings: string[];
          }[] = [];
          // A Ctrl-C from here on says what was stored: while the files are read and checked, nothing (heard
          // once they are: the reading is synchronous); then the files imported whole, one transaction each.
          const withdraw = onInterrupt(() =>
            interruptedImport(
              data?.sets.map((s) => s.source) ?? files,
              results.map((r) => r.file),
              f.db,
            ),
          );
          let opened: ReturnType<typeof openStore> | undefined;
          try {
            data = readTaskMetrics(files, readOptions);
            // Heard before the store is opened (or created).
            await betweenSteps();
            const store = (opened = openStore(f.db));
            for (const set of data.sets) {
              // A Ctrl-C during a file's import (one synchronous transaction) is handled here, before the next.
              await betweenSteps();
              const waiting = statusLine(f);
              try {
                const counts = await store.importTaskMetrics(f.study, set, importWait(f.db, waitSeconds, waiting), {
                  tasks: data.tasks,
                  roles: data.roles,
                  source: data.source,
                });
                results.push({
                  file: set.source,
                  ...counts,
                  emptyCells: set.emptyCells,
                  ignoredColumns: set.ignoredColumns,
                  tasksWithoutMetrics: set.tasksWithoutMetrics ?? [],
                  warnings: [logCountWarning(set)].filter((w) => w !== undefined),
                });
              } catch (e) {
                throw importStopped(
                  e,
                  set.source,
                  results.map((r) => r.file),
                );
              } finally {
                waiting.done();
              }
              const r = results[results.length - 1];
              if (!f.json) {
                const notes = [
                  r.emptyCells ? `${r.emptyCells} empty cells (not evaluated there)` : '',
                  r.ignoredColumns.length
                    ? `columns not read: ${r.ignoredColumns.slice(0, 6).join(', ')}${r.ignoredColumns.length > 6 ? ', …' : ''}`
                    : '',
                  r.tasksWithoutMetrics.length ? withoutMetricsNote(r.tasksWithoutMetrics) : '',
                ].filter(Boolean);
                writeStdout(
                  `${r.file}: ${r.added} metrics added, ${r.skipped} already in the store (study "${f.study}", ${f.db})${notes.length ? `; ${notes.join('; ')}` : ''}\n`,
                );
                for (const w of r.warnings) process.stderr.write(`scalelab: warning: ${r.file}: ${w}\n`);
              }
            }
            // A Ctrl-C during the last file's transaction is heard here, not lost with the listener: the line
            // then says the import had finished.
            await betweenSteps();
          } finally {
            withdraw();
            opened?.close();
          }
          if (f.json) printJson({ study: f.study, db: f.db, files: results });
        }, f.json),
    );

  inputOptions(
    ds
      .command('screen')
      .description(
        'which tasks can be predicted: noise, seeds, monotonicity, chance level and a back-test → a verdict per task',
      ),
  )
    .addHelpText(
      'after',
      `
Verdicts (docs/methods.md §33): near chance (best ladder accuracy within max(0.03, 5σ) of random
guessing; of 0, the default floor, where the task's chance level is not known: a generated answer's,
gsm8k's), noisy (σ over a tenth of the ladder's accuracy spread), not monotone (Spearman ρ of final
accuracy with compute < 0.8), noisy (the back-test misses by more than 10 %; by more than one accuracy
point where a held-out accuracy is below 0.10, judged on absolute error), else predictable: the
first that applies.
${EXAMPLES}`,
    )
    .action(async (inputs: string[], f: InputFlags) =>
      run(async () => {
        const data = loadData(inputs, f);
        emit(await analyse(data, analysisOptions(f), f), f, [], data.source);
      }, f.json),
    );

  inputOptions(
    ds
      .command('fit')
      .description('fit the two steps per task: task loss from (N, D) (and from C), accuracy from task loss'),
  )
    .addHelpText('after', EXAMPLES)
    .action(async (inputs: string[], f: InputFlags) =>
      run(async () => {
        const data = loadData(inputs, f);
        emit(await analyse(data, analysisOptions(f), f), f, [fitTable], data.source);
      }, f.json),
    );

  addTargetModelFlags(
    withBootstrap(
      inputOptions(
        ds
          .command('predict')
          .description(
            'chained prediction of accuracy for the targets in the data and/or --N/--D, with intervals through both steps',
          ),
      ),
      '100',
    ),
  )
    .option('--from-val-loss', FROM_VAL_LOSS)
    .addHelpText('after', EXAMPLES)
    .action(async (inputs: string[], f: InputFlags & BootstrapFlags & TargetModelFlags) =>
      run(async () => {
        const targets = givenTargets(f);
        const data = loadData(inputs, f);
        if (!targets.length && !hasTargets(data))
          throw new UsageError(
            'nothing to predict: give --N and --D, or mark target runs (--target-runs, or role "target" in a manifest)',
          );
        const tasks = await analyse(data, analysisOptions(f, { targets, ...bootstrapOptions(f) }), f);
        const unanswered = reasons(tasks, notPredictedReason);
        emit(tasks, f, [predictionTable], data.source, (t) => unansweredJson('notPredicted', t, unanswered));
        judgeUnanswered('predicted', unanswered, tasks.length, list(f.task).length > 0);
      }, f.json),
    );

  inputOptions(
    ds
      .command('backtest')
      .description("per task: hold out the largest model size, fit on the rest, predict its runs' final accuracy"),
  )
    .addHelpText('after', EXAMPLES)
    .action(async (inputs: string[], f: InputFlags) =>
      run(async () => {
        const data = loadData(inputs, f);
        emit(await analyse(data, analysisOptions(f), f), f, [backtestTable], data.source);
      }, f.json),
    );

  addTargetModelFlags(
    withBootstrap(
      inputOptions(
        ds
          .command('report')
          .description(
            'write a self-contained HTML report: the screen, per-task fits, the sigmoid figures, the back-test and the predictions',
          ),
        'the report, HTML (required)',
      ),
      '100',
    ),
  )
    .option('--from-val-loss', FROM_VAL_LOSS)
    .addHelpText(
      'after',
      `
The --out file is the HTML page (required); --json prints a summary.
With target runs (--target-runs, or role "target" in a manifest) or a model of yours (--N and --D, as
downstream predict takes them) the report predicts them, and its
exit code follows downstream predict's rule: a task named in --task that gets no prediction makes
the run exit 1 after the page is written (its reason on stderr, and as notPredicted in --json); from
a report over every task such a task is a warning, unless no task was predicted at all (exit 1).
${EXAMPLES}
  scalelab downstream report examples/downstream/olmo-ladder/ladder.json --out downstream.html`,
    )
    .action(async (inputs: string[], f: InputFlags & BootstrapFlags & TargetModelFlags) =>
      run(async () => {
        if (!f.out) throw new UsageError('--out: expected the HTML file to write');
        const targets = givenTargets(f);
        const data = loadData(inputs, f, {
          what: 'the report',
          format: 'HTML',
          extensions: ['.html', '.htm'],
          fileOnly: true,
        });
        const tasks = await analyse(data, analysisOptions(f, { targets, ...bootstrapOptions(f) }), f);
        // The page predicts when the data have target runs or --N/--D name a model; then a task without a
        // prediction is judged as downstream predict judges it.
        const predicts = hasTargets(data) || targets.length > 0;
        // Version, date, command line and each input file's hash (a study's records have no file).
        const made = provenance(taskMetricFilesRead(inputs));
        const html = await downstreamReportHtml(
          tasks,
          predicts,
          `Downstream report: ${data.source}`,
          provenanceLines(made, data.source),
        );
        checkFiniteText(html, data.source);
        writeOutput(
          f.out,
          html,
          f,
          `${Math.round(html.length / 1024)} KiB, ${tasks.length} task${tasks.length === 1 ? '' : 's'}`,
        );
        const unanswered = predicts ? reasons(tasks, notPredictedReason) : [];
        if (f.json)
          printResult(
            {
              out: f.out,
              bytes: html.length,
              tasks: tasks.map((t) => ({
                task: t.task,
                verdict: t.screen?.verdict ?? null,
                ...unansweredJson('notPredicted', t.task, unanswered),
              })),
              provenance: made,
            },
            data.source,
          );
        judgeUnanswered('predicted', unanswered, tasks.length, list(f.task).length > 0);
      }, f.json),
    );

  withBootstrap(
    inputOptions(
      ds
        .command('plan')
        .description(
          'the compute and model (compute-optimal, C = 6ND) that reach a target accuracy, with the interval and the verdict',
        ),
    ),
    '100',
  )
    .addOption(flag('targetAccuracy', { required: true }))
    .addOption(flag('horizon', { default: String(PLAN_HORIZON) }))
    .addHelpText('after', EXAMPLES)
    .action(async (inputs: string[], f: InputFlags & BootstrapFlags & { targetAccuracy: string; horizon: string }) =>
      run(async () => {
        const plan = parseTargetAccuracy(f.targetAccuracy);
        const horizon = parseHorizon(f.horizon);
        const data = loadData(inputs, f);
        const options = analysisOptions(f, { plan, horizon, ...bootstrapOptions(f) });
        options.tasks = Object.keys(plan);
        const tasks = await analyse(data, options, f);
        const unanswered = reasons(tasks, notPlannedReason);
        emit(tasks, f, [planTable], data.source, (t) => unansweredJson('notPlanned', t, unanswered));
        // Every task of a plan is named by --target-accuracy.
        judgeUnanswered('planned', unanswered, tasks.length, true);
      }, f.json),
    );
}
