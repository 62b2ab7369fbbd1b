/**
 * Talks to the fit worker. While a fit runs, newer requests replace each other: only the latest is
 * sent next, and the answer to a request that has been superseded is dropped, so quick changes of
 * settings never queue up work.
 */
import type { Dataset } from '../../../src/io/dataset.js';
import type { FitRequest, FitResponse, FitSettings } from './protocol.js';

type Callback = (response: FitResponse) => void;

export class FitClient {
  private readonly worker: Worker;
  private nextId = 1;
  private inFlight: { id: number; callback: Callback } | undefined;
  private pending: { request: FitRequest; callback: Callback } | undefined;

  constructor() {
    this.worker = new Worker(new URL('./fit.worker.ts', import.meta.url), { type: 'module', name: 'scalelab-fit' });
    this.worker.onmessage = (event: MessageEvent<FitResponse>) => this.receive(event.data);
    this.worker.onerror = (event: ErrorEvent) => {
      const current = this.inFlight;
      this.inFlight = undefined;
      current?.callback({ ok: false, id: current.id, error: { name: 'WorkerError', message: `the fit worker failed: ${event.message || 'it could not start'}` } });
    };
  }

  request(dataset: Dataset, settings: FitSettings, callback: Callback): void {
    const request: FitRequest = { id: this.nextId++, dataset, settings };
    if (this.inFlight) this.pending = { request, callback };
    else this.send(request, callback);
  }

  dispose(): void {
    this.worker.terminate();
    this.inFlight = this.pending = undefined;
  }

  private send(request: FitRequest, callback: Callback): void {
    this.inFlight = { id: request.id, callback };
    this.worker.postMessage(request);
  }

  private receive(response: FitResponse): void {
    const current = this.inFlight;
    this.inFlight = undefined;
    const next = this.pending;
    this.pending = undefined;
    if (next) this.send(next.request, next.callback);
    else if (current && current.id === response.id) current.callback(response);
  }
}
