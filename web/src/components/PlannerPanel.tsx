import type { FitJson } from '../../../src/fit/summary.js';
import { accelerators } from '../../../src/hardware/catalog.js';
import type { PlannerInputs, PlanState } from '../hooks/usePlan.js';
import { Field } from './Field.js';
import { PlanResult } from './PlanResult.js';
import { LandmarksTable } from './LandmarksTable.js';

/** The big run: a budget from GPUs × days × MFU (or in FLOPs) and the current fit → N, D, shape, loss. */
interface Props {
  fit?: FitJson;
  inputs: PlannerInputs;
  /** The plan for the fit and the inputs (usePlan), shared with the procedure panel. */
  state: PlanState;
  onChange: (inputs: PlannerInputs) => void;
}

export function PlannerPanel({ fit, inputs, state, onChange }: Props) {
  const { plan, error, unavailable } = state;
  const set = (key: keyof PlannerInputs) => (e: { target: { value: string } }) => onChange({ ...inputs, [key]: e.target.value });

  return (
    <section className="panel" aria-labelledby="planner-heading">
      <h2 id="planner-heading">Plan the big run</h2>
      <div className="planner-form">
        <fieldset className="mode">
          <legend>Budget</legend>
          <label>
            <input type="radio" name="budget-mode" data-testid="planner-mode-hardware" checked={inputs.mode === 'hardware'} onChange={() => onChange({ ...inputs, mode: 'hardware' })} />
            a cluster
          </label>
          <label>
            <input type="radio" name="budget-mode" data-testid="planner-mode-flops" checked={inputs.mode === 'flops'} onChange={() => onChange({ ...inputs, mode: 'flops' })} />
            FLOPs
          </label>
        </fieldset>
        {inputs.mode === 'hardware' ? (
          <>
            <Field label="GPUs">
              <input data-testid="planner-gpus" inputMode="numeric" value={inputs.gpus} onChange={set('gpus')} />
            </Field>
            <Field label="GPU type" wide>
              <select data-testid="planner-gpu" value={inputs.gpu} onChange={set('gpu')}>
                {accelerators.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name} ({(a.peakFlops / 1e12).toFixed(0)} TFLOP/s)
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Days">
              <input data-testid="planner-days" inputMode="decimal" value={inputs.days} onChange={set('days')} />
            </Field>
            <Field label="MFU">
              <input data-testid="planner-mfu" inputMode="decimal" value={inputs.mfu} onChange={set('mfu')} />
            </Field>
          </>
        ) : (
          <Field label="Training FLOPs" hint="e.g. 1e24">
            <input data-testid="planner-flops" value={inputs.flops} onChange={set('flops')} />
          </Field>
        )}
        <Field label="Inference tokens" hint="Lifetime; e.g. 1e13 (empty: none)">
          <input data-testid="planner-inference" value={inputs.inferenceTokens} onChange={set('inferenceTokens')} placeholder="none" />
        </Field>
      </div>
      {unavailable && <p className="muted" data-testid="planner-unavailable">{unavailable}</p>}
      {error && (
        <p className="inline-error" role="status" data-testid="planner-error">
          {error}
        </p>
      )}
      {plan && <PlanResult plan={plan} />}
      <LandmarksTable fit={fit} />
    </section>
  );
}
