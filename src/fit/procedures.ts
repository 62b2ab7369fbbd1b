/**
 * Fitting procedures: a law together with how it is fitted (loss, residual space, tied or fixed
 * parameters). Published scaling-law studies differ less in the law than in the procedure — Hoffmann
 * et al. fit free exponents with Huber on ln L, Muennighoff et al. tie α = β, Gadre et al. tie them
 * and fit in L — and no single procedure extrapolates best on every ladder. `--procedure auto` (see
 * fit/auto.ts) chooses among these by the data's own rolling-origin back-test.
 *
 * A procedure the data cannot support (fewer distinct configurations than free parameters, one model
 * size) is reduced to one they can (`reduceProcedure`), and the reduction is said, never silent.
 */
import { UsageError } from '../errors/index.js';
import { unknownName } from '../core/names.js';
import { getLaw, type LawChoice } from '../laws/index.js';
import type { Dataset } from '../io/dataset.js';
import type { FitOptions } from './fit.js';

export interface Procedure {
  /** Identifier used by `--procedure`. */
  id: string;
  /** One line: the law and how it is fitted. */
  title: string;
  law: LawChoice;
  /** Loss, residual space, ties and fixed values. */
  options: Pick<FitOptions, 'loss' | 'tie' | 'fix'>;
  /** Who fits this way. */
  citation: string;
}

const hoffmann = 'Hoffmann et al. 2022 (arXiv:2203.15556) App. D.2; Besiroglu et al. 2024 (arXiv:2404.10102)';
const muennighoff = 'Muennighoff et al. 2023 (arXiv:2305.16264), α = β';
const gadre = 'Gadre et al. 2024 (arXiv:2403.08540), L(C, M) = E + (a·M^η + b·M^(−η))·C^(−η), fitted in L';
const kaplan = 'Kaplan et al. 2020 (arXiv:2001.08361), Eq. 1.5';

/** The fixed recipes, each a published practice. */
export const procedures: readonly Procedure[] = [
  {
    id: 'huber',
    title: 'Chinchilla form, free α and β, Huber (δ = 1e-3) on ln L',
    law: { law: 'chinchilla' },
    options: { loss: { kind: 'huber', space: 'log' } },
    citation: hoffmann,
  },
  {
    id: 'ls',
    title: 'Chinchilla form, free α and β, least squares on ln L',
    law: { law: 'chinchilla' },
    options: { loss: { kind: 'ls', space: 'log' } },
    citation: 'Hoffmann et al. 2022 form; least squares as in Choshen et al. 2024 (arXiv:2410.11840)',
  },
  {
    id: 'ls-linear',
    title: 'Chinchilla form, free α and β, least squares on L',
    law: { law: 'chinchilla' },
    options: { loss: { kind: 'ls', space: 'linear' } },
    citation: 'Hoffmann et al. 2022 form; residuals in L as Gadre et al. 2024',
  },
  {
    id: 'tied-huber',
    title: 'Chinchilla form, α = β, Huber (δ = 1e-3) on ln L',
    law: { law: 'chinchilla' },
    options: { loss: { kind: 'huber', space: 'log' }, tie: { beta: 'alpha' } },
    citation: muennighoff,
  },
  {
    id: 'tied-ls',
    title: 'Chinchilla form, α = β, least squares on ln L',
    law: { law: 'chinchilla' },
    options: { loss: { kind: 'ls', space: 'log' }, tie: { beta: 'alpha' } },
    citation: muennighoff,
  },
  {
    id: 'gadre',
    title: "Gadre et al.'s over-training form (Chinchilla with α = β), least squares on L",
    law: { law: 'chinchilla' },
    options: { loss: { kind: 'ls', space: 'linear' }, tie: { beta: 'alpha' } },
    citation: gadre,
  },
  {
    id: 'kaplan',
    title: "Kaplan's L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D, least squares on ln L",
    law: { law: 'kaplan-nd' },
    options: { loss: { kind: 'ls', space: 'log' } },
    citation: kaplan,
  },
];

export const procedureIds = procedures.map((p) => p.id);

/** The procedure for an identifier, with an error listing the known ones. */
export function getProcedure(id: string): Procedure {
  const p = procedures.find((q) => q.id === id);
  if (!p)
    throw new UsageError(
      `unknown procedure: ${id} (${unknownName(id, ['auto', ...procedureIds], 20, 'expected one of')})`,
    );
  return p;
}

/** What a data set can support: how many distinct configurations it varies over. */
export interface DataSupport {
  rows: number;
  /** Training runs (rows sharing a `run` name count once). */
  runs: number;
  distinctN: number;
  distinctD: number;
  /** Distinct compute values C = 6ND (runs on one IsoFLOP budget share one). */
  distinctC: number;
  /** Distinct (N, D) pairs: the number of configurations a law can be asked to explain. */
  distinctPoints: number;
}

/** Distinct values to 1e-9 relative, so that values written with different rounding count once. */
function distinctCount(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).filter(Number.isFinite).sort();
  let k = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] > sorted[i - 1] * (1 + 1e-9)) k++;
  return k;
}

/** Distinct (a, b) pairs to 1e-9 relative, by sorting indices: no string per row on a million rows. */
function distinctPairs(a: Float64Array, b: Float64Array): number {
  const idx = Uint32Array.from({ length: a.length }, (_, i) => i).sort((i, j) => a[i] - a[j] || b[i] - b[j]);
  const near = (x: number, y: number) =>
    (Number.isNaN(x) && Number.isNaN(y)) || Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
  let k = 0;
  for (let t = 0; t < idx.length; t++) {
    if (t === 0 || !near(a[idx[t]], a[idx[t - 1]]) || !near(b[idx[t]], b[idx[t - 1]])) k++;
  }
  return k;
}

const supportCache = new WeakMap<Dataset['runs'], DataSupport>();

export function dataSupport(dataset: Dataset): DataSupport {
  // Asked for by every candidate and every check of one fit: computed once per array of runs.
  const cached = supportCache.get(dataset.runs);
  if (cached) return cached;
  const runs = new Set<string>();
  let unnamed = 0;
  const n = dataset.runs.length;
  const Ns = new Float64Array(n).fill(NaN),
    Ds = new Float64Array(n).fill(NaN),
    Cs = new Float64Array(n).fill(NaN);
  dataset.runs.forEach((r, i) => {
    if (r.run === undefined) unnamed++;
    else runs.add(r.run);
    const D = r.D ?? (r.C !== undefined && r.N !== undefined ? r.C / (6 * r.N) : undefined);
    if (r.N !== undefined) Ns[i] = r.N;
    if (D !== undefined) Ds[i] = D;
    const C = r.C ?? (r.N !== undefined && D !== undefined ? 6 * r.N * D : undefined);
    if (C !== undefined) Cs[i] = C;
  });
  const support = {
    rows: n,
    runs: runs.size + unnamed,
    distinctN: distinctCount(Ns),
    distinctD: distinctCount(Ds),
    distinctC: distinctCount(Cs),
    distinctPoints: distinctPairs(Ns, Ds),
  };
  supportCache.set(dataset.runs, support);
  return support;
}

/** Free parameters of a procedure's law after its ties and fixed values. */
function freeParameterCount(procedure: Procedure, lawParams: number): number {
  return lawParams - Object.keys(procedure.options.tie ?? {}).length - Object.keys(procedure.options.fix ?? {}).length;
}

export interface Reduction {
  /** The procedure actually fitted. */
  procedure: Procedure;
  /** Why the requested one was reduced; absent when it was not. */
  reason?: string;
}

/**
 * The largest procedure in the requested one's family that the data can support, with the reason
 * when it is smaller: a law needs more distinct configurations than free parameters, and a variable
 * that never varies cannot have an exponent. Returns null when nothing can be fitted (one
 * configuration, or two).
 *
 * Reductions, in order (published practice for small ladders): free α, β → α = β (Muennighoff et
 * al.); one model size → a power law in D (the N term is a constant, absorbed in E), one token count
 * → a power law in N; too few configurations for four parameters → L = E + A·C^(−γ); for three →
 * Kaplan's L(C) = (C_c/C)^γ.
 */
export function reduceProcedure(procedure: Procedure, support: DataSupport): Reduction | null {
  const k = support.distinctPoints;
  if (k <= 2) return null;
  const loss = procedure.options.loss;
  const named = (id: string, title: string, law: LawChoice, options: Procedure['options']): Procedure => ({
    id,
    title,
    law,
    options,
    citation: procedure.citation,
  });
  const law = getLaw(procedure.law);
  // Only a law of N and D (and nothing else) has the reductions below: a term to drop, a C to fall back on.
  const twoVariable = law.inputs.length === 2 && law.inputs.includes('N') && law.inputs.includes('D');
  if (!twoVariable) return { procedure };
  if (support.distinctN <= 1 && support.distinctD > 1) {
    const reduced = named(
      `${procedure.id}→power-D`,
      'power law in D, L = E + A·D^(−α) (one model size)',
      { law: k > 3 ? 'power' : 'power0', x: 'D' },
      { loss },
    );
    return {
      procedure: reduced,
      reason: `one model size (N = ${support.distinctN} distinct value): the N term is a constant absorbed in E, so the law is reduced to a power law in D; it cannot predict other model sizes`,
    };
  }
  if (support.distinctD <= 1 && support.distinctN > 1) {
    const reduced = named(
      `${procedure.id}→power-N`,
      'power law in N, L = E + A·N^(−α) (one token count)',
      { law: k > 3 ? 'power' : 'power0', x: 'N' },
      { loss },
    );
    return {
      procedure: reduced,
      reason: `one token count: the D term is a constant absorbed in E, so the law is reduced to a power law in N; it cannot predict other token counts`,
    };
  }
  if (support.distinctN <= 1 && support.distinctD <= 1) return null;
  const free = freeParameterCount(procedure, law.params.length);
  if (k > free) return { procedure };
  const fewRuns = law.fewRunsTie;
  const tied = fewRuns ? free - Object.keys(fewRuns.tie).length : free;
  if (fewRuns && !procedure.options.tie && k > tied) {
    const symbol = (name: string) => law.params.find((p) => p.name === name)?.symbol ?? name;
    const pairs = Object.entries(fewRuns.tie).map(([follower, root]) => [symbol(root), symbol(follower)]);
    const words = pairs.map(([r, f]) => `${r} and ${f}`).join(', ');
    const equations = pairs.map(([r, f]) => `${r} = ${f}`).join(', ');
    return {
      procedure: named(
        `${procedure.id}→tied`,
        `${procedure.title.replace(`free ${words}`, equations)}`,
        procedure.law,
        { ...procedure.options, tie: { ...fewRuns.tie } },
      ),
      reason: `${k} distinct configurations for ${free} free parameters: ${words} are tied (${equations}, as ${fewRuns.source} fit), leaving ${tied}`,
    };
  }
  // A law in C alone needs C to vary: runs on one IsoFLOP budget say nothing of it.
  if (support.distinctC < 3) return null;
  if (k > 3 && support.distinctC > 3) {
    return {
      procedure: named(
        `${procedure.id}→power-C`,
        'power law in compute, L = E + A·C^(−γ)',
        { law: 'power', x: 'C' },
        { loss },
      ),
      reason: `${k} distinct configurations cannot determine ${free} free parameters: reduced to L = E + A·C^(−γ) (3 parameters), which predicts loss from compute only`,
    };
  }
  return {
    procedure: named(`${procedure.id}→power0-C`, "Kaplan's L(C) = (C_c/C)^γ", { law: 'power0', x: 'C' }, { loss }),
    reason: `${k} distinct configurations: reduced to Kaplan's L(C) = (C_c/C)^γ (2 parameters), a straight line in log–log space with no irreducible term`,
  };
}
