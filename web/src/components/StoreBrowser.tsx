import { useCallback, useState } from 'react';
import { api } from '../lib/api.js';
import { toErrorInfo, type ErrorInfo } from '../lib/errors.js';
import { formatNumber } from '../lib/format.js';
import type { LoadedDataset } from '../lib/loaded.js';
import { useApi, type ApiState } from '../hooks/useApi.js';
import type { Studies } from '../../../src/server/webApi.js';

interface Props {
  current?: LoadedDataset;
  studies: ApiState<Studies>;
  onOpen: (loaded: LoadedDataset) => void;
  onError: (error: ErrorInfo) => void;
}

const shownRuns = 12;

/** The run store's studies; one opened shows its runs and can be fitted. */
export function StoreBrowser({ current, studies, onOpen, onError }: Props) {
  const [selected, setSelected] = useState<string>();
  const load = useCallback((signal: AbortSignal) => api.studyRuns(selected!, signal), [selected]);
  const runs = useApi(selected ? load : undefined);
  const store = studies.data?.store;

  const fitStudy = () => {
    if (!runs.data) return;
    if (runs.data.dataset.runs.length === 0) return onError(toErrorInfo(new Error(`study ${runs.data.study} has no completed runs yet`)));
    onOpen({ dataset: runs.data.dataset, label: `study ${runs.data.study}`, origin: 'study', key: runs.data.study });
  };

  return (
    <div className="subsection">
      <h3>
        Run store{' '}
        <button type="button" className="link" onClick={studies.reload} title="Read the store again">
          refresh
        </button>
      </h3>
      {studies.error && <p className="inline-error">{studies.error}</p>}
      {store && !store.exists && <p className="muted">No run store at {store.path} yet: a sweep or "scalelab runs import" creates it.</p>}
      {store?.exists && studies.data?.studies.length === 0 && <p className="muted">The store at {store.path} has no studies.</p>}
      <ul className="choices">
        {studies.data?.studies.map((s) => (
          <li key={s.name}>
            <button
              type="button"
              data-testid={`study-${s.name}`}
              className={selected === s.name || (current?.origin === 'study' && current.key === s.name) ? 'choice active' : 'choice'}
              onClick={() => setSelected(s.name)}
            >
              <span className="choice-title">{s.name}</span>
              <span className="choice-detail">
                {s.completed} of {s.runs} runs completed
              </span>
            </button>
          </li>
        ))}
      </ul>
      {selected && runs.error && <p className="inline-error">{runs.error}</p>}
      {selected && runs.data && (
        <div className="study-runs" data-testid="study-runs">
          <table className="compact">
            <thead>
              <tr>
                <th>status</th>
                <th>N</th>
                <th>D</th>
                <th>loss</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.runs.slice(0, shownRuns).map((r) => (
                <tr key={r.id} title={r.reason ?? undefined}>
                  <td className={`status status-${r.status}`}>{r.status}</td>
                  <td>{r.N === null ? '' : formatNumber(r.N, 3)}</td>
                  <td>{r.D === null ? '' : formatNumber(r.D, 3)}</td>
                  <td>{r.loss === null ? '' : formatNumber(r.loss, 4)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {runs.data.runs.length > shownRuns && <p className="muted">… and {runs.data.runs.length - shownRuns} more</p>}
          <button type="button" className="primary" data-testid="fit-study" onClick={fitStudy}>
            Fit the {runs.data.dataset.runs.length} completed runs
          </button>
        </div>
      )}
    </div>
  );
}
