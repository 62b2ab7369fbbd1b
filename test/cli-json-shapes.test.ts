/**
 * The top-level shape of each --json answer the README's conventions name, pinned: scripts index into
 * it (`.[0].plan`, `.accuracy.tasks`), so a change of shape must be a decision, made here and in the
 * README, never a side effect. The lists print an array; everything else, errors included, an object.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scalelab } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'scalelab-json-shapes-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** 'array' or 'object' (null and scalars are neither: no command prints one). */
function shapeOf(args: string[]): string {
  const r = scalelab([...args, '--json']);
  // Exit 0, or 1 for an answer printed in full (not the case here: every task is answered).
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  const json: unknown = r.json();
  return Array.isArray(json) ? 'array' : json !== null && typeof json === 'object' ? 'object' : typeof json;
}

test('--json: the lists and the per-task downstream analyses print an array, downstream import and report and plan an object, an error an object', () => {
  // A four-size ladder of one task (accuracy from compute; chance 0.25) and a larger target run.
  const acc = (C: number) => 0.25 + 0.75 / (1 + Math.exp(0.8 * (Math.log(1e21) - Math.log(C))));
  const rows = ['run,N,tokens,task,metric,value'];
  for (const N of [7e7, 1.6e8, 4e8, 1e9])
    for (let k = 1; k <= 12; k++) {
      const D = k * 2.5e9 * (N / 7e7) ** 0.5;
      rows.push(`m${N},${N},${D},t,acc,${acc(6 * N * D).toFixed(5)}`);
    }
  for (let k = 1; k <= 6; k++) rows.push(`big,5e9,${k * 2e10},t,acc,${acc(6 * 5e9 * k * 2e10).toFixed(5)}`);
  const file = join(tmp, 'ladder.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const db = join(tmp, 'runs.db');
  const common = [file, '--chance', '0.25', '--target-runs', 'big'];
  const shapes: [string[], string][] = [
    [['downstream', 'import', file, '--db', db], 'object'],
    [['downstream', 'screen', ...common], 'array'],
    [['downstream', 'fit', ...common], 'array'],
    [['downstream', 'backtest', ...common], 'array'],
    [['downstream', 'predict', ...common, '--bootstrap', '0'], 'array'],
    [['downstream', 'plan', ...common, '--target-accuracy', 't=0.6', '--bootstrap', '0'], 'array'],
    [['downstream', 'report', ...common, '--bootstrap', '0', '--out', join(tmp, 'report.html')], 'object'],
    [['plan', '--target-accuracy', 't=0.6', '--downstream', file, '--downstream-bootstrap', '0'], 'object'],
    [['plan', '--C', '1e23'], 'object'],
    [['models'], 'array'],
    [['runs', 'ls', '--db', db], 'array'],
    [['runs', 'ls', '--studies', '--db', db], 'array'],
    [['depth-width', 'examples/inputs/shapes.csv'], 'array'],
  ];
  for (const [args, shape] of shapes) assert.equal(shapeOf(args), shape, args.join(' '));
  // Where the per-task analyses sit inside the objects.
  const report = scalelab([
    'downstream',
    'report',
    ...common,
    '--bootstrap',
    '0',
    '--out',
    join(tmp, 'r.html'),
    '--json',
  ]);
  assert.ok(Array.isArray(report.json().tasks), report.stdout);
  const accuracy = scalelab(['plan', '--target-accuracy', 't=0.6', '--downstream', file, '--json']).json();
  assert.deepEqual(Object.keys(accuracy), ['accuracy']);
  assert.ok(Array.isArray(accuracy.accuracy.tasks));
  // An error is an object, also from a command whose answer is an array.
  const error = scalelab(['downstream', 'screen', join(tmp, 'missing.csv'), '--json']);
  assert.equal(error.code, 2);
  assert.equal(typeof error.json().error.message, 'string');
});
