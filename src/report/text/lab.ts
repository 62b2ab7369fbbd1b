/**
 * The simulated lab's ground truth as text: a configuration's true loss and what sets it, and the
 * true optimum for a budget. Pure (data in, string out).
 */
import { formatNumber } from '../../core/format.js';
import type { optimum, simulate, truth } from '../../lab/simulate.js';
import type { World } from '../../lab/world.js';

export function labTruthReport(world: World, t: ReturnType<typeof truth>, sim: ReturnType<typeof simulate>): string {
  return (
    [
      `world "${world.name}": N = ${formatNumber(t.N, 4)} non-embedding parameters, D = ${formatNumber(sim.D, 4)} tokens`,
      `true final loss ${formatNumber(t.loss, 6)}${t.diverged ? ' — but the run diverges (learning rate too high)' : ''}`,
      `  learning-rate optimum ${formatNumber(t.lrOptimum, 4)} (factor ${formatNumber(t.lrFactor, 5)}), critical batch ${formatNumber(t.criticalBatch, 4)} tokens (effective tokens ${formatNumber(t.effectiveTokens, 4)}), shape factor ${formatNumber(t.shapeFactor, 5)}`,
      `observed (with seed noise): ${sim.status === 'completed' ? formatNumber(sim.finalLoss, 6) : sim.reason}`,
      `cost: ${(sim.seconds / 3600).toFixed(3)} h on ${world.hardware.name} at MFU ${sim.mfu.toFixed(3)} (${formatNumber(sim.flops, 4)} FLOPs)`,
    ].join('\n') + '\n'
  );
}

/** @param hours the budget as given */
export function labOptimumReport(world: World, hours: string, o: ReturnType<typeof optimum>): string {
  return `world "${world.name}", ${hours} h: best loss ${formatNumber(o.loss, 6)} with ${o.config.n_layer} layers × d_model ${o.config.d_model} (N = ${formatNumber(o.N, 4)}), ${formatNumber(o.D, 4)} tokens (${formatNumber(o.D / o.N, 3)} per parameter), batch ${o.config.batch_tokens} tokens, learning rate ${o.config.learning_rate} (muP)\n`;
}
