// The library fits as the CLI does, without Node's worker threads: runners in this thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseRuns } from '../io/parseRuns.js';
import { getLaw } from '../laws/index.js';
import { InputError } from '../errors/index.js';
import { bootstrap } from './bootstrap.js';
import { fit, prepareFit } from './fit.js';
import { fitByProcedure, fitLaw, type FitRunners } from './run.js';
import { fitReport } from './report.js';
import { syntheticRuns } from '../../test/helpers/synthetic.js';

const source = new URL('../../examples/chinchilla.csv', import.meta.url);
const dataset = parseRuns(readFileSync(source, 'utf8'), { source: 'chinchilla.csv' });

const serial: FitRunners = {
  fit: async (law, data, options, onTotal, onProgress) => {
    onTotal(1);
    const r = fit(law, data, options);
    onProgress(1);
    return r;
  },
  bootstrap: async (result, options, replicates, seed, onProgress) =>
    bootstrap(
      prepareFit(result.law, result.dataset, { ...options, init: result.params }),
      result,
      { replicates, seed },
      () => onProgress(1),
    ),
};

test('fitByProcedure: a recipe with its bootstrap, on runners the caller gives, its progress told by stage', async () => {
  const stages: string[] = [];
  let ticks = 0;
  const json = await fitByProcedure('huber', dataset, {
    runners: serial,
    replicates: 6,
    seed: 1,
    progress: (stage, total) => {
      stages.push(`${stage} ${total}`);
      return { tick: (n = 1) => void (ticks += n), stop: () => {} };
    },
  });
  assert.equal(json.procedure?.chosen, 'huber');
  assert.equal(json.bootstrap?.replicates, 6);
  assert.ok(json.params.alpha > 0.2 && json.params.alpha < 0.5, `alpha ${json.params.alpha}`);
  assert.deepEqual(stages, ['bootstrap 6']);
  assert.equal(ticks, 6);
});

test("fit report: fixed values are printed as the parameter table prints them (a preset's 1.8691436784054858 as 1.86914)", async () => {
  const json = await fitLaw(
    getLaw('chinchilla'),
    dataset,
    { fix: { E: 1.8691436784054858, alpha: 0.35 } },
    { runners: serial },
  );
  const line = fitReport(json)
    .split('\n')
    .find((l) => l.trimStart().startsWith('fixed '));
  assert.match(line ?? '', /^ +fixed +E = 1\.86914, alpha = 0\.35$/, line);
  assert.equal(json.fixed.E, 1.8691436784054858, 'the JSON keeps every digit');
});

test("fit report, auto: the parameters' intervals are said to be the law shown's replicates (its candidate's, beside the others' drops)", async () => {
  const json = await fitByProcedure('auto', dataset, { runners: serial, replicates: 2, seed: 1 });
  assert.match(
    fitReport(json),
    /\[\[Parameters\]\] +95 % percentile interval \(huber's (2 bootstrap replicates(, resampling \d+ whole runs)?, none dropped|1 of 2 bootstrap replicates kept)/,
  );
});

test('fitByProcedure auto: the default rule is said as what it is, equal weights, with no back-test column', async () => {
  const json = await fitByProcedure('auto', dataset, { runners: serial });
  const p = json.procedure;
  assert.equal(p?.id, 'auto');
  assert.deepEqual(
    p?.candidates?.map((c) => c.weight.toFixed(4)),
    ['0.3333', '0.3333', '0.3333'],
  );
  assert.match(p?.title ?? '', /equal-weight mean/);
  assert.doesNotMatch(p?.title ?? '', /back-test/);
  const report = fitReport(json);
  assert.match(report, /\[\[Procedure\]\] auto: the equal-weight mean/);
  assert.match(report, /candidate {4}weight {2}predicts at 10× the largest N and D/);
  assert.match(report, /law shown {4}huber — /);
  assert.doesNotMatch(report, /chosen {7}huber/);
  assert.doesNotMatch(report, /cutoffs in C/);
  assert.doesNotMatch(report, /weight {2}back-test/);
});

test('fitByProcedure refuses data without D naming the columns it read and those it did not, and a law in a variable the data have', async () => {
  const noD = parseRuns('num_params,corpus (B),final_loss\n1e8,2,3\n2e8,4,2.8\n4e8,8,2.6\n', { source: 'p.csv' });
  await assert.rejects(
    fitByProcedure('huber', noD, { runners: serial }),
    (e: unknown) =>
      e instanceof InputError &&
      e.message ===
        'p.csv:1: procedure huber fits the Chinchilla form L(N, D), which needs column "D" (or C and N, from which D = C/(6N)); the data have: num_params (N), final_loss (loss); not read: corpus (B). Map one with option "columns" D=NAME, or fit a law in one variable with option "law" power option "x" N',
  );
});

test("fit report: a trusted fit's info notes are counted on its trust line (it said 'no warnings' above a listed one), and checkpoint rows are said as rows of their runs", async () => {
  const rows = ['run,N,D,loss'];
  for (const [k, N] of Array.from({ length: 16 }, (_, i) => 1e7 * 1.5 ** i).entries())
    for (const D of [1e9, 3e9 + 1e8 * k])
      rows.push(`r${k},${N},${D},${(1.7 + 400 / N ** 0.34 + 400 / D ** 0.28).toPrecision(12)}`);
  const data = parseRuns(rows.join('\n'), { source: 'ck.csv' });
  const report = fitReport(await fitByProcedure('huber', data, { runners: serial }));
  assert.match(report, /trust {8}ok \(no warnings; 1 info note below\)/);
  // Rows that are checkpoints are said as such, not as 32 runs.
  assert.match(report, /data {9}ck\.csv: 32 rows \(checkpoints of 16 runs\) \(N, D, loss, run; C = 6ND\)/);
  assert.match(report, /\[info\] checkpoints: 32 rows from 16 training runs/);
});

test('fitByProcedure refuses data without N, located, naming the options as the library does', async () => {
  const noN = parseRuns('C,loss\n1e18,3\n1e19,2.8\n1e20,2.6\n', { source: 'c.csv' });
  await assert.rejects(
    fitByProcedure('auto', noN, { runners: serial }),
    (e: unknown) =>
      e instanceof InputError &&
      /^c\.csv:1: procedure auto fits the Chinchilla form L\(N, D\), which needs column "N".* option "columns" N=NAME/.test(
        e.message,
      ),
  );
});

test('fitLaw: the law as asked, without a bootstrap unless asked', async () => {
  const json = await fitLaw(getLaw({ law: 'power', x: 'C' }), dataset, {}, { runners: serial });
  assert.equal(json.law, 'power');
  assert.equal(json.bootstrap, undefined);
});

test('fit report: a warning that names an option says it as the report\'s namer does (the CLI\'s --columns, not option "columns")', async () => {
  // Checkpoints with a step column and no run column: the warning says how to map a run column.
  const law = getLaw('chinchilla');
  const rows = ['N,D,step,loss'];
  for (const N of [1e7, 3e7, 1e8, 3e8])
    for (const [k, D] of [2e9, 6e9, 2e10].entries())
      rows.push(`${N},${D},${(k + 1) * 1000},${1.7 + 400 / N ** 0.34 + 2000 / D ** 0.36}`);
  const steps = parseRuns(rows.join('\n'), { source: 'steps.csv' });
  const json = await fitLaw(law, steps, {}, { runners: serial });
  assert.ok(
    json.warnings.some((w) => w.message.includes('option "columns" run=NAME')),
    'the saved fit keeps the library words',
  );
  const report = fitReport(json, (o) => `--${o}`);
  assert.match(report, /map one with --columns run=NAME/);
  assert.doesNotMatch(report, /option "/);
});

test("fitByProcedure auto: the data's own back-test names the candidate it favours beside the average, the default unchanged", async () => {
  // Truth with α far from β: the two α = β candidates cannot follow it, the free-exponent huber can.
  const data = syntheticRuns({
    law: getLaw('chinchilla'),
    params: { E: 1.7, A: 400, B: 4000, alpha: 0.28, beta: 0.4 },
    n: 40,
    seed: 3,
    noise: 0.002,
    N: [5e7, 5e9],
    D: [1e9, 2e11],
  });
  const json = await fitByProcedure('auto', data, { runners: serial });
  const p = json.procedure!;
  // The default is not changed by what the back-test found: equal weights, no scores in the candidates.
  assert.deepEqual(
    p.candidates?.map((c) => c.weight.toFixed(4)),
    ['0.3333', '0.3333', '0.3333'],
  );
  assert.ok(p.candidates?.every((c) => c.score === undefined));
  const own = p.bestOnThisData!;
  assert.equal(own.best.id, 'huber');
  assert.ok(own.cutoffs.length >= 2, `${own.cutoffs.length} cutoffs`);
  const tied = own.candidates.filter((c) => c.id !== 'huber').map((c) => c.score!);
  // Clearly best: under half the tied candidates' error, and below the average's.
  for (const s of tied) assert.ok(own.best.score < s / 2, `huber ${own.best.score} vs ${s}`);
  assert.ok(own.ensemble !== undefined && own.best.score < own.ensemble, `ensemble ${own.ensemble}`);
  // The average's error lies between its best and worst member's (it is their mean in ln L̂, scored alike).
  assert.ok(own.ensemble! < Math.max(...tied));
  const line = fitReport(json, (o) => `--${o}`)
    .split('\n')
    .find((l) => l.trimStart().startsWith('this data'));
  assert.match(line ?? '', /best huber, beside the average \d+\.\d\d %/);
  assert.match(line ?? '', /to fit huber alone: --procedure huber$/);
});

test('fitByProcedure with a named procedure has no back-test of its own data (one candidate, nothing to compare)', async () => {
  const json = await fitByProcedure('huber', dataset, { runners: serial });
  assert.equal(json.procedure?.bestOnThisData, undefined);
  assert.doesNotMatch(fitReport(json), /this data/);
});
