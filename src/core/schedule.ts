/**
 * Learning-rate schedules as data: what a run's optimizer was told at every step, so a curve law
 * can read the area under the learning rate (and how fast it fell) anywhere along the run. Pure.
 *
 * A schedule is plain JSON (it round-trips through files and the run store unchanged):
 *   { "kind": "constant" | "cosine" | "linear" | "wsd", "peakLr": 3e-3, "steps": 1000,
 *     "warmupSteps": 50, "minLrFrac": 0.1, "decaySteps": 200, "decayShape": "linear" | "cosine" | "sqrt" }
 * `lrAt` computes exactly what examples/trainers/train.py's lr_at does (a test checks them against
 * each other): linear warmup over `warmupSteps` (step s, 0-based, gets peak·(s+1)/warmup), then
 *   constant: peak;
 *   cosine:   peak·(f + (1−f)·½(1 + cos πt)), t = (s − warmup)/(steps − warmup), f = minLrFrac;
 *   linear:   peak·(1 − (1−f)·t);
 *   wsd:      peak until the last `decaySteps` steps, then peak·(1 − (1−f)·g(u)), u = (s − start + 1)/decaySteps
 *             reaching 1 at the last step, g = u (linear), ½(1 − cos πu) (cosine) or √u ("1 − sqrt",
 *             Hägele et al. 2024).
 * A WSD ladder ("cooldown branches", OLMo-core's WSD-S) is one stable trunk and branches that each
 * decay from a saved checkpoint: `wsdBranches` gives each branch's own WSD schedule, which agrees
 * with the trunk's up to the branch point.
 */
import { InputError, type Location } from '../errors/index.js';
import { plain } from './format.js';

export const scheduleKinds = ['constant', 'cosine', 'linear', 'wsd'] as const;
export type ScheduleKind = (typeof scheduleKinds)[number];
export const decayShapes = ['linear', 'cosine', 'sqrt'] as const;
/**
 * Most optimizer steps a schedule may have: a curve law reads the learning rate of every step (8 bytes
 * each), so 1e7 steps cost 80 MB; published runs have up to a few million.
 */
export const MAX_SCHEDULE_STEPS = 10_000_000;
/** What a schedule's length may be, in one wording for its JSON field and for a flag that sets it. */
export const scheduleStepsRule = (min = 1): string =>
  `a whole number of optimizer steps from ${min} to ${plain(MAX_SCHEDULE_STEPS)}`;
export type DecayShape = (typeof decayShapes)[number];

export interface Schedule {
  kind: ScheduleKind;
  /** The learning rate after warmup (AdamW's η). */
  peakLr: number;
  /** Optimizer steps in the run. */
  steps: number;
  /** Linear warmup steps (the trainer's int(warmup·steps), at least 1). @default 0 */
  warmupSteps?: number;
  /** The learning rate at the last step as a fraction of the peak (cosine, linear, wsd). @default 0.1 */
  minLrFrac?: number;
  /** WSD: steps in the final decay. */
  decaySteps?: number;
  /** WSD: the decay's shape. @default 'linear' */
  decayShape?: DecayShape;
}

const fail = (where: Location, field: string, detail: string): never => {
  throw new InputError(where, `schedule field "${field}": ${detail}`);
};

/**
 * A schedule read from JSON (a file, a store row, a metrics line), every field checked: a schedule
 * that does not say what the learning rate was at each step is refused, located at the field.
 */
export function parseSchedule(value: unknown, where: Location): Schedule {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(
      where,
      `expected a schedule object such as {"kind": "wsd", "peakLr": 3e-3, "steps": 1000, "warmupSteps": 50, "decaySteps": 200}, got ${JSON.stringify(value)}`,
    );
  }
  const v = value as Record<string, unknown>;
  const kind = v.kind;
  if (typeof kind !== 'string' || !(scheduleKinds as readonly string[]).includes(kind))
    fail(where, 'kind', `expected one of ${scheduleKinds.join(', ')}, got ${JSON.stringify(kind)}`);
  const number = (field: string, check: (x: number) => boolean, expected: string): number | undefined => {
    const x = v[field];
    if (x === undefined) return undefined;
    if (typeof x !== 'number' || !Number.isFinite(x) || !check(x))
      fail(where, field, `expected ${expected}, got ${typeof x === 'number' ? plain(x) : JSON.stringify(x)}`);
    return x as number;
  };
  const peakLr = number('peakLr', (x) => x > 0 && x < 1e3, 'a positive learning rate');
  if (peakLr === undefined) fail(where, 'peakLr', 'missing (expected the peak learning rate)');
  const steps = number('steps', (x) => Number.isInteger(x) && x >= 1 && x <= MAX_SCHEDULE_STEPS, scheduleStepsRule(1));
  if (steps === undefined) fail(where, 'steps', "missing (expected the run's optimizer steps)");
  const s: Schedule = { kind: kind as ScheduleKind, peakLr: peakLr!, steps: steps! };
  const warmupSteps = number(
    'warmupSteps',
    (x) => Number.isInteger(x) && x >= 0 && x <= steps!,
    `a whole number of steps from 0 to the run's ${steps}`,
  );
  if (warmupSteps !== undefined) s.warmupSteps = warmupSteps;
  const minLrFrac = number('minLrFrac', (x) => x >= 0 && x <= 1, 'a fraction from 0 to 1');
  if (minLrFrac !== undefined) s.minLrFrac = minLrFrac;
  if (s.kind === 'wsd') {
    const decaySteps = number(
      'decaySteps',
      (x) => Number.isInteger(x) && x >= 1 && x <= steps! - (warmupSteps ?? 0),
      `a whole number of steps from 1 to the steps after warmup (${steps! - (warmupSteps ?? 0)})`,
    );
    if (decaySteps === undefined) fail(where, 'decaySteps', 'missing (a WSD schedule needs the length of its decay)');
    s.decaySteps = decaySteps;
    const shape = v.decayShape;
    if (shape !== undefined) {
      if (typeof shape !== 'string' || !(decayShapes as readonly string[]).includes(shape))
        fail(where, 'decayShape', `expected one of ${decayShapes.join(', ')}, got ${JSON.stringify(shape)}`);
      s.decayShape = shape as DecayShape;
    }
  } else {
    for (const field of ['decaySteps', 'decayShape'])
      if (v[field] !== undefined) fail(where, field, `only a "wsd" schedule has a ${field}; this one is "${s.kind}"`);
  }
  const known = new Set(['kind', 'peakLr', 'steps', 'warmupSteps', 'minLrFrac', 'decaySteps', 'decayShape']);
  for (const k of Object.keys(v))
    if (!known.has(k)) fail(where, k, `not a schedule field (expected ${[...known].join(', ')})`);
  return s;
}

/** A WSD schedule decaying over `decayFrac` of `steps` (the trainer's round(decayFrac·steps), at least 1). */
export function wsd(
  peakLr: number,
  steps: number,
  decayFrac: number,
  opts: { warmupSteps?: number; minLrFrac?: number; decayShape?: DecayShape } = {},
): Schedule {
  return {
    kind: 'wsd',
    peakLr,
    steps,
    warmupSteps: opts.warmupSteps ?? 0,
    minLrFrac: opts.minLrFrac ?? 0.1,
    decaySteps: Math.max(1, Math.round(decayFrac * steps)),
    decayShape: opts.decayShape ?? 'linear',
  };
}

/** The learning rate of optimizer step `step` (0-based), as the reference trainer sets it. */
export function lrAt(s: Schedule, step: number): number {
  const warmup = s.warmupSteps ?? 0;
  if (step < warmup) return (s.peakLr * (step + 1)) / warmup;
  const floor = s.minLrFrac ?? 0.1;
  switch (s.kind) {
    case 'constant':
      return s.peakLr;
    case 'wsd': {
      const decay = s.decaySteps!;
      const start = s.steps - decay;
      if (step < start) return s.peakLr;
      const u = (step - start + 1) / decay;
      const g =
        s.decayShape === 'cosine' ? 0.5 * (1 - Math.cos(Math.PI * u)) : s.decayShape === 'sqrt' ? Math.sqrt(u) : u;
      return s.peakLr * (1 - (1 - floor) * g);
    }
    case 'linear':
    case 'cosine': {
      const t = (step - warmup) / Math.max(1, s.steps - warmup);
      return s.kind === 'linear'
        ? s.peakLr * (1 - (1 - floor) * t)
        : s.peakLr * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * t)));
    }
  }
}

/** The learning rate at every step, lr[i] for step i (0-based). */
export function lrSequence(s: Schedule): Float64Array {
  // A guard for callers that build a schedule without parseSchedule: past the bound the array is either
  // one the engine cannot make ("Invalid typed array length") or one that takes the host's memory.
  if (!(Number.isInteger(s.steps) && s.steps >= 1 && s.steps <= MAX_SCHEDULE_STEPS))
    throw new RangeError(`a schedule of ${plain(s.steps)} steps: expected ${scheduleStepsRule(1)}`);
  const out = new Float64Array(s.steps);
  for (let i = 0; i < s.steps; i++) out[i] = lrAt(s, i);
  return out;
}

/**
 * Cooldown branches of one WSD trunk: each branch leaves the stable trunk at step `at` (a saved
 * checkpoint) and decays over `decaySteps`, so its schedule is a WSD schedule of at + decaySteps
 * steps, identical to the trunk up to `at`.
 */
export function wsdBranches(
  trunk: { peakLr: number; warmupSteps?: number; minLrFrac?: number; decayShape?: DecayShape },
  branches: { at: number; decaySteps: number }[],
): Schedule[] {
  return branches.map(({ at, decaySteps }) => ({
    kind: 'wsd',
    peakLr: trunk.peakLr,
    steps: at + decaySteps,
    warmupSteps: trunk.warmupSteps ?? 0,
    minLrFrac: trunk.minLrFrac ?? 0.1,
    decaySteps,
    decayShape: trunk.decayShape ?? 'linear',
  }));
}

/** One line for a report: "wsd, η 5.7e-3, 1000 steps (warmup 50, decay 200 linear to 10 %)". */
export function describeSchedule(s: Schedule): string {
  const parts = [`warmup ${s.warmupSteps ?? 0}`];
  const floor = `${Math.round((s.minLrFrac ?? 0.1) * 1000) / 10} %`;
  if (s.kind === 'wsd') parts.push(`decay ${s.decaySteps} ${s.decayShape ?? 'linear'} to ${floor}`);
  else if (s.kind !== 'constant') parts.push(`to ${floor}`);
  return `${s.kind}, η ${s.peakLr.toPrecision(3)}, ${s.steps} steps (${parts.join(', ')})`;
}
