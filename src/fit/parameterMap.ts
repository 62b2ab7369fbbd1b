/**
 * Maps the optimiser's free vector u to a law's full internal parameter vector θ, applying fixed
 * values (`--fix E=1.69`), ties (`--tie beta=alpha`, as Muennighoff et al. 2023 fit α = β) and
 * bounds (by reparameterisation). The gradient flows back through the same map.
 */
import { boundedDerivative, fromBounded, toBounded, type Interval } from '../core/bounds.js';
import type { Law } from '../laws/law.js';
import { toInternal } from '../laws/law.js';
import { OptionError } from '../errors/index.js';
import { exponentSlip } from '../core/slips.js';

export interface ParameterMap {
  law: Law;
  /** Indices (into law.params) of the free parameters, in optimiser order. */
  free: number[];
  /** For each law parameter: index into the free vector, or −1 when fixed. */
  source: Int32Array;
  /** Internal values of fixed parameters (NaN for non-fixed). */
  fixed: Float64Array;
  /** Bounds of each free parameter on its internal value. */
  bounds: Interval[];
  /** User-facing fixed values and ties, for the report. */
  fixedValues: Record<string, number>;
  ties: Record<string, string>;
}

const unbounded: Interval = { min: -Infinity, max: Infinity };

export function parameterMap(
  law: Law,
  fix: Record<string, number> = {},
  tie: Record<string, string> = {},
): ParameterMap {
  const names = law.params.map((p) => p.name);
  const index = (name: string, option: 'fix' | 'tie'): number => {
    const i = names.indexOf(name);
    if (i < 0)
      throw new OptionError({
        option,
        value: name,
        allowed: names,
        message: `law ${law.id} has no parameter "${name}" (its parameters: ${names.join(', ')})`,
      });
    return i;
  };
  const p = names.length;
  const fixed = new Float64Array(p).fill(NaN);
  for (const [name, value] of Object.entries(fix)) {
    const j = index(name, 'fix');
    const spec = law.params[j];
    if (!Number.isFinite(value) || (spec.scale === 'log' && value <= 0)) {
      throw new OptionError({
        option: 'fix',
        value,
        message: `${name} must be ${spec.scale === 'log' ? 'a positive' : 'a finite'} number, got ${value}`,
      });
    }
    // Fixed by hand, an exponent of 34 is 0.34 with its decimal point dropped, not a law to fit around.
    const slip = spec.role === 'exponent' ? exponentSlip(value) : undefined;
    if (slip) throw new OptionError({ option: 'fix', value, message: `${name}: ${slip}` });
    fixed[j] = toInternal(spec, value);
  }
  // Resolve ties to their root (beta=alpha, gamma=beta → gamma follows alpha).
  const tiedTo = new Int32Array(p).fill(-1);
  for (const [name, target] of Object.entries(tie)) {
    const j = index(name, 'tie'),
      t = index(target, 'tie');
    if (j === t) throw new OptionError({ option: 'tie', value: name, message: `${name} cannot be tied to itself` });
    if (law.params[j].scale !== law.params[t].scale) {
      throw new OptionError({
        option: 'tie',
        value: name,
        message: `${name} and ${target} are on different scales (${law.params[j].scale} vs ${law.params[t].scale}) and cannot be tied`,
      });
    }
    if (!Number.isNaN(fixed[j]))
      throw new OptionError({
        option: 'tie',
        value: name,
        message: (o) => `${o('tie')}: ${name} is also fixed (${o('fix')}); use one or the other`,
      });
    tiedTo[j] = t;
  }
  const root = (j: number): number => {
    let k = j,
      steps = 0;
    while (tiedTo[k] >= 0) {
      k = tiedTo[k];
      if (++steps > p) throw new OptionError({ option: 'tie', value: tie, message: 'the ties form a cycle' });
    }
    return k;
  };
  const free: number[] = [];
  const source = new Int32Array(p).fill(-1);
  for (let j = 0; j < p; j++) {
    if (tiedTo[j] >= 0 || !Number.isNaN(fixed[j])) continue;
    source[j] = free.length;
    free.push(j);
  }
  for (let j = 0; j < p; j++) {
    if (tiedTo[j] < 0) continue;
    const r = root(j);
    if (!Number.isNaN(fixed[r])) fixed[j] = fixed[r];
    else source[j] = source[r];
  }
  return {
    law,
    free,
    source,
    fixed,
    bounds: free.map((j) => law.params[j].bounds ?? unbounded),
    fixedValues: { ...fix },
    ties: { ...tie },
  };
}

/** θ (and dθ_j/du of its source) from the free vector u. */
export function expand(map: ParameterMap, u: ArrayLike<number>, theta: Float64Array, dtheta?: Float64Array): void {
  const { source, fixed, bounds } = map;
  for (let j = 0; j < source.length; j++) {
    const k = source[j];
    if (k < 0) {
      theta[j] = fixed[j];
      if (dtheta) dtheta[j] = 0;
    } else {
      theta[j] = toBounded(u[k], bounds[k]);
      if (dtheta) dtheta[j] = boundedDerivative(u[k], bounds[k]);
    }
  }
}

/** The free vector u for a full internal θ (fixed and tied entries of θ are ignored). */
export function contract(map: ParameterMap, theta: ArrayLike<number>): Float64Array {
  return Float64Array.from(map.free, (j, k) => fromBounded(theta[j], map.bounds[k]));
}
