import { test } from 'node:test';
import { formatNumber } from '../src/core/format.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, root, scalelab } from './helpers/cli.js';
import { lawIds } from '../src/laws/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'scalelab-cli-'));

test("scalelab fit examples/chinchilla.csv --json: the documented fields and Epoch's optimum", () => {
  const r = scalelab(['fit', 'examples/chinchilla.csv', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json();
  assert.equal(j.law, 'chinchilla');
  assert.equal(j.points, 240);
  assert.ok(j.objective <= 1.0182741e-3);
  assert.ok(j.converged);
  assert.ok(j.starts >= 1 && j.startsAtBest >= 1);
  assert.ok(Math.abs(j.params.alpha / 0.34731 - 1) < 0.005);
  assert.deepEqual(Object.keys(j.params), ['E', 'A', 'B', 'alpha', 'beta']);
  assert.equal(j.data.source, 'examples/chinchilla.csv');
});

test('scalelab fit prints a report with parameters, derived exponents and residuals', () => {
  const r = scalelab(['fit', 'examples/chinchilla.csv']);
  assert.equal(r.code, 0, r.stderr);
  for (const s of [
    '[[Fit]] chinchilla',
    '[[Parameters]]',
    'no intervals: run with --bootstrap N',
    '[[Derived]]',
    'a = β/(α+β)',
    '[[Residuals]]',
    '[[Warnings]]',
  ]) {
    assert.ok(r.stdout.includes(s), `report lacks "${s}"`);
  }
});

test('fit --bootstrap writes intervals and replicates; predict --fit gives a loss inside its interval', () => {
  const out = join(tmp, 'fit.json');
  const f = scalelab(['fit', 'examples/chinchilla.csv', '--bootstrap', '100', '--seed', '3', '--out', out, '--json']);
  assert.equal(f.code, 0, f.stderr);
  const j = f.json();
  assert.equal(j.bootstrap.replicates, 100);
  assert.equal(j.bootstrap.seed, 3);
  for (const [k, [lo, hi]] of Object.entries(j.intervals as Record<string, [number, number]>)) {
    assert.ok(lo <= j.params[k] && j.params[k] <= hi, `${k} interval [${lo}, ${hi}] brackets ${j.params[k]}`);
  }
  assert.equal(j.replicates.length, j.bootstrap.converged);
  for (const k of ['a', 'b', 'G']) {
    const [lo, hi] = j.derivedIntervals[k];
    assert.ok(lo < j.derived[k] && j.derived[k] < hi, `${k} interval [${lo}, ${hi}] brackets ${j.derived[k]}`);
  }
  assert.ok(
    j.derivedIntervals.a[0] > 0.4 && j.derivedIntervals.a[1] < 0.6,
    `a = β/(α+β) near Chinchilla's 0.5: ${j.derivedIntervals.a}`,
  );
  const p = scalelab(['predict', '--fit', out, '--N', '7e10', '--D', '1.4T', '--json']);
  assert.equal(p.code, 0, p.stderr);
  const q = p.json();
  assert.ok(q.interval[0] < q.loss && q.loss < q.interval[1]);
  assert.ok(
    q.lawInterval[0] >= q.interval[0] && q.lawInterval[1] <= q.interval[1],
    'a new run scatters more than the law',
  );
  // auto: the equal-weight mean of three published recipes' ln L̂; Hoffmann's recipe alone gives 1.9734.
  assert.equal(q.procedure, 'auto');
  assert.deepEqual(
    q.members.map((m: { id: string }) => m.id),
    ['huber', 'tied-huber', 'gadre'],
  );
  const huber = q.members.find((m: { id: string }) => m.id === 'huber');
  assert.ok(Math.abs(huber.value - 1.9734) < 2e-3, `huber's L(70B, 1.4T) = ${huber.value}`);
  const geometric = Math.exp(
    q.members.reduce((a: number, m: { value: number; weight: number }) => a + m.weight * Math.log(m.value), 0),
  );
  assert.ok(Math.abs(q.loss / geometric - 1) < 1e-12, `${q.loss} is the weighted mean of ln L̂`);
  assert.ok(
    q.warnings.some(
      (w: { code: string; message: string }) => w.code === 'extrapolation' && w.message.includes('× the largest N'),
    ),
    'extrapolation is flagged',
  );
  // The text says whose replicates the interval pools: the candidates', each with its own count, so the
  // total (about 3× the fit's 100) is not read as a different bootstrap.
  const text = scalelab(['predict', '--fit', out, '--N', '7e10', '--D', '1.4T']).stdout;
  const counts = q.members.map((m: { id: string }) => `${m.id} \\d+`).join(', ');
  assert.match(
    text,
    new RegExp(
      `the interval is for a new run: ${q.replicates} bootstrap replicates \\(the 3 candidates' together, ${counts}; whole runs resampled\\)`,
    ),
  );
  // Its "law alone" interval is the candidates' pooled replicates, said so (plan's is the reported law's own).
  assert.match(text, /; the 3 candidates' replicates together alone, no run scatter or extrapolation term: \[/);
  // Intervals to 3 significant digits, as plan and the report write them (formatInterval's default); the value to 6.
  const at3 = (x: number) => formatNumber(x, 3);
  assert.ok(
    text.includes(`prediction interval [${at3(q.interval[0])}, ${at3(q.interval[1])}]`),
    `${text}\n${q.interval}`,
  );
  assert.ok(
    text.includes(`alone, no run scatter or extrapolation term: [${at3(q.lawInterval[0])}, ${at3(q.lawInterval[1])}]`),
  );
  // The extrapolation term's numbers, in JSON and text: τ, the fit's largest C, and σ = τ·log10(1 + C/C_max).
  const C = 6 * 7e10 * 1.4e12;
  assert.equal(q.extrapolation.tau, 0.0075);
  assert.equal(q.extrapolation.maxC, j.data.ranges.C[1]);
  assert.ok(Math.abs(q.extrapolation.sd - 0.0075 * Math.log10(1 + C / q.extrapolation.maxC)) < 1e-12);
  assert.ok(
    text.includes(
      `the extrapolation term (σ = τ·log10(1 + C/C_max) = ${q.extrapolation.sd.toPrecision(3).replace(/0+$/, '')} on ln L, τ = 0.0075 chosen on the extrapolation benchmark`,
    ),
    text,
  );
  const again = scalelab(['fit', 'examples/chinchilla.csv', '--bootstrap', '100', '--seed', '3', '--json']).json();
  assert.deepEqual(again.intervals, j.intervals, 'same seed, same intervals');
});

test('predict takes the fit file as an argument too (predict fit.json --N …), the same as --fit; two different fits are refused', () => {
  const out = join(tmp, 'positional-fit.json');
  assert.equal(scalelab(['fit', 'examples/chinchilla.csv', '--out', out, '--json']).code, 0);
  const byFlag = scalelab(['predict', '--fit', out, '--N', '7e10', '--D', '1.4T', '--json']);
  const byArg = scalelab(['predict', out, '--N', '70B', '--D', '1.4T', '--json']);
  assert.equal(byArg.code, 0, byArg.stderr);
  assert.deepEqual(byArg.json(), byFlag.json());
  assert.equal(scalelab(['predict', out, '--fit', out, '--N', '7e10', '--D', '1.4T', '--json']).code, 0);
  // No replicates: the interval is made by fit (predict has no --bootstrap), into the same file.
  const text = scalelab(['predict', out, '--N', '70B', '--D', '1.4T']);
  assert.ok(
    text.stdout.includes(
      `(no interval: the fit has no bootstrap replicates; refit with scalelab fit … --bootstrap N --out ${out}, its data and other flags as before)`,
    ),
    text.stdout,
  );
  const two = scalelab(['predict', out, '--fit', join(tmp, 'other.json'), '--N', '7e10', '--D', '1.4T']);
  assert.equal(two.code, 2);
  assert.match(two.stderr, /two fits given: .*positional-fit\.json \(argument\) and --fit .*other\.json/);
  assert.ok(noStackTrace(two.stderr));
});

test("predict with published constants: L(70B, 1.4T) = 1.93665 under Hoffmann's printed fit", () => {
  const r = scalelab([
    'predict',
    '--law',
    'chinchilla',
    '--params',
    'E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28',
    '--N',
    '70B',
    '--D',
    '1.4e12',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Math.abs(r.json().loss - 1.93665) < 5e-6);
});

test('predict refuses a parameter the law lacks and an --N, --D, --C that disagree (C = 6ND), and plan the parameter too', () => {
  const law = ['--law', 'chinchilla', '--params', 'E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28'];
  for (const cmd of [
    ['predict', '--N', '70B', '--D', '1.4e12'],
    ['plan', '--C', '1e24'],
  ]) {
    const r = scalelab([...cmd, '--law', 'chinchilla', '--params', `${law[3]},Z=3`]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /--params: Z is not a parameter of law chinchilla \(its parameters: E, A, B, alpha, beta\)/);
  }
  const clash = scalelab(['predict', ...law, '--N', '7e10', '--D', '1e12', '--C', '1e24']);
  assert.equal(clash.code, 2, clash.stdout);
  assert.match(clash.stderr, /--C 1e24 disagrees with --N and --D: 6·N·D = 4\.2e23; give --D or --C/);
  const agree = scalelab(['predict', ...law, '--N', '7e10', '--D', '1e12', '--C', '4.2e23', '--json']);
  assert.equal(agree.code, 0, agree.stderr);
  assert.equal(agree.json().point.C, 4.2e23);
});

test('predict with --C alone names plan --C with the same law for the compute-optimal model, and that command runs', () => {
  const r = scalelab(['predict', '--preset', 'hoffmann-2022', '--C', '1.436e24']);
  assert.equal(r.code, 2, r.stdout);
  assert.match(
    r.stderr,
    /law chinchilla needs --N and --D \(or --C with --N\); or "scalelab plan --C 1\.436e24 --preset hoffmann-2022" for the compute-optimal model at that C\n$/,
  );
  const suggested = /"scalelab (plan [^"]+)"/.exec(r.stderr)![1].split(' ');
  assert.equal(scalelab(suggested).code, 0);
  const params = 'E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28';
  const byParams = scalelab(['predict', '--law', 'chinchilla', '--params', params, '--C', '1e24']);
  assert.match(byParams.stderr, new RegExp(`"scalelab plan --C 1e24 --law chinchilla --params ${params}"`));
  // Not where --N or --D is given: the model is then named, a variable short.
  assert.doesNotMatch(scalelab(['predict', '--preset', 'hoffmann-2022', '--D', '1e12']).stderr, /scalelab plan/);
});

test('fit on the CS336 JSON recognises its column names and recovers the generating law', () => {
  const r = scalelab(['fit', 'examples/cs336-isoflops.json', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json();
  assert.deepEqual(j.data.derived, { D: 'C/(6N)' });
  assert.ok(Math.abs(j.params.E / 2.69 - 1) < 1e-4);
});

test('bad input: a located one-line error, exit code 2, no stack trace', () => {
  const bad = join(tmp, 'bad.csv');
  writeFileSync(bad, 'N,D,loss\n1e8,2e9,3.1\n2e8,4e9,three\n');
  const r = scalelab(['fit', bad]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr.trim(),
    `scalelab: error: ${bad}:3:3 (column "loss"): expected a positive number for loss, got "three"`,
  );
  assert.ok(noStackTrace(r.stderr));
  const j = scalelab(['fit', bad, '--json']);
  assert.equal(j.code, 2);
  assert.deepEqual(j.json().error.location, { file: bad, line: 3, column: 3, columnName: 'loss' });
});

test('too few runs, a missing file, an unknown law and a bad flag value are clear errors', () => {
  const few = join(tmp, 'few.csv');
  writeFileSync(few, 'N,D,loss\n1e8,2e9,3.1\n2e8,4e9,3.0\n');
  const a = scalelab(['fit', few]);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /few\.csv: .*2 distinct configurations \(N, D\): too few to fit any law/);
  const fixed = scalelab(['fit', few, '--law', 'chinchilla', '--loss', 'ls']);
  assert.equal(fixed.code, 2);
  assert.match(fixed.stderr, /few\.csv:3: 2 runs, but law chinchilla has 5 free parameters/);
  const b = scalelab(['fit', join(tmp, 'nope.csv')]);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /nope\.csv: no such file/);
  const c = scalelab(['fit', 'examples/chinchilla.csv', '--law', 'chinchila']);
  assert.match(c.stderr, new RegExp(`unknown law: chinchila \\(expected one of ${lawIds.join(', ')}\\)`));
  const d = scalelab(['fit', 'examples/chinchilla.csv', '--bootstrap', 'many']);
  assert.match(d.stderr, /--bootstrap: expected a whole number of at least 2, got "many"/);
  const e = scalelab(['fit', 'examples/chinchilla.csv', '--bootstrap', '-1']);
  assert.match(e.stderr, /--bootstrap: expected a whole number of at least 2, got "-1"/);
  for (const r of [a, fixed, b, c, d, e]) assert.ok(noStackTrace(r.stderr), r.stderr);
});

test('--help on fit and predict documents the flags', () => {
  const f = scalelab(['fit', '--help']);
  assert.equal(f.code, 0);
  for (const flag of ['--law', '--init', '--loss', '--fix', '--tie', '--bootstrap', '--seed', '--json', '--columns'])
    assert.ok(f.stdout.includes(flag), flag);
  const p = scalelab(['predict', '--help']);
  for (const flag of ['--fit', '--N', '--D', '--json']) assert.ok(p.stdout.includes(flag), flag);
});

test('a study export mixing LR probes, IsoFLOP runs and a verification: the whole is flagged degenerate, --group fits one experiment', () => {
  // A real study export (the first moby-tiny study, before the trainer's muP readout fix): LR probe,
  // IsoFLOP runs and a verification run in one file, whose IsoFLOP profiles did not bracket the optimum.
  const file = 'test/fixtures/mixed-study-export.csv';
  const mixed = scalelab(['fit', file]);
  assert.equal(mixed.code, 0, mixed.stderr);
  assert.match(mixed.stdout, /converged\s+yes .*DEGENERATE optimum/);
  assert.match(mixed.stdout, /A is off: the fit is degenerate \(the model-size term scale ran off to infinity/);
  const j = scalelab(['fit', file, '--group', 'isoflop', '--json']).json();
  assert.equal(j.points, 15);
  assert.equal(j.data.selection, 'group isoflop: 15 of 25 rows');
  const frontier = scalelab(['frontier', file]);
  assert.equal(frontier.code, 2, 'a degenerate fit is a located error, not an internal one');
  assert.ok(noStackTrace(frontier.stderr), frontier.stderr);
  assert.match(
    frontier.stderr,
    /the law's A is off \(it ran off to infinity, its term switched off\): the fit is degenerate/,
  );
  const none = scalelab(['fit', file, '--group', 'nope']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no runs in group "nope"; the data's groups are "lr-probe", "isoflop", "verify"/);
});

test("--group '(no group)' selects the runs whose group cell is blank, alone or beside named groups; data whose every run has a group say so", () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-group-'));
  const law = (N: number, D: number) => 1.69 + 406.4 / N ** 0.34 + 410.7 / D ** 0.28;
  const rows = ['N,D,loss,group'];
  for (const [C, group] of [
    [1e18, 'isoflop'],
    [3e18, 'isoflop'],
    [1e19, ''],
    [3e19, ''],
  ] as const)
    for (const f of [0.5, 1, 2]) {
      const N = f * Math.sqrt(C / 6 / 20);
      rows.push(`${N},${C / (6 * N)},${law(N, C / (6 * N))},${group}`);
    }
  const file = join(dir, 'blank-groups.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const fit = (group: string) => scalelab(['fit', file, '--group', group, '--procedure', 'huber', '--json']);
  const alone = fit('(no group)');
  assert.equal(alone.code, 0, alone.stderr);
  assert.equal(alone.json().data.selection, 'group (no group): 6 of 12 rows');
  const both = fit('isoflop,(no group)');
  assert.equal(both.code, 0, both.stderr);
  assert.equal(both.json().data.selection, 'group isoflop or (no group): 12 of 12 rows');
  const grouped = scalelab(['fit', 'test/fixtures/mixed-study-export.csv', '--group', '(no group)']);
  assert.equal(grouped.code, 2);
  assert.match(grouped.stderr, /no runs in group \(no group\); the data's groups are "lr-probe", "isoflop", "verify"/);
});

test('fit flags from the command line: --fix, --tie, --loss, --delta and --init hoffmann change the fit as documented', () => {
  const base = scalelab(['fit', 'examples/chinchilla.csv', '--json']).json();
  const tied = scalelab(['fit', 'examples/chinchilla.csv', '--tie', 'beta=alpha', '--fix', 'E=1.69', '--json']).json();
  assert.equal(tied.params.E, 1.69);
  assert.equal(tied.params.beta, tied.params.alpha);
  assert.deepEqual(tied.free, ['A', 'B', 'alpha']);
  assert.equal(tied.derived.a, 0.5, 'α = β puts N_opt ∝ C^0.5');
  const wide = scalelab(['fit', 'examples/chinchilla.csv', '--delta', '0.1', '--json']).json();
  assert.equal(wide.loss.delta, 0.1);
  // With δ = 0.1 every residual sits in Huber's quadratic zone: the fit becomes least squares.
  const ls = scalelab(['fit', 'examples/chinchilla.csv', '--loss', 'ls', '--json']).json();
  assert.equal(ls.loss.kind, 'ls');
  assert.ok(
    Math.abs(wide.params.alpha / ls.params.alpha - 1) < 1e-3,
    `δ = 0.1 α ${wide.params.alpha}, LS α ${ls.params.alpha}`,
  );
  assert.ok(Math.abs(wide.params.alpha / base.params.alpha - 1) > 0.01, 'and unlike the robust default');
  const hoffmann = scalelab(['fit', 'examples/chinchilla.csv', '--init', 'hoffmann', '--json']).json();
  assert.ok(hoffmann.starts >= 4500 && hoffmann.objective <= base.objective * (1 + 1e-6));
});

test('a bnsl fit in D keeps its breaks and variable: --out then predict --fit, and --bootstrap in worker threads', () => {
  // y = 0.05 + 2·D^(−0.3)·(1 + D/1e4)^(−0.2)·(1 + D/1e7)^(−0.3) (breaks of sharpness 1), with a little scatter.
  const file = join(tmp, 'bnsl.csv');
  const rows = ['D,loss'];
  for (let i = 0; i < 36; i++) {
    const D = 10 ** (2 + i * 0.2);
    rows.push(
      `${D},${(0.05 + 2 * D ** -0.3 * (1 + D / 1e4) ** -0.2 * (1 + D / 1e7) ** -0.3) * (1 + 0.002 * Math.sin(7 * i))}`,
    );
  }
  writeFileSync(file, rows.join('\n') + '\n');
  const out = join(tmp, 'bnsl-fit.json');
  const f = scalelab(['fit', file, '--law', 'bnsl', '--x', 'D', '--breaks', '2', '--out', out, '--json']);
  assert.equal(f.code, 0, f.stderr);
  assert.equal(f.json().breaks, 2);
  assert.equal(f.json().variable, 'D');
  const p = scalelab(['predict', '--fit', out, '--D', '1e6', '--json']);
  assert.equal(p.code, 0, p.stderr);
  const truth = 0.05 + 2 * 1e6 ** -0.3 * (1 + 1e6 / 1e4) ** -0.2 * (1 + 1e6 / 1e7) ** -0.3;
  assert.ok(Math.abs(p.json().loss / truth - 1) < 0.01, `predicted ${p.json().loss}, true ${truth}`);
  const b = scalelab(['fit', file, '--law', 'bnsl', '--x', 'D', '--bootstrap', '64', '--threads', '2', '--json']);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.json().bootstrap.replicates, 64);
  assert.equal(b.json().breaks, 1);
});

test('fit --lineage COLUMN resamples whole lineages (said in the report and JSON); a blank lineage or a missing column is refused by file, line and column', () => {
  const rows = ['run,N,D,loss,model'];
  for (const [t, N] of [1e7, 3e7, 1e8, 3e8, 1e9].entries())
    for (const [b, D] of [1e9, 3e9, 1e10].entries())
      rows.push(
        `s${t}-c${b},${N},${D},${(1.7 + 400 / N ** 0.34 + 400 / D ** 0.28) * (1 + 0.01 * ((t % 3) - 1))},s${t}`,
      );
  const file = join(tmp, 'branches.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const args = ['fit', file, '--procedure', 'huber', '--bootstrap', '8', '--threads', '1'];
  const r = scalelab([...args, '--lineage', 'model', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([r.json().bootstrap.unit, r.json().bootstrap.units], ['lineage', 5]);
  const text = scalelab([...args, '--lineage', 'model']);
  assert.match(text.stdout, /8 bootstrap replicates, resampling 5 lineages \(column "model"\)/);
  assert.deepEqual([scalelab([...args, '--json']).json().bootstrap.unit], ['run']);
  const blank = join(tmp, 'branches-blank.csv');
  writeFileSync(blank, rows.map((l, i) => (i === 4 ? l.replace(/,s1$/, ',') : l)).join('\n') + '\n');
  const e = scalelab(['fit', blank, '--lineage', 'model']);
  assert.equal(e.code, 2);
  assert.match(e.stderr, /branches-blank\.csv:5:\d+ \(column "model"\): this run has no lineage in "model"/);
  const missing = scalelab(['fit', file, '--lineage', 'trunk']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /branches\.csv:1: no column "trunk" \(mapped to lineage\)/);
  const none = scalelab([...args, '--resample', 'lineage']);
  assert.match(none.stderr, /--resample lineage: .*names no lineage; say which column holds it with --lineage COLUMN/);
  assert.match(
    scalelab(['fit', '--help']).stdout,
    /--lineage <column>[\s\S]*cooldown branches[\s\S]*run store\s+keeps the lineage an import found/,
  );
});

test('fit --procedure with a misspelt name suggests the nearest and lists them all', () => {
  const r = scalelab(['fit', 'examples/chinchilla.csv', '--procedure', 'hubr']);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /unknown procedure: hubr \(did you mean huber\? expected one of: auto, huber, ls, ls-linear, tied-huber, tied-ls, gadre, kaplan\)/,
  );
});

test('frontier says its defaults, what each approach resampled, how D_opt follows from N_opt, and the budget tolerance where runs fell on none', () => {
  const file = join(root, 'examples/chinchilla.csv');
  const text = scalelab(['frontier', file, '--budgets', 'chinchilla', '--approach', '2']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /; 95 % intervals from 200 bootstrap replicates \(default; seed 0\); approach 2 resamples each IsoFLOP profile's residuals about its parabola \(its sizes kept; over 5 sizes, plus its vertex-discrepancy term\)\n/,
  );
  assert.match(
    text.stdout,
    /\nN_opt ∝ C\^a, D_opt ∝ C\^b, with D_opt = C\/\(6·N_opt\) \(C = 6·N·D FLOPs\), so b = 1 − a\n/,
  );
  assert.match(
    text.stdout,
    /- approach 2: 94 runs fell on no IsoFLOP budget \(budgets ±0\.06 decades, the default --tolerance\) and were not used \(line 25, /,
  );
  // Typed, neither is marked a default; the JSON lists what was not typed and the tolerance used.
  const typed = scalelab([
    ...['frontier', file, '--budgets', 'chinchilla', '--approach', '2'],
    ...['--bootstrap', '5', '--tolerance', '0.05'],
  ]);
  assert.match(typed.stdout, /intervals from 5 bootstrap replicates \(seed 0\);/);
  assert.match(typed.stdout, /runs fell on no IsoFLOP budget \(budgets ±0\.05 decades, --tolerance\) and/);
  assert.doesNotMatch(typed.stdout, /default/);
  const json = scalelab([
    ...['frontier', file, '--budgets', 'chinchilla', '--approach', '2'],
    ...['--bootstrap', '5', '--json'],
  ]).json();
  assert.deepEqual(json.defaulted, ['seed', 'level', 'tolerance']);
  assert.equal(json.tolerance, 0.06);
  assert.equal(json.approaches[0].unit, 'residual');
  // Every Chinchilla budget has more than 5 sizes: each profile says its vertex-discrepancy term (ln N).
  const profiles: { vertexDiscrepancy?: number }[] = json.approaches[0].profiles;
  assert.equal(profiles.length, 9);
  assert.ok(
    profiles.every((p) => Number.isFinite(p.vertexDiscrepancy) && p.vertexDiscrepancy !== 0),
    JSON.stringify(profiles),
  );
  const unassigned = json.approaches[0].warnings.find((w: { code: string }) => w.code === 'unassigned-runs');
  assert.match(
    unassigned.message,
    /^94 runs fell on no IsoFLOP budget \(budgets ±0\.06 decades, the default --tolerance\)/,
  );
  // D_opt is C/(6·N_opt) at every target, as the header says.
  for (const t of json.approaches[0].targets) assert.ok(Math.abs(t.D / (t.C / (6 * t.N)) - 1) < 1e-12);
  // With the lowest-loss run as the vertex the term is not applied, and neither the header nor the JSON
  // claims it.
  const minRun = ['frontier', file, '--budgets', 'chinchilla', '--approach', '2', '--vertex', 'min-run'];
  const minRunText = scalelab([...minRun, '--bootstrap', '5']);
  assert.equal(minRunText.code, 0, minRunText.stderr);
  assert.match(
    minRunText.stdout,
    /approach 2 resamples each IsoFLOP profile's residuals about its parabola \(its sizes kept\)\n/,
  );
  const minRunJson = scalelab([...minRun, '--bootstrap', '5', '--json']).json();
  assert.ok(
    minRunJson.approaches[0].profiles.every((p: { vertexDiscrepancy?: number }) => p.vertexDiscrepancy === undefined),
  );
});

test("frontier: Approach 3 says what its fit's bootstrap drew; a lineage warning several approaches give is said once", () => {
  const [header, ...rows] = readFileSync(join(root, 'examples/chinchilla.csv'), 'utf8').trim().split(/\r?\n/);
  const withTrunks = (trunks: number) => {
    const file = join(tmp, `chinchilla-${trunks}-trunks.csv`);
    writeFileSync(file, [`${header},trunk`, ...rows.map((r, i) => `${r},t${i % trunks}`)].join('\n') + '\n');
    return file;
  };
  // Five trunks: Approach 3 alone draws lineages, and its header says so.
  const five = withTrunks(5);
  const json = scalelab(['frontier', five, '--approach', '3', '--bootstrap', '10', '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.equal(json.json().approaches[0].unit, 'lineage');
  const text = scalelab(['frontier', five, '--approach', '3', '--bootstrap', '10']).stdout;
  assert.match(text, /95 % intervals from 10 bootstrap replicates \(seed 0\); approach 3 resamples whole lineages\n/);
  // Two trunks: too few to draw; Approaches 2 and 3 both say so, in one warning.
  const two = scalelab(['frontier', withTrunks(2), '--budgets', 'chinchilla', '--bootstrap', '10']);
  assert.equal(two.code, 0, two.stderr);
  assert.equal(two.stdout.match(/the data name 2 lineages/g)?.length, 1, two.stdout);
  assert.match(two.stdout, /- approaches 2 and 3: the data name 2 lineages \(column "trunk"\), fewer than the 3/);
  // Each approach says what its replicates drew: too few lineages, so Approach 2 resamples its profiles'
  // residuals and Approach 3 runs.
  assert.match(
    two.stdout,
    /intervals from 10 bootstrap replicates \(seed 0\); approach 2 resamples each IsoFLOP profile's residuals about its parabola \(its sizes kept; over 5 sizes, plus its vertex-discrepancy term\), approach 3 resamples runs\n/,
  );
  const units = scalelab(['frontier', withTrunks(2), '--budgets', 'chinchilla', '--bootstrap', '10', '--json']).json();
  assert.deepEqual(
    units.approaches.map((a: { approach: number; unit?: string }) => [a.approach, a.unit]),
    [
      [2, 'residual'],
      [3, 'run'],
    ],
  );
  // Each budget of Approach 2 says what it drew (the top-level unit is 'lineage' when any budget draws them;
  // with runs to draw, each profile's residuals are resampled instead).
  assert.ok(units.approaches[0].profiles.every((p: { unit?: string }) => p.unit === 'residual'));
  const fiveUnits = scalelab([
    'frontier',
    five,
    '--budgets',
    'chinchilla',
    '--approach',
    '2',
    '--bootstrap',
    '4',
    '--json',
  ]);
  assert.ok(fiveUnits.json().approaches[0].profiles.every((p: { unit?: string }) => p.unit === 'lineage'));
  // Approach 3 from a saved fit: the fit's replicates and what they drew; from a preset: none, said.
  const fitFile = join(tmp, 'five-trunks-fit.json');
  assert.equal(scalelab(['fit', five, '--procedure', 'huber', '--bootstrap', '4', '--out', fitFile]).code, 0);
  const fromFit = scalelab(['frontier', five, '--fit', fitFile, '--approach', '3', '--json']).json().approaches[0];
  assert.equal(fromFit.unit, 'lineage');
  assert.match(
    fromFit.intervalSource,
    /^the fit's \d bootstrap replicates \(resampling whole lineages; level 0\.95\)$/,
  );
  // A saved fit without replicates: the hint names the command that makes them (frontier's --bootstrap is Approaches 1 and 2's).
  const bareFit = join(tmp, 'five-trunks-fit-bare.json');
  assert.equal(scalelab(['fit', five, '--procedure', 'huber', '--out', bareFit]).code, 0);
  const fromBare = scalelab(['frontier', five, '--fit', bareFit, '--approach', '3', '--json']).json().approaches[0];
  assert.equal(
    fromBare.intervalSource,
    `none: the fit has no bootstrap replicates (refit with scalelab fit … --bootstrap N --out ${bareFit}, its data and other flags as before, to save them)`,
  );
  const fromPreset = scalelab(['frontier', five, '--preset', 'epoch-2024', '--approach', '3']);
  assert.equal(fromPreset.code, 0, fromPreset.stderr);
  // Its header no longer claims the 200 replicates of --bootstrap's default for intervals it does not have.
  assert.match(
    fromPreset.stdout,
    /\n {2}approach 3: law chinchilla, preset epoch-2024: Besiroglu et al\. 2024, .*; a published fit, not fitted to \S+; intervals: none: a preset has no bootstrap replicates\n/,
  );
  // Its header does not credit the preset to the file's runs: it says they are not used.
  assert.match(fromPreset.stdout, /\n {2}\S+\.csv: its 240 runs are not used\n/);
  const presetJson = scalelab(['frontier', five, '--preset', 'epoch-2024', '--approach', '3', '--json']).json();
  assert.equal(presetJson.approaches[0].unit, undefined);
  assert.match(presetJson.approaches[0].numbersFrom, /^law chinchilla, preset epoch-2024: Besiroglu et al\. 2024/);
  // The exponents' table names it briefly and does not wrap: the citation is said once, in the header.
  assert.match(fromPreset.stdout, /\n {2}3 parametric \(law chinchilla, preset epoch-2024\) +0\.\d+ +0\.\d+\n/);
  assert.equal(fromPreset.stdout.split('Besiroglu et al.').length - 1, 1, fromPreset.stdout);
  assert.ok(
    fromPreset.stdout.split('\n').every((line) => line.length <= 120 || line.startsWith('  approach 3: ')),
    fromPreset.stdout,
  );
  // The JSON keeps the whole label and names the short one.
  assert.match(
    presetJson.approaches[0].label,
    /^parametric \(law chinchilla, preset epoch-2024: Besiroglu et al\. 2024/,
  );
  assert.equal(presetJson.approaches[0].shortLabel, 'parametric (law chinchilla, preset epoch-2024)');
  const fitText = scalelab(['frontier', five, '--fit', fitFile, '--approach', '3']).stdout;
  assert.ok(fitText.includes(`\n  3 parametric (law chinchilla, fit ${fitFile}) `), fitText);
});

test('predict --law bnsl --breaks K takes a broken power law with K breaks by its parameters; a fit brings its own breaks, said in the law line', () => {
  // y = 0.05 + 2·D^(−0.3)·(1 + D/1e4)^(−0.2)·(1 + D/1e7)^(−0.3): two breaks of sharpness 1.
  const truth = (D: number) => 0.05 + 2 * D ** -0.3 * (1 + D / 1e4) ** -0.2 * (1 + D / 1e7) ** -0.3;
  const params = 'a=0.05,b=2,c0=0.3,c1=0.2,d1=1e4,f1=1,c2=0.3,d2=1e7,f2=1';
  const law = ['predict', '--law', 'bnsl', '--x', 'D', '--params', params, '--D', '1e6'];
  const p = scalelab([...law, '--breaks', '2', '--json']);
  assert.equal(p.code, 0, p.stderr);
  assert.ok(Math.abs(p.json().loss / truth(1e6) - 1) < 1e-9, `predicted ${p.json().loss}, true ${truth(1e6)}`);
  assert.match(p.json().formula, /2 breaks/);
  // Without --breaks the law has one break, and the second one's parameters are refused with the flag to give.
  const one = scalelab(law);
  assert.equal(one.code, 2);
  assert.match(one.stderr, /c2, d2, f2 are not parameters of law bnsl .*: give --breaks 2 for a law with 2 breaks/);
  noStackTrace(one.stderr);
  // A fit carries its breaks: --breaks beside it is refused, naming them.
  const file = join(tmp, 'bnsl-breaks.csv');
  const rows = ['D,loss'];
  for (let i = 0; i < 36; i++) rows.push(`${10 ** (2 + i * 0.2)},${truth(10 ** (2 + i * 0.2))}`);
  writeFileSync(file, rows.join('\n') + '\n');
  const out = join(tmp, 'bnsl-breaks-fit.json');
  assert.equal(scalelab(['fit', file, '--law', 'bnsl', '--x', 'D', '--breaks', '2', '--out', out]).code, 0);
  const fromFit = scalelab(['predict', '--fit', out, '--D', '1e6']);
  assert.equal(fromFit.code, 0, fromFit.stderr);
  assert.match(fromFit.stdout, /law bnsl: .*2 breaks/);
  const twice = scalelab(['predict', '--fit', out, '--breaks', '3', '--D', '1e6']);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /--breaks: the fit brings its own \(law bnsl with 2 breaks\)/);
  const other = scalelab(['predict', '--preset', 'hoffmann-2022', '--breaks', '2', '--N', '7e10', '--D', '1.4e12']);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /--breaks is read with --law bnsl/);
  const chinchilla = scalelab([
    'predict',
    '--law',
    'chinchilla',
    '--params',
    'E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28',
    '--breaks',
    '2',
    '--N',
    '7e10',
    '--D',
    '1.4e12',
  ]);
  assert.equal(chinchilla.code, 2);
  assert.match(chinchilla.stderr, /--breaks is read with --law bnsl \(law chinchilla has no breaks\)/);
});

test("fit --json has what the text's Procedure section prints: each candidate's loss at 10× the data's largest N and D", () => {
  const j = scalelab(['fit', 'examples/inputs/runs.csv', '--json']).json();
  const text = scalelab(['fit', 'examples/inputs/runs.csv']).stdout;
  const e = j.procedure.extrapolated;
  assert.deepEqual(e.at, { N: 10 * j.data.ranges.N[1], D: 10 * j.data.ranges.D[1] });
  assert.deepEqual(Object.keys(e.predictions), ['huber', 'tied-huber', 'gadre']);
  for (const [id, v] of Object.entries(e.predictions) as [string, number][]) {
    const line = new RegExp(`^ {4}${id} +33 % +([\\d.]+)$`, 'm').exec(text);
    assert.ok(line, `${id} in\n${text}`);
    assert.ok(Math.abs(Number(line[1]) / v - 1) < 5e-5, `${id}: text ${line[1]}, JSON ${v}`);
  }
  // The huber candidate's is the reported law's own prediction there.
  const { E, A, B, alpha, beta } = j.params;
  const law = E + A / e.at.N ** alpha + B / e.at.D ** beta;
  assert.ok(Math.abs(e.predictions.huber / law - 1) < 1e-12, `${e.predictions.huber} against ${law}`);
});

test('a fit whose model-size term is switched off (loss independent of N) prints "off" and what it means, not Infinity; JSON a null with paramsOff saying why', () => {
  // Synthetic, truth L = 1.8 + 300/D^0.28 with 0.1 % Gaussian scatter: N (1e9 to 2e10) has no effect. The
  // free Chinchilla fit sends A to infinity (α steep): its N term is switched off; the data term is recovered.
  const file = 'test/fixtures/no-effect-of-N.csv';
  const text = scalelab(['fit', file]);
  assert.equal(text.code, 0, text.stderr);
  assert.doesNotMatch(text.stdout, /Infinity|NaN/);
  assert.match(
    text.stdout,
    /\n {4}A {8}off {15}the model-size term scale ran off to infinity, its term switched off: these data show no power law in N\n/,
  );
  assert.match(text.stdout, /\n {4}G {8}none .*: not finite, A being off\n/);
  assert.match(text.stdout, /\n {4}huber {8}33 % {4}none: its A is off \(see its warnings\)\n/);
  assert.match(text.stdout, /\[severe\] degenerate: A is off: the fit is degenerate/);
  const j = scalelab(['fit', file, '--json']);
  assert.equal(j.code, 0, j.stderr);
  const out = j.json();
  assert.equal(out.params.A, null);
  assert.match(out.paramsOff.A, /these data show no power law in N/);
  assert.deepEqual(Object.keys(out.paramsOff), ['A']);
  assert.equal(out.derived.G, null);
  assert.deepEqual(out.derivedOff, { G: 'not finite: A is off' });
  assert.match(out.procedure.candidates[0].paramsOff.A, /no power law in N/);
  // The data term is the truth's.
  assert.ok(Math.abs(out.params.beta - 0.28) < 0.05 && Math.abs(out.params.E - 1.8) < 0.05, JSON.stringify(out.params));
  // A fit with every term on has no paramsOff.
  const ok = scalelab(['fit', 'examples/chinchilla.csv', '--json']).json();
  assert.equal(ok.paramsOff, undefined);
  assert.equal(ok.derivedOff, undefined);
});

test("a fit of checkpoint rows is said as rows of runs wherever it is read: predict --fit and plan --fit say '… rows (checkpoints of … runs)', not '… runs'", () => {
  // 12 runs × 3 checkpoints of L = 1.8 + 400/N^0.34 + 2000/D^0.37, each run named.
  const lines = ['run,N,D,loss'];
  let k = 0;
  for (const N of [2e7, 4e7, 8e7, 1.6e8, 3.2e8, 6.4e8])
    for (const tpp of [10, 40]) {
      k++;
      for (const f of [0.25, 0.5, 1]) {
        const D = N * tpp * f;
        lines.push(
          `r${k},${N},${D},${(1.8 + 400 / N ** 0.34 + 2000 / D ** 0.37) * (1 + 0.002 * Math.sin(k * 7 + f * 13))}`,
        );
      }
    }
  const runs = join(tmp, 'checkpoint-rows.csv');
  const fit = join(tmp, 'checkpoint-rows-fit.json');
  writeFileSync(runs, lines.join('\n') + '\n');
  const fitted = scalelab(['fit', runs, '--procedure', 'huber', '--out', fit]);
  assert.equal(fitted.code, 0, fitted.stderr);
  assert.match(fitted.stdout, /36 rows \(checkpoints of 12 runs\)/);
  const predicted = scalelab(['predict', '--fit', fit, '--N', '1e9', '--D', '2e10']);
  assert.equal(predicted.code, 0, predicted.stderr);
  assert.match(predicted.stdout, /fitted to .*checkpoint-rows\.csv \(36 rows \(checkpoints of 12 runs\); fit /);
  assert.doesNotMatch(predicted.stdout, /36 runs/);
});

test('fit on an lm-evaluation-harness results file says to read it with scalelab downstream', () => {
  const r = scalelab(['fit', 'test/fixtures/downstream/lm-eval-pythia-160m-step143000.json']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /lm-eval-pythia-160m-step143000\.json:1:1: this is an lm-evaluation-harness results file \(task metrics, not training runs\): read it with "scalelab downstream"/,
  );
  assert.ok(noStackTrace(r.stderr), r.stderr);
});

test('README commands write fit.json into the repository root, which git ignores', () => {
  assert.match(readFileSync(join(root, '.gitignore'), 'utf8'), /^\/fit\.json$/m);
});

test("fit: W&B's Name is read as the run in a W&B export where no two runs share it, suggested elsewhere, and a run name with two sizes is refused in fit, frontier and backtest", () => {
  const rows = ['Name,_step,N,D,loss'];
  const sizes = [1e7, 2e7, 4e7, 8e7, 1.6e8, 3.2e8];
  for (const [i, n] of sizes.entries())
    for (const s of [1, 2])
      rows.push(
        `r${i},${s},${n},${1e8 * s * (i + 1)},${(1.7 + 400 / n ** 0.34 + 400 / (1e8 * s * (i + 1)) ** 0.28).toFixed(5)}`,
      );
  const names = join(tmp, 'wandb-names.csv');
  writeFileSync(names, rows.join('\n') + '\n');
  const r = scalelab(['fit', names]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /note: .*wandb-names\.csv: W&B's display name "Name" is read as the run: no name here repeats at a step .*, but runs that share a name and never log at the same step would be read as one run's rows; /,
  );
  // Two runs named alike whose steps never meet are read as one (nothing in the rows tells them apart): the
  // note must not say the names are unique (before: "as no two runs here share one").
  const apart = join(tmp, 'wandb-names-apart.csv');
  writeFileSync(
    apart,
    rows.join('\n').replace(/^r1,([12]),[^,]+,/gm, (_, s: string) => `r0,${Number(s) + 2},${sizes[0]},`) + '\n',
  );
  const a = scalelab(['fit', apart]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /12 rows from 5 training runs/);
  assert.doesNotMatch(a.stderr, /no two runs here share/);
  assert.match(a.stderr, /would be read as one run's rows/);
  assert.match(r.stdout, /12 rows from 6 training runs/);
  // Without W&B's own columns beside it (_step here), a "Name" is some file's name: suggested, not read.
  const plain = join(tmp, 'plain-names.csv');
  writeFileSync(plain, rows.join('\n').replace('Name,_step', 'Name,step') + '\n');
  const p = scalelab(['fit', plain]);
  assert.equal(p.code, 0, p.stderr);
  assert.match(
    p.stdout,
    /the file's "Name" column keeps one N for each of its values: if it names each run .*--columns run=Name/,
  );
  // Mapped, a name shared by two sizes is refused at the later row, naming both lines.
  const shared = join(tmp, 'wandb-shared.csv');
  writeFileSync(shared, rows.join('\n').replace(/^r1,([12]),/gm, (_, s: string) => `r0,${Number(s) + 2},`) + '\n');
  for (const command of ['fit', 'frontier', 'backtest']) {
    const x = scalelab([command, shared, '--columns', 'run=Name']);
    assert.equal(x.code, 2, `${command}: ${x.stdout}`);
    noStackTrace(x.stderr);
    assert.match(
      x.stderr,
      /wandb-shared\.csv:4 \(column "N"\): run "r0" has N = 2e7 here but N = 1e7 at line 2: expected one model size per run name/,
      command,
    );
  }
});

test("frontier's Approach 3 on checkpoints fits every row, as fit does (the law plan allocates with), and says so", () => {
  const truth = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };
  const rows = ['run,N,D,loss'];
  for (const C of [3e17, 1e18, 3e18, 1e19])
    for (const N of [2e7, 4e7, 8e7, 1.5e8, 2.5e8]) {
      const D = C / (6 * N);
      // A cosine run's intermediate checkpoints lie above the loss a run of that length reaches.
      for (const f of [0.25, 0.5, 1]) {
        const loss = (truth.E + truth.A / N ** truth.alpha + truth.B / (f * D) ** truth.beta) * (1 + 0.03 * (1 - f));
        rows.push(`C${C}-N${N},${N},${f * D},${loss.toFixed(6)}`);
      }
    }
  const file = join(tmp, 'checkpointed-sweep.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const fit = scalelab(['fit', file, '--procedure', 'huber', '--json']);
  assert.equal(fit.code, 0, fit.stderr);
  const { alpha, beta } = fit.json().params;
  const frontier = scalelab(['frontier', file, '--approach', '3', '--bootstrap', '0', '--json']);
  assert.equal(frontier.code, 0, frontier.stderr);
  const a3 = frontier.json().approaches.find((a: { approach: number }) => a.approach === 3);
  assert.equal(a3.rows, 'every row, as fit and plan fit them: 60 checkpoints of 20 runs');
  assert.ok(Math.abs(a3.a - beta / (alpha + beta)) < 1e-6, `${a3.a} vs fit's ${beta / (alpha + beta)}`);
});

test('fit --bootstrap prints a fixed parameter as "(fixed)", not as an interval of its one value', () => {
  // Truth: a Chinchilla law with E known (fixed at 1.69), the rest fitted from 25 noiseless runs.
  const rows = ['N,D,loss'];
  for (const N of [5e7, 1e8, 2e8, 4e8, 8e8])
    for (const r of [5, 10, 20, 40, 80])
      rows.push(`${N},${N * r},${(1.69 + 406.4 / N ** 0.34 + 410.7 / (N * r) ** 0.28).toFixed(6)}`);
  const file = join(tmp, 'fixed-e.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const r = scalelab(['fit', file, '--law', 'chinchilla', '--fix', 'E=1.69', '--bootstrap', '10', '--seed', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\n {4}E {8}1\.69 +\(fixed\) /);
  assert.doesNotMatch(r.stdout, /\[1\.69, 1\.69\]/);
  // A free one keeps its interval.
  assert.match(r.stdout, /\n {4}α {8}[\d.]+ +\[[\d.]+, [\d.]+\]/);
});
