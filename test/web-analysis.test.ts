/**
 * The web app's worker functions in Node (no browser): a fit by procedure — auto's candidates, a
 * fixed recipe, a custom law — gives what `scalelab fit` gives, with structured trust warnings and
 * without the back-test; the back-test runs on its own, with progress and coverage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRuns } from '../src/io/parseRuns.js';
import { InputError } from '../src/errors/index.js';
import { runAnalysis, runBacktest } from '../web/src/worker/analysis.js';
import { defaultBacktestSettings, defaultSettings } from '../web/src/worker/protocol.js';
import { fromPlain, toPlain } from '../web/src/worker/candidates.js';
import { chooseProcedure, defaultAutoRule } from '../src/fit/auto.js';
import { fitCandidate } from '../src/fit/candidate.js';
import { getProcedure } from '../src/fit/procedures.js';
import { root, scalelab } from './helpers/cli.js';

const chinchillaFile = join(root, 'examples', 'chinchilla.csv');
const chinchilla = parseRuns(readFileSync(chinchillaFile, 'utf8'), { source: 'examples/chinchilla.csv' });

test("the default fit is procedure auto: three candidates of equal weight, the law shown huber's, no back-test with it", () => {
  assert.equal(defaultSettings.procedure, 'auto');
  const out = runAnalysis(chinchilla, defaultSettings);
  const p = out.fit.procedure!;
  assert.equal(p.id, 'auto');
  assert.equal(p.chosen, 'huber');
  assert.deepEqual(
    p.candidates!.map((c) => [c.id, Math.round(c.weight * 1000) / 1000]),
    [
      ['huber', 0.333],
      ['tied-huber', 0.333],
      ['gadre', 0.333],
    ],
  );
  assert.ok(Math.abs(out.fit.params.E - 1.8172) < 0.005, `E = ${out.fit.params.E}`);
  assert.equal(out.fit.trust, 'ok');
  // The back-test is not part of a fit (the app runs it on demand, in its own worker).
  assert.deepEqual(Object.keys(out.figures).sort(), ['frontier', 'isoflop', 'loss', 'residuals']);
  assert.ok(!out.warnings.some((w) => w.startsWith('back-test')));
  assert.ok(out.timings.fitMs > 0 && out.timings.fitMs <= out.timings.totalMs);
});

test('auto with a bootstrap gives the same fit JSON as scalelab fit --bootstrap (replicates shared among the candidates as the CLI does)', () => {
  const web = runAnalysis(chinchilla, { ...defaultSettings, bootstrap: 30 }).fit;
  const cli = scalelab(['fit', chinchillaFile, '--bootstrap', '30', '--seed', '0', '--threads', '1', '--json']);
  assert.equal(cli.code, 0, cli.stderr);
  const json = cli.json();
  assert.deepEqual(web.params, json.params);
  assert.deepEqual(web.intervals, json.intervals);
  assert.deepEqual(
    web.procedure!.candidates!.map((c) => ({ id: c.id, weight: c.weight, params: c.params, replicates: c.replicates })),
    json.procedure.candidates.map((c: { id: string; weight: number; params: unknown; replicates: unknown }) => ({
      id: c.id,
      weight: c.weight,
      params: c.params,
      replicates: c.replicates,
    })),
  );
  assert.equal(
    web.procedure!.candidates![2].replicates!.length,
    30,
    'each candidate of equal weight gets the replicates asked for',
  );
  assert.deepEqual(web.warnings, json.warnings);
  assert.equal(web.trust, json.trust);
});

test("auto's candidates fitted elsewhere and sent as plain data (the browser fits them in parallel workers) give the same fit", () => {
  const cloned = defaultAutoRule.candidates.map((id) =>
    fromPlain(structuredClone(toPlain(fitCandidate(chinchilla, getProcedure(id)))), chinchilla),
  );
  const parallel = runAnalysis(
    chinchilla,
    { ...defaultSettings, bootstrap: 20 },
    { fits: cloned, startedAt: performance.now() },
  );
  const sequential = runAnalysis(chinchilla, { ...defaultSettings, bootstrap: 20 });
  assert.deepEqual(parallel.fit, sequential.fit);
  assert.deepEqual(parallel.approaches, sequential.approaches);
  // The fits given are the ones used: one given as a failure leaves two candidates of half weight.
  const failed = runAnalysis(chinchilla, defaultSettings, {
    fits: [cloned[0], { requested: getProcedure('tied-huber'), error: 'not fitted here' }, cloned[2]],
    startedAt: performance.now(),
  });
  assert.deepEqual(
    failed.fit.procedure!.candidates!.map((c) => [c.id, c.weight, c.error]),
    [
      ['huber', 0.5, undefined],
      ['tied-huber', 0, 'not fitted here'],
      ['gadre', 0.5, undefined],
    ],
  );
  assert.throws(
    () => chooseProcedure(chinchilla, { fits: cloned.slice(1) }),
    /fits given for tied-huber, gadre, expected huber, tied-huber, gadre/,
  );
});

test('a fixed recipe is fitted as that recipe (tied-huber: α = β); a custom law as chosen', () => {
  const tied = runAnalysis(chinchilla, { ...defaultSettings, procedure: 'tied-huber' }).fit;
  assert.equal(tied.procedure!.id, 'tied-huber');
  assert.equal(tied.params.alpha, tied.params.beta);
  const custom = runAnalysis(chinchilla, {
    ...defaultSettings,
    procedure: 'custom',
    law: 'power',
    x: 'C',
    loss: 'ls',
  }).fit;
  assert.equal(custom.procedure!.id, 'custom');
  assert.equal(custom.law, 'power');
  assert.equal(custom.variable, 'C');
  assert.equal(custom.loss.kind, 'ls');
});

test('identical rows: a custom law is fitted and marked untrusted by severe warnings; auto refuses with the reason', () => {
  const same = parseRuns('N,D,loss\n' + '1e8,2e9,3.1\n'.repeat(8), { source: 'same.csv' });
  const out = runAnalysis(same, { ...defaultSettings, procedure: 'custom' });
  assert.equal(out.fit.trust, 'untrusted');
  assert.deepEqual(
    new Set(out.fit.warnings.filter((w) => w.severity === 'severe').map((w) => w.code)),
    new Set(['few-distinct', 'duplicate-rows', 'constant-loss']),
  );
  // The fit's warnings travel structured, not again as strings.
  assert.ok(!out.warnings.some((w) => w.startsWith('fit (')), out.warnings.join('\n'));
  assert.throws(
    () => runAnalysis(same, defaultSettings),
    (e: unknown) =>
      e instanceof InputError &&
      /same\.csv: no candidate procedure could be fitted \(huber, tied-huber, gadre\): 1 distinct configuration/.test(
        e.message,
      ),
  );
});

test('a procedure on data without N: the located error, with the way out the app offers', () => {
  const conly = parseRuns('C,loss\n1e18,3.1\n2e18,3.0\n4e18,2.9\n8e18,2.85\n1.6e19,2.8\n3.2e19,2.76\n', {
    source: 'conly.csv',
  });
  assert.throws(
    () => runAnalysis(conly, defaultSettings),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.line === 1 &&
      /^conly\.csv:1: procedure auto fits chinchilla, L\(N, D\): law chinchilla needs column "N".*choose "custom law and loss" with law power in C/.test(
        e.message,
      ),
  );
  const fitted = runAnalysis(conly, { ...defaultSettings, procedure: 'custom', law: 'power', x: 'C' });
  assert.equal(fitted.fit.law, 'power');
});

test('the back-test runs on its own: every step reported, auto and huber with 80 % and 95 % coverage, its figure', () => {
  const steps: [number, number][] = [];
  const out = runBacktest(chinchilla, { ...defaultBacktestSettings, folds: 2 }, (done, total) =>
    steps.push([done, total]),
  );
  const b = out.backtest;
  assert.deepEqual(b.procedures, ['auto', 'huber']);
  assert.equal(b.cutoffs.length, 2);
  assert.deepEqual(
    steps,
    [1, 2, 3, 4].map((k) => [k, 4]),
    'one step per procedure and cutoff, the total known from the start',
  );
  for (const s of b.summaries) {
    assert.ok(s.predictions > 100, `${s.procedure}: ${s.predictions} predictions`);
    for (const level of ['0.8', '0.95'])
      assert.ok(
        s.coverage[level] > 0 && s.coverage[level] <= 1,
        `${s.procedure}: coverage ${level} = ${s.coverage[level]}`,
      );
  }
  assert.ok(b.bins.length >= 1);
  assert.ok(JSON.stringify(out.figure).includes('held-out'), 'the back-test figure spec');
  assert.ok(out.timings.backtestMs > 0);
});

test('a back-test that predicts no run gives no figure (its axis would be NaN), with the reasons in its summaries', () => {
  // Runs at one tokens-per-parameter ratio and one cutoff: the two sizes below it cannot be fitted.
  const rows = ['N,D,loss'];
  let k = 0;
  for (const N of [1.25e8, 3.5e8, 7.6e8, 1.3e9, 2.7e9])
    for (let seed = 0; seed < 3; seed++)
      rows.push(
        `${N},${20 * N},${(1.69 + 406.4 / N ** 0.34 + 410.7 / (20 * N) ** 0.28) * (1 + 0.004 * Math.sin(7.31 * ++k))}`,
      );
  const out = runBacktest(parseRuns(rows.join('\n') + '\n', { source: 'one-ratio.csv' }), {
    ...defaultBacktestSettings,
    folds: 1,
  });
  assert.equal(out.backtest.predictions.length, 0);
  assert.equal(out.figure, undefined);
  assert.ok(out.backtest.summaries.every((s) => s.failures.length > 0));
});

test('the back-test refuses what it cannot do, with the reason', () => {
  assert.throws(
    () => runBacktest(chinchilla, { ...defaultBacktestSettings, procedures: [] }),
    (e: unknown) => e instanceof InputError && /choose at least one procedure/.test(e.message),
  );
  const few = parseRuns('N,D,loss\n1e8,2e9,3.1\n2e8,2e9,3.0\n4e8,2e9,2.9\n', { source: 'few.csv' });
  assert.throws(
    () => runBacktest(few, defaultBacktestSettings),
    (e: unknown) =>
      e instanceof InputError &&
      /few\.csv: 3 training runs: a back-test needs at least 6 runs below a cutoff/.test(e.message),
  );
});
