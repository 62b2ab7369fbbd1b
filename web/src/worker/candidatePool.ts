/**
 * Auto's candidates fitted in parallel: the fit worker fits the first candidate itself while workers
 * of its own (candidate.worker.ts) fit the others, and hands all of them to chooseProcedure (`fits`),
 * which then does exactly what it does after fitting them one by one.
 */
import { fitCandidate } from '../../../src/fit/candidate.js';
import { getProcedure } from '../../../src/fit/procedures.js';
import type { Dataset } from '../../../src/io/dataset.js';
import { fromPlain, type Candidate, type CandidateRequest, type CandidateResponse } from './candidates.js';

interface PoolWorker {
  worker: Worker;
  /** Set once the worker has failed (it could not start): it is asked nothing more. */
  failed?: string;
  waiting: Map<number, { resolve: (c: Candidate) => void; reject: (e: Error) => void; dataset: Dataset }>;
}

/** A few workers that fit one candidate each; a worker that fails leaves its candidates to the caller. */
export class CandidatePool {
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w: PoolWorker = {
        worker: new Worker(new URL('./candidate.worker.ts', import.meta.url), {
          type: 'module',
          name: `scalelab-candidate-${i + 1}`,
        }),
        waiting: new Map(),
      };
      w.worker.onmessage = (event: MessageEvent<CandidateResponse>) => {
        const r = event.data;
        const waiting = w.waiting.get(r.id);
        w.waiting.delete(r.id);
        if (!waiting) return;
        if (r.ok) waiting.resolve(fromPlain(r.candidate, waiting.dataset));
        else waiting.reject(Object.assign(new Error(r.error.message), { name: r.error.name }));
      };
      w.worker.onerror = (event: ErrorEvent) => {
        w.failed = event.message || 'the candidate worker failed';
        for (const waiting of w.waiting.values()) waiting.reject(new Error(w.failed));
        w.waiting.clear();
      };
      this.workers.push(w);
    }
  }

  /** The procedures' fits to `dataset`, in order: the first here, the others on the pool's workers. */
  async fitAll(dataset: Dataset, ids: string[]): Promise<Candidate[]> {
    const remote = ids.slice(1).map((id, k) => this.fitOn(this.workers[k % this.workers.length], dataset, id));
    const first = fitCandidate(dataset, getProcedure(ids[0]));
    // A worker that failed costs time, not the result: its candidate is fitted here instead.
    const rest = await Promise.all(
      remote.map((p, k) => p.catch(() => fitCandidate(dataset, getProcedure(ids[k + 1])))),
    );
    return [first, ...rest];
  }

  private fitOn(w: PoolWorker | undefined, dataset: Dataset, procedure: string): Promise<Candidate> {
    if (!w || w.failed) return Promise.reject(new Error(w?.failed ?? 'no candidate worker'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      w.waiting.set(id, { resolve, reject, dataset });
      w.worker.postMessage({ id, dataset, procedure } satisfies CandidateRequest);
    });
  }
}
