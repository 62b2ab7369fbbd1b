/**
 * Checks that data can answer the question an analysis asks, before it is asked: values within the
 * range the arithmetic can carry (core/magnitude.ts), and variation where the analysis needs it — a
 * constant loss has no trend, one model size has no size dependence. Each refusal is an InputError
 * naming the file, the line and the column, so degenerate data never come back as a confident
 * number (or NaN) with exit 0. Pure.
 */
import { InputError, type Location } from '../errors/index.js';
import { magnitudeRefusal } from '../core/magnitude.js';
import type { Dataset, Run } from './dataset.js';
import type { Law } from '../laws/law.js';
import { plain } from '../core/format.js';

export type NumericField = 'N' | 'D' | 'C' | 'U' | 'loss' | 'batch' | 'lr' | 'width' | 'layers' | 'gradSq' | 'step';

/** Where a run's value of a field came from: its line, and its column unless the value was derived. */
export function locate(
  dataset: Pick<Dataset, 'source' | 'columns'>,
  run: Pick<Run, 'line'>,
  field: NumericField,
): Location {
  const columnName = dataset.columns[field];
  return { file: dataset.source, line: run.line, ...(columnName !== undefined ? { columnName } : {}) };
}

function derivation(dataset: Pick<Dataset, 'columns' | 'derived'>, field: NumericField): string {
  const how = (dataset.derived as Partial<Record<string, string>>)[field];
  return dataset.columns[field] === undefined && how ? ` (${field} = ${how}, computed from the file's columns)` : '';
}

/**
 * Every value of `fields` that a run has must be finite and within 1e-100…1e100 in magnitude.
 * @throws InputError at the first run and column outside
 */
export function checkMagnitudes(
  dataset: Pick<Dataset, 'source' | 'columns' | 'derived'>,
  fields: readonly NumericField[],
  runs: readonly Run[],
): void {
  for (const r of runs) {
    for (const f of fields) {
      const v = r[f];
      // Zero too (a step may be 0): the parser takes only positive values, so a 0 here is a derived
      // value that underflowed.
      // A learning rate of 0 is read (a schedule's end); where it is a sweep's point, its optimum is read in ln η.
      const refusal =
        f === 'lr' && v === 0
          ? 'lr = 0: a learning-rate sweep needs a positive learning rate in every run (its optimum is found in ln η); expected lr > 0'
          : v === undefined
            ? undefined
            : magnitudeRefusal(f, v, { zero: f === 'step', note: derivation(dataset, f) });
      if (refusal !== undefined) throw new InputError(locate(dataset, r, f), refusal);
    }
  }
}

/**
 * The runs must hold at least `min` different values of a field.
 * @param purpose what needs them, e.g. "fitting law chinchilla"
 * @param scope which runs, for the message, e.g. ' of group "moe"'
 * @throws InputError at the first run, in the field's column
 */
export function checkDistinct(
  dataset: Pick<Dataset, 'source' | 'columns'>,
  runs: readonly Run[],
  field: NumericField,
  min: number,
  purpose: string,
  scope = '',
): void {
  const values = [...new Set(runs.map((r) => r[field]).filter((v): v is number => v !== undefined))].sort(
    (a, b) => a - b,
  );
  if (values.length >= min || runs.length === 0) return;
  const where = locate(dataset, runs[0], field);
  throw new InputError(
    where,
    values.length === 1
      ? `every run${scope} has ${field} = ${plain(values[0])}: ${purpose} needs runs at ${min} or more different values of ${field}`
      : `the runs${scope} have ${values.length} different values of ${field} (${values.map(plain).join(', ')}): ${purpose} needs ${min} or more`,
  );
}

/**
 * The loss must vary across the runs (beyond rounding): a constant loss carries no trend, so any
 * exponent, optimum or crossover fitted to it would be an artefact of the optimiser.
 * @throws InputError at the first run, in the loss column
 */
export function checkLossVaries(
  dataset: Pick<Dataset, 'source' | 'columns'>,
  runs: readonly Run[],
  purpose: string,
  scope = '',
): void {
  if (runs.length < 2) return;
  let lo = Infinity,
    hi = -Infinity;
  for (const r of runs) {
    lo = Math.min(lo, r.loss);
    hi = Math.max(hi, r.loss);
  }
  if (hi - lo > 1e-9 * Math.abs(hi)) return;
  throw new InputError(
    locate(dataset, runs[0], 'loss'),
    `every run${scope} has the same loss (${plain(runs[0].loss)}): a constant loss has no trend, so ${purpose} has nothing to fit`,
  );
}

/**
 * What a law's fit needs from its data beyond the fit's own checks: values in range, a loss that
 * varies, and three or more different values of each variable of a power-law term (two points fix
 * a line but not a curve's scale and exponent together; U, a data budget, may stay constant).
 */
export function checkLawData(
  law: Pick<Law, 'id' | 'inputs'>,
  dataset: Dataset,
  runs: readonly Run[] = dataset.runs,
  scope = '',
): void {
  checkMagnitudes(dataset, [...law.inputs, 'loss'], runs);
  const purpose = `fitting law ${law.id}`;
  checkLossVaries(dataset, runs, purpose, scope);
  for (const v of law.inputs) if (v !== 'U') checkDistinct(dataset, runs, v, 3, `${purpose} (its ${v} term)`, scope);
}
