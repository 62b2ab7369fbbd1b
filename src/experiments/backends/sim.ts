/**
 * The in-process simulated lab as a backend: deterministic, instant, and resumable for free (a
 * run's result is a pure function of its configuration).
 */
import { simulate } from '../../lab/simulate.js';
import type { World } from '../../lab/world.js';
import type { StoredRun } from '../../store/store.js';
import { runConfig, type Backend, type BackendStatus } from './backend.js';

export function simBackend(world: World): Backend {
  return {
    name: 'sim',
    concurrency: 64,
    async submit(run: StoredRun) {
      return `sim-${run.id}`;
    },
    async status(run: StoredRun): Promise<BackendStatus> {
      const r = simulate(world, runConfig(run) as never);
      if (r.status === 'failed') return { state: 'failed', reason: r.reason, seconds: r.seconds };
      return { state: 'completed', loss: r.finalLoss, seconds: r.seconds, evals: r.evals };
    },
    async find(run: StoredRun) {
      return `sim-${run.id}`;
    },
  };
}
