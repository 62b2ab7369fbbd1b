import type { Law, LawDefinition, LawInputs, LawOption, LawVariable, ParamSpec } from './law.js';
import { typicalRanges, variableOption } from './law.js';

/** Breaks of a broken neural scaling law: 0 (a plain power law with a limit) to 5. */
export const breaksOption: LawOption<'breaks'> = {
  json: 'breaks',
  description: 'breaks of the broken power law',
  values: [0, 1, 2, 3, 4, 5],
  default: 1,
};

/**
 * Broken neural scaling law (Caballero et al., ICLR 2023, arXiv:2210.14891) with n breaks:
 *   y = a + b·x^(−c₀)·Π_i (1 + (x/d_i)^(1/f_i))^(−c_i·f_i)
 * a is the limit, c₀ the initial log–log slope, c_i the change of slope at break i, d_i its
 * location and f_i its sharpness (smaller is sharper). Fitted as ln y with a, b, d_i, f_i positive
 * (log scale) and c₀, c_i free; the gradient is analytic, with ln(1 + u) and u/(1 + u) computed
 * from ln u so sharp breaks do not overflow.
 */
export function bnslLaw(breaks = 1, variable: LawVariable = 'N'): Law {
  const key = `log${variable}` as const;
  const params: ParamSpec[] = [
    {
      name: 'a',
      symbol: 'a',
      description: 'limit (irreducible value)',
      scale: 'log',
      grid: [-6, -3, -1, 0.5],
      role: 'irreducible',
    },
    { name: 'b', symbol: 'b', description: 'offset', scale: 'log', grid: [0, 2.5, 5, 10], role: 'scale', of: variable },
    { name: 'c0', symbol: 'c₀', description: 'initial log–log slope', scale: 'linear', grid: [0, 0.1, 0.3] },
  ];
  for (let i = 1; i <= breaks; i++) {
    params.push(
      {
        name: `c${i}`,
        symbol: `c${i}`,
        description: `change of slope at break ${i}`,
        scale: 'linear',
        grid: [-0.5, 0.2, 0.6],
      },
      { name: `d${i}`, symbol: `d${i}`, description: `location of break ${i}`, scale: 'log', grid: [5, 10, 15, 20] },
      {
        name: `f${i}`,
        symbol: `f${i}`,
        description: `sharpness of break ${i} (smaller is sharper)`,
        scale: 'log',
        grid: [-2, 0],
      },
    );
  }
  const p = params.length;
  // Example: a limit of 0.5, a reducible term of 3 at the small end of the range that first falls with
  // slope 0.1, then 0.3 steeper after each break; breaks evenly spread in ln x, of moderate sharpness.
  const [lo, hi] = typicalRanges[variable];
  const example: Record<string, number> = { a: 0.5, b: 3 * Math.pow(lo, 0.1), c0: 0.1 };
  for (let i = 1; i <= breaks; i++)
    Object.assign(example, {
      [`c${i}`]: 0.3,
      [`d${i}`]: Math.exp(Math.log(lo) + (i / (breaks + 1)) * Math.log(hi / lo)),
      [`f${i}`]: 0.5,
    });
  return {
    id: 'bnsl',
    options: { x: variable, breaks },
    example: { params: example, ranges: { [variable]: typicalRanges[variable] } },
    title: `broken neural scaling law with ${breaks} break${breaks === 1 ? '' : 's'} in ${variable}`,
    formula: `y = a + b·${variable}^(−c₀)·Π_i (1 + (${variable}/d_i)^(1/f_i))^(−c_i·f_i), ${breaks} break${breaks === 1 ? '' : 's'}`,
    citation: 'Caballero et al. 2023, "Broken Neural Scaling Laws", ICLR, arXiv:2210.14891',
    inputs: [variable],
    params,
    logPredict(theta: Float64Array, x: LawInputs, out: Float64Array, jac: Float64Array | null): void {
      const lx = x[key]!;
      const a = Math.exp(theta[0]),
        lnb = theta[1],
        c0 = theta[2];
      for (let i = 0; i < x.n; i++) {
        let lnT = lnb - c0 * lx[i];
        for (let k = 0; k < breaks; k++) {
          const c = theta[3 + 3 * k],
            lnd = theta[4 + 3 * k],
            f = Math.exp(theta[5 + 3 * k]);
          const z = (lx[i] - lnd) / f; // ln u
          const softplus = z > 30 ? z : Math.log1p(Math.exp(z));
          lnT += -c * f * softplus;
        }
        const T = Math.exp(lnT);
        const y = a + T;
        out[i] = Math.log(y);
        if (!jac) continue;
        const row = i * p;
        jac[row] = a / y;
        jac[row + 1] = T / y;
        jac[row + 2] = (-T * lx[i]) / y;
        for (let k = 0; k < breaks; k++) {
          const c = theta[3 + 3 * k],
            lnd = theta[4 + 3 * k],
            f = Math.exp(theta[5 + 3 * k]);
          const z = (lx[i] - lnd) / f;
          const softplus = z > 30 ? z : Math.log1p(Math.exp(z));
          const sigmoid = 1 / (1 + Math.exp(-z));
          jac[row + 3 + 3 * k] = (T * (-f * softplus)) / y;
          jac[row + 4 + 3 * k] = (T * (c * sigmoid)) / y;
          jac[row + 5 + 3 * k] = (T * f * (-c * softplus + c * sigmoid * z)) / y;
        }
      }
    },
  };
}

export const bnslDefinition: LawDefinition = {
  id: 'bnsl',
  title: 'broken neural scaling law, y = a + b·x^(−c₀)·Π_i (1 + (x/d_i)^(1/f_i))^(−c_i·f_i) (Caballero et al.)',
  options: { x: variableOption, breaks: breaksOption },
  make: (o) => bnslLaw(o.breaks, o.x),
};
