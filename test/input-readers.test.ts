/**
 * Readers of files other than runs files refuse bad input as the runs reader does: one line naming the
 * file, line and column and what was expected, exit 2 — never a curve "failed" with exit 0, a value
 * silently read as another, a UTF-16 file misread as malformed CSV, or a JSON error without its place.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scalelab, root } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-input-readers-'));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The one error line of a refused command (exit 2), checked to be one line. */
function refused(args: string[]): string {
  const r = scalelab(args);
  assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\bat .*\.ts:\d+|internal error/);
  return lines[0];
}

const curvesHeader = 'Domain,Task,Model,Seen Examples,Loss,Training';
/** A small curves benchmark: two curves of seven points, the last two of each held out. */
function curvesCsv(change: (rows: string[][]) => void = () => {}): string {
  const rows: string[][] = [];
  for (const model of ['a', 'b'])
    for (let i = 1; i <= 7; i++) rows.push(['NMT', 'ppl', model, String(1e5 * 2 ** i), String(1 + 2 * i ** -0.5), i <= 5 ? '1' : '0']);
  change(rows);
  return [curvesHeader, ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

test('curves: x and loss must be positive and the split 0 or 1, at the file, line and column', () => {
  const ok = scalelab(['curves', file('ok.csv', curvesCsv()), '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  for (const [name, col, value, expected] of [
    ['x-negative', 3, '-5', /:3:4 \(column "Seen Examples"\): expected a positive number, got "-5"$/],
    ['x-zero', 3, '0', /:3:4 \(column "Seen Examples"\): expected a positive number, got "0"$/],
    ['y-negative', 4, '-5', /:3:5 \(column "Loss"\): expected a positive number, got "-5"$/],
    ['split-7', 5, '7', /:3:6 \(column "Training"\): expected 0 or 1 \(1 = fit, 0 = predict\), got "7"$/],
    ['name-nul', 0, 'N\0MT', /:3:2: binary data \(a NUL byte\): expected a CSV of learning curves/],
    ['name-control', 0, 'N\x01MT', /:3:1 \(column "Domain"\): expected a name without control characters .*, got "N\\u0001MT"$/],
  ] as const) {
    const path = file(`${name}.csv`, curvesCsv((rows) => (rows[1][col] = value)));
    assert.match(refused(['curves', path]), expected, name);
  }
  const utf16 = file('utf16.csv', Buffer.from(`\ufeff${curvesCsv()}`, 'utf16le'));
  assert.match(refused(['curves', utf16]), /utf16\.csv:1:1: the file looks like UTF-16 text; expected .* in UTF-8/);
});

test('mup coord: a width or value that is not positive is refused at its line and column; UTF-16 is named', () => {
  const coord = (rows: string) => file('coord.csv', `layer,width,value\n${rows}`);
  assert.match(
    refused(['mup', 'coord', coord('attn,64,1.0\nattn,-64,2.0\nattn,128,3\n')]),
    /coord\.csv:3:2 \(column "width"\): expected a positive number, got "-64"$/,
  );
  assert.match(
    refused(['mup', 'coord', coord('attn,64,1.0\nattn,128,0\n')]),
    /coord\.csv:3:3 \(column "value"\): expected a positive number, got "0"$/,
  );
  const utf16 = file('coord16.csv', Buffer.from('\ufefflayer,width,value\nattn,64,1.0\nattn,128,2.0\n', 'utf16le'));
  assert.match(refused(['mup', 'coord', utf16]), /coord16\.csv:1:1: the file looks like UTF-16 text/);
  const good = scalelab(['mup', 'coord', coord('attn,64,1.0\nattn,128,2.0\nattn,256,4.0\n'), '--json']);
  assert.equal(good.code, 0, good.stderr);
  assert.ok(Math.abs(good.json().layers[0].slope - 1) < 1e-9);
});
