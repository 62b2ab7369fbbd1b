import type { Command } from 'commander';
import { epochValues, epochsUntilWorth, repetitionOptimum } from '../../analyses/repetition.js';
import { repetitionReport } from '../../report/text/data.js';
import { parseQuantity } from '../options.js';
import { UsageError } from '../../errors/index.js';
import { extrapolationWarnings } from '../../analyses/extrapolation.js';
import { warning, type TrustWarning } from '../../fit/warnings.js';
import { formatNumber, plain } from '../../core/format.js';
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
      // The search keeps N and D at 1e6 or more (smaller models and runs are outside any law's data):
      // a budget below 6·1e6·1e6 leaves it no room, and its "edge" would be blamed on the unique tokens.
      if (C < 6e12)
        throw new UsageError(
          `--C ${plain(C)} FLOPs is too small for the search: it keeps the model and the run at 1e6 parameters and tokens or more, so C = 6·N·D must be at least 6e12 FLOPs`,
        );
      const o = repetitionOptimum(src.law, src.params, C, U);
      const warnings: TrustWarning[] = [
        ...(o.atSearchEdge
          ? [
              warning(
                'at-bound',
                'severe',
                `the best allocation lies at the edge of the search (N = ${formatNumber(o.N, 3)}, D = ${formatNumber(o.D, 3)} tokens, ${formatNumber(o.epochs, 3)} epochs): ${
                  o.D <= U
                    ? // The cap does not bind: the unique tokens play no part, the budget put the optimum outside.
                      `with C = ${formatNumber(C, 3)} FLOPs the law has no optimum inside it (N and D from 1e6 up) and the ${formatNumber(U, 3)} unique tokens do not bind; check --C (FLOPs, such as 1e21)`
                    : `with ${formatNumber(U, 3)} unique tokens the law has no optimum inside it; check --unique-tokens (a count of tokens, such as 25e9 or 25B)`
                }`,
              ),
            ]
          : []),
        ...extrapolationWarnings(src.ranges, { N: o.N, D: o.D }, src.rangesOf, src.rangesSource),
      ];
      const values = epochValues(src.params.R_D);
      const half = epochsUntilWorth(src.params.R_D, 0.5),
        tenth = epochsUntilWorth(src.params.R_D, 0.1);
      if (f.json)
        return printResult(
          {
            ...o,
            capBinds: o.epochs > 1,
            epochValues: values,
            epochsUntilHalf: half,
            epochsUntilTenth: tenth,
            law: src.provenance,
            warnings,
          },
          f.fit,
        );
      writeResult(
        repetitionReport({
          C,
          U,
          provenance: src.provenance,
          optimum: o,
          values,
          half,
          tenth,
          R_D: src.params.R_D,
          warnings,
        }),
        f.fit,
      );
    }, f.json),
  );
}
