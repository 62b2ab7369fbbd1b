/**
 * A run that did not record a configuration value an analysis needs (a blank cell, as `runs export` writes
 * for a study's imported runs beside its sweep's) is left out of that analysis, and the analysis says how
 * many: its result is the one without those rows, never a refusal or a value made up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scalelab } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-not-recorded-'));

/** The example with `rows` added after its header's rows, each with a blank where its field is. */
function withBlanks(example: string, rows: string[]): string {
  const file = join(dir, `blank-${example}`);
  writeFileSync(file, readFileSync(join('examples/inputs', example), 'utf8').trimEnd() + '\n' + rows.join('\n') + '\n');
  return file;
}

/** The command's JSON result without its warnings, which are what differs. */
function result(args: string[]): { json: Record<string, unknown>; stderr: string } {
  const r = scalelab([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const json = r.json() as Record<string, unknown>;
  const warnings = JSON.stringify(json).match(/"[^"]*left out of [^"]*"/g) ?? [];
  return {
    json: JSON.parse(
      JSON.stringify(json)
        .replace(/"[^"]*left out of [^"]*",?/g, '')
        .replace(/,\]/g, ']'),
    ),
    stderr: r.stderr + warnings.join('\n'),
  };
}

const cases: { name: string; example: string; rows: string[]; args: (file: string) => string[]; said: RegExp }[] = [
  {
    name: 'hparams --sweep, a run without lr and one without batch',
    example: 'sweep.csv',
    rows: ['1e17,28867513,,65536,4.2', '1e17,28867513,0.00025,,4.2'],
    args: (file) => ['hparams', '--C', '1e21', '--sweep', file, '--bootstrap', '0'],
    said: /2 of 607 runs have no lr \(lr\) and batch \(batch\) recorded \(a blank cell; the first at line 607\): left out of the learning-rate\/batch fit/,
  },
  {
    name: 'mup transfer, a run without width',
    example: 'lr-sweeps.csv',
    rows: [',0.0001,6.0'],
    args: (file) => ['mup', 'transfer', file, '--bootstrap', '0'],
    said: /1 of 52 runs has no width \(width\) and lr \(lr\) recorded \(a blank cell; the first at line 53\): left out of the learning-rate transfer check/,
  },
  {
    name: 'bcrit, a checkpoint without batch',
    example: 'curves.csv',
    rows: ['b65536,,500,4.1'],
    args: (file) => ['bcrit', file, '--bootstrap', '0'],
    said: /1 of 181 rows has no batch \(batch\) recorded \(a blank cell; the first at line 182\): left out of the critical batch from training curves/,
  },
  {
    name: 'depth-width, a run without layers',
    example: 'shapes.csv',
    rows: ['122880000,1600,,2457600000,3.5'],
    args: (file) => ['depth-width', file],
    said: /1 of 10 runs has no width \(width\) and layers \(layers\) recorded \(a blank cell; the first at line 11\): left out of depth versus width/,
  },
];

for (const c of cases)
  test(`${c.name}: left out, counted, and the result is the example's`, () => {
    const file = withBlanks(c.example, c.rows);
    const blank = result(c.args(file));
    const whole = result(c.args(join('examples/inputs', c.example)));
    assert.match(blank.stderr, c.said);
    assert.match(blank.stderr, /blank cells read as not recorded: /);
    assert.deepEqual(
      JSON.parse(JSON.stringify(blank.json).replaceAll(file, 'F')),
      JSON.parse(JSON.stringify(whole.json).replaceAll(join('examples/inputs', c.example), 'F')),
    );
  });
