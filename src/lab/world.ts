/**
 * A simulated lab's ground truth ("world"): the documented rules by which the simulator turns a
 * training configuration into losses and wall-clock cost. Pure; worlds/README.md states every rule
 * so a test (or a reader) can recompute them independently.
 */
import { z } from 'zod';
import { InputError } from '../errors/index.js';

const worldSchema = z.object({
  name: z.string(),
  description: z.string().default(''),
  /** Seed of the world's noise; a run's noise also depends on its config and model_seed. */
  seed: z.number().int(),
  /** Final loss of a well-tuned run: L = E + A/N^α + B/D_eff^β, N = 12·n_layer·d_model² (non-embedding). */
  law: z.object({
    E: z.number().positive(),
    A: z.number().positive(),
    B: z.number().positive(),
    alpha: z.number().positive(),
    beta: z.number().positive(),
  }),
  learningRate: z.object({
    /** Optimal peak learning rate at the base width (and at every width under muP). */
    optimum: z.number().positive(),
    baseWidth: z.number().positive(),
    /** Under standard parametrisation the optimum moves as (width/baseWidth)^exponent. */
    spExponent: z.number(),
    /** Loss multiplier 1 + penalty·ln(η/η*)². */
    penalty: z.number().nonnegative(),
    /** Runs with η > divergeFactor·η* diverge (status failed). */
    divergeFactor: z.number().gt(1),
  }),
  batch: z.object({
    /** Critical batch B_crit(L) = bStar / L^(1/alphaB) tokens (Kaplan et al. 2020's form). */
    bStar: z.number().positive(),
    alphaB: z.number().positive(),
  }),
  shape: z.object({
    /** Loss × (1 + penalty·ln(aspect/aspectOptimum)²) with aspect = d_model/n_layer: loss depends weakly on shape (Kaplan et al. 2020 §3.1). */
    aspectOptimum: z.number().positive(),
    penalty: z.number().nonnegative(),
  }),
  schedule: z.object({
    /** Intermediate checkpoints of a cosine schedule lie above the loss a run of that length reaches, by a factor 1 + kappa·(1 + cos πt)/2 at fraction t of training. */
    kappa: z.number().nonnegative(),
    /**
     * Rule 8 (curves under any schedule, lab.scheduleCurve): the loss follows the learning rate's
     * unannealed level through an average with this momentum per optimizer step; 0 (the default)
     * follows it at once, which for a cosine schedule is rule 4 exactly.
     */
    momentum: z.number().min(0).lt(1).default(0),
  }),
  noise: z.object({
    /** Standard deviation of ln-loss from the seed (run-level) and per evaluation. */
    seedSigma: z.number().nonnegative(),
    evalSigma: z.number().nonnegative(),
  }),
  hardware: z.object({
    name: z.string(),
    peakFlops: z.number().positive(),
    /** MFU(N, B) = mfuMax · N/(N + mfuHalfN) · B/(B + mfuHalfBatch): small models and small batches use the GPU poorly. */
    mfuMax: z.number().positive().max(1),
    mfuHalfN: z.number().nonnegative(),
    mfuHalfBatch: z.number().nonnegative(),
    /** Fixed start-up cost of every run, seconds. */
    overheadSeconds: z.number().nonnegative(),
  }),
  architecture: z.object({
    vocab: z.number().int().positive(),
    seqLen: z.number().int().positive(),
    /** d_ff = ffnRatio · d_model (plain MLP); with 4 the block has 12·d_model² parameters. */
    ffnRatio: z.number().positive(),
  }),
  /** Ranges the lab accepts (as the CS336 training API does). */
  limits: z.object({
    dModel: z.tuple([z.number(), z.number()]),
    nLayer: z.tuple([z.number(), z.number()]),
    nHeads: z.tuple([z.number(), z.number()]),
    learningRate: z.tuple([z.number(), z.number()]),
    maxRuntimeSeconds: z.number().positive(),
  }),
});

export type World = z.infer<typeof worldSchema>;

/** Validate a world object; errors name the field. */
export function parseWorld(value: unknown, source: string): World {
  const r = worldSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new InputError({ file: source }, `invalid world: field "${issue.path.join('.')}": ${issue.message}`);
  }
  return r.data;
}

/** A training configuration the lab can run (the CS336 training API's fields, flattened). */
export const trainingConfigSchema = z.object({
  n_layer: z.number().int().positive(),
  d_model: z.number().int().positive(),
  n_heads: z.number().int().positive(),
  /** @default 4·d_model */
  d_ff: z.number().int().positive().optional(),
  /** Vocabulary of the run's tokenizer: its embeddings and output head cost 2·vocab·d_model parameters (rule 6). @default the world's architecture.vocab */
  vocab: z.number().int().positive().optional(),
  /** Context length in tokens, recorded with the run (the world's law and cost are for any context). @default the world's architecture.seqLen */
  seq_len: z.number().int().positive().optional(),
  /** Tokens to train on. */
  tokens: z.number().positive(),
  /** Tokens per optimizer step. */
  batch_tokens: z.number().positive(),
  learning_rate: z.number().positive(),
  /** 'sp' standard, 'mup' maximal-update parametrisation (base width = world's baseWidth). */
  parametrization: z.enum(['sp', 'mup']).default('sp'),
  schedule: z.enum(['cosine']).default('cosine'),
  n_evals: z.number().int().positive().max(1000).default(10),
  seed: z.number().int().nonnegative().default(0),
});

export type TrainingConfig = z.input<typeof trainingConfigSchema>;
export type NormalizedConfig = z.output<typeof trainingConfigSchema>;
