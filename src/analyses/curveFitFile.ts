/**
 * The file `scalelab curve-law fit --out` writes — the fitted curve law per model size (or one joint
 * fit) with its bootstrap replicates and what it was fitted to — and its reader, which `curve-law
 * predict` and `schedule` use and a script can call: a fit saved by the CLI is read back, checked, and
 * predicted from with predictWithIntervals. Pure.
 */
import { InputError, type Location } from '../errors/index.js';
import type { Schedule } from '../core/schedule.js';
import { jsonFieldPlaces, parseJsonText } from '../io/parseJson.js';
import {
  checkpointReach,
  CURVE_EXTRAPOLATION,
  curveLawIds,
  curveParamsProblem,
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
  f.fits.forEach((g, i) => {
    if (!g?.fit || !(curveLawIds as readonly string[]).includes(g.fit.law))
      throw new InputError(
        at(['fits', i], `fits[${i}]`),
        `expected a fit with a law (${curveLawIds.join(' or ')}) and its parameters`,
      );
    const { law, joint } = g.fit;
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
