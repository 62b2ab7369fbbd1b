/**
 * ScaleLab's typed errors. Every error a user can cause is one of these, so the CLI can print
 * one clear line (no stack trace) and exit non-zero; anything else is a bug and is reported as one.
 */

/**
 * Names an option in a message. The library names an option as its callers pass it (`option
 * "fix"`); the CLI names the flag the user typed (`--fix`, src/cli/optionFlags.ts).
 */
export type OptionNamer = (option: string) => string;

/** A message that may name options: plain text, or text built with an OptionNamer. */
export type Message = string | ((option: OptionNamer) => string);

/** How the library names an option in its own messages (what the web app shows). */
export const libraryOption: OptionNamer = (option) => `option "${option}"`;

/**
 * Text kept in the library's words (a saved fit's warnings, written with libraryOption) with its
 * options named by `name`: the CLI's report of a fit says `--init grid`, not `option "init" grid`.
 */
export function renameOptions(text: string, name: OptionNamer): string {
  return name === libraryOption ? text : text.replace(/option "([A-Za-z]+)"/g, (_, option: string) => name(option));
}

/**
 * The exit codes of every command: 0 done; 1 it ran but the result is a failure (a sweep with failed
 * runs, a fit with no usable result, a busy store, a backend that failed); 2 a usage or input error
 * (an unknown command or flag, a missing argument, a bad option value, a bad input file, located); 70
 * an internal error (a bug in ScaleLab).
 */
export const exitCodes = { ok: 0, failed: 1, usage: 2, internal: 70 } as const;

/** Base class: an error the user can fix by changing input, options or data. */
export class ScaleLabError extends Error {
  override name = 'ScaleLabError';
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = exitCodes.failed;
  /** The message as built, to name options another way (messageNaming). */
  private readonly phrase: ((option: OptionNamer) => string) | undefined;

  constructor(message: Message) {
    super(typeof message === 'string' ? message : message(libraryOption));
    this.phrase = typeof message === 'string' ? undefined : message;
  }

  /** The message with each option it names written by `name` (the CLI: as its flag). */
  messageNaming(name: OptionNamer): string {
    return this.phrase ? this.phrase(name) : this.message;
  }
}

/** Where in an input file a problem sits. Lines and columns are 1-based. */
export interface Location {
  file: string;
  line?: number;
  column?: number;
  /** Column name as written in the file's header, when there is one. */
  columnName?: string;
  /** The value's key path in a JSON file (`results.gsm8k["exact_match,strict-match"]`), when there is one. */
  keyPath?: string;
}

/** Bad data in an input file: names the file, line and column, and says what was expected. */
export class InputError extends ScaleLabError {
  override name = 'InputError' as const;
  override readonly exitCode = exitCodes.usage;
  readonly location: Location;
  /** What is wrong, without the location (options named as the library names them). */
  readonly detail: string;
  private readonly detailPhrase: (option: OptionNamer) => string;

  constructor(location: Location, detail: Message) {
    const phrase = typeof detail === 'string' ? () => detail : detail;
    super((name) => `${formatLocation(location)}: ${phrase(name)}`);
    this.location = location;
    this.detail = phrase(libraryOption);
    this.detailPhrase = phrase;
  }

  /** The detail with each option it names written by `name`, to wrap it in another message. */
  detailNaming(name: OptionNamer): string {
    return this.detailPhrase(name);
  }
}

/** A bad flag, option or argument value (not tied to a file position). */
export class UsageError extends ScaleLabError {
  override name: string = 'UsageError';
  override readonly exitCode = exitCodes.usage;
}

/**
 * A bad value of one of a call's options, named as the library names it (`fix`, `mfu`,
 * `inferenceTokens`); the CLI shows the flag instead. `message` says what is wrong: as text it
 * follows the option's name (`option "fix": N must be a positive number`), as a function it places
 * the name itself (`option "mfu" must be in (0, 1], got 2`). A UsageError: the CLI exits 2.
 */
export class OptionError extends UsageError {
  override name = 'OptionError';
  readonly option: string;
  readonly value: unknown;
  /** The values the option takes, when they are few. */
  readonly allowed: readonly unknown[] | undefined;

  constructor(o: { option: string; value?: unknown; allowed?: readonly unknown[]; message: Message }) {
    const { message } = o;
    super(typeof message === 'string' ? (name) => `${name(o.option)}: ${message}` : message);
    this.option = o.option;
    this.value = o.value;
    this.allowed = o.allowed;
  }
}

/**
 * Runs that were submitted and ran but failed, so the experiment cannot go on (every learning-rate
 * probe run failed or timed out): exit 1 like a sweep with failed runs, not 2 — nothing the user
 * typed was malformed.
 */
export class ExperimentError extends ScaleLabError {
  override name = 'ExperimentError' as const;
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
  if (loc.keyPath !== undefined) s += ` (key ${loc.keyPath})`;
  return s;
}

export function isScaleLabError(e: unknown): e is ScaleLabError {
  return e instanceof Error && e instanceof ScaleLabError;
}
