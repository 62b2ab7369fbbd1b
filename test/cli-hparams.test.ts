import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, scalelab } from './helpers/cli.js';
import { formatNumber } from '../src/core/format.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-hparams-'));

test('bcrit --alpha-b 21 (0.21 without its decimal point) is refused, naming 0.21', () => {
  const r = scalelab(['bcrit', '--target-loss', '3', '--alpha-b', '21']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--alpha-b: an exponent of a scaling law is at most 5 .*got 21: did you mean 0\.21\?/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.equal(scalelab(['bcrit', '--target-loss', '3', '--alpha-b', '0.21']).code, 0);
});

test("bcrit --target-loss 3 uses Kaplan's preset and says so", () => {
  const r = scalelab(['bcrit', '--target-loss', '3', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Math.abs(r.json().bCrit / 1.12257e6 - 1) < 1e-4);
  assert.match(r.json().source, /preset kaplan-2020: Kaplan et al\. 2020/);
});

test('bcrit FILE fits the trade-off; one batch size and unreachable targets are located errors', () => {
  const rows = ['run,batch,step,loss'];
  for (const B of [64, 256, 1024])
    for (let s = 1; s <= 40; s++)
      rows.push(`b${B},${B},${s * 100},${(3 + 200 / (s * 100 * (1 + 0 * B)) + 1000 / (s * 100 * B)).toFixed(6)}`);
  const file = join(dir, 'curves.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const ok = scalelab(['bcrit', file, '--target-losses', '3.2,3.1', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.json().fits.length, 2);
  // Three batch sizes: each target's B_crit comes with its residual-bootstrap interval, seeded.
  for (const f of ok.json().fits)
    assert.ok(f.bCritInterval[0] <= f.bCrit && f.bCrit <= f.bCritInterval[1], JSON.stringify(f));
  assert.deepEqual(
    scalelab(['bcrit', file, '--target-losses', '3.2,3.1', '--json']).json().fits[0].bCritInterval,
    ok.json().fits[0].bCritInterval,
  );
  assert.equal(
    scalelab(['bcrit', file, '--target-losses', '3.2', '--bootstrap', '0', '--json']).json().fits[0].bCritInterval,
    undefined,
  );
  assert.match(scalelab(['bcrit', file, '--target-losses', '3.2']).stdout, /95 % \(1000 resamples\)/);
  // The law through the targets, and B_crit at a new loss, get intervals from the same bootstrap:
  // curves whose B_crit(L) = 1e7/L^(1/0.21), each run's steps off by a few per cent.
  const law = ['run,batch,step,loss'];
  [4096, 8192, 16384, 65536, 262144].forEach((B, k) => {
    for (let L = 6; L >= 2.6; L -= 0.02)
      law.push(
        `b${B},${B},${((1 + [0.03, -0.04, 0.02, -0.01, 0.04][k]) * (2000 / (L - 2) ** 2) * (1 + 1e7 / L ** (1 / 0.21) / B)).toFixed(3)},${L.toFixed(4)}`,
      );
  });
  const lawFile = join(dir, 'law.csv');
  writeFileSync(lawFile, law.join('\n') + '\n');
  const at = scalelab(['bcrit', lawFile, '--target-losses', '4,3.5,3', '--target-loss', '2.8', '--json']).json();
  const [lo, hi] = at.atLoss.bCritInterval;
  assert.ok(lo < at.atLoss.bCrit && at.atLoss.bCrit < hi, JSON.stringify(at.atLoss));
  assert.ok(at.law.alphaBInterval[0] <= at.law.alphaB && at.law.alphaB <= at.law.alphaBInterval[1]);
  assert.equal(at.lawReplicates, undefined, 'the replicates stay out of the JSON');
  assert.match(at.lawBootstrap, /of 1000 residual-bootstrap replicates \(seed 0\)/);
  const text = scalelab(['bcrit', lawFile, '--target-losses', '4,3.5,3', '--target-loss', '2.8']).stdout;
  assert.match(
    text,
    /B_crit\(L\) = \S+ \[\S+, \S+\] \/ L\^\(1\/[\d.]+ \[[\d.]+, [\d.]+\]\) through the targets .*95 % from (\d+ bootstrap refits|the \d+ of 1000 bootstrap resamples)/,
  );
  // The README's curves: some resamples lose the trade-off at a target and are left out; the line says
  // of how many (it said "576 bootstrap refits" under a table of 1000 resamples).
  const readme = scalelab(['bcrit', 'examples/inputs/curves.csv']);
  assert.equal(readme.code, 0, readme.stderr);
  const kept =
    /95 % from only the (\d+) of 1000 bootstrap resamples that kept a step\/data trade-off at every target \((\d+), \d+ %, lost one at some target and are left out, so the interval is conditional on surviving/.exec(
      readme.stdout,
    );
  assert.ok(kept, readme.stdout);
  assert.equal(Number(kept[1]) + Number(kept[2]), 1000);
  assert.match(text, /B_crit\(L = 2\.8\) = \S+ \(95 % \S+ – \S+\)/);
  const never = scalelab(['bcrit', file, '--target-losses', '2']);
  assert.equal(never.code, 2);
  assert.match(never.stderr, /target loss 2 is never reached by any run/);
  const single = join(dir, 'single.csv');
  writeFileSync(single, 'run,batch,step,loss\na,64,1,4\na,64,2,3.5\n');
  const one = scalelab(['bcrit', single]);
  assert.equal(one.code, 2);
  assert.match(one.stderr, /single\.csv:2 \(column "batch"\): all runs use one batch size \(64\)/);
  assert.ok(noStackTrace(one.stderr) && noStackTrace(never.stderr));
});

test("hparams --C 1e20 gives DeepSeek's B_opt and η_opt with the citation", () => {
  const r = scalelab(['hparams', '--C', '1e20', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Math.abs(r.json().batchTokens / 1.01714e6 - 1) < 5e-4);
  assert.ok(Math.abs(r.json().learningRate / 9.86e-4 - 1) < 1e-3);
  assert.match(r.json().source, /preset deepseek-2024/);
  const porian = scalelab(['hparams', '--C', '1e20', '--preset', 'porian-2024']);
  assert.match(porian.stderr, /preset porian-2024 is a law in N: give --N/);
});

test('mup prints the multipliers; mup transfer reads sweeps; plan includes learning rate and batch', () => {
  const t = scalelab(['mup', '--base-width', '256', '--width', '4096', '--json']);
  assert.equal(t.code, 0, t.stderr);
  assert.equal(t.json().groups.find((g: { group: string }) => g.group === 'hidden').mup.learningRate, 6.25e-4);
  const rows = ['width,lr,loss'];
  for (const w of [256, 512, 1024])
    for (const lr of [1e-3, 2e-3, 4e-3, 8e-3, 1.6e-2]) rows.push(`${w},${lr},${3 + 0.05 * Math.log(lr / 4e-3) ** 2}`);
  const file = join(dir, 'lr.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const tr = scalelab(['mup', 'transfer', file, '--bootstrap', '0', '--json']);
  assert.equal(tr.code, 0, tr.stderr);
  assert.ok(Math.abs(tr.json().slope) < 1e-6);
  const p = scalelab(['plan', '--C', '1e24', '--json']);
  assert.ok(p.json().recommendation.hyperparameters.learningRate > 0);
  assert.match(p.json().recommendation.hyperparameters.source, /deepseek-2024/);
  // The preset's law is printed beside its citation, and the numbers follow from it at C = 1e24.
  const h = p.json().recommendation.hyperparameters;
  assert.match(h.source, /^η = 0\.3118·C\^-0\.125, B = 0\.292·C\^0\.3271 tokens; preset deepseek-2024/);
  assert.ok(Math.abs(h.learningRate / (0.3118 * 1e24 ** -0.125) - 1) < 1e-12);
  assert.ok(Math.abs(h.batchTokens / (0.292 * 1e24 ** 0.3271) - 1) < 1e-12);
  for (const cmd of [['bcrit'], ['hparams'], ['mup', 'transfer'], ['mup', 'coord']])
    assert.equal(scalelab([...cmd, '--help']).code, 0);
});

test("mup --help names the table's flags; the table marks its defaults; mup transfer reads a nan loss as diverged and gives η* at --width", () => {
  const help = scalelab(['mup', '--help']);
  assert.equal(help.code, 0);
  assert.match(
    help.stdout,
    /runs "mup table" \(the default subcommand\); its options:\n\s+--base-width <n>, --width <n>/,
  );
  assert.match(help.stdout, /scalelab mup table --help/);
  const table = scalelab(['mup']);
  assert.match(table.stdout, /SP init std \(default\)\s+SP LR \(default\)/);
  assert.match(table.stdout, /note: the base init std σ = 0\.02 and learning rate η = 0\.01 are defaults/);
  // The header gives every value the rows scale from, each marked where it was not typed.
  assert.match(
    table.stdout,
    /\nbase values: learning rate η 0\.01 \(default\), init std σ 0\.02 \(default\), output multiplier α_out 1 \(default\); head dimension d_head 128 \(default\)\n/,
  );
  const typed = scalelab(['mup', '--lr', '3e-3', '--sigma', '0.01', '--head-dim', '64', '--output-multiplier', '2']);
  assert.match(
    typed.stdout,
    /\nbase values: learning rate η 0\.003, init std σ 0\.01, output multiplier α_out 2; head dimension d_head 64\n/,
  );
  assert.doesNotMatch(typed.stdout, /\(default\)|are defaults/);
  const halfTyped = scalelab(['mup', '--lr', '3e-3', '--json']).json();
  assert.deepEqual(halfTyped.base, { learningRate: 3e-3, sigma: 0.02, headDim: 128, outputMultiplier: 1 });
  assert.deepEqual(halfTyped.defaulted, ['sigma', 'headDim', 'outputMultiplier']);
  const rows = ['width,lr,loss'];
  for (const w of [256, 512, 1024])
    for (const lr of [1e-3, 2e-3, 4e-3, 8e-3, 1.6e-2, 3.2e-2])
      rows.push(`${w},${lr},${lr === 3.2e-2 && w === 1024 ? 'nan' : 3 + 0.05 * Math.log(lr / 4e-3) ** 2}`);
  const file = join(dir, 'lr-diverged.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const r = scalelab(['mup', 'transfer', file, '--width', '4096']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /1 run diverged \(a loss that is not a finite number\): left out of the parabolas/);
  assert.match(
    r.stdout,
    /95 % \[[-\d.]+, [-\d.]+\]; residual bootstrap, 200 replicates: each width's parabola residuals/,
  );
  assert.match(r.stdout, /at width 4096: optimal η 0\.004 \(95 % \[0\.004, 0\.004\]\), 4× beyond the swept widths/);
  const j = scalelab(['mup', 'transfer', file, '--width', '4096', '--json']).json();
  assert.equal(j.diverged, 1);
  assert.deepEqual(j.intervalMethod.method, 'residual bootstrap');
  near(j.atWidth.learningRate, 4e-3, 1e-6, 'η* at 4096');
});

const near = (a: number, b: number, rel: number, what: string) =>
  assert.ok(Math.abs(a / b - 1) <= rel, `${what}: ${a} vs ${b}`);
const inside = (iv: [number, number] | undefined, x: number, what: string) =>
  assert.ok(iv && iv[0] <= x && x <= iv[1], `${what}: ${x} not in ${JSON.stringify(iv)}`);

/** A sweep CSV whose optimal η and B follow known laws in `variable` (a bowl in ln η, ln B on a fixed grid). */
function writeSweep(
  name: string,
  variable: 'C' | 'N',
  xs: number[],
  eta: (x: number) => number,
  batch: (x: number) => number,
  grid: { lr: number; batch: number },
): string {
  const rows = [`${variable},lr,batch,loss`];
  for (const x of xs) {
    for (let i = 0; i <= 20; i++) {
      for (let j = 0; j <= 36; j++) {
        const lr = grid.lr * 2 ** (i / 4),
          b = grid.batch * 2 ** (j / 4);
        rows.push(
          `${x},${lr},${b},${(3 - 0.01 * Math.log10(x) + 0.01 * Math.log(lr / eta(x)) ** 2 + 0.008 * Math.log(b / batch(x)) ** 2).toFixed(7)}`,
        );
      }
    }
  }
  const file = join(dir, name);
  writeFileSync(file, rows.join('\n') + '\n');
  return file;
}

// Truth: DeepSeek LLM Eq. 1 (η = 0.3118·C^−0.125, B = 0.2920·C^0.3271 tokens; at 1e20: 9.86e-4, 1.017e6).
const deepseekSweep = writeSweep(
  'sweep-c.csv',
  'C',
  [1e17, 3e17, 1e18, 3e18, 1e19],
  (C) => 0.3118 * C ** -0.125,
  (C) => 0.292 * C ** 0.3271,
  { lr: 2.5e-4, batch: 2 ** 14 },
);

test('hparams --C --sweep fits a C-only sweep (columns C, lr, batch, loss) with intervals on the prediction', () => {
  const r = scalelab(['hparams', '--C', '1e20', '--sweep', deepseekSweep, '--bootstrap', '100', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json();
  near(j.learningRate, 9.86e-4, 0.03, 'η(1e20)');
  near(j.batchTokens, 1.01714e6, 0.03, 'B(1e20)');
  inside(j.learningRateInterval, 9.86e-4, 'η interval');
  inside(j.batchInterval, 1.01714e6, 'B interval');
  inside(j.laws.lr.coefficientInterval, 0.3118, 'η coefficient interval');
  inside(j.laws.batch.interval, 0.3271, 'B exponent interval');
  assert.equal(j.laws.budgets.length, 5);
  assert.match(j.source, /fitted to .*sweep-c\.csv \(DeepSeek LLM's method/);
  const text = scalelab(['hparams', '--C', '1e20', '--sweep', deepseekSweep, '--bootstrap', '50']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /η_opt = [\d.]+·C\^-0\.12\d+ {3}\(coefficient \[/);
  assert.match(
    text.stdout,
    /At C = 1e20: learning rate [\d.e-]+ \[95 % [\d.e-]+, [\d.e-]+\]; batch [\d.e]+ tokens \[95 %/,
  );
  // No C (and no N, D): a located error, not NaN or a stack trace.
  const noC = join(dir, 'sweep-noc.csv');
  writeFileSync(noC, 'lr,batch,loss\n1e-3,1e6,3\n2e-3,1e6,3.1\n');
  const bad = scalelab(['hparams', '--C', '1e20', '--sweep', noC]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /sweep-noc\.csv:1: laws in compute need each run's budget: a C column/);
  assert.ok(noStackTrace(bad.stderr));
});

// Truth: Porian et al. 2024 (LR = 3.7·N^−0.36, BS = 0.00037·N^0.703 sequences of 2048).
test('hparams --N N --sweep fits η(N) and B(N) from a sweep grouped by model size', () => {
  const eta = (N: number) => 3.7 * N ** -0.36,
    tokens = (N: number) => 0.00037 * N ** 0.703 * 2048;
  const file = writeSweep('sweep-n.csv', 'N', [1e8, 2e8, 4e8, 8e8, 1.6e9], eta, tokens, { lr: 5e-4, batch: 2 ** 16 });
  const r = scalelab(['hparams', '--N', '1e9', '--sweep', file, '--bootstrap', '100', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json();
  assert.equal(j.variable, 'N');
  near(j.learningRate, eta(1e9), 0.03, 'η(1e9)');
  near(j.batchTokens, tokens(1e9), 0.03, 'B(1e9)');
  inside(j.laws.lr.interval, -0.36, 'η exponent interval');
  const text = scalelab(['hparams', '--N', '1e9', '--sweep', file, '--bootstrap', '0']);
  assert.match(text.stdout, /5 model sizes/);
  assert.match(text.stdout, /η_opt = [\d.]+·N\^-0\.3\d+/);
  const both = scalelab(['hparams', '--N', '1e9', '--C', '1e20', '--sweep', file]);
  assert.match(both.stderr, /give --C \(laws in C\) or --N \(laws in N\), not both/);
  const wrong = scalelab(['hparams', '--C', '1e20', '--sweep', file]);
  assert.match(wrong.stderr, /sweep-n\.csv:1: laws in compute need/);
});

test('plan --sweep puts the fitted η and B (with intervals) and the Kaplan critical batch at the predicted loss in the plan', () => {
  const r = scalelab(['plan', '--C', '1e20', '--sweep', deepseekSweep, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const rec = r.json().recommendation;
  near(rec.hyperparameters.learningRate, 9.86e-4, 0.03, 'η');
  near(rec.hyperparameters.batchTokens, 1.01714e6, 0.03, 'B');
  inside(rec.hyperparameters.batchInterval, 1.01714e6, 'B interval');
  assert.match(rec.hyperparameters.source, /fitted to your sweep .*sweep-c\.csv/);
  const cb = rec.criticalBatch;
  near(cb.loss, rec.loss, 1e-12, 'at the predicted loss');
  near(cb.bCrit, 2.1e8 / rec.loss ** (1 / 0.21), 1e-9, 'Kaplan B_crit');
  assert.match(
    cb.source,
    /preset kaplan-2020 \(the default, and the only critical-batch law shipped\): Kaplan et al\. 2020, arXiv:2001\.08361, Table 5/,
  );
  near(cb.atRecommendedBatch.stepsFactor, 1 + cb.bCrit / rec.hyperparameters.batchTokens, 1e-12, 'S/S_min');
  const text = scalelab(['plan', '--C', '1e22']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /critical batch {5}B_crit\(L = [\d.]+\) = [\d.e]+ tokens at the predicted loss {3}\[.*preset kaplan-2020/,
  );
  assert.match(
    text.stdout,
    /batch trade-off {4}at B = B_crit: 2·S_min steps and 2·E_min tokens .*at the recommended batch/,
  );
  const noC = join(dir, 'plan-noc.csv');
  writeFileSync(noC, 'lr,batch,loss\n1e-3,1e6,3\n');
  const bad = scalelab(['plan', '--C', '1e20', '--sweep', noC]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /plan-noc\.csv:1: laws in compute need/);
  assert.ok(noStackTrace(bad.stderr));
  // A sweep with its own column names, and the resampling chosen and said.
  const renamed = join(dir, 'sweep-renamed.csv');
  const [head, ...rest] = readFileSync(deepseekSweep, 'utf8').split('\n');
  writeFileSync(
    renamed,
    [
      head
        .split(',')
        .map((c) => (c === 'lr' ? 'peak_lr' : c === 'batch' ? 'bs' : c))
        .join(','),
      ...rest,
    ].join('\n'),
  );
  const mapped = scalelab([
    'plan',
    '--C',
    '1e20',
    '--sweep',
    renamed,
    '--sweep-columns',
    'lr=peak_lr,batch=bs',
    '--sweep-bootstrap',
    '50',
    '--seed',
    '1',
    '--json',
  ]);
  assert.equal(mapped.code, 0, mapped.stderr);
  near(mapped.json().recommendation.hyperparameters.learningRate, 9.86e-4, 0.03, 'η from renamed columns');
  assert.match(mapped.json().recommendation.hyperparameters.source, /from 50 bootstrap resamples, seed 1\)/);
  const unmapped = scalelab(['plan', '--C', '1e20', '--sweep', renamed]);
  assert.equal(unmapped.code, 2, 'without the mapping the columns are missing');
  // The flag plan takes for the sweep's columns (it said --columns, which plan refuses).
  assert.match(unmapped.stderr, /sweep-renamed\.csv:1: .*; map one with --sweep-columns (lr|batch)=NAME\n/);
  assert.doesNotMatch(unmapped.stderr, / --columns /);
});

test('bcrit --preset kaplan-2020 and hparams --preset kaplan-2020 --target-loss; bcrit FILE --target-loss predicts from the fitted law', () => {
  const b = scalelab(['bcrit', '--preset', 'kaplan-2020', '--target-loss', '3', '--json']);
  assert.equal(b.code, 0, b.stderr);
  near(b.json().bCrit, 1.12257e6, 1e-4, 'B_crit(3)');
  const h = scalelab(['hparams', '--preset', 'kaplan-2020', '--target-loss', '3', '--json']);
  assert.equal(h.code, 0, h.stderr);
  near(h.json().batchTokens, 1.12257e6, 1e-4, 'hparams B_crit(3)');
  assert.match(h.json().source, /preset kaplan-2020: Kaplan et al\. 2020/);
  const noLoss = scalelab(['hparams', '--preset', 'kaplan-2020']);
  assert.equal(noLoss.code, 2);
  assert.match(noLoss.stderr, /preset kaplan-2020 .* give --target-loss L/);
  // Truth: to reach L, S(B) = S_min(L)(1 + B_crit(L)/B), B_crit(L) = 1e7/L^(1/0.21); predict at 2.8.
  const bcrit = (L: number) => 1e7 / L ** (1 / 0.21);
  const rows = ['run,batch,step,loss'];
  for (const B of [2 ** 12, 2 ** 14, 2 ** 16, 2 ** 18, 2 ** 20])
    for (let k = 600; k >= 260; k -= 2)
      rows.push(`b${B},${B},${((2000 / (k / 100 - 2) ** 2) * (1 + bcrit(k / 100) / B)).toFixed(4)},${k / 100}`);
  const file = join(dir, 'curves-law.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const r = scalelab(['bcrit', file, '--target-losses', '4,3.5,3', '--target-loss', '2.8', '--json']);
  assert.equal(r.code, 0, r.stderr);
  near(r.json().atLoss.bCrit, bcrit(2.8), 0.01, 'B_crit(2.8) from the fitted law');
  assert.equal(r.json().atLoss.tradeoff.find((t: { stepsFactor: number }) => t.stepsFactor === 2).examplesFactor, 2);
  const text = scalelab(['bcrit', file, '--target-losses', '4,3.5,3', '--target-loss', '2.8']);
  assert.match(
    text.stdout,
    /B_crit\(L = 2\.8\) = [\d.e]+( \(95 % [\d.e]+ – [\d.e]+\))? in units of column "batch" {3}\[B_crit\(L\) = .* fitted to .*curves-law\.csv\]/,
  );
  assert.match(text.stdout, /^ +batch \(units of column "batch"\) +steps \/ S_min/m);
  // A column whose name says tokens: B_crit at the loss and the trade-off in tokens, as the lowest-target
  // line already said (they said "the units of column "batch_tokens"" beside it).
  const tokensFile = join(dir, 'curves-law-tokens.csv');
  writeFileSync(tokensFile, rows.join('\n').replace(/^run,batch,/, 'run,batch_tokens,') + '\n');
  const tokens = scalelab(['bcrit', tokensFile, '--target-losses', '4,3.5,3', '--target-loss', '2.8']).stdout;
  assert.match(tokens, /B_crit\(L = 2\.8\) = [\d.e]+( \(95 % [\d.e]+ – [\d.e]+\))? in tokens {3}\[/);
  assert.match(tokens, /^ +batch \(tokens\) +steps \/ S_min/m);
  assert.match(tokens, /2·E_min examples \(tokens\)/);
  assert.match(tokens, /2·E_min = [\d.e]+ tokens \(E = S·B/);
  assert.match(text.stdout, /At B = B_crit training takes 2·S_min steps and 2·E_min examples/);
  // Its warnings go to stderr with every command's (README, Output): stdout holds the result only.
  assert.match(text.stderr, /^warning: loss 2\.8 is outside the fitted targets/m);
  assert.doesNotMatch(text.stdout, /warning/);
  const one = scalelab(['bcrit', file, '--target-losses', '3.5', '--target-loss', '2.8']);
  assert.equal(one.code, 2);
  assert.match(
    one.stderr,
    /curves-law\.csv: B_crit at loss 2\.8 needs B_crit\(L\) fitted through two or more target losses/,
  );
});

test('the old spellings bcrit --loss and hparams --params still work for one release, with a note on stderr (JSON stdout untouched)', () => {
  const old = scalelab(['bcrit', '--loss', '3', '--json']);
  assert.equal(old.code, 0, old.stderr);
  assert.equal(old.json().bCrit, scalelab(['bcrit', '--target-loss', '3', '--json']).json().bCrit);
  assert.match(old.stderr, /warning: --loss is deprecated for "bcrit"; use --target-loss/);
  const n = scalelab(['hparams', '--params', '7e9', '--preset', 'porian-2024', '--json']);
  assert.equal(n.code, 0, n.stderr);
  assert.match(n.stderr, /--params is deprecated for "hparams"; use --N/);
  const both = scalelab(['bcrit', '--loss', '3', '--target-loss', '3']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /give --target-loss \(or its deprecated spelling --loss\), not both/);
  assert.ok(!scalelab(['bcrit', '--help']).stdout.includes('--loss '), 'help does not show the old spelling');
});

test('hparams and bcrit presets warn outside the runs their paper fitted them on, graded, and say where no range is stated', () => {
  const severity = (args: string[]) =>
    (scalelab([...args, '--json']).json().warnings as { code: string; severity: string }[]).map(
      (w) => `${w.code}:${w.severity}`,
    );
  // DeepSeek LLM's grid covered 1e17–2e19 FLOPs.
  assert.deepEqual(severity(['hparams', '--C', '1e18']), []);
  assert.deepEqual(severity(['hparams', '--C', '1e20']), ['extrapolation:info']);
  assert.deepEqual(severity(['hparams', '--C', '1e21']), ['extrapolation:warning']);
  assert.deepEqual(severity(['hparams', '--C', '1e15']), ['extrapolation:warning']);
  assert.deepEqual(severity(['hparams', '--C', '1e14']), ['extrapolation:severe']);
  const tiny = scalelab(['hparams', '--C', '1e-50']);
  assert.equal(tiny.code, 0, tiny.stderr);
  assert.match(
    tiny.stdout,
    /severe: C = 1e-50 is below the smallest C in the runs preset deepseek-2024 was fitted on \(1e17; DeepSeek LLM §3\.1/,
  );
  const j = scalelab(['hparams', '--C', '1e-50', '--json']).json();
  assert.deepEqual(j.range, { C: [1e17, 2e19] });
  assert.match(j.rangeSource, /1e17 to 2e19 FLOPs/);
  // Porian et al.'s and Kaplan et al.'s ranges are not recorded: said, not made up, nothing checked.
  const porian = scalelab(['hparams', '--N', '1e20', '--preset', 'porian-2024', '--json']).json();
  assert.equal(porian.range, null);
  assert.deepEqual(porian.warnings, []);
  assert.match(porian.rangeSource, /not recorded/);
  assert.match(scalelab(['hparams', '--N', '1e9', '--preset', 'porian-2024']).stdout, /fitted on: .*not recorded/);
  for (const args of [
    ['bcrit', '--target-loss', '3'],
    ['hparams', '--preset', 'kaplan-2020', '--target-loss', '3'],
  ]) {
    const b = scalelab([...args, '--json']).json();
    assert.equal(b.range, null);
    assert.match(b.rangeSource, /losses B_crit\(L\) was fitted over are not recorded/);
    assert.match(scalelab(args).stdout, /fitted on: the losses B_crit\(L\) was fitted over are not recorded/);
  }
  // plan carries the hyperparameter law's range warning beside its own, naming the numbers of its
  // recommendation that rest on the preset there (as printed) and how far beyond its range.
  const plan = scalelab(['plan', '--C', '1e24', '--json']).json();
  const { learningRate, batchTokens } = plan.recommendation.hyperparameters;
  const shown = `learning rate ${formatNumber(learningRate, 3)} and batch ${formatNumber(batchTokens, 3)} tokens`;
  assert.ok(
    plan.warnings.some(({ message: w }: { message: string }) =>
      w.startsWith(`${shown}: C = 1e24 is 5e4× the largest C in the runs preset deepseek-2024 was fitted on (2e19`),
    ),
    JSON.stringify(plan.warnings),
  );
  const text = scalelab(['plan', '--C', '1e24']).stdout;
  assert.ok(
    text.includes(`learning rate      ${formatNumber(learningRate, 3)}; batch ${formatNumber(batchTokens, 3)} tokens`),
    text,
  );
  assert.ok(text.includes(`  - severe: ${shown}: C = 1e24 is 5e4×`), text);
  // Only where a number shown rests on DeepSeek's law outside its range: not within it, not with another preset.
  const hparamWarnings = (args: string[]) =>
    scalelab(['plan', ...args, '--json'])
      .json()
      .warnings.filter((w: { message: string }) => /learning rate|preset deepseek-2024/.test(w.message));
  assert.deepEqual(hparamWarnings(['--C', '1e19']), []);
  assert.deepEqual(hparamWarnings(['--C', '1e24', '--hparams-preset', 'porian-2024']), []);
});

test('new-user slips: both --C and --N with a preset, a percentage for --near-optimal, gradient norms without --noise, a misspelt mup subcommand', () => {
  const both = scalelab(['hparams', '--C', '1e20', '--N', '1e9']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /preset deepseek-2024 is a law in C only: --N is not used by it/);
  const porian = scalelab(['hparams', '--N', '1e9', '--C', '1e20', '--preset', 'porian-2024']);
  assert.equal(porian.code, 2);
  assert.match(porian.stderr, /preset porian-2024 is a law in N only: --C is not used by it/);
  const sweep = ['hparams', '--C', '1e21', '--sweep', 'examples/inputs/sweep.csv', '--bootstrap', '0'];
  const percent = scalelab([...sweep, '--near-optimal', '25']);
  assert.equal(percent.code, 2);
  assert.match(
    percent.stderr,
    /--near-optimal is a fraction of the best loss, from 0 to 0\.1.*got 25 \(2500 %: every run of a sweep would count as near-optimal\)$/m,
  );
  // 0.25 is below 1 but is 25 % of the best loss: DeepSeek's 0.25 % with its sign left off.
  const quarter = scalelab([...sweep, '--near-optimal', '0.25']);
  assert.equal(quarter.code, 2);
  assert.match(
    quarter.stderr,
    /got 0\.25 \(25 %: most runs of a sweep would count as near-optimal\): give the fraction, 0\.0025 for 0\.25 %/,
  );
  assert.equal(scalelab([...sweep, '--near-optimal', '0.1', '--json']).code, 0);
  // Written with its sign, a percentage is read as one: 0.25% is DeepSeek's 0.0025.
  const signed = scalelab([...sweep, '--near-optimal', '0.25%', '--json']);
  assert.equal(signed.code, 0, signed.stderr);
  assert.equal(signed.json().laws.tolerance, 0.0025);
  assert.deepEqual(signed.json().laws, scalelab([...sweep, '--json']).json().laws);
  assert.match(
    scalelab([...sweep, '--near-optimal', 'x%']).stderr,
    /expected a fraction such as 0\.0025 or a percentage/,
  );
  const grads = scalelab(['bcrit', 'examples/inputs/grads.csv']);
  assert.equal(grads.code, 2);
  assert.match(grads.stderr, /has a "grad_sq" column and no loss: gradient norms are read with --noise/);
  const curves = scalelab(['bcrit', 'examples/inputs/curves.csv', '--noise']);
  assert.equal(curves.code, 2);
  assert.match(
    curves.stderr,
    /missing column "grad_sq" or "grad_norm_sq" or "gradient_norm_sq"; .*--columns gradSq=NAME/,
  );
  const typo = scalelab(['mup', 'transfr', 'examples/inputs/lr-sweeps.csv']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /^scalelab: error: unknown mup subcommand "transfr" \(did you mean transfer\?\)/);
  assert.doesNotMatch(scalelab(['mup', 'zzz']).stderr, /did you mean/);
  assert.equal(scalelab(['mup', '--width', '512', '--json']).json().m, 2);
});

test('flags: a lowercase m on a size gets the same hint as in a file; a fractional width; --C with the critical-batch preset', () => {
  const m = scalelab(['repetition', '--C', '9.26e21', '--unique-tokens', '25m']);
  assert.equal(m.code, 2);
  assert.match(
    m.stderr,
    /--unique-tokens: expected a number such as 7e10 or 70B, got "25m": a lowercase m could mean milli or mega/,
  );
  assert.match(scalelab(['hparams', '--C', '1e2x']).stderr, /"x" is not a size suffix/);
  assert.equal(
    scalelab(['hparams', '--C', 'abc']).stderr,
    'scalelab: error: --C: expected a number such as 7e10 or 70B, got "abc"\n',
  );
  assert.match(
    scalelab(['mup', '--width', '4096.5']).stderr,
    /--width: expected a whole number of at least 1, got "4096\.5"/,
  );
  const k = scalelab(['hparams', '--preset', 'kaplan-2020', '--target-loss', '3', '--C', '1e20']);
  assert.equal(k.code, 2);
  assert.match(k.stderr, /preset kaplan-2020 is a law in the loss \(B_crit\(L\)\): --C is not used by it/);
});

test("bcrit FILE on the README's example curves (drawn from McCandlish et al.'s relation with Kaplan's B*, α_B): every default target gives a trade-off and α_B's interval holds the truth", () => {
  const r = scalelab(['bcrit', 'examples/inputs/curves.csv', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = r.json();
  // The default targets stop short of the worst run's last evaluation, where its steps would rest on one point:
  // no warning but the one saying which targets' B_crit intervals span more than ×10 (0.2 % evaluation noise
  // on curves read at 30 evaluations: ×13–40 at four of the five).
  assert.deepEqual(
    out.warnings.map((w: string) => w.replace(/ \(×\d+\)/g, ' (×…)').split(':')[0]),
    ['B_crit is poorly determined at target loss 3.482 (×…), 2.969 (×…), 2.713 (×…), 2.456 (×…)'],
  );
  assert.equal(out.fits.length, 5);
  const [lo, hi] = out.law.alphaBInterval;
  assert.ok(lo <= 0.21 && 0.21 <= hi, `α_B interval [${lo}, ${hi}] holds the truth 0.21`);
  // B_crit at the highest target within a factor of 2 of the truth 2e9/L^(1/0.21).
  const top = out.fits[0];
  const truth = 2e9 / top.target ** (1 / 0.21);
  assert.ok(top.bCrit > truth / 2 && top.bCrit < truth * 2, `${top.bCrit} vs ${truth}`);
});

test('hparams says the sequence length its batch in sequences assumes, and a count that is not whole as tokens / sequence length', () => {
  const big = scalelab(['hparams', '--C', '1.436e24']);
  assert.equal(big.code, 0, big.stderr);
  assert.match(big.stdout, /batch 2\.329e7 tokens \(5686 sequences of 4096 tokens \(default, --seq-len\)\)/);
  const small = scalelab(['hparams', '--C', '1e20', '--seq-len', '2048']);
  assert.equal(small.code, 0, small.stderr);
  assert.match(small.stdout, /batch 1\.017e6 tokens \(496\.7 sequences of 2048 tokens: tokens \/ sequence length\)/);
  assert.equal(scalelab(['hparams', '--C', '1e20', '--json']).json().seqLen, 4096);
});

test('a sweep whose batch column counts sequences: warned about when read as tokens, right with --batch-unit sequences (hparams and plan)', () => {
  // Truth: Porian-like laws in N with B in tokens; the file writes B in sequences of 2048 tokens (64 … 16k).
  const eta = (N: number) => 3.7 * N ** -0.36,
    tokens = (N: number) => 0.00037 * N ** 0.703 * 2048;
  const file = writeSweep('sweep-seqs.csv', 'N', [1e8, 2e8, 4e8, 8e8, 1.6e9], eta, (N) => tokens(N) / 2048, {
    lr: 5e-4,
    batch: 8,
  });
  const asTokens = scalelab(['hparams', '--N', '1e9', '--sweep', file, '--seq-len', '2048', '--bootstrap', '0']);
  assert.equal(asTokens.code, 0, asTokens.stderr);
  assert.match(
    asTokens.stdout,
    /warning: the batch column "batch" is read as tokens, and its smallest value 8 is below one sequence of 2048 tokens .*--batch-unit sequences/,
  );
  const seqs = scalelab([
    'hparams',
    '--N',
    '1e9',
    '--sweep',
    file,
    '--seq-len',
    '2048',
    '--batch-unit',
    'sequences',
    '--bootstrap',
    '0',
    '--json',
  ]);
  assert.equal(seqs.code, 0, seqs.stderr);
  near(seqs.json().batchTokens, tokens(1e9), 0.03, 'B(1e9) in tokens');
  assert.ok(!seqs.json().laws.warnings.some((w: string) => /batch column/.test(w)));
  assert.match(scalelab(['hparams', '--N', '1e9', '--batch-unit', 'sequences']).stderr, /give it with --sweep/);
  assert.match(scalelab(['hparams', '--help']).stdout, /batch \(in tokens/);
  // plan reads the same sweep (laws in C: C = 6ND with D = 20N) and says the same under its own flag.
  const rows = readFileSync(file, 'utf8').trim().split('\n');
  const cFile = join(dir, 'sweep-seqs-c.csv');
  writeFileSync(
    cFile,
    ['N,D,' + rows[0].split(',').slice(1).join(',')]
      .concat(
        rows.slice(1).map((r) => {
          const [n, ...rest] = r.split(',');
          return [n, 20 * Number(n), ...rest].join(',');
        }),
      )
      .join('\n') + '\n',
  );
  const plan = scalelab([
    'plan',
    '--C',
    '1e21',
    '--sweep',
    cFile,
    '--sweep-bootstrap',
    '2',
    '--seq-len',
    '2048',
    '--json',
  ]);
  assert.equal(plan.code, 0, plan.stderr);
  assert.ok(
    plan
      .json()
      .warnings.some(
        (w: { code: string; message: string }) =>
          w.code === 'batch-unit' && /--sweep-batch-unit sequences/.test(w.message),
      ),
    JSON.stringify(plan.json().warnings),
  );
  const planSeqs = scalelab([
    'plan',
    '--C',
    '1e21',
    '--sweep',
    cFile,
    '--sweep-bootstrap',
    '2',
    '--seq-len',
    '2048',
    '--sweep-batch-unit',
    'sequences',
    '--json',
  ]);
  assert.equal(planSeqs.code, 0, planSeqs.stderr);
  assert.ok(!planSeqs.json().warnings.some((w: { code: string }) => w.code === 'batch-unit'));
  // C = 6·N·20N, so the truth at C = 1e21 is the batch of N = √(C/120).
  near(
    planSeqs.json().recommendation.hyperparameters.batchTokens,
    tokens(Math.sqrt(1e21 / 120)),
    0.05,
    'plan B in tokens',
  );
});

test('hparams --N with a law in C suggests the law in N (porian-2024), and the reverse', () => {
  const r = scalelab(['hparams', '--N', '7B']);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /preset deepseek-2024 is a law in C: give --C, or use porian-2024, a law in N \(--preset porian-2024\)/,
  );
  const back = scalelab(['hparams', '--C', '1e22', '--preset', 'porian-2024']);
  assert.match(back.stderr, /a law in N: give --N, or use deepseek-2024, a law in C \(--preset deepseek-2024\)/);
});

test('a missing batch, step or width column is said with the columns the file has, read and not read (hparams --sweep, bcrit, mup transfer)', () => {
  const sweep = join(dir, 'sweep-gbs.csv');
  writeFileSync(sweep, 'C,learning_rate,gbs,train/loss\n1e17,1e-3,256,3.1\n1e17,2e-3,256,3.0\n');
  const h = scalelab(['hparams', '--C', '1e20', '--sweep', sweep]);
  assert.equal(h.code, 2);
  assert.match(
    h.stderr,
    /sweep-gbs\.csv:1: a learning-rate\/batch sweep needs a batch column \(batch size\); the data have: C, train\/loss \(loss\), learning_rate \(lr\); not read: gbs; map one with --columns batch=NAME/,
  );
  const curves = join(dir, 'curves-bs.csv');
  writeFileSync(curves, 'run,bs,iter,loss\na,32,10,3.0\na,32,20,2.9\n');
  const b = scalelab(['bcrit', curves]);
  assert.equal(b.code, 2);
  assert.match(
    b.stderr,
    /curves-bs\.csv:1: needs a batch column \(batch size of each run\); the data have: .*not read: bs, iter; map one with --columns batch=NAME/,
  );
  const step = scalelab(['bcrit', curves, '--columns', 'batch=bs']);
  assert.equal(step.code, 2);
  assert.match(
    step.stderr,
    /needs a step column \(optimizer step of each checkpoint\); the data have: .*bs \(batch\).*not read: iter; map one with --columns step=NAME/,
  );
  const widths = join(dir, 'lr-hidden.csv');
  writeFileSync(widths, 'hidden,lr,loss\n256,1e-3,3.0\n256,2e-3,2.9\n');
  const m = scalelab(['mup', 'transfer', widths]);
  assert.equal(m.code, 2);
  assert.match(
    m.stderr,
    /needs a width column \(model width \(d_model\)\); the data have: .*not read: hidden; map one with --columns width=NAME/,
  );
});

test('hparams --N --sweep whose sizes are in millions says so on stderr, with the suffix to write (fit says the same)', () => {
  // Truth: Porian et al.'s laws, the sizes written in millions (125 … 1300).
  const rows = ['params,lr,batch_tokens,loss'];
  for (const N of [125, 350, 760, 1300]) {
    const eta = 3.7 * (N * 1e6) ** -0.36,
      B = 0.00037 * (N * 1e6) ** 0.703 * 2048;
    for (let i = -3; i <= 3; i++)
      for (let j = -3; j <= 3; j++)
        rows.push(
          `${N},${eta * 2 ** (i / 2)},${B * 2 ** (j / 2)},${3 + 0.02 * ((i * Math.LN2) / 2) ** 2 + 0.01 * ((j * Math.LN2) / 2) ** 2}`,
        );
  }
  const file = join(dir, 'sweep-millions.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const r = scalelab(['hparams', '--N', '7B', '--sweep', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /note: the largest N in .*sweep-millions\.csv is 1300: if that counts parameters in millions or billions, write the suffix \(1300M, 1300B\) or scale the column; hparams --N reads N in parameters/,
  );
  assert.ok(r.json().learningRate < 1e-4, 'read as given: 7e9 is 5e6× beyond the sweep');
  // In parameters, no note.
  const scaled = join(dir, 'sweep-params.csv');
  writeFileSync(scaled, rows.map((l, k) => (k === 0 ? l : l.replace(/^(\d+),/, '$1e6,'))).join('\n') + '\n');
  const ok = scalelab(['hparams', '--N', '7B', '--sweep', scaled, '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.doesNotMatch(ok.stderr, /note: the largest N/);
  near(ok.json().learningRate, 3.7 * 7e9 ** -0.36, 0.1, 'η(7B) from the sweep in parameters');
});
