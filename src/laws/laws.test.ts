import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chinchilla,
  getLaw,
  kaplanNd,
  power0Law,
  powerLaw,
  predictLoss,
  lawIds,
  type Law,
  type LawInputs,
} from './index.js';

const close = (actual: number, expected: number, rel: number, what = '') =>
  assert.ok(Math.abs(actual / expected - 1) <= rel, `${what} ${actual} vs ${expected} (rel ${rel})`);

function inputsFor(law: Law, points: { N: number; D: number; C: number }[]): LawInputs {
  const x: LawInputs = { n: points.length };
  for (const v of law.inputs) x[`log${v}`] = Float64Array.from(points, (p) => Math.log(p[v as 'N' | 'D' | 'C']));
  return x;
}

test('every law: analytic gradient of ln L̂ matches central finite differences', () => {
  const points = [
    { N: 1e8, D: 2e9, C: 1.2e18 },
    { N: 3e9, D: 6e10, C: 1.08e21 },
    { N: 7e10, D: 1.4e12, C: 5.88e23 },
  ];
  const thetas: Record<string, number[]> = {
    chinchilla: [0.6, 6.1, 7.6, 0.34, 0.37],
    'kaplan-nd': [31.8, 30.5, 0.076, 0.103],
    power: [0.5, 3.2, 0.15],
    power0: [2.5, 0.076],
  };
  for (const law of [chinchilla, kaplanNd, powerLaw('N'), power0Law('D')]) {
    const x = inputsFor(law, points);
    const p = law.params.length;
    const theta = Float64Array.from(thetas[law.id]);
    const out = new Float64Array(points.length),
      jac = new Float64Array(points.length * p);
    law.logPredict(theta, x, out, jac);
    for (let j = 0; j < p; j++) {
      const h = 1e-6;
      const up = Float64Array.from(theta),
        dn = Float64Array.from(theta);
      up[j] += h;
      dn[j] -= h;
      const fu = new Float64Array(points.length),
        fd = new Float64Array(points.length);
      law.logPredict(up, x, fu, null);
      law.logPredict(dn, x, fd, null);
      for (let i = 0; i < points.length; i++) {
        const numeric = (fu[i] - fd[i]) / (2 * h);
        assert.ok(
          Math.abs(numeric - jac[i * p + j]) < 1e-6 * Math.max(1, Math.abs(numeric)),
          `${law.id} ∂/∂${law.params[j].name} at point ${i}: ${jac[i * p + j]} vs ${numeric}`,
        );
      }
    }
  }
});

// Kaplan et al. 2020, Table 5 constants; test vectors recomputed from them (docs/methods.md §4).
test('power0: Kaplan L(N) = (8.8e13/N)^0.076 gives L(1e9) = 2.375640 and L(8.5e7) = 2.86513', () => {
  const law = power0Law('N');
  const params = { A: Math.pow(8.8e13, 0.076), alpha: 0.076 };
  close(predictLoss(law, params, { N: 1e9 }), 2.37564, 2e-6, 'L(1e9)');
  close(predictLoss(law, params, { N: 8.5e7 }), 2.86513, 2e-6, 'L(8.5e7)');
  close(law.derived!(params).N_c.value, 8.8e13, 1e-12, 'N_c');
});

test('power0: Kaplan L(D = 1e10) = 2.262442 and L(C_min = 1 PF-day) = 2.658080', () => {
  close(predictLoss(power0Law('D'), { A: Math.pow(5.4e13, 0.095), alpha: 0.095 }, { D: 1e10 }), 2.262442, 1e-6);
  close(predictLoss(power0Law('C'), { A: Math.pow(3.1e8, 0.05), alpha: 0.05 }, { C: 1 }), 2.65808, 1e-6);
});

test('kaplan-nd: Table-2 fit gives L(1e9, 1e10) = 2.419652 and L(1e9, ∞) → 2.31883', () => {
  const params = { N_c: 6.4e13, D_c: 1.8e13, alpha_N: 0.076, alpha_D: 0.103 };
  close(predictLoss(kaplanNd, params, { N: 1e9, D: 1e10 }), 2.419652, 1e-6, 'L(1e9,1e10)');
  close(predictLoss(kaplanNd, params, { N: 1e9, D: 1e30 }), 2.31883, 1e-5, 'L(1e9,∞)');
});

test('chinchilla: L(70B, 1.4T) = 1.93665 with the printed Eq.-10 constants', () => {
  const printed = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };
  assert.ok(Math.abs(predictLoss(chinchilla, printed, { N: 70e9, D: 1.4e12 }) - 1.93665) < 5e-6);
});

test('chinchilla derived G: 1.344711 (printed constants), 0.119630 (Epoch), exponent a = β/(α+β)', () => {
  const printed = chinchilla.derived!({ E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 });
  close(printed.G.value, 1.344711, 1e-6, 'G printed');
  close(printed.a.value, 0.4516, 1e-3, 'a printed');
  const epoch = chinchilla.derived!({ E: 1.8172, A: 482.01, B: 2085.43, alpha: 0.3478, beta: 0.3658 });
  close(epoch.G.value, 0.11963, 1e-4, 'G Epoch');
  close(epoch.a.value, 0.5126, 1e-3, 'a Epoch');
});

test('predictLoss derives D = C/(6N) when only C is given', () => {
  const p = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };
  close(predictLoss(chinchilla, p, { N: 70e9, C: 5.88e23 }), predictLoss(chinchilla, p, { N: 70e9, D: 1.4e12 }), 1e-12);
  assert.throws(() => predictLoss(chinchilla, p, { N: 70e9 }), /needs D/);
});

test('getLaw knows every listed law and names them when it does not', () => {
  for (const id of lawIds) assert.equal(getLaw(id).id, id);
  assert.throws(
    () => getLaw('chinchila'),
    new RegExp(`unknown law: chinchila \\(expected one of ${lawIds.join(', ')}\\)`),
  );
});

test('data-constrained, BNSL and grouped laws: analytic gradients match central differences', async () => {
  const { dataConstrained, bnslLaw } = await import('./index.js');
  const { groupedPowerLaw } = await import('./grouped.js');
  const cases: { law: Law; theta: number[]; x: LawInputs }[] = [
    {
      law: dataConstrained,
      theta: [0.62, 6.25, 7.3, 0.35, 0.35, Math.log(5.3), Math.log(15.4)],
      x: {
        n: 3,
        logN: Float64Array.from([1e8, 2e9, 9e9], Math.log),
        logD: Float64Array.from([1e10, 2e11, 1e11], Math.log),
        logU: Float64Array.from([1e9, 2e10, 1e11], Math.log),
      },
    },
    {
      law: bnslLaw(2, 'D'),
      theta: [Math.log(0.05), 0.5, 0.1, 0.4, Math.log(1e4), Math.log(0.5), -0.2, Math.log(1e8), Math.log(1.5)],
      x: { n: 3, logD: Float64Array.from([1e2, 1e5, 1e9], Math.log) },
    },
    {
      law: groupedPowerLaw(['a', 'b'], 'C', true),
      theta: [0.2, 0.5, 5, 0.6, 6],
      x: { n: 3, logC: Float64Array.from([1e18, 1e19, 1e20], Math.log), group: Int32Array.from([0, 1, 1]) },
    },
  ];
  for (const { law, theta: t, x } of cases) {
    const theta = Float64Array.from(t),
      p = t.length;
    const out = new Float64Array(x.n),
      jac = new Float64Array(x.n * p);
    law.logPredict(theta, x, out, jac);
    for (let j = 0; j < p; j++) {
      const h = 1e-6,
        up = Float64Array.from(theta),
        dn = Float64Array.from(theta);
      up[j] += h;
      dn[j] -= h;
      const fu = new Float64Array(x.n),
        fd = new Float64Array(x.n);
      law.logPredict(up, x, fu, null);
      law.logPredict(dn, x, fd, null);
      for (let i = 0; i < x.n; i++) {
        const numeric = (fu[i] - fd[i]) / (2 * h);
        assert.ok(
          Math.abs(numeric - jac[i * p + j]) < 1e-5 * Math.max(1, Math.abs(numeric)),
          `${law.id} ∂/∂${law.params[j].name} at ${i}: ${jac[i * p + j]} vs ${numeric}`,
        );
      }
    }
  }
});

test("every law with a gridPredictor: the start grid's values equal logPredict's, to rounding, on each grid point", () => {
  const points = Array.from({ length: 40 }, (_, i) => {
    const N = 1e7 * 10 ** (((i * 7) % 40) / 10),
      D = 1e9 * 10 ** (((i * 13) % 30) / 10);
    return { N, D, C: 6 * N * D };
  });
  let checked = 0;
  for (const id of lawIds) {
    const law = getLaw(id);
    if (!law.gridPredictor) continue;
    const x = inputsFor(law, points);
    const predict = law.gridPredictor(x);
    const grids = law.params.map((p) => p.grid);
    const theta = new Float64Array(grids.length),
      fast = new Float64Array(x.n),
      exact = new Float64Array(x.n);
    // Every grid point, twice (the second pass reads the terms the first one kept).
    const count = grids.reduce((a, g) => a * g.length, 1);
    for (let t = 0; t < 2 * count; t++) {
      let k = t % count;
      for (let j = grids.length - 1; j >= 0; j--) {
        theta[j] = grids[j][k % grids[j].length];
        k = Math.floor(k / grids[j].length);
      }
      // In blocks of rows, as a bounded grid score asks for them.
      for (let from = 0; from < x.n; from += 7) predict(theta, fast, from, Math.min(x.n, from + 7));
      law.logPredict(theta, x, exact, null);
      for (let i = 0; i < x.n; i++)
        assert.ok(
          Math.abs(fast[i] - exact[i]) <= 1e-13 * Math.max(1, Math.abs(exact[i])),
          `${id} at θ = ${theta.join(', ')}, point ${i}: ${fast[i]} vs ${exact[i]}`,
        );
    }
    checked++;
  }
  assert.ok(checked >= 1, 'chinchilla has one');
});
