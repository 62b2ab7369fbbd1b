/**
 * The whole loop of the method: plan small experiments within a budget, run them, fit the law
 * (Approaches 2 and 3), recommend the target run and predict its loss. Pure orchestration: an
 * Executor (in-process simulator, HTTP API, local commands, Slurm) runs the planned runs.
 */
import { formatInterval, formatNumber, formatRange } from '../core/format.js';
import { ExperimentError, UsageError } from '../errors/index.js';
import { fit, type FitResult } from '../fit/fit.js';
import { bootstrap, replicateParams } from '../fit/bootstrap.js';
import { prepareFit } from '../fit/fit.js';
import { chinchilla, predictLoss } from '../laws/index.js';
import { chooseProcedure, choiceMembers } from '../fit/auto.js';
import { predictEnsemble } from '../fit/candidate.js';
import { extent, median } from '../core/statistics.js';
import type { Dataset, Run } from '../io/dataset.js';
import { approach2, approach3, agreement, type ApproachResult, type Agreement } from '../analyses/frontier.js';
import {
  bestLearningRate,
  chooseBatch,
  designSweep,
  type Architecture,
  type CostModel,
  type PlannedRun,
  type SweepDesignOptions,
} from './design.js';
import { isDivergedProbe } from './outcome.js';
import { nonEmbeddingParameters } from '../model/shape.js';

export interface RunOutcome {
  run: PlannedRun;
  /** The run's name where the executor gives it one (the store's), for warnings that name runs. */
  name?: string;
  status: 'completed' | 'failed';
  finalLoss?: number;
  evals?: { tokens: number; loss: number }[];
  seconds: number;
  reason?: string;
  /**
   * Set by the study on a run its executor answered completed with a loss it cannot use (not a
   * positive finite number, or diverged: screenOutcome); it then counts as failed, with the reason.
   */
  unusable?: true;
}

/**
 * A completed run's final loss more than this fraction above its lowest evaluation diverged: a
 * validation loss does not climb back 10 % in a run that trains, where its noise is a percent or two.
 */
const DIVERGED_RISE = 0.1;

/** Why a completed run's loss cannot be fitted, or undefined: the store keeps what it said, the fit leaves it out. */
function unusableLoss(o: Pick<RunOutcome, 'finalLoss' | 'evals'>, divergence = true): string | undefined {
  const loss = o.finalLoss;
  if (loss === undefined) return 'it completed without a final loss';
  if (!Number.isFinite(loss) || loss <= 0) return `its final loss ${loss} is not a positive finite number`;
  if (!divergence) return undefined;
  const evals = (o.evals ?? []).filter((e) => Number.isFinite(e.loss) && e.loss > 0);
  if (evals.length < 2) return undefined;
  const lowest = evals.reduce((a, b) => (b.loss < a.loss ? b : a));
  if (loss > lowest.loss * (1 + DIVERGED_RISE))
    return `diverged: its loss rose from ${formatNumber(lowest.loss, 4)} at ${formatNumber(lowest.tokens, 3)} tokens to ${formatNumber(loss, 4)} at the end, more than ${DIVERGED_RISE * 100} % above its lowest`;
  return undefined;
}

/**
 * The outcome as the study uses it: a completed run with a loss it cannot use counts as failed, saying
 * why. A verification run's loss is what it is checked on, however far off: only a loss that is no number is refused.
 */
function screenOutcome(o: RunOutcome, phase: string): RunOutcome {
  if (o.status !== 'completed') return o;
  const why = unusableLoss(o, phase !== 'verify');
  return why ? { ...o, status: 'failed', finalLoss: undefined, reason: why, unusable: true } : o;
}

export interface Executor {
  /** Run the planned runs (resuming what is already done) and return one outcome per run. */
  execute(runs: PlannedRun[], phase: string): Promise<RunOutcome[]>;
  /**
   * Told of the runs answered completed that the study leaves out (a loss it cannot use, with the
   * reason): an executor that keeps records notes it beside what the run reported, so that what is
   * read back from them later (an export, a fit) leaves the same runs out.
   */
  leftOut?(outcomes: RunOutcome[]): Promise<void>;
}

export interface StudyOptions {
  targetSeconds: number;
  experimentSeconds: number;
  cost: CostModel;
  architecture: Architecture;
  /** Scale up in two stages, the second centred on the first stage's fit. */
  progressive?: boolean;
  bootstrap?: number;
  seed?: number;
  design?: Partial<SweepDesignOptions>;
  /** Train the recommended configuration too, and compare its loss with the prediction. */
  verify?: boolean;
}

export interface Verification {
  predicted: number;
  interval?: [number, number];
  observed?: number;
  /** observed/predicted − 1 */
  error?: number;
  inside?: boolean;
  seconds: number;
  status: 'completed' | 'failed';
  reason?: string;
  statement: string;
}

export interface Recommendation {
  config: PlannedRun['config'];
  N: number;
  D: number;
  seconds: number;
  predictedLoss: number;
  interval?: [number, number];
  /** Its compute in the law's convention, C = 6·N·D with N non-embedding (the approaches' targets are at it). */
  C: number;
  /** How the shape and tokens were chosen, in words. */
  rule: string;
  /**
   * What the cost model assumed for it (when it is one of FLOP rates): the MFU, peak FLOP/s, and its FLOPs
   * as the cost model counts them, 6·(N + embeddings)·D, beside the law's C.
   */
  mfu?: number;
  peakFlops?: number;
  costFlops?: number;
  /**
   * How the batch was chosen, so a report can say it: Kaplan et al.'s B_crit(L)/4 at the law's loss for
   * the run (`prior`, tokens, after chooseBatch's rounding and its 1 %-of-tokens limit), the cap it met
   * (`cap`, tokens), and the step floor that halved it (`minSteps`); the last two only when they bound.
   */
  batchRule?: { loss: number; prior: number; cap?: number; minSteps?: number };
}

export interface StudyResult {
  learningRate: {
    value: number;
    method: string;
    /** Each probe run: its final loss, or null when it failed; `diverged` when it failed by diverging. */
    probe: { learning_rate: number; loss: number | null; diverged?: true }[];
  };
  outcomes: RunOutcome[];
  dataset: Dataset;
  fit: FitResult;
  approaches: ApproachResult[];
  agreement?: Agreement;
  recommendation: Recommendation;
  spentSeconds: number;
  budgets: number[];
  stages: number;
  verification?: Verification;
  /** The cost model against what the runs really took, before planning the sweep, the scale-up and the target (see calibrateCost). */
  costCalibration: (CostCalibration & { for: 'sweep' | 'scale-up' | 'target' })[];
  warnings: string[];
}

export interface CostCalibration {
  /** Median over the completed runs of measured ÷ the cost model's seconds. */
  ratio: number;
  runs: number;
  /** Whether the sweep and the target were planned with the measured speed (ratio outside 0.8–1.25). */
  applied: boolean;
  statement: string;
}

/**
 * The cost model checked against the runs' measured seconds. An assumed MFU or peak rate can be
 * off by several times (a small model on a big GPU, a server whose hardware the client does not
 * know), and then the sweep's budgets overrun the experiment budget and the target run is sized
 * for time it does not have. When the median ratio of measured to assumed seconds lies outside
 * 0.8–1.25, the model is scaled by it: seconds × ratio, and tokens for a time as for time ÷ ratio.
 * Needs two completed runs with measured seconds.
 */
export function calibrateCost(
  cost: CostModel,
  outcomes: RunOutcome[],
  which = 'completed runs',
): { cost: CostModel; calibration?: CostCalibration } {
  const ratios = outcomes
    .filter((o) => o.status === 'completed' && o.seconds > 0)
    .map((o) => o.seconds / cost.seconds(o.run.config))
    .filter((r) => Number.isFinite(r) && r > 0);
  if (ratios.length < 2) return { cost };
  const ratio = median(ratios);
  const applied = ratio > 1.25 || ratio < 0.8;
  const measured = `the ${ratios.length} ${which} took ${ratio.toPrecision(3)}× the cost model's seconds (median)`;
  const calibration: CostCalibration = {
    ratio,
    runs: ratios.length,
    applied,
    statement: applied ? `${measured}: planned at the measured speed` : `${measured}: within 25 %, the model stands`,
  };
  if (!applied) return { cost, calibration };
  return {
    cost: {
      seconds: (c) => ratio * cost.seconds(c),
      tokensFor: (c, seconds) => cost.tokensFor(c, seconds / ratio),
      // Measured slower (or faster) than assumed: the same FLOPs at an MFU ÷ ratio.
      ...(cost.assumed
        ? {
            assumed: (c: Parameters<NonNullable<CostModel['assumed']>>[0]) => {
              const a = cost.assumed!(c);
              return { ...a, mfu: a.mfu / ratio };
            },
          }
        : {}),
      description: `${cost.description}, × ${ratio.toPrecision(3)} as measured on ${ratios.length} runs`,
    },
    calibration,
  };
}

/** Final losses of completed runs as a data set (N non-embedding, D tokens, C = 6ND). */
function outcomesDataset(outcomes: RunOutcome[], source: string): Dataset {
  const runs: Run[] = [];
  outcomes.forEach((o, i) => {
    if (o.status !== 'completed' || o.finalLoss === undefined) return;
    const D = o.run.config.tokens;
    runs.push({
      N: o.run.N,
      D,
      C: 6 * o.run.N * D,
      loss: o.finalLoss,
      group: `${o.run.phase}:${o.run.C.toExponential(2)}`,
      run: `run-${i + 1}`,
      line: i + 1,
    });
  });
  return { source, runs, columns: { N: 'N', D: 'D', C: 'C', loss: 'loss', group: 'group', run: 'run' }, derived: {} };
}

/**
 * Best configuration for the target under a fitted law: shapes in the usual aspect band
 * (d_model/n_layer 40–160 unless the architecture says otherwise), batch from the predicted loss, tokens from what the time buys.
 */
export function recommendConfig(
  params: Record<string, number>,
  targetSeconds: number,
  cost: CostModel,
  architecture: Architecture,
  learningRate: number,
  maxBatch = Infinity,
  minSteps = 0,
): Recommendation {
  const limits = architecture.limits ?? { dModel: [64, 8192], nLayer: [1, 128] };
  let best: Omit<Recommendation, 'C' | 'rule'> | undefined;
  const step = architecture.widthMultiple ?? 64;
  const [aspectLo, aspectHi] = architecture.aspectRange ?? [40, 160];
  for (let d = Math.max(step, Math.ceil(limits.dModel[0] / step) * step); d <= limits.dModel[1]; d += step) {
    for (let L = limits.nLayer[0]; L <= limits.nLayer[1]; L++) {
      const aspect = d / L;
      if (aspect < aspectLo || aspect > aspectHi) continue;
      const N = nonEmbeddingParameters(L, d, architecture.ffnRatio);
      let batch = 64 * architecture.seqLen;
      let D = cost.tokensFor({ n_layer: L, d_model: d, batch_tokens: batch }, targetSeconds);
      if (!(D > 0)) continue;
      let rule: NonNullable<Recommendation['batchRule']> = { loss: NaN, prior: batch };
      for (let k = 0; k < 3; k++) {
        const priorLoss = predictLoss(chinchilla, params, { N, D });
        const prior = chooseBatch(priorLoss, D, architecture.seqLen);
        batch = Math.min(prior, maxBatch);
        rule = { loss: priorLoss, prior, ...(prior > maxBatch ? { cap: maxBatch } : {}) };
        const capped = batch;
        while (batch >= 16 * architecture.seqLen && D / batch < minSteps) batch /= 2;
        if (batch < capped) rule.minSteps = minSteps;
        D = cost.tokensFor({ n_layer: L, d_model: d, batch_tokens: batch }, targetSeconds);
      }
      const loss = predictLoss(chinchilla, params, { N, D });
      if (!best || loss < best.predictedLoss) {
        best = {
          config: {
            n_layer: L,
            d_model: d,
            n_heads: Math.max(1, d / step),
            tokens: Math.round(D),
            batch_tokens: batch,
            learning_rate: learningRate,
            parametrization: 'mup',
            n_evals: 10,
            seed: 0,
          },
          N,
          D,
          seconds: targetSeconds,
          predictedLoss: loss,
          batchRule: rule,
        };
      }
    }
  }
  if (!best) throw new UsageError('no configuration fits the target budget');
  const assumed = cost.assumed?.(best.config);
  return {
    ...best,
    C: 6 * best.N * best.D,
    rule: `of the shapes with d_model/n_layer ${formatRange([aspectLo, aspectHi], String)}, each given the tokens ${formatNumber(targetSeconds / 3600, 3)} h buy under the cost model, the one with the lowest loss under the fitted law`,
    ...(assumed ? { mfu: assumed.mfu, peakFlops: assumed.peakFlops, costFlops: assumed.flopsPerToken * best.D } : {}),
  };
}

/** Optimizer steps of the lowest-loss completed run at the largest budget (0 when none completed). */
export function sweepSteps(outcomes: RunOutcome[]): number {
  const done = outcomes.filter((o) => o.status === 'completed' && o.finalLoss !== null && Number.isFinite(o.finalLoss));
  if (done.length === 0) return 0;
  const top = Math.max(...done.map((o) => o.run.C));
  const best = done.filter((o) => o.run.C >= top * (1 - 1e-9)).reduce((b, o) => (o.finalLoss! < b.finalLoss! ? o : b));
  return best.run.config.tokens / best.run.config.batch_tokens;
}

/**
 * Why every learning-rate probe run failed, in words that point at the fix: divergence is cured by
 * lower learning rates, a timeout by a longer runtime limit, anything else is quoted.
 */
export function probeFailure(outcomes: RunOutcome[]): string {
  const reasons = outcomes.map((o) => o.reason ?? 'no reason given');
  const count = (re: RegExp) => reasons.filter((r) => re.test(r)).length;
  const timedOut = count(/timed out|timeout/i),
    diverged = count(/diverge/i),
    overBudget = count(/over budget/i);
  const n = outcomes.length;
  if (diverged === n) return `every learning-rate probe run diverged (${reasons[0]}): lower the learning rates`;
  // A training API whose budget is spent refuses the submits, and the one run given what was left times
  // out: the budget is the problem, not the runtime limit or the learning rate.
  if (overBudget > 0) {
    const first = reasons.find((r) => /over budget/i.test(r))!;
    return `every learning-rate probe run failed; ${overBudget} of ${n} were refused as over the training API's budget, so its budget, not the learning rate${timedOut ? ' or the runtime limit' : ''}, is the problem: ${first}`;
  }
  if (timedOut > 0) {
    const first = reasons.find((r) => /timed out|timeout/i.test(r))!;
    return `every learning-rate probe run failed; ${timedOut} of ${n} timed out before finishing, so the runtime limit, not the learning rate, is the problem: ${first}`;
  }
  return `every learning-rate probe run failed: ${distinctReasons(reasons)}`;
}

/** How many runs a warning names before it counts the rest. */
const RUNS_NAMED = 5;

/**
 * Runs by name (the executor's, else their phase and size), a few, then how many more: the runs a
 * warning speaks of can be found (`runs ls`) without the warning growing with the sweep.
 */
function namedRuns(outcomes: RunOutcome[]): string {
  const names = outcomes.map(
    (o) => o.name ?? `${o.run.phase} N=${formatNumber(o.run.N, 3)} D=${formatNumber(o.run.config.tokens, 3)}`,
  );
  const shown = names.slice(0, RUNS_NAMED).join(', ');
  return names.length > RUNS_NAMED ? `${shown} and ${names.length - RUNS_NAMED} more` : shown;
}

/**
 * Failure reasons said once each: a run the sweep did not start after its first runs failed alike
 * quotes their reason inside its own, so it is said as a count, not as the same traceback a second time.
 */
function distinctReasons(reasons: string[]): string {
  const unique = [...new Set(reasons)];
  const distinct = unique.filter((r) => !unique.some((other) => other !== r && r.includes(other)));
  const echoes = reasons.filter((r) => !distinct.includes(r)).length;
  return `${distinct.slice(0, 3).join('; ')}${distinct.length > 3 ? ` (and ${distinct.length - 3} other reasons)` : ''}${echoes ? ` (${echoes} more not started for that reason)` : ''}`;
}

/**
 * Why the sweep left too few completed runs to fit, with the failures' reasons: a training API whose
 * budget was spent by an earlier sweep refuses every submit ("400 over budget"), and the fit's own
 * "0 runs, but law chinchilla has 5 free parameters" said nothing of that.
 */
function sweepFailure(outcomes: RunOutcome[], completed: number, needed: number): string {
  const failed = outcomes.filter((o) => o.status === 'failed');
  const reasons = failed.map((o) => o.reason ?? 'no reason given');
  return `the IsoFLOP sweep completed ${completed} of its ${outcomes.length} runs, fewer than the ${needed} a Chinchilla fit needs${failed.length ? `; ${failed.length} failed: ${distinctReasons(reasons)}` : ''}`;
}

export async function runStudy(given: Executor, options: StudyOptions): Promise<StudyResult> {
  // Every outcome screened as it comes: no NaN, no diverged loss reaches the probe's choice, a fit or the verification.
  const executor: Executor = {
    execute: async (runs, phase) => {
      const outcomes = (await given.execute(runs, phase)).map((o) => screenOutcome(o, phase));
      const unusable = outcomes.filter((o) => o.unusable);
      if (unusable.length && given.leftOut) await given.leftOut(unusable);
      return outcomes;
    },
  };
  const warnings: string[] = [];
  const base: SweepDesignOptions = {
    experimentSeconds: options.experimentSeconds,
    targetSeconds: options.targetSeconds,
    cost: options.cost,
    architecture: options.architecture,
    ...options.design,
  };
  const stages = options.progressive ? 2 : 1;
  // Stage budget: with --progressive, the first stage gets half of what the probe leaves.
  const first = designSweep({ ...base, experimentSeconds: options.experimentSeconds / stages });
  if (options.experimentSeconds > options.targetSeconds)
    warnings.push(
      `the experiment budget is larger than the target run it plans (${formatNumber(options.experimentSeconds / 3600, 3)} h against ${formatNumber(options.targetSeconds / 3600, 3)} h); it is usually a fraction of the target's`,
    );
  const probeOutcomes = await executor.execute(first.probe, 'lr-probe');
  const probe = probeOutcomes.map((o) => ({
    learning_rate: o.run.config.learning_rate,
    loss: o.status === 'completed' && o.finalLoss !== undefined ? o.finalLoss : null,
    // A probe's largest rates are meant to diverge: the report says so rather than "failed".
    ...(isDivergedProbe({ phase: o.run.phase, status: o.status, reason: o.reason }) ? { diverged: true as const } : {}),
  }));
  if (probe.length && probe.every((p) => p.loss === null)) throw new ExperimentError(probeFailure(probeOutcomes));
  const lr = bestLearningRate(probe);
  const spentProbe = probeOutcomes.reduce((s, o) => s + o.seconds, 0);
  // Plan the sweep at the speed the probe runs really had.
  const costCalibration: StudyResult['costCalibration'] = [];
  let { cost, calibration } = calibrateCost(options.cost, probeOutcomes, 'learning-rate probe runs');
  if (calibration) costCalibration.push({ ...calibration, for: 'sweep' });
  base.cost = cost;

  const stage1 = designSweep({
    ...base,
    // Checked on the first design, before any run: a re-plan at the measured speed must not stop a study half-run.
    checkTarget: false,
    experimentSeconds: (options.experimentSeconds - spentProbe) / stages,
    learningRate: lr.learningRate,
  });
  let outcomes = await executor.execute(stage1.isoflop, 'isoflop');
  let budgets = stage1.budgets;
  if (options.progressive) {
    // Stage 2: budgets continuing upward, sizes centred on stage 1's fitted frontier.
    const ds1 = outcomesDataset(outcomes, 'stage 1');
    const params1 = fit(chinchilla, ds1).params;
    const spent = spentProbe + outcomes.reduce((s, o) => s + o.seconds, 0);
    ({ cost, calibration } = calibrateCost(options.cost, [...probeOutcomes, ...outcomes]));
    if (calibration) costCalibration.push({ ...calibration, for: 'scale-up' });
    base.cost = cost;
    const stage2 = designSweep({
      ...base,
      checkTarget: false,
      experimentSeconds: Math.max(0, options.experimentSeconds - spent),
      learningRate: lr.learningRate,
      budgets: 3,
      span: 8,
      prior: params1,
    });
    const more = await executor.execute(
      stage2.isoflop.map((r) => ({ ...r, phase: 'scale-up' as const })),
      'scale-up',
    );
    outcomes = [...outcomes, ...more];
    budgets = [...budgets, ...stage2.budgets];
  }

  const failed = outcomes.filter((o) => o.status === 'failed' && !o.unusable);
  const unusable = outcomes.filter((o) => o.unusable);
  if (failed.length || unusable.length)
    warnings.push(
      `${failed.length + unusable.length} of the sweep's ${outcomes.length} runs were left out of the fit: ${[
        failed.length
          ? `${failed.length} failed (${distinctReasons(failed.map((o) => o.reason ?? 'no reason given'))})`
          : '',
        unusable.length
          ? `${unusable.length} completed with a loss it cannot use (${distinctReasons(unusable.map((o) => o.reason!))}; the store keeps what ${unusable.length === 1 ? 'it' : 'they'} reported)`
          : '',
      ]
        .filter(Boolean)
        .join(', ')}; left out: ${namedRuns([...unusable, ...failed])}`,
    );
  const dataset = outcomesDataset(outcomes, 'study');
  // The fit needs more runs than the law has parameters; fewer is said with the sweep's failures.
  const needed = chinchilla.params.length + 1;
  if (dataset.runs.length < needed) throw new ExperimentError(sweepFailure(outcomes, dataset.runs.length, needed));
  const result = fit(chinchilla, dataset);
  const approaches: ApproachResult[] = [];
  const reps: Record<string, number>[] = [];
  if ((options.bootstrap ?? 0) > 1) {
    const samples = bootstrap(prepareFit(chinchilla, dataset), result, {
      replicates: options.bootstrap!,
      seed: options.seed ?? 0,
    });
    for (let r = 0; r < samples.replicates; r++) if (samples.converged[r]) reps.push(replicateParams(samples, r));
  }
  // The batch may grow beyond what the sweep tried, but not without limit: at most 4× its largest.
  const maxBatch = 4 * Math.max(...outcomes.map((o) => o.run.config.batch_tokens));
  // Nor may the target take fewer optimizer steps than the best run of the largest budget, the run it
  // extrapolates from: a law fitted to runs of ~1,000 steps says nothing of a run of 500 (the first
  // moby-small verification, at 4× the sweep's batch and half its steps, missed by 12 %).
  const minSteps = sweepSteps(outcomes);
  // The target run sized at the speed of the runs nearest it: the largest budget's (a model's speed
  // against the cost model can vary with its size, e.g. with a start-up cost or an MFU that grows).
  const completed = outcomes.filter((o) => o.status === 'completed' && o.seconds > 0);
  const largest = completed.filter((o) => o.run.C === Math.max(...completed.map((x) => x.run.C)));
  ({ cost, calibration } =
    largest.length >= 2
      ? calibrateCost(options.cost, largest, 'completed runs of the largest budget')
      : calibrateCost(options.cost, [...probeOutcomes, ...outcomes]));
  if (calibration) costCalibration.push({ ...calibration, for: 'target' });
  const recommendation = recommendConfig(
    result.params,
    options.targetSeconds,
    cost,
    options.architecture,
    lr.learningRate,
    maxBatch,
    minSteps,
  );
  const targetC = 6 * recommendation.N * recommendation.D;
  try {
    approaches.push(
      approach2(
        dataset,
        [targetC],
        { budgets, tolerance: 0.02 },
        options.bootstrap ? { replicates: options.bootstrap, seed: options.seed ?? 0, level: 0.95 } : undefined,
      ),
    );
  } catch (e) {
    warnings.push(`Approach 2 could not run: ${(e as Error).message}`);
  }
  try {
    approaches.push(
      approach3(
        chinchilla,
        result.params,
        [targetC],
        reps.filter((p) => p.alpha > 0 && p.beta > 0),
      ),
    );
  } catch (e) {
    // A fit with α ≤ 0 or β ≤ 0 has no compute-optimal frontier: say so, and keep the report.
    warnings.push(
      `Approach 3 could not run: ${(e as Error).message}; the recommendation below extrapolates a law that does not describe scaling and should not be trusted`,
    );
  }
  // The predicted loss and its interval come from the default procedure (fit/auto.ts), as `scalelab
  // fit` and `predict` give them: the candidates' mean ln L̂, and a prediction interval for a run
  // (bootstrap over whole runs, a run's scatter, the extrapolation term). The allocation above uses
  // Hoffmann et al.'s recipe, the candidate `fit` reports as the law.
  const choice = chooseProcedure(dataset, {
    replicates: (options.bootstrap ?? 0) > 1 ? options.bootstrap : 0,
    seed: options.seed ?? 0,
  });
  const ensemble = predictEnsemble(choiceMembers(choice), { N: recommendation.N, D: recommendation.D }, [0.95], {
    maxC: extent(dataset.runs.map((r) => r.C ?? 6 * r.N! * r.D!))[1],
  });
  recommendation.predictedLoss = ensemble.value;
  if (reps.length >= 2 && ensemble.intervals['0.95']) recommendation.interval = ensemble.intervals['0.95'];
  warnings.push(...result.warnings.map((w) => w.message));
  let verification: Verification | undefined;
  if (options.verify) {
    const run: PlannedRun = {
      phase: 'verify',
      C: 6 * recommendation.N * recommendation.D,
      N: recommendation.N,
      config: recommendation.config,
      seconds: recommendation.seconds,
    };
    const [o] = await executor.execute([run], 'verify');
    const observed = o.status === 'completed' ? o.finalLoss : undefined;
    const iv = recommendation.interval;
    const inside = observed !== undefined && iv ? observed >= iv[0] && observed <= iv[1] : undefined;
    const err = observed !== undefined ? observed / recommendation.predictedLoss - 1 : undefined;
    verification = {
      predicted: recommendation.predictedLoss,
      interval: iv,
      observed,
      error: err,
      inside,
      seconds: o.seconds,
      status: o.status,
      reason: o.reason,
      statement:
        observed === undefined
          ? `the verification run failed: ${o.reason}`
          : `predicted ${recommendation.predictedLoss.toFixed(4)}${iv ? ` (95 % interval ${formatInterval(iv, (x) => x.toFixed(4))})` : ''}, observed ${observed.toFixed(4)}: ${(Math.abs(err!) * 100).toFixed(2)} % ${err! >= 0 ? 'above' : 'below'} the prediction${inside === undefined ? '' : inside ? ', inside the interval' : `, OUTSIDE the interval (by ${((observed < iv![0] ? iv![0] / observed - 1 : observed / iv![1] - 1) * 100).toFixed(2)} %)`}`,
    };
  }
  return {
    learningRate: { value: lr.learningRate, method: lr.method, probe },
    outcomes: [...probeOutcomes, ...outcomes],
    dataset,
    fit: result,
    approaches,
    agreement: approaches.length === 2 ? agreement(approaches[0], approaches[1]) : undefined,
    recommendation,
    spentSeconds: spentProbe + outcomes.reduce((s, o) => s + o.seconds, 0),
    budgets,
    stages,
    verification,
    costCalibration,
    warnings,
  };
}
