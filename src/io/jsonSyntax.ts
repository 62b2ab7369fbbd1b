/**
 * A JSON syntax error in words a reader acts on. jsonc-parser names its errors in code
 * (`CloseBraceExpected`): a runs file missing a `}` read "malformed JSON: CloseBraceExpected".
 */
import { printParseErrorCode, type ParseErrorCode } from 'jsonc-parser';

const WORDS: Record<string, string> = {
  InvalidSymbol: 'a character that cannot start a JSON value (strings need double quotes)',
  InvalidNumberFormat: 'a number written in a form JSON does not read',
  PropertyNameExpected: 'expected a key in double quotes (a trailing comma before "}"?)',
  ValueExpected: 'expected a value (a trailing comma, or a missing value after ":"?)',
  ColonExpected: 'expected ":" after a key',
  CommaExpected: 'expected "," between two values',
  CloseBraceExpected: 'expected "}" to close the object',
  CloseBracketExpected: 'expected "]" to close the array',
  EndOfFileExpected: 'more after the end of the JSON value (one value per file; one per line is JSONL, .jsonl)',
  InvalidCommentToken: 'a comment, which JSON does not allow',
  UnexpectedEndOfComment: 'an unclosed comment, which JSON does not allow',
  UnexpectedEndOfString: 'a string not closed by a double quote before the end of its line',
  UnexpectedEndOfNumber: 'a number cut short',
  InvalidUnicode: 'an invalid \\u escape',
  InvalidEscapeCharacter: 'an invalid escape after a backslash',
  InvalidCharacter: 'a control character inside a string',
};

/**
 * `malformed JSON: expected "}" to close the object` and the like.
 * @param at the text and the error's offset in it: a bare NaN or infinity there (Python's json.dumps
 *   writes them by default) is said as what it is, not as a character that "needs double quotes"
 */
export function malformedJson(code: ParseErrorCode, at?: { text: string; offset: number }): string {
  const word = at && nonFiniteWord(at.text, at.offset);
  if (word !== undefined)
    return `malformed JSON: ${word} is not JSON (Python's json.dumps writes it by default): write null or leave the field out`;
  const name = printParseErrorCode(code);
  return `malformed JSON: ${WORDS[name] ?? name}`;
}

/** The bare NaN, Infinity or -Infinity at (or, for -Infinity, one character before) `offset`, if one is there. */
export function nonFiniteWord(text: string, offset: number): string | undefined {
  for (const start of [offset, offset - 1]) {
    const m = /^(-?Infinity|NaN)(?![\w$])/.exec(text.slice(Math.max(0, start), start + 10));
    if (m && start >= 0) return m[1];
  }
  return undefined;
}
