/**
 * ScaleLab's Node-only helpers, the `scalelab/node` entry point. The main entry (`scalelab`) imports
 * no Node APIs, so it also runs in a browser or a worker; what needs Node lives here: reading run
 * files from disk, the SQLite run store, fits and bootstraps spread over worker threads, rendering
 * figures to SVG and PNG, the bundled simulated world, model catalog and benchmark cases.
 *
 *   import { fit, laws } from 'scalelab';
 *   import { readRuns, fitParallel, renderSvg, RunStore } from 'scalelab/node';
 */
import type { Spec } from '../plots/specs.js';

export {
  readRuns,
  forEachRun,
  readText,
  inputSize,
  MAX_WHOLE_FILE_BYTES,
  MAX_JSONL_LINE_BYTES,
} from '../io/readRuns.js';
export {
  RunStore,
  defaultStorePath,
  type StoredRun,
  type RunStatus,
  type Checkpoint,
  type ImportCounts,
} from '../store/store.js';
export { storeDataset } from '../store/storeDataset.js';
export { StoreError } from '../store/errors.js';
export { fitParallel, bootstrapParallel, parallelRunners, type ParallelOptions } from './parallel.js';
export {
  readBenchmark,
  readBenchmarkCase,
  defaultBenchmarkDir,
  type BenchmarkCase,
  type BenchmarkCaseSpec,
} from '../io/benchmarkCases.js';
export { loadWorld, defaultWorldPath } from '../lab/loadWorld.js';
// Downstream task metrics (a ladder manifest, OLMo/Pythia/lm-eval files) for 'scalelab''s analyseLadder.
export { readTaskMetrics } from '../io/readTaskMetrics.js';
export { loadCatalog, catalogPath } from '../catalog/load.js';

// Rendering loads vega and resvg (a few hundred milliseconds): on the first figure, not on import.

/** A Vega-Lite spec (from `lossPlot`, `isoflopPlot`, … in 'scalelab') as an SVG document, with no DOM. */
export async function renderSvg(spec: Spec): Promise<string> {
  return (await import('../render/render.js')).renderSvg(spec);
}

/** A Vega-Lite spec as a PNG image, `scale` times the spec's size. */
export async function renderPng(spec: Spec, scale = 2): Promise<Buffer> {
  return (await import('../render/render.js')).renderPng(spec, scale);
}
