/**
 * The downstream analysis in a worker of its own (started on first use): per task a screen, two fits,
 * a back-test and a bootstrap of every target, which took the page for seconds on the main thread. A
 * new question stops the one in flight rather than wait for it; progress is counted in tasks.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TaskMetricSet } from '../../../src/io/parseTaskMetrics.js';
import type { ErrorInfo } from '../lib/errors.js';
import { WorkerClient } from '../worker/workerClient.js';
import { downstreamWorkerName, type DownstreamOutcome, type DownstreamSettings } from '../worker/protocol.js';

export interface DownstreamState {
  running: boolean;
  /** Tasks done so far, of all. */
  progress?: { done: number; total: number };
  outcome?: DownstreamOutcome;
  error?: ErrorInfo;
  run: (sets: TaskMetricSet[], settings: DownstreamSettings) => void;
  /** Forget the result shown (new files were chosen). */
  clear: () => void;
}

type Shown = Omit<DownstreamState, 'run' | 'clear'>;

export function useDownstream(): DownstreamState {
  const client = useRef<WorkerClient | undefined>(undefined);
  const [state, setState] = useState<Shown>({ running: false });

  const stop = useCallback(() => {
    if (!client.current?.busy) return;
    client.current.dispose();
    client.current = undefined;
  }, []);

  useEffect(
    () => () => {
      client.current?.dispose();
      client.current = undefined;
    },
    [],
  );

  const run = useCallback(
    (sets: TaskMetricSet[], settings: DownstreamSettings) => {
      stop();
      const c = (client.current ??= new WorkerClient(downstreamWorkerName));
      setState({ running: true });
      c.downstream(
        sets,
        settings,
        (response) => {
          if (client.current !== c) return;
          if (response.ok) {
            const { ok: _ok, id: _id, ...outcome } = response;
            setState({ running: false, outcome });
          } else setState({ running: false, error: response.error });
        },
        ({ done, total }) => {
          if (client.current === c) setState((s) => (s.running ? { ...s, progress: { done, total } } : s));
        },
      );
    },
    [stop],
  );

  const clear = useCallback(() => {
    stop();
    setState({ running: false });
  }, [stop]);

  return { ...state, run, clear };
}
