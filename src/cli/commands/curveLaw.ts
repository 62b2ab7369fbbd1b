/**
 * `scalelab curve-law fit|predict|schedule`: whole training curves as a function of the
 * learning-rate schedule (analyses/curveLaws.ts): fit a curve law to runs' curves, predict the
 * curve of a run under another schedule or length, choose the WSD decay fraction for a budget.
 */
import { Option, type Command } from 'commander';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  bestDecayFraction,
  curveBootstrapSteps,
  checkpointReach,
  CURVE_EXTRAPOLATION,
  fittedRuns,
  curveLawFormula,
  curveLawIds,
  DEFAULT_CURVE_LAW,
  extrapolationDistance,
  fitCurveLaw,
  frozenParameters,
  predictWithIntervals,
  type CurveBootstrap,
  type CurveFit,
} from '../../analyses/curveLaws.js';
import {
  curveFromEvents,
  curveFromMetrics,
  curvesFromDataset,
  LOSS_TAGS,
  type EventsCurve,
  type ReadCurve,
} from '../../io/parseCurves.js';
import { readBytes, readRuns, readText } from '../../io/readRuns.js';
import { isTfEventsName, parseTfEvents } from '../../io/parseTfEvents.js';
import { parseJsonText } from '../../io/parseJson.js';
import { loadCurveFit, type CurveFitFile } from '../../analyses/curveFitFile.js';
import { WANDB_LOG_COUNT } from '../../io/parseRuns.js';
import type { Run as DatasetRun } from '../../io/dataset.js';
import {
  decayShapes,
  describeSchedule,
  lrSequence,
  MAX_SCHEDULE_STEPS,
  parseSchedule,
  scheduleKinds,
  type Schedule,
  scheduleStepsRule,
} from '../../core/schedule.js';
import { InputError, type OptionNamer, UsageError } from '../../errors/index.js';
import { counted, formatCount, formatInterval, formatNumber, formatRange } from '../../core/format.js';
import {
  keyword,
  parseExtrapolation,
  parseInteger,
  parseLevel,
  parseQuantity,
  plainNumber,
  runSelection,
} from '../options.js';
import { flag } from '../flags.js';
import { commandFlagNamer } from '../optionFlags.js';
import { checkFiniteText, checkOutput, printResult, progress, writeOutput, writeResult } from '../output.js';
import { betweenSteps, interruptible } from '../interrupt.js';
import { curveFigure } from '../../plots/curveFigure.js';
import { planWsdLadder } from '../../analyses/wsdLadder.js';
import type { Run } from '../output.js';

/**
 * The completed runs of a store (one study, or all) as curves, less those the study left out of its
 * fit (a diverged loss; counted in `leftOut`), as `fit --db` and `runs export` leave them out: each run's checkpoints with their
 * steps, the learning rate from the run's schedule when it has one, else from its checkpoints' lr,
 * and the lineage an import recorded (a bootstrap then draws a lineage's runs together, as from a
 * table). `requireLineage` (`--lineage` with `--db`) refuses a run stored without one.
 */
async function storeCurves(
  db: string,
  study?: string,
  requireLineage?: string,
): Promise<{ curves: ReadCurve[]; leftOut: number }> {
  if (!existsSync(db))
    throw new UsageError(`--db: no run store at ${db} (run a sweep or "scalelab runs import" first)`);
  const { openStore } = await import('../storeAccess.js');
  const { leftOutByStudy } = await import('../../store/storeDataset.js');
  const store = openStore(db);
  try {
    const runs: DatasetRun[] = [];
    const schedules: Record<string, Schedule> = {};
    let line = 0;
    const completed = store.runs({ study, status: 'completed' });
    const kept = completed.filter((r) => !leftOutByStudy(r));
    for (const r of kept) {
      const name = r.name ?? r.key;
      if (requireLineage !== undefined && r.lineage === null)
        throw new UsageError(
          `--lineage ${requireLineage}: run "${name}" (study "${r.study}") has no lineage in the store ${db}; import its rows with the lineage column ("scalelab runs import FILE --lineage COLUMN", or a column named lineage or trunk)`,
        );
      if (r.schedule) schedules[name] = r.schedule;
      for (const c of store.checkpoints(r.id)) {
        line++;
        if (c.step === null || c.step === undefined)
          throw new InputError(
            { file: db, columnName: 'step' },
            `run "${name}" (study "${r.study}") has a checkpoint at ${c.tokens} tokens without a step; a curve law needs the steps`,
          );
        runs.push({
          run: name,
          step: c.step,
          loss: c.loss,
          D: c.tokens,
          ...(r.N !== null ? { N: r.N } : {}),
          // A stored rate of 0 (a warmup's start, a decay's end) is a rate: the law says where it is not defined.
          ...(c.lr !== null && c.lr !== undefined ? { lr: c.lr } : {}),
          ...(r.lineage !== null ? { lineage: r.lineage } : {}),
          line,
        });
      }
    }
    const leftOut = completed.length - kept.length;
    if (!runs.length)
      throw new InputError(
        { file: db },
        `no completed runs with checkpoints${study ? ` in study "${study}"` : ''}${leftOut ? ` (${counted(leftOut, 'completed run')} the study left out of its fit, left out here too)` : ''}`,
      );
    const hasLr = runs.every((r) => r.lr !== undefined);
    const curves = curvesFromDataset(
      {
        source: db,
        runs,
        columns: {
          run: 'run',
          step: 'step',
          loss: 'loss',
          D: 'tokens',
          N: 'N',
          ...(hasLr ? { lr: 'lr' } : {}),
          ...(runs.some((r) => r.lineage !== undefined) ? { lineage: 'lineage' } : {}),
        },
        derived: {},
      },
      schedules,
    );
    // A stored checkpoint has no line: its run and step name it (the numbers above only order the rows).
    for (const c of curves) for (const p of c.points) p.where = { file: db };
    return { curves, leftOut };
  } finally {
    store.close();
  }
}

/** How many folders deep below a TensorBoard logdir its runs are looked for (runs/<name>/train is 3). */
const LOGDIR_DEPTH = 4;
/** The most folders a logdir search opens: a path given by mistake (a home folder) is not walked whole. */
const LOGDIR_FOLDERS = 10_000;

/** Whether a folder holds TensorBoard event files itself (not in its sub-folders). */
function holdsEvents(folder: string): boolean {
  try {
    return readdirSync(folder).some(isTfEventsName);
  } catch {
    return false;
  }
}

/**
 * The run folders of a TensorBoard logdir: its sub-folders, to LOGDIR_DEPTH levels down, that hold
 * event files, each one run named by its path below the logdir (as TensorBoard names runs:
 * `runs/exp1`, `train`). Hidden folders are passed over; a symbolic link to a folder is followed
 * once (a link back up the tree is not walked again, so a loop cannot hang the search); what cannot be
 * opened (no permission, a link to nothing, a link loop) is in `unread`, for the note that says it.
 */
function logdirRuns(logdir: string): { runs: { name: string; folder: string }[]; cut: boolean; unread: string[] } {
  const runs: { name: string; folder: string }[] = [];
  // What could not be opened (a folder without permission, a link to nothing): said, since a run there is left out.
  const unread: string[] = [];
  const why = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  const seen = new Set<string>([realpathSync(logdir)]);
  let opened = 0;
  let cut = false;
  const walk = (folder: string, rel: string[], depth: number) => {
    if (depth > LOGDIR_DEPTH) return;
    let entries: string[];
    try {
      entries = readdirSync(folder).sort();
    } catch (e) {
      unread.push(`${folder} (${why(e)})`);
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith('.')) continue;
      const path = join(folder, entry);
      let real: string;
      try {
        if (!statSync(path).isDirectory()) continue;
        real = realpathSync(path);
      } catch (e) {
        unread.push(`${path} (${why(e) === 'ENOENT' ? 'a link to nothing' : why(e)})`);
        continue;
      }
      if (seen.has(real)) continue;
      if (++opened > LOGDIR_FOLDERS) {
        cut = true;
        return;
      }
      seen.add(real);
      if (holdsEvents(path)) runs.push({ name: [...rel, entry].join('/'), folder: path });
      walk(path, [...rel, entry], depth + 1);
    }
  };
  walk(logdir, [], 1);
  return { runs, cut, unread };
}

/**
 * A run's TensorBoard event files (a folder's, in name order: TensorBoard names them by creation
 * time), read and parsed; the run is named after the folder, as TensorBoard names it, or `name`
 * (a logdir's run: its path below the logdir).
 */
function readEvents(
  input: string,
  tag: string | undefined,
  schedules: Record<string, Schedule>,
  fallback: Schedule | undefined,
  runName?: string,
  dropNonfinite?: boolean,
): EventsCurve {
  const folder = statSync(input).isDirectory();
  const paths = folder
    ? readdirSync(input)
        .filter(isTfEventsName)
        .sort()
        .map((f) => join(input, f))
    : [input];
  const name = runName ?? basename(folder ? input : dirname(input));
  const files = paths.map((source) => ({
    source,
    read: parseTfEvents(readBytes(source, 'a TensorBoard event file'), source),
  }));
  return curveFromEvents(files, name, {
    ...(tag !== undefined ? { tag } : {}),
    ...(dropNonfinite ? { dropNonfinite } : {}),
    schedule: schedules[name] ?? fallback,
  });
}

/**
 * A trainer's run folder, its metrics.jsonl, a TensorBoard event file or a folder of them, or a runs
 * table; each becomes one or more curves. `eventSchedule` is the schedule of an event-file run that
 * --schedules does not name (predict: the target's, since its observed run's learning rate is not read).
 */
function readCurves(
  inputs: string[],
  flags: {
    schedules?: string;
    columns?: string;
    group?: string;
    lineage?: string;
    tag?: string;
    dropNonfinite?: boolean;
  },
  eventSchedule?: Schedule,
): ReadCurve[] {
  const schedules: Record<string, Schedule> = {};
  if (flags.schedules) {
    const raw = parseJsonText(
      readText(flags.schedules, 'a JSON file of schedules, one per run'),
      flags.schedules,
      'an object mapping run names to schedules',
    );
    if (!raw || typeof raw !== 'object' || Array.isArray(raw))
      throw new InputError(
        { file: flags.schedules },
        'expected an object mapping run names to schedules, e.g. {"a": {"kind": "constant", "peakLr": 0.003, "steps": 1000}}',
      );
    for (const [name, s] of Object.entries(raw))
      schedules[name] = parseSchedule(s, { file: flags.schedules, columnName: name });
  }
  const curves: ReadCurve[] = [];
  for (const input of inputs) {
    if (!existsSync(input))
      throw new UsageError(
        `${input}: no such file or folder (expected a trainer's run folder, its metrics.jsonl, a TensorBoard event file or its folder, or a CSV/JSON/JSONL table of checkpoints)`,
      );
    const folder = statSync(input).isDirectory();
    const events = folder ? !existsSync(join(input, 'metrics.jsonl')) && holdsEvents(input) : isTfEventsName(input);
    const eventRun = (path: string, name?: string) => {
      const curve = readEvents(path, flags.tag, schedules, eventSchedule, name, flags.dropNonfinite);
      for (const note of curve.notes) process.stderr.write(`scalelab: note: ${note}\n`);
      curves.push(curve);
    };
    if (events) {
      eventRun(input);
      continue;
    }
    // A TensorBoard logdir: its runs' event files lie in sub-folders (runs/<name>, train, eval).
    const logdir = folder && !existsSync(join(input, 'metrics.jsonl')) ? logdirRuns(input) : undefined;
    if (logdir?.runs.length) {
      const { runs } = logdir;
      process.stderr.write(
        `scalelab: note: ${input}: a TensorBoard logdir of ${counted(runs.length, 'run')}, each a sub-folder's event files, named by its path (as TensorBoard names runs; --schedules takes these names): ${runs.map((r) => `"${r.name}"`).join(', ')}${logdir.cut ? ` (the search stopped after ${LOGDIR_FOLDERS} folders: give the run folders themselves)` : ''}\n`,
      );
      if (logdir.unread.length)
        process.stderr.write(
          `scalelab: note: ${input}: left out, as they cannot be opened (a run there is not read): ${logdir.unread.join(', ')}\n`,
        );
      for (const r of runs) eventRun(r.folder, r.name);
      continue;
    }
    const metrics = folder ? join(input, 'metrics.jsonl') : basename(input) === 'metrics.jsonl' ? input : undefined;
    if (metrics) {
      if (!existsSync(metrics))
        throw new UsageError(
          `${input}: a folder without metrics.jsonl or TensorBoard event files, in it or its sub-folders ${LOGDIR_DEPTH} levels down${logdir?.cut ? ` (the search stopped after ${LOGDIR_FOLDERS} folders)` : ''} (expected a run folder of examples/trainers/train.py, one TensorBoard logged to, or its logdir)`,
        );
      const name = basename(statSync(input).isDirectory() ? input : dirname(input));
      const curve = curveFromMetrics(readText(metrics, "a trainer's metrics (JSON lines)"), metrics, name);
      // Said on stderr as a table's and an event file's notes are (a step-0 evaluation left out).
      for (const note of curve.notes ?? []) process.stderr.write(`scalelab: note: ${note}\n`);
      curves.push(curve);
    } else {
      // A step-0 row's 0 tokens and learning rate are read (curvesFromDataset leaves its loss out).
      const ds = readRuns(input, {
        ...runSelection(flags),
        zeroAtStepZero: true,
        ...(flags.dropNonfinite ? { keepDiverged: true } : {}),
      });
      // A NaN or infinite loss is refused by the reader unless --drop-nonfinite: then left out, and said.
      const left = new Map<string, DatasetRun[]>();
      for (const r of ds.diverged ?? []) left.set(r.run ?? '', [...(left.get(r.run ?? '') ?? []), r]);
      for (const [run, rows] of left)
        process.stderr.write(
          `scalelab: note: ${input}: run "${run || basename(input).replace(/\.[^.]+$/, '')}": ${rows.length === 1 ? '1 NaN or infinite loss' : `${rows.length} NaN or infinite losses`} left out (--drop-nonfinite), at line${rows.length === 1 ? '' : 's'} ${rows
            .slice(0, 10)
            .map((r) => `${r.line}${r.step !== undefined ? ` (step ${r.step})` : ''}`)
            .join(', ')}${rows.length > 10 ? ` and ${rows.length - 10} more` : ''}\n`,
        );
      if (ds.columns.step === WANDB_LOG_COUNT)
        process.stderr.write(
          `scalelab: warning: ${input}: the step is read from _step, W&B's count of log calls, which is the optimizer step only when the run logged once a step (the learning rate of each step is placed by it); export the trainer's step (trainer/global_step, global_step or step), which is read first\n`,
        );
      const read = curvesFromDataset(ds, schedules);
      for (const note of read.flatMap((c) => c.notes ?? [])) process.stderr.write(`scalelab: note: ${note}\n`);
      curves.push(...read);
    }
  }
  if (flags.tag !== undefined && !curves.some((c) => c.tag !== undefined))
    throw new UsageError('--tag: names the loss in TensorBoard event files, and none of the inputs is one');
  const unnamed = flags.lineage !== undefined ? curves.find((c) => c.lineage === undefined) : undefined;
  if (unnamed)
    throw new UsageError(
      `--lineage ${flags.lineage}: run "${unnamed.name}" (${unnamed.source}) has no lineage; a trainer's run folder names none, so give its curves in a table with a ${flags.lineage} column`,
    );
  const names = new Set<string>();
  for (const c of curves) {
    if (names.has(c.name))
      throw new InputError(
        { file: c.source },
        `run "${c.name}" appears twice among the inputs; expected one curve per run name`,
      );
    names.add(c.name);
  }
  return curves;
}

/**
 * --steps: the target run's optimizer steps, bounded as a schedule's are (a curve law reads the learning
 * rate of every step), so a length no array can hold is refused at the flag, before any file is read.
 */
function parseSteps(text: string, min: number): number {
  const steps = parseInteger(text, '--steps', min);
  if (steps > MAX_SCHEDULE_STEPS) throw new UsageError(`--steps: expected ${scheduleStepsRule(min)}, got ${text}`);
  return steps;
}

/** Most points `curve-law predict --every` may ask for along one run (50 by default). */
const MAX_PREDICTED_POINTS = 1000;

/** The target schedule from flags (`--schedule wsd --steps 2000 …`) or a JSON file. */
function targetSchedule(flags: ScheduleFlags, fallback?: Schedule): Schedule {
  if (flags.scheduleFile)
    return parseSchedule(
      parseJsonText(
        readText(flags.scheduleFile, 'a learning-rate schedule (JSON)'),
        flags.scheduleFile,
        'a learning-rate schedule ({"kind": "wsd", "peakLr": …, "steps": …, …})',
      ),
      { file: flags.scheduleFile },
    );
  if (!flags.schedule) {
    if (fallback) return fallback;
    throw new UsageError(
      '--schedule: expected the target schedule (constant, cosine, linear or wsd, with --steps and --peak-lr), or --schedule-file',
    );
  }
  const kind = keyword(flags.schedule, '--schedule', scheduleKinds);
  if (!flags.steps) throw new UsageError("--steps: expected the target run's optimizer steps");
  if (!flags.peakLr) throw new UsageError("--peak-lr: expected the target run's peak learning rate");
  const steps = parseSteps(flags.steps, 1);
  const s: Record<string, unknown> = {
    kind,
    peakLr: parseQuantity(flags.peakLr, '--peak-lr', { plain: plainNumber.learningRate }),
    steps,
    warmupSteps: flags.warmupSteps ? parseInteger(flags.warmupSteps, '--warmup-steps', 0) : 0,
  };
  if (kind !== 'constant')
    s.minLrFrac = flags.minLrFrac
      ? parseQuantity(flags.minLrFrac, '--min-lr-frac', { positive: false, plain: plainNumber.fraction })
      : 0.1;
  if (kind === 'wsd') {
    const frac = flags.decayFrac
      ? parseQuantity(flags.decayFrac, '--decay-frac', { plain: plainNumber.fraction })
      : 0.2;
    if (!(frac < 1)) throw new UsageError(`--decay-frac: expected a fraction between 0 and 1, got ${flags.decayFrac}`);
    s.decaySteps = Math.max(1, Math.round(frac * steps));
    s.decayShape = keyword(flags.decayShape ?? 'linear', '--decay-shape', decayShapes);
  }
  return parseSchedule(s, { file: 'the command line', columnName: '--schedule' });
}

interface ScheduleFlags {
  schedule?: string;
  scheduleFile?: string;
  steps?: string;
  peakLr?: string;
  warmupSteps?: string;
  decayFrac?: string;
  decayShape?: string;
  minLrFrac?: string;
}

/**
 * The target run's schedule flags, which predict, schedule and ladder share: one description and
 * one default each, as src/cli/flags.test.ts asks of any flag name more than one command takes.
 */
const targetFlags = {
  steps: () => new Option('--steps <n>', 'optimizer steps of the target run'),
  peakLr: () => new Option('--peak-lr <lr>', 'peak learning rate of the target run'),
  warmupSteps: () => new Option('--warmup-steps <n>', 'linear warmup steps of the target run').default('0'),
  decayFrac: () => new Option('--decay-frac <f>', 'WSD: fraction of the steps spent decaying').default('0.2'),
  decayShape: () =>
    new Option('--decay-shape <shape>', `WSD: the decay's shape, ${decayShapes.join(', ')}`).default('linear'),
  minLrFrac: () =>
    new Option('--min-lr-frac <f>', 'final learning rate as a fraction of the peak (cosine, linear, WSD)').default(
      '0.1',
    ),
  curveFit: () =>
    new Option(
      '--curve-fit <file>',
      'a curve-law fit written by "scalelab curve-law fit --out FILE"',
    ).makeOptionMandatory(),
  N: () => flag('N', { detail: 'with a fit per size, or a joint fit' }),
};

/** What --tag names (fit's inputs, predict's --observed run): one text, as every flag has one meaning. */
const LOSS_TAG_HELP = `the loss's tag (default: the first of ${LOSS_TAGS.join(', ')} logged)`;

function scheduleOptions(cmd: Command): Command {
  return cmd
    .option('--schedule <kind>', `the target run's schedule: ${scheduleKinds.join(', ')}`)
    .option('--schedule-file <file>', 'the target schedule as JSON ({"kind": "wsd", "peakLr": …, "steps": …, …})')
    .addOption(targetFlags.steps())
    .addOption(targetFlags.peakLr())
    .addOption(targetFlags.warmupSteps())
    .addOption(targetFlags.decayFrac())
    .addOption(targetFlags.decayShape())
    .addOption(targetFlags.minLrFrac());
}

/** Read and check a fit file written by `curve-law fit --out`. */
function readCurveFit(path: string): CurveFitFile {
  return loadCurveFit(readText(path, 'a curve-law fit (JSON written by "scalelab curve-law fit --out FILE")'), path);
}

/** Why an interval from replicates that could not move some parameters is not to be trusted. */
function frozenWarning(frozen: string[]): string {
  const one = frozen.length === 1;
  return `every bootstrap replicate kept ${frozen.join(' and ')} at one value: the refits ended at a limit of the law where ${one ? 'it has' : 'they have'} no gradient, so the law's interval leaves out ${one ? 'its' : 'their'} uncertainty; on the back-tests such fits' intervals for a new run (widened by the extrapolation term, chosen on those same cases) held 95 % of the Gemstones' losses and missed on moby, whose fits rest on two runs (docs/methods.md §35): fit more runs, or longer ones, to narrow it down`;
}

/**
 * The fit for a size: the joint fit, the one fit, or the one at --N. A fit made at one size is not
 * carried to another (its law has no N in it): that needs a joint fit, so it is refused, not used as if
 * the size did not matter. `from` says where N came from (--N, or the --observed run's size).
 */
function fitFor(file: CurveFitFile, path: string, N?: number, from = '--N'): CurveFitFile['fits'][number] {
  const sameSize = (x: { N?: number }) => x.N !== undefined && N !== undefined && Math.abs(x.N / N - 1) < 1e-9;
  if (file.joint || file.fits.length === 1) {
    if (file.joint && N === undefined)
      throw new UsageError('--N: a joint fit across sizes predicts at a model size; give --N');
    const only = file.fits[0];
    // Runs read without a size (a table with no N column, event files): --N would head the prediction as
    // if it were for that size, while the law, which has no N, gives the fitted runs' curve.
    if (!file.joint && N !== undefined && only.N === undefined && from === '--N')
      throw new UsageError(
        `--N: ${path} is a fit of runs of no stated size; its law does not depend on N, so it predicts the fitted runs' size, not ${formatNumber(N, 4)}: leave --N out (to predict other sizes, fit three sizes or more, each run's N in an N column, with --joint)`,
      );
    if (!file.joint && N !== undefined && only.N !== undefined && !sameSize(only))
      throw new UsageError(
        `${from}: ${path} is a fit at one model size, N = ${only.N}, not ${N}; its law does not depend on N, so it cannot predict another size (fit three sizes or more with --joint for that)`,
      );
    return only;
  }
  if (N === undefined)
    throw new UsageError(
      `--N: ${path} holds one fit per model size (${file.fits.map((g) => g.N).join(', ')}); choose one with --N`,
    );
  const g = file.fits.find(sameSize);
  if (!g)
    throw new UsageError(
      `${from}: ${path} has no fit at N = ${N}; its sizes are ${file.fits.map((x) => x.N).join(', ')} (fit them jointly with --joint to predict at another size)`,
    );
  return g;
}

const f4 = (v: number) => formatNumber(v, 5);

/** The first line of a prediction from a fit file: which law (its citation, short), which file, which size. */
function lawFromFile(file: CurveFitFile, path: string, N: number | undefined): string {
  return `${file.law} law (${file.citation.split(', "')[0]}) from ${path}${N !== undefined ? `, N = ${formatNumber(N, 4)}` : ''}`;
}

/**
 * What a prediction asks of the law beyond its runs, said beside the numbers: a peak learning rate
 * outside the fitted runs' by more than a factor of 2 (a misplaced exponent, 5.7 for 5.7e-3, otherwise
 * prints a loss like any other), a run more than 10× longer than the longest fitted, and a predicted
 * loss that is not a positive number (the law carried where it means nothing).
 */
function reachWarnings(
  file: CurveFitFile,
  g: CurveFitFile['fits'][number],
  target: { peakLr: number; steps: number },
  curve: { step: number; loss: number }[],
): string[] {
  const fitted = fittedRuns(file.inputs, file.joint, g.N);
  // A run's peak and length: its schedule's, else — a learning rate read from an lr column or tag — the
  // logged rate's peak and the run's last checkpoint (such fits had no warning at all, 100× beyond).
  const peaks = fitted.flatMap((i) => {
    const peak = i.schedule?.peakLr ?? i.peakLr;
    return peak !== undefined && peak > 0 ? [peak] : [];
  });
  const lengths = fitted.flatMap((i) => {
    const steps = i.schedule?.steps ?? i.lastStep;
    return steps !== undefined ? [steps] : [];
  });
  const out: string[] = [];
  if (peaks.length) {
    const [lo, hi] = [Math.min(...peaks), Math.max(...peaks)];
    const span = lo === hi ? formatNumber(lo, 3) : formatRange([lo, hi], 3);
    if (target.peakLr > 2 * hi || target.peakLr < lo / 2)
      out.push(
        `the peak learning rate ${formatNumber(target.peakLr, 3)} is ${target.peakLr > hi ? `${formatNumber(target.peakLr / hi, 3)}× above` : `${formatNumber(lo / target.peakLr, 3)}× below`} the fitted runs' (${span}): the law is carried far from what it was fitted on`,
      );
  }
  if (lengths.length) {
    const longest = Math.max(...lengths);
    if (target.steps > 10 * longest)
      out.push(
        `${target.steps} steps is ${formatNumber(target.steps / longest, 3)}× the longest fitted run (${longest} steps): the law is carried far from what it was fitted on`,
      );
  }
  const bad = curve.find((p) => !(p.loss > 0 && Number.isFinite(p.loss)));
  if (bad)
    out.push(
      `the law predicts a loss of ${f4(bad.loss)} at step ${bad.step}: no run has a loss ≤ 0, so this schedule is beyond what the fit can say`,
    );
  // The fit's own parameters not identified by its curves (curve-law fit said so; repeated wherever it is used).
  if (g.fit.degenerate?.length) out.push(degenerateWarning(g.fit));
  return out;
}

/**
 * The note on a fit whose drop shape is at a limit of the law (CurveFit.shapeAtLimit) and nothing else
 * unidentified: said, not warned (docs/methods.md §35), by fit and again where predict and schedule use it.
 */
function shapeAtLimitNote(fit: CurveFit): string {
  return `${(fit.shapeAtLimit ?? []).join(', ')}: the drop's shape is at a limit of the law, not identified by these curves — fewer combinations of them are fixed, and the law is continuous there; its size and the other parameters are identified: docs/methods.md §35`;
}

/** What each parameter a curve law fits sets, for the warning on one its curves do not identify. */
const parameterMeaning: Record<string, string> = {
  L0: 'the loss the curve tends to with training (its floor)',
  E: 'the floor at infinite size',
  A_N: 'how the floor falls with model size',
  a: 'how the floor falls with model size',
  A: 'the power term (how the loss falls with the summed learning rate)',
  alpha: 'the power term (how the loss falls with the summed learning rate)',
  C: "the size of the loss drop on a decay (the annealing area's weight)",
  B_beta: 'the size of the loss drop on a decay',
  beta: "the drop's shape",
  gamma: "the drop's shape",
};

/**
 * The warning on a fit whose parameters its curves do not identify (CurveFit.degenerate; docs/methods.md
 * §35): which, at what values, what they set, and what would identify them.
 */
function degenerateWarning(fit: CurveFit): string {
  const names = fit.degenerate ?? [];
  const one = names.length === 1;
  const values = names.map((n) => `${n} = ${f4(fit.params[n])}`).join(', ');
  const meanings = [...new Set(names.map((n) => parameterMeaning[n]).filter((m) => m !== undefined))].join('; ');
  const shape = fit.shapeAtLimit?.length
    ? ` (and the drop's shape, ${fit.shapeAtLimit.join(', ')}, at a limit of the law)`
    : '';
  return `the fit's ${values} ${one ? 'is' : 'are'} not identified by its curves${shape}: ${one ? 'it' : 'each'} could be 10× larger or smaller with the fitted curve moving less than its scatter (a linearised 95 % interval, the other parameters refitted; docs/methods.md §35). ${one ? 'It sets' : 'They set'} ${meanings}, so the curve beyond the checkpoints is not to be trusted: fit more runs, or a run with another schedule (another decay fraction or length), see how far ${one ? 'it moves' : 'they move'} with --bootstrap N, or fit another law (--law ${curveLawIds.filter((l) => l !== fit.law).join(', ')})`;
}
const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

export function registerCurveLaw(program: Command, run: Run): void {
  const cmd = program
    .command('curve-law')
    .description(
      'whole training curves under any learning-rate schedule: fit a curve law, predict another schedule, choose the WSD decay',
    );

  cmd
    .command('fit')
    .description(
      'fit the LR-annealing law (Tissue et al. 2024) or the multi-power law (Luo et al. 2025) to training curves',
    )
    .argument(
      '[inputs...]',
      'trainer run folders (metrics.jsonl with its schedule), TensorBoard event files, their run folders or a logdir of runs, or CSV/JSON/JSONL tables with run, step, loss and lr (or --schedules)',
    )
    .addOption(
      flag('db', {
        detail: "read its completed runs instead of files (their schedules, or their checkpoints' learning rates)",
      }),
    )
    .addOption(flag('study', { detail: 'with --db: only this study' }))
    .addOption(flag('law', { detail: curveLawIds.join(' or '), default: DEFAULT_CURVE_LAW }))
    .option('--joint', 'fit all sizes together, L0 = E + A_N·N^(−a) (at least 3 sizes); otherwise each size on its own')
    .option('--lambda <x>', 'lr-annealing: momentum of the annealing area', '0.999')
    .option(
      '--from-step <n>',
      'fit only checkpoints from this step on (the learning rates before it still count): leaves out an early transient that no curve law describes',
      '1',
    )
    .option(
      '--schedules <file>',
      'JSON object: run name → schedule, for tables without an lr column and TensorBoard runs (read before a learning-rate tag)',
    )
    .option('--tag <name>', `TensorBoard event files: ${LOSS_TAG_HELP}`)
    .addOption(flag('drop-nonfinite'))
    .addOption(flag('columns', { detail: 'e.g. loss=val_loss,lr=learning_rate' }))
    .addOption(flag('group'))
    .addOption(
      flag('lineage', {
        detail:
          'with --db, the lineage the import recorded ("runs import --lineage"; used without the flag when every run has one), and every run must have one',
      }),
    )
    .addOption(
      flag('bootstrap', {
        detail: 'whole runs resampled (whole lineages with --lineage); residual blocks within runs when fewer than 3',
        default: '0',
      }),
    )
    .addOption(flag('seed', { default: '0' }))
    .addOption(flag('out', { detail: 'the fit as JSON, for curve-law predict and schedule (--curve-fit)' }))
    .addOption(flag('json'))
    .addHelpText(
      'after',
      `
Examples:
  scalelab curve-law fit examples/studies/moby-curves/runs/d32-constant examples/studies/moby-curves/runs/d32-wsd-0.2 --from-step 500 --bootstrap 200 --out curve-fit.json
  scalelab curve-law fit curves.csv --law multi-power      # columns run, step, loss, lr (and N)
  scalelab curve-law fit --db .scalelab/runs.db --study curves`,
    )
    .action(
      async (
        inputs: string[],
        flags: {
          db?: string;
          study?: string;
          law: string;
          joint?: boolean;
          lambda: string;
          fromStep: string;
          schedules?: string;
          tag?: string;
          dropNonfinite?: boolean;
          columns?: string;
          group?: string;
          lineage?: string;
          bootstrap: string;
          seed: string;
          out?: string;
          json?: boolean;
        },
        command: Command,
      ) =>
        run(async () => {
          if (flags.out)
            checkOutput(flags.out, '--out', { what: 'the curve-law fit', format: 'JSON', extensions: ['.json'] }, [
              ...inputs,
              ...[flags.db, flags.schedules].filter((p) => p !== undefined),
            ]);
          const law = keyword(flags.law, '--law', curveLawIds);
          const lambda = parseQuantity(flags.lambda, '--lambda', { plain: { what: 'a momentum', example: '0.999' } });
          if (!(lambda < 1)) throw new UsageError(`--lambda: expected a momentum between 0 and 1, got ${flags.lambda}`);
          const replicates = parseInteger(flags.bootstrap, '--bootstrap', 0);
          const seed = parseInteger(flags.seed, '--seed', 0);
          const fromStep = parseInteger(flags.fromStep, '--from-step', 1);
          if (!inputs.length && !flags.db)
            throw new UsageError('expected run folders or tables of checkpoints to fit, or --db with a run store');
          if (inputs.length && flags.db) throw new UsageError('--db: give either input files or a run store, not both');
          if (flags.db && flags.lineage !== undefined && flags.lineage.trim() === '')
            throw new UsageError('--lineage: expected a column name (runs with equal values are drawn together)');
          const source = flags.db ?? inputs.join(', ');
          // Computed on the main thread, in steps (reading, a fit per model size, then each replicate)
          // with a turn for the event loop between them: a Ctrl-C stops it within a step, saying so.
          const { curves, fits, leftOut } = await interruptible(
            (async () => {
              const { curves: read, leftOut } = flags.db
                ? await storeCurves(flags.db, flags.study, flags.lineage)
                : { curves: readCurves(inputs, flags), leftOut: undefined };
              await betweenSteps();
              // Only an explicit --from-step leaves checkpoints out beyond step 0 (the loss before any
              // update), which the table and event-file readers leave out and say.
              const curves =
                fromStep > 1 ? read.map((c) => ({ ...c, points: c.points.filter((p) => p.step >= fromStep) })) : read;
              const bare = curves.find((c) => c.points.length === 0);
              if (bare)
                throw new UsageError(`--from-step: run "${bare.name}" has no checkpoint at step ${fromStep} or later`);
              const groups: { N?: number; curves: ReadCurve[] }[] = [];
              if (flags.joint) groups.push({ curves });
              else
                for (const c of curves) {
                  const g = groups.find((x) => x.N === c.N);
                  if (g) g.curves.push(c);
                  else groups.push({ N: c.N, curves: [c] });
                }
              groups.sort((a, b) => (a.N ?? 0) - (b.N ?? 0));
              const bar = progress('bootstrap', replicates * groups.length, flags);
              const fits: CurveFitFile['fits'] = [];
              for (const g of groups) {
                const opts = { law, joint: !!flags.joint, lambda, source: g.curves[0].source };
                const fit = fitCurveLaw(g.curves, opts);
                await betweenSteps();
                let bootstrap: CurveBootstrap | undefined;
                if (replicates > 0) {
                  const steps = curveBootstrapSteps(g.curves, opts, fit, replicates, seed);
                  for (let step = steps.next(); ; step = steps.next()) {
                    if (step.done) {
                      bootstrap = step.value;
                      break;
                    }
                    bar.tick();
                    await betweenSteps();
                  }
                }
                fits.push({
                  ...(g.N !== undefined && !flags.joint ? { N: g.N } : {}),
                  fit,
                  ...(bootstrap ? { bootstrap } : {}),
                });
              }
              bar.stop();
              return { curves, fits, leftOut };
            })(),
          );
          const out: CurveFitFile = {
            kind: 'scalelab-curve-fit',
            law,
            citation: fits[0].fit.citation,
            joint: !!flags.joint,
            fromStep,
            ...(leftOut !== undefined ? { leftOutByStudy: leftOut } : {}),
            fits,
            inputs: curves.map((c) => ({
              run: c.name,
              ...(c.N !== undefined ? { N: c.N } : {}),
              points: c.points.length,
              lastStep: c.points.at(-1)!.step,
              lrFrom: c.lrFrom,
              ...(c.lrFrom !== 'schedule'
                ? { warmupRead: c.warmupSteps, peakLr: c.lrs.reduce((a, b) => Math.max(a, b), 0) }
                : {}),
              source: c.source,
              ...(c.namedAfterFile ? { namedAfterFile: true } : {}),
              ...(c.schedule ? { schedule: c.schedule } : {}),
              ...(c.tag !== undefined ? { tag: c.tag } : {}),
              ...(c.lrTag !== undefined ? { lrTag: c.lrTag } : {}),
              ...(c.notes?.length ? { notes: c.notes } : {}),
            })),
          };
          if (flags.out) {
            const text = JSON.stringify(out, null, 2) + '\n';
            checkFiniteText(text, source);
            writeOutput(flags.out, text, flags);
          }
          if (flags.json) return printResult(out, source);
          // The law nobody chose is marked the default, with where it was chosen and how to fit the other.
          const lawDefault =
            command.getOptionValueSource('law') === 'default'
              ? `; the ${law} law (default, chosen on the curve-law back-tests; --law ${curveLawIds.filter((l) => l !== law).join(', ')} fits the other)`
              : '';
          const lines = [`${curveLawFormula(law, !!flags.joint)} (${out.citation})${lawDefault}`, ''];
          lines.push(`runs${fromStep > 1 ? ` (checkpoints from step ${fromStep} on)` : ''}:`);
          for (const c of out.inputs)
            lines.push(
              `  ${c.run}${c.N !== undefined ? ` (N = ${formatNumber(c.N, 4)})` : ''}${c.namedAfterFile ? ` (all of ${c.source}: it has no run column)` : ''}: ${counted(c.points, 'checkpoint')}${c.tag !== undefined ? ` of tag "${c.tag}"` : ''}, learning rate from ${c.lrFrom}${c.lrTag ? ` "${c.lrTag}"` : ''}${c.warmupRead !== undefined ? ` (${c.warmupRead ? `warmup read: ${counted(c.warmupRead, 'step')}` : 'no warmup read'})` : ''}${c.schedule ? `: ${describeSchedule(c.schedule)}` : ''}`,
            );
          if (out.leftOutByStudy)
            lines.push(
              `  (${counted(out.leftOutByStudy, 'completed run')} the study left out of its fit ${out.leftOutByStudy === 1 ? 'is' : 'are'} left out here too: "scalelab runs ls" says why)`,
            );
          for (const g of fits) {
            lines.push(
              '',
              `${g.N !== undefined ? `N = ${formatNumber(g.N, 4)}` : flags.joint ? 'all sizes' : 'fit'}: ${counted(g.fit.runs.length, 'run')}, ${counted(g.fit.points, 'checkpoint')}, rms residual ${g.fit.rms.toExponential(2)}, ${g.fit.converged ? 'converged' : 'NOT converged'}`,
            );
            // Parameters whose fitted value lies outside their own replicates' interval: the fit and its
            // refits ended at different points of a family the runs cannot tell apart (the multi-power
            // law's β → 0 with B → ∞ and γ → ∞), so the value is not identified — said, not left for the
            // reader to notice that 42.8 is not in [25.7, 30.1].
            const outside: string[] = [];
            for (const [k, v] of Object.entries(g.fit.params)) {
              // A replicate lacks a parameter only where it is the multi-power law's published B and its
              // β underflowed to 0: B is infinite there (B·β, which the law reads, is finite).
              const reps = g.bootstrap?.replicates.map((p) => p[k] ?? Infinity).sort((a, b) => a - b);
              let iv = '';
              if (reps && reps.length > 1) {
                const lo = reps[Math.floor(0.025 * (reps.length - 1))],
                  hi = reps[Math.ceil(0.975 * (reps.length - 1))];
                // Infinite B is no number to print: the interval is open above, and says why.
                const infinite = reps.filter((r) => r === Infinity).length;
                iv = Number.isFinite(hi)
                  ? `  ${formatInterval([lo, hi], f4)}`
                  : `  [${Number.isFinite(lo) ? f4(lo) : '∞'}, ∞) (β = 0, B infinite, in ${infinite} of ${reps.length} replicates)`;
                if (Number.isFinite(v) && (v < lo || v > hi)) {
                  outside.push(k);
                  iv += '  (the fit outside it)';
                }
              }
              lines.push(`  ${k.padEnd(6)} ${f4(v)}${iv}`);
            }
            if (g.bootstrap)
              lines.push(
                `  (95 % intervals, percentiles of ${g.bootstrap.replicates.length} bootstrap replicates, ${g.bootstrap.unit === 'run' ? 'whole runs resampled' : g.bootstrap.unit === 'lineage' ? 'whole lineages resampled' : 'blocks of residuals resampled within each run (fewer than 3 runs or lineages)'}${g.bootstrap.failed ? `, ${g.bootstrap.failed} failed` : ''})`,
              );
            if (g.fit.degenerate?.length) lines.push(`  warning: ${degenerateWarning(g.fit)}`);
            else if (g.fit.shapeAtLimit?.length) lines.push(`  (${shapeAtLimitNote(g.fit)})`);
            const frozen = g.bootstrap ? frozenParameters(g.fit.params, g.bootstrap.replicates) : [];
            if (frozen.length) lines.push(`  warning: ${frozenWarning(frozen)}`);
            if (outside.length)
              lines.push(
                `  warning: the fit's ${outside.join(', ')} ${outside.length === 1 ? 'lies' : 'lie'} outside ${outside.length === 1 ? 'its' : 'their'} own replicates' interval: the fit and its refits ended at different points of a family of parameters these runs cannot tell apart (an exponent near 0 with a coefficient near ∞), so ${outside.length === 1 ? 'that value is' : 'those values are'} not identified; the curves they draw may still agree — curve-law predict says where they do not`,
              );
          }
          writeResult(lines.join('\n') + '\n', source);
        }, flags.json),
    );

  const predict = scheduleOptions(
    cmd
      .command('predict')
      .description(
        'predict the whole loss curve of a run under a schedule (and length) from a curve-law fit, with intervals',
      )
      .addOption(targetFlags.curveFit()),
  )
    .addOption(targetFlags.N())
    .option(
      '--observed <run>',
      'a trained run to compare with (a run folder, metrics.jsonl, or a TensorBoard event file or its folder); its schedule is the target unless --schedule is given (event files carry none: there --schedule is needed)',
    )
    .option('--tag <name>', `TensorBoard event files: ${LOSS_TAG_HELP}`)
    .addOption(flag('drop-nonfinite', { detail: "the --observed run's" }))
    .option('--every <n>', 'predict every n steps (default: 50 points along the run; at most 1000 points)')
    .addOption(flag('level', { default: '0.95' }))
    .option('--scatter-seed <n>', 'seed of the new-run scatter in the interval', '1')
    .addOption(
      flag('extrapolation', {
        detail:
          'relative SD s·log10(step/reach) of the predicted loss beyond the last fitted checkpoint (reach); it covers running longer only, not another schedule shape within the fitted length nor another size',
        default: String(CURVE_EXTRAPOLATION),
      }),
    )
    .option(
      '--plot <file>',
      'write an SVG figure of the predicted (and observed) curve (its folder is created, and checked before any work)',
    )
    .addOption(flag('json'))
    .addHelpText(
      'after',
      `
Examples:
  scalelab curve-law predict --curve-fit curve-fit.json --schedule cosine --steps 2000 --peak-lr 5.7e-3 --warmup-steps 50
  scalelab curve-law predict --curve-fit curve-fit.json --schedule wsd --decay-frac 0.5 --steps 1000 --peak-lr 5.7e-3 --warmup-steps 50
  scalelab curve-law predict --curve-fit examples/studies/moby-curves/fit-multi-power.json --observed examples/studies/moby-curves/runs/d64-cosine-2x --plot d64.svg`,
    );
  // An error reading --observed names predict's flags: the run's schedule is --schedule here (the
  // target's, read for an event file's run), and a flag only fit has is named with fit.
  const fitFlag = commandFlagNamer(predict, 'curve-law fit');
  const predictFlag: OptionNamer = (option) => (option === 'schedules' ? '--schedule' : fitFlag(option));
  predict.action(
    async (
      flags: ScheduleFlags & {
        curveFit: string;
        N?: string;
        observed?: string;
        tag?: string;
        dropNonfinite?: boolean;
        every?: string;
        level: string;
        scatterSeed: string;
        extrapolation: string;
        plot?: string;
        json?: boolean;
      },
    ) =>
      run(async () => {
        if (flags.plot)
          checkOutput(
            flags.plot,
            '--plot',
            { what: 'the figure', format: 'SVG', extensions: ['.svg'] },
            [flags.curveFit, flags.observed].filter((p) => p !== undefined),
          );
        const file = readCurveFit(flags.curveFit);
        if (flags.dropNonfinite && !flags.observed)
          throw new UsageError(
            "--drop-nonfinite: leaves out the --observed run's NaN or infinite losses; give --observed",
          );
        if (flags.tag !== undefined && !flags.observed)
          throw new UsageError(
            "--tag: names the loss of the --observed run's TensorBoard event files; give --observed",
          );
        // Given, the target schedule is read first: an event file's run carries none, and logs a learning rate
        // at best, which predict does not read.
        const given = flags.schedule || flags.scheduleFile ? targetSchedule(flags) : undefined;
        let observed: ReadCurve | undefined;
        try {
          const read = flags.observed
            ? readCurves(
                [flags.observed],
                {
                  ...(flags.tag !== undefined ? { tag: flags.tag } : {}),
                  ...(flags.dropNonfinite ? { dropNonfinite: true } : {}),
                },
                given,
              )
            : [];
          // One run is compared: a logdir or a table of several is not read as its first.
          if (read.length > 1) {
            const logdir = read.every((c) => c.tag !== undefined) && statSync(flags.observed!).isDirectory();
            throw new UsageError(
              `--observed ${flags.observed}: ${logdir ? 'a TensorBoard logdir' : 'a table'} of ${counted(read.length, 'run')} (${read.map((c) => `"${c.name}"`).join(', ')}); predict compares one: ${logdir ? `give its folder, e.g. --observed ${join(flags.observed!, read[0].name)}` : 'give a table of that run alone'}`,
            );
          }
          observed = read[0];
        } catch (e) {
          if (e instanceof InputError) throw new InputError(e.location, e.detailNaming(predictFlag));
          throw e;
        }
        const N = flags.N ? parseQuantity(flags.N, '--N') : observed?.N;
        const g = fitFor(file, flags.curveFit, N, flags.N || !observed ? '--N' : `--observed (run "${observed.name}")`);
        const schedule = given ?? targetSchedule(flags, observed?.schedule);
        // The comparison is at the observed run's last step: a run longer than the target has no prediction
        // there (the target's learning rates end at its --steps), which came out as NaN.
        const observedLast = observed?.points.at(-1)?.step;
        if (observed && observedLast !== undefined && observedLast > schedule.steps)
          throw new UsageError(
            `--observed run "${observed.name}" reaches step ${observedLast}, beyond the target's ${schedule.steps} steps: the prediction is compared at the run's last step; give --steps ${observedLast} or more, or leave the target's flags off to predict the run's own schedule`,
          );
        const level = parseLevel(flags.level);
        const every = flags.every
          ? parseInteger(flags.every, '--every', 1)
          : Math.max(1, Math.round(schedule.steps / 50));
        // Each point holds its bootstrap replicates' losses and intervals (measured: 240 MB for 1,000 points of
        // a fit of 200 replicates, 2.6 GB for 100,000): --every 1 over 1e7 steps would take the host's memory.
        const points = Math.floor(schedule.steps / every);
        if (points > MAX_PREDICTED_POINTS)
          throw new UsageError(
            `--every: a point every ${counted(every, 'step')} makes ${points} points over the target's ${schedule.steps} steps, more than the ${MAX_PREDICTED_POINTS} a prediction holds; expected ${Math.ceil(schedule.steps / MAX_PREDICTED_POINTS)} or more`,
          );
        const steps = [
          ...new Set([
            ...Array.from({ length: Math.floor(schedule.steps / every) }, (_, i) => (i + 1) * every),
            schedule.steps,
          ]),
        ];
        const target = { lrs: lrSequence(schedule), warmupSteps: schedule.warmupSteps ?? 0, N };
        const slope = parseExtrapolation(flags.extrapolation);
        const reach = checkpointReach(fittedRuns(file.inputs, file.joint, g.N));
        const extrapolation = reach !== undefined && slope > 0 ? { slope, reach } : undefined;
        const beyond = reach !== undefined ? extrapolationDistance(schedule.steps, reach) : 0;
        const p = predictWithIntervals(
          g.fit,
          target,
          steps,
          g.bootstrap,
          level,
          parseInteger(flags.scatterSeed, '--scatter-seed', 0),
          extrapolation,
        );
        const last = steps.length - 1;
        const observedFinal = observed?.points.at(-1);
        const comparison =
          observed && observedFinal
            ? {
                run: observed.name,
                step: observedFinal.step,
                observed: observedFinal.loss,
                predicted: predictWithIntervals(g.fit, target, [observedFinal.step], g.bootstrap, level).loss[0],
                ...(p.interval && observedFinal.step === schedule.steps
                  ? {
                      interval: p.interval[last],
                      inside: p.interval[last][0] <= observedFinal.loss && observedFinal.loss <= p.interval[last][1],
                    }
                  : {}),
              }
            : undefined;
        if (comparison) (comparison as Record<string, unknown>).error = comparison.predicted / comparison.observed - 1;
        if (flags.plot) {
          const svg = curveFigure(
            `${file.law} law: ${describeSchedule(schedule)}${N ? `, N = ${formatNumber(N, 4)}` : ''}`,
            [
              { name: 'predicted', steps, loss: p.loss, band: p.interval, color: palette[0] },
              ...(observed
                ? [
                    {
                      name: `observed (${observed.name})`,
                      steps: observed.points.map((x) => x.step),
                      loss: observed.points.map((x) => x.loss),
                      observed: true,
                      color: palette[1],
                    },
                  ]
                : []),
            ],
          );
          checkFiniteText(svg, flags.curveFit);
          writeOutput(flags.plot, svg, flags);
        }
        const warnings = reachWarnings(
          file,
          g,
          schedule,
          steps.map((step, i) => ({ step, loss: p.loss[i] })),
        );
        if (p.interval && slope > 0 && reach === undefined)
          warnings.push(
            `no extrapolation term: ${flags.curveFit} does not record where its runs' checkpoints end (written before that was recorded, from tables without a schedule); refit it with curve-law fit --out to have one`,
          );
        const frozen = g.bootstrap ? frozenParameters(g.fit.params, g.bootstrap.replicates) : [];
        if (frozen.length && p.interval) warnings.push(frozenWarning(frozen));
        if (p.pointOutside?.[last])
          warnings.push(
            `the fit predicts ${f4(p.loss[last])}, outside its own bootstrap replicates' ${formatInterval(p.lawInterval![last], f4)}: its parameters are degenerate (see curve-law fit: an exponent near 0 or a coefficient near its bound), so neither the prediction nor the interval is to be trusted; fit more runs, or the other law`,
          );
        const result = {
          law: file.law,
          citation: file.citation,
          fitFile: flags.curveFit,
          schedule,
          N,
          ...(p.dropped ? { droppedReplicates: p.dropped } : {}),
          ...(warnings.length ? { warnings } : {}),
          // The fit's drop shape at a limit of the law, repeated from the fit as its note (the warning says it where
          // other parameters are unidentified too).
          ...(g.fit.shapeAtLimit?.length ? { shapeAtLimit: g.fit.shapeAtLimit } : {}),
          // The new-run interval's extrapolation term: its slope, where the fitted checkpoints end, the
          // decades of steps beyond them at the last step, and whether an interval carries it.
          extrapolation: {
            slope,
            reach: reach ?? null,
            distance: beyond,
            applied: !!(extrapolation && p.interval && beyond > 0),
          },
          final: {
            step: schedule.steps,
            loss: p.loss[last],
            ...(p.interval ? { interval: p.interval[last], lawInterval: p.lawInterval![last] } : {}),
          },
          level,
          curve: steps.map((s, i) => ({
            step: s,
            loss: p.loss[i],
            ...(p.interval ? { interval: p.interval[i] } : {}),
          })),
          ...(comparison ? { observed: comparison } : {}),
          ...(flags.plot ? { plot: flags.plot } : {}),
        };
        if (flags.json) return printResult(result, flags.curveFit);
        // Where s comes from: the default was chosen on the curve-law back-tests (docs/methods.md §35).
        const slopeSource =
          predict.getOptionValueSource('extrapolation') === 'default'
            ? 'the default, chosen on the curve-law back-tests'
            : 'as given by --extrapolation';
        // The target's settings nobody typed, for a schedule made from the flags: said as defaults.
        const untyped = (name: string) =>
          flags.schedule !== undefined && predict.getOptionValueSource(name) === 'default';
        const defaultsTaken = [
          ...(untyped('warmupSteps') && schedule.warmupSteps === 0 ? ["warmup 0 is --warmup-steps' default"] : []),
          ...(schedule.kind === 'wsd' && untyped('decayFrac')
            ? ["the decay over the last 20 % is --decay-frac's default"]
            : []),
          ...(schedule.kind === 'wsd' && untyped('decayShape') ? ["its linear shape is --decay-shape's default"] : []),
          ...(schedule.kind !== 'constant' && untyped('minLrFrac')
            ? [`the final ${Math.round((schedule.minLrFrac ?? 0.1) * 1000) / 10} % is --min-lr-frac's default`]
            : []),
        ];
        const iv = p.interval
          ? ` (${Math.round(level * 100)} % interval for a new run ${formatInterval(p.interval[last], f4)}${extrapolation && beyond > 0 ? `, with an extrapolation term: ${formatNumber(beyond, 2)} decades of steps beyond the fitted checkpoints, which end at step ${extrapolation.reach} (s = ${slope} of the loss per decade, ${slopeSource})` : ''}; the law's own ${formatInterval(p.lawInterval![last], f4)})`
          : p.dropped
            ? ` (no interval: ${p.dropped === g.bootstrap!.replicates.length ? 'all' : `${p.dropped} of`} ${g.bootstrap!.replicates.length} bootstrap replicates predict a loss ≤ 0 on this schedule)`
            : // predict has no --bootstrap: the replicates are made by curve-law fit, saved in the fit file.
              ` (no interval: the fit has no bootstrap replicates; refit with scalelab curve-law fit … --bootstrap N --out ${flags.curveFit}, its data and other flags as before)`;
        const lines = [
          lawFromFile(file, flags.curveFit, N ?? g.N),
          `${describeSchedule(schedule)}${defaultsTaken.map((d) => `; ${d}`).join('')}`,
          `predicted final loss ${f4(p.loss[last])}${iv}`,
        ];
        if (p.dropped && p.interval)
          lines.push(
            `(${p.dropped} of ${g.bootstrap!.replicates.length} bootstrap replicates left out of the interval: they predict a loss ≤ 0 on this schedule, a degenerate refit)`,
          );
        for (const w of warnings) lines.push(`warning: ${w}`);
        if (g.fit.shapeAtLimit?.length && !g.fit.degenerate?.length) lines.push(`(${shapeAtLimitNote(g.fit)})`);
        if (comparison)
          lines.push(
            `observed (${comparison.run}, step ${comparison.step}): ${f4(comparison.observed)}, predicted ${f4(comparison.predicted)}, ${((comparison.predicted / comparison.observed - 1) * 100).toFixed(2)} %${'inside' in comparison ? (comparison.inside ? ', inside the interval' : ', OUTSIDE the interval: the prediction missed') : ''}`,
          );
        writeResult(lines.join('\n') + '\n', flags.curveFit);
      }, flags.json),
  );

  cmd
    .command('schedule')
    .description('choose the WSD decay fraction with the lowest predicted final loss for a budget of steps')
    .addOption(targetFlags.curveFit())
    .addOption(targetFlags.steps().makeOptionMandatory())
    .addOption(targetFlags.peakLr().makeOptionMandatory())
    .addOption(targetFlags.warmupSteps())
    .addOption(targetFlags.decayShape())
    .addOption(targetFlags.minLrFrac())
    .addOption(targetFlags.N())
    .addOption(flag('level', { detail: 'of the best decay fraction, over bootstrap replicates', default: '0.95' }))
    .addOption(flag('json'))
    .addHelpText(
      'after',
      `
Example:
  scalelab curve-law schedule --curve-fit curve-fit.json --steps 4000 --peak-lr 5.7e-3 --warmup-steps 50`,
    )
    .action(
      async (
        flags: {
          curveFit: string;
          steps: string;
          peakLr: string;
          warmupSteps: string;
          decayShape: string;
          minLrFrac: string;
          N?: string;
          level: string;
          json?: boolean;
        },
        command: Command,
      ) =>
        run(async () => {
          const steps = parseSteps(flags.steps, 2);
          const file = readCurveFit(flags.curveFit);
          const N = flags.N ? parseQuantity(flags.N, '--N') : undefined;
          const g = fitFor(file, flags.curveFit, N);
          const peakLr = parseQuantity(flags.peakLr, '--peak-lr', { plain: plainNumber.learningRate });
          const warmupSteps = parseInteger(flags.warmupSteps, '--warmup-steps', 0);
          if (warmupSteps >= steps)
            throw new UsageError(`--warmup-steps: expected fewer than the ${steps} steps, got ${warmupSteps}`);
          const decayShape = keyword(flags.decayShape, '--decay-shape', decayShapes);
          const minLrFrac = parseQuantity(flags.minLrFrac, '--min-lr-frac', {
            positive: false,
            plain: plainNumber.fraction,
          });
          if (!(minLrFrac >= 0 && minLrFrac <= 1))
            throw new UsageError(`--min-lr-frac: expected a fraction from 0 to 1, got ${flags.minLrFrac}`);
          // A final rate equal to the peak is no decay: every fraction tried is the same constant schedule,
          // and the "best" one would be the first of a tie.
          if (minLrFrac === 1)
            throw new UsageError(
              '--min-lr-frac 1 ends the decay at the peak learning rate, so there is no decay: every decay fraction gives the same constant schedule; give a final fraction below 1 (0 to 0.1 is usual)',
            );
          const level = parseLevel(flags.level);
          const make = (f: number) => {
            const decaySteps = Math.min(steps - warmupSteps, Math.max(1, Math.round(f * steps)));
            return {
              lrs: lrSequence({ kind: 'wsd', peakLr, steps, warmupSteps, minLrFrac, decaySteps, decayShape }),
              warmupSteps,
            };
          };
          const best = bestDecayFraction(g.fit, make, steps, N, g.bootstrap, level);
          // At the grid's edge the law has no optimum inside (0.01 or 0.99): it says "decay as much (or as
          // little) as possible", which is a property of the fitted law, not a schedule to trust.
          const atEdge = best.decayFrac <= 0.01 || best.decayFrac >= 0.99;
          const warnings = reachWarnings(file, g, { peakLr, steps }, [{ step: steps, loss: best.loss }]);
          // The decay fractions searched: an interval of the best one spanning nearly all of them pins nothing down.
          const searched: [number, number] = [best.curve[0].decayFrac, best.curve[best.curve.length - 1].decayFrac];
          const spansSearch =
            best.interval !== undefined && best.interval[1] - best.interval[0] >= 0.9 * (searched[1] - searched[0]);
          const result = {
            law: file.law,
            citation: file.citation,
            fitFile: flags.curveFit,
            steps,
            N: N ?? g.N,
            decayFrac: best.decayFrac,
            atEdge,
            ...(warnings.length ? { warnings } : {}),
            ...(g.fit.shapeAtLimit?.length ? { shapeAtLimit: g.fit.shapeAtLimit } : {}),
            loss: best.loss,
            // Of the best decay fraction (not of the loss beside it), over bootstrap replicates.
            ...(best.interval ? { decayInterval: best.interval, level, spansSearch } : {}),
            searched,
            curve: best.curve,
          };
          if (flags.json) return printResult(result, flags.curveFit);
          const at = (f: number) => best.curve[Math.round(f * 100) - 1].loss;
          // The target's settings nobody typed, each marked as the default.
          const mark = (name: string) => (command.getOptionValueSource(name) === 'default' ? ' (default)' : '');
          writeResult(
            `${lawFromFile(file, flags.curveFit, N ?? g.N)}\n` +
              `WSD over ${steps} steps (${decayShape}${mark('decayShape')} decay to ${minLrFrac * 100} %${mark('minLrFrac')}, warmup ${warmupSteps}${mark('warmupSteps')}): the best decay fraction is ${best.decayFrac.toFixed(2)}` +
              `${best.interval ? ` (${Math.round(level * 100)} % of bootstrap replicates between ${best.interval[0].toFixed(2)} and ${best.interval[1].toFixed(2)}${spansSearch ? `, nearly the whole ${formatRange(searched, 2)} searched: the fit does not pin it down` : ` of the ${formatRange(searched, 2)} searched`})` : ''}, predicted final loss ${f4(best.loss)}\n` +
              `  decay 0.10: ${f4(at(0.1))}   0.20: ${f4(at(0.2))}   0.50: ${f4(at(0.5))}   0.90: ${f4(at(0.9))}\n` +
              (atEdge
                ? `warning: the best fraction is at the edge of the range tried (1 %–99 %): the fitted law has no optimum inside it, so it says to decay ${best.decayFrac >= 0.99 ? 'as long' : 'as briefly'} as possible — check the fit (its annealing term, its curves) before trusting this\n`
                : '') +
              warnings.map((w) => `warning: ${w}\n`).join('') +
              (g.fit.shapeAtLimit?.length && !g.fit.degenerate?.length ? `(${shapeAtLimitNote(g.fit)})\n` : ''),
            flags.curveFit,
          );
        }, flags.json),
    );

  cmd
    .command('ladder')
    .description(
      'plan a WSD ladder: one constant-LR trunk per size and a cooldown branch per IsoFLOP budget, with the compute it saves against one run per point',
    )
    .requiredOption('--model-sizes <list>', 'model sizes N in parameters, comma-separated (e.g. 7M,19M,39M)')
    .addOption(
      flag('budgets', {
        detail:
          'a list such as 3e17,1e18,3e18 (C = 6ND), one cooldown branch per size and budget; the ladder designs runs, so there are no data to find budgets in (no auto or chinchilla)',
        required: true,
      }),
    )
    .addOption(flag('batch-tokens', { required: true }))
    .addOption(targetFlags.decayFrac())
    .addOption(flag('json'))
    .addHelpText(
      'after',
      `
Example:
  scalelab curve-law ladder --model-sizes 7M,19M,39M,71M,151M --budgets 3e17,1e18,3e18 --batch-tokens 262144`,
    )
    .action(
      async (
        flags: { modelSizes: string; budgets: string; batchTokens: string; decayFrac: string; json?: boolean },
        ladder: Command,
      ) =>
        run(async () => {
          const list = (text: string, flag: string) =>
            text
              .split(',')
              .filter((x) => x.trim())
              .map((x) => parseQuantity(x, flag));
          const sizes = list(flags.modelSizes, '--model-sizes'),
            budgets = list(flags.budgets, '--budgets');
          if (!sizes.length || !budgets.length)
            throw new UsageError('--model-sizes and --budgets: expected one or more numbers each');
          // "7,19,39" meant in millions plans trunks of billions of steps for 7-parameter models.
          const tiny = sizes.find((N) => N < 1000);
          if (tiny !== undefined)
            throw new UsageError(
              `--model-sizes: ${tiny} parameters is smaller than any language model; give sizes in parameters, such as ${tiny}M for ${tiny} million`,
            );
          const decayFrac = parseQuantity(flags.decayFrac, '--decay-frac', { plain: plainNumber.fraction });
          if (!(decayFrac < 1))
            throw new UsageError(`--decay-frac: expected a fraction between 0 and 1, got ${flags.decayFrac}`);
          const plan = planWsdLadder(sizes, budgets, parseQuantity(flags.batchTokens, '--batch-tokens'), decayFrac);
          if (flags.json) return printResult(plan);
          const lines = plan.sizes.map(
            (s) =>
              `N = ${formatNumber(s.N, 4)}: ${s.trunk} ${formatCount(s.trunkSteps)} steps; branches ${s.branches.map((b) => `${b.run} at ${formatCount(b.at)} + ${formatCount(b.decaySteps)} (C = ${formatNumber(b.C, 3)})`).join(', ')}`,
          );
          lines.push(
            "record each branch's final loss with its run and a trunk column naming its trunk: fit, backtest and report then resample a trunk's branches together (they share its stable steps), and runs import keeps it in the store",
          );
          lines.push(
            `branch lengths: C = 6·N·D with D = steps × ${formatCount(parseQuantity(flags.batchTokens, '--batch-tokens'))} tokens; each branch leaves its trunk at (1 − ${decayFrac}) of its steps and decays over the last ${decayFrac * 100} %${ladder.getOptionValueSource('decayFrac') === 'default' ? ' (--decay-frac, default)' : ''}`,
          );
          lines.push(
            `compute: ${formatNumber(plan.compute.ladder, 4)} FLOPs for the ladder against ${formatNumber(plan.compute.perPoint, 4)} for one run per point: ${(plan.compute.saved * 100).toFixed(1)} % saved`,
          );
          writeResult(lines.join('\n') + '\n');
        }, flags.json),
    );

  cmd
    .command('kaplan')
    .description(
      'the Kaplan lesson on the simulated lab: exponents fitted to checkpoints of long cosine runs against one run per length',
    )
    .addOption(flag('world', { detail: 'default: worlds/default.json' }))
    .addOption(flag('json'))
    .action(async (flags: { world?: string; json?: boolean }) =>
      run(async () => {
        const { loadWorld } = await import('../../lab/loadWorld.js');
        const { kaplanLesson } = await import('../../lab/kaplanLesson.js');
        const world = loadWorld(flags.world);
        const sizes = [2, 4, 8, 16].map((n_layer, i) => ({
          n_layer,
          d_model: [128, 256, 512, 1024][i],
          n_heads: [2, 4, 8, 16][i],
        }));
        const r = kaplanLesson(world, {
          sizes,
          maxTokens: 3.2e10,
          lengths: 6,
          batch_tokens: 262144,
          learning_rate: learningRateFor(world),
        });
        if (flags.json) return printResult(r);
        const row = (name: string, f: { alpha: number; beta: number; a: number; tokensTrained?: number }) =>
          `${name.padEnd(34)} α = ${f.alpha.toFixed(3)}  β = ${f.beta.toFixed(3)}  a = β/(α+β) = ${f.a.toFixed(3)}${f.tokensTrained ? `  (${formatNumber(f.tokensTrained, 3)} tokens trained)` : ''}`;
        writeResult(
          [
            `the simulated world "${world.name}"${flags.world ? ` (${flags.world})` : ' (the default, worlds/default.json)'}: four sizes (2×128 … 16×1024), lengths 1e9 … 3.2e10 tokens; the Chinchilla law fitted to:`,
            row('the world', r.truth),
            row('one run per length (Chinchilla)', r.perLength),
            row('checkpoints of long cosine runs', r.checkpoints),
            `bias of a: ${r.bias.perLength.toFixed(3)} per length, ${r.bias.checkpoints.toFixed(3)} from checkpoints (a fitted minus the world's; a cosine run's intermediate checkpoints lie above the final losses of shorter runs, by the world's factor 1 + kappa·(1 + cos πt)/2, kappa = ${world.schedule.kappa})`,
          ].join('\n') + '\n',
        );
      }, flags.json),
    );
}

/** The world's optimal learning rate (muP), so the lesson's runs are well tuned. */
function learningRateFor(world: { learningRate: { optimum: number } }): number {
  return world.learningRate.optimum;
}
