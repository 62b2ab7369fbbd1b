import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { getLaw, lawIds } from '../../laws/index.js';
import { readRuns } from '../../io/readRuns.js';
import { parseColumnMapping } from '../../io/parseRuns.js';
import { fitToJson } from '../../fit/summary.js';
import { fitReport } from '../../fit/report.js';
import type { FitOptions } from '../../fit/fit.js';
import { bootstrapParallel, fitParallel } from '../../node/parallel.js';
import { GROUP_HELP, keyword, runSelection, parseAssignments, parseInteger, parseQuantity, parseTies } from '../options.js';
import { printJson, progress } from '../output.js';
import { UsageError } from '../../errors/index.js';
import { lawPreset } from '../../presets/laws.js';

interface FitFlags {
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
    .option('--law <law>', `law to fit: ${lawIds.join(', ')}`, 'chinchilla')
    .option('--x <variable>', 'variable of power and power0 laws: N, D or C', 'N')
    .option('--init <method>', 'starts: auto (score the grid, refine the best), grid (refine all), hoffmann (Hoffmann et al.\'s 4,500-point grid, chinchilla only), or start values NAME=VALUE,…', 'auto')
    .option('--loss <loss>', 'loss on log residuals: huber, ls or asymmetric', 'huber')
    .option('--delta <delta>', 'Huber threshold on ln L', '1e-3')
    .option('--penalty <factor>', 'asymmetric loss: factor on over-predictions', '2')
    .option('--fix <list>', 'hold parameters fixed, e.g. E=1.69,alpha=0.34')
    .option('--preset <name>', 'hold the parameters of a published fit fixed (all but --free), e.g. muennighoff-2023')
    .option('--free <list>', 'with --preset: the parameters to fit, e.g. R_N,R_D')
    .option('--breaks <n>', 'bnsl: number of breaks', '1')
    .option('--tie <list>', 'constrain parameters equal, e.g. beta=alpha')
    .option('--columns <list>', 'map fields to columns, e.g. N="Model Size",C="Training FLOP"')
    .option('--group <names>', GROUP_HELP)
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
        const law = getLaw({ law: flags.law, x: keyword(flags.x, '--x', ['N', 'D', 'C'] as const), breaks: parseInteger(flags.breaks, '--breaks', 0) });
        let fix = flags.fix ? parseAssignments(flags.fix, '--fix') : undefined;
        if (flags.preset) {
          const preset = lawPreset(flags.preset);
          if (preset.law !== law.id) throw new UsageError(`--preset ${preset.id} is a ${preset.law} fit; use it with --law ${preset.law}`);
          const free = new Set((flags.free ?? '').split(',').map((x) => x.trim()).filter(Boolean));
          for (const name of free) if (!(name in preset.params)) throw new UsageError(`--free: law ${law.id} has no parameter "${name}" (its parameters: ${Object.keys(preset.params).join(', ')})`);
          fix = { ...Object.fromEntries(Object.entries(preset.params).filter(([k]) => !free.has(k))), ...fix };
        } else if (flags.free) throw new UsageError('--free goes with --preset');
        const dataset = readRuns(file, { ...runSelection(flags), require: ['loss'] });
        const options: FitOptions = {
          loss: {
            kind: keyword(flags.loss, '--loss', ['huber', 'ls', 'asymmetric'] as const),
            delta: parseQuantity(flags.delta, '--delta'),
            overestimatePenalty: parseQuantity(flags.penalty, '--penalty'),
          },
          init: flags.init.includes('=') ? parseAssignments(flags.init, '--init') : keyword(flags.init, '--init', ['auto', 'grid', 'hoffmann'] as const),
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
