import type { Command } from 'commander';
import { readRuns } from '../../io/readRuns.js';
import { parseColumnMapping } from '../../io/parseRuns.js';
import {
  batchTradeoff,
  criticalBatch,
  criticalBatchFromRunsSteps,
  criticalBatchPreset,
  criticalBatchPresets,
  gradientNoiseScale,
  readCriticalBatchRuns,
} from '../../hparams/criticalBatch.js';
import { criticalBatchAtLossReport, criticalBatchFromRunsAnswer, noiseScaleReport } from '../../report/text/hparams.js';
import { flagFor } from '../optionFlags.js';
import { formatNumber, plain } from '../../core/format.js';
import { UsageError } from '../../errors/index.js';
import { parseExponent, parseInteger, parseList, parseQuantity, plainNumber, parseReplicates } from '../options.js';
import { printResult, writeResult } from '../output.js';
import { checkMagnitudes } from '../../io/dataChecks.js';
import { deprecatedAlias, flag } from '../flags.js';
import { handleToTheEnd, stepwise } from '../interrupt.js';
import type { Run } from '../output.js';

export function registerBcrit(program: Command, run: Run): void {
  const bcrit = program
    .command('bcrit')
    .description(
      "critical batch size: Kaplan et al.'s B_crit(L) at a loss, or fitted from runs at several batch sizes (McCandlish et al.'s trade-off)",
    )
    .argument(
      '[file]',
      'training curves with run, batch, step and loss columns; or, with --noise, step, batch and grad_sq',
    )
    .addOption(
      flag('target-loss', {
        detail: 'B_crit(L) = B* / L^(1/α_B) there, from the preset or (with FILE) from the law fitted to the runs',
      }),
    )
    .addOption(
      flag('preset', {
        detail: `B_crit(L): ${criticalBatchPresets.map((p) => p.id).join(', ')}`,
        default: 'kaplan-2020',
      }),
    )
    .option('--b-star <tokens>', "B* (default: the preset's; Kaplan et al. 2020, 2.1e8 tokens)")
    .option('--alpha-b <alpha>', "α_B (default: the preset's; Kaplan et al. 2020, 0.21)")
    .option(
      '--target-losses <list>',
      "losses to count steps to (default: five levels the runs reach, the lowest a tenth of the span above the worst run's last loss)",
    )
    .option('--noise', 'FILE holds |G_B|² at two batch sizes per step: estimate the gradient noise scale B_simple')
    .option('--smoothing <w>', 'noise scale: EMA weight on the past', '0.9')
    .addOption(
      flag('bootstrap', {
        detail: "with FILE: residual bootstrap, for B_crit's 95 % interval per target",
        default: '1000',
      }),
    )
    .addOption(flag('seed', { default: '0' }))
    .addOption(flag('columns', { detail: 'e.g. batch=bs,step=iter' }))
    .addOption(flag('json'))
    .addHelpText(
      'after',
      '\nExamples:\n  scalelab bcrit --target-loss 3\n  scalelab bcrit --preset kaplan-2020 --target-loss 2.5\n  scalelab bcrit curves.csv --target-losses 3.5,3.2\n  scalelab bcrit curves.csv --target-loss 2.8     # B_crit at 2.8 from the law fitted to the runs\n  scalelab bcrit grads.csv --noise',
    );
  deprecatedAlias(bcrit, '--loss <loss>', '--target-loss');
  deprecatedAlias(bcrit, '--targets <list>', '--target-losses');
  bcrit.action(
    async (
      file: string | undefined,
      f: {
        targetLoss?: string;
        preset: string;
        bStar?: string;
        alphaB?: string;
        targetLosses?: string;
        noise?: boolean;
        smoothing: string;
        bootstrap: string;
        seed: string;
        columns?: string;
        json?: boolean;
      },
      cmd: Command,
    ) =>
      run(async () => {
        const columns = f.columns ? parseColumnMapping(f.columns) : undefined;
        const presetGiven = cmd.getOptionValueSource('preset') === 'cli';
        if (f.noise && !file) throw new UsageError('--noise needs a FILE with step, batch and grad_sq columns');
        if (f.noise && (f.targetLoss || f.targetLosses))
          throw new UsageError(
            '--noise estimates the gradient noise scale per step; --target-loss and --target-losses are for the critical batch from training curves',
          );
        if (file && (presetGiven || f.bStar || f.alphaB))
          throw new UsageError(
            '--preset, --b-star and --alpha-b choose a published B_crit(L); with FILE the law is fitted to the runs (give --target-loss to predict from it)',
          );
        const loss = f.targetLoss
          ? parseQuantity(f.targetLoss, '--target-loss', { plain: plainNumber.loss })
          : undefined;
        if (file && f.noise) {
          const ds = readRuns(file, { columns, require: ['batch', 'step', 'gradSq'] });
          checkMagnitudes(ds, ['batch', 'step', 'gradSq'], ds.runs);
          const smoothing = parseQuantity(f.smoothing, '--smoothing', {
            positive: false,
            plain: { what: 'a weight', example: '0.9' },
          });
          // The EMA's weight on the past: 1 would keep the first step's value forever, a negative one is no average.
          if (!(smoothing >= 0 && smoothing < 1))
            throw new UsageError(
              `--smoothing: expected an EMA weight on the past from 0 (no smoothing) to below 1, got ${f.smoothing}${smoothing === 1 ? " (1 keeps the first step's estimate for every step)" : ''}`,
            );
          const steps = gradientNoiseScale(
            ds.runs.map((r) => ({ step: r.step!, batch: r.batch!, gradSq: r.gradSq!, line: r.line })),
            smoothing,
            file,
          );
          if (f.json)
            return printResult(
              { source: file, method: 'McCandlish et al. 2018, App. A.1 two-batch estimator', steps },
              file,
            );
          writeResult(noiseScaleReport(file, f.smoothing, steps), file);
          return;
        }
        if (file) {
          const ds = readCriticalBatchRuns((require) => readRuns(file, { columns, require }), file, flagFor);
          const replicates = parseReplicates(f.bootstrap, '--bootstrap');
          // Its bootstrap computes on the main thread, a replicate at a time with turns for the event
          // loop: a Ctrl-C stops it, saying so.
          handleToTheEnd();
          const seed = parseInteger(f.seed, '--seed', 0);
          const r = await stepwise(
            criticalBatchFromRunsSteps(
              ds,
              f.targetLosses ? parseList(f.targetLosses, '--target-losses') : undefined,
              replicates > 1 ? { replicates, seed, level: 0.95 } : undefined,
            ),
          );
          const { json, text } = criticalBatchFromRunsAnswer(
            {
              source: file,
              result: r,
              batchColumn: ds.columns.batch!,
              replicates,
              seed,
              loss,
              defaulted: {
                targets: !f.targetLosses,
                bootstrap: cmd.getOptionValueSource('bootstrap') === 'default',
                seed: cmd.getOptionValueSource('seed') === 'default',
              },
            },
            flagFor,
          );
          if (f.json) return printResult(json, file);
          writeResult(text, file);
          // Warnings on stderr, as every command says them (README, Output): stdout holds the result only.
          process.stderr.write(json.warnings.map((w) => `warning: ${w}\n`).join(''));
          return;
        }
        if (loss === undefined)
          throw new UsageError(
            'give --target-loss L (B_crit(L) from a preset, Kaplan et al. 2020 by default) or a FILE of runs',
          );
        const preset = criticalBatchPreset(f.preset);
        const bStar = f.bStar ? parseQuantity(f.bStar, '--b-star') : preset.bStar;
        const alphaB = f.alphaB ? parseExponent(f.alphaB, '--alpha-b') : preset.alphaB;
        const b = criticalBatch(loss, bStar, alphaB);
        // L^(1/α_B) under- or overflows a double for a small α_B far from L = 1: name the power, not "the data".
        if (!(Number.isFinite(b) && b > 0))
          throw new UsageError(
            `B_crit ${b > 0 ? 'overflows' : 'underflows to 0'}: B* / L^(1/α_B) with L = ${plain(loss)} and α_B = ${plain(alphaB)} takes L to the power ${formatNumber(1 / alphaB, 3)}, which no double holds; give a target loss nearer 1 or a larger --alpha-b (Kaplan et al. 2020: 0.21)`,
          );
        const source =
          f.bStar && f.alphaB
            ? 'constants given on the command line (--b-star, --alpha-b)'
            : f.bStar || f.alphaB
              ? `${f.bStar ? 'B* from --b-star' : 'α_B from --alpha-b'}, the other from preset ${preset.id}: ${preset.citation}`
              : `preset ${preset.id}: ${preset.citation}`;
        const tradeoff = batchTradeoff(b);
        if (f.json)
          return printResult({
            loss,
            bCrit: b,
            unit: 'tokens',
            bStar,
            alphaB,
            preset: preset.id,
            source,
            note: preset.note,
            range: preset.range ? { loss: preset.range } : null,
            rangeSource: preset.rangeSource,
            tradeoff,
          });
        writeResult(
          criticalBatchAtLossReport({
            loss,
            bCrit: b,
            bStar,
            alphaB,
            source,
            note: `${preset.note}\n  fitted on: ${preset.rangeSource}`,
            tradeoff,
          }),
        );
      }, f.json),
  );
}
