// predictFromFit: a fit's prediction with an interval for a new run, from the library, on synthetic
// runs of a known Chinchilla law; and runSteps, which runs a computation in steps and stops it on abort.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRuns } from '../io/parseRuns.js';
import { getLaw, predictLoss } from '../laws/index.js';
import { InputError } from '../errors/index.js';
import { bootstrap } from '../fit/bootstrap.js';
import { fit, prepareFit } from '../fit/fit.js';
import { fitLaw, type FitRunners } from '../fit/run.js';
import { runSteps, type Steps } from '../core/steps.js';
import { randomSource } from '../core/random.js';
import { predictAt, predictFromFit, type PredictionRefusal } from './predictFit.js';

const serial: FitRunners = {
  fit: async (law, data, options, onTotal, onProgress) => {
    onTotal(1);
    const r = fit(law, data, options);
    onProgress(1);
    return r;
  },
  bootstrap: async (result, options, replicates, seed, onProgress) =>
    bootstrap(
      prepareFit(result.law, result.dataset, { ...options, init: result.params }),
      result,
      { replicates, seed },
      () => onProgress(1),
    ),
};

const law = getLaw('chinchilla');
const truth = { E: 1.8, A: 400, B: 410, alpha: 0.34, beta: 0.28 };
// 36 runs on a grid of N and D, 1 % log-normal scatter.
function syntheticRuns(): string {
  const random = randomSource(7);
  const rows = ['N,D,loss'];
  for (const N of [1e7, 2e7, 5e7, 1e8, 2e8, 5e8])
    for (const D of [2e8, 5e8, 1e9, 2e9, 5e9, 1e10]) {
      const noise = 0.01 * (random() + random() + random() - 1.5) * 2;
      rows.push(`${N},${D},${predictLoss(law, truth, { N, D }) * Math.exp(noise)}`);
    }
  return rows.join('\n') + '\n';
}

test('predictFromFit: the law of synthetic runs predicts 10× beyond them within its interval, warned as an extrapolation', async () => {
  const dataset = parseRuns(syntheticRuns(), { source: 'synthetic.csv' });
  const json = await fitLaw(law, dataset, {}, { runners: serial, replicates: 40, seed: 1 });
  const point = { N: 1e10, D: 2e11 }; // 20× the largest N and D
  const p = predictFromFit(json, point);
  const actual = predictLoss(law, truth, point);
  assert.ok(Math.abs(p.loss / actual - 1) < 0.02, `loss ${p.loss} vs truth ${actual}`);
  assert.ok(p.interval, 'an interval from the replicates');
  assert.ok(p.interval[0] < p.loss && p.loss < p.interval[1], `${p.interval} around ${p.loss}`);
  assert.ok(p.interval[0] < actual && actual < p.interval[1], `${p.interval} holds the truth ${actual}`);
  // The new run's interval is wider than the law's alone (a run's scatter and the extrapolation term).
  assert.ok(p.interval[1] - p.interval[0] > p.lawInterval![1] - p.lawInterval![0]);
  assert.equal(p.level, 0.95);
  assert.equal(p.replicates, 40);
  assert.equal(p.point.C, 6 * 1e10 * 2e11);
  assert.deepEqual(
    p.warnings.filter((w) => w.code === 'extrapolation').map((w) => w.severity),
    ['warning', 'warning'],
    'N and D both 10–100× beyond the fit',
  );
  // Another level, and D from C and N.
  const p80 = predictFromFit(json, { N: 1e10, C: 6 * 1e10 * 2e11 }, { level: 0.8 });
  assert.ok(Math.abs(p80.point.D! / 2e11 - 1) < 1e-12);
  assert.ok(p80.interval![1] - p80.interval![0] < p.interval[1] - p.interval[0]);
  // Without replicates: a value, no interval.
  const bare = await fitLaw(law, dataset, {}, { runners: serial });
  assert.equal(predictFromFit(bare, point).interval, undefined);
});

test('predictFromFit refuses a point it cannot predict, naming no CLI flag', async () => {
  const dataset = parseRuns(syntheticRuns(), { source: 'synthetic.csv' });
  const json = await fitLaw(law, dataset, {}, { runners: serial });
  assert.throws(
    () => predictFromFit(json, { N: 1e9, D: 1e10, C: 1e15 }),
    (e: unknown) => e instanceof InputError && /disagrees with N and D/.test(e.message) && !/--/.test(e.message),
  );
});

test('predictAt: the one path predictFromFit and the CLI share gives the known law, and hands each refusal to the caller to word', () => {
  const basis = {
    law,
    params: truth,
    members: [{ id: law.id, law, params: truth, replicates: [], noise: [], weight: 1 }],
    level: 0.95,
    ranges: { N: [1e7, 5e8] as [number, number], D: [2e8, 1e10] as [number, number] },
    fitWarnings: [],
  };
  const refusals: PredictionRefusal[] = [];
  const refuse = (r: PredictionRefusal) => (refusals.push(r), new Error(r.code));
  // C with N: D = C/(6N) filled in, the loss the law's own there; no replicates, no interval.
  const p = predictAt(basis, { N: 1e8, C: 6 * 1e8 * 1e9 }, refuse);
  assert.equal(p.point.D, 1e9);
  assert.ok(Math.abs(p.loss / predictLoss(law, truth, { N: 1e8, D: 1e9 }) - 1) < 1e-12);
  assert.equal(p.interval, undefined);
  assert.deepEqual(p.warnings, []);
  // 20× the largest N: an extrapolation warning.
  assert.deepEqual(
    predictAt(basis, { N: 1e10, D: 1e9 }, refuse).warnings.map((w) => w.code),
    ['extrapolation'],
  );
  assert.throws(() => predictAt(basis, { N: 1e8, D: 1e9, U: 2e9 }, refuse), /unique-exceeds-total/);
  assert.throws(() => predictAt(basis, { N: 1e8, D: 1e9, C: 1e15 }, refuse), /compute-disagrees/);
  const flat = { ...basis, ranges: { N: [1e8, 1e8] as [number, number] } };
  assert.throws(() => predictAt(flat, { N: 2e8, D: 1e9 }, refuse), /unvaried/);
  assert.equal(predictAt(flat, { N: 1e8, D: 1e9 }, refuse).loss, p.loss);
  const negative = {
    ...basis,
    params: { ...truth, E: -5 },
    members: [{ ...basis.members[0], params: { ...truth, E: -5 } }],
  };
  assert.throws(() => predictAt(negative, { N: 1e8, D: 1e9 }, refuse), /no-positive-loss/);
  assert.deepEqual(refusals, [
    { code: 'unique-exceeds-total', U: 2e9, D: 1e9, derived: false },
    { code: 'compute-disagrees', C: 1e15, sixND: 6e17 },
    { code: 'unvaried', variable: 'N', value: 1e8, at: 2e8 },
    // ln of a negative loss: NaN, said as such rather than printed.
    { code: 'no-positive-loss', loss: NaN, point: { N: 1e8, D: 1e9, C: 6e17 } },
  ]);
});

test('predictFromFit refuses unique tokens above the total tokens, naming no CLI flag', async () => {
  const dataset = parseRuns(syntheticRuns(), { source: 'synthetic.csv' });
  const json = await fitLaw(law, dataset, {}, { runners: serial });
  assert.throws(
    () => predictFromFit(json, { N: 1e9, D: 1e10, U: 2e10 }),
    (e: unknown) =>
      e instanceof InputError &&
      /U = 2e10 unique tokens exceed the total tokens D = 1e10/.test(e.message) &&
      !/--/.test(e.message),
  );
});

test('fitLaw: an aborted signal stops it before any work', async () => {
  const dataset = parseRuns(syntheticRuns(), { source: 'synthetic.csv' });
  let fitted = false;
  const runners: FitRunners = { ...serial, fit: async (...a) => ((fitted = true), serial.fit(...a)) };
  await assert.rejects(
    fitLaw(law, dataset, {}, { runners, signal: AbortSignal.abort() }),
    (e: unknown) => (e as Error).name === 'AbortError',
  );
  assert.equal(fitted, false);
});

// A runSteps that never yields would never see the abort: the timeout makes that a failure, not a hang.
test(
  'runSteps: runs a computation to its result, giving the event loop turns, and stops it on abort',
  { timeout: 60_000 },
  async () => {
    function* count(n: number): Steps<number> {
      let i = 0;
      for (; i < n; i++) yield;
      return i;
    }
    assert.equal(await runSteps(count(1000)), 1000);

    // A computation that never ends, with a timer to abort it: the timer fires only if runSteps yields.
    let closed = false;
    function* forever(): Steps<number> {
      try {
        for (;;) {
          const until = Date.now() + 1;
          while (Date.now() < until); // a step of 1 ms of work
          yield;
        }
      } finally {
        closed = true;
      }
    }
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(
      runSteps(forever(), { signal: controller.signal }),
      (e: unknown) => (e as Error).name === 'AbortError',
    );
    assert.ok(closed, "the generator's finally ran");
  },
);
