/**
 * A fit as plain JSON (what `scalelab fit --json` prints and `predict --fit` reads), and back.
 * Every number carries its provenance: the law and its citation, the data file and columns, the
 * loss, the start strategy and, with a bootstrap, the seed and replicate count.
 */
import { InputError } from '../errors/index.js';
import { getLaw, type Law, type Variable } from '../laws/index.js';
import { median } from '../core/statistics.js';
import { replicateParams, summariseBootstrap, type BootstrapSamples, type BootstrapSummary } from './bootstrap.js';
import type { FitResult } from './fit.js';
import type { LossOptions } from '../core/losses.js';

export const formatVersion = 1;

export interface FitJson {
  scalelab: { kind: 'fit'; format: number };
  law: string;
  /** The single variable of power laws (N, D or C); absent for two-variable laws. */
  variable?: Exclude<Variable, 'U'>;
  formula: string;
  citation: string;
  params: Record<string, number>;
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
  residuals: { rmsLog: number; maxAbsLog: number; medianAbsRelative: number };
  data: {
    source: string;
    runs: number;
    columns: Record<string, string>;
    derived: Record<string, string>;
    /** Rows kept when not all ("group isoflop: 15 of 25 rows"). */
    selection?: string;
    /** Smallest and largest value of each law input in the data: the range the fit has seen. */
    ranges: Record<string, [number, number]>;
  };
  warnings: string[];
  intervals?: Record<string, [number, number]>;
  derivedIntervals?: Record<string, [number, number]>;
  bootstrap?: Omit<BootstrapSummary, 'intervals' | 'derivedIntervals'>;
  /** Replicate parameter sets, in `free`-independent law order (`replicateNames`). */
  replicateNames?: string[];
  replicates?: number[][];
}

export function residualSummary(residuals: Float64Array): FitJson['residuals'] {
  let ss = 0, maxAbs = 0;
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
    if (values.length) out[v] = [Math.min(...values), Math.max(...values)];
  }
  return out;
}

export function fitToJson(result: FitResult, samples?: BootstrapSamples, level = 0.95): FitJson {
  const law = result.law;
  const out: FitJson = {
    scalelab: { kind: 'fit', format: formatVersion },
    law: law.id,
    ...(law.id === 'power' || law.id === 'power0' ? { variable: law.inputs[0] as Exclude<Variable, 'U'> } : {}),
    formula: law.formula,
    citation: law.citation,
    params: { ...result.params },
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
    derived: Object.fromEntries(Object.entries(result.derived).map(([k, d]) => [k, d.value])),
    residuals: residualSummary(result.residuals),
    data: {
      source: result.dataset.source,
      runs: result.dataset.runs.length,
      columns: result.dataset.columns as Record<string, string>,
      derived: result.dataset.derived as Record<string, string>,
      ...(result.dataset.selection ? { selection: result.dataset.selection } : {}),
      ranges: dataRanges(result),
    },
    warnings: [...result.warnings],
  };
  if (samples) {
    const s = summariseBootstrap(law, samples, level);
    out.intervals = s.intervals;
    out.derivedIntervals = s.derivedIntervals;
    out.bootstrap = { replicates: s.replicates, seed: s.seed, level: s.level, converged: s.converged };
    out.replicateNames = samples.names;
    out.replicates = [];
    for (let r = 0; r < samples.replicates; r++) {
      if (samples.converged[r]) out.replicates.push(samples.names.map((n) => replicateParams(samples, r)[n]));
    }
    if (s.converged < s.replicates) out.warnings.push(`${s.replicates - s.converged} of ${s.replicates} bootstrap replicates did not converge and were left out of the intervals`);
  }
  return out;
}

/** A fit loaded back from JSON: enough to predict, with replicates for intervals. */
export interface LoadedFit {
  law: Law;
  params: Record<string, number>;
  replicates: Record<string, number>[];
  json: FitJson;
}

/**
 * Read a fit JSON produced by `scalelab fit --json` (or `--out`).
 * @throws InputError naming the file and the missing or malformed field
 */
export function loadFit(text: string, source: string): LoadedFit {
  let json: FitJson;
  try {
    json = JSON.parse(text) as FitJson;
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    let line: number | undefined, column: number | undefined;
    if (m) {
      const before = text.slice(0, Number(m[1]));
      line = before.split('\n').length;
      column = Number(m[1]) - before.lastIndexOf('\n');
    }
    throw new InputError({ file: source, line, column }, `malformed JSON: expected a fit written by "scalelab fit --json" (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || json.scalelab?.kind !== 'fit') {
    throw new InputError({ file: source, line: 1 }, 'not a ScaleLab fit: expected the output of "scalelab fit --json" (a "scalelab": {"kind": "fit"} field)');
  }
  let law: Law;
  try {
    law = getLaw({ law: json.law, x: json.variable });
  } catch (e) {
    throw new InputError({ file: source }, `field "law": ${(e as Error).message}`);
  }
  const params: Record<string, number> = {};
  for (const p of law.params) {
    const v = json.params?.[p.name];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InputError({ file: source }, `field "params.${p.name}": expected a finite number for law ${law.id}, got ${JSON.stringify(v)}`);
    }
    params[p.name] = v;
  }
  const replicates: Record<string, number>[] = [];
  if (json.replicates !== undefined) {
    const names = json.replicateNames ?? law.params.map((p) => p.name);
    json.replicates.forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== names.length || !row.every(Number.isFinite)) {
        throw new InputError({ file: source }, `field "replicates[${r}]": expected ${names.length} finite numbers (${names.join(', ')})`);
      }
      replicates.push(Object.fromEntries(names.map((n, j) => [n, row[j]])));
    });
  }
  return { law, params, replicates, json };
}
