/**
 * Chinchilla's fused objective kernel (chinchilla.wat): Σ w·ρ(ln L̂ − ln L) and its gradient in
 * (e, a, b, α, β), in WebAssembly SIMD with its own exp and log (fdlibm's algorithms, those of
 * Math.exp and Math.log). One instance, with its own memory, per objective: the runs are copied in
 * once, the weights on each setWeights.
 */
import type { KernelLoss, LossKernel } from '../law.js';
import { chinchillaWasm } from './chinchilla.wasm.js';
import { instantiate as instantiateModule, wasmModule, type WasmMemory } from './wasm.js';

/** The distinct values of ln N or ln D, each run's index among them, and their range (gridLogPredict's). */
export interface KernelDistinct {
  values: Float64Array;
  index: Int32Array;
  lo: number;
  hi: number;
}

interface Exports {
  memory: WasmMemory;
  setup(...offsets: number[]): void;
  objective(
    n2: number,
    mode: number,
    grad: number,
    linear: number,
    delta: number,
    e: number,
    a: number,
    b: number,
    alpha: number,
    beta: number,
    c: number,
  ): number;
  terms(dst: number, x: number, n: number, scale: number, exponent: number): void;
  score(tn: number, td: number, E: number, n4: number, linear: number, delta: number, bound: number): number;
  expArray(p: number, n2: number): void;
  logArray(p: number, n2: number): void;
}

function instantiate(bytes: number): Exports | null {
  const module = wasmModule('chinchilla', chinchillaWasm);
  if (!module) return null;
  try {
    const exports = instantiateModule(module).exports as unknown as Exports;
    const pages = Math.ceil(bytes / 65536) - exports.memory.buffer.byteLength / 65536;
    if (pages > 0) exports.memory.grow(pages);
    return exports;
  } catch {
    return null;
  }
}

/** Arrays are padded to a multiple of 8: exp takes four vectors per step (chinchilla.wat). */
const padded = (k: number) => (k + 7) & ~7;
/** Where the data start in the kernel's memory (below: the gradient and the scratch). */
const DATA = 8192;

/**
 * The kernel for runs (ln N, ln D, ln L); with `distinct`, gridLogPredict's one-shift form, else
 * logPredict's per-run shift. null when WebAssembly (with SIMD) is unavailable or switched off.
 */
export function chinchillaKernel(
  logN: Float64Array,
  logD: Float64Array,
  logLoss: Float64Array,
  loss: KernelLoss,
  distinct: { n: KernelDistinct; d: KernelDistinct } | null,
): LossKernel | null {
  const n = logLoss.length,
    n2 = padded(n);
  const nN2 = distinct ? padded(distinct.n.values.length) : 0,
    nD2 = distinct ? padded(distinct.d.values.length) : 0;
  // Byte offsets: the gradient at 0, the kernel's scratch up to 8192 (chinchilla.wat), then every
  // array 16-byte aligned (n2·4 is a multiple of 8).
  const f64 = n2 * 8,
    i32 = distinct ? (n2 * 4 + 15) & ~15 : 0;
  const pN = DATA,
    pD = pN + f64,
    pY = pD + f64,
    pW = pY + f64,
    pNi = pW + f64,
    pDi = pNi + i32,
    pNv = pDi + i32,
    pDv = pNv + nN2 * 8,
    pNt = pDv + nD2 * 8,
    pDt = pNt + nN2 * 8,
    end = pDt + nD2 * 8;
  const k = instantiate(end);
  if (!k) return null;
  let buffer = k.memory.buffer;
  new Float64Array(buffer, pN, n).set(logN.subarray(0, n));
  new Float64Array(buffer, pD, n).set(logD.subarray(0, n));
  // In linear space the kernel reads L itself, exp(ln L) as objective.ts computes it.
  const linear = loss.space === 'linear';
  new Float64Array(buffer, pY, n).set(linear ? Float64Array.from(logLoss, Math.exp) : logLoss);
  let weights = new Float64Array(buffer, pW, n2),
    gradient = new Float64Array(buffer, 0, 5);
  const setWeights = (w: Float64Array | null): void => {
    if (w) weights.set(w.subarray(0, n));
    else weights.fill(1, 0, n);
    weights.fill(0, n); // the padding rows
  };
  setWeights(null);
  if (distinct) {
    new Int32Array(buffer, pNi, n).set(distinct.n.index.subarray(0, n));
    new Int32Array(buffer, pDi, n).set(distinct.d.index.subarray(0, n));
    new Float64Array(buffer, pNv, nN2).set(distinct.n.values);
    new Float64Array(buffer, pDv, nD2).set(distinct.d.values);
  }
  k.setup(pN, pD, pY, pW, pNi, pDi, pNv, pDv, pNt, pDt, nN2, nD2);
  const delta = loss.kind === 'huber' ? loss.delta : Infinity;
  const mode = distinct ? 1 : 0;
  const nLo = distinct?.n.lo ?? 0,
    nHi = distinct?.n.hi ?? 0,
    dLo = distinct?.d.lo ?? 0,
    dHi = distinct?.d.hi ?? 0;

  // Scoring a start grid (objective.ts's `values`): a point's terms A/N^α and B/D^β are kept per
  // (scale, exponent), as gridPredictor keeps them, in TERM_SLOTS slots per variable after the data
  // (the memory grows on the first score, so a fit that never scores a grid does not pay for it).
  let slots: { n: TermSlots; d: TermSlots } | null = null;
  // Set when the memory for scoring could not grow: every point is then left to the JavaScript path.
  let cannotScore = false;
  const termAt = (t: TermSlots, x: number, scale: number, exponent: number): KeptTerm => {
    let kept = t.kept.get(scale)?.get(exponent);
    if (kept === undefined) {
      if (t.used === TERM_SLOTS) {
        t.kept.clear();
        t.used = 0;
      }
      const at = t.base + t.used++ * f64;
      k.terms(at, x, n2, scale, exponent);
      // The range over the runs (not the padding), for score's check that every log is of a normal number.
      let lo = Infinity,
        hi = -Infinity,
        nan = false;
      const values = new Float64Array(buffer, at, n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        if (v !== v) nan = true;
      }
      // A NaN anywhere fails score's check, as NaN fails every comparison.
      kept = nan ? { at, lo: NaN, hi: NaN } : { at, lo, hi };
      let byExponent = t.kept.get(scale);
      if (!byExponent) t.kept.set(scale, (byExponent = new Map()));
      byExponent.set(exponent, kept);
    }
    return kept;
  };
  return {
    evaluate(theta: Float64Array, grad: Float64Array | null): number {
      const e = theta[0],
        a = theta[1],
        b = theta[2],
        alpha = theta[3],
        beta = theta[4];
      // gridLogPredict's shift: the largest term over every run, at an end of ln N's or ln D's range
      const c = mode ? Math.max(e, a - alpha * nLo, a - alpha * nHi, b - beta * dLo, b - beta * dHi) : 0;
      const f = k.objective(n2, mode, grad ? 1 : 0, linear ? 1 : 0, delta, e, a, b, alpha, beta, c);
      if (grad) grad.set(gradient);
      return f;
    },
    score(theta: Float64Array, bound: number): number {
      if (cannotScore) return NaN;
      if (!slots) {
        const pages = Math.ceil((end + 2 * TERM_SLOTS * f64) / 65536) - k.memory.buffer.byteLength / 65536;
        try {
          if (pages > 0) k.memory.grow(pages);
        } catch {
          cannotScore = true;
          return NaN;
        }
        // growing replaces the buffer: the views follow
        buffer = k.memory.buffer;
        weights = new Float64Array(buffer, pW, n2);
        gradient = new Float64Array(buffer, 0, 5);
        slots = {
          n: { kept: new Map(), used: 0, base: end },
          d: { kept: new Map(), used: 0, base: end + TERM_SLOTS * f64 },
        };
      }
      const tn = termAt(slots.n, pN, theta[1], theta[3]),
        td = termAt(slots.d, pD, theta[2], theta[4]);
      const E = Math.exp(theta[0]);
      // The kernel's log is fdlibm's for positive normal numbers only: a point where some E + A/N^α +
      // B/D^β could be 0, subnormal, infinite or NaN is left to the JavaScript path (NaN: not scored).
      if (!(E + tn.lo + td.lo >= MIN_NORMAL && E + tn.hi + td.hi < Infinity)) return NaN;
      return k.score(tn.at, td.at, E, n2, linear ? 1 : 0, delta, bound);
    },
    setWeights,
  };
}

/** The smallest positive normal double: below it the kernel's log is not fdlibm's. */
const MIN_NORMAL = 2.2250738585072014e-308;

/** A kept term array: its byte offset, and its least and greatest value over the runs. */
interface KeptTerm {
  at: number;
  lo: number;
  hi: number;
}

/** Terms kept for a start grid's scoring, by scale, then exponent. */
interface TermSlots {
  kept: Map<number, Map<number, KeptTerm>>;
  used: number;
  base: number;
}

/** Terms kept per variable (Hoffmann et al.'s grid has 30 combinations of scale and exponent per term). */
const TERM_SLOTS = 32;

/**
 * The kernel's exp and log of each value, for the accuracy tests (Math.exp and Math.log are the
 * reference); null where the kernel cannot run.
 */
export function kernelExpLog(values: Float64Array, fn: 'exp' | 'log'): Float64Array | null {
  const n2 = padded(values.length);
  const k = instantiate(DATA + n2 * 8);
  if (!k) return null;
  const view = new Float64Array(k.memory.buffer, DATA, n2);
  view.set(values);
  view.fill(1, values.length);
  (fn === 'exp' ? k.expArray : k.logArray)(DATA, n2);
  return view.slice(0, values.length);
}
