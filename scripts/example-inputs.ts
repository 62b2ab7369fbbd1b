/**
 * The example input files of examples/inputs/, one for every README command that reads a file of the
 * user's own: made here, deterministically (seeded), from the simulated lab (worlds/default.json) where
 * the lab models the effect, else from a documented law with seeded noise. examples/inputs/README.md
 * says how each file was made; test/readme-commands.test.ts checks the files are what this makes.
 *
 *   node --import tsx scripts/example-inputs.ts      # rewrite examples/inputs/*.csv
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { normal, randomSource, type Random } from '../src/core/random.js';
import { simulate } from '../src/lab/simulate.js';
import { loadWorld } from '../src/lab/loadWorld.js';
import { goyal2024 } from '../src/analyses/dataSelection.js';
import type { TrainingConfig } from '../src/lab/world.js';

export const inputsDir = fileURLToPath(new URL('../examples/inputs/', import.meta.url));

const world = loadWorld();
/** Counts as they are; other values to six significant digits (the same bytes on every machine), large ones as 3.16228e17. */
function g(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e12) return String(x);
  const r = Number(x.toPrecision(6));
  return Math.abs(r) >= 1e7 ? r.toExponential().replace('e+', 'e') : String(r);
}
const csv = (header: string[], rows: (string | number)[][]) =>
  [header.join(','), ...rows.map((r) => r.map((v) => (typeof v === 'number' ? g(v) : v)).join(','))].join('\n') + '\n';
const logSpaced = (lo: number, hi: number, n: number) =>
  Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
/** Multiplicative noise exp(σ·z), z standard normal. */
const noisy = (random: Random, sigma: number) => (x: number) => x * Math.exp(sigma * normal(random));

/** One simulated run's final loss (it must not diverge). */
function labRun(config: TrainingConfig) {
  const r = simulate(world, { n_evals: 1, seed: 0, ...config });
  if (r.status !== 'completed') throw new Error(`example run diverged: ${JSON.stringify(config)}`);
  return r;
}

/** Shapes at the lab's aspect optimum d_model/n_layer = 64, muP at its optimum learning rate. */
const ladderShape = (d: number) => ({
  n_layer: Math.max(2, Math.round(d / 64)),
  d_model: d,
  n_heads: Math.max(1, d / 64),
  parametrization: 'mup' as const,
  learning_rate: 3e-3,
});

/** runs.csv — a ladder of final losses from the lab: six sizes, four token counts each (`backtest`). */
function runsCsv(): string {
  const rows: (string | number)[][] = [];
  for (const d of [256, 384, 512, 768, 1024, 1536]) {
    const shape = ladderShape(d);
    const N = 12 * shape.n_layer * d * d;
    for (const tpp of [5, 10, 20, 40]) {
      const r = labRun({ ...shape, tokens: Math.round(tpp * N), batch_tokens: 2 ** 15 });
      rows.push([`L${shape.n_layer}-d${d}-x${tpp}`, r.N, r.D, r.finalLoss]);
    }
  }
  return csv(['run', 'N', 'D', 'loss'], rows);
}

/** archs.csv — two architectures' L(C) = E + A·C^(−γ), 0.5 % noise (`compare --group-column arch`). Illustrative constants. */
function archsCsv(): string {
  const random = randomSource(2026, 1);
  const rows: (string | number)[][] = [];
  for (const [arch, E, A, gamma] of [
    ['dense', 1.7, 40, 0.1],
    ['moe', 1.75, 400, 0.16],
  ] as const) {
    for (let k = 0; k < 10; k++) {
      const C = 10 ** (17 + k * 0.5);
      rows.push([arch, C, noisy(random, 0.005)(E + A * C ** -gamma)]);
    }
  }
  return csv(['arch', 'C', 'loss'], rows);
}

/**
 * curves.csv — loss against steps at five batch sizes (`bcrit FILE`), drawn from the relation `bcrit` fits
 * (McCandlish et al. 2018) with known parameters, so that its answer can be checked: to reach loss L a run at
 * batch B needs E = E_min(L)·(1 + B/B_crit(L)) tokens, S = E/B steps; E_min from a data-limited loss curve
 * L = 2.0 + 400/E^0.3 (one model, tokens E at batch → 0), B_crit(L) = 2e9/L^(1/0.21) tokens (Kaplan et al.'s
 * form and constants). Each row is one run's loss after that many steps, off by 0.2 % (one evaluation).
 * (The simulated lab's rule 3 takes B_crit at each run's loss without the penalty, which makes S against 1/B
 * bend: its curves do not show the relation clearly enough for an example.)
 */
function curvesCsv(): string {
  const random = randomSource(2026, 3);
  const E = 2.0,
    A = 400,
    beta = 0.3,
    bStar = 2e9,
    alphaB = 0.21;
  const tokensNeeded = (L: number, batch: number) =>
    (A / (L - E)) ** (1 / beta) * (1 + batch / (bStar / L ** (1 / alphaB)));
  const rows: (string | number)[][] = [];
  for (const batch of [2 ** 16, 2 ** 18, 2 ** 20, 2 ** 22, 2 ** 24, 2 ** 26]) {
    // Each batch size over the same token range, 2e7 to 5e10 (steps = tokens/B): every run passes the same losses.
    for (const t of logSpaced(2e7, 5e10, 30)) {
      const step = Math.max(1, Math.round(t / batch));
      // The loss reached after step·batch tokens: tokensNeeded falls as L rises, so bisect on L.
      let lo = E + 1e-9,
        hi = 50;
      for (let i = 0; i < 200; i++) {
        const mid = (lo + hi) / 2;
        if (tokensNeeded(mid, batch) > step * batch) lo = mid;
        else hi = mid;
      }
      rows.push([`b${batch}`, batch, step, noisy(random, 0.002)((lo + hi) / 2)]);
    }
  }
  return csv(['run', 'batch', 'step', 'loss'], rows);
}

/**
 * grads.csv — |G_B|² measured at two batch sizes (32 and 512 sequences) every 250 steps (`bcrit --noise`):
 * McCandlish et al. 2018's E|G_B|² = |G|² + tr Σ/B with |G|² = 2/(1 + step/500) and
 * tr Σ = 400/√(1 + step/2000) (illustrative), each measurement off by 5 % (one minibatch's estimate).
 */
function gradsCsv(): string {
  const random = randomSource(2026, 2);
  const rows: (string | number)[][] = [];
  for (let step = 250; step <= 5000; step += 250) {
    const G2 = 2 / (1 + step / 500),
      trace = 400 / Math.sqrt(1 + step / 2000);
    for (const batch of [32, 512]) rows.push([step, batch, noisy(random, 0.05)(G2 + trace / batch)]);
  }
  return csv(['step', 'batch', 'grad_sq'], rows);
}

/**
 * sweep.csv — a learning-rate × batch-size grid at five compute budgets, in the manner of DeepSeek LLM
 * §3.1 (`hparams --sweep`): the truth is DeepSeek's fitted η_opt = 0.3118·C^−0.125 and
 * B_opt = 0.2920·C^0.3271 tokens; the loss is the lab's law at 20 tokens per parameter times
 * 1 + 0.01·ln(η/η_opt)² + 0.008·ln(B/B_opt)², with 0.1 % noise. One model size per budget
 * (N = √(C/120)), so grouping by C or by N gives the same groups.
 */
function sweepCsv(): string {
  const random = randomSource(2026, 3);
  const { E, A, B, alpha, beta } = world.law;
  const rows: (string | number)[][] = [];
  for (const C of [1e17, 3e17, 1e18, 3e18, 1e19]) {
    const N = Math.round(Math.sqrt(C / 120));
    const D = C / (6 * N); // the file gives C and N; D = C/(6N) is derived when read
    const base = E + A / N ** alpha + B / D ** beta;
    const eta = 0.3118 * C ** -0.125,
      bOpt = 0.292 * C ** 0.3271;
    for (let i = 0; i <= 10; i++) {
      for (let j = 0; j <= 10; j++) {
        const lr = 2.5e-4 * 2 ** (i / 2),
          batch = 2 ** 16 * 2 ** (j / 2);
        const loss = base * (1 + 0.01 * Math.log(lr / eta) ** 2 + 0.008 * Math.log(batch / bOpt) ** 2);
        rows.push([C, N, lr, Math.round(batch), noisy(random, 0.001)(loss)]);
      }
    }
  }
  return csv(['C', 'N', 'lr', 'batch', 'loss'], rows);
}

/**
 * lr-sweeps.csv — learning-rate sweeps at four widths under standard parametrisation, from the lab
 * (`mup transfer`), 8 layers, 2e9 tokens: rule 2 puts the optimum at 3e-3·(256/width); runs above 8× the optimum diverge
 * and are left out, as a sweep's table would.
 */
function lrSweepsCsv(): string {
  const rows: (string | number)[][] = [];
  for (const width of [256, 512, 1024, 2048]) {
    for (let k = 0; k <= 14; k++) {
      const lr = 1e-4 * 2 ** (k / 2);
      const r = simulate(world, {
        n_layer: 8,
        d_model: width,
        n_heads: width / 64,
        tokens: 2e9,
        batch_tokens: 2 ** 16,
        learning_rate: lr,
        parametrization: 'sp',
        n_evals: 1,
        seed: 0,
      });
      if (r.status === 'completed') rows.push([width, lr, r.finalLoss]);
    }
  }
  return csv(['width', 'lr', 'loss'], rows);
}

/**
 * activations.csv — mean |activation| per layer after a few Adam steps at six widths (`mup coord`), as a
 * standard-parametrisation coordinate check looks (Yang et al. 2022, Fig. 5): value ∝ width^s with
 * s = 0 for the embedding, 0.5 for hidden layers, 1 for attention and output logits (illustrative), 3 % noise.
 */
function activationsCsv(): string {
  const random = randomSource(2026, 4);
  const layers: [string, number, number][] = [
    ['embedding', 0.8, 0],
    ['attn_logits', 0.35, 1],
    ['mlp_hidden', 0.6, 0.5],
    ['block_output', 1.1, 0.5],
    ['output_logits', 0.25, 1],
  ];
  const rows: (string | number)[][] = [];
  for (const [layer, base, slope] of layers)
    for (const width of [64, 128, 256, 512, 1024, 2048])
      rows.push([layer, width, noisy(random, 0.03)(base * (width / 64) ** slope)]);
  return csv(['layer', 'width', 'value'], rows);
}

/** pools.csv — Goyal et al. 2024's four T-MARS ImageNet pools (the built-in default), as a file to edit (`select --pools`). */
function poolsCsv(): string {
  return csv(
    ['name', 'b', 'tau'],
    goyal2024.pools.map((p) => [p.name, p.b, p.tau]),
  );
}

/**
 * curve.csv — a learning curve in data (`curve`): Hestness et al. 2017's three regions as a soft
 * minimum of a best-guess error 0.9 and 0.05 + 2·D^−0.35 (illustrative), 1 % noise, 30 points from 10 to 1e7.
 */
function curveCsv(): string {
  const random = randomSource(2026, 5);
  const truth = (D: number) => (0.9 ** -4 + (0.05 + 2 * D ** -0.35) ** -4) ** -0.25;
  return csv(
    ['D', 'loss'],
    logSpaced(10, 1e7, 30).map((D) => [Math.round(D), noisy(random, 0.01)(truth(D))]),
  );
}

/**
 * curve-break.csv — a learning curve whose slope steepens at D = 1e4 (`curve --breaks 1`): Caballero et al.
 * 2023's broken law with one break, y = 0.05 + 3·D^−0.15·(1 + (D/1e4)^(1/0.5))^(−0.25·0.5) (illustrative:
 * the slope goes from 0.15 to 0.4), 1 % noise, 30 points from 10 to 1e7.
 */
function curveBreakCsv(): string {
  const random = randomSource(2026, 11);
  const truth = (D: number) => 0.05 + 3 * D ** -0.15 * (1 + (D / 1e4) ** (1 / 0.5)) ** (-0.25 * 0.5);
  return csv(
    ['D', 'loss'],
    logSpaced(10, 1e7, 30).map((D) => [Math.round(D), noisy(random, 0.01)(truth(D))]),
  );
}

/**
 * shapes.csv — depth against width at two model sizes (`depth-width`), from the lab (rule 7: the loss
 * grows by 1 + 0.01·ln(aspect/64)² away from d_model/n_layer = 64), each at 20 tokens per parameter.
 */
function shapesCsv(): string {
  const rows: (string | number)[][] = [];
  for (const target of [1.2e8, 9e8]) {
    for (const layers of [4, 8, 12, 16, 24, 32, 48]) {
      const width = 64 * Math.max(1, Math.round(Math.sqrt(target / (12 * layers)) / 64));
      const N = 12 * layers * width * width;
      // Not within a few per cent of the size, or wider than the lab allows.
      if (Math.abs(Math.log10(N / target)) > 0.02 || width > world.limits.dModel[1]) continue;
      const r = labRun({
        n_layer: layers,
        d_model: width,
        n_heads: width / 64,
        tokens: 20 * N,
        batch_tokens: 2 ** 19,
        learning_rate: 3e-3,
        parametrization: 'mup',
      });
      rows.push([r.N, width, layers, r.D, r.finalLoss]);
    }
  }
  return csv(['N', 'width', 'layers', 'D', 'loss'], rows);
}

/** Every example input: file name → contents. */
export function exampleInputs(): Record<string, string> {
  return {
    'runs.csv': runsCsv(),
    'archs.csv': archsCsv(),
    'curves.csv': curvesCsv(),
    'grads.csv': gradsCsv(),
    'sweep.csv': sweepCsv(),
    'lr-sweeps.csv': lrSweepsCsv(),
    'activations.csv': activationsCsv(),
    'pools.csv': poolsCsv(),
    'curve.csv': curveCsv(),
    'curve-break.csv': curveBreakCsv(),
    'shapes.csv': shapesCsv(),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, text] of Object.entries(exampleInputs())) {
    writeFileSync(`${inputsDir}${name}`, text);
    process.stdout.write(`wrote examples/inputs/${name} (${text.split('\n').length - 2} rows)\n`);
  }
}
