/**
 * The rolling-origin back-test as text: per cutoff, per procedure, per extrapolation ratio. Pure.
 */
import { formatNumber, formatPercent, formatRange } from '../../core/format.js';
import { textTable } from '../../core/table.js';
import type { RollingBacktestResult } from '../../analyses/rollingBacktest.js';
import { libraryOption, renameOptions, type OptionNamer } from '../../errors/index.js';

const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : formatPercent(x, 2));
const signed = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} %`;

/** The back-test's settings its caller left at their defaults, marked so in the text. */
export interface BacktestDefaults {
  replicates?: boolean;
  cutoffs?: boolean;
  procedures?: boolean;
}

/**
 * The interval line: level, replicates, unit, seed, and what else each interval holds (a run's scatter,
 * the extrapolation term with its τ); then the cutoffs and procedures, each marked where it is a default.
 */
function intervalLine(r: RollingBacktestResult, name: OptionNamer, defaults: BacktestDefaults): string {
  const dflt = (on: boolean | undefined, option: string) => (on ? ` (default, ${name(option)})` : '');
  const settings = `${r.cutoffs.length} cutoff${r.cutoffs.length === 1 ? '' : 's'}${dflt(defaults.cutoffs, 'folds')}, procedures ${r.procedures.join(', ')}${dflt(defaults.procedures, 'procedures')}`;
  if (!r.replicates) return `Intervals: none (${name('bootstrap')} 0); ${settings}.`;
  return (
    `Intervals: ${r.levels.map((l) => `${Math.round(l * 100)} %`).join(' and ')} prediction intervals from ${r.replicates} bootstrap replicates${dflt(defaults.replicates, 'bootstrap')} resampling ${resampled(r.unit)} (seed ${r.seed}), ` +
    `plus a run's scatter and the extrapolation term (a standard deviation of τ·log10(1 + C/C_max) in ln L, τ = ${r.extrapolationScale}, C_max the fitted runs' largest C); ${settings}.`
  );
}

/**
 * @param name how to name an option in the text (the CLI passes its flags)
 * @param defaults which settings the caller left at their defaults
 */
export function backtestReport(
  r: RollingBacktestResult,
  name: OptionNamer = libraryOption,
  defaults: BacktestDefaults = {},
): string {
  const lines: string[] = [];
  const lv = r.levels.map((l) => `${Math.round(l * 100)} %`);
  lines.push(
    `Rolling-origin back-test of ${r.source}: at each cutoff in ${r.by}, every procedure is fitted to the runs at or below it and predicts every run above it (scored at the run's final checkpoint).`,
  );
  lines.push(intervalLine(r, name, defaults));
  const lineages = r.lineages;
  if (lineages)
    lines.push(
      `Lineages: the data name ${lineages}. A lineage's runs share most of their training (cooldown branches of one trunk), so a lineage is fitted only when all its runs are at or below the cutoff; one that reaches above it is left out of the fit whole, its runs below the cutoff withheld (neither fitted nor scored).`,
    );
  for (const w of r.warnings) lines.push(`Warning: ${renameOptions(w.message, name)}.`);
  lines.push('');
  const withheld = r.cutoffs.some((c) => c.withheld > 0);
  // Each procedure's worst error at each cutoff: a summary's worst (300 % at Chinchilla's first cutoff,
  // a 5-parameter law fitted to 6 runs) is otherwise not traced to the thin fit that made it.
  const worstAt = (cutoff: number, procedure: string) => {
    const errs = r.predictions
      .filter((p) => p.cutoff === cutoff && p.procedure === procedure)
      .map((p) => Math.abs(p.relativeError));
    return errs.length ? Math.max(...errs) : undefined;
  };
  lines.push(
    textTable(
      ['cutoff', 'fitted', 'predicted', ...(withheld ? ['withheld'] : []), ...r.procedures.map((p) => `worst ${p}`)],
      r.cutoffs.map((c) => [
        `${r.by} ≤ ${formatNumber(c.cutoff, 4)}`,
        String(c.fitRuns),
        String(c.heldOut),
        ...(withheld ? [String(c.withheld)] : []),
        ...r.procedures.map((p) => pct(worstAt(c.cutoff, p))),
      ]),
    ),
  );
  lines.push('');
  lines.push('Over all cutoffs (|L̂ − L|/L; bias > 0 means the loss was over-predicted):');
  lines.push(
    textTable(
      ['procedure', 'predictions', 'mean |err|', 'worst', 'bias', ...lv.map((l) => `in ${l}`)],
      r.summaries.map((s) => [
        s.procedure,
        String(s.predictions),
        pct(s.meanAbsRelativeError),
        pct(s.worstAbsRelativeError),
        s.predictions ? signed(s.bias) : '–',
        ...r.levels.map((l) => pct(s.coverage[String(l)])),
      ]),
    ),
  );
  for (const s of r.summaries)
    for (const f of s.failures)
      lines.push(`  ${s.procedure} could not be fitted at ${r.by} ≤ ${formatNumber(f.cutoff, 4)}: ${f.reason}`);
  if (r.bins.length) {
    lines.push('');
    lines.push("Mean |err| by how far the prediction reaches (compute over the fit set's largest):");
    lines.push(
      textTable(
        ['compute ratio', ...r.procedures],
        r.bins.map((b) => [
          `${formatRange(b.range, (x) => (Number.isFinite(x) ? String(x) : '∞'))}×`,
          ...r.procedures.map((p) => {
            const x = b.byProcedure[p];
            return x ? `${pct(x.meanAbsRelativeError)} (${x.predictions})` : '–';
          }),
        ]),
      ),
    );
  }
  const auto = r.summaries.find((s) => s.procedure === 'auto');
  if (auto?.choices?.length) {
    lines.push('');
    lines.push("auto's candidates at each cutoff (weights above 5 %; with unequal weights, the best-scored first):");
    for (const c of auto.choices) {
      const all = Object.values(c.weights).filter((v) => v > 0);
      // The default rule weighs its candidates equally: none was chosen, whatever law the report shows.
      const equal = all.length > 1 && Math.max(...all) - Math.min(...all) < 1e-9;
      const w = Object.entries(c.weights)
        .filter(([, v]) => v >= 0.05)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${(v * 100).toFixed(0)} %`)
        .join(', ');
      lines.push(`  ${r.by} ≤ ${formatNumber(c.cutoff, 4)}: ${equal ? 'equal weights' : c.chosen} (${w})`);
    }
  }
  return lines.join('\n');
}

/** What a bootstrap resampled, in words. */
export function resampled(unit: 'lineage' | 'run' | 'row' | undefined): string {
  return unit === 'lineage' ? 'whole lineages' : unit === 'row' ? 'single rows' : 'whole runs';
}
