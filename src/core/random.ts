/**
 * Seeded pseudo-random numbers. Every random choice in ScaleLab goes through an explicit seed
 * (scikit-learn's random_state rule), so that the same data and seed give the same result on any
 * machine and any number of worker threads.
 */

/** A generator of uniform numbers in [0, 1). */
export type Random = () => number;

/** Mix two 32-bit integers into a well-spread seed (murmur3 finaliser). */
export function hashSeed(seed: number, stream = 0): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(stream | 0, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128 bits of state, passes
 * PractRand; seeded from (seed, stream) so independent replicates get independent streams.
 */
export function randomSource(seed: number, stream = 0): Random {
  let a = hashSeed(seed, stream);
  let b = hashSeed(seed ^ 0x5bd1e995, stream + 1);
  let c = hashSeed(seed + 0x27d4eb2f, stream + 2);
  let d = 1;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // discard the warm-up outputs
  return next;
}

/** Standard normal deviate (Box–Muller). */
export function normal(random: Random): number {
  let u = 0;
  while (u === 0) u = random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A bootstrap resample: as many items as given, drawn with replacement, in draw order. The items
 * are whole training runs wherever ScaleLab resamples (checkpoints of one run stay together).
 */
export function resample<T>(items: readonly T[], random: Random): T[] {
  return items.map(() => items[Math.floor(random() * items.length)]);
}

/** Counts of each of n items in a sample of n drawn with replacement (a bootstrap resample). */
export function resampleCounts(n: number, random: Random, out = new Float64Array(n)): Float64Array {
  out.fill(0);
  for (let i = 0; i < n; i++) out[Math.floor(random() * n)] += 1;
  return out;
}

/**
 * Weights of n rows in a cluster bootstrap: clusters (whole training runs) are drawn with
 * replacement and each row weighs as many times as its cluster was drawn. With one row per cluster
 * (cluster[i] = i) this is exactly resampleCounts(n).
 */
export function resampleClusterWeights(
  cluster: Int32Array,
  clusters: number,
  random: Random,
  out = new Float64Array(cluster.length),
  counts = new Float64Array(clusters),
): Float64Array {
  resampleCounts(clusters, random, counts);
  for (let i = 0; i < cluster.length; i++) out[i] = counts[cluster[i]];
  return out;
}
