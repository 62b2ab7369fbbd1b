import type { Command } from 'commander';
import { readRuns } from '../../io/readRuns.js';
import { checkRunSizes, runClusters, unfinishedRuns } from '../../io/dataset.js';
import { warning } from '../../fit/warnings.js';
import {
  approach1Steps,
  approach2Steps,
  approach3,
  agreement,
  frontierWarning,
  type ApproachResult,
  type BootstrapSettings,
} from '../../analyses/frontier.js';
import { defaultVertex, type IsoflopOptions } from '../../analyses/isoflop.js';
import { defaultLawId, getLaw } from '../../laws/index.js';
import { getProcedure } from '../../fit/procedures.js';
import { bootstrapParallel, fitParallel } from '../../node/parallel.js';
import { replicateParams } from '../../fit/bootstrap.js';
import { FitError, InputError, isScaleLabError, UsageError } from '../../errors/index.js';
import { checkLawData } from '../../io/dataChecks.js';
import { extrapolationWarnings } from '../../analyses/extrapolation.js';
import type { TrustWarning } from '../../fit/warnings.js';
import { allocatingLawIds } from '../../analyses/computeOptimal.js';
import {
  keyword,
  parseBudgets,
  parseInteger,
  parseLevel,
  parseList,
  parseQuantity,
  plainNumber,
  runSelection,
} from '../options.js';
import { printResult, progress, writeResult } from '../output.js';
import { frontierReport } from '../../report/text/frontier.js';
import { checkAllocatable, resolveLaw } from '../lawSource.js';
import { flagFor } from '../optionFlags.js';
import { budgetChoices, flag } from '../flags.js';
import { handleToTheEnd, stepwise } from '../interrupt.js';
import type { Run } from '../output.js';

/**
 * A target's extrapolation beyond `ranges` (C, or N and D) by more than 10× (within it, info: what scaling
 * laws are for, and a line per target and variable would bury the warnings that matter), each labelled as
 * the target's with its severity.
 */
function targetWarnings(
  ranges: Record<string, [number, number]> | undefined,
  target: { C: number; N: number; D: number },
  of: string,
  source?: string,
): string[] {
  return extrapolationWarnings(ranges, target, of, source)
    .filter((w) => w.severity !== 'info')
    .map((w) => `target (${w.severity}): ${w.message}`);
}

interface FrontierFlags {
  approach: string;
  targets: string;
  vertex: string;
  budgets: string;
  tolerance: string;
  law: string;
  fit?: string;
  preset?: string;
  bootstrap: string;
  seed: string;
  level: string;
  columns?: string;
  group?: string;
  lineage?: string;
  json?: boolean;
}

export function registerFrontier(program: Command, run: Run): void {
  program
    .command('frontier')
    .description("compute-optimal N and D by Chinchilla's three approaches, side by side, with bootstrap intervals")
    .argument('<file>', 'runs (Approach 2, 3) or training curves with a run column (Approach 1)')
    .option(
      '--approach <which>',
      '1 (envelope of training curves), 2 (IsoFLOP profiles), 3 (parametric fit) or all',
      'all',
    )
    .addOption(flag('targets', { default: '1e23,1e24' }))
    .addOption(flag('vertex', { detail: 'Approach 2', default: defaultVertex }))
    .addOption(flag('budgets', { detail: `${budgetChoices}; Approach 2`, default: 'auto' }))
    .addOption(flag('tolerance', { detail: 'Approach 2: the budgets', default: '0.06' }))
    .addOption(
      flag('law', { detail: `Approach 3: the law to fit (${allocatingLawIds().join(' or ')})`, default: defaultLawId }),
    )
    .addOption(flag('fit', { detail: 'Approach 3: used instead of fitting FILE' }))
    .addOption(flag('preset', { detail: 'Approach 3: used instead of fitting FILE, e.g. epoch-2024' }))
    .addOption(flag('bootstrap', { default: '200' }))
    .addOption(flag('seed', { default: '0' }))
    .addOption(flag('level', { default: '0.95' }))
    .addOption(flag('columns', { detail: 'e.g. N=params,loss=final_loss' }))
    .addOption(flag('group'))
    .addOption(flag('lineage', { detail: 'in all three approaches' }))
    .addOption(flag('json'))
    .addHelpText(
      'after',
      `
Examples:
  scalelab frontier examples/chinchilla.csv --budgets chinchilla
  scalelab frontier examples/cs336-isoflops.json --approach 2 --vertex min-run --targets 1e23,1e24
  scalelab frontier curves.csv --approach 1 --json`,
    )
    .action(async (file: string, flags: FrontierFlags, cmd: Command) =>
      run(async () => {
        // Approaches 1 and 2 and their bootstraps compute on the main thread, a replicate at a time with
        // turns for the event loop (stepwise); approach 3 awaits worker threads: a Ctrl-C stops either,
        // saying so, where Node's default ended the command silently.
        handleToTheEnd();
        const which = keyword(flags.approach, '--approach', ['1', '2', '3', 'all'] as const);
        const targets = parseList(flags.targets, '--targets');
        const dataset = readRuns(file, runSelection(flags));
        checkRunSizes(dataset);
        const replicates = parseInteger(flags.bootstrap, '--bootstrap', 0);
        const seed = parseInteger(flags.seed, '--seed', 0);
        const level = parseLevel(flags.level);
        const boot: BootstrapSettings | undefined = replicates > 1 ? { replicates, seed, level } : undefined;
        const budgetsFlag = flags.budgets.trim();
        const isoOptions: IsoflopOptions = {
          vertex: keyword(flags.vertex, '--vertex', ['parabola', 'min-run'] as const),
          budgets: parseBudgets(budgetsFlag),
          tolerance: parseQuantity(flags.tolerance, '--tolerance', { plain: plainNumber.decades }),
        };
        const approaches: ApproachResult[] = [];
        // Approach 3's fit's warnings with their own codes and grades, for the JSON's {code, severity, message}.
        const fitWarnings = new Map<string, TrustWarning>();
        const skipped: { approach: number; reason: string }[] = [];
        const failures: unknown[] = [];
        // With --approach all, an approach the data cannot support is skipped with its reason;
        // asked for alone, the same problem is an error.
        const attempt = async (n: number, fn: () => Promise<ApproachResult> | ApproachResult) => {
          try {
            approaches.push(await fn());
          } catch (e) {
            if (which !== 'all' || !isScaleLabError(e)) throw e;
            skipped.push({ approach: n, reason: e.messageNaming(flagFor) });
            failures.push(e);
          }
        };
        if (which === '1' || which === 'all') await attempt(1, () => stepwise(approach1Steps(dataset, targets, boot)));
        if (which === '2' || which === 'all')
          await attempt(2, () => stepwise(approach2Steps(dataset, targets, isoOptions, boot)));
        if (which === '3' || which === 'all') {
          await attempt(3, async () => {
            // A law with no frontier (an exponent ≤ 0) is a fact about the data or the fit file: located there.
            const located = <T>(where: string, fn: () => T): T => {
              try {
                return fn();
              } catch (e) {
                if (e instanceof FitError) throw new InputError({ file: where }, e.message);
                throw e;
              }
            };
            if (flags.fit || flags.preset) {
              const src = resolveLaw({ fit: flags.fit, preset: flags.preset });
              checkAllocatable(src);
              const a3 = located(flags.fit ?? file, () =>
                approach3(src.law, src.params, targets, src.replicates, src.level, `parametric (${src.provenance})`),
              );
              // Its intervals are the fit file's replicates: what they drew is what the fit says it drew
              // (runs when it predates recorded units, or rows with fit --resample row). A preset has
              // no replicates, hence no interval and no unit.
              if (src.replicates.length) a3.unit = src.unit ?? 'run';
              if (src.fitWarnings?.some((w) => w.code === 'one-ratio')) a3.splitUnidentified = true;
              // A fit reduced to α = β: a = b = 0.5 is the tie's, said as plan --fit and report say it.
              else if (src.split?.splitUnidentifiedCode === 'reduced-law') {
                a3.splitUnidentified = true;
                a3.splitReason = src.split.splitUnidentified;
              }
              a3.intervalSource = flags.fit
                ? a3.replicates
                  ? `the fit's ${a3.replicates} bootstrap replicates (resampling ${a3.unit === 'lineage' ? 'whole lineages' : a3.unit === 'row' ? 'single rows' : 'runs'}; level ${src.level})`
                  : // frontier's own --bootstrap is Approaches 1 and 2's: Approach 3's replicates are made by fit, into the fit file.
                    `none: the fit has no bootstrap replicates (refit with scalelab fit … --bootstrap N --out ${flags.fit}, its data and other flags as before, to save them)`
                : 'none: a preset has no bootstrap replicates';
              // Not the file's runs: a preset is a published fit to its paper's runs, a saved fit is to its own data.
              a3.numbersFrom = flags.fit ? src.provenance : `${src.provenance}; a published fit, not fitted to ${file}`;
              // The table names it briefly; the header above it gives the whole provenance (the citation) once.
              a3.shortLabel = `parametric (law ${src.law.id}, ${flags.fit ? `fit ${flags.fit}` : `preset ${flags.preset}`})`;
              // How far each target reaches beyond the data behind the fit or preset: its C where the fit
              // recorded one, else the N and D a preset's paper states.
              const ranges = src.ranges?.C ? { C: src.ranges.C } : src.ranges;
              for (const t of a3.targets)
                a3.warnings.push(...targetWarnings(ranges, t, src.rangesOf ?? "the fit's data", src.rangesSource));
              return a3;
            }
            const law = getLaw(keyword(flags.law, '--law', allocatingLawIds()));
            // Every row, checkpoints too, as fit and plan fit it: its label says it is the law plan
            // allocates with, which it is only when fitted to the same rows (Approach 2's profiles take
            // each run's final checkpoint).
            checkLawData(law, dataset);
            const result = await fitParallel(law, dataset);
            const reps: Record<string, number>[] = [];
            let unit: ApproachResult['unit'];
            if (boot) {
              const bar = progress('bootstrap', boot.replicates, flags);
              const samples = await bootstrapParallel(result, {}, boot.replicates, boot.seed, {
                onProgress: (k) => bar.tick(k),
              });
              bar.stop();
              for (let r = 0; r < samples.replicates; r++)
                if (samples.converged[r]) reps.push(replicateParams(samples, r));
              unit = samples.unit === 'lineage' ? 'lineage' : 'run';
            }
            const a3 = located(file, () => approach3(law, result.params, targets, reps, level));
            const clusters = runClusters(dataset).count;
            if (clusters < dataset.runs.length)
              a3.rows = `every row, as fit and plan fit them: ${dataset.runs.length} checkpoints of ${clusters} runs`;
            // Which of the published recipes fitted it, said once above the tables: the Chinchilla form
            // fitted with its defaults is Hoffmann et al.'s recipe, the law an auto fit reports and plan
            // allocates with, not auto's average that predict gives. The recipe registry says whose law
            // that is (no law id is compared outside src/laws).
            if (getLaw(getProcedure('huber').law.law) === law) {
              a3.shortLabel = 'parametric fit (chinchilla, huber)';
              a3.label =
                "parametric fit: chinchilla by the huber recipe (Huber δ = 1e-3 on ln L, free α and β; Hoffmann et al. 2022 App. D.2), the law an auto fit reports and plan allocates with; its loss is that law's, not auto's average that predict gives";
            }
            // Its intervals come from the fit's bootstrap, which draws lineages as approaches 1 and 2 do.
            if (unit) a3.unit = unit;
            if (result.warnings.some((w) => w.code === 'one-ratio')) a3.splitUnidentified = true;
            for (const w of result.warnings) fitWarnings.set(w.message, w);
            a3.warnings.push(...result.warnings.map((w) => w.message));
            return a3;
          });
        }
        if (approaches.length === 0) {
          // Located at a bad row when one stopped them (a value out of range stops them all), with
          // every approach's reason after it, each said once.
          const byReason = new Map<string, number[]>();
          for (const s of skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.approach]);
          const reasons = [...byReason]
            .map(([reason, ns]) => `${ns.length === 1 ? 'approach' : 'approaches'} ${ns.join(' and ')}: ${reason}`)
            .join('; ');
          const row = failures.find((e): e is InputError => e instanceof InputError && (e.location.line ?? 0) > 1);
          if (row)
            throw new InputError(row.location, (o) => `${row.detailNaming(o)} (no approach could run: ${reasons})`);
          throw new UsageError(`no approach could run on ${file}: ${reasons}`);
        }
        // A target beyond the runs the approaches fitted is an extrapolation, said as predict and plan say it
        // (frontier printed 1e24 from runs up to 1e20 without a word).
        const computes = dataset.runs.flatMap((r) => (r.C === undefined ? [] : [r.C]));
        if (computes.length) {
          const range: [number, number] = [Math.min(...computes), Math.max(...computes)];
          for (const a of approaches)
            if (a.numbersFrom === undefined)
              for (const t of a.targets) a.warnings.push(...targetWarnings({ C: range }, t, `the runs of ${file}`));
        }
        // Runs that did not finish (a tracker's state column) are fitted as logged, and said, by every
        // approach fitted to the file (approach 3's fit says it among its own warnings already).
        const unfinished = unfinishedRuns(dataset);
        if (unfinished)
          for (const a of approaches)
            if (a.numbersFrom === undefined && !a.warnings.includes(unfinished)) a.warnings.push(unfinished);
        // The settings not typed, marked "(default)" where the output prints them.
        const defaulted = (['bootstrap', 'seed', 'level', 'tolerance'] as const).filter(
          (o) => cmd.getOptionValueSource(o) === 'default',
        );
        // Which runs count as on a budget is the tolerance's call: said where runs fell on none.
        for (const a of approaches)
          if (a.approach === 2)
            a.warnings = a.warnings.map((w) =>
              w.replace(
                / fell on no IsoFLOP budget /,
                ` fell on no IsoFLOP budget (budgets ±${isoOptions.tolerance} decades, ${defaulted.includes('tolerance') ? 'the default ' : ''}${flagFor('tolerance')}) `,
              ),
            );
        const agreements = [];
        for (let i = 0; i < approaches.length; i++)
          for (let j = i + 1; j < approaches.length; j++) agreements.push(agreement(approaches[i], approaches[j]));
        const summary = {
          source: file,
          runs: dataset.runs.length,
          ...(dataset.runs.every((r) => r.run !== undefined)
            ? { curves: new Set(dataset.runs.map((r) => r.run)).size }
            : {}),
          ...(dataset.selection ? { selection: dataset.selection } : {}),
          approaches,
          agreements,
          skipped,
          bootstrap: boot,
          ...(approaches.some((a) => a.approach === 2) ? { tolerance: isoOptions.tolerance } : {}),
          defaulted,
          ...(unfinished ? { warnings: [warning('unfinished-runs', 'warning', unfinished)] } : {}),
        };
        if (flags.json) {
          printResult(
            {
              ...summary,
              approaches: approaches.map((r) => {
                const { envelope, isoflop, ...rest } = r as ApproachResult & {
                  envelope?: unknown;
                  isoflop?: {
                    profiles: {
                      C: number;
                      N: number;
                      D: number;
                      loss: number;
                      runs: unknown[];
                      atEdge: boolean;
                      method: string;
                      unit?: 'lineage' | 'run' | 'residual';
                      vertexDiscrepancy?: number;
                    }[];
                    unassigned: unknown[];
                  };
                };
                void envelope;
                return {
                  ...rest,
                  warnings: rest.warnings.map((w) => frontierWarning(w, fitWarnings)),
                  ...(isoflop
                    ? {
                        profiles: isoflop.profiles.map((p) => ({
                          C: p.C,
                          N: p.N,
                          D: p.D,
                          loss: p.loss,
                          runs: p.runs.length,
                          atEdge: p.atEdge,
                          method: p.method,
                          ...(p.unit ? { unit: p.unit } : {}),
                          ...(p.vertexDiscrepancy !== undefined ? { vertexDiscrepancy: p.vertexDiscrepancy } : {}),
                        })),
                        unassigned: isoflop.unassigned.length,
                      }
                    : {}),
                };
              }),
            },
            file,
          );
        } else writeResult(frontierReport(summary, flagFor) + '\n', file);
      }, flags.json),
    );
}
