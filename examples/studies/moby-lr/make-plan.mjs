#!/usr/bin/env node
// The learning-rate lesson on real training: the same learning-rate sweep at two widths, under
// standard parametrisation and under muP. Writes plan-sp.json and plan-mup.json for
// "scalelab sweep run" (see README.md next to this file for the commands).
import { writeFileSync } from 'node:fs';

const widths = [64, 256];
const rates = [2.5e-4, 5e-4, 1e-3, 2e-3, 4e-3, 8e-3, 1.6e-2];
const tokens = 2.5e5;
for (const parametrization of ['sp', 'mup']) {
  const probe = widths.flatMap((d) =>
    rates.map((lr) => {
      const N = 12 * 2 * d * d;
      return { phase: 'lr-probe', C: 6 * N * tokens, N, seconds: 30, config: { n_layer: 2, d_model: d, n_heads: d / 64, tokens, batch_tokens: 4096, learning_rate: lr, parametrization, n_evals: 5, seed: 0 } };
    }),
  );
  writeFileSync(new URL(`./plan-${parametrization}.json`, import.meta.url), JSON.stringify({ kind: 'scalelab-sweep-plan', probe, isoflop: [], budgets: [], seconds: { probe: 0, isoflop: 0, total: 0 }, notes: ['learning-rate sweeps at widths 64 and 256'] }, null, 2) + '\n');
}
