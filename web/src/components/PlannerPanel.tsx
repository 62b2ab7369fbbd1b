import type { FitJson } from '../../../src/fit/summary.js';
import { accelerators } from '../../../src/hardware/catalog.js';
import { defaultHparamsPreset, hparamPresets } from '../../../src/hparams/laws.js';
import type { PlannerInputs, PlanState } from '../hooks/usePlan.js';
import { Field } from './Field.js';
import { PlanResult } from './PlanResult.js';
import { LandmarksTable } from './LandmarksTable.js';
import type { PlannerField } from '../lib/plannerNumbers.js';

/** The big run: a budget from GPUs × days × MFU (or in FLOPs) and the current fit → N, D, shape, loss. */
interface Props {
  fit?: FitJson;
  inputs: PlannerInputs;
  /** The plan for the fit and the inputs (usePlan), shared with the procedure panel. */
  state: PlanState;
  onChange: (inputs: PlannerInputs) => void;
  /** Why there is no plan (whyNoPlan): the same sentence the optimiser panel shows for its missing budget. */
  noPlan?: string;
}

export function PlannerPanel({ fit, inputs, state, onChange, noPlan }: Props) {
  const { plan, error, field, stale } = state;
  // A field that cannot be read says so at the field (or below the form): not said twice.
  const unavailable = error ? undefined : noPlan;
  const set = (key: keyof PlannerInputs) => (e: { target: { value: string } }) =>
    onChange({ ...inputs, [key]: e.target.value });
  /** A text input for a number, with its own message when it cannot be read. */
  const numberInput = (
    key: PlannerField,
    testId: string,
    extra: { inputMode?: 'numeric' | 'decimal'; placeholder?: string } = {},
  ) => (
    <input
      data-testid={testId}
      value={inputs[key]}
      onChange={set(key)}
      aria-invalid={field === key}
      aria-describedby={field === key ? 'planner-error' : undefined}
      {...extra}
    />
  );
  const fieldError = (key: PlannerField) =>
    field === key && error ? (
      <span className="field-error" id="planner-error" role="status" data-testid="planner-error">
        {error}
      </span>
    ) : undefined;

  return (
    <section className="panel" aria-labelledby="planner-heading">
      <h2 id="planner-heading">Plan the big run</h2>
      <div className="planner-form">
        <fieldset className="mode">
          <legend>Budget</legend>
          <label>
            <input
              type="radio"
              name="budget-mode"
              data-testid="planner-mode-hardware"
              checked={inputs.mode === 'hardware'}
              onChange={() => onChange({ ...inputs, mode: 'hardware' })}
            />
            a cluster
          </label>
          <label>
            <input
              type="radio"
              name="budget-mode"
              data-testid="planner-mode-flops"
              checked={inputs.mode === 'flops'}
              onChange={() => onChange({ ...inputs, mode: 'flops' })}
            />
            FLOPs
          </label>
        </fieldset>
        {inputs.mode === 'hardware' ? (
          <>
            <Field label="GPUs" hint={fieldError('gpus')}>
              {numberInput('gpus', 'planner-gpus', { inputMode: 'numeric' })}
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
            <Field label="Days" hint={fieldError('days')}>
              {numberInput('days', 'planner-days', { inputMode: 'decimal' })}
            </Field>
            <Field label="MFU" hint={fieldError('mfu') ?? '0.4 or 40%'}>
              {numberInput('mfu', 'planner-mfu')}
            </Field>
          </>
        ) : (
          <Field label="Training FLOPs" hint={fieldError('flops') ?? 'e.g. 1e24'}>
            {numberInput('flops', 'planner-flops')}
          </Field>
        )}
        <Field
          label="Inference tokens"
          hint={fieldError('inferenceTokens') ?? 'Lifetime; e.g. 1e13 or 2T (empty: none)'}
        >
          {numberInput('inferenceTokens', 'planner-inference', { placeholder: 'none' })}
        </Field>
        <Field
          label="Unique tokens"
          hint={fieldError('uniqueTokens') ?? 'The data available, repeated in epochs as needed (empty: no cap)'}
        >
          {numberInput('uniqueTokens', 'planner-unique', { placeholder: 'no cap' })}
        </Field>
        <Field
          label="Learning-rate preset"
          wide
          hint={`η and batch for the run, as scalelab plan takes them from a preset: ${hparamPresets.find((p) => p.id === inputs.hparamsPreset)?.citation ?? ''}`}
        >
          <select data-testid="planner-hparams-preset" value={inputs.hparamsPreset} onChange={set('hparamsPreset')}>
            {hparamPresets.map((p) => (
              <option key={p.id} value={p.id}>
                {p.id} (in {p.variable}){p.id === defaultHparamsPreset ? ' (default)' : ''}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {unavailable && (
        <p className="muted" data-testid="planner-unavailable">
          {unavailable}
        </p>
      )}
      {error && !field && (
        <p className="inline-error" role="status" id="planner-error" data-testid="planner-error">
          {error}
        </p>
      )}
      {plan && stale && (
        <p className="muted" data-testid="plan-stale">
          Showing the plan for the last inputs that could be read.
        </p>
      )}
      {plan && <PlanResult plan={plan} />}
      <LandmarksTable fit={fit} />
    </section>
  );
}
