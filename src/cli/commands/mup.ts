import type { Command } from 'commander';
import { readRuns, readText } from '../../io/readRuns.js';
import { fieldAliases, parseColumnMapping } from '../../io/parseRuns.js';
import { parseTable } from '../../io/parseTable.js';
import { coordinateCheck, learningRateTransferSteps, mupTable } from '../../hparams/mup.js';
import { handleToTheEnd, stepwise } from '../interrupt.js';
import { coordinateCheckReport, learningRateTransferReport, mupTableReport } from '../../report/text/hparams.js';
import { keyword, parseInteger, parseQuantity, plainNumber, parseReplicates } from '../options.js';
import { printResult, writeResult } from '../output.js';
import { flag } from '../flags.js';
import { closestNames, levenshtein } from '../../core/names.js';
import { UsageError } from '../../errors/index.js';
import type { Run } from '../output.js';

export function registerMup(program: Command, run: Run): void {
  const mup = program
    .command('mup')
    .description('maximal-update parametrisation: multipliers for a width, and checks that learning rates transfer')
    // The table is the default subcommand: "mup --base-width 256 --width 4096" is "mup table …", whose flags
    // the parent's help would not show.
    .addHelpText(
      'after',
      `
"scalelab mup [options]" runs "mup table" (the default subcommand); its options:
  --base-width <n>, --width <n>, --optimizer adam|sgd, --sigma <std>, --lr <lr>,
  --head-dim <n>, --output-multiplier <a>, --json
See "scalelab mup table --help" for what each means and its default (--sigma 0.02
and --lr 1e-2 are example inputs, not recommendations), and "scalelab mup transfer
--help", "scalelab mup coord --help" for the checks.`,
    );
  mup
    .command('table', { isDefault: true })
    .description('muP init, learning-rate and output multipliers per parameter group, next to standard parametrisation')
    .option('--base-width <n>', 'width the hyperparameters were tuned at', '256')
    .addOption(flag('width', { default: '4096' }))
    .option('--optimizer <name>', 'adam or sgd', 'adam')
    .option('--sigma <std>', 'base init standard deviation (the default is an example, not a recommendation)', '0.02')
    .option('--lr <lr>', 'base learning rate tuned at the base width (the default is an example)', '1e-2')
    .option('--head-dim <n>', 'head dimension', '128')
    .option('--output-multiplier <a>', 'α_out tuned on the base model', '1')
    .addOption(flag('json', { detail: 'for a training script' }))
    // The table is the default subcommand, so a misspelt one ("mup transfr FILE") arrives here as words.
    .allowExcessArguments()
    .action(
      async (
        f: {
          baseWidth: string;
          width: string;
          optimizer: string;
          sigma: string;
          lr: string;
          headDim: string;
          outputMultiplier: string;
          json?: boolean;
        },
        cmd: Command,
      ) =>
        run(async () => {
          const words = cmd.args;
          if (words.length) {
            const near = closestNames(words[0], ['transfer', 'coord', 'table'], 1).filter(
              (n) => levenshtein(n, words[0].toLowerCase()) <= Math.max(1, words[0].length / 3),
            );
            throw new UsageError(
              `unknown mup subcommand "${words[0]}"${near.length ? ` (did you mean ${near[0]}?)` : ''}: mup [table] prints the multipliers, mup transfer FILE and mup coord FILE check runs`,
            );
          }
          const t = mupTable({
            baseWidth: parseInteger(f.baseWidth, '--base-width', 1),
            width: parseInteger(f.width, '--width', 1),
            optimizer: keyword(f.optimizer, '--optimizer', ['adam', 'sgd'] as const),
            // Defaults are example inputs: the table says so where they were not given.
            sigma:
              cmd.getOptionValueSource('sigma') === 'default'
                ? undefined
                : parseQuantity(f.sigma, '--sigma', { plain: { what: 'a standard deviation', example: '0.02' } }),
            learningRate:
              cmd.getOptionValueSource('lr') === 'default'
                ? undefined
                : parseQuantity(f.lr, '--lr', { plain: plainNumber.learningRate }),
            // Left undefined when not typed, so the table marks them as defaults (the library's are the same).
            headDim:
              cmd.getOptionValueSource('headDim') === 'default' ? undefined : parseInteger(f.headDim, '--head-dim', 1),
            outputMultiplier:
              cmd.getOptionValueSource('outputMultiplier') === 'default'
                ? undefined
                : parseQuantity(f.outputMultiplier, '--output-multiplier'),
          });
          if (f.json) return printResult(t);
          writeResult(mupTableReport(t));
        }, f.json),
    );
  mup
    .command('transfer')
    .description(
      'LR-transfer check: from learning-rate sweeps at several widths, how the optimal learning rate drifts with width',
    )
    .argument('<file>', 'runs with width, lr and loss columns')
    .addOption(flag('bootstrap', { detail: 'of the slope', default: '200' }))
    .addOption(flag('seed', { default: '0' }))
    .addOption(flag('columns', { detail: 'e.g. width=d_model,lr=peak_lr' }))
    .addOption(flag('width', { detail: 'the optimal learning rate there, with its interval' }))
    .addOption(flag('json'))
    .action(
      async (file: string, f: { bootstrap: string; seed: string; columns?: string; width?: string; json?: boolean }) =>
        run(async () => {
          // Its bootstrap computes on the main thread, a replicate at a time with turns for the event loop:
          // a Ctrl-C stops it, saying so.
          handleToTheEnd();
          const targetWidth = f.width === undefined ? undefined : parseInteger(f.width, '--width', 1);
          // A run whose loss is NaN or infinite diverged: in a learning-rate sweep that bounds the optimum.
          const ds = readRuns(file, {
            columns: f.columns ? parseColumnMapping(f.columns) : undefined,
            keepDiverged: true,
          });
          const replicates = parseReplicates(f.bootstrap, '--bootstrap');
          const r = await stepwise(
            learningRateTransferSteps(
              ds,
              replicates > 1 ? { replicates, seed: parseInteger(f.seed, '--seed', 0), level: 0.95 } : undefined,
              { targetWidth },
            ),
          );
          if (f.json) return printResult({ source: file, ...r }, file);
          writeResult(learningRateTransferReport(r), file);
        }, f.json),
    );
  mup
    .command('coord')
    .description("coordinate check: which layers' activations grow with width (CSV: layer, width, value)")
    .argument('<file>', 'mean |activation| per layer and width after a few steps')
    .option('--threshold <slope>', 'a slope of ln |a| against ln width above this flags the layer', '0.2')
    .addOption(flag('json'))
    .action(async (file: string, f: { threshold: string; json?: boolean }) =>
      run(async () => {
        const rows = parseTable(readText(file, 'a CSV of layer, width and value columns'), file, {
          numbers: ['width', 'value'] as const,
          text: ['layer'] as const,
          // The check fits ln |a| against ln width: both must be positive.
          rules: { width: 'positive', value: 'positive' },
          // The names runs read as width (d_model), as mup transfer reads them.
          aliases: { width: fieldAliases.width },
        });
        const threshold = parseQuantity(f.threshold, '--threshold', {
          positive: false,
          plain: { what: 'a slope', example: '0.2' },
        });
        // A layer that is parametrised right keeps its activations flat with width (slope ≈ 0): a threshold
        // at or below 0 flags every such layer as growing.
        if (!(threshold > 0))
          throw new UsageError(
            `--threshold: expected a positive slope of ln |a| against ln width (0.2 by default), got ${f.threshold}: a well-parametrised layer's slope is about 0, so a threshold at or below 0 flags it as growing`,
          );
        const r = coordinateCheck(rows, threshold, file);
        if (f.json) return printResult({ source: file, ...r }, file);
        writeResult(coordinateCheckReport(r), file);
      }, f.json),
    );
}
