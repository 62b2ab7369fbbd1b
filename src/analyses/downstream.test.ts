import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normal, randomSource } from '../core/random.js';
import type { TaskMetric } from '../io/parseTaskMetrics.js';
import { InputError } from '../errors/index.js';
import {
  bootstrapDirect,
  bootstrapDownstream,
  directAccuracy,
  directPlan,
  fitDirect,
  fitDownstream,
  fitLossToError,
  fitValidationLossLaw,
  errorFromLoss,
  fitSigmoid,
  fitStep2,
  lossForAccuracy,
  planForAccuracy,
  predictDownstream,
  sigmoidAccuracy,
  taskLadder,
  trailingMean,
} from './downstream.js';
import {
  actualErrorWords,
  backtestTask,
  errorAgainstActual,
  judgedError,
  screenTask,
  spearman,
} from './downstreamScreen.js';
import { analyseLadder, averageTask } from './downstreamLadder.js';
import {
  accuracyInterval,
  downstreamJson,
  fitTable,
  partsNote,
  planTable,
  predictionTable,
  screenNotes,
  screenTable,
  valLossNotes,
} from '../report/text/downstream.js';
import { downstreamSections } from '../report/downstreamHtml.js';

/** The synthetic ladder's truth: a Chinchilla-form task loss and a sigmoid with floor 0.25 and ceiling 0.95. */
const law = { E: 0.45, A: 60, alpha: 0.3, B: 300, beta: 0.3 };
const sig = { floor: 0.25, ceiling: 0.95, L0: 0.9, k: 6 };
const taskLoss = (N: number, D: number) => law.E + law.A / N ** law.alpha + law.B / D ** law.beta;

/**
 * 4 sizes × 4 token multipliers, 30 checkpoints each, task-loss noise 0.5 %, accuracy noise 0.005; the sigmoid
 * `truth` (the ceiling-0.95 one unless given).
 */
function syntheticLadder(seed: number, accuracyNoise = 0.005, truth: typeof sig = sig): TaskMetric[] {
  const random = randomSource(seed);
  const out: TaskMetric[] = [];
  let line = 1;
  for (const N of [1.9e8, 3.7e8, 7.6e8, 1.3e9]) {
    for (const mult of [1, 2, 5, 10]) {
      const Dmax = 20 * N * mult;
      for (let i = 1; i <= 30; i++) {
        const D = (Dmax * i) / 30;
        const tl = taskLoss(N, D) * (1 + 0.005 * normal(random));
        const acc = sigmoidAccuracy(truth, tl) + accuracyNoise * normal(random);
        const run = `${N}-${mult}x`;
        out.push(
          { run, N, D, task: 't', metric: 'bpb', value: tl, line: line++ },
          { run, N, D, task: 't', metric: 'acc', value: acc, line: line++ },
        );
      }
    }
  }
  return out;
}

test('sigmoid: the inverse gives back the loss; a fit on exact points recovers every parameter', () => {
  const L = 0.8;
  assert.ok(Math.abs(lossForAccuracy(sig, sigmoidAccuracy(sig, L))! - L) < 1e-12);
  assert.equal(lossForAccuracy(sig, 0.96), undefined);
  const points = Array.from({ length: 40 }, (_, i) => ({
    loss: 0.5 + i * 0.03,
    accuracy: sigmoidAccuracy(sig, 0.5 + i * 0.03),
  }));
  const f = fitSigmoid(points, 'exact', { floor: 'free', ceiling: 'free' });
  for (const k of ['floor', 'ceiling', 'L0', 'k'] as const)
    assert.ok(Math.abs(f[k] - sig[k]) < 1e-5 * Math.max(1, sig[k]), `${k}: ${f[k]} vs ${sig[k]}`);
  assert.deepEqual(trailingMean([1, 2, 3, 4], 2), [1, 1.5, 2.5, 3.5]);
});

test('synthetic ladder: both steps recover the known law and sigmoid at a 7B target', () => {
  const records = syntheticLadder(1);
  const ladder = taskLadder(records, 'synthetic', { task: 't' });
  // The ceiling is 0.95 here, which the ideal point (loss 0 → accuracy 1) contradicts: fitted without it.
  const f = fitDownstream(ladder, {
    sigmoid: 'one',
    floor: 'free',
    ceiling: 'free',
    extrapolation: 0,
    idealPoint: false,
  });
  assert.ok(Math.abs(f.step1.params.alpha - law.alpha) < 0.1, `alpha ${f.step1.params.alpha}`);
  assert.ok(Math.abs(f.step1.params.E - law.E) < 0.05, `E ${f.step1.params.E}`);
  assert.ok(Math.abs(f.step2.L0 - sig.L0) < 0.02, `L0 ${f.step2.L0}`);
  assert.ok(Math.abs(f.step2.k - sig.k) < 0.6, `k ${f.step2.k}`);
  assert.ok(Math.abs(f.step2.floor - sig.floor) < 0.03, `floor ${f.step2.floor}`);
  assert.ok(Math.abs(f.step2.ceiling - sig.ceiling) < 0.05, `ceiling ${f.step2.ceiling}`);
  const target = { N: 7e9, D: 4e12 };
  const truth = sigmoidAccuracy(sig, taskLoss(target.N, target.D));
  const p = predictDownstream(f, target);
  assert.ok(Math.abs(p.accuracy - truth) < 0.01, `${p.accuracy} vs ${truth}`);
});

/**
 * How many of 10 seeds' 95 % bootstrap intervals at the 7B target hold the truth, fitting the sigmoid with or
 * without the ideal point (the extrapolation term off: the model is the world's, so the run bootstrap alone
 * must cover). 24 replicates a seed keep it to seconds.
 */
function coverage(truthSigmoid: typeof sig, idealPoint: boolean) {
  const target = { N: 7e9, D: 4e12 };
  const truth = sigmoidAccuracy(truthSigmoid, taskLoss(target.N, target.D));
  let covered = 0;
  const errors: number[] = [];
  for (let seed = 1; seed <= 10; seed++) {
    const ladder = taskLadder(syntheticLadder(seed, 0.005, truthSigmoid), 'synthetic', { task: 't' });
    const f = fitDownstream(ladder, { sigmoid: 'one', floor: 'free', ceiling: 'free', extrapolation: 0, idealPoint });
    const [iv] = bootstrapDownstream(ladder, f, [target], { replicates: 24, seed });
    if (iv.accuracy[0] <= truth && truth <= iv.accuracy[1]) covered++;
    assert.ok(iv.accuracy[1] - iv.accuracy[0] < 0.1, 'an interval of the whole unit range would cover anything');
    errors.push(predictDownstream(f, target).accuracy - truth);
  }
  return { covered, bias: errors.reduce((t, e) => t + e, 0) / errors.length };
}

test('the bootstrap interval covers the truth at a 7B target over seeds: the default (ideal point) on a ceiling-1 task', () => {
  // The ideal point (task loss 0 → accuracy 1) is right where the task's ceiling is 1.
  const r = coverage({ ...sig, ceiling: 1 }, true);
  assert.ok(r.covered >= 8, `covered in ${r.covered} of 10`);
  assert.ok(Math.abs(r.bias) < 0.006, `bias ${r.bias}`);
});

test('a ceiling-0.95 task: without the ideal point the interval covers; with it the prediction is biased up', () => {
  const without = coverage(sig, false);
  assert.ok(without.covered >= 8, `covered in ${without.covered} of 10`);
  assert.ok(Math.abs(without.bias) < 0.006, `bias ${without.bias}`);
  // The default's bias on such a task (README, the downstream method): about +0.0115 at this target.
  const withIdeal = coverage(sig, true);
  assert.ok(withIdeal.bias > 0.006, `bias with the ideal point ${withIdeal.bias}`);
  assert.ok(
    withIdeal.covered < 8,
    `with the ideal point the interval is centred off the truth: ${withIdeal.covered} of 10`,
  );
});

test('an interval end held at 1 (replicates past it clamped) is marked clipped, in the result and the text', () => {
  const ladder = taskLadder(syntheticLadder(1), 'synthetic', { task: 't' });
  // The defaults' extrapolation term at 83× the ladder's compute pushes the upper replicates past 1.
  const f = fitDownstream(ladder, { chance: 0.25 });
  const [iv] = bootstrapDownstream(ladder, f, [{ N: 7e9, D: 4e12 }], { replicates: 24, seed: 1 });
  assert.equal(iv.accuracy[1], 1);
  assert.deepEqual(iv.clipped, ['upper']);
  assert.match(accuracyInterval(iv), /^\[0\.\d{3}, 1\.000 \(clipped\)\]$/);
  // Near the ladder, nothing is clamped: no mark.
  const [near] = bootstrapDownstream(ladder, f, [{ N: 1e9, D: 2e10 }], { replicates: 24, seed: 1 });
  assert.equal(near.clipped, undefined);
  assert.match(accuracyInterval(near), /^\[0\.\d{3}, 0\.\d{3}\]$/);
  assert.equal(accuracyInterval({ accuracy: [0, 0.2], clipped: ['lower'] }), '[0.000 (clipped), 0.200]');
});

test('the direct law in C marks an interval end held at 1 clipped too, as the two-step route does', () => {
  const truth = { floor: 0.25, ceiling: 1, L0: -Math.log(1e21), k: 0.8 };
  const records: TaskMetric[] = [];
  let line = 1;
  for (const N of [7e7, 1.6e8, 4e8, 1e9, 1.4e9])
    for (let step = 1; step <= 16; step++) {
      const D = step * 2e10;
      records.push({
        run: `m${N}`,
        N,
        D,
        task: 'q',
        metric: 'acc',
        value: directAccuracy(truth, 6 * N * D),
        line: line++,
      });
    }
  const ladder = taskLadder(records, 'direct', { task: 'q' });
  const s = fitDirect(ladder, { chance: 0.25 });
  // At 3,700× the ladder's compute the extrapolation term pushes replicates past 1 (the text said "1.000" unmarked).
  const [far, near] = bootstrapDirect(ladder, s, [{ C: 1e25 }, { C: 1e20 }], { chance: 0.25, replicates: 24, seed: 1 });
  assert.equal(far.accuracy[1], 1);
  assert.deepEqual(far.clipped, ['upper']);
  assert.match(accuracyInterval(far), /^\[0\.\d{3}, 1\.000 \(clipped\)\]$/);
  assert.ok(near.accuracy[1] < 1, `${near.accuracy}`);
  assert.equal(near.clipped, undefined);
});

test('a rerun is paired with its ladder run by name (<run>-rerun), else by its N and final tokens; one of neither is named, not silently left out', () => {
  const records = syntheticLadder(3, 0);
  const ladder = taskLadder(records, 'synthetic', { task: 't' });
  // Another seed of the 1.9e8 1× run, each accuracy 0.01 higher: the seed σ is 0.01 / √2 however it is named.
  const rerun = (name: string, N = 1.9e8) =>
    records
      .filter((r) => r.run === '190000000-1x')
      .map((r) => ({ ...r, run: name, N, value: r.metric === 'acc' ? r.value + 0.01 : r.value }));
  for (const name of ['190000000-1x-rerun', 'lad-190m-seed2']) {
    const screen = screenTask(ladder, { chance: 0.25, reruns: taskLadder(rerun(name), 'reruns', { task: 't' }) });
    assert.ok(Math.abs(screen.seedSd! - 0.01 / Math.SQRT2) < 1e-9, `${name}: ${screen.seedSd}`);
    assert.equal(screen.rerunsUnpaired, undefined);
  }
  // A rerun of a size no ladder run has pairs with none: no seed σ, and its name said.
  const stray = screenTask(ladder, { chance: 0.25, reruns: taskLadder(rerun('odd', 2.5e8), 'reruns', { task: 't' }) });
  assert.equal(stray.seedSd, undefined);
  assert.deepEqual(stray.rerunsUnpaired, ['odd']);
});

test('synthetic ladder: the back-test holds out the largest size; the screen calls the task predictable, and one near chance otherwise', () => {
  const ladder = taskLadder(syntheticLadder(2), 'synthetic', { task: 't' });
  const bt = backtestTask(ladder, { chance: 0.25 });
  assert.equal(bt.N, 1.3e9);
  assert.equal(bt.runs.length, 4);
  assert.ok(bt.meanRelativeError! < 0.05, `${bt.meanRelativeError}`);
  assert.equal(bt.judgedOn, 'relative error');
  const screen = screenTask(ladder, { chance: 0.25 });
  assert.equal(screen.verdict, 'predictable', screen.reasons.join('; '));
  // The same ladder's accuracy flattened to 0.26 ± 0.01: near chance.
  const flat = syntheticLadder(2).map((r) => (r.metric === 'acc' ? { ...r, value: 0.26 + (r.value - 0.5) * 0.01 } : r));
  assert.equal(screenTask(taskLadder(flat, 'flat', { task: 't' }), { chance: 0.25 }).verdict, 'near chance');
  assert.equal(spearman([1, 2, 3], [3, 2, 1]), -1);
});

/**
 * A generated-answer task (gsm8k's exact match: no answer choices, so no chance level known): the ladder's
 * sigmoid with floor 0 and ceiling 0.9, its midpoint L0 moved to put the ladder's accuracies near zero or
 * just above it; accuracy noise 0.002, held at 0 (an exact-match score is never negative).
 */
function generatedLadder(seed: number, L0: number): TaskMetric[] {
  return syntheticLadder(seed, 0.002, { floor: 0, ceiling: 0.9, L0, k: 6 }).map((r) =>
    r.metric === 'acc' ? { ...r, value: Math.max(0, r.value) } : r,
  );
}

test('a generated-answer task near zero (no chance level known) is near chance against the floor 0 (default), its back-test judged on absolute error', () => {
  for (const seed of [1, 2]) {
    const ladder = taskLadder(generatedLadder(seed, 0), 'near-zero', { task: 't' });
    const screen = screenTask(ladder);
    assert.equal(screen.chance, undefined);
    assert.equal(screen.floor, 0);
    assert.ok(screen.accuracyRange[1] < 0.03, `${screen.accuracyRange}`);
    assert.equal(screen.verdict, 'near chance', screen.reasons.join('; '));
    assert.match(screen.reasons[0], /of the floor 0 \(default/);
    const bt = screen.backtest!;
    assert.equal(bt.judgedOn, 'absolute error');
    assert.equal(bt.threshold, 0.01);
    // Relative errors of such a task are tens of per cent whatever the fit; the absolute error is under a point.
    assert.ok(bt.meanAbsoluteError < 0.01, `${bt.meanAbsoluteError}`);
    for (const r of bt.runs) assert.ok(Math.abs(r.absoluteError - (r.predicted - r.actual)) < 1e-15);
    const notes = screenNotes([{ task: 't', screen }]).map((n) => n.text);
    assert.ok(
      notes.some((n) => /back-test judged on absolute error in accuracy points/.test(n)),
      notes.join('\n'),
    );
  }
  // Every output says it alike: the text, the HTML report and the JSON of the whole analysis.
  const data = { source: 'near-zero.csv', sets: [], records: generatedLadder(1, 0), roles: new Map(), tasks: [] };
  const tasks = analyseLadder(data, { replicates: 0 });
  assert.equal(tasks[0].screen!.verdict, 'near chance');
  const table = screenTable(tasks);
  assert.match(table, /t +near chance +0 \(default\)/);
  assert.match(table, /\d\.\d accuracy points \(two-step\)/);
  assert.match(table, /t: back-test judged on absolute error in accuracy points/);
  assert.doesNotMatch(table, /% \(two-step\)/);
  const html = downstreamSections(tasks, {})
    .map((x) => x.html)
    .join('');
  assert.match(html, /<td>0 \(default\)<\/td>/);
  assert.match(html, /accuracy points \(two-step\)/);
  assert.match(html, /[+−]\d\.\d pts/);
  assert.match(html, /back-test judged on absolute error in accuracy points/);
  const json = JSON.parse(JSON.stringify(downstreamJson(tasks))) as {
    screen: { floor: number; backtest: { judgedOn: string; meanAbsoluteError: number } };
  }[];
  assert.equal(json[0].screen.floor, 0);
  assert.equal(json[0].screen.backtest.judgedOn, 'absolute error');
  assert.ok(json[0].screen.backtest.meanAbsoluteError < 0.01);
});

test('a generated-answer task just above the floor is not near chance; its back-test is judged on absolute error below 0.10, on relative error above', () => {
  for (const seed of [1, 2]) {
    const ladder = taskLadder(generatedLadder(seed, 0.3), 'above-floor', { task: 't' });
    const screen = screenTask(ladder);
    assert.ok(screen.accuracyRange[1] > 0.05 && screen.accuracyRange[1] < 0.1, `${screen.accuracyRange}`);
    assert.notEqual(screen.verdict, 'near chance', screen.reasons.join('; '));
    assert.equal(screen.verdict, 'predictable', screen.reasons.join('; '));
    assert.equal(screen.backtest!.judgedOn, 'absolute error');
    assert.ok(screen.backtest!.meanAbsoluteError < 0.01, `${screen.backtest!.meanAbsoluteError}`);
  }
  // The same task higher up (held-out accuracies above 0.10): relative error, as every other task.
  const higher = screenTask(taskLadder(generatedLadder(1, 0.6), 'higher', { task: 't' }));
  assert.ok(Math.min(...higher.backtest!.runs.map((r) => r.actual)) >= 0.1);
  assert.equal(higher.backtest!.judgedOn, 'relative error');
  assert.equal(higher.backtest!.threshold, 0.1);
});

test('loss → error exponential (Gadre et al. 2024): recovers ε, k, γ from exact points', () => {
  const truth = { epsilon: 0.8, k: 3, gamma: 0.9 };
  const points = Array.from({ length: 12 }, (_, i) => {
    const L = 2.2 + i * 0.15;
    return { valLoss: L, error: truth.epsilon - truth.k * Math.exp(-truth.gamma * L) };
  });
  const f = fitLossToError(points, 'exact');
  assert.ok(Math.abs(f.epsilon - truth.epsilon) < 1e-3 && Math.abs(f.gamma - truth.gamma) < 1e-2, JSON.stringify(f));
  assert.ok(Math.abs(errorFromLoss(f, 2.5) - (truth.epsilon - truth.k * Math.exp(-truth.gamma * 2.5))) < 1e-5);
});

test('plan for accuracy: the planned compute-optimal model reaches the target accuracy on the fitted law', () => {
  const ladder = taskLadder(syntheticLadder(4), 'synthetic', { task: 't' });
  const f = fitDownstream(ladder, { chance: 0.25 });
  const plan = planForAccuracy(f, 0.7)!;
  const N = plan.N!,
    D = plan.D!;
  assert.ok(plan.C > 1e18 && Math.abs(plan.C - 6 * N * D) / plan.C < 1e-9);
  assert.ok(Math.abs(predictDownstream(f, { N, D }).accuracy - 0.7) < 1e-6);
  assert.equal(planForAccuracy(f, 0.999), undefined);
  // A replicate's draw of the extrapolation term bends the curve: up reaches the accuracy sooner, down later or never.
  const maxC = 6 * 1.3e9 * 2.6e10;
  const up = planForAccuracy(f, 0.7, f.step2, f.step1.params, { shift: 0.05, maxC })!;
  const down = planForAccuracy(f, 0.7, f.step2, f.step1.params, { shift: -0.05, maxC })!;
  assert.ok(up.C < plan.C && plan.C < down.C, `${up.C} ${plan.C} ${down.C}`);
  const upN = up.N!,
    upD = up.D!;
  const reached = predictDownstream(f, { N: upN, D: upD }).accuracy + 0.05 * Math.log10(1 + up.C / maxC);
  assert.ok(Math.abs(reached - 0.7) < 1e-6, `${reached}`);
  assert.equal(planForAccuracy(f, 0.7, f.step2, f.step1.params, { shift: -1, maxC }), undefined);
});

test('direct law in C (a task with no task loss): the sigmoid of −ln C recovers a known curve; the plan inverts it', () => {
  const truth = { floor: 0.25, ceiling: 1, L0: -Math.log(1e21), k: 0.8 };
  const records: TaskMetric[] = [];
  let line = 1;
  for (const N of [7e7, 1.6e8, 4e8, 1e9, 1.4e9]) {
    for (let step = 1; step <= 16; step++) {
      const D = step * 2e10,
        C = 6 * N * D;
      records.push({ run: `m${N}`, N, D, task: 'q', metric: 'acc', value: directAccuracy(truth, C), line: line++ });
    }
  }
  const ladder = taskLadder(records, 'direct', { task: 'q' });
  assert.equal(ladder.lossMetric, '');
  const s = fitDirect(ladder, { chance: 0.25 });
  assert.ok(Math.abs(s.k - truth.k) < 1e-3 && Math.abs(s.L0 - truth.L0) < 1e-3, JSON.stringify(s));
  const plan = directPlan('q', s, 0.6)!;
  assert.ok(Math.abs(directAccuracy(truth, plan.C) - 0.6) < 1e-4);
  assert.equal(plan.N, undefined);
  assert.equal(directPlan('q', s, 1), undefined);
  // Above a ceiling held below 1, the reason speaks of compute: this law has no task loss.
  const data = { source: 'synthetic', sets: [], records, roles: new Map(), tasks: [] };
  const [capped] = analyseLadder(data, {
    tasks: ['q'],
    plan: { q: 0.97 },
    sigmoid: 'one',
    ceiling: 0.95,
    replicates: 0,
  });
  assert.equal(capped.plan!.unreached, "0.97 is at or above the fitted sigmoid's ceiling 0.950: no compute gives it");
});

test('averaged sigmoid (the default step 2): three members, floor and ceiling held or fitted in turn; its inverse gives back the loss', () => {
  const points = Array.from({ length: 40 }, (_, i) => ({
    loss: 0.5 + i * 0.03,
    accuracy: sigmoidAccuracy(sig, 0.5 + i * 0.03),
  }));
  const avg = fitStep2(points, 'exact', { chance: 0.25 });
  assert.equal(avg.members?.length, 3);
  assert.deepEqual(
    avg.members!.map((m) => [m.floor === 0.25, m.ceiling === 1]),
    [
      [true, true],
      [true, false],
      [false, false],
    ],
  );
  // The accuracy is the members' mean, and the inverse finds the loss it came from.
  const L = 0.9;
  const a = sigmoidAccuracy(avg, L);
  assert.ok(Math.abs(a - avg.members!.reduce((x, m) => x + sigmoidAccuracy(m, L), 0) / 3) < 1e-12);
  assert.ok(Math.abs(lossForAccuracy(avg, a)! - L) < 1e-9);
  assert.equal(lossForAccuracy(avg, avg.ceiling + 0.001), undefined);
  // One sigmoid when asked.
  assert.equal(fitStep2(points, 'exact', { chance: 0.25, sigmoid: 'one' }).members, undefined);
});

test('sigmoid fit: a fitted ceiling just under 1 is found (a start on the bound stayed there), and the ideal point pulls the curve to accuracy 1 at loss 0', () => {
  // max(accuracy) + 0.1 > 1 put the ceiling's start on its bound, where the transform's slope is 0.
  const truth = { floor: 0.25, ceiling: 0.97, L0: 0.9, k: 8 };
  const points = Array.from({ length: 40 }, (_, i) => ({
    loss: 0.3 + i * 0.03,
    accuracy: sigmoidAccuracy(truth, 0.3 + i * 0.03),
  }));
  assert.ok(Math.max(...points.map((p) => p.accuracy)) + 0.1 > 1);
  const f = fitSigmoid(points, 'exact', { floor: 'free', ceiling: 'free' });
  assert.ok(Math.abs(f.ceiling - 0.97) < 1e-5, `ceiling ${f.ceiling}`);
  assert.ok(f.rmse < 1e-7, `rmse ${f.rmse}`);
  // With the ideal point the fit trades a little of the data's fit for passing near (0, 1); its rmse is
  // over the checkpoints only, and the points are still counted without it.
  const g = fitSigmoid(points, 'exact', { floor: 'free', ceiling: 'free', idealPoint: true });
  assert.equal(g.points, 40);
  assert.ok(g.rmse > f.rmse && g.rmse < 0.02, `rmse ${g.rmse}`);
  assert.ok(sigmoidAccuracy(g, 0) > sigmoidAccuracy(f, 0), `${sigmoidAccuracy(g, 0)} vs ${sigmoidAccuracy(f, 0)}`);
});

test('averaged sigmoid without a chance level: two distinct members (ceiling 1, ceiling fitted), not the same fit twice', () => {
  const points = Array.from({ length: 40 }, (_, i) => ({
    loss: 0.5 + i * 0.03,
    accuracy: sigmoidAccuracy(sig, 0.5 + i * 0.03),
  }));
  const avg = fitStep2(points, 'exact', {});
  assert.deepEqual(
    avg.members!.map((m) => m.ceiling === 1),
    [true, false],
  );
  // The direct law in C never fits the ideal point: −ln C has no ideal value.
  const withIdeal = fitStep2(points, 'exact', { chance: 0.25, sigmoid: 'one', idealPoint: true });
  const without = fitStep2(points, 'exact', { chance: 0.25, sigmoid: 'one', idealPoint: false });
  assert.notEqual(withIdeal.L0, without.L0);
});

test('plan for an accuracy the fit does not give: the reason is the one that applies (floor, ceiling, E), in the plan and in the table', () => {
  const data = { source: 'synthetic', sets: [], records: syntheticLadder(3), roles: new Map(), tasks: [] };
  const planned = (goal: number, options: { sigmoid?: 'one'; ceiling?: number } = {}) => {
    const [t] = analyseLadder(data, { tasks: ['t'], plan: { t: goal }, replicates: 0, ...options });
    assert.ok(t.fit && t.plan, `${goal}: ${t.fitProblem}`);
    return t;
  };
  // The truth's floor is 0.25 and its ceiling 0.95 (with no chance level given, the floors are fitted).
  const low = planned(0.2);
  assert.equal(low.plan!.point, undefined);
  assert.ok(low.fit!.step2.floor > 0.2);
  assert.match(low.plan!.unreached!, /^0\.2 is at or below the fitted sigmoid's floor 0\.2\d\d: every model/);
  // The default sigmoid's ceiling-1 member gives 0.97, but at a task loss below the law's E = 0.45.
  const high = planned(0.97);
  assert.equal(high.plan!.point, undefined);
  assert.match(
    high.plan!.unreached!,
    /^0\.97 needs a task loss of 0\.\d+, at or below the step-1 law's irreducible E = 0\.4\d+/,
  );
  const capped = planned(0.97, { sigmoid: 'one', ceiling: 0.95 });
  assert.equal(capped.plan!.unreached, "0.97 is at or above the fitted sigmoid's ceiling 0.950: no task loss gives it");
  const table = planTable([low, high, capped]);
  for (const t of [low, high, capped]) assert.ok(table.includes(`t: ${t.plan!.unreached}`), table);
  assert.doesNotMatch(table, / or needs /);
  // Below the floor every model reaches it: the table says so rather than "not reached".
  assert.equal(low.plan!.belowFloor, true);
  // With replicates too: no share "not reaching" it, no interval (JSON as the table).
  const [lowBoot] = analyseLadder(data, { tasks: ['t'], plan: { t: 0.2 }, replicates: 3 });
  assert.equal(lowBoot.plan!.belowFloor, true);
  assert.equal(lowBoot.plan!.unreachable, undefined);
  assert.equal(lowBoot.plan!.interval, undefined);
  assert.equal(high.plan!.belowFloor, undefined);
  const row = (t: typeof low) =>
    planTable([t])
      .split('\n')
      .find((l) => l.startsWith('  t '))!;
  assert.match(row(low), /any \(below floor\)/);
  assert.doesNotMatch(row(low), /not reached/);
  assert.match(row(high), /not reached/);
  // One that is reached has no reason.
  const mid = planned(0.6);
  assert.ok(mid.plan!.point && mid.plan!.unreached === undefined);
  // The truth asks for about 210 tokens per parameter, within the ladder's 20–200 (and a factor 1.5): no caveat.
  assert.equal(mid.caveats, undefined);
});

test('downstream JSON: each task says where its numbers come from — the data, and the methods with their papers', () => {
  const data = { source: 'ladder.csv', sets: [], records: syntheticLadder(4), roles: new Map(), tasks: [] };
  const json = downstreamJson(analyseLadder(data, { tasks: ['t'], replicates: 0 }), data.source) as {
    source: string;
    methods: Record<string, string>;
  }[];
  assert.equal(json[0].source, 'ladder.csv');
  assert.match(json[0].methods.twoStep, /Bhagia et al\. 2024.*arXiv:2412\.04403/);
  assert.match(json[0].methods.lossToError, /Gadre et al\. 2024.*arXiv:2403\.08540/);
  assert.match(json[0].methods.docs, /docs\/methods\.md §31–§34/);
});

/** 7 sizes, every run ending at D = 1e10 (as the Gemstones all end at 350B tokens). */
function oneTokenCount(): TaskMetric[] {
  const out: TaskMetric[] = [];
  for (const N of [1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9, 6.4e9])
    for (let i = 1; i <= 10; i++) {
      const D = 1e9 * i;
      const tl = taskLoss(N, D);
      out.push(
        { run: `${N}`, N, D, task: 't', metric: 'bpb', value: tl, line: 1 },
        { run: `${N}`, N, D, task: 't', metric: 'acc', value: sigmoidAccuracy(sig, tl), line: 1 },
      );
    }
  return out;
}

test('HTML predictions say what their intervals are, or that there are none; and the caveats beside them', () => {
  const data = { source: 'ladder.csv', sets: [], records: syntheticLadder(5), roles: new Map(), tasks: [] };
  const predictions = (d: typeof data, replicates: number) => {
    const tasks = analyseLadder(d, { tasks: ['t'], targets: [{ label: '7B', N: 7e9, D: 1.4e11 }], replicates });
    const section = downstreamSections(tasks, {}).find((s) => s.id === 'downstream-predictions');
    assert.ok(section);
    return section.html;
  };
  const without = predictions(data, 0);
  assert.match(without, /<p>Point predictions: no bootstrap replicates, so no intervals\.<\/p>/);
  assert.doesNotMatch(without, /class="warn"/);
  const withIntervals = predictions(data, 10);
  assert.match(
    withIntervals,
    /<p>95 % intervals: 10 bootstrap replicates resampling whole ladder runs through both steps, plus one evaluation's noise and an extrapolation term s·log10\(1 \+ C\/C_max\), s = 0\.057 \(default\)/,
  );
  assert.match(withIntervals, /class="ci"/);
  // Every run ending at one token count (as the Gemstones): the caveat the text table prints is on the page too.
  const caveat = predictions({ ...data, records: oneTokenCount() }, 0);
  assert.match(
    caveat,
    /<ul class="warn"><li><b>t, 7B<\/b>: warning: C = 5\.88e21 \(6·N·D\) is 15\.3× the largest C in the ladder's runs \(3\.84e20\)[^<]*<\/li><li><b>t<\/b>: every ladder run ends at D = 1e10 tokens, so step 1's law has nothing on D/,
  );
});

test('too few checkpoints for the direct law in C are said in its terms, not as checkpoints lacking a task loss', () => {
  const records: TaskMetric[] = [1e8, 2e8, 4e8].map((N, i) => ({
    run: `r${i}`,
    N,
    D: 1e10,
    task: 't',
    metric: 'acc',
    value: 0.5 + 0.05 * i,
    line: i + 2,
  }));
  const [t] = analyseLadder(
    { source: 'accuracy-only.csv', sets: [], records, roles: new Map(), tasks: [] },
    { tasks: ['t'], replicates: 0 },
  );
  assert.equal(
    t.fitProblem,
    '3 checkpoints with an accuracy (no task loss in the data, so the direct law in C): expected at least 5 to fit a sigmoid',
  );
});

test("a ladder evaluated once per run, at its end, is fitted: the first 10 % dropped never takes a run's last checkpoint", () => {
  // Final-only evaluations of 6 sizes, accuracy rising with N on the stated sigmoid of task loss.
  const sizes = [1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9];
  const D = 2e10;
  const finalsOnly = (withLoss: boolean): TaskMetric[] =>
    sizes.flatMap((N, i) => {
      const tl = taskLoss(N, D);
      const acc = { run: `r${i}`, N, D, task: 't', metric: 'acc', value: sigmoidAccuracy(sig, tl), line: 2 * i + 2 };
      return withLoss ? [acc, { ...acc, metric: 'bpb', value: tl, line: 2 * i + 3 }] : [acc];
    });
  for (const withLoss of [false, true]) {
    const [t] = analyseLadder(
      { source: 'finals.csv', sets: [], records: finalsOnly(withLoss), roles: new Map(), tasks: [] },
      { tasks: ['t'], targets: [{ label: 'next', N: 6.4e9, D }], replicates: 0 },
    );
    assert.equal(t.fitProblem, undefined, `${withLoss ? 'two-step' : 'direct'}: ${t.fitProblem}`);
    const truth = sigmoidAccuracy(sig, taskLoss(6.4e9, D));
    assert.ok(Math.abs(t.targets[0].accuracy! - truth) < 0.05, `${t.targets[0].accuracy} against ${truth}`);
  }
});

test('a target past the horizon a plan searches is predicted with a caveat, not like any other', () => {
  const data = { source: 'ladder.csv', sets: [], records: syntheticLadder(5), roles: new Map(), tasks: [] };
  const caveatsFor = (N: number, D: number) =>
    analyseLadder(data, { tasks: ['t'], targets: [{ label: 'huge', N, D }], replicates: 0 })[0].caveats;
  assert.equal(caveatsFor(7e9, 1.4e11), undefined, 'a 7B model is within the horizon');
  const [caveat] = caveatsFor(1e15, 1e15)!;
  assert.match(caveat, /^huge \(C = 6e30 FLOPs\) is past the horizon C = 1e30 FLOPs that a plan searches/);
  // With every run at one token count, both caveats are kept.
  const both = analyseLadder(
    { ...data, records: oneTokenCount() },
    { tasks: ['t'], targets: [{ label: 'huge', N: 1e15, D: 1e15 }], replicates: 0 },
  )[0].caveats!;
  assert.equal(both.length, 2);
  assert.match(both[1], /every ladder run ends at D = 1e10 tokens/);
});

test('a ladder with no task to analyse (no accuracy metric, or not the one asked for) is refused saying what the data have, not analysed as nothing', () => {
  const records = syntheticLadder(6);
  const data = { source: 'ladder.csv', sets: [], records, roles: new Map(), tasks: [] };
  assert.throws(
    () => analyseLadder(data, { accuracyMetric: 'acc_norm', replicates: 0 }),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.file === 'ladder.csv' &&
      /no task has the accuracy metric "acc_norm"; the data have: t \(bpb, acc\)/.test(e.message),
  );
  const lossOnly = { ...data, records: records.filter((r) => r.metric === 'bpb') };
  assert.throws(
    () => analyseLadder(lossOnly, { replicates: 0 }),
    (e: unknown) =>
      e instanceof InputError &&
      /no task has an accuracy metric \(len_norm, acc_norm or acc\); the data have: t \(bpb\)/.test(e.message),
  );
  assert.throws(
    () => analyseLadder({ ...data, records: [] }, { replicates: 0 }),
    (e: unknown) => e instanceof InputError && e.message === 'ladder.csv: the data hold no task metrics',
  );
  assert.equal(analyseLadder(data, { replicates: 0 }).length, 1);
});

test('a task with no chance level says near chance was checked against the floor 0 (default); "on the checks that ran" only where a check did not run (no back-test)', () => {
  const data = { source: 'ladder.csv', sets: [], records: syntheticLadder(7), roles: new Map(), tasks: [] };
  const without = analyseLadder(data, { replicates: 0 });
  assert.equal(without[0].screen!.verdict, 'predictable');
  assert.ok(without[0].screen!.backtest, 'the back-test ran');
  const text = screenTable(without);
  assert.match(
    text,
    /\n {2}t: no chance level known \(not a benchmark whose answer choices are known here: a manifest's "chance", or option "chance", gives one\): "near chance" was checked against the floor 0 \(default: a generated or exact-match answer's, where guessing scores about 0; a multiple-choice task's chance is higher, so for one the check errs towards not firing\)\n?$/,
  );
  // The near-chance check ran (against 0), and so did the back-test: no "checks that ran".
  assert.doesNotMatch(text, /checks that ran/);
  const html = downstreamSections(without, {})[0].html;
  assert.match(html, /<li><b>t<\/b>: no chance level known .*was checked against the floor 0 \(default:/);
  assert.doesNotMatch(html, /checks that ran/);
  // As the caller names the option (the CLI: its flag), not the library's option "chance".
  const named = downstreamSections(without, {}, false, (o) => `--${o}`)[0].html;
  assert.ok(named.includes("a manifest's &quot;chance&quot;, or --chance, gives one"), named);
  const withChance = analyseLadder(data, { replicates: 0, chance: 0.25 });
  assert.doesNotMatch(screenTable(withChance), /checks that ran|no chance level/);
  assert.doesNotMatch(downstreamSections(withChance, {})[0].html, /checks that ran|no chance level/);
  assert.match(screenTable(withChance), /\n {2}chance level \(random guessing\): t 0\.250 \(option "chance"\)$/);
  // Two sizes: too few to hold the largest out, so the back-test did not run, and the verdict says so.
  const twoSizes = syntheticLadder(7).filter((r) => r.N! < 7e8);
  const [thin] = analyseLadder({ ...data, records: twoSizes }, { replicates: 0, chance: 0.25 });
  assert.equal(thin.screen!.backtest, undefined, thin.screen!.backtestProblem);
  assert.match(
    screenTable([thin]),
    new RegExp(
      `\\n {2}t: ${thin.screen!.verdict} on the checks that ran: the back-test did not run \\(its column says why\\)`,
    ),
  );
});

test("a known benchmark's chance level comes from its answer choices, as if given, and says so; an option or a definition overrides it", () => {
  const records = syntheticLadder(7).map((r) => ({ ...r, task: 'hellaswag_val_5shot' }));
  const data = { source: 'ladder.csv', sets: [], records, roles: new Map(), tasks: [] };
  const [derived] = analyseLadder(data, { replicates: 0 });
  const [given] = analyseLadder(data, { replicates: 0, chance: 0.25 });
  assert.equal(derived.screen!.chance, 0.25);
  assert.deepEqual(derived.screen!.chanceFrom, { from: 'answer choices', benchmark: 'HellaSwag', choices: 4 });
  assert.deepEqual(given.screen!.chanceFrom, { from: 'option' });
  // The same analysis as with the level given: the sigmoids floored at it, the same verdict.
  assert.deepEqual(derived.fit!.step2, given.fit!.step2);
  assert.equal(derived.screen!.verdict, given.screen!.verdict);
  assert.match(
    screenTable([derived]),
    /\n {2}chance level \(random guessing\): hellaswag_val_5shot 0\.250 \(HellaSwag's 4 answer choices\)$/,
  );
  assert.doesNotMatch(screenTable([derived]), /checks that ran/);
  const [option] = analyseLadder(data, { replicates: 0, chance: 0.3 });
  assert.equal(option.screen!.chance, 0.3);
  const [defined] = analyseLadder(
    { ...data, tasks: [{ task: 'hellaswag_val_5shot', chance: 0.2 }] },
    { replicates: 0 },
  );
  assert.equal(defined.screen!.chance, 0.2);
  assert.match(
    screenTable([defined]),
    /chance level \(random guessing\): hellaswag_val_5shot 0\.200 \(the manifest's\)/,
  );
  // An average of known tasks: the mean of their levels.
  const two = [...records, ...syntheticLadder(8).map((r) => ({ ...r, task: 'piqa' }))];
  const mean = averageTask({ ...data, records: two }, 'core', 'all');
  assert.equal(mean.chance, (0.25 + 0.5) / 2);
  assert.equal(mean.chanceFrom, 'parts');
});

test('the fit tables (text and HTML) say when step 1 has nothing on D (every ladder run ends at one token count), and not otherwise', () => {
  const data = { source: 'ladder.csv', sets: [], records: oneTokenCount(), roles: new Map(), tasks: [] };
  const text = fitTable(analyseLadder(data, { replicates: 0 }));
  assert.match(
    text,
    /\n {2}t: every ladder run ends at D = 1e10 tokens, so step 1's D term \(B\/D\^β\) is not identified: the law says nothing about D$/m,
  );
  // No validation losses in these data: the blank column says why, below the table.
  assert.match(text, /\n {2}error from val\. loss is blank for t: the ladder's checkpoints record no validation loss/);
  assert.doesNotMatch(text, /step 1 through C is blank/);
  const html = downstreamSections(analyseLadder(data, { replicates: 0 }), {}).find((x) => x.id === 'downstream-fits');
  assert.match(html!.html, /<ul class="warn"><li>t: every ladder run ends at D = 1e10 tokens, so step 1's D term/);
  const spreadTasks = analyseLadder({ ...data, records: syntheticLadder(8) }, { replicates: 0 });
  assert.doesNotMatch(fitTable(spreadTasks), /not identified/);
  assert.doesNotMatch(
    downstreamSections(spreadTasks, {}).find((x) => x.id === 'downstream-fits')!.html,
    /not identified/,
  );
});

test("a ladder's problems are located in the file the value came from (a manifest's run file, an import in the store), not the data's name", () => {
  const records: TaskMetric[] = [
    { run: 'a', N: 1e8, D: 1e9, task: 't', metric: 'acc', value: 0.4, line: 3, file: 'runs/a.csv' },
    { run: 'b', D: 1e9, task: 't', metric: 'acc', value: 0.5, line: 7, file: 'runs/b.csv' },
  ];
  assert.throws(
    () => taskLadder(records, 'ladder.json', { task: 't' }),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.file === 'runs/b.csv' &&
      e.location.line === 7 &&
      /run "b" has no N/.test(e.message),
  );
  const noTokens: TaskMetric[] = [
    { run: 'c', N: 1e8, step: 5, task: 't', metric: 'acc', value: 0.4, line: 12, file: 'c.json' },
  ];
  assert.throws(
    () => taskLadder(noTokens, 'ladder.json', { task: 't' }),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.file === 'c.json' &&
      e.location.line === 12 &&
      /it has step 5: give the tokens per step, option "batchTokens"/.test(e.message),
  );
  // Without a file of its own a record is placed in the data's source, as before.
  assert.throws(
    () => taskLadder([{ ...noTokens[0], file: undefined }], 'ladder.json', { task: 't' }),
    (e: unknown) => e instanceof InputError && e.location.file === 'ladder.json' && e.location.line === 12,
  );
});

test("Gadre et al.'s chain (validationLossChain): a known validation-loss law and a known loss → error exponential give back a target's accuracy; off by default", () => {
  // Truth: L_val(N, D) a Chinchilla law, Err = ε − k·e^(−γL) with accuracy noise 0.002.
  const val = { E: 1.7, A: 400, alpha: 0.34, B: 1800, beta: 0.28 };
  const exp = { epsilon: 0.9, k: 5, gamma: 1.1 };
  const valLoss = (N: number, D: number) => val.E + val.A / N ** val.alpha + val.B / D ** val.beta;
  const random = randomSource(5);
  const records = syntheticLadder(2).map((r) => {
    const L = valLoss(r.N!, r.D!);
    return r.metric === 'acc'
      ? { ...r, valLoss: L, value: 1 - (exp.epsilon - exp.k * Math.exp(-exp.gamma * L)) + 0.002 * normal(random) }
      : { ...r, valLoss: L };
  });
  const target = { label: '7B', N: 7e9, D: 2e11 };
  const truth = 1 - (exp.epsilon - exp.k * Math.exp(-exp.gamma * valLoss(target.N, target.D)));
  const data = { source: 'synthetic', sets: [], records, roles: new Map(), tasks: [{ task: 't' }] };
  // One evaluation per final value: the law is exact here, and a mean of the last five would sit above it.
  const [chained] = analyseLadder(data, { targets: [target], validationLossChain: true, movingAverage: 1 });
  const r = chained.targets[0];
  assert.ok(r.viaValLoss, 'the chain is made when asked for');
  assert.ok(Math.abs(r.viaValLoss.valLoss - valLoss(target.N, target.D)) < 0.01, `val. loss ${r.viaValLoss.valLoss}`);
  assert.ok(Math.abs(r.viaValLoss.accuracy - truth) < 0.01, `${r.viaValLoss.accuracy} vs ${truth}`);
  assert.match(predictionTable([chained]), /from val\. loss/);
  const [plain] = analyseLadder(data, { targets: [target] });
  assert.equal(plain.targets[0].viaValLoss, undefined);
  assert.doesNotMatch(predictionTable([plain]), /from val\. loss/);
  // Asked for on a ladder with no validation loss: said, not silently left out.
  const [none] = analyseLadder(
    { ...data, records: syntheticLadder(2) },
    { targets: [target], validationLossChain: true },
  );
  assert.match(predictionTable([none]), /t: not from val\. loss: the ladder's checkpoints record no validation loss/);
  // Every run ending at one token count: the law's D term is not identified, so the chain is not made.
  const finals = [1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9].map((N, i) => ({
    run: `r${i}`,
    N,
    D: 2e10,
    C: 6 * N * 2e10,
    valLoss: 3 - 0.1 * i,
  }));
  assert.throws(() => fitValidationLossLaw(finals, 'one-d.csv'), /every ladder run ends at the same token count/);
});

test("Gadre et al.'s chain with replicates: its interval resamples runs through both fits, holds the truth, and widens with the extrapolation term", () => {
  const val = { E: 1.7, A: 400, alpha: 0.34, B: 1800, beta: 0.28 };
  const exp = { epsilon: 0.9, k: 5, gamma: 1.1 };
  const valLoss = (N: number, D: number) => val.E + val.A / N ** val.alpha + val.B / D ** val.beta;
  const random = randomSource(11);
  // Each run's validation losses off the law by a run-level 1 % (what resampling runs carries), accuracy noise 0.004.
  const offset = new Map<string, number>();
  const records = syntheticLadder(3).map((r) => {
    if (!offset.has(r.run)) offset.set(r.run, 1 + 0.01 * normal(random));
    const L = valLoss(r.N!, r.D!) * offset.get(r.run)!;
    return r.metric === 'acc'
      ? { ...r, valLoss: L, value: 1 - (exp.epsilon - exp.k * Math.exp(-exp.gamma * L)) + 0.004 * normal(random) }
      : { ...r, valLoss: L };
  });
  const target = { label: '7B', N: 7e9, D: 2e11 };
  const truth = 1 - (exp.epsilon - exp.k * Math.exp(-exp.gamma * valLoss(target.N, target.D)));
  const data = { source: 'synthetic', sets: [], records, roles: new Map(), tasks: [{ task: 't' }] };
  const run = (extrapolation: number) =>
    analyseLadder(data, {
      targets: [target],
      validationLossChain: true,
      replicates: 30,
      seed: 1,
      extrapolation,
      movingAverage: 1,
    })[0].targets[0].viaValLoss!;
  const bare = run(0),
    wide = run(0.057);
  assert.ok(bare.interval, 'an interval when replicates are asked for');
  const [lo, hi] = bare.interval.accuracy;
  assert.ok(lo <= truth && truth <= hi, `[${lo}, ${hi}] holds the truth ${truth}`);
  assert.ok(lo <= bare.accuracy && bare.accuracy <= hi, 'and the point estimate');
  assert.ok(hi - lo > 0.005 && hi - lo < 0.1, `width ${hi - lo}`);
  assert.ok(bare.interval.replicates === 30 && bare.interval.failed < 5, JSON.stringify(bare.interval));
  const [wlo, whi] = wide.interval!.accuracy;
  assert.ok(whi - wlo > 2 * (hi - lo), `the term widens it: ${whi - wlo} vs ${hi - lo}`);
  assert.match(
    predictionTable(analyseLadder(data, { targets: [target], validationLossChain: true, replicates: 10 })),
    /its interval resamples whole runs/,
  );
});

test("a log-likelihood of the correct answer as the loss metric (Llama 3's route) is negated to a task loss; one of both signs is refused where it turns", () => {
  const bpb = syntheticLadder(4);
  const ll = bpb.map((r) => (r.metric === 'bpb' ? { ...r, metric: 'logprob', value: -r.value } : r));
  const byLoss = fitDownstream(taskLadder(bpb, 'synthetic', { task: 't' }));
  const ladder = taskLadder(ll, 'synthetic', { task: 't', lossMetric: 'logprob' });
  assert.equal(ladder.lossNegated, true);
  assert.ok(ladder.runs[0].checkpoints[0].taskLoss! > 0);
  const byLogLik = fitDownstream(ladder);
  assert.equal(byLogLik.lossNegated, true);
  for (const k of ['E', 'A', 'alpha', 'B', 'beta'])
    assert.ok(
      Math.abs(byLogLik.step1.params[k] - byLoss.step1.params[k]) <= 1e-9 * Math.abs(byLoss.step1.params[k]),
      `${k}: ${byLogLik.step1.params[k]} vs ${byLoss.step1.params[k]}`,
    );
  const analysed = analyseLadder(
    { source: 'synthetic', sets: [], records: ll, roles: new Map(), tasks: [{ task: 't', lossMetric: 'logprob' }] },
    {},
  );
  assert.match(fitTable(analysed), /t: task loss = −logprob: its values are all negative/);
  assert.equal(taskLadder(bpb, 'synthetic', { task: 't' }).lossNegated, undefined);
  // A sign change is neither a loss nor a log-likelihood: located at the value that turns.
  const mixed = ll.map((r, i) => (i === 40 ? { ...r, value: 0.8, line: 99, column: 5 } : r));
  assert.equal(mixed[40].metric, 'logprob');
  assert.throws(
    () => taskLadder(mixed, 'synthetic', { task: 't', lossMetric: 'logprob' }),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.line === 99 &&
      e.location.column === 5 &&
      /metric "logprob" is 0\.8 here but -[\d.]+ at synthetic line 1: a task loss is positive throughout/.test(
        e.message,
      ),
  );
});

test("the chain's notes: an interval asked for and not had is said as that, per task, not as 'not from val. loss'", () => {
  const target = {
    label: '13B',
    N: 1.3e10,
    D: 5e12,
    C: 3.9e23,
    computeCount: '6ND' as const,
    accuracy: 0.8,
    viaC: 0.8,
    viaValLoss: { valLoss: 2.3, accuracy: 0.85 },
  };
  const notes = valLossNotes([
    {
      task: 'piqa',
      targets: [target],
      valLossIntervalProblem: 'no interval for 13B: too few of the 20 replicates could be refitted',
    },
  ]);
  assert.match(notes[0], /then the loss → error exponential; no interval \(below\)/);
  assert.deepEqual(notes.slice(1), [
    'piqa: from val. loss: no interval for 13B: too few of the 20 replicates could be refitted',
  ]);
  assert.ok(!notes.some((n) => /not from val\. loss/.test(n)));
  assert.match(valLossNotes([{ task: 'piqa', targets: [target] }])[0], /a point estimate \(no bootstrap replicates/);
});

test("taskLadder: a checkpoint with acc but not acc_norm, the task's default accuracy metric, is refused where it is, not dropped", () => {
  const records: TaskMetric[] = [];
  for (const D of [1e9, 2e9, 4e9]) {
    records.push({
      run: 'a',
      N: 1e8,
      D,
      task: 'arc_easy',
      metric: 'acc',
      value: 0.3 + D / 1e11,
      line: records.length + 1,
    });
    // The last evaluation, from another harness config, has no acc_norm: the run's final accuracy would have been its 2e9 one.
    if (D < 4e9)
      records.push({
        run: 'a',
        N: 1e8,
        D,
        task: 'arc_easy',
        metric: 'acc_norm',
        value: 0.32 + D / 1e11,
        line: records.length + 1,
        key: 'results.arc_easy["acc_norm,none"]',
      });
  }
  assert.throws(
    () => taskLadder(records, 'mem', { task: 'arc_easy' }),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.line === 5 &&
      e.message.includes(
        'run "a", D = 4e9: task "arc_easy" has acc here but not acc_norm, its accuracy metric (the first of len_norm, acc_norm, acc it has): expected acc_norm at every checkpoint, or name the metric it has at all of them (option "accuracyMetric" arc_easy=acc)',
      ),
  );
  // Named, acc is read at every checkpoint.
  const named = taskLadder(records, 'mem', { task: 'arc_easy', accuracyMetric: 'acc' });
  assert.equal(named.runs[0].checkpoints.length, 3);
  assert.equal(named.runs[0].checkpoints[2].accuracy, 0.3 + 4e9 / 1e11);
});

test("an average over every task (averageTask): an lm-eval group's aggregate stands for its tasks, counted once; a group named beside its own task is refused", () => {
  // The harness writes MMLU's aggregate, its categories' and its subjects' accuracies side by side in one file.
  const records: TaskMetric[] = [];
  for (const task of [
    'arc_easy',
    'piqa',
    'mmlu',
    'mmlu_stem',
    'mmlu_abstract_algebra',
    'mmlu_anatomy',
    'mmlu_humanities',
    'mmlu_philosophy',
  ])
    records.push({ run: 'a', N: 1e8, D: 1e9, task, metric: 'acc', value: 0.4, line: records.length + 1 });
  const data = {
    source: 'r.json',
    sets: [
      {
        source: 'r.json',
        format: 'lm-eval' as const,
        records,
        emptyCells: 0,
        ignoredColumns: [],
        groups: {
          mmlu: ['mmlu_humanities', 'mmlu_stem'],
          mmlu_stem: ['mmlu_abstract_algebra', 'mmlu_anatomy'],
          mmlu_humanities: ['mmlu_philosophy'],
        },
      },
    ],
    records,
    roles: new Map(),
    tasks: [],
  };
  const all = averageTask(data, 'core', 'all');
  // Was the equal-weight mean of all 8, MMLU 6 of them.
  assert.deepEqual(Object.keys(all.parts!), ['arc_easy', 'piqa', 'mmlu']);
  assert.deepEqual(all.partGroups, { mmlu: 3 });
  assert.equal(
    partsNote({ parts: [{ task: 'mmlu', weight: 1, accuracyMetric: 'acc', groupOf: 3 }] }),
    "the equal-weight mean of 1 tasks: mmlu (acc; an lm-eval group's aggregate, standing for its 3 tasks, which are not counted again)",
  );
  // Named: a category's aggregate stands for its subjects.
  assert.deepEqual(Object.keys(averageTask(data, 'x', ['mmlu_stem', 'mmlu_philosophy']).parts!), [
    'mmlu_stem',
    'mmlu_philosophy',
  ]);
  assert.throws(
    () => averageTask(data, 'x', ['mmlu', 'arc_easy', 'mmlu_anatomy']),
    /task "mmlu_anatomy" is in the average twice, as itself and within "mmlu", an lm-evaluation-harness group/,
  );
  // Without the harness's groups (a CSV, the run store) every task counts.
  assert.equal(Object.keys(averageTask({ ...data, sets: [] }, 'core', 'all').parts!).length, 8);
});

test('an average over tasks (averageTask): each part keeps its own accuracy metric, a weighted task counts once, chance is the mean, a checkpoint missing a part has no mean', () => {
  const records: TaskMetric[] = [];
  let line = 1;
  const put = (run: string, N: number, D: number, task: string, metric: string, value: number) =>
    records.push({ run, N, D, task, metric, value, line: line++ });
  for (const [run, N] of [
    ['a', 1e8],
    ['b', 2e8],
  ] as const) {
    for (const D of [1e9, 2e9]) {
      const x = N / 1e8 + D / 1e9; // 2, 3, 3, 4
      put(run, N, D, 'p', 'acc_norm', 0.3 + 0.01 * x);
      put(run, N, D, 'p', 'acc', 0.9); // not p's metric: acc_norm comes first
      put(run, N, D, 'p', 'bpb', 1.5 - 0.1 * x);
      put(run, N, D, 'q', 'acc', 0.5 + 0.02 * x);
      put(run, N, D, 'q', 'bpb', 1.2 - 0.1 * x);
      if (!(run === 'b' && D === 2e9)) put(run, N, D, 'm1', 'acc', 0.4);
      put(run, N, D, 'm2', 'acc', 0.6);
    }
  }
  const data = {
    source: 'mem',
    sets: [],
    records,
    roles: new Map(),
    tasks: [
      { task: 'p', chance: 0.25 },
      { task: 'q', chance: 0.5 },
      { task: 'mm', parts: { m1: 1, m2: 3 }, chance: 0.25 },
    ],
  };
  const avg = averageTask(data, 'avg', 'all');
  // mm counts once: its parts share its weight 1 in their own 1:3 proportion.
  assert.deepEqual(avg.parts, { p: 1, q: 1, m1: 0.25, m2: 0.75 });
  assert.ok(Math.abs(avg.chance! - (0.25 + 0.5 + 0.25) / 3) < 1e-12);
  const ladder = taskLadder(records, 'mem', { task: 'avg', parts: avg.parts, partAccuracy: avg.partAccuracy });
  assert.equal(ladder.accuracyMetric, 'acc_norm/acc');
  const a = ladder.runs.find((r) => r.run === 'a')!;
  const expect = (x: number) => (0.3 + 0.01 * x + 0.5 + 0.02 * x + 0.25 * 0.4 + 0.75 * 0.6) / 3;
  assert.ok(Math.abs(a.checkpoints[0].accuracy! - expect(2)) < 1e-12, `${a.checkpoints[0].accuracy}`);
  assert.ok(Math.abs(a.checkpoints[1].accuracy! - expect(3)) < 1e-12);
  // Parts m1 and m2 have no task loss: the mean has none either (a partial mean would be biased).
  assert.equal(ladder.lossMetric, '');
  assert.equal(a.checkpoints[0].taskLoss, undefined);
  // Run b's last checkpoint lacks m1: no mean there, rather than a mean of the parts it has.
  const b = ladder.runs.find((r) => r.run === 'b')!;
  assert.equal(b.checkpoints[1].accuracy, undefined);
  assert.ok(b.checkpoints[0].accuracy !== undefined);
  // Two tasks sharing a loss metric: the mean has a task loss, their mean bpb.
  const pq = averageTask(data, 'pq', ['p', 'q']);
  const l2 = taskLadder(records, 'mem', { task: 'pq', parts: pq.parts, partAccuracy: pq.partAccuracy });
  assert.equal(l2.lossMetric, 'bpb');
  assert.ok(Math.abs(l2.runs[0].checkpoints[0].taskLoss! - (1.5 - 0.2 + 1.2 - 0.2) / 2) < 1e-12);
  assert.equal(
    partsNote({ parts: l2.parts, fit: { lossMetric: 'bpb' } }),
    'the equal-weight mean of 2 tasks: p (acc_norm), q (acc); task loss: their mean bpb',
  );
  assert.match(
    partsNote({ parts: ladder.parts }),
    /^the weighted mean of 4 tasks \(weights\): p \(acc_norm, 0\.333\), q \(acc, 0\.333\), m1 \(acc, 0\.0833\), m2 \(acc, 0\.25\)$/,
  );
  assert.throws(() => averageTask(data, 'p', 'all'), /"p" is a task of the data already/);
  assert.throws(() => averageTask(data, 'x', ['p']), /at least two tasks/);
  assert.throws(() => averageTask(data, 'x', ['p', 'nope']), /no task "nope"/);
  // A task named whole and as a part of another would weigh twice.
  assert.throws(
    () => averageTask(data, 'x', ['mm', 'm1']),
    /task "m1" is in the average twice, as a part of "mm" and as itself/,
  );
});

test('the fit table says why "error from val. loss" is blank, per reason: once for every task, or naming the tasks', () => {
  // Task t's checkpoints record a validation loss on Gadre et al.'s exponential (accuracy = 1 − (0.9 − 3·e^(−L)));
  // task u is the same ladder without one; task w has a validation loss at its first 3 checkpoints only (fewer still after the early ones are skipped).
  const records = syntheticLadder(9);
  const withValLoss = records.map((r) => ({ ...r }));
  const accuracyAt = new Map(records.filter((r) => r.metric === 'acc').map((r) => [`${r.run}@${r.D}`, r.value]));
  for (const r of withValLoss) r.valLoss = -Math.log((accuracyAt.get(`${r.run}@${r.D}`)! - 0.1) / 3);
  const u = records.map((r) => ({ ...r, task: 'u' }));
  const w = records.map((r, i) => ({ ...r, task: 'w', ...(i < 6 ? { valLoss: 2 + i / 10 } : {}) }));
  const data = { source: 'ladder.csv', sets: [], records: [...withValLoss, ...u, ...w], roles: new Map(), tasks: [] };
  const tasks = analyseLadder(data, { replicates: 0 });
  const [t, uTask, wTask] = tasks;
  assert.ok(t.lossToError && t.lossToErrorProblem === undefined);
  assert.match(uTask.lossToErrorProblem!, /^the ladder's checkpoints record no validation loss/);
  assert.match(
    wTask.lossToErrorProblem!,
    /^[0-3] checkpoints record both a validation loss and an accuracy; the loss → error exponential needs at least 4$/,
  );
  const text = fitTable(tasks);
  assert.match(text, /\n {2}error from val\. loss is blank for u: the ladder's checkpoints record no validation loss/);
  assert.match(text, /\n {2}error from val\. loss is blank for w: [0-3] checkpoints record both/);
  assert.doesNotMatch(text, /blank for t\b/);
  assert.equal(
    (downstreamJson(tasks) as { lossToErrorProblem?: string }[])[1].lossToErrorProblem,
    uTask.lossToErrorProblem,
  );
  // Every task blank for one reason: said once, for every task.
  const none = fitTable(analyseLadder({ ...data, records: [...records, ...u] }, { replicates: 0 }));
  assert.match(
    none,
    /\n {2}error from val\. loss is blank for every task: the ladder's checkpoints record no validation loss/,
  );
  assert.equal(none.split('error from val. loss is blank').length - 1, 1);
});

test("a target or plan far beyond the ladder's compute is graded as the loss predict grades it: {code, severity, message}, in the tables too", () => {
  const data = { source: 'ladder.csv', sets: [], records: syntheticLadder(5), roles: new Map(), tasks: [] };
  // The ladder's largest run: N = 1.3e9 on 2.6e11 tokens, C ≈ 2.03e21.
  const targets = [
    { label: 'inside', N: 1.3e9, D: 2.6e11 },
    { label: 'far', N: 7e10, D: 1.4e12 },
  ];
  const [t] = analyseLadder(data, { tasks: ['t'], targets, replicates: 0 });
  const [inside, far] = t.targets;
  assert.equal(inside.warnings, undefined);
  assert.equal(far.warnings?.length, 1);
  assert.deepEqual(
    { code: far.warnings![0].code, severity: far.warnings![0].severity },
    { code: 'extrapolation', severity: 'severe' },
  );
  assert.match(far.warnings![0].message, /^C = 5\.88e23 \(6·N·D\) is 29\d× the largest C in the ladder's runs \(/);
  const json = downstreamJson([t], data.source) as { targets: { warnings?: unknown[] }[] }[];
  assert.equal(json[0].targets[1].warnings?.length, 1);
  assert.match(predictionTable([t]), /t, far: severe: C = 5\.88e23 \(6·N·D\) is 29\d×/);
  assert.doesNotMatch(predictionTable([t]), /t, inside:/);
  // The HTML report's predictions carry the same graded distance (they had none).
  const predictions = downstreamSections([t], {}).find((s) => s.id === 'downstream-predictions')!.html;
  assert.match(predictions, /<li><b>t, far<\/b>: severe: C = 5\.88e23 \(6·N·D\) is 29\d×/);
  assert.doesNotMatch(predictions, /t, inside/);
  // The direct law in C: its plan is a compute, with no N or D, and the table says why those columns are empty.
  const [direct] = analyseLadder(data, { tasks: ['t'], route: 'compute', plan: { t: 0.6 }, replicates: 0 });
  assert.ok(direct.plan?.point && direct.plan.point.N === undefined);
  assert.match(planTable([direct]), /N, D \(t\): none: the direct law in C predicts accuracy from compute alone/);
});

test('a moving average over a sparse ladder is warned of (the runs, the span), never changed; each task names its accuracy metric', () => {
  const dense = { source: 'ladder.csv', sets: [], records: syntheticLadder(6), roles: new Map(), tasks: [] };
  const [d] = analyseLadder(dense, { tasks: ['t'], replicates: 0 });
  // 30 checkpoints a run: the last 5 span 4/30 of its tokens.
  assert.equal(d.warnings, undefined);
  assert.equal(d.accuracyMetric, 'acc');
  // Every 10th checkpoint kept: 3 a run, at 10/30, 20/30 and 30/30 of its tokens.
  const sparse = {
    ...dense,
    records: dense.records.filter((r) => {
      const Dmax = 20 * r.N! * Number(r.run.split('-')[1].replace('x', ''));
      return Math.round((30 * r.D!) / Dmax) % 10 === 0;
    }),
  };
  const [s] = analyseLadder(sparse, { tasks: ['t'], replicates: 0 });
  assert.equal(s.warnings?.length, 1);
  assert.equal(s.warnings![0].code, 'moving-average');
  assert.match(s.warnings![0].message, /in 16 of 16 runs \(1\.9e\+?8-1x|in 16 of 16 runs \(/);
  assert.match(s.warnings![0].message, /up to 67 %, 3 checkpoints/);
  const [one] = analyseLadder(sparse, { tasks: ['t'], replicates: 0, movingAverage: 1 });
  assert.equal(one.warnings, undefined);
  const table = screenTable([s], (o) => `--${o}`);
  assert.match(table, /t: warning: the moving average over each run's last 5 checkpoints/);
  assert.match(table, /--movingAverage 1 reads each run's last evaluation/);
  assert.match(table, /accuracy metric: t acc/);
  // The HTML report's screen gives the same notes: the accuracy metric and the task's warning (it had neither).
  const screen = downstreamSections([s], {}, false, (o) => `--${o}`)[0].html;
  assert.match(screen, /<li>accuracy metric: t acc<\/li>/);
  assert.match(
    screen,
    /<li><b>t<\/b>: warning: the moving average over each run&#39;s last 5 checkpoints|<li><b>t<\/b>: warning: the moving average over each run's last 5 checkpoints/,
  );
  assert.match(screen, /--movingAverage 1 reads each run/);
  // Shared word for word by every task, the warning is one line, not one a task.
  const both = screenTable([s, { ...s, task: 'u' }], (o) => `--${o}`);
  assert.equal(both.match(/warning: the moving average/g)?.length, 1, both);
  assert.match(both, /\n {2}every task: warning: the moving average over each run's last 5 checkpoints/);
  const json = downstreamJson([s]) as { accuracyMetric: string; warnings: { code: string }[] }[];
  assert.equal(json[0].accuracyMetric, 'acc');
  assert.equal(json[0].warnings[0].code, 'moving-average');
});

test('an error against an actual accuracy is judged as the screen judges its back-test: relative from 0.10, else in points', () => {
  // 0.004 against 0.001 is +300 % relative, 0.3 points absolute: below 0.10 the points are judged.
  const low = errorAgainstActual(0.004, 0.001);
  assert.equal(low.judgedOn, 'absolute error');
  assert.ok(Math.abs(low.absoluteError - 0.003) < 1e-15);
  assert.ok(Math.abs(low.relativeError! - 3) < 1e-12, 'kept, but not the one judged');
  assert.ok(Math.abs(judgedError(low) - 0.003) < 1e-15);
  assert.equal(actualErrorWords(low), '+0.3 pts');
  const zero = errorAgainstActual(0.001, 0);
  assert.equal(zero.relativeError, undefined);
  assert.equal(actualErrorWords(zero), '+0.1 pts');
  // At 0.10 and above: relative, as the back-test's 10 % threshold reads it.
  const at = errorAgainstActual(0.09, 0.1);
  assert.equal(at.judgedOn, 'relative error');
  assert.ok(Math.abs(judgedError(at) - 0.1) < 1e-12);
  assert.equal(actualErrorWords(errorAgainstActual(0.55, 0.5)), '+10.0 %');
  // A prediction a hair under a low actual is no error below it: "0.0 pts", not "−0.0 pts".
  assert.equal(actualErrorWords(errorAgainstActual(0.0499, 0.05)), '0.0 pts');
  assert.equal(actualErrorWords(errorAgainstActual(0.049, 0.05)), '−0.1 pts');
});
