/**
 * M4, (ℓ − ε∞)/(ε0 − ℓ)^α = β·x^c (Alabdulmohsin et al. 2022), on curves drawn from it: the implicit
 * prediction solves the defining relation, the fit recovers the parameters of a noise-free curve and the tail
 * of a noisy one, and the back-test scores it as `scalelab curves --law m4` does, saying which curves it could
 * not score and why. (Moved from test/curves-form.test.ts with the fit itself: bench/curves-form.ts imports it.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitM4, predictM4, m4CurveForm } from './m4.js';
import { backtestCurves, lawCurveForm, type CurvePoint, type CurveForm } from './curveBacktest.js';
import { powerLaw } from '../laws/index.js';
import { normal, randomSource } from '../core/random.js';
import { ScaleLabError } from '../errors/index.js';

const truth = { epsInf: 0.2, eps0: 0.9, alpha: 0.6, lnBeta: Math.log(30), c: -0.35 };
const xs = Array.from({ length: 20 }, (_, i) => 1e4 * 10 ** (i * 0.15));

test('M4 fitted to the head of a curve drawn from it recovers its parameters (noise-free) and predicts its tail (noisy)', () => {
  // The implicit form: each prediction lies between the floor and the start, and solves the defining relation.
  for (const x of [1, 1e4, 1e12]) {
    const l = predictM4(truth, x);
    assert.ok(l > truth.epsInf && l < truth.eps0, `ℓ(${x}) = ${l}`);
    const lhs = Math.log(l - truth.epsInf) - truth.alpha * Math.log(truth.eps0 - l);
    assert.ok(Math.abs(lhs - (truth.lnBeta + truth.c * Math.log(x))) < 1e-9, `${lhs} at ${x}`);
  }
  const exact = fitM4(xs.slice(0, 14).map((x) => ({ x, y: predictM4(truth, x) })));
  for (const [k, v] of Object.entries(truth))
    assert.ok(
      Math.abs(exact[k as keyof typeof truth] / v - 1) < 1e-6,
      `${k} = ${exact[k as keyof typeof truth]}, truth ${v}`,
    );
  const random = randomSource(7);
  const points = xs.map((x) => ({ x, y: predictM4(truth, x) * Math.exp(0.002 * normal(random)) }));
  const p = fitM4(points.slice(0, 14));
  for (const x of xs.slice(14)) {
    const rel = Math.abs(predictM4(p, x) / predictM4(truth, x) - 1);
    assert.ok(rel < 0.01, `x = ${x}: ${predictM4(p, x)} against ${predictM4(truth, x)}`);
  }
  // A power law E + A·x^(−α) is M4 with α → 0 and ε0 far above: the fit still predicts its tail.
  const power = xs.map((x) => ({ x, y: 0.3 + 40 * x ** -0.4 }));
  const q = fitM4(power.slice(0, 14));
  for (const { x, y } of power.slice(14)) assert.ok(Math.abs(predictM4(q, x) / y - 1) < 0.01, `${x}`);
});

test('fitM4 refuses what it cannot fit with a reason, not NaN', () => {
  assert.throws(
    () =>
      fitM4([
        { x: 10, y: 1 },
        { x: 100, y: -1 },
      ]),
    /point 2 has x = 100, loss = -1/,
  );
  assert.throws(
    () =>
      fitM4([
        { x: 10, y: 1 },
        { x: 10, y: 0.9 },
      ]),
    /2 or more distinct x/,
  );
  // A rising curve: no start of the grid falls with x.
  assert.throws(
    () => fitM4(xs.slice(0, 10).map((x) => ({ x, y: 1 + 1e-3 * Math.log(x) }))),
    (e: unknown) => e instanceof ScaleLabError && /does not fall as M4 does/.test(e.message),
  );
});

/** Curves as the benchmark lays them out: the first 14 points train, the last 6 are held out. */
function curve(name: string, loss: (x: number) => number, line0: number): CurvePoint[] {
  return xs.map((x, i) => ({ curve: name, x, y: loss(x), train: i < 14, line: line0 + i }));
}

test('the back-test scores M4 on each curve and names a curve it cannot score, with why', () => {
  const points = [...curve('m4', (x) => predictM4(truth, x), 2), ...curve('rising', (x) => 1 + 1e-3 * Math.log(x), 22)];
  const b = backtestCurves(points, m4CurveForm, 'curves.csv');
  assert.equal(b.scored, 1);
  const [m4, rising] = b.curves;
  assert.ok(m4.mse! < 1e-12, `M4 on its own curve: ${m4.mse}`);
  assert.ok(Math.abs(m4.params!.alpha - truth.alpha) < 1e-6);
  assert.equal(rising.curve, 'rising');
  assert.match(rising.failed!, /does not fall as M4 does/);
  // A fitted form that predicts no finite loss on a held-out point: the curve is named, with the fit's values.
  const broken: CurveForm = {
    ...m4CurveForm,
    fitCurve: (train, source) => {
      const fitted = m4CurveForm.fitCurve(train, source);
      return { ...fitted, predict: (x) => (x > xs[15] ? NaN : fitted.predict(x)) };
    },
  };
  // With every curve failing, the error lists each with its reason.
  assert.throws(
    () => backtestCurves(points, broken, 'curves.csv'),
    /curves\.csv: no curve could be scored: m4: the fitted form predicts no finite loss on the held-out points \(epsInf = 0\.2.*; rising: M4 has no start/,
  );
  // A registered law as the form (as `curves --law power` passes it): its failure is the law's.
  const power = lawCurveForm(powerLaw('D'));
  const brokenLaw: CurveForm = {
    ...power,
    fitCurve: (train, source) => ({ ...power.fitCurve(train, source), predict: () => NaN }),
  };
  assert.throws(
    () => backtestCurves(points, brokenLaw, 'curves.csv'),
    /curves\.csv: no curve could be scored: m4: the fitted law predicts no finite loss on the held-out points \(E = /,
  );
});
