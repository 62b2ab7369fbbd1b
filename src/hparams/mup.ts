/**
 * Maximal-update parametrisation (Yang et al. 2022, "Tensor Programs V", arXiv:2203.03466) in the
 * form of the microsoft/mup package and the Cerebras/EleutherAI practitioner's guide (docs/methods.md §14):
 * per parameter group, the init, learning-rate and output multipliers that make a base model's best
 * learning rate carry to a wider one; and two checks on the user's own runs — does the optimal
 * learning rate drift with width, and do any layers' activations grow with width. Pure.
 */
import { finish, type Steps } from '../core/steps.js';
import { InputError, UsageError } from '../errors/index.js';
import { powerFit } from '../core/linearRegression.js';
import { polynomialFit } from '../core/leastSquares.js';
import { percentileInterval } from '../core/statistics.js';
import { randomSource, resample } from '../core/random.js';
import type { Dataset, Run } from '../io/dataset.js';
import { checkLossVaries, checkMagnitudes } from '../io/dataChecks.js';
import { formatInterval, formatNumber } from '../core/format.js';
import { magnitudeRefusal } from '../core/magnitude.js';

export interface MupOptions {
  baseWidth: number;
  width: number;
  optimizer?: 'adam' | 'sgd';
  /** Base init standard deviation. @default 0.02 */
  sigma?: number;
  /** Base learning rate (tuned on the base model). @default 1e-2 */
  learningRate?: number;
  /** Head dimension of the target model. @default 128 */
  headDim?: number;
  /** Output (readout) multiplier α_out tuned on the base model. @default 1 */
  outputMultiplier?: number;
}

export interface GroupRule {
  group: 'embedding' | 'hidden' | 'output' | 'attention' | 'bias';
  description: string;
  mup: { initStd: number | null; learningRate: number; multiplier: number; note: string };
  sp: { initStd: number | null; learningRate: number; multiplier: number; note: string };
}

export interface MupTable {
  baseWidth: number;
  width: number;
  /** Width multiplier m = width / baseWidth. */
  m: number;
  optimizer: 'adam' | 'sgd';
  groups: GroupRule[];
  attention: { mupScale: number; spScale: number; headDim: number };
  citation: string;
  /** What the widths mean for the table: at the base width muP is SP; below it the rules run backwards. */
  notes: string[];
}

/**
 * The muP multipliers for a width, next to standard parametrisation. Adam: hidden LR η/m and init
 * σ/√m, input and output LR η, readout multiplied by α_out/m, attention logits scaled by 1/d_head.
 * SGD: input and output LR η·m, hidden η.
 */
export function mupTable(o: MupOptions): MupTable {
  if (!(o.baseWidth > 0) || !(o.width > 0))
    throw new UsageError(`widths must be positive, got base ${o.baseWidth} and target ${o.width}`);
  const m = o.width / o.baseWidth;
  const sigma = o.sigma ?? 0.02,
    eta = o.learningRate ?? 1e-2,
    alphaOut = o.outputMultiplier ?? 1,
    headDim = o.headDim ?? 128;
  const adam = (o.optimizer ?? 'adam') === 'adam';
  const sp = (initStd: number | null) => ({
    initStd,
    learningRate: eta,
    multiplier: 1,
    note: 'standard: the base values at every width',
  });
  const groups: GroupRule[] = [
    {
      group: 'embedding',
      description: 'input weights (token and position embeddings)',
      mup: {
        initStd: sigma,
        learningRate: adam ? eta : eta * m,
        multiplier: 1,
        note: adam ? 'init and LR constant in width' : 'SGD: LR × m (fan_out)',
      },
      sp: sp(sigma),
    },
    {
      group: 'hidden',
      description: 'hidden matrices (attention projections, MLP), fan_in and fan_out both scale',
      mup: {
        initStd: sigma / Math.sqrt(m),
        learningRate: adam ? eta / m : eta,
        multiplier: 1,
        note: adam ? 'init variance σ²/m, Adam LR η/m (weight decay × m)' : 'init variance σ²/m, SGD LR η',
      },
      sp: sp(sigma),
    },
    {
      group: 'output',
      description: 'output (readout / unembedding) weights',
      mup: {
        initStd: sigma,
        learningRate: adam ? eta : eta * m,
        multiplier: alphaOut / m,
        note: 'logits multiplied by α_out/m (MuReadout); weights at the base init, or zero (slower start in short runs)',
      },
      sp: sp(sigma),
    },
    {
      group: 'attention',
      description: 'attention logits',
      mup: {
        initStd: null,
        learningRate: adam ? eta / m : eta,
        multiplier: 1 / headDim,
        note: 'q·k/d_head instead of /√d_head (times a constant, e.g. √d_head at the base, so the base model attends as under SP); zero-init the query',
      },
      sp: { initStd: null, learningRate: eta, multiplier: 1 / Math.sqrt(headDim), note: 'q·k/√d_head' },
    },
    {
      group: 'bias',
      description: 'biases and norm gains',
      mup: { initStd: 0, learningRate: adam ? eta : eta * m, multiplier: 1, note: 'treated as input weights' },
      sp: sp(0),
    },
  ];
  return {
    baseWidth: o.baseWidth,
    width: o.width,
    m,
    optimizer: adam ? 'adam' : 'sgd',
    groups,
    attention: { mupScale: 1 / headDim, spScale: 1 / Math.sqrt(headDim), headDim },
    citation:
      "Yang et al. 2022 (Tensor Programs V, arXiv:2203.03466), microsoft/mup; Dey, Anthony & Hestness 2024 (practitioner's guide)",
    notes:
      // muP's rules are ratios of widths, so they hold below the base too; but tuning on a wider proxy than
      // the target defeats muP's purpose, and the usual cause is the two widths given the other way round.
      m < 1
        ? [
            `the target width ${o.width} is below the base width ${o.baseWidth} (m = ${formatNumber(m, 4)}): muP's ratios hold both ways (hidden LR and init grow as the model narrows), but muP is for tuning a narrow proxy and carrying it wider — were the two widths meant the other way round?`,
          ]
        : m === 1
          ? ['at the base width muP and standard parametrisation agree (m = 1): the multipliers change nothing']
          : [],
  };
}

export interface WidthOptimum {
  width: number;
  learningRate: number;
  loss: number;
  runs: number;
  /** The optimum sits at the edge of the swept learning rates. */
  atEdge: boolean;
  /** Which end of the sweep, when at one. */
  edge?: 'lowest' | 'highest';
}

export interface TransferCheck {
  widths: WidthOptimum[];
  /** Slope of ln η* against ln width: ~0 transfers (muP), ≈ −1 is standard-parametrisation drift. */
  slope: number;
  interval?: [number, number];
  /** transfers: 0 in the interval; drifts: −1 in it; unsettled: both; moves: neither. */
  kind: 'transfers' | 'drifts' | 'moves' | 'unsettled';
  verdict: string;
  warnings: string[];
}

function widthOptimum(width: number, runs: Run[]): WidthOptimum {
  const sorted = [...runs].sort((a, b) => a.lr! - b.lr!);
  const i = sorted.reduce((b, r, k) => (r.loss < sorted[b].loss ? k : b), 0);
  const lo = Math.max(0, i - 2),
    hi = Math.min(sorted.length, i + 3);
  const window = sorted.slice(lo, hi);
  let lr = sorted[i].lr!,
    loss = sorted[i].loss;
  if (window.length >= 3) {
    const c = polynomialFit(
      window.map((r) => Math.log(r.lr!)),
      window.map((r) => r.loss),
      2,
    );
    if (c && c[2] > 0) {
      const x = -c[1] / (2 * c[2]);
      if (x >= Math.log(window[0].lr!) && x <= Math.log(window[window.length - 1].lr!)) {
        lr = Math.exp(x);
        loss = c[0] + c[1] * x + c[2] * x * x;
      }
    }
  }
  return {
    width,
    learningRate: lr,
    loss,
    runs: runs.length,
    atEdge: i === 0 || i === sorted.length - 1,
    ...(i === 0 ? { edge: 'lowest' as const } : i === sorted.length - 1 ? { edge: 'highest' as const } : {}),
  };
}

/**
 * LR-transfer check: per width, the optimum of a parabola in ln η; then the slope of ln η* against
 * ln width with a bootstrap interval (runs resampled within each width).
 * @throws InputError without width and lr columns, with one width, or with fewer than 3 LRs a width
 */
export function learningRateTransfer(
  dataset: Dataset,
  bootstrap?: { replicates: number; seed: number; level: number },
): TransferCheck {
  return finish(learningRateTransferSteps(dataset, bootstrap));
}

/** learningRateTransfer a bootstrap replicate at a time (it yields between them), for a caller that stays responsive. */
export function* learningRateTransferSteps(
  dataset: Dataset,
  bootstrap?: { replicates: number; seed: number; level: number },
): Steps<TransferCheck> {
  const source = dataset.source;
  for (const [field, what] of [
    ['width', 'model width (d_model)'],
    ['lr', 'peak learning rate'],
  ] as const) {
    if (dataset.columns[field] === undefined)
      throw new InputError(
        { file: source, line: 1 },
        (o) => `the transfer check needs a ${field} column (${what}); map one with ${o('columns')} ${field}=NAME`,
      );
  }
  const byWidth = new Map<number, Run[]>();
  checkMagnitudes(dataset, ['width', 'lr', 'loss'], dataset.runs);
  for (const r of dataset.runs) {
    if (r.width === undefined || r.lr === undefined)
      throw new InputError({ file: source, line: r.line }, 'this run has no width or learning rate');
    if (!byWidth.has(r.width)) byWidth.set(r.width, []);
    byWidth.get(r.width)!.push(r);
  }
  if (byWidth.size < 2)
    throw new InputError(
      { file: source },
      `one width (${[...byWidth.keys()][0]}): the transfer check needs learning-rate sweeps at two or more widths`,
    );
  for (const [w, runs] of byWidth) {
    if (new Set(runs.map((r) => r.lr)).size < 3)
      throw new InputError(
        { file: source, line: runs[0].line },
        `width ${w} has ${new Set(runs.map((r) => r.lr)).size} learning rates: a sweep needs at least 3`,
      );
    // A flat sweep has no best learning rate: its "optimum" would be whichever run came first.
    checkLossVaries(dataset, runs, 'a learning-rate sweep', ` at width ${w}`);
  }
  const widths = [...byWidth.entries()].sort((a, b) => a[0] - b[0]).map(([w, runs]) => widthOptimum(w, runs));
  const slopeOf = (ws: WidthOptimum[]) =>
    powerFit(
      ws.map((w) => w.width),
      ws.map((w) => w.learningRate),
    ).exponent;
  const slope = slopeOf(widths);
  let interval: [number, number] | undefined;
  if (bootstrap && bootstrap.replicates > 1) {
    const slopes: number[] = [];
    for (let r = 0; r < bootstrap.replicates; r++) {
      yield;
      const random = randomSource(bootstrap.seed, r);
      slopes.push(
        slopeOf(
          [...byWidth.entries()]
            .sort((a, b) => a[0] - b[0])
            .map(([w, runs]) => widthOptimum(w, resample(runs, random))),
        ),
      );
    }
    interval = percentileInterval(slopes, bootstrap.level);
  }
  const transfers = interval ? interval[0] <= 0 && 0 <= interval[1] : Math.abs(slope) < 0.2;
  const drifts = interval ? interval[0] <= -1 && -1 <= interval[1] : Math.abs(slope + 1) < 0.2;
  const s = slope.toFixed(2);
  // An interval that holds both 0 and −1 cannot tell transfer from drift, whatever the point says.
  // At every width the best rate is the sweep's end: the optima lie outside the sweeps, and the
  // "slope" of the ends says how the sweeps were laid out, not how the optimum moves.
  const allAtEdge = widths.every((w) => w.atEdge);
  const kind: TransferCheck['kind'] =
    allAtEdge || (transfers && drifts) ? 'unsettled' : transfers ? 'transfers' : drifts ? 'drifts' : 'moves';
  const edges = [...new Set(widths.map((w) => w.edge))];
  const verdict = {
    transfers: `the optimal learning rate does not move with width (slope ${s}): it transfers, as under muP`,
    drifts: `the optimal learning rate falls as 1/width (slope ${s}): standard-parametrisation drift; retune per width or use muP`,
    moves: `the optimal learning rate moves with width (slope ${s}): it does not transfer`,
    unsettled: allAtEdge
      ? `the best learning rate is at the ${edges.length === 1 ? `${edges[0]} end` : 'edge'} of the sweep at every width, so the optimum lies outside it and how it moves with width is not measured (the slope ${s} of the sweeps' ends says nothing); widen the sweeps${edges.length === 1 ? (edges[0] === 'highest' ? ' to larger' : ' to smaller') : ''} learning rates`
      : `the slope (${s}) ${Math.abs(slope + 1) < Math.abs(slope) ? 'points to standard-parametrisation drift' : 'points to transfer'}, but its interval ${interval ? formatInterval(interval, (x) => x.toFixed(2)) : ''} holds both 0 (transfer) and −1 (drift): not settled; add seeds, learning rates or widths`,
  }[kind];
  const warnings = widths
    .filter((w) => w.atEdge)
    .map((w) => `width ${w.width}: the best learning rate is at the edge of the sweep; extend it`);
  return { widths, slope, interval, kind, verdict, warnings };
}

export interface CoordinateCheck {
  layers: { layer: string; slope: number; grows: boolean; values: { width: number; value: number }[] }[];
  threshold: number;
}

/**
 * Coordinate check (microsoft/mup's recommendation): mean |activation| per layer at several widths
 * after a few steps; a layer whose activations grow with width (slope of ln |a| against ln width
 * above the threshold) is mis-parametrised. Rows: layer, width, value.
 */
export function coordinateCheck(
  rows: { layer: string; width: number; value: number; line?: number }[],
  threshold = 0.2,
  source = 'data',
): CoordinateCheck {
  const byLayer = new Map<string, { width: number; value: number }[]>();
  for (const r of rows) {
    if (!(r.value > 0))
      throw new InputError({ file: source, line: r.line }, `activation magnitude must be positive, got ${r.value}`);
    if (!(r.width > 0))
      throw new InputError(
        { file: source, line: r.line, columnName: 'width' },
        `width must be positive, got ${r.width}`,
      );
    for (const key of ['width', 'value'] as const) {
      const refusal = magnitudeRefusal(key, r[key]);
      if (refusal) throw new InputError({ file: source, line: r.line, columnName: key }, refusal);
    }
    if (!byLayer.has(r.layer)) byLayer.set(r.layer, []);
    byLayer.get(r.layer)!.push({ width: r.width, value: r.value });
  }
  const layers = [...byLayer.entries()].map(([layer, values]) => {
    if (new Set(values.map((v) => v.width)).size < 2)
      throw new InputError({ file: source }, `layer "${layer}" is logged at one width: the check needs two or more`);
    const slope = powerFit(
      values.map((v) => v.width),
      values.map((v) => v.value),
    ).exponent;
    return { layer, slope, grows: slope > threshold, values };
  });
  return { layers, threshold };
}
