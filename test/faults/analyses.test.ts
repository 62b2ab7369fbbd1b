/**
 * Fault injection, issue 16, area "analysis commands": degenerate inputs (identical runs, one
 * distinct N, a constant or rising loss, one value of 1e308 or 5e-324, two rows) must end in a
 * located or usage error (exit 2) or in an answer with an explicit warning — never an internal error,
 * a hang, or NaN / Infinity / a negative dimension printed as a result. One test per reproduced case;
 * the CLI is spawned where the command layer is the point, the library is called in-process elsewhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, scalelab } from '../helpers/cli.js';
import { InputError, UsageError } from '../../src/errors/index.js';
import type { Dataset, Run } from '../../src/io/dataset.js';
import { chinchilla } from '../../src/laws/chinchilla.js';
import { predictLoss } from '../../src/laws/law.js';
import { approach1, approach2, approach3 } from '../../src/analyses/frontier.js';
import { learningCurveRegions, localSlopes } from '../../src/analyses/learningCurve.js';
import { aspectSpread, compareGroups } from '../../src/analyses/groups.js';
import { backtestCurves } from '../../src/analyses/curveBacktest.js';
import { goyal2024, selectionError } from '../../src/analyses/dataSelection.js';
import { powerLaw } from '../../src/laws/power.js';
import { parsePools } from '../../src/io/parsePools.js';
import { coordinateCheck, learningRateTransfer } from '../../src/hparams/mup.js';
import { fitHparamLaws } from '../../src/hparams/laws.js';
import { criticalBatchFromRuns, stepsToReach } from '../../src/hparams/criticalBatch.js';
import { summariseBootstrap } from '../../src/fit/bootstrap.js';
import { nonFiniteNumbers, printResult, writeResult } from '../../src/cli/output.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-faults-analyses-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const csv = (header: string, rows: (string | number)[][]) => `${header}\n${rows.map((r) => r.join(',')).join('\n')}\n`;
const truth = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };
const law = (N: number, D: number) => predictLoss(chinchilla, truth, { N, D });

/** Three IsoFLOP budgets of five sizes each around the optimum (lines 2–16), as [N, C, D]. */
const grid: [number, number, number][] = [1e17, 1e18, 1e19].flatMap((C) =>
  [-2, -1, 0, 1, 2].map((k): [number, number, number] => {
    const N = 0.1 * Math.sqrt(C / 6) * 10 ** (0.35 * k);
    return [N, C, C / (6 * N)];
  }),
);

/** Two groups whose loss falls with C (group a on lines 2–11, b on 12–21). */
const groupRows = (): (string | number)[][] =>
  (['a', 'b'] as const).flatMap((g) =>
    Array.from({ length: 10 }, (_, k) => {
      const C = 10 ** (17 + k * 0.5);
      return [g, C, g === 'a' ? 1.75 + 400 * C ** -0.16 : 1.7 + 40 * C ** -0.1];
    }),
  );

const dataset = (runs: Run[], columns: Dataset['columns'], source = 'x.csv'): Dataset => ({
  source,
  runs,
  columns,
  derived: {},
});

/** An InputError naming the file, line and column, and saying what is wrong. */
function located(file: string, line: number, column: string, detail: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.equal(e.location.file, file);
    assert.equal(e.location.line, line);
    assert.equal(e.location.columnName, column);
    assert.match(e.message, detail);
    return true;
  };
}

test('item 9: compare with a C of 1e308 or 5e-324, or a C = 6·N·D that overflows, is a located error, not exit 70 or Infinity', () => {
  for (const [value, said] of [
    ['1e308', /C = 1e308 is too large \(above 1e100/],
    ['5e-324', /C = 5e-324 is too small \(below 1e-100/],
  ] as const) {
    const rows = groupRows();
    rows[5][1] = value; // group a, line 7
    const f = file(`compare-${value}.csv`, csv('group,C,loss', rows));
    const r = scalelab(['compare', f, '--bootstrap', '10']);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.startsWith(`scalelab: error: ${f}:7 (column "C"): `), r.stderr);
    assert.match(r.stderr, said);
    assert.ok(noStackTrace(r.stderr), r.stderr);
    assert.equal(r.stdout, '');
  }
  // N = 1e308 with a D column: C = 6·N·D is Infinity, found on line 4 whichever layer refuses it.
  const rows = groupRows().map(([g, C, loss]) => [g, 1e8, Number(C) / 6e8, loss]);
  rows[2][1] = '1e308';
  const f = file('compare-overflow.csv', csv('group,N,D,loss', rows));
  const r = scalelab(['compare', f, '--bootstrap', '10']);
  assert.equal(r.code, 2, r.stderr);
  assert.ok(r.stderr.startsWith(`scalelab: error: ${f}:4`), r.stderr);
  assert.ok(noStackTrace(r.stderr), r.stderr);
});

test('review14: fit (by procedure and a law of its own) and backtest with a loss of 1e308 refuse it at its line, as report does (before: B = Infinity, exit 0; exit 70)', () => {
  const rows = readFileSync('examples/inputs/runs.csv', 'utf8').trimEnd().split('\n');
  rows[1] = rows[1].replace(/,[^,]*$/, ',1e308'); // line 2, column loss
  const f = file('loss-1e308.csv', rows.join('\n') + '\n');
  for (const args of [
    ['fit', f],
    ['fit', f, '--law', 'chinchilla', '--fix', 'E=1.5', '--json'],
    ['backtest', f, '--bootstrap', '10'],
  ]) {
    const r = scalelab(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(
      r.stderr.startsWith(
        `scalelab: error: ${f}:2 (column "loss"): loss = 1e308 is too large (above 1e100 in magnitude)`,
      ),
      r.stderr,
    );
    assert.ok(noStackTrace(r.stderr), r.stderr);
    assert.doesNotMatch(r.stdout, /Infinity|"B": null/);
  }
});

test('item 9: frontier with one N = 1e308 is a located error, never a = 75 and N_opt NaN', () => {
  const rows: (string | number)[][] = grid.map(([N, C]) => [N, C, law(N, C / (6 * N))]);
  rows[14][0] = '1e308'; // line 16, the largest budget
  const f = file('frontier-huge.csv', csv('N,C,loss', rows));
  const r = scalelab(['frontier', f, '--bootstrap', '10']);
  assert.equal(r.code, 2, r.stderr);
  // Refused at line 16 either when the file is read (D = C/(6N) underflows) or by the analysis (N too large).
  assert.ok(r.stderr.startsWith(`scalelab: error: ${f}:16`) && /1e\+?308/.test(r.stderr), r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /NaN/);
  assert.ok(noStackTrace(r.stderr), r.stderr);
});

test('item 9: plot and report with a D of 5e-324 are located errors, not "internal error: D must be a positive number"', () => {
  const rows: (string | number)[][] = grid.map(([N, , D]) => [N, D, law(N, D)]);
  rows[7][1] = '5e-324'; // line 9
  const f = file('tiny-d.csv', csv('N,D,loss', rows));
  for (const args of [
    ['plot', 'loss', f, '--out', join(dir, 'tiny.svg')],
    ['report', f, '--out', join(dir, 'tiny.html')],
  ]) {
    const r = scalelab([...args, '--bootstrap', '0']);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.startsWith(`scalelab: error: ${f}:9 (column "D"): D = 5e-324 is too small`), r.stderr);
    assert.ok(noStackTrace(r.stderr), r.stderr);
  }
});

test('item 9: numbers in flags beyond 1e±100 are usage errors (no hang, no exit 70); a plan for 1e100 FLOPs ends', () => {
  const limit = { timeout: 120_000 };
  const huge = scalelab(['plan', '--C', '1e308'], limit); // searched for a shape forever
  assert.equal(huge.code, 2, huge.stderr);
  assert.match(huge.stderr, /^scalelab: error: --C: 1e308 is too large \(above 1e100 in magnitude\)/);
  const pool = scalelab(['select', '--pool-size', '5e-324'], limit); // added 5e-324 to the samples seen, forever
  assert.equal(pool.code, 2, pool.stderr);
  assert.match(pool.stderr, /^scalelab: error: --pool-size: 5e-324 is too small/);
  const level = scalelab(['frontier', 'examples/cs336-isoflops.json', '--level', '1.5'], limit); // was exit 70 in quantile
  assert.equal(level.code, 2, level.stderr);
  assert.match(level.stderr, /--level: expected an interval level between 0 and 1/);
  // 1e100 FLOPs is allowed: no transformer shape holds 8.7e49 parameters, and the plan says so.
  const big = scalelab(['plan', '--C', '1e100', '--json'], limit);
  assert.equal(big.code, 0, big.stderr);
  assert.ok(
    big
      .json()
      .warnings.some(
        (w: { code: string; message: string }) => w.code === 'no-shape' && w.message.startsWith('no model shape found'),
      ),
    big.stdout,
  );
  for (const r of [huge, pool, level, big]) assert.ok(noStackTrace(r.stderr), r.stderr);
});

test('item 9: every file-reading analysis refuses a 1e308 or 5e-324 with the file, line and column', () => {
  const transfer = [64, 256].flatMap((width, w) =>
    [1e-3, 2e-3, 4e-3, 8e-3].map((lr, k): Run => ({
      width,
      lr,
      loss: 3 + Math.log(lr / 2e-3) ** 2 * 0.05,
      line: 2 + 4 * w + k,
    })),
  );
  transfer[3].width = 1e308;
  assert.throws(
    () => learningRateTransfer(dataset(transfer, { width: 'width', lr: 'lr', loss: 'loss' })),
    located('x.csv', 5, 'width', /width = 1e308 is too large/),
  );

  const curves = [64, 256].flatMap((batch, b) =>
    [100, 200, 400, 800].map((step, k): Run => ({
      run: `b${batch}`,
      batch,
      step,
      loss: 4 - k * 0.3 - b * 0.1,
      line: 2 + 4 * b + k,
    })),
  );
  curves[6].step = 5e-324;
  assert.throws(
    () => criticalBatchFromRuns(dataset(curves, { run: 'run', batch: 'batch', step: 'step', loss: 'loss' })),
    located('x.csv', 8, 'step', /step = 5e-324 is too small/),
  );

  const sweep = [1e18, 1e19].flatMap((C, c) =>
    [1e-3, 2e-3, 4e-3].map((lr, k): Run => ({ C, lr, batch: 2e5, loss: 3 - c * 0.1 + k * 0.01, line: 2 + 3 * c + k })),
  );
  sweep[4].loss = 1e308;
  assert.throws(
    () => fitHparamLaws(dataset(sweep, { C: 'C', lr: 'lr', batch: 'batch', loss: 'loss' }), { at: 1e20 }),
    located('x.csv', 6, 'loss', /loss = 1e308 is too large/),
  );

  const shapes: Run[] = [
    { N: 1.2e8, width: 1024, layers: 10, loss: 3.01, line: 2 },
    { N: 1.2e8, width: 768, layers: 17, loss: 5e-324, line: 3 },
  ];
  assert.throws(
    () => aspectSpread(dataset(shapes, { N: 'N', width: 'width', layers: 'layers', loss: 'loss' })),
    located('x.csv', 3, 'loss', /loss = 5e-324 is too small/),
  );

  assert.throws(
    () =>
      coordinateCheck(
        [
          { layer: 'attn', width: 64, value: 1, line: 2 },
          { layer: 'attn', width: 128, value: 1e308, line: 3 },
        ],
        0.2,
        'x.csv',
      ),
    // The whole sentence, as every reader words it (core/magnitude.ts's magnitudeRefusal).
    located(
      'x.csv',
      3,
      'value',
      /: value = 1e308 is too large \(above 1e100 in magnitude\): its products and powers overflow; expected values between 1e-100 and 1e100$/,
    ),
  );

  const points = Array.from({ length: 8 }, (_, i) => ({
    curve: 'c',
    x: 10 ** (3 + i * 0.4),
    y: 0.5 + 5 * 10 ** (-0.3 * (3 + i * 0.4)),
    train: i < 6,
    line: i + 2,
  }));
  points[2].x = 1e308;
  assert.throws(
    () => backtestCurves(points, powerLaw('D'), 'x.csv', { x: 'Seen Examples', y: 'Loss' }),
    located('x.csv', 4, 'Seen Examples', /x = 1e308 is too large/),
  );

  assert.throws(
    () => parsePools('name,b,tau\nstrict,-1e308,6.7\nloose,-0.12,8.5\n', 'pools.csv'),
    (e: unknown) =>
      e instanceof InputError &&
      e.message ===
        'pools.csv:2:2 (column "b"): b = -1e308 is too large (above 1e100 in magnitude): its products and powers overflow; expected values between 1e-100 and 1e100',
  );

  const curve = Array.from({ length: 8 }, (_, i): Run => ({
    D: 10 ** (6 + i),
    loss: 2 + 30 * 10 ** (-0.3 * (6 + i)),
    line: i + 2,
  }));
  curve[5].loss = 5e-324;
  assert.throws(
    () => learningCurveRegions(dataset(curve, { D: 'D', loss: 'loss' }), 'D'),
    located('x.csv', 7, 'loss', /loss = 5e-324 is too small/),
  );
});

test('item 10: frontier on a constant loss column is refused at the loss column, not a = 0.5 with exit 0', () => {
  const f = file(
    'frontier-flat.csv',
    csv(
      'N,D,loss',
      grid.map(([N, , D]) => [N, D, 3]),
    ),
  );
  const r = scalelab(['frontier', f, '--bootstrap', '10']);
  assert.equal(r.code, 2, r.stderr);
  assert.ok(
    r.stderr.startsWith(
      `scalelab: error: ${f}:2 (column "loss"): every run of the C = 1e17 budget has the same loss (3)`,
    ),
    r.stderr,
  );
  assert.match(r.stderr, /approach 3: .*every run has the same loss \(3\)/);
  assert.equal(r.stdout, '');
  assert.ok(noStackTrace(r.stderr), r.stderr);
});

test('item 10: frontier --approach 3 on runs of one model size is refused, not N_opt with a zero-width interval', () => {
  const f = file(
    'frontier-one-n.csv',
    csv(
      'N,D,loss',
      Array.from({ length: 8 }, (_, i) => [1e8, 1e9 * 2 ** i, law(1e8, 1e9 * 2 ** i)]),
    ),
  );
  const r = scalelab(['frontier', f, '--approach', '3', '--bootstrap', '10']);
  assert.equal(r.code, 2, r.stderr);
  assert.ok(
    r.stderr.startsWith(
      `scalelab: error: ${f}:2 (column "N"): every run has N = 1e8: fitting law chinchilla (its N term) needs runs at 3 or more different values of N`,
    ),
    r.stderr,
  );
  assert.ok(noStackTrace(r.stderr), r.stderr);
});

test('item 10: frontier refuses flat IsoFLOP profiles and vertex exponents outside 0…1; a bad bootstrap replicate is left out', () => {
  // Loss rising with scale as 1 + 0.1·ln(N·D): every profile (fixed N·D) is flat.
  const rising = dataset(
    grid.map(([N, C, D], i) => ({ N, C, D, loss: 1 + 0.1 * Math.log(N * D), line: i + 2 })),
    { N: 'N', C: 'C', loss: 'loss' },
  );
  assert.throws(
    () => approach2(rising, [1e23]),
    located('x.csv', 2, 'loss', /every run of the C = 1e17 budget has the same loss/),
  );
  // Minima at 2e6 then 2e8 for ten times the compute: N_opt ∝ C^2, so D_opt would shrink.
  const steep = dataset(
    [1e18, 1e19].flatMap((C, c) =>
      [1, 2, 4].map((m, k) => {
        const N = m * (c ? 1e8 : 1e6);
        return { N, C, D: C / (6 * N), loss: 3 - 0.2 * c + (k === 1 ? 0 : 0.1), line: 2 + 3 * c + k };
      }),
    ),
    { N: 'N', C: 'C', loss: 'loss' },
  );
  assert.throws(
    () => approach2(steep, [1e23]),
    (e: unknown) =>
      e instanceof InputError && /N_opt ∝ C\^2\.000: an exponent outside 0…1 means D_opt would shrink/.test(e.message),
  );
  // One replicate with α < 0 has no frontier: it is left out, not a FitError for the whole approach.
  const a3 = approach3(chinchilla, truth, [1e23], [truth, { ...truth, alpha: 0.35 }, { ...truth, alpha: -0.1 }]);
  assert.equal(a3.replicates, 2);
  assert.match(a3.warnings.join('\n'), /1 of 3 bootstrap replicates have no compute-optimal frontier/);
});

test('item 10: Approach 1 refuses training curves that never cross and an envelope whose loss rises with compute', () => {
  const curves = (loss: (N: number, D: number) => number, sizes: number[]) =>
    dataset(
      sizes.flatMap((N, i) =>
        Array.from({ length: 16 }, (_, k) => {
          const D = 10 ** (8 + k * 0.15);
          return { run: `r${i}`, N, D, C: 6 * N * D, loss: loss(N, D), line: 2 + 16 * i + k };
        }),
      ),
      { run: 'run', N: 'N', D: 'D', loss: 'loss' },
    );
  // The smaller run is lowest everywhere their compute overlaps: a "frontier" of one size, a ≈ 1e-28.
  assert.throws(
    () => approach1(curves(law, [1e7, 1e9]), [1e23]),
    (e: unknown) =>
      e instanceof InputError && /only one model size \(N = 1e7\) is ever the lowest at any compute/.test(e.message),
  );
  // Loss that grows with training: the lowest loss rises with compute, so nothing is compute-optimal.
  assert.throws(
    () =>
      approach1(
        curves((N, D) => 1 + 0.1 * Math.log(N * D), [1e7, 2.5e7, 6.3e7, 1.6e8]),
        [1e23],
      ),
    (e: unknown) =>
      e instanceof InputError &&
      /the lowest loss of the training curves does not fall as compute grows/.test(e.message),
  );
  assert.ok(approach1(curves(law, [1e7, 2.5e7, 6.3e7, 1.6e8, 4e8, 1e9]), [1e23]).a > 0.3);
});

test('item 10: curve never prints a negative or absurd intrinsic dimension, nor NaN slopes for repeated x', () => {
  const rows = Array.from({ length: 12 }, (_, i) => [10 ** (6 + i * 0.3), 2 + 0.05 * i]);
  const f = file('curve-rising.csv', csv('D,loss', rows));
  const r = scalelab(['curve', f]);
  assert.equal(r.code, 2, r.stderr);
  assert.ok(
    r.stderr.startsWith(`scalelab: error: ${f}:2 (column "loss"): the loss does not fall as D grows (fitted α = -`),
    r.stderr,
  );
  assert.match(r.stderr, /gives no intrinsic dimension for α ≤ 0/);
  assert.equal(r.stdout, '');
  // α = 6: no dimension, and the reason instead.
  const steep = learningCurveRegions(
    dataset(
      Array.from({ length: 12 }, (_, i) => ({ D: 2 + i * 0.5, loss: 0.5 + 3e6 * (2 + i * 0.5) ** -6, line: i + 2 })),
      { D: 'D', loss: 'loss' },
    ),
    'D',
  );
  assert.equal(steep.intrinsicDimension, undefined);
  assert.match(steep.intrinsicDimensionNote!, /^α = 6\.00 is far steeper than any published exponent/);
  assert.doesNotMatch(steep.summary, /intrinsic dimension of about/);
  // Two runs at each D (seeds): every slope is finite, measured from the previous D.
  const twice = Array.from({ length: 12 }, (_, i) => ({
    D: 10 ** (6 + Math.floor(i / 2)),
    loss: 2 + 30 * 10 ** (-0.3 * (6 + Math.floor(i / 2))) * (1 + 0.01 * (i % 2)),
    line: i + 2,
  }));
  const c = learningCurveRegions(dataset(twice, { D: 'D', loss: 'loss' }), 'D');
  assert.ok(
    c.points.every((p) => p.localSlope === undefined || Number.isFinite(p.localSlope)),
    JSON.stringify(c.points),
  );
  assert.equal(c.points.filter((p) => p.localSlope === undefined).length, 2);
  assert.ok(localSlopes(twice.map((p) => ({ x: p.D, y: p.loss }))).every((s) => Number.isFinite(s.slope)));
});

test('item 10: compare refuses a group of identical runs, a flat loss and a rising loss instead of fitting them', () => {
  const base = groupRows().map(([group, C, loss], i): Run => ({
    group: String(group),
    C: Number(C),
    loss: Number(loss),
    line: i + 2,
  }));
  const columns = { group: 'group', C: 'C', loss: 'loss' };
  const identical = base.map((r) => (r.group === 'a' ? { ...r, C: 1e18, loss: 3 } : r));
  assert.throws(
    () => compareGroups(dataset(identical, columns)),
    located(
      'x.csv',
      2,
      'C',
      /every run of group "a" has C = 1e18: a curve E \+ A·C\^\(−α\) needs runs at 4 or more different values of C/,
    ),
  );
  const flat = base.map((r) => (r.group === 'b' ? { ...r, loss: 2.5 } : r));
  assert.throws(
    () => compareGroups(dataset(flat, columns)),
    located('x.csv', 12, 'loss', /every run of group "b" has the same loss \(2\.5\)/),
  );
  const rising = base.map((r, i) => (r.group === 'a' ? { ...r, loss: 2 + 0.01 * i } : r));
  assert.throws(
    () => compareGroups(dataset(rising, columns)),
    located('x.csv', 2, 'loss', /the loss of group "a" does not fall as C grows \(fitted α = -/),
  );
});

test('item 10: curves with no curve it can score refuses instead of printing a median of NaN', () => {
  const f = file(
    'curves-one-x.csv',
    csv(
      'Domain,Task,Model,Seen Examples,Loss,Training',
      Array.from({ length: 6 }, (_, i) => ['d', 't', 'm', 1000, 0.5 + i * 0.01, i < 4 ? 1 : 0]),
    ),
  );
  const r = scalelab(['curves', f]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(
    r.stderr,
    `scalelab: error: ${f}: no curve could be scored: d / t / m: 1 distinct training x for 3 parameters\n`,
  );
  assert.equal(r.stdout, '');
});

test('item 10: depth-width says every shape ties instead of naming a best one', () => {
  const f = file(
    'shapes-tie.csv',
    'N,width,layers,loss\n1.2e8,1024,10,3\n1.2e8,768,17,3\n1.2e8,512,38,3\n9.4e8,2048,19,2.61\n9.4e8,1536,33,2.6\n',
  );
  const r = scalelab(['depth-width', f]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /1\.2e8 +3 +all tie +– +– +0\.00 %/);
  assert.match(r.stdout, /at N = 1\.2e8 every shape reached the same loss: these runs do not tell depth from width/);
  assert.match(r.stdout, /9\.4e8 +2 +33 × 1536/);
});

test('item 10: learning-rate sweeps with a flat loss are refused (mup transfer, hparams --sweep), not "it transfers"', () => {
  const transfer = [64, 256].flatMap((width, w) =>
    [1e-3, 2e-3, 4e-3, 8e-3].map((lr, k): Run => ({
      width,
      lr,
      loss: w ? 3 + Math.log(lr / 2e-3) ** 2 * 0.05 : 3,
      line: 2 + 4 * w + k,
    })),
  );
  assert.throws(
    () => learningRateTransfer(dataset(transfer, { width: 'width', lr: 'lr', loss: 'loss' })),
    located('x.csv', 2, 'loss', /every run at width 64 has the same loss \(3\)/),
  );
  const sweep = [1e18, 1e19].flatMap((C, c) =>
    [1e-3, 2e-3, 4e-3].map((lr, k): Run => ({ C, lr, batch: 2e5, loss: 3, line: 2 + 3 * c + k })),
  );
  assert.throws(
    () => fitHparamLaws(dataset(sweep, { C: 'C', lr: 'lr', batch: 'batch', loss: 'loss' }), { at: 1e20 }),
    located('x.csv', 2, 'loss', /every run has the same loss \(3\)/),
  );
});

test('item 10: bcrit FILE refuses a constant loss and one-checkpoint runs, and does not count a target passed before the first checkpoint', () => {
  const columns = { run: 'run', batch: 'batch', step: 'step', loss: 'loss' };
  const flat = [64, 256].flatMap((batch, b) =>
    [100, 200, 400].map((step, k): Run => ({ run: `b${batch}`, batch, step, loss: 3, line: 2 + 3 * b + k })),
  );
  assert.throws(
    () => criticalBatchFromRuns(dataset(flat, columns)),
    located('x.csv', 2, 'loss', /every run has the same loss \(3\)/),
  );
  const single: Run[] = [
    { run: 'b64', batch: 64, step: 100, loss: 4, line: 2 },
    { run: 'b256', batch: 256, step: 100, loss: 3.5, line: 3 },
  ];
  assert.throws(
    () => criticalBatchFromRuns(dataset(single, columns)),
    located('x.csv', 2, 'run', /run "b64" has one checkpoint/),
  );
  // Already at 2 (below 3) when first logged at step 100: it got there at some earlier, unlogged step.
  assert.equal(
    stepsToReach(
      [
        { step: 100, loss: 2 },
        { step: 200, loss: 1.9 },
      ],
      3,
    ),
    undefined,
  );
  assert.equal(
    stepsToReach(
      [
        { step: 100, loss: 3 },
        { step: 200, loss: 2 },
      ],
      3,
    ),
    100,
  );
});

test('item 10: plan and predict refuse a fit whose runs never varied N, and locate a non-positive exponent in the fit file', () => {
  const runs = file(
    'fit-one-n.csv',
    csv(
      'N,D,loss',
      Array.from({ length: 8 }, (_, i) => [1e8, 1e9 * 2 ** i, law(1e8, 1e9 * 2 ** i)]),
    ),
  );
  const fitFile = join(dir, 'fit-one-n.json');
  // The Chinchilla form as asked (auto would reduce it to a power law in D, which plan refuses too).
  const fit = scalelab(['fit', runs, '--law', 'chinchilla', '--loss', 'huber', '--out', fitFile]);
  assert.equal(fit.code, 0, fit.stderr);
  const json = JSON.parse(readFileSync(fitFile, 'utf8'));
  const rangesLine =
    readFileSync(fitFile, 'utf8')
      .split('\n')
      .findIndex((l) => /^ {6}"N": \[$/.test(l)) + 1;
  const plan = scalelab(['plan', '--C', '1e22', '--fit', fitFile]);
  assert.equal(plan.code, 2, plan.stderr);
  assert.ok(
    plan.stderr.startsWith(
      `scalelab: error: ${fitFile}:${rangesLine}:12 (column "data.ranges.N"): the fit's runs all had N = 1e8: its N term is not determined by them`,
    ),
    plan.stderr,
  );
  const predict = scalelab(['predict', '--fit', fitFile, '--N', '1e9', '--D', '2e10']);
  assert.equal(predict.code, 2, predict.stderr);
  assert.match(
    predict.stderr,
    /the fit's runs all had N = 1e8: its N dependence is not determined by them, so it cannot predict at N = 1e9/,
  );
  // At the one N the runs had, the prediction stands.
  assert.equal(scalelab(['predict', '--fit', fitFile, '--N', '1e8', '--D', '2e10']).code, 0);

  // The same fit with α < 0 and N varied: plan (was exit 1, unlocated) names the field's line and column.
  json.params.alpha = -0.04;
  json.data.ranges.N = [1e7, 1e9];
  const negative = join(dir, 'fit-negative.json');
  const text = JSON.stringify(json, null, 2);
  writeFileSync(negative, text);
  const alphaLine = text.split('\n').findIndex((l) => l.startsWith('    "alpha": ')) + 1;
  const p2 = scalelab(['plan', '--C', '1e22', '--fit', negative]);
  assert.equal(p2.code, 2, p2.stderr);
  assert.ok(
    p2.stderr.startsWith(
      `scalelab: error: ${negative}:${alphaLine}:14 (column "params.alpha"): the law's alpha = -0.04 is not positive`,
    ),
    p2.stderr,
  );
  const w = scalelab(['predict', '--fit', negative, '--N', '1e9', '--D', '2e10', '--json']);
  assert.equal(w.code, 0, w.stderr);
  assert.match(
    w
      .json()
      .warnings.map((x: { message: string }) => x.message)
      .join('\n'),
    /the law's alpha = -0\.04 is not positive: its loss does not fall with N/,
  );
  for (const r of [plan, predict, p2]) assert.ok(noStackTrace(r.stderr), r.stderr);
});

test('item 10: report refuses identical runs (was exit 70 in a quantile); plot prints the analysis warnings', () => {
  const f = file(
    'identical.csv',
    csv(
      'N,D,loss',
      Array.from({ length: 8 }, () => [1e8, 2e9, 3]),
    ),
  );
  const r = scalelab(['report', f, '--bootstrap', '10', '--out', join(dir, 'identical.html')]);
  assert.equal(r.code, 2, r.stderr);
  assert.ok(r.stderr.startsWith(`scalelab: error: ${f}:2 (column "loss"): every run has the same loss (3)`), r.stderr);
  assert.ok(noStackTrace(r.stderr), r.stderr);
  const rising = file(
    'rising.csv',
    csv(
      'N,D,loss',
      grid.map(([N, , D]) => [N, D, 1 + 0.1 * Math.log(N * D) + 0.01 * Math.log(N)]),
    ),
  );
  const p = scalelab(['plot', 'loss', rising, '--bootstrap', '0', '--out', join(dir, 'rising.svg')]);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stderr, /^wrote .*rising\.svg/);
  assert.match(p.stderr, /\nwarning: frontier: the law's alpha = -?[\d.]+ is not positive|\nwarning: fit: alpha = /);
});

test('item 10: the output layer refuses NaN and Infinity as results, naming where they are', () => {
  assert.deepEqual(nonFiniteNumbers({ a: 1, targets: [{ N: NaN }, { D: Infinity }], ok: [1, 2] }), [
    'targets[0].N = NaN',
    'targets[1].D = Infinity',
  ]);
  assert.deepEqual(nonFiniteNumbers({ a: 1, b: [2, { c: 3 }], s: 'NaN' }), []);
  assert.throws(
    () => printResult({ loss: NaN }, 'runs.csv'),
    (e: unknown) =>
      e instanceof InputError && /^runs\.csv: the analysis came out non-finite \(loss = NaN\)/.test(e.message),
  );
  assert.throws(
    () => writeResult('N_opt  NaN [1e10, 2e10]\n', 'runs.csv'),
    (e: unknown) => e instanceof InputError && /non-finite \(NaN in "N_opt {2}NaN \[1e10, 2e10\]"\)/.test(e.message),
  );
  assert.throws(
    () => writeResult('spread Infinity %\n'),
    (e: unknown) => e instanceof UsageError,
  );
  // A file name may hold anything: only the report's own numbers are scanned.
  const out: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
  try {
    writeResult('from NaN-runs.csv: a = 0.5\n', 'NaN-runs.csv');
  } finally {
    process.stdout.write = write;
  }
  assert.deepEqual(out, ['from NaN-runs.csv: a = 0.5\n']);
});

test('item 10: a bootstrap summary whose replicates are all non-finite has no interval instead of crashing', () => {
  const names = chinchilla.params.map((p) => p.name);
  const values = Float64Array.from({ length: 3 * names.length }, () => NaN);
  const s = summariseBootstrap(chinchilla, {
    names,
    values,
    converged: Uint8Array.of(1, 1, 1),
    replicates: 3,
    seed: 0,
  });
  assert.deepEqual(s.intervals, {});
  assert.deepEqual(s.derivedIntervals, {});
  assert.equal(s.converged, 3);
});

test('item 10: selection over a pool too small for its budget is refused, not a million-pass loop', () => {
  const tiny = { ...goyal2024, poolSize: 1, pools: [{ name: 'slow', b: -0.16, tau: 1e9 }] };
  assert.throws(
    () => selectionError(tiny, ['slow'], 1e12),
    (e: unknown) => e instanceof UsageError && /more than 1e6 passes over the data/.test(e.message),
  );
  assert.ok(Number.isFinite(selectionError(goyal2024, ['top 0–10 %'], 1e10)));
});
