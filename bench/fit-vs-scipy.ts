/**
 * Benchmark: ScaleLab's Chinchilla fit against scipy's L-BFGS-B with exact gradients, on Epoch's
 * 240 runs and Hoffmann et al.'s 4,500-point start grid, measured in one command.
 *
 *   npm run bench               # scipy on every 10th start (450), per-start time × 4,500
 *   npm run bench -- --every 1  # scipy on the full grid (about a minute)
 *
 * Prints ratios against the scipy baseline and whether the targets of issue #2 hold:
 * full grid ≥ 5× faster, default fit ≥ 50× faster than scipy's full grid, 1,000-replicate
 * bootstrap < 5 s.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { readRuns } from '../src/io/readRuns.js';
import { chinchilla } from '../src/laws/index.js';
import { fit } from '../src/fit/fit.js';
import { bootstrapParallel, fitParallel } from '../src/node/parallel.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const data = `${root}examples/chinchilla.csv`;
const everyFlag = process.argv.indexOf('--every');
const every = everyFlag > 0 ? Number(process.argv[everyFlag + 1]) : 10;

const seconds = async (fn: () => unknown | Promise<unknown>, repeat = 1): Promise<number> => {
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    await fn();
    times.push((performance.now() - t) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
};

console.log(`machine: ${availableParallelism()} cores, node ${process.version}`);
console.log(`scipy baseline: L-BFGS-B, exact gradients, every ${every}th start of the 4,500-point grid …`);
const scipy = JSON.parse(execFileSync('python3', [`${root}bench/scipy_chinchilla.py`, data, String(every)], { encoding: 'utf8' }));
const scipyFull = scipy.secondsPerStart * scipy.grid;
console.log(`  ${scipy.starts} starts in ${scipy.seconds.toFixed(2)} s (${(scipy.secondsPerStart * 1000).toFixed(2)} ms/start) → full grid ${scipyFull.toFixed(1)} s; objective ${scipy.objective.toExponential(7)}`);

const dataset = readRuns(data);
let gridObjective = NaN, autoObjective = NaN;
const gridParallel = await seconds(async () => {
  gridObjective = (await fitParallel(chinchilla, dataset, { init: 'hoffmann' })).objective;
});
const gridSerial = await seconds(() => fit(chinchilla, dataset, { init: 'hoffmann' }));
const auto = await seconds(() => {
  autoObjective = fit(chinchilla, dataset).objective;
}, 5);
const best = fit(chinchilla, dataset);
const boot = await seconds(() => bootstrapParallel(best, {}, 1000, 0));

const rows: [string, string, string, string][] = [
  ['full 4,500-start grid, worker threads', `${gridParallel.toFixed(2)} s`, `${(scipyFull / gridParallel).toFixed(1)}×`, scipyFull / gridParallel >= 5 ? 'target ≥ 5×: met' : 'target ≥ 5×: NOT met'],
  ['full 4,500-start grid, one thread', `${gridSerial.toFixed(2)} s`, `${(scipyFull / gridSerial).toFixed(1)}×`, ''],
  ['default fit (auto init), median of 5', `${(auto * 1000).toFixed(0)} ms`, `${(scipyFull / auto).toFixed(0)}×`, scipyFull / auto >= 50 ? 'target ≥ 50×: met' : 'target ≥ 50×: NOT met'],
  ['1,000-replicate bootstrap', `${boot.toFixed(2)} s`, '', boot < 5 ? 'target < 5 s: met' : 'target < 5 s: NOT met'],
];
console.log('\nScaleLab (ratio = scipy full grid time / ScaleLab time)');
for (const r of rows) console.log(`  ${r[0].padEnd(40)} ${r[1].padStart(9)} ${r[2].padStart(7)}   ${r[3]}`);
const same = Math.abs(gridObjective / scipy.objective - 1) < 1e-9 && Math.abs(autoObjective / scipy.objective - 1) < 1e-9;
console.log(`\nsame optimum as scipy: ${same ? 'yes' : 'NO'} (grid ${gridObjective.toExponential(9)}, auto ${autoObjective.toExponential(9)}, scipy ${scipy.objective.toExponential(9)})`);
