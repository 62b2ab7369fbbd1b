import type { Law, LawDefinition, LawInputs, LawVariable } from './law.js';
import { range, POWER_EXPONENTS, typicalRanges, variableOption } from './law.js';

/** Toy: L = E + A·x^(−α) + B·x^(−2α). Fitted as ln L̂ = LSE(a − α·ln x, b − 2α·ln x, e). */
function twoTermLaw(variable: LawVariable = 'N'): Law {
  const key = `log${variable}` as const;
  const [lo] = typicalRanges[variable];
  return {
    id: 'two-term',
    options: { x: variable },
    title: `two-term power law in ${variable}`,
    formula: `L = E + A·${variable}^(−α) + B·${variable}^(−2α)`,
    citation: 'toy law (house17 scratch)',
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
        name: 'B',
        symbol: 'B',
        description: 'second scale',
        scale: 'log',
        grid: range(0, 25, 5),
        role: 'scale',
        of: variable,
      },
      {
        name: 'alpha',
        symbol: 'α',
        description: 'exponent',
        scale: 'linear',
        grid: [0.05, 0.1, 0.2, 0.35, 0.5],
        published: POWER_EXPONENTS,
        role: 'exponent',
        of: variable,
      },
    ],
    example: {
      params: { E: 1.7, A: 2 * Math.pow(lo, 0.3), B: 1 * Math.pow(lo, 0.6), alpha: 0.3 },
      ranges: { [variable]: typicalRanges[variable] },
    },
    logPredict(theta: Float64Array, x: LawInputs, out: Float64Array, jac: Float64Array | null): void {
      const e = theta[0],
        a = theta[1],
        b = theta[2],
        alpha = theta[3];
      const lx = x[key]!;
      for (let i = 0; i < x.n; i++) {
        const t1 = a - alpha * lx[i],
          t2 = b - 2 * alpha * lx[i];
        const m = Math.max(t1, t2, e);
        const w1 = Math.exp(t1 - m),
          w2 = Math.exp(t2 - m),
          w3 = Math.exp(e - m);
        const s = w1 + w2 + w3;
        out[i] = m + Math.log(s);
        if (jac) {
          const k = i * 4;
          jac[k] = w3 / s;
          jac[k + 1] = w1 / s;
          jac[k + 2] = w2 / s;
          jac[k + 3] = ((-w1 - 2 * w2) / s) * lx[i];
        }
      }
    },
  };
}

export const twoTermDefinition: LawDefinition = {
  id: 'two-term',
  title: 'two-term power law, L = E + A·x^(−α) + B·x^(−2α)',
  options: { x: variableOption },
  make: (o) => twoTermLaw(o.x),
};
