import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseWorld } from './world.js';
import { optimum, simulate, truth } from './simulate.js';
import { InputError } from '../errors/index.js';

const world = parseWorld(
  JSON.parse(readFileSync(new URL('../../worlds/default.json', import.meta.url), 'utf8')),
  'default.json',
);
const base = {
  n_layer: 8,
  d_model: 512,
  n_heads: 8,
  tokens: 2e9,
  batch_tokens: 131072,
  learning_rate: 3e-3,
  parametrization: 'mup' as const,
};

/** worlds/README.md, rules 1, 2, 3 and 7, written out again by hand from the README's text. */
function independentTruth(c: {
  n_layer: number;
  d_model: number;
  tokens: number;
  batch_tokens: number;
  learning_rate: number;
  parametrization: 'sp' | 'mup';
}): number {
  const N = 12 * c.n_layer * c.d_model * c.d_model;
  const etaStar = c.parametrization === 'mup' ? 3e-3 : 3e-3 * Math.pow(c.d_model / 256, -1);
  const lr = 1 + 0.03 * Math.log(c.learning_rate / etaStar) ** 2;
  const shape = 1 + 0.01 * Math.log(c.d_model / c.n_layer / 64) ** 2;
  const law = (D: number) => 1.85 + 400 / Math.pow(N, 0.34) + 600 / Math.pow(D, 0.3);
  const L0 = law(c.tokens) * lr * shape;
  const bcrit = 2e9 / Math.pow(L0, 1 / 0.21);
  return law(c.tokens / (1 + c.batch_tokens / bcrit)) * lr * shape;
}

test('truth reproduces the documented rules, recomputed independently', () => {
  const configs = [
    base,
    { ...base, parametrization: 'sp' as const, d_model: 1024, n_heads: 16, learning_rate: 1e-3 },
    { ...base, batch_tokens: 1048576, tokens: 5e9 },
    { ...base, n_layer: 2, d_model: 768, n_heads: 12, learning_rate: 2e-2 },
  ];
  for (const c of configs) {
    const t = truth(world, c);
    assert.ok(
      Math.abs(t.loss / independentTruth(c) - 1) < 1e-12,
      `${JSON.stringify(c)}: ${t.loss} vs ${independentTruth(c)}`,
    );
  }
});

test('learning-rate optimum: fixed under muP, ∝ 1/width under standard parametrisation', () => {
  assert.equal(truth(world, { ...base, d_model: 2048, n_heads: 32 }).lrOptimum, 3e-3);
  assert.ok(
    Math.abs(truth(world, { ...base, d_model: 1024, n_heads: 16, parametrization: 'sp' }).lrOptimum - 7.5e-4) < 1e-15,
  );
  const r = simulate(world, { ...base, learning_rate: 0.05 });
  assert.equal(r.status, 'failed');
  assert.match(r.reason!, /diverged/);
});

test('simulate: final checkpoint noise has the documented spread; intermediate checkpoints sit above shorter runs', () => {
  const ratios: number[] = [];
  for (let seed = 0; seed < 400; seed++)
    ratios.push(Math.log(simulate(world, { ...base, seed }).finalLoss / truth(world, base).loss));
  const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  const sd = Math.sqrt(ratios.reduce((a, b) => a + (b - mean) ** 2, 0) / (ratios.length - 1));
  const expected = Math.sqrt(0.004 ** 2 + 0.002 ** 2);
  assert.ok(Math.abs(mean) < 0.0008, `mean log ratio ${mean}`);
  assert.ok(Math.abs(sd / expected - 1) < 0.12, `sd ${sd} vs ${expected}`);
  const noiseless = { ...world, noise: { seedSigma: 0, evalSigma: 0 } };
  const run = simulate(noiseless, { ...base, n_evals: 4 });
  const half = run.evals[1];
  const shorter = truth(noiseless, { ...base, tokens: half.tokens }).loss;
  assert.ok(
    Math.abs(half.loss / shorter - (1 + (0.04 * (1 + Math.cos(Math.PI * 0.5))) / 2)) < 1e-12,
    'rule 4 at t = 1/2',
  );
  assert.ok(Math.abs(run.finalLoss / truth(noiseless, base).loss - 1) < 1e-12);
});

test('simulate: cost follows rule 6', () => {
  const r = simulate(world, base);
  const N = 12 * 8 * 512 * 512;
  const mfu = 0.45 * (N / (N + 2e7)) * (131072 / (131072 + 32768));
  const seconds = 60 + (6 * (N + 2 * 32000 * 512) * 2e9) / (2.25e15 * mfu);
  assert.ok(Math.abs(r.seconds / seconds - 1) < 1e-12);
  assert.equal(r.N, N);
});

test('optimum: no neighbouring configuration of the same budget does better', () => {
  const o = optimum(world, 3600);
  for (const [dL, dd] of [
    [1, 0],
    [-1, 0],
    [0, 64],
    [0, -64],
  ]) {
    const L = o.config.n_layer + dL,
      d = o.config.d_model + dd;
    const N = 12 * L * d * d,
      total = N + 2 * 32000 * d;
    const m = 0.45 * (N / (N + 2e7)) * (o.config.batch_tokens / (o.config.batch_tokens + 32768));
    const D = ((3600 - 60) * 2.25e15 * m) / (6 * total);
    const loss = truth(world, { ...o.config, n_layer: L, d_model: d, n_heads: Math.max(1, d / 64), tokens: D }).loss;
    assert.ok(loss >= o.loss - 1e-12, `(${L}, ${d}) gives ${loss} < ${o.loss}`);
  }
});

test('configurations outside the limits are refused with the field named', () => {
  assert.throws(
    () => simulate(world, { ...base, d_model: 8192, n_heads: 64 }),
    (e: unknown) => e instanceof InputError && /d_model = 8192 is outside the lab's range \[64, 4096\]/.test(e.message),
  );
  assert.throws(() => simulate(world, { ...base, n_heads: 7 }), /not divisible by n_heads/);
  assert.throws(() => simulate(world, { ...base, tokens: -1 }), /field "tokens"/);
});

test("a run's vocab and seq_len: recorded; the vocabulary's embeddings are paid for (rule 6), the law's N and noise-free loss unchanged", () => {
  const plain = simulate(world, base);
  assert.deepEqual([plain.config.vocab, plain.config.seq_len], [32000, 512], "the world's own by default");
  const same = simulate(world, { ...base, vocab: 32000, seq_len: 512 });
  assert.equal(same.finalLoss, plain.finalLoss, "giving the world's own values changes nothing, noise included");
  assert.equal(same.seconds, plain.seconds);
  const big = simulate(world, { ...base, vocab: 128000, seq_len: 2048 });
  assert.deepEqual([big.config.vocab, big.config.seq_len], [128000, 2048]);
  assert.equal(big.N, plain.N, 'N is non-embedding');
  assert.equal(big.totalParameters, plain.N + 2 * 128000 * 512);
  assert.equal(big.flops, 6 * (plain.N + 2 * 128000 * 512) * 2e9);
  const mfu = 0.45 * (plain.N / (plain.N + 2e7)) * (131072 / (131072 + 32768));
  assert.ok(Math.abs(big.seconds - (60 + big.flops / (2.25e15 * mfu))) < 1e-6, "rule 6 with the run's vocabulary");
  assert.ok(big.seconds > plain.seconds * 1.1);
  assert.equal(truth(world, { ...base, vocab: 128000 }).loss, truth(world, base).loss);
  assert.notEqual(big.finalLoss, plain.finalLoss, 'another run: its own noise draw');
  assert.throws(() => simulate(world, { ...base, vocab: 0 }), /field "vocab"/);
});
