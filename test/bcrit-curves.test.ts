// bcrit FILE on synthetic training curves with a known B_crit(L): noisy evaluations do not count the steps
// early (the crossing is read on a monotone fit), a B_crit that does not grow as the loss falls is said as one
// value, not as a law with a negative exponent, and an interval from surviving replicates says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticalBatchAtLoss, criticalBatchFromRuns, stepsToReach } from '../src/hparams/criticalBatch.js';
import { parseRuns } from '../src/io/parseRuns.js';
import { readRuns } from '../src/io/readRuns.js';
import { normal, randomSource } from '../src/core/random.js';
import { batchUnit, criticalBatchFromRunsAnswer, criticalBatchTargetTable } from '../src/report/text/hparams.js';

const batches = [2 ** 12, 2 ** 13, 2 ** 14, 2 ** 16, 2 ** 18, 2 ** 20];
const sMin = (L: number) => 2000 / (L - 2) ** 2;

/** Curves S(L) = S_min(L)·(1 + B_crit(L)/B), evaluated every 2 % in steps with relative loss noise `noise`. */
function curves(bCrit: (L: number) => number, noise: number, seed: number, batchColumn = 'batch'): string {
  const random = randomSource(seed, 5);
  const rows = [`run,${batchColumn},step,loss`];
  for (const B of batches) {
    const Ls: number[] = [],
      lnS: number[] = [];
    for (let L = 6; L >= 2.55; L -= 0.002) {
      Ls.push(L);
      lnS.push(Math.log(sMin(L) * (1 + bCrit(L) / B)));
    }
    let j = 0;
    for (let ls = lnS[0]; ls <= lnS[lnS.length - 1]; ls += 0.02) {
      while (j < lnS.length - 2 && lnS[j + 1] < ls) j++;
      const t = (ls - lnS[j]) / (lnS[j + 1] - lnS[j]);
      const L = Ls[j] + t * (Ls[j + 1] - Ls[j]);
      rows.push(`b${B},${B},${Math.exp(ls)},${L * (1 + noise * normal(random))}`);
    }
  }
  return rows.join('\n') + '\n';
}

const kaplanLike = (L: number) => 1e7 / L ** (1 / 0.21);

test('the steps to a target are read on a monotone fit of the curve: a noise dip below the target is not the crossing', () => {
  const curve = [
    { step: 100, loss: 4.2 },
    { step: 200, loss: 3.98 }, // a dip of the noise below 4
    { step: 300, loss: 4.04 },
    { step: 400, loss: 4.02 },
    { step: 500, loss: 3.9 },
  ];
  // The raw first crossing would be between 100 and 200; the monotone fit pools 3.98, 4.04, 4.02 at 4.0133.
  const s = stepsToReach(curve, 4)!;
  assert.ok(s > 400 && s < 500, `steps ${s}`);
  // An exact falling curve is its own fit.
  assert.ok(
    Math.abs(
      stepsToReach(
        [
          { step: 100, loss: 5 },
          { step: 400, loss: 3 },
        ],
        4,
      )! - 200,
    ) < 1e-9,
  );
});

test('with 1 % evaluation noise, B_crit at the highest target is not biased low (it was −5 % from the first raw crossing)', () => {
  const errors: number[] = [];
  for (let seed = 1; seed <= 12; seed++) {
    const r = criticalBatchFromRuns(
      parseRuns(curves(kaplanLike, 0.01, seed), { source: 'c.csv', require: [] }),
      [4, 3.5, 3],
    );
    errors.push(Math.log(r.fits[0].bCrit / kaplanLike(4)));
  }
  const mean = errors.reduce((t, e) => t + e, 0) / errors.length;
  assert.ok(Math.abs(mean) < 0.025, `mean ln error at target 4: ${mean} (${errors.map((e) => e.toFixed(3))})`);
});

test('a B_crit that does not grow as the loss falls is said as one value with its interval, not as L^(1/-α)', () => {
  // B_crit falls a little as the loss falls: the law's α_B comes out negative.
  const shrinking = (L: number) => 5e5 * (L / 3) ** 0.3;
  const ds = parseRuns(curves(shrinking, 0, 1, 'batch_tokens'), { source: 'flat.csv', require: [] });
  const r = criticalBatchFromRuns(ds, undefined, { replicates: 200, seed: 0, level: 0.95 });
  assert.ok(r.law!.alphaB < 0, `α_B ${r.law!.alphaB}`);
  assert.ok(r.flat, 'flat');
  const lo = shrinking(r.flat.losses[0]),
    hi = shrinking(r.flat.losses[1]);
  assert.ok(r.flat.bCrit > lo && r.flat.bCrit < hi, `${r.flat.bCrit} between ${lo} and ${hi}`);
  const { text } = criticalBatchFromRunsAnswer({
    source: 'flat.csv',
    result: r,
    replicates: 200,
    seed: 0,
    batchColumn: 'batch_tokens',
  });
  assert.match(
    text,
    /B_crit is about flat across these losses \(\d\.\d+ … \d\.\d+\): ≈ \d\.\d+e5 \[\d\.\d+e5, \d\.\d+e5\] in tokens/,
  );
  assert.doesNotMatch(text, /L\^\(1\/-/);
  assert.match(text, /2·E_min = \S+ tokens \(E = S·B counts what the batch counts\)/);
  // --target-loss there is refused, offering the flat value.
  assert.throws(
    () => criticalBatchAtLoss(r, 2.8, 'flat.csv'),
    /B_crit does not grow as the loss falls .*B_crit is about flat across the losses .*≈ \d\.\d+e5 \(95 % \[.*\]\), which is the value to use near them/,
  );
  // A B_crit that grows as the loss falls keeps its law.
  const grows = criticalBatchFromRuns(parseRuns(curves(kaplanLike, 0, 1), { source: 'g.csv', require: [] }));
  assert.equal(grows.flat, undefined);
  assert.ok(Math.abs(grows.law!.alphaB - 0.21) < 0.01, `α_B ${grows.law!.alphaB}`);
});

test('the law interval from the replicates that survived says so and the share lost (the README example)', () => {
  const r = criticalBatchFromRuns(readRuns('examples/inputs/curves.csv', { require: [] }), undefined, {
    replicates: 1000,
    seed: 0,
    level: 0.95,
  });
  assert.deepEqual(r.lawRefits, { kept: 585, drawn: 1000 });
  const { text } = criticalBatchFromRunsAnswer({
    source: 'curves.csv',
    result: r,
    replicates: 1000,
    seed: 0,
    batchColumn: 'batch',
  });
  assert.match(
    text,
    /95 % from only the 585 of 1000 bootstrap resamples that kept a step\/data trade-off at every target \(415, 42 %, lost one at some target and are left out, so the interval is conditional on surviving/,
  );
  assert.match(text, /examples, in units of column "batch"/);
  assert.equal(batchUnit('num_sequences'), 'sequences');
});

test('a late spike after a run reached the target does not undo the crossing (the monotone fit ends at the lowest point)', () => {
  const curve = [100, 200, 400, 800, 1600, 3200].map((step) => ({ step, loss: 5 * step ** -0.1 }));
  const reached = stepsToReach(curve, 2.8)!;
  assert.ok(reached > 0 && reached < 3200, `${reached}`);
  // The same run, with one late evaluation far above (a divergence at its end): the crossing stands.
  assert.equal(stepsToReach([...curve, { step: 6400, loss: 9 }], 2.8), reached);
  // A rise before the target is reached still pools with what it follows (a noisy dip is not counted).
  const noisy = [
    { step: 100, loss: 4 },
    { step: 200, loss: 3.4 },
    { step: 400, loss: 3.8 },
    { step: 800, loss: 3.3 },
  ];
  assert.ok(stepsToReach(noisy, 3.5)! > 200);
});

test("the table's batch sizes count batch sizes, not runs: two seeds at each of six batch sizes are 6 (12 runs)", () => {
  const text = curves(() => 3e5, 0.002, 3);
  const [header, ...rows] = text.trim().split('\n');
  // A second seed of every run: the same curve under another run name, its losses 0.1 % higher.
  const seeds = rows.map((r) => {
    const [run, batch, step, loss] = r.split(',');
    return [`${run}-seed1`, batch, step, String(Number(loss) * 1.001)].join(',');
  });
  const ds = parseRuns([header, ...rows, ...seeds].join('\n') + '\n', { source: 'seeds.csv' });
  const { header: head, rows: table } = criticalBatchTargetTable(criticalBatchFromRuns(ds), 0);
  const column = head.indexOf('batch sizes');
  assert.ok(table.length > 0);
  for (const row of table) assert.equal(row[column], '6 (12 runs)');
  // One run per batch size: the count alone, as before.
  const one = criticalBatchTargetTable(criticalBatchFromRuns(parseRuns(text, { source: 'one.csv' })), 0);
  for (const row of one.rows) assert.equal(row[column], '6');
});
