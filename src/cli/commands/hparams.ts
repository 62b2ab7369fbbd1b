import type { Command } from 'commander';
import { readRuns, readText } from '../../io/readRuns.js';
import { parseColumnMapping } from '../../io/parseRuns.js';
import { parseTable } from '../../io/parseTable.js';
import { batchTradeoff, criticalBatch, criticalBatchFromRuns, gradientNoiseScale, kaplanBatchPreset } from '../../hparams/criticalBatch.js';
import { evaluate, fitHparamLaws, hparamPreset, hparamPresets, predictHparams } from '../../hparams/laws.js';
import { coordinateCheck, learningRateTransfer, mupTable } from '../../hparams/mup.js';
import { formatNumber } from '../../core/format.js';
import { textTable } from '../../core/table.js';
import { UsageError } from '../../errors/index.js';
import { keyword, parseInteger, parseQuantity } from '../options.js';
import { printJson } from '../output.js';
import { parseList } from './frontier.js';

type Run = (fn: () => Promise<void>, json?: boolean) => Promise<void>;
const f4 = (x: number) => formatNumber(x, 4);

export function registerHparams(program: Command, run: Run): void {
  program
    .command('bcrit')
    .description("critical batch size: Kaplan et al.'s B_crit(L) at a loss, or fitted from runs at several batch sizes (McCandlish et al.'s trade-off)")
    .argument('[file]', 'training curves with run, batch, step and loss columns; or, with --noise, step, batch and grad_sq')
    .option('--loss <loss>', 'target loss for B_crit(L) = B* / L^(1/α_B)')
    .option('--b-star <tokens>', 'B* (default: Kaplan et al. 2020, 2.1e8 tokens)')
    .option('--alpha-b <alpha>', 'α_B (default: Kaplan et al. 2020, 0.21)')
    .option('--targets <list>', 'losses to count steps to (default: five levels the runs reach)')
    .option('--noise', 'FILE holds |G_B|² at two batch sizes per step: estimate the gradient noise scale B_simple')
    .option('--smoothing <w>', 'noise scale: EMA weight on the past', '0.9')
    .option('--columns <list>', 'map fields to columns, e.g. batch=bs,step=iter')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  scalelab bcrit --loss 3\n  scalelab bcrit curves.csv --targets 3.5,3.2\n  scalelab bcrit grads.csv --noise')
    .action(async (file: string | undefined, f: { loss?: string; bStar?: string; alphaB?: string; targets?: string; noise?: boolean; smoothing: string; columns?: string; json?: boolean }) =>
      run(async () => {
        const columns = f.columns ? parseColumnMapping(f.columns) : undefined;
        if (file && f.noise) {
          const ds = readRuns(file, { columns, require: ['batch', 'step', 'gradSq'] });
          const steps = gradientNoiseScale(ds.runs.map((r) => ({ step: r.step!, batch: r.batch!, gradSq: r.gradSq!, line: r.line })), parseQuantity(f.smoothing, '--smoothing', { positive: false }), file);
          if (f.json) return printJson({ source: file, method: 'McCandlish et al. 2018, App. A.1 two-batch estimator', steps });
          process.stdout.write(`Gradient noise scale from ${file} (McCandlish et al. 2018, App. A.1; |G|² and tr Σ smoothed separately, EMA ${f.smoothing}):\n` + textTable(['step', '|G|²', 'tr Σ', 'B_simple'], steps.map((s) => [String(s.step), f4(s.gradSq), f4(s.traceSigma), f4(s.bSimple)])) + '\n');
          return;
        }
        if (file) {
          const ds = readRuns(file, { columns });
          const r = criticalBatchFromRuns(ds, f.targets ? parseList(f.targets, '--targets') : undefined);
          if (f.json) return printJson({ source: file, method: "McCandlish et al. 2018: S = S_min + E_min/B per target loss; B_crit = E_min/S_min", ...r });
          const lines = [
            `Critical batch from ${file} (steps to each target loss regressed on 1/B: S = S_min + E_min/B, B_crit = E_min/S_min):`,
            textTable(['target loss', 'S_min', 'E_min', 'B_crit', 'batch sizes'], r.fits.map((x) => [f4(x.target), f4(x.sMin), f4(x.eMin), f4(x.bCrit), String(x.points.length)])),
          ];
          if (r.law) lines.push(`B_crit(L) = ${f4(r.law.bStar)} / L^(1/${r.law.alphaB.toFixed(3)}) through the targets`);
          const last = r.fits[r.fits.length - 1];
          lines.push(`At the lowest target (${f4(last.target)}), training at B = B_crit takes 2·S_min = ${f4(2 * last.sMin)} steps and 2·E_min = ${f4(2 * last.eMin)} examples.`);
          lines.push(...r.warnings.map((w) => `warning: ${w}`));
          process.stdout.write(lines.join('\n') + '\n');
          return;
        }
        if (!f.loss) throw new UsageError('give --loss L (Kaplan et al.\'s B_crit(L)) or a FILE of runs');
        const loss = parseQuantity(f.loss, '--loss');
        const bStar = f.bStar ? parseQuantity(f.bStar, '--b-star') : kaplanBatchPreset.bStar;
        const alphaB = f.alphaB ? parseQuantity(f.alphaB, '--alpha-b') : kaplanBatchPreset.alphaB;
        const b = criticalBatch(loss, bStar, alphaB);
        const source = f.bStar || f.alphaB ? 'constants given on the command line' : `preset kaplan-2020: ${kaplanBatchPreset.citation}`;
        const tradeoff = batchTradeoff(b);
        if (f.json) return printJson({ loss, bCrit: b, unit: 'tokens', bStar, alphaB, source, tradeoff });
        process.stdout.write(
          `B_crit(L = ${loss}) = ${f4(b)} tokens   [B* / L^(1/α_B), B* = ${formatNumber(bStar, 3)}, α_B = ${alphaB}; ${source}]\n` +
            'Time/compute trade-off (McCandlish et al.: S = S_min(1 + B_crit/B), E = E_min(1 + B/B_crit)):\n' +
            textTable(['batch (tokens)', 'steps / S_min', 'tokens / E_min'], tradeoff.map((t) => [f4(t.batch), f4(t.stepsFactor), f4(t.examplesFactor)])) +
            '\nAt B = B_crit training takes twice the minimum steps and twice the minimum tokens.\n',
        );
      }, f.json),
    );

  program
    .command('hparams')
    .description('learning rate and batch size for a budget: from your sweep (DeepSeek LLM\'s method) or a published law')
    .option('--compute <flops>', 'training budget C')
    .option('--params <n>', 'model size N (for laws in N, e.g. --preset porian-2024)')
    .option('--sweep <file>', 'sweep results: columns C (or N and D), lr, batch, loss')
    .option('--preset <name>', `published law: ${hparamPresets.map((p) => p.id).join(', ')}`, 'deepseek-2024')
    .option('--tolerance <fraction>', 'sweep: near-optimal = loss within this fraction of the best (DeepSeek: 0.0025)', '0.0025')
    .option('--bootstrap <n>', 'sweep: bootstrap replicates for the exponents', '200')
    .option('--seed <seed>', 'bootstrap seed', '0')
    .option('--seq-len <n>', 'sequence length, to express the batch in sequences', '4096')
    .option('--columns <list>', 'map fields to columns, e.g. lr=peak_lr,batch=bs')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  scalelab hparams --compute 1e20\n  scalelab hparams --params 7e9 --preset porian-2024\n  scalelab hparams --compute 1e21 --sweep sweep.csv')
    .action(async (f: { compute?: string; params?: string; sweep?: string; preset: string; tolerance: string; bootstrap: string; seed: string; seqLen: string; columns?: string; json?: boolean }) =>
      run(async () => {
        const C = f.compute ? parseQuantity(f.compute, '--compute') : undefined;
        const N = f.params ? parseQuantity(f.params, '--params') : undefined;
        const seqLen = parseInteger(f.seqLen, '--seq-len', 1);
        if (f.sweep) {
          if (C === undefined) throw new UsageError('--sweep fits laws in C: give --compute');
          const ds = readRuns(f.sweep, { columns: f.columns ? parseColumnMapping(f.columns) : undefined });
          const replicates = parseInteger(f.bootstrap, '--bootstrap', 0);
          const fitted = fitHparamLaws(ds, { tolerance: parseQuantity(f.tolerance, '--tolerance'), bootstrap: replicates > 1 ? { replicates, seed: parseInteger(f.seed, '--seed', 0), level: 0.95 } : undefined });
          const lr = evaluate(fitted.lr, C), batch = evaluate(fitted.batch, C);
          const out = { compute: C, learningRate: lr, batchTokens: batch, batchSequences: batch / seqLen, source: `fitted to ${f.sweep} (DeepSeek LLM's method, near-optimal within ${fitted.tolerance})`, laws: fitted };
          if (f.json) return printJson(out);
          process.stdout.write(
            [
              `From the sweep ${f.sweep} (${fitted.budgets.length} budgets; near-optimal = loss within ${(fitted.tolerance * 100).toFixed(2)} % of the best):`,
              textTable(['budget C', 'runs', 'near-optimal', 'best loss', 'η centre', 'B centre'], fitted.budgets.map((b) => [formatNumber(b.C, 3), String(b.runs), String(b.nearOptimal), f4(b.bestLoss), f4(b.learningRate), f4(b.batch)])),
              `η_opt = ${f4(fitted.lr.coefficient)}·C^${fitted.lr.exponent.toFixed(4)}${fitted.lr.interval ? ` (exponent 95 % [${fitted.lr.interval[0].toFixed(3)}, ${fitted.lr.interval[1].toFixed(3)}])` : ''}`,
              `B_opt = ${f4(fitted.batch.coefficient)}·C^${fitted.batch.exponent.toFixed(4)}${fitted.batch.interval ? ` (exponent 95 % [${fitted.batch.interval[0].toFixed(3)}, ${fitted.batch.interval[1].toFixed(3)}])` : ''}`,
              `At C = ${formatNumber(C, 3)}: learning rate ${f4(lr)}, batch ${f4(batch)} (${f4(batch / seqLen)} sequences of ${seqLen})`,
              ...fitted.warnings.map((w) => `warning: ${w}`),
            ].join('\n') + '\n',
          );
          return;
        }
        const preset = hparamPreset(f.preset);
        const p = predictHparams(preset, { C, N }, seqLen);
        if (f.json) return printJson({ ...p, preset: preset.id, note: preset.note });
        process.stdout.write(
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
    .option('--json', 'print JSON (for a training script)')
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
        if (f.json) return printJson(t);
        const v = (x: number | null) => (x === null ? '–' : formatNumber(x, 4));
        process.stdout.write(
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
    .option('--bootstrap <n>', 'replicates for the slope interval', '200')
    .option('--seed <seed>', 'bootstrap seed', '0')
    .option('--columns <list>', 'map fields to columns, e.g. width=d_model,lr=peak_lr')
    .option('--json', 'print JSON')
    .action(async (file: string, f: { bootstrap: string; seed: string; columns?: string; json?: boolean }) =>
      run(async () => {
        const ds = readRuns(file, { columns: f.columns ? parseColumnMapping(f.columns) : undefined });
        const replicates = parseInteger(f.bootstrap, '--bootstrap', 0);
        const r = learningRateTransfer(ds, replicates > 1 ? { replicates, seed: parseInteger(f.seed, '--seed', 0), level: 0.95 } : undefined);
        if (f.json) return printJson({ source: file, ...r });
        process.stdout.write(
          textTable(['width', 'optimal η', 'loss there', 'runs'], r.widths.map((w) => [String(w.width), f4(w.learningRate), f4(w.loss), String(w.runs)])) +
            `\nslope of ln η* against ln width: ${r.slope.toFixed(3)}${r.interval ? ` (95 % [${r.interval[0].toFixed(3)}, ${r.interval[1].toFixed(3)}])` : ''}\n${r.verdict}\n` +
            r.warnings.map((w) => `warning: ${w}\n`).join(''),
        );
      }, f.json),
    );
  mup
    .command('coord')
    .description('coordinate check: which layers\' activations grow with width (CSV: layer, width, value)')
    .argument('<file>', 'mean |activation| per layer and width after a few steps')
    .option('--threshold <slope>', 'a slope of ln |a| against ln width above this flags the layer', '0.2')
    .option('--json', 'print JSON')
    .action(async (file: string, f: { threshold: string; json?: boolean }) =>
      run(async () => {
        const rows = parseTable(readText(file), file, { numbers: ['width', 'value'] as const, text: ['layer'] as const });
        const r = coordinateCheck(rows, parseQuantity(f.threshold, '--threshold', { positive: false }), file);
        if (f.json) return printJson({ source: file, ...r });
        const grows = r.layers.filter((l) => l.grows);
        process.stdout.write(
          textTable(['layer', 'slope', 'grows with width'], r.layers.map((l) => [l.layer, l.slope.toFixed(3), l.grows ? 'YES' : 'no'])) +
            `\n${grows.length ? `${grows.length} layer${grows.length === 1 ? '' : 's'} grow with width: ${grows.map((l) => l.layer).join(', ')}` : 'no layer grows with width: the parametrisation looks right'}\n`,
        );
      }, f.json),
    );
}
