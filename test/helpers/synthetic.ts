/**
 * Synthetic runs drawn from a law with known parameters, with seeded multiplicative noise: the
 * ground truth for recovery and coverage tests.
 */
import { randomSource, normal } from '../../src/core/random.js';
import { predictLoss, type Law } from '../../src/laws/law.js';
import type { Dataset, Run } from '../../src/io/dataset.js';

export interface SyntheticOptions {
  law: Law;
  params: Record<string, number>;
  /** Number of runs. */
  n: number;
  seed: number;
  /** Standard deviation of ln-loss noise. */
  noise: number;
  /** ln-uniform ranges of N and D (C = 6ND). */
  N: [number, number];
  D: [number, number];
}

export function syntheticRuns(o: SyntheticOptions): Dataset {
  const random = randomSource(o.seed, 12345);
  const logUniform = ([lo, hi]: [number, number]) => Math.exp(Math.log(lo) + random() * (Math.log(hi) - Math.log(lo)));
  const runs: Run[] = [];
  for (let i = 0; i < o.n; i++) {
    const N = logUniform(o.N), D = logUniform(o.D);
    const C = 6 * N * D;
    const loss = predictLoss(o.law, o.params, { N, D, C }) * Math.exp(o.noise * normal(random));
    runs.push({ N, D, C, loss, line: i + 2 });
  }
  return { source: `synthetic(seed ${o.seed})`, runs, columns: { N: 'N', D: 'D', C: 'C', loss: 'loss' }, derived: {} };
}
