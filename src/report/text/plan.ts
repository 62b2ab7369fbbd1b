/**
 * A plan for the big run as text: the recommendation with its intervals, the allocations it beats,
 * the inference-aware model, assumptions and warnings; and published models placed on the
 * frontier. Pure (data in, string out).
 */
import { formatInterval, formatNumber } from '../../core/format.js';
import { textTable } from '../../core/table.js';
import type { Plan } from '../../analyses/plan.js';
import type { ShapeCandidate } from '../../model/shapeSearch.js';
import type { FrontierPlacement, NearbyModel } from '../../catalog/models.js';
import { libraryOption, type OptionNamer } from '../../errors/index.js';

function describeShape(c: ShapeCandidate): string {
  const s = c.shape;
  const kv = s.nKvHeads !== undefined && s.nKvHeads !== s.nHeads ? ` (${s.nKvHeads} KV heads)` : '';
  return `${s.nLayer} layers × d_model ${s.dModel}, ${s.nHeads} heads of ${s.headDim}${kv}, d_ff ${s.dFf} (${s.mlp}), vocab ${s.vocab} → ${formatNumber(c.parameters.total, 4)} parameters (${formatNumber(c.parameters.nonEmbedding, 4)} non-embedding), d_model/n_layer ${c.aspectRatio.toFixed(0)}`;
}

/** The columns of a shape search's table, as `scalelab shape` prints it and the web app's shape panel shows it. */
export const shapeTableHeader = [
  'rank',
  'n_layer',
  'd_model',
  'heads',
  'head_dim',
  'kv_heads',
  'd_ff',
  'params',
  'non-emb',
  'error',
  'd/L',
] as const;

/** One row a candidate, its cells under `shapeTableHeader` (rank first): the CLI and the web app write the same. */
export function shapeTableRows(candidates: readonly ShapeCandidate[]): string[][] {
  return candidates.map((c, i) => [
    String(i + 1),
    String(c.shape.nLayer),
    String(c.shape.dModel),
    String(c.shape.nHeads),
    String(c.shape.headDim),
    String(c.shape.nKvHeads),
    String(c.shape.dFf),
    formatNumber(c.parameters.total, 4),
    formatNumber(c.parameters.nonEmbedding, 4),
    `${(c.error * 100).toFixed(2)} %`,
    c.aspectRatio.toFixed(0),
  ]);
}

/** The published models nearest a shape search's target, as `shape` lists them under its table (and the web app's shape panel). */
export function nearestPublishedText(models: readonly NearbyModel[]): string {
  return `nearest published models: ${models.map((m) => `${m.name} (${m.nLayer} × ${m.dModel}, d/L ${m.aspectRatio.toFixed(0)}, ${m.cite}, ${m.status})`).join('; ')}`;
}

const ci = (v: number, interval?: [number, number], digits = 4) =>
  `${formatNumber(v, digits)}${interval ? `   ${formatInterval(interval, 3)}` : ''}`;

/**
 * The cluster a budget comes from, as plan's first line says it: GPUs, accelerator, days, MFU (each
 * marked "(default)" where nobody typed it), GPU-hours and cost. Undefined for a budget in FLOPs.
 */
export function planHardware(plan: Plan): string | undefined {
  const hw = plan.hardware;
  if (!hw) return undefined;
  return `${hw.gpus} × ${hw.accelerator.name}${plan.assumed?.accelerator ? ' (default)' : ''} for ${hw.days} day${hw.days === 1 ? '' : 's'} at MFU ${hw.mfu}${plan.assumed?.mfu ? ' (default)' : ''} (${formatNumber(hw.gpuHours, 4)} GPU-hours${hw.cost !== undefined ? `, cost ${formatNumber(hw.cost, 4)} at ${hw.pricePerGpuHour} per GPU-hour` : ''})`;
}

/**
 * How the recommended run trains, as plan prints it (label, text): wall-clock time, learning rate and
 * batch with their source, the critical batch and the batch trade-off. The report's plan section shows
 * the same lines.
 */
export function planTrainingLines(plan: Plan): [label: string, text: string][] {
  const r = plan.recommendation;
  const lines: [string, string][] = [];
  if (r.days !== undefined) lines.push(['wall-clock', `${r.days.toFixed(1)} days`]);
  if (r.hyperparameters) {
    const h = r.hyperparameters;
    const iv = (x?: [number, number]) => (x ? ` ${formatInterval(x, 3, '95 % ')}` : '');
    lines.push([
      'learning rate',
      `${formatNumber(h.learningRate, 3)}${iv(h.learningRateInterval)}; batch ${formatNumber(h.batchTokens, 3)}${iv(h.batchInterval)} tokens   [${h.source}]`,
    ]);
  }
  if (r.criticalBatch) {
    const b = r.criticalBatch;
    lines.push([
      'critical batch',
      `B_crit(L = ${formatNumber(b.loss, 4)}) = ${formatNumber(b.bCrit, 3)} tokens at the predicted loss   [B*/L^(1/α_B), B* = ${formatNumber(b.bStar, 3)}, α_B = ${b.alphaB}; ${b.source}]`,
    ]);
    const t = b.atRecommendedBatch;
    lines.push([
      'batch trade-off',
      `at B = B_crit: 2·S_min steps and 2·E_min tokens (McCandlish et al. 2018)` +
        (t
          ? `; at the recommended batch (${formatNumber(t.ratio, 3)}·B_crit): ${formatNumber(t.stepsFactor, 3)}·S_min steps (${formatNumber(t.steps, 3)} of S_min ${formatNumber(t.minSteps, 3)}) and ${formatNumber(t.tokensFactor, 3)}·E_min tokens (E_min ${formatNumber(t.minTokens, 3)})`
          : ''),
    ]);
    if (b.note) lines.push(['', `note: ${b.note}`]);
  }
  return lines;
}

export function planReport(plan: Plan, name: OptionNamer = libraryOption): string {
  const lines: string[] = [];
  const hw = planHardware(plan);
  lines.push(`Plan for ${formatNumber(plan.compute, 4)} training FLOPs${hw ? `: ${hw}` : ''}`);
  lines.push(`Law: ${plan.law.formula}; ${plan.law.provenance}`);
  lines.push(
    `     ${Object.entries(plan.law.params)
      .map(([k, v]) => `${k} = ${formatNumber(v)}`)
      .join(', ')}`,
    '',
  );
  const r = plan.recommendation;
  const interval = r.replicates
    ? `, ${Math.round(r.level * 100)} % intervals from ${r.replicates} bootstrap replicates`
    : ` (no intervals: the law has no bootstrap replicates; use ${name('fit')} with a fit made with ${name('bootstrap')})`;
  lines.push(`Recommended: the compute-optimal model${interval}`);
  lines.push(`  N and D from       ${r.allocationSource}`);
  lines.push(`  parameters N       ${ci(r.N, r.intervals.N)}`);
  lines.push(`  tokens D           ${ci(r.D, r.intervals.D)}`);
  lines.push(`  tokens/parameter   ${formatNumber(r.tokensPerParameter, 4)}`);
  lines.push(
    `  predicted loss     ${ci(r.loss, r.intervals.loss)}${r.forRun ? `   (the law above${r.intervals.loss ? `; its interval: that law's own ${r.replicates} replicates alone, no run scatter` : ''})` : ''}`,
  );
  if (r.forRun) {
    const f = r.forRun;
    const mean =
      f.members.length > 1
        ? `the mean of ${f.members.length} candidates' ln L̂ (${f.members.map((m) => `${m.id} ${formatNumber(m.value, 4)}`).join(', ')})`
        : 'the law';
    lines.push(
      `  for a new run      ${ci(f.loss, f.interval)}   (as predict gives it: ${mean}${f.interval ? `, with a ${Math.round(f.level * 100)} % prediction interval for one run` : ''})`,
    );
  }
  if (r.shape) lines.push(`  shape              ${describeShape(r.shape)}`);
  if (r.flopsPerToken) {
    lines.push(
      `  FLOPs per token    6N ${formatNumber(r.flopsPerToken.sixN, 4)}; Kaplan (non-embedding + attention) ${formatNumber(r.flopsPerToken.kaplan, 4)}; Chinchilla App. F ${formatNumber(r.flopsPerToken.chinchilla, 4)}`,
    );
  }
  for (const [label, text] of planTrainingLines(plan)) lines.push(`  ${label.padEnd(18)} ${text}`);
  lines.push('', 'For contrast, the same budget under the same law:');
  lines.push(
    textTable(
      ['allocation', 'N', 'D', 'D/N', 'loss'],
      [
        [
          'compute-optimal (recommended)',
          formatNumber(r.N, 4),
          formatNumber(r.D, 4),
          formatNumber(r.tokensPerParameter, 3),
          formatNumber(r.loss, 5),
        ],
        ...plan.alternatives.map((a) => [
          a.rule,
          formatNumber(a.N, 4),
          formatNumber(a.D, 4),
          formatNumber(a.tokensPerParameter, 3),
          formatNumber(a.loss!, 5),
        ]),
      ],
    ),
  );
  // Each rule of thumb with where it comes from, as the JSON's `alternatives[].citation` has it.
  for (const a of plan.alternatives) lines.push(`  ${a.rule.split(',')[0]}: ${a.citation}`);
  const inf = plan.inference;
  if (inf) {
    lines.push(
      '',
      `Inference-aware (Sardana et al. 2024), ${formatNumber(inf.inferenceTokens, 4)} inference tokens, target loss ${formatNumber(inf.targetLoss, 5)} (${inf.targetFrom}):`,
    );
    lines.push(
      textTable(
        ['model', 'N', 'D', 'D/N', 'training FLOPs', 'inference FLOPs', 'total FLOPs'],
        [
          [
            'lifetime-optimal',
            formatNumber(inf.optimal.N, 4),
            formatNumber(inf.optimal.D, 4),
            formatNumber(inf.optimal.tokensPerParameter, 4),
            formatNumber(inf.optimal.trainingFlops, 4),
            formatNumber(inf.optimal.inferenceFlops, 4),
            formatNumber(inf.optimal.totalFlops, 4),
          ],
          [
            'compute-optimal, same loss',
            formatNumber(inf.computeOptimal.N, 4),
            formatNumber(inf.computeOptimal.D, 4),
            formatNumber(inf.computeOptimal.tokensPerParameter, 4),
            formatNumber(inf.computeOptimal.trainingFlops, 4),
            formatNumber(inf.computeOptimal.inferenceFlops, 4),
            formatNumber(inf.computeOptimal.totalFlops, 4),
          ],
        ],
      ),
    );
    lines.push(
      `  over-trained: ${formatNumber(inf.sizeRatio, 3)}× the parameters on ${formatNumber(inf.dataRatio, 3)}× the data; lifetime FLOPs ${inf.flopsSaved >= 0 ? 'saved' : 'added'}: ${(Math.abs(inf.flopsSaved) * 100).toFixed(1)} %`,
    );
    if (inf.shape) lines.push(`  shape: ${describeShape(inf.shape)}`);
    if (inf.days !== undefined) lines.push(`  wall-clock: ${inf.days.toFixed(1)} days of training`);
  }
  lines.push('', 'Assumptions:', ...plan.assumptions.map((a) => `  - ${a}`));
  // Each with its grade, as predict prints its warnings (severe: …, warning: …).
  if (plan.warnings.length) lines.push('Warnings:', ...plan.warnings.map((w) => `  - ${w.severity}: ${w.message}`));
  return lines.join('\n');
}

export function landmarksReport(rows: FrontierPlacement[]): string {
  return (
    "Published models against this frontier (the Chinchilla paper's first figure):\n" +
    textTable(
      ['model', 'source', 'N', 'D', 'C = 6ND', 'N_opt(C)', 'N/N_opt', 'D/N (optimal)', 'verdict', 'status'],
      rows.map((r) => [
        r.name,
        r.cite,
        formatNumber(r.N, 3),
        formatNumber(r.D, 3),
        formatNumber(r.C, 3),
        formatNumber(r.optimalN, 3),
        r.sizeRatio.toFixed(2),
        `${r.tokensPerParameter.toFixed(1)} (${r.optimalTokensPerParameter.toFixed(1)})`,
        r.verdict.split(':')[0],
        r.status,
      ]),
    )
  );
}
