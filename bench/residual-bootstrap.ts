/**
 * Coverage of the residual bootstrap's intervals (src/fit/residualBootstrap.ts) on synthetic data with a
 * known truth, for the callers whose convention it changed: `bcrit`'s B_crit per target and its B_crit(L)
 * law (residuals before: scaled by √(n/(n − 2)), not centred), and Approach 2's exponent a and N_opt at a
 * target (before: √(n/(n − 3)), not centred). Now: divided by √(1 − leverage) and centred. `mup transfer`
 * used that convention already. For each, how often the 90 % and 95 % intervals hold the truth over the
 * seeds, and their median width. Run it on an older checkout to compare (it uses the public functions only).
 *
 *   node --import tsx bench/residual-bootstrap.ts [--seeds 50] [--replicates 400] [--a2-seeds 40] [--a2-replicates 100]
 *
 * Result (2026-12-05, `--seeds 100 --replicates 400 --a2-seeds 100 --a2-replicates 200`, after the change;
 * docs/methods.md §8 and §25 quote it):
 *
 *   B_crit, 7 batch sizes, 5 % noise        90 %: 94/100   95 %: 99/100
 *   B_crit, 4 batch sizes, 5 % noise        90 %: 95/100   95 %: 96/100
 *   B_crit(L) law: α_B                      90 %: 100/100  95 %: 100/100
 *   B_crit(L) law: B_crit(2.8)              90 %: 99/100   95 %: 99/100
 *   Approach 2, 7 sizes a budget: a         90 %: 87/100   95 %: 89/100   width / scatter 0.94
 *   Approach 2, 7 sizes a budget: N_opt     90 %: 85/100   95 %: 88/100   width / scatter 0.93
 *
 * Approach 2 with 7 sizes since its vertex-discrepancy term (bench/approach2-coverage.ts chose it; the same
 * arguments; the rows above stay as the residuals alone gave them, the 5-size rows below are unchanged):
 *
 *   Approach 2, 7 sizes a budget: a         90 %: 95/100   95 %: 96/100   width / scatter 1.81
 *   Approach 2, 7 sizes a budget: N_opt     90 %: 95/100   95 %: 97/100   width / scatter 1.66
 *   Approach 2, 5 sizes a budget: a         90 %: 92/100   95 %: 98/100   width / scatter 1.46
 *   Approach 2, 5 sizes a budget: N_opt     90 %: 90/100   95 %: 96/100   width / scatter 1.29
 */
import {
  criticalBatchAtLoss,
  criticalBatchFromRuns,
  fitTradeoff,
  tradeoffInterval,
} from '../src/hparams/criticalBatch.js';
import { approach2 } from '../src/analyses/frontier.js';
import { chinchilla, predictLoss } from '../src/laws/index.js';
import { normal, randomSource } from '../src/core/random.js';
import type { Dataset, Run } from '../src/io/dataset.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const seeds = arg('seeds', 50);
const replicates = arg('replicates', 400);
const levels = [0.9, 0.95];
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];

interface Tally {
  covered: Record<number, number>;
  widths: Record<number, number[]>;
  trials: number;
}
const tally = (): Tally => ({ covered: { 0.9: 0, 0.95: 0 }, widths: { 0.9: [], 0.95: [] }, trials: 0 });
const count = (t: Tally, level: number, interval: [number, number] | undefined, truth: number, log = true) => {
  if (!interval) return;
  if (interval[0] <= truth && truth <= interval[1]) t.covered[level]++;
  t.widths[level].push(log ? Math.log(interval[1] / interval[0]) : interval[1] - interval[0]);
};
const line = (what: string, t: Tally, unit: string) =>
  console.log(
    `${what.padEnd(44)} ${levels
      .map(
        (l) =>
          `${Math.round(l * 100)} %: ${String(t.covered[l]).padStart(2)}/${t.trials} covered, median width ${median(t.widths[l]).toPrecision(3)}${unit}`,
      )
      .join('   ')}`,
  );

// 1. B_crit at one target: S = 1000 + 1e6/B (B_crit = 1000), 5 % multiplicative noise, 7 and 4 batch sizes.
for (const batches of [
  [64, 128, 256, 512, 1024, 2048, 4096],
  [64, 256, 1024, 4096],
]) {
  const t = tally();
  for (let seed = 1; seed <= seeds; seed++) {
    const noise = randomSource(seed, 99);
    const fit = fitTradeoff(
      batches.map((batch) => ({ batch, steps: (1000 + 1e6 / batch) * (1 + 0.05 * normal(noise)) })),
      3,
    );
    t.trials++;
    for (const level of levels) count(t, level, tradeoffInterval(fit, { replicates, seed, level }), 1000);
  }
  line(`B_crit, ${batches.length} batch sizes, 5 % noise`, t, ' (ln)');
}

// 2. The B_crit(L) law through three targets: B_crit(L) = 1e7/L^(1/0.21), six batch sizes, 5 % per-run noise.
{
  const bcrit = (L: number) => 1e7 / L ** (1 / 0.21);
  const batches = [2 ** 12, 2 ** 13, 2 ** 14, 2 ** 16, 2 ** 18, 2 ** 20];
  const alpha = tally(),
    at = tally();
  for (let seed = 1; seed <= seeds; seed++) {
    const noise = randomSource(seed, 98);
    const runs: Run[] = [];
    batches.forEach((B) => {
      const f = 1 + 0.05 * normal(noise);
      for (let L = 6; L >= 2.6; L -= 0.01)
        runs.push({
          run: `b${B}`,
          batch: B,
          step: f * (2000 / (L - 2) ** 2) * (1 + bcrit(L) / B),
          loss: L,
          line: runs.length + 2,
        });
    });
    const dataset: Dataset = {
      source: 'curves.csv',
      runs,
      columns: { run: 'run', batch: 'batch', step: 'step', loss: 'loss' },
      derived: {},
    };
    alpha.trials++;
    at.trials++;
    for (const level of levels) {
      const r = criticalBatchFromRuns(dataset, [4, 3.5, 3], { replicates, seed, level });
      count(alpha, level, r.law?.alphaBInterval, 0.21);
      count(at, level, criticalBatchAtLoss(r, 2.8, 'curves.csv', level).bCritInterval, bcrit(2.8));
    }
  }
  line('B_crit(L) law: α_B', alpha, ' (ln)');
  line('B_crit(L) law: B_crit(2.8)', at, ' (ln)');
}

// 3. Approach 2: 5 budgets 1e18…1e20 on a 0.25-decade lattice around the true optimum (Hoffmann et al.'s
// law), 1 % lognormal noise; 7 sizes a budget and 5 (where √(n/(n − 3)) and the leverage differ most).
{
  const hoffmann = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };
  const G = ((hoffmann.alpha * hoffmann.A) / (hoffmann.beta * hoffmann.B)) ** (1 / (hoffmann.alpha + hoffmann.beta));
  const trueA = hoffmann.beta / (hoffmann.alpha + hoffmann.beta);
  const trueNopt = (C: number) => G * (C / 6) ** trueA;
  const aSeeds = arg('a2-seeds', 40),
    aReplicates = arg('a2-replicates', 100);
  for (const half of [3, 2]) {
    const a = tally(),
      N = tally();
    const estimates = { a: [] as number[], lnN: [] as number[] };
    for (let seed = 1; seed <= aSeeds; seed++) {
      const noise = randomSource(seed, 97);
      const runs: Run[] = [];
      for (const C of [1e18, 3e18, 1e19, 3e19, 1e20])
        for (let k = -half; k <= half; k++) {
          const n = trueNopt(C) * 10 ** (k * 0.25),
            d = C / (6 * n);
          runs.push({
            N: n,
            D: d,
            C,
            loss: predictLoss(chinchilla, hoffmann, { N: n, D: d }) * Math.exp(0.01 * normal(noise)),
            line: runs.length + 2,
          });
        }
      const dataset: Dataset = {
        source: 'iso.csv',
        runs,
        columns: { N: 'N', D: 'D', C: 'C', loss: 'loss' },
        derived: {},
      };
      a.trials++;
      N.trials++;
      for (const level of levels) {
        const r = approach2(dataset, [1e22], {}, { replicates: aReplicates, seed, level });
        if (level === 0.95) {
          estimates.a.push(r.a);
          estimates.lnN.push(Math.log(r.targets[0].N));
        }
        count(a, level, r.intervals.a, trueA, false);
        count(N, level, r.targets[0].intervals.N, trueNopt(1e22));
      }
    }
    line(`Approach 2, ${2 * half + 1} sizes a budget: a`, a, '');
    line(`Approach 2, ${2 * half + 1} sizes a budget: N_opt(1e22)`, N, ' (ln)');
    // Sized to the noise: the median 95 % width against 2·1.96·sd of the estimates across seeds (1 is right).
    const sd = (xs: number[]) => {
      const m = xs.reduce((t, v) => t + v, 0) / xs.length;
      return Math.sqrt(xs.reduce((t, v) => t + (v - m) ** 2, 0) / (xs.length - 1));
    };
    console.log(
      `${''.padEnd(44)} 95 % width / (2·1.96·sd across seeds): a ${(median(a.widths[0.95]) / (2 * 1.96 * sd(estimates.a))).toFixed(2)}, ln N_opt ${(median(N.widths[0.95]) / (2 * 1.96 * sd(estimates.lnN))).toFixed(2)}`,
    );
  }
}
