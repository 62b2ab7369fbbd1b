/**
 * Transformer shapes and their parameter counts. Pure.
 *
 * Conventions (docs/methods.md §1 and §19): Kaplan et al. count non-embedding parameters,
 * 12·n_layer·d_model² for the standard block (attention 4d², MLP 8d² with d_ff = 4d), leaving out
 * biases, norms and embeddings; Chinchilla, Epoch and Sardana count all parameters. Both are
 * reported, with the pieces, so every number can be traced.
 */

export interface ModelShape {
  nLayer: number;
  dModel: number;
  nHeads: number;
  /** Key/value heads (grouped-query attention); = nHeads for multi-head attention. */
  nKvHeads?: number;
  /** @default dModel / nHeads */
  headDim?: number;
  /** FFN hidden width (per branch for gated MLPs, e.g. Llama-2-7B 11008). */
  dFf: number;
  /** Embedding rows (padded vocabulary). */
  vocab: number;
  /** Training context length. */
  seqLen: number;
  /** 'gated' (SwiGLU/GeGLU: three matrices) or 'plain' (two). @default 'plain' */
  mlp?: 'gated' | 'plain';
  /** Output head shares the input embedding. @default false */
  tiedEmbeddings?: boolean;
  /** 'learned' adds seqLen·dModel position parameters. @default 'rotary' */
  positions?: 'learned' | 'rotary' | 'relative' | 'none';
  /** Linear layers carry biases (GPT-2 style). @default false */
  biases?: boolean;
  /** 'layernorm' has a scale and a bias, 'rmsnorm' a scale only. @default 'rmsnorm' */
  norm?: 'layernorm' | 'rmsnorm';
}

export interface ParameterCount {
  /** Every parameter. */
  total: number;
  /** Attention and MLP weight matrices (Kaplan's N; with the standard block = 12·n_layer·d_model²). */
  nonEmbedding: number;
  /** Input token embeddings plus learned positions. */
  embedding: number;
  /** Output head (0 when tied). */
  unembedding: number;
  attention: number;
  mlp: number;
  norms: number;
  biases: number;
}

export function headDimOf(s: ModelShape): number {
  return s.headDim ?? s.dModel / s.nHeads;
}

/** Parameter count of a decoder-only transformer, by piece. */
export function parameterCount(s: ModelShape): ParameterCount {
  const d = s.dModel,
    L = s.nLayer;
  const hd = headDimOf(s);
  const q = s.nHeads * hd;
  const kv = (s.nKvHeads ?? s.nHeads) * hd;
  const attentionPerLayer = d * q + 2 * d * kv + q * d;
  const gated = (s.mlp ?? 'plain') === 'gated';
  const mlpPerLayer = (gated ? 3 : 2) * d * s.dFf;
  const attention = L * attentionPerLayer;
  const mlp = L * mlpPerLayer;
  const normWidth = (s.norm ?? 'rmsnorm') === 'layernorm' ? 2 : 1;
  const norms = normWidth * d * (2 * L + 1);
  const biases = s.biases ? L * (q + 2 * kv + d + (gated ? 2 : 1) * s.dFf + d) : 0;
  const positions = s.positions === 'learned' ? s.seqLen * d : 0;
  const embedding = s.vocab * d + positions;
  const unembedding = s.tiedEmbeddings ? 0 : s.vocab * d;
  const nonEmbedding = attention + mlp;
  return {
    total: nonEmbedding + embedding + unembedding + norms + biases,
    nonEmbedding,
    embedding,
    unembedding,
    attention,
    mlp,
    norms,
    biases,
  };
}

/**
 * Non-embedding parameters of a plain transformer block stack with d_attn = d_model and
 * d_ff = ffnRatio·d_model: n_layer·(4 + 2·ffnRatio)·d_model² (4·d² in attention, 2·ffnRatio·d² in
 * the MLP; biases and norms left out). The N of the lab, the sweep designer and the cost models.
 */
export function nonEmbeddingParameters(nLayer: number, dModel: number, ffnRatio = 4): number {
  return nLayer * (4 + 2 * ffnRatio) * dModel ** 2;
}

/** Kaplan et al. 2020 (§2.1): N ≈ 12·n_layer·d_model² for d_attn = d_model, d_ff = 4·d_model. */
export function kaplanNonEmbedding(nLayer: number, dModel: number): number {
  return nonEmbeddingParameters(nLayer, dModel, 4);
}
