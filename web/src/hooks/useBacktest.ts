/**
 * The rolling-origin back-test, in a worker of its own (started on first use) so that fits stay
 * fast while it runs: on demand (`run`), or after every change of data or back-test settings when
 * `withFit` is on. A result is only ever shown with the data set it was computed from, and says
 * which settings it was computed with.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Dataset } from '../../../src/io/dataset.js';
import type { ErrorInfo } from '../lib/errors.js';
import { WorkerClient } from '../worker/workerClient.js';
import { backtestWorkerName, type BacktestOutcome, type BacktestSettings } from '../worker/protocol.js';

export interface BacktestState {
  running: boolean;
  /** Procedures fitted at cutoffs so far, of all. */
  progress?: { done: number; total: number };
  outcome?: BacktestOutcome;
  error?: ErrorInfo;
  /** The settings of the outcome (or error) shown. */
  settings?: BacktestSettings;
  run: () => void;
}

interface Shown {
  dataset?: Dataset;
  running: boolean;
  progress?: { done: number; total: number };
  outcome?: BacktestOutcome;
  error?: ErrorInfo;
  settings?: BacktestSettings;
}

export function useBacktest(dataset: Dataset | undefined, settings: BacktestSettings, withFit: boolean): BacktestState {
  const client = useRef<WorkerClient | undefined>(undefined);
  const [state, setState] = useState<Shown>({ running: false });

  useEffect(
    () => () => {
      client.current?.dispose();
      client.current = undefined;
    },
    [],
  );

  // A back-test can take many seconds: one for other data or settings is stopped, not waited for
  // (and not left showing as running, should its data set be opened again).
  const stop = () => {
    if (!client.current?.busy) return;
    client.current.dispose();
    client.current = undefined;
    setState((s) => (s.running ? { running: false } : s));
  };
  useEffect(stop, [dataset]);

  const run = useCallback(() => {
    if (!dataset) return;
    stop();
    client.current ??= new WorkerClient(backtestWorkerName);
    setState((s) => ({ ...(s.dataset === dataset ? s : {}), dataset, running: true, progress: undefined }));
    client.current.backtest(
      dataset,
      settings,
      (response) => {
        if (response.ok) {
          const { ok: _ok, id: _id, ...outcome } = response;
          setState({ dataset, running: false, outcome, settings });
        } else setState({ dataset, running: false, error: response.error, settings });
      },
      ({ done, total }) => setState((s) => (s.dataset === dataset ? { ...s, progress: { done, total } } : s)),
    );
  }, [dataset, settings]);

  useEffect(() => {
    if (withFit) run();
  }, [withFit, run]);

  if (!dataset || state.dataset !== dataset) return { running: false, run };
  return { ...state, run };
}
