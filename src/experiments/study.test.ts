import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWorld } from '../lab/loadWorld.js';
import { optimum, simulate, truth } from '../lab/simulate.js';
import { worldArchitecture, worldCostModel } from './worldCostModel.js';
import { calibrateCost, runStudy, recommendConfig, sweepSteps, type Executor, type RunOutcome } from './study.js';
import { assumedCostModel, designSweep, bestLearningRate } from './design.js';
import { ExperimentError } from '../errors/index.js';
import { criticalBatch } from '../hparams/criticalBatch.js';
import { studyHtml } from '../report/studyHtml.js';
import { studyHtmlSections, studyJson, studyReport, type StudySummary } from './studyReport.js';

const world = loadWorld();
const executor: Executor = {
  async execute(runs) {
    return runs.map((run) => {
      const r = simulate(world, run.config);
      return { run, status: r.status, finalLoss: r.finalLoss, evals: r.evals, seconds: r.seconds, reason: r.reason };
    });
  },
};

/** The README's study: 48 h of target training, 12 h of experiments, on the default world. */
const readmeStudy = {
  targetSeconds: 48 * 3600,
  experimentSeconds: 12 * 3600,
  cost: worldCostModel(world),
  architecture: worldArchitecture(world),
};

test('study on the default world with a 25 % experiment budget: within 1 % of the true optimum, prediction within 2 %', async () => {
  const s = await runStudy(executor, { ...readmeStudy, bootstrap: 50 });
  assert.ok(s.spentSeconds <= 12 * 3600 * 1.001, `spent ${s.spentSeconds / 3600} h of 12`);
  const recTrue = truth(world, s.recommendation.config).loss;
  const best = optimum(world, 48 * 3600).loss;
  assert.ok(recTrue / best - 1 < 0.01, `regret ${((recTrue / best - 1) * 100).toFixed(2)} %`);
  assert.ok(
    Math.abs(s.recommendation.predictedLoss / recTrue - 1) < 0.02,
    `prediction error ${((s.recommendation.predictedLoss / recTrue - 1) * 100).toFixed(2)} %`,
  );
  assert.ok(Math.abs(s.learningRate.value / 3e-3 - 1) < 0.25, `probe found η = ${s.learningRate.value}, world's 3e-3`);
  const report = studyReport({
    study: 't',
    backend: 'sim',
    targetHours: 48,
    experimentHours: 12,
    result: s,
    costModel: 'x',
    truth: {
      recommendedLoss: recTrue,
      optimumLoss: best,
      optimumConfig: {},
      regret: recTrue / best - 1,
      predictionError: s.recommendation.predictedLoss / recTrue - 1,
    },
  });
  assert.match(report, /Regret: 0\.\d\d % above the optimum/);
});

test("a learning-rate probe run that diverged is said to have diverged in the study's text, JSON and HTML, not as 'failed'", async () => {
  // The world's largest probe rate is past its divergence factor: that run fails by diverging.
  const s = await runStudy(executor, { ...readmeStudy, bootstrap: 0 });
  const diverged = s.learningRate.probe.filter((p) => p.diverged);
  assert.equal(diverged.length, 1, JSON.stringify(s.learningRate.probe));
  assert.equal(diverged[0].loss, null);
  assert.equal(s.outcomes.filter((o) => o.status === 'failed').length, 1, 'the diverged probe is the one failure');
  const summary: StudySummary = {
    study: 't',
    backend: 'sim',
    targetHours: 48,
    experimentHours: 12,
    result: s,
    costModel: 'x',
  };
  const note = "1 failed (a learning-rate probe run that diverged, as a probe's largest rates should)";
  const text = studyReport(summary);
  assert.match(
    text,
    new RegExp(`on ${s.outcomes.length} runs in \\d+ stages?; 1 failed \\(a learning-rate probe run that diverged, `),
  );
  assert.ok(text.includes(`; ${note}.`), text);
  assert.match(text, /\n\s*[\d.e-]+\s+diverged\n/);
  assert.doesNotMatch(text, /\bfailed\n/);
  const json = studyJson(summary);
  assert.deepEqual([json.runs.failed, json.runs.probeDiverged], [1, 1]);
  assert.equal(json.learningRate.probe.filter((p) => p.diverged).length, 1);
  const html = studyHtmlSections(summary).find((x) => x.id === 'study')!.html;
  assert.ok(html.includes(`; ${note}.`), html);
  assert.match(html, /<td>diverged<\/td>/);
  assert.doesNotMatch(html, />failed</);
  // A fit warning's advice is said as the caller names options (study run: scalelab fit --init, a flag it lacks).
  const unstable = 'only 3 of 12 starts reached the best optimum: try the full grid of starts (option "init" grid)';
  const named = studyReport({ ...summary, result: { ...s, warnings: [unstable] } }, (o) => `scalelab fit --${o}`);
  assert.ok(named.includes('(scalelab fit --init grid)'), named);
  assert.doesNotMatch(named, /option "/);
  // The HTML report too: its Trust table and Warnings list, both built from the study's fit.
  const unstableFit = {
    ...summary,
    result: {
      ...s,
      fit: {
        ...s.fit,
        warnings: [{ code: 'unstable-starts' as const, severity: 'warning' as const, message: unstable }],
      },
    },
  };
  const page = await studyHtml(
    unstableFit,
    async () => '<svg></svg>',
    (o) => `scalelab fit --${o}`,
  );
  for (const id of ['trust', 'warnings']) {
    const section = new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(page)?.[1] ?? '';
    assert.ok(section.includes('(scalelab fit --init grid)'), `${id}: ${section}`);
    assert.doesNotMatch(section, /option &quot;/);
  }
});

test("the sweep design fits its budget and brackets each budget's sizes", () => {
  const d = designSweep({
    experimentSeconds: 6 * 3600,
    targetSeconds: 24 * 3600,
    cost: worldCostModel(world),
    architecture: worldArchitecture(world),
  });
  assert.ok(d.seconds.total <= 6 * 3600 * 1.001 && d.seconds.total > 6 * 3600 * 0.8, `${d.seconds.total / 3600} h`);
  assert.equal(d.budgets.length, 5);
  for (const C of d.budgets) {
    const runs = d.isoflop.filter((r) => r.C === C);
    assert.ok(runs.length >= 5, `${runs.length} runs at ${C}`);
    for (const r of runs)
      assert.ok(Math.abs((6 * r.N * r.config.tokens) / C - 1) < 1e-6, 'each run sits on its budget');
  }
  assert.ok(d.probe.length >= 5);
});

test("--prior-ratio centres each budget's sizes on N = √(C/(6R)) instead of the web-text prior", () => {
  const base = {
    experimentSeconds: 6 * 3600,
    targetSeconds: 24 * 3600,
    cost: worldCostModel(world),
    architecture: worldArchitecture(world),
  };
  const geoMean = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
  for (const R of [5, 2000]) {
    const d = designSweep({ ...base, priorTokensPerParameter: R });
    for (const C of d.budgets) {
      const Ns = d.isoflop.filter((r) => r.C === C).map((r) => r.N);
      const centre = Math.sqrt(C / (6 * R));
      // Windows are clipped at the lab's smallest shape; where not clipped they straddle the centre.
      if (Math.min(...Ns) > centre) continue;
      assert.ok(
        Math.max(...Ns) > centre,
        `R = ${R}, C = ${C.toExponential(2)}: sizes ${Ns} straddle ${centre.toExponential(2)}`,
      );
      assert.ok(
        Math.abs(Math.log(geoMean(Ns) / centre)) < Math.log(3),
        `R = ${R}: centred near ${centre.toExponential(2)}, got ${geoMean(Ns).toExponential(2)}`,
      );
    }
    assert.ok(d.notes.some((n) => n.includes(`a prior of ${R} tokens per parameter`)));
  }
  const five = designSweep({ ...base, priorTokensPerParameter: 5 }),
    lots = designSweep({ ...base, priorTokensPerParameter: 2000 });
  assert.ok(
    geoMean(five.isoflop.map((r) => r.N)) > 5 * geoMean(lots.isoflop.map((r) => r.N)),
    'fewer tokens per parameter, bigger models',
  );
});

test('a tiny CPU study: one-layer models when --min-layers 1 allows them, budgets far below 1e12 FLOPs', () => {
  // The moby-small study's design: 2.4e9 FLOP/s, half an hour, widths in steps of 8 (one head of 8).
  const cost = {
    description: 'cpu',
    seconds: (c: { n_layer: number; d_model: number; tokens: number }) =>
      3 + (6 * 12 * c.n_layer * c.d_model ** 2 * c.tokens) / 2.4e9,
    tokensFor: (c: { n_layer: number; d_model: number }, s: number) =>
      ((s - 3) * 2.4e9) / (6 * 12 * c.n_layer * c.d_model ** 2),
  };
  const architecture = {
    vocab: 96,
    seqLen: 128,
    ffnRatio: 4,
    widthMultiple: 8,
    limits: { dModel: [8, 16384] as [number, number], nLayer: [1, 256] as [number, number] },
  };
  const d = designSweep({
    experimentSeconds: 1800,
    targetSeconds: 900,
    cost,
    architecture,
    budgets: 3,
    ratio: 3,
    sizes: 7,
    span: 16,
    priorTokensPerParameter: 2000,
  });
  assert.ok(Math.max(...d.budgets) < 1e12, `budgets ${d.budgets}`);
  assert.ok(
    d.isoflop.some((r) => r.config.n_layer === 1),
    'one-layer shapes are used',
  );
  assert.ok(Math.min(...d.isoflop.map((r) => r.N)) < 1000, 'down to 1 × 8 (768 non-embedding parameters)');
  for (const C of d.budgets)
    assert.ok(d.isoflop.filter((r) => r.C === C).length >= 4, `several sizes at ${C.toExponential(2)}`);
  // With the default of two layers the same design has no shape below 2 × 16.
  const two = designSweep({
    experimentSeconds: 1800,
    targetSeconds: 900,
    cost,
    architecture: { ...architecture, limits: { ...architecture.limits, nLayer: [2, 256] as [number, number] } },
    budgets: 3,
    ratio: 3,
    sizes: 7,
    span: 16,
    priorTokensPerParameter: 2000,
  });
  assert.ok(two.isoflop.every((r) => r.config.n_layer >= 2 && r.N >= 6144));
});

test('a budget holding fewer distinct sizes than asked (shapes that round together) is said, a warning under 3', () => {
  // The walk's tiny Slurm study: 5 sizes within ×8 at widths in steps of 8 gave 3 shapes, 3 sizes gave 2, unsaid.
  const cost = {
    description: 'cpu',
    seconds: (c: { n_layer: number; d_model: number; tokens: number }) =>
      3 + (6 * 12 * c.n_layer * c.d_model ** 2 * c.tokens) / 2.4e9,
    tokensFor: (c: { n_layer: number; d_model: number }, s: number) =>
      ((s - 3) * 2.4e9) / (6 * 12 * c.n_layer * c.d_model ** 2),
  };
  const architecture = {
    vocab: 96,
    seqLen: 128,
    ffnRatio: 4,
    widthMultiple: 8,
    limits: { dModel: [8, 16384] as [number, number], nLayer: [1, 256] as [number, number] },
  };
  const design = (sizes: number, span: number) =>
    designSweep({
      experimentSeconds: 144,
      targetSeconds: 180,
      learningRate: 3e-3,
      cost,
      architecture,
      budgets: 2,
      ratio: 3,
      sizes,
      span,
      priorTokensPerParameter: 2000,
    });
  const three = design(3, 8);
  const counts = three.budgets.map((C) => three.isoflop.filter((r) => r.C === C).length);
  assert.ok(
    counts.some((n) => n < 3),
    `a budget with fewer than 3 sizes: ${counts}`,
  );
  const note = three.notes.find((n) => /fewer distinct model sizes than the 3 asked/.test(n));
  assert.ok(note, three.notes.join('\n'));
  assert.match(
    note,
    /^warning: .*left out: 1 with no shape near them \(widths in multiples of 8, whole layers\).*no IsoFLOP minimum to place: give a wider span than ×8$/,
  );
  // Every size asked is planned: nothing said.
  const wide = design(3, 32);
  for (const C of wide.budgets) assert.equal(wide.isoflop.filter((r) => r.C === C).length, 3);
  assert.ok(!wide.notes.some((n) => /fewer distinct/.test(n)), wide.notes.join('\n'));
});

test('the target run takes no fewer optimizer steps than the best run of the largest budget', () => {
  // The moby-small fit: a law of character-level loss on which Kaplan's B_crit prior asks for a large batch.
  const params = { E: 1.2046, A: 5.635, B: 598.48, alpha: 0.27941, beta: 0.49656 };
  const cost = {
    description: 'cpu',
    seconds: (c: { n_layer: number; d_model: number; tokens: number }) =>
      3 + (6 * 12 * c.n_layer * c.d_model ** 2 * c.tokens) / 2.4e9,
    tokensFor: (c: { n_layer: number; d_model: number }, s: number) =>
      ((s - 3) * 2.4e9) / (6 * 12 * c.n_layer * c.d_model ** 2),
  };
  const architecture = {
    vocab: 96,
    seqLen: 128,
    ffnRatio: 4,
    widthMultiple: 8,
    aspectRange: [8, 256] as [number, number],
    limits: { dModel: [8, 16384] as [number, number], nLayer: [1, 256] as [number, number] },
  };
  const free = recommendConfig(params, 900, cost, architecture, 5e-3, 16384);
  const freeSteps = free.config.tokens / free.config.batch_tokens;
  assert.ok(freeSteps < 1000, `without the floor: ${freeSteps} steps at batch ${free.config.batch_tokens}`);
  const held = recommendConfig(params, 900, cost, architecture, 5e-3, 16384, 1141);
  assert.ok(
    held.config.tokens / held.config.batch_tokens >= 1141,
    `${held.config.tokens / held.config.batch_tokens} steps`,
  );
  assert.ok(held.config.batch_tokens < free.config.batch_tokens);
  // sweepSteps: the lowest-loss completed run at the largest budget (12288 @ 4.7e6 tokens, batch 4096).
  const out = (
    C: number,
    tokens: number,
    batch: number,
    loss: number | undefined,
    status: 'completed' | 'failed' = 'completed',
  ) =>
    ({
      run: { phase: 'isoflop', C, N: 1, config: { tokens, batch_tokens: batch } },
      status,
      finalLoss: loss,
      seconds: 1,
    }) as unknown as RunOutcome;
  assert.equal(
    sweepSteps([
      out(1e11, 1e6, 4096, 1.7),
      out(3.4e11, 4673536, 4096, 1.838),
      out(3.4e11, 8.3e6, 4096, 1.85),
      out(3.4e11, 1.9e7, 4096, undefined, 'failed'),
    ]),
    1141,
  );
  assert.equal(sweepSteps([]), 0);
});

test('bestLearningRate: vertex of the parabola in ln η, ignoring failed runs', () => {
  const runs = [1e-3, 2e-3, 4e-3, 8e-3, 1.6e-2].map((lr) => ({
    learning_rate: lr,
    loss: 3 + 0.1 * Math.log(lr / 3e-3) ** 2,
  }));
  const r = bestLearningRate([...runs, { learning_rate: 3.2e-2, loss: null }]);
  assert.ok(Math.abs(r.learningRate / 3e-3 - 1) < 1e-6);
  assert.throws(() => bestLearningRate([{ learning_rate: 1, loss: null }]), /every learning-rate probe run failed/);
});

test('verify trains the recommended run and says whether it landed inside the interval, and by how much it missed', async () => {
  const options = {
    targetSeconds: 48 * 3600,
    experimentSeconds: 12 * 3600,
    cost: worldCostModel(world),
    architecture: worldArchitecture(world),
    bootstrap: 50,
    verify: true,
  };
  const s = await runStudy(executor, options);
  const v = s.verification!;
  assert.equal(
    v.observed,
    simulate(world, s.recommendation.config).finalLoss,
    'the verification run is the recommended configuration',
  );
  assert.equal(v.predicted, s.recommendation.predictedLoss);
  assert.equal(v.inside, v.observed! >= v.interval![0] && v.observed! <= v.interval![1]);
  assert.match(
    v.statement,
    new RegExp(
      `observed ${v.observed!.toFixed(4)}: .*% (above|below) the prediction, ${v.inside ? 'inside' : 'OUTSIDE'} the interval`,
    ),
  );
  // A verification run 10 % worse than the interval's top: said plainly, with the miss.
  const worse: Executor = {
    async execute(runs, phase) {
      const out = await executor.execute(runs, phase);
      return phase === 'verify' ? out.map((o) => ({ ...o, finalLoss: v.interval![1] * 1.1 })) : out;
    },
  };
  const w = (await runStudy(worse, options)).verification!;
  assert.equal(w.inside, false);
  assert.match(w.statement, /OUTSIDE the interval \(by 10\.00 %\)/);
});

test("an experiment budget beyond what the lab's largest models can use is said, not silently capped", () => {
  const base = { targetSeconds: 48 * 3600, cost: worldCostModel(world), architecture: worldArchitecture(world) };
  const normal = designSweep({ ...base, experimentSeconds: 12 * 3600 });
  assert.ok(!normal.notes.some((n) => /beyond the lab's largest shape/.test(n)));
  // A target larger still: for a 48 h one, runs of 248 h are refused (the target must be the larger).
  assert.throws(() => designSweep({ ...base, experimentSeconds: 1e9 * 3600 }), /target run \(48 h\) is no larger/);
  const huge = designSweep({ ...base, targetSeconds: 1e10 * 3600, experimentSeconds: 1e9 * 3600 });
  assert.ok(huge.seconds.total < 0.5 * 1e9 * 3600);
  assert.ok(
    huge.notes.some((n) =>
      /the design uses [\d.]+ h of the 1000000000\.00 h experiment budget: larger budgets would need models beyond the lab's largest shape/.test(
        n,
      ),
    ),
    huge.notes.join('\n'),
  );
});

test('calibrateCost: runs 3× slower than assumed rescale the cost model (seconds and tokens for a time); within 25 % it stands', () => {
  const arch = worldArchitecture(loadWorld());
  const assumed = assumedCostModel(1e15, 0.4, arch, 30);
  const shape = { n_layer: 8, d_model: 512, batch_tokens: 2 ** 19 };
  const outcome = (tokens: number, factor: number, status: 'completed' | 'failed' = 'completed'): RunOutcome => {
    const config = { ...shape, n_heads: 8, tokens, learning_rate: 1e-3 };
    return {
      run: { phase: 'isoflop', C: 1, N: 1, config, seconds: 0 },
      status,
      seconds: factor * assumed.seconds(config),
      finalLoss: 3,
    };
  };
  const slow = calibrateCost(assumed, [
    outcome(1e9, 3),
    outcome(2e9, 2.9),
    outcome(4e9, 3.2),
    outcome(1e9, 0.01, 'failed'),
  ]);
  assert.deepEqual([slow.calibration!.applied, slow.calibration!.runs], [true, 3], 'the failed run is left out');
  assert.ok(Math.abs(slow.calibration!.ratio - 3) < 1e-12, 'the median ratio');
  const c = { ...shape, tokens: 3e9 };
  assert.ok(Math.abs(slow.cost.seconds(c) / assumed.seconds(c) - 3) < 1e-12);
  assert.ok(Math.abs(slow.cost.tokensFor(shape, slow.cost.seconds(c)) / 3e9 - 1) < 1e-12, 'tokensFor inverts seconds');
  assert.match(slow.cost.description, /× 3\.00 as measured on 3 runs/);
  assert.match(
    slow.calibration!.statement,
    /the 3 completed runs took 3\.00× the cost model's seconds \(median\): planned at the measured speed/,
  );
  const close = calibrateCost(assumed, [outcome(1e9, 1.1), outcome(2e9, 1.2)]);
  assert.deepEqual([close.calibration!.applied, close.cost], [false, assumed]);
  assert.equal(calibrateCost(assumed, [outcome(1e9, 3)]).calibration, undefined, 'one run is not enough');
});

test('a sweep that leaves too few completed runs to fit (a training API with its budget spent) is said with its failures, not as the fit\'s "0 runs"', async () => {
  const spent = 'submit failed: POST http://127.0.0.1:8000/submit: 400 over budget: only 108 s remain';
  const overBudget: Executor = {
    async execute(runs, phase) {
      const out = await executor.execute(runs, phase);
      // The probe ran before the budget ran out; every IsoFLOP submit was refused, but two.
      return phase === 'isoflop'
        ? out.map((o, i) => (i < 2 ? o : { ...o, status: 'failed' as const, finalLoss: undefined, reason: spent }))
        : out;
    },
  };
  await assert.rejects(
    runStudy(overBudget, { ...readmeStudy, bootstrap: 0 }),
    (e: unknown) =>
      e instanceof ExperimentError &&
      /^the IsoFLOP sweep completed 2 of its \d+ runs, fewer than the 6 a Chinchilla fit needs; \d+ failed: submit failed: .*400 over budget: only 108 s remain$/.test(
        e.message,
      ),
  );
});

test("the recommended run's batch says where it comes from: Kaplan's B_crit(L)/4, and the cap or step floor that bound it", async () => {
  // The moby-small law, whose B_crit prior asks for more than the cap (as in the step-floor test above).
  const params = { E: 1.2046, A: 5.635, B: 598.48, alpha: 0.27941, beta: 0.49656 };
  const cost = {
    description: 'cpu',
    seconds: (c: { n_layer: number; d_model: number; tokens: number }) =>
      3 + (6 * 12 * c.n_layer * c.d_model ** 2 * c.tokens) / 2.4e9,
    tokensFor: (c: { n_layer: number; d_model: number }, s: number) =>
      ((s - 3) * 2.4e9) / (6 * 12 * c.n_layer * c.d_model ** 2),
  };
  const architecture = {
    vocab: 96,
    seqLen: 128,
    ffnRatio: 4,
    widthMultiple: 8,
    aspectRange: [8, 256] as [number, number],
    limits: { dModel: [8, 16384] as [number, number], nLayer: [1, 256] as [number, number] },
  };
  const open = recommendConfig(params, 900, cost, architecture, 5e-3).batchRule!;
  assert.equal(open.cap, undefined);
  assert.equal(open.minSteps, undefined);
  // At most B_crit(L)/4 (Kaplan et al. 2020 Table 5) rounded to a power of two of sequences: here 1 % of the tokens binds.
  assert.ok(open.prior <= Math.SQRT2 * (criticalBatch(open.loss) / 4) && open.prior % 128 === 0, `${open.prior}`);
  const capped = recommendConfig(params, 900, cost, architecture, 5e-3, 4096);
  assert.equal(capped.batchRule!.cap, 4096);
  assert.equal(capped.config.batch_tokens, 4096);
  const held = recommendConfig(params, 900, cost, architecture, 5e-3, 16384, 1141);
  assert.equal(held.batchRule!.minSteps, 1141);
  // The study's text and HTML say it beside the batch.
  const s = await runStudy(executor, { ...readmeStudy, bootstrap: 0 });
  const rule = s.recommendation.batchRule!;
  // On the default world nothing else binds: B_crit(L)/4 within the √2 of its power-of-two rounding.
  const ratio = rule.prior / (criticalBatch(rule.loss) / 4);
  assert.ok(
    ratio > 1 / Math.SQRT2 && ratio < Math.SQRT2,
    `prior ${rule.prior} against B_crit/4 = ${criticalBatch(rule.loss) / 4}`,
  );
  const summary: StudySummary = {
    study: 't',
    backend: 'sim',
    targetHours: 48,
    experimentHours: 12,
    result: s,
    costModel: 'x',
  };
  const sentence = `Batch: ${rule.prior} tokens from Kaplan et al. 2020's critical batch B_crit(L)/4 at the law's loss`;
  assert.ok(studyReport(summary).includes(sentence), studyReport(summary));
  const html = studyHtmlSections(summary).find((x) => x.id === 'recommendation')!.html;
  assert.ok(html.includes(sentence), html);
  assert.equal(s.recommendation.config.batch_tokens, Math.min(rule.prior, rule.cap ?? Infinity));
});
