/**
 * The app's worker: one request at a time (the client sends the next only after the answer), a fit
 * (answered with the fit, the approaches and the figures), a back-test (answered with its tables
 * and figure, after progress messages), a downstream analysis (its tasks and sigmoid figures, after
 * progress messages), a comparison of groups, a muP transfer check, an optimiser sweep or a critical
 * batch (after progress messages), or
 * the error (located, for bad input) as plain data. The app runs one of these for each kind; the fit worker starts workers of its own for auto's candidates (candidates.ts).
 */
import { toErrorInfo } from '../lib/errors.js';
import { defaultAutoRule } from '../../../src/fit/auto.js';
import type { Dataset } from '../../../src/io/dataset.js';
import { checkProcedureInputs, runAnalysis, runBacktest } from './analysis.js';
import { CandidatePool } from './candidatePool.js';
import { runDownstream } from './downstream.js';
import { runCompare, runCriticalBatch, runHparamsSweep, runMupTransfer } from './compare.js';
import {
  fitWorkerName,
  type FitOutcome,
  type FitSettings,
  type WorkerMessage,
  type WorkerRequest,
} from './protocol.js';

/** The part of a dedicated worker's global scope used here (the app's lib is DOM, not WebWorker). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerMessage): void;
}
const scope = self as unknown as WorkerScope;

/** One worker per other candidate, but no more threads in all than cores: on two, huber here and the tied recipes there. */
function newPool(): CandidatePool {
  const cores = (self as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency || 2;
  return new CandidatePool(Math.min(defaultAutoRule.candidates.length - 1, Math.max(1, cores - 1)));
}

/**
 * Workers for auto's other candidates: the fit worker (named so by the app) starts them at once, so
 * that they are loaded before the first fit; the back-test worker never needs them.
 */
let pool: CandidatePool | undefined = (self as { name?: string }).name === fitWorkerName ? newPool() : undefined;

/** A fit; by auto, its candidates in parallel (the same fits, in less time). */
async function fit(dataset: Dataset, settings: FitSettings): Promise<FitOutcome> {
  if (settings.procedure !== 'auto' || typeof Worker === 'undefined') return runAnalysis(dataset, settings);
  const startedAt = performance.now();
  checkProcedureInputs('auto', dataset);
  pool ??= newPool();
  const fits = await pool.fitAll(dataset, defaultAutoRule.candidates);
  return runAnalysis(dataset, settings, { fits, startedAt });
}

scope.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  const { id } = request;
  let response: WorkerMessage;
  const progress = (done: number, total: number) => scope.postMessage({ kind: 'progress', id, done, total });
  try {
    response =
      request.kind === 'fit'
        ? { ok: true, id, ...(await fit(request.dataset, request.settings)) }
        : request.kind === 'backtest'
          ? { ok: true, id, ...runBacktest(request.dataset, request.settings, progress) }
          : request.kind === 'downstream'
            ? { ok: true, id, ...runDownstream(request.sets, request.settings, progress) }
            : request.kind === 'compare'
              ? { ok: true, id, ...runCompare(request.dataset, request.settings, progress) }
              : request.kind === 'mup-transfer'
                ? { ok: true, id, ...runMupTransfer(request.dataset, request.settings, progress) }
                : request.kind === 'hparams-sweep'
                  ? { ok: true, id, ...runHparamsSweep(request.dataset, request.settings, progress) }
                  : { ok: true, id, ...runCriticalBatch(request.dataset, request.settings, progress) };
  } catch (e) {
    response = { ok: false, id, error: toErrorInfo(e) };
  }
  scope.postMessage(response);
};
