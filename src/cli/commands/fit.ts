import type { Command } from 'commander';
import { defaultLawId, getLaw, lawIds, variableOption } from '../../laws/index.js';
import { readRuns } from '../../io/readRuns.js';
import { autoFitToJson, candidateFitToJson, fitToJson, type FitJson } from '../../fit/summary.js';
import { chooseProcedure, replicateShares } from '../../fit/auto.js';
import { fitCandidate, isFailure, type CandidateFit } from '../../fit/candidate.js';
import { getProcedure } from '../../fit/procedures.js';
import type { Dataset } from '../../io/dataset.js';
import type { ResampleUnit } from '../../fit/bootstrap.js';
import { fitReport } from '../../fit/report.js';
import type { FitOptions } from '../../fit/fit.js';
import { bootstrapParallel, fitParallel } from '../../node/parallel.js';
import { keyword, runSelection, parseAssignments, parseInteger, parseQuantity, parseTies } from '../options.js';
import { checkOutput, printJson, progress, writeOutput } from '../output.js';
import { InputError, UsageError } from '../../errors/index.js';
import { lawPreset } from '../../presets/laws.js';
import { flagFor } from '../optionFlags.js';
import { flag } from '../flags.js';

interface FitFlags {
  procedure?: string;
  resample: string;
  law: string;
  x: string;
  init: string;
  loss: string;
  delta: string;
  penalty: string;
  fix?: string;
  tie?: string;
  preset?: string;
  free?: string;
  breaks: string;
  columns?: string;
  group?: string;
  bootstrap?: string;
  seed: string;
  level: string;
  threads?: string;
  out?: string;
  json?: boolean;
}

export function registerFit(program: Command, run: (fn: () => Promise<void>, json?: boolean) => Promise<void>): void {
  program
    .command('fit')
    .description('fit a scaling law to runs (CSV, JSON array or JSONL) and print a fit report')
    .argument('<file>', 'runs: columns N (parameters), D (tokens), C (FLOPs), loss; D = C/(6N) when absent')
    .addOption(
      flag('procedure', { detail: "auto (the default) weighs the recipes by the data's own rolling-origin back-test" }),
    )
    .addOption(
      flag('law', {
        detail: `the law to fit, a custom procedure with --loss, --tie, --fix: ${lawIds.join(', ')}`,
        default: defaultLawId,
      }),
    )
    .addOption(flag('x', { detail: 'of power and power0 laws', default: 'N' }))
    .option(
      '--init <method>',
      "starts: auto (score the grid, refine the best), grid (refine all), hoffmann (Hoffmann et al.'s 4,500-point grid, chinchilla only), or start values NAME=VALUE,…",
      'auto',
    )
    .option('--loss <function>', "the fit's loss function on log residuals: huber, ls or asymmetric", 'huber')
    .option('--delta <delta>', 'Huber threshold on ln L', '1e-3')
    .option('--penalty <factor>', 'asymmetric loss: factor on over-predictions', '2')
    .option('--fix <list>', 'hold parameters fixed, e.g. E=1.69,alpha=0.34')
    .addOption(flag('preset', { detail: 'its parameters held fixed (all but --free), e.g. muennighoff-2023' }))
    .option('--free <list>', 'with --preset: the parameters to fit, e.g. R_N,R_D')
    .addOption(flag('breaks', { default: '1' }))
    .option('--tie <list>', 'constrain parameters equal, e.g. beta=alpha')
    .addOption(flag('columns', { detail: 'e.g. N="Model Size",C="Training FLOP"' }))
    .addOption(flag('group'))
    .addOption(flag('bootstrap', { detail: "resampling whole runs: a run's checkpoints move together" }))
    .option('--resample <unit>', 'bootstrap unit: run (checkpoints of one run together) or row', 'run')
    .addOption(flag('seed', { default: '0' }))
    .addOption(flag('level', { default: '0.95' }))
    .option('--threads <n>', 'worker threads (default: all cores)')
    .addOption(flag('out', { detail: 'the fit as JSON, for predict --fit' }))
    .addOption(flag('json'))
    .addHelpText(
      'after',
      `
The default procedure, auto, fits every candidate recipe to the runs below a few cutoffs in C,
scores how well each predicted the runs above, and weighs the candidates by that score; the report
says which was chosen and why, and what each predicts. Any of --law (other than chinchilla), --loss,
--tie, --fix, --init, --delta, --penalty or --preset fits exactly what you asked for instead.

Examples:
  scalelab fit examples/chinchilla.csv
  scalelab fit examples/chinchilla.csv --procedure tied-huber
  scalelab fit examples/chinchilla.csv --init hoffmann --bootstrap 1000 --seed 1 --out fit.json
  scalelab fit runs.csv --law power --x C --columns loss=val_loss
  scalelab fit runs.csv --law chinchilla --tie beta=alpha --fix E=1.69`,
    )
    .action(async (file: string, flags: FitFlags, cmd: Command) =>
      run(async () => {
        if (flags.out) checkOutput(flags.out);
        const custom = [
          'law',
          'loss',
          'tie',
          'fix',
          'init',
          'delta',
          'penalty',
          'preset',
          'free',
          'breaks',
          'x',
        ].filter((o) => cmd.getOptionValueSource(o) === 'cli');
        const customLaw =
          custom.length > 0 && !(custom.length === 1 && custom[0] === 'law' && flags.law === defaultLawId);
        if (flags.procedure !== undefined && customLaw) {
          throw new UsageError(
            `--procedure ${flags.procedure} fixes how the law is fitted; it cannot be combined with ${custom.map((o) => `--${o}`).join(', ')} (leave out --procedure to fit exactly what those flags say)`,
          );
        }
        if (!customLaw) {
          const id = flags.procedure ?? 'auto';
          if (id !== 'auto') getProcedure(id);
          const dataset = readRuns(file, { ...runSelection(flags), require: ['loss'] });
          const json = await fitByProcedure(id, dataset, flags);
          if (flags.out) writeOutput(flags.out, JSON.stringify(json, null, 2) + '\n', flags);
          if (flags.json) printJson(json);
          else process.stdout.write(fitReport(json, flagFor) + '\n');
          return;
        }
        const law = getLaw({
          law: flags.law,
          x: keyword(flags.x, '--x', variableOption.values),
          breaks: parseInteger(flags.breaks, '--breaks', 0),
        });
        let fix = flags.fix ? parseAssignments(flags.fix, '--fix') : undefined;
        if (flags.preset) {
          const preset = lawPreset(flags.preset);
          if (preset.law !== law.id)
            throw new UsageError(`--preset ${preset.id} is a ${preset.law} fit; use it with --law ${preset.law}`);
          const free = new Set(
            (flags.free ?? '')
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean),
          );
          for (const name of free)
            if (!(name in preset.params))
              throw new UsageError(
                `--free: law ${law.id} has no parameter "${name}" (its parameters: ${Object.keys(preset.params).join(', ')})`,
              );
          fix = { ...Object.fromEntries(Object.entries(preset.params).filter(([k]) => !free.has(k))), ...fix };
        } else if (flags.free) throw new UsageError('--free goes with --preset');
        const dataset = readRuns(file, { ...runSelection(flags), require: ['loss'] });
        const options: FitOptions = {
          loss: {
            kind: keyword(flags.loss, '--loss', ['huber', 'ls', 'asymmetric'] as const),
            delta: parseQuantity(flags.delta, '--delta'),
            overestimatePenalty: parseQuantity(flags.penalty, '--penalty'),
          },
          init: flags.init.includes('=')
            ? parseAssignments(flags.init, '--init')
            : keyword(flags.init, '--init', ['auto', 'grid', 'hoffmann'] as const),
          fix,
          tie: flags.tie ? parseTies(flags.tie, '--tie') : undefined,
        };
        const threads = flags.threads ? parseInteger(flags.threads, '--threads', 1) : undefined;
        const level = parseQuantity(flags.level, '--level');
        if (level >= 1) throw new UsageError(`--level: expected a number between 0 and 1, got ${flags.level}`);
        let bar1: ReturnType<typeof progress> | undefined;
        const result = await fitParallel(law, dataset, options, {
          threads,
          onTotal: (total) => (bar1 = options.init !== 'auto' ? progress('starts   ', total, flags) : undefined),
          onProgress: (n) => bar1?.tick(n),
        });
        bar1?.stop();
        let samples;
        if (flags.bootstrap) {
          const replicates = parseInteger(flags.bootstrap, '--bootstrap', 2);
          const seed = parseInteger(flags.seed, '--seed', 0);
          const bar = progress('bootstrap', replicates, flags);
          samples = await bootstrapParallel(result, options, replicates, seed, {
            threads,
            onProgress: (n) => bar.tick(n),
            unit: keyword(flags.resample, '--resample', ['run', 'row'] as const),
          });
          bar.stop();
        }
        const json = fitToJson(result, samples, level);
        if (flags.out) writeOutput(flags.out, JSON.stringify(json, null, 2) + '\n', flags);
        if (flags.json) printJson(json);
        else process.stdout.write(fitReport(json, flagFor) + '\n');
      }, flags.json),
    );
}

/**
 * Fit with a named procedure: `auto` weighs every candidate by the data's own rolling-origin
 * back-test; a fixed id fits that recipe (reduced, and said so, when the data cannot support it).
 * Bootstrap replicates are spread over worker threads, shared among auto's candidates by weight.
 */
async function fitByProcedure(id: string, dataset: Dataset, flags: FitFlags): Promise<FitJson> {
  const threads = flags.threads ? parseInteger(flags.threads, '--threads', 1) : undefined;
  const level = parseQuantity(flags.level, '--level');
  if (level >= 1) throw new UsageError(`--level: expected a number between 0 and 1, got ${flags.level}`);
  const unit = keyword(flags.resample, '--resample', ['run', 'row'] as const) as ResampleUnit;
  const replicates = flags.bootstrap ? parseInteger(flags.bootstrap, '--bootstrap', 2) : 0;
  const seed = parseInteger(flags.seed, '--seed', 0);
  for (const v of ['N', 'D'] as const) {
    if (dataset.runs.some((r) => r[v] === undefined)) {
      throw new InputError(
        { file: dataset.source, line: 1 },
        `procedure ${id} fits the Chinchilla form L(N, D), which needs column "${v}"${v === 'D' ? ' (or C and N, from which D = C/(6N))' : ''}; the data have: ${Object.values(dataset.columns).join(', ')}. Map one with --columns ${v}=NAME, or fit a law in one variable with --law power --x C`,
      );
    }
  }
  const bootstrapAll = async (fits: CandidateFit[], shares: number[]) => {
    const total = shares.reduce((a, b) => a + b, 0);
    if (total === 0) return;
    const bar = progress('bootstrap', total, flags);
    for (let k = 0; k < fits.length; k++) {
      if (!shares[k]) continue;
      const c = fits[k];
      c.samples = await bootstrapParallel(c.result, c.procedure.options, shares[k], seed + k, {
        threads,
        unit,
        onProgress: (n) => bar.tick(n),
      });
    }
    bar.stop();
  };
  if (id === 'auto') {
    const choice = chooseProcedure(dataset);
    const fits = choice.fits.map((f) => (isFailure(f) ? null : f));
    const shares = replicateShares(
      choice.scores.map((s) => s.weight),
      replicates,
    );
    await bootstrapAll(
      fits.filter((f): f is CandidateFit => f !== null),
      shares.filter((_, k) => fits[k] !== null),
    );
    return autoFitToJson(choice, level);
  }
  const c = fitCandidate(dataset, getProcedure(id));
  if (isFailure(c)) throw new InputError({ file: dataset.source }, `procedure ${id}: ${c.error}`);
  await bootstrapAll([c], [replicates]);
  return candidateFitToJson(c, level);
}
