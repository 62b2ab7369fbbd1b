import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { getLaw, lawIds } from '../../laws/index.js';
import { readRuns } from '../../io/readRuns.js';
import { parseColumnMapping } from '../../io/parseRuns.js';
import { fitToJson } from '../../fit/summary.js';
import { fitReport } from '../../fit/report.js';
import type { FitOptions } from '../../fit/fit.js';
import { bootstrapParallel, fitParallel } from '../../node/parallel.js';
import { keyword, parseAssignments, parseInteger, parseQuantity, parseTies } from '../options.js';
import { printJson, progress } from '../output.js';
import { UsageError } from '../../errors/index.js';

interface FitFlags {
  law: string;
  x: string;
  init: string;
  loss: string;
  delta: string;
  penalty: string;
  fix?: string;
  tie?: string;
  columns?: string;
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
    .option('--law <law>', `law to fit: ${lawIds.join(', ')}`, 'chinchilla')
    .option('--x <variable>', 'variable of power and power0 laws: N, D or C', 'N')
    .option('--init <method>', 'starts: auto (score the grid, refine the best), grid (refine all), hoffmann (Hoffmann et al.\'s 4,500-point grid, chinchilla only)', 'auto')
    .option('--loss <loss>', 'loss on log residuals: huber, ls or asymmetric', 'huber')
    .option('--delta <delta>', 'Huber threshold on ln L', '1e-3')
    .option('--penalty <factor>', 'asymmetric loss: factor on over-predictions', '2')
    .option('--fix <list>', 'hold parameters fixed, e.g. E=1.69,alpha=0.34')
    .option('--tie <list>', 'constrain parameters equal, e.g. beta=alpha')
    .option('--columns <list>', 'map fields to columns, e.g. N="Model Size",C="Training FLOP"')
    .option('--bootstrap <n>', 'bootstrap replicates for intervals (resampling runs)')
    .option('--seed <seed>', 'seed of the bootstrap resampling', '0')
    .option('--level <level>', 'confidence level of intervals', '0.95')
    .option('--threads <n>', 'worker threads (default: all cores)')
    .option('--out <file>', 'also write the fit as JSON to this file (for predict --fit)')
    .option('--json', 'print the fit as JSON')
    .addHelpText(
      'after',
      `
Examples:
  scalelab fit examples/chinchilla.csv
  scalelab fit examples/chinchilla.csv --init hoffmann --bootstrap 1000 --seed 1 --out fit.json
  scalelab fit runs.csv --law power --x C --columns loss=val_loss
  scalelab fit runs.csv --law chinchilla --tie beta=alpha --fix E=1.69`,
    )
    .action(async (file: string, flags: FitFlags) =>
      run(async () => {
        const law = getLaw({ law: flags.law, x: keyword(flags.x, '--x', ['N', 'D', 'C'] as const) });
        const dataset = readRuns(file, { columns: flags.columns ? parseColumnMapping(flags.columns) : undefined, require: ['loss'] });
        const options: FitOptions = {
          loss: {
            kind: keyword(flags.loss, '--loss', ['huber', 'ls', 'asymmetric'] as const),
            delta: parseQuantity(flags.delta, '--delta'),
            overestimatePenalty: parseQuantity(flags.penalty, '--penalty'),
          },
          init: keyword(flags.init, '--init', ['auto', 'grid', 'hoffmann'] as const),
          fix: flags.fix ? parseAssignments(flags.fix, '--fix') : undefined,
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
          samples = await bootstrapParallel(result, options, replicates, seed, { threads, onProgress: (n) => bar.tick(n) });
          bar.stop();
        }
        const json = fitToJson(result, samples, level);
        if (flags.out) writeFileSync(flags.out, JSON.stringify(json, null, 2) + '\n');
        if (flags.json) printJson(json);
        else process.stdout.write(fitReport(json) + '\n' + (flags.out ? `\nwrote ${flags.out}\n` : ''));
      }, flags.json),
    );
}
