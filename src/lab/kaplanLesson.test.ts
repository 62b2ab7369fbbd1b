import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseWorld } from './world.js';
import { kaplanLesson } from './kaplanLesson.js';
import { scheduleCurve, simulate } from './simulate.js';
import { lrSequence, wsd, type Schedule } from '../core/schedule.js';

const world = parseWorld(
  JSON.parse(readFileSync(new URL('../../worlds/default.json', import.meta.url), 'utf8')),
  'default.json',
);
const config = {
  n_layer: 8,
  d_model: 512,
  n_heads: 8,
  tokens: 2e9,
  batch_tokens: 131072,
  learning_rate: 3e-3,
  parametrization: 'mup' as const,
};
const steps = 15000; // a multiple of the 10 evaluations, so each checkpoint is a whole step

test('rule 8: a cosine curve is rule 4 exactly; a constant LR stays κ above the law; a WSD cooldown reaches the final loss', () => {
  const cosine: Schedule = { kind: 'cosine', peakLr: 3e-3, steps, warmupSteps: 0, minLrFrac: 0.1 };
  const sim = simulate(
    { ...world, noise: { seedSigma: 0, evalSigma: 0 } },
    { ...config, tokens: steps * 131072, n_evals: 10 },
  );
  const at = sim.evals.map((e) => Math.round(e.tokens / 131072));
  const curve = scheduleCurve(world, config, cosine, at);
  curve.forEach((l, i) =>
    assert.ok(Math.abs(l / sim.evals[i].loss - 1) < 1e-12, `checkpoint ${i}: ${l} vs rule 4's ${sim.evals[i].loss}`),
  );
  const constant = scheduleCurve(world, config, { kind: 'constant', peakLr: 3e-3, steps, warmupSteps: 0 }, [steps])[0];
  assert.ok(Math.abs(constant / (sim.finalLoss * 1.04) - 1) < 1e-12);
  const w = scheduleCurve(world, config, wsd(3e-3, steps, 0.2), [Math.round(steps * 0.8), steps]);
  assert.ok(Math.abs(w[1] / sim.finalLoss - 1) < 1e-12 && w[0] > w[1] * 1.03, `WSD: ${w}`);
  // With momentum, a short cooldown realises less of the annealing than a long one: the decay fraction matters.
  const slow = { ...world, schedule: { ...world.schedule, momentum: 0.999 } };
  const short = scheduleCurve(slow, config, wsd(3e-3, steps, 0.02), [steps])[0],
    long = scheduleCurve(slow, config, wsd(3e-3, steps, 0.3), [steps])[0];
  assert.ok(short > long, `a 2 % cooldown ${short} vs 30 % ${long}`);
  assert.equal(lrSequence(wsd(3e-3, steps, 0.2)).length, steps);
});

test('the Kaplan lesson: exponents read off long cosine runs are biased; one run per length recovers them', () => {
  const sizes = [2, 4, 8, 16].map((n_layer, i) => ({
    n_layer,
    d_model: [128, 256, 512, 1024][i],
    n_heads: [2, 4, 8, 16][i],
  }));
  const r = kaplanLesson(world, { sizes, maxTokens: 3.2e10, lengths: 6, batch_tokens: 262144, learning_rate: 3e-3 });
  assert.ok(Math.abs(r.bias.perLength) < 0.05, `per-length a = ${r.perLength.a}, true ${r.truth.a}`);
  assert.ok(
    Math.abs(r.bias.checkpoints) > 2 * Math.abs(r.bias.perLength) && Math.abs(r.bias.checkpoints) > 0.05,
    `checkpoint a = ${r.checkpoints.a} (bias ${r.bias.checkpoints}), per-length ${r.perLength.a} (bias ${r.bias.perLength}), true ${r.truth.a}`,
  );
  // The per-length design costs about twice the tokens of one long run per size (1 + 1/2 + 1/4 …).
  assert.ok(r.perLength.tokensTrained > 1.9 * r.checkpoints.tokensTrained);
});
