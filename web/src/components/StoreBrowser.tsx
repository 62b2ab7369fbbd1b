import { useCallback, useEffect, useState } from 'react';
import { api } from '../lib/api.js';
import { toErrorInfo, type ErrorInfo } from '../lib/errors.js';
import { formatNumber } from '../lib/format.js';
import type { LoadedDataset } from '../lib/loaded.js';
import { groupOf, runGroups, studyData, studyDefaultGroups } from '../lib/runGroups.js';
import { useApi, type ApiState } from '../hooks/useApi.js';
import type { Studies, StudyRunsPage } from '../../../src/server/webApi.js';

interface Props {
  current?: LoadedDataset;
  studies: ApiState<Studies>;
  onOpen: (loaded: LoadedDataset) => void;
  onError: (error: ErrorInfo) => void;
}

/** Runs read beyond the first page ("show the next …"), for the study whose first page they follow. */
interface MoreRuns {
  study: string;
  runs: StudyRunsPage['runs'];
  total: number;
  more: boolean;
}

/**
 * The run store's studies; one opened shows its runs, and the study is fitted — which of its groups
 * (phases) is chosen in one place, the Fit settings' "Runs to fit", by default those `study run` fits
 * (lib/runGroups.ts).
 */
const formatCount = (n: number) => n.toLocaleString('en-US');

export function StoreBrowser({ current, studies, onOpen, onError }: Props) {
  const [selected, setSelected] = useState<string>();
  const load = useCallback((signal: AbortSignal) => api.studyRuns(selected!, signal), [selected]);
  const runs = useApi(selected ? load : undefined);
  const store = studies.data?.store;
  const data = runs.data;
  // A large study (150,000 runs) comes a page at a time: the first with the data set, the next on demand.
  const [more, setMore] = useState<MoreRuns>();
  const [moreState, setMoreState] = useState<{ loading: boolean; error?: string }>({ loading: false });
  useEffect(() => {
    setMore(undefined);
    setMoreState({ loading: false });
  }, [data]);
  const extra = more && data && more.study === data.study ? more : undefined;
  const shown = data ? [...data.runs, ...(extra?.runs ?? [])] : [];
  const total = extra?.total ?? data?.total ?? 0;
  const hasMore = extra ? extra.more : (data?.more ?? false);
  const showMore = () => {
    if (!data) return;
    setMoreState({ loading: true });
    api.studyRunsPage(data.study, shown.length).then(
      (page) => {
        // A sweep may have added runs meanwhile: a run already shown is not shown twice.
        const seen = new Set(shown.map((r) => r.id));
        setMore({
          study: data.study,
          runs: [...(extra?.runs ?? []), ...page.runs.filter((r) => !seen.has(r.id))],
          total: page.total,
          more: page.more,
        });
        setMoreState({ loading: false });
      },
      (e: Error) => setMoreState({ loading: false, error: e.message }),
    );
  };
  const groups = data ? runGroups(data.dataset) : [];
  // What opening it fits: the Fit settings start from these groups (lib/runGroups.ts).
  const fitted = data ? studyDefaultGroups(data.dataset) : [];
  const count = groups.filter((g) => fitted.length === 0 || fitted.includes(g.group)).reduce((n, g) => n + g.runs, 0);

  const fitStudy = () => {
    if (!data) return;
    if (data.dataset.runs.length === 0)
      return onError(toErrorInfo(new Error(`study ${data.study} has no completed runs yet`)));
    onOpen(studyData(data));
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
      {store && !store.exists && (
        <p className="muted">No run store at {store.path} yet: a sweep or "scalelab runs import" creates it.</p>
      )}
      {store?.exists && studies.data?.studies.length === 0 && (
        <p className="muted">The store at {store.path} has no studies.</p>
      )}
      <ul className="choices">
        {studies.data?.studies.map((s) => (
          <li key={s.name}>
            <button
              type="button"
              data-testid={`study-${s.name}`}
              className={
                selected === s.name || (current?.origin === 'study' && current.key === s.name)
                  ? 'choice active'
                  : 'choice'
              }
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
          {/* Scrolls on its own: focusable, so a keyboard can scroll it too (axe: scrollable-region-focusable). */}
          <div className="study-runs-table" tabIndex={0} role="region" aria-label={`runs of study ${selected}`}>
            <table className="compact">
              <thead>
                <tr>
                  <th>status</th>
                  <th>group</th>
                  <th>N</th>
                  <th>D</th>
                  <th>loss</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => (
                  <tr
                    key={r.id}
                    title={
                      [r.reason, r.leftOut === null ? null : `left out of the study's fit: ${r.leftOut}`]
                        .filter((t) => t !== null)
                        .join('; ') || undefined
                    }
                  >
                    <td className={`status status-${r.status}`}>
                      {r.status}
                      {r.leftOut !== null && ' (left out)'}
                    </td>
                    <td>{groupOf({ group: r.phase ?? undefined })}</td>
                    <td>{r.N === null ? '' : formatNumber(r.N, 3)}</td>
                    <td>{r.D === null ? '' : formatNumber(r.D, 3)}</td>
                    <td>{r.loss === null ? '' : formatNumber(r.loss, 4)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted" data-testid="study-runs-count">
            {shown.length < total
              ? `${formatCount(shown.length)} of ${formatCount(total)} runs`
              : `${formatCount(total)} ${total === 1 ? 'run' : 'runs'}`}
            {hasMore && (
              <>
                {' '}
                <button
                  type="button"
                  className="link"
                  data-testid="study-runs-more"
                  disabled={moreState.loading}
                  onClick={showMore}
                >
                  {moreState.loading
                    ? 'reading…'
                    : `show the next ${formatCount(Math.min(data!.limit, total - shown.length))}`}
                </button>
              </>
            )}
          </p>
          {moreState.error && <p className="inline-error">{moreState.error}</p>}
          {groups.length > 1 && (
            <p className="hint" data-testid="study-groups-hint">
              Which of its {groups.length} groups are fitted is chosen under &quot;Runs to fit&quot; in the Fit settings
              once it is open:{' '}
              {fitted.length
                ? `by default the runs "scalelab study run" fits (${fitted.join(' and ')}), not the learning-rate probes or the verification run.`
                : 'by default all of them, pooled.'}
            </p>
          )}
          <button type="button" className="primary" data-testid="fit-study" onClick={fitStudy}>
            Fit the {count} completed runs{fitted.length ? ` (${fitted.join(', ')})` : ''}
          </button>
        </div>
      )}
    </div>
  );
}
