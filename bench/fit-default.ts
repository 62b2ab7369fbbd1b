/**
 * How long the default fit takes on the 240 Chinchilla runs: `--procedure auto` (three published
 * recipes, fitted and averaged) against a single recipe in the same process, and the whole
 * `scalelab fit examples/chinchilla.csv` command (built CLI, a fresh process each time) against a
 * bare `node -e 0` start. Target: the command under 1 s on this project's 2-core machine.
 *
 *   npm run build && node --import tsx bench/fit-default.ts [--repeat 7]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readRuns } from '../src/io/readRuns.js';
import { chooseProcedure } from '../src/fit/auto.js';
import { fitCandidate } from '../src/fit/candidate.js';
import { getProcedure } from '../src/fit/procedures.js';
import { median } from '../src/core/statistics.js';

const root = fileURLToPath(new URL('../', import.meta.url));
// `--repeat N`, 7 by default (an absent flag must not read argv[0], the node binary, as N).
const repeatAt = process.argv.indexOf('--repeat');
const repeat = repeatAt >= 0 ? Number(process.argv[repeatAt + 1]) : 7;
if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat takes a whole number of at least 1`);
const data = readRuns(`${root}examples/chinchilla.csv`);

function timeIt(fn: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage(),
    t0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

function command(args: string[]): { wall: number; cpu: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, ...args], { cwd: root, encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  const [u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { wall, cpu: u + s };
}

// Warm up the JIT once, then time.
chooseProcedure(data);
const auto = Array.from({ length: repeat }, () => timeIt(() => chooseProcedure(data)));
const huber = Array.from({ length: repeat }, () => timeIt(() => fitCandidate(data, getProcedure('huber'))));
const lines = [
  `library, in one process (median of ${repeat} after a warm-up):`,
  `  auto (3 recipes)      ${median(auto.map((t) => t.wall)).toFixed(3)} s wall, ${median(auto.map((t) => t.cpu)).toFixed(3)} s CPU`,
  `  huber alone           ${median(huber.map((t) => t.wall)).toFixed(3)} s wall  (auto / huber = ${(median(auto.map((t) => t.wall)) / median(huber.map((t) => t.wall))).toFixed(2)}×)`,
];
if (existsSync(`${root}dist/cli/main.js`)) {
  const cli = Array.from({ length: repeat }, () => command(['bin/scalelab.js', 'fit', 'examples/chinchilla.csv']));
  const bare = Array.from({ length: repeat }, () => command(['-e', '0']));
  const wall = median(cli.map((t) => t.wall));
  lines.push(
    `command, a fresh process each time (median of ${repeat}):`,
    `  scalelab fit examples/chinchilla.csv   ${wall.toFixed(3)} s wall, ${median(cli.map((t) => t.cpu)).toFixed(3)} s CPU`,
    `  node -e 0 (baseline)                   ${median(bare.map((t) => t.wall)).toFixed(3)} s wall  (fit / bare node = ${(wall / median(bare.map((t) => t.wall))).toFixed(1)}×)`,
    `  target < 1 s: ${wall < 1 ? 'met' : 'MISSED'}`,
  );
  if (wall >= 1) process.exitCode = 1;
} else {
  lines.push('(dist/ not built: run "npm run build" to time the command too)');
}
process.stdout.write(lines.join('\n') + '\n');
