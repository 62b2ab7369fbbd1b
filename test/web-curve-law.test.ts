// The web app's curve panel (web/src/components/CurveLawPanel.tsx) draws what its pure helper computes:
// the same prediction as `scalelab curve-law predict` for the schedule chosen in the form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { curvePrediction, readCurveFit } from '../web/src/lib/curvePrediction.js';

const text = readFileSync(new URL('../examples/studies/moby-curves/fit-multi-power.json', import.meta.url), 'utf8');

test("the web curve panel predicts the bundled study's cosine run as the CLI does, and draws it", () => {
  const file = readCurveFit(text, 'fit-multi-power.json');
  const d64 = file.fits.findIndex((g) => g.N === 100096);
  // The study's cosine target, 2000 steps.
  const cosine = {
    kind: 'cosine',
    steps: 2000,
    peakLr: 5.7e-3,
    warmupSteps: 50,
    decayFrac: 0.2,
    decayShape: 'linear',
    minLrFrac: 0.1,
  } as const;
  const r = curvePrediction(file, d64, cosine);
  const shipped = JSON.parse(
    readFileSync(new URL('../examples/studies/moby-curves/predictions.json', import.meta.url), 'utf8'),
  ).find((p: { run: string; law: string }) => p.run === 'd64-cosine-2x' && p.law === 'multi-power');
  assert.ok(Math.abs(r.final - shipped.predicted) < 1e-9, `${r.final} vs ${shipped.predicted}`);
  // The same interval as the report's (each step's draws are keyed by its step, whatever else is predicted),
  // extrapolation term included; the fit lies within its replicates' at both widths.
  assert.deepEqual(r.interval, shipped.interval);
  assert.ok(!r.degenerate && r.interval![0] < r.final && r.final < r.interval![1]);
  const d32 = curvePrediction(
    file,
    file.fits.findIndex((g) => g.N === 25472),
    cosine,
  );
  assert.ok(!d32.degenerate && d32.interval![0] < d32.final && d32.final < d32.interval![1]);
  // But at width 32 no replicate moved C or γ (the fit is at γ → ∞): said, as the CLI says it; not at width 64.
  assert.deepEqual(d32.frozen, ['C', 'gamma']);
  assert.deepEqual(r.frozen, []);
  // A fit whose replicates settled elsewhere (here its L0 moved 0.5 above theirs) is said to be degenerate.
  const moved = {
    ...file,
    fits: file.fits.map((g, i) =>
      i === d64 ? { ...g, fit: { ...g.fit, params: { ...g.fit.params, L0: g.fit.params.L0 + 0.5 } } } : g,
    ),
  };
  const off = curvePrediction(moved, d64, cosine);
  assert.ok(off.degenerate && off.interval![1] < off.final, `${off.final} above [${off.interval}]`);
  assert.match(r.svg, /^<svg [\s\S]*<polygon [\s\S]*<polyline [\s\S]*<\/svg>\n$/);
  // A WSD schedule from the form: decay steps from the fraction.
  assert.equal(
    curvePrediction(file, d64, {
      kind: 'wsd',
      steps: 1000,
      peakLr: 5.7e-3,
      warmupSteps: 50,
      decayFrac: 0.5,
      decayShape: 'linear',
      minLrFrac: 0.1,
    }).schedule.decaySteps,
    500,
  );
  assert.throws(() => readCurveFit('{"kind": "scalelab-fit"}', 'fit.json'), /fit\.json: not a curve-law fit/);
  // An upload is checked as `curve-law predict` checks it (the library's loadCurveFit): a field that is not a
  // curve-law fit's is named at its line and column, not met later as a NaN curve.
  const badL0 = text.replace(/"L0": [0-9.e+-]+/, '"L0": "high"');
  assert.notEqual(badL0, text);
  assert.throws(
    () => readCurveFit(badL0, 'up.json'),
    /^InputError: up\.json:\d+:\d+ \(column "fits\[0\]\.fit\.params"\)/,
  );
  assert.throws(
    () =>
      curvePrediction(file, d64, {
        kind: 'wsd',
        steps: 1000,
        peakLr: -1,
        warmupSteps: 0,
        decayFrac: 0.5,
        decayShape: 'linear',
        minLrFrac: 0.1,
      }),
    /^Error: peak learning rate: expected a positive learning rate, got -1$/,
  );
});
