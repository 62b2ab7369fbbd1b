/**
 * Everything a report or a figure needs from one data set: the fit with its bootstrap, the three
 * frontier approaches, a back-test, a plan for the target, and the warnings — computed once, so
 * `plot`, `report` and the web app show the same numbers. Pure (the fit and bootstrap are passed in,
 * so the CLI can run them on worker threads).
 */
import type { FitResult } from '../fit/fit.js';
import { fitEnsemble, fitToJson, loadFit, type FitJson } from '../fit/summary.js';
import { runClusters, type Dataset } from '../io/dataset.js';
import {
  approach1,
  approach2,
  approach3,
  approach3Recipe,
  agreement,
  type Agreement,
  type ApproachResult,
} from '../analyses/frontier.js';
import type { IsoflopOptions, Profile } from '../analyses/isoflop.js';
import { rollingBacktest, type RollingBacktestResult } from '../analyses/rollingBacktest.js';
import { trainingRuns } from '../io/rollingOrigin.js';
import { canAllocate, computeOptimal } from '../analyses/computeOptimal.js';
import { placeOnFrontier, type CatalogModel, type FrontierPlacement } from '../catalog/models.js';
import {
  forRunLoss,
  makePlan,
  nCountOfColumn,
  splitNotIdentified,
  type Plan,
  type PlanInput,
} from '../analyses/plan.js';
import { InputError, isScaleLabError, libraryOption, renameOptions, type OptionNamer } from '../errors/index.js';
import { defaultLawId, getLaw, type LawChoice } from '../laws/index.js';
import { checkLawData, checkMagnitudes } from '../io/dataChecks.js';
import { fitForAnalysis, type FitRunners, type ProgressFactory } from '../fit/run.js';
import { approachWarnings } from './text/frontier.js';
import type { BootstrapSamples } from '../fit/bootstrap.js';
import { replicateParams } from '../fit/bootstrap.js';
import {
  backtestPlot,
  frontierPlot,
  isoflopPlot,
  landmarksPlot,
  lossPlot,
  residualsPlot,
  type Spec,
} from '../plots/specs.js';

export interface AnalysisOptions {
  targets: number[];
  isoflop?: IsoflopOptions;
  bootstrap?: { replicates: number; seed: number; level: number };
  /**
   * The rolling-origin back-test: procedures compared (default auto), bootstrap replicates for its
   * intervals (default none), cutoffs (default 3 in C), or `holdout`, one cutoff leaving that
   * fraction of the runs (by compute) above it. `false`: not run (the web app runs it on demand, in
   * a worker of its own, so that a fit returns without waiting for a dozen refits).
   */
  backtest?: { procedures?: string[]; replicates?: number; folds?: number; holdout?: number; seed?: number } | false;
  /** The fit as JSON when it was made by a procedure (auto's candidates and weights); default: from `fitted`. */
  fitJson?: FitJson;
  /** Published models to place on the fitted frontier. */
  landmarks?: CatalogModel[];
  /** Approaches not to attempt, each with the reason said in `skipped` (the web app's check that the data are an IsoFLOP sweep). */
  skip?: Partial<Record<1 | 2 | 3, string>>;
  /**
   * How a skipped approach's or back-test's reason, and a warning, names an option (the CLI: its flag,
   * `--budgets`, or the command that has it, `scalelab fit --init`); default: as the library names it
   * (`option "budgets"`).
   */
  optionName?: OptionNamer;
  /**
   * What the plan for the last target takes beyond the law, as `plan` is given it: the cluster and days
   * the budget comes from (its MFU and where that comes from), the learning-rate and batch laws, B_crit.
   */
  plan?: Pick<PlanInput, 'hardware' | 'cluster' | 'assumed' | 'hyperparameters' | 'criticalBatch' | 'shape'>;
}

export interface Analysis {
  dataset: Dataset;
  fit: FitResult;
  fitJson: FitJson;
  replicates: Record<string, number>[];
  approaches: (ApproachResult & {
    isoflop?: { profiles: Profile[] };
    envelope?: { points: { C: number; N: number; D: number }[] };
  })[];
  skipped: { approach: number; reason: string }[];
  agreements: Agreement[];
  backtest?: RollingBacktestResult;
  backtestSkipped?: string;
  plan?: Plan;
  landmarks?: FrontierPlacement[];
  /**
   * Why the compute-optimal split (a = β/(α+β), N_opt and D_opt apart) is not identified by the data,
   * when it is not: every run at one tokens-per-parameter ratio (the fit's `one-ratio` warning), or a law the
   * fit reduced to α = β for too few runs (its `reduced-law` warning). The split is then the law's form, or
   * the α = β tie's 0.5, and is shown as that, not as a result.
   */
  splitUnidentified?: string;
  /** Which of the fit's warnings `splitUnidentified` repeats: `one-ratio`, or `reduced-law` (α = β tied). */
  splitUnidentifiedCode?: 'one-ratio' | 'reduced-law';
  targets: number[];
  /** The level of the approaches' intervals and the loss figure's band, a fraction (the bootstrap's). */
  level: number;
  warnings: string[];
  /**
   * The worst grade of the report's warnings that are not the fit's (the fit's is `fitJson.trust`): a
   * target beyond the data (graded as predict grades it), approaches that disagree. Absent when none.
   */
  beyondFit?: {
    severity: 'warning' | 'severe';
    reasons: { severity: 'warning' | 'severe'; what: string }[];
  };
}

export function analyse(
  dataset: Dataset,
  fitted: FitResult,
  samples: BootstrapSamples | undefined,
  o: AnalysisOptions,
): Analysis {
  const replicates: Record<string, number>[] = [];
  if (samples)
    for (let r = 0; r < samples.replicates; r++) if (samples.converged[r]) replicates.push(replicateParams(samples, r));
  const fitJson = o.fitJson ?? fitToJson(fitted, samples, o.bootstrap?.level ?? 0.95);
  const approaches: Analysis['approaches'] = [];
  const skipped: Analysis['skipped'] = [];
  const attempt = (n: 1 | 2 | 3, fn: () => Analysis['approaches'][number]) => {
    const reason = o.skip?.[n];
    if (reason !== undefined) return void skipped.push({ approach: n, reason });
    try {
      approaches.push(fn());
    } catch (e) {
      if (!isScaleLabError(e)) throw e;
      skipped.push({ approach: n, reason: e.messageNaming(o.optionName ?? libraryOption) });
    }
  };
  attempt(1, () => approach1(dataset, o.targets, o.bootstrap));
  attempt(2, () => approach2(dataset, o.targets, o.isoflop ?? {}, o.bootstrap));
  if (canAllocate(fitted.law))
    attempt(3, () => {
      const a3 = approach3(fitted.law, fitted.params, o.targets, replicates, o.bootstrap?.level ?? 0.95);
      if (fitted.warnings.some((w) => w.code === 'one-ratio')) a3.splitUnidentified = true;
      // Which recipe fitted its law, as frontier says it: with an auto fit its loss is not predict's.
      if (o.fitJson?.procedure) Object.assign(a3, approach3Recipe(fitted.law.id, o.fitJson.procedure));
      // Its intervals are the fit's bootstrap's, which drew lineages or runs.
      if (samples && replicates.length >= 2) a3.unit = samples.unit === 'lineage' ? 'lineage' : 'run';
      // It is the report's fit, the law its plan allocates with: every row, checkpoints too (as frontier's
      // own Approach 3); said beside Approach 2's final checkpoints.
      const clusters = runClusters(dataset).count;
      if (clusters < dataset.runs.length)
        a3.rows = `the fit's rows, every checkpoint: ${dataset.runs.length} rows of ${clusters} runs`;
      return a3;
    });
  else skipped.push({ approach: 3, reason: `law ${fitted.law.id} does not allocate compute between N and D` });
  const agreements: Agreement[] = [];
  for (let i = 0; i < approaches.length; i++)
    for (let j = i + 1; j < approaches.length; j++) agreements.push(agreement(approaches[i], approaches[j]));
  let bt: RollingBacktestResult | undefined, backtestSkipped: string | undefined;
  if (o.backtest !== false) {
    try {
      const b = o.backtest ?? {};
      let cutoffs: number[] | undefined;
      if (b.holdout !== undefined) {
        const runs = trainingRuns(dataset, 'C');
        const keep = Math.max(1, Math.min(runs.length - 1, Math.round(runs.length * (1 - b.holdout))));
        // The cutoff that fits `keep` runs: a run is fitted when its whole lineage is at or below it. A
        // lineage reaching the largest position would make that cutoff hold nothing out, so the cutoff is the
        // largest reach below the top (fewer runs fitted, at least one held out); when every lineage reaches
        // the top, the back-test chooses its own cutoffs and says why it cannot.
        const top = Math.max(...runs.map((r) => r.position));
        const below = runs
          .map((r) => r.fitPosition)
          .filter((v) => v < top * (1 - 1e-9))
          .sort((x, y) => x - y);
        if (below.length) cutoffs = [below[Math.min(keep, below.length) - 1]];
      }
      bt = rollingBacktest(dataset, {
        by: 'C',
        cutoffs,
        folds: b.folds ?? 3,
        procedures: b.procedures ?? ['auto'],
        replicates: b.replicates ?? 0,
        seed: b.seed ?? 0,
      });
    } catch (e) {
      if (!isScaleLabError(e)) throw e;
      backtestSkipped = e.messageNaming(o.optionName ?? libraryOption);
    }
  }
  let plan: Plan | undefined;
  let landmarks: FrontierPlacement[] | undefined;
  // The fit's one-ratio warning, carried to what rests on the split: the derived a and b, Approach 3's
  // exponent, the plan's N and D apart, and the published models' verdicts (not made).
  const oneRatio = fitJson.warnings.find((w) => w.code === 'one-ratio');
  const splitUnidentified = oneRatio
    ? `${/^every run has (about )?[\d.e+-]+ tokens per parameter/.exec(oneRatio.message)?.[0] ?? 'every run has one tokens-per-parameter ratio'}, so the data cannot tell the N term from the D term: the split of a budget between N and D (a = β/(α+β)) is the law's assumed form${
        Object.keys(fitted.ties).length
          ? ` (tied in this fit: ${Object.entries(fitted.ties)
              .map(([p, to]) => `${p} = ${to}`)
              .join(', ')}, which fixes it by construction)`
          : ''
      }, not a finding; add runs at other tokens per parameter`
    : // Or the fit reduced its law to α = β for too few runs: the split is then that tie's, said as plan --fit
      // and the web planner say it (one splitNotIdentified).
      splitNotIdentified(fitJson).splitUnidentified;
  const splitUnidentifiedCode = oneRatio ? 'one-ratio' : splitUnidentified ? 'reduced-law' : undefined;
  const ranges = fitJson.data.ranges;
  const unplannable: string[] = [];
  try {
    if (canAllocate(fitted.law) && o.targets.length) {
      plan = makePlan({
        compute: o.targets[o.targets.length - 1],
        law: fitted.law,
        params: fitted.params,
        replicates,
        level: o.bootstrap?.level,
        provenance: `law ${fitted.law.id} fitted to ${dataset.source}`,
        ranges,
        ensemble: fitEnsemble(fitJson),
        ...(nCountOfColumn(dataset.columns.N) ? { nCount: 'nonEmbedding' as const } : {}),
        ...(splitUnidentified ? { splitUnidentified, splitUnidentifiedCode } : {}),
        ...o.plan,
      });
      // The run's loss as `predict` and `plan --fit` give it (the candidates averaged, an interval for one
      // run), beside the law's own: without it the report's plan showed only the law's narrower interval.
      const level = o.bootstrap?.level ?? fitJson.bootstrap?.level ?? 0.95;
      const { members } = loadFit(JSON.stringify(fitJson), dataset.source);
      const forRun = forRunLoss(members, plan.recommendation, level, ranges?.C?.[1]);
      if (forRun) plan.recommendation.forRun = forRun;
    }
    // No verdicts ("over-trained") from a split the data do not identify.
    if (canAllocate(fitted.law) && o.landmarks?.length && !splitUnidentified)
      landmarks = o.landmarks.filter((m) => m.tokens).map((m) => placeOnFrontier(m, fitted.law, fitted.params));
  } catch (e) {
    // A law with no compute-optimal frontier (an exponent ≤ 0): no plan and no landmarks, said plainly,
    // labelled by what failed (the frontier), not by a command (`plan`) that was not run.
    // An input's error (an unreadable --sweep: the plan reads it for the learning rate and batch) is the
    // user's to fix, as plan refuses it, not a frontier the law lacks.
    if (!isScaleLabError(e) || e instanceof InputError) throw e;
    unplannable.push(`frontier: ${e.message}`);
  }
  // Each with its severity where it is an extrapolation (the plan's warnings carry their grades). The
  // learning-rate and batch law's own (a preset used beyond the budgets it was fitted on) are said as
  // that law's: they are not the loss target lying beyond these data.
  const hparamWarnings = new Set(plan?.recommendation.hyperparameters?.warnings ?? []);
  const graded = (w: Plan['warnings'][number]) => ({
    message: w.message,
    severity: w.code === 'extrapolation' ? w.severity : undefined,
  });
  const targetWarnings = (plan?.warnings ?? []).filter((w) => !hparamWarnings.has(w)).map(graded);
  const hyperparameterWarnings = [...hparamWarnings].map(graded);
  const disagreements = agreements.filter((a) => !a.exponent && a.statement.includes('DISAGREE'));
  // The report's worst beyond the fit's own trust: a target far beyond the data, approaches that disagree.
  // A page whose top read "Trust: ok" beside them was read as the verdict on the plan.
  const beyondFit: NonNullable<Analysis['beyondFit']>['reasons'] = [
    ...targetWarnings.flatMap((w) =>
      w.severity === 'severe' || w.severity === 'warning'
        ? [{ severity: w.severity, what: 'the target lies beyond the data' }]
        : [],
    ),
    ...hyperparameterWarnings.flatMap((w) =>
      w.severity === 'severe' || w.severity === 'warning'
        ? [{ severity: w.severity, what: 'the learning-rate and batch law lies beyond its runs' }]
        : [],
    ),
    ...disagreements.map((a) => ({
      severity: 'warning' as const,
      what: `approaches ${a.approaches.join(' and ')} disagree`,
    })),
  ];
  const warnings = [
    ...unplannable,
    ...fitted.warnings.map(
      (w) => `fit (${w.severity}, ${w.code}): ${renameOptions(w.message, o.optionName ?? libraryOption)}`,
    ),
    // Said once: an approach's warning the fit gives too (the data's lineages not drawn) is the fit's.
    ...approachWarnings(
      approaches.map((a) => ({
        approach: a.approach,
        warnings: a.warnings.filter((w) => !fitted.warnings.some((f) => f.message === w)),
      })),
    ),
    // The allocation at the largest target (extrapolation, no model shape): labelled by the target it is
    // about, since `plot` shows no plan and `scalelab plan` was not run.
    // Each with its severity where it is an extrapolation (info within 10×), as the fit's warnings carry
    // theirs: plot and report print every line as "warning:", and 6× the data read as a warning.
    ...targetWarnings.map((w) => `target${w.severity ? ` (${w.severity})` : ''}: ${w.message}`),
    ...hyperparameterWarnings.map((w) => `hyperparameters${w.severity ? ` (${w.severity})` : ''}: ${w.message}`),
    ...disagreements.map((a) => a.statement),
  ];
  if (bt) warnings.push(...backtestWarnings(bt));
  if (backtestSkipped !== undefined) warnings.push(`back-test not shown: ${backtestSkipped}`);
  return {
    dataset,
    fit: fitted,
    fitJson,
    replicates,
    approaches,
    skipped,
    agreements,
    backtest: bt,
    backtestSkipped,
    plan,
    landmarks,
    ...(splitUnidentified ? { splitUnidentified, splitUnidentifiedCode } : {}),
    targets: o.targets,
    level: o.bootstrap?.level ?? 0.95,
    warnings,
    ...(beyondFit.length
      ? {
          beyondFit: {
            severity: beyondFit.some((r) => r.severity === 'severe') ? 'severe' : 'warning',
            reasons: beyondFit,
          },
        }
      : {}),
  };
}

/** A procedure whose back-test predictions missed by more than the ~4 % that separates typical decisions. */
export function backtestWarnings(bt: RollingBacktestResult): string[] {
  return bt.summaries
    .filter((s) => s.predictions && s.meanAbsRelativeError > 0.04)
    .map(
      (s) =>
        // A run above several cutoffs is predicted from each: the count is of predictions, not of runs.
        `back-test: ${s.procedure}, fitted below each of ${bt.cutoffs.length} cutoff${bt.cutoffs.length === 1 ? '' : 's'}, missed its ${s.predictions} prediction${s.predictions === 1 ? '' : 's'} of the runs above by ${(s.meanAbsRelativeError * 100).toFixed(1)} % on average (over the ~4 % that separates typical decisions, Choshen et al. 2024)`,
    );
}

export type FigureKind = 'loss' | 'isoflop' | 'frontier' | 'residuals' | 'backtest' | 'landmarks';
export const figureKinds: FigureKind[] = ['loss', 'isoflop', 'frontier', 'residuals', 'backtest', 'landmarks'];

/** The figures of an analysis that its data support, as specs. */
export function figures(a: Analysis, x: 'N' | 'D' | 'C' = 'C'): Partial<Record<FigureKind, Spec>> {
  const out: Partial<Record<FigureKind, Spec>> = {};
  const target = a.targets.length ? a.targets[a.targets.length - 1] : undefined;
  out.loss = lossPlot({
    dataset: a.dataset,
    law: a.fit.law,
    params: a.fit.params,
    replicates: a.replicates,
    x,
    target: x === 'C' ? target : x === 'N' ? a.plan?.recommendation.N : a.plan?.recommendation.D,
    level: a.fitJson.bootstrap?.level,
  });
  const iso = a.approaches.find((p) => p.approach === 2)?.isoflop;
  if (iso) out.isoflop = isoflopPlot(iso.profiles);
  if (a.approaches.length && a.targets.length) out.frontier = frontierPlot(a.approaches, a.targets);
  out.residuals = residualsPlot(a.dataset, a.fit.residuals);
  // A back-test that made no prediction (every fit failed) has no figure: its section says why.
  if (a.backtest?.predictions.length) out.backtest = backtestPlot(a.backtest);
  if (a.landmarks?.length) {
    const cs = a.landmarks.map((l) => l.C);
    const lo = Math.min(...cs, ...a.dataset.runs.map((r) => r.C ?? Infinity)) / 3,
      hi = Math.max(...cs) * 3;
    const frontier = Array.from({ length: 40 }, (_, i) =>
      Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * i) / 39),
    ).map((C) => ({ C, N: computeOptimal(a.fit.law, a.fit.params, C).N }));
    out.landmarks = landmarksPlot(a.landmarks, frontier);
  }
  return out;
}

export interface AnalyseRunsOptions extends Omit<AnalysisOptions, 'bootstrap' | 'fitJson'> {
  /** A law fitted with default options; default: the Chinchilla form by `procedure`. */
  law?: LawChoice;
  /** The procedure fitting the Chinchilla form when no `law` is given (auto, or one recipe). */
  procedure: string;
  /** Bootstrap replicates of the fit (bands and intervals only with more than one). */
  replicates: number;
  seed: number;
  level: number;
  runners: FitRunners;
  progress?: ProgressFactory;
}

/**
 * Fit and analyse runs, as the report and its figures show them: the data's magnitudes and the
 * law's inputs checked first, then the fit and its bootstrap (fit/run.ts fitForAnalysis), then
 * the analysis.
 */
export async function analyseRuns(dataset: Dataset, o: AnalyseRunsOptions): Promise<Analysis> {
  const { law, procedure, replicates, seed, level, runners, progress, ...rest } = o;
  // Every figure and table reads N, D, C and loss; the fit needs them varied.
  checkMagnitudes(dataset, ['N', 'D', 'C', 'U', 'loss'], dataset.runs);
  checkLawData(getLaw(law ?? { law: defaultLawId }), dataset);
  const { fitted, samples, fitJson } = await fitForAnalysis(dataset, law ? { law: getLaw(law) } : { procedure }, {
    runners,
    progress,
    replicates,
    seed,
    level,
  });
  return analyse(dataset, fitted, samples, {
    ...rest,
    bootstrap: replicates > 1 ? { replicates, seed, level } : undefined,
    fitJson,
  });
}

/** Draw each figure with `render` (the CLI: vega to SVG, loaded only when a report is written). */
export async function renderFigures(
  specs: Partial<Record<FigureKind, Spec>>,
  render: (spec: Spec) => Promise<string>,
): Promise<Partial<Record<FigureKind, string>>> {
  const svgs: Partial<Record<FigureKind, string>> = {};
  for (const [k, spec] of Object.entries(specs)) svgs[k as FigureKind] = await render(spec!);
  return svgs;
}
