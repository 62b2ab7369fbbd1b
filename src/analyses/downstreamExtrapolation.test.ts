import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normal, randomSource } from '../core/random.js';
import type { TaskMetric } from '../io/parseTaskMetrics.js';
import { bootstrapDirect, directAccuracy, fitDirect, taskLadder, type Sigmoid } from './downstream.js';
import {
  extrapolationSlope,
  gaussianCoverage,
  nestedBacktests,
  type ExtrapolationCase,
} from './downstreamExtrapolation.js';

/** A ladder that follows a direct law in C exactly up to its largest run (5 sizes × 16 checkpoints). */
const truth: Sigmoid = { floor: 0.25, ceiling: 0.9, L0: -Math.log(1e22), k: 0.6 };
const SIZES = [7e7, 1.6e8, 4e8, 1e9, 1.4e9];
function ladderRecords(seed: number, noise = 0.004): TaskMetric[] {
  const random = randomSource(seed);
  const out: TaskMetric[] = [];
  let line = 1;
  for (const N of SIZES)
    for (let step = 1; step <= 16; step++) {
      const D = step * 2e10;
      const value = directAccuracy(truth, 6 * N * D) + noise * normal(random);
      out.push({ run: `m${N}`, N, D, task: 'q', metric: 'acc', value, line: line++ });
    }
  return out;
}

test('extrapolation slope: the moment estimate recovers a known σ(d) = s·d from errors with noise', () => {
  const random = randomSource(7);
  const s = 0.05,
    noise = 0.01;
  const cases = Array.from({ length: 4000 }, (_, i): ExtrapolationCase => {
    const distance = 0.2 + (i % 10) * 0.15;
    const error = Math.hypot(s * distance, noise) * normal(random);
    return {
      task: 't',
      fitted: 3,
      run: `r${i}`,
      N: 1,
      C: 1,
      distance,
      actual: 0.5 + error,
      predicted: 0.5,
      error,
      noise,
    };
  });
  const fitted = extrapolationSlope(cases);
  assert.ok(Math.abs(fitted - s) / s < 0.1, `slope ${fitted} vs ${s}`);
  // Errors that the noise explains give no term; no cases give none.
  assert.equal(extrapolationSlope(cases.map((c) => ({ ...c, error: 0 }))), 0);
  assert.equal(extrapolationSlope([]), 0);
  // The Gaussian interval with the true slope holds about 95 %; without the term far fewer.
  const inside = gaussianCoverage(cases, s);
  assert.ok(inside > 0.93 && inside < 0.97, `${inside}`);
  assert.ok(gaussianCoverage(cases, 0) < 0.6);
});

test('nested back-tests: fit on the smallest k sizes, predict every larger one at log10(1 + C/C_max); exact on an exact ladder', () => {
  const ladder = taskLadder(ladderRecords(1, 0), 'exact', { task: 'q' });
  const { cases, failed } = nestedBacktests(ladder, {
    chance: 0.25,
    sigmoid: 'one',
    ceiling: 'free',
    movingAverage: 1,
  });
  assert.equal(failed, 0);
  // Folds on 3 and 4 sizes: 2 + 1 held-out runs.
  assert.deepEqual(
    cases.map((c) => `${c.fitted}:${c.N}`),
    ['3:1000000000', '3:1400000000', '4:1400000000'],
  );
  const last = cases[2];
  assert.ok(Math.abs(last.distance - Math.log10(1 + 1.4e9 / 1e9)) < 1e-12);
  for (const c of cases) assert.ok(Math.abs(c.error) < 1e-3, `${c.run}: ${c.error}`);
  assert.ok(extrapolationSlope(cases) < 1e-3);
  assert.throws(() => nestedBacktests(ladder, {}, 5), /5 model sizes/);
});

/**
 * A world where the law holds on the ladder and bends beyond it by a known amount (the law's ceiling
 * held at the truth, so that only the bend is unknown): the accuracy at a
 * target d = log10(1 + C/C_max) beyond the ladder is the law's plus δ ~ N(0, (s·d)²). Over many such
 * worlds, the 95 % interval with the term at slope s must hold the truth about 95 % of the time; the
 * run bootstrap alone, which sees only the ladder, far less often.
 */
test('extrapolation term: on synthetic ladders that bend beyond their data, the 95 % interval covers at about the nominal rate, and not without the term', () => {
  const s = 0.05;
  const worlds = 40;
  let withTerm = 0,
    without = 0;
  const widths: number[] = [];
  for (let w = 0; w < worlds; w++) {
    const ladder = taskLadder(ladderRecords(100 + w), 'synthetic', { task: 'q' });
    const maxC = 6 * 1.4e9 * 16 * 2e10;
    const target = { C: maxC * 10 };
    const d = Math.log10(1 + 10);
    const actual = directAccuracy(truth, target.C) + s * d * normal(randomSource(1000 + w));
    const options = { chance: 0.25, sigmoid: 'one' as const, ceiling: truth.ceiling };
    const fit = fitDirect(ladder, options);
    const [a] = bootstrapDirect(ladder, fit, [target], { ...options, extrapolation: s, replicates: 60, seed: w });
    const [b] = bootstrapDirect(ladder, fit, [target], { ...options, extrapolation: 0, replicates: 60, seed: w });
    if (a.accuracy[0] <= actual && actual <= a.accuracy[1]) withTerm++;
    if (b.accuracy[0] <= actual && actual <= b.accuracy[1]) without++;
    widths.push(a.accuracy[1] - a.accuracy[0]);
  }
  assert.ok(withTerm / worlds >= 0.85, `with the term: ${withTerm} of ${worlds}`);
  assert.ok(without / worlds < 0.6, `without the term: ${without} of ${worlds}`);
  // Not uselessly wide: about 2 × 1.96 × s·d (0.20) plus the bootstrap's share.
  widths.sort((x, y) => x - y);
  assert.ok(widths[worlds / 2] < 0.3, `median width ${widths[worlds / 2]}`);
});
