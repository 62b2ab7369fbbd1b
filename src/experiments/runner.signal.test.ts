// A signal that arrives while a sweep pass computes without a turn of the event loop (the sim backend
// simulates every run it collects in one pass) must be heard before runSweep returns: the command withdraws
// its listener right after, and a signal left for later was lost (the sweep printed its result, exit 0).
// Deterministic: the backend raises the signal from inside the pass, so no timing window is guessed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../store/store.js';
import { runSweep } from './runner.js';
import type { Backend } from './backends/backend.js';

const config = { n_layer: 4, d_model: 128, n_heads: 2, tokens: 1e8, batch_tokens: 65536, learning_rate: 3e-3 };

for (const raiseAt of ['first', 'last'] as const)
  test(`a signal raised during the ${raiseAt} status call of a sweep's collecting pass is heard before runSweep returns`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'scalelab-runner-signal-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const store = RunStore.open(join(dir, 'runs.db'));
    t.after(() => store.close());
    const runs = 3;
    store.plan(
      's',
      Array.from({ length: runs }, (_, seed) => ({
        key: `k${seed}`,
        phase: 'isoflop',
        config: { ...config, seed },
        N: 1e6,
        D: 1e8,
        C: 6e14,
        estimatedSeconds: 1,
      })),
    );
    let polls = 0;
    const backend: Backend = {
      name: 'inline',
      concurrency: 8,
      submit: async (r) => `x-${r.id}`,
      status: async () => {
        polls++;
        // Delivered asynchronously: the listener runs only when the event loop next gets a turn.
        if ((raiseAt === 'first' && polls === 1) || (raiseAt === 'last' && polls === runs))
          process.kill(process.pid, 'SIGUSR2');
        return { state: 'completed', loss: 3, seconds: 1, evals: [] };
      },
    };
    let heard = false;
    const listener = () => (heard = true);
    process.on('SIGUSR2', listener);
    t.after(() => process.removeListener('SIGUSR2', listener));
    const progress = await runSweep(store, 's', backend, { pollMs: 10 });
    assert.equal(progress.done, runs, 'every run collected');
    assert.equal(heard, true, 'the signal was heard before the sweep returned');
  });
