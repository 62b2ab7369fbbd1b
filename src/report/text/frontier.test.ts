import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApproachResult } from '../../analyses/frontier.js';
import { frontierReport } from './frontier.js';

const approach = (n: 1 | 2 | 3, extra: Partial<ApproachResult> = {}): ApproachResult => ({
  approach: n,
  label: n === 3 ? 'parametric (law chinchilla, preset p)' : `approach ${n}`,
  a: 0.5,
  b: 0.5,
  intervals: {},
  targets: [{ C: 1e23, N: 3e10, D: 5e11, tokensPerParameter: 17, intervals: {} }],
  replicates: 0,
  warnings: [],
  ...extra,
});
const preset = {
  numbersFrom: 'law chinchilla, preset p: Someone et al. 2024; a published fit, not fitted to runs.csv',
  intervalSource: 'none: a preset has no bootstrap replicates',
};
const header = (text: string) => text.slice(0, text.indexOf('\n\n'));

test('frontier header: Approach 3 from a preset is credited to the preset and its citation, not the runs', () => {
  const h = header(
    frontierReport({
      source: 'runs.csv',
      runs: 240,
      approaches: [approach(1), approach(2), approach(3, preset)],
      agreements: [],
      skipped: [],
    }),
  );
  assert.deepEqual(h.split('\n'), [
    "Compute-optimal frontier; where each approach's numbers come from:",
    '  approaches 1 and 2: runs.csv (240 runs); no intervals (option "bootstrap" 0)',
    '  approach 3: law chinchilla, preset p: Someone et al. 2024; a published fit, not fitted to runs.csv; intervals: none: a preset has no bootstrap replicates',
  ]);
});

test("frontier header: with only Approach 3 from a preset, the file's runs are said to be unused", () => {
  const h = header(
    frontierReport({
      source: 'runs.csv',
      runs: 240,
      approaches: [approach(3, preset)],
      agreements: [],
      skipped: [],
      bootstrap: { replicates: 200, seed: 0, level: 0.95 },
    }),
  );
  assert.doesNotMatch(h, /200 bootstrap/);
  assert.match(h, /\n {2}approach 3: law chinchilla, preset p: Someone et al\. 2024; /);
  assert.match(h, /\n {2}runs\.csv: its 240 runs are not used$/);
});

test('frontier header: every approach from the runs keeps the one-line header', () => {
  const h = header(
    frontierReport({
      source: 'runs.csv',
      runs: 240,
      approaches: [approach(2), approach(3)],
      agreements: [],
      skipped: [],
      bootstrap: { replicates: 20, seed: 1, level: 0.9 },
    }),
  );
  assert.equal(
    h,
    'Compute-optimal frontier: runs.csv (240 runs); 90 % intervals from 20 bootstrap replicates (seed 1)',
  );
});

test('frontier header: the replicate count marked a default when not given, and what each approach resampled', () => {
  const h = header(
    frontierReport({
      source: 'curves.csv',
      runs: 240,
      approaches: [approach(1, { unit: 'run' }), approach(2, { unit: 'residual' }), approach(3, { unit: 'lineage' })],
      agreements: [],
      skipped: [],
      bootstrap: { replicates: 200, seed: 0, level: 0.95 },
      defaulted: ['bootstrap', 'seed'],
    }),
  );
  assert.equal(
    h,
    "Compute-optimal frontier: curves.csv (240 runs); 95 % intervals from 200 bootstrap replicates (default; seed 0); approach 1 resamples whole training curves (runs), approach 2 resamples each IsoFLOP profile's residuals about its parabola (its sizes kept; over 5 sizes, plus its vertex-discrepancy term), approach 3 resamples whole lineages",
  );
});

test("frontier's warnings name options as its caller does: the CLI's --columns, not the library's option \"columns\"", () => {
  const warning =
    'the rows have a step column but no run column: checkpoints of one run would be treated as independent runs, and intervals would be far too narrow; add a run column (or map one with option "columns" run=NAME)';
  const out = {
    source: 'runs.csv',
    runs: 10,
    approaches: [approach(3, { warnings: [warning] })],
    agreements: [],
    skipped: [],
  };
  assert.match(frontierReport(out), /map one with option "columns" run=NAME/);
  const cli = frontierReport(out, (o) => `--${o}`);
  assert.match(cli, /map one with --columns run=NAME/);
  assert.doesNotMatch(cli, /option "columns"/);
});

test("frontier: Approach 2's measured coverage on small profiles is said under the exponents' table, beside its interval", () => {
  const text = frontierReport({
    source: 'runs.csv',
    runs: 20,
    approaches: [
      approach(2, { intervals: { a: [0.632, 0.641] }, intervalCoverage: 'with profiles of 4 sizes, … about 86 %' }),
    ],
    agreements: [],
    skipped: [],
    bootstrap: { replicates: 20, seed: 1, level: 0.95 },
  });
  assert.match(
    text,
    /\n {2}2 approach 2 +0\.5 \[0\.632, 0\.641\] +0\.5\n {2}\(approach 2 interval: with profiles of 4 sizes, … about 86 %\)/,
  );
});
