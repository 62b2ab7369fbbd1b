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

/**
 * Finds the first bytes of a file that are not UTF-8 (a CSV saved as Latin-1 or Windows-1252), with
 * their line and column: read as UTF-8 they become U+FFFD, and two names differing only there
 * ("café", "cafè") become one. Feed the bytes in chunks; `end()` after the last. Column counts
 * characters, as the other errors' columns do. Pure.
 */
export class Utf8Scanner {
  private line = 1;
  private column = 1;
  private offset = 0;
  /** Continuation bytes the current character still needs, and the range its next one must be in. */
  private need = 0;
  private lo = 0x80;
  private hi = 0xbf;
  /** Where the current multi-byte character started, and its bytes so far. */
  private start = { line: 1, column: 1, offset: 0 };
  private held: number[] = [];
  private bad: { line: number; column: number; offset: number; bytes: number[] } | undefined;

  /** Feeds a chunk; the first bad place once found (and then every later call returns it). */
  feed(chunk: Uint8Array): Utf8Scanner['bad'] {
    for (let i = 0; i < chunk.length && !this.bad; i++, this.offset++) {
      const b = chunk[i];
      if (this.need) {
        if (b < this.lo || b > this.hi) {
          this.bad = { ...this.start, bytes: this.held };
          break;
        }
        this.held.push(b);
        this.lo = 0x80;
        this.hi = 0xbf;
        if (--this.need === 0) this.column++;
        continue;
      }
      if (b < 0x80) {
        if (b === 10) {
          this.line++;
          this.column = 1;
        } else this.column++;
        continue;
      }
      this.start = { line: this.line, column: this.column, offset: this.offset };
      this.held = [b];
      // The lead bytes of RFC 3629 (Table 3-7 of Unicode): no overlong forms, no surrogates, ≤ U+10FFFF.
      if (b >= 0xc2 && b <= 0xdf) this.need = 1;
      else if (b >= 0xe0 && b <= 0xef) {
        this.need = 2;
        if (b === 0xe0) this.lo = 0xa0;
        if (b === 0xed) this.hi = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        this.need = 3;
        if (b === 0xf0) this.lo = 0x90;
        if (b === 0xf4) this.hi = 0x8f;
      } else this.bad = { ...this.start, bytes: [b] };
    }
    return this.bad;
  }

  /** After the last chunk: a character cut off by the end of the file is bad too. */
  end(): Utf8Scanner['bad'] {
    if (!this.bad && this.need) this.bad = { ...this.start, bytes: this.held };
    return this.bad;
  }
}

/** The error's detail for bytes that are not UTF-8: which bytes, and the likely cause. */
export function notUtf8Detail(bad: { offset: number; bytes: number[] }): string {
  const shown = bad.bytes.map((b) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`).join(' ');
  return `byte ${bad.offset} (${shown}) is not UTF-8 text: the file was saved in another encoding (Latin-1 or Windows-1252, as ${bad.bytes[0] >= 0xa0 ? `"${String.fromCharCode(bad.bytes[0])}"` : 'a symbol'}?); expected UTF-8 (save it as UTF-8), as a name read otherwise would be altered`;
}

/**
 * The note for a file whose last line has no line end and may have been cut by a writer killed mid-row
 * or a copy still in progress ("…,2." of 2.15 reads as 2), given the file's last lines; undefined
 * when nothing suggests a cut. A cut number cannot be told from a short one, and many hand-written files
 * (and some published ones: examples/revisiting-*.csv) lack a final newline, so this is a note and only
 * where the last field looks cut: a number ending mid-form ("2.", "1e", "3e-"), or one written with fewer
 * decimals than the same column one row up where the rows above print the column to one precision
 * (2.15 after 2.31, cut to 2 or 2.1; a writer of shortest forms, 3.6217, 3.35, 2.71, prints some values
 * shorter and says nothing by it), or an integer with fewer digits than the integer in the same column one
 * row up where the column grows down the rows above (a step or N of 12000 cut to 120: a cut drops at least
 * one digit, so the value falls at least tenfold, which a step or a token count growing down a run's rows
 * does not between neighbouring rows; a table sorted by size descending falls by design, and its last
 * size's fewer digits say nothing). The rows above are those in `lastLines` with the last row's number of
 * fields. A row ending in a word, a quote or a brace (JSON, JSONL) is whole, or is refused by its parser. Pure.
 */
export function cutLastLineNote(lastLines: string): string | undefined {
  if (lastLines === '' || lastLines.endsWith('\n') || lastLines.endsWith('\r')) return undefined;
  const lines = lastLines.split(/\r?\n/);
  const last = lines[lines.length - 1];
  const before = lines.length > 1 ? lines[lines.length - 2] : undefined;
  const lastField = (line: string) => {
    const fields = line.split(line.includes('\t') ? '\t' : line.includes(',') ? ',' : /\s+/);
    return { value: fields[fields.length - 1].trim().replace(/^"(.*)"$/, '$1'), count: fields.length };
  };
  const { value, count } = lastField(last);
  const numberForm = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d*)?$/;
  if (!numberForm.test(value)) return undefined;
  const decimals = (v: string) => /\.(\d*)/.exec(v.split(/[eE]/)[0])?.[1].length ?? 0;
  const midForm = /[.eE+-]$/.test(value);
  const above = before === undefined ? undefined : lastField(before);
  // The column's values in the rows above, nearest first, back to a row with other fields (a header).
  const column: string[] = [];
  for (let i = lines.length - 2; i >= 0; i--) {
    const f = lastField(lines[i]);
    if (f.count !== count || !numberForm.test(f.value)) break;
    column.push(f.value);
  }
  const fewerDecimals =
    above !== undefined &&
    above.count === count &&
    numberForm.test(above.value) &&
    decimals(value) < decimals(above.value) &&
    column.every((v) => decimals(v) === decimals(above.value));
  const integer = /^[-+]?\d+$/;
  const digits = (v: string) => v.replace(/^[-+]?0*/, '').length;
  const fewerDigits =
    above !== undefined &&
    above.count === count &&
    integer.test(value) &&
    integer.test(above.value) &&
    digits(value) < digits(above.value) &&
    column.every((v, i) => i === 0 || Number(v) <= Number(column[i - 1]));
  if (!midForm && !fewerDecimals && !fewerDigits) return undefined;
  const why = fewerDecimals
    ? ` (${decimals(above.value)} decimals in the row above)`
    : fewerDigits
      ? ` (${digits(above.value)} digits in the row above: ${above.value})`
      : '';
  return `the last line has no line end and its last number (${value}) looks cut${why}: if the file was still being written, its last row may be cut; read as written`;
}
