/**
 * Benchmark: streaming import and fit of a million runs (issue 16, item 13). Not a test: it prints
 * seconds and peak memory against the targets (runs import of 1 M runs ≤ 30 s and ≤ 500 MB on 2
 * cores) and times `fit` on the same file.
 *
 *   node --import tsx bench/import-1m.ts                 # 1,000,000 rows, fit included
 *   node --import tsx bench/import-1m.ts --rows 200000 --no-fit
 *
 * Files: a CSV of 1 M runs (N, D, loss), the same as JSONL, and a CSV of 1 M checkpoints of
 * 10,000 named runs (training curves). Each command runs as its own process, as a user runs it;
 * its peak RSS and CPU time come from test/fixtures/peak-rss.mjs. Exits 1 when a target is missed.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomSource } from '../src/core/random.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const flag = (name: string) => process.argv.indexOf(name);
const rows = flag('--rows') > 0 ? Number(process.argv[flag('--rows') + 1]) : 1_000_000;
const withFit = flag('--no-fit') < 0;
const fitTimeout = flag('--fit-timeout') > 0 ? Number(process.argv[flag('--fit-timeout') + 1]) : 1800;
const dir = mkdtempSync(join(tmpdir(), 'scalelab-bench-import-'));

/** Write `count` lines made by `line(i)` through a stream (the generator must not hold the file either). */
async function generate(path: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  if (header) out.write(header + '\n');
  let buf = '';
  for (let i = 0; i < count; i++) {
    buf += line(i) + '\n';
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  await new Promise<void>((resolve, reject) => out.end(buf, () => resolve()).on('error', reject));
}

// A Chinchilla world (Hoffmann et al.'s Eq. 10 constants) with 1 % noise, sizes log-uniform.
const random = randomSource(16);
const chinchilla = (N: number, D: number) => 1.69 + 406.4 / N ** 0.34 + 410.7 / D ** 0.28;
const logUniform = (lo: number, hi: number) => Math.exp(Math.log(lo) + random() * Math.log(hi / lo));
const run = () => {
  const N = logUniform(1e7, 1e10),
    D = logUniform(1e9, 1e12);
  return {
    N: N.toPrecision(9),
    D: D.toPrecision(9),
    loss: (chinchilla(N, D) * (1 + 0.01 * (random() - 0.5))).toPrecision(7),
  };
};
const files = {
  runsCsv: join(dir, 'runs-1m.csv'),
  runsJsonl: join(dir, 'runs-1m.jsonl'),
  curvesCsv: join(dir, 'curves-1m.csv'),
};
console.log(
  `machine: ${availableParallelism()} cores, node ${process.version}; ${rows.toLocaleString('en')} rows; files in ${dir}`,
);
const t = performance.now();
await generate(files.runsCsv, 'N,D,loss', rows, () => {
  const r = run();
  return `${r.N},${r.D},${r.loss}`;
});
await generate(files.runsJsonl, '', rows, () => {
  const r = run();
  return `{"N": ${r.N}, "D": ${r.D}, "loss": ${r.loss}}`;
});
const perRun = 100;
await generate(files.curvesCsv, 'run,N,D,loss,step', rows, (i) => {
  const id = Math.floor(i / perRun),
    k = (i % perRun) + 1;
  const N = 1e7 * 1.0007 ** id,
    D = 1e8 * k;
  return `run-${id},${N.toPrecision(9)},${D},${chinchilla(N, D).toPrecision(7)},${k * 100}`;
});
const size = (p: string) => `${(statSync(p).size / 1024 / 1024).toFixed(0)} MiB`;
console.log(
  `generated in ${((performance.now() - t) / 1000).toFixed(1)} s: ${size(files.runsCsv)} CSV, ${size(files.runsJsonl)} JSONL, ${size(files.curvesCsv)} CSV of curves\n`,
);

interface Measured {
  code: number;
  seconds: number;
  cpu: number;
  peakMb: number;
  stdout: string;
  stderr: string;
}

/** Run `scalelab ARGS` as its own process and measure it. */
function measure(args: string[], timeoutS = 600): Promise<Measured> {
  const start = performance.now();
  const p = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', `${root}test/fixtures/peak-rss.mjs`, `${root}src/cli/run.ts`, ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '',
    stderr = '';
  p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => p.kill('SIGKILL'), timeoutS * 1000);
  return new Promise((resolve) =>
    p.on('exit', (code) => {
      clearTimeout(timer);
      const m = /peak-rss-kb=(\d+) cpu-s=([\d.]+)/.exec(stderr);
      resolve({
        code: code ?? -1,
        seconds: (performance.now() - start) / 1000,
        cpu: m ? Number(m[2]) : NaN,
        peakMb: m ? Number(m[1]) / 1024 : NaN,
        stdout,
        stderr,
      });
    }),
  );
}

const results: [string, Measured, string][] = [];
const targets = (m: Measured) =>
  m.seconds <= 30 && m.peakMb <= 500 ? 'targets ≤ 30 s, ≤ 500 MB: met' : 'targets ≤ 30 s, ≤ 500 MB: NOT met';
for (const [label, file] of [
  ['runs import, CSV of runs', files.runsCsv],
  ['runs import, JSONL of runs', files.runsJsonl],
  ['runs import, CSV of curves', files.curvesCsv],
] as const) {
  const db = join(dir, `${label.replace(/\W+/g, '-')}.db`);
  const first = await measure(['runs', 'import', file, '--db', db, '--json']);
  const counts =
    first.code === 0
      ? (JSON.parse(first.stdout).files[0] as { runs: number; checkpoints: number; skipped: number })
      : undefined;
  results.push([
    label,
    first,
    counts
      ? `${counts.runs} runs, ${counts.checkpoints} checkpoints; ${targets(first)}`
      : `exit ${first.code}: ${first.stderr.trim().split('\n')[0]}`,
  ]);
  const again = await measure(['runs', 'import', file, '--db', db, '--json']);
  const c2 = again.code === 0 ? (JSON.parse(again.stdout).files[0] as { runs: number; skipped: number }) : undefined;
  results.push([
    `  again (adds nothing)`,
    again,
    c2 ? `${c2.runs} runs added, ${c2.skipped} already there` : `exit ${again.code}`,
  ]);
  console.log(
    results
      .slice(-2)
      .map(
        ([l, m, note]) =>
          `${l.padEnd(30)} ${m.seconds.toFixed(1).padStart(6)} s  cpu ${m.cpu.toFixed(1).padStart(6)} s  peak ${m.peakMb.toFixed(0).padStart(5)} MB  ${note}`,
      )
      .join('\n'),
  );
}
if (withFit) {
  const fit = await measure(['fit', files.runsCsv, '--json'], fitTimeout);
  const note =
    fit.code === 0
      ? `objective ${JSON.parse(fit.stdout).objective.toExponential(4)}, ${JSON.parse(fit.stdout).points} runs`
      : `exit ${fit.code}: ${fit.stderr.trim().split('\n')[0].slice(0, 160)}`;
  results.push(['fit, CSV of runs', fit, note]);
  console.log(
    `${'fit, CSV of runs'.padEnd(30)} ${fit.seconds.toFixed(1).padStart(6)} s  cpu ${fit.cpu.toFixed(1).padStart(6)} s  peak ${fit.peakMb.toFixed(0).padStart(5)} MB  ${note}`,
  );
}
rmSync(dir, { recursive: true, force: true });
const missed = results.filter(
  ([l, m]) => l.startsWith('runs import') && (m.code !== 0 || m.seconds > 30 || m.peakMb > 500),
);
if (missed.length) {
  console.log(`\n${missed.length} import(s) missed a target`);
  process.exitCode = 1;
}
