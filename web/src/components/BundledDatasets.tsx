import { useState } from 'react';
import { api } from '../lib/api.js';
import { toErrorInfo, type ErrorInfo } from '../lib/errors.js';
import type { LoadedDataset } from '../lib/loaded.js';
import { useApi } from '../hooks/useApi.js';

interface Props {
  current?: LoadedDataset;
  onOpen: (loaded: LoadedDataset) => void;
  onError: (error: ErrorInfo) => void;
}

/** The data sets the server bundles (examples/), one button each. */
export function BundledDatasets({ current, onOpen, onError }: Props) {
  const list = useApi(api.datasets);
  const [opening, setOpening] = useState<string>();

  const open = async (id: string, name: string) => {
    setOpening(id);
    try {
      onOpen({ dataset: await api.dataset(id), label: name, origin: 'bundled', key: id });
    } catch (e) {
      onError(toErrorInfo(e));
    } finally {
      setOpening(undefined);
    }
  };

  return (
    <div className="subsection">
      <h3>Bundled data sets</h3>
      {list.error && <p className="inline-error">{list.error}</p>}
      {list.loading && <p className="muted">Loading…</p>}
      <ul className="choices">
        {list.data?.datasets.map((d) => (
          <li key={d.id}>
            <button
              type="button"
              data-testid={`dataset-${d.id}`}
              className={current?.origin === 'bundled' && current.key === d.id ? 'choice active' : 'choice'}
              disabled={opening !== undefined}
              onClick={() => void open(d.id, d.name)}
              title={`${d.path}: ${d.description}`}
            >
              <span className="choice-title">{d.name}</span>
              <span className="choice-detail">{d.description}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
