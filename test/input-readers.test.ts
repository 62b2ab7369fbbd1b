/**
 * Readers of files other than runs files refuse bad input as the runs reader does: one line naming the
 * file, line and column and what was expected, exit 2 — never a curve "failed" with exit 0, a value
 * silently read as another, a UTF-16 file misread as malformed CSV, or a JSON error without its place.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
    for (let i = 1; i <= 7; i++)
      rows.push(['NMT', 'ppl', model, String(1e5 * 2 ** i), String(1 + 2 * i ** -0.5), i <= 5 ? '1' : '0']);
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
    [
      'name-control',
      0,
      'N\x01MT',
      /:3:1 \(column "Domain"\): expected a name without control characters .*, got "N\\u0001MT"$/,
    ],
  ] as const) {
    const path = file(
      `${name}.csv`,
      curvesCsv((rows) => (rows[1][col] = value)),
    );
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

/** A fit of the bundled data, written as `fit --out` writes it. */
function fitFile(): string {
  const path = join(dir, 'fit.json');
  const r = scalelab(['fit', join(root, 'examples/chinchilla.csv'), '--out', path]);
  assert.equal(r.code, 0, r.stderr);
  return readFileSync(path, 'utf8');
}

test('JSON files other than runs files: a syntax error, UTF-16 or a NUL is one line at its line and column', () => {
  const fit = fitFile();
  const lines = fit.trimEnd().split('\n');
  // A trailing comma before the last "}": at the "}".
  const comma = file('fit-comma.json', `${lines.slice(0, -1).join('\n')},\n}\n`);
  assert.match(
    refused(['predict', '--fit', comma, '--N', '1e9', '--D', '2e10']),
    new RegExp(
      `fit-comma\\.json:${lines.length}:1: malformed JSON: expected a key in double quotes .*; expected a fit`,
    ),
  );
  const comment = file('fit-comment.json', `// my fit\n${fit}`);
  assert.match(
    refused(['predict', '--fit', comment, '--N', '1e9', '--D', '2e10']),
    /fit-comment\.json:1:1: malformed JSON: a comment/,
  );
  const utf16 = file('fit-utf16.json', Buffer.from(`\ufeff${fit}`, 'utf16le'));
  assert.match(
    refused(['predict', '--fit', utf16, '--N', '1e9', '--D', '2e10']),
    /fit-utf16\.json:1:1: the file looks like UTF-16 text/,
  );
  const nul = file('fit-nul.json', `${fit.slice(0, 40)}\0\n\ufffd${fit.slice(40)}`);
  assert.match(refused(['plan', '--fit', nul, '--C', '1e21']), /fit-nul\.json:\d+:\d+: binary data \(a NUL byte\)/);

  // curve-law's inputs: --schedules, --curve-fit, a trainer's metrics.jsonl.
  const schedules = file('schedules.json', '{\n  "a": {"kind": "constant", "peakLr": 0.003, "steps": 1000},\n}\n');
  assert.match(
    refused(['curve-law', 'fit', join(root, 'examples/curve-laws/gemstones-wsd'), '--schedules', schedules]),
    /schedules\.json:3:1: malformed JSON: expected a key in double quotes .*; expected an object mapping run names to schedules/,
  );
  const curveFit = file('curve-fit.json', '{"kind": "scalelab-curve-fit", "fits": [}');
  assert.match(
    refused([
      'curve-law',
      'predict',
      '--curve-fit',
      curveFit,
      '--schedule',
      'constant',
      '--steps',
      '10',
      '--peak-lr',
      '0.001',
    ]),
    /curve-fit\.json:1:41: malformed JSON: .*; expected a curve-law fit/,
  );
});

test("a trainer's metrics.jsonl: a malformed line is located at its line and column", () => {
  const run = join(dir, 'run-b');
  mkdirSync(run, { recursive: true });
  const schedule = '"schedule": {"kind": "constant", "peakLr": 0.003, "steps": 1000}';
  writeFileSync(
    join(run, 'metrics.jsonl'),
    `{"step": 1, "tokens": 100, "val_loss": 3.0, ${schedule}}\n{"step": 2, "tokens": 200, "val_loss": 2.9,}\n`,
  );
  assert.match(
    refused(['curve-law', 'fit', run]),
    /run-b\/metrics\.jsonl:2:44: malformed JSON: expected a key in double quotes .*; expected a JSON object \{"tokens": …, "val_loss": …\}/,
  );
});
