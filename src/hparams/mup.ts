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
import { randomSource } from '../core/random.js';
import { polynomialDesign, residualBootstrap } from '../fit/residualBootstrap.js';
import { describeColumns, runsRecording, type Dataset, type Run } from '../io/dataset.js';
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
  /**
   * The values the table scales from, as used (given or defaulted): every row traces to these and m.
   */
  base: { learningRate: number; sigma: number; headDim: number; outputMultiplier: number };
  /**
   * The base values not given, taken as the defaults (σ = 0.02, η = 1e-2, d_head = 128, α_out = 1); σ and η
   * are example inputs, not recommendations, and every learning rate and init of the table scales from them.
   */
  defaulted: ('sigma' | 'learningRate' | 'headDim' | 'outputMultiplier')[];
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
  const defaulted = [
    ...(o.sigma === undefined ? (['sigma'] as const) : []),
    ...(o.learningRate === undefined ? (['learningRate'] as const) : []),
    ...(o.headDim === undefined ? (['headDim'] as const) : []),
    ...(o.outputMultiplier === undefined ? (['outputMultiplier'] as const) : []),
  ];
  // Only σ and η are example inputs a user must replace; d_head and α_out = 1 are the common case, marked
  // as defaults in the header but not called out here.
  const examples = defaulted.filter((d) => d === 'sigma' || d === 'learningRate');
  const defaultNote = examples.length
    ? [
        `the base ${examples.map((d) => (d === 'sigma' ? `init std σ = ${sigma}` : `learning rate η = ${eta}`)).join(' and ')} ${examples.length > 1 ? 'are defaults' : 'is a default'} (example inputs; σ = 0.02 is GPT-2's), not recommendations: the SP columns repeat ${examples.length > 1 ? 'them' : 'it'} and the muP columns scale from ${examples.length > 1 ? 'them' : 'it'}; give the values tuned on the base model`,
      ]
    : [];
  return {
    base: { learningRate: eta, sigma, headDim, outputMultiplier: alphaOut },
    defaulted,
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
            ...defaultNote,
            `the target width ${o.width} is below the base width ${o.baseWidth} (m = ${formatNumber(m, 4)}): muP's ratios hold both ways (hidden LR and init grow as the model narrows), but muP is for tuning a narrow proxy and carrying it wider — were the two widths meant the other way round?`,
          ]
        : m === 1
          ? [
              'at the base width muP and standard parametrisation agree (m = 1): the multipliers change nothing',
              ...defaultNote,
            ]
          : defaultNote,
  };
}

export interface WidthOptimum {
  width: number;
  learningRate: number;
  loss: number;
  /** Runs with a finite loss at this width (the diverged ones are counted apart). */
  runs: number;
  /** The optimum sits at the edge of the swept learning rates. */
  atEdge: boolean;
  /** Which end of the sweep, when at one. */
  edge?: 'lowest' | 'highest';
  /** Runs at this width whose loss is NaN or infinite: left out of the parabola. */
  diverged?: number;
  /**
   * The lowest learning rate that diverged at this width, when one did above the best rate: the optimum
   * lies below it (a best rate at the sweep's top with a divergence above it is bracketed, not at an edge).
   */
  divergedAt?: number;
  /**
   * The best rate that trained and the rate that diverged above it, when the best is the sweep's largest:
   * the optimum lies between them (learningRate is their geometric mean; replicates draw it in that range).
   */
  bracket?: [number, number];
}

/** How the slope's interval was made, said beside it (text and JSON). */
export interface TransferInterval {
  level: number;
  method: 'residual bootstrap';
  replicates: number;
  /** What each replicate resamples. */
  resampled: string;
}

export interface TransferCheck {
  widths: WidthOptimum[];
  /** Slope of ln η* against ln width: ~0 transfers (muP), ≈ −1 is standard-parametrisation drift. */
  slope: number;
  interval?: [number, number];
  /** Level, method and resampling unit of `interval`, when there is one. */
  intervalMethod?: TransferInterval;
  /**
   * Which end of `interval` is open, when a width's optimum lies at an end of its sweep (it is then a bound,
   * at most or at least that rate, and the slope only a bound the same way): 'lower' reads the interval as
   * "at most its upper end", 'upper' as "at least its lower end", 'both' as no bound at all.
   */
  openEnd?: 'lower' | 'upper' | 'both';
  /**
   * transfers: the interval lies within ±TRANSFER_BAND; consistent: it holds 0 but is wider
   * (or there is no interval and the slope is near 0); drifts: it holds −1; unsettled: both, or every
   * optimum at its sweep's edge, or most optima at their sweeps' edges with 0 in the interval; moves: neither.
   */
  kind: 'transfers' | 'consistent' | 'drifts' | 'moves' | 'unsettled';
  verdict: string;
  /** η* at a target width (the fitted ln η* = a + s·ln width there), with its interval from the same replicates. */
  atWidth?: { width: number; learningRate: number; interval?: [number, number]; extrapolation: number };
  /** Runs whose loss was NaN or infinite (diverged), left out of the parabolas and used as bounds. */
  diverged?: number;
  warnings: string[];
}

/**
 * The band of slopes called "transfers": over a 16× wider model a drift of width^±0.1 moves η* by at most
 * 16^0.1 ≈ 1.32×, less than one step of a √2 learning-rate grid, the finest sweeps' spacing.
 */
export const TRANSFER_BAND = 0.1;

/** One width's sweep: the runs at its learning rates and the window the parabola is fitted to. */
interface Sweep {
  width: number;
  runs: Run[];
  /** ln η of the window's runs (the best rate and up to two rates each side), and their losses. */
  x: number[];
  y: number[];
  /** The best rate (lowest mean loss) and where it lies among the distinct rates. */
  bestLr: number;
  bestLoss: number;
  edge?: 'lowest' | 'highest';
  /** Whether a parabola could be fitted to the window (its residuals then join the bootstrap's pool). */
  fitted: boolean;
}

function sweepOf(width: number, runs: Run[]): Sweep {
  // Rates are grouped (seeds at one rate share it), so the window is two rates each side, whatever the seeds.
  const byLr = new Map<number, number[]>();
  for (const r of runs) {
    if (!byLr.has(r.lr!)) byLr.set(r.lr!, []);
    byLr.get(r.lr!)!.push(r.loss);
  }
  const rates = [...byLr.keys()].sort((a, b) => a - b);
  const mean = (v: number[]) => v.reduce((t, x) => t + x, 0) / v.length;
  const means = rates.map((lr) => mean(byLr.get(lr)!));
  const i = means.reduce((b, m, k) => (m < means[b] ? k : b), 0);
  const inWindow = new Set(rates.slice(Math.max(0, i - 2), i + 3));
  const window = runs.filter((r) => inWindow.has(r.lr!)).sort((a, b) => a.lr! - b.lr!);
  const x = window.map((r) => Math.log(r.lr!)),
    y = window.map((r) => r.loss);
  const sweep: Sweep = {
    width,
    runs,
    x,
    y,
    bestLr: rates[i],
    bestLoss: means[i],
    ...(i === 0 ? { edge: 'lowest' as const } : i === rates.length - 1 ? { edge: 'highest' as const } : {}),
    fitted: inWindow.size >= 3 && polynomialFit(x, y, 2) !== null,
  };
  return sweep;
}

/** The vertex of a parabola through the window's losses when it is a minimum inside the window, else the best point. */
function vertex(x: number[], y: number[]): { x: number; loss: number; fitted: boolean } {
  const best = y.reduce((b, v, k) => (v < y[b] ? k : b), 0);
  const c = new Set(x).size >= 3 ? polynomialFit(x, y, 2) : null;
  if (c && c[2] > 0) {
    const v = -c[1] / (2 * c[2]);
    if (v >= x[0] && v <= x[x.length - 1]) return { x: v, loss: c[0] + c[1] * v + c[2] * v * v, fitted: true };
  }
  return { x: x[best], loss: y[best], fitted: false };
}

function widthOptimum(sweep: Sweep, diverged: Run[]): WidthOptimum {
  const v = vertex(sweep.x, sweep.y);
  const above = diverged.filter((r) => r.lr! > sweep.bestLr).map((r) => r.lr!);
  const divergedAt = above.length ? Math.min(...above) : undefined;
  // A best rate at the top of the sweep with a divergence above it is bracketed: the optimum lies between them.
  const bracketed = sweep.edge === 'highest' && divergedAt !== undefined;
  const edge = bracketed ? undefined : sweep.edge;
  const bracket: [number, number] | undefined = bracketed && !v.fitted ? [sweep.bestLr, divergedAt] : undefined;
  return {
    width: sweep.width,
    learningRate: v.fitted ? Math.exp(v.x) : bracket ? Math.sqrt(bracket[0] * bracket[1]) : sweep.bestLr,
    loss: v.fitted ? v.loss : sweep.bestLoss,
    runs: sweep.runs.length,
    atEdge: edge !== undefined,
    ...(edge ? { edge } : {}),
    ...(diverged.length ? { diverged: diverged.length } : {}),
    ...(divergedAt !== undefined ? { divergedAt } : {}),
    ...(bracket ? { bracket } : {}),
  };
}

/**
 * LR-transfer check: per width, the optimum of a parabola in ln η; then the slope of ln η* against
 * ln width with a residual-bootstrap interval (rates kept, each parabola's residuals resampled).
 * @throws InputError without width and lr columns, with one width, or with fewer than 3 LRs a width
 */
export function learningRateTransfer(
  dataset: Dataset,
  bootstrap?: { replicates: number; seed: number; level: number },
  options: { targetWidth?: number } = {},
): TransferCheck {
  return finish(learningRateTransferSteps(dataset, bootstrap, options));
}

/** learningRateTransfer a bootstrap replicate at a time (it yields between them), for a caller that stays responsive. */
export function* learningRateTransferSteps(
  given: Dataset,
  bootstrap?: { replicates: number; seed: number; level: number },
  options: { targetWidth?: number } = {},
): Steps<TransferCheck> {
  const source = given.source;
  for (const [field, what] of [
    ['width', 'model width (d_model)'],
    ['lr', 'peak learning rate'],
  ] as const) {
    if (given.columns[field] === undefined)
      throw new InputError(
        { file: source, line: 1 },
        (o) =>
          `the transfer check needs a ${field} column (${what}); the data have: ${describeColumns(given)}; map one with ${o('columns')} ${field}=NAME`,
      );
  }
  const target = options.targetWidth;
  if (target !== undefined && !(target > 0 && Number.isFinite(target)))
    throw new UsageError(`the target width must be a positive number, got ${target}`);
  const byWidth = new Map<number, Run[]>();
  const divergedBy = new Map<number, Run[]>();
  // A run that did not record its width or learning rate (a study export's imported runs) is left out, counted.
  const recorded = runsRecording(given, ['width', 'lr'], 'the learning-rate transfer check');
  const dataset = recorded.dataset;
  checkMagnitudes(dataset, ['width', 'lr', 'loss'], dataset.runs);
  for (const [runs, into] of [
    [dataset.runs, byWidth],
    [dataset.diverged ?? [], divergedBy],
  ] as const) {
    for (const r of runs) {
      // runsRecording kept only runs with both.
      if (!into.has(r.width!)) into.set(r.width!, []);
      into.get(r.width!)!.push(r);
    }
  }
  for (const [w, runs] of divergedBy)
    if (!byWidth.has(w))
      throw new InputError(
        { file: source, line: runs[0].line },
        `width ${w}: every run diverged (its loss is not a finite number), so the sweep there has no optimum`,
      );
  if (byWidth.size < 2)
    throw new InputError(
      { file: source },
      `one width (${[...byWidth.keys()][0]}): the transfer check needs learning-rate sweeps at two or more widths`,
    );
  for (const [w, runs] of byWidth) {
    const rates = new Set(runs.map((r) => r.lr)).size;
    const diverged = divergedBy.get(w)?.length ?? 0;
    if (rates < 3)
      throw new InputError(
        { file: source, line: runs[0].line },
        `width ${w} has ${rates} learning rate${rates === 1 ? '' : 's'}${diverged ? ` that trained (${diverged} more diverged)` : ''}: a sweep needs at least 3`,
      );
    // A flat sweep has no best learning rate: its "optimum" would be whichever run came first.
    checkLossVaries(dataset, runs, 'a learning-rate sweep', ` at width ${w}`);
  }
  const sweeps = [...byWidth.entries()].sort((a, b) => a[0] - b[0]).map(([w, runs]) => sweepOf(w, runs));
  const widths = sweeps.map((sw) => widthOptimum(sw, divergedBy.get(sw.width) ?? []));
  const lineOf = (optima: number[]) =>
    powerFit(
      sweeps.map((sw) => sw.width),
      optima,
    );
  const line = lineOf(widths.map((w) => w.learningRate));
  const slope = line.exponent;
  const warnings: string[] = recorded.warning ? [recorded.warning] : [];
  // The residuals of every width's parabola (src/fit/residualBootstrap.ts): relative to its fitted loss,
  // leverage-adjusted so that a parabola's few points (it takes 3 of the window's degrees of freedom) do not
  // understate the noise, centred, and pooled across widths, as each window alone has about two.
  const fittedSweeps = sweeps.filter((sw) => sw.fitted);
  const residuals = residualBootstrap(
    fittedSweeps.map((sw) => ({ design: polynomialDesign(sw.x, 2), observed: sw.y })),
    { scale: 'relative', pooling: 'pooled' },
  );
  const groupOf = new Map(fittedSweeps.map((sw, g) => [sw, g]));
  let interval: [number, number] | undefined;
  let intervalMethod: TransferInterval | undefined;
  let targetInterval: [number, number] | undefined;
  if (bootstrap && bootstrap.replicates > 1) {
    if (residuals.noResidualLeft) {
      warnings.push(
        "no interval: every width's parabola goes through exactly three learning rates, which leaves no residual to measure the noise by; sweep more rates around the optimum",
      );
    } else {
      const slopes: number[] = [];
      const atTarget: number[] = [];
      for (let r = 0; r < bootstrap.replicates; r++) {
        yield;
        const random = randomSource(bootstrap.seed, r);
        const optima = sweeps.map((sw, k) => {
          // Bracketed by a divergence, the optimum is anywhere between the two rates: drawn there, uniform in ln η.
          const bracket = widths[k].bracket;
          if (bracket) return bracket[0] * (bracket[1] / bracket[0]) ** random();
          const g = groupOf.get(sw);
          if (g === undefined) return widths[k].learningRate;
          const v = vertex(sw.x, residuals.draw(g, random));
          return Math.exp(v.x);
        });
        const fit = lineOf(optima);
        slopes.push(fit.exponent);
        if (target !== undefined) atTarget.push(fit.coefficient * target ** fit.exponent);
      }
      interval = percentileInterval(slopes, bootstrap.level);
      intervalMethod = {
        level: bootstrap.level,
        method: 'residual bootstrap',
        replicates: bootstrap.replicates,
        resampled:
          "each width's parabola residuals (relative to the fitted loss, pooled across widths), the learning rates kept",
      };
      if (target !== undefined) targetInterval = percentileInterval(atTarget, bootstrap.level);
    }
  }
  // A width whose best rate is an end of its sweep gives only a bound on its optimum (at most the lowest
  // rate, at least the highest), so the slope is bounded on one side: which side depends on whether that
  // width lies below or above the widths' mean (in ln width), as the slope weighs each by its distance.
  const meanLn = sweeps.reduce((t, sw) => t + Math.log(sw.width), 0) / sweeps.length;
  const open = new Set<'lower' | 'upper'>();
  for (const w of widths) {
    if (!w.atEdge) continue;
    const side = Math.sign(Math.log(w.width) - meanLn) * (w.edge === 'lowest' ? -1 : 1);
    if (side < 0) open.add('lower');
    else if (side > 0) open.add('upper');
  }
  const openEnd = open.size === 2 ? 'both' : open.size === 1 ? [...open][0] : undefined;
  const bounds: [number, number] | undefined = interval && [
    openEnd === 'lower' || openEnd === 'both' ? -Infinity : interval[0],
    openEnd === 'upper' || openEnd === 'both' ? Infinity : interval[1],
  ];
  // Drift: a measured interval holds −1, or the interval lies wholly below −½ (nearer −1 than 0; a real SP
  // sweep's slope is −1.1). A lower end left open by an optimum at its sweep's end is not measured: it holds
  // −1 without evidence, so there only an upper end below −½ says drift (an open interval up to −0.3 moves).
  const holdsZero = bounds ? bounds[0] <= 0 && 0 <= bounds[1] : Math.abs(slope) < 0.2;
  const drifts = bounds
    ? (Number.isFinite(bounds[0]) && bounds[0] <= -1 && -1 <= bounds[1]) || bounds[1] < -0.5
    : Math.abs(slope + 1) < 0.2;
  // Transfer is practical equivalence: the whole interval within ±TRANSFER_BAND, whether or not it holds
  // 0 (a drift measured precisely at width^−0.05 transfers as well as one not told from 0).
  const tight = bounds !== undefined && Math.max(-bounds[0], bounds[1]) <= TRANSFER_BAND;
  const s = slope.toFixed(2);
  // An interval that holds both 0 and −1 cannot tell transfer from drift, whatever the point says.
  // At every width the best rate is the sweep's end: the optima lie outside the sweeps, and the
  // "slope" of the ends says how the sweeps were laid out, not how the optimum moves.
  const allAtEdge = widths.every((w) => w.atEdge);
  // At more than half the widths the best rate is the sweep's end: most points on the line are bounds,
  // not optima, so an interval holding 0 says only that the bounds allow it. Consistency is not claimed
  // there (at half or fewer the measured optima outnumber the bounds, and the open end says the rest).
  // A bound that excludes 0 (moves, drifts) is still evidence and is kept.
  const atEdge = widths.filter((w) => w.atEdge);
  const mostAtEdge = !allAtEdge && atEdge.length > widths.length / 2;
  const kind: TransferCheck['kind'] =
    allAtEdge || (holdsZero && drifts) || (mostAtEdge && holdsZero)
      ? 'unsettled'
      : tight
        ? 'transfers'
        : holdsZero
          ? 'consistent'
          : drifts
            ? 'drifts'
            : 'moves';
  const edges = [...new Set(widths.map((w) => w.edge))];
  const lo = sweeps[0].width,
    hi = sweeps[sweeps.length - 1].width;
  const span = hi / lo;
  const factor = (e: number) => formatNumber(span ** e, 2);
  const pct = bootstrap ? `${formatNumber(bootstrap.level * 100, 3)} %` : '';
  const iv = !interval
    ? ''
    : openEnd === 'lower'
      ? `${pct}: at most ${interval[1].toFixed(2)}, an optimum at its sweep's end being a bound`
      : openEnd === 'upper'
        ? `${pct}: at least ${interval[0].toFixed(2)}, an optimum at its sweep's end being a bound`
        : openEnd === 'both'
          ? `${pct}: unbounded, optima at their sweeps' ends being bounds both ways`
          : `${pct} ${formatInterval(interval, (x) => x.toFixed(2))}`;
  const verdict = {
    transfers: `the optimal learning rate does not move with width beyond width^±${TRANSFER_BAND} (slope ${s}, ${iv}): it transfers, as under muP`,
    consistent: openEnd
      ? `consistent with transfer (slope ${s}, ${iv}): how large a drift is not excluded is open while an optimum lies at its sweep's end; extend that sweep`
      : interval
        ? `consistent with transfer (slope ${s}): a drift of width^s for s in ${iv} is not excluded, which over the swept ${formatNumber(span, 3)}× in width moves η* by ×${factor(interval[0])} to ×${factor(interval[1])}; more seeds or rates near the optimum narrow it`
        : `consistent with transfer (slope ${s}), with no interval to say how large a drift is not excluded`,
    drifts: `the optimal learning rate falls about as 1/width (slope ${s}${iv ? `, ${iv}` : ''}): standard-parametrisation drift; retune per width or use muP`,
    moves: `the optimal learning rate moves with width (slope ${s}${iv ? `, ${iv}` : ''}: ×${factor(slope)} over the swept ${formatNumber(span, 3)}× in width): it does not transfer`,
    unsettled: mostAtEdge
      ? `cannot tell: the optimum lies at the sweep's end at ${atEdge.length} of ${widths.length} widths (${(
          ['highest', 'lowest'] as const
        )
          .map((e) => [e, atEdge.filter((w) => w.edge === e).map((w) => w.width)] as const)
          .filter(([, ws]) => ws.length)
          .map(([e, ws]) => `${ws.join(', ')} at the ${e} rate`)
          .join('; ')}), so the slope ${s} and its interval rest mostly on bounds, not optima; extend those sweeps`
      : allAtEdge
        ? `the best learning rate is at the ${edges.length === 1 ? `${edges[0]} end` : 'edge'} of the sweep at every width, so the optimum lies outside it and how it moves with width is not measured (the slope ${s} of the sweeps' ends says nothing); widen the sweeps${edges.length === 1 ? (edges[0] === 'highest' ? ' to larger' : ' to smaller') : ''} learning rates`
        : `the slope (${s}) ${Math.abs(slope + 1) < Math.abs(slope) ? 'points to standard-parametrisation drift' : 'points to transfer'}, but its interval ${iv} holds both 0 (transfer) and −1 (drift): not settled; add seeds, learning rates or widths`,
  }[kind];
  for (const w of widths) {
    if (w.atEdge) warnings.push(`width ${w.width}: the best learning rate is at the edge of the sweep; extend it`);
    else if (w.divergedAt !== undefined && w.learningRate >= w.divergedAt * (1 - 1e-12))
      warnings.push(`width ${w.width}: the fitted optimum is not below the rate that diverged (${w.divergedAt})`);
  }
  const divergedCount = dataset.diverged?.length ?? 0;
  for (const w of widths)
    if (w.bracket)
      warnings.push(
        `width ${w.width}: the best rate that trained is the sweep's largest and the next one diverged (${w.bracket[1]}): the optimum lies between ${formatNumber(w.bracket[0], 3)} and ${w.bracket[1]}; taken as their geometric mean, ${formatNumber(w.learningRate, 3)}, and drawn between them in the interval`,
      );
  let atWidth: TransferCheck['atWidth'];
  if (target !== undefined) {
    atWidth = {
      width: target,
      learningRate: line.coefficient * target ** slope,
      ...(targetInterval ? { interval: targetInterval } : {}),
      // How far past the widest swept width (1 inside the data, or below it).
      extrapolation: Math.max(1, target / hi, lo / target),
    };
  }
  return {
    widths,
    slope,
    interval,
    ...(intervalMethod ? { intervalMethod } : {}),
    ...(interval && openEnd ? { openEnd } : {}),
    kind,
    verdict,
    ...(atWidth ? { atWidth } : {}),
    ...(divergedCount ? { diverged: divergedCount } : {}),
    warnings,
  };
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
