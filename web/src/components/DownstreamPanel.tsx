import { useMemo, useState } from 'react';
import type { TaskMetricData, TaskMetricSet } from '../../../src/io/parseTaskMetrics.js';
import { formatInterval, formatNumber } from '../../../src/core/format.js';
import { backtestErrorWords, backtestRunErrorWords } from '../../../src/analyses/downstreamScreen.js';
import {
  actualErrorText,
  backtestCell,
  chanceSourceText,
  lossToErrorText,
  negatedLossNotes,
  oneTokenCountNotes,
  predictionIntervalNote,
  sigmoidText,
  taskLossCText,
  taskLossText,
  screenNotes,
  valLossNotes,
  viaValLossCell,
} from '../../../src/report/text/downstream.js';
import { toErrorInfo, withNextStep, type ErrorInfo } from '../lib/errors.js';
import { fileText } from '../lib/upload.js';
import { fileStem } from '../lib/download.js';
import { readChosenMetrics, type ChosenFile } from '../lib/chosenMetrics.js';
import { useDownstream } from '../hooks/useDownstream.js';
import type { DownstreamSettings, DownstreamTask } from '../worker/protocol.js';
import { taskMetricOffers, type TaskMetricOffer } from '../../../src/analyses/taskChoices.js';
import type { Spec } from '../../../src/plots/specs.js';
import { ErrorBanner } from './ErrorBanner.js';
import { Field } from './Field.js';
import { VegaFigure } from './VegaFigure.js';
import { RunningStatus } from './ProgressBar.js';
import { ReplicatesSelect } from './ReplicatesSelect.js';
import { TableScroll } from './TableScroll.js';
import { RunButton } from './RunButton.js';

/** Whether any checkpoint of the files records a validation loss (Gadre et al.'s chain needs one). */
const hasValidationLoss = (sets: readonly TaskMetricSet[]) =>
  sets.some((s) => s.records.some((r) => r.valLoss !== undefined));

const acc = (x: number) => x.toFixed(3);

/** Tokens per optimizer step as typed: a positive number, none when empty, or the reason it cannot be read. */
function readBatchTokens(text: string): { value?: number; problem?: string } {
  const t = text.trim().replace(/[,_]/g, '');
  if (t === '') return {};
  const value = Number(t);
  return Number.isFinite(value) && value > 0
    ? { value }
    : { problem: `tokens per step: expected a positive number such as 2097152 or 4e6, got "${text.trim()}"` };
}

const suffixes: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, B: 1e9, G: 1e9, T: 1e12 };

/** A chance level as typed ("0.25", "25%"): the fraction, none when empty; what cannot be read joins `problems`. */
function readChance(text: string, label: string, problems: string[]): number | undefined {
  const c = text.trim();
  if (c === '') return undefined;
  const value = c.endsWith('%') ? Number(c.slice(0, -1)) / 100 : Number(c);
  if (c.slice(0, c.endsWith('%') ? -1 : undefined).trim() !== '' && value >= 0 && value < 1) return value;
  problems.push(`${label}: expected a fraction from 0 up to 1 such as 0.25 (or 25%), got "${c}"`);
  return undefined;
}

/** A task's choices as made in the panel: a metric name ('' or absent: the default) and a chance level as typed. */
type TaskChoiceTexts = Record<string, { accuracy?: string; loss?: string; chance?: string }>;

/** The per-task choices for the worker (as the CLI's TASK=NAME flags), with what cannot be read. */
function readPerTask(texts: TaskChoiceTexts): {
  perTask: NonNullable<DownstreamSettings['perTask']>;
  problems: string[];
} {
  const perTask: NonNullable<DownstreamSettings['perTask']> = { accuracyMetric: {}, lossMetric: {}, chance: {} };
  const problems: string[] = [];
  for (const [task, c] of Object.entries(texts)) {
    if (c.accuracy) perTask.accuracyMetric[task] = c.accuracy;
    if (c.loss) perTask.lossMetric[task] = c.loss;
    const level = readChance(c.chance ?? '', `chance level of ${task}`, problems);
    if (level !== undefined) perTask.chance[task] = level;
  }
  return { perTask, problems };
}

/**
 * The target and chance as typed ("7B", "1.4e11", "25%"): each number, or what cannot be read. A value
 * that was not a number used to be dropped in silence (no target, no chance), the run going on without it.
 */
function readQuestion(texts: { N: string; D: string; chance: string }): {
  N?: number;
  D?: number;
  chance?: number;
  problems: string[];
} {
  const problems: string[] = [];
  const quantity = (text: string, label: string, example: string) => {
    const t = text.trim().replace(/[,_]/g, '');
    if (t === '') return undefined;
    const m = /^([0-9.]+(?:[eE][+-]?\d+)?)\s*([kKMBGT])?$/.exec(t);
    const value = m ? Number(m[1]) * (m[2] ? suffixes[m[2]] : 1) : NaN;
    if (Number.isFinite(value) && value > 0) return value;
    problems.push(`${label}: expected ${example}, got "${text.trim()}"`);
    return undefined;
  };
  const N = quantity(texts.N, 'target N', 'a number of parameters such as 7e9 or 7B');
  const D = quantity(texts.D, 'target D', 'a number of tokens such as 1.4e11 or 140B');
  if ((N === undefined) !== (D === undefined) && problems.length === 0)
    problems.push('target: give both N and D for a target model (or neither, to screen and fit only)');
  const chance = readChance(texts.chance, 'chance accuracy', problems);
  return {
    ...(N !== undefined ? { N } : {}),
    ...(D !== undefined ? { D } : {}),
    ...(chance !== undefined ? { chance } : {}),
    problems,
  };
}

/**
 * How the screen's notes name an option here: the chance fields are the panel's (every task's, and each
 * task's under per-task metrics); the moving average has no
 * control in the panel, so its advice is the command line's.
 */
const chanceField = (option: string) =>
  option === 'chance'
    ? "the panel's chance fields"
    : option === 'movingAverage'
      ? "the CLI's --moving-average"
      : `option "${option}"`;

/** A task's verdict and every reason behind it, or why it was not screened. */
function whyText(t: DownstreamTask): string {
  // The notes the CLI's screen prints for this task (its accuracy metric, where its chance level came from,
  // reasons, unchecked assumptions, parts and warnings), then why a step could not run.
  return [
    ...screenNotes([t], chanceField, { noise: false }).map((n) => n.text),
    t.screenProblem ?? '',
    t.fitProblem ?? '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** What the live region says when an analysis arrives: how many tasks were screened and predicted. */
function downstreamAnnouncement(tasks: readonly DownstreamTask[]): string {
  const predicted = tasks.filter((t) => t.targets.length > 0).length;
  return `Screened ${tasks.length} task${tasks.length === 1 ? '' : 's'}${predicted ? `; ${predicted} predicted at the target` : ''}.`;
}

/**
 * Benchmark accuracy from small runs (docs/methods.md §31–§34), in the browser: upload per-task metrics
 * (a long CSV, a wide CSV, or lm-evaluation-harness results JSON with the model's N), see which tasks
 * can be predicted, each task's fits, back-test and sigmoid, and a target model's accuracy. The
 * analysis runs in a worker of its own; the page stays usable meanwhile.
 */
export function DownstreamPanel() {
  // The files as chosen, kept so that a change of the tokens per step reads them again.
  const [files, setFiles] = useState<ChosenFile[]>([]);
  const [data, setData] = useState<TaskMetricData>();
  const [notRead, setNotRead] = useState<string[]>([]);
  const [batchText, setBatchText] = useState('');
  const [uploadError, setUploadError] = useState<ErrorInfo>();
  const [chance, setChance] = useState('');
  const [N, setN] = useState('');
  const [D, setD] = useState('');
  const [replicates, setReplicates] = useState(50);
  const [viaValLoss, setViaValLoss] = useState(false);
  const [choiceTexts, setChoiceTexts] = useState<TaskChoiceTexts>({});
  const state = useDownstream();
  const sets = data?.sets ?? [];
  const manifestTargets = [...(data?.roles.values() ?? [])].filter((r) => r === 'target').length;
  const valLossRecorded = hasValidationLoss(sets);

  const batch = readBatchTokens(batchText);
  const question = readQuestion({ N, D, chance });
  const perTask = readPerTask(choiceTexts);
  const problems = [...question.problems, ...perTask.problems];
  // Each task's metrics and defaults, for the per-task controls (as the CLI's --accuracy-metric TASK=NAME).
  const offers = useMemo(() => (data ? taskMetricOffers(data) : []), [data]);
  const choose = (task: string, key: 'accuracy' | 'loss' | 'chance', value: string) =>
    setChoiceTexts((all) => ({ ...all, [task]: { ...all[task], [key]: value } }));

  /** Read the files again (new files, or new tokens per step); the result shown is for the old ones. */
  const reread = (chosen: ChosenFile[], batchTokens: number | undefined) => {
    setUploadError(undefined);
    state.clear();
    try {
      const read = readChosenMetrics(chosen, batchTokens);
      // Other files, other tasks: the choices made for the old ones are dropped.
      if (chosen !== files) setChoiceTexts({});
      setData(read.data);
      setNotRead(read.notRead);
    } catch (e) {
      setData(undefined);
      setNotRead([]);
      setUploadError(withNextStep(toErrorInfo(e), { again: 'choose it again in the Downstream accuracy panel' }));
    }
  };

  /** Files chosen, or a folder's (each by its path within the folder, as a manifest lists them). */
  const upload = async (list: FileList | null) => {
    let chosen;
    try {
      chosen = await Promise.all(
        Array.from(list ?? []).map(async (f) => {
          const path = f.webkitRelativePath || f.name;
          return { path, text: await fileText(f, path) };
        }),
      );
    } catch (e) {
      setData(undefined);
      setNotRead([]);
      setUploadError(withNextStep(toErrorInfo(e), { again: 'choose it again in the Downstream accuracy panel' }));
      return;
    }
    setFiles(chosen);
    reread(chosen, batch.value);
  };

  const changeBatch = (text: string) => {
    setBatchText(text);
    const next = readBatchTokens(text);
    if (!next.problem && next.value !== batch.value && files.length) reread(files, next.value);
  };

  const analyse = () => {
    setUploadError(undefined);
    if (problems.length) return;
    const target =
      question.N !== undefined && question.D !== undefined ? [{ label: 'target', N: question.N, D: question.D }] : [];
    const c = question.chance;
    state.run(sets, {
      targets: target,
      replicates,
      validationLossChain: viaValLoss && valLossRecorded,
      ...(data && (data.roles.size || data.tasks.length)
        ? { ladder: { roles: [...data.roles], tasks: data.tasks } }
        : {}),
      ...(c !== undefined ? { chance: c } : {}),
      perTask: perTask.perTask,
    });
  };

  const error = uploadError ?? state.error;
  const tasks = state.outcome?.tasks;
  const notPredicted = new Set(state.outcome?.notPredicted.map((u) => u.task));
  const stem = fileStem(sets[0]?.source ?? 'downstream');
  return (
    <section
      className="panel"
      data-testid="downstream-panel"
      aria-labelledby="downstream-heading"
      aria-busy={state.running}
    >
      <h2 id="downstream-heading">Downstream accuracy</h2>
      <p className="muted">
        Per-task metrics of a ladder of runs: which tasks can be predicted, each task&apos;s fits and back-test, and a
        target model&apos;s accuracy (the two-step method when the task has a task loss, else a law in compute). It runs
        in a worker of its own: the page stays usable while it works.
      </p>
      <div className="form-grid">
        <Field label="Task metrics (CSV or lm-evaluation-harness JSON, or a ladder manifest with its files)">
          <input
            type="file"
            multiple
            accept=".csv,.json"
            data-testid="downstream-upload"
            onChange={(e) => void upload(e.target.files)}
          />
        </Field>
        <Field
          label="or a ladder's folder"
          hint="Its manifest (ladder.json) and the files it lists, e.g. examples/downstream/pythia."
        >
          <input
            type="file"
            // A folder: the browser gives each file's path within it, as the manifest lists them.
            {...{ webkitdirectory: '' }}
            data-testid="downstream-folder"
            onChange={(e) => void upload(e.target.files)}
          />
        </Field>
        <Field
          label="tokens per step"
          hint={
            batch.problem ? (
              <span className="field-error" role="status" data-testid="downstream-batch-error">
                {batch.problem}
              </span>
            ) : (
              'For checkpoints named by step (lm-eval JSON): tokens = step × this.'
            )
          }
        >
          <input
            value={batchText}
            onChange={(e) => changeBatch(e.target.value)}
            placeholder="e.g. 2097152"
            size={9}
            inputMode="numeric"
            aria-invalid={batch.problem !== undefined}
            data-testid="downstream-batch-tokens"
          />
        </Field>
        <Field label="chance accuracy">
          <input value={chance} onChange={(e) => setChance(e.target.value)} placeholder="e.g. 0.25" size={6} />
        </Field>
        <Field label="target N">
          <input value={N} onChange={(e) => setN(e.target.value)} placeholder="7e9" size={8} />
        </Field>
        <Field label="target D">
          <input value={D} onChange={(e) => setD(e.target.value)} placeholder="4e12" size={8} />
        </Field>
        <Field label="bootstrap replicates">
          <ReplicatesSelect testId="downstream-replicates" value={replicates} onChange={setReplicates} />
        </Field>
        <label
          className="check"
          title={
            valLossRecorded ? undefined : 'The uploaded checkpoints record no validation loss (a val_loss column).'
          }
        >
          <input
            type="checkbox"
            data-testid="downstream-val-loss"
            checked={viaValLoss && valLossRecorded}
            disabled={!valLossRecorded}
            onChange={(e) => setViaValLoss(e.target.checked)}
          />{' '}
          also from validation loss (Gadre et al.)
        </label>
        <RunButton
          running={state.running}
          unavailable={
            !sets.length
              ? "Choose task-metric files, or a ladder's folder, first."
              : problems.length > 0
                ? 'Fix the fields listed below first.'
                : undefined
          }
          onRun={analyse}
          label="Screen and predict"
          busyLabel="Analysing…"
          testId="downstream-run"
        />
      </div>
      {problems.length > 0 && (
        // The status region holds the list (role="status" on the list itself hid its items from assistive technology).
        <div role="status" data-testid="downstream-input-error">
          <ul className="inline-error">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      {sets.length > 0 && (
        <p className="muted" data-testid="downstream-files">
          {sets.reduce((a, s) => a + s.records.length, 0)} metrics from {sets.length} file{sets.length === 1 ? '' : 's'}
          {data?.roles.size
            ? ` (a ladder manifest's runs${manifestTargets ? `, ${manifestTargets} of them targets to predict` : ''})`
            : ''}
          {valLossRecorded ? ', with validation losses' : '; no validation loss, so no chain through it'}.
          {notRead.length > 0 &&
            ` Also in the folder, not read: ${notRead.join(', ')} (choose it with its files to read it).`}
        </p>
      )}
      {offers.length > 0 && (
        <TaskChoices
          offers={offers}
          texts={choiceTexts}
          choose={choose}
          {...(question.chance !== undefined ? { every: question.chance } : {})}
        />
      )}
      {state.running && (
        <RunningStatus testId="downstream-running" doing="Analysing" steps="tasks" progress={state.progress} />
      )}
      {/* Told when the result arrives: the focus stays on the button pressed, not moved to the result. */}
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="downstream-announcer">
        {tasks ? downstreamAnnouncement(tasks) : ''}
      </p>
      {error && <ErrorBanner title="Task metrics" error={error} />}
      {tasks && state.outcome && (
        <div data-testid="downstream-result">
          <TableScroll label="Which tasks can be predicted">
            <table className="compact" data-testid="downstream-screen">
              <caption>Which tasks can be predicted (before any prediction)</caption>
              <thead>
                <tr>
                  <th>task</th>
                  <th>verdict</th>
                  <th className="num">back-test error</th>
                  <th className="num">predicted accuracy</th>
                  <th>why</th>
                </tr>
              </thead>
              <tbody>
                {tasks.map((t) => {
                  const target = t.targets[0];
                  return (
                    <tr key={t.task}>
                      <th scope="row">{t.task}</th>
                      <td>{t.screen?.verdict ?? 'not screened'}</td>
                      <td className="num">{t.screen?.backtest ? backtestCell(t.screen.backtest) : ''}</td>
                      <td className="num">
                        {target
                          ? `${acc(target.accuracy)}${target.interval ? ` ${formatInterval(target.interval.accuracy, acc)}` : ''}`
                          : notPredicted.has(t.task)
                            ? 'not predicted'
                            : ''}
                      </td>
                      <td>{whyText(t)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
          {state.outcome.notPredicted.length > 0 && (
            <ul className="warnings" data-testid="downstream-not-predicted">
              {state.outcome.notPredicted.map((u) => (
                <li key={u.task}>
                  <b>{u.task}</b>: not predicted at the target: {u.reason}
                </li>
              ))}
            </ul>
          )}
          <p className="muted" data-testid="downstream-interval-note">
            {/* Without a target nothing is predicted, so "no bootstrap replicates" would contradict the replicates chosen. */}
            {tasks.some((t) => t.targets.length)
              ? predictionIntervalNote(tasks)
              : state.outcome.notPredicted.length
                ? 'Nothing predicted at the target: the line above says why for each task.'
                : 'No target model, so no prediction: give target N and D to predict its accuracy (with an interval from the bootstrap replicates).'}{' '}
            Took {(state.outcome.timings.analysisMs / 1000).toFixed(1)} s.
          </p>
          {[...oneTokenCountNotes(tasks), ...negatedLossNotes(tasks), ...valLossNotes(tasks)].length > 0 && (
            <ul className="skipped">
              {[...oneTokenCountNotes(tasks), ...negatedLossNotes(tasks), ...valLossNotes(tasks)].map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
          {tasks.map((t, i) => (
            <TaskDetails key={t.task} task={t} index={i} figure={state.outcome!.figures[t.task]} stem={stem} />
          ))}
        </div>
      )}
    </section>
  );
}

/**
 * Per task, the accuracy metric and the task-loss metric to read (the metrics the task has in the files; the
 * default, as the analysis picks it, marked "(default)") and its chance level (known, or none: the floor 0,
 * the default) — what the CLI's --accuracy-metric / --loss-metric TASK=NAME and --chance TASK=ACC choose.
 */
function TaskChoices({
  offers,
  texts,
  choose,
  every,
}: {
  offers: TaskMetricOffer[];
  texts: TaskChoiceTexts;
  choose: (task: string, key: 'accuracy' | 'loss' | 'chance', value: string) => void;
  /** The chance accuracy field's level, every task's not given its own. */
  every?: number;
}) {
  return (
    <details className="subsection" data-testid="downstream-task-choices">
      <summary>Per-task metrics and chance levels ({offers.length} tasks)</summary>
      <TableScroll label="Per-task metrics and chance levels">
        <table className="compact">
          <caption>
            Which accuracy and task-loss metric each task reads, and its chance level (as the CLI&apos;s
            --accuracy-metric, --loss-metric and --chance TASK=…)
          </caption>
          <thead>
            <tr>
              <th>task</th>
              <th>accuracy metric</th>
              <th>task-loss metric</th>
              <th>chance level</th>
            </tr>
          </thead>
          <tbody>
            {offers.map((o) => {
              const t = texts[o.task] ?? {};
              const accuracyDefault =
                o.accuracyMetric === undefined
                  ? 'none: not analysed'
                  : o.accuracyMetric === 'each part'
                    ? "each part's own"
                    : o.accuracyMetric;
              const chanceDefault =
                every !== undefined
                  ? `${every.toFixed(3)} (the chance accuracy field)`
                  : o.chance
                    ? `${o.chance.level.toFixed(3)} (${chanceSourceText(o.chance.source, chanceField)})`
                    : 'none: the floor 0';
              return (
                <tr key={o.task} data-testid="downstream-task-choice">
                  <th scope="row">{o.task}</th>
                  <td>
                    <select
                      aria-label={`accuracy metric of ${o.task}`}
                      value={t.accuracy ?? ''}
                      onChange={(e) => choose(o.task, 'accuracy', e.target.value)}
                    >
                      <option value="">{accuracyDefault} (default)</option>
                      {o.metrics
                        .filter((m) => m !== o.accuracyMetric)
                        .map((m) => (
                          <option key={m} value={m}>
                            {m}
                          </option>
                        ))}
                    </select>
                  </td>
                  <td>
                    <select
                      aria-label={`task-loss metric of ${o.task}`}
                      value={t.loss ?? ''}
                      onChange={(e) => choose(o.task, 'loss', e.target.value)}
                    >
                      <option value="">{o.lossMetric ?? 'none: the law in C'} (default)</option>
                      {o.metrics
                        .filter((m) => m !== o.lossMetric)
                        .map((m) => (
                          <option key={m} value={m}>
                            {m}
                          </option>
                        ))}
                    </select>
                  </td>
                  <td>
                    <input
                      aria-label={`chance level of ${o.task}`}
                      value={t.chance ?? ''}
                      onChange={(e) => choose(o.task, 'chance', e.target.value)}
                      placeholder="e.g. 0.25"
                      size={6}
                    />{' '}
                    <span className="muted">
                      {chanceDefault}
                      {every === undefined ? ' (default)' : ''}
                    </span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>
    </details>
  );
}

/** One task: its verdict, fits, back-test, predictions and sigmoid figure. */
function TaskDetails({
  task: t,
  index,
  figure,
  stem,
}: {
  task: DownstreamTask;
  index: number;
  figure?: Spec;
  stem: string;
}) {
  const headingId = `downstream-task-${index}`;
  const f = t.fit;
  const b = t.screen?.backtest;
  const withValLoss = t.targets.some((r) => r.viaValLoss);
  return (
    <section className="subsection" aria-labelledby={headingId} data-testid={`downstream-task-${index}`}>
      <h3 id={headingId}>
        {t.task}: {t.screen?.verdict ?? 'not screened'}
      </h3>
      <TableScroll label={`${t.task}: fits`}>
        <table className="compact" data-testid="downstream-fits">
          <caption>Fits</caption>
          <tbody>
            {f && (
              <>
                <tr>
                  <th scope="row">step 1: task loss ({f.lossMetric}) from N, D</th>
                  <td data-testid="downstream-step1">
                    {taskLossText(f.step1.params)} (rms ln {f.step1.rmsLog.toFixed(4)}, {f.step1.points} runs)
                  </td>
                </tr>
                <tr>
                  <th scope="row">step 1 through C</th>
                  <td>{taskLossCText(f.step1C.params)}</td>
                </tr>
                <tr>
                  <th scope="row">step 2: accuracy ({f.accuracyMetric}) from task loss</th>
                  <td data-testid="downstream-step2">
                    {sigmoidText(f.step2, 3)} (rmse {f.step2.rmse.toFixed(4)}, {f.step2.points} points)
                  </td>
                </tr>
              </>
            )}
            {!f && t.direct && (
              <tr>
                <th scope="row">no task loss: the direct law in C</th>
                <td data-testid="downstream-direct">
                  {sigmoidText(t.direct, 2)} of x = −ln C (rmse {t.direct.rmse.toFixed(4)})
                </td>
              </tr>
            )}
            {!f && !t.direct && (
              <tr>
                <th scope="row">not fitted</th>
                <td>{t.fitProblem ?? ''}</td>
              </tr>
            )}
            {t.lossToError && (
              <tr>
                <th scope="row">error from validation loss (Gadre et al.)</th>
                <td>
                  {lossToErrorText(t.lossToError)} (rmse {t.lossToError.rmse.toFixed(4)})
                </td>
              </tr>
            )}
            {t.valLossLaw && (
              <tr>
                <th scope="row">validation loss from N, D</th>
                <td>{taskLossText(t.valLossLaw.params)}</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableScroll>
      {b ? (
        <TableScroll label={`${t.task}: back-test`}>
          <table className="compact" data-testid="downstream-backtest">
            <caption>
              Back-test: the largest size (N = {formatNumber(b.N, 3)}) held out, {b.method}; mean error{' '}
              {backtestErrorWords(b)}
            </caption>
            <thead>
              <tr>
                <th>held-out run</th>
                <th className="num">D</th>
                <th className="num">actual</th>
                <th className="num">predicted</th>
                <th className="num">error</th>
              </tr>
            </thead>
            <tbody>
              {b.runs.map((r) => (
                <tr key={r.run}>
                  <th scope="row">{r.run}</th>
                  <td className="num">{formatNumber(r.D, 3)}</td>
                  <td className="num">{acc(r.actual)}</td>
                  <td className="num">{acc(r.predicted)}</td>
                  <td className="num">{backtestRunErrorWords(b, r)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : (
        <p className="muted">No back-test: {t.screen?.backtestProblem ?? t.screenProblem ?? 'not screened'}</p>
      )}
      {t.targets.length > 0 && (
        <TableScroll label={`${t.task}: prediction`}>
          <table className="compact" data-testid="downstream-predictions">
            <caption>Prediction</caption>
            <thead>
              <tr>
                <th>target</th>
                <th className="num">N</th>
                <th className="num">D</th>
                <th className="num">task loss{t.fit ? ` (${t.fit.lossNegated ? '−' : ''}${t.fit.lossMetric})` : ''}</th>
                <th className="num">accuracy</th>
                <th className="num">{t.fit ? 'through C (step 1 in C, then step 2)' : 'through C'}</th>
                {withValLoss && <th className="num">from val. loss</th>}
                <th className="num">actual (error)</th>
              </tr>
            </thead>
            <tbody>
              {t.targets.map((r) => (
                <tr key={r.label}>
                  <th scope="row">{r.label}</th>
                  <td className="num">{formatNumber(r.N, 3)}</td>
                  <td className="num">{formatNumber(r.D, 3)}</td>
                  <td className="num">{r.taskLoss !== undefined ? r.taskLoss.toFixed(4) : 'direct in C'}</td>
                  <td className="num" data-testid="downstream-accuracy">
                    {acc(r.accuracy)}
                    {r.interval ? ` ${formatInterval(r.interval.accuracy, acc)}` : ''}
                  </td>
                  <td className="num">
                    {r.viaC === undefined ? '–' : acc(r.viaC)}
                    {r.interval?.viaC ? ` ${formatInterval(r.interval.viaC, acc)}` : ''}
                  </td>
                  {withValLoss && (
                    <td className="num" data-testid="downstream-via-val-loss">
                      {viaValLossCell(r)}
                    </td>
                  )}
                  <td className="num">
                    {r.actual
                      ? `${acc(r.actual.accuracy)} (${actualErrorText(r.accuracy, r.actual.accuracy)})${r.covered === false ? ' outside' : ''}`
                      : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {t.targets.length > 0 && t.caveats?.length ? (
        <ul className="warnings">
          {t.caveats.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      ) : null}
      {figure && (
        <VegaFigure
          kind={`downstream-${index}`}
          caption={`${t.task}: accuracy from task loss — each point a checkpoint, coloured by model size; the line is the fitted sigmoid; red: the targets, predicted (open) and actual (filled)`}
          spec={figure}
          filename={`${stem}-${t.task.replace(/[^A-Za-z0-9_-]+/g, '-')}-sigmoid`}
        />
      )}
    </section>
  );
}
