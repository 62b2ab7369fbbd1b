import type { Command } from 'commander';
import { epochValues, epochsUntilWorth, repetitionIntervals, repetitionOptimum } from '../../analyses/repetition.js';
import { repetitionReport } from '../../report/text/data.js';
import { parseQuantity } from '../options.js';
import { UsageError } from '../../errors/index.js';
import { extrapolationWarnings } from '../../analyses/extrapolation.js';
import { warning, type TrustWarning } from '../../fit/warnings.js';
import { formatNumber, plain } from '../../core/format.js';
import { sizeSuffixOf } from '../../core/quantity.js';
import { printResult, writeResult } from '../output.js';
import { resolveLaw } from '../lawSource.js';
import { deprecatedAlias, flag } from '../flags.js';
import type { Run } from '../output.js';

/**
 * Fewest unique tokens taken: no data-constrained law was fitted on a corpus below a million tokens
 * (Muennighoff et al.'s smallest is 100M), and a count this small is nearly always a size typed without
 * its suffix (200 for 200B). Refused rather than warned: every number of the table would be off by a
 * factor of a billion, and a warning printed after a table is read after the table.
 */
const FEWEST_UNIQUE_TOKENS = 1e6;

/** The most epochs the preset's runs trained (900B tokens over a 100M-token corpus, examples/datablations-fit-182.csv). */
const PRESET_EPOCHS = 9000;

/**
 * Said with the preset's numbers: its R*_D is the fit from the authors' start, and the same runs hold
 * fits of a slightly lower objective several times larger (docs/methods.md §12); its loss is C4's.
 */
const PRESET_CAVEAT =
  "R*_D is weakly identified: the published 15.4 is the fit from the authors' start, while the same 182 runs also fit R*_N ≈ 2, R*_D ≈ 50–95 at a slightly lower objective, which would put the epoch thresholds several times later (docs/methods.md §12; for intervals, fit your own runs with --bootstrap and give --fit). The losses are on C4 with the GPT-2 tokenizer: read their ratios, not their levels, against your data";

export function registerRepetition(program: Command, run: Run): void {
  deprecatedAlias(
    program
      .command('repetition')
      .description(
        'training with a cap on unique data (Muennighoff et al. 2023): best size, tokens and epochs; what each epoch is worth',
      )
      .addOption(flag('C', { detail: 'required' }))
      // Checked in the action, not by commander: its check for a missing mandatory flag comes before its
      // check for an unknown one, so `--unique 200B` got "required option" and no "did you mean".
      .addOption(flag('unique-tokens', { detail: 'required; a count of tokens, such as 25e9 or 25B' }))
      .addOption(flag('preset', { detail: 'a data-constrained law', default: 'muennighoff-2023' }))
      .addOption(
        flag('fit', {
          detail:
            'a fit of law data-constrained (scalelab fit FILE --law data-constrained); its bootstrap replicates give intervals',
        }),
      )
      .addOption(flag('json')),
    '--compute <flops>',
    '--C',
  ).action(
    async (f: { C?: string; uniqueTokens?: string; preset: string; fit?: string; json?: boolean }, cmd: Command) =>
      run(async () => {
        if (f.C === undefined) throw new UsageError('give the compute budget: --C FLOPS');
        if (f.uniqueTokens === undefined)
          throw new UsageError('give the unique tokens available: --unique-tokens U (a count of tokens, such as 25B)');
        const uniqueTokens = f.uniqueTokens;
        // The preset left at its default is resolved as one, so its provenance says "(the default; …)" as plan's does.
        const src = resolveLaw(
          f.fit ? { fit: f.fit } : cmd.getOptionValueSource('preset') === 'cli' ? { preset: f.preset } : {},
          'muennighoff-2023',
        );
        // repetition takes no --law: a law without U is answered in this command's terms.
        if (!src.law.inputs.includes('U'))
          throw new UsageError(
            f.fit
              ? `${f.fit} is a fit of law ${src.law.id}, which has no unique-token input: refit runs that have a U column (unique tokens) with "scalelab fit FILE --law data-constrained --out FIT", or leave --fit out for the published preset muennighoff-2023`
              : `preset ${src.law.id} has no unique-token input: give --preset muennighoff-2023, or --fit with a fit of law data-constrained`,
          );
        const C = parseQuantity(f.C, '--C'),
          U = parseQuantity(uniqueTokens, '--unique-tokens');
        if (U < FEWEST_UNIQUE_TOKENS) {
          const typed = uniqueTokens.trim();
          const plainNumber = sizeSuffixOf(typed) === undefined && /^\d+(\.\d+)?$/.test(typed);
          throw new UsageError(
            `--unique-tokens ${typed} is ${plain(U)} tokens, fewer than any data-constrained law was fitted on (the smallest corpus of Muennighoff et al.'s 182 fitted runs is 100M): ${plainNumber ? `did you mean ${typed}B or ${typed}M? ` : ''}it is a count of tokens, such as 25e9 or 25B`,
          );
        }
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
        // Epochs beyond any the law's runs repeated: its loss there (and the cap's cost) is the decay
        // term extrapolated, as with 2e6 unique tokens typed for 2e9 ("the cap costs 350 %").
        const most =
          src.ranges?.U && src.ranges.D ? src.ranges.D[1] / src.ranges.U[0] : f.fit ? undefined : PRESET_EPOCHS;
        if (most !== undefined && o.epochs > most)
          warnings.push(
            warning(
              'extrapolation',
              o.epochs > 10 * most ? 'severe' : 'warning',
              `${formatNumber(o.epochs, 3)} epochs is ${formatNumber(o.epochs / most, 3)}× the most the law's runs repeated their data (${formatNumber(most, 3)} epochs${f.fit ? ", the fit's largest D over its smallest U" : ', the 182 runs of examples/datablations-fit-182.csv'}): the loss and the cap's cost are the law extrapolated; check --unique-tokens (a count of tokens, such as 25e9 or 25B)`,
            ),
          );
        const values = epochValues(src.params.R_D);
        const half = epochsUntilWorth(src.params.R_D, 0.5),
          tenth = epochsUntilWorth(src.params.R_D, 0.1);
        const intervals = src.replicates.length
          ? repetitionIntervals(src.law, src.replicates, C, U, src.level)
          : undefined;
        // A preset's R*_D has no replicates: what it cannot show is said instead.
        const caveat = f.fit ? undefined : PRESET_CAVEAT;
        if (f.json)
          return printResult(
            {
              ...o,
              capBinds: o.epochs > 1,
              epochValues: values,
              epochsUntilHalf: half,
              epochsUntilTenth: tenth,
              ...(intervals ? { intervals } : {}),
              ...(caveat ? { caveat } : {}),
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
            intervals,
            caveat,
            warnings,
          }),
          f.fit,
        );
      }, f.json),
  );
}
