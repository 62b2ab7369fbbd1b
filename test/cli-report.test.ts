import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, scalelab } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-report-'));

test('scalelab report writes one self-contained HTML file with every section and inline SVG figures', () => {
  const out = join(dir, 'report.html');
  const r = scalelab([
    'report',
    'examples/chinchilla.csv',
    '--budgets',
    'chinchilla',
    '--targets',
    '1e23,1e24',
    '--bootstrap',
    '30',
    '--out',
    out,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json().figures, ['loss', 'isoflop', 'frontier', 'residuals', 'backtest', 'landmarks']);
  const html = readFileSync(out, 'utf8');
  for (const id of ['data', 'fit', 'approaches', 'plan', 'backtest', 'landmarks', 'warnings', 'figures'])
    assert.ok(html.includes(`<section id="${id}">`), id);
  assert.equal((html.match(/<svg /g) ?? []).length, 6);
  assert.ok(!/<script|<link|src="http|href="http/i.test(html), 'opens with no network');
});

test('scalelab plot writes SVG and PNG; a kind the data cannot support is a clear error', () => {
  const svg = join(dir, 'loss.svg');
  const loss = scalelab(['plot', 'loss', 'examples/chinchilla.csv', '--out', svg, '--bootstrap', '0', '--json']);
  assert.equal(loss.code, 0, loss.stderr);
  assert.match(readFileSync(svg, 'utf8'), /^<svg /);
  // A loss curve needs neither the IsoFLOP approaches nor a back-test: neither runs, nor warns.
  const said = JSON.stringify(loss.json().warnings);
  assert.doesNotMatch(said, /approach 2|back-test/, said);
  const bt = scalelab([
    'plot',
    'backtest',
    'examples/chinchilla.csv',
    '--out',
    join(dir, 'bt.svg'),
    '--bootstrap',
    '0',
    '--json',
  ]);
  assert.equal(bt.code, 0, bt.stderr);
  assert.match(JSON.stringify(bt.json().warnings), /back-test: auto, fitted below each cutoff/);
  const png = join(dir, 'iso.png');
  assert.equal(scalelab(['plot', 'isoflop', 'examples/cs336-isoflops.json', '--out', png, '--bootstrap', '0']).code, 0);
  assert.deepEqual([...readFileSync(png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const bad = scalelab(['plot', 'loss', 'examples/chinchilla.csv', '--out', join(dir, 'x.gif')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--out: expected a \.svg or \.png file name/);
  const kind = scalelab(['plot', 'pie', 'examples/chinchilla.csv', '--out', svg]);
  assert.match(kind.stderr, /KIND: invalid value "pie"/);
  assert.ok(noStackTrace(bad.stderr) && noStackTrace(kind.stderr));
});

test("study run --out report.html uses the same report, with the study's sections and regret", () => {
  const out = join(dir, 'study.html');
  const r = scalelab([
    'study',
    'run',
    '--backend',
    'sim',
    '--db',
    join(dir, 'runs.db'),
    '--bootstrap',
    '0',
    '--out',
    out,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  for (const id of ['study', 'recommendation', 'fit', 'figures']) assert.ok(html.includes(`<section id="${id}">`), id);
  assert.match(html, /Regret \d+\.\d\d %/);
});
