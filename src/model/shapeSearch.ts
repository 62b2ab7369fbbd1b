/**
 * Shape search: transformer shapes (n_layer, d_model, n_heads, head_dim, d_ff) whose parameter
 * count hits a target, under the constraints practitioners use, ranked. Pure.
 *
 * Ranking: shapes within the tolerance are ordered by how far their aspect ratio d_model/n_layer
 * lies from the preferred one (Kaplan et al. 2020 §3.1 find loss nearly flat for ratios of
 * ~20–200; GPT-3 175B, Llama-2-7B and Llama-3-405B use ~128, Chinchilla-70B and Llama-2-70B ~102),
 * then by the size error.
 */
import { OptionError, UsageError } from '../errors/index.js';
import { formatInterval, formatNumber } from '../core/format.js';
import { headDimOf, parameterCount, type ModelShape, type ParameterCount } from './shape.js';

export interface ShapeSearchOptions {
  /** Fewest layers (a tiny CPU study may want one-layer models). @default 2 */
  minLayers?: number;
  /** Which count must hit the target. @default 'total' */
  count?: 'total' | 'nonEmbedding';
  /** Relative tolerance on the count. @default 0.05 */
  tolerance?: number;
  /** Head dimensions allowed. @default [64, 128] */
  headDims?: number[];
  /**
   * d_model must be a multiple of this. @default grows with size as published models do: 64 below
   * 1024, 128 below 4096, 256 below 8192, 1024 from 8192 (GPT-3 12288, Llama-3-405B 16384)
   */
  multipleOf?: number;
  /** Allowed band of d_model / n_layer. @default [32, 256] */
  aspectRange?: [number, number];
  /** Preferred aspect ratio. @default 100 */
  aspect?: number;
  /** MLP kind and FFN ratio d_ff/d_model (plain 4, gated 8/3 as Llama). */
  mlp?: 'gated' | 'plain';
  ffnRatio?: number;
  /** d_ff rounded up to a multiple of this. @default 256 for gated, 128 for plain */
  ffnMultipleOf?: number;
  /** KV heads per query-head group (GQA): n_kv = n_heads / gqa. @default 1 (multi-head attention) */
  gqa?: number;
  /**
   * n_heads must be a multiple of this: tensor parallelism over k GPUs gives each a whole set of heads,
   * so a 29-head model does not split over 8. @default 1 (any head count)
   */
  headsMultipleOf?: number;
  vocab?: number;
  seqLen?: number;
  tiedEmbeddings?: boolean;
  /** How many shapes to return. @default 5 */
  limit?: number;
}

export interface ShapeCandidate {
  shape: ModelShape;
  parameters: ParameterCount;
  /** Counted size / target − 1. */
  error: number;
  aspectRatio: number;
  score: number;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The least d_model that is a multiple of `multiple` and holds a multiple of `heads` heads of `headDim`. */
function widthStep(multiple: number, headDim: number, heads: number): number {
  const step = headDim * heads;
  return (multiple / gcd(multiple, step)) * step;
}

function roundUp(x: number, multiple: number): number {
  return Math.ceil(x / multiple) * multiple;
}

/**
 * Shapes near a parameter target.
 * @throws UsageError when no shape satisfies the constraints
 * @example shapeSearch(7e9, { mlp: 'gated', vocab: 32000 })[0].shape // => a Llama-2-7B-like 32 × 4096
 */
export function shapeSearch(target: number, options: ShapeSearchOptions = {}): ShapeCandidate[] {
  if (!(target > 0) || !Number.isFinite(target))
    throw new UsageError(`shape search needs a positive parameter target, got ${target}`);
  const mlp = options.mlp ?? 'gated';
  const ffnRatio = options.ffnRatio ?? (mlp === 'gated' ? 8 / 3 : 4);
  const ffnMultiple = options.ffnMultipleOf ?? (mlp === 'gated' ? 256 : 128);
  const headDims = options.headDims ?? [64, 128];
  const [aspectLo, aspectHi] = options.aspectRange ?? [32, 256];
  const preferred = options.aspect ?? 100;
  const tolerance = options.tolerance ?? 0.05;
  const gqa = options.gqa ?? 1;
  const vocab = options.vocab ?? 32000;
  const seqLen = options.seqLen ?? 4096;
  const count = options.count ?? 'total';
  const headsMultiple = options.headsMultipleOf ?? 1;
  // Every shape the search considers differs only in depth, width, head size and key-value heads.
  const shapeOf = (nLayer: number, dModel: number, headDim: number, nKvHeads: number): ModelShape => ({
    nLayer,
    dModel,
    nHeads: dModel / headDim,
    nKvHeads,
    headDim,
    dFf: roundUp(ffnRatio * dModel, ffnMultiple),
    vocab,
    seqLen,
    mlp,
    tiedEmbeddings: options.tiedEmbeddings ?? false,
    positions: 'rotary',
    norm: 'rmsnorm',
  });
  const out: ShapeCandidate[] = [];
  for (let nLayer = Math.max(1, options.minLayers ?? 2); nLayer <= 200; nLayer++) {
    // d_model from the 12·L·d² estimate, then scan neighbouring multiples.
    const guess = Math.sqrt(target / (12 * nLayer));
    for (const headDim of headDims) {
      const multiple = widthStep(
        Math.max(options.multipleOf ?? (guess < 1024 ? 64 : guess < 4096 ? 128 : guess < 7680 ? 256 : 1024), headDim),
        headDim,
        headsMultiple,
      );
      const centre = Math.round(guess / multiple) * multiple;
      // Only widths inside the aspect band: a target far beyond any shape (1e100 parameters) leaves
      // none, where stepping a width of 1e49 by 1024 would never move it.
      const from = Math.max(multiple, centre - 4 * multiple, Math.ceil((aspectLo * nLayer) / multiple) * multiple);
      const to = Math.min(centre + 4 * multiple, aspectHi * nLayer);
      for (let dModel = from; dModel <= to; dModel += multiple) {
        const aspect = dModel / nLayer;
        if (aspect < aspectLo || aspect > aspectHi) continue;
        if (dModel % headDim !== 0) continue;
        const nHeads = dModel / headDim;
        if (nHeads % gqa !== 0 || nHeads % headsMultiple !== 0) continue;
        const shape = shapeOf(nLayer, dModel, headDim, nHeads / gqa);
        const parameters = parameterCount(shape);
        const error = parameters[count] / target - 1;
        if (Math.abs(error) > tolerance) continue;
        const score =
          Math.abs(Math.log(aspect / preferred)) + Math.abs(error) / tolerance + (headDim === 128 ? 0 : 0.05);
        out.push({ shape, parameters, error, aspectRatio: aspect, score });
      }
    }
  }
  if (out.length === 0) {
    // The smallest shape the search makes: its fewest layers at the narrowest width the aspect band
    // and head sizes allow. A target below it (a tiny model, or a small one whose count includes a
    // large vocabulary's embeddings) no tolerance reaches, so the advice is what changes that count.
    const fewest = Math.max(1, options.minLayers ?? 2);
    const smallestWith = (heads: number) =>
      headDims
        .map((headDim) => {
          const multiple = widthStep(Math.max(options.multipleOf ?? 64, headDim), headDim, heads);
          const dModel = roundUp(Math.max(aspectLo * fewest, multiple), multiple);
          const shape = shapeOf(fewest, dModel, headDim, Math.max(1, Math.floor(dModel / headDim / gqa)));
          return { shape, parameters: parameterCount(shape) };
        })
        .sort((a, b) => a.parameters[count] - b.parameters[count])[0];
    const smallest = smallestWith(headsMultiple);
    const countName = count === 'total' ? 'total' : 'non-embedding';
    const byHand = (o: (option: string) => string) =>
      `choose the layers and width by hand (${o('layers')} and ${o('dModel')} count a shape's parameters)`;
    if (target * (1 + tolerance) < smallest.parameters[count]) {
      const embeddings = smallest.parameters.embedding + smallest.parameters.unembedding;
      const { nLayer, dModel } = smallest.shape;
      // A heads multiple (tensor parallelism) sets the narrowest width when its heads outgrow the aspect
      // band's: the size is then not what is too small, the multiple is what to change.
      // Only when a multiple of 1 would reach the target: below that floor a smaller multiple does not help.
      const byHeads =
        headsMultiple > 1 &&
        headDimOf(smallest.shape) * headsMultiple > aspectLo * fewest &&
        target * (1 + tolerance) >= smallestWith(1).parameters[count];
      throw new OptionError({
        option: byHeads ? 'headsMultipleOf' : 'countTolerance',
        value: byHeads ? headsMultiple : tolerance,
        message: (o) =>
          `${formatNumber(target, 4)} parameters (${countName}) is below the smallest shape the search makes: ${nLayer} layers × d_model ${dModel} (${
            byHeads
              ? `${o('headsMultipleOf')} ${headsMultiple} asks for at least ${headsMultiple} heads of ${smallest.shape.headDim}`
              : `d_model/n_layer at least ${aspectLo}, heads of ${smallest.shape.headDim}`
          }) counts ${formatNumber(smallest.parameters[count], 3)}${
            byHeads
              ? `; give a smaller ${o('headsMultipleOf')} (the tensor-parallel degree, usually 8 or fewer, must divide the heads), or `
              : count === 'total' && embeddings > smallest.parameters.nonEmbedding
                ? `, ${formatNumber(embeddings, 3)} of them the ${vocab}-token vocabulary's embeddings; give ${o('count')} non-embedding or a smaller ${o('vocab')}, or `
                : '; '
          }${byHand(o)}`,
      });
    }
    throw new OptionError({
      option: 'countTolerance',
      value: tolerance,
      message: (o) =>
        `no shape within ${(tolerance * 100).toFixed(1)} % of ${formatNumber(target, 4)} parameters (${countName}) with d_model/n_layer in ${formatInterval([aspectLo, aspectHi], String)} and heads of ${headDims.join(' or ')}${headsMultiple > 1 ? `, a multiple of ${headsMultiple} of them` : ''}; widen ${o('countTolerance')}, or ${byHand(o)}`,
    });
  }
  out.sort((a, b) => a.score - b.score);
  return out.slice(0, options.limit ?? 5);
}
