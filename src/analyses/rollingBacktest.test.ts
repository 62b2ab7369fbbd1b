import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseRuns } from '../io/parseRuns.js';
import { chinchilla, predictLoss } from '../laws/index.js';
import { rollingBacktest } from './rollingBacktest.js';
import { backtestReport } from '../report/text/backtest.js';
import { rollingCutoffs, splitAt, trainingRuns } from '../io/rollingOrigin.js';
import { randomSource, normal } from '../core/random.js';
import type { Dataset, Run } from '../io/dataset.js';

const truth = { E: 1.8, A: 400, B: 2000, alpha: 0.34, beta: 0.37 };

/** Checkpoint curves: 8 model sizes, each run 5 checkpoints along its tokens, one offset per run. */
function curves(seed = 1): Dataset {
  const random = randomSource(seed, 9);
  const runs: Run[] = [];
  [3e7, 6e7, 1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9].forEach((N, k) => {
    const offset = 0.01 * normal(random);
    for (const f of [0.2, 0.4, 0.6, 0.8, 1]) {
      const D = 20 * N * f;
      runs.push({
        N,
        D,
        C: 6 * N * D,
        loss: predictLoss(chinchilla, truth, { N, D }) * Math.exp(offset + 0.001 * normal(random)),
        run: `m${k}`,
        line: runs.length + 2,
      });
    }
  });
  return { source: 'curves.csv', runs, columns: { N: 'N', D: 'D', loss: 'loss', run: 'run' }, derived: { C: '6ND' } };
}

test("rolling cutoffs keep a run's checkpoints on one side and score held-out runs at their final checkpoint", () => {
  const data = curves();
  const runs = trainingRuns(data, 'N');
  assert.equal(runs.length, 8);
  assert.ok(runs.every((r) => r.rows.length === 5 && r.final.D === 20 * r.final.N!));
  const cutoffs = rollingCutoffs(runs, { folds: 3, minFitRuns: 3 });
  assert.deepEqual(cutoffs, [1e8, 4e8, 1.6e9]);
  const split = splitAt(data, runs, 'N', 4e8);
  assert.equal(split.fitRuns, 5);
  assert.equal(split.fit.runs.length, 25, 'every checkpoint of the five smallest runs');
  assert.deepEqual(
    split.heldOut.map((r) => r.final.N),
    [8e8, 1.6e9, 3.2e9],
  );
  assert.ok(split.fit.runs.every((r) => r.N! <= 4e8));
});

test("back-test on Epoch's Chinchilla runs: errors grow with the extrapolation ratio, intervals are reported", () => {
  const data = parseRuns(readFileSync(new URL('../../examples/chinchilla.csv', import.meta.url), 'utf8'), {
    source: 'examples/chinchilla.csv',
  });
  const r = rollingBacktest(data, { procedures: ['auto', 'huber'], folds: 2, minFitRuns: 60, replicates: 30, seed: 1 });
  assert.equal(r.cutoffs.length, 2);
  for (const s of r.summaries) {
    assert.equal(s.failures.length, 0);
    assert.equal(
      s.predictions,
      r.cutoffs.reduce((a, c) => a + c.heldOut, 0),
    );
    assert.ok(
      s.meanAbsRelativeError > 0.001 && s.meanAbsRelativeError < 0.05,
      `${s.procedure}: mean error ${s.meanAbsRelativeError}`,
    );
    assert.ok(s.worstAbsRelativeError >= s.meanAbsRelativeError);
    assert.ok(s.coverage['0.95'] >= s.coverage['0.8'], 'a 95 % interval holds its 80 % interval');
  }
  for (const p of r.predictions) {
    assert.ok(p.computeRatio > 1 || p.ratio > 1, 'held-out runs lie above the cutoff');
    const [lo, hi] = p.intervals['0.95'];
    assert.ok(lo < p.predicted && p.predicted < hi);
    assert.equal(p.covered['0.95'], p.actual >= lo && p.actual <= hi);
  }
  const auto = r.summaries.find((s) => s.procedure === 'auto')!;
  assert.equal(auto.choices!.length, 2);
  // The first ratio bin (1–3×) is nearer than the last: its mean error is smaller for huber.
  const bins = r.bins.filter((b) => b.byProcedure.huber);
  assert.ok(
    bins[0].byProcedure.huber.meanAbsRelativeError < bins[bins.length - 1].byProcedure.huber.meanAbsRelativeError,
  );
});

test('back-test refuses data it cannot split, naming the file', () => {
  const data = curves();
  const few = { ...data, runs: data.runs.filter((r) => r.N! < 1e8) };
  assert.throws(
    () => rollingBacktest(few, { by: 'N', replicates: 0 }),
    /curves\.csv: 2 training runs: a back-test needs at least 6 runs below a cutoff/,
  );
});

/**
 * Cooldown branches: one trunk per size, three branches each at 30, 55 and 100 % of 20 tokens per
 * parameter, all the branches of a trunk sharing its offset (`lineage` names the trunk).
 */
function branches(lineages = true): Dataset {
  const random = randomSource(3, 9);
  const runs: Run[] = [];
  [3e7, 6e7, 1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9].forEach((N, k) => {
    const offset = 0.02 * normal(random);
    for (const f of [0.3, 0.55, 1]) {
      const D = 20 * N * f;
      runs.push({
        N,
        D,
        C: 6 * N * D,
        loss: predictLoss(chinchilla, truth, { N, D }) * Math.exp(offset + 0.001 * normal(random)),
        run: `t${k}-${f}`,
        ...(lineages ? { lineage: `t${k}` } : {}),
        line: runs.length + 2,
      });
    }
  });
  return {
    source: 'branches.csv',
    runs,
    columns: { N: 'N', D: 'D', C: 'C', loss: 'loss', run: 'run', ...(lineages ? { lineage: 'trunk' } : {}) },
    derived: {},
  };
}

test('a split in C never fits a branch of a trunk whose other branch it predicts: the lineage is left out whole', () => {
  const data = branches();
  const runs = trainingRuns(data, 'C');
  const cutoffs = rollingCutoffs(runs, { folds: 4, minFitRuns: 6 });
  assert.ok(cutoffs.length >= 2);
  let withheld = 0;
  for (const cutoff of cutoffs) {
    const split = splitAt(data, runs, 'C', cutoff);
    const fitted = new Set(split.fit.runs.map((r) => r.lineage));
    assert.ok(
      split.heldOut.every((r) => !fitted.has(r.lineage)),
      `C ≤ ${cutoff}: a held-out branch's trunk is in the fit set`,
    );
    // Held out: every run above the cutoff, as without lineages; withheld: the rest of their lineages.
    assert.ok(split.heldOut.every((r) => r.position > cutoff));
    assert.ok(split.withheld.every((r) => r.position <= cutoff && fitted.has(r.lineage) === false));
    assert.equal(split.fitRuns + split.heldOut.length + split.withheld.length, runs.length);
    withheld += split.withheld.length;
  }
  assert.ok(withheld > 0, 'the data have branches on both sides of a cutoff (else this test shows nothing)');
  // Without the lineage column the same cutoffs split trunks (the leak this rule closes).
  const plain = branches(false);
  const plainRuns = trainingRuns(plain, 'C');
  const leaks = cutoffs.some((cutoff) => {
    const split = splitAt(plain, plainRuns, 'C', cutoff);
    const trunks = new Set(split.fit.runs.map((r) => r.run!.split('-')[0]));
    return split.heldOut.some((r) => trunks.has(r.final.run!.split('-')[0]));
  });
  assert.ok(leaks);
});

test("a checkpoint row with a blank lineage is in its run's lineage, as the fit reads it; another lineage is still refused", () => {
  // Every branch given two checkpoints (half and all of its tokens); one checkpoint of t2's first branch blank.
  const data = branches();
  const runs: Run[] = data.runs.flatMap((r) => [{ ...r, D: r.D! / 2, C: r.C! / 2, loss: r.loss * 1.05 }, r]);
  runs.forEach((r, i) => (r.line = i + 2));
  const blank = runs.map((r) => r.run).lastIndexOf('t2-0.3'); // its final checkpoint; the first is named
  const { lineage: _dropped, ...unnamed } = runs[blank];
  void _dropped;
  runs[blank] = unnamed;
  const withBlank = { ...data, runs };
  const t2 = trainingRuns(withBlank, 'C').find((r) => r.final.run === 't2-0.3')!;
  assert.equal(t2.lineage, 't2');
  // The back-test runs, its lineage rule intact, and says why its bootstrap draws runs (as the fit does).
  const r = rollingBacktest(withBlank, { by: 'C', procedures: ['huber'], replicates: 2, folds: 2 });
  assert.equal(r.lineages, 8);
  assert.equal(r.unit, 'run');
  assert.match(r.lineagesNotDrawn ?? '', /^1 of 48 rows name no lineage \(column "trunk"\)/);
  // Said as data, a trust warning with its code, and printed from there.
  assert.deepEqual(r.warnings, [{ code: 'lineage', severity: 'warning', message: r.lineagesNotDrawn }]);
  assert.ok(backtestReport(r).includes(`\nWarning: ${r.lineagesNotDrawn}.\n`));
  // Lineages drawn (every row names one): nothing to say.
  assert.deepEqual(rollingBacktest(data, { by: 'C', procedures: ['huber'], replicates: 2, folds: 2 }).warnings, []);
  // A row naming another lineage than its run's other rows is a contradiction, named.
  runs[blank] = { ...unnamed, lineage: 't5' };
  assert.throws(
    () => trainingRuns({ ...data, runs }, 'C'),
    new RegExp(
      `branches\\.csv:${blank + 2} \\(column "trunk"\\): run "t2-0\\.3" is in lineage "t5" here and "t2" at line ${blank + 1}`,
    ),
  );
});

test("a held-out branch's prediction does not depend on the withheld branches of its trunk", () => {
  const options = { by: 'C' as const, procedures: ['huber'], replicates: 0, folds: 3 };
  const data = branches();
  const r = rollingBacktest(data, options);
  assert.equal(r.lineages, 8);
  assert.ok(r.cutoffs.some((c) => c.withheld > 0));
  // At each cutoff that withholds runs (below it, in a lineage with a run above it), their loss made
  // half as large again leaves every prediction as it was.
  for (const c of r.cutoffs.filter((x) => x.withheld > 0)) {
    const runs = trainingRuns(data, 'C');
    const split = splitAt(data, runs, 'C', c.cutoff);
    const ids = new Set(split.withheld.flatMap((w) => w.rows));
    const perturbed: Dataset = { ...data, runs: data.runs.map((x) => (ids.has(x) ? { ...x, loss: x.loss * 1.5 } : x)) };
    const again = rollingBacktest(perturbed, { ...options, cutoffs: [c.cutoff] });
    const before = r.predictions.filter((p) => p.cutoff === c.cutoff);
    assert.deepEqual(
      again.predictions.map((p) => p.predicted),
      before.map((p) => p.predicted),
    );
    // Without lineages the same change moves the predictions: those runs were in the fit set.
    const plain = { ...perturbed, runs: perturbed.runs.map(({ lineage: _, ...x }) => x) };
    const leaky = rollingBacktest(plain, { ...options, cutoffs: [c.cutoff] });
    assert.notDeepEqual(
      leaky.predictions.map((p) => p.predicted),
      before.map((p) => p.predicted),
    );
  }
});

test('checkpoint rows (a step column) without a run column are warned about, as fit and frontier warn; named runs are not', async () => {
  const { backtestReport } = await import('../report/text/backtest.js');
  const named = curves();
  const options = { by: 'N' as const, folds: 2, minFitRuns: 3, procedures: ['huber'], replicates: 0 };
  const withSteps = (ds: Dataset, keepRun: boolean): Dataset => ({
    ...ds,
    runs: ds.runs.map((r, i) => {
      const { run, ...rest } = r;
      return { ...rest, ...(keepRun ? { run } : {}), step: (i % 5) + 1 };
    }),
  });
  const unnamed = rollingBacktest(withSteps(named, false), options);
  assert.match(
    unnamed.warnings.find((w) => w.code === 'checkpoints')?.message ?? '',
    /step column but no run column: each checkpoint is fitted and scored as a run of its own/,
  );
  assert.match(
    backtestReport(unnamed, (o) => `--${o}`),
    /\nWarning: the rows have a step column .*map one with --columns run=NAME\)\./,
  );
  assert.deepEqual(rollingBacktest(withSteps(named, true), options).warnings, []);
});

test('runs that did not finish (a state column) are fitted as logged and named in a warning', () => {
  const data = branches();
  const crashed = data.runs[3].run!;
  const runs: Run[] = data.runs.map((r) => ({ ...r, state: r.run === crashed ? 'crashed' : 'finished' }));
  const options = { by: 'C' as const, procedures: ['huber'], replicates: 0, folds: 2 };
  const r = rollingBacktest({ ...data, runs, columns: { ...data.columns, state: 'State' } }, options);
  const w = r.warnings.find((x) => x.code === 'unfinished-runs');
  assert.equal(w?.severity, 'warning');
  assert.match(w?.message ?? '', new RegExp(`^1 run did not finish \\(column "State"\\), crashed: "${crashed}"`));
  // No row is dropped: the back-test is the one of the same rows without a state.
  assert.deepEqual(
    r.predictions.map((p) => p.relativeError),
    rollingBacktest(data, options).predictions.map((p) => p.relativeError),
  );
});
