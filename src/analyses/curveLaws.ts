/**
 * Whole training curves as a function of the learning-rate schedule. Pure.
 *
 * Two published laws, each a sum of terms linear in their coefficients (L0, A, C or B, and E, A_N
 * when sizes are fitted jointly) times basis functions of a few exponents:
 *
 * - `lr-annealing` (Tissue et al. 2024, "Scaling law with learning rate annealing", Eq. 1):
 *     L(s) = L0 + A·S1(s)^(−α) − C·S2(s)
 *   S1(s) = Σ_{i≤s} η_i, the forward area (every step, warmup included);
 *   S2(s) = Σ_{i≤s} m_i, m_i = λ·m_{i−1} + (η_{i−1} − η_i), the annealing area with momentum λ
 *   (0.999 as in the paper), counted after warmup (a rising LR is not annealing).
 * - `multi-power` (Luo et al. 2025, "A Multi-Power Law for Loss Curve Prediction Across Learning
 *   Rate Schedules", Eq. 5):
 *     L(t) = L0 + A·(S1(t) + S_W)^(−α) − LD(t),
 *     LD(t) = B·Σ_{k=1..t} (η_{k−1} − η_k)·G(η_k^(−γ)·S_k(t)),  G(x) = 1 − (C·x + 1)^(−β),
 *   with t counted after warmup, S_W the warmup's area, S1(t) = Σ_{τ≤t} η_τ and S_k(t) = Σ_{τ=k..t} η_τ.
 *   Fitted as B·β times Σ Δη_k·G/β, G/β = (1 − (C·x + 1)^(−β))/β → ln(C·x + 1) as β → 0: on short runs
 *   the fit runs to β → 0 with B → ∞, where B·β stays finite and the law stays continuous. B = B·β/β is
 *   reported beside it.
 *
 * Across model sizes (`joint`), N enters as in Chinchilla: L0 → E + A_N·N^(−a), every other
 * parameter shared. Fitted by least squares on the loss: a grid over the exponents, the
 * coefficients solved linearly at each (variable projection), then L-BFGS on every parameter
 * (logarithms of the positive ones) with analytic gradients from the best starts.
 * Intervals resample whole runs (a run's checkpoints move together); with fewer than three runs
 * they resample blocks of consecutive residuals within each run instead, and say so.
 * docs/methods.md §35 states the formulas and the test vectors (§36: WSD ladders, §37: the Kaplan lesson).
 *
 * The curve laws are a closed list, not a registry like src/laws: a third is added in this file
 * alone — its id in `curveLawIds`, its citation and formula (the compiler asks for both), its
 * parameters in `layout`, its basis functions and their derivatives in `basis`, its exponents' start
 * grid in `startGrid`, and whatever features it reads in `curveFeatures` — and then `curve-law fit`,
 * `predict`, `schedule`, the bootstrap and saved fits take it. No code outside this file compares a
 * curve law's id (curveLaws.test.ts checks).
 */
import { InputError } from '../errors/index.js';
import { lbfgs } from '../core/lbfgs.js';
import { solveLinear } from '../core/leastSquares.js';
import { normal, randomSource, resampleCounts } from '../core/random.js';
import { percentileInterval } from '../core/statistics.js';
import { formatNumber, plain } from '../core/format.js';

export const curveLawIds = ['lr-annealing', 'multi-power'] as const;
export type CurveLawId = (typeof curveLawIds)[number];
/** The law `curve-law fit` uses unless told otherwise (bench/curve-law-backtest.ts checks the choice). */
export const DEFAULT_CURVE_LAW: CurveLawId = 'multi-power';

/** The lr-annealing law's momentum of the annealing area, as Tissue et al. 2024 set it (docs/methods.md §38). */
const LR_ANNEALING_LAMBDA = 0.999;

const curveLawCitations: Record<CurveLawId, string> = {
  'lr-annealing': 'Tissue et al. 2024, "Scaling Law with Learning Rate Annealing" (arXiv:2408.11029), Eq. 1',
  'multi-power':
    'Luo et al. 2025, "A Multi-Power Law for Loss Curve Prediction Across Learning Rate Schedules" (ICLR 2025), Eq. 5',
};

const curveLawFormulas: Record<CurveLawId, string> = {
  'lr-annealing': 'L(s) = L0 + A·S1^(−α) − C·S2',
  'multi-power': 'L(t) = L0 + A·(S1 + S_W)^(−α) − LD(t)',
};

/** A curve law in one line, for reports; fitted across sizes (`joint`), with L0 as a function of N. */
export function curveLawFormula(law: CurveLawId, joint: boolean): string {
  return `${curveLawFormulas[law]}${joint ? ', L0 = E + A_N·N^(−a)' : ''}`;
}

/**
 * Whether a law's predictions read the momentum λ of the annealing area (S2): the lr-annealing law's do; a
 * fit file of it without λ, or with one outside (0, 1), would predict NaN or a curve the fit never drew.
 */
export function curveLawUsesMomentum(law: CurveLawId): boolean {
  return law === 'lr-annealing';
}

// The curve type lives with its reader (io/parseCurves.ts), below the analyses that fit it.
export type { TrainingCurve } from '../io/parseCurves.js';
import type { TrainingCurve } from '../io/parseCurves.js';

export interface CurveFitOptions {
  law: CurveLawId;
  /** Fit L0 as E + A_N·N^(−a) across model sizes (at least 3 sizes). @default false */
  joint?: boolean;
  /** Momentum of the annealing area (lr-annealing). @default 0.999 */
  lambda?: number;
  /** Where the curves came from, for errors. */
  source?: string;
}

export interface CurveFit {
  law: CurveLawId;
  citation: string;
  joint: boolean;
  lambda: number;
  params: Record<string, number>;
  /** Root-mean-square residual of the loss. */
  rms: number;
  points: number;
  runs: string[];
  sizes: number[];
  converged: boolean;
  /**
   * The fitted parameters the curves do not identify (identification: a linearised 95 % interval of the
   * parameter, the others refitted, spanning more than a factor of 10 either way; docs/methods.md §35):
   * absent when every one is identified, and in fits saved before it was checked.
   */
  degenerate?: string[];
  /**
   * multi-power: the drop shape's parameters (C, β, γ) the curves do not identify, by the same rule: run to
   * a limit of the law where fewer combinations of them are fixed (docs/methods.md §35). Said, not marked
   * degenerate: on the back-tests such fits predicted as well as any.
   */
  shapeAtLimit?: string[];
}

/** Per-point quantities a law's basis reads, precomputed once per curve. */
interface PointFeatures {
  logN: number;
  S1: number;
  S2: number;
  /**
   * multi-power: the nonzero LR drops up to this point: Δη_k, ln η_k and ln S_k(t) — logarithms, because
   * the law raises η_k to −γ, which overflows for the γ a fit can run to (η_k = 6e-4 at γ ≈ 95).
   */
  drops: { delta: Float64Array; logEta: Float64Array; logSk: Float64Array };
}

interface Prepared {
  features: PointFeatures[];
  y: Float64Array;
  /** Run index of each point. */
  run: Int32Array;
  runs: string[];
}

/** Most terms the multi-power law's annealing sums may hold over all checkpoints (24 bytes each). */
const MULTI_POWER_WORK = 1e7;

const empty = { delta: new Float64Array(0), logEta: new Float64Array(0), logSk: new Float64Array(0) };

/** Features of a curve at each step in `steps` (increasing), as both laws read them. */
function curveFeatures(
  lrs: Float64Array,
  warmupSteps: number,
  steps: number[],
  logN: number,
  lambda: number,
  needDrops: boolean,
): PointFeatures[] {
  const out: PointFeatures[] = [];
  let S1 = 0,
    S2 = 0,
    m = 0;
  let i = 0; // steps accumulated so far
  const W = Math.min(warmupSteps, lrs.length);
  for (const s of steps) {
    for (; i < s; i++) {
      const eta = lrs[i];
      S1 += eta;
      m = lambda * m + (i >= Math.max(1, W) ? lrs[i - 1] - eta : 0);
      S2 += m;
    }
    let drops: PointFeatures['drops'] = empty;
    if (needDrops && s > W) drops = dropsAt(lrs, W, s - W);
    out.push({ logN, S1, S2, drops });
  }
  return out;
}

/**
 * Drops within this many steps of a checkpoint enter its multi-power sum one by one; farther ones are
 * merged into blocks (MERGE_WIDTH). Every schedule of up to 4096 steps after warmup is summed exactly.
 */
const EXACT_DROPS = 4096;
/** A merged block spans at most this fraction of its distance from the checkpoint. */
const MERGE_WIDTH = 1 / 32;

/**
 * The multi-power law's drops before post-warmup step t: Δη_k, ln η_k and ln S_k(t), S_k(t) = Σ_{τ=k..t} η_τ, for every
 * k with η_{k−1} ≠ η_k. Beyond EXACT_DROPS steps from t, consecutive drops are merged into blocks of at most
 * MERGE_WIDTH of their distance: a block's Δη is the sum of its drops, its ln η and S_k the Δη-weighted means
 * of theirs (a midpoint rule: within a block S_k(t) changes by at most ~3 %, where the summand G varies
 * slowly). So a checkpoint costs at most EXACT_DROPS + 32·ln(t/EXACT_DROPS) terms however long the run
 * (about 4,220 at 200,000 steps), where the exact sum costs t.
 */
function dropsAt(lrs: Float64Array, W: number, t: number): PointFeatures['drops'] {
  // Post-warmup steps k = 1..t are lrs[W + k − 1]; η_0 is the LR at the end of warmup (the peak).
  const eta = (k: number) => lrs[W + k - 1];
  const prev = (k: number) => (W + k - 2 >= 0 ? lrs[W + k - 2] : lrs[W]);
  const delta: number[] = [],
    logEta: number[] = [],
    Sk: number[] = [];
  let suffix = 0;
  // The open block: its weight (Σ Δη), weighted sums of ln η and S_k, and the distance where it began.
  let w = 0,
    wLog = 0,
    wS = 0,
    from = -1;
  const close = () => {
    if (w !== 0) {
      delta.push(w);
      logEta.push(wLog / w);
      Sk.push(wS / w);
    }
    w = wLog = wS = 0;
    from = -1;
  };
  for (let k = t; k >= 1; k--) {
    suffix += eta(k);
    const d = prev(k) - eta(k);
    if (d === 0) continue;
    const distance = t - k;
    if (distance < EXACT_DROPS) {
      delta.push(d);
      logEta.push(Math.log(eta(k)));
      Sk.push(suffix);
      continue;
    }
    if (from >= 0 && distance - from > MERGE_WIDTH * from) close();
    if (from < 0) from = distance;
    w += d;
    wLog += d * Math.log(eta(k));
    wS += d * suffix;
  }
  close();
  // Increasing k, as the exact sum has always been laid out.
  return {
    delta: Float64Array.from(delta.reverse()),
    logEta: Float64Array.from(logEta.reverse()),
    logSk: Float64Array.from(Sk.reverse(), Math.log),
  };
}

/** At most how many terms dropsAt gives a checkpoint t steps after warmup. */
function dropTerms(t: number): number {
  return t <= EXACT_DROPS
    ? Math.max(0, t)
    : EXACT_DROPS + Math.ceil(Math.log(t / EXACT_DROPS) / Math.log1p(MERGE_WIDTH)) + 1;
}

/** Parameter names: linear coefficients first, then exponents (positive, fitted in logs). */
function layout(law: CurveLawId, joint: boolean): { linear: string[]; nonlinear: string[] } {
  const head = joint ? ['E', 'A_N'] : ['L0'];
  const headNl = joint ? ['a'] : [];
  return law === 'lr-annealing'
    ? { linear: [...head, 'A', 'C'], nonlinear: [...headNl, 'alpha'] }
    : { linear: [...head, 'A', 'B_beta'], nonlinear: [...headNl, 'alpha', 'C', 'beta', 'gamma'] };
}

/** Below this β·ln(C·x + 1) the drop gain and its β-derivative are summed as series (no cancellation). */
const SERIES_BELOW = 1e-2;

/**
 * The multi-power law's gain from one drop divided by β, with L = ln(C·x + 1):
 *   g(β, L) = G(x)/β = (1 − e^(−β·L))/β,  → L as β → 0,
 * and ∂g/∂β. Fitting B·β against g keeps the law continuous where β → 0 (G → 0 with B → ∞, B·β finite:
 * the loss drop becomes B·β·ln(C·x + 1)). ∂g/∂L is e^(−β·L), exact as it stands.
 */
export function dropGain(beta: number, L: number): { g: number; dBeta: number } {
  const z = beta * L;
  if (Math.abs(z) < SERIES_BELOW) {
    // g = L·Σ_{n≥0} (−z)^n/(n+1)!,  ∂g/∂β = L²·Σ_{n≥1} n·(−z)^(n−1)/(n+1)!; at |z| < 1e-2 the terms
    // left out are below 1e-16 of the sum.
    const g = L * (1 - z * (1 / 2 - z * (1 / 6 - z * (1 / 24 - z * (1 / 120 - z * (1 / 720 - z / 5040))))));
    const dBeta = L * L * (-1 / 2 + z * (1 / 3 - z * (1 / 8 - z * (1 / 30 - z * (1 / 144 - z / 840)))));
    return { g, dBeta };
  }
  const e = Math.exp(-z);
  // −expm1(−z)/β is accurate for every β; ∂g/∂β = (β·L·e^(−z) − (1 − e^(−z)))/β².
  const g = -Math.expm1(-z) / beta;
  return { g, dBeta: (L * e - g) / beta };
}

/** ln(1 + e^ℓ), without overflow for large ℓ or loss of digits for very negative ℓ. */
function softplus(l: number): number {
  return l > 0 ? l + Math.log1p(Math.exp(-l)) : Math.log1p(Math.exp(l));
}

/** 1/(1 + e^(−ℓ)), the derivative of softplus, without overflow on either side. */
function logistic(l: number): number {
  if (l >= 0) return 1 / (1 + Math.exp(-l));
  const e = Math.exp(l);
  return e / (1 + e);
}

/**
 * The basis at one point: phi[j] multiplies linear coefficient j; dphi[q][j] = ∂phi[j]/∂ln θ_q — with
 * respect to the exponents' logarithms, the coordinates they are fitted in, so that no derivative is
 * formed as a product of an overflowing and an underflowing factor. `logTheta` holds the exponents'
 * logarithms in layout order.
 */
function basis(
  law: CurveLawId,
  joint: boolean,
  f: PointFeatures,
  logTheta: ArrayLike<number>,
  phi: Float64Array,
  dphi: Float64Array[],
): void {
  let j = 0,
    q = 0;
  phi[j++] = 1;
  for (const d of dphi) d.fill(0);
  if (joint) {
    const a = Math.exp(logTheta[q]);
    phi[j] = Math.exp(-a * f.logN);
    dphi[q][j] = -a * f.logN * phi[j];
    j++;
    q++;
  }
  const alpha = Math.exp(logTheta[q]);
  if (law === 'lr-annealing') {
    const lnS1 = Math.log(f.S1);
    phi[j] = Math.exp(-alpha * lnS1);
    dphi[q][j] = -alpha * lnS1 * phi[j];
    phi[j + 1] = -f.S2;
    return;
  }
  // S1 counts every step from the first, warmup included: it is Luo et al.'s S1(t) + S_W already.
  const lnS = Math.log(f.S1);
  phi[j] = Math.exp(-alpha * lnS);
  dphi[q][j] = -alpha * lnS * phi[j];
  const lnC = logTheta[q + 1],
    beta = Math.exp(logTheta[q + 2]),
    gamma = Math.exp(logTheta[q + 3]);
  const { delta, logEta, logSk } = f.drops;
  // LD(t)/B·β = Σ Δη_k·g(β, L_k), L_k = ln(C·x_k + 1), x_k = η_k^(−γ)·S_k(t). In logs, ℓ_k = ln(C·x_k) =
  // ln C − γ·ln η_k + ln S_k and L_k = ln(1 + e^ℓ_k): finite and smooth for every γ, where x_k itself
  // overflows once γ·|ln η_k| passes ~709 (and the law would jump to its limit g = 1/β there).
  let ld = 0,
    dC = 0,
    dBeta = 0,
    dGamma = 0;
  for (let k = 0; k < delta.length; k++) {
    const l = lnC - gamma * logEta[k] + logSk[k];
    const L = softplus(l);
    const gain = dropGain(beta, L);
    ld += delta[k] * gain.g;
    // ∂g/∂L = e^(−β·L); ∂L/∂ℓ = 1/(1 + e^(−ℓ)); ∂ℓ/∂ln C = 1, ∂ℓ/∂ln γ = −γ·ln η_k.
    const dl = delta[k] * Math.exp(-beta * L) * logistic(l);
    dC += dl;
    dBeta += delta[k] * gain.dBeta;
    dGamma -= dl * gamma * logEta[k];
  }
  phi[j + 1] = -ld;
  dphi[q + 1][j + 1] = -dC;
  // β·∂g/∂β: at β underflowed to 0 it is 0, not 0·∞.
  dphi[q + 2][j + 1] = beta > 0 ? -beta * dBeta : 0;
  dphi[q + 3][j + 1] = -dGamma;
}

function prepare(curves: TrainingCurve[], opts: CurveFitOptions): Prepared {
  const lambda = opts.lambda ?? LR_ANNEALING_LAMBDA;
  const features: PointFeatures[] = [],
    y: number[] = [],
    run: number[] = [];
  curves.forEach((c, r) => {
    const steps = c.points.map((p) => p.step);
    const logN = c.N ? Math.log(c.N) : 0;
    features.push(...curveFeatures(c.lrs, c.warmupSteps, steps, logN, lambda, opts.law === 'multi-power'));
    for (const p of c.points) {
      y.push(p.loss);
      run.push(r);
    }
  });
  return { features, y: Float64Array.from(y), run: Int32Array.from(run), runs: curves.map((c) => c.name) };
}

/**
 * A run's learning rates where its law is defined. A rate of 0 (a warmup from 0, a decay to 0) is read
 * where the law is: both laws sum the rates (S1, and the lr-annealing law's annealing area S2), which
 * needs only that some training precedes each checkpoint. The multi-power law also raises the rate
 * after each drop to −γ and multiplies by the rates summed from that step on: at a drop to 0 that is
 * ∞ times a sum that is 0 at the drop, a value its parameters do not fix (the limit is 0 or ∞ as γ is
 * under or over 1), so a drop to 0 after warmup is refused there, at its run and step. A warmup is not
 * a drop, and steps held at 0 after one add no term.
 */
function checkRates(c: TrainingCurve, law: CurveLawId, file: string): void {
  const { lrs } = c;
  const at = (step: number) => c.points.find((p) => p.step === step)?.where ?? { file };
  for (let i = 0; i < lrs.length; i++)
    if (!(lrs[i] >= 0) || !Number.isFinite(lrs[i]))
      throw new InputError(
        at(i + 1),
        `run "${c.name}": the learning rate of step ${i + 1} is ${lrs[i]}; expected a number ≥ 0 at every step`,
      );
  let S1 = 0,
    i = 0;
  for (const p of c.points) {
    for (; i < p.step && i < lrs.length; i++) S1 += lrs[i];
    if (!(S1 > 0))
      throw new InputError(
        p.where ?? { file },
        `run "${c.name}": the learning rate is 0 at every step up to the checkpoint at step ${p.step}; a curve law reads the loss after training (the summed learning rate), expected a positive rate at some step before it`,
      );
  }
  if (law !== 'multi-power') return;
  const last = c.points.reduce((a, p) => Math.max(a, p.step), 0);
  for (let k = Math.max(1, c.warmupSteps); k < Math.min(last, lrs.length); k++)
    if (lrs[k] === 0 && lrs[k - 1] > 0)
      throw new InputError(
        at(k + 1),
        `run "${c.name}": the learning rate drops to 0 at step ${k + 1}; the multi-power law is not defined at a drop to 0 (its drop term raises that rate to a negative power and multiplies by the rates summed from it, ∞ × 0): give that step a small positive rate (for a schedule's decay to 0, "minLrFrac": 1/decaySteps is the line that reaches 0 one step later), or fit the lr-annealing law, which is defined there`,
      );
}

/** Check the curves can determine the law; refuse with a located reason otherwise. */
function checkCurves(curves: TrainingCurve[], opts: CurveFitOptions): void {
  const file = opts.source ?? 'the curves';
  if (!curves.length)
    throw new InputError(
      { file },
      'no training curves to fit (expected rows with run, step, loss and the learning rate)',
    );
  for (const c of curves) {
    for (const p of c.points) {
      const where = p.where ?? { file };
      if (!(p.step >= 1) || !Number.isInteger(p.step))
        throw new InputError(
          where,
          `run "${c.name}": expected a whole number of steps ≥ 1 at each checkpoint, got ${p.step}`,
        );
      if (p.step > c.lrs.length)
        throw new InputError(
          where,
          `run "${c.name}": a checkpoint at step ${p.step} lies beyond its schedule's ${c.lrs.length} steps`,
        );
      if (!(p.loss > 0) || !Number.isFinite(p.loss))
        throw new InputError(where, `run "${c.name}": expected a positive loss, got ${p.loss}`);
    }
    checkRates(c, opts.law, file);
  }
  const points = curves.reduce((a, c) => a + c.points.length, 0);
  if (opts.law === 'multi-power') {
    // The multi-power law sums over every earlier drop of the learning rate at every checkpoint: its
    // work and memory grow as checkpoints × decaying steps.
    const work = curves.reduce((a, c) => a + c.points.reduce((b, p) => b + dropTerms(p.step - c.warmupSteps), 0), 0);
    if (work > MULTI_POWER_WORK)
      throw new InputError(
        { file },
        `the multi-power law would sum ${formatNumber(work, 2)} terms over its checkpoints, more than ${plain(MULTI_POWER_WORK)}: fit fewer checkpoints per run (every k-th), or the lr-annealing law`,
      );
  }
  const { linear, nonlinear } = layout(opts.law, !!opts.joint);
  const p = linear.length + nonlinear.length;
  if (points < 2 * p)
    throw new InputError(
      { file },
      `the ${opts.law} law has ${p} parameters; ${points} checkpoints cannot determine them (expected at least ${2 * p})`,
    );
  if (opts.joint) {
    const sizes = new Set(curves.map((c) => c.N));
    if (sizes.has(undefined))
      throw new InputError(
        { file },
        `a joint fit across sizes needs N for every run; run "${curves.find((c) => c.N === undefined)!.name}" has none`,
      );
    if (sizes.size < 3)
      throw new InputError(
        { file },
        `a joint fit across sizes (L0 = E + A_N·N^(−a)) needs at least 3 model sizes; found ${sizes.size} (fit each size on its own instead)`,
      );
  }
  // The annealing term needs a curve whose learning rate falls after warmup, or C (B) is unidentified.
  const anneals = curves.some((c) => {
    for (let i = Math.max(1, c.warmupSteps); i < (c.points.at(-1)?.step ?? 0); i++)
      if (c.lrs[i] < c.lrs[i - 1]) return true;
    return false;
  });
  if (!anneals)
    throw new InputError(
      { file },
      `none of the ${curves.length} curves anneals (every learning rate is constant after warmup): the annealing term cannot be fitted; add a run whose learning rate decays (WSD, cosine)`,
    );
}

interface Fitted {
  u: Float64Array;
  f: number;
  converged: boolean;
}

/** Least squares over u = [ln coefficients, ln exponents], weighted by w. */
function makeObjective(prep: Prepared, opts: CurveFitOptions, w: Float64Array, y: Float64Array) {
  const { linear, nonlinear } = layout(opts.law, !!opts.joint);
  const k = linear.length,
    m = nonlinear.length;
  const phi = new Float64Array(k);
  const dphi = Array.from({ length: m }, () => new Float64Array(k));
  const c = new Float64Array(k);
  return (u: Float64Array, g: Float64Array): number => {
    for (let j = 0; j < k; j++) c[j] = Math.exp(u[j]);
    const logTheta = u.subarray(k);
    g.fill(0);
    let f = 0;
    for (let i = 0; i < y.length; i++) {
      if (w[i] === 0) continue;
      basis(opts.law, !!opts.joint, prep.features[i], logTheta, phi, dphi);
      let pred = 0;
      for (let j = 0; j < k; j++) pred += c[j] * phi[j];
      const r = pred - y[i];
      f += w[i] * r * r;
      const s = 2 * w[i] * r;
      for (let j = 0; j < k; j++) g[j] += s * c[j] * phi[j];
      for (let q = 0; q < m; q++) {
        let d = 0;
        for (let j = 0; j < k; j++) d += c[j] * dphi[q][j];
        g[k + q] += s * d;
      }
    }
    if (!Number.isFinite(f)) return Infinity;
    return f;
  };
}

/** The exponent grid for starts, the multi-power C scaled to the data's η^(−γ)·S_k. */
function startGrid(prep: Prepared, opts: CurveFitOptions): number[][] {
  const alphas = opts.law === 'lr-annealing' ? [0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5] : [0.2, 0.5, 1];
  const as = opts.joint ? [0.15, 0.3, 0.6] : [undefined];
  const grid: number[][] = [];
  if (opts.law === 'lr-annealing') {
    for (const a of as) for (const alpha of alphas) grid.push(a === undefined ? [alpha] : [a, alpha]);
    return grid;
  }
  for (const gamma of [0.3, 0.6]) {
    // A typical x = η^(−γ)·S_k among the drops, so C·x spans 0.1 … 100.
    const xs: number[] = [];
    for (const f of prep.features)
      for (let k = 0; k < f.drops.delta.length; k += Math.max(1, Math.floor(f.drops.delta.length / 8)))
        xs.push(Math.exp(-gamma * f.drops.logEta[k] + f.drops.logSk[k]));
    xs.sort((p, q) => p - q);
    const x = xs.length ? xs[Math.floor(xs.length / 2)] : 1;
    for (const a of as)
      for (const alpha of alphas)
        for (const cx of [0.1, 1, 10, 100])
          for (const beta of [0.3, 0.6, 1]) grid.push([...(a === undefined ? [] : [a]), alpha, cx / x, beta, gamma]);
  }
  return grid;
}

/** Coefficients by linear least squares at fixed exponents; null when singular. */
function solveCoefficients(
  prep: Prepared,
  opts: CurveFitOptions,
  theta: number[],
  w: Float64Array,
  y: Float64Array,
): { c: number[]; sse: number } | null {
  const { linear, nonlinear } = layout(opts.law, !!opts.joint);
  const k = linear.length;
  const phi = new Float64Array(k),
    dphi = Array.from({ length: nonlinear.length }, () => new Float64Array(k));
  const ata = Array.from({ length: k }, () => new Array<number>(k).fill(0)),
    atb = new Array<number>(k).fill(0);
  const logTheta = theta.map(Math.log);
  const rows: Float64Array[] = [];
  for (let i = 0; i < y.length; i++) {
    basis(opts.law, !!opts.joint, prep.features[i], logTheta, phi, dphi);
    rows.push(Float64Array.from(phi));
    if (w[i] === 0) continue;
    for (let a = 0; a < k; a++) {
      atb[a] += w[i] * phi[a] * y[i];
      for (let b = 0; b < k; b++) ata[a][b] += w[i] * phi[a] * phi[b];
    }
  }
  for (let a = 0; a < k; a++) ata[a][a] *= 1 + 1e-10;
  const sol = solveLinear(ata, atb);
  if (!sol || sol.some((v) => !Number.isFinite(v))) return null;
  // Every coefficient is positive in both laws: a negative one starts just above zero.
  const floor = 1e-6 * Math.max(...y);
  const c = sol.map((v) => Math.max(v, floor));
  let sse = 0;
  for (let i = 0; i < y.length; i++) {
    let pred = 0;
    for (let a = 0; a < k; a++) pred += c[a] * rows[i][a];
    sse += w[i] * (pred - y[i]) ** 2;
  }
  return { c, sse };
}

function fitPrepared(
  prep: Prepared,
  opts: CurveFitOptions,
  w: Float64Array,
  y: Float64Array,
  warm?: Float64Array,
): Fitted {
  const fg = makeObjective(prep, opts, w, y);
  const starts: Float64Array[] = [];
  if (warm) starts.push(Float64Array.from(warm));
  else {
    const scored = startGrid(prep, opts)
      .map((theta) => ({ theta, sol: solveCoefficients(prep, opts, theta, w, y) }))
      .filter((s): s is { theta: number[]; sol: { c: number[]; sse: number } } => s.sol !== null)
      .sort((a, b) => a.sol.sse - b.sol.sse);
    for (const s of scored.slice(0, 4)) starts.push(Float64Array.from([...s.sol.c, ...s.theta].map(Math.log)));
  }
  let best: Fitted | undefined;
  for (const x0 of starts) {
    const r = lbfgs(fg, x0, { maxIterations: 2000, gradientTolerance: 1e-12, functionTolerance: 1e-14 });
    if (Number.isFinite(r.f) && (!best || r.f < best.f)) best = { u: r.x, f: r.f, converged: r.converged };
  }
  if (!best)
    throw new InputError(
      { file: opts.source ?? 'the curves' },
      `the ${opts.law} law could not be fitted to these curves (every start failed): look for a curve whose loss does not fall`,
    );
  return best;
}

/**
 * The fitted parameters by name, from their logarithms `u` in layout order: each is exactly 0 where its
 * logarithm passed −745, as fits running to a limit do (the reader, curveParamsProblem, takes that). The
 * multi-power law is fitted with B·β (B_beta) in place of B; Luo et al.'s B = B_beta/β is reported beside
 * it, so a fit reads as the paper writes the law — left out only where β has underflowed to 0 and B is no
 * finite number (the law is then B·β·ln(C·x + 1)).
 */
export function paramsFromLogs(
  opts: Pick<CurveFitOptions, 'law' | 'joint'>,
  u: ArrayLike<number>,
): Record<string, number> {
  const { linear, nonlinear } = layout(opts.law, !!opts.joint);
  const fitted = [...linear, ...nonlinear].map((name, i): [string, number] => [name, Math.exp(u[i])]);
  if (opts.law !== 'multi-power') return Object.fromEntries(fitted);
  const p = Object.fromEntries(fitted);
  const B = p.B_beta / p.beta;
  const out: Record<string, number> = {};
  for (const [name, v] of fitted) {
    if (name === 'B_beta' && B > 0 && Number.isFinite(B)) out.B = B;
    out[name] = v;
  }
  return out;
}

/**
 * What is wrong with a law's parameters as a fit file holds them, or undefined when nothing is: every
 * parameter of the law there, each a finite number ≥ 0. Zero is a value ScaleLab writes: parameters are
 * fitted in logarithms, and one a fit (or a bootstrap replicate) drives towards 0 — β, γ, L0 — reaches
 * exactly 0 once its logarithm passes −745; the law is defined there (at β = 0 the multi-power drop is
 * B·β·ln(C·x + 1), and B, no finite number, is left out). A file written before B·β was fitted holds B and
 * β instead of B_beta.
 */
export function curveParamsProblem(law: CurveLawId, joint: boolean, params: unknown): string | undefined {
  if (!params || typeof params !== 'object' || Array.isArray(params))
    return 'expected its parameters as numbers by name';
  const p = params as Record<string, unknown>;
  for (const [name, v] of Object.entries(p)) {
    if (typeof v !== 'number' || !Number.isFinite(v))
      return `parameter ${name} is ${JSON.stringify(v)}; expected a finite number`;
    if (v < 0) return `parameter ${name} is ${v}; expected a number ≥ 0`;
  }
  const { linear, nonlinear } = layout(law, joint);
  const missing = [...linear, ...nonlinear].filter(
    (n) => p[n] === undefined && !(n === 'B_beta' && p.B !== undefined && p.beta !== undefined),
  );
  return missing.length
    ? `the ${law} law${joint ? ' across sizes' : ''} needs ${missing.join(', ')}; missing here`
    : undefined;
}

/**
 * The fitted coordinates (logarithms) from parameters by name. A multi-power fit written before B·β was
 * fitted holds B and β alone: B_beta is their product.
 */
function fromParams(opts: Pick<CurveFitOptions, 'law' | 'joint'>, params: Record<string, number>): Float64Array {
  const { linear, nonlinear } = layout(opts.law, !!opts.joint);
  const value = (n: string) => params[n] ?? (n === 'B_beta' ? params.B * params.beta : NaN);
  return Float64Array.from([...linear, ...nonlinear].map((n) => Math.log(value(n))));
}

/**
 * The least-squares objective a fit minimises, over the logarithms of the parameters in the order of
 * `names`, with its analytic gradient; `at` gives those coordinates for parameters by name. For checking
 * the gradient against finite differences.
 */
export function curveLawObjective(
  curves: TrainingCurve[],
  opts: CurveFitOptions,
): {
  names: string[];
  objective: (u: Float64Array, g: Float64Array) => number;
  at: (params: Record<string, number>) => Float64Array;
} {
  const prep = prepare(curves, opts);
  const { linear, nonlinear } = layout(opts.law, !!opts.joint);
  return {
    names: [...linear, ...nonlinear],
    objective: makeObjective(prep, opts, new Float64Array(prep.y.length).fill(1), prep.y),
    at: (params) => fromParams(opts, params),
  };
}

/**
 * Fit a curve law to one or more runs' curves (of one size, or of several with `joint`).
 * @throws InputError when the curves cannot determine the law (too few points, no annealing, < 3 sizes for joint)
 */
export function fitCurveLaw(curves: TrainingCurve[], opts: CurveFitOptions): CurveFit {
  checkCurves(curves, opts);
  const prep = prepare(curves, opts);
  const w = new Float64Array(prep.y.length).fill(1);
  const best = fitPrepared(prep, opts, w, prep.y);
  const { degenerate, shape } = unidentified(prep, opts, best);
  return {
    law: opts.law,
    citation: curveLawCitations[opts.law],
    joint: !!opts.joint,
    lambda: opts.lambda ?? LR_ANNEALING_LAMBDA,
    params: paramsFromLogs(opts, best.u),
    rms: Math.sqrt(best.f / prep.y.length),
    points: prep.y.length,
    runs: prep.runs,
    sizes: [...new Set(curves.map((c) => c.N).filter((n): n is number => n !== undefined))].sort((a, b) => a - b),
    converged: best.converged,
    ...(degenerate.length ? { degenerate } : {}),
    ...(shape.length ? { shapeAtLimit: shape } : {}),
  };
}

/**
 * A parameter is identified when its linearised 95 % interval, the other parameters refitted, spans less
 * than this factor either way: the data tell it from 10× or a tenth of its value.
 */
const IDENTIFIED_WITHIN = 10;

/**
 * The least scatter, relative to the mean loss, the identification check reads a fit at: 0.1 %. A curve's
 * checkpoints share an evaluation set and a seed, so they can scatter less about the fit than that, but the
 * loss of the run is not known better: runs that differ only in their seed differ by more (docs/methods.md
 * §35, "Parameters the curves do not identify"). Set from that, not from a data set; on the back-tests it
 * moves no mark, and it is what lets a noise-free curve's unidentified parameters be marked at all.
 */
const NOISE_FLOOR = 1e-3;

/**
 * The fitted parameters (in layout order, by name) that the curves do not identify. At the fit, the
 * Jacobian J of the predicted losses in the fitted coordinates (logarithms of every parameter) and the
 * residual variance s² = SSE/(n − p), floored at NOISE_FLOOR of the mean loss, give each coordinate's linearised standard error with the others
 * refitted, s/‖J_q − projection of J_q on the other columns‖ (Gauss–Newton, as a profile likelihood near
 * its optimum). One whose 95 % interval (1.96 of them) spans more than a factor IDENTIFIED_WITHIN either way
 * is not identified: a coefficient or exponent run to a limit (0 or ∞, where its column vanishes) or
 * trading off exactly against another (collinear columns). The multi-power law's drop shape (C, β, γ) is
 * checked apart: among all the parameters, and returned as `shape` (said, not marked), while the others are
 * checked with the shape held (see below). Linearised and with the residuals' scatter taken as independent,
 * so it errs towards calling a parameter identified (checkpoints along a run are correlated: their scatter
 * counts less than s says).
 */
function unidentified(
  prep: Prepared,
  opts: CurveFitOptions,
  fitted: Fitted,
): { degenerate: string[]; shape: string[] } {
  const { linear, nonlinear } = layout(opts.law, !!opts.joint);
  const names = [...linear, ...nonlinear];
  const k = linear.length,
    m = nonlinear.length,
    n = prep.y.length;
  const u = fitted.u;
  const c = Array.from({ length: k }, (_, j) => Math.exp(u[j]));
  const logTheta = u.subarray(k);
  const phi = new Float64Array(k),
    dphi = Array.from({ length: m }, () => new Float64Array(k));
  const columns = names.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    basis(opts.law, !!opts.joint, prep.features[i], logTheta, phi, dphi);
    for (let j = 0; j < k; j++) columns[j][i] = c[j] * phi[j];
    for (let q = 0; q < m; q++) {
      let d = 0;
      for (let j = 0; j < k; j++) d += c[j] * dphi[q][j];
      columns[k + q][i] = d;
    }
  }
  // The multi-power law's drop shape (C, β, γ) runs to a limit of the law on real runs (β → 0; β → ∞ with
  // C → 0, where G → 1 − e^(−β·C·x); γ → 0 or ∞), where fewer combinations of them are fixed by the data
  // and the law stays continuous: the shape is checked on its own, and the other parameters with the
  // shape held, so that a shape at a limit does not mark the level, the power term or the drop's size.
  const shape = opts.law === 'multi-power' ? ['C', 'beta', 'gamma'].map((n) => k + nonlinear.indexOf(n)) : [];
  const dof = n - names.length;
  if (dof <= 0) return { degenerate: [], shape: [] };
  // The scatter the intervals are read at: the fit's own, but not below NOISE_FLOOR of the mean loss. A
  // noise-free curve (synthetic, or smoothed) fits with a scatter of rounding error, which would read every
  // parameter whose column is not exactly 0 or exactly collinear as known to the last digit.
  const meanLoss = prep.y.reduce((a, v) => a + v, 0) / n;
  const s = Math.max(Math.sqrt(fitted.f / dof), NOISE_FLOOR * meanLoss);
  // A coefficient of a power term is its value at S1 = 1 (N = 1), far outside the data: its profile there
  // swings with the exponent. It is checked at the data's middle instead — A·S̄^(−α) (A_N·N̄^(−a)), S̄ and N̄
  // the fitted points' geometric means — where the exponent moves it least: the exponent's column, with
  // that value held, adds the coefficient's column times α·ln S̄ (a·ln N̄).
  const middle = (logs: (f: PointFeatures) => number) =>
    prep.features.reduce((a, f) => a + logs(f), 0) / Math.max(1, prep.features.length);
  const heldAtMiddle = (coefficient: string, exponent: string, lnMiddle: number): [number, Float64Array] | [] => {
    const j = names.indexOf(coefficient),
      q = names.indexOf(exponent);
    if (j < 0 || q < 0) return [];
    const theta = Math.exp(u[q]);
    return [q, columns[q].map((v, i) => v + theta * lnMiddle * columns[j][i])];
  };
  const swapped: Record<string, [number, Float64Array] | []> = {
    A: heldAtMiddle(
      'A',
      'alpha',
      middle((f) => Math.log(f.S1)),
    ),
    A_N: heldAtMiddle(
      'A_N',
      'a',
      middle((f) => f.logN),
    ),
  };
  const loose = (q: number, others: number[]) => {
    const [swap, column] = swapped[names[q]] ?? [];
    const rest = orthonormalBasis(
      others.filter((i) => i !== q).map((i) => (i === swap && column ? column : columns[i])),
    );
    const r = Float64Array.from(columns[q]);
    for (const e of rest) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += e[i] * r[i];
      for (let i = 0; i < n; i++) r[i] -= dot * e[i];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += r[i] * r[i];
    // 95 % half-width in ln units, 1.96·s/‖r‖, beyond ln 10: compared without dividing (‖r‖ may be 0).
    return 1.96 * s > Math.log(IDENTIFIED_WITHIN) * Math.sqrt(norm);
  };
  const all = names.map((_, i) => i);
  const held = all.filter((i) => !shape.includes(i));
  return {
    degenerate: held.filter((q) => loose(q, held)).map((q) => names[q]),
    shape: shape.filter((q) => loose(q, all)).map((q) => names[q]),
  };
}

/**
 * An orthonormal basis of the span of `columns` (modified Gram–Schmidt, twice for accuracy); a column
 * within 1e-10 of the span of those before it adds nothing (exact trade-offs leave the basis smaller).
 */
function orthonormalBasis(columns: Float64Array[]): Float64Array[] {
  const basisOut: Float64Array[] = [];
  for (const col of columns) {
    const v = Float64Array.from(col);
    let before = 0;
    for (const x of v) before += x * x;
    for (let pass = 0; pass < 2; pass++)
      for (const e of basisOut) {
        let dot = 0;
        for (let i = 0; i < v.length; i++) dot += e[i] * v[i];
        for (let i = 0; i < v.length; i++) v[i] -= dot * e[i];
      }
    let after = 0;
    for (const x of v) after += x * x;
    if (!(after > 1e-20 * before) || after === 0) continue;
    const norm = Math.sqrt(after);
    basisOut.push(v.map((x) => x / norm));
  }
  return basisOut;
}

/** The law's loss after each of `steps` steps of a run with these learning rates. */
export function predictCurve(
  fit: Pick<CurveFit, 'law' | 'joint' | 'lambda' | 'params'>,
  target: { lrs: Float64Array; warmupSteps: number; N?: number },
  steps: number[],
): number[] {
  const opts = { law: fit.law, joint: fit.joint };
  const { linear, nonlinear } = layout(fit.law, fit.joint);
  const features = curveFeatures(
    target.lrs,
    target.warmupSteps,
    steps,
    target.N ? Math.log(target.N) : 0,
    fit.lambda,
    fit.law === 'multi-power',
  );
  const u = fromParams(opts, fit.params);
  const c = linear.map((_, j) => Math.exp(u[j])),
    logTheta = u.subarray(linear.length);
  const phi = new Float64Array(linear.length),
    dphi = nonlinear.map(() => new Float64Array(linear.length));
  return features.map((f) => {
    basis(fit.law, fit.joint, f, logTheta, phi, dphi);
    return c.reduce((a, cj, j) => a + cj * phi[j], 0);
  });
}

export interface CurveBootstrap {
  /**
   * 'lineage': the runs of one lineage (cooldown branches of one trunk) drawn together, with
   * replacement; 'run': whole runs drawn with replacement; 'block': blocks of consecutive residuals
   * within each run.
   */
  unit: 'lineage' | 'run' | 'block';
  replicates: Record<string, number>[];
  /** Replicates whose refit failed (left out). */
  failed: number;
  /** The fit's residual scatter (rms), added to a new run's prediction. */
  rms: number;
  level: number;
}

/**
 * Bootstrap a curve fit: whole runs resampled with replacement when there are at least 3 runs (a
 * resample with no annealing run is drawn again) — whole lineages when every curve names one (the
 * branches of one WSD trunk share its stable phase), at least 3 of them; otherwise moving blocks of ~√n consecutive
 * residuals within each run, added back to the fitted curve (the checkpoints of one run are not
 * independent: their noise is correlated along the run). Refits start warm from the fit.
 */
export function bootstrapCurveLaw(
  curves: TrainingCurve[],
  opts: CurveFitOptions,
  fit: CurveFit,
  replicates: number,
  seed: number,
  onReplicate?: () => void,
): CurveBootstrap {
  const steps = curveBootstrapSteps(curves, opts, fit, replicates, seed);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    onReplicate?.();
  }
}

/**
 * bootstrapCurveLaw one replicate at a time: the generator yields after each replicate (how many are
 * done) and returns the bootstrap. A caller on a thread that must stay responsive (a command that
 * stops on Ctrl-C, minutes of replicates) gives its event loop a turn between them.
 */
export function* curveBootstrapSteps(
  curves: TrainingCurve[],
  opts: CurveFitOptions,
  fit: CurveFit,
  replicates: number,
  seed: number,
): Generator<number, CurveBootstrap, void> {
  const prep = prepare(curves, opts);
  // Warm starts, but a parameter the fit drove to (nearly) zero starts again from a small value: in
  // logarithms a coefficient at 1e-11 has no gradient, and every replicate would stay there, giving it
  // (and what it trades off against) an interval of zero width.
  const warm = fromParams(opts, fit.params);
  const { linear } = layout(opts.law, !!opts.joint);
  const lift = Math.log(1e-3 * Math.max(...curves.flatMap((c) => c.points.map((p) => p.loss))));
  for (let j = 0; j < linear.length; j++) warm[j] = Math.max(warm[j], lift);
  for (let q = linear.length; q < warm.length; q++) warm[q] = Math.max(warm[q], Math.log(1e-3));
  const n = prep.y.length,
    runs = curves.length;
  // A cluster per lineage when every curve names one, else per run.
  const byLineage = curves.every((c) => c.lineage !== undefined);
  const ids = new Map<string, number>();
  const cluster = curves.map((c, i) => {
    if (!byLineage) return i;
    let k = ids.get(c.lineage!);
    if (k === undefined) ids.set(c.lineage!, (k = ids.size));
    return k;
  });
  const clusters = byLineage ? ids.size : runs;
  const unit: CurveBootstrap['unit'] = clusters < 3 ? 'block' : byLineage ? 'lineage' : 'run';
  const fitted = Float64Array.from(
    curves.flatMap((c) =>
      predictCurve(
        fit,
        c,
        c.points.map((p) => p.step),
      ),
    ),
  );
  const residual = Float64Array.from(prep.y, (v, i) => v - fitted[i]);
  const annealing = curves.map((c) => c.lrs.some((v, i) => i >= Math.max(1, c.warmupSteps) && v < c.lrs[i - 1]));
  const out: Record<string, number>[] = [];
  let failed = 0;
  const counts = new Float64Array(clusters);
  for (let r = 0; r < replicates; r++) {
    const random = randomSource(seed, r);
    const w = new Float64Array(n).fill(1);
    let y = prep.y;
    if (unit !== 'block') {
      for (let tries = 0; tries < 100; tries++) {
        resampleCounts(clusters, random, counts);
        if (annealing.some((a, i) => a && counts[cluster[i]] > 0)) break;
      }
      for (let i = 0; i < n; i++) w[i] = counts[cluster[prep.run[i]]];
    } else {
      y = new Float64Array(n);
      let start = 0;
      for (let c = 0; c < runs; c++) {
        const len = curves[c].points.length;
        const block = Math.max(1, Math.round(Math.sqrt(len)));
        for (let i = 0; i < len; i += block) {
          const from = start + Math.floor(random() * Math.max(1, len - block + 1));
          for (let b = 0; b < block && i + b < len; b++) y[start + i + b] = fitted[start + i + b] + residual[from + b];
        }
        start += len;
      }
    }
    try {
      const f = fitPrepared(prep, opts, w, y, warm);
      const p = paramsFromLogs(opts, f.u);
      if (Object.values(p).every(Number.isFinite)) out.push(p);
      else failed++;
    } catch {
      failed++;
    }
    yield r + 1;
  }
  return { unit, replicates: out, failed, rms: fit.rms, level: 0.95 };
}

/**
 * Parameters that every bootstrap replicate kept at one value. The refits ended where they have no
 * gradient — a limit of the law, e.g. the multi-power law's γ → ∞ with β → 0, where every replicate keeps
 * the fit's value; or the warm start's bound, where the Gemstones' 512×12 fit to 30B has all its
 * replicates at γ = C = 10⁻³ though the fit is elsewhere — so the replicates' spread leaves out their
 * uncertainty. (On the back-tests the intervals for a new run of such fits held on the Gemstones and missed
 * on moby: docs/methods.md §35.)
 */
export function frozenParameters(
  params: Readonly<Record<string, number>>,
  replicates: readonly Readonly<Record<string, number>>[],
): string[] {
  if (replicates.length < 2) return [];
  return Object.keys(params).filter((k) => {
    const first = replicates[0][k];
    return (
      first !== undefined &&
      first !== 0 &&
      Number.isFinite(first) &&
      replicates.every((r) => r[k] !== undefined && Math.abs(r[k] / first - 1) < 1e-9)
    );
  });
}

export interface CurvePrediction {
  steps: number[];
  loss: number[];
  /** The law's interval (replicates only) and a new run's (replicates plus the residual scatter). */
  lawInterval?: [number, number][];
  interval?: [number, number][];
  /**
   * Replicates left out because they predict a loss that is not a positive number somewhere on
   * this curve (a degenerate refit, e.g. the multi-power law's B → ∞ with β → 0): an interval
   * built from them would reach below zero and cover anything.
   */
  dropped?: number;
  /**
   * Whether the fit's own prediction lies outside its replicates' interval (the law's), per step: the
   * replicates went elsewhere than the fit — degenerate parameters (e.g. the multi-power law's β → 0 with
   * B → ∞) — and neither the prediction nor the interval can be trusted there.
   */
  pointOutside?: boolean[];
}

/**
 * The relative error a law makes when carried beyond its checkpoints, per decade of steps: a new run's
 * interval at step s adds a normal error of standard deviation CURVE_EXTRAPOLATION·log10(s/reach) of the
 * predicted loss, reach being the last fitted checkpoint's step (none within it). Learnt from real
 * back-tests (bench/curve-law-backtest.ts): the smallest slope whose intervals hold 95 % of their cases.
 */
export const CURVE_EXTRAPOLATION = 0.0065;

export interface CurveExtrapolation {
  /** Relative standard deviation per decade of steps beyond `reach` (0: none). */
  slope: number;
  /** The last fitted checkpoint's step. */
  reach: number;
}

/** The runs one fit of a fit file was fitted to: all of them for a joint fit, else those of its size. */
export function fittedRuns<T extends { N?: number }>(inputs: readonly T[], joint: boolean, N?: number): T[] {
  return inputs.filter((i) => joint || N === undefined || i.N === N);
}

/**
 * Where a fit's checkpoints end, from what a fit file records of its runs: each run's last fitted
 * checkpoint (`lastStep`), else — files written before it was recorded — its schedule's length; undefined
 * when a run has neither (then no extrapolation term can be placed).
 */
export function checkpointReach(
  inputs: readonly { lastStep?: number; schedule?: { steps: number } }[],
): number | undefined {
  const ends = inputs.map((i) => i.lastStep ?? i.schedule?.steps);
  return ends.length && ends.every((e): e is number => e !== undefined && e > 0) ? Math.max(...ends) : undefined;
}

/** Decades of steps beyond the fitted checkpoints: log10(step/reach), 0 within them. */
export function extrapolationDistance(step: number, reach: number): number {
  return step > reach ? Math.log10(step / reach) : 0;
}

/**
 * A new run's interval at one step from the replicates' predictions there: each plus the fit's scatter
 * (normal, SD rms) and the extrapolation term (normal, SD relSd of the prediction), the level's
 * percentiles. The draws come from streams keyed by the seed and the step, so a step's interval is the
 * same whichever other steps are predicted with it (a curve of 50 points, one final loss, a back-test).
 */
export function newRunInterval(
  values: readonly number[],
  rms: number,
  relSd: number,
  level: number,
  seed: number,
  step: number,
): [number, number] {
  const scatter = randomSource(seed ^ 0x5eed, 4 * step),
    far = randomSource(seed ^ 0xfa7, 4 * step);
  return percentileInterval(
    values.map((v) => v + rms * normal(scatter) + (relSd > 0 ? v * relSd * normal(far) : 0)),
    level,
  );
}

/**
 * Predict a target run's curve, with intervals when a bootstrap is given; `extrapolation` widens a new
 * run's interval beyond the fitted checkpoints (CURVE_EXTRAPOLATION).
 */
export function predictWithIntervals(
  fit: CurveFit,
  target: { lrs: Float64Array; warmupSteps: number; N?: number },
  steps: number[],
  boot?: CurveBootstrap,
  level = 0.95,
  seed = 1,
  extrapolation?: CurveExtrapolation,
): CurvePrediction {
  const loss = predictCurve(fit, target, steps);
  if (!boot || boot.replicates.length < 2) return { steps, loss };
  const all = boot.replicates.map((params) => predictCurve({ ...fit, params }, target, steps));
  const reps = all.filter((r) => r.every((v) => v > 0 && Number.isFinite(v)));
  if (reps.length < 2) return { steps, loss, dropped: all.length - reps.length };
  const lawInterval = steps.map((_, i) =>
    percentileInterval(
      reps.map((r) => r[i]),
      level,
    ),
  );
  const interval = steps.map((step, i) =>
    newRunInterval(
      reps.map((r) => r[i]),
      boot.rms,
      extrapolation ? extrapolation.slope * extrapolationDistance(step, extrapolation.reach) : 0,
      level,
      seed,
      step,
    ),
  );
  const pointOutside = loss.map((v, i) => v < lawInterval[i][0] || v > lawInterval[i][1]);
  return {
    steps,
    loss,
    lawInterval,
    interval,
    dropped: all.length - reps.length,
    ...(pointOutside.some(Boolean) ? { pointOutside } : {}),
  };
}

/**
 * The WSD decay fraction with the lowest predicted final loss for a budget of `steps` (a grid of
 * 1 % steps from 1 % to 99 %), with the spread of the best fraction across bootstrap replicates.
 */
export function bestDecayFraction(
  fit: Pick<CurveFit, 'law' | 'joint' | 'lambda' | 'params'>,
  makeLrs: (decayFrac: number) => { lrs: Float64Array; warmupSteps: number },
  steps: number,
  N?: number,
  boot?: CurveBootstrap,
  level = 0.95,
): { decayFrac: number; loss: number; curve: { decayFrac: number; loss: number }[]; interval?: [number, number] } {
  const fracs = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
  // One schedule's learning rates at a time (8 bytes a step): holding all 99 took 99 × 80 MB at 1e7 steps.
  const replicates = boot && boot.replicates.length >= 2 ? boot.replicates : [];
  const losses: number[] = [];
  const replicateLosses = replicates.map((): number[] => []);
  for (const f of fracs) {
    const t = makeLrs(f);
    const final = (params: Record<string, number>) => predictCurve({ ...fit, params }, { ...t, N }, [steps])[0];
    losses.push(final(fit.params));
    replicates.forEach((p, r) => replicateLosses[r].push(final(p)));
  }
  const argmin = (l: number[]) => {
    let b = 0;
    l.forEach((v, i) => (v < l[b] ? (b = i) : 0));
    return b;
  };
  const best = argmin(losses);
  const curve = fracs.map((decayFrac, i) => ({ decayFrac, loss: losses[i] }));
  if (!replicates.length) return { decayFrac: fracs[best], loss: losses[best], curve };
  const argmins = replicateLosses.map((l) => fracs[argmin(l)]);
  return { decayFrac: fracs[best], loss: losses[best], curve, interval: percentileInterval(argmins, level) };
}
