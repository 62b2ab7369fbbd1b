import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, scalelab } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-hparams-'));

test('bcrit --loss 3 uses Kaplan\'s preset and says so', () => {
  const r = scalelab(['bcrit', '--loss', '3', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Math.abs(r.json().bCrit / 1.12257e6 - 1) < 1e-4);
  assert.match(r.json().source, /preset kaplan-2020: Kaplan et al\. 2020/);
});

test('bcrit FILE fits the trade-off; one batch size and unreachable targets are located errors', () => {
  const rows = ['run,batch,step,loss'];
  for (const B of [64, 256, 1024]) for (let s = 1; s <= 40; s++) rows.push(`b${B},${B},${s * 100},${(3 + 200 / (s * 100 * (1 + 0 * B)) + 1000 / (s * 100 * B)).toFixed(6)}`);
  const file = join(dir, 'curves.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const ok = scalelab(['bcrit', file, '--targets', '3.2,3.1', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.json().fits.length, 2);
  const never = scalelab(['bcrit', file, '--targets', '2']);
  assert.equal(never.code, 2);
  assert.match(never.stderr, /target loss 2 is never reached by any run/);
  const single = join(dir, 'single.csv');
  writeFileSync(single, 'run,batch,step,loss\na,64,1,4\na,64,2,3.5\n');
  const one = scalelab(['bcrit', single]);
  assert.equal(one.code, 2);
  assert.match(one.stderr, /single\.csv:2 \(column "batch"\): all runs use one batch size \(64\)/);
  assert.ok(noStackTrace(one.stderr) && noStackTrace(never.stderr));
});

test('hparams --compute 1e20 gives DeepSeek\'s B_opt and η_opt with the citation', () => {
  const r = scalelab(['hparams', '--compute', '1e20', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Math.abs(r.json().batchTokens / 1.01714e6 - 1) < 5e-4);
  assert.ok(Math.abs(r.json().learningRate / 9.86e-4 - 1) < 1e-3);
  assert.match(r.json().source, /preset deepseek-2024/);
  const porian = scalelab(['hparams', '--compute', '1e20', '--preset', 'porian-2024']);
  assert.match(porian.stderr, /preset porian-2024 is a law in N: give --params/);
});

test('mup prints the multipliers; mup transfer reads sweeps; plan includes learning rate and batch', () => {
  const t = scalelab(['mup', '--base-width', '256', '--width', '4096', '--json']);
  assert.equal(t.code, 0, t.stderr);
  assert.equal(t.json().groups.find((g: { group: string }) => g.group === 'hidden').mup.learningRate, 6.25e-4);
  const rows = ['width,lr,loss'];
  for (const w of [256, 512, 1024]) for (const lr of [1e-3, 2e-3, 4e-3, 8e-3, 1.6e-2]) rows.push(`${w},${lr},${3 + 0.05 * Math.log(lr / 4e-3) ** 2}`);
  const file = join(dir, 'lr.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const tr = scalelab(['mup', 'transfer', file, '--bootstrap', '0', '--json']);
  assert.equal(tr.code, 0, tr.stderr);
  assert.ok(Math.abs(tr.json().slope) < 1e-6);
  const p = scalelab(['plan', '--compute', '1e24', '--json']);
  assert.ok(p.json().recommendation.hyperparameters.learningRate > 0);
  assert.match(p.json().recommendation.hyperparameters.source, /deepseek-2024/);
  for (const cmd of [['bcrit'], ['hparams'], ['mup', 'transfer'], ['mup', 'coord']]) assert.equal(scalelab([...cmd, '--help']).code, 0);
});
