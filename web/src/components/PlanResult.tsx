import { Fragment } from 'react';
import type { Plan } from '../../../src/analyses/plan.js';
import type { ShapeCandidate } from '../../../src/model/shapeSearch.js';
import { formatInterval, formatNumber, humanCount } from '../lib/format.js';
import { useAdvice } from '../hooks/useAdvice.js';
import { planTrainingLines } from '../../../src/report/text/plan.js';
import { TableScroll } from './TableScroll.js';

/** plan's training lines by their label, as the page's test ids: the wall-clock time is shown on its own above. */
const trainingLineIds: Record<string, string> = {
  'learning rate': 'plan-learning-rate',
  'critical batch': 'plan-critical-batch',
  'batch trade-off': 'plan-batch-tradeoff',
  '': 'plan-critical-batch-note',
};

function shapeText(c: ShapeCandidate): string {
  const s = c.shape;
  return `${s.nLayer} layers × d_model ${s.dModel}, ${s.nHeads} heads of ${s.headDim}, d_ff ${s.dFf} (${s.mlp}) → ${humanCount(c.parameters.total)} parameters`;
}

/**
 * Where the law's loss comes from, as `plan` and the report say it: the reported law at the recommended
 * N and D, its interval the law's alone (its bootstrap replicates, no run-to-run scatter), so that it is
 * not read as the new run's interval below it.
 */
function lawLossSource(plan: Plan): string {
  const r = plan.recommendation;
  const interval = r.intervals.loss
    ? `${formatInterval(r.intervals.loss, 4)} ${Math.round(r.level * 100)} % interval of the law alone (${r.replicates} bootstrap replicates, no run-to-run scatter); `
    : '';
  return `${interval}the reported law at this N and D`;
}

/**
 * An allocation's interval with its level and what it rests on, as plan prints it ("95 % intervals from
 * 200 bootstrap replicates"): a bare [a, b] beside N or D read as a range of unknown meaning.
 */
function allocationInterval(plan: Plan, interval: [number, number] | undefined): string {
  const r = plan.recommendation;
  return interval
    ? `${formatInterval(interval, 3)} ${Math.round(r.level * 100)} % interval (${r.replicates} bootstrap replicates)`
    : '';
}

/**
 * The recommendation, the rules of thumb under the same law, and — first, when inference tokens are
 * set, since it is what they are set for — the inference-aware model, with a plain note when training
 * it takes more than the budget.
 */
export function PlanResult({ plan }: { plan: Plan }) {
  const advise = useAdvice();
  const r = plan.recommendation;
  const hw = plan.hardware;
  const inf = plan.inference;
  const over = inf ? inf.optimal.trainingFlops / plan.compute : 0;
  return (
    <div className="plan" data-testid="plan">
      {inf && (
        <div className="inference" data-testid="plan-inference">
          <h3>
            Recommended for serving {formatNumber(inf.inferenceTokens, 3)} tokens (inference-aware, Sardana et al. 2024)
          </h3>
          <p className="answer">
            <strong data-testid="plan-inference-N">{formatNumber(inf.optimal.N, 4)}</strong> parameters (
            {humanCount(inf.optimal.N)}) on <strong>{formatNumber(inf.optimal.D, 4)}</strong> tokens (
            {humanCount(inf.optimal.D)}, {formatNumber(inf.optimal.tokensPerParameter, 3)} per parameter), training
            FLOPs {formatNumber(inf.optimal.trainingFlops, 3)}
            {inf.days !== undefined && `, ${inf.days.toFixed(1)} days on this cluster`}.
          </p>
          {over > 1.0005 && (
            <p className="over-budget" role="note" data-testid="plan-inference-over">
              Training it takes {formatNumber(over, 3)}× the budget ({formatNumber(inf.optimal.trainingFlops, 3)} FLOPs
              against {formatNumber(plan.compute, 3)}
              {hw && inf.days !== undefined ? `: ${inf.days.toFixed(1)} days instead of ${hw.days}` : ''}): it reaches
              the same loss as the compute-optimal run for fewer lifetime FLOPs, but not within this budget.
            </p>
          )}
          <p>
            It reaches loss {formatNumber(inf.targetLoss, 5)} ({inf.targetFrom}) with {formatNumber(inf.sizeRatio, 3)}×
            the parameters on {formatNumber(inf.dataRatio, 3)}× the data of the compute-optimal model below; lifetime
            FLOPs {inf.flopsSaved >= 0 ? 'saved' : 'added'} {(Math.abs(inf.flopsSaved) * 100).toFixed(1)} %.
          </p>
          {inf.shape && <p data-testid="plan-inference-shape">Shape: {shapeText(inf.shape)}</p>}
          <h3>Compute-optimal for the budget (no inference counted)</h3>
        </div>
      )}
      <p data-testid="plan-budget">
        Budget <strong data-testid="plan-compute">{formatNumber(plan.compute, 4)}</strong> FLOPs
        {hw &&
          ` (${hw.gpus} × ${hw.accelerator.name}${plan.assumed?.accelerator ? ' (default)' : ''}, ${hw.days} days at MFU ${hw.mfu}${plan.assumed?.mfu ? ' (default)' : ''}; ${humanCount(hw.gpuHours)} GPU-hours)`}
      </p>
      <p className="source" data-testid="plan-law">
        Law: {plan.law.formula}; {plan.law.provenance}
      </p>
      <dl className="facts plan-facts">
        <dt>parameters N</dt>
        <dd>
          <strong data-testid="plan-N">{formatNumber(r.N, 4)}</strong>{' '}
          <span className="muted" data-testid="plan-N-interval">
            ({humanCount(r.N)}) {allocationInterval(plan, r.intervals.N)}
          </span>
        </dd>
        <dt>tokens D</dt>
        <dd>
          <strong data-testid="plan-D">{formatNumber(r.D, 4)}</strong>{' '}
          <span className="muted" data-testid="plan-D-interval">
            ({humanCount(r.D)}) {allocationInterval(plan, r.intervals.D)}
          </span>
        </dd>
        <dt>tokens per parameter</dt>
        <dd data-testid="plan-ratio">{formatNumber(r.tokensPerParameter, 3)}</dd>
        <dt>loss under the law</dt>
        <dd>
          <strong data-testid="plan-loss">{formatNumber(r.loss, 5)}</strong>{' '}
          <span className="muted" data-testid="plan-loss-source">
            {lawLossSource(plan)}
          </span>
        </dd>
        {r.forRun && (
          <>
            <dt>loss for a new run</dt>
            <dd>
              <strong data-testid="plan-loss-run">{formatNumber(r.forRun.loss, 5)}</strong>{' '}
              <span className="muted" data-testid="plan-loss-run-source">
                {r.forRun.interval
                  ? `${formatInterval(r.forRun.interval, 4)} ${Math.round(r.forRun.level * 100)} % prediction interval for one run (replicates, a run's scatter and the extrapolation term); `
                  : ''}
                as the Procedure panel and scalelab predict give it:{' '}
                {r.forRun.members.length > 1
                  ? `the mean of ${r.forRun.members.length} candidates' ln L̂ (${r.forRun.members.map((m) => `${m.id} ${formatNumber(m.value, 4)}`).join(', ')})`
                  : 'the law'}
              </span>
            </dd>
          </>
        )}
        <dt>N and D from</dt>
        <dd className="muted" data-testid="plan-allocation">
          {r.allocationSource}
        </dd>
        <dt>shape</dt>
        <dd data-testid="plan-shape">{r.shape ? shapeText(r.shape) : 'none found within 5 %'}</dd>
        {r.days !== undefined && (
          <>
            <dt>wall-clock</dt>
            <dd data-testid="plan-days">{r.days.toFixed(1)} days</dd>
          </>
        )}
        {/* The learning rate, batch and critical batch in plan's own words and sources (planTrainingLines). */}
        {planTrainingLines(plan)
          .filter(([label]) => label !== 'wall-clock')
          .map(([label, text]) => (
            <Fragment key={`${label}:${text}`}>
              <dt>{label}</dt>
              <dd data-testid={trainingLineIds[label]}>{text}</dd>
            </Fragment>
          ))}
      </dl>
      <TableScroll label="The same budget under the same law">
        <table className="compact">
          <caption>The same budget under the same law</caption>
          <thead>
            <tr>
              <th>allocation</th>
              <th className="num">N</th>
              <th className="num">D</th>
              <th className="num">D/N</th>
              <th className="num">loss</th>
              <th>source</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">compute-optimal (recommended)</th>
              <td className="num">{formatNumber(r.N, 4)}</td>
              <td className="num">{formatNumber(r.D, 4)}</td>
              <td className="num">{formatNumber(r.tokensPerParameter, 3)}</td>
              <td className="num">{formatNumber(r.loss, 5)}</td>
              <td className="source">the law&apos;s optimum (above)</td>
            </tr>
            {plan.alternatives.map((a) => (
              <tr key={a.rule}>
                <th scope="row">{a.rule}</th>
                <td className="num">{formatNumber(a.N, 4)}</td>
                <td className="num">{formatNumber(a.D, 4)}</td>
                <td className="num">{formatNumber(a.tokensPerParameter, 3)}</td>
                <td className="num">{a.loss !== undefined ? formatNumber(a.loss, 5) : ''}</td>
                <td className="source">{a.citation}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <h4 id="plan-assumptions-heading">Assumptions and where the numbers come from</h4>
      <ul className="assumptions" aria-labelledby="plan-assumptions-heading" data-testid="plan-assumptions">
        {plan.assumptions.map((a) => (
          <li key={a}>{a}</li>
        ))}
      </ul>
      {plan.warnings.length > 0 && (
        <ul className="warnings" data-testid="plan-warnings">
          {plan.warnings.map((w) => (
            <li key={w.message}>
              {w.severity}: {advise(w.message)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
