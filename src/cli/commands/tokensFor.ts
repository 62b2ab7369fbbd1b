import type { Command } from 'commander';
import { formatNumber } from '../../core/format.js';
import { parseQuantity } from '../options.js';
import { printResult, writeResult } from '../output.js';
import { flag } from '../flags.js';

type Run = (fn: () => Promise<void>, json?: boolean) => Promise<void>;

export function registerTokensFor(program: Command, run: Run): void {
  program
    .command('tokens-for')
    .description('toy: training tokens for a model size at a tokens-per-parameter ratio (D = r·N)')
    .addOption(flag('N', { required: true }))
    .option('--tokens-ratio <r>', 'tokens per parameter (default: 20, Hoffmann et al. 2022)', '20')
    .addOption(flag('json'))
    .addHelpText('after', '\nExamples:\n  scalelab tokens-for --N 7B --tokens-ratio 20')
    .action(async (f: { N: string; tokensRatio: string; json?: boolean }) =>
      run(async () => {
        const N = parseQuantity(f.N, '--N');
        const ratio = parseQuantity(f.tokensRatio, '--tokens-ratio');
        const D = N * ratio;
        if (f.json) return printResult({ N, ratio, D });
        writeResult(`D = ${formatNumber(ratio, 3)} × ${formatNumber(N, 4)} = ${formatNumber(D, 4)} tokens\n`);
      }, f.json),
    );
}
