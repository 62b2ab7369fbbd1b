/**
 * Load something from the server once (and again on reload), cancelling a request that is no longer
 * wanted. A failed reload keeps the last data and reports the error.
 */
import { useCallback, useEffect, useState } from 'react';

export interface ApiState<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload: () => void;
}

export function useApi<T>(load: ((signal: AbortSignal) => Promise<T>) | undefined): ApiState<T> {
  const [state, setState] = useState<Omit<ApiState<T>, 'reload'>>({ loading: load !== undefined });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    if (!load) {
      setState({ loading: false });
      return;
    }
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(controller.signal).then(
      (data) => setState({ data, loading: false }),
      (e: Error) => {
        if (e.name !== 'AbortError') setState((s) => ({ data: s.data, error: e.message, loading: false }));
      },
    );
    return () => controller.abort();
  }, [load, generation]);

  return { ...state, reload };
}
