/**
 * What a scaling law is to ScaleLab: a pure function from inputs (N, D, C, U) and named parameters
 * to a predicted loss, with the parameters' scales, bounds and start grid (lmfit's Parameter idea),
 * and an analytic gradient. Fitting, bootstrap, prediction and planning all work from this interface,
 * so adding a law is one file (see laws/README.md).
 */
import type { Interval } from '../core/bounds.js';

/** An input variable of a law: parameters, tokens, FLOPs, unique tokens. */
export type Variable = 'N' | 'D' | 'C' | 'U';

export const variableDescriptions: Record<Variable, string> = {
  N: 'parameters',
  D: 'training tokens',
  C: 'training FLOPs',
  U: 'unique tokens',
};

/** The single variable of a one-variable law (power laws, bnsl). */
export type LawVariable = Exclude<Variable, 'U'>;

/**
 * A law and the options it is built with: what `--law`, a procedure and a saved fit name. The
 * registry (laws/index.ts) turns it into a Law (`getLaw`), and a law gives it back (`choiceOf`),
 * so a worker thread or a reloaded fit rebuilds exactly the law that was fitted.
 */
export interface LawChoice {
  /** Law identifier, one of `lawIds`. */
  law: string;
  /** The single variable of a one-variable law (`power`, `power0`, `bnsl`). */
  x?: LawVariable;
  /** Breaks of `bnsl`. */
  breaks?: number;
}

/** The options of a choice, without the law's identifier. */
export type LawOptions = Omit<LawChoice, 'law'>;
export type LawOptionKey = keyof LawOptions;

/** One option a law reads from its choice: its allowed values, default, and how a fit's JSON saves it. */
export interface LawOption<K extends LawOptionKey = LawOptionKey> {
  /** Field of a fit's JSON that saves the option (`variable` for x, as fits have always written it). */
  json: string;
  /** What the option is, for help, forms and errors. */
  description: string;
  values: readonly NonNullable<LawOptions[K]>[];
  default: NonNullable<LawOptions[K]>;
}

/** The single variable of one-variable laws: N, D or C (N by default). */
export const variableOption: LawOption<'x'> = {
  json: 'variable',
  description: 'the variable the law is a function of',
  values: ['N', 'D', 'C'],
  default: 'N',
};

/**
 * What the registry holds for a law: how to build it from a choice. A law without options can be
 * registered as it is (registerLaw(law)); one with options gives their specs and a `make`.
 */
export interface LawDefinition {
  /** Identifier used by `--law`; the law `make` returns has this id. */
  id: string;
  /** One line for help and forms. */
  title: string;
  /** The options this law reads from a choice; others are ignored. */
  options?: { readonly [K in LawOptionKey]?: LawOption<K> };
  /** Build the law; every declared option is set (the default when the choice leaves it out). */
  make(options: LawOptions): Law;
  /**
   * URL of a module that registers this law when imported (`import.meta.url` of the file that calls
   * registerLaw), for laws defined outside laws/index.ts: a worker thread imports it to rebuild the law.
   */
  module?: string;
}

/**
 * What a parameter is to its law, so that checks and analyses need not go by name: the irreducible
 * loss (E), the scale of a term (A, B, N_c), or an exponent (α, β), each with the variable whose term
 * it belongs to (`of`).
 */
export type ParamRole = 'irreducible' | 'scale' | 'exponent';

export interface ParamSpec {
  /** ASCII name used in flags and JSON: `E`, `A`, `alpha`. */
  name: string;
  /** Name in reports: `α`. */
  symbol: string;
  description: string;
  /**
   * How the optimiser sees the parameter. 'log': it works on ln(value), which keeps the value
   * positive and its scale sane (the LSE parameterisation of Hoffmann et al. 2022, App. D.2).
   */
  scale: 'log' | 'linear';
  /** Bounds on the internal (optimiser's) value; absent means unbounded. */
  bounds?: Interval;
  /** Start grid on the internal value. The product of all grids is the law's full start grid. */
  grid: readonly number[];
  /**
   * The range published fits of this law put the parameter in (exponents), with the source: a fit
   * outside it is said in the fit's trust warnings, since it is more often a symptom (a term
   * switched off, too little range in the data) than a discovery.
   */
  published?: { range: readonly [number, number]; source: string };
  /** What the parameter is to the law (checks on exponents and on the irreducible loss read it). */
  role?: ParamRole;
  /** The variable whose term the parameter belongs to (an exponent's or a scale's variable). */
  of?: Variable;
}

/** Log-inputs of a data set, one Float64Array per variable the law uses. */
export interface LawInputs {
  n: number;
  logN?: Float64Array;
  logD?: Float64Array;
  logC?: Float64Array;
  logU?: Float64Array;
  /** Index into Law.groups of each point's group, for laws with per-group parameters. */
  group?: Int32Array;
}

export interface DerivedQuantity {
  value: number;
  symbol: string;
  description: string;
}

export interface Law {
  /** Identifier used by `--law`. */
  id: string;
  title: string;
  /** The law in one line, for reports. */
  formula: string;
  /** Where the form comes from. */
  citation: string;
  /** Variables the law reads; a data set must provide them (D may be derived from C and N). */
  inputs: readonly Variable[];
  params: readonly ParamSpec[];
  /** Groups of a law with per-group parameters (data sources, architectures); each run's `group` must be one. */
  groups?: readonly string[];
  /**
   * Writes ln L̂ for every point into out, and, when jacobian is given, ∂ ln L̂ / ∂θ_j (θ internal)
   * into jacobian[i·p + j]. Pure and allocation-free: the fitting loop calls it thousands of times.
   */
  logPredict(theta: Float64Array, x: LawInputs, out: Float64Array, jacobian: Float64Array | null): void;
  /**
   * logPredict (with its Jacobian) computed faster at the cost of the last bits, e.g. one log-sum-exp
   * shift for all runs instead of one per run. It refines the thousands of starts of a full grid
   * (init grid or hoffmann), whose best is then polished with logPredict; without it, logPredict.
   */
  gridLogPredict?(theta: Float64Array, x: LawInputs, out: Float64Array, jacobian: Float64Array | null): void;
  /**
   * A faster logPredict without the Jacobian, for scoring a start grid (thousands of θ on one data
   * set): the returned function may keep a term that depends on a few parameters between calls, so a
   * grid computes it once per combination of those parameters' grid values. Same values as
   * logPredict to rounding, for the points [from, to) (a grid point is abandoned once its partial
   * sum shows it cannot be among the best); without it the grid is scored with logPredict.
   */
  gridPredictor?(x: LawInputs): (theta: Float64Array, out: Float64Array, from: number, to: number) => void;
  /**
   * The fit's objective Σ_i w_i·ρ(ln L̂_i − ln L_i) (or ρ(L̂_i − L_i) in linear space), least squares
   * or Huber, with its gradient in θ, fused in one kernel (Chinchilla's: WebAssembly SIMD, src/laws/kernels/) that
   * matches `form`'s prediction, logPredict ('exact') or gridLogPredict ('grid'), to the last digits.
   * null where the kernel cannot run (no WebAssembly or SIMD, or kernels switched off): the
   * objective then uses the prediction itself (src/fit/objective.ts).
   */
  lossKernel?(x: LawInputs, logLoss: Float64Array, loss: KernelLoss, form: 'exact' | 'grid'): LossKernel | null;
  /**
   * The loss from user-facing values at a raw point, when the law can give it more exactly than
   * exp(ln L̂) on log inputs (published test vectors are given to the last digit).
   */
  directLoss?(values: Readonly<Record<string, number>>, point: Required<Pick<Point, 'N' | 'D'>> & Point): number;
  /** Quantities computed from fitted values (exponents of the compute-optimal frontier, …). */
  derived?(values: Readonly<Record<string, number>>): Record<string, DerivedQuantity>;
  /** Extra, data-driven starts (internal values), tried along with the grid. */
  initialGuesses?(x: LawInputs, logLoss: Float64Array): Float64Array[];
  /**
   * The options the law was built with (`{ x: 'D', breaks: 2 }`); with `id` they rebuild it through the
   * registry (`choiceOf`, `getLaw`): worker threads and saved fits rely on it.
   */
  options?: LawOptions;
  /** What N counts in the law's published fits. @default 'all' (Chinchilla, Epoch); Kaplan's is non-embedding. */
  nConvention?: 'all' | 'non-embedding';
  /** Name of the published start grid that the parameters' grids reproduce (`hoffmann`): `init: 'hoffmann'` asks for it. */
  publishedGrid?: string;
  /**
   * A tie published practice makes when the runs are too few for every parameter (chinchilla's
   * β = α, as Muennighoff et al. 2023 fit): a procedure on such runs is reduced to it.
   */
  fewRunsTie?: { tie: Readonly<Record<string, string>>; source: string };
  /** Closed forms the analyses use instead of a numerical search, where the law has them. */
  closedForm?: ClosedForms;
  /**
   * A typical parameter set and the input ranges it describes: the law battery (laws/battery.test.ts)
   * draws synthetic runs from it, and checks the gradient, the recovery of these values and the round trips.
   */
  example?: LawExample;
}

/** The losses a kernel computes: least squares, or Huber with its δ, on ln L or on L. */
export interface KernelLoss {
  kind: 'ls' | 'huber';
  delta: number;
  space: 'log' | 'linear';
}

/** A law's fused objective over one data set (Law.lossKernel). */
export interface LossKernel {
  /** Σ w·ρ(r) at θ (internal values); given `grad`, its gradient in θ (every parameter) there. */
  evaluate(theta: Float64Array, grad: Float64Array | null): number;
  /** Per-run weights (a bootstrap resample's counts); null: every run once. */
  setWeights(weights: Float64Array | null): void;
  /**
   * Σ w·ρ(r) at θ as a start grid is scored with the law's gridPredictor (same bits), rows summed in
   * blocks of 16 and abandoned once the sum passes `bound` (a partial sum, above it, is returned).
   * NaN: not scored (a point the kernel cannot score to the bit); the caller scores it itself.
   */
  score?(theta: Float64Array, bound: number): number;
}

export interface ClosedForms {
  /** Compute-optimal N and D for a budget C = 6ND. */
  computeOptimal?(values: Readonly<Record<string, number>>, C: number): { N: number; D: number };
  /** The tokens for which N parameters are compute-optimal. */
  computeOptimalTokens?(values: Readonly<Record<string, number>>, N: number): number;
  /** Tokens N parameters need to reach `loss` (Infinity when they never do). */
  tokensToReach?(values: Readonly<Record<string, number>>, N: number, loss: number): number;
  /** Smallest N that reaches `loss` with unlimited data (Infinity when none does). */
  smallestModel?(values: Readonly<Record<string, number>>, loss: number): number;
}

export interface LawExample {
  params: Readonly<Record<string, number>>;
  /** ln-uniform range of each input the law reads; C = 6ND when the law reads N and D. */
  ranges: Readonly<Partial<Record<Variable, readonly [number, number]>>>;
}

/** The parameters of a law with a role, optionally only those of one variable's term. */
export function paramsWithRole(law: Law, role: ParamRole, of?: Variable): ParamSpec[] {
  return law.params.filter((p) => p.role === role && (of === undefined || p.of === of));
}

/** Internal (optimiser) value of a parameter from its user-facing value. */
export function toInternal(spec: ParamSpec, value: number): number {
  return spec.scale === 'log' ? Math.log(value) : value;
}

/** User-facing value of a parameter from its internal value. */
export function fromInternal(spec: ParamSpec, internal: number): number {
  return spec.scale === 'log' ? Math.exp(internal) : internal;
}

export function valuesFromTheta(law: Law, theta: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  law.params.forEach((p, j) => (out[p.name] = fromInternal(p, theta[j])));
  return out;
}

export function thetaFromValues(law: Law, values: Readonly<Record<string, number>>): Float64Array {
  return Float64Array.from(law.params, (p) => {
    const v = values[p.name];
    if (v === undefined) throw new RangeError(`missing parameter ${p.name} for law ${law.id}`);
    return toInternal(p, v);
  });
}

/** A point at which to evaluate a law; D is derived from C = 6ND when only C is given. */
export interface Point {
  N?: number;
  D?: number;
  C?: number;
  U?: number;
}

/** Build one-point log inputs, deriving D = C/(6N) or C = 6ND when needed. */
export function pointInputs(law: Law, point: Point): LawInputs {
  const { N } = point;
  let { D, C } = point;
  if (D === undefined && C !== undefined && N !== undefined) D = C / (6 * N);
  if (C === undefined && N !== undefined && D !== undefined) C = 6 * N * D;
  const values: Record<Variable, number | undefined> = { N, D, C, U: point.U };
  const x: LawInputs = { n: 1 };
  for (const v of law.inputs) {
    const value = values[v];
    if (value === undefined) throw new RangeError(`law ${law.id} needs ${v} (${variableDescriptions[v]})`);
    if (!(value > 0)) throw new RangeError(`${v} must be a positive number, got ${value}`);
    x[`log${v}`] = Float64Array.of(Math.log(value));
  }
  return x;
}

/** Predicted loss of a law with user-facing parameter values at one point. */
export function predictLoss(law: Law, values: Readonly<Record<string, number>>, point: Point): number {
  const theta = thetaFromValues(law, values),
    x = pointInputs(law, point);
  if (law.directLoss) {
    const D = point.D ?? (point.C !== undefined && point.N !== undefined ? point.C / (6 * point.N) : undefined);
    if (point.N !== undefined && D !== undefined) return law.directLoss(values, { ...point, N: point.N, D });
  }
  const out = new Float64Array(1);
  law.logPredict(theta, x, out, null);
  return Math.exp(out[0]);
}

/**
 * Where published Chinchilla-form fits put α and β: 0.28–0.37 for web text (Hoffmann et al. 2022;
 * Besiroglu et al. 2024; Muennighoff et al. 2023), 0.05–1 across the ladders and domains the
 * project has seen. Kaplan's pure power laws have α ≈ 0.05–0.1 (Kaplan et al. 2020, Eqs. 1.1–1.3).
 */
export const CHINCHILLA_EXPONENTS = {
  range: [0.05, 1],
  source: 'Hoffmann et al. 2022; Besiroglu et al. 2024; Muennighoff et al. 2023',
} as const;
export const POWER_EXPONENTS = {
  range: [0.01, 2],
  source:
    'Kaplan et al. 2020 (0.05–0.1); Hestness et al. 2017 (0.07–0.35); Alabdulmohsin et al. 2022 (up to ~1.5 in vision)',
} as const;
export const KAPLAN_EXPONENTS = {
  range: [0.01, 0.5],
  source: 'Kaplan et al. 2020, Table 2 (α_N = 0.076, α_D = 0.103)',
} as const;

/**
 * Ranges of N, D and C that small-scale ladders cover (10⁶–10¹⁰ parameters, 10⁸–10¹² tokens,
 * 10¹⁷–10²¹ FLOPs): where the one-variable laws' examples live.
 */
export const typicalRanges: Readonly<Record<LawVariable, readonly [number, number]>> = {
  N: [1e6, 1e10],
  D: [1e8, 1e12],
  C: [1e17, 1e21],
};

export function range(start: number, stop: number, step: number): number[] {
  const out: number[] = [];
  for (let v = start; v <= stop + step * 1e-9; v += step) out.push(Math.round(v * 1e12) / 1e12);
  return out;
}
