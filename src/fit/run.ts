/**
 * A fit as the commands run it: a named procedure (auto's weighed candidates, or one recipe) or a
 * law fitted as asked, with bootstrap replicates, summarised as the fit JSON. Where the starts and
 * replicates run is the caller's: src/node's parallelRunners spreads them over worker threads.
 */
import { InputError, type Message } from '../errors/index.js';
import { describeColumns, type Dataset } from '../io/dataset.js';
import { checkMagnitudes } from '../io/dataChecks.js';
import type { Law } from '../laws/index.js';
import { backtestOnThisData, chooseProcedure, replicateShares } from './auto.js';
import type { BootstrapSamples } from './bootstrap.js';
import { fitCandidate, isFailure, type CandidateFit } from './candidate.js';
import type { FitOptions, FitResult } from './fit.js';
import { getProcedure } from './procedures.js';
import { autoFitToJson, candidateFitToJson, fitToJson, type FitJson } from './summary.js';

/** A progress display for one stage of work: told the total, then ticked. */
export interface Ticker {
  tick(n?: number): void;
  stop(): void;
}

/** Opens a progress display for a stage of `total` steps (the CLI: a bar on a terminal); none by default. */
export type ProgressFactory = (stage: 'starts' | 'bootstrap', total: number) => Ticker | undefined;

/** Where the starts of a fit and the replicates of a bootstrap are computed. */
export interface FitRunners {
  fit(
    law: Law,
    dataset: Dataset,
    options: FitOptions,
    onTotal: (total: number) => void,
    onProgress: (n: number) => void,
  ): Promise<FitResult>;
  bootstrap(
    result: FitResult,
    options: FitOptions,
    replicates: number,
    seed: number,
    onProgress: (n: number) => void,
  ): Promise<BootstrapSamples>;
}

export interface RunFitOptions {
  /**
   * Where starts and replicates are computed: scalelab/node's `parallelRunners()` (worker threads, what
   * the CLI uses; the same numbers whatever the thread count).
   */
  runners: FitRunners;
  /**
   * Bootstrap replicates (0: none, and then no prediction intervals). With `auto` this many go to the
   * heaviest candidate and the others get theirs in proportion to weight (at least 20): 100 over
   * auto's three equally weighted candidates is 300 in all. @default 0
   */
  replicates?: number;
  /** Seed of the bootstrap's resampling: the same seed, the same replicates. @default 0 */
  seed?: number;
  /** Level of the intervals, a fraction (0.95 for 95 %). @default 0.95 */
  level?: number;
  /** Opens a progress display per stage ('starts', 'bootstrap'), ticked as units finish. @default none */
  progress?: ProgressFactory;
  /**
   * Stops the fit between stages (before the fit, before each candidate's bootstrap), rejecting with
   * `signal.reason`; a stage already running finishes first, unless the runners take the same signal
   * (`parallelRunners({ signal })`, which terminates its worker threads part way).
   */
  signal?: AbortSignal;
}

/**
 * The procedures fit the Chinchilla form L(N, D): a file without N or D is refused, located, with
 * the columns it has.
 */
function requireChinchillaColumns(procedure: string, dataset: Dataset): void {
  // The one-variable law suggested is in a variable the data have (C, else N or D), or none is.
  const x = (['C', 'N', 'D'] as const).find((v) => dataset.runs.every((r) => r[v] !== undefined));
  for (const v of ['N', 'D'] as const) {
    if (dataset.runs.some((r) => r[v] === undefined)) {
      const message: Message = (name) =>
        `procedure ${procedure} fits the Chinchilla form L(N, D), which needs column "${v}"${v === 'D' ? ' (or C and N, from which D = C/(6N))' : ''}; the data have: ${describeColumns(dataset)}. Map one with ${name('columns')} ${v}=NAME${x ? `, or fit a law in one variable with ${name('law')} power ${name('x')} ${x}` : ''}`;
      throw new InputError({ file: dataset.source, line: 1 }, message);
    }
  }
}

/** Bootstrap each candidate with its share of the replicates, on one progress display. */
async function bootstrapCandidates(
  fits: CandidateFit[],
  shares: number[],
  seed: number,
  o: RunFitOptions,
): Promise<void> {
  const total = shares.reduce((a, b) => a + b, 0);
  if (total === 0) return;
  const bar = o.progress?.('bootstrap', total);
  for (let k = 0; k < fits.length; k++) {
    if (!shares[k]) continue;
    o.signal?.throwIfAborted();
    const c = fits[k];
    c.samples = await o.runners.bootstrap(c.result, c.procedure.options, shares[k], seed + k, (n) => bar?.tick(n));
  }
  bar?.stop();
}

/**
 * A fit's data within 1e-100…1e100, as the report's analysis checks them: a loss of 1e308 would fit
 * to a scale of Infinity (printed as a parameter, null in JSON) rather than be refused at its line.
 * @throws InputError at the first run and column outside
 */
function checkFittedMagnitudes(dataset: Dataset): void {
  checkMagnitudes(dataset, ['N', 'D', 'C', 'U', 'loss'], dataset.runs);
}

/**
 * Fit with a named procedure: `auto` fits its candidates and weighs them by its rule (by default
 * equally: fit/auto.ts); a fixed id fits that recipe (reduced, and said so, when the data cannot support it).
 * Bootstrap replicates are shared among auto's candidates by weight. What `scalelab fit FILE` does;
 * `predictFromFit` then predicts from the result with an interval, as `scalelab predict --fit` does.
 * @param id `auto` (the CLI's default) or a procedure id (`huber`, `tied-huber`, `gadre`, …)
 * @throws InputError when the data lack N or D, or hold a value outside 1e-100…1e100 (located)
 */
export async function fitByProcedure(id: string, dataset: Dataset, o: RunFitOptions): Promise<FitJson> {
  const { replicates = 0, seed = 0, level = 0.95 } = o;
  o.signal?.throwIfAborted();
  if (id !== 'auto') getProcedure(id);
  requireChinchillaColumns(id, dataset);
  checkFittedMagnitudes(dataset);
  if (id === 'auto') {
    const choice = chooseProcedure(dataset);
    const fits = choice.fits.map((f) => (isFailure(f) ? null : f));
    const shares = replicateShares(
      choice.scores.map((s) => s.weight),
      replicates,
    );
    await bootstrapCandidates(
      fits.filter((f): f is CandidateFit => f !== null),
      shares.filter((_, k) => fits[k] !== null),
      seed,
      o,
    );
    const json = autoFitToJson(choice, level);
    // The data's own back-test beside the default's equal weights, which it does not change: a user can
    // then choose a single recipe knowingly (one data set's back-test is weaker evidence than the benchmark's).
    const own = backtestOnThisData(dataset, choice);
    if (own && json.procedure) json.procedure.bestOnThisData = own;
    return json;
  }
  const c = fitCandidate(dataset, getProcedure(id));
  if (isFailure(c)) throw new InputError({ file: dataset.source }, `procedure ${id}: ${c.error}`);
  await bootstrapCandidates([c], [replicates], seed, o);
  return candidateFitToJson(c, level);
}

/** A law fitted exactly as asked (options as given), with `replicates` bootstrap replicates. */
export async function fitLaw(law: Law, dataset: Dataset, options: FitOptions, o: RunFitOptions): Promise<FitJson> {
  const { replicates = 0, seed = 0, level = 0.95 } = o;
  o.signal?.throwIfAborted();
  checkFittedMagnitudes(dataset);
  let starts: Ticker | undefined;
  const result = await o.runners.fit(
    law,
    dataset,
    options,
    (total) => (starts = o.progress?.('starts', total)),
    (n) => starts?.tick(n),
  );
  starts?.stop();
  let samples: BootstrapSamples | undefined;
  if (replicates) {
    o.signal?.throwIfAborted();
    const bar = o.progress?.('bootstrap', replicates);
    samples = await o.runners.bootstrap(result, options, replicates, seed, (n) => bar?.tick(n));
    bar?.stop();
  }
  return fitToJson(result, samples, level);
}

/** A fit for the report's analysis: the fitted law, its replicates, and (by a procedure) its fit JSON. */
export interface AnalysisFit {
  fitted: FitResult;
  samples?: BootstrapSamples;
  fitJson?: FitJson;
}

/**
 * The fit a report analyses: the Chinchilla form by a procedure (auto by default; the report shows
 * its candidates and uses the reported candidate's law for the frontier and the plan), or `law`
 * fitted with default options. Bootstraps only with more than one replicate.
 */
export async function fitForAnalysis(
  dataset: Dataset,
  how: { law: Law; procedure?: undefined } | { law?: undefined; procedure: string },
  o: RunFitOptions,
): Promise<AnalysisFit> {
  const { replicates = 0, seed = 0, level = 0.95 } = o;
  if (how.law) {
    const fitted = await o.runners.fit(
      how.law,
      dataset,
      {},
      () => {},
      () => {},
    );
    if (replicates <= 1) return { fitted };
    const bar = o.progress?.('bootstrap', replicates);
    const samples = await o.runners.bootstrap(fitted, {}, replicates, seed, (k) => bar?.tick(k));
    bar?.stop();
    return { fitted, samples };
  }
  const id = how.procedure;
  if (id !== 'auto') getProcedure(id);
  const choice = chooseProcedure(dataset, id === 'auto' ? {} : { rule: { candidates: [id], combine: 'equal' } });
  const fits = choice.fits.map((c) => (isFailure(c) ? null : c));
  const shares = replicateShares(
    choice.scores.map((s) => s.weight),
    replicates > 1 ? replicates : 0,
  );
  const ok = fits.flatMap((c, k) => (c && shares[k] ? [{ c, share: shares[k], k }] : []));
  const bar = o.progress?.(
    'bootstrap',
    shares.reduce((a, b) => a + b, 0),
  );
  for (const { c, share, k } of ok)
    c.samples = await o.runners.bootstrap(c.result, c.procedure.options, share, seed + k, (n) => bar?.tick(n));
  bar?.stop();
  const chosen = fits[choice.scores.findIndex((s) => s.id === choice.chosen)]!;
  return {
    fitted: chosen.result,
    samples: chosen.samples,
    fitJson: id === 'auto' ? autoFitToJson(choice, level) : candidateFitToJson(chosen, level),
  };
}
