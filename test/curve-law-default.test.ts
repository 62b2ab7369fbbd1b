/**
 * The default curve law is the one the real back-tests choose (bench/curve-law-backtest.ts): the Gemstones'
 * cooldown branches (examples/curve-laws/gemstones-wsd/) and the moby-curves study, leave one data set out.
 * Point predictions only here (the choice reads the errors; the bench's intervals take minutes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CURVE_EXTRAPOLATION, DEFAULT_CURVE_LAW } from '../src/analyses/curveLaws.js';
import {
  gemstonesCases,
  gemstonesCurves,
  leaveOneOut,
  mobyCases,
  score,
  SUMMARY,
} from '../bench/curve-law-backtest.js';

test('the Gemstones curves: 18 shapes, each a trunk and ten branches that leave it where its schedule says', () => {
  const models = gemstonesCurves();
  assert.equal(models.size, 18);
  for (const [model, curves] of models) {
    const trunk = curves.find((c) => c.name.endsWith('-trunk'))!;
    assert.equal(trunk.points.length, 175, model);
    const branches = curves.filter((c) => c !== trunk);
    assert.equal(branches.length, 10, model);
    for (const b of branches) {
      const [, start, end] = /cooldown-(\d+)-to-(\d+)$/.exec(b.name)!.map(Number);
      assert.equal(b.points.at(-1)!.step, end);
      // Constant up to the branch point, then falling to 1/decaySteps of the peak at the last step.
      assert.equal(b.lrs[start - 1], 1);
      assert.ok(b.lrs[start] < 1);
      assert.ok(Math.abs(b.lrs[end - 1] - 1 / (end - start)) < 1e-12, b.name);
      // A cooldown ends below where it left its trunk.
      const at = trunk.points.find((p) => p.step === start);
      if (at) assert.ok(b.points[0].loss < at.loss, b.name);
    }
  }
  const csv = readFileSync(new URL('../examples/curve-laws/gemstones-wsd/curves.csv', import.meta.url), 'utf8');
  for (const line of csv.trim().split('\n').slice(1)) {
    const [, , , step, tokens] = line.split(',');
    assert.equal(Number(tokens), Number(step) * 2048 * 2048, line);
  }
});

test(
  'curve-law default: the law both real data sets choose, left out in turn (bench/curve-law-backtest.ts)',
  { timeout: 300_000 },
  () => {
    const cases = [...gemstonesCases(0), ...mobyCases()];
    const choice = leaveOneOut(cases);
    assert.deepEqual(choice, { gemstones: DEFAULT_CURVE_LAW, moby: DEFAULT_CURVE_LAW });
    // The README's numbers: mean |relative error| of the final loss per law and data set.
    const err = (law: string, dataset: string) =>
      score(cases.filter((c) => c.law === law && c.dataset === dataset)).meanAbsError;
    assert.equal(cases.filter((c) => c.dataset === 'gemstones' && c.law === 'multi-power').length, 216);
    assert.equal((100 * err('multi-power', 'gemstones')).toFixed(2), '0.32');
    assert.equal((100 * err('lr-annealing', 'gemstones')).toFixed(2), '2.25');
    assert.equal((100 * err('multi-power', 'moby')).toFixed(1), '2.4');
    assert.equal((100 * err('lr-annealing', 'moby')).toFixed(1), '25.0');
  },
);

test('the README quotes the recorded back-test (examples/curve-laws/backtest.json), and the shipped extrapolation slope is its choice', () => {
  const summary = JSON.parse(readFileSync(SUMMARY, 'utf8')) as {
    table: { law: string; dataset: string; cases: number; meanAbsError: number; inside: number }[];
    agreed: string;
    extrapolation: {
      pooled: { slope: number; coverage: number };
      leaveOneModelOut: { inside: number; cases: number; slopes: number[] };
      leaveOneOut: { gemstones: { without: number } };
      coverageBySlope: { slope: number; inside: number; cases: number }[];
    };
    medianWidth: Record<string, number>;
  };
  assert.equal(summary.agreed, DEFAULT_CURVE_LAW);
  assert.equal(summary.extrapolation.pooled.slope, CURVE_EXTRAPOLATION);
  assert.ok(summary.extrapolation.pooled.coverage >= 0.95);
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  // The prose: the slope and its pooled coverage, the term's absence, the Gemstones models left out.
  const x = summary.extrapolation;
  const flat = readme.replace(/\s+/g, ' ');
  assert.ok(flat.includes(`s = ${x.pooled.slope} — the smallest slope`), 'the slope');
  assert.ok(
    flat.includes(
      `on average over 10 seeds of the interval's random draws (${(100 * x.pooled.coverage).toFixed(1)} %)`,
    ),
  );
  const at = (slope: number) => Math.round(x.coverageBySlope.find((r) => r.slope === slope)!.inside);
  assert.ok(
    flat.includes(`held about ${Math.round(x.leaveOneOut.gemstones.without)} of the 216 Gemstones losses`),
    'without the term',
  );
  assert.ok(flat.includes(`(${at(0.005)} of 220 at 0.005, ${at(0.0075)} at 0.0075)`), 'coverage by slope');
  assert.ok(
    flat.includes(
      `(${x.leaveOneModelOut.slopes.join(' or ')}), has its intervals hold ${Math.round(x.leaveOneModelOut.inside)} of ${x.leaveOneModelOut.cases}`,
    ),
    'leave one model out',
  );
  for (const law of ['multi-power', 'LR-annealing']) {
    const row = (dataset: string) => summary.table.find((r) => r.law === law.toLowerCase() && r.dataset === dataset)!;
    const g = row('gemstones'),
      m = row('moby');
    const line = readme
      .split('\n')
      .find((l) => l.startsWith(`| ${law === 'multi-power' ? '**multi-power** (default)' : law} |`));
    assert.ok(line, `README row for ${law}`);
    const cells = line!.split('|').map((c) => c.replace(/\*/g, '').trim());
    assert.equal(cells[2], `${(100 * g.meanAbsError).toFixed(2)} %`);
    assert.equal(cells[3], `${g.inside} of ${g.cases} (${Math.round((100 * g.inside) / g.cases)} %)`);
    assert.equal(cells[4], `${summary.medianWidth[law.toLowerCase()].toFixed(3)} nats`);
    assert.equal(cells[5], `${(100 * m.meanAbsError).toFixed(1)} %`);
    assert.equal(cells[6], `${m.inside} of ${m.cases}`);
  }
});
