/**
 * Downstream defaults chosen leave-one-dataset-out (docs/methods.md §32, §34): nested back-tests within
 * three ladders — the OLMo ladder with its 3.2B runs (examples/downstream/olmo-ladder/ladder-3b.json; the
 * 7B and 13B targets are not read), Pythia's evaluations (examples/downstream/pythia/ladder.json) and the
 * Gemstones' 22 shapes (examples/downstream/gemstones/ladder.json) — fit on the smallest k sizes and
 * predict every larger size's runs. Tasks the screen calls near chance are left out (their errors are
 * noise, not extrapolation).
 *
 * 1. Step-2 variants: mean |relative error| per variant per dataset. Each dataset's choice is the variant
 *    best on the mean of the *other* datasets; the shipped default is the best on the mean of all.
 * 2. The extrapolation term's slope s (σ(d) = s·d in accuracy, d = log10(1 + C/C_max)):
 *    learnt on the other datasets (their cases pooled), its coverage on this one — the Gaussian bound
 *    (noise and term only) and, with --replicates R > 0, the full interval (run bootstrap + term + noise)
 *    of every nested fold. The shipped slope pools all datasets. Whether it may ship is bench/slopeRule.ts's
 *    rule, written before its table was first run: each dataset's held-out coverage by the Gaussian
 *    bound (noise and term only, the one every dataset has; the Gemstones' bootstrap cannot run) with s
 *    learnt on the others, and its interval score; the slope stays if the held-out coverage, every
 *    held-out case pooled, lies within 5 points of 95 %, else s becomes the largest of the left-out
 *    slopes. Known before it was written: §32's per-dataset rows (OLMo 94 of 96 and Pythia 85 of 90 by
 *    the full interval, the Gemstones 92.2 % by the Gaussian bound).
 * 3. Gadre et al.'s chain (validation-loss law, then the loss → error exponential) on the same folds of the
 *    ladders that record validation losses (the OLMo ladder only): its error beside the default's, and its
 *    interval's coverage with the shipped slope. Evidence, not a choice.
 *
 *   node --import tsx bench/downstream-extrapolation.ts [--replicates 30] [--json] [--write]
 * --write records the slope's held-out rows and the rule's decision in examples/downstream/slope-lodo.json.
 * Exits 1 when the shipped default (DOWNSTREAM_EXTRAPOLATION, the step-2 bounds) is not the one chosen here,
 * or when the slope rule's decision is not SLOPE_DECISION.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readTaskMetrics } from '../src/io/readTaskMetrics.js';
import { ladderFor, taskDefinitions } from '../src/analyses/downstreamLadder.js';
import { errorAgainstActual, judgedError, screenTask } from '../src/analyses/downstreamScreen.js';
import {
  bootstrapDirect,
  bootstrapDownstream,
  bootstrapValidationLossChain,
  chainAccuracy,
  fitLossToError,
  fitValidationLossLaw,
  lossErrorPoints,
  finalPoints,
  fitDirect,
  fitDownstream,
  predictDownstream,
  DOWNSTREAM_EXTRAPOLATION,
  DOWNSTREAM_STEP2,
  type DownstreamOptions,
  type TaskLadder,
} from '../src/analyses/downstream.js';
import {
  extrapolationSlope,
  gaussianCoverage,
  nestedBacktests,
  type ExtrapolationCase,
} from '../src/analyses/downstreamExtrapolation.js';
import { intervalScore, slopeRule, type SlopeDecision } from './slopeRule.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const DATASETS = {
  olmo: here('../examples/downstream/olmo-ladder/ladder-3b.json'),
  pythia: here('../examples/downstream/pythia/ladder.json'),
  gemstones: here('../examples/downstream/gemstones/ladder.json'),
} as const;
type DatasetName = keyof typeof DATASETS;

/** Step-2 variants (the sigmoid's floor and ceiling, and which part of the curves it is fitted to). */
export const VARIANTS: Record<string, DownstreamOptions> = {
  'floor chance, ceiling 1': { sigmoid: 'one', ceiling: 1, skipFraction: 0.1, idealPoint: false },
  'floor chance, ceiling fitted': { sigmoid: 'one', ceiling: 'free', skipFraction: 0.1, idealPoint: false },
  'floor and ceiling fitted': { sigmoid: 'one', floor: 'free', ceiling: 'free', skipFraction: 0.1, idealPoint: false },
  'floor chance, ceiling 1, last half of each run': {
    sigmoid: 'one',
    ceiling: 1,
    skipFraction: 0.5,
    idealPoint: false,
  },
  'floor chance, ceiling fitted, last half of each run': {
    sigmoid: 'one',
    ceiling: 'free',
    skipFraction: 0.5,
    idealPoint: false,
  },
  'the average of the first three': { sigmoid: 'average', skipFraction: 0.1, idealPoint: false },
  // Bhagia et al.'s code: floor and ceiling fitted, with the ideal point (task loss 0, accuracy 1).
  "floor and ceiling fitted, ideal point (the paper's code)": {
    sigmoid: 'one',
    floor: 'free',
    ceiling: 'free',
    skipFraction: 0.1,
    idealPoint: true,
  },
  'the average of the first three, ideal point': { sigmoid: 'average', skipFraction: 0.1, idealPoint: true },
};

interface TaskLadderWithOptions {
  ladder: TaskLadder;
  options: DownstreamOptions;
}

/** Every task of a dataset that the screen does not call near chance. */
export function ladders(name: DatasetName): { kept: TaskLadderWithOptions[]; nearChance: string[] } {
  return laddersOf(DATASETS[name]);
}

/** The same for any manifest (a ladder not among this bench's datasets: bench/downstream-step1c.ts's third). */
export function laddersOf(manifest: string): { kept: TaskLadderWithOptions[]; nearChance: string[] } {
  const data = readTaskMetrics([manifest]);
  const kept: TaskLadderWithOptions[] = [];
  const nearChance: string[] = [];
  for (const def of taskDefinitions(data)) {
    const ladder = ladderFor(data, def, 'ladder')!;
    const options: DownstreamOptions = { chance: def.chance };
    if (screenTask(ladder, options).verdict === 'near chance') nearChance.push(def.task);
    else kept.push({ ladder, options });
  }
  return { kept, nearChance };
}

export function variantCases(ls: TaskLadderWithOptions[], variant: DownstreamOptions): ExtrapolationCase[] {
  return ls.flatMap(({ ladder, options }) => nestedBacktests(ladder, { ...options, ...variant }).cases);
}

const meanAbs = (xs: number[]) => xs.reduce((a, x) => a + Math.abs(x), 0) / xs.length;
/**
 * A held-out run's error as the screen judges it (errorAgainstActual: relative, or accuracy points below an
 * actual of 0.10). Every held-out accuracy of the three ladders is far above 0.10, so each is a relative
 * error; one that is not is counted, and said (a mean of the two units would mean nothing).
 */
let judgedInPoints = 0;
function judged(predicted: number, actual: number): number {
  const e = errorAgainstActual(predicted, actual);
  if (e.judgedOn === 'absolute error') judgedInPoints++;
  return judgedError(e);
}
const meanJudged = (pairs: [number, number][]) => meanAbs(pairs.map(([p, a]) => judged(p, a)));

/** The full interval's coverage on every nested fold: run bootstrap, the term at `slope`, noise. */
export function bootstrapCoverage(
  ls: TaskLadderWithOptions[],
  variant: DownstreamOptions,
  slope: number,
  replicates: number,
): { inside: number; of: number; medianWidth: number; failedFolds: number } {
  let inside = 0,
    of = 0,
    failedFolds = 0;
  const widths: number[] = [];
  for (const { ladder, options } of ls) {
    const o = { ...options, ...variant, extrapolation: slope };
    const sizes = [...new Set(ladder.runs.map((r) => r.N))].sort((a, b) => a - b);
    for (let m = 3; m < sizes.length; m++) {
      const train: TaskLadder = { ...ladder, runs: ladder.runs.filter((r) => r.N <= sizes[m - 1]) };
      const held = finalPoints({ ...ladder, runs: ladder.runs.filter((r) => r.N > sizes[m - 1]) }).filter(
        (p) => p.accuracy !== undefined,
      );
      let intervals: [number, number][];
      try {
        if (ladder.lossMetric) {
          const f = fitDownstream(train, o);
          intervals = bootstrapDownstream(train, f, held, { replicates, seed: m }).map((x) => x.accuracy);
        } else {
          const s = fitDirect(train, o);
          intervals = bootstrapDirect(train, s, held, { ...o, replicates, seed: m }).map((x) => x.accuracy);
        }
      } catch {
        failedFolds++;
        continue;
      }
      held.forEach((p, i) => {
        of++;
        if (intervals[i][0] <= p.accuracy! && p.accuracy! <= intervals[i][1]) inside++;
        widths.push(intervals[i][1] - intervals[i][0]);
      });
    }
  }
  widths.sort((a, b) => a - b);
  return { inside, of, medianWidth: widths[Math.floor(widths.length / 2)] ?? NaN, failedFolds };
}

/** The slope rule's decision recorded for DOWNSTREAM_EXTRAPOLATION (the bench exits 1 when it differs). */
export const SLOPE_DECISION: SlopeDecision = 'kept';

/** Where `--write` records the slope's leave-one-dataset-out rows and the rule's decision (test/slope-lodo.test.ts reads it). */
export const SLOPE_RECORD = here('../examples/downstream/slope-lodo.json');

const Z95 = 1.959964;

/** Cases inside their Gaussian 95 % bound (noise and term) at slope s, and their mean interval score. */
function gaussianScore(cases: readonly ExtrapolationCase[], slope: number): { inside: number; score: number } {
  let inside = 0,
    score = 0;
  for (const c of cases) {
    const half = Z95 * Math.hypot(slope * c.distance, c.noise);
    if (Math.abs(c.error) <= half) inside++;
    score += intervalScore(c.predicted - half, c.predicted + half, c.actual);
  }
  return { inside, score: score / cases.length };
}

/**
 * Each dataset held out in turn: s learnt on the others' cases pooled (extrapolationSlope), scored on this
 * one's by the Gaussian bound — the rows bench/slopeRule.ts's rule reads — beside the pooled s (in-sample).
 */
export function leaveOneDatasetOutSlope(cases: Record<DatasetName, ExtrapolationCase[]>, pooledSlope: number) {
  const names = Object.keys(cases) as DatasetName[];
  return Object.fromEntries(
    names.map((n) => {
      const slope = extrapolationSlope(names.filter((m) => m !== n).flatMap((m) => cases[m]));
      const held = gaussianScore(cases[n], slope),
        pooled = gaussianScore(cases[n], pooledSlope),
        without = gaussianScore(cases[n], 0);
      return [
        n,
        {
          slope,
          inside: held.inside,
          cases: cases[n].length,
          intervalScore: held.score,
          insidePooled: pooled.inside,
          intervalScorePooled: pooled.score,
          without: without.inside,
        },
      ];
    }),
  ) as Record<
    DatasetName,
    {
      slope: number;
      inside: number;
      cases: number;
      intervalScore: number;
      insidePooled: number;
      intervalScorePooled: number;
      without: number;
    }
  >;
}

/**
 * The choice itself: each variant's mean |relative error| per dataset; each dataset's choice is the best
 * on the mean of the others; the default is the best on the mean of all. The slope is learnt under that
 * default: per dataset (`slope`), on the others pooled (`slopeFromOthers`, what each dataset's coverage
 * is judged with), and on all pooled (`pooledSlope`, the shipped one).
 */
export function chooseDefaults(sets: Record<DatasetName, { kept: TaskLadderWithOptions[] }>) {
  const names = Object.keys(DATASETS) as DatasetName[];
  const score: Record<string, Record<DatasetName, number>> = {};
  const cases: Record<string, Record<DatasetName, ExtrapolationCase[]>> = {};
  for (const [v, options] of Object.entries(VARIANTS)) {
    cases[v] = Object.fromEntries(names.map((n) => [n, variantCases(sets[n].kept, options)])) as Record<
      DatasetName,
      ExtrapolationCase[]
    >;
    score[v] = Object.fromEntries(
      names.map((n) => [n, meanJudged(cases[v][n].map((c) => [c.predicted, c.actual]))]),
    ) as Record<DatasetName, number>;
  }
  const best = (by: (v: string) => number) => Object.keys(VARIANTS).reduce((a, b) => (by(b) < by(a) ? b : a));
  const others = (n: DatasetName) => names.filter((m) => m !== n);
  const mean = (v: string, over: DatasetName[]) => over.reduce((a, m) => a + score[v][m], 0) / over.length;
  const choice = {
    for: Object.fromEntries(names.map((n) => [n, best((v) => mean(v, others(n)))])) as Record<DatasetName, string>,
    pooled: best((v) => mean(v, names)),
  };
  const pooledCases = (over: DatasetName[]) => over.flatMap((m) => cases[choice.pooled][m]);
  const slope = Object.fromEntries(names.map((n) => [n, extrapolationSlope(cases[choice.pooled][n])])) as Record<
    DatasetName,
    number
  >;
  const slopeFromOthers = Object.fromEntries(
    names.map((n) => [n, extrapolationSlope(pooledCases(others(n)))]),
  ) as Record<DatasetName, number>;
  const pooledSlope = extrapolationSlope(pooledCases(names));
  const shippedVariant = Object.keys(VARIANTS).find(
    (v) => JSON.stringify(VARIANTS[v]) === JSON.stringify(DOWNSTREAM_STEP2),
  );
  return { score, cases, choice, slope, slopeFromOthers, pooledSlope, shippedVariant, meanScore: mean };
}

/**
 * The step-2 variants scored through C: mean |relative error| of the through-C predictions of the same
 * back-test fits, on the datasets whose cases have them (a task loss); the leave-one-dataset-out and pooled
 * choices by the same rule as chooseDefaults'.
 */
export function throughC(cases: Record<string, Record<DatasetName, ExtrapolationCase[]>>) {
  const score: Record<string, Partial<Record<DatasetName, number>>> = {};
  for (const [v, byDataset] of Object.entries(cases)) {
    score[v] = {};
    for (const [n, cs] of Object.entries(byDataset) as [DatasetName, ExtrapolationCase[]][]) {
      const viaC = cs.filter((c) => c.predictedViaC !== undefined);
      if (viaC.length) score[v][n] = meanJudged(viaC.map((c) => [c.predictedViaC!, c.actual]));
    }
  }
  const variants = Object.keys(cases);
  const names = Object.keys(score[variants[0]]) as DatasetName[];
  const mean = (v: string, over = names) => over.reduce((a, m) => a + score[v][m]!, 0) / over.length;
  const best = (by: (v: string) => number) => variants.reduce((a, b) => (by(b) < by(a) ? b : a));
  const choice = {
    for: Object.fromEntries(
      names.map((n) => [
        n,
        best((v) =>
          mean(
            v,
            names.filter((m) => m !== n),
          ),
        ),
      ]),
    ) as Partial<Record<DatasetName, string>>,
    pooled: best((v) => mean(v)),
  };
  return { score, choice, mean };
}

/**
 * Gadre et al.'s chain (validation-loss law at N, D, then the loss → error exponential) on the same nested
 * folds: its mean |relative error| beside the two-step default's on the same held-out runs, and, with
 * replicates, its interval's coverage. Evidence about the chain, not a choice: only the OLMo ladder records
 * validation losses, so no leave-one-dataset-out rule can be drawn from it.
 */
export function chainBacktests(
  ls: TaskLadderWithOptions[],
  replicates: number,
): {
  cases: number;
  chain: number;
  twoStep: number;
  inside: number;
  of: number;
  medianWidth: number;
  failedFolds: number;
} {
  const chainErr: number[] = [],
    twoErr: number[] = [],
    widths: number[] = [];
  let inside = 0,
    of = 0,
    failedFolds = 0;
  for (const { ladder, options } of ls) {
    const sizes = [...new Set(ladder.runs.map((r) => r.N))].sort((a, b) => a - b);
    for (let m = 3; m < sizes.length; m++) {
      const train: TaskLadder = { ...ladder, runs: ladder.runs.filter((r) => r.N <= sizes[m - 1]) };
      const held = finalPoints({ ...ladder, runs: ladder.runs.filter((r) => r.N > sizes[m - 1]) }).filter(
        (p) => p.accuracy !== undefined,
      );
      try {
        const law = fitValidationLossLaw(finalPoints(train), ladder.source);
        const exp = fitLossToError(lossErrorPoints(train, DOWNSTREAM_STEP2.skipFraction), ladder.source);
        const f = fitDownstream(train, options);
        const intervals =
          replicates > 0
            ? bootstrapValidationLossChain(train, { law, exp }, held, { ...options, replicates, seed: m })
            : undefined;
        held.forEach((p, i) => {
          const a = Math.min(1, Math.max(0, chainAccuracy(law, exp, p)));
          chainErr.push(judged(a, p.accuracy!));
          twoErr.push(judged(predictDownstream(f, p).accuracy, p.accuracy!));
          if (intervals) {
            // A run with no interval (too few replicates refitted) counts as not held.
            of++;
            const iv = intervals[i];
            if (!iv) return;
            const [lo, hi] = iv.accuracy;
            if (lo <= p.accuracy! && p.accuracy! <= hi) inside++;
            widths.push(hi - lo);
          }
        });
      } catch {
        failedFolds++;
      }
    }
  }
  widths.sort((a, b) => a - b);
  const avg = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  return {
    cases: chainErr.length,
    chain: avg(chainErr),
    twoStep: avg(twoErr),
    inside,
    of,
    medianWidth: widths[Math.floor(widths.length / 2)] ?? NaN,
    failedFolds,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--replicates');
  const replicates = i >= 0 ? Number(args[i + 1]) : 30;
  const started = Date.now();
  const names = Object.keys(DATASETS) as DatasetName[];
  const sets = Object.fromEntries(names.map((n) => [n, ladders(n)])) as Record<DatasetName, ReturnType<typeof ladders>>;
  const out: Record<string, unknown> = {};
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const lines: string[] = [];
  for (const n of names)
    lines.push(
      `${n}: ${sets[n].kept.length} tasks (near chance, left out: ${sets[n].nearChance.join(', ') || 'none'})`,
    );

  // 1. Step-2 variants.
  const { score, cases, choice, slope, slopeFromOthers, pooledSlope, shippedVariant, meanScore } = chooseDefaults(sets);
  lines.push(
    '',
    '| step-2 variant | ' + names.map((n) => `${n}: mean \\|rel. error\\| (cases)`).join(' | ') + ' | mean of all |',
    '|---|' + names.map(() => '---|').join('') + '---|',
  );
  for (const v of Object.keys(VARIANTS))
    lines.push(
      `| ${v} | ${names.map((n) => `${pct(score[v][n])} (${cases[v][n].length})`).join(' | ')} | ${pct(meanScore(v, names))} |`,
    );
  lines.push(
    '',
    `Leave-one-dataset-out (each dataset's choice is the best on the mean of the others): ${names.map((n) => `${n}: "${choice.for[n]}"`).join('; ')}. Pooled (the default): "${choice.pooled}".`,
  );
  out.variants = { score, choice };

  // 1b. The same variants chained through C (step 1 E + A/C^α), on the ladders with a task loss. Step 2 does
  // not depend on step 1, so one step 2 serves both chains; this shows whether the through-C chain's back-tests
  // would choose another.
  const viaC = throughC(cases);
  const withLoss = Object.keys(viaC.score[choice.pooled]) as DatasetName[];
  lines.push(
    '',
    'Through C (step 1 E + A/C^α, the same fits), on the ladders with a task loss:',
    '',
    '| step-2 variant | ' + withLoss.map((n) => `${n}: through C`).join(' | ') + ' | mean |',
    '|---|' + withLoss.map(() => '---|').join('') + '---|',
  );
  for (const v of Object.keys(VARIANTS))
    lines.push(`| ${v} | ${withLoss.map((n) => pct(viaC.score[v][n]!)).join(' | ')} | ${pct(viaC.mean(v))} |`);
  lines.push(
    '',
    `Through C, leave-one-dataset-out: ${withLoss.map((n) => `${n}: "${viaC.choice.for[n]}"`).join('; ')}. Pooled: "${viaC.choice.pooled}".`,
  );
  out.throughC = { score: viaC.score, choice: viaC.choice };

  // 2. The extrapolation slope, under the pooled choice of step 2.
  const chosen = VARIANTS[choice.pooled];
  lines.push(
    '',
    '| dataset | slope s learnt here | s learnt on the others | coverage with s from the others (Gaussian bound) | without the term | full 95 % interval, s from the others | without the term | median width (with / without) |',
    '|---|---|---|---|---|---|---|---|',
  );
  const coverage: Record<string, unknown> = {};
  for (const n of names) {
    const cs = cases[choice.pooled][n];
    const g = gaussianCoverage(cs, slopeFromOthers[n]),
      g0 = gaussianCoverage(cs, 0);
    const full = replicates > 0 ? bootstrapCoverage(sets[n].kept, chosen, slopeFromOthers[n], replicates) : undefined;
    const full0 = replicates > 0 ? bootstrapCoverage(sets[n].kept, chosen, 0, replicates) : undefined;
    coverage[n] = { gaussian: g, gaussianWithout: g0, full, fullWithout: full0 };
    lines.push(
      `| ${n} | ${slope[n].toFixed(3)} | ${slopeFromOthers[n].toFixed(3)} | ${pct(g)} | ${pct(g0)} | ${full?.of ? `${full.inside}/${full.of}` : '–'} | ${full0?.of ? `${full0.inside}/${full0.of}` : '–'} | ${full?.of && full0?.of ? `${full.medianWidth.toFixed(3)} / ${full0.medianWidth.toFixed(3)}` : '–'} |`,
    );
  }
  for (const n of names) {
    const tokenCounts = new Set(sets[n].kept.flatMap(({ ladder }) => finalPoints(ladder).map((p) => p.D)));
    const c = coverage[n] as { full?: { of: number; failedFolds: number } };
    if (c.full && c.full.of === 0)
      lines.push(
        `${n}: no full interval — all ${c.full.failedFolds} folds' bootstraps failed` +
          (tokenCounts.size < 2
            ? ` (every run's final checkpoint is at the same token count, ${[...tokenCounts][0].toExponential(3)}; the bootstrap refits step 1 in N and D and needs at least two)`
            : '') +
          '.',
      );
  }
  // Is σ linear in d? The noise-corrected RMS error per distance bin, over d.
  lines.push('', '| dataset | d (mean) | cases | RMS error | RMS error / d |', '|---|---|---|---|---|');
  const edges = [0, 0.3, 0.5, 0.7, 0.9, 1.2, Infinity];
  for (const n of names)
    for (let b = 0; b + 1 < edges.length; b++) {
      const cs = cases[choice.pooled][n].filter((c) => c.distance >= edges[b] && c.distance < edges[b + 1]);
      if (!cs.length) continue;
      const rms = Math.sqrt(Math.max(0, cs.reduce((a, c) => a + c.error ** 2 - c.noise ** 2, 0) / cs.length));
      const d = cs.reduce((a, c) => a + c.distance, 0) / cs.length;
      lines.push(`| ${n} | ${d.toFixed(2)} | ${cs.length} | ${rms.toFixed(3)} | ${(rms / d).toFixed(3)} |`);
    }
  const equalWeight = names.reduce((a, n) => a + slope[n], 0) / names.length;
  lines.push(
    '',
    `Pooled slope (the default; every back-test case weighs the same, so the dataset with the most cases weighs most: ${names.map((n) => `${n} ${cases[choice.pooled][n].length}`).join(', ')}): ${pooledSlope.toFixed(3)}. For comparison, the mean of the per-dataset slopes (each dataset weighing the same): ${equalWeight.toFixed(3)}.`,
  );
  out.slope = { ...slope, fromOthers: slopeFromOthers, pooled: pooledSlope };

  // 2b. The slope left out: bench/slopeRule.ts's rule on each dataset's held-out Gaussian coverage.
  const heldOut = leaveOneDatasetOutSlope(cases[choice.pooled], pooledSlope);
  const rule = slopeRule(Object.values(heldOut), pooledSlope);
  lines.push(
    '',
    `Each dataset held out, s learnt on the others (bench/slopeRule.ts), beside the pooled s ${pooledSlope.toFixed(3)} (in-sample); Gaussian 95 % bound (noise and term):`,
    '',
    '| held out | s from the others | inside (held out) | inside, pooled s | without the term | interval score (held out) | interval score, pooled s |',
    '|---|---|---|---|---|---|---|',
  );
  for (const [n, r] of Object.entries(heldOut))
    lines.push(
      `| ${n} | ${r.slope.toFixed(3)} | ${r.inside}/${r.cases} (${pct(r.inside / r.cases)}) | ${r.insidePooled}/${r.cases} (${pct(r.insidePooled / r.cases)}) | ${r.without}/${r.cases} | ${r.intervalScore.toFixed(4)} | ${r.intervalScorePooled.toFixed(4)} |`,
    );
  lines.push(
    '',
    `Held-out coverage, every case pooled: ${pct(rule.pooledCoverage)} (each dataset weighing the same: ${pct(rule.equalWeightCoverage)}). Rule: ${rule.decision === 'kept' ? `within 5 points of 95 %, the pooled s ${pooledSlope.toFixed(3)} stays` : `more than 5 points from 95 %, the largest left-out s ${rule.largestLeftOut.toFixed(3)} ships`}; recorded decision: ${SLOPE_DECISION}.`,
  );
  out.slopeLeftOut = { heldOut, rule };
  if (args.includes('--write'))
    writeFileSync(
      SLOPE_RECORD,
      JSON.stringify({ heldOut, rule, pooledSlope, shipped: DOWNSTREAM_EXTRAPOLATION }, null, 1) + '\n',
    );
  out.coverage = coverage;

  // 3. Gadre et al.'s chain on the ladders that record validation losses (evidence, not a choice).
  const chain: Record<string, ReturnType<typeof chainBacktests>> = {};
  for (const n of names) {
    const withVal = sets[n].kept.filter(({ ladder }) =>
      ladder.runs.some((r) => r.checkpoints.some((c) => c.valLoss !== undefined)),
    );
    if (!withVal.length) continue;
    const c = chainBacktests(withVal, replicates);
    lines.push(
      '',
      `${n}, Gadre et al.'s chain (validation-loss law at N, D, then the exponential) on the same nested folds: mean |rel. error| ${pct(c.chain)} over ${c.cases} held-out runs (the two-step default on the same: ${pct(c.twoStep)})` +
        (c.of
          ? `; its 95 % interval (run bootstrap, noise, the shipped term) holds ${c.inside}/${c.of}, median width ${c.medianWidth.toFixed(3)}`
          : '') +
        (c.failedFolds ? `; ${c.failedFolds} folds could not be fitted` : '') +
        '.',
    );
    chain[n] = c;
  }
  out.chain = chain;

  const ok =
    shippedVariant === choice.pooled &&
    DOWNSTREAM_EXTRAPOLATION.toFixed(3) === rule.slope.toFixed(3) &&
    rule.decision === SLOPE_DECISION;
  lines.push(
    '',
    ok
      ? `The shipped defaults are the ones chosen here (step 2 "${choice.pooled}", slope ${DOWNSTREAM_EXTRAPOLATION}).`
      : `MISMATCH: shipped step 2 "${shippedVariant}", slope ${DOWNSTREAM_EXTRAPOLATION} and decision ${SLOPE_DECISION}; chosen "${choice.pooled}", ${rule.slope.toFixed(3)} and ${rule.decision}.`,
  );
  // The scores are means of relative errors: a held-out run judged in accuracy points (an actual below 0.10)
  // would mix units, so it is said (none of the three ladders has one).
  if (judgedInPoints)
    lines.push(
      '',
      `NOTE: ${judgedInPoints} held-out comparisons had an actual accuracy below 0.10 and count in accuracy points, not relative error (errorAgainstActual, docs/methods.md §33).`,
    );
  out.judgedInPoints = judgedInPoints;
  process.stdout.write(args.includes('--json') ? JSON.stringify(out, null, 2) + '\n' : lines.join('\n') + '\n');
  process.stderr.write(`${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  if (!ok) process.exitCode = 1;
}
