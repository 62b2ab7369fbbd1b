/**
 * From a compute budget (or hardware) and a law to a plan for the big run: the compute-optimal
 * model size and tokens, predicted loss with its interval, a model shape, wall-clock time, the
 * rules of thumb for contrast, and optionally the inference-aware (over-trained) alternative.
 * Pure: the CLI and the web app call it with parsed inputs.
 */
import { percentileInterval } from '../core/statistics.js';
import { predictLoss, type Law } from '../laws/law.js';
import { shapeSearch, type ShapeCandidate, type ShapeSearchOptions } from '../model/shapeSearch.js';
import { chinchillaFlopsPerToken, kaplanFlopsPerToken } from '../model/flops.js';
import { trainingDays, type Accelerator, type HardwareBudget } from '../hardware/catalog.js';
import { computeOptimal, kaplanAllocation, tokensPerParameterRule, type Allocation } from './computeOptimal.js';
import { repetitionOptimum } from './repetition.js';
import { allocateByRule, type AllocationMember, type AllocationRule } from './allocationRules.js';
import { OptionError } from '../errors/index.js';
import { extrapolationWarnings, presetRangeWarnings } from './extrapolation.js';
import { warning, type TrustWarning } from '../fit/warnings.js';
import { formatInterval, formatNumber } from '../core/format.js';
import { inferenceAwareOptimal, qualityOf, type InferenceAwareResult } from './inferenceAware.js';
import { fitHparamLawsSteps, predictHparams, type HparamPreset } from '../hparams/laws.js';
import { finish, isSteps, type Steps } from '../core/steps.js';
import { predictEnsemble, type PredictiveMember } from '../fit/candidate.js';
import type { Dataset } from '../io/dataset.js';

export interface PlanInput {
  /** The training budget in FLOPs (`hardwareBudget(…).flops` for a cluster and a number of days). */
  compute: number;
  /** The cluster and days the budget comes from (`hardwareBudget`), for days and cost in the plan. */
  hardware?: HardwareBudget;
  /** For wall-clock time when the budget is given in FLOPs. */
  cluster?: { gpus: number; accelerator: Accelerator; mfu: number };
  /**
   * Where the cluster's MFU and accelerator came from when the caller chose them rather than the user
   * (a default), said beside them in the assumptions: a plan for the wrong GPU or an MFU nobody chose
   * must be visible in its output, not only in the caller's help.
   */
  assumed?: { mfu?: string; accelerator?: string };
  /** The law of loss in N and D (`getLaw(lawPreset('epoch-2024').law)`, the CLI's default, or a fit's). */
  law: Law;
  /** The law's parameters (a preset's `params`, or a fit's). */
  params: Record<string, number>;
  /** Bootstrap replicates of the parameters, for intervals on N, D and the loss. @default none */
  replicates?: Record<string, number>[];
  /** Level of those intervals, a fraction. @default 0.95 */
  level?: number;
  /** One line saying where the law's numbers come from, repeated in the plan. */
  provenance: string;
  /** Data ranges the law was fitted on, for extrapolation warnings. */
  ranges?: Record<string, [number, number]>;
  /** Whose data the ranges are (default: the fit's). */
  rangesOf?: string;
  rangesSource?: string;
  /**
   * The shape search (vocabulary, context, MLP kind); the CLI passes { vocab: 32000, seqLen: 4096, mlp:
   * 'gated' }. N and D do not depend on it.
   */
  shape?: ShapeSearchOptions;
  /**
   * What the law's N counts, so the shape is searched by that count: a law in non-embedding N (Kaplan's,
   * or a fit to runs whose N column is non-embedding) given a shape whose total matched N would get a
   * model with fewer non-embedding parameters than the law asked for. @default the law's nConvention
   * (non-embedding for Kaplan's), else the total
   */
  nCount?: 'total' | 'nonEmbedding';
  /**
   * Why the law's split of a budget between N and D is not the data's (a fit to runs at one tokens-per-
   * parameter ratio, its `one-ratio` warning): said as a warning beside N and D.
   */
  splitUnidentified?: string;
  /**
   * The fit's warning code that `splitUnidentified` repeats: `one-ratio`, or `reduced-law` for a fit
   * whose exponents its reduction tied. @default 'one-ratio'
   */
  splitUnidentifiedCode?: 'one-ratio' | 'reduced-law';
  inference?: { tokens: number; targetLoss?: number; qualityOf?: number };
  /** Unique tokens available (data-constrained laws): D may exceed it by repeating epochs. */
  uniqueTokens?: number;
  /**
   * Learning rate and batch size for the recommended run, with where they come from (computed in steps
   * when they are fitted with a bootstrap).
   */
  hyperparameters?: (at: { C: number; N: number }) => PlanHyperparameters | Steps<PlanHyperparameters>;
  /**
   * The fit's candidates when it is an ensemble (an `auto` fit), with the one whose law is reported:
   * the recommendation names the rule its N and D come from and the candidates' own optima.
   */
  ensemble?: { reported: string; members: AllocationMember[] };
  /** A B_crit(L) law (tokens) to evaluate at the recommended run's predicted loss, with where it comes from. */
  criticalBatch?: { bStar: number; alphaB: number; source: string; note?: string };
  /**
   * The plan's inputs the caller chose rather than the user (defaults), each with a short note saying so
   * and how to choose another: the shape's vocabulary, context and MLP are marked in the assumptions, and
   * all of them are echoed in the plan (the learning-rate and critical-batch presets' notes are already
   * in their sources, which the caller builds).
   */
  defaults?: PlanDefaults;
}

/** Inputs nobody typed, each with a note ("the default; choose with …"). */
export interface PlanDefaults {
  hyperparameters?: string;
  criticalBatch?: string;
  vocab?: string;
  seqLen?: string;
  mlp?: string;
  /** --sweep-bootstrap's replicates for a sweep's η and B intervals, where not typed. */
  sweepBootstrap?: string;
}

/**
 * What a data set's N column counts, where its name says: non-embedding for `non_embedding_params` (or
 * another name holding "non-embedding"), else nothing known (the total is assumed).
 */
export function nCountOfColumn(column: string | undefined): 'nonEmbedding' | undefined {
  return column !== undefined && /non[-_ ]?embed/i.test(column) ? 'nonEmbedding' : undefined;
}

export interface PlanHyperparameters {
  learningRate: number;
  batchTokens: number;
  source: string;
  /** Bootstrap intervals, when the laws were fitted with them. */
  learningRateInterval?: [number, number];
  batchInterval?: [number, number];
  /** The law used outside the range it was fitted on (a preset's paper), said in the plan's warnings. */
  warnings?: TrustWarning[];
}

export interface PlanCriticalBatch {
  /** The loss B_crit is evaluated at (the recommendation's predicted loss). */
  loss: number;
  bCrit: number;
  unit: 'tokens';
  bStar: number;
  alphaB: number;
  source: string;
  note?: string;
  /** At B = B_crit: 2·S_min steps and 2·E_min tokens (McCandlish et al. 2018). */
  atCritical: { stepsFactor: 2; tokensFactor: 2 };
  /** At the recommended batch: steps and tokens relative to their minimum, S = S_min(1 + B_crit/B), E = E_min(1 + B/B_crit). */
  atRecommendedBatch?: {
    batchTokens: number;
    ratio: number;
    stepsFactor: number;
    tokensFactor: number;
    steps: number;
    minSteps: number;
    minTokens: number;
  };
}

export interface PlannedModel extends Allocation {
  rule: string;
  citation: string;
}

export interface Plan {
  compute: number;
  hardware?: HardwareBudget;
  law: { id: string; formula: string; params: Record<string, number>; provenance: string };
  recommendation: Allocation & {
    loss: number;
    /**
     * The rule N and D come from: 'reported', the reported law's own optimum, also for an ensemble fit
     * (the rule the allocation back-test kept: the evidence for another was too thin, docs/methods.md §7).
     */
    allocationRule: AllocationRule;
    /** Where N and D come from, in one line. */
    allocationSource: string;
    intervals: { N?: [number, number]; D?: [number, number]; loss?: [number, number] };
    level: number;
    replicates: number;
    shape?: ShapeCandidate;
    shapes: ShapeCandidate[];
    /** Which of the shape's counts was matched to N: the one the law's N counts. */
    shapeCount: 'total' | 'nonEmbedding';
    flopsPerToken?: { sixN: number; kaplan: number; chinchilla: number };
    days?: number;
    hyperparameters?: PlanHyperparameters;
    criticalBatch?: PlanCriticalBatch;
    /**
     * The loss of a run at the recommended N and D as `predict` gives it from a saved fit: the
     * ensemble's mean (an `auto` fit's candidates) with a prediction interval for one run (replicates,
     * a run's scatter, the extrapolation term). The `loss` above is the reported law's alone, with the
     * law's interval; the two differ, and a plan that showed only the one read as contradicting predict.
     */
    forRun?: {
      loss: number;
      interval?: [number, number];
      level: number;
      members: { id: string; weight: number; value: number }[];
    };
  };
  alternatives: PlannedModel[];
  inference?: InferenceAwareResult & { targetFrom: string; days?: number; shape?: ShapeCandidate };
  /** The cluster's inputs the caller chose rather than the user (defaults), with where they come from. */
  assumed?: { mfu?: string; accelerator?: string };
  /** The other inputs nobody typed (learning-rate and B_crit presets, the shape's vocabulary, context, MLP). */
  defaults?: PlanDefaults;
  assumptions: string[];
  /** Each with a code and a severity, as a fit's and predict's are (a script can stop on severe). */
  warnings: TrustWarning[];
}

/**
 * Why a saved fit's split of a budget between N and D is not the data's, as makePlan's
 * `splitUnidentified` takes it: runs at one tokens-per-parameter ratio (the fit's `one-ratio`
 * warning), or a reported law whose exponents its reduction tied (α = β for too few runs, so a = b =
 * 0.5 whatever the data). `plan --fit` and the web app's planner both ask it, so they warn alike.
 */
export function splitNotIdentified(fit: {
  warnings: readonly { code: string }[];
  ties?: Record<string, string>;
  procedure?: { reduction?: string };
}): Pick<PlanInput, 'splitUnidentified' | 'splitUnidentifiedCode'> {
  if (fit.warnings.some((w) => w.code === 'one-ratio'))
    return {
      splitUnidentified:
        "every run of the fit has one tokens-per-parameter ratio, so the split of a budget between N and D is the law's assumed form, not a finding (the fit's one-ratio warning); add runs at other tokens per parameter",
    };
  const reduction = fit.procedure?.reduction;
  if (reduction && Object.keys(fit.ties ?? {}).length)
    return {
      splitUnidentified: `the fit's reported law was reduced to α = β for too few runs (${reduction}), so a = b = 0.5 and the split of a budget between N and D is that tie's, not a finding (the fit's reduced-law warning); add runs of other model sizes and token counts`,
      splitUnidentifiedCode: 'reduced-law',
    };
  return {};
}

/**
 * The recommended run's loss as `predict` gives it from a saved fit (the plan's `recommendation.forRun`):
 * an `auto` fit's candidates averaged, with a prediction interval for one run. Undefined for a fit of
 * one law without replicates, where it would only repeat the plan's own loss.
 * @param maxC the largest C of the fit's data, for the extrapolation term
 */
export function forRunLoss(
  members: PredictiveMember[] | undefined,
  at: { N: number; D: number },
  level: number,
  maxC?: number,
): Plan['recommendation']['forRun'] {
  if (!members?.length || !(members.length > 1 || members.some((m) => m.replicates.length >= 2))) return undefined;
  const e = predictEnsemble(members, at, [level], { maxC });
  const interval = e.intervals[String(level)];
  return { loss: e.value, ...(interval?.every(Number.isFinite) ? { interval } : {}), level, members: e.members };
}

export function makePlan(input: PlanInput): Plan {
  return finish(makePlanSteps(input));
}

/**
 * makePlan in steps: it yields between the replicates of the law's bootstrap and of a fitted sweep's, so
 * a caller that must stay responsive (a command that stops on Ctrl-C) gives its event loop a turn there.
 */
export function* makePlanSteps(input: PlanInput): Steps<Plan> {
  const { law, params, compute } = input;
  const level = input.level ?? 0.95;
  const U = input.uniqueTokens;
  if (law.inputs.includes('U') && U === undefined)
    throw new OptionError({
      option: 'uniqueTokens',
      value: U,
      message: (o) => `law ${law.id} needs the unique tokens available: give ${o('uniqueTokens')}`,
    });
  const allocate = (p: Record<string, number>): Allocation & { loss: number } => {
    if (U === undefined || !law.inputs.includes('U'))
      return computeOptimal(law, p, compute) as Allocation & { loss: number };
    const r = repetitionOptimum(law, p, compute, U);
    return {
      C: compute,
      N: r.N,
      D: r.D,
      tokensPerParameter: r.D / r.N,
      loss: r.loss,
      epochs: r.epochs,
    } as Allocation & { loss: number };
  };
  const at = (p: Record<string, number>, a: { N: number; D: number }) =>
    predictLoss(law, p, { N: a.N, D: a.D, U: U === undefined ? undefined : Math.min(U, a.D) });
  const best = allocate(params);
  // Below one parameter or one token there is no model to train, whatever the law's formula says
  // (C = 1 gave N = 0.048 parameters): refused with the budget where the law's allocation reaches one.
  if (!(best.N >= 1 && best.D >= 1)) {
    const whole = (c: number) => {
      const a = computeOptimal(law, params, c);
      return a.N >= 1 && a.D >= 1;
    };
    let [lo, hi] = [Math.log(compute), Math.log(compute) + 1];
    while (!whole(Math.exp(hi)) && hi < Math.log(1e100)) [lo, hi] = [hi, hi + 2 * (hi - lo)];
    for (let k = 0; k < 60; k++) {
      const mid = (lo + hi) / 2;
      if (whole(Math.exp(mid))) hi = mid;
      else lo = mid;
    }
    throw new OptionError({
      option: 'compute',
      value: compute,
      message: `C = ${formatNumber(compute, 3)} FLOPs allocates ${best.N < 1 ? `N = ${formatNumber(best.N, 3)} parameters` : `D = ${formatNumber(best.D, 3)} tokens`}: no model trains on less than one parameter and one token; under law ${law.id} that takes C of at least ${formatNumber(Math.exp(hi), 3)} FLOPs`,
    });
  }
  const allocationSource = describeAllocation(law, U, compute, input.ensemble);
  const intervals: Plan['recommendation']['intervals'] = {};
  const reps = input.replicates ?? [];
  if (reps.length >= 2) {
    const allocations: (Allocation & { loss: number })[] = [];
    for (const p of reps) {
      allocations.push(allocate(p));
      yield;
    }
    intervals.N = percentileInterval(
      allocations.map((a) => a.N),
      level,
    );
    intervals.D = percentileInterval(
      allocations.map((a) => a.D),
      level,
    );
    // Interval of the loss the recommended model will reach (N and D fixed to the recommendation).
    intervals.loss = percentileInterval(
      reps.map((p) => at(p, best)),
      level,
    );
  }
  const seqLen = input.shape?.seqLen ?? 4096;
  let shapes: ShapeCandidate[] = [];
  const warnings: TrustWarning[] = [];
  const tolerance = input.shape?.tolerance ?? 0.05;
  const count = input.shape?.count ?? input.nCount ?? (law.nConvention === 'non-embedding' ? 'nonEmbedding' : 'total');
  const countName = count === 'nonEmbedding' ? 'non-embedding' : 'total';
  try {
    shapes = shapeSearch(best.N, { tolerance: 0.05, ...input.shape, count });
  } catch (e) {
    // The search's own advice names its options, which the plan does not take: said in the plan's terms.
    if (!(e instanceof OptionError)) throw e;
    warnings.push(
      warning(
        'no-shape',
        'warning',
        `no model shape found for N = ${formatNumber(best.N, 4)}: none counts (${countName}) within ${formatNumber(tolerance * 100, 3)} % of it with d_model/n_layer in ${formatInterval(input.shape?.aspectRange ?? [32, 256], String)} and heads of ${(input.shape?.headDims ?? [64, 128]).join(' or ')}${best.N < 1e7 ? ' (models this small come in few such shapes: choose its layers and width by hand)' : ''}`,
      ),
    );
  }
  const shape = shapes[0];
  const cluster = input.hardware
    ? { gpus: input.hardware.gpus, accelerator: input.hardware.accelerator, mfu: input.hardware.mfu }
    : input.cluster;
  const days = (flops: number) =>
    cluster ? trainingDays(flops, cluster.gpus, cluster.accelerator, cluster.mfu) : undefined;

  const twenty = tokensPerParameterRule(compute, 20);
  const kaplan = kaplanAllocation(compute);
  const alternatives: PlannedModel[] = [
    {
      ...twenty,
      loss: at(params, twenty),
      rule: '20 tokens per parameter',
      citation: 'the rule of thumb read off Hoffmann et al. 2022, Table 3',
    },
    {
      ...kaplan,
      loss: at(params, kaplan),
      rule: 'Kaplan et al. 2020 allocation, N = 1.3e9·C^0.73 (C in PF-days)',
      citation: 'Kaplan et al. 2020, Table 6',
    },
  ];

  let inference: Plan['inference'];
  if (input.inference) {
    const { tokens } = input.inference;
    let target: number, targetFrom: string;
    if (input.inference.targetLoss !== undefined) {
      target = input.inference.targetLoss;
      targetFrom = `the given target loss ${target}`;
    } else if (input.inference.qualityOf !== undefined) {
      target = qualityOf(law, params, input.inference.qualityOf);
      targetFrom = `the loss of a ${formatNumber(input.inference.qualityOf, 4)}-parameter model trained to its compute-optimal tokens`;
    } else {
      target = best.loss;
      targetFrom = `the loss of the compute-optimal model for ${formatNumber(compute, 4)} FLOPs`;
    }
    const r = inferenceAwareOptimal(law, params, target, tokens);
    let ishape: ShapeCandidate | undefined;
    try {
      ishape = shapeSearch(r.optimal.N, { tolerance: 0.05, ...input.shape, count })[0];
    } catch {
      ishape = undefined;
    }
    inference = { ...r, targetFrom, days: days(r.optimal.trainingFlops), shape: ishape };
  }

  if (input.splitUnidentified)
    warnings.push(
      warning(
        input.splitUnidentifiedCode ?? 'one-ratio',
        'warning',
        `N = ${formatNumber(best.N, 4)} and D = ${formatNumber(best.D, 4)} apart (${formatNumber(best.D / best.N, 3)} tokens per parameter) are not identified by the fit's data: ${input.splitUnidentified}`,
      ),
    );
  warnings.push(...extrapolationWarnings(input.ranges, best, input.rangesOf, input.rangesSource));
  // The over-trained model is a second extrapolation of the same law, often further in D: judged too.
  if (inference)
    warnings.push(
      ...extrapolationWarnings(
        input.ranges,
        { N: inference.optimal.N, D: inference.optimal.D, C: inference.optimal.trainingFlops },
        input.rangesOf,
        input.rangesSource,
      ).map((w) => ({ ...w, message: `lifetime-optimal model: ${w.message}` })),
    );
  const given = input.hyperparameters?.({ C: compute, N: best.N });
  const hyperparameters = given !== undefined && isSteps(given) ? yield* given : given;
  warnings.push(...(hyperparameters?.warnings ?? []));
  let criticalBatch: PlanCriticalBatch | undefined;
  if (input.criticalBatch && best.loss > 0 && Number.isFinite(best.loss)) {
    const { bStar, alphaB, source, note } = input.criticalBatch;
    const bCrit = bStar / Math.pow(best.loss, 1 / alphaB);
    criticalBatch = {
      loss: best.loss,
      bCrit,
      unit: 'tokens',
      bStar,
      alphaB,
      source,
      note,
      atCritical: { stepsFactor: 2, tokensFactor: 2 },
    };
    if (hyperparameters && hyperparameters.batchTokens > 0) {
      // The run processes D tokens at batch B: S = D/B steps, E = D tokens.
      const B = hyperparameters.batchTokens;
      const stepsFactor = 1 + bCrit / B,
        tokensFactor = 1 + B / bCrit;
      const steps = best.D / B;
      criticalBatch.atRecommendedBatch = {
        batchTokens: B,
        ratio: B / bCrit,
        stepsFactor,
        tokensFactor,
        steps,
        minSteps: steps / stepsFactor,
        minTokens: best.D / tokensFactor,
      };
    }
  }
  const assumptions = [
    'training FLOPs C = 6·N·D (Kaplan et al. 2020 §2.1; Hoffmann et al. 2022)',
    // A fit to the user's runs counts N as its data do (a ScaleLab sweep's N is non-embedding), which the
    // law's published convention does not say; a preset's runs (rangesOf) count as its paper did.
    `N counts the parameters the law was fitted with (${law.nConvention === 'non-embedding' ? 'non-embedding, Kaplan' : input.nCount === 'nonEmbedding' ? "non-embedding, as the fit's data name their N column" : input.ranges !== undefined && input.rangesOf === undefined ? "as the fit's data count them: a ScaleLab sweep's runs count non-embedding parameters, Chinchilla's and Epoch's data all parameters" : 'all parameters, as Chinchilla and Epoch count them'}); the shape is matched to N by its ${countName} count${count === 'total' && input.ranges !== undefined && input.rangesOf === undefined && input.nCount === undefined ? " (a fit's runs whose N is non-embedding say so by naming the column non_embedding_params)" : ''}`,
  ];
  if (cluster) {
    assumptions.push(
      `${cluster.gpus} × ${cluster.accelerator.name}${input.assumed?.accelerator ? ` (${input.assumed.accelerator})` : ''} at ${(cluster.accelerator.peakFlops / 1e12).toFixed(1)} TFLOP/s peak dense BF16 (${cluster.accelerator.source}), MFU ${cluster.mfu}${input.assumed?.mfu ? ` (${input.assumed.mfu})` : ''}`,
    );
  }
  // The inference-aware model's FLOPs rest on their own counting rule, printed with its numbers.
  if (inference)
    assumptions.push(
      'inference FLOPs = 2·N per token served (a forward pass, Kaplan et al. 2020 §2.1); lifetime FLOPs = 6·N·D + 2·N·T for T inference tokens, minimised at the target loss (Sardana et al. 2024, arXiv:2401.00448)',
    );
  if (U !== undefined)
    assumptions.push(
      `${formatNumber(U, 4)} unique tokens: the recommended run repeats them ${(best.D / U).toFixed(2)} times (Muennighoff et al. 2023)`,
    );
  // A law without a unique-token input plans as if every token were fresh: the cap changes nothing in
  // the answer, and a run that repeats its data does worse than the loss predicted.
  if (U !== undefined && !law.inputs.includes('U') && best.D > U)
    warnings.push(
      warning(
        'repeated-data',
        'warning',
        `law ${law.id} has no unique-token input: it plans as if all ${formatNumber(best.D, 4)} tokens were fresh, but with ${formatNumber(U, 4)} unique ones the run repeats them ${(best.D / U).toFixed(2)} times and its loss will be higher than predicted; plan with a data-constrained law (preset muennighoff-2023) to account for it`,
      ),
    );
  // A default beside its number, as the cluster's are: "vocabulary 32000 (the default; …)".
  const mark = (note?: string) => (note ? ` (${note})` : '');
  if (shape)
    assumptions.push(
      `shape: ${shape.shape.mlp} MLP${mark(input.defaults?.mlp)}, vocabulary ${shape.shape.vocab}${mark(input.defaults?.vocab)}, context ${seqLen}${mark(input.defaults?.seqLen)}, head_dim ${shape.shape.headDim}; of the shapes whose ${countName} parameter count is within ${formatNumber(tolerance * 100, 3)} % of N (the count the law's N is), the one with d_model/n_layer nearest ${input.shape?.aspect ?? 100} (the loss is flat over a wide band of shapes, Kaplan et al. 2020 §3.1)`,
    );

  return {
    compute,
    hardware: input.hardware,
    law: { id: law.id, formula: law.formula, params, provenance: input.provenance },
    recommendation: {
      ...best,
      allocationRule: shippedAllocationRule,
      allocationSource,
      intervals,
      level,
      replicates: reps.length,
      shape,
      shapes,
      shapeCount: count,
      flopsPerToken: shape
        ? {
            sixN: 6 * shape.parameters.total,
            kaplan: kaplanFlopsPerToken(shape.shape).training,
            chinchilla: chinchillaFlopsPerToken(shape.shape).training,
          }
        : undefined,
      days: days(compute),
      hyperparameters,
      criticalBatch,
    },
    alternatives,
    inference,
    ...(cluster && (input.assumed?.mfu || input.assumed?.accelerator) ? { assumed: input.assumed } : {}),
    ...(input.defaults && Object.keys(input.defaults).length ? { defaults: input.defaults } : {}),
    assumptions,
    warnings,
  };
}

/**
 * Learning rate and batch for the recommended run from your own sweep: DeepSeek LLM's laws in C
 * (Bi et al. 2024 §3.1) fitted to it with bootstrap intervals, refitted at each budget asked.
 * The fit and its bootstrap are computed in steps when the plan asks for them (makePlanSteps).
 * @param name how the sweep is named in the output (its file)
 */
export function hyperparametersFromSweep(
  sweep: Dataset,
  name: string,
  bootstrap: { replicates: number; seed: number },
  /** Said beside the replicates when nobody chose them: "default, --sweep-bootstrap". */
  replicatesDefault?: string,
): (at: { C: number; N: number }) => Steps<PlanHyperparameters> {
  return function* ({ C }) {
    const fitted = yield* fitHparamLawsSteps(sweep, {
      variable: 'C',
      at: C,
      bootstrap: { ...bootstrap, level: 0.95 },
    });
    const p = fitted.prediction!;
    return {
      learningRate: p.learningRate,
      batchTokens: p.batch,
      learningRateInterval: p.learningRateInterval,
      batchInterval: p.batchInterval,
      source: `fitted to your sweep ${name} (DeepSeek LLM's method: η = ${formatNumber(fitted.lr.coefficient, 4)}·C^${fitted.lr.exponent.toFixed(4)}, B = ${formatNumber(fitted.batch.coefficient, 4)}·C^${fitted.batch.exponent.toFixed(4)} over ${fitted.budgets.length} budgets; 95 % intervals from ${bootstrap.replicates} bootstrap resamples${replicatesDefault ? ` (${replicatesDefault})` : ''}, seed ${bootstrap.seed})${fitted.warnings.length ? `; ${fitted.warnings.join('; ')}` : ''}`,
    };
  };
}

/** Learning rate and batch for the recommended run from a published law (DeepSeek's in C, Porian's in N). */
export function hyperparametersFromPreset(
  preset: HparamPreset,
  /** Said beside the preset's name when the caller chose it (a default): "the default; choose with …". */
  defaultNote?: string,
): (at: { C: number; N: number }) => PlanHyperparameters {
  return ({ C, N }) => {
    const p = predictHparams(preset, { C, N });
    const source = defaultNote
      ? p.source.replace(`preset ${preset.id}:`, `preset ${preset.id} (${defaultNote}):`)
      : p.source;
    // Named by the numbers the recommendation shows (as it prints them), so the warning says which of
    // the plan's numbers rest on the preset outside its range, beside by how much.
    const shown = `learning rate ${formatNumber(p.learningRate, 3)} and batch ${formatNumber(p.batchTokens, 3)} tokens`;
    return {
      learningRate: p.learningRate,
      batchTokens: p.batchTokens,
      warnings: presetRangeWarnings(preset, p.at).map((w) => ({ ...w, message: `${shown}: ${w.message}` })),
      // The law itself beside its citation, so the two numbers can be recomputed from the output.
      source: `η = ${preset.lr.coefficient}·${preset.variable}^${preset.lr.exponent}, B = ${preset.batch.coefficient}·${preset.variable}^${preset.batch.exponent} ${preset.batch.unit === 'sequences' ? `sequences of ${preset.batch.seqLen ?? '?'} tokens` : 'tokens'}; ${source}${preset.variable === 'C' ? '; their C counts non-embedding FLOPs with attention, here C = 6ND' : '; their N excludes embeddings'}`,
    };
  };
}

/**
 * The rule `plan` recommends N and D by from an ensemble fit: the reported law's own optimum, which is
 * what makePlan's allocate() computes. bench/allocation-backtest.ts scored it against the ensemble's
 * rules (docs/methods.md §7) and exits 1 when the evidence chooses another: changing this constant
 * then means making allocate() use allocateByRule.
 */
export const shippedAllocationRule = 'reported' satisfies AllocationRule;

/**
 * The recommenders bench/approach-backtest.ts scores for N at a budget when the data hold IsoFLOP
 * profiles: Approach 3 (the fitted law, what `plan`, `report` and `study run` use), Approach 2 through the
 * profiles' parabola vertices or their Akima minima, Approach 1 (the envelope), and the geometric mean of
 * Approaches 2 and 3 (docs/methods.md §7). Which one `plan` is, the bench finds by comparing each one's N
 * with makePlan's own, and it exits 1 when its evidence decides another.
 */
export const recommenders = ['approach-3', 'approach-2', 'approach-2-akima', 'approach-1', 'geomean-2-3'] as const;
export type Recommender = (typeof recommenders)[number];

/** One line: where the recommendation's N and D come from. */
function describeAllocation(law: Law, U: number | undefined, C: number, ensemble: PlanInput['ensemble']): string {
  const how =
    U !== undefined && law.inputs.includes('U')
      ? `the minimum of law ${law.id} along C = 6ND with ${formatNumber(U, 4)} unique tokens, epochs repeated as needed`
      : law.closedForm?.computeOptimal
        ? `the minimum of law ${law.id} along C = 6ND in closed form (N_opt = G·(C/6)^a, Hoffmann et al. 2022 Eq. 4)`
        : `the minimum of law ${law.id} along C = 6ND, found numerically`;
  const active = ensemble?.members.filter((m) => m.weight > 0) ?? [];
  if (!ensemble || active.length < 2) return how;
  // The candidates' own optima show how far the procedure choice alone moves N.
  let others = '';
  try {
    const { optima } = allocateByRule('reported', ensemble.members, ensemble.reported, C);
    others = optima
      .filter((o) => o.id !== ensemble.reported)
      .map((o) => `${o.id} ${o.N === undefined ? 'none' : formatNumber(o.N, 3)}`)
      .join(', ');
  } catch {
    others = '';
  }
  return `${how}: the reported law (${ensemble.reported}) alone, not the ${active.length} candidates' average — the rule the allocation back-test kept (docs/methods.md §7)${others ? `; the other candidates' own N_opt: ${others}` : ''}`;
}
