/**
 * Data selection that depends on compute (Goyal et al. 2024, "Scaling Laws for Data Filtering",
 * CVPR, arXiv:2404.07177; locuslab/scaling_laws_data_filtering): each pool of data has a utility
 * (exponent) b that halves with every τ epochs of repetition, so an aggressively filtered small pool
 * wins at low compute and loses to a larger, lower-quality one at high compute. Pure.
 *
 * Follows the authors' code: samples enter as (a·n/1e5), and the irreducible d is added before
 * the per-epoch ratios multiply: y = ((a·n₁/1e5)^b₀ + d)·Π_{j≥2}(n_j/n_{j−1})^b_{j−1}, with
 * b_k the utility after k earlier passes and n_j the samples seen after pass j.
 */
import type { Pool } from '../io/parsePools.js';
import { OptionError, UsageError } from '../errors/index.js';
import { bisect } from '../core/minimize1d.js';
import { plain } from '../core/format.js';

// A pool is what a pools file holds: the type lives with its parser (io depends on no analysis).
export type { Pool } from '../io/parsePools.js';

export interface SelectionParams {
  a: number;
  d: number;
  poolSize: number;
  pools: Pool[];
  citation: string;
}

/** Published ImageNet zero-shot parameters of the top 0–10/10–20/20–30/30–40 % pools (`tmars_imagenet1k_utility`). */
export const goyal2024: SelectionParams = {
  a: 0.025,
  d: 0.1,
  poolSize: 12.8e6,
  pools: [
    { name: 'top 0–10 %', b: -0.16, tau: 6.727 },
    { name: 'top 10–20 %', b: -0.125, tau: 8.545 },
    { name: 'top 20–30 %', b: -0.1, tau: 5.273 },
    { name: 'top 30–40 %', b: -0.085, tau: 2.273 },
  ],
  citation:
    'Goyal et al. 2024, arXiv:2404.07177 (locuslab/scaling_laws_data_filtering, tmars_imagenet1k_utility: CLIP on DataComp pools, ImageNet error)',
};

/** Most passes over the pools one error evaluation walks through. */
const MAX_PASSES = 1e6;

/**
 * Error after `samples` samples drawn from a mixture of pools of equal size (one pool, or several
 * mixed: each is seen p times less often, so its half-life counts p× slower, and the exponent of a
 * pass is the mean over the pools).
 */
export function selectionError(params: SelectionParams, poolNames: string[], samples: number): number {
  const pools = poolNames.map((n) => {
    const p = params.pools.find((x) => x.name === n);
    if (!p) throw new UsageError(`unknown pool "${n}" (known: ${params.pools.map((x) => x.name).join(', ')})`);
    return p;
  });
  if (!(samples > 0)) throw new UsageError(`samples must be positive, got ${samples}`);
  const m = pools.length;
  const size = params.poolSize * m;
  const exponent = (k: number) => pools.reduce((s, p) => s + p.b * Math.pow(0.5, k / (m * p.tau)), 0) / m;
  const first = Math.min(samples, size);
  let y = Math.pow((params.a * first) / 1e5, exponent(0)) + params.d;
  let seen = first;
  for (let pass = 1; seen < samples; pass++) {
    // Every pass is one step of the product: a budget of millions of passes over a tiny pool,
    // whose utility barely decays, would take that many steps (or forever, once seen + size == seen).
    if (pass > MAX_PASSES)
      throw new OptionError({
        option: 'samples',
        value: samples,
        message: (o) =>
          `${plain(samples)} samples from ${m} pool${m === 1 ? '' : 's'} of ${plain(params.poolSize)} is more than ${plain(MAX_PASSES)} passes over the data before repetition stops mattering: raise ${o('poolSize')} or lower ${o('samples')}`,
      });
    // Later passes' exponents only shrink (utility halves every τ passes), so the rest of the
    // product is within |e|·ln(samples/seen) of 1 in log: stop once that is negligible (a small
    // pool and a large budget would otherwise take millions of passes).
    const e = exponent(pass);
    if (Math.abs(e) * Math.log(samples / seen) < 1e-13) break;
    const next = Math.min(samples, seen + size);
    y *= Math.pow(next / seen, e);
    seen = next;
  }
  return y;
}

export interface SelectionChoice {
  pools: string[];
  error: number;
}

/** Every pool alone and every mixture of the best k pools (top 10 %, top 20 %, …) at a sample budget. */
export function selectionTable(params: SelectionParams, samples: number): SelectionChoice[] {
  const ranked = [...params.pools].sort((a, b) => a.b - b.b).map((p) => p.name);
  const options: string[][] = ranked.map((_, k) => ranked.slice(0, k + 1));
  return options.map((pools) => ({ pools, error: selectionError(params, pools, samples) }));
}

/** Sample budget at which mixture `larger` overtakes `smaller` (undefined if not within 1e6–1e12). */
export function selectionCrossover(params: SelectionParams, smaller: string[], larger: string[]): number | undefined {
  const diff = (ln: number) =>
    selectionError(params, larger, Math.exp(ln)) - selectionError(params, smaller, Math.exp(ln));
  const lo = Math.log(1e6),
    hi = Math.log(1e12);
  const steps = 120;
  let prev = diff(lo);
  for (let k = 1; k <= steps; k++) {
    const x = lo + ((hi - lo) * k) / steps;
    const d = diff(x);
    if (prev > 0 && d <= 0) return Math.exp(bisect(diff, x - (hi - lo) / steps, x, 1e-12));
    prev = d;
  }
  return undefined;
}
