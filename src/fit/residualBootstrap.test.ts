// The residual bootstrap on synthetic data with known truth: leverage as the textbook formula gives it,
// residuals leverage-adjusted and centred, the bootstrap's standard error of a slope the textbook one,
// and groups fitted exactly refused (kept as observed per group, drawn from the others pooled).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normal, randomSource } from '../core/random.js';
import { linearRegression } from '../core/linearRegression.js';
import { polynomialDesign, residualBootstrap } from './residualBootstrap.js';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('leverage of a line is 1/n + (x − x̄)²/Sxx, and residuals are e/√(1 − h), centred before drawing', () => {
  const x = [0, 1, 2, 3, 10];
  const y = [1.2, 2.9, 5.3, 6.8, 21.5];
  const boot = residualBootstrap([{ design: polynomialDesign(x, 1), observed: y }], {
    scale: 'absolute',
    pooling: 'per-group',
  });
  const g = boot.groups[0];
  const mean = x.reduce((t, v) => t + v, 0) / x.length;
  const sxx = x.reduce((t, v) => t + (v - mean) ** 2, 0);
  const { slope, intercept } = linearRegression(x, y);
  x.forEach((v, i) => {
    const h = 1 / x.length + (v - mean) ** 2 / sxx;
    close(g.leverage[i], h, 1e-12, `h_${i}`);
    close(g.fitted[i], intercept + slope * v, 1e-12, `fitted_${i}`);
    close(g.residuals[i], (y[i] - g.fitted[i]) / Math.sqrt(1 - h), 1e-12, `r_${i}`);
  });
  assert.equal(g.parameters, 2);
  assert.equal(g.noResidual, undefined);
  // The point at x = 10 has leverage 0.87: its raw residual is shrunk most, and adjusted most.
  assert.ok(g.leverage[4] > 0.8);
  // A draw is fitted + a centred residual: every drawn offset is one of them, and their mean is 0.
  const rBar = g.residuals.reduce((t, v) => t + v, 0) / g.residuals.length;
  const centred = g.residuals.map((v) => v - rBar);
  assert.ok(Math.abs(rBar) > 1e-3, 'the adjusted residuals of this fit do not already average 0');
  const random = randomSource(1);
  for (let r = 0; r < 50; r++) {
    const drawn = boot.draw(0, random);
    drawn.forEach((v, i) =>
      assert.ok(
        centred.some((c) => Math.abs(v - g.fitted[i] - c) < 1e-9),
        `offset ${v - g.fitted[i]} not a centred residual`,
      ),
    );
  }
});

test('leverage of a parabola in ln N ≈ 20 (ill-conditioned normal equations) matches the centred computation', () => {
  const lnN = [18.2, 18.8, 19.4, 20.0, 20.6, 21.2, 21.8];
  const y = lnN.map((v) => 3 + 0.05 * (v - 20) ** 2);
  const shifted = lnN.map((v) => (v - 20) / 1.2);
  const a = residualBootstrap([{ design: polynomialDesign(lnN, 2), observed: y }], {
    scale: 'relative',
    pooling: 'per-group',
  }).groups[0];
  const b = residualBootstrap([{ design: polynomialDesign(shifted, 2), observed: y }], {
    scale: 'relative',
    pooling: 'per-group',
  }).groups[0];
  a.leverage.forEach((h, i) => close(h, b.leverage[i], 1e-9, `h_${i}`));
  close(
    a.leverage.reduce((t, h) => t + h, 0),
    3,
    1e-9,
    'the leverages sum to the parameters',
  );
  // Exact data: every residual 0, so every replicate is the fit itself (a noise-free interval is the point).
  a.residuals.forEach((r) => assert.ok(Math.abs(r) < 1e-9));
});

test("the bootstrap's standard error of a slope is the textbook s/√Sxx (it would be √((n−p)/n) ≈ 0.89 of it unadjusted)", () => {
  // y = 2 + 0.5·x + N(0, 0.3²) on an uneven design of 10 points; 20 data sets × 2000 replicates.
  const x = [0, 0.5, 1, 1.5, 2, 3, 4, 6, 9, 14];
  const n = x.length;
  const mean = x.reduce((t, v) => t + v, 0) / n;
  const sxx = x.reduce((t, v) => t + (v - mean) ** 2, 0);
  const design = polynomialDesign(x, 1);
  const sets = 20,
    replicates = 2000;
  let ratio = 0,
    ratioTrue = 0;
  for (let set = 1; set <= sets; set++) {
    const noise = randomSource(1000 + set);
    const y = x.map((v) => 2 + 0.5 * v + 0.3 * normal(noise));
    const boot = residualBootstrap([{ design, observed: y }], { scale: 'absolute', pooling: 'per-group' });
    const fit = linearRegression(x, y);
    const rss = y.reduce((t, v, i) => t + (v - fit.intercept - fit.slope * x[i]) ** 2, 0);
    const textbook = Math.sqrt(rss / (n - 2) / sxx);
    let s1 = 0,
      s2 = 0;
    for (let r = 0; r < replicates; r++) {
      const slope = linearRegression(x, boot.draw(0, randomSource(set, r))).slope;
      s1 += slope;
      s2 += slope * slope;
    }
    const se = Math.sqrt((s2 - (s1 * s1) / replicates) / (replicates - 1));
    ratio += se / textbook / sets;
    ratioTrue += se / (0.3 / Math.sqrt(sxx)) / sets;
  }
  assert.ok(Math.abs(ratio - 1) < 0.05, `bootstrap SE / textbook SE averaged ${ratio}`);
  assert.ok(Math.abs(ratioTrue - 1) < 0.12, `bootstrap SE / true SE averaged ${ratioTrue}`);
});

test('a group fitted exactly leaves no residual: refused alone, kept as observed per group, drawn from the others pooled', () => {
  const three = { design: polynomialDesign([1, 2, 3], 2), observed: [3.1, 2.9, 3.05] };
  const alone = residualBootstrap([three], { scale: 'relative', pooling: 'per-group' });
  assert.equal(alone.groups[0].noResidual, 'exact fit');
  assert.equal(alone.noResidualLeft, true);
  assert.deepEqual(alone.draw(0, randomSource(1)), three.observed);
  // A line through two points, and a parabola on two distinct sizes, say why.
  const line = residualBootstrap([{ design: polynomialDesign([1, 2], 1), observed: [1, 3] }], {
    scale: 'absolute',
    pooling: 'pooled',
  });
  assert.equal(line.noResidualLeft, true);
  const twoSizes = residualBootstrap([{ design: polynomialDesign([1, 1, 2, 2], 2), observed: [1, 1.1, 2, 2.1] }], {
    scale: 'absolute',
    pooling: 'per-group',
  });
  assert.equal(twoSizes.groups[0].noResidual, 'parameters not determined');
  assert.equal(twoSizes.noResidualLeft, true);
  // Beside a group with residuals: per group the exact one is held, pooled it draws the other's.
  const x5 = [1, 2, 3, 4, 5];
  const five = { design: polynomialDesign(x5, 2), observed: [3.3, 3.0, 2.95, 3.1, 3.4] };
  const perGroup = residualBootstrap([three, five], { scale: 'relative', pooling: 'per-group' });
  assert.equal(perGroup.noResidualLeft, false);
  assert.deepEqual(perGroup.draw(0, randomSource(2)), three.observed);
  assert.notDeepEqual(perGroup.draw(1, randomSource(2)), five.observed);
  const pooled = residualBootstrap([three, five], { scale: 'relative', pooling: 'pooled' });
  const drawn = pooled.draw(0, randomSource(3));
  assert.ok(
    drawn.some((v, i) => Math.abs(v - three.observed[i]) > 1e-6),
    'pooled, the exact group draws noise',
  );
  // Relative residuals need a positive fitted value: a fit through zero is refused and kept as observed.
  const negative = residualBootstrap([{ design: polynomialDesign(x5, 1), observed: [-2, -1, 0.1, 1, 2] }], {
    scale: 'relative',
    pooling: 'per-group',
  });
  assert.equal(negative.groups[0].noResidual, 'fitted value not positive');
  assert.equal(negative.noResidualLeft, true);
});
