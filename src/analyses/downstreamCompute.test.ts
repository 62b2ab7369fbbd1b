/**
 * One compute count in the downstream analyses: a ladder whose C is not 6·N·D (a manifest's FLOPs per token)
 * measured against targets and plans placed at 6·N·D, and what the text says of it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normal, randomSource } from '../core/random.js';
import type { TaskMetric } from '../io/parseTaskMetrics.js';
import {
  bootstrapDownstream,
  computeRatio,
  fitDownstream,
  finalPoints,
  ladderMaxC,
  sigmoidAccuracy,
  taskLadder,
} from './downstream.js';
import { analyseLadder } from './downstreamLadder.js';
import { planTable, predictionTable } from '../report/text/downstream.js';
import { downstreamSections } from '../report/downstreamHtml.js';

const law = { E: 0.45, A: 60, alpha: 0.3, B: 300, beta: 0.3 };
const sig = { floor: 0.25, ceiling: 1, L0: 0.9, k: 6 };
const taskLoss = (N: number, D: number) => law.E + law.A / N ** law.alpha + law.B / D ** law.beta;

/**
 * 4 sizes × 3 token multipliers, 12 checkpoints each; each checkpoint's C is `ratio` × 6·N·D, as a
 * manifest's FLOPs per token gives it (ratio 1: no C recorded, so 6·N·D).
 */
function ladder(ratio: number): TaskMetric[] {
  const random = randomSource(3);
  const out: TaskMetric[] = [];
  let line = 1;
  for (const N of [1.9e8, 3.7e8, 7.6e8, 1.3e9])
    for (const mult of [1, 3, 10]) {
      for (let i = 1; i <= 12; i++) {
        const D = (20 * N * mult * i) / 12;
        const tl = taskLoss(N, D) * (1 + 0.003 * normal(random));
        const acc = sigmoidAccuracy(sig, tl) + 0.003 * normal(random);
        const run = `${N}-${mult}x`;
        const C = ratio === 1 ? {} : { C: ratio * 6 * N * D };
        out.push(
          { run, N, D, ...C, task: 't', metric: 'bpb', value: tl, line: line++ },
          { run, N, D, ...C, task: 't', metric: 'acc', value: acc, line: line++ },
        );
      }
    }
  return out;
}

const data = (ratio: number) => ({
  source: 'ladder.csv',
  sets: [],
  records: ladder(ratio),
  roles: new Map(),
  tasks: [{ task: 't', chance: 0.25 }],
});

test("C_max in the target's count: a 6·N·D target against the runs' 6·N·D, a target with C against the data's C", () => {
  const l = taskLadder(ladder(1.5), 'ladder.csv', { task: 't' });
  const finals = finalPoints(l);
  assert.deepEqual(
    Object.values(computeRatio(finals)).map((x) => +x.toFixed(9)),
    [1.5, 1.5, 1.5],
  );
  const largest6ND = 6 * 1.3e9 * 20 * 1.3e9 * 10;
  assert.ok(Math.abs(ladderMaxC(finals, true) / largest6ND - 1) < 1e-12);
  assert.ok(Math.abs(ladderMaxC(finals, false) / (1.5 * largest6ND) - 1) < 1e-12);
  // The same model given by N and D alone, and with its C in the ladder's count: the same distance beyond
  // the ladder, so the same extrapolation term, so (same seed, same draws) the same accuracy interval.
  // Before, the 6·N·D one was measured against the ladder's 1.5× larger C_max and came out narrower.
  const f = fitDownstream(l, { chance: 0.25 });
  const N = 7e9,
    D = 1.4e12;
  const options = { replicates: 30, seed: 1 };
  const [bare] = bootstrapDownstream(l, f, [{ N, D }], options);
  const [counted] = bootstrapDownstream(l, f, [{ N, D, C: 1.5 * 6 * N * D }], options);
  assert.deepEqual(bare.accuracy, counted.accuracy);
  // A 6·N·D C marked as such (a loss plan's model) is measured as one without C.
  const [marked] = bootstrapDownstream(l, f, [{ N, D, C: 6 * N * D, computeCount: '6ND' }], options);
  assert.deepEqual(marked.accuracy, bare.accuracy);
  // Without the term the two differ by nothing either way, so the term is what the test turns on.
  const [wrong] = bootstrapDownstream(l, f, [{ N, D, C: 6 * N * D }], options);
  assert.notDeepEqual(wrong.accuracy, bare.accuracy);
});

test('a ladder counted otherwise than 6·N·D: distances in one count, each C named, a caveat for a 6·N·D target and for a plan', () => {
  const N = 7e9,
    D = 1.4e12;
  const targets = [
    { label: 'bare', N, D },
    { label: 'given', N, D, C: 1.5 * 6 * N * D },
  ];
  const [t] = analyseLadder(data(1.5), { tasks: ['t'], targets, plan: { t: 0.8 }, replicates: 0 });
  const [bare, given] = t.targets;
  assert.equal(bare.computeCount, '6ND');
  assert.equal(given.computeCount, 'given');
  // Both lie the same factor beyond the ladder, each measured in its own count.
  const factor = (m: string) => Number(/is ([\d.e]+)× the largest C/.exec(m)![1]);
  assert.match(
    bare.warnings![0].message,
    /^C = 5\.88e22 \(6·N·D\) is [\d.]+× the largest C in the ladder's runs, also at 6·N·D \(/,
  );
  assert.match(
    given.warnings![0].message,
    /^C = 8\.82e22 \(as given, in the ladder's count\) is [\d.]+× the largest C in the ladder's runs, as the data count them \(/,
  );
  assert.equal(factor(bare.warnings![0].message), factor(given.warnings![0].message));
  assert.deepEqual(t.computeRatio && +t.computeRatio.median.toFixed(6), 1.5);
  const caveats = t.caveats ?? [];
  const targetCaveat = caveats.find((c) => c.includes('but bare is at C = 6·N·D'));
  assert.ok(targetCaveat, caveats.join('\n'));
  assert.match(targetCaveat, /1\.50–1\.50× 6·N·D over its runs \(median 1\.50×\); step 1's law in C/);
  assert.match(targetCaveat, /option "C"/);
  assert.ok(!caveats.some((c) => c.includes('given is at')));
  assert.ok(caveats.some((c) => /the plan's C is 6·N·D on step 1's compute-optimal frontier/.test(c)));
  assert.equal(t.plan?.computeCount, '6ND');
  // A loss plan's model carries its C = 6·N·D: the caveat names it, without asking for a C it already has.
  const [budget] = analyseLadder(data(1.5), {
    tasks: ['t'],
    targets: [{ label: 'budget', N, D, C: 6 * N * D, computeCount: '6ND' }],
    replicates: 0,
  });
  const budgetCaveat = (budget.caveats ?? []).find((c) => c.includes('but budget is at C = 6·N·D'));
  assert.ok(budgetCaveat && !/option "C"/.test(budgetCaveat), (budget.caveats ?? []).join('\n'));
  assert.match(
    budget.targets[0].warnings![0].message,
    /\(6·N·D\) is [\d.]+× the largest C in the ladder's runs, also at 6·N·D/,
  );
  // The CLI names the flag, the library its option.
  const text = predictionTable([t], (o) => `--${o}`);
  assert.match(text, /give the target's C as D × its FLOPs per token counted as the ladder's are \(--C\)/);
  assert.match(
    text,
    /C \(FLOPs\) of the targets: bare 5\.88e22 \(C = 6·N·D\); given 8\.82e22 \(C as given, in the ladder's count\)/,
  );

  // On a ladder at 6·N·D nothing is said of counts, and the distance reads as before.
  const [plain] = analyseLadder(data(1), { tasks: ['t'], targets: [targets[0]], plan: { t: 0.8 }, replicates: 0 });
  assert.ok(!(plain.caveats ?? []).some((c) => /count/.test(c)), (plain.caveats ?? []).join('\n'));
  assert.match(
    plain.targets[0].warnings![0].message,
    /^C = 5\.88e22 \(6·N·D\) is [\d.]+× the largest C in the ladder's runs \(/,
  );
});

test('the tables name the interval (level, replicates, unit, s and its default), step 2, the task loss metric and the route through C', () => {
  const [t] = analyseLadder(data(1.5), {
    tasks: ['t'],
    targets: [{ label: '7B', N: 7e9, D: 1.4e12 }],
    plan: { t: 0.8 },
    replicates: 20,
  });
  const text = predictionTable([t]);
  assert.match(
    text,
    /^Predictions \(95 % intervals: 20 bootstrap replicates resampling whole ladder runs through both steps, plus one evaluation's noise and an extrapolation term s·log10\(1 \+ C\/C_max\), s = 0\.057 \(default\); docs\/methods\.md §32\):\n {2}step 2: the average of three sigmoids \(floor at chance, ceiling 1; floor at chance, ceiling fitted; floor fitted, ceiling fitted\), with the ideal point \(task loss 0, accuracy 1\) \(default\)\n/,
  );
  assert.match(text, /task loss \(bpb\) .*through C \(step 1 in C, then step 2\)/);
  const plan = planTable([t]);
  assert.match(
    plan,
    /^Plan: the compute-optimal model \(C = 6·N·D\) reaching the target accuracy \(95 % intervals: 20 bootstrap replicates resampling whole ladder runs through both steps, with an extrapolation term .*s = 0\.057 \(default\)/,
  );
  assert.equal(t.plan?.replicates, 20);
  // Another slope is not the default; one sigmoid without the ideal point is named as such.
  const [u] = analyseLadder(data(1.5), {
    tasks: ['t'],
    targets: [{ label: '7B', N: 7e9, D: 1.4e12 }],
    replicates: 5,
    extrapolation: 0.03,
    sigmoid: 'one',
    floor: 'free',
    ceiling: 'free',
    idealPoint: false,
  });
  const other = predictionTable([u]);
  assert.match(other, /s = 0\.03;/);
  assert.match(
    other,
    /step 2: one sigmoid \(floor fitted, ceiling fitted\), without the ideal point \(task loss 0, accuracy 1\)\n/,
  );
  // The HTML page names the metric and the route too.
  const html = downstreamSections([t])
    .map((s) => s.html)
    .join('\n');
  assert.match(html, /step 1: task loss \(bpb\) from N, D/);
  assert.match(html, /through C \(step 1 in C, then step 2\)/);
  assert.match(html, /20 bootstrap replicates resampling whole ladder runs/);
});
