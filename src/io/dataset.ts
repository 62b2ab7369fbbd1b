/**
 * A validated table of training runs, as every analysis receives it. Pure (no Node APIs): the web
 * app builds the same object from an uploaded file.
 */
import type { LawInputs, Variable } from '../laws/law.js';

/** One run (or one checkpoint of a run) after validation. */
export interface Run {
  N?: number;
  D?: number;
  C?: number;
  U?: number;
  loss: number;
  /** Batch size (tokens, or sequences — as the file gives it). */
  batch?: number;
  /** Peak learning rate. */
  lr?: number;
  /** Model width (d_model), for learning-rate transfer checks. */
  width?: number;
  /** Number of layers (n_layer), for depth-versus-width comparisons. */
  layers?: number;
  /** Squared gradient norm |G_B|² measured at batch size `batch` (gradient noise scale). */
  gradSq?: number;
  group?: string;
  run?: string;
  step?: number;
  /** 1-based line in the source file, for error messages and traceability. */
  line: number;
}

export interface Dataset {
  /** Where the runs came from (a path, or a label such as "upload"). */
  source: string;
  runs: Run[];
  /** Column of the source file behind each field (for traceability: "N ← Model Size"). */
  columns: Partial<Record<keyof Omit<Run, 'line'>, string>>;
  /** Fields computed rather than read, e.g. { D: 'C/(6N)' }. */
  derived: Partial<Record<Variable, string>>;
  /** Which rows of the source were kept, when not all ("group isoflop: 15 of 25 rows"). */
  selection?: string;
}

/** Log-inputs for a law from a data set, checking that every needed variable is present. */
export function lawInputs(dataset: Dataset, variables: readonly Variable[], groups?: readonly string[]): LawInputs {
  const n = dataset.runs.length;
  const x: LawInputs = { n };
  if (groups) {
    x.group = Int32Array.from(dataset.runs, (r) => {
      const g = groups.indexOf(r.group ?? '');
      if (g < 0)
        throw new RangeError(`run at line ${r.line} has group "${r.group ?? ''}", not one of ${groups.join(', ')}`);
      return g;
    });
  }
  for (const v of variables) {
    const arr = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const value = dataset.runs[i][v];
      if (value === undefined) throw new RangeError(`run at line ${dataset.runs[i].line} has no ${v}`);
      arr[i] = Math.log(value);
    }
    x[`log${v}`] = arr;
  }
  return x;
}

export function logLosses(dataset: Dataset): Float64Array {
  return Float64Array.from(dataset.runs, (r) => Math.log(r.loss));
}

/**
 * Which rows belong to one training run. Rows that share a `run` name are checkpoints of one run
 * and move together in a bootstrap resample; a row without a run name is a run of its own. Clusters
 * are numbered in order of first appearance, so data without a `run` column map row i to cluster i.
 */
export interface RunClusters {
  /** Cluster of each row. */
  index: Int32Array;
  /** Number of clusters (runs). */
  count: number;
}

export function runClusters(dataset: Dataset): RunClusters {
  const ids = new Map<string, number>();
  let count = 0;
  const index = Int32Array.from(dataset.runs, (r) => {
    if (r.run === undefined) return count++;
    let k = ids.get(r.run);
    if (k === undefined) ids.set(r.run, (k = count++));
    return k;
  });
  return { index, count };
}
