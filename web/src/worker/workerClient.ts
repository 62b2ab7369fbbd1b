/**
 * Talks to one worker. While a request runs, newer requests replace each other: only the latest is
 * sent next, and the answer to a request that has been superseded is dropped, so quick changes of
 * settings never queue up work. Progress messages go to the request they belong to, if current.
 */
import type { Dataset } from '../../../src/io/dataset.js';
import type { TaskMetricSet } from '../../../src/io/parseTaskMetrics.js';
import type {
  BacktestResponse,
  BacktestSettings,
  CompareResponse,
  CompareSettings,
  DownstreamResponse,
  DownstreamSettings,
  FitResponse,
  FitSettings,
  MupTransferResponse,
  MupTransferSettings,
  HparamsSweepResponse,
  HparamsSweepSettings,
  CriticalBatchResponse,
  CriticalBatchSettings,
  WorkerAnswer,
  WorkerMessage,
  WorkerProgress,
  WorkerRequest,
} from './protocol.js';

interface Pending {
  request: WorkerRequest;
  callback: (response: WorkerAnswer<unknown>) => void;
  onProgress?: (progress: WorkerProgress) => void;
}

export class WorkerClient {
  private readonly worker: Worker;
  private nextId = 1;
  private inFlight: Pending | undefined;
  private pending: Pending | undefined;

  /** `name` shows in the browser's developer tools: scalelab-fit, scalelab-backtest, scalelab-downstream, scalelab-compare, scalelab-mup, scalelab-hparams, scalelab-bcrit. */
  constructor(name: string) {
    this.worker = new Worker(new URL('./fit.worker.ts', import.meta.url), { type: 'module', name });
    this.worker.onmessage = (event: MessageEvent<WorkerMessage>) => this.receive(event.data);
    this.worker.onerror = (event: ErrorEvent) => {
      const current = this.inFlight;
      this.inFlight = undefined;
      current?.callback({
        ok: false,
        id: current.request.id,
        error: { name: 'WorkerError', message: `the ${name} worker failed: ${event.message || 'it could not start'}` },
      });
    };
  }

  fit(dataset: Dataset, settings: FitSettings, callback: (response: FitResponse) => void): void {
    this.request({ kind: 'fit', id: this.nextId++, dataset, settings }, callback as Pending['callback']);
  }

  backtest(
    dataset: Dataset,
    settings: BacktestSettings,
    callback: (response: BacktestResponse) => void,
    onProgress: (progress: WorkerProgress) => void,
  ): void {
    this.request(
      { kind: 'backtest', id: this.nextId++, dataset, settings },
      callback as Pending['callback'],
      onProgress,
    );
  }

  downstream(
    sets: TaskMetricSet[],
    settings: DownstreamSettings,
    callback: (response: DownstreamResponse) => void,
    onProgress: (progress: WorkerProgress) => void,
  ): void {
    this.request(
      { kind: 'downstream', id: this.nextId++, sets, settings },
      callback as Pending['callback'],
      onProgress,
    );
  }

  compare(
    dataset: Dataset,
    settings: CompareSettings,
    callback: (response: CompareResponse) => void,
    onProgress: (progress: WorkerProgress) => void,
  ): void {
    this.request(
      { kind: 'compare', id: this.nextId++, dataset, settings },
      callback as Pending['callback'],
      onProgress,
    );
  }

  mupTransfer(
    dataset: Dataset,
    settings: MupTransferSettings,
    callback: (response: MupTransferResponse) => void,
    onProgress: (progress: WorkerProgress) => void,
  ): void {
    this.request(
      { kind: 'mup-transfer', id: this.nextId++, dataset, settings },
      callback as Pending['callback'],
      onProgress,
    );
  }

  hparamsSweep(
    dataset: Dataset,
    settings: HparamsSweepSettings,
    callback: (response: HparamsSweepResponse) => void,
    onProgress: (progress: WorkerProgress) => void,
  ): void {
    this.request(
      { kind: 'hparams-sweep', id: this.nextId++, dataset, settings },
      callback as Pending['callback'],
      onProgress,
    );
  }

  criticalBatch(
    dataset: Dataset,
    settings: CriticalBatchSettings,
    callback: (response: CriticalBatchResponse) => void,
    onProgress: (progress: WorkerProgress) => void,
  ): void {
    this.request({ kind: 'bcrit', id: this.nextId++, dataset, settings }, callback as Pending['callback'], onProgress);
  }

  /** Whether a request is being worked on. */
  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  dispose(): void {
    this.worker.terminate();
    this.inFlight = this.pending = undefined;
  }

  private request(request: WorkerRequest, callback: Pending['callback'], onProgress?: Pending['onProgress']): void {
    const p = { request, callback, onProgress };
    if (this.inFlight) this.pending = p;
    else this.send(p);
  }

  private send(p: Pending): void {
    this.inFlight = p;
    this.worker.postMessage(p.request);
  }

  private receive(message: WorkerMessage): void {
    const current = this.inFlight;
    if ('kind' in message) {
      // Progress of a request that a newer one has already replaced is not shown.
      if (current && current.request.id === message.id && !this.pending) current.onProgress?.(message);
      return;
    }
    this.inFlight = undefined;
    const next = this.pending;
    this.pending = undefined;
    if (next) this.send(next);
    else if (current && current.request.id === message.id) current.callback(message);
  }
}
