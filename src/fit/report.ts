/**
 * The human-readable fit report, in the spirit of lmfit's fit_report: fixed sections (fit,
 * parameters with intervals, derived quantities, residuals, warnings), and it says why something
 * is missing (no interval without --bootstrap). Pure: returns a string.
 */
import { formatInterval, formatNumber, formatPercent, pad } from '../core/format.js';
import { describeLoss } from '../core/losses.js';
import { getLaw, lawChoiceFromJson, predictLoss, type Point } from '../laws/index.js';
import type { FitJson } from './summary.js';
import { libraryOption, renameOptions, type OptionNamer } from '../errors/index.js';
import { describeDropped, offReason } from './warnings.js';

/** What each candidate of a procedure predicts at 10× the largest N and D in the data. */
function procedureSection(fit: FitJson, lines: string[], name: OptionNamer): void {
  const p = fit.procedure;
  if (!p) return;
  const row = (k: string, v: string) => lines.push(`    ${pad(k, 12)} ${v}`);
  if (p.id !== 'auto') {
    lines.push(`[[Procedure]] ${p.id}: ${p.title}`);
    if (p.citation) row('as in', p.citation);
    if (p.reduction) row('reduced', `to ${p.chosen}: ${p.reduction}`);
    return;
  }
  lines.push(`[[Procedure]] auto: ${p.title}`);
  const chosen = p.candidates?.find((c) => c.id === p.chosen);
  // Under equal weights no candidate was chosen: the one named is the law shown (which plan and frontier use).
  row(
    p.rule?.combine === 'equal' ? 'law shown' : 'chosen',
    `${p.chosen}${chosen ? ` — ${chosen.title} (${chosen.citation})` : ''}`,
  );
  if (p.reason) row('why', p.reason);
  if (p.reduction) row('reduced', p.reduction);
  const ranges = fit.data.ranges;
  const point: Point = {};
  if (ranges.N) point.N = ranges.N[1] * 10;
  if (ranges.D) point.D = ranges.D[1] * 10;
  const at = `${point.N !== undefined ? `N = ${formatNumber(point.N, 3)}` : ''}${point.D !== undefined ? `, D = ${formatNumber(point.D, 3)}` : ''}`;
  // Only a rule that back-tests the candidates has scores and cutoffs to show (the default weighs them equally).
  const backtested = (p.cutoffs?.length ?? 0) > 0 || (p.candidates ?? []).some((c) => c.score !== undefined);
  lines.push(
    `    ${pad('candidate', 12)} ${pad('weight', 7)} ${backtested ? `${pad('back-test', 10)} ` : ''}predicts at 10× the largest N and D (${at})`,
  );
  for (const c of p.candidates ?? []) {
    let predicted = c.error ? `cannot fit: ${c.error}` : '';
    if (!c.error && c.law && c.params) {
      try {
        const at = predictLoss(getLaw(lawChoiceFromJson(c)), c.params, point);
        const off = Object.keys(c.params).filter((k) => !Number.isFinite(c.params![k]));
        // A candidate with a term switched off predicts no number: what it means, not "Infinity".
        predicted =
          (Number.isFinite(at)
            ? formatNumber(at, 5)
            : `none: ${off.length ? `its ${off.join(' and ')} ${off.length === 1 ? 'is' : 'are'} off (see its warnings)` : 'not finite there'}`) +
          (c.reduction ? ` (reduced: ${c.reduction})` : '');
      } catch (e) {
        predicted = `–  (${(e as Error).message})`;
      }
    }
    lines.push(
      `    ${pad(c.id, 12)} ${pad(formatPercent(c.weight, 0), 7)} ${backtested ? `${pad(c.score !== undefined ? formatPercent(c.score, 2) : '–', 10)} ` : ''}${predicted}`,
    );
  }
  const boot = (p.candidates ?? []).filter((c) => c.replicates !== undefined);
  if (boot.some((c) => (c.dropped ?? 0) > 0))
    row(
      'bootstrap',
      `replicates dropped per candidate: ${boot
        .map(
          (c) =>
            `${c.id} ${c.dropped ?? 0}${c.dropped && c.droppedReasons ? ` (${describeDropped(c.droppedReasons)})` : ''}`,
        )
        .join('; ')}`,
    );
  if (backtested && p.axis && p.cutoffs)
    row(
      'back-test',
      `cutoffs in ${p.axis}: ${p.cutoffs.map((c) => formatNumber(c, 3)).join(', ')}; score = mean |ln L̂ − ln L| of the runs above each, fitted on the runs below`,
    );
  const own = p.bestOnThisData;
  if (own) row('this data', ownBacktestLine(own, name));
}

/**
 * An auto fit's line on its data's own back-test: the best candidate's score beside the weighted mean's,
 * so a user whose data favour one recipe can choose it knowingly. The weights stay as the benchmark chose
 * them: one data set's back-test has few folds and was, across the benchmark, a worse guide than the average.
 */
function ownBacktestLine(
  own: NonNullable<NonNullable<FitJson['procedure']>['bestOnThisData']>,
  name: OptionNamer,
): string {
  const score = (x: number) => formatPercent(x, 2);
  const folds = `${own.cutoffs.length} cutoff${own.cutoffs.length === 1 ? '' : 's'} of ${own.axis}`;
  const scores = own.candidates.map((c) => `${c.id} ${c.score !== undefined ? score(c.score) : '–'}`).join(', ');
  const head = `its own back-test (mean |ln L̂ − ln L| above ${folds}): ${scores}`;
  if (own.ensemble === undefined) return `${head}; best ${own.best.id} (the average could not be scored on every fold)`;
  const ensemble = `the average ${score(own.ensemble)}`;
  if (own.ensemble <= own.best.score) return `${head}; ${ensemble}, no single candidate did better`;
  return (
    `${head}; best ${own.best.id}, beside ${ensemble}. The average is the default because across the benchmark's ` +
    `data sets it extrapolated better than choosing by a data set's own back-test (few folds, noisy); to fit ` +
    `${own.best.id} alone: ${name('procedure')} ${own.best.id}`
  );
}

/** @param name how to name an option in the text (the CLI passes its flags) */
export function fitReport(fit: FitJson, name: OptionNamer = libraryOption): string {
  const law = getLaw(lawChoiceFromJson(fit));
  const lines: string[] = [];
  const row = (k: string, v: string) => lines.push(`    ${pad(k, 12)} ${v}`);
  lines.push(`[[Fit]] ${fit.law}: ${fit.formula}`);
  row('law', fit.citation);
  const cols = Object.entries(fit.data.columns)
    .map(([f, c]) => (f === c ? f : `${f} ← "${c}"${fit.data.scaled?.[f] ? ` ${fit.data.scaled[f]}` : ''}`))
    .join(', ');
  const derived = Object.entries(fit.data.derived)
    .map(([f, how]) => `${f} = ${how}`)
    .join(', ');
  row(
    'data',
    `${fit.data.source}: ${rowsOfRuns(fit.data)} (${cols}${derived ? `; ${derived}` : ''})${fit.data.selection ? `; ${fit.data.selection}` : ''}`,
  );
  row('loss', describeLoss({ ...fit.loss, space: fit.loss.space ?? 'log' }));
  row('objective', fit.objective.toExponential(7));
  const how =
    fit.init.method === 'auto'
      ? `auto: ${fit.init.evaluated} grid points scored, ${fit.starts} best distinct refined`
      : fit.init.method === 'given'
        ? 'from the given start'
        : `${fit.init.method}: all ${fit.starts} grid points refined`;
  row('starts', `${how}; ${fit.startsAtBest} of ${fit.starts} reached the best optimum`);
  const severe = fit.warnings.filter((w) => w.severity === 'severe');
  const degenerate = severe.some((w) => w.code === 'degenerate');
  const verdict = severe.length
    ? `, but ${degenerate ? 'to a DEGENERATE optimum' : 'NOT TO BE TRUSTED'}: see warnings (${severe.map((w) => w.code).join(', ')})`
    : '';
  row(
    'converged',
    `${fit.converged ? 'yes' : 'NO'} (${fit.reason}, gradient norm ${fit.gradientNorm.toExponential(1)})${verdict}`,
  );
  // "ok" with info notes listed below is not "no warnings": the notes are counted, so the two lines agree.
  const notes = fit.warnings.filter((w) => w.severity === 'info').length;
  row(
    'trust',
    fit.trust === 'ok'
      ? `ok (no warnings${notes ? `; ${notes} info note${notes === 1 ? '' : 's'} below` : ''})`
      : fit.trust === 'caution'
        ? 'caution: see warnings'
        : 'UNTRUSTED: do not extrapolate with this fit (see warnings)',
  );
  if (Object.keys(fit.fixed).length)
    row(
      'fixed',
      // As the parameter table prints them: a preset's constants read "E = 1.8691436784054858" here
      // beside "1.86914" below (the JSON keeps every digit).
      Object.entries(fit.fixed)
        .map(([k, v]) => `${k} = ${formatNumber(v)}`)
        .join(', '),
    );
  if (Object.keys(fit.ties).length)
    row(
      'tied',
      Object.entries(fit.ties)
        .map(([k, v]) => `${k} = ${v}`)
        .join(', '),
    );

  procedureSection(fit, lines, name);
  // With auto the parameters are the law shown's (one candidate): its replicates, named, so "none dropped"
  // is not read against the other candidates' drops counted above.
  const whose = fit.procedure?.id === 'auto' && fit.procedure.chosen ? `${fit.procedure.chosen}'s ` : '';
  // Percentile intervals over the replicates (summariseBootstrap), as the report page says them.
  const level = fit.bootstrap ? `${Math.round(fit.bootstrap.level * 100)} % percentile interval` : '';
  lines.push(
    `[[Parameters]]${fit.bootstrap ? `${' '.repeat(16)}${level} (${whose}${keptReplicates(fit.bootstrap, drawn(fit))}; seed ${fit.bootstrap.seed})` : `   (no intervals: run with ${name('bootstrap')} N)`}`,
  );
  for (const p of law.params) {
    const v = fit.params[p.name];
    const status =
      fit.fixed[p.name] !== undefined ? '(fixed)' : fit.ties[p.name] !== undefined ? `(= ${fit.ties[p.name]})` : '';
    const ci = fit.intervals?.[p.name];
    // No number for a parameter that ran off (JSON: null, and paramsOff says why): "off", and what it means.
    const finite = Number.isFinite(v);
    lines.push(
      // A fixed parameter's replicates all hold its value: "[1.869, 1.869]" would read as a measured, exact one.
      `    ${pad(p.symbol, 8)} ${pad(finite ? formatNumber(v) : 'off', 14)} ${ci && fit.fixed[p.name] === undefined ? formatInterval(ci, 4) : status}   ${finite ? p.description : offReason(p, v)}`,
    );
  }
  const offNames = law.params.filter((p) => !Number.isFinite(fit.params[p.name])).map((p) => p.symbol);
  const derivedDefs = law.derived?.(fit.params) ?? {};
  if (Object.keys(derivedDefs).length) {
    lines.push('[[Derived]]');
    for (const [k, d] of Object.entries(derivedDefs)) {
      const ci = fit.derivedIntervals?.[k];
      const finite = Number.isFinite(d.value);
      const why = offNames.length
        ? `: not finite, ${offNames.join(' and ')} being off`
        : ': not finite for these parameters';
      lines.push(
        `    ${pad(d.symbol, 8)} ${pad(finite ? formatNumber(d.value) : 'none', 14)} ${ci ? `${formatInterval(ci, 4)}   ` : ''}${d.description}${finite ? '' : why}`,
      );
    }
  }
  lines.push('[[Residuals]] r = ln L̂ − ln L');
  row('rms', formatNumber(fit.residuals.rmsLog, 4));
  row('max |r|', formatNumber(fit.residuals.maxAbsLog, 4));
  row('median', `|L̂/L − 1| = ${formatPercent(fit.residuals.medianAbsRelative, 2)}`);
  lines.push('[[Warnings]]');
  if (fit.warnings.length === 0) lines.push('    none');
  for (const w of fit.warnings) lines.push(`    - [${w.severity}] ${w.code}: ${renameOptions(w.message, name)}`);
  return lines.join('\n');
}

/**
 * How many replicates the intervals rest on, what they resampled, and how many were dropped and why:
 * "986 of 1000 bootstrap replicates, resampling 5 lineages; 14 dropped: 10 hit the iteration limit, …".
 */
export function keptReplicates(
  b: { replicates: number; converged: number; dropped?: number; droppedReasons?: Record<string, number> },
  resampled = '',
): string {
  const dropped = b.dropped ?? b.replicates - b.converged;
  if (dropped === 0) return `${b.replicates} bootstrap replicates${resampled}, none dropped`;
  const why = b.droppedReasons && Object.keys(b.droppedReasons).length ? `: ${describeDropped(b.droppedReasons)}` : '';
  return `${b.converged} of ${b.replicates} bootstrap replicates kept${resampled}; ${dropped} dropped${why}`;
}

/**
 * What a bootstrap resampled: ", resampling 240 whole runs", ", resampling 10 lineages (column "model")",
 * ", resampling 240 single rows". The unit sets how wide the intervals are (rows drawn one by one make a
 * run's checkpoints count as independent), so it is said with them; nothing for a fit JSON that predates it.
 */
export function drawn(fit: Pick<FitJson, 'bootstrap' | 'data'>): string {
  const b = fit.bootstrap;
  if (!b?.unit) return '';
  const count = b.units !== undefined ? `${b.units} ` : '';
  if (b.unit === 'run') return `, resampling ${count}whole runs`;
  const column = fit.data.columns.lineage;
  return b.unit === 'lineage'
    ? `, resampling ${count}lineages${column ? ` (column "${column}")` : ''}`
    : `, resampling ${count}single rows`;
}

/**
 * A fit's data counted as `fit` says them: "570 rows (checkpoints of 30 runs)" where the rows are
 * checkpoints of named runs, else "24 runs". Every place that shows a fit's data says it so (plan
 * --fit, predict --fit, report's Data section), not "570 runs" of 30.
 */
export function rowsOfRuns(data: { runs: number; trainingRuns?: number }): string {
  return data.trainingRuns !== undefined
    ? `${data.runs} rows (checkpoints of ${data.trainingRuns} runs)`
    : `${data.runs} runs`;
}
