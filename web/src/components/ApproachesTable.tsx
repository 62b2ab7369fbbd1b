import { formatInterval, formatNumber } from '../lib/format.js';
import type { ApproachSummary } from '../worker/protocol.js';
import { useAdvice } from '../hooks/useAdvice.js';
import { frontierLossSource } from '../../../src/analyses/frontier.js';
import { TableScroll } from './TableScroll.js';

interface Props {
  approaches: ApproachSummary[];
  skipped: { approach: number; reason: string }[];
  agreements: string[];
  /** The Fit settings' bootstrap replicates, behind the intervals (0: none). */
  replicates: number;
}

/**
 * Where the table's numbers come from, as frontier prints it: the intervals' bootstrap, Approach 3's
 * recipe in full (the table names it briefly) and the law Approaches 1 and 2 read a target's loss from.
 */
function approachSources(approaches: ApproachSummary[], replicates: number): string[] {
  const lines = [
    replicates > 1
      ? `Intervals: 95 % from ${replicates} bootstrap replicates (the Fit settings).`
      : 'No intervals: choose "Bootstrap replicates" in the Fit settings.',
  ];
  for (const a of approaches) {
    if (a.approach === 3 && a.shortLabel !== undefined && a.shortLabel !== a.label)
      lines.push(`Approach 3: ${a.label}.`);
    else if (a.approach !== 3 && a.targets.some((t) => t.loss !== undefined))
      lines.push(`Approach ${a.approach} loss: ${frontierLossSource}.`);
    // As frontier says it beside the interval: Approach 2's measured coverage on small profiles, held ones.
    if (a.intervalCoverage && replicates > 1) lines.push(`Approach ${a.approach} interval: ${a.intervalCoverage}.`);
  }
  return lines;
}

/** Chinchilla's three ways to the compute-optimal frontier: exponents and the prediction at the target. */
export function ApproachesTable({ approaches, skipped, agreements, replicates }: Props) {
  const advise = useAdvice();
  return (
    <section className="panel" aria-labelledby="approaches-heading">
      <h2 id="approaches-heading">Compute-optimal frontier</h2>
      {approaches.length > 0 && (
        <TableScroll label="Compute-optimal frontier by approach">
          <table data-testid="approaches">
            <thead>
              <tr>
                <th>approach</th>
                <th className="num">a (N_opt ∝ C^a)</th>
                <th className="num">b (D_opt ∝ C^b)</th>
                <th className="num">target C</th>
                <th className="num">N_opt</th>
                <th className="num">D_opt</th>
                <th className="num">loss</th>
              </tr>
            </thead>
            <tbody>
              {approaches.map((a) => {
                const t = a.targets[a.targets.length - 1];
                return (
                  <tr key={a.approach} data-testid={`approach-${a.approach}`}>
                    <th scope="row">
                      {a.approach}: {a.shortLabel ?? a.label}
                    </th>
                    <td className="num">
                      {formatNumber(a.a, 4)} <span className="muted">{formatInterval(a.intervals.a, 3)}</span>
                    </td>
                    <td className="num">
                      {formatNumber(a.b, 4)} <span className="muted">{formatInterval(a.intervals.b, 3)}</span>
                    </td>
                    <td className="num">{t ? formatNumber(t.C, 3) : ''}</td>
                    <td className="num">{t ? formatNumber(t.N, 4) : ''}</td>
                    <td className="num">{t ? formatNumber(t.D, 4) : ''}</td>
                    <td className="num">{t?.loss !== undefined ? formatNumber(t.loss, 5) : ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      )}
      {approaches.length > 0 && (
        <ul className="source" data-testid="approaches-sources">
          {approachSources(approaches, replicates).map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      )}
      {skipped.length > 0 && (
        <ul className="skipped" data-testid="approaches-skipped">
          {skipped.map((s) => (
            <li key={s.approach}>
              Approach {s.approach} skipped: {advise(s.reason)}
            </li>
          ))}
        </ul>
      )}
      {agreements.length > 0 && (
        <ul className="agreements">
          {agreements.map((a) => (
            <li key={a}>{advise(a)}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
