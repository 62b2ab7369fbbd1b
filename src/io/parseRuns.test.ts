import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRuns, parseColumnMapping, runFormatNames, type Field } from './parseRuns.js';
import { InputError } from '../errors/index.js';
import { checkRunSizes, describeColumns, finalCheckpoints, notRecordedNote, unfinishedRuns } from './dataset.js';

const csv =
  (body: string) =>
  (opts = {}) =>
    parseRuns(body, { source: 'runs.csv', ...opts });

/** The error's message, asserting it is an InputError at the given line and column. */
function located(fn: () => unknown, line: number, column?: number): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${e}`);
    assert.equal(e.location.line, line, e.message);
    if (column !== undefined) assert.equal(e.location.column, column, e.message);
    return e.message;
  }
  assert.fail('expected an error');
}

test('parseRuns(csv) reads N, D, C, loss and keeps group, run and step', () => {
  const d = parseRuns('N,D,loss,group,run,step\n1e8,2e9,3.1,a,r1,100\n2e8,4e9,2.9,b,r2,200\n', { source: 'x.csv' });
  assert.equal(d.runs.length, 2);
  assert.deepEqual(d.runs[1], {
    N: 2e8,
    D: 4e9,
    C: 6 * 2e8 * 4e9,
    loss: 2.9,
    group: 'b',
    run: 'r2',
    step: 200,
    line: 3,
  });
  assert.equal(d.derived.C, '6ND');
});

test('parseRuns derives D = C/(6N) when D is absent', () => {
  const d = parseRuns('N,C,loss\n1e9,6e19,2.5\n', { source: 'x.csv' });
  assert.equal(d.runs[0].D, 1e10);
  assert.equal(d.derived.D, 'C/(6N)');
});

test('parseRuns maps columns by flag and by known aliases', () => {
  const body = '"Model Size","Training FLOP",loss\n1e9,6e19,2.5\n';
  const d = parseRuns(body, { source: 'x.csv', columns: parseColumnMapping('N="Model Size",C="Training FLOP"') });
  assert.equal(d.runs[0].D, 1e10);
  assert.deepEqual(d.columns, { N: 'Model Size', C: 'Training FLOP', loss: 'loss' });
  const aliased = parseRuns('[{"parameters": 1e9, "compute_budget": 6e19, "final_loss": 2.5}]', { source: 'x.json' });
  assert.equal(aliased.runs[0].D, 1e10);
});

test('a word in a number column names line, column and the value', () => {
  const msg = located(csv('N,D,loss\n1e8,2e9,3.1\n2e8,4e9,abc\n'), 3, 3);
  assert.equal(msg, 'runs.csv:3:3 (column "loss"): expected a positive number for loss, got "abc"');
});

test('NaN, zero, negative and empty values are refused with their location', () => {
  assert.match(located(csv('N,D,loss\n1e8,NaN,3.1\n'), 2, 2), /expected a positive number for D, got "NaN"/);
  assert.match(located(csv('N,D,loss\n0,2e9,3.1\n'), 2, 1), /got "0" \(N must be > 0\)/);
  assert.match(located(csv('N,D,loss\n1e8,2e9,3.1\n1e8,-2e9,3.1\n'), 3, 2), /got "-2e9"/);
  assert.match(located(csv('N,D,loss\n1e8,,3.1\n'), 2, 2), /got an empty cell/);
  assert.match(located(csv('N,D,loss\n1e8,2e9,Infinity\n'), 2, 3), /got "Infinity"/);
});

test('a missing column is named, with the columns the file has and the flag to map one', () => {
  const msg = located(csv('N,D,val\n1e8,2e9,3.1\n'), 1);
  assert.match(msg, /missing column "loss" .*the file has columns: N, D, val; map one with option "columns" loss=NAME/);
  assert.match(
    located(() => parseRuns('N,loss\n1e8,3\n', { source: 'r.csv', require: ['D'] }), 1),
    /missing column "D" \(or columns C and N, from which D = C\/\(6N\)\)/,
  );
});

test('a row with the wrong number of cells is a located CSV error', () => {
  assert.match(
    located(csv('N,D,loss\n1e8,2e9,3.1\n1e8,2e9\n'), 3),
    /malformed CSV: this line has 2 fields, the header 3 fields; expected one value per column on every line/,
  );
  // A title or comment line above the header becomes a one-field header: said as that, not as counts alone.
  assert.equal(
    located(csv('# my runs\nparams,tokens,loss\n1e8,2e9,3.1\n'), 2),
    'runs.csv:2: malformed CSV: this line has 3 fields, the header 1 field: the first line ("# my runs") is read as the header; expected the column names on the first line (remove a title or comment line above them)',
  );
});

test('unique tokens above total tokens are refused', () => {
  assert.match(
    located(csv('N,D,U,loss\n1e8,2e9,3e9,3.1\n'), 2, 3),
    /unique tokens U = 3000000000 exceed total tokens D = 2000000000/,
  );
});

test("JSON arrays: bad values are located at the value's line and column", () => {
  const body = '[\n  {"N": 1e8, "D": 2e9, "loss": 3.1},\n  {"N": 1e8, "D": "lots", "loss": 3.1}\n]\n';
  assert.equal(
    located(() => parseRuns(body, { source: 'r.json' }), 3, 19),
    'r.json:3:19 (column "D"): expected a positive number for D, got "lots"',
  );
  assert.match(
    located(() => parseRuns('[{"N": 1e8,, "loss": 3}]', { source: 'r.json' }), 1, 12),
    /malformed JSON: expected a key in double quotes/,
  );
  // Said in words, not jsonc-parser's code names (a JSONL line missing its "}" read "CloseBraceExpected").
  const unclosed = located(
    () => parseRuns('{"N": 1e8, "D": 2e9, "loss": 3}\n{"N": 2e8, "D": 4e9, "loss": 2.9\n', { source: 'r.jsonl' }),
    2,
  );
  assert.match(unclosed, /malformed JSON: expected "}" to close the object$/, unclosed);
  assert.doesNotMatch(unclosed, /Expected\b/);
  assert.match(
    located(() => parseRuns('[{"N": 1e8, "D": 1e9, "loss": 3}, {"N": 1e8, "D": 1e9}]', { source: 'r.json' }), 1),
    /has no value for "loss"/,
  );
});

test('JSONL: each line is a run; errors name the line', () => {
  const body = '{"N": 1e8, "D": 2e9, "loss": 3.1}\n\n{"N": 1e8, "D": 2e9, "loss": null}\n';
  assert.equal(
    located(() => parseRuns(body, { source: 'r.jsonl' }), 3, 30),
    'r.jsonl:3:30 (column "loss"): expected a positive number for loss, got null; remove the row (a crashed or diverged run has no loss to fit there), or give the loss',
  );
  const ok = parseRuns('{"N": 1e8, "D": 2e9, "loss": 3.1}\n{"N": 2e8, "D": 2e9, "loss": 3.0}\n', { source: 'r.jsonl' });
  assert.deepEqual(
    ok.runs.map((r) => r.line),
    [1, 2],
  );
});

test('an empty file or a header alone is refused', () => {
  assert.match(
    located(() => parseRuns('N,D,loss\n', { source: 'e.csv' }), undefined as never),
    /no runs in the file/,
  );
  assert.match(
    located(() => parseRuns('', { source: 'e.csv' }), undefined as never),
    /the file is empty/,
  );
});

test('groups keeps one experiment of a mixed export, leaves other rows unvalidated, and says what it kept', () => {
  const text = 'N,D,loss,group\n1e8,2e9,3.1,isoflop\n2e8,oops,2.9,lr-probe\n3e8,4e9,2.8,isoflop\n';
  const d = parseRuns(text, { source: 'x.csv', groups: ['isoflop'] });
  assert.deepEqual(
    d.runs.map((r) => r.line),
    [2, 4],
  );
  assert.equal(d.selection, 'group isoflop: 2 of 3 rows');
  assert.equal(parseRuns(text.replace('oops', '4e9'), { source: 'x.csv' }).selection, undefined);
  assert.match(
    located(() => parseRuns(text, { source: 'x.csv', groups: ['scale-up'] }), 1),
    /no runs in group "scale-up"; the data's groups are "isoflop", "lr-probe"/,
  );
  assert.match(
    located(() => parseRuns('N,D,loss\n1e8,2e9,3\n', { source: 'x.csv', groups: ['isoflop'] }), 1),
    /option "groups" needs a group column/,
  );
});

test('sizes in a file read as on the command line: 70B, 1.4T, 70b; a lowercase m is refused with a hint, located', () => {
  const d = parseRuns('N,D,loss\n70B,1.4T,2.1\n7b,140b,2.4\n', { source: 'runs.csv' });
  assert.deepEqual(
    d.runs.map((r) => [r.N, r.D]),
    [
      [7e10, 1.4e12],
      [7e9, 1.4e11],
    ],
  );
  assert.throws(
    () => parseRuns('N,D,loss\n70m,1e9,2.1\n', { source: 'runs.csv' }),
    (e: InputError) =>
      e.message ===
      'runs.csv:2:1 (column "N"): expected a positive number for N, got "70m" (a lowercase m could mean milli or mega: write 70M for millions, or the number in full (7e7))',
  );
});

test('common column names are read without a mapping; the columns read as nothing are kept for error messages', () => {
  const d = parseRuns('num_parameters,tokens_seen,eval_loss,notes\n1e8,2e9,3.1,first\n', { source: 'mine.csv' });
  assert.deepEqual(d.columns, { N: 'num_parameters', D: 'tokens_seen', loss: 'eval_loss' });
  assert.deepEqual(d.unread, ['notes']);
  assert.deepEqual(parseRuns('num_params,num_tokens,validation_loss\n1e8,2e9,3.1\n', { source: 'm.csv' }).columns, {
    N: 'num_params',
    D: 'num_tokens',
    loss: 'validation_loss',
  });
  // "dataset_size" is not read as D (it often means the unique tokens); with tokens_seen and tokens both, tokens.
  const sized = parseRuns('N,dataset_size,loss\n1e8,2e9,3.1\n', { source: 'm.csv' });
  assert.deepEqual([sized.columns.D, sized.unread], [undefined, ['dataset_size']]);
  assert.equal(parseRuns('N,tokens_seen,tokens,loss\n1e8,1e9,2e9,3.1\n', { source: 'm.csv' }).runs[0].D, 2e9);
  // A tracker's export (Weights & Biases): metric names with a slash, a step with an underscore.
  assert.deepEqual(
    parseRuns('params,tokens,train/loss,eval/loss,_step\n1e8,2e9,3.0,3.1,100\n', { source: 'wandb.csv' }).columns,
    { N: 'params', D: 'tokens', loss: 'eval/loss', step: '_step' },
  );
  assert.equal(parseRuns('N,D,loss\n1e8,2e9,3.1\n', { source: 'm.csv' }).unread, undefined);
});

test("a spreadsheet's and a tracker's other spellings are read: param_count, token_count, total_flops, test_loss; train/loss after a held-out loss, train/lr", () => {
  assert.deepEqual(
    parseRuns('param_count,token_count,total_flops,test_loss\n1e8,2e9,1.2e18,3.1\n', { source: 'sheet.csv' }).columns,
    { N: 'param_count', D: 'token_count', C: 'total_flops', loss: 'test_loss' },
  );
  assert.deepEqual(
    parseRuns('model_params,tokens_trained,final_loss\n1e8,2e9,3.1\n', { source: 'sheet.csv' }).columns,
    { N: 'model_params', D: 'tokens_trained', loss: 'final_loss' },
  );
  // One W&B run's history: its training loss is the loss when it is the only one.
  const wandb = parseRuns('_step,train/loss,train/lr,trainer/global_step\n0,4.1,2e-4,50\n', {
    source: 'history.csv',
  });
  assert.deepEqual(wandb.columns, { loss: 'train/loss', lr: 'train/lr', step: 'trainer/global_step' });
  // Beside a held-out loss, the held-out one is read; beside all parameters, Kaplan's non-embedding count is not.
  assert.equal(parseRuns('N,D,train_loss,val_loss\n1e8,2e9,3.0,3.1\n', { source: 'm.csv' }).columns.loss, 'val_loss');
  assert.equal(parseRuns('non_embedding_params,params,D,loss\n9e7,1e8,2e9,3.1\n', { source: 'm.csv' }).runs[0].N, 1e8);
});

test("a training log's first line is said to be a log line, not a header, with the table to write; a TensorBoard scalar export is told loss=Value", () => {
  const log = 'iter 50: loss 4.1762, time 120.45ms, mfu 31.20%\niter 100: loss 3.8139, time 120.45ms, mfu 31.20%\n';
  assert.throws(
    () => parseRuns(log, { source: 'train.log' }),
    (e: InputError) =>
      e.message ===
      'train.log:1: missing column "loss" (the final loss of each run); the file has columns: iter 50: loss 4.1762, time 120.45ms, mfu 31.20%: the first line reads as a line of a training log, not a header of column names: runs are read from a table (CSV with a header row, a JSON array or JSONL), so write the log\'s values as one, e.g. step,loss,lr',
  );
  assert.throws(
    () => parseRuns('Wall time,Step,Value\n1.7e9,50,4.17\n', { source: 'tb.csv' }),
    (e: InputError) =>
      e.message.endsWith(
        'the file has columns: Wall time, Step, Value; map one with option "columns" loss=NAME (a TensorBoard scalar export\'s value: loss=Value)',
      ),
  );
  // A header with units in its names is no log line: the usual hint.
  assert.throws(
    () => parseRuns('params (M),tokens (B),L2\n125,2.5,3.3\n', { source: 'sheet.csv' }),
    (e: InputError) => e.message.endsWith('params (M), tokens (B), L2; map one with option "columns" loss=NAME'),
  );
});

test('a --columns slip names the pair meant: a field in another case or by a common name, the pair reversed, a column one slip away', () => {
  const unknownField = (spec: string) => {
    try {
      parseColumnMapping(spec);
    } catch (e) {
      return (e as Error).message;
    }
    assert.fail(`${spec} was accepted`);
  };
  assert.match(
    unknownField('d=num_tokens'),
    /unknown field "d" \(did you mean D=num_tokens\?\): expected one of N, D,/,
  );
  assert.match(unknownField('tokens=num_tokens'), /unknown field "tokens" \(did you mean D=num_tokens\?\)/);
  assert.match(
    unknownField('num_tokens=D'),
    /unknown field "num_tokens" \(did you mean D=num_tokens\? the field comes first, then the file's column\)/,
  );
  assert.match(unknownField('zz=1'), /unknown field "zz": expected one of/);
  assert.equal(
    located(
      () => parseRuns('num_params,num_tokens,loss\n1e8,2e9,3\n', { source: 'm.csv', columns: { D: 'num_token' } }),
      1,
    ),
    'm.csv:1: no column "num_token" (mapped to D); did you mean "num_tokens"? the file has columns: num_params, num_tokens, loss',
  );
  // A column the name begins as a word, far by edit distance: lineage "trunk" for a file's "trunk_id".
  assert.equal(
    located(() => parseRuns('N,D,loss,trunk_id\n1e8,2e9,3,1\n', { source: 'm.csv', columns: { lineage: 'trunk' } }), 1),
    'm.csv:1: no column "trunk" (mapped to lineage); did you mean "trunk_id"? the file has columns: N, D, loss, trunk_id',
  );
});

test('an empty JSON or JSONL file, or one with no runs, is said as such in its own format (not "ValueExpected", not "after the header")', () => {
  assert.equal(
    located(() => parseRuns('', { source: 'r.json' }), 1),
    'r.json:1: the file is empty: expected a JSON array of runs (objects), e.g. [{"N": 1e8, "D": 2e9, "loss": 3.1}]',
  );
  assert.match(
    located(() => parseRuns('\uFEFF  \n\n ', { source: 'r.json' }), 3),
    /r\.json:3: the file is blank: expected a JSON array/,
  );
  assert.throws(
    () => parseRuns('[]', { source: 'r.json' }),
    /r\.json: no runs in the file: expected at least one run \(a JSON object\) in its array/,
  );
  assert.throws(
    () => parseRuns('\n\n', { source: 'r.jsonl' }),
    /r\.jsonl: no runs in the file: expected at least one line with a run \(a JSON object\)/,
  );
  assert.throws(
    () => parseRuns('N,D,loss\n', { source: 'r.csv' }),
    /r\.csv: no runs in the file: expected at least one row after the header/,
  );
});

test('tab-separated data in a .csv is read as tab-separated, not as one column', () => {
  const d = parseRuns('N\tD\tloss\n1e8\t2e9\t3.1\n2e8\t4e9\t2.9\n', { source: 'pasted.csv' });
  assert.deepEqual(
    d.runs.map((r) => [r.N, r.D, r.loss]),
    [
      [1e8, 2e9, 3.1],
      [2e8, 4e9, 2.9],
    ],
  );
  assert.equal(
    parseRuns('N,D,loss,note\n1e8,2e9,3.1,a\tb\n', { source: 'x.csv' }).runs.length,
    1,
    'a tab inside a comma-separated file stays in its cell',
  );
});

test('semicolon-separated data (a spreadsheet in a decimal-comma locale) is read as such, its decimal commas too', () => {
  const d = parseRuns('params;tokens;loss\n1e8;2e9;3.1\n2e8;4e9;2.9\n', { source: 'excel.csv' });
  assert.deepEqual(
    d.runs.map((r) => [r.N, r.D, r.loss]),
    [
      [1e8, 2e9, 3.1],
      [2e8, 4e9, 2.9],
    ],
  );
  // A decimal comma (one digit after it, or two, or four) reads one way only: the decimal mark of the file.
  assert.deepEqual(
    parseRuns('N;D;loss\n1e8;2e9;3,1\n1,3B;2,6e10;2,95\n', { source: 'excel.csv' }).runs.map((r) => [r.N, r.D, r.loss]),
    [
      [1e8, 2e9, 3.1],
      [1.3e9, 2.6e10, 2.95],
    ],
  );
  // In a file separated by commas it is still refused, with the number to write.
  assert.match(
    located(() => parseRuns('N\tD\tloss\n1e8\t2e9\t3,1\n', { source: 'pasted.csv' }), 2, 3),
    /got "3,1" \(a decimal comma is not read: write 3\.1\)$/,
  );
  assert.equal(
    parseRuns('N,D,loss,note\n1e8,2e9,3.1,a;b\n', { source: 'x.csv' }).runs.length,
    1,
    'a semicolon inside a comma-separated file stays in its cell',
  );
  // The separator is judged outside quotes: a quoted header name with a comma in a semicolon file.
  const quoted = parseRuns('"model, size";D;loss\n1e8;2e9;3.1\n', {
    source: 'excel.csv',
    columns: { N: 'model, size' },
  });
  assert.deepEqual(
    quoted.runs.map((r) => [r.N, r.D, r.loss]),
    [[1e8, 2e9, 3.1]],
  );
});

test('a semicolon file\'s thousands separators: "." before groups of three digits is read where the file\'s decimal mark says so, refused where nothing does', () => {
  // A comma-decimal locale's spreadsheet: N and steps with "." thousands, the loss with a decimal comma.
  const locale = 'N;D;step;loss\n1.300.000.000;26.000.000.000;2.500;3,1\n2.600.000.000;52.000.000.000;5.000;2,9\n';
  assert.deepEqual(
    parseRuns(locale, { source: 'de.csv' }).runs.map((r) => [r.N, r.D, r.step, r.loss]),
    [
      [1.3e9, 2.6e10, 2500, 3.1],
      [2.6e9, 5.2e10, 5000, 2.9],
    ],
  );
  // Before: 2.500 steps read as 2.5, the N refused as no number. Both marks in one number (1.300,5) say which is which.
  assert.equal(parseRuns('N;D;loss\n1.300,5;2e9;3,1\n', { source: 'de.csv' }).runs[0].N, 1300.5);
  // A file of "." decimals so separated reads 2.500 as 2.5, once a number (the lr's 0.0003) shows its point.
  assert.equal(parseRuns('N;D;step;loss;lr\n1e8;2e9;2.500;3.1;0.0003\n', { source: 'dot.csv' }).runs[0].step, 2.5);
  // Nothing says which: refused at the cell with both readings, each written so it reads one way only.
  assert.equal(
    located(() => parseRuns('N;D;step;loss\n1e8;2e9;100;3.125\n', { source: 'q.csv' }), 2, 4),
    'q.csv:2:4 (column "loss"): expected a number for loss, got "3.125", which a file separated by semicolons may mean either way: 3125 where "." separates thousands, 3.1250 where it is the decimal mark, and no number in the file shows which (a decimal comma as in 3,1 would, or a decimal point as in 0.25); write it as the number it is (3125 or 3.1250)',
  );
  assert.match(
    located(() => parseRuns('N;D;loss\n1e8;2e9;2,500\n', { source: 'q.csv' }), 2, 3),
    /got "2,500", .*: 2500 where "," separates thousands, 2\.5 where it is the decimal mark/,
  );
  // The first mark shown is the file's (its 2.500 was read by it): a number showing the other is refused.
  assert.equal(
    located(() => parseRuns('N;D;step;loss\n1e8;2e9;2.500;3,1\n2e8;4e9;5000;3.05\n', { source: 'mix.csv' }), 3, 4),
    'mix.csv:3:4 (column "loss"): expected a number for loss with "," as its decimal mark, as this file separated by semicolons writes them (line 2: "3,1"), got "3.05", which writes ".": a file written both ways has numbers that read either way (2.500: 2500 or 2.5); write 3,05',
  );
  assert.match(
    located(() => parseRuns('N;D;loss\n1e8;2e9;3.1\n1.300.000;4e9;3.0\n', { source: 'mix.csv' }), 3, 1),
    /with "\." as its decimal mark, .*got "1\.300\.000", which writes ",": .*; write 1300000$/,
  );
});

test('a header that names its quantity in brackets (N (params), D (tokens), C (FLOPs), loss (nats)) is found by its name; params (M) is still millions', () => {
  const rows = ladderRows();
  const named = parseRuns(['N (params),D (tokens),loss (nats)', ...rows].join('\n') + '\n', { source: 'q.csv' });
  assert.deepEqual(named.columns, { N: 'N (params)', D: 'D (tokens)', loss: 'loss (nats)' });
  assert.equal(named.runs[0].N, 2e7);
  assert.equal(named.scaled, undefined);
  const flops = parseRuns(['C (FLOPs),N,loss (nats)', '1.2e18,2e7,4.1', '4.8e18,5e7,3.9'].join('\n') + '\n', {
    source: 'c.csv',
  });
  assert.equal(flops.columns.C, 'C (FLOPs)');
  assert.equal(flops.runs[1].C, 4.8e18);
  const millions = parseRuns(['params (M),D (tokens),loss', '20,2e8,4.1', '50,5e8,3.9'].join('\n') + '\n', {
    source: 'm.csv',
  });
  assert.equal(millions.runs[1].N, 5e7);
  // Another quantity's word is no match: N (tokens) is not read as N.
  assert.equal(parseRuns('N (tokens),D,C,loss\n1e8,2e9,1.2e18,3.1\n', { source: 'x.csv' }).columns.N, undefined);
});

test('a lowercase b or t is read as billions or trillions only after a name that counts parameters or tokens; g, and b or t elsewhere, are refused', () => {
  const read = parseRuns('params (b),tokens (t),loss\n0.1,0.002,3.1\n', { source: 'b.csv' });
  assert.deepEqual([read.runs[0].N, read.runs[0].D], [1e8, 2e9]);
  // Model Size in b may be bytes; compute in t may be time; g is no size suffix a cell reads.
  for (const [header, field, meaning] of [
    ['model_size (b)', 'N', /a lowercase b could mean bytes or bits/],
    ['compute (t)', 'C', /a lowercase t could mean time/],
    ['params (g)', 'N', /a lowercase g could mean grams or giga/],
  ] as const) {
    const body = `${header},${field === 'N' ? 'tokens' : 'N'},loss\n1,2e9,3.1\n`;
    assert.match(
      located(() => parseRuns(body, { source: 'u.csv', columns: { [field]: header } }), 1, 1),
      meaning,
    );
    // Unmapped, no name finds it, and the list of columns not read says why.
    if (field === 'N') assert.match(describeColumns(parseRuns(body, { source: 'u.csv' })), /N in a unit not read/);
  }
  // Before: model_size (b) read as billions, compute (t) as trillions.
});

test("the unlabelled row of means (a spreadsheet's AVERAGE under each column) is refused; a run at the ladder's mean size before another row, and seeds of one size, read", () => {
  const rows = ladderRows();
  const values = rows.map((r) => r.split(',').map(Number));
  const mean = (i: number) => values.reduce((a, v) => a + v[i], 0) / values.length;
  const meanRow = `${mean(0).toPrecision(4)},${mean(1).toPrecision(4)},${mean(2).toFixed(4)}`;
  assert.match(
    located(() => parseRuns(['N,D,loss', ...rows, meanRow].join('\n') + '\n', { source: 'm.csv' }), 10, 1),
    /the last row's N = 9\.25e7 and D = 2\.313e9 are the means of the 8 rows above it \(N = 9\.25e7 and D = 2\.3125e9\), and its loss [\d.]+ is their mean loss [\d.]+, to the digits printed: a spreadsheet's row of means \(AVERAGE\), not a run\? Remove the row/,
  );
  // Before another row, the same values are a run.
  assert.equal(
    parseRuns(['N,D,loss', ...rows, meanRow, rows[0]].join('\n') + '\n', { source: 'm.csv' }).runs.length,
    10,
  );
  // A mean loss off by more than the digits printed is a run (its N and D are the means, its loss is not).
  const lower = meanRow.replace(/,([\d.]+)$/, (_m, loss: string) => `,${(Number(loss) - 0.002).toFixed(4)}`);
  assert.equal(parseRuns(['N,D,loss', ...rows, lower].join('\n') + '\n', { source: 'm.csv' }).runs.length, 9);
  // Seeds of one size and their mean cannot be told from one more seed: read.
  const seeds = ['N,D,loss', '1e8,2e9,3.10', '1e8,2e9,3.12', '1e8,2e9,3.11', '1e8,2e9,3.11'];
  assert.equal(parseRuns(seeds.join('\n') + '\n', { source: 's.csv' }).runs.length, 4);
  // An evenly spaced ladder, then another seed of its middle size: its N and D are the means, and its loss (to
  // the 2 decimals printed) the mean loss too, where the curve is nearly straight. It repeats the run above
  // (its loss to the digits printed), which a row of means would also do: read. Before, refused at 5:1.
  const even = ['N,D,loss', '4e8,8e9,2.59', '5e8,1e10,2.53', '6e8,1.2e10,2.48', '5e8,1e10,2.54'];
  assert.equal(parseRuns(even.join('\n') + '\n', { source: 'e.csv' }).runs.length, 4);
  // The row of means under a curved ladder is no such repeat (2.63 is no run's loss of 2e8): still refused.
  const curved = ['N,D,loss', '1e8,2e9,3.48', '2e8,4e9,3.14', '3e8,6e9,2.97', '2e8,4e9,3.20'];
  assert.match(
    located(() => parseRuns(curved.join('\n') + '\n', { source: 'c.csv' }), 5, 1),
    /the last row's N = 2e8 and D = 4e9 are the means of the 3 rows above it/,
  );
});

test('a lineage column (named, or found as lineage/trunk) is kept on every run; a blank, a missing column or a conflicting mapping is refused by name', () => {
  const body = 'run,N,D,loss,model\nb1,1e8,2e9,3.1,m1\nb2,1e8,4e9,3.0,m1\nb3,2e8,2e9,2.9,m2\n';
  const d = parseRuns(body, { source: 'b.csv', lineage: 'model' });
  assert.deepEqual(
    d.runs.map((r) => r.lineage),
    ['m1', 'm1', 'm2'],
  );
  assert.equal(d.columns.lineage, 'model');
  assert.equal(parseRuns(body.replace('model', 'trunk'), { source: 'b.csv' }).runs[2].lineage, 'm2');
  assert.equal(parseRuns(body, { source: 'b.csv' }).runs[0].lineage, undefined);
  const blank = located(() => parseRuns(body.replace('2.9,m2', '2.9,'), { source: 'b.csv', lineage: 'model' }), 4);
  assert.match(blank, /^b\.csv:4:\d+ \(column "model"\): this run has no lineage in "model"/);
  const missing = located(() => parseRuns(body, { source: 'b.csv', lineage: 'shape' }), 1);
  assert.match(missing, /no column "shape" \(mapped to lineage\); the file has columns: run, N, D, loss, model/);
  assert.throws(
    () => parseRuns(body, { source: 'b.csv', lineage: 'model', columns: { lineage: 'run' } }),
    /lineage.*names column "model", but .*columns.* maps lineage to "run"/,
  );
  // JSON: a run without the key has no lineage either; refused where the column was named, left without
  // one where it was found by its name (an unrelated "trunk" column with gaps must not stop a fit).
  const json = '[{"N":1e8,"D":2e9,"loss":3,"trunk":"a"},{"N":2e8,"D":2e9,"loss":2.9}]';
  assert.match(
    located(() => parseRuns(json, { source: 'b.json', lineage: 'trunk' }), 1),
    /this run has no lineage in "trunk"/,
  );
  assert.deepEqual(
    parseRuns(json, { source: 'b.json' }).runs.map((r) => r.lineage),
    ['a', undefined],
  );
  assert.deepEqual(
    parseRuns(body.replace('model', 'trunk').replace('2.9,m2', '2.9,'), { source: 'b.csv' }).runs.map((r) => r.lineage),
    ['m1', 'm1', undefined],
  );
});

test("parseRuns reads a trainer's step column before W&B's _step (its count of log calls), and _step only when there is no other", () => {
  const both = parseRuns('run,_step,trainer/global_step,N,D,loss\na,20,10,1e8,1e9,3.1\n', { source: 'w.csv' });
  assert.equal(both.columns.step, 'trainer/global_step');
  assert.equal(both.runs[0].step, 10);
  const global = parseRuns('run,_step,global_step,N,D,loss\na,20,10,1e8,1e9,3.1\n', { source: 'w.csv' });
  assert.equal(global.runs[0].step, 10);
  const alone = parseRuns('run,_step,N,D,loss\na,20,1e8,1e9,3.1\n', { source: 'w.csv' });
  assert.equal(alone.columns.step, '_step');
  assert.equal(alone.runs[0].step, 20);
});

/** Source files (not tests) under `dir`, relative to the repository's root. */
function sourceFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(root, path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

test("a file of runs' format is decided in src/io alone (src/io/README.md): nothing outside it calls detectFormat", () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const calls = (file: string) => /\bdetectFormat\(/.test(readFileSync(join(root, file), 'utf8'));
  const outside = [...sourceFiles(root, 'src'), ...sourceFiles(root, join('web', 'src'))].filter(
    (f) => !f.startsWith(join('src', 'io')) && calls(f),
  );
  // A new format is then added where the formats are (parseRuns, readRuns), and the web app's upload
  // and column step, which read files through src/io, take it without a change of their own.
  assert.deepEqual(outside, [], 'read a file of runs through src/io (parseRuns, fileColumns, readRuns)');
  assert.ok(calls(join('src', 'io', 'readRuns.ts')), 'the check finds a call where there is one');
});

test('the formats of a file of runs are named in words in one place (runFormatNames), for a new format to change once', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const code = (file: string) =>
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
      .join('\n');
  const spelled = [...sourceFiles(root, 'src'), ...sourceFiles(root, join('web', 'src'))].filter(
    (f) => f !== join('src', 'io', 'parseRuns.ts') && code(f).includes(runFormatNames),
  );
  // It was in the missing-file and binary-file errors, runs import's and report's help and the web upload.
  assert.deepEqual(spelled, [], 'use runFormatNames');
  assert.equal(runFormatNames, 'CSV, JSON or JSONL');
});

test('a total count of parameters under its own name (total_params, params_total, total_parameters) is N before the non-embedding count', () => {
  for (const total of ['total_params', 'params_total', 'total_parameters', 'Total Parameters']) {
    const d = parseRuns(`non_embedding_params,${total},D,loss\n9e7,1e8,2e9,3.1\n`, { source: 'm.csv' });
    assert.equal(d.columns.N, total);
    assert.equal(d.runs[0].N, 1e8);
    assert.deepEqual(d.unread, ['non_embedding_params']);
  }
  // Alone, the non-embedding count is still N.
  assert.equal(parseRuns('non_embedding_params,D,loss\n9e7,2e9,3.1\n', { source: 'm.csv' }).runs[0].N, 9e7);
});

test("a Hugging Face Trainer's log_history (loss = the training loss, beside eval_loss) reads the held-out loss; loss alone is still the loss", () => {
  const trainer = [
    { epoch: 1, step: 500, loss: 3.4, learning_rate: 2e-4, eval_loss: 3.6, N: 1e8, D: 1e9 },
    { epoch: 2, step: 1000, loss: 3.1, learning_rate: 1e-4, eval_loss: 3.3, N: 1e8, D: 2e9 },
  ];
  const d = parseRuns(JSON.stringify(trainer), { source: 'trainer_state.json' });
  assert.equal(d.columns.loss, 'eval_loss');
  assert.deepEqual(
    d.runs.map((r) => r.loss),
    [3.6, 3.3],
  );
  assert.deepEqual(d.unread, ['epoch', 'loss']);
  for (const held of ['val_loss', 'validation_loss', 'test_loss', 'eval/loss'])
    assert.equal(parseRuns(`N,D,loss,${held}\n1e8,2e9,3.0,3.2\n`, { source: 'm.csv' }).runs[0].loss, 3.2, held);
  assert.equal(parseRuns('N,D,loss,final_loss\n1e8,2e9,3.0,3.2\n', { source: 'm.csv' }).columns.loss, 'loss');
  assert.equal(parseRuns('N,D,Loss\n1e8,2e9,3.0\n', { source: 'm.csv' }).columns.loss, 'Loss');
});

test('the TensorBoard hint (loss=Value) is given only to a header of Wall time, Step and Value; a long-format file (task, metric, value) is not told it', () => {
  for (const header of ['wall time,step,value', 'Step,Value', 'Value'])
    assert.throws(
      () =>
        parseRuns(
          `${header}\n${header
            .split(',')
            .map(() => '1')
            .join(',')}\n`,
          { source: 'tb.csv' },
        ),
      (e: InputError) => /a TensorBoard scalar export's value: loss=value\)$/i.test(e.message),
      header,
    );
  for (const header of ['task,metric,value', 'layer,step,value,unit'])
    assert.throws(
      () =>
        parseRuns(
          `${header}\n${header
            .split(',')
            .map(() => '1')
            .join(',')}\n`,
          { source: 'long.csv' },
        ),
      (e: InputError) => !/TensorBoard/.test(e.message) && /map one with option "columns" loss=NAME$/.test(e.message),
      header,
    );
});

test('an optional column found by its name with no number in any run (an empty total_flops, "n/a") is left unread and said so; one with some numbers is refused at the blank', () => {
  // Read before total_flops was recognised as C: it still reads, with C = 6ND, and says why the column is unread.
  for (const cell of ['', 'n/a', 'NaN', '-'])
    for (const require of [undefined, ['N', 'D', 'loss'] as Field[]]) {
      const d = parseRuns(`N,D,loss,total_flops\n1e8,2e9,3.1,${cell}\n2e8,4e9,2.9,${cell}\n`, {
        source: 'sheet.csv',
        require,
      });
      assert.deepEqual(d.columns, { N: 'N', D: 'D', loss: 'loss' }, cell);
      assert.deepEqual(d.derived, { C: '6ND' });
      assert.deepEqual(
        d.runs.map((r) => r.C),
        [6 * 1e8 * 2e9, 6 * 2e8 * 4e9],
      );
      assert.deepEqual(d.unread, ['total_flops']);
      assert.deepEqual(d.unreadWhy, { total_flops: 'C: no run has a number there' });
      assert.equal(describeColumns(d), 'N, D, loss; not read: total_flops (C: no run has a number there)');
    }
  // JSONL nulls, and a learning rate a trainer logs as train/lr but this file leaves empty.
  const jsonl =
    '{"N": 1e8, "D": 2e9, "loss": 3.1, "train/lr": null}\n{"N": 2e8, "D": 4e9, "loss": 2.9, "train/lr": null}\n';
  const j = parseRuns(jsonl, { source: 'runs.jsonl' });
  assert.equal(j.columns.lr, undefined);
  assert.deepEqual(j.unreadWhy, { 'train/lr': 'lr: no run has a number there' });
  assert.ok(j.runs.every((r) => r.lr === undefined));
  // A D the read needs is derived from C where its own column is empty.
  const dFromC = parseRuns('N,total_tokens,C,loss\n1e8,,1.2e18,3.1\n', {
    source: 's.csv',
    require: ['N', 'D', 'loss'],
  });
  assert.deepEqual(dFromC.derived, { D: 'C/(6N)' });
  assert.equal(dFromC.runs[0].D, 2e9);
  // Some numbers, some blanks: refused at the first blank, whichever comes first.
  const blankFirst = located(
    () => parseRuns('N,D,loss,total_flops\n1e8,2e9,3.1,\n2e8,4e9,2.9,4.8e18\n', { source: 'sheet.csv' }),
    2,
    4,
  );
  assert.match(
    blankFirst,
    /expected a positive number for C, got an empty cell \(line 3 has one: a column with numbers needs one in every run\)$/,
  );
  assert.match(
    located(
      () => parseRuns('N,D,loss,total_flops\n1e8,2e9,3.1,1.2e18\n2e8,4e9,2.9,n/a\n', { source: 'sheet.csv' }),
      3,
      4,
    ),
    /expected a positive number for C, got "n\/a"$/,
  );
  // A column mapped by name, or one the read needs and cannot derive, is refused at its blank as before.
  located(
    () => parseRuns('N,D,loss,total_flops\n1e8,2e9,3.1,\n', { source: 'sheet.csv', columns: { C: 'total_flops' } }),
    2,
    4,
  );
  located(
    () => parseRuns('param_count,D,loss\n,2e9,3.1\n', { source: 'sheet.csv', require: ['N', 'D', 'loss'] }),
    2,
    1,
  );
  located(() => parseRuns('N,D,final_loss\n1e8,2e9,\n', { source: 'sheet.csv' }), 2, 3);
  // A zero or a negative value is no blank: refused where it is.
  located(() => parseRuns('N,D,loss,total_flops\n1e8,2e9,3.1,0\n', { source: 'sheet.csv' }), 2, 4);
});

test('zeroAtStepZero: a step-0 row (the loss before any update) may hold 0 tokens, compute and learning rate; another row may not, nor any row without it', () => {
  const body = 'run,step,N,tokens,loss,lr\na,0,100,0,10.8,0\na,25,100,51200,3.1,0.005\n';
  const ds = parseRuns(body, { source: 'runs.csv', zeroAtStepZero: true });
  assert.deepEqual(
    ds.runs.map((r) => [r.step, r.D, r.C, r.lr]),
    [
      [0, 0, 0, 0],
      [25, 51200, 6 * 100 * 51200, 0.005],
    ],
  );
  assert.match(located(csv(body), 2, 4), /expected a positive number for D, got "0"/);
  const later = 'run,step,tokens,loss,lr\na,0,0,10.8,0\na,25,0,3.1,0.005\n';
  assert.match(
    located(() => parseRuns(later, { source: 'runs.csv', zeroAtStepZero: true }), 3, 3),
    /for D, got "0"/,
  );
  const zeroLoss = 'run,step,tokens,loss,lr\na,0,0,0,0\n';
  assert.match(
    located(() => parseRuns(zeroLoss, { source: 'runs.csv', zeroAtStepZero: true }), 2, 4),
    /for loss, got "0"/,
  );
});

test('a learning rate of 0 is read (a warmup starts there, a cosine schedule ends there); a negative one is refused at its cell', () => {
  const d = parseRuns('N,D,loss,lr\n1e8,2e9,3.1,0\n2e8,4e9,2.9,3e-4\n', { source: 'runs.csv' });
  assert.deepEqual(
    d.runs.map((r) => r.lr),
    [0, 3e-4],
  );
  const message = located(() => parseRuns('N,D,loss,lr\n1e8,2e9,3.1,-1e-4\n', { source: 'runs.csv' }), 2, 4);
  assert.match(message, /expected a non-negative number for lr, got "-1e-4" \(a learning rate must be ≥ 0\)/);
  // N is still refused at 0: only the learning rate may be 0.
  assert.match(
    located(() => parseRuns('N,D,loss\n0,2e9,3.1\n', { source: 'runs.csv' }), 2, 1),
    /N must be > 0/,
  );
});

test('columns maps a field to "-" to leave a recognised column unread, and says so', () => {
  const text = 'N,D,loss,lr\n1e8,2e9,3.1,oops\n2e8,4e9,2.9,3e-4\n';
  assert.match(located(csv(text), 2, 4), /for lr, got "oops"/);
  const mapping = parseColumnMapping('lr=-');
  assert.deepEqual(mapping, { lr: '-' });
  const d = parseRuns(text, { source: 'runs.csv', columns: mapping });
  assert.equal(d.columns.lr, undefined);
  assert.ok(d.runs.every((r) => r.lr === undefined));
  assert.deepEqual(d.unreadWhy, { lr: 'lr: left unread (lr=-)' });
  // An empty mapping is a slip, answered with the spelling that leaves the field unread.
  assert.match(
    (() => {
      try {
        parseRuns(text, { source: 'runs.csv', columns: { lr: '' } });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })(),
    /no column "" \(mapped to lr\) \(to leave lr unread, map it to -: lr=-\)/,
  );
});

test('a learning-rate sweep refuses an lr of 0 at its line, saying why (its optimum is found in ln η)', async () => {
  const { checkMagnitudes } = await import('./dataChecks.js');
  const d = parseRuns('N,D,loss,lr\n1e8,2e9,3.1,1e-3\n2e8,4e9,2.9,0\n', { source: 'sweep.csv' });
  assert.throws(
    () => checkMagnitudes(d, ['lr', 'loss'], d.runs),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.line === 3 &&
      /lr = 0: a learning-rate sweep needs a positive/.test(e.message),
  );
});

test('a refused loss names its run and counts the other rows without one, in which runs: a file is not cleaned one error at a time', () => {
  const rows = [
    'run,N,D,loss',
    'a,1e8,2e9,3.1',
    'b,1e8,4e9,', // crashed: no loss
    'b,1e8,5e9,2.9',
    'c,2e8,4e9,Infinity', // diverged
    'd,2e8,6e9,NaN',
    'e,3e8,6e9,',
    'f,3e8,7e9,n/a',
  ].join('\n');
  for (const [source, text] of [
    ['runs.csv', rows],
    [
      'runs.jsonl',
      rows
        .split('\n')
        .slice(1)
        .map((l) => {
          const [run, N, D, loss] = l.split(',');
          return JSON.stringify({ run, N: Number(N), D: Number(D), loss: loss === '' ? null : loss });
        })
        .join('\n'),
    ],
  ]) {
    const line = source === 'runs.csv' ? 3 : 2;
    const message = located(() => parseRuns(text, { source }), line, source === 'runs.csv' ? 4 : undefined);
    assert.match(message, /expected a positive number for loss, got (an empty cell|null) \(run "b"\)/, source);
    assert.match(
      message,
      /; 4 more rows have no usable loss \(lines \d+, \d+, \d+, …; in runs "c", "d", "e", "f"\)/,
      source,
    );
    assert.match(message, /remove those rows or runs \(a crashed or diverged run has no loss to fit there\)/, source);
  }
  // An error on a later row (a bad N) does not hide the earlier refused loss.
  const later = located(() => parseRuns('run,N,D,loss\na,1e8,2e9,\nb,oops,2e9,3\n', { source: 'x.csv' }), 2, 4);
  assert.match(later, /got an empty cell \(run "a"\)/);
});

test("a refused loss from a held-out column says which column was read as the loss, the file's other loss column and how to read it", () => {
  const text = 'Name,_step,train/loss,eval/loss\nr1,1,4.1,\nr1,2,3.9,3.95\nr1,3,3.7,\n';
  const err = (() => {
    try {
      parseRuns(text, { source: 'wandb.csv' });
    } catch (e) {
      return e as InputError;
    }
    assert.fail('expected an error');
  })();
  assert.equal(err.location.line, 2);
  assert.match(
    err.message,
    /the loss is read from "eval\/loss", the first of the file's loss columns in the order val_loss, eval_loss, .*train_loss \(a held-out loss before a training loss\); the file also has "train\/loss": to read "train\/loss" instead, option "columns" loss=train\/loss/,
  );
  assert.match(
    err.messageNaming((o) => `--${o}`),
    /instead, --columns loss=train\/loss/,
  );
  // Mapped by the user: the mapping is what was asked for, so no other column is offered.
  assert.doesNotMatch(
    (() => {
      try {
        parseRuns(text, { source: 'wandb.csv', columns: { loss: 'eval/loss' } });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })(),
    /the file also has/,
  );
});

// A W&B runs-table export as the web UI writes it (Export CSV): run metadata, config, then summary metrics,
// `_step` the run's last step. Two seeds of the 50M config carry one display name, as a sweep's runs often do.
const wandbRunsTable = [
  '"Name","State","Notes","User","Tags","Created","Runtime","Sweep","lr","n_params","seed","tokens","_runtime","_step","_timestamp","eval/loss","train/loss"',
  '"llama-50M","finished","-","alice","","2026-01-05T10:00:00.000Z","3600","","0.003","5e7","0","1e9","3600","2000","1767607200","3.91","3.88"',
  '"llama-50M","finished","-","alice","","2026-01-05T11:00:00.000Z","3600","","0.003","5e7","1","1e9","3600","2000","1767610800","3.93","3.90"',
  '"llama-100M","finished","-","alice","","2026-01-05T12:00:00.000Z","7200","","0.003","1e8","0","2e9","7200","2000","1767614400","3.52","3.49"',
  '"llama-200M","crashed","-","alice","","2026-01-05T13:00:00.000Z","9000","","0.003","2e8","0","4e9","9000","1500","1767618000","3.30","3.27"',
].join('\n');

test("a W&B runs table's Name stays unread (each row a run, seeds named alike kept apart); mapped as the run, a shared name is refused, never merged", () => {
  // The rows are whole runs: read as before, four runs, none named, the two llama-50M seeds both kept.
  const table = parseRuns(wandbRunsTable, { source: 'w.csv' });
  assert.equal(table.columns.run, undefined);
  assert.equal(table.wandbNameRun, undefined);
  assert.equal(table.runs.length, 4);
  assert.deepEqual(
    table.runs.map((r) => r.loss),
    [3.91, 3.93, 3.52, 3.3],
  );
  // Mapped by hand, as the old hint said (run=Name): the rows would be one run's, one kept. Refused at the
  // second, naming the first line and both ways out; equal names at different `_step`s (a crashed seed) too.
  const refusal = (text: string) => {
    try {
      parseRuns(text, { source: 'w.csv', columns: { run: 'Name' } });
    } catch (e) {
      assert.ok(e instanceof InputError);
      return e.message;
    }
    assert.fail('expected a refusal');
  };
  assert.match(
    refusal(wandbRunsTable),
    /^w\.csv:3:1 \(column "Name"\): run name "llama-50M" is also at line 2: "Name" is a display name, which runs can share \(seeds, a sweep named alike\), and these rows would be read as one run's, one kept; tell the runs apart with a column of run ids \(W&B's ID, added to the export from the runs table's columns: option "columns" run=ID\), or read each row as a run of its own with option "columns" run=-$/,
  );
  assert.match(
    refusal(wandbRunsTable.replace(/"2000","1767610800"/, '"900","1767610800"')),
    /run name "llama-50M" is also at line 2/,
  );
  // With the seeds renamed apart, the mapping reads them as named.
  const unique = parseRuns(
    wandbRunsTable.replace(
      '"llama-50M","finished","-","alice","","2026-01-05T11',
      '"llama-50M-s1","finished","-","alice","","2026-01-05T11',
    ),
    { source: 'w.csv', columns: { run: 'Name' } },
  );
  assert.deepEqual(
    unique.runs.map((r) => r.run),
    ['llama-50M', 'llama-50M-s1', 'llama-100M', 'llama-200M'],
  );
  // An ID column wins where the export has one (run_id is a run column's name); Name is then unread.
  let id = 0;
  const withId = parseRuns(
    wandbRunsTable.replace('"Name",', '"Name","run_id",').replace(/^"llama-[^"]*",/gm, (m) => `${m}"run${id++}",`),
    { source: 'w.csv' },
  );
  assert.equal(withId.columns.run, 'run_id');
  assert.equal(withId.wandbNameRun, undefined);
});

test("a W&B history export's Name is the run where (Name, step) is unique; two runs of one name at one step are refused", () => {
  const body =
    'Name,_step,_runtime,params,tokens,train/loss\nr1,1,5,1e8,2e9,3.1\nr1,2,9,1e8,4e9,2.9\nr2,1,5,2e8,2e9,3.0\n';
  const wandb = parseRuns(body, { source: 'w.csv' });
  assert.equal(wandb.columns.run, 'Name');
  assert.deepEqual(
    wandb.runs.map((r) => [r.run, r.step]),
    [
      ['r1', 1],
      ['r1', 2],
      ['r2', 1],
    ],
  );
  assert.equal(wandb.runNameColumn, undefined);
  // A second run called r1 logging step 1 again after r1's step 2: r1's steps go back, which a second run
  // of that name does as well as a resumed one; both are said.
  assert.throws(
    () => parseRuns(body + 'r1,1,5,1e8,2e9,3.2\n', { source: 'w.csv' }),
    /w\.csv:5:1 \(column "Name"\): run name "r1": its step goes back from 2 \(line 3\) to 1 \(line 5\), and step 1 is also at line 2: .*a run resumed from an earlier checkpoint .*or two runs named alike/,
  );
  // Two runs of one name logged side by side (the export sorted by step): the same step twice in a row is
  // no step going back, and is refused as a name shared by runs.
  assert.throws(
    () => parseRuns('Name,_step,params,tokens,train/loss\nr1,1,1e8,2e9,3.1\nr1,1,1e8,2e9,3.2\n', { source: 'w.csv' }),
    /w\.csv:3:1 \(column "Name"\): run name "r1" is also at line 2, at the same step 1: .*or give each run its own name/,
  );
  // Without W&B's columns, a "Name" beside a step is suggested (runNameColumn), not read.
  const plain = parseRuns(body.replace('Name,_step,_runtime', 'Name,step,wall'), { source: 'p.csv' });
  assert.equal(plain.columns.run, undefined);
  assert.equal(plain.runNameColumn, 'Name');
  // A name shared by two sizes names no run: nothing is suggested.
  const shared = parseRuns(body.replace('Name,_step,_runtime', 'Name,step,wall').replace('r2,', 'r1,'), {
    source: 'p.csv',
  });
  assert.equal(shared.runNameColumn, undefined);
  const both = parseRuns('Name,run_id,N,D,loss\nnice name,r1,1e8,2e9,3.1\n', { source: 'b.csv' });
  assert.equal(both.columns.run, 'run_id');
  assert.equal(both.runNameColumn, undefined);
});

test('a W&B history whose run was resumed (its step goes back within one name) is refused as that, with both ways out, nothing kept or dropped', () => {
  // One run crashed after step 300 and resumed from its step-100 checkpoint: W&B's history has both.
  const resumed =
    'Name,_step,params,tokens,train/loss\nr1,100,1e8,2e8,3.5\nr1,200,1e8,4e8,3.3\nr1,300,1e8,6e8,3.2\nr1,200,1e8,4e8,3.31\nr1,300,1e8,6e8,3.19\n';
  const refusal = (text: string) => {
    try {
      parseRuns(text, { source: 'w.csv' });
    } catch (e) {
      assert.ok(e instanceof InputError);
      return e.message;
    }
    assert.fail('expected a refusal');
  };
  const message = refusal(resumed);
  assert.match(
    message,
    /^w\.csv:5:1 \(column "Name"\): run name "r1": its step goes back from 300 \(line 4\) to 200 \(line 5\), and step 200 is also at line 3: /,
  );
  assert.match(message, /a run resumed from an earlier checkpoint .*or two runs named alike/);
  // Not the old word that blamed a name shared by runs only.
  assert.doesNotMatch(message, /a display name, which runs can share/);
  // The ways out: run ids for two runs (W&B's ID added to the export), the later rows for a resumed run.
  assert.match(message, /W&B's ID, added to the export from the runs table's columns: option "columns" run=ID/);
  assert.match(
    message,
    /keep the rows logged after the resume, filtering out of the file its rows before line 5 at step 200 or later/,
  );
  // Where the export has a run id column beside Name (mapped to Name by hand), that column is named.
  const withId = refusal(resumed.replace('Name,', 'Name,ID,').replace(/^r1,/gm, 'r1,abc,'));
  assert.match(withId, /tell them apart with the file's run ids \(option "columns" run=ID\)/);
  // A step that goes back to one never logged is no repeat: the refusal comes at the first repeated step,
  // still naming where the step went back.
  const between = refusal(resumed.replace('r1,200,1e8,4e8,3.31', 'r1,250,1e8,5e8,3.25'));
  assert.match(
    between,
    /^w\.csv:6:1 .*its step goes back from 300 \(line 4\) to 250 \(line 5\), and step 300 is also at line 4/,
  );
});

test('variantColumns: an unread arms column (attention, optimizer) whose values repeat the same sizes; not a user, seed or notes column, nor arms at different sizes', () => {
  const rows = ['N,D,attention,User,seed,notes,loss'];
  let k = 0;
  for (const N of [1e8, 2e8, 4e8])
    for (const arm of ['baseline', 'gqa linear'])
      for (const seed of [0, 1]) rows.push(`${N},${20 * N},${arm},user${seed},${seed},note ${k++},${3 + seed * 0.01}`);
  const d = parseRuns(rows.join('\n') + '\n', { source: 'a.csv' });
  assert.deepEqual(d.variantColumns, [{ column: 'attention', values: ['baseline', 'gqa linear'] }]);
  // JSON rows too, and an arm mapped as the group is not suggested.
  const json = JSON.stringify(
    rows.slice(1).map((r) => {
      const [N, D, attention, , , , loss] = r.split(',');
      return { N: Number(N), D: Number(D), optimizer: attention, loss: Number(loss) };
    }),
  );
  assert.deepEqual(parseRuns(json, { source: 'a.json' }).variantColumns?.[0].column, 'optimizer');
  assert.equal(
    parseRuns(rows.join('\n') + '\n', { source: 'a.csv', columns: { group: 'attention' } }).variantColumns,
    undefined,
  );
  // Arms at sizes of their own (dense small, moe large) share no size: not pooled arms of one experiment.
  const apart = 'N,D,arch,loss\n1e8,2e9,dense,3\n2e8,4e9,dense,2.9\n4e8,8e9,moe,2.8\n8e8,1.6e10,moe,2.7\n';
  assert.equal(parseRuns(apart, { source: 'b.csv' }).variantColumns, undefined);
  // A numeric arms column (seed-like) or one with many values (free text) is not arms.
  const many = ['N,D,method,loss', ...Array.from({ length: 30 }, (_, i) => `${1e8 * (1 + (i % 2))},2e9,m${i},3`)];
  assert.equal(parseRuns(many.join('\n') + '\n', { source: 'c.csv' }).variantColumns, undefined);
});

test('checkRunSizes refuses a run name with two model sizes at the later row, naming both lines; finalCheckpoints too', () => {
  const d = parseRuns('run,N,D,loss\na,1e6,1e9,3\nb,2e6,1e9,2.9\na,2e6,2e9,2.8\n', { source: 'x.csv' });
  for (const f of [() => checkRunSizes(d), () => finalCheckpoints(d)])
    assert.throws(
      f,
      (e: unknown) =>
        e instanceof InputError &&
        e.location.line === 4 &&
        e.location.columnName === 'N' &&
        /run "a" has N = 2e6 here but N = 1e6 at line 2: expected one model size per run name/.test(e.message),
    );
  // One size per name, and rows without a name, pass.
  checkRunSizes(
    parseRuns('run,N,D,loss\na,1e6,1e9,3\na,1e6,2e9,2.8\n,2e6,1e9,2.9\n,4e6,1e9,2.7\n', { source: 'y.csv' }),
  );
});

test("Python's bare NaN and infinities in JSON and JSONL are said as what they are, at their line and column", () => {
  const cases: [string, string, number, number, string][] = [
    ['h.jsonl', '{"N": 1e8, "D": 2e9, "loss": 3.1}\n{"N": NaN, "D": 2e9, "loss": 3}\n', 2, 7, 'NaN'],
    ['h.jsonl', '{"N": 1e8, "D": 2e9, "loss": -Infinity}\n', 1, 30, '-Infinity'],
    ['h.json', '[{"N": 1e8, "D": 2e9, "loss": 3.1},\n {"N": 1e8, "D": 2e9, "loss": Infinity}]\n', 2, 31, 'Infinity'],
  ];
  for (const [source, text, line, column, word] of cases) {
    const message = located(() => parseRuns(text, { source }), line, column);
    assert.ok(
      message.endsWith(
        `malformed JSON: ${word} is not JSON (Python's json.dumps writes it by default): write null or leave the field out`,
      ),
      message,
    );
  }
  // A JSONL line's bare NaN loss, once the loss column is known, is one more run without a loss: counted
  // with the others, its run named, the lines after it read (it stopped the count, which then said "the row").
  const tally = located(
    () =>
      parseRuns(
        [
          '{"run":"a","N":1e6,"D":1e9,"loss":3.1}',
          '{"run":"b","N":2e6,"D":1e9,"loss":null}',
          '{"run":"c","N":3e6,"D":1e9,"loss":NaN}',
          '{"run":"d","N":4e6,"D":1e9,"loss":"nan"}',
          '{"run":"e","N":5e6,"D":1e9,"loss":-Infinity}',
          '{"run":"f","N":6e6,"D":1e9,"loss":2.5}',
        ].join('\n') + '\n',
        { source: 'r.jsonl' },
      ),
    2,
    35,
  );
  assert.match(
    tally,
    /got null \(run "b"\); 3 more rows have no usable loss \(lines 3, 4, 5; in runs "c", "d", "e"\); remove those rows or runs/,
  );
  const alone = located(
    () => parseRuns('{"N":1e6,"D":1e9,"loss":3.1}\n{"N":3e6,"D":1e9,"loss":NaN}\n', { source: 'n.jsonl' }),
    2,
    25,
  );
  assert.match(
    alone,
    /expected a positive number for loss, got a bare NaN, which is not JSON \(Python's json.dumps writes it by default\); remove the row/,
  );
  // A word that merely begins like one is still a bad symbol.
  assert.match(
    located(() => parseRuns('{"N": 1e8, "D": 2e9, "loss": Nope}\n', { source: 'h.jsonl' }), 1),
    /strings need double quotes/,
  );
});

test("a tracker's run state (W&B's State, state, run_state) is read; a word it does not know is refused at its cell", () => {
  const body = 'Name,State,N,D,train/loss\na,finished,1e7,1e8,4\nb,Crashed,2e7,1e8,3.9\nc,running,4e7,1e8,3.8\n';
  const d = parseRuns(body, { source: 'w.csv' });
  assert.equal(d.columns.state, 'State');
  assert.deepEqual(
    d.runs.map((r) => r.state),
    ['finished', 'crashed', 'running'],
  );
  // A user's own "status" column is no state: its words are not refused (they were, reading the whole file).
  const own = parseRuns('N,D,loss,status\n1e8,2e9,3.1,ok\n2e8,4e9,2.9,diverged\n', { source: 'e.csv' });
  assert.equal(own.columns.state, undefined);
  assert.equal(own.runs[1].state, undefined);
  assert.ok(own.unread?.includes('status'));
  // W&B's pending and preempted, MLflow's SCHEDULED, in any case.
  assert.deepEqual(
    parseRuns('N,D,loss,run_state\n1e7,1e8,4,Pending\n2e7,1e8,3.9,preempted\n4e7,1e8,3.8,SCHEDULED\n', {
      source: 'm.csv',
    }).runs.map((r) => r.state),
    ['pending', 'preempted', 'scheduled'],
  );
  const message = located(() => parseRuns(body.replace('running', 'preempting'), { source: 'w.csv' }), 4, 2);
  assert.match(
    message,
    /expected a run state \(finished, completed, running, pending, scheduled, crashed, preempted, failed, killed\), got "preempting"/,
  );
  assert.match(message, /state=-/);
  // A blank is no state: refused where it is, not read as finished.
  located(() => parseRuns(body.replace('finished', ''), { source: 'w.csv' }), 2, 2);
  // Left unread on request (a status column meaning something else).
  const unread = parseRuns(body.replace('running', 'ok'), { source: 'w.csv', columns: { state: '-' } });
  assert.equal(unread.runs[2].state, undefined);
  assert.ok(unread.unread?.includes('State'));
});

test('unfinishedRuns names the runs that did not finish, by state, once each; nothing when all finished', () => {
  const body =
    'run,State,N,D,loss\na,finished,1e7,1e8,4\nb,crashed,2e7,1e8,3.9\nb,crashed,2e7,2e8,3.7\nc,killed,4e7,1e8,3.8\nd,running,8e7,1e8,3.6\n';
  const message = unfinishedRuns(parseRuns(body, { source: 'w.csv' }));
  assert.equal(
    message,
    '3 runs did not finish (column "State"), crashed: "b"; killed: "c"; running: "d"; their rows are fitted as logged, but a run\'s last checkpoint is not the loss it would have ended at; to leave them out, remove their rows',
  );
  assert.equal(
    unfinishedRuns(parseRuns(body.replace(/crashed|killed|running/g, 'finished'), { source: 'w.csv' })),
    undefined,
  );
  // Rows without a run name are runs of their own, named by line.
  assert.match(
    unfinishedRuns(parseRuns('N,D,loss,state\n1e7,1e8,4,failed\n', { source: 'u.csv' }))!,
    /^1 run did not finish \(column "state"\), failed: line 2; its rows/,
  );
});

test('an infinite loss written as a word (pandas inf, W&B Infinity) is said as not finite, with the advice to remove the rows', () => {
  const message = located(
    () => parseRuns('run,N,D,loss\na,1e6,1e9,3\nb,2e6,1e9,inf\nc,4e6,1e9,-INF\n', { source: 'x.csv' }),
    3,
    4,
  );
  assert.match(
    message,
    /expected a finite positive number for loss, got "inf" \(run "b"\); 1 more row has no usable loss \(line 4; in run "c"\); remove those rows or runs \(a crashed or diverged run has no loss to fit there\)/,
  );
  assert.match(
    located(() => parseRuns('N,D,loss\n1e6,1e9,Infinity\n', { source: 'y.csv' }), 2, 3),
    /expected a finite positive number for loss, got "Infinity"; remove the row/,
  );
});

test("a run without a batch, lr, width or layers that other runs have (a study export's imported runs beside its sweep's) is read as not having recorded them: the other runs keep theirs, and the file says how many lack each", () => {
  // As `runs export` writes a study whose sweep runs carry their configuration and an imported run none,
  // the imported run first or last.
  for (const csv of [
    'run,N,D,loss,group,batch_tokens,learning_rate,d_model\niso-a,1e6,2e7,3.1,isoflop,2048,0.003,64\nrun-9,2e6,1e7,3,,,,\n',
    'run,N,D,loss,group,batch_tokens,learning_rate,d_model\nrun-9,2e6,1e7,3,,,,\niso-a,1e6,2e7,3.1,isoflop,2048,0.003,64\n',
  ]) {
    const d = parseRuns(csv, { source: 'export.csv' });
    const byName = new Map(d.runs.map((r) => [r.run, r]));
    assert.deepEqual(
      [byName.get('iso-a')!.batch, byName.get('iso-a')!.lr, byName.get('iso-a')!.width],
      [2048, 0.003, 64],
    );
    assert.deepEqual(
      [byName.get('run-9')!.batch, byName.get('run-9')!.lr, byName.get('run-9')!.width],
      [undefined, undefined, undefined],
    );
    assert.equal(d.columns.batch, 'batch_tokens');
    const line = csv.indexOf('run-9') < csv.indexOf('iso-a') ? 2 : 3;
    assert.deepEqual(d.notRecorded, {
      batch: { column: 'batch_tokens', rows: 1, line },
      lr: { column: 'learning_rate', rows: 1, line },
      width: { column: 'd_model', rows: 1, line },
    });
    assert.equal(
      notRecordedNote({ ...d, rows: d.runs.length }),
      `blank cells read as not recorded: batch_tokens (batch) for 1 of 2 runs, learning_rate (lr) for 1 of 2 runs, d_model (width) for 1 of 2 runs (the first at line ${line}); the other runs' values are read, and an analysis that needs one of these leaves out the runs without it and says how many`,
    );
  }
  // JSONL: a key absent from the earlier runs, or null, is not recorded there.
  for (const jsonl of [
    '{"run":"run-9","N":2e6,"D":1e7,"loss":3}\n{"run":"iso-a","N":1e6,"D":2e7,"loss":3.1,"batch_tokens":2048}\n',
    '{"run":"iso-a","N":1e6,"D":2e7,"loss":3.1,"batch_tokens":2048}\n{"run":"run-9","N":2e6,"D":1e7,"loss":3,"batch_tokens":null}\n',
  ]) {
    const j = parseRuns(jsonl, { source: 'export.jsonl' });
    assert.deepEqual(
      j.runs.map((r) => [r.run, r.batch]),
      jsonl.startsWith('{"run":"run-9"')
        ? [
            ['run-9', undefined],
            ['iso-a', 2048],
          ]
        : [
            ['iso-a', 2048],
            ['run-9', undefined],
          ],
    );
    assert.equal(j.notRecorded?.batch?.rows, 1);
  }
  // Where the read needs the field (bcrit --noise needs batch), a blank is still refused at its cell.
  located(
    () => parseRuns('N,D,loss,batch\n1e8,2e9,3,\n1e8,2e9,3,4\n', { source: 'x.csv', require: ['batch', 'loss'] }),
    2,
    4,
  );
  // A word is no blank: refused where it is.
  located(() => parseRuns('N,D,loss,lr\n1e8,2e9,3,0.01\n2e8,2e9,2.9,adam\n', { source: 'x.csv' }), 3, 4);
  // A column mapped to a field with no number in any run is refused: the mapping asked for numbers there.
  assert.match(
    located(() => parseRuns('N,D,loss,foo\n1e8,2e9,3,\n', { source: 'x.csv', columns: { lr: 'foo' } }), 2),
    /expected a non-negative number for lr in "foo" \(option "columns" lr=foo\), but no run has one there/,
  );
  // A column of its field's own name with no number in any run is left unread, and said so.
  const none = parseRuns('N,D,loss,lr\n1e8,2e9,3,\n2e8,2e9,2.9,n/a\n', { source: 'x.csv' });
  assert.equal(none.columns.lr, undefined);
  assert.deepEqual(none.unreadWhy, { lr: 'lr: no run has a number there' });
  assert.equal(none.notRecorded, undefined);
  // U, like N, D, C and loss, is a coordinate of the fit: a blank there is refused, with how to leave it unread.
  assert.match(
    located(() => parseRuns('N,D,U,loss\n1e8,2e9,1e9,3\n2e8,2e9,,2.9\n', { source: 'x.csv' }), 3, 3),
    /expected a positive number for U, got an empty cell \(a column with numbers needs one in every run: fill it in, or leave the column unread, option "columns" U=-\)$/,
  );
  // A required column's blank has no such hint: a run cannot be read without its loss.
  assert.doesNotMatch(
    located(() => parseRuns('N,D,loss\n1e8,2e9,\n', { source: 'x.csv' }), 2),
    /leave the column unread/,
  );
});

/** A small ladder (four sizes, two ratios) of L = 1.69 + 406.4/N^0.34 + 410.7/D^0.28, rows "N,D,loss". */
function ladderRows(): string[] {
  const rows: string[] = [];
  for (const N of [2e7, 5e7, 1e8, 2e8])
    for (const perParam of [10, 40]) {
      const D = N * perParam;
      rows.push(`${N},${D},${(1.69 + 406.4 / N ** 0.34 + 410.7 / D ** 0.28).toFixed(4)}`);
    }
  return rows;
}

test('a header whose unit is not read (params (MM), (m), x1e6; lr (1e-3), loss (M)) is refused where a mapping reads it, and said where no name finds it', () => {
  const sizes = ladderRows().map((r) => r.replace(/^(\d+e?\d*)/, (n) => String(Number(n) / 1e6)));
  for (const unit of ['MM', 'm', 'x1e6', 'Mio.', 'mil']) {
    const header = `params (${unit})`;
    const body = [`${header},tokens,loss`, ...sizes].join('\n') + '\n';
    // Read as written, N would be fitted in millions (760 parameters), with only a note on a small N.
    const message = located(() => parseRuns(body, { source: 'u.csv', columns: { N: header } }), 1, 1);
    assert.match(message, new RegExp(`gives N in a unit this reader does not know, "${unit.replace('.', '\\.')}"`));
    assert.match(message, /rename the column \(params \(M\) for millions\)/);
    if (unit === 'm') assert.match(message, /a lowercase m could mean milli or mega/);
    // No name finds the column: N is missing, and the list of columns says why this one was not read.
    const d = parseRuns(body, { source: 'u.csv' });
    assert.equal(d.columns.N, undefined);
    assert.match(
      describeColumns(d),
      new RegExp(`not read: params \\(${unit.replace('.', '\\.')}\\) \\(N in a unit not read`),
    );
  }
  const lr = ['N,D,loss,lr (1e-3)', ...ladderRows().map((r) => `${r},3`)].join('\n') + '\n';
  assert.match(
    located(() => parseRuns(lr, { source: 'lr.csv', columns: { lr: 'lr (1e-3)' } }), 1, 4),
    /the header "lr \(1e-3\)" gives lr a unit \(1e-3\), but lr is read as written/,
  );
  const loss = ['N,D,loss (M)', ...ladderRows()].join('\n') + '\n';
  assert.match(
    located(() => parseRuns(loss, { source: 'l.csv', columns: { loss: 'loss (M)' } }), 1, 3),
    /gives loss a unit \(M\)/,
  );
  // Words that say what the column counts are no unit: read as written when mapped.
  for (const header of ['N (params)', 'params (non-embedding)', 'tokens (count)']) {
    const field = header.startsWith('tokens') ? 'D' : 'N';
    const body = [field === 'D' ? `N,${header},loss` : `${header},D,loss`, ...ladderRows()].join('\n') + '\n';
    const d = parseRuns(body, { source: 'w.csv', columns: { [field]: header } });
    assert.equal(d.runs[0][field], field === 'N' ? 2e7 : 2e8, header);
    assert.equal(d.scaled, undefined);
  }
  // A cell's P suffix is a header's unit too.
  const peta = parseRuns(['C (P),N,loss', '1.2,2e7,4.1', '4.8,5e7,3.9'].join('\n') + '\n', { source: 'p.csv' });
  assert.equal(peta.runs[1].C, 4.8e15);
});

test("a totals word that names a group or an arm on several rows (an ablation's mean and sum pooling) is read; on one row it is a totals row", () => {
  const arms = ['pooling,N,D,loss', ...ladderRows().flatMap((r) => [`mean,${r}`, `sum,${r}`])].join('\n') + '\n';
  assert.equal(parseRuns(arms, { source: 'arms.csv' }).runs.length, 16);
  const groups = ['N,D,loss,group', ...ladderRows().flatMap((r) => [`${r},Mean`, `${r},avg`])].join('\n') + '\n';
  const read = parseRuns(groups, { source: 'g.csv' });
  assert.deepEqual([...new Set(read.runs.map((r) => r.group))], ['Mean', 'avg']);
  // One row so labelled, even before the rows it sums, is refused once the file is read, at its cell.
  const one = ['group,N,D,loss', 'Total,6.2e8,1.24e10,3.3', ...ladderRows().map((r) => `a,${r}`)].join('\n') + '\n';
  assert.match(
    located(() => parseRuns(one, { source: 't.csv' }), 2, 1),
    /"Total" reads as a spreadsheet's totals row, not a run .*rename the group/,
  );
  // A totals row's blank N is said as the totals row, not as a blank.
  const blank = ['group,N,D,loss', ...ladderRows().map((r) => `a,${r}`), 'Sum,,,26.1'].join('\n') + '\n';
  assert.match(
    located(() => parseRuns(blank, { source: 't.csv' }), 10, 1),
    /"Sum" reads as a spreadsheet's totals row/,
  );
});

test("the unlabelled totals row: an AVERAGE printed to fewer digits is refused; a larger run's loss printed with more digits just under the mean reads", () => {
  const seeds = ['N,D,loss', '1e8,2e9,3.10', '1e8,2e9,3.12', '1e8,2e9,3.11'];
  // 3.108 is lower than the seeds' mean 3.11 (the 3N run is better): a run, not a totals row.
  assert.equal(parseRuns([...seeds, '3e8,6e9,3.108'].join('\n') + '\n', { source: 's.csv' }).runs.length, 4);
  // The mean to the digits printed (3.1 for 3.11) is an AVERAGE: refused, as the loss equal to the mean is.
  for (const loss of ['3.1', '3.11'])
    assert.match(
      located(() => parseRuns([...seeds, `3e8,6e9,${loss}`].join('\n') + '\n', { source: 's.csv' }), 5, 1),
      /are the sums of the 3 rows above it .* no lower than their mean 3\.11/,
    );
});

test("Excel's subtotal rows ('adam Total' below the rows of adam) are refused at their cell; a name that only ends in a totals word reads", () => {
  const rows = ladderRows();
  const body = ['optimizer,N,D,loss', ...rows.map((r) => `adam,${r}`), 'adam Total,6.2e8,1.24e10,26.2'];
  assert.match(
    located(() => parseRuns(body.join('\n') + '\n', { source: 'sub.csv' }), 10, 1),
    /"adam Total" reads as a spreadsheet's subtotal row of "adam" \(its total\), not a run/,
  );
  // "lion mean" is no subtotal where no row above is "lion"; nor is a name that is only a totals word's prefix.
  const arms = ['optimizer,N,D,loss', ...rows.map((r) => `adam,${r}`), ...rows.map((r) => `lion mean,${r}`)];
  assert.equal(parseRuns(arms.join('\n') + '\n', { source: 'arms.csv' }).runs.length, 16);
  // Compute in PF-days is a unit, not a scale this reader applies: refused where mapped.
  const pf = ['N,D,loss,compute (PF-days)', ...rows.map((r) => `${r},1`)].join('\n') + '\n';
  assert.match(
    located(() => parseRuns(pf, { source: 'pf.csv', columns: { C: 'compute (PF-days)' } }), 1, 4),
    /"PF-days"/,
  );
});
