/**
 * Trust warnings: what a fit's numbers cannot show by themselves. An optimiser converges to whatever
 * the data let it — an exponent of 4 with A = 6e35, E at zero, a law through 30 copies of one row —
 * and "converged" must not read as "trustworthy". Each warning has a stable `code` (for scripts and
 * tests), a `severity` and a message that says what to do.
 *
 * Severities: `info` (worth knowing), `warning` (treat the numbers with care), `severe` (do not
 * extrapolate with this fit). A fit's trust is its worst severity. Pure.
 */
import { lineagesNotDrawn, unfinishedRuns, type Dataset } from '../io/dataset.js';
import type { Law, ParamSpec } from '../laws/law.js';
import { formatInterval, formatNumber, formatRange } from '../core/format.js';
import type { Interval } from '../core/bounds.js';
import { extent, percentileInterval, quantile } from '../core/statistics.js';
import { dataSupport } from './procedures.js';
import { SameRunIndex } from '../core/sameRun.js';
import { libraryOption } from '../errors/index.js';

export type Severity = 'info' | 'warning' | 'severe';

export type WarningCode =
  | 'not-converged'
  | 'unstable-starts'
  | 'few-runs'
  | 'nonpositive-exponent'
  | 'degenerate'
  | 'exponent-range'
  | 'parameter-zero'
  | 'at-bound'
  | 'few-distinct'
  | 'one-ratio'
  | 'compute-convention'
  | 'duplicate-rows'
  | 'constant-loss'
  | 'checkpoints'
  | 'reduced-law'
  | 'bootstrap-unconverged'
  | 'bootstrap-unstable'
  | 'bootstrap-multimodal'
  | 'bootstrap-off-center'
  | 'extrapolation'
  | 'break-outside-data'
  | 'lineage'
  | 'moving-average'
  | 'no-shape'
  | 'unbracketed'
  | 'unassigned-runs'
  | 'no-loss-law'
  | 'bootstrap-failed'
  | 'frontier'
  | 'repeated-data'
  | 'unfinished-runs'
  | 'pooled-variants'
  | 'batch-unit'
  | 'legacy';

export interface TrustWarning {
  code: WarningCode;
  severity: Severity;
  message: string;
}

export type Trust = 'ok' | 'caution' | 'untrusted';

const rank: Record<Severity, number> = { info: 0, warning: 1, severe: 2 };

/** A fit's trust: untrusted with any severe warning, caution with any warning. */
export function trustOf(warnings: readonly TrustWarning[]): Trust {
  const worst = Math.max(-1, ...warnings.map((w) => rank[w.severity]));
  return worst >= 2 ? 'untrusted' : worst === 1 ? 'caution' : 'ok';
}

export function warning(code: WarningCode, severity: Severity, message: string): TrustWarning {
  return { code, severity, message };
}

/** Read warnings back from JSON, where files written before warnings had codes hold plain strings. */
export function asTrustWarnings(values: unknown): TrustWarning[] {
  if (!Array.isArray(values)) return [];
  return values.map((v) =>
    typeof v === 'string'
      ? warning('legacy', 'warning', v)
      : {
          code: (v?.code ?? 'legacy') as WarningCode,
          severity: (['info', 'warning', 'severe'].includes(v?.severity) ? v.severity : 'warning') as Severity,
          message: String(v?.message ?? ''),
        },
  );
}

/**
 * What a parameter without a finite value means, for the places that would print `Infinity` (a text
 * report) or `null` (JSON) for it: one that ran off to infinity switched its term off, so the data
 * show no power law in its variable; "off" in a report, `paramsOff` beside `params` in JSON.
 */
export function offReason(p: Pick<ParamSpec, 'description' | 'of'>, value: number): string {
  if (Number.isNaN(value)) return `the ${p.description} is not a number: these data do not determine it`;
  return `the ${p.description} ran off to ${value < 0 ? '−' : ''}infinity, its term switched off${p.of ? `: these data show no power law in ${p.of}` : ''}`;
}

/** Published exponents lie between ~0.05 and ~1; far above, a term is switched off. */
const STEEPEST_EXPONENT = 5;

/** What the checks read from a fit (FitResult has all of it). */
export interface FitFacts {
  law: Law;
  params: Record<string, number>;
  free: string[];
  theta: Float64Array;
  bounds: Interval[];
  /** Indices (into law.params) of the free parameters, in optimiser order. */
  freeIndex: number[];
  converged: boolean;
  reason: string;
  gradientNorm: number;
  starts: { refined: number; atBest: number };
  points: number;
  dataset: Dataset;
}

/** Every check on a finished fit and its data. */
export function fitWarnings(r: FitFacts): TrustWarning[] {
  const w: TrustWarning[] = [];
  if (!r.converged)
    w.push(
      warning(
        'not-converged',
        'warning',
        `the optimiser stopped without converging (${r.reason}, gradient norm ${r.gradientNorm.toExponential(2)}): treat the parameters with care`,
      ),
    );
  if (r.starts.refined > 1 && r.starts.atBest < Math.min(2, r.starts.refined)) {
    w.push(
      warning(
        'unstable-starts',
        'warning',
        `only ${r.starts.atBest} of ${r.starts.refined} starts reached the best optimum: the fit may be unstable; try the full grid of starts (${libraryOption('init')} grid)`,
      ),
    );
  }
  w.push(...dataWarnings(r.dataset, r.law));
  const support = dataSupport(r.dataset);
  const distinct = Math.min(support.distinctPoints, support.runs);
  if (distinct < 3 * r.free.length)
    w.push(
      warning(
        'few-runs',
        'warning',
        `${distinct} distinct runs for ${r.free.length} free parameters: intervals will be wide and extrapolation fragile (published practice with few runs: tie α = β, or fix E)`,
      ),
    );
  const minLoss = extent(r.dataset.runs.map((x) => x.loss))[0];
  for (const p of r.law.params) {
    if (!r.free.includes(p.name)) continue;
    const v = r.params[p.name];
    if (!Number.isFinite(v)) {
      w.push(
        warning(
          'degenerate',
          'severe',
          `${p.name} is off: the fit is degenerate (${offReason(p, v)}); these data do not determine the law: do the runs vary every variable, and are they one experiment (filter them to one group: ${libraryOption('groups')})?`,
        ),
      );
      continue;
    }
    const exponent = p.role === 'exponent';
    if (exponent && v <= 0) {
      w.push(
        warning(
          'nonpositive-exponent',
          'severe',
          `${p.name} = ${formatNumber(v, 4)} ≤ 0: the loss does not fall with scale in these data`,
        ),
      );
    } else if (exponent && v > STEEPEST_EXPONENT) {
      w.push(
        warning(
          'degenerate',
          'severe',
          `${p.name} = ${formatNumber(v, 4)} is far steeper than any published exponent (0.05–1): its term is switched off and the fit is degenerate; do not extrapolate with it`,
        ),
      );
    } else if (p.published && (v < p.published.range[0] || v > p.published.range[1])) {
      w.push(
        warning(
          'exponent-range',
          v > 2 * p.published.range[1] ? 'severe' : 'warning',
          `${p.name} = ${formatNumber(v, 4)} lies outside the published range ${formatRange(p.published.range, String)} (${p.published.source}): more often a symptom (a term switched off, too narrow a range of N or D) than a finding`,
        ),
      );
    }
    if (p.role === 'irreducible' && v < 1e-3 * minLoss) {
      w.push(
        warning(
          'parameter-zero',
          'warning',
          `${p.name} = ${formatNumber(v, 3)}: the irreducible loss was driven to zero, so the law predicts the loss keeps falling without limit; with too little range in the data to see the floor, an extrapolation is optimistic`,
        ),
      );
    }
  }
  r.freeIndex.forEach((j, k) => {
    const b = r.bounds[k];
    const v = r.theta[j];
    const span = Number.isFinite(b.max - b.min) ? b.max - b.min : 1;
    if ((Number.isFinite(b.min) && v - b.min < 1e-6 * span) || (Number.isFinite(b.max) && b.max - v < 1e-6 * span)) {
      w.push(
        warning(
          'at-bound',
          'warning',
          `${r.law.params[j].name} is at its bound: the optimum may lie outside the allowed range`,
        ),
      );
    }
  });
  return w;
}

/**
 * How far a file's own C may lie from 6ND before it is said: counting conventions differ by tens of per
 * cent (Chinchilla's App. F counts attention; Kaplan's C leaves out embeddings, a few-fold for tiny
 * models with a large vocabulary), not by a decade.
 */
const COMPUTE_CONVENTION_FACTOR = 10;

/**
 * A C column read beside N and D whose values are not 6ND's order of magnitude: a column in other units
 * (PF-days, petaFLOPs) or of something else. N and D feed the law, but C places the reach warnings, the
 * back-test's cutoffs and the IsoFLOP budgets, so a C 1000× off would pass silently.
 */
function computeConvention(dataset: Dataset): string | undefined {
  const column = dataset.columns.C;
  if (column === undefined || dataset.derived.C !== undefined || dataset.derived.D !== undefined) return undefined;
  const ratios: number[] = [];
  for (const { C, N, D } of dataset.runs)
    if (C !== undefined && N !== undefined && D !== undefined && N > 0 && D > 0 && Number.isFinite(C / (6 * N * D)))
      ratios.push(C / (6 * N * D));
  if (!ratios.length) return undefined;
  const median = quantile(ratios, 0.5);
  if (median <= COMPUTE_CONVENTION_FACTOR && median >= 1 / COMPUTE_CONVENTION_FACTOR) return undefined;
  return `C (column "${column}") is ${formatNumber(median, 3)} × 6ND (median over ${ratios.length} row${ratios.length === 1 ? '' : 's'}): not FLOPs as 6ND counts them — another unit (PF-days, petaFLOPs), or an N that counts parameters a token does not use (a mixture of experts)? The law reads N and D, but C places the reach warnings, back-test cutoffs and IsoFLOP budgets: scale the column to FLOPs, or leave it out (C = 6ND then)`;
}

/** Checks on the data alone: what no fit can fix. */
function dataWarnings(dataset: Dataset, law: Law): TrustWarning[] {
  const w: TrustWarning[] = [];
  const support = dataSupport(dataset);
  for (const v of ['N', 'D', 'C'] as const) {
    if (!law.inputs.includes(v)) continue;
    const k = v === 'N' ? support.distinctN : v === 'D' ? support.distinctD : support.distinctC;
    if (k <= 2) {
      w.push(
        warning(
          'few-distinct',
          k <= 1 ? 'severe' : 'warning',
          `${k} distinct ${v === 'N' ? 'model size' : v === 'D' ? 'token count' : 'compute budget'}${k === 1 ? '' : 's'} (${v}): ${k <= 1 ? `the ${v} term is not identified; the law cannot predict other ${v}` : `the ${v} exponent rests on two values; the form of the ${v} term is not checked by the data`}`,
        ),
      );
    }
  }
  const ratio = oneRatio(dataset, law, support);
  if (ratio) {
    w.push(
      warning(
        'one-ratio',
        'warning',
        `${formatNumber(ratio.range[0], 3) === formatNumber(ratio.range[1], 3) ? `every run has ${formatNumber(ratio.median, 3)} tokens per parameter` : `every run has about ${formatNumber(ratio.median, 3)} tokens per parameter (D/N ${formatRange(ratio.range, (x) => formatNumber(x, 3))})`}: N and D grew together, so the data cannot tell the N term from the D term; the law predicts along that ratio, but a prediction at another ratio, and the compute-optimal split of a budget, rest on the form assumed, not on the runs (add runs at other tokens per parameter)`,
      ),
    );
  }
  const convention = computeConvention(dataset);
  if (convention) w.push(warning('compute-convention', 'warning', convention));
  const repeats = repeatedRows(dataset);
  if (repeats > 0) {
    w.push(
      warning(
        'duplicate-rows',
        repeats >= dataset.runs.length / 2 ? 'severe' : 'warning',
        `${repeats} row${repeats === 1 ? '' : 's'} repeat${repeats === 1 ? 's' : ''} another row (same N, D and loss to the digits the file printed them with): duplicated rows weigh twice and make intervals too narrow; remove copies (different seeds have different losses)`,
      ),
    );
  }
  const losses = dataset.runs.map((r) => r.loss);
  const [lowest, highest] = extent(losses);
  if (losses.length > 1 && highest <= lowest * (1 + 1e-12)) {
    w.push(
      warning(
        'constant-loss',
        'severe',
        `every run has the same loss (${formatNumber(losses[0], 6)}): the data say nothing about how loss scales`,
      ),
    );
  }
  if (support.rows > support.runs) {
    w.push(
      warning(
        'checkpoints',
        'info',
        `${support.rows} rows from ${support.runs} training runs: the fit weighs each checkpoint as a point (a long curve counts more than a short one), and a bootstrap resamples whole runs unless told to draw single rows; intermediate checkpoints of a cosine schedule lie above the final loss of a run that length`,
      ),
    );
  } else if (dataset.runs.some((r) => r.step !== undefined) && dataset.runs.every((r) => r.run === undefined)) {
    w.push(
      warning(
        'checkpoints',
        'warning',
        dataset.runNameColumn !== undefined
          ? `the rows have a step column but no run column: checkpoints of one run would be treated as independent runs, and intervals would be far too narrow; the file's "${dataset.runNameColumn}" column keeps one N for each of its values: if it names each run (and no two runs share a name), read it as the run with ${libraryOption('columns')} run=${dataset.runNameColumn}, else add a run column`
          : `the rows have a step column but no run column: checkpoints of one run would be treated as independent runs, and intervals would be far too narrow; add a run column (or map one with ${libraryOption('columns')} run=NAME)`,
      ),
    );
  }
  // Lineages named but not drawn by default (defaultResampleUnit): say so, as the intervals then treat a
  // lineage's runs (cooldown branches of one trunk) as independent.
  const notDrawn = lineagesNotDrawn(dataset);
  if (notDrawn) w.push(warning('lineage', 'warning', notDrawn));
  const unfinished = unfinishedRuns(dataset);
  if (unfinished) w.push(warning('unfinished-runs', 'warning', unfinished));
  // Two architectures (or optimizers, data sources) at the same sizes fitted as one law: its exponents are
  // neither arm's, and the seed-like scatter between arms inflates no interval the user reads as such.
  for (const { column, values } of dataset.variantColumns ?? []) {
    const shown =
      values
        .slice(0, 4)
        .map((v) => JSON.stringify(v))
        .join(', ') + (values.length > 4 ? ', …' : '');
    w.push(
      warning(
        'pooled-variants',
        'warning',
        `the file's "${column}" column has ${values.length} values (${shown}) that repeat the same sizes: they are fitted as one data set, though they may be different models, optimizers or data; to fit one, ${libraryOption('columns')} group=${column} ${libraryOption('groups')} ${values[0]}, or compare them (${libraryOption('groupColumn')} ${column})`,
      ),
    );
  }
  // A law per group (compare's joint fits) reads the groups; any other law pools them.
  const groups = law.groups ? undefined : pooledGroups(dataset);
  if (groups) w.push(warning('pooled-variants', 'warning', groups));
  return w;
}

/**
 * A read group column with several groups that no group selection chose: the fit pools them. A study's
 * export (`runs export`) has one group per experiment, and its learning-rate probe trains one size at
 * rates away from the best by design, so pooled with the IsoFLOP runs it pulls the law up at that size.
 * Undefined when the rows are one group, or the user selected the groups fitted.
 */
function pooledGroups(dataset: Dataset): string | undefined {
  if (dataset.selection?.startsWith('group ')) return undefined;
  const counts = new Map<string, number>();
  for (const r of dataset.runs) if (r.group !== undefined) counts.set(r.group, (counts.get(r.group) ?? 0) + 1);
  if (counts.size < 2) return undefined;
  const byRows = [...counts].sort((a, b) => b[1] - a[1]);
  const shown =
    byRows
      .slice(0, 4)
      .map(([g, n]) => `${JSON.stringify(g)} ${n}`)
      .join(', ') + (byRows.length > 4 ? ', …' : '');
  const one = counts.has('isoflop') ? 'isoflop' : byRows[0][0];
  const probe = counts.has('lr-probe')
    ? ": a study's learning-rate probe (lr-probe) trains one size at rates away from the best by design, so its losses pull the law up there"
    : '';
  return `the rows are ${counts.size} groups (${shown} rows${dataset.columns.group !== undefined ? `, column "${dataset.columns.group}"` : ''}) fitted as one data set${probe}; to fit one, ${libraryOption('groups')} ${one}`;
}

/**
 * Spread of log10(D/N) below which the runs count as one ratio: 0.1 decades (D/N within ±13 % of its
 * centre), wider than a ladder's rounding of "20 tokens per parameter" to whole batches, and narrower
 * than the ratios of any ladder that sets out to vary them (Chinchilla's IsoFLOP runs span ~3 decades).
 */
const ONE_RATIO_DECADES = 0.1;

/**
 * The tokens per parameter of runs that all share one (a ladder at a fixed D/N, Chinchilla's 20 or a
 * multiple), when the law has both an N and a D term and the runs vary N: the two terms are then
 * collinear in the data. Undefined otherwise.
 */
function oneRatio(
  dataset: Dataset,
  law: Law,
  support: ReturnType<typeof dataSupport>,
): { median: number; range: [number, number] } | undefined {
  if (!law.inputs.includes('N') || !law.inputs.includes('D') || support.distinctN < 2) return undefined;
  const ratios: number[] = [];
  for (const r of dataset.runs) {
    const D = r.D ?? (r.C !== undefined && r.N !== undefined ? r.C / (6 * r.N) : undefined);
    if (r.N === undefined || D === undefined || !(r.N > 0 && D > 0)) return undefined;
    ratios.push(D / r.N);
  }
  const [lo, hi] = extent(ratios);
  if (Math.log10(hi / lo) >= ONE_RATIO_DECADES) return undefined;
  const sorted = [...ratios].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], range: [lo, hi] };
}

/** repeatedRows per array of rows (and its length): the default procedure fits three recipes to the same rows. */
const repeatsOf = new WeakMap<Dataset['runs'], { rows: number; repeats: number }>();

/** Rows that repeat an earlier row in N, D, C, U and loss (core/sameRun.ts). */
function repeatedRows(dataset: Dataset): number {
  const runs = dataset.runs;
  const known = repeatsOf.get(runs);
  if (known?.rows === runs.length) return known.repeats;
  // A row repeats when an earlier row is the same run written twice, to the digits each was printed
  // with: a copy whose D another file format rounded is still a copy, a seed's loss is not.
  const repeats = new SameRunIndex(runs).repeats();
  repeatsOf.set(runs, { rows: runs.length, repeats });
  return repeats;
}

/** Sarle's bimodality coefficient of a sample: > 5/9 (a uniform's value) suggests two modes. */
export function bimodalityCoefficient(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 4) return NaN;
  let m = 0;
  for (let i = 0; i < n; i++) m += values[i];
  m /= n;
  let m2 = 0,
    m3 = 0,
    m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - m;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  if (m2 === 0) return NaN;
  const skew = m3 / m2 ** 1.5;
  const kurt = m4 / (m2 * m2) - 3;
  return (skew * skew + 1) / (kurt + (3 * (n - 1) ** 2) / ((n - 2) * (n - 3)));
}

/** "10 hit the iteration limit, 4 line search failed": the reasons, most frequent first. */
export function describeDropped(reasons: Record<string, number>): string {
  return Object.entries(reasons)
    .sort((a, b) => b[1] - a[1])
    .map(([why, n]) => `${n} ${why}`)
    .join(', ');
}

/**
 * Checks on bootstrap replicates: many failed refits, exponents whose interval spans a factor of
 * several, two modes (the data hold two different laws about equally well).
 */
export function bootstrapWarnings(
  law: Law,
  free: string[],
  names: string[],
  values: Float64Array,
  converged: Uint8Array,
  replicates: number,
  /** How many were dropped for each reason (bootstrap.ts droppedReplicates), said in the message. */
  reasons?: Record<string, number>,
  /** What each replicate drew, named in the message (default: runs). */
  unit: 'row' | 'run' | 'lineage' = 'run',
  /** The level the intervals are printed at: the judgement stays at 95 %, and says so where this differs. */
  level = JUDGED_AT,
): TrustWarning[] {
  const w: TrustWarning[] = [];
  const ok: number[] = [];
  for (let r = 0; r < replicates; r++) if (converged[r]) ok.push(r);
  const failed = replicates - ok.length;
  if (failed > 0) {
    w.push(
      warning(
        'bootstrap-unconverged',
        failed > 0.1 * replicates ? 'warning' : 'info',
        `${failed} of ${replicates} bootstrap replicates did not converge and were left out of the intervals${reasons && Object.keys(reasons).length ? ` (${describeDropped(reasons)})` : ''}`,
      ),
    );
  }
  if (ok.length < 20) return w;
  const p = names.length;
  const exponents = new Set(law.params.filter((q) => q.role === 'exponent').map((q) => q.name));
  for (const name of free) {
    if (!exponents.has(name)) continue;
    const j = names.indexOf(name);
    const xs = Float64Array.from(ok, (r) => values[r * p + j]).sort();
    // The percentiles (and digits) the parameter table's interval uses, so the warning quotes the
    // interval printed beside the value rather than a nearby one.
    const [lo, hi] = percentileInterval(xs, 0.95),
      mid = quantile(xs, 0.5);
    if (mid > 0 && (hi - lo) / mid > 1) {
      w.push(
        warning(
          'bootstrap-unstable',
          'warning',
          `${name}'s 95 % bootstrap interval ${formatInterval([lo, hi], 4)} is wider than its median (${formatNumber(mid, 4)}): resampled ${unit === 'row' ? 'rows' : unit === 'lineage' ? 'lineages' : 'runs'} give very different laws; the data do not pin the exponent down${judgedNote(level)}`,
        ),
      );
    }
    const bc = bimodalityCoefficient(xs);
    if (bc > 0.6 && xs.length >= 30) {
      w.push(
        warning(
          'bootstrap-multimodal',
          'warning',
          `${name}'s bootstrap replicates have two modes (bimodality coefficient ${bc.toFixed(2)} > 0.555): two different laws fit these data about equally well; predictions depend on which`,
        ),
      );
    }
  }
  return w;
}

/**
 * The level bootstrap-unstable and bootstrap-off-center judge at, whatever level the intervals are
 * printed at: both are verdicts on the fit (its trust follows them), and a verdict that came and went
 * with a presentation choice would say nothing of the fit — at 50 % no exponent would ever be
 * "unstable", and a healthy fit's value would fall outside its interval by chance. Their thresholds
 * (an interval wider than its median; a value outside the central part) are set for 95 %.
 */
const JUDGED_AT = 0.95;

/**
 * Said beside the 95 % in the message when the intervals printed next to it are at another level, so
 * that the interval the warning quotes is not read as the table's.
 */
function judgedNote(level: number): string {
  return Math.abs(level - JUDGED_AT) < 1e-9
    ? ''
    : ` (judged at 95 %, not at the ${formatNumber(100 * level, 3)} % the intervals are printed at, so that the verdict does not change with the level)`;
}

/**
 * Free parameters whose fitted value lies outside the central 95 % of their own bootstrap replicates
 * (converged ones, at least 20), whatever level the intervals are printed at: the refits ended
 * elsewhere than the fit — a flat valley or a limit of the law (an exponent near 0 with its coefficient
 * running off) — where the point and the replicates describe different laws, so the value printed beside
 * its interval is not what the data pin down. Fixed quantiles, because at a narrow level (50 %) a healthy
 * fit's value falls outside its interval by chance.
 */
export function offCenterWarnings(
  free: readonly string[],
  params: Readonly<Record<string, number>>,
  names: readonly string[],
  values: Float64Array,
  converged: Uint8Array,
  replicates: number,
  /** The level the intervals are printed at, said in the message where it is not 95 %. */
  level = JUDGED_AT,
): TrustWarning[] {
  const ok: number[] = [];
  for (let r = 0; r < replicates; r++) if (converged[r]) ok.push(r);
  if (ok.length < 20) return [];
  const p = names.length;
  const outside = free.filter((name) => {
    const j = names.indexOf(name),
      v = params[name];
    if (j < 0 || !Number.isFinite(v)) return false;
    const xs = Float64Array.from(ok, (r) => values[r * p + j]).sort();
    const q = (f: number) => xs[Math.min(xs.length - 1, Math.max(0, Math.round(f * (xs.length - 1))))];
    return v < q(0.025) || v > q(0.975);
  });
  if (outside.length === 0) return [];
  const one = outside.length === 1;
  return [
    warning(
      'bootstrap-off-center',
      'warning',
      `the fitted ${outside.join(', ')} ${one ? 'lies' : 'lie'} outside the central 95 % of ${one ? 'its' : 'their'} own bootstrap replicates: the refits ended elsewhere than the fit (a flat valley or a limit of the law), so ${one ? 'that value is' : 'those values are'} not pinned down by the data; read the interval, and predictions' intervals, rather than the point${judgedNote(level)}`,
    ),
  ];
}
