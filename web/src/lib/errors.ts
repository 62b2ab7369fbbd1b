/** Errors as the app shows them: a title, the message, and where in the input the problem sits. */
import { isScaleLabError, type Location } from '../../../src/errors/index.js';

export interface ErrorInfo {
  /** ScaleLab's error type (InputError, UsageError, FitError …) or a generic one. */
  name: string;
  message: string;
  location?: Location;
  /** The option an error is about (an OptionError's `option`), for advice in the app's words. */
  option?: string;
  /** What to do next, in the page's words (withNextStep): the message says what was expected, this what to do. */
  next?: string;
}

/** Plain data from any thrown value (ScaleLab errors keep their location). */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (isScaleLabError(e)) {
    const location = 'location' in e ? (e as { location: Location }).location : undefined;
    const option =
      'option' in e && typeof (e as { option: unknown }).option === 'string'
        ? (e as { option: string }).option
        : undefined;
    return { name: e.name, message: e.message, ...(location ? { location } : {}), ...(option ? { option } : {}) };
  }
  if (e instanceof Error) return { name: e.name === 'Error' ? 'Error' : e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

/**
 * Where the file the user chose can be corrected: how this part of the page takes it again ("upload
 * the file again"), and where a column step sits when its columns can be said instead of fixed.
 */
export interface Retry {
  again: string;
  /** `below`: the column step opened under the error (a column not recognised); `here`: the error is the column step's own. */
  columnStep?: 'below' | 'here';
}

/**
 * The error with what to do next: a located message says what was expected at line 12, not that the
 * file is to be fixed there and chosen again, or its columns said in the column step. Unchanged when
 * the error is not located at a line of a file (nothing in the file to fix), or names an option.
 */
export function withNextStep(error: ErrorInfo, retry: Retry): ErrorInfo {
  const at = error.location;
  if (!at || at.line === undefined) return error;
  // A message that names an option has its own advice (said in the app's words, advice.ts): the
  // control to change is there, not necessarily the file.
  if (retry.columnStep !== 'below' && /option "/.test(error.message)) return error;
  const fix = `fix line ${at.line} of ${at.file} and ${retry.again}`;
  const next =
    retry.columnStep === 'below'
      ? `The column step is below: choose the columns there and "Open with these columns"; or rename them in line ${at.line} of ${at.file} and ${retry.again}.`
      : retry.columnStep === 'here' && at.columnName !== undefined
        ? `If "${at.columnName}" is not the column you meant, choose another above and "Open with these columns" again; otherwise ${fix}.`
        : `${fix[0].toUpperCase()}${fix.slice(1)}.`;
  return { ...error, next };
}
