/** Shared by the fault tests: polling for a condition, and the tiny trainer configuration their plans use. */

/** Poll every 50 ms until `cond` holds; fail after `ms` naming `what` (never a sleep for a guess). */
export async function waitFor(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A planned run's configuration for the fake trainers (seconds to run). */
export const config = (seed: number) => ({
  n_layer: 2,
  d_model: 64,
  n_heads: 1,
  tokens: 3e6,
  batch_tokens: 4096,
  learning_rate: 1e-3,
  seed,
});

/** Planned IsoFLOP runs of the tiny trainer, one per seed (keys k-SEED), for RunStore.plan. */
export const plannedRuns = (seeds: number[]) =>
  seeds.map((seed) => ({
    key: `k-${seed}`,
    phase: 'isoflop',
    config: config(seed),
    N: 98304,
    D: 3e6,
    C: 6 * 98304 * 3e6,
    estimatedSeconds: 1,
  }));
