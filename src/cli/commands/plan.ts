import type { Command } from 'commander';
import { forRunLoss, makePlanSteps, type Plan } from '../../analyses/plan.js';
import { landmarksReport, planReport } from '../../report/text/plan.js';
import { commandFlagNamer } from '../optionFlags.js';
import { FitError, UsageError } from '../../errors/index.js';
import { parseQuantity, plainNumber } from '../options.js';
import { checkOutput, printResult, writeJsonResult, writeResult } from '../output.js';
import { deprecatedAlias, flag } from '../flags.js';
import { checkAllocatable, lawFlagsHelp, lawSourceError, resolveLaw, type LawSource } from '../lawSource.js';
import { loadCatalog } from '../../catalog/load.js';
import { findModel, placeOnFrontier, type FrontierPlacement } from '../../catalog/models.js';
import type { Law } from '../../laws/law.js';
import { accuracyPlanFilesRead, accuracyPlanSection, judgeUnanswered, type AccuracyPlanFlags } from './downstream.js';
import { PLAN_HORIZON } from '../../analyses/downstream.js';
import { handleToTheEnd, stepwise } from '../interrupt.js';
import {
  addHardwareFlags,
  addHparamsPresetFlag,
  addPlanShapeFlags,
  addSweepFlags,
  planShape,
  refuseSweepFlagsWithoutSweep,
  type PlanShapeFlags,
  hyperparameterSource,
  planDefaults,
  planBudget,
  refuseClusterFlagsWithoutGpus,
  type HardwareFlags,
  type HparamFlags,
} from '../planInputs.js';
import type { Run } from '../output.js';
import { criticalBatchInput } from '../../hparams/criticalBatch.js';

interface PlanFlags extends AccuracyPlanFlags, HardwareFlags, HparamFlags, PlanShapeFlags {
  C?: string;
  fit?: string;
  preset?: string;
  law?: string;
  params?: string;
  inferenceTokens?: string;
  uniqueTokens?: string;
  compare?: string;
  targetLoss?: string;
  qualityOf?: string;
  out?: string;
}

function placeModels(list: string, law: Law, params: Record<string, number>): FrontierPlacement[] {
  const catalog = loadCatalog();
  return list
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
    .map((n) => placeOnFrontier(findModel(catalog, n), law, params));
}

/**
 * makePlan, computed in steps with turns for the event loop (stepwise: a Ctrl-C stops it within a
 * bootstrap replicate), with a law that cannot allocate the budget reported against its fit file or --params.
 */
async function planFrom(source: LawSource, input: Parameters<typeof makePlanSteps>[0]): Promise<Plan> {
  try {
    return await stepwise(makePlanSteps(input));
  } catch (e) {
    if (e instanceof FitError) throw lawSourceError(source, ['params'], e.message);
    throw e;
  }
}

export function registerPlan(program: Command, run: Run): void {
  deprecatedAlias(
    addSweepFlags(
      addHparamsPresetFlag(
        addPlanShapeFlags(
          addHardwareFlags(
            program
              .command('plan')
              .description('recommend the big run for a compute budget or a cluster: N, D, shape, predicted loss, time')
              .addOption(flag('C', { detail: 'the budget (instead of --gpus/--days)' })),
          )
            .addOption(flag('fit', { detail: 'the law to plan with (its bootstrap replicates give intervals)' }))
            .addOption(flag('preset', { detail: 'the law to plan with (default: epoch-2024)' }))
            .addOption(flag('law', { detail: 'with --params' }))
            .addOption(flag('params'))
            .option(
              '--compare <models>',
              'place published models on the frontier of the law, e.g. llama-3-70b,chinchilla-70b (names: scalelab models)',
            )
            .addOption(flag('unique-tokens', { detail: 'with a data-constrained law, e.g. --preset muennighoff-2023' }))
            .option(
              '--inference-tokens <tokens>',
              'lifetime inference tokens T: adds the inference-aware (over-trained) model, the least lifetime FLOPs 6·N·D + 2·N·T at the target loss (Sardana et al. 2024)',
            )
            .addOption(flag('target-loss', { detail: "inference-aware (default: the budget's compute-optimal loss)" }))
            .option(
              '--quality-of <params>',
              'inference-aware: reach the loss of a compute-optimal model of this size (e.g. 3e10)',
            ),
        ),
      ),
    )
      .addOption(flag('seed', { detail: 'with --sweep or --target-accuracy', default: '0' }))
      .addOption(
        flag('targetAccuracy', {
          detail: 'fitted on --downstream; alone, or after the loss plan when a budget is given',
        }),
      )
      .addOption(flag('downstream', { detail: 'with --target-accuracy, the tasks to fit' }))
      .addOption(
        flag('batch-tokens', { detail: "with --downstream: to turn a results file's checkpoint step into tokens" }),
      )
      .addOption(
        flag('average', {
          detail: 'with --target-accuracy, which can name it: --average core=all --target-accuracy core=0.6',
        }),
      )
      .addOption(flag('downstreamBootstrap', { detail: 'for --target-accuracy', default: '100' }))
      .addOption(flag('target-runs', { detail: 'with --target-accuracy, in --downstream' }))
      .addOption(flag('loss-metric', { detail: 'with --target-accuracy' }))
      .addOption(flag('accuracy-metric', { detail: 'with --target-accuracy' }))
      .addOption(flag('chance', { detail: 'with --target-accuracy' }))
      .addOption(flag('via', { detail: 'with --target-accuracy' }))
      .addOption(flag('horizon', { default: String(PLAN_HORIZON) }))
      .addOption(flag('out', { detail: 'the plan as JSON (what --json prints)' }))
      .addOption(flag('json'))
      .addHelpText(
        'after',
        `
The law: ${lawFlagsHelp}.
Examples:
  scalelab plan --gpus 10000 --gpu h100 --days 30 --mfu 0.4
  scalelab plan --C 1e25 --fit fit.json --inference-tokens 1e13
  scalelab plan --C 5.76e23 --preset sardana-2024 --quality-of 3e10 --inference-tokens 1e13
  scalelab plan --target-accuracy hellaswag_val_5shot=0.85 --downstream examples/downstream/olmo-ladder/ladder.json
  scalelab plan --target-accuracy core=0.6 --average core=all --downstream examples/downstream/olmo-ladder/ladder.json`,
      ),
    '--compute <flops>',
    '--C',
  ).action(async (flags: PlanFlags, cmd: Command) =>
    run(async () => {
      // Its fits and bootstraps (--target-accuracy's tasks, --sweep's laws, a fit's replicates) compute on
      // the main thread in steps with turns for the event loop: a Ctrl-C stops it there, saying so, where
      // Node's default ended it silently.
      handleToTheEnd();
      // Checked before any fit: a plan's bootstraps can take minutes, and an --out naming one of the files
      // it reads (the fit, the sweep, the task metrics) would replace that file with the plan.
      if (flags.out)
        checkOutput(
          flags.out,
          '--out',
          { what: 'the plan', format: 'JSON', extensions: ['.json'] },
          [flags.fit, flags.sweep, ...accuracyPlanFilesRead(flags)].filter((f): f is string => f !== undefined),
        );
      // By accuracy (downstream, docs/methods.md §32): alone without a budget, else after the loss plan,
      // with the budget's model predicted for each task (does the budget reach the target?).
      refuseClusterFlagsWithoutGpus(flags, cmd);
      refuseSweepFlagsWithoutSweep(flags, cmd);
      const budgeted = Boolean(flags.C || flags.gpus || flags.days);
      const alone = budgeted ? undefined : await accuracyPlanSection(flags);
      if (alone) {
        const accuracy = alone;
        if (flags.out) writeJsonResult(flags.out, { accuracy: accuracy.json }, flags);
        if (flags.json) printResult({ accuracy: accuracy.json });
        else writeResult(accuracy.text);
        // Every task of --target-accuracy is named: one not planned makes the run a failure (exit 1).
        judgeUnanswered('planned', accuracy.unanswered, accuracy.total, true);
        return;
      }
      const source = resolveLaw(flags, 'epoch-2024');
      checkAllocatable(source);
      const { compute, hardware, cluster, assumed } = planBudget(
        flags,
        cmd,
        flags.C ? parseQuantity(flags.C, '--C') : undefined,
        '--C',
      );
      const inference = flags.inferenceTokens
        ? {
            tokens: parseQuantity(flags.inferenceTokens, '--inference-tokens', { positive: false }),
            targetLoss: flags.targetLoss
              ? parseQuantity(flags.targetLoss, '--target-loss', { plain: plainNumber.loss })
              : undefined,
            qualityOf: flags.qualityOf ? parseQuantity(flags.qualityOf, '--quality-of') : undefined,
          }
        : undefined;
      if (!inference && (flags.targetLoss || flags.qualityOf))
        throw new UsageError('--target-loss and --quality-of need --inference-tokens');
      if (inference?.targetLoss !== undefined && inference.qualityOf !== undefined)
        throw new UsageError('give --target-loss or --quality-of, not both');
      const defaults = planDefaults(flags, cmd);
      const plan = await planFrom(source, {
        compute,
        hardware,
        cluster,
        ...(assumed ? { assumed } : {}),
        law: source.law,
        params: source.params,
        replicates: source.replicates,
        level: source.level,
        provenance: source.provenance,
        ranges: source.ranges,
        ...(source.rangesOf ? { rangesOf: source.rangesOf, rangesSource: source.rangesSource } : {}),
        shape: planShape(flags),
        ...(source.nCount ? { nCount: source.nCount } : {}),
        // The fit's one-ratio or tied reduction, carried to the split it leaves to the law's form.
        ...source.split,
        inference,
        hyperparameters: hyperparameterSource(flags, defaults),
        defaults,
        criticalBatch: criticalBatchInput(),
        uniqueTokens: flags.uniqueTokens ? parseQuantity(flags.uniqueTokens, '--unique-tokens') : undefined,
        ...(source.chosen && (source.members?.length ?? 0) > 1
          ? { ensemble: { reported: source.chosen, members: source.members! } }
          : {}),
      });
      // From a saved fit, the recommended run's loss as predict gives it: an auto fit's candidates averaged,
      // with the interval for one run (plan's own loss is the reported law's, with the law's interval).
      const rec = plan.recommendation;
      const forRun = forRunLoss(source.members, rec, source.level, source.ranges?.C?.[1]);
      if (forRun) rec.forRun = forRun;
      const accuracy = budgeted
        ? await accuracyPlanSection(flags, {
            C: plan.compute,
            N: rec.N,
            D: rec.D,
            // The law in short, as its provenance begins ('law chinchilla, preset epoch-2024').
            law: source.provenance.split(/ \(|: /)[0],
          })
        : undefined;
      // No verdicts (over-trained, under-trained) from a split the fit's runs do not identify.
      const splitCode = plan.warnings.find((w) => w.code === 'one-ratio' || w.code === 'reduced-law')?.code;
      const notPlaced = !flags.compare
        ? undefined
        : splitCode === 'one-ratio'
          ? "published models not placed on the frontier: every run of the fit has one tokens-per-parameter ratio, so the compute-optimal size they would be judged against is the law's assumed form (the fit's one-ratio warning)"
          : splitCode === 'reduced-law'
            ? "published models not placed on the frontier: the fit's reported law was reduced to α = β for too few runs, so the compute-optimal size they would be judged against is that tie's (the fit's reduced-law warning)"
            : undefined;
      const landmarks = flags.compare && !notPlaced ? placeModels(flags.compare, source.law, source.params) : undefined;
      const where = source.origin && 'file' in source.origin ? source.origin.file : undefined;
      const json = {
        ...plan,
        ...(landmarks ? { landmarks } : {}),
        ...(notPlaced ? { landmarksNotPlaced: notPlaced } : {}),
        ...(accuracy ? { accuracy: accuracy.json } : {}),
      };
      if (flags.out) writeJsonResult(flags.out, json, flags, where);
      if (flags.json) printResult(json, where);
      else
        writeResult(
          planReport(plan, commandFlagNamer(cmd)) +
            '\n' +
            (landmarks ? landmarksReport(landmarks) + '\n' : '') +
            (notPlaced ? `--compare: ${notPlaced}\n` : '') +
            (accuracy ? '\n' + accuracy.text : ''),
          where,
        );
      if (accuracy) judgeUnanswered('planned', accuracy.unanswered, accuracy.total, true);
    }, flags.json),
  );
}
