import { test } from 'node:test';
import { OptionError } from '../errors/index.js';
import assert from 'node:assert/strict';
import { kaplanNonEmbedding, parameterCount, type ModelShape } from './shape.js';
import { chinchillaFlopsPerToken, deepseekM, kaplanFlopsPerToken } from './flops.js';
import { shapeSearch } from './shapeSearch.js';

const gpt2small: ModelShape = {
  nLayer: 12,
  dModel: 768,
  nHeads: 12,
  dFf: 3072,
  vocab: 50257,
  seqLen: 1024,
  mlp: 'plain',
  tiedEmbeddings: true,
  positions: 'learned',
  biases: true,
  norm: 'layernorm',
};

test('GPT-2 small: 84,934,656 non-embedding parameters (12·n_layer·d_model²) and 124,439,808 in all', () => {
  assert.equal(kaplanNonEmbedding(12, 768), 84934656);
  const p = parameterCount(gpt2small);
  assert.equal(p.nonEmbedding, 84934656);
  assert.equal(p.total, 124439808); // the Hugging Face gpt2 checkpoint's parameter count
});

test('Kaplan FLOPs: GPT-2 small forward 1.887e8 per token with a 10.0 % context share; GPT-3 1.37 %', () => {
  const k = kaplanFlopsPerToken(gpt2small);
  assert.ok(Math.abs(k.forward / 1.887e8 - 1) < 1e-3, `${k.forward}`);
  assert.ok(Math.abs(k.contextShare - 0.1) < 1e-3);
  const gpt3: ModelShape = { nLayer: 96, dModel: 12288, nHeads: 96, dFf: 4 * 12288, vocab: 50257, seqLen: 2048 };
  assert.ok(Math.abs(parameterCount(gpt3).nonEmbedding / 173.9e9 - 1) < 1e-3);
  assert.ok(Math.abs(kaplanFlopsPerToken(gpt3).contextShare - 0.0137) < 2e-4);
});

test('DeepSeek M(8, 512, 4096) = 352,321,536 and the Table 3 ratios 6N₁/M, 6N₂/M', () => {
  assert.equal(deepseekM(8, 512, 4096), 352321536);
  const rows: [number, number, number, number][] = [
    [8, 512, 0.43, 1.32],
    [12, 768, 0.53, 1.02],
    [24, 1024, 0.6, 0.81],
    [24, 2048, 0.75, 0.88],
    [32, 4096, 0.85, 0.91],
    [40, 5120, 0.88, 0.92],
    [80, 8192, 0.92, 0.94],
  ];
  for (const [L, d, r1, r2] of rows) {
    const M = deepseekM(L, d, 4096);
    const n1 = 12 * L * d * d,
      n2 = n1 + 102400 * d;
    // Two printed decimals; (32, 4096) is printed 0.85 for 0.857, so allow the last digit to be truncated.
    assert.ok(Math.abs((6 * n1) / M - r1) < 0.008, `6N1/M at (${L}, ${d}): ${(6 * n1) / M}`);
    assert.ok(Math.abs((6 * n2) / M - r2) < 0.008, `6N2/M at (${L}, ${d}): ${(6 * n2) / M}`);
  }
});

test('Chinchilla App. F count without embeddings is close to 6N for a mid-size model', () => {
  const s: ModelShape = { nLayer: 32, dModel: 4096, nHeads: 32, dFf: 16384, vocab: 32000, seqLen: 2048, mlp: 'plain' };
  const ratio = chinchillaFlopsPerToken(s).trainingWithoutEmbeddings / (6 * parameterCount(s).nonEmbedding);
  assert.ok(ratio > 1.0 && ratio < 1.15, `ratio ${ratio}`);
});

test('gated MLPs and GQA are counted: Llama-2-7B shape ≈ 6.74e9, Llama-2-70B ≈ 6.98e10', () => {
  const l7: ModelShape = { nLayer: 32, dModel: 4096, nHeads: 32, dFf: 11008, vocab: 32000, seqLen: 4096, mlp: 'gated' };
  assert.ok(Math.abs(parameterCount(l7).total / 6.738e9 - 1) < 1e-3, `${parameterCount(l7).total}`);
  const l70: ModelShape = {
    nLayer: 80,
    dModel: 8192,
    nHeads: 64,
    nKvHeads: 8,
    dFf: 28672,
    vocab: 32000,
    seqLen: 4096,
    mlp: 'gated',
  };
  assert.ok(Math.abs(parameterCount(l70).total / 6.898e10 - 1) < 2e-3, `${parameterCount(l70).total}`);
  // App. F's K and V projections at the 8 KV heads: 80 · 2·8192·128·(64 + 2·8) per token, not 80 · 6·8192².
  assert.equal(chinchillaFlopsPerToken(l70).pieces.qkv, 80 * 2 * 8192 * 128 * 80);
  assert.equal(chinchillaFlopsPerToken({ ...l70, nKvHeads: undefined }).pieces.qkv, 80 * 6 * 8192 * 8192);
});

test('shapeSearch hits the target within tolerance and keeps the aspect ratio in its band', () => {
  for (const target of [1.25e8, 7e9, 7e10, 4e11]) {
    const shapes = shapeSearch(target, { tolerance: 0.05 });
    assert.ok(shapes.length > 0);
    for (const s of shapes) {
      assert.ok(Math.abs(s.parameters.total / target - 1) <= 0.05, `${s.parameters.total} vs ${target}`);
      assert.ok(s.aspectRatio >= 32 && s.aspectRatio <= 256);
      assert.equal(s.shape.dModel % s.shape.headDim!, 0);
    }
    assert.ok(Math.abs(Math.log(shapes[0].aspectRatio / 100)) < Math.log(1.6), `aspect ${shapes[0].aspectRatio}`);
  }
  assert.throws(() => shapeSearch(1e3), /below the smallest shape the search makes/);
  // One-layer shapes only when asked for: 1 × 16 has 12·16² = 3,072 non-embedding parameters.
  const tiny = {
    count: 'nonEmbedding' as const,
    mlp: 'plain' as const,
    ffnRatio: 4,
    ffnMultipleOf: 1,
    headDims: [8],
    multipleOf: 8,
    aspectRange: [8, 256] as [number, number],
    tolerance: 0.05,
  };
  assert.deepEqual(
    shapeSearch(3072, { ...tiny, minLayers: 1 }).map((c) => [
      c.shape.nLayer,
      c.shape.dModel,
      c.parameters.nonEmbedding,
    ])[0],
    [1, 16, 3072],
  );
  assert.throws(() => shapeSearch(3072, tiny), /below the smallest shape the search makes: 2 layers × d_model 16/);
});

test('shapeSearch: a target no shape reaches is said with what changes it, not an aspect range no caller can set', () => {
  const said = (target: number, o: Parameters<typeof shapeSearch>[1] = {}) => {
    try {
      shapeSearch(target, o);
    } catch (e) {
      assert.ok(e instanceof OptionError, String(e));
      return e.messageNaming((option) => `<${option}>`);
    }
    assert.fail(`a shape for ${target}`);
  };
  // 1e5 total with a 32000-token vocabulary: the embeddings alone are 4.1e6 (the walk's tiny model).
  const tiny = said(1e5);
  assert.match(
    tiny,
    /1e5 parameters \(total\) is below the smallest shape the search makes: 2 layers × d_model 64 .* counts 4\.23e6, 4\.1e6 of them the 32000-token vocabulary's embeddings/,
  );
  assert.match(
    tiny,
    /give <count> non-embedding or a smaller <vocab>, or choose the layers and width by hand \(<layers> and <dModel>/,
  );
  // Counted without embeddings, the floor is the 2 × 64 shape's own 1.31e5.
  const bare = said(1e5, { count: 'nonEmbedding' });
  assert.match(bare, /counts 1\.31e5; choose the layers and width by hand/);
  // A heads multiple too large for the size: the multiple is named as what to change, not the size.
  const heads = said(7e9, { headsMultipleOf: 1000 });
  assert.match(heads, /2 layers × d_model 64000 \(<headsMultipleOf> 1000 asks for at least 1000 heads of 64\)/);
  assert.match(heads, /give a smaller <headsMultipleOf>/);
  assert.doesNotMatch(tiny, /headsMultipleOf/);
  // Below the floor a multiple of 1 has, a smaller multiple would not help: the size is what is said.
  const tinyHeads = said(1e5, { headsMultipleOf: 2 });
  assert.doesNotMatch(tinyHeads, /headsMultipleOf/);
  assert.match(tinyHeads, /give <count> non-embedding or a smaller <vocab>/);
  assert.doesNotMatch(bare, /<vocab>/);
  // Above the floor but between shapes: widen the tolerance, or choose by hand.
  const between = said(2e5, { vocab: 256 });
  assert.match(
    between,
    /no shape within 5\.0 % of 2e5 parameters \(total\) .*; widen <countTolerance>, or choose the layers and width by hand/,
  );
  for (const m of [tiny, bare, between]) assert.doesNotMatch(m, /aspect range/);
});
