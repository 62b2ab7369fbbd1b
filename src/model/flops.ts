/**
 * Training FLOPs per token under the field's four conventions. Pure.
 */
import { headDimOf, parameterCount, type ModelShape } from './shape.js';

/** 1 PF-day in FLOPs (Kaplan et al. 2020 §1.3): 10^15 FLOP/s for a day. */
export const PF_DAY = 1e15 * 86400;

/** 6N: forward 2N, backward 4N (Kaplan et al. 2020 §2.1; Chinchilla's C = 6ND). */
export function sixN(parameters: number): number {
  return 6 * parameters;
}

/**
 * Kaplan et al. 2020, Table 1: C_forward = 2N + 2·n_layer·n_ctx·d_attn per token, N non-embedding;
 * training is 3× the forward pass.
 */
export function kaplanFlopsPerToken(s: ModelShape): { forward: number; training: number; contextShare: number } {
  const n = parameterCount(s).nonEmbedding;
  const context = 2 * s.nLayer * s.seqLen * s.nHeads * headDimOf(s);
  const forward = 2 * n + context;
  return { forward, training: 3 * forward, contextShare: context / forward };
}

/**
 * Hoffmann et al. 2022, Appendix F: forward FLOPs of one sequence, by piece; backward = 2×.
 * Returned per token. The paper's Table A4 ratios reproduce with the embedding and logit terms
 * left out (docs/methods.md §18), so both totals are given.
 */
export function chinchillaFlopsPerToken(s: ModelShape): {
  training: number;
  trainingWithoutEmbeddings: number;
  pieces: Record<string, number>;
} {
  const seq = s.seqLen,
    d = s.dModel,
    V = s.vocab,
    h = s.nHeads,
    k = headDimOf(s);
  const dFfEffective = (s.mlp ?? 'plain') === 'gated' ? 1.5 * s.dFf : s.dFf;
  const perLayer = {
    // App. F's 2·3·seq·d·(k·h) assumes as many K and V heads as queries; with grouped-query attention
    // K and V project to nKvHeads only (Llama 3.1 405B would be overcounted by ~14 %).
    qkv: 2 * seq * d * k * (h + 2 * (s.nKvHeads ?? h)),
    logits: 2 * seq * seq * (k * h),
    softmax: 3 * h * seq * seq,
    softmaxValues: 2 * seq * seq * (k * h),
    projection: 2 * seq * (k * h) * d,
    mlp: 4 * seq * d * dFfEffective,
  };
  const layer = Object.values(perLayer).reduce((a, b) => a + b, 0);
  const embeddings = 2 * seq * V * d;
  const outputLogits = 2 * seq * d * V;
  const forward = embeddings + s.nLayer * layer + outputLogits;
  const forwardCore = s.nLayer * layer;
  const pieces: Record<string, number> = { embeddings: embeddings / seq, outputLogits: outputLogits / seq };
  for (const [name, v] of Object.entries(perLayer)) pieces[name] = (s.nLayer * v) / seq;
  return { training: (3 * forward) / seq, trainingWithoutEmbeddings: (3 * forwardCore) / seq, pieces };
}

/**
 * DeepSeek LLM 2024, Eq. 2: non-embedding FLOPs per token including attention,
 * M = 72·n_layer·d_model² + 12·n_layer·d_model·l_seq.
 */
export function deepseekM(nLayer: number, dModel: number, seqLen: number): number {
  return 72 * nLayer * dModel * dModel + 12 * nLayer * dModel * seqLen;
}
