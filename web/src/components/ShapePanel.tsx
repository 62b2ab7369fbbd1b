import { useMemo } from 'react';
import catalogCsv from '../../../examples/published-models.csv?raw';
import { parseCatalog } from '../../../src/catalog/models.js';
import { nearestPublishedText, shapeTableHeader, shapeTableRows } from '../../../src/report/text/plan.js';
import { aspect, defaultShapeInputs, proposeShapes, type ShapeInputs } from '../lib/shapeInputs.js';
import { formatNumber } from '../../../src/core/format.js';
import { Field } from './Field.js';
import { TableScroll } from './TableScroll.js';

/** The bundled catalog of published models (as `scalelab shape` reads it). */
const catalog = parseCatalog(catalogCsv, 'examples/published-models.csv');

/**
 * Transformer shapes for a parameter count, as `scalelab shape --N` proposes them: the search's
 * ranked shapes (aspect ratio near 100, then size error) with their parameter counts, and the published
 * models nearest the target. Quick enough to follow the inputs as they are typed. `plannedN`: the
 * planner's recommended N, offered as the target.
 */
export function ShapePanel({
  plannedN,
  inputs,
  onChange: setInputs,
}: {
  plannedN?: number;
  inputs: ShapeInputs;
  onChange: (inputs: ShapeInputs) => void;
}) {
  const set = (k: keyof ShapeInputs) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setInputs({ ...inputs, [k]: e.target.value });

  const result = useMemo(() => proposeShapes(inputs, catalog), [inputs]);

  const isDefault = (k: keyof ShapeInputs) => inputs[k] === defaultShapeInputs[k];
  const dflt = (k: keyof ShapeInputs) => (isDefault(k) ? ' (default)' : '');
  const settings = [
    `${inputs.mlp} MLP${dflt('mlp')}`,
    `vocabulary ${inputs.vocab}${dflt('vocab')}`,
    `${inputs.tied ? 'tied' : 'untied'} embeddings${dflt('tied')}`,
    `context ${inputs.seqLen}${dflt('seqLen')}`,
    `GQA ${inputs.gqa}:1${dflt('gqa')}`,
    `${inputs.count === 'total' ? 'total' : 'non-embedding'} count${dflt('count')}`,
    `heads a multiple of ${inputs.headsMultiple}${dflt('headsMultiple')}`,
  ].join(', ');
  const first = result?.candidates?.[0];
  return (
    <section className="panel" data-testid="shape-panel" aria-labelledby="shape-heading">
      <h2 id="shape-heading">Model shape for a parameter count</h2>
      <p className="muted">
        Transformer shapes whose parameter count hits a target, as <code>scalelab shape</code> proposes them: ranked by
        how near d_model/n_layer lies to {aspect} (Kaplan et al. 2020 §3.1: loss is nearly flat from about 20 to 200),
        then by the size error (within 5 %).
      </p>
      <div className="form-grid">
        <Field label="parameters" hint="e.g. 7B, 1.3e9 (the planner's N)">
          <input
            value={inputs.N}
            onChange={set('N')}
            placeholder="7B"
            size={8}
            data-testid="shape-n"
            aria-invalid={result?.problems !== undefined}
          />
        </Field>
        {plannedN !== undefined && (
          <div className="field">
            <span className="field-label">or</span>
            <button
              type="button"
              className="inline"
              data-testid="shape-use-plan"
              onClick={() => setInputs({ ...inputs, N: formatNumber(plannedN, 4) })}
            >
              Use the plan&apos;s N ({formatNumber(plannedN, 4)})
            </button>
          </div>
        )}
        <Field label="count">
          <select value={inputs.count} onChange={set('count')} data-testid="shape-count">
            <option value="total">total (default)</option>
            <option value="nonEmbedding">non-embedding</option>
          </select>
        </Field>
        <Field label="MLP">
          <select value={inputs.mlp} onChange={set('mlp')} data-testid="shape-mlp">
            <option value="gated">gated (SwiGLU) (default)</option>
            <option value="plain">plain</option>
          </select>
        </Field>
        <Field label="vocabulary">
          <input value={inputs.vocab} onChange={set('vocab')} size={7} inputMode="numeric" data-testid="shape-vocab" />
        </Field>
        <Field label="context (tokens)">
          <input value={inputs.seqLen} onChange={set('seqLen')} size={6} inputMode="numeric" />
        </Field>
        <Field label="query heads per KV head (GQA)">
          <input value={inputs.gqa} onChange={set('gqa')} size={3} inputMode="numeric" />
        </Field>
        <Field label="heads a multiple of" hint="Tensor parallelism over k GPUs splits whole heads.">
          <input
            value={inputs.headsMultiple}
            onChange={set('headsMultiple')}
            size={3}
            inputMode="numeric"
            data-testid="shape-heads-multiple"
          />
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={inputs.tied}
            onChange={(e) => setInputs({ ...inputs, tied: e.target.checked })}
          />{' '}
          tie input and output embeddings
        </label>
      </div>
      {result?.problems && (
        <ul className="inline-error" role="status" data-testid="shape-error">
          {result.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {result?.candidates && first && (
        <div data-testid="shape-result">
          <TableScroll label="Shapes for the target size">
            <table className="compact" data-testid="shape-candidates">
              <caption>
                Shapes for {formatNumber(result.target, 4)} parameters (
                {inputs.count === 'total' ? 'total' : 'non-embedding'}
                ), with {settings}
              </caption>
              <thead>
                <tr>
                  {shapeTableHeader.map((h) => (
                    <th key={h} className={h === 'rank' ? undefined : 'num'}>
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shapeTableRows(result.candidates).map(([rank, ...cells]) => (
                  <tr key={rank}>
                    <th scope="row">{rank}</th>
                    {cells.map((cell, k) => (
                      <td key={k} className="num">
                        {cell}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <p data-testid="shape-nearest">{nearestPublishedText(result.nearest)}</p>
          {inputs.headsMultiple.trim() === '1' && first.shape.nHeads % 8 !== 0 && (
            <p className="muted" data-testid="shape-tp-note">
              Rank 1 has {first.shape.nHeads} heads, which do not split evenly over 8 GPUs of tensor parallelism; heads
              a multiple of 8 keeps only shapes that do.
            </p>
          )}
        </div>
      )}
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="shape-announcer">
        {first
          ? `Rank 1: ${first.shape.nLayer} layers × d_model ${first.shape.dModel}, ${formatNumber(first.parameters.total, 4)} parameters.`
          : ''}
      </p>
    </section>
  );
}
