import type { Law, LawInputs, LawVariable, ParamSpec } from './law.js';
import { range } from './law.js';

/**
 * Several groups (data sources, architectures, optimizers) fitted jointly:
 *   L_g(x) = E_g + A_g·x^(−α_g)
 * with the exponent shared by all groups (`shareExponent`, the restricted model: composition or
 * architecture moves the offset, not the slope) or one per group (the full model). Fitted as
 * ln L = LSE(a_g − α·ln x, e_g).
 */
export function groupedPowerLaw(groups: readonly string[], variable: LawVariable, shareExponent: boolean): Law {
  const key = `log${variable}` as const;
  const params: ParamSpec[] = [];
  const exponent = { scale: 'linear', grid: [0.05, 0.15, 0.35, 0.7], role: 'exponent', of: variable } as const;
  if (shareExponent)
    params.push({ name: 'alpha', symbol: 'α', description: 'exponent shared by every group', ...exponent });
  groups.forEach((g) => {
    params.push(
      {
        name: `E[${g}]`,
        symbol: `E[${g}]`,
        description: `irreducible loss of ${g}`,
        scale: 'log',
        grid: range(-1, 1.5, 0.5),
        role: 'irreducible',
      },
      {
        name: `A[${g}]`,
        symbol: `A[${g}]`,
        description: `scale of ${g}`,
        scale: 'log',
        grid: range(0, 25, 5),
        role: 'scale',
        of: variable,
      },
    );
    if (!shareExponent)
      params.push({ name: `alpha[${g}]`, symbol: `α[${g}]`, description: `exponent of ${g}`, ...exponent });
  });
  const p = params.length;
  const per = shareExponent ? 2 : 3;
  const offset = shareExponent ? 1 : 0;
  return {
    id: shareExponent ? 'grouped-shared' : 'grouped-free',
    title: `power law per group${shareExponent ? ' with a shared exponent' : ''}`,
    formula: `L_g = E_g + A_g·${variable}^(−α${shareExponent ? '' : '_g'})`,
    citation:
      'Hestness et al. 2017 (architecture shifts the offset, not the exponent); Volkova et al. 2026 (joint fits with shared exponents)',
    inputs: [variable],
    params,
    groups,
    logPredict(theta: Float64Array, x: LawInputs, out: Float64Array, jac: Float64Array | null): void {
      const lx = x[key]!,
        group = x.group!;
      if (jac) jac.fill(0);
      for (let i = 0; i < x.n; i++) {
        const g = group[i];
        const base = offset + per * g;
        const e = theta[base],
          a = theta[base + 1];
        const alphaIndex = shareExponent ? 0 : base + 2;
        const alpha = theta[alphaIndex];
        const t = a - alpha * lx[i];
        const m = Math.max(t, e);
        const w1 = Math.exp(t - m),
          w2 = Math.exp(e - m),
          s = w1 + w2;
        out[i] = m + Math.log(s);
        if (jac) {
          const row = i * p;
          jac[row + base] = w2 / s;
          jac[row + base + 1] = w1 / s;
          jac[row + alphaIndex] = (-w1 / s) * lx[i];
        }
      }
    },
  };
}
