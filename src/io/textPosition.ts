/** Line and column of a character offset, for located errors in parsed text. Pure. */

/** Offsets at which each line starts (line 1 at 0). */
export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of `offset`, by binary search over `lineStarts`. */
export function lineColumn(lineStarts: number[], offset: number): { line: number; column: number } {
  let lo = 0,
    hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
}

/**
 * Finds where a CSV quoted field that is never closed opens. csv-parse only notices at the end of
 * the file; the user needs the line and field of the opening quote. Feed the text in chunks (a
 * streamed file) or at once. RFC 4180 quoting: `"` opens and closes, `""` inside quotes is a quote.
 * Pure.
 */
export class OpenQuoteScanner {
  private line = 1;
  /** 1-based field of the current record (CSV errors name fields as columns, as csv-parse does). */
  private field = 1;
  private inQuote = false;
  /** A quote seen inside a quoted field whose meaning (close, or `""`) depends on the next character. */
  private pendingQuote = false;
  private opened: { line: number; field: number } | undefined;
  private readonly delimiter: number;

  constructor(delimiter = ',') {
    this.delimiter = delimiter.charCodeAt(0);
  }

  feed(chunk: string): void {
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk.charCodeAt(i);
      if (this.pendingQuote) {
        this.pendingQuote = false;
        // `""` is an escaped quote and the field stays open; anything else closed it.
        if (ch === 34) continue;
        this.inQuote = false;
      }
      if (ch === 10) this.line++;
      if (this.inQuote) {
        if (ch === 34) this.pendingQuote = true;
      } else if (ch === 34) {
        this.inQuote = true;
        this.opened = { line: this.line, field: this.field };
      } else if (ch === this.delimiter) this.field++;
      else if (ch === 10) this.field = 1;
    }
  }

  /** Line and field (1-based) of the quote still open at the end of the text, if any. */
  unclosed(): { line: number; field: number } | undefined {
    return this.inQuote && !this.pendingQuote ? this.opened : undefined;
  }
}

/** A short, one-line rendering of a cell or name for error messages (control characters escaped, long text cut). */
export function quoteForMessage(text: string, max = 40): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}
