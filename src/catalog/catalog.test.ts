import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadCatalog, provenancePath } from './load.js';
import { describe, findModel, placeOnFrontier } from './models.js';
import { chinchilla } from '../laws/index.js';
import { lawPreset } from '../presets/laws.js';

const catalog = loadCatalog();

test('the catalog holds the published configurations, each with source and status', () => {
  // At least the 67 it shipped with; the exact count is the one its documents state (test/published-docs.test.ts).
  assert.ok(catalog.length >= 67, `${catalog.length} rows`);
  for (const m of catalog) {
    assert.ok(m.source.length > 10, `${m.name} has a source`);
    assert.ok(['verified', 'single-source'].includes(m.status), `${m.name}: ${m.status}`);
  }
});

test('GPT-2 124M recounts to 84,934,656 non-embedding parameters (12·n_layer·d_model²)', () => {
  assert.equal(describe(findModel(catalog, 'GPT-2 124M')).recomputed.nonEmbedding, 84934656);
});

test("every row PROVENANCE.md says matches recounts within its tolerance (5 %; Gopher/Chinchilla 2 %), and agrees with the catalog's own count", () => {
  // The shipped PROVENANCE states both tolerances and the rows excepted from the 5 %; read them from it.
  const prov = readFileSync(provenancePath, 'utf8');
  const all = /match the reported size within (\d+)% for every row except (.+?%\))\./.exec(prov);
  const gopher = /Gopher\/Chinchilla match within (\d+)%/.exec(prov);
  assert.ok(all && gopher, 'PROVENANCE states the tolerances');
  const excepted = [...all[2].matchAll(/([\w .-]+?) \([+-][\d.]+%\)/g)].map((x) => x[1].replace(/^(and )?/, '').trim());
  assert.deepEqual(excepted, ['GPT-3 XL', 'OPT-350M', 'OLMo-1B', 'OLMo-2-1124-13B']);
  let checked = 0,
    gophers = 0;
  for (const m of catalog) {
    if (excepted.includes(m.name)) continue;
    const isGopher = m.family === 'Gopher' || m.family === 'Chinchilla';
    const tolerance = Number(isGopher ? gopher[1] : all[1]) / 100;
    const d = describe(m);
    assert.ok(
      Math.abs(d.sizeError) <= tolerance,
      `${m.name}: ${(d.sizeError * 100).toFixed(1)} % (tolerance ${tolerance * 100} %)`,
    );
    assert.equal(d.mismatch, undefined, m.name);
    // and it agrees with the catalog's own config-derived count, whichever way the notes word it (2 %)
    const derived = /config-derived total[^~]*~([\d.]+)B \(([+-][\d.]+)% vs reported/.exec(m.notes);
    if (derived)
      assert.ok(
        Math.abs((d.recomputed.total - d.recomputed.norms) / (Number(derived[1]) * 1e9) - 1) < 0.02,
        `${m.name}: ${d.recomputed.total} vs ${derived[1]}B`,
      );
    if (isGopher) {
      assert.ok(derived, `${m.name}: the notes give a config-derived count`);
      gophers++;
    }
    checked++;
  }
  assert.equal(gophers, 7, 'all six Gopher rows and Chinchilla are checked');
  assert.equal(checked, catalog.length - excepted.length, 'every row but the excepted is checked');
});

test('Gopher 417M–7.1B: unstated tying is resolved after the relative-position projection is added', () => {
  for (const [name, expected] of [
    ['Gopher 417M', 0.0],
    ['Gopher 1.4B', -1.8],
    ['Gopher 7.1B', 0.1],
  ] as const) {
    const d = describe(findModel(catalog, name));
    assert.ok(
      Math.abs(d.sizeError * 100 - expected) < 0.15,
      `${name}: ${(d.sizeError * 100).toFixed(2)} % (catalog ${expected} %)`,
    );
    assert.equal(d.shape.tiedEmbeddings, true, `${name}: one embedding matrix (13·L·d² + V·d)`);
  }
});

test('rows that disagree are flagged with the reason when it is known', () => {
  assert.match(describe(findModel(catalog, 'gpt-3-xl')).mismatch!, /inconsistent/);
  assert.match(describe(findModel(catalog, 'olmo-1b')).mismatch!, /nominal/);
  assert.ok(
    Math.abs(describe(findModel(catalog, 't5-small')).sizeError) < 0.01,
    'T5 is counted as an encoder and a decoder stack',
  );
  for (const m of catalog) assert.notEqual(describe(m).mismatch, 'unexplained', m.name);
});

test('OPT-350M: its 512-wide embeddings with project_in/out are counted, and the remaining gap is flagged with that reason', () => {
  const d = describe(findModel(catalog, 'opt-350m'));
  // 24·12·1024² + 50272·512 + 2·512·1024 + 2048·1024 = 330,874,880 (HF ~331M; the catalog's 0.3309B)
  assert.equal(d.recomputed.total - d.recomputed.norms, 330874880);
  assert.equal(d.recomputed.embedding, 50272 * 512 + 2 * 512 * 1024 + 2048 * 1024);
  assert.ok(Math.abs(d.sizeError * 100 + 5.5) < 0.1, `${(d.sizeError * 100).toFixed(2)} %`);
  assert.match(d.mismatch!, /nominal name \(512-wide embeddings with project_in\/out/);
});

test("detailed FLOPs: Llama 3.1 at its 8192 pretraining context (405B within 15 % of the paper's 3.8e25); T5 counts both stacks", () => {
  const l = describe(findModel(catalog, 'llama-3.1-405b'));
  assert.equal(l.shape.seqLen, 8192);
  assert.equal(l.contextLength, 131072);
  assert.ok(Math.abs(l.flopsDetailed! / 3.8e25 - 1) < 0.15, `${l.flopsDetailed}`);
  for (const m of catalog) {
    const d = describe(m);
    if (d.flopsDetailed === undefined) continue;
    // App. F adds attention and logits to 6N: never below 6ND by more than the embedding share, never far above
    assert.ok(
      d.flopsDetailed / d.flops6ND! > 0.9 && d.flopsDetailed / d.flops6ND! < 1.75,
      `${m.name}: ${(d.flopsDetailed / d.flops6ND!).toFixed(2)}× 6ND`,
    );
  }
});

test('every row carries a short citation for tables, and placements carry it too', () => {
  for (const m of catalog)
    assert.ok(m.cite.length >= 8 && m.cite.length <= 40 && /\d{4}/.test(m.cite), `${m.name}: ${m.cite}`);
  assert.equal(findModel(catalog, 'gopher-417m').cite, 'Rae+ 2021');
  assert.equal(
    placeOnFrontier(findModel(catalog, 'chinchilla-70b'), chinchilla, lawPreset('epoch-2024').params).cite,
    'Hoffmann+ 2022',
  );
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
  assert.throws(
    () => findModel(catalog, 'llama-2-71b'),
    /unknown model "llama-2-71b"; closest: llama-2-7b, llama-2-70b/,
  );
});
