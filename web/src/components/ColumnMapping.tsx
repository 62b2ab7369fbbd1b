import { useEffect, useState, type FormEvent } from 'react';
import { parseRuns, type Field } from '../../../src/io/parseRuns.js';
import { toErrorInfo, withNextStep, type ErrorInfo } from '../lib/errors.js';
import type { LoadedDataset } from '../lib/loaded.js';
import { mappedFields, type PendingUpload } from '../lib/columns.js';
import { webAdvice } from '../lib/advice.js';
import { keepUpload } from '../lib/uploadStore.js';

interface Props {
  pending: PendingUpload;
  onOpen: (loaded: LoadedDataset) => void;
  onDismiss: () => void;
}

/** The upload's column step: which of the file's columns is N, D, C, loss …; the file is parsed again with that mapping. */
export function ColumnMapping({ pending, onOpen, onDismiss }: Props) {
  const [mapping, setMapping] = useState<Partial<Record<Field, string>>>(pending.guess);
  const [error, setError] = useState<ErrorInfo>();
  useEffect(() => {
    setMapping(pending.guess);
    setError(undefined);
  }, [pending]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const columns = Object.fromEntries(Object.entries(mapping).filter(([, v]) => v)) as Partial<Record<Field, string>>;
    try {
      const dataset = parseRuns(pending.text, { source: pending.name, columns });
      keepUpload({ name: pending.name, text: pending.text, columns });
      onOpen({ dataset, label: pending.name, origin: 'upload', key: `${pending.key}:${JSON.stringify(columns)}` });
    } catch (err) {
      setError(withNextStep(toErrorInfo(err), { again: 'upload the file again', columnStep: 'here' }));
    }
  };

  return (
    <section className="panel column-step" aria-labelledby="columns-heading" data-testid="column-step">
      <h2 id="columns-heading" tabIndex={-1}>
        Map the columns of {pending.name}
      </h2>
      <p>
        {pending.reason}. Say which column holds each field (N and D, or C with one of them, and the loss); leave the
        others empty.
      </p>
      <form onSubmit={submit} className="column-form">
        {mappedFields.map(({ field, label }) => (
          <label key={field} className="field">
            <span className="field-label">{label}</span>
            <select
              data-testid={`column-map-${field}`}
              value={mapping[field] ?? ''}
              onChange={(e) => setMapping({ ...mapping, [field]: e.target.value })}
            >
              <option value="">(none)</option>
              {pending.header.map((h) => (
                <option key={h} value={h}>
                  {h}
                </option>
              ))}
            </select>
          </label>
        ))}
        <div className="column-actions">
          <button type="submit" className="primary" data-testid="columns-open">
            Open with these columns
          </button>
          <button type="button" onClick={onDismiss}>
            Close
          </button>
        </div>
      </form>
      {error && (
        <p className="inline-error" role="alert" data-testid="columns-error">
          {webAdvice(error.message)}
          {error.next && (
            <>
              {' '}
              <span data-testid="columns-error-next">{error.next}</span>
            </>
          )}
        </p>
      )}
    </section>
  );
}
