import type { Command } from 'commander';
import { readRuns } from '../../io/readRuns.js';
import { taskMetricFilesRead } from '../../io/readTaskMetrics.js';
import { runFormatNames } from '../../io/parseRuns.js';
import { lawIds } from '../../laws/index.js';
import { parallelRunners } from '../../node/parallel.js';
import { interruptible } from '../interrupt.js';
import {
  analyseRuns,
  figureKinds,
  figures,
  renderFigures,
  type Analysis,
  type AnalyseRunsOptions,
  type FigureKind,
} from '../../report/analysis.js';
import { reportHtml } from '../../report/html.js';
import type { RollingBacktestResult } from '../../analyses/rollingBacktest.js';
import { backtestDefaults } from './backtest.js';
import { InputError, UsageError } from '../../errors/index.js';
import { commandFlagNamer } from '../optionFlags.js';
import type { OptionNamer } from '../../errors/index.js';
import { procedureIds } from '../../fit/procedures.js';
import {
  keyword,
  parseInteger,
  parseLevel,
  parseBudgets,
  parseNames,
  parseList,
  parseQuantity,
  plainNumber,
  parseReplicates,
  runSelection,
} from '../options.js';
import { checkFiniteText, checkOutput, nonFiniteNumbers, printResult, progress, writeOutput } from '../output.js';
import { loadCatalog } from '../../catalog/load.js';
import { defaultLandmarks, findModel } from '../../catalog/models.js';
import { budgetChoices, deprecatedAlias, flag } from '../flags.js';
import { provenance, provenanceLines } from '../provenance.js';
import {
  addHardwareFlags,
  addHparamsPresetFlag,
  addPlanShapeFlags,
  addSweepFlags,
  planShape,
  refuseSweepFlagsWithoutSweep,
  type HparamFlags,
  type PlanShapeFlags,
  hyperparameterSource,
  planDefaults,
  planBudget,
  refuseClusterFlagsWithoutGpus,
  type HardwareFlags,
} from '../planInputs.js';
import type { Plan } from '../../analyses/plan.js';
import type { Run } from '../output.js';
import { criticalBatchInput } from '../../hparams/criticalBatch.js';

/** The plan in the report's --json: the budget and its hardware, the model, its loss, learning rate and batch. */
function planSummary(plan: Plan): Record<string, unknown> {
  const r = plan.recommendation;
  return {
    compute: plan.compute,
    ...(plan.hardware ? { hardware: plan.hardware } : {}),
    ...(plan.assumed ? { assumed: plan.assumed } : {}),
    ...(plan.defaults ? { defaults: plan.defaults } : {}),
    N: r.N,
    D: r.D,
    loss: r.loss,
    intervals: r.intervals,
    ...(r.days !== undefined ? { days: r.days } : {}),
    ...(r.shape ? { shape: r.shape.shape } : {}),
    ...(r.hyperparameters ? { hyperparameters: r.hyperparameters } : {}),
    ...(r.criticalBatch ? { criticalBatch: r.criticalBatch } : {}),
  };
}

/**
 * The report's back-test settings in one sentence: its replicates (derived from --bootstrap), cutoffs and
 * procedures, each default marked, and why they are lighter than `backtest`'s, whose errors and coverage
 * on the same file differ (the report's 4.93 % against backtest's 3.88 % on Chinchilla's runs).
 */
function backtestSettings(f: AnalysisFlags, cmd: Command, b: RollingBacktestResult): string {
  const untyped = (k: string) => cmd.getOptionValueSource(k) !== 'cli';
  const replicates = b.replicates
    ? `${b.replicates} bootstrap replicates (a tenth of --bootstrap ${f.bootstrap}, held to 20–50)`
    : `no intervals (--bootstrap ${f.bootstrap})`;
  const cutoffs =
    f.holdout !== undefined
      ? `one cutoff (--holdout ${f.holdout})`
      : `${b.cutoffs.length} cutoff${b.cutoffs.length === 1 ? '' : 's'} (${untyped('folds') ? 'default ' : ''}--folds ${f.folds})`;
  const procedures = `procedures ${b.procedures.join(', ')}${untyped('backtestProcedures') ? ' (default --backtest-procedures)' : ''}`;
  const d = backtestDefaults;
  return (
    `Settings: ${replicates}, ${cutoffs}, ${procedures}. ` +
    `They are lighter than scalelab backtest's defaults (${d.bootstrap} replicates, ${d.folds} cutoffs, procedures ${d.procedures.split(',').join(', ')}), since the page refits each procedure at each cutoff beside its own bootstrap: its errors and coverage differ from backtest's on the same file.`
  );
}

interface AnalysisFlags {
  law?: string;
  procedure: string;
  backtestProcedures: string;
  folds: string;
  x: string;
  targets: string;
  bootstrap: string;
  seed: string;
  level: string;
  budgets: string;
  vertex: string;
  tolerance: string;
  holdout?: string;
  columns?: string;
  group?: string;
  lineage?: string;
  landmarks?: string;
  json?: boolean;
}

function addAnalysisFlags(cmd: Command): Command {
  cmd
    .addOption(
      flag('law', {
        detail: `the law to fit (default: the chinchilla form by --procedure auto): ${lawIds.join(', ')}`,
      }),
    )
    .addOption(flag('procedure', { default: 'auto' }))
    .option('--backtest-procedures <list>', 'procedures the back-test compares', 'auto')
    .addOption(flag('folds', { detail: 'in C', default: '3' }))
    .addOption(flag('x', { detail: "the loss figure's horizontal axis, and the variable of power laws", default: 'C' }))
    .addOption(
      flag('targets', {
        detail: "the loss figure and the plan are for the last; report's approaches table shows each",
        default: '1e24',
      }),
    )
    .addOption(
      flag('bootstrap', {
        detail: "bands too; the back-test's intervals take a tenth of it, 20 to 50 (a bootstrap per cutoff)",
        default: '200',
      }),
    )
    .addOption(flag('seed', { default: '0' }))
    .addOption(flag('level', { default: '0.95' }))
    .addOption(flag('budgets', { detail: budgetChoices, default: 'auto' }))
    .addOption(flag('vertex', { default: 'parabola' }))
    .addOption(flag('tolerance', { detail: 'the IsoFLOP budgets', default: '0.06' }))
    .option(
      '--holdout <fraction>',
      'back-test: one cutoff leaving this fraction of the runs (largest compute) above it, instead of --folds',
    )
    .addOption(flag('columns', { detail: 'e.g. N="Model Size"' }))
    .addOption(flag('group'))
    .addOption(flag('lineage'))
    .option(
      '--landmarks <models>',
      `published models to place on the frontier (default: ${defaultLandmarks.join(',')})`,
    );
  return deprecatedAlias(cmd, '--target <flops>', '--targets');
}

/**
 * What one figure needs of the analysis: `plot` leaves out the approaches and the back-test its figure
 * does not draw (plot loss ran Approach 2's bootstrap and a back-test for a loss curve: 12 s against 5 s).
 */
function figureNeeds(kind: FigureKind): Pick<AnalyseRunsOptions, 'skip' | 'backtest'> {
  const unused = 'not drawn by this figure';
  const approaches: Partial<Record<1 | 2 | 3, string>> =
    kind === 'frontier' ? {} : kind === 'isoflop' ? { 1: unused, 3: unused } : { 1: unused, 2: unused };
  return { skip: approaches, ...(kind === 'backtest' ? {} : { backtest: false as const }) };
}

/**
 * The analysis's warnings that concern what one figure draws: the plan's `target` lines (how far the
 * largest --targets lies beyond the data) only where the figure reaches to a target — the loss curve and
 * the frontier. `plot residuals` warned that C = 1e24 was 77× the data, a target it does not draw and the
 * user never gave (the default).
 */
function figureWarnings(kind: FigureKind, warnings: readonly string[]): string[] {
  const drawsTarget = kind === 'loss' || kind === 'frontier';
  return warnings.filter((w) => drawsTarget || !/^target[ :]/.test(w));
}

/** Fit (worker threads), bootstrap and analyse a file, as plot and report need. */
async function analyseFile(
  file: string,
  f: AnalysisFlags,
  optionName: OptionNamer,
  only: Partial<Pick<AnalyseRunsOptions, 'skip' | 'backtest' | 'targets' | 'plan'>> = {},
  // The runs when the caller read them first (report --downstream: the main input is checked before the
  // task metrics, whose notes would otherwise come before its refusal).
  dataset: ReturnType<typeof readRuns> = readRuns(file, runSelection(f)),
): Promise<Analysis> {
  const x = keyword(f.x, '--x', ['N', 'D', 'C'] as const);
  const replicates = parseReplicates(f.bootstrap, '--bootstrap');
  const seed = parseInteger(f.seed, '--seed', 0);
  const level = parseLevel(f.level);
  const procedures = f.backtestProcedures
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of procedures) keyword(p, '--backtest-procedures', ['auto', ...procedureIds]);
  const budgets = f.budgets.trim();
  const catalog = loadCatalog();
  return analyseRuns(dataset, {
    // A reason an approach or the back-test was skipped, and a warning, names this command's flags
    // (--budgets, --tolerance), or the command that has one it lacks (scalelab fit --init).
    optionName,
    law: f.law === undefined ? undefined : { law: f.law, x },
    procedure: f.procedure,
    replicates,
    seed,
    level,
    runners: parallelRunners({ whileParallel: interruptible }),
    progress: (_, total) => progress('bootstrap', total, f),
    targets: only.targets ?? parseList(f.targets, '--targets'),
    isoflop: {
      budgets: parseBudgets(budgets),
      vertex: keyword(f.vertex, '--vertex', ['parabola', 'min-run'] as const),
      tolerance: parseQuantity(f.tolerance, '--tolerance', { plain: plainNumber.decades }),
    },
    backtest: {
      procedures,
      folds: parseInteger(f.folds, '--folds', 1),
      holdout: f.holdout !== undefined ? parseQuantity(f.holdout, '--holdout') : undefined,
      // Back-test intervals cost a bootstrap per cutoff and procedure: a tenth of --bootstrap, at most 50.
      replicates: replicates > 1 ? Math.min(50, Math.max(20, Math.round(replicates / 10))) : 0,
      seed,
    },
    ...(only.skip ? { skip: only.skip } : {}),
    ...(only.backtest !== undefined ? { backtest: only.backtest } : {}),
    ...(only.plan ? { plan: only.plan } : {}),
    landmarks: parseNames(f.landmarks ?? defaultLandmarks.join(','), '--landmarks', 'model ids').map((id) =>
      findModel(catalog, id),
    ),
  });
}

export function registerPlotAndReport(program: Command, run: Run): void {
  addAnalysisFlags(
    program
      .command('plot')
      .description(`draw a figure to SVG or PNG: ${figureKinds.join(', ')}`)
      .argument('<kind>', figureKinds.join(' | '))
      .argument('<file>', `runs (${runFormatNames})`)
      .addOption(flag('out', { detail: 'the figure: .svg or .png', required: true }))
      .option('--spec', 'also print the Vega-Lite spec (JSON) on stdout')
      .addOption(flag('json', { detail: 'a summary (file, kind, size)' })),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  scalelab plot loss examples/chinchilla.csv --out loss.svg --targets 1e24\n  scalelab plot isoflop examples/cs336-isoflops.json --out isoflop.png\n  scalelab plot backtest examples/chinchilla.csv --out backtest.svg --backtest-procedures auto,huber',
    )
    .action(async (kind: string, file: string, f: AnalysisFlags & { out: string; spec?: boolean }, cmd: Command) =>
      run(async () => {
        const k = keyword(kind, 'KIND', figureKinds) as FigureKind;
        const format = f.out.toLowerCase().endsWith('.png')
          ? 'png'
          : f.out.toLowerCase().endsWith('.svg')
            ? 'svg'
            : undefined;
        if (!format) throw new UsageError(`--out: expected a .svg or .png file name, got "${f.out}"`);
        checkOutput(f.out, '--out', undefined, [file]);
        const a = await analyseFile(file, f, commandFlagNamer(cmd), figureNeeds(k));
        const spec = figures(a, keyword(f.x, '--x', ['N', 'D', 'C'] as const))[k];
        if (!spec) {
          const why =
            k === 'isoflop'
              ? a.skipped.find((s) => s.approach === 2)?.reason
              : k === 'backtest'
                ? a.backtestSkipped
                : k === 'landmarks'
                  ? `law ${a.fit.law.id} has no compute-optimal frontier`
                  : `no approach could run (${a.skipped.map((s) => `approach ${s.approach}: ${s.reason}`).join('; ')})`;
          // A reason located in the file already names it.
          const reason = why?.startsWith(`${file}:`) ? why.slice(file.length + 1).trimStart() : why;
          throw new UsageError(`cannot draw "${k}" for ${file}: ${reason}`);
        }
        // The figure's data must be finite before it is drawn (vega would silently drop or misplace a NaN).
        const bad = nonFiniteNumbers(spec);
        if (bad.length)
          throw new InputError(
            { file },
            `the "${k}" figure came out non-finite (${bad.join(', ')}): these data do not determine it, so it is not drawn`,
          );
        // vega and resvg load only when a figure is drawn: the other commands start without them.
        const { renderPng, renderSvg } = await import('../../render/render.js');
        const bytes = format === 'png' ? await renderPng(spec) : Buffer.from(await renderSvg(spec));
        writeOutput(f.out, bytes, f, `${kind}, ${bytes.length} bytes`);
        const warnings = figureWarnings(k, a.warnings);
        if (f.spec) printResult(spec, file);
        else if (f.json) printResult({ kind: k, file, out: f.out, format, bytes: bytes.length, warnings }, file);
        else process.stderr.write(warnings.map((w) => `warning: ${w}\n`).join(''));
      }, f.json),
    );
  addSweepFlags(
    addHparamsPresetFlag(
      addPlanShapeFlags(
        addHardwareFlags(
          addAnalysisFlags(
            program
              .command('report')
              .description(
                'write a self-contained HTML report: data, fit with intervals, three approaches, plan, back-test, warnings, figures',
              )
              .argument('<file>', `runs (${runFormatNames})`)
              .addOption(flag('downstream', { detail: 'adds the downstream sections (scalelab downstream report)' }))
              .addOption(flag('downstreamBootstrap', { default: '0' }))
              .addOption(
                flag('batch-tokens', {
                  detail: "with --downstream: to turn a results file's checkpoint step into tokens",
                }),
              )
              .addOption(flag('via', { detail: 'with --downstream' }))
              .addOption(flag('out', { detail: 'the report, HTML', required: true }))
              .addOption(flag('json', { detail: 'a summary of the report' })),
          ),
        ),
      ),
    ),
  )
    .addHelpText(
      'after',
      `
The plan is for the last --targets, or for a cluster as scalelab plan takes it: --gpus N --days D (with
--gpu, --mfu, --peak-flops, --price) gives C, and --targets with --days is refused (two budgets);
--gpus without --days adds the wall-clock time of the last --targets (typed, or the default) on that cluster.
The page's footer (and provenance in --json) names the version, the date (UTC; SOURCE_DATE_EPOCH
fixes it), the command line and each input file's size and SHA-256.
Examples:
  scalelab report examples/chinchilla.csv --budgets chinchilla --targets 1e23,1e24 --out report.html
  scalelab report examples/chinchilla.csv --gpus 2000 --gpu h100 --days 21 --out report.html`,
    )
    .action(
      async (
        file: string,
        f: AnalysisFlags &
          HardwareFlags &
          PlanShapeFlags &
          Omit<HparamFlags, 'seed'> & {
            out: string;
            downstream?: string;
            downstreamBootstrap: string;
            batchTokens?: string;
            via?: string;
          },
        cmd: Command,
      ) =>
        run(async () => {
          // One HTML file: written under another name (r.pdf, r.md) it opens as neither.
          if (!/\.html?$/i.test(f.out))
            throw new UsageError(`--out: the report is one HTML file: expected a .html file name, got "${f.out}"`);
          const downstreamFiles = (f.downstream ?? '')
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean);
          // The task-metric files, and those their manifests list, are read too: none may be replaced.
          // So are the sweep's runs.
          const inputs = [file, ...(f.sweep ? [f.sweep] : []), ...taskMetricFilesRead(downstreamFiles)];
          checkOutput(f.out, '--out', undefined, inputs);
          refuseSweepFlagsWithoutSweep(f, cmd);
          const downstreamReplicates = parseReplicates(f.downstreamBootstrap, '--downstream-bootstrap');
          if (!f.downstream && downstreamReplicates !== 0)
            throw new UsageError('--downstream-bootstrap is read with --downstream (the task metrics to fit)');
          if (!f.downstream && f.via !== undefined)
            throw new UsageError('--via is read with --downstream (the task metrics to fit)');
          if (!f.downstream && f.batchTokens !== undefined)
            throw new UsageError('--batch-tokens is read with --downstream (the task metrics to fit)');
          // The budget as plan derives it (one code path): a cluster and days give C, and the plan is for it.
          refuseClusterFlagsWithoutGpus(f, cmd);
          // With --days the cluster is the budget, and only typed --targets are a second one (refused); without
          // it the plan's target is the last --targets, typed or the default, and --gpus adds its wall-clock time.
          const typedTargets =
            cmd.getOptionValueSource('targets') === 'cli' ? parseList(f.targets, '--targets') : undefined;
          const planTarget =
            f.days === undefined ? parseList(f.targets, '--targets').at(-1) : typedTargets?.[typedTargets.length - 1];
          const budget =
            f.gpus !== undefined || f.days !== undefined ? planBudget(f, cmd, planTarget, '--targets') : undefined;
          const defaults = planDefaults(f, cmd);
          const planInputs = {
            ...(budget?.hardware ? { hardware: budget.hardware } : {}),
            ...(budget?.cluster ? { cluster: budget.cluster } : {}),
            ...(budget?.assumed ? { assumed: budget.assumed } : {}),
            hyperparameters: hyperparameterSource(f, defaults),
            defaults,
            shape: planShape(f),
            criticalBatch: criticalBatchInput(),
          };
          // The runs are read first: a missing or bad main input is refused before the task metrics' notes.
          const runs = readRuns(file, runSelection(f));
          // Task metrics are read (and checked) before the long fit, so a bad file fails fast.
          const downstreamAt = f.downstream
            ? (await import('./downstream.js')).downstreamForReport(
                downstreamFiles,
                downstreamReplicates,
                f.via,
                commandFlagNamer(cmd, 'downstream report'),
                f.batchTokens,
              )
            : undefined;
          const optionName = commandFlagNamer(cmd);
          const a = await analyseFile(
            file,
            f,
            optionName,
            {
              ...(budget?.hardware ? { targets: [budget.compute] } : {}),
              plan: planInputs,
            },
            runs,
          );
          // Each task's accuracy predicted at the model this page recommends (the plan's N and D).
          const downstream = downstreamAt
            ? await downstreamAt(a.plan ? { N: a.plan.recommendation.N, D: a.plan.recommendation.D } : undefined)
            : undefined;
          const specs = figures(a, keyword(f.x, '--x', ['N', 'D', 'C'] as const));
          const { renderSvg } = await import('../../render/render.js');
          const svgs = await renderFigures(specs, renderSvg);
          // The Trust table names flags as the Warnings list does (--columns, scalelab fit --init grid).
          // Version, date, command line and each input's hash: the page says how to make it again.
          const made = provenance(inputs);
          const settings = a.backtest ? backtestSettings(f, cmd, a.backtest) : undefined;
          const html = reportHtml(a, svgs, {
            generatedBy: provenanceLines(made, file),
            extra: downstream,
            optionName,
            ...(settings ? { backtestSettings: settings } : {}),
            bootstrapDefaults: {
              ...(cmd.getOptionValueSource('bootstrap') !== 'cli' ? { replicates: 'default, --bootstrap' } : {}),
              ...(cmd.getOptionValueSource('seed') !== 'cli' ? { seed: 'default, --seed' } : {}),
            },
          });
          // Checked before it is written: a report showing NaN as a result is not written at all.
          checkFiniteText(html, file);
          writeOutput(
            f.out,
            html,
            f,
            `${Math.round(html.length / 1024)} KiB, ${Object.keys(svgs).length} figures, ${a.warnings.length} warnings`,
          );
          if (f.json)
            printResult(
              {
                out: f.out,
                bytes: html.length,
                figures: Object.keys(svgs),
                warnings: a.warnings,
                approaches: a.approaches.map((x) => x.approach),
                skipped: a.skipped,
                ...(a.backtestSkipped !== undefined ? { backtestSkipped: a.backtestSkipped } : {}),
                // The back-test's settings, which differ from backtest's defaults (its summary is on the page).
                ...(a.backtest
                  ? {
                      backtest: {
                        procedures: a.backtest.procedures,
                        cutoffs: a.backtest.cutoffs.map((c) => c.cutoff),
                        replicates: a.backtest.replicates,
                        levels: a.backtest.levels,
                        unit: a.backtest.unit,
                        extrapolationScale: a.backtest.extrapolationScale,
                        settings,
                      },
                    }
                  : {}),
                ...(a.plan ? { plan: planSummary(a.plan) } : {}),
                ...(a.splitUnidentified ? { splitUnidentified: a.splitUnidentified } : {}),
                provenance: made,
              },
              file,
            );
          else process.stderr.write(a.warnings.map((w) => `warning: ${w}\n`).join(''));
        }, f.json),
    );
}
