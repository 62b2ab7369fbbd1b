import type { Command } from 'commander';
import { defaultLawId, getLaw, lawIds, lawIdsWithOption, variableOption } from '../../laws/index.js';
import { readRuns } from '../../io/readRuns.js';
import { checkRunSizes } from '../../io/dataset.js';
import type { FitJson } from '../../fit/summary.js';
import { fitByProcedure, fitLaw } from '../../fit/run.js';
import { getProcedure } from '../../fit/procedures.js';
import { fitReport } from '../../fit/report.js';
import type { FitOptions } from '../../fit/fit.js';
import { parallelRunners } from '../../node/parallel.js';
import { interruptible } from '../interrupt.js';
import {
  keyword,
  runSelection,
  parseAssignments,
  parseInteger,
  parseLevel,
  parseQuantity,
  parseTies,
} from '../options.js';
import { checkOutput, printJson, progress, writeOutput, writeStdout } from '../output.js';
import { UsageError } from '../../errors/index.js';
import { presetFix } from '../../presets/laws.js';
import { flagFor } from '../optionFlags.js';
import { flag } from '../flags.js';
import { noteSmallSizes } from '../sizeNote.js';
import type { Run } from '../output.js';

interface FitFlags {
  procedure?: string;
  resample?: string;
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
  lineage?: string;
  bootstrap?: string;
  seed: string;
  level: string;
  threads?: string;
  out?: string;
  json?: boolean;
}

export function registerFit(program: Command, run: Run): void {
  program
    .command('fit')
    .description('fit a scaling law to runs (CSV, JSON array or JSONL) and print a fit report')
    .argument(
      '<file>',
      'runs: columns N (parameters), D (tokens), C (FLOPs), loss; D = C/(6N) when absent; common names (params, tokens, val_loss, …) are read as these, others mapped with --columns',
    )
    .addOption(
      flag('procedure', {
        detail: "auto (the default) predicts with the equal-weight mean of huber's, tied-huber's and gadre's ln L̂",
      }),
    )
    .addOption(
      flag('law', {
        detail: `the law to fit, a custom procedure with --loss, --tie, --fix: ${lawIds.join(', ')}`,
        default: defaultLawId,
      }),
    )
    .addOption(flag('x', { detail: `of laws ${lawIdsWithOption('x').join(', ')}`, default: 'N' }))
    .option(
      '--init <method>',
      "starts: auto (score the grid, refine the best), grid (refine all), hoffmann (Hoffmann et al.'s 4,500-point grid, chinchilla only), or start values NAME=VALUE,…",
      'auto',
    )
    .option('--loss <function>', "the fit's loss function on log residuals: huber, ls or asymmetric", 'huber')
    .option(
      '--delta <delta>',
      'Huber threshold on ln L (the default, as Hoffmann et al. 2022 App. D.2, Besiroglu et al. 2024 and Muennighoff et al. 2023 fit)',
      '1e-3',
    )
    .option(
      '--penalty <factor>',
      "asymmetric loss: factor on over-predictions (the default, OLMo-core's overestimate penalty)",
      '2',
    )
    .option('--fix <list>', 'hold parameters fixed, e.g. E=1.69,alpha=0.34')
    .addOption(flag('preset', { detail: 'its parameters held fixed (all but --free), e.g. muennighoff-2023' }))
    .option('--free <list>', 'with --preset: the parameters to fit, e.g. R_N,R_D')
    .addOption(flag('breaks', { default: '1' }))
    .option('--tie <list>', 'constrain parameters equal, e.g. beta=alpha')
    .addOption(flag('columns', { detail: 'e.g. N="Model Size",C="Training FLOP"' }))
    .addOption(flag('group'))
    .addOption(
      flag('bootstrap', {
        detail: "resampling whole runs (a run's checkpoints move together), or whole lineages with --lineage",
      }),
    )
    .addOption(flag('lineage'))
    .option(
      '--resample <unit>',
      'bootstrap unit: lineage (every run of one --lineage value together), run (checkpoints of one run together) or row (default: lineage when the data name one, else run)',
    )
    .addOption(flag('seed', { default: '0' }))
    .addOption(flag('level', { default: '0.95' }))
    .option('--threads <n>', 'worker threads (default: all cores)')
    .addOption(flag('out', { detail: 'the fit as JSON, for predict --fit' }))
    .addOption(flag('json'))
    .addHelpText(
      'after',
      `
The default procedure, auto, fits the three published recipes (huber, tied-huber, gadre) and
predicts with the equal-weight mean of their ln L̂, the rule that extrapolated best on the project's
benchmark (docs/benchmark.md); the report says why, and what each candidate predicts. "scalelab
backtest" shows how each recipe extrapolates on your data. Any of --law (other than chinchilla), --loss,
--tie, --fix, --init, --delta, --penalty or --preset fits exactly what you asked for instead.

Examples:
  scalelab fit examples/chinchilla.csv
  scalelab fit examples/chinchilla.csv --procedure tied-huber
  scalelab fit examples/chinchilla.csv --init hoffmann --bootstrap 1000 --seed 1 --out fit.json
  scalelab fit runs.csv --law power --x C --columns loss=val_loss
  scalelab fit runs.csv --law chinchilla --tie beta=alpha --fix E=1.69
  scalelab fit cooldowns.csv --lineage trunk --bootstrap 200   # branches of one WSD trunk: one draw

Cooldown branches of one WSD trunk (curve-law ladder's plan, train.py --resume) share most of their
training: they are not independent runs. A column naming each run's trunk (--lineage COLUMN, or a
column named lineage or trunk) makes the bootstrap draw all of a trunk's runs together. The run store
keeps the lineage an import found ("runs import FILE --lineage COLUMN"), and "runs export" writes it
back as a lineage column.`,
    )
    .action(async (file: string, flags: FitFlags, cmd: Command) =>
      run(async () => {
        if (flags.out)
          checkOutput(flags.out, '--out', { what: 'the fit', format: 'JSON', extensions: ['.json'] }, [file]);
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
        const threads = () => (flags.threads ? parseInteger(flags.threads, '--threads', 1) : undefined);
        // The one reading of a level every command shares (0.95 or 95%; a bare 95 named as the 0.95 meant).
        const level = () => parseLevel(flags.level);
        const unit = () =>
          flags.resample === undefined
            ? undefined
            : keyword(flags.resample, '--resample', ['lineage', 'run', 'row'] as const);
        let json: FitJson;
        if (!customLaw) {
          const id = flags.procedure ?? 'auto';
          if (id !== 'auto') getProcedure(id);
          const dataset = readRuns(file, { ...runSelection(flags), require: ['loss'] });
          checkRunSizes(dataset);
          const t = threads();
          const lv = level();
          json = await fitByProcedure(id, dataset, {
            runners: parallelRunners({ threads: t, unit: unit(), whileParallel: interruptible }),
            level: lv,
            replicates: flags.bootstrap ? parseInteger(flags.bootstrap, '--bootstrap', 2) : 0,
            seed: parseInteger(flags.seed, '--seed', 0),
            progress: (_, total) => progress('bootstrap', total, flags),
          });
        } else {
          const law = getLaw({
            law: flags.law,
            x: keyword(flags.x, '--x', variableOption.values),
            breaks: parseInteger(flags.breaks, '--breaks', 0),
          });
          let fix = flags.fix ? parseAssignments(flags.fix, '--fix') : undefined;
          if (flags.preset) fix = presetFix(flags.preset, law.id, parseNames(flags.free), fix);
          else if (flags.free) throw new UsageError('--free goes with --preset');
          const dataset = readRuns(file, { ...runSelection(flags), require: ['loss'] });
          checkRunSizes(dataset);
          const options: FitOptions = {
            loss: {
              kind: keyword(flags.loss, '--loss', ['huber', 'ls', 'asymmetric'] as const),
              delta: parseQuantity(flags.delta, '--delta', { plain: { what: 'a Huber threshold', example: '1e-3' } }),
              overestimatePenalty: parseQuantity(flags.penalty, '--penalty'),
            },
            init: flags.init.includes('=')
              ? parseAssignments(flags.init, '--init')
              : keyword(flags.init, '--init', ['auto', 'grid', 'hoffmann'] as const),
            fix,
            tie: flags.tie ? parseTies(flags.tie, '--tie') : undefined,
          };
          const t = threads();
          const lv = level();
          const replicates = flags.bootstrap ? parseInteger(flags.bootstrap, '--bootstrap', 2) : 0;
          json = await fitLaw(law, dataset, options, {
            runners: parallelRunners({
              threads: t,
              unit: replicates ? unit() : undefined,
              whileParallel: interruptible,
            }),
            level: lv,
            replicates,
            seed: replicates ? parseInteger(flags.seed, '--seed', 0) : 0,
            // The starts of the default init (auto) get no bar.
            progress: (stage, total) =>
              stage === 'bootstrap'
                ? progress('bootstrap', total, flags)
                : options.init !== 'auto'
                  ? progress('starts   ', total, flags)
                  : undefined,
          });
        }
        const ranges = json.data.ranges;
        if (ranges.N && ranges.D) noteSmallSizes(file, { N: ranges.N[1], D: ranges.D[1] });
        if (flags.out) writeOutput(flags.out, JSON.stringify(json, null, 2) + '\n', flags);
        if (flags.json) printJson(json);
        else writeStdout(fitReport(json, flagFor) + '\n');
      }, flags.json),
    );
}

/** A comma-separated list of names, blanks dropped. */
function parseNames(list = ''): string[] {
  return list
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}
