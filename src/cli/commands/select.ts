import type { Command } from 'commander';
import { readText } from '../../io/readRuns.js';
import { goyal2024, selectionCrossover, selectionTable, type SelectionParams } from '../../analyses/dataSelection.js';
import { parsePools } from '../../io/parsePools.js';
import { UsageError } from '../../errors/index.js';
import { formatNumber, plain } from '../../core/format.js';
import { selectionReport } from '../../report/text/data.js';
import { parseList, parseQuantity } from '../options.js';
import { printResult, writeResult } from '../output.js';
import { flag } from '../flags.js';
import type { Run } from '../output.js';

export function registerSelect(program: Command, run: Run): void {
  program
    .command('select')
    .description(
      "data selection that depends on compute (Goyal et al. 2024): which filtered pool or mixture is best at a budget, and where they cross (the paper's law is for image-text pretraining, CLIP on DataComp pools scored on ImageNet)",
    )
    .option('--samples <list>', 'sample budgets', '1.28e7,1e8,1e9,1e10')
    .option(
      '--pools <file>',
      "your own pools: CSV with columns name,b,tau (utility exponent, half-life in epochs) or JSON (default: Goyal et al.'s four ImageNet pools)",
    )
    .option('--a <a>', "shared scale a (samples enter as a·n/1e5; default: the file's, else 0.025)")
    .option('--d <d>', "irreducible error d (default: the file's, else 0.1)")
    .option('--pool-size <n>', "samples in each pool (default: the file's, else 12.8M)")
    .addOption(flag('json'))
    .addHelpText(
      'after',
      `
Pools file (CSV; JSON is an array of such objects, or {"a", "d", "poolSize", "pools": [...]}):
  name,b,tau
  strict filter,-0.16,6.7
  loose filter,-0.12,8.5
Mixtures combine the k pools with the most negative b, each of --pool-size samples.
The defaults are Goyal et al.'s fits for CLIP models on DataComp's T-MARS-filtered pools, errors on
ImageNet, budgets in image-text samples: a language-model pool needs its own b and tau (--pools).`,
    )
    .action(async (f: { samples: string; pools?: string; a?: string; d?: string; poolSize?: string; json?: boolean }) =>
      run(async () => {
        const budgets = parseList(f.samples, '--samples');
        const file = f.pools
          ? parsePools(readText(f.pools, 'a pools file: CSV with columns name, b, tau, or JSON'), f.pools)
          : undefined;
        const value = (raw: string | undefined, flag: string) => {
          if (raw === undefined) return undefined;
          const v = parseQuantity(raw, flag, { positive: flag !== '--d' });
          if (v < 0) throw new UsageError(`${flag}: expected a non-negative number, got "${raw}"`);
          // d is the error no budget removes: an error rate, so below 1 (an error of 2 has no meaning).
          if (flag === '--d' && !(v < 1))
            throw new UsageError(`--d: expected an irreducible error rate from 0 to below 1, got "${raw}"`);
          if (flag === '--pool-size' && v < 1)
            throw new UsageError(`--pool-size: expected at least one sample per pool, got "${raw}"`);
          return v;
        };
        const params: SelectionParams =
          file || f.a || f.d || f.poolSize
            ? {
                a: value(f.a, '--a') ?? file?.a ?? goyal2024.a,
                d: value(f.d, '--d') ?? file?.d ?? goyal2024.d,
                poolSize: value(f.poolSize, '--pool-size') ?? file?.poolSize ?? goyal2024.poolSize,
                pools: file?.pools ?? goyal2024.pools,
                citation: `${file ? `pools from ${f.pools}` : "Goyal et al.'s pools"}; utility model of Goyal et al. 2024, arXiv:2404.07177`,
              }
            : goyal2024;
        const tables = budgets.map((n) => ({ samples: n, choices: selectionTable(params, n) }));
        // The law is an error rate: (a·n/1e5)^b + d passes 1 below some budget, which means nothing. The
        // mixture of every pool has the flattest first-pass exponent (the mean of the pools' b), so it is
        // the last to fall under 1: its bound is the one to give.
        const over = tables.find((t) => t.choices.some((c) => c.error > 1));
        if (over) {
          const b = params.pools.reduce((sum, p) => sum + p.b, 0) / params.pools.length;
          const least = b < 0 ? (1e5 / params.a) * Math.pow(1 - params.d, 1 / b) : undefined;
          throw new UsageError(
            `--samples: at ${plain(over.samples)} samples the law's error rate (a·n/1e5)^b + d comes out above 1 (${formatNumber(Math.max(...over.choices.map((c) => c.error)), 4)}), which no error rate can be${least !== undefined ? `: with a = ${plain(params.a)}, d = ${plain(params.d)} and the pools' mean b = ${formatNumber(b, 3)} it describes budgets from about ${formatNumber(least, 3)} samples` : ''}`,
          );
        }
        const ranked = [...params.pools].sort((a, b) => a.b - b.b).map((p) => p.name);
        const crossovers = ranked.slice(1).map((_, k) => ({
          smaller: ranked.slice(0, k + 1),
          larger: ranked.slice(0, k + 2),
          at: selectionCrossover(params, ranked.slice(0, k + 1), ranked.slice(0, k + 2)),
        }));
        // Where each constant came from when not typed: the pools file, or Goyal et al.'s value by default.
        const origin = (typed: string | undefined, inFile: number | undefined) =>
          typed !== undefined
            ? undefined
            : inFile !== undefined
              ? `from ${f.pools}`
              : "default: Goyal et al. 2024's value";
        const origins = Object.fromEntries(
          (
            [
              ['a', origin(f.a, file?.a)],
              ['d', origin(f.d, file?.d)],
              ['poolSize', origin(f.poolSize, file?.poolSize)],
            ] as const
          ).filter(([, o]) => o !== undefined),
        ) as Partial<Record<'a' | 'd' | 'poolSize', string>>;
        const constants = { a: params.a, d: params.d, poolSize: params.poolSize, pools: params.pools };
        if (f.json)
          return printResult(
            { citation: params.citation, ...constants, constantsFrom: origins, tables, crossovers },
            f.pools,
          );
        writeResult(selectionReport(params, tables, crossovers, origins), f.pools);
      }, f.json),
    );
}
