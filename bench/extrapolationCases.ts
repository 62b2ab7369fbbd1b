/**
 * What the loss-extrapolation benches share (bench/extrapolation.ts, bench/interval-backtest.ts): their
 * command-line options, each benchmark case fitted once by every procedure with its bootstrap replicates
 * and predictions at the held-out runs, a rule's weights over those candidates, and the predictive mixture
 * at one held-out run. A module, not a script.
 */
import { readBenchmark, type BenchmarkCase } from '../src/io/benchmarkCases.js';
import {
  fitCandidate,
  isFailure,
  candidateLogPrediction,
  replicateLogPredictions,
  type CandidateFit,
  type PredictiveComponent,
} from '../src/fit/candidate.js';
import { internalBacktest, scoreWeights, defaultAutoRule, MIN_WEIGHT, type AutoRule } from '../src/fit/auto.js';
import { getProcedure, procedureIds } from '../src/fit/procedures.js';
import { axisValue } from '../src/io/rollingOrigin.js';
import type { ResampleUnit } from '../src/fit/bootstrap.js';

export interface BenchOptions {
  json: boolean;
  markdown: boolean;
  replicates: number;
  seed: number;
  unit?: ResampleUnit;
  only?: string[];
}

/**
 * --json, --markdown, --replicates 100, --seed 0, --unit lineage|run|row, --cases a,b (exits 2 on a bad
 * --unit). A script whose tables have one form says `markdown: false`: --markdown is then refused (exit
 * 2), not taken and ignored.
 */
export function benchOptions(args: string[], reads: { markdown: boolean } = { markdown: true }): BenchOptions {
  const flag = (name: string, fallback?: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  if (!reads.markdown && args.includes('--markdown')) {
    process.stderr.write(
      `--markdown: this bench prints its tables in one form; --json gives everything, for scripts\n`,
    );
    process.exit(2);
  }
  const unit = flag('unit') as ResampleUnit | undefined;
  if (unit !== undefined && !['lineage', 'run', 'row'].includes(unit)) {
    process.stderr.write(`--unit: expected lineage, run or row, got "${unit}"\n`);
    process.exit(2);
  }
  return {
    json: args.includes('--json'),
    markdown: args.includes('--markdown'),
    replicates: Number(flag('replicates', '100')),
    seed: Number(flag('seed', '0')),
    unit,
    only: flag('cases')?.split(','),
  };
}

export interface Target {
  actual: number;
  C: number;
  /** C over the largest compute in the fit set. */
  ratioC: number;
}

export interface CandidateAtTargets {
  id: string;
  failed?: string;
  reduction?: string;
  /** Free parameters of the fitted (possibly reduced) law. */
  free?: number;
  center: number[];
  replicates: Float64Array[];
  noise: Float64Array;
  /** Internal back-test score (mean |ln err|), when scored. */
  score?: number;
}

export interface CaseCache {
  c: BenchmarkCase;
  /** Runs in the fit set (the m of a small-sample correction). */
  fitRuns: number;
  targets: Target[];
  candidates: CandidateAtTargets[];
}

export const candidateIds = procedureIds;

/** Fit every procedure to a case's fit set, bootstrap it, and predict its held-out runs. */
export function prepareCase(c: BenchmarkCase, options: BenchOptions): CaseCache {
  const { replicates, seed, unit } = options;
  const maxC = Math.max(...c.split.fit.runs.map((x) => axisValue(x, 'C')));
  const targets: Target[] = c.split.heldOut.map((r) => ({
    actual: r.final.loss,
    C: axisValue(r.final, 'C'),
    ratioC: axisValue(r.final, 'C') / maxC,
  }));
  const points = c.split.heldOut.map((r) => r.final);
  const fulls: (CandidateFit | ReturnType<typeof fitCandidate>)[] = [];
  const candidates: CandidateAtTargets[] = candidateIds.map((id, k) => {
    const f = fitCandidate(c.split.fit, getProcedure(id), { replicates, seed: seed + k, unit });
    fulls.push(f);
    if (isFailure(f)) return { id, failed: f.error, center: [], replicates: [], noise: new Float64Array(0) };
    return {
      id,
      reduction: f.reduction,
      free: f.result.free.length,
      center: points.map((t) => candidateLogPrediction(f, t)),
      replicates: points.map((t) => replicateLogPredictions(f, t)),
      noise: f.noise,
    };
  });
  const { scores } = internalBacktest(c.split.fit, candidateIds.map(getProcedure), fulls, defaultAutoRule);
  scores.forEach((s, k) => (candidates[k].score = s.score));
  return { c, fitRuns: c.split.fitRuns, targets, candidates };
}

/** Every benchmark case (or those of --cases), prepared, with a line of progress each on stderr. */
export function prepareCases(options: BenchOptions, log: (s: string) => void): CaseCache[] {
  const cases = readBenchmark().filter((c) => !options.only || options.only.includes(c.spec.id));
  return cases.map((c) => {
    const t = performance.now();
    const cache = prepareCase(c, options);
    log(
      `${c.spec.id}: ${c.split.fitRuns} runs fitted, ${c.split.heldOut.length} predicted (${((performance.now() - t) / 1000).toFixed(1)} s)`,
    );
    return cache;
  });
}

/** A rule's weights over a case's candidates (equal, or from their back-test scores), small ones dropped. */
export function ruleWeights(cache: CaseCache, rule: AutoRule): number[] {
  const inSet = cache.candidates.map((c) => rule.candidates.includes(c.id) && !c.failed);
  const fitted = inSet.filter(Boolean).length;
  const anyScored = cache.candidates.some((c, k) => inSet[k] && c.score !== undefined);
  let w =
    rule.combine === 'equal' || !anyScored
      ? inSet.map((o) => (o ? 1 / fitted : 0))
      : scoreWeights(
          cache.candidates.map((c, k) => (inSet[k] ? c.score : undefined)),
          rule.combine,
          rule.temperature,
        );
  w = w.map((x) => (x >= MIN_WEIGHT ? x : 0));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

/** The weighted ensemble at held-out run i: its point ln L̂ and the mixture components of its interval. */
export function mixtureAt(
  cache: CaseCache,
  weights: number[],
  i: number,
): { center: number; components: PredictiveComponent[]; members: number[] } {
  let center = 0,
    total = 0;
  const components: PredictiveComponent[] = [];
  const members: number[] = [];
  for (let k = 0; k < cache.candidates.length; k++) {
    const cand = cache.candidates[k];
    if (!(weights[k] > 0) || cand.failed) continue;
    center += weights[k] * cand.center[i];
    total += weights[k];
    members.push(k);
    components.push({
      weight: weights[k],
      replicates: cand.replicates[i].length ? cand.replicates[i] : [cand.center[i]],
      noise: cand.noise,
    });
  }
  return { center: center / total, components, members };
}
