import type { Command } from 'commander';
import { readRuns, readText } from '../../io/readRuns.js';
import { parseColumnMapping } from '../../io/parseRuns.js';
import { parseTable } from '../../io/parseTable.js';
import { batchTradeoff, criticalBatch, criticalBatchAtLoss, criticalBatchFromRuns, criticalBatchPreset, criticalBatchPresets, gradientNoiseScale } from '../../hparams/criticalBatch.js';
import { fitHparamLaws, hparamPreset, hparamPresets, predictHparams } from '../../hparams/laws.js';
import { coordinateCheck, learningRateTransfer, mupTable } from '../../hparams/mup.js';
import { formatNumber } from '../../core/format.js';
import { textTable } from '../../core/table.js';
import { UsageError } from '../../errors/index.js';
import { keyword, parseInteger, parseQuantity } from '../options.js';
import { printResult, writeResult } from '../output.js';
import { checkMagnitudes } from '../../analyses/dataChecks.js';
import { parseList } from './frontier.js';
import { deprecatedAlias, flag } from '../flags.js';

type Run = (fn: () => Promise<void>, json?: boolean) => Promise<void>;
const f4 = (x: number) => formatNumber(x, 4);

const ci = (x: number, interval?: [number, number]) => `${f4(x)}${interval ? ` [95 % ${formatNumber(interval[0], 3)}, ${formatNumber(interval[1], 3)}]` : ''}`;

/** @param unit what the batch counts (tokens, or the batch column's unit); E counts the same */
function tradeoffTable(tradeoff: ReturnType<typeof batchTradeoff>, unit: string): string {
  return (
    'Time/compute trade-off (McCandlish et al. 2018: S = S_min(1 + B_crit/B), E = E_min(1 + B/B_crit)):\n' +
    textTable([`batch (${unit})`, 'steps / S_min', `examples E / E_min`], tradeoff.map((t) => [f4(t.batch), f4(t.stepsFactor), f4(t.examplesFactor)])) +
    `\nAt B = B_crit training takes 2·S_min steps and 2·E_min examples (${unit}): twice the minimum of each.\n`
  );
}

export function registerHparams(program: Command, run: Run): void {
  const bcrit = program
    .command('bcrit')
    .description("critical batch size: Kaplan et al.'s B_crit(L) at a loss, or fitted from runs at several batch sizes (McCandlish et al.'s trade-off)")
    .argument('[file]', 'training curves with run, batch, step and loss columns; or, with --noise, step, batch and grad_sq')
    .addOption(flag('target-loss', { detail: 'B_crit(L) = B* / L^(1/α_B) there, from the preset or (with FILE) from the law fitted to the runs' }))
    .addOption(flag('preset', { detail: `B_crit(L): ${criticalBatchPresets.map((p) => p.id).join(', ')}`, default: 'kaplan-2020' }))
    .option('--b-star <tokens>', 'B* (default: the preset\'s; Kaplan et al. 2020, 2.1e8 tokens)')
    .option('--alpha-b <alpha>', 'α_B (default: the preset\'s; Kaplan et al. 2020, 0.21)')
    .option('--target-losses <list>', 'losses to count steps to (default: five levels the runs reach)')
    .option('--noise', 'FILE holds |G_B|² at two batch sizes per step: estimate the gradient noise scale B_simple')
    .option('--smoothing <w>', 'noise scale: EMA weight on the past', '0.9')
    .addOption(flag('bootstrap', { detail: 'with FILE: residual bootstrap, for B_crit\'s 95 % interval per target', default: '1000' }))
    .addOption(flag('seed', { default: '0' }))
    .addOption(flag('columns', { detail: 'e.g. batch=bs,step=iter' }))
    .addOption(flag('json'))
    .addHelpText('after', '\nExamples:\n  scalelab bcrit --target-loss 3\n  scalelab bcrit --preset kaplan-2020 --target-loss 2.5\n  scalelab bcrit curves.csv --target-losses 3.5,3.2\n  scalelab bcrit curves.csv --target-loss 2.8     # B_crit at 2.8 from the law fitted to the runs\n  scalelab bcrit grads.csv --noise');
  deprecatedAlias(bcrit, '--loss <loss>', '--target-loss');
  deprecatedAlias(bcrit, '--targets <list>', '--target-losses');
  bcrit
    .action(async (file: string | undefined, f: { targetLoss?: string; preset: string; bStar?: string; alphaB?: string; targetLosses?: string; noise?: boolean; smoothing: string; bootstrap: string; seed: string; columns?: string; json?: boolean }, cmd: Command) =>
      run(async () => {
        const columns = f.columns ? parseColumnMapping(f.columns) : undefined;
        const presetGiven = cmd.getOptionValueSource('preset') === 'cli';
        if (f.noise && !file) throw new UsageError('--noise needs a FILE with step, batch and grad_sq columns');
        if (f.noise && (f.targetLoss || f.targetLosses)) throw new UsageError('--noise estimates the gradient noise scale per step; --target-loss and --target-losses are for the critical batch from training curves');
        if (file && (presetGiven || f.bStar || f.alphaB)) throw new UsageError('--preset, --b-star and --alpha-b choose a published B_crit(L); with FILE the law is fitted to the runs (give --target-loss to predict from it)');
        const loss = f.targetLoss ? parseQuantity(f.targetLoss, '--target-loss') : undefined;
        if (file && f.noise) {
          const ds = readRuns(file, { columns, require: ['batch', 'step', 'gradSq'] });
          checkMagnitudes(ds, ['batch', 'step', 'gradSq'], ds.runs);
          const steps = gradientNoiseScale(ds.runs.map((r) => ({ step: r.step!, batch: r.batch!, gradSq: r.gradSq!, line: r.line })), parseQuantity(f.smoothing, '--smoothing', { positive: false }), file);
          if (f.json) return printResult({ source: file, method: 'McCandlish et al. 2018, App. A.1 two-batch estimator', steps }, file);
          writeResult(`Gradient noise scale from ${file} (McCandlish et al. 2018, App. A.1; |G|² and tr Σ smoothed separately, EMA ${f.smoothing}):\n` + textTable(['step', '|G|²', 'tr Σ', 'B_simple'], steps.map((s) => [String(s.step), f4(s.gradSq), f4(s.traceSigma), f4(s.bSimple)])) + '\n', file);
          return;
        }
        if (file) {
          const ds = readRuns(file, { columns });
          const replicates = parseInteger(f.bootstrap, '--bootstrap', 0);
          const r = criticalBatchFromRuns(ds, f.targetLosses ? parseList(f.targetLosses, '--target-losses') : undefined, replicates > 1 ? { replicates, seed: parseInteger(f.seed, '--seed', 0), level: 0.95 } : undefined);
          const unit = `in the units of column "${ds.columns.batch}"`;
          const method = `McCandlish et al. 2018: S = S_min + E_min/B per target loss; B_crit = E_min/S_min; B_crit(L) = B*/L^(1/α_B) through the targets (Kaplan et al. 2020's form), fitted to ${file}`;
          const at = loss === undefined ? undefined : criticalBatchAtLoss(r, loss, file);
          const warnings = [...r.warnings];
          if (at?.extrapolated) warnings.push(`loss ${loss} is outside the fitted targets (${f4(at.fittedRange[0])} … ${f4(at.fittedRange[1])}): B_crit there extrapolates the fitted B_crit(L)`);
          const { lawReplicates, ...fitted } = r;
          const bootstrapNote = lawReplicates ? { lawBootstrap: `${lawReplicates.length} of ${replicates} residual-bootstrap replicates (seed ${f.seed}) refitted through every target; 95 % percentile intervals` } : {};
          if (f.json) return printResult({ source: file, method, ...fitted, ...bootstrapNote, warnings, ...(at ? { atLoss: { ...at, unit: ds.columns.batch, source: `B_crit(L) fitted to ${file}`, tradeoff: batchTradeoff(at.bCrit) } } : {}) }, file);
          const lines = [
            `Critical batch from ${file} (steps to each target loss regressed on 1/B: S = S_min + E_min/B, B_crit = E_min/S_min; McCandlish et al. 2018):`,
            textTable(['target loss', 'S_min', 'E_min', 'B_crit', replicates > 1 ? `95 % (${replicates} resamples)` : '95 %', 'batch sizes'], r.fits.map((x) => [f4(x.target), f4(x.sMin), f4(x.eMin), f4(x.bCrit), x.bCritInterval ? `[${f4(x.bCritInterval[0])}, ${f4(x.bCritInterval[1])}]` : x.points.length < 3 ? '– (2 points)' : '–', String(x.points.length)])),
          ];
          if (r.law) {
            const ci = (iv: [number, number] | undefined, fmt: (x: number) => string) => (iv ? ` [${fmt(iv[0])}, ${fmt(iv[1])}]` : '');
            lines.push(`B_crit(L) = ${f4(r.law.bStar)}${ci(r.law.bStarInterval, f4)} / L^(1/${r.law.alphaB.toFixed(3)}${ci(r.law.alphaBInterval, (x) => x.toFixed(3))}) through the targets (fitted to ${file}${lawReplicates ? `; 95 % from ${lawReplicates.length} bootstrap refits` : ''})`);
          }
          const last = r.fits[r.fits.length - 1];
          lines.push(`At the lowest target (${f4(last.target)}), training at B = B_crit takes 2·S_min = ${f4(2 * last.sMin)} steps and 2·E_min = ${f4(2 * last.eMin)} examples.`);
          if (at) {
            lines.push(`B_crit(L = ${loss}) = ${f4(at.bCrit)}${at.bCritInterval ? ` (95 % ${f4(at.bCritInterval[0])} – ${f4(at.bCritInterval[1])})` : ''} ${unit}   [B_crit(L) = ${f4(at.law.bStar)} / L^(1/${at.law.alphaB.toFixed(3)}) fitted to ${file}]`);
            lines.push(tradeoffTable(batchTradeoff(at.bCrit), `column "${ds.columns.batch}" units`).trimEnd());
          }
          lines.push(...warnings.map((w) => `warning: ${w}`));
          writeResult(lines.join('\n') + '\n', file);
          return;
        }
        if (loss === undefined) throw new UsageError('give --target-loss L (B_crit(L) from a preset, Kaplan et al. 2020 by default) or a FILE of runs');
        const preset = criticalBatchPreset(f.preset);
        const bStar = f.bStar ? parseQuantity(f.bStar, '--b-star') : preset.bStar;
        const alphaB = f.alphaB ? parseQuantity(f.alphaB, '--alpha-b') : preset.alphaB;
        const b = criticalBatch(loss, bStar, alphaB);
        const source =
          f.bStar && f.alphaB ? 'constants given on the command line (--b-star, --alpha-b)'
          : f.bStar || f.alphaB ? `${f.bStar ? 'B* from --b-star' : 'α_B from --alpha-b'}, the other from preset ${preset.id}: ${preset.citation}`
          : `preset ${preset.id}: ${preset.citation}`;
        const tradeoff = batchTradeoff(b);
        if (f.json) return printResult({ loss, bCrit: b, unit: 'tokens', bStar, alphaB, preset: preset.id, source, note: preset.note, tradeoff });
        writeResult(`B_crit(L = ${loss}) = ${f4(b)} tokens   [B* / L^(1/α_B), B* = ${formatNumber(bStar, 3)}, α_B = ${alphaB}; ${source}]\n  note: ${preset.note}\n` + tradeoffTable(tradeoff, 'tokens'));
      }, f.json),
    );

  const hparams = program
    .command('hparams')
    .description('learning rate and batch size for a budget or model size: from your sweep (DeepSeek LLM\'s method) or a published law')
    .addOption(flag('compute', { detail: 'laws in C' }))
    .addOption(flag('N', { detail: 'laws in N: --preset porian-2024, or --sweep grouped by N' }))
    .addOption(flag('target-loss', { detail: 'with --preset kaplan-2020, the critical batch B_crit(L) there' }))
    .addOption(flag('sweep', { detail: 'with --N, columns N, lr, batch, loss' }))
    .addOption(flag('preset', { detail: `${hparamPresets.map((p) => p.id).join(', ')}, ${criticalBatchPresets.map((p) => p.id).join(', ')} (critical batch only, needs --target-loss)`, default: 'deepseek-2024' }))
    .option('--near-optimal <fraction>', 'sweep: near-optimal = loss within this fraction of the best (DeepSeek: 0.0025)', '0.0025')
    .option('--group-tolerance <decades>', 'sweep: runs whose C (or N) agree within this many decades form one group', '0.06')
    .addOption(flag('bootstrap', { detail: 'with --sweep: coefficients, exponents, predictions', default: '200' }))
    .addOption(flag('seed', { default: '0' }))
    .addOption(flag('seq-len', { detail: 'to express the batch in sequences', default: '4096' }))
    .addOption(flag('columns', { detail: 'e.g. lr=peak_lr,batch=bs' }))
    .addOption(flag('json'))
    .addHelpText(
      'after',
      '\nExamples:\n  scalelab hparams --compute 1e20\n  scalelab hparams --N 7e9 --preset porian-2024\n  scalelab hparams --preset kaplan-2020 --target-loss 2.5\n  scalelab hparams --compute 1e21 --sweep sweep.csv    # laws in C: columns C (or N and D), lr, batch, loss\n  scalelab hparams --N 1e9 --sweep sweep.csv      # laws in N: columns N, lr, batch, loss',
    );
  deprecatedAlias(hparams, '--params <n>', '--N');
  deprecatedAlias(hparams, '--loss <loss>', '--target-loss');
  deprecatedAlias(hparams, '--tolerance <fraction>', '--near-optimal');
  hparams
    .action(async (f: { compute?: string; N?: string; targetLoss?: string; sweep?: string; preset: string; nearOptimal: string; groupTolerance: string; bootstrap: string; seed: string; seqLen: string; columns?: string; json?: boolean }, cmd: Command) =>
      run(async () => {
        const C = f.compute ? parseQuantity(f.compute, '--compute') : undefined;
        const N = f.N ? parseQuantity(f.N, '--N') : undefined;
        const loss = f.targetLoss ? parseQuantity(f.targetLoss, '--target-loss') : undefined;
        const seqLen = parseInteger(f.seqLen, '--seq-len', 1);
        if (f.sweep) {
          if (cmd.getOptionValueSource('preset') === 'cli') throw new UsageError('give --sweep (fit your own laws) or --preset (a published law), not both');
          if (loss !== undefined) throw new UsageError('--target-loss goes with --preset kaplan-2020 (the critical batch); a sweep fits η and B against C or N');
          if (C !== undefined && N !== undefined) throw new UsageError('--sweep fits laws in one variable: give --compute (laws in C) or --N (laws in N), not both');
          if (C === undefined && N === undefined) throw new UsageError('--sweep needs where to predict: --compute C (laws in C) or --N N (laws in N)');
          const variable = C !== undefined ? 'C' : 'N';
          const x = (C ?? N)!;
          const ds = readRuns(f.sweep, { columns: f.columns ? parseColumnMapping(f.columns) : undefined });
          const replicates = parseInteger(f.bootstrap, '--bootstrap', 0);
          const fitted = fitHparamLaws(ds, {
            variable,
            at: x,
            tolerance: parseQuantity(f.nearOptimal, '--near-optimal', { positive: false }),
            budgetTolerance: parseQuantity(f.groupTolerance, '--group-tolerance'),
            bootstrap: replicates > 1 ? { replicates, seed: parseInteger(f.seed, '--seed', 0), level: 0.95 } : undefined,
          });
          const p = fitted.prediction!;
          const source = `fitted to ${f.sweep} (DeepSeek LLM's method, Bi et al. 2024 §3.1: near-optimal within ${fitted.tolerance} of the best loss per ${variable === 'C' ? 'compute budget' : 'model size'}; power law in ${variable} through the centres)`;
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
          };
          if (f.json) return printResult(out, f.sweep);
          const boot = fitted.bootstrap ? `, 95 % bootstrap intervals from ${fitted.bootstrap.replicates} resamples of the runs within each group` : ' (no intervals: --bootstrap 0)';
          const law = (name: string, l: typeof fitted.lr) =>
            `${name} = ${f4(l.coefficient)}·${variable}^${l.exponent.toFixed(4)}${l.interval ? `   (coefficient [${formatNumber(l.coefficientInterval![0], 3)}, ${formatNumber(l.coefficientInterval![1], 3)}], exponent [${l.interval[0].toFixed(3)}, ${l.interval[1].toFixed(3)}])` : ''}`;
          writeResult(
            [
              `From the sweep ${f.sweep} (${fitted.budgets.length} ${variable === 'C' ? 'compute budgets' : 'model sizes'}; near-optimal = loss within ${(fitted.tolerance * 100).toFixed(2)} % of the best; DeepSeek LLM's method${boot}):`,
              textTable([variable === 'C' ? 'budget C' : 'model size N', 'runs', 'near-optimal', 'best loss', 'η centre', 'B centre'], fitted.budgets.map((b) => [formatNumber(b.x, 3), String(b.runs), String(b.nearOptimal), f4(b.bestLoss), f4(b.learningRate), f4(b.batch)])),
              law('η_opt', fitted.lr),
              law('B_opt', fitted.batch),
              `At ${variable} = ${formatNumber(x, 3)}: learning rate ${ci(p.learningRate, p.learningRateInterval)}; batch ${ci(p.batch, p.batchInterval)} (${f4(p.batch / seqLen)} sequences of ${seqLen})   [${source}]`,
              ...fitted.warnings.map((w) => `warning: ${w}`),
            ].join('\n') + '\n',
            f.sweep,
          );
          return;
        }
        if (criticalBatchPresets.some((p) => p.id === f.preset)) {
          const preset = criticalBatchPreset(f.preset);
          if (loss === undefined) throw new UsageError(`preset ${preset.id} is Kaplan et al.'s critical batch B_crit(L) = B*/L^(1/α_B), a law in the loss: give --target-loss L (the loss the run is to reach); it has no learning rate (for one use --preset deepseek-2024 with --compute, or porian-2024 with --N)`);
          const bCrit = criticalBatch(loss, preset.bStar, preset.alphaB);
          const source = `preset ${preset.id}: ${preset.citation}`;
          const tradeoff = batchTradeoff(bCrit);
          if (f.json) return printResult({ preset: preset.id, loss, bCrit, batchTokens: bCrit, batchSequences: bCrit / seqLen, learningRate: null, unit: 'tokens', bStar: preset.bStar, alphaB: preset.alphaB, source, note: preset.note, tradeoff });
          writeResult(
            `At L = ${loss}: critical batch B_crit = ${f4(bCrit)} tokens (${f4(bCrit / seqLen)} sequences of ${seqLen})   [B* / L^(1/α_B), B* = ${formatNumber(preset.bStar, 3)}, α_B = ${preset.alphaB}; ${source}]\n` +
              `  no learning rate: this preset is a batch-size law only (--preset deepseek-2024 or porian-2024 give one)\n  note: ${preset.note}\n` +
              tradeoffTable(tradeoff, 'tokens'),
          );
          return;
        }
        if (loss !== undefined) throw new UsageError(`--target-loss goes with --preset kaplan-2020 (the critical batch at a loss); preset ${f.preset} is a law in ${hparamPreset(f.preset).variable}`);
        const preset = hparamPreset(f.preset);
        const p = predictHparams(preset, { C, N }, seqLen);
        if (f.json) return printResult({ ...p, preset: preset.id, note: preset.note });
        writeResult(
          `At ${preset.variable} = ${formatNumber(p.at, 4)}: learning rate ${f4(p.learningRate)}, batch ${f4(p.batchTokens)} tokens${p.batchSequences ? ` (${f4(p.batchSequences)} sequences)` : ''}\n` +
            `  law: η = ${preset.lr.coefficient}·${preset.variable}^${preset.lr.exponent}, B = ${preset.batch.coefficient}·${preset.variable}^${preset.batch.exponent} ${preset.batch.unit}; ${p.source}\n  note: ${preset.note}\n`,
        );
      }, f.json),
    );

  const mup = program.command('mup').description('maximal-update parametrisation: multipliers for a width, and checks that learning rates transfer');
  mup
    .command('table', { isDefault: true })
    .description('muP init, learning-rate and output multipliers per parameter group, next to standard parametrisation')
    .option('--base-width <n>', 'width the hyperparameters were tuned at', '256')
    .option('--width <n>', 'target width', '4096')
    .option('--optimizer <name>', 'adam or sgd', 'adam')
    .option('--sigma <std>', 'base init standard deviation', '0.02')
    .option('--lr <lr>', 'base learning rate', '1e-2')
    .option('--head-dim <n>', 'head dimension', '128')
    .option('--output-multiplier <a>', 'α_out tuned on the base model', '1')
    .addOption(flag('json', { detail: 'for a training script' }))
    .action(async (f: { baseWidth: string; width: string; optimizer: string; sigma: string; lr: string; headDim: string; outputMultiplier: string; json?: boolean }) =>
      run(async () => {
        const t = mupTable({
          baseWidth: parseQuantity(f.baseWidth, '--base-width'),
          width: parseQuantity(f.width, '--width'),
          optimizer: keyword(f.optimizer, '--optimizer', ['adam', 'sgd'] as const),
          sigma: parseQuantity(f.sigma, '--sigma'),
          learningRate: parseQuantity(f.lr, '--lr'),
          headDim: parseInteger(f.headDim, '--head-dim', 1),
          outputMultiplier: parseQuantity(f.outputMultiplier, '--output-multiplier'),
        });
        if (f.json) return printResult(t);
        const v = (x: number | null) => (x === null ? '–' : formatNumber(x, 4));
        writeResult(
          `muP for width ${t.width} from base width ${t.baseWidth} (m = ${formatNumber(t.m, 4)}, ${t.optimizer}); ${t.citation}\n` +
            textTable(
              ['group', 'muP init std', 'muP LR', 'muP multiplier', 'SP init std', 'SP LR', 'SP multiplier', 'rule'],
              t.groups.map((g) => [g.group, v(g.mup.initStd), v(g.mup.learningRate), v(g.mup.multiplier), v(g.sp.initStd), v(g.sp.learningRate), v(g.sp.multiplier), g.mup.note]),
            ) +
            `\nattention scale: muP 1/d_head = ${formatNumber(t.attention.mupScale, 4)}, SP 1/√d_head = ${formatNumber(t.attention.spScale, 4)} (d_head ${t.attention.headDim})\n`,
        );
      }, f.json),
    );
  mup
    .command('transfer')
    .description('LR-transfer check: from learning-rate sweeps at several widths, how the optimal learning rate drifts with width')
    .argument('<file>', 'runs with width, lr and loss columns')
    .addOption(flag('bootstrap', { detail: 'of the slope', default: '200' }))
    .addOption(flag('seed', { default: '0' }))
    .addOption(flag('columns', { detail: 'e.g. width=d_model,lr=peak_lr' }))
    .addOption(flag('json'))
    .action(async (file: string, f: { bootstrap: string; seed: string; columns?: string; json?: boolean }) =>
      run(async () => {
        const ds = readRuns(file, { columns: f.columns ? parseColumnMapping(f.columns) : undefined });
        const replicates = parseInteger(f.bootstrap, '--bootstrap', 0);
        const r = learningRateTransfer(ds, replicates > 1 ? { replicates, seed: parseInteger(f.seed, '--seed', 0), level: 0.95 } : undefined);
        if (f.json) return printResult({ source: file, ...r }, file);
        writeResult(
          textTable(['width', 'optimal η', 'loss there', 'runs'], r.widths.map((w) => [String(w.width), f4(w.learningRate), f4(w.loss), String(w.runs)])) +
            `\nslope of ln η* against ln width: ${r.slope.toFixed(3)}${r.interval ? ` (95 % [${r.interval[0].toFixed(3)}, ${r.interval[1].toFixed(3)}])` : ''}\n${r.verdict}\n` +
            r.warnings.map((w) => `warning: ${w}\n`).join(''),
          file,
        );
      }, f.json),
    );
  mup
    .command('coord')
    .description('coordinate check: which layers\' activations grow with width (CSV: layer, width, value)')
    .argument('<file>', 'mean |activation| per layer and width after a few steps')
    .option('--threshold <slope>', 'a slope of ln |a| against ln width above this flags the layer', '0.2')
    .addOption(flag('json'))
    .action(async (file: string, f: { threshold: string; json?: boolean }) =>
      run(async () => {
        const rows = parseTable(readText(file, 'a CSV of layer, width and value columns'), file, { numbers: ['width', 'value'] as const, text: ['layer'] as const });
        const r = coordinateCheck(rows, parseQuantity(f.threshold, '--threshold', { positive: false }), file);
        if (f.json) return printResult({ source: file, ...r }, file);
        const grows = r.layers.filter((l) => l.grows);
        writeResult(
          textTable(['layer', 'slope', 'grows with width'], r.layers.map((l) => [l.layer, l.slope.toFixed(3), l.grows ? 'YES' : 'no'])) +
            `\n${grows.length ? `${grows.length} layer${grows.length === 1 ? '' : 's'} grow with width: ${grows.map((l) => l.layer).join(', ')}` : 'no layer grows with width: the parametrisation looks right'}\n`,
          file,
        );
      }, f.json),
    );
}
