/**
 * `--procedure auto`: how to fit a scaling law when no single published recipe extrapolates best on
 * every ladder.
 *
 * The rule has two parts. Candidates: fitting procedures (fit/procedures.ts). Weights: either equal,
 * or from the data's own rolling-origin back-test — each candidate fitted to the runs below a few
 * cutoffs and scored on how well it predicted the runs above (|ln L̂ − ln L| at their final
 * checkpoints), then weighed w ∝ exp(−(s/s_min − 1)/T) or the best selected. The prediction is the
 * weighted mean of the candidates' ln L̂; its interval the weighted mixture of their predictive
 * distributions, so the uncertainty of the procedure choice is in the interval.
 *
 * Which rule is the default was decided on the project's extrapolation benchmark
 * (examples/benchmark/, `npm run bench:extrapolation`, docs/benchmark.md) leave-one-dataset-out:
 * the variant scored on a case was chosen on the other cases only. The evidence chose the equal-weight
 * average of the three published Chinchilla-form recipes (Hoffmann et al.'s free exponents with Huber
 * on ln L, Muennighoff et al.'s tied exponents, Gadre et al.'s tied exponents in L): on those ladders a
 * data set's own back-test was too noisy to pick among them. The back-test weights stay available
 * (`rule: { combine: 'weights' }`), and the `backtest` command shows how each candidate extrapolates
 * on a data set. Pure.
 */
import type { Dataset } from '../io/dataset.js';
import { rollingCutoffs, splitAt, trainingRuns, type Axis } from '../io/rollingOrigin.js';
import {
  bootstrapCandidate,
  candidateLogPrediction,
  fitCandidate,
  isFailure,
  memberOf,
  type CandidateFit,
  type CandidateFailure,
  type PredictiveMember,
} from './candidate.js';
import { getProcedure, type Procedure } from './procedures.js';
import type { ResampleUnit } from './bootstrap.js';
import { InputError } from '../errors/index.js';

export interface AutoRule {
  /** Candidate procedure ids. */
  candidates: string[];
  /**
   * 'equal': every candidate that fits weighs the same (no back-test needed); 'weights':
   * w ∝ exp(−(s/s_min − 1)/T) from the internal back-test's scores; 'select': all weight on the best.
   */
  combine: 'equal' | 'weights' | 'select';
  /** T of 'weights'. */
  temperature: number;
  /** Axis of the internal back-test's cutoffs. */
  axis: Axis;
  /** Internal cutoffs. */
  folds: number;
  /** Fewest runs in an internal fit set, as a fraction of all runs (at least 6 runs). */
  minFitFraction: number;
}

/** The three published Chinchilla-form recipes. */
export const publishedRecipes = ['huber', 'tied-huber', 'gadre'];

/** The default rule: chosen on the extrapolation benchmark, leave-one-dataset-out (docs/benchmark.md). */
export const defaultAutoRule: AutoRule = {
  candidates: publishedRecipes,
  combine: 'equal',
  temperature: 1,
  axis: 'C',
  folds: 4,
  minFitFraction: 0.4,
};

export interface CandidateScore {
  id: string;
  /** Mean over the back-test's folds of mean |ln L̂ − ln L|; undefined when not back-tested. */
  score?: number;
  /** Per fold: the score, or why the candidate was not scored there. */
  folds: { cutoff: number; fitRuns: number; heldOut: number; score?: number; skipped?: string }[];
  weight: number;
}

export interface AutoChoice {
  rule: AutoRule;
  /** The candidate whose fit is reported as the law: the best-scored, or the first that fits. */
  chosen: string;
  /** Plain-words reason for the weights. */
  reason: string;
  scores: CandidateScore[];
  /** Candidates fitted to all the data (failures say why). */
  fits: (CandidateFit | CandidateFailure)[];
  axis: Axis;
  /** Cutoffs of the internal back-test (empty when it was not run). */
  cutoffs: number[];
}

export interface AutoOptions {
  rule?: Partial<AutoRule>;
  /** Run the internal back-test even when the weights do not need it (to report its scores). */
  backtest?: boolean;
  /**
   * Bootstrap replicates for intervals: the heaviest candidate gets this many, the others in
   * proportion to their weights (at least 20; candidates under 1 % weight are left out). @default 0
   */
  replicates?: number;
  seed?: number;
  unit?: ResampleUnit;
  /** Called after each bootstrap refit. */
  onReplicate?: () => void;
  /**
   * The candidates already fitted to all of `dataset` by `fitCandidate`, in the rule's order (the web
   * app fits them in parallel workers); by default they are fitted here, one after another.
   */
  fits?: (CandidateFit | CandidateFailure)[];
}

/** Weight below which a candidate is left out of the predictive mixture. */
export const MIN_WEIGHT = 0.01;

/** Replicates per candidate: `replicates` for the heaviest, in proportion to weight for the rest. */
export function replicateShares(weights: number[], replicates: number): number[] {
  const top = Math.max(...weights);
  return weights.map((w) =>
    w >= MIN_WEIGHT && replicates > 0 ? Math.max(Math.min(20, replicates), Math.round((replicates * w) / top)) : 0,
  );
}

/** Weights from back-test scores (undefined: not scored, weight 0). */
export function scoreWeights(
  scores: (number | undefined)[],
  combine: AutoRule['combine'],
  temperature: number,
): number[] {
  const known = scores.filter((s): s is number => s !== undefined && Number.isFinite(s));
  if (combine === 'equal' || known.length === 0) return scores.map(() => 1 / scores.length);
  const best = Math.min(...known);
  if (combine === 'select') {
    const i = scores.findIndex((s) => s === best);
    return scores.map((_, j) => (j === i ? 1 : 0));
  }
  const floor = Math.max(best, 1e-12);
  const raw = scores.map((s) =>
    s === undefined || !Number.isFinite(s) ? 0 : Math.exp(-(s / floor - 1) / temperature),
  );
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / total);
}

/**
 * The internal rolling-origin back-test: each candidate fitted below each cutoff, scored above.
 * A candidate is scored only as the law it is on all the data (a fold that forced a reduction says
 * nothing about the unreduced procedure), and only if scored on every fold any candidate was.
 */
export function internalBacktest(
  dataset: Dataset,
  procedures: Procedure[],
  fits: (CandidateFit | CandidateFailure)[],
  rule: AutoRule,
): InternalBacktest {
  const runs = trainingRuns(dataset, rule.axis);
  const cutoffs = rollingCutoffs(runs, {
    folds: rule.folds,
    minFitRuns: Math.max(6, Math.ceil(rule.minFitFraction * runs.length)),
  });
  const scores: CandidateScore[] = procedures.map((p) => ({ id: p.id, folds: [], weight: 0 }));
  const logPredictions: (number[] | undefined)[][] = procedures.map(() => []);
  const logActual: number[][] = [];
  for (const cutoff of cutoffs) {
    const split = splitAt(dataset, runs, rule.axis, cutoff);
    logActual.push(split.heldOut.map((r) => Math.log(r.final.loss)));
    procedures.forEach((p, k) => {
      const full = fits[k];
      const fold: CandidateScore['folds'][number] = { cutoff, fitRuns: split.fitRuns, heldOut: split.heldOut.length };
      scores[k].folds.push(fold);
      if (isFailure(full)) return void (fold.skipped = 'cannot be fitted to all the data');
      const c = fitCandidate(split.fit, p, { refine: 4 });
      if (isFailure(c)) return void (fold.skipped = c.error);
      if (c.procedure.id !== full.procedure.id)
        return void (fold.skipped = `reduced on ${split.fitRuns} runs (${c.reduction})`);
      const predicted = split.heldOut.map((r) => candidateLogPrediction(c, r.final));
      const errors = split.heldOut.map((r, i) => Math.abs(predicted[i] - Math.log(r.final.loss)));
      if (!errors.every(Number.isFinite)) return void (fold.skipped = 'non-finite prediction');
      fold.score = errors.reduce((a, b) => a + b, 0) / errors.length;
      logPredictions[k][logActual.length - 1] = predicted;
    });
  }
  const scoredByAny = cutoffs.map((_, i) => scores.some((s) => s.folds[i]?.score !== undefined));
  for (const s of scores) {
    const complete = s.folds.every((f, i) => !scoredByAny[i] || f.score !== undefined);
    const known = s.folds.map((f) => f.score).filter((x): x is number => x !== undefined);
    if (known.length && complete) s.score = known.reduce((a, b) => a + b, 0) / known.length;
  }
  return { scores, cutoffs, logPredictions, logActual };
}

interface InternalBacktest {
  scores: CandidateScore[];
  cutoffs: number[];
  /** Per candidate, per fold: ln L̂ of the runs held out there (undefined where the candidate was not scored). */
  logPredictions: (number[] | undefined)[][];
  /** Per fold: ln L of the runs held out there. */
  logActual: number[][];
}

/** The data's own back-test of an auto fit, beside its weights: what `fit` reports as `bestOnThisData`. */
export interface BacktestOnThisData {
  axis: Axis;
  cutoffs: number[];
  /** Each candidate that fits, with its score (mean over folds of mean |ln L̂ − ln L|), when scored on every fold. */
  candidates: { id: string; score?: number }[];
  /** The candidate with the lowest score. */
  best: { id: string; score: number };
  /** The weighted mean of ln L̂ (the fit's own weights) scored the same way, on the same folds. */
  ensemble?: number;
}

/**
 * Back-test an auto fit's candidates on the data it was fitted to, and score its weighted mean the same
 * way, without changing its weights or the law it shows. Said beside the fit so a user can pick a single
 * recipe knowingly: the default weights were chosen across the benchmark's data sets, where one data
 * set's own back-test picked worse than the average (the module's comment), so this is information, not
 * a choice. Undefined when fewer than two candidates weigh anything or no candidate could be scored
 * (too few runs below every cutoff).
 */
export function backtestOnThisData(dataset: Dataset, choice: AutoChoice): BacktestOnThisData | undefined {
  const weighted = choice.scores.flatMap((s, k) => (s.weight > 0 ? [k] : []));
  if (weighted.length < 2) return undefined;
  const procedures = choice.rule.candidates.map(getProcedure);
  const bt = internalBacktest(dataset, procedures, choice.fits, choice.rule);
  const candidates = bt.scores.flatMap((s, k) =>
    isFailure(choice.fits[k]) ? [] : [{ id: s.id, ...(s.score !== undefined ? { score: s.score } : {}) }],
  );
  const scored = candidates.filter((c): c is { id: string; score: number } => c.score !== undefined);
  if (!scored.length) return undefined;
  const best = scored.reduce((a, b) => (b.score < a.score ? b : a));
  // The weighted mean is scored only where every weighted candidate was: the folds its own scores use.
  let ensemble: number | undefined;
  if (weighted.every((k) => bt.scores[k].score !== undefined)) {
    const foldScores = bt.logActual.flatMap((actual, i) => {
      const members = weighted.map((k) => bt.logPredictions[k][i]);
      if (!actual.length || members.some((m) => m === undefined)) return [];
      const errors = actual.map((y, j) =>
        Math.abs(weighted.reduce((sum, k, m) => sum + choice.scores[k].weight * members[m]![j], 0) - y),
      );
      return [errors.reduce((a, b) => a + b, 0) / errors.length];
    });
    if (foldScores.length) ensemble = foldScores.reduce((a, b) => a + b, 0) / foldScores.length;
  }
  return { axis: choice.axis, cutoffs: bt.cutoffs, candidates, best, ...(ensemble !== undefined ? { ensemble } : {}) };
}

/**
 * Fit every candidate, weigh them by the rule and (with `replicates`) bootstrap the weighted ones.
 * @throws InputError when no candidate can be fitted at all
 */
export function chooseProcedure(dataset: Dataset, options: AutoOptions = {}): AutoChoice {
  const rule: AutoRule = { ...defaultAutoRule, ...options.rule };
  const procedures: Procedure[] = rule.candidates.map(getProcedure);
  if (options.fits && options.fits.map((f) => f.requested.id).join() !== rule.candidates.join()) {
    throw new Error(
      `chooseProcedure: fits given for ${options.fits.map((f) => f.requested.id).join(', ')}, expected ${rule.candidates.join(', ')}`,
    );
  }
  const fits = options.fits ?? procedures.map((p) => fitCandidate(dataset, p));
  const ok = fits.map((f) => !isFailure(f));
  if (!ok.some(Boolean)) {
    const reasons = [...new Set(fits.map((f) => (f as CandidateFailure).error))];
    throw new InputError(
      { file: dataset.source },
      `no candidate procedure could be fitted (${procedures.map((p) => p.id).join(', ')}): ${reasons.join('; ')}`,
    );
  }
  let scores: CandidateScore[] = procedures.map((p) => ({ id: p.id, folds: [], weight: 0 }));
  let cutoffs: number[] = [];
  if (rule.combine !== 'equal' || options.backtest)
    ({ scores, cutoffs } = internalBacktest(dataset, procedures, fits, rule));
  const anyScored = scores.some((s, k) => ok[k] && s.score !== undefined);
  const fitted = ok.filter(Boolean).length;
  let weights =
    rule.combine === 'equal' || !anyScored
      ? ok.map((o) => (o ? 1 / fitted : 0))
      : scoreWeights(
          scores.map((s, k) => (ok[k] ? s.score : undefined)),
          rule.combine,
          rule.temperature,
        );
  // Candidates under MIN_WEIGHT leave the mixture; the rest share the weight.
  const kept = weights.map((w) => (w >= MIN_WEIGHT ? w : 0));
  const keptTotal = kept.reduce((a, b) => a + b, 0);
  weights = kept.map((w) => w / keptTotal);
  scores.forEach((s, k) => (s.weight = weights[k]));
  const shares = replicateShares(weights, options.replicates ?? 0);
  fits.forEach((f, k) => {
    if (!isFailure(f) && shares[k] > 0)
      f.samples = bootstrapCandidate(f, shares[k], (options.seed ?? 0) + k, options.unit, options.onReplicate);
  });

  // The reported law: the best-scored candidate when scored, else the first that fits.
  let best = -1;
  scores.forEach((s, k) => {
    if (!(weights[k] > 0)) return;
    if (best < 0 || (s.score ?? Infinity) < (scores[best].score ?? Infinity)) best = k;
  });
  const n = weights.filter((w) => w > 0).length;
  const failed = fits.map((f, k) => (isFailure(f) ? `${procedures[k].id} (${f.error})` : '')).filter(Boolean);
  let reason: string;
  if (rule.combine === 'equal') {
    reason = `the ${n} candidates that fit weigh the same: on the extrapolation benchmark (docs/benchmark.md) their average extrapolated better than choosing among them by a data set's own back-test, leave-one-dataset-out; the law shown is ${scores[best].id}'s`;
  } else if (!anyScored) {
    reason = `too few runs to back-test (a fit set needs at least 6 runs below a cutoff): every candidate that fits weighs the same`;
  } else {
    const foldsUsed = scores[best].folds.filter((f) => f.score !== undefined).length;
    reason = `weights from the data's own back-test: ${scores[best].id} had the lowest mean |ln error| (${((scores[best].score ?? 0) * 100).toFixed(2)} %) predicting the runs above ${foldsUsed} cutoff${foldsUsed === 1 ? '' : 's'} in ${rule.axis}`;
  }
  if (failed.length) reason += `; could not fit: ${failed.join('; ')}`;
  return { rule, chosen: scores[best].id, reason, scores, fits, axis: rule.axis, cutoffs };
}

/** The members of an auto choice: fitted candidates with their weights. */
export function choiceMembers(choice: AutoChoice): PredictiveMember[] {
  return choice.fits.flatMap((f, k) =>
    isFailure(f) || !(choice.scores[k].weight > 0) ? [] : [memberOf(f, choice.scores[k].weight)],
  );
}
