/**
 * Learning-rate and batch-size laws against compute (or size): published presets, and the fit from
 * a user's sweep by DeepSeek LLM's method (Bi et al. 2024, §3.1): per compute budget, the
 * near-optimal region — runs within a tolerance of the best loss — and a power law through each
 * region's centre. Pure.
 */
import { InputError, UsageError } from '../errors/index.js';
import { linearRegression } from '../core/linearRegression.js';
import { percentileInterval } from '../core/statistics.js';
import { randomSource } from '../core/random.js';
import type { Dataset, Run } from '../io/dataset.js';
import { groupBudgets } from '../analyses/isoflop.js';

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
}

export const hparamPresets: readonly HparamPreset[] = [
  {
    id: 'deepseek-2024',
    citation: 'DeepSeek-AI (Bi et al.) 2024, "DeepSeek LLM", arXiv:2401.02954, Eq. 1',
    variable: 'C',
    lr: { coefficient: 0.3118, exponent: -0.125 },
    batch: { coefficient: 0.292, exponent: 0.3271, unit: 'tokens' },
    note: 'C = M·D with M the non-embedding FLOPs per token including attention (72·n_layer·d² + 12·n_layer·d·l_seq); fitted on 1e17–2e19 FLOPs with a multi-step schedule',
  },
  {
    id: 'porian-2024',
    citation: 'Porian et al. 2024, "Resolving Discrepancies in Compute-Optimal Scaling", arXiv:2406.19146',
    variable: 'N',
    lr: { coefficient: 3.7, exponent: -0.36 },
    batch: { coefficient: 0.00037, exponent: 0.703, unit: 'sequences', seqLen: 2048 },
    note: 'N counts all linear layers including the head, no embeddings; batch in sequences of 2048 tokens; AdamW with tuned β₂',
  },
];

export function hparamPreset(id: string): HparamPreset {
  const p = hparamPresets.find((x) => x.id === id);
  if (!p) throw new UsageError(`unknown preset "${id}" (known: ${hparamPresets.map((x) => x.id).join(', ')})`);
  return p;
}

export function evaluate(law: PowerLaw, x: number): number {
  return law.coefficient * Math.pow(x, law.exponent);
}

export interface HparamPrediction {
  learningRate: number;
  batchTokens: number;
  batchSequences?: number;
  source: string;
  variable: 'C' | 'N';
  at: number;
}

/** Learning rate and batch size (tokens) from a preset at compute C or size N. */
export function predictHparams(preset: HparamPreset, at: { C?: number; N?: number }, seqLen?: number): HparamPrediction {
  const x = preset.variable === 'C' ? at.C : at.N;
  if (x === undefined) throw new UsageError(`preset ${preset.id} is a law in ${preset.variable}: give ${preset.variable === 'C' ? '--compute' : '--params'}`);
  const b = evaluate(preset.batch, x);
  const len = preset.batch.seqLen ?? seqLen;
  const batchTokens = preset.batch.unit === 'tokens' ? b : b * (len ?? 2048);
  return {
    learningRate: evaluate(preset.lr, x),
    batchTokens,
    ...(preset.batch.unit === 'sequences' ? { batchSequences: b } : len ? { batchSequences: batchTokens / len } : {}),
    source: `preset ${preset.id}: ${preset.citation}`,
    variable: preset.variable,
    at: x,
  };
}

export interface BudgetOptimum {
  C: number;
  runs: number;
  bestLoss: number;
  /** Runs within the tolerance of the best loss. */
  nearOptimal: number;
  /** Geometric centre of the near-optimal region. */
  learningRate: number;
  batch: number;
}

export interface HparamFit {
  budgets: BudgetOptimum[];
  lr: PowerLaw & { interval?: [number, number] };
  batch: PowerLaw & { interval?: [number, number] };
  tolerance: number;
  warnings: string[];
}

function geomean(xs: number[]): number {
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

function centres(groups: { C: number; runs: Run[] }[], tolerance: number): BudgetOptimum[] {
  return groups.map((g) => {
    const best = Math.min(...g.runs.map((r) => r.loss));
    const near = g.runs.filter((r) => r.loss <= best * (1 + tolerance));
    return { C: g.C, runs: g.runs.length, bestLoss: best, nearOptimal: near.length, learningRate: geomean(near.map((r) => r.lr!)), batch: geomean(near.map((r) => r.batch!)) };
  });
}

function lawThrough(bs: BudgetOptimum[], key: 'learningRate' | 'batch'): PowerLaw {
  const { slope, intercept } = linearRegression(bs.map((b) => Math.log(b.C)), bs.map((b) => Math.log(b[key])));
  return { coefficient: Math.exp(intercept), exponent: slope };
}

/**
 * Fit η_opt = a·C^b and B_opt = c·C^d from a sweep (columns C or N and D, lr, batch, loss).
 * @param tolerance near-optimal means loss ≤ (1 + tolerance)·best (DeepSeek: 0.25 %)
 * @throws InputError without lr or batch columns, or with fewer than two budgets
 */
export function fitHparamLaws(dataset: Dataset, options: { tolerance?: number; budgetTolerance?: number; bootstrap?: { replicates: number; seed: number; level: number } } = {}): HparamFit {
  const source = dataset.source;
  for (const [field, what] of [['lr', 'peak learning rate'], ['batch', 'batch size']] as const) {
    if (dataset.columns[field] === undefined) throw new InputError({ file: source, line: 1 }, `a learning-rate/batch sweep needs a ${field} column (${what}); map one with --columns ${field}=NAME`);
  }
  const missing = dataset.runs.find((r) => r.lr === undefined || r.batch === undefined);
  if (missing) throw new InputError({ file: source, line: missing.line }, 'this run has no learning rate or batch size');
  const tolerance = options.tolerance ?? 0.0025;
  const { groups, unassigned } = groupBudgets(dataset, { tolerance: options.budgetTolerance ?? 0.06, minRuns: 2 });
  if (groups.length < 2) throw new InputError({ file: source }, `found ${groups.length} compute budget${groups.length === 1 ? '' : 's'} with two or more runs: the laws need at least two budgets`);
  const budgets = centres(groups, tolerance);
  const warnings: string[] = [];
  if (unassigned.length) warnings.push(`${unassigned.length} runs fell on no budget and were not used`);
  for (const b of budgets) if (b.nearOptimal === b.runs) warnings.push(`at C = ${b.C.toExponential(2)} every run is near-optimal: the sweep does not bracket the optimum`);
  const lr: HparamFit['lr'] = lawThrough(budgets, 'learningRate');
  const batch: HparamFit['batch'] = lawThrough(budgets, 'batch');
  if (options.bootstrap && options.bootstrap.replicates > 1) {
    const lrExp: number[] = [], bExp: number[] = [];
    for (let r = 0; r < options.bootstrap.replicates; r++) {
      const random = randomSource(options.bootstrap.seed, r);
      const resampled = groups.map((g) => ({ C: g.C, runs: g.runs.map(() => g.runs[Math.floor(random() * g.runs.length)]) }));
      const c = centres(resampled, tolerance);
      lrExp.push(lawThrough(c, 'learningRate').exponent);
      bExp.push(lawThrough(c, 'batch').exponent);
    }
    lr.interval = percentileInterval(lrExp, options.bootstrap.level);
    batch.interval = percentileInterval(bExp, options.bootstrap.level);
  }
  return { budgets, lr, batch, tolerance, warnings };
}
