/**
 * The file `scalelab curve-law fit --out` writes — the fitted curve law per model size (or one joint
 * fit) with its bootstrap replicates and what it was fitted to — and its reader, which `curve-law
 * predict` and `schedule` use and a script can call: a fit saved by the CLI is read back, checked, and
 * predicted from with predictWithIntervals. Pure.
 */
import { InputError, type Location } from '../errors/index.js';
import { parseSchedule, type Schedule } from '../core/schedule.js';
import { jsonFieldPlaces, parseJsonText } from '../io/parseJson.js';
import {
  checkpointReach,
  CURVE_EXTRAPOLATION,
  curveLawIds,
  curveParamsProblem,
  curveLawUsesMomentum,
  fittedRuns,
  type CurveBootstrap,
  type CurveExtrapolation,
  type CurveFit,
  type CurveLawId,
} from './curveLaws.js';

/** One fit of a curve-law fit file: at one model size, or across sizes (joint). */
export interface CurveFitEntry {
  /** The model size (parameters) of its runs; absent for a joint fit, or runs of no stated size. */
  N?: number;
  fit: CurveFit;
  /** Its bootstrap replicates (`curve-law fit --bootstrap N`); absent without, and then no interval. */
  bootstrap?: CurveBootstrap;
}

/** What `curve-law fit --out` writes and `curve-law predict` and `schedule` read. */
export interface CurveFitFile {
  kind: 'scalelab-curve-fit';
  law: CurveLawId;
  citation: string;
  joint: boolean;
  /** Checkpoints before this step were left out of the fit. */
  fromStep: number;
  /** With a run store: its completed runs the study left out of its fit (a diverged loss), left out here too. */
  leftOutByStudy?: number;
  /** One fit per model size (or one joint fit), each with its bootstrap replicates. */
  fits: CurveFitEntry[];
  inputs: {
    run: string;
    N?: number;
    points: number;
    /** The run's last fitted checkpoint (absent in files written before it was recorded). */
    lastStep?: number;
    lrFrom: string;
    /**
     * The peak of a logged learning rate (lr column or tag), for the warning on a target's peak far from it
     * (absent with a schedule, which states its own, and in files written before it was recorded).
     */
    peakLr?: number;
    /**
     * The warmup read from a logged learning rate (lr column or tag), left out of the annealing
     * (absent with a schedule, which states its own, and in files written before it was recorded).
     */
    warmupRead?: number;
    source: string;
    /** The file had no run column: its rows were this one run, named after it. */
    namedAfterFile?: boolean;
    schedule?: Schedule;
    /** TensorBoard event files: the tag the loss was read from, and the learning rate's. */
    tag?: string;
    lrTag?: string;
    /** What a reader should know of the input (a truncated last record, steps logged again). */
    notes?: string[];
  }[];
}

/** A curve-law fit file as read back: each fit with the extrapolation term `curve-law predict` gives it. */
export interface LoadedCurveFit extends CurveFitFile {
  fits: (CurveFitEntry & {
    /**
     * What `curve-law predict` adds to a new run's interval beyond the fit's last checkpoint by default
     * (slope CURVE_EXTRAPOLATION = 0.0065 of the loss per decade of steps, from `reach`, the step where its
     * runs' checkpoints end), to pass to predictWithIntervals; absent when the file does not record where
     * they end (written before that was recorded, from tables without a schedule).
     */
    extrapolation?: CurveExtrapolation;
  })[];
}

const expected = 'a curve-law fit (JSON written by "scalelab curve-law fit --out FILE")';

/** An input's field as the errors name it: `inputs[2].lastStep`. */
const inputName = (j: number, field: (string | number)[]) => `inputs[${j}]${field.length ? `.${field.join('.')}` : ''}`;

/**
 * One of the runs a fit was made from, as `inputs[]` records it: the fields the reader uses (N to match
 * a fit's size, lastStep and the schedule to place the extrapolation term, peakLr for the warning on a
 * target's peak) checked for their type, the others for being what the writer writes. Fields a file from
 * an older ScaleLab lacks (lastStep, peakLr, warmupRead) stay optional.
 */
function checkInput(r: unknown, at: (field: (string | number)[]) => Location): void {
  if (!r || typeof r !== 'object' || Array.isArray(r))
    throw new InputError(
      at([]),
      `expected a run the fit was made from (an object with its name), got ${JSON.stringify(r)}`,
    );
  const v = r as Record<string, unknown>;
  if (typeof v.run !== 'string')
    throw new InputError(at(['run']), `expected the run's name, got ${JSON.stringify(v.run) ?? 'nothing'}`);
  const numbers: [field: string, ok: (x: number) => boolean, expected: string][] = [
    ['N', (x) => x > 0, 'a positive number of parameters'],
    ['points', (x) => Number.isInteger(x) && x >= 0, 'a whole number of checkpoints'],
    ['lastStep', (x) => Number.isInteger(x) && x >= 0, 'a whole number of steps'],
    ['peakLr', (x) => x > 0, 'a positive learning rate'],
    ['warmupRead', (x) => Number.isInteger(x) && x >= 0, 'a whole number of steps'],
  ];
  for (const [field, ok, what] of numbers) {
    const x = v[field];
    if (x !== undefined && !(typeof x === 'number' && Number.isFinite(x) && ok(x)))
      throw new InputError(at([field]), `expected ${what}, got ${JSON.stringify(x)}`);
  }
  if (v.schedule !== undefined) parseSchedule(v.schedule, at(['schedule']));
  if (v.notes !== undefined && !(Array.isArray(v.notes) && v.notes.every((n) => typeof n === 'string')))
    throw new InputError(at(['notes']), `expected a list of notes (text), got ${JSON.stringify(v.notes)}`);
}

/**
 * Read and check a curve-law fit, the JSON `scalelab curve-law fit --out FILE` writes (as `curve-law
 * predict --curve-fit FILE` reads it). Predict from one of its `fits` as that command does with
 * `predictWithIntervals(g.fit, target, steps, g.bootstrap, level, 1, g.extrapolation)`.
 * @param text the file's text
 * @param source the file's name, for the errors
 * @throws InputError at the line and column of malformed JSON, or of the field that is not a curve-law
 *   fit's (a law other than lr-annealing or multi-power, a parameter missing or out of range, a bad replicate)
 */
export function loadCurveFit(text: string, source: string): LoadedCurveFit {
  const f = parseJsonText(text, source, expected) as Partial<CurveFitFile> | null;
  // Where a field is, for the errors about it: its line and column, and its path named.
  const place = jsonFieldPlaces(text);
  const at = (path: (string | number)[], name: string): Location => ({
    file: source,
    ...place(path),
    columnName: name,
  });
  if (!f || typeof f !== 'object' || f.kind !== 'scalelab-curve-fit' || !Array.isArray(f.fits) || !f.fits.length)
    throw new InputError(
      { file: source },
      'not a curve-law fit (expected "kind": "scalelab-curve-fit" and its "fits", as "scalelab curve-law fit --out" writes)',
    );
  if (!Array.isArray(f.inputs))
    throw new InputError(at(['inputs'], 'inputs'), 'expected the runs the fit was made from (a list)');
  // The fields read to title a prediction and to place its extrapolation term: a hand-edited value of
  // another type would be coerced ("5" as a step) or print as it stands ("N = abc"), so it is refused here.
  if (!(curveLawIds as readonly string[]).includes(f.law as string))
    throw new InputError(at(['law'], 'law'), `expected ${curveLawIds.join(' or ')}, got ${JSON.stringify(f.law)}`);
  if (f.joint !== undefined && typeof f.joint !== 'boolean')
    throw new InputError(at(['joint'], 'joint'), `expected true or false, got ${JSON.stringify(f.joint)}`);
  if (f.fromStep !== undefined && !(Number.isInteger(f.fromStep) && f.fromStep >= 1))
    throw new InputError(
      at(['fromStep'], 'fromStep'),
      `expected the first step fitted (a whole number ≥ 1), got ${JSON.stringify(f.fromStep)}`,
    );
  f.inputs.forEach((r: unknown, j) => checkInput(r, (field) => at(['inputs', j, ...field], inputName(j, field))));
  f.fits.forEach((g, i) => {
    if (!g?.fit || !(curveLawIds as readonly string[]).includes(g.fit.law))
      throw new InputError(
        at(['fits', i], `fits[${i}]`),
        `expected a fit with a law (${curveLawIds.join(' or ')}) and its parameters`,
      );
    const { law, joint } = g.fit;
    if (law !== f.law)
      throw new InputError(
        at(['fits', i, 'fit', 'law'], `fits[${i}].fit.law`),
        `the ${law} law in a fit file of the ${f.law} law (field "law"); expected one law throughout, as curve-law fit writes it`,
      );
    if (joint !== undefined && typeof joint !== 'boolean')
      throw new InputError(
        at(['fits', i, 'fit', 'joint'], `fits[${i}].fit.joint`),
        `expected true or false, got ${JSON.stringify(joint)}`,
      );
    if (g.N !== undefined && !(typeof g.N === 'number' && Number.isFinite(g.N) && g.N > 0))
      throw new InputError(
        at(['fits', i, 'N'], `fits[${i}].N`),
        `expected the model size of its runs (a positive number of parameters), got ${JSON.stringify(g.N)}`,
      );
    // The momentum of the annealing area enters every predicted loss of the lr-annealing law: one
    // missing or out of (0, 1) predicts NaN or a curve the fit never drew.
    const lambda: unknown = g.fit.lambda;
    if (
      (lambda !== undefined || curveLawUsesMomentum(law)) &&
      !(typeof lambda === 'number' && lambda > 0 && lambda < 1)
    )
      throw new InputError(
        at(['fits', i, 'fit', 'lambda'], `fits[${i}].fit.lambda`),
        `expected the momentum the fit used (a number between 0 and 1), got ${JSON.stringify(lambda) ?? 'nothing'}`,
      );
    const problem = curveParamsProblem(law, !!joint, g.fit.params);
    if (problem) throw new InputError(at(['fits', i, 'fit', 'params'], `fits[${i}].fit.params`), problem);
    // The parameters the fit found its curves do not identify (curve-law fit marks them; predict and
    // schedule repeat the warning): names of the law's parameters, or absent.
    for (const field of ['degenerate', 'shapeAtLimit'] as const) {
      const v: unknown = g.fit[field];
      if (v !== undefined && (!Array.isArray(v) || v.some((n) => typeof n !== 'string' || !(n in g.fit.params))))
        throw new InputError(
          at(['fits', i, 'fit', field], `fits[${i}].fit.${field}`),
          `expected the names of parameters of the fit (a list, e.g. ["L0", "alpha"]), got ${JSON.stringify(v)}`,
        );
    }
    // Replicates are read with the same rule (ScaleLab writes only finite ones); a bad one is refused,
    // not silently left out of the intervals.
    const reps: unknown = g.bootstrap?.replicates;
    if (g.bootstrap !== undefined && !Array.isArray(reps))
      throw new InputError(
        at(['fits', i, 'bootstrap'], `fits[${i}].bootstrap`),
        'expected its replicates (a list of parameters by name)',
      );
    (reps as unknown[] | undefined)?.forEach((r, j) => {
      const bad = curveParamsProblem(law, !!joint, r);
      if (bad)
        throw new InputError(
          at(['fits', i, 'bootstrap', 'replicates', j], `fits[${i}].bootstrap.replicates[${j}]`),
          bad,
        );
    });
  });
  const file = f as CurveFitFile;
  return {
    ...file,
    fits: file.fits.map((g) => {
      const reach = checkpointReach(fittedRuns(file.inputs, file.joint, g.N));
      return reach === undefined ? g : { ...g, extrapolation: { slope: CURVE_EXTRAPOLATION, reach } };
    }),
  };
}
