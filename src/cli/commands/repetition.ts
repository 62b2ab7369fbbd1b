import type { Command } from 'commander';
import { epochValues, epochsUntilWorth, repetitionOptimum } from '../../analyses/repetition.js';
import { repetitionReport } from '../../report/text/data.js';
import { parseQuantity } from '../options.js';
import { UsageError } from '../../errors/index.js';
import { printResult, writeResult } from '../output.js';
import { resolveLaw } from '../lawSource.js';
import { deprecatedAlias, flag } from '../flags.js';

type Run = (fn: () => Promise<void>, json?: boolean) => Promise<void>;

export function registerRepetition(program: Command, run: Run): void {
  deprecatedAlias(
    program
      .command('repetition')
      .description(
        'training with a cap on unique data (Muennighoff et al. 2023): best size, tokens and epochs; what each epoch is worth',
      )
      .addOption(flag('C', { detail: 'required' }))
      .addOption(flag('unique-tokens', { required: true }))
      .addOption(flag('preset', { detail: 'a data-constrained law', default: 'muennighoff-2023' }))
      .addOption(flag('fit', { detail: 'with --law data-constrained' }))
      .addOption(flag('json')),
    '--compute <flops>',
    '--C',
  ).action(async (f: { C?: string; uniqueTokens: string; preset: string; fit?: string; json?: boolean }) =>
    run(async () => {
      if (f.C === undefined) throw new UsageError('give the compute budget: --C FLOPS');
      const src = resolveLaw(f.fit ? { fit: f.fit } : { preset: f.preset });
      const C = parseQuantity(f.C, '--C'),
        U = parseQuantity(f.uniqueTokens, '--unique-tokens');
      const o = repetitionOptimum(src.law, src.params, C, U);
      const values = epochValues(src.params.R_D);
      const half = epochsUntilWorth(src.params.R_D, 0.5),
        tenth = epochsUntilWorth(src.params.R_D, 0.1);
      if (f.json)
        return printResult(
          { ...o, epochValues: values, epochsUntilHalf: half, epochsUntilTenth: tenth, law: src.provenance },
          f.fit,
        );
      writeResult(
        repetitionReport({ C, U, provenance: src.provenance, optimum: o, values, half, tenth, R_D: src.params.R_D }),
        f.fit,
      );
    }, f.json),
  );
}
