import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRuns } from '../io/parseRuns.js';
import { fit } from '../fit/fit.js';
import { chinchilla } from '../laws/index.js';
import { analyse } from './analysis.js';
import { reportHtml } from './html.js';

// Runs on a Chinchilla law with known truth (E 1.69, A 406.4, B 410.7, alpha 0.34, beta 0.28), up to C ≈ 1e20.
const csvOf = (loss: (N: number, D: number) => number): string =>
  [
    'N,D,loss',
    ...[1e7, 3e7, 1e8, 3e8, 1e9].flatMap((N) => [2e8, 1e9, 5e9, 2e10].map((D) => `${N},${D},${loss(N, D)}`)),
  ].join('\n');
const only = { skip: { 1: 'not needed', 2: 'not needed' }, backtest: false as const };

test("analysis warnings: the target's extrapolation is labelled 'target:', not 'plan:'", () => {
  const data = parseRuns(
    csvOf((N, D) => 1.69 + 406.4 / N ** 0.34 + 410.7 / D ** 0.28),
    { source: 'synthetic.csv' },
  );
  const a = analyse(data, fit(chinchilla, data), undefined, { targets: [1e24], ...only });
  const target = a.warnings.filter((w) => w.startsWith('target'));
  assert.ok(
    target.some((w) => /^target \(severe\): C = 1e24 is [\d.e]+× the largest C/.test(w)),
    a.warnings.join('\n'),
  );
  // Within 10× of the data an extrapolation is said as info, not left to read as a warning.
  const near = analyse(data, fit(chinchilla, data), undefined, { targets: [5e20], ...only });
  assert.ok(
    near.warnings.some((w) => /^target \(info\): C = 5e20 is [\d.]+× the largest C/.test(w)),
    near.warnings.join('\n'),
  );
  assert.deepEqual(
    a.warnings.filter((w) => w.startsWith('plan:')),
    [],
  );
});

test("analysis warnings: a law with no compute-optimal frontier is said as the frontier's, not 'plan:'", () => {
  // Loss rising with N: the fitted alpha is not positive, so there is no allocation at any target.
  const data = parseRuns(
    csvOf((N, D) => 1 + 0.1 * Math.log(N * D) + 0.01 * Math.log(N)),
    { source: 'rising.csv' },
  );
  const fitted = fit(chinchilla, data);
  const a = analyse(data, fitted, undefined, { targets: [1e24], ...only });
  assert.equal(a.plan, undefined);
  const frontier = a.warnings.filter((w) => w.startsWith('frontier: '));
  assert.equal(frontier.length, 1, a.warnings.join('\n'));
  assert.match(frontier[0], /^frontier: the law's alpha = -[\d.]+ is not positive/);
  assert.deepEqual(
    a.warnings.filter((w) => w.startsWith('plan:')),
    [],
  );
});

test('analysis warnings: a fit warning names an option as the caller names it (report: --columns, or scalelab fit --init)', () => {
  // Checkpoints with a step column and no run column: the fit's warning says how to map a run column.
  const rows = ['N,D,step,loss'];
  for (const N of [1e7, 3e7, 1e8, 3e8])
    for (const [k, D] of [2e9, 6e9, 2e10].entries())
      rows.push(`${N},${D},${(k + 1) * 1000},${1.7 + 400 / N ** 0.34 + 2000 / D ** 0.36}`);
  const data = parseRuns(rows.join('\n'), { source: 'steps.csv' });
  const fitted = fit(chinchilla, data);
  const named = analyse(data, fitted, undefined, {
    targets: [1e21],
    ...only,
    optionName: (o) => `scalelab fit --${o}`,
  });
  assert.ok(
    named.warnings.some((w) => w.includes('map one with scalelab fit --columns run=NAME')),
    named.warnings.join('\n'),
  );
  assert.ok(!named.warnings.some((w) => w.includes('option "')), named.warnings.join('\n'));
  // Without a namer the library's words stay (the web app's).
  const plain = analyse(data, fitted, undefined, { targets: [1e21], ...only });
  assert.ok(
    plain.warnings.some((w) => w.includes('option "columns" run=NAME')),
    plain.warnings.join('\n'),
  );
});

test('the HTML report\'s Trust table names a fit warning\'s option as the Warnings list does (not option "columns")', () => {
  const rows = ['N,D,step,loss'];
  for (const N of [1e7, 3e7, 1e8, 3e8])
    for (const [k, D] of [2e9, 6e9, 2e10].entries())
      rows.push(`${N},${D},${(k + 1) * 1000},${1.7 + 400 / N ** 0.34 + 2000 / D ** 0.36}`);
  const data = parseRuns(rows.join('\n'), { source: 'steps.csv' });
  const optionName = (o: string) => `scalelab fit --${o}`;
  const a = analyse(data, fit(chinchilla, data), undefined, { targets: [1e21], ...only, optionName });
  const trust = (html: string) => /<section id="trust">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
  const named = trust(reportHtml(a, {}, { optionName }));
  assert.ok(named.includes('map one with scalelab fit --columns run=NAME'), named);
  assert.doesNotMatch(named, /option &quot;|option "/);
  // Without a namer the library's words stay.
  assert.ok(trust(reportHtml(a, {})).includes('option &quot;columns&quot; run=NAME'), trust(reportHtml(a, {})));
});
