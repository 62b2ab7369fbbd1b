/**
 * The downstream analysis as text (the CLI) and as plain JSON (--json, --out, the HTML report): the
 * screening verdicts always come first, before any fit or prediction.
 */
import { libraryOption, renameOptions, type OptionNamer } from '../../errors/index.js';
import { formatInterval, formatNumber, formatPercent, formatRange } from '../../core/format.js';
import { textTable } from '../../core/table.js';
import type { BudgetAnswer, OpenInterval, TaskAnalysis } from '../../analyses/downstreamLadder.js';
import {
  averageMembers,
  sigmoidBounds,
  DOWNSTREAM_EXTRAPOLATION,
  DOWNSTREAM_STEP2,
  type ComputeCount,
  type LossToError,
  type Sigmoid,
  type TaskLossFit,
} from '../../analyses/downstream.js';
import { computeCountWords } from '../../analyses/downstreamLadder.js';
import type { ChanceSource } from '../../analyses/answerChoices.js';
import {
  actualErrorWords,
  backtestErrorWords,
  errorAgainstActual,
  backtestMeasureNote,
  backtestRunErrorWords,
  type TaskScreen,
} from '../../analyses/downstreamScreen.js';
import { paramsOff } from '../../fit/summary.js';

const pct = (x: number) => formatPercent(x);

/** Where each number's method comes from (docs/methods.md §31–§34), repeated in every task's JSON. */
const DOWNSTREAM_METHODS = {
  twoStep:
    'step 1 (task loss from N, D; Chinchilla form) and step 2 (accuracy from task loss; sigmoid): Bhagia et al. 2024, "Establishing Task Scaling Laws via Compute-Efficient Model Ladders", arXiv:2412.04403, §3',
  direct: 'direct law in C (no task loss): the step-2 sigmoid of −ln C (docs/methods.md §32)',
  viaValLoss:
    "route val-loss: step 1 the validation loss at N, D (Chinchilla form, fitted to the ladder's final validation losses), step 2 the sigmoid average from validation loss to accuracy without the ideal point; intervals as the two steps' (docs/methods.md §33)",
  lossToError:
    'error from validation loss, Err = ε − k·e^(−γL): Gadre et al. 2024, "Language models scale reliably with over-training and on downstream tasks", arXiv:2403.08540, Eq. 4',
  valLossChain:
    "when asked for: the validation loss at N, D from a Chinchilla-form law fitted to the ladder's final validation losses, then Gadre et al.'s exponential; with replicates, its interval resamples whole runs through both and adds one evaluation's noise and the two-step method's extrapolation term (docs/methods.md §32)",
  screen: "the screen's verdicts and thresholds: docs/methods.md §33",
  docs: 'docs/methods.md §31–§34',
} as const;

/** Plain data (no law objects): what --json prints and --out writes; `source` names the data. */
export function downstreamJson(
  tasks: readonly TaskAnalysis[],
  source?: string,
  name: OptionNamer = libraryOption,
): unknown {
  return tasks.map((t) => ({
    task: t.task,
    ...(t.parts ? { parts: t.parts } : {}),
    ...(t.accuracyMetric ? { accuracyMetric: t.accuracyMetric } : {}),
    ...(t.warnings ? { warnings: t.warnings.map((w) => ({ ...w, message: renameOptions(w.message, name) })) } : {}),
    ...(source !== undefined ? { source } : {}),
    methods: DOWNSTREAM_METHODS,
    route: t.route ?? null,
    verdict: t.screen?.verdict ?? null,
    screen: t.screen ?? null,
    ...(t.screenProblem ? { screenProblem: t.screenProblem } : {}),
    fit: t.fit
      ? {
          lossMetric: t.fit.lossMetric,
          ...(t.fit.lossNegated ? { lossNegated: true } : {}),
          accuracyMetric: t.fit.accuracyMetric,
          options: t.fit.options,
          step1: {
            law: t.fit.step1.law.id,
            formula: t.fit.step1.law.formula,
            ...lawParamsJson(t.fit.step1),
            rmsLog: t.fit.step1.rmsLog,
            points: t.fit.step1.points,
          },
          step1C: {
            law: 'power (C)',
            formula: t.fit.step1C.law.formula,
            ...lawParamsJson(t.fit.step1C),
            rmsLog: t.fit.step1C.rmsLog,
            points: t.fit.step1C.points,
          },
          step2: t.fit.step2,
          noise: t.fit.noise,
          finals: t.fit.finals,
        }
      : null,
    ...(t.fitProblem ? { fitProblem: t.fitProblem } : {}),
    ...(t.caveats ? { caveats: t.caveats.map((c) => renameOptions(c, name)) } : {}),
    ...(t.computeRatio ? { computeRatio: t.computeRatio } : {}),
    ...(t.extrapolation !== undefined ? { extrapolation: t.extrapolation } : {}),
    ...(t.planProblem ? { planProblem: t.planProblem } : {}),
    ...(t.targetProblem ? { targetProblem: t.targetProblem } : {}),
    ...(t.direct ? { direct: t.direct } : {}),
    ...(t.viaValLossFit
      ? {
          viaValLoss: {
            options: t.viaValLossFit.options,
            step1: {
              law: t.viaValLossFit.step1.law.id,
              formula: t.viaValLossFit.step1.law.formula,
              params: t.viaValLossFit.step1.params,
              rmsLog: t.viaValLossFit.step1.rmsLog,
              points: t.viaValLossFit.step1.points,
            },
            step2: t.viaValLossFit.step2,
            noise: t.viaValLossFit.noise,
            finals: t.viaValLossFit.finals,
          },
        }
      : {}),
    ...(t.lossToError ? { lossToError: t.lossToError } : {}),
    ...(t.lossToErrorProblem ? { lossToErrorProblem: t.lossToErrorProblem } : {}),
    ...(t.valLossLaw
      ? {
          valLossLaw: {
            law: t.valLossLaw.law.id,
            formula: t.valLossLaw.law.formula,
            params: t.valLossLaw.params,
            rmsLog: t.valLossLaw.rmsLog,
            points: t.valLossLaw.points,
          },
        }
      : {}),
    ...(t.valLossProblem ? { valLossProblem: t.valLossProblem } : {}),
    ...(t.valLossIntervalProblem ? { valLossIntervalProblem: t.valLossIntervalProblem } : {}),
    targets: t.targets,
    ...(t.plan ? { plan: t.plan } : {}),
  }));
}

/**
 * Where the runs were evaluated too few times to measure one evaluation's noise within a run (one score
 * per model), the screen's σ is from neighbouring runs: said once, under the table, for the tasks it concerns.
 */
function noiseFromNote(tasks: readonly Pick<TaskAnalysis, 'task' | 'screen'>[]): string | undefined {
  const from = tasks.filter((t) => t.screen?.noiseFrom);
  if (!from.length) return undefined;
  const which = from.length === tasks.length ? 'every task' : from.map((t) => t.task).join(', ');
  return `noise σ (${which}): no run has 4 evaluations to measure it within, so it is from the final accuracies of ${from[0].screen!.noiseFrom} (each run against the straight line through its two neighbours; the curve's bend between them counts as noise too, so it errs high)`;
}

/**
 * What a task with no known chance level was judged near chance against: the floor 0 (default), and why.
 * The near-chance check did run — against that floor — so this is not an unchecked note. Undefined where the
 * task has a chance level (or was not screened).
 */
function floorNote(t: Pick<TaskAnalysis, 'screen'>, name: OptionNamer = libraryOption): string | undefined {
  const s = t.screen;
  if (!s || s.chance !== undefined) return undefined;
  return `no chance level known (not a benchmark whose answer choices are known here: a manifest's "chance", or ${name('chance')}, gives one): "near chance" was checked against the floor ${s.floor} (default: a generated or exact-match answer's, where guessing scores about 0; a multiple-choice task's chance is higher, so for one the check errs towards not firing)`;
}

/**
 * When a task's verdict rests on fewer checks than the screen has: a back-test that could not run cannot
 * call the task noisy. Undefined when every check ran (or the task was not screened).
 */
function uncheckedNote(t: Pick<TaskAnalysis, 'screen'>): string | undefined {
  const s = t.screen;
  if (!s || s.backtest) return undefined;
  return `${s.verdict} on the checks that ran: the back-test did not run (its column says why)`;
}

/** Where one chance level came from, in words: the option (as `name` calls it), the manifest's, a benchmark's answer choices. */
export function chanceSourceText(c: ChanceSource, name: OptionNamer = libraryOption): string {
  return c.from === 'option'
    ? name('chance')
    : c.from === 'manifest'
      ? "the manifest's"
      : c.from === 'parts'
        ? "the mean of its tasks' levels"
        : `${c.benchmark}'s ${c.choices} answer choices${c.mixed ? ` (${c.mixed})` : ''}`;
}

/**
 * Where each task's chance level came from (an option, the manifest, an average's tasks, the benchmark's
 * answer choices), in one line: a level the table derived is then never mistaken for one the user gave.
 * Undefined when no task has one.
 */
function chanceNote(
  tasks: readonly Pick<TaskAnalysis, 'task' | 'screen'>[],
  name: OptionNamer = libraryOption,
): string | undefined {
  const known = tasks.filter((t) => t.screen?.chance !== undefined && t.screen.chanceFrom);
  if (!known.length) return undefined;
  const from = (c: ChanceSource) => chanceSourceText(c, name);
  const sources = known.map((t) => from(t.screen!.chanceFrom!));
  // One source for every task, other than a benchmark's own count, is said once.
  const oneSource =
    known.length > 1 &&
    known.length === tasks.length &&
    known[0].screen!.chanceFrom!.from !== 'answer choices' &&
    sources.every((x) => x === sources[0]);
  if (oneSource) return `chance level (random guessing): ${sources[0]}, for every task`;
  const each = known.map((t, i) => `${t.task} ${t.screen!.chance!.toFixed(3)} (${sources[i]})`).join('; ');
  return `chance level (random guessing): ${each}`;
}

/**
 * The notes under the screen's table, in order: which accuracy each task reads, the chance levels, each
 * task's reasons, unchecked assumptions, parts and warnings, then where the noise came from. The text and
 * the HTML report show the same notes (a task's `task` is set when the note is that task's alone).
 */
export function screenNotes(
  tasks: readonly (Pick<
    TaskAnalysis,
    'task' | 'screen' | 'accuracyMetric' | 'parts' | 'warnings' | 'direct' | 'viaValLossFit'
  > & { fit?: { lossMetric: string } })[],
  name: OptionNamer = libraryOption,
  // Where the noise came from is said of every task at once: a page that shows one task's notes leaves it out.
  { noise: withNoise = true }: { noise?: boolean } = {},
): { task?: string; text: string }[] {
  const notes: { task?: string; text: string }[] = [];
  // Which accuracy each task reads (acc_norm is preferred over acc): one line, every task's, first.
  const metrics = tasks.filter((t) => t.accuracyMetric).map((t) => `${t.task} ${t.accuracyMetric}`);
  if (metrics.length) notes.push({ text: `accuracy metric: ${metrics.join(', ')}` });
  const chances = chanceNote(tasks, name);
  if (chances) notes.push({ text: chances });
  for (const t of tasks) if (t.screen?.reasons.length) notes.push({ task: t.task, text: t.screen.reasons.join('; ') });
  for (const t of tasks) {
    const note = t.screen?.backtest && backtestMeasureNote(t.screen.backtest);
    if (note) notes.push({ task: t.task, text: note });
  }
  for (const t of tasks) {
    const note = floorNote(t, name);
    if (note) notes.push({ task: t.task, text: note });
  }
  for (const t of tasks) {
    const note = uncheckedNote(t);
    if (note) notes.push({ task: t.task, text: note });
  }
  for (const t of tasks) if (t.parts) notes.push({ task: t.task, text: partsNote(t) });
  // A warning that several tasks share word for word (the moving average's, of the ladder's runs) is said
  // once, naming them, or "every task": eight identical lines hid the rest of the screen.
  const shared = new Map<string, string[]>();
  for (const t of tasks)
    for (const w of t.warnings ?? []) {
      const line = `${w.severity}: ${renameOptions(w.message, name)}`;
      shared.set(line, [...(shared.get(line) ?? []), t.task]);
    }
  for (const [line, named] of shared)
    notes.push({
      task: named.length > 1 && named.length === tasks.length ? 'every task' : named.join(', '),
      text: line,
    });
  const noise = noiseFromNote(tasks);
  if (noise && withNoise) notes.push({ text: noise });
  const unpaired = [...new Set(tasks.flatMap((t) => t.screen?.rerunsUnpaired ?? []))];
  if (unpaired.length)
    notes.push({
      text: `reruns paired with no ladder run, so not in the seed σ: ${unpaired.join(', ')} (a rerun is paired by its name, <run>-rerun, else with the one ladder run of its N and final tokens)`,
    });
  return notes;
}

/**
 * The screen's chance column: the level, or the floor "near chance" was judged against where no level is
 * known (0, marked as the default). The text, the HTML report and the web panel write it alike.
 */
export function chanceCell(s: Pick<TaskScreen, 'chance' | 'floor'>): string {
  return s.chance !== undefined ? s.chance.toFixed(3) : `${s.floor} (default)`;
}

/** The screen's back-test column: the error its verdict reads, in its unit, and the method ("3.4 % (two-step)"). */
export function backtestCell(b: NonNullable<TaskScreen['backtest']>): string {
  return `${backtestErrorWords(b)} (${b.method})`;
}

/** The screen: one line per task, verdict and the reasons. */
export function screenTable(tasks: readonly TaskAnalysis[], name: OptionNamer = libraryOption): string {
  const rows = tasks.map((t) => {
    const s = t.screen;
    if (!s) return [t.task, 'not screened', '', '', '', '', t.screenProblem ?? ''];
    return [
      t.task,
      s.verdict,
      chanceCell(s),
      formatRange(s.accuracyRange, (x) => x.toFixed(3)),
      `${s.noise.toFixed(4)}${s.seedSd !== undefined ? ` / ${s.seedSd.toFixed(4)}` : ''}`,
      s.monotonicity.toFixed(2),
      s.backtest ? backtestCell(s.backtest) : (s.backtestProblem ?? ''),
    ];
  });
  const reasons = screenNotes(tasks, name).map((n) => `  ${n.task !== undefined ? `${n.task}: ` : ''}${n.text}`);
  return [
    'Predictability screen (before any prediction):',
    textTable(
      ['task', 'verdict', 'chance', 'ladder accuracy', 'noise σ / seed σ', 'ρ(C, acc)', 'back-test error'],
      rows,
    ),
    ...(reasons.length ? ['', ...reasons] : []),
  ].join('\n');
}

/** What a mean over tasks averages, each part's metric (and weight, when they differ), and its task loss. */
export function partsNote(
  t: Pick<TaskAnalysis, 'parts' | 'direct' | 'viaValLossFit'> & { fit?: { lossMetric: string } },
): string {
  const parts = t.parts ?? [];
  const equal = parts.every((p) => Math.abs(p.weight - parts[0].weight) < 1e-9);
  const list = parts
    .map(
      (p) =>
        `${p.task} (${p.accuracyMetric}${equal ? '' : `, ${formatNumber(p.weight, 3)}`}${p.groupOf !== undefined ? `; an lm-eval group's aggregate, standing for its ${p.groupOf} tasks, which are not counted again` : ''})`,
    )
    .join(', ');
  const loss = t.fit
    ? `; task loss: their mean ${t.fit.lossMetric}`
    : t.viaValLossFit
      ? '; accuracy through the validation loss'
      : t.direct
        ? '; no task loss common to every part, so the accuracy is fitted directly in C'
        : '';
  return `the ${equal ? 'equal-weight' : 'weighted'} mean of ${parts.length} tasks${equal ? '' : ' (weights)'}: ${list}${loss}`;
}

/** A sigmoid's parameters, or an averaged sigmoid's members' (the text table's and the web app's). */
export function sigmoidText(s: Sigmoid, digitsL0: number): string {
  const one = (m: Sigmoid) =>
    `floor ${m.floor.toFixed(3)}, ceiling ${m.ceiling.toFixed(3)}, L0 ${m.L0.toFixed(digitsL0)}, k ${m.k.toFixed(3)}`;
  return s.members?.length ? `average of ${s.members.map((m) => `(${one(m)})`).join(', ')}` : one(s);
}

/** A task whose loss metric is a log-likelihood (TaskLadder.lossNegated): said once, beside the fits. */
export function negatedLossNotes(
  tasks: readonly { task: string; fit?: { lossMetric: string; lossNegated?: boolean } }[],
): string[] {
  return tasks
    .filter((t) => t.fit?.lossNegated)
    .map(
      (t) =>
        `${t.task}: task loss = −${t.fit!.lossMetric}: its values are all negative, a log-likelihood of the correct answer, so its negation (the negative log-likelihood) is the task loss`,
    );
}

/**
 * A ladder whose runs all end at one token count (the Gemstones) fits step 1's B/D^β to nothing: one
 * line per such D, naming its tasks, for the fit tables (text and HTML).
 */
export function oneTokenCountNotes(
  tasks: readonly { task: string; fit?: { finals: readonly { D: number }[] } }[],
): string[] {
  const byD = new Map<number, string[]>();
  for (const t of tasks) {
    const ends = new Set(t.fit?.finals.map((p) => p.D));
    if (ends.size === 1) byD.set([...ends][0], [...(byD.get([...ends][0]) ?? []), t.task]);
  }
  return [...byD].map(
    ([D, names]) =>
      `${names.join(', ')}: every ladder run ends at D = ${formatNumber(D, 15)} tokens, so step 1's D term (B/D^β) is not identified: the law says nothing about D`,
  );
}

/** Step 1's law in N and D with its parameters: E + A/N^α + B/D^β. */
export function taskLossText(p: Record<string, number>): string {
  return `${lawNumber(p.E)} + ${lawNumber(p.A)}/N^${p.alpha.toFixed(3)} + ${lawNumber(p.B)}/D^${p.beta.toFixed(3)}`;
}

/** A law's number; a scale that ran off to infinity is "off" (its term switched off: the caveats say why). */
const lawNumber = (x: number) => (Number.isFinite(x) ? formatNumber(x, 4) : 'off');

/** A task-loss law's parameters for JSON: one that ran off is null there, and `paramsOff` says why, as `fit`'s JSON. */
function lawParamsJson(f: TaskLossFit): { params: Record<string, number | null>; paramsOff?: Record<string, string> } {
  return {
    params: Object.fromEntries(Object.entries(f.params).map(([k, v]) => [k, Number.isFinite(v) ? v : null])),
    ...paramsOff(f.law, f.params),
  };
}

/** Step 1's law through C: E + A/C^α. */
export function taskLossCText(p: Record<string, number>): string {
  return `${lawNumber(p.E)} + ${lawNumber(p.A)}/C^${p.alpha.toFixed(3)}`;
}

/** Gadre et al.'s exponential from validation loss to error: ε − k·e^(−γL). */
export function lossToErrorText(g: LossToError): string {
  return `${g.epsilon.toFixed(3)} − ${formatNumber(g.k, 4)}·e^(−${g.gamma.toFixed(3)}L)`;
}

/**
 * Why "error from val. loss" is blank, by reason: once for every task that shares one (a ladder that
 * records no validation loss leaves every task blank for the same reason), naming the tasks otherwise.
 */
function lossToErrorBlanks(tasks: readonly TaskAnalysis[]): string[] {
  const byReason = new Map<string, string[]>();
  for (const t of tasks)
    if (!t.lossToError) {
      const reason = t.lossToErrorProblem ?? 'the loss → error exponential was not fitted';
      byReason.set(reason, [...(byReason.get(reason) ?? []), t.task]);
    }
  return [...byReason].map(
    ([reason, names]) =>
      `error from val. loss is blank for ${names.length === tasks.length && tasks.length > 1 ? 'every task' : names.join(', ')}: ${reason}`,
  );
}

/** What each route fits, in the words the fits' table and the report's fits section share. */
const FITTED_BY_ROUTE = {
  'task-loss':
    "step 1: task loss from N and D (and from C) on each run's final checkpoint; step 2: accuracy from task loss on every checkpoint",
  'val-loss':
    "step 1: validation loss from N and D on each run's final checkpoint; step 2: accuracy from validation loss on every checkpoint (no ideal point)",
  compute:
    'no task loss, so no step 1: the direct law in C, accuracy from compute as a sigmoid of −ln C on every checkpoint',
} as const;

/** The route a task's fits took, read from what was fitted (a route asked for but not fitted says nothing). */
function fittedRoute(t: TaskAnalysis): keyof typeof FITTED_BY_ROUTE | undefined {
  if (t.fit) return 'task-loss';
  if (t.viaValLossFit) return 'val-loss';
  if (t.direct) return 'compute';
  return undefined;
}

/**
 * What was fitted, per route: a ladder with no task loss (lm-evaluation-harness) takes the direct law in
 * C, and a line saying "task loss from N and D" above it would describe fits that were never made.
 * Undefined when no task was fitted.
 */
export function fittedWords(tasks: readonly TaskAnalysis[]): string | undefined {
  const byRoute = new Map<keyof typeof FITTED_BY_ROUTE, string[]>();
  for (const t of tasks) {
    const r = fittedRoute(t);
    if (r) byRoute.set(r, [...(byRoute.get(r) ?? []), t.task]);
  }
  if (!byRoute.size) return undefined;
  if (byRoute.size === 1) return FITTED_BY_ROUTE[[...byRoute.keys()][0]];
  return [...byRoute].map(([r, names]) => `${names.join(', ')}: ${FITTED_BY_ROUTE[r]}`).join('; ');
}

export function fitTable(tasks: readonly TaskAnalysis[]): string {
  const rows = tasks.map((t) => {
    const f = t.fit;
    const g = t.lossToError ? lossToErrorText(t.lossToError) : '';
    if (!f && t.direct)
      return [
        t.task,
        'no task loss: direct law in C',
        `${sigmoidText(t.direct, 2)}, x = −ln C`,
        t.direct.rmse.toFixed(4),
        '',
        g,
      ];
    const v = t.viaValLossFit;
    if (!f && v)
      return [
        t.task,
        `val. loss: ${taskLossText(v.step1.params)}`,
        `${sigmoidText(v.step2, 3)}, x = val. loss`,
        v.step2.rmse.toFixed(4),
        '',
        g,
      ];
    if (!f) return [t.task, t.fitProblem ?? 'not fitted', '', '', '', g];
    const s = f.step2;
    return [
      t.task,
      taskLossText(f.step1.params),
      sigmoidText(s, 3),
      s.rmse.toFixed(4),
      taskLossCText(f.step1C.params),
      g,
    ];
  });
  const oneD = oneTokenCountNotes(tasks).map((n) => `  ${n}`);
  // Blank cells say why once, below the table, rather than leaving a reader to guess.
  const blanks = [
    ...(tasks.some((t) => !t.fit && t.direct)
      ? ['step 1 through C is blank for a direct law in C: with no task loss there is no step 1']
      : []),
    ...(tasks.some((t) => !t.fit && t.viaValLossFit)
      ? [
          'val. loss: the route through the validation loss — step 1 its law at N, D, step 2 the sigmoid from it (no ideal point: a validation loss never reaches 0); step 1 through C is blank for it',
        ]
      : []),
    ...lossToErrorBlanks(tasks),
    ...negatedLossNotes(tasks),
  ].map((n) => `  ${n}`);
  return [
    `Fits (${fittedWords(tasks) ?? 'none'}; error from validation loss, Gadre et al.):`,
    textTable(
      ['task', 'step 1: task loss', 'step 2: sigmoid', 'rmse', 'step 1 through C', 'error from val. loss'],
      rows,
    ),
    ...oneD,
    ...blanks,
  ].join('\n');
}

/**
 * An accuracy interval to three decimals, an end held at 0 or 1 marked "(clipped)": replicates went past it and
 * were clamped, so it is a bound of the unit range, not where the spread ends.
 */
export function accuracyInterval(iv: { accuracy: [number, number]; clipped?: ('lower' | 'upper')[] }): string {
  // formatInterval writes the lower end, then the upper: each is marked by its own side.
  const sides = ['lower', 'upper'] as const;
  let k = 0;
  return formatInterval(iv.accuracy, (v) => `${v.toFixed(3)}${iv.clipped?.includes(sides[k++]) ? ' (clipped)' : ''}`);
}

/**
 * A prediction's error against a target's actual accuracy, in the unit the screen judges it on: relative
 * ("+3.4 %"), or in accuracy points below an actual of 0.10 ("+0.1 pts", as the back-test writes it). The
 * text, the HTML report and the web panel all say it with this.
 */
export function actualErrorText(predicted: number, actual: number): string {
  return actualErrorWords(errorAgainstActual(predicted, actual));
}

/** The "from val. loss" cell: Gadre et al.'s chain's accuracy, with its error when the actual is known. */
export function viaValLossCell(r: TaskAnalysis['targets'][number]): string {
  if (!r.viaValLoss) return '';
  const iv = r.viaValLoss.interval;
  return `${r.viaValLoss.accuracy.toFixed(3)}${r.viaValLoss.unclamped !== undefined ? ' held' : ''}${iv ? ` ${formatInterval(iv.accuracy, (x) => x.toFixed(3))}` : ''}${r.actual ? ` (${actualErrorText(r.viaValLoss.accuracy, r.actual.accuracy)})` : ''}${r.viaValLoss.covered === false ? ' outside' : ''}`;
}

/**
 * Said under a table with the "from val. loss" column (or where the chain was asked for and not made):
 * what the column is, what "held" means, and why a task has none — once when every such task has the same reason.
 */
export function valLossNotes(
  tasks: readonly Pick<TaskAnalysis, 'task' | 'targets' | 'valLossProblem' | 'valLossIntervalProblem'>[],
): string[] {
  const notes: string[] = [];
  const targets = tasks.flatMap((t) => t.targets);
  if (targets.some((r) => r.viaValLoss))
    notes.push(
      `from val. loss: Gadre et al.'s chain — the validation loss's law at N, D (fitted to the ladder's final validation losses), then the loss → error exponential; ${
        targets.some((r) => r.viaValLoss?.interval)
          ? "its interval resamples whole runs through both, with one evaluation's noise and the two-step method's extrapolation term (the chain's own back-tests are too few to learn one; docs/methods.md §32)"
          : tasks.some((t) => t.valLossIntervalProblem)
            ? 'no interval (below)'
            : 'a point estimate (no bootstrap replicates, no interval)'
      }`,
    );
  for (const t of tasks)
    if (t.valLossIntervalProblem) notes.push(`${t.task}: from val. loss: ${t.valLossIntervalProblem}`);
  if (targets.some((r) => r.viaValLoss?.unclamped !== undefined))
    notes.push(
      "held: the exponential passes accuracy 1 (or 0) there, beyond the ladder's losses; shown held in [0, 1] (the value before is in the JSON, viaValLoss.unclamped)",
    );
  const problems = tasks.filter((t) => t.valLossProblem);
  if (problems.length > 1 && problems.every((t) => t.valLossProblem === problems[0].valLossProblem))
    notes.push(
      `not from val. loss (${problems.length === tasks.length ? 'every task' : problems.map((t) => t.task).join(', ')}): ${problems[0].valLossProblem}`,
    );
  else for (const t of problems) notes.push(`${t.task}: not from val. loss: ${t.valLossProblem}`);
  return notes;
}

/**
 * What an interval holds: its level, the replicates and what they resample (whole ladder runs), the noise and
 * the extrapolation term with its slope s, marked when it is the default.
 */
function intervalWords(
  level: number,
  replicates: number,
  s: number | undefined,
  noise = true,
  refit = 'through both steps',
): string {
  const slope = s ?? DOWNSTREAM_EXTRAPOLATION;
  const term =
    slope > 0
      ? `an extrapolation term s·log10(1 + C/C_max), s = ${slope}${slope === DOWNSTREAM_EXTRAPOLATION ? ' (default)' : ''}`
      : 'no extrapolation term (s = 0)';
  return `${Math.round(level * 100)} % intervals: ${replicates} bootstrap replicates resampling whole ladder runs ${refit}${noise ? `, plus one evaluation's noise and ${term}` : `, with ${term}`}`;
}

/** What each bootstrap replicate refits: both steps, or the direct law in C when no task has two. */
function refitWords(tasks: readonly { fit?: unknown; viaValLossFit?: unknown }[]): string {
  return tasks.some((t) => t.fit || t.viaValLossFit) ? 'through both steps' : 'refitting the direct law in C';
}

/** The extrapolation slope the tasks were analysed with. */
function slopeOf(tasks: readonly Pick<TaskAnalysis, 'extrapolation'>[]): number | undefined {
  return tasks.find((t) => t.extrapolation !== undefined)?.extrapolation;
}

/** What the predictions' intervals are, or that there are none: the sentence above the HTML report's and the web app's tables. */
export function predictionIntervalNote(
  tasks: readonly (Pick<TaskAnalysis, 'targets' | 'extrapolation'> & { fit?: unknown; viaValLossFit?: unknown })[],
): string {
  const iv = tasks.flatMap((t) => t.targets).find((r) => r.interval)?.interval;
  return iv
    ? `${intervalWords(iv.level, iv.replicates, slopeOf(tasks), true, refitWords(tasks))} (docs/methods.md §32).`
    : 'Point predictions: no bootstrap replicates, so no intervals.';
}

/**
 * Step 2's sigmoid as the tasks fitted through a task loss used it: the average of its members or one, with or
 * without the ideal point, marked when it is the default. Undefined when no task was fitted by the two steps.
 */
export function step2Words(tasks: readonly Pick<TaskAnalysis, 'fit'>[]): string | undefined {
  const o = tasks.find((t) => t.fit)?.fit?.options;
  if (!o) return undefined;
  const end = (v: number | 'free' | undefined, chance: string) =>
    v === undefined || v === 'free' ? 'fitted' : chance || String(v);
  const at = (v: number | 'free' | undefined) => (v !== 'free' && v !== undefined && v === o.chance ? 'at chance' : '');
  const members = averageMembers(o);
  const one = sigmoidBounds(o);
  const what =
    o.sigmoid === 'average'
      ? `the average of ${members.length === 3 ? 'three' : 'two'} sigmoids (${members.map((m) => `floor ${end(m.floor, at(m.floor))}, ceiling ${end(m.ceiling, '')}`).join('; ')})`
      : `one sigmoid (floor ${end(one.floor, at(one.floor))}, ceiling ${end(one.ceiling, '')})`;
  const dflt = o.sigmoid === DOWNSTREAM_STEP2.sigmoid && o.idealPoint === DOWNSTREAM_STEP2.idealPoint;
  return `step 2: ${what}, ${o.idealPoint ? 'with' : 'without'} the ideal point (task loss 0, accuracy 1)${dflt ? ' (default)' : ''}`;
}

/** The task loss's metric (bpb, …) as the fitted tasks read it; several joined with "/". */
export function lossMetricWords(tasks: readonly Pick<TaskAnalysis, 'fit'>[]): string | undefined {
  const m = new Set(tasks.flatMap((t) => (t.fit ? [`${t.fit.lossNegated ? '−' : ''}${t.fit.lossMetric}`] : [])));
  return m.size ? [...m].join('/') : undefined;
}

/** Each target's C and the count it is in, once per target (the targets are the same for every task). */
export function targetComputeNote(tasks: readonly Pick<TaskAnalysis, 'targets'>[]): string | undefined {
  const seen = new Map<string, { C: number; count: ComputeCount }>();
  for (const r of tasks.flatMap((t) => t.targets))
    if (!seen.has(r.label)) seen.set(r.label, { C: r.C, count: r.computeCount });
  if (!seen.size) return undefined;
  const byCount = new Map<ComputeCount, string[]>();
  for (const [label, { C, count }] of seen)
    byCount.set(count, [...(byCount.get(count) ?? []), `${label} ${formatNumber(C, 4)}`]);
  return `C (FLOPs) of the targets: ${[...byCount].map(([count, xs]) => `${xs.join(', ')} (${count === 'given' ? "C as given, in the ladder's count" : `C = ${computeCountWords(count)}`})`).join('; ')}`;
}

/**
 * Why a task has no prediction, or undefined when it has one: its fit failed, or no target run has its
 * metrics. What `downstream predict` prints under its table, writes in JSON and judges its exit code by.
 */
export function notPredictedReason(
  t: Pick<TaskAnalysis, 'targets' | 'fitProblem' | 'targetProblem'>,
): string | undefined {
  if (t.targets.length) return undefined;
  return t.fitProblem ?? t.targetProblem ?? 'no fit';
}

/** Why a task asked for a plan has none (no fit, or a fit a plan cannot use), or undefined when it has one. */
export function notPlannedReason(
  t: Pick<TaskAnalysis, 'plan' | 'fitProblem' | 'planProblem' | 'screenProblem'>,
): string | undefined {
  if (t.plan) return undefined;
  return t.fitProblem ?? t.planProblem ?? t.screenProblem ?? 'no fit';
}

export function predictionTable(tasks: readonly TaskAnalysis[], name: OptionNamer = libraryOption): string {
  const rows: string[][] = [];
  const viaValLoss = tasks.some((t) => t.targets.some((r) => r.viaValLoss));
  for (const t of tasks) {
    for (const r of t.targets) {
      rows.push([
        t.task,
        t.screen?.verdict ?? '',
        r.label,
        formatNumber(r.N, 3),
        formatNumber(r.D, 3),
        r.taskLoss !== undefined
          ? r.taskLoss.toFixed(4)
          : r.valLoss !== undefined
            ? `val. ${r.valLoss.toFixed(4)}`
            : 'direct in C',
        `${r.accuracy.toFixed(3)}${r.interval ? ` ${accuracyInterval(r.interval)}` : ''}`,
        r.viaC === undefined ? '–' : r.viaC.toFixed(3),
        ...(viaValLoss ? [viaValLossCell(r)] : []),
        r.actual
          ? `${r.actual.accuracy.toFixed(3)} (${actualErrorText(r.accuracy, r.actual.accuracy)})${r.covered === false ? ' outside' : ''}`
          : '',
      ]);
    }
  }
  const unfitted = tasks.flatMap((t) => {
    const why = notPredictedReason(t);
    return why ? [`  ${t.task}: not predicted: ${why}`] : [];
  });
  const caveats = tasks.flatMap((t) =>
    t.targets.length ? (t.caveats ?? []).map((c) => `  ${t.task}: ${renameOptions(c, name)}`) : [],
  );
  const distance = distanceNotes(tasks).map((d) => `  ${d.task}, ${d.target}: ${d.text}`);
  if (!rows.length) return unfitted.length ? ['Predictions:', ...unfitted].join('\n') : '';
  const iv = tasks.flatMap((t) => t.targets).find((r) => r.interval)?.interval;
  const metric = lossMetricWords(tasks);
  const step2 = step2Words(tasks);
  const counts = targetComputeNote(tasks);
  return [
    `Predictions${iv ? ` (${intervalWords(iv.level, iv.replicates, slopeOf(tasks), true, refitWords(tasks))}; docs/methods.md §32)` : ''}:`,
    ...(step2 ? [`  ${step2}`] : []),
    textTable(
      [
        'task',
        'verdict',
        'target',
        'N',
        'D',
        metric ? `task loss (${metric})` : 'task loss',
        'accuracy',
        tasks.some((t) => t.fit) ? 'through C (step 1 in C, then step 2)' : 'through C',
        ...(viaValLoss ? ['from val. loss'] : []),
        'actual (error)',
      ],
      rows,
    ),
    ...(counts ? [`  ${counts}`] : []),
    ...unfitted,
    ...(tasks.some((t) => t.targets.some((r) => r.valLoss !== undefined))
      ? [
          '  val.: the route through the validation loss — the validation loss its law predicts at N, D, and the sigmoid from it (through C repeats it: the route has no law in C)',
        ]
      : []),
    ...distance,
    ...caveats,
    ...valLossNotes(tasks).map((n) => `  ${n}`),
  ].join('\n');
}

/**
 * Each target's distance beyond 10× the ladder's compute, graded as the loss `predict` grades it (within
 * 10×: what the laws are for), for the text and the HTML predictions.
 */
export function distanceNotes(tasks: readonly TaskAnalysis[]): { task: string; target: string; text: string }[] {
  return tasks.flatMap((t) =>
    t.targets.flatMap((r) => gradedLines(r.warnings).map((text) => ({ task: t.task, target: r.label, text }))),
  );
}

/** A target's or plan's distance warnings beyond 10× the ladder, as "severe: …" lines (predict's wording). */
function gradedLines(warnings: readonly { severity: string; message: string }[] | undefined): string[] {
  return (warnings ?? []).filter((w) => w.severity !== 'info').map((w) => `${w.severity}: ${w.message}`);
}

export function backtestTable(tasks: readonly TaskAnalysis[]): string {
  const rows: string[][] = [];
  for (const t of tasks) {
    const b = t.screen?.backtest;
    if (!b) {
      rows.push([t.task, '', '', '', '', t.screen?.backtestProblem ?? t.screenProblem ?? '']);
      continue;
    }
    for (const r of b.runs)
      rows.push([
        t.task,
        r.run,
        formatNumber(b.N, 3),
        r.actual.toFixed(3),
        r.predicted.toFixed(3),
        backtestRunErrorWords(b, r),
      ]);
  }
  return [
    'Back-test (the largest model size held out):',
    textTable(['task', 'held-out run', 'N', 'actual', 'predicted', 'error'], rows),
  ].join('\n');
}

/**
 * An interval whose upper end is open (too many replicates did not reach the accuracy by the horizon):
 * "> horizon" for C, "beyond" for N and D (their values at the horizon are not what the plan asks).
 */
const inPlan = (iv: OpenInterval, open: string) =>
  formatInterval([iv[0], iv[1] ?? Infinity], (x) => (x === Infinity ? open : formatNumber(x, 3)));

export function planTable(tasks: readonly TaskAnalysis[], name: OptionNamer = libraryOption): string {
  const rows = tasks
    .filter((t) => t.plan)
    .map((t) => {
      const p = t.plan!;
      const iv = p.interval;
      const beyond = `>${formatNumber(p.horizon, 3)}`;
      return [
        t.task,
        t.screen?.verdict ?? '',
        p.accuracy.toFixed(3),
        p.point?.taskLoss !== undefined
          ? `${t.route === 'val-loss' ? 'val. ' : ''}${p.point.taskLoss.toFixed(4)}`
          : p.point
            ? 'direct in C'
            : '',
        p.point
          ? `${formatNumber(p.point.C, 3)}${iv ? ` ${inPlan(iv.C, beyond)}` : ''}`
          : p.belowFloor
            ? 'any (below floor)'
            : 'not reached',
        p.point?.N !== undefined
          ? `${formatNumber(p.point.N, 3)}${iv?.N ? ` ${inPlan(iv.N, 'beyond')}` : ''}`
          : p.point
            ? '–'
            : '',
        p.point?.D !== undefined
          ? `${formatNumber(p.point.D, 3)}${iv?.D ? ` ${inPlan(iv.D, 'beyond')}` : ''}`
          : p.point
            ? '–'
            : '',
        p.unreachable !== undefined && !p.belowFloor ? pct(p.unreachable) : '',
      ];
    });
  const unfitted = tasks.flatMap((t) => {
    const why = notPlannedReason(t);
    return why ? [`  ${t.task}: not planned: ${why}`] : [];
  });
  const unreached = tasks
    .filter((t) => t.plan && !t.plan.point)
    .map((t) => {
      if (t.plan!.unreached) return `  ${t.task}: ${t.plan!.unreached}`;
      const s = t.fit?.step2 ?? t.viaValLossFit?.step2 ?? t.direct!;
      return `  ${t.task}: ${t.plan!.accuracy} is not reached: it is outside the fitted sigmoid's floor–ceiling (${formatRange([s.floor, s.ceiling], (x) => x.toFixed(3))})${t.fit || t.viaValLossFit ? ", or needs a loss below the law's irreducible E" : ''}, or needs more than the horizon C = ${formatNumber(t.plan!.horizon, 3)} FLOPs`;
    });
  // The direct law in C has no N or D: its plan is a compute, and the columns would be blank without a word.
  const noSplit = tasks.filter((t) => t.plan?.point && t.plan.point.N === undefined).map((t) => t.task);
  const caveats = [
    ...(noSplit.length
      ? [
          `  N, D (${noSplit.join(', ')}): none: the direct law in C predicts accuracy from compute alone (the task has no task loss), so it gives no split of C between N and D; a loss law's compute-optimal plan at that C gives one`,
        ]
      : []),
    ...tasks.flatMap((t) => gradedLines(t.plan?.warnings).map((w) => `  ${t.task}: ${w}`)),
    ...tasks.flatMap((t) => (t.plan ? (t.caveats ?? []).map((c) => `  ${t.task}: ${renameOptions(c, name)}`) : [])),
  ];
  if (!rows.length) return ['Plan:', ...unfitted, ...unreached, ...caveats].join('\n');
  const withInterval = tasks.find((t) => t.plan?.interval && t.plan.replicates);
  const step2 = step2Words(tasks);
  const direct = tasks.some((t) => t.plan?.point && t.plan.computeCount === 'data');
  return [
    `Plan: the compute-optimal model (C = 6·N·D${direct ? "; by the direct law in C, C in the ladder's own count" : ''}) reaching the target accuracy${withInterval ? ` (${intervalWords(withInterval.plan!.interval!.level, withInterval.plan!.replicates!, slopeOf(tasks), false, refitWords(tasks))}; docs/methods.md §32)` : ''}:`,
    ...(step2 ? [`  ${step2}`] : []),
    ...[
      textTable(
        [
          'task',
          'verdict',
          'accuracy',
          'task loss',
          'C (FLOPs)',
          'N',
          'D',
          `replicates not reaching it by C = ${formatNumber(tasks.find((t) => t.plan)!.plan!.horizon, 3)}`,
        ],
        rows,
      ),
    ],
    ...unfitted,
    ...unreached,
    ...caveats,
  ].join('\n');
}

/** Why `plan --target-accuracy`'s N is not the loss plan's at one budget (`law`: the loss plan's law, as its provenance says). */
export function whyNDiffers(law: string): string {
  return `each splits C between N and D by its own law: the accuracy plan by the task's step-1 law fitted to the ladder's runs (N as the ladder counts it), the loss plan by ${law}`;
}

/**
 * Whether each task's target accuracy is reached by the budget's model (`plan --target-accuracy` with a
 * budget), and why the accuracy plan's N is not the loss plan's: each splits C by its own law.
 */
export function budgetLines(
  answers: readonly { task: string; answer?: BudgetAnswer }[],
  budget: { C: number; N: number; D: number; law: string },
  planN: readonly { task: string; N?: number; C?: number }[],
): string {
  const lines = [
    `At the budget C = ${formatNumber(budget.C, 3)}: the loss plan's model (N = ${formatNumber(budget.N, 4)}, D = ${formatNumber(budget.D, 4)}), its accuracy as each task's fit predicts it:`,
  ];
  for (const { task, answer: a } of answers) {
    if (!a) {
      lines.push(`  ${task}: no prediction at the budget's model (the task was not fitted)`);
      continue;
    }
    const iv = a.interval ? ` ${accuracyInterval(a.interval)} (${Math.round(a.interval.level * 100)} %)` : '';
    const verdict = a.reaches
      ? a.sure === false
        ? `reaches ${a.target} by the point estimate, but the interval reaches below it`
        : `reaches ${a.target}`
      : a.sure === false
        ? `short of ${a.target} by the point estimate, though the interval reaches it`
        : `falls short of ${a.target}`;
    const needs = a.neededC !== undefined ? `; the target needs C = ${formatNumber(a.neededC, 3)}` : '';
    lines.push(`  ${task}: ${a.accuracy.toFixed(3)}${iv}: ${verdict}${needs}`);
    for (const w of gradedLines(a.warnings)) lines.push(`    ${w}`);
  }
  const differing = planN.filter((p) => p.N !== undefined && Math.abs(Math.log(p.N / budget.N)) > Math.log(1.05));
  if (differing.length)
    lines.push(
      `  The accuracy plan's N (${differing.map((p) => `${p.task} ${formatNumber(p.N!, 3)}${p.C !== undefined ? ` at C = ${formatNumber(p.C, 3)}` : ''}`).join(', ')}) is not the loss plan's ${formatNumber(budget.N, 3)} at C = ${formatNumber(budget.C, 3)}: ${differing.some((p) => p.C !== undefined && Math.abs(Math.log(p.C / budget.C)) > Math.log(1.05)) ? 'the accuracy plan answers at the C its target needs, and ' : ''}${whyNDiffers(budget.law)}`,
    );
  return lines.join('\n');
}
