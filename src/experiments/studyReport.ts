/**
 * The study's report: what was run, what was fitted, what is recommended and — on a simulated
 * world — how far the recommendation is from the world's true optimum (the regret). Pure.
 */
import { formatInterval, formatNumber, formatRange } from '../core/format.js';
import { textTable } from '../core/table.js';
import type { StudyResult } from './study.js';
import { APPROACH2_RESAMPLED, approachSummary } from '../analyses/frontier.js';
import { optimum, truth } from '../lab/simulate.js';
import type { World } from '../lab/world.js';
import { escapeHtml, htmlTable } from '../core/html.js';
import { divergedProbeNote, sweepOutcome } from './outcome.js';
import { libraryOption, renameOptions, type OptionNamer } from '../errors/index.js';
import { kaplanBatchPreset } from '../hparams/criticalBatch.js';

export interface StudyTruth {
  recommendedLoss: number;
  optimumLoss: number;
  optimumConfig: Record<string, unknown>;
  regret: number;
  predictionError: number;
}

export interface StudySummary {
  study: string;
  backend: string;
  targetHours: number;
  experimentHours: number;
  result: StudyResult;
  truth?: StudyTruth;
  costModel: string;
}

/**
 * The study's summary: its result and setting, and on a simulated world (`world`) the truth the
 * recommendation is judged against: its true loss, the true optimum for the target hours, the regret.
 */

/**
 * Where the recommended run's batch and learning rate come from, in one sentence: the batch from
 * Kaplan et al.'s B_crit(L) with the caps that bound it, the learning rate from the probe. Without it
 * the batch was a number no part of the report explained.
 */
function recommendationSources(rec: StudyResult['recommendation']): string {
  const b = rec.batchRule;
  const lr = `Learning rate: the probe's best η (above), carried to the target's width by muP.`;
  if (!b) return lr;
  const k = kaplanBatchPreset;
  let batch = `Batch: ${b.prior} tokens from Kaplan et al. 2020's critical batch B_crit(L)/4 at the law's loss ${formatNumber(b.loss, 4)} (B_crit = B*/L^(1/α_B), B* = ${formatNumber(k.bStar, 3)} tokens, α_B = ${k.alphaB}, Table 5), a power of two of sequences, at most 1 % of the tokens`;
  if (b.cap !== undefined) batch += `; capped at ${b.cap} tokens, 4× the sweep's largest batch`;
  if (b.minSteps !== undefined)
    batch += `; halved to ${rec.config.batch_tokens} so the run takes at least the ${formatNumber(b.minSteps, 4)} optimizer steps of the largest budget's best run`;
  return `${batch}. ${lr}`;
}

/** Hours spent, said as simulated on the sim backend (its cost model's hours; the sweep took seconds). */
function spentText(s: StudySummary): string {
  const h = (s.result.spentSeconds / 3600).toFixed(2);
  return s.backend === 'sim' ? `${h} simulated h (the sim backend's cost model)` : `${h} h`;
}

/** The fit's recipe: `fit`'s default for one law, the huber candidate of the default procedure. */
const FIT_RECIPE = 'the huber recipe (Huber loss on ln L, α and β free; Hoffmann et al. 2022, Besiroglu et al. 2024)';

/** An approach's interval level, replicate count and resampling unit, as its intervals are said. */
function intervalBasis(a: StudyResult['approaches'][number]): string {
  const over = a.unit === 'residual' ? APPROACH2_RESAMPLED : `${a.unit ?? 'run'}s`;
  return `95 %, ${a.replicates} bootstrap replicates over ${over}`;
}

/**
 * How the recommended run was chosen and what its numbers count: the rule, its C in the law's convention
 * beside the cost model's FLOPs and MFU, and the approaches' N_opt at that C (which may differ: the hours
 * buy tokens at the cost model's FLOPs and MFU, while the approaches split C = 6·N·D).
 */
function recommendationChoice(r: StudyResult, targetHours: number): string[] {
  const rec = r.recommendation;
  const lines = [
    `Chosen as: ${rec.rule} (the fit above, ${FIT_RECIPE.split(' (')[0]}).`,
    `Its compute: C = 6·N·D = ${formatNumber(rec.C, 4)} FLOPs, N non-embedding, as the law and the approaches count it${
      rec.mfu !== undefined && rec.peakFlops !== undefined && rec.costFlops !== undefined
        ? `; the cost model prices its tokens at 6·(N + embeddings)·D = ${formatNumber(rec.costFlops, 4)} FLOPs, run in ${targetHours} h at ${formatNumber(rec.peakFlops / 1e12, 4)} TFLOP/s peak × MFU ${rec.mfu.toFixed(3)}`
        : ''
    }.`,
  ];
  const atC = r.approaches
    .map((a) => ({ a, t: a.targets.find((t) => Math.abs(t.C / rec.C - 1) < 1e-6) }))
    .filter((x) => x.t !== undefined);
  if (atC.length)
    lines.push(
      `At this C the approaches give N_opt = ${atC
        .map(
          ({ a, t }) =>
            `${formatNumber(t!.N, 3)}${t!.intervals.N ? ` ${formatInterval(t!.intervals.N, 3)}` : ''} (Approach ${a.approach})`,
        )
        .join(
          ', ',
        )}, against the recommendation's ${formatNumber(rec.N, 3)}: they split C = 6·N·D, while the recommendation weighs what the hours buy, where embeddings cost FLOPs and the MFU varies with the model's size and batch, so the two may differ.`,
    );
  return lines;
}

export function studySummary(
  result: StudyResult,
  o: Omit<StudySummary, 'result' | 'truth'> & { world?: World },
): StudySummary {
  const { world, ...setting } = o;
  const summary: StudySummary = { ...setting, result };
  if (world) {
    const rec = truth(world, result.recommendation.config).loss;
    const best = optimum(world, o.targetHours * 3600);
    summary.truth = {
      recommendedLoss: rec,
      optimumLoss: best.loss,
      optimumConfig: best.config,
      regret: rec / best.loss - 1,
      predictionError: result.recommendation.predictedLoss / rec - 1,
    };
  }
  return summary;
}

export function studyJson(s: StudySummary) {
  const r = s.result;
  return {
    study: s.study,
    backend: s.backend,
    targetHours: s.targetHours,
    experimentHours: s.experimentHours,
    spentHours: r.spentSeconds / 3600,
    ...(s.backend === 'sim' ? { hoursSimulated: true } : {}),
    stages: r.stages,
    runs: {
      total: r.outcomes.length,
      completed: r.outcomes.filter((o) => o.status === 'completed').length,
      failed: r.outcomes.filter((o) => o.status === 'failed').length,
      // Of the failed, the learning-rate probe runs that diverged (as sweep run and sweep status count them).
      probeDiverged: runOutcome(r).probeDiverged,
    },
    learningRate: r.learningRate,
    budgets: r.budgets,
    fit: {
      law: 'chinchilla',
      recipe: 'huber',
      params: r.fit.params,
      objective: r.fit.objective,
      points: r.fit.points,
      converged: r.fit.converged,
      derived: Object.fromEntries(Object.entries(r.fit.derived).map(([k, v]) => [k, v.value])),
    },
    approaches: r.approaches.map((a) => ({
      ...approachSummary(a),
      // What the intervals are: approachSummary gives them bare.
      intervalLevel: 0.95,
      replicates: a.replicates,
      unit: a.unit ?? 'run',
    })),
    agreement: r.agreement?.statement,
    recommendation: { ...r.recommendation, ...(r.recommendation.interval ? { intervalLevel: 0.95 } : {}) },
    verification: r.verification,
    truth: s.truth,
    costModel: s.costModel,
    costCalibration: r.costCalibration,
    warnings: r.warnings,
  };
}

/** The study's runs by outcome, a diverged learning-rate probe run counted as one (see outcome.ts). */
function runOutcome(r: StudyResult) {
  return sweepOutcome(r.outcomes.map((o) => ({ phase: o.run.phase, status: o.status, reason: o.reason })));
}

/**
 * How many runs failed, when any did, with the diverged probe runs among them said as such:
 * "; 1 failed (a learning-rate probe run that diverged, as a probe's largest rates should)".
 */
function failedClause(r: StudyResult): string {
  const o = runOutcome(r);
  const failed = o.failed + o.probeDiverged;
  return failed ? `; ${failed} failed${divergedProbeNote(o.probeDiverged, failed)}` : '';
}

/** A probe run's final loss, or why it has none. */
const probeLoss = (p: StudyResult['learningRate']['probe'][number], format: (loss: number) => string) =>
  p.loss !== null ? format(p.loss) : p.diverged ? 'diverged' : 'failed';

/** The cost model against the measured seconds, before each planning step. */
function calibrationLines(r: StudyResult): string[] {
  return r.costCalibration.map(
    (c) => `Before planning the ${c.for === 'target' ? 'target run' : c.for}: ${c.statement}.`,
  );
}

/** `name`: how a warning names an option (the CLI: `scalelab fit --init`, a flag study run does not take). */
export function studyReport(s: StudySummary, name: OptionNamer = libraryOption): string {
  const r = s.result;
  const rec = r.recommendation;
  const lines: string[] = [];
  lines.push(`# Scaling study "${s.study}" (backend ${s.backend})`, '');
  lines.push(
    `Target: a ${s.targetHours}-hour run. Experiment budget: ${s.experimentHours} h, spent ${spentText(s)} on ${r.outcomes.length} runs in ${r.stages} stage${r.stages > 1 ? 's' : ''}${failedClause(r)}.`,
  );
  lines.push(`Cost model: ${s.costModel}.`, ...calibrationLines(r), '');
  lines.push('## Learning rate', '');
  lines.push(
    `Probe (muP, so it transfers across widths): best η = ${formatNumber(r.learningRate.value, 3)} (${r.learningRate.method}).`,
  );
  lines.push(
    textTable(
      ['η', 'final loss'],
      r.learningRate.probe.map((p) => [
        formatNumber(p.learning_rate, 3),
        probeLoss(p, (loss) => formatNumber(loss, 5)),
      ]),
    ),
    '',
  );
  lines.push('## IsoFLOP sweep', '');
  const byBudget = new Map<number, typeof r.outcomes>();
  for (const o of r.outcomes.filter((x) => x.run.phase !== 'lr-probe')) {
    if (!byBudget.has(o.run.C)) byBudget.set(o.run.C, []);
    byBudget.get(o.run.C)!.push(o);
  }
  lines.push(
    textTable(
      ['budget C', 'runs', 'sizes N', 'best loss', 'hours'],
      [...byBudget.entries()].map(([C, os]) => {
        const ok = os.filter((o) => o.finalLoss !== undefined);
        return [
          formatNumber(C, 3),
          String(os.length),
          formatRange([Math.min(...os.map((o) => o.run.N)), Math.max(...os.map((o) => o.run.N))], 2),
          ok.length ? formatNumber(Math.min(...ok.map((o) => o.finalLoss!)), 5) : '–',
          (os.reduce((a, o) => a + o.seconds, 0) / 3600).toFixed(2),
        ];
      }),
    ),
    '',
  );
  lines.push('## Fit', '');
  lines.push(
    `Chinchilla law, fitted by ${FIT_RECIPE}, on ${r.fit.points} final losses (N non-embedding): ${Object.entries(
      r.fit.params,
    )
      .map(([k, v]) => `${k} = ${formatNumber(v, 5)}`)
      .join(', ')}; objective ${r.fit.objective.toExponential(4)}${r.fit.converged ? '' : ' (NOT converged)'}.`,
  );
  for (const a of r.approaches)
    lines.push(
      `- Approach ${a.approach}, ${a.label}: a = ${formatNumber(a.a, 4)}${a.intervals.a ? ` ${formatInterval(a.intervals.a, 3)} (${intervalBasis(a)})` : ''}`,
    );
  if (r.agreement) lines.push(`- ${r.agreement.statement}`);
  lines.push('', '## Recommendation', '');
  lines.push(
    `Train ${rec.config.n_layer} layers × d_model ${rec.config.d_model} (${rec.config.n_heads} heads; N = ${formatNumber(rec.N, 4)} non-embedding parameters) on ${formatNumber(rec.D, 4)} tokens, batch ${rec.config.batch_tokens} tokens, peak learning rate ${formatNumber(rec.config.learning_rate, 3)} (muP, cosine).`,
    ...recommendationChoice(r, s.targetHours),
    recommendationSources(rec),
  );
  lines.push(
    `Predicted loss: ${formatNumber(rec.predictedLoss, 5)}${rec.interval ? ` (95 % prediction interval ${formatInterval(rec.interval, 4)})` : ''}, by the default procedure: the mean of the three published recipes' predictions (huber, tied-huber, gadre), its interval for a run (bootstrap over runs, a run's scatter, the extrapolation term).`,
  );
  if (r.verification)
    lines.push('', '## Verification: the recommended run, trained', '', `${r.verification.statement}.`);
  if (s.truth) {
    lines.push('', "## Against the simulated world's truth", '');
    lines.push(
      `True loss of the recommendation: ${formatNumber(s.truth.recommendedLoss, 5)}; the world's true optimum for ${s.targetHours} h: ${formatNumber(s.truth.optimumLoss, 5)}.`,
    );
    lines.push(
      `Regret: ${(s.truth.regret * 100).toFixed(2)} % above the optimum. Prediction error: ${(s.truth.predictionError * 100).toFixed(2)} % (predicted vs true loss of the recommendation).`,
    );
  }
  if (r.warnings.length) lines.push('', '## Warnings', '', ...r.warnings.map((w) => `- ${renameOptions(w, name)}`));
  return lines.join('\n') + '\n';
}

/** The study's own sections for the HTML report (the analysis sections come from report/html.ts). */
export function studyHtmlSections(s: StudySummary): { id: string; title: string; html: string }[] {
  const r = s.result;
  const rec = r.recommendation;
  const e = (x: number, d = 4) => escapeHtml(formatNumber(x, d));
  const sections = [
    {
      id: 'study',
      title: `Study "${escapeHtml(s.study)}" (backend ${escapeHtml(s.backend)})`,
      html:
        `<p>Target: a ${s.targetHours}-hour run. Experiments: ${s.experimentHours} h budget, ${escapeHtml(spentText(s))} spent on ${r.outcomes.length} runs in ${r.stages} stage${r.stages > 1 ? 's' : ''}${escapeHtml(failedClause(r))}. Cost model: ${escapeHtml(s.costModel)}.${calibrationLines(
          r,
        )
          .map((l) => ` ${escapeHtml(l)}`)
          .join('')}</p>` +
        `<p>Learning-rate probe (muP): best η = ${e(r.learningRate.value, 3)} (${escapeHtml(r.learningRate.method)}).</p>` +
        htmlTable(
          ['η', 'final loss'],
          r.learningRate.probe.map((p) => [e(p.learning_rate, 3), probeLoss(p, (loss) => e(loss, 5))]),
        ),
    },
    {
      id: 'recommendation',
      title: 'Recommendation',
      html:
        `<p>Train ${rec.config.n_layer} layers × d_model ${rec.config.d_model} (${rec.config.n_heads} heads; N = ${e(rec.N)} non-embedding parameters) on ${e(rec.D)} tokens, batch ${rec.config.batch_tokens} tokens, peak learning rate ${e(rec.config.learning_rate, 3)} (muP, cosine).</p>` +
        `<p>${escapeHtml(recommendationChoice(r, s.targetHours).join(' '))}</p>` +
        `<p>${escapeHtml(recommendationSources(rec))}</p>` +
        `<p>Predicted loss: <b>${e(rec.predictedLoss, 5)}</b>${rec.interval ? ` (95 % prediction interval ${formatInterval(rec.interval, (x) => e(x))})` : ''}, by the default procedure (the mean of the three published recipes' predictions).</p>` +
        (r.verification
          ? `<p class="${r.verification.inside === false ? 'warn' : 'ok'}">Verification — the recommended run, trained: ${escapeHtml(r.verification.statement)}.</p>`
          : '') +
        (s.truth
          ? `<p class="${s.truth.regret < 0.01 ? 'ok' : 'warn'}">Against the simulated world's truth: the recommendation's true loss is ${e(s.truth.recommendedLoss, 5)}, the true optimum ${e(s.truth.optimumLoss, 5)}. Regret ${(s.truth.regret * 100).toFixed(2)} %; prediction error ${(s.truth.predictionError * 100).toFixed(2)} %.</p>`
          : ''),
    },
  ];
  return sections;
}
