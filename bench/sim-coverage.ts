/**
 * Interval calibration in the simulated lab: the study loop (learning-rate probe, IsoFLOP sweep) on
 * the default world under different noise seeds, then the recommended run for the target trained in
 * the same world. How often does its loss fall inside the 80 % and 95 % prediction intervals of the
 * default procedure (fit/auto.ts, bootstrap over whole runs, a run's scatter, the extrapolation
 * term)? Beside it, for contrast, the interval ScaleLab gave before: the Huber fit's bootstrap
 * percentile interval of the law alone.
 *
 *   node --import tsx bench/sim-coverage.ts [--seeds 20] [--replicates 100]
 */
import { loadWorld } from '../src/lab/loadWorld.js';
import { simulate } from '../src/lab/simulate.js';
import { worldArchitecture, worldCostModel } from '../src/experiments/worldCostModel.js';
import { runStudy, type Executor } from '../src/experiments/study.js';
import { chooseProcedure, choiceMembers } from '../src/fit/auto.js';
import { predictEnsemble } from '../src/fit/candidate.js';
import type { World } from '../src/lab/world.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i >= 0 ? process.argv[i + 1] : fallback);
};
const seeds = arg('seeds', '20');
const replicates = arg('replicates', '100');
const base = loadWorld();
const covered = { '0.8': 0, '0.95': 0, huber95: 0 };
const errors: number[] = [];
const started = performance.now();
for (let s = 1; s <= seeds; s++) {
  const world: World = { ...base, seed: base.seed + 1000 * s };
  const executor: Executor = {
    async execute(runs) {
      return runs.map((run) => {
        const r = simulate(world, run.config);
        return { run, status: r.status, finalLoss: r.finalLoss, evals: r.evals, seconds: r.seconds, reason: r.reason };
      });
    },
  };
  const study = await runStudy(executor, {
    targetSeconds: 48 * 3600,
    experimentSeconds: 12 * 3600,
    cost: worldCostModel(world),
    architecture: worldArchitecture(world),
    bootstrap: replicates,
    seed: s,
  });
  const { N, D, config } = study.recommendation;
  const observed = simulate(world, config).finalLoss!;
  const choice = chooseProcedure(study.dataset, { replicates, seed: s });
  const maxC = Math.max(...study.dataset.runs.map((r) => r.C!));
  const p = predictEnsemble(choiceMembers(choice), { N, D }, [0.8, 0.95], { maxC });
  for (const level of ['0.8', '0.95'] as const) {
    const [lo, hi] = p.intervals[level];
    if (observed >= lo && observed <= hi) covered[level]++;
  }
  // The Huber fit's law interval alone (the study's interval before this change): the study's own bootstrap.
  const hub = choice.fits[0];
  if (!('error' in hub) && hub.samples) {
    const law = predictEnsemble(
      [
        {
          id: 'huber',
          law: hub.law,
          params: hub.result.params,
          replicates: choiceMembers(choice)[0].replicates,
          noise: [],
          weight: 1,
        },
      ],
      { N, D },
      [0.95],
      { extrapolationScale: 0 },
    );
    const [lo, hi] = law.lawIntervals['0.95'];
    if (observed >= lo && observed <= hi) covered.huber95++;
  }
  errors.push(p.value / observed - 1);
  process.stderr.write(
    `seed ${s}: predicted ${p.value.toFixed(4)} [${p.intervals['0.95'].map((x) => x.toFixed(4)).join(', ')}], observed ${observed.toFixed(4)} at ${((6 * N * D) / maxC).toFixed(1)}× the largest budget\n`,
  );
}
const pct = (k: number) => `${((100 * k) / seeds).toFixed(0)} %`;
process.stdout.write(
  [
    `Simulated lab (worlds/default.json, ${seeds} noise seeds; 12-hour sweep, 48-hour target; ${replicates} bootstrap replicates):`,
    `  default procedure, prediction intervals: 80 % cover ${covered['0.8']}/${seeds} (${pct(covered['0.8'])}), 95 % cover ${covered['0.95']}/${seeds} (${pct(covered['0.95'])})`,
    `  Huber fit, law interval alone (before):  95 % cover ${covered.huber95}/${seeds} (${pct(covered.huber95)})`,
    `  mean |predicted/observed − 1| ${((100 * errors.reduce((a, e) => a + Math.abs(e), 0)) / seeds).toFixed(2)} %, bias ${((100 * errors.reduce((a, e) => a + e, 0)) / seeds).toFixed(2)} %`,
    `(${((performance.now() - started) / 1000).toFixed(0)} s)`,
  ].join('\n') + '\n',
);
