import type { Law, LawInputs } from './law.js';
import { chinchilla } from './chinchilla.js';

/**
 * Muennighoff et al. 2023, "Scaling Data-Constrained Language Models" (arXiv:2305.16264, App. A):
 * repeated data and excess parameters are worth less, with decay constants R*_D and R*_N.
 *   U_D = min(U, D), R_D = D/U_D − 1,            D' = U_D + U_D·R*_D·(1 − e^(−R_D/R*_D))
 *   U_N = min(N_opt(U_D), N), R_N = max(N/U_N − 1, 0), N' = U_N + U_N·R*_N·(1 − e^(−R_N/R*_N))
 *   L = E + A/N'^α + B/D'^β
 * with N_opt(U_D) = G·(U_D·G)^(β/α) the size for which U_D tokens are compute-optimal,
 * G = (αA/(βB))^(1/(α+β)) (huggingface/datablations). The gradient is exact for E, A, B and the
 * decay constants and takes the dependence of U_N on (A, B, α, β) by central differences.
 */
function uniqueParameters(U_D: number, N: number, A: number, B: number, alpha: number, beta: number): number {
  const G = Math.pow((alpha * A) / (beta * B), 1 / (alpha + beta));
  return Math.min(G * Math.pow(U_D * G, beta / alpha), N);
}

/** Effective data D' and its derivative with respect to R*_D. */
function effective(unique: number, total: number, rStar: number): { value: number; dR: number } {
  const repeats = Math.max(total / unique - 1, 0);
  const x = repeats / rStar;
  const decay = Math.exp(-x);
  return { value: unique + unique * rStar * (1 - decay), dR: unique * (1 - decay - x * decay) };
}

function lossAt(theta: ArrayLike<number>, logN: number, logD: number, logU: number) {
  return lossOf(
    Math.exp(theta[0]),
    Math.exp(theta[1]),
    Math.exp(theta[2]),
    theta[3],
    theta[4],
    Math.exp(theta[5]),
    Math.exp(theta[6]),
    Math.exp(logN),
    Math.exp(logD),
    Math.exp(logU),
  );
}

function lossOf(
  E: number,
  A: number,
  B: number,
  alpha: number,
  beta: number,
  rN: number,
  rD: number,
  N: number,
  D: number,
  U: number,
) {
  const UD = Math.min(U, D);
  const d = effective(UD, D, rD);
  const UN = uniqueParameters(UD, N, A, B, alpha, beta);
  const n = effective(UN, N, rN);
  const L = E + A / Math.pow(n.value, alpha) + B / Math.pow(d.value, beta);
  return { L, parts: { Np: n.value, Dp: d.value, dNp: n.dR, dDp: d.dR, E, A, B, alpha, beta } };
}

export const dataConstrained: Law = {
  id: 'data-constrained',
  title: 'data-constrained scaling law (repeated data and excess parameters decay)',
  formula: "L = E + A/N'^α + B/D'^β with D' = U_D + U_D·R*_D·(1 − e^(−R_D/R*_D)), N' likewise",
  citation:
    'Muennighoff et al. 2023, "Scaling Data-Constrained Language Models", arXiv:2305.16264, App. A (huggingface/datablations)',
  inputs: ['N', 'D', 'U'],
  // Chinchilla's five parameters, with the same grids and roles, then the two decay constants.
  params: [
    ...chinchilla.params,
    {
      name: 'R_N',
      symbol: 'R*_N',
      description: 'decay constant of excess parameters',
      scale: 'log',
      grid: [0, 1, 2, 3],
    },
    { name: 'R_D', symbol: 'R*_D', description: 'decay constant of repeated data', scale: 'log', grid: [0, 1, 2, 3] },
  ],
  // Muennighoff et al.'s C4 fit (α = β), over runs that repeat their unique tokens up to ~100 times.
  example: {
    params: {
      E: Math.exp(0.6254804),
      A: Math.exp(6.255414),
      B: Math.exp(7.3049974),
      alpha: 0.3526596,
      beta: 0.3526596,
      R_N: 5.309743,
      R_D: 15.387756,
    },
    ranges: { N: [1e7, 1e10], D: [1e9, 1e12], U: [1e8, 1e11] },
  },
  logPredict(theta: Float64Array, x: LawInputs, out: Float64Array, jac: Float64Array | null): void {
    const logN = x.logN!,
      logD = x.logD!,
      logU = x.logU!;
    const shifted = Float64Array.from(theta);
    for (let i = 0; i < x.n; i++) {
      const { L, parts: p } = lossAt(theta, logN[i], logD[i], logU[i]);
      out[i] = Math.log(L);
      if (!jac) continue;
      const k = i * 7;
      const nTerm = p.A * Math.pow(p.Np, -p.alpha),
        dTerm = p.B * Math.pow(p.Dp, -p.beta);
      jac[k] = p.E / L;
      jac[k + 5] = (((-p.alpha * nTerm) / p.Np) * p.dNp * Math.exp(theta[5])) / L;
      jac[k + 6] = (((-p.beta * dTerm) / p.Dp) * p.dDp * Math.exp(theta[6])) / L;
      // A, B, α, β also move U_N (through G): central differences on ln L for those four.
      for (const j of [1, 2, 3, 4]) {
        const h = 1e-6 * Math.max(1, Math.abs(theta[j]));
        shifted[j] = theta[j] + h;
        const up = lossAt(shifted, logN[i], logD[i], logU[i]).L;
        shifted[j] = theta[j] - h;
        const down = lossAt(shifted, logN[i], logD[i], logU[i]).L;
        shifted[j] = theta[j];
        jac[k + j] = (Math.log(up) - Math.log(down)) / (2 * h);
      }
    }
  },
  directLoss(v, p) {
    if (p.U === undefined) throw new RangeError('law data-constrained needs U (unique tokens)');
    return lossOf(v.E, v.A, v.B, v.alpha, v.beta, v.R_N, v.R_D, p.N, p.D, p.U).L;
  },
  derived(v) {
    return {
      epochsWorthHalf: {
        value: 1 + v.R_D * Math.LN2,
        symbol: 'epochs½',
        description: 'epochs after which one more is worth less than half of fresh data (1 + R*_D·ln 2)',
      },
    };
  },
};
