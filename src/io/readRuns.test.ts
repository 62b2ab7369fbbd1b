import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRuns } from './readRuns.js';
import { parseRuns } from './parseRuns.js';
import { OpenQuoteScanner } from './textPosition.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-readruns-'));

/** The same text read from disk (streamed) and parsed whole: same runs, or the same error. */
function both(name: string, text: string, options: { require?: ('N' | 'D' | 'loss')[] } = {}): void {
  const path = join(dir, name);
  writeFileSync(path, text);
  let whole: unknown, streamed: unknown;
  try {
    whole = parseRuns(text, { ...options, source: path });
  } catch (e) {
    whole = (e as Error).message;
  }
  try {
    streamed = readRuns(path, options);
  } catch (e) {
    streamed = (e as Error).message;
  }
  assert.deepEqual(streamed, whole, name);
}

test('a file streamed from disk gives what parseRuns gives for its text, runs or error', () => {
  const csv = 'run,N,D,loss,group\nr1,1e8,2e9,3.1,"a, b"\nr2,2e8,4e9,2.9,"b"\n\nr3,4e8,8e9,2.8,c\n';
  both('ok.csv', csv);
  both('bom.csv', '\uFEFF' + csv.replace(/\n/g, '\r\n'));
  both('ok.tsv', csv.replace(/,/g, '\t').replace('"a\t b"', 'a b'));
  both('bad.csv', csv.replace('2.8', '-2.8'));
  both('quote.csv', csv.replace('r3,4e8', 'r3,"4e8'));
  both('dup.csv', csv.replace('group', 'N'));
  both('missing.csv', csv, { require: ['N', 'D', 'loss'] });
  const objects = [
    { N: 1e8, D: 2e9, loss: 3.1 },
    { N: 2e8, D: 4e9, loss: 2.9, group: 'x' },
  ];
  both('ok.json', '\uFEFF' + JSON.stringify(objects, null, 2));
  both('bad.json', JSON.stringify(objects).replace('2.9', '"2.9x"'));
  both('ok.jsonl', '\uFEFF' + objects.map((o) => JSON.stringify(o)).join('\r\n') + '\r\n\r\n');
  both('bad.jsonl', objects.map((o) => JSON.stringify(o)).join('\n') + '\n{"N": 1}\n');
  both('empty.csv', '');
  both('empty.jsonl', '\n\n');
});

test('OpenQuoteScanner finds where a quote that never closes opens, across chunks and escaped quotes', () => {
  const text = 'a,b,c\n1,"x ""y"" z",3\n4,5,"never\nclosed\n';
  for (const size of [1, 2, 3, 7, text.length]) {
    const s = new OpenQuoteScanner();
    for (let i = 0; i < text.length; i += size) s.feed(text.slice(i, i + size));
    assert.deepEqual(s.unclosed(), { line: 3, field: 3 }, `chunks of ${size}`);
  }
  const closed = new OpenQuoteScanner();
  closed.feed('a,"b ""c"""\n');
  assert.equal(closed.unclosed(), undefined);
});

test('readRuns streams tab-separated data saved as .csv, and sizes with suffixes, as parseRuns reads them', () => {
  const file = join(dir, 'pasted.csv');
  writeFileSync(file, 'N\tD\tloss\n70B\t1.4T\t2.1\n7b\t1.4e11\t2.4\n');
  assert.deepEqual(
    readRuns(file).runs.map((r) => [r.N, r.D, r.loss]),
    [
      [7e10, 1.4e12, 2.1],
      [7e9, 1.4e11, 2.4],
    ],
  );
});
