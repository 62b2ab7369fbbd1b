/**
 * What the workers compute for one request. A fit: the law by the chosen procedure (`auto`'s
 * candidates, a fixed recipe, or a custom law and loss — the same code as `scalelab fit`), an
 * optional bootstrap, the frontier approaches and the figures. A back-test: the rolling-origin
 * back-test of the chosen procedures, its figure and warnings. Pure, so both also run (and are
 * timed) in Node.
 */
import { checkInputs, finishFit, prepareFit, refineStarts, type FitResult } from '../../../src/fit/fit.js';
import { bootstrap, type BootstrapSamples } from '../../../src/fit/bootstrap.js';
import { chooseProcedure, defaultAutoRule, replicateShares } from '../../../src/fit/auto.js';
import {
  bootstrapCandidate,
  fitCandidate,
  isFailure,
  type CandidateFailure,
  type CandidateFit,
} from '../../../src/fit/candidate.js';
import { getProcedure } from '../../../src/fit/procedures.js';
import { autoFitToJson, candidateFitToJson, fitToJson, type FitJson } from '../../../src/fit/summary.js';
import { describeLoss } from '../../../src/core/losses.js';
import { InputError } from '../../../src/errors/index.js';
import { getLaw } from '../../../src/laws/index.js';
import { analyse, backtestWarnings, figures } from '../../../src/report/analysis.js';
import { rollingBacktest } from '../../../src/analyses/rollingBacktest.js';
import { rollingCutoffs, trainingRuns } from '../../../src/io/rollingOrigin.js';
import { backtestPlot, frontierPlot } from '../../../src/plots/specs.js';
import { approachSummary } from '../../../src/analyses/frontier.js';
import type { Dataset } from '../../../src/io/dataset.js';
import { isoflopUnsupported } from './support.js';
import {
  customProcedure,
  settingsLawChoice,
  type BacktestOutcome,
  type BacktestSettings,
  type FitOutcome,
  type FitSettings,
} from './protocol.js';

const seed = 0;
const level = 0.95;

interface Fitted {
  /** The law reported, planned with and drawn: a custom fit, the recipe's, or auto's reported candidate. */
  result: FitResult;
  samples?: BootstrapSamples;
  json: FitJson;
}

/**
 * A procedure fits the Chinchilla form (or Kaplan's L(N, D)): data without N or D get the fit's own
 * located error, with the way out that the web app offers.
 */
export function checkProcedureInputs(id: string, dataset: Dataset): void {
  for (const p of (id === 'auto' ? defaultAutoRule.candidates : [id]).map(getProcedure)) {
    try {
      checkInputs(getLaw(p.law), dataset);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      throw new InputError(
        e.location,
        `procedure ${id} fits ${p.law.law}, L(N, D): ${e.detail}; or choose "custom law and loss" with law power in C to fit the loss against compute alone`,
      );
    }
  }
}

/** What the fit worker did before runAnalysis: auto's candidates fitted in parallel (candidates.ts). */
export interface Prefitted {
  /** As chooseProcedure's `fits`. */
  fits: (CandidateFit | CandidateFailure)[];
  /** performance.now() when the fitting began, so that fitMs counts it. */
  startedAt: number;
}

/** Fit by the settings' procedure; `mark` is called between the fit and its bootstrap (timings). */
function fitBySettings(dataset: Dataset, settings: FitSettings, mark: () => void, prefitted?: Prefitted): Fitted {
  const replicates = settings.bootstrap > 1 ? settings.bootstrap : 0;
  if (settings.procedure === customProcedure) {
    const law = getLaw(settingsLawChoice(settings));
    const problem = prepareFit(law, dataset, { loss: settings.loss });
    const result = finishFit(problem, refineStarts(problem));
    mark();
    const samples = replicates ? bootstrap(problem, result, { replicates, seed }) : undefined;
    const json = fitToJson(result, samples, level);
    json.procedure = {
      id: customProcedure,
      title: `law ${law.id}, ${describeLoss(result.loss)} (chosen in the settings)`,
      chosen: law.id,
    };
    return { result, samples, json };
  }
  checkProcedureInputs(settings.procedure, dataset);
  if (settings.procedure === 'auto') {
    // As `scalelab fit`: the candidates first, then the bootstrap shared among them by weight.
    const choice = chooseProcedure(dataset, { fits: prefitted?.fits });
    mark();
    const shares = replicateShares(
      choice.scores.map((s) => s.weight),
      replicates,
    );
    choice.fits.forEach((f, k) => {
      if (!isFailure(f) && shares[k] > 0) f.samples = bootstrapCandidate(f, shares[k], seed + k);
    });
    const chosen = choice.fits[choice.scores.findIndex((s) => s.id === choice.chosen)] as CandidateFit;
    return { result: chosen.result, samples: chosen.samples, json: autoFitToJson(choice, level) };
  }
  const c = fitCandidate(dataset, getProcedure(settings.procedure));
  if (isFailure(c)) throw new InputError({ file: dataset.source }, `procedure ${settings.procedure}: ${c.error}`);
  mark();
  if (replicates) c.samples = bootstrapCandidate(c, replicates, seed);
  return { result: c.result, samples: c.samples, json: candidateFitToJson(c, level) };
}

export function runAnalysis(dataset: Dataset, settings: FitSettings, prefitted?: Prefitted): FitOutcome {
  const t0 = prefitted?.startedAt ?? performance.now();
  let t1 = NaN;
  const fitted = fitBySettings(dataset, settings, () => (t1 = performance.now()), prefitted);
  const t2 = performance.now();
  const unsupported2 = isoflopUnsupported(dataset);
  const analysis = analyse(dataset, fitted.result, fitted.samples, {
    targets: [settings.target],
    bootstrap: fitted.samples ? { replicates: settings.bootstrap, seed, level } : undefined,
    fitJson: fitted.json,
    backtest: false,
    skip: unsupported2 === undefined ? {} : { 2: unsupported2 },
  });
  const law = fitted.result.law;
  const x = law.inputs.length === 1 ? (law.inputs[0] as 'N' | 'D' | 'C') : 'C';
  const specs = figures(analysis, x);
  const shown =
    settings.approach === 'all'
      ? analysis.approaches
      : analysis.approaches.filter((a) => String(a.approach) === settings.approach);
  if (settings.approach !== 'all') {
    if (shown.length) specs.frontier = frontierPlot(shown, analysis.targets);
    else delete specs.frontier;
  }
  const approaches = shown.map(approachSummary);
  // The fit's own warnings travel structured (fit.warnings, with severity and code); these are the rest.
  const fitWarnings = new Set(fitted.result.warnings.map((w) => `fit (${w.severity}, ${w.code}): ${w.message}`));
  const t3 = performance.now();
  return {
    fit: analysis.fitJson,
    figures: specs,
    approaches,
    skipped: analysis.skipped.filter((s) => settings.approach === 'all' || String(s.approach) === settings.approach),
    unsupported: analysis.skipped,
    agreements: analysis.agreements.map((a) => a.statement),
    warnings: analysis.warnings.filter((w) => !fitWarnings.has(w)),
    timings: { fitMs: t1 - t0, bootstrapMs: t2 - t1, analysisMs: t3 - t2, totalMs: t3 - t0 },
  };
}

/**
 * The rolling-origin back-test in C, as `scalelab backtest` and the report run it; `onProgress` after
 * each procedure fitted at a cutoff. The cutoffs are the back-test's own default ones, chosen here
 * only so that the number of steps is known up front.
 */
export function runBacktest(
  dataset: Dataset,
  settings: BacktestSettings,
  onProgress?: (done: number, total: number) => void,
): BacktestOutcome {
  const t0 = performance.now();
  if (settings.procedures.length === 0)
    throw new InputError({ file: dataset.source }, 'choose at least one procedure to back-test');
  const cutoffs = rollingCutoffs(trainingRuns(dataset, 'C'), { folds: settings.folds });
  const total = cutoffs.length * settings.procedures.length;
  let done = 0;
  const backtest = rollingBacktest(dataset, {
    by: 'C',
    cutoffs,
    folds: settings.folds,
    procedures: settings.procedures,
    replicates: settings.replicates,
    seed,
    onStep: () => onProgress?.(++done, total),
  });
  return {
    backtest,
    // No prediction (every fit below the cutoffs failed): no figure, whose empty axis would be NaN.
    figure: backtest.predictions.length ? backtestPlot(backtest) : undefined,
    warnings: backtestWarnings(backtest),
    timings: { backtestMs: performance.now() - t0 },
  };
}
