/**
 * A simulated lab's ground truth ("world"): the documented rules by which the simulator turns a
 * training configuration into losses and wall-clock cost. Pure; worlds/README.md states every rule
 * so a test (or a reader) can recompute them independently.
 */
import { z } from 'zod';
import { InputError } from '../errors/index.js';
import { closestNames, levenshtein } from '../core/names.js';

/**
 * A number within the range a world's rule makes physical sense in, for a field's error ("expected a number
 * in [0, 2] (…)"). The bounds are wide, around every published value; a value past them (alpha = 1e308, a
 * typo's extra digits) would simulate a lab no data set is like, with losses of 0 or infinity.
 */
function within(lo: number, hi: number, why: string, open: { lo?: boolean } = {}) {
  const range = `${open.lo ? '(' : '['}${lo}, ${hi}]`;
  return z
    .number()
    .refine((v) => (open.lo ? v > lo : v >= lo) && v <= hi, { message: `expected a number in ${range} (${why})` });
}

/** Every object refuses a field it does not know (a misspelt one would otherwise be dropped, its default used). */
const worldSchema = z.strictObject({
  name: z.string(),
  description: z.string().default(''),
  /** Seed of the world's noise; a run's noise also depends on its config and model_seed. */
  seed: z.number().int(),
  /** Final loss of a well-tuned run: L = E + A/N^α + B/D_eff^β, N = 12·n_layer·d_model² (non-embedding). */
  law: z.strictObject({
    // A loss in nats per token: at most ln(vocabulary), under 20 for any tokenizer.
    E: within(0, 20, 'an irreducible loss in nats per token', { lo: true }),
    A: within(0, 1e12, "a coefficient, as Chinchilla's 406", { lo: true }),
    B: within(0, 1e12, "a coefficient, as Chinchilla's 411", { lo: true }),
    // Published exponents lie in 0.05–0.8 (Kaplan 0.076, Chinchilla 0.34 and 0.28).
    alpha: within(0, 2, 'an exponent in N; published ones are 0.05–0.8', { lo: true }),
    beta: within(0, 2, 'an exponent in D; published ones are 0.05–0.8', { lo: true }),
  }),
  learningRate: z.strictObject({
    /** Optimal peak learning rate at the base width (and at every width under muP). */
    optimum: within(0, 10, 'a peak learning rate', { lo: true }),
    baseWidth: within(0, 1e6, 'a width (d_model)', { lo: true }),
    /** Under standard parametrisation the optimum moves as (width/baseWidth)^exponent. */
    spExponent: within(-4, 4, 'how the optimum moves with width; −1 halves it when the width doubles'),
    /** Loss multiplier 1 + penalty·ln(η/η*)². */
    penalty: within(0, 100, 'a loss multiplier per ln(η/η*)²'),
    /** Runs with η > divergeFactor·η* diverge (status failed). */
    divergeFactor: within(1, 1e6, 'a factor over the optimum', { lo: true }),
  }),
  batch: z.strictObject({
    /** Critical batch B_crit(L) = bStar / L^(1/alphaB) tokens (Kaplan et al. 2020's form). */
    bStar: within(0, 1e18, 'tokens (Kaplan et al. 2020: 2e8)', { lo: true }),
    alphaB: within(0, 2, 'an exponent (Kaplan et al. 2020: 0.21)', { lo: true }),
  }),
  shape: z.strictObject({
    /** Loss × (1 + penalty·ln(aspect/aspectOptimum)²) with aspect = d_model/n_layer: loss depends weakly on shape (Kaplan et al. 2020 §3.1). */
    aspectOptimum: within(0, 1e5, 'a d_model/n_layer ratio', { lo: true }),
    penalty: within(0, 100, 'a loss multiplier per ln(aspect ratio)²'),
  }),
  schedule: z.strictObject({
    /** Intermediate checkpoints of a cosine schedule lie above the loss a run of that length reaches, by a factor 1 + kappa·(1 + cos πt)/2 at fraction t of training. */
    kappa: within(0, 100, 'a loss multiplier'),
    /**
     * Rule 8 (curves under any schedule, lab.scheduleCurve): the loss follows the learning rate's
     * unannealed level through an average with this momentum per optimizer step; 0 (the default)
     * follows it at once, which for a cosine schedule is rule 4 exactly.
     */
    momentum: z.number().min(0).lt(1).default(0),
  }),
  noise: z.strictObject({
    /** Standard deviation of ln-loss from the seed (run-level) and per evaluation. */
    seedSigma: within(0, 1, 'a standard deviation of ln-loss'),
    evalSigma: within(0, 1, 'a standard deviation of ln-loss'),
  }),
  hardware: z.strictObject({
    name: z.string(),
    peakFlops: within(0, 1e21, 'FLOP/s of one accelerator', { lo: true }),
    /** MFU(N, B) = mfuMax · N/(N + mfuHalfN) · B/(B + mfuHalfBatch): small models and small batches use the GPU poorly. */
    mfuMax: z.number().positive().max(1),
    mfuHalfN: within(0, 1e15, 'parameters'),
    mfuHalfBatch: within(0, 1e12, 'tokens'),
    /** Fixed start-up cost of every run, seconds. */
    overheadSeconds: within(0, 1e7, 'seconds'),
  }),
  architecture: z.strictObject({
    vocab: z.number().int().positive().max(1e8),
    seqLen: z.number().int().positive().max(1e9),
    /** d_ff = ffnRatio · d_model (plain MLP); with 4 the block has 12·d_model² parameters. */
    ffnRatio: within(0, 1000, 'd_ff per d_model', { lo: true }),
  }),
  /** Ranges the lab accepts (as the CS336 training API does). */
  limits: z.strictObject({
    dModel: z.tuple([z.number(), z.number()]),
    nLayer: z.tuple([z.number(), z.number()]),
    nHeads: z.tuple([z.number(), z.number()]),
    learningRate: z.tuple([z.number(), z.number()]),
    maxRuntimeSeconds: z.number().positive(),
  }),
});

export type World = z.infer<typeof worldSchema>;

/**
 * Validate a world object; errors name the field, and where `place` is given (loadWorld's, from the file's
 * text) its line and column. A field no rule reads is refused by name, with the known one nearest it.
 */
export function parseWorld(
  value: unknown,
  source: string,
  place: (path: (string | number)[]) => { line?: number; column?: number } = () => ({}),
): World {
  const r = worldSchema.safeParse(value);
  if (!r.success) {
    // A misspelt field is also a missing one: the unknown name, with the known one nearest it, says more.
    const issue = r.error.issues.find((i) => i.code === 'unrecognized_keys') ?? r.error.issues[0];
    const path = issue.path.filter((k) => typeof k !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0];
      const known = Object.keys(shapeAt(path));
      const [near] = closestNames(key, known, 1);
      const field = [...path, key].join('.');
      throw new InputError(
        { file: source, ...place([...path, key]) },
        `invalid world: unknown field "${field}"${near !== undefined && levenshtein(near.toLowerCase(), key.toLowerCase()) <= Math.max(2, key.length / 3) ? ` (did you mean "${near}"?)` : ''}; expected ${path.length ? `"${path.join('.')}" to have ` : ''}${known.map((k) => `"${k}"`).join(', ')} (worlds/README.md)`,
      );
    }
    throw new InputError(
      { file: source, ...place(path) },
      `invalid world: field "${path.join('.')}": ${issue.message}`,
    );
  }
  return r.data;
}

/** The fields the world's schema knows at `path` (an object's). */
function shapeAt(path: (string | number)[]): Record<string, unknown> {
  let schema: unknown = worldSchema;
  for (const key of path) schema = (schema as { shape: Record<string, unknown> }).shape[key];
  return (schema as { shape: Record<string, unknown> }).shape;
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
