/** Errors as the app shows them: a title, the message, and where in the input the problem sits. */
import { isScaleLabError, type Location } from '../../../src/errors/index.js';

export interface ErrorInfo {
  /** ScaleLab's error type (InputError, UsageError, FitError …) or a generic one. */
  name: string;
  message: string;
  location?: Location;
  /** The option an error is about (an OptionError's `option`), for advice in the app's words. */
  option?: string;
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
