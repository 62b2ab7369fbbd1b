// --out names that say a format: a command writes what its name says or refuses it before any work
// (fit --out fit.csv used to write JSON into a .csv file); a name without an ending is written as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, scalelab } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-out-names-'));

test('fit --out fit.csv is refused naming JSON and the .json name, before the fit; no ending still writes the fit', () => {
  const csv = join(dir, 'fit.csv');
  const r = scalelab(['fit', 'examples/chinchilla.csv', '--init', 'hoffmann', '--out', csv]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(
    r.stderr.trim(),
    `scalelab: error: --out ${csv}: the name says CSV, but the fit is written as JSON: expected a .json file name (--out ${join(dir, 'fit.json')})`,
  );
  assert.ok(noStackTrace(r.stderr));
  assert.ok(!existsSync(csv));
  const bare = join(dir, 'fit');
  const ok = scalelab(['fit', 'examples/chinchilla.csv', '--init', 'hoffmann', '--out', bare, '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(readFileSync(bare, 'utf8')).scalelab.kind, 'fit');
});

test('every other JSON, HTML or Markdown --out refuses a name saying another format', () => {
  const cases: [string[], RegExp][] = [
    [
      ['sweep', 'plan', '--out', join(dir, 'plan.csv')],
      /the sweep plan is written as JSON: expected a \.json file name/,
    ],
    [
      ['backtest', 'examples/chinchilla.csv', '--out', join(dir, 'b.md')],
      /the name says Markdown, but the back-test is written as JSON/,
    ],
    [
      ['curve-law', 'fit', 'examples/studies/moby-curves/runs/d32-constant', '--out', join(dir, 'c.csv')],
      /the curve-law fit is written as JSON/,
    ],
    [
      ['downstream', 'fit', 'examples/downstream/olmo-ladder/ladder.json', '--out', join(dir, 'd.html')],
      /the name says HTML, but the analysis is written as JSON/,
    ],
    [
      ['downstream', 'report', 'examples/downstream/olmo-ladder/ladder.json', '--out', join(dir, 'd.json')],
      /the report is written as HTML: expected a \.html or \.htm file name/,
    ],
    [
      ['study', 'run', '--out', join(dir, 'study.json'), '--db', join(dir, 'never.db')],
      /the report is written as Markdown \(HTML for a \.html name\): expected a \.md, \.markdown, \.html or \.htm file name \(--out .*study\.md\)/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = scalelab(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
  assert.ok(!existsSync(join(dir, 'never.db')), 'study run refused its --out before opening the store');
});

test('runs export writes JSONL to a .jsonl name without --format; a name saying another format than --format is refused', () => {
  const db = join(dir, 'runs.db');
  assert.equal(scalelab(['runs', 'import', 'examples/chinchilla.csv', '--study', 's', '--db', db]).code, 0);
  const jsonl = join(dir, 'runs.jsonl');
  const r = scalelab(['runs', 'export', '--db', db, '--out', jsonl, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json().format, 'jsonl');
  const lines = readFileSync(jsonl, 'utf8').trim().split('\n');
  assert.equal(JSON.parse(lines[0]).study, 's');
  const clash = scalelab(['runs', 'export', '--db', db, '--format', 'csv', '--out', join(dir, 'again.jsonl')]);
  assert.equal(clash.code, 2);
  assert.match(
    clash.stderr,
    /the name says JSONL, but the export \(--format csv\) is written as CSV: expected a \.csv file name/,
  );
  const json = scalelab(['runs', 'export', '--db', db, '--out', join(dir, 'runs.json')]);
  assert.equal(json.code, 2);
  assert.match(json.stderr, /the name says JSON, but the export \(--format csv\) is written as CSV/);
  const csv = scalelab(['runs', 'export', '--db', db, '--out', join(dir, 'runs.csv'), '--json']);
  assert.equal(csv.code, 0, csv.stderr);
  assert.match(readFileSync(join(dir, 'runs.csv'), 'utf8'), /^study,run,/);
});
