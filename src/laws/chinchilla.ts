import type { Law, LawInputs } from './law.js';
import { range, CHINCHILLA_EXPONENTS } from './law.js';
import { chinchillaKernel } from './kernels/chinchilla.js';

/**
 * Run i's row of ∂ ln L̂ / ∂(e, a, b, α, β), from its three terms over a common factor (w1 for A/N^α,
 * w2 for B/D^β, w3 for E) and their sum s: each term's share of the sum. logPredict and
 * gridLogPredict both write it here, so a fix reaches both.
 */
function jacobianRow(
  jac: Float64Array,
  i: number,
  w1: number,
  w2: number,
  w3: number,
  s: number,
  logN: number,
  logD: number,
): void {
  const k = i * 5,
    inv = 1 / s;
  jac[k] = w3 * inv;
  jac[k + 1] = w1 * inv;
  jac[k + 2] = w2 * inv;
  jac[k + 3] = -w1 * inv * logN;
  jac[k + 4] = -w2 * inv * logD;
}
/**
 * Chinchilla's parametric loss (Hoffmann et al. 2022, §3.3, Eq. 2):
 *   L̂(N, D) = E + A/N^α + B/D^β,
 * fitted as ln L̂ = LSE(a − α·ln N, b − β·ln D, e) with A, B, E = exp(a, b, e) (their App. D.2),
 * which keeps E, A, B positive and the objective smooth.
 *
 * Derived: the compute-optimal frontier's exponents a = β/(α+β), b = α/(α+β) and the constant
 * G = (αA/(βB))^(1/(α+β)), so N_opt(C) = G·(C/6)^a and D_opt(C) = (C/6)^b / G (their Eq. 4).
 */
export const chinchilla: Law = {
  id: 'chinchilla',
  title: 'Chinchilla parametric loss',
  formula: 'L = E + A/N^α + B/D^β',
  citation:
    'Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models", arXiv:2203.15556, Eq. 2 and App. D.2',
  inputs: ['N', 'D'],
  params: [
    {
      name: 'E',
      symbol: 'E',
      description: 'irreducible loss',
      scale: 'log',
      grid: range(-1, 1, 0.5),
      role: 'irreducible',
    },
    {
      name: 'A',
      symbol: 'A',
      description: 'model-size term scale',
      scale: 'log',
      grid: range(0, 25, 5),
      role: 'scale',
      of: 'N',
    },
    {
      name: 'B',
      symbol: 'B',
      description: 'data term scale',
      scale: 'log',
      grid: range(0, 25, 5),
      role: 'scale',
      of: 'D',
    },
    {
      name: 'alpha',
      symbol: 'α',
      description: 'model-size exponent',
      scale: 'linear',
      grid: range(0, 2, 0.5),
      published: CHINCHILLA_EXPONENTS,
      role: 'exponent',
      of: 'N',
    },
    {
      name: 'beta',
      symbol: 'β',
      description: 'data exponent',
      scale: 'linear',
      grid: range(0, 2, 0.5),
      published: CHINCHILLA_EXPONENTS,
      role: 'exponent',
      of: 'D',
    },
  ],
  // The grid above is Hoffmann et al.'s (App. D.2): 6 × 6 × 5 × 5 × 5 = 4,500 starts.
  publishedGrid: 'hoffmann',
  fewRunsTie: { tie: { beta: 'alpha' }, source: 'Muennighoff et al. 2023' },
  closedForm: {
    computeOptimal(v, C) {
      const { G, a, b } = frontierConstants(v);
      return { N: G * Math.pow(C / 6, a), D: Math.pow(C / 6, b) / G };
    },
    computeOptimalTokens(v, N) {
      const { G, a, b } = frontierConstants(v);
      return Math.pow(Math.pow(N / G, 1 / a), b) / G;
    },
    tokensToReach(v, N, loss) {
      const gap = loss - v.E - v.A * Math.pow(N, -v.alpha);
      return gap > 0 ? Math.pow(v.B / gap, 1 / v.beta) : Infinity;
    },
    smallestModel(v, loss) {
      return loss > v.E ? Math.pow(v.A / (loss - v.E), 1 / v.alpha) : Infinity;
    },
  },
  // Besiroglu et al. 2024's refit of Hoffmann et al.'s runs, over the range of those runs.
  example: {
    params: { E: 1.8172, A: 482.01, B: 2085.43, alpha: 0.3478, beta: 0.3658 },
    ranges: { N: [5e7, 2e10], D: [1e9, 5e11] },
  },
  logPredict(theta: Float64Array, x: LawInputs, out: Float64Array, jac: Float64Array | null): void {
    const e = theta[0],
      a = theta[1],
      b = theta[2],
      alpha = theta[3],
      beta = theta[4];
    const logN = x.logN!,
      logD = x.logD!;
    for (let i = 0; i < x.n; i++) {
      const t1 = a - alpha * logN[i];
      const t2 = b - beta * logD[i];
      // Log-sum-exp shifted by the largest term; that term's exp is 1, so two exps per point.
      let m: number, w1: number, w2: number, w3: number;
      if (t1 >= t2 && t1 >= e) {
        m = t1;
        w1 = 1;
        w2 = Math.exp(t2 - m);
        w3 = Math.exp(e - m);
      } else if (t2 >= e) {
        m = t2;
        w1 = Math.exp(t1 - m);
        w2 = 1;
        w3 = Math.exp(e - m);
      } else {
        m = e;
        w1 = Math.exp(t1 - m);
        w2 = Math.exp(t2 - m);
        w3 = 1;
      }
      const s = w1 + w2 + w3;
      out[i] = m + Math.log(s);
      if (jac) jacobianRow(jac, i, w1, w2, w3, s, logN[i], logD[i]);
    }
  },
  // logPredict's values to the last bits or so, faster: the log-sum-exp is shifted once per
  // evaluation (by the largest term over all runs) rather than run by run, so with that one shift
  // A/N^α and B/D^β take one value per distinct N and D (a ladder has a few model sizes), one exp
  // each. Refines the thousands of starts of a full grid; the best is polished with logPredict.
  gridLogPredict(theta: Float64Array, x: LawInputs, out: Float64Array, jac: Float64Array | null): void {
    const e = theta[0],
      a = theta[1],
      b = theta[2],
      alpha = theta[3],
      beta = theta[4];
    const logN = x.logN!,
      logD = x.logD!;
    const { n: sizes, d: tokens } = distinctInputs(logN, logD);
    // c, the largest term over every run: a term is linear in ln N or ln D, so its largest value is
    // at an end of their range. Every exp is then ≤ 1.
    const c = Math.max(e, a - alpha * sizes.lo, a - alpha * sizes.hi, b - beta * tokens.lo, b - beta * tokens.hi);
    const { values: nValues, index: nIndex, terms: nTerms } = sizes,
      { values: dValues, index: dIndex, terms: dTerms } = tokens;
    for (let k = 0; k < nValues.length; k++) nTerms[k] = Math.exp(a - alpha * nValues[k] - c);
    for (let k = 0; k < dValues.length; k++) dTerms[k] = Math.exp(b - beta * dValues[k] - c);
    const eTerm = Math.exp(e - c);
    for (let i = 0; i < x.n; i++) {
      let w1 = nTerms[nIndex[i]],
        w2 = dTerms[dIndex[i]],
        w3 = eTerm,
        m = c;
      let s = w1 + w2 + w3;
      if (!(s >= 1e-200)) {
        // Every term of this run is far below the largest of another (exponents in the hundreds):
        // shift by this run's own largest term, which keeps it exact.
        const t1 = a - alpha * logN[i],
          t2 = b - beta * logD[i];
        m = Math.max(t1, t2, e);
        w1 = Math.exp(t1 - m);
        w2 = Math.exp(t2 - m);
        w3 = Math.exp(e - m);
        s = w1 + w2 + w3;
      }
      out[i] = m + Math.log(s);
      if (jac) jacobianRow(jac, i, w1, w2, w3, s, logN[i], logD[i]);
    }
  },
  // Both predictions fused with the loss and its gradient, in WebAssembly SIMD (kernels/chinchilla.wat).
  lossKernel(x, logLoss, loss, form) {
    return chinchillaKernel(x.logN!, x.logD!, logLoss, loss, form === 'grid' ? distinctInputs(x.logN!, x.logD!) : null);
  },
  gridPredictor(x: LawInputs) {
    // On a grid, A/N^α takes one value per (a, α) pair and B/D^β one per (b, β): 30 each on Hoffmann
    // et al.'s 4,500 points. Kept, ln L̂ = ln(E + A/N^α + B/D^β) costs one log per point instead of two
    // exps and a log. Without the LSE shift: a term overflows only past e^709, far beyond any grid.
    const logN = x.logN!,
      logD = x.logD!;
    // Keyed by the numbers themselves (scale, then exponent): a string key costs two double-to-string
    // conversions per grid point, which was a tenth of a cold default fit.
    const terms = (log: Float64Array) => {
      const kept = new Map<number, Map<number, Float64Array>>();
      let size = 0;
      return (scale: number, exponent: number): Float64Array => {
        let t = kept.get(scale)?.get(exponent);
        if (!t) {
          if (size >= 1024) {
            kept.clear();
            size = 0;
          }
          let byExponent = kept.get(scale);
          if (!byExponent) kept.set(scale, (byExponent = new Map()));
          t = new Float64Array(log.length);
          for (let i = 0; i < log.length; i++) t[i] = Math.exp(scale - exponent * log[i]);
          byExponent.set(exponent, t);
          size++;
        }
        return t;
      };
    };
    const nTerm = terms(logN),
      dTerm = terms(logD);
    // The caller asks for a grid point's rows in blocks: the terms are looked up once per point.
    const last = new Float64Array(5).fill(NaN);
    let E = 0,
      tn = logN,
      td = logD;
    return (theta: Float64Array, out: Float64Array, from: number, to: number): void => {
      if (
        theta[0] !== last[0] ||
        theta[1] !== last[1] ||
        theta[2] !== last[2] ||
        theta[3] !== last[3] ||
        theta[4] !== last[4]
      ) {
        E = Math.exp(theta[0]);
        tn = nTerm(theta[1], theta[3]);
        td = dTerm(theta[2], theta[4]);
        last.set(theta.subarray(0, 5));
      }
      for (let i = from; i < to; i++) out[i] = Math.log(E + tn[i] + td[i]);
    };
  },
  derived(v) {
    const { G, a, b } = frontierConstants(v);
    return {
      a: { value: a, symbol: 'a', description: 'N_opt ∝ C^a, a = β/(α+β)' },
      b: { value: b, symbol: 'b', description: 'D_opt ∝ C^b, b = α/(α+β)' },
      G: { value: G, symbol: 'G', description: 'N_opt = G·(C/6)^a, G = (αA/(βB))^(1/(α+β))' },
      d: {
        value: 4 / v.alpha,
        symbol: 'd ≈ 4/α',
        description: 'intrinsic dimension of the data manifold implied by α (Sharma & Kaplan 2020, α ≈ 4/d)',
      },
    };
  },
};

/** The distinct values of one input, each run's index among them, and room for one term per value. */
interface DistinctInput {
  values: Float64Array;
  index: Int32Array;
  terms: Float64Array;
  lo: number;
  hi: number;
}

function distinctInput(log: Float64Array): DistinctInput {
  const seen = new Map<number, number>();
  const index = new Int32Array(log.length);
  const values: number[] = [];
  for (let i = 0; i < log.length; i++) {
    let k = seen.get(log[i]);
    if (k === undefined) {
      k = values.length;
      values.push(log[i]);
      seen.set(log[i], k);
    }
    index[i] = k;
  }
  let lo = Infinity,
    hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { values: Float64Array.from(values), index, terms: new Float64Array(values.length), lo, hi };
}

/** Per data set (its ln N array, checked against its ln D): built on the first prediction, then reused. */
const distinctCache = new WeakMap<Float64Array, { logD: Float64Array; n: DistinctInput; d: DistinctInput }>();

function distinctInputs(logN: Float64Array, logD: Float64Array): { n: DistinctInput; d: DistinctInput } {
  let kept = distinctCache.get(logN);
  if (!kept || kept.logD !== logD) {
    kept = { logD, n: distinctInput(logN), d: distinctInput(logD) };
    distinctCache.set(logN, kept);
  }
  return kept;
}

/** Hoffmann et al. 2022, Eq. 4: N_opt = G·(C/6)^a, D_opt = G⁻¹·(C/6)^b; E does not move the optimum. */
function frontierConstants(v: Readonly<Record<string, number>>): { G: number; a: number; b: number } {
  const { A, B, alpha, beta } = v;
  return {
    G: Math.pow((alpha * A) / (beta * B), 1 / (alpha + beta)),
    a: beta / (alpha + beta),
    b: alpha / (alpha + beta),
  };
}
