/**
 * Fit a scaling law to runs: multi-start L-BFGS on the summed robust loss of log residuals.
 *
 * Starts: `grid` refines every point of the law's start grid (for `chinchilla` that is Hoffmann et
 * al.'s 4,500-point grid, also selectable as `hoffmann`); `auto` (the default) scores the objective
 * on the same grid — cheap, no gradients — and refines only the best distinct starts, which reaches
 * the same optimum hundreds of times faster. The result reports how many refined starts reached the
 * best optimum, a stability figure.
 *
 * `fit` does not modify its inputs and returns a new FitResult (lmfit / scikit-learn).
 */
import { lbfgs, LbfgsWorkspace, type LbfgsOptions, type StopReason } from '../core/lbfgs.js';
import { defaultLoss, type LossKind, type LossOptions } from '../core/losses.js';
import { fromBounded } from '../core/bounds.js';
import { median } from '../core/statistics.js';
import { InputError, OptionError, UsageError } from '../errors/index.js';
import type { DerivedQuantity, Law } from '../laws/law.js';
import { fromInternal, toInternal, variableDescriptions } from '../laws/law.js';
import { describeColumns, lawInputs, logLosses, type Dataset } from '../io/dataset.js';
import { contract, expand, parameterMap, type ParameterMap } from './parameterMap.js';
import { makeObjective, type Objective } from './objective.js';
import { fitWarnings, type TrustWarning } from './warnings.js';

export type InitMethod = 'auto' | 'grid' | 'hoffmann';

export interface FitOptions {
  /** Loss on log residuals. @default 'huber' with δ = 1e-3 */
  loss?: LossKind | Partial<LossOptions>;
  /** Start strategy, or explicit start values (user-facing) for every free parameter. @default 'auto' */
  init?: InitMethod | Record<string, number>;
  /** With `auto`: how many distinct best grid starts to refine. @default 12 */
  refine?: number;
  /** Parameters held at a value, e.g. { E: 1.69 }. */
  fix?: Record<string, number>;
  /** Parameters constrained equal to another, e.g. { beta: 'alpha' }. */
  tie?: Record<string, string>;
  lbfgs?: LbfgsOptions;
}

export interface StartsSummary {
  method: InitMethod | 'given';
  /** Grid points whose objective was evaluated (auto) or refined (grid). */
  evaluated: number;
  /** L-BFGS runs. */
  refined: number;
  /** Refined starts whose optimum matched the best to 1e-6 relative: a stability figure. */
  atBest: number;
}

export interface FitResult {
  law: Law;
  /** Fitted values, user-facing (E, A, B, alpha, beta …), fixed and tied ones included. */
  params: Record<string, number>;
  /** Internal values (the optimiser's scale), law parameter order. */
  theta: Float64Array;
  /** Names of the parameters that were estimated. */
  free: string[];
  fixed: Record<string, number>;
  ties: Record<string, string>;
  /** Σ loss(ln L̂ − ln L): for Huber the paper's objective. */
  objective: number;
  points: number;
  loss: LossOptions;
  starts: StartsSummary;
  converged: boolean;
  reason: StopReason;
  iterations: number;
  gradientNorm: number;
  /** ln L̂ − ln L per run, in data order. */
  residuals: Float64Array;
  derived: Record<string, DerivedQuantity>;
  /** What the numbers cannot show by themselves (fit/warnings.ts). */
  warnings: TrustWarning[];
  dataset: Dataset;
}

export function normaliseLoss(loss: FitOptions['loss']): LossOptions {
  if (loss === undefined) return { ...defaultLoss };
  if (typeof loss === 'string') {
    if (!['huber', 'ls', 'asymmetric'].includes(loss))
      throw new UsageError(`invalid loss: ${loss} (expected huber, ls or asymmetric)`);
    return { ...defaultLoss, kind: loss };
  }
  const out = { ...defaultLoss, ...loss };
  if (out.space !== 'log' && out.space !== 'linear')
    throw new UsageError(`invalid residual space: ${out.space} (expected log or linear)`);
  if (!(out.delta > 0)) throw new UsageError(`invalid Huber delta: ${out.delta} (expected a positive number)`);
  if (!(out.overestimatePenalty >= 1))
    throw new UsageError(`invalid overestimate penalty: ${out.overestimatePenalty} (expected ≥ 1)`);
  return out;
}

/** Check that the data set provides every variable the law reads. */
export function checkInputs(law: Law, dataset: Dataset): void {
  for (const v of law.inputs) {
    if (dataset.runs.some((r) => r[v] === undefined)) {
      const how =
        v === 'D' ? ' (or C and N, from which D = C/(6N))' : v === 'C' ? ' (or N and D, from which C = 6ND)' : '';
      throw new InputError(
        { file: dataset.source, line: 1 },
        (o) =>
          `law ${law.id} needs column "${v}" (${variableDescriptions[v]})${how}; the data have: ${describeColumns(dataset)}; map one with ${o('columns')} ${v}=NAME`,
      );
    }
  }
}

/**
 * The cartesian product of the free parameters' grids (internal values → u), as one flat array:
 * start t is `flat.subarray(t·p, (t+1)·p)`. One allocation instead of thousands: Hoffmann's grid
 * has 4,500 points, scored for every fit.
 */
function gridStarts(map: ParameterMap): { flat: Float64Array; count: number; width: number } {
  const grids = map.free.map((j, k) => map.law.params[j].grid.map((v) => fromBounded(v, map.bounds[k])));
  const width = grids.length;
  const count = grids.reduce((a, g) => a * g.length, 1);
  const flat = new Float64Array(count * width);
  const idx = new Array(width).fill(0);
  for (let t = 0; t < count; t++) {
    for (let k = 0; k < width; k++) flat[t * width + k] = grids[k][idx[k]];
    for (let k = width - 1; k >= 0; k--) {
      if (++idx[k] < grids[k].length) break;
      idx[k] = 0;
    }
  }
  return { flat, count, width };
}

/** Rows that score the start grid of a large data set. */
const GRID_SAMPLE = 4096;

/** Law inputs and log losses of every ⌈n/size⌉-th row (deterministic, spread over the file). */
function sampleInputs(dataset: Dataset, law: Law, size: number): [ReturnType<typeof lawInputs>, Float64Array] {
  const step = Math.ceil(dataset.runs.length / size);
  const sample = { ...dataset, runs: dataset.runs.filter((_, i) => i % step === 0) };
  return [lawInputs(sample, law.inputs, law.groups), logLosses(sample)];
}

/** Grid spacing per free parameter, to tell neighbouring starts from distinct ones. */
function gridScales(map: ParameterMap): number[] {
  return map.free.map((j) => {
    const g = [...map.law.params[j].grid].sort((a, b) => a - b);
    const gaps = g
      .slice(1)
      .map((v, i) => v - g[i])
      .filter((d) => d > 0);
    return gaps.length ? median(gaps) : 1;
  });
}

/** Indices of up to k starts with the lowest values, skipping grid neighbours of chosen ones. */
export function distinctBest(starts: Float64Array[], values: Float64Array, k: number, scales: number[]): number[] {
  const order = Array.from(values.keys())
    .filter((i) => Number.isFinite(values[i]))
    .sort((a, b) => values[a] - values[b]);
  const chosen: number[] = [];
  for (const i of order) {
    if (chosen.length >= k) break;
    const near = chosen.some((c) => starts[c].every((v, d) => Math.abs(v - starts[i][d]) <= 1.01 * scales[d]));
    if (!near) chosen.push(i);
  }
  return chosen;
}

/** A start set this large is bounded by a sample of every 8th start; a smaller one is scored in full. */
const SAMPLED_ABOVE = 384;

/**
 * The k distinct best starts, exactly as distinctBest on every start's value would choose them, at a
 * fraction of the cost: every 8th start is chosen from first (the same way, so a large grid's sample
 * is itself bounded by a sample of every 64th), and the value of its k-th distinct best bounds the
 * scoring of all (a start whose partial sum passes it is abandoned). The choice is exact whatever the
 * bound when k starts come in under it: every start scored at or below it has its exact value, and
 * one above it comes after the k-th choice in the full order. Otherwise every start is scored in full.
 */
function chooseStarts(
  objective: Objective,
  all: Float64Array[],
  k: number,
  scales: number[],
): { chosen: number[]; values: Float64Array } {
  let bound = Infinity;
  if (all.length > SAMPLED_ABOVE) {
    const sample = all.filter((_, i) => i % 8 === 0);
    const sampled = chooseStarts(objective, sample, k, scales);
    if (sampled.chosen.length === k) bound = sampled.values[sampled.chosen[k - 1]];
  }
  let values = objective.values(all, bound);
  let chosen = distinctBest(all, values, k, scales);
  if (chosen.length < k && bound < Infinity) {
    values = objective.values(all);
    chosen = distinctBest(all, values, k, scales);
  }
  return { chosen, values };
}

function bestStarts(objective: Objective, all: Float64Array[], k: number, scales: number[]): Float64Array[] {
  return chooseStarts(objective, all, k, scales).chosen.map((i) => all[i]);
}

/** Everything needed to run starts of a fit; rebuilt identically in worker threads. */
export interface FitProblem {
  law: Law;
  dataset: Dataset;
  map: ParameterMap;
  loss: LossOptions;
  objective: Objective;
  /**
   * What the starts are refined on: the objective itself; on a large data set the objective of an
   * evenly spaced subsample; for a full grid's starts, with the law's gridLogPredict. The best start
   * is then polished with the objective itself.
   */
  screening: Objective;
  starts: Float64Array[];
  method: StartsSummary['method'];
  evaluated: number;
  options: FitOptions;
  workspace: LbfgsWorkspace;
}

/** Outcome of one L-BFGS run from one start. */
export interface StartResult {
  f: number;
  x: Float64Array;
  reason: StopReason;
  converged: boolean;
  iterations: number;
  gradientNorm: number;
}

/**
 * Tolerances for each start. With `auto`, a dozen starts must each reach the floor of its basin, or
 * the best of them may not be the best optimum: tight ones. With the full grid (`grid`, `hoffmann`)
 * the thousands of starts find the basin together, and each stops on scipy's L-BFGS-B defaults
 * (factr = 1e7: a decrease below 1e7 × 2.22e-16 × max(|f|, 1); pgtol = 1e-5), the rules of the
 * multi-start a scipy user runs, at half the evaluations of tight ones. Either way the best start
 * is then polished with strict tolerances (below), so precision is not lost.
 */
const screeningTolerances: LbfgsOptions = { functionTolerance: 1e-10, gradientTolerance: 1e-8, maxMove: 1 };
const gridTolerances: LbfgsOptions = {
  functionTolerance: 1e7 * Number.EPSILON,
  functionToleranceFloor: 1,
  gradientTolerance: 1e-5,
  maxMove: 1,
};
const polishingTolerances: LbfgsOptions = { functionTolerance: 1e-15, gradientTolerance: 1e-10, maxMove: 1 };

/**
 * Validate inputs and options and build the start list.
 * @throws InputError when the data lack a variable the law needs or have too few runs
 * @throws UsageError for unknown parameters in fix/tie/init or invalid options
 */
export function prepareFit(law: Law, dataset: Dataset, options: FitOptions = {}): FitProblem {
  checkInputs(law, dataset);
  const loss = normaliseLoss(options.loss);
  const map = parameterMap(law, options.fix, options.tie);
  const nFree = map.free.length;
  const n = dataset.runs.length;
  if (nFree === 0) throw new UsageError('every parameter is fixed or tied: nothing to fit');
  if (n <= nFree) {
    const lastLine = dataset.runs.length ? dataset.runs[dataset.runs.length - 1].line : undefined;
    throw new InputError(
      { file: dataset.source, line: lastLine },
      `${n} run${n === 1 ? '' : 's'}, but law ${law.id} has ${nFree} free parameters (${map.free.map((j) => law.params[j].name).join(', ')}): expected at least ${nFree + 1} runs`,
    );
  }
  const x = lawInputs(dataset, law.inputs, law.groups);
  const y = logLosses(dataset);
  const objective = makeObjective(map, x, y, loss);
  const init = options.init ?? 'auto';
  // Starts only find the basin: on a large data set they are scored and refined on an evenly spaced
  // subsample of GRID_SAMPLE rows (a million runs × 4,500 grid points × a dozen L-BFGS runs would
  // take many minutes), and the best is then polished on every row. The thousands of starts of a
  // full grid are refined with the law's faster gridLogPredict when it has one.
  const predict = (init === 'grid' || init === 'hoffmann') && law.gridLogPredict ? law.gridLogPredict : law.logPredict;
  const screening =
    n > GRID_SAMPLE
      ? makeObjective(map, ...sampleInputs(dataset, law, GRID_SAMPLE), loss, predict)
      : predict !== law.logPredict
        ? makeObjective(map, x, y, loss, predict)
        : objective;

  let method: StartsSummary['method'];
  let starts: Float64Array[];
  let evaluated: number;
  if (typeof init === 'object') {
    method = 'given';
    const theta = new Float64Array(law.params.length);
    for (const j of map.free) {
      const spec = law.params[j];
      const v = init[spec.name];
      if (v === undefined)
        throw new OptionError({ option: 'init', value: init, message: `no start value for ${spec.name}` });
      theta[j] = toInternal(spec, v);
    }
    starts = [contract(map, theta)];
    evaluated = 1;
  } else {
    if (init === 'hoffmann' && law.publishedGrid !== 'hoffmann') {
      throw new OptionError({
        option: 'init',
        value: init,
        allowed: ['auto', 'grid'],
        message: (o) =>
          `${o('init')} hoffmann is Hoffmann et al.'s grid for the chinchilla law; for ${law.id} use ${o('init')} grid or auto`,
      });
    }
    if (!['auto', 'grid', 'hoffmann'].includes(init))
      throw new OptionError({
        option: 'init',
        value: init,
        allowed: ['auto', 'grid', 'hoffmann'],
        message: (o) => `invalid ${o('init')}: ${init} (expected auto, grid or hoffmann)`,
      });
    method = init;
    const grid = gridStarts(map);
    const guesses = (law.initialGuesses?.(x, y) ?? []).map((theta) => contract(map, theta));
    const all = [
      ...guesses,
      ...Array.from({ length: grid.count }, (_, t) => grid.flat.subarray(t * grid.width, (t + 1) * grid.width)),
    ];
    evaluated = all.length;
    if (init === 'auto') {
      starts = bestStarts(screening, all, options.refine ?? 12, gridScales(map));
    } else {
      starts = all;
    }
  }
  const workspace = new LbfgsWorkspace(nFree, options.lbfgs?.memory ?? 10);
  return { law, dataset, map, loss, objective, screening, starts, method, evaluated, options, workspace };
}

function runStart(
  problem: FitProblem,
  u0: Float64Array,
  tolerances: LbfgsOptions,
  objective = problem.objective,
): StartResult {
  // The objective is a sum over rows, so its gradient at the precision limit grows with them: a
  // line search that finds no decrease with max |g| ≤ 1e-6 per thousand rows has converged.
  const rows =
    objective === problem.objective ? problem.dataset.runs.length : Math.min(problem.dataset.runs.length, GRID_SAMPLE);
  const r = lbfgs(
    objective.valueAndGradient,
    u0,
    { precisionGradientTolerance: 1e-6 * Math.max(1, rows / 1000), ...tolerances, ...problem.options.lbfgs },
    problem.workspace,
  );
  return {
    f: r.f,
    x: r.x,
    reason: r.reason,
    converged: r.converged,
    iterations: r.iterations,
    gradientNorm: r.gradientNorm,
  };
}

/** Run L-BFGS from starts [from, to) of the problem (a worker thread runs a slice). */
export function refineStarts(
  problem: FitProblem,
  from = 0,
  to = problem.starts.length,
  onStart?: () => void,
): StartResult[] {
  const out: StartResult[] = [];
  const tolerances = problem.method === 'grid' || problem.method === 'hoffmann' ? gridTolerances : screeningTolerances;
  for (let i = from; i < to; i++) {
    out.push(runStart(problem, problem.starts[i], tolerances, problem.screening));
    onStart?.();
  }
  return out;
}

/** Polish the best start and assemble the result. */
export function finishFit(problem: FitProblem, screened: StartResult[]): FitResult {
  const { law, map, objective, dataset } = problem;
  const results = screened.filter((r) => Number.isFinite(r.f));
  if (results.length === 0) {
    throw new InputError(
      { file: dataset.source },
      `no start gave a finite objective for law ${law.id}: check that the losses and inputs are in the expected units`,
    );
  }
  let best = results.reduce((a, b) => (b.f < a.f ? b : a));
  const tolerance = 1e-6 * Math.abs(best.f) + 1e-14;
  const atBest = results.filter((r) => r.f <= best.f + tolerance).length;
  // Screened on a subsample or with gridLogPredict: the best start's value on the objective itself.
  if (problem.screening !== objective) best = { ...best, f: objective.value(best.x), converged: false };
  // Polish: restart L-BFGS from the best point, with fresh curvature memory, until it stops improving.
  for (let k = 0; k < 6; k++) {
    const r = runStart(problem, best.x, polishingTolerances);
    const improved = r.f < best.f - 1e-15 * Math.abs(best.f);
    if (r.f < best.f || (r.f === best.f && r.converged)) best = r;
    if (!improved && k > 0) break;
  }

  const theta = new Float64Array(law.params.length);
  expand(map, best.x, theta);
  const params: Record<string, number> = {};
  law.params.forEach((p, j) => (params[p.name] = fromInternal(p, theta[j])));
  const result: FitResult = {
    law,
    params,
    theta,
    free: map.free.map((j) => law.params[j].name),
    fixed: map.fixedValues,
    ties: map.ties,
    objective: best.f,
    points: dataset.runs.length,
    loss: problem.loss,
    starts: { method: problem.method, evaluated: problem.evaluated, refined: results.length, atBest },
    converged: best.converged,
    reason: best.reason,
    iterations: best.iterations,
    gradientNorm: best.gradientNorm,
    residuals: objective.residuals(best.x),
    derived: law.derived?.(params) ?? {},
    warnings: [],
    dataset,
  };
  result.warnings = fitWarnings({ ...result, bounds: map.bounds, freeIndex: map.free });
  return result;
}

/**
 * Fit `law` to `dataset` (single thread; the CLI spreads `grid` starts over worker threads).
 * @throws InputError when the data lack a variable the law needs or have too few runs
 * @throws UsageError for unknown parameters in fix/tie/init or invalid options
 *
 * @example
 * const result = fit(chinchilla, dataset, { init: 'auto' });
 * result.params // => { E: 1.817, A: 477.8, B: 2143.4, alpha: 0.3473, beta: 0.3672 } on Epoch's 240 runs
 */
export function fit(law: Law, dataset: Dataset, options: FitOptions = {}): FitResult {
  const problem = prepareFit(law, dataset, options);
  return finishFit(problem, refineStarts(problem));
}
