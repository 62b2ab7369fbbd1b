/**
 * Fit the data set in the worker whenever it or the settings change. While a refit for new
 * settings runs, the last result stays on screen; a result is only ever shown with the data set it
 * was computed from.
 */
import { useEffect, useRef, useState } from 'react';
import type { Dataset } from '../../../src/io/dataset.js';
import type { ErrorInfo } from '../lib/errors.js';
import { WorkerClient } from '../worker/workerClient.js';
import { fitWorkerName, type FitOutcome, type FitSettings } from '../worker/protocol.js';

export interface FitState {
  running: boolean;
  outcome?: FitOutcome;
  error?: ErrorInfo;
}

export function useFit(dataset: Dataset | undefined, settings: FitSettings): FitState {
  const client = useRef<WorkerClient | undefined>(undefined);
  const [state, setState] = useState<FitState & { dataset?: Dataset }>({ running: false });

  useEffect(() => {
    const c = new WorkerClient(fitWorkerName);
    client.current = c;
    return () => {
      c.dispose();
      client.current = undefined;
    };
  }, []);

  useEffect(() => {
    if (!dataset) return;
    setState((s) => ({ ...s, running: true }));
    client.current?.fit(dataset, settings, (response) => {
      if (response.ok) {
        const { ok: _ok, id: _id, ...outcome } = response;
        setState({ dataset, running: false, outcome });
      } else setState({ dataset, running: false, error: response.error });
    });
  }, [dataset, settings]);

  if (!dataset) return { running: false };
  if (state.dataset !== dataset) return { running: true };
  return { running: state.running, outcome: state.outcome, error: state.error };
}
