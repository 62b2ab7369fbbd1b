/**
 * The fit worker: one request at a time, answered with the fit, the approaches and the figures,
 * or with the error (located, for bad input) as plain data.
 */
import { toErrorInfo } from '../lib/errors.js';
import { runAnalysis } from './analysis.js';
import type { FitRequest, FitResponse } from './protocol.js';

/** The part of a dedicated worker's global scope used here (the app's lib is DOM, not WebWorker). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<FitRequest>) => void) | null;
  postMessage(message: FitResponse): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (event: MessageEvent<FitRequest>) => {
  const { id, dataset, settings } = event.data;
  let response: FitResponse;
  try {
    response = { ok: true, id, ...runAnalysis(dataset, settings) };
  } catch (e) {
    response = { ok: false, id, error: toErrorInfo(e) };
  }
  scope.postMessage(response);
};
