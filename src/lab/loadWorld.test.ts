import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultWorldPath, loadWorld } from './loadWorld.js';
import { parseWorld } from './world.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-world-'));
const text = readFileSync(defaultWorldPath, 'utf8');

/** The default world with `from` replaced by `to`, written to a file, and the error loading it gives. */
function errorOf(from: string, to: string): string {
  assert.ok(text.includes(from), from);
  const path = join(dir, 'world.json');
  writeFileSync(path, text.replace(from, to));
  try {
    loadWorld(path);
  } catch (e) {
    return (e as Error).message.replace(path, 'world.json');
  }
  return '';
}

test('the default world loads', () => {
  assert.equal(loadWorld().law.alpha, 0.34);
});

test('a world field no rule reads is refused by name and place, with the known field nearest it', () => {
  assert.match(
    errorOf('"alpha": 0.34', '"alpah": 0.34'),
    /^world\.json:5:\d+: invalid world: unknown field "law\.alpah" \(did you mean "alpha"\?\); expected "law" to have "E", "A", "B", "alpha", "beta"/,
  );
  assert.match(
    errorOf('"seed": 20261128,', '"seed": 20261128, "colour": "blue",'),
    /^world\.json:4:\d+: invalid world: unknown field "colour"; expected "name", "description", "seed", "law"/,
  );
  // Not only at the top: every object of the world is checked.
  assert.match(errorOf('"ffnRatio": 4', '"ffnRatio": 4, "ffn_ratio": 4'), /unknown field "architecture\.ffn_ratio"/);
});

test('a world value outside its physical range (alpha = 1e308) is refused, located, with the range and why', () => {
  const alpha = errorOf('"alpha": 0.34', '"alpha": 1e308');
  assert.match(
    alpha,
    /^world\.json:5:\d+: invalid world: field "law\.alpha": expected a number in \(0, 2\] \(an exponent in N; published ones are 0\.05–0\.8\)$/,
  );
  // The column is the value's own.
  const line = text.split('\n')[4];
  assert.equal(alpha.split(':')[2], String(line.indexOf('0.34') + 1));
  assert.match(errorOf('"E": 1.85', '"E": 400'), /field "law\.E": expected a number in \(0, 20\]/);
  assert.match(
    errorOf('"seedSigma": 0.004', '"seedSigma": 4'),
    /field "noise\.seedSigma": expected a number in \[0, 1\]/,
  );
  assert.match(errorOf('"divergeFactor": 8', '"divergeFactor": 1'), /field "learningRate\.divergeFactor"/);
});

test('parseWorld without the text still names the field', () => {
  const world = JSON.parse(text) as { law: Record<string, number> };
  world.law.beta = -1;
  assert.throws(() => parseWorld(world, 'w.json'), /w\.json: invalid world: field "law\.beta": expected a number/);
});
