/**
 * When two rows are the same run written twice: the same N, D, C, U and loss to a relative 1e-6. A
 * file written by another tool (a CSV and a JSONL export of one table, a spreadsheet's round trip)
 * can round a value in its last digits, so exact equality misses the copies; two runs that differ
 * only in their seed differ in loss by far more than 1e-6. Used by `runs import` (a row that repeats a stored run) and by
 * fit's duplicate-rows warning, so both call the same rows copies.
 */

/** The relative tolerance within which two rows' values are the same value written twice. */
export const SAME_RUN_TOLERANCE = 1e-6;

/** The values that say which run a row is (an unknown one as undefined or null). */
export interface RunValues {
  N?: number | null;
  D?: number | null;
  C?: number | null;
  U?: number | null;
  loss: number;
}

function sameValue(a: number | null | undefined, b: number | null | undefined): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  if (a === b) return true;
  return Math.abs(a - b) <= SAME_RUN_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/** Whether two rows are the same run written twice (every value equal to SAME_RUN_TOLERANCE). */
function sameRunValues(a: RunValues, b: RunValues): boolean {
  return (
    sameValue(a.loss, b.loss) &&
    sameValue(a.N, b.N) &&
    sameValue(a.D, b.D) &&
    sameValue(a.C, b.C) &&
    sameValue(a.U, b.U)
  );
}

/**
 * A value's cell on a logarithmic grid one tolerance wide: two values within the tolerance lie in the
 * same cell or in neighbouring ones. Zero, negative and unknown values are cells of their own.
 */
function cell(x: number | null | undefined): number | string {
  if (x === undefined || x === null || !(x > 0)) return String(x ?? null);
  return Math.floor(Math.log(x) / SAME_RUN_TOLERANCE);
}

function neighbours(c: number | string): (number | string)[] {
  return typeof c === 'number' ? [c - 1, c, c + 1] : [c];
}

/**
 * An index of rows by loss and N, for finding a row's copy among many without comparing every pair:
 * a copy lies in one of the nine neighbouring cells of (loss, N).
 */
export class SameRunIndex<T extends RunValues> {
  private readonly cells = new Map<string, T[]>();
  private rows = 0;

  /** How many rows were added. */
  get size(): number {
    return this.rows;
  }

  add(row: T): void {
    const key = `${cell(row.loss)}|${cell(row.N)}`;
    const list = this.cells.get(key);
    this.rows++;
    if (list) list.push(row);
    else this.cells.set(key, [row]);
  }

  /** A row added before that is the same run as `row`, or undefined. */
  find(row: RunValues): T | undefined {
    for (const l of neighbours(cell(row.loss)))
      for (const n of neighbours(cell(row.N))) {
        const list = this.cells.get(`${l}|${n}`);
        if (list) for (const other of list) if (sameRunValues(row, other)) return other;
      }
    return undefined;
  }
}
