import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, scalelab } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-data-'));

test('predict --preset muennighoff-2023 gives the published value to the last digit in JSON, and 6 significant digits in text', () => {
  const args = ['predict', '--preset', 'muennighoff-2023', '--N', '6.34e9', '--D', '242e9', '--U', '25e9'];
  const j = scalelab([...args, '--json']);
  assert.equal(j.code, 0, j.stderr);
  assert.equal(j.json().loss, 2.2256440889984477);
  const r = scalelab(args);
  assert.equal(r.code, 0, r.stderr);
  // The text prints the loss as its interval is printed, not with a float's trailing digits.
  assert.match(r.stdout, /^predicted loss 2\.22564\n/);
});

test('repetition and plan --unique-tokens give the capped optimum; fit reproduces R*_D and R*_N', () => {
  const rep = scalelab(['repetition', '--C', String(6 * 8.67e9 * 178e9), '--unique-tokens', '25e9', '--json']);
  assert.equal(rep.code, 0, rep.stderr);
  assert.ok(Math.abs(rep.json().epochs / 9.06 - 1) < 0.005);
  const plan = scalelab([
    'plan',
    '--C',
    String(6 * 8.67e9 * 178e9),
    '--preset',
    'muennighoff-2023',
    '--unique-tokens',
    '25e9',
    '--json',
  ]);
  assert.ok(Math.abs(plan.json().recommendation.N / 6.813e9 - 1) < 0.005);
  const f = scalelab([
    'fit',
    'examples/datablations-fit-182.csv',
    '--law',
    'data-constrained',
    '--preset',
    'muennighoff-2023',
    '--free',
    'R_N,R_D',
    '--init',
    'R_N=6.667,R_D=6.667',
    '--json',
  ]);
  assert.equal(f.code, 0, f.stderr);
  assert.ok(Math.abs(f.json().params.R_D / 15.39 - 1) < 0.01 && Math.abs(f.json().params.R_N / 5.31 - 1) < 0.01);
});

test('select, curve, curves, compare and depth-width run and print JSON', () => {
  assert.equal(scalelab(['select', '--json']).json().tables.length, 4);
  const curve = join(dir, 'curve.csv');
  writeFileSync(
    curve,
    [
      'D,loss',
      ...Array.from({ length: 20 }, (_, i) => {
        const D = 10 ** (2 + i * 0.35);
        return `${D},${0.05 + 2 * D ** -0.35}`;
      }),
    ].join('\n') + '\n',
  );
  const c = scalelab(['curve', curve, '--json']);
  assert.equal(c.code, 0, c.stderr);
  assert.ok(Math.abs(c.json().fit.alpha - 0.35) < 1e-3);
  const b = scalelab(['curve', curve, '--breaks', '1', '--predict', '1e10', '--json']);
  assert.equal(b.code, 0, b.stderr);
  assert.ok(Math.abs(b.json().predictions[0].loss / (0.05 + 2 * 1e10 ** -0.35) - 1) < 0.02);
  const bench = scalelab(['curves', 'examples/revisiting-lang.csv', '--json']);
  assert.equal(bench.json().scored, 20);
  const groups = join(dir, 'groups.csv');
  const rows = ['arch,C,loss'];
  for (const [g, E, A, a] of [
    ['moe', 1.75, 400, 0.16],
    ['dense', 1.7, 40, 0.1],
  ] as const)
    for (let k = 0; k < 10; k++) {
      const C = 10 ** (17 + k * 0.5);
      rows.push(`${g},${C},${E + A * C ** -a}`);
    }
  writeFileSync(groups, rows.join('\n') + '\n');
  const cmp = scalelab(['compare', groups, '--group-column', 'arch', '--bootstrap', '20', '--json']);
  assert.equal(cmp.code, 0, cmp.stderr);
  assert.equal(cmp.json().crossovers[0].betterAbove, 'moe');
  assert.equal(cmp.json().unit, 'run');
  // A column naming each run's trunk (here one per budget, shared by both archs): whole lineages drawn.
  const trunks = join(dir, 'groups-trunks.csv');
  writeFileSync(trunks, ['arch,C,loss,base', ...rows.slice(1).map((r, i) => `${r},t${i % 10}`)].join('\n') + '\n');
  const byTrunk = scalelab(['compare', trunks, '--group-column', 'arch', '--bootstrap', '20', '--lineage', 'base']);
  assert.equal(byTrunk.code, 0, byTrunk.stderr);
  assert.match(
    byTrunk.stdout,
    /per group \(95 % intervals \(default, --level\), 20 bootstrap replicates resampling whole lineages\)/,
  );
  const shapes = join(dir, 'shapes.csv');
  writeFileSync(
    shapes,
    'N,width,layers,loss\n1.2e8,1024,10,3.01\n1.2e8,768,17,3.00\n1.2e8,512,38,3.05\n9.4e8,2048,19,2.61\n9.4e8,1536,33,2.60\n',
  );
  const dw = scalelab(['depth-width', shapes, '--json']);
  assert.equal(dw.code, 0, dw.stderr);
  assert.equal(dw.json()[0].best.layers, 17);
});

test('bad input: a group with one point, unique tokens above total tokens', () => {
  const lonely = join(dir, 'lonely.csv');
  writeFileSync(lonely, 'group,C,loss\na,1e18,3\na,1e19,2.8\na,1e20,2.6\na,1e21,2.5\nb,1e19,2.7\n');
  const g = scalelab(['compare', lonely]);
  assert.equal(g.code, 2);
  assert.match(g.stderr, /lonely\.csv:6 \(column "group"\): group "b" has 1 run/);
  const u = join(dir, 'u.csv');
  writeFileSync(u, 'N,D,U,loss\n1e8,2e9,3e9,3.1\n');
  const f = scalelab(['fit', u, '--law', 'data-constrained']);
  assert.equal(f.code, 2);
  assert.match(f.stderr, /u\.csv:2:3 \(column "U"\): unique tokens U = 3000000000 exceed total tokens D = 2000000000/);
  assert.ok(noStackTrace(g.stderr) && noStackTrace(f.stderr));
});

test('predict: unique tokens above the total tokens (given or from C = 6ND) is a usage error, not a silent cap', () => {
  const d = scalelab(['predict', '--preset', 'muennighoff-2023', '--N', '6.34e9', '--D', '2e9', '--U', '25e9']);
  assert.equal(d.code, 2);
  assert.match(d.stderr, /^scalelab: error: --U 2\.5e10 unique tokens exceed the total tokens D = 2e9; expected U ≤ D/);
  const c = scalelab([
    'predict',
    '--preset',
    'muennighoff-2023',
    '--N',
    '6.34e9',
    '--C',
    '1e20',
    '--U',
    '25e9',
    '--json',
  ]);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /exceed the total tokens D = 2\.629e9 \(= C\/\(6N\)\)/);
  assert.ok(noStackTrace(d.stderr) && noStackTrace(c.stderr));
  assert.equal(d.stdout, '');
  assert.equal(c.json().error.type, 'UsageError');
  // The same check whatever the law (as the library's predictFromFit): a U above D is no run, read or not.
  const h = scalelab(['predict', '--preset', 'hoffmann-2022', '--N', '70B', '--D', '1.4T', '--U', '1e15']);
  assert.equal(h.code, 2);
  assert.match(
    h.stderr,
    /^scalelab: error: --U 1e15 unique tokens exceed the total tokens D = 1\.4e12; expected U ≤ D/,
  );
  // U = D (one epoch) is fine.
  assert.equal(
    scalelab(['predict', '--preset', 'muennighoff-2023', '--N', '6.34e9', '--D', '25e9', '--U', '25e9']).code,
    0,
  );
});

test("select --pools FILE: the user's pools (CSV or JSON), with constants from the file or flags; bad files are located", () => {
  const csv = join(dir, 'pools.csv');
  writeFileSync(csv, 'name,b,tau\nstrict,-0.16,6.727\nloose,-0.125,8.545\n');
  const r = scalelab(['select', '--pools', csv, '--samples', '1e8,1e9', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json();
  assert.deepEqual([j.a, j.d, j.poolSize], [0.025, 0.1, 12.8e6]);
  assert.deepEqual(
    j.tables.map((t: { choices: { error: number }[] }) => t.choices.map((c) => Number(c.error.toFixed(6)))),
    [
      [0.724771, 0.72495],
      [0.688139, 0.605079],
    ],
  );
  assert.ok(Math.abs(j.crossovers[0].at / 1.0053715e8 - 1) < 1e-6, String(j.crossovers[0].at));
  const text = scalelab(['select', '--pools', csv]);
  assert.match(text.stdout, /pools from .*pools\.csv/);
  assert.match(text.stdout, /strict \+ loose overtakes strict beyond 1\.01e8 samples/);
  // JSON with its own constants; a flag overrides the file. One pool of 1e6 samples, a = 1 (flag), d = 0
  // (file): one pass is (1·1e6/1e5)^−0.2 = 10^−0.2 = 0.630957.
  const json = join(dir, 'pools.json');
  writeFileSync(json, '{"a": 0.05, "d": 0, "poolSize": 1e6, "pools": [{"name": "x", "b": -0.2, "tau": 3}]}\n');
  const k = scalelab(['select', '--pools', json, '--a', '1', '--samples', '1e6', '--json']);
  assert.equal(k.code, 0, k.stderr);
  assert.ok(Math.abs(k.json().tables[0].choices[0].error - 0.630957) < 1e-6);
  const bad = join(dir, 'bad-pools.csv');
  writeFileSync(bad, 'name,b,tau\nstrict,-0.16,6.7\nloose,0.2,8.5\n');
  const e = scalelab(['select', '--pools', bad]);
  assert.equal(e.code, 2);
  assert.match(e.stderr, /bad-pools\.csv:3:2 \(column "b"\): expected a negative utility exponent b/);
  assert.ok(noStackTrace(e.stderr));
});

test("curve --breaks 1 on the README's example recovers its known break (slope 0.15 → 0.4 at D = 1e4) and predicts within 5 %", () => {
  const r = scalelab(['curve', 'examples/inputs/curve-break.csv', '--breaks', '1', '--predict', '1e8', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json();
  const p = j.params;
  assert.ok(Math.abs(Math.log10(p.d1 / 1e4)) < 0.15, `break at ${p.d1}`);
  assert.ok(Math.abs(p.c0 - 0.15) < 0.02, `c0 ${p.c0}`);
  assert.ok(Math.abs(p.c0 + p.c1 - 0.4) < 0.04, `slope after the break ${p.c0 + p.c1}`);
  const truth = 0.05 + 3 * 1e8 ** -0.15 * (1 + (1e8 / 1e4) ** 2) ** -0.125;
  assert.ok(Math.abs(j.predictions[0].loss / truth - 1) < 0.05, `${j.predictions[0].loss} vs ${truth}`);
  assert.ok(!JSON.stringify(j.warnings ?? []).includes('below the data'), JSON.stringify(j.warnings));
});

test('curve --breaks: a break outside the data and a prediction beyond it are warned; --predict without --breaks is refused', () => {
  // A smooth power law with a floor has no break to find: one break fitted to it lands outside the data.
  const curve = join(dir, 'smooth.csv');
  writeFileSync(
    curve,
    [
      'D,loss',
      ...Array.from({ length: 30 }, (_, i) => 10 ** (1 + i * 0.2)).map((D) => `${D},${0.05 + 2 * D ** -0.35}`),
    ].join('\n') + '\n',
  );
  const b = scalelab(['curve', curve, '--breaks', '2', '--predict', '1e10,1e7', '--json']);
  assert.equal(b.code, 0, b.stderr);
  const w = b.json().warnings as { code: string; severity: string; message: string }[];
  const d = b.json().params;
  const outside = [d.d1, d.d2].filter((x: number) => x < 10 || x > 10 ** 6.8).length;
  assert.ok(outside >= 1, `a break the data do not show: ${JSON.stringify(d)}`);
  assert.equal(w.filter((x) => x.code === 'break-outside-data').length, outside, JSON.stringify({ d, w }));
  // The data reach D = 6.3e6: 1e10 is far beyond (severe), 1e7 just beyond (info).
  const far = w.filter((x) => x.code === 'extrapolation').map((x) => [x.severity, x.message.slice(0, 40)]);
  assert.deepEqual(far, [
    ['severe', 'D = 1e10 is 1.58e3× the largest D in the'],
    ['info', 'D = 1e7 is 1.58× the largest D in the fi'],
  ]);
  // The fit's own warnings come without the hint at an option curve does not have.
  assert.ok(!w.some((x) => /option "init"|--init/.test(x.message)), JSON.stringify(w));
  const text = scalelab(['curve', curve, '--breaks', '2', '--predict', '1e10']);
  assert.match(text.stdout, /severe: D = 1e10 is 1\.58e3× the largest D in the fit's data/);
  const lone = scalelab(['curve', curve, '--predict', '1e10']);
  assert.equal(lone.code, 2);
  assert.match(lone.stderr, /--predict goes with --breaks N/);
});

test('repetition: a unique-token count far too small, a cap that does not bind, a budget beyond the preset; plan with a cap under a law without U', () => {
  // 25 typed for 25e9: refused with the suffix meant, before any table is printed.
  const tiny = scalelab(['repetition', '--C', '9.26e21', '--unique-tokens', '25']);
  assert.equal(tiny.code, 2);
  assert.match(tiny.stderr, /--unique-tokens 25 is 25 tokens, fewer than .*: did you mean 25B or 25M\?/);
  assert.equal(tiny.stdout, '');
  // 2e6 typed for 2e9: above the floor, but 2.4e5 epochs, 26× the most the preset's runs repeated their
  // data: a severe warning, printed before the table, not after it.
  const slip = scalelab(['repetition', '--C', '9.26e21', '--unique-tokens', '2e6']);
  assert.equal(slip.code, 0, slip.stderr);
  assert.match(
    slip.stdout,
    /^severe: 2\.39e5 epochs is 26\.5× the most the law's runs repeated their data .*check --unique-tokens/,
  );
  const codes = scalelab(['repetition', '--C', '9.26e21', '--unique-tokens', '2e6', '--json'])
    .json()
    .warnings.map((w: { code: string; severity: string }) => `${w.code}:${w.severity}`);
  assert.ok(codes.includes('extrapolation:severe'), codes.join());
  // The README's case: an interior optimum inside the paper's runs, no warnings.
  const ok = scalelab(['repetition', '--C', '9.26e21', '--unique-tokens', '25e9', '--json']).json();
  assert.equal(ok.atSearchEdge, false);
  assert.equal(ok.capBinds, true);
  assert.deepEqual(ok.warnings, []);
  // More unique tokens than the run reads: not "0.00 epochs" and "the cap costs -0.00 %".
  const loose = scalelab(['repetition', '--C', '9.26e21', '--unique-tokens', '1e15']);
  assert.match(loose.stdout, /= 1\.74e-4 epochs/);
  assert.match(
    loose.stdout,
    /the cap does not bind: the compute-optimal run reads 1\.74e11 tokens, fewer than the 1e15 unique ones/,
  );
  assert.doesNotMatch(loose.stdout, /the cap costs/);
  assert.equal(scalelab(['repetition', '--C', '9.26e21', '--unique-tokens', '1e15', '--json']).json().capBinds, false);
  // A budget past the paper's 9B models is an extrapolation of the preset.
  const big = scalelab(['repetition', '--C', '1e25', '--unique-tokens', '25e9', '--json']).json();
  assert.ok(
    big.warnings.some((w: { message: string }) =>
      /N = 1\.725e11 is 19\.2× the largest N in the runs of preset muennighoff-2023/.test(w.message),
    ),
  );
  // plan --unique-tokens with the Chinchilla law: the cap is in the assumptions, and a warning that the law ignores it.
  const plan = scalelab(['plan', '--C', '1e22', '--unique-tokens', '25e9', '--json']).json();
  assert.ok(
    plan.warnings.some((w: { message: string }) =>
      /^law chinchilla has no unique-token input: .* repeats them 7\.37 times/.test(w.message),
    ),
    JSON.stringify(plan.warnings),
  );
  const fresh = scalelab(['plan', '--C', '1e22', '--unique-tokens', '25e12', '--json']).json();
  assert.ok(!fresh.warnings.some((w: { message: string }) => /no unique-token input/.test(w.message)));
  const constrained = scalelab([
    'plan',
    '--C',
    '1e22',
    '--preset',
    'muennighoff-2023',
    '--unique-tokens',
    '25e9',
    '--json',
  ]).json();
  assert.ok(!constrained.warnings.some((w: { message: string }) => /no unique-token input/.test(w.message)));
});

test('compare and depth-width: a missing group column, a variable the file lacks, a file with no N say what to give', () => {
  const noGroup = scalelab(['compare', 'examples/inputs/archs.csv']);
  assert.equal(noGroup.code, 2);
  assert.match(
    noGroup.stderr,
    /archs\.csv: compare reads each run's group from a column, "group" unless --group-column COLUMN names another; the file has no "group" column \(its columns: arch, C, loss\)/,
  );
  // A column the user named but the file lacks keeps the located error.
  assert.match(
    scalelab(['compare', 'examples/inputs/archs.csv', '--group-column', 'model']).stderr,
    /archs\.csv:1: no column "model"/,
  );
  const noN = scalelab(['compare', 'examples/inputs/archs.csv', '--group-column', 'arch', '--x', 'N', '--json']);
  assert.equal(noN.code, 2);
  assert.equal(
    noN.json().error.message,
    'examples/inputs/archs.csv:2: this run has no N: the file has no N column (its columns: C, loss, arch (group)); map one with --columns N=NAME, or compare along --x C',
  );
  const dw = scalelab(['depth-width', 'examples/inputs/curve.csv']);
  assert.equal(dw.code, 2);
  assert.match(dw.stderr, /curve\.csv:1: depth versus width needs an N column .*--columns N=NAME/);
});

test('curves says which form it back-tested and whether it is the default; --breaks is refused with power', () => {
  // Two curves, y = 0.1 + 3·x^(−0.4), fitted on their first 12 points and scored on the last 4.
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-curves-'));
  const file = join(dir, 'curves.csv');
  const rows = ['curve,x,y,train'];
  for (const id of ['a', 'b'])
    for (let i = 0; i < 16; i++) {
      const x = 10 ** (2 + i * 0.25);
      rows.push(`${id},${x},${(0.1 + 3 * x ** -0.4) * (id === 'a' ? 1 : 1.1)},${i < 12 ? 1 : 0}`);
    }
  writeFileSync(file, rows.join('\n') + '\n');
  const cols = ['--x-column', 'x', '--y-column', 'y', '--split-column', 'train', '--curve-columns', 'curve'];
  const power = scalelab(['curves', file, ...cols]);
  assert.equal(power.code, 0, power.stderr);
  assert.match(power.stdout, /^form: power \(the default/m);
  const j = scalelab(['curves', file, ...cols, '--json']).json();
  assert.deepEqual(j.form, { law: 'power', default: true });
  const bnsl = scalelab(['curves', file, ...cols, '--law', 'bnsl', '--breaks', '2', '--json']);
  assert.equal(bnsl.code, 0, bnsl.stderr);
  assert.deepEqual(bnsl.json().form, { law: 'bnsl', breaks: 2, default: false });
  const text = scalelab(['curves', file, ...cols, '--law', 'bnsl']);
  assert.match(text.stdout, /^form: bnsl with 1 break \(by --law; the default is power/m);
  const refused = scalelab(['curves', file, ...cols, '--breaks', '2']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--breaks is read with --law bnsl \(law power has no breaks\)/);
  noStackTrace(refused.stderr);
  // Your own column names without the flags: the missing column says which flag names it.
  const own = scalelab(['curves', file]);
  assert.equal(own.code, 2);
  assert.match(
    own.stderr,
    /curves\.csv:1: missing column "Seen Examples"; the file has columns: curve, x, y, train: name yours with --x-column\n/,
  );
  const noId = scalelab(['curves', file, ...cols.slice(0, 6)]);
  assert.match(noId.stderr, /missing column "Domain"; .*: name yours with --curve-columns\n/);
});

test("curves --law m4 scores the Revisiting paper's M4 form: its median on the language benchmark is the bench's, and a curve it cannot fit is named with why", () => {
  // bench/curves-form.ts printed M4's median on the 20 language curves as 3.846e-5, with no fallback: the CLI
  // scores the same fit on the same split, so the same number.
  const lang = scalelab(['curves', 'examples/revisiting-lang.csv', '--law', 'm4', '--json']);
  assert.equal(lang.code, 0, lang.stderr);
  const j = lang.json();
  assert.deepEqual(j.form, { law: 'm4', default: false });
  assert.equal(j.formula, '(ℓ − ε∞)/(ε0 − ℓ)^α = β·x^c');
  assert.match(j.citation, /Alabdulmohsin, Neyshabur & Zhai 2022.*not the paper's recipe/);
  assert.equal(j.scored, 20);
  assert.equal(j.medianMse.toExponential(3), '3.846e-5');
  // A curve drawn from M4 and one that rises: the second is named in the table, with the reason.
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-curves-m4-'));
  const file = join(dir, 'curves.csv');
  const rows = ['curve,x,y,train'];
  for (let i = 0; i < 16; i++) {
    const x = 10 ** (4 + i * 0.2);
    // (ℓ − 0.2)/(0.9 − ℓ)^0.5 = 30·x^(−0.35), solved for ℓ by bisection.
    let lo = 0.2,
      hi = 0.9;
    for (let k = 0; k < 200; k++) {
      const l = (lo + hi) / 2;
      if ((l - 0.2) / (0.9 - l) ** 0.5 > 30 * x ** -0.35) hi = l;
      else lo = l;
    }
    rows.push(`falling,${x},${lo},${i < 12 ? 1 : 0}`, `rising,${x},${1 + 1e-3 * Math.log(x)},${i < 12 ? 1 : 0}`);
  }
  writeFileSync(file, rows.join('\n') + '\n');
  const cols = ['--x-column', 'x', '--y-column', 'y', '--split-column', 'train', '--curve-columns', 'curve'];
  const text = scalelab(['curves', file, ...cols, '--law', 'm4']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^ *rising .*failed: M4 has no start: .*does not fall as M4 does/m);
  assert.match(text.stdout, /the form wins on 1 of 1 curves \(1 could not be scored\)/);
  assert.match(text.stdout, /^form: m4 \(by --law; the default is power/m);
  assert.match(text.stdout, /^ {2}M4 of Alabdulmohsin, Neyshabur & Zhai 2022/m);
  const breaks = scalelab(['curves', file, ...cols, '--law', 'm4', '--breaks', '2']);
  assert.equal(breaks.code, 2);
  assert.match(breaks.stderr, /--breaks is read with --law bnsl \(form m4 has no breaks\)/);
  const unknown = scalelab(['curves', file, ...cols, '--law', 'm5']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--law.*power, bnsl, m4/);
  noStackTrace(unknown.stderr);
});

test('compare --columns maps a size column it does not recognise; without it the error lists the unread columns and names --columns', () => {
  // walk15's B5: a notebook's file whose size column is "size" (125M…2.7B at 20 tokens per parameter).
  const file = join(dir, 'arms-size.csv');
  const rows = ['run_name,size,train_tokens,attention,val_loss'];
  for (const [N, tag] of [
    [125e6, '125M'],
    [350e6, '350M'],
    [760e6, '760M'],
    [1.3e9, '1.3B'],
    [2.7e9, '2.7B'],
  ] as const)
    for (const [g, A, a] of [
      ['baseline', 406.4, 0.34],
      ['newopt', 380, 0.34],
    ] as const)
      rows.push(`${g}-${tag},${tag},${20 * N},${g},${(1.69 + A / N ** a + 410.7 / (20 * N) ** 0.28).toFixed(5)}`);
  writeFileSync(file, rows.join('\n') + '\n');
  const bare = scalelab(['compare', file, '--group-column', 'attention']);
  assert.equal(bare.code, 2);
  assert.match(
    bare.stderr,
    /arms-size\.csv:2: this run has no C: the file has no C column and no N and D to make it from \(C = 6·N·D\) \(its columns: .*not read: run_name, size\); map the columns with --columns N=NAME,D=NAME or C=NAME, or compare along --x D/,
  );
  assert.ok(noStackTrace(bare.stderr), bare.stderr);
  const mapped = scalelab([
    'compare',
    file,
    '--group-column',
    'attention',
    '--columns',
    'N=size',
    '--bootstrap',
    '20',
    '--json',
  ]);
  assert.equal(mapped.code, 0, mapped.stderr);
  const c = mapped.json();
  // M1: 95 % intervals, as every other command.
  assert.equal(c.level, 0.95);
  // Truth: newopt is better at every size (the same exponent, a smaller A).
  assert.match(c.crossovers[0].verdict, /newopt is better/);
  assert.doesNotMatch(c.crossovers[0].verdict, /baseline is better below/);
  // --columns group= names the group column as --group-column does; two different ones are refused.
  const viaColumns = scalelab(['compare', file, '--columns', 'N=size,group=attention', '--bootstrap', '0', '--json']);
  assert.equal(viaColumns.code, 0, viaColumns.stderr);
  const both = scalelab(['compare', file, '--group-column', 'run_name', '--columns', 'N=size,group=attention']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--columns group=attention and --group-column run_name name two group columns: give one/);
});

test('compare --json carries no crossover interval when its verdict has no crossover', () => {
  // Two groups of one exponent, B's offset higher: A is better throughout, no crossing anywhere.
  const file = join(dir, 'offsets.csv');
  const rows = ['group,C,loss'];
  for (const [g, E] of [
    ['A', 1.7],
    ['B', 1.8],
  ] as const)
    for (let k = 0; k < 8; k++) {
      const C = 10 ** (18 + k * 0.4);
      rows.push(`${g},${C},${(E + 40 * C ** -0.1) * (1 + 0.0005 * Math.sin(7 * k + E))}`);
    }
  writeFileSync(file, rows.join('\n') + '\n');
  const r = scalelab(['compare', file, '--bootstrap', '40', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const x = r.json().crossovers[0];
  assert.equal(x.kind, 'throughout');
  assert.equal(x.betterAbove, 'A');
  assert.equal(x.at, undefined);
  assert.equal(x.interval, undefined);
  assert.equal(x.settled, true, x.verdict);
  assert.match(x.verdict, /^A is better across the data \(C 1e18 – 6\.3e20\)/);
});

test('mup coord reads d_model as the width, as mup transfer does', () => {
  const file = join(dir, 'coord-dmodel.csv');
  writeFileSync(
    file,
    'layer,d_model,value\nattn,256,1\nattn,512,1.01\nattn,1024,0.99\nmlp,256,1\nmlp,512,2\nmlp,1024,4\n',
  );
  const r = scalelab(['mup', 'coord', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /"mlp"/);
  const none = join(dir, 'coord-none.csv');
  writeFileSync(none, 'layer,dm,value\nattn,256,1\n');
  assert.match(
    scalelab(['mup', 'coord', none]).stderr,
    /missing column "width" \(or "d_model", "hidden_size", "n_embd"\); the file has columns: layer, dm, value/,
  );
});

test('repetition with a fit holding bootstrap replicates gives intervals on the thresholds, the cap and the loss; the preset says R*_D is weakly identified and the loss is C4', () => {
  // Truth: the data-constrained law with the preset's base (fixed) and R*_D = 15, R*_N = 5; runs of
  // 1–60 epochs over several corpora, 0.5 % multiplicative noise from a fixed sequence.
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-repetition-'));
  const truth = { E: 1.8691, A: 520.8, B: 1487.7, a: 0.35266, rN: 5, rD: 15 };
  const G = ((truth.a * truth.A) / (truth.a * truth.B)) ** (1 / (2 * truth.a));
  const loss = (N: number, D: number, U: number) => {
    const uD = Math.min(U, D);
    const Dp = uD + uD * truth.rD * (1 - Math.exp(-(D / uD - 1) / truth.rD));
    const uN = Math.min(G * (uD * G), N);
    const Np = uN + uN * truth.rN * (1 - Math.exp(-Math.max(N / uN - 1, 0) / truth.rN));
    return truth.E + truth.A / Np ** truth.a + truth.B / Dp ** truth.a;
  };
  const rows = ['N,D,U,loss'];
  let k = 0;
  for (const N of [1e8, 3e8, 1e9])
    for (const U of [1e8, 1e9, 1e10])
      for (const epochs of [1, 2, 4, 8, 16, 30, 60]) {
        const noise = 1 + 0.005 * Math.sin(12.9898 * ++k);
        rows.push(`${N},${U * epochs},${U},${(loss(N, U * epochs, U) * noise).toFixed(6)}`);
      }
  const runs = join(dir, 'dc.csv');
  writeFileSync(runs, rows.join('\n') + '\n');
  const fit = join(dir, 'dc.json');
  const made = scalelab([
    'fit',
    runs,
    '--law',
    'data-constrained',
    '--preset',
    'muennighoff-2023',
    '--free',
    'R_N,R_D',
    '--init',
    'R_N=5,R_D=15',
    '--bootstrap',
    '40',
    '--seed',
    '1',
    '--out',
    fit,
  ]);
  assert.equal(made.code, 0, made.stderr);
  const j = scalelab(['repetition', '--C', '1e21', '--unique-tokens', '5e9', '--fit', fit, '--json']).json();
  const iv = j.intervals;
  assert.equal(iv.level, 0.95);
  assert.ok(iv.replicates >= 30, JSON.stringify(iv));
  // Each interval holds its point estimate, and the true thresholds (1 + 15·ln 2 = 11.4, 1 + 15·ln 10 = 35.5).
  const holds = (r: [number, number], v: number, what: string) =>
    assert.ok(r[0] <= v * (1 + 1e-9) && v <= r[1] * (1 + 1e-9), `${what}: ${v} not in ${r}`);
  holds(iv.half, j.epochsUntilHalf, 'half');
  holds(iv.tenth, j.epochsUntilTenth, 'tenth');
  holds(iv.half, 1 + 15 * Math.log(2), 'true half');
  holds(iv.tenth, 1 + 15 * Math.log(10), 'true tenth');
  holds(iv.loss, j.loss, 'loss');
  holds(iv.epochs, j.epochs, 'epochs');
  holds(iv.capCost, j.loss / j.unconstrained.loss - 1, 'cap cost');
  assert.ok(iv.half[1] > iv.half[0], 'a real width');
  const text = scalelab(['repetition', '--C', '1e21', '--unique-tokens', '5e9', '--fit', fit]).stdout;
  assert.match(text, /less than half of fresh data after [\d.]+ epochs \[95 % [\d.]+, [\d.]+\]/);
  assert.match(text, /the cap costs [\d.]+ % \[95 % [\d.]+ %, [\d.]+ %\]/);
  assert.match(text, /95 % intervals from \d+ bootstrap replicates of the fit/);
  assert.doesNotMatch(text, /weakly identified/);
  // The preset: no replicates, so the caveat instead.
  const preset = scalelab(['repetition', '--C', '1e23', '--unique-tokens', '200B']);
  assert.match(preset.stdout, /note: R\*_D is weakly identified: the published 15\.4 .*R\*_D ≈ 50–95 .*on C4/);
  assert.equal(preset.stdout.includes('[95 %'), false);
  // A fit of a law without U: refit, in this command's terms (repetition has no --law).
  const chin = join(dir, 'chin.json');
  const base = [
    'N,D,loss',
    ...rows.slice(1).map((r) => {
      const [N, D, , L] = r.split(',');
      return [N, D, L].join(',');
    }),
  ];
  writeFileSync(join(dir, 'chin.csv'), base.join('\n') + '\n');
  assert.equal(scalelab(['fit', join(dir, 'chin.csv'), '--law', 'chinchilla', '--out', chin]).code, 0);
  const wrong = scalelab(['repetition', '--C', '1e21', '--unique-tokens', '5e9', '--fit', chin]);
  assert.equal(wrong.code, 2);
  assert.match(
    wrong.stderr,
    /is a fit of law chinchilla, which has no unique-token input: refit .*scalelab fit FILE --law data-constrained/,
  );
  assert.doesNotMatch(wrong.stderr, /use --law/);
  // --unique-tokens is said to be required in help; --unique gets "did you mean".
  assert.match(
    scalelab(['repetition', '--help']).stdout,
    /--unique-tokens <U> +unique tokens available \(data-constrained laws\);\s+required/,
  );
  assert.match(scalelab(['repetition', '--C', '1e23', '--unique', '200B']).stderr, /Did you mean --unique-tokens\?/);
  assert.match(scalelab(['repetition', '--C', '1e23']).stderr, /give the unique tokens available: --unique-tokens U/);
});

test('curve, curves, depth-width and predict say what their diagnostics are: the small-data rule, the local slope, the split and data source, the spread, C = 6·N·D', () => {
  const curve = scalelab(['curve', 'examples/inputs/curve.csv', '--x', 'D']);
  assert.equal(curve.code, 0, curve.stderr);
  assert.match(
    curve.stdout,
    /small-data region ends at D = 174 \(the leading points the power law, fitted by least squares on ln loss to the rest, over-predicts by more than max\(3·rms, 2 %\)\)/,
  );
  assert.match(curve.stdout, /\nlocal slope: Δln loss \/ Δln D from the point before\n/);
  const curves = scalelab(['curves', 'examples/revisiting-lang.csv']);
  assert.match(
    curves.stdout,
    /\nsplit: the file's "Training" column \(1 = fitted, 0 = held out and predicted\); data: the language benchmark of Alabdulmohsin, Neyshabur & Zhai 2022/,
  );
  const j = scalelab(['curves', 'examples/revisiting-lang.csv', '--json']).json();
  assert.match(j.dataCitation, /Revisiting Neural Scaling Laws in Language and Vision/);
  assert.match(j.split, /"Training" column/);
  const dw = scalelab(['depth-width', 'examples/inputs/shapes.csv']);
  assert.match(dw.stdout, /\nspread: the worst shape's loss over the best's, minus 1\n/);
  const p = scalelab(['predict', '--preset', 'hoffmann-2022', '--N', '70B', '--D', '1.4T']);
  assert.match(p.stdout, /\n {2}at N = 7e10, D = 1\.4e12, C = 6·N·D = 5\.88e23\n/);
});

test('compare with three groups names the pair of each verdict (a verdict may name one group only); with two it does not', () => {
  const file = join(dir, 'three-archs.csv');
  const rows = ['arch,C,loss'];
  for (const [g, E, A, a] of [
    ['dense', 1.7, 40, 0.1],
    ['moe', 1.6, 60, 0.11],
    ['ssm', 1.75, 40, 0.1],
  ] as const)
    for (let k = 0; k < 8; k++) {
      const C = 10 ** (17 + k * 0.5);
      // A little deterministic scatter so the fits have residuals.
      rows.push(`${g},${C},${(E + A * C ** -a) * (1 + 0.002 * Math.sin(7 * k + g.length))}`);
    }
  writeFileSync(file, rows.join('\n') + '\n');
  const three = scalelab(['compare', file, '--group-column', 'arch', '--bootstrap', '20']);
  assert.equal(three.code, 0, three.stderr);
  const verdicts = three.stdout.split('\n').filter((l) => l.startsWith('Verdict'));
  assert.deepEqual(
    verdicts.map((l) => /^Verdict \((\w+) vs (\w+)\): /.exec(l)?.slice(1).join('-')),
    ['dense-moe', 'dense-ssm', 'moe-ssm'],
  );
  const two = scalelab(['compare', 'examples/inputs/archs.csv', '--group-column', 'arch', '--bootstrap', '20']);
  assert.match(two.stdout, /^Verdict: /m);
});

test("depth-width reads a Hugging Face config's shape names; a shape column it lacks is said at the header with the file's columns", () => {
  const hf = join(dir, 'shapes-hf.csv');
  writeFileSync(hf, 'num_params,hidden_size,num_hidden_layers,loss\n1.2e8,768,12,3.1\n1.2e8,1024,7,3.12\n');
  const ok = scalelab(['depth-width', hf, '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.json()[0].best.width, 768);
  assert.equal(ok.json()[0].best.layers, 12);
  const olmo = join(dir, 'shapes-olmo.csv');
  writeFileSync(olmo, 'params,n_embd,n_layers,loss\n1.2e8,768,12,3.1\n1.2e8,1024,7,3.12\n');
  assert.equal(scalelab(['depth-width', olmo]).code, 0);
  const own = join(dir, 'shapes-own.csv');
  writeFileSync(own, 'params,dim,nl,loss\n1.2e8,768,12,3.1\n1.2e8,1024,7,3.12\n');
  const both = scalelab(['depth-width', own]);
  assert.equal(both.code, 2);
  assert.match(
    both.stderr,
    /shapes-own\.csv:1: depth versus width needs a width column \(d_model\) and a layers column \(n_layer\); the data have: params \(N\), loss; not read: dim, nl; map them with --columns width=NAME,layers=NAME/,
  );
  const layers = scalelab(['depth-width', own, '--columns', 'width=dim']);
  assert.match(
    layers.stderr,
    /shapes-own\.csv:1: depth versus width needs a layers column \(n_layer\); .*not read: nl;/,
  );
  assert.equal(scalelab(['depth-width', own, '--columns', 'width=dim,layers=nl']).code, 0);
  const noN = scalelab(['depth-width', 'examples/inputs/curve.csv']);
  assert.match(noN.stderr, /depth versus width needs an N column .*; the data have: .*; map one with --columns N=NAME/);
});

test('curve on a file without the --x column says so with its columns (it said "found 0" points, or "0 different values of D ()")', () => {
  const file = join(dir, 'curve-tokens-m.csv');
  const rows = ['tokens_M,val_loss'];
  for (let k = 0; k < 8; k++) rows.push(`${10 * 2 ** k},${(2 + 5 * (1e7 * 2 ** k) ** -0.1).toFixed(5)}`);
  writeFileSync(file, rows.join('\n') + '\n');
  const expected =
    /curve-tokens-m\.csv:1: law (power|bnsl) needs column "D" \(training tokens\) \(or C and N, from which D = C\/\(6N\)\); the data have: val_loss \(loss\); not read: tokens_M; map one with --columns D=NAME/;
  for (const args of [[], ['--breaks', '1']]) {
    const r = scalelab(['curve', file, ...args]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, expected);
  }
  assert.equal(scalelab(['curve', file, '--columns', 'D=tokens_M']).code, 0);
});

test('depth-width and curve note sizes that look counted in millions, in the words fit uses; sizes in parameters draw none', () => {
  // examples/inputs/shapes.csv with N divided by 1e6 (122.88 for 122.88M), as copied from a paper's table.
  const shapes = scalelab(['depth-width', 'examples/inputs/shapes.csv', '--json']);
  assert.equal(shapes.code, 0, shapes.stderr);
  assert.doesNotMatch(shapes.stderr, /note: the largest N/);
  const millions = join(dir, 'shapes-millions.csv');
  writeFileSync(
    millions,
    'N,width,layers,loss\n122.88,1600,4,3.61\n115.6,896,12,3.55\n117.96,640,24,3.54\n360,2048,8,3.3\n350,1280,20,3.25\n',
  );
  const dw = scalelab(['depth-width', millions]);
  assert.equal(dw.code, 0, dw.stderr);
  assert.match(
    dw.stderr,
    /^note: the largest N in \S+shapes-millions\.csv is 360: if that counts parameters in millions or billions, write the suffix \(360M, 360B\) or scale the column; depth-width reads N in parameters$/m,
  );
  // The note goes to stderr, not into the result.
  assert.doesNotMatch(scalelab(['depth-width', millions, '--json']).stdout, /millions/);
  // curve --x N: the same note naming curve; --x D counts what the file counts and draws none.
  const curve = join(dir, 'curve-millions.csv');
  writeFileSync(
    curve,
    `N,loss\n${[10, 20, 40, 80, 160, 320, 640].map((n) => `${n},${(2 + 8 * n ** -0.3).toFixed(4)}`).join('\n')}\n`,
  );
  const c = scalelab(['curve', curve, '--x', 'N']);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, /note: the largest N in \S+curve-millions\.csv is 640: .*; curve reads N in parameters/);
  const d = scalelab(['curve', 'examples/inputs/curve.csv', '--x', 'D']);
  assert.doesNotMatch(d.stderr, /note: the largest/);
});

/**
 * A spreadsheet's export as a lab keeps one: sizes in the unit the header gives (params (M), tokens [B]),
 * CRLF line ends, a trailing empty column. Synthetic runs of a known Chinchilla law (Hoffmann et al.'s
 * Epoch-refit constants), written in millions and billions: the fit finds the law in parameters and tokens.
 */
function spreadsheetRuns(extra: string[] = []): string {
  const [E, A, B, alpha, beta] = [1.69, 406.4, 410.7, 0.34, 0.28];
  const rows = ['run,params (M),tokens [B],val loss,'];
  let i = 0;
  for (const millions of [20, 45, 125, 350, 760])
    for (const perParam of [10, 20, 40]) {
      const [N, D] = [millions * 1e6, millions * 1e6 * perParam];
      rows.push(`r${i++},${millions},${D / 1e9},${(E + A / N ** alpha + B / D ** beta).toFixed(6)},`);
    }
  return [...rows, ...extra].join('\r\n') + '\r\n';
}

test("a size header's unit is read: params (M) and tokens [B] fit the law in parameters and tokens, said where the columns are said", () => {
  const path = join(dir, 'units.csv');
  writeFileSync(path, spreadsheetRuns());
  const r = scalelab(['fit', path, '--procedure', 'huber', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const fit = r.json();
  assert.ok(Math.abs(fit.params.alpha / 0.34 - 1) < 1e-3, String(fit.params.alpha));
  assert.ok(Math.abs(fit.params.A / 406.4 - 1) < 1e-2, String(fit.params.A));
  assert.deepEqual(fit.data.ranges.N, [2e7, 7.6e8]);
  assert.equal(fit.data.scaled.D, "× 1e9 (the header's unit: billions)");
  assert.doesNotMatch(r.stderr, /in millions or billions/);
  const text = scalelab(['fit', path, '--procedure', 'huber']);
  assert.match(text.stdout, /N ← "params \(M\)" × 1e6 \(the header's unit: millions\), D ← "tokens \[B\]" × 1e9/);
  // runs import stores parameters and tokens, and says the factor as fit does.
  const db = join(dir, 'units.db');
  const imported = scalelab(['runs', 'import', path, '--study', 'units', '--db', db]);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout + imported.stderr, /read params \(M\) \(N × 1e6 \(the header's unit: millions\)\)/);
  const exported = scalelab(['runs', 'export', '--study', 'units', '--db', db]);
  assert.match(exported.stdout, /^units,r0,20000000,200000000,/m);
  // A cell with a suffix of its own under a header with a unit would be counted twice: refused.
  writeFileSync(path, spreadsheetRuns().replace('r0,20,', 'r0,20M,'));
  const both = scalelab(['fit', path]);
  assert.equal(both.code, 2);
  assert.match(
    both.stderr,
    /units\.csv:2:2 \(column "params \(M\)"\): expected a number in millions, as the header "params \(M\)" says, got "20M", which has a size suffix of its own: write 20 /,
  );
  // Counts under a header that gives a unit (125000000 under params (M)) would read as 1.25e14 parameters and
  // fit with no warning: refused at the first such cell, with both ways out.
  writeFileSync(
    path,
    spreadsheetRuns().replace(
      /^(r\d+),(\d+),/gm,
      (_m, run: string, millions: string) => `${run},${Number(millions) * 1e6},`,
    ),
  );
  const counts = scalelab(['fit', path]);
  assert.equal(counts.code, 2, counts.stdout);
  assert.match(
    counts.stderr,
    /units\.csv:2:2 \(column "params \(M\)"\): expected a number in millions, as the header "params \(M\)" says, got "20000000": 2e13 parameters, more than 1e13, beyond any run trained\. If the column holds counts, name it without its unit \(params\); if not, write the value in millions/,
  );
  assert.ok(noStackTrace(counts.stderr), counts.stderr);
});

test("a spreadsheet's totals row and a header repeated mid-file are refused at their line, not fitted or misnamed", () => {
  const path = join(dir, 'totals.csv');
  writeFileSync(path, spreadsheetRuns(['Total,3900,99.9,40.1,']));
  const totals = scalelab(['fit', path]);
  assert.equal(totals.code, 2, totals.stdout);
  assert.match(
    totals.stderr,
    /totals\.csv:17:1 \(column "run"\): "Total" reads as a spreadsheet's totals row, not a run .*: remove the row, or rename the run/,
  );
  assert.ok(noStackTrace(totals.stderr), totals.stderr);
  // Unlabelled: the last row's N, D and loss are the sums of the rows above, as a spreadsheet's SUM() prints them.
  writeFileSync(path, spreadsheetRuns([',3900,91,55.8,']));
  const sums = scalelab(['fit', path]);
  assert.equal(sums.code, 2, sums.stdout);
  assert.match(
    sums.stderr,
    /totals\.csv:17:2 \(column "params \(M\)"\): the last row's N = 3\.9e9 and D = 9\.1e10 are the sums of the 15 rows above it \(3\.9e9 and 9\.1e10\), and its loss 55\.8 is no lower than their mean [\d.]+: a spreadsheet's totals row, not a run\? Remove the row/,
  );
  // The same sizes before another row are a run (a ladder's next size can be the sum of those before it).
  const inside = spreadsheetRuns().split('\r\n');
  inside.splice(16, 0, 'r15,3900,91,2.1,', 'r16,5000,100,2.0,');
  writeFileSync(path, inside.join('\r\n'));
  assert.equal(scalelab(['fit', path, '--procedure', 'huber']).code, 0);
  const lines = spreadsheetRuns().split('\r\n');
  writeFileSync(path, [...lines.slice(0, 6), lines[0], ...lines.slice(6)].join('\r\n'));
  const header = scalelab(['fit', path]);
  assert.equal(header.code, 2);
  assert.match(
    header.stderr,
    /totals\.csv:7:1: this line repeats the header \(line 1\): expected a run; two files joined into one\? Remove the line/,
  );
});

test("a row of means under the runs (a spreadsheet's AVERAGE, no label) is refused at its line; N (params) and tokens (b) headers are read", () => {
  const path = join(dir, 'means.csv');
  // The mean of the 15 runs' columns, printed to four digits as a spreadsheet shows it.
  const runs = spreadsheetRuns()
    .trimEnd()
    .split('\r\n')
    .slice(1)
    .map((l) => l.split(',').slice(1, 4).map(Number));
  const mean = (i: number) => runs.reduce((a, r) => a + r[i], 0) / runs.length;
  writeFileSync(path, spreadsheetRuns([`,${mean(0).toPrecision(4)},${mean(1).toPrecision(4)},${mean(2).toFixed(4)},`]));
  const means = scalelab(['fit', path]);
  assert.equal(means.code, 2, means.stdout);
  assert.match(
    means.stderr,
    /means\.csv:17:2 \(column "params \(M\)"\): the last row's N = 2\.6e8 and D = 6\.067e9 are the means of the 15 rows above it .*a spreadsheet's row of means \(AVERAGE\), not a run\? Remove the row/,
  );
  assert.ok(noStackTrace(means.stderr), means.stderr);
  // A header naming its quantity (N (params)) and tokens in lowercase b fit without a mapping, in parameters and tokens.
  writeFileSync(
    path,
    spreadsheetRuns()
      .replace('params (M),tokens [B]', 'N (params),tokens (b)')
      .replace(/^(r\d+),(\d+),/gm, (_m, run: string, millions: string) => `${run},${Number(millions) * 1e6},`),
  );
  const named = scalelab(['fit', path, '--procedure', 'huber', '--json']);
  assert.equal(named.code, 0, named.stderr);
  assert.deepEqual(named.json().data.ranges.N, [2e7, 7.6e8]);
  assert.equal(named.json().data.scaled.D, "× 1e9 (the header's unit: billions)");
});

test("a header's scale that is not read is refused where mapped, not fitted in millions; an ablation's mean and sum arms fit as groups", () => {
  const path = join(dir, 'units-mm.csv');
  writeFileSync(path, spreadsheetRuns().replace('params (M)', 'params (MM)'));
  const unread = scalelab(['fit', path]);
  assert.equal(unread.code, 2);
  assert.match(unread.stderr, /not read: "?params \(MM\)"? \(N in a unit not read, MM: k, M, B, T, P or 1e6 are\)/);
  // Mapped, it was read in millions (N = 20 … 760) with only a note on stderr.
  const mapped = scalelab(['fit', path, '--columns', 'N=params (MM)', '--json']);
  assert.equal(mapped.code, 2, mapped.stdout);
  assert.match(
    mapped.stdout + mapped.stderr,
    /units-mm\.csv:1:2 \(column \\?"params \(MM\)\\?"\): the header \\?"params \(MM\)\\?" gives N in a unit this reader does not know/,
  );
  assert.ok(noStackTrace(mapped.stderr), mapped.stderr);
  const arms = join(dir, 'pooling.csv');
  const rows = spreadsheetRuns()
    .split('\r\n')
    .filter((l) => l !== '');
  writeFileSync(
    arms,
    ['pooling,' + rows[0], ...rows.slice(1).flatMap((r) => [`mean,${r}`, `sum,${r.replace(/^r/, 's')}`])].join('\n') +
      '\n',
  );
  const fit = scalelab(['fit', arms, '--group', 'mean', '--columns', 'group=pooling', '--procedure', 'huber']);
  assert.equal(fit.code, 0, fit.stderr);
  assert.match(fit.stdout, /15 runs .*group mean: 15 of 30 rows/);
});

test('a decimal comma before a size suffix (1,3B, as a comma-decimal spreadsheet writes it) is said with the number to write, in a file and on a flag', () => {
  const commas = join(dir, 'one-comma.csv');
  writeFileSync(commas, 'run,params,tokens,val loss\nr0,"1,3B",26B,2.9\n');
  const file = scalelab(['fit', commas]);
  assert.equal(file.code, 2);
  assert.match(
    file.stderr,
    /one-comma\.csv:2:2 \(column "params"\): expected a positive number for N, got "1,3B" \(a decimal comma is not read: write 1\.3B\)$/m,
  );
  const flag = scalelab(['predict', '--preset', 'hoffmann-2022', '--N', '1,3B', '--D', '26B']);
  assert.equal(flag.code, 2);
  assert.match(
    flag.stderr,
    /--N: expected a number such as 7e10 or 70B, got "1,3B": a decimal comma is not read: write 1\.3B$/m,
  );
});

test("a tracker's prefixed keys for N and D (model.n_params, train/tokens_seen) are named with the mapping that reads them when N is missing", () => {
  const path = join(dir, 'prefixed.csv');
  writeFileSync(
    path,
    'Name,State,model.n_params,train/tokens_seen,eval/loss\na,finished,2e7,4e8,4.6\nb,finished,4.5e7,9e8,4.2\nc,finished,1.25e8,2.5e9,3.8\n',
  );
  const r = scalelab(['fit', path]);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /not read: Name, model\.n_params \(looks like N: N=model\.n_params\), train\/tokens_seen \(looks like D: D=train\/tokens_seen\)\. Map one with --columns N=NAME/,
  );
});

test("a W&B runs table's _step (the summary's last step) is not read as a checkpoint's step: no 'step column but no run column' warning", () => {
  const path = join(dir, 'wandb-runs.csv');
  const rows = ['Name,State,Created,n_params,tokens,_step,eval/loss'];
  let i = 0;
  for (const N of [2e7, 4.5e7, 1.25e8, 3.5e8])
    for (const perParam of [10, 20, 40]) {
      const D = N * perParam;
      rows.push(
        `run-${i++},finished,2026-01-05,${N},${D},2000,${(1.69 + 406.4 / N ** 0.34 + 410.7 / D ** 0.28).toFixed(5)}`,
      );
    }
  writeFileSync(path, rows.join('\n') + '\n');
  const r = scalelab(['fit', path, '--procedure', 'huber', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const fit = r.json();
  assert.equal(fit.data.columns.step, undefined);
  assert.deepEqual(
    fit.warnings.filter((w: { code: string }) => w.code === 'checkpoints'),
    [],
  );
});

test("a spreadsheet's empty columns after its table (loss,,,) are read as no column, not refused as one name twice", () => {
  const path = join(dir, 'empty-columns.csv');
  writeFileSync(path, spreadsheetRuns().replace(/,\r\n/g, ',,,\r\n'));
  const r = scalelab(['fit', path, '--procedure', 'huber', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json().data.runs, 15);
  // Named columns given twice are still refused: the later one would silently win.
  writeFileSync(path, 'run,N,D,N,loss\na,1e8,2e9,2e8,3.1\n');
  assert.match(scalelab(['fit', path]).stderr, /empty-columns\.csv:1:4 \(column "N"\): duplicate column name "N"/);
});
