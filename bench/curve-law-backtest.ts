/**
 * Which curve law should `curve-law fit` use by default? A back-test on real runs with learning-rate
 * schedules (docs/methods.md §35), two data sets, each law scored on both:
 *
 * - **Gemstones** (examples/curve-laws/gemstones-wsd/; McLeish et al. 2025, MIT): 18 shapes of
 *   48M–1.9B parameters, each a constant-LR trunk evaluated every 2B tokens and ten cooldown branches
 *   (linear decay to 0 over 10 % more tokens) from 10B, 20B, … 100B tokens. Protocol, fixed before
 *   any fit was run: per shape, fit the trunk's checkpoints from 10B tokens up to a cut-off T and the
 *   branches that leave the trunk by T; predict the final loss of every later branch (T = 30B: seven
 *   branches, up to 3.6× the fitted length; T = 50B: five, up to 2.2×). 100 bootstrap replicates,
 *   seed 1, as `curve-law fit` draws them (whole runs); the 95 % interval for a new run.
 * - **moby-curves** (examples/studies/moby-curves/; trained on this project's CPUs): two widths, a
 *   constant run and a WSD branch fitted, a cosine run twice as long and a WSD run with half its steps
 *   in decay predicted — the recorded predictions.json (made by scripts/moby-curves-report.ts).
 *
 * Score: mean |relative error| of the predicted final loss, and how many 95 % intervals hold the
 * observed loss. Choice, leave one data set out: each data set is given the law with the lower mean
 * error on the other; the default is the law that both choices agree on (none when they split).
 *
 *   node --import tsx bench/curve-law-backtest.ts [--json]
 * Exits 1 when the shipped default is not the law chosen here (or when the choices split and the
 * shipped default is not the law that has been there: the evidence did not decide).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseRuns } from '../src/io/parseRuns.js';
import { curvesFromDataset, type ReadCurve } from '../src/io/parseCurves.js';
import { parseSchedule, type Schedule } from '../src/core/schedule.js';
import {
  bootstrapCurveLaw,
  curveLawIds,
  fitCurveLaw,
  predictWithIntervals,
  type CurveLawId,
  type TrainingCurve,
} from '../src/analyses/curveLaws.js';
import { DEFAULT_CURVE_LAW } from '../src/analyses/curveLaws.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const GEMSTONES = here('../examples/curve-laws/gemstones-wsd/');
const MOBY = here('../examples/studies/moby-curves/predictions.json');

/** Steps: 10B tokens = 2,385 steps of 2,048 × 2,048 tokens. */
const FROM_STEP = 2385;
export const CUTOFFS = [
  { label: '30B', step: 7155 },
  { label: '50B', step: 11925 },
] as const;
const REPLICATES = 100;

export interface BacktestCase {
  dataset: 'gemstones' | 'moby';
  law: CurveLawId;
  /** The model (Gemstones shape, moby width) and, for Gemstones, the cut-off. */
  group: string;
  target: string;
  predicted: number;
  observed: number;
  error: number;
  interval?: [number, number];
  inside?: boolean;
}

/** The Gemstones runs as curves, grouped by shape. */
export function gemstonesCurves(): Map<string, ReadCurve[]> {
  const file = GEMSTONES + 'curves.csv';
  const ds = parseRuns(readFileSync(file, 'utf8'), { source: file });
  const raw = JSON.parse(readFileSync(GEMSTONES + 'schedules.json', 'utf8')) as Record<string, unknown>;
  const schedules: Record<string, Schedule> = {};
  for (const [name, s] of Object.entries(raw)) schedules[name] = parseSchedule(s, { file: 'schedules.json' });
  const byModel = new Map<string, ReadCurve[]>();
  for (const c of curvesFromDataset(ds, schedules)) {
    const model = c.name.replace(/-(trunk|cooldown-.*)$/, '');
    byModel.set(model, [...(byModel.get(model) ?? []), c]);
  }
  return byModel;
}

/** Where a branch leaves its trunk: its schedule's steps less its decay. */
const branchStart = (c: ReadCurve) => (c.schedule!.kind === 'wsd' ? c.schedule!.steps - c.schedule!.decaySteps! : -1);

/** `replicates` 0: point predictions only (the choice reads the errors alone; a test runs it so). */
export function gemstonesCases(
  replicates = REPLICATES,
  onProgress?: (done: number, total: number) => void,
): BacktestCase[] {
  const out: BacktestCase[] = [];
  const models = gemstonesCurves();
  const total = models.size * CUTOFFS.length * curveLawIds.length;
  let done = 0;
  for (const [model, curves] of models) {
    for (const cut of CUTOFFS) {
      const fitted: TrainingCurve[] = [];
      const targets: ReadCurve[] = [];
      for (const c of curves) {
        const start = branchStart(c);
        if (start < 0) fitted.push({ ...c, points: c.points.filter((p) => p.step >= FROM_STEP && p.step <= cut.step) });
        else if (start <= cut.step) fitted.push(c);
        else targets.push(c);
      }
      for (const law of curveLawIds) {
        const opts = { law, source: model };
        const fit = fitCurveLaw(fitted, opts);
        const boot = replicates > 0 ? bootstrapCurveLaw(fitted, opts, fit, replicates, 1) : undefined;
        for (const t of targets) {
          const step = t.points[0].step;
          const p = predictWithIntervals(fit, t, [step], boot);
          const observed = t.points[0].loss;
          const interval = p.interval?.[0];
          out.push({
            dataset: 'gemstones',
            law,
            group: `${model} ≤${cut.label}`,
            target: t.name,
            predicted: p.loss[0],
            observed,
            error: p.loss[0] / observed - 1,
            ...(interval ? { interval, inside: interval[0] <= observed && observed <= interval[1] } : {}),
          });
        }
        onProgress?.(++done, total);
      }
    }
  }
  return out;
}

export function mobyCases(): BacktestCase[] {
  const rows = JSON.parse(readFileSync(MOBY, 'utf8')) as {
    run: string;
    N: number;
    law: CurveLawId;
    predicted: number;
    observed: number;
    error: number;
    interval: [number, number];
    inside: boolean;
  }[];
  return rows.map((r) => ({
    dataset: 'moby',
    law: r.law,
    group: `N ${r.N}`,
    target: r.run,
    predicted: r.predicted,
    observed: r.observed,
    error: r.error,
    interval: r.interval,
    inside: r.inside,
  }));
}

export interface LawScore {
  cases: number;
  meanAbsError: number;
  inside: number;
  withInterval: number;
}

export function score(cases: readonly BacktestCase[]): LawScore {
  const withInterval = cases.filter((c) => c.inside !== undefined);
  return {
    cases: cases.length,
    meanAbsError: cases.reduce((a, c) => a + Math.abs(c.error), 0) / cases.length,
    inside: withInterval.filter((c) => c.inside).length,
    withInterval: withInterval.length,
  };
}

/** Each data set's choice is the law with the lower mean error on the other data sets. */
export function leaveOneOut(cases: readonly BacktestCase[]): Record<string, CurveLawId> {
  const datasets = [...new Set(cases.map((c) => c.dataset))];
  const choice: Record<string, CurveLawId> = {};
  for (const held of datasets) {
    const rest = cases.filter((c) => c.dataset !== held);
    const err = (law: CurveLawId) => {
      // Each remaining data set weighs the same, however many cases it has.
      const per = datasets
        .filter((d) => d !== held)
        .map((d) => score(rest.filter((c) => c.dataset === d && c.law === law)).meanAbsError);
      return per.reduce((a, b) => a + b, 0) / per.length;
    };
    choice[held] = [...curveLawIds].sort((a, b) => err(a) - err(b))[0];
  }
  return choice;
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

async function main() {
  const json = process.argv.includes('--json');
  const t0 = Date.now();
  const progress =
    !json && process.stderr.isTTY
      ? (d: number, n: number) => process.stderr.write(`\rGemstones fits ${d}/${n}`)
      : undefined;
  const cases = [...gemstonesCases(REPLICATES, progress), ...mobyCases()];
  if (progress) process.stderr.write('\n');
  const table = curveLawIds.flatMap((law) =>
    (['gemstones', 'moby'] as const).map((dataset) => ({
      law,
      dataset,
      ...score(cases.filter((c) => c.law === law && c.dataset === dataset)),
    })),
  );
  const byCutoff = curveLawIds.flatMap((law) =>
    CUTOFFS.map((cut) => ({
      law,
      cutoff: cut.label,
      ...score(cases.filter((c) => c.law === law && c.dataset === 'gemstones' && c.group.endsWith(`≤${cut.label}`))),
    })),
  );
  const choice = leaveOneOut(cases);
  const agreed = new Set(Object.values(choice)).size === 1 ? Object.values(choice)[0] : undefined;
  const ok = agreed ? agreed === DEFAULT_CURVE_LAW : DEFAULT_CURVE_LAW === 'lr-annealing';
  if (json) {
    console.log(
      JSON.stringify({ table, byCutoff, choice, agreed: agreed ?? null, shipped: DEFAULT_CURVE_LAW, cases }, null, 1),
    );
  } else {
    console.log('Curve laws on real schedules: mean |relative error| of the final loss; 95 % intervals that hold it\n');
    console.log('| law | data set | cases | mean error | inside |');
    console.log('|---|---|---|---|---|');
    for (const r of table)
      console.log(`| ${r.law} | ${r.dataset} | ${r.cases} | ${pct(r.meanAbsError)} | ${r.inside}/${r.withInterval} |`);
    console.log('\nGemstones by cut-off:\n');
    console.log('| law | fitted to | cases | mean error | inside |');
    console.log('|---|---|---|---|---|');
    for (const r of byCutoff)
      console.log(`| ${r.law} | ${r.cutoff} | ${r.cases} | ${pct(r.meanAbsError)} | ${r.inside}/${r.withInterval} |`);
    console.log(
      `\nLeave one data set out: ${Object.entries(choice)
        .map(([d, l]) => `${d} is given ${l}`)
        .join(
          '; ',
        )}. ${agreed ? `Chosen: ${agreed}.` : 'The choices split: no law is chosen.'} Shipped default: ${DEFAULT_CURVE_LAW}. (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
    );
  }
  if (!ok) process.exitCode = 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
