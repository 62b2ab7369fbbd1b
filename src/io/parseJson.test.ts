import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../errors/index.js';
import { parseJsonText } from './parseJson.js';
import { parseMetrics } from './parseMetrics.js';

const expected = 'a fit written by "scalelab fit --json"';

/** The one-line error of reading `text`, as file:line:column: detail. */
function refusal(text: string, options: { nonFinite?: 'tag' } = {}): string {
  try {
    parseJsonText(text, 'f.json', expected, options);
  } catch (e) {
    assert.ok(e instanceof InputError, String(e));
    assert.doesNotMatch(e.message, /[\n\r\0]/, 'one line, no raw control characters');
    assert.doesNotMatch(e.message, /position \d+/);
    return e.message;
  }
  return 'accepted';
}

test('a syntax error is located at its line and column, in words, with what the file should hold', () => {
  const fit = '{\n  "scalelab": {"kind": "fit"},\n  "law": "chinchilla",\n}\n';
  assert.equal(
    refusal(fit),
    `f.json:4:1: malformed JSON: expected a key in double quotes (a trailing comma before "}"?); expected ${expected}`,
  );
  assert.equal(
    refusal('// my fit\n{}'),
    `f.json:1:1: malformed JSON: a comment, which JSON does not allow; expected ${expected}`,
  );
  assert.equal(
    refusal('{"a": [1, 2'),
    `f.json:1:12: malformed JSON: expected "]" to close the array; expected ${expected}`,
  );
  // V8 names no position for a stray word: the place is found all the same.
  assert.match(refusal('{\n "a": nope}'), /^f\.json:2:7: malformed JSON: a character that cannot start a JSON value/);
  // A control character inside a string: shown escaped, at the character itself.
  assert.match(
    refusal('{"a": "x\u0001y"}'),
    /^f\.json:1:9: malformed JSON: a control character inside a string \(got "\\u0001"\)/,
  );
  assert.equal(refusal('  \n'), `f.json: the file is empty; expected ${expected}`);
});

test('UTF-16 and binary data are named before any syntax error; a UTF-8 BOM is read', () => {
  const utf16 = Buffer.from('\ufeff{"a": 1}', 'utf16le').toString('utf8');
  assert.equal(
    refusal(utf16),
    `f.json:1:1: the file looks like UTF-16 text; expected ${expected} in UTF-8 (save it as UTF-8)`,
  );
  assert.equal(refusal('{"a":\n 1}\0'), `f.json:2:4: binary data (a NUL byte): expected ${expected}`);
  assert.deepEqual(parseJsonText('\ufeff{"a": 1}', 'f.json', expected), { a: 1 });
});

test("Python's bare NaN and Infinity read as tagged strings; an error after them is still at its own column", () => {
  assert.deepEqual(parseJsonText('{"a": NaN, "b": -Infinity}', 'r.json', expected, { nonFinite: 'tag' }), {
    a: '\u0000NaN',
    b: '\u0000-Infinity',
  });
  assert.match(refusal('{"a": NaN, "b": 1,}', { nonFinite: 'tag' }), /^f\.json:1:19: malformed JSON: expected a key/);
});

test('a NaN or Infinity inside a JSON string is text, kept as it is; a bare one beside it is still tagged', () => {
  const text = '{"config": "scores: [0.1, NaN], lr: Infinity,", "q": "say \\"[1, NaN]\\"", "a": [NaN, 1]}';
  assert.deepEqual(parseJsonText(text, 'r.json', expected, { nonFinite: 'tag' }), {
    config: 'scores: [0.1, NaN], lr: Infinity,',
    q: 'say "[1, NaN]"',
    a: ['\u0000NaN', 1],
  });
  // An error after such a string is still at its own column.
  assert.match(
    refusal('{"c": "[0.1, NaN]", "a": NaN,}', { nonFinite: 'tag' }),
    /^f\.json:1:30: malformed JSON: expected a key/,
  );
  const read = parseMetrics(
    '{"tokens": 1, "note": "grad_norm: [1, NaN]", "grad_norm": NaN, "val_loss": 2}\n',
    'm.jsonl',
    true,
  );
  assert.deepEqual(read.evals, [{ tokens: 1, loss: 2, step: null }]);
  assert.equal(read.problem, undefined);
});

test("a trainer's metrics.jsonl: a BOM is read; a malformed line is located at its column, past a bare NaN", () => {
  const read = parseMetrics(
    '\ufeff{"tokens": 1, "val_loss": 2}\n  {"tokens": 2, "lr": NaN, "val_loss": 1.9,}\n',
    'm.jsonl',
    true,
  );
  assert.deepEqual(read.evals, [{ tokens: 1, loss: 2, step: null }]);
  assert.deepEqual(read.problemAt, {
    line: 2,
    column: 44,
    detail:
      'malformed JSON: expected a key in double quotes (a trailing comma before "}"?); expected a JSON object {"tokens": …, "val_loss": …}',
  });
  assert.equal(read.problem, `m.jsonl line 2, column 44: ${read.problemAt!.detail}`);
});

test("a bare NaN in a JSON file read strictly is said as Python's, at its line and column", () => {
  assert.equal(
    refusal('{\n  "E": NaN\n}\n'),
    `f.json:2:8: malformed JSON: NaN is not JSON (Python's json.dumps writes it by default): write null or leave the field out; expected ${expected}`,
  );
  // Read with nonFinite 'tag' (lm-eval results), it is a value.
  assert.equal(refusal('{"E": NaN}', { nonFinite: 'tag' }), 'accepted');
});
