import { useCallback, useEffect, useState } from 'react';
import { api } from '../lib/api.js';
import { formatNumber } from '../lib/format.js';
import type { ApiState } from '../hooks/useApi.js';
import { usePolling } from '../hooks/usePolling.js';
import type { Studies } from '../../../src/server/webApi.js';
import { Field } from './Field.js';

const pollMs = 2000;

/** A study's live state in the run store, read every 2 s: runs done, failed and in flight, hours, best loss. */
export function SweepPanel({ studies }: { studies: ApiState<Studies> }) {
  const names = studies.data?.studies.map((s) => s.name) ?? [];
  const [study, setStudy] = useState<string>();
  // Follow the newest study until the user picks one.
  const newest = names.at(-1);
  useEffect(() => {
    if (study === undefined && newest !== undefined) setStudy(newest);
  }, [study, newest]);
  const load = useCallback((signal: AbortSignal) => api.progress(study!, signal), [study]);
  const { data: p, error, at } = usePolling(study ? load : undefined, pollMs);
  const share = (n: number) => (p && p.total ? `${((100 * n) / p.total).toFixed(0)}%` : '0%');

  return (
    <section className="panel" aria-labelledby="sweep-heading">
      <h2 id="sweep-heading">Sweep</h2>
      {names.length === 0 ? (
        <p className="muted">
          No studies in the run store yet. Start one with "scalelab study run" or "scalelab sweep run"; it shows here
          live.
        </p>
      ) : (
        <Field label="Study">
          <select data-testid="sweep-study" value={study ?? ''} onChange={(e) => setStudy(e.target.value)}>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </Field>
      )}
      {error && <p className="inline-error">{error}</p>}
      {p && (
        <div className="sweep" data-testid="sweep">
          <div
            className="progress"
            role="img"
            aria-label={`${p.done} of ${p.total} runs done, ${p.failed} failed${p.leftOut ? `, ${p.leftOut} left out` : ''}, ${p.inFlight} in flight`}
          >
            <span className="progress-done" style={{ width: share(p.done) }} />
            <span className="progress-failed" style={{ width: share(p.failed + p.leftOut) }} />
            <span className="progress-running" style={{ width: share(p.inFlight) }} />
          </div>
          <dl className="facts sweep-facts">
            <dt>done</dt>
            <dd>
              <strong data-testid="sweep-done">{p.done}</strong> of <span data-testid="sweep-total">{p.total}</span>
            </dd>
            <dt>failed</dt>
            <dd data-testid="sweep-failed">{p.failed}</dd>
            {p.leftOut > 0 && (
              <>
                <dt title="completed with a loss the study's fit cannot use (diverged)">left out</dt>
                <dd data-testid="sweep-left-out">{p.leftOut}</dd>
              </>
            )}
            <dt>in flight</dt>
            <dd data-testid="sweep-inflight">{p.inFlight}</dd>
            <dt>waiting</dt>
            <dd data-testid="sweep-planned">{p.planned}</dd>
            <dt>hours spent</dt>
            <dd data-testid="sweep-hours">
              {p.hoursSpent.toFixed(2)} of {p.hoursPlanned.toFixed(2)} planned
            </dd>
            <dt>best loss</dt>
            <dd data-testid="sweep-best">
              {p.bestLoss === null ? '—' : formatNumber(p.bestLoss, 5)}
              {p.best?.N != null && (
                <span className="muted">
                  {' '}
                  (N = {formatNumber(p.best.N, 3)}, D = {p.best.D === null ? '?' : formatNumber(p.best.D, 3)})
                </span>
              )}
            </dd>
          </dl>
          <p className="muted" data-testid="sweep-updated">
            Updated {at?.toLocaleTimeString()} (every {pollMs / 1000} s)
          </p>
        </div>
      )}
    </section>
  );
}
