import type { Command } from 'commander';
import { readRuns } from '../../io/readRuns.js';
import { checkRunSizes } from '../../io/dataset.js';
import { rollingBacktestSteps } from '../../analyses/rollingBacktest.js';
import { betweenSteps, handleToTheEnd } from '../interrupt.js';
import { backtestReport } from '../../report/text/backtest.js';
import { procedureIds } from '../../fit/procedures.js';
import { keyword, parseInteger, parseLevel, parseQuantity, runSelection } from '../options.js';
import { checkOutput, printJson, progress, writeOutput, writeStdout } from '../output.js';
import { flag } from '../flags.js';
import { UsageError } from '../../errors/index.js';
import { flagFor } from '../optionFlags.js';
import type { Run } from '../output.js';

/** backtest's defaults, which report's back-test says its own lighter settings differ from. */
export const backtestDefaults = { bootstrap: '100', folds: '4', procedures: 'auto,huber' } as const;

interface BacktestFlags {
  by: string;
  cutoffs?: string;
  folds: string;
  minFit: string;
  procedures: string;
  bootstrap: string;
  seed: string;
  levels: string;
  columns?: string;
  group?: string;
  lineage?: string;
  out?: string;
  json?: boolean;
}

export function registerBacktest(program: Command, run: Run): void {
  program
    .command('backtest')
    .description(
      'rolling-origin back-test: fit on the runs below cutoffs in N, D or C, predict every run above, compare procedures',
    )
    .argument('<file>', 'runs: columns N, D (or C), loss; a run column keeps checkpoints of one run together')
    .option('--by <variable>', 'axis of the cutoffs: C, N or D', 'C')
    .option(
      '--cutoffs <list>',
      'cutoffs (fit on runs at or below each), e.g. 1e20,3e20; default: --folds chosen evenly',
    )
    .addOption(flag('folds', { detail: 'among the distinct values', default: backtestDefaults.folds }))
    .option('--min-fit <n>', 'fewest runs in a fit set', '6')
    .option(
      '--procedures <list>',
      `procedures to compare: auto and ${procedureIds.join(', ')}`,
      backtestDefaults.procedures,
    )
    .addOption(flag('bootstrap', { detail: 'per fit', default: backtestDefaults.bootstrap }))
    .addOption(flag('seed', { default: '0' }))
    .option('--levels <list>', 'interval levels', '0.8,0.95')
    .addOption(flag('columns', { detail: 'e.g. N="Model Size"' }))
    .addOption(flag('group'))
    .addOption(
      flag('lineage', {
        detail: 'a lineage is fitted only when all its runs are at or below a cutoff (else left out of the fit whole)',
      }),
    )
    .addOption(flag('out', { detail: 'the back-test as JSON' }))
    .addOption(flag('json'))
    .addHelpText(
      'after',
      `
Each held-out run is scored at its final checkpoint; checkpoints of one run (a run column) stay on one
side of a cutoff; so do the runs of one lineage (cooldown branches of one trunk share most of their
training): a lineage that reaches above a cutoff is left out of its fit whole, its runs below the cutoff
withheld (neither fitted nor scored). Errors are |L̂ − L|/L; "in 95 %" is the share of held-out runs
inside their 95 % prediction interval.

Examples:
  scalelab backtest examples/chinchilla.csv
  scalelab backtest examples/chinchilla.csv --procedures auto,huber,tied-huber,gadre --by N
  scalelab backtest runs.csv --cutoffs 1e20,3e20 --bootstrap 200 --json`,
    )
    .action(async (file: string, flags: BacktestFlags, cmd: Command) =>
      run(async () => {
        if (flags.out)
          checkOutput(flags.out, '--out', { what: 'the back-test', format: 'JSON', extensions: ['.json'] }, [file]);
        // Fits on the main thread, a fit at a time with a turn for the event loop between them: a Ctrl-C
        // stops it within a fit, saying so.
        handleToTheEnd();
        const by = keyword(flags.by, '--by', ['C', 'N', 'D'] as const);
        const procedures = flags.procedures
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean);
        if (!procedures.length)
          throw new UsageError('--procedures: expected one or more of auto, ' + procedureIds.join(', '));
        for (const p of procedures) keyword(p, '--procedures', ['auto', ...procedureIds]);
        const levels = flags.levels.split(',').map((l) => parseLevel(l, '--levels'));
        const cutoffs = flags.cutoffs ? flags.cutoffs.split(',').map((c) => parseQuantity(c, '--cutoffs')) : undefined;
        const dataset = readRuns(file, { ...runSelection(flags), require: ['loss'] });
        checkRunSizes(dataset);
        const folds = parseInteger(flags.folds, '--folds', 1);
        const bar = progress('back-test', procedures.length * (cutoffs?.length ?? folds), flags);
        const steps = rollingBacktestSteps(dataset, {
          by,
          cutoffs,
          folds,
          minFitRuns: parseInteger(flags.minFit, '--min-fit', 2),
          procedures,
          replicates: parseInteger(flags.bootstrap, '--bootstrap', 0),
          seed: parseInteger(flags.seed, '--seed', 0),
          levels,
          onStep: () => bar.tick(),
        });
        let step = steps.next();
        for (; !step.done; step = steps.next()) await betweenSteps();
        const result = step.value;
        bar.stop();
        // The settings nobody typed, marked in the text and listed in the JSON: the coverage and error
        // columns depend on them, and the report's own back-test uses others.
        const untyped = (k: string) => cmd.getOptionValueSource(k) !== 'cli';
        const defaults = {
          replicates: untyped('bootstrap'),
          cutoffs: !cutoffs && untyped('folds'),
          procedures: untyped('procedures'),
        };
        const json = {
          ...result,
          defaults: Object.entries({
            bootstrap: defaults.replicates,
            folds: defaults.cutoffs,
            procedures: defaults.procedures,
          })
            .filter(([, on]) => on)
            .map(([k]) => flagFor(k)),
        };
        if (flags.out) writeOutput(flags.out, JSON.stringify(json, null, 2) + '\n', flags);
        if (flags.json) printJson(json);
        else writeStdout(backtestReport(result, flagFor, defaults) + '\n');
      }, flags.json),
    );
}
