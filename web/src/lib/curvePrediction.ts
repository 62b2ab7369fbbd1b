/**
 * A curve-law prediction for a chosen schedule, for the web app's curve panel: the fit a
 * `scalelab curve-law fit --out` file holds, the schedule from the form, the predicted curve with its
 * interval drawn as SVG. Pure (the panel and a node test share it).
 */
import { loadCurveFit, type LoadedCurveFit } from '../../../src/analyses/curveFitFile.js';
import { predictWithIntervals, frozenParameters } from '../../../src/analyses/curveLaws.js';
import {
  describeSchedule,
  lrSequence,
  parseSchedule,
  type DecayShape,
  type Schedule,
  type ScheduleKind,
} from '../../../src/core/schedule.js';
import { curveFigure } from '../../../src/plots/curveFigure.js';

/** A curve-law fit file as the library reads it (`loadCurveFit`): each fit with its extrapolation term. */
export type CurveFitFileJson = LoadedCurveFit;

/** The form's numbers: NaN where a box is left empty (the schedule then says the field is missing). */
export interface ScheduleForm {
  kind: ScheduleKind;
  steps: number;
  peakLr: number;
  warmupSteps: number;
  decayFrac: number;
  decayShape: DecayShape;
  minLrFrac: number;
}

/**
 * Check an uploaded file is a curve-law fit, with the reader `curve-law predict` uses: a malformed file or
 * a bad field is named at its line and column.
 */
export function readCurveFit(text: string, name: string): CurveFitFileJson {
  return loadCurveFit(text, name);
}

/** The form's label of each schedule field, for its messages (the schedule's own names are its JSON keys). */
const formLabels: Record<string, string> = {
  steps: 'steps',
  peakLr: 'peak learning rate',
  warmupSteps: 'warmup steps',
  decaySteps: 'decay fraction (of the steps)',
  decayShape: 'decay shape',
  minLrFrac: "the schedule's final learning rate",
};

/** A box left empty is a field not given, not 0. */
const given = (x: number) => (Number.isNaN(x) ? undefined : x);

export function scheduleFromForm(form: ScheduleForm): Schedule {
  const s: Record<string, unknown> = {
    kind: form.kind,
    peakLr: given(form.peakLr),
    steps: given(Math.round(form.steps)),
    warmupSteps: given(Math.round(form.warmupSteps)),
  };
  if (form.kind !== 'constant') s.minLrFrac = form.minLrFrac;
  if (form.kind === 'wsd') {
    s.decaySteps = given(Math.max(1, Math.round(form.decayFrac * form.steps)));
    s.decayShape = form.decayShape;
  }
  try {
    return parseSchedule(s, { file: 'the schedule form' });
  } catch (e) {
    // "the schedule form: schedule field "warmupSteps": …" says it in the form's words: "warmup steps: …".
    const message = (e as Error).message.replace(
      /^the schedule form: schedule field "(\w+)": /,
      (_m, field: string) => `${formLabels[field] ?? field}: `,
    );
    throw new Error(message);
  }
}

/** The predicted curve (50 points) for the fit at index `which`, and its figure. */
export function curvePrediction(
  file: CurveFitFileJson,
  which: number,
  form: ScheduleForm,
): {
  schedule: Schedule;
  final: number;
  interval?: [number, number];
  degenerate: boolean;
  frozen: string[];
  svg: string;
} {
  const g = file.fits[which];
  const schedule = scheduleFromForm(form);
  const every = Math.max(1, Math.round(schedule.steps / 50));
  const steps = [
    ...new Set([
      ...Array.from({ length: Math.floor(schedule.steps / every) }, (_, i) => (i + 1) * every),
      schedule.steps,
    ]),
  ];
  const p = predictWithIntervals(
    g.fit,
    { lrs: lrSequence(schedule), warmupSteps: schedule.warmupSteps ?? 0, N: g.N },
    steps,
    g.bootstrap,
    0.95,
    1,
    g.extrapolation,
  );
  const last = steps.length - 1;
  const svg = curveFigure(
    `${file.law}: ${describeSchedule(schedule)}${g.N ? `, N = ${g.N}` : ''}`,
    [{ name: 'predicted', steps, loss: p.loss, band: p.interval, color: '#1f77b4' }],
    { width: 640, height: 360 },
  );
  return {
    schedule,
    final: p.loss[last],
    ...(p.interval ? { interval: p.interval[last] } : {}),
    // The fit's own prediction outside its replicates' interval: degenerate parameters, trust neither.
    degenerate: !!p.pointOutside?.[last],
    // Parameters no replicate moved (a fit at a limit of the law): the interval leaves out their uncertainty.
    frozen: g.bootstrap ? frozenParameters(g.fit.params, g.bootstrap.replicates) : [],
    svg,
  };
}
