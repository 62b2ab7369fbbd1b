/**
 * The simulated training lab: a deterministic function from (world, configuration) to validation
 * losses at evaluation checkpoints and a wall-clock cost. Pure. The rules are stated in
 * worlds/README.md and each step below cites the rule it applies.
 */
import { formatInterval } from '../core/format.js';
import { InputError } from '../errors/index.js';
import { normal, randomSource, hashSeed } from '../core/random.js';
import { trainingConfigSchema, type NormalizedConfig, type TrainingConfig, type World } from './world.js';
import { nonEmbeddingParameters } from '../model/shape.js';
import { lrAt, type Schedule } from '../core/schedule.js';

export interface Evaluation {
  /** Tokens seen when evaluated. */
  tokens: number;
  loss: number;
}

export interface SimulationResult {
  status: 'completed' | 'failed';
  reason?: string;
  config: NormalizedConfig;
  /** Non-embedding parameters, 12·n_layer·d_model² for d_ff = 4·d_model (the law's N). */
  N: number;
  /** All parameters: N plus input and output embeddings. */
  totalParameters: number;
  D: number;
  /** The law's compute convention, C = 6·N·D. */
  C: number;
  /** FLOPs the hardware actually spends: 6·(N + 2·vocab·d_model)·D (embeddings and head counted, the run's vocab). */
  flops: number;
  mfu: number;
  seconds: number;
  evals: Evaluation[];
  finalLoss: number;
}

export interface TruthDetail {
  N: number;
  /** Final loss without noise. */
  loss: number;
  lrOptimum: number;
  lrFactor: number;
  criticalBatch: number;
  effectiveTokens: number;
  shapeFactor: number;
}

/** Validate a configuration against the schema and the world's limits. */
export function normalizeConfig(world: World, config: TrainingConfig, source = 'config'): NormalizedConfig {
  const r = trainingConfigSchema.safeParse(config);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new InputError(
      { file: source },
      `invalid training config: field "${issue.path.join('.')}": ${issue.message}`,
    );
  }
  const c = r.data;
  const check = (name: string, value: number, [lo, hi]: [number, number]) => {
    if (value < lo || value > hi)
      throw new InputError(
        { file: source },
        `invalid training config: ${name} = ${value} is outside the lab's range ${formatInterval([lo, hi], String)}`,
      );
  };
  check('d_model', c.d_model, world.limits.dModel);
  check('n_layer', c.n_layer, world.limits.nLayer);
  check('n_heads', c.n_heads, world.limits.nHeads);
  check('learning_rate', c.learning_rate, world.limits.learningRate);
  if (c.d_model % c.n_heads !== 0)
    throw new InputError(
      { file: source },
      `invalid training config: d_model = ${c.d_model} is not divisible by n_heads = ${c.n_heads}`,
    );
  if (c.batch_tokens > c.tokens)
    throw new InputError(
      { file: source },
      `invalid training config: batch_tokens = ${c.batch_tokens} exceeds tokens = ${c.tokens}`,
    );
  return { ...c, vocab: c.vocab ?? world.architecture.vocab, seq_len: c.seq_len ?? world.architecture.seqLen };
}

/** nonEmbeddingParameters (model/shape.ts) for a config, whose d_ff may be its own rather than the world's ratio. */
export function configNonEmbedding(world: World, c: NormalizedConfig): number {
  const dFf = c.d_ff ?? world.architecture.ffnRatio * c.d_model;
  return c.n_layer * (4 * c.d_model * c.d_model + 2 * c.d_model * dFf);
}

/** Rule 6: MFU(N, B) = mfuMax · N/(N + mfuHalfN) · B/(B + mfuHalfBatch). */
export function mfu(world: World, N: number, batchTokens: number): number {
  const h = world.hardware;
  return h.mfuMax * (N / (N + h.mfuHalfN)) * (batchTokens / (batchTokens + h.mfuHalfBatch));
}

/**
 * Rule 1 (law) with rule 3 (critical batch): B_crit is taken at the loss the run would reach with
 * no batch penalty, L₀ = factor·L(N, D); the data then count as D_eff = D/(1 + B/B_crit(L₀)).
 * (One step, not a fixed point: at high loss B_crit(L) falls so fast that iterating runs away.)
 */
function lossAt(
  world: World,
  N: number,
  D: number,
  batchTokens: number,
  factor: number,
): { loss: number; criticalBatch: number; effectiveTokens: number } {
  const { E, A, B, alpha, beta } = world.law;
  const base = (E + A / N ** alpha + B / D ** beta) * factor;
  const criticalBatch = world.batch.bStar / base ** (1 / world.batch.alphaB);
  const effectiveTokens = D / (1 + batchTokens / criticalBatch);
  return { loss: (E + A / N ** alpha + B / effectiveTokens ** beta) * factor, criticalBatch, effectiveTokens };
}

/** Rule 7: shape. Loss × (1 + penalty·ln(aspect/aspectOptimum)²), aspect = d_model/n_layer. */
function shapeFactor(world: World, c: Pick<NormalizedConfig, 'd_model' | 'n_layer'>): number {
  return 1 + world.shape.penalty * Math.log(c.d_model / c.n_layer / world.shape.aspectOptimum) ** 2;
}

/** Rule 2: the optimal learning rate for this width and parametrisation. */
export function learningRateOptimum(world: World, c: Pick<NormalizedConfig, 'd_model' | 'parametrization'>): number {
  const lr = world.learningRate;
  return c.parametrization === 'mup' ? lr.optimum : lr.optimum * (c.d_model / lr.baseWidth) ** lr.spExponent;
}

/** Noise-free final loss and the quantities behind it. */
export function truth(world: World, config: TrainingConfig): TruthDetail & { diverged: boolean } {
  const c = normalizeConfig(world, config);
  const N = configNonEmbedding(world, c);
  const lrOptimum = learningRateOptimum(world, c);
  const diverged = c.learning_rate > world.learningRate.divergeFactor * lrOptimum;
  const lrFactor = 1 + world.learningRate.penalty * Math.log(c.learning_rate / lrOptimum) ** 2;
  const shape = shapeFactor(world, c);
  const r = lossAt(world, N, c.tokens, c.batch_tokens, lrFactor * shape);
  return {
    N,
    loss: r.loss,
    lrOptimum,
    lrFactor,
    criticalBatch: r.criticalBatch,
    effectiveTokens: r.effectiveTokens,
    shapeFactor: shape,
    diverged,
  };
}

function configKey(world: World, c: NormalizedConfig): string {
  const key: unknown[] = [
    c.n_layer,
    c.d_model,
    c.n_heads,
    c.d_ff ?? null,
    c.tokens,
    c.batch_tokens,
    c.learning_rate,
    c.parametrization,
    c.schedule,
    c.n_evals,
  ];
  // A vocabulary or context other than the world's is another run (its own noise); the world's own leave the key as it was.
  if (
    (c.vocab ?? world.architecture.vocab) !== world.architecture.vocab ||
    (c.seq_len ?? world.architecture.seqLen) !== world.architecture.seqLen
  )
    key.push(c.vocab, c.seq_len);
  return JSON.stringify(key);
}

function stringHash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Simulate one training run. */
export function simulate(world: World, config: TrainingConfig): SimulationResult {
  const c = normalizeConfig(world, config);
  const t = truth(world, c);
  const N = t.N;
  const totalParameters = N + 2 * (c.vocab ?? world.architecture.vocab) * c.d_model;
  const flops = 6 * totalParameters * c.tokens;
  const utilisation = mfu(world, N, c.batch_tokens);
  const fullSeconds = world.hardware.overheadSeconds + flops / (world.hardware.peakFlops * utilisation);
  const base = { config: c, N, totalParameters, D: c.tokens, C: 6 * N * c.tokens, flops, mfu: utilisation };
  if (t.diverged) {
    // Rule 2: too high a learning rate diverges early; the run is charged a tenth of its time.
    return {
      ...base,
      status: 'failed',
      reason: 'training diverged: the loss became NaN early in training (learning rate too high)',
      seconds: world.hardware.overheadSeconds + 0.1 * (fullSeconds - world.hardware.overheadSeconds),
      evals: [],
      finalLoss: NaN,
    };
  }
  // Rule 5: seeded noise, a run-level (seed) term plus a per-evaluation term.
  const random = randomSource(hashSeed(world.seed, stringHash(configKey(world, c))), c.seed);
  const runNoise = world.noise.seedSigma * normal(random);
  const evals: Evaluation[] = [];
  for (let k = 1; k <= c.n_evals; k++) {
    const fraction = k / c.n_evals;
    const tokens = c.tokens * fraction;
    // Rule 4: a checkpoint at fraction t of a cosine schedule sits above the loss a run of that
    // length would reach, by 1 + kappa·(1 + cos πt)/2 (zero at the end of training).
    const scheduleFactor = 1 + (world.schedule.kappa * (1 + Math.cos(Math.PI * fraction))) / 2;
    const clean = lossAt(world, N, tokens, c.batch_tokens, t.lrFactor * t.shapeFactor).loss * scheduleFactor;
    evals.push({ tokens, loss: clean * Math.exp(runNoise + world.noise.evalSigma * normal(random)) });
  }
  return { ...base, status: 'completed', seconds: fullSeconds, evals, finalLoss: evals[evals.length - 1].loss };
}

/**
 * Rule 8 (an addition: `simulate` and every final loss are unchanged): the noise-free loss after
 * each of `steps` optimizer steps of a run under any learning-rate schedule. After s steps
 * (s·batch_tokens tokens) it is the loss a well-tuned run of that many tokens reaches (rules 1–3, 7),
 * times 1 + κ·ū(s), where u = (η/η_peak − 0.1)/0.9, clipped to [0, 1], is how much of the learning
 * rate is still to be annealed (1 at a constant peak, 0 at the 10 % floor; at the last step of a
 * decaying schedule its end value, the floor) and ū its average with momentum `schedule.momentum`
 * per step. For a cosine schedule without warmup and momentum 0 this is rule 4 exactly; a constant
 * learning rate stays κ above the law until it is annealed.
 */
export function scheduleCurve(world: World, config: TrainingConfig, schedule: Schedule, steps: number[]): number[] {
  const c = normalizeConfig(world, config);
  const t = truth(world, c);
  const mu = world.schedule.momentum ?? 0;
  const level = (s: number) => {
    // At the last step every decaying schedule has reached its floor (cosine's t = 1), a constant one its peak.
    const eta =
      s >= schedule.steps
        ? schedule.kind === 'constant'
          ? schedule.peakLr
          : schedule.peakLr * (schedule.minLrFrac ?? 0.1)
        : lrAt(schedule, s);
    return Math.min(1, Math.max(0, (eta / schedule.peakLr - 0.1) / 0.9));
  };
  const out: number[] = [];
  let avg = 1,
    at = 0;
  for (const s of steps) {
    for (; at < s; at++) avg = mu * avg + (1 - mu) * level(at + 1);
    out.push(
      lossAt(world, t.N, s * c.batch_tokens, c.batch_tokens, t.lrFactor * t.shapeFactor).loss *
        (1 + world.schedule.kappa * avg),
    );
  }
  return out;
}

export interface Optimum {
  config: NormalizedConfig;
  loss: number;
  N: number;
  D: number;
  seconds: number;
}

/**
 * The true best configuration for a wall-clock budget on the world's hardware: searched over
 * d_model (multiples of 64), n_layer, batch size (powers of two in sequences) at the optimal
 * learning rate, with tokens = what the budget buys. Uses the world's own rules (no noise).
 */
export function optimum(world: World, budgetSeconds: number): Optimum {
  const [dLo, dHi] = world.limits.dModel,
    [lLo, lHi] = world.limits.nLayer;
  const seq = world.architecture.seqLen;
  let best: Optimum | undefined;
  for (let d = Math.ceil(dLo / 64) * 64; d <= dHi; d += 64) {
    const heads = Math.max(1, d / 64);
    if (heads < world.limits.nHeads[0] || heads > world.limits.nHeads[1]) continue;
    for (let L = lLo; L <= lHi; L++) {
      const N = nonEmbeddingParameters(L, d, world.architecture.ffnRatio);
      const total = N + 2 * world.architecture.vocab * d;
      for (let s = 1; s <= 4096; s *= 2) {
        const batch = s * seq;
        const seconds = budgetSeconds - world.hardware.overheadSeconds;
        if (seconds <= 0) continue;
        const D = (seconds * world.hardware.peakFlops * mfu(world, N, batch)) / (6 * total);
        if (D < batch) continue;
        const lr = learningRateOptimum(world, { d_model: d, parametrization: 'mup' });
        const loss = lossAt(world, N, D, batch, shapeFactor(world, { d_model: d, n_layer: L })).loss;
        if (!best || loss < best.loss) {
          best = {
            config: {
              n_layer: L,
              d_model: d,
              n_heads: heads,
              tokens: D,
              batch_tokens: batch,
              learning_rate: lr,
              parametrization: 'mup',
              schedule: 'cosine',
              n_evals: 10,
              seed: 0,
            },
            loss,
            N,
            D,
            seconds: budgetSeconds,
          };
        }
      }
    }
  }
  if (!best)
    throw new InputError({ file: 'budget' }, `a budget of ${budgetSeconds} s buys no run on this world's hardware`);
  return best;
}
