import type { Law, LawInputs } from './law.js';
import { KAPLAN_EXPONENTS } from './law.js';

/**
 * Kaplan et al. (2020)'s joint law in model size and data (Eq. 1.5):
 *   L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D.
 * Fitted as ln L̂ = α_D·LSE(u₁, u₂) with u₁ = (α_N/α_D)(ln N_c − ln N), u₂ = ln D_c − ln D.
 * Kaplan's N excludes embeddings; the published Table-2 fit is α_N = 0.076, α_D = 0.103,
 * N_c = 6.4e13, D_c = 1.8e13.
 */
export const kaplanNd: Law = {
  id: 'kaplan-nd',
  title: 'Kaplan joint law in N and D',
  formula: 'L = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D',
  citation: 'Kaplan et al. 2020, "Scaling Laws for Neural Language Models", arXiv:2001.08361, Eq. 1.5',
  inputs: ['N', 'D'],
  params: [
    {
      name: 'N_c',
      symbol: 'N_c',
      description: 'model-size scale',
      scale: 'log',
      grid: [20, 25, 30, 35],
      role: 'scale',
      of: 'N',
    },
    {
      name: 'D_c',
      symbol: 'D_c',
      description: 'data scale',
      scale: 'log',
      grid: [20, 25, 30, 35],
      role: 'scale',
      of: 'D',
    },
    {
      name: 'alpha_N',
      symbol: 'α_N',
      description: 'model-size exponent',
      scale: 'linear',
      grid: [0.03, 0.08, 0.2, 0.5],
      published: KAPLAN_EXPONENTS,
      role: 'exponent',
      of: 'N',
    },
    {
      name: 'alpha_D',
      symbol: 'α_D',
      description: 'data exponent',
      scale: 'linear',
      bounds: { min: 1e-6, max: Infinity },
      grid: [0.03, 0.1, 0.2, 0.5],
      published: KAPLAN_EXPONENTS,
      role: 'exponent',
      of: 'D',
    },
  ],
  nConvention: 'non-embedding',
  // The Table-2 fit, over GPT-2-like sizes and token counts.
  example: {
    params: { N_c: 6.4e13, D_c: 1.8e13, alpha_N: 0.076, alpha_D: 0.103 },
    ranges: { N: [1e6, 1e9], D: [1e8, 1e11] },
  },
  logPredict(theta: Float64Array, x: LawInputs, out: Float64Array, jac: Float64Array | null): void {
    const nc = theta[0],
      dc = theta[1],
      aN = theta[2],
      aD = theta[3];
    const ratio = aN / aD;
    const logN = x.logN!,
      logD = x.logD!;
    for (let i = 0; i < x.n; i++) {
      const v = nc - logN[i];
      const u1 = ratio * v;
      const u2 = dc - logD[i];
      const m = Math.max(u1, u2);
      const e1 = Math.exp(u1 - m),
        e2 = Math.exp(u2 - m);
      const s = e1 + e2;
      const lse = m + Math.log(s);
      out[i] = aD * lse;
      if (jac) {
        const w1 = e1 / s,
          w2 = e2 / s,
          k = i * 4;
        jac[k] = aN * w1;
        jac[k + 1] = aD * w2;
        jac[k + 2] = w1 * v;
        jac[k + 3] = lse - w1 * u1;
      }
    }
  },
};
