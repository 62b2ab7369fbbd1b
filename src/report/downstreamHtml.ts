/**
 * The downstream part of the HTML report (docs/methods.md §32–§33): the screen first, then per-task
 * fits, the sigmoid figure, the back-test and the predictions. Pure: analyses and rendered SVGs in,
 * HTML out. `downstreamSections` feeds `reportHtml`'s extra sections, or `htmlPage` for a page of its own.
 */
import { formatNumber, formatRange } from '../core/format.js';
import { sigmoidAccuracy, type Sigmoid } from '../analyses/downstream.js';
import type { TaskAnalysis } from '../analyses/downstreamLadder.js';
import { seriesChannel, type Spec } from '../plots/specs.js';
import { escapeHtml, htmlTable } from './html.js';
import { libraryOption, renameOptions, type OptionNamer } from '../errors/index.js';
import { backtestRunErrorWords } from '../analyses/downstreamScreen.js';
import {
  accuracyInterval,
  backtestCell,
  chanceCell,
  actualErrorText,
  negatedLossNotes,
  notPredictedReason,
  oneTokenCountNotes,
  predictionIntervalNote,
  distanceNotes,
  screenNotes,
  valLossNotes,
  viaValLossCell,
  fittedWords,
  lossMetricWords,
  step2Words,
  targetComputeNote,
} from './text/downstream.js';

/** The predictions table: one row per task and target. */
function predictionsTable(viaValLoss: boolean, twoSteps: boolean, rows: string[][]): string {
  return htmlTable(
    [
      'task',
      'verdict',
      'target',
      'N',
      'D',
      'accuracy',
      twoSteps ? 'through C (step 1 in C, then step 2)' : 'through C',
      ...(viaValLoss ? ['from val. loss'] : []),
      'actual (error)',
    ],
    rows,
  );
}

const n = (v: number, digits = 4) => escapeHtml(formatNumber(v, digits));

/**
 * Accuracy against task loss for one task: step 2's points coloured by model size, the fitted sigmoid
 * extended over the targets' predicted losses, the targets' predictions (open) and actual scores (filled).
 */
export function sigmoidPlot(t: TaskAnalysis): Spec | undefined {
  if (!t.fit || !t.points?.length) return undefined;
  const s = t.fit.step2;
  // At most 300 points: every checkpoint of a large ladder would make a heavy figure for no more information.
  const step = Math.ceil(t.points.length / 300);
  const points = t.points
    .filter((_, i) => i % step === 0)
    .map((p) => ({ loss: p.loss, accuracy: p.accuracy, N: formatNumber(p.N, 3), run: p.run }));
  // Sizes in numeric order (as text, 1.28e9 would sort before 1.9e8).
  const sizes = [...new Set(t.points.map((p) => p.N))].sort((a, b) => a - b).map((v) => formatNumber(v, 3));
  const losses = [
    ...t.points.map((p) => p.loss),
    ...t.targets.flatMap((r) => (r.taskLoss !== undefined ? [r.taskLoss] : [])),
    ...t.targets.flatMap((r) => (r.actual?.taskLoss !== undefined ? [r.actual.taskLoss] : [])),
  ];
  const lo = Math.min(...losses),
    hi = Math.max(...losses);
  const curve = Array.from({ length: 120 }, (_, i) => {
    const loss = lo - 0.05 * (hi - lo) + (1.1 * (hi - lo) * i) / 119;
    return { loss, accuracy: sigmoidAccuracy(s, loss) };
  });
  const targets = t.targets.flatMap((r) => [
    ...(r.taskLoss !== undefined
      ? [{ loss: r.taskLoss, accuracy: r.accuracy, target: r.label, kind: 'predicted' }]
      : []),
    ...(r.actual?.taskLoss !== undefined
      ? [{ loss: r.actual.taskLoss, accuracy: r.actual.accuracy, target: r.label, kind: 'actual' }]
      : []),
  ]);
  const curveLabel = 'fitted sigmoid (step 2)';
  const x = {
    field: 'loss',
    type: 'quantitative',
    title: `task loss (${t.fit.lossNegated ? '−' : ''}${t.fit.lossMetric})`,
    scale: { zero: false },
  };
  const y = {
    field: 'accuracy',
    type: 'quantitative',
    title: `accuracy (${t.fit.accuracyMetric})`,
    scale: { zero: false },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${t.task}: accuracy from task loss`,
    width: 420,
    height: 280,
    config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif' },
    layer: [
      {
        data: { values: points },
        mark: { type: 'point', size: 12, opacity: 0.5 },
        encoding: {
          x,
          y,
          color: { field: 'N', type: 'ordinal', title: 'N', scale: { domain: sizes } },
          tooltip: [{ field: 'run' }, { field: 'loss' }, { field: 'accuracy' }],
        },
      },
      {
        data: { values: curve },
        mark: { type: 'line' },
        encoding: {
          x,
          y,
          // Named beside the runs' sizes and the targets' kinds, as the loss figure names its fitted law.
          stroke: seriesChannel(curveLabel, [curveLabel], ['#222'], { symbolType: 'stroke', symbolStrokeWidth: 2 }),
        },
      },
      ...(targets.length
        ? [
            {
              data: { values: targets },
              mark: { type: 'point', size: 90, strokeWidth: 2 },
              encoding: {
                x,
                y,
                shape: { field: 'kind', type: 'nominal', title: 'target' },
                color: { value: '#c00' },
                fill: { condition: { test: "datum.kind === 'actual'", value: '#c00' }, value: 'transparent' },
                tooltip: [{ field: 'target' }, { field: 'kind' }, { field: 'loss' }, { field: 'accuracy' }],
              },
            },
          ]
        : []),
    ],
  };
}

/** The report's downstream sections; `svgs` holds each task's rendered sigmoid figure, by task. */
export function downstreamSections(
  tasks: readonly TaskAnalysis[],
  svgs: Record<string, string> = {},
  // Whether targets were asked for (target runs in the data): then a task without a prediction is
  // named in the predictions section, with why, as the text table names it.
  predicts = tasks.some((t) => t.targets.length > 0 || t.targetProblem !== undefined),
  // How a note names an option (the CLI: `--chance`, or the command that has it); default: the library's words.
  name: OptionNamer = libraryOption,
): { id: string; title: string; html: string }[] {
  const screenRows = tasks.map((t) => {
    const s = t.screen;
    if (!s) return [escapeHtml(t.task), 'not screened', '', '', '', '', escapeHtml(t.screenProblem ?? '')];
    return [
      escapeHtml(t.task),
      `<b>${escapeHtml(s.verdict)}</b>`,
      escapeHtml(chanceCell(s)),
      formatRange(s.accuracyRange, (x) => x.toFixed(3)),
      `${s.noise.toFixed(4)}${s.seedSd !== undefined ? ` / ${s.seedSd.toFixed(4)}` : ''}`,
      s.monotonicity.toFixed(2),
      escapeHtml(s.backtest ? backtestCell(s.backtest) : (s.backtestProblem ?? '')),
    ];
  });
  // The text's notes, every one: which accuracy each task reads and each task's warnings as well.
  const reasons = screenNotes(tasks, name).map(
    (n) => `<li>${n.task !== undefined ? `<b>${escapeHtml(n.task)}</b>: ` : ''}${escapeHtml(n.text)}</li>`,
  );
  const sections = [
    {
      id: 'downstream-screen',
      title: 'Downstream: which tasks can be predicted',
      html:
        '<p>Verdicts from the ladder alone, before any prediction (docs/methods.md §33): near chance, not monotone in compute, noisy (noise or back-test error), or predictable.</p>' +
        htmlTable(
          ['task', 'verdict', 'chance', 'ladder accuracy', 'noise σ / seed σ', 'ρ(C, accuracy)', 'back-test error'],
          screenRows,
        ) +
        (reasons.length ? `<ul class="warn">${reasons.join('')}</ul>` : ''),
    },
  ];
  const fitRows = tasks.map((t) => {
    const f = t.fit;
    if (!f && t.direct)
      return [
        escapeHtml(t.task),
        'the direct law in C (no task-loss step)',
        '',
        `${sigmoidHtml(t.direct, 2)} of x = −ln C`,
        t.direct.rmse.toFixed(4),
      ];
    const v = t.viaValLossFit;
    if (!f && v) {
      const q = v.step1.params;
      return [
        escapeHtml(t.task),
        `validation loss: ${n(q.E)} + ${n(q.A)}/N<sup>${q.alpha.toFixed(3)}</sup> + ${n(q.B)}/D<sup>${q.beta.toFixed(3)}</sup> <span class="ci">(rms ln ${v.step1.rmsLog.toFixed(4)})</span>`,
        '',
        `${sigmoidHtml(v.step2, 3)} of x = validation loss`,
        v.step2.rmse.toFixed(4),
      ];
    }
    if (!f) return [escapeHtml(t.task), escapeHtml(t.fitProblem ?? 'not fitted'), '', '', ''];
    const p = f.step1.params,
      s = f.step2;
    return [
      escapeHtml(t.task),
      `${n(p.E)} + ${n(p.A)}/N<sup>${p.alpha.toFixed(3)}</sup> + ${n(p.B)}/D<sup>${p.beta.toFixed(3)}</sup> <span class="ci">(rms ln ${f.step1.rmsLog.toFixed(4)})</span>`,
      `${n(f.step1C.params.E)} + ${n(f.step1C.params.A)}/C<sup>${f.step1C.params.alpha.toFixed(3)}</sup>`,
      `${sigmoidHtml(s, 3)}${s.fitted.length && !s.members ? ` <span class="ci">(fitted: ${escapeHtml(s.fitted.join(', '))})</span>` : ''}`,
      s.rmse.toFixed(4),
    ];
  });
  const notes = [
    ...oneTokenCountNotes(tasks),
    ...negatedLossNotes(tasks),
    ...(tasks.some((t) => !t.fit && t.viaValLossFit)
      ? [
          'validation loss: the route through the validation loss (no task loss asked for or recorded): step 1 its law at N, D, step 2 the sigmoid average from it, without the ideal point (a validation loss never reaches 0)',
        ]
      : []),
  ];
  sections.push({
    id: 'downstream-fits',
    title: 'Downstream: task loss and accuracy fits',
    html:
      `<p>Fits: ${escapeHtml(fittedWords(tasks) ?? 'no task was fitted')} (docs/methods.md §32–§33).</p>` +
      routesNote(tasks) +
      htmlTable(
        [
          'task',
          `step 1: task loss${lossMetricWords(tasks) ? ` (${escapeHtml(lossMetricWords(tasks)!)})` : ''} from N, D`,
          'step 1 through C',
          'step 2: sigmoid',
          'rmse (accuracy)',
        ],
        fitRows,
      ) +
      (notes.length ? `<ul class="warn">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''),
  });
  const btRows: string[][] = [];
  for (const t of tasks) {
    const b = t.screen?.backtest;
    if (b)
      for (const r of b.runs)
        btRows.push([
          escapeHtml(t.task),
          escapeHtml(r.run),
          n(b.N, 3),
          r.actual.toFixed(3),
          r.predicted.toFixed(3),
          escapeHtml(backtestRunErrorWords(b, r)),
        ]);
  }
  if (btRows.length)
    sections.push({
      id: 'downstream-backtest',
      title: 'Downstream: back-test (largest size held out)',
      html: htmlTable(['task', 'held-out run', 'N', 'actual', 'predicted', 'error'], btRows),
    });
  const predRows: string[][] = [];
  const viaValLoss = tasks.some((t) => t.targets.some((r) => r.viaValLoss));
  for (const t of tasks) {
    for (const r of t.targets) {
      predRows.push([
        escapeHtml(t.task),
        escapeHtml(t.screen?.verdict ?? ''),
        escapeHtml(r.label),
        n(r.N, 3),
        n(r.D, 3),
        `${r.accuracy.toFixed(3)}${r.interval ? ` <span class="ci">${escapeHtml(accuracyInterval(r.interval))}</span>` : ''}`,
        r.viaC === undefined ? '–' : r.viaC.toFixed(3),
        ...(viaValLoss ? [viaValLossCell(r)] : []),
        r.actual
          ? `${r.actual.accuracy.toFixed(3)} (${actualErrorText(r.accuracy, r.actual.accuracy)})${r.covered === false ? ' <b>outside</b>' : ''}`
          : '',
      ]);
    }
  }
  const notPredicted = predicts
    ? tasks.flatMap((t) => {
        const why = notPredictedReason(t);
        return why === undefined ? [] : [`<li><b>${escapeHtml(t.task)}</b>: not predicted: ${escapeHtml(why)}</li>`];
      })
    : [];
  if (predRows.length || notPredicted.length) {
    // As the text table: what the intervals are (or that there are none), and each task's caveats.
    const step2 = step2Words(tasks),
      counts = targetComputeNote(tasks);
    const caption = predRows.length ? predictionIntervalNote(tasks) : 'No task was predicted.';
    // What the step-2 sigmoid was and which count each target's C is in, beside the interval's note.
    const about = predRows.length
      ? [step2, counts]
          .filter((x): x is string => x !== undefined)
          .map((x) => `<p>${escapeHtml(x)}.</p>`)
          .join('')
      : '';
    const caveats = [
      // A target beyond 10× the ladder's compute, graded as the text graded it.
      ...distanceNotes(tasks).map(
        (d) => `<li><b>${escapeHtml(d.task)}, ${escapeHtml(d.target)}</b>: ${escapeHtml(d.text)}</li>`,
      ),
      ...tasks.flatMap((t) =>
        t.targets.length
          ? (t.caveats ?? []).map((c) => `<li><b>${escapeHtml(t.task)}</b>: ${escapeHtml(renameOptions(c, name))}</li>`)
          : [],
      ),
    ];
    sections.push({
      id: 'downstream-predictions',
      title: 'Downstream: predictions',
      html:
        `<p>${caption}</p>` +
        about +
        (predRows.length
          ? predictionsTable(
              viaValLoss,
              tasks.some((t) => t.fit),
              predRows,
            )
          : '') +
        (notPredicted.length ? `<ul class="warn">${notPredicted.join('')}</ul>` : '') +
        valLossNotes(tasks)
          .map((note) => `<p>${escapeHtml(note)}.</p>`)
          .join('') +
        (caveats.length ? `<ul class="warn">${caveats.join('')}</ul>` : ''),
    });
  }
  const figs = tasks
    .filter((t) => svgs[t.task])
    .map(
      (t) =>
        `<figure>${svgs[t.task]}<figcaption>${escapeHtml(t.task)}: each point a checkpoint (first 10 % of each run left out, smoothed), coloured by model size; the line is the fitted sigmoid; red: the targets, predicted (open) and actual (filled).</figcaption></figure>`,
    );
  if (figs.length)
    sections.push({
      id: 'downstream-figures',
      title: 'Downstream: the sigmoid from task loss to accuracy',
      html: figs.join('\n'),
    });
  return sections;
}

const ROUTE_WORDS = {
  'task-loss': 'the two steps through the task loss',
  'val-loss': 'the two steps through the validation loss',
  compute: 'the direct law in C',
} as const;

/**
 * Which route each task took to accuracy, said once above the fits: the route decides what the fits,
 * the predictions and the plans are (a --via, or the default a task's metrics give), and the page is
 * read apart from the command that made it.
 */
function routesNote(tasks: readonly TaskAnalysis[]): string {
  const routed = tasks.filter((t) => t.route);
  if (!routed.length) return '';
  const byRoute = new Map<string, string[]>();
  for (const t of routed) byRoute.set(t.route!, [...(byRoute.get(t.route!) ?? []), t.task]);
  return `<p>Route: ${[...byRoute]
    .map(
      ([r, names]) =>
        `${ROUTE_WORDS[r as keyof typeof ROUTE_WORDS]} (${names.length === routed.length ? 'every task' : escapeHtml(names.join(', '))})`,
    )
    .join('; ')}.</p>`;
}

/** A sigmoid's parameters, or an averaged sigmoid's three members'. */
function sigmoidHtml(s: Sigmoid, digitsL0: number): string {
  const one = (m: Sigmoid) =>
    `floor ${m.floor.toFixed(3)}, ceiling ${m.ceiling.toFixed(3)}, L<sub>0</sub> ${m.L0.toFixed(digitsL0)}, k ${m.k.toFixed(3)}`;
  return s.members?.length ? `the average of ${s.members.map((m) => `(${one(m)})`).join(', ')}` : one(s);
}
