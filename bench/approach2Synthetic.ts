/**
 * The synthetic IsoFLOP grids and the parabola vertex shared by the Approach 2 interval benches
 * (bench/approach2-width.ts, bench/approach2-small.ts): moved here unchanged from approach2-width.ts so that
 * a later bench imports them rather than copying them. The generators are bench/approach2-coverage.ts's, plus
 * a centred placement.
 */
import { chinchilla, predictLoss } from '../src/laws/index.js';
import { normal, randomSource } from '../src/core/random.js';
import { polynomialFit } from '../src/core/leastSquares.js';

/** One budget's runs, sorted by size: x = ln N, y = loss. */
export interface Profile {
  C: number;
  x: number[];
  y: number[];
}

/** The parabola's vertex in ln N, or the lowest-loss run's when it is not convex (profileVertex's rule). */
export function parabolaVertex(x: number[], y: number[]): number {
  const m = x.reduce((s, v) => s + v, 0) / x.length;
  const c = polynomialFit(
    x.map((v) => v - m),
    y,
    2,
  );
  if (c && c[2] > 0) {
    const v = -c[1] / (2 * c[2]) + m;
    if (Math.abs(v) < 230) return v;
  }
  return x[y.indexOf(Math.min(...y))];
}

export interface Law {
  E: number;
  A: number;
  B: number;
  alpha: number;
  beta: number;
}
export const families: Record<string, Law> = {
  hoffmann: { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 },
  epoch: { E: 1.8172, A: 482.01, B: 2085.43, alpha: 0.3478, beta: 0.3658 },
  muennighoff: {
    E: Math.exp(0.6254804),
    A: Math.exp(6.255414),
    B: Math.exp(7.3049974),
    alpha: 0.3526596,
    beta: 0.3526596,
  },
  cs336: { E: 2.69, A: 1606.4, B: 3210.7, alpha: 0.34, beta: 0.36 },
};
export const noises = [0.005, 0.01, 0.02];
export const placements = ['centred', 'off-centre'] as const;
export const TARGET = 1e22;

export const trueA = (l: Law) => l.beta / (l.alpha + l.beta);
/** N_opt(C) = G·(C/6)^a, G = (αA/(βB))^(1/(α+β)) (docs/methods.md §7). */
export const trueLnN = (l: Law, C: number) =>
  Math.log((l.alpha * l.A) / (l.beta * l.B)) / (l.alpha + l.beta) + trueA(l) * Math.log(C / 6);

export function synthetic(
  l: Law,
  noise: number,
  sizes: number,
  budgets: number,
  seed: number,
  centred: boolean,
): Profile[] {
  const random = randomSource(seed, 96);
  const half = (sizes - 1) / 2;
  return Array.from({ length: budgets }, (_, i) => {
    const C = 10 ** (18 + 0.5 * i);
    // Drawn either way, so the two placements share their noise draws.
    const u = (random() * 2 - 1) * 0.25;
    const shift = centred ? 0 : u;
    const x: number[] = [],
      y: number[] = [];
    for (let k = -half; k <= half; k++) {
      const lnN = trueLnN(l, C) + (k * 0.25 + shift) * Math.LN10;
      const N = Math.exp(lnN),
        D = C / (6 * N);
      x.push(lnN);
      y.push(predictLoss(chinchilla, { ...l }, { N, D }) * Math.exp(noise * normal(random)));
    }
    return { C, x, y };
  });
}
