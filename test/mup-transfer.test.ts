// mup transfer on synthetic sweeps with a known slope: the interval follows the noise (a residual bootstrap
// on the fixed grid of rates), the verdict says "transfers" only when the interval is tight around 0, a
// diverged run bounds its width's optimum, and --width gives η* at a target width.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { learningRateTransfer, TRANSFER_BAND } from '../src/hparams/mup.js';
import { learningRateTransferReport } from '../src/report/text/hparams.js';
import { parseRuns } from '../src/io/parseRuns.js';
import { randomSource, normal } from '../src/core/random.js';

const widths = [256, 512, 1024, 2048, 4096];
const truth = (w: number, slope: number) => 3e-3 * (w / 256) ** slope;

/**
 * Per width, 9 rates on a √2 lattice centred within a step of the truth; loss a parabola in log2 η
 * (1 % worse at 2× off), times (1 + noise·ε). Returns CSV text.
 */
function sweeps(slope: number, noise: number, seed: number, rates = 9): string {
  const random = randomSource(seed, 1);
  const rows = ['width,lr,loss'];
  for (const w of widths) {
    const centre = Math.round(Math.log2(truth(w, slope)) * 2) + Math.floor(random() * 3) - 1;
    for (let i = -(rates - 1) / 2; i <= (rates - 1) / 2; i++) {
      const lr = 2 ** ((centre + i) / 2);
      const loss = 3 * (w / 256) ** -0.1 * (1 + 0.01 * Math.log2(lr / truth(w, slope)) ** 2);
      rows.push(`${w},${lr},${loss * (1 + noise * normal(random))}`);
    }
  }
  return rows.join('\n') + '\n';
}

const check = (text: string, targetWidth?: number) =>
  learningRateTransfer(
    parseRuns(text, { source: 'sweeps.csv', keepDiverged: true }),
    { replicates: 200, seed: 0, level: 0.95 },
    { targetWidth },
  );

test('a true slope of −0.1 on nearly exact data is not called transfer; a true 0 is, with a tight interval', () => {
  for (let seed = 1; seed <= 4; seed++) {
    const drift = check(sweeps(-0.1, 1e-5, seed));
    assert.equal(drift.kind, 'moves', drift.verdict);
    assert.ok(drift.interval![1] < 0, `${drift.interval} excludes 0`);
    assert.ok(
      drift.interval![1] - drift.interval![0] < 0.01,
      `width follows the noise, not the grid: ${drift.interval}`,
    );
    assert.match(drift.verdict, /does not transfer/);
    const flat = check(sweeps(0, 1e-5, seed));
    assert.ok(flat.interval![1] - flat.interval![0] < 0.01, `${flat.interval}`);
    assert.ok(Math.abs(flat.slope) < 0.01, `slope ${flat.slope}`);
  }
  // At five of these seeds 0 is inside a tight interval: "transfers" (a 95 % interval misses now and then).
  const kinds = [1, 2, 3, 4, 5, 6].map((seed) => check(sweeps(0, 1e-5, seed)).kind);
  assert.ok(kinds.filter((k) => k === 'transfers').length >= 5, kinds.join());
});

test('at 0.2 % noise the 95 % interval covers the true slope about 95 % of the time and is about as wide as the spread', () => {
  const slopes: number[] = [];
  let covered = 0,
    widthSum = 0,
    calledTransfer = 0;
  const n = 20;
  for (let seed = 1; seed <= n; seed++) {
    const r = check(sweeps(-0.15, 0.002, seed));
    slopes.push(r.slope);
    if (r.interval![0] <= -0.15 && -0.15 <= r.interval![1]) covered++;
    widthSum += r.interval![1] - r.interval![0];
    if (r.kind === 'transfers' || r.kind === 'consistent') calledTransfer++;
    assert.equal(r.intervalMethod?.method, 'residual bootstrap');
    assert.equal(r.intervalMethod?.level, 0.95);
  }
  const mean = slopes.reduce((t, s) => t + s, 0) / n;
  const sd = Math.sqrt(slopes.reduce((t, s) => t + (s - mean) ** 2, 0) / (n - 1));
  assert.ok(covered >= 16, `covered ${covered}/${n}`);
  // The old run bootstrap was 2.2× too wide here (and ±0.1 on exact data); a right-sized interval is 2·1.96·sd.
  const ratio = widthSum / n / (2 * 1.96 * sd);
  assert.ok(ratio > 0.6 && ratio < 1.6, `width ratio ${ratio}`);
  assert.equal(calledTransfer, 0, 'a drift of width^−0.15 is not called transfer');
});

test('a wide interval around 0 says "consistent with transfer" and how large a drift it does not exclude', () => {
  const r = check(sweeps(0, 0.006, 3));
  assert.ok(r.interval![0] <= 0 && r.interval![1] >= 0 && r.interval![1] - r.interval![0] > 2 * TRANSFER_BAND);
  assert.equal(r.kind, 'consistent');
  assert.match(
    r.verdict,
    /^consistent with transfer .*a drift of width\^s for s in 95 % \[-?\d\.\d\d, -?\d\.\d\d\] is not excluded/,
  );
});

test('η* at a target width, with its interval, covers the truth; beyond the swept widths it says extrapolation', () => {
  const r = check(sweeps(-0.3, 0.002, 7), 8192);
  assert.ok(r.atWidth);
  const t = truth(8192, -0.3);
  assert.ok(r.atWidth.interval![0] <= t && t <= r.atWidth.interval![1], `${r.atWidth.interval} holds ${t}`);
  assert.ok(Math.abs(Math.log(r.atWidth.learningRate / t)) < 0.1, `${r.atWidth.learningRate} vs ${t}`);
  assert.equal(r.atWidth.extrapolation, 2);
});

test('a diverged run (loss nan or inf) is counted and bounds its width; the parabolas leave it out', () => {
  // Width 4096 with its two largest rates diverged; width 256 with the rate above its best diverged.
  const lines = sweeps(0, 1e-4, 2).trimEnd().split('\n');
  const header = lines[0];
  const rows = lines.slice(1).map((l) => l.split(','));
  const at = (w: number) => rows.filter((r) => Number(r[0]) === w).sort((a, b) => Number(a[1]) - Number(b[1]));
  const w4096 = at(4096);
  w4096[8][2] = 'nan';
  w4096[7][2] = 'inf';
  const text = [header, ...rows.map((r) => r.join(','))].join('\n') + '\n';
  const r = check(text);
  assert.equal(r.diverged, 2);
  const top = r.widths.find((w) => w.width === 4096)!;
  assert.equal(top.diverged, 2);
  assert.equal(top.runs, 7);
  assert.equal(top.divergedAt, Number(w4096[7][1]));
  assert.ok(top.learningRate < top.divergedAt!);
  assert.ok(r.interval![0] <= 0 && r.interval![1] >= 0, `${r.interval}`);
  // Read without asking for diverged runs (every other command), the nan is refused at its line and column.
  assert.throws(
    () => parseRuns(text, { source: 'sweeps.csv' }),
    /sweeps\.csv:\d+:\d+ \(column "loss"\): expected a finite positive number for loss, got "inf"; 1 more row has no usable loss/,
  );
  // An empty loss is a crashed run, not a divergence: still refused.
  const crashed = text.replace(/,nan\n/, ',\n');
  assert.throws(
    () => parseRuns(crashed, { source: 'c.csv', keepDiverged: true }),
    /no usable loss|expected a .*number for loss/,
  );
});

test('a best rate at the top of a sweep with a divergence just above it is bracketed, not "at the edge"', () => {
  const rows = ['width,lr,loss'];
  for (const w of [256, 1024]) {
    // Losses fall to the largest rate that trained; the next one diverged.
    // Two seeds a rate, so the parabolas have residuals to resample.
    [1e-3, 2e-3, 4e-3, 8e-3].forEach((lr, k) =>
      [-1, 1].forEach((e) => rows.push(`${w},${lr},${4 - 0.1 * k - w * 1e-4 + 0.002 * e * (-1) ** k}`)),
    );
    rows.push(`${w},1.6e-2,NaN`);
  }
  const r = check(rows.join('\n') + '\n');
  assert.ok(
    r.widths.every((w) => !w.atEdge && w.divergedAt === 1.6e-2),
    JSON.stringify(r.widths),
  );
  // The optimum is anywhere in [0.008, 0.016]: the point is their geometric mean, the interval draws within.
  assert.ok(r.widths.every((w) => Math.abs(w.learningRate - Math.sqrt(0.008 * 0.016)) < 1e-12));
  assert.ok(r.interval![0] < -0.2 && r.interval![1] > 0.2, `${r.interval}`);
  assert.match(
    r.warnings.join('\n'),
    /width 256: the best rate that trained is the sweep's largest and the next one diverged \(0\.016\): the optimum lies between 0\.008 and 0\.016/,
  );
});

test('a drift measured precisely inside ±0.1 (width^−0.05) transfers in practice; it is not called "moves" for excluding 0', () => {
  for (let seed = 1; seed <= 3; seed++) {
    const r = check(sweeps(-0.05, 1e-5, seed));
    assert.ok(r.interval![1] < 0 && r.interval![0] > -TRANSFER_BAND, `${r.interval}`);
    assert.equal(r.kind, 'transfers', r.verdict);
    assert.match(r.verdict, /does not move with width beyond width\^±0\.1 .*it transfers/);
  }
});

test("an interval whose lower end is open (an optimum at its sweep's end) holds −1 without evidence: up to −0.3 it moves, it is not called drift", () => {
  // True slope −0.3; the widest width's sweep starts above its optimum, so its best rate is its lowest and
  // the slope is at most the interval's upper end.
  const text = sweeps(-0.3, 1e-4, 1)
    .trim()
    .split('\n')
    .filter((row, i) => {
      if (i === 0) return true;
      const [w, lr] = row.split(',').map(Number);
      return w !== 4096 || lr >= truth(4096, -0.3) * 1.3;
    })
    .join('\n');
  const r = check(text + '\n');
  assert.equal(r.openEnd, 'lower');
  assert.ok(r.interval![1] > -0.5 && r.interval![1] < 0, `${r.interval}`);
  assert.equal(r.kind, 'moves', r.verdict);
  assert.match(r.verdict, /at most -0\.\d+, an optimum at its sweep's end being a bound.*it does not transfer/);
  assert.doesNotMatch(r.verdict, /standard-parametrisation drift/);
});

test("--width with every optimum at its sweep's end: the rate is said as not measured, not given bare", () => {
  const r = learningRateTransfer(
    parseRuns(readFileSync(new URL('./fixtures/mup-all-edge.csv', import.meta.url), 'utf8'), { source: 'edge.csv' }),
    { replicates: 50, seed: 0, level: 0.95 },
    { targetWidth: 8192 },
  );
  assert.equal(r.kind, 'unsettled');
  assert.match(
    learningRateTransferReport(r),
    /\nat width 8192: optimal η [\d.e-]+, not measured: every optimum lies at its sweep's end/,
  );
});

test("the best rate at its sweep's end at most widths: 'cannot tell', naming those widths, not 'consistent with transfer'", () => {
  // True slope −0.3; at the three widest widths the grid stops below the true η* (its top a √2 step
  // under it), so their best rate is the highest tried and the slope only "at least" a bound; the two
  // narrowest are bracketed.
  const random = randomSource(7, 1);
  const rows = ['width,lr,loss'];
  for (const w of widths) {
    const top = w >= 1024 ? Math.log2(truth(w, -0.3)) - 0.5 : Math.log2(truth(w, -0.3)) + 2;
    for (let i = 0; i < 9; i++) {
      const lr = 2 ** (top - i / 2);
      const loss = 3 * (w / 256) ** -0.1 * (1 + 0.01 * Math.log2(lr / truth(w, -0.3)) ** 2);
      rows.push(`${w},${lr},${loss * (1 + 2e-3 * normal(random))}`);
    }
  }
  const r = check(rows.join('\n') + '\n');
  assert.deepEqual(
    r.widths.filter((w) => w.atEdge).map((w) => [w.width, w.edge]),
    [
      [1024, 'highest'],
      [2048, 'highest'],
      [4096, 'highest'],
    ],
  );
  assert.equal(r.kind, 'unsettled', r.verdict);
  assert.doesNotMatch(r.verdict, /consistent with transfer|transfers/);
  assert.match(
    r.verdict,
    /^cannot tell: the optimum lies at the sweep's end at 3 of 5 widths \(1024, 2048, 4096 at the highest rate\).*extend those sweeps$/,
  );
  // The text report leads with the same words.
  assert.match(learningRateTransferReport(r), /cannot tell: the optimum lies at the sweep's end at 3 of 5 widths/);
});
