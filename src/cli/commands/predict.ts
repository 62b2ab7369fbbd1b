import type { Command } from 'commander';
import { lawIds, lawIdsWithOption, type Point } from '../../laws/index.js';
import { EXTRAPOLATION_SCALE } from '../../fit/candidate.js';
import { lawSourceError, resolveLaw } from '../lawSource.js';
import { formatInterval, formatNumber } from '../../core/format.js';
import { UsageError } from '../../errors/index.js';
import { keyword, parseInteger, parseLevel, parseQuantity } from '../options.js';
import { printResult, writeResult } from '../output.js';
import { flag } from '../flags.js';
import { describePoint, predictAt } from '../../analyses/predictFit.js';
import type { Run } from '../output.js';

interface PredictFlags {
  fit?: string;
  preset?: string;
  law?: string;
  x: string;
  params?: string;
  breaks?: string;
  N?: string;
  D?: string;
  C?: string;
  U?: string;
  level?: string;
  json?: boolean;
}

/** A word of a suggested command line, quoted where a shell would split or read it. */
const shellWord = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : JSON.stringify(w));

/**
 * Given --C alone where the law takes N and D: which model at that C is meant is what `plan` answers (the
 * compute-optimal N and D, with the same law), so the error names that command with the law's own flags.
 */
function compromiseHint(flags: PredictFlags, point: Point, missing: readonly string[]): string {
  if (point.C === undefined || point.N !== undefined || !missing.includes('N') || !missing.includes('D')) return '';
  const law = flags.fit
    ? ['--fit', flags.fit]
    : flags.preset
      ? ['--preset', flags.preset]
      : flags.law && flags.params
        ? ['--law', flags.law, '--params', flags.params]
        : [];
  return `; or "scalelab plan --C ${[flags.C!, ...law].map(shellWord).join(' ')}" for the compute-optimal model at that C`;
}

export function registerPredict(program: Command, run: Run): void {
  program
    .command('predict')
    .description('predict the loss at a model size and token count from a saved fit (or given parameters)')
    // `predict fit.json --N …` is how a first-time user writes it: the file may come as an argument too.
    .argument('[fit-file]', 'a fit saved by "scalelab fit --out FILE" (the same as --fit FILE)')
    .addOption(flag('fit', { detail: 'or its --json output' }))
    .addOption(flag('law', { detail: `with --params instead of a fit: ${lawIds.join(', ')}` }))
    .addOption(flag('x', { detail: `of laws ${lawIdsWithOption('x').join(', ')}`, default: 'N' }))
    .addOption(flag('params'))
    .addOption(
      flag('breaks', {
        detail: `of --law ${lawIdsWithOption('breaks').join(', ')}: how many its --params describe (default 1); a fit brings its own`,
      }),
    )
    .addOption(flag('preset', { detail: 'e.g. epoch-2024, hoffmann-2022, kaplan-2020' }))
    .addOption(flag('N'))
    .addOption(flag('D'))
    .addOption(flag('C', { detail: 'D = C/(6N) when --D is absent' }))
    .option('--U <u>', 'unique tokens (data-constrained laws)')
    .addOption(flag('level', { detail: "when the fit has bootstrap replicates (default: the fit's)" }))
    .addOption(flag('json'))
    .addHelpText(
      'after',
      `
Examples:
  scalelab fit examples/chinchilla.csv --bootstrap 200 --out fit.json
  scalelab predict --fit fit.json --N 7e10 --D 1.4e12
  scalelab predict fit.json --N 70B --D 1.4T
  scalelab predict --law chinchilla --params E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28 --N 70B --D 1.4T`,
    )
    .action(async (fitFile: string | undefined, flags: PredictFlags) =>
      run(async () => {
        if (fitFile !== undefined) {
          if (flags.fit !== undefined && flags.fit !== fitFile)
            throw new UsageError(`two fits given: ${fitFile} (argument) and --fit ${flags.fit}; expected one fit file`);
          flags = { ...flags, fit: fitFile };
        }
        const source = resolveLaw({
          ...flags,
          x: keyword(flags.x, '--x', ['N', 'D', 'C'] as const),
          breaks: flags.breaks !== undefined ? parseInteger(flags.breaks, '--breaks', 0) : undefined,
        });
        const fit = { law: source.law, params: source.params, replicates: source.replicates };
        const fitUnit = source.unit ?? 'run';
        const point: Point = {};
        for (const v of ['N', 'D', 'C', 'U'] as const) {
          const raw = flags[v];
          if (raw !== undefined) point[v] = parseQuantity(raw, `--${v}`);
        }
        const missing = fit.law.inputs.filter(
          (v) =>
            point[v] === undefined &&
            !(v === 'D' && point.C !== undefined && point.N !== undefined) &&
            !(v === 'C' && point.N !== undefined && point.D !== undefined),
        );
        if (missing.length)
          throw new UsageError(
            `law ${fit.law.id} needs ${missing.map((v) => `--${v}`).join(' and ')}${missing.includes('D') ? ' (or --C with --N)' : ''}${compromiseHint(flags, point, missing)}`,
          );
        const level = flags.level ? parseLevel(flags.level) : source.level;
        const members = source.members ?? [
          { id: fit.law.id, law: fit.law, params: fit.params, replicates: fit.replicates, noise: [], weight: 1 },
        ];
        const basis = {
          law: fit.law,
          params: fit.params,
          members,
          level,
          ranges: source.ranges,
          rangesOf: source.rangesOf,
          rangesSource: source.rangesSource,
          fitWarnings: source.fitWarnings ?? [],
        };
        // The CLI's wording: its flags named, a fit file's field located by line and column.
        const prediction = predictAt(basis, point, (r) => {
          switch (r.code) {
            case 'unique-exceeds-total':
              return new UsageError(
                `--U ${formatNumber(r.U, 4)} unique tokens exceed the total tokens D = ${formatNumber(r.D, 4)}${r.derived ? ' (= C/(6N))' : ''}; expected U ≤ D (D/U is the number of epochs)`,
              );
            case 'compute-disagrees':
              return new UsageError(
                `--C ${formatNumber(r.C, 4)} disagrees with --N and --D: 6·N·D = ${formatNumber(r.sixND, 4)}; give --D or --C (D = C/(6N)), not both`,
              );
            case 'unvaried':
              return lawSourceError(
                source,
                ['data', 'ranges', r.variable],
                `the fit's runs all had ${r.variable} = ${formatNumber(r.value, 4)}: its ${r.variable} dependence is not determined by them, so it cannot predict at ${r.variable} = ${formatNumber(r.at, 4)} (refit on runs that vary ${r.variable})`,
              );
            case 'no-positive-loss':
              return lawSourceError(
                source,
                ['params'],
                `law ${fit.law.id} with ${Object.entries(fit.params)
                  .map(([k, v]) => `${k} = ${formatNumber(v)}`)
                  .join(', ')} gives loss ${r.loss} at ${describePoint(r.point)}: expected a positive, finite loss`,
              );
          }
        });
        const { loss, interval, lawInterval, replicates, extrapolation, warnings, point: resolved } = prediction;
        const maxC = source.ranges?.C?.[1];
        // N, D and C together: one follows from the others by C = 6·N·D, said beside the point.
        const sixND = isSixND(resolved);
        const out = {
          loss,
          ...(interval ? { interval, lawInterval, level, replicates, unit: fitUnit, extrapolation } : {}),
          ...(members.length > 1 ? { members: prediction.members } : {}),
          ...(source.procedure ? { procedure: source.procedure } : {}),
          point: resolved,
          ...(sixND ? { flops: 'C = 6·N·D' } : {}),
          law: fit.law.id,
          formula: fit.law.formula,
          params: fit.params,
          source: source.provenance,
          ...(source.note ? { note: source.note } : {}),
          warnings,
        };
        const where = source.origin && 'file' in source.origin ? source.origin.file : undefined;
        if (flags.json) return printResult(out, where);
        const pct = `${Math.round(level * 100)} %`;
        const lines = [
          `predicted loss ${formatNumber(loss, 6)}${interval ? `   ${pct} prediction interval ${formatInterval(interval)}` : ''}`,
          // C here is the law's convention, 6·N·D with N non-embedding: said where it is derived so.
          `  at ${describePoint(resolved).replace(/\bC = /, (m) => (isSixND(resolved) ? 'C = 6·N·D = ' : m))}`,
          ...(interval
            ? [
                `  the interval is for a new run: ${replicates} bootstrap replicates (${members.length > 1 ? `the ${members.length} candidates' together, ${members.map((m) => `${m.id} ${m.replicates.length}`).join(', ')}; ` : ''}whole ${fitUnit === 'lineage' ? 'lineages' : fitUnit === 'row' ? 'rows' : 'runs'} resampled), a run's scatter around the law and ${maxC !== undefined && extrapolation ? `the extrapolation term (σ = τ·log10(1 + C/C_max) = ${formatNumber(extrapolation.sd, 3)} on ln L, τ = ${EXTRAPOLATION_SCALE} chosen on the extrapolation benchmark, C_max = ${formatNumber(maxC, 4)} the fit's largest; docs/methods.md §26)` : "no extrapolation term (the fit's data give no largest C)"}${lawInterval ? `; ${members.length > 1 ? `the ${members.length} candidates' replicates together` : "the law's replicates"} alone, no run scatter or extrapolation term: ${formatInterval(lawInterval)}` : ''}`,
              ]
            : []),
          ...(members.length > 1
            ? [
                `  ${source.procedure ?? 'ensemble'}: the weighted mean of ${members.length} candidates' ln L̂ — ${prediction.members.map((m) => `${m.id} ${formatNumber(m.value, 5)} (${Math.round(m.weight * 100)} %)`).join(', ')}`,
              ]
            : []),
          `  law ${fit.law.id}: ${fit.law.formula} with ${Object.entries(fit.params)
            .map(([k, v]) => `${k} = ${formatNumber(v)}`)
            .join(', ')}${members.length > 1 ? " (the reported candidate's law, which plan and frontier use)" : ''}`,
          `  from ${source.provenance}`,
          // What the preset's N counts (and its loss's data): a 7B model counted otherwise is another point.
          ...(source.note ? [`  note: ${source.note}`] : []),
          ...(interval || !flags.fit
            ? []
            : // predict has no --bootstrap: the replicates are made by fit, saved in the fit file.
              [
                `  (no interval: the fit has no bootstrap replicates; refit with scalelab fit … --bootstrap N --out ${flags.fit}, its data and other flags as before)`,
              ]),
          ...warnings.map((w) => `  ${w.severity}: ${w.message}`),
        ];
        writeResult(lines.join('\n') + '\n', where);
      }, flags.json),
    );
}

/** Whether a point's C is 6·N·D of its own N and D. */
function isSixND(p: { N?: number; D?: number; C?: number }): boolean {
  const { N, D, C } = p;
  return N !== undefined && D !== undefined && C !== undefined && Math.abs(C / (6 * N * D) - 1) < 1e-9;
}
