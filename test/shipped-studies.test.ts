import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scalelab } from './helpers/cli.js';
import { nonEmbeddingParameters } from '../src/model/shape.js';

// The shipped moby-small study is what its README claims: re-fitting its IsoFLOP runs gives the same
// law, prediction and interval, every profile's minimum is inside, and the trained run lies inside.
const dir = 'examples/studies/moby-small';
const tmp = mkdtempSync(join(tmpdir(), 'scalelab-studies-'));

test('moby-small: the refit reproduces the prediction, and the observed loss lies inside its interval', () => {
  const study = JSON.parse(readFileSync(join(dir, 'study.json'), 'utf8'));
  const out = join(tmp, 'fit.json');
  // The study fitted Hoffmann et al.'s recipe (the default before --procedure auto): refit it that way.
  const f = scalelab([
    'fit',
    join(dir, 'runs.csv'),
    '--group',
    'isoflop',
    '--procedure',
    'huber',
    '--bootstrap',
    '200',
    '--seed',
    '0',
    '--out',
    out,
    '--json',
  ]);
  assert.equal(f.code, 0, f.stderr);
  const fit = f.json();
  for (const [k, v] of Object.entries(study.fit.params as Record<string, number>))
    assert.ok(Math.abs(fit.params[k] / v - 1) < 1e-4, `${k}: ${fit.params[k]} vs ${v}`);
  const { N, D } = study.recommendation;
  const p = scalelab(['predict', '--fit', out, '--N', String(N), '--D', String(D), '--json']).json();
  assert.ok(Math.abs(p.loss - 1.7328) < 5e-5, `predicted ${p.loss}`);
  const [lo, hi] = p.interval;
  const verify = readFileSync(join(dir, 'runs.csv'), 'utf8')
    .split('\n')
    .find((l) => l.includes(',verify,'))!
    .split(',');
  const observed = Number(verify[5]);
  assert.ok(Math.abs(observed - 1.735) < 5e-4, `observed ${observed}`);
  assert.ok(lo < observed && observed < hi, `${observed} in [${lo}, ${hi}]`);
  assert.equal(study.verification.inside, true);
  // The check reaches 5.4× beyond the largest IsoFLOP budget.
  assert.ok(6 * N * D > 5 * Math.max(...study.budgets));
});

test('moby-small: every IsoFLOP profile has its minimum strictly inside the sizes tried', () => {
  const rows = readFileSync(join(dir, 'runs.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const iso = rows
    .filter((r) => r[6] === 'isoflop')
    .map((r) => ({ N: Number(r[2]), C: Number(r[4]), loss: Number(r[5]) }));
  const budgets = [...new Set(iso.map((r) => r.C.toPrecision(3)))];
  assert.equal(budgets.length, 3);
  for (const b of budgets) {
    const runs = iso.filter((r) => r.C.toPrecision(3) === b).sort((x, y) => x.N - y.N);
    const best = runs.reduce((m, r, i) => (r.loss < runs[m].loss ? i : m), 0);
    assert.ok(best > 0 && best < runs.length - 1, `C = ${b}: best at ${runs[best].N} of ${runs.map((r) => r.N)}`);
  }
});

// What every shipped study's files say of one another, recomputed from its runs.csv: N and C of
// each run from its shape and tokens, the IsoFLOP budgets, and the verification from the
// recommended run's own row. A study re-exported by a broken build (a wrong parameter count, a
// verification read off another run, a budget the runs do not match) fails here.
for (const name of ['moby-small', 'moby-tiny']) {
  test(`${name}: runs.csv, study.json and the recommended run agree`, () => {
    const at = `examples/studies/${name}`;
    const study = JSON.parse(readFileSync(join(at, 'study.json'), 'utf8'));
    const [header, ...lines] = readFileSync(join(at, 'runs.csv'), 'utf8').trim().split('\n');
    const cols = header.split(',');
    const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
    const num = (r: Record<string, string>, k: string) => Number(r[k]);
    for (const r of rows) {
      assert.equal(
        num(r, 'N'),
        nonEmbeddingParameters(num(r, 'n_layer'), num(r, 'd_model')),
        `${r.run}: N is 12·n_layer·d_model²`,
      );
      // D is whole tokens, C the planned budget: they agree to the rounding of D.
      assert.ok(Math.abs(num(r, 'C') / (6 * num(r, 'N') * num(r, 'D')) - 1) < 1e-5, `${r.run}: C = 6ND`);
    }
    const iso = rows.filter((r) => r.group === 'isoflop');
    assert.ok(iso.length >= 12);
    for (const r of iso)
      assert.ok(
        study.budgets.some((C: number) => Math.abs(Math.log10(num(r, 'C') / C)) < 0.06),
        `${r.run}: C = ${r.C} is one of the budgets ${study.budgets}`,
      );
    const verify = rows.filter((r) => r.group === 'verify');
    assert.equal(verify.length, 1);
    const rec = study.recommendation,
      ver = study.verification;
    assert.equal(num(verify[0], 'n_layer'), rec.config.n_layer);
    assert.equal(num(verify[0], 'd_model'), rec.config.d_model);
    assert.equal(rec.N, nonEmbeddingParameters(rec.config.n_layer, rec.config.d_model));
    assert.equal(Math.round(rec.D), rec.config.tokens);
    assert.ok(
      6 * rec.N * rec.D > Math.max(...study.budgets),
      'the recommended run is beyond every budget of the sweep',
    );
    assert.ok(
      Math.abs(num(verify[0], 'loss') / ver.observed - 1) < 1e-9,
      "the verification is the recommended run's loss",
    );
    assert.equal(ver.predicted, rec.predictedLoss);
    assert.ok(Math.abs(ver.error - (ver.observed / ver.predicted - 1)) < 1e-12);
    assert.equal(ver.inside, ver.interval[0] < ver.observed && ver.observed < ver.interval[1]);
  });
}
// The shipped moby-curves study (examples/studies/moby-curves/README.md): its LR-annealing fit is what
// `curve-law fit` makes from the shipped runs, and its predicted-against-observed table follows from its fits.
test('moby-curves: the refit reproduces the shipped fit, and the table of predictions follows from the fits', () => {
  const curves = 'examples/studies/moby-curves';
  const out = join(tmp, 'curve-fit.json');
  const runs = ['d32-constant', 'd32-wsd-0.2', 'd64-constant', 'd64-wsd-0.2'].map((r) => join(curves, 'runs', r));
  const f = scalelab([
    'curve-law',
    'fit',
    ...runs,
    // The shipped LR-annealing fit (the multi-power fit, the default law, is not refitted here).
    '--law',
    'lr-annealing',
    '--from-step',
    '500',
    '--bootstrap',
    '200',
    '--seed',
    '1',
    '--out',
    out,
  ]);
  assert.equal(f.code, 0, f.stderr);
  assert.deepEqual(
    JSON.parse(readFileSync(out, 'utf8')),
    JSON.parse(readFileSync(join(curves, 'fit-lr-annealing.json'), 'utf8')),
  );
  const table = JSON.parse(readFileSync(join(curves, 'predictions.json'), 'utf8')) as {
    run: string;
    law: string;
    predicted: number;
    observed: number;
    inside: boolean;
  }[];
  for (const row of table) {
    const p = scalelab([
      'curve-law',
      'predict',
      '--curve-fit',
      join(curves, `fit-${row.law}.json`),
      '--observed',
      join(curves, 'runs', row.run),
      '--json',
    ]);
    assert.equal(p.code, 0, p.stderr);
    const r = p.json();
    assert.ok(
      Math.abs(r.final.loss - row.predicted) < 1e-9,
      `${row.run} ${row.law}: ${r.final.loss} vs ${row.predicted}`,
    );
    assert.equal(r.observed.observed, row.observed);
    assert.equal(r.observed.inside, row.inside);
  }
  // What the README says plainly: the LR-annealing law missed all four; the multi-power law's intervals held
  // the two at width 64 (by being wide; only since it is fitted as B·β, continuous where β → 0) and missed both
  // at width 32 (since the law is computed in logarithms that fit runs to γ → ∞; it used to stop on the
  // overflow of η^(−γ) at γ ≈ 95, where both held).
  assert.deepEqual(table.map((r) => `${r.run}:${r.law}:${r.inside}`).sort(), [
    'd32-cosine-2x:lr-annealing:false',
    'd32-cosine-2x:multi-power:false',
    'd32-wsd-0.5:lr-annealing:false',
    'd32-wsd-0.5:multi-power:false',
    'd64-cosine-2x:lr-annealing:false',
    'd64-cosine-2x:multi-power:true',
    'd64-wsd-0.5:lr-annealing:false',
    'd64-wsd-0.5:multi-power:true',
  ]);
});

test('moby-curves: a half-way checkpoint of a cosine run lies about 4 % above an annealed run of that length (the Kaplan lesson)', () => {
  const loss = (run: string, step: number) =>
    readFileSync(join('examples/studies/moby-curves/runs', run, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((m) => m.step === step).val_loss as number;
  for (const d of ['d32', 'd64']) {
    const gap = loss(`${d}-cosine-2x`, 1000) / loss(`${d}-wsd-0.2`, 1000) - 1;
    assert.ok(gap > 0.035 && gap < 0.045, `${d}: ${gap}`);
  }
});
