import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { forEachRun, readRuns, readText, simpleCsvRecords } from './readRuns.js';
import { csvOptions, parseRuns } from './parseRuns.js';
import { cutLastLineNote, OpenQuoteScanner, Utf8Scanner } from './textPosition.js';
import { readTaskMetrics } from './readTaskMetrics.js';
import { InputError } from '../errors/index.js';

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
  both('semicolons.csv', csv.replace(/,/g, ';').replace('"a; b"', 'a b'));
  both('decimal-comma.csv', csv.replace(/,/g, ';').replace('"a; b"', 'a b').replace('2.9', '2,9'));
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

test("a semicolon file's first-row 3.125 reads by a later row's decimal point, streamed as held whole", () => {
  // pandas' to_csv(sep=';') prints as many decimals as a value needs: 3.125 first, 2.9871 below it. Before,
  // the first row was refused (no number above it showed the mark), though the file says which it is.
  const pandas = 'N;D;loss\n125000000;2500000000;3.125\n350000000;7000000000;2.9871\n760000000;15000000000;2.7\n';
  assert.deepEqual(
    parseRuns(pandas, { source: 'pandas.csv' }).runs.map((r) => r.loss),
    [3.125, 2.9871, 2.7],
  );
  both('pandas.csv', pandas);
  // A comma file's 2.500 steps in its first row read by a comma further down: 2500.
  both('de-late.csv', 'N;D;step;loss\n1e8;2e9;2.500;3\n2e8;4e9;5.000;2,9\n');
  assert.deepEqual(
    readRuns(join(dir, 'de-late.csv')).runs.map((r) => r.step),
    [2500, 5000],
  );
  // The marks mixed: refused where the other one shows, wherever the file's first is.
  both('mixed-late.csv', 'N;D;loss\n1e8;2e9;3.125\n2e8;4e9;2,9\n3e8;6e9;2.85\n');
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

// The plain-file reader gives csv-parse's records and lines, or declines and leaves the file to it.
test('simpleCsvRecords reads plain files as csv-parse does and declines the others', () => {
  const csvParse = (text: string) =>
    (
      parseCsv(Buffer.from(text, 'utf8'), { ...csvOptions('x.csv'), info: true }) as unknown as {
        record: string[];
        info: { lines: number };
      }[]
    ).map(({ record, info }) => [info.lines, record]);
  const plain = [
    'N,D,loss\n1e8,2e9,3.1\n2e8,4e9,2.9\n',
    'N,D,loss\n1e8,2e9,3.1\n2e8,4e9,2.9',
    '\ufeffN,D,loss\n1e8,2e9,3.1\n',
    'N,D,loss\r\n1e8,2e9,3.1\r\n\r\n2e8,4e9,2.9\r\n',
    '\n\nN , D,loss \n\n 1e8,  2e9 ,3.1\n\n\n2 e8,4e9,\n',
    'N,D,loss,group\n1e8,2e9,3.1,a b\n,,,\n',
  ];
  for (const text of plain) {
    const records = simpleCsvRecords(Buffer.from(text, 'utf8'), ',');
    assert.ok(records, JSON.stringify(text));
    assert.deepEqual(records, csvParse(text), JSON.stringify(text));
  }
  const declined = [
    'N,D,loss\n"1e8",2e9,3.1\n', // quotes
    'N,D,loss\n1e8,2e9\n', // a short record: csv-parse's error
    'N,D,loss\n1e8,2e9,3.1\n   \n', // a line of spaces
    'N,D,loss\n1e8,2e9,3.1\t\n', // a tab
    'N,D,loss\r\n1e8,2e9,3.1\n', // mixed line ends
    'N,D,loss\r1e8,2e9,3.1\r', // CR line ends
    'N,D,loss,name\n1e8,2e9,3.1,Müller\n', // not ASCII
    '', // no records
    '\n\n',
  ];
  for (const text of declined)
    assert.equal(simpleCsvRecords(Buffer.from(text, 'utf8'), ','), undefined, JSON.stringify(text));
  assert.equal(simpleCsvRecords(Buffer.from('N\tD\n1\t2\n'), '\t'), undefined);
});

test('a plain CSV file and the same file with a quoted field read to the same runs and lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-simplecsv-'));
  const rows = ['N,D,loss', '', '1e8,2e9,3.1', '2e8 , 4e9,2.9', '', '4e8,8e9,2.7', ''];
  const plain = join(dir, 'plain.csv');
  const quoted = join(dir, 'quoted.csv');
  writeFileSync(plain, rows.join('\n'));
  writeFileSync(quoted, rows.join('\n').replace('4e8', '"4e8"'));
  assert.ok(simpleCsvRecords(Buffer.from(rows.join('\n')), ','));
  const a = readRuns(plain);
  const b = readRuns(quoted);
  assert.equal(a.runs.length, 3);
  assert.deepEqual(
    a.runs.map((r) => [r.line, r.N, r.D, r.loss]),
    b.runs.map((r) => [r.line, r.N, r.D, r.loss]),
  );
});

test('a file saved as Latin-1 is refused at its first byte that is not UTF-8, not read with names merged', () => {
  // "café" and "cafè" in Windows-1252: read as UTF-8 both became "caf\uFFFD", one run of 3 checkpoints.
  const csv = Buffer.concat([
    Buffer.from('run,step,N,D,loss\ncaf'),
    Buffer.from([0xe9]),
    Buffer.from(',1,1e8,2e9,3.1\ncaf'),
    Buffer.from([0xe8]),
    Buffer.from(',2,1e8,4e9,3.0\nb,1,2e8,4e9,2.9\n'),
  ]);
  const refusal = (f: () => unknown): InputError => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof InputError, String(e));
      return e;
    }
    assert.fail('accepted');
  };
  for (const [name, bytes] of [
    ['latin1.csv', csv],
    ['latin1.jsonl', Buffer.from('{"run": "caf\u00e9", "N": 1e8, "D": 2e9, "loss": 3.1}\n', 'latin1')],
  ] as const) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const e = refusal(() => readRuns(path));
    assert.deepEqual([e.location.line, e.location.column], name.endsWith('.csv') ? [2, 4] : [1, 13]);
    assert.match(e.detail, /\(0xE9\) is not UTF-8 text: .*Latin-1 or Windows-1252, as "é"\?\); expected UTF-8/);
  }
  // Files read whole (a fit, a JSON array) and task metrics, the same.
  const json = join(dir, 'latin1.json');
  writeFileSync(
    json,
    Buffer.from('{"results": {"piqa": {"acc,none": 0.6}}, "config": {"model_args": "pretrained=caf\u00e9"}}', 'latin1'),
  );
  assert.equal(refusal(() => readText(json, 'a fit')).location.line, 1);
  assert.match(refusal(() => readTaskMetrics([json])).detail, /is not UTF-8 text/);
  // A U+FFFD written as UTF-8 is text, and a name in UTF-8 reads as it is.
  const utf8 = join(dir, 'utf8.csv');
  writeFileSync(utf8, 'run,N,D,loss\ncafé,1e8,2e9,3.1\n\uFFFD,2e8,4e9,2.9\n');
  assert.deepEqual(
    readRuns(utf8).runs.map((r) => r.run),
    ['café', '\uFFFD'],
  );
});

test('Utf8Scanner: the first bad bytes across chunks, a character cut by the end, and none in UTF-8', () => {
  const text = Buffer.from('a,b\nü€😀,');
  const scanner = new Utf8Scanner();
  // Fed a byte at a time, every multi-byte character is split between chunks.
  for (const b of text) assert.equal(scanner.feed(Uint8Array.of(b)), undefined);
  assert.equal(scanner.end(), undefined);
  const cut = new Utf8Scanner();
  assert.equal(cut.feed(Buffer.from('x\n\u20ac').subarray(0, 4)), undefined);
  assert.deepEqual(cut.end(), { line: 2, column: 1, offset: 2, bytes: [0xe2, 0x82] });
  // An overlong encoding of "/" and a surrogate are not UTF-8 either.
  assert.deepEqual(new Utf8Scanner().feed(Uint8Array.of(0x61, 0xc0, 0xaf))?.bytes, [0xc0]);
  assert.deepEqual(new Utf8Scanner().feed(Uint8Array.of(0xed, 0xa0, 0x80))?.bytes, [0xed]);
});

/** What `read` writes on stderr. */
function stderrOf(read: () => unknown): string {
  const said: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((text: string) => (said.push(text), true)) as typeof process.stderr.write;
  try {
    read();
  } catch {
    // a reader that refuses after reading still notes what it read
  } finally {
    process.stderr.write = write;
  }
  return said.join('');
}

test('cutLastLineNote: a last line with no line end whose number ends mid-form, has fewer decimals than the row above, or is an integer with fewer digits; not a whole row, a word, JSON or a final newline', () => {
  assert.match(
    cutLastLineNote('1e8,2.31\n2e8,2.') ?? '',
    /last number \(2\.\) looks cut \(2 decimals in the row above\)/,
  );
  assert.match(cutLastLineNote('1e8,2.31\n2e8,2') ?? '', /looks cut/);
  assert.match(cutLastLineNote('1e8,2.31\n2e8,2.1') ?? '', /looks cut/);
  assert.match(cutLastLineNote('N\tloss\n1e8\t3e') ?? '', /\(3e\) looks cut/);
  assert.equal(cutLastLineNote('1e8,2.31\n2e8,2.15'), undefined);
  assert.equal(cutLastLineNote('1e8,2.31\n2e8,2\n'), undefined);
  assert.equal(cutLastLineNote('N,D,loss\n1e8,2e9,3.1\n2e8,4e9,chinchilla'), undefined);
  assert.equal(cutLastLineNote('[{"N": 1e8, "loss": 2.15}]'), undefined);
  assert.equal(cutLastLineNote('{"N": 1e8, "loss": 2.15}'), undefined);
  // The row above with another number of fields (a header) says nothing of the column's decimals.
  assert.equal(cutLastLineNote('N,loss,extra\n1e8,2'), undefined);
  // An integer (a step, N) with fewer digits than the same column's one row up: 12000 cut to 120.
  assert.match(
    cutLastLineNote('run,loss,step\na,3.1,11000\na,3.05,120') ?? '',
    /last number \(120\) looks cut \(5 digits in the row above: 11000\)/,
  );
  assert.match(cutLastLineNote('loss,N\n3.1,124000000\n3.2,1240') ?? '', /\(1240\) looks cut/);
  // As many digits as the row above, or more (steps that grow, a new size), or a final newline: no note.
  assert.equal(cutLastLineNote('run,loss,step\na,3.1,11000\na,3.05,12000'), undefined);
  assert.equal(cutLastLineNote('run,loss,step\na,3.1,9900\na,3.05,10000'), undefined);
  assert.equal(cutLastLineNote('run,loss,step\na,3.1,11000\na,3.05,120\n'), undefined);
  // Leading zeros are no digits of the value; a header above says nothing of the column.
  assert.equal(cutLastLineNote('loss,step\n3.1,0100\n3.05,200'), undefined);
  assert.equal(cutLastLineNote('loss,step\n3.05,200'), undefined);
});

test('cutLastLineNote: no note for a whole file whose last number is short by design — sizes sorted descending, or losses written in their shortest form', () => {
  // N descending, the last size with fewer digits (9000000 after 25000000): the column falls by design.
  assert.equal(
    cutLastLineNote(
      'loss,D,N\n2.93,4000000000,200000000\n3.35,1000000000,50000000\n3.62,500000000,25000000\n3.9,250000000,9000000',
    ),
    undefined,
  );
  // Shortest forms (Python's repr, JavaScript's String): the column's decimals vary, so 2.71 after 2.9311 is whole.
  assert.equal(
    cutLastLineNote(
      'N,D,loss\n25000000,500000000,3.6217\n50000000,1000000000,3.35\n200000000,4000000000,2.9311\n400000000,8000000000,2.71',
    ),
    undefined,
  );
  // A column that grows, or is printed to one precision, still gets the note when its last number falls short.
  assert.match(cutLastLineNote('run,loss,step\na,3.2,9000\na,3.1,11000\na,3.05,120') ?? '', /\(120\) looks cut/);
  assert.match(cutLastLineNote('N,loss\n1e8,3.12\n2e8,2.93\n4e8,2.7') ?? '', /\(2\.7\) looks cut/);
});

test("the examples' files, some without a final newline (revisiting-*.csv, as published), are read without the note", () => {
  const files = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(d, e.name)) : /\.(csv|jsonl?|tsv)$/.test(e.name) ? [join(d, e.name)] : [],
    );
  const all = files('examples');
  assert.ok(all.includes(join('examples', 'revisiting-lang.csv')));
  assert.ok(!readFileSync(join('examples', 'revisiting-lang.csv'), 'utf8').endsWith('\n'));
  for (const f of all) assert.equal(cutLastLineNote(readFileSync(f, 'utf8').slice(-65536)), undefined, f);
});

test('a runs, table or task metrics file whose last row is cut mid-number (no line end) is read with a note naming its file and line, streamed or whole', () => {
  const rows = ['N,D,loss', '1e8,2e9,3.15', '2e8,4e9,2.95', '4e8,8e9,2.'];
  const cut = join(dir, 'cut.csv');
  writeFileSync(cut, rows.join('\n'));
  const note = (path: string, line: number) =>
    new RegExp(
      `scalelab: note: ${path.replace(/[.\\]/g, '\\$&')}:${line}: the last line has no line end .* its last row may be cut`,
    );
  assert.match(
    stderrOf(() => readRuns(cut)),
    note(cut, 4),
  );
  assert.equal(readRuns(cut).runs[2].loss, 2); // read as written, not refused
  assert.match(
    stderrOf(() => readText(cut, 'a table')),
    note(cut, 4),
  );
  assert.match(
    stderrOf(() => readTaskMetrics([cut])),
    note(cut, 4),
  );
  // Whole, or with its line end: nothing said.
  const whole = join(dir, 'whole.csv');
  writeFileSync(whole, rows.join('\n') + '15');
  assert.equal(
    stderrOf(() => readRuns(whole)),
    '',
  );
  writeFileSync(whole, rows.join('\n') + '\n');
  assert.equal(
    stderrOf(() => readRuns(whole)),
    '',
  );
  // Past the size read whole (or quoted), csv-parse streams it. A JSONL row cut short is not JSON: refused.
  const big = join(dir, 'big-cut.csv');
  const many = ['N,D,loss'];
  for (let i = 1; many.length < 30000; i++) many.push(`${i}e6,${i}e8,"${(3 + 1 / i).toFixed(4)}"`);
  writeFileSync(big, many.join('\n') + '\n4e9,4e11,2.1');
  assert.match(
    stderrOf(() => forEachRun(big, {}, () => {})),
    note(big, 30001),
  );
  const jsonl = join(dir, 'cut.jsonl');
  writeFileSync(jsonl, '{"N": 1e8, "D": 2e9, "loss": 3.15}\n{"N": 2e8, "D": 4e9, "loss": 2.');
  assert.throws(() => readRuns(jsonl), /cut\.jsonl:2:30: malformed JSON: a number cut short/);
});
