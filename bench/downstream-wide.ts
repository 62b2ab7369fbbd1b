/**
 * Downstream on a synthetic over-training ladder shaped like the ones users bring (docs/methods.md §33;
 * test/helpers/wideLadder.ts: 101 models of 11M–6.9B parameters at 20–640 tokens per parameter, one
 * evaluation each, a validation loss, 46 tasks with no task loss, each built predictable, noisy, near
 * chance or not monotone). Per seed, at the CLI's defaults (100 replicates): the screen's verdicts against
 * the construction, and the 95 % intervals of the held-out 6.9B runs — per predictable task by the direct
 * law in C, and for the average over all 46 tasks by the direct law and by Gadre et al.'s validation-loss
 * chain — against the observed and the noise-free accuracy. Nothing is tuned here.
 *
 *   node --import tsx bench/downstream-wide.ts              # seeds 1–5 (about a minute and a half on 2 cores)
 *   node --import tsx bench/downstream-wide.ts --seeds 1,2
 */
import { parseTaskMetrics, type TaskMetricData } from '../src/io/parseTaskMetrics.js';
import { analyseLadder, averageTask } from '../src/analyses/downstreamLadder.js';
import { wideLadder, type TaskKind } from '../test/helpers/wideLadder.js';

const arg = process.argv.indexOf('--seeds');
const seeds = (arg > 0 ? process.argv[arg + 1] : '1,2,3,4,5').split(',').map(Number);
const kinds: TaskKind[] = ['predictable', 'noisy', 'near chance', 'not monotone'];
const confusion = new Map<TaskKind, Map<string, number>>(kinds.map((k) => [k, new Map()]));
const perTask = { n: 0, observed: 0, truth: 0, widths: [] as number[], errors: [] as number[], lowMisses: 0 };
const average = { n: 0, direct: 0, directTruth: 0, chain: 0, chainTruth: 0 };
const inside = (x: number, [lo, hi]: readonly [number, number]) => lo <= x && x <= hi;

for (const seed of seeds) {
  const w = wideLadder({ seed });
  const set = parseTaskMetrics(w.csv, { source: `wide-${seed}.csv` });
  const targets = w.models.filter((m) => m.target);
  const data = (): TaskMetricData => ({
    source: set.source,
    sets: [set],
    records: set.records,
    roles: new Map(targets.map((m) => [m.model, 'target' as const])),
    tasks: [],
  });
  const options = { chance: w.chance, replicates: 100, seed };
  for (const a of analyseLadder(data(), options)) {
    const t = w.tasks.find((x) => x.task === a.task)!;
    const verdict = a.screen?.verdict ?? 'not screened';
    confusion.get(t.kind)!.set(verdict, (confusion.get(t.kind)!.get(verdict) ?? 0) + 1);
    if (t.kind !== 'predictable') continue;
    for (const r of a.targets) {
      if (!r.interval || !r.actual) continue;
      const m = targets.find((x) => x.model === r.label)!;
      perTask.n++;
      if (r.covered) perTask.observed++;
      else if (r.accuracy < r.actual.accuracy) perTask.lowMisses++;
      if (inside(t.accuracy(m.N, m.D), r.interval.accuracy)) perTask.truth++;
      perTask.widths.push(r.interval.accuracy[1] - r.interval.accuracy[0]);
      perTask.errors.push(Math.abs(r.relativeError!));
    }
  }
  const withMean = data();
  withMean.tasks = [averageTask(withMean, 'all', 'all')];
  for (const a of analyseLadder(withMean, { ...options, tasks: ['all'], validationLossChain: true })) {
    for (const r of a.targets) {
      const m = targets.find((x) => x.model === r.label)!;
      const truth = w.tasks.reduce((s, t) => s + t.accuracy(m.N, m.D), 0) / w.tasks.length;
      average.n++;
      if (r.covered) average.direct++;
      if (r.interval && inside(truth, r.interval.accuracy)) average.directTruth++;
      if (r.viaValLoss?.covered) average.chain++;
      if (r.viaValLoss?.interval && inside(truth, r.viaValLoss.interval.accuracy)) average.chainTruth++;
    }
  }
}

const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
console.log(`seeds ${seeds.join(', ')}: verdicts (rows: as built; columns: the screen's)`);
for (const k of kinds)
  console.log(`  ${k.padEnd(13)} ${[...confusion.get(k)!].map(([v, n]) => `${v} ${n}`).join(', ')}`);
console.log(
  `predictable tasks at the held-out 6.9B runs (direct law in C): the 95 % interval holds ${perTask.observed}/${perTask.n} observed accuracies, ${perTask.truth}/${perTask.n} noise-free ones; median width ${median(perTask.widths).toFixed(3)}; mean |relative error| ${((100 * perTask.errors.reduce((a, b) => a + b, 0)) / perTask.errors.length).toFixed(1)} %; missed, predicted too high ${perTask.n - perTask.observed - perTask.lowMisses}, too low ${perTask.lowMisses}`,
);
console.log(
  `the average over all tasks: direct in C holds ${average.direct}/${average.n} observed, ${average.directTruth}/${average.n} noise-free; from the validation loss ${average.chain}/${average.n} and ${average.chainTruth}/${average.n}`,
);
