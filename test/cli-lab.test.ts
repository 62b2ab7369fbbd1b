import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { noStackTrace, scalelab } from './helpers/cli.js';
import { defaultAssetsDir } from '../src/server/webServer.js';
import { writePlan } from './faults/common.js';
import { RunStore } from '../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-cli-lab-'));
const db = join(dir, 'runs.db');

test('runs import: the same runs again as JSONL with D rounded are copies, said and counted, added only with --keep-copies', () => {
  const csv = join(dir, 'copies.csv'),
    jsonl = join(dir, 'copies.jsonl'),
    copiesDb = join(dir, 'copies.db');
  const rows = [1e8, 2e8, 4e8].map((N, i) => ({ N, D: 2e9 * (i + 1) + 123, loss: 3 - i / 10 }));
  writeFileSync(csv, 'N,D,loss\n' + rows.map((r) => `${r.N},${r.D.toPrecision(7)},${r.loss}`).join('\n') + '\n');
  writeFileSync(jsonl, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  // The JSONL's full values first, then the CSV that rounded D to 7 digits: its rows are the stored runs rounded.
  const r = scalelab(['runs', 'import', jsonl, csv, '--db', copiesDb]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /copies\.csv: 0 runs and 0 checkpoints added, 0 already in the store, 3 copies of stored runs not added/,
  );
  assert.match(
    r.stderr,
    /note: .*copies\.csv: 3 rows repeat a run already in the study in N, D, C and loss to the digits the file printed .*line 2 \(stored from .*copies\.jsonl:1\), line 3 .*--keep-copies/,
  );
  const kept = scalelab(['runs', 'import', csv, '--db', copiesDb, '--keep-copies', '--json']);
  assert.equal(kept.code, 0, kept.stderr);
  assert.deepEqual([kept.json().files[0].runs, kept.json().files[0].copies], [3, 0]);
  assert.doesNotMatch(kept.stderr, /repeat a run/);
});

test("runs import says which column it read as each field, what it derived and which it read as nothing (a sheet's params beside model_size)", () => {
  const sheet = join(dir, 'sheet.csv');
  writeFileSync(sheet, 'model_size,params,tokens,final_loss\n125M,1.25e8,2.5B,3.3\n350M,3.5e8,7B,2.9\n');
  const r = scalelab(['runs', 'import', sheet, '--db', join(dir, 'sheet.db')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /sheet\.csv: 2 runs and 0 checkpoints added, 0 already in the store \(study "imported", .*sheet\.db\); read params \(N\), tokens \(D\), final_loss \(loss\), C = 6ND; not read: model_size\n$/,
  );
  assert.equal(r.stderr, '', 'sizes in parameters: no note');
  // Sizes copied in millions and billions (760, 15) are stored as given, and said, as fit says them.
  const millions = join(dir, 'millions.csv');
  writeFileSync(millions, 'params_M,tokens_B,loss\n125,2.5,3.3\n760,15,2.7\n');
  const m = scalelab([
    'runs',
    'import',
    millions,
    '--db',
    join(dir, 'millions.db'),
    '--columns',
    'N=params_M,D=tokens_B',
  ]);
  assert.equal(m.code, 0, m.stderr);
  assert.match(
    m.stderr,
    /^note: the largest N in .*millions\.csv is 760: if that counts parameters in millions or billions, write the suffix \(760M, 760B\)/,
  );
  assert.match(m.stderr, /\nnote: the largest D in .*millions\.csv is 15: if that counts tokens/);
  const again = scalelab(['runs', 'import', sheet, '--db', join(dir, 'sheet.db'), '--json']);
  const file = again.json().files[0];
  assert.deepEqual(
    [file.columns, file.derived, file.unread],
    [{ N: 'params', D: 'tokens', loss: 'final_loss' }, { C: '6ND' }, ['model_size']],
  );
});

test('runs import reads a file whose total_flops column is empty (as before the name was recognised), and says why it is not read', () => {
  const sheet = join(dir, 'empty-flops.csv');
  writeFileSync(sheet, 'N,D,loss,total_flops\n1e8,2e9,3.1,\n2e8,4e9,2.9,n/a\n');
  const r = scalelab(['runs', 'import', sheet, '--db', join(dir, 'empty-flops.db'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const file = r.json().files[0];
  assert.deepEqual(
    [file.runs, file.columns, file.derived, file.unread, file.unreadWhy],
    [
      2,
      { N: 'N', D: 'D', loss: 'loss' },
      { C: '6ND' },
      ['total_flops'],
      { total_flops: 'C: no run has a number there' },
    ],
  );
  const again = scalelab(['runs', 'import', sheet, '--db', join(dir, 'empty-flops.db')]);
  assert.match(again.stdout, /; read N, D, loss, C = 6ND; not read: total_flops \(C: no run has a number there\)\n$/);
});

test('runs import / ls / export: a round trip through the store that "fit" reads', () => {
  const a = scalelab(['runs', 'import', 'examples/chinchilla.csv', '--db', db, '--study', 'chin', '--json']);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.json().files[0].runs, 240);
  const again = scalelab(['runs', 'import', 'examples/chinchilla.csv', '--db', db, '--study', 'chin', '--json']);
  assert.equal(again.json().files[0].runs, 0);
  assert.equal(again.json().files[0].skipped, 240);
  const ls = scalelab(['runs', 'ls', '--db', db, '--study', 'chin', '--json']);
  assert.equal(ls.json().length, 240);
  const out = join(dir, 'export.csv');
  assert.equal(scalelab(['runs', 'export', '--db', db, '--study', 'chin', '--format', 'csv', '--out', out]).code, 0);
  const f = scalelab(['fit', out, '--json']);
  assert.equal(f.code, 0, f.stderr);
  assert.ok(f.json().objective <= 1.0182741e-3, 'the exported runs give the same fit');
  const jsonl = scalelab(['runs', 'export', '--db', db, '--format', 'jsonl', '--study', 'chin']);
  assert.equal(jsonl.stdout.trim().split('\n').length, 240);
  const bad = scalelab(['runs', 'import', join(dir, 'missing.csv'), '--db', db]);
  assert.equal(bad.code, 2);
  assert.ok(noStackTrace(bad.stderr));
});

test("lab truth and lab optimum print the world's noise-free numbers", () => {
  const t = scalelab([
    'lab',
    'truth',
    '--config',
    '{"n_layer": 8, "d_model": 512, "n_heads": 8, "tokens": 2e9, "batch_tokens": 131072, "learning_rate": 0.003, "parametrization": "mup"}',
    '--json',
  ]);
  assert.equal(t.code, 0, t.stderr);
  assert.equal(t.json().truth.N, 12 * 8 * 512 * 512);
  assert.ok(t.json().truth.loss > 2 && t.json().truth.loss < 5);
  const o = scalelab(['lab', 'optimum', '--budget-hours', '1', '--json']);
  assert.equal(o.code, 0, o.stderr);
  assert.ok(o.json().loss < t.json().truth.loss + 1);
  const alias = scalelab(['lab', 'optimum', '--budget', '1', '--json']);
  assert.equal(alias.code, 0, alias.stderr);
  assert.deepEqual(alias.json(), o.json(), '--budget is --budget-hours');
  assert.equal(scalelab(['lab', 'optimum', '--json']).code, 2, 'a budget is required');
  const v = scalelab([
    'lab',
    'truth',
    '--config',
    '{"n_layer": 8, "d_model": 512, "n_heads": 8, "tokens": 2e9, "batch_tokens": 131072, "learning_rate": 0.003, "parametrization": "mup", "vocab": 128000, "seq_len": 2048}',
    '--json',
  ]);
  assert.deepEqual([v.json().config.vocab, v.json().config.seq_len], [128000, 2048]);
  assert.ok(v.json().cost.seconds > t.json().cost.seconds, 'a larger vocabulary costs more');
  const bad = scalelab(['lab', 'truth', '--config', '{"n_layer": 8}']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /invalid training config: field "d_model"/);
  // A misspelt optional field is refused: left to its default, it gave standard parametrisation's loss unsaid.
  const spelt = scalelab([
    'lab',
    'truth',
    '--config',
    '{"n_layer": 8, "d_model": 512, "n_heads": 8, "tokens": 2e9, "batch_tokens": 131072, "learning_rate": 0.003, "parametrisation": "mup"}',
  ]);
  assert.equal(spelt.code, 2, spelt.stdout);
  assert.match(
    spelt.stderr,
    /--config: unknown field "parametrisation" in the training config; did you mean parametrization\?/,
  );
  assert.ok(noStackTrace(spelt.stderr), spelt.stderr);
  const file = join(dir, 'config.json');
  writeFileSync(file, '[1, 2]');
  const list = scalelab(['lab', 'truth', '--config', file]);
  assert.equal(list.code, 2);
  assert.match(list.stderr, /config\.json: expected a training config: a JSON object of fields/);
});

test('sweep plan fits the experiment budget; sweep run executes it on the sim backend and resumes as a no-op', () => {
  const plan = join(dir, 'plan.json');
  const p = scalelab(['sweep', 'plan', '--target-hours', '24', '--experiment-hours', '4', '--out', plan, '--json']);
  assert.equal(p.code, 0, p.stderr);
  assert.ok(p.json().seconds.total <= 4 * 3600 * 1.001);
  const runs = p.json().probe.length + p.json().isoflop.length;
  const r = scalelab(['sweep', 'run', plan, '--study', 'sw', '--backend', 'sim', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json().total, runs);
  assert.ok(r.json().done >= runs - 1, 'at most the diverging probe run fails');
  const again = scalelab(['sweep', 'run', plan, '--study', 'sw', '--backend', 'sim', '--db', db, '--json']);
  assert.equal(again.json().total, runs, 'nothing planned twice');
  // Its one failure is the diverged probe, which a retry would only diverge again: no retry hint.
  const text = scalelab(['sweep', 'run', plan, '--study', 'sw', '--backend', 'sim', '--db', db]);
  assert.match(text.stdout, /1 failed \(a learning-rate probe run that diverged/);
  assert.doesNotMatch(text.stdout, /sweep retry/);
  const status = scalelab(['sweep', 'status', '--study', 'sw', '--db', db, '--json']);
  assert.equal(status.json().counts.completed + (status.json().counts.failed ?? 0), runs);
  // A failed run that is a diverged probe is said to be one, as sweep run says it, not left as a bare failure.
  // (The sim's world is deterministic: its largest probe rate diverges, the one failure.)
  assert.equal(status.json().probeDiverged, 1);
  assert.equal(status.json().counts.failed, 1);
  assert.match(
    scalelab(['sweep', 'status', '--study', 'sw', '--db', db]).stdout,
    /, 1 failed \(a learning-rate probe run that diverged, as a probe's largest rates should\); /,
  );
  writeFileSync(join(dir, 'notaplan.json'), '{"kind": "x"}');
  const bad = scalelab(['sweep', 'run', join(dir, 'notaplan.json'), '--study', 'x', '--db', db]);
  assert.match(bad.stderr, /not a sweep plan/);
});

test('study run on the sim backend: the loop in one command, with the regret in the report', () => {
  const out = join(dir, 'report.md');
  const r = scalelab([
    'study',
    'run',
    '--backend',
    'sim',
    '--target-hours',
    '48',
    '--experiment-hours',
    '12',
    '--db',
    db,
    '--study',
    'loop',
    '--bootstrap',
    '40',
    '--out',
    out,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json();
  assert.ok(j.truth.regret < 0.01);
  assert.ok(Math.abs(j.truth.predictionError) < 0.02);
  assert.match(readFileSync(out, 'utf8'), /Regret: \d+\.\d\d % above the optimum/);
  for (const cmd of [
    ['runs', 'import'],
    ['lab', 'serve'],
    ['sweep', 'plan'],
    ['study', 'run'],
  ])
    assert.equal(scalelab([...cmd, '--help']).code, 0);
});

test('a server whose port is taken says so and what to do (serve and lab serve share the message)', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as AddressInfo).port;
  try {
    // Exit 1, as a busy store: the command and its values are right, the machine's state stops it (README's exit codes).
    // serve checks for the built web app first: without web/dist it stops there, before listening.
    const built = existsSync(join(defaultAssetsDir(), 'index.html'));
    for (const r of [
      scalelab(['lab', 'serve', '--port', String(port), '--state', join(dir, 'taken.db')]),
      ...(built ? [scalelab(['serve', '--port', String(port), '--db', join(dir, 'taken-serve.db')])] : []),
    ]) {
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `cannot listen on 127\\.0\\.0\\.1:${port}: port ${port} is in use \\(another server, or an earlier one still running\\): give --port N, or --port 0 for a free one`,
        ),
      );
      assert.ok(noStackTrace(r.stderr));
    }
  } finally {
    taken.close();
  }
});

test("runs import says which columns it read but does not keep (batch, width, layers; an unnamed run's lr): runs export does not write them back", () => {
  const file = join(dir, 'hp.csv');
  writeFileSync(
    file,
    'N,D,loss,batch_tokens,learning_rate,d_model\n1e8,2e9,3.1,2048,0.003,512\n2e8,4e9,2.9,4096,0.002,768\n',
  );
  const hpDb = join(dir, 'hp.db');
  const r = scalelab(['runs', 'import', file, '--db', hpDb]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /; not kept in the store: batch_tokens \(batch\), d_model \(width\), learning_rate \(lr\) \(it keeps N, D, C, loss, group, run, step, lineage and state\), so runs export does not write them back/,
  );
  const j = scalelab(['runs', 'import', file, '--db', hpDb, '--study', 'b', '--json']);
  assert.deepEqual(j.json().files[0].notStored, ['batch_tokens (batch)', 'd_model (width)', 'learning_rate (lr)']);
  // What the note says: the export has none of them.
  const exported = scalelab(['runs', 'export', '--db', hpDb, '--study', 'b']);
  assert.equal(exported.stdout.split('\n')[0], 'study,run,N,D,C,loss,group,status');
  // A file of only what the store keeps says nothing of it.
  const plain = scalelab(['runs', 'import', 'examples/chinchilla.csv', '--db', hpDb, '--study', 'c', '--json']);
  assert.equal(plain.json().files[0].notStored, undefined);
});

test('runs export writes its columns in one order whichever run comes first (a first run planned without a parametrization)', () => {
  // The header is every row's columns (see the test after this one); taken in the order rows were met, a
  // column the first run lacked came last, so a script reading by position read another column.
  const orderDb = join(dir, 'order.db');
  const store = RunStore.open(orderDb);
  const config = { n_layer: 2, d_model: 64, n_heads: 1, batch_tokens: 4096, learning_rate: 1e-3, seed: 0 };
  for (const [study, first] of [
    ['plain-first', false],
    ['mup-first', true],
  ] as const) {
    const planned = store.plan(
      study,
      [first, !first].map((mup, i) => ({
        key: `k${i}`,
        name: `r${i}`,
        phase: 'isoflop',
        config: mup ? { ...config, parametrization: 'mup' } : config,
        N: 1e5 * (i + 1),
        D: 3e6,
        C: 6 * 1e5 * (i + 1) * 3e6,
        estimatedSeconds: 1,
      })),
    );
    for (const r of planned) assert.ok(store.finish(r.id, { status: 'completed', loss: 4 - r.N! / 1e6, seconds: 1 }));
  }
  store.close();
  const header = (study: string) => {
    const r = scalelab(['runs', 'export', '--db', orderDb, '--study', study]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n')[0];
  };
  const expected =
    'study,run,N,D,C,loss,group,status,n_layer,d_model,n_heads,batch_tokens,learning_rate,parametrization,seed';
  assert.equal(header('mup-first'), expected);
  assert.equal(header('plain-first'), expected);
});

test("runs export of a study whose first run was imported, beside a sweep's runs, writes the sweep runs' configuration (not the first row's columns only)", () => {
  // Found by the chaos test (test/faults/chaos.test.ts): an import into a sweep's study before its sweep ran.
  const mixDb = join(dir, 'mix.db');
  const file = join(dir, 'mix.csv');
  writeFileSync(file, 'run,N,D,loss\nx1,1e8,2e9,3.1\n');
  assert.equal(scalelab(['runs', 'import', file, '--db', mixDb, '--study', 'm']).code, 0);
  const plan = writePlan(join(dir, 'mix-plan.json'), [0, 1]);
  const swept = scalelab(['sweep', 'run', plan, '--study', 'm', '--backend', 'sim', '--db', mixDb, '--json']);
  assert.equal(swept.code, 0, swept.stderr);
  for (const format of ['csv', 'jsonl']) {
    const exported = scalelab(['runs', 'export', '--db', mixDb, '--study', 'm', '--format', format]);
    assert.equal(exported.code, 0, exported.stderr);
    const lines = exported.stdout.trim().split('\n');
    if (format === 'jsonl') {
      assert.deepEqual(
        lines.map((l) => (JSON.parse(l) as { n_layer?: number }).n_layer),
        [undefined, 2, 2],
        'each run its own configuration',
      );
      continue;
    }
    // Before: the header was the imported run's (study,run,N,D,C,loss,group,status), the sweep's n_layer … gone.
    assert.equal(lines[0], 'study,run,N,D,C,loss,group,status,n_layer,d_model,n_heads,batch_tokens,learning_rate,seed');
    assert.match(lines[1], /^m,x1,100000000,2000000000,1200000000000000000,3\.1,,completed,,,,,,$/);
    assert.match(
      lines[2],
      /^m,isoflop-[0-9a-f]{8},98304,3000000,1769472000000,[0-9.]+,isoflop,completed,2,64,1,4096,0\.001,[01]$/,
    );
  }
});
