import { getLaw, lawChoiceFromJson } from '../../../src/laws/index.js';
import type { FitJson } from '../../../src/fit/summary.js';
import { formatInterval, formatNumber } from '../lib/format.js';
import { TableScroll } from './TableScroll.js';

/** Fitted parameters (with bootstrap intervals) and the law's derived quantities. */
export function ParamsTable({ fit }: { fit: FitJson }) {
  const law = getLaw(lawChoiceFromJson(fit));
  const level = fit.bootstrap ? `${Math.round(fit.bootstrap.level * 100)} % interval` : undefined;
  const derived = Object.entries(fit.derived);
  const specs = law.derived?.(fit.params) ?? {};

  return (
    <section className="panel" aria-labelledby="params-heading">
      <h2 id="params-heading">Parameters</h2>
      <TableScroll label="Fitted parameters">
        <table data-testid="params">
          <thead>
            <tr>
              <th>parameter</th>
              <th className="num">value</th>
              {level && <th className="num">{level}</th>}
              <th>meaning</th>
            </tr>
          </thead>
          <tbody>
            {law.params.map((p) => (
              <tr key={p.name}>
                <th scope="row">
                  {p.symbol}
                  {p.symbol !== p.name && <span className="muted"> ({p.name})</span>}
                </th>
                <td className="num" data-testid={`param-${p.name}`}>
                  {/* A parameter that ran off to infinity (a term switched off): "off", and why, as the CLI says it. */}
                  {fit.paramsOff?.[p.name] ? 'off' : formatNumber(fit.params[p.name], 5)}
                </td>
                {level && <td className="num">{formatInterval(fit.intervals?.[p.name])}</td>}
                <td className="muted">
                  {fit.paramsOff?.[p.name] ?? p.description}
                  {fit.fixed[p.name] !== undefined && ' (fixed)'}
                  {fit.ties[p.name] !== undefined && ` (tied to ${fit.ties[p.name]})`}
                </td>
              </tr>
            ))}
            {derived.map(([key, value]) => (
              <tr key={key} className="derived">
                <th scope="row">{specs[key]?.symbol ?? key}</th>
                <td className="num" data-testid={`derived-${key}`}>
                  {fit.derivedOff?.[key] ? 'none' : formatNumber(value, 4)}
                </td>
                {level && <td className="num">{formatInterval(fit.derivedIntervals?.[key])}</td>}
                <td className="muted">
                  {specs[key]?.description ?? ''}
                  {fit.derivedOff?.[key] && `: ${fit.derivedOff[key]}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}
