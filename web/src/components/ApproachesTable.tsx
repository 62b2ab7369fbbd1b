import { formatInterval, formatNumber } from '../lib/format.js';
import type { ApproachSummary } from '../worker/protocol.js';
import { useAdvice } from '../hooks/useAdvice.js';

interface Props {
  approaches: ApproachSummary[];
  skipped: { approach: number; reason: string }[];
  agreements: string[];
}

/** Chinchilla's three ways to the compute-optimal frontier: exponents and the prediction at the target. */
export function ApproachesTable({ approaches, skipped, agreements }: Props) {
  const advise = useAdvice();
  return (
    <section className="panel" aria-labelledby="approaches-heading">
      <h2 id="approaches-heading">Compute-optimal frontier</h2>
      {approaches.length > 0 && (
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
                    {a.approach}: {a.label}
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
