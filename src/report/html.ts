/**
 * The self-contained HTML report: one file with inline CSS and inline SVG figures, no scripts and
 * no network, that opens from disk in any browser. Pure: takes an Analysis and rendered SVGs.
 */
import { formatInterval, formatNumber, formatRange } from '../core/format.js';
import { describeLoss } from '../core/losses.js';
import type { Analysis, FigureKind } from './analysis.js';
import { escapeHtml, htmlTable } from '../core/html.js';
import { resampled } from './text/backtest.js';
import { drawn, keptReplicates, rowsOfRuns } from '../fit/report.js';
import { libraryOption, renameOptions, type OptionNamer } from '../errors/index.js';
import { frontierLossSource } from '../analyses/frontier.js';
import { planHardware, planTrainingLines } from './text/plan.js';
import { approachResampled, envelopeLine } from './text/frontier.js';
export { escapeHtml, htmlTable } from '../core/html.js';

const n = (v: number | undefined, digits = 4) =>
  v === undefined || !Number.isFinite(v) ? '–' : escapeHtml(formatNumber(v, digits));
/**
 * Where the plan's losses come from: the law's (with the law's interval alone), and a new run's as
 * `predict` and `plan --fit` give it (the candidates averaged, a prediction interval for one run).
 */
function planLossSources(r: NonNullable<Analysis['plan']>['recommendation']): string {
  const law = `The loss under the law is the reported law's at the recommended N and D${r.intervals.loss ? `, its interval that law's own ${r.replicates} bootstrap replicates alone (no run-to-run scatter; not predict's, which pools every candidate's)` : ''}.`;
  const f = r.forRun;
  if (!f) return law;
  const mean =
    f.members.length > 1
      ? `the mean of ${f.members.length} candidates' ln L̂ (${f.members.map((m) => `${m.id} ${formatNumber(m.value, 4)}`).join(', ')})`
      : 'the law';
  return `${law} For a new run, as predict gives it: ${formatNumber(f.loss, 4)}${f.interval ? `, ${Math.round(f.level * 100)} % prediction interval ${formatInterval(f.interval, 3)}` : ''} (${mean}${f.interval ? "; the interval adds a run's scatter and the extrapolation term" : ''}).`;
}

/**
 * Where each approach's loss comes from, below the table that names them briefly: Approach 3's recipe
 * in full, and the law of the frontier's losses Approaches 1 and 2 read a target's loss from.
 */
function approachSources(approaches: Analysis['approaches']): string {
  const lines = approaches.flatMap((ap) =>
    ap.approach === 3
      ? ap.shortLabel !== undefined && ap.shortLabel !== ap.label
        ? [`Approach 3: ${ap.label}.`]
        : []
      : ap.targets.some((t) => t.loss !== undefined)
        ? [`Approach ${ap.approach} loss: ${frontierLossSource}.`]
        : [],
  );
  // Which rows each used, when the rows are checkpoints: the envelope every one, the profiles each run's final one.
  for (const ap of approaches) if (ap.rows !== undefined) lines.push(`Approach ${ap.approach} rows: ${ap.rows}.`);
  // Which envelope points Approach 1 fitted: those the smallest and largest models win by default are left out.
  for (const ap of approaches)
    if (ap.envelopePoints) lines.push(`Approach ${ap.approach} envelope: ${envelopeLine(ap.envelopePoints)}.`);
  return lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('');
}

/**
 * What the approaches table's brackets are: their level, and per approach the replicates and what each
 * drew (as frontier's header says them), or where they come from when not from these runs' bootstrap.
 */
function approachIntervals(approaches: Analysis['approaches'], level: number): string {
  const each = approaches.map(
    (ap) =>
      `approach ${ap.approach}: ${
        ap.intervalSource ??
        (ap.replicates
          ? ap.unit === 'residual'
            ? `${ap.replicates} bootstrap replicates; ${approachResampled(ap)}`
            : `${ap.replicates} bootstrap replicates resampling ${resampled(ap.unit)}`
          : 'none')
      }${ap.intervalCoverage ? ` (${ap.intervalCoverage})` : ''}`,
  );
  return `Intervals: ${Math.round(level * 100)} % percentile intervals; ${each.join('; ')}.`;
}

const ci = (v: number | undefined, interval?: [number, number], digits = 4) =>
  `${n(v, digits)}${interval ? ` <span class="ci">${formatInterval(interval, (x) => n(x, 3))}</span>` : ''}`;

const style = `
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}th,td{border:1px solid #ddd;padding:.3em .6em;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.ci{color:#666;font-size:.9em}
.warn{background:#fff6e0;border-left:4px solid #e0a800;padding:.5em .8em}.ok{background:#eef8ee;border-left:4px solid #3a3;padding:.5em .8em}
figure{margin:1.2em 0}figcaption{color:#555;font-size:.9em}code{background:#f4f4f4;padding:0 .2em}
nav a{margin-right:1em}`;

export interface ReportOptions {
  title?: string;
  /** Extra sections (already HTML), e.g. the study loop's run table and regret. */
  extra?: { id: string; title: string; html: string }[];
  /** The footer: one line, or lines (the CLI's: version, date, command line, each input's size and hash). */
  generatedBy?: string | readonly string[];
  /**
   * How the Trust table names an option a fit's warning advises (the CLI: its flag, or the command that
   * has it, `scalelab fit --init grid`); the same namer `analyse` was given for the Warnings list.
   * Default: as the library names it (`option "init"`).
   */
  optionName?: OptionNamer;
  /**
   * The back-test's settings as the caller chose them (replicates, cutoffs, procedures, which are
   * defaults and how they differ from the back-test command's), said after its interval line.
   */
  backtestSettings?: string;
  /**
   * The fit's bootstrap settings the caller left at their defaults, each with the words that mark it
   * ('default, --seed' from `report`), said in parentheses beside it: a default the user did not choose
   * is marked, as the back-test's settings are.
   */
  bootstrapDefaults?: { replicates?: string; seed?: string };
}

export function reportHtml(a: Analysis, svgs: Partial<Record<FigureKind, string>>, o: ReportOptions = {}): string {
  const f = a.fitJson;
  const sections: { id: string; title: string; html: string }[] = [];
  const ranges = Object.entries(f.data.ranges).map(([k, [lo, hi]]) => [k, n(lo), n(hi)]);
  sections.push({
    id: 'data',
    title: 'Data',
    html: `<p><code>${escapeHtml(a.dataset.source)}</code>: ${rowsOfRuns({ ...f.data, runs: a.dataset.runs.length })}. Columns: ${escapeHtml(
      Object.entries(f.data.columns)
        .map(([k, c]) => (k === c ? k : `${k} ← "${c}"${f.data.scaled?.[k] ? ` ${f.data.scaled[k]}` : ''}`))
        .join(', '),
    )}${
      Object.keys(f.data.derived).length
        ? `; derived ${escapeHtml(
            Object.entries(f.data.derived)
              .map(([k, v]) => `${k} = ${v}`)
              .join(', '),
          )}`
        : ''
    }.</p>${htmlTable(['variable', 'smallest', 'largest'], ranges)}`,
  });
  const law = a.fit.law;
  // The split's quantities on one-ratio data are the form's, not the data's: "0.5 [0.5, 0.5]" read as measured.
  const unidentified = '<span class="warn">not identified by these data</span>';
  const splitDerived = new Set(['a', 'b', 'G']);
  const derived = Object.entries(a.fit.derived).map(([k, d]) => [
    escapeHtml(`${d.symbol}`),
    a.splitUnidentified && splitDerived.has(k)
      ? `${unidentified} (${n(d.value, 3)} assumed)`
      : ci(d.value, f.derivedIntervals?.[k]),
    escapeHtml(d.description),
  ]);
  sections.push({
    id: 'fit',
    title: `Fit: ${escapeHtml(law.formula)}`,
    html:
      `<p>Law <b>${escapeHtml(law.id)}</b> (${escapeHtml(law.citation)}), ${escapeHtml(describeLoss({ ...f.loss, space: f.loss.space ?? 'log' }))}. Objective ${escapeHtml(f.objective.toExponential(6))}; ${f.startsAtBest} of ${f.starts} starts reached the best optimum; ${f.converged ? 'converged' : '<b>not converged</b>'} (${escapeHtml(f.reason)}).` +
      (f.bootstrap
        ? ` Intervals: ${Math.round(f.bootstrap.level * 100)} % percentile bootstrap, ${escapeHtml(keptReplicates(f.bootstrap, drawn(f)))}${o.bootstrapDefaults?.replicates ? ` (${escapeHtml(o.bootstrapDefaults.replicates)})` : ''}; seed ${f.bootstrap.seed}${o.bootstrapDefaults?.seed ? ` (${escapeHtml(o.bootstrapDefaults.seed)})` : ''}.`
        : ' No bootstrap intervals.') +
      `</p>${htmlTable(
        ['parameter', 'value', 'description'],
        law.params.map((p) => [
          escapeHtml(p.symbol),
          ci(f.params[p.name], f.intervals?.[p.name], 5),
          escapeHtml(p.description),
        ]),
      )}` +
      (derived.length ? htmlTable(['derived', 'value', 'meaning'], derived) : '') +
      `<p>Residuals ln L̂ − ln L: rms ${n(f.residuals.rmsLog, 3)}, max |r| ${n(f.residuals.maxAbsLog, 3)}, median |L̂/L − 1| ${(f.residuals.medianAbsRelative * 100).toFixed(2)} %.</p>`,
  });
  const proc = f.procedure;
  if (proc) {
    const head =
      proc.id === 'auto'
        ? `<p><b>auto</b>: ${escapeHtml(proc.reason ?? '')}.</p>`
        : `<p><b>${escapeHtml(proc.id)}</b>: ${escapeHtml(proc.title)}${proc.citation ? ` (${escapeHtml(proc.citation)})` : ''}.${proc.reduction ? ` Reduced: ${escapeHtml(proc.reduction)}.` : ''}</p>`;
    const rows = (proc.candidates ?? []).map((c) => [
      escapeHtml(c.id),
      escapeHtml(c.title),
      `${Math.round(c.weight * 100)} %`,
      c.error
        ? `cannot fit: ${escapeHtml(c.error)}`
        : escapeHtml(
            Object.entries(c.params ?? {})
              .map(([k, v]) => `${k} = ${formatNumber(v, 4)}`)
              .join(', '),
          ) + (c.reduction ? `<br><span class="ci">reduced: ${escapeHtml(c.reduction)}</span>` : ''),
      `<span class="ci">${escapeHtml(c.citation)}</span>`,
    ]);
    sections.push({
      id: 'procedure',
      title: 'Procedure',
      html:
        head + (rows.length ? htmlTable(['candidate', 'recipe', 'weight', 'fitted parameters', 'as in'], rows) : ''),
    });
  }
  // The fit's trust grades the fit alone: beside it, the worst of the report's other warnings (a target
  // far beyond the data, approaches that disagree), so the top of the page does not read "ok" above them.
  const beyond = a.beyondFit;
  const beyondText = beyond
    ? `; the report's other warnings: ${beyond.severity} (${[...new Set(beyond.reasons.filter((r) => r.severity === beyond.severity).map((r) => r.what))].join('; ')}; see Warnings)`
    : '';
  if (f.warnings.length || beyond) {
    sections.push({
      id: 'trust',
      title: `Trust in the fit: ${f.trust}${escapeHtml(beyondText)}`,
      html: f.warnings.length
        ? htmlTable(
            ['severity', 'code', 'what it means'],
            f.warnings.map((w) => [
              escapeHtml(w.severity),
              `<code>${escapeHtml(w.code)}</code>`,
              escapeHtml(renameOptions(w.message, o.optionName ?? libraryOption)),
            ]),
          )
        : '<p class="ok">The fit has no warnings.</p>',
    });
  }
  if (a.approaches.length) {
    const rows: string[][] = [];
    for (const ap of a.approaches) {
      // Approach 3's split is the fitted law's: on one-ratio data, its form's.
      const assumed = a.splitUnidentified !== undefined && ap.approach === 3;
      for (const t of ap.targets)
        rows.push([
          `${ap.approach}: ${escapeHtml(ap.shortLabel ?? ap.label)}`,
          assumed ? unidentified : ci(ap.a, ap.intervals.a, 3),
          n(t.C),
          assumed ? unidentified : ci(t.N, t.intervals.N),
          assumed ? unidentified : ci(t.D, t.intervals.D),
          assumed ? unidentified : ci(t.tokensPerParameter, t.intervals.tokensPerParameter, 3),
          ci(t.loss, t.intervals.loss),
        ]);
    }
    sections.push({
      id: 'approaches',
      title: "Chinchilla's three approaches, side by side",
      html:
        htmlTable(['approach', 'a (N_opt ∝ C^a)', 'target C', 'N_opt', 'D_opt', 'D/N', 'loss'], rows) +
        (a.splitUnidentified
          ? `<p class="warn">${escapeHtml(a.splitUnidentified.charAt(0).toUpperCase() + a.splitUnidentified.slice(1))}.</p>`
          : '') +
        `<p>${escapeHtml(approachIntervals(a.approaches, a.level))}</p>` +
        approachSources(a.approaches) +
        a.agreements
          .map(
            (g) =>
              `<p class="${g.exponent && g.targets.every(Boolean) ? 'ok' : 'warn'}">${escapeHtml(g.statement)}</p>`,
          )
          .join('') +
        a.skipped.map((s) => `<p>Approach ${s.approach} not shown: ${escapeHtml(s.reason)}</p>`).join(''),
    });
  }
  if (a.plan) {
    const r = a.plan.recommendation;
    sections.push({
      id: 'plan',
      title: `Plan for C = ${n(a.plan.compute)} FLOPs`,
      html:
        // The cluster the budget comes from, and how the run trains, as scalelab plan prints them.
        (a.splitUnidentified
          ? `<p class="warn">N and D apart are not identified by these data: ${escapeHtml(a.splitUnidentified)}. The recommended N, D and D/N below are the assumed form's${a.splitUnidentifiedCode === 'one-ratio' ? "; the loss along the runs' ratio is the data's" : ''}.</p>`
          : '') +
        (planHardware(a.plan) ? `<p>Hardware: ${escapeHtml(planHardware(a.plan)!)}.</p>` : '') +
        htmlTable(
          ['allocation', 'N', 'D', 'D/N', 'loss under the law', 'source'],
          [
            [
              'compute-optimal (recommended)',
              ci(r.N, r.intervals.N),
              ci(r.D, r.intervals.D),
              n(r.tokensPerParameter, 3),
              ci(r.loss, r.intervals.loss, 5),
              "the law's optimum (below)",
            ],
            ...a.plan.alternatives.map((x) => [
              escapeHtml(x.rule),
              n(x.N),
              n(x.D),
              n(x.tokensPerParameter, 3),
              n(x.loss, 5),
              escapeHtml(x.citation),
            ]),
          ],
        ) +
        `<p>N and D from ${escapeHtml(r.allocationSource)}.</p>` +
        `<p>${escapeHtml(planLossSources(r))}</p>` +
        (r.shape
          ? `<p>Shape: ${r.shape.shape.nLayer} layers × d_model ${r.shape.shape.dModel}, ${r.shape.shape.nHeads} heads of ${r.shape.shape.headDim}, d_ff ${r.shape.shape.dFf} (${r.shape.shape.mlp}); ${n(r.shape.parameters.total)} parameters.</p>`
          : '') +
        (planTrainingLines(a.plan).length
          ? htmlTable(
              ['training', ''],
              planTrainingLines(a.plan).map(([label, text]) => [escapeHtml(label), escapeHtml(text)]),
            )
          : '') +
        `<ul>${a.plan.assumptions.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`,
    });
  }
  if (!a.backtest && a.backtestSkipped !== undefined)
    sections.push({
      id: 'backtest',
      title: 'Rolling-origin back-test',
      html: `<p class="warn">Not shown: ${escapeHtml(a.backtestSkipped)}</p>`,
    });
  if (a.backtest) {
    const b = a.backtest;
    const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(2)} %`);
    sections.push({
      id: 'backtest',
      title: 'Rolling-origin back-test',
      html:
        `<p>At each cutoff in ${b.by}, each procedure is fitted to the runs at or below it and predicts every run above it (scored at the run's final checkpoint): ${b.cutoffs.map((c) => `${b.by} ≤ ${n(c.cutoff, 3)} (${c.fitRuns} fitted, ${c.heldOut} predicted${c.withheld ? `, ${c.withheld} withheld with their lineage` : ''})`).join('; ')}.${b.lineages ? ` The data name ${b.lineages} lineages (runs sharing most of their training, as cooldown branches of one trunk): a lineage is fitted only when all its runs are at or below the cutoff; one that reaches above it is left out of the fit whole, its runs below the cutoff withheld (neither fitted nor scored).` : ''} Errors are (L̂ − L)/L; a positive bias over-predicts the loss.${b.replicates ? ` Intervals: ${b.levels.map((l) => `${Math.round(l * 100)} %`).join(' and ')} prediction intervals from ${b.replicates} bootstrap replicates resampling ${resampled(b.unit)}, plus a run's scatter and the extrapolation term (a standard deviation of τ·log10(1 + C/C_max) in ln L, τ = ${b.extrapolationScale}, C_max the fitted runs' largest C).` : ''}${o.backtestSettings ? ` ${escapeHtml(o.backtestSettings)}` : ''}</p>` +
        htmlTable(
          [
            'procedure',
            'predictions',
            'mean |error|',
            'worst',
            'bias',
            ...b.levels.map((l) => `in ${Math.round(l * 100)} % interval`),
          ],
          b.summaries.map((s) => [
            escapeHtml(s.procedure),
            String(s.predictions),
            pct(s.meanAbsRelativeError),
            pct(s.worstAbsRelativeError),
            pct(s.bias),
            ...b.levels.map((l) => pct(s.coverage[String(l)])),
          ]),
        ) +
        (b.predictions.length
          ? ''
          : `<p class="warn">No run could be predicted: ${b.summaries
              .flatMap((s) =>
                s.failures.map(
                  (f) => `${escapeHtml(s.procedure)} at ${b.by} ≤ ${n(f.cutoff, 3)}: ${escapeHtml(f.reason)}`,
                ),
              )
              .join('; ')}.</p>`) +
        htmlTable(
          ['compute ratio', ...b.procedures.map(escapeHtml)],
          b.bins.map((bin) => [
            `${formatRange(bin.range, (x) => (Number.isFinite(x) ? String(x) : '∞'))}×`,
            ...b.procedures.map((p) =>
              bin.byProcedure[p]
                ? `${pct(bin.byProcedure[p].meanAbsRelativeError)} (${bin.byProcedure[p].predictions})`
                : '–',
            ),
          ]),
        ),
    });
  }
  if (!a.landmarks?.length && a.splitUnidentified)
    sections.push({
      id: 'landmarks',
      title: 'Published models on this frontier',
      html: `<p class="warn">Not placed, and no verdict (over- or under-trained) made: the compute-optimal size rests on the split, and ${escapeHtml(a.splitUnidentified)}.</p>`,
    });
  if (a.landmarks?.length) {
    sections.push({
      id: 'landmarks',
      title: 'Published models on this frontier',
      html: htmlTable(
        ['model', 'N', 'D', 'C = 6ND', 'N_opt(C)', 'N/N_opt', 'D/N (optimal)', 'verdict', 'status', 'source'],
        a.landmarks.map((l) => [
          escapeHtml(l.name),
          n(l.N, 3),
          n(l.D, 3),
          n(l.C, 3),
          n(l.optimalN, 3),
          l.sizeRatio.toFixed(2),
          `${l.tokensPerParameter.toFixed(1)} (${l.optimalTokensPerParameter.toFixed(1)})`,
          escapeHtml(l.verdict),
          escapeHtml(l.status),
          `<span class="ci">${escapeHtml(l.source.slice(0, 90))}</span>`,
        ]),
      ),
    });
  }
  sections.push({
    id: 'warnings',
    title: 'Warnings',
    html: a.warnings.length
      ? `<ul class="warn">${a.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`
      : '<p class="ok">None.</p>',
  });
  sections.push(...(o.extra ?? []));
  const captions: Record<FigureKind, string> = {
    loss: `Loss against compute on log–log axes; the line is the fitted law's compute-optimal loss with its ${Math.round(a.level * 100)} % bootstrap band, extended to the target (dashed).`,
    isoflop: "IsoFLOP profiles: loss against N per budget, each budget's parabola in ln N, and its vertex (diamond).",
    frontier: "N_opt(C) and D_opt(C): each approach's points and power law, extended to the targets (crosses).",
    residuals:
      'Residuals against the prediction and against compute: a trend at the large end means a biased extrapolation.',
    backtest:
      'Rolling-origin back-test: the error of each held-out run against how far it lies beyond the runs fitted (bars: 95 % prediction intervals when the back-test has them); a trend away from the dashed line is a biased extrapolation.',
    landmarks:
      "Published models (points) against the fitted law's compute-optimal size (line): above the line, too large for their compute (under-trained); below, over-trained.",
  };
  const figs = (Object.keys(svgs) as FigureKind[])
    .map((k) => `<figure id="fig-${k}">${svgs[k]}<figcaption>${escapeHtml(captions[k])}</figcaption></figure>`)
    .join('\n');
  sections.push({ id: 'figures', title: 'Figures', html: figs });
  return htmlPage(o.title ?? `Scaling report: ${a.dataset.source}`, sections, o.generatedBy);
}

/** A self-contained page of sections with a table of contents (the scaling report, the downstream report). */
export function htmlPage(
  title: string,
  sections: { id: string; title: string; html: string }[],
  generatedBy?: string | readonly string[],
): string {
  const footer = typeof generatedBy === 'string' ? [generatedBy] : (generatedBy ?? ['Generated by ScaleLab']);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${style}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<nav>${sections.map((s) => `<a href="#${s.id}">${s.title.replace(/<[^>]+>/g, '')}</a>`).join('')}</nav>
${sections.map((s) => `<section id="${s.id}"><h2>${s.title}</h2>${s.html}</section>`).join('\n')}
<footer>${footer.map((line, i) => `<p class="ci">${escapeHtml(line)}${i === 0 ? '.' : ''}</p>`).join('')}</footer>
</body></html>
`;
}
