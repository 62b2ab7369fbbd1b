/**
 * Synthetic runs drawn from a law with known parameters, with seeded multiplicative noise: the
 * ground truth for recovery and coverage tests.
 */
import { randomSource, normal } from '../../src/core/random.js';
import { predictLoss, type Law, type LawExample } from '../../src/laws/law.js';
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
    const N = logUniform(o.N),
      D = logUniform(o.D);
    const C = 6 * N * D;
    const loss = predictLoss(o.law, o.params, { N, D, C }) * Math.exp(o.noise * normal(random));
    runs.push({ N, D, C, loss, line: i + 2 });
  }
  return { source: `synthetic(seed ${o.seed})`, runs, columns: { N: 'N', D: 'D', C: 'C', loss: 'loss' }, derived: {} };
}

/**
 * Runs drawn from any law at its own example (or given) parameters: every input the law reads
 * ln-uniform over `ranges`, and C = 6ND where the law reads N and D, so the data suit the law.
 */
export function lawRuns(o: {
  law: Law;
  params?: Readonly<Record<string, number>>;
  ranges?: LawExample['ranges'];
  n: number;
  seed: number;
  noise?: number;
}): Dataset {
  const params = o.params ?? o.law.example?.params;
  const ranges = o.ranges ?? o.law.example?.ranges;
  if (!params || !ranges) throw new Error(`law ${o.law.id} has no example: give params and ranges`);
  const random = randomSource(o.seed, 12345);
  const runs: Run[] = [];
  for (let i = 0; i < o.n; i++) {
    const run: Run = { loss: NaN, line: i + 2 };
    for (const v of o.law.inputs) {
      const range = ranges[v];
      if (!range) throw new Error(`law ${o.law.id}: no range for its input ${v}`);
      run[v] = Math.exp(Math.log(range[0]) + random() * Math.log(range[1] / range[0]));
    }
    if (run.N !== undefined && run.D !== undefined) run.C = 6 * run.N * run.D;
    run.loss = predictLoss(o.law, params, run) * Math.exp((o.noise ?? 0) * normal(random));
    runs.push(run);
  }
  const columns: Record<string, string> = { loss: 'loss' };
  for (const v of ['N', 'D', 'C', 'U'] as const) if (runs[0]?.[v] !== undefined) columns[v] = v;
  return { source: `synthetic ${o.law.id} (seed ${o.seed})`, runs, columns, derived: {} };
}

/**
 * Five model sizes on one IsoFLOP budget (1e19 FLOPs) from Hoffmann et al. 2022's law (α = 0.34,
 * β = 0.28), noise-free, as a CSV: too few runs for free α and β, so fit reduces its law to α = β and the
 * split of a budget between N and D is that tie's (a = b = 0.5), not the data's.
 */
export function oneBudgetCsv(): string {
  const rows = ['N,D,loss'];
  for (const N of [2e7, 4e7, 8e7, 1.6e8, 3.2e8]) {
    const D = 1e19 / (6 * N);
    rows.push(`${N},${D},${(1.69 + 406.4 / N ** 0.34 + 410.7 / D ** 0.28).toFixed(6)}`);
  }
  return rows.join('\n') + '\n';
}
