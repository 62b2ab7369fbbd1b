import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scalelab } from './helpers/cli.js';
import { parseBudgets } from '../src/cli/options.js';

// Values that have no meaning are refused at their flag with the valid range (review18, finding 10).

function refused(args: string[], message: RegExp): void {
  const r = scalelab(args);
  assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
  assert.match(r.stderr, message);
}

test('select: an irreducible error of 1 or more, and budgets where the error rate passes 1', () => {
  refused(['select', '--d', '2'], /--d: expected an irreducible error rate from 0 to below 1, got "2"/);
  refused(['select', '--d', '1'], /--d: expected an irreducible error rate from 0 to below 1/);
  refused(
    ['select', '--samples', '1'],
    /--samples: at 1 samples the law's error rate .* comes out above 1 \(11\.48\).* from about 9\.81e6 samples/,
  );
  // Just above the bound every error is at most 1, and the default budgets stay answered.
  const ok = scalelab(['select', '--samples', '9.9e6', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  for (const c of ok.json().tables[0].choices) assert.ok(c.error <= 1, JSON.stringify(c));
  assert.equal(scalelab(['select']).code, 0);
});

test('mup coord: a threshold at or below 0 is refused', () => {
  for (const t of ['-1', '0'])
    refused(
      ['mup', 'coord', 'examples/inputs/activations.csv', '--threshold', t],
      /--threshold: expected a positive slope of ln \|a\| against ln width/,
    );
  assert.equal(scalelab(['mup', 'coord', 'examples/inputs/activations.csv', '--threshold', '0.2']).code, 0);
});

test('bcrit --noise: an EMA weight of 1 (or outside 0…1) is refused', () => {
  refused(
    ['bcrit', 'examples/inputs/grads.csv', '--noise', '--smoothing', '1'],
    /--smoothing: expected an EMA weight on the past from 0 \(no smoothing\) to below 1, got 1 \(1 keeps the first step's estimate/,
  );
  refused(
    ['bcrit', 'examples/inputs/grads.csv', '--noise', '--smoothing', '-0.5'],
    /--smoothing: expected an EMA weight/,
  );
  assert.equal(scalelab(['bcrit', 'examples/inputs/grads.csv', '--noise', '--smoothing', '0']).code, 0);
});

test('budgets given twice are refused where they are parsed (frontier, report)', () => {
  assert.throws(() => parseBudgets('6e18,6e18'), /--budgets: budget 6e18 is given twice; give each budget once/);
  assert.deepEqual(parseBudgets('6e18,1e19'), [6e18, 1e19]);
  refused(
    ['frontier', 'examples/chinchilla.csv', '--bootstrap', '0', '--budgets', '6e18,6e18'],
    /budget 6e18 is given twice/,
  );
});

test('plan: a budget that allocates less than one parameter or one token is refused with the least C', () => {
  refused(
    ['plan', '--C', '1'],
    /--C: C = 1 FLOPs allocates N = 0\.0477 parameters: no model trains on less than one parameter and one token; under law chinchilla that takes C of at least 378 FLOPs/,
  );
  refused(['plan', '--C', '1', '--preset', 'kaplan-2020'], /allocates D = 0\.0647 tokens/);
  assert.equal(scalelab(['plan', '--C', '1e3', '--json']).code, 0);
});
