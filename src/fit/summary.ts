/**
 * A fit as plain JSON (what `scalelab fit --json` prints and `predict --fit` reads), and back.
 * Every number carries its provenance: the law and its citation, the data file and columns, the
 * loss, the start strategy and, with a bootstrap, the seed and replicate count.
 */
import { InputError } from '../errors/index.js';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { lineColumn, lineStartsOf } from '../io/textPosition.js';
import { parseJsonText } from '../io/parseJson.js';
import { getLaw, lawChoiceFromJson, lawChoiceToJson, predictLoss, type Law, type LawVariable } from '../laws/index.js';
import { extent, median } from '../core/statistics.js';
import {
  droppedReplicates,
  replicateParams,
  summariseBootstrap,
  type BootstrapSamples,
  type BootstrapSummary,
} from './bootstrap.js';
import type { FitResult } from './fit.js';
import type { LossOptions } from '../core/losses.js';
import {
  asTrustWarnings,
  bootstrapWarnings,
  offCenterWarnings,
  offReason,
  trustOf,
  warning,
  type Trust,
  type TrustWarning,
} from './warnings.js';
import { isFailure, type CandidateFit, type PredictiveMember } from './candidate.js';
import type { AutoChoice, AutoRule, BacktestOnThisData } from './auto.js';
import type { Procedure } from './procedures.js';
import type { Axis } from '../io/rollingOrigin.js';
import { resampleClusters } from '../io/dataset.js';

const formatVersion = 1;

export interface FitJson {
  scalelab: { kind: 'fit'; format: number };
  law: string;
  /** The single variable of one-variable laws (N, D or C); absent for two-variable laws. */
  variable?: LawVariable;
  /** Breaks of `bnsl`. The law's options are saved by the registry (lawChoiceToJson), so that the fit reloads exactly. */
  breaks?: number;
  formula: string;
  citation: string;
  /** A parameter that ran off to infinity is null here (JSON has no infinity): `paramsOff` says why. */
  params: Record<string, number>;
  /** The parameters with no finite value (null in `params`), each with what that means (a term switched off). */
  paramsOff?: Record<string, string>;
  free: string[];
  fixed: Record<string, number>;
  ties: Record<string, string>;
  objective: number;
  points: number;
  loss: LossOptions;
  /** L-BFGS runs refined. */
  starts: number;
  /** Refined starts that reached the best optimum (stability). */
  startsAtBest: number;
  init: { method: string; evaluated: number };
  converged: boolean;
  reason: string;
  iterations: number;
  gradientNorm: number;
  derived: Record<string, number>;
  /** The derived quantities with no finite value (null in `derived`), each with why. */
  derivedOff?: Record<string, string>;
  residuals: { rmsLog: number; maxAbsLog: number; medianAbsRelative: number };
  data: {
    source: string;
    runs: number;
    columns: Record<string, string>;
    derived: Record<string, string>;
    /** Sizes read in the unit their header gives ({ N: "× 1e6 (the header's unit: millions)" }). */
    scaled?: Record<string, string>;
    /** Rows kept when not all ("group isoflop: 15 of 25 rows"). */
    selection?: string;
    /** Training runs the rows come from, when fewer than the rows (checkpoints of named runs). */
    trainingRuns?: number;
    /** Smallest and largest value of each law input in the data: the range the fit has seen. */
    ranges: Record<string, [number, number]>;
  };
  /** What the numbers cannot show by themselves: { code, severity, message } (fit/warnings.ts). */
  warnings: TrustWarning[];
  /** The worst severity among the warnings: ok, caution or untrusted. */
  trust: Trust;
  /** How the law was fitted: the procedure, and with `auto` every candidate and why one was chosen. */
  procedure?: ProcedureJson;
  /** A new run's scatter around the law: quantiles of the scaled ln residuals, for prediction intervals. */
  noise?: number[];
  /** What `noise` is, in words, for a reader of the JSON (the array stays where scripts read it). */
  noiseDescription?: string;
  intervals?: Record<string, [number, number]>;
  derivedIntervals?: Record<string, [number, number]>;
  /** The bootstrap, with how its intervals are read off the replicates (`method`: their percentiles). */
  bootstrap?: Omit<BootstrapSummary, 'intervals' | 'derivedIntervals'> & { method?: 'percentile' };
  /** Replicate parameter sets, in `free`-independent law order (`replicateNames`). */
  replicateNames?: string[];
  replicates?: number[][];
}

/** One candidate of an `auto` fit, enough to predict with it. */
export interface CandidateJson {
  id: string;
  title: string;
  citation: string;
  /** Set when the candidate could not be fitted at all. */
  error?: string;
  law?: string;
  variable?: LawVariable;
  breaks?: number;
  params?: Record<string, number>;
  /** As FitJson's: the parameters null in `params`, each with why. */
  paramsOff?: Record<string, string>;
  free?: string[];
  loss?: LossOptions;
  ties?: Record<string, string>;
  reduction?: string;
  /** Weight in the ensemble (0 to 1). */
  weight: number;
  /** Mean |ln L̂ − ln L| on the internal back-test's held-out runs. */
  score?: number;
  folds: { cutoff: number; fitRuns: number; heldOut: number; score?: number; skipped?: string }[];
  warnings?: TrustWarning[];
  noise?: number[];
  replicateNames?: string[];
  replicates?: number[][];
  /** Bootstrap replicates left out of this candidate's intervals, and how many for each reason. */
  dropped?: number;
  droppedReasons?: Record<string, number>;
}

export interface ProcedureJson {
  /** `auto`, a fixed procedure's id, or `custom` (flags given by hand). */
  id: string;
  title: string;
  citation?: string;
  /** The procedure actually fitted (a reduction of the requested one, or auto's best candidate). */
  chosen: string;
  reason?: string;
  reduction?: string;
  rule?: AutoRule;
  axis?: Axis;
  cutoffs?: number[];
  candidates?: CandidateJson[];
  /**
   * What each candidate predicts at 10× the data's largest N and D, as the fit's report prints it
   * (`auto` only): how far apart the recipes are where the fit will be used.
   */
  extrapolated?: { at: { N?: number; D?: number }; predictions: Record<string, number> };
  /**
   * `auto` (CLI fit): the data's own back-test of each candidate and of the weighted mean, the best
   * candidate named; information beside the weights, which it does not change (fit/auto.ts).
   */
  bestOnThisData?: BacktestOnThisData;
}

function residualSummary(residuals: Float64Array): FitJson['residuals'] {
  let ss = 0,
    maxAbs = 0;
  for (const r of residuals) {
    ss += r * r;
    maxAbs = Math.max(maxAbs, Math.abs(r));
  }
  return {
    rmsLog: Math.sqrt(ss / residuals.length),
    maxAbsLog: maxAbs,
    medianAbsRelative: median(Array.from(residuals, (r) => Math.abs(Math.expm1(r)))),
  };
}

function dataRanges(result: FitResult): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const v of ['N', 'D', 'C', 'U'] as const) {
    const values = result.dataset.runs.map((r) => r[v]).filter((x): x is number => x !== undefined);
    if (values.length) out[v] = extent(values);
  }
  return out;
}

/**
 * The parameters of `law` with no finite value in `params` (JSON writes null for them), each with
 * what it means; none: {}.
 */
export function paramsOff(law: Law, params: Record<string, number>): { paramsOff?: Record<string, string> } {
  const off = law.params.filter((p) => p.name in params && !Number.isFinite(params[p.name]));
  return off.length ? { paramsOff: Object.fromEntries(off.map((p) => [p.name, offReason(p, params[p.name])])) } : {};
}

/** The derived quantities with no finite value, each with why (a parameter off, or overflow). */
function derivedOff(
  derived: Record<string, number>,
  off: Record<string, string> | undefined,
): { derivedOff?: Record<string, string> } {
  const bad = Object.keys(derived).filter((k) => !Number.isFinite(derived[k]));
  const why = off
    ? `not finite: ${Object.keys(off).join(' and ')} ${Object.keys(off).length === 1 ? 'is' : 'are'} off`
    : 'not finite for these parameters';
  return bad.length ? { derivedOff: Object.fromEntries(bad.map((k) => [k, why])) } : {};
}

export function fitToJson(result: FitResult, samples?: BootstrapSamples, level = 0.95): FitJson {
  const law = result.law;
  const off = paramsOff(law, result.params);
  const derived = Object.fromEntries(Object.entries(result.derived).map(([k, d]) => [k, d.value]));
  const out: FitJson = {
    scalelab: { kind: 'fit', format: formatVersion },
    ...lawChoiceToJson(law),
    formula: law.formula,
    citation: law.citation,
    params: { ...result.params },
    ...off,
    free: result.free,
    fixed: result.fixed,
    ties: result.ties,
    objective: result.objective,
    points: result.points,
    loss: result.loss,
    starts: result.starts.refined,
    startsAtBest: result.starts.atBest,
    init: { method: result.starts.method, evaluated: result.starts.evaluated },
    converged: result.converged,
    reason: result.reason,
    iterations: result.iterations,
    gradientNorm: result.gradientNorm,
    derived,
    ...derivedOff(derived, off.paramsOff),
    residuals: residualSummary(result.residuals),
    data: {
      source: result.dataset.source,
      runs: result.dataset.runs.length,
      columns: result.dataset.columns as Record<string, string>,
      derived: result.dataset.derived as Record<string, string>,
      ...(result.dataset.scaled ? { scaled: result.dataset.scaled as Record<string, string> } : {}),
      ...(result.dataset.selection ? { selection: result.dataset.selection } : {}),
      ...trainingRunsOf(result.dataset.runs),
      ranges: dataRanges(result),
    },
    warnings: [...result.warnings],
    trust: 'ok',
  };
  if (samples) {
    const s = summariseBootstrap(law, samples, level);
    out.intervals = s.intervals;
    out.derivedIntervals = s.derivedIntervals;
    out.bootstrap = {
      replicates: s.replicates,
      seed: s.seed,
      level: s.level,
      method: 'percentile',
      converged: s.converged,
      dropped: s.dropped,
      droppedReasons: s.droppedReasons,
    };
    if (samples.unit) {
      out.bootstrap.unit = samples.unit;
      out.bootstrap.units = resampleClusters(result.dataset, samples.unit).count;
    }
    out.replicateNames = samples.names;
    out.replicates = [];
    for (let r = 0; r < samples.replicates; r++) {
      if (samples.converged[r]) out.replicates.push(samples.names.map((n) => replicateParams(samples, r)[n]));
    }
    out.warnings.push(
      ...bootstrapWarnings(
        law,
        result.free,
        samples.names,
        samples.values,
        samples.converged,
        samples.replicates,
        s.droppedReasons,
        samples.unit,
        level,
      ),
      ...offCenterWarnings(
        result.free,
        result.params,
        samples.names,
        samples.values,
        samples.converged,
        samples.replicates,
        level,
      ),
    );
  }
  out.trust = trustOf(out.warnings);
  return out;
}

function replicateRows(samples: BootstrapSamples): number[][] {
  const rows: number[][] = [];
  const p = samples.names.length;
  for (let r = 0; r < samples.replicates; r++)
    if (samples.converged[r]) rows.push(Array.from(samples.values.subarray(r * p, r * p + p)));
  return rows;
}

/** `noise` said in words in the fit JSON: how candidate.ts's noiseSample makes it and what predict does with it. */
const NOISE_DESCRIPTION =
  "a new run's scatter around the law: evenly spaced quantiles of the fit's residuals in ln L (sign flipped, scaled by √(n/(n−p)) with n counted in runs), added to the replicates' predictions for a prediction interval";

/** A fixed procedure's fit (possibly reduced) as JSON: the fit, its noise sample and how it was made. */
export function candidateFitToJson(c: CandidateFit, level = 0.95, requested?: Procedure): FitJson {
  const out = fitToJson(c.result, c.samples, level);
  const asked = requested ?? c.requested;
  out.noise = Array.from(c.noise);
  out.noiseDescription = NOISE_DESCRIPTION;
  out.procedure = {
    id: asked.id,
    title: asked.title,
    citation: asked.citation,
    chosen: c.procedure.id,
    ...(c.reduction ? { reduction: c.reduction } : {}),
  };
  if (c.reduction)
    out.warnings.unshift(
      warning('reduced-law', 'warning', `procedure ${asked.id} reduced to ${c.procedure.title}: ${c.reduction}`),
    );
  out.trust = trustOf(out.warnings);
  return out;
}

/** Each fitted candidate's loss at 10× the data's largest N and D (one it cannot predict there is left out). */
function candidatesAtTenfold(
  ranges: Record<string, [number, number]>,
  candidates: CandidateJson[],
): NonNullable<ProcedureJson['extrapolated']> {
  const at: { N?: number; D?: number } = {};
  if (ranges.N) at.N = ranges.N[1] * 10;
  if (ranges.D) at.D = ranges.D[1] * 10;
  const predictions: Record<string, number> = {};
  for (const c of candidates) {
    if (c.error || !c.law || !c.params) continue;
    try {
      const v = predictLoss(getLaw(lawChoiceFromJson(c)), c.params, at);
      if (Number.isFinite(v)) predictions[c.id] = v;
    } catch {
      // Said in the text report with its reason; the JSON has no number for it.
    }
  }
  return { at, predictions };
}

/**
 * An `auto` fit as JSON: the top-level law, parameters and intervals are the best-scored
 * candidate's (what plan and frontier use); `procedure.candidates` holds every candidate with its
 * weight, back-test score and replicates, which `predict` mixes.
 */
export function autoFitToJson(choice: AutoChoice, level = 0.95): FitJson {
  const k = choice.scores.findIndex((s) => s.id === choice.chosen);
  const best = choice.fits[k] as CandidateFit;
  const out = candidateFitToJson(best, level);
  const candidates: CandidateJson[] = choice.fits.map((f, j) => {
    const score = choice.scores[j];
    const base = {
      id: f.requested.id,
      title: f.requested.title,
      citation: f.requested.citation,
      weight: score.weight,
      ...(score.score !== undefined ? { score: score.score } : {}),
      folds: score.folds,
    };
    if (isFailure(f)) return { ...base, error: f.error };
    return {
      ...base,
      ...lawChoiceToJson(f.law),
      params: { ...f.result.params },
      ...paramsOff(f.law, f.result.params),
      free: f.result.free,
      loss: f.result.loss,
      ties: f.result.ties,
      ...(f.reduction ? { reduction: f.reduction } : {}),
      warnings: f.result.warnings,
      noise: Array.from(f.noise),
      ...(f.samples
        ? {
            replicateNames: f.samples.names,
            replicates: replicateRows(f.samples),
            dropped: droppedReplicates(f.samples).dropped,
            droppedReasons: droppedReplicates(f.samples).reasons,
          }
        : {}),
    };
  });
  out.procedure = {
    id: 'auto',
    title:
      choice.rule.combine === 'equal'
        ? "the equal-weight mean of the candidates' ln L̂, the rule chosen on the extrapolation benchmark (fit/auto.ts)"
        : "weighed by the data's own rolling-origin back-test (fit/auto.ts)",
    chosen: choice.chosen,
    reason: choice.reason,
    ...(best.reduction ? { reduction: best.reduction } : {}),
    rule: choice.rule,
    axis: choice.axis,
    cutoffs: choice.cutoffs,
    candidates,
    extrapolated: candidatesAtTenfold(out.data.ranges, candidates),
  };
  if (choice.rule.combine !== 'equal' && choice.cutoffs.length === 0)
    out.warnings.push(
      warning(
        'few-runs',
        'warning',
        `too few runs to back-test any candidate (a fit set needs at least 6 runs below a cutoff): the candidates are weighed equally, with no evidence for one`,
      ),
    );
  out.trust = trustOf(out.warnings);
  return out;
}

/**
 * A parameter the law does not have means the file and the law disagree (a bnsl fit with two breaks
 * read as one): predicting would silently drop a term, so the file is refused.
 */
function checkNoExtraParams(
  values: Record<string, number> | undefined,
  law: Law,
  at: (name: string) => ConstructorParameters<typeof InputError>[0],
  where: string,
): void {
  const names = new Set(law.params.map((p) => p.name));
  const extra = Object.keys(values ?? {}).filter((k) => !names.has(k));
  if (extra.length) {
    throw new InputError(
      at(extra[0]),
      `${where}: ${extra.join(', ')} ${extra.length === 1 ? 'is not a parameter' : 'are not parameters'} of law ${law.id} (${law.title}; its parameters: ${[...names].join(', ')}): the law's options (variable, breaks) do not match the parameters`,
    );
  }
}

/**
 * A parameter the optimiser works on in logarithms (`scale: 'log'`) cannot have come out of a fit ≤ 0: a
 * hand-edited one predicts NaN somewhere far from the file (plan's "the analysis came out non-finite").
 */
function checkLogScaleParams(
  values: Record<string, number>,
  law: Law,
  at: (name: string) => ConstructorParameters<typeof InputError>[0],
  where: string,
): void {
  const bad = law.params.find((p) => p.scale === 'log' && !(values[p.name] > 0));
  if (bad)
    throw new InputError(
      at(bad.name),
      `${where}: ${bad.name} is ${values[bad.name]}; expected a positive number (law ${law.id} fits ${bad.name} in logarithms, so a fit of it is > 0)`,
    );
}

/**
 * The parameter names of a file's replicate rows (`replicateNames`), each a parameter of the law, once:
 * a hand-edited list of other names gave rows of no parameter the law reads (and predicted NaN), and
 * one that is not a list crashed the reader.
 */
function replicateNamesOf(names: unknown, law: Law, source: string, where: string): string[] {
  if (names === undefined) return law.params.map((p) => p.name);
  const known = new Set(law.params.map((p) => p.name));
  if (
    !Array.isArray(names) ||
    !names.every((n) => typeof n === 'string' && known.has(n)) ||
    new Set(names).size !== names.length
  )
    throw new InputError(
      { file: source },
      `${where}: expected the names of law ${law.id}'s parameters (${[...known].join(', ')}), each once, got ${JSON.stringify(names)}`,
    );
  return names as string[];
}

/** A fit loaded back from JSON: enough to predict, with replicates for intervals. */
export interface LoadedFit {
  law: Law;
  params: Record<string, number>;
  replicates: Record<string, number>[];
  /** The predictive ensemble: auto's weighted candidates, or the fit alone. */
  members: PredictiveMember[];
  json: FitJson;
}

/** The training runs behind the rows, said only when rows are checkpoints (a run name shared by several). */
function trainingRunsOf(runs: readonly { run?: string }[]): { trainingRuns?: number } {
  const named = new Set<string>();
  let unnamed = 0;
  for (const r of runs) {
    if (r.run === undefined) unnamed++;
    else named.add(r.run);
  }
  const count = named.size + unnamed;
  return count < runs.length ? { trainingRuns: count } : {};
}

/**
 * Read a fit JSON produced by `scalelab fit --json` (or `--out`).
 * @throws InputError naming the file and the missing or malformed field
 */
export function loadFit(text: string, source: string): LoadedFit {
  const json = parseJsonText(text, source, 'a fit written by "scalelab fit --json"') as FitJson;
  if (typeof json !== 'object' || json === null || json.scalelab?.kind !== 'fit') {
    throw new InputError(
      { file: source, line: 1 },
      'not a ScaleLab fit: expected the output of "scalelab fit --json" (a "scalelab": {"kind": "fit"} field)',
    );
  }
  const format = json.scalelab.format;
  if (typeof format !== 'number' || !Number.isInteger(format) || format < 1) {
    throw new InputError(
      { file: source },
      `field "scalelab.format": expected a whole number, got ${JSON.stringify(format)}`,
    );
  }
  if (format > formatVersion) {
    throw new InputError(
      { file: source },
      `field "scalelab.format": ${format} is from a newer ScaleLab (this one reads up to ${formatVersion}); upgrade ScaleLab or refit with this one`,
    );
  }
  const data = json.data as unknown as Record<string, unknown> | undefined;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InputError(
      { file: source },
      `field "data": expected an object saying which runs the fit saw (source, runs, columns, ranges), got ${JSON.stringify(data) ?? 'nothing'}`,
    );
  }
  if (typeof data.source !== 'string')
    throw new InputError(
      { file: source },
      `field "data.source": expected the file the fit was made from, got ${JSON.stringify(data.source)}`,
    );
  if (typeof data.runs !== 'number' || !(data.runs >= 0))
    throw new InputError(
      { file: source },
      `field "data.runs": expected a number of runs, got ${JSON.stringify(data.runs)}`,
    );
  const ranges = (data.ranges ?? {}) as Record<string, unknown>;
  if (typeof ranges !== 'object' || ranges === null || Array.isArray(ranges))
    throw new InputError(
      { file: source },
      `field "data.ranges": expected an object of [smallest, largest] per variable`,
    );
  for (const [k, v] of Object.entries(ranges)) {
    if (
      !Array.isArray(v) ||
      v.length !== 2 ||
      !v.every((x) => typeof x === 'number' && x > 0 && Number.isFinite(x)) ||
      v[0] > v[1]
    ) {
      throw new InputError(
        { file: source },
        `field "data.ranges.${k}": expected [smallest, largest], two positive numbers, got ${JSON.stringify(v)}`,
      );
    }
  }
  data.ranges = ranges;
  data.columns ??= {};
  data.derived ??= {};
  if (json.replicates !== undefined && !Array.isArray(json.replicates)) {
    throw new InputError(
      { file: source },
      `field "replicates": expected an array of parameter sets, got ${JSON.stringify(json.replicates).slice(0, 40)}`,
    );
  }
  if (
    json.procedure !== undefined &&
    (typeof json.procedure !== 'object' ||
      json.procedure === null ||
      (json.procedure.candidates !== undefined && !Array.isArray(json.procedure.candidates)))
  ) {
    throw new InputError(
      { file: source },
      `field "procedure": expected the procedure written by "scalelab fit" (an object with an array of candidates)`,
    );
  }
  // Where a field of the file is, for the errors about the law and its options.
  const at = (path: (string | number)[]) => {
    const node = findNodeAtLocation(parseTree(text) ?? { type: 'null', offset: 0, length: 0 }, path);
    return { file: source, ...(node ? lineColumn(lineStartsOf(text), node.offset) : {}) };
  };
  let law: Law;
  try {
    law = getLaw(lawChoiceFromJson(json));
  } catch (e) {
    throw new InputError(at(['law']), `field "law": ${(e as Error).message}`);
  }
  const params: Record<string, number> = {};
  for (const p of law.params) {
    const v = json.params?.[p.name];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InputError(
        { file: source },
        `field "params.${p.name}": expected a finite number for law ${law.id}, got ${JSON.stringify(v)}`,
      );
    }
    params[p.name] = v;
  }
  checkNoExtraParams(json.params, law, (name) => at(['params', name]), 'field "params"');
  checkLogScaleParams(params, law, (name) => at(['params', name]), 'field "params"');
  // The fit's data had every input its law reads: a law in N loaded from a fit of runs without N is
  // the wrong law (a file written before the law's options were saved), not a law to predict with.
  const seen = Object.keys(ranges);
  const unseen = law.inputs.filter((v) => !seen.includes(v));
  if (seen.length && unseen.length) {
    throw new InputError(
      at(['law']),
      `field "law": law ${law.id} (${law.title}) reads ${unseen.join(' and ')}, but the fit's runs had only ${seen.join(', ')} (field "data.ranges"): the law's options (variable, breaks) are missing or wrong; refit with this ScaleLab`,
    );
  }
  const replicates: Record<string, number>[] = [];
  if (json.replicates !== undefined) {
    const names = replicateNamesOf(json.replicateNames, law, source, 'field "replicateNames"');
    json.replicates.forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== names.length || !row.every(Number.isFinite)) {
        throw new InputError(
          { file: source },
          `field "replicates[${r}]": expected ${names.length} finite numbers (${names.join(', ')})`,
        );
      }
      replicates.push(Object.fromEntries(names.map((n, j) => [n, row[j]])));
    });
  }
  json.warnings = asTrustWarnings(json.warnings);
  json.trust ??= trustOf(json.warnings);
  const noise = Array.isArray(json.noise) && json.noise.every(Number.isFinite) ? json.noise : [];
  let members: PredictiveMember[] = [
    { id: json.procedure?.chosen ?? law.id, law, params, replicates, noise, weight: 1 },
  ];
  const candidates = json.procedure?.candidates;
  if (Array.isArray(candidates) && candidates.some((c) => c.weight > 0 && !c.error)) {
    members = candidates
      .filter((c) => c.weight > 0 && !c.error)
      .map((c) => {
        // Its index in the file, not among the candidates kept.
        const i = candidates.indexOf(c);
        const where = `field "procedure.candidates[${i}]" (${c.id})`;
        let cl: Law;
        try {
          cl = getLaw(lawChoiceFromJson(c));
        } catch (e) {
          throw new InputError({ file: source }, `${where}: ${(e as Error).message}`);
        }
        const cp: Record<string, number> = {};
        for (const p of cl.params) {
          const v = c.params?.[p.name];
          if (typeof v !== 'number' || !Number.isFinite(v))
            throw new InputError(
              { file: source },
              `${where}: expected a finite number for ${p.name}, got ${JSON.stringify(v)}`,
            );
          cp[p.name] = v;
        }
        checkNoExtraParams(c.params, cl, (name) => at(['procedure', 'candidates', i, 'params', name]), where);
        checkLogScaleParams(cp, cl, (name) => at(['procedure', 'candidates', i, 'params', name]), where);
        const names = replicateNamesOf(c.replicateNames, cl, source, `${where}.replicateNames`);
        const reps = (c.replicates ?? []).map((row, r) => {
          if (!Array.isArray(row) || row.length !== names.length || !row.every(Number.isFinite))
            throw new InputError(
              { file: source },
              `${where}.replicates[${r}]: expected ${names.length} finite numbers`,
            );
          return Object.fromEntries(names.map((n, j) => [n, row[j]]));
        });
        const cn = Array.isArray(c.noise) && c.noise.every(Number.isFinite) ? c.noise : [];
        if (!(typeof c.weight === 'number' && c.weight > 0 && c.weight <= 1))
          throw new InputError({ file: source }, `${where}: expected a weight between 0 and 1`);
        return { id: c.id, law: cl, params: cp, replicates: reps, noise: cn, weight: c.weight };
      });
  }
  return { law, params, replicates, members, json };
}

/**
 * A saved fit's candidates as plan's ensemble (the law reported, and every weighted candidate that
 * fitted), when it has more than one; undefined for a fit of one procedure. For a fit this program
 * wrote (the report, the web app); `loadFit` checks a file read from disk.
 */
export function fitEnsemble(
  json: FitJson,
):
  | { reported: string; members: { id: string; law: Law; params: Record<string, number>; weight: number }[] }
  | undefined {
  const chosen = json.procedure?.chosen;
  const kept = (json.procedure?.candidates ?? []).filter((c) => c.weight > 0 && !c.error && c.params);
  if (!chosen || kept.length < 2) return undefined;
  return {
    reported: chosen,
    members: kept.map((c) => ({ id: c.id, law: getLaw(lawChoiceFromJson(c)), params: c.params!, weight: c.weight })),
  };
}
