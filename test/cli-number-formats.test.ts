import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scalelab } from './helpers/cli.js';
import { formatCount } from '../src/core/format.js';
import { planWsdLadder } from '../src/analyses/wsdLadder.js';
import { fitTradeoff } from '../src/hparams/criticalBatch.js';

// Numbers printed through the project's formatters, not JavaScript's defaults (review18, finding 11).

test('formatCount: whole counts in full up to 2^53, e-notation beyond', () => {
  assert.equal(formatCount(3815), '3815');
  assert.equal(formatCount(2 ** 53 - 1), '9007199254740991');
  assert.equal(formatCount(1.9047619047619046e22), '1.90476e22');
});

test("curve-law ladder: steps past 2^53 in e-notation; a budget twice and a batch in the reports' notation", () => {
  const r = scalelab(['curve-law', 'ladder', '--model-sizes', '7e6', '--budgets', '1e30', '--batch-tokens', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /trunk-N7e6 1\.90476e22 steps; branches N7e6-C1e30 at 1\.90476e22 \+ 4\.7619e21 \(C = 1e30\)/);
  assert.doesNotMatch(r.stdout, /e\+/);
  assert.throws(() => planWsdLadder([7e6], [1e17, 1e17], 1e5, 0.2), /budget 1e17 is given twice: expected each once/);
  assert.throws(() => planWsdLadder([7e6], [1e17], 1e17, 0.2), /less than one step of 1e17 tokens/);
});

test('bcrit: a target loss and S_min, E_min written as the reports write numbers', () => {
  const target = 3.43683 + 1e-15; // as a sum of floats leaves it: 3.4368300000000005
  const flat = [64, 128, 256, 512].map((batch, i) => ({ batch, steps: 2160 + (i % 2), line: i + 2 }));
  assert.throws(
    () => fitTradeoff(flat, target, 'runs.csv'),
    (e: Error) =>
      /target loss 3\.43683: steps do not fall as the batch grows \(S_min = 2\.16e3, E_min = [-\d.e]+\)/.test(
        e.message,
      ) && !/e\+|0000000/.test(e.message),
  );
});

test('curve-law predict --steps beyond its bound is refused at the flag, the bound written 1e7', () => {
  const r = scalelab([
    'curve-law',
    'predict',
    '--curve-fit',
    'examples/studies/moby-curves/fit-multi-power.json',
    '--N',
    '25472',
    '--schedule',
    'constant',
    '--steps',
    '1e12',
    '--peak-lr',
    '1e-3',
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--steps: expected a whole number of optimizer steps from 1 to 1e7, got 1e12/);
  assert.doesNotMatch(r.stderr, /command line \(column/);
});

test('runs export of one run says "1 row"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-formats-'));
  try {
    const csv = join(dir, 'one.csv'),
      db = join(dir, 'one.db');
    writeFileSync(csv, 'N,D,loss\n1e8,1e9,3.1\n');
    assert.equal(scalelab(['runs', 'import', csv, '--study', 'one', '--db', db]).code, 0);
    const r = scalelab(['runs', 'export', '--study', 'one', '--out', join(dir, 'one-exp.csv'), '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /wrote .*one-exp\.csv \(1 row\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a comma-decimal locale's CSV (semicolons, 3,1 losses, 1.300.000 counts) is read as written; 3.125 with nothing to say which mark is refused", () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-formats-'));
  try {
    // L = 1.69 + 406.4/N^0.34 + 410.7/D^0.28 written as a German spreadsheet saves it: "." thousands, "," decimals.
    const de = (x: number) => Math.round(x).toLocaleString('de-DE');
    const rows = ['run;N;D;loss'];
    for (const N of [2e7, 5e7, 1e8, 2e8, 5e8])
      for (const perParam of [10, 20, 40]) {
        const D = N * perParam;
        rows.push(
          `r${rows.length};${de(N)};${de(D)};${(1.69 + 406.4 / N ** 0.34 + 410.7 / D ** 0.28).toFixed(5).replace('.', ',')}`,
        );
      }
    const csv = join(dir, 'de.csv');
    writeFileSync(csv, rows.join('\n') + '\n');
    const r = scalelab(['fit', csv, '--procedure', 'huber', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const fit = r.json();
    assert.deepEqual(fit.data.ranges.N, [2e7, 5e8]);
    assert.ok(Math.abs(fit.params.alpha / 0.34 - 1) < 1e-2, String(fit.params.alpha));
    // Before: 1.300.000-style counts were refused as no number, and 2.500 read as 2.5 where nothing said so.
    const q = join(dir, 'q.csv');
    writeFileSync(q, 'N;D;loss\n100000000;2000000000;3.125\n');
    const refused = scalelab(['fit', q]);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /q\.csv:2:3 \(column "loss"\): expected a number for loss, got "3\.125", which a file separated by semicolons may mean either way: 3125 .*, 3\.1250 where it is the decimal mark.*\(3125 or 3\.1250\)$/m,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
