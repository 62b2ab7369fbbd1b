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

/** `malformed JSON: expected "}" to close the object` and the like. */
export function malformedJson(code: ParseErrorCode): string {
  const name = printParseErrorCode(code);
  return `malformed JSON: ${WORDS[name] ?? name}`;
}
