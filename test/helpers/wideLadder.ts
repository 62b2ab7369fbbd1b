/**
 * A synthetic over-training ladder shaped like the ones users bring (Gadre et al. 2024's suite: about
 * 100 models of 11M–7B parameters at 20–640 tokens per parameter, one evaluation per model, a
 * validation loss and accuracy on ~46 tasks with no task loss), with known truth, written as the wide
 * CSV such a user has: one row per model, `model, N, tokens, val_loss` and a column `<task>/acc` per task.
 *
 * The validation loss follows L(N, D) = E + A/N^α + B/D^β. Each task is built to be one kind, by
 * construction (the screen's verdicts, docs/methods.md §33):
 *   predictable   floor + (ceiling − floor)·sigmoid(k·(L0 − L)) in the validation loss (or, for a few, a
 *                 sigmoid in ln C), evaluation noise 0.004–0.008, an accuracy range of 0.2 or more;
 *   noisy         a sigmoid rising by about 0.02 over the ladder under noise of 0.03–0.05 (noise ≫ range);
 *   near chance   at most 0.006 above chance across the ladder, noise 0.002;
 *   not monotone  falling with compute (inverse scaling) or a hump.
 * Seeded: the same seed gives the same file.
 */
import { randomSource, normal } from '../../src/core/random.js';

export type TaskKind = 'predictable' | 'noisy' | 'near chance' | 'not monotone';

/** The validation-loss law of the ladder (Chinchilla-like constants; nats per token). */
export const WIDE_LAW = { E: 1.69, A: 406.4, alpha: 0.34, B: 410.7, beta: 0.28 };

export function trueValidationLoss(N: number, D: number): number {
  const l = WIDE_LAW;
  return l.E + l.A / N ** l.alpha + l.B / D ** l.beta;
}

export interface WideTask {
  task: string;
  kind: TaskKind;
  /** Evaluation noise (SD of accuracy) added to every model's score. */
  noise: number;
  /** The noise-free accuracy of a model of N parameters trained on D tokens. */
  accuracy(N: number, D: number): number;
}

export interface WideModel {
  model: string;
  N: number;
  D: number;
  /** Largest size: held out as the prediction target. */
  target: boolean;
}

export interface WideLadder {
  csv: string;
  tasks: WideTask[];
  models: WideModel[];
  /** The random-guess accuracy of every task. */
  chance: number;
}

export interface WideLadderOptions {
  seed: number;
  /** Tasks of each kind. @default { predictable: 18, noisy: 10, 'near chance': 10, 'not monotone': 8 } (46) */
  counts?: Partial<Record<TaskKind, number>>;
  /** Sizes from 11M to 1.4B below the two largest (2.8B, 6.9B). @default 16 */
  sizes?: number;
  /** Tokens per parameter of the sizes up to 1.4B. @default 20, 40, 80, 160, 320, 640 */
  multipliers?: readonly number[];
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function wideLadder(o: WideLadderOptions): WideLadder {
  const random = randomSource(o.seed, 4646);
  const uniform = (lo: number, hi: number) => lo + random() * (hi - lo);
  const counts = { predictable: 18, noisy: 10, 'near chance': 10, 'not monotone': 8, ...o.counts };
  const chance = 0.25;
  const tasks: WideTask[] = [];
  const add = (kind: TaskKind, prefix: string, make: (i: number) => Omit<WideTask, 'task' | 'kind'>) => {
    for (let i = 0; i < counts[kind]; i++)
      tasks.push({ task: `${prefix}${String(i + 1).padStart(2, '0')}`, kind, ...make(i) });
  };
  add('predictable', 'smooth', (i) => {
    const ceiling = uniform(0.6, 0.95),
      L0 = uniform(2.6, 3.3),
      k = uniform(1.5, 3),
      noise = uniform(0.004, 0.008);
    // Every sixth smooth task follows compute rather than the validation loss (a direct law in C).
    if (i % 6 === 5) {
      const c0 = uniform(20, 21.5) * Math.LN10,
        kc = uniform(0.6, 1);
      return { noise, accuracy: (N, D) => chance + (ceiling - chance) * sigmoid(kc * (Math.log(6 * N * D) - c0)) };
    }
    return { noise, accuracy: (N, D) => chance + (ceiling - chance) * sigmoid(k * (L0 - trueValidationLoss(N, D))) };
  });
  add('noisy', 'noisy', () => {
    const base = uniform(0.45, 0.55),
      noise = uniform(0.03, 0.05);
    return { noise, accuracy: (N, D) => base + 0.02 * sigmoid(2 * (3 - trueValidationLoss(N, D))) };
  });
  add('near chance', 'chance', () => {
    const rise = uniform(0.002, 0.006);
    return { noise: 0.002, accuracy: (N, D) => chance + rise * sigmoid(2 * (3 - trueValidationLoss(N, D))) };
  });
  add('not monotone', 'nonmono', (i) => {
    const noise = uniform(0.004, 0.008);
    if (i % 2 === 0) {
      // Inverse scaling: larger models do worse.
      const top = uniform(0.55, 0.7);
      return { noise, accuracy: (N, D) => top - 0.2 * sigmoid(2 * (3.2 - trueValidationLoss(N, D))) };
    }
    // A hump: better, then worse, peaking mid-ladder.
    const peak = uniform(3.2, 3.6);
    return { noise, accuracy: (N, D) => 0.3 + 0.25 * Math.exp(-(((trueValidationLoss(N, D) - peak) / 0.6) ** 2)) };
  });

  const small = o.sizes ?? 16;
  const multipliers = o.multipliers ?? [20, 40, 80, 160, 320, 640];
  const models: WideModel[] = [];
  const name = (N: number, m: number) => `${N >= 1e9 ? `${(N / 1e9).toFixed(1)}B` : `${Math.round(N / 1e6)}M`}-x${m}`;
  for (let i = 0; i < small; i++) {
    const N = Math.round(11e6 * (1.4e9 / 11e6) ** (i / (small - 1)));
    for (const m of multipliers) models.push({ model: name(N, m), N, D: m * N, target: false });
  }
  for (const m of multipliers.slice(0, 3))
    models.push({ model: name(2.8e9, m), N: 2.8e9, D: m * 2.8e9, target: false });
  for (const m of multipliers.slice(0, 2)) models.push({ model: name(6.9e9, m), N: 6.9e9, D: m * 6.9e9, target: true });

  const lines = [['model', 'N', 'tokens', 'val_loss', ...tasks.map((t) => `${t.task}/acc`)].join(',')];
  for (const m of models) {
    const valLoss = trueValidationLoss(m.N, m.D) * Math.exp(0.005 * normal(random));
    const accs = tasks.map((t) => Math.min(1, Math.max(0, t.accuracy(m.N, m.D) + t.noise * normal(random))));
    lines.push([m.model, m.N, m.D, valLoss.toFixed(5), ...accs.map((a) => a.toFixed(5))].join(','));
  }
  return { csv: lines.join('\n') + '\n', tasks, models, chance };
}
