// Every number a user did not choose says so, and every interval says what it is (review21 #6–#10, #12,
// #15): a default is marked beside its number with the flag that changes it, and typing the flag removes
// the mark. One regex per line changed, text and JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scalelab } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'scalelab-defaults-'));

const ok = (args: string[]) => {
  const r = scalelab(args);
  assert.equal(r.code, 0, r.stderr);
  return r;
};
const lineOf = (text: string, start: RegExp) => text.split('\n').find((l) => start.test(l)) ?? '';

test('plan: the learning-rate, critical-batch and shape defaults are marked; typed ones are not', () => {
  const text = ok(['plan', '--C', '1e24']).stdout;
  assert.match(
    lineOf(text, /^ +learning rate /),
    /preset deepseek-2024 \(the default; choose with --hparams-preset or --sweep\): DeepSeek/,
  );
  assert.match(
    lineOf(text, /^ +critical batch /),
    /preset kaplan-2020 \(the default, and the only critical-batch law shipped\): Kaplan/,
  );
  assert.match(
    lineOf(text, /^ +- shape: /),
    /gated MLP \(default, --mlp\), vocabulary 32000 \(default, --vocab\), context 4096 \(default, --seq-len\), head_dim/,
  );
  const typed = ok(['plan', '--C', '1e24', '--hparams-preset', 'porian-2024', '--vocab', '50000', '--json']).json();
  assert.doesNotMatch(typed.recommendation.hyperparameters.source, /default/);
  assert.deepEqual(Object.keys(typed.defaults).sort(), ['criticalBatch', 'mlp', 'seqLen']);
  assert.match(
    typed.assumptions.find((a: string) => a.startsWith('shape:')),
    /vocabulary 50000, context 4096 \(default/,
  );
});

test('shape --N: the style searched with, each default marked; --like prints its own style instead', () => {
  const text = ok(['shape', '--N', '7e9', '--vocab', '100000']).stdout;
  assert.match(
    text.split('\n')[1],
    /^with gated MLP \(default, --mlp\), vocabulary 100000, untied embeddings \(default, --tied\), context 4096 \(default, --seq-len\), GQA 1:1 \(default, --gqa\)$/,
  );
  assert.deepEqual(ok(['shape', '--N', '7e9', '--json']).json().defaults, [
    '--mlp',
    '--vocab',
    '--tied',
    '--seq-len',
    '--gqa',
  ]);
  const like = ok(['shape', '--N', '7e9', '--like', 'llama-2-7b']).stdout;
  assert.doesNotMatch(like, /^with /m);
  assert.match(like.split('\n')[1], /size error:$/);
});

test('repetition: the default preset is marked and C = 6·N·D said on line 1', () => {
  const args = ['repetition', '--C', '9.26e21', '--unique-tokens', '25e9'];
  assert.match(
    ok(args).stdout.split('\n')[0],
    /^C = 9\.26e21 FLOPs \(C = 6·N·D\) with 2\.5e10 unique tokens; law data-constrained, preset muennighoff-2023 \(the default; choose with --fit or --preset\): Muennighoff/,
  );
  assert.match(ok([...args, '--json']).json().law, /preset muennighoff-2023 \(the default; choose/);
  assert.doesNotMatch(ok([...args, '--preset', 'muennighoff-2023']).stdout.split('\n')[0], /the default/);
});

test('backtest: the interval line names the extrapolation term with τ and marks the defaults', () => {
  const file = 'examples/inputs/runs.csv';
  const line = lineOf(ok(['backtest', file, '--bootstrap', '4']).stdout, /^Intervals: /);
  assert.match(
    line,
    /^Intervals: 80 % and 95 % prediction intervals from 4 bootstrap replicates resampling whole runs \(seed 0\), plus a run's scatter and the extrapolation term \(a standard deviation of τ·log10\(1 \+ C\/C_max\) in ln L, τ = 0\.0075, C_max the fitted runs' largest C\); \d+ cutoffs \(default, --folds\), procedures auto, huber \(default, --procedures\)\.$/,
  );
  const typed = ok(['backtest', file, '--procedures', 'huber', '--cutoffs', '1e19', '--json']).json();
  assert.deepEqual(typed.defaults, ['--bootstrap']);
  assert.equal(typed.extrapolationScale, 0.0075);
  const text = ok(['backtest', file, '--procedures', 'huber', '--folds', '2']).stdout;
  assert.match(lineOf(text, /^Intervals: /), /bootstrap replicates \(default, --bootstrap\) resampling/);
  assert.match(lineOf(text, /^Intervals: /), /; 2 cutoffs, procedures huber\.$/);
});

test("report: the approaches' intervals, the back-test's settings and the loss band's level are said", () => {
  const out = join(tmp, 'report.html');
  const r = ok([
    'report',
    'examples/chinchilla.csv',
    '--budgets',
    'chinchilla',
    '--bootstrap',
    '20',
    '--out',
    out,
    '--json',
  ]);
  const j = r.json();
  const page = readFileSync(out, 'utf8');
  assert.match(
    page,
    /<p>Intervals: 95 % percentile intervals; approach 2: 20 bootstrap replicates; resamples each IsoFLOP profile's residuals about its parabola \(its sizes kept; over 5 sizes, plus its vertex-discrepancy term\); approach 3: 20 bootstrap replicates resampling whole runs\.<\/p>/,
  );
  assert.match(
    page,
    /Intervals: 80 % and 95 % prediction intervals from 20 bootstrap replicates resampling whole runs, plus a run's scatter and the extrapolation term \([^<]*τ = 0\.0075[^<]*Settings: 20 bootstrap replicates \(a tenth of --bootstrap 20, held to 20–50\), 3 cutoffs \(default --folds 3\), procedures auto \(default --backtest-procedures\)\. They are lighter than scalelab backtest's defaults \(100 replicates, 4 cutoffs, procedures auto, huber\)/,
  );
  assert.match(page, /compute-optimal loss with its 95 % bootstrap band/);
  assert.match(
    page,
    /Intervals: 95 % percentile bootstrap, 20 bootstrap replicates, resampling 240 whole runs, none dropped; seed 0 \(default, --seed\)\./,
  );
  assert.match(page, /preset deepseek-2024 \(the default; choose with --hparams-preset or --sweep\)/);
  assert.deepEqual(j.backtest.procedures, ['auto']);
  assert.equal(j.backtest.replicates, 20);
  assert.match(j.backtest.settings, /^Settings: 20 bootstrap replicates/);
  assert.equal(j.plan.defaults.vocab, 'default, --vocab');
});

test('fit: the interval header says percentile and what was resampled; JSON says what noise is', () => {
  const fitFile = join(tmp, 'fit.json');
  const args = ['fit', 'examples/inputs/runs.csv', '--procedure', 'huber', '--bootstrap', '8', '--threads', '1'];
  assert.match(
    lineOf(ok(args).stdout, /^\[\[Parameters\]\]/),
    /95 % percentile interval \(8 bootstrap replicates, resampling \d+ whole runs, none dropped; seed 0\)$/,
  );
  const j = ok([...args, '--json', '--out', fitFile]).json();
  assert.equal(j.bootstrap.method, 'percentile');
  assert.ok(Array.isArray(j.noise) && j.noise.every(Number.isFinite), 'noise stays the array scripts read');
  assert.match(j.noiseDescription, /^a new run's scatter around the law: .*quantiles of the fit's residuals in ln L/);
  // predict from it: the resampling unit in JSON, C = 6·N·D beside the point.
  const p = ok(['predict', '--fit', fitFile, '--N', '1e9', '--D', '2e10', '--json']).json();
  assert.equal(p.unit, 'run');
  assert.equal(p.flops, 'C = 6·N·D');
});

test('predict: the point says C = 6·N·D', () => {
  assert.match(
    ok(['predict', '--preset', 'epoch-2024', '--N', '7e10', '--D', '1.4e12']).stdout.split('\n')[1],
    /^ {2}at N = 7e10, D = 1\.4e12, C = 6·N·D = 5\.88e23$/,
  );
});

test('compare: the level and replicates are marked as defaults, with what they resampled', () => {
  const args = ['compare', 'examples/inputs/archs.csv', '--group-column', 'arch', '--bootstrap', '20'];
  assert.match(
    ok(args).stdout.split('\n')[0],
    /per group \(95 % intervals \(default, --level\), 20 bootstrap replicates resampling runs within groups\):$/,
  );
  const j = ok([...args, '--level', '0.8', '--json']).json();
  assert.deepEqual(j.defaults, []);
  assert.equal(j.replicates, 20);
  const dflt = ok(['compare', 'examples/inputs/archs.csv', '--group-column', 'arch', '--json']).json();
  assert.deepEqual(dflt.defaults, ['--level', '--bootstrap']);
});

test('select: a, d and the pool size say where they come from', () => {
  assert.match(
    ok(['select']).stdout.split('\n')[1],
    /^a = 0\.025 \(default: Goyal et al\. 2024's value\), d = 0\.1 \(default: Goyal et al\. 2024's value\), 1\.28e7 samples per pool \(default: Goyal et al\. 2024's value\)$/,
  );
  const j = ok(['select', '--pools', 'examples/inputs/pools.csv', '--a', '0.03', '--json']).json();
  assert.deepEqual(Object.keys(j.constantsFrom), ['d', 'poolSize']);
  assert.match(ok(['select', '--a', '0.03']).stdout.split('\n')[1], /^a = 0\.03, d = 0\.1 \(default/);
});

test('hparams: the default preset, --seq-len, --near-optimal and --bootstrap are marked; typed ones are not; the sweep batch says tokens', () => {
  const preset = ok(['hparams', '--C', '1e21']).stdout;
  assert.match(preset, /\(527\.4 sequences of 4096 tokens \(default, --seq-len\): tokens \/ sequence length\)/);
  assert.match(preset, /preset deepseek-2024 \(the default; choose with --preset or --sweep\): DeepSeek/);
  assert.deepEqual(ok(['hparams', '--C', '1e21', '--json']).json().defaults, ['--preset', '--seq-len']);
  const typed = ok(['hparams', '--C', '1e21', '--preset', 'deepseek-2024', '--seq-len', '4096']);
  assert.doesNotMatch(typed.stdout, /default/);
  // porian-2024's 2048 is the preset's own length, not our default.
  assert.doesNotMatch(ok(['hparams', '--N', '7e9', '--preset', 'porian-2024']).stdout, /default/);
  assert.match(
    ok(['hparams', '--preset', 'kaplan-2020', '--target-loss', '2.5']).stdout,
    /\(653 sequences of 4096 tokens \(default, --seq-len\)\)/,
  );
  const sweep = ['hparams', '--C', '1e21', '--sweep', 'examples/inputs/sweep.csv', '--bootstrap', '20'];
  const text = ok([...sweep, '--near-optimal', '0.0025']).stdout;
  assert.match(text.split('\n')[0], /within 0\.25 % of the best; DeepSeek.* from 20 resamples of the runs/);
  assert.match(lineOf(text, /^ +budget C /), /B centre \(tokens\)$/);
  assert.match(lineOf(text, /^B_opt = /), /^B_opt = \S+·C\^\S+ tokens /);
  assert.match(
    lineOf(text, /^At C = 1e21: /),
    /; batch \S+ tokens \[95 % \S+, \S+\] \([\d.]+ sequences of 4096 tokens \(default, --seq-len\)/,
  );
  const defaulted = ok(['hparams', '--C', '1e21', '--sweep', 'examples/inputs/sweep.csv', '--seq-len', '2048']);
  assert.match(
    defaulted.stdout.split('\n')[0],
    /of the best \(default, --near-optimal\);.* 200 resamples \(default, --bootstrap\) of/,
  );
  assert.deepEqual(ok([...sweep, '--json']).json().defaults, ['--near-optimal', '--seq-len']);
  // plan --sweep: the sweep's 200 replicates said as --sweep-bootstrap's default, in the source and the JSON.
  const plan = ok(['plan', '--C', '1e21', '--sweep', 'examples/inputs/sweep.csv', '--json']).json();
  assert.match(
    plan.recommendation.hyperparameters.source,
    /from 200 bootstrap resamples \(default, --sweep-bootstrap\),/,
  );
  assert.equal(plan.defaults.sweepBootstrap, 'default, --sweep-bootstrap');
  const typedPlan = ok([
    'plan',
    '--C',
    '1e21',
    '--sweep',
    'examples/inputs/sweep.csv',
    '--sweep-bootstrap',
    '20',
    '--json',
  ]);
  assert.match(typedPlan.json().recommendation.hyperparameters.source, /from 20 bootstrap resamples, seed/);
  assert.equal(typedPlan.json().defaults.sweepBootstrap, undefined);
});

test('depth-width: the size tolerance is said, marked as the default unless typed', () => {
  const file = 'examples/inputs/shapes.csv';
  assert.equal(
    lineOf(ok(['depth-width', file]).stdout, /^sizes: /),
    'sizes: runs with N within ±0.05 decades count as one size (default, --tolerance)',
  );
  assert.equal(
    lineOf(ok(['depth-width', file, '--tolerance', '0.05']).stdout, /^sizes: /),
    'sizes: runs with N within ±0.05 decades count as one size',
  );
});
