import type { Law, LawDefinition, LawInputs, LawVariable } from './law.js';
import { range, POWER_EXPONENTS, typicalRanges, variableOption } from './law.js';
import { linearRegression } from '../core/linearRegression.js';

/**
 * Power law with an irreducible term, L = E + A·x^(−α), for x ∈ {N, D, C}: the form of Cortes et al.
 * (1993) and Hestness et al. (2017). Fitted as ln L̂ = LSE(a − α·ln x, e).
 */
export function powerLaw(variable: LawVariable = 'N'): Law {
  const key = `log${variable}` as const;
  const [lo] = typicalRanges[variable];
  return {
    id: 'power',
    options: { x: variable },
    title: `power law with irreducible loss in ${variable}`,
    formula: `L = E + A·${variable}^(−α)`,
    citation: 'Cortes et al. 1993 (NIPS 6); Hestness et al. 2017, arXiv:1712.00409',
    inputs: [variable],
    params: [
      {
        name: 'E',
        symbol: 'E',
        description: 'irreducible loss',
        scale: 'log',
        grid: range(-1, 2, 0.5),
        role: 'irreducible',
      },
      {
        name: 'A',
        symbol: 'A',
        description: 'scale',
        scale: 'log',
        grid: range(0, 25, 2.5),
        role: 'scale',
        of: variable,
      },
      {
        name: 'alpha',
        symbol: 'α',
        description: 'exponent',
        scale: 'linear',
        grid: [0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5],
        published: POWER_EXPONENTS,
        role: 'exponent',
        of: variable,
      },
    ],
    // A reducible term of 3 at the small end of the range, falling with α = 0.3.
    example: {
      params: { E: 1.7, A: 3 * Math.pow(lo, 0.3), alpha: 0.3 },
      ranges: { [variable]: typicalRanges[variable] },
    },
    derived(v) {
      return {
        d: {
          value: 4 / v.alpha,
          symbol: 'd ≈ 4/α',
          description: 'intrinsic dimension implied by α (Sharma & Kaplan 2020, α ≈ 4/d)',
        },
      };
    },
    logPredict(theta: Float64Array, x: LawInputs, out: Float64Array, jac: Float64Array | null): void {
      const e = theta[0],
        a = theta[1],
        alpha = theta[2];
      const lx = x[key]!;
      for (let i = 0; i < x.n; i++) {
        const t = a - alpha * lx[i];
        const m = Math.max(t, e);
        const w1 = Math.exp(t - m),
          w2 = Math.exp(e - m);
        const s = w1 + w2;
        out[i] = m + Math.log(s);
        if (jac) {
          const k = i * 3;
          jac[k] = w2 / s;
          jac[k + 1] = w1 / s;
          jac[k + 2] = (-w1 / s) * lx[i];
        }
      }
    },
  };
}

/**
 * Pure power law, L = A·x^(−α) = (x_c/x)^α: Kaplan et al. (2020)'s L(N), L(D), L(C) (Eqs. 1.1–1.3),
 * with x_c = A^(1/α). With least squares on ln L this is a straight line in log–log space, which
 * the fit solves in closed form as its start.
 */
export function power0Law(variable: LawVariable = 'N'): Law {
  const key = `log${variable}` as const;
  const [lo] = typicalRanges[variable];
  return {
    id: 'power0',
    options: { x: variable },
    title: `pure power law in ${variable} (no irreducible term)`,
    formula: `L = (${variable}_c/${variable})^α = A·${variable}^(−α)`,
    citation: 'Kaplan et al. 2020, "Scaling Laws for Neural Language Models", arXiv:2001.08361, Eqs. 1.1–1.3',
    inputs: [variable],
    params: [
      {
        name: 'A',
        symbol: 'A',
        description: 'scale',
        scale: 'log',
        grid: range(0, 10, 2.5),
        role: 'scale',
        of: variable,
      },
      {
        name: 'alpha',
        symbol: 'α',
        description: 'exponent',
        scale: 'linear',
        grid: [0.05, 0.1, 0.3, 1],
        published: POWER_EXPONENTS,
        role: 'exponent',
        of: variable,
      },
    ],
    // Kaplan-like: a loss of 4 at the small end of the range, α = 0.08.
    example: { params: { A: 4 * Math.pow(lo, 0.08), alpha: 0.08 }, ranges: { [variable]: typicalRanges[variable] } },
    logPredict(theta: Float64Array, x: LawInputs, out: Float64Array, jac: Float64Array | null): void {
      const a = theta[0],
        alpha = theta[1];
      const lx = x[key]!;
      for (let i = 0; i < x.n; i++) {
        out[i] = a - alpha * lx[i];
        if (jac) {
          jac[i * 2] = 1;
          jac[i * 2 + 1] = -lx[i];
        }
      }
    },
    derived(v) {
      return {
        [`${variable}_c`]: {
          value: Math.pow(v.A, 1 / v.alpha),
          symbol: `${variable}_c`,
          description: `Kaplan's scale constant, L = (${variable}_c/${variable})^α`,
        },
        d: {
          value: 4 / v.alpha,
          symbol: 'd ≈ 4/α',
          description:
            'intrinsic dimension implied by α (Sharma & Kaplan 2020; with no irreducible term α is the slope of the total loss, a lower bound)',
        },
      };
    },
    initialGuesses(x, logLoss) {
      // The log–log least-squares line: exact for the 'ls' loss, a near-optimal start otherwise.
      const { slope, intercept } = linearRegression(x[key]!, logLoss);
      return [Float64Array.of(intercept, -slope)];
    },
  };
}

export const powerDefinition: LawDefinition = {
  id: 'power',
  title: 'power law with irreducible loss, L = E + A·x^(−α)',
  options: { x: variableOption },
  make: (o) => powerLaw(o.x),
};

export const power0Definition: LawDefinition = {
  id: 'power0',
  title: 'pure power law, L = A·x^(−α) (Kaplan)',
  options: { x: variableOption },
  make: (o) => power0Law(o.x),
};
