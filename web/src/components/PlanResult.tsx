import type { Plan } from '../../../src/analyses/plan.js';
import type { ShapeCandidate } from '../../../src/model/shapeSearch.js';
import { formatInterval, formatNumber, humanCount } from '../lib/format.js';

function shapeText(c: ShapeCandidate): string {
  const s = c.shape;
  return `${s.nLayer} layers × d_model ${s.dModel}, ${s.nHeads} heads of ${s.headDim}, d_ff ${s.dFf} (${s.mlp}) → ${humanCount(c.parameters.total)} parameters`;
}

/** The recommendation, the rules of thumb under the same law, and the inference-aware model. */
export function PlanResult({ plan }: { plan: Plan }) {
  const r = plan.recommendation;
  const hw = plan.hardware;
  const inf = plan.inference;
  return (
    <div className="plan" data-testid="plan">
      <p>
        Budget <strong data-testid="plan-compute">{formatNumber(plan.compute, 4)}</strong> FLOPs
        {hw && ` (${hw.gpus} × ${hw.accelerator.name}, ${hw.days} days at MFU ${hw.mfu}; ${humanCount(hw.gpuHours)} GPU-hours)`}
      </p>
      <dl className="facts plan-facts">
        <dt>parameters N</dt>
        <dd>
          <strong data-testid="plan-N">{formatNumber(r.N, 4)}</strong> <span className="muted">({humanCount(r.N)}) {formatInterval(r.intervals.N, 3)}</span>
        </dd>
        <dt>tokens D</dt>
        <dd>
          <strong data-testid="plan-D">{formatNumber(r.D, 4)}</strong> <span className="muted">({humanCount(r.D)}) {formatInterval(r.intervals.D, 3)}</span>
        </dd>
        <dt>tokens per parameter</dt>
        <dd data-testid="plan-ratio">{formatNumber(r.tokensPerParameter, 3)}</dd>
        <dt>predicted loss</dt>
        <dd>
          <strong data-testid="plan-loss">{formatNumber(r.loss, 5)}</strong> <span className="muted">{formatInterval(r.intervals.loss, 4)}</span>
        </dd>
        <dt>shape</dt>
        <dd data-testid="plan-shape">{r.shape ? shapeText(r.shape) : 'none found within 5 %'}</dd>
        {r.days !== undefined && (
          <>
            <dt>wall-clock</dt>
            <dd data-testid="plan-days">{r.days.toFixed(1)} days</dd>
          </>
        )}
      </dl>
      <table className="compact">
        <caption>The same budget under the same law</caption>
        <thead>
          <tr>
            <th>allocation</th>
            <th className="num">N</th>
            <th className="num">D</th>
            <th className="num">D/N</th>
            <th className="num">loss</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">compute-optimal (recommended)</th>
            <td className="num">{formatNumber(r.N, 4)}</td>
            <td className="num">{formatNumber(r.D, 4)}</td>
            <td className="num">{formatNumber(r.tokensPerParameter, 3)}</td>
            <td className="num">{formatNumber(r.loss, 5)}</td>
          </tr>
          {plan.alternatives.map((a) => (
            <tr key={a.rule}>
              <th scope="row" title={a.citation}>
                {a.rule}
              </th>
              <td className="num">{formatNumber(a.N, 4)}</td>
              <td className="num">{formatNumber(a.D, 4)}</td>
              <td className="num">{formatNumber(a.tokensPerParameter, 3)}</td>
              <td className="num">{a.loss !== undefined ? formatNumber(a.loss, 5) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {inf && (
        <div className="inference" data-testid="plan-inference">
          <h3>Inference-aware (Sardana et al. 2024)</h3>
          <p>
            Serving {formatNumber(inf.inferenceTokens, 3)} tokens, the lifetime-optimal model reaching loss {formatNumber(inf.targetLoss, 5)} ({inf.targetFrom}) has{' '}
            <strong data-testid="plan-inference-N">{formatNumber(inf.optimal.N, 4)}</strong> parameters on {formatNumber(inf.optimal.D, 4)} tokens ({formatNumber(inf.optimal.tokensPerParameter, 3)} per parameter):{' '}
            {formatNumber(inf.sizeRatio, 3)}× the parameters on {formatNumber(inf.dataRatio, 3)}× the data, lifetime FLOPs {inf.flopsSaved >= 0 ? 'saved' : 'added'} {(Math.abs(inf.flopsSaved) * 100).toFixed(1)} %.
          </p>
        </div>
      )}
      <details>
        <summary>Assumptions</summary>
        <ul>
          <li>{plan.law.provenance}</li>
          {plan.assumptions.map((a) => (
            <li key={a}>{a}</li>
          ))}
        </ul>
      </details>
      {plan.warnings.length > 0 && (
        <ul className="warnings" data-testid="plan-warnings">
          {plan.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
