/**
 * Learning-rate and batch-size laws against compute (or size): published presets, and the fit from
 * a user's sweep by DeepSeek LLM's method (Bi et al. 2024, §3.1): per compute budget, the
 * near-optimal region — runs within a tolerance of the best loss — and a power law through each
 * region's centre. Pure.
 */
import { InputError, OptionError, UsageError } from '../errors/index.js';
import { powerFit } from '../core/linearRegression.js';
import { percentileInterval } from '../core/statistics.js';
import { randomSource } from '../core/random.js';
import { finish, type Steps } from '../core/steps.js';
import { describeColumns, groupedDraw, runsRecording, type Dataset, type Run } from '../io/dataset.js';
import { clusterByLog10 } from '../io/clusters.js';
import { formatNumber, plain } from '../core/format.js';
import { percentSlip } from '../core/slips.js';
import { didYouMean } from '../core/names.js';
import { checkLossVaries, checkMagnitudes } from '../io/dataChecks.js';
import { criticalBatchPresets } from './criticalBatch.js';

export interface PowerLaw {
  coefficient: number;
  exponent: number;
}

export interface HparamPreset {
  id: string;
  citation: string;
  /** What the laws are a function of. */
  variable: 'C' | 'N';
  lr: PowerLaw;
  batch: PowerLaw & { unit: 'tokens' | 'sequences'; seqLen?: number };
  note: string;
  /**
   * The C (or N) of the runs the laws were fitted on, as the paper states them: η and B far outside
   * are extrapolations of the preset and warned as such. Absent where the source states no range.
   */
  range?: [number, number];
  /** Where the range comes from, or that the source states none (then nothing is checked). */
  rangeSource: string;
}

/** The widest near-optimal region fitHparamLaws accepts, as a fraction of the best loss (see there). */
const MAX_NEAR_OPTIMAL = 0.1;

export const hparamPresets: readonly HparamPreset[] = [
  {
    id: 'deepseek-2024',
    citation: 'DeepSeek-AI (Bi et al.) 2024, "DeepSeek LLM", arXiv:2401.02954, Eq. 1',
    variable: 'C',
    lr: { coefficient: 0.3118, exponent: -0.125 },
    batch: { coefficient: 0.292, exponent: 0.3271, unit: 'tokens' },
    note: 'C = M·D with M the non-embedding FLOPs per token including attention (72·n_layer·d² + 12·n_layer·d·l_seq); fitted on 1e17–2e19 FLOPs with a multi-step schedule',
    range: [1e17, 2e19],
    rangeSource: 'DeepSeek LLM §3.1: the learning-rate and batch-size grid covered budgets of 1e17 to 2e19 FLOPs',
  },
  {
    id: 'porian-2024',
    citation: 'Porian et al. 2024, "Resolving Discrepancies in Compute-Optimal Scaling", arXiv:2406.19146',
    variable: 'N',
    lr: { coefficient: 3.7, exponent: -0.36 },
    batch: { coefficient: 0.00037, exponent: 0.703, unit: 'sequences', seqLen: 2048 },
    note: 'N counts all linear layers including the head, no embeddings; batch in sequences of 2048 tokens; AdamW with tuned β₂',
    // docs/methods.md §16 records the laws but not the model sizes they were fitted on: none is made up.
    rangeSource:
      'the model sizes these laws were fitted on are not recorded here (docs/methods.md §16), so N is not checked against them',
  },
];

/** The learning-rate and batch preset plan, report, hparams and the web planner use when none is chosen. */
export const defaultHparamsPreset = hparamPresets[0].id;

/**
 * The learning-rate and batch presets (those in one variable, when given) as a message offers them:
 * "deepseek-2024 or porian-2024". Messages name the alternatives from the lists, so a preset added
 * to either is offered where the others are.
 */
export function hparamPresetChoices(variable?: 'C' | 'N'): string {
  return hparamPresets
    .filter((p) => variable === undefined || p.variable === variable)
    .map((p) => p.id)
    .join(' or ');
}

/** The critical-batch presets B_crit(L) as a message offers them: "kaplan-2020". */
export function criticalBatchPresetChoices(): string {
  return criticalBatchPresets.map((p) => p.id).join(' or ');
}

export function hparamPreset(id: string): HparamPreset {
  const p = hparamPresets.find((x) => x.id === id);
  if (!p && id === 'kaplan-2020') {
    throw new OptionError({
      option: 'preset',
      value: id,
      message: (o) =>
        `preset kaplan-2020 is a critical-batch law B_crit(L) (Kaplan et al. 2020, Table 5) with no learning rate: use it for the critical batch at a loss (${o('targetLoss')} L); for a learning rate choose ${hparamPresetChoices()}`,
    });
  }
  if (!p)
    throw new UsageError(
      `unknown preset "${id}" (${didYouMean(
        id,
        [...hparamPresets, ...criticalBatchPresets].map((x) => x.id),
      )}known: ${hparamPresets.map((x) => x.id).join(', ')}, and ${criticalBatchPresetChoices()} for the critical batch)`,
    );
  return p;
}

export function evaluate(law: PowerLaw, x: number): number {
  return law.coefficient * Math.pow(x, law.exponent);
}

export interface HparamPrediction {
  learningRate: number;
  batchTokens: number;
  batchSequences?: number;
  /** The sequence length the batch's sequences assume (the preset's own, else the caller's). */
  seqLen?: number;
  source: string;
  variable: 'C' | 'N';
  at: number;
}

/** Learning rate and batch size (tokens) from a preset at compute C or size N. */
export function predictHparams(
  preset: HparamPreset,
  at: { C?: number; N?: number },
  seqLen?: number,
): HparamPrediction {
  const x = preset.variable === 'C' ? at.C : at.N;
  if (x === undefined)
    throw new OptionError({
      option: preset.variable === 'C' ? 'compute' : 'N',
      value: undefined,
      message: (o) => {
        // The preset in the variable given, where there is one: `--N 7B` with DeepSeek's law in C.
        const other = hparamPresets.find((p) => p.variable !== preset.variable);
        return `preset ${preset.id} is a law in ${preset.variable}: give ${o(preset.variable === 'C' ? 'compute' : 'N')}${other ? `, or use ${other.id}, a law in ${other.variable} (${o('preset')} ${other.id})` : ''}`;
      },
    });
  const b = evaluate(preset.batch, x);
  const len = preset.batch.seqLen ?? seqLen;
  const batchTokens = preset.batch.unit === 'tokens' ? b : b * (len ?? 2048);
  return {
    learningRate: evaluate(preset.lr, x),
    batchTokens,
    ...(preset.batch.unit === 'sequences' ? { batchSequences: b } : len ? { batchSequences: batchTokens / len } : {}),
    ...(preset.batch.unit === 'sequences' || len ? { seqLen: len ?? 2048 } : {}),
    source: `preset ${preset.id}: ${preset.citation}`,
    variable: preset.variable,
    at: x,
  };
}

export interface BudgetOptimum {
  /** The group's scale: compute C for laws in C, model size N for laws in N. */
  x: number;
  C?: number;
  N?: number;
  runs: number;
  bestLoss: number;
  /** Runs within the tolerance of the best loss. */
  nearOptimal: number;
  /** Geometric centre of the near-optimal region. */
  learningRate: number;
  batch: number;
  /**
   * Where the best run's learning rate (batch) is the lowest or highest the group swept: the optimum may
   * lie beyond the sweep, and the centre is then a bound, not the optimum; 'unswept' where the group
   * has one value (its centre is that value).
   */
  lrEdge?: SweepEdge;
  batchEdge?: SweepEdge;
  /**
   * With a bootstrap, what a replicate drew in this group: whole lineages, or runs (the data name no
   * lineage, or this group names fewer than 3; bootstrap.unit is 'lineage' when any group draws them).
   */
  unit?: 'lineage' | 'run';
}

export interface FittedLaw extends PowerLaw {
  /** Bootstrap interval on the exponent (kept as `interval` for older callers). */
  interval?: [number, number];
  coefficientInterval?: [number, number];
}

export interface HparamFit {
  /** What the laws are a function of: compute (sweep grouped by C) or model size (grouped by N). */
  variable: 'C' | 'N';
  budgets: BudgetOptimum[];
  lr: FittedLaw;
  batch: FittedLaw;
  tolerance: number;
  /**
   * Bootstrap settings, when intervals were computed, and what a replicate drew: runs within each group,
   * or whole lineages when the data name at least 3 (io/dataset.ts groupedDraw).
   */
  bootstrap?: { replicates: number; seed: number; level: number; unit?: 'lineage' | 'run' };
  /** η and B predicted at `at`, with bootstrap intervals when bootstrapped. */
  prediction?: {
    at: number;
    learningRate: number;
    batch: number;
    learningRateInterval?: [number, number];
    batchInterval?: [number, number];
  };
  warnings: string[];
}

function geomean(xs: number[]): number {
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

/**
 * Runs grouped by scale (C or N): densest clusters of log10 value within ±tolerance decades, each
 * with at least minRuns runs (the same clustering IsoFLOP budgets use, on any one variable).
 */
function groupByScale(
  runs: Run[],
  key: 'C' | 'N',
  tolerance: number,
  minRuns: number,
): { groups: { x: number; runs: Run[] }[]; unassigned: Run[] } {
  const { groups, unassigned } = clusterByLog10(runs, key, tolerance, minRuns);
  return { groups: groups.map((g) => ({ x: Math.pow(10, g.centre), runs: g.members })), unassigned };
}

function centres(groups: { x: number; runs: Run[] }[], tolerance: number, variable: 'C' | 'N'): BudgetOptimum[] {
  return groups.map((g) => {
    const best = Math.min(...g.runs.map((r) => r.loss));
    const near = g.runs.filter((r) => r.loss <= best * (1 + tolerance));
    return {
      x: g.x,
      [variable]: g.x,
      runs: g.runs.length,
      bestLoss: best,
      nearOptimal: near.length,
      learningRate: geomean(near.map((r) => r.lr!)),
      batch: geomean(near.map((r) => r.batch!)),
    };
  });
}

type SweepEdge = 'lowest' | 'highest' | 'unswept';

/**
 * Whether the best run's value of `key` is the lowest or highest the group swept (with two values
 * every best run is at an end: two do not bracket an optimum), or the group has one value: the
 * optimum may lie past the sweep's end.
 */
function sweepEdge(runs: Run[], key: 'lr' | 'batch'): SweepEdge | undefined {
  const values = [...new Set(runs.map((r) => r[key]!))];
  if (values.length === 1) return 'unswept';
  const best = runs.reduce((a, r) => (r.loss < a.loss ? r : a))[key]!;
  if (best === Math.min(...values)) return 'lowest';
  if (best === Math.max(...values)) return 'highest';
  return undefined;
}

function lawThrough(bs: BudgetOptimum[], key: 'learningRate' | 'batch'): PowerLaw {
  const { coefficient, exponent } = powerFit(
    bs.map((b) => b.x),
    bs.map((b) => b[key]),
  );
  return { coefficient, exponent };
}

function lines(runs: Run[]): string {
  const ls = runs.map((r) => r.line);
  return ls.length <= 6 ? ls.join(', ') : `${ls.slice(0, 6).join(', ')}, … (${ls.length} in all)`;
}

/**
 * Fit η_opt = a·X^b and B_opt = c·X^d from a sweep, X = C (columns C, or N and D) or X = N
 * (column N): runs grouped by X, per group the near-optimal region and its centre.
 * @param tolerance near-optimal means loss ≤ (1 + tolerance)·best (DeepSeek: 0.25 %)
 * @param budgetTolerance half-width of a group in decades of X
 * @param at predict η and B here (with bootstrap intervals when bootstrapped)
 * @throws InputError without lr, batch or the grouping column, or with fewer than two groups
 */
export function fitHparamLaws(dataset: Dataset, options: HparamFitOptions = {}): HparamFit {
  return finish(fitHparamLawsSteps(dataset, options));
}

/** How fitHparamLaws groups the runs, where it predicts, and its bootstrap. */
export interface HparamFitOptions {
  variable?: 'C' | 'N';
  tolerance?: number;
  budgetTolerance?: number;
  at?: number;
  bootstrap?: { replicates: number; seed: number; level: number };
}

/**
 * fitHparamLaws a bootstrap replicate at a time (it yields between them): a caller that must stay
 * responsive (a command that stops on Ctrl-C) gives its event loop a turn there.
 * @throws InputError as fitHparamLaws
 */
export function* fitHparamLawsSteps(given: Dataset, options: HparamFitOptions = {}): Steps<HparamFit> {
  const source = given.source;
  const variable = options.variable ?? 'C';
  for (const [field, what] of [
    ['lr', 'peak learning rate'],
    ['batch', 'batch size'],
  ] as const) {
    if (given.columns[field] === undefined)
      throw new InputError(
        { file: source, line: 1 },
        (o) =>
          `a learning-rate/batch sweep needs a ${field} column (${what}); the data have: ${describeColumns(given)}; map one with ${o('columns')} ${field}=NAME`,
      );
  }
  if (given.columns[variable] === undefined && given.derived[variable] === undefined) {
    throw new InputError(
      { file: source, line: 1 },
      variable === 'C'
        ? (o) =>
            `laws in compute need each run's budget: a C column (or N and D, from which C = 6ND); map one with ${o('columns')} C=NAME (a sweep with only N fits laws in model size: ${o('N')} N)`
        : (o) =>
            `laws in model size need an N column (parameters of each run); map one with ${o('columns')} N=NAME (a sweep with only C fits laws in compute: ${o('compute')} C)`,
    );
  }
  // A run that did not record its learning rate or batch (a study export's imported runs) is left out, counted.
  const recorded = runsRecording(given, ['lr', 'batch'], 'the learning-rate/batch fit');
  const dataset = recorded.dataset;
  const noScale = dataset.runs.find((r) => r[variable] === undefined);
  if (noScale)
    throw new InputError(
      { file: source, line: noScale.line },
      `this run has no ${variable === 'C' ? 'compute C' : 'model size N'}`,
    );
  checkMagnitudes(dataset, [variable, 'lr', 'batch', 'loss'], dataset.runs);
  checkLossVaries(dataset, dataset.runs, 'finding the near-optimal learning rates and batch sizes');
  const tolerance = options.tolerance ?? 0.0025;
  // A fraction of the best loss. DeepSeek's is 0.25 %; past 10 % the region holds most of a sweep's
  // grid and its centre is the grid's, not the optimum's. A value above that is nearly always a
  // percentage typed as a number (0.25 for 0.25 %, 25 for 25 %).
  if (!(tolerance >= 0 && tolerance <= MAX_NEAR_OPTIMAL)) {
    const slip = percentSlip(tolerance, [0, MAX_NEAR_OPTIMAL]);
    throw new OptionError({
      option: 'nearOptimal',
      value: tolerance,
      message: (o) =>
        `${o('nearOptimal')} is a fraction of the best loss, from 0 to ${MAX_NEAR_OPTIMAL} (${formatNumber(MAX_NEAR_OPTIMAL * 100, 3)} %; DeepSeek's 0.25 % is 0.0025), got ${plain(tolerance)}${tolerance > MAX_NEAR_OPTIMAL ? ` (${formatNumber(tolerance * 100, 4)} %: ${tolerance >= 1 ? 'every run' : 'most runs'} of a sweep would count as near-optimal)` : ''}${slip ? `: ${slip}` : ''}`,
    });
  }
  const what = variable === 'C' ? 'compute budget' : 'model size';
  const { groups, unassigned } = groupByScale(dataset.runs, variable, options.budgetTolerance ?? 0.06, 2);
  if (groups.length < 2) {
    throw new InputError(
      { file: source, line: groups[0]?.runs[0]?.line },
      `found ${groups.length} ${what}${groups.length === 1 ? '' : 's'} with two or more runs: the laws need at least two (runs are grouped when their ${variable} agree within ±${options.budgetTolerance ?? 0.06} decades)`,
    );
  }
  const budgets = centres(groups, tolerance, variable);
  const warnings: string[] = recorded.warning ? [recorded.warning] : [];
  // A best run at the end of its group's sweep: the near-optimal region is cut there, its centre
  // pulled inside, and the bootstrap (which redraws the same grid) cannot see it; the intervals were
  // tight around a learning rate half the truth's (walk17).
  const atEdge = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const b = budgets[i];
    const lrEdge = sweepEdge(g.runs, 'lr');
    const batchEdge = sweepEdge(g.runs, 'batch');
    if (lrEdge) b.lrEdge = lrEdge;
    if (batchEdge) b.batchEdge = batchEdge;
    const key = [lrEdge ? `lr:${lrEdge}` : '', batchEdge ? `batch:${batchEdge}` : ''].filter(Boolean).join(',');
    if (key) atEdge.set(key, [...(atEdge.get(key) ?? []), b.x]);
  });
  // One warning per kind of edge, naming its groups: a sweep shifted too low says so once, not per group.
  for (const [key, xs] of atEdge) {
    const ends = key.split(',').map((e) => e.split(':') as ['lr' | 'batch', SweepEdge]);
    const name = (k: 'lr' | 'batch') => (k === 'lr' ? 'learning rate' : 'batch');
    const names = (k: 'lr' | 'batch') => (k === 'lr' ? 'learning rates' : 'batches');
    const said = ends.map(([k, end]) =>
      end === 'unswept' ? `${name(k)} is the only one tried` : `${name(k)} is the ${end} swept`,
    );
    const extend = ends.map(([k, end]) =>
      end === 'unswept' ? `more than one ${name(k)}` : `${end === 'highest' ? 'larger' : 'smaller'} ${names(k)}`,
    );
    warnings.push(
      `at ${variable} = ${xs.map((x) => formatNumber(x, 3)).join(', ')} the best run's ${said.join(' and its ')}: the optimum may lie beyond what was tried, so ${xs.length === 1 ? 'that centre is a bound' : 'those centres are bounds'}, and the laws and intervals through ${xs.length === 1 ? 'it' : 'them'} do not show how far; extend the sweep to ${extend.join(' and ')}`,
    );
  }
  if (unassigned.length)
    warnings.push(
      `${unassigned.length} run${unassigned.length === 1 ? '' : 's'} fell on no ${what} and ${unassigned.length === 1 ? 'was' : 'were'} not used (line ${lines(unassigned)})`,
    );
  for (const b of budgets)
    if (b.nearOptimal === b.runs)
      warnings.push(
        `at ${variable} = ${formatNumber(b.x, 3)} every run is near-optimal: the sweep does not bracket the optimum`,
      );
  for (const b of budgets)
    if (b.nearOptimal === 1)
      warnings.push(
        `at ${variable} = ${formatNumber(b.x, 3)} only the best run is near-optimal: the sweep is coarser than the tolerance, so the centre is that run's η and B`,
      );
  const lr: FittedLaw = lawThrough(budgets, 'learningRate');
  const batch: FittedLaw = lawThrough(budgets, 'batch');
  const at = options.at;
  if (at !== undefined && !(at > 0 && Number.isFinite(at)))
    throw new UsageError(`cannot predict at ${variable} = ${at}: expected a positive number`);
  const prediction: HparamFit['prediction'] =
    at === undefined ? undefined : { at, learningRate: evaluate(lr, at), batch: evaluate(batch, at) };
  if (at !== undefined) {
    const xs = budgets.map((b) => b.x);
    const lo = Math.min(...xs),
      hi = Math.max(...xs);
    // By how far, as a fit's extrapolation warning says it: "more than a decade outside" read the same
    // at 11× and at 1e4×.
    if (at > hi * 10 || at < lo / 10)
      warnings.push(
        `${variable} = ${formatNumber(at, 3)} is ${at > hi ? `${formatNumber(at / hi, 3)}× the largest` : `${formatNumber(lo / at, 3)}× below the smallest`} ${variable} of the sweep (${formatNumber(lo, 3)} … ${formatNumber(hi, 3)}): the prediction extrapolates`,
      );
  }
  const boot = options.bootstrap;
  let unit: 'lineage' | 'run' | undefined;
  if (boot && boot.replicates > 1) {
    const lrExp: number[] = [],
      bExp: number[] = [],
      lrCoef: number[] = [],
      bCoef: number[] = [],
      lrAt: number[] = [],
      bAt: number[] = [];
    // Runs within each group, or whole lineages when the data name them; a group that drew no run
    // (a lineage draw across groups can leave one empty) sits out its replicate.
    const drawn = groupedDraw(
      dataset,
      new Map(groups.map((g, i) => [i, g.runs])),
      (i) => `${variable} = ${formatNumber(groups[i].x, 3)}`,
    );
    unit = drawn.unit;
    budgets.forEach((b, i) => (b.unit = drawn.unitOf(i)));
    if (drawn.warning) warnings.push(drawn.warning);
    let tooFew = 0;
    for (let r = 0; r < boot.replicates; r++) {
      yield;
      const random = randomSource(boot.seed, r);
      const draw = drawn.draw(random);
      const resampled = groups.map((g, i) => ({ x: g.x, runs: draw.get(i)! })).filter((g) => g.runs.length > 0);
      if (resampled.length < 2) {
        tooFew++;
        continue;
      }
      const c = centres(resampled, tolerance, variable);
      const l = lawThrough(c, 'learningRate'),
        b = lawThrough(c, 'batch');
      lrExp.push(l.exponent);
      bExp.push(b.exponent);
      lrCoef.push(l.coefficient);
      bCoef.push(b.coefficient);
      if (at !== undefined) {
        lrAt.push(evaluate(l, at));
        bAt.push(evaluate(b, at));
      }
    }
    if (tooFew > 0)
      warnings.push(
        `${tooFew} of ${boot.replicates} bootstrap replicates were left out (their lineage draw left fewer than 2 groups with a run); the intervals rest on the other ${boot.replicates - tooFew}`,
      );
    lr.interval = percentileInterval(lrExp, boot.level);
    batch.interval = percentileInterval(bExp, boot.level);
    lr.coefficientInterval = percentileInterval(lrCoef, boot.level);
    batch.coefficientInterval = percentileInterval(bCoef, boot.level);
    if (prediction) {
      prediction.learningRateInterval = percentileInterval(lrAt, boot.level);
      prediction.batchInterval = percentileInterval(bAt, boot.level);
    }
  }
  return {
    variable,
    budgets,
    lr,
    batch,
    tolerance,
    ...(boot && boot.replicates > 1 ? { bootstrap: { ...boot, ...(unit ? { unit } : {}) } } : {}),
    ...(prediction ? { prediction } : {}),
    warnings,
  };
}
