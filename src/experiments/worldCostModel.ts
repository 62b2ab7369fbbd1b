/**
 * The simulated lab's own cost model, for planners: exact seconds for a configuration on the
 * world's hardware (rule 6 in worlds/README.md). Knowing one's hardware is fair; it says nothing
 * about the world's loss law.
 */
import type { CostModel } from './design.js';
import { mfu } from '../lab/simulate.js';
import type { World } from '../lab/world.js';
import { nonEmbeddingParameters } from '../model/shape.js';

export function worldCostModel(world: World): CostModel {
  const a = world.architecture,
    h = world.hardware;
  const N = (c: { n_layer: number; d_model: number }) => nonEmbeddingParameters(c.n_layer, c.d_model, a.ffnRatio);
  const total = (c: { n_layer: number; d_model: number }) => N(c) + 2 * a.vocab * c.d_model;
  return {
    seconds: (c) => h.overheadSeconds + (6 * total(c) * c.tokens) / (h.peakFlops * mfu(world, N(c), c.batch_tokens)),
    tokensFor: (c, s) => ((s - h.overheadSeconds) * h.peakFlops * mfu(world, N(c), c.batch_tokens)) / (6 * total(c)),
    assumed: (c) => ({ peakFlops: h.peakFlops, mfu: mfu(world, N(c), c.batch_tokens), flopsPerToken: 6 * total(c) }),
    description: `${h.name}, ${(h.peakFlops / 1e12).toFixed(0)} TFLOP/s peak, MFU rising with model and batch size to ${h.mfuMax}, ${h.overheadSeconds} s start-up per run (world "${world.name}")`,
  };
}

export function worldArchitecture(world: World) {
  return {
    vocab: world.architecture.vocab,
    seqLen: world.architecture.seqLen,
    ffnRatio: world.architecture.ffnRatio,
    limits: { dModel: world.limits.dModel, nLayer: world.limits.nLayer },
  };
}
