import { useMemo } from 'react';
import type { Plan } from '../../../src/analyses/plan.js';
import { predictEnsemble, type EnsemblePrediction } from '../../../src/fit/candidate.js';
import { loadFit, type CandidateJson, type FitJson } from '../../../src/fit/summary.js';
import type { Point } from '../../../src/laws/index.js';
import { formatInterval, formatNumber, humanCount } from '../lib/format.js';
import { TrustWarnings } from './TrustWarnings.js';
import { TableScroll } from './TableScroll.js';

const levels = [0.8, 0.95];

/** Where the candidates are compared: the planner's recommended run, else 10× the largest N and D in the data. */
function comparisonPoint(fit: FitJson, plan: Plan | undefined): { point: Point; label: string } {
  if (plan) {
    const r = plan.recommendation;
    return {
      point: { N: r.N, D: r.D, C: plan.compute },
      label: `the planner's run: C = ${formatNumber(plan.compute, 3)} FLOPs, N = ${humanCount(r.N)}, D = ${humanCount(r.D)} (compute-optimal under ${fit.procedure?.chosen ?? fit.law}'s law)`,
    };
  }
  const N = 10 * (fit.data.ranges.N?.[1] ?? NaN),
    D = 10 * (fit.data.ranges.D?.[1] ?? NaN);
  return {
    point: { N, D, C: 6 * N * D },
    label: `10× the largest N and D in the data: N = ${humanCount(N)}, D = ${humanCount(D)}`,
  };
}

/** The fit as a fixed procedure's or a custom one's single candidate. */
function singleCandidate(fit: FitJson): CandidateJson {
  const p = fit.procedure;
  return {
    id: p?.chosen ?? fit.law,
    title: p?.title ?? fit.formula,
    citation: p?.citation ?? fit.citation,
    law: fit.law,
    variable: fit.variable,
    params: fit.params,
    weight: 1,
    folds: [],
  };
}

/**
 * How the law was fitted: the procedure and why, each candidate with its weight, parameters and what
 * it predicts at the planner's run (with the ensemble's prediction intervals: bootstrap, a run's
 * scatter and the extrapolation term, as `scalelab predict`), reductions said plainly.
 */
export function ProcedurePanel({ fit, plan }: { fit: FitJson; plan?: Plan }) {
  const proc = fit.procedure;
  const { point, label } = useMemo(() => comparisonPoint(fit, plan), [fit, plan]);
  const prediction = useMemo((): EnsemblePrediction | string => {
    try {
      // The same members `scalelab predict --fit` reads from the fit's JSON.
      const { members } = loadFit(JSON.stringify(fit), fit.data.source);
      return predictEnsemble(members, point, levels, { maxC: fit.data.ranges.C?.[1] });
    } catch (e) {
      return (e as Error).message;
    }
  }, [fit, point]);
  if (!proc) return null;
  const candidates = proc.candidates ?? [singleCandidate(fit)];
  const memberValue = (id: string) =>
    typeof prediction === 'string' ? undefined : prediction.members.find((m) => m.id === id)?.value;

  return (
    <section className="panel" aria-labelledby="procedure-heading" data-testid="procedure">
      <h2 id="procedure-heading">
        Procedure: <span data-testid="procedure-id">{proc.id}</span>
      </h2>
      {proc.id === 'auto' ? (
        <p data-testid="procedure-reason">
          The candidates&apos; predictions are averaged in ln L with the weights below. Why these weights: {proc.reason}
          .
        </p>
      ) : (
        <p data-testid="procedure-reason">
          <strong>{proc.id}</strong>: {proc.title}
          {proc.citation && <span className="muted"> ({proc.citation})</span>}.
        </p>
      )}
      {proc.reduction && (
        <p className="reduction" data-testid="procedure-reduction">
          <strong>
            Reduced to {fit.law}
            {fit.variable ? ` in ${fit.variable}` : ''}:
          </strong>{' '}
          {proc.reduction}.
        </p>
      )}
      <p>
        Predictions at {label}:{' '}
        {typeof prediction === 'string' ? (
          <span className="inline-error">{prediction}</span>
        ) : (
          <span data-testid="procedure-prediction">
            <strong>{formatNumber(prediction.value, 5)}</strong>
            {levels.map((l) =>
              prediction.intervals[String(l)]
                ? ` ${Math.round(l * 100)} % ${formatInterval(prediction.intervals[String(l)], 4)}`
                : '',
            )}
            {Object.keys(prediction.intervals).length === 0 && (
              <span className="muted"> (no interval: choose bootstrap replicates)</span>
            )}
          </span>
        )}
      </p>
      <TableScroll label="Candidate procedures">
        <table className="compact" data-testid="candidates">
          <thead>
            <tr>
              <th>candidate</th>
              <th>recipe</th>
              <th className="num">weight</th>
              <th>fitted parameters</th>
              <th className="num">predicts there</th>
            </tr>
          </thead>
          <tbody>
            {candidates.map((c) => {
              const v = memberValue(c.id);
              return (
                <tr key={c.id} data-testid={`candidate-${c.id}`}>
                  <th scope="row">{c.id}</th>
                  <td>
                    {c.title}
                    <br />
                    <span className="muted">{c.citation}</span>
                  </td>
                  <td className="num" data-testid={`candidate-${c.id}-weight`}>
                    {Math.round(c.weight * 100)} %
                  </td>
                  <td>
                    {c.error ? (
                      <span className="inline-error">cannot fit: {c.error}</span>
                    ) : (
                      Object.entries(c.params ?? {})
                        .map(([k, x]) => `${k} = ${formatNumber(x, 4)}`)
                        .join(', ')
                    )}
                    {c.reduction && (
                      <p className="reduction">
                        <strong>Reduced</strong> ({c.law}
                        {c.variable ? ` in ${c.variable}` : ''}): {c.reduction}
                      </p>
                    )}
                    {c.warnings && proc.candidates && <TrustWarnings warnings={c.warnings} compact />}
                  </td>
                  <td className="num">{v !== undefined && Number.isFinite(v) ? formatNumber(v, 5) : '–'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}
