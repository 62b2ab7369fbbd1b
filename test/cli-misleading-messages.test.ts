import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scalelab } from './helpers/cli.js';
import { checkFiniteText } from '../src/cli/output.js';

// Messages that named the wrong cause (review18, finding 9): each now names the real one.

test('bcrit from flags alone: an overflowing L^(1/α_B) is named as such, not blamed on data', () => {
  const r = scalelab(['bcrit', '--target-loss', '0.0001', '--alpha-b', '0.01']);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /B_crit overflows: B\* \/ L\^\(1\/α_B\) with L = 1e-4 and α_B = 0\.01 takes L to the power 100/,
  );
  assert.doesNotMatch(r.stderr, /identical runs|these data/);
});

test('the non-finite backstop quotes whole words and, with no data file, does not blame data', () => {
  const text = `${'word '.repeat(30)}B_crit = Infinity tokens ${'sesquipedalian '.repeat(10)}\n`;
  assert.throws(
    () => checkFiniteText(text),
    (e: Error) =>
      /\(Infinity in "… (word )+B_crit = Infinity tokens (sesquipedalian )*…"\): the values given do not determine it/.test(
        e.message,
      ) && !/identical runs/.test(e.message),
  );
  assert.throws(
    () => checkFiniteText('loss = NaN\n', 'runs.csv'),
    (e: Error) => /^runs\.csv: .*\(NaN in "loss = NaN"\): these data do not determine it/.test(e.message),
  );
});

test('repetition: a budget too small for the search is refused at --C, and a search edge with the cap not binding names --C', () => {
  const tiny = scalelab(['repetition', '--C', '1', '--unique-tokens', '1e9']);
  assert.equal(tiny.code, 2);
  assert.match(tiny.stderr, /--C 1 FLOPs is too small for the search: .*at least 6e12 FLOPs/);
  const edge = scalelab(['repetition', '--C', '6e12', '--unique-tokens', '1e9']);
  assert.equal(edge.code, 0, edge.stderr);
  assert.match(edge.stdout, /with C = 6e12 FLOPs the law has no optimum inside it .* do not bind; check --C/);
  assert.doesNotMatch(edge.stdout, /check --unique-tokens/);
});

test('plot landmarks with an empty --landmarks list says the list is empty', () => {
  for (const list of [',,', '']) {
    const r = scalelab(['plot', 'landmarks', 'examples/chinchilla.csv', '--out', 'never.svg', '--landmarks', list]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--landmarks: expected a comma-separated list of model ids, got an empty list/);
  }
});

test('curve-law schedule --min-lr-frac 1 (no decay) is refused instead of answering a best decay fraction', () => {
  const r = scalelab([
    'curve-law',
    'schedule',
    '--curve-fit',
    'examples/studies/moby-curves/fit-multi-power.json',
    '--N',
    '25472',
    '--steps',
    '2000',
    '--peak-lr',
    '1',
    '--min-lr-frac',
    '1',
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--min-lr-frac 1 ends the decay at the peak learning rate, so there is no decay/);
});
