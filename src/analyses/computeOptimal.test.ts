import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chinchillaOptimal, computeOptimal, computeOptimalForSize, tokensPerParameterRule } from './computeOptimal.js';
import { inferenceAwareOptimal, qualityOf } from './inferenceAware.js';
import { chinchilla, kaplanNd } from '../laws/index.js';
import { lawPreset } from '../presets/laws.js';
import { chinchillaTable3 } from '../presets/chinchillaTable3.js';
import { hardwareBudget, accelerator } from '../hardware/catalog.js';

const within = (actual: number, expected: number, rel: number, what = '') =>
  assert.ok(Math.abs(actual / expected - 1) <= rel, `${what}: ${actual} vs ${expected} (±${rel * 100} %)`);

// docs/methods.md §7, recomputed: the closed form at the Gopher budget C = 5.76e23.
test('closed form at C = 5.76e23: N_opt 3.219e10 (printed), 4.031e10 (TeX), 7.225e10 (Epoch)', () => {
  within(chinchillaOptimal(lawPreset('hoffmann-2022').params, 5.76e23).N, 3.219e10, 5e-4, 'printed');
  within(chinchillaOptimal(lawPreset('hoffmann-2022-tex').params, 5.76e23).N, 4.031e10, 5e-4, 'TeX');
  const epoch = chinchillaOptimal(lawPreset('epoch-2024').params, 5.76e23);
  within(epoch.N, 7.225e10, 5e-4, 'Epoch');
  within(epoch.D, 1.329e12, 5e-4, 'Epoch D');
  within(epoch.tokensPerParameter, 18.39, 1e-3, 'Epoch D/N');
  within(chinchillaOptimal(lawPreset('hoffmann-2022').params, 5.76e23).D, 2.982e12, 5e-4, 'printed D');
});

test('numeric optimum equals the closed form for chinchilla, and works for kaplan-nd', () => {
  const p = lawPreset('epoch-2024').params;
  const closed = chinchillaOptimal(p, 1e24);
  const numeric = computeOptimal({ ...chinchilla, id: 'chinchilla-numeric' }, p, 1e24);
  within(numeric.N, closed.N, 1e-6, 'N');
  within(closed.N, 9.586e10, 5e-4, 'Epoch N_opt(1e24)');
  within(closed.D, 1.739e12, 5e-4, 'Epoch D_opt(1e24)');
  const k = computeOptimal(kaplanNd, lawPreset('kaplan-2020').params, 1e21);
  assert.ok(k.N > 1e6 && k.D > 1e6 && Number.isFinite(k.loss!));
});

test('computeOptimalForSize inverts computeOptimal', () => {
  const p = lawPreset('epoch-2024').params;
  const a = computeOptimalForSize(chinchilla, p, 7e10);
  within(chinchillaOptimal(p, a.C).N, 7e10, 1e-9, 'round trip');
  const numeric = computeOptimalForSize({ ...chinchilla, closedForm: undefined }, p, 7e10);
  within(numeric.D, a.D, 1e-6, 'numeric D');
});

// The printed D has two or three significant digits (3.7T is ±1.4 %), so 1 % is the honest check;
// the 67B/1.5T row is the known outlier (C/6ND = 0.955).
test('Chinchilla Table 3 rows satisfy C = 6ND to 1 %, except 67B/1.5T (0.955)', () => {
  for (const row of chinchillaTable3) {
    const ratio = row.C / (6 * row.N * row.D);
    if (row.N === 67e9) within(ratio, 0.955, 0.002, '67B row');
    else within(ratio, 1, 0.01, `${row.N} row`);
  }
});

test('10,000 H100 × 30 days at 40 % MFU = 1.026e25 FLOPs (7.2e6 GPU-hours)', () => {
  const b = hardwareBudget(10000, accelerator('h100'), 0.4, 30, 2);
  within(b.flops, 1.026e25, 5e-4, 'FLOPs');
  assert.equal(b.gpuHours, 7.2e6);
  assert.equal(b.cost, 1.44e7);
  within(hardwareBudget(10000, accelerator('H100'), 1, 30).flops, 2.565e25, 5e-4, 'at 100 %');
  assert.throws(() => accelerator('h1000'), /unknown GPU "h1000" \(known: h100, h100-pcie, a100/);
});

test('at 1.026e25: 20 tokens/param gives 292B/5.85T; Epoch 316B/5.41T; Hoffmann rounded 118B/14.5T', () => {
  const C = 1.026e25;
  const rule = tokensPerParameterRule(C);
  within(rule.N, 292e9, 3e-3, '20 tok/param N');
  within(rule.D, 5.85e12, 3e-3, '20 tok/param D');
  const e = chinchillaOptimal(lawPreset('epoch-2024').params, C);
  within(e.N, 316e9, 3e-3, 'Epoch N');
  within(e.D, 5.41e12, 3e-3, 'Epoch D');
  const h = chinchillaOptimal(lawPreset('hoffmann-2022').params, C);
  within(h.N, 118e9, 5e-3, 'Hoffmann N');
  within(h.D, 14.5e12, 5e-3, 'Hoffmann D');
});

// Sardana et al. 2024 examples with α = 0.336, β = 0.283 (docs/methods.md §11, all four rows).
test('Sardana: 30B-quality with 1e13 inference tokens → 13.6B, 2.84× the data, −28 % FLOPs', () => {
  const p = lawPreset('sardana-2024').params;
  const r = inferenceAwareOptimal(chinchilla, p, qualityOf(chinchilla, p, 30e9), 1e13);
  within(r.optimal.N, 13.61e9, 2e-3, 'N');
  within(r.optimal.D, 4.426e12, 2e-3, 'D');
  within(r.dataRatio, 2.845, 2e-3, 'data ratio');
  within(r.flopsSaved, 0.28, 5e-3, 'FLOPs saved');
});

test('Sardana: 13B-quality with 2e12 → 7B, −1.7e22 FLOPs (−17 %); 7B-quality with 1e11 → 6B on 1.18× the data', () => {
  const p = lawPreset('sardana-2024').params;
  const a = inferenceAwareOptimal(chinchilla, p, qualityOf(chinchilla, p, 13e9), 2e12);
  within(a.optimal.N, 6.97e9, 3e-3, '13B N');
  within(a.computeOptimal.totalFlops - a.optimal.totalFlops, 1.69e22, 5e-3, '13B FLOPs saved');
  within(a.flopsSaved, 0.174, 0.01, '13B fraction');
  const b = inferenceAwareOptimal(chinchilla, p, qualityOf(chinchilla, p, 7e9), 1e11);
  within(b.optimal.N, 6.0e9, 3e-3, '7B N');
  within(b.dataRatio, 1.176, 2e-3, '7B data');
});

test('Sardana: 70B-quality with 2e12 saves 1.3 %; with 1e13 → 41.55B, 7.92e12, −11.9 %', () => {
  const p = lawPreset('sardana-2024').params;
  const a = inferenceAwareOptimal(chinchilla, p, qualityOf(chinchilla, p, 70e9), 2e12);
  within(a.flopsSaved, 0.013, 0.03, '70B/2e12');
  const b = inferenceAwareOptimal(chinchilla, p, qualityOf(chinchilla, p, 70e9), 1e13);
  within(b.optimal.N, 41.55e9, 2e-3, 'N');
  within(b.optimal.D, 7.92e12, 2e-3, 'D');
  within(b.flopsSaved, 0.119, 0.01, 'saved');
});

test('with no inference tokens the lifetime optimum is the compute-optimal model', () => {
  const p = lawPreset('epoch-2024').params;
  const r = inferenceAwareOptimal(chinchilla, p, 2.0, 0);
  within(r.optimal.N, r.computeOptimal.N, 1e-4, 'N');
  assert.ok(Math.abs(r.flopsSaved) < 1e-8);
  assert.throws(() => inferenceAwareOptimal(chinchilla, p, 1.5, 1e12), /target loss 1.5 is not reachable/);
});
