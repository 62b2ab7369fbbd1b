/**
 * ScaleLab's typed errors. Every error a user can cause is one of these, so the CLI can print
 * one clear line (no stack trace) and exit non-zero; anything else is a bug and is reported as one.
 */

/**
 * The exit codes of every command: 0 done; 1 it ran but the result is a failure (a sweep with failed
 * runs, a fit with no usable result, a busy store, a backend that failed); 2 a usage or input error
 * (an unknown command or flag, a missing argument, a bad flag value, a bad input file, located); 70
 * an internal error (a bug in ScaleLab).
 */
export const exitCodes = { ok: 0, failed: 1, usage: 2, internal: 70 } as const;

/** Base class: an error the user can fix by changing input, flags or data. */
export class ScaleLabError extends Error {
  override name = 'ScaleLabError';
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = exitCodes.failed;
}

/** Where in an input file a problem sits. Lines and columns are 1-based. */
export interface Location {
  file: string;
  line?: number;
  column?: number;
  /** Column name as written in the file's header, when there is one. */
  columnName?: string;
}

/** Bad data in an input file: names the file, line and column, and says what was expected. */
export class InputError extends ScaleLabError {
  override name = 'InputError' as const;
  override readonly exitCode = exitCodes.usage;
  readonly location: Location;
  readonly detail: string;

  constructor(location: Location, detail: string) {
    super(`${formatLocation(location)}: ${detail}`);
    this.location = location;
    this.detail = detail;
  }
}

/** A bad flag, option or argument value (not tied to a file position). */
export class UsageError extends ScaleLabError {
  override name = 'UsageError' as const;
  override readonly exitCode = exitCodes.usage;
}

/** A fit that cannot be attempted or produced no usable result. */
export class FitError extends ScaleLabError {
  override name = 'FitError' as const;
}

export function formatLocation(loc: Location): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) s += `:${loc.column}`;
  if (loc.columnName !== undefined) s += ` (column "${loc.columnName}")`;
  return s;
}

export function isScaleLabError(e: unknown): e is ScaleLabError {
  return e instanceof Error && e instanceof ScaleLabError;
}
