/**
 * Published models as landmarks (examples/published-models.csv, configurations with sources and
 * a verification status; provenance in examples/published-models.PROVENANCE.md): their shapes
 * recounted with ScaleLab's accounting, tokens per parameter, training FLOPs, and where each sits
 * against a law's compute-optimal frontier. Pure.
 */
import { levenshtein } from '../core/names.js';
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError, UsageError } from '../errors/index.js';
import { parameterCount, type ModelShape, type ParameterCount } from '../model/shape.js';
import { chinchillaFlopsPerToken } from '../model/flops.js';
import { computeOptimal } from '../analyses/computeOptimal.js';
import { predictLoss, type Law } from '../laws/law.js';

export interface CatalogModel {
  id: string;
  family: string;
  name: string;
  /** Parameters as reported (some are nominal size names). */
  reported: number;
  shape: ModelShape;
  activation: string;
  position: string;
  tied: 'true' | 'false' | 'unknown';
  tokens?: number;
  source: string;
  /** Short citation for tables (first author + year or the card/config it came from); the full one is `source`. */
  cite: string;
  status: string;
  flag: string;
  notes: string;
  /** Context length as released (`context_length`); `shape.seqLen` is the pretraining context (`train_seq_len`). */
  contextLength: number;
  /** Width of the token embeddings when it differs from d_model (projected in and out: OPT-350M's 512). */
  embedDim?: number;
  /** Encoder-decoder (T5): n_layer is per stack. */
  encoderDecoder: boolean;
  line: number;
}

export interface CatalogRow extends CatalogModel {
  recomputed: ParameterCount;
  /** recomputed.total / reported − 1 (without norms, as the catalog's own config-derived counts). */
  sizeError: number;
  /** Why the recount differs by more than 5 %, when known. */
  mismatch?: string;
  /** How an unstated embedding tying was resolved. */
  tyingNote?: string;
  tokensPerParameter?: number;
  aspectRatio: number;
  headDim: number;
  gqaRatio: number;
  ffnRatio: number;
  flops6ND?: number;
  /**
   * Hoffmann et al. 2022 App. F training FLOPs at the pretraining context (`shape.seqLen`); for
   * encoder-decoder models both stacks (and cross-attention) are counted, each token through both, as 6ND assumes.
   */
  flopsDetailed?: number;
}

/** `Rae et al. 2021 (Gopher) Table 1 …` → `Rae et al. 2021`: for catalogs without a `cite` column. */
function shortCitation(source: string): string {
  const paper = /^([A-Z][\w-]+(?: et al\.| & [A-Z][\w-]+)? \d{4})/.exec(source);
  return paper ? paper[1] : source.split(/[;(]/)[0].trim().slice(0, 40);
}

/** `Llama-2-70B` → `llama-2-70b`, `GPT-3 175B` → `gpt-3-175b`. */
function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function parseCatalog(text: string, source = 'published-models.csv'): CatalogModel[] {
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parseCsv(text, { columns: true, info: true, skip_empty_lines: true, bom: true }) as never;
  } catch (e) {
    throw new InputError({ file: source }, `malformed catalog CSV: ${(e as Error).message}`);
  }
  return rows.map(({ record: r, info }) => {
    const num = (k: string) => {
      const v = Number(r[k]);
      if (r[k] === '' || !Number.isFinite(v))
        throw new InputError(
          { file: source, line: info.lines, columnName: k },
          `expected a number, got ${JSON.stringify(r[k])}`,
        );
      return v;
    };
    const nHeads = num('n_heads');
    const gated = /glu/i.test(r.activation);
    const shape: ModelShape = {
      nLayer: num('n_layer'),
      dModel: num('d_model'),
      nHeads,
      nKvHeads: r.n_kv_heads ? num('n_kv_heads') : nHeads,
      headDim: r.head_dim ? num('head_dim') : undefined,
      dFf: num('d_ff'),
      vocab: r.vocab_size ? num('vocab_size') : 0,
      // The pretraining context (train_seq_len) when the catalog gives one: Llama 3.1's 131072 came from a late stage.
      seqLen: r.train_seq_len ? num('train_seq_len') : num('context_length'),
      mlp: gated ? 'gated' : 'plain',
      tiedEmbeddings: r.tied_embeddings === 'true',
      positions: r.position === 'learned' ? 'learned' : r.position === 'relative' ? 'relative' : 'rotary',
    };
    return {
      id: slug(r.name),
      family: r.family,
      name: r.name,
      reported: num('params_total'),
      shape,
      activation: r.activation,
      position: r.position,
      tied: (r.tied_embeddings as CatalogModel['tied']) || 'unknown',
      tokens: r.training_tokens ? Number(r.training_tokens) : undefined,
      source: r.source,
      cite: r.cite || shortCitation(r.source),
      status: r.status,
      flag: r.ratio_flag,
      notes: r.notes,
      contextLength: num('context_length'),
      embedDim: r.embed_dim ? num('embed_dim') : undefined,
      encoderDecoder: /encoder-decoder/i.test(r.ratio_flag),
      line: info.lines,
    };
  });
}

/** Why a recount differs from the reported size, from what the catalog's notes record. */
function mismatchReason(m: CatalogModel): string | undefined {
  const text = `${m.flag} ${m.notes}`;
  if (/inconsistency/.test(text)) return 'the published table is inconsistent (n_heads·head_dim ≠ d_model)';
  if (m.embedDim && m.embedDim !== m.shape.dModel)
    return `the reported size is a nominal name (${m.embedDim}-wide embeddings with project_in/out, counted here)`;
  if (/nominal/.test(text)) return 'the reported size is a nominal name';
  return undefined;
}

/**
 * Parameters of a catalog model with the given shape, by piece: ScaleLab's decoder-only count, then
 * what the catalog's architectures add (T5's two stacks, Gopher's relative-position projection,
 * OPT-350M's projected embeddings).
 */
function recount(m: CatalogModel, shape: ModelShape): ParameterCount {
  let count = parameterCount(shape);
  if (m.encoderDecoder) {
    // An encoder stack (self-attention, MLP) and a decoder stack (self- and cross-attention, MLP), n_layer each.
    const inner = shape.nHeads * (shape.headDim ?? shape.dModel / shape.nHeads);
    const mlp = 2 * shape.dModel * shape.dFf;
    const attention = shape.nLayer * (4 + 8) * shape.dModel * inner;
    count = {
      ...count,
      attention,
      mlp: 2 * shape.nLayer * mlp,
      nonEmbedding: attention + 2 * shape.nLayer * mlp,
      total: attention + 2 * shape.nLayer * mlp + count.embedding + count.unembedding + count.norms,
    };
  }
  if (m.embedDim && m.embedDim !== shape.dModel) {
    // Token embeddings e wide (the output head shares them when tied), project_in e×d and project_out d×e; positions stay d wide.
    const positions = shape.positions === 'learned' ? shape.seqLen * shape.dModel : 0;
    const embedding = shape.vocab * m.embedDim + positions + 2 * m.embedDim * shape.dModel;
    const unembedding = shape.tiedEmbeddings ? 0 : shape.vocab * m.embedDim;
    count = {
      ...count,
      embedding,
      unembedding,
      total: count.total - count.embedding - count.unembedding + embedding + unembedding,
    };
  }
  // Gopher and Chinchilla: one extra d×d relative-position projection per layer (the catalog's inference).
  const relative =
    m.position === 'relative' && (m.family === 'Gopher' || m.family === 'Chinchilla')
      ? shape.nLayer * shape.dModel ** 2
      : 0;
  return {
    ...count,
    total: count.total + relative,
    attention: count.attention + relative,
    nonEmbedding: count.nonEmbedding + relative,
  };
}

/** Recount without norms (as the catalog's own config-derived counts) ÷ reported − 1. */
const errorOf = (c: ParameterCount, reported: number) => (c.total - c.norms) / reported - 1;

/**
 * Training FLOPs per token, App. F, at the pretraining context (K and V at the model's KV heads);
 * encoder-decoder: both stacks and the decoder's cross-attention.
 */
function detailedFlopsPerToken(m: CatalogModel, shape: ModelShape): number {
  const f = chinchillaFlopsPerToken(shape);
  if (!m.encoderDecoder) return f.training;
  const p = f.pieces;
  const attention = p.qkv + p.logits + p.softmax + p.softmaxValues + p.projection;
  // encoder: attention + MLP; decoder: self-attention + cross-attention + MLP; backward = 2× forward.
  return 3 * (p.embeddings + p.outputLogits + 3 * attention + 2 * p.mlp);
}

export function describe(m: CatalogModel): CatalogRow {
  // Tying not stated: recount it both ways, with everything else the architecture adds, and keep the
  // one closer to the reported size (noted).
  let tyingNote: string | undefined;
  let shape = m.shape;
  if (m.tied === 'unknown') {
    if (!m.shape.vocab) tyingNote = 'vocabulary not stated: embeddings left out of the recount';
    else {
      const tied = recount(m, { ...m.shape, tiedEmbeddings: true }),
        untied = recount(m, { ...m.shape, tiedEmbeddings: false });
      const tiedFits = Math.abs(errorOf(tied, m.reported)) <= Math.abs(errorOf(untied, m.reported));
      shape = { ...m.shape, tiedEmbeddings: tiedFits };
      tyingNote = `tying not stated: counted ${tiedFits ? 'tied' : 'untied'} (closer to the reported size)`;
    }
  }
  const recomputed = recount(m, shape);
  const sizeError = errorOf(recomputed, m.reported);
  const headDim = m.shape.headDim ?? m.shape.dModel / m.shape.nHeads;
  return {
    ...m,
    shape,
    tyingNote,
    recomputed,
    sizeError,
    mismatch: Math.abs(sizeError) > 0.05 ? (mismatchReason(m) ?? 'unexplained') : undefined,
    tokensPerParameter: m.tokens ? m.tokens / m.reported : undefined,
    aspectRatio: m.shape.dModel / m.shape.nLayer,
    headDim,
    gqaRatio: m.shape.nHeads / (m.shape.nKvHeads ?? m.shape.nHeads),
    ffnRatio: m.shape.dFf / m.shape.dModel,
    flops6ND: m.tokens ? 6 * m.reported * m.tokens : undefined,
    flopsDetailed: m.tokens && m.shape.vocab ? detailedFlopsPerToken(m, shape) * m.tokens : undefined,
  };
}

/** A published model as `shape` names it beside its proposals: size, shape, aspect ratio, source and status. */
export interface NearbyModel {
  id: string;
  name: string;
  reported: number;
  nLayer: number;
  dModel: number;
  aspectRatio: number;
  status: CatalogModel['status'];
  cite: string;
}

/**
 * The `limit` published decoder models nearest a parameter target in size (ln of the ratio) and, a
 * tenth as much, in aspect ratio d_model/n_layer: what `shape` and the web app's shape panel list
 * beside the shapes they propose.
 */
export function nearestPublished(catalog: CatalogModel[], target: number, aspect: number, limit = 3): NearbyModel[] {
  const distance = (m: CatalogRow) =>
    Math.abs(Math.log(m.reported / target)) + 0.1 * Math.abs(Math.log(m.aspectRatio / aspect));
  return catalog
    .map(describe)
    .filter((m) => !/encoder-decoder/.test(m.flag))
    .sort((a, b) => distance(a) - distance(b))
    .slice(0, limit)
    .map((m) => ({
      id: m.id,
      name: m.name,
      reported: m.reported,
      nLayer: m.shape.nLayer,
      dModel: m.shape.dModel,
      aspectRatio: m.aspectRatio,
      status: m.status,
      cite: m.cite,
    }));
}

/**
 * The published models a report and the web app place on a fitted frontier unless told which: the
 * compute-optimal landmark (Chinchilla), the model it matched (Gopher), and three widely used large ones.
 */
export const defaultLandmarks: readonly string[] = [
  'chinchilla-70b',
  'gopher-280b',
  'gpt-3-175b',
  'llama-2-70b',
  'llama-3-70b',
];

/**
 * A model by name or id (case and punctuation ignored).
 * @throws UsageError listing the closest names when there is no match
 */
export function findModel(catalog: CatalogModel[], query: string): CatalogModel {
  const q = slug(query).replace(/[-.]/g, '');
  const hit = catalog.find((m) => m.id.replace(/[-.]/g, '') === q);
  if (hit) return hit;
  const close = [...catalog]
    .sort((a, b) => levenshtein(q, a.id.replace(/[-.]/g, '')) - levenshtein(q, b.id.replace(/[-.]/g, '')))
    .slice(0, 5);
  throw new UsageError(
    `unknown model "${query}"; closest: ${close.map((m) => m.id).join(', ')} (list them with "scalelab models")`,
  );
}

export interface FrontierPlacement {
  id: string;
  name: string;
  N: number;
  D: number;
  C: number;
  /** Compute-optimal size and tokens for the model's own compute under the law. */
  optimalN: number;
  optimalD: number;
  /** N / N_opt: above 1 the model is too large for its compute (under-trained). */
  sizeRatio: number;
  tokensPerParameter: number;
  optimalTokensPerParameter: number;
  loss: number;
  optimalLoss: number;
  verdict: string;
  status: string;
  source: string;
  /** Short citation for tables (the full one is `source`). */
  cite: string;
}

/** Where a published model sits against a law's frontier (the Chinchilla paper's first figure). */
export function placeOnFrontier(m: CatalogModel, law: Law, params: Record<string, number>): FrontierPlacement {
  if (!m.tokens) throw new UsageError(`${m.name}: the catalog has no training-token count (${m.notes.slice(0, 80)}…)`);
  const N = m.reported,
    D = m.tokens,
    C = 6 * N * D;
  const opt = computeOptimal(law, params, C);
  const ratio = N / opt.N;
  const verdict =
    ratio > 1.5
      ? `under-trained: ${ratio.toFixed(1)}× too large for its compute (${(D / N).toFixed(1)} tokens/param vs ${(opt.D / opt.N).toFixed(1)} optimal)`
      : ratio < 1 / 1.5
        ? `over-trained: ${(1 / ratio).toFixed(1)}× smaller than compute-optimal (${(D / N).toFixed(1)} tokens/param vs ${(opt.D / opt.N).toFixed(1)}), as is sensible when inference dominates`
        : `near the frontier (${ratio.toFixed(2)}× the compute-optimal size)`;
  return {
    id: m.id,
    name: m.name,
    N,
    D,
    C,
    optimalN: opt.N,
    optimalD: opt.D,
    sizeRatio: ratio,
    tokensPerParameter: D / N,
    optimalTokensPerParameter: opt.D / opt.N,
    loss: predictLoss(law, params, { N, D }),
    optimalLoss: opt.loss!,
    verdict,
    status: m.status,
    source: m.source,
    cite: m.cite,
  };
}
