/**
 * What the worker computes for one request: the fit (the same prepareFit/refineStarts/finishFit
 * as `scalelab fit`), an optional bootstrap, the frontier approaches, the back-test and the
 * figures. Pure, so it also runs (and is timed) in Node.
 */
import { finishFit, prepareFit, refineStarts } from '../../../src/fit/fit.js';
import { bootstrap } from '../../../src/fit/bootstrap.js';
import { getLaw } from '../../../src/laws/index.js';
import { analyse, figures } from '../../../src/report/analysis.js';
import { frontierPlot } from '../../../src/plots/specs.js';
import type { Dataset } from '../../../src/io/dataset.js';
import type { ApproachSummary, FitOutcome, FitSettings } from './protocol.js';

const seed = 0;
const level = 0.95;

export function runAnalysis(dataset: Dataset, settings: FitSettings): FitOutcome {
  const t0 = performance.now();
  const law = getLaw({ law: settings.law, x: settings.x });
  const problem = prepareFit(law, dataset, { loss: settings.loss });
  const fitted = finishFit(problem, refineStarts(problem));
  const t1 = performance.now();
  const samples = settings.bootstrap > 1 ? bootstrap(problem, fitted, { replicates: settings.bootstrap, seed }) : undefined;
  const t2 = performance.now();
  const analysis = analyse(dataset, fitted, samples, {
    targets: [settings.target],
    bootstrap: samples ? { replicates: settings.bootstrap, seed, level } : undefined,
  });
  const x = law.inputs.length === 1 ? (law.inputs[0] as 'N' | 'D' | 'C') : 'C';
  const specs = figures(analysis, x);
  const shown = settings.approach === 'all' ? analysis.approaches : analysis.approaches.filter((a) => String(a.approach) === settings.approach);
  if (settings.approach !== 'all') {
    if (shown.length) specs.frontier = frontierPlot(shown, analysis.targets);
    else delete specs.frontier;
  }
  const approaches: ApproachSummary[] = shown.map((a) => ({ approach: a.approach, label: a.label, a: a.a, b: a.b, intervals: a.intervals, targets: a.targets, warnings: a.warnings }));
  const t3 = performance.now();
  return {
    fit: analysis.fitJson,
    figures: specs,
    approaches,
    skipped: analysis.skipped.filter((s) => settings.approach === 'all' || String(s.approach) === settings.approach),
    agreements: analysis.agreements.map((a) => a.statement),
    warnings: analysis.warnings,
    timings: { fitMs: t1 - t0, bootstrapMs: t2 - t1, analysisMs: t3 - t2, totalMs: t3 - t0 },
  };
}
