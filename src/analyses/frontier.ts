/**
 * The compute-optimal frontier by Chinchilla's three approaches, side by side, with bootstrap
 * intervals, and whether they agree (Hoffmann et al. 2022, Table 2 and §3). Pure.
 *
 *   1  envelope: the minimum over training curves            (analyses/envelope.ts)
 *   2  IsoFLOP profiles: vertex per budget                    (analyses/isoflop.ts)
 *   3  parametric: the minimum of a fitted L(N, D) at C = 6ND (analyses/computeOptimal.ts)
 *
 * For 1 and 2 the loss at a target comes from a power law with an irreducible term fitted to the
 * frontier's losses against compute, L*(C) = E + A·C^(−γ).
 */
import { finiteInterval } from '../core/statistics.js';
import { InputError } from '../errors/index.js';
import { normal, randomSource, resample, resampleCounts, type Random } from '../core/random.js';
import { finish, type Steps } from '../core/steps.js';
import { fit } from '../fit/fit.js';
import { powerLaw, predictLoss, type Law } from '../laws/index.js';
import {
  defaultResampleUnit,
  finalCheckpoints,
  groupedDraw,
  lineagesNotDrawn,
  type Dataset,
  type Run,
} from '../io/dataset.js';
import { computeOptimal, optimumPowerLaws } from './computeOptimal.js';
import type { ProcedureJson } from '../fit/summary.js';
import { envelopeAnalysis, trainingCurves, type Curve, type EnvelopeCount, type EnvelopeResult } from './envelope.js';
import {
  defaultVertex,
  evaluatePower,
  isoflopAnalysis,
  profileVertex,
  type IsoflopOptions,
  type Profile,
  type IsoflopResult,
  type VertexMethod,
} from './isoflop.js';
import { powerFit, type PowerFit } from '../core/linearRegression.js';
import { polynomialDesign, residualBootstrap } from '../fit/residualBootstrap.js';
import { checkLossVaries, checkMagnitudes } from '../io/dataChecks.js';
import { formatInterval, formatNumber, formatRange } from '../core/format.js';
import { warning, type Severity, type TrustWarning, type WarningCode } from '../fit/warnings.js';

export interface TargetPrediction {
  C: number;
  N: number;
  D: number;
  tokensPerParameter: number;
  loss?: number;
  intervals: {
    N?: [number, number];
    D?: [number, number];
    tokensPerParameter?: [number, number];
    loss?: [number, number];
  };
}

export interface ApproachResult {
  approach: 1 | 2 | 3;
  label: string;
  /** N_opt ∝ C^a, D_opt ∝ C^b. */
  a: number;
  b: number;
  intervals: { a?: [number, number]; b?: [number, number] };
  targets: TargetPrediction[];
  /** Law of the frontier's loss against compute (approaches 1 and 2), or the fitted law (3). */
  lossLaw?: { law: string; params: Record<string, number> };
  replicates: number;
  /**
   * What a bootstrap replicate drew: whole lineages (every run of one trunk together, when the data
   * name at least 3) or runs; Approach 2 draws lineages when any budget does (its profiles say which).
   * Approach 3's is its fit's: rows too when that fit resampled rows; absent without replicates.
   */
  unit?: 'lineage' | 'run' | 'row' | 'residual';
  /**
   * Where the intervals come from when not from this analysis's bootstrap (Approach 3 from a saved fit
   * or a preset): "the fit's 20 bootstrap replicates", "none: a preset has no bootstrap replicates".
   */
  intervalSource?: string;
  /**
   * Where the approach's numbers come from when not from the runs analysed (Approach 3 from a saved fit
   * or a published preset), so that a report does not credit those runs with them.
   */
  numbersFrom?: string;
  /**
   * A short name for tables where `label` carries a whole citation (Approach 3 from a preset or a saved
   * fit): the citation is said once, where the report says where each approach's numbers come from.
   */
  shortLabel?: string;
  /**
   * Which rows of the data the approach used, when they may be fewer than all: Approach 2 (and a
   * parametric fit frontier makes) takes each run's final checkpoint, Approach 1 every checkpoint
   * ("each run's final checkpoint: 30 of 570 rows").
   */
  rows?: string;
  /**
   * Approach 3 from a fit whose runs all have one tokens-per-parameter ratio (its `one-ratio` warning), or
   * whose law was reduced to α = β (`splitReason`): its a, b and the N and D apart are the law's assumed
   * form, not the data's, and are shown as that.
   */
  splitUnidentified?: boolean;
  /**
   * Why the split is not identified, where it is not the one ratio: the fit reduced its law to α = β for
   * too few runs (its `reduced-law` warning), in splitNotIdentified's words (src/analyses/plan.ts).
   */
  splitReason?: string;
  /**
   * Approach 1: the envelope's compute points, how many were fitted, and how many the smallest and
   * largest models won by default (no smaller or larger model competes there) and were left out.
   */
  envelopePoints?: EnvelopeCount;
  /**
   * Approach 2 with profiles of 5 sizes or fewer: how often its nominal 95 % intervals held the truth
   * when measured (APPROACH2_SMALL_PROFILE_COVERAGE), and which profiles' vertex scatter they leave out
   * (held): said beside the interval by frontier, the report and the web app alike.
   */
  intervalCoverage?: string;
  warnings: string[];
}

/**
 * A replicate's draw of lineages (cooldown branches of one trunk share its training, so they are one
 * draw): how many times each run's lineage was drawn. Undefined when runs are drawn instead
 * (defaultResampleUnit: the data name no lineage, or fewer than MIN_LINEAGES).
 */
function lineageDraw(dataset: Dataset): ((random: Random) => (run: Run) => number) | undefined {
  if (defaultResampleUnit(dataset) !== 'lineage') return undefined;
  const index = new Map<string, number>();
  for (const r of dataset.runs) if (!index.has(r.lineage!)) index.set(r.lineage!, index.size);
  return (random) => {
    const counts = resampleCounts(index.size, random);
    return (run) => counts[index.get(run.lineage!)!];
  };
}

/** What summaries show of an approach (study JSON, the web app): its result without the loss law and replicate count. */
export type ApproachSummary = Omit<ApproachResult, 'lossLaw' | 'replicates'>;

/** An approach's summary: a plain copy of the fields shown (an approach may carry its profiles or envelope too). */
export function approachSummary(a: ApproachResult): ApproachSummary {
  return {
    approach: a.approach,
    label: a.label,
    ...(a.shortLabel !== undefined ? { shortLabel: a.shortLabel } : {}),
    ...(a.rows !== undefined ? { rows: a.rows } : {}),
    ...(a.envelopePoints !== undefined ? { envelopePoints: a.envelopePoints } : {}),
    ...(a.intervalCoverage !== undefined ? { intervalCoverage: a.intervalCoverage } : {}),
    a: a.a,
    b: a.b,
    intervals: a.intervals,
    targets: a.targets,
    warnings: a.warnings,
  };
}

export interface BootstrapSettings {
  replicates: number;
  seed: number;
  level: number;
}

/**
 * How often Approach 2's nominal 95 % intervals held the true a and N_opt on synthetic ladders whose
 * profiles had this many sizes (docs/methods.md §8: bench/approach2-small.ts, 4 laws × noise × budgets,
 * draws independent): 5 sizes about 91 % (87–93 % by law), 4 sizes about 86 % (82–90 %). With more
 * sizes the vertex-discrepancy term brings them to 95 % or above; 3 sizes leave no residual (held).
 */
const APPROACH2_SMALL_PROFILE_COVERAGE = {
  source: 'docs/methods.md §8, bench/approach2-small.ts',
  nominal: 0.95,
  bySizes: { 5: { about: 0.91, range: [0.87, 0.93] }, 4: { about: 0.86, range: [0.82, 0.9] } },
} as const;

/**
 * What Approach 2's interval says of itself: the measured coverage when its fewest-size profile with
 * residuals has 4 or 5 sizes, and that the held profiles' vertex scatter is not in it.
 * @param sizes distinct sizes of each profile that has residuals
 * @param held the budgets (formatted) of the profiles held at their estimate
 */
function smallProfileCoverage(sizes: number[], held: string[]): string | undefined {
  const c = APPROACH2_SMALL_PROFILE_COVERAGE;
  const fewest = sizes.length ? Math.min(...sizes) : undefined;
  const measured = fewest === 4 || fewest === 5 ? c.bySizes[fewest] : undefined;
  const parts = [
    measured
      ? `with profiles of ${fewest} sizes, a nominal ${Math.round(c.nominal * 100)} % interval held the truth about ${Math.round(measured.about * 100)} % of the time when measured (${formatRange(measured.range, (x) => String(Math.round(x * 100)))} % by law; ${c.source}): read it as narrower than it says`
      : '',
    held.length
      ? `it omits the vertex uncertainty of the ${held.length === 1 ? 'profile' : 'profiles'} at C = ${held.join(', ')} (held: too few sizes to leave a residual)`
      : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : undefined;
}

/**
 * Fit L*(C) = E + A·C^(−γ) to frontier losses; undefined with too few points, or when the losses do
 * not fall with compute (γ ≤ 0, or a parameter off to infinity): such a law would predict a loss
 * that rises with the budget, which no target should be given.
 */
function lossAgainstCompute(
  C: number[],
  loss: number[],
  start?: Record<string, number>,
): Record<string, number> | undefined {
  if (C.length < 4) return undefined;
  const dataset: Dataset = {
    source: 'frontier',
    runs: C.map((c, i) => ({ C: c, loss: loss[i], line: i + 1 })),
    columns: { C: 'C', loss: 'loss' },
    derived: {},
  };
  try {
    const params = fit(powerLaw('C'), dataset, start ? { init: start } : {}).params;
    return params.alpha > 0 && Object.values(params).every(Number.isFinite) ? params : undefined;
  } catch {
    return undefined;
  }
}

/** Why a frontier gave no loss law, when it has the points for one. */
function noLossLaw(points: number): string[] {
  return points >= 4
    ? [
        "the frontier's losses do not fall as a power law in compute (L*(C) = E + A·C^(−γ) with γ > 0 does not fit them): no loss is predicted at the targets",
      ]
    : [];
}

/**
 * More compute must buy a lower loss along a frontier: when the best losses do not fall with C (the
 * slope of ln L against ln C is ≥ 0), "compute-optimal" has no meaning for these runs.
 */
function checkFalling(C: number[], loss: number[], what: string, source: string): void {
  if (new Set(C).size < 2) return;
  const slope = powerFit(C, loss).exponent;
  if (slope < 0) return;
  throw new InputError(
    { file: source },
    `the lowest loss of ${what} does not fall as compute grows (slope of ln L against ln C = ${slope.toPrecision(3)}): more compute does not help in these runs, so they have no compute-optimal frontier`,
  );
}

/**
 * N_opt ∝ C^a with D_opt = C/(6·N_opt) ∝ C^(1−a): an exponent outside 0…1 makes one of them shrink
 * as the budget grows, which no frontier does; the vertices or envelope points behind it are not one.
 */
function checkExponent(a: number, approach: string, source: string): void {
  if (a > 0 && a < 1) return;
  throw new InputError(
    { file: source },
    `${approach} gives N_opt ∝ C^${Number.isFinite(a) ? a.toFixed(3) : a}: an exponent outside 0…1 means ${a >= 1 ? 'D_opt' : 'N_opt'} would shrink as compute grows, so these points are not a compute-optimal frontier (look for a profile that does not bracket its optimum, or an outlying run)`,
  );
}

function target(
  C: number,
  N: PowerFit,
  D: PowerFit,
  lossParams?: Record<string, number>,
): Omit<TargetPrediction, 'intervals'> {
  const n = evaluatePower(N, C),
    d = C / (6 * n);
  return {
    C,
    N: n,
    D: d,
    tokensPerParameter: d / n,
    loss: lossParams ? predictLoss(powerLaw('C'), lossParams, { C }) : undefined,
  };
}

/** Percentile intervals of per-replicate target predictions, written into the targets. */
function attachIntervals(
  targets: TargetPrediction[],
  samples: Omit<TargetPrediction, 'intervals'>[][],
  level: number,
): void {
  targets.forEach((t, k) => {
    const column = samples.map((s) => s[k]);
    if (column.length < 2) return;
    // Replicates whose extrapolation overflowed are left out of an interval, never into it.
    const set = (key: keyof TargetPrediction['intervals'], values: number[]) => {
      const interval = finiteInterval(values, level);
      if (interval) t.intervals[key] = interval;
    };
    set(
      'N',
      column.map((s) => s.N),
    );
    set(
      'D',
      column.map((s) => s.D),
    );
    set(
      'tokensPerParameter',
      column.map((s) => s.tokensPerParameter),
    );
    set(
      'loss',
      column.map((s) => s.loss).filter((x): x is number => x !== undefined),
    );
  });
}

/** Approach 1 with optional bootstrap over curves (or lineages of curves). */
export function approach1(
  dataset: Dataset,
  targets: number[],
  boot?: BootstrapSettings,
): ApproachResult & { envelope: EnvelopeResult } {
  return finish(approach1Steps(dataset, targets, boot));
}

/** approach1 a bootstrap replicate at a time (it yields between them), for a caller that stays responsive. */
export function* approach1Steps(
  dataset: Dataset,
  targets: number[],
  boot?: BootstrapSettings,
): Steps<ApproachResult & { envelope: EnvelopeResult }> {
  const curves = trainingCurves(dataset);
  checkMagnitudes(dataset, ['N', 'D', 'C', 'loss'], dataset.runs);
  checkLossVaries(dataset, dataset.runs, 'the envelope of training curves');
  const env = envelopeAnalysis(curves, 1500, dataset.source);
  checkFalling(
    env.points.map((p) => p.C),
    env.points.map((p) => p.loss),
    'the training curves',
    dataset.source,
  );
  checkExponent(env.N.exponent, 'the envelope of the training curves', dataset.source);
  const lossPoints = thin(env.points.map((p) => p.C));
  const lossParams = lossAgainstCompute(lossPoints, thin(env.points.map((p) => p.loss)));
  const result: ApproachResult & { envelope: EnvelopeResult } = {
    approach: 1,
    label: 'minimum over training curves (envelope)',
    a: env.N.exponent,
    b: env.D.exponent,
    intervals: {},
    targets: targets.map((C) => ({ ...target(C, env.N, env.D, lossParams), intervals: {} })),
    lossLaw: lossParams ? { law: 'power (x = C)', params: lossParams } : undefined,
    replicates: 0,
    // The envelope is the minimum over whole training curves: every checkpoint is a point of it (Chinchilla's Approach 1).
    ...(curves.length < dataset.runs.length
      ? { rows: `every checkpoint: ${dataset.runs.length} rows of ${curves.length} runs` }
      : {}),
    envelopePoints: env.count,
    warnings: [...env.warnings, ...(lossParams ? [] : noLossLaw(lossPoints.length))],
    envelope: env,
  };
  if (boot) {
    // By lineage: a curve comes as many times as its lineage is drawn.
    const byLineage = lineageDraw(dataset);
    const lineageOf = new Map(dataset.runs.map((r) => [r.run ?? '', r]));
    const draw = (random: Random): Curve[] => {
      if (!byLineage) return resample<Curve>(curves, random);
      const times = byLineage(random);
      return curves.flatMap((c) => Array.from({ length: times(lineageOf.get(c.id)!) }, () => c));
    };
    if (boot.replicates >= 2) {
      result.unit = byLineage ? 'lineage' : 'run';
      const notDrawn = lineagesNotDrawn(dataset);
      if (notDrawn) result.warnings.push(notDrawn);
    }
    yield* bootstrapFrontier(result, targets, boot, (random) => {
      const e = envelopeAnalysis(draw(random), 400, dataset.source);
      // A replicate must estimate what the point estimate does: one that can fit only through the edge
      // sizes' default wins (its draw lost the interior sizes) is a failed replicate, not a biased one.
      if (e.count.edgesKept && !env.count.edgesKept)
        throw new Error('fewer than two interior sizes win in this resample');
      const lp = lossParams
        ? lossAgainstCompute(thin(e.points.map((p) => p.C)), thin(e.points.map((p) => p.loss)), lossParams)
        : undefined;
      return { N: e.N, D: e.D, lossParams: lp };
    });
  }
  return result;
}

/** At most ~60 evenly spaced points, so a 1,500-point grid does not dominate a loss fit's cost. */
function thin(values: number[]): number[] {
  const step = Math.max(1, Math.floor(values.length / 60));
  return values.filter((_, i) => i % step === 0);
}

/**
 * Bootstrap a frontier: each replicate (its own random stream, seed and index) re-derives the power
 * laws of N and D and the loss law; percentile intervals go into the result.
 */
function* bootstrapFrontier(
  result: ApproachResult,
  targets: number[],
  boot: BootstrapSettings,
  replicate: (random: () => number) => { N: PowerFit; D: PowerFit; lossParams?: Record<string, number> },
): Steps<void> {
  if (boot.replicates < 2) return;
  const a: number[] = [],
    b: number[] = [],
    samples: Omit<TargetPrediction, 'intervals'>[][] = [];
  let failed = 0;
  for (let r = 0; r < boot.replicates; r++) {
    yield;
    try {
      const rep = replicate(randomSource(boot.seed, r));
      a.push(rep.N.exponent);
      b.push(rep.D.exponent);
      samples.push(targets.map((C) => target(C, rep.N, rep.D, rep.lossParams)));
    } catch {
      failed++; // e.g. a resample with fewer than three distinct sizes in a budget
    }
  }
  if (a.length >= 2) {
    result.intervals.a = finiteInterval(a, boot.level);
    result.intervals.b = finiteInterval(b, boot.level);
  }
  attachIntervals(result.targets, samples, boot.level);
  result.replicates = a.length;
  if (failed > 0)
    result.warnings.push(
      `${failed} of ${boot.replicates} bootstrap replicates could not be analysed (too few distinct sizes in a resample) and were left out`,
    );
}

/** Power laws of N and D through a replicate's vertices, and its loss law (started from the point estimate's). */
function vertexLaws(
  kept: Profile[],
  lossParams: Record<string, number> | undefined,
): { N: PowerFit; D: PowerFit; lossParams?: Record<string, number> } {
  return {
    ...optimumPowerLaws(kept),
    lossParams: lossParams
      ? lossAgainstCompute(
          kept.map((p) => p.C),
          kept.map((p) => p.loss),
          lossParams,
        )
      : undefined,
  };
}

/**
 * Approach 2's residual bootstrap (src/fit/residualBootstrap.ts): per profile, the parabola in ln N through
 * its runs, and each replicate's loss at a run's size its fitted loss times (1 + a residual drawn from that
 * profile's own relative residuals, leverage-adjusted and centred).
 *
 * Why residuals, not runs: an IsoFLOP profile is a designed grid of sizes. Drawing its runs with
 * replacement drops some sizes and repeats others, and a replicate that loses the best run or one side
 * of the profile moves the vertex by about a grid step, so the interval measured the grid, not the noise
 * (4.3–4.7 times the spread of the estimate on a synthetic ladder). Keeping the sizes and resampling
 * the residuals within each profile follows the loss noise, as bcrit's bootstrap does; the delta
 * method's SE of the vertex would too, but would need a second linearisation through the power laws and
 * the loss law, which the replicates carry for free.
 *
 * A profile of 3 runs (or fewer sizes, possible for the lowest-loss-run vertex) has no residual of its
 * own: its runs keep their losses in every replicate (`held`). Drawing such a profile from the other
 * profiles' residuals (pooling) was tried: on Chinchilla's runs with budgets found from the data, six
 * 3-run profiles spanning 0.3–0.7 decades of N, most replicates' noisy 3-point parabolas threw the vertex
 * out of the runs' range, and the replicates of a sat below the estimate (its 50 % interval 0.471–0.518
 * around 0.518). Undefined when no profile has a residual (every profile 3 runs), so the caller draws runs.
 */
function profileResiduals(
  profiles: Profile[],
): { draw: (i: number, random: Random) => number[]; held: boolean[] } | undefined {
  // A parabola needs 3 distinct sizes; with fewer (the lowest-loss-run vertex allows it) the profile is held.
  const fitted = profiles.map((p) => new Set(p.runs.map((r) => r.N)).size >= 3);
  const groups = profiles.filter((_, i) => fitted[i]);
  const boot = residualBootstrap(
    groups.map((p) => ({
      design: polynomialDesign(
        p.runs.map((r) => Math.log(r.N!)),
        2,
      ),
      observed: p.runs.map((r) => r.loss),
    })),
    { scale: 'relative', pooling: 'per-group' },
  );
  if (boot.noResidualLeft) return undefined;
  const groupOf = new Map(groups.map((p, g) => [p, g]));
  const held = profiles.map((p) => {
    const g = groupOf.get(p);
    return g === undefined || boot.groups[g].noResidual !== undefined;
  });
  return {
    held,
    draw: (i, random) => {
      const g = groupOf.get(profiles[i]);
      return g === undefined ? profiles[i].runs.map((r) => r.loss) : boot.draw(g, random);
    },
  };
}

/** How many sizes around a profile's lowest-loss run the vertex-discrepancy term's window parabola takes. */
const DISCREPANCY_WINDOW = 5;

/**
 * What Approach 2's residual bootstrap resamples, as every page says it (frontier's header, the HTML
 * report, a study's report): the rule, whether or not a given fit's profiles were wide enough for the term.
 */
export const APPROACH2_RESAMPLED =
  "each IsoFLOP profile's residuals about its parabola (its sizes kept; over 5 sizes, plus its vertex-discrepancy term)";

/**
 * The vertex-discrepancy term of Approach 2's residual bootstrap, per profile: ln N* of the parabola through
 * every run minus ln N* of the parabola through the runs at the 5 consecutive sizes centred on the
 * lowest-loss run (shifted inward at an edge); 0 for a profile of 5 sizes or fewer (the window is the whole
 * profile) and for the lowest-loss-run vertex. Each replicate adds d·z (z standard normal) to its ln vertex.
 *
 * Why: over a wide profile (7 or more sizes, 1.5 decades) the parabola is not the profile's shape
 * (L = E + A/N^α + B/D^β is no parabola in ln N), so its vertex is biased, and a replicate refits the same
 * parabola to noise about it: the bias was never in the interval (95 % intervals held the truth in 91–93 %
 * of trials with 7 sizes, 88–91 % with 9). How far the vertex moves when the far runs are dropped measures
 * that shape error on the data themselves. Chosen leaving one generating law out of four by
 * bench/approach2-coverage.ts, against a window parabola and a cubic (docs/methods.md §8); its price is
 * width, since d carries the window parabola's own noise too (1.6–1.7 times the residuals-alone interval
 * of ln N_opt; over-covering with 9 sizes).
 */
function vertexDiscrepancies(profiles: Profile[], method: VertexMethod, source: string): number[] {
  return profiles.map((p) => {
    const sizes = [...new Set(p.runs.map((r) => r.N!))].sort((x, y) => x - y);
    if (method !== 'parabola' || sizes.length <= DISCREPANCY_WINDOW) return 0;
    const low = p.runs.reduce((x, y) => (y.loss < x.loss ? y : x));
    const at = sizes.indexOf(low.N!);
    const start = Math.min(Math.max(at - (DISCREPANCY_WINDOW >> 1), 0), sizes.length - DISCREPANCY_WINDOW);
    const window = new Set(sizes.slice(start, start + DISCREPANCY_WINDOW));
    const near = profileVertex(
      p.C,
      p.runs.filter((r) => window.has(r.N!)),
      'parabola',
      source,
    );
    return Math.log(p.N / near.N);
  });
}

/** Approach 2 with optional bootstrap: runs resampled within each budget (or lineages across all of them). */
export function approach2(
  dataset: Dataset,
  targets: number[],
  options: IsoflopOptions = {},
  boot?: BootstrapSettings,
): ApproachResult & { isoflop: IsoflopResult } {
  return finish(approach2Steps(dataset, targets, options, boot));
}

/** approach2 a bootstrap replicate at a time (it yields between them), for a caller that stays responsive. */
export function* approach2Steps(
  dataset: Dataset,
  targets: number[],
  options: IsoflopOptions = {},
  boot?: BootstrapSettings,
): Steps<ApproachResult & { isoflop: IsoflopResult }> {
  checkMagnitudes(dataset, ['N', 'D', 'C', 'loss'], dataset.runs);
  // An IsoFLOP profile is whole runs at one budget: a run's intermediate checkpoints (at smaller compute,
  // and above the loss a run of that length reaches) are not runs of other budgets.
  const finals = finalCheckpoints(dataset);
  dataset = finals.dataset;
  const iso = isoflopAnalysis(dataset, options);
  checkFalling(
    iso.profiles.map((p) => p.C),
    iso.profiles.map((p) => p.loss),
    'the IsoFLOP profiles',
    dataset.source,
  );
  checkExponent(iso.N.exponent, "the IsoFLOP profiles' minima", dataset.source);
  const C = iso.profiles.map((p) => p.C);
  const lossParams = lossAgainstCompute(
    C,
    iso.profiles.map((p) => p.loss),
  );
  const method = options.vertex ?? defaultVertex;
  const result: ApproachResult & { isoflop: IsoflopResult } = {
    approach: 2,
    label: `IsoFLOP profiles (${method === 'parabola' ? 'parabola vertex' : 'lowest-loss run'})`,
    a: iso.N.exponent,
    b: iso.D.exponent,
    intervals: {},
    targets: targets.map((c) => ({ ...target(c, iso.N, iso.D, lossParams), intervals: {} })),
    lossLaw: lossParams ? { law: 'power (x = C)', params: lossParams } : undefined,
    replicates: 0,
    ...(finals.note ? { rows: finals.note } : {}),
    warnings: [...iso.warnings, ...(lossParams ? [] : noLossLaw(C.length))],
    isoflop: iso,
  };
  if (boot) {
    const groups = iso.profiles.map((p) => ({ C: p.C, runs: p.runs }));
    // A budget with few sizes often draws fewer than 3 distinct ones: that replicate leaves the budget out
    // (its power laws rest on the others) rather than failing whole — with one thin budget every
    // replicate failed (Chinchilla's runs with budgets auto: 200 of 200), and Approach 2 had no interval.
    let thinDraws = 0;
    const minBudgets = Math.min(3, groups.length);
    // By lineage, when the data name them: one draw of lineages for every budget when a trunk has
    // branches at several budgets (they come or go together), else lineages within each budget; runs
    // within each budget otherwise.
    const drawn = groupedDraw(
      dataset,
      new Map(groups.map((g, i) => [i, g.runs])),
      (i) => `budget C = ${formatNumber(groups[i].C, 3)}`,
    );
    if (boot.replicates >= 2) {
      result.unit = drawn.unit;
      iso.profiles.forEach((p, i) => (p.unit = drawn.unitOf(i)));
      if (drawn.warning) result.warnings.push(drawn.warning);
    }
    const residuals = drawn.unit === 'run' ? profileResiduals(iso.profiles) : undefined;
    if (residuals) {
      if (boot.replicates >= 2) {
        result.unit = 'residual';
        iso.profiles.forEach((p) => (p.unit = 'residual'));
        const held = iso.profiles.filter((_, i) => residuals.held[i]).map((p) => formatNumber(p.C, 3));
        const coverage = smallProfileCoverage(
          iso.profiles.filter((_, i) => !residuals.held[i]).map((p) => new Set(p.runs.map((r) => r.N)).size),
          held,
        );
        if (coverage) result.intervalCoverage = coverage;
        if (held.length)
          result.warnings.push(
            `${held.length === 1 ? 'the profile' : `${held.length} profiles`} at C = ${held.join(', ')} ${held.length === 1 ? 'has' : 'have'} too few runs to leave a residual (a parabola through 3 runs fits them exactly): ${held.length === 1 ? 'its vertex is' : 'their vertices are'} held at the estimate in every bootstrap replicate, so the intervals leave out ${held.length === 1 ? 'its' : 'their'} scatter`,
          );
      }
      const discrepancy = vertexDiscrepancies(iso.profiles, method, dataset.source);
      // Said per profile where it is applied (JSON `profiles[].vertexDiscrepancy`): which intervals carry it.
      if (boot.replicates >= 2)
        iso.profiles.forEach((p, i) => {
          if (discrepancy[i] !== 0) p.vertexDiscrepancy = discrepancy[i];
        });
      yield* bootstrapFrontier(result, targets, boot, (random) => {
        const kept = iso.profiles.map((p, i) => {
          const losses = residuals.draw(i, random);
          const runs = p.runs.map((r, j) => ({ ...r, loss: losses[j] }));
          return profileVertex(p.C, runs, method, dataset.source);
        });
        // The parabola's shape error, which refitting the same parabola never samples (vertexDiscrepancies).
        for (const [i, v] of kept.entries())
          if (discrepancy[i] !== 0) {
            const N = v.N * Math.exp(discrepancy[i] * normal(random));
            kept[i] = { ...v, N, D: v.C / (6 * N) };
          }
        return vertexLaws(kept, lossParams);
      });
    } else
      yield* bootstrapFrontier(result, targets, boot, (random) => {
        const kept: ReturnType<typeof profileVertex>[] = [];
        const draw = drawn.draw(random);
        for (const [i, g] of groups.entries()) {
          const runs = draw.get(i)!;
          if (new Set(runs.map((r) => r.N)).size < 3) {
            thinDraws++;
            continue;
          }
          kept.push(profileVertex(g.C, runs, method, dataset.source));
        }
        if (kept.length < minBudgets) throw new Error('too few budgets with three distinct sizes in this resample');
        return vertexLaws(kept, lossParams);
      });
    if (thinDraws > 0)
      result.warnings.push(
        `${thinDraws} budget draws (of ${groups.length} budgets × ${boot.replicates} replicates) had fewer than 3 distinct sizes and were left out of their replicate; the others' vertices give its power laws`,
      );
  }
  return result;
}

/**
 * An approach's warning as {code, severity, message}, as a fit's and predict's are (frontier --json): a
 * target's extrapolation keeps its grade ("target (severe): …"), a warning the approach's fit made keeps
 * its own (`known`), the rest are graded by what they say. Approaches keep plain strings, which the text
 * report, the web app and the agreement check read.
 */
export function frontierWarning(message: string, known?: ReadonlyMap<string, TrustWarning>): TrustWarning {
  const fromFit = known?.get(message);
  if (fromFit) return fromFit;
  const target = /^target \((info|warning|severe)\): /.exec(message);
  if (target) return warning('extrapolation', target[1] as Severity, message);
  const [code, severity]: [WarningCode, Severity] = /did not bracket the optimum|not bracketed/.test(message)
    ? ['unbracketed', 'warning']
    : /fell on no IsoFLOP budget/.test(message)
      ? ['unassigned-runs', 'warning']
      : /bootstrap replicates|budget draws/.test(message)
        ? ['bootstrap-failed', 'warning']
        : /lineage/.test(message)
          ? ['lineage', 'warning']
          : /no loss is predicted/.test(message)
            ? ['no-loss-law', 'warning']
            : ['frontier', 'warning'];
  return warning(code, severity, message);
}

/** Where Approaches 1 and 2 get a loss at a target: a law of the frontier's loss against compute. */
export const frontierLossSource = "L*(C) = E + A·C^(−γ) fitted to its frontier's losses";

/**
 * Approach 3 named by the recipe that fitted its law (a fit's `procedure`): briefly for tables and
 * figures, in full once beside them. Its loss is that law's; for an auto fit, the reported law's
 * (the one plan allocates with), not the candidates' average that predict gives.
 */
export function approach3Recipe(lawId: string, procedure: ProcedureJson): { label: string; shortLabel: string } {
  const p = procedure;
  if (p.id === 'custom')
    return { shortLabel: `parametric fit (${lawId}, custom)`, label: `parametric fit: ${p.title}` };
  const c = p.candidates?.find((x) => x.id === p.chosen);
  const title = c?.title ?? p.title;
  const citation = c?.citation ?? p.citation;
  const auto = p.id === 'auto';
  return {
    shortLabel: `parametric fit (${lawId}, ${p.chosen})`,
    label: `parametric fit: ${lawId} by the ${p.chosen} recipe (${title}${citation ? `; ${citation}` : ''}), the law ${auto ? 'the auto fit reports and ' : ''}plan allocates with${auto ? "; its loss is that law's, not the candidates' average that predict gives" : ''}`,
  };
}

/**
 * Approach 3 from a fitted law (and its bootstrap replicates, when it has them).
 */
export function approach3(
  law: Law,
  params: Record<string, number>,
  targets: number[],
  replicates: Record<string, number>[] = [],
  level = 0.95,
  label?: string,
): ApproachResult {
  const derive = (p: Record<string, number>) => {
    // The frontier exponent from two budgets three decades apart (exact for chinchilla: β/(α+β)).
    const lo = computeOptimal(law, p, 1e20),
      hi = computeOptimal(law, p, 1e23);
    const a = Math.log(hi.N / lo.N) / Math.log(1e3);
    return { a, b: 1 - a, targets: targets.map((C) => computeOptimal(law, p, C)) };
  };
  const point = derive(params);
  // A replicate with no frontier (an exponent ≤ 0 in a resample) is left out of the intervals.
  const derived = replicates.flatMap((p) => {
    try {
      return [derive(p)];
    } catch {
      return [];
    }
  });
  const result: ApproachResult = {
    approach: 3,
    label: label ?? `parametric fit (${law.id})`,
    a: point.a,
    b: point.b,
    intervals: {},
    targets: point.targets.map((t) => ({
      C: t.C,
      N: t.N,
      D: t.D,
      tokensPerParameter: t.tokensPerParameter,
      loss: t.loss,
      intervals: {},
    })),
    lossLaw: { law: law.id, params },
    replicates: derived.length,
    warnings:
      derived.length < replicates.length
        ? [
            `${replicates.length - derived.length} of ${replicates.length} bootstrap replicates have no compute-optimal frontier (an exponent ≤ 0) and were left out of the intervals`,
          ]
        : [],
  };
  if (derived.length >= 2) {
    const reps = derived;
    result.intervals.a = finiteInterval(
      reps.map((r) => r.a),
      level,
    );
    result.intervals.b = finiteInterval(
      reps.map((r) => r.b),
      level,
    );
    attachIntervals(
      result.targets,
      reps.map((r) =>
        r.targets.map((t) => ({ C: t.C, N: t.N, D: t.D, tokensPerParameter: t.tokensPerParameter, loss: t.loss })),
      ),
      level,
    );
  }
  return result;
}

export interface Agreement {
  approaches: [number, number];
  /** The exponent a of each lies in the other's interval, or the intervals overlap. */
  exponent: boolean;
  /** Per target: the N_opt intervals overlap. */
  targets: boolean[];
  statement: string;
}

function overlap(x?: [number, number], y?: [number, number]): boolean | undefined {
  if (!x || !y) return undefined;
  return x[0] <= y[1] && y[0] <= x[1];
}

/** Do two approaches agree within their intervals? */
export function agreement(p: ApproachResult, q: ApproachResult): Agreement {
  const exp = overlap(p.intervals.a, q.intervals.a);
  const targets = p.targets.map((t, k) => overlap(t.intervals.N, q.targets[k]?.intervals.N) ?? false);
  let statement: string;
  if (exp === undefined) {
    // Replicates asked for but none analysed (an IsoFLOP profile too thin for a resample) is not "no bootstrap".
    const failed = [p, q].filter((r) => !r.intervals.a && r.warnings.some((w) => /bootstrap replicates/.test(w)));
    const why = failed.length
      ? `(approach ${failed.map((r) => r.approach).join(' and ')}: its bootstrap replicates could not be analysed, see the warnings)`
      : '(fit with bootstrap replicates)';
    statement = `Approaches ${p.approach} and ${q.approach}: a = ${p.a.toFixed(3)} vs ${q.a.toFixed(3)}; no intervals to compare ${why}`;
  } else {
    const fmt = (r: ApproachResult) => `${r.a.toFixed(3)} ${formatInterval(r.intervals.a!, (x) => x.toFixed(3))}`;
    // An envelope fitted through its edge models' wins (too few sizes between them) is biased by its own
    // warning: a disagreement with it says that, not that the data disagree.
    const biased = [p, q].filter((r) => r.envelopePoints?.edgesKept);
    const verdict =
      exp && targets.every(Boolean)
        ? 'agree within their intervals'
        : exp
          ? 'agree on the exponent but not on N_opt at every target'
          : biased.length
            ? `do not overlap on the exponent, but approach ${biased[0].approach}'s envelope is biased (fitted through its edge models' default wins; see its warning), so this is no evidence that the data disagree`
            : 'DISAGREE: their intervals for the exponent do not overlap';
    statement = `Approaches ${p.approach} and ${q.approach} ${verdict}: a = ${fmt(p)} vs ${fmt(q)}`;
  }
  return { approaches: [p.approach, q.approach], exponent: exp ?? false, targets, statement };
}

/** Known IsoFLOP budget sets, for --budgets NAME. */
export const namedBudgets: Record<string, number[]> = {
  // Hoffmann et al. 2022, Fig. 3 legend: the nine IsoFLOP budgets.
  chinchilla: [6e18, 1e19, 3e19, 6e19, 1e20, 3e20, 6e20, 1e21, 3e21],
};
