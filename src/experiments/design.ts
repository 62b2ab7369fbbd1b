/**
 * Designing the small experiments: a learning-rate probe, then an IsoFLOP sweep that brackets the
 * expected optimum within an experiment budget, and finally the recommended configuration for the
 * target run. Pure: a cost model says how long a configuration takes; nothing here peeks at a
 * simulated world's law.
 */
import { ExperimentError, UsageError } from '../errors/index.js';
import { chinchillaOptimal } from '../analyses/computeOptimal.js';
import { polynomialFit } from '../core/leastSquares.js';
import { bisect } from '../core/minimize1d.js';
import { shapeSearch } from '../model/shapeSearch.js';
import { formatNumber } from '../core/format.js';
import type { TrainingConfig } from '../lab/world.js';
import { lawPreset } from '../presets/laws.js';
import { nonEmbeddingParameters } from '../model/shape.js';
import { PF_DAY } from '../model/flops.js';
import { criticalBatch } from '../hparams/criticalBatch.js';
import { checkMfu } from '../hardware/catalog.js';

/** How long a configuration takes on the hardware, and what it is made of. */
export interface CostModel {
  /** Seconds a run takes (wall-clock on one accelerator, the budget's unit). */
  seconds(config: { n_layer: number; d_model: number; tokens: number; batch_tokens: number }): number;
  /** Tokens a run of this shape and batch can train in `seconds`. */
  tokensFor(config: { n_layer: number; d_model: number; batch_tokens: number }, seconds: number): number;
  description: string;
  /**
   * What the model assumes for a configuration, where it is a rate of FLOPs (not the FLOPs "cost model"):
   * peak FLOP/s, the MFU it runs at, and the FLOPs a token costs as this model counts them
   * (6·(N + embeddings), which the law's C = 6·N·D leaves out). A report says them beside a run it sized.
   */
  assumed?: (config: { n_layer: number; d_model: number; batch_tokens: number }) => {
    peakFlops: number;
    mfu: number;
    flopsPerToken: number;
  };
  /**
   * A budget in this model's unit, in words (default: hours, for a model of seconds): what an error
   * about a budget says.
   */
  describeBudget?: (units: number) => string;
}

const hours = (seconds: number) => `${formatNumber(seconds / 3600, 3)} h`;

export interface Architecture {
  vocab: number;
  seqLen: number;
  ffnRatio: number;
  /** d_model is a multiple of this, and heads have this dimension. @default 64 */
  widthMultiple?: number;
  /** Band of d_model/n_layer for recommended shapes. @default [40, 160] */
  aspectRange?: [number, number];
  limits?: { dModel: [number, number]; nLayer: [number, number] };
}

/** Cost from a peak FLOP/s and an assumed MFU: 6·(N + 2·vocab·d)·D FLOPs (embeddings and head counted). */
export function assumedCostModel(
  peakFlops: number,
  mfu: number,
  architecture: Architecture,
  overheadSeconds = 0,
): CostModel {
  checkMfu(mfu);
  const params = (c: { n_layer: number; d_model: number }) =>
    nonEmbeddingParameters(c.n_layer, c.d_model, architecture.ffnRatio) + 2 * architecture.vocab * c.d_model;
  return {
    seconds: (c) => overheadSeconds + (6 * params(c) * c.tokens) / (peakFlops * mfu),
    tokensFor: (c, s) => ((s - overheadSeconds) * peakFlops * mfu) / (6 * params(c)),
    assumed: (c) => ({ peakFlops, mfu, flopsPerToken: 6 * params(c) }),
    description: `${formatNumber(peakFlops, 3)} FLOP/s peak at ${mfu} MFU, ${overheadSeconds} s start-up per run`,
  };
}

export interface PlannedRun {
  phase: 'lr-probe' | 'isoflop' | 'scale-up' | 'verify';
  /** Budget in C = 6·N·D (non-embedding N). */
  C: number;
  /** Non-embedding parameters of the shape. */
  N: number;
  config: TrainingConfig & {
    n_layer: number;
    d_model: number;
    n_heads: number;
    tokens: number;
    batch_tokens: number;
    learning_rate: number;
  };
  seconds: number;
}

/**
 * Batch size in tokens: a quarter of the critical batch at the expected loss (McCandlish et al.:
 * well below B_crit data efficiency is near its best), a power of two in sequences, at least 8
 * sequences and at most one hundredth of the tokens (so a run has ≥ 100 steps).
 */
export function chooseBatch(expectedLoss: number, tokens: number, seqLen: number): number {
  const target = criticalBatch(expectedLoss) / 4; // Kaplan et al. 2020's B_crit(L) (Table 5), the prior for batch size
  let sequences = 2 ** Math.round(Math.log2(Math.max(1, target / seqLen)));
  while (sequences > 8 && sequences * seqLen > tokens / 100) sequences /= 2;
  return Math.max(8, sequences) * seqLen;
}

/** Kaplan et al. 2020's L(C_min) = (3.1e8 PF-days / C)^0.050, a prior for the loss a budget reaches before any run. */
function priorLoss(C: number): number {
  return (3.1e8 / (C / PF_DAY)) ** 0.05;
}

/** A shape with about N non-embedding parameters within the lab's limits. */
function shapeFor(
  N: number,
  architecture: Architecture,
): { n_layer: number; d_model: number; n_heads: number; N: number } {
  const candidates = shapeSearch(N, {
    count: 'nonEmbedding',
    mlp: 'plain',
    ffnRatio: architecture.ffnRatio,
    ffnMultipleOf: 1,
    headDims: [architecture.widthMultiple ?? 64],
    multipleOf: architecture.widthMultiple ?? 64,
    tolerance: 0.25,
    minLayers: architecture.limits?.nLayer[0],
    aspectRange: [8, 256],
    aspect: 100,
    vocab: architecture.vocab,
    seqLen: architecture.seqLen,
    limit: 50,
  }).filter((c) => {
    const l = architecture.limits;
    return (
      !l ||
      (c.shape.dModel >= l.dModel[0] &&
        c.shape.dModel <= l.dModel[1] &&
        c.shape.nLayer >= l.nLayer[0] &&
        c.shape.nLayer <= l.nLayer[1])
    );
  });
  if (candidates.length === 0)
    throw new UsageError(`no shape with about ${formatNumber(N, 3)} non-embedding parameters fits the lab's limits`);
  const s = candidates[0].shape;
  return { n_layer: s.nLayer, d_model: s.dModel, n_heads: s.nHeads, N: candidates[0].parameters.nonEmbedding };
}

/** Non-embedding parameters of the smallest shape the lab accepts (two layers of width 64 unless its limits say). */
function smallestModel(a: Architecture): number {
  return nonEmbeddingParameters(
    a.limits?.nLayer[0] ?? 2,
    Math.max(a.widthMultiple ?? 64, a.limits?.dModel[0] ?? 64),
    a.ffnRatio,
  );
}

/** Non-embedding parameters of the largest shape the lab accepts. */
function largestModel(a: Architecture): number {
  const l = a.limits ?? { dModel: [64, 16384], nLayer: [1, 200] };
  return nonEmbeddingParameters(l.nLayer[1], l.dModel[1], a.ffnRatio);
}

export interface SweepDesignOptions {
  /** Experiment budget, seconds of accelerator time. */
  experimentSeconds: number;
  /** Target run, seconds of accelerator time (used to set how far the budgets reach). */
  targetSeconds: number;
  cost: CostModel;
  architecture: Architecture;
  /** IsoFLOP budgets, spaced by `ratio`. @default 5 */
  budgets?: number;
  ratio?: number;
  /** Model sizes per budget, spanning ×`span` around the prior optimum. @default 7, 32 */
  sizes?: number;
  span?: number;
  /** Share of the budget for the learning-rate probe. @default 0.08 */
  probeShare?: number;
  /** Learning rate for the sweep; when absent the probe finds it. */
  learningRate?: number;
  /** Law used only to centre the sizes (never to pick the answer). @default preset epoch-2024 */
  prior?: Record<string, number>;
  /**
   * Centre the sizes on N = √(C/(6R)) — R tokens per parameter — instead of the prior law's optimum:
   * for data unlike web text (characters, code, images), whose optimum sits elsewhere.
   */
  priorTokensPerParameter?: number;
  nEvals?: number;
  /**
   * Refuse a design whose largest experiment run is as large as the target run, and note when the
   * experiments together cost more than it. @default true; a study's re-plans after its runs started pass false.
   */
  checkTarget?: boolean;
}

export interface SweepDesign {
  probe: PlannedRun[];
  isoflop: PlannedRun[];
  budgets: number[];
  seconds: { probe: number; isoflop: number; total: number };
  notes: string[];
}

/** Expected non-embedding-N optimum for C under the prior, scaled down to non-embedding counts. */
function priorOptimum(C: number, prior: Record<string, number>, tokensPerParameter?: number): number {
  if (tokensPerParameter !== undefined) return Math.sqrt(C / (6 * tokensPerParameter));
  return chinchillaOptimal(prior, C).N;
}

/** Why sizes of a budget were left out of its IsoFLOP profile, counted. */
interface LeftOutSizes {
  /** No shape lies near the size (widths and depths come in steps, leaving gaps). */
  noShape: number;
  /** The size rounds to the shape of a size already planned. */
  sameShape: number;
  /** The budget buys the size fewer than 100 batches of 8 sequences. */
  fewTokens: number;
}

function isoflopRuns(
  budgets: number[],
  o: Required<Pick<SweepDesignOptions, 'sizes' | 'span'>> & SweepDesignOptions,
  lr: number,
  phase: PlannedRun['phase'],
  leftOut?: Map<number, LeftOutSizes>,
): PlannedRun[] {
  const prior = o.prior ?? lawPreset('epoch-2024').params;
  const runs: PlannedRun[] = [];
  // The lab's smallest shape: no window of sizes may start below it (shift the window up instead).
  const smallest = smallestModel(o.architecture);
  for (const C of budgets) {
    const centre = Math.max(priorOptimum(C, prior, o.priorTokensPerParameter), smallest * Math.sqrt(o.span) * 0.9);
    const seen = new Set<string>();
    const left: LeftOutSizes = { noShape: 0, sameShape: 0, fewTokens: 0 };
    leftOut?.set(C, left);
    for (let k = 0; k < o.sizes; k++) {
      const N = centre * o.span ** (k / (o.sizes - 1) - 0.5);
      let shape;
      try {
        shape = shapeFor(N, o.architecture);
      } catch {
        // Beyond the lab's largest shape: this budget cannot be bracketed, so the design is infeasible.
        if (N > largestModel(o.architecture)) return Object.assign([], { infeasible: true });
        left.noShape++;
        continue;
      }
      const key = `${shape.n_layer}x${shape.d_model}`;
      if (seen.has(key)) {
        left.sameShape++;
        continue;
      }
      seen.add(key);
      const tokens = C / (6 * shape.N);
      if (tokens < 100 * 8 * o.architecture.seqLen) {
        left.fewTokens++;
        continue;
      }
      const batch = chooseBatch(priorLoss(C), tokens, o.architecture.seqLen);
      const config = {
        ...shape,
        tokens: Math.round(tokens),
        batch_tokens: batch,
        learning_rate: lr,
        parametrization: 'mup' as const,
        n_evals: o.nEvals ?? 10,
        seed: 0,
      };
      delete (config as { N?: number }).N;
      runs.push({ phase, C, N: shape.N, config, seconds: o.cost.seconds(config) });
    }
  }
  return runs;
}

/**
 * An IsoFLOP design within the experiment budget: the largest budget is chosen so the whole sweep
 * (and the learning-rate probe) costs what is available.
 */
export function designSweep(options: SweepDesignOptions): SweepDesign {
  const o = { sizes: 7, span: 32, budgets: 5, ratio: 3, probeShare: 0.08, ...options };
  if (!(o.experimentSeconds > 0)) throw new UsageError('the experiment budget must be positive');
  const probeSeconds = o.learningRate === undefined ? o.probeShare * o.experimentSeconds : 0;
  const sweepSeconds = o.experimentSeconds - probeSeconds;
  const budgetsFor = (cMax: number) =>
    Array.from({ length: o.budgets }, (_, k) => cMax / o.ratio ** (o.budgets - 1 - k));
  const lr = o.learningRate ?? 3e-3;
  const costOf = (cMax: number) => {
    const runs = isoflopRuns(budgetsFor(cMax), o, lr, 'isoflop');
    return (runs as { infeasible?: boolean }).infeasible ? Infinity : runs.reduce((s, r) => s + r.seconds, 0);
  };
  // Largest budget whose sweep fits: cost grows with C, so bisect on ln C.
  const budgetProblem = () =>
    new UsageError(
      `an experiment budget of ${(o.cost.describeBudget ?? hours)(o.experimentSeconds)} is too small for even the smallest sweep, or too large for the lab's largest models`,
    );
  if (costOf(1e6) > sweepSeconds || costOf(1e26) < sweepSeconds) throw budgetProblem();
  const largestFitting = (seconds: number) => {
    // The probe alone can cost more than the whole budget (a tiny budget): say so, not a bisection error.
    if (!(seconds > 0)) throw budgetProblem();
    let c = Math.exp(bisect((lc) => costOf(Math.exp(lc)) - seconds, Math.log(1e6), Math.log(1e26), 1e-4));
    while (costOf(c) > seconds) c *= 0.99;
    return c;
  };
  let budgets = budgetsFor(largestFitting(sweepSeconds));
  // The probe's real cost (its smallest model may cost more than its share): the sweep gets the rest.
  const probe = o.learningRate === undefined ? designProbe(budgets[0], probeSeconds, o) : [];
  const probeCost = probe.reduce((a, r) => a + r.seconds, 0);
  if (probeCost > probeSeconds) budgets = budgetsFor(largestFitting(o.experimentSeconds - probeCost));
  const leftOut = new Map<number, LeftOutSizes>();
  const isoflop = isoflopRuns(budgets, o, lr, 'isoflop', leftOut);
  const notes = [
    `sizes per budget span ×${o.span} around ${o.priorTokensPerParameter !== undefined ? `N = √(C/(6·${o.priorTokensPerParameter})) (a prior of ${o.priorTokensPerParameter} tokens per parameter)` : o.prior ? 'the compute-optimal size of the prior law given' : 'the compute-optimal size of the prior law (preset epoch-2024, the default prior)'}, so a prior off by up to ×${Math.sqrt(o.span).toFixed(1)} is still bracketed`,
    o.learningRate === undefined
      ? `all sweep runs use muP, so the probe's learning rate transfers across widths: the IsoFLOP runs train at the probe's best rate, set once the probe has run (sweep run and study run do); the ${formatNumber(lr, 3)} their configurations hold here is a placeholder`
      : `all sweep runs use muP and train at the learning rate given (${formatNumber(lr, 3)}); no probe is planned`,
    `batch: a quarter of Kaplan et al.'s B_crit(L) at the prior loss of each budget`,
    `cost model: ${o.cost.description}`,
  ];
  // Shapes come in steps (whole layers, widths in multiples), so a size of a narrow span may have no
  // shape near it or share one with its neighbour, and one too large for its budget is left out: a
  // budget may hold fewer sizes than asked. Said, since a profile of fewer than 3 sizes has no minimum to place.
  const short = budgets
    .map((C) => ({ C, count: isoflop.filter((r) => r.C === C).length, left: leftOut.get(C) }))
    .filter((b) => b.count < o.sizes);
  if (short.length > 0) {
    const few = short.some((b) => b.count < 3);
    const counts = short.map((b) => `${b.count} at C = ${formatNumber(b.C, 3)}`).join(', ');
    const total = (k: keyof LeftOutSizes) => short.reduce((a, b) => a + (b.left?.[k] ?? 0), 0);
    const why = [
      total('noShape') > 0 &&
        `${total('noShape')} with no shape near them (widths in multiples of ${o.architecture.widthMultiple ?? 64}, whole layers)`,
      total('sameShape') > 0 && `${total('sameShape')} that round to a neighbour's shape`,
      total('fewTokens') > 0 && `${total('fewTokens')} too large to train 100 batches within the budget`,
    ].filter((w): w is string => typeof w === 'string');
    notes.unshift(
      `${few ? 'warning: ' : ''}${short.length === budgets.length ? 'every budget holds' : `${short.length} of ${budgets.length} budgets hold`} fewer distinct model sizes than the ${o.sizes} asked (${counts}); left out: ${why.join(', ')}${few ? `; a budget with fewer than 3 sizes has no IsoFLOP minimum to place: ${total('noShape') + total('sameShape') > 0 ? `give a wider span than ×${o.span}` : 'give a larger experiment budget'}` : ''}`,
    );
  }
  const s = (runs: PlannedRun[]) => runs.reduce((a, r) => a + r.seconds, 0);
  const total = s(probe) + s(isoflop);
  const describe = o.cost.describeBudget ?? hours;
  // The target is what the experiments are for: one experiment as long as the target run leaves nothing
  // to extrapolate to (a 48 h target with 10,000 h of experiments planned single runs of 216 h).
  const longest = [...probe, ...isoflop].reduce((a, r) => (r.seconds > a.seconds ? r : a));
  if (o.checkTarget !== false && longest.seconds >= o.targetSeconds)
    throw new UsageError(
      `the target run (${describe(o.targetSeconds)}) is no larger than the largest experiment this budget plans (${describe(longest.seconds)}, C = ${formatNumber(longest.C, 3)}): the experiments are for extrapolating to a larger run; give a smaller experiment budget (${describe(o.experimentSeconds)} now) or a larger target`,
    );
  if (o.checkTarget !== false && total > o.targetSeconds)
    notes.unshift(
      `warning: the experiments cost more than the target run they plan (${describe(total)} against ${describe(o.targetSeconds)}); the experiment budget is usually a fraction of the target's, and the target is usually the larger of the two`,
    );
  // Past the lab's largest models the bisection stops where sizes still fit: say the rest is unused.
  if (total < 0.5 * o.experimentSeconds)
    notes.push(
      `the design uses ${(total / 3600).toFixed(2)} h of the ${(o.experimentSeconds / 3600).toFixed(2)} h experiment budget: larger budgets would need models beyond the lab's largest shape`,
    );
  return { probe, isoflop, budgets, seconds: { probe: s(probe), isoflop: s(isoflop), total }, notes };
}

/** The shape for N, or for the next size up that has one (widths and depths come in steps, leaving gaps). */
function nearestShape(N: number, architecture: Architecture): ReturnType<typeof shapeFor> {
  for (let k = 0; ; k++) {
    try {
      return shapeFor(N * 1.2 ** k, architecture);
    } catch (e) {
      if (k >= 8) throw e;
    }
  }
}

/** Learning-rate probe: one mid-sized model at the smallest budget, learning rates ×2 apart. */
function designProbe(C: number, seconds: number, o: SweepDesignOptions): PlannedRun[] {
  const prior = o.prior ?? lawPreset('epoch-2024').params;
  // The prior optimum, but no smaller than the lab's smallest shape (two layers of width 64).
  const smallest = smallestModel(o.architecture);
  const shape = nearestShape(
    Math.max(priorOptimum(C, prior, o.priorTokensPerParameter), smallest * 1.5),
    o.architecture,
  );
  const lrs = [1.25e-4, 2.5e-4, 5e-4, 1e-3, 2e-3, 4e-3, 8e-3, 1.6e-2, 3.2e-2];
  // Tokens per probe run so that the probe fits its share.
  const tokens = o.cost.tokensFor({ ...shape, batch_tokens: 32 * o.architecture.seqLen }, seconds / lrs.length);
  const t = Math.max(Math.min(tokens, C / (6 * shape.N)), 100 * 8 * o.architecture.seqLen);
  const batch = chooseBatch(priorLoss(6 * shape.N * t), t, o.architecture.seqLen);
  return lrs.map((lr) => {
    const config = {
      n_layer: shape.n_layer,
      d_model: shape.d_model,
      n_heads: shape.n_heads,
      tokens: Math.round(t),
      batch_tokens: batch,
      learning_rate: lr,
      parametrization: 'mup' as const,
      n_evals: o.nEvals ?? 10,
      seed: 0,
    };
    return { phase: 'lr-probe' as const, C: 6 * shape.N * t, N: shape.N, config, seconds: o.cost.seconds(config) };
  });
}

/**
 * The probe's optimal learning rate: vertex of a parabola in ln η through the best run and its
 * neighbours (failed runs count as lost). Falls back to the best run when the vertex is outside.
 */
export function bestLearningRate(results: { learning_rate: number; loss: number | null }[]): {
  learningRate: number;
  method: string;
} {
  const ok = results
    .filter((r) => r.loss !== null && Number.isFinite(r.loss))
    .sort((a, b) => a.learning_rate - b.learning_rate) as { learning_rate: number; loss: number }[];
  if (ok.length === 0)
    throw new ExperimentError(
      'every learning-rate probe run failed (diverged or did not finish): see their reasons with "scalelab runs ls --status failed"',
    );
  const i = ok.reduce((b, r, k) => (r.loss < ok[b].loss ? k : b), 0);
  const lo = Math.max(0, i - 2),
    hi = Math.min(ok.length, i + 3);
  const window = ok.slice(lo, hi);
  if (window.length >= 3) {
    const c = polynomialFit(
      window.map((r) => Math.log(r.learning_rate)),
      window.map((r) => r.loss),
      2,
    );
    if (c && c[2] > 0) {
      const x = -c[1] / (2 * c[2]);
      if (x >= Math.log(window[0].learning_rate) && x <= Math.log(window[window.length - 1].learning_rate)) {
        return { learningRate: Math.exp(x), method: `parabola in ln η through ${window.length} runs` };
      }
    }
  }
  return { learningRate: ok[i].learning_rate, method: 'lowest-loss run' };
}

/**
 * The IsoFLOP runs of a plan that has a learning-rate probe, at the probe's best rate, as `study run`
 * trains them: the rate written in such a plan (sweep design's 3e-3) is a placeholder, since the probe
 * has not run when the plan is made. The rate follows from the probe's results alone, so a sweep run
 * again computes the same one, and so the same runs (a run's key hashes its configuration).
 */
export function atProbeLearningRate(
  isoflop: PlannedRun[],
  probe: { learning_rate: number; loss: number | null }[],
): { runs: PlannedRun[]; learningRate: { value: number; method: string } } {
  const best = bestLearningRate(probe);
  return {
    runs: isoflop.map((r) => ({ ...r, config: { ...r.config, learning_rate: best.learningRate } })),
    learningRate: { value: best.learningRate, method: best.method },
  };
}

/**
 * A "cost model" whose unit is FLOPs in the law's convention, C = 6·N·D with N non-embedding: with
 * it the sweep designer sizes a sweep from FLOP budgets (CS336 2025 style), not hours.
 */
function flopsCostModel(architecture: Architecture): CostModel {
  const N = (c: { n_layer: number; d_model: number }) =>
    nonEmbeddingParameters(c.n_layer, c.d_model, architecture.ffnRatio);
  return {
    seconds: (c) => 6 * N(c) * c.tokens,
    tokensFor: (c, flops) => flops / (6 * N(c)),
    description: 'FLOPs C = 6·N·D, N non-embedding',
    describeBudget: (flops) => `${formatNumber(flops, 3)} FLOPs`,
  };
}

/** A sweep designed within FLOP budgets, each run then timed on the hardware. */
export interface FlopsSweepDesign extends SweepDesign {
  flops: { probe: number; isoflop: number; total: number };
}

/**
 * Design a sweep whose budgets are FLOPs (the target run's and the experiments'), then give each
 * run its hours on `hardware`: the design is in the law's C = 6·N·D, the hours are what it costs.
 */
export function designSweepInFlops(
  options: Omit<SweepDesignOptions, 'cost' | 'experimentSeconds' | 'targetSeconds'> & {
    targetFlops: number;
    experimentFlops: number;
    hardware: CostModel;
  },
): FlopsSweepDesign {
  const { targetFlops, experimentFlops, hardware, ...rest } = options;
  const d = designSweep({
    ...rest,
    experimentSeconds: experimentFlops,
    targetSeconds: targetFlops,
    cost: flopsCostModel(options.architecture),
  });
  const flopsOf = (runs: PlannedRun[]) => runs.reduce((a, r) => a + 6 * r.N * r.config.tokens, 0);
  const timed = (runs: PlannedRun[]) => runs.map((r) => ({ ...r, seconds: hardware.seconds(r.config) }));
  const secs = (runs: PlannedRun[]) => runs.reduce((a, r) => a + r.seconds, 0);
  const probe = timed(d.probe),
    isoflop = timed(d.isoflop);
  return {
    ...d,
    probe,
    isoflop,
    seconds: { probe: secs(probe), isoflop: secs(isoflop), total: secs(probe) + secs(isoflop) },
    notes: [
      ...d.notes.filter((n) => !n.startsWith('cost model:')),
      `budget: C = 6·N·D FLOPs, N non-embedding; hours estimated with ${hardware.description}`,
    ],
    flops: { probe: flopsOf(probe), isoflop: flopsOf(isoflop), total: flopsOf(probe) + flopsOf(isoflop) },
  };
}
