import type { Command } from 'commander';
import { makePlan, type Plan, type PlanHyperparameters } from '../../analyses/plan.js';
import { accelerator, hardwareBudget, type Accelerator, type HardwareBudget } from '../../hardware/catalog.js';
import { formatNumber } from '../../core/format.js';
import { textTable } from '../../core/table.js';
import { FitError, UsageError } from '../../errors/index.js';
import type { ShapeCandidate } from '../../model/shapeSearch.js';
import { keyword, parseInteger, parseQuantity } from '../options.js';
import { printResult, writeResult } from '../output.js';
import { defaultGpu, flag } from '../flags.js';
import { checkAllocatable, lawFlagsHelp, lawSourceError, resolveLaw, type LawSource } from '../lawSource.js';
import { fitHparamLaws, hparamPreset, hparamPresets, predictHparams } from '../../hparams/laws.js';
import { kaplanBatchPreset } from '../../hparams/criticalBatch.js';
import { readRuns } from '../../io/readRuns.js';
import { parseColumnMapping } from '../../io/parseRuns.js';
import { loadCatalog } from '../../catalog/load.js';
import { findModel, placeOnFrontier, type FrontierPlacement } from '../../catalog/models.js';
import type { Law } from '../../laws/law.js';

interface PlanFlags {
  compute?: string;
  gpus?: string;
  gpu?: string;
  peakFlops?: string;
  days?: string;
  mfu: string;
  price?: string;
  fit?: string;
  preset?: string;
  law?: string;
  params?: string;
  inferenceTokens?: string;
  uniqueTokens?: string;
  compare?: string;
  targetLoss?: string;
  qualityOf?: string;
  vocab: string;
  seqLen: string;
  mlp: string;
  hparamsPreset: string;
  sweep?: string;
  sweepColumns?: string;
  sweepBootstrap: string;
  seed: string;
  json?: boolean;
}

export function describeShape(c: ShapeCandidate): string {
  const s = c.shape;
  const kv = s.nKvHeads !== undefined && s.nKvHeads !== s.nHeads ? ` (${s.nKvHeads} KV heads)` : '';
  return `${s.nLayer} layers × d_model ${s.dModel}, ${s.nHeads} heads of ${s.headDim}${kv}, d_ff ${s.dFf} (${s.mlp}), vocab ${s.vocab} → ${formatNumber(c.parameters.total, 4)} parameters (${formatNumber(c.parameters.nonEmbedding, 4)} non-embedding), d_model/n_layer ${c.aspectRatio.toFixed(0)}`;
}

const ci = (v: number, interval?: [number, number], digits = 4) => `${formatNumber(v, digits)}${interval ? `   [${formatNumber(interval[0], 3)}, ${formatNumber(interval[1], 3)}]` : ''}`;

export function planReport(plan: Plan): string {
  const lines: string[] = [];
  const hw = plan.hardware;
  lines.push(
    `Plan for ${formatNumber(plan.compute, 4)} training FLOPs${
      hw ? `: ${hw.gpus} × ${hw.accelerator.name} for ${hw.days} days at MFU ${hw.mfu} (${formatNumber(hw.gpuHours, 4)} GPU-hours${hw.cost !== undefined ? `, cost ${formatNumber(hw.cost, 4)} at ${hw.pricePerGpuHour} per GPU-hour` : ''})` : ''
    }`,
  );
  lines.push(`Law: ${plan.law.formula}; ${plan.law.provenance}`);
  lines.push(`     ${Object.entries(plan.law.params).map(([k, v]) => `${k} = ${formatNumber(v)}`).join(', ')}`, '');
  const r = plan.recommendation;
  const interval = r.replicates ? `, ${Math.round(r.level * 100)} % intervals from ${r.replicates} bootstrap replicates` : ' (no intervals: the law has no bootstrap replicates; use --fit with a fit made with --bootstrap)';
  lines.push(`Recommended: the compute-optimal model${interval}`);
  lines.push(`  parameters N       ${ci(r.N, r.intervals.N)}`);
  lines.push(`  tokens D           ${ci(r.D, r.intervals.D)}`);
  lines.push(`  tokens/parameter   ${formatNumber(r.tokensPerParameter, 4)}`);
  lines.push(`  predicted loss     ${ci(r.loss, r.intervals.loss)}`);
  if (r.shape) lines.push(`  shape              ${describeShape(r.shape)}`);
  if (r.flopsPerToken) {
    lines.push(`  FLOPs per token    6N ${formatNumber(r.flopsPerToken.sixN, 4)}; Kaplan (non-embedding + attention) ${formatNumber(r.flopsPerToken.kaplan, 4)}; Chinchilla App. F ${formatNumber(r.flopsPerToken.chinchilla, 4)}`);
  }
  if (r.days !== undefined) lines.push(`  wall-clock         ${r.days.toFixed(1)} days`);
  if (r.hyperparameters) {
    const h = r.hyperparameters;
    const iv = (x?: [number, number]) => (x ? ` [95 % ${formatNumber(x[0], 3)}, ${formatNumber(x[1], 3)}]` : '');
    lines.push(`  learning rate      ${formatNumber(h.learningRate, 3)}${iv(h.learningRateInterval)}; batch ${formatNumber(h.batchTokens, 3)}${iv(h.batchInterval)} tokens   [${h.source}]`);
  }
  if (r.criticalBatch) {
    const b = r.criticalBatch;
    lines.push(`  critical batch     B_crit(L = ${formatNumber(b.loss, 4)}) = ${formatNumber(b.bCrit, 3)} tokens at the predicted loss   [B*/L^(1/α_B), B* = ${formatNumber(b.bStar, 3)}, α_B = ${b.alphaB}; ${b.source}]`);
    const t = b.atRecommendedBatch;
    lines.push(
      `  batch trade-off    at B = B_crit: 2·S_min steps and 2·E_min tokens (McCandlish et al. 2018)` +
        (t ? `; at the recommended batch (${formatNumber(t.ratio, 3)}·B_crit): ${formatNumber(t.stepsFactor, 3)}·S_min steps (${formatNumber(t.steps, 3)} of S_min ${formatNumber(t.minSteps, 3)}) and ${formatNumber(t.tokensFactor, 3)}·E_min tokens (E_min ${formatNumber(t.minTokens, 3)})` : ''),
    );
    if (b.note) lines.push(`                     note: ${b.note}`);
  }
  lines.push('', 'For contrast, the same budget under the same law:');
  lines.push(
    textTable(
      ['allocation', 'N', 'D', 'D/N', 'loss'],
      [
        ['compute-optimal (recommended)', formatNumber(r.N, 4), formatNumber(r.D, 4), formatNumber(r.tokensPerParameter, 3), formatNumber(r.loss, 5)],
        ...plan.alternatives.map((a) => [a.rule, formatNumber(a.N, 4), formatNumber(a.D, 4), formatNumber(a.tokensPerParameter, 3), formatNumber(a.loss!, 5)]),
      ],
    ),
  );
  const inf = plan.inference;
  if (inf) {
    lines.push('', `Inference-aware (Sardana et al. 2024), ${formatNumber(inf.inferenceTokens, 4)} inference tokens, target loss ${formatNumber(inf.targetLoss, 5)} (${inf.targetFrom}):`);
    lines.push(
      textTable(
        ['model', 'N', 'D', 'D/N', 'training FLOPs', 'inference FLOPs', 'total FLOPs'],
        [
          ['lifetime-optimal', formatNumber(inf.optimal.N, 4), formatNumber(inf.optimal.D, 4), formatNumber(inf.optimal.tokensPerParameter, 4), formatNumber(inf.optimal.trainingFlops, 4), formatNumber(inf.optimal.inferenceFlops, 4), formatNumber(inf.optimal.totalFlops, 4)],
          ['compute-optimal, same loss', formatNumber(inf.computeOptimal.N, 4), formatNumber(inf.computeOptimal.D, 4), formatNumber(inf.computeOptimal.tokensPerParameter, 4), formatNumber(inf.computeOptimal.trainingFlops, 4), formatNumber(inf.computeOptimal.inferenceFlops, 4), formatNumber(inf.computeOptimal.totalFlops, 4)],
        ],
      ),
    );
    lines.push(`  over-trained: ${formatNumber(inf.sizeRatio, 3)}× the parameters on ${formatNumber(inf.dataRatio, 3)}× the data; lifetime FLOPs ${inf.flopsSaved >= 0 ? 'saved' : 'added'}: ${(Math.abs(inf.flopsSaved) * 100).toFixed(1)} %`);
    if (inf.shape) lines.push(`  shape: ${describeShape(inf.shape)}`);
    if (inf.days !== undefined) lines.push(`  wall-clock: ${inf.days.toFixed(1)} days of training`);
  }
  lines.push('', 'Assumptions:', ...plan.assumptions.map((a) => `  - ${a}`));
  if (plan.warnings.length) lines.push('Warnings:', ...plan.warnings.map((w) => `  - ${w}`));
  return lines.join('\n');
}

function placeModels(list: string, law: Law, params: Record<string, number>): FrontierPlacement[] {
  const catalog = loadCatalog();
  return list.split(',').map((n) => n.trim()).filter(Boolean).map((n) => placeOnFrontier(findModel(catalog, n), law, params));
}

export function landmarksReport(rows: FrontierPlacement[]): string {
  return (
    'Published models against this frontier (the Chinchilla paper\'s first figure):\n' +
    textTable(
      ['model', 'source', 'N', 'D', 'C = 6ND', 'N_opt(C)', 'N/N_opt', 'D/N (optimal)', 'verdict', 'status'],
      rows.map((r) => [r.name, r.cite, formatNumber(r.N, 3), formatNumber(r.D, 3), formatNumber(r.C, 3), formatNumber(r.optimalN, 3), r.sizeRatio.toFixed(2), `${r.tokensPerParameter.toFixed(1)} (${r.optimalTokensPerParameter.toFixed(1)})`, r.verdict.split(':')[0], r.status]),
    )
  );
}

function hyperparameterSource(flags: PlanFlags): (at: { C: number; N: number }) => PlanHyperparameters {
  if (flags.sweep) {
    const sweep = readRuns(flags.sweep, { columns: flags.sweepColumns ? parseColumnMapping(flags.sweepColumns) : undefined });
    const replicates = parseInteger(flags.sweepBootstrap, '--sweep-bootstrap', 2);
    const seed = parseInteger(flags.seed, '--seed', 0);
    return ({ C }) => {
      const fitted = fitHparamLaws(sweep, { variable: 'C', at: C, bootstrap: { replicates, seed, level: 0.95 } });
      const p = fitted.prediction!;
      return {
        learningRate: p.learningRate,
        batchTokens: p.batch,
        learningRateInterval: p.learningRateInterval,
        batchInterval: p.batchInterval,
        source: `fitted to your sweep ${flags.sweep} (DeepSeek LLM's method: η = ${formatNumber(fitted.lr.coefficient, 4)}·C^${fitted.lr.exponent.toFixed(4)}, B = ${formatNumber(fitted.batch.coefficient, 4)}·C^${fitted.batch.exponent.toFixed(4)} over ${fitted.budgets.length} budgets; 95 % intervals from ${replicates} bootstrap resamples, seed ${seed})${fitted.warnings.length ? `; ${fitted.warnings.join('; ')}` : ''}`,
      };
    };
  }
  const preset = hparamPreset(flags.hparamsPreset);
  return ({ C, N }) => {
    const p = predictHparams(preset, { C, N });
    return { learningRate: p.learningRate, batchTokens: p.batchTokens, source: `${p.source}${preset.variable === 'C' ? '; their C counts non-embedding FLOPs with attention, here C = 6ND' : '; their N excludes embeddings'}` };
  };
}

/** makePlan, with a law that cannot allocate the budget reported against its fit file or --params. */
function planFrom(source: LawSource, input: Parameters<typeof makePlan>[0]): Plan {
  try {
    return makePlan(input);
  } catch (e) {
    if (e instanceof FitError) throw lawSourceError(source, ['params'], e.message);
    throw e;
  }
}

export function registerPlan(program: Command, run: (fn: () => Promise<void>, json?: boolean) => Promise<void>): void {
  program
    .command('plan')
    .description('recommend the big run for a compute budget or a cluster: N, D, shape, predicted loss, time')
    .addOption(flag('compute', { detail: 'the budget (instead of --gpus/--days)' }))
    .option('--gpus <n>', 'number of accelerators')
    .addOption(flag('gpu', { default: defaultGpu }))
    .addOption(flag('peak-flops'))
    .option('--days <days>', 'training time')
    .addOption(flag('mfu', { default: '0.4' }))
    .option('--price <per-gpu-hour>', 'price per GPU-hour, for the cost')
    .addOption(flag('fit', { detail: 'the law to plan with (its bootstrap replicates give intervals)' }))
    .addOption(flag('preset', { detail: 'the law to plan with (default: epoch-2024)' }))
    .addOption(flag('law', { detail: 'with --params' }))
    .addOption(flag('params'))
    .option('--compare <models>', 'place published models on the frontier of the law, e.g. llama-3-70b,chinchilla-70b (names: scalelab models)')
    .addOption(flag('unique-tokens', { detail: 'with a data-constrained law, e.g. --preset muennighoff-2023' }))
    .option('--inference-tokens <tokens>', 'lifetime inference tokens: adds the inference-aware (over-trained) model')
    .addOption(flag('target-loss', { detail: 'inference-aware' }))
    .option('--quality-of <params>', 'inference-aware: reach the loss of a compute-optimal model of this size (e.g. 3e10)')
    .addOption(flag('vocab', { detail: 'of the shape', default: '32000' }))
    .addOption(flag('seq-len', { detail: 'the context, for the shape and FLOPs', default: '4096' }))
    .addOption(flag('mlp', { default: 'gated' }))
    .option('--hparams-preset <name>', `learning-rate and batch law: ${hparamPresets.map((p) => p.id).join(', ')}`, 'deepseek-2024')
    .addOption(flag('sweep', { detail: 'its learning rate and batch instead of a preset\'s, with bootstrap intervals' }))
    .option('--sweep-columns <list>', 'with --sweep: map fields to its columns, e.g. lr=peak_lr,batch=bs')
    .option('--sweep-bootstrap <n>', 'with --sweep: bootstrap replicates for the η and B intervals', '200')
    .addOption(flag('seed', { detail: 'with --sweep', default: '0' }))
    .addOption(flag('json'))
    .addHelpText(
      'after',
      `
The law: ${lawFlagsHelp}.
Examples:
  scalelab plan --gpus 10000 --gpu h100 --days 30 --mfu 0.4
  scalelab plan --compute 1e25 --fit fit.json --inference-tokens 1e13
  scalelab plan --compute 5.76e23 --preset sardana-2024 --quality-of 3e10 --inference-tokens 1e13`,
    )
    .action(async (flags: PlanFlags) =>
      run(async () => {
        const source = resolveLaw(flags, 'epoch-2024');
        checkAllocatable(source);
        let acc: Accelerator = accelerator(flags.gpu ?? defaultGpu);
        if (flags.peakFlops) acc = { ...acc, id: `${acc.id}*`, name: `${acc.name} (peak overridden)`, peakFlops: parseQuantity(flags.peakFlops, '--peak-flops'), source: '--peak-flops on the command line' };
        const mfu = parseQuantity(flags.mfu, '--mfu');
        let compute: number;
        let hardware: HardwareBudget | undefined;
        let cluster;
        const gpus = flags.gpus ? parseInteger(flags.gpus, '--gpus', 1) : undefined;
        if (flags.compute) {
          if (flags.days) throw new UsageError('give either --compute or --days (with --gpus), not both');
          compute = parseQuantity(flags.compute, '--compute');
          if (gpus) cluster = { gpus, accelerator: acc, mfu };
        } else {
          if (!gpus || !flags.days) throw new UsageError('give the budget: --compute FLOPS, or --gpus N --days D (with --gpu and --mfu)');
          hardware = hardwareBudget(gpus, acc, mfu, parseQuantity(flags.days, '--days'), flags.price ? parseQuantity(flags.price, '--price') : undefined);
          compute = hardware.flops;
        }
        const inference = flags.inferenceTokens
          ? {
              tokens: parseQuantity(flags.inferenceTokens, '--inference-tokens', { positive: false }),
              targetLoss: flags.targetLoss ? parseQuantity(flags.targetLoss, '--target-loss') : undefined,
              qualityOf: flags.qualityOf ? parseQuantity(flags.qualityOf, '--quality-of') : undefined,
            }
          : undefined;
        if (!inference && (flags.targetLoss || flags.qualityOf)) throw new UsageError('--target-loss and --quality-of need --inference-tokens');
        if (inference?.targetLoss !== undefined && inference.qualityOf !== undefined) throw new UsageError('give --target-loss or --quality-of, not both');
        const plan = planFrom(source, {
          compute,
          hardware,
          cluster,
          law: source.law,
          params: source.params,
          replicates: source.replicates,
          level: source.level,
          provenance: source.provenance,
          ranges: source.ranges,
          shape: {
            vocab: parseInteger(flags.vocab, '--vocab', 1),
            seqLen: parseInteger(flags.seqLen, '--seq-len', 1),
            mlp: keyword(flags.mlp, '--mlp', ['gated', 'plain'] as const),
          },
          inference,
          hyperparameters: hyperparameterSource(flags),
          criticalBatch: {
            bStar: kaplanBatchPreset.bStar,
            alphaB: kaplanBatchPreset.alphaB,
            source: `preset ${kaplanBatchPreset.id}: ${kaplanBatchPreset.citation}`,
            note: `Kaplan's L is ${kaplanBatchPreset.note.replace(/^L is /, '')}; the predicted loss here is on this law's data, so B_crit is indicative`,
          },
          uniqueTokens: flags.uniqueTokens ? parseQuantity(flags.uniqueTokens, '--unique-tokens') : undefined,
        });
        const landmarks = flags.compare ? placeModels(flags.compare, source.law, source.params) : undefined;
        const where = source.origin && 'file' in source.origin ? source.origin.file : undefined;
        if (flags.json) printResult({ ...plan, ...(landmarks ? { landmarks } : {}) }, where);
        else writeResult(planReport(plan) + '\n' + (landmarks ? landmarksReport(landmarks) + '\n' : ''), where);
      }, flags.json),
    );
}
