/**
 * The compute-optimal frontier as text: each approach's exponents, its N_opt, D_opt and loss at the
 * target budgets, whether the approaches agree, and their warnings. Pure (data in, string out).
 */
import { formatInterval, formatNumber } from '../../core/format.js';
import { textTable } from '../../core/table.js';
import {
  APPROACH2_RESAMPLED,
  frontierLossSource,
  type ApproachResult,
  type BootstrapSettings,
} from '../../analyses/frontier.js';
import { libraryOption, renameOptions, type OptionNamer } from '../../errors/index.js';

const withInterval = (v: number, ci?: [number, number], digits = 4) =>
  ci ? `${formatNumber(v, digits)} ${formatInterval(ci, 3)}` : formatNumber(v, digits);

export function frontierReport(
  out: {
    source: string;
    runs: number;
    /** Distinct runs when the rows are checkpoints of training curves. */
    curves?: number;
    selection?: string;
    approaches: ApproachResult[];
    agreements: { statement: string }[];
    skipped: { approach: number; reason: string }[];
    bootstrap?: BootstrapSettings;
    /** The options the caller took at their defaults (`bootstrap`, `tolerance`, …): marked "(default)". */
    defaulted?: readonly string[];
  },
  name: OptionNamer = libraryOption,
): string {
  const lines: string[] = [];
  // An approach whose intervals come from elsewhere (Approach 3 from a saved fit or a preset) says so
  // itself; the bootstrap settings are said only when some approach used them.
  const own = out.approaches.filter((a) => a.intervalSource === undefined);
  const elsewhere = out.approaches
    .filter((a) => a.intervalSource !== undefined)
    .map((a) => `approach ${a.approach} intervals: ${a.intervalSource}`);
  // What each approach's replicates drew: the unit differs by approach (Approach 2 resamples residuals
  // where Approaches 1 and 3 draw runs), so one word for all of them would misstate some.
  const drawn = (approaches: ApproachResult[]) => {
    const each = approaches.flatMap((a) => (a.unit ? [`approach ${a.approach} ${approachResampled(a)}`] : []));
    return each.length ? `; ${each.join(', ')}` : '';
  };
  const bootstrapOf = (approaches: ApproachResult[]) =>
    out.bootstrap && out.bootstrap.replicates > 1
      ? `${Math.round(out.bootstrap.level * 100)} % intervals from ${out.bootstrap.replicates} bootstrap replicates (${out.defaulted?.includes('bootstrap') ? 'default; ' : ''}seed ${out.bootstrap.seed})${drawn(approaches)}`
      : `no intervals (${name('bootstrap')} 0)`;
  const boot = [...(own.length || !elsewhere.length ? [bootstrapOf(own)] : []), ...elsewhere].join('; ');
  const rows =
    out.curves !== undefined && out.curves < out.runs
      ? `${out.runs} checkpoints of ${out.curves} runs`
      : `${out.runs} runs`;
  const data = `${out.source} (${rows}${out.selection ? `; ${out.selection}` : ''})`;
  const borrowed = out.approaches.filter((a) => a.numbersFrom !== undefined);
  if (!borrowed.length) {
    lines.push(`Compute-optimal frontier: ${data}; ${boot}`);
    // An approach the table names briefly is said in full once here (Approach 3's recipe).
    for (const a of out.approaches)
      if (a.shortLabel !== undefined && a.shortLabel !== a.label) lines.push(`  approach ${a.approach}: ${a.label}`);
    lines.push(...rowLines(out.approaches));
    lines.push('');
  } else {
    // Approach 3 from a preset or a saved fit does not use the runs: each approach says where its numbers
    // come from, so the file's run count is not read as what the preset was fitted to.
    const fromRuns = out.approaches.filter((a) => a.numbersFrom === undefined);
    lines.push("Compute-optimal frontier; where each approach's numbers come from:");
    if (fromRuns.length)
      lines.push(
        `  ${fromRuns.length === 1 ? 'approach' : 'approaches'} ${fromRuns.map((a) => a.approach).join(' and ')}: ${data}; ${bootstrapOf(fromRuns)}`,
      );
    for (const a of borrowed)
      lines.push(
        `  approach ${a.approach}: ${a.numbersFrom}${a.intervalSource ? `; intervals: ${a.intervalSource}` : ''}`,
      );
    if (!fromRuns.length) lines.push(`  ${out.source}: its ${rows} are not used`);
    lines.push(...rowLines(fromRuns));
    lines.push('');
  }
  // Every approach counts compute as C = 6·N·D and gives D_opt from N_opt by it (so b = 1 − a): said
  // once, above the exponents and the targets it applies to.
  lines.push('N_opt ∝ C^a, D_opt ∝ C^b, with D_opt = C/(6·N_opt) (C = 6·N·D FLOPs), so b = 1 − a');
  lines.push(
    textTable(
      ['approach', 'a', 'b'],
      out.approaches.map((r) => [
        `${r.approach} ${r.shortLabel ?? r.label}`,
        // One-ratio runs: the split is the form's ("0.5 [0.5, 0.5]" under α = β), not measured.
        r.splitUnidentified ? `not identified (${formatNumber(r.a, 3)} assumed)` : withInterval(r.a, r.intervals.a),
        r.splitUnidentified ? `not identified (${formatNumber(r.b, 3)} assumed)` : withInterval(r.b, r.intervals.b),
      ]),
    ),
  );
  // Beside the interval it qualifies: Approach 2's measured coverage on small profiles, its held profiles.
  for (const r of out.approaches)
    if (r.intervalCoverage) lines.push(`  (approach ${r.approach} interval: ${r.intervalCoverage})`);
  const targets = out.approaches[0]?.targets.map((t) => t.C) ?? [];
  targets.forEach((C, k) => {
    lines.push('', `At C = ${formatNumber(C, 4)} FLOPs`);
    lines.push(
      textTable(
        ['approach', 'N_opt', 'D_opt', 'D/N', 'loss'],
        out.approaches.map((r) => {
          const t = r.targets[k];
          const assumed = (v: number) => `not identified (${formatNumber(v, 3)} assumed)`;
          return [
            String(r.approach),
            r.splitUnidentified ? assumed(t.N) : withInterval(t.N, t.intervals.N),
            r.splitUnidentified ? assumed(t.D) : withInterval(t.D, t.intervals.D),
            r.splitUnidentified
              ? assumed(t.tokensPerParameter)
              : withInterval(t.tokensPerParameter, t.intervals.tokensPerParameter, 3),
            t.loss === undefined ? '–' : withInterval(t.loss, t.intervals.loss),
          ];
        }),
      ),
    );
  });
  for (const r of out.approaches) {
    if (r.lossLaw && r.approach !== 3) lines.push(`  (approach ${r.approach} loss: ${frontierLossSource})`);
  }
  if (out.agreements.length) lines.push('', ...out.agreements.map((a) => a.statement));
  for (const r of out.approaches)
    if (r.splitReason) lines.push(`Approach ${r.approach}: ${r.splitReason}`);
    else if (r.splitUnidentified)
      lines.push(
        `Approach ${r.approach}: every run of its fit has one tokens-per-parameter ratio, so the data cannot tell the N term from the D term: its a, b and N and D apart are the law's assumed form, not a finding (its loss along the runs' ratio is the data's); add runs at other tokens per parameter`,
      );
  for (const s of out.skipped) lines.push(`Approach ${s.approach} skipped: ${s.reason}`);
  const warnings = approachWarnings(out.approaches);
  // A fit's warnings are kept in the library's words (`option "columns"`): said with the caller's names.
  if (warnings.length) lines.push('', 'Warnings:', ...warnings.map((w) => `  - ${renameOptions(w, name)}`));
  return lines.join('\n');
}

/** What an approach's bootstrap replicates resampled, as its header says it. */
export function approachResampled(
  a: Pick<ApproachResult, 'approach' | 'unit'> & { isoflop?: { profiles: { vertexDiscrepancy?: number }[] } },
): string {
  switch (a.unit) {
    case 'lineage':
      return 'resamples whole lineages';
    case 'residual':
      // The vertex-discrepancy term is claimed only where it was applied: with `--vertex min-run`, or
      // profiles of 5 sizes or fewer only, no profile carries it (an approach without its profiles, as a
      // stored report's, is said as the rule reads).
      return a.isoflop && !a.isoflop.profiles.some((p) => p.vertexDiscrepancy !== undefined)
        ? "resamples each IsoFLOP profile's residuals about its parabola (its sizes kept)"
        : `resamples ${APPROACH2_RESAMPLED}`;
    case 'row':
      return 'resamples single rows';
    default:
      return a.approach === 1
        ? 'resamples whole training curves (runs)'
        : a.approach === 2
          ? 'resamples runs within each IsoFLOP budget'
          : 'resamples runs';
  }
}

/**
 * Which rows each approach used, when the rows are checkpoints of runs: Approach 1 every checkpoint
 * (the envelope of curves), Approach 2 each run's final one, a parametric fit every row (as fit and plan).
 */
function rowLines(approaches: readonly Pick<ApproachResult, 'approach' | 'rows' | 'envelopePoints'>[]): string[] {
  return approaches.flatMap((a) => [
    ...(a.rows !== undefined ? [`  approach ${a.approach} rows: ${a.rows}`] : []),
    ...(a.envelopePoints ? [`  approach ${a.approach} envelope: ${envelopeLine(a.envelopePoints)}`] : []),
  ]);
}

/** Which envelope points Approach 1 fitted, and which it left out and why (the text and HTML reports). */
export function envelopeLine(c: NonNullable<ApproachResult['envelopePoints']>): string {
  if (c.edgesKept)
    return `all ${c.grid} compute points fitted, including those the smallest and largest models win by default (fewer than two sizes between them ever win)`;
  const out = [
    ...(c.smallest ? [`${c.smallest} won by the smallest model`] : []),
    ...(c.largest ? [`${c.largest} ${c.smallest ? 'by' : 'won by'} the largest model`] : []),
  ];
  return out.length
    ? `${c.fitted} of ${c.grid} compute points fitted; ${out.join(' and ')} left out (no smaller or larger model competes there, so they win by default)`
    : `all ${c.grid} compute points fitted (each won by a size between the smallest and the largest)`;
}

/**
 * The approaches' warnings, each said once: one that several approaches give (the data's lineages not
 * drawn, said by each approach that bootstraps) names them all.
 */
export function approachWarnings(approaches: readonly { approach: number; warnings: readonly string[] }[]): string[] {
  const by = new Map<string, number[]>();
  for (const a of approaches) for (const w of a.warnings) by.set(w, [...(by.get(w) ?? []), a.approach]);
  return [...by].map(([w, ns]) => {
    const which = [...new Set(ns)];
    return which.length === 1
      ? `approach ${which[0]}: ${w}`
      : `approaches ${which.slice(0, -1).join(', ')} and ${which[which.length - 1]}: ${w}`;
  });
}
