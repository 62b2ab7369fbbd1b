import { useMemo, useState } from 'react';
import { Field } from './Field.js';
import { fileText } from '../lib/upload.js';
import { curvePrediction, readCurveFit, type CurveFitFileJson, type ScheduleForm } from '../lib/curvePrediction.js';
import bundled from '../../../examples/studies/moby-curves/fit-multi-power.json';
import { CURVE_EXTRAPOLATION } from '../../../src/analyses/curveLaws.js';
import { formatNumber } from '../../../src/core/format.js';

const initial: ScheduleForm = {
  kind: 'cosine',
  steps: 2000,
  peakLr: 5.7e-3,
  warmupSteps: 50,
  decayFrac: 0.2,
  decayShape: 'linear',
  minLrFrac: 0.1,
};

/**
 * A whole training curve predicted for a chosen learning-rate schedule, from a curve-law fit
 * (`scalelab curve-law fit --out`; the moby-curves study's multi-power fit to start with).
 */
export function CurveLawPanel() {
  // Through the same reader as an upload: its extrapolation term comes from where its runs end.
  const [file, setFile] = useState<{ name: string; fit: CurveFitFileJson }>(() => ({
    name: 'moby-curves (multi-power)',
    fit: readCurveFit(JSON.stringify(bundled), 'moby-curves (multi-power)'),
  }));
  const [which, setWhich] = useState(0);
  const [form, setForm] = useState<ScheduleForm>(initial);
  const [error, setError] = useState<string>();
  const result = useMemo(() => {
    try {
      return { ok: curvePrediction(file.fit, Math.min(which, file.fit.fits.length - 1), form) };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }, [file, which, form]);
  // The boxes' text as typed (an empty box stays empty, not 0); the form holds its number, NaN when empty.
  const [typed, setTyped] = useState<Partial<Record<keyof ScheduleForm, string>>>({});
  const num = (k: keyof ScheduleForm) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setTyped({ ...typed, [k]: e.target.value });
    setForm({ ...form, [k]: e.target.value.trim() === '' ? NaN : Number(e.target.value) });
  };
  const shown = (k: keyof ScheduleForm) => typed[k] ?? String(form[k]);
  return (
    <section className="panel" data-testid="curve-law-panel" aria-labelledby="curve-law-heading">
      <h2 id="curve-law-heading">Training curve under a schedule</h2>
      <p className="muted">
        From {file.name}: the loss curve a curve law (Tissue et al. 2024, Luo et al. 2025) predicts for the schedule
        below, with its 95 % interval for a new run (beyond the fitted runs' last checkpoint it widens by the
        extrapolation term, {formatNumber(CURVE_EXTRAPOLATION * 100, 2)} % of the loss per decade of steps, as on the
        command line).
      </p>
      <div className="form-grid">
        <Field label="curve-law fit (JSON)">
          <input
            type="file"
            accept=".json"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              if (!f) return;
              try {
                setFile({ name: f.name, fit: readCurveFit(await fileText(f, f.name), f.name) });
                setWhich(0);
                setError(undefined);
              } catch (err) {
                setError((err as Error).message);
              }
            }}
          />
        </Field>
        <Field label="model size">
          <select value={which} onChange={(e) => setWhich(Number(e.target.value))}>
            {file.fit.fits.map((g, i) => (
              <option key={i} value={i}>
                {g.N ? `N = ${g.N}` : 'fit'}
              </option>
            ))}
          </select>
        </Field>
        <Field label="schedule">
          <select
            data-testid="curve-schedule"
            value={form.kind}
            onChange={(e) => setForm({ ...form, kind: e.target.value as ScheduleForm['kind'] })}
          >
            {['constant', 'cosine', 'linear', 'wsd'].map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </Field>
        <Field label="steps">
          <input data-testid="curve-steps" type="number" min={2} value={shown('steps')} onChange={num('steps')} />
        </Field>
        <Field label="peak learning rate">
          <input type="number" step="any" value={shown('peakLr')} onChange={num('peakLr')} />
        </Field>
        <Field label="warmup steps">
          <input type="number" min={0} value={shown('warmupSteps')} onChange={num('warmupSteps')} />
        </Field>
        {form.kind === 'wsd' && (
          <Field label="decay fraction">
            <input
              data-testid="curve-decay-frac"
              type="number"
              step="0.05"
              min={0.01}
              max={0.99}
              value={shown('decayFrac')}
              onChange={num('decayFrac')}
            />
          </Field>
        )}
        {form.kind === 'wsd' && (
          <Field label="decay shape">
            <select
              value={form.decayShape}
              onChange={(e) => setForm({ ...form, decayShape: e.target.value as ScheduleForm['decayShape'] })}
            >
              {['linear', 'cosine', 'sqrt'].map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </Field>
        )}
      </div>
      {error && <p className="error">{error}</p>}
      {result.error && (
        <p className="error" role="status" data-testid="curve-error">
          {result.error}
        </p>
      )}
      {result.ok && (
        <>
          <p data-testid="curve-final">
            Predicted final loss {result.ok.final.toFixed(4)}
            {result.ok.interval
              ? ` (95 % interval ${result.ok.interval[0].toFixed(4)}–${result.ok.interval[1].toFixed(4)})`
              : ''}
          </p>
          {result.ok.degenerate && (
            <ul className="warnings" data-testid="curve-degenerate">
              <li>
                The fit's own prediction lies outside its bootstrap replicates' interval: its parameters are degenerate,
                so neither the prediction nor the interval is to be trusted (fit more runs, or the other law).
              </li>
            </ul>
          )}
          {result.ok.frozen.length > 0 && (
            <ul className="warnings" data-testid="curve-frozen">
              <li>
                Every bootstrap replicate kept {result.ok.frozen.join(' and ')} at one value: the refits ended at a
                limit of the law where they have no gradient, so the law's interval leaves out their uncertainty. On the
                back-tests such fits' intervals for a new run (widened by the extrapolation term, chosen on those same
                cases) held 95 % of the Gemstones' losses and missed on moby, whose fits rest on two runs
                (docs/methods.md §35): fit more runs, or longer ones, to narrow it down.
              </li>
            </ul>
          )}
          <div className="curve-figure" dangerouslySetInnerHTML={{ __html: result.ok.svg }} />
        </>
      )}
    </section>
  );
}
