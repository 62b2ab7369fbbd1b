/** Call the server every `intervalMs` (and at once), keeping the last good answer when a poll fails. */
import { useEffect, useState } from 'react';

export interface PollState<T> {
  data?: T;
  error?: string;
  /** When the last answer arrived. */
  at?: Date;
}

export function usePolling<T>(
  load: ((signal: AbortSignal) => Promise<T>) | undefined,
  intervalMs: number,
): PollState<T> {
  const [state, setState] = useState<PollState<T>>({});

  useEffect(() => {
    setState({});
    if (!load) return;
    let controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const poll = () => {
      controller = new AbortController();
      load(controller.signal)
        .then(
          (data) => setState({ data, at: new Date() }),
          (e: Error) => {
            if (e.name !== 'AbortError') setState((s) => ({ ...s, error: e.message }));
          },
        )
        .finally(() => {
          if (!stopped) timer = setTimeout(poll, intervalMs);
        });
    };
    poll();
    return () => {
      stopped = true;
      controller.abort();
      clearTimeout(timer);
    };
  }, [load, intervalMs]);

  return state;
}
