import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, scalelab } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'scalelab-backtest-'));

test('backtest compares procedures side by side: errors, bias, coverage, by extrapolation ratio', () => {
  const r = scalelab([
    'backtest',
    'examples/chinchilla.csv',
    '--procedures',
    'auto,huber,tied-huber',
    '--folds',
    '2',
    '--min-fit',
    '60',
    '--bootstrap',
    '20',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json();
  assert.equal(j.by, 'C');
  assert.equal(j.cutoffs.length, 2);
  assert.deepEqual(
    j.summaries.map((s: { procedure: string }) => s.procedure),
    ['auto', 'huber', 'tied-huber'],
  );
  const heldOut = j.cutoffs.reduce((a: number, c: { heldOut: number }) => a + c.heldOut, 0);
  for (const s of j.summaries) {
    assert.equal(s.predictions, heldOut);
    assert.ok(s.coverage['0.95'] >= s.coverage['0.8']);
    assert.ok(s.worstAbsRelativeError < 0.2, `${s.procedure}: ${s.worstAbsRelativeError}`);
  }
  assert.ok(j.bins.length >= 2, 'errors are binned by compute ratio');
  assert.ok(j.predictions.every((p: { computeRatio: number }) => p.computeRatio > 0.99));
  const text = scalelab([
    'backtest',
    'examples/chinchilla.csv',
    '--procedures',
    'huber',
    '--folds',
    '1',
    '--bootstrap',
    '0',
    '--by',
    'N',
  ]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Rolling-origin back-test of examples\/chinchilla\.csv: at each cutoff in N/);
  assert.match(text.stdout, /huber\s+\d+\s+[\d.]+ %/);
  assert.match(text.stdout, /Mean \|err\| by how far the prediction reaches/);
  // auto's default rule weighs its candidates equally: the text says so rather than "chose huber".
  const auto = scalelab(['backtest', 'examples/inputs/runs.csv', '--by', 'N', '--procedures', 'auto', '--folds', '1']);
  assert.equal(auto.code, 0, auto.stderr);
  assert.match(auto.stdout, /N ≤ [\d.e]+: equal weights \(huber 33 %, tied-huber 33 %, gadre 33 %\)/);
  assert.doesNotMatch(auto.stdout, /auto chose|: huber \(/);
});

test("backtest names each procedure's worst error at each cutoff, so a summary's worst is traced to the thin fit that made it (Chinchilla's first cutoff: 6 runs)", () => {
  const r = scalelab(['backtest', 'examples/chinchilla.csv', '--procedures', 'huber', '--bootstrap', '0']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /cutoff\s+fitted\s+predicted\s+worst huber/);
  assert.match(r.stdout, /C ≤ 3\.41e18\s+6\s+234\s+300\.93 %/);
  assert.match(r.stdout, /huber\s+470\s+[\d.]+ %\s+300\.93 %/);
});

test('backtest keeps the checkpoints of a run together and scores its final checkpoint', () => {
  const file = join(tmp, 'curves.csv');
  const rows = ['run,N,D,loss'];
  const law = (N: number, D: number) => 1.8 + 400 / N ** 0.34 + 2000 / D ** 0.37;
  [3e7, 6e7, 1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9].forEach((N, k) => {
    for (const f of [0.25, 0.5, 1])
      rows.push(`m${k},${N},${20 * N * f},${law(N, 20 * N * f) * (1 + 0.002 * ((k % 3) - 1))}`);
  });
  writeFileSync(file, rows.join('\n') + '\n');
  const r = scalelab([
    'backtest',
    file,
    '--by',
    'N',
    '--cutoffs',
    '4e8',
    '--procedures',
    'huber',
    '--bootstrap',
    '0',
    '--min-fit',
    '3',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json();
  assert.deepEqual(
    j.cutoffs.map((c: { fitRuns: number; heldOut: number }) => [c.fitRuns, c.heldOut]),
    [[5, 3]],
  );
  assert.deepEqual(
    j.predictions.map((p: { run: string; D: number; N: number }) => [p.run, p.D / p.N]),
    [
      ['m5', 20],
      ['m6', 20],
      ['m7', 20],
    ],
  );
});

test('backtest with a trunk column: a lineage is fitted only when all its branches are below the cutoff, and the output says so', () => {
  // One trunk per size, branches at 30, 55 and 100 % of 20 tokens per parameter (Chinchilla's law, exact).
  const rows = ['run,N,D,loss,trunk'];
  [3e7, 6e7, 1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9].forEach((N, k) => {
    for (const f of [0.3, 0.55, 1]) {
      const D = 20 * N * f;
      rows.push(`t${k}-${f},${N},${D},${1.8 + 400 / N ** 0.34 + 2000 / D ** 0.37},t${k}`);
    }
  });
  const file = join(tmp, 'branches.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const args = ['backtest', file, '--procedures', 'huber', '--bootstrap', '0', '--folds', '3'];
  const r = scalelab([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json();
  assert.equal(j.lineages, 8);
  const withheld = j.cutoffs.reduce((a: number, c: { withheld: number }) => a + c.withheld, 0);
  assert.ok(withheld > 0, JSON.stringify(j.cutoffs));
  const text = scalelab(args);
  assert.match(text.stdout, /Lineages: the data name 8\. .*fitted only when all its runs are at or below the cutoff/);
  assert.match(text.stdout, /cutoff\s+fitted\s+predicted\s+withheld/);
  // By N a trunk's branches share one value: nothing is withheld.
  const byN = scalelab([...args, '--by', 'N', '--json']).json();
  assert.ok(byN.cutoffs.every((c: { withheld: number }) => c.withheld === 0));
});

test('backtest: bad flags and files are one-line errors', () => {
  const a = scalelab(['backtest', 'examples/chinchilla.csv', '--procedures', 'auto,magic']);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /--procedures: invalid value "magic" \(expected auto, huber, ls/);
  const few = join(tmp, 'few.csv');
  writeFileSync(few, 'N,D,loss\n1e8,2e9,3.1\n2e8,4e9,3.0\n4e8,8e9,2.9\n');
  const b = scalelab(['backtest', few]);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /few\.csv: 3 training runs: a back-test needs at least 6 runs below a cutoff/);
  const h = scalelab(['backtest', '--help']);
  for (const flag of ['--by', '--cutoffs', '--procedures', '--bootstrap', '--json'])
    assert.ok(h.stdout.includes(flag), flag);
  for (const r of [a, b]) assert.ok(noStackTrace(r.stderr), r.stderr);
});

test('fit --procedure: auto by default with its candidates and reason; a fixed recipe on request; flags that conflict', () => {
  const auto = scalelab(['fit', 'examples/chinchilla.csv', '--json']).json();
  assert.equal(auto.procedure.id, 'auto');
  assert.deepEqual(
    auto.procedure.candidates.map((c: { id: string; weight: number }) => [c.id, Math.round(c.weight * 1000) / 1000]),
    [
      ['huber', 0.333],
      ['tied-huber', 0.333],
      ['gadre', 0.333],
    ],
  );
  assert.match(auto.procedure.reason, /weigh the same/);
  assert.equal(auto.trust, 'ok');
  const text = scalelab(['fit', 'examples/chinchilla.csv']);
  assert.match(text.stdout, /\[\[Procedure\]\] auto/);
  assert.match(text.stdout, /gadre\s+33 %/);
  const huber = scalelab(['fit', 'examples/chinchilla.csv', '--procedure', 'huber', '--json']).json();
  assert.equal(huber.procedure.id, 'huber');
  assert.ok(Math.abs(huber.params.alpha - 0.34731) < 0.002, `Epoch's α: ${huber.params.alpha}`);
  const clash = scalelab(['fit', 'examples/chinchilla.csv', '--procedure', 'huber', '--loss', 'ls']);
  assert.equal(clash.code, 2);
  assert.match(clash.stderr, /--procedure huber fixes how the law is fitted; it cannot be combined with --loss/);
  const custom = scalelab(['fit', 'examples/chinchilla.csv', '--tie', 'beta=alpha', '--json']).json();
  assert.equal(custom.procedure, undefined, 'explicit flags fit exactly what they say');
  assert.deepEqual(custom.ties, { beta: 'alpha' });
});

test('fit: a 5-run ladder is reduced, not refused, and the report says why', () => {
  const file = join(tmp, 'five.csv');
  const law = (N: number, D: number) => 1.8 + 400 / N ** 0.34 + 2000 / D ** 0.37;
  const rows = [
    'N,D,loss',
    ...[1e8, 3e8, 1e9, 3e9, 1e10].map((N, i) => `${N},${20 * N * (1 + 0.3 * i)},${law(N, 20 * N * (1 + 0.3 * i))}`),
  ];
  writeFileSync(file, rows.join('\n') + '\n');
  const r = scalelab(['fit', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /huber\s+33 %.*reduced: 5 distinct configurations for 5 free parameters: α and β are tied/);
  const j = scalelab(['fit', file, '--procedure', 'huber', '--json']).json();
  assert.equal(j.procedure.chosen, 'huber→tied');
  assert.equal(j.warnings[0].code, 'reduced-law');
});
