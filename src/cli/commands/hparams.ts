import type { Command } from 'commander';
import { readRuns } from '../../io/readRuns.js';
import {
  batchTradeoff,
  criticalBatch,
  criticalBatchPreset,
  criticalBatchPresets,
} from '../../hparams/criticalBatch.js';
import {
  criticalBatchPresetChoices,
  defaultHparamsPreset,
  fitHparamLawsSteps,
  hparamPreset,
  hparamPresetChoices,
  hparamPresets,
  predictHparams,
} from '../../hparams/laws.js';
import {
  criticalBatchPresetHparamsReport,
  hparamPresetReport,
  hparamSweepReport,
  hparamSweepSource,
} from '../../report/text/hparams.js';
import { flagFor } from '../optionFlags.js';
import { presetRangeWarnings } from '../../analyses/extrapolation.js';
import { UsageError } from '../../errors/index.js';
import { batchUnits, sweepBatchInTokens } from '../planInputs.js';
import {
  keyword,
  parseFraction,
  parseInteger,
  parseQuantity,
  plainNumber,
  parseReplicates,
  runSelection,
} from '../options.js';
import { printResult, writeResult } from '../output.js';
import { deprecatedAlias, flag } from '../flags.js';
import { handleToTheEnd, stepwise } from '../interrupt.js';
import type { Run } from '../output.js';
import { noteSmallSizes } from '../sizeNote.js';

/** The presets in the variable a preset is not in, as " (porian-2024 is a law in N)"; nothing when there are none. */
function otherVariable(variable: 'C' | 'N'): string {
  const other = variable === 'C' ? 'N' : 'C';
  const ids = hparamPresetChoices(other);
  if (!ids) return '';
  return ` (${ids} ${ids.includes(' or ') ? 'are laws' : 'is a law'} in ${other})`;
}

export function registerHparams(program: Command, run: Run): void {
  const hparams = program
    .command('hparams')
    .description(
      "learning rate and batch size for a budget or model size: from your sweep (DeepSeek LLM's method) or a published law",
    )
    .addOption(flag('C', { detail: 'laws in C' }))
    .addOption(flag('N', { detail: 'laws in N: --preset porian-2024, or --sweep grouped by N' }))
    .addOption(flag('target-loss', { detail: 'with --preset kaplan-2020, the critical batch B_crit(L) there' }))
    .addOption(flag('sweep', { detail: 'with --N, columns N, lr, batch (in tokens: see --batch-unit), loss' }))
    .option(
      '--batch-unit <unit>',
      'with --sweep: what its batch column counts: tokens, or sequences (of --seq-len tokens; they are multiplied by it)',
      'tokens',
    )
    .addOption(
      flag('preset', {
        detail: `${hparamPresets.map((p) => p.id).join(', ')}, ${criticalBatchPresets.map((p) => p.id).join(', ')} (critical batch only, needs --target-loss)`,
        default: defaultHparamsPreset,
      }),
    )
    .option(
      '--near-optimal <fraction>',
      'sweep: near-optimal = loss within this fraction of the best (DeepSeek: 0.0025, or write 0.25%)',
      '0.0025',
    )
    .option(
      '--group-tolerance <decades>',
      'sweep: runs whose C (or N) agree within this many decades form one group',
      '0.06',
    )
    .addOption(flag('bootstrap', { detail: 'with --sweep: coefficients, exponents, predictions', default: '200' }))
    .addOption(flag('seed', { default: '0' }))
    .addOption(flag('seq-len', { detail: 'to express the batch in sequences', default: '4096' }))
    .addOption(flag('columns', { detail: 'e.g. lr=peak_lr,batch=bs' }))
    .addOption(flag('lineage', { detail: 'with --sweep' }))
    .addOption(flag('json'))
    .addHelpText(
      'after',
      '\nExamples:\n  scalelab hparams --C 1e20\n  scalelab hparams --N 7e9 --preset porian-2024\n  scalelab hparams --preset kaplan-2020 --target-loss 2.5\n  scalelab hparams --C 1e21 --sweep sweep.csv    # laws in C: columns C (or N and D), lr, batch, loss\n  scalelab hparams --N 1e9 --sweep sweep.csv      # laws in N: columns N, lr, batch, loss\n  scalelab hparams --N 7B --sweep sweep.csv --batch-unit sequences --seq-len 2048   # batch column in sequences\n\nThe batch column is read in tokens unless --batch-unit sequences says it counts sequences of --seq-len tokens.',
    );
  deprecatedAlias(hparams, '--params <n>', '--N');
  deprecatedAlias(hparams, '--compute <flops>', '--C');
  deprecatedAlias(hparams, '--loss <loss>', '--target-loss');
  deprecatedAlias(hparams, '--tolerance <fraction>', '--near-optimal');
  hparams.action(
    async (
      f: {
        C?: string;
        N?: string;
        targetLoss?: string;
        sweep?: string;
        preset: string;
        nearOptimal: string;
        groupTolerance: string;
        bootstrap: string;
        seed: string;
        seqLen: string;
        batchUnit: string;
        columns?: string;
        lineage?: string;
        json?: boolean;
      },
      cmd: Command,
    ) =>
      run(async () => {
        const C = f.C ? parseQuantity(f.C, '--C') : undefined;
        const N = f.N ? parseQuantity(f.N, '--N') : undefined;
        const loss = f.targetLoss
          ? parseQuantity(f.targetLoss, '--target-loss', { plain: plainNumber.loss })
          : undefined;
        const seqLen = parseInteger(f.seqLen, '--seq-len', 1);
        // The settings nobody typed: marked "(default, --flag)" in the text, listed in the JSON's defaults.
        const untyped = (key: string) => cmd.getOptionValueSource(key) !== 'cli';
        if (!f.sweep && cmd.getOptionValueSource('batchUnit') === 'cli')
          throw new UsageError("--batch-unit says what a --sweep file's batch column counts: give it with --sweep");
        if (f.sweep) {
          if (cmd.getOptionValueSource('preset') === 'cli')
            throw new UsageError('give --sweep (fit your own laws) or --preset (a published law), not both');
          if (loss !== undefined)
            throw new UsageError(
              '--target-loss goes with --preset kaplan-2020 (the critical batch); a sweep fits η and B against C or N',
            );
          if (C !== undefined && N !== undefined)
            throw new UsageError(
              '--sweep fits laws in one variable: give --C (laws in C) or --N (laws in N), not both',
            );
          if (C === undefined && N === undefined)
            throw new UsageError('--sweep needs where to predict: --C C (laws in C) or --N N (laws in N)');
          const variable = C !== undefined ? 'C' : 'N';
          const x = (C ?? N)!;
          // The sweep's bootstrap computes on the main thread, a replicate at a time with turns for the
          // event loop: a Ctrl-C stops it, saying so.
          handleToTheEnd();
          const { sweep: ds, warning: batchWarning } = sweepBatchInTokens(
            readRuns(f.sweep, runSelection({ columns: f.columns, lineage: f.lineage })),
            keyword(f.batchUnit, '--batch-unit', batchUnits),
            seqLen,
            '--batch-unit',
          );
          // Sizes in millions (125, 350) fit laws in N as well, and then --N 7B is 5e6× beyond them.
          if (variable === 'N')
            noteSmallSizes(f.sweep, { N: Math.max(...ds.runs.map((r) => r.N ?? 0)) }, 'hparams --N');
          const replicates = parseReplicates(f.bootstrap, '--bootstrap');
          const fitted = await stepwise(
            fitHparamLawsSteps(ds, {
              variable,
              at: x,
              tolerance: parseFraction(f.nearOptimal, '--near-optimal'),
              budgetTolerance: parseQuantity(f.groupTolerance, '--group-tolerance'),
              bootstrap:
                replicates > 1 ? { replicates, seed: parseInteger(f.seed, '--seed', 0), level: 0.95 } : undefined,
            }),
          );
          if (batchWarning) fitted.warnings.push(batchWarning);
          const p = fitted.prediction!;
          const source = hparamSweepSource(f.sweep, variable, fitted.tolerance);
          const defaulted = {
            nearOptimal: untyped('nearOptimal'),
            bootstrap: replicates > 1 && untyped('bootstrap'),
            seqLen: untyped('seqLen'),
          };
          const out = {
            variable,
            ...(variable === 'C' ? { compute: x } : { params: x }),
            learningRate: p.learningRate,
            learningRateInterval: p.learningRateInterval,
            batchTokens: p.batch,
            batchInterval: p.batchInterval,
            batchSequences: p.batch / seqLen,
            source,
            laws: fitted,
            defaults: (['nearOptimal', 'bootstrap', 'seqLen'] as const).filter((k) => defaulted[k]).map(flagFor),
          };
          if (f.json) return printResult(out, f.sweep);
          writeResult(
            hparamSweepReport({ sweep: f.sweep, variable, at: x, fitted, seqLen, source, defaulted }, flagFor),
            f.sweep,
          );
          return;
        }
        if (criticalBatchPresets.some((p) => p.id === f.preset)) {
          const preset = criticalBatchPreset(f.preset);
          if (C !== undefined || N !== undefined)
            throw new UsageError(
              `preset ${preset.id} is a law in the loss (B_crit(L)): ${C !== undefined ? '--C' : '--N'} is not used by it; give --target-loss L alone, or --preset ${hparamPresetChoices('C')} with --C (${hparamPresetChoices('N')} with --N) for a learning rate and batch`,
            );
          if (loss === undefined)
            throw new UsageError(
              `preset ${preset.id} is Kaplan et al.'s critical batch B_crit(L) = B*/L^(1/α_B), a law in the loss: give --target-loss L (the loss the run is to reach); it has no learning rate (for one use --preset ${hparamPresetChoices('C')} with --C, or ${hparamPresetChoices('N')} with --N)`,
            );
          const bCrit = criticalBatch(loss, preset.bStar, preset.alphaB);
          const source = `preset ${preset.id}: ${preset.citation}`;
          const tradeoff = batchTradeoff(bCrit);
          if (f.json)
            return printResult({
              preset: preset.id,
              loss,
              bCrit,
              batchTokens: bCrit,
              batchSequences: bCrit / seqLen,
              learningRate: null,
              unit: 'tokens',
              bStar: preset.bStar,
              alphaB: preset.alphaB,
              source,
              note: preset.note,
              range: preset.range ? { loss: preset.range } : null,
              rangeSource: preset.rangeSource,
              tradeoff,
              defaults: untyped('seqLen') ? ['--seq-len'] : [],
            });
          writeResult(
            criticalBatchPresetHparamsReport(
              { loss, bCrit, seqLen, preset, source, tradeoff, seqLenDefaulted: untyped('seqLen') },
              flagFor,
            ),
          );
          return;
        }
        if (loss !== undefined)
          throw new UsageError(
            `--target-loss goes with --preset ${criticalBatchPresetChoices()} (the critical batch at a loss); preset ${f.preset} is a law in ${hparamPreset(f.preset).variable}`,
          );
        const preset = hparamPreset(f.preset);
        // A preset is a law in one variable: the other would be silently unused.
        // (Only the other one given is answered by predictHparams: "a law in N: give --N".)
        const unused = C !== undefined && N !== undefined ? (preset.variable === 'C' ? '--N' : '--C') : undefined;
        if (unused)
          throw new UsageError(
            `preset ${preset.id} is a law in ${preset.variable} only: ${unused} is not used by it; give --${preset.variable} alone${otherVariable(preset.variable)}`,
          );
        const predicted = predictHparams(preset, { C, N }, seqLen);
        // A preset nobody chose is said to be the default, as plan says it; a preset's own sequence length
        // (porian-2024's 2048) is no default of ours.
        const presetDefaulted = untyped('preset');
        const p = presetDefaulted
          ? {
              ...predicted,
              source: predicted.source.replace(
                `preset ${preset.id}:`,
                `preset ${preset.id} (the default; choose with --preset or --sweep):`,
              ),
            }
          : predicted;
        const seqLenDefaulted = preset.batch.seqLen === undefined && untyped('seqLen');
        const warnings = presetRangeWarnings(preset, p.at);
        if (f.json)
          return printResult({
            ...p,
            preset: preset.id,
            note: preset.note,
            range: preset.range ? { [preset.variable]: preset.range } : null,
            rangeSource: preset.rangeSource,
            warnings,
            defaults: [...(presetDefaulted ? ['--preset'] : []), ...(seqLenDefaulted ? ['--seq-len'] : [])],
          });
        writeResult(hparamPresetReport(preset, p, warnings, seqLenDefaulted ? '--seq-len' : undefined));
      }, f.json),
  );
}
