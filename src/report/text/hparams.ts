/**
 * Hyperparameter analyses as text: the critical batch (from a preset, from runs, the gradient noise
 * scale), learning-rate and batch laws (from a sweep or a preset), and muP's table and checks.
 * Pure (data in, string out).
 */
import { formatInterval, formatNumber, formatRange } from '../../core/format.js';
import { textTable } from '../../core/table.js';
import {
  batchTradeoff,
  criticalBatchAtLoss,
  type CriticalBatchFromRuns,
  type CriticalBatchPreset,
  type gradientNoiseScale,
} from '../../hparams/criticalBatch.js';
import { hparamPresetChoices, type fitHparamLaws, type HparamPreset, type predictHparams } from '../../hparams/laws.js';
import type { coordinateCheck, learningRateTransfer, mupTable } from '../../hparams/mup.js';
import { libraryOption, type OptionNamer } from '../../errors/index.js';

const f4 = (x: number) => formatNumber(x, 4);
const ci = (x: number, interval?: [number, number]) =>
  `${f4(x)}${interval ? ` ${formatInterval(interval, 3, '95 % ')}` : ''}`;

/** @param unit what the batch counts (tokens, or the batch column's unit); E counts the same */
function tradeoffTable(tradeoff: ReturnType<typeof batchTradeoff>, unit: string): string {
  return (
    'Time/compute trade-off (McCandlish et al. 2018: S = S_min(1 + B_crit/B), E = E_min(1 + B/B_crit)):\n' +
    textTable(
      [`batch (${unit})`, 'steps / S_min', `examples E / E_min`],
      tradeoff.map((t) => [f4(t.batch), f4(t.stepsFactor), f4(t.examplesFactor)]),
    ) +
    `\nAt B = B_crit training takes 2·S_min steps and 2·E_min examples (${unit}): twice the minimum of each.\n`
  );
}

export function noiseScaleReport(
  source: string,
  smoothing: string,
  steps: ReturnType<typeof gradientNoiseScale>,
): string {
  return (
    `Gradient noise scale from ${source} (McCandlish et al. 2018, App. A.1; |G|² and tr Σ smoothed separately, EMA ${smoothing}):\n` +
    textTable(
      ['step', '|G|²', 'tr Σ', 'B_simple'],
      steps.map((s) => [String(s.step), f4(s.gradSq), f4(s.traceSigma), f4(s.bSimple)]),
    ) +
    '\n'
  );
}

/**
 * How many bootstrap resamples the B_crit(L) interval rests on, of how many drawn: a resample that
 * loses the step/data trade-off at any target is left out (the table's header says 1000, this line
 * said 576 with no word of the rest).
 */
function lawRefits(kept: number, drawn: number): string {
  if (kept >= drawn) return `${kept} bootstrap refits`;
  return `only the ${kept} of ${drawn} bootstrap resamples that kept a step/data trade-off at every target (${drawn - kept}, ${formatNumber((100 * (drawn - kept)) / drawn, 2)} %, lost one at some target and are left out, so the interval is conditional on surviving: it may be narrower than the estimate's spread)`;
}

/**
 * What E (= S·B) counts: what the batch column counts, read from its name where it says (tokens, sequences);
 * else said as the column's units.
 */
export function batchUnit(column: string): string {
  if (/tok/i.test(column)) return 'tokens';
  if (/seq|sample|example/i.test(column)) return 'sequences';
  return `units of column "${column}"`;
}

/** `bcrit FILE`'s settings nobody typed: each is marked "(default, --flag)" in its text. */
export interface CriticalBatchDefaults {
  targets?: boolean;
  bootstrap?: boolean;
  seed?: boolean;
}

/**
 * The batch sizes whose runs reach a target, and the runs when there are more (seeds at a batch size):
 * each run is a point of the regression, but the column counts batch sizes.
 */
function batchSizesReaching(points: { batch: number }[]): string {
  const sizes = new Set(points.map((p) => p.batch)).size;
  return sizes === points.length ? String(sizes) : `${sizes} (${points.length} runs)`;
}

/** The per-target table's header and rows, as `bcrit FILE` prints them and the web's critical-batch panel shows them. */
export function criticalBatchTargetTable(
  r: CriticalBatchFromRuns,
  replicates: number,
): { header: string[]; rows: string[][] } {
  return {
    header: [
      'target loss',
      'S_min',
      'E_min',
      'B_crit',
      replicates > 1 ? `95 % (${replicates} resamples)` : '95 %',
      'batch sizes',
    ],
    rows: r.fits.map((f) => [
      f4(f.target),
      f4(f.sMin),
      f4(f.eMin),
      f4(f.bCrit),
      f.bCritInterval ? formatInterval(f.bCritInterval, f4) : f.points.length < 3 ? '– (2 points)' : '–',
      batchSizesReaching(f.points),
    ]),
  };
}

/**
 * The fitted B_crit(L) with its interval, or what the runs say instead when B_crit does not grow as the
 * loss falls (undefined with one target): one line, as `bcrit FILE` prints it and the web panel shows it.
 */
export function criticalBatchLawLine(
  r: CriticalBatchFromRuns,
  x: { source: string; replicates: number; batchColumn: string },
): string | undefined {
  const unit = batchUnit(x.batchColumn);
  const refits = r.lawReplicates ? `; 95 % from ${lawRefits(r.lawReplicates.length, x.replicates)}` : '';
  if (r.flat) {
    // A negative or unsettled exponent printed as L^(1/-3.6) reads as a law; what the data say is one value.
    return `B_crit is about flat across these losses (${f4(r.flat.losses[0])} … ${f4(r.flat.losses[1])}): ≈ ${f4(r.flat.bCrit)}${r.flat.interval ? ` ${formatInterval(r.flat.interval, f4)}` : ''} in ${unit} (the geometric mean of the per-target B_crit, which run ${f4(r.flat.range[0])} … ${f4(r.flat.range[1])}; it does not grow as the loss falls, so no B_crit(L) law is given${refits})`;
  }
  if (!r.law) return undefined;
  const iv = (i: [number, number] | undefined, fmt: (v: number) => string) => (i ? ` ${formatInterval(i, fmt)}` : '');
  return `B_crit(L) = ${f4(r.law.bStar)}${iv(r.law.bStarInterval, f4)} / L^(1/${r.law.alphaB.toFixed(3)}${iv(r.law.alphaBInterval, (v) => v.toFixed(3))}) through the targets (fitted to ${x.source}${refits})`;
}

/**
 * `bcrit FILE`'s answer from its fit, as `--json` gives it and as its text prints it: where it comes from,
 * the bootstrap's survivors, the warnings (with a loss: B_crit there from the fitted law, and its own
 * warnings). One function for the command and the web's critical-batch panel, so that both say the same.
 * @throws InputError, OptionError as criticalBatchAtLoss (a loss with no law to read it from)
 */
export function criticalBatchFromRunsAnswer(
  x: {
    source: string;
    result: CriticalBatchFromRuns;
    /** The batch column's name: B_crit is in its units. */
    batchColumn: string;
    /** Bootstrap replicates drawn (below 2: none). */
    replicates: number;
    seed: number;
    /** A loss to give B_crit at from the fitted law (`--target-loss`). */
    loss?: number;
    defaulted?: CriticalBatchDefaults;
  },
  name: OptionNamer = libraryOption,
) {
  const { source: file, result: r, loss } = x;
  const method = `McCandlish et al. 2018: S = S_min + E_min/B per target loss; B_crit = E_min/S_min; B_crit(L) = B*/L^(1/α_B) through the targets (Kaplan et al. 2020's form), fitted to ${file}`;
  const at = loss === undefined ? undefined : criticalBatchAtLoss(r, loss, file);
  const warnings = [...r.warnings];
  if (at && r.flat)
    warnings.push(
      `B_crit is about flat across the targets (≈ ${formatNumber(r.flat.bCrit, 3)}): the law's value at loss ${loss} follows a slope in L that the runs do not show with confidence`,
    );
  if (at?.extrapolated)
    warnings.push(
      `loss ${loss} is outside the fitted targets (${formatNumber(at.fittedRange[0], 4)} … ${formatNumber(at.fittedRange[1], 4)}): B_crit there extrapolates the fitted B_crit(L)`,
    );
  const { lawReplicates, ...fitted } = r;
  const drawn = x.replicates;
  const bootstrapNote = lawReplicates
    ? {
        lawBootstrap: `${lawReplicates.length} of ${drawn} residual-bootstrap replicates (seed ${x.seed}) refitted through every target; 95 % percentile intervals${lawReplicates.length < drawn ? ` over those survivors only: ${drawn - lawReplicates.length} (${formatNumber((100 * (drawn - lawReplicates.length)) / drawn, 2)} %) lost the step/data trade-off at some target and are left out, so the intervals are conditional on surviving` : ''}`,
      }
    : {};
  const tradeoff = at ? batchTradeoff(at.bCrit) : undefined;
  const json = {
    source: file,
    method,
    // What B_crit, S_min·B and E_min count: what the batch column counts.
    batchUnit: batchUnit(x.batchColumn),
    ...fitted,
    ...bootstrapNote,
    warnings,
    ...(at && tradeoff
      ? { atLoss: { ...at, unit: x.batchColumn, source: `B_crit(L) fitted to ${file}`, tradeoff } }
      : {}),
  };
  const text = criticalBatchFromRunsReport({ ...x, at, tradeoff }, name);
  return { json, text };
}

/** B_crit fitted to runs at several batch sizes, per target loss, and (with a loss) B_crit there. */
function criticalBatchFromRunsReport(
  x: {
    source: string;
    result: CriticalBatchFromRuns;
    replicates: number;
    seed: number;
    /** The batch column's name: B_crit is in its units. */
    batchColumn: string;
    loss?: number;
    at?: ReturnType<typeof criticalBatchAtLoss>;
    tradeoff?: ReturnType<typeof batchTradeoff>;
    defaulted?: CriticalBatchDefaults;
  },
  name: OptionNamer,
): string {
  const { source: file, result: r, replicates, at } = x;
  const table = criticalBatchTargetTable(r, replicates);
  const lines = [
    `Critical batch from ${file} (steps to each target loss regressed on 1/B: S = S_min + E_min/B, B_crit = E_min/S_min; McCandlish et al. 2018):`,
  ];
  // What nobody chose, with where to choose it.
  const d = x.defaulted ?? {};
  const defaults = [
    d.targets ? `target losses: five levels the runs reach (default, ${name('targetLosses')})` : '',
    replicates > 1 && (d.bootstrap || d.seed)
      ? `${replicates} bootstrap resamples${d.bootstrap ? ` (default, ${name('bootstrap')})` : ''}, seed ${x.seed}${d.seed ? ` (default, ${name('seed')})` : ''}`
      : '',
  ].filter(Boolean);
  if (defaults.length) lines.push(defaults.join('; '));
  lines.push(textTable(table.header, table.rows));
  const unit = batchUnit(x.batchColumn);
  const law = criticalBatchLawLine(r, x);
  if (law) lines.push(law);
  const last = r.fits[r.fits.length - 1];
  lines.push(
    `At the lowest target (${f4(last.target)}), training at B = B_crit takes 2·S_min = ${f4(2 * last.sMin)} steps and 2·E_min = ${f4(2 * last.eMin)} ${unit.startsWith('units') ? `examples, in ${unit}` : unit} (E = S·B counts what the batch counts).`,
  );
  if (at) {
    lines.push(
      // In the unit the table and the lowest-target line name (tokens where the column's name says so).
      `B_crit(L = ${x.loss}) = ${f4(at.bCrit)}${at.bCritInterval ? ` (95 % ${formatRange(at.bCritInterval, f4, ' – ')})` : ''} in ${unit}   [B_crit(L) = ${f4(at.law.bStar)} / L^(1/${at.law.alphaB.toFixed(3)}) fitted to ${file}]`,
    );
    if (x.tradeoff) lines.push(tradeoffTable(x.tradeoff, unit).trimEnd());
  }
  // The warnings are the answer's own list (on stderr from the command, a list of their own on the page).
  return lines.join('\n') + '\n';
}

/** B_crit(L) from published (or given) constants. */
export function criticalBatchAtLossReport(x: {
  loss: number;
  bCrit: number;
  bStar: number;
  alphaB: number;
  source: string;
  note: string;
  tradeoff: ReturnType<typeof batchTradeoff>;
}): string {
  return (
    `B_crit(L = ${x.loss}) = ${f4(x.bCrit)} tokens   [B* / L^(1/α_B), B* = ${formatNumber(x.bStar, 3)}, α_B = ${x.alphaB}; ${x.source}]\n  note: ${x.note}\n` +
    tradeoffTable(x.tradeoff, 'tokens')
  );
}

/**
 * One law fitted to a sweep as `hparams --sweep` prints it, with its bootstrap intervals:
 * "η_opt = 0.3118·C^-0.1250   (coefficient [a, b], exponent [c, d])". The web's optimiser panel shows the same line.
 */
export function hparamLawText(
  name: string,
  law: ReturnType<typeof fitHparamLaws>['lr'],
  variable: 'C' | 'N',
  unit = '',
): string {
  return `${name} = ${f4(law.coefficient)}·${variable}^${law.exponent.toFixed(4)}${unit}${law.interval ? `   (coefficient ${formatInterval(law.coefficientInterval!, 3)}, exponent ${formatInterval(law.interval, (v) => v.toFixed(3))})` : ''}`;
}

/** Where a sweep's learning rate and batch come from, as `hparams --sweep` says it (and the web's optimiser panel). */
export function hparamSweepSource(sweep: string, variable: 'C' | 'N', tolerance: number): string {
  return `fitted to ${sweep} (DeepSeek LLM's method, Bi et al. 2024 §3.1: near-optimal within ${tolerance} of the best loss per ${variable === 'C' ? 'compute budget' : 'model size'}; power law in ${variable} through the centres)`;
}

/** Learning-rate and batch laws fitted to a sweep (DeepSeek LLM's method) and their prediction. */
export function hparamSweepReport(
  x: {
    sweep: string;
    variable: 'C' | 'N';
    at: number;
    fitted: ReturnType<typeof fitHparamLaws>;
    seqLen: number;
    source: string;
    /** The settings nobody typed, each marked "(default, --flag)" beside its number. */
    defaulted?: { nearOptimal?: boolean; bootstrap?: boolean; seqLen?: boolean };
  },
  name: OptionNamer = libraryOption,
): string {
  const { fitted, variable } = x;
  const p = fitted.prediction!;
  const mark = (key: 'nearOptimal' | 'bootstrap') => (x.defaulted?.[key] ? ` (default, ${name(key)})` : '');
  const boot = fitted.bootstrap
    ? `, ${Math.round(fitted.bootstrap.level * 100)} % bootstrap intervals from ${fitted.bootstrap.replicates} resamples${mark('bootstrap')} of ${fitted.bootstrap.unit === 'lineage' ? 'whole lineages' : 'the runs'} within each group`
    : ` (no intervals: ${name('bootstrap')} 0)`;
  return (
    [
      `From the sweep ${x.sweep} (${fitted.budgets.length} ${variable === 'C' ? 'compute budgets' : 'model sizes'}; near-optimal = loss within ${(fitted.tolerance * 100).toFixed(2)} % of the best${mark('nearOptimal')}; DeepSeek LLM's method${boot}):`,
      textTable(
        [
          variable === 'C' ? 'budget C' : 'model size N',
          'runs',
          'near-optimal',
          'best loss',
          'η centre',
          'B centre (tokens)',
        ],
        fitted.budgets.map((b) => [
          formatNumber(b.x, 3),
          String(b.runs),
          String(b.nearOptimal),
          f4(b.bestLoss),
          f4(b.learningRate),
          f4(b.batch),
        ]),
      ),
      hparamLawText('η_opt', fitted.lr, variable),
      hparamLawText('B_opt', fitted.batch, variable, ' tokens'),
      // The batch in tokens, the laws' unit, whatever the sweep's column counted (--batch-unit).
      `At ${variable} = ${formatNumber(x.at, 3)}: learning rate ${ci(p.learningRate, p.learningRateInterval)}; batch ${f4(p.batch)} tokens${p.batchInterval ? ` ${formatInterval(p.batchInterval, 3, '95 % ')}` : ''} (${sequencesOf(p.batch / x.seqLen, x.seqLen, x.defaulted?.seqLen ? name('seqLen') : undefined)})   [${x.source}]`,
      ...fitted.warnings.map((w) => `warning: ${w}`),
    ].join('\n') + '\n'
  );
}

/** Kaplan et al.'s critical batch as the batch for a run to a loss (a batch law with no learning rate). */
export function criticalBatchPresetHparamsReport(
  x: {
    loss: number;
    bCrit: number;
    seqLen: number;
    preset: CriticalBatchPreset;
    source: string;
    tradeoff: ReturnType<typeof batchTradeoff>;
    /** --seq-len was not typed: the sequences are marked as its default's. */
    seqLenDefaulted?: boolean;
  },
  name: OptionNamer = libraryOption,
): string {
  return (
    `At L = ${x.loss}: critical batch B_crit = ${f4(x.bCrit)} tokens (${sequencesOf(x.bCrit / x.seqLen, x.seqLen, x.seqLenDefaulted ? name('seqLen') : undefined)})   [B* / L^(1/α_B), B* = ${formatNumber(x.preset.bStar, 3)}, α_B = ${x.preset.alphaB}; ${x.source}]\n` +
    `  no learning rate: this preset is a batch-size law only (${name('preset')} ${hparamPresetChoices()} give one)\n  note: ${x.preset.note}\n` +
    `  fitted on: ${x.preset.rangeSource}\n` +
    tradeoffTable(x.tradeoff, 'tokens')
  );
}

/**
 * A batch in sequences, with the sequence length it assumes: "5686 sequences of 4096 tokens"; a count
 * that is not whole is said as the ratio it is ("248.3 sequences of 4096 tokens: tokens / sequence length").
 * A length nobody chose is marked with the flag that sets it: "of 4096 tokens (default, --seq-len)".
 */
function sequencesOf(sequences: number, seqLen: number, defaultFlag?: string): string {
  const whole = Math.abs(sequences - Math.round(sequences)) < 0.05 || sequences >= 1000;
  const length = `${seqLen} tokens${defaultFlag ? ` (default, ${defaultFlag})` : ''}`;
  return whole
    ? `${Math.round(sequences)} sequences of ${length}`
    : `${f4(sequences)} sequences of ${length}: tokens / sequence length`;
}

/** Learning rate and batch from a published law. */
export function hparamPresetReport(
  preset: HparamPreset,
  p: ReturnType<typeof predictHparams>,
  warnings: { severity: string; message: string }[] = [],
  /** The sequence length's flag, where the length is its default (not typed, and not the preset's own). */
  seqLenDefault?: string,
): string {
  return (
    `At ${preset.variable} = ${formatNumber(p.at, 4)}: learning rate ${f4(p.learningRate)}, batch ${f4(p.batchTokens)} tokens${p.batchSequences ? ` (${p.seqLen !== undefined ? sequencesOf(p.batchSequences, p.seqLen, seqLenDefault) : `${f4(p.batchSequences)} sequences`})` : ''}\n` +
    `  law: η = ${preset.lr.coefficient}·${preset.variable}^${preset.lr.exponent}, B = ${preset.batch.coefficient}·${preset.variable}^${preset.batch.exponent} ${preset.batch.unit}; ${p.source}\n  note: ${preset.note}\n` +
    `  fitted on: ${preset.range ? `${preset.variable} = ${formatNumber(preset.range[0], 3)} … ${formatNumber(preset.range[1], 3)} (${preset.rangeSource})` : preset.rangeSource}\n` +
    warnings.map((w) => `  ${w.severity}: ${w.message}\n`).join('')
  );
}

export function mupTableReport(t: ReturnType<typeof mupTable>): string {
  const v = (x: number | null) => (x === null ? '–' : formatNumber(x, 4));
  const given = (x: number, name: (typeof t.defaulted)[number]) =>
    `${formatNumber(x, 4)}${t.defaulted.includes(name) ? ' (default)' : ''}`;
  return (
    `muP for width ${t.width} from base width ${t.baseWidth} (m = ${formatNumber(t.m, 4)}, ${t.optimizer}); ${t.citation}\n` +
    // What every row scales from, each marked where it was not given (a default is an example, not a tuning).
    `base values: learning rate η ${given(t.base.learningRate, 'learningRate')}, init std σ ${given(t.base.sigma, 'sigma')}, output multiplier α_out ${given(t.base.outputMultiplier, 'outputMultiplier')}; head dimension d_head ${given(t.base.headDim, 'headDim')}\n` +
    textTable(
      [
        'group',
        'muP init std',
        'muP LR',
        'muP multiplier',
        `SP init std${t.defaulted.includes('sigma') ? ' (default)' : ''}`,
        `SP LR${t.defaulted.includes('learningRate') ? ' (default)' : ''}`,
        'SP multiplier',
        'rule',
      ],
      t.groups.map((g) => [
        g.group,
        v(g.mup.initStd),
        v(g.mup.learningRate),
        v(g.mup.multiplier),
        v(g.sp.initStd),
        v(g.sp.learningRate),
        v(g.sp.multiplier),
        g.mup.note,
      ]),
    ) +
    `\nattention scale: muP 1/d_head = ${formatNumber(t.attention.mupScale, 4)}, SP 1/√d_head = ${formatNumber(t.attention.spScale, 4)} (d_head ${t.attention.headDim})\n` +
    t.notes.map((n) => `note: ${n}\n`).join('')
  );
}

const percentOf = (level: number) => `${formatNumber(level * 100, 3)} %`;

/** The transfer check's slope of ln η* against ln width, with its interval and how it was made (text and the web app). */
export function transferSlopeText(r: ReturnType<typeof learningRateTransfer>): string {
  const m = r.intervalMethod;
  return `slope of ln η* against ln width: ${r.slope.toFixed(3)}${r.interval && m ? ` (${percentOf(m.level)} ${formatInterval(r.interval, (v) => v.toFixed(3))}${r.openEnd ? ` with its ${r.openEnd === 'both' ? 'two ends' : `${r.openEnd} end`} open: an optimum at its sweep's end is a bound` : ''}; ${m.method}, ${m.replicates} replicates: ${m.resampled})` : ''}`;
}

/** The optimal learning rate at the check's target width, with its interval and what it rests on; undefined without a target. */
export function transferTargetText(r: ReturnType<typeof learningRateTransfer>): string | undefined {
  const m = r.intervalMethod;
  const target = r.atWidth;
  if (!target) return undefined;
  return `at width ${target.width}: optimal η ${f4(target.learningRate)}${target.interval && m ? ` (${percentOf(m.level)} ${formatInterval(target.interval, f4)})` : ''}${r.widths.every((w) => w.atEdge) ? ", not measured: every optimum lies at its sweep's end, so the slope and this rate say how the sweeps were laid out" : r.openEnd ? ", a bound only (an optimum lies at its sweep's end)" : ''}${target.extrapolation > 1 ? `, ${formatNumber(target.extrapolation, 3)}× beyond the swept widths (an extrapolation of the fitted slope)` : ''}`;
}

export function learningRateTransferReport(r: ReturnType<typeof learningRateTransfer>): string {
  const diverged = r.widths.some((w) => w.diverged);
  const target = transferTargetText(r);
  return (
    textTable(
      ['width', 'optimal η', 'loss there', 'runs', ...(diverged ? ['diverged'] : [])],
      r.widths.map((w) => [
        String(w.width),
        f4(w.learningRate),
        f4(w.loss),
        String(w.runs),
        ...(diverged
          ? [w.diverged ? `${w.diverged}${w.divergedAt !== undefined ? ` (from ${f4(w.divergedAt)})` : ''}` : '']
          : []),
      ]),
    ) +
    `\n${transferSlopeText(r)}\n${r.verdict}\n` +
    (target ? `${target}\n` : '') +
    (r.diverged
      ? `${r.diverged} run${r.diverged === 1 ? '' : 's'} diverged (a loss that is not a finite number): left out of the parabolas; each bounds its width's optimum from above\n`
      : '') +
    r.warnings.map((w) => `warning: ${w}\n`).join('')
  );
}

export function coordinateCheckReport(r: ReturnType<typeof coordinateCheck>): string {
  const grows = r.layers.filter((l) => l.grows);
  return (
    textTable(
      ['layer', 'slope', 'grows with width'],
      r.layers.map((l) => [l.layer, l.slope.toFixed(3), l.grows ? 'YES' : 'no']),
    ) +
    `\n${grows.length ? `${grows.length} layer${grows.length === 1 ? '' : 's'} grow with width: ${grows.map((l) => l.layer).join(', ')}` : 'no layer grows with width: the parametrisation looks right'}\n`
  );
}
