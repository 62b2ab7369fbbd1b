/**
 * A JSON file read whole (a fit, a schedule file, a curve-law fit, a ladder manifest, lm-evaluation-harness
 * results) with one located error for whatever is wrong: UTF-16 or binary data first, then the first
 * syntax error at its line and column, in words (jsonSyntax.ts). V8's own message is not shown: it says
 * "position 38559" rather than a line, and quotes a snippet of the file with its raw line breaks and
 * NULs, which breaks a one-line error. Pure.
 */
import { findNodeAtLocation, parse as parseJsonc, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { InputError } from '../errors/index.js';
import { malformedJson } from './jsonSyntax.js';
import { BINARY_CHECK_CHARS, binaryProblem, stripBom } from './parseRuns.js';
import { lineColumn, lineStartsOf, quoteForMessage } from './textPosition.js';

/**
 * Python's json.dumps writes NaN, Infinity and -Infinity bare, which JSON does not allow. Read with
 * `nonFinite: 'tag'`, each becomes a string of a NUL and the word ("\u0000NaN"), for the reader to
 * say where it is or to take as the number. Strings are matched first and kept whole, so a NaN inside
 * one (an lm-eval "config" string "scores: [0.1, NaN]") stays text; only group 1 matched is a bare one.
 */
const PYTHON_NON_FINITE = /"(?:[^"\\]|\\.)*"|([:[,]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g;

/** Each bare NaN or infinity in JSON text (not inside a string) written as `write` has it. */
function replaceNonFinite(text: string, write: (before: string, word: string) => string): string {
  return text.replace(PYTHON_NON_FINITE, (match: string, before: string | undefined, word: string | undefined) =>
    before === undefined || word === undefined ? match : write(before, word),
  );
}

export function tagNonFinite(text: string): string {
  return replaceNonFinite(text, (before, word) => `${before}"\\u0000${word}"`);
}

/** The same text with each bare NaN or infinity written as a number of the same length, so offsets still hold. */
function neutraliseNonFinite(text: string): string {
  return replaceNonFinite(text, (before, word) => `${before}1${'0'.repeat(word.length - 1)}`);
}

/**
 * The first syntax error of JSON text that JSON.parse refused: its offset and what is wrong, in words.
 * @param refusal JSON.parse's error, whose position (where it gives one) is the exact character; the
 *   words and, where V8 names no position, the place come from a second, tolerant parse
 */
export function jsonSyntaxError(
  text: string,
  refusal?: unknown,
  options: { nonFinite?: 'tag' } = {},
): { offset: number; detail: string } {
  // Tagging moves what follows each NaN (and V8's positions with it): the error is looked for in text
  // of the original length, each NaN or infinity written as a number.
  if (options.nonFinite === 'tag') return jsonSyntaxError(neutraliseNonFinite(text));
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
  const position = /position (\d+)/.exec(refusal instanceof Error ? refusal.message : '');
  const first = errors[0];
  const offset = position ? Number(position[1]) : (first?.offset ?? 0);
  if (first === undefined) return { offset, detail: 'malformed JSON' };
  const words = malformedJson(first.error, { text, offset });
  // The character itself where it is the trouble (a NUL, a stray byte, a control character in a string).
  const char = text[offset];
  const code = printParseErrorCode(first.error);
  const shown =
    char !== undefined && (code === 'InvalidSymbol' || code === 'InvalidCharacter') && !/ is not JSON /.test(words)
      ? ` (got ${quoteForMessage(char)})`
      : '';
  return { offset, detail: `${words}${shown}` };
}

/**
 * Parse a JSON file's text.
 * @param expected what the file should hold, for every error ("a fit written by \"scalelab fit --json\"")
 * @param options.nonFinite 'tag': Python's bare NaN and infinities read as tagged strings (tagNonFinite)
 * @throws InputError naming the file, line and column of the first problem
 */
export function parseJsonText(
  text: string,
  source: string,
  expected: string,
  options: { nonFinite?: 'tag' } = {},
): unknown {
  const binary = binaryProblem(text.slice(0, BINARY_CHECK_CHARS), source, expected);
  if (binary) throw binary;
  const body = stripBom(text);
  if (body.trim() === '') throw new InputError({ file: source }, `the file is empty; expected ${expected}`);
  try {
    return JSON.parse(options.nonFinite === 'tag' ? tagNonFinite(body) : body);
  } catch (e) {
    const { offset, detail } = jsonSyntaxError(body, e, options);
    throw new InputError(
      { file: source, ...lineColumn(lineStartsOf(body), offset) },
      `${detail}; expected ${expected}`,
    );
  }
}

/**
 * Where a field of JSON text is (its value's first character), for an error about a field that parsed
 * but is wrong: the line and column of `path` ("fits", 0, "params"), or, when the field is missing, of
 * the nearest object or array above it that should hold it; nothing for text that does not parse.
 * @returns a function giving the place of each path (the text is parsed once, on the first call)
 */
export function jsonFieldPlaces(text: string): (path: (string | number)[]) => { line?: number; column?: number } {
  let root: ReturnType<typeof parseTree> | null = null;
  let starts: number[] | undefined;
  return (path) => {
    root ??= parseTree(text) ?? null;
    if (!root) return {};
    let node = findNodeAtLocation(root, path);
    for (let depth = path.length - 1; !node && depth >= 0; depth--)
      node = findNodeAtLocation(root, path.slice(0, depth));
    starts ??= lineStartsOf(text);
    return node ? lineColumn(starts, node.offset) : {};
  };
}
