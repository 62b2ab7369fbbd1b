/**
 * When two rows are the same run written twice: every one of N, D, C, U and loss the same to the digits
 * it was printed with. A file written by another tool (a CSV and a JSONL export of one table, an export
 * that prints 6 significant digits, a spreadsheet's round trip) rounds values in their last digits, so
 * exact equality misses the copies; and a fixed tolerance either misses them (a relative 1e-6 misses
 * 1.23457e9 for 1234567890, 6 digits rounding by up to 5e-6) or merges runs the file tells apart (two
 * losses printed to 8 digits that differ in the 7th). The file's own text says how far its values were
 * rounded: a value read as "3.21456" stands for anything that rounds to it, 3.214555 … 3.214565. So a
 * value matches another when the less precise of the two is the more precise rounded to its digits: the
 * two differ by at most half a unit in the last digit printed. A value whose digits are not known (a
 * stored run, a value computed rather than read) counts as exact. Used by `runs import` (a row that
 * repeats a stored run) and by fit's duplicate-rows warning, so both call the same rows copies.
 */

/** The fields that say which run a row is. */
export type RunValueField = 'N' | 'D' | 'C' | 'U' | 'loss';

/** The values that say which run a row is (an unknown one as undefined or null). */
export interface RunValues {
  N?: number | null;
  D?: number | null;
  C?: number | null;
  U?: number | null;
  loss: number;
}

/**
 * Where the last digit printed of each value is, as a power of ten ("3.21456" → −5, "12000" → 0,
 * "1.23457e+09" → 4, "70B" → 9); Infinity for a value computed from the others (D = C/(6N)), which
 * follows from them and is not compared; a field left out is exact.
 */
export type PrintedPlaces = Partial<Record<RunValueField, number>>;

/** The powers of ten of the size suffixes a file's number may carry (core/quantity.ts). */
const suffixPlaces: Record<string, number> = { k: 3, K: 3, M: 6, B: 9, b: 9, G: 9, T: 12, t: 12, P: 15 };

const literal = /^\s*[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*([a-zA-Z]?)\s*$/;

/**
 * The power of ten of the last digit `text` prints: a decimal's last decimal, an integer's units (its
 * trailing zeros are digits as written: "12000" is 12000 to the unit, "1.2e4" to the thousand), shifted by
 * an exponent and a size suffix. Undefined for text that is not such a number.
 */
export function lastDigitPlace(text: string): number | undefined {
  const m = literal.exec(text);
  if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) return undefined;
  const suffix = m[4] === '' ? 0 : suffixPlaces[m[4]];
  if (suffix === undefined) return undefined;
  return -(m[2]?.length ?? 0) + (m[3] === undefined ? 0 : Number(m[3])) + suffix;
}

/**
 * The digits each row of a file was printed with, kept beside the row rather than in it: they are a fact
 * about the text, not a value of the run, so no result, JSON or comparison of rows carries them, and a
 * row an analysis copies or computes has none (its values count as exact). Set by the file readers.
 */
const printed = new WeakMap<RunValues, PrintedPlaces>();

/** Records where the last digit of each of a row's values was printed (the readers call it). */
export function notePrintedPlaces(row: RunValues, places: PrintedPlaces): void {
  printed.set(row, places);
}

/** Where the last digit of each of a row's values was printed, as far as its reader knew. */
export function printedPlaces(row: RunValues): PrintedPlaces | undefined {
  return printed.get(row);
}

/**
 * Binary floating point holds "3.21456" and a stored 3.214565 only to about 1e-16 of their size: a value
 * exactly half a unit off (a tie, rounded either way by the writer) must not fail on that.
 */
const BINARY_SLACK = 1e-12;

/** Half a unit in a value's last digit printed: 0 for an exact value, Infinity for one not compared. */
function half(place: number | undefined): number {
  return place === undefined || place === -Infinity ? 0 : place === Infinity ? Infinity : 0.5 * 10 ** place;
}

/**
 * Whether two values are the same value to the digits the less precise was printed with, given half a
 * unit in each one's last digit (half).
 */
function within(a: number | null | undefined, b: number | null | undefined, halfA: number, halfB: number): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  return (
    a === b ||
    Math.abs(a - b) <=
      Math.max(atMostExported(halfA, a), atMostExported(halfB, b)) + BINARY_SLACK * Math.max(Math.abs(a), Math.abs(b))
  );
}

/**
 * The coarsest rounding read as a copy: an export to 6 significant digits (printf's %g, the common default).
 * A value printed with fewer digits ("1e8", "3.2") is such an export's with its trailing zeros dropped, or a
 * number typed as it is: "1e8" is not 1e8 ± 5e7, which would make a run of 1.2e8 parameters its copy.
 */
const EXPORTED_DIGITS = 6;

function atMostExported(half: number, value: number): number {
  if (half === 0 || value === 0 || !Number.isFinite(half)) return half;
  return Math.min(half, 0.5 * 10 ** (Math.floor(Math.log10(Math.abs(value))) - (EXPORTED_DIGITS - 1)));
}

/** Whether two values are the same value to the digits the less precise was printed with (places as PrintedPlaces). */
export function sameValue(
  a: number | null | undefined,
  b: number | null | undefined,
  placeA?: number,
  placeB?: number,
): boolean {
  return within(a, b, half(placeA), half(placeB));
}

/** Half a unit in the last digit of each of a row's values (see half). */
interface Halves {
  N: number;
  D: number;
  C: number;
  U: number;
  loss: number;
}

function halvesOf(places: PrintedPlaces | undefined): Halves {
  return {
    N: half(places?.N),
    D: half(places?.D),
    C: half(places?.C),
    U: half(places?.U),
    loss: half(places?.loss),
  };
}

/** Whether two rows are the same run written twice (every value the same to its printed digits). */
function sameRunValues(a: RunValues, ha: Halves, b: RunValues, hb: Halves): boolean {
  return (
    within(a.loss, b.loss, ha.loss, hb.loss) &&
    within(a.D, b.D, ha.D, hb.D) &&
    within(a.N, b.N, ha.N, hb.N) &&
    within(a.C, b.C, ha.C, hb.C) &&
    within(a.U, b.U, ha.U, hb.U)
  );
}

/**
 * Rows by loss, for finding a row's copy among many without comparing every pair: a copy's loss lies
 * within half a unit of the coarser last digit printed, so only the rows in that window of the sorted
 * losses are compared in full. Rows are kept apart by the place of their loss's last digit, so that one
 * loss printed coarsely ("3") widens the search only among the rows printed like it. Built once.
 */
export class SameRunIndex<T extends RunValues> {
  /** The rows by the half unit of their loss's last digit, each list sorted by loss. */
  private readonly byHalf = new Map<number, Indexed<T>[]>();
  private readonly count: number;

  constructor(rows: Iterable<T>) {
    let order = 0;
    for (const row of rows) {
      const halves = halvesOf(printedPlaces(row));
      const list = this.byHalf.get(halves.loss);
      const entry = { row, halves, order: order++ };
      if (list) list.push(entry);
      else this.byHalf.set(halves.loss, [entry]);
    }
    this.count = order;
    for (const list of this.byHalf.values()) list.sort((a, b) => a.row.loss - b.row.loss);
  }

  get size(): number {
    return this.count;
  }

  /**
   * An indexed row that is the same run as `row`, with `row`'s printed places (its reader's, unless
   * given), or undefined; with `free`, only one it accepts (a stored run not yet taken by another row).
   */
  find(row: RunValues, places = printedPlaces(row), free?: (row: T) => boolean): T | undefined {
    return this.search(row, halvesOf(places), Infinity, free)?.row;
  }

  private search(row: RunValues, halves: Halves, before: number, free?: (row: T) => boolean): Indexed<T> | undefined {
    for (const [loss, rows] of this.byHalf) {
      const reach = Math.max(halves.loss, loss) + BINARY_SLACK * Math.abs(row.loss) * 2;
      let lo = 0,
        hi = rows.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (rows[mid].row.loss < row.loss - reach) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < rows.length && rows[i].row.loss <= row.loss + reach; i++) {
        const other = rows[i];
        if (
          other.order < before &&
          (free === undefined || free(other.row)) &&
          sameRunValues(row, halves, other.row, other.halves)
        )
          return other;
      }
    }
    return undefined;
  }

  /** How many indexed rows repeat a row indexed before them (fit's duplicate-rows count). */
  repeats(): number {
    let n = 0;
    for (const rows of this.byHalf.values())
      for (const r of rows) if (this.search(r.row, r.halves, r.order) !== undefined) n++;
    return n;
  }
}

/** A row in the index, with half a unit in each value's last digit printed and its position among the rows. */
interface Indexed<T> {
  row: T;
  halves: Halves;
  order: number;
}
