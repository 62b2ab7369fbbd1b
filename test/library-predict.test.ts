// The library's fit and prediction interval are the CLI's: `scalelab fit --bootstrap N --out` then
// `scalelab predict --fit --json` against fitByProcedure and predictFromFit on the same runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scalelab, root } from './helpers/cli.js';
import {
  fitByProcedure,
  loadCurveFit,
  lrSequence,
  parseSchedule,
  predictFromFit,
  predictWithIntervals,
  type FitJson,
} from '../src/index.js';
import { readRuns, parallelRunners } from '../src/node/index.js';

test('fitByProcedure + predictFromFit give the numbers of scalelab fit --bootstrap and predict --json', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-libpredict-'));
  try {
    const file = join(root, 'examples/chinchilla.csv');
    const out = join(dir, 'fit.json');
    const fitted = scalelab(['fit', file, '--bootstrap', '20', '--out', out]);
    assert.equal(fitted.code, 0, fitted.stderr);
    const point = { N: 1e11, D: 3e12 };
    const cli = scalelab(['predict', '--fit', out, '--N', '1e11', '--D', '3e12', '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    const expected = cli.json();

    const lib: FitJson = await fitByProcedure('auto', readRuns(file), {
      runners: parallelRunners({ threads: 1 }),
      replicates: 20,
    });
    const saved = JSON.parse(readFileSync(out, 'utf8')) as FitJson;
    assert.deepEqual(lib.params, saved.params);
    for (const fit of [lib, saved]) {
      const p = predictFromFit(fit, point);
      assert.equal(p.loss, expected.loss);
      assert.deepEqual(p.interval, expected.interval);
      assert.deepEqual(p.lawInterval, expected.lawInterval);
      assert.equal(p.replicates, expected.replicates);
      assert.deepEqual(p.members, expected.members);
      assert.deepEqual(p.extrapolation, expected.extrapolation);
      assert.deepEqual(
        p.warnings.map((w) => `${w.severity} ${w.code}`),
        expected.warnings.map((w: { severity: string; code: string }) => `${w.severity} ${w.code}`),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadCurveFit + predictWithIntervals give the numbers of scalelab curve-law predict --json', () => {
  // A fit saved by curve-law fit --out (two sizes, 200 replicates each, checkpoints to step 1000).
  const path = join(root, 'examples/studies/moby-curves/fit-multi-power.json');
  const target = ['--schedule', 'cosine', '--steps', '4000', '--peak-lr', '5.7e-3', '--warmup-steps', '50'];
  const cli = scalelab(['curve-law', 'predict', '--curve-fit', path, '--N', '100096', ...target, '--json']);
  assert.equal(cli.code, 0, cli.stderr);
  const expected = cli.json();
  assert.equal(expected.extrapolation.applied, true); // 4,000 steps: beyond the fitted checkpoints

  const file = loadCurveFit(readFileSync(path, 'utf8'), path);
  const g = file.fits.find((x) => x.N === 100096)!;
  assert.deepEqual(g.extrapolation, { slope: expected.extrapolation.slope, reach: expected.extrapolation.reach });
  const schedule = parseSchedule(
    { kind: 'cosine', peakLr: 5.7e-3, steps: 4000, warmupSteps: 50, minLrFrac: 0.1 },
    { file: 'test' },
  );
  const p = predictWithIntervals(
    g.fit,
    { lrs: lrSequence(schedule), warmupSteps: 50 },
    [4000],
    g.bootstrap,
    0.95,
    1,
    g.extrapolation,
  );
  assert.equal(p.loss[0], expected.final.loss);
  assert.deepEqual(p.interval![0], expected.final.interval);
  assert.deepEqual(p.lawInterval![0], expected.final.lawInterval);
});
