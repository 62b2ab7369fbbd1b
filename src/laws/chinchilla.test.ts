import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chinchilla } from './chinchilla.js';
import type { LawInputs } from './law.js';

/** ln(E + A/N^α + B/D^β) run by run, each shifted by its own largest term: the textbook form. */
function reference(theta: number[], x: LawInputs): number[] {
  const [e, a, b, alpha, beta] = theta;
  return Array.from({ length: x.n }, (_, i) => {
    const t = [a - alpha * x.logN![i], b - beta * x.logD![i], e];
    const m = Math.max(...t);
    return m + Math.log(t.reduce((s, v) => s + Math.exp(v - m), 0));
  });
}

const inputs = (N: number[], D: number[]): LawInputs => ({
  n: N.length,
  logN: Float64Array.from(N, Math.log),
  logD: Float64Array.from(D, Math.log),
});

// A ladder: three model sizes, several token counts each (N repeats, as in most sweeps).
const ladder = inputs([1e8, 1e8, 1e8, 1e9, 1e9, 1e10, 1e10, 1e10], [1e9, 3e9, 1e10, 1e10, 3e10, 1e11, 3e11, 1e12]);

test("chinchilla's gridLogPredict (one shift for all runs, one exp per distinct N and D) equals the run-by-run form", () => {
  for (const theta of [
    [Math.log(1.8), Math.log(480), Math.log(2100), 0.35, 0.37],
    [-1, 25, 0, 2, 0],
    [1, 0, 25, 0, 2],
    [0.5, 10, 10, -0.5, 1.5],
  ]) {
    const out = new Float64Array(ladder.n);
    chinchilla.gridLogPredict!(Float64Array.from(theta), ladder, out, null);
    reference(theta, ladder).forEach((v, i) =>
      assert.ok(Math.abs(out[i] - v) <= 1e-14 * Math.max(1, Math.abs(v)), `${theta} run ${i}: ${out[i]} vs ${v}`),
    );
  }
});

test("chinchilla's gridLogPredict stays exact where a run lies hundreds of e-folds below the largest term of another", () => {
  // α = 200 with small B and E: A/N^α spans about e^920 over the ladder's sizes, so with one shift
  // for all runs every term of the largest size underflows to 0 (ln 0 = −∞): such a run keeps its own.
  const theta = [-800, 4200, -500, 200, 0.3];
  const out = new Float64Array(ladder.n);
  const jac = new Float64Array(ladder.n * 5);
  chinchilla.gridLogPredict!(Float64Array.from(theta), ladder, out, jac);
  reference(theta, ladder).forEach((v, i) => {
    assert.ok(Number.isFinite(out[i]), `run ${i}: ${out[i]}`);
    assert.ok(Math.abs(out[i] - v) <= 1e-13 * Math.max(1, Math.abs(v)), `run ${i}: ${out[i]} vs ${v}`);
  });
  // The Jacobian's first three entries are the terms' shares of L̂: they sum to 1 on every run.
  for (let i = 0; i < ladder.n; i++) assert.ok(Math.abs(jac[i * 5] + jac[i * 5 + 1] + jac[i * 5 + 2] - 1) < 1e-14);
});

test("chinchilla's gridLogPredict keeps each data set its own distinct values (two sets, one law)", () => {
  const other = inputs([2e8, 5e9, 5e9], [4e9, 1e11, 2e10]);
  const theta = Float64Array.from([Math.log(1.8), Math.log(480), Math.log(2100), 0.35, 0.37]);
  for (const x of [ladder, other, ladder, { ...other, logD: Float64Array.from([1e9, 1e9, 1e9], Math.log) }]) {
    const out = new Float64Array(x.n);
    chinchilla.gridLogPredict!(theta, x, out, null);
    reference(Array.from(theta), x).forEach((v, i) => assert.ok(Math.abs(out[i] - v) <= 1e-14 * Math.abs(v)));
  }
});

test("chinchilla's gridLogPredict and its Jacobian equal logPredict's to rounding", () => {
  const x = inputs(
    Array.from({ length: 40 }, (_, i) => 5e7 * 2 ** (i % 8)),
    Array.from({ length: 40 }, (_, i) => 1e9 * 1.3 ** i),
  );
  for (const theta of [
    [Math.log(1.8), Math.log(480), Math.log(2100), 0.35, 0.37],
    [0.2, 12, 3, 1.1, 0.05],
  ]) {
    const t = Float64Array.from(theta);
    const [a, b] = [new Float64Array(x.n), new Float64Array(x.n)];
    const [ja, jb] = [new Float64Array(x.n * 5), new Float64Array(x.n * 5)];
    chinchilla.logPredict(t, x, a, ja);
    chinchilla.gridLogPredict!(t, x, b, jb);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-14 * Math.max(1, Math.abs(v))));
    ja.forEach((v, i) =>
      assert.ok(Math.abs(v - jb[i]) <= 1e-13 * Math.max(1, Math.abs(v)), `jac ${i}: ${v} vs ${jb[i]}`),
    );
  }
});
