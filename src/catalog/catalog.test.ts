import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCatalog } from './load.js';
import { describe, findModel, placeOnFrontier } from './models.js';
import { chinchilla } from '../laws/index.js';
import { lawPreset } from '../presets/laws.js';

const catalog = loadCatalog();

test('the catalog holds the 67 published configurations with source and status', () => {
  assert.equal(catalog.length, 67);
  for (const m of catalog) {
    assert.ok(m.source.length > 10, `${m.name} has a source`);
    assert.ok(['verified', 'single-source'].includes(m.status), `${m.name}: ${m.status}`);
  }
});

test('GPT-2 124M recounts to 84,934,656 non-embedding parameters (12·n_layer·d_model²)', () => {
  assert.equal(describe(findModel(catalog, 'GPT-2 124M')).recomputed.nonEmbedding, 84934656);
});

test('recounted totals are within 5 % of the reported size for every row the catalog lists as matching', () => {
  let checked = 0;
  for (const m of catalog) {
    const derived = /config-derived total ~([\d.]+)B \(([+-][\d.]+)% vs reported\)/.exec(m.notes);
    if (!derived || Math.abs(Number(derived[2])) > 5) continue;
    const d = describe(m);
    assert.ok(Math.abs(d.sizeError) <= 0.05, `${m.name}: ${(d.sizeError * 100).toFixed(1)} %`);
    // and it agrees with the catalog's own config-derived count (tying, when unstated, may be resolved differently: 2 %)
    assert.ok(Math.abs((d.recomputed.total - d.recomputed.norms) / (Number(derived[1]) * 1e9) - 1) < 0.02, `${m.name}: ${d.recomputed.total} vs ${derived[1]}B`);
    checked++;
  }
  assert.ok(checked >= 50, `${checked} rows checked`);
});

test('rows that disagree are flagged with the reason when it is known', () => {
  assert.match(describe(findModel(catalog, 'gpt-3-xl')).mismatch!, /inconsistent/);
  assert.match(describe(findModel(catalog, 'olmo-1b')).mismatch!, /nominal/);
  assert.ok(Math.abs(describe(findModel(catalog, 't5-small')).sizeError) < 0.01, 'T5 is counted as an encoder and a decoder stack');
});

test('tokens per parameter: Chinchilla 70B = 20, Llama 2 70B ≈ 28.6, Llama 3 70B ≈ 214', () => {
  assert.equal(describe(findModel(catalog, 'chinchilla-70b')).tokensPerParameter, 20);
  assert.ok(Math.abs(describe(findModel(catalog, 'llama-2-70b')).tokensPerParameter! - 28.57) < 0.01);
  assert.ok(Math.abs(describe(findModel(catalog, 'llama 3 70b')).tokensPerParameter! - 214.3) < 0.1);
});

test("under Epoch's fit Chinchilla 70B sits near the frontier and GPT-3 175B is far under-trained for its compute", () => {
  const epoch = lawPreset('epoch-2024').params;
  const c = placeOnFrontier(findModel(catalog, 'chinchilla-70b'), chinchilla, epoch);
  assert.ok(c.sizeRatio > 0.8 && c.sizeRatio < 1.25, `Chinchilla: ${c.sizeRatio}`);
  assert.match(c.verdict, /near the frontier/);
  const g = placeOnFrontier(findModel(catalog, 'gpt-3-175b'), chinchilla, epoch);
  assert.ok(g.sizeRatio > 3, `GPT-3: ${g.sizeRatio}`);
  assert.match(g.verdict, /under-trained/);
  assert.ok(g.loss > g.optimalLoss);
});

test('an unknown model name is an error listing close matches', () => {
  assert.throws(() => findModel(catalog, 'llama-2-71b'), /unknown model "llama-2-71b"; closest: llama-2-7b, llama-2-70b/);
});
