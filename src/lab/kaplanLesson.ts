/**
 * The Kaplan-versus-Chinchilla lesson on the simulated lab: fit the Chinchilla law once to the
 * intermediate checkpoints of one long cosine run per model size (as Kaplan et al. 2020 read their
 * losses) and once to separate runs of each length, each with its own cosine schedule (as
 * Hoffmann et al. 2022 did), and compare the fitted exponents with the world's. Pure.
 *
 * A checkpoint part-way through a cosine schedule has not been annealed (worlds/README.md rules 4
 * and 8): its loss lies above what a run of that length reaches, most at the shortest lengths, so
 * the data term looks steeper than it is and the compute-optimal split tilts toward parameters.
 */
import { fit } from '../fit/fit.js';
import { chinchilla } from '../laws/index.js';
import type { Dataset, Run } from '../io/dataset.js';
import { configNonEmbedding, normalizeConfig, simulate } from './simulate.js';
import type { World } from './world.js';

export interface KaplanLessonOptions {
  /** Model shapes, one long run each. */
  sizes: { n_layer: number; d_model: number; n_heads: number }[];
  /** Tokens of the longest run; the lengths are maxTokens/2^k, k = 0 … lengths − 1. */
  maxTokens: number;
  lengths: number;
  batch_tokens: number;
  learning_rate: number;
  seed?: number;
}

export interface ExponentFit {
  alpha: number;
  beta: number;
  /** N_opt ∝ C^a with a = β/(α + β). */
  a: number;
  runs: number;
  /** Tokens actually trained (the long runs once; every per-length run). */
  tokensTrained: number;
}

export interface KaplanLesson {
  truth: { alpha: number; beta: number; a: number };
  checkpoints: ExponentFit;
  perLength: ExponentFit;
  /** How far each approach's a lies from the world's (fitted − true). */
  bias: { checkpoints: number; perLength: number };
}

function exponents(rows: Run[], source: string, tokensTrained: number): ExponentFit {
  const ds: Dataset = { source, runs: rows, columns: {}, derived: {} };
  const p = fit(chinchilla, ds).params;
  return {
    alpha: p.alpha,
    beta: p.beta,
    a: p.beta / (p.alpha + p.beta),
    runs: new Set(rows.map((r) => r.run ?? r.line)).size,
    tokensTrained,
  };
}

export function kaplanLesson(world: World, opts: KaplanLessonOptions): KaplanLesson {
  const n = 2 ** (opts.lengths - 1);
  const fractions = Array.from({ length: opts.lengths }, (_, k) => 2 ** k / n); // 1/n … 1
  const checkpointRows: Run[] = [],
    perLengthRows: Run[] = [];
  let longTokens = 0,
    perLengthTokens = 0,
    line = 0;
  for (const shape of opts.sizes) {
    const base = {
      ...shape,
      batch_tokens: opts.batch_tokens,
      learning_rate: opts.learning_rate,
      parametrization: 'mup' as const,
      seed: opts.seed ?? 0,
    };
    const N = configNonEmbedding(world, normalizeConfig(world, { ...base, tokens: opts.maxTokens }));
    // Kaplan: one long cosine run, evaluated n times; keep the checkpoints at the lengths.
    const long = simulate(world, { ...base, tokens: opts.maxTokens, n_evals: n });
    longTokens += opts.maxTokens;
    for (const f of fractions) {
      const e = long.evals[Math.round(f * n) - 1];
      checkpointRows.push({ N, D: e.tokens, loss: e.loss, run: `long-${N}`, line: ++line });
    }
    // Chinchilla: a run of each length, its own schedule annealed at its end.
    for (const f of fractions) {
      const r = simulate(world, { ...base, tokens: f * opts.maxTokens, n_evals: 1 });
      perLengthTokens += f * opts.maxTokens;
      perLengthRows.push({ N, D: f * opts.maxTokens, loss: r.finalLoss, line: ++line });
    }
  }
  const { alpha, beta } = world.law;
  const truth = { alpha, beta, a: beta / (alpha + beta) };
  const checkpoints = exponents(checkpointRows, 'long cosine runs (checkpoints)', longTokens);
  const perLength = exponents(perLengthRows, 'one run per length', perLengthTokens);
  return {
    truth,
    checkpoints,
    perLength,
    bias: { checkpoints: checkpoints.a - truth.a, perLength: perLength.a - truth.a },
  };
}
